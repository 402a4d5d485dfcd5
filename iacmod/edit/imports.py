"""Adding and removing imports in the file's own style.

A name imported from a module that the file already imports from is appended to that
``from … import …`` statement (keeping its parentheses and trailing-comma style); anything else
goes through LibCST's ``AddImportsVisitor``, which places new imports after the existing ones.
Removal uses ``RemoveImportsVisitor``, which only removes imports that are no longer used.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any, Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper
from libcst.helpers import get_full_name_for_node

from iacmod.rule import ImportSpec

if TYPE_CHECKING:
    from libcst.codemod import Codemod
from iacmod.cst.walk import _handlers, _reach, readonly_visits


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
        from libcst.codemod import CodemodContext  # (imported on first use: libcst.matchers is slow to load)
        from libcst.codemod.visitors import AddImportsVisitor

        context = CodemodContext()
        for spec in rest:
            AddImportsVisitor.add_needed_import(context, spec.module, spec.name, spec.asname)
        module = _transform(_top_level_add_imports()(context), module)
    return module


def _read_only_top_level() -> None:
    """AddImportsVisitor first walks the whole module with a gatherer that only reads the
    module's top-level statements in ``leave_Module``: tell iacmod's read-only walk
    (``iacmod.cst.walk``) that nothing below the module needs visiting for it. Checked, not
    assumed: if a LibCST version gives the gatherer any other handler, it is walked in full."""
    try:
        from libcst.codemod.visitors._add_imports import _GatherTopImportsBeforeStatements as gatherer
    except ImportError:  # pragma: no cover - another LibCST layout
        return
    if set(_handlers(gatherer)) == {"leave_Module"} and not gatherer.__dict__.get("iacmod_skip_classes"):
        type.__setattr__(gatherer, "iacmod_skip_classes", frozenset(_reach().concrete))


def _cache_matcher_gathering() -> None:
    """LibCST's matcher-decoratable visitors (AddImportsVisitor and the visitors it runs)
    look, at every instantiation, through all ~800 attributes of the instance for methods
    decorated with matchers: about 10 ms each time, more than the rest of adding an import.
    The answer depends only on the class (the decorators are on its methods), and for these
    visitors it is empty: remember that per class, and ask LibCST again for any class whose
    answer was not empty."""
    try:
        from libcst.matchers import _visitors as mv
    except ImportError:  # pragma: no cover - another LibCST layout
        return
    names = ("_gather_constructed_visit_funcs", "_gather_constructed_leave_funcs", "_gather_matchers")
    if not all(callable(getattr(mv, name, None)) for name in names) or getattr(mv, "_iacmod_cached", False):
        return
    for name in names:
        original = getattr(mv, name)
        empty: set[type] = set()

        def gather(obj: object, _original: Any = original, _empty: set[type] = empty) -> dict[Any, Any]:
            cls = type(obj)
            if cls in _empty:
                return {}
            found = _original(obj)
            if not found:
                _empty.add(cls)
            return found

        setattr(mv, name, gather)
    mv._iacmod_cached = True  # type: ignore[attr-defined]


_ADD_IMPORTS: list[type] = []


def _top_level_add_imports() -> type:
    """LibCST's AddImportsVisitor, which only changes the module's body and the imports at its
    top: it need not rebuild (through its matcher machinery) every node of the module."""
    if not _ADD_IMPORTS:
        from libcst.codemod.visitors import AddImportsVisitor

        class TopLevelAddImports(AddImportsVisitor):
            def on_visit(self, node: cst.CSTNode) -> bool:
                go = super().on_visit(node)
                return go and isinstance(node, (cst.Module, cst.SimpleStatementLine))

        _read_only_top_level()
        _cache_matcher_gathering()
        _ADD_IMPORTS.append(TopLevelAddImports)
    return _ADD_IMPORTS[0]


def _transform(codemod: "Codemod", module: cst.Module) -> cst.Module:
    """``codemod.transform_module(module)`` without its deep copy of the module (our nodes are
    never mutated, and the codemod builds a new tree), with its read-only visits cheap."""
    if codemod.should_allow_multiple_passes():
        return codemod.transform_module(module)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    with codemod.resolve(wrapper), readonly_visits():
        codemod.context = replace(codemod.context, wrapper=wrapper)
        return codemod.transform_module_impl(wrapper.module)


def remove_unused_imports(module: cst.Module, specs: Sequence[ImportSpec]) -> cst.Module:
    if not specs:
        return module
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import RemoveImportsVisitor

    _cache_matcher_gathering()
    context = CodemodContext()
    for spec in dict.fromkeys(specs):
        RemoveImportsVisitor.remove_unused_import(context, spec.module, spec.name, spec.asname)
    return RemoveImportsVisitor(context).transform_module(module)
