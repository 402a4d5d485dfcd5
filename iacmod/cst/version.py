"""Which LibCST versions iacmod's fast paths were verified on, and whether to take them.

Every fast path in ``iacmod.cst`` (read-only walks, the driven scope analysis, targeted
positions, metadata cached in ``MetadataWrapper``, the import codemods without their matcher
scans) relies on LibCST internals (``iacmod/cst/README.md`` lists them). Each one asks
:func:`fast_paths` first, and on a LibCST outside ``VERIFIED`` takes LibCST's own path instead
(``MetadataWrapper.resolve``, ``PositionProvider``, ``CSTNode.visit``, ``AddImportsVisitor``):
slower, with the same output (``tests/test_cst_isolation.py`` runs the rules both ways).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from contextlib import contextmanager

#: LibCST versions the fast paths were verified on: ``LOW <= version < HIGH`` (major, minor).
#: pyproject.toml pins the same range; ``python3 dev.py test-libcst-min`` tests the low end.
VERIFIED: tuple[tuple[int, int], tuple[int, int]] = ((1, 0), (1, 10))

#: "0": take LibCST's own paths whatever the version (e.g. to compare outputs); "1": take the
#: fast paths whatever the version (to verify them on another LibCST: run tests/test_walk.py,
#: tests/test_positions.py and tests/test_cst_isolation.py with it, then widen VERIFIED).
ENV = "IACMOD_LIBCST_FAST_PATHS"

_FAST: bool | None = None


def libcst_version() -> tuple[int, ...] | None:
    """The installed LibCST's version as numbers (None when it cannot be read)."""
    try:
        from importlib.metadata import version

        text = version("libcst")
    except Exception:  # noqa: BLE001 - not installed as a distribution (e.g. a source checkout)
        try:
            import libcst._version as module

            text = module.__version__
        except Exception:  # noqa: BLE001
            return None
    numbers = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?", text)
    if numbers is None:
        return None
    return tuple(int(n) for n in numbers.groups(default="0"))


def verified(version: tuple[int, ...] | None) -> bool:
    """Whether ``version`` lies in ``VERIFIED``."""
    if version is None:
        return False
    low, high = VERIFIED
    return low <= version[:2] < high


def fast_paths() -> bool:
    """Whether to take iacmod's fast paths: the installed LibCST is in ``VERIFIED`` (or the
    ``IACMOD_LIBCST_FAST_PATHS`` environment variable says "1"; "0": never). Decided once per
    process (``plain_libcst`` overrides it)."""
    global _FAST
    if _FAST is None:
        forced = os.environ.get(ENV)
        _FAST = forced == "1" if forced in ("0", "1") else verified(libcst_version())
    return _FAST


@contextmanager
def plain_libcst(plain: bool = True) -> Iterator[None]:
    """Within the block, take LibCST's own paths (``plain=False``: the fast paths, whatever the
    version). For tests that compare the two; not thread-safe."""
    global _FAST
    saved = fast_paths()
    _FAST = not plain
    try:
        yield
    finally:
        _FAST = saved
