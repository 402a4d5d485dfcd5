"""pulumi-output-json: ``json.dumps`` over documents that hold Pulumi Outputs."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    Assignment,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from iacmod.cst.walk import children
from iacmod.edit.layout import relative_indent
from iacmod.edit.literals import string_literal
from iacmod.findings import FixAvailability, RuleApplicability, Severity
from iacmod.iac.output_builders import (
    concat_chain,
    doubt_message,
    doubts_of,
    flatten_add,
    fstring_to_output,
    output_class,
    symbol,
)
from iacmod.iac.outputs import Kind, OutputAnalysis, expression_key
from iacmod.rule import Example, Option, Rule

CONTAINERS = (cst.Dict, cst.List, cst.Tuple, cst.Set)
SCOPED = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp, cst.Lambda)
MAX_LINE = 100


def _code(node: cst.CSTNode) -> str:
    return cst.Module([]).code_for_node(node)


def _bound_inside(doc: cst.CSTNode) -> set[str]:
    """Names bound inside the document (comprehension targets, lambda parameters)."""
    names: set[str] = set()

    class V(cst.CSTVisitor):
        def visit_CompFor(self, node: cst.CompFor) -> None:
            for n in _names(node.target):
                names.add(n)

        def visit_Lambda(self, node: cst.Lambda) -> None:
            for p in node.params.params:
                names.add(p.name.value)

        def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
            names.update(_names(node.target))

    doc.visit(V())
    return names


def _names(node: cst.CSTNode) -> set[str]:
    found: set[str] = set()

    class V(cst.CSTVisitor):
        def visit_Name(self, n: cst.Name) -> None:
            found.add(n.value)

    node.visit(V())
    return found


class _Substitute(cst.CSTTransformer):
    """Replace collected nodes by ``args["key"]`` (the other quote inside f-strings)."""

    def __init__(self, keys: dict[cst.CSTNode, str], param: str) -> None:
        super().__init__()
        self.keys = keys
        self.param = param
        self.quotes: list[str] = []

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        self.quotes.append(node.end)

    def leave_FormattedString(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        self.quotes.pop()
        return updated_node

    def on_visit(self, node: cst.CSTNode) -> bool:
        if node in self.keys:
            return False
        return super().on_visit(node)

    def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
        if original_node in self.keys:
            quote = '"'
            if self.quotes and '"' in self.quotes[-1]:
                quote = "'"
            key = self.keys[original_node]
            return cst.Subscript(
                cst.Name(self.param),
                [cst.SubscriptElement(cst.Index(cst.SimpleString(string_literal(key, quote))))],
                lpar=getattr(original_node, "lpar", ()),
                rpar=getattr(original_node, "rpar", ()),
            )
        return super().on_leave(original_node, updated_node)


class PulumiOutputJson(Rule):
    code = "IAC201"
    name = "pulumi-output-json"
    summary = "Serialize documents that hold Pulumi Outputs inside `Output.all(...).apply(...)`"
    targets = frozenset({"pulumi"})
    triggers = ("pulumi",)
    severity = Severity.ERROR
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.SAFE
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ParentNodeProvider, PositionProvider)
    options = {
        "style": Option(
            "output-all",
            "`output-all`: `Output.all(name=output, ...).apply(lambda args: json.dumps({...}))`; "
            "`json-dumps`: `Output.json_dumps({...})`, which resolves Outputs nested in the document",
            choices=("output-all", "json-dumps"),
        )
    }

    rationale = """
IAM policies, bucket/queue/topic policies, Step Functions definitions and other JSON documents
in Pulumi programs often refer to resources: `{"Resource": table.arn}`. `table.arn` is a Pulumi
`Output` (its value is known only during deployment), so `json.dumps(...)` of such a document
raises `TypeError: Object of type Output is not JSON serializable`, and an Output inside an
f-string in the document (`f"{bucket.arn}/*"`) becomes the placeholder text *"Calling
\\_\\_str\\_\\_ on an Output[T] is not supported..."* in the deployed policy.

The document has to be serialized once the values are known: inside
`pulumi.Output.all(...).apply(...)`, or with `pulumi.Output.json_dumps(...)`. Outputs are
detected semantically (see `pulumi-output-string`); files that do not import Pulumi are not
touched (CDK/CDKTF tokens are strings, and `json.dumps` over them is right).
"""
    fix_description = """
