"""pulumi-output-string: Outputs in f-strings, ``+``, ``.format``, ``%`` and ``str()``."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import Assignment, ParentNodeProvider, PositionProvider, QualifiedNameProvider, ScopeProvider

from iacmod.edit import args as argedit
from iacmod.edit.literals import string_value
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac.output_builders import (
    arg_list,
    concat_chain,
    doubt_message,
    doubts_of,
    flatten_add,
    fstring_to_output,
    in_json_document,
    in_json_variable_document,
    is_str_call,
    output_class,
    strip_parens,
)
from iacmod.iac.outputs import Kind, OutputAnalysis
from iacmod.rule import Example, Rule

LOGGING_METHODS = {"debug", "info", "warning", "warn", "error", "exception", "critical", "log"}


# -- the rule -------------------------------------------------------------------------------------


class PulumiOutputString(Rule):
    code = "IAC202"
    name = "pulumi-output-string"
    summary = "Build strings from Pulumi Outputs with `Output.concat`/`Output.format`, not f-strings or `+`"
    targets = frozenset({"pulumi"})
    triggers = ("pulumi",)
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ParentNodeProvider, PositionProvider)

    rationale = """
A Pulumi `Output` is a value that is not known yet when the program runs. Formatting it into a
string does not wait for it: `f"{bucket.arn}/*"`, `"{}".format(...)`, `"%s" % ...` and
`str(output)` call `Output.__str__`, which returns the text *"Calling \\_\\_str\\_\\_ on an
Output[T] is not supported..."* (and warns), so ARNs, names and URLs are deployed with that
placeholder text in them. `output + "/*"` raises `TypeError`, because `Output` has no `__add__`.

Outputs are detected semantically: attributes of resources built from any `pulumi_*` provider
class (under any import style, through `self.x = Resource(...)` in components, containers of
resources and annotated parameters), results of `Output.all/concat/format/...`, `.apply(...)`,
secret config values and stack reference outputs. Values inside an `.apply` callback, config
`get`/`require` values, literals and environment variables are plain. Files that do not import
Pulumi are never touched (AWS CDK and CDKTF tokens *are* strings).
"""
    fix_description = """
- `output + "text"` chains become `pulumi.Output.concat(output, "text")`;
- f-strings become `pulumi.Output.concat(...)` when every interpolated value is certainly a
  string (string literals, `id`/`arn`-like attributes, `config.require(...)`), otherwise
  `pulumi.Output.format("...{}...", value)`, which formats every type exactly like the f-string
  (format specs and `!r` included);
- `"...".format(...)` becomes `pulumi.Output.format("...", ...)`;
- `"..." % (a, b)` becomes `pulumi.Output.all(a, b).apply(lambda args: "..." % tuple(args))`;
- `str(output)` becomes `output.apply(str)`.

`pulumi.Output` is written in the file's import style (`Output` after `from pulumi import Output`,
`p.Output` after `import pulumi as p`). Strings inside a `json.dumps(...)` document are left to
`pulumi-output-json`.

**Reported, not fixed: values iacmod cannot classify.** When no value in the string is a
confirmed Output but some look like one — `api.execution_arn` where `api` is a parameter without
a type annotation, a `*_arn` parameter, a loop variable unpacked from a list that holds resources,
the attribute of an object returned by a function iacmod does not follow, of an element of an
unknown container, or of a module imported from another file — the f-string, `+` chain,
`.format(...)`, `%` or `str(...)` is reported once, naming those values, saying why iacmod cannot
decide (and, when a caller in the same file passes a resource or an Output, which one), and what
to do: annotate the parameter with the resource type (`api: aws.apigateway.RestApi`) or
`pulumi.Output[str]` so that iacmod can fix it on the next run, or build the string with
`pulumi.Output.concat/format(...)` by hand; if the values are plain, suppress the finding with
`# iacmod: ignore[pulumi-output-string]`. Values that are certainly plain are never reported
(literals, config `get`/`require` values, environment variables, values inside `.apply`
callbacks, loop variables over literal lists, parameters annotated `str`/`int`/..., parameters
every caller in the file passes a plain value to, the `args` of Pulumi mocks), and neither is
`x.port + 1`, which adds numbers.
"""
    fix_safety_notes = """
