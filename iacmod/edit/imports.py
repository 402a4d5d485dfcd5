"""Adding and removing imports in the file's own style.

A name imported from a module that the file already imports from is appended to that
``from … import …`` statement (keeping its parentheses and trailing-comma style); anything else
goes through LibCST's ``AddImportsVisitor``, which places new imports after the existing ones.
Removal uses ``RemoveImportsVisitor``, which only removes imports that are no longer used.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.helpers import get_full_name_for_node

from iacmod.cst.codemods import add_imports_visitor, remove_imports_visitor
from iacmod.rule import ImportSpec


def _from_imports(module: cst.Module, name: str) -> list[tuple[int, int, cst.ImportFrom]]:
    found = []
    for i, stmt in enumerate(module.body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for j, small in enumerate(stmt.body):
            if (
                isinstance(small, cst.ImportFrom)
                and not small.relative
                and small.module is not None
                and get_full_name_for_node(small.module) == name
                and not isinstance(small.names, cst.ImportStar)
            ):
                found.append((i, j, small))
    return found


def _has(node: cst.ImportFrom, spec: ImportSpec) -> bool:
    assert not isinstance(node.names, cst.ImportStar)
    for alias in node.names:
        asname = alias.asname.name.value if alias.asname and isinstance(alias.asname.name, cst.Name) else None
        if get_full_name_for_node(alias.name) == spec.name and asname == spec.asname:
            return True
    return False


def _append(node: cst.ImportFrom, spec: ImportSpec) -> cst.ImportFrom:
    assert not isinstance(node.names, cst.ImportStar) and spec.name
    names = list(node.names)
    last = names[-1]
    alias = cst.ImportAlias(
        cst.Name(spec.name),
        asname=cst.AsName(cst.Name(spec.asname)) if spec.asname else None,
    )
    if isinstance(last.comma, cst.Comma):
        # trailing comma style (usually one name per line in parentheses): the new name takes
        # the last comma (which leads to the closing parenthesis); the old last name takes the
        # separator used between names (or the one after the opening parenthesis)
        if len(names) >= 2 and isinstance(names[-2].comma, cst.Comma):
            separator = names[-2].comma
        elif node.lpar is not None:
            separator = cst.Comma(whitespace_after=node.lpar.whitespace_after)
        else:
            separator = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        names[-1] = last.with_changes(comma=separator)
        names.append(alias.with_changes(comma=last.comma))
    else:
        names[-1] = last.with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
        names.append(alias)
    return node.with_changes(names=names)


def add_imports(module: cst.Module, specs: Sequence[ImportSpec]) -> cst.Module:
    if not specs:
        return module
    rest: list[ImportSpec] = []
    body = list(module.body)
    for spec in dict.fromkeys(specs):
        if spec.name is None:
            rest.append(spec)
            continue
        existing = _from_imports(cst.Module(body=body), spec.module)
        if any(_has(node, spec) for _, _, node in existing):
            continue
        if not existing:
            rest.append(spec)
            continue
        i, j, node = existing[0]
        stmt = body[i]
        assert isinstance(stmt, cst.SimpleStatementLine)
        small = list(stmt.body)
        small[j] = _append(node, spec)
        body[i] = stmt.with_changes(body=small)
    module = module.with_changes(body=body)
    if rest:
        module = add_imports_visitor(module, [(spec.module, spec.name, spec.asname) for spec in rest])
    return module


def remove_unused_imports(module: cst.Module, specs: Sequence[ImportSpec]) -> cst.Module:
    if not specs:
        return module
    return remove_imports_visitor(module, [(spec.module, spec.name, spec.asname) for spec in dict.fromkeys(specs)])
