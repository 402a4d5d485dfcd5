"""dynamodb-response-get: ``response["Items"]`` on a DynamoDB query/scan result to ``.get``."""

from __future__ import annotations

import re

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
from iacmod.iac.boto3 import CLIENT, TABLE, Boto3Tracking
from iacmod.iac.names import name_bound, qualified_names
from iacmod.rule import Example, Option

DEFAULTS: dict[str, str | None] = {
    "Items": "[]",
    "Count": "0",
    "ScannedCount": "0",
    "LastEvaluatedKey": None,
}
OPERATIONS = ("query", "scan")
RESULT_KEYS = ("Items", "Count", "ScannedCount")
CONDITION_NAMES = {"boto3.dynamodb.conditions.Key", "boto3.dynamodb.conditions.Attr"}
EQUALITY_TERM = re.compile(r"^\s*\(?\s*([#A-Za-z_][A-Za-z0-9_]*)\s*=\s*:[A-Za-z0-9_]+\s*\)?\s*$")
PAGINATION_MARKERS = ("LastEvaluatedKey", "ExclusiveStartKey")
# Handlers that show a KeyError is expected (broad `except Exception` handlers that turn any
# failure into an error response are not loop control: there the KeyError was the bug).
CATCHES_KEYERROR = {"builtins.KeyError", "builtins.LookupError"}


