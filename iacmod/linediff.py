"""Line diffs that stay linear on files with thousands of changes.

``difflib.SequenceMatcher`` finds its matching blocks by repeatedly searching the whole
remaining range for its longest match: when a file has thousands of small changes (one per
finding), it peels one short match off the front per search, which is quadratic in the number of
changes; without autojunk, every search also walks every occurrence of each repeated line (blank
lines), which is worse. Here, inputs larger than ``EXACT_LIMIT`` (lines of the one times lines of
the other) are first aligned on the lines that occur once in each (in order: the longest
increasing run of such pairs, as patience diff does), and difflib matches the lines between
those anchors. Smaller inputs get difflib's own answer, unchanged.
"""

from __future__ import annotations

import difflib
from bisect import bisect_left
from collections.abc import Iterator, Sequence
from typing import Literal

#: inputs up to this many (lines of a) x (lines of b) are diffed by difflib alone
EXACT_LIMIT = 4_000_000
#: between anchors, difflib matches ranges up to this size; larger ones without anchors are
#: matched by their common head and tail only
_GAP_LIMIT = 250_000


def matching_blocks(
    a: Sequence[str], b: Sequence[str], autojunk: bool = True, exact_limit: int = EXACT_LIMIT
) -> list[difflib.Match]:
    """``difflib.SequenceMatcher(None, a, b, autojunk).get_matching_blocks()``; for inputs
    larger than ``exact_limit``, blocks aligned on the lines unique to both first (see above)."""
    if len(a) * len(b) <= exact_limit:
        return difflib.SequenceMatcher(None, a, b, autojunk=autojunk).get_matching_blocks()
    pairs: list[tuple[int, int]] = []
    _align(a, 0, len(a), b, 0, len(b), autojunk, pairs)
    blocks: list[difflib.Match] = []
    for i, j, size in _runs(pairs):
        blocks.append(difflib.Match(i, j, size))
    blocks.append(difflib.Match(len(a), len(b), 0))
    return blocks


def matcher(
    a: Sequence[str], b: Sequence[str], autojunk: bool = True, exact_limit: int = EXACT_LIMIT
) -> difflib.SequenceMatcher[str]:
    """A ``difflib.SequenceMatcher`` of ``a`` and ``b`` whose matching blocks are
    ``matching_blocks(a, b, autojunk, exact_limit)`` (its opcodes follow from them)."""
    sm = difflib.SequenceMatcher(None, a, b, autojunk=autojunk)
    if len(a) * len(b) > exact_limit:
        # difflib's private cache, which get_opcodes() reads (not in typeshed; no public setter)
        sm.matching_blocks = matching_blocks(a, b, autojunk, exact_limit)  # type: ignore[attr-defined]
    return sm


def opcodes(
    a: Sequence[str], b: Sequence[str], autojunk: bool = True, exact_limit: int = EXACT_LIMIT
) -> list[tuple[Literal["replace", "delete", "insert", "equal"], int, int, int, int]]:
    """``difflib.SequenceMatcher(None, a, b, autojunk).get_opcodes()`` (see ``matching_blocks``)."""
    return matcher(a, b, autojunk, exact_limit).get_opcodes()


def unified_diff(a: Sequence[str], b: Sequence[str], fromfile: str = "", tofile: str = "", n: int = 3) -> Iterator[str]:
    """``difflib.unified_diff(a, b, fromfile, tofile, n=n)`` (lines with their line ends; see
    ``matching_blocks`` for large inputs)."""
    started = False
    for group in matcher(a, b).get_grouped_opcodes(n):
        if not started:
            started = True
            yield f"--- {fromfile}\n"
            yield f"+++ {tofile}\n"
        first, last = group[0], group[-1]
        yield f"@@ -{_range(first[1], last[2])} +{_range(first[3], last[4])} @@\n"
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                for line in a[i1:i2]:
                    yield " " + line
                continue
            if tag in ("replace", "delete"):
                for line in a[i1:i2]:
                    yield "-" + line
            if tag in ("replace", "insert"):
                for line in b[j1:j2]:
                    yield "+" + line


def _range(start: int, stop: int) -> str:
    """A unified diff's range, as difflib writes it."""
    beginning = start + 1  # lines start numbering with one
    length = stop - start
    if length == 1:
        return f"{beginning}"
    if not length:
        beginning -= 1  # empty ranges begin at line just before the range
    return f"{beginning},{length}"


def _align(
    a: Sequence[str],
    alo: int,
    ahi: int,
    b: Sequence[str],
    blo: int,
    bhi: int,
    autojunk: bool,
    out: list[tuple[int, int]],
) -> None:
    """Append to ``out`` the matched line pairs (i, j) of a[alo:ahi] and b[blo:bhi], in order."""
    # the common head and tail
    while alo < ahi and blo < bhi and a[alo] == b[blo]:
        out.append((alo, blo))
        alo, blo = alo + 1, blo + 1
    tail: list[tuple[int, int]] = []
    while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
        ahi, bhi = ahi - 1, bhi - 1
        tail.append((ahi, bhi))
    if alo < ahi and blo < bhi:
        if (ahi - alo) * (bhi - blo) <= _GAP_LIMIT:
            for i, j, size in difflib.SequenceMatcher(
                None, a[alo:ahi], b[blo:bhi], autojunk=autojunk
            ).get_matching_blocks():
                out.extend((alo + i + k, blo + j + k) for k in range(size))
        else:
            anchors = _anchors(a, alo, ahi, b, blo, bhi)
            if anchors:
                i0, j0 = alo, blo
                for i, j in anchors:
                    _align(a, i0, i, b, j0, j, autojunk, out)
                    out.append((i, j))
                    i0, j0 = i + 1, j + 1
                _align(a, i0, ahi, b, j0, bhi, autojunk, out)
    out.extend(reversed(tail))


def _anchors(a: Sequence[str], alo: int, ahi: int, b: Sequence[str], blo: int, bhi: int) -> list[tuple[int, int]]:
    """The pairs of lines that occur once in a[alo:ahi] and once in b[blo:bhi], the longest run
    of them in increasing order in both."""
    count: dict[str, int] = {}
    for line in a[alo:ahi]:
        count[line] = count.get(line, 0) + 1
    where: dict[str, int] = {}
    seen: dict[str, int] = {}
    for j in range(blo, bhi):
        line = b[j]
        if count.get(line) == 1:
            seen[line] = seen.get(line, 0) + 1
            where[line] = j
    pairs = [(i, where[a[i]]) for i in range(alo, ahi) if count[a[i]] == 1 and seen.get(a[i]) == 1]
    # the longest increasing subsequence of the j's (pairs are in increasing i)
    tails: list[int] = []  # tails[k]: the smallest j ending an increasing run of length k + 1
    ends: list[int] = []  # index in pairs of that j
    back: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        k = bisect_left(tails, j)
        if k == len(tails):
            tails.append(j)
            ends.append(index)
        else:
            tails[k] = j
            ends[k] = index
        back[index] = ends[k - 1] if k else -1
    run: list[tuple[int, int]] = []
    index = ends[-1] if ends else -1
    while index != -1:
        run.append(pairs[index])
        index = back[index]
    run.reverse()
    return run


def _runs(pairs: list[tuple[int, int]]) -> Iterator[tuple[int, int, int]]:
    """Matched pairs as blocks (i, j, size) of consecutive pairs."""
    start = None
    size = 0
    for i, j in pairs:
        if start is not None and i == start[0] + size and j == start[1] + size:
            size += 1
            continue
        if start is not None:
            yield start[0], start[1], size
        start, size = (i, j), 1
    if start is not None:
        yield start[0], start[1], size
