"""``iacmod pr``: commit the fixes on a branch, push it, and open or update one pull request.

Registered on the Typer app of :mod:`iacmod.cli.common` (imported at the end of :mod:`iacmod.cli.app`).
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import typer

from iacmod import api
from iacmod.bot import gitops
from iacmod.bot.forge import DEFAULT_API_URL, ForgeError, GitHubForge, has_marker, render_pr, stale_comment
from iacmod.bot.gitops import GitOpsError
from iacmod.cli.branch_cmd import print_diff, print_findings, remaining_summary
from iacmod.cli.common import ALL, CONFIG, IGNORE, JOBS, SELECT, app, fail, run_options, stderr, stdout
from iacmod.config import ConfigError
from iacmod.lazy import lazy_import

git = lazy_import("git")

DEFAULT_BRANCH = "iacmod/fixes"
# OWNER/NAME of a remote on a host: https://HOST/OWNER/NAME(.git), ssh://git@HOST[:port]/OWNER/NAME,
# git@HOST:OWNER/NAME (scp-like). Any host (github.com or a GitHub Enterprise Server whose name
# need not say "github"); a local path or file:// remote names no repository.
_REMOTE_URL = re.compile(
    r"^(?:(?:https?|ssh|git)://(?:[^@/]+@)?[^/]+/|[^@/:\s]+@[^/:\s]+:|[A-Za-z0-9.-]+\.[A-Za-z]{2,}:)"
    r"(?:[^\s]*/)?([A-Za-z0-9_.-]+)/([A-Za-z0-9_.-]+?)(?:\.git)?/?$"
)

PR_HELP = """Commit the fixes on a branch, push it and open (or update) one pull request.

The fixes are computed on the remote's base branch in a temporary worktree; your checked-out branch, index and uncommitted changes are never touched. The branch is pushed with --force-with-lease, and only when it holds nothing but iacmod's commits. One pull request per branch: later runs update it in place (it is recognised by a hidden marker in its body).

