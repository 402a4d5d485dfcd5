"""iacmod.cst.positions gives exactly LibCST PositionProvider's ranges, for any node."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider

from iacmod.cst.positions import positions_of

ROOT = Path(__file__).resolve().parent.parent
SOURCES = sorted(p for p in (ROOT / "fixtures").rglob("*.py")) + sorted((ROOT / "iacmod").glob("*.py"))

TRICKY = '''\
import os.path as osp, json
from a import (b as c, d)
del x[0], y.z
x: int = (y := 3)
total += 1
[first, *rest] = items
for i, (j, k) in enumerate(pairs): pass
lst = [q for q in range(3) for r in range(q) if r]
@decorator(arg)
class A(Base):  # comment
    """Doc."""

    def f(self, x: int = 1, *args, **kw) -> "A":
        if x:\r
            return (  # parenthesized
                x + 1
            )
        elif x is None: pass
        else:
            with open("f") as a, open("g") as b: yield a; yield b
        match x:
            case [1, *rest] if rest:
                pass
            case {"k": v}:
                pass
        try:
            y = [i for i in range(3) if i]
        except (ValueError, TypeError) as e:
            raise RuntimeError() from e
        finally:
            lambda q: f"{q!r:>{10}}"
'''


class _All(cst.CSTVisitor):
    def __init__(self) -> None:
        self.nodes: list[cst.CSTNode] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        if not isinstance(node, cst.Module):
            self.nodes.append(node)
        return True


@pytest.mark.parametrize(
    "source", [TRICKY] + [p.read_text() for p in SOURCES[:40]], ids=["tricky"] + [p.name for p in SOURCES[:40]]
)
def test_same_ranges_as_position_provider(source):
    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collect = _All()
    module.visit(collect)
    collect.nodes = [n for n in collect.nodes if n in expected]  # some whitespace is never generated
    # every node at once, and a few one at a time (a lone target must not depend on others)
    got = positions_of(module, collect.nodes)
    assert all(got[n] == expected[n] for n in collect.nodes)
    for node in collect.nodes[:: max(1, len(collect.nodes) // 25)]:
        assert positions_of(module, [node])[node] == expected[node]


@pytest.mark.parametrize(
    "source", [TRICKY] + [p.read_text() for p in SOURCES[:40]], ids=["tricky"] + [p.name for p in SOURCES[:40]]
)
def test_same_parents_as_parent_node_provider(source):
    from libcst.metadata import ParentNodeProvider

    from iacmod.cst.positions import parents_of

    module = cst.parse_module(source)
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(ParentNodeProvider)
    got = parents_of(module)
    assert got.keys() == expected.keys()
    assert all(got[n] is expected[n] for n in got)


@pytest.mark.parametrize(
    "source", [TRICKY] + [p.read_text() for p in SOURCES[:40]], ids=["tricky"] + [p.name for p in SOURCES[:40]]
)
def test_same_contexts_as_expression_context_provider(source):
    from libcst.metadata import ExpressionContextProvider

    from iacmod.cst.positions import expression_contexts

    module = cst.parse_module(source)
    expected = dict(MetadataWrapper(module, unsafe_skip_copy=True).resolve(ExpressionContextProvider))
    assert expression_contexts(module) == expected


# -- positions from the statements that hold the nodes ------------------------------------------

REPEATED = """\
def a(event):
    return event["Items"]


def b(event):
    return event["Items"]
if x:
    y = 1
elif z:
    y = 1
else:
    y = 2
"""


def _statement_cases():
    import os
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from corpus_blocks import blocks

    corpus = [code for _, code in blocks()][:: 1 if os.environ.get("IACMOD_FULL_CORPUS") else 9]
    return (
        [TRICKY, REPEATED, TRICKY.replace("\n", "\r\n"), TRICKY.rstrip("\n")]
        + [p.read_text() for p in SOURCES[:20]]
        + corpus
    )


@pytest.mark.parametrize("source", _statement_cases())
def test_positions_in_statements_same_as_position_provider(source):
    from iacmod.cst.positions import parents_of, positions_in_statements

    try:
        module = cst.parse_module(source)
    except Exception:  # noqa: BLE001 - the corpus has some invalid blocks
        pytest.skip("not valid Python")
    expected = MetadataWrapper(module, unsafe_skip_copy=True).resolve(PositionProvider)
    collect = _All()
    module.visit(collect)
    nodes = [n for n in collect.nodes if n in expected]
    parents = parents_of(module)
    got, rest = positions_in_statements(module, nodes, parents, module.code)
    assert set(got) | set(rest) >= set(nodes)
    assert all(got[n] == expected[n] for n in nodes if n in got)
    # a node on its own is placed the same way
    for node in nodes[:: max(1, len(nodes) // 15)]:
        alone, rest = positions_in_statements(module, [node], parents, module.code)
        assert alone.get(node, expected[node]) == expected[node]


def test_repeated_statements_are_left_to_the_full_pass():
    from iacmod.cst.positions import parents_of, positions_in_statements

    module = cst.parse_module(REPEATED)
    subscripts = []

    class Find(cst.CSTVisitor):
        def visit_Subscript(self, node: cst.Subscript) -> None:
            subscripts.append(node)

    module.visit(Find())
    got, rest = positions_in_statements(module, subscripts, parents_of(module), module.code)
    # `    return event["Items"]` occurs twice at the start of a line: neither is guessed
    assert got == {} and rest == subscripts
    # ... while a statement that occurs once is placed
    fn = module.body[0]
    got, rest = positions_in_statements(module, [fn], parents_of(module), module.code)
    assert rest == [] and got[fn].start.line == 1
