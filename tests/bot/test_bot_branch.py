"""``iacmod apply --branch``: fixes committed on a branch from a temporary worktree."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from iacmod import api
from iacmod.bot import gitops
from iacmod.codemods.python.datetime_utcnow import DatetimeUtcnow
from iacmod.findings import FixAvailability, RuleApplicability, Severity
from iacmod.rule import Rule

from .conftest import APP_AFTER, APP_BEFORE, MODELS, git, make_repo, run_cli

SEL = ("--select", "IAC101")


def snapshot(repo: Path) -> dict:
    """Everything of the user's that iacmod must not touch."""
    return {
        "head": git(repo, "rev-parse", "HEAD"),
        "symbolic": git(repo, "symbolic-ref", "HEAD"),
        "main": git(repo, "rev-parse", "refs/heads/main"),
        "index": (repo / ".git" / "index").read_bytes(),
        "staged": git(repo, "diff", "--cached"),
        "unstaged": git(repo, "diff"),
        "files": {p.name: p.read_bytes() for p in sorted(repo.iterdir()) if p.is_file()},
    }


def test_commits_on_branch_and_leaves_uncommitted_work_alone(tmp_path):
    repo = make_repo(tmp_path / "repo")
    (repo / "app.py").write_text(APP_BEFORE + "# work in progress\n")  # unstaged edit of a file to fix
    (repo / "models.py").write_text(MODELS + "# staged\n")
    git(repo, "add", "models.py")
    (repo / "notes.txt").write_text("untracked\n")
    before = snapshot(repo)

    res = run_cli("apply", *SEL, "--branch", "iacmod/fixes", "--base", "HEAD", str(repo))

    assert res.exit_code == 1, res.output  # unfixed findings remain (unsafe + detect-only), like plain apply
    assert snapshot(repo) == before
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == 1
    assert not list((tmp_path / "tmp").iterdir()), "temporary worktree left behind"
    assert git(repo, "show", "iacmod/fixes:app.py") + "\n" == APP_AFTER
    assert git(repo, "show", "iacmod/fixes:models.py") + "\n" == MODELS  # detect-only: unchanged
    assert git(repo, "rev-list", "--count", "main..iacmod/fixes") == "1"
    assert git(repo, "rev-parse", "iacmod/fixes^") == before["main"]
    assert git(repo, "diff", "--name-only", "main", "iacmod/fixes") == "app.py"
    message = git(repo, "log", "-1", "--format=%B", "iacmod/fixes")
    assert message == (
        "fix(iacmod): datetime-utcnow (1 fix in 1 file)\n\n"
        "Rules applied:\n- IAC101 datetime-utcnow: 1 fix (safe)\n\n"
        "Files changed:\n- app.py\n\n"
        "Generated-by: iacmod\nIacmod-Version: 0.1.0"
    )
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "iacmod/fixes") == (
        "Dev Person <dev@example.com>|Dev Person <dev@example.com>"
    )
    assert "Created branch iacmod/fixes: 1 commit" in res.stderr
    assert "models.py:7:" in res.stdout and "app.py:5:" in res.stdout  # what is left for people


def test_second_run_makes_no_commit(tmp_path):
    repo = make_repo(tmp_path / "repo")
    first = run_cli("apply", *SEL, "--exit-zero", "--branch", "fixes", str(repo))
    assert first.exit_code == 0, first.output
    tip = git(repo, "rev-parse", "fixes")
    objects = git(repo, "count-objects", "-v")
    second = run_cli("apply", *SEL, "--exit-zero", "--branch", "fixes", str(repo))
    assert second.exit_code == 0, second.output
    assert git(repo, "rev-parse", "fixes") == tip
    assert "already holds these fixes" in second.stderr
    assert git(repo, "reflog", "show", "--format=%H", "refs/heads/fixes").splitlines() == [tip]
    assert objects  # (the rebuilt commit is dangling, never referenced)


