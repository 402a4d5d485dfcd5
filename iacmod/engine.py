"""The engine: one parse per file, all rules in one traversal, fixes applied and validated.

``fix_module_source`` is the core for one piece of Python source (a file, or code embedded in a
string of another file). ``process_file`` wraps it for a path on disk (prefilter, @generated,
document rules). ``run`` processes many files on a process pool.
"""

from __future__ import annotations

import fnmatch
import gc
import os
from contextlib import ExitStack
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider, ScopeProvider

from iacmod import suppress
from iacmod.cst.positions import parents_of
from iacmod.edit.imports import add_imports, remove_unused_imports
from iacmod.findings import FileError, FileResult, Finding, FixSafety, Position, Span
from iacmod.cst.scope import release
from iacmod.cst.metadata import _POSITIONS_OF, locate, resolve_metadata, with_source
from iacmod.rule import PendingFix, Report, Rule, RuleContext
from iacmod.cst.walk import readonly_visits, walk_batched

MAX_PASSES = 6
GENERATED_MARKER = b"@generated"
GENERATED_WINDOW = 2048


@dataclass(frozen=True)
class Settings:
    """What to run on a file: the enabled rules, their options, and whether unsafe fixes apply.
    Picklable (rule classes pickle by reference), so it travels to worker processes."""

    rules: tuple[type[Rule], ...]
    unsafe_fixes: bool = False
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    def options_for(self, rule: type[Rule]) -> Mapping[str, Any]:
        return self.options.get(rule.name, {})

    @property
    def document_patterns(self) -> tuple[str, ...]:
        return tuple(p for r in self.rules for p in r.document_patterns)


@dataclass
class SourceResult:
    """Outcome for one piece of Python source."""

    new_code: str | None  # None: unchanged (or left untouched because of an error)
    findings: list[Finding]
    errors: list[FileError]
    encoding: str = "utf-8"  # of the original source, to write the new code back in


# -- hooks ---------------------------------------------------------------------------------------

# Hooks run in a pass next to the rules, e.g. rewriting Python code embedded in string literals
# (iacmod.iac.embedded). Each gets (module, settings, path, wrapper, code) — wrapper: the
# MetadataWrapper the rules used on this very module, whose metadata is cached; code: the
# module's source text — and returns replacements for
# nodes of that module (applied with the rules' fixes when they do not overlap), findings
# (located in the module's code, marked fixed when a replacement fixes them) and errors.
ModuleHook = Callable[
    [cst.Module, Settings, str, MetadataWrapper, str],
    "tuple[dict[cst.CSTNode, cst.CSTNode], list[Finding], list[FileError]]",
]
MODULE_HOOKS: list[ModuleHook] = []


# -- one piece of source -------------------------------------------------------------------------


def _span(rng: CodeRange) -> Span:
    return Span(
        Position(rng.start.line, rng.start.column + 1), Position(rng.end.line, rng.end.column + 1)
    )


def _overlaps(a: CodeRange, b: CodeRange) -> bool:
    a0, a1 = (a.start.line, a.start.column), (a.end.line, a.end.column)
    b0, b1 = (b.start.line, b.start.column), (b.end.line, b.end.column)
    return a0 < b1 and b0 < a1


class _Replacer(cst.CSTTransformer):
    """Replaces nodes, rebuilding only their ancestors (``path``: the nodes on the way from the
    module to a replaced node; None: descend everywhere)."""

    def __init__(self, changes: Mapping[cst.CSTNode, Any], path: set[cst.CSTNode] | None = None) -> None:
        super().__init__()
        self.changes = changes
        self.path = path

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node in self.changes:
            return False
        return self.path is None or node in self.path

    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Any:
        if original_node in self.changes:
            return self.changes[original_node]
        return updated_node


