"""The DynamoDB handler rules, proven against moto: the rewritten handler returns what the
original returned, for every key-condition shape, and the low-level client code is unchanged."""

from __future__ import annotations

import textwrap
from decimal import Decimal

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from iacmod.codemods.python.dynamodb_key_condition import DynamodbKeyCondition
from iacmod.codemods.python.dynamodb_response_get import DynamodbResponseGet
from iacmod.codemods.python.http_204_no_body import Http204NoBody
from iacmod.testing import fix_text

RULES = [DynamodbKeyCondition, DynamodbResponseGet, Http204NoBody]

HANDLER = textwrap.dedent(
    """
    import os
    import boto3

    dynamodb = boto3.resource("dynamodb", region_name="us-east-1")
    table = dynamodb.Table(os.environ["TABLE_NAME"])
    client = boto3.client("dynamodb", region_name="us-east-1")


    def by_user(user):
        response = table.query(
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues={":u": user},
        )
        return response["Items"]


    def before(user, ts):
        return table.query(
            KeyConditionExpression="user_id = :u AND #ts < :t",
            ExpressionAttributeNames={"#ts": "timestamp"},
            ExpressionAttributeValues={":u": user, ":t": ts},
        )["Items"]


    def up_to(user, ts):
        return table.query(
            KeyConditionExpression="user_id = :u and #ts <= :t",
            ExpressionAttributeNames={"#ts": "timestamp"},
            ExpressionAttributeValues={":u": user, ":t": ts},
        )["Items"]


    def after(user, ts):
        return table.query(
            KeyConditionExpression="(user_id = :u) AND (#ts > :t)",
            ExpressionAttributeNames={"#ts": "timestamp"},
            ExpressionAttributeValues={":u": user, ":t": ts},
        )["Items"]


    def from_(user, ts):
        return table.query(
            KeyConditionExpression="user_id = :u AND #ts >= :t",
            ExpressionAttributeNames={"#ts": "timestamp"},
            ExpressionAttributeValues={":u": user, ":t": ts},
        )["Items"]


    def between(user, low, high):
        return table.query(
            KeyConditionExpression="user_id = :u AND #ts BETWEEN :lo AND :hi",
            ExpressionAttributeNames={"#ts": "timestamp"},
            ExpressionAttributeValues={":u": user, ":lo": low, ":hi": high},
        )["Items"]


    def by_kind_prefix(kind, prefix):
        return table.query(
            IndexName="by-kind",
            KeyConditionExpression="kind = :k AND begins_with(sku, :p)",
            ExpressionAttributeValues={":k": kind, ":p": prefix},
        )["Items"]


    def filtered(user, minimum):
        return table.query(
            KeyConditionExpression="user_id = :u",
            FilterExpression="amount >= :m",
            ProjectionExpression="#ts, amount",
            ExpressionAttributeNames={"#ts": "timestamp"},
            ExpressionAttributeValues={":u": user, ":m": minimum},
        )["Items"]


    def low_level(user):
        response = client.query(
            TableName=os.environ["TABLE_NAME"],
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues={":u": {"S": user}},
        )
        return response["Count"]


    def page(start=None):
        kwargs = {"Limit": 3}
        if start:
            kwargs["ExclusiveStartKey"] = start
        response = table.scan(**kwargs)
        return {"items": response["Items"], "next": response["LastEvaluatedKey"]}


    def first_page():
        result = client.scan(TableName=os.environ["TABLE_NAME"])
        return result["Count"]


    def delete(event, context):
        return {"statusCode": 204, "headers": {"X-Id": event["id"]}, "body": ""}
    """
)

CALLS = [
    ("by_user", ("alice",)),
    ("before", ("alice", 3)),
    ("up_to", ("alice", 3)),
    ("after", ("alice", 3)),
    ("from_", ("alice", 3)),
    ("between", ("alice", 2, 4)),
    ("by_kind_prefix", ("book", "B-1")),
    ("filtered", ("alice", 20)),
    ("low_level", ("alice",)),
    ("first_page", ()),
]


