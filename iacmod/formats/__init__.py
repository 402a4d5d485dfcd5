"""Machine-readable reports built from one run's findings: SARIF 2.1.0 (:mod:`.sarif`), JUnit XML
(:mod:`.junit`) and GitLab Code Quality JSON (:mod:`.gitlab`).

What they share lives here: which findings a report lists for each mode (:func:`reported`), the
link to a rule's page (:data:`RULE_DOCS_BASE_URL`), a fingerprint of a finding that survives
line shifts (:func:`fingerprint`) and the replaced regions of the engine's fixes
(:func:`fix_edits`).
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

from iacmod.findings import FileResult, Finding

# The one place that says where the rule pages are published: `<base><rule-name>.md`.
RULE_DOCS_BASE_URL = "https://github.com/iacmod/iacmod/blob/main/docs/rules/"

# every --format value; the CLI rejects others with this list
FORMATS = ("text", "json", "github", "sarif", "junit", "gitlab")


def rule_url(name: str) -> str:
    return f"{RULE_DOCS_BASE_URL}{name}.md"


def reported(results: Sequence[FileResult], mode: str) -> list[tuple[FileResult, Finding]]:
    """The findings a report lists, located in the text they refer to.

    ``check`` and ``dry-run``: every finding, in the file as it is on disk (``fixed`` then means
    that ``apply`` would fix it). ``apply``: the findings that remain, at their lines in the
    written file."""
    from iacmod import api

    out: list[tuple[FileResult, Finding]] = []
    for result in results:
        if mode == "apply":
            out += [(result, f) for f in api.as_written(result) if not f.fixed]
        else:
            out += [(result, f) for f in result.findings]
    return out


_SPACE = re.compile(r"\s+")


def source_lines(result: FileResult, finding: Finding, *, written: bool = False) -> str:
    """The text of the finding's lines (start to end line), whitespace-normalised."""
    data = result.new_source if written and result.new_source is not None else result.old_source
    if data is None:
        return ""
    lines = data.decode("utf-8", errors="replace").splitlines()
    chunk = lines[finding.span.start.line - 1 : max(finding.span.end.line, finding.span.start.line)]
    return _SPACE.sub(" ", " ".join(chunk)).strip()


class _Coded(Protocol):
    @property
    def code(self) -> str: ...


def fingerprint(path: str, finding: _Coded, source: str, occurrence: int = 0) -> str:
    """A hash of path, rule and the normalised source of the finding's lines (and which of the
    identical ones it is): stable when lines are added or removed elsewhere in the file."""
    key = "\0".join([path, finding.code, source, str(occurrence)])
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


# -- fixes as replaced regions ------------------------------------------------------------------


@dataclass(frozen=True)
class Edit:
    """Replace ``old[start:end]`` (character offsets in the file as it is on disk) by ``text``."""

    start: int
    end: int
    text: str


def line_col(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column (code points) of a character offset."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _offset(text: str, line: int, column: int, starts: list[int]) -> int:
    if line - 1 >= len(starts):
        return len(text)
    return min(starts[line - 1] + max(column - 1, 0), len(text))


def _edits(old: str, new: str) -> list[Edit]:
    """The minimal changed regions: a line diff, each hunk trimmed to the characters that differ."""
    a, b = old.splitlines(keepends=True), new.splitlines(keepends=True)
    starts = [0]
    for line in a:
        starts.append(starts[-1] + len(line))
    edits: list[Edit] = []

    def add(i1: int, i2: int, j1: int, j2: int) -> None:
        gone, put = "".join(a[i1:i2]), "".join(b[j1:j2])
        head = 0
        while head < min(len(gone), len(put)) and gone[head] == put[head]:
            head += 1
        tail = 0
        while tail < min(len(gone), len(put)) - head and gone[-1 - tail] == put[-1 - tail]:
            tail += 1
        edits.append(Edit(starts[i1] + head, starts[i2] - tail, put[head : len(put) - tail]))

    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            for k in range(i2 - i1):  # line for line: adjacent fixes stay apart
                if a[i1 + k] != b[j1 + k]:
                    add(i1 + k, i1 + k + 1, j1 + k, j1 + k + 1)
        else:
            add(i1, i2, j1, j2)
    return edits


@dataclass(frozen=True)
class FileFixes:
    """The edits of one file's fixes: ``per_finding`` maps each fixed finding (by index in the
    file's findings) to its own edits when they can be told apart; otherwise ``per_file`` holds
    all of the file's edits (one fix that applies them together)."""

    old: str
    per_finding: dict[int, list[Edit]]
    per_file: list[Edit]


def fix_edits(result: FileResult) -> FileFixes | None:
    """Split the engine's change to a file into the fixes of its findings.

    Each changed region is given to the fixed finding whose span it overlaps. When every region
    has exactly one such finding and every fixed finding has a region, the fixes are separate.
    Otherwise (an import added for two fixes, a fix that changes code away from its finding) the
    engine is run again with one fix chosen at a time (:func:`_isolated`); each finding then
    carries its own complete fix (two of them may add the same import: they are alternatives
    of their results, not one patch). Only when that fails are they one fix of the whole file."""
    if not result.changed or result.old_source is None or result.new_source is None:
        return None
    try:
        old, new = result.old_source.decode("utf-8"), result.new_source.decode("utf-8")
    except UnicodeDecodeError:
        return None
    edits = _edits(old, new)
    starts = [0]
    for line in old.splitlines(keepends=True):
        starts.append(starts[-1] + len(line))
    fixed = {
        i: (
            _offset(old, f.span.start.line, f.span.start.column, starts),
            _offset(old, f.span.end.line, f.span.end.column, starts),
        )
        for i, f in enumerate(result.findings)
        if f.fixed
    }
    per_finding: dict[int, list[Edit]] = {i: [] for i in fixed}
    separable = bool(fixed)
    for edit in edits:
        owners = [i for i, (s, e) in fixed.items() if edit.start <= e and s <= edit.end]
        if len(owners) != 1:
            separable = False
            break
        per_finding[owners[0]].append(edit)
    if separable and all(per_finding.values()):
        return FileFixes(old, per_finding, [])
    isolated = _isolated(result, old, fixed)
    if isolated is not None:
        return FileFixes(old, isolated, [])
    return FileFixes(old, {}, edits)


def _isolated(result: FileResult, old: str, fixed: dict[int, tuple[int, int]]) -> dict[int, list[Edit]] | None:
    """Each fixed finding's own change, computed by running the engine on the file with only
    that fix chosen (``api.fix_only``); None when that cannot be done (a document rule's fixes
    are not selectable, the settings cannot be found): the caller falls back to one fix of the
    file. Costs one engine run per fix, only for files whose changes could not be split."""
    from iacmod import api

    assert result.old_source is not None
    try:
        # every rule, so that the finding's rule runs whatever the selection was; only the
        # chosen fix is applied, with the options of the configuration nearest to the file
        settings, _ = api.settings_for_file(api.RunOptions(paths=(result.path,), all_rules=True), result.path)
        if settings is None:
            return None
        out: dict[int, list[Edit]] = {}
        for i in fixed:
            finding = result.findings[i]
            alone = api.fix_only(result.old_source, result.path, settings, [finding.fix_key])
            if alone.new_source is None or alone.new_source == result.old_source:
                return None
            out[i] = _edits(old, alone.new_source.decode("utf-8"))
        return out
    except Exception:  # noqa: BLE001 - a report is still written, with one fix per file
        return None
