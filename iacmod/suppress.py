"""``# iacmod: ignore`` and ``# iacmod: ignore[CODE-or-name, …]`` comments.

A directive is ``# iacmod: ignore`` (every rule) or ``# iacmod: ignore[KEYS]`` with the keys
(rule codes, names or code prefixes such as ``IAC1``) directly after ``ignore``. Anything else
after ``iacmod: ignore`` — ``ignore [IAC101]`` with a space, an unclosed or empty bracket,
``ignore-all`` — is *malformed*: it suppresses nothing (it used to suppress every rule) and
:func:`lint` reports it, as it reports keys that name no rule. :func:`unused` finds directives
(or keys of one) that suppressed nothing, as Ruff's RUF100.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from iacmod.findings import FileResult
    from iacmod.rule import Rule

# `iacmod: ignore` then: the end, whitespace not followed by "[", "#", or a closed bracket
DIRECTIVE = re.compile(r"#\s*iacmod:\s*ignore(?:\[(?P<keys>[^\]]*)\])?(?=\s*$|\s+[^\s\[]|\s*#)", re.IGNORECASE)
ANY_DIRECTIVE = re.compile(r"#\s*iacmod:\s*ignore", re.IGNORECASE)
MARKER = "iacmod:"

# Set by `unused` while it re-runs a file: every suppression comment is then ignored.
DISABLED = False


@dataclass(frozen=True)
class Suppressions:
    """Per line: the rule keys suppressed there (None: every rule). ``own_line`` lines hold
    nothing but the comment and also cover the next line."""

    trailing: dict[int, frozenset[str] | None]
    own_line: dict[int, frozenset[str] | None]

    def covers(self, code: str, name: str, start_line: int, end_line: int) -> bool:
        return bool(self.matches(code, name, start_line, end_line))

    def matches(self, code: str, name: str, start_line: int, end_line: int) -> list[tuple[int, str | None]]:
        """(comment line, key) of every directive that suppresses the finding (key None: all)."""
        candidates = [
            (start_line, self.trailing.get(start_line, False)),
            (end_line, self.trailing.get(end_line, False)),
            (start_line - 1, self.own_line.get(start_line - 1, False)),
        ]
        out: list[tuple[int, str | None]] = []
        for line, keys in candidates:
            if keys is False:
                continue
            if keys is None:
                out.append((line, None))
                continue
            for k in keys:  # type: ignore[union-attr]
                if k in (code, name) or (k[:3].isalpha() and k.isupper() and code.startswith(k)):
                    out.append((line, k))
        return out


EMPTY = Suppressions({}, {})


def _keys(match: re.Match[str]) -> frozenset[str] | None:
    raw = match.group("keys")
    if raw is None:
        return None
    return frozenset(k.strip() for k in raw.split(",") if k.strip())


def _comments(code: str) -> Iterable[tuple[int, int, str]] | None:
    """(line, column, text) of every comment of Python source; None when it does not tokenize."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return None
    return [(t.start[0], t.start[1], t.string) for t in tokens if t.type == tokenize.COMMENT]


def _text_comments(text: str, comment: str = "#") -> list[tuple[int, int, str]]:
    out = []
    for number, line in enumerate(text.splitlines(), start=1):
        at = line.find(comment)
        if at >= 0 and MARKER in line:
            out.append((number, at, line[at:]))
    return out


def _build(comments: Iterable[tuple[int, int, str]], text: str) -> Suppressions:
    trailing: dict[int, frozenset[str] | None] = {}
    own_line: dict[int, frozenset[str] | None] = {}
    lines = text.splitlines()
    for line, column, string in comments:
        match = DIRECTIVE.search(string)
        if not match or (match.group("keys") is not None and not _keys(match)):
            continue
        source = lines[line - 1] if line - 1 < len(lines) else ""
        target = own_line if source[:column].strip() == "" else trailing
        target[line] = _merge(target.get(line, False), _keys(match))
    return Suppressions(trailing, own_line)


