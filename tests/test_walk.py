"""iacmod.cst.walk and iacmod.cst.scope give exactly what LibCST gives, callback for callback.

The read-only walks replace LibCST's own traversal on the hot path, so they are checked on
every test source, fixture, example and a sample of the corpus: the same callbacks in the same
order for plain visitors (with and without attribute hooks and pruning ``visit_*``), the same
``visit_*``/``leave_*`` calls for batched visitors (with the subtree pruning), and the same
scopes, assignments and accesses as LibCST's ``ScopeProvider``.
"""

from __future__ import annotations

import inspect
import os
from pathlib import Path

import libcst as cst
import pytest
from corpus_blocks import blocks
from libcst.metadata import MetadataWrapper, ScopeProvider

from iacmod.cst.metadata import resolve_metadata
from iacmod.cst.positions import parents_of
from iacmod.cst.walk import _ORIGINAL_VISIT, child_fields, formatting_classes, readonly_visits, walk_batched

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    p.read_text(encoding="utf-8")
    for folder in ("fixtures", "examples", "iacmod", "codemods", "tests")
    for p in sorted((ROOT / folder).rglob("*.py"))
]
TRICKY = """\
from . import (a as b, c)
from .. import *
x: "List[int]" = f"{a!r:>{w}} {b=} {c:{d}.{e}}" f'{g}'
del x[0], y.z
lst = [q for q in range(3) for r in range(q) if r]
@decorator(arg)
class A(Base, metaclass=M):
    def f(self, x: int = 1, /, *args, k: "A" = 2, **kw) -> "A":
        global G
        if (y := x) if x else None: pass
        match x:
            case [1, *rest] | {"k": v, **kw} | C(d=e) if rest:
                pass
        try:
            pass
        except* (ValueError, TypeError) as e:
            raise RuntimeError() from e
        return lambda q, *, r=1: (yield from q)
async def g():
    async with a as b, c:
        async for i in b: await i
type X[T: int] = list[T]
def h[*Ts, **P](): nonlocal_ = 1
"""
# a seventh of the corpus by default; IACMOD_FULL_CORPUS=1 checks all of it (a few minutes)
CORPUS = [code for _, code in blocks()][:: 1 if os.environ.get("IACMOD_FULL_CORPUS") else 7]


def _modules(sources: list[str]) -> list[cst.Module]:
    out = []
    for code in sources:
        try:
            out.append(cst.parse_module(code))
        except Exception:  # noqa: BLE001 - the corpus has some invalid blocks
            pass
    return out


MODULES = _modules([TRICKY] + SOURCES + CORPUS)


class _Recorder(cst.CSTVisitor):
    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[object, ...]] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.log.append(("visit", id(node)))
        return not isinstance(node, cst.Lambda)  # a pruned subtree too

    def on_leave(self, original_node: cst.CSTNode) -> None:
        self.log.append(("leave", id(original_node)))

    def on_visit_attribute(self, node: cst.CSTNode, attribute: str) -> None:
        self.log.append(("visit_attr", id(node), attribute))

    def on_leave_attribute(self, original_node: cst.CSTNode, attribute: str) -> None:
        self.log.append(("leave_attr", id(original_node), attribute))


