"""Which files a run looks at.

Directories are walked for ``*.py`` files and for files matching the enabled rules' document
patterns (ASL JSON/YAML), honouring ``.gitignore`` files (each relative to its own folder, plus
``.git/info/exclude``), configured ``exclude`` globs, and skipping virtualenvs, VCS and build
folders. Files named explicitly on the command line are always taken.
"""

from __future__ import annotations

import fnmatch
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import pathspec

SKIP_DIRS = frozenset(
    {
        ".git", ".hg", ".svn", ".venv", "venv", ".env", "env", "__pycache__", "node_modules",
        "build", "dist", "cdk.out", ".tox", ".nox", ".mypy_cache", ".pytest_cache",
        ".ruff_cache", "site-packages", ".eggs", ".terraform", ".pulumi", ".aws-sam",
        ".serverless", ".idea", ".vscode",
    }
)
PYTHON_PATTERNS = ("*.py",)


@dataclass(frozen=True)
class Excludes:
    """Configured ``exclude`` globs (gitignore syntax), relative to ``root``."""

    root: Path | None
    spec: pathspec.PathSpec | None

    @classmethod
    def from_globs(cls, root: Path | None, globs: Sequence[str]) -> "Excludes":
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
        return self.spec.match_file(rel + ("/" if is_dir else ""))


def _is_venv(folder: Path) -> bool:
    return (folder / "pyvenv.cfg").is_file() or (folder / "conda-meta").is_dir()


class _Ignores:
    """The stack of .gitignore specs that apply inside a walk."""

    def __init__(self) -> None:
        self.specs: list[tuple[Path, pathspec.PathSpec]] = []

    def load(self, folder: Path) -> None:
        for f in (folder / ".git" / "info" / "exclude", folder / ".gitignore"):
            if f.is_file():
                try:
                    lines = f.read_text(encoding="utf-8", errors="replace").splitlines()
                except OSError:
                    continue
                self.specs.append((folder, pathspec.GitIgnoreSpec.from_lines(lines)))

    def ignored(self, path: Path, is_dir: bool) -> bool:
        result = False
        for base, spec in self.specs:
            try:
                rel = path.relative_to(base).as_posix()
            except ValueError:
                continue
            if is_dir:
                rel += "/"
            include = spec.check_file(rel).include  # True: ignored, False: re-included (!)
            if include is not None:
                result = include
        return result


def _git_root_ignores(start: Path) -> _Ignores:
    """Ignore files of the enclosing repository above ``start`` (so `iacmod apply repo/sub`
    honours repo/.gitignore too)."""
    ignores = _Ignores()
    chain = []
    for folder in (start, *start.parents):
        chain.append(folder)
        if (folder / ".git").exists():
            break
    else:
        chain = [start]
    for folder in reversed(chain[1:]):
        ignores.load(folder)
    return ignores


def discover(
    paths: Iterable[Path],
    excludes: Excludes,
    patterns: Sequence[str] = PYTHON_PATTERNS,
) -> Iterator[Path]:
    """Files to process, each once, in a stable order."""
    seen: set[Path] = set()
    for given in paths:
        if given.is_file():
            key = given.resolve()
            if key not in seen:
                seen.add(key)
                yield given
            continue
        if not given.is_dir():
            continue
        root = given.resolve()
        ignores = _git_root_ignores(root)
        yield from _walk(given, root, ignores, excludes, patterns, seen)


def _walk(
    shown: Path,
    real: Path,
    ignores: _Ignores,
    excludes: Excludes,
    patterns: Sequence[str],
    seen: set[Path],
) -> Iterator[Path]:
    depth = len(ignores.specs)
    ignores.load(real)
    try:
        entries = sorted(os.scandir(real), key=lambda e: e.name)
    except OSError:
        return
    for entry in entries:
        path_real = real / entry.name
        path_shown = shown / entry.name
        if entry.is_dir(follow_symlinks=False):
            if entry.name in SKIP_DIRS or entry.name.endswith(".egg-info") or _is_venv(path_real):
                continue
            if ignores.ignored(path_real, True) or excludes.excluded(path_real, True):
                continue
            yield from _walk(path_shown, path_real, ignores, excludes, patterns, seen)
        elif entry.is_file(follow_symlinks=False):
            if not any(fnmatch.fnmatch(entry.name, p) for p in patterns):
                continue
            if ignores.ignored(path_real, False) or excludes.excluded(path_real, False):
                continue
            if path_real not in seen:
                seen.add(path_real)
                yield path_shown
    del ignores.specs[depth:]
