"""iacmod.edit.args: arguments and dict entries added and removed in the call's own layout, each
keeping its own comment."""

from __future__ import annotations

import libcst as cst
import pytest

from iacmod.edit.args import add_entry, add_keyword, one_per_line, remove_entry, remove_keyword


def code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def call(text: str) -> cst.Call:
    node = cst.parse_expression(text)
    assert isinstance(node, cst.Call)
    return node


def mapping(text: str) -> cst.Dict:
    node = cst.parse_expression(text)
    assert isinstance(node, cst.Dict)
    return node


TRUE = cst.Name("True")


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('Q("a", b=1)', 'Q("a", b=1, sse=True)'),
        ("Q()", "Q(sse=True)"),
        # one per line, trailing comma: the new argument is a line of its own; comments stay put
        (
            'Q(\n    "a",\n    b=1,  # one\n    c=2,  # two\n)',
            'Q(\n    "a",\n    b=1,  # one\n    c=2,  # two\n    sse=True,\n)',
        ),
        # no trailing comma: none added after the new last argument
        (
            'Q(\n    "a",\n    b=1,  # one\n    c=2  # two\n)',
            'Q(\n    "a",\n    b=1,  # one\n    c=2,  # two\n    sse=True\n)',
        ),
        # Pulumi's opts stays last
        (
            'Q(\n    "a",\n    b=1,  # one\n    opts=o,  # opts\n)',
            'Q(\n    "a",\n    b=1,  # one\n    sse=True,\n    opts=o,  # opts\n)',
        ),
        # aligned continuation lines
        ('Q("a",\n      b=1,\n      c=2)', 'Q("a",\n      b=1,\n      c=2,\n      sse=True)'),
        ("Q(\n    b=1,  # one\n)", "Q(\n    b=1,  # one\n    sse=True,\n)"),
    ],
)
def test_add_keyword(before: str, after: str) -> None:
    assert code(add_keyword(call(before), "sse", TRUE)) == after


@pytest.mark.parametrize(
    ("before", "key", "after"),
    [
        ('Q("a", b=1, c=2)', "b", 'Q("a", c=2)'),
        ('Q("a", b=1, c=2)', "c", 'Q("a", b=1)'),
        ('Q("a", b=1,\n  c=2,\n  d=3)', "c", 'Q("a", b=1,\n  d=3)'),
        # the line break after a removed middle argument stays
        ('Q("a", b=1, c=2,\n  d=3)', "c", 'Q("a", b=1,\n  d=3)'),
        # the removed argument's comment goes with it, the others' stay
        ("Q(\n    a=1,  # a\n    b=2,  # b\n)", "b", "Q(\n    a=1,  # a\n)"),
        ("Q(\n    a=1,  # a\n    b=2  # b\n)", "b", "Q(\n    a=1  # a\n)"),
        ("Q(\n    a=1,  # a\n    b=2,  # b\n    c=3,\n)", "b", "Q(\n    a=1,  # a\n    c=3,\n)"),
        # a last argument that hugged the parenthesis: the new last one hugs it
        ("Q(\n    a=1,\n    b=2)", "b", "Q(\n    a=1)"),
        # ... unless a comment ends its line
        ("Q(\n    a=1,  # a\n    b=2)", "b", "Q(\n    a=1,  # a\n)"),
        ("Q(a=1)", "zzz", "Q(a=1)"),
    ],
)
def test_remove_keyword(before: str, key: str, after: str) -> None:
    assert code(remove_keyword(call(before), key)) == after


@pytest.mark.parametrize(
    ("before", "after"),
    [
        ('{"a": 1}', '{"a": 1, "k": True}'),
        ('{\n    "a": 1,  # a\n}', '{\n    "a": 1,  # a\n    "k": True,\n}'),
        ('{\n    "a": 1,  # a\n    "b": 2  # b\n}', '{\n    "a": 1,  # a\n    "b": 2,  # b\n    "k": True\n}'),
    ],
)
def test_add_entry(before: str, after: str) -> None:
    assert code(add_entry(mapping(before), cst.SimpleString('"k"'), TRUE)) == after


@pytest.mark.parametrize(
    ("before", "key", "after"),
    [
        ('{"a": 1, "b": 2}', "b", '{"a": 1}'),
        ('{"a": 1, "b": 2}', "a", '{"b": 2}'),
        ('{\n    "a": 1,  # a\n    "b": 2,  # b\n}', "b", '{\n    "a": 1,  # a\n}'),
        ('{\n    "a": 1,  # a\n    "b": 2  # b\n}', "b", '{\n    "a": 1  # a\n}'),
        ('{\n    "a": 1,  # a\n    "b": 2,  # b\n}', "a", '{\n    "b": 2,  # b\n}'),
    ],
)
def test_remove_entry(before: str, key: str, after: str) -> None:
    assert code(remove_entry(mapping(before), key)) == after


def test_one_per_line_keeps_comments() -> None:
    node = call('Q("a", b=1)')
    assert code(one_per_line(node, 4)) == 'Q(\n        "a",\n        b=1,\n    )'
