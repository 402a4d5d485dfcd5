"""Layout helpers for rules that rebuild keyword-argument calls as text.

Indentation inside brackets is kept *relative to the enclosing block*, as LibCST stores it
(``ParenthesizedWhitespace(indent=True, last_line=...)``): text produced by
``Module.code_for_node`` and text parsed with ``cst.parse_expression`` both use it, so a fix can
render original sub-expressions, shift their continuation lines to their new depth, and parse
the result back into a node that renders at the right place in any block.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, ParentNodeProvider, PositionProvider

from iacmod.edit.literals import number_value, string_value

if TYPE_CHECKING:
    from iacmod.rule import Rule

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
    last = (
        (args[-1].comma, args[-1].whitespace_after_arg)
        if args
        else (cst.MaybeSentinel.DEFAULT, cst.SimpleWhitespace(""))
    )
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


# -- literals: kept for alarm-error-rate, which imports them from here (same behaviour as before);
# new code uses iacmod.edit.literals


def literal_string(expr: cst.BaseExpression | None) -> str | None:
    return string_value(expr) if isinstance(expr, cst.SimpleString) else None


def literal_number(expr: cst.BaseExpression | None) -> float | None:
    value = number_value(expr)
    return None if value is None else float(value)


def quote_like(original: cst.BaseExpression, text: str) -> str:
    """``text`` as a string literal in the quote style of ``original`` (a SimpleString)."""
    quote = '"'
    if isinstance(original, cst.SimpleString) and original.quote in ("'", '"'):
        quote = original.quote
    return f"{quote}{text}{quote}"


# -- indentation ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Layout:
    """How the elements of a literal are laid out: ``base`` is the indentation (relative to the
    enclosing block) of its elements when ``multiline``; ``unit`` one indentation step."""

    multiline: bool
    base: str
    unit: str
    quote: str


def layout_of(node: cst.Dict | cst.List, quote: str = '"') -> Layout:
    """The layout of a dict or list literal's elements, read from its whitespace (no positions
    needed): one element per line when the opening bracket or a comma ends a line."""
    opener = node.lbrace if isinstance(node, cst.Dict) else node.lbracket
    closer = node.rbrace if isinstance(node, cst.Dict) else node.rbracket
    ws = opener.whitespace_after
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        for element in node.elements:
            comma = element.comma
            if isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace):
                ws = comma.whitespace_after
                break
    if not isinstance(ws, cst.ParenthesizedWhitespace):
        return Layout(False, "", "    ", quote)
    base = ws.last_line.value
    close_ws = closer.whitespace_before
    close = close_ws.last_line.value if isinstance(close_ws, cst.ParenthesizedWhitespace) else None
    unit = "    "
    if close is not None and base.startswith(close) and len(base) > len(close):
        unit = base[len(close) :]
    return Layout(True, base, unit, quote)


def relative_indent(rule: Rule, node: cst.CSTNode, statement: cst.CSTNode | None = None) -> int | None:
    """Columns of indentation of the line where ``node`` starts, relative to the block of
    ``statement`` (by default the innermost statement holding ``node``): the depth LibCST gives
    continuation lines inside brackets, for text a fix renders and parses back. None when a
    position is unknown or the line is indented with tabs. ``rule`` declares PositionProvider
    (and ParentNodeProvider when ``statement`` is not given)."""
    if statement is None:
        statement = _statement_of(rule, node)
        if statement is None:
            return None
    pos: CodeRange | None = rule.get_metadata(PositionProvider, node, None)
    spos: CodeRange | None = rule.get_metadata(PositionProvider, statement, None)
    lines = rule.context.source.splitlines()
    if pos is None or spos is None or pos.start.line > len(lines):
        return None
    line = lines[pos.start.line - 1]
    lead = line[: len(line) - len(line.lstrip(" \t"))]
    if "\t" in lead:
        return None
    return max(0, len(lead) - spos.start.column)


def _statement_of(rule: Rule, node: cst.CSTNode) -> cst.CSTNode | None:
    current: cst.CSTNode | None = node
    while current is not None and not isinstance(current, (cst.SimpleStatementLine, cst.BaseCompoundStatement)):
        current = rule.get_metadata(ParentNodeProvider, current, None)
    return current
