"""Code that does not come from a file iacmod can rewrite: ``-`` (stdin), ``/dev/stdin`` and
process substitutions (``<(cat x.py)``: ``/dev/fd/N`` pipes).

``check -`` reports its findings like any file's; ``apply -`` writes the fixed code to stdout (as
``ruff check --fix -`` and ``black -`` do) and its findings to stderr. ``--stdin-filename`` names
the code: that path (which need not exist) decides the configuration, ``exclude`` and
per-file-ignores, and which rules apply (Python, or a rule's document pattern). The engine is
the one ``check``/``apply`` run (``api.check_source``): only the reading differs.
"""

from __future__ import annotations

import os
import stat
import sys
from collections.abc import Sequence
from pathlib import Path

from iacmod import api
from iacmod.findings import FileResult

STREAM_DIRS = ("/dev/fd/", "/proc/self/fd/")


def is_stream(path: Path) -> bool:
    """``-``, /dev/stdin, /dev/fd/N, or anything that is neither a regular file nor a folder
    (a named pipe, a character device): read once, never written."""
    text = str(path)
    if text in ("-", "/dev/stdin") or text.startswith(STREAM_DIRS):
        return True
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def split(paths: Sequence[Path]) -> tuple[list[Path], list[Path]]:
    """(files and folders, streams)."""
    files = [p for p in paths if not is_stream(p)]
    return files, [p for p in paths if is_stream(p)]


def read(path: Path) -> bytes:
    if str(path) == "-":
        return sys.stdin.buffer.read()
    with open(path, "rb") as handle:
        return handle.read()


def results(
    streams: Sequence[Path], options: api.RunOptions, stdin_filename: Path | None
) -> tuple[list[FileResult], list[str]]:
    """The engine on each stream's code, as on a file named ``stdin_filename`` (for ``-``) or by
    the stream's own path; notes (excluded code) for stderr. Raises ConfigError, OSError."""
    out: list[FileResult] = []
    notes: list[str] = []
    for stream in streams:
        name = stdin_filename if (stdin_filename is not None and str(stream) in ("-", "/dev/stdin")) else stream
        data = read(stream)
        # a pipe's own path (/dev/fd/63) says nothing of its code: the configuration is the
        # current folder's (as for `-`)
        config_path = name if name is stdin_filename else Path.cwd() / "-"
        settings, why = api.settings_for_file(options, config_path)
        if settings is None:
            notes.append(f"{why}; not checked")
            out.append(FileResult(Path(name), old_source=data, skipped=True))
            continue
        out.append(api.check_source(data, Path(name), settings))
    return out, notes
