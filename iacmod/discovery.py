"""Which files a run looks at.

Directories are walked for ``*.py`` files and for files matching the enabled rules' document
patterns (ASL JSON/YAML). Inside a git work tree the answer is git's own, ``git ls-files
--cached --others --exclude-standard`` (tracked files, and untracked ones that ``.gitignore``,
``.git/info/exclude`` and the global ``core.excludesFile`` do not ignore); outside one (or
without a ``git`` executable) the same ignore files are read with pathspec. Either way ``.ignore``
files (ripgrep's and fd's convention) and the configured ``exclude`` globs (of the configuration
that applies to each folder) are honoured, and these are skipped: VCS, virtualenv, cache and
build folders (``SKIP_DIRS``), vendored folders and generated files (:mod:`iacmod.vendored`;
``include_vendored`` keeps them).

Files named explicitly on the command line are taken as they are, unless ``force_exclude`` is
set: then ``exclude``, the ignore files, ``SKIP_DIRS`` and the vendored/generated checks apply to
them too (the pre-commit hooks pass ``--force-exclude``, since pre-commit names every staged
file). Without it, a generated or vendored file named explicitly is checked, and the run's
summary says so.
"""

from __future__ import annotations

import fnmatch
import os
import shutil
import subprocess
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import pathspec

from iacmod.vendored import is_generated_file, vendored_dir

SKIP_DIRS = frozenset(
    {
        ".git",
        ".hg",
        ".svn",
        ".venv",
        "venv",
        ".env",
        "env",
        "__pycache__",
        "node_modules",
        "build",
        "dist",
        "cdk.out",
        ".tox",
        ".nox",
        ".mypy_cache",
        ".pytest_cache",
        ".ruff_cache",
        ".iacmod_cache",
        ".eggs",
        ".terraform",
        ".pulumi",
        ".aws-sam",
        ".serverless",
        ".idea",
        ".vscode",
    }
)
PYTHON_PATTERNS = ("*.py",)
IGNORE_FILES = (".gitignore", ".ignore")  # per folder; .git/info/exclude and core.excludesFile per repo


@dataclass(frozen=True)
class Excludes:
    """Configured ``exclude`` globs (gitignore syntax), relative to ``root``."""

    root: Path | None
    spec: pathspec.GitIgnoreSpec | None

    @classmethod
    def from_globs(cls, root: Path | None, globs: Sequence[str]) -> Excludes:
        if not globs:
            return cls(root, None)
        return cls(root, pathspec.GitIgnoreSpec.from_lines(globs))

    def excluded(self, path: Path, is_dir: bool = False) -> bool:
        if self.spec is None:
            return False
        base = self.root or Path.cwd()
        try:
            rel = path.resolve().relative_to(base.resolve()).as_posix()
        except ValueError:
            rel = path.as_posix()
        if self.spec.match_file(rel + ("/" if is_dir else "")):
            return True
        # a file inside an excluded folder is excluded too (`legacy/` excludes legacy/a/b.py)
        parts = rel.split("/")
        return any(self.spec.match_file("/".join(parts[:i]) + "/") for i in range(1, len(parts)))


NO_EXCLUDES = Excludes(None, None)


@dataclass(frozen=True)
class Rules:
    """What applies inside one folder: the configured excludes and the file patterns to take."""

    excludes: Excludes = NO_EXCLUDES
    patterns: tuple[str, ...] = PYTHON_PATTERNS


@dataclass
class Selection:
    """The files of a run, and what was left out or taken specially (for the summary)."""

    files: list[Path] = field(default_factory=list)
    real: list[Path] = field(default_factory=list)  # each file's resolved path (same order)
    explicit: set[Path] = field(default_factory=set)  # resolved paths named on the command line
    vendored_dirs: set[Path] = field(default_factory=set)  # vendored folders skipped (resolved)
    skipped_generated: int = 0
    explicit_excluded: list[Path] = field(default_factory=list)  # named, left out by --force-exclude
    explicit_special: list[tuple[Path, str]] = field(default_factory=list)  # named, generated/vendored, checked
    unreadable: list[Path] = field(default_factory=list)  # named, but no rule reads this kind of file


# -- ignore files --------------------------------------------------------------------------------


def _read_spec(path: Path) -> pathspec.GitIgnoreSpec | None:
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    return pathspec.GitIgnoreSpec.from_lines(lines)


@lru_cache(maxsize=1)
def global_excludes_file() -> Path | None:
    """git's ``core.excludesFile`` (default ``$XDG_CONFIG_HOME/git/ignore``)."""
    configured = None
    if shutil.which("git"):
        try:
            out = subprocess.run(
                ["git", "config", "--global", "--path", "--get", "core.excludesFile"],
                capture_output=True,
                text=True,
                timeout=10,
            )
            configured = out.stdout.strip() or None
        except (OSError, subprocess.SubprocessError):
            configured = None
    if configured:
        return Path(os.path.expanduser(configured))
    xdg = os.environ.get("XDG_CONFIG_HOME") or os.path.join(os.path.expanduser("~"), ".config")
    default = Path(xdg) / "git" / "ignore"
    return default if default.is_file() else None