def test_branch_rebuilt_when_base_moves(tmp_path):
    repo = make_repo(tmp_path / "repo")
    assert run_cli("apply", *SEL, "--branch", "fixes", str(repo)).exit_code == 1
    (repo / "job.py").write_text("import datetime\n\nnow = datetime.datetime.utcnow().date()\n")
    git(repo, "add", "job.py")
    git(repo, "commit", "-q", "-m", "a job")
    res = run_cli("apply", *SEL, "--branch", "fixes", str(repo))
    assert "Rebuilt branch fixes: 1 commit" in res.stderr, res.output
    assert git(repo, "rev-parse", "fixes^") == git(repo, "rev-parse", "main")
    assert git(repo, "diff", "--name-only", "main", "fixes").splitlines() == ["app.py", "job.py"]
    assert git(repo, "show", "fixes:job.py") == (
        "import datetime\n\nnow = datetime.datetime.now(datetime.timezone.utc).date()"
    )


def test_someone_elses_commit_stops_the_rebuild(tmp_path):
    repo = make_repo(tmp_path / "repo")
    run_cli("apply", *SEL, "--branch", "fixes", str(repo))
    # a colleague adds a commit on the branch (through a worktree of their own)
    other = tmp_path / "other"
    git(repo, "worktree", "add", "-q", str(other), "fixes")
    (other / "handler.py").write_text("# reviewed\n")
    git(other, "commit", "-q", "-am", "review tweak")
    git(repo, "worktree", "remove", str(other))
    human_tip = git(repo, "rev-parse", "fixes")

    res = run_cli("apply", *SEL, "--branch", "fixes", str(repo))
    assert res.exit_code == 2
    assert "holds commits iacmod did not make" in res.stderr and "review tweak" in res.stderr
    assert "--force" in res.stderr
    assert git(repo, "rev-parse", "fixes") == human_tip

    forced = run_cli("apply", *SEL, "--force", "--branch", "fixes", str(repo))
    assert forced.exit_code == 1, forced.output
    assert "discarding 1 commit" in forced.stderr
    assert git(repo, "rev-list", "--count", "main..fixes") == "1"
    assert git(repo, "show", "fixes:handler.py") != "# reviewed"


def test_dry_run_prints_the_branch_diff_and_moves_nothing(tmp_path):
    repo = make_repo(tmp_path / "repo")
    res = run_cli("apply", *SEL, "--dry-run", "--branch", "fixes", str(repo))
    assert res.exit_code == 1
    assert "-from datetime import datetime\n+from datetime import datetime, timezone\n" in res.stdout
    assert "+++ b/app.py" in res.stdout
    assert "Would create branch fixes" in res.stderr
    assert gitops.branch_sha(gitops.open_repo([repo])[0], "fixes") is None


def test_json_output(tmp_path):
    import json

    repo = make_repo(tmp_path / "repo")
    res = run_cli("apply", *SEL, "--format", "json", "--branch", "fixes", str(repo))
    data = json.loads(res.stdout)
    assert data["status"] == "created" and data["changed_files"] == ["app.py"]
    assert data["tip"] == git(repo, "rev-parse", "fixes")
    assert sorted((f["path"], f["line"], f["fix"] and f["fix"]["applied"]) for f in data["findings"]) == [
        ("app.py", 4, True),
        ("app.py", 5, False),
        ("models.py", 7, None),
    ]


