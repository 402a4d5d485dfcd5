"""Order API handler (bundled example: `iacmod apply --all --dry-run examples/`)."""

import json
import os
from datetime import datetime

import boto3

TABLE = boto3.resource("dynamodb").Table(os.environ["TABLE_NAME"])


def create_order(event, context):
    body = json.loads(event["body"])
    order = {
        "pk": f"ORDER#{body['id']}",
        # the partition for the daily report
        "day": datetime.utcnow().strftime("%Y-%m-%d"),
        "created_at": datetime.utcnow().isoformat(),
        "expires_at": int(datetime.utcnow().timestamp()) + 30 * 24 * 3600,
    }
    TABLE.put_item(Item=order)
    return {"statusCode": 201, "body": json.dumps(order)}


def orders_of_day(event, context):
    day = event["pathParameters"]["day"]
    response = TABLE.query(
        IndexName="by-day",
        KeyConditionExpression="#d = :day AND begins_with(pk, :prefix)",
        ExpressionAttributeNames={"#d": "day"},
        ExpressionAttributeValues={":day": day, ":prefix": "ORDER#"},
    )
    items = response["Items"]
    return {"statusCode": 200, "body": json.dumps(items)}


def delete_order(event, context):
    TABLE.delete_item(Key={"pk": event["pathParameters"]["id"]})
    return {"statusCode": 204, "body": json.dumps({"deleted": True})}
