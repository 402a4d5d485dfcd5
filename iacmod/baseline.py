"""Baselines: remember today's findings, report only new ones.

``iacmod check --create-baseline FILE`` writes the run's findings; ``--baseline FILE`` drops
the findings the baseline holds and reports the entries that no longer match (stale).

A finding is identified by its **path** (relative to the baseline file's folder, POSIX
separators), its **rule code** and a **fingerprint** of the code: a SHA-256 over the normalised
source of the reported node (the text of the finding's span) and of the statement that encloses
it (the smallest ``ast`` statement around it; for JSON/YAML documents, the finding's lines),
with whitespace and comments folded (Python is compared token by token). Line numbers are not
part of it: code moving up or down, or edits elsewhere in the file, do not make an old finding
new. Identical findings in one file (same rule, same fingerprint) are counted: a baseline that
holds 2 hides 2, and a third one is new.

The file (JSON, UTF-8)::

    {
      "iacmod_baseline": 1,                 # format version
      "iacmod": "0.1.0",                    # the version that wrote it (informative)
      "findings": [
        {"path": "svc/orders.py", "code": "IAC101", "rule": "datetime-utcnow",
         "fingerprint": "9f2c…", "count": 1, "message": "…"},   # message: informative
        …
      ]
    }

Entries are sorted (path, code, fingerprint), so the file diffs well in version control.
"""

from __future__ import annotations

import ast
import hashlib
import io
import json
import os
import tokenize
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from iacmod import __version__
from iacmod.config import ConfigError
from iacmod.findings import FileResult, Finding

VERSION = 1


class BaselineError(ConfigError):
    """A baseline file that cannot be used (the message says why)."""


Key = tuple[str, str, str]  # (relative path, code, fingerprint)


def _norm_python(text: str) -> str:
    """Tokens joined by single spaces: whitespace, comments and line breaks folded."""
    try:
        tokens = tokenize.generate_tokens(io.StringIO(text).readline)
        parts = [
            t.string
            for t in tokens
            if t.type
            not in (
                tokenize.COMMENT,
                tokenize.NL,
                tokenize.NEWLINE,
                tokenize.INDENT,
                tokenize.DEDENT,
                tokenize.ENDMARKER,
            )
        ]
        return " ".join(parts)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        return _norm_text(text)


def _norm_text(text: str) -> str:
    lines = []
    for line in text.splitlines():
        stripped = line.split("#", 1)[0] if line.lstrip().startswith("#") else line
        lines.append(" ".join(stripped.split()))
    return " ".join(x for x in lines if x)


def _slice(lines: list[str], start: tuple[int, int], end: tuple[int, int]) -> str:
    (l1, c1), (l2, c2) = start, end
    if l1 < 1 or l1 > len(lines):
        return ""
    l2 = min(max(l2, l1), len(lines))
    if l1 == l2:
        return lines[l1 - 1][c1 - 1 : max(c2 - 1, c1 - 1)] if c2 > c1 else lines[l1 - 1][c1 - 1 :]
    chunk = [lines[l1 - 1][c1 - 1 :], *lines[l1 : l2 - 1], lines[l2 - 1][: c2 - 1]]
    return "\n".join(chunk)


class _Statements:
    """The statements of one Python module, for the enclosing statement of a position."""

    def __init__(self, text: str) -> None:
        self.spans: list[tuple[int, int, int, int, bool]] = []  # (l1, c1, l2, c2, compound)
        try:
            tree = ast.parse(text)
        except (SyntaxError, ValueError):
            return
        for node in ast.walk(tree):
            if isinstance(node, ast.stmt) and node.end_lineno is not None:
                self.spans.append(
                    (
                        node.lineno,
                        node.col_offset + 1,
                        node.end_lineno,
                        (node.end_col_offset or 0) + 1,
                        hasattr(node, "body"),
                    )
                )

    def enclosing(self, line: int, column: int) -> tuple[int, int, int, int, bool] | None:
        """The innermost statement around the position."""
        best = None
        for span in self.spans:
            l1, c1, l2, c2, _ = span
            if (l1, c1) <= (line, column) <= (l2, c2):
                if best is None or (l2 - l1, c2 - c1) <= (best[2] - best[0], best[3] - best[1]):
                    best = span
        return best


def fingerprints(text: str, findings: Sequence[Finding], python: bool) -> list[str]:
    """One fingerprint per finding (see the module docstring)."""
    lines = text.splitlines()
    statements = _Statements(text) if python else None
    out = []
    for f in findings:
        start = (f.span.start.line, f.span.start.column)
        end = (f.span.end.line, f.span.end.column)
        node = _slice(lines, start, end)
        if statements is not None:
            span = statements.enclosing(*start)
            if span is None:
                stmt = "\n".join(lines[f.span.start.line - 1 : f.span.end.line])
            elif span[4]:  # a compound statement (def, if, for, with, ...): its lines up to the finding's end
                stmt = "\n".join(lines[span[0] - 1 : max(f.span.end.line, span[0])])
            else:
                stmt = _slice(lines, (span[0], span[1]), (span[2], span[3]))
            norm = _norm_python
        else:
            stmt = "\n".join(lines[f.span.start.line - 1 : f.span.end.line]) if lines else ""
            norm = _norm_text
        digest = hashlib.sha256()
        digest.update(f.code.encode() + b"\0" + norm(node).encode() + b"\0" + norm(stmt).encode())
        out.append(digest.hexdigest()[:32])
    return out


