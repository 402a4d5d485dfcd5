"""Shared value types: fix safety, source spans, findings and per-file results."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class FixSafety(str, enum.Enum):
    """How far a fix may be trusted.

    ``SAFE`` fixes keep what the program does, except the defect they remove, and apply by
    default. ``UNSAFE`` fixes may change behaviour that somebody relies on and apply only with
    ``--unsafe-fixes``. ``NONE`` marks a detect-only finding: no rewrite is sound.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


class RuleFixSafety(str, enum.Enum):
    """What a rule declares about its fixes, for ``iacmod list`` and the docs."""

    SAFE = "safe"
    UNSAFE = "unsafe"
    SOMETIMES = "sometimes"  # safe in some contexts, unsafe in others (decided per finding)
    NONE = "detect-only"


@dataclass(frozen=True, order=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position

    @classmethod
    def point(cls, line: int, column: int = 1) -> "Span":
        pos = Position(line, column)
        return cls(pos, pos)



@dataclass(frozen=True)
class Finding:
    """One defect found in one file."""

    code: str
    rule: str
    message: str
    path: str
    span: Span
    safety: FixSafety  # safety of the fix offered; NONE when detect-only
    fixed: bool = False  # the fix was applied (or, in a dry run, would be)
    suppressed: bool = False

    @property
    def fixable(self) -> bool:
        return self.safety is not FixSafety.NONE

    @property
    def line(self) -> int:
        return self.span.start.line

    @property
    def column(self) -> int:
        return self.span.start.column

    def to_json(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "rule": self.rule,
            "message": self.message,
            "path": self.path,
            "line": self.span.start.line,
            "column": self.span.start.column,
            "end_line": self.span.end.line,
            "end_column": self.span.end.column,
            "fix": None if self.safety is FixSafety.NONE else {"safety": self.safety.value, "applied": self.fixed},
        }


@dataclass(frozen=True)
class FileError:
    """A file that could not be processed: it is left untouched and reported."""

    path: str
    line: int
    message: str
    rule: str | None = None  # set when a rule produced invalid code

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "message": self.message, "rule": self.rule}


@dataclass(frozen=True)
class FileResult:
    """What processing one file produced. ``new_source`` is None when nothing changed."""

    path: Path
    findings: tuple[Finding, ...] = ()
    old_source: bytes | None = None
    new_source: bytes | None = None
    errors: tuple[FileError, ...] = ()
    skipped: bool = False  # prefiltered out or not applicable: never parsed

    @property
    def changed(self) -> bool:
        return self.new_source is not None and self.new_source != self.old_source


@dataclass
class RunResult:
    """All file results of one run, in a stable (path) order."""

    files: list[FileResult] = field(default_factory=list)

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    @property
    def errors(self) -> list[FileError]:
        return [e for r in self.files for e in r.errors]

    @property
    def changed(self) -> list[FileResult]:
        return [r for r in self.files if r.changed]
