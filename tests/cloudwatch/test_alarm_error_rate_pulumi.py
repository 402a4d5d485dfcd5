"""alarm-error-rate on Pulumi programs, run under Pulumi mocks with the real pulumi-aws.

The original and the rewritten program run in a subprocess each (tests/pulumi_mocks.py; Pulumi's
runtime state is global); the mocks record the inputs of every MetricAlarm, and the test checks that the
rewritten alarms have the shape AWS accepts and read the same metrics as the original ones.
"""

from __future__ import annotations

import pytest
from pulumi_mocks import of_type, run_sources

from iacmod.codemods.cloudwatch.alarm_error_rate import AlarmErrorRate
from iacmod.testing import fix_text

PROGRAM = """
import pulumi
import pulumi_aws as aws
from pulumi_aws import cloudwatch as cw

role = aws.iam.Role("role", assume_role_policy="{}")
handler = aws.lambda_.Function(
    "handler",
    runtime="python3.12",
    handler="app.handler",
    role=role.arn,
    code=pulumi.AssetArchive({}),
)
topic = aws.sns.Topic("alerts")

# dict style
aws.cloudwatch.MetricAlarm(
    "handler-errors",
    comparison_operator="GreaterThanThreshold",
    evaluation_periods=2,
    metric_name="Errors",
    namespace="AWS/Lambda",
    period=300,
    statistic="Sum",
    threshold=5,
    dimensions={"FunctionName": handler.name},
    alarm_actions=[topic.arn],
    ok_actions=[topic.arn],
    alarm_description="handler errors",
)

# API Gateway 5XX count
cw.MetricAlarm(
    "api-5xx",
    comparison_operator="GreaterThanOrEqualToThreshold",
    evaluation_periods=1,
    metric_name="5XXError",
    namespace="AWS/ApiGateway",
    period=60,
    statistic="Sum",
    threshold=1,
    dimensions={"ApiName": "orders", "Stage": "prod"},
    treat_missing_data="ignore",
)

# must not change: absolute by nature
aws.cloudwatch.MetricAlarm(
    "handler-throttles",
    comparison_operator="GreaterThanThreshold",
    evaluation_periods=1,
    metric_name="Throttles",
    namespace="AWS/Lambda",
    period=60,
    statistic="Sum",
    threshold=0,
    dimensions={"FunctionName": handler.name},
)
"""

# the same alarm in a file that uses pulumi-aws Args classes
ARGS_PROGRAM = """
import pulumi
import pulumi_aws as aws

role = aws.iam.Role("role", assume_role_policy="{}")
worker = aws.lambda_.Function(
    "worker",
    runtime="python3.12",
    handler="app.handler",
    role=role.arn,
    code=pulumi.AssetArchive({}),
    environment=aws.lambda_.FunctionEnvironmentArgs(variables={"STAGE": "prod"}),
)
aws.cloudwatch.MetricAlarm(
    "worker-errors",
    comparison_operator="GreaterThanOrEqualToThreshold",
    evaluation_periods=3,
    datapoints_to_alarm=2,
    metric_name="Errors",
    namespace="AWS/Lambda",
    period=120,
    statistic="Sum",
    threshold=2,
    dimensions={"FunctionName": worker.name},
)
"""

METRIC_FIELDS = {"metricName", "namespace", "statistic", "period", "dimensions", "extendedStatistic", "unit"}


ALARM = "aws:cloudwatch/metricAlarm:MetricAlarm"


@pytest.fixture(scope="module")
def programs(tmp_path_factory):
    fixed = {}
    for name, code in (("dicts", PROGRAM), ("args", ARGS_PROGRAM)):
        new, findings = fix_text(AlarmErrorRate, code, unsafe=True)
        assert new != code
        fixed[name] = (code, new, findings)
    sources = {
        f"{name}-{when}": code
        for name, (old, new, _) in fixed.items()
        for when, code in (("before", old), ("after", new))
    }
    reports = run_sources(sources, tmp_path_factory.mktemp("alarms"))
    for key, report in reports.items():
        assert report["error"] is None, (key, report["error"])
    return {
        name: (of_type(reports[f"{name}-before"], ALARM), of_type(reports[f"{name}-after"], ALARM), new, findings)
        for name, (_, new, findings) in fixed.items()
    }


