"""SARIF 2.1.0: rules with their pages, results with levels and regions, and fixes.

Each fix the engine would apply (``check``, ``apply --dry-run``) becomes a SARIF ``fix`` with
``artifactChanges`` whose ``replacements`` are the minimal changed regions of the file (see
:func:`iacmod.formats.fix_edits`): one fix per finding when the changes can be told apart,
else one fix of the whole file attached to each fixed finding of the file (its description says
so). Columns count Unicode code points (``columnKind``). Validated against the OASIS schema in
``tests/test_formats.py``.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from typing import Any

from iacmod import __version__
from iacmod.findings import FileResult, Finding, FixSafety, Severity
from iacmod.formats import Edit, FileFixes, fingerprint, fix_edits, line_col, reported, rule_url, source_lines

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}


def _text(value: str) -> dict[str, str]:
    return {"text": value}


def _rule_descriptor(code: str, name: str) -> dict[str, Any]:
    from iacmod.registry import SelectionError, rule_by_name

    try:
        rule = rule_by_name(code)
    except SelectionError:  # a rule outside the registry (tests): what the finding says
        return {"id": code, "name": name, "shortDescription": _text(name), "helpUri": rule_url(name)}
    from iacmod.docs import rule_page

    page = rule_page(rule)
    rationale = " ".join(str(getattr(rule, "rationale", "") or rule.summary).split())
    return {
        "id": rule.code,
        "name": rule.name,
        "shortDescription": _text(rule.summary),
        "fullDescription": _text(rationale or rule.summary),
        "help": {"text": page, "markdown": page},
        "helpUri": rule_url(rule.name),
        "defaultConfiguration": {"level": LEVELS[rule.severity]},
        "properties": {
            "severity": rule.severity.value,
            "fix": rule.fix_availability.value,
            "tags": sorted(rule.targets),
        },
    }


def _region(text: str, start: int, end: int) -> dict[str, int]:
    sl, sc = line_col(text, start)
    el, ec = line_col(text, end)
    return {
        "startLine": sl,
        "startColumn": sc,
        "endLine": el,
        "endColumn": ec,
        "charOffset": start,
        "charLength": end - start,
    }


def _fix(uri: str, old: str, edits: list[Edit], description: str) -> dict[str, Any]:
    return {
        "description": _text(description),
        "artifactChanges": [
            {
                "artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"},
                "replacements": [
                    {"deletedRegion": _region(old, e.start, e.end), "insertedContent": _text(e.text)} for e in edits
                ],
            }
        ],
    }


def _result(
    finding: Finding, uri: str, rule_index: int, fixes: list[dict[str, Any]], mode: str, fingerprint: str
) -> dict[str, Any]:
    region: dict[str, int] = {"startLine": finding.span.start.line, "startColumn": finding.span.start.column}
    end = finding.span.end
    if (end.line, end.column) >= (finding.span.start.line, finding.span.start.column):
        region.update(endLine=end.line, endColumn=end.column)
    out: dict[str, Any] = {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": _text(finding.message),
        "locations": [
            {"physicalLocation": {"artifactLocation": {"uri": uri, "uriBaseId": "%SRCROOT%"}, "region": region}}
        ],
        # the same key as the GitLab report's: stable when lines move (code scanning tracks alerts by it)
        "partialFingerprints": {"iacmodFingerprint/v1": fingerprint},
        "properties": {
            "severity": finding.severity.value,
            "fixSafety": finding.safety.value,
            "fixedByApply": finding.fixed if mode != "apply" else False,
        },
    }
    if fixes:
        out["fixes"] = fixes
    return out


def sarif_report(results: Sequence[FileResult], *, mode: str) -> str:
    from iacmod.report import display_path

    rows = reported(results, mode)
    descriptors: list[dict[str, Any]] = []
    index: dict[str, int] = {}
    from iacmod.registry import all_rules

    for rule in all_rules():
        index[rule.code] = len(descriptors)
        descriptors.append(_rule_descriptor(rule.code, rule.name))
    for _, f in rows:
        if f.code not in index:
            index[f.code] = len(descriptors)
            descriptors.append(_rule_descriptor(f.code, f.rule))
    edits: dict[int, FileFixes | None] = {}
    results_out = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for result, finding in rows:
        uri = display_path(finding.path)
        source = source_lines(result, finding, written=mode == "apply")
        occurrence = seen[(uri, finding.code, source)]
        seen[(uri, finding.code, source)] += 1
        fixes: list[dict[str, Any]] = []
        if mode != "apply" and finding.fixed:
            key = id(result)
            if key not in edits:
                edits[key] = fix_edits(result)
            ff = edits[key]
            if ff is not None:
                i = result.findings.index(finding)
                if ff.per_finding.get(i):
                    fixes.append(_fix(uri, ff.old, ff.per_finding[i], f"{finding.code} {finding.rule}: apply the fix"))
                elif ff.per_file:
                    fixes.append(
                        _fix(
                            uri,
                            ff.old,
                            ff.per_file,
                            "All of iacmod's fixes to this file; they cannot be applied separately",
                        )
                    )
        results_out.append(
            _result(finding, uri, index[finding.code], fixes, mode, fingerprint(uri, finding, source, occurrence))
        )
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "iacmod",
                        "version": __version__,
                        "informationUri": rule_url("README").rsplit("/", 1)[0] + "/README.md",
                        "rules": descriptors,
                    }
                },
                "columnKind": "unicodeCodePoints",
                "originalUriBaseIds": {"%SRCROOT%": {"description": _text("The directory iacmod ran in.")}},
                "results": results_out,
                "properties": {"mode": mode},
            }
        ],
    }
    return json.dumps(log, indent=2)


__all__ = ["sarif_report", "LEVELS", "FixSafety"]
