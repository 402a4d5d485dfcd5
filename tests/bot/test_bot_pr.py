"""``iacmod pr`` against a bare repository as the remote and a loopback fake of the GitHub API."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import APP_AFTER, APP_BEFORE, TOKEN, git, run_cli

SEL = ("--select", "IAC101")
REPO = ("--repo", "octo/infra")
FIND = "GET /repos/octo/infra/pulls?head=octo:iacmod/fixes&state=open"


@pytest.fixture
def token(monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)


def pr(github, work: Path, *extra: str):
    return run_cli("pr", str(work), *REPO, "--api-url", github.api_url, *SEL, *extra)


def remote_sha(bare: Path, ref: str) -> str | None:
    out = git(bare, "for-each-ref", "--format=%(objectname)", f"refs/heads/{ref}")
    return out or None


def test_opens_one_pull_request_then_leaves_it(remote, github, token):
    work = remote.work
    (work / "app.py").write_text(APP_BEFORE + "# my uncommitted work\n")
    main_before = remote_sha(remote.bare, "main")
    local_head = git(work, "rev-parse", "HEAD")

    res = pr(github, work, "--label", "iacmod,automated", "--draft")

    assert res.exit_code == 0, res.output
    assert github.calls == [
        "GET /repos/octo/infra",
        FIND,
        "POST /repos/octo/infra/pulls",
        "POST /repos/octo/infra/issues/1/labels",
    ]
    assert all(r.authorization == f"token {TOKEN}" for r in github.requests)
    create = github.requests[2].body
    assert create["head"] == "iacmod/fixes" and create["base"] == "main" and create["draft"] is True
    assert create["title"] == "fix(iacmod): datetime-utcnow (1 fix in 1 file)"
    body = create["body"]
    assert body.startswith("<!-- iacmod:pr branch=iacmod/fixes -->\n")
    assert "| IAC101 | datetime-utcnow | 1 | safe |" in body
    assert "### Files changed (1)\n\n- `app.py`\n" in body
    assert "### Left for people (2)" in body
    assert "| `app.py:5` | IAC101 datetime-utcnow |" in body and "`--unsafe-fixes`" in body
    assert "| `models.py:7` | IAC101 datetime-utcnow |" in body and "fix by hand" in body
    assert "```sh\niacmod apply --select IAC101 --dry-run .\n```" in body
    assert github.requests[3].body == ["iacmod", "automated"]
    assert "Opened pull request #1: https://github.test/octo/infra/pull/1" in res.stderr
    # the remote branch: one iacmod commit on main; main, the checkout and the work survive
    pushed = remote_sha(remote.bare, "iacmod/fixes")
    assert git(remote.bare, "show", "iacmod/fixes:app.py") + "\n" == APP_AFTER
    assert git(remote.bare, "rev-parse", "iacmod/fixes^") == main_before
    assert remote_sha(remote.bare, "main") == main_before
    assert git(work, "rev-parse", "HEAD") == local_head
    assert (work / "app.py").read_text() == APP_BEFORE + "# my uncommitted work\n"
    assert git(work, "branch", "--list", "iacmod/fixes") == ""  # no local branch
    assert TOKEN not in res.output

    # second run: nothing new, no push, no second pull request, no edit, no label request
    github.reset()
    again = pr(github, work, "--label", "iacmod,automated", "--draft")
    assert again.exit_code == 0, again.output
    assert github.calls == ["GET /repos/octo/infra", FIND]
    assert remote_sha(remote.bare, "iacmod/fixes") == pushed
    assert len(github.pulls) == 1
    assert "Up to date: pull request #1" in again.stderr


def test_base_moves_branch_rebuilt_and_pull_request_updated(remote, github, token, tmp_path):
    work = remote.work
    assert pr(github, work).exit_code == 0
    # someone merges more code with another defect into main on the remote
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote.bare), str(other))
    (other / "job.py").write_text("import datetime\n\nday = datetime.datetime.utcnow().date()\n")
    git(other, "add", "job.py")
    git(other, "commit", "-q", "-m", "add job")
    git(other, "push", "-q", "origin", "main")
    github.reset()

    res = pr(github, work, "--label", "iacmod")
    assert res.exit_code == 0, res.output
    assert github.calls == [
        "GET /repos/octo/infra",
        FIND,
        "PATCH /repos/octo/infra/pulls/1",
        "POST /repos/octo/infra/issues/1/labels",
    ]
    patch = github.requests[2].body
    assert set(patch) == {"title", "body"}
    assert patch["title"] == "fix(iacmod): datetime-utcnow (2 fixes in 2 files)"
    assert "| IAC101 | datetime-utcnow | 2 | safe |" in patch["body"]
    assert git(remote.bare, "rev-parse", "iacmod/fixes^") == remote_sha(remote.bare, "main")
    assert git(remote.bare, "rev-list", "--count", "main..iacmod/fixes") == "1"
    assert len(github.pulls) == 1 and "Updated pull request #1" in res.stderr


def test_human_commit_on_the_branch_is_never_pushed_over(remote, github, token, tmp_path):
    work = remote.work
    assert pr(github, work).exit_code == 0
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", "-b", "iacmod/fixes", str(remote.bare), str(other))
    (other / "handler.py").write_text("# tweaked by a reviewer\n")
    git(other, "commit", "-q", "-am", "reviewer tweak")
    git(other, "push", "-q", "origin", "iacmod/fixes")
    human_tip = remote_sha(remote.bare, "iacmod/fixes")
    github.reset()

    res = pr(github, work)
    assert res.exit_code == 2  # as `apply --branch` for the same case (it was 1)
    assert "holds commits iacmod did not make" in res.stderr and "reviewer tweak" in res.stderr
    assert "not pushing over them" in res.stderr
    assert remote_sha(remote.bare, "iacmod/fixes") == human_tip
    assert github.calls == ["GET /repos/octo/infra"]  # no pull request lookup, edit or creation


def test_lease_protects_a_concurrent_push(remote, tmp_path):
    """The push names the remote sha it checked: a branch that moved meanwhile is not overwritten."""
    import git as gitpython

    from iacmod.bot.gitops import GitOpsError
    from iacmod.cli.pr import _push

    repo = gitpython.Repo(remote.work)
    main = git(remote.work, "rev-parse", "HEAD")
    git(remote.bare, "branch", "iacmod/fixes", main)
    stale = git(remote.work, "rev-parse", "HEAD")
    (remote.work / "x.py").write_text("x = 1\n")
    git(remote.work, "add", "x.py")
    git(remote.work, "commit", "-q", "-m", "x")
    newer = git(remote.work, "rev-parse", "HEAD")
    git(remote.work, "push", "-q", "origin", f"{newer}:refs/heads/iacmod/fixes")  # somebody else's push
    with pytest.raises(GitOpsError, match="refused"):
        _push(repo, "origin", "iacmod/fixes", stale, "0" * 40)
    with pytest.raises(GitOpsError, match="refused"):
        _push(repo, "origin", "iacmod/fixes", stale, None)  # expected absent, but it exists
    assert remote_sha(remote.bare, "iacmod/fixes") == newer


def test_missing_token_is_a_clear_usage_error_before_any_git_work(remote, github):
    refs_before = git(remote.work, "for-each-ref")
    res = pr(github, remote.work)
    assert res.exit_code == 2
    assert "no GitHub token: set the environment variable GITHUB_TOKEN" in res.stderr
    assert github.requests == []
    assert git(remote.work, "for-each-ref") == refs_before  # nothing fetched
    assert remote_sha(remote.bare, "iacmod/fixes") is None
    other = run_cli("pr", str(remote.work), *REPO, "--token-env", "MY_BOT_TOKEN", "--api-url", github.api_url)
    assert other.exit_code == 2 and "MY_BOT_TOKEN" in other.stderr


@pytest.mark.parametrize("failing, status", [("GET /repos/octo/infra", 401), ("POST /repos/octo/infra/pulls", 403)])
def test_api_errors_never_show_the_token(remote, github, token, failing, status, caplog):
    github.fail[failing] = status
    caplog.set_level("DEBUG")
    res = pr(github, remote.work)
    assert res.exit_code == 2
    assert f"HTTP {status}" in res.stderr
    assert TOKEN not in res.output
    assert TOKEN not in caplog.text
    assert TOKEN[-8:] not in res.output + caplog.text


def test_dry_run_prints_diff_and_body_without_push_or_api_call(remote, github):
    res = pr(github, remote.work, "--dry-run")  # no token needed
    assert res.exit_code == 0, res.output
    assert github.requests == []
    assert remote_sha(remote.bare, "iacmod/fixes") is None
    assert "+from datetime import datetime, timezone" in res.stdout
    assert "title: fix(iacmod): datetime-utcnow (1 fix in 1 file)" in res.stdout
    assert "<!-- iacmod:pr branch=iacmod/fixes -->" in res.stdout
    assert "would push 1 commit to origin/iacmod/fixes" in res.stderr


def test_nothing_to_fix_reports_and_closes_a_stale_pull_request(remote, github, token, tmp_path):
    work = remote.work
    assert pr(github, work).exit_code == 0
    # the fix is merged into main (fast-forward on the remote)
    git(remote.bare, "update-ref", "refs/heads/main", "refs/heads/iacmod/fixes")
    # ... and the other findings are not fixable: nothing left to do
    github.reset()
    res = pr(github, work)
    assert res.exit_code == 0, res.output
    assert "Nothing to fix" in res.stderr and "no branch, no pull request" in res.stderr
    assert "Pull request #1 (https://github.test/octo/infra/pull/1) is stale" in res.stderr
    assert github.calls == ["GET /repos/octo/infra", FIND]
    github.reset()
    closed = pr(github, work, "--close-stale")
    assert closed.exit_code == 0
    assert github.calls == [
        "GET /repos/octo/infra",
        FIND,
        "POST /repos/octo/infra/issues/1/comments",
        "PATCH /repos/octo/infra/pulls/1",
    ]
    assert github.requests[-1].body == {"state": "closed"}
    assert github.pulls[1]["state"] == "closed"


def test_nothing_to_fix_and_no_pull_request(remote, github, token, tmp_path):
    repo_files = remote.work
    res = run_cli("pr", str(repo_files / "handler.py"), *REPO, "--api-url", github.api_url, *SEL)
    assert res.exit_code == 0, res.output
    assert github.calls == ["GET /repos/octo/infra", FIND]
    assert remote_sha(remote.bare, "iacmod/fixes") is None


def test_enterprise_api_url_and_explicit_base(remote, github, token, tmp_path):
    github.prefix = "/api/v3"
    git(remote.work, "push", "-q", "origin", "HEAD:refs/heads/release")
    res = run_cli(
        "pr", str(remote.work), *REPO, "--api-url", github.api_url, *SEL, "--base", "release", "--branch", "bot/iacmod"
    )
    assert res.exit_code == 0, res.output
    assert github.calls == [
        "GET /api/v3/repos/octo/infra",
        "GET /api/v3/repos/octo/infra/pulls?head=octo:bot/iacmod&state=open",
        "POST /api/v3/repos/octo/infra/pulls",
    ]
    assert github.requests[2].body["base"] == "release"
    assert github.requests[2].body["body"].startswith("<!-- iacmod:pr branch=bot/iacmod -->")


def test_unknown_base_and_not_a_repo(remote, github, token, tmp_path):
    res = run_cli("pr", str(remote.work), *REPO, "--api-url", github.api_url, "--base", "nope")
    assert res.exit_code == 2 and "remote 'origin' has no branch 'nope'" in res.stderr
    plain = tmp_path / "plain"
    plain.mkdir()
    res = run_cli("pr", str(plain), *REPO, "--api-url", github.api_url)
    assert res.exit_code == 2 and "not inside a git repository" in res.stderr


def test_shallow_clone_like_actions_checkout(remote, github, token, tmp_path):
    """A depth-1 clone (actions/checkout's default) after the base moved: iacmod deepens it rather
    than mistaking the base's own history for somebody's commits on the branch."""
    assert pr(github, remote.work).exit_code == 0
    other = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(remote.bare), str(other))
    (other / "README.md").write_text("docs\n")
    git(other, "add", "README.md")
    git(other, "commit", "-q", "-m", "docs")
    git(other, "push", "-q", "origin", "main")
    shallow = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{remote.bare}", str(shallow))
    github.reset()
    res = pr(github, shallow)
    assert res.exit_code == 0, res.output
    assert "Pushed 1 commit" in res.stderr
    assert git(remote.bare, "rev-parse", "iacmod/fixes^") == remote_sha(remote.bare, "main")
    assert github.calls == ["GET /repos/octo/infra", FIND]  # same title and body: no edit


def test_dry_run_reads_the_repository_from_an_enterprise_remote(remote, github):
    """Regression: --dry-run demanded --repo when the remote's host name lacks "github"."""
    git(remote.work, "remote", "set-url", "--push", "origin", str(remote.bare))
    git(remote.work, "config", "remote.origin.url", "https://git.corp.example/octo/infra.git")
    git(remote.work, "config", f"url.{remote.bare}.insteadOf", "https://git.corp.example/octo/infra.git")
    res = run_cli("pr", str(remote.work), "--api-url", github.api_url, *SEL, "--dry-run")
    assert res.exit_code == 0, res.output
    assert "--repo" not in res.stderr
    assert "title: fix(iacmod): datetime-utcnow (1 fix in 1 file)" in res.stdout


@pytest.mark.parametrize(
    "url, name",
    [
        ("https://github.com/octo/infra.git", "octo/infra"),
        ("git@github.com:octo/infra.git", "octo/infra"),
        ("https://scm.acme.io/octo/infra", "octo/infra"),
        ("ssh://git@scm.acme.io:2222/octo/infra.git", "octo/infra"),
        ("git@scm.acme.io:octo/infra", "octo/infra"),
        ("/srv/git/infra.git", None),
        ("file:///srv/infra.git", None),
    ],
)
def test_repo_name_from_any_host(url, name):
    from iacmod.cli.pr import repo_name_from_url

    assert repo_name_from_url(url) == name


@pytest.mark.parametrize("transient", [[502], [502, 503], [403]])
def test_transient_api_failures_are_retried(remote, github, token, transient):
    """Regression: PyGithub was created with retry=None, so one 502 (or a secondary rate limit)
    failed the bot run."""
    github.transient["POST /repos/octo/infra/pulls"] = list(transient)
    github.transient["GET /repos/octo/infra"] = [502]
    res = pr(github, remote.work)
    assert res.exit_code == 0, res.output
    assert len(github.pulls) == 1
    assert "Opened pull request #1" in res.stderr
    assert github.calls.count("POST /repos/octo/infra/pulls") == len(transient) + 1
