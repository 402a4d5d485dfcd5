"""dynamodb-response-get: ``response["Items"]`` on a DynamoDB query/scan result to ``.get``."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import (
    ExpressionContext,
    ExpressionContextProvider,
    ParentNodeProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

from iacmod.edit.args import keyword_args
from iacmod.edit.literals import string_value
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac.names import qualified_names
from iacmod.rule import Example

from iacmod.iac.boto3 import CLIENT, TABLE, Boto3Tracking

DEFAULTS: dict[str, str | None] = {
    "Items": "[]",
    "Count": "0",
    "ScannedCount": "0",
    "LastEvaluatedKey": None,
}
OPERATIONS = ("query", "scan")
PAGINATION_MARKERS = ("LastEvaluatedKey", "ExclusiveStartKey")
# Handlers that show a KeyError is expected (broad `except Exception` handlers that turn any
# failure into an error response are not loop control: there the KeyError was the bug).
CATCHES_KEYERROR = {"builtins.KeyError", "builtins.LookupError"}


class DynamodbResponseGet(Boto3Tracking):
    code = "IAC103"
    name = "dynamodb-response-get"
    summary = "Read DynamoDB `query`/`scan` results with `.get(...)` and flag results cut at 1 MB"
    targets = frozenset({"python", "lambda"})
    # the quoted keys, as a subscript or a .get() argument reads them
    triggers = ('"Items"', "'Items'", '"Count"', "'Count'", '"ScannedCount"', "'ScannedCount'", "LastEvaluatedKey")
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ExpressionContextProvider, ParentNodeProvider)

    rationale = """
`response["LastEvaluatedKey"]` raises `KeyError` on the last page of a DynamoDB `query` or
`scan`, which is exactly the page every loop ends on; `response["Items"]` also raises when the
call used `Select="COUNT"`. Reading the response with `.get(...)` and a default never raises.

A single `scan()`/`query()` call returns at most 1 MB of data. Code that treats one call's
`Items` (or `Count`) as the whole result silently drops everything after the first megabyte
once the table grows: it must follow `LastEvaluatedKey` with `ExclusiveStartKey` in a loop, or
use a paginator.
"""
    fix_description = """
On the result of a DynamoDB `query`/`scan` (resource `Table` or `boto3.client("dynamodb")`,
recognised from how the receiver was created), `["Items"]` becomes `.get("Items", [])`,
`["Count"]`/`["ScannedCount"]` become `.get("Count", 0)`/`.get("ScannedCount", 0)` and
`["LastEvaluatedKey"]` becomes `.get("LastEvaluatedKey")`. Assignments and `del` are left alone.

A `scan()`/`query()` call whose `Items` or `Count` is read, in a function that never mentions
`LastEvaluatedKey`/`ExclusiveStartKey` nor uses a paginator and that passes no `Limit`, gets a
detect-only finding: only one page of at most 1 MB is read.
"""
    fix_safety_notes = """
