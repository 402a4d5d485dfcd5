"""The engine: one parse per file, all rules in one traversal, fixes applied and validated.

``fix_module_source`` is the core for one piece of Python source (a file, or code embedded in a
string of another file). Each pass over the module runs the rules and the module passes it is
given (:func:`_run_pass`), chooses the fixes to apply (:func:`_choose_fixes`: safety,
suppression, overlap), applies them with their imports (:func:`_apply_fixes`) and validates the
new code (:func:`_validate`); another pass runs only when a fix was deferred because it
overlapped an applied one. ``process_file`` wraps it for a path on disk (prefilter,
@generated, document rules). ``run`` processes many files on a process pool.

The module passes to run (``iacmod.passes``) come in ``Settings.passes``: the engine imports
none of them; ``iacmod.registry.default_passes`` composes the default set.
"""

from __future__ import annotations

import fnmatch
import gc
import os
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import ExitStack
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import CodeRange, MetadataWrapper, ParentNodeProvider, PositionProvider

from iacmod import suppress
from iacmod.cst.metadata import known_positions, locate, release_metadata, resolve_metadata, with_source
from iacmod.cst.positions import RangeSet, parents_of
from iacmod.cst.walk import readonly_visits, walk_batched
from iacmod.edit.imports import add_imports, remove_unused_imports
from iacmod.findings import FileError, FileResult, Finding, FixSafety, Position, Span
from iacmod.passes import ModulePass, PassInput, PassResult
from iacmod.rule import PendingFix, Report, Rule, RuleContext
from iacmod.vendored import is_generated as _is_generated_header

MAX_PASSES = 6
GENERATED_MARKER = b"@generated"
GENERATED_WINDOW = 2048


@dataclass(frozen=True)
class Settings:
    """What to run on a file: the enabled rules, their options, whether unsafe fixes apply, and
    the module passes to run next to the rules (``iacmod.passes``; none unless given).
    Picklable (rule classes pickle by reference, passes are module-level instances), so it
    travels to worker processes."""

    rules: tuple[type[Rule], ...]
    unsafe_fixes: bool = False
    options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    passes: tuple[ModulePass, ...] = ()
    # skip files whose header marks them as generated (discovery already chose the files of a run)
    skip_generated: bool = True
    # findings whose fixes are held back (a baseline's): (code, line, column) in the file as read
    hold: frozenset[tuple[str, int, int]] = frozenset()
    # None: every fix the safety settings allow. A set of fix keys (``findings.FixKey``: code and
    # span of the finding, in the text as read): apply exactly the fixes of these findings, safe
    # or unsafe, and nothing else (interactive review, editor code actions). Module passes (code
    # embedded in strings) are not selectable: their fixes are left out.
    only: frozenset[tuple[str, int, int, int, int]] | None = None

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


class RuleCrash(Exception):
    """A rule raised while visiting a module (a bug in the rule)."""

    def __init__(self, rules: Sequence[str], error: Exception) -> None:
        super().__init__(f"{', '.join(rules)}: {type(error).__name__}: {error}")
        self.rules = rules
        self.error = error


# -- one piece of source -------------------------------------------------------------------------


