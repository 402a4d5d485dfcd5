"""sfn-lambda-invoke: Task states that invoke a Lambda function by its raw ARN, switched to the
optimized ``arn:aws:states:::lambda:invoke`` integration with the state's output kept."""

from __future__ import annotations

import re
from typing import Any

import libcst as cst
from libcst.metadata import ParentNodeProvider, ScopeProvider

from iacmod.edit.args import has_star_args, keyword_args
from iacmod.edit.layout import Layout, layout_of
from iacmod.edit.literals import literal_value, quote_of, restring, string_literal, string_value
from iacmod.edit.pysource import build, dict_elements, inline_at, insert_element, to_json, with_elements
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac import asl, catalog, documents
from iacmod.iac.bindings import DEPENDENCIES, Answer, bindings
from iacmod.iac.catalog import Platform
from iacmod.iac.names import qualified_names
from iacmod.iac.resources import resource_at
from iacmod.rule import DocumentResult, Example, Option, Rule, RuleContext

# What a Lambda `.arn`/`.attr_arn`/`.qualified_arn` can belong to: a function, an alias or a version.
LAMBDA_TYPES = (catalog.LAMBDA_FUNCTION, catalog.LAMBDA_ALIAS, catalog.LAMBDA_VERSION)
ARN_ATTRIBUTES = frozenset({"arn", "attr_arn", "qualified_arn", "function_arn", "alias_arn", "version_arn"})
# Libraries whose other resources are certainly not Lambda functions.
IAC_PACKAGES = (catalog.PULUMI_ROOT, catalog.CDK_ROOT, *catalog.CDKTF_ROOTS)
OUTPUT_ALL = frozenset({"pulumi.Output.all", "pulumi.output.Output.all"})
# Where a Python dict becomes a definition: JSON dumpers keep None as null; CDK (jsii) drops None.
JSON_SINKS = frozenset({"json.dumps", "pulumi.Output.json_dumps", "pulumi.output.Output.json_dumps"})
LAMBDA_INVOKE_L2 = frozenset({"aws_cdk.aws_stepfunctions_tasks.LambdaInvoke"})
JSON_DEFINITION = re.compile(r'"StartAt"\s*:')


