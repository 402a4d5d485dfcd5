"""Outputs formatted into strings: placeholder text instead of values (iacmod tests)."""
import pulumi
from pulumi_aws import cloudwatch, s3, sqs

bucket = s3.Bucket("assets")
queue = sqs.Queue("work")
cloudwatch.LogGroup("queue-logs", name=f"/app/{queue.name}", retention_in_days=7)
s3.BucketNotification("notify", bucket=bucket.id, queues=[s3.BucketNotificationQueueArgs(
    queue_arn=str(queue.arn), events=["s3:ObjectCreated:*"], filter_prefix="%s/" % (bucket.bucket,),
)])
cloudwatch.MetricAlarm(
    "depth",
    comparison_operator="GreaterThanThreshold",
    evaluation_periods=1,
    metric_name="ApproximateNumberOfMessagesVisible",
    namespace="AWS/SQS",
    period=60,
    statistic="Average",
    threshold=10,
    dimensions={"QueueName": queue.name},
    alarm_description="Queue {} of bucket {} is backing up".format(queue.name, bucket.bucket),
)
pulumi.export("assets_url", f"https://{bucket.bucket_regional_domain_name}/index.html")
