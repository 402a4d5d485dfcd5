"""dynamodb-capacity-on-demand proven with the real libraries: Pulumi mocks, CDK synth + cfn-lint, CDKTF synth.

Before: CDK synth throws, cfn-lint reports E3638 on the L1 table, the Pulumi and CDKTF programs
register capacities on an on-demand table (the Terraform plan would reject them). After the safe
fixes: no capacities anywhere on on-demand tables; after the unsafe one, the provisioned table is
on-demand.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from iacmod.codemods.dynamodb.capacity_on_demand import DynamodbCapacityOnDemand
from iacmod.findings import FixSafety
from iacmod.testing import fix_text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from pulumi_mocks import of_type, run_sources  # noqa: E402

PULUMI = """
import pulumi_aws as aws

orders = aws.dynamodb.Table(
    "orders",
    billing_mode="PAY_PER_REQUEST",
    hash_key="pk",
    attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
    read_capacity=5,
    write_capacity=5,
)
events = aws.dynamodb.Table(
    "events",
    aws.dynamodb.TableArgs(
        billing_mode="PROVISIONED",
        hash_key="pk",
        attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
        read_capacity=10,
        write_capacity=10,
    ),
)
"""


def test_pulumi_tables_register_no_capacities(tmp_path: Path) -> None:
    safe, findings = fix_text(DynamodbCapacityOnDemand, PULUMI)
    assert sorted(f.safety.value for f in findings) == ["safe", "unsafe"]
    unsafe, _ = fix_text(DynamodbCapacityOnDemand, PULUMI, unsafe=True)
    reports = run_sources({"before": PULUMI, "safe": safe, "unsafe": unsafe}, tmp_path)
    tables = {key: of_type(report, "aws:dynamodb/table:Table") for key, report in reports.items()}
    assert all(report["error"] is None for report in reports.values())
    assert tables["before"]["orders"]["readCapacity"] == 5
    for key in ("safe", "unsafe"):
        assert "readCapacity" not in tables[key]["orders"] and "writeCapacity" not in tables[key]["orders"]
        assert tables[key]["orders"]["billingMode"] == "PAY_PER_REQUEST"
    assert tables["safe"]["events"] == tables["before"]["events"]
    assert tables["unsafe"]["events"]["billingMode"] == "PAY_PER_REQUEST"
    assert "readCapacity" not in tables["unsafe"]["events"]


CDK = """
from aws_cdk import App, Stack
from aws_cdk import aws_dynamodb as dynamodb


class Tables(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        pk = dynamodb.Attribute(name="pk", type=dynamodb.AttributeType.STRING)
        orders = dynamodb.Table(self, "Orders", partition_key=pk,
                                billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                                read_capacity=5, write_capacity=5)
        orders.add_global_secondary_index(
            index_name="by-user",
            partition_key=dynamodb.Attribute(name="user", type=dynamodb.AttributeType.STRING),
            read_capacity=5,
            write_capacity=5,
        )
        throughput = dynamodb.CfnTable.ProvisionedThroughputProperty(read_capacity_units=5, write_capacity_units=5)
        dynamodb.CfnTable(
            self, "Raw",
            billing_mode="PAY_PER_REQUEST",
            key_schema=[dynamodb.CfnTable.KeySchemaProperty(attribute_name="pk", key_type="HASH")],
            attribute_definitions=[
                dynamodb.CfnTable.AttributeDefinitionProperty(attribute_name="pk", attribute_type="S"),
                dynamodb.CfnTable.AttributeDefinitionProperty(attribute_name="g", attribute_type="S"),
            ],
            provisioned_throughput=throughput,
            global_secondary_indexes=[dynamodb.CfnTable.GlobalSecondaryIndexProperty(
                index_name="by-g",
                key_schema=[dynamodb.CfnTable.KeySchemaProperty(attribute_name="g", key_type="HASH")],
                projection=dynamodb.CfnTable.ProjectionProperty(projection_type="ALL"),
                provisioned_throughput=throughput,
            )],
        )


app = App()
Tables(app, "Tables")
TEMPLATE = app.synth().get_stack_by_name("Tables").template
"""


def _synth_cdk(code: str) -> dict:
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(code, "app.py", "exec"), namespace)
    return namespace["TEMPLATE"]


def _lint(template: dict) -> list[str]:
    from cfnlint.api import ManualArgs, lint

    return [m.rule.id for m in lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))]


def test_cdk_synth_throws_before_and_passes_cfn_lint_after() -> None:
    with pytest.raises(Exception, match="PAY_PER_REQUEST"):
        _synth_cdk(CDK)
    # the L1 table alone, as written: cfn-lint reports E3638
    l1_only = CDK.replace("read_capacity=5, write_capacity=5)", ")").replace(
        "            read_capacity=5,\n            write_capacity=5,\n", ""
    )
    assert "E3638" in _lint(_synth_cdk(l1_only))
    fixed, findings = fix_text(DynamodbCapacityOnDemand, CDK)
    assert len(findings) == 4 and all(f.fixed and f.safety is FixSafety.SAFE for f in findings)
    template = _synth_cdk(fixed)
    tables = [r["Properties"] for r in template["Resources"].values() if r["Type"] == "AWS::DynamoDB::Table"]
    assert len(tables) == 2
    for table in tables:
        assert table["BillingMode"] == "PAY_PER_REQUEST" and "ProvisionedThroughput" not in table
        assert all("ProvisionedThroughput" not in index for index in table["GlobalSecondaryIndexes"])
    assert not [rule for rule in _lint(template) if rule.startswith("E")]


CDKTF = """
import sys
from cdktf import App, TerraformStack
from cdktf_cdktf_provider_aws.provider import AwsProvider
from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable, DynamodbTableAttribute


class Tables(TerraformStack):
    def __init__(self, scope, ns):
        super().__init__(scope, ns)
        AwsProvider(self, "aws", region="us-east-1")
        DynamodbTable(self, "orders", name="orders", billing_mode="PAY_PER_REQUEST", hash_key="pk",
                      attribute=[DynamodbTableAttribute(name="pk", type="S")], read_capacity=5, write_capacity=5)


app = App(outdir=sys.argv[1])
Tables(app, "tables")
app.synth()
"""


def test_cdktf_table_synthesizes_without_capacities(tmp_path: Path) -> None:
    pytest.importorskip("cdktf_cdktf_provider_aws")
    fixed, findings = fix_text(DynamodbCapacityOnDemand, CDKTF)
    assert len(findings) == 1 and findings[0].fixed
    program = tmp_path / "main.py"
    program.write_text(fixed)
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, str(program), str(out)], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-3000:]
    table = json.loads((out / "stacks" / "tables" / "cdk.tf.json").read_text())["resource"]["aws_dynamodb_table"]
    assert table["orders"]["billing_mode"] == "PAY_PER_REQUEST"
    assert "read_capacity" not in table["orders"] and "write_capacity" not in table["orders"]
