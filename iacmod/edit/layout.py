"""Layout helpers for rules that rebuild keyword-argument calls as text.

Indentation inside brackets is kept *relative to the enclosing block*, as LibCST stores it
(``ParenthesizedWhitespace(indent=True, last_line=...)``): text produced by
``Module.code_for_node`` and text parsed with ``cst.parse_expression`` both use it, so a fix can
render original sub-expressions, shift their continuation lines to their new depth, and parse
the result back into a node that renders at the right place in any block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Sequence

import libcst as cst

TRIPLE_QUOTES = ('"""', "'''")


def shift(text: str, delta: int) -> str:
    """``text`` (an expression) with every line after the first moved right by ``delta``
    columns (left when negative, as far as the lines have leading spaces). Text with triple-quoted
    strings is returned unchanged, since their lines are part of the value."""
    if delta == 0 or "\n" not in text or any(q in text for q in TRIPLE_QUOTES):
        return text
    first, *rest = text.split("\n")
    out = [first]
    for line in rest:
        if delta > 0:
            out.append(" " * delta + line if line.strip() else line)
        else:
            strip = min(-delta, len(line) - len(line.lstrip(" ")))
            out.append(line[strip:])
    return "\n".join(out)


@dataclass
class NewArg:
    """A keyword argument of a rebuilt call: either an original ``Arg`` kept (with a new value
    when ``value`` is set), or a new keyword with a value node. ``layout_of``: the original
    argument whose separator a new argument takes (the one it replaces)."""

    original: cst.Arg | None = None
    keyword: str | None = None
    value: cst.BaseExpression | None = None
    layout_of: cst.Arg | None = None

    def node(self) -> cst.Arg:
        if self.original is not None:
            if self.value is not None:
                return self.original.with_changes(value=self.value)
            return self.original
        assert self.keyword is not None and self.value is not None
        return cst.Arg(
            self.value,
            keyword=cst.Name(self.keyword),
            equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")),
        )


def rebuild_args(args: Sequence[cst.Arg], items: Sequence[NewArg]) -> list[cst.Arg]:
    """``items`` as call arguments, laid out with the separators of ``args``: a kept argument
    keeps its own separator (and the comment on it), a new one takes the separator of the
    argument it replaces or of the last-but-one argument, and the last item takes the original
    last separator, so one-per-line calls stay one-per-line and a trailing comma stays."""
    if not items:
        return []
    if len(args) >= 2:
        middle = (args[-2].comma, args[-2].whitespace_after_arg)
    else:
        middle = (cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")), cst.SimpleWhitespace(""))
    last = (args[-1].comma, args[-1].whitespace_after_arg) if args else (
        cst.MaybeSentinel.DEFAULT, cst.SimpleWhitespace(""))
    out: list[cst.Arg] = []
    for k, item in enumerate(items):
        node = item.node()
        if k == len(items) - 1:
            comma, ws = last
        else:
            source = item.original if item.original is not None else item.layout_of
            if source is not None and args and source is not args[-1] and isinstance(source.comma, cst.Comma):
                comma, ws = source.comma, source.whitespace_after_arg
            else:
                comma, ws = middle
            if not isinstance(comma, cst.Comma):
                comma = cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        out.append(node.with_changes(comma=comma, whitespace_after_arg=ws))
    return out


def kwargs(call: cst.Call) -> dict[str, cst.Arg]:
    return {a.keyword.value: a for a in call.args if a.keyword is not None}


def has_star(call: cst.Call) -> bool:
    return any(a.star for a in call.args)


def literal_string(expr: cst.BaseExpression | None) -> str | None:
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return value if isinstance(value, str) else None
    return None


def literal_number(expr: cst.BaseExpression | None) -> float | None:
    if isinstance(expr, (cst.Integer, cst.Float)):
        return float(expr.evaluated_value)
    if (
        isinstance(expr, cst.UnaryOperation)
        and isinstance(expr.operator, cst.Minus)
        and isinstance(expr.expression, (cst.Integer, cst.Float))
    ):
        return -float(expr.expression.evaluated_value)
    return None


def quote_like(original: cst.BaseExpression, text: str) -> str:
    """``text`` as a string literal in the quote style of ``original`` (a SimpleString)."""
    quote = '"'
    if isinstance(original, cst.SimpleString) and original.quote in ("'", '"'):
        quote = original.quote
    return f"{quote}{text}{quote}"
