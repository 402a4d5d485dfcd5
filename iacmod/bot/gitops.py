"""Commit iacmod's fixes on a branch without touching the user's work tree (GitPython).

The fixes are computed against a base revision in a temporary detached worktree (``git worktree
add --detach``), written there with :func:`iacmod.api.write` and committed there; the user's
checked-out branch, index and uncommitted changes are never read for content nor written. The
branch ref is then moved with ``git update-ref`` against its expected old value, so a concurrent
change to the branch is never overwritten silently.

Every commit iacmod makes carries two trailers, ``Generated-by: iacmod`` and
``Iacmod-Version: <version>``. They, not the author, mark "iacmod's commits": a branch whose
commits above the base all carry them may be rebuilt; any other commit on it is somebody's work.
"""

from __future__ import annotations

import dataclasses
import os
import re
import shutil
import tempfile
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, cast

from iacmod import __version__, api, engine
from iacmod.config import ConfigError
from iacmod.engine import Settings
from iacmod.findings import FileError, FileResult, Finding
from iacmod.lazy import lazy_import

if TYPE_CHECKING:  # the checker reads GitPython's own annotations
    import git
else:
    git = lazy_import("git")  # GitPython, loaded when a git command runs

GENERATED_BY = "Generated-by: iacmod"
VERSION_TRAILER = "Iacmod-Version"
DEFAULT_AUTHOR = ("iacmod", "iacmod@users.noreply.invalid")
_IDENT_RE = re.compile(r"^\s*([^<>]*?)\s*<([^<>\s]+)>\s*$")


class GitOpsError(Exception):
    """A problem the user must resolve (the CLI exits 2 with this message)."""


@dataclass(frozen=True)
class Identity:
    name: str
    email: str

    @classmethod
    def parse(cls, text: str) -> Identity:
        m = _IDENT_RE.match(text)
        if not m or not m.group(1):
            raise GitOpsError(f'--author {text!r}: expected "Name <email>"')
        return cls(m.group(1), m.group(2))

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"

    def env(self) -> dict[str, str]:
        return {
            "GIT_AUTHOR_NAME": self.name,
            "GIT_AUTHOR_EMAIL": self.email,
            "GIT_COMMITTER_NAME": self.name,
            "GIT_COMMITTER_EMAIL": self.email,
        }


@dataclass(frozen=True)
class Commit:
    sha: str
    tree: str
    subject: str


@dataclass
class Build:
    """What computing the fixes on a base produced (commits exist only as objects until a ref
    is moved to ``tip``)."""

    root: Path
    base: str
    tip: str
    commits: list[Commit] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)  # paths: absolute, in the user's tree
    errors: list[FileError] = field(default_factory=list)
    changed_files: list[str] = field(default_factory=list)  # repo-relative posix paths
    files_checked: int = 0
    diff: str = ""

    @property
    def changed(self) -> bool:
        return self.tip != self.base

    @property
    def fixed(self) -> list[Finding]:
        return [f for f in self.findings if f.fixed]

    @property
    def remaining(self) -> list[Finding]:
        return [f for f in self.findings if not f.fixed]

    def rel(self, finding: Finding) -> str:
        try:
            return Path(finding.path).relative_to(self.root).as_posix()
        except ValueError:
            return Path(finding.path).as_posix()


# -- the repository --------------------------------------------------------------------------


def open_repo(paths: Sequence[Path]) -> tuple[git.Repo, list[str]]:
    """The repository holding every path, and the paths relative to its work tree root."""
    if not paths:
        raise GitOpsError("no path given")
    first = paths[0]
    if not first.exists():
        raise GitOpsError(f"{first}: no such file or directory")
    start = first if first.is_dir() else first.parent
    try:
        repo = git.Repo(start, search_parent_directories=True)
    except (git.InvalidGitRepositoryError, git.NoSuchPathError):
        raise GitOpsError(f"{first}: not inside a git repository") from None
    if repo.bare or repo.working_tree_dir is None:
        raise GitOpsError(f"{first}: the repository is bare; run iacmod in a clone with a work tree")
    root = Path(repo.working_tree_dir).resolve()
    rels: list[str] = []
    for path in paths:
        if not path.exists():
            raise GitOpsError(f"{path}: no such file or directory")
        try:
            rel = path.resolve().relative_to(root).as_posix()
        except ValueError:
            raise GitOpsError(f"{path}: outside the repository at {root}; give paths in one repository") from None
        rels.append(rel or ".")
    return repo, rels


