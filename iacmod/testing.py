"""Running a rule's embedded examples and fixtures (used by the generated tests)."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iacmod.engine import Settings, fix_module_source, process_file
from iacmod.findings import Finding
from iacmod.registry import all_rules, default_passes
from iacmod.rule import Example, Rule

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def fix_text(
    rule: type[Rule] | list[type[Rule]],
    code: str,
    *,
    unsafe: bool = False,
    options: Mapping[str, Any] | None = None,
    path: str = "example.py",
) -> tuple[str, list[Finding]]:
    """Run rule(s) over ``code``: the resulting code (unchanged if nothing applied) and findings."""
    rules = tuple(rule) if isinstance(rule, list) else (rule,)
    opts = {r.name: dict(options or {}) for r in rules}
    settings = Settings(rules, unsafe_fixes=unsafe, options=opts, passes=default_passes())
    if any(r.document_patterns for r in rules) and not path.endswith(".py"):
        import tempfile

        with tempfile.TemporaryDirectory() as tmp:
            target = Path(tmp) / path
            target.write_text(code)
            file_result = process_file(target, settings)
            new = file_result.new_source.decode() if file_result.new_source is not None else code
            return new, list(file_result.findings)
    result = fix_module_source(code, settings, path)
    if result.errors:
        raise AssertionError("; ".join(e.message for e in result.errors))
    return (result.new_code if result.new_code is not None else code), result.findings


@dataclass(frozen=True)
class FixtureCase:
    rule: type[Rule]
    name: str
    before: Path
    after: Path | None  # None: must stay byte-identical
    unsafe: bool


def slugify(text: str) -> str:
    """``"isoformat gains +00:00: unsafe"`` -> ``"isoformat-gains-00-00-unsafe"``."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def example_id(rule: type[Rule], example: Example) -> str:
    """The generated test's id: ``rule-name[slug-of-the-title]``."""
    return f"{rule.name}[{slugify(example.title)}]"


def example_cases() -> Iterator[tuple[type[Rule], str, Example]]:
    """Every rule's examples, with their test ids (see :func:`example_id`)."""
    for rule in all_rules():
        for example in rule.examples:
            yield rule, example_id(rule, example), example


def fixture_cases() -> Iterator[FixtureCase]:
    """``fixtures/<rule-name>/<case>.before.<ext>`` with ``<case>.after.<ext>`` (changed by safe
    fixes), ``<case>.unsafe.<ext>`` (changed only with --unsafe-fixes), or neither (unchanged)."""
    by_name = {r.name: r for r in all_rules()}
    if not FIXTURES.is_dir():
        return
    for folder in sorted(p for p in FIXTURES.iterdir() if p.is_dir()):
        rule = by_name.get(folder.name)
        if rule is None:
            raise AssertionError(f"fixtures/{folder.name}: no rule of that name")
        for before in sorted(folder.glob("*.before.*")):
            stem, ext = before.name.split(".before.", 1)
            after = folder / f"{stem}.after.{ext}"
            unsafe = folder / f"{stem}.unsafe.{ext}"
            if after.exists():
                yield FixtureCase(rule, f"{folder.name}/{stem}", before, after, False)
            elif unsafe.exists():
                yield FixtureCase(rule, f"{folder.name}/{stem}", before, unsafe, True)
            else:
                yield FixtureCase(rule, f"{folder.name}/{stem}", before, None, False)
