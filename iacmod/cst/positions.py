"""Positions of a few nodes, for a fraction of the cost of LibCST's PositionProvider.

PositionProvider generates the whole module's code while building a CodeRange for every node,
which costs about as much as parsing the file twice. Findings need the positions of only the
reported nodes. ``positions_of`` generates the code once with a codegen state that tracks the
current line and column and records ranges only for the wanted nodes (and the child nodes
that compound statements hoist their syntactic start and end from). The ranges are the
same as PositionProvider's (syntactic positions: leading and trailing whitespace excluded
where it is not significant).
"""

from __future__ import annotations

import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from typing import Any

import libcst as cst
from libcst.metadata import (
    CodePosition,
    CodeRange,
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
)

from iacmod.cst.version import fast_paths
from iacmod.cst.walk import formatting_classes, node_fields, nodes_in, visited_fields

_NOTHING = nullcontext()


class _AllFound(Exception):
    """Raised inside code generation once every wanted range is known."""


_STATE: list[type] = []


def _targeted_state() -> type:
    """A LibCST codegen state that tracks the current line and column and records the ranges of
    the target nodes only (built on first use: LibCST internals)."""
    if _STATE:
        return _STATE[0]
    from libcst._nodes.internal import CodegenState

    @dataclass(frozen=False)
    class _TargetedState(CodegenState):
        targets: set[cst.CSTNode] = field(default_factory=set)
        computed: dict[cst.CSTNode, CodeRange] = field(default_factory=dict)
        starts: dict[cst.CSTNode, list[CodePosition]] = field(default_factory=dict)
        line: int = 1
        column: int = 0
        keep: bool = False  # keep the generated tokens (and generate everything)

        def add_indent_tokens(self) -> None:
            for token in self.indent_tokens:
                self.add_token(token)

        def add_token(self, value: str) -> None:
            if self.keep:
                self.tokens.append(value)
            if "\n" in value or "\r" in value:
                normalized = value.replace("\r\n", "\n").replace("\r", "\n")
                self.line += normalized.count("\n")
                self.column = len(normalized) - normalized.rfind("\n") - 1
            else:
                self.column += len(value)

        def before_codegen(self, node: cst.CSTNode) -> None:
            if node in self.targets:
                self.starts.setdefault(node, []).append(CodePosition(self.line, self.column))

        def after_codegen(self, node: cst.CSTNode) -> None:
            if node in self.targets:
                start = self.starts[node].pop()
                if node not in self.computed:
                    self.computed[node] = CodeRange(start, CodePosition(self.line, self.column))
                    self._done(node)

        def _done(self, node: cst.CSTNode) -> None:
            # every target has its range (and none is still open): the rest of the module's code
            # need not be generated
            if not self.keep and len(self.computed) >= len(self.targets) and self.targets <= self.computed.keys():
                raise _AllFound

        def record_syntactic_position(
            self,
            node: cst.CSTNode,
            *,
            start_node: cst.CSTNode | None = None,
            end_node: cst.CSTNode | None = None,
        ) -> Any:
            if node not in self.targets:
                return _NOTHING  # (a shared no-op context: far cheaper than a generator's)
            return self._record(node, start_node, end_node)

        @contextmanager
        def _record(
            self, node: cst.CSTNode, start_node: cst.CSTNode | None, end_node: cst.CSTNode | None
        ) -> Iterator[None]:
            # the hoisted start/end nodes are generated inside this block: record them too
            if start_node is not None:
                self.targets.add(start_node)
            if end_node is not None:
                self.targets.add(end_node)
            start = CodePosition(self.line, self.column)
            try:
                yield
            finally:
                end = CodePosition(self.line, self.column)
                if start_node is not None:
                    start = self.computed[start_node].start
                if end_node is not None:
                    end = self.computed[end_node].end
                self.computed[node] = CodeRange(start, end)
            self._done(node)

    _STATE.append(_TargetedState)
    return _TargetedState


def _provider(module: cst.Module, provider: Any) -> Mapping[cst.CSTNode, Any]:
    """LibCST's own ``provider`` mapping for ``module`` (the path off the fast paths)."""
    return MetadataWrapper(module, unsafe_skip_copy=True).resolve(provider)


