"""Correct Pulumi code that the output rules must leave byte-identical (iacmod tests)."""
import json

import pulumi
import pulumi_aws as aws

config = pulumi.Config()
env = config.get("env") or "dev"
bucket = aws.s3.Bucket(f"site-{env}-{pulumi.get_stack()}")
queue = aws.sqs.Queue("jobs", tags={"env": env, "name": f"jobs-{env}"})
static_policy = json.dumps({"Version": "2012-10-17", "Statement": []})

aws.s3.BucketPolicy("site", bucket=bucket.id, policy=pulumi.Output.all(
    bucket_arn=bucket.arn,
).apply(lambda args: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                   "Resource": f"{args['bucket_arn']}/*"}],
})))
aws.sqs.QueuePolicy("jobs-policy", queue_url=queue.url, policy=queue.arn.apply(lambda arn: json.dumps({
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": arn}],
})))
aws.sqs.QueuePolicy("jobs-2", queue_url=queue.url,
                    policy=pulumi.Output.json_dumps({"Version": "2012-10-17", "Statement": [
                        {"Effect": "Allow", "Principal": "*", "Action": "sqs:SendMessage", "Resource": queue.arn}]}))
pulumi.export("objects", pulumi.Output.concat(bucket.arn, "/*"))
pulumi.export("static", static_policy)
pulumi.export("url", bucket.bucket.apply(lambda name: f"https://{name}.s3.amazonaws.com"))