class _Hooks(cst.CSTVisitor):
    """Dispatch through LibCST's base on_visit/on_leave, with attribute hooks."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[object, ...]] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.log.append(("call", id(node)))

    def visit_Call_func(self, node: cst.Call) -> None:
        self.log.append(("call.func", id(node)))

    def leave_Call_args(self, node: cst.Call) -> None:
        self.log.append(("call.args", id(node)))

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        self.log.append(("def", id(node)))
        return False

    def leave_Name(self, node: cst.Name) -> None:
        self.log.append(("name", id(node)))

    def visit_FormattedStringExpression_format_spec(self, node: cst.CSTNode) -> None:
        self.log.append(("spec", id(node)))


class _Plain(cst.CSTVisitor):
    """Dispatch through visit_<Node>/leave_<Node> only: the walk prunes what it cannot reach."""

    def __init__(self) -> None:
        super().__init__()
        self.log: list[tuple[object, ...]] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.log.append(("call", id(node)))

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        self.log.append(("class", id(node)))
        return False

    def leave_Comma(self, node: cst.Comma) -> None:
        self.log.append(("comma", id(node)))

    def leave_SimpleString(self, node: cst.SimpleString) -> None:
        self.log.append(("string", id(node)))


def _batched(names: list[str]) -> type[cst.BatchableCSTVisitor]:
    def make(kind: str, name: str):  # type: ignore[no-untyped-def]
        def method(self, node):  # type: ignore[no-untyped-def]
            self.log.append((kind, name, id(node)))

        return method

    namespace: dict[str, object] = {}
    for name in names:
        namespace[f"visit_{name}"] = make("visit", name)
        namespace[f"leave_{name}"] = make("leave", name)

    def __init__(self):  # type: ignore[no-untyped-def]
        cst.BatchableCSTVisitor.__init__(self)
        self.log = []

    namespace["__init__"] = __init__
    return type("Batched", (cst.BatchableCSTVisitor,), namespace)


ALL_NODES = [c.__name__ for c in vars(cst).values() if inspect.isclass(c) and issubclass(c, cst.CSTNode)]
HANDLER_SETS = [
    ["Call", "Attribute", "Name", "FormattedString", "Dict"],
    ["Comment", "SimpleWhitespace", "Comma", "EmptyLine", "TrailingWhitespace"],  # only below pruned nodes
    ["Arg", "Return", "SimpleString", "FormattedStringText", "Subscript", "Assign", "ImportStar"],
    ALL_NODES,
]


@pytest.mark.parametrize("visitor", [_Recorder, _Hooks, _Plain])
def test_readonly_visits_match_libcst(visitor: type[cst.CSTVisitor]) -> None:
    for module in MODULES:
        expected = visitor()
        module.visit(expected)
        got = visitor()
        with readonly_visits():
            assert module.visit(got) is module
        assert got.log == expected.log  # type: ignore[attr-defined]


def test_readonly_visits_leave_transformers_alone() -> None:
    class Rename(cst.CSTTransformer):
        def leave_Name(self, original_node: cst.Name, updated_node: cst.Name) -> cst.Name:
            return updated_node.with_changes(value=updated_node.value.upper())

    module = cst.parse_module("a = b(c)\n")
    with readonly_visits():
        assert module.visit(Rename()).code == "A = B(C)\n"
    assert cst.CSTNode.visit is _ORIGINAL_VISIT  # restored after the block


@pytest.mark.parametrize("names", HANDLER_SETS, ids=["expressions", "formatting", "mixed", "all"])
def test_walk_batched_matches_visit_batched(names: list[str]) -> None:
    cls = _batched(names)
    for module in MODULES:
        expected = [cls(), cls()]
        cst.visit_batched(module, expected)
        got = [cls(), cls()]
        walk_batched(module, got)
        assert [v.log for v in got] == [v.log for v in expected]  # type: ignore[attr-defined]


def test_child_fields_follow_the_node() -> None:
    with_spec = cst.parse_expression('f"{a:>3}"').parts[0]  # type: ignore[attr-defined]
    without = cst.parse_expression('f"{a}"').parts[0]  # type: ignore[attr-defined]
    assert "format_spec" in child_fields(with_spec)
    assert "format_spec" not in child_fields(without)
    decorated = cst.parse_statement("@d\ndef f(): pass\n")
    fields = child_fields(decorated)
    assert fields.index("decorators") < fields.index("name")  # source order, not field order


def _scope_signature(mapping, module):  # type: ignore[no-untyped-def]
    """Scopes of the module's non-formatting nodes, and each scope's assignments and accesses,
    keyed by the nodes they belong to."""
    formatting = formatting_classes()
    in_tree = set(parents_of(module)) | {module}

    def scope_id(scope):  # type: ignore[no-untyped-def]
        if scope is None:
            return None
        parent = None if scope.parent is scope else scope_id(scope.parent)
        return (type(scope).__name__, id(getattr(scope, "node", None)), parent)

    nodes = sorted(
        (id(node), scope_id(scope))
        for node, scope in mapping.items()
        if type(node) not in formatting and node in in_tree
    )
    details = []
    seen: set[int] = set()
    for scope in mapping.values():
        if scope is None or id(scope) in seen:
            continue
        seen.add(id(scope))
        assignments = sorted(
            (
                a.name,
                id(getattr(a, "node", None)),
                type(a).__name__,
                getattr(a, "_index", None),
                sorted(id(r.node) for r in a.references),
            )
            for a in scope.assignments
        )
        accesses = sorted(
            (
                id(a.node),
                sorted((id(getattr(r, "node", None)), r.name) for r in a.referents),
                a.is_annotation,
                a.is_type_hint,
            )
            for a in scope.accesses
        )
        details.append(repr((scope_id(scope), assignments, accesses)))
    return nodes, sorted(details)


def test_scopes_match_libcst() -> None:
    from iacmod.cst.metadata import with_source

    for module in MODULES:
        expected = _scope_signature(MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider), module)
        # without the source, and with it (which lets calls skip the typing.cast lookup)
        got = resolve_metadata(MetadataWrapper(module, unsafe_skip_copy=True), ScopeProvider)
        assert _scope_signature(got, module) == expected
        wrapper = with_source(MetadataWrapper(module, unsafe_skip_copy=True), module.code)
        assert _scope_signature(resolve_metadata(wrapper, ScopeProvider), module) == expected


def test_typing_calls_still_make_type_hints() -> None:
    from iacmod.cst.metadata import with_source

    code = (
        "from typing import cast as c, TypeVar\n"
        "T = TypeVar('T', bound='Base')\n"
        "x = c('Thing', value)\n"
        "y = make('Thing', value)\n"
    )
    module = cst.parse_module(code)
    expected = _scope_signature(MetadataWrapper(module, unsafe_skip_copy=True).resolve(ScopeProvider), module)
    wrapper = with_source(MetadataWrapper(module, unsafe_skip_copy=True), code)
    assert _scope_signature(resolve_metadata(wrapper, ScopeProvider), module) == expected


def test_formatting_classes_hold_no_names() -> None:
    names = {c.__name__ for c in formatting_classes()}
    assert {"SimpleWhitespace", "Comma", "Newline", "Comment", "LeftParen", "Add"} <= names
    assert not names & {"Name", "Attribute", "Call", "SimpleString", "Param", "AsName", "ImportAlias"}


def test_parent_map_completes_itself_for_formatting_nodes() -> None:
    from libcst.metadata import ParentNodeProvider

    from iacmod.cst.metadata import LazyMetadata
    from iacmod.engine import _visit_rules

    class Parents(LazyMetadata, cst.BatchableCSTVisitor):
        METADATA_DEPENDENCIES = (ParentNodeProvider,)

        def __init__(self) -> None:
            super().__init__()
            self.seen: list[tuple[str, str]] = []

        def visit_Name(self, node: cst.Name) -> None:
            self.seen.append((node.value, type(self.get_metadata(ParentNodeProvider, node)).__name__))

        def visit_Comma(self, node: cst.Comma) -> None:
            self.seen.append((",", type(self.get_metadata(ParentNodeProvider, node)).__name__))

    visitor = Parents()
    _visit_rules(MetadataWrapper(cst.parse_module("f(a, b)\n"), unsafe_skip_copy=True), [visitor])
    assert visitor.seen == [("f", "Call"), ("a", "Arg"), (",", "Arg"), ("b", "Arg")]


def test_children_match_libcst() -> None:
    from iacmod.cst.walk import children

    for module in MODULES[:200]:
        stack: list[cst.CSTNode] = [module]
        while stack:
            node = stack.pop()
            expected = node.children
            got = children(node)
            assert len(got) == len(expected) and all(a is b for a, b in zip(got, expected))
            stack.extend(expected)
