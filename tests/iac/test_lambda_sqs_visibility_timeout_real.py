"""lambda-sqs-visibility-timeout proven with the real libraries: Pulumi mocks, CDK synth + cfn-lint.

Before the fix the queue's visibility timeout (its default, 30 s) is shorter than the function's
timeout, which Lambda rejects when the mapping is created ("Queue visibility timeout: 30 seconds is
less than Function timeout: 120 seconds"); after it the queue registers / synthesizes 6x the timeout.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from iacmod.codemods.lambda_.sqs_visibility_timeout import LambdaSqsVisibilityTimeout
from iacmod.testing import fix_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pulumi_mocks import of_type, run_sources  # noqa: E402

PULUMI = """
import pulumi
import pulumi_aws as aws

jobs = aws.sqs.Queue("jobs", message_retention_seconds=86400)
slow = aws.sqs.Queue("slow", visibility_timeout_seconds=60)
worker = aws.lambda_.Function("worker", runtime="python3.12", handler="app.handler", role="arn:aws:iam::123456789012:role/r",
                              code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): pass")}),
                              timeout=120)
aws.lambda_.EventSourceMapping("worker-jobs", event_source_arn=jobs.arn, function_name=worker.name)
aws.lambda_.EventSourceMapping("worker-slow", event_source_arn=slow.arn, function_name=worker.arn,
                               maximum_batching_window_in_seconds=20)
"""


def test_pulumi_program_registers_the_raised_visibility_timeout(tmp_path: Path) -> None:
    fixed, findings = fix_text(LambdaSqsVisibilityTimeout, PULUMI)
    assert len(findings) == 2 and all(f.fixed for f in findings)
    reports = run_sources({"before": PULUMI, "after": fixed}, tmp_path)
    assert reports["before"]["error"] is None and reports["after"]["error"] is None
    before = of_type(reports["before"], "aws:sqs/queue:Queue")
    after = of_type(reports["after"], "aws:sqs/queue:Queue")
    timeout = of_type(reports["after"], "aws:lambda/function:Function")["worker"]["timeout"]
    assert timeout == 120
    assert "visibilityTimeoutSeconds" not in before["jobs"]  # AWS's default: 30 s < 120 s
    assert before["slow"]["visibilityTimeoutSeconds"] == 60
    assert after["jobs"]["visibilityTimeoutSeconds"] == 6 * timeout
    assert after["slow"]["visibilityTimeoutSeconds"] == 6 * timeout + 20  # plus the batching window
    for name in ("jobs", "slow"):
        rest = {k: v for k, v in after[name].items() if k != "visibilityTimeoutSeconds"}
        assert rest == {k: v for k, v in before[name].items() if k != "visibilityTimeoutSeconds"}


CDK = """
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_sqs as sqs
from aws_cdk.aws_lambda_event_sources import SqsEventSource


class Workers(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        queue = sqs.Queue(self, "Jobs")
        fn = lambda_.Function(self, "Worker", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                              code=lambda_.Code.from_inline("def handler(e, c): pass"),
                              timeout=Duration.minutes(2))
        fn.add_event_source(SqsEventSource(queue, batch_size=10))


app = App()
Workers(app, "Workers")
TEMPLATE = app.synth().get_stack_by_name("Workers").template
"""


def _synth_cdk(code: str) -> dict:
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(code, "app.py", "exec"), namespace)
    return namespace["TEMPLATE"]


def _of(template: dict, typ: str) -> list[dict]:
    return [r.get("Properties", {}) for r in template["Resources"].values() if r["Type"] == typ]


def test_cdk_synthesizes_the_defect_before_and_a_long_enough_queue_after() -> None:
    fixed, findings = fix_text(LambdaSqsVisibilityTimeout, CDK)
    assert len(findings) == 1 and findings[0].fixed
    assert "visibility_timeout=Duration.seconds(720)" in fixed
    before, after = _synth_cdk(CDK), _synth_cdk(fixed)
    # CDK synthesizes the defect without a word: a 120 s function on a queue left at 30 s
    [queue] = _of(before, "AWS::SQS::Queue")
    [fn] = _of(before, "AWS::Lambda::Function")
    assert "VisibilityTimeout" not in queue and fn["Timeout"] == 120
    assert len(_of(before, "AWS::Lambda::EventSourceMapping")) == 1
    [queue] = _of(after, "AWS::SQS::Queue")
    assert queue["VisibilityTimeout"] == 720 >= _of(after, "AWS::Lambda::Function")[0]["Timeout"]
    from cfnlint.api import ManualArgs, lint

    # cfn-lint sees it in the synthesized template (E3505) before, and nothing after
    errors = [
        m.rule.id
        for m in lint(json.dumps(before), config=ManualArgs(regions=["us-east-1"]))
        if m.rule.id.startswith("E")
    ]
    assert errors == ["E3505"]
    matches = lint(json.dumps(after), config=ManualArgs(regions=["us-east-1"]))
    assert not [m for m in matches if m.rule.id.startswith("E")], [str(m) for m in matches]
