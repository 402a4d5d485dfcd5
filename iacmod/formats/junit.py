"""JUnit XML: one ``testsuite`` per rule that reported, one ``testcase`` with a ``failure`` per
finding (name: ``path:line:col``), and a ``testsuite`` "iacmod.errors" for files that could not
be processed. CI systems (GitLab, Jenkins, Azure) show them as failed tests."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.etree import ElementTree as ET

if TYPE_CHECKING:
    from iacmod.findings import Finding

from iacmod.findings import FileResult
from iacmod.formats import reported, rule_url


def junit_report(results: Sequence[FileResult], *, mode: str) -> str:
    from iacmod.report import display_path, text_line

    rows = reported(results, mode)
    by_rule: dict[tuple[str, str], list[Finding]] = {}
    for _, f in rows:
        by_rule.setdefault((f.code, f.rule), []).append(f)
    errors = [e for r in results for e in r.errors]
    root = ET.Element(
        "testsuites",
        name="iacmod",
        tests=str(len(rows) + len(errors)),
        failures=str(len(rows)),
        errors=str(len(errors)),
    )
    for (code, name), findings in sorted(by_rule.items()):
        suite = ET.SubElement(
            root,
            "testsuite",
            name=f"{code} {name}",
            tests=str(len(findings)),
            failures=str(len(findings)),
            errors="0",
            skipped="0",
        )
        for f in findings:
            where = f"{display_path(f.path)}:{f.line}:{f.column}"
            case = ET.SubElement(
                suite, "testcase", name=where, classname=f"iacmod.{name}", file=display_path(f.path), line=str(f.line)
            )
            failure = ET.SubElement(case, "failure", message=f.message, type=f.severity.value)
            failure.text = f"{text_line(f, mode)}\n{rule_url(name)}"
    if errors:
        suite = ET.SubElement(
            root,
            "testsuite",
            name="iacmod.errors",
            tests=str(len(errors)),
            failures="0",
            errors=str(len(errors)),
            skipped="0",
        )
        for e in errors:
            case = ET.SubElement(
                suite,
                "testcase",
                name=f"{display_path(e.path)}:{e.line}",
                classname="iacmod.errors",
                file=display_path(e.path),
                line=str(e.line),
            )
            ET.SubElement(case, "error", message=e.message, type="error").text = e.message
    ET.indent(root)
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
