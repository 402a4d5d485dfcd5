"""LibCST helpers for ``sfn-lambda-invoke``: a JSON-like view of dict literals, Python literal
rendering in the file's layout (:func:`iacmod.edit.layout.layout_of`), and inserting elements into
dict/list literals. Scalars are read and written by :mod:`iacmod.edit.literals`."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, TypeVar, cast

import libcst as cst

from iacmod.edit.layout import Layout
from iacmod.edit.literals import NOT_LITERAL, literal_value, python_literal, string_literal, string_value
from iacmod.iac.asl import Opaque

PLACEHOLDER = "__iacmod_placeholder_{}__"
Container = TypeVar("Container", cst.Dict, cst.List)


def to_json(node: cst.BaseExpression) -> Any:
    """A JSON-like view of a Python literal; what is not a literal becomes :class:`Opaque`."""
    value = literal_value(node)
    if value is not NOT_LITERAL:
        return value
    if isinstance(node, cst.Dict):
        out: dict[str, Any] = {}
        for element in node.elements:
            if not isinstance(element, cst.DictElement):
                return Opaque(node)
            key = string_value(element.key)
            if key is None or key in out:
                return Opaque(node)
            out[key] = to_json(element.value)
        return out
    if isinstance(node, (cst.List, cst.Tuple)):
        items = []
        for item in node.elements:
            if not isinstance(item, cst.Element):
                return Opaque(node)
            items.append(to_json(item.value))
        return items
    return Opaque(node)


def dict_elements(node: cst.Dict) -> dict[str, cst.DictElement] | None:
    """Key -> element of a dict literal whose keys are all string literals (else None)."""
    out: dict[str, cst.DictElement] = {}
    for element in node.elements:
        if not isinstance(element, cst.DictElement):
            return None
        key = string_value(element.key)
        if key is None or key in out:
            return None
        out[key] = element
    return out


# -- rendering ------------------------------------------------------------------------------------


def render(value: Any, layout: Layout, depth: int, placeholders: dict[str, cst.BaseExpression]) -> str:
    """Python source for a JSON-like value at ``depth`` steps below the layout's base."""
    if isinstance(value, Opaque):
        name = PLACEHOLDER.format(len(placeholders))
        placeholders[name] = value.node
        return name
    if isinstance(value, (str, bool, int, float)) or value is None:
        return python_literal(value, layout.quote)
    if isinstance(value, dict):
        items = [
            f"{string_literal(k, layout.quote)}: {render(v, layout, depth + 1, placeholders)}" for k, v in value.items()
        ]
        return _container("{", "}", items, layout, depth)
    if isinstance(value, list):
        items = [render(v, layout, depth + 1, placeholders) for v in value]
        return _container("[", "]", items, layout, depth)
    raise TypeError(value)


def _container(open_: str, close: str, items: Sequence[str], layout: Layout, depth: int) -> str:
    if not items:
        return open_ + close
    if not layout.multiline:
        return open_ + ", ".join(items) + close
    inner = layout.base + layout.unit * (depth + 1)
    outer = layout.base + layout.unit * depth
    return open_ + "\n" + "".join(f"{inner}{item},\n" for item in items) + outer + close


class _Shift(cst.CSTTransformer):
    """Indent every continuation line of an expression by ``extra`` more."""

    def __init__(self, extra: str) -> None:
        super().__init__()
        self.extra = extra

    def leave_ParenthesizedWhitespace(
        self, original: cst.ParenthesizedWhitespace, updated: cst.ParenthesizedWhitespace
    ) -> cst.ParenthesizedWhitespace:
        return updated.with_changes(last_line=cst.SimpleWhitespace(updated.last_line.value + self.extra))

    def leave_EmptyLine(self, original: cst.EmptyLine, updated: cst.EmptyLine) -> cst.EmptyLine:
        if updated.comment is None:
            return updated
        return updated.with_changes(whitespace=cst.SimpleWhitespace(updated.whitespace.value + self.extra))


def shift(node: cst.BaseExpression, extra: str) -> cst.BaseExpression:
    if not extra:
        return node
    # visit() is typed to allow a removal or a flattening; _Shift keeps the root's kind
    return cast(cst.BaseExpression, node.visit(_Shift(extra)))


