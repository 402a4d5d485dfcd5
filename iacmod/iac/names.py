"""Semantic name helpers shared by rules (qualified names and scopes, never text matching)."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import QualifiedNameProvider, ScopeProvider
from libcst.metadata.scope_provider import Scope

from iacmod.rule import Rule


def qualified_names(rule: Rule, node: cst.CSTNode) -> set[str]:
    """Qualified names of ``node`` (requires QualifiedNameProvider in the rule's dependencies)."""
    return {q.name for q in rule.get_metadata(QualifiedNameProvider, node, set())}



def scope_of(rule: Rule, node: cst.CSTNode) -> Scope | None:
    return rule.get_metadata(ScopeProvider, node, None)


def name_bound(scope: Scope, name: str) -> bool:
    """Whether ``name`` is bound in ``scope`` or a scope it can see, or anywhere at module level."""
    return name in scope or name in scope.globals


def module_alias(scope: Scope, *qualified: str) -> str | None:
    """A module-level name bound by an import to one of ``qualified`` (e.g. "datetime.timezone"),
    so a fix can reuse the file's own import instead of adding one."""
    for assignment in sorted(scope.globals.assignments, key=lambda a: a.name):
        names = {q.name for q in scope.globals.get_qualified_names_for(assignment.name)}
        if names & set(qualified) and len(names) == 1:
            # the name must not be shadowed where it is used
            if {q.name for q in scope.get_qualified_names_for(assignment.name)} == names:
                return assignment.name
    return None


