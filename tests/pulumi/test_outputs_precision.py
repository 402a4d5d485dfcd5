"""Values the Output classification used to take for (possible) Outputs and that are plain, and a
document serialized inside an ``.apply`` callback while it holds Outputs from outside it."""

from __future__ import annotations

import textwrap

from iacmod.codemods.pulumi.output_json import PulumiOutputJson
from iacmod.codemods.pulumi.output_string import PulumiOutputString
from iacmod.findings import FixSafety
from iacmod.testing import fix_text

RULES = [PulumiOutputJson, PulumiOutputString]
HEADER = "import json\nimport os\nimport pulumi\nimport pulumi_aws as aws\n\n"


def run(body: str, header: str = HEADER):
    code = header + textwrap.dedent(body).lstrip("\n")
    return code, *fix_text(RULES, code, unsafe=True)


def test_resource_name_is_a_plain_str():
    """``Resource._name`` is the ``str`` the resource was created with (pulumi.Resource)."""
    code, new, findings = run("""
        bucket = aws.s3.Bucket("data")
        policy = aws.s3.BucketPolicy(f"{bucket._name}-policy", bucket=bucket.id, policy="{}")
        label = bucket._type + ":" + bucket._name
        """)
    assert findings == [] and new == code


def test_automation_api_stack_name_is_a_plain_str():
    """The Automation API runs outside a program: its stacks and results are plain objects."""
    code, new, findings = run("""
        from pulumi import automation as auto

        def deploy(program):
            stack = auto.create_or_select_stack(stack_name="dev", project_name="app", program=program)
            print(f"deploying {stack.name}")
            up = stack.up(on_output=print)
            url = up.outputs["url"].value + "/health"
            other = auto.Stack.select("prod", stack.workspace)
            return "stack " + other.name

        def describe(stack: auto.Stack):
            return f"{stack.name}: {stack.workspace.work_dir}"

        from pulumi.automation import Stack
        print(f"{auto.Stack.name} {Stack.name} {auto.LocalWorkspace().work_dir}")
        """)
    assert findings == [] and new == code


def test_builtins_with_a_fixed_result_type_are_plain():
    """``len``, ``hasattr``, ``isinstance``, … return plain values whatever their arguments: they
    are not resolved with the document's Outputs (nor named as possible Outputs)."""
    code, new, findings = run("""
        def grant(bucket: aws.s3.Bucket, items):
            return json.dumps({
                "Resource": bucket.arn,
                "Count": len(items),
                "Named": hasattr(bucket, "name"),
                "Text": isinstance(items, str),
            })
        """)
    (f,) = findings
    assert "which may be Outputs" not in f.message
    assert new == code.replace(
        "return json.dumps({",
        "return pulumi.Output.all(bucket_arn=bucket.arn).apply(lambda args: json.dumps({",
    ).replace('"Resource": bucket.arn,', '"Resource": args["bucket_arn"],').replace("    })\n", "    }))\n")


def test_document_from_outside_an_apply_callback():
    """``doc`` holds an Output and is serialized inside another Output's ``apply``: the callback
    resolves only its own Output, json.dumps raises TypeError at deployment. Returned by the
    callback: ``pulumi.Output.json_dumps(doc)`` (apply flattens it); used otherwise: reported."""
    code, new, findings = run("""
        bucket = aws.s3.Bucket("data")
        queue = aws.sqs.Queue("jobs")
        doc = {"Statement": [{"Resource": pulumi.Output.concat(bucket.arn, "/*")}]}
        other = queue.url.apply(lambda url: json.dumps(doc, indent=2))
        tags = queue.url.apply(lambda url: {"Policy": json.dumps(doc), "Url": url})
        """)
    assert new == code.replace(
        "lambda url: json.dumps(doc, indent=2)", "lambda url: pulumi.Output.json_dumps(doc, indent=2)"
    )
    assert [(f.line, f.fixed) for f in findings] == [(9, True), (10, False)]
    fixed, reported = findings
    assert "`json.dumps(doc)` inside the `.apply` callback of `queue.url`" in fixed.message
    assert '`pulumi.Output.concat(bucket.arn, "/*")`' in fixed.message
    assert "use `pulumi.Output.json_dumps(doc)`" in fixed.message
    assert reported.safety is FixSafety.NONE and "not fixed" in reported.message


def test_document_built_inside_the_callback_from_its_value_is_not_reported():
    code, new, findings = run("""
        queue = aws.sqs.Queue("jobs")

        def build(arn):
            doc = {"Resource": arn}
            return json.dumps(doc)

        policy = queue.arn.apply(build)
        other = queue.arn.apply(lambda arn: json.dumps({"Resource": arn}))
        """)
    assert findings == [] and new == code


def test_document_from_outside_a_callback_is_fixed_only_where_the_callback_returns_it():
    """The fix makes the callback return an Output: only for the callback itself (not a lambda
    inside it), and for a ``def`` only when nothing else calls it."""
    code, new, findings = run("""
        bucket = aws.s3.Bucket("data")
        queue = aws.sqs.Queue("jobs")
        doc = {"Resource": pulumi.Output.concat(bucket.arn, "/*")}

        def only_callback(url):
            return json.dumps(doc)

        def also_called(url):
            return json.dumps(doc)

        a = queue.url.apply(only_callback)
        b = queue.url.apply(also_called)
        c = also_called("x")
        d = queue.url.apply(lambda url: [json.dumps(doc) for _ in range(2)])
        e = queue.url.apply(lambda url: (lambda: json.dumps(doc))())
        """)
    assert [(f.line, f.fixed) for f in findings] == [(11, True), (14, False), (19, False), (20, False)]
    assert new == code.replace(
        "def only_callback(url):\n    return json.dumps(doc)",
        "def only_callback(url):\n    return pulumi.Output.json_dumps(doc)",
    )
