"""lambda-provisioned-concurrency-version proven with the real libraries: Pulumi mocks, CDK synth +
cfn-lint.

Pulumi: the function registers `publish: true` after the fix (before, nothing: the provider's
default `false` leaves `version` at `$LATEST`). CDK: the alias synthesizes `FunctionVersion:
"$LATEST"` with a provisioned-concurrency configuration before (no error from CDK), and a
published `AWS::Lambda::Version` after.
"""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

from iacmod.codemods.lambda_.provisioned_concurrency_version import (
    LambdaProvisionedConcurrencyVersion,
)
from iacmod.findings import Severity
from iacmod.testing import fix_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pulumi_mocks import of_type, run_sources  # noqa: E402

PULUMI = """
import pulumi
import pulumi_aws as aws

api = aws.lambda_.Function("api", runtime="python3.12", handler="app.handler", role="arn:aws:iam::123456789012:role/r",
                           code=pulumi.AssetArchive({"app.py": pulumi.StringAsset("def handler(e, c): pass")}))
aws.lambda_.ProvisionedConcurrencyConfig("api-warm", function_name=api.name, qualifier=api.version,
                                         provisioned_concurrent_executions=2)
aws.lambda_.EventSourceMapping("api-queue", event_source_arn="arn:aws:sqs:us-east-1:123456789012:q",
                               function_name=api.arn)
"""


def test_pulumi_has_no_version_resource() -> None:
    lambda_ = importlib.import_module("pulumi_aws.lambda_")
    assert not hasattr(lambda_, "Version")  # `publish=True` is how a Pulumi program gets a version
    assert "Defaults to `false`" in (lambda_.FunctionArgs.publish.__doc__ or "")


def test_pulumi_program_registers_publish(tmp_path: Path) -> None:
    fixed, findings = fix_text(LambdaProvisionedConcurrencyVersion, PULUMI)
    [publish, caller] = findings
    assert publish.fixed and "publish=True" in fixed
    assert not caller.fixed and caller.severity is Severity.WARNING and "api.qualified_arn" in caller.message
    reports = run_sources({"before": PULUMI, "after": fixed}, tmp_path)
    assert reports["before"]["error"] is None and reports["after"]["error"] is None
    before = of_type(reports["before"], "aws:lambda/function:Function")["api"]
    after = of_type(reports["after"], "aws:lambda/function:Function")["api"]
    assert "publish" not in before and after["publish"] is True
    same = lambda inputs: {k: v for k, v in inputs.items() if k not in ("publish", "code")}  # noqa: E731
    assert same(after) == same(before)  # (an archive's repr differs per process)
    config = of_type(reports["after"], "aws:lambda/provisionedConcurrencyConfig:ProvisionedConcurrencyConfig")
    assert config["api-warm"]["provisionedConcurrentExecutions"] == 2


CDK = """
from aws_cdk import App, Stack
from aws_cdk import aws_lambda as lambda_


class Api(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        fn = lambda_.Function(self, "Api", runtime=lambda_.Runtime.PYTHON_3_12, handler="index.handler",
                              code=lambda_.Code.from_inline("def handler(e, c): pass"))
        lambda_.Alias(self, "Live", alias_name="live", version=fn.latest_version,
                      provisioned_concurrent_executions=2)


app = App()
Api(app, "Api")
TEMPLATE = app.synth().get_stack_by_name("Api").template
"""


def _synth_cdk(code: str) -> dict:
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(code, "app.py", "exec"), namespace)
    return namespace["TEMPLATE"]


def _of(template: dict, typ: str) -> dict[str, dict]:
    return {k: r.get("Properties", {}) for k, r in template["Resources"].items() if r["Type"] == typ}


def test_cdk_alias_moves_from_latest_to_a_published_version() -> None:
    fixed, findings = fix_text(LambdaProvisionedConcurrencyVersion, CDK)
    assert len(findings) == 1 and findings[0].fixed and "version=fn.current_version" in fixed
    before, after = _synth_cdk(CDK), _synth_cdk(fixed)
    [alias] = _of(before, "AWS::Lambda::Alias").values()
    assert alias["FunctionVersion"] == "$LATEST"  # synthesized without a word
    assert alias["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    assert not _of(before, "AWS::Lambda::Version")
    [alias] = _of(after, "AWS::Lambda::Alias").values()
    [version] = _of(after, "AWS::Lambda::Version")
    assert alias["FunctionVersion"] == {"Fn::GetAtt": [version, "Version"]}
    assert alias["ProvisionedConcurrencyConfig"] == {"ProvisionedConcurrentExecutions": 2}
    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(after), config=ManualArgs(regions=["us-east-1"]))
    assert not [m for m in matches if m.rule.id.startswith("E")], [str(m) for m in matches]