def check_rate_alarm(before: dict, after: dict, counter: str, counter_id: str) -> None:
    # no top-level metric fields next to metric queries (AWS rejects the mix)
    assert not METRIC_FIELDS & set(after), sorted(after)
    queries = after["metricQueries"]
    ids = [q["id"] for q in queries]
    assert ids == ["errors", counter_id, "error_rate"]
    assert all(i[0].islower() and i.replace("_", "").isalnum() for i in ids)
    assert [q.get("returnData") for q in queries] == [False, False, True]
    errors, traffic, expression = queries
    assert expression["expression"] == f"IF({counter_id} > 0, 100 * errors / {counter_id}, 0)"
    assert expression["label"] and "metric" not in expression
    for query, name in ((errors, before["metricName"]), (traffic, counter)):
        metric = query["metric"]
        assert "expression" not in query
        assert metric["metricName"] == name
        assert metric["namespace"] == before["namespace"]
        assert metric["stat"] == before["statistic"]
        assert metric["period"] == before["period"]
        assert metric.get("dimensions") == before.get("dimensions")
    assert after["threshold"] == 1.0
    # everything else stays
    for key in set(before) - METRIC_FIELDS - {"threshold", "treatMissingData"}:
        assert after[key] == before[key], key


def test_lambda_errors_become_a_rate(programs):
    before, after, _, _ = programs["dicts"]
    check_rate_alarm(before["handler-errors"], after["handler-errors"], "Invocations", "invocations")
    queries = after["handler-errors"]["metricQueries"]
    assert queries[0]["metric"]["dimensions"] == {"FunctionName": "handler"}
    assert queries[1]["metric"]["dimensions"] == {"FunctionName": "handler"}
    assert after["handler-errors"]["alarmActions"] == ["arn:aws:sns:us-east-1:123456789012:alerts"]
    assert after["handler-errors"]["treatMissingData"] == "notBreaching"
    assert after["handler-errors"]["alarmActions"] == before["handler-errors"]["alarmActions"]


def test_api_gateway_5xx_becomes_a_rate_over_count(programs):
    before, after, _, _ = programs["dicts"]
    check_rate_alarm(before["api-5xx"], after["api-5xx"], "Count", "requests")
    assert after["api-5xx"]["metricQueries"][1]["metric"]["dimensions"] == {"ApiName": "orders", "Stage": "prod"}
    assert after["api-5xx"]["treatMissingData"] == "ignore"  # set by the user: kept


def test_absolute_alarms_stay(programs):
    before, after, new, findings = programs["dicts"]
    assert after["handler-throttles"] == before["handler-throttles"]
    assert new.count("metric_queries=") == 2
    assert len(findings) == 2
    assert all("old threshold" in f.message for f in findings)


def test_args_classes(programs):
    before, after, new, _ = programs["args"]
    assert "aws.cloudwatch.MetricAlarmMetricQueryArgs(" in new
    assert "aws.cloudwatch.MetricAlarmMetricQueryMetricArgs(" in new
    check_rate_alarm(before["worker-errors"], after["worker-errors"], "Invocations", "invocations")
    assert after["worker-errors"]["metricQueries"][1]["metric"]["dimensions"] == {"FunctionName": "worker"}
    assert after["worker-errors"]["datapointsToAlarm"] == 2


def test_without_unsafe_fixes_the_finding_still_offers_the_fix():
    """Without --unsafe-fixes the rule only checks that a fix exists (it is not built): the
    finding is the same, marked unsafe, and nothing changes; where no fix exists, it says why."""
    from iacmod.findings import FixSafety

    code = PROGRAM
    same, findings = fix_text(AlarmErrorRate, code)
    fixed, unsafe_findings = fix_text(AlarmErrorRate, code, unsafe=True)
    assert same == code and fixed != code
    assert [(f.span, f.message, f.safety) for f in findings] == [(f.span, f.message, f.safety) for f in unsafe_findings]
    assert findings and all(f.safety is FixSafety.UNSAFE and not f.fixed for f in findings)
    assert all(f.fixed for f in unsafe_findings)

    taken = "MetricAlarmMetricQueryArgs = None\n" + code.replace(
        "import pulumi_aws as aws",
        "import pulumi_aws as aws\nfrom pulumi_aws.cloudwatch import MetricAlarmMetricQueryArgs",
    )
    _, blocked = fix_text(AlarmErrorRate, taken)
    _, blocked_unsafe = fix_text(AlarmErrorRate, taken, unsafe=True)
    assert [(f.message, f.safety) for f in blocked] == [(f.message, f.safety) for f in blocked_unsafe]
