"""``iacmod apply --interactive``: review the fixes one by one, as ``git add -p`` does hunks.

For each fix, in file order, the finding (rule, severity, safety, message) and the diff of that
fix alone are shown, and the answer decides: ``y`` apply it, ``n`` leave it, ``a`` apply it and
every later fix of its rule, ``d`` leave it and every later fix of its rule, ``q`` stop (the fixes
accepted so far are written), ``?`` help. Unsafe fixes are offered too, marked.

Nothing here fixes code: every step is the engine, through ``api.offered`` (the findings with
the fixes the rules offer) and ``api.fix_only`` (exactly one fix, on the current text). After a
fix is accepted the file's findings are derived again from the new text, so a later fix is
always computed on the code as it then is; one that no longer applies is skipped with a message.
The accepted text is re-validated (LibCST parse, compile) and written atomically.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from iacmod import api, report
from iacmod.engine import Settings, relocate
from iacmod.findings import FileError, FileResult, Finding, FixSafety

HELP = """\
y - apply this fix
n - do not apply this fix
a - apply this fix and all later fixes of this rule (in every file)
d - do not apply this fix nor any later fix of this rule (in every file)
q - quit; do not apply this fix nor any later one (the fixes accepted so far are written)
? - print help"""

PROMPT = "Apply this fix [y,n,a,d,q,?]? "


@dataclass
class Session:
    """The answers that outlive one file: rules accepted or declined as a whole, quitting."""

    console: Console
    ask: Callable[[str], str]
    display: Callable[[str], str] = report.display_path
    rule_all: set[str] = field(default_factory=set)
    rule_done: set[str] = field(default_factory=set)
    quit: bool = False
    accepted: list[Finding] = field(default_factory=list)
    declined: int = 0
    skipped: int = 0

    def say(self, text: str, style: str | None = None) -> None:
        self.console.print(text, markup=False, style=style, highlight=False)


def _where(finding: Finding) -> tuple[str, int, int]:
    return (finding.code, finding.span.start.line, finding.span.start.column)


def _decode(data: bytes) -> str:
    return data.decode("utf-8", errors="surrogateescape")


def _header(session: Session, finding: Finding) -> None:
    safety = "UNSAFE fix (may change behaviour: review it)" if finding.safety is FixSafety.UNSAFE else "safe fix"
    session.say("")
    session.say(
        f"{session.display(finding.path)}:{finding.line}:{finding.column}: "
        f"{finding.code} {finding.rule} [{finding.severity.value}] — {safety}",
        style="bold yellow" if finding.safety is FixSafety.UNSAFE else "bold",
    )
    session.say(f"  {finding.message}")


def _answer(session: Session) -> str:
    while True:
        try:
            raw = session.ask(PROMPT)
        except EOFError:
            return "q"
        choice = raw.strip().lower()[:1]
        if choice in ("y", "n", "a", "d", "q"):
            return choice
        session.say(HELP, style="red" if choice != "?" else None)


def review(path: Path, data: bytes, settings: Settings, session: Session) -> FileResult:
    """Ask about each fix of one file; returns the result (``new_source``: the accepted fixes
    applied, None when none was; ``findings``: the ones accepted, marked fixed)."""
    current = data
    declined: list[Finding] = []  # located in `current`
    accepted: list[Finding] = []
    limit = 1000  # a rule whose fix brings back its own finding cannot loop forever
    previous: list[Finding] = []
    while not session.quit and limit > 0:
        limit -= 1
        offered = api.offered(current, path, settings)
        if offered.errors:
            if current is data:  # the file as it is cannot be processed: reported by the caller
                return FileResult(path, old_source=data, errors=offered.errors)
            session.say(
                f"{session.display(str(path))}: the fixes accepted so far left code iacmod cannot "
                "process; stopping here for this file",
                style="red",
            )
            break
        seen = {_where(f) for f in declined}
        candidates = [f for f in offered.findings if f.fixable and not f.fixed and _where(f) not in seen]
        # fixes listed before the last accepted one that are gone now, though nobody declined them
        now = {(f.code, f.message) for f in candidates}
        for gone in previous:
            if (gone.code, gone.message) not in now and _where(gone) not in seen:
                session.say(
                    f"{session.display(gone.path)}:{gone.line}: {gone.code} {gone.rule}: no longer "
                    "applies after the fixes accepted before it; skipped",
                    style="dim",
                )
                session.skipped += 1
        previous = []
        if not candidates:
            break
        finding = candidates[0]
        if finding.code in session.rule_done:
            declined.append(finding)
            session.declined += 1
            continue
        preview = api.fix_only(current, path, settings, [finding.fix_key])
        applied = preview.changed and any(f.fixed and f.fix_key == finding.fix_key for f in preview.findings)
        if not applied:
            why = "; ".join(e.message for e in preview.errors) or (
                "it cannot be applied on its own (code embedded in a string, or a document file): "
                "`iacmod apply` applies it with the others"
            )
            session.say(
                f"{session.display(finding.path)}:{finding.line}: {finding.code} {finding.rule}: skipped: {why}",
                style="dim",
            )
            declined.append(finding)
            session.skipped += 1
            continue
        if finding.code in session.rule_all:
            choice = "y"
            _header(session, finding)
            session.say("  applied (all fixes of this rule)", style="green")
        else:
            _header(session, finding)
            report.print_diff(session.console, report.unified_diff(preview))
            choice = _answer(session)
        if choice == "q":
            session.quit = True
            break
        if choice in ("n", "d"):
            declined.append(finding)
            session.declined += 1
            if choice == "d":
                session.rule_done.add(finding.code)
            continue
        if choice == "a":
            session.rule_all.add(finding.code)
        assert preview.new_source is not None
        old_text, new_text = _decode(current), _decode(preview.new_source)
        declined = relocate(declined, old_text, new_text)
        previous = relocate([f for f in candidates[1:]], old_text, new_text)
        current = preview.new_source
        accepted.append(finding)
    session.accepted += accepted
    if current == data:
        return FileResult(path, old_source=data)
    return FileResult(path, findings=tuple(accepted), old_source=data, new_source=current)


def validate(result: FileResult) -> FileError | None:
    """The accepted code parses (LibCST) and compiles (CPython), as the engine checks its own."""
    import libcst as cst

    if not result.changed or result.path.suffix not in (".py", ".pyi", ""):
        return None
    assert result.new_source is not None
    try:
        cst.parse_module(result.new_source)
        compile(result.new_source, str(result.path), "exec", dont_inherit=True)
    except Exception as exc:  # noqa: BLE001
        return FileError(str(result.path), 1, f"the accepted fixes produce invalid code ({exc}); file left untouched")
    return None


def terminal_session(console: Console) -> Session:
    def ask(prompt: str) -> str:
        console.print(prompt, end="", markup=False, style="bold blue", highlight=False)
        console.file.flush()
        return input()

    return Session(console=console, ask=ask)


def run_files(
    tasks: list[tuple[Path, Settings]], session: Session, read: Callable[[Path], bytes] = lambda p: p.read_bytes()
) -> list[FileResult]:
    """Review every file of ``tasks`` (in order) until the user quits; nothing is written."""
    results: list[FileResult] = []
    for path, settings in tasks:
        if session.quit:
            break
        try:
            data = read(path)
        except OSError as exc:
            results.append(FileResult(path, errors=(FileError(str(path), 1, f"cannot read file: {exc.strerror}"),)))
            continue
        result = review(path, data, settings, session)
        error = validate(result)
        if error is not None:
            result = FileResult(path, old_source=data, errors=(error,))
        results.append(result)
    return results


def write(results: list[FileResult]) -> list[FileError]:
    """Write the accepted fixes atomically, each file only if it did not change meanwhile."""
    errors: list[FileError] = []
    ready = []
    for result in results:
        if not result.changed:
            continue
        try:
            unchanged = result.path.read_bytes() == result.old_source
        except OSError:
            unchanged = False
        if not unchanged:
            errors.append(FileError(str(result.path), 1, "changed on disk during the review; left as it is"))
            continue
        ready.append(result)
    return errors + api.write(ready)


def summary(session: Session, results: list[FileResult], *, committed: bool = False) -> str:
    changed = [r for r in results if r.changed]
    verb = "committed" if committed else "applied"
    parts = [f"{len(session.accepted)} fix(es) {verb} in {len(changed)} file(s)"]
    if session.declined:
        parts.append(f"{session.declined} declined")
    if session.skipped:
        parts.append(f"{session.skipped} skipped")
    if session.quit:
        parts.append("stopped (q)")
    return "; ".join(parts) + "."


def refuse_without_terminal() -> str | None:
    if not sys.stdin.isatty():
        return (
            "--interactive asks about each fix and needs a terminal on stdin (stdin is not one); "
            "use `iacmod apply --dry-run` to see the fixes, or `--select`/`--unsafe-fixes` to choose them"
        )
    return None


def command(
    options: api.RunOptions,
    *,
    branch: str | None = None,
    base: str | None = None,
    commit_per_rule: bool = False,
    author: str | None = None,
    force: bool = False,
) -> int:
    """``iacmod apply --interactive [--branch NAME]``; returns the exit code (0 done, 1 files that
    could not be processed or written, 2 usage or configuration errors)."""
    from iacmod.cli.common import stderr, stdout
    from iacmod.config import ConfigError

    err = stderr()
    refusal = refuse_without_terminal()
    if refusal:
        err.print(f"iacmod: error: {refusal}", markup=False)
        return 2
    session = terminal_session(stdout())
    if branch is not None:
        from iacmod.cli import branch_cmd

        def fixer(step, to_user):
            session.display = lambda p: report.display_path(to_user(p))
            return run_files(step, session)

        return branch_cmd.apply_on_branch(
            options, branch, base, commit_per_rule, author, force, False, "text", exit_zero=True, fixer=fixer
        )
    try:
        tasks = api.plan(options)
    except ConfigError as exc:
        err.print(f"iacmod: error: {exc}", markup=False)
        return 2
    try:
        results = run_files(tasks, session)
    except KeyboardInterrupt:
        err.print("iacmod: interrupted; nothing written", markup=False)
        return 130
    errors = [e for r in results for e in r.errors] + write(results)
    for error in errors:
        err.print(report.error_line(error), markup=False)
    written = [r for r in results if r.changed and str(r.path) not in {e.path for e in errors}]
    session.say("")
    err.print(summary(session, written), markup=False)
    return 1 if errors else 0
