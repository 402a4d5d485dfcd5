"""The ``iacmod`` command line (Typer + Rich).

Exit codes: 0 clean (or only findings below ``--fail-on``); 1 findings at or above
``--fail-on``, changes (dry run, or ``--exit-non-zero-on-fix``) or files that could not be
processed; 2 usage or configuration errors.
"""

from __future__ import annotations

import enum
import os
import sys
from pathlib import Path

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from iacmod import __version__, api, report
from iacmod.cli import run_opts
from iacmod.cli.common import (
    ALL,
    CONFIG,
    FORMAT,
    IGNORE,
    JOBS,
    PATHS,
    SELECT,
    Format,
    app,
    fail,
    run_options,
    stderr,
    stdout,
)
from iacmod.config import ConfigError
from iacmod.docs import rule_page
from iacmod.findings import Finding, FixSafety, RunResult, Severity, describe_fix
from iacmod.registry import SelectionError, all_rules, rule_by_name

PROGRESS_MIN_FILES = 200


def version_callback(value: bool) -> None:
    if value:
        print(f"iacmod {__version__}")
        raise typer.Exit(0)


@app.callback()
def main_callback(
    version: bool = typer.Option(
        False, "--version", "-V", callback=version_callback, is_eager=True, help="Show the version."
    ),
) -> None:
    """Find and fix defects in infrastructure-as-code and Lambda code."""


# -- list / explain ------------------------------------------------------------------------------


