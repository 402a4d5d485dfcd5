"""datetime-utcnow: naive ``datetime.utcnow()`` / ``utcfromtimestamp()`` to aware UTC datetimes."""

from __future__ import annotations

import re

import libcst as cst
from libcst.metadata import QualifiedNameProvider, ScopeProvider

from iacmod.edit.symbols import reference
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac.names import qualified_names
from iacmod.rule import Example, ImportSpec, Rule

UTCNOW = "datetime.datetime.utcnow"
UTCFROMTIMESTAMP = "datetime.datetime.utcfromtimestamp"
TARGET_NAMES = {UTCNOW: "now", UTCFROMTIMESTAMP: "fromtimestamp"}

# Consumers whose result is the same for the naive and the aware value.
SAFE_METHODS = {
    "timestamp",  # the naive form is wrong on hosts whose zone is not UTC; the aware one is right
    "date",
    "time",
    "weekday",
    "isoweekday",
    "isocalendar",
    "toordinal",
    "ctime",
}
SAFE_ATTRIBUTES = {"year", "month", "day", "hour", "minute", "second", "microsecond"}
# Consumers that gain "+00:00": the string changes, and text parsed back meets naive values.
SUFFIX_CONSUMERS = {"isoformat", "str", "f-string"}
ZONE_DIRECTIVE = re.compile(r"%[zZ]|%:z")


