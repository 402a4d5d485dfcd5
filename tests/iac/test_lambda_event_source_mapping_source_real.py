"""lambda-event-source-mapping-source checked against the real libraries: what the flagged
programs register (Pulumi mocks) and synthesize (CDK) is a mapping whose source is a Lambda
function's ARN, which no event source can be; the valid mappings in the same programs are not
flagged.
"""

from __future__ import annotations

import sys
from pathlib import Path

from iacmod.codemods.lambda_.event_source_mapping_source import LambdaEventSourceMappingSource
from iacmod.testing import fix_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pulumi_mocks import REGION, of_type, run_sources  # noqa: E402

PULUMI = """
import pulumi_aws as aws

role = aws.iam.Role("role", assume_role_policy="{}")
validator = aws.lambda_.Function("validator", runtime="python3.12", handler="v.handler", role=role.arn)
router = aws.lambda_.Function("router", runtime="python3.12", handler="r.handler", role=role.arn)
jobs = aws.sqs.Queue("jobs")
aws.lambda_.EventSourceMapping("chain", event_source_arn=validator.arn, function_name=router.name)
aws.lambda_.EventSourceMapping("jobs", event_source_arn=jobs.arn, function_name=router.name)
"""


def test_pulumi_flagged_mapping_registers_a_function_arn_as_its_source(tmp_path: Path) -> None:
    same, findings = fix_text(LambdaEventSourceMappingSource, PULUMI)
    assert same == PULUMI
    assert [f.line for f in findings] == [8]  # the program starts with a blank line
    report = run_sources({"program": PULUMI}, tmp_path)["program"]
    assert report["error"] is None
    mappings = of_type(report, "aws:lambda/eventSourceMapping:EventSourceMapping")
    assert mappings["chain"]["eventSourceArn"] == f"arn:aws:lambda:{REGION}:123456789012:function:validator"
    assert mappings["jobs"]["eventSourceArn"].startswith("arn:aws:sqs:")


CDK = """
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_


class Chain(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        code = lambda_.Code.from_inline("def handler(event, context):\\n    return {}\\n")
        first = lambda_.Function(self, "First", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                 code=code)
        second = lambda_.Function(self, "Second", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                                  code=code)
        lambda_.EventSourceMapping(self, "Chain", target=second, event_source_arn=first.function_arn)


app = App()
Chain(app, "Chain")
TEMPLATE = app.synth().get_stack_by_name("Chain").template
"""


def test_cdk_flagged_mapping_synthesizes_a_function_as_its_source() -> None:
    _, findings = fix_text(LambdaEventSourceMappingSource, CDK)
    assert len(findings) == 1 and "FunctionEventInvokeConfig" in findings[0].message
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(CDK, "app.py", "exec"), namespace)
    resources = namespace["TEMPLATE"]["Resources"]
    [mapping] = [r["Properties"] for r in resources.values() if r["Type"] == "AWS::Lambda::EventSourceMapping"]
    source = mapping["EventSourceArn"]["Fn::GetAtt"][0]
    assert resources[source]["Type"] == "AWS::Lambda::Function"
