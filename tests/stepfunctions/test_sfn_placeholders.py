"""Issue 13 item 1 and 10: ``${Name}`` placeholders in ASL files are rewritten only when the
definitions next to the file (SAM/CloudFormation ``DefinitionSubstitutions``, Terraform
``templatefile``, CDK ``definition_substitutions``) resolve them to a Lambda function ARN; JSON
text built with ``%``/``.format`` in Python is analysed through its fields."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from iacmod.engine import Settings, process_file
from iacmod.iac import asl, documents
from iacmod.registry import all_rules, default_passes
from iacmod.testing import fix_text

ROOT = Path(__file__).resolve().parents[2]
PROJECTS = ROOT / "fixtures" / "sfn-lambda-invoke" / "projects"
RULE = next(r for r in all_rules() if r.name == "sfn-lambda-invoke")


def _run(path: Path, unsafe: bool = True):
    settings = Settings((RULE,), unsafe_fixes=unsafe, options={RULE.name: {}}, passes=default_passes())
    return process_file(path, settings)


@pytest.mark.parametrize(
    "project,document",
    [
        ("sam", "statemachine/orders.asl.json"),
        ("terraform", "pipeline.asl.json"),
        ("cdk", "statemachine/flow.asl.yaml"),
    ],
)
@pytest.mark.parametrize("unsafe", [False, True])
def test_placeholders_resolved_from_the_project(tmp_path, project, document, unsafe):
    shutil.copytree(PROJECTS / project, tmp_path / project)
    target = tmp_path / project / document
    result = _run(target, unsafe=unsafe)
    expected = (PROJECTS / project / (document + ".expected")).read_text()
    # every resolved placeholder is a certain Lambda ARN: the same result without --unsafe-fixes
    assert result.new_source is not None and result.new_source.decode() == expected
    # a second run changes nothing
    target.write_text(expected)
    assert _run(target, unsafe=True).new_source is None


def test_sam_project_leaves_integrations_activities_and_lambda_invoke_alone(tmp_path):
    shutil.copytree(PROJECTS / "sam", tmp_path / "sam")
    target = tmp_path / "sam" / "statemachine" / "orders.asl.json"
    result = _run(target)
    new = __import__("json").loads(result.new_source.decode())["States"]
    assert new["Review"]["Resource"] == "${ReviewActivityArn}"
    assert new["Approve"]["Resource"] == "${SendAndWait}"
    assert new["Notify"]["Resource"] == "${Publish}"
    assert new["Save"]["Resource"] == "${TransactWrite}"
    assert new["Ship"] == {  # already lambda:invoke: never wrapped twice
        "Type": "Task",
        "Resource": "${LambdaInvoke}",
        "Parameters": {"FunctionName": "${ShipFunctionArn}", "Payload.$": "$"},
        "OutputPath": "$.Payload",
        "Next": "Archive",
    }
    assert new["Legacy"]["Resource"] == "${LegacyFunctionArn}"  # unresolved: untouched
    messages = [f.message for f in result.findings]
    # no finding describes the DynamoDB getItem or the unresolved placeholder as a Lambda call
    assert not [m for m in messages if "'Lookup'" in m or "'Legacy'" in m or "'Review'" in m]
    assert [m for m in messages if "'Archive'" in m and "ResultPath `$.archived`" in m]


def test_placeholder_alone_is_not_a_lambda(tmp_path):
    """An ASL file with nothing next to it: no rewrite, no finding, even with --unsafe-fixes."""
    target = tmp_path / "alone.asl.json"
    target.write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Fn}", "ResultPath": "$.x", "End": true}}}'
    )
    result = _run(target)
    assert result.new_source is None and not result.findings


def test_unresolved_placeholder_with_function_name_is_reported_not_rewritten(tmp_path):
    target = tmp_path / "invoke.asl.json"
    target.write_text(
        '{"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "${Invoke}",'
        ' "Parameters": {"FunctionName": "${Fn}", "Payload.$": "$"}, "End": true}}}'
    )
    result = _run(target)
    assert result.new_source is None
    assert len(result.findings) == 1 and "could not be resolved" in result.findings[0].message


def test_cloudformation_values():
    template = """
Resources:
  M:
    Type: AWS::StepFunctions::StateMachine
    Properties:
      DefinitionS3Location: {Bucket: b, Key: flows/x.asl.json}
      DefinitionSubstitutions:
        A: {"Fn::GetAtt": [F, Arn]}
        B: !Ref F
        C: !Ref Alias
        D: !Sub "arn:${AWS::Partition}:lambda:${AWS::Region}:${AWS::AccountId}:function:${F}"
        E: !GetAtt Q.Arn
        G: !Ref SomeParameter
        H: arn:aws:lambda:us-east-1:123456789012:function:h
  F: {Type: AWS::Lambda::Function}
  Alias: {Type: AWS::Lambda::Alias}
  Q: {Type: AWS::SQS::Queue}