The result is an `Output[str]` instead of a `str` with placeholder text. The fix is **safe** where
the string goes to something that accepts Outputs: an argument of a resource or `Args` class, a
`pulumi.export` value, a dict or list inside those, another string being built from Outputs, or a
local variable used only in such places. Elsewhere (returned from a function, stored on `self`,
passed to other code) the fix is **unsafe**: that code now receives an `Output`, so check it and
run with `--unsafe-fixes`. A resource's name (its first argument) or an export name cannot be an
Output, and `print`/logging calls cannot show one: those are reported without a fix.
"""

    examples = (
        Example(
            title="`+` on an Output raises TypeError",
            message="Output has no `__add__`",
            line=11,
            before="""
            import pulumi_aws as aws

            api = aws.apigateway.RestApi("api")
            fn = aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/r", runtime="python3.12",
                                      handler="index.handler", code=None)
            aws.lambda_.Permission(
                "invoke",
                action="lambda:InvokeFunction",
                function=fn.name,
                principal="apigateway.amazonaws.com",
                source_arn=api.execution_arn + "/*/GET/orders",
            )
            """,
            after="""
            import pulumi_aws as aws
            import pulumi

            api = aws.apigateway.RestApi("api")
            fn = aws.lambda_.Function("fn", role="arn:aws:iam::123456789012:role/r", runtime="python3.12",
                                      handler="index.handler", code=None)
            aws.lambda_.Permission(
                "invoke",
                action="lambda:InvokeFunction",
                function=fn.name,
                principal="apigateway.amazonaws.com",
                source_arn=pulumi.Output.concat(api.execution_arn, "/*/GET/orders"),
            )
            """,
            findings=1,
        ),
        Example(
            title="f-strings, in the file's import style",
            before="""
            import pulumi
            from pulumi_aws import s3

            bucket = s3.Bucket("site")
            pulumi.export("objects", f"arn:aws:s3:::{bucket.id}/*")
            pulumi.export("website", f"http://{bucket.website_endpoint}")
            """,
            after="""
            import pulumi
            from pulumi_aws import s3

            bucket = s3.Bucket("site")
            pulumi.export("objects", pulumi.Output.concat("arn:aws:s3:::", bucket.id, "/*"))
            pulumi.export("website", pulumi.Output.format("http://{}", bucket.website_endpoint))
            """,
            findings=2,
        ),
        Example(
            title="components: `self.` attributes",
            before="""
            from pulumi import ComponentResource, Output, ResourceOptions
            import pulumi_aws as aws

            class Queue(ComponentResource):
                def __init__(self, name, opts=None):
                    super().__init__("app:Queue", name, None, opts)
                    self.dlq = aws.sqs.Queue(f"{name}-dlq")
                    self.queue = aws.sqs.Queue(
                        name,
                        tags={"dlq": "{}".format(self.dlq.arn)},
                        opts=ResourceOptions(parent=self),
                    )
            """,
            after="""
            from pulumi import ComponentResource, Output, ResourceOptions
            import pulumi_aws as aws

            class Queue(ComponentResource):
                def __init__(self, name, opts=None):
                    super().__init__("app:Queue", name, None, opts)
                    self.dlq = aws.sqs.Queue(f"{name}-dlq")
                    self.queue = aws.sqs.Queue(
                        name,
                        tags={"dlq": Output.format("{}", self.dlq.arn)},
                        opts=ResourceOptions(parent=self),
                    )
            """,
        ),
        Example(
            title="a string returned to unknown code: unsafe",
            message="unsafe fix: the value now is an Output[str]",
            line=5,
            before="""
            import pulumi
            import pulumi_aws as aws

            def topic_arn_pattern(topic: aws.sns.Topic):
                return f"{topic.arn}:*"
            """,
            after="""
            import pulumi
            import pulumi_aws as aws

            def topic_arn_pattern(topic: aws.sns.Topic):
                return pulumi.Output.concat(topic.arn, ":*")
            """,
            unsafe=True,
        ),
        Example(
            title="a resource name cannot be an Output: reported only",
            message="a resource name must be a plain string",
            line=4,
            before="""
            import pulumi_aws as aws

            bucket = aws.s3.Bucket("data")
            aws.s3.BucketPolicy(f"{bucket.id}-policy", bucket=bucket.id, policy="{}")
            """,
            findings=1,
        ),
        Example(
            title="a value iacmod cannot classify (a parameter without a type annotation)",
            before="""
            import pulumi
            import pulumi_aws as aws

            def allow_invoke(name, function, api):
                # `api` has no type annotation: is `api.execution_arn` an Output?
                aws.lambda_.Permission(
                    name,
                    action="lambda:InvokeFunction",
                    function=function.name,
                    principal="apigateway.amazonaws.com",
                    source_arn=f"{api.execution_arn}/*/*",
                )
            """,
            findings=1,
        ),
        Example(
            title="annotated with the resource type, the same code is fixed",
            before="""
            import pulumi
            import pulumi_aws as aws

            def allow_invoke(name, function, api: aws.apigateway.RestApi):
                aws.lambda_.Permission(
                    name,
                    action="lambda:InvokeFunction",
                    function=function.name,
                    principal="apigateway.amazonaws.com",
                    source_arn=f"{api.execution_arn}/*/*",
                )
            """,
            after="""
            import pulumi
            import pulumi_aws as aws

            def allow_invoke(name, function, api: aws.apigateway.RestApi):
                aws.lambda_.Permission(
                    name,
                    action="lambda:InvokeFunction",
                    function=function.name,
                    principal="apigateway.amazonaws.com",
                    source_arn=pulumi.Output.concat(api.execution_arn, "/*/*"),
                )
            """,
            findings=1,
        ),
        Example(
            title="already correct, plain values, and values inside .apply stay as they are",
            before="""
            import pulumi
            import pulumi_aws as aws

            config = pulumi.Config()
            env = config.require("env")
            bucket = aws.s3.Bucket(f"logs-{env}-{pulumi.get_stack()}")
            pulumi.export("arn", pulumi.Output.concat(bucket.arn, "/*"))
            pulumi.export("url", bucket.bucket.apply(lambda name: f"https://{name}.s3.amazonaws.com"))
            """,
            findings=0,
        ),
        Example(
            title="CDK tokens are strings: files that do not import Pulumi are not touched",
            before="""
            from aws_cdk import aws_s3 as s3

            bucket = s3.Bucket(self, "Data")
            arn = f"{bucket.bucket_arn}/*"
            """,
            findings=0,
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        self.analysis = OutputAnalysis.of(self, node)

    # -- detection --------------------------------------------------------------------------------

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        a = self.analysis
        if not a.imports_pulumi:
            return
        outputs = [
            p.expression
            for p in node.parts
            if isinstance(p, cst.FormattedStringExpression) and a.is_output(p.expression)
        ]
        if not outputs:
            values = [p.expression for p in node.parts if isinstance(p, cst.FormattedStringExpression)]
            self._doubtful(node, "an f-string", values)
            return
        if in_json_document(a, node):
            return
        if a.inside(node, lambda n: isinstance(n, cst.FormattedString)) is not None:
            return
        self._fix(node, "an f-string", outputs[0], lambda out: fstring_to_output(a, node, out))

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        a = self.analysis
        if not a.imports_pulumi:
            return
        parent = a.parent(node)
        if isinstance(node.operator, cst.Add):
            if (
                isinstance(parent, cst.BinaryOperation)
                and isinstance(parent.operator, cst.Add)
                and parent.left is node
                and not node.lpar
            ):
                return  # only the top of a chain
            leaves = flatten_add(node) or []
            outputs = [
                leaf
                for leaf in leaves
                if a.is_output(leaf) or (is_str_call(a, leaf) and a.is_output(leaf.args[0].value))
            ]  # type: ignore[attr-defined]
            if not outputs:
                stringy = any(
                    isinstance(leaf, (cst.SimpleString, cst.FormattedString, cst.ConcatenatedString))
                    or (a.classify(leaf).is_plain and a.classify(leaf).is_str)
                    for leaf in leaves
                )
                if stringy:  # (`x.port + 1` adds numbers: no string is built)
                    values = [leaf.args[0].value if is_str_call(a, leaf) else leaf for leaf in leaves]  # type: ignore[attr-defined]
                    self._doubtful(node, "`+`", values)
                return
            if in_json_document(a, node):
                return
            fix = concat_chain(a, node, cst.Name("X"))
            if fix is None:
                self.report(
                    node,
                    "`+` on a Pulumi Output raises TypeError (Output has no `__add__`); use "
                    "`pulumi.Output.concat(...)` for strings or `.apply(lambda v: v + ...)` for numbers "
                    "(not fixed: cannot tell whether this adds strings)",
                )
                return
            self._fix(node, "`+`", outputs[0], lambda out: concat_chain(a, node, out))
        elif isinstance(node.operator, cst.Modulo) and isinstance(
            node.left, (cst.SimpleString, cst.ConcatenatedString)
        ):
            right = node.right
            items = [el.value for el in right.elements] if isinstance(right, cst.Tuple) else [right]
            outputs = [i for i in items if a.is_output(i)]
            if not outputs:
                self._doubtful(node, "`%` formatting", items)
                return
            if in_json_document(a, node):
                return
            if isinstance(right, cst.Tuple) and any(
                el.value is not None and isinstance(el, cst.StarredElement) for el in right.elements
            ):
                return
            fmt = node.left

            def build(out: cst.BaseExpression) -> cst.Call:
                lam = cst.Lambda(
                    cst.Parameters([cst.Param(cst.Name("args"))]),
                    cst.BinaryOperation(
                        fmt,
                        cst.Modulo(),
                        cst.Call(cst.Name("tuple"), [cst.Arg(cst.Name("args"))]),
                    ),
                )
                all_call = cst.Call(cst.Attribute(out, cst.Name("all")), arg_list([strip_parens(i) for i in items]))
                return cst.Call(
                    cst.Attribute(all_call, cst.Name("apply")), [cst.Arg(lam)], lpar=node.lpar, rpar=node.rpar
                )

            text = string_value(fmt)
            if not isinstance(right, cst.Tuple) and (not isinstance(text, str) or "%(" in text):
                self.report(
                    node,
                    "`%` formatting of a Pulumi Output gives placeholder text; use "
                    "`pulumi.Output.format(...)` or `.apply(...)`",
                )
                return
            self._fix(node, "`%` formatting", outputs[0], build)

    def visit_Call(self, node: cst.Call) -> None:
        a = self.analysis
        if not a.imports_pulumi:
            return
        func = node.func
        if (
            isinstance(func, cst.Attribute)
            and func.attr.value == "format"
            and isinstance(func.value, (cst.SimpleString, cst.ConcatenatedString))
        ):
            outputs = [arg.value for arg in node.args if a.is_output(arg.value)]
            if not outputs:
                if not any(arg.star for arg in node.args):
                    self._doubtful(node, "`str.format`", [arg.value for arg in node.args])
                return
            if in_json_document(a, node) or any(arg.star for arg in node.args):
                return

            def build(out: cst.BaseExpression) -> cst.Call:
                args = argedit.insert(node.args, 0, cst.Arg(func.value), node.whitespace_before_args)
                return node.with_changes(func=cst.Attribute(out, cst.Name("format")), args=args)

            self._fix(node, "`str.format`", outputs[0], build)
        elif isinstance(func, cst.Name) and is_str_call(a, node) and not a.is_output(node.args[0].value):
            parent = a.parent(node)
            if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Add):
                return  # part of a `+` chain
            if not isinstance(parent, cst.FormattedStringExpression):
                self._doubtful(node, "`str()`", [node.args[0].value])
        elif isinstance(func, cst.Name) and is_str_call(a, node) and a.is_output(node.args[0].value):
            parent = a.parent(node)
            if isinstance(parent, cst.BinaryOperation) and isinstance(parent.operator, cst.Add):
                return  # part of a `+` chain
            if isinstance(parent, cst.FormattedStringExpression) or in_json_document(a, node):
                return
            inner = node.args[0].value
            self._fix(
                node,
                "`str()`",
                inner,
                lambda out: (
                    inner
                    if a.classify(inner).is_str
                    else cst.Call(
                        cst.Attribute(inner, cst.Name("apply")),
                        [cst.Arg(cst.Name("str"))],
                        lpar=node.lpar,
                        rpar=node.rpar,
                    )
                ),
            )

    # -- values that may be Outputs: detect-only ------------------------------------------------

    def _doubtful(self, node: cst.BaseExpression, what: str, values: list[cst.BaseExpression]) -> None:
        """No value is a confirmed Output, but some may be: report without a fix."""
        a = self.analysis
        if not values or in_json_document(a, node) or in_json_variable_document(a, node):
            return  # pulumi-output-json reports the document
        if a.inside(node, lambda n: isinstance(n, cst.FormattedString)) is not None:
            return  # the enclosing f-string is reported
        doubts = doubts_of(a, values)
        if not doubts:
            return
        problem = (
            "`+` raises `TypeError` (Output has no `__add__`)"
            if what == "`+`"
            else 'the string gets the placeholder text "Calling __str__ on an Output[T] is not supported"'
        )
        self.report(
            node,
            doubt_message(
                f"{what} over values",
                doubts,
                problem,
                "build the string with `pulumi.Output.concat(...)`/`pulumi.Output.format(...)` (or `.apply(...)`) "
                "by hand",
                self.name,
            ),
        )

    # -- the fix ----------------------------------------------------------------------------------

    def _fix(self, node: cst.BaseExpression, what: str, example: cst.BaseExpression, build) -> None:  # type: ignore[no-untyped-def]
        name = cst.Module([]).code_for_node(example)
        problem = (
            f"{what} with the Pulumi Output `{name}` produces placeholder text "
            '("Calling __str__ on an Output[T] is not supported")'
            if what != "`+`"
            else f"`+` on the Pulumi Output `{name}` raises TypeError (Output has no `__add__`)"
        )
        consumer = self._consumer(node)
        if consumer in ("resource-name", "export-name"):
            self.report(
                node,
                f"{problem}; a {'resource' if consumer == 'resource-name' else 'stack export'} "
                "name must be a plain string known before deployment: build it from config or "
                "the stack name instead (not fixed)",
            )
            return
        if consumer == "print":
            self.report(
                node,
                f"{problem}; an Output cannot be printed: use `pulumi.export(...)` or "
                "`output.apply(lambda v: print(...))` (not fixed)",
            )
            return
        ref = output_class(self, node)
        replacement = build(ref[0]) if ref is not None else None
        if replacement is None or ref is None:
            self.report(
                node,
                f"{problem}; build it with `pulumi.Output.concat/format(...)` or "
                "`.apply(...)` (not fixed: no safe rewrite here)",
            )
            return
        safe = consumer == "safe"
        how = cst.Module([]).code_for_node(replacement.func if isinstance(replacement, cst.Call) else replacement)
        suffix = (
            ""
            if safe
            else (
                " (unsafe fix: the value now is an Output[str]; check the code that receives it, then run "
                "with --unsafe-fixes)"
            )
        )
        self.report(
            node,
            f"{problem}; use `{how.split('(')[0]}(...)`{suffix}",
            replacement=replacement,
            add_imports=ref[1],
            safety=FixSafety.SAFE if safe else FixSafety.UNSAFE,
        )

    def _consumer(self, node: cst.CSTNode, depth: int = 0) -> str:
        """Where the string goes: "safe" (accepts Outputs), "resource-name", "export-name",
        "print", or "other"."""
        a = self.analysis
        child = node
        parent = a.parent(node)
        # climb through containers and string-building expressions
        while isinstance(
            parent,
            (
                cst.Element,
                cst.DictElement,
                cst.StarredElement,
                cst.List,
                cst.Tuple,
                cst.Dict,
                cst.FormattedStringExpression,
                cst.FormattedString,
                cst.BinaryOperation,
            ),
        ):
            if isinstance(parent, cst.DictElement) and parent.key is child:
                return "other"  # dict keys of resource arguments must be plain strings
            if isinstance(parent, (cst.FormattedStringExpression, cst.FormattedString, cst.BinaryOperation)):
                return "safe"  # a string being built from Outputs: fixed with this one
            child, parent = parent, a.parent(parent)
        if isinstance(parent, cst.Arg):
            call = a.parent(parent)
            if not isinstance(call, cst.Call):
                return "other"
            if parent is call.args[0] and parent.keyword is None:
                positional = 0
            else:
                positional = -1
            names = a.qualified_names(call.func)
            if "pulumi.export" in names:
                return "export-name" if positional == 0 else "safe"
            if (
                "builtins.print" in names
                or any(n.startswith("pulumi.log.") for n in names)
                or (
                    isinstance(call.func, cst.Attribute)
                    and call.func.attr.value in LOGGING_METHODS
                    and any(n.startswith("logging") for n in names | {cst.Module([]).code_for_node(call.func.value)})
                )
            ):
                return "print"
            if (
                isinstance(call.func, cst.Attribute)
                and call.func.attr.value in LOGGING_METHODS
                and isinstance(call.func.value, cst.Name)
                and "log" in call.func.value.value.lower()
            ):
                return "print"
            value = a.classify(call)
            callee_is_pulumi = value.kind is Kind.RESOURCE or any(
                n.startswith("pulumi_") or n.startswith(("pulumi.Output.", "pulumi.ResourceOptions")) for n in names
            )
            if callee_is_pulumi:
                if value.kind is Kind.RESOURCE and (
                    positional == 0 or (parent.keyword and parent.keyword.value == "resource_name")
                ):
                    return "resource-name"
                return "safe"
            if value.kind is Kind.INSTANCE and value.cls is not None and positional != 0:
                return "other"
            return "other"
        if isinstance(parent, cst.Lambda) and parent.body is child and a.apply_callback_of(child) is not None:
            return "safe"  # apply() lifts an Output returned by its callback
        if isinstance(parent, cst.Return):
            fn = a.inside(parent, lambda n: isinstance(n, (cst.FunctionDef, cst.Lambda)))
            if isinstance(fn, cst.FunctionDef) and fn in a.functions_by_name:
                return "safe"
        if isinstance(parent, cst.Assign) and depth < 3 and len(parent.targets) == 1:
            target = parent.targets[0].target
            if isinstance(target, cst.Name):
                scope = a.scope(target)
                if scope is None:
                    return "other"
                assignments = [
                    x for x in scope.assignments[target.value] if isinstance(x, Assignment) and x.node is target
                ]
                if len(assignments) != 1:
                    return "other"
                refs = assignments[0].references
                if not refs:
                    return "other"
                for ref in refs:
                    if self._consumer(ref.node, depth + 1) != "safe":
                        return "other"
                return "safe"
        if isinstance(parent, cst.Arg) is False and isinstance(parent, cst.Call):
            return "other"
        return "other"
