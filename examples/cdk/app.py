"""Jobs service on AWS CDK (bundled example: `iacmod apply --all --dry-run examples/`)."""

from aws_cdk import App, Duration, Stack
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_lambda_event_sources as sources
from aws_cdk import aws_sqs as sqs
from constructs import Construct


class JobsStack(Stack):
    def __init__(self, scope: Construct, construct_id: str, **kwargs) -> None:
        super().__init__(scope, construct_id, **kwargs)
        dead_letters = sqs.Queue(self, "DeadLetters", retention_period=Duration.days(14))
        jobs = sqs.Queue(
            self,
            "Jobs",
            visibility_timeout=Duration.seconds(180),  # 6x the worker's timeout
            dead_letter_queue=sqs.DeadLetterQueue(max_receive_count=3, queue=dead_letters),
        )
        worker = lambda_.Function(
            self,
            "Worker",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="worker.handler",
            code=lambda_.Code.from_asset("handlers"),
            timeout=Duration.seconds(30),
        )
        worker.add_event_source(sources.SqsEventSource(jobs, batch_size=10))


app = App()
JobsStack(app, "Jobs")
app.synth()
