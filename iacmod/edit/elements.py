"""Small LibCST editing helpers shared by rules."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any


def remove_elements(items: Sequence[Any], drop: Collection[Any]) -> list[Any]:
    """Elements (``Arg``, ``DictElement`` …) without those in ``drop``, keeping the
    trailing-comma style: when the last element goes, the new last one takes its comma.

    Known limit: a comment on the removed last element's line lives in the closing bracket's
    whitespace and stays there.
    """
    kept = [x for x in items if not any(x is d for d in drop)]
    if kept and items and any(items[-1] is d for d in drop):
        kept[-1] = kept[-1].with_changes(comma=items[-1].comma)
    return kept
