"""Python handler code embedded in IaC string literals, fixed like any other Python source.

Pulumi ``pulumi.StringAsset("...")`` (usually inside ``pulumi.AssetArchive``), AWS CDK
``aws_lambda.Code.from_inline("...")`` / ``InlineCode("...")`` and CDKTF ``DataArchiveFile``
(``source_content=`` or ``source=[{content: ...}]``) carry the Lambda's code as a string. This
module pass finds those literals semantically (also through a variable or constant assigned a
literal once, and through ``textwrap.dedent(...)``), parses the text as Python, runs every
enabled rule whose trigger occurs in it (``fix_module_source(..., embedded=True)``), and writes
the result back into the literal in its own quoting style, changing only the lines that changed.
Findings point at the real line and column of the outer file.

Code in another language (an ``index.js`` key, a Node.js runtime) is skipped. Code that does not
parse is left alone with a finding.

Templates: code written as a ``str.format`` template (``CODE.format(table=...)``, a literal or a
name assigned one) or a ``%`` template is analysed as the template's text with its escapes undone
(``{{``/``}}`` -> ``{``/``}``, ``%%`` -> ``%``; the fields stay as written), which is the Python
the Lambda runs but for the fields; a fix is written back only when every changed region contains
no brace (``%`` for ``%`` templates), so that it means the same in the template. Code returned by
a function or method of the module (``StringAsset(self._get_lambda_code())``) is followed when the
function has one ``return`` of something followable. What cannot be analysed this way (an
f-string, a template that does not map back, a helper whose result cannot be followed) gets one
finding of this pass, ``inline-code`` (severity info), that says why.
"""

from __future__ import annotations

import ast
import difflib
import textwrap
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import libcst as cst
from libcst.metadata import (
    CodeRange,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)
from libcst.metadata.scope_provider import Assignment

from iacmod import suppress
from iacmod.cst.metadata import LazyMetadata, locate, resolve_metadata, with_source
from iacmod.engine import RuleCrash, Settings, fix_module_source
from iacmod.findings import FileError, Finding, FixSafety, Position, Severity, Span
from iacmod.passes import PassInput, PassResult
from iacmod.rule import Rule

MARKERS = ("StringAsset", "from_inline", "InlineCode", "DataArchiveFile", "Code.inline")
STRING_ASSETS = {"pulumi.StringAsset", "pulumi.asset.StringAsset"}
CDK_INLINE = {
    "aws_cdk.aws_lambda.Code.from_inline",
    "aws_cdk.aws_lambda.Code.inline",
    "aws_cdk.aws_lambda.InlineCode",
    "aws_cdk.aws_lambda.InlineCode.from_inline",
}
ARCHIVE_PACKAGE = "cdktf_cdktf_provider_archive"
DEDENT = {"textwrap.dedent"}
OTHER_RUNTIMES = ("NODEJS", "JAVA", "GO", "DOTNET", "RUBY", "PROVIDED")
SIMPLE_ESCAPES = {
    "\\": "\\",
    "'": "'",
    '"': '"',
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
}


# -- decoding a literal with a map back to its source --------------------------------------------


def decode(body: str, raw: bool) -> tuple[str, list[int]] | None:
    """The value of a string literal's body and, per character, the body offset where it ends.
    Character k spans ``body[ends[k-1]:ends[k]]`` (line continuations join the next character).
    None for escapes this decoder does not know."""
    out: list[str] = []
    ends: list[int] = []
    i, n = 0, len(body)
    while i < n:
        c = body[i]
        if c == "\r":
            i += 2 if body[i + 1 : i + 2] == "\n" else 1
            out.append("\n")
            ends.append(i)
            continue
        if c != "\\" or raw or i + 1 >= n:
            out.append(c)
            i += 1
            ends.append(i)
            if c == "\\" and raw and i < n:  # in a raw string a backslash protects the next char
                out.append(body[i])
                i += 1
                ends.append(i)
            continue
        nxt = body[i + 1]
        if nxt in "\r\n":
            i += 3 if body[i + 1 : i + 3] == "\r\n" else 2  # line continuation: no character
            continue
        if nxt in SIMPLE_ESCAPES:
            out.append(SIMPLE_ESCAPES[nxt])
            i += 2
        elif nxt in "01234567":
            j = i + 1
            while j < n and j < i + 4 and body[j] in "01234567":
                j += 1
            out.append(chr(int(body[i + 1 : j], 8)))
            i = j
        elif nxt in "xuU":
            width = {"x": 2, "u": 4, "U": 8}[nxt]
            digits = body[i + 2 : i + 2 + width]
            try:
                out.append(chr(int(digits, 16)))
            except ValueError:
                return None
            i += 2 + width
        elif nxt == "N":
            return None
        else:
            out.append("\\")  # unknown escape: the backslash stays
            i += 1
        ends.append(i)
    return "".join(out), ends


