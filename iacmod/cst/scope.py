"""LibCST's scope analysis (``ScopeProvider``), computed for a fraction of its cost.

The analysis is LibCST's own ``ScopeVisitor``; only the way it is driven differs:

- its visits are read-only walks (``iacmod.cst.walk.ReadOnlyVisits``) that rebuild no nodes;
- the walk does not enter formatting nodes (whitespace, comments, commas, operators,
  brackets), which hold no names: LibCST documents scope metadata as not available for them,
  and no rule asks for it. Every other node gets the same scope, and every scope the same
  assignments and accesses (``tests/test_walk.py`` compares them with LibCST's on the corpus);
- ``on_leave`` does what LibCST's does (record the node's scope, count assignment-like nodes,
  call ``leave_<Node>``) without a string format, ``getattr`` and abstract ``isinstance`` per
  node.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, ScopeProvider

from iacmod.cst.version import fast_paths
from iacmod.cst.walk import ReadOnlyVisits, formatting_classes, handler_names

_TYPING_CALLS = ("cast", "NewType", "TypeVar")
_PROVIDER: list[type] = []  # the provider class below, built on first use (LibCST internals)


def _provider() -> type | None:
    """iacmod's ScopeProvider subclass, built once on first use from LibCST's ``ScopeVisitor``
    (None when this LibCST has no such class: then LibCST's provider runs as it is)."""
    if _PROVIDER:
        return _PROVIDER[0]
    try:  # LibCST internals, present in every release of iacmod.cst.version.VERIFIED
        from libcst.metadata.scope_provider import _ASSIGNMENT_LIKE_NODES, ScopeVisitor
    except ImportError:  # pragma: no cover - another LibCST layout: use its provider as it is
        _PROVIDER.append(None)  # type: ignore[arg-type]
        return None

    assignment_like: dict[type, bool] = {}
    leaves = {
        name[len("leave_") :]: getattr(ScopeVisitor, name)
        for name in handler_names(ScopeVisitor)
        if name.startswith("leave_") and "_" not in name[len("leave_") :]
    }

    class _ScopeVisitor(ReadOnlyVisits, ScopeVisitor):
        iacmod_skip_classes = formatting_classes()
        # False when the module's source has none of the words "cast", "NewType" and "TypeVar"
        plain_calls = False

        def visit_Call(self, node: cst.Call) -> bool | None:
            # LibCST's visit_Call looks up the qualified names of every call, to treat the
            # arguments of typing.cast, NewType and TypeVar as type hints. No call has those
            # names in a module whose source never mentions them (an import or an alias would):
            # then only its bookkeeping is needed, which leave_Call undoes.
            if self.plain_calls:
                self._ScopeVisitor__top_level_attribute_stack.append(None)  # type: ignore[attr-defined]  # LibCST's mangled stack, checked
                self._ScopeVisitor__in_type_hint_stack.append(False)  # type: ignore[attr-defined]  # as above
                return True
            return super().visit_Call(node)

        def on_leave(self, original_node: cst.CSTNode) -> None:
            cls = original_node.__class__
            self.provider._computed[original_node] = self.scope  # what set_metadata does
            counts = assignment_like.get(cls)
            if counts is None:
                counts = assignment_like[cls] = issubclass(cls, _ASSIGNMENT_LIKE_NODES)
            if counts:
                self.scope._assignment_count += 1
            leave = leaves.get(cls.__name__)
            if leave is not None:
                leave(self, original_node)

    class _ScopeProvider(ScopeProvider):
        plain_calls = False

        def visit_Module(self, node: cst.Module) -> bool | None:
            visitor = _ScopeVisitor(self)
            visitor.plain_calls = self.plain_calls and _has_call_stacks(visitor)
            node.visit(visitor)  # read-only (ReadOnlyVisits), and so are its own inner visits
            visitor.infer_accesses()
            return None

    _PROVIDER.append(_ScopeProvider)
    return _ScopeProvider


def _has_call_stacks(visitor: Any) -> bool:
    """Whether this LibCST's ScopeVisitor keeps the two stacks visit_Call pushes (checked, not
    assumed: otherwise its own visit_Call runs)."""
    return isinstance(getattr(visitor, "_ScopeVisitor__top_level_attribute_stack", None), list) and isinstance(
        getattr(visitor, "_ScopeVisitor__in_type_hint_stack", None), list
    )


def scopes(wrapper: MetadataWrapper, source: str | None = None) -> Mapping[cst.CSTNode, Any]:
    """The scope of every node of ``wrapper.module`` but formatting nodes (ScopeProvider's
    mapping otherwise). Needs ExpressionContextProvider resolved in ``wrapper``. ``source``,
    the module's code if known, lets the analysis skip work it can tell is not needed.
    ``wrapper.resolve(ScopeProvider)`` (every node) when the fast paths are off."""
    provider_class = _provider() if fast_paths() else None
    if provider_class is None:
        return wrapper.resolve(ScopeProvider)
    provider = provider_class()
    provider.plain_calls = source is not None and not any(w in source for w in _TYPING_CALLS)
    with provider.resolve(wrapper):
        provider.visit_Module(wrapper.module)
    computed: Mapping[cst.CSTNode, Any] = provider._computed  # ScopeProvider's results (provider_class is untyped)
    return computed


def release(mapping: Mapping[cst.CSTNode, Any]) -> None:
    """Break the reference cycles of a finished scope analysis (a scope and its assignments
    and accesses point at one another), so that reference counting frees it, and the tree it
    points into, at once: otherwise the whole module waits for the cyclic GC, which then has to
    traverse every node. Only for mappings nobody will read again. (Nothing when the fast paths
    are off: the cyclic GC frees them.)"""
    if not fast_paths():
        return
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


def in_source_order(assignments: Iterable[Any]) -> list[Any]:
    """``assignments`` (of a LibCST scope) in the order the scope analysis met them, which is
    source order: by LibCST's private ``Assignment._index`` (on every version of
    iacmod.cst.version.VERIFIED). One without it (a builtin, another LibCST) sorts as 0, and the
    sort is stable: they keep the order given."""
    return sorted(assignments, key=lambda a: getattr(a, "_index", 0))
