"""Minimal-edit rewriting of JSON text.

:func:`scan` parses JSON (what :func:`json.loads` accepts, duplicate keys refused) and records the
text span of every value and of every object member (from its key to the end of its value).
:func:`splice` turns the text of an old value into the text of a new one, changing only what
changed: identical subtrees keep their text; objects keep their members' text and order, drop
removed members with one comma, and insert new members after the member they follow in the new
dict, in the layout of their siblings; arrays whose old elements are a prefix of (or as many as)
the new ones are edited element by element and appended to in their own layout. Anything else is
re-serialized where it stands, in the layout of its surroundings.

Layout words used below: a container's *lead* is the whitespace after its opening bracket, its
*separators* the text between two children (the comma and whitespace), its *tail* the whitespace
before its closing bracket. Every newline inside JSON text is in such whitespace (strings cannot
hold raw newlines), so re-indenting a piece of JSON text never changes what it says.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from json.decoder import scanstring  # type: ignore[attr-defined]  # there at run time, not in typeshed
from typing import Any

WHITESPACE = " \t\n\r"
NUMBER = re.compile(r"-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?")
CONSTANTS = (
    ("true", True),
    ("false", False),
    ("null", None),
    ("NaN", math.nan),
    ("Infinity", math.inf),
    ("-Infinity", -math.inf),
)


@dataclass(eq=False)
class Node:
    """A JSON value at ``text[start:end]``; ``children`` are the members (objects) or the element
    nodes (arrays), None for scalars."""

    start: int
    end: int
    value: Any
    children: list[Any] | None = None


@dataclass(eq=False)
class Member:
    """An object member: its key starts at ``start``, ends at ``key_end``; ``node`` is its value."""

    key: str
    start: int
    key_end: int
    node: Node

    @property
    def end(self) -> int:
        return self.node.end


def scan(text: str) -> Node:
    """The JSON value of ``text`` with the spans of all its parts. Raises ValueError."""
    scanner = _Scanner(text)
    root = scanner.value(scanner.skip(0))
    if scanner.skip(root.end) != len(text):
        raise ValueError(f"extra data at offset {scanner.skip(root.end)}")
    return root


class _Scanner:
    def __init__(self, text: str) -> None:
        self.text = text

    def skip(self, i: int) -> int:
        while i < len(self.text) and self.text[i] in WHITESPACE:
            i += 1
        return i

    def expect(self, i: int, chars: str) -> str:
        char = self.text[i : i + 1]
        if not char or char not in chars:
            raise ValueError(f"expected one of {chars!r} at offset {i}")
        return char

    def value(self, i: int) -> Node:
        text = self.text
        char = text[i : i + 1]
        if char == "{":
            return self.container(i, "}")
        if char == "[":
            return self.container(i, "]")
        if char == '"':
            string, end = scanstring(text, i + 1, True)
            return Node(i, end, string)
        for word, constant in CONSTANTS:
            if text.startswith(word, i):
                return Node(i, i + len(word), constant)
        match = NUMBER.match(text, i)
        if match is None:
            raise ValueError(f"no JSON value at offset {i}")
        number = match.group()
        return Node(i, match.end(), float(number) if match.group(1) or match.group(2) else int(number))

    def container(self, start: int, close: str) -> Node:
        is_object = close == "}"
        value: Any = {} if is_object else []
        children: list[Any] = []
        i = self.skip(start + 1)
        if self.text[i : i + 1] == close:
            return Node(start, i + 1, value, children)
        while True:
            if is_object:
                self.expect(i, '"')
                key, key_end = scanstring(self.text, i + 1, True)
                self.expect(self.skip(key_end), ":")
                node = self.value(self.skip(self.skip(key_end) + 1))
                if key in value:
                    raise ValueError(f"duplicate key {key!r}")
                value[key] = node.value
                children.append(Member(key, i, key_end, node))
            else:
                node = self.value(i)
                value.append(node.value)
                children.append(node)
            j = self.skip(node.end)
            if self.expect(j, "," + close) == close:
                return Node(start, j + 1, value, children)
            i = self.skip(j + 1)


def same(a: Any, b: Any) -> bool:
    """Whether two JSON values are equal with their types (``1``, ``1.0`` and ``true`` differ)
    and spelled the same way (NaN is NaN). Key order does not matter."""
    if isinstance(a, dict):
        return isinstance(b, dict) and a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return isinstance(b, list) and len(a) == len(b) and all(map(same, a, b))
    if type(a) is not type(b):
        return False
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return bool(a == b)


def splice(text: str, old: Any, new: Any) -> str:
    """``text`` (the JSON text of ``old``) changed to say ``new``, changing as little text as
    possible. Raises ValueError when ``text`` is not the JSON text of ``old``."""
    root = scan(text)
    if not same(root.value, old):
        raise ValueError("the text is not the JSON text of the old value")
    out = text[: root.start] + _Editor(text, root).edit(root, new, root.start) + text[root.end :]
    if not same(scan(out).value, new):  # cannot happen; never write a wrong document
        raise AssertionError("jsonedit.splice produced text that does not say the new value")
    return out


class _Editor:
    def __init__(self, text: str, root: Node) -> None:
        self.text = text
        self.newline = "\r\n" if "\r\n" in text else "\n"
        self.ensure_ascii = "\\u" in text and not any(ord(c) > 127 for c in text)
        self.unit, self.colon, self.comma = self._document_style(root)

    # -- layout ---------------------------------------------------------------------------------

    def _document_style(self, root: Node) -> tuple[str, str, str]:
        """(indentation unit, key separator, inline separator) the document uses, with defaults."""
        unit = colon = comma = None
        stack = [root]
        while stack and (unit is None or colon is None or comma is None):
            node = stack.pop()
            children = node.children
            if not children:
                continue
            stack.extend(reversed([c.node if isinstance(c, Member) else c for c in children]))
            if colon is None and isinstance(children[0], Member):
                colon = self.text[children[0].key_end : children[0].node.start]
            if comma is None:
                comma = next((s for s in self._separators(node) if "\n" not in s), None)
            lead, tail = self._lead(node), self.text[children[-1].end : node.end - 1]
            if unit is None and "\n" in lead and "\n" in tail:
                inner, outer = _last_line(lead), _last_line(tail)
                if inner.startswith(outer) and len(inner) > len(outer):
                    unit = inner[len(outer) :]
        return unit or "  ", colon or ": ", comma or ", "

    def _lead(self, node: Node) -> str:
        assert node.children
        return self.text[node.start + 1 : node.children[0].start]

    def _separators(self, node: Node) -> list[str]:
        children = node.children or []
        return [self.text[a.end : b.start] for a, b in zip(children, children[1:])]

    def _multiline(self, node: Node) -> bool:
        """Whether a non-empty container puts its children on lines of their own."""
        # children: a list (None only for scalars), which Node's one Optional field cannot say
        whitespace = [self._lead(node), self.text[node.children[-1].end : node.end - 1]]  # type: ignore[index]
        return any("\n" in s for s in whitespace + self._separators(node))

    def _separator_near(self, node: Node, index: int) -> str:
        """The separator to use next to child ``index``: the one after it, else the one before
        it, else one in the layout of the container's lead."""
        separators = self._separators(node)
        if index < len(separators):
            return separators[index]
        if index > 0:
            return separators[index - 1]
        lead = self._lead(node)
        return "," + lead if "\n" in lead else self.comma

    def _line_indent(self, pos: int) -> str:
        start = self.text.rfind("\n", 0, pos) + 1
        end = start
        while end < pos and self.text[end] in " \t":
            end += 1
        return self.text[start:end]

    def _starts_line(self, pos: int) -> bool:
        start = self.text.rfind("\n", 0, pos) + 1
        return not self.text[start:pos].strip(" \t")

    # -- editing --------------------------------------------------------------------------------

    def edit(self, node: Node, new: Any, owner_start: int) -> str:
        """The text for ``node`` (whose member or element starts at ``owner_start``) saying ``new``."""
        if same(node.value, new):
            return self.text[node.start : node.end]
        if node.children and isinstance(node.value, dict) and isinstance(new, dict):
            return self._edit_object(node, new)
        if node.children and isinstance(node.value, list) and isinstance(new, list):
            out = self._edit_array(node, new)
            if out is not None:
                return out
        return self._rewrite(node, new, owner_start)

    def _rewrite(self, node: Node, new: Any, owner_start: int) -> str:
        """``new`` serialized in place of ``node``, laid out like it (or like its surroundings)."""
        multiline = self._multiline(node) if node.children else self._starts_line(owner_start)
        return self.render(new, self._line_indent(node.start), multiline, node, node)

    def _edit_object(self, node: Node, new: dict[str, Any]) -> str:
        members: list[Member] = node.children  # type: ignore[assignment]  # an object's: never None
        old_keys = {m.key: i for i, m in enumerate(members)}
        order: list[Any] = [m for m in members if m.key in new]  # kept members keep their order
        if not order:
            return self._rewrite(node, new, node.start)
        previous = None
        for key in new:
            if key not in old_keys:
                keys = [x.key if isinstance(x, Member) else x for x in order]
                order.insert(keys.index(previous) + 1 if previous is not None else 0, key)
            previous = key

        text = self.text
        out = [text[node.start : members[0].start]]
        for index, item in enumerate(order):
            before = [x for x in order[:index] if isinstance(x, Member)]
            anchor = before[-1] if before else next(x for x in order if isinstance(x, Member))
            anchor_index = old_keys[anchor.key]
            separator = self._separator_near(node, anchor_index) if index else out[0][1:]
            if index:
                out.append(separator)
            if isinstance(item, Member):
                out.append(text[item.start : item.node.start])
                out.append(self.edit(item.node, new[item.key], item.start))
                continue
            multiline = "\n" in separator
            indent = _last_line(separator) if multiline else self._line_indent(anchor.start)
            colon = text[anchor.key_end : anchor.node.start]
            out.append(self.scalar(item) + colon + self.render(new[item], indent, multiline, reuse=node))
        out.append(text[members[-1].end : node.end])
        return "".join(out)

    def _edit_array(self, node: Node, new: list[Any]) -> str | None:
        items: list[Node] = node.children  # type: ignore[assignment]  # an array's: never None
        count = len(items)
        if len(new) < count or (len(new) > count and not all(map(same, (i.value for i in items), new))):
            return None
        text = self.text
        out = [text[node.start : items[0].start]]
        for index, item in enumerate(items):
            if index:
                out.append(text[items[index - 1].end : item.start])
            out.append(self.edit(item, new[index], item.start))
        separator = self._separator_near(node, count - 1)
        multiline = "\n" in separator
        indent = _last_line(separator) if multiline else self._line_indent(items[-1].start)
        for value in new[count:]:
            out.append(separator)
            out.append(self.render(value, indent, multiline, template=items[-1]))
        out.append(text[items[-1].end : node.end])
        return "".join(out)

    # -- serializing ----------------------------------------------------------------------------

    def scalar(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=self.ensure_ascii)

    def render(
        self, value: Any, indent: str, multiline: bool, template: Node | None = None, reuse: Node | None = None
    ) -> str:
        """``value`` as JSON text starting on a line indented by ``indent``. A container is laid out
        like ``template`` (an old container of the same kind: one line or one line per child,
        children like its children), else on one line per child when ``multiline``; a part equal
        to ``reuse`` (an old container) is ``reuse``'s own text, re-indented."""
        if not isinstance(value, (dict, list)):
            return self.scalar(value)
        if not value:
            return "{}" if isinstance(value, dict) else "[]"
        if reuse is not None and same(value, reuse.value):
            return self._reindent(reuse, indent)
        if template is None or not template.children or isinstance(template.value, dict) != isinstance(value, dict):
            template = None
        else:
            multiline = self._multiline(template)
        inner = indent + self.unit
        if isinstance(value, dict):
            # a kept template has children (checked above): ``or`` only narrows the Optional
            like = {m.key: m.node for m in template.children or ()} if template else {}
            items = [
                self.scalar(k) + self.colon + self.render(v, inner, multiline, like.get(k), reuse)
                for k, v in value.items()
            ]
            opener, closer = "{", "}"
        else:
            like_items = (template.children or [None]) if template else [None]
            items = [
                self.render(v, inner, multiline, like_items[min(i, len(like_items) - 1)], reuse)
                for i, v in enumerate(value)
            ]
            opener, closer = "[", "]"
        if not multiline:
            return opener + self.comma.join(items) + closer
        newline = self.newline
        return opener + newline + ("," + newline).join(inner + i for i in items) + newline + indent + closer

    def _reindent(self, node: Node, indent: str) -> str:
        old_indent = self._line_indent(node.start)
        lines = self.text[node.start : node.end].split("\n")
        return "\n".join(
            [lines[0]]
            + [indent + line[len(old_indent) :] if line.startswith(old_indent) else line for line in lines[1:]]
        )


def _last_line(whitespace: str) -> str:
    return whitespace.rsplit("\n", 1)[-1]
