"""datetime-utcnow and dynamodb-key-condition name what they add through
iacmod.edit.symbols.reference: the file's own import if it has one, else a new import, else
(the name is taken) no fix."""

from __future__ import annotations

import re
import textwrap

import pytest

from iacmod.codemods.python.datetime_utcnow import DatetimeUtcnow
from iacmod.codemods.python.dynamodb_key_condition import DynamodbKeyCondition
from iacmod.testing import fix_text


def fixed(rule, code: str) -> str:  # type: ignore[no-untyped-def]
    new, _ = fix_text(rule, textwrap.dedent(code).lstrip("\n"), unsafe=True)
    return new


@pytest.mark.parametrize(
    "head, call",
    [
        ("from datetime import datetime\n", "datetime.now(timezone.utc)"),
        ("from datetime import datetime, timezone as tz\n", "datetime.now(tz.utc)"),
        ("from datetime import datetime, UTC\n", "datetime.now(UTC)"),
        ("import datetime\n", "datetime.datetime.now(datetime.timezone.utc)"),
        # the module bound at module level under another name: no new import
        ("import datetime as dt\nfrom datetime import datetime\n", "datetime.now(dt.timezone.utc)"),
    ],
)
def test_utc(head: str, call: str) -> None:
    utcnow = "datetime.datetime.utcnow()" if head == "import datetime\n" else "datetime.utcnow()"
    new = fixed(DatetimeUtcnow, f"{head}stamp = {utcnow}.strftime('%Y')\n")
    assert f"stamp = {call}.strftime('%Y')" in new
    imports_timezone = re.search(r"^from datetime import .*\btimezone\b(?! as)", new, re.M) is not None
    assert imports_timezone == (call == "datetime.now(timezone.utc)")


def test_utc_name_taken() -> None:
    code = "from datetime import datetime\ntimezone = 'x'\nstamp = datetime.utcnow().strftime('%Y')\n"
    assert fixed(DatetimeUtcnow, code) == code


QUERY = (
    "import boto3\n{head}table = boto3.resource('dynamodb').Table('t')\n"
    "r = table.query(KeyConditionExpression='pk = :v', ExpressionAttributeValues={{':v': 1}})\n"
)


@pytest.mark.parametrize(
    "head, key, imported",
    [
        ("", "Key", True),
        ("from boto3.dynamodb.conditions import Key as K\n", "K", False),
        ("from boto3.dynamodb import conditions\n", "conditions.Key", False),
        ("import boto3.dynamodb.conditions\n", "boto3.dynamodb.conditions.Key", False),
    ],
)
def test_key(head: str, key: str, imported: bool) -> None:
    # `import boto3` alone does not import boto3.dynamodb.conditions: never `boto3.dynamodb.conditions.Key`
    new = fixed(DynamodbKeyCondition, QUERY.format(head=head))
    assert f'KeyConditionExpression={key}("pk").eq(1)' in new.replace("'", '"')
    assert ("from boto3.dynamodb.conditions import Key\n" in new) == imported