def fix_module_source(
    code: str | bytes,
    settings: Settings,
    path: str = "<string>",
    *,
    embedded: bool = False,
    rules: Sequence[type[Rule]] | None = None,
) -> SourceResult:
    """Run ``rules`` (default: the triggered enabled ones) and ``settings.passes`` over Python
    source, fixing what the settings allow, until nothing changes. Findings are located in the
    ORIGINAL source (``relocate`` moves them to the new one). ``embedded``: the source is code
    held in a string of another file (the rules see it in their context). Raises
    ``cst.ParserSyntaxError`` (and ``UnicodeDecodeError``/``SyntaxError``) when the input does
    not parse, ``RuleCrash`` when a rule raises."""
    if rules is None:
        rules = [r for r in settings.rules if r.triggered_by(code)]
    module = cst.parse_module(code)
    encoding = module.encoding
    # LibCST round-trips source exactly: the module's code is the decoded input
    original = code.decode(encoding) if isinstance(code, bytes) else code
    text = original
    passes = settings.passes  # the module passes still to run
    fixed: list[Finding] = []  # fixed by an applied pass (all findings below: in `original`)
    remaining: list[Finding] = []  # the rules' unfixed findings, from the last pass
    passes_unfixed: list[Finding] = []  # the module passes' unfixed findings (a pass is done once)
    errors: list[FileError] = []

    def untouched(also_fixed: list[Finding]) -> SourceResult:
        """The source left as it was: every finding reported as unfixed."""
        unfixed = [replace(f, fixed=False) for f in fixed + also_fixed]
        return SourceResult(None, _sorted(unfixed + remaining + passes_unfixed), errors, encoding)

    for _ in range(MAX_PASSES):
        instances = [
            rule(RuleContext(Path(path), text, settings.options_for(rule), embedded, settings.unsafe_fixes))
            for rule in rules
        ]
        wrapper = with_source(MetadataWrapper(module, unsafe_skip_copy=True), text)
        try:
            found = _run_pass(module, text, path, settings, wrapper, instances, passes)
            choice = _choose_fixes(found, text, path, settings, wrapper)
            passes = choice.rerun
            errors += choice.errors
            remaining = _to_original(choice.remaining, text, original)
            passes_unfixed += _to_original(choice.passes_unfixed, text, original)
            newly_fixed = _to_original(choice.fixed, text, original)
            if not choice.fixes:
                fixed += newly_fixed
                break
            if text is original and _may_not_round_trip(text) and module.code != original:
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
                return untouched(newly_fixed)
            try:
                new_module = _apply_fixes(module, [fix for _, fix in choice.fixes], wrapper)
                new_text = new_module.code
                # another pass runs on the new code only when a fix was deferred
                reparsed = _validate(new_text, path, reparse=choice.deferred)
            except Exception as exc:  # noqa: BLE001 - any failure leaves the file alone
                errors.append(_invalid_code(module, choice.fixes, path, exc))
                return untouched(newly_fixed)
            fixed += newly_fixed
            text = new_text
            # Another pass only when a fix was deferred (it overlapped an applied one): otherwise
            # the fixes are final (every example, fixture and the corpus smoke test check that a
            # second run finds nothing), and the unfixed findings are already known.
            if reparsed is None:
                break
            module = reparsed
        finally:
            _release(wrapper, instances)

    return SourceResult(
        text if text != original else None, _sorted(fixed + remaining + passes_unfixed), errors, encoding
    )


def _sorted(findings: list[Finding]) -> list[Finding]:
    return sorted(findings, key=lambda f: (f.span.start, f.code))


# -- step 1: run the rules and the module passes -------------------------------------------------


@dataclass
class _Found:
    """What one pass over a module found: the rules' reports, in report order, and the module
    passes' results."""

    reports: list[Report]
    results: list[tuple[ModulePass, PassResult]]


def _run_pass(
    module: cst.Module,
    text: str,
    path: str,
    settings: Settings,
    wrapper: MetadataWrapper,
    instances: Sequence[Rule],
    passes: Sequence[ModulePass],
) -> _Found:
    """The rules in one walk, then the module passes, all on ``wrapper``'s (lazily resolved,
    shared) metadata. Raises ``RuleCrash`` (naming the culprits) when a rule raises."""
    if instances:
        try:
            _visit_rules(wrapper, instances)
        except Exception as exc:  # noqa: BLE001 - a rule bug must not stop the run
            raise RuleCrash(_crashed(module, instances), exc) from exc
    reports = [rep for inst in instances for rep in inst.reports]
    results: list[tuple[ModulePass, PassResult]] = []
    if passes:
        given = PassInput(module, text, path, settings, wrapper)
        for module_pass in passes:
            with readonly_visits():  # the visits a pass makes itself
                results.append((module_pass, module_pass.run(given)))
    return _Found(reports, results)


