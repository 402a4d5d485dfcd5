"""Line-sequence helpers shared by the diff printer and the relocation of findings."""

from __future__ import annotations

from typing import Sequence


def common_ends(old: Sequence[str], new: Sequence[str]) -> tuple[int, int]:
    """How many lines the two sequences share at the start, and then at the end (not
    overlapping): difflib need only look at what lies between, which on whole files is far
    cheaper than indexing every line."""
    limit = min(len(old), len(new))
    prefix = 0
    while prefix < limit and old[prefix] == new[prefix]:
        prefix += 1
    suffix = 0
    while suffix < limit - prefix and old[-1 - suffix] == new[-1 - suffix]:
        suffix += 1
    return prefix, suffix