def _is_python(path: Path) -> bool:
    return path.suffix in (".py", ".pyi")


def keys_of(result: FileResult, base: Path) -> list[Key]:
    """The baseline keys of a file result's findings (in the text that was read)."""
    rel = relative(Path(result.path), base)
    if not result.findings:
        return []
    try:
        text = (result.old_source or b"").decode("utf-8")
    except UnicodeDecodeError:
        text = (result.old_source or b"").decode("latin-1")
    prints = fingerprints(text, result.findings, _is_python(Path(result.path)))
    return [(rel, f.code, fp) for f, fp in zip(result.findings, prints)]


def relative(path: Path, base: Path) -> str:
    real = Path(os.path.abspath(path))
    try:
        return real.relative_to(base).as_posix()
    except ValueError:
        return Path(os.path.relpath(real, base)).as_posix()


@dataclass
class Baseline:
    path: Path
    counts: Counter[Key] = field(default_factory=Counter)  # Key -> count
    info: dict[Key, dict[str, Any]] = field(default_factory=dict)  # the JSON entry

    @property
    def base(self) -> Path:
        return Path(os.path.abspath(self.path)).parent

    @classmethod
    def load(cls, path: Path) -> Baseline:
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise BaselineError(f"{path}: no such baseline file (create it with --create-baseline {path})") from None
        except (OSError, ValueError) as exc:
            raise BaselineError(f"{path}: not a baseline file: {exc}") from None
        if (
            not isinstance(data, dict)
            or data.get("iacmod_baseline") != VERSION
            or not isinstance(data.get("findings"), list)
        ):
            raise BaselineError(
                f"{path}: not an iacmod baseline (version {VERSION}); recreate it with --create-baseline {path}"
            )
        baseline = cls(path)
        for entry in data["findings"]:
            try:
                key = (str(entry["path"]), str(entry["code"]), str(entry["fingerprint"]))
                count = int(entry.get("count", 1))
            except (KeyError, TypeError, ValueError):
                raise BaselineError(f"{path}: malformed entry {entry!r}") from None
            baseline.counts[key] += count
            baseline.info[key] = entry
        return baseline

    @classmethod
    def create(cls, path: Path, results: Iterable[FileResult]) -> Baseline:
        baseline = cls(path)
        for result in results:
            for key, finding in zip(keys_of(result, baseline.base), result.findings):
                baseline.counts[key] += 1
                baseline.info.setdefault(key, {"rule": finding.rule, "message": finding.message})
        return baseline

    def write(self) -> None:
        entries = []
        for key in sorted(self.counts):
            rel, code, fp = key
            info = self.info.get(key, {})
            entries.append(
                {
                    "path": rel,
                    "code": code,
                    "rule": info.get("rule", ""),
                    "fingerprint": fp,
                    "count": self.counts[key],
                    "message": info.get("message", ""),
                }
            )
        text = (
            json.dumps(
                {"iacmod_baseline": VERSION, "iacmod": __version__, "findings": entries}, indent=2, ensure_ascii=False
            )
            + "\n"
        )
        from iacmod.writer import atomic_write

        self.path.parent.mkdir(parents=True, exist_ok=True)
        if not self.path.exists():
            self.path.write_bytes(b"")
        atomic_write(self.path, text.encode("utf-8"))

    def __len__(self) -> int:
        return sum(self.counts.values())


@dataclass
class Matched:
    """The outcome of comparing a run with a baseline."""

    baselined: list[Finding] = field(default_factory=list)  # in the baseline: not reported
    stale: list[tuple[Key, int]] = field(default_factory=list)  # entries (with counts) nothing matched


def split(baseline: Baseline, results: Sequence[FileResult]) -> tuple[dict[int, set[int]], Matched]:
    """Which findings of each result the baseline holds: {result index: {finding index}}.
    Stale entries are those of the files in ``results`` that nothing matched."""
    left = Counter(baseline.counts)
    held: dict[int, set[int]] = {}
    matched = Matched()
    checked: set[str] = set()
    for i, result in enumerate(results):
        checked.add(relative(Path(result.path), baseline.base))
        for j, key in enumerate(keys_of(result, baseline.base)):
            if left[key] > 0:
                left[key] -= 1
                held.setdefault(i, set()).add(j)
                matched.baselined.append(result.findings[j])
    matched.stale = sorted(
        (key, n) for key, n in left.items() if n > 0 and (key[0] in checked or not (baseline.base / key[0]).exists())
    )
    return held, matched
