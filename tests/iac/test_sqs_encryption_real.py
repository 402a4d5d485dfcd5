"""sqs-encryption proven with the real libraries: Pulumi mocks, CDK synth + cfn-lint, CDKTF synth.

Each program is rewritten by iacmod, then run: the fixed queues carry SSE-SQS in what the
library registers or synthesizes, the queue with a KMS key is unchanged, and the CDK template
passes cfn-lint.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iacmod.codemods.sqs.encryption import SqsEncryption
from iacmod.testing import fix_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pulumi_mocks import run_sources  # noqa: E402

PULUMI = """
import pulumi
import pulumi_aws as aws

key = aws.kms.Key("key")
jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds=60)
args = aws.sqs.Queue("args", aws.sqs.QueueArgs(delay_seconds=5))
kms = aws.sqs.Queue("kms", kms_master_key_id=key.arn)
pulumi.export("url", jobs.url)
"""


def test_pulumi_program_registers_sse_sqs(tmp_path: Path) -> None:
    fixed, findings = fix_text(SqsEncryption, PULUMI)
    assert len(findings) == 2 and all(f.fixed for f in findings)
    reports = run_sources({"before": PULUMI, "after": fixed}, tmp_path)
    before, after = reports["before"]["resources"], reports["after"]["resources"]
    assert reports["after"]["error"] is None
    for name in ("jobs", "args"):
        assert "sqsManagedSseEnabled" not in before[name]["inputs"]
        assert after[name]["inputs"]["sqsManagedSseEnabled"] is True
        # nothing else changed
        rest = {k: v for k, v in after[name]["inputs"].items() if k != "sqsManagedSseEnabled"}
        assert rest == before[name]["inputs"]
    assert after["kms"]["inputs"] == before["kms"]["inputs"]
    assert "sqsManagedSseEnabled" not in after["kms"]["inputs"]


CDK = """
from aws_cdk import App, Stack
from aws_cdk import aws_kms as kms
from aws_cdk import aws_sqs as sqs


class Queues(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        sqs.Queue(self, "Jobs")
        sqs.CfnQueue(self, "Raw", delay_seconds=5)
        sqs.Queue(self, "Kms", encryption_master_key=kms.Key(self, "Key"))


app = App()
Queues(app, "Queues")
TEMPLATE = app.synth().get_stack_by_name("Queues").template
"""


def _synth_cdk(code: str) -> dict:
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(code, "app.py", "exec"), namespace)
    return namespace["TEMPLATE"]


def _queues(template: dict) -> dict[str, dict]:
    return {
        logical: res.get("Properties", {})
        for logical, res in template["Resources"].items()
        if res["Type"] == "AWS::SQS::Queue"
    }


def test_cdk_app_synthesizes_sse_sqs_and_passes_cfn_lint() -> None:
    fixed, findings = fix_text(SqsEncryption, CDK)
    assert len(findings) == 2 and all(f.fixed for f in findings)
    assert "encryption=sqs.QueueEncryption.SQS_MANAGED" in fixed
    before, after = _queues(_synth_cdk(CDK)), _synth_cdk(fixed)
    queues = _queues(after)
    for prefix in ("Jobs", "Raw"):
        [key] = [k for k in queues if k.startswith(prefix)]
        assert "SqsManagedSseEnabled" not in before[key]
        assert queues[key]["SqsManagedSseEnabled"] is True
    [kms_key] = [k for k in queues if k.startswith("Kms")]
    assert queues[kms_key] == before[kms_key] and "KmsMasterKeyId" in queues[kms_key]
    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(after), config=ManualArgs(regions=["us-east-1"]))
    assert not [m for m in matches if m.rule.id.startswith("E")], [str(m) for m in matches]


CDKTF = """
import json, sys
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue


class Queues(TerraformStack):
    def __init__(self, scope, ns):
        super().__init__(scope, ns)
        AwsProvider(self, "aws", region="us-east-1")
        SqsQueue(self, "jobs", name="jobs")
        SqsQueue(self, "kms", name="kms", kms_master_key_id="alias/jobs")


app = App(outdir=sys.argv[1])
Queues(app, "queues")
app.synth()
"""


def test_cdktf_app_synthesizes_sse_sqs(tmp_path: Path) -> None:
    pytest.importorskip("cdktf_cdktf_provider_aws")
    fixed, findings = fix_text(SqsEncryption, CDKTF)
    assert len(findings) == 1 and all(f.fixed for f in findings)
    program = tmp_path / "main.py"
    program.write_text(fixed)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(program), str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    resources = json.loads((out / "stacks" / "queues" / "cdk.tf.json").read_text())["resource"]["aws_sqs_queue"]
    assert resources["jobs"]["sqs_managed_sse_enabled"] is True
    assert "sqs_managed_sse_enabled" not in resources["kms"]
