"""Detect-only findings of pulumi-output-json / pulumi-output-string: values the Output
classification cannot decide (``Kind.UNKNOWN``) that look like Outputs are reported, never
rewritten; values that are certainly plain are not reported at all."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from iacmod.codemods.pulumi.output_json import PulumiOutputJson
from iacmod.codemods.pulumi.output_string import PulumiOutputString
from iacmod.findings import FixSafety
from iacmod.testing import fix_text

RULES = [PulumiOutputJson, PulumiOutputString]
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "pulumi-output-json"
HEADER = "import json\nimport os\nimport pulumi\nimport pulumi_aws as aws\n\n"


def run(body: str, header: str = HEADER):
    code = header + textwrap.dedent(body).lstrip("\n")
    new, findings = fix_text(RULES, code)
    return code, new, findings


def detect_only(body: str, header: str = HEADER):
    """The findings of ``body``, which must stay byte-identical and be detect-only."""
    code, new, findings = run(body, header)
    assert new == code
    assert all(f.safety is FixSafety.NONE and not f.fixed for f in findings), findings
    return findings


# -- reported ---------------------------------------------------------------------------------------


def test_json_document_with_unannotated_parameter_attribute():
    findings = detect_only("""
        def grant(name, table):
            return aws.iam.Policy(name, policy=json.dumps({
                "Statement": [{"Action": "dynamodb:GetItem", "Resource": [table.arn, f"{table.arn}/index/*"]}],
            }))
        """)
    assert len(findings) == 1
    (f,) = findings
    assert f.rule == "pulumi-output-json" and f.line == 7
    assert "`table.arn`: `table` is a parameter without a type annotation" in f.message
    assert "annotate `table` with its resource type" in f.message
    assert "`pulumi.Output.all(...).apply(lambda args: json.dumps(...))` by hand" in f.message
    assert "`# iacmod: ignore[pulumi-output-json]`" in f.message
    assert f.message.count("`table.arn`") == 1  # each value named once


def test_caller_passing_an_output_is_named_as_evidence():
    (f,) = detect_only("""
        def role_policy(name, bucket_arn):
            return json.dumps({"Resource": [bucket_arn, f"{bucket_arn}/*"]})

        bucket = aws.s3.Bucket("data")
        role_policy("reader", bucket.arn)
        """)
    assert "`bucket_arn` is a parameter without a type annotation, and a caller passes `bucket.arn`" in f.message


def test_constructor_callers_and_keyword_arguments_are_followed():
    (f,) = detect_only("""
        class Access:
            def __init__(self, name, key_arn=None):
                self.doc = json.dumps({"Resource": key_arn})

        key = aws.kms.Key("k")
        Access("a", key_arn=key.arn)
        """)
    assert "a caller passes `key.arn`" in f.message


def test_one_finding_per_document_naming_every_doubtful_value():
    (f,) = detect_only("""
        def policy(topic, queue):
            return json.dumps({"Resource": [topic.arn, queue.arn, topic.arn], "Url": queue.url})
        """)
    assert "`topic.arn`" in f.message and "`queue.arn`" in f.message and "`queue.url`" in f.message
    assert "annotate `topic`, `queue` with its resource type" in f.message


def test_document_in_a_local_variable_is_reported_once():
    findings = detect_only("""
        def policy(bucket):
            doc = {"Resource": f"{bucket.arn}/*"}
            return json.dumps(doc)
        """)
    assert [f.rule for f in findings] == ["pulumi-output-json"]


@pytest.mark.parametrize(
    "expr, what",
    [
        ('f"{api.execution_arn}/*/GET/orders"', "an f-string"),
        ('api.execution_arn + "/*/GET/orders"', "`+`"),
        ('"{}/*/GET/orders".format(api.execution_arn)', "`str.format`"),
        ('"%s/*/GET/orders" % (api.execution_arn,)', "`%` formatting"),
        ('str(api.id) + "-stage"', "`+`"),
        ("str(api.id)", "`str()`"),
    ],
)
def test_string_building_over_unknown_values(expr, what):
    (f,) = detect_only(f"""
        def permission(name, api):
            return aws.lambda_.Permission(name, action="lambda:InvokeFunction", function="fn",
                                          principal="apigateway.amazonaws.com", source_arn={expr})
        """)
    assert f.rule == "pulumi-output-string"
    assert f.message.startswith(f"{what} over values that may hold a Pulumi Output")
    assert "`api` is a parameter without a type annotation" in f.message
    assert "`# iacmod: ignore[pulumi-output-string]`" in f.message


@pytest.mark.parametrize(
    "body, reason",
    [
        # an attribute of an object returned by a function iacmod does not follow
        (
            """
        def make_bucket(name):
            return aws.s3.Bucket(name)

        logs = make_bucket("logs")
        pulumi.export("logs", f"s3://{logs.bucket}/")
        """,
            "`make_bucket(...)` returns a value iacmod does not follow",
        ),
        # a module attribute imported from another local module
        (
            """
        from . import storage

        pulumi.export("objects", f"{storage.assets.arn}/*")
        """,
            "comes from the module",
        ),
        # an element of an unknown container
        (
            """
        def alarms(functions):
            for key in ["orders", "refunds"]:
                aws.cloudwatch.MetricAlarm(key, alarm_description=f"errors of {functions[key].name}")
        """,
            "`functions` is a parameter without a type annotation",
        ),
        # a loop variable unpacked from a list of resources
        (
            """
        upload = aws.lambda_.Function("upload")
        status = aws.lambda_.Function("status")
        for label, fn in [("upload", upload), ("status", status)]:
            aws.cloudwatch.LogGroup(label, name=f"/aws/lambda/{fn.name}")
        """,
            "`fn` is unpacked in a loop whose values include `upload`",
        ),
        # a parameter annotated with Input[...] / Optional[Resource]
        (
            """
        def log_group(name, function: pulumi.Input[str]):
            return aws.cloudwatch.LogGroup(name, name=f"/aws/lambda/{function}")
        """,
            "`function` is annotated `pulumi.Input[str]`",
        ),
    ],
)
def test_other_unknown_roots(body, reason):
    (f,) = detect_only(body)
    assert reason in f.message, f.message


# -- not reported ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        # literals, f-strings of literals, config values, environment variables
        """
        config = pulumi.Config()
        region = os.environ["AWS_REGION"]
        name = config.require("name")
        doc = json.dumps({"Resource": f"arn:aws:s3:::{name}-{os.getenv('STAGE')}/*", "Region": region})
        label = "queue-" + config.get("suffix") + f"{pulumi.get_stack()}"
        """,
        # values inside .apply callbacks, even when the receiver cannot be classified
        """
        def policy(bucket):
            return bucket.arn.apply(lambda arn: json.dumps({"Resource": f"{arn}/*"}))
        """,
        # loop variables over literal lists, names bound to literals, str.join of literals
        """
        prefix = "app"
        for queue_name in ["orders", "refunds"]:
            aws.sqs.Queue(queue_name, name=f"{prefix}-{queue_name}-{'-'.join(['a', 'b'])}")
        """,
        # parameters annotated with plain types (also generics of them)
        """
        def names(bucket_arn: str, arns: list[str], tags: Optional[Dict[str, str]] = None):
            return json.dumps({"Resource": [bucket_arn] + [f"{a}/*" for a in arns], "Tags": tags})
        """,
        # parameters every caller in the file passes a plain value to
        """
        config = pulumi.Config()

        def key_policy(key_arn, stage):
            return json.dumps({"Resource": key_arn, "Stage": f"{stage}"})

        key_policy(config.require("key_arn"), "prod")
        key_policy(key_arn="arn:aws:kms:us-east-1:123456789012:key/1", stage="dev")
        """,
        # settings objects of a declared (non-Pulumi) type: their plain-looking attributes
        """
        class Settings:
            def __init__(self, name: str):
                self.name = name

        def bucket_name(settings: AppSettings, local: Settings):
            return f"{settings.name}-{settings.region}-{local.name}"
        """,
        # the args of Pulumi mocks are plain values
        """
        class Mocks(pulumi.runtime.Mocks):
            def new_resource(self, args):
                return [f"{args.name}-id", {"arn": f"arn:aws:s3:::{args.name}"}]

            def call(self, args):
                return {}
        """,
        # `+` over numbers builds no string
        """
        def port_after(db):
            return db.port + 1
        """,
        # values that do not look like Outputs
        """
        def describe(name, environment, args):
            return f"{name}-{environment}-{args.environment_suffix}"
        """,
    ],
)
def test_certainly_plain_or_not_output_like_values_are_not_reported(body):
    header = HEADER + "from typing import Dict, Optional\nfrom .settings import AppSettings\n\n"
    code, new, findings = run(body, header)
    assert new == code
    assert findings == [], [f.message for f in findings]


def test_files_without_pulumi_are_not_touched():
    _, _, findings = run(
        """
        def policy(queue):
            return json.dumps({"Resource": queue.queue_arn, "Url": f"{queue.queue_url}"})
        """,
        header="import json\nfrom aws_cdk import aws_sqs as sqs\n\n",
    )
    assert findings == []


def test_a_confirmed_output_still_rewrites_the_whole_document():
    code, new, findings = run("""
        bucket = aws.s3.Bucket("b")

        def policy(table):
            return json.dumps({"Resource": [bucket.arn, table.arn]})
        """)
    assert len(findings) == 1 and findings[0].fixed
    assert (
        "bucket_arn=bucket.arn," in new
        and "table_arn=table.arn," in new
        and "cannot confirm" not in findings[0].message
    )


def test_suppression_comment_silences_the_finding():
    findings = detect_only("""
        def policy(table):
            return json.dumps({"Resource": table.arn})  # iacmod: ignore[pulumi-output-json]

        def name(api):
            # iacmod: ignore[pulumi-output-string]
            return f"{api.id}-stage"
        """)
    assert findings == []


def test_following_the_advice_turns_the_finding_into_a_fix():
    body = """
        def grant(name, table{annotation}):
            return aws.iam.Policy(name, policy=json.dumps({{"Resource": table.arn}}))
        """
    (before,) = detect_only(body.format(annotation=""))
    _, new, (after,) = run(body.format(annotation=": aws.dynamodb.Table"))
    assert after.fixed and after.line == before.line
    assert 'table_arn=table.arn,\n    ).apply(lambda args: json.dumps({"Resource": args["table_arn"]}))' in new


def test_fixture_helpers_module():
    """fixtures/pulumi-output-json/helpers_detect_only.before.py (which must stay byte-identical,
    test_rules checks that): exactly the doubtful documents and strings are reported."""
    code = (FIXTURES / "helpers_detect_only.before.py").read_text()
    new, findings = fix_text(RULES, code, path="helpers.py")
    assert new == code
    lines = code.splitlines()
    reported = sorted((f.rule, f.line) for f in findings)
    expected = sorted(
        (("pulumi-output-json" if "REPORTED: json" in line else "pulumi-output-string"), i + 1)
        for i, line in enumerate(lines)
        if "# REPORTED" in line
    )
    assert reported == expected, [(f.line, f.message) for f in findings]
