"""eventbridge-lambda-permission proven with the real libraries: Pulumi mocks, CDK synth + cfn-lint,
CDKTF synth (one subprocess: the program before and after as two stacks of one app).

Before the fix nothing grants `events.amazonaws.com` the right to invoke the function; after it a
permission for exactly that principal, function and rule (`source_arn`) is registered or
synthesized. CDK's L2 target adds that permission itself, which is why the rule leaves it alone.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iacmod.codemods.events.lambda_permission import EventbridgeLambdaPermission
from iacmod.testing import fix_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pulumi_mocks import of_type, run_sources  # noqa: E402

PERMISSION = "aws:lambda/permission:Permission"

PULUMI = """
import pulumi
import pulumi_aws as aws

nightly = aws.cloudwatch.EventRule("nightly", schedule_expression="cron(0 3 * * ? *)")
job = aws.lambda_.Function("job", runtime="python3.12", handler="app.handler", role="arn:aws:iam::123456789012:role/r",
                           code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): pass")}))
aws.cloudwatch.EventTarget("nightly-job", rule=nightly.name, arn=job.arn)
pulumi.export("rule", nightly.arn)
"""


def test_pulumi_program_registers_a_scoped_permission(tmp_path: Path) -> None:
    fixed, findings = fix_text(EventbridgeLambdaPermission, PULUMI)
    assert len(findings) == 1 and findings[0].fixed
    assert fix_text(EventbridgeLambdaPermission, fixed)[1] == []  # the permission it adds counts
    reports = run_sources({"before": PULUMI, "after": fixed}, tmp_path)
    assert reports["before"]["error"] is None and reports["after"]["error"] is None
    assert of_type(reports["before"], PERMISSION) == {}
    [permission] = of_type(reports["after"], PERMISSION).values()
    assert permission == {
        "action": "lambda:InvokeFunction",
        "function": "arn:aws:lambda:us-east-1:123456789012:function:job",  # the mocked function ARN
        "principal": "events.amazonaws.com",
        "sourceArn": "arn:aws:cloudwatch:us-east-1:123456789012:nightly",  # the mocked rule ARN
    }


CDK = """
from aws_cdk import App, Stack
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_lambda as lambda_


class Jobs(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        fn = lambda_.Function(self, "Job", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                              code=lambda_.Code.from_inline("def handler(e, c): pass"))
        rule = events.CfnRule(self, "Nightly", schedule_expression="rate(1 day)",
                              targets=[events.CfnRule.TargetProperty(arn=fn.function_arn, id="job")])
        l2 = lambda_.Function(self, "Other", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                              code=lambda_.Code.from_inline("def handler(e, c): pass"))
        events.Rule(self, "Hourly", schedule=events.Schedule.expression("rate(1 hour)"),
                    targets=[targets.LambdaFunction(l2)])


app = App()
Jobs(app, "Jobs")
TEMPLATE = app.synth().get_stack_by_name("Jobs").template
"""


def _synth_cdk(code: str) -> dict:
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(code, "app.py", "exec"), namespace)
    return namespace["TEMPLATE"]


def _logical(template: dict, typ: str, prefix: str) -> str:
    [key] = [k for k, r in template["Resources"].items() if r["Type"] == typ and k.startswith(prefix)]
    return key


def _permissions(template: dict) -> list[dict]:
    return [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::Lambda::Permission"]


def test_cdk_cfn_rule_gets_a_permission_and_the_l2_target_has_its_own() -> None:
    fixed, findings = fix_text(EventbridgeLambdaPermission, CDK)
    assert len(findings) == 1 and findings[0].fixed and "lambda_.CfnPermission(" in fixed
    before, after = _synth_cdk(CDK), _synth_cdk(fixed)
    job, other = (_logical(before, "AWS::Lambda::Function", p) for p in ("Job", "Other"))
    nightly, hourly = _logical(before, "AWS::Events::Rule", "Nightly"), _logical(before, "AWS::Events::Rule", "Hourly")
    # before: the L2 target's own permission (CDK adds it), none for the CfnRule's target
    [l2_permission] = _permissions(before)
    assert l2_permission["FunctionName"] == {"Fn::GetAtt": [other, "Arn"]}
    assert l2_permission["SourceArn"] == {"Fn::GetAtt": [hourly, "Arn"]}
    added = [p for p in _permissions(after) if p != l2_permission]
    assert added == [
        {
            "Action": "lambda:InvokeFunction",
            "FunctionName": {"Fn::GetAtt": [job, "Arn"]},
            "Principal": "events.amazonaws.com",
            "SourceArn": {"Fn::GetAtt": [nightly, "Arn"]},
        }
    ]
    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(after), config=ManualArgs(regions=["us-east-1"]))
    assert not [m for m in matches if m.rule.id.startswith("E")], [str(m) for m in matches]


CDKTF_STACK = """
class Jobs(TerraformStack):
    def __init__(self, scope, ns):
        super().__init__(scope, ns)
        AwsProvider(self, "aws", region="us-east-1")
        rule = CloudwatchEventRule(self, "hourly", schedule_expression="rate(1 hour)")
        fn = LambdaFunction(self, "job", function_name="job", role="arn:aws:iam::123456789012:role/r",
                            handler="app.handler", runtime="python3.12", filename="app.zip")
        CloudwatchEventTarget(self, "hourly_job", rule=rule.name, arn=fn.arn)
"""
CDKTF_IMPORTS = """
import sys
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
"""


def test_cdktf_synthesizes_the_permission(tmp_path: Path) -> None:
    pytest.importorskip("cdktf_cdktf_provider_aws")
    fixed, findings = fix_text(EventbridgeLambdaPermission, CDKTF_IMPORTS + CDKTF_STACK)
    assert len(findings) == 1 and findings[0].fixed
    assert "from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission" in fixed
    program = tmp_path / "main.py"
    program.write_text(
        fixed.replace("class Jobs(", "class Fixed(")
        + CDKTF_STACK
        + "\napp = App(outdir=sys.argv[1])\nJobs(app, 'before')\nFixed(app, 'after')\napp.synth()\n"
    )
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(program), str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]

    def resources(stack: str) -> dict:
        return json.loads((out / "stacks" / stack / "cdk.tf.json").read_text())["resource"]

    assert "aws_lambda_permission" not in resources("before")
    after = resources("after")
    [permission] = after["aws_lambda_permission"].values()
    assert {k: v for k, v in permission.items() if k != "//"} == {
        "action": "lambda:InvokeFunction",
        "function_name": "${aws_lambda_function.job.arn}",
        "principal": "events.amazonaws.com",
        "source_arn": "${aws_cloudwatch_event_rule.hourly.arn}",
    }