def root_of(repo: git.Repo) -> Path:
    assert repo.working_tree_dir is not None
    return Path(repo.working_tree_dir).resolve()


def _git_error(exc: git.GitCommandError) -> str:
    text = exc.stderr if isinstance(exc.stderr, str) else str(exc)
    text = text.strip().removeprefix("stderr:").strip().strip("'").strip()
    return " ".join(line.strip() for line in text.splitlines() if line.strip()) or f"git exited {exc.status}"


def resolve_base(repo: git.Repo, base: str | None) -> str:
    rev = base or "HEAD"
    try:
        # Git's dynamic commands are typed Any; without as_process they return stdout as str
        return cast(str, repo.git.rev_parse("--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}"))
    except git.GitCommandError:
        if base is None:
            raise GitOpsError("the repository has no commits yet: commit something, or pass --base") from None
        raise GitOpsError(f"unknown base revision {base!r}: no such commit, branch or tag") from None


def check_branch_name(repo: git.Repo, branch: str) -> None:
    try:
        repo.git.check_ref_format("--branch", branch)
    except git.GitCommandError:
        raise GitOpsError(f"{branch!r} is not a valid branch name") from None
    if branch.startswith("-") or branch == "HEAD":
        raise GitOpsError(f"{branch!r} is not a valid branch name")


def branch_sha(repo: git.Repo, branch: str) -> str | None:
    try:
        return cast(str, repo.git.rev_parse("--verify", "--quiet", f"refs/heads/{branch}^{{commit}}"))  # stdout (Any)
    except git.GitCommandError:
        return None


def worktree_holding(repo: git.Repo, branch: str) -> Path | None:
    """The work tree (the main one or a linked one) that has ``branch`` checked out."""
    out = repo.git.worktree("list", "--porcelain")
    current: Path | None = None
    for line in out.splitlines():
        if line.startswith("worktree "):
            current = Path(line[len("worktree ") :])
        elif line == f"branch refs/heads/{branch}":
            return current
    return None


def dirty_paths(repo: git.Repo, rels: Sequence[str]) -> list[str]:
    """Tracked files under ``rels`` whose working-copy or staged content differs from HEAD.
    Runs with GIT_OPTIONAL_LOCKS=0 so that not even the index's stat cache is rewritten."""
    with repo.git.custom_environment(GIT_OPTIONAL_LOCKS="0"):
        out = repo.git.status(
            "--porcelain=v1", "-z", "--untracked-files=no", "--", *rels, strip_newline_in_stdout=False
        )
    paths: list[str] = []
    entries = out.split("\0")
    i = 0
    while i < len(entries):
        entry = entries[i]
        i += 1
        if len(entry) < 4:
            continue
        status, path = entry[:2], entry[3:]
        if "R" in status or "C" in status:
            i += 1  # the rename's source path follows
        paths.append(path)
    return sorted(set(paths))


def is_iacmod_commit(message: str) -> bool:
    """True when the message's trailer block holds ``Generated-by: iacmod``."""
    paragraphs = [p for p in message.strip().split("\n\n") if p.strip()]
    if not paragraphs:
        return False
    return any(line.strip() == GENERATED_BY for line in paragraphs[-1].splitlines())


def foreign_commits(repo: git.Repo, base: str, ref: str) -> list[git.Commit]:
    """Commits reachable from ``ref`` but not from ``base`` that iacmod did not make."""
    return [c for c in repo.iter_commits(f"{base}..{ref}") if not is_iacmod_commit(str(c.message))]


def describe_commits(commits: Iterable[git.Commit], limit: int = 5) -> str:
    items = list(commits)
    lines = [f"{c.hexsha[:10]} {c.author.name} <{c.author.email}>: {str(c.summary)[:72]}" for c in items[:limit]]
    if len(items) > limit:
        lines.append(f"... and {len(items) - limit} more")
    return "; ".join(lines)


