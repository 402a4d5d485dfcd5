"""The rule framework.

A rule is one LibCST visitor class that declares what it is (code, kebab-case name, summary,
rationale, targets, fix safety, trigger tokens, options, examples) and, while the engine walks a
module, calls :meth:`Rule.report` for each defect, optionally with a fix: replacement nodes and
the imports the replacement needs. The engine decides which fixes to apply (safety, suppression,
overlap), applies them, adds and removes imports, and validates the result.

Tests (``tests/test_rules.py``) and docs (``docs/rules/<name>.md``) are generated from these
declarations, so a rule ships with its examples in its own module.
"""

from __future__ import annotations

import textwrap
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, Iterable, Iterator, Mapping, Sequence

import libcst as cst
from libcst._metadata_dependent import _UNDEFINED_DEFAULT, LazyValue
from libcst.metadata import (
    CodeRange,
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    ProviderT,
    QualifiedNameProvider,
    ScopeProvider,
)

from .findings import FixSafety, RuleFixSafety
from .positions import expression_contexts, parents_of, positions_in_statements, positions_of
from .scope import scopes
from .walk import formatting_classes

# Targets a rule can declare. "python" rules run on any Python file (handlers included);
# the IaC targets say which programs the defect occurs in (docs, `iacmod list`).
TARGETS = ("python", "pulumi", "cdk", "cdktf", "stepfunctions", "lambda")


@dataclass(frozen=True)
class Option:
    """A rule option, configurable under ``[tool.iacmod.rules.<rule-name>]``."""

    default: Any
    description: str
    choices: tuple[Any, ...] | None = None

    def validate(self, rule: str, key: str, value: Any) -> Any:
        if self.choices is not None and value not in self.choices:
            choices = ", ".join(repr(c) for c in self.choices)
            raise ValueError(f"rule {rule!r}: option {key!r} must be one of {choices}, not {value!r}")
        expected = type(self.default)
        if self.default is not None and not isinstance(value, expected):
            # ints are accepted where floats are expected
            if not (expected is float and isinstance(value, int) and not isinstance(value, bool)):
                raise ValueError(
                    f"rule {rule!r}: option {key!r} must be a {expected.__name__}, not {value!r}"
                )
        return value


@dataclass(frozen=True)
class Example:
    """Embedded example. ``after`` None means the code must stay byte-identical.

    ``unsafe``: the change only happens with ``--unsafe-fixes`` (and the code must stay
    identical without it). ``findings``: how many findings the rule reports on ``before``
    (None: not checked; a must-not-change example with ``findings=1`` is detect-only).
    ``path``: the file name the example is processed as (some rules look at it).
    """

    before: str
    after: str | None = None
    unsafe: bool = False
    options: Mapping[str, Any] = field(default_factory=dict)
    findings: int | None = None
    path: str = "example.py"
    title: str = ""

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
    changes: dict[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel]
    add_imports: tuple[ImportSpec, ...]
    remove_imports: tuple[ImportSpec, ...]
    safety: FixSafety


@dataclass
class Report:
    """A finding as a rule reports it, before the engine locates and filters it."""

    rule: "type[Rule]"
    node: cst.CSTNode
    message: str
    fix: PendingFix | None


@dataclass(frozen=True)
class DocumentFinding:
    """A finding in a non-Python document; lines and columns are 1-based."""

    message: str
    line: int
    column: int = 1
    safety: FixSafety = FixSafety.NONE  # safety of the fix offered; NONE: detect-only
    fixed: bool = False  # the fix is applied in DocumentResult.new_text
    end_line: int | None = None
    end_column: int | None = None


@dataclass(frozen=True)
class DocumentResult:
    """What a rule did to a document. ``new_text`` None: leave the file as it is.
    ``new_text`` must contain only fixes whose safety the context allows
    (``context.unsafe_fixes``), and their findings are marked ``fixed``."""

    findings: tuple[DocumentFinding, ...] = ()
    new_text: str | None = None


_TARGETED_POSITIONS = 4  # beyond this many nodes, positions of the whole module are computed
_POSITIONS_OF = object()  # key of the targeted positions cached in a wrapper's metadata
_PARTIAL_PARENTS = object()  # set while a wrapper's parent map leaves formatting nodes out
_QUALIFIED = object()  # key of the qualified names cached in a wrapper's metadata
_ASKED = object()  # key of how many targeted position passes a wrapper's module had
_SOURCE = object()  # key of the module's source text, when the engine knows it
_MISSING = object()


def with_source(wrapper: MetadataWrapper, source: str) -> MetadataWrapper:
    """Record that ``source`` is the code of ``wrapper.module`` (lets ``locate`` place nodes
    from the statements that hold them)."""
    wrapper._metadata[_SOURCE] = source
    return wrapper


