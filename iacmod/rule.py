"""The rule framework.

A rule is one LibCST visitor class that declares what it is (code, kebab-case name, summary,
rationale, targets, severity, fix availability and applicability, trigger tokens, options,
examples) and, while the engine walks a module, calls :meth:`Rule.report` for each defect,
optionally with a fix: replacement nodes, the imports the replacement needs, and the fix's
applicability (``safety``). The engine decides which fixes to apply (applicability,
suppression, overlap), applies them, adds and removes imports, and validates the result.
``iacmod.findings`` describes severities and the fix model.

Tests (``tests/test_rules.py``) and docs (``docs/rules/<name>.md``) are generated from these
declarations, so a rule ships with its examples in its own module.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar

import libcst as cst
from libcst.metadata import ProviderT

from iacmod.cst.metadata import LazyMetadata
from iacmod.cst.walk import batched_visitor_methods
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity

# Targets a rule can declare. "python" rules run on any Python file (handlers included);
# the IaC targets say which programs the defect occurs in (docs, `iacmod list`).
TARGETS = ("python", "pulumi", "cdk", "cdktf", "stepfunctions", "lambda")


@dataclass(frozen=True)
class Option:
    """A rule option, configurable under ``[tool.iacmod.rules.<rule-name>]``."""

    default: Any
    description: str
    choices: tuple[Any, ...] | None = None
    # bounds of a number (inclusive unless ``exclusive``, which applies to both); NaN and the
    # infinities are never accepted for a float option
    minimum: float | None = None
    maximum: float | None = None
    exclusive: bool = False

    def validate(self, rule: str, key: str, value: Any) -> Any:
        if self.choices is not None and value not in self.choices:
            choices = ", ".join(repr(c) for c in self.choices)
            raise ValueError(f"rule {rule!r}: option {key!r} must be one of {choices}, not {value!r}")
        expected = type(self.default)
        if self.default is not None and not isinstance(value, expected):
            # ints are accepted where floats are expected
            if not (expected is float and isinstance(value, int) and not isinstance(value, bool)):
                raise ValueError(f"rule {rule!r}: option {key!r} must be a {expected.__name__}, not {value!r}")
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            self._check_bounds(rule, key, value)
        return value

    def _check_bounds(self, rule: str, key: str, value: float) -> None:
        import math

        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"rule {rule!r}: option {key!r} must be a finite number, not {value!r}")
        low_ok = self.minimum is None or (value > self.minimum if self.exclusive else value >= self.minimum)
        high_ok = self.maximum is None or (value < self.maximum if self.exclusive else value <= self.maximum)
        if not (low_ok and high_ok):
            word = "exclusive" if self.exclusive else "inclusive"
            raise ValueError(
                f"rule {rule!r}: option {key!r} must be between {self.minimum} and {self.maximum} "
                f"({word}), not {value!r}"
            )


@dataclass(frozen=True)
class Example:
    """Embedded example. ``after`` None means the code must stay byte-identical.

    ``title``: a short description; the rule page shows it, and its slug names the generated
    test (``datetime-utcnow[strftime-without-a-zone-directive-is-safe]``), so it is unique per
    rule. ``unsafe``: the change only happens with ``--unsafe-fixes`` (and the code must stay
    identical without it). ``findings``: how many findings the rule reports on ``before``
    (None: not checked; a must-not-change example with ``findings=1`` is detect-only).
    ``message``: a fragment of the message of a finding on ``before``; ``line``: the 1-based
    line (in the dedented ``before``) of a finding, the same one when both are given (None: not
    checked). ``path``: the file name the example is processed as (some rules look at it).
    """

    before: str
    after: str | None = None
    unsafe: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    findings: int | None = None
    path: str = "example.py"
    title: str = ""
    message: str | None = None
    line: int | None = None

    @property
    def before_text(self) -> str:
        return textwrap.dedent(self.before).lstrip("\n")

    @property
    def after_text(self) -> str | None:
        return None if self.after is None else textwrap.dedent(self.after).lstrip("\n")


@dataclass(frozen=True)
class ImportSpec:
    """An import a fix needs (or no longer needs): ``from module import name as asname``,
    or ``import module`` when ``name`` is None."""

    module: str
    name: str | None = None
    asname: str | None = None


@dataclass(frozen=True)
class RuleContext:
    """What a rule instance knows about the file it is looking at."""

    path: Path
    source: str
    options: Mapping[str, Any]
    # Set when the module is Python code embedded in a string of another file.
    embedded: bool = False
    # Whether unsafe fixes will be applied (document rules decide themselves what to apply).
    unsafe_fixes: bool = False


@dataclass
class PendingFix:
    changes: dict[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]]
    add_imports: tuple[ImportSpec, ...]
    remove_imports: tuple[ImportSpec, ...]
    safety: FixSafety


@dataclass
class Report:
    """A finding as a rule reports it, before the engine locates and filters it."""

    rule: type[Rule]
    node: cst.CSTNode
    message: str
    fix: PendingFix | None
    severity: Severity


@dataclass(frozen=True)
class DocumentFinding:
    """A finding in a non-Python document; lines and columns are 1-based."""

    message: str
    line: int
    column: int = 1
    safety: FixSafety = FixSafety.NONE  # applicability of the fix offered; NONE: detect-only
    fixed: bool = False  # the fix is applied in DocumentResult.new_text
    end_line: int | None = None
    end_column: int | None = None
    severity: Severity | None = None  # None: the rule's


@dataclass(frozen=True)
class DocumentResult:
    """What a rule did to a document. ``new_text`` None: leave the file as it is.
    ``new_text`` must contain only fixes whose safety the context allows
    (``context.unsafe_fixes``), and their findings are marked ``fixed``."""

    findings: tuple[DocumentFinding, ...] = ()
    new_text: str | None = None


class Rule(LazyMetadata, cst.BatchableCSTVisitor):
    """Base class of every codemod rule."""

    code: ClassVar[str]  # e.g. "IAC101"
    name: ClassVar[str]  # kebab-case, e.g. "datetime-utcnow"
    summary: ClassVar[str]  # one line
    rationale: ClassVar[str]  # markdown: why is this bad?
    fix_description: ClassVar[str] = ""  # markdown: what the fix does
    # Every rule declares its severity (no default); a finding may override it (report()).
    severity: ClassVar[Severity]
    # Whether findings come with a fix, and the applicability the fixes have (None when the
    # availability is NONE); for docs and `iacmod list`: the engine reads each fix's own safety.
    fix_availability: ClassVar[FixAvailability] = FixAvailability.NONE
    fix_applicability: ClassVar[RuleApplicability | None] = None
    fix_safety_notes: ClassVar[str] = ""  # markdown: why the fix is (un)safe where it is
    targets: ClassVar[frozenset[str]] = frozenset({"python"})
    # A file is parsed for this rule only when its text contains one of these substrings.
    # Empty: the rule runs on every Python file.
    triggers: ClassVar[tuple[str, ...]] = ()
    # ...and, in addition, all of these (e.g. ("pulumi",) for rules that only apply to Pulumi
    # programs). Both are plain substring checks on the file's bytes, before any parsing.
    requires: ClassVar[tuple[str, ...]] = ()
    options: ClassVar[Mapping[str, Option]] = {}
    examples: ClassVar[Sequence[Example]] = ()
    # Enabled when no --select/--all and no configured select is given.
    default_enabled: ClassVar[bool] = True
    # Non-Python files this rule also handles (fnmatch patterns on the file name, e.g.
    # "*.asl.json"). For those the engine calls process_document instead of walking a CST.
    document_patterns: ClassVar[tuple[str, ...]] = ()
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = ()
    # LazyMetadata's table of resolved providers (cst.BatchableCSTVisitor declares a read-only Mapping)
    metadata: dict[Any, Any]

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.reports: list[Report] = []

    # -- visitor table, cached per class ------------------------------------------------------

    def get_visitors(self) -> Mapping[str, Any]:
        """LibCST finds a batched visitor's visit_/leave_ methods with inspect.getmembers on
        every instance, which costs more than a small file's parse; the names are per class
        (``iacmod.cst.walk.batched_visitor_methods``)."""
        return batched_visitor_methods(self)

    # -- helpers for rule authors -------------------------------------------------------------

    def option(self, key: str) -> Any:
        return self.context.options.get(key, self.options[key].default)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        replacement: cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode] | None = None,
        changes: Mapping[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel[cst.CSTNode]]
        | None = None,
        add_imports: Sequence[ImportSpec] = (),
        remove_imports: Sequence[ImportSpec] = (),
        safety: FixSafety = FixSafety.SAFE,
        severity: Severity | None = None,
    ) -> None:
        """Report a defect at ``node``.

        With ``replacement`` (for ``node``) and/or ``changes`` (other nodes of the original tree),
        the finding carries a fix of the given applicability, ``safety``; without either it is
        detect-only. Nodes in ``changes`` must not contain one another. ``severity`` overrides
        the rule's for this finding.
        """
        all_changes: dict[cst.CSTNode, Any] = dict(changes or {})
        if replacement is not None:
            all_changes[node] = replacement
        fix = None
        if all_changes:
            if safety is FixSafety.NONE:
                raise ValueError("a fix needs a safety of SAFE or UNSAFE")
            fix = PendingFix(all_changes, tuple(add_imports), tuple(remove_imports), safety)
        self.reports.append(Report(type(self), node, message, fix, severity or self.severity))

    @classmethod
    def process_document(cls, context: RuleContext) -> DocumentResult:
        """Rewrite a non-Python document matched by ``document_patterns``."""
        raise NotImplementedError

    @classmethod
    def triggered_by(cls, data: bytes | str) -> bool:
        """The prefilter: does the file's text contain a trigger (and every required token)?"""
        if isinstance(data, bytes):
            if not all(t.encode() in data for t in cls.requires):
                return False
            return not cls.triggers or any(t.encode() in data for t in cls.triggers)
        if not all(t in data for t in cls.requires):
            return False
        return not cls.triggers or any(t in data for t in cls.triggers)

    @classmethod
    def validate_options(cls, values: Mapping[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in values.items():
            if key not in cls.options:
                known = ", ".join(sorted(cls.options)) or "none"
                raise ValueError(f"rule {cls.name!r} has no option {key!r} (options: {known})")
            out[key] = cls.options[key].validate(cls.name, key, value)
        return out