class SfnLambdaInvoke(Rule):
    code = "IAC301"
    name = "sfn-lambda-invoke"
    summary = "Invoke Lambda functions from Step Functions through the optimized `lambda:invoke` integration"
    targets = frozenset({"stepfunctions", "pulumi", "cdk", "cdktf"})
    triggers = ("StartAt", "LambdaInvoke")
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS
    document_patterns = ("*.json", "*.yaml", "*.yml")
    METADATA_DEPENDENCIES = DEPENDENCIES
    options = {
        "add-retry": Option(
            True,
            "Add the retrier the Step Functions console adds for transient Lambda errors "
            "(`Lambda.ServiceException`, `Lambda.AWSLambdaException`, `Lambda.SdkClientException`, "
            "`Lambda.TooManyRequestsException`) when no existing retrier covers them",
        ),
    }

    rationale = """
A Task state whose `Resource` is a Lambda function's ARN invokes the function through the legacy
integration. AWS recommends the optimized integration `arn:aws:states:::lambda:invoke` with
`Parameters` `{"FunctionName": ..., "Payload": ...}`: it supports the callback pattern
(`.waitForTaskToken`), qualifiers and invocation types, and is what the console, the CDK
(`LambdaInvoke`) and the documentation generate. The recommended practice also retries the
transient Lambda service errors (`Lambda.ServiceException`, `Lambda.AWSLambdaException`,
`Lambda.SdkClientException`, `Lambda.TooManyRequestsException`), which otherwise fail the
execution.

The switch is easy to get wrong: the integration's result is not the function's return value but
a wrapper `{"ExecutedVersion", "Payload", "StatusCode", "SdkHttpMetadata", ...}`, so states after
it see different data unless the output is unwrapped again.
"""
    fix_description = """
`"Resource": <function ARN>` becomes `"Resource": "arn:aws:states:::lambda:invoke"` with
`"Parameters": {"FunctionName": <function ARN>, "Payload.$": "$"}`; existing `Parameters` become
the `Payload`. The state's output is kept exactly:

- with the default `ResultPath` (or `"$"`), `"OutputPath": "$.Payload"` is added, and an existing
  `OutputPath` `$.x` becomes `$.Payload.x`;
- the paths of an existing `ResultSelector` are re-rooted under `$.Payload` (intrinsic function
  arguments included);
- with `"ResultPath": null` the result is discarded, and nothing else changes.

Errors are not wrapped, so `Retry` and `Catch` are kept as they are. Unless an existing retrier
already covers them (by name, `States.TaskFailed` or `States.ALL`), a retrier for the transient
Lambda errors is added (`IntervalSeconds` 1, `MaxAttempts` 3, `BackoffRate` 2, `JitterStrategy`
`FULL`, as the console generates; option `add-retry`).

Definitions are found in Python dict literals that hold a state machine definition (`StartAt` and
`States`), wherever they are dumped (`json.dumps` in a Pulumi `.apply`, `pulumi.Output.json_dumps`,
CDK `CfnStateMachine`, CDKTF `SfnStateMachine`), in JSON text inside Python strings, and in ASL
files (`*.asl.json`, `*.asl.yaml`, and JSON/YAML files whose top level has `StartAt` and `States`),
which are edited in place: JSON text the fix does not change stays byte-identical (new members and
retriers are laid out like their siblings), and YAML keeps its key order, indentation and comments.

Reported without a fix:

- a `ResultPath` into the input (e.g. `"$.result"`) without a `ResultSelector`: the wrapper would
  be stored there and JSONPath cannot unwrap it in place;
- JSONata states (`QueryLanguage: JSONata`) that use a raw function ARN;
- CDK `sfn_tasks.LambdaInvoke(...)` without `payload_response_only=True`, `result_selector` or
  `output_path`: states after it see the wrapper.

Never touched: other service integrations, activities, `lambda:invoke` and
`lambda:invoke.waitForTaskToken` states.
"""
    fix_safety_notes = """
The fix is **safe** when the `Resource` is certainly a Lambda function ARN: a literal
`arn:aws:lambda:…:function:…` (with or without qualifier), an f-string of that shape, a CDK
`.function_arn`, or the `.arn` of a Lambda function or alias created in the same file (also
through `pulumi.Output.all(...).apply(lambda args: ...)`). For any other expression (a parameter,
a variable from elsewhere, a `${...}` template placeholder) the fix is **unsafe**: the ARN could be
an activity's. Check it, then run with `--unsafe-fixes`.

The added retrier changes what happens on transient Lambda service errors (the invocation is
retried instead of failing the state); that is the point of the recommendation. A function that
must not run twice should be idempotent anyway (Lambda itself may retry); turn the retrier off with
`add-retry = false` if needed.
"""

    examples = (
        Example(
            title="Pulumi: definition dumped in an apply",
            message="state 'Process': Task state invokes a Lambda function by its ARN", line=13,
            before="""
            import json
            import pulumi
            import pulumi_aws as aws

            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="index.handler", role=role.arn,
                                      code=pulumi.FileArchive("src"))
            machine = aws.sfn.StateMachine(
                "machine",
                role_arn=sfn_role.arn,
                definition=pulumi.Output.all(fn.arn).apply(lambda args: json.dumps({
                    "StartAt": "Process",
                    "States": {
                        "Process": {
                            "Type": "Task",
                            "Resource": args[0],
                            "End": True,
                        },
                    },
                })),
            )
            """,
            after="""
            import json
            import pulumi
            import pulumi_aws as aws

            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="index.handler", role=role.arn,
                                      code=pulumi.FileArchive("src"))
            machine = aws.sfn.StateMachine(
                "machine",
                role_arn=sfn_role.arn,
                definition=pulumi.Output.all(fn.arn).apply(lambda args: json.dumps({
                    "StartAt": "Process",
                    "States": {
                        "Process": {
                            "Type": "Task",
                            "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {
                                "FunctionName": args[0],
                                "Payload.$": "$",
                            },
                            "OutputPath": "$.Payload",
                            "Retry": [
                                {
                                    "ErrorEquals": [
                                        "Lambda.ServiceException",
                                        "Lambda.AWSLambdaException",
                                        "Lambda.SdkClientException",
                                        "Lambda.TooManyRequestsException",
                                    ],
                                    "IntervalSeconds": 1,
                                    "MaxAttempts": 3,
                                    "BackoffRate": 2,
                                    "JitterStrategy": "FULL",
                                },
                            ],
                            "End": True,
                        },
                    },
                })),
            )
            """,
            findings=1,
        ),
        Example(
            title="existing Parameters, OutputPath and a covering retrier",
            before="""
            definition = {
                "StartAt": "Score",
                "States": {
                    "Score": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:score:live",
                        "Parameters": {"order.$": "$.order", "mode": "fast"},
                        "OutputPath": "$.score",
                        "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
                        "End": True,
                    }
                },
            }
            """,
            after="""
            definition = {
                "StartAt": "Score",
                "States": {
                    "Score": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {
                            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:score:live",
                            "Payload": {"order.$": "$.order", "mode": "fast"},
                        },
                        "OutputPath": "$.Payload.score",
                        "Retry": [{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 2}],
                        "End": True,
                    }
                },
            }
            """,
        ),
        Example(
            title="ResultSelector paths are re-rooted; ResultPath null needs nothing else",
            before="""
            import json

            states = {
                "StartAt": "Check",
                "States": {
                    "Check": {"Type": "Task", "Resource": checker.function_arn,
                              "ResultSelector": {"ok.$": "$.valid", "n.$": "States.ArrayLength($.items)"},
                              "ResultPath": "$.check", "Next": "Audit"},
                    "Audit": {"Type": "Task", "Resource": auditor.function_arn, "ResultPath": None, "End": True},
                },
            }
            body = json.dumps(states)
            """,
            after="""
            import json

            states = {
                "StartAt": "Check",
                "States": {
                    "Check": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                              "Parameters": {
                                  "FunctionName": checker.function_arn,
                                  "Payload.$": "$",
                              },
                              "ResultSelector": {"ok.$": "$.Payload.valid", "n.$": "States.ArrayLength($.Payload.items)"},
                              "ResultPath": "$.check", "Next": "Audit"},
                    "Audit": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": auditor.function_arn, "Payload.$": "$"}, "ResultPath": None, "End": True},
                },
            }
            body = json.dumps(states)
            """,
            options={"add-retry": False},
        ),
        Example(
            title="ResultPath into the input cannot keep its shape: reported only",
            message="stores the result at ResultPath `$.enriched`", line=4,
            before="""
            definition = {
                "StartAt": "Enrich",
                "States": {
                    "Enrich": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:eu-west-1:123456789012:function:enrich",
                        "ResultPath": "$.enriched",
                        "End": True,
                    }
                },
            }
            """,
            findings=1,
        ),
        Example(
            title="`None` whose meaning depends on how the dict is serialized: reported only",
            before="""
            definition = {
                "StartAt": "Log",
                "States": {"Log": {"Type": "Task", "Resource": logger.function_arn, "ResultPath": None, "End": True}},
            }
            register(definition)
            """,
            findings=1,
        ),
        Example(
            title="an expression that is not known to be a function ARN: unsafe",
            before="""
            def definition(worker_arn):
                return {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": worker_arn, "End": True}}}
            """,
            after="""
            def definition(worker_arn):
                return {"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "Parameters": {"FunctionName": worker_arn, "Payload.$": "$"}, "OutputPath": "$.Payload", "End": True}}}
            """,
            unsafe=True,
            options={"add-retry": False},
        ),
        Example(
            title="JSON text in a Python string: only what changes is new text",
            before='''
            DEFINITION = """{
              "StartAt": "Run",
              "States": {
                "Run": {
                  "Type": "Task",
                  "Resource": "arn:aws:lambda:us-east-1:123456789012:function:run",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                  "End": true
                },
                "Failed": {"Type": "Fail", "Error": "RunFailed"}
              }
            }"""
            ''',
            after='''
            DEFINITION = """{
              "StartAt": "Run",
              "States": {
                "Run": {
                  "Type": "Task",
                  "Resource": "arn:aws:states:::lambda:invoke",
                  "Parameters": {
                    "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:run",
                    "Payload.$": "$"
                  },
                  "OutputPath": "$.Payload",
                  "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Failed"}],
                  "End": true
                },
                "Failed": {"Type": "Fail", "Error": "RunFailed"}
              }
            }"""
            ''',
            options={"add-retry": False},
        ),
        Example(
            title="an ASL file: untouched parts keep their layout, new ones follow their siblings",
            message="state 'Run'", line=4,
            path="workflow.asl.json",
            before="""
            {
                "StartAt": "Run",
                "States": {
                    "Run": {
                        "Type": "Task",
                        "Resource": "arn:aws:lambda:us-east-1:123456789012:function:run",
                        "Parameters": {
                            "id.$": "$.id",
                            "tags": ["a", "b"]
                        },
                        "Retry": [
                            {
                                "ErrorEquals": ["States.Timeout"],
                                "MaxAttempts": 2
                            }
                        ],
                        "Next": "Done"
                    },
                    "Done": {"Type": "Succeed"}
                }
            }
            """,
            after="""
            {
                "StartAt": "Run",
                "States": {
                    "Run": {
                        "Type": "Task",
                        "Resource": "arn:aws:states:::lambda:invoke",
                        "Parameters": {
                            "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:run",
                            "Payload": {
                                "id.$": "$.id",
                                "tags": ["a", "b"]
                            }
                        },
                        "OutputPath": "$.Payload",
                        "Retry": [
                            {
                                "ErrorEquals": ["States.Timeout"],
                                "MaxAttempts": 2
                            },
                            {
                                "ErrorEquals": ["Lambda.ServiceException", "Lambda.AWSLambdaException", "Lambda.SdkClientException", "Lambda.TooManyRequestsException"],
                                "IntervalSeconds": 1,
                                "MaxAttempts": 3,
                                "BackoffRate": 2,
                                "JitterStrategy": "FULL"
                            }
                        ],
                        "Next": "Done"
                    },
                    "Done": {"Type": "Succeed"}
                }
            }
            """,
        ),
        Example(
            title="already the optimized integration, other services and callbacks: unchanged",
            before="""
            definition = {
                "StartAt": "Run",
                "States": {
                    "Run": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
                            "Parameters": {"FunctionName": fn.arn, "Payload.$": "$"}, "Next": "Wait"},
                    "Wait": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
                             "Parameters": {"FunctionName": fn.arn, "Payload": {"token.$": "$$.Task.Token"}},
                             "Next": "Save"},
                    "Save": {"Type": "Task", "Resource": "arn:aws:states:::dynamodb:putItem",
                             "Parameters": {"TableName": "t", "Item": {"pk": {"S.$": "$.id"}}}, "Next": "Act"},
                    "Act": {"Type": "Task", "Resource": "arn:aws:states:us-east-1:123456789012:activity:review",
                            "End": True},
                },
            }
            """,
            findings=0,
        ),
        Example(
            title="JSONata states are reported, not rewritten",
            message="this JSONata Task state", line=5,
            before="""
            definition = {
                "QueryLanguage": "JSONata",
                "StartAt": "Run",
                "States": {
                    "Run": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:run",
                            "End": True},
                },
            }
            """,
            findings=1,
        ),
        Example(
            title="CDK LambdaInvoke without payload_response_only: reported",
            before="""
            from aws_cdk import aws_stepfunctions_tasks as tasks

            step = tasks.LambdaInvoke(self, "Score", lambda_function=scorer)
            unwrapped = tasks.LambdaInvoke(self, "Rank", lambda_function=ranker, payload_response_only=True)
            """,
            findings=1,
        ),
        Example(
            title="an IAM policy with a Resource is not a state",
            before="""
            policy = {
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "lambda:InvokeFunction", "Resource": fn.arn}],
            }
            """,
            findings=0,
        ),
    )

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._definitions: list[cst.Dict] = []
        self._apply_sources: dict[cst.CSTNode | str, tuple[cst.Call, cst.Call | None]] = {}
        self._nested: set[cst.Dict] = set()
        self._sinks: dict[cst.CSTNode, str] = {}

    # -- documents ------------------------------------------------------------------------------

    @classmethod
    def process_document(cls, context: RuleContext) -> DocumentResult:
        add_retry = bool(context.options.get("add-retry", cls.options["add-retry"].default))
        name = context.path.name.lower()
        if name.endswith(".json"):
            return documents.process_json(context.source, unsafe=context.unsafe_fixes, add_retry=add_retry)
        return documents.process_yaml(context.source, unsafe=context.unsafe_fixes, add_retry=add_retry)

    # -- collecting -----------------------------------------------------------------------------

    def visit_Dict(self, node: cst.Dict) -> None:
        keys = set()
        for element in node.elements:
            if isinstance(element, cst.DictElement) and isinstance(element.key, cst.SimpleString):
                if element.key.value[1:-1] in ("StartAt", "States"):
                    keys.add(element.key.value[1:-1])
        if len(keys) == 2:
            self._definitions.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "apply" and node.args:
            callback = node.args[0].value
            receiver = func.value
            all_call = None
            if isinstance(receiver, cst.Call) and isinstance(receiver.func, cst.Attribute) and receiver.func.attr.value == "all":
                if qualified_names(self, receiver.func) & OUTPUT_ALL:
                    all_call = receiver
            if isinstance(callback, cst.Lambda):
                self._apply_sources[callback] = (node, all_call)
            elif isinstance(callback, cst.Name):
                self._apply_sources[callback.value] = (node, all_call)  # type: ignore[index]
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if name in ("dumps", "json_dumps") and node.args and qualified_names(self, func) & JSON_SINKS:
            self._sinks[node.args[0].value] = "json"
        else:
            machine = resource_at(self, node, catalog.SFN_STATE_MACHINE)
            if machine is not None and machine.platform is Platform.CDK_L1:
                # CloudFormation takes the definition as an object: jsii leaves None keys out
                # (Pulumi's and CDKTF's `definition` is JSON text: a dict there is a type error)
                definition = keyword_args(node).get("definition")
                if definition is not None:
                    self._sinks[definition.value] = "drop"
        if name == "LambdaInvoke" and qualified_names(self, func) & LAMBDA_INVOKE_L2:
            self._check_l2(node)

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if "StartAt" not in node.value or not JSON_DEFINITION.search(node.value):
            return
        if "f" in node.prefix.lower() or "b" in node.prefix.lower():
            return
        self._check_json_string(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        for definition in self._definitions:
            if definition not in self._nested:
                self._check_definition(definition, "JSONPath", self._sink_of(definition))

    def _sink_of(self, definition: cst.Dict) -> str:
        """How Python None reaches the definition: "json" (null), "drop" (CDK removes the key)
        or "unknown"."""
        if definition in self._sinks:
            return self._sinks[definition]
        target = self._assigned_name(definition)
        if target is None:
            return "unknown"
        scope = self.get_metadata(ScopeProvider, target, None)
        if scope is None:
            return "unknown"
        kinds = set()
        for assignment in scope.assignments[target.value]:
            if getattr(assignment, "node", None) is not target:
                continue
            for access in assignment.references:
                kinds.add(self._sinks.get(access.node, "unknown"))
        return kinds.pop() if len(kinds) == 1 else "unknown"

    def _assigned_name(self, value: cst.BaseExpression) -> cst.Name | None:
        """The one name ``value`` is assigned to (``name = value``, ``name: T = value``)."""
        parent = self.get_metadata(ParentNodeProvider, value, None)
        targets: list[cst.BaseExpression] = []
        if isinstance(parent, cst.Assign) and parent.value is value:
            targets = [t.target for t in parent.targets]
        elif isinstance(parent, cst.AnnAssign) and parent.value is value:
            targets = [parent.target]
        names = [t for t in targets if isinstance(t, cst.Name)]
        return names[0] if len(names) == 1 else None

    # -- CDK L2 ---------------------------------------------------------------------------------

    def _check_l2(self, node: cst.Call) -> None:
        if has_star_args(node):
            return
        keywords = keyword_args(node)
        response_only = keywords.get("payload_response_only")
        if response_only is not None and literal_value(response_only.value) is True:
            return
        if "result_selector" in keywords or "output_path" in keywords:
            return
        result_path = keywords.get("result_path")
        if result_path is not None and isinstance(result_path.value, cst.Attribute) and result_path.value.attr.value == "DISCARD":
            return
        self.report(
            node,
            "`LambdaInvoke` without `payload_response_only=True`, `result_selector` or `output_path` "
            'passes the integration\'s wrapper `{"ExecutedVersion", "Payload", "StatusCode", '
            '"SdkHttpMetadata", ...}` to the states after it, not the function\'s return value; if '
            "they expect the return value, set `payload_response_only=True` (or "
            '`output_path="$.Payload"`), otherwise make sure they read `$.Payload`',
        )

    # -- JSON strings ---------------------------------------------------------------------------

    def _check_json_string(self, node: cst.SimpleString) -> None:
        text = node.evaluated_value
        if not isinstance(text, str):
            return
        add_retry = bool(self.option("add-retry"))
        safe_text, safe_outcomes = documents.rewrite_json_text(text, unsafe=False, add_retry=add_retry)
        all_text, all_outcomes = documents.rewrite_json_text(text, unsafe=True, add_retry=add_retry)
        for outcome in safe_outcomes:
            if outcome.plan.action == "report":
                self.report(node, f"state {outcome.name!r}: {outcome.plan.message}")
        fixed_safe = [o for o in safe_outcomes if o.fixed]
        if fixed_safe and safe_text is not None:
            replacement = restring(node, safe_text)
            if replacement is not None:
                self.report(node, self._json_message(fixed_safe), replacement=replacement)
            else:
                self.report(node, self._json_message(fixed_safe) + " (not fixed: the string cannot be rewritten in place)")
        unsafe_outcomes = [o for o in all_outcomes if o.safety is FixSafety.UNSAFE]
        if unsafe_outcomes and all_text is not None:
            replacement = restring(node, all_text)
            if replacement is not None:
                self.report(node, self._json_message(unsafe_outcomes), replacement=replacement, safety=FixSafety.UNSAFE)

    @staticmethod
    def _json_message(outcomes: list[documents.StateOutcome]) -> str:
        names = ", ".join(repr(o.name) for o in outcomes)
        label = "state" if len(outcomes) == 1 else "states"
        return f"{label} {names}: {asl.describe(outcomes[0].plan)}"

    # -- Python dict definitions ----------------------------------------------------------------

    def _check_definition(self, definition: cst.Dict, inherited: str, sink: str) -> None:
        elements = dict_elements(definition)
        if elements is None:
            return
        ql_element = elements.get("QueryLanguage")
        ql = inherited
        if ql_element is not None:
            value = string_value(ql_element.value)
            ql = value if value is not None else "?"
        states = elements.get("States")
        if states is None or not isinstance(states.value, cst.Dict):
            return
        for element in states.value.elements:
            if not isinstance(element, cst.DictElement) or not isinstance(element.value, cst.Dict):
                continue
            state = element.value
            state_elements = dict_elements(state)
            if state_elements is None:
                continue
            state_ql = ql
            if "QueryLanguage" in state_elements:
                value = string_value(state_elements["QueryLanguage"].value)
                state_ql = value if value is not None else "?"
            kind = string_value(state_elements["Type"].value) if "Type" in state_elements else None
            if kind == "Task":
                self._check_state(state, state_elements, state_ql, string_value(element.key) or "?", sink)
            elif kind == "Parallel" and "Branches" in state_elements:
                branches = state_elements["Branches"].value
                if isinstance(branches, (cst.List, cst.Tuple)):
                    for branch in branches.elements:
                        if isinstance(branch.value, cst.Dict):
                            self._nested.add(branch.value)
                            self._check_definition(branch.value, state_ql, sink)
            elif kind == "Map":
                for key in ("ItemProcessor", "Iterator"):
                    if key in state_elements and isinstance(state_elements[key].value, cst.Dict):
                        self._nested.add(state_elements[key].value)  # type: ignore[arg-type]
                        self._check_definition(state_elements[key].value, state_ql, sink)  # type: ignore[arg-type]

    def _check_state(
        self, state: cst.Dict, elements: dict[str, cst.DictElement], ql: str, name: str, sink: str
    ) -> None:
        resource = elements.get("Resource")
        if resource is None:
            return
        kind = self._classify(resource.value)
        if kind == asl.OTHER:
            return
        view = {key: to_json(element.value) for key, element in elements.items()}
        for key in ("ResultPath", "OutputPath"):
            if key in view and view[key] is None:
                if sink == "drop":
                    del view[key]  # CDK leaves the field out: the default applies
                elif sink != "json":
                    self.report(
                        state,
                        f"state {name!r} invokes a Lambda function by its ARN and sets `{key}` to "
                        "`None`, which is `null` when the dict goes through `json.dumps` but is left "
                        "out by the AWS CDK (`definition=`); not rewritten because the two need "
                        "different fixes. Pass the definition through `json.dumps`, or switch to "
                        f"`{asl.INVOKE}` by hand",
                    )
                    return
        plan = asl.plan_state(view, kind, ql, bool(self.option("add-retry")))
        if plan.action == "skip":
            return
        if plan.action == "report":
            self.report(state, f"state {name!r}: {plan.message}")
            return
        replacement = self._rewrite(state, elements, plan, view)
        if replacement is None:
            self.report(state, f"state {name!r}: {asl.describe(plan)} (not fixed: the Retry list is not a literal)")
            return
        safety = FixSafety.SAFE if kind == asl.LAMBDA else FixSafety.UNSAFE
        self.report(state, f"state {name!r}: {asl.describe(plan)}", replacement=replacement, safety=safety)

    def _rewrite(self, state: cst.Dict, elements: dict[str, cst.DictElement], plan: asl.Plan, view: dict[str, Any]) -> cst.Dict | None:
        resource = elements["Resource"]
        quote = quote_of(resource.key)
        layout = layout_of(state, quote)
        items: list[Any] = list(state.elements)

        def key_string(text: str) -> cst.SimpleString:
            return cst.SimpleString(string_literal(text, quote))

        def position(key: str) -> int:
            return next(i for i, e in enumerate(items) if isinstance(e, cst.DictElement) and string_value(e.key) == key)

        def new_element(key: str, value: cst.BaseExpression) -> cst.DictElement:
            return cst.DictElement(key_string(key), value)

        def layout_at(index: int) -> Layout:
            if layout.multiline and inline_at(items, index, layout):
                return Layout(False, layout.base, layout.unit, quote)
            return layout

        params_value: dict[str, Any] = {"FunctionName": asl.Opaque(resource.value)}
        if "Parameters" in elements:
            params_value["Payload"] = asl.Opaque(elements["Parameters"].value)
        else:
            params_value["Payload.$"] = "$"
        params_layout = layout if "Parameters" in elements else layout_at(position("Resource") + 1)
        params = build(params_value, params_layout, 0)
        new_resource_value = cst.SimpleString(string_literal(asl.INVOKE, quote_of(resource.value, quote)))
        items[position("Resource")] = resource.with_changes(value=new_resource_value)
        if "Parameters" in elements:
            i = position("Parameters")
            items[i] = items[i].with_changes(value=params)
        else:
            items = insert_element(items, position("Resource") + 1, new_element("Parameters", params), layout)

        if plan.selector:
            i = position("ResultSelector")
            items[i] = items[i].with_changes(value=_reroot_selector(items[i].value))

        if plan.output_path is not None:
            if "OutputPath" in elements:
                i = position("OutputPath")
                value = cst.SimpleString(string_literal(plan.output_path, quote_of(items[i].value, quote)))
                items[i] = items[i].with_changes(value=value)
            else:
                value = cst.SimpleString(string_literal(plan.output_path, quote))
                items = insert_element(items, position("Parameters") + 1, new_element("OutputPath", value), layout)

        if plan.retry_errors:
            retrier = asl.retrier(plan.retry_errors)
            if "Retry" in elements:
                i = position("Retry")
                retry = items[i].value
                if not isinstance(retry, cst.List):
                    return None
                inner = layout_of(retry, quote)
                if not inner.multiline and layout.multiline and retry.elements:
                    inner = Layout(False, layout.base, layout.unit, quote)
                elif not retry.elements:
                    inner = Layout(layout.multiline, layout.base + layout.unit, layout.unit, quote)
                new_item = cst.Element(build(retrier, inner, 0))
                if retry.elements or not layout.multiline:
                    new_elements = insert_element(list(retry.elements), len(retry.elements), new_item, inner)
                    new_retry = with_elements(retry, new_elements, len(retry.elements) - 1)
                    items[i] = items[i].with_changes(value=new_retry)
                else:
                    items[i] = items[i].with_changes(value=build([retrier], layout, 0))
            else:
                keys = [string_value(e.key) or "" for e in items if isinstance(e, cst.DictElement)]
                index = asl.retry_insert_index(keys)
                items = insert_element(items, index, new_element("Retry", build([retrier], layout_at(index), 0)), layout)
        last = state.elements[-1]
        last_key = string_value(last.key) if isinstance(last, cst.DictElement) else None
        return with_elements(state, items, position(last_key) if last_key is not None else None)

    # -- what a Resource expression is ------------------------------------------------------------

    def _classify(self, expr: cst.BaseExpression, depth: int = 0) -> str:
        if depth > 8:
            return asl.MAYBE_LAMBDA
        text = string_value(expr)
        if text is not None:
            return asl.classify_resource_string(text)
        if isinstance(expr, cst.FormattedString):
            shape = "".join(p.value if isinstance(p, cst.FormattedStringText) else "x" for p in expr.parts)
            if shape.startswith("arn:"):
                parts = shape.split(":")
                if len(parts) > 2 and parts[2] == "states":
                    return asl.OTHER
                if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
                    return asl.LAMBDA
            return asl.MAYBE_LAMBDA
        if isinstance(expr, cst.Attribute):
            attr = expr.attr.value
            if attr == "function_arn":
                return asl.LAMBDA
            if attr == "invoke_arn":
                return asl.OTHER  # an API Gateway invocation URI, not a function ARN
            if attr in ARN_ATTRIBUTES:
                return self._receiver_kind(expr.value)
            return asl.MAYBE_LAMBDA
        if isinstance(expr, (cst.Name, cst.Subscript)):
            source = self._apply_source(expr)
            if source is not None:
                return self._classify(source, depth + 1)
            return self._held_kind(expr, depth)
        return asl.MAYBE_LAMBDA

    def _receiver_kind(self, receiver: cst.BaseExpression) -> str:
        """What the ARN attribute of ``receiver`` is: a Lambda function's (or alias's, version's)
        when every binding of ``receiver`` certainly creates one, certainly not one when every
        binding is something else, else unknown (the fix is then unsafe)."""
        tracker = bindings(self)
        answer = tracker.is_a(receiver, *LAMBDA_TYPES)
        if answer is Answer.CERTAIN:
            return asl.LAMBDA
        # not a function, and an AWS library's object: its ARN is its own (a local class that
        # is not a function may still hand out one's ARN)
        if answer is Answer.NOT and all(self._from_library(v.node) for v in tracker.values(receiver).known):
            return asl.OTHER
        return asl.MAYBE_LAMBDA

    def _from_library(self, node: cst.CSTNode) -> bool:
        """A call of (or an annotation naming) a class of the AWS libraries."""
        names = qualified_names(self, node.func if isinstance(node, cst.Call) else node)
        return bool(names) and all(n.startswith(IAC_PACKAGES) for n in names)

    def _held_kind(self, expr: cst.Name | cst.Subscript, depth: int) -> str:
        """What a name (or an element of a container) holds, from every binding of it: an ARN
        string, an ARN attribute, …; unknown as soon as one binding cannot be followed."""
        found = bindings(self).values(expr)
        nodes = [v.node for v in found.known if not v.typed]
        # an attribute of another object (``arn = fn.arn``) is classified by its receiver
        nodes += [u.node for u in found.unknown if isinstance(u.node, cst.Attribute)]
        if not nodes or len(nodes) != len(found.known) + len(found.unknown):
            return asl.MAYBE_LAMBDA
        kinds = {self._classify(node, depth + 1) for node in nodes}  # type: ignore[arg-type]
        return kinds.pop() if len(kinds) == 1 else asl.MAYBE_LAMBDA

    def _apply_source(self, expr: cst.BaseExpression) -> cst.BaseExpression | None:
        """What a callback parameter of ``<output>.apply(...)`` (or ``args[i]`` of
        ``Output.all(...).apply(...)``) holds (Pulumi resolves it from that Output)."""
        name = expr if isinstance(expr, cst.Name) else expr.value if isinstance(expr, cst.Subscript) else None
        if not isinstance(name, cst.Name):
            return None
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return None
        assignments = list(scope[name.value])
        if len(assignments) != 1:
            return None
        node = getattr(assignments[0], "node", None)
        if not isinstance(node, cst.Param):
            return None
        owner = getattr(assignments[0].scope, "node", None)
        key: Any = owner
        if isinstance(owner, cst.FunctionDef):
            key = owner.name.value
        source = self._apply_sources.get(key)
        if source is None:
            return None
        apply_call, all_call = source
        params = owner.params.params if isinstance(owner, (cst.Lambda, cst.FunctionDef)) else ()
        if len(params) != 1 or params[0].name.value != name.value:
            return None
        receiver = apply_call.func.value  # type: ignore[attr-defined]
        if all_call is None:
            return receiver if isinstance(expr, cst.Name) else None
        if not isinstance(expr, cst.Subscript) or len(expr.slice) != 1:
            return None
        index = expr.slice[0].slice
        if not isinstance(index, cst.Index):
            return None
        if isinstance(index.value, cst.Integer):
            position = int(index.value.evaluated_value)
            positional = [a for a in all_call.args if a.keyword is None and not a.star]
            if len(positional) != len(all_call.args) or position >= len(positional):
                return None
            return positional[position].value
        key_text = string_value(index.value)
        arg = keyword_args(all_call).get(key_text) if key_text is not None else None
        return arg.value if arg is not None else None


class _Reroot(cst.CSTTransformer):
    def leave_DictElement(self, original: cst.DictElement, updated: cst.DictElement) -> cst.DictElement:
        key = string_value(original.key)
        if key is None or not key.endswith(".$"):
            return updated
        value = string_value(original.value)
        if value is None:
            return updated
        new = asl.reroot_path_value(value)
        if new == value:
            return updated
        return updated.with_changes(value=cst.SimpleString(string_literal(new, quote_of(original.value, '"'))))


def _reroot_selector(node: cst.BaseExpression) -> cst.BaseExpression:
    return node.visit(_Reroot())  # type: ignore[return-value]
