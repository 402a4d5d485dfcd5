"""The file-selection, cache and baseline options of ``check`` and ``apply``, and what they print."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import typer

from iacmod import api
from iacmod.findings import RunResult

FORCE_EXCLUDE = typer.Option(
    False,
    "--force-exclude",
    help="Apply `exclude`, .gitignore/.ignore and the vendored/generated checks to files named on the command "
    "line too (the pre-commit hooks pass it).",
)
INCLUDE_VENDORED = typer.Option(
    False, "--include-vendored", help="Also check vendored folders (installed packages, layers) and generated files."
)
NO_CACHE = typer.Option(False, "--no-cache", help="Do not read or write the result cache (.iacmod_cache/).")
BASELINE = typer.Option(
    None, "--baseline", help="Report only findings not in this baseline file (apply: leave those unfixed)."
)
CREATE_BASELINE = typer.Option(
    None, "--create-baseline", help="Record today's findings in this baseline file (and exit 0)."
)


def extend(
    options: api.RunOptions, force_exclude: bool, include_vendored: bool, no_cache: bool, baseline: Path | None = None
) -> api.RunOptions:
    return dataclasses.replace(
        options,
        force_exclude=bool(force_exclude),
        include_vendored=bool(include_vendored),
        cache=not no_cache,
        baseline=baseline,
    )


def notes(result: RunResult) -> list[str]:
    """What discovery left out or took specially, one line each (for stderr)."""
    selection = result.selection
    if selection is None:
        return []
    lines = []
    for path in selection.unreadable:
        lines.append(
            f"{path}: not checked: no enabled rule reads this kind of file "
            "(Python files and the rules' documents, e.g. *.asl.json)"
        )
    for path, why in selection.explicit_special:
        lines.append(f"{path}: {why} code, checked because it was named explicitly (--force-exclude skips it)")
    if selection.explicit_excluded:
        shown = ", ".join(str(p) for p in selection.explicit_excluded[:5])
        more = f" and {len(selection.explicit_excluded) - 5} more" if len(selection.explicit_excluded) > 5 else ""
        lines.append(
            f"{len(selection.explicit_excluded)} file(s) named explicitly were excluded (--force-exclude: "
            f"`exclude`, ignore files, vendored or generated): {shown}{more}"
        )
    skipped = []
    if selection.vendored_dirs:
        skipped.append(f"{len(selection.vendored_dirs)} vendored folder(s) (installed packages)")
    if selection.skipped_generated:
        skipped.append(f"{selection.skipped_generated} generated file(s)")
    if skipped:
        lines.append(f"skipped {' and '.join(skipped)}; --include-vendored checks them")
    return lines


def print_notes(result: RunResult, quiet: bool) -> None:
    if quiet:
        return
    from iacmod.cli.common import stderr

    for line in notes(result):
        stderr().print(f"iacmod: {line}", markup=False)


def create_baseline(result: RunResult, path: Path) -> str:
    from iacmod.baseline import Baseline

    baseline = Baseline.create(path, result.files)
    baseline.write()
    return f"Baseline {path}: {len(baseline)} finding(s) recorded in {len({k[0] for k in baseline.counts})} file(s)."


def filter_baseline(result: RunResult, path: Path) -> tuple[RunResult, str | None]:
    """The result without the findings the baseline holds, and a summary line (None when there is
    nothing to say). Raises BaselineError for an unusable file."""
    from iacmod.baseline import Baseline, split

    baseline = Baseline.load(path)
    held, matched = split(baseline, result.files)
    files = []
    for i, file_result in enumerate(result.files):
        drop = held.get(i)
        if drop:
            file_result = dataclasses.replace(
                file_result, findings=tuple(f for j, f in enumerate(file_result.findings) if j not in drop)
            )
        files.append(file_result)
    filtered = RunResult(files)
    filtered.selection = result.selection
    parts = []
    if matched.baselined:
        parts.append(f"{len(matched.baselined)} finding(s) in the baseline not reported")
    if matched.stale:
        n = sum(count for _, count in matched.stale)
        shown = ", ".join(f"{rel} {code}" for (rel, code, _), _ in matched.stale[:5])
        parts.append(
            f"{n} baseline entr{'y' if n == 1 else 'ies'} no longer match (fixed or changed: {shown}"
            f"{' …' if len(matched.stale) > 5 else ''}); refresh it with --create-baseline {path}"
        )
    return filtered, ("Baseline: " + "; ".join(parts) + ".") if parts else None
