"""alarm-error-rate, issue 13 item 7: metrics held in variables, REST API metric methods, client
errors behind an option, thresholds and stale counts stated in the alarm's own text, CDK v1
imports."""

from __future__ import annotations

import textwrap

from iacmod.codemods.cloudwatch.alarm_error_rate import AlarmErrorRate
from iacmod.testing import fix_text

CDK_HEAD = """
from aws_cdk import Duration, Stack
from aws_cdk import aws_apigateway as apigw
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_


class S(Stack):
    def __init__(self, scope, cid):
        super().__init__(scope, cid)
        fn = lambda_.Function(self, "Fn", runtime=lambda_.Runtime.PYTHON_3_12, handler="i.h", code=CODE)
"""


def run(code: str, **options: object) -> tuple[str, list]:
    out, findings = fix_text(AlarmErrorRate, textwrap.dedent(code).lstrip("\n"), unsafe=True, options=options)
    compile(out, "out.py", "exec")
    return out, findings


def cdk(body: str, **options: object) -> tuple[str, list]:
    return run(CDK_HEAD.lstrip("\n") + textwrap.indent(textwrap.dedent(body).lstrip("\n"), " " * 8), **options)


# (a) a metric held in a variable


def test_variable_metric_create_alarm() -> None:
    out, findings = cdk("""
        m = fn.metric_errors(period=Duration.minutes(1))
        m.create_alarm(self, "A", threshold=5, evaluation_periods=1)
    """)
    assert len(findings) == 1 and findings[0].fixed
    assert '"errors": m,' in out
    assert '"invocations": fn.metric_invocations(period=Duration.minutes(1)),' in out
    assert ').create_alarm(self, "A", threshold=1.0' in out
    assert "m = fn.metric_errors(period=Duration.minutes(1))" in out  # the variable stays


def test_variable_metric_alarm_construct() -> None:
    out, findings = cdk("""
        m = fn.metric_errors()
        cloudwatch.Alarm(self, "B", metric=m, threshold=5, evaluation_periods=1)
    """)
    assert len(findings) == 1 and findings[0].fixed
    assert "metric=cloudwatch.MathExpression(" in out and '"errors": m,' in out
    assert '"invocations": fn.metric_invocations(),' in out


def test_variable_metric_unknown_value_is_left_alone() -> None:
    code = """
        m = fn.metric_errors() if flag else fn.metric_throttles()
        cloudwatch.Alarm(self, "B", metric=m, threshold=5, evaluation_periods=1)
        n = make_metric()
        n.create_alarm(self, "C", threshold=5, evaluation_periods=1)
    """
    out, findings = cdk(code)
    assert findings == [] and out == (
        CDK_HEAD.lstrip("\n") + textwrap.indent(textwrap.dedent(code).lstrip("\n"), " " * 8)
    )


def test_variable_metric_from_another_scope_is_left_alone() -> None:
    out, findings = run("""
        from aws_cdk import aws_cloudwatch as cloudwatch
        from aws_cdk import aws_lambda as lambda_

        fn = lambda_.Function(None, "Fn", runtime=R, handler="i.h", code=CODE)
        m = fn.metric_errors(period=PERIOD)

        def alarm(scope):
            cloudwatch.Alarm(scope, "B", metric=m, threshold=5, evaluation_periods=1)
    """)
    assert findings == []


# (b) REST API server/client errors


def test_rest_api_server_error_rate_over_count() -> None:
    out, findings = cdk("""
        api = apigw.LambdaRestApi(self, "Api", handler=fn)
        api.metric_server_error(period=Duration.minutes(5)).create_alarm(self, "C", threshold=1, evaluation_periods=1)
    """)
    assert len(findings) == 1 and findings[0].fixed and "`5XXError`" in findings[0].message
    assert '"errors": api.metric_server_error(period=Duration.minutes(5)),' in out
    # metric_count() defaults to SampleCount: the same statistic as the errors metric
    assert '"requests": api.metric_count(statistic="Sum", period=Duration.minutes(5)),' in out
    assert 'expression="IF(requests > 0, 100 * errors / requests, 0)"' in out


def test_rest_api_not_provably_an_api_is_not_fixed() -> None:
    out, findings = cdk("""
        thing.metric_server_error().create_alarm(self, "C", threshold=1, evaluation_periods=1)
    """)
    assert len(findings) == 1 and not findings[0].fixed
    assert "not provably a REST API" in findings[0].message


# (c) client errors only with the option


def test_client_errors_left_alone_by_default() -> None:
    body = """
        api = apigw.RestApi(self, "Api")
        api.metric_client_error().create_alarm(self, "D", threshold=1, evaluation_periods=1)
        cloudwatch.Alarm(self, "E", metric=cloudwatch.Metric(namespace="AWS/ApiGateway", metric_name="4XXError",
                                                             statistic="Sum"), threshold=1, evaluation_periods=1)
    """
    assert cdk(body)[1] == []
    out, findings = cdk(body, **{"client-errors": True})
    assert len(findings) == 2 and all(f.fixed for f in findings)
    assert '"requests": api.metric_count(statistic="Sum"),' in out