def _visit_rules(wrapper: MetadataWrapper, instances: Sequence[Rule]) -> None:
    """All rules in one read-only walk (``iacmod.cst.walk``: LibCST's order and callbacks without
    rebuilding nodes), with their metadata resolved lazily from ``wrapper``."""
    with ExitStack() as stack:
        for inst in instances:
            stack.enter_context(inst.resolve(wrapper))
        stack.enter_context(readonly_visits())  # visits the rules make themselves
        walk_batched(wrapper.module, instances)


def _crashed(module: cst.Module, instances: Sequence[Rule]) -> list[str]:
    """The rules that raise when they run alone on ``module`` (all of them if none does)."""
    culprits = []
    for inst in instances:
        rule = type(inst)
        try:
            _visit_rules(MetadataWrapper(module, unsafe_skip_copy=True), [rule(inst.context)])
        except Exception:  # noqa: BLE001
            culprits.append(rule.name)
    return culprits or [type(i).name for i in instances]


def _release(wrapper: MetadataWrapper, instances: Sequence[Rule]) -> None:
    """Free a pass's metadata and rule state now, once its reports are taken: the scope
    analysis, and rules that keep helpers pointing back at them, are reference cycles that would
    keep the module's tree alive for the cyclic GC (see iacmod.cst.scope.release)."""
    for inst in instances:
        inst.__dict__.clear()
    release_metadata(wrapper)


# -- step 2: choose the fixes --------------------------------------------------------------------


@dataclass
class _Choice:
    """The fixes one pass applies, and what became of every finding (located in the pass's text)."""

    fixes: list[tuple[str, PendingFix]] = field(default_factory=list)  # (rule or pass name, fix)
    fixed: list[Finding] = field(default_factory=list)  # their findings, marked fixed
    remaining: list[Finding] = field(default_factory=list)  # the rules' unfixed findings
    passes_unfixed: list[Finding] = field(default_factory=list)  # of the module passes done
    errors: list[FileError] = field(default_factory=list)  # of the module passes done
    rerun: tuple[ModulePass, ...] = ()  # module passes to run again in the next pass
    deferred: bool = False  # a fix overlapped an applied one: another pass is needed


def _choose_fixes(found: _Found, text: str, path: str, settings: Settings, wrapper: MetadataWrapper) -> _Choice:
    """Locate the findings, drop suppressed ones, and take the fixes that may apply (safe, or
    unsafe with ``--unsafe-fixes``) in report order, deferring one whose nodes overlap a fix
    already taken (the rule finds it again in the next pass). A module pass's replacements are
    taken after the rules' fixes, all or none: when they overlap, the pass runs again in the next
    pass (its findings and errors are dropped now); otherwise the pass is done."""
    choice = _Choice()
    pass_changes = [(p, r) for p, r in found.results if r.changes]
    if not found.reports and not pass_changes:
        for _, result in found.results:
            _pass_done(choice, result)
        return choice
    positions = _positions(found, settings, wrapper)
    sup = suppress.parse_python(text)
    taken = RangeSet()  # the ranges of the fixes taken (indexed by line: linear in findings)
    for rep in found.reports:
        rng = positions.get(rep.node)
        span = _span(rng) if rng is not None else Span.point(1)
        safety = rep.fix.safety if rep.fix else FixSafety.NONE
        finding = Finding(rep.rule.code, rep.rule.name, rep.message, path, span, safety, severity=rep.severity)
        if sup.covers(rep.rule.code, rep.rule.name, span.start.line, span.end.line):
            continue  # suppressed findings are neither reported nor fixed
        fix = rep.fix
        if settings.hold and (rep.rule.code, span.start.line, span.start.column) in settings.hold:
            fix = None  # a baselined finding: reported (the caller filters it), not fixed
        if fix is not None and settings.only is not None and fix_key(rep.rule.code, span) not in settings.only:
            fix = None  # not chosen (Settings.only): reported with its fix, not fixed
        if fix is not None and _may_apply(fix, settings):
            ranges = [positions[n] for n in fix.changes if n in positions]
            if not _overlaps_any(ranges, taken):
                taken.extend(ranges)
                choice.fixes.append((rep.rule.name, fix))
                choice.fixed.append(replace(finding, fixed=True))
                continue
            choice.deferred = True  # overlapping fix: the rule finds it again in the next pass
        choice.remaining.append(finding)
    rerun: list[ModulePass] = []
    for module_pass, result in found.results:
        if result.changes and settings.only is not None:
            # not selectable (Settings.only): its fixes are reported, not applied
            result = replace(result, changes={}, findings=[replace(f, fixed=False) for f in result.findings])
        if result.changes:
            ranges = [positions[n] for n in result.changes if n in positions]
            if _overlaps_any(ranges, taken):
                choice.deferred = True  # a rule rewrote code around the pass's nodes: next pass
                rerun.append(module_pass)
                continue
            taken.extend(ranges)
            choice.fixes.append((module_pass.name, PendingFix(dict(result.changes), (), (), FixSafety.SAFE)))
        _pass_done(choice, result)
    choice.rerun = tuple(rerun)
    return choice


