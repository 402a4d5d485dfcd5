"""The dry-run diff is difflib's unified diff, computed on the part of the file that changed."""

from __future__ import annotations

import difflib
from pathlib import Path

import pytest

from iacmod.report import _windowed_unified_diff

ROOT = Path(__file__).resolve().parent.parent
PAIRS = [
    (before, before.with_name(before.name.replace("before", "after")))
    for before in sorted((ROOT / "fixtures").rglob("*before*.py"))
    if before.with_name(before.name.replace("before", "after")).exists()
]


def _lines(text: str) -> list[str]:
    return text.splitlines(keepends=True)


CASES = [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("".join(f"{i}\n" for i in range(50)), "".join(f"{i}\n" for i in range(50) if i not in (3, 40))),
    ("x\n" * 20 + "y\n", "x\n" * 20 + "y\nz\n"),  # repeated lines next to the change
    ("head\n" + "same\n" * 10, "same\n" * 10),  # change at the very start
    ("a\nb", "a\nc"),  # no newline at the end
    ("", "new\n"),
    ("old\n", ""),
]


@pytest.mark.parametrize("old, new", CASES)
def test_windowed_diff_equals_difflib(old: str, new: str) -> None:
    expected = list(difflib.unified_diff(_lines(old), _lines(new), "a/f.py", "b/f.py"))
    assert _windowed_unified_diff(_lines(old), _lines(new), "a/f.py", "b/f.py") == expected


def test_windowed_diff_equals_difflib_on_fixtures() -> None:
    assert PAIRS, "no before/after fixtures found"
    for before, after in PAIRS:
        old, new = _lines(before.read_text()), _lines(after.read_text())
        expected = list(difflib.unified_diff(old, new, "a", "b"))
        assert _windowed_unified_diff(old, new, "a", "b") == expected, before
