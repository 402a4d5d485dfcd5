"""Editing the arguments of a call (or the elements of a dict) in the call's own layout.

The separator after an argument — its comma and the whitespace after it — holds the comment at
the end of that argument's line (``period=300,  # 5 minutes``). So each argument keeps its own
separator wherever the argument goes, a new argument gets a separator shaped like its
neighbours' *without* their comment, and removing an argument never moves its comment onto
another one:

- one argument per line stays one per line, at the same indentation;
- a trailing comma stays (or stays absent);
- a single-line call stays single-line.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

_Item = TypeVar("_Item", cst.Arg, cst.BaseDictElement)

_SPACE = cst.SimpleWhitespace(" ")
_NOTHING = cst.SimpleWhitespace("")


def keyword_args(call: cst.Call) -> dict[str, cst.Arg]:
    """The call's keyword arguments by name."""
    return {a.keyword.value: a for a in call.args if a.keyword is not None}


def has_star_args(call: cst.Call) -> bool:
    """Whether ``*args`` or ``**kwargs`` may pass arguments the code does not show."""
    return any(a.star for a in call.args)


def keyword(name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` with PEP 8 spacing (no spaces around ``=``)."""
    return cst.Arg(value, keyword=cst.Name(name), equal=cst.AssignEqual(_NOTHING, _NOTHING))


def _without_comment(ws: cst.BaseParenthesizableWhitespace) -> cst.BaseParenthesizableWhitespace:
    """The same line break and indentation, without the comment and blank lines before it."""
    if isinstance(ws, cst.ParenthesizedWhitespace):
        return ws.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
    return ws


def _is_multiline(ws: cst.BaseParenthesizableWhitespace) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace)


def _sep(item: _Item) -> tuple[cst.Comma | cst.MaybeSentinel, cst.BaseParenthesizableWhitespace]:
    """(comma, whitespace after the comma or the item) of an argument or dict element."""
    comma = item.comma
    if isinstance(item, cst.Arg):
        return comma, (comma.whitespace_after if isinstance(comma, cst.Comma) else item.whitespace_after_arg)
    return comma, (comma.whitespace_after if isinstance(comma, cst.Comma) else _NOTHING)


def _middle_separator(items: Sequence[_Item], near: int | None = None) -> cst.Comma:
    """The separator between two items, comment-free: copied from the item at ``near`` (the
    neighbour of a new item: one per line stays one per line, several per line stay so) when it
    has a comma, else from the first item that has a comma followed by a line break (the items'
    indentation; ``Alarm(self, "Id",`` then one argument per line), else from the first that has
    a comma, else ``", "``."""
    commas = [item.comma for item in items[:-1] if isinstance(item.comma, cst.Comma)]
    if near is not None and 0 <= near < len(items) and isinstance(near_comma := items[near].comma, cst.Comma):
        commas.insert(0, near_comma)
    elif any(_is_multiline(c.whitespace_after) for c in commas):
        commas = [c for c in commas if _is_multiline(c.whitespace_after)]
    if commas:
        return commas[0].with_changes(whitespace_after=_without_comment(commas[0].whitespace_after))
    return cst.Comma(whitespace_after=_SPACE)


def insert(
    items: Sequence[_Item],
    index: int,
    new: _Item,
    opening: cst.BaseParenthesizableWhitespace | None = None,
) -> list[_Item]:
    """``items`` with ``new`` inserted at ``index``, laid out like its neighbours. ``opening``:
    the whitespace after the opening bracket (the items' indentation when there is one item)."""
    items = list(items)
    if not items:
        return [new.with_changes(comma=cst.MaybeSentinel.DEFAULT)]
    if index < len(items):
        # in the middle: the new item ends like its neighbour (no comment of anybody's)
        middle = _middle_separator(items, index - 1 if index > 0 else None)
        items.insert(index, new.with_changes(comma=middle))
        return items
    # at the end: the old last item keeps its comment and gets a middle separator's line break;
    # the new item ends the way the old last one did (trailing comma, closing-bracket indent)
    last = items[-1]
    comma, after = _sep(last)
    if _is_multiline(after):
        assert isinstance(after, cst.ParenthesizedWhitespace)
        indent = _middle_separator(items).whitespace_after
        # the old last item's line break, with its own comment, then the items' indentation
        if not isinstance(indent, cst.ParenthesizedWhitespace) and isinstance(opening, cst.ParenthesizedWhitespace):
            indent = opening
        if isinstance(indent, cst.ParenthesizedWhitespace):
            own = after.with_changes(last_line=indent.last_line, indent=indent.indent)
        else:  # no example to follow: indent as the closing bracket plus four spaces
            own = after.with_changes(last_line=cst.SimpleWhitespace(after.last_line.value + "    "))
        before_comma = comma.whitespace_before if isinstance(comma, cst.Comma) else _NOTHING
        items[-1] = _set_sep(last, cst.Comma(whitespace_before=before_comma, whitespace_after=own))
        tail = _without_comment(after)
        if isinstance(comma, cst.Comma):
            new = _set_sep(new, cst.Comma(whitespace_after=tail))
        else:
            new = _set_sep(new, cst.MaybeSentinel.DEFAULT, tail)
    else:
        # the separator before the last item says whether the new one goes on a line of its own
        middle = _middle_separator(items, len(items) - 2)
        items[-1] = _set_sep(
            last, middle if _is_multiline(middle.whitespace_after) else cst.Comma(whitespace_after=_SPACE)
        )
        new = _set_sep(new, comma if isinstance(comma, cst.Comma) else cst.MaybeSentinel.DEFAULT, after)
    items.append(new)
    return items


def replace(items: Sequence[_Item], indexes: Sequence[int], new: _Item) -> list[_Item]:
    """``items`` with the ones at ``indexes`` replaced by one item, ``new``, in the place of the
    first of them: ``new`` ends the way that one did (its line break, comma or not), without its
    comment; the replaced items' comments go with them (:func:`comments_of` reads them, to move
    them along with their values)."""
    indexes = sorted(indexes)
    items = list(items)
    first = items[indexes[0]]
    comma, after = _sep(first)
    if isinstance(comma, cst.Comma):
        items[indexes[0]] = _set_sep(new, comma.with_changes(whitespace_after=_without_comment(after)))
    else:
        items[indexes[0]] = _set_sep(new, cst.MaybeSentinel.DEFAULT, _without_comment(after))
    for index in reversed(indexes[1:]):
        items = remove(items, index)
    return items


def comments_of(item: _Item) -> tuple[str, tuple[str, ...]]:
    """The comments an item's separator holds: the one ending its line, with the spaces before
    it (``"  # 5 minutes"``; ``""`` when there is none), and the comment lines after it, before
    the next item (without their indentation)."""
    _, after = _sep(item)
    if not isinstance(after, cst.ParenthesizedWhitespace):
        return "", ()
    first = after.first_line
    end = first.whitespace.value + first.comment.value if first.comment is not None else ""
    lines = tuple(line.comment.value for line in after.empty_lines if line.comment is not None)
    return end, lines


def remove(items: Sequence[_Item], index: int) -> list[_Item]:
    """``items`` without the one at ``index``; its comment goes with it, and when it was the last
    one the new last item takes its ending (trailing comma or not, closing-bracket indent) while
    keeping its own comment."""
    items = list(items)
    removed = items.pop(index)
    if not items or index == 0:
        return items
    comma, after = _sep(removed)
    prev = items[index - 1]
    prev_comma, prev_after = _sep(prev)
    if index < len(items):
        # a line break after the removed item stays (``a, b,⏎ c`` without ``b`` is ``a,⏎ c``)
        if _is_multiline(after) and not _is_multiline(prev_after) and isinstance(prev_comma, cst.Comma):
            items[index - 1] = _set_sep(prev, prev_comma.with_changes(whitespace_after=_without_comment(after)))
        return items
    if (
        isinstance(prev_after, cst.ParenthesizedWhitespace)
        and not _is_multiline(after)
        and prev_after.first_line.comment is None
        and not prev_after.empty_lines
    ):
        # the removed item hugged the closing bracket: so does the new last one (unless a
        # comment ends its line: then the bracket stays on a line of its own)
        items[-1] = _set_sep(prev, comma) if isinstance(comma, cst.Comma) else _set_sep(prev, comma, after)
        return items
    if isinstance(prev_after, cst.ParenthesizedWhitespace) and not _is_multiline(after):
        # hugged, but a comment ends the new last item's line: the bracket goes on the next line
        # at the indentation of the line the bracket opened on
        items[-1] = _set_sep(prev, prev_comma if isinstance(prev_comma, cst.Comma) else cst.Comma(), None)
        ending: cst.BaseParenthesizableWhitespace = prev_after.with_changes(last_line=cst.SimpleWhitespace(""))
        items[-1] = items[-1].with_changes(
            comma=cst.Comma(
                whitespace_before=prev_comma.whitespace_before if isinstance(prev_comma, cst.Comma) else _NOTHING,
                whitespace_after=ending,
            )
        )
        return items
    if _is_multiline(prev_after) and isinstance(prev_after, cst.ParenthesizedWhitespace) and _is_multiline(after):
        assert isinstance(after, cst.ParenthesizedWhitespace)
        ending = prev_after.with_changes(last_line=after.last_line, indent=after.indent)
    else:
        ending = after if not _is_multiline(prev_after) else prev_after
    if isinstance(comma, cst.Comma):
        before = prev_comma.whitespace_before if isinstance(prev_comma, cst.Comma) else _NOTHING
        items[-1] = _set_sep(prev, cst.Comma(whitespace_before=before, whitespace_after=ending))
    else:
        items[-1] = _set_sep(prev, cst.MaybeSentinel.DEFAULT, ending)
    return items


def _set_sep(
    item: _Item,
    comma: cst.Comma | cst.MaybeSentinel,
    after: cst.BaseParenthesizableWhitespace | None = None,
) -> _Item:
    if isinstance(item, cst.Arg):
        if isinstance(comma, cst.Comma):
            return item.with_changes(comma=comma, whitespace_after_arg=_NOTHING)
        return item.with_changes(comma=comma, whitespace_after_arg=after if after is not None else _NOTHING)
    return item.with_changes(comma=comma)


def add_keyword(call: cst.Call, name: str, value: cst.BaseExpression, *, before: Sequence[str] = ("opts",)) -> cst.Call:
    """``call`` with ``name=value`` added: before the first of the keywords ``before`` (Pulumi's
    ``opts`` goes last by convention) or any ``*``/``**`` argument, else at the end."""
    index = len(call.args)
    for k, arg in enumerate(call.args):
        if arg.star or (arg.keyword is not None and arg.keyword.value in before):
            index = k
            break
    return call.with_changes(args=insert(call.args, index, keyword(name, value), call.whitespace_before_args))


def remove_keyword(call: cst.Call, name: str) -> cst.Call:
    """``call`` without its keyword argument ``name`` (unchanged if it has none)."""
    for k, arg in enumerate(call.args):
        if arg.keyword is not None and arg.keyword.value == name:
            return call.with_changes(args=remove(call.args, k))
    return call


def dict_key(element: cst.BaseDictElement) -> str | None:
    """The key of ``{"key": value}`` when it is a plain string literal."""
    if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
        value = element.key.evaluated_value
        return value if isinstance(value, str) else None
    return None


def add_entry(node: cst.Dict, key: cst.BaseExpression, value: cst.BaseExpression) -> cst.Dict:
    """``node`` with ``key: value`` appended, laid out like the other entries. (A dict keeps the
    line break before its closing brace, and the last entry's comment, in the brace.)"""
    element = cst.DictElement(key, value, whitespace_before_colon=_NOTHING, whitespace_after_colon=_SPACE)
    elements = list(node.elements)
    closing = node.rbrace.whitespace_before
    if not elements or not isinstance(closing, cst.ParenthesizedWhitespace):
        return node.with_changes(elements=insert(elements, len(elements), element))
    last = elements[-1]
    indent = _middle_separator(elements).whitespace_after
    if not isinstance(indent, cst.ParenthesizedWhitespace):
        indent = node.lbrace.whitespace_after
    if isinstance(indent, cst.ParenthesizedWhitespace):
        line = closing.with_changes(last_line=indent.last_line, indent=indent.indent)
    else:
        line = closing.with_changes(last_line=cst.SimpleWhitespace(closing.last_line.value + "    "))
    trailing = last.comma if isinstance(last.comma, cst.Comma) else cst.MaybeSentinel.DEFAULT
    before = last.comma.whitespace_before if isinstance(last.comma, cst.Comma) else _NOTHING
    elements[-1] = last.with_changes(comma=cst.Comma(whitespace_before=before, whitespace_after=line))
    elements.append(element.with_changes(comma=trailing))
    return node.with_changes(
        elements=elements, rbrace=node.rbrace.with_changes(whitespace_before=_without_comment(closing))
    )


def remove_entry(node: cst.Dict, key: str) -> cst.Dict:
    """``node`` without the entry ``key`` (unchanged if it has none). A dict keeps the line break
    before its closing brace, and the last entry's comment, in the brace: removing the last
    entry moves the new last entry's own comment there."""
    for k, element in enumerate(node.elements):
        if dict_key(element) != key:
            continue
        closing = node.rbrace.whitespace_before
        if k == len(node.elements) - 1 and k > 0 and isinstance(closing, cst.ParenthesizedWhitespace):
            prev = node.elements[k - 1]
            prev_after = prev.comma.whitespace_after if isinstance(prev.comma, cst.Comma) else _NOTHING
            first = (
                prev_after.first_line
                if isinstance(prev_after, cst.ParenthesizedWhitespace)
                else cst.TrailingWhitespace()
            )
            lines = prev_after.empty_lines if isinstance(prev_after, cst.ParenthesizedWhitespace) else []
            trailing = (
                cst.Comma(
                    whitespace_before=prev.comma.whitespace_before if isinstance(prev.comma, cst.Comma) else _NOTHING
                )
                if isinstance(element.comma, cst.Comma)
                else cst.MaybeSentinel.DEFAULT
            )
            elements = [*node.elements[: k - 1], prev.with_changes(comma=trailing)]
            rbrace = node.rbrace.with_changes(
                whitespace_before=closing.with_changes(first_line=first, empty_lines=lines)
            )
            return node.with_changes(elements=elements, rbrace=rbrace)
        return node.with_changes(elements=remove(node.elements, k))
    return node


def one_per_line(call: cst.Call, indent: int) -> cst.Call:
    """``call`` with one argument per line, as Black lays out a call that does not fit: each
    argument at ``indent`` + 4 columns, a trailing comma, the closing parenthesis at ``indent``
    (the indentation of the line the call starts on). Comments stay with their arguments."""
    if not call.args:
        return call

    def line(width: int, first: cst.TrailingWhitespace | None = None) -> cst.ParenthesizedWhitespace:
        return cst.ParenthesizedWhitespace(
            first_line=first or cst.TrailingWhitespace(),
            indent=False,
            last_line=cst.SimpleWhitespace(" " * width),
        )

    args = []
    for k, arg in enumerate(call.args):
        comma, after = _sep(arg)
        first = after.first_line if isinstance(after, cst.ParenthesizedWhitespace) else None
        width = indent + 4 if k < len(call.args) - 1 else indent
        args.append(
            arg.with_changes(comma=cst.Comma(whitespace_after=line(width, first)), whitespace_after_arg=_NOTHING)
        )
    return call.with_changes(whitespace_before_args=line(indent + 4), args=args)


def is_single_line(node: cst.CSTNode) -> bool:
    return "\n" not in cst.Module(body=[]).code_for_node(node)