def test_client_errors_pulumi_option() -> None:
    code = """
        import pulumi_aws as aws

        a = aws.cloudwatch.MetricAlarm("a", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                                       metric_name="4XXError", namespace="AWS/ApiGateway", period=60,
                                       statistic="Sum", threshold=5)
    """
    assert run(code)[1] == []
    assert len(run(code, **{"client-errors": True})[1]) == 1


def test_client_errors_option_is_documented_bool() -> None:
    option = AlarmErrorRate.options["client-errors"]
    assert option.default is False and "4XXError" in option.description


# (d) a percentage stated by the alarm


PULUMI = """
import pulumi_aws as aws

fn = aws.lambda_.Function("f", runtime="python3.12", handler="a.h", role=role, code=code)
{comment}a = aws.cloudwatch.MetricAlarm(
    "a",
    comparison_operator="GreaterThanThreshold",
    evaluation_periods=1,
    metric_name="Errors",
    namespace="AWS/Lambda",
    period=60,
    statistic="Sum",
    threshold=5,
    dimensions={{"FunctionName": fn.name}},{extra}
)
"""


def test_percentage_in_comment_is_the_threshold() -> None:
    out, findings = run(PULUMI.format(comment="# page when the error rate exceeds 5%\n", extra=""))
    assert "threshold=5.0," in out
    assert "new threshold 5 % (the rate stated in a comment on the alarm)" in findings[0].message


def test_percentage_in_description_and_name() -> None:
    out, findings = run(PULUMI.format(comment="", extra='\n    alarm_description="Error rate above 2.5 percent",'))
    assert "threshold=2.5," in out and "`alarm_description`" in findings[0].message
    out, findings = run(PULUMI.format(comment="", extra='\n    name="lambda-error-rate-above-3%",'))
    assert "threshold=3.0," in out


def test_no_percentage_uses_option_and_conflicts_are_ignored() -> None:
    out, findings = run(PULUMI.format(comment="# 99% availability\n", extra=""))
    assert "threshold=1.0," in out and "option `threshold-percent`" in findings[0].message
    out, _ = run(PULUMI.format(comment="# errors above 5%\n", extra='\n    alarm_description="errors above 2%",'))
    assert "threshold=1.0," in out


# (e) the old absolute threshold stated in the description


def test_description_with_absolute_count_rewritten_exactly() -> None:
    out, findings = run(
        PULUMI.format(
            comment="", extra='\n    alarm_description="Fires when there are more than 5 errors in 1 minute.",'
        )
    )
    assert 'alarm_description="Fires when more than 1% of invocations fail in 1 minute.",' in out
    assert "now says" in findings[0].message


def test_description_not_rewritable_is_reported() -> None:
    for extra in (
        '\n    alarm_description=f"{name}: more than 5 errors",',
        '\n    alarm_description="more than 5 errors occur",',
    ):
        out, findings = run(PULUMI.format(comment="", extra=extra))
        assert extra.strip().rstrip(",") in out
        assert 'still says "more than 5 errors": update it by hand' in findings[0].message


def test_comment_with_absolute_count_is_reported() -> None:
    out, findings = run(PULUMI.format(comment="# alert on more than 5 errors\n", extra=""))
    assert "# alert on more than 5 errors" in out
    assert "a comment on the alarm still says" in findings[0].message


def test_description_rewritten_in_cdk() -> None:
    out, findings = cdk("""
        cloudwatch.Alarm(self, "B", metric=fn.metric_errors(), threshold=5, evaluation_periods=1,
                         alarm_description="more than 5 errors")
    """)
    assert 'alarm_description="more than 1% of invocations fail"' in out


# (f) CDK v1-style imports


def test_cdk_v1_imports() -> None:
    out, findings = run("""
        from aws_cdk import core
        from aws_cdk import aws_cloudwatch
        from aws_cdk import aws_lambda
        import aws_cdk.aws_cloudwatch as cw


        class S(core.Stack):
            def __init__(self, scope, cid):
                super().__init__(scope, cid)
                fn = aws_lambda.Function(self, "Fn", runtime=aws_lambda.Runtime.PYTHON_3_8, handler="i.h", code=C)
                aws_cloudwatch.Alarm(self, "B", metric=fn.metric_errors(period=core.Duration.minutes(1)),
                                     threshold=5, evaluation_periods=1,
                                     comparison_operator=aws_cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD)
                cw.Alarm(self, "C", metric=cw.Metric(namespace="AWS/Lambda", metric_name="Errors",
                                                     statistic=cw.Statistic.SUM, period=core.Duration.minutes(1)),
                         threshold=5, evaluation_periods=1)
    """)
    assert len(findings) == 2 and all(f.fixed for f in findings)
    assert "metric=aws_cloudwatch.MathExpression(" in out and "period=core.Duration.minutes(1)," in out
    assert "treat_missing_data=aws_cloudwatch.TreatMissingData.NOT_BREACHING" in out
    assert "metric=cw.MathExpression(" in out and "treat_missing_data=cw.TreatMissingData.NOT_BREACHING" in out


def test_description_kept_when_threshold_is_not_a_literal() -> None:
    out, findings = run(
        PULUMI.format(comment="", extra='\n    alarm_description="more than 5 errors",').replace(
            "threshold=5,", "threshold=LIMIT,"
        )
    )
    assert 'alarm_description="more than 5 errors"' in out
    assert 'still says "more than 5 errors": update it by hand' in findings[0].message
