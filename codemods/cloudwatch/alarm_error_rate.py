"""alarm-error-rate: alarms on absolute Lambda/API Gateway error counts to metric-math error rates."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import libcst as cst
from libcst.metadata import ParentNodeProvider, PositionProvider, QualifiedNameProvider, ScopeProvider

from iacmod.edit import args as argedit
from iacmod.edit.layout import relative_indent, shift
from iacmod.edit.literals import number_value, quote_of, string_literal, string_value
from iacmod.edit.symbols import reference
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac import catalog
from iacmod.iac.bindings import Answer, bindings
from iacmod.iac.catalog import Platform
from iacmod.iac.names import qualified_names
from iacmod.iac.resources import resource_at
from iacmod.rule import Example, ImportSpec, Option, Rule


@dataclass(frozen=True)
class Target:
    """An absolute error-count metric and the traffic metric that turns it into a rate."""

    what: str  # for messages
    counter: str  # the traffic metric in the same namespace, same dimensions
    counter_id: str  # its metric-query id
    label: str

    @property
    def expression(self) -> str:
        return f"IF({self.counter_id} > 0, 100 * errors / {self.counter_id}, 0)"


TARGETS = {
    ("AWS/Lambda", "Errors"): Target("Lambda `Errors`", "Invocations", "invocations", "Lambda error rate (%)"),
    ("AWS/ApiGateway", "5XXError"): Target("API Gateway `5XXError`", "Count", "requests", "5XX error rate (%)"),
    ("AWS/ApiGateway", "4XXError"): Target("API Gateway `4XXError`", "Count", "requests", "4XX error rate (%)"),
}
LAMBDA = TARGETS[("AWS/Lambda", "Errors")]
CLIENT_ERRORS = TARGETS[("AWS/ApiGateway", "4XXError")]
# CDK L2 metric methods: (method, receiver types, target, the counter's method)
REST_API_METHODS = {
    "metric_server_error": TARGETS[("AWS/ApiGateway", "5XXError")],
    "metric_client_error": CLIENT_ERRORS,
}
EXPRESSION_ID = "error_rate"

# what `x.metric_errors()` is called on: an L2 function, alias or version (or their interfaces)
LAMBDA_RECEIVERS = (catalog.LAMBDA_FUNCTION, catalog.LAMBDA_ALIAS, catalog.LAMBDA_VERSION)
ALARM_CLASSES = catalog.METRIC_ALARM.class_names  # the cheap check before qualified names
CW = "aws_cdk.aws_cloudwatch"
CDK_SUM = {f"{CW}.Stats.SUM", f"{CW}.Statistic.SUM"}
CDK_ABOVE = {
    f"{CW}.ComparisonOperator.GREATER_THAN_THRESHOLD",
    f"{CW}.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD",
}
TF_ABOVE = {"GreaterThanThreshold", "GreaterThanOrEqualToThreshold"}
# Top-level fields that AWS rejects together with metric queries; the metric ones move into them.
TF_METRIC_FIELDS = ("metric_name", "namespace", "statistic", "period", "dimensions")
# Fields that make the alarm something this rule does not rewrite (reported only).
TF_BLOCKERS = {
    "extended_statistic": "it uses `extended_statistic`",
    "unit": "it filters on `unit`, which metric queries take per metric",
}
# A percentage stated next to an error word: "error rate exceeds 5%", "5 % of requests fail".
_ERROR_WORD = r"(?:errors?|error\s+rate|failures?|fail(?:s|ed|ing)?|5xx|4xx)"
_PERCENT = re.compile(
    rf"\b{_ERROR_WORD}\b[^%\d\n]{{0,40}}?(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent\b)"
    rf"|(?<![\d.])(\d+(?:\.\d+)?)\s*(?:%|percent\b)[^%\d\n]{{0,30}}?\b{_ERROR_WORD}",
    re.IGNORECASE,
)
# An absolute count stated in a description or comment: "more than 5 errors".
_ABSOLUTE = re.compile(
    r"(?:there (?:are|were|is) )?(?P<cmp>more than|greater than|over|above|exceeds?|at least|>=?)\s*(?P<n>\d+)\s+"
    r"(?P<what>(?:5xx |4xx )?(?:errors?|failures?|failed (?:invocations|requests)))\b",
    re.IGNORECASE,
)
# what may follow the count for the phrase to be rewritten exactly
_ABSOLUTE_TAIL = re.compile(r"\s*$|[.,;:!)]|\s+(?:in|per|within|during|for)\b", re.IGNORECASE)
# Keywords that name or describe an alarm (Pulumi `name`, CDK/CDKTF `alarm_name`).
TEXT_KEYWORDS = ("alarm_name", "name", "alarm_description")

# CDK metric props that only label the original metric in graphs: not copied to the counter.
CDK_DISPLAY_PROPS = {"label", "color", "id", "visible"}


# -- rendering nested keyword structures as text ---------------------------------------------------


@dataclass
class Orig:
    """Original source text of an expression and the relative indent of the line it began on."""

    text: str
    indent: int


@dataclass(frozen=True)
class Comments:
    """The comments of an argument moved into a structure: the one ending its line (with the
    spaces before it) and the comment lines after it (``iacmod.edit.args.comments_of``)."""

    end: str = ""
    lines: tuple[str, ...] = ()


@dataclass
class Struct:
    """``{"k": v, ...}`` (name None) or ``name(k=v, ...)``; ``comments``: per key, the comments
    of the argument the entry was moved from."""

    name: str | None
    items: list[tuple[str, Value]]
    comments: dict[str, Comments] = field(default_factory=dict)


Value = str | Orig | Struct | list


def render(value: Value, indent: int) -> str:
    if isinstance(value, Orig):
        return shift(value.text, indent - value.indent)
    if isinstance(value, str):
        return value
    pad = " " * (indent + 4)
    if isinstance(value, list):
        inner = [f"{pad}{render(v, indent + 4)}," for v in value]
        return "[\n" + "\n".join(inner) + "\n" + " " * indent + "]"
    opening, closing = ("{", "}") if value.name is None else (f"{value.name}(", ")")
    inner = []
    for key, v in value.items:
        head = f'"{key}": ' if value.name is None else f"{key}="
        comments = value.comments.get(key, Comments())
        inner.append(f"{pad}{head}{render(v, indent + 4)},{comments.end}")
        inner.extend(f"{pad}{line}" for line in comments.lines)
    return opening + "\n" + "\n".join(inner) + "\n" + " " * indent + closing


# -- candidates collected during the traversal, reported at the end of the module ----------------


@dataclass
class TfAlarm:
    call: cst.Call
    flavor: str  # "pulumi" | "cdktf"
    qname: str  # the alarm class, as imported
    target: Target


@dataclass
class CdkAlarm:
    call: cst.Call  # cloudwatch.Alarm(...) or <metric>.create_alarm(...)
    metric: cst.Call  # the errors metric
    kind: str  # "method" (fn.metric_errors, api.metric_server_error) | "metric" (cloudwatch.Metric)
    target: Target
    via_create_alarm: bool
    receiver: cst.BaseExpression | None = None
    # the metric as the alarm names it: ``metric`` itself, or a variable holding it
    ref: cst.BaseExpression | None = None
    receiver_types: tuple[catalog.ResourceType, ...] = LAMBDA_RECEIVERS
    counter_method: str = "metric_invocations"


class AlarmErrorRate(Rule):
    code = "IAC401"
    name = "alarm-error-rate"
    summary = "Alarm on the Lambda/API Gateway error rate (metric math) instead of the absolute error count"
    targets = frozenset({"pulumi", "cdk", "cdktf"})
    triggers = ("Errors", "5XXError", "4XXError", "metric_errors", "metric_server_error", "metric_client_error")
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.UNSAFE
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, PositionProvider, ParentNodeProvider)
    options = {
        "threshold-percent": Option(
            1.0,
            "Error rate, in percent of invocations (requests), above which the rewritten alarm "
            "fires. Must be greater than 0 and less than 100.",
            minimum=0,
            maximum=100,
            exclusive=True,
        ),
        "client-errors": Option(
            False,
            "Also rewrite alarms on API Gateway `4XXError` (client errors: `metric_client_error()` "
            "in CDK). Off by default: a client-error rate depends on the callers (bad requests, "
            "expired tokens, 404s) and at 1 % it is mostly noise, so such alarms are left alone "
            "and not reported.",
        ),
    }

    rationale = """