@pytest.mark.parametrize(
    "case",
    [
        "not-a-repo",
        "unknown-base",
        "checked-out",
        "other-worktree",
        "dirty",
        "bad-author",
        "outside",
        "uncommitted-path",
    ],
)
def test_clear_errors(tmp_path, case):
    repo = make_repo(tmp_path / "repo")
    args = ["apply", *SEL, "--branch", "fixes", str(repo)]
    expected = {
        "not-a-repo": "not inside a git repository",
        "unknown-base": "unknown base revision 'nope'",
        "checked-out": f"branch main is checked out in {repo}",
        "other-worktree": "branch fixes is checked out in",
        "dirty": "uncommitted changes in app.py",
        "bad-author": 'expected "Name <email>"',
        "outside": "outside the repository",
        "uncommitted-path": "new: not in the base revision",
    }[case]
    if case == "not-a-repo":
        plain = tmp_path / "plain"
        plain.mkdir()
        (plain / "app.py").write_text(APP_BEFORE)
        args[-1] = str(plain)
    elif case == "unknown-base":
        args[1:1] = ["--base", "nope"]
    elif case == "checked-out":
        args[args.index("fixes")] = "main"
    elif case == "other-worktree":
        git(repo, "branch", "fixes")
        git(repo, "worktree", "add", "-q", str(tmp_path / "wt2"), "fixes")
    elif case == "dirty":
        (repo / "app.py").write_text(APP_BEFORE + "# wip\n")
    elif case == "bad-author":
        args[1:1] = ["--author", "nobody"]
    elif case == "outside":
        elsewhere = tmp_path / "elsewhere.py"
        elsewhere.write_text("x = 1\n")
        args.append(str(elsewhere))
    elif case == "uncommitted-path":
        (repo / "new").mkdir()
        (repo / "new" / "x.py").write_text("x = 1\n")
        args[-1] = str(repo / "new")
    head = git(repo, "rev-parse", "HEAD")
    res = run_cli(*args)
    assert res.exit_code == 2, res.output
    assert expected in res.stderr
    assert git(repo, "rev-parse", "HEAD") == head
    assert git(repo, "worktree", "list", "--porcelain").count("worktree ") == (2 if case == "other-worktree" else 1)


def test_dirty_files_outside_the_paths_do_not_matter(tmp_path):
    repo = make_repo(tmp_path / "repo", {"infra/app.py": APP_BEFORE, "docs/notes.py": "x = 1\n"})
    (repo / "docs" / "notes.py").write_text("x = 2\n")
    res = run_cli("apply", *SEL, "--branch", "fixes", str(repo / "infra"))
    assert res.exit_code == 1, res.output
    assert git(repo, "diff", "--name-only", "main", "fixes") == "infra/app.py"
    assert (repo / "docs" / "notes.py").read_text() == "x = 2\n"


def test_author_option_and_default_identity(tmp_path, monkeypatch):
    repo = make_repo(tmp_path / "repo")
    run_cli("apply", *SEL, "--branch", "a", "--author", "Bot Person <bot@example.org>", str(repo))
    assert git(repo, "log", "-1", "--format=%an <%ae>|%cn <%ce>", "a") == (
        "Bot Person <bot@example.org>|Bot Person <bot@example.org>"
    )
    for var in ("GIT_AUTHOR_NAME", "GIT_AUTHOR_EMAIL", "GIT_COMMITTER_NAME", "GIT_COMMITTER_EMAIL"):
        monkeypatch.delenv(var)
    run_cli("apply", *SEL, "--branch", "b", str(repo))
    assert git(repo, "log", "-1", "--format=%an <%ae>", "b") == "iacmod <iacmod@users.noreply.invalid>"
    git(repo, "config", "user.name", "Configured Name")
    git(repo, "config", "user.email", "configured@example.net")
    run_cli("apply", *SEL, "--branch", "c", str(repo))
    assert git(repo, "log", "-1", "--format=%an <%ae>", "c") == "Configured Name <configured@example.net>"


def test_nothing_to_fix_creates_no_branch(tmp_path):
    repo = make_repo(tmp_path / "repo", {"handler.py": "x = 1\n"})
    res = run_cli("apply", *SEL, "--branch", "fixes", str(repo))
    assert res.exit_code == 0
    assert "no branch created" in res.stderr
    assert git(repo, "branch", "--list", "fixes") == ""