class DatetimeUtcnow(Rule):
    code = "IAC101"
    name = "datetime-utcnow"
    summary = "Replace deprecated naive `datetime.utcnow()`/`utcfromtimestamp()` with aware UTC datetimes"
    targets = frozenset({"python", "lambda", "pulumi", "cdk", "cdktf"})
    triggers = ("utcnow", "utcfromtimestamp")
    requires = ("datetime",)
    severity = Severity.WARNING
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider)

    rationale = """
`datetime.utcnow()` and `datetime.utcfromtimestamp()` are deprecated since Python 3.12. They
return *naive* datetimes (no `tzinfo`) that hold UTC wall-clock time, which the rest of the
standard library takes for local time: `datetime.utcnow().timestamp()` is off by the host's UTC
offset on any machine whose zone is not UTC, and a naive value cannot be compared with the aware
values that AWS SDKs and most libraries return. `datetime.now(timezone.utc)` and
`datetime.fromtimestamp(ts, tz=timezone.utc)` give the same instant as an aware value.
"""
    fix_description = """
`datetime.utcnow()` becomes `datetime.now(timezone.utc)` and `datetime.utcfromtimestamp(ts)`
becomes `datetime.fromtimestamp(ts, tz=timezone.utc)`, in the file's own import style: under
`import datetime` (or an alias) the fix says `datetime.timezone.utc`; under
`from datetime import datetime` it reuses an imported `timezone` (or `UTC`) or adds `timezone` to
the imports. Names are resolved semantically: a method called `utcnow` on another object is left
alone. A reference that is not called (`default_factory=datetime.utcnow`) is reported only.
"""
    fix_safety_notes = """
The aware value behaves differently where it meets naive datetimes: comparing or subtracting
the two raises `TypeError`, and `isoformat()`/`str()` gain a `+00:00` suffix. So the fix is
**safe** only where the value is consumed at once by an operation whose result is the same for
both (or where the naive form was wrong):

- `.strftime(fmt)` with a literal format without `%z`/`%Z`, and f-string format specs such as
  `f"{datetime.utcnow():%Y-%m-%d}"`;
- `.timestamp()`, which the naive form gets wrong on hosts whose zone is not UTC;
- `.date()`, `.time()`, `.weekday()`, `.isoweekday()`, `.isocalendar()`, `.toordinal()`,
  `.ctime()`, and the attributes `.year`, `.month`, `.day`, `.hour`, `.minute`, `.second`,
  `.microsecond`.

Everywhere else the fix is **unsafe** and applies only with `--unsafe-fixes`. That includes
`.isoformat()`, `str(...)` and a bare `f"{...}"`: the text gains `+00:00`, so stored timestamps
change format, string comparisons against older values shift, and code that parses the text
back with `fromisoformat()` gets an aware value that raises `TypeError` against naive ones.
Review those call sites, then apply with `--unsafe-fixes`.
"""

    examples = (
        Example(
            title="strftime without a zone directive is safe",
            message="consumed by `strftime`, which gives the same result", line=3,
            before="""
            from datetime import datetime

            stamp = datetime.utcnow().strftime("%Y-%m-%dT%H:%M:%S")
            """,
            after="""
            from datetime import datetime, timezone

            stamp = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S")
            """,
            findings=1,
        ),
        Example(
            title="module import style",
            before="""
            import datetime

            expires = int(datetime.datetime.utcnow().timestamp()) + 3600
            """,
            after="""
            import datetime

            expires = int(datetime.datetime.now(datetime.timezone.utc).timestamp()) + 3600
            """,
        ),
        Example(
            title="aliases and utcfromtimestamp",
            before="""
            import datetime as dt

            day = dt.datetime.utcfromtimestamp(event["time"]).date()
            """,
            after="""
            import datetime as dt

            day = dt.datetime.fromtimestamp(event["time"], tz=dt.timezone.utc).date()
            """,
        ),
        Example(
            title="an existing timezone import is reused",
            before="""
            from datetime import datetime as DateTime, timezone as tz

            year = DateTime.utcnow().year
            """,
            after="""
            from datetime import datetime as DateTime, timezone as tz

            year = DateTime.now(tz.utc).year
            """,
        ),
        Example(
            title="isoformat gains +00:00: unsafe",
            before="""
            from datetime import datetime

            item = {"created_at": datetime.utcnow().isoformat()}
            """,
            after="""
            from datetime import datetime, timezone

            item = {"created_at": datetime.now(timezone.utc).isoformat()}
            """,
            unsafe=True,
            findings=1,
        ),
        Example(
            title="comparison with naive values: unsafe",
            before="""
            import datetime

            def expired(deadline):
                return datetime.datetime.utcnow() > deadline
            """,
            after="""
            import datetime

            def expired(deadline):
                return datetime.datetime.now(datetime.timezone.utc) > deadline
            """,
            unsafe=True,
        ),
        Example(
            title="inside f-strings",
            before="""
            from datetime import datetime

            key = f"logs/{datetime.utcnow():%Y/%m/%d}/{name}.json"
            """,
            after="""
            from datetime import datetime, timezone

            key = f"logs/{datetime.now(timezone.utc):%Y/%m/%d}/{name}.json"
            """,
        ),
        Example(
            title="another object's utcnow is not datetime's",
            before="""
            import arrow

            now = arrow.utcnow()
            clock.utcnow()
            """,
            findings=0,
        ),
        Example(
            title="already aware",
            before="""
            from datetime import datetime, timezone

            now = datetime.now(timezone.utc).isoformat()
            """,
            findings=0,
        ),
        Example(
            title="a reference that is not called is reported only",
            message="pass a function that returns an aware one", line=6,
            before="""
            from dataclasses import dataclass, field
            from datetime import datetime

            @dataclass
            class Event:
                at: datetime = field(default_factory=datetime.utcnow)
            """,
            findings=1,
        ),
        Example(
            title="a local name `timezone` that is not datetime's: reported only",
            message="the name `timezone` is taken here", line=4,
            before="""
            from datetime import datetime

            def stamp(timezone):
                return datetime.utcnow().strftime("%H:%M")
            """,
            findings=1,
        ),
    )

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context)
        self._consumer: dict[cst.Call, str] = {}
        self._safe_format: set[cst.Call] = set()
        self._called: set[cst.CSTNode] = set()

    # -- what kind of call -----------------------------------------------------------------------

    def _target(self, node: cst.CSTNode) -> str | None:
        if not isinstance(node, cst.Call) or not isinstance(node.func, cst.Attribute):
            return None
        if node.func.attr.value not in ("utcnow", "utcfromtimestamp"):
            return None
        names = qualified_names(self, node.func) & set(TARGET_NAMES)
        return next(iter(names)) if len(names) == 1 else None

    # -- consumers (visited before the call they consume) -----------------------------------------

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            inner = func.value
            if self._target(inner):
                method = func.attr.value
                if method == "strftime":
                    fmt = node.args[0].value if len(node.args) == 1 and not node.args[0].keyword else None
                    if isinstance(fmt, cst.SimpleString) and not ZONE_DIRECTIVE.search(fmt.evaluated_value if isinstance(fmt.evaluated_value, str) else ""):
                        self._consumer[inner] = "strftime"
                elif method in SAFE_METHODS and not node.args:
                    self._consumer[inner] = method
                elif method == "isoformat":
                    self._consumer[inner] = "isoformat"
        elif (
            isinstance(func, cst.Name)
            and len(node.args) == 1
            and isinstance(node.args[0].value, cst.Call)
            and "builtins.str" in qualified_names(self, func)
        ):
            self._consumer[node.args[0].value] = "str"
        target = self._target(node)
        if target:
            self._called.add(node.func)
            self._check(node, target)

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Call) and node.attr.value in SAFE_ATTRIBUTES:
            self._consumer.setdefault(node.value, node.attr.value)
        if node.attr.value in ("utcnow", "utcfromtimestamp") and node not in self._called:
            names = qualified_names(self, node) & set(TARGET_NAMES)
            if names:
                self.report(
                    node,
                    f"`{node.attr.value}` returns a naive datetime and is deprecated; pass a "
                    f"function that returns an aware one, e.g. `lambda: datetime.now(timezone.utc)`",
                )

    def visit_FormattedStringExpression(self, node: cst.FormattedStringExpression) -> None:
        if not isinstance(node.expression, cst.Call):
            return
        spec = node.format_spec
        if spec and all(isinstance(p, cst.FormattedStringText) for p in spec) and node.conversion is None:
            text = "".join(p.value for p in spec)  # type: ignore[union-attr]
            if "%" in text and not ZONE_DIRECTIVE.search(text):
                self._consumer[node.expression] = "strftime"
                return
        self._consumer.setdefault(node.expression, "f-string")

    # -- the fix ----------------------------------------------------------------------------------

    def _check(self, node: cst.Call, target: str) -> None:
        func = node.func
        assert isinstance(func, cst.Attribute)
        old = func.attr.value
        new_name = TARGET_NAMES[target]
        consumer = self._consumer.get(node)
        safe = consumer is not None and consumer not in SUFFIX_CONSUMERS
        if target == UTCNOW and node.args:
            return
        if target == UTCFROMTIMESTAMP and (len(node.args) != 1 or node.args[0].keyword or node.args[0].star):
            self.report(node, "`utcfromtimestamp` returns a naive datetime and is deprecated; "
                        "use `datetime.fromtimestamp(ts, tz=timezone.utc)`")
            return

        utc, imports = self._utc_expression(node, func)
        replacement_text = f"datetime.{new_name}(timezone.utc)" if target == UTCNOW else \
            "datetime.fromtimestamp(ts, tz=timezone.utc)"
        if utc is None:
            self.report(
                node,
                f"`{old}()` returns a naive datetime and is deprecated; use `{replacement_text}` "
                "(not fixed automatically: the name `timezone` is taken here)",
            )
            return

        new_func = func.with_changes(attr=cst.Name(new_name))
        if target == UTCNOW:
            args = [cst.Arg(utc)]
        else:
            args = [
                node.args[0].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))),
                cst.Arg(utc, keyword=cst.Name("tz"), equal=cst.AssignEqual(
                    whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
                )),
            ]
        replacement = node.with_changes(func=new_func, args=args)
        if safe:
            why = f"the value is consumed by `{consumer}`, which gives the same result"
            if consumer == "timestamp":
                why = "`.timestamp()` of the naive value is wrong on hosts whose zone is not UTC"
        elif consumer in SUFFIX_CONSUMERS:
            why = (f"unsafe fix: `{consumer}` of the aware value gains `+00:00`; "
                   "check what reads this text, then run with --unsafe-fixes")
        else:
            why = ("unsafe fix: the aware value raises TypeError where it meets naive datetimes; "
                   "check where this value goes, then run with --unsafe-fixes")
        self.report(
            node,
            f"`{old}()` returns a naive datetime and is deprecated; use `{replacement_text}` ({why})",
            replacement=replacement,
            add_imports=imports,
            safety=FixSafety.SAFE if safe else FixSafety.UNSAFE,
        )

    def _utc_expression(
        self, node: cst.Call, func: cst.Attribute
    ) -> tuple[cst.BaseExpression | None, list[ImportSpec]]:
        """The expression for UTC in the file's import style, and the imports it needs."""
        owner = func.value
        if isinstance(owner, cst.Attribute) and "datetime" in qualified_names(self, owner.value):
            # import datetime [as alias]: alias.datetime.utcnow() -> alias.timezone.utc
            return cst.Attribute(cst.Attribute(owner.value, cst.Name("timezone")), cst.Name("utc")), []
        found = reference(self, node, "datetime:timezone.utc", "datetime:UTC")
        if found is None:
            return None, []
        text, imports = found
        return cst.parse_expression(text), list(imports)