A `query`/`scan` response always contains `Items` (unless `Select="COUNT"`), `Count` and
`ScannedCount`, so for them the fix changes nothing on real responses; `LastEvaluatedKey` is
absent on the last page, where the subscript raised `KeyError` and `.get` returns `None`, which
is the fix. The only behaviour that changes is a `KeyError` that is no longer raised. Where the
key can be absent (`LastEvaluatedKey`; `Items` of a call that may pass `Select="COUNT"`) inside
a `try` whose handler names `KeyError` or `LookupError`, that error may be how the code stops a
loop, so there the fix is **unsafe**. Everywhere else it is **safe**; that includes a broad
`except Exception` that turns failures into an error response, where the `KeyError` on the last
page was the bug.
"""

    examples = (
        Example(
            title="a pagination loop that crashed on the last page",
            message="`LastEvaluatedKey` is absent on the last page", line=9,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def all_orders():
                response = table.scan()
                items = response["Items"]
                while True:
                    response = table.scan(ExclusiveStartKey=response["LastEvaluatedKey"])
                    items.extend(response["Items"])
            """,
            after="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def all_orders():
                response = table.scan()
                items = response.get("Items", [])
                while True:
                    response = table.scan(ExclusiveStartKey=response.get("LastEvaluatedKey"))
                    items.extend(response.get("Items", []))
            """,
            findings=3,
        ),
        Example(
            title="one page used as the whole result: fixed, and reported as cut at 1 MB",
            message="returns at most 1 MB of data per call", line=6,
            before="""
            import boto3

            client = boto3.client("dynamodb")

            def handler(event, context):
                result = client.scan(TableName="orders")
                return {"count": result['Count'], "items": result['Items']}
            """,
            after="""
            import boto3

            client = boto3.client("dynamodb")

            def handler(event, context):
                result = client.scan(TableName="orders")
                return {"count": result.get('Count', 0), "items": result.get('Items', [])}
            """,
            findings=3,
        ),
        Example(
            title="a KeyError that ends a loop: unsafe",
            message="a handler here catches the `KeyError`", line=10,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def pages(kwargs):
                while True:
                    page = table.query(**kwargs)
                    yield page.get("Items", [])
                    try:
                        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
                    except KeyError:
                        return
            """,
            after="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def pages(kwargs):
                while True:
                    page = table.query(**kwargs)
                    yield page.get("Items", [])
                    try:
                        kwargs["ExclusiveStartKey"] = page.get("LastEvaluatedKey")
                    except KeyError:
                        return
            """,
            unsafe=True,
        ),
        Example(
            title="other objects' query results and assignments are left alone",
            before="""
            import boto3

            athena = boto3.client("timestream-query")

            def run(sql, cache):
                rows = athena.query(QueryString=sql)["Rows"]
                cache["Items"] = rows
                result = search.query(sql)
                return result["Items"]
            """,
            findings=0,
        ),
    )

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context)
        self._subscripts: list[cst.Subscript] = []
        self._gets: list[cst.Call] = []  # x.get("Items" / "Count", ...)
        self._calls: list[tuple[cst.Call, cst.FunctionDef | None]] = []
        self._paginated: set[cst.FunctionDef | None] = set()

    # -- collecting ---------------------------------------------------------------------------

    def visit_Subscript(self, node: cst.Subscript) -> None:
        if len(node.slice) == 1 and isinstance(node.slice[0].slice, cst.Index):
            key = string_value(node.slice[0].slice.value)
            if key in DEFAULTS:
                self._subscripts.append(node)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if not isinstance(func, cst.Attribute):
            return
        attr = func.attr.value
        if attr in OPERATIONS:
            self._calls.append((node, self.enclosing_function()))
            if keyword_args(node).get("ExclusiveStartKey") is not None:
                self._mark_paginated()
        elif attr == "get" and node.args and string_value(node.args[0].value) in ("Items", "Count"):
            self._gets.append(node)
        elif attr == "get_paginator":
            self._mark_paginated()

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        if any(m in node.value for m in PAGINATION_MARKERS):
            self._mark_paginated()

    def _mark_paginated(self) -> None:
        self._paginated.add(self.enclosing_function())
        self._paginated.update(self._functions)

    # -- deciding -----------------------------------------------------------------------------

    def _operation_call(self, expr: cst.BaseExpression) -> list[cst.Call] | None:
        """The query/scan calls on DynamoDB receivers whose result ``expr`` is."""
        if isinstance(expr, cst.Call):
            func = expr.func
            if (
                isinstance(func, cst.Attribute)
                and func.attr.value in OPERATIONS
                and self.kind(func.value) in (TABLE, CLIENT)
            ):
                return [expr]
            return None
        if isinstance(expr, cst.Name):
            values = self.assigned_values(expr)
            if not values:
                return None
            calls: list[cst.Call] = []
            for value in values:
                found = self._operation_call(value) if isinstance(value, cst.Call) else None
                if found is None:
                    return None
                calls.extend(found)
            return calls
        return None

    def _catches_keyerror(self, node: cst.CSTNode) -> bool:
        child = node
        parent = self.get_metadata(ParentNodeProvider, child, None)
        while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.Module)):
            if isinstance(parent, (cst.Try, cst.TryStar)) and child is parent.body:
                for handler in parent.handlers:
                    if handler.type is None:
                        continue
                    types = handler.type.elements if isinstance(handler.type, cst.Tuple) else [handler.type]
                    for t in types:
                        value = t.value if isinstance(t, cst.Element) else t
                        if qualified_names(self, value) & CATCHES_KEYERROR:
                            return True
            child, parent = parent, self.get_metadata(ParentNodeProvider, parent, None)
        return False

    def leave_Module(self, original_node: cst.Module) -> None:
        read: set[cst.Call] = set()
        for sub in self._subscripts:
            if self.get_metadata(ExpressionContextProvider, sub, None) is not ExpressionContext.LOAD:
                continue
            calls = self._operation_call(sub.value)
            if not calls:
                continue
            index = sub.slice[0].slice
            assert isinstance(index, cst.Index)
            key_node = index.value
            key = string_value(key_node)
            assert key is not None
            if key in ("Items", "Count"):
                read.update(calls)
            args = [cst.Arg(key_node)]
            default = DEFAULTS[key]
            if default is not None:
                args[0] = args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                args.append(cst.Arg(cst.parse_expression(default)))
            replacement = cst.Call(cst.Attribute(sub.value, cst.Name("get")), args)
            # Items/Count/ScannedCount are in every response (Items not with Select="COUNT"): the
            # fix changes nothing there. Only a key that can be absent meets a KeyError handler.
            absent = key == "LastEvaluatedKey" or (key == "Items" and any(self._may_select(c) for c in calls))
            unsafe = absent and self._catches_keyerror(sub)
            if key == "LastEvaluatedKey":
                what = "is absent on the last page, where the subscript raises `KeyError`"
            elif key == "Items":
                what = 'is absent with `Select="COUNT"`'
            else:
                what = "is read with a subscript that raises `KeyError` if it is ever absent"
            message = f'`["{key}"]` on a DynamoDB {self._op_names(calls)} result: `{key}` {what}; use `.get("{key}"{", " + default if default else ""})`'
            if unsafe:
                message += " (unsafe fix: a handler here catches the `KeyError`; check that no loop relies on it, then run with --unsafe-fixes)"
            self.report(sub, message, replacement=replacement,
                        safety=FixSafety.UNSAFE if unsafe else FixSafety.SAFE)
        for get in self._gets:
            func = get.func
            assert isinstance(func, cst.Attribute)
            calls = self._operation_call(func.value)
            if calls:
                read.update(calls)
        for call, function in self._calls:
            if call not in read or function in self._paginated or keyword_args(call).get("Limit") is not None:
                continue
            if any(a.star for a in call.args):
                continue
            assert isinstance(call.func, cst.Attribute)
            op = call.func.attr.value
            self.report(
                call,
                f"`{op}()` returns at most 1 MB of data per call, and this result is used as if it "
                f"were complete: items past the first page are silently dropped. Loop while the "
                f'response has "LastEvaluatedKey", passing it as ExclusiveStartKey, or use '
                f'`get_paginator("{op}")` on the client',
            )

    @staticmethod
    def _may_select(call: cst.Call) -> bool:
        """Whether the call may use Select="COUNT" (and so return no Items)."""
        select = keyword_args(call).get("Select")
        if any(a.star for a in call.args):
            return True
        return select is not None and string_value(select.value) not in ("ALL_ATTRIBUTES", "ALL_PROJECTED_ATTRIBUTES", "SPECIFIC_ATTRIBUTES")

    @staticmethod
    def _op_names(calls: list[cst.Call]) -> str:
        names = sorted({c.func.attr.value for c in calls if isinstance(c.func, cst.Attribute)})
        return "/".join(f"`{n}`" for n in names)