def _ancestors(module: cst.Module, nodes: Iterable[cst.CSTNode], wrapper: MetadataWrapper | None) -> set[cst.CSTNode] | None:
    parents = resolve_metadata(wrapper, ParentNodeProvider) if wrapper is not None else parents_of(module)
    path: set[cst.CSTNode] = set()
    for node in nodes:
        while node is not module:
            parent = parents.get(node)
            if parent is None:
                return None  # not in this module's tree: let the transformer look everywhere
            if parent in path:
                break
            path.add(parent)
            node = parent
    return path


def _apply(module: cst.Module, fixes: Sequence[PendingFix], wrapper: MetadataWrapper | None = None) -> cst.Module:
    changes: dict[cst.CSTNode, Any] = {}
    for fix in fixes:
        changes.update(fix.changes)
    new = module.visit(_Replacer(changes, _ancestors(module, changes, wrapper))) if changes else module
    assert isinstance(new, cst.Module)
    new = add_imports(new, [spec for fix in fixes for spec in fix.add_imports])
    new = remove_unused_imports(new, [spec for fix in fixes for spec in fix.remove_imports])
    return new


def _may_not_round_trip(text: str) -> bool:
    """Whether LibCST might not reproduce ``text`` exactly (it does for everything else: a form
    feed at the start of the file, a lone carriage return at the end, a BOM in a str)."""
    return "\f" in text or "\r" in text or text.startswith("\ufeff")


def _known_positions(wrapper: MetadataWrapper, wanted: set[cst.CSTNode]) -> Mapping[cst.CSTNode, CodeRange] | None:
    """Positions the rules already had computed in this pass, when they cover ``wanted``."""
    resolved = wrapper._metadata
    if PositionProvider in resolved:
        return resolved[PositionProvider]
    asked = resolved.get(_POSITIONS_OF)
    if asked and wanted <= asked.keys() and all(asked[n] is not None for n in wanted):
        return asked
    return None


def _validate(code: str, path: str) -> cst.Module:
    """Re-parse and compile generated code; raises when it is not valid Python."""
    module = cst.parse_module(code)
    compile(code, path, "exec", dont_inherit=True)
    return module


def _blame(module: cst.Module, fixes: Sequence[tuple[Report | None, PendingFix]], path: str) -> list[str]:
    """Which rules' fixes, applied alone, produce code that does not parse or compile."""
    culprits: list[str] = []
    by_rule: dict[str, list[PendingFix]] = {}
    for report, fix in fixes:
        by_rule.setdefault(report.rule.name if report else "inline-code", []).append(fix)
    for name, rule_fixes in by_rule.items():
        try:
            _validate(_apply(module, rule_fixes).code, path)
        except Exception:  # noqa: BLE001 - any failure blames the rule
            culprits.append(name)
    return culprits or sorted(by_rule)


def _to_original(findings: list[Finding], text: str, original: str) -> list[Finding]:
    return findings if text == original or not findings else relocate(findings, text, original)


def relocate(findings: Sequence[Finding], old: str, new: str) -> list[Finding]:
    """Findings located in ``old`` moved to the same code in ``new`` (lines of unchanged code
    shift; a finding on a changed line goes to the start of its replacement)."""
    import difflib

    old_lines, new_lines = old.splitlines(), new.splitlines()
    # the unchanged head and tail need no matching (difflib would index every line of them)
    limit = min(len(old_lines), len(new_lines))
    prefix = 0
    while prefix < limit and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old_lines[-1 - suffix] == new_lines[-1 - suffix]:
        suffix += 1
    middle = difflib.SequenceMatcher(
        None, old_lines[prefix : len(old_lines) - suffix], new_lines[prefix : len(new_lines) - suffix], autojunk=False
    ).get_opcodes()
    blocks = [("equal", 0, prefix, 0, prefix)] if prefix else []
    blocks += [(tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix) for tag, i1, i2, j1, j2 in middle]
    if suffix:
        blocks.append(("equal", len(old_lines) - suffix, len(old_lines), len(new_lines) - suffix, len(new_lines)))

    def move(pos: Position) -> Position:
        for tag, i1, i2, j1, j2 in blocks:
            if i1 < pos.line <= i2 or (i1 == i2 == pos.line - 1):
                if tag == "equal":
                    return Position(pos.line - i1 + j1, pos.column)
                return Position(j1 + 1, pos.column if tag != "delete" else 1)
        return pos

    return [replace(f, span=Span(move(f.span.start), move(f.span.end))) for f in findings]