class DynamodbResponseGet(Boto3Tracking):
    code = "IAC103"
    name = "dynamodb-response-get"
    summary = (
        "Read every page of a DynamoDB `query`/`scan` used as the whole result; `.get` only keys that can be absent"
    )
    targets = frozenset({"python", "lambda"})
    # the quoted keys, as a subscript or a .get() argument reads them
    triggers = ('"Items"', "'Items'", '"Count"', "'Count'", '"ScannedCount"', "'ScannedCount'", "LastEvaluatedKey")
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ExpressionContextProvider, ParentNodeProvider)
    options = {
        "style": Option(
            "defect",
            '`"defect"` (default): rewrite only subscripts that can raise (`LastEvaluatedKey` not '
            'checked first, `Items` of a call that may pass `Select="COUNT"`); `"defensive"`: also '
            '`["Items"]`/`["Count"]`/`["ScannedCount"]`, which are in every response, and '
            'checked `["LastEvaluatedKey"]` (style: no behaviour changes).',
            choices=("defect", "defensive"),
        ),
    }

    rationale = """
A single `scan()`/`query()` call returns at most 1 MB of data. Code that treats one call's
`Items` (or `Count`) as the whole result silently drops everything after the first megabyte
once the table grows: it must follow `LastEvaluatedKey` with `ExclusiveStartKey` in a loop, or
use a paginator. That is the defect this rule fixes.

`response["LastEvaluatedKey"]` raises `KeyError` on the last page, which is exactly the page
every loop ends on, unless the code checked for it first; `response["Items"]` raises when the
call passed `Select="COUNT"` (which returns the number of items, not the items). Reading those
with `.get(...)` is a fix. `Items`, `Count` and `ScannedCount` are otherwise in every `query`/
`scan` response (botocore's paginator model, `dynamodb/2012-08-10/paginators-1.json`, names
them as the result keys of every page), so `.get("Items", [])` there changes nothing: it is
style, and only the `style = "defensive"` option asks for it.
"""
    fix_description = """
The receiver must be a DynamoDB resource `Table` or `boto3.client("dynamodb")`, recognised from
how it was created.

**Pagination.** A `scan()`/`query()` whose `Items` or `Count` is read, in a function that never
mentions `LastEvaluatedKey`/`ExclusiveStartKey` nor uses a paginator, is reported: only one page
of at most 1 MB is read. Where the result is assigned to a name (`r = table.query(...)` as a
statement of its own) that is read only for `Items`, `Count` and `ScannedCount`, the fix reads
every page: on a client, `client.get_paginator("query").paginate(...).build_full_result()`
(which joins `Items` and adds up the counts); on a resource `Table`, a loop after the call,
`while "LastEvaluatedKey" in r:`, that calls again with the same arguments and
`ExclusiveStartKey=r["LastEvaluatedKey"]`, joining `Items` and adding up `Count` and
`ScannedCount` into `r`. Left alone: calls with `Limit` (the caller asked for a page), a key
condition that is equality on two attributes (the whole primary key: at most one item),
`get_item`, `**kwargs` calls; reported without a fix: `Select="COUNT"` calls, results used
inline (`table.query(...)["Items"]`), arguments that would not give the same value when
evaluated again. An assignment of something else to the same name in another branch does not
hide the finding.

**Subscripts that raise.** `["LastEvaluatedKey"]` that the code has not checked first (`if` /
`while "LastEvaluatedKey" in r`, the other branch of `not in`, an earlier
`if "LastEvaluatedKey" not in r: break` in the same block, `... and r[...]`, or inside a `try`
whose handler catches `KeyError`, which is then how the loop stops) becomes
`.get("LastEvaluatedKey")`, except where it starts the next page (`ExclusiveStartKey=r[...]`,
`kwargs["ExclusiveStartKey"] = r[...]`): there `.get` would pass `None`, which boto3 rejects
with `ParamValidationError`, so the finding says to stop the loop instead; `["Items"]` of a call that passes a `Select` that may be `COUNT`
becomes `.get("Items", [])`. Assignments and `del` are left alone.

**Style** (`style = "defensive"`, off by default): also `["Items"]` → `.get("Items", [])`,
`["Count"]`/`["ScannedCount"]` → `.get(..., 0)` and checked `["LastEvaluatedKey"]` → `.get(...)`,
reported as `info`. These change no behaviour.
"""
    fix_safety_notes = """
The pagination fix is **unsafe**: every page is read, which costs more read capacity and
latency, and the code that used the first page now gets all of them (that is the fix, but a
caller may rely on the size). The loop evaluates the call's arguments once per page, so it is
offered only when they are names, literals, subscripts or boto3 `Key`/`Attr` conditions over
them. The paginator's `build_full_result()` keeps `Items`, `Count`, `ScannedCount` and
`ConsumedCapacity` only, so it is offered only when nothing else of the response is read.

The `.get` fixes are **safe**: the only behaviour that changes is a `KeyError` that is no longer
raised. A `try` whose handler names `KeyError` or `LookupError` may use that error to stop a
loop: by default such a subscript is left alone, and under the defensive style its fix is
**unsafe**. A broad `except Exception` that turns failures into an error response is not such a
handler (there the `KeyError` on the last page was the bug).
"""

    examples = (
        Example(
            title="one client page used as the whole result: get_paginator, unsafe",
            message="returns at most 1 MB of data per call",
            line=6,
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
                result = client.get_paginator("scan").paginate(TableName="orders").build_full_result()
                return {"count": result['Count'], "items": result['Items']}
            """,
            unsafe=True,
            findings=1,
        ),
        Example(
            title="one Table page used as the whole result: a loop over LastEvaluatedKey, unsafe",
            message='loops while "LastEvaluatedKey" is in `response`',
            line=7,
            before="""
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("orders")

            def orders(user):
                response = table.query(KeyConditionExpression=Key("user_id").eq(user))
                return response["Items"]
            """,
            after="""
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("orders")

            def orders(user):
                response = table.query(KeyConditionExpression=Key("user_id").eq(user))
                while "LastEvaluatedKey" in response:
                    page = table.query(KeyConditionExpression=Key("user_id").eq(user), ExclusiveStartKey=response["LastEvaluatedKey"])
                    page["Items"] = response["Items"] + page["Items"]
                    page["Count"] += response["Count"]
                    page["ScannedCount"] += response["ScannedCount"]
                    response = page
                return response["Items"]
            """,
            unsafe=True,
            findings=1,
        ),
        Example(
            title="another value in another branch does not hide a single page",
            message="returns at most 1 MB of data per call",
            line=7,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def items(cached):
                if cached is None:
                    response = table.scan(ConsistentRead=True)
                else:
                    response = cached
                return response["Items"]
            """,
            after="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def items(cached):
                if cached is None:
                    response = table.scan(ConsistentRead=True)
                    while "LastEvaluatedKey" in response:
                        page = table.scan(ConsistentRead=True, ExclusiveStartKey=response["LastEvaluatedKey"])
                        page["Items"] = response["Items"] + page["Items"]
                        page["Count"] += response["Count"]
                        page["ScannedCount"] += response["ScannedCount"]
                        response = page
                else:
                    response = cached
                return response["Items"]
            """,
            unsafe=True,
        ),
        Example(
            title="a page loop that is already right: Items and a checked LastEvaluatedKey are left alone",
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def all_orders():
                items, kwargs = [], {}
                while True:
                    page = table.scan(**kwargs)
                    items.extend(page["Items"])
                    if "LastEvaluatedKey" not in page:
                        return items
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            """,
            findings=0,
        ),
        Example(
            title="the whole primary key, a Limit: at most one page, left alone",
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def one(user, ts):
                response = table.query(
                    KeyConditionExpression="user_id = :u AND ts = :t",
                    ExpressionAttributeValues={":u": user, ":t": ts},
                )
                return response["Items"]

            def latest(user):
                return table.query(KeyConditionExpression="user_id = :u", ExpressionAttributeValues={":u": user},
                                   ScanIndexForward=False, Limit=1)["Items"]
            """,
            findings=0,
        ),
        Example(
            title="a count of one page: reported only",
            message="returns at most 1 MB of data per call",
            line=6,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("inventory")

            def low_stock(threshold):
                response = table.scan(FilterExpression="stock < :t", ExpressionAttributeValues={":t": threshold}, Select="COUNT")
                return response["Count"]
            """,
            findings=1,
        ),
        Example(
            title="an unchecked LastEvaluatedKey crashes on the last page",
            message="`LastEvaluatedKey` is absent on the last page",
            line=8,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def page(start):
                response = table.scan(Limit=50, **({"ExclusiveStartKey": start} if start else {}))
                return {"items": response["Items"],
                        "next": response["LastEvaluatedKey"]}
            """,
            after="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def page(start):
                response = table.scan(Limit=50, **({"ExclusiveStartKey": start} if start else {}))
                return {"items": response["Items"],
                        "next": response.get("LastEvaluatedKey")}
            """,
            findings=1,
        ),
        Example(
            title="a loop that passes a missing LastEvaluatedKey on: reported only",
            message="`.get` would pass `None` as `ExclusiveStartKey`, which boto3 rejects",
            line=9,
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
            findings=1,
        ),
        Example(
            title="a KeyError that ends a loop is how the loop stops: left alone",
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def pages(kwargs):
                while True:
                    page = table.query(**kwargs)
                    yield page["Items"]
                    try:
                        kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
                    except KeyError:
                        return
            """,
            findings=0,
        ),
        Example(
            options={"style": "defensive"},
            title="defensive style: a KeyError that ends a loop: unsafe",
            message="a handler here catches the `KeyError`",
            line=10,
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
            title="defensive style: .get everywhere (no behaviour changes)",
            message="is checked before it is read here (defensive style)",
            line=12,
            options={"style": "defensive"},
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def all_orders():
                items, kwargs = [], {}
                while True:
                    page = table.scan(**kwargs)
                    items.extend(page["Items"])
                    if "LastEvaluatedKey" not in page:
                        return items
                    kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
            """,
            after="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def all_orders():
                items, kwargs = [], {}
                while True:
                    page = table.scan(**kwargs)
                    items.extend(page.get("Items", []))
                    if "LastEvaluatedKey" not in page:
                        return items
                    kwargs["ExclusiveStartKey"] = page.get("LastEvaluatedKey")
            """,
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
        self._module: cst.Module | None = None

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
        self._module = original_node
        defensive = self.option("style") == "defensive"
        read: set[cst.Call] = set()
        for sub in self._subscripts:
            if self.get_metadata(ExpressionContextProvider, sub, None) is not ExpressionContext.LOAD:
                continue
            index = sub.slice[0].slice
            assert isinstance(index, cst.Index)
            key_node = index.value
            key = string_value(key_node)
            assert key is not None
            if key in ("Items", "Count"):
                read.update(self._operation_calls_any(sub.value))
            calls = self._operation_call(sub.value)
            if not calls:
                continue
            # Items/Count/ScannedCount are in every response (Items not with Select="COUNT"): the
            # fix changes nothing there. Only a key that can be absent meets a KeyError handler.
            # `**kwargs` may pass Select="COUNT" too, but only the defensive style guesses so
            may_lack_items = key == "Items" and any(
                self._may_select(c) if defensive else self._selects_count(c) for c in calls
            )
            absent = key == "LastEvaluatedKey" or may_lack_items
            if not defensive:
                if key == "LastEvaluatedKey" and (self._guarded(sub) or self._catches_keyerror(sub)):
                    continue  # checked first, or the KeyError is how the loop ends
                if not absent:
                    continue
                if key == "LastEvaluatedKey" and self._starts_next_page(sub):
                    # .get would pass None as ExclusiveStartKey, which boto3 rejects: no fix
                    self.report(
                        sub,
                        f'`["LastEvaluatedKey"]` on a DynamoDB {self._op_names(calls)} result: '
                        "`LastEvaluatedKey` is absent on the last page, where the subscript raises "
                        "`KeyError` (not fixed automatically: `.get` would pass `None` as "
                        "`ExclusiveStartKey`, which boto3 rejects; stop the loop when "
                        f'`"LastEvaluatedKey" not in {self.module_code(sub.value)}`)',
                    )
                    continue
            args = [cst.Arg(key_node)]
            default = DEFAULTS[key]
            if default is not None:
                args[0] = args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                args.append(cst.Arg(cst.parse_expression(default)))
            replacement = cst.Call(cst.Attribute(sub.value, cst.Name("get")), args)
            unsafe = absent and self._catches_keyerror(sub)
            if key == "LastEvaluatedKey":
                what = "is absent on the last page, where the subscript raises `KeyError`"
                if self._guarded(sub):
                    what = "is checked before it is read here (defensive style)"
            elif may_lack_items:
                what = 'is absent with `Select="COUNT"`'
            else:
                what = "is in every response: `.get` is defensive style only"
            message = f'`["{key}"]` on a DynamoDB {self._op_names(calls)} result: `{key}` {what}; use `.get("{key}"{", " + default if default else ""})`'
            if unsafe:
                message += " (unsafe fix: a handler here catches the `KeyError`; check that no loop relies on it, then run with --unsafe-fixes)"
            self.report(
                sub,
                message,
                replacement=replacement,
                safety=FixSafety.UNSAFE if unsafe else FixSafety.SAFE,
                severity=Severity.INFO if what.endswith("(defensive style)") or what.endswith("style only") else None,
            )
        for get in self._gets:
            func = get.func
            assert isinstance(func, cst.Attribute)
            read.update(self._operation_calls_any(func.value))
        for call, function in self._calls:
            if call not in read or function in self._paginated or keyword_args(call).get("Limit") is not None:
                continue
            if any(a.star for a in call.args) or self._full_key_equality(call):
                continue
            assert isinstance(call.func, cst.Attribute)
            op = call.func.attr.value
            message = (
                f"`{op}()` returns at most 1 MB of data per call, and this result is used as if it "
                f"were complete: items past the first page are silently dropped. Loop while the "
                f'response has "LastEvaluatedKey", passing it as ExclusiveStartKey, or use '
                f'`get_paginator("{op}")` on the client'
            )
            fix = self._paginate(call, op)
            if fix is None:
                self.report(call, message)
            else:
                node, replacement, how = fix
                self.report(
                    call,
                    f"{message} ({how}; unsafe fix: every page is read, which costs more read "
                    "capacity and latency; run with --unsafe-fixes)",
                    changes={node: replacement},
                    safety=FixSafety.UNSAFE,
                )

    # -- pagination -----------------------------------------------------------------------------

    def _operation_calls_any(self, expr: cst.BaseExpression) -> list[cst.Call]:
        """The query/scan calls on DynamoDB receivers among the values ``expr`` can hold (an
        assignment of something else to the same name, in another branch, does not hide them)."""
        if isinstance(expr, cst.Name):
            values = self.assigned_values(expr) or []
            found: list[cst.Call] = []
            for value in values:
                found.extend(self._operation_call(value) or [] if isinstance(value, cst.Call) else [])
            return found
        return self._operation_call(expr) or []

    def _full_key_equality(self, call: cst.Call) -> bool:
        """A query whose key condition is equality on two attributes: the whole primary key, at
        most one item."""
        kce = keyword_args(call).get("KeyConditionExpression")
        if kce is None:
            return False
        text = string_value(kce.value)
        if text is not None:
            terms = re.split(r"\s+AND\s+", text.strip(), flags=re.IGNORECASE)
            names = set()
            for term in terms:
                m = EQUALITY_TERM.match(term)
                if not m:
                    return False
                names.add(m.group(1))
            return len(names) >= 2 and len(names) == len(terms)
        names = set()
        expr = kce.value
        parts: list[cst.BaseExpression] = []
        while isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, cst.BitAnd):
            parts.append(expr.right)
            expr = expr.left
        parts.append(expr)
        for part in parts:
            if not (
                isinstance(part, cst.Call) and isinstance(part.func, cst.Attribute) and part.func.attr.value == "eq"
            ):
                return False
            key = part.func.value
            if not (isinstance(key, cst.Call) and key.args and string_value(key.args[0].value) is not None):
                return False
            names.add(string_value(key.args[0].value))
        return len(names) >= 2 and len(names) == len(parts)

    def _paginate(self, call: cst.Call, op: str) -> tuple[cst.CSTNode, cst.CSTNode, str] | None:
        """The fix reading every page: ``(node, replacement, description)``, or None when the
        shape is not one the fix handles (``r = table.query(...)`` as a statement of its own,
        ``r`` read only for Items/Count/ScannedCount)."""
        assert isinstance(call.func, cst.Attribute)
        if self._may_select(call):
            return None
        assign = self.get_metadata(ParentNodeProvider, call, None)
        if not isinstance(assign, cst.Assign) or len(assign.targets) != 1:
            return None
        target = assign.targets[0].target
        if not isinstance(target, cst.Name):
            return None
        line = self.get_metadata(ParentNodeProvider, assign, None)
        if not isinstance(line, cst.SimpleStatementLine) or len(line.body) != 1:
            return None
        scope = self.get_metadata(ScopeProvider, target, None)
        if scope is None:
            return None
        for access in scope.accesses[target.value]:
            if not self._reads_a_result_key(access.node):
                return None
        receiver = call.func.value
        kind = self.kind(receiver)
        module = self._module
        if kind == CLIENT:
            paginated = cst.parse_expression(
                f'{module.code_for_node(receiver)}.get_paginator("{op}").paginate().build_full_result()'
            )
            inner = paginated.func.value  # type: ignore[attr-defined]
            inner = inner.with_changes(args=call.args)
            return (
                call,
                paginated.with_changes(func=paginated.func.with_changes(value=inner)),
                (  # type: ignore[attr-defined]
                    f'reads every page with `get_paginator("{op}")`, whose `build_full_result()` '
                    "joins `Items` and adds up `Count`/`ScannedCount`"
                ),
            )
        if kind != TABLE or not self.pure(receiver):
            return None
        if not all(self._reevaluable(a.value) for a in call.args):
            return None
        page = next((n for n in ("page", f"{target.value}_page", "_page") if not name_bound(scope, n)), None)
        if page is None:
            return None
        r = target.value
        args = [f"{a.keyword.value}={module.code_for_node(a.value)}" for a in call.args if a.keyword is not None]
        if len(args) != len(call.args):
            return None
        args.append(f'ExclusiveStartKey={r}["LastEvaluatedKey"]')
        indent = module.default_indent
        text = (
            f'while "LastEvaluatedKey" in {r}:\n'
            f"{indent}{page} = {module.code_for_node(receiver)}.{op}({', '.join(args)})\n"
            f'{indent}{page}["Items"] = {r}["Items"] + {page}["Items"]\n'
            f'{indent}{page}["Count"] += {r}["Count"]\n'
            f'{indent}{page}["ScannedCount"] += {r}["ScannedCount"]\n'
            f"{indent}{r} = {page}\n"
        )
        loop = cst.parse_statement(text, config=module.config_for_parsing)
        return (
            line,
            cst.FlattenSentinel([line, loop]),
            (
                f'reads every page: loops while "LastEvaluatedKey" is in `{r}`, passing it as '
                "`ExclusiveStartKey`, joining `Items` and adding up `Count`/`ScannedCount`"
            ),
        )

    def _reads_a_result_key(self, node: cst.CSTNode) -> bool:
        """``node`` (a use of the response) is ``r["Items"]``-like or ``r.get("Items", ...)``."""
        parent = self.get_metadata(ParentNodeProvider, node, None)
        if isinstance(parent, cst.Subscript) and parent.value is node and len(parent.slice) == 1:
            index = parent.slice[0].slice
            return (
                isinstance(index, cst.Index)
                and string_value(index.value) in RESULT_KEYS
                and self.get_metadata(ExpressionContextProvider, parent, None) is ExpressionContext.LOAD
            )
        if isinstance(parent, cst.Attribute) and parent.value is node and parent.attr.value == "get":
            call = self.get_metadata(ParentNodeProvider, parent, None)
            return isinstance(call, cst.Call) and bool(call.args) and string_value(call.args[0].value) in RESULT_KEYS
        return False

    def _reevaluable(self, expr: cst.BaseExpression) -> bool:
        """Evaluating ``expr`` again for each page gives the same value: a pure expression or a
        boto3 condition (``Key("k").eq(v) & Attr("a").gt(n)``) over pure ones."""
        if self.pure(expr):
            return True
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.BitAnd, cst.BitOr)):
            return self._reevaluable(expr.left) and self._reevaluable(expr.right)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.BitInvert):
            return self._reevaluable(expr.expression)
        if isinstance(expr, cst.Call) and all(self.pure(a.value) for a in expr.args):
            if isinstance(expr.func, cst.Attribute) and isinstance(expr.func.value, cst.Call):
                return self._reevaluable(expr.func.value)
            return bool(qualified_names(self, expr.func) & CONDITION_NAMES)
        return False

    def module_code(self, node: cst.CSTNode) -> str:
        return self._module.code_for_node(node) if self._module is not None else "response"

    def _starts_next_page(self, sub: cst.Subscript) -> bool:
        """``ExclusiveStartKey=r["LastEvaluatedKey"]`` or ``x["ExclusiveStartKey"] = r[...]``."""
        parent = self.get_metadata(ParentNodeProvider, sub, None)
        if isinstance(parent, cst.Arg):
            return parent.keyword is not None and parent.keyword.value == "ExclusiveStartKey"
        if isinstance(parent, cst.Assign) and parent.value is sub:
            for target in parent.targets:
                t = target.target
                if isinstance(t, cst.Subscript) and len(t.slice) == 1 and isinstance(t.slice[0].slice, cst.Index):
                    if string_value(t.slice[0].slice.value) == "ExclusiveStartKey":
                        return True
        if isinstance(parent, cst.DictElement) and parent.value is sub:
            return string_value(parent.key) == "ExclusiveStartKey"
        return False

    # -- guards ---------------------------------------------------------------------------------

    def _guard(self, test: cst.BaseExpression, name: str) -> bool | None:
        """True: ``test`` holds only when the response ``name`` has LastEvaluatedKey; False: only
        when it has not; None: neither."""
        if isinstance(test, cst.UnaryOperation) and isinstance(test.operator, cst.Not):
            inner = self._guard(test.expression, name)
            return None if inner is None else not inner
        if isinstance(test, cst.BooleanOperation) and isinstance(test.operator, cst.And):
            left = self._guard(test.left, name)
            right = self._guard(test.right, name)
            return True if True in (left, right) else None
        if isinstance(test, cst.Comparison) and len(test.comparisons) == 1:
            target = test.comparisons[0]
            if (
                string_value(test.left) == "LastEvaluatedKey"
                and isinstance(target.comparator, cst.Name)
                and target.comparator.value == name
            ):
                if isinstance(target.operator, cst.In):
                    return True
                if isinstance(target.operator, cst.NotIn):
                    return False
            return None
        if (
            isinstance(test, cst.Call)
            and isinstance(test.func, cst.Attribute)
            and test.func.attr.value == "get"
            and isinstance(test.func.value, cst.Name)
            and test.func.value.value == name
            and test.args
            and string_value(test.args[0].value) == "LastEvaluatedKey"
        ):
            return True
        return None

    def _guarded(self, sub: cst.Subscript) -> bool:
        """``r["LastEvaluatedKey"]`` read where the code has checked that ``r`` has it: in the body
        of ``if``/``while "LastEvaluatedKey" in r``, the other branch of a ``not in`` test, after
        ``if "LastEvaluatedKey" not in r: break`` in the same block, or after ``and``."""
        if not isinstance(sub.value, cst.Name):
            return False
        name = sub.value.value
        child: cst.CSTNode = sub
        parent = self.get_metadata(ParentNodeProvider, child, None)
        while parent is not None and not isinstance(parent, (cst.FunctionDef, cst.Lambda, cst.Module)):
            if isinstance(parent, (cst.If, cst.While)) and child is parent.body:
                if self._guard(parent.test, name) is True and not self._reassigned_before(parent.body, sub, name):
                    return True
            if isinstance(parent, cst.If) and child is parent.orelse and isinstance(child, cst.Else):
                if self._guard(parent.test, name) is False:
                    return True
            if isinstance(parent, cst.IfExp):
                verdict = self._guard(parent.test, name)
                if (child is parent.body and verdict is True) or (child is parent.orelse and verdict is False):
                    return True
            if isinstance(parent, cst.BooleanOperation) and isinstance(parent.operator, cst.And):
                if child is parent.right and self._guard(parent.left, name) is True:
                    return True
            if isinstance(parent, (cst.IndentedBlock, cst.Module)) and child in parent.body:
                for statement in reversed(parent.body[: list(parent.body).index(child)]):
                    if self._assigns(statement, name):
                        break
                    if (
                        isinstance(statement, cst.If)
                        and statement.orelse is None
                        and self._guard(statement.test, name) is False
                        and self._exits(statement.body)
                    ):
                        return True
            child, parent = parent, self.get_metadata(ParentNodeProvider, parent, None)
        return False

    @staticmethod
    def _exits(block: cst.BaseSuite) -> bool:
        body = block.body if isinstance(block, cst.IndentedBlock) else [block]
        last = body[-1] if body else None
        if isinstance(last, cst.SimpleStatementLine):
            return isinstance(last.body[-1], (cst.Break, cst.Return, cst.Continue, cst.Raise))
        if isinstance(last, cst.SimpleStatementSuite):
            return isinstance(last.body[-1], (cst.Break, cst.Return, cst.Continue, cst.Raise))
        return False

    @staticmethod
    def _assigns(statement: cst.CSTNode, name: str) -> bool:
        """Whether ``statement`` (a top-level statement) assigns ``name``."""
        found = False

        class Finder(cst.CSTVisitor):
            def visit_AssignTarget(self, node: cst.AssignTarget) -> None:
                nonlocal found
                if isinstance(node.target, cst.Name) and node.target.value == name:
                    found = True

            def visit_AugAssign(self, node: cst.AugAssign) -> None:
                nonlocal found
                if isinstance(node.target, cst.Name) and node.target.value == name:
                    found = True

        statement.visit(Finder())
        return found

    def _reassigned_before(self, body: cst.BaseSuite, sub: cst.Subscript, name: str) -> bool:
        """Whether a statement of ``body`` before the one holding ``sub`` assigns ``name``."""
        if not isinstance(body, cst.IndentedBlock):
            return False
        node: cst.CSTNode | None = sub
        while node is not None and node not in body.body:
            node = self.get_metadata(ParentNodeProvider, node, None)
        if node is None:
            return False
        index = list(body.body).index(node)
        return any(self._assigns(s, name) for s in body.body[:index])

    @staticmethod
    def _may_select(call: cst.Call) -> bool:
        """Whether the call may use Select="COUNT" (and so return no Items)."""
        select = keyword_args(call).get("Select")
        if any(a.star for a in call.args):
            return True
        return select is not None and string_value(select.value) not in (
            "ALL_ATTRIBUTES",
            "ALL_PROJECTED_ATTRIBUTES",
            "SPECIFIC_ATTRIBUTES",
        )

    @staticmethod
    def _selects_count(call: cst.Call) -> bool:
        """Whether the call passes a ``Select`` that may be "COUNT"."""
        select = keyword_args(call).get("Select")
        return select is not None and string_value(select.value) not in (
            "ALL_ATTRIBUTES",
            "ALL_PROJECTED_ATTRIBUTES",
            "SPECIFIC_ATTRIBUTES",
        )

    @staticmethod
    def _op_names(calls: list[cst.Call]) -> str:
        names = sorted({c.func.attr.value for c in calls if isinstance(c.func, cst.Attribute)})
        return "/".join(f"`{n}`" for n in names)