Authentication: the token is read from the environment variable named by --token-env (GITHUB_TOKEN); it is sent to the GitHub API only, never printed. git push uses the remote as it is configured (in GitHub Actions, actions/checkout's credentials).

Exit codes (as `apply --branch`): 0 done (pull request opened, updated or already up to date; nothing to fix; a --dry-run that printed what it would do); 1 some files could not be processed; 2 usage, configuration, git or GitHub API errors (e.g. no token), and a branch that holds somebody else's commits (nothing is pushed: merge or move that work, or delete the branch).
"""


def _say(message: str) -> None:
    stderr().print(message, markup=False)


def _ls_remote(repo: git.Repo, remote: str, *patterns: str, symref: bool = False) -> str:
    try:
        return repo.git.ls_remote(*(["--symref"] if symref else []), remote, *patterns)
    except git.GitCommandError as exc:
        raise GitOpsError(f"cannot reach remote {remote!r}: {gitops._git_error(exc)}") from None


def _remote_head(repo: git.Repo, remote: str, branch: str) -> str | None:
    for line in _ls_remote(repo, remote, f"refs/heads/{branch}").splitlines():
        sha, _, ref = line.partition("\t")
        if ref == f"refs/heads/{branch}":
            return sha
    return None


def _remote_default_branch(repo: git.Repo, remote: str) -> str:
    for line in _ls_remote(repo, remote, "HEAD", symref=True).splitlines():
        if line.startswith("ref: refs/heads/") and line.endswith("\tHEAD"):
            return line[len("ref: refs/heads/") : -len("\tHEAD")]
    raise GitOpsError(f"cannot tell the default branch of remote {remote!r}: pass --base")


def _fetch(repo: git.Repo, remote: str, branch: str) -> None:
    try:
        repo.git.fetch("--no-tags", "--quiet", remote, f"+refs/heads/{branch}:refs/remotes/{remote}/{branch}")
    except git.GitCommandError as exc:
        raise GitOpsError(f"cannot fetch {branch} from {remote}: {gitops._git_error(exc)}") from None


def _repo_name_from_remote(repo: git.Repo, remote: str) -> str | None:
    try:
        url = repo.remote(remote).url
    except ValueError:
        return None
    return repo_name_from_url(url)


def repo_name_from_url(url: str) -> str | None:
    """OWNER/NAME from a remote URL on any host, None for a local path or a file:// URL."""
    m = _REMOTE_URL.match(url.strip())
    return f"{m.group(1)}/{m.group(2)}" if m else None


def _reproduce(options: api.RunOptions, rels: list[str]) -> str:
    parts = ["iacmod", "apply"]
    if options.all_rules:
        parts.append("--all")
    if options.select:
        parts += ["--select", ",".join(options.select)]
    if options.ignore:
        parts += ["--ignore", ",".join(options.ignore)]
    if options.unsafe_fixes:
        parts.append("--unsafe-fixes")
    parts.append("--dry-run")
    parts += rels
    return " ".join(shlex.quote(p) for p in parts)


@app.command("pr", help=PR_HELP)
def pr(
    paths: list[Path] | None = typer.Argument(None, help="Files or directories in one git repository (default: .)."),
    repo_name: str | None = typer.Option(
        None, "--repo", help="The GitHub repository OWNER/NAME (default: read from the remote's URL)."
    ),
    remote: str = typer.Option("origin", "--remote", help="The git remote to push to."),
    base: str | None = typer.Option(None, "--base", help="Base branch (default: the remote's default branch)."),
    branch: str = typer.Option(DEFAULT_BRANCH, "--branch", help="The branch to commit the fixes on."),
    api_url: str = typer.Option(
        DEFAULT_API_URL, "--api-url", help="GitHub API URL; for GitHub Enterprise Server https://HOST/api/v3."
    ),
    token_env: str = typer.Option("GITHUB_TOKEN", "--token-env", help="Environment variable holding the token."),
    draft: bool = typer.Option(False, "--draft", help="Open the pull request as a draft."),
    label: list[str] | None = typer.Option(None, "--label", help="Label to add (repeat, or comma-separated)."),
    all_: bool = ALL,
    select: list[str] | None = SELECT,
    ignore: list[str] | None = IGNORE,
    unsafe_fixes: bool | None = typer.Option(
        None, "--unsafe-fixes/--no-unsafe-fixes", help="Also apply fixes that may change behaviour."
    ),
    jobs: int | None = JOBS,
    config: Path | None = CONFIG,
    commit_per_rule: bool = typer.Option(False, "--commit-per-rule", help="One commit per rule."),
    author: str | None = typer.Option(None, "--author", help='Commit author "Name <email>".'),
    close_stale: bool = typer.Option(
        False, "--close-stale", help="Close iacmod's open pull request when its fixes are all on the base."
    ),
    dry_run: bool = typer.Option(
        False, "--dry-run", help="Print the branch diff and the pull request; push nothing, call no API."
    ),
) -> None:
    options = run_options(paths or [Path(".")], all_, select, ignore, unsafe_fixes, jobs, config)
    labels = [part.strip() for item in (label or []) for part in item.split(",") if part.strip()]
    token = None
    if not dry_run:
        token = os.environ.get(token_env, "")
        if not token:
            raise fail(
                f"no GitHub token: set the environment variable {token_env} "
                "(or name another one with --token-env); --dry-run needs none"
            )
    forge: GitHubForge | None = None
    try:
        repo, rels = gitops.open_repo(options.paths)
        gitops.check_branch_name(repo, branch)
        try:
            repo.remote(remote)
        except ValueError:
            raise GitOpsError(f"no remote named {remote!r} in {gitops.root_of(repo)} (see `git remote -v`)") from None
        name = repo_name or _repo_name_from_remote(repo, remote)
        if not name:
            raise GitOpsError(f"cannot tell the GitHub repository from remote {remote!r}: pass --repo OWNER/NAME")
        identity = gitops.resolve_author(repo, author)
        if token:
            forge = GitHubForge(name, token, api_url)
        if base is None:
            base = forge.default_branch() if forge else _remote_default_branch(repo, remote)
        base_sha = _remote_head(repo, remote, base)
        if base_sha is None:
            raise GitOpsError(f"unknown base: remote {remote!r} has no branch {base!r}")
        _fetch(repo, remote, base)
        remote_sha = _remote_head(repo, remote, branch)
        if remote_sha is not None:
            _fetch(repo, remote, branch)
            foreign = gitops.foreign_commits(repo, base_sha, remote_sha)
            if foreign and _shallow(repo):
                # A shallow clone hides that the branch's old base is in the base's history.
                try:
                    repo.git.fetch("--unshallow", "--no-tags", "--quiet", remote)
                except git.GitCommandError as exc:
                    raise GitOpsError(f"cannot deepen the shallow clone: {gitops._git_error(exc)}") from None
                foreign = gitops.foreign_commits(repo, base_sha, remote_sha)
            if foreign:
                _say(
                    f"iacmod: {remote}/{branch} holds commits iacmod did not make "
                    f"({gitops.describe_commits(foreign)}); not pushing over them, pull request left as it is. "
                    "Merge or move that work, or delete the branch, and iacmod will rebuild it."
                )
                raise typer.Exit(2)  # as `apply --branch`: a situation a person must resolve
        build = gitops.build_fixes(repo, base_sha, rels, options, author=identity, commit_per_rule=commit_per_rule)
    except (GitOpsError, ConfigError, ForgeError) as exc:
        raise fail(str(exc)) from None

    print_findings(build, "text", "dry-run" if dry_run else "apply")
    status_code = 1 if build.errors else 0
    if not build.changed:
        _say(
            f"Nothing to fix on {base} ({base_sha[:10]}) in {build.files_checked} file(s): no branch, no pull request."
        )
        if forge is None:
            raise typer.Exit(status_code)
        try:
            open_pr = forge.find_pr(branch)
            if open_pr is not None and has_marker(open_pr.body, branch):
                if close_stale:
                    forge.close_pr(open_pr, stale_comment(branch, base))
                    _say(f"Closed pull request #{open_pr.number} ({open_pr.html_url}): its fixes are all on {base}.")
                else:
                    _say(
                        f"Pull request #{open_pr.number} ({open_pr.html_url}) is stale: its fixes are all on {base} "
                        "now. Close it (or rerun with --close-stale)."
                    )
        except ForgeError as exc:
            raise fail(str(exc)) from None
        raise typer.Exit(status_code)

    text = render_pr(build, branch, base, _reproduce(options, rels))
    up_to_date = remote_sha is not None and gitops.same_fixes(repo, base_sha, remote_sha, build)
    if dry_run:
        print_diff(build)
        out = stdout()
        out.print(f"\n--- pull request ({remote}/{branch} -> {base}) ---", markup=False)
        out.print(f"title: {text.title}", markup=False)
        out.print(text.body, markup=False, end="")
        action = (
            f"{remote}/{branch} already holds these fixes: no push"
            if up_to_date
            else f"would push {gitops.plural(len(build.commits), 'commit')} to {remote}/{branch}"
        )
        _say(f"Dry run: {action}; would open or update the pull request into {base}. Nothing pushed, no API call.")
        raise typer.Exit(status_code)

    assert forge is not None
    try:
        if not up_to_date:
            _push(repo, remote, branch, build.tip, remote_sha)
            _say(
                f"Pushed {gitops.plural(len(build.commits), 'commit')} to {remote}/{branch} "
                f"({'new branch' if remote_sha is None else 'rebuilt on ' + base_sha[:10]})."
            )
        open_pr = forge.find_pr(branch)
        if open_pr is None:
            open_pr = forge.create_pr(base, branch, text, draft)
            forge.add_labels(open_pr, labels)
            _say(f"Opened pull request #{open_pr.number}: {open_pr.html_url}")
        elif not has_marker(open_pr.body, branch):
            _say(
                f"Pull request #{open_pr.number} ({open_pr.html_url}) from {branch} was not opened by iacmod: "
                "its title and body are left as they are."
            )
        else:
            changed = forge.needs_update(open_pr, base, text)
            if changed:
                forge.update_pr(open_pr, base, text)
            added = forge.add_labels(open_pr, labels)
            state = "Updated" if changed or added or not up_to_date else "Up to date:"
            _say(f"{state} pull request #{open_pr.number}: {open_pr.html_url}")
    except (GitOpsError, ForgeError) as exc:
        raise fail(str(exc)) from None
    extra = remaining_summary(build)
    if extra:
        _say(extra[0].upper() + extra[1:] + ".")
    raise typer.Exit(status_code)


def _shallow(repo: git.Repo) -> bool:
    try:
        return repo.git.rev_parse("--is-shallow-repository") == "true"
    except git.GitCommandError:
        return False


def _push(repo: git.Repo, remote: str, branch: str, tip: str, expected: str | None) -> None:
    """Push ``tip`` to the branch only if the remote still has ``expected`` there (or nothing)."""
    try:
        repo.git.push(
            "--quiet",
            "--no-verify",
            f"--force-with-lease=refs/heads/{branch}:{expected or ''}",
            remote,
            f"{tip}:refs/heads/{branch}",
        )
    except git.GitCommandError as exc:
        raise GitOpsError(
            f"push to {remote}/{branch} refused: {gitops._git_error(exc)} "
            "(did somebody push meanwhile? nothing was overwritten; run again)"
        ) from None