def positions_of(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
    """Syntactic CodeRanges (as PositionProvider gives them) of ``nodes`` in ``module``."""
    if not fast_paths():
        positions = _provider(module, PositionProvider)
        return {node: positions[node] for node in nodes if node in positions}
    targets: set[cst.CSTNode] = set(nodes)
    state = _targeted_state()(
        default_indent=module.default_indent, default_newline=module.default_newline, targets=targets
    )
    try:
        module._codegen(state)
    except _AllFound:
        pass
    computed: dict[cst.CSTNode, CodeRange] = state.computed  # (state's class is built at run time: Any)
    return computed


def positions_in_statements(
    module: cst.Module,
    nodes: Iterable[cst.CSTNode],
    parents: Mapping[cst.CSTNode, cst.CSTNode],
    source: str,
    lines: SourceLines | None = None,
) -> tuple[dict[cst.CSTNode, CodeRange], list[cst.CSTNode]]:
    """Positions of ``nodes`` generated from the statements that hold them, not from the start
    of the module: the code of the innermost statement around a node is generated alone (with
    the indentation of the blocks around it, as code generation of the module would have it)
    and looked up in ``source``, the module's code. When it occurs exactly once at the start of
    a line, that is where the statement is, and its nodes' ranges are shifted there; otherwise
    (a statement repeated word for word, a node outside any statement, a node missing from
    ``parents``), the node is returned among the rest, for ``positions_of``.

    ``lines``: ``SourceLines(source)``, when the caller keeps one for several calls.

    Returns (ranges, rest). The ranges are PositionProvider's (tests/test_positions.py)."""
    if not fast_paths():
        return {}, list(dict.fromkeys(nodes))
    if lines is None or lines.source is not source:
        lines = SourceLines(source)
    by_statement: dict[cst.CSTNode, list[cst.CSTNode]] = {}
    indents: dict[cst.CSTNode, list[str]] = {}
    rest: list[cst.CSTNode] = []
    for node in dict.fromkeys(nodes):
        found = _statement_of(module, node, parents)
        if found is None:
            rest.append(node)
            continue
        statement, indent = found
        by_statement.setdefault(statement, []).append(node)
        indents[statement] = indent
    out: dict[cst.CSTNode, CodeRange] = {}
    state_class = _targeted_state()
    for statement, wanted in by_statement.items():
        state = state_class(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            targets=set(wanted),
            keep=True,
        )
        state.indent_tokens = indents[statement]
        statement._codegen(state)
        first_line = lines.unique_line_start("".join(state.tokens))
        if first_line is None or not state.targets <= state.computed.keys():
            rest.extend(wanted)
            continue
        shift = first_line - 1
        for node, rng in state.computed.items():
            out[node] = CodeRange(
                CodePosition(rng.start.line + shift, rng.start.column),
                CodePosition(rng.end.line + shift, rng.end.column),
            )
    return out, rest


def _statement_of(
    module: cst.Module, node: cst.CSTNode, parents: Mapping[cst.CSTNode, cst.CSTNode]
) -> tuple[cst.CSTNode, list[str]] | None:
    """The innermost statement holding ``node`` (or ``node`` itself), and the indentation
    tokens code generation has on its stack there; None when the parents do not say."""
    statement: cst.CSTNode | None = None
    indent: list[str] = []
    current = node
    while current is not module:
        parent = parents.get(current)
        if parent is None:
            return None
        if statement is None:
            if isinstance(current, (cst.SimpleStatementLine, cst.BaseCompoundStatement)) and not (
                # an `elif` is generated as part of the `if` it continues
                isinstance(current, cst.If) and isinstance(parent, cst.If) and parent.orelse is current
            ):
                statement = current
        if statement is not None and isinstance(parent, (cst.IndentedBlock, cst.Match)):
            # the two node classes that push an indentation level for what they hold
            indent.append(module.default_indent if parent.indent is None else parent.indent)
        current = parent
    if statement is None:
        return None
    indent.reverse()
    return statement, indent


class SourceLines:
    """Where each line of a source starts, indexed by the line's text: finding the line on which
    a statement's code starts costs the lines with the same first line, not a scan of the source
    (which made locating N statements quadratic in N)."""

    # a first line shared by more statements than this is not worth checking one by one: their
    # nodes are located by one generation of the module's code instead
    MAX_CANDIDATES = 8
    # the first lookups scan the source (C-speed, and no index to build: most files have a few
    # findings); the index is built once more are asked for
    SCANS = 16

    def __init__(self, source: str) -> None:
        self.source = source
        self._starts: dict[str, list[int]] | None = None
        self._breaks: tuple[list[int], list[int], list[int]] | None = None
        self._scans = 0

    def _index(self) -> dict[str, list[int]]:
        # the offsets at which a line starts, under the line's text (up to its line break)
        starts = self._starts
        if starts is None:
            starts = self._starts = {}
            source = self.source
            for match in _LINE.finditer(source):
                starts.setdefault(match.group(1), []).append(match.start())
        return starts

    def unique_line_start(self, code: str) -> int | None:
        """``_unique_line_start(self.source, code)``, or None (unknown) when the first line of
        text in ``code`` is a line of the source more than MAX_CANDIDATES times."""
        if not code:
            return None
        source = self.source
        if self._scans < self.SCANS:
            self._scans += 1
            return _unique_line_start(source, code)
        # the first line of ``code`` that holds text, and ends with a line break (so it is a
        # whole line of the source wherever ``code`` occurs at the start of a line)
        key = _TEXT_LINE.search(code)
        if key is None or key.end() == len(code):
            return _unique_line_start(source, code)
        candidates = self._index().get(key.group(0))
        if not candidates:
            return None
        if len(candidates) > self.MAX_CANDIDATES:
            return None
        skip = key.start()
        found = None
        for line_start in candidates:
            start = line_start - skip
            if start < 0 or (start and source[start - 1] not in "\n\r") or not source.startswith(code, start):
                continue
            if found is not None:
                return None
            found = start
        return None if found is None else self.line_of(found)

    def line_of(self, offset: int) -> int:
        """The 1-based line of ``offset`` ("\r\n", "\r" and "\n" each end a line)."""
        if self._breaks is None:
            source = self.source
            self._breaks = (
                [m.start() for m in _LF.finditer(source)],
                [m.start() for m in _CR.finditer(source)],
                [m.start() for m in _CRLF.finditer(source)],
            )
        lf, cr, crlf = self._breaks
        # newlines in source[:offset] once "\r\n" and then "\r" become "\n"
        return bisect_left(lf, offset) + bisect_left(cr, offset) - bisect_left(crlf, offset - 1) + 1


_LINE = re.compile(r"(?:(?<=[\n\r])|^)([^\n\r]*)")
_TEXT_LINE = re.compile(r"(?:(?<=[\n\r])|^)[^\n\r]+")
_LF, _CR, _CRLF = re.compile("\n"), re.compile("\r"), re.compile("\r\n")


def _unique_line_start(source: str, code: str) -> int | None:
    """The line on which ``code`` starts in ``source``, if it occurs exactly once there at the
    start of a line; else None."""
    if not code:
        return None
    found = None
    start = source.find(code)
    while start != -1:
        if start == 0 or source[start - 1] in "\n\r":
            if found is not None:
                return None
            found = start
        start = source.find(code, start + 1)
    if found is None:
        return None
    before = source[:found]
    if "\r" in before:
        before = before.replace("\r\n", "\n").replace("\r", "\n")
    return before.count("\n") + 1


def parents_of(module: cst.Module, skip: frozenset[type] = frozenset()) -> dict[cst.CSTNode, cst.CSTNode]:
    """Each node's parent, as LibCST's ParentNodeProvider gives it, from a direct walk over the
    nodes' fields (no visitor dispatch: several times cheaper on large modules); without the
    subtrees of the node classes in ``skip``. (LibCST's provider, every node, when the fast
    paths are off.)"""
    if not fast_paths():
        return dict(_provider(module, ParentNodeProvider))
    parents: dict[cst.CSTNode, cst.CSTNode] = {}
    stack: list[cst.CSTNode] = [module]
    pop, push = stack.pop, stack.append
    fields_of: dict[type, tuple[str, ...]] = {}
    while stack:
        node = pop()
        cls = node.__class__
        fields = fields_of.get(cls)
        if fields is None:
            visited = visited_fields(node)
            fields = fields_of[cls] = tuple(f for f in node_fields(cls, skip) if f in visited)
        for child in nodes_in(node, fields, skip):
            parents[child] = node
            push(child)
    return parents


def expression_contexts(module: cst.Module) -> dict[cst.CSTNode, object]:
    """The same mapping as LibCST's ExpressionContextProvider (LOAD/STORE/DEL for Name,
    Attribute, Subscript, Tuple, List and StarredElement nodes), from a direct walk that mirrors
    its visitor rule by rule. ScopeProvider depends on it; this is several times cheaper.
    (LibCST's provider when the fast paths are off.)"""
    if not fast_paths():
        return dict(_provider(module, ExpressionContextProvider))
    from libcst.metadata.expression_context_provider import ExpressionContext

    # whitespace, commas, operators and brackets hold none of the nodes that get a context
    formatting = formatting_classes()
    load, store, delete = ExpressionContext.LOAD, ExpressionContext.STORE, ExpressionContext.DEL
    out: dict[cst.CSTNode, object] = {}
    # Any: the loop dispatches on type(node) through `t`, which mypy does not narrow
    stack: list[tuple[Any, object]] = [(module, load)]
    push = stack.append
    node_type = cst.CSTNode

    fields_of: dict[type, tuple[str, ...]] = {}

    def push_opt(node: object, ctx: object) -> None:
        if isinstance(node, node_type):
            push((node, ctx))

    while stack:
        node, ctx = stack.pop()
        t = type(node)
        if t is cst.Name:
            out[node] = ctx
        elif t is cst.Attribute:
            out[node] = ctx
            push((node.value, load))
        elif t is cst.Subscript:
            out[node] = ctx
            push((node.value, load))
            for element in node.slice:
                push((element, load))
        elif t is cst.Assign:
            for target in node.targets:
                push((target, store))
            push((node.value, ctx))
        elif t is cst.AnnAssign:
            push((node.target, store))
            push((node.annotation, ctx))
            push_opt(node.value, ctx)
        elif t is cst.AugAssign or t is cst.NamedExpr:
            push((node.target, store))
            push((node.value, ctx))
        elif t is cst.AsName:
            push((node.name, store))
        elif t is cst.CompFor:
            push((node.target, store))
            push((node.iter, ctx))
            for cond in node.ifs:
                push((cond, ctx))
            push_opt(node.inner_for_in, ctx)
        elif t is cst.For:
            push((node.target, store))
            push((node.iter, ctx))
            push((node.body, ctx))
            push_opt(node.orelse, ctx)
        elif t is cst.Del:
            push((node.target, delete))
        elif t is cst.ClassDef:
            push((node.name, store))
            push((node.body, ctx))
            for item in (*node.bases, *node.keywords, *node.decorators):
                push((item, ctx))
        elif t is cst.FunctionDef:
            push((node.name, store))
            push((node.params, ctx))
            push((node.body, ctx))
            for decorator in node.decorators:
                push((decorator, ctx))
            push_opt(node.returns, ctx)
        elif t is cst.Param:
            push((node.name, store))
            push_opt(node.annotation, ctx)
            push_opt(node.default, ctx)
        else:
            if t is cst.Tuple or t is cst.List or t is cst.StarredElement:
                out[node] = ctx
            fields = fields_of.get(t)
            if fields is None:
                visited = visited_fields(node)
                fields = fields_of[t] = tuple(f for f in node_fields(t, formatting) if f in visited)
            for child in nodes_in(node, fields, formatting):
                push((child, ctx))
    return out


class RangeSet:
    """CodeRanges, indexed by the lines they span: whether a range overlaps one of them costs the
    ranges on its own lines, not all of them (a fix's nodes are checked against the fixes already
    taken, for every finding: quadratic in findings with a list). Two ranges overlap when each
    starts before the other ends (touching ranges do not)."""

    def __init__(self) -> None:
        self._by_line: dict[int, list[CodeRange]] = {}

    def overlaps(self, ranges: Iterable[CodeRange]) -> bool:
        """Whether any of ``ranges`` overlaps a range of the set."""
        by_line = self._by_line
        for rng in ranges:
            start, end = (rng.start.line, rng.start.column), (rng.end.line, rng.end.column)
            for line in range(rng.start.line, rng.end.line + 1):
                for other in by_line.get(line, ()):
                    if start < (other.end.line, other.end.column) and (other.start.line, other.start.column) < end:
                        return True
        return False

    def extend(self, ranges: Iterable[CodeRange]) -> None:
        """Add ``ranges`` to the set."""
        by_line = self._by_line
        for rng in ranges:
            for line in range(rng.start.line, rng.end.line + 1):
                by_line.setdefault(line, []).append(rng)
