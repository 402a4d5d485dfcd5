"""GitHub pull requests for the bot (PyGithub), and the pull-request text.

``GitHubForge`` finds, opens, updates, labels and closes iacmod's pull request against the REST
API at ``api_url`` (``https://api.github.com``, or a GitHub Enterprise Server's
``https://HOST/api/v3``). Errors become :class:`ForgeError` with a message that never holds the
token. ``render_pr`` writes the title and body; the body starts with a hidden marker,
``<!-- iacmod:pr branch=NAME -->``, by which later runs recognise their own pull request.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

from iacmod import __version__
from iacmod.bot.gitops import Build, commit_message, plural, rule_rows
from iacmod.findings import Finding, FixSafety

if TYPE_CHECKING:  # PyGithub is imported when a forge is made
    from github.PullRequest import PullRequest
    from github.Repository import Repository

_P = ParamSpec("_P")
_T = TypeVar("_T")

DEFAULT_API_URL = "https://api.github.com"
MAX_LISTED_FINDINGS = 50
MAX_LISTED_FILES = 100
MAX_BODY = 60000  # GitHub refuses bodies over 65536 characters


class ForgeError(Exception):
    """The GitHub API refused or could not be reached (the message names no credential)."""


def marker(branch: str) -> str:
    return f"<!-- iacmod:pr branch={branch} -->"


def has_marker(body: str | None, branch: str) -> bool:
    return marker(branch) in (body or "")


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def _note(finding: Finding) -> str:
    if finding.safety is FixSafety.UNSAFE:
        return "unsafe fix available with `--unsafe-fixes`: review first"
    return "no sound automatic fix: fix by hand"


@dataclass(frozen=True)
class PullRequestText:
    title: str
    body: str


def render_pr(build: Build, branch: str, base: str, reproduce: str) -> PullRequestText:
    """The title and body of iacmod's pull request for ``build`` (deterministic: the same fixes
    give the same text, so an unchanged pull request is not edited)."""
    fixed = build.fixed
    title = commit_message(fixed, build.changed_files).splitlines()[0]
    lines = [
        marker(branch),
        f"iacmod found defects it can repair in a way that keeps what the code does, and committed "
        f"the fixes on `{branch}` against `{base}`.",
        "",
        "### Fixes applied",
        "",
        "| Rule | Name | Fixes | Safety |",
        "| --- | --- | ---: | --- |",
    ]
    lines += [f"| {code} | {name} | {count} | {safety} |" for code, name, count, safety in rule_rows(fixed)]
    files = build.changed_files
    lines += ["", f"### Files changed ({len(files)})", ""]
    lines += [f"- `{f}`" for f in files[:MAX_LISTED_FILES]]
    if len(files) > MAX_LISTED_FILES:
        lines.append(f"- … and {len(files) - MAX_LISTED_FILES} more")
    left = sorted(build.remaining, key=lambda f: (build.rel(f), f.line, f.column, f.code))
    lines += ["", f"### Left for people ({len(left)})", ""]
    if left:
        lines += [
            "iacmod found these too but did not change them: a rewrite would not be sound, or it may "
            "change behaviour somebody relies on.",
            "",
            "| Where | Rule | Finding | What to do |",
            "| --- | --- | --- | --- |",
        ]
        for f in left[:MAX_LISTED_FINDINGS]:
            lines.append(f"| `{build.rel(f)}:{f.line}` | {f.code} {f.rule} | {_cell(f.message)} | {_note(f)} |")
        if len(left) > MAX_LISTED_FINDINGS:
            lines.append(f"\n… and {len(left) - MAX_LISTED_FINDINGS} more: run the command below to see them all.")
    else:
        lines.append("Nothing: every finding was fixed.")
    if build.errors:
        lines += ["", f"### Files iacmod could not process ({len(build.errors)})", ""]
        lines += [f"- `{e.path}:{e.line}`: {_cell(e.message)}" for e in build.errors[:MAX_LISTED_FINDINGS]]
    lines += [
        "",
        "### Reproduce locally",
        "",
        "```sh",
        reproduce,
        "```",
        "",
        "`iacmod explain CODE` tells why each rule exists and when its fix is safe.",
        "",
        f"<sub>Opened by iacmod {__version__}. Later runs update this pull request and rebuild `{branch}` "
        "on the base; a commit pushed to the branch by anyone else stops iacmod from rewriting it.</sub>",
    ]
    body = "\n".join(lines) + "\n"
    if len(body) > MAX_BODY:
        body = (
            body[: MAX_BODY - 200].rsplit("\n", 1)[0] + "\n\n… (truncated: run the command above to see everything)\n"
        )
    return PullRequestText(title, body)


def _norm(text: str | None) -> str:
    return (text or "").replace("\r\n", "\n").strip()


class GitHubForge:
    """The pull requests of one repository ``owner/name``."""

    # PyGithub's pacing, which follows GitHub's advice against secondary rate limits (tests set 0).
    seconds_between_requests: float | None = 0.25
    seconds_between_writes: float | None = 1.0
    # Transient failures (HTTP 5xx, a secondary rate limit's 403/429 with Retry-After) are retried
    # by PyGithub's GithubRetry with exponential backoff: a 502 must not fail a scheduled bot run.
    retry_total: int = 5
    retry_backoff: float = 1.0  # seconds, doubled on each retry (tests set 0)
    secondary_rate_wait: float = 60.0  # GitHub's advice for secondary rate limits (tests set 0)

    def __init__(self, full_name: str, token: str, api_url: str = DEFAULT_API_URL, timeout: int = 30) -> None:
        from github import Auth, Github, GithubRetry

        if full_name.count("/") != 1 or not all(full_name.split("/")):
            raise ForgeError(f"--repo {full_name!r}: expected OWNER/NAME")
        self.full_name = full_name
        self.owner = full_name.split("/")[0]
        self.api_url = api_url.rstrip("/")
        self._secret = token
        self._gh = Github(
            base_url=self.api_url,
            auth=Auth.Token(token),
            timeout=timeout,
            retry=GithubRetry(
                total=self.retry_total, backoff_factor=self.retry_backoff, secondary_rate_wait=self.secondary_rate_wait
            ),
            seconds_between_requests=self.seconds_between_requests,
            seconds_between_writes=self.seconds_between_writes,
        )
        self._repo: Repository | None = None

    # Every call goes through here so that no exception (nor its message) carries the token.
    def _call(self, what: str, fn: Callable[_P, _T], *args: _P.args, **kwargs: _P.kwargs) -> _T:
        from github import GithubException

        try:
            return fn(*args, **kwargs)
        except GithubException as exc:
            data = exc.data if isinstance(exc.data, dict) else {}
            detail = data.get("message") or ""
            errors = data.get("errors")
            if isinstance(errors, list) and errors:
                detail += ": " + "; ".join(
                    str(e.get("message") or e) if isinstance(e, dict) else str(e) for e in errors
                )
            hint = {
                401: " (is the token valid?)",
                403: " (does the token have contents, pull-requests and issues write permission?)",
                404: " (is --repo right, and can the token see it?)",
            }
            message = f"GitHub API: {what} failed: HTTP {exc.status} {detail}".rstrip() + hint.get(exc.status, "")
        except Exception as exc:  # noqa: BLE001 - network errors and the like, reported in one line
            message = f"GitHub API: {what} failed: cannot reach {self.api_url}: {type(exc).__name__}"
        raise ForgeError(self._scrub(message)) from None

    def _scrub(self, text: str) -> str:
        return text.replace(self._secret, "***") if self._secret else text

    @property
    def repo(self) -> Repository:
        if self._repo is None:
            self._repo = self._call(f"reading {self.full_name}", self._gh.get_repo, self.full_name)
        return self._repo

    def default_branch(self) -> str:
        return str(self.repo.default_branch)

    def find_pr(self, branch: str) -> PullRequest | None:
        """The open pull request whose head is ``branch`` of this repository."""

        def find() -> PullRequest | None:
            for pr in self.repo.get_pulls(state="open", head=f"{self.owner}:{branch}"):
                if pr.head.ref == branch:
                    return pr
            return None

        return self._call(f"listing pull requests from {branch}", find)

    def create_pr(self, base: str, branch: str, text: PullRequestText, draft: bool) -> PullRequest:
        return self._call(
            "opening the pull request",
            self.repo.create_pull,
            base=base,
            head=branch,
            title=text.title,
            body=text.body,
            draft=draft,
        )

    def needs_update(self, pr: PullRequest, base: str, text: PullRequestText) -> bool:
        return pr.title != text.title or _norm(pr.body) != _norm(text.body) or pr.base.ref != base

    def update_pr(self, pr: PullRequest, base: str, text: PullRequestText) -> None:
        kwargs: dict[str, Any] = {"title": text.title, "body": text.body}
        if pr.base.ref != base:
            kwargs["base"] = base
        self._call(f"updating pull request #{pr.number}", pr.edit, **kwargs)

    def add_labels(self, pr: PullRequest, labels: Sequence[str]) -> list[str]:
        """Add the labels the pull request lacks; returns the ones added."""
        have = {label.name for label in pr.labels}
        missing = [label for label in dict.fromkeys(labels) if label and label not in have]
        if missing:
            self._call(f"labelling pull request #{pr.number}", pr.add_to_labels, *missing)
        return missing

    def close_pr(self, pr: PullRequest, comment: str) -> None:
        self._call(f"commenting on pull request #{pr.number}", pr.create_issue_comment, comment)
        self._call(f"closing pull request #{pr.number}", pr.edit, state="closed")


def stale_comment(branch: str, base: str) -> str:
    return (
        f"iacmod finds nothing to fix on `{base}` any more: the fixes from `{branch}` are on the base "
        "already (merged, or fixed another way). Closing this pull request."
    )


def count_line(build: Build) -> str:
    return f"{plural(len(build.fixed), 'fix', 'fixes')} in {plural(len(build.changed_files), 'file')}"