def locate(wrapper: MetadataWrapper, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
    """PositionProvider's ranges of ``nodes``. When the module's source is known, each node is
    placed from the statement that holds it (found through the parent map: a fraction of the
    cost of generating the module's code up to the node); the rest, and everything when the
    source is not known, from the start of the module (iacmod.positions)."""
    module = wrapper.module
    source = wrapper._metadata.get(_SOURCE)
    if source is None:
        return positions_of(module, nodes)
    parents = resolve_metadata(wrapper, ParentNodeProvider)
    positions, rest = positions_in_statements(module, nodes, parents, source)
    if rest:
        positions.update(positions_of(module, rest))
    return positions


class LazyMetadata:
    """Metadata resolved on first use instead of before the visit (mix into a LibCST visitor).

    LibCST resolves every declared provider before a visit. Scope and qualified-name analysis
    cost several parses' worth of time, and most files never need them (cheap shape checks in
    visit_* methods rule the nodes out first). So providers are still declared in
    METADATA_DEPENDENCIES, but each is resolved on the first get_metadata call, once per
    module, and shared by every visitor through the wrapper's cache. Qualified names are
    computed from the scope of the node asked about (what QualifiedNameProvider does per node),
    without QualifiedNameProvider's traversal of the whole module; parents come from a direct
    walk over the nodes' fields (the same mapping as ParentNodeProvider, without its visitor).
    """

    _wrapper: MetadataWrapper
    metadata: dict[Any, Any]

    @contextmanager
    def resolve(self, wrapper: MetadataWrapper) -> Iterator[None]:
        self._wrapper = wrapper
        self.metadata = {}
        try:
            yield
        finally:
            self.metadata = {}

    def get_metadata(self, key: Any, node: cst.CSTNode, default: Any = _UNDEFINED_DEFAULT) -> Any:
        # the common case first (rules ask for parents and scopes hundreds of times per file):
        # a provider already resolved for this visitor, with a value for the node
        table = self.metadata.get(key)
        if table is not None:
            value = table.get(node, _MISSING)
            if value is not _MISSING and value.__class__ is not LazyValue:
                return value
        if key not in self.get_inherited_dependencies():  # type: ignore[attr-defined]
            raise KeyError(f"{key.__name__} is not declared in {type(self).__name__}.METADATA_DEPENDENCIES")
        if key is QualifiedNameProvider:
            cache = self._wrapper._metadata.setdefault(_QUALIFIED, {})  # shared by all rules
            names = cache.get(node)
            if names is None:
                scope = self._scope_map().get(node)
                names = cache[node] = scope.get_qualified_names_for(node) if scope is not None else False
            if names is False:
                return set() if default is _UNDEFINED_DEFAULT else default
            return names
        if key is PositionProvider and key not in self.metadata:
            return self._position(node, default)
        if key not in self.metadata:
            self.metadata[key] = self._resolve(key)
        if key is ParentNodeProvider and node not in self.metadata[key]:
            self._complete_parents(node)
        if default is not _UNDEFINED_DEFAULT:
            value = self.metadata[key].get(node, default)
        else:
            value = self.metadata[key][node]
        if isinstance(value, LazyValue):
            value = value()
        return value

    def _resolve(self, key: Any) -> Mapping[cst.CSTNode, Any]:
        return resolve_metadata(self._wrapper, key)

    def _complete_parents(self, node: cst.CSTNode) -> None:
        resolved = self._wrapper._metadata
        if resolved.get(_PARTIAL_PARENTS) and type(node) in formatting_classes():
            resolved[ParentNodeProvider] = self.metadata[ParentNodeProvider] = parents_of(self._wrapper.module)
            resolved[_PARTIAL_PARENTS] = False

    def prefetch_positions(self, nodes: Iterable[cst.CSTNode]) -> None:
        """Compute the positions of ``nodes`` in one pass, for a rule about to ask for several
        (``get_metadata(PositionProvider, node)`` then finds them)."""
        if PositionProvider in self.metadata:
            return
        cache = self._wrapper._metadata.setdefault(_POSITIONS_OF, {})
        wanted = [n for n in nodes if n not in cache]
        if wanted:
            cache.update(locate(self._wrapper, wanted))

    def _position(self, node: cst.CSTNode, default: Any) -> Any:
        """A node's position: rules ask for a few (to lay out a fix), so they are generated for
        the nodes asked about (iacmod.positions.positions_of, same ranges as PositionProvider)
        rather than for every node of the module, unless many are asked for."""
        wrapper = self._wrapper
        cache = wrapper._metadata.setdefault(_POSITIONS_OF, {})  # MetadataWrapper has __slots__
        if node not in cache:
            asked = self._wrapper._metadata.get(_ASKED, 0) + 1
            self._wrapper._metadata[_ASKED] = asked
            if asked > _TARGETED_POSITIONS:
                self.metadata[PositionProvider] = self._resolve(PositionProvider)
                return self.get_metadata(PositionProvider, node, default)
            cache.update(locate(wrapper, [node]))
            cache.setdefault(node, None)
        value = cache[node]
        if value is None:  # e.g. the Module node itself, or a node of another tree: ask LibCST
            self.metadata[PositionProvider] = self._resolve(PositionProvider)
            return self.get_metadata(PositionProvider, node, default)
        return value

    def _scope_map(self) -> Mapping[cst.CSTNode, Any]:
        scopes = self.metadata.get(ScopeProvider)
        if scopes is None:
            scopes = self.metadata[ScopeProvider] = self._resolve(ScopeProvider)
        return scopes


def resolve_metadata(wrapper: MetadataWrapper, key: Any) -> Mapping[cst.CSTNode, Any]:
    """``wrapper.resolve(key)``, cheaper, with the same result, cached in the wrapper.

    Parents and expression contexts come from direct walks (iacmod.positions;
    tests/test_positions.py checks they are identical to LibCST's providers). Scope and
    positions are computed by their providers directly: ``MetadataWrapper.resolve`` would
    also run a batched traversal of the whole module with nothing to do (for ScopeProvider,
    a batchable provider that does all its work in ``visit_Module``, and after any
    non-batchable one), doubling the cost. LibCST's visits inside the scope analysis are
    read-only, so they run under ``iacmod.walk.readonly_visits``.
    """
    resolved = getattr(wrapper, "_metadata", None)
    if not isinstance(resolved, dict):  # not the MetadataWrapper this was written against
        return wrapper.resolve(key)
    if key in resolved:
        return resolved[key]
    module = wrapper.module
    if key is ParentNodeProvider:
        # formatting nodes (whitespace, commas, ...) are left out: rules ask for the parents of
        # code; LazyMetadata completes the map the first time one asks for a formatting node
        resolved[key] = parents_of(module, skip=formatting_classes())
        resolved[_PARTIAL_PARENTS] = True
    elif key is ExpressionContextProvider:
        resolved[key] = expression_contexts(module)
    elif key is ScopeProvider:
        if ExpressionContextProvider not in resolved:
            resolved[ExpressionContextProvider] = expression_contexts(module)
        resolved[key] = scopes(wrapper, resolved.get(_SOURCE))
    elif key is PositionProvider:
        resolved[key] = PositionProvider()._gen(wrapper)
    else:
        return wrapper.resolve(key)
    return resolved[key]


class Rule(LazyMetadata, cst.BatchableCSTVisitor):
    """Base class of every codemod rule."""

    code: ClassVar[str]  # e.g. "IAC101"
    name: ClassVar[str]  # kebab-case, e.g. "datetime-utcnow"
    summary: ClassVar[str]  # one line
    rationale: ClassVar[str]  # markdown: why is this bad?
    fix_description: ClassVar[str] = ""  # markdown: what the fix does
    fix_safety: ClassVar[RuleFixSafety] = RuleFixSafety.SAFE
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

    def __init__(self, context: RuleContext) -> None:
        super().__init__()
        self.context = context
        self.reports: list[Report] = []

    # -- visitor table, cached per class ------------------------------------------------------

    def get_visitors(self) -> Mapping[str, Any]:
        """LibCST finds a batched visitor's visit_/leave_ methods with inspect.getmembers on
        every instance, which costs more than a small file's parse; the names are per class."""
        cls = type(self)
        names = cls.__dict__.get("_iacmod_visitor_names")
        if names is None:
            # as LibCST's own get_visitors: the typed no-op stubs of every node are skipped
            names = tuple(
                n
                for n in dir(cls)
                if n.startswith(("visit_", "leave_")) and not getattr(getattr(cls, n), "_is_no_op", False)
            )
            cls._iacmod_visitor_names = names  # type: ignore[attr-defined]
        return {name: getattr(self, name) for name in names}

    # -- helpers for rule authors -------------------------------------------------------------

    def option(self, key: str) -> Any:
        return self.context.options.get(key, self.options[key].default)

    def report(
        self,
        node: cst.CSTNode,
        message: str,
        *,
        replacement: cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel | None = None,
        changes: Mapping[cst.CSTNode, cst.CSTNode | cst.RemovalSentinel | cst.FlattenSentinel]
        | None = None,
        add_imports: Sequence[ImportSpec] = (),
        remove_imports: Sequence[ImportSpec] = (),
        safety: FixSafety = FixSafety.SAFE,
    ) -> None:
        """Report a defect at ``node``.

        With ``replacement`` (for ``node``) and/or ``changes`` (other nodes of the original tree),
        the finding carries a fix of the given ``safety``; without either it is detect-only.
        Nodes in ``changes`` must not contain one another.
        """
        all_changes: dict[cst.CSTNode, Any] = dict(changes or {})
        if replacement is not None:
            all_changes[node] = replacement
        fix = None
        if all_changes:
            if safety is FixSafety.NONE:
                raise ValueError("a fix needs a safety of SAFE or UNSAFE")
            fix = PendingFix(all_changes, tuple(add_imports), tuple(remove_imports), safety)
        self.reports.append(Report(type(self), node, message, fix))

    @classmethod
    def process_document(cls, context: RuleContext) -> "DocumentResult":
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