class RuleCrash(Exception):
    """A rule raised while visiting a module (a bug in the rule)."""

    def __init__(self, rules: Sequence[str], error: Exception) -> None:
        super().__init__(f"{', '.join(rules)}: {type(error).__name__}: {error}")
        self.rules = rules
        self.error = error


def _crashed(module: cst.Module, instances: Sequence[Rule], path: str, settings: Settings) -> list[str]:
    culprits = []
    for inst in instances:
        rule = type(inst)
        try:
            _visit_rules(
                MetadataWrapper(module, unsafe_skip_copy=True),
                [rule(RuleContext(Path(path), module.code, settings.options_for(rule)))],
            )
        except Exception:  # noqa: BLE001
            culprits.append(rule.name)
    return culprits or [type(i).name for i in instances]


def _release(wrapper: MetadataWrapper, instances: Sequence[Rule]) -> None:
    """Free a pass's metadata and rule state now, once its reports are taken: the scope
    analysis, and rules that keep helpers pointing back at them, are reference cycles that would
    keep the module's tree alive for the cyclic GC (see iacmod.cst.scope.release)."""
    for inst in instances:
        inst.__dict__.clear()
    resolved = wrapper._metadata
    scopes = resolved.get(ScopeProvider)
    if scopes is not None:
        release(scopes)
    resolved.clear()


def _visit_rules(wrapper: MetadataWrapper, instances: Sequence[Rule]) -> None:
    """All rules in one read-only walk (``iacmod.cst.walk``: LibCST's order and callbacks without
    rebuilding nodes), with their metadata resolved lazily from ``wrapper``."""
    with ExitStack() as stack:
        for inst in instances:
            stack.enter_context(inst.resolve(wrapper))
        stack.enter_context(readonly_visits())  # visits the rules make themselves
        walk_batched(wrapper.module, instances)


