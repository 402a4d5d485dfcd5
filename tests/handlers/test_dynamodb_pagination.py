"""dynamodb-response-get (issue 13, item 5), proven under moto, which cuts `query`/`scan` pages at
1 MB like DynamoDB: a handler that uses one page as the whole result returns fewer items than
the table holds; after the (unsafe) fix it returns all of them, for a resource `Table` (a loop
over `LastEvaluatedKey`) and a client (`get_paginator(...).build_full_result()`). Code that is
already right, or whose subscripts cannot raise, is no longer rewritten."""

from __future__ import annotations

import textwrap

import pytest

boto3 = pytest.importorskip("boto3")
moto = pytest.importorskip("moto")

from iacmod.codemods.python.dynamodb_response_get import DynamodbResponseGet
from iacmod.findings import FixSafety
from iacmod.testing import fix_text

ITEMS = 40
BLOB = 100 * 1024  # 40 items of 100 KB: 4 MB, several pages

HANDLER = textwrap.dedent(
    """
    import boto3
    from boto3.dynamodb.conditions import Attr, Key

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")
    client = boto3.client("dynamodb", region_name="us-east-1")


    def table_query(user):
        response = table.query(KeyConditionExpression=Key("user_id").eq(user))
        return len(response["Items"]), response["Count"]


    def table_scan(kind):
        result = table.scan(FilterExpression=Attr("kind").eq(kind))
        return len(result["Items"]), result["Count"]


    def client_query(user):
        response = client.query(
            TableName="orders",
            KeyConditionExpression="user_id = :u",
            ExpressionAttributeValues={":u": {"S": user}},
        )
        return len(response["Items"]), response["Count"]


    def client_scan():
        response = client.scan(TableName="orders")
        return len(response["Items"]), response["Count"]


    def branches(cached):
        if cached is None:
            response = table.scan()
        else:
            response = cached
        return len(response["Items"]), response["Count"]
    """
)
CALLS = [
    ("table_query", ("alice",)),
    ("table_scan", ("book",)),
    ("client_query", ("alice",)),
    ("client_scan", ()),
    ("branches", (None,)),
]

ALREADY_RIGHT = textwrap.dedent(
    """
    import boto3

    table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")


    def all_items():
        items = []
        kwargs = {}
        while True:
            page = table.scan(**kwargs)
            items.extend(page["Items"])
            if "LastEvaluatedKey" not in page:
                break
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        return items


    def all_items_while():
        response = table.scan()
        items = response["Items"]
        while "LastEvaluatedKey" in response:
            response = table.scan(ExclusiveStartKey=response["LastEvaluatedKey"])
            items.extend(response["Items"])
        return items, response["Count"], response["ScannedCount"]
    """
)


@pytest.fixture()
def aws(monkeypatch):
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SESSION_TOKEN": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    with moto.mock_aws():
        table = boto3.resource("dynamodb", region_name="us-east-1").create_table(
            TableName="orders",
            KeySchema=[
                {"AttributeName": "user_id", "KeyType": "HASH"},
                {"AttributeName": "n", "KeyType": "RANGE"},
            ],
            AttributeDefinitions=[
                {"AttributeName": "user_id", "AttributeType": "S"},
                {"AttributeName": "n", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        with table.batch_writer() as batch:
            for n in range(ITEMS):
                batch.put_item(Item={"user_id": "alice", "n": n, "kind": "book", "blob": "x" * BLOB})
        yield


def _load(source: str) -> dict:
    namespace: dict = {"__name__": "handler"}
    exec(compile(source, "handler.py", "exec"), namespace)
    return namespace


def test_one_page_is_cut_and_the_fix_reads_every_page(aws):
    new, findings = fix_text(DynamodbResponseGet, HANDLER, unsafe=True)
    assert new.count('while "LastEvaluatedKey" in') == 3
    assert new.count(".build_full_result()") == 2
    assert len(findings) == 5 and all(f.safety is FixSafety.UNSAFE for f in findings)
    old_ns, new_ns = _load(HANDLER), _load(new)
    for name, args in CALLS:
        old_items, old_count = old_ns[name](*args)
        assert old_items == old_count < ITEMS, (name, old_items)  # the unfixed handler drops items
        assert new_ns[name](*args) == (ITEMS, ITEMS), name  # the fixed one returns them all
    assert fix_text(DynamodbResponseGet, new, unsafe=True)[0] == new  # a second run changes nothing


def test_the_pagination_fix_needs_unsafe_fixes():
    new, findings = fix_text(DynamodbResponseGet, HANDLER)
    assert new == HANDLER
    assert len(findings) == 5 and all("1 MB" in f.message for f in findings)


def test_code_that_already_pages_is_not_rewritten(aws):
    """Items/Count/ScannedCount are in every response and LastEvaluatedKey is checked first:
    main rewrote each of these subscripts to `.get(...)`, which changed nothing."""
    new, findings = fix_text(DynamodbResponseGet, ALREADY_RIGHT, unsafe=True)
    assert new == ALREADY_RIGHT and findings == []
    ns = _load(ALREADY_RIGHT)
    assert len(ns["all_items"]()) == ITEMS
    assert ns["all_items_while"]()[0].__len__() == ITEMS
    # the defensive style still offers them
    styled, _ = fix_text(DynamodbResponseGet, ALREADY_RIGHT, options={"style": "defensive"})
    assert 'page.get("Items", [])' in styled and 'response.get("Count", 0)' in styled


@pytest.mark.parametrize(
    "call",
    [
        'table.query(KeyConditionExpression=Key("user_id").eq(u) & Key("n").eq(1))',
        'table.query(KeyConditionExpression="user_id = :u AND n = :n", ExpressionAttributeValues={":u": u, ":n": 1})',
        'table.query(KeyConditionExpression=Key("user_id").eq(u), Limit=1)',
    ],
)
def test_queries_that_fit_one_page_are_left_alone(call):
    source = textwrap.dedent(
        f"""
        import boto3
        from boto3.dynamodb.conditions import Key

        table = boto3.resource("dynamodb").Table("orders")

        def get(u):
            response = {call}
            return response["Items"]
        """
    )
    assert fix_text(DynamodbResponseGet, source, unsafe=True) == (source, [])