def encode(text: str, quote: str, raw: bool, escape_all_quotes: bool = False) -> str | None:
    """``text`` as body source of a literal delimited by ``quote``; None if it cannot be written."""
    triple = len(quote) == 3
    q = quote[0]
    if raw:
        if (not triple and ("\n" in text or q in text)) or quote in text or text.endswith("\\"):
            return None
        return text
    out: list[str] = []
    for k, c in enumerate(text):
        if c == "\\":
            out.append("\\\\")
        elif c == "\n":
            out.append("\n" if triple else "\\n")
        elif c == "\r":
            out.append("\\r")
        elif c == q:
            run_start = k
            while run_start > 0 and text[run_start - 1] == q:
                run_start -= 1
            run_end = k
            while run_end < len(text) and text[run_end] == q:
                run_end += 1
            needs = (not triple) or escape_all_quotes or run_end - run_start >= 3 or run_end == len(text)
            out.append("\\" + c if needs else c)
        elif c != "\t" and (ord(c) < 32 or ord(c) == 127):
            out.append(f"\\x{ord(c):02x}")
        else:
            out.append(c)
    return "".join(out)


# -- where the embedded code is -------------------------------------------------------------------


@dataclass
class Site:
    string: cst.SimpleString | cst.ConcatenatedString | cst.FormattedString | cst.BaseExpression
    dedent: bool = False
    languages: set[str] = field(default_factory=set)  # "python", "other"
    dynamic: bool = False  # built by an f-string / .format / %
    template: str = ""  # "{}": a str.format template, "%": a %-template ("": plain code)
    reason: str = ""  # set: the code cannot be analysed, and why