def parse_python(code: str) -> Suppressions:
    """Suppression comments of Python source (only real comments, not text in strings)."""
    if DISABLED or MARKER not in code:
        return EMPTY
    comments = _comments(code)
    if comments is None:
        return parse_text(code)
    return _build(comments, code)


def parse_text(text: str, comment: str = "#") -> Suppressions:
    """Suppression comments of a line-oriented text (YAML, or Python that does not tokenize)."""
    if DISABLED or MARKER not in text:
        return EMPTY
    return _build(_text_comments(text, comment), text)


def _merge(old: frozenset[str] | None | bool, new: frozenset[str] | None) -> frozenset[str] | None:
    if old is False:
        return new
    if old is None or new is None:
        return None
    return old | new  # type: ignore[operator]


# -- checking the comments ----------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    line: int
    message: str


def _directives(text: str, python: bool) -> list[tuple[int, int, str]]:
    if MARKER not in text:
        return []
    comments = _comments(text) if python else None
    if comments is None:
        comments = _text_comments(text)
    return [c for c in comments if ANY_DIRECTIVE.search(c[2])]


def lint(
    text: str, python: bool, rules: Sequence[type[Rule]], passes: Sequence[str] = ("inline-code",)
) -> list[Problem]:
    """Malformed directives and keys that name none of ``rules`` (code, name or code prefix) nor
    a module pass whose findings carry the pass's name (``inline-code``)."""
    codes = {r.code for r in rules}
    names = {r.name for r in rules} | set(passes)
    problems: list[Problem] = []
    for line, _, string in _directives(text, python):
        match = DIRECTIVE.search(string)
        if not match or (match.group("keys") is not None and not _keys(match)):
            found = ANY_DIRECTIVE.search(string)
            assert found is not None
            problems.append(
                Problem(
                    line,
                    f"malformed suppression comment {string[found.start() :].strip()!r}: "
                    "it suppresses nothing; write `# iacmod: ignore[CODE, ...]` "
                    "(no space before the bracket) or `# iacmod: ignore`",
                )
            )
            continue
        for key in sorted(_keys(match) or ()):
            known = (
                key in codes
                or key in names
                or (key[:3].isalpha() and key.isupper() and any(c.startswith(key) for c in codes))
            )
            if not known:
                problems.append(Problem(line, f"unknown rule {key!r} in suppression comment (see `iacmod list`)"))
    return problems


def unused(
    path: Path,
    settings: Any,
    process_file: Callable[[Path, Any], FileResult],
    reported_suppressed: list[Any] | None = None,
) -> list[Problem]:
    """Directives (or keys of one) of a file that suppress no finding (Ruff's RUF100): the file
    is processed again with suppressions off, in memory (``process_file(path, settings)``:
    ``engine.process_file``, given by the caller since the engine imports this module), and each
    finding matched to the directives that covered it. Directives of rules not enabled in this
    run are unused too."""
    global DISABLED

    try:
        text = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return []
    python = path.suffix in (".py", ".pyi")
    directives = [d for d in _directives(text, python) if DIRECTIVE.search(d[2])]
    if not directives:
        return []
    sup = parse_python(text) if python else parse_text(text)
    DISABLED = True
    try:
        findings = process_file(path, settings).findings
    finally:
        DISABLED = False
    used: set[tuple[int, str | None]] = set()
    for f in findings:
        used.update(sup.matches(f.code, f.rule, f.span.start.line, f.span.end.line))
    problems = []
    for line, _, string in directives:
        match = DIRECTIVE.search(string)
        assert match is not None
        keys = _keys(match)
        if keys is None:
            if (line, None) not in used:
                problems.append(Problem(line, "unused suppression comment `# iacmod: ignore`: no finding here"))
            continue
        for key in sorted(keys):
            if (line, key) not in used:
                problems.append(Problem(line, f"unused suppression of {key!r}: no such finding here"))
    return problems
