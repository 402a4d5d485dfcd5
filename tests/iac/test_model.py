"""The IaC model: resources on every platform and import style, properties read and written."""

from __future__ import annotations

import textwrap
from typing import Any

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper, PositionProvider, QualifiedNameProvider, ScopeProvider

from iacmod.codemods.sqs.encryption import SqsEncryption
from iacmod.iac import catalog
from iacmod.iac.catalog import Platform, canonical
from iacmod.iac.properties import MISSING, UNKNOWN, Lit, Props, Sym, Value
from iacmod.iac.resources import resource_at
from iacmod.rule import Rule, RuleContext
from iacmod.testing import fix_text


class Probe(Rule):
    """A throwaway rule that records what the model says about each call."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, PositionProvider)
    types: tuple[catalog.ResourceType, ...] = (catalog.SQS_QUEUE, catalog.LAMBDA_FUNCTION)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self.seen: list[tuple[Any, Props | None]] = []

    def visit_Call(self, node: cst.Call) -> None:
        res = resource_at(self, node, *self.types)
        if res is not None:
            self.seen.append((res, Props(self, res)))


def probe(code: str) -> Probe:
    from pathlib import Path

    code = textwrap.dedent(code).lstrip("\n")
    wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
    rule = Probe(RuleContext(Path("x.py"), code, {}))
    with rule.resolve(wrapper):
        cst.visit_batched(wrapper.module, [rule])
    rule.module = wrapper.module  # type: ignore[attr-defined]
    return rule


@pytest.mark.parametrize(
    ("code", "platform", "qualified"),
    [
        ("import pulumi_aws as aws\naws.sqs.Queue('q')", Platform.PULUMI, "pulumi_aws.sqs.Queue"),
        ("from pulumi_aws import sqs\nsqs.Queue('q')", Platform.PULUMI, "pulumi_aws.sqs.Queue"),
        ("from pulumi_aws.sqs.queue import Queue\nQueue('q')", Platform.PULUMI, "pulumi_aws.sqs.queue.Queue"),
        ("from aws_cdk import aws_sqs as sqs\nsqs.Queue(self, 'Q')", Platform.CDK, "aws_cdk.aws_sqs.Queue"),
        ("import aws_cdk as cdk\ncdk.aws_sqs.CfnQueue(self, 'Q')", Platform.CDK_L1, "aws_cdk.aws_sqs.CfnQueue"),
        (
            "from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue\nSqsQueue(self, 'q')",
            Platform.CDKTF,
            "cdktf_cdktf_provider_aws.sqs_queue.SqsQueue",
        ),
        (
            "from imports.aws.sqs_queue import SqsQueue\nSqsQueue(self, 'q')",
            Platform.CDKTF,
            "imports.aws.sqs_queue.SqsQueue",
        ),
        (
            "from aws_cdk import aws_lambda_nodejs as ln\nln.NodejsFunction(self, 'F')",
            Platform.CDK,
            "aws_cdk.aws_lambda_nodejs.NodejsFunction",
        ),
        ("import pulumi_aws as aws\naws.lambda_.Function('f')", Platform.PULUMI, "pulumi_aws.lambda_.Function"),
    ],
)
def test_resources_resolve_on_every_platform(code: str, platform: Platform, qualified: str) -> None:
    [(res, _)] = probe(code).seen
    assert (res.platform, res.qualified_name) == (platform, qualified)
    assert canonical(qualified) in (*res.type.pulumi, *res.type.cdk, *res.type.cdk_l1) or res.platform is Platform.CDKTF


def test_names_that_are_not_resources() -> None:
    rule = probe(
        """
        class Queue: ...
        Queue("q")
        import queue
        queue.Queue()
        from aws_cdk import aws_sqs as sqs
        sqs.QueueEncryption.KMS
        """
    )
    assert rule.seen == []


def test_the_two_lambda_lists_are_one() -> None:
    names = set(catalog.LAMBDA_FUNCTION.cdk)
    # every Lambda function construct the alarm and Step Functions rules used to list
    assert {
        "aws_cdk.aws_lambda.Function",
        "aws_cdk.aws_lambda.DockerImageFunction",
        "aws_cdk.aws_lambda.SingletonFunction",
        "aws_cdk.aws_lambda_nodejs.NodejsFunction",
        "aws_cdk.aws_lambda_python_alpha.PythonFunction",
        "aws_cdk.aws_lambda_go_alpha.GoFunction",
        "aws_cdk.aws_cloudfront.experimental.EdgeFunction",
    } <= names
    assert catalog.LAMBDA_FUNCTION.is_value_type("aws_cdk.aws_lambda.IFunction")
    assert catalog.triggers((catalog.SQS_QUEUE,)) == ("Queue",)


def test_reading_properties() -> None:
    rule = probe(
        """
        import pulumi_aws as aws
        a = aws.sqs.Queue("a", delay_seconds=5, name=f"x-{y}")
        b = aws.sqs.Queue("b", **common)
        c = aws.sqs.Queue("c", aws.sqs.QueueArgs(delay_seconds=1))
        d = aws.sqs.Queue("d", args)
        e = aws.lambda_.Function("e", tracing_config={"mode": "Active"}, environment={**base})
        """
    )
    props = [p for _, p in rule.seen]
    assert props[0].literal("delay_seconds") == 5
    assert props[0].literal("name") is UNKNOWN  # an f-string is set, but not a literal
    assert props[0].get("fifo_queue") is MISSING
    assert props[1].get("fifo_queue") is UNKNOWN and props[1].is_set("fifo_queue") is None
    assert props[2].literal("delay_seconds") == 1 and props[2].get("fifo_queue") is MISSING
    assert props[3].get("delay_seconds") is UNKNOWN
    assert props[4].literal("tracing_config.mode") == "Active"
    assert props[4].get("environment.variables") is UNKNOWN
    assert props[4].get("vpc_config.subnet_ids") is MISSING


def apply_set(
    code: str, path: str, value: Value, types: tuple[catalog.ResourceType, ...] = (catalog.LAMBDA_FUNCTION,)
) -> str:
    """Set ``path`` on the first resource and render the module (imports added as the engine
    would: listed here, checked separately)."""
    Probe.types = types
    try:
        rule = probe(code)
    finally:
        Probe.types = (catalog.SQS_QUEUE, catalog.LAMBDA_FUNCTION)
    _, props = rule.seen[0]
    assert props is not None
    edit = props.set(path, value)
    assert edit is not None
    changes = edit.changes

    class Apply(cst.CSTTransformer):
        def on_leave(self, original: cst.CSTNode, updated: cst.CSTNode) -> Any:
            return changes.get(original, updated)

    out = rule.module.visit(Apply()).code  # type: ignore[attr-defined]
    imports = "".join(f"from {i.module} import {i.name}\n" for i in edit.imports)
    return imports + out


TRACING = Lit("Active")


@pytest.mark.parametrize(
    ("title", "code", "expected"),
    [
        (
            "pulumi Args style builds the inputs class",
            """
            import pulumi_aws as aws
            role = aws.iam.RoleArgs()
            fn = aws.lambda_.Function(
                "fn",
                runtime="python3.12",  # keep me
                opts=pulumi.ResourceOptions(parent=self),
            )
            """,
            """
            import pulumi_aws as aws
            role = aws.iam.RoleArgs()
            fn = aws.lambda_.Function(
                "fn",
                runtime="python3.12",  # keep me
                tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
                opts=pulumi.ResourceOptions(parent=self),
            )
            """,
        ),
        (
            "pulumi dict style builds a dict",
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", runtime="python3.12", environment={"variables": {}})
            """,
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function(
                "fn",
                runtime="python3.12",
                environment={"variables": {}},
                tracing_config={"mode": "Active"},
            )
            """,
        ),
        (
            "an existing dict gains the key",
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", tracing_config={
                "other": 1,  # comment stays
            })
            """,
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", tracing_config={
                "other": 1,  # comment stays
                "mode": "Active",
            })
            """,
        ),
        (
            "an existing value is replaced",
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="PassThrough"))
            """,
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"))
            """,
        ),
        (
            "the FunctionArgs object form",
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", aws.lambda_.FunctionArgs(runtime="python3.12"))
            """,
            """
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", aws.lambda_.FunctionArgs(
                runtime="python3.12",
                tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            ))
            """,
        ),
        (
            "cdktf struct imported from the resource's module",
            """
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
            LambdaFunction(self, "fn", function_name="f")
            """,
            """
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunctionTracingConfig
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
            LambdaFunction(
                self,
                "fn",
                function_name="f",
                tracing_config=LambdaFunctionTracingConfig(mode="Active"),
            )
            """,
        ),
        (
            "cdk L1 property class",
            """
            from aws_cdk import aws_lambda as lambda_
            lambda_.CfnFunction(self, "Fn", role=r)
            """,
            """
            from aws_cdk import aws_lambda as lambda_
            lambda_.CfnFunction(
                self,
                "Fn",
                role=r,
                tracing_config=lambda_.CfnFunction.TracingConfigProperty(mode="Active"),
            )
            """,
        ),
    ],
)
def test_setting_nested_properties(title: str, code: str, expected: str) -> None:
    assert apply_set(code, "tracing_config.mode", TRACING) == textwrap.dedent(expected).lstrip("\n")


