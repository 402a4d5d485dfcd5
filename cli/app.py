"""The ``iacmod`` command line (Typer + Rich).

Exit codes: 0 clean; 1 findings, changes (dry run) or files that could not be processed;
2 usage or configuration errors.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import List, Optional

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from iacmod import __version__, api, report
from iacmod.cli.common import (
    ALL, CONFIG, FORMAT, IGNORE, JOBS, PATHS, SELECT, Format, app, fail, run_options, stderr, stdout,
)
from iacmod.config import ConfigError
from iacmod.docs import rule_page
from iacmod.findings import FixSafety, RunResult, describe_fix
from iacmod.registry import SelectionError, all_rules, rule_by_name

PROGRESS_MIN_FILES = 200


def version_callback(value: bool) -> None:
    if value:
        print(f"iacmod {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: bool = typer.Option(False, "--version", callback=version_callback, is_eager=True, help="Show the version."),
) -> None:
    """Find and fix defects in infrastructure-as-code and Lambda code."""


# -- list / explain ------------------------------------------------------------------------------


@app.command("list")
def list_rules(fmt: Format = typer.Option(Format.text, "--format", help="text or json")) -> None:
    """List the rules: code, name, severity, targets, fix (availability, applicability), summary."""
    rules = all_rules()
    if fmt is Format.json:
        import json

        print(json.dumps([
            {"code": r.code, "name": r.name, "severity": r.severity.value, "targets": sorted(r.targets),
             "fix_availability": r.fix_availability.value,
             "fix_applicability": r.fix_applicability.value if r.fix_applicability else None,
             "summary": r.summary, "default": r.default_enabled}
            for r in rules
        ], indent=2))
        return
    table = Table(show_edge=False, pad_edge=False)
    for col in ("code", "name", "severity", "targets", "fix", "summary"):
        table.add_column(col, overflow="fold")
    for r in rules:
        table.add_row(r.code, r.name, r.severity.value, ", ".join(sorted(r.targets)),
                      describe_fix(r.fix_availability, r.fix_applicability), r.summary)
    stdout().print(table)


@app.command("explain")
def explain(rule: str = typer.Argument(..., help="Rule code or name, e.g. IAC101 or datetime-utcnow.")) -> None:
    """Show a rule's documentation."""
    try:
        chosen = rule_by_name(rule)
    except SelectionError as exc:
        raise fail(str(exc)) from None
    page = rule_page(chosen)
    console = stdout()
    if console.is_terminal:
        from rich.markdown import Markdown  # only `explain` renders markdown

        console.print(Markdown(page))
    else:
        print(page, end="")


# -- check / apply -------------------------------------------------------------------------------


def _run(options: api.RunOptions, quiet: bool) -> RunResult:
    console = stderr()
    show = console.is_terminal and not quiet
    progress: Optional[Progress] = None
    task = None

    def on_plan(total: int) -> None:
        nonlocal progress, task
        if show and total >= PROGRESS_MIN_FILES:
            progress = Progress(
                TextColumn("[progress.description]{task.description}"), BarColumn(),
                MofNCompleteColumn(), TimeElapsedColumn(), console=console, transient=True,
            )
            task = progress.add_task("iacmod", total=total)

    def advance(n: int) -> None:
        if progress is not None and task is not None:
            if not progress.live.is_started:
                progress.start()
            progress.advance(task, n)

    try:
        return api.run(options, advance, on_plan)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    finally:
        if progress is not None:
            progress.stop()


def _print_findings(result: RunResult, fmt: Format, mode: str) -> None:
    """Findings: all of them for check; the ones not fixed for apply/dry-run (the diff and the
    summary show what was fixed). After apply has written a file, its findings are shown at
    their lines in the new file."""
    # with --dry-run stdout carries only the diff (so it can be piped to `git apply`)
    out = stderr() if mode == "dry-run" else stdout()
    findings = result.findings
    if mode == "apply":
        findings = [f for r in result.files for f in api.as_written(r)]
    for finding in findings:
        if finding.fixed and mode != "check":
            continue
        if fmt is Format.github:
            print(report.github_line(finding, mode))
        else:
            out.print(report.text_line(finding, mode), markup=False)


def _print_errors(result: RunResult, fmt: Format) -> None:
    err = stderr()
    for error in result.errors:
        if fmt is Format.github:
            print(report.github_error(error))
        err.print(report.error_line(error), markup=False)


