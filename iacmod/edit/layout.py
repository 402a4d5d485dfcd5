"""Layout helpers for rules that rebuild keyword-argument calls as text.

Indentation inside brackets is kept *relative to the enclosing block*, as LibCST stores it
(``ParenthesizedWhitespace(indent=True, last_line=...)``): text produced by
``Module.code_for_node`` and text parsed with ``cst.parse_expression`` both use it, so a fix can
render original sub-expressions, shift their continuation lines to their new depth, and parse
the result back into a node that renders at the right place in any block.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import CodeRange, ParentNodeProvider, PositionProvider

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
