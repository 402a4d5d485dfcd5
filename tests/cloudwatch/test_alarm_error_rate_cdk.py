"""alarm-error-rate on an AWS CDK app: rewritten, synthesized with aws-cdk-lib, linted by cfn-lint.

One app, one synth for the module (jsii start-up is slow).
"""

from __future__ import annotations

import json

import pytest

from iacmod.codemods.cloudwatch.alarm_error_rate import AlarmErrorRate
from iacmod.testing import fix_text

APP = """
from aws_cdk import App, Duration, Stack
from aws_cdk import aws_cloudwatch as cloudwatch
from aws_cdk import aws_lambda as lambda_


def add_errors_alarm(scope, fn: lambda_.IFunction):
    return fn.metric_errors().create_alarm(scope, "CreateAlarmErrors", threshold=1, evaluation_periods=1)


class MonitoredStack(Stack):
    def __init__(self, scope, construct_id, **kwargs):
        super().__init__(scope, construct_id, **kwargs)
        self.handler = lambda_.Function(
            self,
            "Handler",
            runtime=lambda_.Runtime.PYTHON_3_12,
            handler="index.handler",
            code=lambda_.Code.from_inline("def handler(event, context):\\n    return event\\n"),
        )
        cloudwatch.Alarm(
            self,
            "MethodErrors",
            metric=self.handler.metric_errors(period=Duration.minutes(1), statistic="Sum"),
            threshold=5,
            evaluation_periods=3,
            datapoints_to_alarm=2,
            alarm_description="handler errors",
        )
        add_errors_alarm(self, self.handler)
        cloudwatch.Alarm(
            self,
            "MetricErrors",
            metric=cloudwatch.Metric(
                namespace="AWS/Lambda",
                metric_name="Errors",
                dimensions_map={"FunctionName": self.handler.function_name},
                statistic=cloudwatch.Stats.SUM,
                period=Duration.minutes(2),
            ),
            threshold=2,
            evaluation_periods=1,
            comparison_operator=cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
            treat_missing_data=cloudwatch.TreatMissingData.IGNORE,
        )
        cloudwatch.Alarm(
            self,
            "ApiErrors",
            metric=cloudwatch.Metric(
                namespace="AWS/ApiGateway",
                metric_name="5XXError",
                dimensions_map={"ApiName": "orders"},
                statistic="Sum",
            ),
            threshold=1,
            evaluation_periods=1,
        )
        # must not change
        cloudwatch.Alarm(self, "Throttles", metric=self.handler.metric_throttles(), threshold=1, evaluation_periods=1)


app = App()
MonitoredStack(app, "Monitored")
TEMPLATE = app.synth().get_stack_by_name("Monitored").template
"""

RATE_ALARMS = {"MethodErrors", "CreateAlarmErrors", "MetricErrors", "ApiErrors"}


@pytest.fixture(scope="module")
def synth():
    new, findings = fix_text(AlarmErrorRate, APP, unsafe=True)
    namespace: dict = {"__name__": "cdk_app"}
    exec(compile(new, "app.py", "exec"), namespace)
    template = namespace["TEMPLATE"]
    alarms = {
        logical: res["Properties"]
        for logical, res in template["Resources"].items()
        if res["Type"] == "AWS::CloudWatch::Alarm"
    }
    by_name = {}
    for name in RATE_ALARMS | {"Throttles"}:
        [key] = [k for k in alarms if k.startswith(name)]
        by_name[name] = alarms[key]
    return new, findings, template, by_name


def test_every_error_count_alarm_is_rewritten(synth):
    new, findings, _, _ = synth
    assert len(findings) == 4 and all(f.fixed for f in findings)
    assert new.count("MathExpression(") == 4
    again, _ = fix_text(AlarmErrorRate, new, unsafe=True)
    assert again == new


@pytest.mark.parametrize("name", sorted(RATE_ALARMS))
def test_alarm_reads_a_rate(synth, name):
    props = synth[3][name]
    for key in ("MetricName", "Namespace", "Statistic", "Period", "Dimensions"):
        assert key not in props
    metrics = props["Metrics"]
    returning = [m for m in metrics if m.get("ReturnData", True)]
    assert len(returning) == 1 and "Expression" in returning[0]
    counter_id = "requests" if name == "ApiErrors" else "invocations"
    assert returning[0]["Expression"] == f"IF({counter_id} > 0, 100 * errors / {counter_id}, 0)"
    stats = {m["Id"]: m["MetricStat"] for m in metrics if "MetricStat" in m}
    assert set(stats) == {"errors", counter_id}
    assert stats["errors"]["Metric"]["Dimensions"] == stats[counter_id]["Metric"]["Dimensions"]
    assert stats["errors"]["Period"] == stats[counter_id]["Period"]
    assert stats["errors"]["Stat"] == stats[counter_id]["Stat"] == "Sum"
    assert props["Threshold"] == 1


def test_properties_are_kept(synth):
    alarms = synth[3]
    method = alarms["MethodErrors"]
    assert method["EvaluationPeriods"] == 3 and method["DatapointsToAlarm"] == 2
    assert method["AlarmDescription"] == "handler errors"
    assert method["TreatMissingData"] == "notBreaching"
    periods = {m["MetricStat"]["Period"] for m in method["Metrics"] if "MetricStat" in m}
    assert periods == {60}
    metric = alarms["MetricErrors"]
    assert metric["ComparisonOperator"] == "GreaterThanThreshold"
    assert metric["TreatMissingData"] == "ignore"
    assert {m["MetricStat"]["Period"] for m in metric["Metrics"] if "MetricStat" in m} == {120}
    names = {m["MetricStat"]["Metric"]["MetricName"] for m in alarms["ApiErrors"]["Metrics"] if "MetricStat" in m}
    assert names == {"5XXError", "Count"}


def test_absolute_alarm_stays(synth):
    throttles = synth[3]["Throttles"]
    assert throttles["MetricName"] == "Throttles" and "Metrics" not in throttles


def test_cfn_lint_reports_no_errors(synth):
    from cfnlint.api import ManualArgs, lint

    template = synth[2]
    matches = lint(json.dumps(template), config=ManualArgs(regions=["us-east-1"]))
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert not errors, [str(m) for m in errors]