def _pass_done(choice: _Choice, result: PassResult) -> None:
    choice.fixed += [f for f in result.findings if f.fixed]
    choice.passes_unfixed += [f for f in result.findings if not f.fixed]
    choice.errors += result.errors


def _may_apply(fix: PendingFix, settings: Settings) -> bool:
    return fix.safety is FixSafety.SAFE or settings.unsafe_fixes or settings.only is not None


def fix_key(code: str, span: Span) -> tuple[str, int, int, int, int]:
    """The stable key of a finding's fix for ``Settings.only`` (``Finding.fix_key``)."""
    return (code, span.start.line, span.start.column, span.end.line, span.end.column)


def _positions(found: _Found, settings: Settings, wrapper: MetadataWrapper) -> Mapping[cst.CSTNode, CodeRange]:
    """The positions of the reported nodes, of the nodes the fixes that may apply change (to keep
    fixes apart), and of the nodes the module passes replace."""
    wanted = {rep.node for rep in found.reports}
    wanted.update(n for rep in found.reports if rep.fix and _may_apply(rep.fix, settings) for n in rep.fix.changes)
    for _, result in found.results:
        wanted.update(result.changes)
    positions = _known_positions(wrapper, wanted)
    if positions is None:
        positions = locate(wrapper, wanted)
    if not wanted <= positions.keys():  # e.g. the Module node itself: ask LibCST
        positions = resolve_metadata(wrapper, PositionProvider)
    return positions


def _known_positions(wrapper: MetadataWrapper, wanted: set[cst.CSTNode]) -> Mapping[cst.CSTNode, CodeRange] | None:
    """Positions the rules already had computed in this pass, when they cover ``wanted``."""
    return known_positions(wrapper, wanted)


def _span(rng: CodeRange) -> Span:
    return Span(Position(rng.start.line, rng.start.column + 1), Position(rng.end.line, rng.end.column + 1))


def _overlaps(a: CodeRange, b: CodeRange) -> bool:
    a0, a1 = (a.start.line, a.start.column), (a.end.line, a.end.column)
    b0, b1 = (b.start.line, b.start.column), (b.end.line, b.end.column)
    return a0 < b1 and b0 < a1


def _overlaps_any(ranges: Sequence[CodeRange], taken: RangeSet) -> bool:
    return taken.overlaps(ranges)  # (what _overlaps says of some pair)


# -- step 3: apply them --------------------------------------------------------------------------


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


def _ancestors(
    module: cst.Module, nodes: Iterable[cst.CSTNode], wrapper: MetadataWrapper | None
) -> set[cst.CSTNode] | None:
    """The ancestors of ``nodes`` (None when a node is not in ``module``'s tree)."""
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


def _apply_fixes(module: cst.Module, fixes: Sequence[PendingFix], wrapper: MetadataWrapper | None = None) -> cst.Module:
    """``module`` with the fixes' replacements (one transformer that rebuilds only the replaced
    nodes' ancestors), then the imports they add and remove (``iacmod.edit.imports``)."""
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


