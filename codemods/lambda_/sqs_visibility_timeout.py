"""lambda-sqs-visibility-timeout: an SQS queue that triggers a function must keep messages
invisible at least as long as the function may run."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.metadata import ParentNodeProvider

from iacmod.edit.symbols import reference
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac import catalog
from iacmod.iac.bindings import DEPENDENCIES
from iacmod.iac.catalog import Platform
from iacmod.iac.properties import MISSING, UNKNOWN, Code, Lit, Props
from iacmod.iac.refs import (
    UNITS,
    duration_unit,
    owner,
    seconds,
    seconds_through,
    the_resource,
)
from iacmod.iac.resources import Resource, resource_at
from iacmod.iac.rules import ResourceRule
from iacmod.rule import Example, Option

LAMBDA_DEFAULT = 3  # seconds: pulumi-aws `timeout` "Defaults to 3"; CDK `timeout` "Default: Duration.seconds(3)"
QUEUE_DEFAULT = 30  # seconds: pulumi-aws `visibility_timeout_seconds` "The default for this attribute is 30"
QUEUE_MAX = 43200  # seconds (12 hours): "An integer from 0 to 43200"

# where each platform writes the timeouts
FN_TIMEOUT = "timeout"
QUEUE_VISIBILITY = {
    Platform.PULUMI: "visibility_timeout_seconds",
    Platform.CDKTF: "visibility_timeout_seconds",
    Platform.CDK: "visibility_timeout",
    Platform.CDK_L1: "visibility_timeout",
}
BATCH_WINDOW = {
    Platform.PULUMI: "maximum_batching_window_in_seconds",
    Platform.CDKTF: "maximum_batching_window_in_seconds",
    Platform.CDK: "max_batching_window",
    Platform.CDK_L1: "maximum_batching_window_in_seconds",
}
# attributes that name a queue or a function in an event-source mapping
QUEUE_ATTRS = ("arn", "queue_arn", "attr_arn")
FN_ATTRS = ("arn", "name", "id", "function_name", "function_arn", "attr_arn", "ref")


@dataclass
class Trigger:
    node: cst.CSTNode  # the mapping or the event source
    function: Resource
    queue: Resource
    timeout: int
    visibility: int
    window: int


class LambdaSqsVisibilityTimeout(ResourceRule):
    code = "IAC506"
    name = "lambda-sqs-visibility-timeout"
    summary = "Raise an SQS queue's visibility timeout to at least the timeout of the function it triggers"
    severity = Severity.ERROR
    resource_types = (catalog.LAMBDA_EVENT_SOURCE_MAPPING, catalog.SQS_EVENT_SOURCE)
    triggers = ("EventSourceMapping", "SqsEventSource", "add_event_source_mapping")
    targets = frozenset({"pulumi", "cdk", "cdktf"})
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.SAFE
    METADATA_DEPENDENCIES = (*ResourceRule.METADATA_DEPENDENCIES, *DEPENDENCIES)
    options = {
        "factor": Option(
            6,
            "The fix sets the visibility timeout to this many times the function's timeout "
            "(plus the mapping's batching window), at least 1; AWS recommends 6.",
            minimum=1,
        ),
    }
    rationale = """