class PassToEllipsis(Rule):
    """A second rule, for tests only (not under codemods/, so never registered)."""

    code = "TST901"
    name = "pass-to-ellipsis"
    summary = "Write `...` instead of `pass`"
    targets = frozenset({"python"})
    triggers = ("pass",)
    severity = Severity.INFO
    fix_availability = FixAvailability.ALWAYS
    fix_applicability = RuleApplicability.SAFE
    rationale = fix_description = "test"

    def visit_Pass(self, node: cst.Pass) -> None:
        self.report(node, "pass", replacement=cst.Expr(cst.Ellipsis()))


def test_commit_per_rule(tmp_path, monkeypatch):
    real_plan = api.plan

    def plan(options):
        import dataclasses

        return [(p, dataclasses.replace(s, rules=(DatetimeUtcnow, PassToEllipsis))) for p, s in real_plan(options)]

    monkeypatch.setattr(api, "plan", plan)
    repo = make_repo(tmp_path / "repo", {"app.py": APP_BEFORE, "stub.py": "def f():\n    pass\n"})
    res = run_cli("apply", *SEL, "--commit-per-rule", "--branch", "fixes", str(repo))
    assert res.exit_code == 1, res.output
    subjects = git(repo, "log", "--reverse", "--format=%s", "main..fixes").splitlines()
    assert subjects == [
        "fix(iacmod): datetime-utcnow (1 fix in 1 file)",
        "fix(iacmod): pass-to-ellipsis (1 fix in 1 file)",
    ]
    assert git(repo, "diff", "--name-only", "fixes~2", "fixes~1") == "app.py"
    assert git(repo, "diff", "--name-only", "fixes~1", "fixes") == "stub.py"
    assert git(repo, "show", "fixes:stub.py") == "def f():\n    ..."
    for sha in git(repo, "rev-list", "main..fixes").splitlines():
        assert gitops.is_iacmod_commit(git(repo, "log", "-1", "--format=%B", sha))
    tip = git(repo, "rev-parse", "fixes")
    again = run_cli("apply", *SEL, "--commit-per-rule", "--branch", "fixes", str(repo))
    assert "already holds these fixes" in again.stderr
    assert git(repo, "rev-parse", "fixes") == tip
    # the single-commit layout differs, so the branch is rebuilt as one commit
    run_cli("apply", *SEL, "--branch", "fixes", str(repo))
    assert git(repo, "rev-list", "--count", "main..fixes") == "1"


def test_is_iacmod_commit_reads_the_trailer_block_only():
    assert gitops.is_iacmod_commit("fix: x\n\nbody\n\nGenerated-by: iacmod\nIacmod-Version: 0.1.0\n")
    assert not gitops.is_iacmod_commit("fix: x\n\nGenerated-by: iacmod\n\nSigned-off-by: A <a@b>\n")
    assert not gitops.is_iacmod_commit("Generated-by: iacmodx\n")
    assert not gitops.is_iacmod_commit("")


def test_json_tip_when_the_branch_is_up_to_date(tmp_path, monkeypatch):
    """Regression: an up-to-date branch reported the tip of a throwaway rebuild, not the branch's."""
    import json

    repo = make_repo(tmp_path / "repo")
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, "2026-01-01T00:00:00Z")
    first = json.loads(run_cli("apply", *SEL, "--format", "json", "--branch", "fixes", str(repo)).stdout)
    for var in ("GIT_AUTHOR_DATE", "GIT_COMMITTER_DATE"):
        monkeypatch.setenv(var, "2026-01-02T00:00:00Z")  # the rebuild's commit differs from the branch's
    again = json.loads(run_cli("apply", *SEL, "--format", "json", "--branch", "fixes", str(repo)).stdout)
    assert again["status"] == "up-to-date"
    assert again["tip"] == first["tip"] == git(repo, "rev-parse", "fixes")
