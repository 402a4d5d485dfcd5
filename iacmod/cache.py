"""The result cache: a file's result, keyed by everything that can change it.

An entry is the result of processing one file (findings, new source, errors). Its key is a
SHA-256 over the file's bytes, its path as shown (findings carry it, and rules may look at the
name), and the *settings key*: iacmod's version and a fingerprint of its installed source (so a
development tree never serves results of older code), LibCST's version, the Python version, the
enabled rules (code, name, class), their options, ``--unsafe-fixes``, the module passes and
the held-back fixes of a baseline. The configuration of each file enters through its settings
(per-file rules and options), so every input that changes a result is in the key; nothing is
ever invalidated, stale entries are merely never read again.

Layout: ``.iacmod_cache/`` in the current folder (or ``$IACMOD_CACHE_DIR``), holding a
``.gitignore`` with ``*``, a ``CACHEDIR.TAG`` (backup tools skip the folder), and
``v1/<key[:2]>/<key>`` files written atomically (temporary file and rename). An entry that
cannot be read or unpickled, or whose stored key differs, is ignored and recomputed.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import sys
import tempfile
from functools import lru_cache
from pathlib import Path
from typing import Any

from iacmod import __version__
from iacmod.engine import Settings
from iacmod.findings import FileResult

FORMAT = "v1"
DEFAULT_DIR = ".iacmod_cache"
ENV_VAR = "IACMOD_CACHE_DIR"
CACHEDIR_TAG = (
    "Signature: 8a477f597d28d172789f06886806bc55\n"
    "# This file is a cache directory tag created by iacmod.\n"
    "# For information about cache directory tags see https://bford.info/cachedir/\n"
)


def cache_dir() -> Path:
    return Path(os.environ.get(ENV_VAR) or DEFAULT_DIR)


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """iacmod's version, a fingerprint of its source files (name, size, mtime), LibCST's version
    and the Python version."""
    import libcst

    import iacmod

    digest = hashlib.sha256()
    digest.update(f"{__version__}|{getattr(libcst, '__version__', '?')}|{sys.version_info[:3]}".encode())
    roots = {Path(iacmod.__file__).resolve().parent}
    for name in ("iacmod.codemods", "iacmod.cli"):
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name, fromlist=["_"])
            except ImportError:
                continue
        file: str | None = getattr(module, "__file__", None)
        if file:
            roots.add(Path(file).resolve().parent)
    for root in sorted(roots):
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(files):
                if name.endswith(".py"):
                    try:
                        st = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    digest.update(f"{folder}/{name}|{st.st_size}|{st.st_mtime_ns}\n".encode())
    return digest.hexdigest()


def _jsonable(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in sorted(value.items(), key=lambda kv: str(kv[0]))}
    if isinstance(value, (list, tuple, set, frozenset)):
        items = [_jsonable(v) for v in value]
        return sorted(items, key=repr) if isinstance(value, (set, frozenset)) else items
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    return repr(value)


def settings_key(settings: Settings) -> str:
    """Everything in ``settings`` that can change a result, as a digest."""
    described = {
        "code": code_fingerprint(),
        "rules": [[r.code, r.name, f"{r.__module__}.{r.__qualname__}"] for r in settings.rules],
        "options": _jsonable({k: v for k, v in settings.options.items()}),
        "unsafe": settings.unsafe_fixes,
        "passes": [f"{type(p).__module__}.{type(p).__qualname__}:{getattr(p, 'name', '')}" for p in settings.passes],
        "skip_generated": settings.skip_generated,
        "hold": _jsonable(settings.hold),
    }
    return hashlib.sha256(json.dumps(described, sort_keys=True).encode()).hexdigest()


class Cache:
    """Results of files by content; see the module docstring."""

    def __init__(self, root: Path | None = None) -> None:
        self.root = root or cache_dir()
        self.dir = self.root / FORMAT
        self._keys: dict[int, str] = {}
        self._prepared = False
        self.hits = 0
        self.misses = 0

    def _settings_key(self, settings: Settings) -> str:
        key = self._keys.get(id(settings))
        if key is None:
            key = self._keys[id(settings)] = settings_key(settings)
        return key

    def key(self, path: Path, data: bytes, settings: Settings) -> str:
        digest = hashlib.sha256()
        digest.update(self._settings_key(settings).encode())
        digest.update(b"\0" + str(path).encode("utf-8", "surrogateescape") + b"\0")
        digest.update(data)
        return digest.hexdigest()

    def _entry(self, key: str) -> Path:
        return self.dir / key[:2] / key

    def get(self, path: Path, data: bytes, settings: Settings) -> FileResult | None:
        key = self.key(path, data, settings)
        try:
            with open(self._entry(key), "rb") as handle:
                stored_key, payload = pickle.load(handle)
            if stored_key != key:
                raise ValueError("key mismatch")
            findings, new_source, errors, skipped = payload
            result = FileResult(path, tuple(findings), data, new_source, tuple(errors), skipped)
        except Exception:  # noqa: BLE001 - missing or corrupt: recompute
            self.misses += 1
            return None
        self.hits += 1
        return result

    def put(self, path: Path, data: bytes, settings: Settings, result: FileResult) -> None:
        if result.old_source is not None and result.old_source != data:
            return  # the file changed while it was processed
        key = self.key(path, data, settings)
        payload = (list(result.findings), result.new_source, list(result.errors), result.skipped)
        try:
            self._prepare()
            entry = self._entry(key)
            entry.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".tmp-", dir=entry.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    pickle.dump((key, payload), handle, protocol=pickle.HIGHEST_PROTOCOL)
                os.replace(tmp, entry)
            except BaseException:
                try:
                    os.unlink(tmp)
                except OSError:
                    pass
                raise
        except OSError:
            pass  # a cache that cannot be written only costs time

    def _prepare(self) -> None:
        if self._prepared:
            return
        self.dir.mkdir(parents=True, exist_ok=True)
        for name, text in ((".gitignore", "# created by iacmod\n*\n"), ("CACHEDIR.TAG", CACHEDIR_TAG)):
            target = self.root / name
            if not target.exists():
                try:
                    target.write_text(text, encoding="utf-8")
                except OSError:
                    pass
        self._prepared = True
