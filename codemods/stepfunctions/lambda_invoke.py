"""sfn-lambda-invoke: Task states that invoke a Lambda function by its raw ARN, switched to the
optimized ``arn:aws:states:::lambda:invoke`` integration with the state's output kept."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import libcst as cst
from libcst.metadata import MetadataWrapper, ParentNodeProvider, ScopeProvider

from iacmod.cst.walk import readonly_visits, walk_batched
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
CDK `CfnStateMachine`, CDKTF `SfnStateMachine`), in JSON text inside Python strings (also a JSON
template filled with `%` or `.format`, whose fields are followed to their arguments: `"Resource":
"%s" % fn.arn`; the fix is written back into the template, with its `{{ }}`/`%%` escapes, only when
the fields keep their order), and in ASL
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

**`${Name}` placeholders** (SAM/CloudFormation `DefinitionSubstitutions`, Terraform `templatefile`,
CDK `definition_substitutions`, Python `.format`/`string.Template`) are as often an activity, a
queue, a topic, a table or an integration ARN as a function ARN, so a placeholder `Resource` is
rewritten only when what fills it is found and is a Lambda function (or alias, version) ARN. When
an ASL file has such a Task, the files next to it that name it (its folder, the two above it, and
their direct subfolders) are read:

- a SAM/CloudFormation template (YAML with its short-form tags, or JSON) whose
  `AWS::Serverless::StateMachine`/`AWS::StepFunctions::StateMachine` has the file as
  `DefinitionUri`/`DefinitionS3Location`: a substitution `!GetAtt Fn.Arn`, `!Sub "${Fn.Arn}"` or
  `!Sub "arn:…:lambda:…:function:…"` of an `AWS::Serverless::Function`/`AWS::Lambda::Function`, or
  `!Ref` of an alias or version, is a Lambda ARN; `!Ref Fn` of a function is its name (which
  `FunctionName` accepts: the fix is then unsafe); any other resource is not a function;
- a Terraform file's `templatefile("…/<the file>", { Name = … })` (read by a bracket-balancing
  scan, not a full HCL parser): `aws_lambda_function.<n>.arn`/`qualified_arn` and
  `aws_lambda_alias.<n>.arn` (also `data.` sources) are Lambda ARNs, other `aws_*` references are
  not; variables, locals and modules stay unresolved;
- Python code (CDK `definition_substitutions={…}`, `.format(Name=…)`, `Template(…).substitute(…)`):
  the value is classified with the binding tracker like any `Resource` expression; only a certain
  answer resolves the placeholder.

Placeholders in Python definitions are resolved from the same module. An unresolved placeholder is
never rewritten, and reported only when the state passes a `FunctionName` (positive evidence that
it calls Lambda): the placeholder name alone is not evidence. The detect-only findings (a
`ResultPath` into the input, JSONata) follow the same rule.
"""
    fix_safety_notes = """
The fix is **safe** when the `Resource` is certainly a Lambda function ARN: a literal
`arn:aws:lambda:…:function:…` (with or without qualifier), an f-string of that shape, a CDK
`.function_arn`, or the `.arn` of a Lambda function or alias created in the same file (also
through `pulumi.Output.all(...).apply(lambda args: ...)`). For any other expression (a parameter,
a variable from elsewhere) the fix is **unsafe**: the ARN could be an activity's. Check it, then
run with `--unsafe-fixes`. A `${...}` placeholder is fixed only once resolved: **safe** when the
template, `.tf` file or Python code next to the definition fills it with a function's ARN, unsafe
when with a function's name (CloudFormation `!Ref`, Terraform `function_name`), never otherwise;
a `%`/`.format` field of a JSON template only when its argument certainly is a function ARN.
Another attribute of an AWS object that is certainly not a Lambda function
(`activity.activity_arn`, `queue.arn`) is never taken for one.

The added retrier changes what happens on transient Lambda service errors (the invocation is
retried instead of failing the state); that is the point of the recommendation. A function that
must not run twice should be idempotent anyway (Lambda itself may retry); turn the retrier off with
`add-retry = false` if needed.
"""

    examples = (
        Example(
            title="Pulumi: definition dumped in an apply",
            message="state 'Process': Task state invokes a Lambda function by its ARN",
            line=13,
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
            message="stores the result at ResultPath `$.enriched`",
            line=4,
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
            message="state 'Run'",
            line=4,
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
            message="this JSONata Task state",
            line=5,
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
        # ``${Name}`` placeholders: the expressions this module fills them with
        # (definition_substitutions=, .format(Name=...), Template(...).substitute(Name=...))
        self._substitution_exprs: dict[str, list[cst.BaseExpression]] = {}
        self._resolved: dict[str, documents.Resolution] | None = None
        self._json_strings: list[cst.SimpleString] = []
        # JSON text built with % or .format: (template, its arguments)
        self._templates: dict[cst.SimpleString, tuple[str, list[cst.Arg]]] = {}

    # -- documents ------------------------------------------------------------------------------

    @classmethod
    def process_document(cls, context: RuleContext) -> DocumentResult:
        add_retry = bool(context.options.get("add-retry", cls.options["add-retry"].default))
        name = context.path.name.lower()
        # ``${Name}`` Task resources are resolved from the files next to the document (read only
        # when there are some)
        resolve = documents.sibling_resolver(context.path, cls._python_substitutions)
        if name.endswith(".json"):
            return documents.process_json(
                context.source, unsafe=context.unsafe_fixes, add_retry=add_retry, resolve=resolve
            )
        return documents.process_yaml(context.source, unsafe=context.unsafe_fixes, add_retry=add_retry, resolve=resolve)

    @classmethod
    def _python_substitutions(cls, path: Path, text: str, asl_name: str) -> documents.Placeholders:
        """What a Python program (CDK ``definition_substitutions={...}``, ``.format(Name=...)``,
        ``Template(...).substitute(Name=...)``) fills placeholders with, each value classified
        with the binding tracker (resolved only when it certainly is, or is not, a Lambda ARN)."""
        try:
            module = cst.parse_module(text)
        except Exception:  # noqa: BLE001 - a sibling that does not parse resolves nothing
            return {}
        collector = cls(RuleContext(path, text, {}))
        collector._collect_only = True  # type: ignore[attr-defined]
        wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
        try:
            with collector.resolve(wrapper), readonly_visits():
                walk_batched(module, [collector])
        except Exception:  # noqa: BLE001 - resolution is best effort: unresolved is safe
            return {}
        return collector._resolved or {}

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
        self._collect_substitutions(node)
        if isinstance(func, cst.Attribute) and func.attr.value == "apply" and node.args:
            callback = node.args[0].value
            receiver = func.value
            all_call = None
            if (
                isinstance(receiver, cst.Call)
                and isinstance(receiver.func, cst.Attribute)
                and receiver.func.attr.value == "all"
            ):
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
        self._json_strings.append(node)

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        # '{"StartAt": ..., "Resource": "%s" ...}' % arn
        if isinstance(node.operator, cst.Modulo) and isinstance(node.left, cst.SimpleString):
            right = node.right
            args = [cst.Arg(e.value) for e in right.elements] if isinstance(right, cst.Tuple) else [cst.Arg(right)]
            if isinstance(right, cst.Tuple) and any(isinstance(e, cst.StarredElement) for e in right.elements):
                return
            self._templates[node.left] = ("%", args)

    def leave_Module(self, original_node: cst.Module) -> None:
        if getattr(self, "_collect_only", False):
            self._resolved = self._resolve_substitutions()
            return
        for node in self._json_strings:
            self._check_json_string(node)
        for definition in self._definitions:
            if definition not in self._nested:
                self._check_definition(definition, "JSONPath", self._sink_of(definition))

    # -- placeholders -----------------------------------------------------------------------------

    def _collect_substitutions(self, node: cst.Call) -> None:
        func = node.func
        entries: list[tuple[str, cst.BaseExpression]] = []
        keywords = keyword_args(node)
        subs = keywords.get("definition_substitutions")
        if subs is not None and isinstance(subs.value, cst.Dict):
            for element in subs.value.elements:
                key = string_value(element.key) if isinstance(element, cst.DictElement) else None
                if key is not None:
                    entries.append((key, element.value))
        if isinstance(func, cst.Attribute) and func.attr.value in ("format", "substitute", "safe_substitute"):
            entries += [(k, a.value) for k, a in keywords.items()]
            if func.attr.value != "format":
                for arg in node.args:
                    if arg.keyword is None and not arg.star and isinstance(arg.value, cst.Dict):
                        for element in arg.value.elements:
                            key = string_value(element.key) if isinstance(element, cst.DictElement) else None
                            if key is not None:
                                entries.append((key, element.value))
            if func.attr.value == "format" and isinstance(func.value, cst.SimpleString) and not has_star_args(node):
                self._templates[func.value] = ("{}", list(node.args))
        for key, value in entries:
            self._substitution_exprs.setdefault(key, []).append(value)

    @property
    def _substitutions(self) -> dict[str, documents.Resolution]:
        """The module's placeholders resolved (on first use: only definitions with one ask)."""
        if self._resolved is None:
            self._resolved = self._resolve_substitutions()
        return self._resolved

    def _resolve_substitutions(self) -> dict[str, documents.Resolution]:
        out: dict[str, documents.Resolution] = {}
        for key, values in self._substitution_exprs.items():
            kinds = {self._classify(v) for v in values}
            if len(kinds) != 1:
                continue
            kind = kinds.pop()
            if kind == asl.LAMBDA:
                code = self.module_code(values[0]) if hasattr(self, "module_code") else None
                where = f": `{code}`" if code else ""
                out[key] = documents.Resolution(asl.LAMBDA, f"a Lambda function ARN ({self.context.path.name}{where})")
            elif kind == asl.OTHER:
                out[key] = documents.Resolution(asl.OTHER, "not a Lambda function ARN")
        return out

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
        if (
            result_path is not None
            and isinstance(result_path.value, cst.Attribute)
            and result_path.value.attr.value == "DISCARD"
        ):
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
        classify = documents.classifier(self._substitutions if "${" in text else None)
        back = None
        if node in self._templates:
            style, args = self._templates[node]
            template = _Template.read(text, style, args)
            if template is None:
                return  # a format string this rule does not map back
            text = template.json
            classify = template.classifier(self, classify)
            back = template.write
        add_retry = bool(self.option("add-retry"))
        safe_text, safe_outcomes = documents.rewrite_json_text(
            text, unsafe=False, add_retry=add_retry, classify=classify
        )
        all_text, all_outcomes = documents.rewrite_json_text(text, unsafe=True, add_retry=add_retry, classify=classify)
        if back is not None:
            safe_text = back(safe_text) if safe_text is not None else None
            all_text = back(all_text) if all_text is not None else None
            if (safe_text is None and any(o.fixed for o in safe_outcomes)) or (
                all_text is None and any(o.fixed for o in all_outcomes)
            ):
                fixed = [o for o in all_outcomes if o.fixed]
                self.report(
                    node, self._json_message(fixed) + " (not fixed: the format string's fields would change order)"
                )
                return
        for outcome in safe_outcomes:
            if outcome.plan.action == "report":
                self.report(node, f"state {outcome.name!r}: {outcome.plan.message}")
        fixed_safe = [o for o in safe_outcomes if o.fixed]
        if fixed_safe and safe_text is not None:
            replacement = restring(node, safe_text)
            if replacement is not None:
                self.report(node, self._json_message(fixed_safe), replacement=replacement)
            else:
                self.report(
                    node, self._json_message(fixed_safe) + " (not fixed: the string cannot be rewritten in place)"
                )
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
        note = ""
        text = string_value(resource.value)
        if text is not None and asl.PLACEHOLDER_RE.match(text):
            kind, note = documents.classifier(self._substitutions)(text)
            if kind == asl.OTHER:
                return
        if kind == asl.PLACEHOLDER:
            # unresolved: never rewritten; reported only on positive evidence of a Lambda call
            if asl.lambda_evidence(view):
                self.report(state, f"state {name!r}: {asl.unresolved_message(text or '?')}")
            return
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
        plan.note = note
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

    def _rewrite(
        self, state: cst.Dict, elements: dict[str, cst.DictElement], plan: asl.Plan, view: dict[str, Any]
    ) -> cst.Dict | None:
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
                items = insert_element(
                    items, index, new_element("Retry", build([retrier], layout_at(index), 0)), layout
                )
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
        field = _single_field(expr)
        if field is not None:
            return self._classify(field, depth + 1)  # "%s" % arn, "{}".format(arn)
        if isinstance(expr, cst.Attribute):
            attr = expr.attr.value
            if attr == "function_arn":
                return asl.LAMBDA
            if attr == "invoke_arn":
                return asl.OTHER  # an API Gateway invocation URI, not a function ARN
            if attr in ARN_ATTRIBUTES:
                return self._receiver_kind(expr.value)
            # another attribute (``activity.activity_arn``, ``queue.queue_url``) of an AWS
            # library object that is certainly not a Lambda function is not a function ARN
            return asl.OTHER if self._receiver_kind(expr.value) == asl.OTHER else asl.MAYBE_LAMBDA
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


def _single_field(expr: cst.BaseExpression) -> cst.BaseExpression | None:
    """``x`` of ``"%s" % x`` and of ``"{}".format(x)`` (the string is nothing but the field)."""
    if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.Modulo):
        if string_value(expr.left) == "%s" and not isinstance(expr.right, (cst.Tuple, cst.Dict)):
            return expr.right
    if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format":
        if string_value(expr.func.value) in ("{}", "{0}") and len(expr.args) == 1:
            arg = expr.args[0]
            if arg.keyword is None and not arg.star:
                return arg.value
    return None


SENTINEL = "@@iacmod-field-{}@@"
SENTINEL_RE = re.compile(r"@@iacmod-field-(\d+)@@")
PERCENT_FIELD = re.compile(r"%(?:\(([^)]*)\))?[-#0 +]*(?:\*|\d+)?(?:\.(?:\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])")


class _Template:
    """JSON text written as a ``%`` or ``str.format`` template: the JSON with each field replaced
    by a sentinel string, and the way back. The way back refuses (None) when the fields would
    change order (positional fields) or a sentinel was lost or duplicated."""

    def __init__(
        self, json_text: str, fields: list[str], values: list[cst.BaseExpression | None], style: str, ordered: bool
    ):
        self.json = json_text
        self.fields = fields
        self.values = values
        self.style = style
        self.ordered = ordered

    @classmethod
    def read(cls, text: str, style: str, args: list[cst.Arg]) -> _Template | None:
        if "@@iacmod-field-" in text:
            return None
        positional = [a.value for a in args if a.keyword is None and not a.star]
        named = {a.keyword.value: a.value for a in args if a.keyword is not None}
        pieces: list[str] = []
        fields: list[str] = []
        values: list[cst.BaseExpression | None] = []
        ordered = False

        def field(source: str, value: cst.BaseExpression | None) -> None:
            pieces.append(SENTINEL.format(len(fields)))
            fields.append(source)
            values.append(value)

        if style == "%":
            position = 0
            last = 0
            for match in PERCENT_FIELD.finditer(text):
                pieces.append(text[last : match.start()])
                last = match.end()
                if match.group(2) == "%":
                    pieces.append("%")
                    continue
                if "*" in match.group(0):
                    return None
                if match.group(1) is not None:
                    field(match.group(0), None)  # %(name)s: a mapping this rule does not follow
                else:
                    ordered = True
                    field(match.group(0), positional[position] if position < len(positional) else None)
                    position += 1
            pieces.append(text[last:])
        else:
            auto = 0
            try:
                parsed = list(string.Formatter().parse(text))
            except ValueError:
                return None
            for literal, name, spec, conversion in parsed:
                pieces.append(literal)
                if name is None:
                    continue
                source = "{" + name + ("!" + conversion if conversion else "") + (":" + spec if spec else "") + "}"
                if name == "":
                    ordered = True
                    value = positional[auto] if auto < len(positional) else None
                    auto += 1
                elif name.isdigit():
                    value = positional[int(name)] if int(name) < len(positional) else None
                else:
                    value = named.get(name)
                field(source, value if not spec and not conversion else None)
        template = cls("".join(pieces), fields, values, style, ordered)
        if template.write(template.json) != text:
            return None  # the template cannot be written back exactly
        return template

    def write(self, json_text: str) -> str | None:
        """``json_text`` (this template's JSON, rewritten) as a template again."""
        order = [int(m.group(1)) for m in SENTINEL_RE.finditer(json_text)]
        if sorted(order) != list(range(len(self.fields))) or (self.ordered and order != sorted(order)):
            return None
        if self.style == "%":
            escaped = json_text.replace("%", "%%")
        else:
            escaped = json_text.replace("{", "{{").replace("}", "}}")
        return SENTINEL_RE.sub(lambda m: self.fields[int(m.group(1))], escaped)

    def classifier(self, rule: SfnLambdaInvoke, fallback: documents.Classifier) -> documents.Classifier:
        def classify(resource: str) -> tuple[str, str]:
            # a field is rewritten only when it certainly holds a Lambda function ARN (an
            # unknown one is left alone, like an unresolved placeholder)
            whole = SENTINEL_RE.fullmatch(resource)
            if whole:
                value = self.values[int(whole.group(1))]
                kind = rule._classify(value) if value is not None else asl.PLACEHOLDER
            elif SENTINEL_RE.search(resource):
                kind = asl.arn_shape(SENTINEL_RE.sub("0", resource))
            else:
                return fallback(resource)
            return (asl.PLACEHOLDER if kind == asl.MAYBE_LAMBDA else kind), ""

        return classify


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
