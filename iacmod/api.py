"""The programmatic entry point: plan a run over paths, run it, write the results.

The CLI, the branch committer and the pull-request bot all go through here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from iacmod import engine
from iacmod.config import Config, ConfigError, config_of_folder, load_explicit, selected_rules
from iacmod.config import clear_cache as clear_config_cache
from iacmod.discovery import PYTHON_PATTERNS, Excludes, Rules, Selection, select_files
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
    force_exclude: bool = False  # exclude, ignore files and vendored/generated apply to named files too
    include_vendored: bool = False  # check vendored folders and generated files too
    cache: bool = False  # use the result cache (iacmod.cache); the CLI turns it on unless --no-cache
    cache_dir: Path | None = None  # default: $IACMOD_CACHE_DIR or .iacmod_cache
    baseline: Path | None = None  # hold back the fixes of the findings this baseline holds


@dataclass
class Plan:
    """The files of a run with their settings, and what discovery left out (for the summary)."""

    tasks: list[tuple[Path, Settings]]
    selection: Selection


def _planner(
    options: RunOptions,
) -> tuple[Callable[[Path], Config], Callable[[Config, Path | None], Settings], Callable[[Path], Rules]]:
    """Per-folder configuration, settings and discovery rules, each computed once."""
    explicit = load_explicit(options.config_file) if options.config_file is not None else None
    settings_by: dict[tuple[int, tuple[str, ...]], Settings] = {}
    rules_by: dict[int, Rules] = {}
    configs: dict[int, Config] = {}

    def config_for(folder: Path) -> Config:
        config = explicit if explicit is not None else config_of_folder(folder)
        configs[id(config)] = config
        return config

    def settings_for(config: Config, path: Path | None) -> Settings:
        ignored = config.ignored_for(path) if path is not None else ()
        key = (id(config), ignored)
        settings = settings_by.get(key)
        if settings is None:
            try:
                rules = selected_rules(
                    config,
                    all_=options.all_rules,
                    select=list(options.select),
                    ignore=list(options.ignore) + list(ignored),
                )
            except SelectionError as exc:
                raise ConfigError(str(exc)) from None
            unsafe = config.unsafe_fixes if options.unsafe_fixes is None else options.unsafe_fixes
            settings = Settings(rules, unsafe, config.rule_options, default_passes(), skip_generated=False)
            settings_by[key] = settings
        return settings

    def rules_for(folder: Path) -> Rules:
        config = config_for(folder)
        rules = rules_by.get(id(config))
        if rules is None:
            settings = settings_for(config, None)
            rules = Rules(
                Excludes.from_globs(config.root, config.exclude), PYTHON_PATTERNS + settings.document_patterns
            )
            rules_by[id(config)] = rules
        return rules

    return config_for, settings_for, rules_for


def plan_run(options: RunOptions) -> Plan:
    """Every file the run covers with its settings: the configuration is resolved per file (the
    nearest iacmod.toml / pyproject.toml [tool.iacmod] above it, or --config), with its
    per-file-ignores. Raises ConfigError for bad settings."""
    clear_config_cache()
    for given in options.paths:
        if not given.exists():
            raise ConfigError(f"{given}: no such file or directory")
    config_for, settings_for, rules_for = _planner(options)
    selection = select_files(
        options.paths, rules_for, force_exclude=options.force_exclude, include_vendored=options.include_vendored
    )
    tasks = []
    for path, real in zip(selection.files, selection.real):
        tasks.append((path, settings_for(config_for(real.parent), real)))
    return Plan(tasks, selection)


def plan(options: RunOptions) -> list[tuple[Path, Settings]]:
    """(file, settings) for every file the run covers. Raises ConfigError for bad settings."""
    return plan_run(options).tasks


def run(
    options: RunOptions, progress: Callable[[int], None] | None = None, on_plan: Callable[[int], None] | None = None
) -> RunResult:
    the_plan = plan_run(options)
    tasks = the_plan.tasks
    if options.baseline is not None:
        tasks = _hold_baselined(tasks, options)
    if on_plan:
        on_plan(len(tasks))
    result = RunResult(run_tasks(tasks, options, progress))
    result.selection = the_plan.selection
    return result


def run_tasks(
    tasks: list[tuple[Path, Settings]], options: RunOptions, progress: Callable[[int], None] | None = None
) -> list[FileResult]:
    """The engine over ``tasks``, through the result cache when ``options.cache``."""
    if not options.cache:
        return engine.run(tasks, options.jobs, progress)
    from iacmod.cache import Cache

    cache = Cache(options.cache_dir)
    results: list[FileResult | None] = [None] * len(tasks)
    misses: list[int] = []
    contents: dict[int, bytes] = {}
    for i, (path, settings) in enumerate(tasks):
        try:
            data = path.read_bytes()
        except OSError:
            misses.append(i)
            continue
        contents[i] = data
        hit = cache.get(path, data, settings)
        if hit is None:
            misses.append(i)
        else:
            results[i] = hit
    if progress and len(misses) < len(tasks):
        progress(len(tasks) - len(misses))
    computed = engine.run([tasks[i] for i in misses], options.jobs, progress)
    for i, result in zip(misses, computed):
        results[i] = result
        if i in contents and not result.errors:
            cache.put(tasks[i][0], contents[i], tasks[i][1], result)
        elif i in contents and all(e.message.startswith("syntax error") for e in result.errors):
            cache.put(tasks[i][0], contents[i], tasks[i][1], result)
    # every slot is filled (a hit or a computed result), which a list's element type cannot record
    return results  # type: ignore[return-value]


def _hold_baselined(tasks: list[tuple[Path, Settings]], options: RunOptions) -> list[tuple[Path, Settings]]:
    """``apply --baseline``: the findings the baseline holds keep their code (their fixes are held
    back). A first pass finds them (in check mode: nothing is written); the files holding one get
    settings that hold those fixes."""
    import dataclasses

    from iacmod.baseline import Baseline, split

    baseline = Baseline.load(options.baseline)  # type: ignore[arg-type]  # called only with a baseline
    found = run_tasks(tasks, dataclasses.replace(options, baseline=None))
    held, _ = split(baseline, found)
    out = list(tasks)
    for i, indexes in held.items():
        path, settings = tasks[i]
        hold = frozenset(
            (f.code, f.span.start.line, f.span.start.column) for j, f in enumerate(found[i].findings) if j in indexes
        )
        out[i] = (path, dataclasses.replace(settings, hold=settings.hold | hold))
    return out


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


# -- one piece of code: stdin, pipes, editors, interactive review --------------------------------


def settings_for_file(options: RunOptions, path: Path) -> tuple[Settings | None, str | None]:
    """The settings for code named ``path`` (which need not exist: ``--stdin-filename``, an
    editor's unsaved buffer): the configuration nearest to it (or ``--config``), with its
    per-file-ignores. ``(None, reason)`` when its ``exclude`` globs exclude it. Raises ConfigError."""
    clear_config_cache()
    config_for, settings_for, _ = _planner(options)
    real = Path(path).absolute()
    config = config_for(real.parent)
    if Excludes.from_globs(config.root, config.exclude).excluded(real, False):
        return None, f"{path}: excluded by `exclude` in {config.root or 'the configuration'}"
    return settings_for(config, real), None


def check_source(data: bytes, path: Path, settings: Settings) -> FileResult:
    """The engine on code given as bytes (not read from ``path``), as ``check``/``apply`` run it
    on a file: the result's ``new_source`` holds the fixed code (nothing is written)."""
    import dataclasses

    return engine.process_source(Path(path), data, dataclasses.replace(settings, skip_generated=False))


def fix_only(data: bytes, path: Path, settings: Settings, keys: Iterable[tuple[str, int, int, int, int]]) -> FileResult:
    """Apply exactly the fixes of the findings whose ``Finding.fix_key`` is in ``keys`` (safe or
    unsafe; keys are located in ``data``), nothing else: the engine's ``Settings.only``."""
    import dataclasses

    return check_source(data, path, dataclasses.replace(settings, only=frozenset(keys)))


def offered(data: bytes, path: Path, settings: Settings) -> FileResult:
    """The findings of ``data`` with every fix the rules offer, safe and unsafe (nothing applied):
    what interactive review and editor code actions choose from."""
    import dataclasses

    return check_source(data, path, dataclasses.replace(settings, unsafe_fixes=True, only=frozenset()))
