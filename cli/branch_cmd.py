"""``iacmod apply --branch NAME``: commit the fixes on a branch, leaving the work tree alone.

Exit codes (the same meaning as plain ``apply``): 0 the branch holds every fix (commits were made,
or it already did, or there was nothing to fix) and no finding is left for people; 1 findings
are left unfixed (detect-only, or unsafe fixes not enabled) or files could not be processed, and
with ``--dry-run`` also when the branch would change; 2 usage, configuration or git errors,
including a branch that holds somebody else's commits (pass ``--force`` to rebuild it anyway;
``iacmod pr`` exits 2 in that case too).
"""

from __future__ import annotations

import json

from iacmod import __version__, api, report
from iacmod.bot import gitops
from iacmod.bot.gitops import Build, GitOpsError
from iacmod.cli.common import stderr, stdout
from iacmod.config import ConfigError
from iacmod.findings import FixSafety


def _err(message: str) -> None:
    stderr().print(message, markup=False)


def print_findings(build: Build, fmt: str, mode: str) -> None:
    """The findings not fixed (the diff and the summary show what was), then file errors."""
    out = stdout()
    for finding in build.remaining:
        if fmt == "github":
            print(report.github_line(finding, mode))
        else:
            out.print(report.text_line(finding, mode), markup=False)
    for error in build.errors:
        if fmt == "github":
            print(report.github_error(error))
        _err(report.error_line(error))


def print_diff(build: Build) -> None:
    report.print_diff(stdout(), build.diff)


def remaining_summary(build: Build) -> str:
    unsafe = sum(1 for f in build.remaining if f.safety is FixSafety.UNSAFE)
    detect = sum(1 for f in build.remaining if f.safety is FixSafety.NONE)
    parts = []
    if unsafe:
        parts.append(f"{unsafe} unsafe fix(es) skipped (review, then rerun with --unsafe-fixes)")
    if detect:
        parts.append(f"{detect} finding(s) to fix by hand (listed above)")
    return "; ".join(parts)


def _tip(status: str, existing: str | None, build: Build) -> str | None:
    """The branch's head after the run (what ``--format json`` reports as ``tip``): the new commit
    when one was made (or, with --dry-run, would be), the existing head when the branch already
    held the fixes or was left as it is, None when there is no branch."""
    if status in ("created", "rebuilt", "would-create", "would-rebuild"):
        return build.tip
    return existing


def apply_on_branch(
    options: api.RunOptions,
    branch: str,
    base: str | None,
    commit_per_rule: bool,
    author: str | None,
    force: bool,
    dry_run: bool,
    fmt: str,
    exit_zero: bool = False,
    fixer=None,
) -> int:
    """Compute the fixes on ``base`` (default HEAD) and commit them on ``branch``; see the module
    docstring for the exit codes."""
    try:
        repo, rels = gitops.open_repo(options.paths)
        gitops.check_branch_name(repo, branch)
        identity = gitops.resolve_author(repo, author)
        base_sha = gitops.resolve_base(repo, base)
        holder = gitops.worktree_holding(repo, branch)
        if holder is not None:
            raise GitOpsError(
                f"branch {branch} is checked out in {holder}; iacmod does not move a checked-out branch: "
                "switch that work tree to another branch, or choose another --branch"
            )
        if base is None:
            dirty = gitops.dirty_paths(repo, rels)
            if dirty:
                shown = ", ".join(dirty[:5]) + (f" and {len(dirty) - 5} more" if len(dirty) > 5 else "")
                raise GitOpsError(
                    f"uncommitted changes in {shown}: the fixes are computed from the committed HEAD "
                    f"({base_sha[:10]}) and would not include them; commit or stash them, or pass "
                    "--base HEAD to fix the last commit as it is"
                )
        existing = gitops.branch_sha(repo, branch)
        if existing is not None:
            foreign = gitops.foreign_commits(repo, base_sha, existing)
            if foreign and not force:
                raise GitOpsError(
                    f"branch {branch} holds commits iacmod did not make ({gitops.describe_commits(foreign)}); "
                    "iacmod will not rebuild it: choose another --branch, or pass --force to discard them"
                )
            if foreign:
                _err(
                    f"iacmod: warning: --force: discarding {len(foreign)} commit(s) on {branch} "
                    f"(the old tip {existing[:10]} stays in the reflog)"
                )
        build = gitops.build_fixes(
            repo, base_sha, rels, options, author=identity, commit_per_rule=commit_per_rule, fixer=fixer
        )
    except (GitOpsError, ConfigError) as exc:
        _err(f"iacmod: error: {exc}")
        return 2

    if existing is not None and gitops.same_fixes(repo, base_sha, existing, build):
        status = "up-to-date"
    elif not build.changed:
        status = "nothing-to-fix"
    else:
        status = (
            ("would-create" if existing is None else "would-rebuild")
            if dry_run
            else ("created" if existing is None else "rebuilt")
        )
    if status in ("created", "rebuilt"):
        try:
            gitops.update_branch(repo, branch, build.tip, existing, f"fixes on {base_sha[:10]}")
        except GitOpsError as exc:
            _err(f"iacmod: error: {exc}")
            return 2

    mode = "dry-run" if dry_run else "apply"
    if fmt == "json":
        print(
            json.dumps(
                {
                    "iacmod": __version__,
                    "branch": branch,
                    "base": base_sha,
                    "status": status,
                    "tip": _tip(status, existing, build),
                    "commits": [{"sha": c.sha, "subject": c.subject} for c in build.commits]
                    if status != "up-to-date"
                    else [],
                    "changed_files": build.changed_files,
                    "findings": [{**f.to_json(), "path": build.rel(f)} for f in build.findings],
                    "errors": [{**e.to_json(), "path": report.display_path(e.path)} for e in build.errors],
                    **({"diff": build.diff} if dry_run else {}),
                },
                indent=2,
            )
        )
    else:
        if dry_run and build.changed:
            print_diff(build)
        print_findings(build, fmt, mode)
        if fmt == "text":
            n = len(build.commits)
            if status == "nothing-to-fix":
                line = f"Nothing to fix on {base_sha[:10]} in {build.files_checked} file(s); "
                line += f"branch {branch} left as it is" if existing else "no branch created"
            elif status == "up-to-date":
                line = f"Branch {branch} already holds these fixes on {base_sha[:10]}: no new commit"
            else:
                verb = {
                    "created": "Created",
                    "rebuilt": "Rebuilt",
                    "would-create": "Would create",
                    "would-rebuild": "Would rebuild",
                }[status]
                line = (
                    f"{verb} branch {branch}: {gitops.plural(n, 'commit')} on {base_sha[:10]} changing "
                    f"{gitops.plural(len(build.changed_files), 'file')}"
                )
            extra = remaining_summary(build)
            _err(line + (f"; {extra}" if extra else "") + ".")
    if build.errors:
        return 1
    if dry_run:
        return 1 if status.startswith("would") else 0
    return 0 if exit_zero or not build.remaining else 1