When Lambda reads an SQS queue, a message stays invisible to other consumers for the queue's
visibility timeout while the function works on it. Lambda refuses to create the event-source
mapping when that timeout is shorter than the function's: `CreateEventSourceMapping` fails with
`InvalidParameterValueException: Queue visibility timeout: 30 seconds is less than Function
timeout: 60 seconds`, so `pulumi up`, `cdk deploy` and `terraform apply` stop there (reported,
for example, in hashicorp/terraform-provider-aws#18099 and winglang/wing#1507). CDK synthesizes
`SqsEventSource` without a check; cfn-lint (E3505, "Validate SQS 'VisibilityTimeout' is greater
than a function's 'Timeout'") catches it in a synthesized CloudFormation template, but nothing
reads Pulumi or CDKTF programs for it, and the CDK source is where the fix goes.

The defaults matter: a function's timeout is 3 seconds and a queue's visibility timeout 30
seconds when they are not set (pulumi-aws: `timeout` "Defaults to 3", `visibility_timeout_seconds`
"The default for this attribute is 30"; CDK: `Duration.seconds(3)` and `Duration.seconds(30)`), so
a function given a minute on a queue left at its default fails. AWS recommends a visibility
timeout of six times the function's timeout, plus the mapping's `MaximumBatchingWindowInSeconds`
(Lambda developer guide, "Configuring an Amazon SQS queue to trigger a Lambda function").

The mappings read are Pulumi's `aws.lambda_.EventSourceMapping`, CDKTF's
`LambdaEventSourceMapping`, CDK's `EventSourceMapping`, `CfnEventSourceMapping`,
`fn.add_event_source_mapping(...)` and `SqsEventSource(queue)` (given to `fn.add_event_source` or
a function's `events=[...]`), when the queue and the function are both created in the module.
"""
    fix_description = """
Sets the queue's visibility timeout (`visibility_timeout_seconds` for Pulumi and CDKTF,
`visibility_timeout` for CDK, as `Duration.seconds(n)` or in the unit the file wrote when it divides
evenly) to `factor` × the function's timeout plus the mapping's batching window when it is a
literal (at most 43,200 seconds), when both the queue and the function are created in the module
and their timeouts are written as literals or left to their defaults. A queue that triggers
several functions gets the largest value. When a timeout comes from a constant shared with other
code, the finding names the value to set instead.
"""
    fix_safety_notes = """
**Safe**: the program cannot deploy as it is (the mapping is rejected), so no working deployment
changes. A longer visibility timeout only delays the redelivery of a message whose processing
failed, which is what the queue needs for a function that may run that long.
"""
    examples = (
        Example(
            title="pulumi function longer than the queue default",
            before="""
            import pulumi_aws as aws

            jobs = aws.sqs.Queue("jobs")
            worker = aws.lambda_.Function("worker", runtime="python3.12", handler="app.handler",
                                          role=role.arn, code=code, timeout=60)
            aws.lambda_.EventSourceMapping("worker-jobs", event_source_arn=jobs.arn, function_name=worker.name)
            """,
            after="""
            import pulumi_aws as aws

            jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds=360)
            worker = aws.lambda_.Function("worker", runtime="python3.12", handler="app.handler",
                                          role=role.arn, code=code, timeout=60)
            aws.lambda_.EventSourceMapping("worker-jobs", event_source_arn=jobs.arn, function_name=worker.name)
            """,
            message="visibility timeout (30 s) is shorter than the timeout of `worker` (60 s)",
            line=6,
        ),
        Example(
            title="cdk sqs event source keeps the unit",
            before="""
            from aws_cdk import Duration
            from aws_cdk import aws_lambda as lambda_, aws_sqs as sqs
            from aws_cdk.aws_lambda_event_sources import SqsEventSource

            queue = sqs.Queue(self, "Jobs", visibility_timeout=Duration.minutes(1))
            fn = lambda_.Function(self, "Worker", runtime=runtime, handler="app.handler", code=code,
                                  timeout=Duration.minutes(5))
            fn.add_event_source(SqsEventSource(queue, batch_size=10))
            """,
            after="""
            from aws_cdk import Duration
            from aws_cdk import aws_lambda as lambda_, aws_sqs as sqs
            from aws_cdk.aws_lambda_event_sources import SqsEventSource

            queue = sqs.Queue(self, "Jobs", visibility_timeout=Duration.minutes(30))
            fn = lambda_.Function(self, "Worker", runtime=runtime, handler="app.handler", code=code,
                                  timeout=Duration.minutes(5))
            fn.add_event_source(SqsEventSource(queue, batch_size=10))
            """,
        ),
        Example(
            title="cdktf with a batching window and factor 2",
            options={"factor": 2},
            before="""
            from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
            from cdktf_cdktf_provider_aws.lambda_event_source_mapping import LambdaEventSourceMapping

            queue = SqsQueue(self, "jobs", visibility_timeout_seconds=30)
            fn = LambdaFunction(self, "worker", function_name="worker", role=role.arn, timeout=120)
            LambdaEventSourceMapping(self, "map", event_source_arn=queue.arn, function_name=fn.function_name,
                                     maximum_batching_window_in_seconds=10)
            """,
            after="""
            from cdktf_cdktf_provider_aws.sqs_queue import SqsQueue
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
            from cdktf_cdktf_provider_aws.lambda_event_source_mapping import LambdaEventSourceMapping

            queue = SqsQueue(self, "jobs", visibility_timeout_seconds=250)
            fn = LambdaFunction(self, "worker", function_name="worker", role=role.arn, timeout=120)
            LambdaEventSourceMapping(self, "map", event_source_arn=queue.arn, function_name=fn.function_name,
                                     maximum_batching_window_in_seconds=10)
            """,
        ),
        Example(
            title="cdk add_event_source_mapping on a cfn queue",
            before="""
            from aws_cdk import Duration, aws_lambda as lambda_, aws_sqs as sqs

            queue = sqs.CfnQueue(self, "Jobs", visibility_timeout=30)
            fn = lambda_.Function(self, "Worker", runtime=runtime, handler="app.handler", code=code,
                                  timeout=Duration.seconds(40))
            fn.add_event_source_mapping("Jobs", event_source_arn=queue.attr_arn, max_batching_window=Duration.seconds(5))
            """,
            after="""
            from aws_cdk import Duration, aws_lambda as lambda_, aws_sqs as sqs

            queue = sqs.CfnQueue(self, "Jobs", visibility_timeout=245)
            fn = lambda_.Function(self, "Worker", runtime=runtime, handler="app.handler", code=code,
                                  timeout=Duration.seconds(40))
            fn.add_event_source_mapping("Jobs", event_source_arn=queue.attr_arn, max_batching_window=Duration.seconds(5))
            """,
        ),
        Example(
            title="a shared constant is reported, not changed",
            before="""
            import pulumi_aws as aws

            VISIBILITY = 30
            jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds=VISIBILITY)
            worker = aws.lambda_.Function("worker", timeout=300)
            aws.lambda_.EventSourceMapping("m", event_source_arn=jobs.arn, function_name=worker.arn)
            """,
            findings=1,
            message="set at `VISIBILITY`",
            line=6,
        ),
        Example(
            title="queue long enough, defaults, or an unknown queue",
            before="""
            import pulumi_aws as aws

            jobs = aws.sqs.Queue("jobs", visibility_timeout_seconds=360)
            short = aws.sqs.Queue("short")
            worker = aws.lambda_.Function("worker", timeout=60)
            quick = aws.lambda_.Function("quick")
            aws.lambda_.EventSourceMapping("a", event_source_arn=jobs.arn, function_name=worker.name)
            aws.lambda_.EventSourceMapping("b", event_source_arn=short.arn, function_name=quick.name)
            aws.lambda_.EventSourceMapping("c", event_source_arn=queue_arn, function_name=worker.name)
            """,
            findings=0,
        ),
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.triggered: list[Trigger] = []

    # -- what each mapping connects -------------------------------------------------------------

    def check(self, resource: Resource, props: Props) -> None:
        platform = resource.platform
        if resource.type is catalog.SQS_EVENT_SOURCE:
            positional = [a for a in resource.call.args if a.keyword is None and not a.star]
            if not positional:
                return
            queue_expr: Any = positional[0].value
            fn = self._function_of_event_source(resource.call)
        else:
            source = props.get("event_source_arn")
            queue_expr = owner(source, QUEUE_ATTRS)
            if platform is Platform.CDK:
                target = props.get("target")
                fn = (
                    the_resource(self, target, catalog.LAMBDA_FUNCTION)
                    if isinstance(target, cst.BaseExpression)
                    else None
                )
            else:
                fn_owner = owner(props.get("function_name"), FN_ATTRS)
                fn = the_resource(self, fn_owner, catalog.LAMBDA_FUNCTION) if fn_owner is not None else None
        window_path = BATCH_WINDOW[platform if resource.type is not catalog.SQS_EVENT_SOURCE else Platform.CDK]
        self._relate(resource.call, fn, queue_expr, lambda: self._seconds(props, window_path, 0) or 0)

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        # CDK: fn.add_event_source_mapping("Id", event_source_arn=queue.queue_arn, ...)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_event_source_mapping":
            named = {a.keyword.value: a.value for a in node.args if a.keyword is not None}
            if any(a.star for a in node.args):
                return
            fn = the_resource(self, node.func.value, catalog.LAMBDA_FUNCTION, platforms={Platform.CDK})
            window = named.get("max_batching_window")
            self._relate(
                node,
                fn,
                owner(named.get("event_source_arn"), QUEUE_ATTRS),
                lambda: 0 if window is None else (seconds_through(self, window) or (0, False))[0],
            )

    def _relate(self, node: cst.Call, fn: Resource | None, queue_expr: Any, window: Any) -> None:
        """Record a mapping from the queue ``queue_expr`` to ``fn`` when the function may run
        longer than the queue hides a message (``window()``: the batching window's seconds)."""
        if queue_expr is None or fn is None:
            return
        queue = the_resource(self, queue_expr, catalog.SQS_QUEUE)
        if queue is None:
            return
        timeout = self._seconds(Props(self, fn), FN_TIMEOUT, LAMBDA_DEFAULT)
        visibility = self._seconds(Props(self, queue), QUEUE_VISIBILITY[queue.platform], QUEUE_DEFAULT)
        if timeout is None or visibility is None or timeout <= visibility:
            return
        self.triggered.append(Trigger(node, fn, queue, timeout, visibility, window()))

    def _function_of_event_source(self, call: cst.Call) -> Resource | None:
        """The function an ``SqsEventSource(...)`` is given to: ``fn.add_event_source(it)`` or
        ``Function(..., events=[it])``."""
        arg = self.get_metadata(ParentNodeProvider, call, None)
        if isinstance(arg, cst.Arg) and arg.keyword is None:
            parent = self.get_metadata(ParentNodeProvider, arg, None)
            if (
                isinstance(parent, cst.Call)
                and isinstance(parent.func, cst.Attribute)
                and parent.func.attr.value == "add_event_source"
            ):
                return the_resource(self, parent.func.value, catalog.LAMBDA_FUNCTION, platforms={Platform.CDK})
            return None
        if isinstance(arg, cst.Element):
            listing = self.get_metadata(ParentNodeProvider, arg, None)
            keyword = self.get_metadata(ParentNodeProvider, listing, None) if listing is not None else None
            if isinstance(keyword, cst.Arg) and keyword.keyword is not None and keyword.keyword.value == "events":
                call_node = self.get_metadata(ParentNodeProvider, keyword, None)
                if isinstance(call_node, cst.Call):
                    return resource_at(self, call_node, catalog.LAMBDA_FUNCTION)
        return None

    def _seconds(self, props: Props, path: str, default: int) -> int | None:
        node = props.get(path)
        if node is MISSING:
            return default
        if node is UNKNOWN:
            return None
        assert isinstance(node, cst.BaseExpression)
        found = seconds_through(self, node)
        return None if found is None else found[0]

    # -- findings -------------------------------------------------------------------------------

    def finish(self) -> None:
        factor = self.option("factor")
        by_queue: dict[int, list[Trigger]] = {}
        for trigger in self.triggered:
            by_queue.setdefault(id(trigger.queue.call), []).append(trigger)
        for triggers in by_queue.values():
            needed = min(QUEUE_MAX, max(int(factor * t.timeout) + t.window for t in triggers))
            needed = max(needed, max(t.timeout for t in triggers))
            edit, why = self._raise(triggers[0].queue, needed)
            # one finding per queue (at its first mapping), naming every function too slow for it:
            # the one fix covers them all
            first = triggers[0]
            slow = ", ".join(f"`{self._label(t.function)}` ({t.timeout} s)" for t in triggers)
            longest = max(t.timeout for t in triggers)
            message = (
                f"the visibility timeout ({first.visibility} s) is shorter than the timeout of {slow} that this "
                f"queue triggers: creating the event-source mapping fails (`Queue visibility timeout: "
                f"{first.visibility} seconds is less than Function timeout: {longest} seconds`); raise it to at "
                f"least {longest} s (AWS recommends {needed} s here)"
            )
            if edit is None:
                self.report(first.node, message + f" ({why})")
            else:
                self.report(first.node, message, changes=edit.changes, add_imports=edit.imports, safety=FixSafety.SAFE)

    def _label(self, fn: Resource) -> str:
        for arg in fn.call.args:
            if arg.keyword is None and isinstance(arg.value, cst.SimpleString):
                return str(arg.value.evaluated_value)
        return fn.class_name

    def _raise(self, queue: Resource, needed: int) -> tuple[Any, str]:
        """The edit setting the queue's visibility timeout to ``needed`` seconds, or (None, why)."""
        props = Props(self, queue)
        path = QUEUE_VISIBILITY[queue.platform]
        node = props.get(path)
        if isinstance(node, cst.BaseExpression) and seconds(self, node) is None:
            name = self.module_code(node)
            return None, f"not fixed: the value is set at `{name}`, which other code may share: set it to {needed}"
        if queue.platform is not Platform.CDK:
            edit = props.set(path, Lit(needed))
        else:
            found = duration_unit(self, node) if isinstance(node, cst.BaseExpression) else None
            if found is not None and isinstance(node, cst.Call) and isinstance(node.func, cst.Attribute):
                unit = found[0] if needed % UNITS[found[0]] == 0 else "seconds"
                func = node.func.with_changes(attr=cst.Name(unit))
                edit = props.set(path, Code(f"{self.module_code(func)}({needed // UNITS[unit]})"))
            else:
                ref = reference(self, queue.call, "aws_cdk:Duration.seconds")
                edit = None if ref is None else props.set(path, Code(f"{ref[0]}({needed})", ref[1]))
        if edit is None:
            return None, f"not fixed: `{path}` cannot be set here without guessing the file's names: set it to {needed}"
        return edit, ""

    def module_code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)
