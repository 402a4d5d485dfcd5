"""GitLab Code Quality JSON (a list of issues: description, check_name, fingerprint, severity,
location.path and location.lines.begin).

The fingerprint hashes the path, the rule and the whitespace-normalised source of the finding's
lines (plus which of identical ones it is), so it stays the same when lines are added or removed
elsewhere in the file and GitLab does not report the finding as new."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence

from iacmod.findings import FileResult, Severity
from iacmod.formats import fingerprint, reported, source_lines

SEVERITIES = {Severity.ERROR: "critical", Severity.WARNING: "major", Severity.INFO: "minor"}


def gitlab_report(results: Sequence[FileResult], *, mode: str) -> str:
    from iacmod.report import display_path

    issues = []
    seen: Counter[tuple[str, str, str]] = Counter()
    for result, f in reported(results, mode):
        path = display_path(f.path)
        source = source_lines(result, f, written=mode == "apply")
        occurrence = seen[(path, f.code, source)]
        seen[(path, f.code, source)] += 1
        issues.append(
            {
                "type": "issue",
                "description": f"{f.code} {f.rule}: {f.message}",
                "check_name": f.code,
                "categories": ["Style"] if f.severity is Severity.INFO else ["Bug Risk"],
                "fingerprint": fingerprint(path, f, source, occurrence),
                "severity": SEVERITIES[f.severity],
                "location": {"path": path, "lines": {"begin": f.line, "end": max(f.span.end.line, f.line)}},
            }
        )
    for r in results:
        for e in r.errors:
            path = display_path(e.path)
            issues.append(
                {
                    "type": "issue",
                    "description": f"iacmod could not process the file: {e.message}",
                    "check_name": "iacmod-error",
                    "categories": ["Bug Risk"],
                    "fingerprint": fingerprint(path, _Err(), e.message),
                    "severity": "blocker",
                    "location": {"path": path, "lines": {"begin": e.line}},
                }
            )
    return json.dumps(issues, indent=2)


class _Err:
    code = "iacmod-error"
