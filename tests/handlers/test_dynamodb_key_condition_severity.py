"""dynamodb-key-condition says which case a string is (issue 13, item 6): a condition that fails
at run time (a reserved word without a `#name` alias, a placeholder without a value) is an
`error`; a string that works is `info`. The run-time behaviour is checked under moto where moto
checks it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from iacmod.codemods.python.dynamodb_key_condition import DynamodbKeyCondition
from iacmod.findings import Severity
from iacmod.iac.dynamodb_reserved_words import RESERVED_WORDS, is_reserved
from iacmod.testing import fix_text

HEAD = """
import boto3

table = boto3.resource("dynamodb", region_name="us-east-1").Table("orders")

"""


def _finding(body: str):
    source = textwrap.dedent(HEAD) + textwrap.dedent(body)
    new, findings = fix_text(DynamodbKeyCondition, source)
    assert len(findings) == 1, findings
    return new, findings[0]


def test_working_string_is_info():
    _, finding = _finding(
        """
        def orders(user):
            return table.query(KeyConditionExpression="user_id = :u", ExpressionAttributeValues={":u": user})
        """
    )
    assert finding.severity is Severity.INFO
    assert "works; boto3's typed conditions are recommended" in finding.message


def test_aliased_reserved_word_is_info():
    _, finding = _finding(
        """
        def orders(user, ts):
            return table.query(
                KeyConditionExpression="user_id = :u AND #ts > :t",
                ExpressionAttributeNames={"#ts": "timestamp"},
                ExpressionAttributeValues={":u": user, ":t": ts},
            )
        """
    )
    assert finding.severity is Severity.INFO


@pytest.mark.parametrize("word", ["status", "timestamp", "Name", "DATE"])
def test_reserved_word_without_alias_is_error_and_fixed(word):
    new, finding = _finding(
        f"""
        def orders(user, v):
            return table.query(
                KeyConditionExpression="user_id = :u AND {word} = :v",
                ExpressionAttributeValues={{":u": user, ":v": v}},
            )
        """
    )
    assert finding.severity is Severity.ERROR
    assert f"fails at run time (`{word}` is a DynamoDB reserved word" in finding.message
    assert finding.fixable and f'Key("{word}").eq(v)' in new


def test_missing_placeholder_value_is_error():
    _, finding = _finding(
        """
        def orders(user):
            return table.query(
                KeyConditionExpression="user_id = :u AND sk > :sk",
                ExpressionAttributeValues={":u": user},
            )
        """
    )
    assert finding.severity is Severity.ERROR
    assert "`:sk` has no value" in finding.message and not finding.fixable


def test_missing_value_of_the_filter_is_error():
    _, finding = _finding(
        """
        def orders(user):
            return table.query(
                KeyConditionExpression="user_id = :u",
                FilterExpression="amount > :m",
                ExpressionAttributeValues={":u": user},
            )
        """
    )
    assert finding.severity is Severity.ERROR
    assert "`:m` has no value" in finding.message


def test_untraceable_values_stay_info():
    _, finding = _finding(
        """
        def orders(values):
            return table.query(KeyConditionExpression="user_id = :u", ExpressionAttributeValues=values)
        """
    )
    assert finding.severity is Severity.INFO


def test_reserved_words_match_moto_copy_of_the_aws_list():
    moto = pytest.importorskip("moto")
    data = Path(moto.__file__).parent / "dynamodb" / "parsing" / "reserved_keywords.txt"
    if not data.exists():
        pytest.skip("this moto does not ship the list")
    assert RESERVED_WORDS == frozenset(data.read_text().split())
    assert len(RESERVED_WORDS) == 573
    assert is_reserved("status") and is_reserved("Timestamp") and not is_reserved("user_id")


def test_missing_value_fails_under_moto(monkeypatch):
    """The `error` case is a real failure: DynamoDB (moto) rejects the request."""
    boto3 = pytest.importorskip("boto3")
    moto = pytest.importorskip("moto")
    from botocore.exceptions import ClientError

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    with moto.mock_aws():
        resource = boto3.resource("dynamodb", region_name="us-east-1")
        table = resource.create_table(
            TableName="orders",
            KeySchema=[{"AttributeName": "user_id", "KeyType": "HASH"}, {"AttributeName": "sk", "KeyType": "RANGE"}],
            AttributeDefinitions=[
                {"AttributeName": "user_id", "AttributeType": "S"},
                {"AttributeName": "sk", "AttributeType": "N"},
            ],
            BillingMode="PAY_PER_REQUEST",
        )
        with pytest.raises(ClientError):
            table.query(KeyConditionExpression="user_id = :u AND sk > :sk", ExpressionAttributeValues={":u": "a"})
        assert table.query(KeyConditionExpression="user_id = :u", ExpressionAttributeValues={":u": "a"})["Items"] == []
