"""A document holding Outputs, serialized inside another Output's apply (iacmod tests)."""
import json

import pulumi
import pulumi_aws as aws

bucket = aws.s3.Bucket("uploads")
queue = aws.sqs.Queue("uploads-events")
statement = {
    "Effect": "Allow",
    "Principal": {"Service": "s3.amazonaws.com"},
    "Action": "sqs:SendMessage",
    "Condition": {"ArnEquals": {"aws:SourceArn": bucket.arn}},
}
aws.sqs.QueuePolicy(
    "uploads-events-policy",
    queue_url=queue.url,
    policy=queue.arn.apply(lambda arn: json.dumps({"Version": "2012-10-17", "Statement": [statement], "Id": arn})),
)
document = {"Resource": pulumi.Output.concat(bucket.arn, "/*")}
pulumi.export("document", queue.url.apply(lambda url: json.dumps(document, sort_keys=True)))