@app.command("list")
def list_rules(fmt: Format = typer.Option(Format.text, "--format", help="text or json")) -> None:
    """List the rules: code, name, severity, targets, fix (availability, applicability), summary."""
    if fmt not in (Format.text, Format.json):
        raise fail(f"`iacmod list --format` is text or json, not {fmt.value}")
    rules = all_rules()
    if fmt is Format.json:
        import json

        print(
            json.dumps(
                [
                    {
                        "code": r.code,
                        "name": r.name,
                        "severity": r.severity.value,
                        "targets": sorted(r.targets),
                        "fix_availability": r.fix_availability.value,
                        "fix_applicability": r.fix_applicability.value if r.fix_applicability else None,
                        "summary": r.summary,
                        "default": r.default_enabled,
                    }
                    for r in rules
                ],
                indent=2,
            )
        )
        return
    table = Table(show_edge=False, pad_edge=False)
    for col in ("code", "name", "severity", "targets", "fix", "summary"):
        table.add_column(col, overflow="fold")
    for r in rules:
        table.add_row(
            r.code,
            r.name,
            r.severity.value,
            ", ".join(sorted(r.targets)),
            describe_fix(r.fix_availability, r.fix_applicability),
            r.summary,
        )
    console = stdout()
    if not console.is_terminal:
        # piped: rows at their full width, never cut at 80 columns
        console = type(console)(highlight=False, soft_wrap=True, width=100_000)
        table.expand = False
    console.print(table)


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
    progress: Progress | None = None
    task = None

    def on_plan(total: int) -> None:
        nonlocal progress, task
        if show and total >= PROGRESS_MIN_FILES:
            progress = Progress(
                TextColumn("[progress.description]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                console=console,
                transient=True,
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


def _shown(result: RunResult, mode: str) -> list[Finding]:
    """Findings: all of them for check; the ones not fixed for apply/dry-run (the diff and the
    summary show what was fixed). After apply has written a file, its findings are shown at
    their lines in the new file."""
    findings = result.findings
    if mode == "apply":
        findings = [f for r in result.files for f in api.as_written(r)]
    return [f for f in findings if not (f.fixed and mode != "check")]


def _print_findings(result: RunResult, fmt: Format, mode: str) -> None:
    # with --dry-run stdout carries only the diff (so it can be piped to `git apply`): findings,
    # GitHub annotations too (the runner reads workflow commands on both streams), go to stderr
    to_stderr = mode == "dry-run"
    out = stderr() if to_stderr else stdout()
    findings = _shown(result, mode)
    if fmt is not Format.github:
        for finding in findings:
            out.print(report.text_line(finding, mode), markup=False)
        return
    stream = sys.stderr if to_stderr else sys.stdout
    per_level: dict[str, int] = {}
    hidden: dict[str, int] = {}
    for finding in findings:
        level = report.github_level(finding, mode)
        per_level[level] = per_level.get(level, 0) + 1
        if per_level[level] <= report.GITHUB_LIMIT:
            print(report.github_line(finding, mode), file=stream)
        else:  # GitHub would drop the annotation: the finding is in the log all the same
            hidden[level] = hidden.get(level, 0) + 1
            print(report.text_line(finding, mode), file=stream)
    if hidden:
        counts = ", ".join(f"{n} {level}(s)" for level, n in sorted(hidden.items()))
        print(
            f"iacmod: {counts} not shown as annotations (GitHub shows {report.GITHUB_LIMIT} of each "
            "level per step; they are listed in the log). Upload `iacmod check --format sarif` "
            "with github/codeql-action/upload-sarif to see every finding.",
            file=sys.stderr,
        )


def _print_errors(result: RunResult, fmt: Format) -> None:
    err = stderr()
    for error in result.errors:
        if fmt is Format.github:  # once: the annotation is also the log line
            print(report.github_error(error), file=sys.stderr)
        else:
            err.print(report.error_line(error), markup=False)


class FailOn(str, enum.Enum):
    error = "error"
    warning = "warning"
    info = "info"


RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}
FAIL_ON = typer.Option(
    FailOn.info,
    "--fail-on",
    help="Lowest severity of a finding that makes the exit code 1: error, warning or info (default: any finding).",
)
QUIET = typer.Option(False, "--quiet", "-q", help="Print findings (or the report) and nothing else.")
STATISTICS = typer.Option(False, "--statistics", help="Print the number of findings per rule instead of the findings.")
UNUSED = typer.Option(
    False,
    "--report-unused-suppressions",
    help="Also report `# iacmod: ignore` comments that suppress nothing (as Ruff's RUF100).",
)
MACHINE = (Format.json, Format.sarif, Format.junit, Format.gitlab)
STDIN_FILENAME = typer.Option(
    None,
    "--stdin-filename",
    help="With `-`: the path the code read from stdin stands for (its configuration, exclude and rules).",
)


def _failing(findings: list[Finding], fail_on: FailOn) -> list[Finding]:
    threshold = RANK[Severity(fail_on.value)]
    return [f for f in findings if RANK[f.severity] >= threshold]


def _machine_report(result: RunResult, fmt: Format, mode: str, dry_run: bool = False) -> None:
    if fmt is Format.json:
        print(report.json_report(result.files, mode=mode, dry_run=dry_run))
        return
    from iacmod.formats import gitlab, junit, sarif

    mode = "dry-run" if dry_run else mode
    render = {Format.sarif: sarif.sarif_report, Format.junit: junit.junit_report, Format.gitlab: gitlab.gitlab_report}[
        fmt
    ]
    print(render(result.files, mode=mode), end="" if fmt is Format.junit else "\n")


def _statistics(findings: list[Finding], mode: str) -> None:
    """Like `ruff --statistics`: count, code, name, severity, and [*] when apply fixes some."""
    rows: dict[tuple[str, str, str], list[int]] = {}
    for f in findings:
        row = rows.setdefault((f.code, f.rule, f.severity.value), [0, 0])
        row[0] += 1
        row[1] += 1 if f.fixed or f.safety is FixSafety.SAFE else 0
    out = stdout()
    width = max((len(str(n)) for n, _ in rows.values()), default=1)
    for (code, name, severity), (n, fixable) in sorted(rows.items(), key=lambda kv: (-kv[1][0], kv[0])):
        mark = "[*]" if fixable and mode == "check" else "   "
        out.print(f"{n:>{width}}\t{code}\t{mark} {name} [{severity}]", markup=False)


def _warn(message: str) -> None:
    stderr().print(f"iacmod: warning: {message}", markup=False)


def _nothing_checked(result: RunResult, options: api.RunOptions) -> None:
    """Warn (stderr) when a run checked nothing: no file, or no rule enabled."""
    if not result.files and not result.errors:
        where = ", ".join(str(p) for p in options.paths)
        _warn(f"nothing checked: no Python (or document) files under {where} (after `exclude` and .gitignore)")
        return
    from iacmod.config import find_config, load_explicit, selected_rules

    try:
        for path in options.paths:
            config = load_explicit(options.config_file) if options.config_file else find_config(path)
            if selected_rules(config, all_=options.all_rules, select=list(options.select), ignore=list(options.ignore)):
                return
    except Exception:  # noqa: BLE001 - the run itself reported configuration errors
        return
    _warn("nothing checked: no rule is enabled (after --select, --ignore and the configured ones)")


def _suppression_problems(result: RunResult, options: api.RunOptions, unused: bool) -> int:
    """Warn (stderr) about malformed suppression comments, unknown codes in them and, with
    ``unused``, comments that suppress nothing. Returns the number of unused ones."""
    from iacmod import engine, suppress

    settings = {}
    if unused:
        settings = {p.resolve(): s for p, s in api.plan(options)}
    count = 0
    for file_result in result.files:
        data = file_result.old_source
        if data is None or suppress.MARKER.encode() not in data:
            continue
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            continue
        name = report.display_path(file_result.path)
        python = file_result.path.suffix in (".py", ".pyi")
        for problem in suppress.lint(text, python, all_rules()):
            _warn(f"{name}:{problem.line}: {problem.message}")
        if unused and file_result.path.resolve() in settings:
            file_settings = settings[file_result.path.resolve()]
            for problem in suppress.unused(file_result.path, file_settings, engine.process_file):
                count += 1
                stderr().print(f"{name}:{problem.line}: {problem.message}", markup=False)
    return count


@app.command("check")
def check(
    paths: list[Path] = PATHS,
    all_: bool = ALL,
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    jobs: int | None = JOBS,
    config: Path | None = CONFIG,
    fmt: Format = FORMAT,
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when findings exist."),
    fail_on: FailOn = FAIL_ON,
    statistics: bool = STATISTICS,
    quiet: bool = QUIET,
    unused_suppressions: bool = UNUSED,
    fix: bool = typer.Option(False, "--fix", help="Same as `iacmod apply` (for Ruff habits)."),
    unsafe_fixes: bool | None = typer.Option(
        None, "--unsafe-fixes/--no-unsafe-fixes", help="Count (with --fix: apply) fixes that may change behaviour."
    ),
    show_fixes: bool = typer.Option(False, "--show-fixes", help="With --fix: list the fixes applied."),
    force_exclude: bool = run_opts.FORCE_EXCLUDE,
    include_vendored: bool = run_opts.INCLUDE_VENDORED,
    no_cache: bool = run_opts.NO_CACHE,
    baseline: Path | None = run_opts.BASELINE,
    create_baseline: Path | None = run_opts.CREATE_BASELINE,
    stdin_filename: Path | None = STDIN_FILENAME,
) -> None:
    """Report findings without changing anything (with --fix: the same as `iacmod apply`)."""
    if fix:
        apply(
            paths,
            all_,
            select,
            ignore,
            dry_run=False,
            unsafe_fixes=unsafe_fixes,
            jobs=jobs,
            config=config,
            fmt=fmt,
            exit_zero=exit_zero,
            branch=None,
            base=None,
            commit_per_rule=False,
            author=None,
            force=False,
            fail_on=fail_on,
            statistics=statistics,
            quiet=quiet,
            show_fixes=show_fixes,
            exit_non_zero_on_fix=False,
            unused_suppressions=unused_suppressions,
            force_exclude=force_exclude,
            include_vendored=include_vendored,
            no_cache=no_cache,
            baseline=baseline,
            interactive=False,
            stdin_filename=stdin_filename,
        )
        return
    if baseline is not None and create_baseline is not None:
        raise fail("--baseline and --create-baseline exclude each other")
    paths, streams = _split_streams(paths, stdin_filename)
    options = run_options(paths, all_, select, ignore, unsafe_fixes, jobs, config)
    options = run_opts.extend(options, force_exclude, include_vendored, no_cache)
    result = _run(options, quiet=quiet or fmt is not Format.text) if paths else RunResult()
    _add_streams(result, streams, options, stdin_filename, quiet)
    run_opts.print_notes(result, quiet)
    if create_baseline is not None:
        stderr().print(run_opts.create_baseline(result, create_baseline), markup=False)
        _print_errors(result, fmt)
        raise typer.Exit(1 if result.errors else 0)
    baseline_note = None
    if baseline is not None:
        result, baseline_note = _baselined(result, baseline)
    if not quiet and paths:
        _nothing_checked(result, options)
    unused = _suppression_problems(result, options, unused_suppressions)
    if fmt in MACHINE:
        _machine_report(result, fmt, "check")
    elif statistics:
        _statistics(result.findings, "check")
        _print_errors(result, fmt)
    else:
        _print_findings(result, fmt, "check")
        _print_errors(result, fmt)
        if fmt is Format.text and not quiet:
            n = len(result.findings)
            fixable = sum(1 for f in result.findings if f.safety is FixSafety.SAFE)
            unsafe = sum(1 for f in result.findings if f.safety is FixSafety.UNSAFE)
            if n:
                stderr().print(
                    f"{n} finding(s) in {len({f.path for f in result.findings})} file(s): {fixable} fixable "
                    f"with `iacmod apply`, {unsafe} more with `--unsafe-fixes`, "
                    f"{n - fixable - unsafe} to fix by hand.",
                    markup=False,
                )
            elif not result.errors:
                stderr().print(f"No findings in {len(result.files)} file(s).", markup=False)
    if baseline_note and not quiet:
        stderr().print(baseline_note, markup=False)
    if result.errors:
        raise typer.Exit(1)
    raise typer.Exit(0 if exit_zero or not (_failing(result.findings, fail_on) or unused) else 1)


@app.command("apply")
def apply(
    paths: list[Path] = PATHS,
    all_: bool = ALL,
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    dry_run: bool = typer.Option(False, "--dry-run", "--diff", help="Print a unified diff; write nothing."),
    unsafe_fixes: bool | None = typer.Option(
        None, "--unsafe-fixes/--no-unsafe-fixes", help="Also apply fixes that may change behaviour."
    ),
    jobs: int | None = JOBS,
    config: Path | None = CONFIG,
    fmt: Format = FORMAT,
    exit_zero: bool = typer.Option(False, "--exit-zero", help="Exit 0 even when unfixed findings remain."),
    branch: str | None = typer.Option(
        None, "--branch", help="Commit the fixes on this branch of the repository instead of writing the work tree."
    ),
    base: str | None = typer.Option(None, "--base", help="With --branch: the revision to fix (default HEAD)."),
    commit_per_rule: bool = typer.Option(False, "--commit-per-rule", help="With --branch: one commit per rule."),
    author: str | None = typer.Option(None, "--author", help='With --branch: "Name <email>".'),
    force: bool = typer.Option(
        False, "--force", help="With --branch: rebuild the branch even if others committed to it."
    ),
    fail_on: FailOn = FAIL_ON,
    statistics: bool = STATISTICS,
    quiet: bool = QUIET,
    show_fixes: bool = typer.Option(
        False, "--show-fixes", help="List the fixes applied (per file and rule) in the summary."
    ),
    exit_non_zero_on_fix: bool = typer.Option(
        False, "--exit-non-zero-on-fix", help="Exit 1 when a file was changed, even if no finding remains."
    ),
    unused_suppressions: bool = UNUSED,
    force_exclude: bool = run_opts.FORCE_EXCLUDE,
    include_vendored: bool = run_opts.INCLUDE_VENDORED,
    no_cache: bool = run_opts.NO_CACHE,
    baseline: Path | None = run_opts.BASELINE,
    interactive: bool = typer.Option(
        False,
        "--interactive",
        "-i",
        help="Ask about each fix (unsafe ones too): show the finding and its diff, apply only the ones accepted.",
    ),
    stdin_filename: Path | None = STDIN_FILENAME,
) -> None:
    """Fix findings in place (or print the diff with --dry-run). `apply -` reads code from stdin
    and writes the fixed code to stdout."""
    if branch is None and (base or commit_per_rule or author or force):
        raise fail("--base, --commit-per-rule, --author and --force go with --branch NAME")
    if branch is not None and baseline is not None:
        raise fail("--baseline does not go with --branch")
    files_given, streams = _split_streams(paths, stdin_filename)
    if streams and (len(paths) > 1 or branch is not None or interactive):
        raise fail(
            f"{streams[0]} (code read from stdin or a pipe) goes alone with `apply`, without --branch "
            "and --interactive: its fixed code is written to stdout"
        )
    if interactive and (dry_run or fmt is not Format.text or statistics):
        raise fail(
            "--interactive shows each fix's diff and asks; it does not go with --dry-run, --format or --statistics"
        )
    options = run_options(paths if not streams else [], all_, select, ignore, unsafe_fixes, jobs, config)
    options = run_opts.extend(options, force_exclude, include_vendored, no_cache if branch is None else True, baseline)
    if streams:
        raise typer.Exit(
            _apply_stream(
                streams[0], options, stdin_filename, dry_run, fmt, exit_zero, fail_on, quiet, exit_non_zero_on_fix
            )
        )
    if interactive:
        from iacmod.cli import interactive as review

        raise typer.Exit(
            review.command(
                options, branch=branch, base=base, commit_per_rule=commit_per_rule, author=author, force=force
            )
        )
    if branch is not None:
        from iacmod.cli import branch_cmd

        raise typer.Exit(
            branch_cmd.apply_on_branch(
                options, branch, base, commit_per_rule, author, force, dry_run, fmt.value, exit_zero=exit_zero
            )
        )
    result = _run(options, quiet=quiet or fmt is not Format.text)
    run_opts.print_notes(result, quiet)
    baseline_note = None
    if baseline is not None:
        result, baseline_note = _baselined(result, baseline)
    if not quiet:
        _nothing_checked(result, options)
    unused = _suppression_problems(result, options, unused_suppressions)
    write_errors = [] if dry_run else api.write(result.files)
    changed = result.changed
    mode = "dry-run" if dry_run else "apply"
    if fmt in MACHINE:
        _machine_report(result, fmt, "apply", dry_run=dry_run)
    else:
        out = stdout()
        if dry_run:
            for file_result in changed:
                report.print_diff(out, report.unified_diff(file_result))
        if statistics:
            _statistics(_shown(result, mode), mode)
        else:
            _print_findings(result, fmt, mode)
        _print_errors(result, fmt)
        for error in write_errors:
            stderr().print(report.error_line(error), markup=False)
        if fmt is Format.text and not quiet:
            _summary(result, dry_run, show_fixes)
            if baseline_note:
                stderr().print(baseline_note, markup=False)
    if result.errors or write_errors:
        raise typer.Exit(1)
    if dry_run:
        raise typer.Exit(1 if changed else 0)
    remaining = [f for f in result.findings if not f.fixed]
    if exit_non_zero_on_fix and changed:
        raise typer.Exit(1)
    raise typer.Exit(0 if exit_zero or not (_failing(remaining, fail_on) or unused) else 1)


def _split_streams(paths: list[Path], stdin_filename: Path | None) -> tuple[list[Path], list[Path]]:
    """(files and folders, code read from stdin or pipes: `-`, /dev/stdin, <(…))."""
    from iacmod.cli import stdin

    files, streams = stdin.split(paths)
    if stdin_filename is not None and not any(str(p) in ("-", "/dev/stdin") for p in streams):
        raise fail("--stdin-filename names the code read from stdin: pass `-` as the path")
    if sum(1 for p in streams if str(p) in ("-", "/dev/stdin")) > 1:
        raise fail("stdin can be read once: pass `-` (or /dev/stdin) once")
    return files, streams


def _add_streams(
    result: RunResult, streams: list[Path], options: api.RunOptions, stdin_filename: Path | None, quiet: bool
) -> None:
    from iacmod.cli import stdin

    if not streams:
        return
    try:
        found, notes = stdin.results(streams, options, stdin_filename)
    except ConfigError as exc:
        raise fail(str(exc)) from None
    except OSError as exc:
        raise fail(f"cannot read {streams[0]}: {exc.strerror}") from None
    result.files += found
    if not quiet:
        for note in notes:
            _warn(note)


def _apply_stream(
    stream: Path,
    options: api.RunOptions,
    stdin_filename: Path | None,
    dry_run: bool,
    fmt: Format,
    exit_zero: bool,
    fail_on: FailOn,
    quiet: bool,
    exit_non_zero_on_fix: bool,
) -> int:
    """`apply -`: the fixed code (or with --dry-run the diff) to stdout, the rest to stderr."""
    import contextlib

    result = RunResult()
    _add_streams(result, [stream], options, stdin_filename, quiet)
    file_result = result.files[0]
    mode = "dry-run" if dry_run else "apply"
    with contextlib.redirect_stdout(sys.stderr):  # stdout carries the code
        if fmt in MACHINE:
            _machine_report(result, fmt, "apply", dry_run=dry_run)
        else:
            _print_findings(result, fmt, mode)
            _print_errors(result, fmt)
    if dry_run:
        if file_result.changed:
            sys.stdout.write(report.unified_diff(file_result))
            sys.stdout.flush()
    else:
        sys.stdout.buffer.write(file_result.new_source if file_result.changed else (file_result.old_source or b""))
        sys.stdout.buffer.flush()
    if result.errors:
        return 1
    if dry_run:
        return 1 if file_result.changed else 0
    if exit_non_zero_on_fix and file_result.changed:
        return 1
    remaining = [f for f in result.findings if not f.fixed]
    return 0 if exit_zero or not _failing(remaining, fail_on) else 1


def _baselined(result: RunResult, baseline: Path) -> tuple[RunResult, str | None]:
    """``--baseline``: the result without the findings the baseline holds (see iacmod.baseline)."""
    from iacmod.baseline import BaselineError

    try:
        return run_opts.filter_baseline(result, baseline)
    except BaselineError as exc:
        raise fail(str(exc)) from None


def _summary(result: RunResult, dry_run: bool, show_fixes: bool = False) -> None:
    err = stderr()
    rows = report.tally(result.findings)
    if show_fixes:
        fixed = [f for f in result.findings if f.fixed]
        if fixed:
            err.print(f"{'Would fix' if dry_run else 'Fixed'} {len(fixed)} finding(s):", markup=False)
            per_file: dict[str, dict[tuple[str, str], int]] = {}
            for f in fixed:
                counts = per_file.setdefault(report.display_path(f.path), {})
                counts[(f.code, f.rule)] = counts.get((f.code, f.rule), 0) + 1
            for path, counts in sorted(per_file.items()):
                err.print(f"{path}:", markup=False)
                for (code, name), n in sorted(counts.items()):
                    err.print(f"    {n} × {code} ({name})", markup=False)
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


def _plain_help_when_piped() -> None:
    """Help piped to a file or another program: plain text at full width (Rich would lay it out
    in boxes cut at 80 columns, as it cannot know a width)."""
    if os.environ.get("NO_COLOR"):  # no styling at all in the help either (Rich keeps bold)
        import typer.rich_utils

        typer.rich_utils.COLOR_SYSTEM = None
    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return
    app.rich_markup_mode = None  # type: ignore[assignment]
    app.info.context_settings = {
        **(app.info.context_settings or {}),
        "max_content_width": 100_000,
        "terminal_width": 100_000,
    }


def main() -> None:
    # Rich honours NO_COLOR and writes no colour codes when the stream is not a terminal.
    _plain_help_when_piped()
    try:
        app()
    except KeyboardInterrupt:  # pragma: no cover
        print("iacmod: interrupted", file=sys.stderr)
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()


from iacmod.cli import lsp as _lsp  # noqa: E402,F401  (registers `iacmod lsp`)
from iacmod.cli import pr as _pr  # noqa: E402,F401  (registers `iacmod pr`)
