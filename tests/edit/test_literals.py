"""iacmod.edit.literals (the one copy of the literal helpers) and layout.relative_indent."""

from __future__ import annotations

import ast
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, ParentNodeProvider, PositionProvider

from iacmod.edit.layout import relative_indent
from iacmod.edit.literals import (
    NOT_LITERAL,
    literal_value,
    number_value,
    python_literal,
    quote_of,
    restring,
    string_literal,
    string_value,
)
from iacmod.rule import Rule, RuleContext


def expr(code: str) -> cst.BaseExpression:
    return cst.parse_expression(code)


def test_reading() -> None:
    assert string_value(expr("\"a\" 'b'")) == "ab"
    assert string_value(expr('f"a"')) is None and string_value(expr('b"a"')) is None
    assert number_value(expr("-1.5")) == -1.5 and number_value(expr("0x10")) == 16
    assert number_value(expr("x")) is None
    assert [literal_value(expr(c)) for c in ("True", "None", "-2", "'s'")] == [True, None, -2, "s"]
    assert literal_value(expr("x")) is NOT_LITERAL and literal_value(expr("x"), "?") == "?"


def test_quote_of() -> None:
    assert [quote_of(expr(c)) for c in ("'a'", '"a"', "'''a'''", "r'a'", "'a' \"b\"")] == ["'", '"', "'", "'", "'"]
    assert quote_of(expr("x"), "'") == "'"


@pytest.mark.parametrize(
    "text", ["plain", 'say "hi"', "it's", "both ' and \"", "back\\slash", "line\nbreak\ttab", "é\u2028", ""]
)
@pytest.mark.parametrize("quote", ['"', "'"])
def test_string_literal_round_trips(text: str, quote: str) -> None:
    literal = string_literal(text, quote)
    assert ast.literal_eval(literal) == text and "\n" not in literal
    if quote not in text:
        assert literal[0] == quote  # the file's quote unless the text holds it


def test_python_literal() -> None:
    assert [python_literal(v, "'") for v in ("a", 1, 2.5, True, None)] == ["'a'", "1", "2.5", "True", "None"]
    with pytest.raises(TypeError):
        python_literal([1])


def test_restring() -> None:
    node = expr("r'a\\d'")
    assert isinstance(node, cst.SimpleString)
    new = restring(node, "b\\d")
    assert new is not None and new.value == "r'b\\d'"
    assert restring(node, "it's") is None
    assert restring(expr('"x"'), "two\nlines") is None  # type: ignore[arg-type]
    triple = restring(expr('"""x"""'), "two\nlines")  # type: ignore[arg-type]
    assert triple is not None and triple.evaluated_value == "two\nlines"


class _Indents(Rule):
    METADATA_DEPENDENCIES = (PositionProvider, ParentNodeProvider)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self.found: list[int | None] = []

    def visit_Integer(self, node: cst.Integer) -> None:
        self.found.append(relative_indent(self, node))


def test_relative_indent() -> None:
    code = "def f():\n    x = g(\n        1,\n            2,\n    )\n    return [3]\n"
    wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
    rule = _Indents(RuleContext(Path("x.py"), code, {}))
    with rule.resolve(wrapper):
        cst.visit_batched(wrapper.module, [rule])
    # relative to the block of the statement: 8 - 4, 12 - 4; the statement's own line: 0
    assert rule.found == [4, 8, 0]
