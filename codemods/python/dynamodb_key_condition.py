"""dynamodb-key-condition: string ``KeyConditionExpression`` on a resource Table to ``Key(...)``."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst

from iacmod.edit.args import keyword_args
from iacmod.edit.elements import remove_elements
from iacmod.edit.literals import quote_of, string_literal, string_value
from iacmod.edit.symbols import reference
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac.boto3 import TABLE, Boto3Tracking
from iacmod.iac.dynamodb_reserved_words import is_reserved
from iacmod.rule import Example

# Arguments of Table.query that are expressions and may use #name / :value placeholders.
EXPRESSION_ARGS = ("FilterExpression", "ProjectionExpression", "ConditionExpression")
PLACEHOLDER = re.compile(r"[#:][A-Za-z0-9_]+")
# boto3 names its own placeholders #n0, #n1, ... and :v0, :v1, ... and merges them into the
# dictionaries the caller passes (dict.update): a caller's placeholder of that form would be
# overwritten.
BOTO3_PLACEHOLDER = re.compile(r"^(#n|:v)\d+$")
CONDITION_NAMES = {"boto3.dynamodb.conditions.Key", "boto3.dynamodb.conditions.Attr"}

TOKEN = re.compile(
    r"\s*(?:(?P<op><=|>=|<>|=|<|>)|(?P<punct>[(),])|(?P<name>#[A-Za-z0-9_]+)|"
    r"(?P<value>:[A-Za-z0-9_]+)|(?P<word>[A-Za-z_][A-Za-z0-9_]*))"
)
OPERATORS = {"=": "eq", "<": "lt", "<=": "lte", ">": "gt", ">=": "gte"}


class Unparsable(Exception):
    pass


@dataclass(frozen=True)
class Term:
    name: str  # as written: an attribute name or a #placeholder
    method: str  # eq, lt, lte, gt, gte, between, begins_with
    values: tuple[str, ...]  # :placeholders


def _tokens(text: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    text = text.rstrip()
    while pos < len(text):
        m = TOKEN.match(text, pos)
        if not m or m.end() == pos:
            raise Unparsable(f"unexpected text {text[pos:].strip()[:20]!r}")
        kind = m.lastgroup
        assert kind is not None
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


def parse_key_condition(text: str) -> list[Term]:
    """Parse DynamoDB key-condition syntax into terms joined by AND."""
    tokens = _tokens(text)
    pos = 0

    def peek(offset: int = 0) -> tuple[str, str] | None:
        return tokens[pos + offset] if pos + offset < len(tokens) else None

    def take(kind: str, value: str | None = None) -> str:
        nonlocal pos
        tok = peek()
        if tok is None or tok[0] != kind or (value is not None and tok[1].upper() != value.upper()):
            raise Unparsable(f"expected {value or kind}")
        pos += 1
        return tok[1]

    def is_word(value: str) -> bool:
        tok = peek()
        return tok is not None and tok[0] == "word" and tok[1].upper() == value.upper()

    def operand_name() -> str:
        tok = peek()
        if tok is not None and tok[0] in ("name", "word") and tok[1].upper() not in ("AND", "BETWEEN"):
            return take(tok[0])
        raise Unparsable("expected an attribute name")

    def term() -> list[Term]:
        tok = peek()
        if tok == ("punct", "("):
            take("punct", "(")
            inner = conjunction()
            take("punct", ")")
            return inner
        if tok is not None and tok[0] == "word" and tok[1] == "begins_with" and peek(1) == ("punct", "("):
            take("word")
            take("punct", "(")
            name = operand_name()
            take("punct", ",")
            value = take("value")
            take("punct", ")")
            return [Term(name, "begins_with", (value,))]
        name = operand_name()
        if is_word("BETWEEN"):
            take("word")
            low = take("value")
            take("word", "AND")
            high = take("value")
            return [Term(name, "between", (low, high))]
        op = take("op")
        if op not in OPERATORS:
            raise Unparsable(f"operator {op!r} is not allowed in a key condition")
        return [Term(name, OPERATORS[op], (take("value"),))]

    def conjunction() -> list[Term]:
        terms = term()
        while is_word("AND"):
            take("word")
            terms.extend(term())
        return terms

    terms = conjunction()
    if pos != len(tokens):
        raise Unparsable(f"unexpected {tokens[pos][1]!r}")
    return terms


def _dict_literal(arg: cst.Arg | None) -> tuple[dict[str, cst.DictElement], cst.Dict | None] | None:
    """String-keyed elements of a dict literal argument; None when it is not one."""
    if arg is None:
        return {}, None
    if not isinstance(arg.value, cst.Dict):
        return None
    out: dict[str, cst.DictElement] = {}
    for el in arg.value.elements:
        if not isinstance(el, cst.DictElement):
            return None
        key = string_value(el.key)
        if key is None or key in out:
            return None
        out[key] = el
    return out, arg.value


class DynamodbKeyCondition(Boto3Tracking):
    code = "IAC102"
    name = "dynamodb-key-condition"
    summary = "Build `KeyConditionExpression` with `Key(...)` on a boto3 resource `Table`"
    targets = frozenset({"python", "lambda"})
    triggers = ("KeyConditionExpression",)
    severity = Severity.INFO
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS

    rationale = """