class _Ignores:
    """Ignore specs by folder (each relative to its folder), read once; a path is ignored when the
    last spec (deepest folder last) that says something about it, or about a folder above it,
    says so (``!`` re-includes)."""

    def __init__(self, names: Sequence[str] = IGNORE_FILES) -> None:
        self.names = names
        self.by_folder: dict[Path, list[pathspec.GitIgnoreSpec]] = {}
        self.extra: list[tuple[Path, pathspec.GitIgnoreSpec]] = []  # repo-wide: info/exclude, global

    def add_repo(self, root: Path) -> None:
        for f in (root / ".git" / "info" / "exclude", global_excludes_file()):
            if f is not None and f.is_file():
                spec = _read_spec(f)
                if spec is not None:
                    self.extra.append((root, spec))

    def specs(self, folder: Path) -> list[pathspec.GitIgnoreSpec]:
        found = self.by_folder.get(folder)
        if found is None:
            found = []
            for name in self.names:
                f = folder / name
                if f.is_file():
                    spec = _read_spec(f)
                    if spec is not None:
                        found.append(spec)
            self.by_folder[folder] = found
        return found

    def _verdict(self, path: Path, is_dir: bool, top: Path) -> bool | None:
        result: bool | None = None
        chain = [(base, spec) for base, spec in self.extra]
        folder = path.parent
        folders = []
        while True:
            folders.append(folder)
            if folder == top or folder == folder.parent:
                break
            folder = folder.parent
        for f in reversed(folders):
            chain += [(f, spec) for spec in self.specs(f)]
        for base, spec in chain:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            verdict = spec.check_file(rel + ("/" if is_dir else "")).include
            if verdict is not None:
                result = verdict
        return result

    def ignored(self, path: Path, is_dir: bool, top: Path) -> bool:
        """``path`` (absolute) ignored by the ignore files between ``top`` and it."""
        return bool(self._verdict(path, is_dir, top))

    def ignored_with_parents(self, path: Path, top: Path) -> bool:
        """A file, or a folder above it up to ``top``, is ignored."""
        try:
            rel = path.relative_to(top)
        except ValueError:
            return self.ignored(path, False, path.parent)
        current = top
        for part in rel.parts[:-1]:
            current = current / part
            if self.ignored(current, True, top):
                return True
        return self.ignored(path, False, top)