"""
    out = documents.cloudformation_substitutions(template, "x.asl.json", "t.yaml")
    assert {k: v.kind for k, v in out.items()} == {
        "A": asl.LAMBDA,
        "B": asl.MAYBE_LAMBDA,
        "C": asl.LAMBDA,
        "D": asl.LAMBDA,
        "E": asl.OTHER,
        "H": asl.LAMBDA,
    }
    assert documents.cloudformation_substitutions(template, "other.asl.json", "t.yaml") == {}


def test_terraform_values():
    tf = """
locals { x = templatefile("${path.module}/other.asl.json", { a = aws_lambda_function.f.arn }) }
resource "aws_sfn_state_machine" "m" {
  definition = templatefile("${path.module}/flows/x.asl.json", { a = aws_lambda_function.f[0].arn, "b" = aws_lambda_function.f.invoke_arn,
    c = data.aws_lambda_function.g.qualified_arn
    d = module.fns.arn, e = "arn:aws:states:::sns:publish", f = { nested = "}" }
    g = aws_sqs_queue.q.arn })
}
"""
    out = documents.terraform_substitutions(tf, "x.asl.json", "main.tf")
    assert {k: v.kind for k, v in out.items()} == {
        "a": asl.LAMBDA,
        "b": asl.OTHER,
        "c": asl.LAMBDA,
        "e": asl.OTHER,
        "g": asl.OTHER,
    }


PULUMI_FORMAT = """
import json
import string
import pulumi
import pulumi_aws as aws

fn = aws.lambda_.Function("fn", runtime="python3.12", handler="index.handler", role=role.arn)
activity = aws.sfn.Activity("review")
TEMPLATE = string.Template(json.dumps({
    "StartAt": "Run",
    "States": {
        "Run": {"Type": "Task", "Resource": "${RunArn}", "Next": "Review"},
        "Review": {"Type": "Task", "Resource": "${ReviewArn}", "Next": "Other"},
        "Other": {"Type": "Task", "Resource": "${OtherArn}", "End": True},
    },
}))
definition = pulumi.Output.all(fn.arn, activity.id).apply(
    lambda args: TEMPLATE.substitute(RunArn=args[0], ReviewArn=args[1], OtherArn=other)
)
"""


def test_python_template_substitute_resolved_by_bindings():
    out, findings = fix_text(RULE, PULUMI_FORMAT, unsafe=True, options={"add-retry": False})
    assert '"Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "${RunArn}"' in out
    assert '"Resource": "${ReviewArn}"' in out and '"Resource": "${OtherArn}"' in out
    assert len(findings) == 1


PERCENT = '''
import pulumi
import pulumi_aws as aws

fn = aws.lambda_.Function("fn", runtime="python3.12", handler="index.handler", role=role.arn)
queue = aws.sqs.Queue("q")
definition = pulumi.Output.all(fn.arn, queue.arn).apply(lambda args: """{
  "StartAt": "Run",
  "States": {
    "Run": {"Type": "Task", "Resource": "%s", "Next": "Tell"},
    "Tell": {"Type": "Task", "Resource": "%s", "End": true}
  }
}""" % (args[0], args[1]))
other = queue.arn.apply(lambda q: '{{"StartAt": "A", "States": {{"A": {{"Type": "Task", "Resource": "{}", "End": true}}}}}}'.format(q))
formatted = fn.arn.apply(lambda a: '{{"StartAt": "A", "States": {{"A": {{"Type": "Task", "Resource": "{arn}", "End": true}}}}}}'.format(arn=a))
in_dict = fn.arn.apply(lambda a: {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "%s" % a, "End": True}}})
'''


def test_json_templates_built_with_percent_and_format():
    out, findings = fix_text(RULE, PERCENT, options={"add-retry": False})
    assert (
        """"Run": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "%s", "Payload.$": "$"}, "OutputPath": "$.Payload", "Next": "Tell"},"""
        in out
    )
    assert """"Tell": {"Type": "Task", "Resource": "%s", "End": true}""" in out
    assert """"Resource": "{}", "End": true}}}}}}'.format(q)""" in out
    assert (
        """{{"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {{"FunctionName": "{arn}", "Payload.$": "$"}}, "OutputPath": "$.Payload", "End": true}}}}}}'.format(arn=a)"""
        in out
    )
    assert """"Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": "%s" % a""" in out
    assert len(findings) == 3
    assert fix_text(RULE, out, options={"add-retry": False})[0] == out