On a boto3 **resource** `Table`, a hand-written key condition string such as
`KeyConditionExpression="status = :s"` with `ExpressionAttributeValues` has to name every
placeholder twice and breaks at run time on attribute names that are DynamoDB reserved words
(`status`, `name`, `date`, `timestamp`, … raise `ValidationException` unless aliased through
`ExpressionAttributeNames`). A placeholder left unused in `ExpressionAttributeValues` is also a
`ValidationException`. The condition builder `Key("status").eq(s)` generates the name and value
placeholders itself, so none of this can go wrong.

Each finding says which case it is. A string that **fails at run time** is severity `error`: an
attribute name that is one of DynamoDB's 573 reserved words written without a `#name` alias
(the list is kept as data in `iacmod/iac/dynamodb_reserved_words.py`, from the DynamoDB
Developer Guide's "Reserved words in DynamoDB"), or a `:value`/`#name` placeholder, in any of
the call's expressions, that has no entry in `ExpressionAttributeValues`/`ExpressionAttributeNames`.
A string that **works** is severity `info`: "works; boto3's typed conditions are recommended".
The rewrite is the same in both cases; for a working string it is style.
"""
    fix_description = """
The string is parsed (`=`, `<`, `<=`, `>`, `>=`, `BETWEEN :a AND :b`, `begins_with(k, :p)`,
joined by `AND` in any case, `#name` placeholders resolved from `ExpressionAttributeNames`) and
rebuilt as `Key("pk").eq(v) & Key("sk").between(a, b)`, importing `Key` from
`boto3.dynamodb.conditions` (or reusing the file's import). The placeholders the key condition
consumed are removed from `ExpressionAttributeValues`/`ExpressionAttributeNames`; those still
used by `FilterExpression` or `ProjectionExpression` stay, and an argument left empty is dropped.

The receiver must be known to be a resource table from how it was created
(`boto3.resource("dynamodb").Table(...)`, also through variables, `self.` attributes and
helper functions). The low-level client (`boto3.client("dynamodb").query`) accepts only strings
and is never rewritten; a receiver of unknown origin (a function parameter) is left alone.
"""
    fix_safety_notes = """
boto3 turns the `Key(...)` condition into the same expression string, with its own `#n0`/`:v0`
placeholders, and merges them into the `ExpressionAttributeValues`/`ExpressionAttributeNames`
the call still passes for a `FilterExpression`; DynamoDB receives an equivalent request. The fix
is **safe** when the moved values are plain expressions (names, attributes, subscripts,
literals). A value with a function call moves ahead of the other arguments; when another
argument also calls something, the evaluation order changes and the fix is **unsafe**.

Left alone and reported: an expression outside the key-condition grammar, placeholders whose
values are not in a dict literal, attribute names with `.` or `[` (boto3 would read them as
paths), another expression argument that is not a literal (its placeholders cannot be traced),
and caller placeholders named like boto3's own (`:v0`, `#n0`), which boto3 would overwrite.
"""

    examples = (
        Example(
            title="a reserved word without an alias fails at run time: error, fixed",
            message="fails at run time (`status` is a DynamoDB reserved word",
            line=7,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def pending():
                return table.query(
                    KeyConditionExpression="status = :s",
                    ExpressionAttributeValues={":s": "PENDING"},
                )
            """,
            after="""
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("orders")

            def pending():
                return table.query(
                    KeyConditionExpression=Key("status").eq("PENDING"),
                )
            """,
            findings=1,
        ),
        Example(
            title="a placeholder without a value fails at run time: error, reported",
            message="`:sk` has no value in `ExpressionAttributeValues`",
            line=7,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("orders")

            def orders(user):
                return table.query(
                    KeyConditionExpression="pk = :pk AND sk > :sk",
                    ExpressionAttributeValues={":pk": user},
                )
            """,
            findings=1,
        ),
        Example(
            title="a string that works: info, the typed form is recommended",
            message="works; boto3's typed conditions are recommended",
            line=8,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("items")

            def handler(event, context):
                item_id = event["pathParameters"]["id"]
                return table.query(
                    KeyConditionExpression="ItemId = :id",
                    ExpressionAttributeValues={":id": item_id},
                )
            """,
            after="""
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("items")

            def handler(event, context):
                item_id = event["pathParameters"]["id"]
                return table.query(
                    KeyConditionExpression=Key("ItemId").eq(item_id),
                )
            """,
            findings=1,
        ),
        Example(
            title="reserved word through ExpressionAttributeNames, a range, and a filter that keeps its value",
            before="""
            import boto3
            from boto3.dynamodb.conditions import Key

            dynamodb = boto3.resource("dynamodb")

            class Store:
                def __init__(self, name):
                    self.table = dynamodb.Table(name)

                def recent(self, user, start, end):
                    return self.table.query(
                        KeyConditionExpression="user_id = :u and #ts BETWEEN :a AND :b",
                        FilterExpression="kind = :k",
                        ExpressionAttributeNames={"#ts": "timestamp"},
                        ExpressionAttributeValues={":u": user, ":a": start, ":b": end, ":k": "order"},
                    )["Items"]
            """,
            after="""
            import boto3
            from boto3.dynamodb.conditions import Key

            dynamodb = boto3.resource("dynamodb")

            class Store:
                def __init__(self, name):
                    self.table = dynamodb.Table(name)

                def recent(self, user, start, end):
                    return self.table.query(
                        KeyConditionExpression=Key("user_id").eq(user) & Key("timestamp").between(start, end),
                        FilterExpression="kind = :k",
                        ExpressionAttributeValues={":k": "order"},
                    )["Items"]
            """,
        ),
        Example(
            title="the last argument removed, without a trailing comma",
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("items")

            def handler(event, context):
                return table.query(
                    KeyConditionExpression="ItemId = :id and begins_with(Sk, :p)",
                    ExpressionAttributeValues={":id": event["id"], ":p": "ORDER#"}
                )
            """,
            after="""
            import boto3
            from boto3.dynamodb.conditions import Key

            table = boto3.resource("dynamodb").Table("items")

            def handler(event, context):
                return table.query(
                    KeyConditionExpression=Key("ItemId").eq(event["id"]) & Key("Sk").begins_with("ORDER#")
                )
            """,
        ),
        Example(
            title="the low-level client accepts only strings",
            before="""
            import boto3

            client = boto3.client("dynamodb")

            def handler(event, context):
                return client.query(
                    TableName="items",
                    KeyConditionExpression="ItemId = :id",
                    ExpressionAttributeValues={":id": {"S": event["id"]}},
                )
            """,
            findings=0,
        ),
        Example(
            title="a receiver of unknown origin is left alone",
            before="""
            def fetch(table, item_id):
                return table.query(
                    KeyConditionExpression="ItemId = :id",
                    ExpressionAttributeValues={":id": item_id},
                )
            """,
            findings=0,
        ),
        Example(
            title="values that cannot be traced are reported",
            message="the placeholders are not in a dict literal",
            line=6,
            before="""
            import boto3

            table = boto3.resource("dynamodb").Table("items")

            def fetch(values):
                return table.query(KeyConditionExpression="ItemId = :id", ExpressionAttributeValues=values)
            """,
            findings=1,
        ),
    )

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context)
        self._candidates: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and func.attr.value == "query":
            if keyword_args(node).get("KeyConditionExpression") is not None:
                self._candidates.append(node)

    def leave_Module(self, original_node: cst.Module) -> None:
        for call in self._candidates:
            assert isinstance(call.func, cst.Attribute)
            if self.kind(call.func.value) == TABLE:
                self._check(call)

    # -- the fix ----------------------------------------------------------------------------------

    def _check(self, call: cst.Call) -> None:
        kce = keyword_args(call).get("KeyConditionExpression")
        assert kce is not None
        text = string_value(kce.value)
        if text is None:
            return  # already a condition object, or a variable
        base = "`KeyConditionExpression` string on a resource Table"
        failure: list[str] = []  # why the call fails at run time, if it does

        def prefix() -> str:
            if failure:
                return f"{base} fails at run time ({'; '.join(failure)})"
            return f"{base} works; boto3's typed conditions are recommended"

        def severity() -> Severity:
            return Severity.ERROR if failure else Severity.INFO

        def leave(reason: str) -> None:
            self.report(
                kce, f"{prefix()}: use `Key(...)` conditions (not fixed automatically: {reason})", severity=severity()
            )

        if any(a.star for a in call.args):
            return leave("the call passes `**` arguments")
        try:
            terms = parse_key_condition(text)
        except Unparsable as exc:
            return leave(f"cannot parse the expression: {exc}")
        reserved = sorted({t.name for t in terms if not t.name.startswith("#") and is_reserved(t.name)})
        if reserved:
            words = ", ".join(f"`{w}`" for w in reserved)
            failure.append(
                f"{words} {'is a DynamoDB reserved word' if len(reserved) == 1 else 'are DynamoDB reserved words'} "
                "used without a `#name` alias: ValidationException"
            )
        eav_arg = keyword_args(call).get("ExpressionAttributeValues")
        ean_arg = keyword_args(call).get("ExpressionAttributeNames")
        values = _dict_literal(eav_arg)
        names = _dict_literal(ean_arg)
        if (
            values is not None
            and names is not None
            and not any(
                a.keyword is not None
                and a.keyword.value.endswith("Expression")
                and a is not kce
                and string_value(a.value) is None
                for a in call.args
            )
        ):
            # every expression is a literal: a placeholder without a value fails, whoever uses it
            used = set(PLACEHOLDER.findall(text))
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value.endswith("Expression") and arg is not kce:
                    used.update(PLACEHOLDER.findall(string_value(arg.value) or ""))
            missing = sorted(p for p in used if p not in (values[0] if p.startswith(":") else names[0]))
            if missing:
                failure.append(
                    f"{', '.join(f'`{p}`' for p in missing)} "
                    f"{'has' if len(missing) == 1 else 'have'} no value in "
                    "`ExpressionAttributeValues`/`ExpressionAttributeNames`: ValidationException"
                )
        if values is None or names is None:
            return leave("the placeholders are not in a dict literal")
        value_elems, _ = values
        name_elems, _ = names

        # placeholders used by the other expressions
        others: set[str] = set()
        for arg in call.args:
            if arg.keyword is None or arg is kce or not arg.keyword.value.endswith("Expression"):
                continue
            other = string_value(arg.value)
            if other is not None:
                others.update(PLACEHOLDER.findall(other))
            elif not self._is_condition(arg.value):
                return leave(f"cannot tell which placeholders `{arg.keyword.value}` uses")

        pieces: list[str] = []
        consumed_values: dict[str, int] = {}
        consumed_names: set[str] = set()
        built: list[cst.BaseExpression] = []
        quote = quote_of(kce.value)
        key_ref = reference(self, call, "boto3.dynamodb.conditions:Key", parents=False)
        if key_ref is None:
            return leave("the name `Key` is taken here")
        key_name, imports = key_ref
        for term in terms:
            name = term.name
            if name.startswith("#"):
                el = name_elems.get(name)
                resolved = string_value(el.value) if el is not None else None
                if resolved is None:
                    return leave(f"`{name}` is not a string in `ExpressionAttributeNames`")
                consumed_names.add(name)
            else:
                resolved = name
            if any(c in resolved for c in ".[]"):
                return leave(f"boto3 would read `{resolved}` as a document path")
            args: list[cst.Arg] = []
            for placeholder in term.values:
                el = value_elems.get(placeholder)
                if el is None:
                    return leave(f"`{placeholder}` is not in `ExpressionAttributeValues`")
                consumed_values[placeholder] = consumed_values.get(placeholder, 0) + 1
                args.append(cst.Arg(el.value))
            for i in range(len(args) - 1):
                args[i] = args[i].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
            key = cst.Call(cst.parse_expression(key_name), [cst.Arg(cst.SimpleString(string_literal(resolved, quote)))])
            built.append(cst.Call(cst.Attribute(key, cst.Name(term.method)), args))
            pieces.append(f'Key("{resolved}").{term.method}(…)')

        # placeholders that stay must not clash with boto3's generated ones
        kept_values = {k for k in value_elems if k not in consumed_values or k in others}
        kept_names = {k for k in name_elems if k not in consumed_names or k in others}
        clash = sorted(k for k in kept_values | kept_names if BOTO3_PLACEHOLDER.match(k))
        if clash:
            return leave(f"boto3 generates placeholders named like {', '.join(clash)} and would overwrite them")

        # evaluation order
        moved = [value_elems[p].value for p in consumed_values]
        impure = [v for v in moved if not self.pure(v)]
        duplicated = [
            p for p, n in consumed_values.items() if (n > 1 or p in others) and not self.pure(value_elems[p].value)
        ]
        if duplicated:
            return leave(f"the value of {', '.join(duplicated)} has side effects and would be evaluated twice")
        safety = FixSafety.SAFE
        if impure:
            # the moved values now run where KeyConditionExpression is: what they pass over
            # (arguments between the two, the values that stay) must not have effects either
            positions = [i for i, a in enumerate(call.args) if a is kce or a is eav_arg]
            low, high = min(positions), max(positions)
            rest = [a.value for a in call.args[low + 1 : high]]
            rest += [el.value for k, el in value_elems.items() if k not in consumed_values]
            if not all(self.pure(v) for v in rest):
                safety = FixSafety.UNSAFE

        condition: cst.BaseExpression = built[0]
        for part in built[1:]:
            condition = cst.BinaryOperation(condition, cst.BitAnd(), part)

        new_args: list[cst.Arg] = []
        drop: set[cst.Arg] = set()
        for arg in call.args:
            if arg is kce:
                new_args.append(arg.with_changes(value=condition))
            elif arg is eav_arg and eav_arg is not None:
                new_args.append(self._shrink(arg, value_elems, kept_values, drop))
            elif arg is ean_arg and ean_arg is not None:
                new_args.append(self._shrink(arg, name_elems, kept_names, drop))
            else:
                new_args.append(arg)
        originals = list(call.args)
        index = {id(n): o for n, o in zip(new_args, originals)}
        kept_args = [a for a in new_args if index[id(a)] not in drop]
        if kept_args and originals[-1] in drop:
            # the new last argument takes the old one's trailing comma and the space before ")"
            kept_args[-1] = kept_args[-1].with_changes(
                comma=originals[-1].comma, whitespace_after_arg=originals[-1].whitespace_after_arg
            )
        replacement = call.with_changes(args=kept_args)
        why = (
            ""
            if safety is FixSafety.SAFE
            else (" (unsafe fix: a value with a call moves ahead of other arguments that also call something)")
        )
        self.report(
            kce,
            f"{prefix()}: use `{' & '.join(pieces)}`, which generates its own placeholders{why}",
            changes={call: replacement},
            add_imports=imports,
            safety=safety,
            severity=severity(),
        )

    def _shrink(self, arg: cst.Arg, elems: dict[str, cst.DictElement], kept: set[str], drop: set[cst.Arg]) -> cst.Arg:
        if not kept:
            drop.add(arg)
            return arg
        if len(kept) == len(elems):
            return arg
        assert isinstance(arg.value, cst.Dict)
        gone = {el for k, el in elems.items() if k not in kept}
        return arg.with_changes(value=arg.value.with_changes(elements=remove_elements(list(arg.value.elements), gone)))

    def _is_condition(self, expr: cst.BaseExpression) -> bool:
        """A boto3 condition object (``Attr(...)``/``Key(...)`` combined with & | ~)."""
        if isinstance(expr, cst.BinaryOperation) and isinstance(expr.operator, (cst.BitAnd, cst.BitOr)):
            return self._is_condition(expr.left) and self._is_condition(expr.right)
        if isinstance(expr, cst.UnaryOperation) and isinstance(expr.operator, cst.BitInvert):
            return self._is_condition(expr.expression)
        while isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute):
            expr = expr.func.value
        if isinstance(expr, cst.Call):
            from iacmod.iac.names import qualified_names

            return bool(qualified_names(self, expr.func) & CONDITION_NAMES)
        return False
