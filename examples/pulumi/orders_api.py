"""Orders API: a REST endpoint backed by Lambda and DynamoDB (iacmod example, Pulumi).

Three deploy-breaking mistakes: the integration calls the function's ARN with GET, the on-demand
table declares capacities, and the notifier is "triggered" by the API function through an
event-source mapping.
"""

import json

import pulumi
import pulumi_aws as aws

assume = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}],
})
role = aws.iam.Role("orders-role", assume_role_policy=assume)

orders = aws.dynamodb.Table(
    "orders",
    billing_mode="PAY_PER_REQUEST",
    hash_key="order_id",
    attributes=[aws.dynamodb.TableAttributeArgs(name="order_id", type="S")],
    read_capacity=5,
    write_capacity=5,
)

api_fn = aws.lambda_.Function(
    "orders-api",
    runtime="python3.12",
    handler="orders.handler",
    role=role.arn,
    code=pulumi.FileArchive("../handlers"),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"TABLE": orders.name}),
)
notifier = aws.lambda_.Function(
    "orders-notifier",
    runtime="python3.12",
    handler="notify.handler",
    role=role.arn,
    code=pulumi.FileArchive("../handlers"),
)

api = aws.apigateway.RestApi("orders")
resource = aws.apigateway.Resource("orders", rest_api=api.id, parent_id=api.root_resource_id, path_part="orders")
method = aws.apigateway.Method("list-orders", rest_api=api.id, resource_id=resource.id, http_method="GET",
                               authorization="NONE")
aws.apigateway.Integration(
    "list-orders",
    rest_api=api.id,
    resource_id=resource.id,
    http_method=method.http_method,
    type="AWS_PROXY",
    integration_http_method="GET",
    uri=api_fn.arn,
)

aws.lambda_.EventSourceMapping("notify-on-order", event_source_arn=api_fn.arn, function_name=notifier.name)

pulumi.export("table", orders.name)
