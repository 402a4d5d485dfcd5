"""What a run is made of: the rules (every ``Rule`` subclass defined in a module under
``iacmod.codemods``) and the module passes the engine runs next to them (``default_passes``)."""

from __future__ import annotations

import importlib
import pkgutil
import re
from collections.abc import Iterable
from functools import lru_cache

from iacmod.iac.embedded import INLINE_CODE
from iacmod.passes import ModulePass
from iacmod.rule import Rule

CODE_RE = re.compile(r"^[A-Z]{3}\d{3}$")
PREFIX_RE = re.compile(r"^[A-Z]{3}\d{0,3}$")
NAME_RE = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")


class SelectionError(ValueError):
    """An unknown rule code, name or prefix."""


@lru_cache(maxsize=1)
def all_rules() -> tuple[type[Rule], ...]:
    """Every rule, sorted by code. Raises if two rules share a code or a name."""
    # codemods/ imports as iacmod.codemods through setup.py's package_dir, which mypy cannot follow
    import iacmod.codemods as root  # type: ignore[import-not-found]

    found: dict[str, type[Rule]] = {}
    for info in pkgutil.walk_packages(root.__path__, prefix=root.__name__ + "."):
        module = importlib.import_module(info.name)
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, Rule)
                and value is not Rule
                and value.__module__ == module.__name__
                and "code" in vars(value)
            ):
                found[f"{value.__module__}.{value.__qualname__}"] = value
    rules = sorted(found.values(), key=lambda r: r.code)
    seen: dict[str, type[Rule]] = {}
    for rule in rules:
        if not CODE_RE.match(rule.code):
            raise RuntimeError(f"{rule.__qualname__}: code {rule.code!r} is not like IAC101")
        if not NAME_RE.match(rule.name):
            raise RuntimeError(f"{rule.__qualname__}: name {rule.name!r} is not kebab-case")
        for key in (rule.code, rule.name):
            if key in seen:
                raise RuntimeError(f"{rule.__qualname__} and {seen[key].__qualname__} share {key!r}")
            seen[key] = rule
    return tuple(rules)


def default_passes() -> tuple[ModulePass, ...]:
    """The module passes every run uses (``Settings.passes``): the inline-code pass, which fixes
    Python handler code held in IaC string literals (``iacmod.iac.embedded``)."""
    return (INLINE_CODE,)


def rule_by_name(key: str) -> type[Rule]:
    for rule in all_rules():
        if key in (rule.code, rule.name):
            return rule
    raise SelectionError(f"unknown rule {key!r}; `iacmod list` shows the rules")


def match(keys: Iterable[str]) -> set[type[Rule]]:
    """Rules named by codes, names or code prefixes (``IAC1`` selects IAC100-IAC199)."""
    chosen: set[type[Rule]] = set()
    for raw in keys:
        key = raw.strip()
        if not key:
            continue
        if key.upper() == "ALL":
            chosen.update(all_rules())
            continue
        prefix = key.upper() if PREFIX_RE.match(key.upper()) else None
        hits = [r for r in all_rules() if key == r.name or (prefix is not None and r.code.startswith(prefix))]
        if not hits:
            raise SelectionError(f"unknown rule {key!r}; `iacmod list` shows codes and names")
        chosen.update(hits)
    return chosen


def split_keys(value: str | Iterable[str] | None) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        value = [value]
    return [part.strip() for item in value for part in item.split(",") if part.strip()]