`json.dumps(doc)`, where `doc` is a dict/list literal holding Outputs (also inside f-strings or
`+` in the document), becomes

```python
pulumi.Output.all(table_arn=table.arn, bucket_arn=bucket.arn).apply(lambda args: json.dumps({
    ... args["table_arn"] ..., f"{args['bucket_arn']}/*" ...
}))
```

with readable, unique keyword names, and the document keeps its layout and comments. A document
assigned to a local variable once and used only by that `json.dumps` keeps its place: the
variable becomes the `Output.all(...).apply(lambda args: {...})` and the call becomes
`doc.apply(json.dumps)`. Values that cannot be classified with confidence but sit next to Outputs
(an unannotated parameter, a helper's result) are resolved through `Output.all` as well, which
returns plain values unchanged. An Output passed whole (`json.dumps(policy_output)`) becomes
`pulumi.Output.json_dumps(policy_output)`. `pulumi.Output.json_dumps(...)` returned from an
`.apply` callback over plain values becomes `json.dumps(...)`. A document assigned outside an
`.apply` callback and serialized inside it (`x.apply(lambda v: json.dumps(doc))`) is not resolved
by that callback: returned by the callback, `json.dumps(doc)` becomes
`pulumi.Output.json_dumps(doc)` (`apply` flattens the Output its callback returns); used
otherwise inside the callback, it is reported without a fix.

With `style = "json-dumps"` the document becomes `pulumi.Output.json_dumps({...})` (Outputs in
f-strings inside it become `Output.concat`/`Output.format`).

**Reported, not fixed: values iacmod cannot classify.** When no value of the document is a
confirmed Output but some look like one — `role.arn` where `role` is a parameter without a type
annotation, `bucket_arn` passed in by a caller, the attribute of an object returned by a function
iacmod does not follow, of an element of an unknown container, or of a module imported from
another file — the document is reported once, naming those values, saying why iacmod cannot
decide (and, when a caller in the same file passes a resource or an Output, which one), and what
to do: annotate the parameter with the resource type (`table: aws.dynamodb.Table`) or
`pulumi.Output[str]` so that iacmod can fix it on the next run, or serialize the document inside
`pulumi.Output.all(...).apply(...)` by hand; if the values are plain, suppress the finding with
`# iacmod: ignore[pulumi-output-json]`. Values that are certainly plain are never reported:
literals, config `get`/`require` values, environment variables, values inside `.apply`
callbacks, loop variables over literal lists, parameters annotated `str`/`int`/`List[str]`/...,
parameters every caller in the file passes a plain value to, and the `args` of Pulumi mocks.
"""
    fix_safety_notes = """
Safe: the rewrite serializes the same document once its values are known. `Output.all` keeps
the dependencies on the resources and the secretness of secret values, and during a preview an
unknown value leaves the result unknown, as any `apply` does.
"""

    examples = (
        Example(
            title="a role policy that refers to resources",
            message="`table.arn`, `bucket.arn` raises `TypeError",
            line=15,
            before="""
            import json
            import pulumi
            import pulumi_aws as aws

            table = aws.dynamodb.Table("orders", hash_key="id", attributes=[{"name": "id", "type": "S"}])
            bucket = aws.s3.Bucket("exports")
            role = aws.iam.Role("worker", assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }))
            aws.iam.RolePolicy(
                "worker-access",
                role=role.id,
                policy=json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [
                        # read and write the orders table
                        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                         "Resource": table.arn},
                        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{bucket.arn}/*"},
                    ],
                }),
            )
            """,
            after="""
            import json
            import pulumi
            import pulumi_aws as aws

            table = aws.dynamodb.Table("orders", hash_key="id", attributes=[{"name": "id", "type": "S"}])
            bucket = aws.s3.Bucket("exports")
            role = aws.iam.Role("worker", assume_role_policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                               "Principal": {"Service": "lambda.amazonaws.com"}}],
            }))
            aws.iam.RolePolicy(
                "worker-access",
                role=role.id,
                policy=pulumi.Output.all(
                    table_arn=table.arn,
                    bucket_arn=bucket.arn,
                ).apply(lambda args: json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [
                        # read and write the orders table
                        {"Effect": "Allow", "Action": ["dynamodb:GetItem", "dynamodb:PutItem"],
                         "Resource": args["table_arn"]},
                        {"Effect": "Allow", "Action": "s3:PutObject", "Resource": f"{args['bucket_arn']}/*"},
                    ],
                })),
            )
            """,
            findings=1,
        ),
        Example(
            title="a document in a local variable, in a component",
            before="""
            import json
            from pulumi import ComponentResource, Output
            from pulumi_aws import sqs, sns

            class Fanout(ComponentResource):
                def __init__(self, name):
                    super().__init__("app:Fanout", name)
                    self.topic = sns.Topic(name)
                    self.queue = sqs.Queue(name)
                    queue_policy = {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": self.queue.arn,
                            "Condition": {"ArnEquals": {"aws:SourceArn": self.topic.arn}},
                        }],
                    }
                    sqs.QueuePolicy(name, queue_url=self.queue.url, policy=json.dumps(queue_policy))
            """,
            after="""
            import json
            from pulumi import ComponentResource, Output
            from pulumi_aws import sqs, sns

            class Fanout(ComponentResource):
                def __init__(self, name):
                    super().__init__("app:Fanout", name)
                    self.topic = sns.Topic(name)
                    self.queue = sqs.Queue(name)
                    queue_policy = Output.all(
                        queue_arn=self.queue.arn,
                        topic_arn=self.topic.arn,
                    ).apply(lambda args: {
                        "Version": "2012-10-17",
                        "Statement": [{
                            "Effect": "Allow",
                            "Principal": {"Service": "sns.amazonaws.com"},
                            "Action": "sqs:SendMessage",
                            "Resource": args["queue_arn"],
                            "Condition": {"ArnEquals": {"aws:SourceArn": args["topic_arn"]}},
                        }],
                    })
                    sqs.QueuePolicy(name, queue_url=self.queue.url, policy=queue_policy.apply(json.dumps))
            """,
        ),
        Example(
            title="style = json-dumps",
            options={"style": "json-dumps"},
            before="""
            import json
            import pulumi
            import pulumi_aws as aws

            bucket = aws.s3.Bucket("site")
            aws.s3.BucketPolicy("site", bucket=bucket.id, policy=json.dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                               "Resource": [bucket.arn, f"{bucket.arn}/*"]}],
            }))
            """,
            after="""
            import json
            import pulumi
            import pulumi_aws as aws

            bucket = aws.s3.Bucket("site")
            aws.s3.BucketPolicy("site", bucket=bucket.id, policy=pulumi.Output.json_dumps({
                "Version": "2012-10-17",
                "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                               "Resource": [bucket.arn, pulumi.Output.concat(bucket.arn, "/*")]}],
            }))
            """,
        ),
        Example(
            title="a document from outside an .apply callback",
            before="""
            import json
            import pulumi
            import pulumi_aws as aws

            bucket = aws.s3.Bucket("data")
            queue = aws.sqs.Queue("jobs")
            doc = {"Resource": pulumi.Output.concat(bucket.arn, "/*")}
            policy = queue.url.apply(lambda url: json.dumps(doc))
            """,
            after="""
            import json
            import pulumi
            import pulumi_aws as aws

            bucket = aws.s3.Bucket("data")
            queue = aws.sqs.Queue("jobs")
            doc = {"Resource": pulumi.Output.concat(bucket.arn, "/*")}
            policy = queue.url.apply(lambda url: pulumi.Output.json_dumps(doc))
            """,
        ),
        Example(
            title="a nested Output.json_dumps inside .apply",
            before="""
            import pulumi
            import pulumi_aws as aws

            key = aws.kms.Key("data")
            policy = key.arn.apply(lambda arn: pulumi.Output.json_dumps({"Resource": arn}))
            """,
            after="""
            import pulumi
            import pulumi_aws as aws
            import json

            key = aws.kms.Key("data")
            policy = key.arn.apply(lambda arn: json.dumps({"Resource": arn}))
            """,
        ),
        Example(
            title="a value iacmod cannot classify (a parameter without a type annotation)",
            message="`table` is a parameter without a type annotation",
            line=8,
            before="""
            import json
            import pulumi
            import pulumi_aws as aws

            def grant_read(name, table):
                # `table` has no type annotation: a Table resource (then `table.arn` is an Output)
                # or any object with a plain `arn`?
                return aws.iam.Policy(name, policy=json.dumps({
                    "Version": "2012-10-17",
                    "Statement": [{"Effect": "Allow", "Action": "dynamodb:GetItem", "Resource": table.arn}],
                }))
            """,
            findings=1,
        ),
        Example(
            title="certainly plain values are not reported",
            before="""
            import json
            import os
            import pulumi
            import pulumi_aws as aws

            config = pulumi.Config()

            def key_policy(key_arn):
                return json.dumps({"Statement": [{"Action": "kms:Decrypt", "Resource": key_arn}]})

            def bucket_policy(bucket_name: str, account_id: str):
                return json.dumps({"Resource": f"arn:aws:s3:::{bucket_name}/*", "Principal": {"AWS": account_id}})

            shared_key = key_policy(config.require("shared_kms_key_arn"))  # every caller passes a plain value
            for queue_name in ["orders", "refunds"]:
                aws.sqs.Queue(queue_name, policy=json.dumps({
                    "Resource": f"arn:aws:sqs:{os.environ['AWS_REGION']}:{queue_name}",
                }))
            """,
            findings=0,
        ),
        Example(
            title="already correct code stays byte-identical",
            before="""
            import json
            import pulumi
            import pulumi_aws as aws

            queue = aws.sqs.Queue("jobs")
            config = pulumi.Config()
            doc = pulumi.Output.all(queue.arn, queue.url).apply(lambda args: json.dumps({
                "Resource": args[0], "Url": args[1], "Env": config.get("env") or "dev",
            }))
            static = json.dumps({"Version": "2012-10-17", "Statement": []})
            also_fine = queue.arn.apply(lambda arn: json.dumps({"Resource": arn}))
            """,
            findings=0,
        ),
        Example(
            title="CDK tokens are strings: files that do not import Pulumi are not touched",
            before="""
            import json
            from aws_cdk import aws_sqs as sqs

            queue = sqs.Queue(self, "Jobs")
            doc = json.dumps({"Resource": queue.queue_arn})
            """,
            findings=0,
        ),
    )

    def visit_Module(self, node: cst.Module) -> None:
        self.analysis = OutputAnalysis.of(self, node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        name = func.attr.value if isinstance(func, cst.Attribute) else func.value if isinstance(func, cst.Name) else ""
        if name not in ("dumps", "json_dumps") or not node.args or not self.analysis.imports_pulumi:
            return
        first = node.args[0]
        if first.keyword is not None or first.star:
            return
        names = self.analysis.qualified_names(func)
        if "json.dumps" in names:
            self._json_dumps(node, first.value)
        elif names & {"pulumi.Output.json_dumps", "pulumi.output.Output.json_dumps"}:
            self._nested_json_dumps(node, first.value)

    # -- json.dumps(doc) --------------------------------------------------------------------------

    def _collect(self, doc: cst.BaseExpression) -> list[tuple[cst.BaseExpression, Kind]] | None:
        """Maximal sub-expressions of the document that are (or may be) Outputs."""
        a = self.analysis
        bound = _bound_inside(doc)
        found: list[tuple[cst.BaseExpression, Kind]] = []

        def walk(node: cst.CSTNode) -> None:
            if not isinstance(node, cst.BaseExpression):
                for child in children(node):
                    walk(child)  # noqa: F821 (recursive closure, deleted after the walk)
                return
            value = a.classify(node)
            if value.is_plain and isinstance(
                node, (cst.Name, cst.Attribute, cst.Subscript, cst.SimpleString, cst.Integer, cst.Float, cst.Call)
            ):
                return
            free = _names(node) - _bound_inside(node) if bound else set()
            collectable = not (free & bound)
            literal = isinstance(node, CONTAINERS)
            if value.kind is Kind.OUTPUT or (value.kind is Kind.DEEP and not literal):
                if collectable:
                    found.append((node, value.kind))
                    return
            if isinstance(
                node,
                (
                    *CONTAINERS,
                    cst.FormattedString,
                    cst.BinaryOperation,
                    cst.BooleanOperation,
                    cst.IfExp,
                    cst.ListComp,
                    cst.SetComp,
                    cst.DictComp,
                    cst.GeneratorExp,
                    cst.ConcatenatedString,
                    cst.UnaryOperation,
                    cst.Comparison,
                ),
            ):
                for child in children(node):
                    walk(child)  # noqa: F821 (recursive closure, deleted after the walk)
                return
            if (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and a.classify(node.func.value).kind is Kind.PLAIN
            ):
                for arg in node.args:
                    walk(arg)  # ",".join([...]) and the like  # noqa: F821 (recursive closure, deleted after the walk)
                return
            if (
                isinstance(node, (cst.Name, cst.Attribute, cst.Subscript, cst.Call))
                and collectable
                and value.kind in (Kind.UNKNOWN, Kind.RESOURCE, Kind.RESOURCES, Kind.INSTANCE)
            ):
                if not (isinstance(node, cst.Name) and node.value in bound):
                    found.append((node, Kind.UNKNOWN))
                return
            if isinstance(node, cst.Call):
                for arg in node.args:
                    walk(arg)  # noqa: F821 (recursive closure, deleted after the walk)
                return
            if isinstance(node, cst.Attribute):
                return  # its base uses a name bound inside the document
            for child in children(node):
                walk(child)  # noqa: F821 (recursive closure, deleted after the walk)

        try:
            walk(doc)
        finally:
            del walk  # a self-referencing closure: a cycle that would outlive this call
        return found

    def _keys(
        self, found: list[tuple[cst.BaseExpression, Kind]]
    ) -> tuple[dict[cst.CSTNode, str], list[tuple[str, cst.BaseExpression]]]:
        keys: dict[cst.CSTNode, str] = {}
        by_code: dict[str, str] = {}
        ordered: list[tuple[str, cst.BaseExpression]] = []
        used: set[str] = set()
        for node, _ in found:
            code = _code(node.with_changes(lpar=(), rpar=()) if getattr(node, "lpar", None) else node)
            if code in by_code:
                keys[node] = by_code[code]
                continue
            key = expression_key(node)
            candidate, n = key, 2
            while candidate in used:
                candidate, n = f"{key}_{n}", n + 1
            used.add(candidate)
            by_code[code] = candidate
            keys[node] = candidate
            ordered.append((candidate, node))
        return keys, ordered

    def _json_dumps(self, node: cst.Call, doc: cst.BaseExpression) -> None:
        if isinstance(doc, cst.Name):
            self._variable_doc(node, doc)
            return
        if not isinstance(doc, (cst.Dict, cst.List)):
            return
        found = self._collect(doc)
        if not found:
            return
        if not any(kind is not Kind.UNKNOWN for _, kind in found):
            self._doubtful(node, found)
            return
        if self.option("style") == "json-dumps":
            new_doc = self._json_dumps_doc(doc, found)
            ref = output_class(self, node)
            if new_doc is not None and ref is not None:
                replacement = node.with_changes(
                    func=cst.Attribute(ref[0], cst.Name("json_dumps")),
                    args=[node.args[0].with_changes(value=new_doc), *node.args[1:]],
                )
                self.report(
                    node,
                    self._message(found, "pulumi.Output.json_dumps(...)"),
                    replacement=replacement,
                    add_imports=ref[1],
                )
                return
        built = self._output_all(node, doc, found, wrap_call=True)
        if built is not None:
            replacement, imports = built
            self.report(
                node,
                self._message(found, "pulumi.Output.all(...).apply(lambda args: json.dumps(...))"),
                replacement=replacement,
                add_imports=imports,
            )

    def _message(self, found: list[tuple[cst.BaseExpression, Kind]], how: str) -> str:
        outputs = [_code(n) for n, kind in found if kind is not Kind.UNKNOWN]
        unknown = [_code(n) for n, kind in found if kind is Kind.UNKNOWN]
        shown = ", ".join(f"`{o}`" for o in outputs[:3]) + (", ..." if len(outputs) > 3 else "")
        text = (
            f"`json.dumps` of a document holding the Pulumi Output(s) {shown} raises "
            "`TypeError: Object of type Output is not JSON serializable` (or embeds placeholder text); "
            f"serialize it once the values are known: `{how}`"
        )
        if unknown:
            text += " (also resolving " + ", ".join(f"`{u}`" for u in unknown[:3]) + ", which may be Outputs)"
        return text

    def _doubtful(self, node: cst.Call, found: list[tuple[cst.BaseExpression, Kind]]) -> None:
        """No value of the document is a confirmed Output, but some may be: report, do not fix."""
        doubts = doubts_of(self.analysis, self._expand([n for n, _ in found]))
        if doubts:
            self.report(
                node,
                doubt_message(
                    "`json.dumps` of a document",
                    doubts,
                    "it raises `TypeError: Object of type Output is not JSON serializable` (or embeds placeholder "
                    "text in the document)",
                    "serialize the document inside `pulumi.Output.all(...).apply(lambda args: json.dumps(...))` "
                    "by hand",
                    self.name,
                ),
            )

    def _expand(self, nodes: list[cst.BaseExpression], depth: int = 0) -> list[cst.BaseExpression]:
        """Values of the document, looking into local variables bound to dict/list literals
        (``"Statement": statements`` with ``statements = [...]``, ``statements.append(...)``)."""
        a = self.analysis
        out: list[cst.BaseExpression] = []
        for node in nodes:
            source = a.bindings_of(node) if isinstance(node, cst.Name) and depth < 3 else None
            if isinstance(source, (cst.Dict, cst.List)):
                assert isinstance(node, cst.Name)
                inner = [n for n, _ in self._collect(source) or []]
                for element in a.elements_of(node):
                    inner.extend(n for n, _ in self._collect(element) or [])
                out.extend(self._expand(inner, depth + 1))
            else:
                out.append(node)
        return out

    def _param_name(self, doc: cst.CSTNode) -> str:
        used = _names(doc)
        for candidate in ("args", "values", "resolved", "outputs"):
            if candidate not in used:
                return candidate
        return "args_"

    def _output_all(
        self, node: cst.Call, doc: cst.BaseExpression, found, wrap_call: bool, anchor: cst.CSTNode | None = None
    ) -> tuple[cst.BaseExpression, list] | None:  # type: ignore[no-untyped-def]
        """``Output.all(k=v, ...).apply(lambda args: <json.dumps(new doc) or new doc>)``."""
        anchor = anchor or node
        ref = output_class(self, anchor)
        if ref is None:
            return None
        keys, ordered = self._keys(found)
        param = self._param_name(doc)
        new_doc = doc.visit(_Substitute(keys, param))
        assert isinstance(new_doc, cst.BaseExpression)
        body: cst.BaseExpression = new_doc
        if wrap_call:
            body = node.with_changes(args=[node.args[0].with_changes(value=new_doc), *node.args[1:]])
        kwargs = [
            f"{k}={_code(v.with_changes(lpar=(), rpar=()) if len(getattr(v, 'lpar', ())) == 1 else v)}"
            for k, v in ordered
        ]
        output_code = _code(ref[0])
        one_line = f"{output_code}.all({', '.join(kwargs)})"
        indent = relative_indent(self, anchor)
        column = self._column(anchor)
        if (
            indent is not None
            and column + len(one_line) + len(f".apply(lambda {param}: json.dumps(") > MAX_LINE
            and all("\n" not in k for k in kwargs)
        ):
            inner = " " * (indent + 4)
            text = f"{output_code}.all(\n" + "".join(f"{inner}{k},\n" for k in kwargs) + " " * indent + ")"
        else:
            text = one_line
        all_call = cst.parse_expression(text)
        lam = cst.Lambda(cst.Parameters([cst.Param(cst.Name(param))]), body)
        return cst.Call(
            cst.Attribute(all_call, cst.Name("apply")),
            [cst.Arg(lam)],
            lpar=getattr(anchor, "lpar", ()),
            rpar=getattr(anchor, "rpar", ()),
        ), ref[1]

    def _column(self, node: cst.CSTNode) -> int:
        pos = self.get_metadata(PositionProvider, node, None)
        return pos.start.column if pos is not None else 0

    def _json_dumps_doc(self, doc: cst.BaseExpression, found) -> cst.BaseExpression | None:  # type: ignore[no-untyped-def]
        """The document for ``Output.json_dumps``: Outputs may stay where a JSON value is; those
        inside strings are rebuilt with Output.concat/format. None if that is not enough."""
        a = self.analysis
        ref = output_class(self, doc)
        if ref is None:
            return None
        changes: dict[cst.CSTNode, cst.CSTNode] = {}
        for node, _kind in found:
            parent = a.parent(node)
            child: cst.CSTNode = node
            while isinstance(parent, (cst.FormattedStringExpression, cst.BinaryOperation)) and not (
                isinstance(parent, cst.BinaryOperation) and not isinstance(parent.operator, cst.Add)
            ):
                child, parent = parent, a.parent(parent)
                if isinstance(child, cst.FormattedStringExpression):
                    child, parent = parent, a.parent(parent)  # the FormattedString
            if child is node:
                if not isinstance(parent, (cst.Element, cst.DictElement)) or (
                    isinstance(parent, cst.DictElement) and parent.key is node
                ):
                    return None
                continue
            if isinstance(child, cst.FormattedString):
                new = fstring_to_output(a, child, ref[0])
            elif isinstance(child, cst.BinaryOperation):
                top = child
                new = concat_chain(a, top, ref[0]) if flatten_add(top) else None
            else:
                new = None
            if new is None:
                return None
            changes[child] = new

        class Apply(cst.CSTTransformer):
            def on_visit(self, n: cst.CSTNode) -> bool:
                return n not in changes

            def on_leave(self, o, u):  # type: ignore[no-untyped-def]
                return changes.get(o, u)

        out = doc.visit(Apply())
        assert isinstance(out, cst.BaseExpression)
        return out

    def _variable_doc(self, node: cst.Call, name: cst.Name) -> None:
        a = self.analysis
        value = a.classify(name)
        scope = a.scope(name)
        if scope is None or name.value not in scope:
            return
        assignments = list(scope[name.value])
        if value.kind is Kind.OUTPUT:
            ref = output_class(self, node)
            if ref is not None:
                replacement = node.with_changes(func=cst.Attribute(ref[0], cst.Name("json_dumps")))
                self.report(
                    node,
                    f"`json.dumps` of the Pulumi Output `{name.value}` raises TypeError; use "
                    f"`pulumi.Output.json_dumps({name.value})`",
                    replacement=replacement,
                    add_imports=ref[1],
                )
            return
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return
        target = assignments[0].node
        assign = a.parent(a.parent(target) or target)
        if not (
            isinstance(target, cst.Name)
            and isinstance(assign, cst.Assign)
            and len(assign.targets) == 1
            and assign.targets[0].target is target
            and isinstance(assign.value, (cst.Dict, cst.List))
        ):
            return
        # a document from outside the ``.apply`` callback that serializes it: the callback
        # resolves its own Output, not the document's
        callback = a.apply_callback_of(node) if a.scope(target) is not scope else None
        if a.scope(target) is not scope and callback is None:
            return
        doc = assign.value
        found = self._collect(doc)
        if not found:
            return
        if not any(kind is not Kind.UNKNOWN for _, kind in found):
            self._doubtful(node, found)
            return
        if callback is not None:
            self._outer_doc(node, name, found, callback)
            return
        refs = assignments[0].references
        ref = output_class(self, node)
        if ref is None:
            return
        if len(refs) != 1 or self.option("style") == "json-dumps":
            # the dict stays a dict (other code uses it): Output.json_dumps resolves it
            new_doc = self._json_dumps_doc(doc, found)
            if new_doc is None:
                return
            changes: dict[cst.CSTNode, cst.CSTNode] = {
                node: node.with_changes(func=cst.Attribute(ref[0], cst.Name("json_dumps")))
            }
            if new_doc is not doc and _code(new_doc) != _code(doc):
                changes[doc] = new_doc
            self.report(
                node,
                self._message(found, f"pulumi.Output.json_dumps({name.value})"),
                changes=changes,
                add_imports=ref[1],
            )
            return
        built = self._output_all(node, doc, found, wrap_call=False, anchor=doc)
        if built is None:
            return
        new_value, imports = built
        extra = node.args[1:]
        if extra:
            p = "doc" if name.value != "doc" else "value"
            lam = cst.Lambda(
                cst.Parameters([cst.Param(cst.Name(p))]),
                node.with_changes(args=[node.args[0].with_changes(value=cst.Name(p)), *extra]),
            )
            call = cst.Call(cst.Attribute(name, cst.Name("apply")), [cst.Arg(lam)])
        else:
            call = cst.Call(cst.Attribute(name, cst.Name("apply")), [cst.Arg(node.func)])
        call = call.with_changes(lpar=node.lpar, rpar=node.rpar)
        self.report(
            node,
            self._message(found, f"{name.value} = pulumi.Output.all(...).apply(lambda args: {{...}})"),
            changes={node: call, doc: new_value},
            add_imports=imports,
        )

    def _outer_doc(self, node: cst.Call, name: cst.Name, found, callback: cst.Call) -> None:  # type: ignore[no-untyped-def]
        """``x.apply(lambda v: json.dumps(doc))`` with ``doc`` holding Outputs and assigned outside
        the callback: ``pulumi.Output.json_dumps(doc)`` when the callback returns the text (apply
        flattens the Output it returns), else reported without a fix."""
        outputs = [_code(n) for n, kind in found if kind is not Kind.UNKNOWN]
        shown = ", ".join(f"`{o}`" for o in outputs[:3]) + (", ..." if len(outputs) > 3 else "")
        receiver = _code(callback.func.value) if isinstance(callback.func, cst.Attribute) else "an Output"
        problem = (
            f"`json.dumps({name.value})` inside the `.apply` callback of `{receiver}`: `{name.value}` holds the "
            f"Pulumi Output(s) {shown}, which the callback does not resolve (it receives only `{receiver}`'s "
            "value), so it raises `TypeError: Object of type Output is not JSON serializable` at deployment"
        )
        if self._returned_by(node, callback) and not any(
            arg.star or (arg.keyword is not None and arg.keyword.value == "cls") for arg in node.args
        ):
            ref = output_class(self, node)
            if ref is not None:
                self.report(
                    node,
                    f"{problem}; use `pulumi.Output.json_dumps({name.value})`, which resolves them (`.apply` "
                    "flattens the Output its callback returns)",
                    replacement=node.with_changes(func=cst.Attribute(ref[0], cst.Name("json_dumps"))),
                    add_imports=ref[1],
                )
                return
        self.report(
            node,
            f"{problem}; pass those Outputs to the `apply` (`pulumi.Output.all(...)`) and build the document "
            "from the resolved values by hand (not fixed: the serialized text is used inside the callback, "
            "where an Output cannot stand for it)",
        )

    def _returned_by(self, node: cst.Call, callback: cst.Call) -> bool:
        """Whether ``node`` is what the callback given to ``callback`` (``x.apply(...)``) returns:
        the body of that lambda, or a ``return`` of that def when nothing else refers to it."""
        a = self.analysis
        parent = a.parent(node)
        given = callback.args[0].value if callback.args else None
        if isinstance(parent, cst.Lambda):
            return parent.body is node and parent is given
        if not (isinstance(parent, cst.Return) and isinstance(given, cst.Name)):
            return False
        fn = a.inside(parent, lambda n: isinstance(n, (cst.FunctionDef, cst.Lambda)))
        scope = a.scope(given)
        if fn is None or a.definition(given) is not fn or scope is None:
            return False
        return sum(len(b.references) for b in scope[given.value]) == 1

    # -- nested Output.json_dumps inside .apply --------------------------------------------------

    def _nested_json_dumps(self, node: cst.Call, doc: cst.BaseExpression) -> None:
        a = self.analysis
        parent = a.parent(node)
        if not isinstance(parent, (cst.Lambda, cst.Return)):
            return
        if a.apply_callback_of(node) is None:
            return
        found = self._collect(doc)
        if found:
            return  # other Outputs (or unknown values) inside: json_dumps resolves them, keep it
        if not a.classify(doc).is_plain and not isinstance(doc, (cst.Name, cst.Subscript)):
            return
        if isinstance(doc, (cst.Name, cst.Subscript)) and not a.classify(doc).is_plain:
            return
        target = symbol(self, node, "json:dumps")
        if target is None:
            return
        self.report(
            node,
            "`pulumi.Output.json_dumps` inside an `.apply` callback builds a nested Output over values "
            "that are already plain; use `json.dumps`",
            replacement=node.with_changes(func=target[0]),
            add_imports=target[1],
        )
