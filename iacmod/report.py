"""Rendering findings, errors, diffs and summaries (text, JSON, GitHub annotations).

SARIF, JUnit and GitLab Code Quality reports are in :mod:`iacmod.formats`.

The text format, one finding per line (as Ruff's "concise" output, with the severity)::

    path:line:column: CODE [severity] rule-name: message [fix available]
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.text import Text

from iacmod import __version__, linediff
from iacmod.findings import FileError, FileResult, Finding, FixSafety, Severity


def display_path(path: str | Path) -> str:
    p = Path(path)
    try:
        return p.resolve().relative_to(Path.cwd().resolve()).as_posix()
    except ValueError:
        return p.as_posix()


def fix_tag(finding: Finding, mode: str = "apply") -> str:
    """ " [fixed]", " [would fix]", " [fix available]", " [unsafe fix available: ...]" or ""."""
    tag = ""
    if finding.fixed:
        tag = {"apply": " [fixed]", "dry-run": " [would fix]"}.get(mode, " [fix available]")
    elif finding.safety is FixSafety.UNSAFE:
        tag = " [unsafe fix available: --unsafe-fixes]"
    elif finding.safety is FixSafety.SAFE:
        tag = " [fix available]"
    return tag


def text_line(finding: Finding, mode: str = "apply") -> str:
    """``mode``: "apply" (fixes were written), "dry-run" or "check" (nothing written)."""
    return (
        f"{display_path(finding.path)}:{finding.line}:{finding.column}: "
        f"{finding.code} [{finding.severity.value}] {finding.rule}: {finding.message}{fix_tag(finding, mode)}"
    )


def error_line(error: FileError) -> str:
    column = f":{error.column}" if error.column else ""
    return f"{display_path(error.path)}:{error.line}{column}: error: {error.message}"


def _gh_escape(value: str, prop: bool = False) -> str:
    value = value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        value = value.replace(":", "%3A").replace(",", "%2C")
    return value


def github_line(finding: Finding, mode: str = "apply") -> str:
    props = ",".join(
        [
            f"file={_gh_escape(display_path(finding.path), True)}",
            f"line={finding.span.start.line}",
            f"col={finding.span.start.column}",
            f"endLine={finding.span.end.line}",
            f"endColumn={finding.span.end.column}",
            f"title={_gh_escape(f'{finding.code} {finding.rule}', True)}",
        ]
    )
    return f"::{github_level(finding, mode)} {props}::{_gh_escape(finding.message + fix_tag(finding, mode))}"


GITHUB_LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "notice"}
# GitHub shows at most this many annotations of each level per step (the rest are dropped)
GITHUB_LIMIT = 10


def github_level(finding: Finding, mode: str = "apply") -> str:
    if finding.fixed and mode == "apply":
        return "notice"
    return GITHUB_LEVELS[finding.severity]


def github_error(error: FileError) -> str:
    return (
        f"::error file={_gh_escape(display_path(error.path), True)},line={error.line},"
        f"title=iacmod::{_gh_escape(error.message)}"
    )


def unified_diff(result: FileResult) -> str:
    assert result.old_source is not None and result.new_source is not None
    old = result.old_source.decode("utf-8", errors="replace").splitlines(keepends=True)
    new = result.new_source.decode("utf-8", errors="replace").splitlines(keepends=True)
    name = display_path(result.path)
    lines = linediff.unified_diff(old, new, f"a/{name}", f"b/{name}")  # difflib's, linear on large files
    out = []
    for line in lines:
        out.append(line if line.endswith("\n") else line + "\n\\ No newline at end of file\n")
    return "".join(out)


def print_diff(console: Console, diff: str) -> None:
    if console.color_system is None or console.no_color:
        # a plain patch (piped, or NO_COLOR): written as it is, not rendered line by line
        console.file.write(diff if diff.endswith("\n") or not diff else diff + "\n")
        return
    for line in diff.splitlines():
        style = ""
        if line.startswith(("+++", "---")):
            style = "bold"
        elif line.startswith("@@"):
            style = "cyan"
        elif line.startswith("+"):
            style = "green"
        elif line.startswith("-"):
            style = "red"
        console.print(Text(line, style=style), soft_wrap=True, highlight=False)


@dataclass(frozen=True)
class RuleTally:
    code: str
    name: str
    fixed: int = 0
    unsafe_skipped: int = 0
    detect_only: int = 0
    fixable: int = 0  # safe fixes not applied (check / dry-run reports them as fixable)


def tally(findings: Iterable[Finding]) -> list[RuleTally]:
    counts: dict[tuple[str, str], Counter[str]] = {}
    for f in findings:
        c = counts.setdefault((f.code, f.rule), Counter())
        if f.fixed:
            c["fixed"] += 1
        elif f.safety is FixSafety.UNSAFE:
            c["unsafe_skipped"] += 1
        elif f.safety is FixSafety.NONE:
            c["detect_only"] += 1
        else:
            c["fixable"] += 1
    return [RuleTally(code, name, **dict(c)) for (code, name), c in sorted(counts.items())]


def summary_table(rows: Sequence[RuleTally], dry_run: bool) -> Table:
    table = Table(title=None, show_edge=False, pad_edge=False)
    table.add_column("code")
    table.add_column("rule")
    table.add_column("would fix" if dry_run else "fixed", justify="right")
    table.add_column("unsafe, skipped", justify="right")
    table.add_column("detect-only", justify="right")
    for r in rows:
        table.add_row(r.code, r.name, str(r.fixed), str(r.unsafe_skipped), str(r.detect_only))
    return table


def json_report(results: Sequence[FileResult], *, mode: str, dry_run: bool = False) -> str:
    """``mode`` "check": nothing is written, so no fix is ``applied`` and nothing is ``fixed`` or
    changed (``fixable`` counts what ``apply`` would fix). "apply": findings are located in the
    written files (as the text output)."""
    from iacmod import api

    writes = mode == "apply"
    if writes and not dry_run:
        findings = [f for r in results for f in api.as_written(r)]
    else:
        findings = [f for r in results for f in r.findings]
    errors = [e for r in results for e in r.errors]
    files: list[dict[str, Any]] = []
    for r in results:
        if r.changed and writes:
            entry: dict[str, Any] = {"path": display_path(r.path)}
            if dry_run:
                entry["diff"] = unified_diff(r)
            files.append(entry)
    payload = {
        "iacmod": __version__,
        "mode": mode,
        "dry_run": dry_run,
        "findings": [_finding_json(f, writes and not dry_run) for f in findings],
        "errors": [{**e.to_json(), "path": display_path(e.path)} for e in errors],
        "changed_files": files,
        "summary": {
            "files": len(results),
            "findings": len(findings),
            "fixed": sum(1 for f in findings if f.fixed) if writes else 0,
            "fixable": sum(1 for f in findings if f.fixed),
            "unsafe_skipped": sum(1 for f in findings if not f.fixed and f.safety is FixSafety.UNSAFE),
            "detect_only": sum(1 for f in findings if f.safety is FixSafety.NONE),
            "by_severity": {s.value: sum(1 for f in findings if f.severity is s) for s in Severity},
            "errors": len(errors),
            "changed_files": len(files),
        },
    }
    return json.dumps(payload, indent=2)


def _finding_json(finding: Finding, written: bool) -> dict[str, Any]:
    """``fix.applied``: the fix was written (apply without --dry-run); ``fix.would_apply``:
    ``apply`` applies it (with the same options)."""
    data = {**finding.to_json(), "path": display_path(finding.path)}
    if data["fix"] is not None:
        data["fix"] = {**data["fix"], "applied": finding.fixed and written, "would_apply": finding.fixed}
    return data