def _repo_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _git_files(folder: Path) -> list[str] | None:
    """``git ls-files -co --exclude-standard`` under ``folder`` (paths relative to it), or None
    when git is unavailable or ``folder`` is not in a work tree."""
    if not shutil.which("git"):
        return None
    try:
        out = subprocess.run(
            [
                "git",
                "-c",
                "core.quotePath=off",
                "ls-files",
                "-z",
                "--cached",
                "--others",
                "--exclude-standard",
                "--",
                ".",
            ],
            cwd=folder,
            capture_output=True,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    if out.returncode != 0:
        return None
    names = out.stdout.decode("utf-8", errors="surrogateescape").split("\0")
    return sorted({n for n in names if n and not n.endswith("/")})


# -- the selection -------------------------------------------------------------------------------


class _Selector:
    def __init__(
        self, rules_for: Callable[[Path], Rules], force_exclude: bool, include_vendored: bool, use_git: bool = True
    ) -> None:
        self.rules_for = rules_for
        self.force_exclude = force_exclude
        self.include_vendored = include_vendored
        self.use_git = use_git
        self.ignores = _Ignores()
        self.dot_ignores = _Ignores((".ignore",))  # in git mode: git knows only .gitignore
        self.repos: set[Path] = set()
        self.folder_ok: dict[Path, str] = {}  # why a folder is skipped, "" when it is not
        self.selection = Selection()
        self.seen: set[Path] = set()

    def _repo(self, folder: Path) -> Path | None:
        root = _repo_root(folder)
        if root is not None and root not in self.repos:
            self.repos.add(root)
            self.ignores.add_repo(root)
        return root

    def _folder_skipped(self, folder: Path) -> str | None:
        """Why a folder is skipped (None: it is not)."""
        if folder.name in SKIP_DIRS or folder.name.endswith(".egg-info"):
            return "skip"
        if not self.include_vendored and vendored_dir(folder) is not None:
            self.selection.vendored_dirs.add(folder)
            return "vendored"
        if self.rules_for(folder).excludes.excluded(folder, True):
            return "excluded"
        return None

    def _folders_ok(self, folder: Path, top: Path) -> str | None:
        """Why some folder between ``top`` (exclusive) and ``folder`` is skipped."""
        if folder == top or top not in folder.parents:
            return None
        cached = self.folder_ok.get(folder)
        if cached is None:
            cached = self._folders_ok(folder.parent, top) or self._folder_skipped(folder) or ""
            self.folder_ok[folder] = cached
        return cached or None

    def _take(self, shown: Path, real: Path) -> None:
        if real in self.seen:
            return
        self.seen.add(real)
        self.selection.files.append(shown)
        self.selection.real.append(real)

    def _file_wanted(self, real: Path, rules: Rules) -> bool:
        return any(fnmatch.fnmatch(real.name, p) for p in rules.patterns)

    def _generated(self, real: Path) -> bool:
        return not self.include_vendored and is_generated_file(real)

    # a directory given on the command line
    def walk(self, given: Path) -> None:
        top = given.resolve()
        repo = self._repo(top)
        names = _git_files(top) if (self.use_git and repo is not None) else None
        if names is not None:
            candidates: Iterable[tuple[Path, Path]] = ((given / n, top / n) for n in names)
        else:
            candidates = self._walk(given, top, top)
        for shown, real in candidates:
            rules = self.rules_for(real.parent)
            if not self._file_wanted(real, rules) or os.path.islink(real) or not real.is_file():
                continue
            if self._folders_ok(real.parent, top) is not None:
                continue
            if names is not None and self.dot_ignores.ignored_with_parents(real, top):
                continue  # .ignore files (git knows only .gitignore)
            if rules.excludes.excluded(real, False):
                continue
            if self._generated(real):
                self.selection.skipped_generated += 1
                continue
            self._take(shown, real)

    def _walk(self, shown: Path, real: Path, top: Path) -> Iterator[tuple[Path, Path]]:
        """Without git: every file below, minus what the ignore files ignore (folders pruned)."""
        try:
            entries = sorted(os.scandir(real), key=lambda e: e.name)
        except OSError:
            return
        for entry in entries:
            path_real = real / entry.name
            if entry.is_dir(follow_symlinks=False):
                if entry.name in SKIP_DIRS or self.ignores.ignored(path_real, True, top):
                    continue
                if self._folders_ok(path_real, top) is not None:
                    continue  # vendored or excluded: not walked at all
                yield from self._walk(shown / entry.name, path_real, top)
            elif entry.is_file(follow_symlinks=False):
                if not self.ignores.ignored(path_real, False, top):
                    yield shown / entry.name, path_real

    # a file given on the command line
    def explicit(self, given: Path) -> None:
        real = given.resolve()
        self.selection.explicit.add(real)
        rules = self.rules_for(real.parent)
        special = self._special(given, real)
        if self.force_exclude and (special or self._ignored_explicit(given, real, rules)):
            self.selection.explicit_excluded.append(given)
            return
        if not self._file_wanted(real, rules):
            self.selection.unreadable.append(given)
            return
        if special in ("generated", "vendored"):
            self.selection.explicit_special.append((given, special))
        self._take(given, real)

    def _special(self, given: Path, real: Path) -> str | None:
        if self.include_vendored:
            return None
        stop = self._stop(real)
        folder = real.parent
        while folder != stop and stop in folder.parents:
            if folder.name in SKIP_DIRS or vendored_dir(folder) is not None:
                return "vendored"
            folder = folder.parent
        if is_generated_file(real):
            return "generated"
        return None

    def _stop(self, real: Path) -> Path:
        """Where the folder checks of a named file stop: its repository's root, else the current
        folder when the file is below it, else the file's folder."""
        repo = self._repo(real.parent)
        if repo is not None:
            return repo
        cwd = Path.cwd().resolve()
        return cwd if cwd in real.parents else real.parent

    def _ignored_explicit(self, given: Path, real: Path, rules: Rules) -> bool:
        if rules.excludes.excluded(real, False):
            return True
        stop = self._stop(real)
        repo = _repo_root(real.parent)
        if repo is not None and self.use_git and shutil.which("git"):
            try:
                out = subprocess.run(
                    ["git", "check-ignore", "-q", "--", str(real)], cwd=repo, capture_output=True, timeout=30
                )
                tracked = subprocess.run(
                    ["git", "ls-files", "--error-unmatch", "--", str(real)], cwd=repo, capture_output=True, timeout=30
                )
                if out.returncode == 0 and tracked.returncode != 0:
                    return True
            except (OSError, subprocess.SubprocessError):
                pass
        return self.ignores.ignored_with_parents(real, stop)


def select_files(
    paths: Iterable[Path],
    rules_for: Callable[[Path], Rules],
    *,
    force_exclude: bool = False,
    include_vendored: bool = False,
    use_git: bool = True,
) -> Selection:
    """The files of a run (each once, in a stable order) and what was left out.
    ``rules_for(folder)``: the excludes and file patterns of the configuration for that folder."""
    selector = _Selector(rules_for, force_exclude, include_vendored, use_git)
    for given in paths:
        if given.is_file():
            selector.explicit(given)
        elif given.is_dir():
            selector.walk(given)
    return selector.selection


def discover(
    paths: Iterable[Path],
    excludes: Excludes,
    patterns: Sequence[str] = PYTHON_PATTERNS,
    *,
    force_exclude: bool = False,
    include_vendored: bool = False,
    use_git: bool = True,
) -> Iterator[Path]:
    """Files to process with one set of excludes and patterns (see :func:`select_files`)."""
    rules = Rules(excludes, tuple(patterns))
    yield from select_files(
        paths, lambda _folder: rules, force_exclude=force_exclude, include_vendored=include_vendored, use_git=use_git
    ).files
