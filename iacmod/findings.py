"""Shared value types: severities, the fix model, source spans, findings and per-file results.

Severity and fixes are kept apart, and so are a rule's *fix availability* and each fix's
*applicability* (as in Ruff):

- :class:`Severity`: how bad a defect is. ``error``: the program fails to deploy or misbehaves
  at run time; ``warning``: a security, reliability or cost risk; ``info``: style or a
  recommendation. Every rule declares one (``Rule.severity``); a finding may override it
  (``Rule.report(..., severity=...)``), e.g. when one form of a defect fails at run time and
  another only reads badly. Each :class:`Finding` carries its own.
- :class:`FixAvailability`: declared by a rule (``Rule.fix_availability``), whether its findings
  come with a fix: ``always``, ``sometimes`` (some findings are detect-only: no rewrite is sound
  there, the message says what to change) or ``none`` (a detect-only rule).
- :class:`FixSafety`: the *applicability* of one fix, carried by every fix (``Rule.report(...,
  safety=...)``) and by the finding it belongs to. ``safe`` fixes apply by default; ``unsafe``
  ones only with ``--unsafe-fixes``. On a finding, ``none`` means that no fix is offered. (Ruff's
  third applicability, display-only, has no counterpart: a detect-only finding says in its
  message what to change.) The engine decides what to apply from this value alone.
- :class:`RuleApplicability`: declared by a rule (``Rule.fix_applicability``) for the docs and
  ``iacmod list``: the applicability its fixes have, ``safe``, ``unsafe``, or ``depends`` (decided
  per fix, e.g. safe where a value is consumed at once and unsafe elsewhere). None for a rule
  whose fix availability is ``none``. The generated tests check it against the examples.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


class Severity(str, enum.Enum):
    """How bad a finding is (declared per rule, overridable per finding)."""

    ERROR = "error"  # the program fails to deploy or misbehaves at run time
    WARNING = "warning"  # a security, reliability or cost risk
    INFO = "info"  # style or a recommendation


class FixAvailability(str, enum.Enum):
    """Whether a rule's findings come with a fix (a rule declaration)."""

    ALWAYS = "always"
    SOMETIMES = "sometimes"  # some findings are detect-only
    NONE = "none"  # a detect-only rule


class FixSafety(str, enum.Enum):
    """The applicability of one fix: how far it may be trusted.

    ``SAFE`` fixes keep what the program does, except the defect they remove, and apply by
    default. ``UNSAFE`` fixes may change behaviour that somebody relies on and apply only with
    ``--unsafe-fixes``. ``NONE`` (on a finding) marks a detect-only finding: no rewrite is sound.
    """

    SAFE = "safe"
    UNSAFE = "unsafe"
    NONE = "none"


class RuleApplicability(str, enum.Enum):
    """The applicability a rule's fixes have, as the rule declares it (docs, ``iacmod list``)."""

    SAFE = "safe"  # every fix is safe
    UNSAFE = "unsafe"  # every fix is unsafe
    DEPENDS = "depends"  # decided per fix: safe in some contexts, unsafe in others


def describe_fix(availability: FixAvailability, applicability: RuleApplicability | None) -> str:
    """A rule's fix in a few words: "always, safe", "sometimes, depends", "none"."""
    if availability is FixAvailability.NONE or applicability is None:
        return availability.value
    return f"{availability.value}, {applicability.value}"


@dataclass(frozen=True, order=True)
class Position:
    line: int  # 1-based
    column: int  # 1-based


@dataclass(frozen=True)
class Span:
    start: Position
    end: Position

    @classmethod
    def point(cls, line: int, column: int = 1) -> Span:
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
    safety: FixSafety  # applicability of the fix offered; NONE when detect-only
    fixed: bool = False  # the fix was applied (or, in a dry run, would be)
    suppressed: bool = False
    severity: Severity = field(kw_only=True)  # the rule's, unless the finding overrides it

    @property
    def fixable(self) -> bool:
        return self.safety is not FixSafety.NONE

    @property
    def fix_key(self) -> tuple[str, int, int, int, int]:
        """What selects this finding's fix (``Settings.only``, ``api.fix_only``): the rule's code
        and the finding's range in the text it was found in (the file is the one processed)."""
        return (self.code, self.span.start.line, self.span.start.column, self.span.end.line, self.span.end.column)

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
            "severity": self.severity.value,
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
    column: int | None = None  # 1-based, when known (syntax errors: CPython's)

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "line": self.line, "column": self.column, "message": self.message, "rule": self.rule}


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
    selection: Any = None  # iacmod.discovery.Selection: what discovery left out, for the summary

    @property
    def findings(self) -> list[Finding]:
        return [f for r in self.files for f in r.findings]

    @property
    def errors(self) -> list[FileError]:
        return [e for r in self.files for e in r.errors]

    @property
    def changed(self) -> list[FileResult]:
        return [r for r in self.files if r.changed]
