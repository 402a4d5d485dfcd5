"""``# iacmod: ignore`` and ``# iacmod: ignore[CODE-or-name, …]`` comments."""

from __future__ import annotations

import io
import re
import tokenize
from dataclasses import dataclass

DIRECTIVE = re.compile(r"#\s*iacmod:\s*ignore(?:\[(?P<keys>[^\]]*)\])?", re.IGNORECASE)
MARKER = "iacmod:"


@dataclass(frozen=True)
class Suppressions:
    """Per line: the rule keys suppressed there (None: every rule). ``own_line`` lines hold
    nothing but the comment and also cover the next line."""

    trailing: dict[int, frozenset[str] | None]
    own_line: dict[int, frozenset[str] | None]

    def covers(self, code: str, name: str, start_line: int, end_line: int) -> bool:
        candidates = [self.trailing.get(start_line, False), self.trailing.get(end_line, False)]
        candidates.append(self.own_line.get(start_line - 1, False))
        for keys in candidates:
            if keys is False:
                continue
            if keys is None or code in keys or name in keys:
                return True
            if any(code.startswith(k) for k in keys if k[:3].isalpha() and k.isupper()):
                return True
        return False


EMPTY = Suppressions({}, {})


def _keys(match: re.Match[str]) -> frozenset[str] | None:
    raw = match.group("keys")
    if raw is None:
        return None
    return frozenset(k.strip() for k in raw.split(",") if k.strip())


def parse_python(code: str) -> Suppressions:
    """Suppression comments of Python source (only real comments, not text in strings)."""
    if MARKER not in code:
        return EMPTY
    trailing: dict[int, frozenset[str] | None] = {}
    own_line: dict[int, frozenset[str] | None] = {}
    lines = code.splitlines()
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(code).readline))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return parse_text(code)
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        match = DIRECTIVE.search(tok.string)
        if not match:
            continue
        line = tok.start[0]
        text = lines[line - 1] if line - 1 < len(lines) else ""
        target = own_line if text[: tok.start[1]].strip() == "" else trailing
        target[line] = _merge(target.get(line, False), _keys(match))
    return Suppressions(trailing, own_line)


def parse_text(text: str, comment: str = "#") -> Suppressions:
    """Suppression comments of a line-oriented text (YAML, or Python that does not tokenize)."""
    if MARKER not in text:
        return EMPTY
    trailing: dict[int, frozenset[str] | None] = {}
    own_line: dict[int, frozenset[str] | None] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = DIRECTIVE.search(line)
        if not match:
            continue
        target = own_line if line.lstrip().startswith(comment) else trailing
        target[number] = _merge(target.get(number, False), _keys(match))
    return Suppressions(trailing, own_line)


def _merge(old: frozenset[str] | None | bool, new: frozenset[str] | None) -> frozenset[str] | None:
    if old is False:
        return new
    if old is None or new is None:
        return None
    return old | new  # type: ignore[operator]
