"""Python handler code embedded in IaC strings is fixed in place, in its own quoting style."""

from __future__ import annotations

import ast
import textwrap

import pytest

from iacmod.engine import Settings, fix_module_source
from iacmod.iac.embedded import INLINE_CODE, decode, encode
from iacmod.registry import all_rules, default_passes


def run(source: str, unsafe: bool = False):
    settings = Settings(all_rules(), unsafe_fixes=unsafe, passes=default_passes())
    result = fix_module_source(source, settings, "app.py")
    assert not result.errors, result.errors
    return (result.new_code if result.new_code is not None else source), result.findings


def dedent(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


PULUMI = dedent(
    '''
    import pulumi
    import pulumi_aws as aws

    HANDLER = """
    import boto3
    from datetime import datetime

    table = boto3.resource("dynamodb").Table("items")


    def handler(event, context):
        print("seen\\tat", datetime.utcnow().strftime("%H:%M"))
        items = table.query(
            KeyConditionExpression="ItemId = :id",
            ExpressionAttributeValues={":id": event["id"]},
        )["Items"]
        if not items:
            return {"statusCode": 204, "body": ""}
        return {"statusCode": 200, "body": str(len(items))}
    """

    fn = aws.lambda_.Function(
        "items",
        runtime="python3.12",
        handler="index.handler",
        role="arn:aws:iam::123456789012:role/x",
        code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(HANDLER)}),
    )
    '''
)

PULUMI_AFTER = (
    PULUMI.replace(
        "from datetime import datetime\n",
        "from datetime import datetime, timezone\nfrom boto3.dynamodb.conditions import Key\n",
    )
    .replace("datetime.utcnow()", "datetime.now(timezone.utc)")
    .replace(
        """        KeyConditionExpression="ItemId = :id",
        ExpressionAttributeValues={":id": event["id"]},
    )["Items"]""",
        """        KeyConditionExpression=Key("ItemId").eq(event["id"]),
    )["Items"]""",
    )
    .replace('{"statusCode": 204, "body": ""}', '{"statusCode": 204}')
)


def test_pulumi_string_asset_through_a_constant():
    new, findings = run(PULUMI)
    assert new == PULUMI_AFTER
    lines = PULUMI.splitlines()
    by_code = {f.code: f for f in findings}
    # findings point at the real lines and columns of the outer file
    for code, needle in [
        ("IAC101", "datetime.utcnow()"),
        ("IAC102", "KeyConditionExpression"),
        ("IAC104", '"body": ""'),
    ]:
        f = by_code[code]
        assert lines[f.line - 1].find(needle) + 1 == f.column, (code, f.span)
    assert run(new)[0] == new  # idempotent


def test_rewritten_embedded_code_runs_under_moto(monkeypatch):
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    for key, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
    }.items():
        monkeypatch.setenv(key, value)
    new, _ = run(PULUMI)
    module = ast.parse(new)
    handler_code = next(
        node.value.value
        for node in module.body
        if isinstance(node, ast.Assign) and getattr(node.targets[0], "id", "") == "HANDLER"
    )
    with moto.mock_aws():
        table = boto3.resource("dynamodb").create_table(
            TableName="items",
            KeySchema=[{"AttributeName": "ItemId", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "ItemId", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )
        table.put_item(Item={"ItemId": "a", "n": 1})
        namespace: dict = {}
        exec(compile(handler_code, "index.py", "exec"), namespace)
        assert namespace["handler"]({"id": "a"}, None) == {"statusCode": 200, "body": "1"}
        assert namespace["handler"]({"id": "zz"}, None) == {"statusCode": 204}


CDK = dedent(
    """
    from aws_cdk import aws_lambda as lambda_


    def build(scope):
        lambda_.Function(
            scope,
            "Py",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline(
                "import datetime\\n"
                "def handler(event, context):\\n"
                "    return datetime.datetime.utcnow().timestamp()\\n"
            ),
        )
        lambda_.Function(
            scope,
            "Single",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.InlineCode('import datetime\\ndef handler(e, c):\\n    return {\\'statusCode\\': 204, \\'body\\': "x"}\\n'),
        )
        lambda_.Function(
            scope,
            "Node",
            runtime=lambda_.Runtime.NODEJS_20_X,
            handler="index.handler",
            code=lambda_.Code.from_inline("exports.handler = async () => ({statusCode: 204, body: ''});"),
        )
    """
)


def test_cdk_inline_code_single_line_strings_and_node_runtime():
    new, findings = run(CDK)
    # an implicitly concatenated string is reported, not rewritten
    assert "datetime.datetime.utcnow().timestamp()" in new
    assert any(f.code == "IAC101" and "concatenated" in f.message for f in findings)
    # a single-quoted string keeps its escapes and quoting
    assert (
        "code=lambda_.InlineCode('import datetime\\ndef handler(e, c):\\n    return {\\'statusCode\\': 204}\\n'),"
        in new
    )
    # Node.js code is not Python: no finding, untouched
    assert "exports.handler = async () => ({statusCode: 204, body: ''});" in new
    node_line = next(i for i, line in enumerate(CDK.splitlines(), 1) if "exports.handler" in line)
    assert not any(f.line == node_line for f in findings)
    assert run(new)[0] == new


CDKTF = dedent(
    '''
    import textwrap

    from cdktf_cdktf_provider_archive.data_archive_file import DataArchiveFile


    def archive(scope):
        return DataArchiveFile(
            scope,
            "zip",
            type="zip",
            output_path="fn.zip",
            source_content_filename="index.py",
            source_content=textwrap.dedent(r"""
                import datetime

                def handler(event, context):
                    return {"statusCode": 204, "body": "", "at": datetime.datetime.utcnow().isoformat()}
            """),
        )
    '''
)


def test_cdktf_archive_with_dedent_and_raw_string():
    new, findings = run(CDKTF)
    assert new == CDKTF.replace(', "body": ""', "")
    assert [f.code for f in findings if f.fixed] == ["IAC104"]
    # the unsafe datetime fix keeps the indentation inside the dedent
    unsafe, _ = run(CDKTF, unsafe=True)
    assert "datetime.datetime.now(datetime.timezone.utc).isoformat()}" in unsafe
    inner = ast.literal_eval(unsafe.split("textwrap.dedent(")[1].split("),\n")[0])
    compile(textwrap.dedent(inner), "index.py", "exec")


def test_code_that_does_not_parse_is_reported_at_its_line():
    source = dedent(
        '''
        import pulumi

        asset = pulumi.StringAsset("""
        from datetime import datetime
        def handler(event, context)
            return datetime.utcnow()
        """)
        '''
    )
    new, findings = run(source)
    assert new == source
    assert len(findings) == 1
    assert "does not parse" in findings[0].message and findings[0].code == "IAC101"
    assert findings[0].line == 5


def test_f_strings_are_reported_and_left_alone():
    source = dedent(
        '''
        import pulumi

        def asset(table):
            return pulumi.StringAsset(f"""
        from datetime import datetime
        TABLE = "{table}"
        def handler(event, context):
            return datetime.utcnow().isoformat()
        """)
        '''
    )
    new, findings = run(source)
    assert new == source
    assert len(findings) == 1 and "f-string" in findings[0].message


def test_other_strings_are_not_code():
    source = dedent(
        """
        import pulumi

        DOC = "call datetime.utcnow() to get a naive time; return statusCode 204 with body"
        description = pulumi.Output.from_input(DOC)
        """
    )
    assert run(source) == (source, [])


@pytest.mark.parametrize(
    "text",
    ['a"b', 'end"', '""""', "back\\slash", "tab\tand\nnewline", "'''", "x\x00y"],
)
@pytest.mark.parametrize("quote", ['"', "'", '"""', "'''"])
def test_encode_decode_round_trip(text, quote):
    body = encode(text, quote, raw=False)
    assert body is not None
    assert ast.literal_eval(quote + body + quote) == text
    decoded = decode(body, raw=False)
    assert decoded is not None and decoded[0] == text


def test_pass_is_a_default_pass_and_the_engine_runs_only_given_passes():
    assert INLINE_CODE in default_passes()
    source = PULUMI.replace("datetime.utcnow()", "datetime.utcnow().year")
    assert run(source)[0] != source
    # the engine runs the passes it is given, none by default
    assert fix_module_source(source, Settings(all_rules()), "app.py").new_code is None


def test_pass_pickles_for_worker_processes():
    import pickle

    settings = Settings(all_rules(), passes=default_passes())
    assert pickle.loads(pickle.dumps(settings)).passes[0].name == "inline-code"


def test_unfixed_inline_findings_survive_a_second_pass():
    # the nested utcnow calls need two passes; the inline finding (unsafe, not applied) must
    # still be reported after the second one
    source = dedent(
        """
        import datetime
        import pulumi

        x = datetime.datetime.utcfromtimestamp(datetime.datetime.utcnow().timestamp()).year
        asset = pulumi.StringAsset("from datetime import datetime\\nt = datetime.utcnow()\\n")
        """
    )
    new, findings = run(source)
    assert new.count("timezone.utc") == 2 and "t = datetime.utcnow()" in new
    assert [(f.line, f.fixed) for f in findings] == [(4, True), (4, True), (5, False)]