def same_fixes(repo: git.Repo, base: str, existing: str, build: Build) -> bool:
    """Does the existing branch hold exactly the commits ``build`` made (same trees, in the same
    order, directly on ``base``)? Then there is nothing new to commit."""
    if not build.changed:
        return existing == base
    old = list(reversed(list(repo.iter_commits(f"{base}..{existing}"))))
    if len(old) != len(build.commits):
        return False
    parent = base
    for have, want in zip(old, build.commits):
        if [p.hexsha for p in have.parents] != [parent] or have.tree.hexsha != want.tree:
            return False
        parent = have.hexsha
    return True


def update_branch(repo: git.Repo, branch: str, new: str, old: str | None, reason: str) -> None:
    """Point ``branch`` at ``new``, only if it is still at ``old`` (or still absent)."""
    try:
        repo.git.update_ref("-m", f"iacmod: {reason}", f"refs/heads/{branch}", new, old or "")
    except git.GitCommandError as exc:
        raise GitOpsError(
            f"cannot update branch {branch}: {_git_error(exc)} (did it change meanwhile? run again)"
        ) from None


def resolve_author(repo: git.Repo, author: str | None) -> Identity:
    """``--author``, else the git identity (environment, then config), else iacmod's default."""
    if author:
        return Identity.parse(author)

    def config(key: str) -> str:
        try:
            return cast(str, repo.git.config("--get", key)).strip()  # stdout (Git commands are typed Any)
        except git.GitCommandError:
            return ""

    name = os.environ.get("GIT_AUTHOR_NAME") or config("user.name")
    email = os.environ.get("GIT_AUTHOR_EMAIL") or config("user.email")
    if name and email:
        return Identity(name, email)
    return Identity(*DEFAULT_AUTHOR)


# -- commit messages -------------------------------------------------------------------------


def plural(n: int, word: str, many: str | None = None) -> str:
    return f"{n} {word if n == 1 else (many or word + 's')}"


def safety_label(findings: Sequence[Finding]) -> str:
    counts = Counter(f.safety.value for f in findings)
    if len(counts) == 1:
        return next(iter(counts))
    return ", ".join(f"{n} {k}" for k, n in sorted(counts.items()))


def rule_rows(fixed: Sequence[Finding]) -> list[tuple[str, str, int, str]]:
    """(code, name, count, safety) per rule, by code."""
    groups: dict[tuple[str, str], list[Finding]] = {}
    for f in fixed:
        groups.setdefault((f.code, f.rule), []).append(f)
    return [(code, name, len(fs), safety_label(fs)) for (code, name), fs in sorted(groups.items())]


def commit_message(fixed: Sequence[Finding], files: Sequence[str]) -> str:
    rows = rule_rows(fixed)
    n = sum(r[2] for r in rows)
    if len(rows) == 1:
        subject = f"fix(iacmod): {rows[0][1]} ({plural(n, 'fix', 'fixes')} in {plural(len(files), 'file')})"
    else:
        subject = (
            f"fix(iacmod): apply {plural(n, 'fix', 'fixes')} of {plural(len(rows), 'rule')} "
            f"in {plural(len(files), 'file')}"
        )
    body = ["Rules applied:"]
    body += [f"- {code} {name}: {plural(count, 'fix', 'fixes')} ({safety})" for code, name, count, safety in rows]
    body += ["", "Files changed:"]
    body += [f"- {f}" for f in files]
    trailers = [GENERATED_BY, f"{VERSION_TRAILER}: {__version__}"]
    return "\n".join([subject, "", *body, "", *trailers]) + "\n"


# -- computing the fixes ---------------------------------------------------------------------


def _map_options(options: api.RunOptions, wt: Path, root: Path, rels: Sequence[str]) -> api.RunOptions:
    config_file = options.config_file
    if config_file is not None:
        try:
            mapped = wt / config_file.resolve().relative_to(root)
            if mapped.is_file():
                config_file = mapped  # the base revision's config, not the working copy's
        except ValueError:
            pass  # a config file outside the repository is used as it is
    return dataclasses.replace(options, paths=tuple(wt / r for r in rels), config_file=config_file)


