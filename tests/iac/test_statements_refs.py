"""iacmod.edit.statements (a statement inserted after another, in the block's style) and
iacmod.iac.refs (resource references, CDK durations)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import (
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from iacmod.edit import statements
from iacmod.iac import catalog
from iacmod.iac.refs import seconds, seconds_through, the_resource
from iacmod.rule import Rule, RuleContext


class Probe(Rule):
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ParentNodeProvider, PositionProvider)

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self.calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        self.calls.append(node)


def run(code: str, check) -> tuple[str, object]:
    """Walk ``code`` with a probe, call ``check(probe, module)`` while metadata is available."""
    code = textwrap.dedent(code).lstrip("\n")
    wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
    probe = Probe(RuleContext(Path("x.py"), code, {}))
    with probe.resolve(wrapper):
        cst.visit_batched(wrapper.module, [probe])
        answer = check(probe, wrapper.module)
    return code, answer


def call_named(probe: Probe, name: str) -> cst.Call:
    return next(c for c in probe.calls if cst.Module(body=[]).code_for_node(c.func).endswith(name))


def insert(code: str, after: str, text: str) -> str:
    def check(probe: Probe, module: cst.Module):
        call = call_named(probe, after)
        statement = statements.statement_of(probe, call)
        assert statement is not None
        sentinel = statements.insert_after(statement, text)

        class Swap(cst.CSTTransformer):
            def on_leave(self, original, updated):
                return sentinel if original is statement else updated

        return module.visit(Swap()).code

    return run(code, check)[1]


def test_insert_after_keeps_the_block_indentation_and_blank_lines() -> None:
    out = insert(
        """
        class Stack:
            def __init__(self):
                a = first()

                b = target(1)
                c = last()
        """,
        "target",
        "new(\n    x,\n)",
    )
    assert out == textwrap.dedent(
        """\
        class Stack:
            def __init__(self):
                a = first()

                b = target(1)

                new(
                    x,
                )
                c = last()
        """
    )


def test_insert_after_without_blank_line_and_comments_not_copied() -> None:
    out = insert("a = 1\n# about the target\nb = target()\nc = 2\n", "target", "d = 3")
    assert out == "a = 1\n# about the target\nb = target()\nd = 3\nc = 2\n"


def test_statement_of_one_line_suite_and_loops() -> None:
    def check(probe: Probe, _module):
        inline = statements.statement_of(probe, call_named(probe, "inline"))
        looped = statements.in_loop(probe, call_named(probe, "looped"))
        comp = statements.in_loop(probe, call_named(probe, "comp"))
        in_def = statements.in_loop(probe, call_named(probe, "in_def"))
        iterated = statements.in_loop(probe, call_named(probe, "iterated"))
        return inline, looped, comp, in_def, iterated

    _, (inline, looped, comp, in_def, iterated) = run(
        """
        if x: inline()
        for f in iterated():
            looped()
        xs = [comp(i) for i in range(3)]
        for g in gs:
            def make():
                in_def()
        """,
        check,
    )
    assert inline is None
    assert looped and comp and not in_def and not iterated


def test_call_text_fits_or_breaks_like_black() -> None:
    assert statements.call_text("f", ["a", "b=1"]) == "f(a, b=1)"
    assert statements.call_text("f", ["a" * 50, "b" * 50]) == f"f(\n    {'a' * 50},\n    {'b' * 50},\n)"
    assert statements.call_text("f", ["a" * 30], indent=70) == f"f(\n    {'a' * 30},\n)"


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("30", 30),
        ("Duration.seconds(45)", 45),
        ("Duration.minutes(2)", 120),
        ("cdk.Duration.hours(1)", 3600),
        ("Duration.seconds(n)", None),
        ("other.minutes(2)", None),
        ("'30'", None),
    ],
)
def test_seconds(expr: str, expected: int | None) -> None:
    code = f"import aws_cdk as cdk\nfrom aws_cdk import Duration\nvalue = {expr}\n"

    def check(probe: Probe, module: cst.Module):
        assign = module.body[2].body[0]
        return seconds(probe, assign.value)

    assert run(code, check)[1] == expected


def test_seconds_through_a_constant() -> None:
    def check(probe: Probe, module: cst.Module):
        call = call_named(probe, "Queue")
        value = call.args[1].value
        other = call_named(probe, "Function").args[1].value
        return seconds_through(probe, value), seconds_through(probe, other)

    _, (through, unknown) = run(
        """
        import pulumi_aws as aws
        VIS = 60
        aws.sqs.Queue("q", visibility_timeout_seconds=VIS)
        aws.lambda_.Function("f", timeout=config.get_int("timeout"))
        """,
        check,
    )
    assert through == (60, False) and unknown is None


def test_the_resource_is_the_one_call_the_module_makes() -> None:
    def check(probe: Probe, module: cst.Module):
        mapping = call_named(probe, "EventSourceMapping")
        kw = {a.keyword.value: a.value for a in mapping.args if a.keyword}
        queue = the_resource(probe, kw["event_source_arn"].value, catalog.SQS_QUEUE)
        fn = the_resource(probe, kw["function_name"].value, catalog.LAMBDA_FUNCTION)
        either = the_resource(probe, kw["description"].value, catalog.LAMBDA_FUNCTION)
        return queue, fn, either

    _, (queue, fn, either) = run(
        """
        import pulumi_aws as aws
        q = aws.sqs.Queue("q")
        f = aws.lambda_.Function("f")
        g = aws.lambda_.Function("g") if flag else aws.lambda_.Function("h")
        aws.lambda_.EventSourceMapping("m", event_source_arn=q.arn, function_name=f.name, description=g.name)
        """,
        check,
    )
    assert queue is not None and queue.type is catalog.SQS_QUEUE
    assert fn is not None and fn.type is catalog.LAMBDA_FUNCTION
    assert either is None  # two calls: not one resource
