"""Background jobs: a warm report API, a nightly export and a queue worker (iacmod example, Pulumi).

Three mistakes that `pulumi up` or the running system reveal too late: provisioned concurrency on
a function that publishes no version, a schedule whose Lambda target nobody allowed EventBridge to
invoke, and a worker that may run longer than its queue hides a message.
"""

import json

import pulumi
import pulumi_aws as aws

assume = json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}],
})
role = aws.iam.Role("jobs-role", assume_role_policy=assume)
code = pulumi.FileArchive("./jobs")

reports = aws.lambda_.Function(
    "reports",
    runtime="python3.12",
    handler="reports.handler",
    role=role.arn,
    code=code,
)
aws.lambda_.ProvisionedConcurrencyConfig(
    "reports-warm",
    function_name=reports.name,
    qualifier=reports.version,
    provisioned_concurrent_executions=2,
)

export = aws.lambda_.Function(
    "export",
    runtime="python3.12",
    handler="export.handler",
    role=role.arn,
    code=code,
    timeout=300,
)
nightly = aws.cloudwatch.EventRule("nightly", schedule_expression="cron(0 2 * * ? *)")
aws.cloudwatch.EventTarget("nightly-export", rule=nightly.name, arn=export.arn)

tasks = aws.sqs.Queue("tasks", message_retention_seconds=345600)
worker = aws.lambda_.Function(
    "worker",
    runtime="python3.12",
    handler="worker.handler",
    role=role.arn,
    code=code,
    timeout=120,
)
aws.lambda_.EventSourceMapping("tasks-worker", event_source_arn=tasks.arn, function_name=worker.name, batch_size=5)

pulumi.export("tasks_url", tasks.url)