# -- step 4: validate the result -----------------------------------------------------------------


def _validate(code: str, path: str, *, reparse: bool) -> cst.Module | None:
    """Raises when generated code is not valid Python: CPython's parser and compiler are the
    judge. ``reparse``: also parse it with LibCST and return the module (for another pass)."""
    compile(code, path, "exec", dont_inherit=True)
    return cst.parse_module(code) if reparse else None


def _invalid_code(module: cst.Module, fixes: Sequence[tuple[str, PendingFix]], path: str, exc: Exception) -> FileError:
    """The error for fixes that together produced invalid code, naming the culprits."""
    culprits = _blame(module, fixes, path)
    detail = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return FileError(
        path,
        1,
        f"rule {', '.join(culprits)} produced invalid code ({detail}); "
        "file left untouched. Please report this with the file.",
        rule=", ".join(culprits),
    )


def _blame(module: cst.Module, fixes: Sequence[tuple[str, PendingFix]], path: str) -> list[str]:
    """Which rules' (or module passes') fixes, applied alone, produce code that does not parse or
    compile (all of them when none does alone)."""
    culprits: list[str] = []
    by_name: dict[str, list[PendingFix]] = {}
    for name, fix in fixes:
        by_name.setdefault(name, []).append(fix)
    for name, own in by_name.items():
        try:
            _validate(_apply_fixes(module, own).code, path, reparse=True)
        except Exception:  # noqa: BLE001 - any failure blames the rule
            culprits.append(name)
    return culprits or sorted(by_name)


# -- locations -----------------------------------------------------------------------------------


def _to_original(findings: list[Finding], text: str, original: str) -> list[Finding]:
    return findings if text == original or not findings else relocate(findings, text, original)


RELOCATE_EXACT_LIMIT = 250_000  # changed regions up to this size (lines x lines) are matched by difflib alone


