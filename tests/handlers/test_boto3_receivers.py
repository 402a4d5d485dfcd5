"""What a boto3 receiver is (iacmod.iac.boto3 on the binding tracker): names by the assignments
each use sees, self.x per class, the module's helper functions, `.meta.client`."""

from __future__ import annotations

import textwrap

import pytest

from iacmod.codemods.python.dynamodb_response_get import DynamodbResponseGet
from iacmod.testing import fix_text

HEAD = "import boto3\n\n"


def reported(code: str) -> bool:
    _, findings = fix_text(DynamodbResponseGet, textwrap.dedent(code).lstrip("\n"))
    return bool(findings)


@pytest.mark.parametrize(
    "code, expected",
    [
        (HEAD + "table = boto3.resource('dynamodb').Table('t')\nitems = table.query()['Items']\n", True),
        (HEAD + "client = boto3.client('dynamodb')\nitems = client.scan(TableName='t')['Items']\n", True),
        (
            HEAD
            + "db = boto3.resource('dynamodb')\nclient = db.meta.client\nitems = client.scan(TableName='t')['Items']\n",
            True,
        ),
        (HEAD + "s = boto3.Session()\nt = s.resource('dynamodb').Table('t')\nitems = t.scan()['Items']\n", True),
        (HEAD + "s3 = boto3.client('s3')\nitems = s3.scan()['Items']\n", False),
        # a helper of the module (with or without arguments) that returns the table
        (
            HEAD + "def get_table(name):\n    return boto3.resource('dynamodb').Table(name)\n"
            "items = get_table('t').query()['Items']\n",
            True,
        ),
        # self.x of the class the method is in
        (
            HEAD + "class Repo:\n    def __init__(self):\n        self.table = boto3.resource('dynamodb').Table('t')\n"
            "    def all(self):\n        return self.table.scan()['Items']\n",
            True,
        ),
        (
            HEAD + "class Repo:\n    def __init__(self):\n        self.table = boto3.resource('dynamodb').Table('t')\n"
            "class Other:\n    def all(self):\n        return self.table.scan()['Items']\n",
            False,
        ),
        # a parameter is unknown
        (HEAD + "def handler(table):\n    return table.scan()['Items']\n", False),
        # a name reused for another call later: each use sees the assignments before it
        (
            HEAD + "t = boto3.resource('dynamodb').Table('t')\ndef h():\n    r = t.query()\n    x = r['Items']\n"
            "    r = t.update_item(Key={})\n    return r['Attributes']\n",
            True,
        ),
    ],
)
def test_receivers(code: str, expected: bool) -> None:
    assert reported(code) is expected