def _steps(tasks: list[tuple[Path, Settings]], per_rule: bool) -> list[list[tuple[Path, Settings]]]:
    if not per_rule:
        return [tasks]
    rules = sorted({r for _, s in tasks for r in s.rules}, key=lambda r: r.code)
    return [[(p, dataclasses.replace(s, rules=(rule,))) for p, s in tasks if rule in s.rules] for rule in rules]


def build_fixes(
    repo: git.Repo,
    base: str,
    rels: Sequence[str],
    options: api.RunOptions,
    *,
    author: Identity,
    commit_per_rule: bool = False,
    fixer: Callable[[list[tuple[Path, Settings]], Callable[[Path | str], Path]], list[FileResult]] | None = None,
) -> Build:
    """Compute the fixes on ``base`` in a temporary detached worktree and commit them there (one
    commit, or one per rule in code order). The worktree is always removed."""
    root = root_of(repo)
    build = Build(root=root, base=base, tip=base)
    holder = Path(tempfile.mkdtemp(prefix="iacmod-"))
    wt = holder / "tree"
    try:
        try:
            repo.git.worktree("add", "--detach", "--quiet", str(wt), base)
        except git.GitCommandError as exc:
            raise GitOpsError(f"cannot create a temporary worktree: {_git_error(exc)}") from None
        wt_git = git.Git(str(wt))

        def to_user(path: Path | str) -> Path:
            try:
                return root / Path(path).relative_to(wt)
            except ValueError:
                return Path(path)

        missing = [r for r in rels if not (wt / r).exists()]
        if missing:
            raise GitOpsError(
                f"{', '.join(missing)}: not in the base revision {base[:10]} "
                "(not committed yet? commit it, or pass another --base)"
            )
        try:
            tasks = api.plan(_map_options(options, wt, root, rels))
        except ConfigError as exc:
            raise ConfigError(str(exc).replace(str(wt), str(root))) from None
        build.files_checked = len(tasks)
        changed_all: set[str] = set()
        for step in _steps(tasks, commit_per_rule):
            # ``fixer``: what computes the step's results instead of the engine run (``apply
            # --interactive`` asks about each fix); it gets the worktree's files and to_user
            results = fixer(step, to_user) if fixer is not None else engine.run(step, options.jobs)
            write_errors = api.write(results)
            unwritten = {e.path for e in write_errors}
            for r in results:
                build.findings += [dataclasses.replace(f, path=str(to_user(f.path))) for f in r.findings]
                build.errors += [dataclasses.replace(e, path=str(to_user(e.path))) for e in r.errors]
            build.errors += [dataclasses.replace(e, path=str(to_user(e.path))) for e in write_errors]
            changed = sorted(
                Path(r.path).relative_to(wt).as_posix() for r in results if r.changed and str(r.path) not in unwritten
            )
            if not changed:
                continue
            fixed = [f for r in results if r.changed for f in r.findings if f.fixed]
            message_file = holder / "message"
            message_file.write_text(
                commit_message([dataclasses.replace(f, path=str(to_user(f.path))) for f in fixed], changed),
                encoding="utf-8",
            )
            try:
                wt_git.add("--", *changed)
                with wt_git.custom_environment(**author.env()):
                    wt_git.commit("--no-verify", "--quiet", "-F", str(message_file))
            except git.GitCommandError as exc:
                raise GitOpsError(f"cannot commit the fixes: {_git_error(exc)}") from None
            sha = wt_git.rev_parse("HEAD")
            tree = wt_git.rev_parse("HEAD^{tree}")
            subject = message_file.read_text(encoding="utf-8").splitlines()[0]
            build.commits.append(Commit(sha, tree, subject))
            build.tip = sha
            changed_all.update(changed)
        build.changed_files = sorted(changed_all)
        if build.changed:
            build.diff = repo.git.diff(
                "--no-color", "--no-ext-diff", "--no-textconv", base, build.tip, strip_newline_in_stdout=False
            )
        return build
    finally:
        try:
            repo.git.worktree("remove", "--force", str(wt))
        except git.GitCommandError:
            shutil.rmtree(wt, ignore_errors=True)
            try:
                repo.git.worktree("prune")
            except git.GitCommandError:
                pass
        shutil.rmtree(holder, ignore_errors=True)