@app.command("check")
def check(
    paths: List[Path] = PATHS,
    all_: bool = ALL,
    select: Optional[List[str]] = SELECT,
    ignore: Optional[List[str]] = IGNORE,
    jobs: Optional[int] = JOBS,
    config: Optional[Path] = CONFIG,
    fmt: Format = FORMAT,
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings exist."),
) -> None:
    """Report findings without changing anything."""
    options = run_options(paths, all_, select, ignore, None, jobs, config)
    result = _run(options, quiet=fmt is not Format.text)
    if fmt is Format.json:
        print(report.json_report(result.files, mode="check"))
    else:
        _print_findings(result, fmt, "check")
        _print_errors(result, fmt)
        if fmt is Format.text:
            n = len(result.findings)
            fixable = sum(1 for f in result.findings if f.safety is FixSafety.SAFE)
            unsafe = sum(1 for f in result.findings if f.safety is FixSafety.UNSAFE)
            if n:
                stderr().print(
                    f"{n} finding(s) in {len({f.path for f in result.findings})} file(s): {fixable} fixable "
                    f"with `iacmod apply`, {unsafe} more with `--unsafe-fixes`, "
                    f"{n - fixable - unsafe} to fix by hand.", markup=False)
            elif not result.errors:
                stderr().print(f"No findings in {len(result.files)} file(s).", markup=False)
    if result.errors:
        raise typer.Exit(1)
    raise typer.Exit(0 if exit_zero or not result.findings else 1)


@app.command("apply")
def apply(
    paths: List[Path] = PATHS,
    all_: bool = ALL,
    select: Optional[List[str]] = SELECT,
    ignore: Optional[List[str]] = IGNORE,
    dry_run: bool = typer.Option(False, "--dry-run", "--diff", help="Print a unified diff; write nothing."),
    unsafe_fixes: Optional[bool] = typer.Option(
        None, "--unsafe-fixes/--no-unsafe-fixes", help="Also apply fixes that may change behaviour."),
    jobs: Optional[int] = JOBS,
    config: Optional[Path] = CONFIG,
    fmt: Format = FORMAT,
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when unfixed findings remain."),
    branch: Optional[str] = typer.Option(
        None, "--branch", help="Commit the fixes on this branch of the repository instead of writing the work tree."),
    base: Optional[str] = typer.Option(None, "--base", help="With --branch: the revision to fix (default HEAD)."),
    commit_per_rule: bool = typer.Option(False, "--commit-per-rule", help="With --branch: one commit per rule."),
    author: Optional[str] = typer.Option(None, "--author", help='With --branch: "Name <email>".'),
    force: bool = typer.Option(False, "--force", help="With --branch: rebuild the branch even if others committed to it."),
) -> None:
    """Fix findings in place (or print the diff with --dry-run)."""
    if branch is None and (base or commit_per_rule or author or force):
        raise fail("--base, --commit-per-rule, --author and --force go with --branch NAME")
    options = run_options(paths, all_, select, ignore, unsafe_fixes, jobs, config)
    if branch is not None:
        from iacmod.cli import branch_cmd

        raise typer.Exit(branch_cmd.apply_on_branch(
            options, branch, base, commit_per_rule, author, force, dry_run, fmt.value, exit_zero=exit_zero))
    result = _run(options, quiet=fmt is not Format.text)
    write_errors = [] if dry_run else api.write(result.files)
    changed = result.changed
    if fmt is Format.json:
        print(report.json_report(result.files, mode="apply", dry_run=dry_run))
    else:
        out = stdout()
        if dry_run:
            for file_result in changed:
                report.print_diff(out, report.unified_diff(file_result))
        _print_findings(result, fmt, "dry-run" if dry_run else "apply")
        _print_errors(result, fmt)
        for error in write_errors:
            stderr().print(report.error_line(error), markup=False)
        if fmt is Format.text:
            _summary(result, dry_run)
    if result.errors or write_errors:
        raise typer.Exit(1)
    if dry_run:
        raise typer.Exit(1 if changed else 0)
    remaining = [f for f in result.findings if not f.fixed]
    raise typer.Exit(0 if exit_zero or not remaining else 1)


def _summary(result: RunResult, dry_run: bool) -> None:
    err = stderr()
    rows = report.tally(result.findings)
    changed = len(result.changed)
    if rows:
        err.print(report.summary_table(rows, dry_run))
    verb = "would change" if dry_run else "changed"
    unsafe = sum(r.unsafe_skipped for r in rows)
    detect = sum(r.detect_only for r in rows)
    parts = [f"{changed} file(s) {verb} of {len(result.files)} checked"]
    if unsafe:
        parts.append(f"{unsafe} unsafe fix(es) skipped (review, then rerun with --unsafe-fixes)")
    if detect:
        parts.append(f"{detect} finding(s) to fix by hand (listed above)")
    if dry_run and changed:
        parts.append("run without --dry-run to write the changes")
    err.print("; ".join(parts) + ".", markup=False)


def main() -> None:
    # Rich honours NO_COLOR and writes no colour codes when the stream is not a terminal.
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        print("iacmod: interrupted", file=sys.stderr)
        raise SystemExit(130)


if __name__ == "__main__":
    main()


from iacmod.cli import pr as _pr  # noqa: E402,F401  (registers `iacmod pr`)
