"""Adding a statement after another one, in the block's style.

A fix that creates something new (a permission next to the target that needs it) inserts a
statement right after the statement that holds a node:

- ``statement_of(rule, node)``: the statement of a block (the module or an indented block) that
  holds ``node``, or None when it sits in a one-line suite (``if x: y()``), where a new line
  cannot be placed without rewriting the suite;
- ``in_loop(rule, node)``: whether ``node`` runs more than once per call of its function or
  module (a ``for``/``while`` body or a comprehension), where a statement with fixed names
  would create the same resource twice;
- ``insert_after(statement, text)``: the replacement for ``statement``, itself followed by the
  statement ``text`` (written at column 0; LibCST indents it as its block), separated by a
  blank line when ``statement`` is (comments before ``statement`` are not copied);
- ``call_text(func, args, indent, limit)``: a call written on one line, or one argument per
  line as Black lays out a call longer than ``limit`` columns at ``indent``.

``rule`` declares ParentNodeProvider.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import ParentNodeProvider

if TYPE_CHECKING:
    from iacmod.rule import Rule

Statement = cst.BaseStatement

_LOOPS = (cst.For, cst.While, cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)


def statement_of(rule: Rule, node: cst.CSTNode) -> Statement | None:
    """The statement of a module or indented block that holds ``node`` (see the docstring)."""
    current: cst.CSTNode | None = node
    while current is not None:
        parent = rule.get_metadata(ParentNodeProvider, current, None)
        if isinstance(parent, cst.SimpleStatementSuite):
            return None
        if isinstance(parent, (cst.Module, cst.IndentedBlock)) and isinstance(current, cst.BaseStatement):
            return current
        current = parent
    return None


def in_loop(rule: Rule, node: cst.CSTNode) -> bool:
    """Whether ``node`` is in a loop body or a comprehension of its function (or module)."""
    current: cst.CSTNode | None = node
    while current is not None:
        parent = rule.get_metadata(ParentNodeProvider, current, None)
        if isinstance(parent, _LOOPS):
            if not isinstance(parent, (cst.For, cst.While)) or current in (parent.body, parent.orelse):
                return True
        if isinstance(parent, (cst.FunctionDef, cst.ClassDef)):
            return False
        current = parent
    return False


def _blank_before(statement: Statement) -> list[cst.EmptyLine]:
    """The first blank line (no comment) before ``statement``, as the file writes it."""
    for line in getattr(statement, "leading_lines", ()):
        if line.comment is None:
            return [line]
    return []


def insert_after(statement: Statement, text: str) -> cst.FlattenSentinel[cst.BaseStatement]:
    """``statement`` followed by the statement ``text`` (see the module docstring)."""
    new = cst.parse_statement(text if text.endswith("\n") else text + "\n")
    new = new.with_changes(leading_lines=_blank_before(statement))
    return cst.FlattenSentinel([statement, new])


def call_text(func: str, args: Sequence[str], indent: int = 0, limit: int = 88) -> str:
    """``func(a, b)`` on one line when it fits in ``limit`` columns at ``indent``, else one
    argument per line with a trailing comma (continuation lines relative to column 0)."""
    flat = f"{func}({', '.join(args)})"
    if indent + len(flat) <= limit or not args:
        return flat
    body = "".join(f"    {a},\n" for a in args)
    return f"{func}(\n{body})"


def indent_of(rule: Rule, statement: Statement) -> int:
    """The column ``statement`` starts at (its block's indentation)."""
    from libcst.metadata import PositionProvider

    position = rule.get_metadata(PositionProvider, statement, None)
    return position.start.column if position is not None else 0