def fix_module_source(
    code: str | bytes,
    settings: Settings,
    path: str = "<string>",
    *,
    embedded: bool = False,
    rules: Sequence[type[Rule]] | None = None,
) -> SourceResult:
    """Run ``rules`` (default: the triggered enabled ones) and the module hooks over Python
    source, fixing what the settings allow, until nothing changes. Findings are located in the
    ORIGINAL source (``relocate`` moves them to the new one). Raises ``cst.ParserSyntaxError``
    (and ``UnicodeDecodeError``/``SyntaxError``) when the input does not parse."""
    if rules is None:
        rules = [r for r in settings.rules if r.triggered_by(code)]
    module = cst.parse_module(code)
    encoding = module.encoding
    # LibCST round-trips source exactly: the module's code is the decoded input
    original_code = code.decode(encoding) if isinstance(code, bytes) else code
    text = original_code
    fixed: list[Finding] = []
    remaining: list[Finding] = []
    errors: list[FileError] = []
    run_hooks = bool(MODULE_HOOKS) and not embedded

    for _ in range(MAX_PASSES):
        instances = [
            rule(RuleContext(Path(path), text, settings.options_for(rule), embedded, settings.unsafe_fixes))
            for rule in rules
        ]
        wrapper = with_source(MetadataWrapper(module, unsafe_skip_copy=True), text)
        try:
            if instances:
                try:
                    _visit_rules(wrapper, instances)
                except Exception as exc:  # noqa: BLE001 - a rule bug must not stop the run
                    raise RuleCrash(_crashed(module, instances, path, settings), exc) from exc
            reports = [rep for inst in instances for rep in inst.reports]
            # hooks (inline code) share this pass's metadata; their changes join the rules' fixes
            hook_changes: dict[cst.CSTNode, Any] = {}
            hook_findings: list[Finding] = []
            if run_hooks:
                for hook in MODULE_HOOKS:
                    with readonly_visits():
                        changes, extra, hook_errors = hook(module, settings, path, wrapper, text)
                    hook_changes.update(changes)
                    hook_findings.extend(extra)
                    errors.extend(hook_errors)
            if not reports and not hook_changes:
                remaining = _to_original(hook_findings, text, original_code)
                break
            wanted = {rep.node for rep in reports} | set(hook_changes)
            # (the nodes a fix changes are located to keep fixes apart: only for fixes that may apply)
            wanted.update(
                n
                for rep in reports
                if rep.fix and (rep.fix.safety is FixSafety.SAFE or settings.unsafe_fixes)
                for n in rep.fix.changes
            )
            positions = _known_positions(wrapper, wanted)
            if positions is None:
                positions = locate(wrapper, wanted)
            if not wanted <= positions.keys():  # e.g. the Module node itself: ask LibCST
                positions = resolve_metadata(wrapper, PositionProvider)
            sup = suppress.parse_python(text)
            accepted: list[tuple[Report | None, PendingFix]] = []
            deferred = False
            taken: list[CodeRange] = []
            pass_fixed: list[Finding] = []
            pass_remaining: list[Finding] = []
            for rep in reports:
                rng = positions.get(rep.node)
                span = _span(rng) if rng is not None else Span.point(1)
                safety = rep.fix.safety if rep.fix else FixSafety.NONE
                finding = Finding(rep.rule.code, rep.rule.name, rep.message, path, span, safety)
                if sup.covers(rep.rule.code, rep.rule.name, span.start.line, span.end.line):
                    continue  # suppressed findings are neither reported nor fixed
                fix = rep.fix
                allowed = fix is not None and (fix.safety is FixSafety.SAFE or settings.unsafe_fixes)
                if allowed:
                    assert fix is not None
                    ranges = [positions[n] for n in fix.changes if n in positions]
                    if not any(_overlaps(r, t) for r in ranges for t in taken):
                        taken.extend(ranges)
                        accepted.append((rep, fix))
                        pass_fixed.append(replace(finding, fixed=True))
                        continue
                    # overlapping fix: deferred; the rule finds it again in the next pass
                    deferred = True
                pass_remaining.append(finding)
            if hook_changes:
                ranges = [positions[n] for n in hook_changes if n in positions]
                if any(_overlaps(r, t) for r in ranges for t in taken):
                    deferred = True  # a rule rewrote code around the inline code: next pass
                    hook_findings = []
                else:
                    accepted.append((None, PendingFix(hook_changes, (), (), FixSafety.SAFE)))
                    run_hooks = False  # inline code is done
            else:
                run_hooks = False
            pass_fixed += [f for f in hook_findings if f.fixed]
            pass_remaining += [f for f in hook_findings if not f.fixed]
            remaining = _to_original(pass_remaining, text, original_code)
            if not accepted:
                break
            if text is original_code and _may_not_round_trip(text) and module.code != original_code:
                # LibCST does not round-trip a few rare layouts (e.g. a form feed at the start of
                # the file): writing its code would change bytes no fix asked to change
                errors.append(
                    FileError(
                        path,
                        1,
                        "LibCST cannot reproduce this file byte for byte (e.g. a form feed or a lone "
                        "carriage return); fixes not applied, file left untouched",
                    )
                )
                unfixed = [replace(f, fixed=False) for f in _to_original(pass_fixed, text, original_code)]
                return SourceResult(None, sorted(unfixed + remaining, key=lambda f: (f.span.start, f.code)), errors, encoding)
            try:
                new_module = _apply(module, [fix for _, fix in accepted], wrapper)
                new_text = new_module.code
                # CPython's parser and compiler are the judge of valid code; LibCST parses the
                # result again only when another pass is to run on it
                compile(new_text, path, "exec", dont_inherit=True)
                if deferred:
                    module = cst.parse_module(new_text)
            except Exception as exc:  # noqa: BLE001
                culprits = _blame(module, accepted, path)
                detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
                errors.append(
                    FileError(
                        path,
                        1,
                        f"rule {', '.join(culprits)} produced invalid code ({detail}); "
                        "file left untouched. Please report this with the file.",
                        rule=", ".join(culprits),
                    )
                )
                # leave the source as it was; report every finding as unfixed
                unfixed = [replace(f, fixed=False) for f in fixed + _to_original(pass_fixed, text, original_code)]
                return SourceResult(None, unfixed + remaining, errors, encoding)
            fixed.extend(_to_original(pass_fixed, text, original_code))
            text = new_text
            # Another pass only when a fix was deferred (it overlapped an applied one): otherwise
            # the fixes are final (every example, fixture and the corpus smoke test check that a
            # second run finds nothing), and the unfixed findings are already known.
            if not deferred:
                break
        finally:
            _release(wrapper, instances)

    findings = sorted(fixed + remaining, key=lambda f: (f.span.start, f.code))
    return SourceResult(text if text != original_code else None, findings, errors, encoding)


