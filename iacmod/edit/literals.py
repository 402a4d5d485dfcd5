"""Python literals, read and written: the one copy every rule uses.

Reading: :func:`string_value` (the text of a string literal, implicit concatenations included,
never an f-string or bytes), :func:`number_value` (ints and floats, negative ones too) and
:func:`literal_value` (either, or ``True``/``False``/``None``). Writing: :func:`quote_of` (the
quote character a file uses for a literal), :func:`string_literal` (text as a literal in that
quote) and :func:`python_literal` (any scalar), :func:`restring` (a string literal holding new
text in the same prefix and quotes as before).
"""

from __future__ import annotations

from typing import Any

import libcst as cst


class _NotLiteral:
    def __repr__(self) -> str:
        return "NOT_LITERAL"


NOT_LITERAL: Any = _NotLiteral()
_CONSTANTS = {"True": True, "False": False, "None": None}


def string_value(node: cst.BaseExpression | None) -> str | None:
    """The text of a string literal (``"a"``, ``"a" "b"``), else None (f-strings, bytes, other
    expressions)."""
    if isinstance(node, (cst.SimpleString, cst.ConcatenatedString)):
        value = node.evaluated_value
        return value if isinstance(value, str) else None
    return None


def number_value(node: cst.BaseExpression | None) -> int | float | None:
    """The value of an int or float literal, negative ones (``-1``) included, else None."""
    if isinstance(node, (cst.Integer, cst.Float)):
        return node.evaluated_value
    if (
        isinstance(node, cst.UnaryOperation)
        and isinstance(node.operator, cst.Minus)
        and isinstance(node.expression, (cst.Integer, cst.Float))
    ):
        return -node.expression.evaluated_value
    return None


def literal_value(node: cst.BaseExpression | None, default: Any = NOT_LITERAL) -> Any:
    """The value of a scalar literal (a string, a number, ``True``/``False``/``None``), else
    ``default``."""
    text = string_value(node)
    if text is not None:
        return text
    number = number_value(node)
    if number is not None:
        return number
    if isinstance(node, cst.Name) and node.value in _CONSTANTS:
        return _CONSTANTS[node.value]
    return default


def quote_of(node: cst.BaseExpression | None, default: str = '"') -> str:
    """The quote character (``"`` or ``'``) of a string literal, whatever its prefix and whether
    it is triple-quoted (of its first part, for an implicit concatenation); ``default`` for
    anything else."""
    while isinstance(node, cst.ConcatenatedString):
        node = node.left
    if isinstance(node, cst.SimpleString):
        return node.quote[0]
    return default


def string_literal(text: str, quote: str = '"') -> str:
    """``text`` as a one-line Python string literal in ``quote``, or in the other quote when
    ``text`` holds ``quote`` and not the other one; backslashes, the quote and characters that are
    not printable are escaped."""
    other = "'" if quote == '"' else '"'
    if quote in text and other not in text:
        quote = other
    out = []
    for ch in text:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + quote)
        elif ch.isprintable():
            out.append(ch)
        else:
            out.append(repr(ch)[1:-1])
    return quote + "".join(out) + quote


def python_literal(value: Any, quote: str = '"') -> str:
    """``value`` (a string, number, bool or None) as Python source, strings in ``quote``."""
    if isinstance(value, str):
        return string_literal(value, quote)
    if isinstance(value, (bool, int, float)) or value is None:
        return repr(value)
    raise TypeError(f"not a literal: {value!r}")


def restring(node: cst.SimpleString, text: str) -> cst.SimpleString | None:
    """``node`` holding ``text`` instead, with the same prefix and quotes, or None when that
    cannot be written (a quote that would need escaping; a line break in a one-line literal; a
    raw literal whose text does not survive)."""
    prefix = node.prefix
    quote = node.quote
    raw = "r" in prefix.lower()
    body = text if raw else text.replace("\\", "\\\\")
    if quote in ('"', "'"):
        if "\n" in text or quote in body:
            return None
    elif quote in body or body.endswith(quote[0]):
        return None
    new = cst.SimpleString(f"{prefix}{quote}{body}{quote}")
    return new if new.evaluated_value == text else None
