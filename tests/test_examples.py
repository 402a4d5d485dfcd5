"""The bundled examples (what `python3 dev.py example` shows) exercise every rule."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from iacmod.registry import all_rules

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_dry_run_over_examples_shows_every_rule(iacmod_cli):
    code, out, _ = iacmod_cli("check", "--all", "--format", "json", str(EXAMPLES))
    report = json.loads(out)
    assert code == 1 and not report["errors"]
    assert {f["rule"] for f in report["findings"]} == {r.name for r in all_rules()}
    code, diff, _ = iacmod_cli("apply", "--all", "--dry-run", str(EXAMPLES))
    assert code == 1
    assert diff.count("+++ b/") == 6  # the handler, the Pulumi programs, the ASL file and the CDK app


def test_examples_fix_cleanly_and_converge(iacmod_cli, tmp_path):
    work = tmp_path / "examples"
    shutil.copytree(EXAMPLES, work)
    code, _, _ = iacmod_cli("apply", "--all", "--unsafe-fixes", str(work))
    assert code == 1  # the detect-only 1 MB finding remains for a person
    for path in work.rglob("*.py"):
        compile(path.read_text(), str(path), "exec")
    json.loads((work / "stepfunctions" / "order-pipeline.asl.json").read_text())
    code, out, _ = iacmod_cli("apply", "--all", "--unsafe-fixes", "--dry-run", str(work))
    assert code == 0 and out == ""