def test_a_call_that_no_longer_fits_gets_one_argument_per_line() -> None:
    code = "import pulumi_aws as aws\nif True:\n    fn = aws.lambda_.Function('f')  # short\n"
    assert apply_set(code, "tracing_config.mode", TRACING) == code.replace(
        "'f')", "'f', tracing_config={'mode': 'Active'})"
    )
    code = code.replace("'f')", "'a-function-with-a-rather-long-name-that-fills-the-line', runtime='python3.12')")
    assert apply_set(code, "tracing_config.mode", TRACING).splitlines()[2:] == [
        "    fn = aws.lambda_.Function(",
        "        'a-function-with-a-rather-long-name-that-fills-the-line',",
        "        runtime='python3.12',",
        "        tracing_config={'mode': 'Active'},",
        "    )  # short",
    ]


def test_setting_a_symbol_reuses_the_files_import_or_imports_it() -> None:
    code = "from aws_cdk import aws_lambda as lambda_\nlambda_.Function(self, 'F')\n"
    out = apply_set(code, "tracing", Sym("aws_cdk.aws_lambda.Tracing.ACTIVE"))
    assert (
        out
        == "from aws_cdk import aws_lambda as lambda_\nlambda_.Function(self, 'F', tracing=lambda_.Tracing.ACTIVE)\n"
    )
    code = "from aws_cdk.aws_lambda import Function\nFunction(self, 'F')\n"
    out = apply_set(code, "tracing", Sym("aws_cdk.aws_lambda.Tracing.ACTIVE"))
    assert out.splitlines()[0] == "from aws_cdk.aws_lambda import Tracing"
    assert out.endswith("Function(self, 'F', tracing=Tracing.ACTIVE)\n")