# -- one file ------------------------------------------------------------------------------------


def _syntax_error(path: str, exc: Exception) -> FileError:
    if isinstance(exc, cst.ParserSyntaxError):
        msg = exc.message if hasattr(exc, "message") else str(exc)
        return FileError(path, exc.raw_line, f"syntax error: {msg}; file left untouched")
    if isinstance(exc, SyntaxError):
        return FileError(path, exc.lineno or 1, f"syntax error: {exc.msg}; file left untouched")
    if isinstance(exc, (UnicodeDecodeError, LookupError)):
        return FileError(
            path, 1, f"cannot decode file ({exc}); declare its encoding (PEP 263) or convert it to UTF-8"
        )
    return FileError(path, 1, f"cannot parse file: {type(exc).__name__}: {exc}")


def is_generated(data: bytes) -> bool:
    return GENERATED_MARKER in data[:GENERATED_WINDOW]


def process_file(path: Path, settings: Settings) -> FileResult:
    """Read, fix (in memory) and report one file. Never raises for bad input.

    The cyclic garbage collector is paused while the file is processed and run once after it:
    a parse allocates hundreds of thousands of nodes, none of them in reference cycles, and the
    collector's automatic passes over them cost about a quarter of the run (measured on the
    corpus); the file's cyclic garbage (scope analysis), all of it in the youngest generation since the
    collector did not run, is collected before the next file."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _process_file(path, settings)
    finally:
        if enabled:
            gc.enable()
            if gc.get_count()[0] > 10_000:  # the file was parsed: collect what it left
                gc.collect(0)


def _process_file(path: Path, settings: Settings) -> FileResult:
    display = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(path, errors=(FileError(display, 1, f"cannot read file: {exc.strerror}"),))
    if is_generated(data):
        return FileResult(path, old_source=data, skipped=True)
    if path.suffix in (".py", ".pyi") and not any(
        fnmatch.fnmatch(path.name, p) for p in settings.document_patterns
    ):
        return _process_python(path, data, settings)
    return _process_document(path, data, settings)


def _process_python(path: Path, data: bytes, settings: Settings) -> FileResult:
    display = str(path)
    rules = [r for r in settings.rules if r.triggered_by(data)]
    if not rules:
        return FileResult(path, old_source=data, skipped=True)
    try:
        result = fix_module_source(data, settings, display, rules=rules)
    except RuleCrash as crash:
        message = (f"rule {', '.join(crash.rules)} crashed ({type(crash.error).__name__}: {crash.error}); "
                   "file left untouched. Please report this with the file.")
        return FileResult(path, old_source=data, errors=(FileError(display, 1, message, ", ".join(crash.rules)),))
    except Exception as exc:  # noqa: BLE001 - a file that cannot be parsed is reported, not fatal
        return FileResult(path, old_source=data, errors=(_syntax_error(display, exc),))
    new_bytes = None
    if result.new_code is not None:
        new_bytes = result.new_code.encode(result.encoding)  # the file's own encoding (PEP 263)
    return FileResult(
        path,
        findings=tuple(result.findings),
        old_source=data,
        new_source=new_bytes,
        errors=tuple(result.errors),
    )


def _process_document(path: Path, data: bytes, settings: Settings) -> FileResult:
    display = str(path)
    rules = [
        r
        for r in settings.rules
        if any(fnmatch.fnmatch(path.name, p) for p in r.document_patterns) and r.triggered_by(data)
    ]
    if not rules:
        return FileResult(path, old_source=data, skipped=True)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        return FileResult(path, old_source=data, errors=(_syntax_error(display, exc),))
    newline = "\r\n" if "\r\n" in text else "\n"
    findings: list[Finding] = []
    errors: list[FileError] = []
    current = text.replace("\r\n", "\n")
    sup = suppress.parse_text(current)
    for rule in rules:
        context = RuleContext(path, current, settings.options_for(rule), False, settings.unsafe_fixes)
        try:
            outcome = rule.process_document(context)
        except Exception as exc:  # noqa: BLE001
            errors.append(FileError(display, 1, f"cannot process document: {exc}; file left untouched", rule.name))
            continue
        for doc in outcome.findings:
            span = Span(
                Position(doc.line, doc.column),
                Position(doc.end_line or doc.line, doc.end_column or doc.column),
            )
            if sup.covers(rule.code, rule.name, span.start.line, span.end.line):
                continue
            findings.append(Finding(rule.code, rule.name, doc.message, display, span, doc.safety, doc.fixed))
        if outcome.new_text is not None:
            current = outcome.new_text
    new_source = None
    if current != text.replace("\r\n", "\n"):
        new_source = current.replace("\n", newline).encode("utf-8")
    findings.sort(key=lambda f: (f.span.start, f.code))
    return FileResult(path, tuple(findings), data, new_source, tuple(errors))


# -- many files ----------------------------------------------------------------------------------


def _process_batch(batch: Sequence[tuple[Path, Settings]]) -> list[FileResult]:
    return [process_file(path, settings) for path, settings in batch]


def run(
    tasks: Sequence[tuple[Path, Settings]],
    jobs: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> list[FileResult]:
    """Process files (in parallel when it pays), returning results in task order.
    ``progress`` is called with the number of files finished since the last call."""
    jobs = jobs or os.cpu_count() or 1
    if jobs <= 1 or len(tasks) < 8:
        results = []
        for task in tasks:
            results.append(process_file(*task))
            if progress:
                progress(1)
        return results
    # largest files first: the last batches to finish are then small ones, and the processes
    # run out of work at about the same time (sorted by name, a few large files at the end
    # would leave one process working alone)
    order = sorted(range(len(tasks)), key=lambda i: -_size(tasks[i][0]))
    size = max(1, min(16, len(tasks) // (jobs * 4) or 1))
    batches = [order[i : i + size] for i in range(0, len(order), size)]
    results: list[FileResult | None] = [None] * len(tasks)
    import multiprocessing

    method = "fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn"
    with ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context(method)) as pool:
        futures = {pool.submit(_process_batch, [tasks[i] for i in batch]): batch for batch in batches}
        for future in as_completed(futures):
            batch = futures[future]
            for i, result in zip(batch, future.result()):
                results[i] = result
            if progress:
                progress(len(batch))
    assert all(r is not None for r in results)
    return results  # type: ignore[return-value]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


# Registered here so that every process that imports the engine (the CLI, tests, and pool
# workers whether forked or spawned) runs the inline-code hook.
from iacmod.iac import embedded as _embedded  # noqa: E402,F401  (appends its hook to MODULE_HOOKS)
