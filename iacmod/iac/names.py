"""Semantic name helpers shared by rules (qualified names and scopes, never text matching)."""

from __future__ import annotations

from typing import Any, Protocol
from weakref import WeakKeyDictionary

import libcst as cst
from libcst.metadata import QualifiedNameProvider, ScopeProvider
from libcst.metadata.scope_provider import Scope


class MetadataSource(Protocol):
    """What these helpers ask of a rule: its LibCST metadata (a ``Rule``, or an
    ``OutputAnalysis`` answering with a rule's metadata)."""

    def get_metadata(self, key: Any, node: cst.CSTNode, default: Any = ...) -> Any: ...


def qualified_names(rule: MetadataSource, node: cst.CSTNode) -> set[str]:
    """Qualified names of ``node`` (requires QualifiedNameProvider in the rule's dependencies)."""
    return {q.name for q in rule.get_metadata(QualifiedNameProvider, node, set())}


def scope_of(rule: MetadataSource, node: cst.CSTNode) -> Scope | None:
    scope: Scope | None = rule.get_metadata(ScopeProvider, node, None)
    return scope


def name_bound(scope: Scope, name: str) -> bool:
    """Whether ``name`` is bound in ``scope`` or a scope it can see, or anywhere at module level."""
    return name in scope or name in scope.globals


# per module scope: qualified name -> the module-level names bound to that one qualified name
# alone, in name order (weak keys: a finished analysis is freed with its module)
_IMPORTED: WeakKeyDictionary[Scope, dict[str, list[tuple[str, frozenset[str]]]]] = WeakKeyDictionary()
# per scope: name -> its qualified names there
_SEEN_AS: WeakKeyDictionary[Scope, dict[str, frozenset[str]]] = WeakKeyDictionary()


def _module_names(module_scope: Scope) -> dict[str, list[tuple[str, frozenset[str]]]]:
    """The candidates of ``module_alias``, computed once per module: each module-level name whose
    qualified names there are exactly one, under that qualified name, in name order."""
    table = _IMPORTED.get(module_scope)
    if table is None:
        table = {}
        for name in sorted({assignment.name for assignment in module_scope.assignments}):
            names = frozenset(q.name for q in module_scope.get_qualified_names_for(name))
            if len(names) == 1:
                table.setdefault(next(iter(names)), []).append((name, names))
        _IMPORTED[module_scope] = table
    return table


def _seen_as(scope: Scope, name: str) -> frozenset[str]:
    """The qualified names of ``name`` in ``scope`` (cached per scope)."""
    cache = _SEEN_AS.get(scope)
    if cache is None:
        cache = _SEEN_AS[scope] = {}
    names = cache.get(name)
    if names is None:
        names = cache[name] = frozenset(q.name for q in scope.get_qualified_names_for(name))
    return names


def module_alias(scope: Scope, *qualified: str) -> str | None:
    """A module-level name bound by an import to one of ``qualified`` (e.g. "datetime.timezone"),
    so a fix can reuse the file's own import instead of adding one: the first in name order
    whose only qualified name is one of ``qualified``, and that is not shadowed in ``scope``.

    The module's names are resolved once per module (``_module_names``), not once per call: a
    file with thousands of findings asks thousands of times."""
    table = _module_names(scope.globals)
    candidates = sorted({candidate for q in qualified for candidate in table.get(q, ())})
    for name, names in candidates:
        # the name must not be shadowed where it is used
        if _seen_as(scope, name) == names:
            return name
    return None