def test_no_edit_where_the_code_does_not_say() -> None:
    rule = probe('import pulumi_aws as aws\naws.lambda_.Function("f", **kw)\naws.lambda_.Function("g", args)\n')
    assert [p.set("tracing_config.mode", TRACING) for _, p in rule.seen] == [None, None]
    # a name that would have to be imported is taken by something else
    code = "from aws_cdk.aws_lambda import Function\nTracing = 3\nFunction(self, 'F')\n"
    Probe.types = (catalog.LAMBDA_FUNCTION,)
    [(_, props)] = probe(code).seen
    assert props.set("tracing", Sym("aws_cdk.aws_lambda.Tracing.ACTIVE")) is None


# -- the worked example: sqs-encryption on every platform ----------------------------------------

SQS_CASES = {
    "pulumi keywords": (
        'import pulumi_aws as aws\nq = aws.sqs.Queue("q",\n    delay_seconds=0,  # none\n)\n',
        'import pulumi_aws as aws\nq = aws.sqs.Queue("q",\n    delay_seconds=0,  # none\n    sqs_managed_sse_enabled=True,\n)\n',
    ),
    "pulumi QueueArgs object": (
        'import pulumi_aws as aws\nq = aws.sqs.Queue("q", aws.sqs.QueueArgs(delay_seconds=0))\n',
        'import pulumi_aws as aws\nq = aws.sqs.Queue("q", aws.sqs.QueueArgs(delay_seconds=0, sqs_managed_sse_enabled=True))\n',
    ),
    "pulumi dict-style file": (
        'import pulumi_aws as aws\nq = aws.sqs.Queue("q", redrive_policy={"a": 1}, opts=o)\n',
        'import pulumi_aws as aws\nq = aws.sqs.Queue("q", redrive_policy={"a": 1}, sqs_managed_sse_enabled=True, opts=o)\n',
    ),
    "cdk L2 with from-import": (
        "from aws_cdk.aws_sqs import Queue\nQueue(self, 'Q', fifo=True)\n",
        "from aws_cdk.aws_sqs import Queue, QueueEncryption\nQueue(self, 'Q', fifo=True, encryption=QueueEncryption.SQS_MANAGED)\n",
    ),
    "cdk L1": (
        "import aws_cdk as cdk\ncdk.aws_sqs.CfnQueue(self, 'Q')\n",
        "import aws_cdk as cdk\ncdk.aws_sqs.CfnQueue(self, 'Q', sqs_managed_sse_enabled=True)\n",
    ),
    "cdktf": (
        "from imports.aws.sqs_queue import SqsQueue\nSqsQueue(self, 'q', name='jobs')\n",
        "from imports.aws.sqs_queue import SqsQueue\nSqsQueue(self, 'q', name='jobs', sqs_managed_sse_enabled=True)\n",
    ),
}


@pytest.mark.parametrize("case", list(SQS_CASES))
def test_sqs_encryption_on_every_platform(case: str) -> None:
    before, after = SQS_CASES[case]
    out, findings = fix_text(SqsEncryption, before)
    assert out == after
    assert [f.code for f in findings] == ["IAC601"]
    again, findings = fix_text(SqsEncryption, out)
    assert (again, findings) == (out, [])


@pytest.mark.parametrize(
    "code",
    [
        "import pulumi_aws as aws\naws.sqs.Queue('q', kms_master_key_id=key.id)\n",
        "import pulumi_aws as aws\naws.sqs.Queue('q', sqs_managed_sse_enabled=True)\n",
        "import pulumi_aws as aws\naws.sqs.Queue('q', **settings)\n",
        "from aws_cdk import aws_sqs as sqs\nsqs.Queue(self, 'Q', encryption=sqs.QueueEncryption.KMS_MANAGED)\n",
        "from aws_cdk import aws_sqs as sqs\nsqs.Queue(self, 'Q', encryption_master_key=key)\n",
        "from aws_cdk import aws_sqs as sqs\nsqs.Queue(self, 'Q', encryption=choice)\n",
        "class Queue: ...\nQueue('q')\n",
    ],
)
def test_sqs_encryption_leaves_declared_and_unknown_alone(code: str) -> None:
    assert fix_text(SqsEncryption, code) == (code, [])