class _Fill(cst.CSTTransformer):
    def __init__(self, placeholders: dict[str, cst.BaseExpression]) -> None:
        super().__init__()
        self.placeholders = placeholders

    def leave_Name(self, original: cst.Name, updated: cst.Name) -> cst.BaseExpression:
        return self.placeholders.get(updated.value, updated)


def build(value: Any, layout: Layout, depth: int) -> cst.BaseExpression:
    """A CST expression for a JSON-like value (Opaque leaves are the original nodes, shifted to
    their new depth), laid out as a value at ``depth`` steps below the layout's base."""
    placeholders: dict[str, cst.BaseExpression] = {}
    text = render(value, layout, depth, placeholders)
    expr = cst.parse_expression(text)
    if placeholders:
        shifted = {
            name: shift(node, layout.unit * (depth + 1)) if layout.multiline else node
            for name, node in placeholders.items()
        }
        expr = cast(cst.BaseExpression, expr.visit(_Fill(shifted)))  # as in shift(): the root is kept
    return expr


# -- inserting elements ---------------------------------------------------------------------------


def _separator(layout: Layout) -> cst.Comma:
    if layout.multiline:
        return cst.Comma(
            whitespace_before=cst.SimpleWhitespace(""),
            whitespace_after=cst.ParenthesizedWhitespace(
                first_line=cst.TrailingWhitespace(),
                empty_lines=[],
                indent=True,
                last_line=cst.SimpleWhitespace(layout.base),
            ),
        )
    return cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))


def inline_at(elements: Sequence[Any], index: int, layout: Layout) -> bool:
    """Whether an element inserted at ``index`` shares its line with the one before it."""
    if not layout.multiline:
        return True
    if 0 < index < len(elements):
        comma = elements[index - 1].comma
        return isinstance(comma, cst.Comma) and isinstance(comma.whitespace_after, cst.SimpleWhitespace)
    return False


def insert_element(
    elements: Sequence[cst.BaseElement | cst.BaseDictElement], index: int, new: Any, layout: Layout
) -> list[Any]:
    """``elements`` with ``new`` inserted at ``index``, moving commas so the layout holds."""
    out = list(elements)
    if not out:
        return [new.with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    if index < len(out):
        if inline_at(out, index, layout):
            out.insert(index, new.with_changes(comma=out[index - 1].comma if index else _separator(layout)))
        else:
            out.insert(index, new.with_changes(comma=_separator(layout)))
        return out
    last = out[-1]
    trailing = last.comma
    out[-1] = last.with_changes(comma=_separator(layout))
    if isinstance(trailing, cst.Comma):
        new = new.with_changes(comma=trailing)
    else:
        new = new.with_changes(comma=cst.MaybeSentinel.DEFAULT)
    out.append(new)
    return out


def with_elements(node: Container, elements: Sequence[Any], last_at: int | None) -> Container:
    """``node`` with ``elements``. ``last_at``: where the element that ended ``node`` is now;
    when elements follow it, the comment at the end of its line, which LibCST keeps in the
    whitespace before the closing bracket, goes back onto its line (not onto the new last one)."""
    closer_name = "rbrace" if isinstance(node, cst.Dict) else "rbracket"
    closer = getattr(node, closer_name)
    ws = closer.whitespace_before
    if (
        last_at is None
        or last_at >= len(elements) - 1
        or not isinstance(ws, cst.ParenthesizedWhitespace)
        or ws.first_line.comment is None
    ):
        return node.with_changes(elements=elements)
    element = elements[last_at]
    comma = element.comma
    if (
        not isinstance(comma, cst.Comma)
        or not isinstance(comma.whitespace_after, cst.ParenthesizedWhitespace)
        or comma.whitespace_after.first_line.comment is not None
    ):
        return node.with_changes(elements=elements)  # on one line with the next: left where it is
    elements = list(elements)
    own_line = comma.whitespace_after.with_changes(first_line=ws.first_line)
    elements[last_at] = element.with_changes(comma=comma.with_changes(whitespace_after=own_line))
    closer = closer.with_changes(whitespace_before=ws.with_changes(first_line=cst.TrailingWhitespace()))
    return node.with_changes(elements=elements, **{closer_name: closer})
