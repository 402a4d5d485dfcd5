"""sfn-lambda-invoke: what a `Resource` expression is decides the fix's safety (catalog types
through resource_at), and where a dict goes decides what `None` means (catalog state machines)."""

from __future__ import annotations

import textwrap

import pytest

from iacmod.codemods.stepfunctions.lambda_invoke import SfnLambdaInvoke
from iacmod.testing import fix_text


def outcome(code: str) -> str:
    """ "safe", "unsafe" (fixed only with --unsafe-fixes), "report" (no fix) or "none"."""
    code = textwrap.dedent(code).lstrip("\n")
    fixed, findings = fix_text(SfnLambdaInvoke, code, options={"add-retry": False})
    if fixed != code:
        return "safe"
    fixed, _ = fix_text(SfnLambdaInvoke, code, unsafe=True, options={"add-retry": False})
    if fixed != code:
        return "unsafe"
    return "report" if findings else "none"


def task(resource: str, extra: str = "") -> str:
    return (
        f'definition = {{"StartAt": "A", "States": {{"A": {{"Type": "Task", "Resource": {resource}, '
        f'{extra}"End": True}}}}}}\n'
    )


PULUMI = "import pulumi_aws as aws\n"
CDK = "from aws_cdk import aws_lambda as lambda_, aws_sqs as sqs, aws_stepfunctions as sfn\n"
CDKTF = (
    "from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction\n"
    "from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue\n"
)


@pytest.mark.parametrize(
    "code, expected",
    [
        (PULUMI + "fn = aws.lambda_.Function('f')\n" + task("fn.arn"), "safe"),
        (PULUMI + "fn = aws.lambda_.function.Function('f')\n" + task("fn.arn"), "safe"),
        (PULUMI + "a = aws.lambda_.Alias('a')\n" + task("a.arn"), "safe"),
        (PULUMI + "q = aws.sqs.Queue('q')\n" + task("q.arn"), "none"),
        (CDK + "fn = lambda_.CfnFunction(self, 'F')\n" + task("fn.attr_arn"), "safe"),
        (CDK + "v = lambda_.CfnVersion(self, 'V')\n" + task("v.attr_arn"), "safe"),
        (CDK + "q = sqs.CfnQueue(self, 'Q')\n" + task("q.attr_arn"), "none"),
        (CDKTF + "fn = LambdaFunction(self, 'f')\n" + task("fn.arn"), "safe"),
        (CDKTF + "q = SqsQueue(self, 'q')\n" + task("q.arn"), "none"),
        # every function construct of the catalog, not only the ones the rule once listed
        (
            "from aws_cdk.aws_lambda_go_alpha import GoFunction\nfn = GoFunction(self, 'F')\n"
            + task("fn.qualified_arn"),
            "safe",
        ),
        # unknown: unresolved names, local calls, parameters
        (task("fn.arn"), "unsafe"),
        ("fn = make()\n" + task("fn.arn"), "unsafe"),
        ("def build(fn):\n    " + task("fn.arn"), "unsafe"),
        # a local class named like a catalog class is not one
        ("class Function:\n    pass\nfn = Function()\n" + task("fn.arn"), "unsafe"),
        # a local construct that is not a function may still hand out a function's ARN
        (
            CDK
            + "from constructs import Construct\nclass Worker(Construct):\n    pass\nw = Worker(self, 'W')\n"
            + task("w.arn"),
            "unsafe",
        ),
        # the binding tracker: every binding of a name, self.x per class, annotations, loops
        (PULUMI + "fn = aws.lambda_.Function('f')\nif x:\n    fn = make()\n" + task("fn.arn"), "unsafe"),
        (PULUMI + "fn = aws.lambda_.Function('f')\narn = fn.arn\n" + task("arn"), "safe"),
        (PULUMI + "q = aws.sqs.Queue('q')\narn = q.arn\n" + task("arn"), "none"),
        (PULUMI + "arn = 'arn:aws:lambda:us-east-1:123456789012:function:f'\n" + task("arn"), "safe"),
        (PULUMI + "def build(fn: aws.lambda_.Function):\n    " + task("fn.arn"), "safe"),
        (
            PULUMI
            + "a = aws.lambda_.Function('a')\nb = aws.lambda_.Alias('b')\nfor fn in [a, b]:\n    "
            + task("fn.arn"),
            "safe",
        ),
        (
            PULUMI + "class Stack:\n    def __init__(self):\n        self.fn = aws.lambda_.Function('f')\n"
            "    def machine(self):\n        " + task("self.fn.arn"),
            "safe",
        ),
        (
            PULUMI + "class Stack:\n    def __init__(self):\n        self.fn = aws.lambda_.Function('f')\n"
            "class Other:\n    def __init__(self):\n        self.fn = aws.sqs.Queue('q')\n"
            "    def machine(self):\n        " + task("self.fn.arn"),
            "none",
        ),
    ],
)
def test_receivers(code: str, expected: str) -> None:
    assert outcome(code) == expected


def test_none_is_dropped_by_the_cdk_l1_state_machine_only() -> None:
    body = task("fn.function_arn", '"ResultPath": None, ')
    cdk = CDK + body + "sfn.CfnStateMachine(self, 'M', role_arn=role, definition=definition)\n"
    assert outcome(cdk) == "safe"
    # Pulumi and CDKTF take JSON text: a dict there says nothing about None
    pulumi = PULUMI + body + "aws.sfn.StateMachine('m', role_arn=role, definition=definition)\n"
    assert outcome(pulumi) == "report"
    cdktf = (
        "from cdktf_cdktf_provider_aws.sfn_state_machine import SfnStateMachine\n"
        + body
        + "SfnStateMachine(self, 'm', role_arn=role, definition=definition)\n"
    )
    assert outcome(cdktf) == "report"
    dumped = "import json\n" + body + "text = json.dumps(definition)\n"
    assert outcome(dumped) == "safe"
