"""iacmod's configuration: ``[tool.iacmod]`` of a pyproject.toml, or the top level of an iacmod.toml.

Resolved per file, hierarchically (as Ruff): the configuration that applies to a file is the one
in the nearest folder above it that has an ``iacmod.toml`` or a ``pyproject.toml`` with a
``[tool.iacmod]`` table (``iacmod.toml`` first when a folder has both). Configurations do not
merge: the nearest one is the whole configuration. ``--config FILE`` applies one file to all.

Keys: ``select``, ``ignore``, ``exclude``, ``per-file-ignores``, ``unsafe-fixes``, and per-rule
options under ``[tool.iacmod.rules.<rule-name>]``. Unknown keys, rules and options are errors.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    # tomli is installed on Python 3.10 only (unused-ignore: checked where it is installed)
    import tomli as tomllib  # type: ignore[import-not-found, unused-ignore]

from iacmod.registry import SelectionError, all_rules, match, rule_by_name, split_keys

KNOWN_KEYS = ("select", "ignore", "exclude", "per-file-ignores", "unsafe-fixes", "rules")
CONFIG_NAMES = ("iacmod.toml", "pyproject.toml")  # in one folder, iacmod.toml wins


class ConfigError(ValueError):
    """A configuration the user must change; the message says what and where."""


@dataclass(frozen=True)
class Config:
    path: Path | None = None  # the pyproject.toml it came from
    select: tuple[str, ...] | None = None
    ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    unsafe_fixes: bool = False
    rule_options: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    # (glob, rule keys): rules not run on files matching the glob (gitignore-style, relative to root)
    per_file_ignores: tuple[tuple[str, tuple[str, ...]], ...] = ()

    @property
    def root(self) -> Path | None:
        return self.path.parent if self.path else None

    def ignored_for(self, path: Path) -> tuple[str, ...]:
        """The rule keys ``per-file-ignores`` turns off for ``path``."""
        if not self.per_file_ignores:
            return ()
        import pathspec

        base = (self.root or Path.cwd()).resolve()
        try:
            rel = path.resolve().relative_to(base).as_posix()
        except ValueError:
            rel = path.resolve().as_posix()
        keys: list[str] = []
        for glob, rules in self.per_file_ignores:
            if pathspec.GitIgnoreSpec.from_lines([glob]).match_file(rel):
                keys += rules
        return tuple(keys)


def _string_list(where: str, key: str, value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f'{where}: `{key}` must be a list of strings, e.g. {key} = ["IAC101"]')
    return tuple(value)


def parse_table(table: Mapping[str, Any], where: str, path: Path | None = None) -> Config:
    unknown = sorted(set(table) - set(KNOWN_KEYS))
    if unknown:
        raise ConfigError(f"{where}: unknown key {unknown[0]!r} in [tool.iacmod]; known keys: {', '.join(KNOWN_KEYS)}")
    select = _string_list(where, "select", table["select"]) if "select" in table else None
    ignore = _string_list(where, "ignore", table.get("ignore", []))
    exclude = _string_list(where, "exclude", table.get("exclude", []))
    per_file: list[tuple[str, tuple[str, ...]]] = []
    table_pfi = table.get("per-file-ignores", {})
    if not isinstance(table_pfi, dict):
        raise ConfigError(
            f'{where}: `per-file-ignores` must be a table of glob = [rules], e.g. "tests/**" = ["IAC101"]'
        )
    for glob, keys in table_pfi.items():
        keys = _string_list(where, f"per-file-ignores.{glob!r}", keys)
        try:
            match(keys)
        except SelectionError as exc:
            raise ConfigError(f"{where}: per-file-ignores {glob!r}: {exc}") from None
        per_file.append((glob, keys))
    unsafe = table.get("unsafe-fixes", False)
    if not isinstance(unsafe, bool):
        raise ConfigError(f"{where}: `unsafe-fixes` must be true or false")
    try:
        match(select or [])
        match(ignore)
    except SelectionError as exc:
        raise ConfigError(f"{where}: {exc}") from None
    options: dict[str, dict[str, Any]] = {}
    rules = table.get("rules", {})
    if not isinstance(rules, dict):
        raise ConfigError(f"{where}: [tool.iacmod.rules] must be a table of rule tables")
    for key, values in rules.items():
        try:
            rule = rule_by_name(key)
        except SelectionError:
            names = ", ".join(r.name for r in all_rules())
            raise ConfigError(f"{where}: [tool.iacmod.rules.{key}]: no rule named {key!r} (rules: {names})") from None
        if not isinstance(values, dict):
            raise ConfigError(f"{where}: [tool.iacmod.rules.{key}] must be a table")
        try:
            options[rule.name] = rule.validate_options(values)
        except ValueError as exc:
            raise ConfigError(f"{where}: {exc}") from None
    return Config(path, select, ignore, exclude, unsafe, options, tuple(per_file))


def load_file(path: Path) -> Config | None:
    """The [tool.iacmod] config of one pyproject.toml, or None when it has no such table."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None
    table = data.get("tool", {}).get("iacmod")
    if table is None:
        return None
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.iacmod] must be a table")
    return parse_table(table, str(path), path)


def find_config(start: Path) -> Config:
    """The config of the nearest iacmod.toml, or pyproject.toml with a [tool.iacmod] table, above
    ``start`` (a file or a folder)."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    return config_of_folder(here)


def config_of_folder(folder: Path) -> Config:
    """The config that applies to files in ``folder`` (resolved): its own, else its parent's."""
    cached = _FOLDER_CACHE.get(folder)  # discovery passes resolved folders: no resolve() per file
    if cached is not None:
        return cached
    folder_key = folder.resolve()
    cached = _FOLDER_CACHE.get(folder_key)
    if cached is not None:
        _FOLDER_CACHE[folder] = cached
        return cached
    config = None
    for name in CONFIG_NAMES:
        candidate = folder_key / name
        if candidate.is_file():
            config = load_file(candidate) if name == "pyproject.toml" else load_explicit(candidate)
            if config is not None:
                break
    if config is None:
        parent = folder_key.parent
        config = Config() if parent == folder_key else config_of_folder(parent)
    _FOLDER_CACHE[folder_key] = config
    return config


_FOLDER_CACHE: dict[Path, Config] = {}


def clear_cache() -> None:
    """Forget the configurations read (a new run reads them again)."""
    _FOLDER_CACHE.clear()


def load_explicit(path: Path) -> Config:
    """``--config FILE``: a pyproject.toml (its [tool.iacmod]) or an iacmod.toml (top level)."""
    if not path.is_file():
        raise ConfigError(f"{path}: no such config file")
    if path.name == "pyproject.toml":
        return load_file(path) or Config(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("iacmod", data)
    return parse_table(table, str(path), path)


def selected_rules(
    config: Config,
    *,
    all_: bool = False,
    select: list[str] | None = None,
    ignore: list[str] | None = None,
) -> tuple[type, ...]:
    """The rules to run: command-line selection over configured selection over defaults."""
    select_keys = split_keys(select)
    if all_:
        chosen = set(all_rules())
    elif select_keys:
        chosen = match(select_keys)
    elif config.select is not None:
        chosen = match(config.select)
    else:
        chosen = {r for r in all_rules() if r.default_enabled}
    chosen -= match(config.ignore)
    chosen -= match(split_keys(ignore))
    return tuple(sorted(chosen, key=lambda r: r.code))
