"""Resource options: retained or not, and the retaining option written into existing options."""

from __future__ import annotations

import textwrap
from typing import Any

import libcst as cst
import pytest

from iacmod.edit.symbols import reference
from iacmod.iac import catalog
from iacmod.iac.options import Options

from .test_model import Probe, probe

TYPES = (catalog.DYNAMODB_TABLE, catalog.SQS_QUEUE, catalog.S3_BUCKET)


def first(code: str) -> tuple[Any, Options]:
    Probe.types = TYPES
    try:
        rule = probe(code)
    finally:
        Probe.types = (catalog.SQS_QUEUE, catalog.LAMBDA_FUNCTION)
    res, _ = rule.seen[0]
    return rule, Options(rule, res)


def retain(code: str) -> str | None:
    rule, options = first(code)
    edit = options.retain(lambda q: reference(rule, options.resource.call, q))
    if edit is None:
        return None

    class Apply(cst.CSTTransformer):
        def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Any:
            return edit.changes.get(original, updated)

    imports = "".join(f"from {i.module} import {i.name}\n" for i in edit.imports)
    return imports + rule.module.visit(Apply()).code


@pytest.mark.parametrize(
    ("code", "retained"),
    [
        ("import pulumi_aws as aws\naws.dynamodb.Table('t')", False),
        ("import pulumi, pulumi_aws as aws\naws.dynamodb.Table('t', opts=pulumi.ResourceOptions(protect=True))", True),
        (
            "import pulumi, pulumi_aws as aws\naws.dynamodb.Table('t', opts=pulumi.ResourceOptions(retain_on_delete=True))",
            True,
        ),
        ("import pulumi, pulumi_aws as aws\naws.dynamodb.Table('t', opts=pulumi.ResourceOptions(parent=self))", False),
        ("import pulumi, pulumi_aws as aws\naws.dynamodb.Table('t', opts=pulumi.ResourceOptions(protect=prod))", None),
        ("import pulumi_aws as aws\naws.dynamodb.Table('t', opts=opts)", None),
        ("from aws_cdk import aws_dynamodb as ddb\nddb.Table(self, 'T')", True),  # CDK default: RETAIN
        ("from aws_cdk import aws_sqs as sqs\nsqs.Queue(self, 'Q')", False),  # CDK default: DESTROY
        (
            "from aws_cdk import RemovalPolicy, aws_s3 as s3\ns3.Bucket(self, 'B', removal_policy=RemovalPolicy.DESTROY)",
            False,
        ),
        ("import aws_cdk as cdk\ncdk.aws_s3.Bucket(self, 'B', removal_policy=cdk.RemovalPolicy.SNAPSHOT)", True),
        ("from aws_cdk import aws_s3 as s3\ns3.Bucket(self, 'B', removal_policy=policy)", None),
        ("from aws_cdk import aws_dynamodb as ddb\nddb.CfnTable(self, 'T')", False),  # L1: CloudFormation deletes
        ("from imports.aws.dynamodb_table import DynamodbTable\nDynamodbTable(self, 't')", False),
        (
            "from cdktf import TerraformResourceLifecycle as L\nfrom imports.aws.dynamodb_table import DynamodbTable\n"
            "DynamodbTable(self, 't', lifecycle=L(prevent_destroy=True))",
            True,
        ),
        (
            "from imports.aws.dynamodb_table import DynamodbTable\nDynamodbTable(self, 't', lifecycle={'prevent_destroy': True})",
            True,
        ),
        ("from imports.aws.dynamodb_table import DynamodbTable\nDynamodbTable(self, 't', lifecycle=life)", None),
    ],
)
def test_retained(code: str, retained: bool | None) -> None:
    assert first(code)[1].retained() is retained


def test_removal_policy_applied_later() -> None:
    code = "from aws_cdk import RemovalPolicy, aws_s3 as s3\nb = s3.Bucket(self, 'B')\nb.apply_removal_policy(RemovalPolicy.DESTROY)\n"
    rule, options = first(code)
    call = rule.module.body[2].body[0].value  # type: ignore[attr-defined]
    assert Options(rule, options.resource, (call,)).retained() is False


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        (
            "import pulumi\nimport pulumi_aws as aws\naws.dynamodb.Table('t', hash_key='pk')\n",
            "import pulumi\nimport pulumi_aws as aws\naws.dynamodb.Table('t', hash_key='pk', opts=pulumi.ResourceOptions(retain_on_delete=True))\n",
        ),
        (
            "import pulumi_aws as aws\naws.dynamodb.Table('t')\n",
            "from pulumi import ResourceOptions\nimport pulumi_aws as aws\naws.dynamodb.Table('t', opts=ResourceOptions(retain_on_delete=True))\n",
        ),
        (
            "import pulumi\nimport pulumi_aws as aws\naws.dynamodb.Table(\n    't',\n    opts=pulumi.ResourceOptions(parent=self),  # keep\n)\n",
            "import pulumi\nimport pulumi_aws as aws\naws.dynamodb.Table(\n    't',\n    opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),  # keep\n)\n",
        ),
        (
            "from aws_cdk import RemovalPolicy, aws_s3 as s3\ns3.Bucket(self, 'B', removal_policy=RemovalPolicy.DESTROY)\n",
            "from aws_cdk import RemovalPolicy, aws_s3 as s3\ns3.Bucket(self, 'B', removal_policy=RemovalPolicy.RETAIN)\n",
        ),
        (
            "import aws_cdk as cdk\ncdk.aws_sqs.Queue(self, 'Q')\n",
            "import aws_cdk as cdk\ncdk.aws_sqs.Queue(self, 'Q', removal_policy=cdk.RemovalPolicy.RETAIN)\n",
        ),
        (
            "from imports.aws.dynamodb_table import DynamodbTable\nDynamodbTable(self, 't')\n",
            "from cdktf import TerraformResourceLifecycle\nfrom imports.aws.dynamodb_table import DynamodbTable\n"
            "DynamodbTable(self, 't', lifecycle=TerraformResourceLifecycle(prevent_destroy=True))\n",
        ),
        (
            "from imports.aws.dynamodb_table import DynamodbTable\nDynamodbTable(self, 't', lifecycle={'create_before_destroy': True})\n",
            "from imports.aws.dynamodb_table import DynamodbTable\n"
            "DynamodbTable(self, 't', lifecycle={'create_before_destroy': True, \"prevent_destroy\": True})\n",
        ),
    ],
)
def test_retain_merges_into_existing_options(code: str, expected: str) -> None:
    assert retain(code) == expected


@pytest.mark.parametrize(
    "code",
    [
        "import pulumi_aws as aws\naws.dynamodb.Table('t', opts=base_opts)\n",
        "from aws_cdk import aws_s3 as s3\ns3.Bucket(self, 'B', removal_policy=policy, **kw)\n",
        "from aws_cdk import aws_dynamodb as ddb\nddb.CfnTable(self, 'T')\n",
    ],
)
def test_no_edit_where_the_code_does_not_say(code: str) -> None:
    assert retain(textwrap.dedent(code)) is None