def relocate(findings: Sequence[Finding], old: str, new: str) -> list[Finding]:
    """Findings located in ``old`` moved to the same code in ``new`` (lines of unchanged code
    shift; a finding on a changed line goes to the start of its replacement). Linear in the
    number of changes and findings (``iacmod.linediff``; blocks found by bisection)."""
    from bisect import bisect_left

    from iacmod.linediff import opcodes

    old_lines, new_lines = old.splitlines(), new.splitlines()
    # the unchanged head and tail need no matching (difflib would index every line of them)
    limit = min(len(old_lines), len(new_lines))
    prefix = 0
    while prefix < limit and old_lines[prefix] == new_lines[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old_lines[-1 - suffix] == new_lines[-1 - suffix]:
        suffix += 1
    middle = opcodes(
        old_lines[prefix : len(old_lines) - suffix],
        new_lines[prefix : len(new_lines) - suffix],
        autojunk=False,
        exact_limit=RELOCATE_EXACT_LIMIT,
    )
    blocks = [("equal", 0, prefix, 0, prefix)] if prefix else []
    blocks += [(tag, i1 + prefix, i2 + prefix, j1 + prefix, j2 + prefix) for tag, i1, i2, j1, j2 in middle]
    if suffix:
        blocks.append(("equal", len(old_lines) - suffix, len(old_lines), len(new_lines) - suffix, len(new_lines)))

    starts = [block[1] for block in blocks]

    def move(pos: Position) -> Position:
        # the first block with i1 < line <= i2, or i1 == i2 == line - 1: the one before the first
        # block starting at line - 1 or later, if it holds the line; else the first starting there
        index = bisect_left(starts, pos.line - 1)
        if index and blocks[index - 1][2] >= pos.line:
            index -= 1
        elif index == len(blocks) or starts[index] != pos.line - 1:
            return pos
        tag, i1, i2, j1, j2 = blocks[index]
        if tag == "equal":
            return Position(pos.line - i1 + j1, pos.column)
        return Position(j1 + 1, pos.column if tag != "delete" else 1)

    return [replace(f, span=Span(move(f.span.start), move(f.span.end))) for f in findings]


# -- one file ------------------------------------------------------------------------------------


def _syntax_error(path: str, exc: Exception, source: bytes | None = None) -> FileError:
    """The error for a file that does not parse: CPython's own line, column and message when
    CPython rejects it too (LibCST's positions are often a line late, and its tokenizer errors
    all say line 1), else LibCST's."""
    if isinstance(exc, cst.ParserSyntaxError) and source is not None:
        cpython = _cpython_syntax_error(source, path)
        if cpython is not None:
            exc = cpython
    if isinstance(exc, cst.ParserSyntaxError):
        msg = exc.message if hasattr(exc, "message") else str(exc)
        return FileError(path, exc.raw_line, f"syntax error: {msg}; file left untouched", column=exc.raw_column + 1)
    if isinstance(exc, SyntaxError):
        return FileError(path, exc.lineno or 1, f"syntax error: {exc.msg}; file left untouched", column=exc.offset or 1)
    if isinstance(exc, (UnicodeDecodeError, LookupError)):
        return FileError(path, 1, f"cannot decode file ({exc}); declare its encoding (PEP 263) or convert it to UTF-8")
    return FileError(path, 1, f"cannot parse file: {type(exc).__name__}: {exc}")


def _cpython_syntax_error(source: bytes, path: str) -> SyntaxError | None:
    """CPython's SyntaxError for ``source`` (None when CPython compiles it)."""
    try:
        compile(source, path, "exec", flags=0, dont_inherit=True)
    except SyntaxError as exc:  # IndentationError and TabError included
        return exc
    except (ValueError, UnicodeDecodeError):  # null bytes, undecodable source
        return None
    return None


def is_generated(data: bytes) -> bool:
    """Whether the file's header comment lines say it is generated (``iacmod.vendored``)."""
    return _is_generated_header(data)


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


def process_source(path: Path, data: bytes, settings: Settings) -> FileResult:
    """``process_file`` for code that is not read from ``path`` (stdin, a pipe, an editor's
    buffer): ``path`` names it (for the messages and the document rules' patterns); code whose
    name is no document pattern is taken as Python, whatever its suffix. Never raises."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        if settings.skip_generated and is_generated(data):
            return FileResult(path, old_source=data, skipped=True)
        if any(fnmatch.fnmatch(path.name, p) for p in settings.document_patterns):
            return _process_document(path, data, settings)
        return _process_python(path, data, settings)
    finally:
        if enabled:
            gc.enable()


def _process_file(path: Path, settings: Settings) -> FileResult:
    display = str(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        return FileResult(path, errors=(FileError(display, 1, f"cannot read file: {exc.strerror}"),))
    if settings.skip_generated and is_generated(data):
        return FileResult(path, old_source=data, skipped=True)
    if path.suffix in (".py", ".pyi") and not any(fnmatch.fnmatch(path.name, p) for p in settings.document_patterns):
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
        message = (
            f"rule {', '.join(crash.rules)} crashed ({type(crash.error).__name__}: {crash.error}); "
            "file left untouched. Please report this with the file."
        )
        return FileResult(path, old_source=data, errors=(FileError(display, 1, message, ", ".join(crash.rules)),))
    except Exception as exc:  # noqa: BLE001 - a file that cannot be parsed is reported, not fatal
        return FileResult(path, old_source=data, errors=(_syntax_error(display, exc, data),))
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
            findings.append(
                Finding(
                    rule.code,
                    rule.name,
                    doc.message,
                    display,
                    span,
                    doc.safety,
                    doc.fixed,
                    severity=doc.severity or rule.severity,
                )
            )
        if settings.only is not None:  # document fixes are not selectable: reported, not applied
            findings[:] = [replace(f, fixed=False) if f.rule == rule.name else f for f in findings]
            continue
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
        serial: list[FileResult] = []
        for task in tasks:
            serial.append(process_file(*task))
            if progress:
                progress(1)
        return serial
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
    # every slot is filled (asserted above), which a list's element type cannot record
    return results  # type: ignore[return-value]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0
