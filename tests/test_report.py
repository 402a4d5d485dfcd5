"""Reports: the dry-run diff is a patch that git applies (also on long files changed at both ends);
findings carry their severity into the JSON report."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import libcst as cst

from iacmod.engine import Settings, fix_module_source, process_file
from iacmod.findings import FileResult, FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.report import json_report, unified_diff
from iacmod.rule import DocumentFinding, DocumentResult, Rule


def test_diff_of_a_long_file_changed_near_both_ends_applies(tmp_path: Path) -> None:
    # many repeated lines ("}", blank) make difflib treat them as junk on long sequences; the
    # hunks must still carry their context, or git anchors them at the end of the file
    def handler(i: int, body: str) -> str:
        return (
            f"def h{i}(event):\n    try:\n        return {{\n            'statusCode': 200,\n"
            f"{body}        }}\n\n    except Exception as e:\n        raise\n\n"
        )

    middle = "".join(handler(i, "            'body': '',\n") for i in range(60))
    old = "import json\n\n" + middle + handler(99, "            'body': '',\n") + "x = 1\n"
    new = "import json\nimport os\n\n" + middle + handler(99, "") + "x = 1\n"
    path = tmp_path / "f.py"
    path.write_text(old)
    diff = unified_diff(FileResult(Path("f.py"), old_source=old.encode(), new_source=new.encode()))
    subprocess.run(["git", "init", "-q"], cwd=tmp_path, check=True)
    (tmp_path / "change.patch").write_text(diff)
    subprocess.run(["git", "apply", "change.patch"], cwd=tmp_path, check=True)
    assert path.read_text() == new


# -- severity: declared per rule, overridable per finding, carried into the report ---------------


class LoudPass(Rule):
    """For tests only (not under codemods/, so never registered): `pass` is info, `pass  # !` an error."""

    code = "TST911"
    name = "loud-pass"
    summary = "Report `pass`"
    rationale = "test"
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.SAFE
    triggers = ("pass",)
    document_patterns = ("*.passes",)

    def visit_Pass(self, node: cst.Pass) -> None:
        self.report(node, "pass")

    def visit_Return(self, node: cst.Return) -> None:
        self.report(node, "return", severity=Severity.ERROR, replacement=node, safety=FixSafety.SAFE)

    @classmethod
    def process_document(cls, context) -> DocumentResult:  # type: ignore[no-untyped-def]
        return DocumentResult((DocumentFinding("first", 1), DocumentFinding("second", 2, severity=Severity.WARNING)))


def test_findings_carry_the_rule_severity_unless_overridden(tmp_path: Path) -> None:
    settings = Settings((LoudPass,))
    result = fix_module_source("def f():\n    pass\n\ndef g():\n    return 1\n", settings, "a.py")
    assert [(f.message, f.severity) for f in result.findings] == [("pass", Severity.INFO), ("return", Severity.ERROR)]
    doc = tmp_path / "a.passes"
    doc.write_text("pass\npass\n")
    found = process_file(doc, settings).findings
    assert [(f.message, f.severity) for f in found] == [("first", Severity.INFO), ("second", Severity.WARNING)]


def test_json_report_has_a_severity_per_finding(tmp_path: Path) -> None:
    path = tmp_path / "a.py"
    path.write_text("def f():\n    pass\n\ndef g():\n    return 1\n")
    data = json.loads(json_report([process_file(path, Settings((LoudPass,)))], mode="check"))
    assert [(f["message"], f["severity"]) for f in data["findings"]] == [("pass", "info"), ("return", "error")]
    assert data["summary"]["by_severity"] == {"error": 1, "warning": 0, "info": 1}
