"""The programmatic entry point: plan a run over paths, run it, write the results.

The CLI, the branch committer and the pull-request bot all go through here.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

from iacmod import engine
from iacmod.config import Config, ConfigError, find_config, load_explicit, selected_rules
from iacmod.discovery import PYTHON_PATTERNS, Excludes, discover
from iacmod.engine import Settings
from iacmod.findings import FileError, FileResult, Finding, RunResult
from iacmod.registry import SelectionError, default_passes
from iacmod.writer import atomic_write


@dataclass(frozen=True)
class RunOptions:
    paths: tuple[Path, ...]
    all_rules: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    unsafe_fixes: bool | None = None  # None: as configured
    jobs: int | None = None
    config_file: Path | None = None


def _config_for(path: Path, options: RunOptions) -> Config:
    if options.config_file is not None:
        return load_explicit(options.config_file)
    return find_config(path)


def plan(options: RunOptions) -> list[tuple[Path, Settings]]:
    """(file, settings) for every file the run covers. Raises ConfigError for bad settings."""
    tasks: list[tuple[Path, Settings]] = []
    seen: set[Path] = set()
    for given in options.paths:
        if not given.exists():
            raise ConfigError(f"{given}: no such file or directory")
        config = _config_for(given, options)
        try:
            rules = selected_rules(
                config, all_=options.all_rules, select=list(options.select), ignore=list(options.ignore)
            )
        except SelectionError as exc:
            raise ConfigError(str(exc)) from None
        unsafe = config.unsafe_fixes if options.unsafe_fixes is None else options.unsafe_fixes
        settings = Settings(rules, unsafe, config.rule_options, default_passes())
        patterns = PYTHON_PATTERNS + settings.document_patterns
        excludes = Excludes.from_globs(config.root, config.exclude)
        for path in discover([given], excludes, patterns):
            key = path.resolve()
            if key not in seen:
                seen.add(key)
                tasks.append((path, settings))
    return tasks


def run(options: RunOptions, progress: Callable[[int], None] | None = None,
        on_plan: Callable[[int], None] | None = None) -> RunResult:
    tasks = plan(options)
    if on_plan:
        on_plan(len(tasks))
    return RunResult(engine.run(tasks, options.jobs, progress))


def as_written(result: FileResult) -> list[Finding]:
    """The file's findings located in its new text when it changed (the engine locates them in
    the text it read)."""
    if not result.changed or not result.findings:
        return list(result.findings)
    assert result.old_source is not None and result.new_source is not None
    encoding = "utf-8"
    try:
        old = result.old_source.decode(encoding)
        new = result.new_source.decode(encoding)
    except UnicodeDecodeError:
        return list(result.findings)
    return engine.relocate(result.findings, old, new)


def write(results: Sequence[FileResult]) -> list[FileError]:
    """Write every changed file atomically; report (not raise) files that cannot be written."""
    errors: list[FileError] = []
    for result in results:
        if not result.changed:
            continue
        assert result.new_source is not None
        try:
            atomic_write(result.path, result.new_source)
        except OSError as exc:
            errors.append(FileError(str(result.path), 1, f"cannot write file: {exc.strerror}; left as it was"))
    return errors
