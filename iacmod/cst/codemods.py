"""LibCST's import codemods (``AddImportsVisitor``, ``RemoveImportsVisitor``), run cheaply.

Their output is LibCST's; what differs on the fast paths is what they cost:

- LibCST's matcher-decoratable visitors look, at every instantiation, through all ~1,600
  attributes of the instance (``dir``) for methods decorated with matchers: about 15 ms each
  time, more than the rest of adding an import. iacmod's subclasses answer ``dir`` without
  LibCST's typed no-op visitor stubs (which carry no matcher decorators), so the same search
  finds the same (no) decorated methods among ~70 names;
- ``AddImportsVisitor`` only changes the module's body and the ``from`` imports at its top,
  so iacmod's subclass descends only into the statement lines that hold those, and its first pass
  (``_GatherTopImportsBeforeStatements``, which only reads the module's leading statements in
  ``leave_Module``) is a read-only visit of the module node alone;
- the module is not deep-copied first (iacmod never mutates nodes, and the codemod builds a
  new tree).

Nothing of LibCST is replaced: these are subclasses, used here only. When the fast paths are
off (``iacmod.cst.version``), LibCST's own classes run as they are.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import MetadataWrapper

from iacmod.cst.version import fast_paths
from iacmod.cst.walk import ReadOnlyVisits, _reach, handler_names

if TYPE_CHECKING:
    from libcst.codemod import Codemod, CodemodContext

#: (module, name or None, alias or None): ``import module``, ``from module import name``, with
#: ``as alias``
ImportItem = tuple[str, "str | None", "str | None"]


_CLASS_NAMES: dict[type, list[str]] = {}


def _dir_without_stubs(self: Any) -> list[str]:
    """``dir(self)`` but the names of LibCST's typed no-op visitor stubs (``visit_<Node>`` and
    ``leave_<Node>`` methods a class inherits from LibCST and does not define): what LibCST's
    matcher gathering looks through for matcher decorators, which the stubs never carry. The
    class's names are filtered once per class (iacmod's classes below, which live forever)."""
    cls = type(self)
    names = _CLASS_NAMES.get(cls)
    if names is None:
        names = _CLASS_NAMES[cls] = [
            name for name in dir(cls) if not getattr(getattr(cls, name, None), "_is_no_op", False)
        ]
    return sorted(set(names).union(vars(self)))


_CLASSES: dict[str, Any] = {}


def _classes() -> dict[str, Any] | None:
    """iacmod's subclasses of LibCST's import codemods, built on first use (None when this
    LibCST's layout is not the one they were written against)."""
    if _CLASSES:
        return _CLASSES if _CLASSES["ok"] else None
    from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

    try:  # LibCST internals, present from 1.1 (on 1.0, LibCST's own classes run)
        from libcst.codemod.visitors._add_imports import _GatherTopImportsBeforeStatements
    except ImportError:  # pragma: no cover - LibCST 1.0, or another layout
        _CLASSES["ok"] = False
        return None

    class TopImports(ReadOnlyVisits, _GatherTopImportsBeforeStatements):
        """LibCST's gatherer, visited read-only; it reads the module's statements in
        ``leave_Module`` only (checked below), so no node below the module is visited."""

        iacmod_skip_classes = frozenset(_reach().concrete)
        __dir__ = _dir_without_stubs

    class AddImports(AddImportsVisitor):
        __dir__ = _dir_without_stubs

        top: frozenset[int] = frozenset()  # ids of the import statements at the module's top

        def on_visit(self, node: cst.CSTNode) -> bool:
            # below the module, only the statement lines that hold one of its top imports: its
            # only other handler, leave_ImportFrom, changes nothing else (it checks all_imports)
            go = super().on_visit(node)
            if isinstance(node, cst.SimpleStatementLine):
                return go and any(id(small) in self.top for small in node.body)
            return go and isinstance(node, cst.Module)

        def visit_Module(self, node: cst.Module) -> None:
            # LibCST's AddImportsVisitor.visit_Module (the same in every release from 1.1 to 1.9),
            # with the gatherer above instead of _GatherTopImportsBeforeStatements itself
            gatherer = TopImports(self.context)
            node.visit(gatherer)
            self.all_imports = gatherer.all_imports
            self.top = frozenset(id(statement) for statement in gatherer.all_imports)

            self.module_imports = self.module_imports - gatherer.module_imports
            for module, alias in gatherer.module_aliases.items():
                if module in self.module_aliases and self.module_aliases[module] == alias:
                    del self.module_aliases[module]
            for module, aliases in gatherer.alias_mapping.items():
                for obj, alias in aliases:
                    if module in self.alias_mapping and (obj, alias) in self.alias_mapping[module]:
                        self.alias_mapping[module].remove((obj, alias))
                        if len(self.alias_mapping[module]) == 0:
                            del self.alias_mapping[module]

            for module, imports in gatherer.object_mapping.items():
                if module not in self.module_mapping:
                    # We don't care about this import at all
                    continue
                elif "*" in imports:
                    # We already implicitly are importing everything
                    del self.module_mapping[module]
                else:
                    # Lets figure out what's left to import
                    self.module_mapping[module] = self.module_mapping[module] - imports
                    if not self.module_mapping[module]:
                        # There's nothing left, so lets delete this work item
                        del self.module_mapping[module]

    class RemoveImports(RemoveImportsVisitor):
        __dir__ = _dir_without_stubs

    # the read-only gatherer relies on LibCST's gatherer having no other handler than
    # leave_Module, AddImports on AddImportsVisitor's handlers being these three, and on both
    # classes having the attributes the copy above uses
    expected = {"all_imports", "module_imports", "module_aliases", "alias_mapping", "module_mapping"}
    if (
        handler_names(_GatherTopImportsBeforeStatements) != {"leave_Module"}
        or handler_names(AddImportsVisitor) != {"visit_Module", "leave_ImportFrom", "leave_Module"}
        or not expected <= set(AddImportsVisitor.__init__.__code__.co_names)
    ):
        _CLASSES["ok"] = False  # pragma: no cover
        return None
    _CLASSES.update(ok=True, add=AddImports, remove=RemoveImports)
    return _CLASSES


def _context(imports: Sequence[ImportItem], add: bool) -> CodemodContext:
    from libcst.codemod import CodemodContext
    from libcst.codemod.visitors import AddImportsVisitor, RemoveImportsVisitor

    context = CodemodContext()
    for module, name, asname in imports:
        if add:
            AddImportsVisitor.add_needed_import(context, module, name, asname)
        else:
            RemoveImportsVisitor.remove_unused_import(context, module, name, asname)
    return context


def add_imports_visitor(module: cst.Module, imports: Sequence[ImportItem]) -> cst.Module:
    """``module`` after LibCST's ``AddImportsVisitor`` with ``imports`` scheduled (new import
    statements after the existing ones at the top; names added to a ``from`` import at the top
    of the same module)."""
    classes = _classes() if fast_paths() else None
    context = _context(imports, add=True)
    if classes is None:
        from libcst.codemod.visitors import AddImportsVisitor

        return AddImportsVisitor(context).transform_module(module)
    return _transform(classes["add"](context), module)


def remove_imports_visitor(module: cst.Module, imports: Sequence[ImportItem]) -> cst.Module:
    """``module`` after LibCST's ``RemoveImportsVisitor`` with ``imports`` scheduled (removed
    where nothing uses them any more)."""
    classes = _classes() if fast_paths() else None
    context = _context(imports, add=False)
    if classes is None:
        from libcst.codemod.visitors import RemoveImportsVisitor

        return RemoveImportsVisitor(context).transform_module(module)
    remover: Codemod = classes["remove"](context)  # iacmod's RemoveImports (a RemoveImportsVisitor)
    return remover.transform_module(module)


def _transform(codemod: Codemod, module: cst.Module) -> cst.Module:
    """``codemod.transform_module(module)`` without its deep copy of the module (iacmod's nodes
    are never mutated, and the codemod builds a new tree)."""
    if codemod.should_allow_multiple_passes():
        return codemod.transform_module(module)
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    with codemod.resolve(wrapper):
        codemod.context = replace(codemod.context, wrapper=wrapper)
        return codemod.transform_module_impl(wrapper.module)