class _Finder(LazyMetadata, cst.CSTVisitor):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ParentNodeProvider)
    # LazyMetadata's table of resolved providers (cst.CSTVisitor declares a read-only Mapping)
    metadata: dict[Any, Any]

    def __init__(self) -> None:
        super().__init__()
        self.sites: dict[cst.CSTNode, Site] = {}
        self.values: dict[cst.CSTNode, list[cst.BaseExpression]] = {}
        self.functions: dict[str, list[cst.FunctionDef]] = {}

    def visit_Module(self, node: cst.Module) -> None:
        # every function and method of the module, before any call of one is met
        functions = self.functions

        class Defs(cst.CSTVisitor):
            def visit_FunctionDef(self, fn: cst.FunctionDef) -> None:
                functions.setdefault(fn.name.value, []).append(fn)

        node.visit(Defs())

    def _names(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self.get_metadata(QualifiedNameProvider, node, set())}

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            if isinstance(target.target, cst.Name):
                self.values.setdefault(target.target, []).append(node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None and isinstance(node.target, cst.Name):
            self.values.setdefault(node.target, []).append(node.value)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        attr = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if attr not in (
            "StringAsset",
            "from_inline",
            "inline",
            "InlineCode",
            "DataArchiveFile",
            "DataArchiveFileSource",
        ):
            return
        names = self._names(func)
        if names & STRING_ASSETS:
            arg = _argument(node, 0, "text")
            if arg is not None:
                self._candidate(arg, self._asset_language(node))
        elif names & CDK_INLINE:
            arg = _argument(node, 0, "code")
            if arg is not None:
                self._candidate(arg, self._runtime_language(node))
        elif any(n.startswith(ARCHIVE_PACKAGE) for n in names):
            if attr == "DataArchiveFile":
                content = _keyword(node, "source_content")
                if content is not None:
                    self._candidate(content, _file_language(_keyword(node, "source_content_filename")))
                source = _keyword(node, "source")
                if isinstance(source, (cst.List, cst.Tuple)):
                    for el in source.elements:
                        if isinstance(el.value, cst.Dict):
                            block = _dict_items(el.value)
                            if "content" in block:
                                self._candidate(block["content"], _file_language(block.get("filename")))
            elif attr == "DataArchiveFileSource":
                content = _keyword(node, "content")
                if content is not None:
                    self._candidate(content, _file_language(_keyword(node, "filename")))

    # languages from the context
    def _asset_language(self, call: cst.Call) -> str | None:
        parent = self.get_metadata(ParentNodeProvider, call, None)
        if isinstance(parent, cst.DictElement) and parent.value is call:
            language = _file_language(parent.key)
            if language:
                return language
        return self._runtime_language(call)

    def _runtime_language(self, node: cst.CSTNode) -> str | None:
        current: cst.CSTNode | None = node
        for _ in range(8):
            current = self.get_metadata(ParentNodeProvider, current, None) if current is not None else None
            if current is None:
                return None
            if isinstance(current, cst.Call):
                runtime = _keyword(current, "runtime")
                if runtime is not None:
                    return _runtime(runtime)
        return None

    def _candidate(
        self, expr: cst.BaseExpression, language: str | None, depth: int = 0, dedent: bool = False, template: str = ""
    ) -> None:
        if depth > 6:
            return
        if isinstance(expr, cst.Call) and self._names(expr.func) & DEDENT and len(expr.args) == 1:
            # dedent(CODE).format(...), or dedent(CODE.format(...)) (the same text unless a field's
            # value spans lines)
            expr, dedent = expr.args[0].value, True
        if isinstance(expr, cst.Name):
            values = self._name_values(expr)
            if values is not None and len(values) == 1:
                self._candidate(values[0], language, depth + 1, dedent, template)
            return
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
            if template or any(a.star for a in expr.args):
                self._unanalysed(expr, language, "it is formatted more than once, or with `*`/`**` arguments")
                return
            self._candidate(expr.func.value, language, depth + 1, dedent, "{}")
            return
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
            if template:
                self._unanalysed(expr, language, "it is formatted more than once")
                return
            self._candidate(expr.left, language, depth + 1, dedent, "%")
            return
        if isinstance(expr, cst.Call) and not expr.args:
            returned = self._returned(expr)
            if returned is not None:
                if isinstance(returned, str):
                    self._unanalysed(expr, language, returned)
                else:
                    self._candidate(returned, language, depth + 1, dedent, template)
            return
        if isinstance(expr, cst.SimpleString):
            site = self.sites.setdefault(expr, Site(expr, dedent, template=template))
            if site.template != template or site.dedent != dedent:
                site.reason = "the same string is used as code both as it is and as a template"
        elif isinstance(expr, cst.ConcatenatedString):
            site = self.sites.setdefault(expr, Site(expr, dedent))
        elif _dynamic(expr):
            site = self.sites.setdefault(expr, Site(expr, dedent, dynamic=True))
        else:
            return
        if language:
            site.languages.add(language)

    def _unanalysed(self, expr: cst.BaseExpression, language: str | None, reason: str) -> None:
        site = self.sites.setdefault(expr, Site(expr, reason=reason))
        if language:
            site.languages.add(language)

    def _returned(self, call: cst.Call) -> cst.BaseExpression | str | None:
        """What a call of a function or method of this module (``helper()``, ``self.helper()``)
        returns: its one returned expression; a reason when it is defined here but cannot be
        followed; None when it is not a function of this module (nothing to say)."""
        func = call.func
        if isinstance(func, cst.Name):
            name = func.value
        elif (
            isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in ("self", "cls")
        ):
            name = func.attr.value
        else:
            return None
        defs = self.functions.get(name)
        if not defs:
            return None
        code = f"`{_code_of(call)}`"
        if len(defs) != 1:
            return f"it is returned by {code}, defined more than once in this module"
        returns = [r for r in _own_returns(defs[0].body) if r.value is not None]
        if len(returns) != 1:
            return f"it is returned by {code}, which has more than one `return`"
        return returns[0].value

    def _name_values(self, name: cst.Name) -> list[cst.BaseExpression] | None:
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return None
        for access in scope.accesses[name.value]:
            if access.node is name:
                out: list[cst.BaseExpression] = []
                for ref in access.referents:
                    if not isinstance(ref, Assignment) or ref.node not in self.values:
                        return None
                    out.extend(self.values[ref.node])
                return out
        return None


def _code_of(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _own_returns(node: cst.CSTNode) -> list[cst.Return]:
    """The ``return`` statements of a function body (not of functions or classes nested in it)."""
    found: list[cst.Return] = []

    class Collect(cst.CSTVisitor):
        def visit_Return(self, ret: cst.Return) -> None:
            found.append(ret)

        def visit_FunctionDef(self, _node: cst.FunctionDef) -> bool:
            return False

        def visit_ClassDef(self, _node: cst.ClassDef) -> bool:
            return False

        def visit_Lambda(self, _node: cst.Lambda) -> bool:
            return False

    node.visit(Collect())
    return found


def _unescape(text: str, style: str) -> tuple[str, list[int]] | None:
    """A template's text with its escapes undone (``{{`` -> ``{``, ``}}`` -> ``}``; ``%%`` ->
    ``%``), fields kept as written, and for each character the index in ``text`` where it starts
    (one extra entry: the end). None for a malformed template."""
    out: list[str] = []
    where: list[int] = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if style == "{}" and c in "{}":
            if text[i : i + 2] in ("{{", "}}"):
                out.append(c)
                where.append(i)
                i += 2
                continue
            if c == "}":
                return None
            close = text.find("}", i)
            if close < 0 or "{" in text[i + 1 : close]:
                return None  # nested fields
            for k in range(i, close + 1):
                out.append(text[k])
                where.append(k)
            i = close + 1
            continue
        if style == "%" and c == "%":
            if text[i : i + 2] == "%%":
                out.append("%")
                where.append(i)
                i += 2
                continue
            if i + 1 >= n:
                return None
        out.append(c)
        where.append(i)
        i += 1
    where.append(n)
    return "".join(out), where


def _template_rewrite(text: str, unescaped: str, where: list[int], new: str, style: str) -> str | None:
    """``text`` (a template) with the changes that turned ``unescaped`` into ``new``, or None
    when a changed region holds a character the template treats specially."""
    special = "{}" if style == "{}" else "%"
    out: list[str] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(a=unescaped, b=new, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(text[where[i1] : where[i2]])
            continue
        if any(c in special for c in unescaped[i1:i2] + new[j1:j2]):
            return None
        out.append(new[j1:j2])
    out.append(text[where[len(unescaped)] :])
    return "".join(out)


def _template_position(unescaped: str, where: list[int], text: str, pos: Position) -> Position:
    """A (1-based) position in the unescaped text as a position in the template ``text``."""
    starts = _line_starts(unescaped)
    line = min(max(pos.line, 1), len(starts))
    char = min(starts[line - 1] + max(pos.column - 1, 0), len(unescaped))
    index = where[char]
    before = text[:index]
    return Position(before.count("\n") + 1, index - (before.rfind("\n") + 1) + 1)


def _argument(call: cst.Call, position: int, name: str) -> cst.BaseExpression | None:
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if len(positional) > position:
        return positional[position].value
    return _keyword(call, name)


def _keyword(call: cst.Call, name: str) -> cst.BaseExpression | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg.value
    return None


def _dict_items(node: cst.Dict) -> dict[str, cst.BaseExpression]:
    out: dict[str, cst.BaseExpression] = {}
    for el in node.elements:
        if isinstance(el, cst.DictElement) and isinstance(el.key, cst.SimpleString):
            key = el.key.evaluated_value
            if isinstance(key, str):
                out[key] = el.value
    return out


def _file_language(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        name = node.evaluated_value
        if "." not in name.rsplit("/", 1)[-1] or name.endswith("/"):
            return None
        return "python" if name.endswith(".py") else "other"
    return None


def _runtime(node: cst.BaseExpression) -> str | None:
    if isinstance(node, cst.SimpleString) and isinstance(node.evaluated_value, str):
        return "python" if node.evaluated_value.lower().startswith("python") else "other"
    if isinstance(node, cst.Attribute):
        name = node.attr.value.upper()
        if name.startswith("PYTHON"):
            return "python"
        if name.startswith(OTHER_RUNTIMES):
            return "other"
    return None


def _dynamic(expr: cst.BaseExpression) -> bool:
    if isinstance(expr, cst.FormattedString):
        return True
    if isinstance(expr, cst.ConcatenatedString):
        return True  # only reached when a part is an f-string
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
        return isinstance(expr.func.value, (cst.SimpleString, cst.ConcatenatedString))
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        return isinstance(expr.left, (cst.SimpleString, cst.ConcatenatedString))
    return False


def _static_text(expr: cst.CSTNode) -> str:
    """The literal text parts of a dynamic string, for the trigger check."""
    parts: list[str] = []

    class Collect(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString) -> None:
            parts.append(node.value)

        def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
            parts.append(node.value)

    expr.visit(Collect())
    return "".join(parts)


# -- one literal ------------------------------------------------------------------------------------


@dataclass
class _Literal:
    """A simple string literal, decoded, with the means to map positions back to the outer file."""

    node: cst.SimpleString
    start: Position  # of the literal in the outer file (1-based column)
    prefix: str
    quote: str
    body: str
    text: str  # evaluated value
    ends: list[int]

    @property
    def raw(self) -> bool:
        return "r" in self.prefix.lower()

    def body_offset(self, char: int) -> int:
        """Body offset of the start of evaluated character ``char``."""
        if char <= 0:
            return 0
        return self.ends[min(char, len(self.ends)) - 1]

    def outer(self, body_offset: int) -> Position:
        before = self.body[:body_offset]
        newlines = before.count("\n")
        if newlines == 0:
            return Position(self.start.line, self.start.column + len(self.prefix) + len(self.quote) + body_offset)
        return Position(self.start.line + newlines, len(before) - before.rfind("\n"))


def _literal(node: cst.SimpleString, start: Position) -> _Literal | None:
    value = node.value
    prefix = node.prefix
    if "b" in prefix.lower() or "f" in prefix.lower():
        return None
    quote = node.quote
    body = value[len(prefix) + len(quote) : len(value) - len(quote)]
    decoded = decode(body, "r" in prefix.lower())
    if decoded is None or decoded[0] != node.evaluated_value:
        return None
    return _Literal(node, start, prefix, quote, body, decoded[0], decoded[1])


def _dedent_map(text: str) -> tuple[str, list[int]]:
    """textwrap.dedent(text) and, per line of ``text``, how many leading characters it removed
    (whitespace-only lines lose all their whitespace)."""
    new = textwrap.dedent(text)
    margin = _margin(text, new)
    removed = []
    for line in text.splitlines(keepends=True):
        content = line.rstrip("\r\n")
        removed.append(len(content) if not content.strip() else len(margin))
    return new, removed


def _margin(text: str, dedented: str) -> str:
    for old, new in zip(text.splitlines(), dedented.splitlines()):
        if new.strip():
            return old[: len(old) - len(new)]
    return ""


def _line_starts(text: str) -> list[int]:
    starts = [0]
    for line in text.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    return starts


def _index_map(text: str, removed: list[int]) -> list[int]:
    """For each character of the (dedented) embedded code, its index in the literal's value;
    one extra entry for the end."""
    out: list[int] = []
    position = 0
    for number, line in enumerate(text.splitlines(keepends=True)):
        position += removed[number] if number < len(removed) else 0
        for _ in line:
            out.append(position)
            position += 1
    out.append(position)
    return out


def _rewrite(lit: _Literal, old: str, new: str, removed: list[int], dedent: bool) -> str | None:
    """New literal source: unchanged text keeps its source (escapes and all), changed text is
    encoded in the literal's quoting style."""
    margin = _margin(lit.text, old) if dedent else ""
    index = _index_map(old, removed)
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    old_starts = _line_starts(old)

    def source(i: int, j: int) -> str:
        """Body source of old characters [i, j)."""
        if j <= i:
            return ""
        return lit.body[lit.body_offset(index[i]) : lit.body_offset(index[j - 1] + 1)]

    def line_prefix(a: int) -> str:
        """Body source of the margin dedent removed from old line ``a``."""
        start = old_starts[a]
        return lit.body[
            lit.body_offset(index[start] - (removed[a] if a < len(removed) else 0)) : lit.body_offset(index[start])
        ]

    for escape_all in (False, True):
        pieces: list[str] = []

        def emit(chunk: str) -> bool:
            encoded = encode(chunk, lit.quote, lit.raw, escape_all)  # noqa: B023 (used within this iteration only)
            if encoded is None:
                return False
            pieces.append(encoded)  # noqa: B023 (used within this iteration only)
            return True

        ok = True
        for op, a1, a2, b1, b2 in difflib.SequenceMatcher(a=old_lines, b=new_lines, autojunk=False).get_opcodes():
            if op == "equal":
                pieces.append(line_prefix(a1) + source(old_starts[a1], old_starts[a2]))
            elif op == "replace" and a2 - a1 == b2 - b1:
                for a, b in zip(range(a1, a2), range(b1, b2)):
                    old_line, new_line = old_lines[a], new_lines[b]
                    if new_line.strip():
                        pieces.append(line_prefix(a) if old_line.strip() else "")
                        if not old_line.strip() and margin and not emit(margin):
                            ok = False
                    base = old_starts[a]
                    chars = difflib.SequenceMatcher(a=old_line, b=new_line, autojunk=False)
                    for cop, i1, i2, j1, j2 in chars.get_opcodes():
                        if cop == "equal":
                            pieces.append(source(base + i1, base + i2))
                        elif j2 > j1 and not emit(new_line[j1:j2]):
                            ok = False
            elif b2 > b1:
                chunk = "".join(margin + line if (margin and line.strip()) else line for line in new_lines[b1:b2])
                ok = emit(chunk) and ok
        if not ok:
            continue
        # what the literal holds after the code (dedent's trailing whitespace-only line)
        pieces.append(lit.body[lit.body_offset(index[-1]) :])
        literal = lit.prefix + lit.quote + "".join(pieces) + lit.quote
        try:
            value = ast.literal_eval(literal)
        except (SyntaxError, ValueError):
            continue
        if (textwrap.dedent(value) if dedent else value) == new:
            return literal
    return None


# -- the pass ---------------------------------------------------------------------------------------


class InlineCode:
    """The inline-code pass (an ``iacmod.passes.ModulePass``): Python code in the module's
    string literals, fixed by the rules that its text triggers."""

    name = "inline-code"  # named in errors like a rule

    def run(self, given: PassInput) -> PassResult:
        return fix_embedded(given.module, given.settings, given.path, given.wrapper, given.code)


INLINE_CODE = InlineCode()


def _triggered(rules: Sequence[type[Rule]], text: str) -> list[type[Rule]]:
    return [r for r in rules if r.triggered_by(text)]


def _strings_with_triggers(module: cst.Module, rules: Sequence[type[Rule]]) -> bool:
    """Whether any string literal of the module contains a trigger (a cheap walk, no metadata)."""
    found = False

    class Look(cst.CSTVisitor):
        def visit_SimpleString(self, node: cst.SimpleString | cst.FormattedStringText) -> None:
            nonlocal found
            if not found and any(r.triggered_by(node.value) for r in rules):
                found = True

        def visit_FormattedStringText(self, node: cst.FormattedStringText) -> None:
            self.visit_SimpleString(node)

        def visit_Call(self, node: cst.Call) -> bool:
            return not found

    module.visit(Look())
    return found


def fix_embedded(
    module: cst.Module,
    settings: Settings,
    path: str,
    wrapper: MetadataWrapper | None = None,
    code: str | None = None,
) -> PassResult:
    """Replacements for the string literals of ``module`` that hold Python code the rules fix,
    the findings in that code (located in ``code``, the module's source) and its errors.
    ``wrapper``: the rules' wrapper of this very module, whose metadata is reused."""
    if code is None:
        code = module.code
    if not any(m in code for m in MARKERS) or not _triggered(settings.rules, code):
        return PassResult()
    rules = _triggered(settings.rules, code)
    if not _strings_with_triggers(module, rules):
        return PassResult()  # the triggers are in the outer code, not in a string
    if wrapper is None or wrapper.module is not module:
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)  # read only: nodes are not mutated
    finder = _Finder()
    wrapper.visit(finder)
    if not finder.sites:
        return PassResult()
    positions: Mapping[cst.CSTNode, CodeRange] = locate(with_source(wrapper, code), set(finder.sites))
    if not set(finder.sites) <= positions.keys():
        positions = resolve_metadata(wrapper, PositionProvider)
    sup = suppress.parse_python(code)
    findings: list[Finding] = []
    errors: list[FileError] = []
    changes: dict[cst.CSTNode, cst.CSTNode] = {}

    def note(rule: type[Rule], span: Span, message: str) -> None:
        if not sup.covers(rule.code, rule.name, span.start.line, span.end.line):
            findings.append(Finding(rule.code, rule.name, message, path, span, FixSafety.NONE, severity=rule.severity))

    def unanalysed(span: Span, why: str) -> None:
        """The pass's own finding: inline code the rules could not look at."""
        name = INLINE_CODE.name
        if not sup.covers(name, name, span.start.line, span.end.line):
            findings.append(
                Finding(
                    name,
                    name,
                    f"inline handler code could not be analysed: {why}; ship the handler as "
                    "a file, or build it from one plain string literal, to have it checked",
                    path,
                    span,
                    FixSafety.NONE,
                    severity=Severity.INFO,
                )
            )

    for node, site in finder.sites.items():
        if "other" in site.languages and "python" not in site.languages:
            continue  # JavaScript and friends
        rng = positions[node]
        start = Position(rng.start.line, rng.start.column + 1)
        span = Span(start, Position(rng.end.line, rng.end.column + 1))
        if site.reason:
            unanalysed(span, site.reason)
            continue
        if site.dynamic:
            rules = _triggered(settings.rules, _static_text(node))
            if rules:
                unanalysed(span, f"it is built by an f-string (not checked by {', '.join(r.name for r in rules)})")
            continue
        if isinstance(node, cst.ConcatenatedString):
            text = node.evaluated_value
            rules = _triggered(settings.rules, text) if isinstance(text, str) else []
            if rules:
                note(
                    rules[0],
                    span,
                    "embedded handler code in implicitly concatenated strings is not "
                    f"checked by {', '.join(r.name for r in rules)}; use one string literal",
                )
            continue
        assert isinstance(node, cst.SimpleString)
        rules = [
            r for r in _triggered(settings.rules, node.value) if not sup.covers(r.code, r.name, start.line, start.line)
        ]
        if not rules:
            continue
        lit = _literal(node, start)
        if lit is None:
            continue
        removed: list[int] = []
        text = lit.text
        if site.dedent:
            text, removed = _dedent_map(lit.text)
        template = text  # the template's text (dedented); ``text`` below is the code analysed
        where: list[int] = []
        if site.template:
            unescaped = _unescape(template, site.template)
            if unescaped is None:
                unanalysed(span, f"its {_template_kind(site.template)} cannot be read back as code")
                continue
            text, where = unescaped

        def to_literal(
            pos: Position,
            lit: _Literal = lit,
            style: str = site.template,
            text: str = text,
            where: list[int] = where,
            template: str = template,
            removed: list[int] = removed,
        ) -> Position:
            if style:
                pos = _template_position(text, where, template, pos)
            return _map(lit, template, removed, pos)

        rules = _triggered(rules, text)
        if not rules:
            continue
        if site.template:
            try:
                compile(text, path, "exec", dont_inherit=True)
            except (SyntaxError, ValueError) as exc:
                unanalysed(
                    span,
                    f"its {_template_kind(site.template)} is not Python once its escapes are "
                    f"undone ({getattr(exc, 'msg', exc)}, line {getattr(exc, 'lineno', '?')})",
                )
                continue
        try:
            # no module passes in the embedded code: code inlined in inlined code is not searched
            inner = replace(settings, rules=tuple(rules), passes=())
            result = fix_module_source(text, inner, path, embedded=True, rules=rules)
        except RuleCrash:
            raise  # a bug in a rule, reported for the whole file by the engine
        except Exception as exc:  # noqa: BLE001 - code that does not parse is reported, not fatal
            line = getattr(exc, "raw_line", None) or getattr(exc, "lineno", None) or 1
            try:  # Python's own parser names the line that is wrong, LibCST the token after it
                compile(text, path, "exec", dont_inherit=True)
            except SyntaxError as syntax:
                line = syntax.lineno or line
            except Exception:  # noqa: BLE001
                pass
            at = to_literal(Position(line, 1))
            detail = getattr(exc, "message", None) or str(exc).splitlines()[0] if str(exc) else type(exc).__name__
            note(
                rules[0],
                Span(at, at),
                f"embedded handler code does not parse as Python ({detail}); not checked by "
                f"{', '.join(r.name for r in rules)}. If it is Python, the Lambda will fail to load it",
            )
            continue
        for finding in result.findings:
            mapped = Span(to_literal(finding.span.start), to_literal(finding.span.end))
            findings.append(replace(finding, span=mapped))
        for error in result.errors:
            errors.append(replace(error, line=to_literal(Position(error.line, 1)).line))
        if result.new_code is None:
            continue
        new_code: str | None = result.new_code
        if site.template:
            new_code = _template_rewrite(template, text, where, result.new_code, site.template)
            if new_code is None:
                findings = [replace(f, fixed=False) if _inside(f.span, span) else f for f in findings]
                unanalysed(
                    span,
                    f"the fix changes text next to the {_template_kind(site.template)}'s "
                    "fields or escapes, so it cannot be written into the template exactly; fix it by hand",
                )
                continue
        source = _rewrite(lit, template, new_code, removed, site.dedent) if new_code is not None else None
        if source is None:
            # keep the literal; its findings are not fixed
            findings = [replace(f, fixed=False) if _inside(f.span, span) else f for f in findings]
            note(
                rules[0],
                span,
                "embedded handler code: the fix cannot be written back into this "
                "string literal (its quoting cannot express the new code); fix it by hand",
            )
            continue
        changes[node] = node.with_changes(value=source)

    # the engine applies the replacements with the rules' fixes and validates the result
    return PassResult(changes, findings, errors)


def _template_kind(style: str) -> str:
    return "`.format` template" if style == "{}" else "`%` template"


def _inside(inner: Span, outer: Span) -> bool:
    return outer.start <= inner.start and inner.end <= outer.end


def _map(lit: _Literal, text: str, removed: list[int], pos: Position) -> Position:
    """A (1-based) position in the embedded ``text`` to the outer file."""
    lines = text.splitlines(keepends=True) or [""]
    line = min(max(pos.line, 1), len(lines))
    starts = _line_starts(lit.text)
    column = pos.column - 1 + (removed[line - 1] if line - 1 < len(removed) else 0)
    char = starts[min(line - 1, len(starts) - 1)] + max(column, 0)
    return lit.outer(lit.body_offset(min(char, len(lit.text))))
