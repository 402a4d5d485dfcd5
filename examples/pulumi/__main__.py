"""Orders service on Pulumi (bundled example: `iacmod apply --all --dry-run examples/`)."""

import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
stage = config.get("stage") or "dev"

table = aws.dynamodb.Table(
    "orders",
    attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
    hash_key="pk",
    billing_mode="PAY_PER_REQUEST",
)

role = aws.iam.Role(
    "orders-fn-role",
    assume_role_policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}],
    }),
)

aws.iam.RolePolicy(
    "orders-fn-table-access",
    role=role.id,
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Action": ["dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:Query"],
                # the table and its indexes
                "Resource": [table.arn, f"{table.arn}/index/*"],
            }
        ],
    }),
)

fn = aws.lambda_.Function(
    "orders-fn",
    runtime="python3.12",
    role=role.arn,
    handler="index.handler",
    code=pulumi.AssetArchive({
        "index.py": pulumi.StringAsset("""
import json
from datetime import datetime


def handler(event, context):
    return {"statusCode": 200, "body": json.dumps({"day": datetime.utcnow().strftime("%Y-%m-%d")})}
"""),
    }),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE_NAME": table.name}),
)

api = aws.apigateway.RestApi("orders-api")
aws.lambda_.Permission(
    "orders-api-invoke",
    action="lambda:InvokeFunction",
    function=fn.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn + "/*/GET/orders",
)

aws.cloudwatch.MetricAlarm(
    "orders-fn-errors",
    namespace="AWS/Lambda",
    metric_name="Errors",
    statistic="Sum",
    period=300,
    evaluation_periods=1,
    threshold=5,
    comparison_operator="GreaterThanThreshold",
    dimensions={"FunctionName": fn.name},
    alarm_description="Orders function errors",
)

pulumi.export("table_name", table.name)
pulumi.export("orders_url", f"https://{api.id}.execute-api.us-east-1.amazonaws.com/{stage}/orders")
