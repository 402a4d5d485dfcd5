"""lambda-event-source-mapping-source: an event-source mapping cannot read from a Lambda function."""

from __future__ import annotations

import libcst as cst

from iacmod.edit.literals import string_value
from iacmod.findings import FixAvailability, Severity
from iacmod.iac import catalog
from iacmod.iac.bindings import DEPENDENCIES, Answer, bindings
from iacmod.iac.properties import Absent, Props
from iacmod.iac.resources import Resource
from iacmod.iac.rules import ResourceRule
from iacmod.rule import Example

FUNCTIONS = (catalog.LAMBDA_FUNCTION, catalog.LAMBDA_ALIAS, catalog.LAMBDA_VERSION)
# the attributes that hold a function's (alias's, version's) ARN on each platform
ARN_ATTRS = frozenset({"arn", "qualified_arn", "function_arn", "attr_arn", "alias_arn", "version_arn"})
SOURCES = (
    "Kinesis streams, DynamoDB streams, DocumentDB change streams, SQS queues, Amazon MSK or "
    "self-managed Kafka, and Amazon MQ"
)


def _lambda_arn_text(node: cst.BaseExpression) -> bool:
    """A string (or an f-string's literal start) that is a Lambda function ARN."""
    text = string_value(node)
    if text is None and isinstance(node, cst.FormattedString) and node.parts:
        first = node.parts[0]
        text = first.value if isinstance(first, cst.FormattedStringText) else None
    return (
        text is not None
        and text.startswith("arn:")
        and ":lambda:" in text
        and (":function:" in text or text.endswith(":lambda:"))
    )


class LambdaEventSourceMappingSource(ResourceRule):
    code = "IAC505"
    name = "lambda-event-source-mapping-source"
    summary = "An event-source mapping's `event_source_arn` must be a stream, queue or broker, not a Lambda function"
    severity = Severity.ERROR
    resource_types = (catalog.LAMBDA_EVENT_SOURCE_MAPPING,)
    targets = frozenset({"pulumi", "cdk", "cdktf"})
    fix_availability = FixAvailability.NONE
    fix_applicability = None
    METADATA_DEPENDENCIES = (*ResourceRule.METADATA_DEPENDENCIES, *DEPENDENCIES)
    rationale = f"""
An event-source mapping is Lambda's poller: it reads batches from {SOURCES}, and invokes the
function with them. A Lambda function is not an event source: `CreateEventSourceMapping` rejects
its ARN and the deployment fails. The intent is usually to run one function after another, which
the mapping cannot do.
"""
    fix_description = """
None: what was meant cannot be known. The finding names the ways to chain functions: the first
function's destinations (`FunctionEventInvokeConfig` / CDK `on_success=LambdaDestination(…)`) for
asynchronous invocations, an asynchronous `invoke` from the first function's code, or an SQS queue
between the two (the first function sends, a mapping on the queue triggers the second), or a Step
Functions state machine.
"""
    fix_safety_notes = """
Detect-only. The source counts only when the bindings prove it is a Lambda function, alias or
version (`other_fn.arn`, `fn.function_arn`), or when it is an `arn:…:lambda:…:function:…` string.
"""
    examples = (
        Example(
            title="pulumi mapping on another function",
            before="""
            import pulumi_aws as aws
            validator = aws.lambda_.Function("validator", runtime="python3.12", handler="v.handler", role=role.arn)
            worker = aws.lambda_.Function("worker", runtime="python3.12", handler="w.handler", role=role.arn)
            aws.lambda_.EventSourceMapping("chain", event_source_arn=validator.arn, function_name=worker.name)
            """,
            findings=1,
            message="`event_source_arn=validator.arn` is a Lambda function",
            line=4,
        ),
        Example(
            title="cdk mapping on a function arn literal",
            before="""
            from aws_cdk import aws_lambda as lambda_
            lambda_.CfnEventSourceMapping(self, "Chain", function_name=worker.function_name,
                                          event_source_arn="arn:aws:lambda:us-east-1:123456789012:function:validator")
            """,
            findings=1,
            message="FunctionEventInvokeConfig",
        ),
        Example(
            title="queues streams and unproven values stay",
            before="""
            import pulumi_aws as aws
            queue = aws.sqs.Queue("jobs")
            worker = aws.lambda_.Function("worker", runtime="python3.12", handler="w.handler", role=role.arn)
            aws.lambda_.EventSourceMapping("jobs", event_source_arn=queue.arn, function_name=worker.name)
            aws.lambda_.EventSourceMapping("orders", event_source_arn=table.stream_arn, function_name=worker.name)
            aws.lambda_.EventSourceMapping("other", event_source_arn=source.arn, function_name=worker.name)
            """,
            findings=0,
        ),
    )

    def check(self, resource: Resource, props: Props) -> None:
        node = props.get("event_source_arn")
        if isinstance(node, Absent) or not self._is_function(node):
            return
        code = cst.Module(body=[]).code_for_node(node)
        self.report(
            node,
            f"`event_source_arn={code}` is a Lambda function: an event-source mapping reads from {SOURCES}, "
            "and creating this one fails. To run a function after another, use the first one's destinations "
            "(`FunctionEventInvokeConfig` on_success), an asynchronous `invoke` from its code, or an SQS "
            "queue in between",
        )

    def _is_function(self, node: cst.BaseExpression) -> bool:
        if _lambda_arn_text(node):
            return True
        if isinstance(node, cst.Attribute) and node.attr.value in ARN_ATTRS:
            return bindings(self).is_a(node.value, *FUNCTIONS) is Answer.CERTAIN
        if isinstance(node, cst.Name):
            values = bindings(self).values(node)
            return (
                bool(values.known)
                and values.complete
                and all(
                    isinstance(v.node, cst.BaseExpression) and not v.typed and _lambda_arn_text(v.node)
                    for v in values.known
                )
            )
        return False
