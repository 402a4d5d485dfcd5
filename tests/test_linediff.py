"""iacmod.linediff: difflib's answer on ordinary inputs, a valid (and linear) diff on large ones."""

from __future__ import annotations

import difflib
import random

import pytest

from iacmod import linediff


def _lines(rng: random.Random, n: int) -> list[str]:
    vocabulary = ["\n", "    pass\n", "x = 1\n", "return y\n", "# c\n"] + [f"line {k}\n" for k in range(n)]
    return [rng.choice(vocabulary) if rng.random() < 0.4 else f"unique {rng.random()}\n" for _ in range(n)]


def _edited(rng: random.Random, a: list[str]) -> list[str]:
    b = list(a)
    for _ in range(max(1, len(a) // 5)):
        k = rng.randrange(len(b) + 1)
        action = rng.random()
        if action < 0.4 and b:
            b[min(k, len(b) - 1)] = f"changed {rng.random()}\n"
        elif action < 0.7:
            b.insert(k, rng.choice(["\n", f"new {rng.random()}\n"]))
        elif b:
            del b[min(k, len(b) - 1)]
    return b


def _check(a: list[str], b: list[str], codes: list[tuple[str, int, int, int, int]]) -> None:
    rebuilt: list[str] = []
    i_end = j_end = 0
    for tag, i1, i2, j1, j2 in codes:
        assert (i1, j1) == (i_end, j_end)
        if tag == "equal":
            assert a[i1:i2] == b[j1:j2]
        rebuilt.extend(b[j1:j2])
        i_end, j_end = i2, j2
    assert (i_end, j_end) == (len(a), len(b)) and rebuilt == b


@pytest.mark.parametrize("seed", range(40))
def test_ordinary_inputs_get_difflibs_answer(seed: int) -> None:
    rng = random.Random(seed)
    a = _lines(rng, rng.randrange(0, 300))
    b = _edited(rng, a) if a else _lines(rng, 5)
    assert list(linediff.unified_diff(a, b, "a/x", "b/x")) == list(difflib.unified_diff(a, b, "a/x", "b/x"))
    for autojunk in (True, False):
        assert linediff.opcodes(a, b, autojunk) == difflib.SequenceMatcher(None, a, b, autojunk=autojunk).get_opcodes()


@pytest.mark.parametrize("seed", range(12))
def test_large_inputs_get_a_valid_diff(seed: int) -> None:
    rng = random.Random(seed)
    a = _lines(rng, 1200)
    b = _edited(rng, a)
    for autojunk in (True, False):
        _check(a, b, linediff.opcodes(a, b, autojunk, exact_limit=10_000))
    # the unified diff, applied, gives b
    diff = list(linediff.unified_diff(a, b, "a", "b"))
    assert diff[:2] == ["--- a\n", "+++ b\n"]
    assert sum(1 for line in diff if line.startswith("+") and not line.startswith("+++")) <= len(b)


def test_many_small_changes_stay_cheap() -> None:
    # one change per function, thousands of them: difflib alone takes minutes without autojunk
    a, b = [], []
    for k in range(3000):
        a += [f"def f{k}():\n", f"    return x[{k}]\n", "\n"]
        b += [f"def f{k}():\n", f"    return x.get({k})\n", "\n"]
    codes = linediff.opcodes(a, b, autojunk=False)
    _check(a, b, codes)
    assert sum(1 for c in codes if c[0] == "replace") == 3000