An alarm on the raw `Errors` count of a Lambda function (or the `5XXError`/`4XXError` count of a
REST API with statistic `Sum`) means something different at every traffic level: at ten
invocations an hour a single failed retry pages somebody, and at a million invocations an hour
the threshold of "5 errors" is crossed all day long, so it is either raised until it is useless
or the alarm is muted. What the on-call engineer wants to know is the *share* of requests that
fail. CloudWatch computes it with a metric-math alarm: the error count and the invocation
(request) count, with the same statistic, period and dimensions, and one expression
`IF(invocations > 0, 100 * errors / invocations, 0)` that the alarm compares with a percentage.
"""

    fix_description = """
- **Pulumi** `aws.cloudwatch.MetricAlarm(...)` and **CDKTF** `CloudwatchMetricAlarm(...)` on
  `AWS/Lambda` `Errors` (or `AWS/ApiGateway` `5XXError`/`4XXError`) with statistic `Sum`: the
  top-level `metric_name`, `namespace`, `statistic`, `period` and `dimensions` (which AWS
  rejects together with metric queries) become `metric_queries` (`metric_query` in CDKTF):
  `errors` and `invocations` (`requests`: the API's `Count`) with the original period, statistic
  and dimensions and `return_data` false, and the expression `error_rate` with a label and
  `return_data` true. The file's style is followed: dicts, or `MetricAlarmMetricQueryArgs` where
  the file uses pulumi-aws `...Args` classes; CDKTF uses `CloudwatchMetricAlarmMetricQuery` and
  `CloudwatchMetricAlarmMetricQueryMetric` from the module the alarm class comes from.
- **AWS CDK** `cloudwatch.Alarm(metric=fn.metric_errors(...))`,
  `fn.metric_errors(...).create_alarm(...)` and `cloudwatch.Metric(namespace="AWS/Lambda",
  metric_name="Errors", statistic="Sum", ...)`: the metric becomes
  `cloudwatch.MathExpression(expression=..., using_metrics={"errors": <the same metric>,
  "invocations": fn.metric_invocations(<the same props>)}, label=..., period=<the metric's
  period>)`. The period matters: a `MathExpression` applies its own period (default 5 minutes)
  to every metric it uses. The metric may be held in a variable (`m = fn.metric_errors()`, then
  `m.create_alarm(...)` or `Alarm(metric=m)`) when the variable has a single value, created in
  the same scope: `m` stays the `errors` metric and the counter copies its props.
- **AWS CDK** REST APIs (`apigateway.RestApi`, `LambdaRestApi`, `SpecRestApi`, `IRestApi`):
  `api.metric_server_error(...)` becomes a rate over `api.metric_count(...)` with the same props
  (and `statistic="Sum"`: `metric_count()` defaults to the sample count).
- `4XXError` alarms (`metric_client_error()` in CDK) are left alone and not reported unless the
  option `client-errors` is `true`: a client-error rate depends on the callers, and at 1 % it
  is mostly noise.
- A literal threshold becomes the `threshold-percent` option (default `1.0`: more than 1 % of
  invocations fail), or the percentage the alarm's own name, description or a comment on its
  statement states next to an error word ("error rate exceeds 5%"; one value only, between 0
  and 100), and the finding says which; the finding states the old absolute threshold. A
  threshold that is not a literal is kept as it is and the finding says it is now read as a
  percentage.
- A description that states the old absolute threshold ("more than 5 errors") is rewritten
  when it is a plain string literal and the phrase can be replaced exactly ("more than 1% of
  invocations fail"); otherwise (f-strings, "more than 5 errors occur", comments) the finding
  says which text still states the old count.
- `treat_missing_data="notBreaching"` (`TreatMissingData.NOT_BREACHING` in CDK) is added when
  the alarm does not set it. Alarm actions, description, evaluation periods, datapoints to
  alarm, comparison operator and all other properties stay.

Left alone: alarms on any other metric (throttles, duration, concurrency, queue depth, custom
metrics), API Gateway errors with statistic `Average` (already a rate), and alarms that already
use metric math. Reported without a fix: alarms whose comparison operator is not "greater
than", that use `extended_statistic` or `unit`, that have no `period`, or whose Lambda function
cannot be resolved (a CDK `x.metric_errors()` where `x` is not provably a Lambda function, or
`x.metric_server_error()` where `x` is not provably a REST API). A metric variable whose value
cannot be told (several assignments, a helper's result) is left alone.
"""

    fix_safety_notes = """
The fix is **unsafe** by design: it changes *when the alarm fires*. An alarm at "5 errors in 5
minutes" on a function that serves 100 000 requests in that time fires at 0.005 %, and the
rewritten alarm at 1 % does not; an alarm that existed to catch *any* failure of a rarely
called function now needs more than 1 % of calls to fail. Nobody can derive the right
percentage from the old count without knowing the traffic, so the rule cannot keep the alarm's
meaning, only replace it with the better one, and a person has to check the threshold (the
finding says what it was). Apply with `--unsafe-fixes` after choosing `threshold-percent` (or
editing the new threshold). Also note that a metric-math alarm is billed per metric it reads
(two instead of one) and that `notBreaching` keeps an idle function's alarm in `OK` instead of
`INSUFFICIENT_DATA`.
"""

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context)
        self._module: cst.Module | None = None
        self._tf: list[TfAlarm] = []
        self._cdk: list[CdkAlarm] = []
        # `...Args(...)` calls: whether the file writes pulumi-aws inputs as classes is resolved
        # only when a Pulumi alarm is fixed
        self._args_calls: list[cst.Call] = []
        self._args_style: bool | None = None

    # -- traversal -------------------------------------------------------------------------------

    def visit_Module(self, node: cst.Module) -> None:
        self._module = node

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        attr = (
            func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else None
        )
        if attr is None:
            return
        if attr == "create_alarm" and isinstance(func, cst.Attribute):
            self._cdk_candidate(node, func.value, via_create_alarm=True)
            return
        if attr.endswith("Args"):
            self._args_calls.append(node)
            return
        alarm = resource_at(self, node, catalog.METRIC_ALARM) if attr in ALARM_CLASSES else None
        if alarm is None:
            return
        if alarm.platform is Platform.PULUMI:
            self._tf_candidate(node, "pulumi", alarm.qualified_name)
        elif alarm.platform is Platform.CDKTF:
            self._tf_candidate(node, "cdktf", alarm.qualified_name)
        elif alarm.platform is Platform.CDK:
            metric = argedit.keyword_args(node).get("metric")
            if metric is not None:
                self._cdk_candidate(node, metric.value, via_create_alarm=False)

    def _pulumi_args_style(self) -> bool:
        """Whether the file writes pulumi-aws inputs with ``...Args`` classes."""
        if self._args_style is None:
            self._args_style = any(
                q.startswith("pulumi_aws.") for call in self._args_calls for q in qualified_names(self, call.func)
            )
        return self._args_style

    # -- Pulumi / CDKTF ----------------------------------------------------------------------------

    def _tf_candidate(self, node: cst.Call, flavor: str, qname: str) -> None:
        args = argedit.keyword_args(node)
        if "metric_queries" in args or "metric_query" in args or "threshold_metric_id" in args:
            return
        namespace = string_value(args["namespace"].value) if "namespace" in args else None
        metric = string_value(args["metric_name"].value) if "metric_name" in args else None
        target = TARGETS.get((namespace or "", metric or ""))
        if target is None or not self._wanted(target):
            return
        if "statistic" not in args or string_value(args["statistic"].value) != "Sum":
            return
        op = string_value(args["comparison_operator"].value) if "comparison_operator" in args else None
        if op is not None and op not in TF_ABOVE:
            return  # "fewer errors than": not an error alarm this rule knows how to rewrite
        self._tf.append(TfAlarm(node, flavor, qname, target))

    def _tf_blockers(self, alarm: TfAlarm) -> list[str]:
        args = argedit.keyword_args(alarm.call)
        reasons = [why for key, why in TF_BLOCKERS.items() if key in args]
        if argedit.has_star_args(alarm.call):
            reasons.append("its arguments are unpacked from `*`/`**`, so other fields cannot be seen")
        if "period" not in args:
            reasons.append("it has no `period`, which each metric query needs")
        if "threshold" not in args:
            reasons.append("it has no `threshold`")
        op = args.get("comparison_operator")
        op_value = string_value(op.value) if op is not None else None
        if op_value not in TF_ABOVE:
            reasons.append("its comparison operator is not a literal, so the rule cannot tell what it means")
        return reasons

    def _tf_fix(self, alarm: TfAlarm, percent: float) -> tuple[cst.Call, tuple[ImportSpec, ...]] | str:
        """The fixed call and the imports it needs, or why there is no fix. Without
        --unsafe-fixes (the fix is unsafe, so it is not applied) only whether there is one:
        then the call comes back unchanged."""
        call = alarm.call
        args = argedit.keyword_args(call)
        imports: tuple[ImportSpec, ...] = ()

        if alarm.flavor == "pulumi":
            query_cls, metric_cls = "MetricAlarmMetricQueryArgs", "MetricAlarmMetricQueryMetricArgs"
            module = "pulumi_aws.cloudwatch"
            use_classes = self._pulumi_args_style()
        else:
            query_cls, metric_cls = "CloudwatchMetricAlarmMetricQuery", "CloudwatchMetricAlarmMetricQueryMetric"
            module = alarm.qname.rpartition(".")[0]
            use_classes = True
        names: dict[str, str] = {}
        if use_classes:
            for cls in (query_cls, metric_cls):
                ref = self._class_ref(call, module, cls)
                if ref is None:
                    if alarm.flavor == "pulumi":
                        use_classes = False  # dicts are always accepted
                        imports = ()
                        break
                    return f"the name `{cls}` is taken in this file"
                names[cls], extra = ref
                imports += extra
        if not self.context.unsafe_fixes:
            return call, ()  # (what follows cannot fail: a fix exists)

        statement = self._statement(call)
        moved = [k for k, a in enumerate(call.args) if a.keyword and a.keyword.value in TF_METRIC_FIELDS]
        base = self._indent(call.args[moved[0]], statement)

        def orig(key: str) -> Orig:
            arg = args[key]
            return Orig(self._code(arg.value), self._indent(arg, statement))

        def struct(cls: str, items: list[tuple[str, Value]], comments: dict[str, Comments] | None = None) -> Struct:
            return Struct(names[cls] if use_classes else None, items, comments or {})

        def metric_query(qid: str, metric_name: Value, comments: dict[str, Comments] | None = None) -> Struct:
            metric: list[tuple[str, Value]] = [
                ("metric_name", metric_name),
                ("namespace", orig("namespace")),
                ("period", orig("period")),
                ("stat", orig("statistic")),
            ]
            if "dimensions" in args:
                metric.append(("dimensions", orig("dimensions")))
            return struct(
                query_cls,
                [
                    ("id", f'"{qid}"'),
                    ("metric", struct(metric_cls, metric, comments)),
                    ("return_data", "False"),
                ],
            )

        # the moved arguments keep their comments, in the errors query where their values go
        renamed = {"statistic": "stat"}
        comments = {
            renamed.get(key, key): Comments(*argedit.comments_of(args[key])) for key in TF_METRIC_FIELDS if key in args
        }
        target = alarm.target
        counter = string_literal(target.counter, quote_of(args["metric_name"].value))
        queries: list[Value] = [
            metric_query("errors", orig("metric_name"), comments),
            metric_query(target.counter_id, counter),
            struct(
                query_cls,
                [
                    ("id", f'"{EXPRESSION_ID}"'),
                    ("expression", f'"{target.expression}"'),
                    ("label", f'"{target.label}"'),
                    ("return_data", "True"),
                ],
            ),
        ]
        value = cst.parse_expression(render(queries, base))
        key = "metric_queries" if alarm.flavor == "pulumi" else "metric_query"

        items = argedit.replace(call.args, moved, argedit.keyword(key, value))
        items = [self._new_threshold(arg, percent) for arg in items]
        if "treat_missing_data" not in args:
            new = argedit.keyword("treat_missing_data", cst.SimpleString('"notBreaching"'))
            items = argedit.insert(items, len(items), new, call.whitespace_before_args)
        return call.with_changes(args=items), imports

    def _class_ref(self, call: cst.Call, module: str, cls: str) -> tuple[str, tuple[ImportSpec, ...]] | None:
        """How to name ``module.cls`` here: through the alarm class's own module reference
        (``aws.cloudwatch.MetricAlarm`` → ``aws.cloudwatch.<cls>``), else the file's import or a
        new one."""
        if isinstance(call.func, cst.Attribute):
            return f"{self._code(call.func.value)}.{cls}", ()
        return reference(self, call, f"{module}:{cls}")

    @staticmethod
    def _new_threshold(arg: cst.Arg, percent: float) -> cst.Arg:
        """A literal ``threshold=`` gets the new percentage (its comment stays); others stay."""
        if arg.keyword is not None and arg.keyword.value == "threshold" and number_value(arg.value) is not None:
            return arg.with_changes(value=cst.Float(repr(float(percent))))
        return arg

    # -- AWS CDK -----------------------------------------------------------------------------------

    def _cdk_sum(self, arg: cst.Arg | None) -> bool:
        if arg is None:
            return True
        value = string_value(arg.value)
        if value is not None:
            return value in ("Sum", "sum")
        return bool(qualified_names(self, arg.value) & CDK_SUM)

    def _wanted(self, target: Target) -> bool:
        """4XXError alarms only with the option `client-errors`."""
        return target is not CLIENT_ERRORS or self.option("client-errors") is True

    def _metric_value(self, ref: cst.BaseExpression) -> cst.Call | None:
        """The metric call a variable holds (``m = fn.metric_errors()``): its single value, in
        the same scope as ``ref`` (the counter copies its props, which must mean the same
        there); None when the bindings do not tell one call."""
        if not isinstance(ref, cst.Name):
            return None
        found = bindings(self).values(ref)
        if not found.complete or len(found.known) != 1 or found.known[0].typed:
            return None
        node = found.known[0].node
        if not isinstance(node, cst.Call):
            return None
        if self.get_metadata(ScopeProvider, node, None) is not self.get_metadata(ScopeProvider, ref, None):
            return None
        return node

    def _cdk_candidate(self, node: cst.Call, metric: cst.BaseExpression, *, via_create_alarm: bool) -> None:
        ref = metric
        if isinstance(metric, cst.Name):
            held = self._metric_value(metric)
            if held is None:
                return
            metric = held
        if not isinstance(metric, cst.Call) or not isinstance(metric.func, cst.Attribute):
            return
        op = argedit.keyword_args(node).get("comparison_operator")
        if op is not None:
            names = qualified_names(self, op.value)
            if any(q.startswith(f"{CW}.ComparisonOperator.") for q in names) and not names & CDK_ABOVE:
                return  # "fewer errors than": not an error alarm this rule knows how to rewrite
        margs = argedit.keyword_args(metric)
        if metric.func.attr.value == "metric_errors":
            receiver = metric.func.value
            if not self._cdk_sum(margs.get("statistic")) or metric.args and not all(a.keyword for a in metric.args):
                return
            self._cdk.append(CdkAlarm(node, metric, "method", LAMBDA, via_create_alarm, receiver, ref))
        elif metric.func.attr.value in REST_API_METHODS:
            api_target = REST_API_METHODS[metric.func.attr.value]
            if not self._wanted(api_target):
                return
            if not self._cdk_sum(margs.get("statistic")) or metric.args and not all(a.keyword for a in metric.args):
                return
            self._cdk.append(
                CdkAlarm(
                    node,
                    metric,
                    "method",
                    api_target,
                    via_create_alarm,
                    metric.func.value,
                    ref,
                    (catalog.APIGATEWAY_REST_API,),
                    "metric_count",
                )
            )
        elif metric.func.attr.value == "Metric" and f"{CW}.Metric" in qualified_names(self, metric.func):
            namespace = string_value(margs["namespace"].value) if "namespace" in margs else None
            name = string_value(margs["metric_name"].value) if "metric_name" in margs else None
            target = TARGETS.get((namespace or "", name or ""))
            # cloudwatch.Metric defaults to Average: only an explicit Sum is a count
            if (
                target is None
                or not self._wanted(target)
                or "statistic" not in margs
                or not self._cdk_sum(margs["statistic"])
            ):
                return
            if argedit.has_star_args(metric):
                return
            self._cdk.append(CdkAlarm(node, metric, "metric", target, via_create_alarm, None, ref))

    def _cdk_blockers(self, alarm: CdkAlarm) -> list[str]:
        reasons = []
        args = argedit.keyword_args(alarm.call)
        if alarm.receiver is not None:
            # `metric_errors()` is a method of the L2 constructs (and their interfaces) only
            known = bindings(self).is_a(alarm.receiver, *alarm.receiver_types, platforms={Platform.CDK})
            if known is not Answer.CERTAIN:
                what = "a Lambda function" if alarm.counter_method == "metric_invocations" else "a REST API"
                reasons.append(f"`{self._code(alarm.receiver)}` is not provably {what} here")
        if argedit.has_star_args(alarm.call):
            reasons.append("its arguments are unpacked from `*`/`**`, so other props cannot be seen")
        if "statistic" in args and not self._cdk_sum(args["statistic"]):
            reasons.append("the alarm overrides the metric's statistic")
        op = args.get("comparison_operator")
        if op is not None and not (qualified_names(self, op.value) & CDK_ABOVE):
            reasons.append("its comparison operator cannot be resolved to a `GREATER_THAN...` one")
        if "threshold" not in args:
            reasons.append("its threshold cannot be seen")
        return reasons

    def _cw_ref(self, alarm: CdkAlarm, name: str) -> tuple[str, tuple[ImportSpec, ...]] | None:
        """How to name ``aws_cloudwatch.<name>`` here: like the alarm or metric class is named,
        else the file's import or a new one."""
        func = alarm.call.func
        if not alarm.via_create_alarm and isinstance(func, cst.Attribute):
            return f"{self._code(func.value)}.{name}", ()
        if alarm.kind == "metric" and isinstance(alarm.metric.func, cst.Attribute):
            return f"{self._code(alarm.metric.func.value)}.{name}", ()
        return reference(self, alarm.call, f"{CW}:{name}")

    def _cdk_fix(self, alarm: CdkAlarm, percent: float) -> tuple[cst.Call, tuple[ImportSpec, ...]] | str:
        """As _tf_fix, for a CDK alarm."""
        math = self._cw_ref(alarm, "MathExpression")
        missing = self._cw_ref(alarm, "TreatMissingData")
        if math is None or missing is None:
            return "the names `MathExpression`/`TreatMissingData` are taken in this file"
        if not self.context.unsafe_fixes:
            return alarm.call, ()  # (what follows cannot fail: a fix exists)
        imports = math[1] + missing[1]
        metric = alarm.metric
        margs = argedit.keyword_args(metric)
        target = alarm.target
        statement = self._statement(alarm.call)
        # the counter metric: the same call for the traffic metric, without display props
        # (their comments go with them)
        counter_args: list[cst.Arg] = list(metric.args)
        if all(a.keyword and a.keyword.value in CDK_DISPLAY_PROPS for a in metric.args):
            counter_args = []
        else:
            for k in reversed(range(len(metric.args))):
                keyword = metric.args[k].keyword
                if keyword is not None and keyword.value in CDK_DISPLAY_PROPS:
                    counter_args = argedit.remove(counter_args, k)
        if alarm.kind == "method":
            assert isinstance(metric.func, cst.Attribute)
            counter_func: cst.BaseExpression = metric.func.with_changes(attr=cst.Name(alarm.counter_method))
            if alarm.counter_method == "metric_count" and "statistic" not in margs:
                # `metric_count()` defaults to SampleCount; the errors metric here is a Sum
                counter_args = argedit.insert(counter_args, 0, argedit.keyword("statistic", cst.SimpleString('"Sum"')))
        else:
            counter_func = metric.func
            name_arg = margs["metric_name"]
            new_name = cst.SimpleString(string_literal(target.counter, quote_of(name_arg.value)))
            counter_args = [
                a.with_changes(value=new_name) if a.keyword and a.keyword.value == "metric_name" else a
                for a in counter_args
            ]
        counter = metric.with_changes(func=counter_func, args=counter_args)

        ref = alarm.ref if alarm.ref is not None else metric
        if alarm.via_create_alarm:
            base = self._indent(ref, statement)
        else:
            base = self._indent(argedit.keyword_args(alarm.call)["metric"], statement)
        # a metric held in a variable: its props are read where it was created
        metric_statement = statement if ref is metric else self._statement(metric)
        metric_indent = self._indent(metric, metric_statement)
        items: list[tuple[str, Value]] = [
            ("expression", f'"{target.expression}"'),
            (
                "using_metrics",
                Struct(
                    None,
                    [
                        (
                            "errors",
                            Orig(self._code(ref), self._indent(ref, statement) if ref is not metric else metric_indent),
                        ),
                        (target.counter_id, Orig(self._code(counter), metric_indent)),
                    ],
                ),
            ),
            ("label", f'"{target.label}"'),
        ]
        if "period" in margs:
            period = margs["period"]
            items.append(("period", Orig(self._code(period.value), self._indent(period, metric_statement))))
        expression = cst.parse_expression(render(Struct(math[0], items), base))

        call = alarm.call
        new_args = []
        for arg in call.args:
            keyword = arg.keyword.value if arg.keyword else None
            if keyword == "metric" and not alarm.via_create_alarm:
                arg = arg.with_changes(value=expression)
            new_args.append(self._new_threshold(arg, percent))
        if "treat_missing_data" not in argedit.keyword_args(call):
            new = argedit.keyword("treat_missing_data", cst.parse_expression(f"{missing[0]}.NOT_BREACHING"))
            new_args = argedit.insert(new_args, len(new_args), new, call.whitespace_before_args)
        new_call = call.with_changes(args=new_args)
        if alarm.via_create_alarm:
            assert isinstance(call.func, cst.Attribute)
            new_call = new_call.with_changes(func=call.func.with_changes(value=expression))
        return new_call, imports

    # -- reporting -----------------------------------------------------------------------------------

    def leave_Module(self, original_node: cst.Module) -> None:
        percent = self.option("threshold-percent")
        bad_option = not (isinstance(percent, (int, float)) and 0 < percent < 100)
        # the fixes keep the layout: positions of the calls' arguments, in one pass (the fixes
        # are unsafe: without --unsafe-fixes they are never applied, and their layout is moot)
        if self.context.unsafe_fixes and (self._tf or self._cdk):
            wanted: list[cst.CSTNode] = []
            for alarm in (*self._tf, *self._cdk):
                wanted.extend(alarm.call.args)
                statement = self._statement(alarm.call)
                if statement is not None:
                    wanted.append(statement)
                if isinstance(alarm, CdkAlarm):
                    wanted.extend([alarm.metric, *alarm.metric.args])
                    if alarm.ref is not None and alarm.ref is not alarm.metric:
                        wanted.append(alarm.ref)
                        held_in = self._statement(alarm.metric)
                        if held_in is not None:
                            wanted.append(held_in)
            self.prefetch_positions(wanted)
        for tf in self._tf:
            args = argedit.keyword_args(tf.call)
            own, source = self._stated_percent(tf.call, percent)
            self._finish(
                tf.call,
                tf.target,
                args.get("threshold"),
                args.get("period"),
                self._tf_blockers(tf),
                bad_option,
                lambda tf=tf, own=own: self._tf_fix(tf, own),
                own,
                source,
            )
        for cdk in self._cdk:
            args = argedit.keyword_args(cdk.call)
            blockers = self._cdk_blockers(cdk)
            target = cdk.target
            if cdk.receiver is not None and blockers and "provably" in blockers[0]:
                target = Target(
                    f"`{self._code(cdk.receiver)}.metric_errors()`", target.counter, target.counter_id, target.label
                )
            own, source = self._stated_percent(cdk.call, percent)
            self._finish(
                cdk.call,
                target,
                args.get("threshold"),
                argedit.keyword_args(cdk.metric).get("period"),
                blockers,
                bad_option,
                lambda cdk=cdk, own=own: self._cdk_fix(cdk, own),
                own,
                source,
            )

    # -- what the alarm's own text says ----------------------------------------------------------

    def _texts(self, call: cst.Call) -> list[tuple[str, str]]:
        """(where, text): the alarm's literal name and description, and the comments on its
        statement (the lines above it and the one ending it)."""
        found = []
        args = argedit.keyword_args(call)
        for key in TEXT_KEYWORDS:
            text = string_value(args[key].value) if key in args else None
            if (
                key in args
                and text is None
                and isinstance(args[key].value, (cst.FormattedString, cst.ConcatenatedString))
            ):
                text = self._code(args[key].value)  # read, never rewritten
            if text is not None:
                found.append((f"the alarm's `{key}`", text))
        statement = self._statement(call)
        if isinstance(statement, cst.SimpleStatementLine):
            comments = [line.comment.value for line in statement.leading_lines if line.comment is not None]
            if statement.trailing_whitespace.comment is not None:
                comments.append(statement.trailing_whitespace.comment.value)
            found.extend(("a comment on the alarm", c) for c in comments)
        return found

    def _stated_percent(self, call: cst.Call, default: float) -> tuple[float, str | None]:
        """The error-rate threshold the alarm's name, description or comment states ("error rate
        exceeds 5%"), and where; else ``default``. Several different ones: ``default``."""
        stated: dict[float, str] = {}
        for where, text in self._texts(call):
            for match in _PERCENT.finditer(text):
                value = float(match.group(1) or match.group(2))
                if 0 < value < 100:
                    stated.setdefault(value, where)
        if len(stated) == 1:
            ((value, where),) = stated.items()
            return value, where
        return default, None

    def _stale_texts(self, call: cst.Call, target: Target, percent: float | None) -> tuple[cst.Arg | None, list[str]]:
        """The description rewritten where it states the old absolute threshold ("more than 5
        errors" → "more than 1% of invocations fail") and is a plain literal that can be
        rewritten exactly; and notes on the texts that still state it. ``percent`` None: the
        new threshold is not a literal, so no text is rewritten."""
        notes: list[str] = []
        new_arg: cst.Arg | None = None
        noun = "invocations" if target.counter == "Invocations" else "requests"
        args = argedit.keyword_args(call)
        for where, text in self._texts(call):
            match = _ABSOLUTE.search(text)
            if match is None:
                continue
            phrase = match.group(0)
            arg = args.get("alarm_description")
            exact = (
                percent is not None
                and where == "the alarm's `alarm_description`"
                and arg is not None
                and isinstance(arg.value, cst.SimpleString)
                and arg.value.prefix == ""
                and "\\" not in arg.value.value
                and _ABSOLUTE_TAIL.match(text, match.end()) is not None
                and len(_ABSOLUTE.findall(text)) == 1
            )
            if exact and arg is not None:
                assert isinstance(arg.value, cst.SimpleString)
                new_phrase = f"{match.group('cmp')} {percent:g}% of {noun} fail"
                raw = arg.value.value
                if raw.count(phrase) == 1:
                    new_arg = arg.with_changes(value=arg.value.with_changes(value=raw.replace(phrase, new_phrase)))
                    notes.append(f'{where} now says "{new_phrase}" instead of "{phrase}"')
                    continue
            notes.append(f'{where} still says "{phrase}": update it by hand')
        return new_arg, notes

    def _finish(self, call, target, threshold, period, blockers, bad_option, build, percent, source=None) -> None:  # type: ignore[no-untyped-def]
        head = f"alarm on the absolute {target.what} count"
        if threshold is not None:
            head += f" (old threshold: `{self._code(threshold.value)}` errors"
            if period is not None:
                head += f" per period of `{self._code(period.value)}`"
            head += ")"
        head += (
            ": it fires on a single error at low traffic and stays quiet at high traffic; "
            f"alarm on the error rate `{target.expression}` instead"
        )
        if bad_option:
            blockers = blockers + ["the option `threshold-percent` must be greater than 0 and less than 100"]
        if blockers:
            self.report(call, f"{head} (not fixed automatically: {'; '.join(blockers)})")
            return
        result = build()
        if isinstance(result, str):
            self.report(call, f"{head} (not fixed automatically: {result})")
            return
        new_call, imports = result
        if threshold is not None and number_value(threshold.value) is None:
            level = (
                f"the threshold `{self._code(threshold.value)}` is kept as it is and is now read "
                "as a percentage: check it"
            )
        elif source is not None:
            level = f"new threshold {percent:g} % (the rate stated in {source})"
        else:
            level = f"new threshold {percent:g} % (option `threshold-percent`)"
        literal = threshold is None or number_value(threshold.value) is not None
        description, notes = self._stale_texts(call, target, percent if literal else None)
        if description is not None and self.context.unsafe_fixes:
            new_call = new_call.with_changes(
                args=[
                    a.with_changes(value=description.value)
                    if a.keyword is not None and a.keyword.value == "alarm_description"
                    else a
                    for a in new_call.args
                ]
            )
        if notes:
            level += "; " + "; ".join(notes)
        self.report(
            call,
            f"{head}; {level} (unsafe fix: the alarm fires under different conditions; "
            "review the threshold, then run with --unsafe-fixes)",
            replacement=new_call,
            add_imports=imports,
            safety=FixSafety.UNSAFE,
        )

    # -- text helpers --------------------------------------------------------------------------------

    def _code(self, node: cst.CSTNode) -> str:
        module = self._module or cst.Module([])
        return module.code_for_node(node)

    def _statement(self, node: cst.CSTNode) -> cst.CSTNode | None:
        """The simple statement line holding ``node`` (its block sets the indentation)."""
        current: cst.CSTNode | None = node
        while current is not None and not isinstance(current, cst.SimpleStatementLine):
            current = self.get_metadata(ParentNodeProvider, current, None)
        return current

    def _indent(self, node: cst.CSTNode, statement: cst.CSTNode | None) -> int:
        """Indent of the line ``node`` starts on, relative to its statement's block (0 when it
        cannot be told: the text is re-indented, it stays valid inside brackets)."""
        return relative_indent(self, node, statement) or 0


# -- examples (shown on the rule page and run as tests) ------------------------------------------

EXAMPLES = (
    Example(
        title="Pulumi: a Lambda `Errors` count becomes an error-rate metric query",
        message="old threshold: `5` errors per period of `300`",
        line=6,
        before="""
            import pulumi_aws as aws

            api_handler = aws.lambda_.Function("api-handler", runtime="python3.12", handler="app.handler",
                                               role=role.arn, code=code)

            errors_alarm = aws.cloudwatch.MetricAlarm(
                "api-handler-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=2,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=300,
                statistic="Sum",
                threshold=5,  # more than 5 errors in 5 minutes
                dimensions={"FunctionName": api_handler.name},
                alarm_actions=[alerts.arn],
            )
            """,
        after="""
            import pulumi_aws as aws

            api_handler = aws.lambda_.Function("api-handler", runtime="python3.12", handler="app.handler",
                                               role=role.arn, code=code)

            errors_alarm = aws.cloudwatch.MetricAlarm(
                "api-handler-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=2,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "Errors",
                            "namespace": "AWS/Lambda",
                            "period": 300,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": api_handler.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "invocations",
                        "metric": {
                            "metric_name": "Invocations",
                            "namespace": "AWS/Lambda",
                            "period": 300,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": api_handler.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                        "label": "Lambda error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=1.0,  # more than 5 errors in 5 minutes
                alarm_actions=[alerts.arn],
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="Pulumi: `...Args` classes where the file uses them",
        before="""
            from pulumi_aws import cloudwatch, lambda_

            worker = lambda_.Function(
                "worker",
                runtime="python3.12",
                handler="worker.handler",
                role=role.arn,
                code=code,
                environment=lambda_.FunctionEnvironmentArgs(variables={"STAGE": "prod"}),
            )

            cloudwatch.MetricAlarm(
                "worker-errors",
                comparison_operator="GreaterThanOrEqualToThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=60,
                statistic="Sum",
                threshold=1,
                dimensions={"FunctionName": worker.name},
                treat_missing_data="missing",
            )
            """,
        after="""
            from pulumi_aws import cloudwatch, lambda_

            worker = lambda_.Function(
                "worker",
                runtime="python3.12",
                handler="worker.handler",
                role=role.arn,
                code=code,
                environment=lambda_.FunctionEnvironmentArgs(variables={"STAGE": "prod"}),
            )

            cloudwatch.MetricAlarm(
                "worker-errors",
                comparison_operator="GreaterThanOrEqualToThreshold",
                evaluation_periods=1,
                metric_queries=[
                    cloudwatch.MetricAlarmMetricQueryArgs(
                        id="errors",
                        metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
                            metric_name="Errors",
                            namespace="AWS/Lambda",
                            period=60,
                            stat="Sum",
                            dimensions={"FunctionName": worker.name},
                        ),
                        return_data=False,
                    ),
                    cloudwatch.MetricAlarmMetricQueryArgs(
                        id="invocations",
                        metric=cloudwatch.MetricAlarmMetricQueryMetricArgs(
                            metric_name="Invocations",
                            namespace="AWS/Lambda",
                            period=60,
                            stat="Sum",
                            dimensions={"FunctionName": worker.name},
                        ),
                        return_data=False,
                    ),
                    cloudwatch.MetricAlarmMetricQueryArgs(
                        id="error_rate",
                        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                        label="Lambda error rate (%)",
                        return_data=True,
                    ),
                ],
                threshold=1.0,
                treat_missing_data="missing",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="CDKTF: `metric_query` with the provider's query classes",
        before="""
            from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm

            CloudwatchMetricAlarm(
                self,
                "ingest-errors",
                alarm_name="ingest-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=3,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=300,
                statistic="Sum",
                threshold=10,
                dimensions={"FunctionName": ingest.function_name},
                alarm_actions=[topic.arn],
            )
            """,
        after="""
            from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm, CloudwatchMetricAlarmMetricQuery, CloudwatchMetricAlarmMetricQueryMetric

            CloudwatchMetricAlarm(
                self,
                "ingest-errors",
                alarm_name="ingest-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=3,
                metric_query=[
                    CloudwatchMetricAlarmMetricQuery(
                        id="errors",
                        metric=CloudwatchMetricAlarmMetricQueryMetric(
                            metric_name="Errors",
                            namespace="AWS/Lambda",
                            period=300,
                            stat="Sum",
                            dimensions={"FunctionName": ingest.function_name},
                        ),
                        return_data=False,
                    ),
                    CloudwatchMetricAlarmMetricQuery(
                        id="invocations",
                        metric=CloudwatchMetricAlarmMetricQueryMetric(
                            metric_name="Invocations",
                            namespace="AWS/Lambda",
                            period=300,
                            stat="Sum",
                            dimensions={"FunctionName": ingest.function_name},
                        ),
                        return_data=False,
                    ),
                    CloudwatchMetricAlarmMetricQuery(
                        id="error_rate",
                        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                        label="Lambda error rate (%)",
                        return_data=True,
                    ),
                ],
                threshold=1.0,
                alarm_actions=[topic.arn],
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="API Gateway `5XXError` with `Sum` becomes a rate over `Count`",
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "api-5xx",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="5XXError",
                namespace="AWS/ApiGateway",
                period=60,
                statistic="Sum",
                threshold=0,
                dimensions={"ApiName": api.name, "Stage": stage.stage_name},
            )
            """,
        after="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "api-5xx",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "5XXError",
                            "namespace": "AWS/ApiGateway",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"ApiName": api.name, "Stage": stage.stage_name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "requests",
                        "metric": {
                            "metric_name": "Count",
                            "namespace": "AWS/ApiGateway",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"ApiName": api.name, "Stage": stage.stage_name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(requests > 0, 100 * errors / requests, 0)",
                        "label": "5XX error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=1.0,
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="the option `threshold-percent`",
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "batch-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=900,
                statistic="Sum",
                threshold=20,
                dimensions={"FunctionName": batch.name},
                treat_missing_data="breaching",
            )
            """,
        after="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "batch-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "Errors",
                            "namespace": "AWS/Lambda",
                            "period": 900,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": batch.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "invocations",
                        "metric": {
                            "metric_name": "Invocations",
                            "namespace": "AWS/Lambda",
                            "period": 900,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": batch.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                        "label": "Lambda error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=5.0,
                treat_missing_data="breaching",
            )
            """,
        unsafe=True,
        options={"threshold-percent": 5.0},
        findings=1,
    ),
    Example(
        title="a threshold that is not a literal is kept and reported",
        message="old threshold: `config.error_threshold`",
        line=3,
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=60,
                statistic="Sum",
                threshold=config.error_threshold,
                dimensions={"FunctionName": fn.name},
            )
            """,
        after="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "Errors",
                            "namespace": "AWS/Lambda",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": fn.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "invocations",
                        "metric": {
                            "metric_name": "Invocations",
                            "namespace": "AWS/Lambda",
                            "period": 60,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": fn.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                        "label": "Lambda error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=config.error_threshold,
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="CDK: `Alarm(metric=fn.metric_errors(...))`",
        before="""
            from aws_cdk import Duration, Stack
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            class ApiStack(Stack):
                def __init__(self, scope, construct_id, **kwargs):
                    super().__init__(scope, construct_id, **kwargs)
                    self.handler = lambda_.Function(self, "Handler", **HANDLER_PROPS)
                    cloudwatch.Alarm(
                        self,
                        "HandlerErrors",
                        metric=self.handler.metric_errors(period=Duration.minutes(1)),
                        threshold=5,
                        evaluation_periods=3,
                        alarm_description="Handler is failing",
                    )
            """,
        after="""
            from aws_cdk import Duration, Stack
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            class ApiStack(Stack):
                def __init__(self, scope, construct_id, **kwargs):
                    super().__init__(scope, construct_id, **kwargs)
                    self.handler = lambda_.Function(self, "Handler", **HANDLER_PROPS)
                    cloudwatch.Alarm(
                        self,
                        "HandlerErrors",
                        metric=cloudwatch.MathExpression(
                            expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                            using_metrics={
                                "errors": self.handler.metric_errors(period=Duration.minutes(1)),
                                "invocations": self.handler.metric_invocations(period=Duration.minutes(1)),
                            },
                            label="Lambda error rate (%)",
                            period=Duration.minutes(1),
                        ),
                        threshold=1.0,
                        evaluation_periods=3,
                        alarm_description="Handler is failing",
                        treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                    )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="CDK: `fn.metric_errors().create_alarm(...)`",
        before="""
            from aws_cdk import aws_lambda as lambda_


            def add_alarm(scope, fn: lambda_.IFunction):
                return fn.metric_errors().create_alarm(scope, "Errors", threshold=1, evaluation_periods=1)
            """,
        after="""
            from aws_cdk import aws_lambda as lambda_
            from aws_cdk.aws_cloudwatch import MathExpression, TreatMissingData


            def add_alarm(scope, fn: lambda_.IFunction):
                return MathExpression(
                    expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                    using_metrics={
                        "errors": fn.metric_errors(),
                        "invocations": fn.metric_invocations(),
                    },
                    label="Lambda error rate (%)",
                ).create_alarm(scope, "Errors", threshold=1.0, evaluation_periods=1, treat_missing_data=TreatMissingData.NOT_BREACHING)
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title='CDK: `cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors", statistic="Sum")`',
        before="""
            from aws_cdk import aws_cloudwatch as cw

            cw.Alarm(
                self,
                "OrdersErrors",
                metric=cw.Metric(
                    namespace="AWS/Lambda",
                    metric_name="Errors",
                    dimensions_map={"FunctionName": "orders"},
                    statistic="Sum",
                    label="Orders errors",
                ),
                threshold=2,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.IGNORE,
            )
            """,
        after="""
            from aws_cdk import aws_cloudwatch as cw

            cw.Alarm(
                self,
                "OrdersErrors",
                metric=cw.MathExpression(
                    expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                    using_metrics={
                        "errors": cw.Metric(
                            namespace="AWS/Lambda",
                            metric_name="Errors",
                            dimensions_map={"FunctionName": "orders"},
                            statistic="Sum",
                            label="Orders errors",
                        ),
                        "invocations": cw.Metric(
                            namespace="AWS/Lambda",
                            metric_name="Invocations",
                            dimensions_map={"FunctionName": "orders"},
                            statistic="Sum",
                        ),
                    },
                    label="Lambda error rate (%)",
                ),
                threshold=1.0,
                evaluation_periods=1,
                treat_missing_data=cw.TreatMissingData.IGNORE,
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="CDK: a function proven by annotations, a method's return annotation, a loop over them",
        before="""
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            class Alarms:
                def __init__(self, scope, api: lambda_.IFunction):
                    self.worker = self._worker(scope)
                    for name, fn in [("api", api), ("worker", self.worker)]:
                        fn.metric_errors().create_alarm(scope, f"{name}-errors", threshold=1, evaluation_periods=1)

                def _worker(self, scope) -> lambda_.Function:
                    return make_worker(scope)
            """,
        after="""
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            class Alarms:
                def __init__(self, scope, api: lambda_.IFunction):
                    self.worker = self._worker(scope)
                    for name, fn in [("api", api), ("worker", self.worker)]:
                        cloudwatch.MathExpression(
                            expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                            using_metrics={
                                "errors": fn.metric_errors(),
                                "invocations": fn.metric_invocations(),
                            },
                            label="Lambda error rate (%)",
                        ).create_alarm(scope, f"{name}-errors", threshold=1.0, evaluation_periods=1, treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING)

                def _worker(self, scope) -> lambda_.Function:
                    return make_worker(scope)
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="comments stay with their arguments: a moved argument's goes into the metric query",
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "worker-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=300,  # 5 minutes
                statistic="Sum",
                # the one function this alarm watches
                dimensions={"FunctionName": worker.name},
                threshold=5,  # more than 5 errors
                alarm_actions=[alerts.arn],  # page the on-call engineer
            )
            """,
        after="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm(
                "worker-errors",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_queries=[
                    {
                        "id": "errors",
                        "metric": {
                            "metric_name": "Errors",
                            "namespace": "AWS/Lambda",
                            "period": 300,  # 5 minutes
                            "stat": "Sum",
                            # the one function this alarm watches
                            "dimensions": {"FunctionName": worker.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "invocations",
                        "metric": {
                            "metric_name": "Invocations",
                            "namespace": "AWS/Lambda",
                            "period": 300,
                            "stat": "Sum",
                            "dimensions": {"FunctionName": worker.name},
                        },
                        "return_data": False,
                    },
                    {
                        "id": "error_rate",
                        "expression": "IF(invocations > 0, 100 * errors / invocations, 0)",
                        "label": "Lambda error rate (%)",
                        "return_data": True,
                    },
                ],
                threshold=1.0,  # more than 5 errors
                alarm_actions=[alerts.arn],  # page the on-call engineer
                treat_missing_data="notBreaching",
            )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="CDK: an added argument takes no other argument's comment",
        before="""
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            def add_alarm(scope, fn: lambda_.IFunction):
                cloudwatch.Alarm(
                    scope,
                    "Errors",
                    metric=fn.metric_errors(),  # Sum over 5 minutes
                    threshold=5,  # errors
                    evaluation_periods=1,  # one period
                )
            """,
        after="""
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_


            def add_alarm(scope, fn: lambda_.IFunction):
                cloudwatch.Alarm(
                    scope,
                    "Errors",
                    metric=cloudwatch.MathExpression(
                        expression="IF(invocations > 0, 100 * errors / invocations, 0)",
                        using_metrics={
                            "errors": fn.metric_errors(),
                            "invocations": fn.metric_invocations(),
                        },
                        label="Lambda error rate (%)",
                    ),  # Sum over 5 minutes
                    threshold=1.0,  # errors
                    evaluation_periods=1,  # one period
                    treat_missing_data=cloudwatch.TreatMissingData.NOT_BREACHING,
                )
            """,
        unsafe=True,
        findings=1,
    ),
    Example(
        title="absolute by nature, already a rate, custom metrics and metric math stay",
        before="""
            import pulumi_aws as aws

            aws.cloudwatch.MetricAlarm("throttles", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="Throttles", namespace="AWS/Lambda", period=60, statistic="Sum", threshold=1,
                dimensions={"FunctionName": fn.name})
            aws.cloudwatch.MetricAlarm("dlq", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="ApproximateNumberOfMessagesVisible", namespace="AWS/SQS", period=60, statistic="Sum",
                threshold=0, dimensions={"QueueName": dlq.name})
            aws.cloudwatch.MetricAlarm("api-5xx-rate", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="5XXError", namespace="AWS/ApiGateway", period=60, statistic="Average", threshold=0.01,
                dimensions={"ApiName": api.name})
            aws.cloudwatch.MetricAlarm("custom", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                metric_name="Errors", namespace="MyApp", period=60, statistic="Sum", threshold=1)
            aws.cloudwatch.MetricAlarm("math", comparison_operator="GreaterThanThreshold", evaluation_periods=1,
                threshold=1, metric_queries=[{"id": "e", "expression": "errors", "return_data": True}])
            """,
        findings=0,
    ),
    Example(
        title="CDKTF: concurrency stays",
        before="""
            from cdktf_cdktf_provider_aws.cloudwatch_metric_alarm import CloudwatchMetricAlarm

            CloudwatchMetricAlarm(
                self,
                "concurrency",
                alarm_name="concurrency",
                comparison_operator="GreaterThanThreshold",
                evaluation_periods=1,
                metric_name="ConcurrentExecutions",
                namespace="AWS/Lambda",
                period=60,
                statistic="Maximum",
                threshold=900,
            )
            """,
        findings=0,
    ),
    Example(
        title="CDK: throttles, duration, averages and math expressions stay",
        before="""
            from aws_cdk import aws_cloudwatch as cloudwatch
            from aws_cdk import aws_lambda as lambda_

            fn = lambda_.Function(scope, "Fn", **props)
            cloudwatch.Alarm(scope, "Throttles", metric=fn.metric_throttles(), threshold=1, evaluation_periods=1)
            cloudwatch.Alarm(scope, "Avg", metric=fn.metric_errors(statistic="Average"), threshold=1, evaluation_periods=1)
            cloudwatch.Alarm(scope, "Dur", metric=fn.metric_duration(), threshold=1000, evaluation_periods=1)
            cloudwatch.Alarm(scope, "M", metric=cloudwatch.Metric(namespace="AWS/Lambda", metric_name="Errors"), threshold=1, evaluation_periods=1)
            cloudwatch.Alarm(scope, "Rate", metric=cloudwatch.MathExpression(expression="e", using_metrics={"e": fn.metric_errors()}), threshold=1, evaluation_periods=1)
            """,
        findings=0,
    ),
    Example(
        title="reported only: an operator that is not a literal, a receiver that is not provably a Lambda function",
        message="`target.metric_errors()` count",
        line=17,
        before="""
            import pulumi_aws as aws
            from aws_cdk import aws_cloudwatch as cloudwatch

            aws.cloudwatch.MetricAlarm(
                "errors",
                comparison_operator=config.operator,
                evaluation_periods=1,
                metric_name="Errors",
                namespace="AWS/Lambda",
                period=60,
                statistic="Sum",
                threshold=1,
            )


            def errors_alarm(scope, target):
                return cloudwatch.Alarm(scope, "Errors", metric=target.metric_errors(), threshold=1, evaluation_periods=1)
            """,
        findings=2,
    ),
)

AlarmErrorRate.examples = EXAMPLES