@pytest.fixture()
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        "TABLE_NAME": "orders",
    }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        table = resource.create_table(
            TableName="orders",
            KeySchema=[
                {"AttributeName": "user_id", "KeyType": "HASH"},
                {"AttributeName": "timestamp", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "user_id", "AttributeType": "S"},
                {"AttributeName": "timestamp", "AttributeType": "N"},
                {"AttributeName": "kind", "AttributeType": "S"},
                {"AttributeName": "sku", "AttributeType": "S"},
            ],
            GlobalSecondaryIndexes=[
                {
                    "IndexName": "by-kind",
                    "KeySchema": [
                        {"AttributeName": "kind", "KeyType": "HASH"},
                        {"AttributeName": "sku", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "ALL"},
                }
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        skus = ["B-10", "B-11", "B-20", "C-10", "B-12"]
        for user in ("alice", "bob"):
            for ts in range(1, 6):
                table.put_item(
                    Item={
                        "user_id": user,
                        "timestamp": ts,
                        "kind": "book" if ts % 2 else "music",
                        "sku": skus[ts - 1] + user[0],
                        "amount": Decimal(ts * 10),
                    }
                )
        yield


def _load(source: str) -> dict:
    namespace: dict = {"__name__": "handler"}
    exec(compile(source, "handler.py", "exec"), namespace)
    return namespace


def _normalise(value):
    if isinstance(value, list):
        return sorted((_normalise(v) for v in value), key=repr)
    if isinstance(value, dict):
        return {k: _normalise(v) for k, v in value.items()}
    return value


def test_rewritten_handler_returns_the_same(aws):
    new, findings = fix_text(RULES, HANDLER)
    assert new != HANDLER
    # every string key condition on the resource Table was rewritten; the client's stays
    assert new.count('KeyConditionExpression="') == 1
    assert 'KeyConditionExpression="user_id = :u",\n        ExpressionAttributeValues={":u": {"S": user}}' in new
    assert "from boto3.dynamodb.conditions import Key" in new
    assert 'KeyConditionExpression=Key("user_id").eq(user) & Key("timestamp").between(low, high),\n    )' in new
    assert 'KeyConditionExpression=Key("kind").eq(kind) & Key("sku").begins_with(prefix),\n    )' in new
    # the filter keeps its value and the projection its name placeholder
    assert (
        'KeyConditionExpression=Key("user_id").eq(user),\n'
        '        FilterExpression="amount >= :m",\n'
        '        ProjectionExpression="#ts, amount",\n'
        '        ExpressionAttributeNames={"#ts": "timestamp"},\n'
        '        ExpressionAttributeValues={":m": minimum},\n'
    ) in new
    assert '"body"' not in new
    old_ns, new_ns = _load(HANDLER), _load(new)
    for name, args in CALLS:
        expected = old_ns[name](*args)
        assert expected, f"{name} returned nothing: the fixture does not exercise it"
        assert _normalise(new_ns[name](*args)) == _normalise(expected), name
    # the 1 MB finding on the single-page scan whose Count is used
    assert any(f.code == "IAC103" and not f.fixable and "1 MB" in f.message for f in findings)

    # paging crashed on the last page (no LastEvaluatedKey) and now ends with next=None
    def pages(ns):
        start, seen = None, []
        while True:
            result = ns["page"](start)
            seen.extend(result["items"])
            start = result["next"]
            if start is None:
                return seen

    with pytest.raises(KeyError):
        pages(old_ns)
    assert len(pages(new_ns)) == 10
    assert new_ns["delete"]({"id": "1"}, None) == {"statusCode": 204, "headers": {"X-Id": "1"}}
    # a second run changes nothing
    again, _ = fix_text(RULES, new)
    assert again == new


def test_low_level_client_is_left_alone(aws):
    source = textwrap.dedent(
        """
        import boto3

        client = boto3.client("dynamodb", region_name="us-east-1")

        def count(user):
            return client.query(
                TableName="orders",
                KeyConditionExpression="user_id = :u",
                ExpressionAttributeValues={":u": {"S": user}},
            )
        """
    )
    new, findings = fix_text(DynamodbKeyCondition, source)
    assert new == source and findings == []
    assert _load(source)["count"]("alice")["Count"] == 5


def test_reserved_word_key_fails_as_a_string_and_works_as_key(aws):
    """`timestamp` is a reserved word: DynamoDB rejects the string form (moto does not check
    reserved words, so only the rewrite is run here)."""
    source = textwrap.dedent(
        """
        import boto3

        table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")

        def recent(user, ts):
            return table.query(
                KeyConditionExpression="user_id = :u AND timestamp > :t",
                ExpressionAttributeValues={":u": user, ":t": ts},
            )["Items"]
        """
    )
    new, _ = fix_text(DynamodbKeyCondition, source)
    assert 'Key("user_id").eq(user) & Key("timestamp").gt(ts)' in new
    assert len(_load(new)["recent"]("alice", 3)) == 2


def test_condition_object_with_string_filter_shares_values(aws):
    """boto3 merges its generated placeholders into the caller's ExpressionAttributeValues."""
    table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")
    from boto3.dynamodb.conditions import Key

    items = table.query(
        KeyConditionExpression=Key("user_id").eq("bob"),
        FilterExpression="amount > :m",
        ExpressionAttributeValues={":m": 30},
    )["Items"]
    assert sorted(int(i["timestamp"]) for i in items) == [4, 5]
