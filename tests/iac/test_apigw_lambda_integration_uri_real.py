"""apigw-lambda-integration-uri proven with the real libraries: Pulumi mocks, CDK synth + cfn-lint, CDKTF synth.

Each program wires a REST API method to a Lambda function with the function's ARN as the
integration URI and a GET integration method; iacmod rewrites it, and what the library registers
or synthesizes is then the invoke URI with POST.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iacmod.codemods.apigateway.lambda_integration_uri import ApigwLambdaIntegrationUri
from iacmod.testing import fix_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pulumi_mocks import REGION, of_type, run_sources  # noqa: E402

PULUMI = """
import pulumi_aws as aws

role = aws.iam.Role("role", assume_role_policy="{}")
fn = aws.lambda_.Function("items", runtime="python3.12", handler="app.handler", role=role.arn,
                          code=None)
api = aws.apigateway.RestApi("api")
items = aws.apigateway.Resource("items", rest_api=api.id, parent_id=api.root_resource_id, path_part="items")
method = aws.apigateway.Method("get", rest_api=api.id, resource_id=items.id, http_method="GET",
                               authorization="NONE")
aws.apigateway.Integration("get-items", rest_api=api.id, resource_id=items.id, http_method="GET",
                           type="AWS_PROXY", integration_http_method="GET", uri=fn.arn)
"""


def test_pulumi_integration_registers_the_invoke_arn_with_post(tmp_path: Path) -> None:
    fixed, findings = fix_text(ApigwLambdaIntegrationUri, PULUMI)
    assert len(findings) == 2 and all(f.fixed for f in findings)
    reports = run_sources({"before": PULUMI, "after": fixed}, tmp_path)
    assert reports["after"]["error"] is None
    [before] = of_type(reports["before"], "aws:apigateway/integration:Integration").values()
    [after] = of_type(reports["after"], "aws:apigateway/integration:Integration").values()
    arn = f"arn:aws:lambda:{REGION}:123456789012:function:items"
    assert before["uri"] == arn and before["integrationHttpMethod"] == "GET"
    assert after["uri"] == f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{arn}/invocations"
    assert after["integrationHttpMethod"] == "POST"
    rest = {k: v for k, v in after.items() if k not in ("uri", "integrationHttpMethod")}
    assert rest == {k: v for k, v in before.items() if k not in ("uri", "integrationHttpMethod")}


CDK = """
from aws_cdk import App, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_lambda as lambda_


class Api(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        fn = lambda_.Function(self, "Items", runtime=lambda_.Runtime.PYTHON_3_12, handler="app.handler",
                              code=lambda_.Code.from_inline("def handler(event, context):\\n    return {}\\n"))
        api = apigw.CfnRestApi(self, "Api", name="api")
        apigw.CfnMethod(self, "Get", rest_api_id=api.ref, resource_id=api.attr_root_resource_id,
                        http_method="GET", authorization_type="NONE",
                        integration=apigw.CfnMethod.IntegrationProperty(
                            type="AWS_PROXY", integration_http_method="GET", uri=fn.function_arn))
        apigw.CfnDeployment(self, "Deployment", rest_api_id=api.ref).add_dependency(
            self.node.find_child("Get"))


app = App()
Api(app, "Api")
TEMPLATE = app.synth().get_stack_by_name("Api").template
"""


def _synth_cdk(code: str) -> dict:
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(code, "app.py", "exec"), namespace)
    return namespace["TEMPLATE"]


def _integration(template: dict) -> dict:
    [method] = [r for r in template["Resources"].values() if r["Type"] == "AWS::ApiGateway::Method"]
    return method["Properties"]["Integration"]


def test_cdk_cfn_method_synthesizes_the_invoke_uri_and_passes_cfn_lint() -> None:
    fixed, findings = fix_text(ApigwLambdaIntegrationUri, CDK)
    assert len(findings) == 2 and all(f.fixed for f in findings)
    before, after = _synth_cdk(CDK), _synth_cdk(fixed)
    [function] = [k for k, r in after["Resources"].items() if r["Type"] == "AWS::Lambda::Function"]
    assert _integration(before)["Uri"] == {"Fn::GetAtt": [function, "Arn"]}
    integration = _integration(after)
    assert integration["IntegrationHttpMethod"] == "POST"
    parts = integration["Uri"]["Fn::Join"][1]
    assert parts == [
        "arn:",
        {"Ref": "AWS::Partition"},
        ":apigateway:",
        {"Ref": "AWS::Region"},
        ":lambda:path/2015-03-31/functions/",
        {"Fn::GetAtt": [function, "Arn"]},
        "/invocations",
    ]
    from cfnlint.api import ManualArgs, lint

    matches = lint(json.dumps(after), config=ManualArgs(regions=["us-east-1"]))
    assert not [m for m in matches if m.rule.id.startswith("E")], [str(m) for m in matches]


CDKTF = """
import sys
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.api_gateway_integration import ApiGatewayIntegration
from cdktf_cdktf_provider_aws.api_gateway_rest_api import ApiGatewayRestApi
from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction


class Api(TerraformStack):
    def __init__(self, scope, ns):
        super().__init__(scope, ns)
        AwsProvider(self, "aws", region="us-east-1")
        self.handler = LambdaFunction(self, "handler", function_name="items", role="arn:aws:iam::1:role/r",
                                      runtime="python3.12", handler="app.handler", filename="app.zip")
        api = ApiGatewayRestApi(self, "api", name="api")
        ApiGatewayIntegration(self, "get", rest_api_id=api.id, resource_id=api.root_resource_id,
                              http_method="GET", type="AWS_PROXY", integration_http_method="GET",
                              uri=self.handler.arn)


app = App(outdir=sys.argv[1])
Api(app, "api")
app.synth()
"""


def test_cdktf_integration_synthesizes_the_invoke_arn(tmp_path: Path) -> None:
    pytest.importorskip("cdktf_cdktf_provider_aws")
    fixed, findings = fix_text(ApigwLambdaIntegrationUri, CDKTF)
    assert len(findings) == 2 and all(f.fixed for f in findings)
    program = tmp_path / "main.py"
    program.write_text(fixed)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(program), str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    stack = json.loads((out / "stacks" / "api" / "cdk.tf.json").read_text())
    integration = stack["resource"]["aws_api_gateway_integration"]["get"]
    assert integration["uri"] == "${aws_lambda_function.handler.invoke_arn}"
    assert integration["integration_http_method"] == "POST"
