"""alarm-error-rate keeps every comment once, with its own argument: a moved argument's comment
goes into the metric query with it, an added argument takes nobody's (the argument editor's
``replace``, ``comments_of`` and ``insert``)."""

from __future__ import annotations

import textwrap

import libcst as cst

from iacmod.codemods.cloudwatch.alarm_error_rate import AlarmErrorRate
from iacmod.edit import args as argedit
from iacmod.testing import fix_text


def fixed(code: str) -> str:
    out, findings = fix_text(AlarmErrorRate, textwrap.dedent(code).lstrip("\n"), unsafe=True)
    assert len(findings) == 1 and findings[0].fixed
    return out


def test_cdktf_last_argument_moved_with_its_comments() -> None:
    out = fixed(
        """
        from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm

        CloudwatchMetricAlarm(
            self,
            "errors",
            comparison_operator="GreaterThanThreshold",  # above
            evaluation_periods=1,
            threshold=3,
            metric_name="Errors",  # the count
            namespace="AWS/Lambda",
            statistic="Sum",
            period=60,
            dimensions={"FunctionName": fn.function_name},  # this function
            # (nothing after this)
        )
        """
    )
    for comment in ("# above", "# the count", "# this function", "# (nothing after this)"):
        assert out.count(comment) == 1, comment
    assert '    comparison_operator="GreaterThanThreshold",  # above\n' in out
    assert '                metric_name="Errors",  # the count\n' in out
    assert (
        '                dimensions={"FunctionName": fn.function_name},  # this function\n'
        "                # (nothing after this)\n"
        "            ),\n"
    ) in out
    assert '    treat_missing_data="notBreaching",\n)\n' in out
    again, _ = fix_text(AlarmErrorRate, out, unsafe=True)
    assert again == out


def test_added_argument_follows_the_one_per_line_layout_after_the_id() -> None:
    out = fixed(
        """
        from aws_cdk import aws_cloudwatch as cloudwatch
        from aws_cdk import aws_lambda as lambda_

        def alarm(scope, fn: lambda_.IFunction):
            cloudwatch.Alarm(scope, "Errors",
                metric=fn.metric_errors(),
                threshold=5)  # page
        """
    )
    assert out.endswith(
        "        threshold=1.0,\n        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)  # page\n"
    )


# -- the argument editor's operations the rule uses -------------------------------------------


def args_of(code: str) -> cst.Call:
    call = cst.parse_expression(textwrap.dedent(code).strip())
    assert isinstance(call, cst.Call)
    return call


def render(call: cst.Call, args: list[cst.Arg]) -> str:
    return cst.Module([]).code_for_node(call.with_changes(args=args))


def test_replace_takes_the_place_and_line_of_the_first_without_its_comment() -> None:
    call = args_of(
        """
        f(
            a=1,
            b=2,  # b
            c=3,  # c
            d=4,
        )
        """
    )
    new = argedit.keyword("bc", cst.Integer("23"))
    assert render(call, argedit.replace(call.args, [1, 2], new)) == "f(\n    a=1,\n    bc=23,\n    d=4,\n)"
    # the last ones: the new one ends the call as they did
    assert render(call, argedit.replace(call.args, [2, 3], new)) == "f(\n    a=1,\n    b=2,  # b\n    bc=23,\n)"


def test_comments_of() -> None:
    call = args_of(
        """
        f(
            a=1,  # one
            # about b
            b=2,
            c=3  # three
        )
        """
    )
    assert [argedit.comments_of(a) for a in call.args] == [
        ("  # one", ("# about b",)),
        ("", ()),
        ("  # three", ()),
    ]


def test_insert_at_the_end_follows_the_separator_before_the_last() -> None:
    new = argedit.keyword("z", cst.Integer("0"))
    packed = args_of("f(self, 'id',\n  a=1, b=2)")
    assert render(packed, argedit.insert(packed.args, 4, new)) == "f(self, 'id',\n  a=1, b=2, z=0)"
    per_line = args_of("f(self, 'id',\n  a=1,\n  b=2)")
    assert render(per_line, argedit.insert(per_line.args, 4, new)) == "f(self, 'id',\n  a=1,\n  b=2,\n  z=0)"
    closing = args_of("f(self, 'id',\n  a=1,\n  b=2,  # b\n)")
    assert render(closing, argedit.insert(closing.args, 4, new)) == "f(self, 'id',\n  a=1,\n  b=2,  # b\n  z=0,\n)"
