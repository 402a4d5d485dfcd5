"""A flat Pulumi program with the usual Output misuse (written for iacmod's tests)."""
import json

import pulumi
import pulumi_aws as aws
from pulumi_aws import lambda_, sqs

config = pulumi.Config()
env = config.require("env")

table = aws.dynamodb.Table(
    f"orders-{env}",
    hash_key="id",
    attributes=[aws.dynamodb.TableAttributeArgs(name="id", type="S")],
)
bucket = aws.s3.Bucket("exports")
queue = sqs.Queue("jobs")
api = aws.apigateway.RestApi("api")

role = aws.iam.Role("worker", assume_role_policy=json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                   "Principal": {"Service": "lambda.amazonaws.com"}}],
}))

aws.iam.RolePolicy(
    "worker-access",
    role=role.id,
    policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [
            # the table and its indexes
            {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
             "Resource": [table.arn, f"{table.arn}/index/*"]},
            {"Effect": "Allow", "Action": "s3:PutObject", "Resource": bucket.arn + "/*"},
            {"Effect": "Allow", "Action": "sqs:SendMessage", "Resource": queue.arn},
        ],
    }),
)

queue_policy = {
    "Version": "2012-10-17",
    "Statement": [{
        "Effect": "Allow",
        "Principal": {"Service": "s3.amazonaws.com"},
        "Action": "sqs:SendMessage",
        "Resource": queue.arn,
        "Condition": {"ArnEquals": {"aws:SourceArn": bucket.arn}},
    }],
}
sqs.QueuePolicy("jobs-policy", queue_url=queue.url, policy=json.dumps(queue_policy))

fn = lambda_.Function(
    "handler",
    role=role.arn,
    runtime="python3.12",
    handler="index.handler",
    code=pulumi.AssetArchive({"index.py": pulumi.StringAsset("def handler(e, c):\n    return e\n")}),
    environment=lambda_.FunctionEnvironmentArgs(variables={
        "TABLE": table.name,
        "EXPORT_PREFIX": f"s3://{bucket.id}/exports/",
    }),
)
lambda_.Permission(
    "api-invoke",
    action="lambda:InvokeFunction",
    function=fn.name,
    principal="apigateway.amazonaws.com",
    source_arn=api.execution_arn + "/*/GET/orders",
)
secret = aws.secretsmanager.Secret("db")
aws.secretsmanager.SecretVersion(
    "db-v1",
    secret_id=secret.id,
    secret_string=json.dumps({"username": "app", "password": config.require_secret("dbPassword"),
                              "table": table.name}),
)
pulumi.export("queue_url", "{}".format(queue.url))
pulumi.export("orders_endpoint", f"https://{api.id}.execute-api.us-east-1.amazonaws.com/prod/orders")
