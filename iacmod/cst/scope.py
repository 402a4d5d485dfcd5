"""LibCST's scope analysis (``ScopeProvider``), computed for a fraction of its cost.

The analysis is LibCST's own ``ScopeVisitor``; only the way it is driven differs:

- its visits are read-only walks (``iacmod.cst.walk``) that rebuild no nodes;
- the walk does not enter formatting nodes (whitespace, comments, commas, operators,
  brackets), which hold no names: LibCST documents scope metadata as not available for them,
  and no rule asks for it. Every other node gets the same scope, and every scope the same
  assignments and accesses (``tests/test_walk.py`` compares them with LibCST's on the corpus);
- ``on_leave`` does what LibCST's does (record the node's scope, count assignment-like nodes,
  call ``leave_<Node>``) without a string format, ``getattr`` and abstract ``isinstance`` per
  node.
"""

from __future__ import annotations

from typing import Any, Mapping

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

try:  # LibCST internals, present in every 1.x release this was checked with (tests/test_walk.py)
    from libcst.metadata.scope_provider import _ASSIGNMENT_LIKE_NODES, ScopeVisitor
except ImportError:  # pragma: no cover - another LibCST layout: use its provider as it is
    _ASSIGNMENT_LIKE_NODES = None
    ScopeVisitor = None

from iacmod.cst.walk import _handlers, formatting_classes, readonly_visits

_ASSIGNMENT_LIKE: dict[type, bool] = {}


class _ScopeVisitor(ScopeVisitor or object):  # type: ignore[misc]
    iacmod_skip_classes = formatting_classes()
    # False when the module's source has none of the words "cast", "NewType" and "TypeVar"
    plain_calls = False

    def visit_Call(self, node: cst.Call) -> bool | None:
        # LibCST's visit_Call looks up the qualified names of every call, to treat the
        # arguments of typing.cast, NewType and TypeVar as type hints. No call has those names
        # in a module whose source never mentions them (an import or an alias would): then
        # only its bookkeeping is needed, which leave_Call undoes.
        if self.plain_calls:
            self._ScopeVisitor__top_level_attribute_stack.append(None)
            self._ScopeVisitor__in_type_hint_stack.append(False)
            return True
        return super().visit_Call(node)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        cls = original_node.__class__
        self.provider._computed[original_node] = self.scope  # what set_metadata does
        counts = _ASSIGNMENT_LIKE.get(cls)
        if counts is None:
            counts = _ASSIGNMENT_LIKE[cls] = issubclass(cls, _ASSIGNMENT_LIKE_NODES)
        if counts:
            self.scope._assignment_count += 1
        leave = _LEAVES.get(cls.__name__)
        if leave is not None:
            leave(self, original_node)


def _has_call_stacks(visitor: Any) -> bool:
    """Whether this LibCST's ScopeVisitor keeps the two stacks visit_Call pushes (checked, not
    assumed: otherwise its own visit_Call runs)."""
    return isinstance(getattr(visitor, "_ScopeVisitor__top_level_attribute_stack", None), list) and isinstance(
        getattr(visitor, "_ScopeVisitor__in_type_hint_stack", None), list
    )


_LEAVES = {
    name[len("leave_"):]: fn
    for name, fn in (_handlers(ScopeVisitor).items() if ScopeVisitor is not None else ())
    if name.startswith("leave_") and "_" not in name[len("leave_"):]
}


_TYPING_CALLS = ("cast", "NewType", "TypeVar")


class _ScopeProvider(ScopeProvider):
    plain_calls = False

    def visit_Module(self, node: cst.Module) -> bool | None:
        visitor = _ScopeVisitor(self)
        visitor.plain_calls = self.plain_calls and _has_call_stacks(visitor)
        node.visit(visitor)
        visitor.infer_accesses()
        return None


def scopes(wrapper: MetadataWrapper, source: str | None = None) -> Mapping[cst.CSTNode, Any]:
    """The scope of every node of ``wrapper.module`` but formatting nodes (ScopeProvider's
    mapping otherwise). Needs ExpressionContextProvider resolved in ``wrapper``. ``source``,
    the module's code if known, lets the analysis skip work it can tell is not needed."""
    provider = _ScopeProvider() if ScopeVisitor is not None else ScopeProvider()
    if isinstance(provider, _ScopeProvider):
        provider.plain_calls = source is not None and not any(w in source for w in _TYPING_CALLS)
    with provider.resolve(wrapper), readonly_visits():
        provider.visit_Module(wrapper.module)
    return provider._computed


def release(mapping: Mapping[cst.CSTNode, Any]) -> None:
    """Break the reference cycles of a finished scope analysis (a scope and its assignments
    and accesses point at one another), so that reference counting frees it, and the tree it
    points into, at once: otherwise the whole module waits for the cyclic GC, which then has to
    traverse every node. Only for mappings nobody will read again."""
    scopes: dict[int, Any] = {}
    for scope in mapping.values():
        while scope is not None and id(scope) not in scopes:
            scopes[id(scope)] = scope
            parent = getattr(scope, "parent", None)
            scope = parent if parent is not scope else None
    for scope in scopes.values():
        for table in ("_assignments", "_accesses_by_name", "_accesses_by_node"):
            for group in getattr(scope, table, {}).values():
                for item in group:
                    state = getattr(item, "__dict__", None)
                    if state is not None:
                        state.clear()
    for scope in scopes.values():
        state = getattr(scope, "__dict__", None)
        if state is not None:
            state.clear()
