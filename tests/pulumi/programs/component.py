"""A ComponentResource with `self.` attributes and containers of resources (iacmod tests)."""
import json

from pulumi import ComponentResource, Output, ResourceOptions, export
from pulumi_aws import iam, sns, sqs, sfn, lambda_


class Pipeline(ComponentResource):
    def __init__(self, name: str, opts: ResourceOptions | None = None) -> None:
        super().__init__("iacmod:test:Pipeline", name, None, opts)
        child = ResourceOptions(parent=self)
        self.topic = sns.Topic(f"{name}-events", opts=child)
        self.queues = [sqs.Queue(f"{name}-q{i}", opts=child) for i in range(2)]
        self.functions = {}
        for step in ("validate", "store"):
            self.functions[step] = lambda_.Function(
                f"{name}-{step}", role="arn:aws:iam::123456789012:role/fn", runtime="python3.12",
                handler="index.handler", opts=child,
            )
        self.role = iam.Role(f"{name}-sfn", assume_role_policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                           "Principal": {"Service": "states.amazonaws.com"}}],
        }), opts=child)
        invoke_policy = {
            "Version": "2012-10-17",
            "Statement": [{
                "Effect": "Allow",
                "Action": "lambda:InvokeFunction",
                "Resource": [f.arn for f in self.functions.values()],
            }],
        }
        iam.RolePolicy(f"{name}-invoke", role=self.role.id, policy=json.dumps(invoke_policy), opts=child)
        self.machine = sfn.StateMachine(
            f"{name}-machine",
            role_arn=self.role.arn,
            definition=json.dumps({
                "StartAt": "Validate",
                "States": {
                    "Validate": {"Type": "Task", "Resource": self.functions["validate"].arn, "Next": "Store"},
                    "Store": {"Type": "Task", "Resource": self.functions["store"].arn, "Next": "Notify"},
                    "Notify": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::sns:publish",
                        "Parameters": {"TopicArn": self.topic.arn, "Message.$": "$"},
                        "End": True,
                    },
                },
            }),
            opts=child,
        )
        for index, queue in enumerate(self.queues):
            sns.TopicSubscription(f"{name}-sub{index}", topic=self.topic.arn, protocol="sqs",
                                  endpoint=queue.arn, opts=child)
            sqs.QueuePolicy(f"{name}-qp{index}", queue_url=queue.url, policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": {"Service": "sns.amazonaws.com"},
                               "Action": "sqs:SendMessage", "Resource": queue.arn,
                               "Condition": {"ArnEquals": {"aws:SourceArn": self.topic.arn}}}],
            }), opts=child)
        self.dashboard_url = f"https://console.aws.amazon.com/states/home#/statemachines/view/{self.machine.arn}"
        self.register_outputs({})


def alarm_topic_policy(topic: sns.Topic, publisher_arn: Output[str]) -> Output[str]:
    return json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": publisher_arn},
                       "Action": "sns:Publish", "Resource": topic.arn}],
    })


pipeline = Pipeline("orders")
sns.TopicPolicy("orders-topic-policy", arn=pipeline.topic.arn,
                policy=alarm_topic_policy(pipeline.topic, pipeline.role.arn))
export("first_queue", pipeline.queues[0].url)
export("topic_and_role", pipeline.topic.arn + "|" + str(pipeline.role.arn))
