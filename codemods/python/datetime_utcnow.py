"""datetime-utcnow: naive ``datetime.utcnow()`` / ``utcfromtimestamp()`` to aware UTC datetimes."""

from __future__ import annotations

import re
from dataclasses import dataclass

import libcst as cst
from libcst.metadata import ParentNodeProvider, QualifiedNameProvider, ScopeProvider

from iacmod.edit.literals import quote_of, restring, string_value
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
# Zone designators code appends to a naive isoformat() text. The aware text ends in "+00:00":
# "Z" is then written `.replace("+00:00", "Z")` and "+00:00" is already there, so the text stays
# byte-identical.
ZONE_SUFFIXES = ("Z", "+00:00")
STRPTIME = {"datetime.datetime.strptime"}


def _swap(tree: cst.CSTNode, old: cst.CSTNode, new: cst.CSTNode) -> cst.CSTNode:
    """``tree`` with the node ``old`` (by identity) replaced by ``new``."""

    class Swap(cst.CSTTransformer):
        def on_leave(self, original_node, updated_node):  # type: ignore[no-untyped-def]
            return new if original_node is old else updated_node

    return tree.visit(Swap())


@dataclass(frozen=True)
class ZoneAppend:
    """``value + "Z…"`` (``owner`` a BinaryOperation, ``head`` the ``"a" + value`` before it) or
    ``f"{value}Z…"`` (``owner`` the f-string, ``part``/``text`` the expression and the text after
    it); ``iso``: ``value`` is ``x.isoformat(...)`` (else the text itself)."""

    owner: cst.CSTNode
    head: cst.BinaryOperation | None
    value: cst.BaseExpression
    iso: bool
    suffix: str
    part: cst.FormattedStringExpression | None
    text: cst.FormattedStringText | None


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
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ParentNodeProvider)

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
- a zone appended to the `isoformat()` text (below);
- `.date()`, `.time()`, `.weekday()`, `.isoweekday()`, `.isocalendar()`, `.toordinal()`,
  `.ctime()`, and the attributes `.year`, `.month`, `.day`, `.hour`, `.minute`, `.second`,
  `.microsecond`.

Code that appends a zone to the naive text, `datetime.utcnow().isoformat() + "Z"`,
`f"{datetime.utcnow().isoformat()}Z"`, `… + "+00:00"`, directly or through a variable
(`now = datetime.utcnow()` … `now.isoformat() + "Z"`; `stamp = ….isoformat()` … `stamp + "Z"`),
or after `± timedelta(...)` / `.replace(microsecond=0)` (fields other than `tzinfo`), would
read `…+00:00Z` on the aware value, which `datetime.fromisoformat` and JavaScript's `Date` reject.
There the fix writes the same text from the aware value: `.isoformat().replace("+00:00", "Z")`
for a `Z`, and the bare `.isoformat()` for an appended `+00:00`. The text is byte-identical for
every instant (with or without microseconds, any `timespec`), so that fix is **safe**; through a
variable it is safe when every use of the variable is such an append, and otherwise the appends
are rewritten together with the (unsafe) fix. Text parsed back with `strptime(...)` would no
longer match its format: that call is reported, not fixed; so is a zone appended to a value
computed from the naive one in a way the rule does not follow (`(datetime.utcnow() + delta)`
with `delta` of unknown type).

Everywhere else the fix is **unsafe** and applies only with `--unsafe-fixes`. That includes
`.isoformat()`, `str(...)` and a bare `f"{...}"`: the text gains `+00:00`, so stored timestamps
change format, string comparisons against older values shift, and code that parses the text
back with `fromisoformat()` gets an aware value that raises `TypeError` against naive ones.
Review those call sites, then apply with `--unsafe-fixes`.
"""

    examples = (
        Example(
            title="strftime without a zone directive is safe",
            message="consumed by `strftime`, which gives the same result",
            line=3,
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
            title="isoformat plus Z keeps its text: safe",
            message='written as `.replace("+00:00", "Z")` (the same text)',
            line=3,
            before="""
            from datetime import datetime

            item = {"created_at": datetime.utcnow().isoformat() + "Z", "day": f"{datetime.utcnow().isoformat()}Z"}
            """,
            after="""
            from datetime import datetime, timezone

            item = {"created_at": datetime.now(timezone.utc).isoformat().replace("+00:00", "Z"), "day": f"{datetime.now(timezone.utc).isoformat().replace('+00:00', 'Z')}"}
            """,
            findings=2,
        ),
        Example(
            title="a zone appended through a variable: safe when every use appends it",
            message="every use of `now` appends a zone",
            line=4,
            before="""
            from datetime import datetime

            def stamp():
                now = datetime.utcnow()
                return now.isoformat() + "Z"
            """,
            after="""
            from datetime import datetime, timezone

            def stamp():
                now = datetime.now(timezone.utc)
                return now.isoformat().replace("+00:00", "Z")
            """,
        ),
        Example(
            title="isoformat text parsed back with strptime is reported only",
            message="parsed back with `strptime`",
            line=3,
            before="""
            from datetime import datetime

            parsed = datetime.strptime(datetime.utcnow().isoformat(), "%Y-%m-%dT%H:%M:%S.%f")
            """,
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
            message="pass a function that returns an aware one",
            line=6,
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
            message="the name `timezone` is taken here",
            line=4,
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
        # x.isoformat() + "Z" / f"{x.isoformat()}Z" / s + "Z" / f"{s}Z": the value x (a datetime)
        # or s (its isoformat text) -> the zone appends it takes part in
        self._zone_appends: dict[cst.CSTNode, list[ZoneAppend]] = {}
        # text parsed back with strptime: the value whose isoformat() it is
        self._strptime: set[cst.CSTNode] = set()
        self._deferred: list[tuple] = []  # type: ignore[type-arg]

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
        if isinstance(func, cst.Attribute) and func.attr.value == "strptime" and node.args:
            iso = self._iso_value(node.args[0].value)
            if iso is not None and qualified_names(self, func) & STRPTIME:
                self._strptime.add(iso)
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call):
            inner = func.value
            if self._target(inner):
                method = func.attr.value
                if method == "strftime":
                    fmt = node.args[0].value if len(node.args) == 1 and not node.args[0].keyword else None
                    if isinstance(fmt, cst.SimpleString) and not ZONE_DIRECTIVE.search(
                        fmt.evaluated_value if isinstance(fmt.evaluated_value, str) else ""
                    ):
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

    @staticmethod
    def _iso_value(expr: cst.BaseExpression) -> cst.BaseExpression | None:
        """``x`` of ``x.isoformat(...)``."""
        if isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "isoformat":
            return expr.func.value
        return None

    def visit_BinaryOperation(self, node: cst.BinaryOperation) -> None:
        if not isinstance(node.operator, cst.Add):
            return
        text = string_value(node.right)
        suffix = next((z for z in ZONE_SUFFIXES if text is not None and text.startswith(z)), None)
        if suffix is None or not isinstance(node.right, cst.SimpleString):
            return
        left = node.left
        head: cst.BaseExpression | None = None
        if isinstance(left, cst.BinaryOperation) and isinstance(left.operator, cst.Add):
            head, left = left, left.right
        iso = self._iso_value(left)
        key = iso if iso is not None else left
        if isinstance(key, (cst.Call, cst.Name, cst.BinaryOperation)):
            self._zone_appends.setdefault(key, []).append(
                ZoneAppend(node, head, left, iso is not None, suffix, None, None)
            )

    def visit_FormattedString(self, node: cst.FormattedString) -> None:
        parts = list(node.parts)
        for i, part in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if (
                not isinstance(part, cst.FormattedStringExpression)
                or part.conversion is not None
                or part.format_spec
                or not isinstance(nxt, cst.FormattedStringText)
            ):
                continue
            suffix = next((z for z in ZONE_SUFFIXES if nxt.value.startswith(z)), None)
            if suffix is None:
                continue
            iso = self._iso_value(part.expression)
            key = iso if iso is not None else part.expression
            if isinstance(key, (cst.Call, cst.Name, cst.BinaryOperation)):
                self._zone_appends.setdefault(key, []).append(
                    ZoneAppend(node, None, part.expression, iso is not None, suffix, part, nxt)
                )

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
            self.report(
                node,
                "`utcfromtimestamp` returns a naive datetime and is deprecated; "
                "use `datetime.fromtimestamp(ts, tz=timezone.utc)`",
            )
            return

        utc, imports = self._utc_expression(node, func)
        replacement_text = (
            f"datetime.{new_name}(timezone.utc)" if target == UTCNOW else "datetime.fromtimestamp(ts, tz=timezone.utc)"
        )
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
                cst.Arg(
                    utc,
                    keyword=cst.Name("tz"),
                    equal=cst.AssignEqual(
                        whitespace_before=cst.SimpleWhitespace(""), whitespace_after=cst.SimpleWhitespace("")
                    ),
                ),
            ]
        replacement = node.with_changes(func=new_func, args=args)
        message = f"`{old}()` returns a naive datetime and is deprecated; use `{replacement_text}`"
        imports = list(imports)
        iso_call = self._parent_call(node) if consumer == "isoformat" else None
        if iso_call is not None and node in self._strptime:
            self.report(
                node,
                f"{message} (not fixed automatically: the `isoformat()` text is parsed "
                "back with `strptime`, and the aware text's `+00:00` would not match the format)",
            )
            return
        direct = [a for a in self._zone_appends.get(node, ()) if a.iso] if iso_call is not None else []
        if len(direct) == 1:
            # x.isoformat() + "Z": the same text, written from the aware value
            append = direct[0]
            new_iso = iso_call.with_changes(func=iso_call.func.with_changes(value=replacement))  # type: ignore[union-attr]
            rebuilt = self._rebuild(append, new_iso)
            if rebuilt is not None:
                self.report(
                    node,
                    f"{message}: `.isoformat()` then reads `+00:00`, so the appended "
                    f"`{append.suffix}` is written as "
                    + ('`.replace("+00:00", "Z")`' if append.suffix == "Z" else "that offset")
                    + " (the same text)",
                    changes={append.owner: rebuilt},
                    add_imports=imports,
                    safety=FixSafety.SAFE,
                )
                return
        derived = self._derived(node) if not safe else None
        if derived is not None:
            # (datetime.utcnow() + timedelta(hours=1)).isoformat() + "Z": the same offset after
            # arithmetic with a timedelta and .replace() of fields other than tzinfo
            outer = self._parent_call(derived)
            appends = [a for a in self._zone_appends.get(derived, ()) if a.iso]
            if outer is not None and outer.func.attr.value == "isoformat" and len(appends) == 1:  # type: ignore[union-attr]
                new_derived = _swap(derived, node, replacement)
                new_iso = outer.with_changes(func=outer.func.with_changes(value=new_derived))  # type: ignore[union-attr]
                rebuilt = self._rebuild(appends[0], new_iso)
                if rebuilt is not None:
                    self.report(
                        node,
                        f"{message}: `.isoformat()` then reads `+00:00`, so the appended "
                        f"`{appends[0].suffix}` is written from it (the same text)",
                        changes={appends[0].owner: rebuilt},
                        add_imports=imports,
                        safety=FixSafety.SAFE,
                    )
                    return
        if not safe and self._inside_zone_append(node):
            self.report(
                node,
                f"{message} (not fixed automatically: a zone is appended to the "
                "`isoformat()` of a value computed from it, which would then read `+00:00Z`; "
                'write that text with `.isoformat().replace("+00:00", "Z")`)',
            )
            return
        variable = self._assigned_name(iso_call if iso_call is not None else node)
        if not safe and variable is not None:
            # the value (or its isoformat text) is kept in a variable: what its uses append is
            # only known once the whole module has been read
            self._deferred.append((node, message, replacement, imports, consumer, variable, iso_call is not None))
            return
        self._report_plain(node, message, replacement, imports, consumer, safe)

    def _report_plain(self, node, message, replacement, imports, consumer, safe, changes=None, note=""):  # type: ignore[no-untyped-def]
        if safe:
            why = f"the value is consumed by `{consumer}`, which gives the same result"
            if consumer == "timestamp":
                why = "`.timestamp()` of the naive value is wrong on hosts whose zone is not UTC"
        elif consumer in SUFFIX_CONSUMERS:
            why = (
                f"unsafe fix: `{consumer}` of the aware value gains `+00:00`; "
                "check what reads this text, then run with --unsafe-fixes"
            )
        else:
            why = (
                "unsafe fix: the aware value raises TypeError where it meets naive datetimes; "
                "check where this value goes, then run with --unsafe-fixes"
            )
        self.report(
            node,
            f"{message} ({why}){note}",
            replacement=replacement,
            changes=changes,
            add_imports=imports,
            safety=FixSafety.SAFE if safe else FixSafety.UNSAFE,
        )

    def leave_Module(self, original_node: cst.Module) -> None:
        for node, message, replacement, imports, consumer, name, holds_text in self._deferred:
            uses = self._uses(name)
            appends: list[ZoneAppend] = []
            others = 0
            for use in uses or ():
                found = [a for a in self._zone_appends.get(use, ()) if a.iso is not holds_text]
                if len(found) == 1:
                    appends.append(found[0])
                else:
                    others += 1
            owners = [a.owner for a in appends]
            if not appends:
                self._report_plain(node, message, replacement, imports, consumer, False)
                continue
            rebuilt = {a.owner: self._rebuild(a, a.value) for a in appends}
            if len(set(owners)) != len(owners) or any(v is None for v in rebuilt.values()) or uses is None:
                self.report(
                    node,
                    f"{message} (not fixed automatically: `{name.value}` is written with a "
                    "zone appended to its `isoformat()`, which would then read `+00:00Z`)",
                )
                continue
            if others == 0:
                self.report(
                    node,
                    f"{message}: every use of `{name.value}` appends a zone to its `isoformat()` text, "
                    "which is written from the aware value's `+00:00` (the same text)",
                    changes={node: replacement, **rebuilt},
                    add_imports=imports,
                    safety=FixSafety.SAFE,
                )
                continue
            self._report_plain(
                node,
                message,
                replacement,
                imports,
                consumer,
                False,
                changes=rebuilt,
                note=f"; the zone appended to `{name.value}`'s `isoformat()` is rewritten to keep its text",
            )

    # -- zone appends -----------------------------------------------------------------------------

    def _parent_call(self, node: cst.Call) -> cst.Call | None:
        """``x.isoformat(...)`` around ``x``."""
        attr = self.get_metadata(ParentNodeProvider, node, None)
        call = self.get_metadata(ParentNodeProvider, attr, None) if isinstance(attr, cst.Attribute) else None
        return call if isinstance(call, cst.Call) and call.func is attr else None

    def _derived(self, node: cst.CSTNode) -> cst.BaseExpression | None:
        """The outermost value derived from ``node`` with the same UTC offset (``± timedelta(...)``,
        ``.replace(hour=0, ...)`` without ``tzinfo``), or None when there is no such derivation."""
        current = node
        while True:
            parent = self.get_metadata(ParentNodeProvider, current, None)
            if isinstance(parent, cst.Attribute) and parent.value is current and parent.attr.value == "replace":
                call = self.get_metadata(ParentNodeProvider, parent, None)
                if (
                    isinstance(call, cst.Call)
                    and call.func is parent
                    and call.args
                    and all(a.keyword is not None and a.keyword.value in SAFE_ATTRIBUTES for a in call.args)
                ):
                    current = call
                    continue
            if isinstance(parent, cst.BinaryOperation) and (
                (
                    isinstance(parent.operator, (cst.Add, cst.Subtract))
                    and parent.left is current
                    and self._is_timedelta(parent.right)
                )
                or (
                    isinstance(parent.operator, cst.Add) and parent.right is current and self._is_timedelta(parent.left)
                )
            ):
                current = parent
                continue
            break
        return current if current is not node else None  # type: ignore[return-value]

    def _inside_zone_append(self, node: cst.CSTNode) -> bool:
        """Whether an expression around ``node`` (in the same statement) is ``x`` of
        ``x.isoformat() + "Z"``-like text."""
        current = self.get_metadata(ParentNodeProvider, node, None)
        while isinstance(current, cst.BaseExpression):
            if any(a.iso for a in self._zone_appends.get(current, ())):
                return True
            current = self.get_metadata(ParentNodeProvider, current, None)
        return False

    def _is_timedelta(self, expr: cst.BaseExpression) -> bool:
        return isinstance(expr, cst.Call) and "datetime.timedelta" in qualified_names(self, expr.func)

    def _assigned_name(self, value: cst.CSTNode) -> cst.Name | None:
        """``name`` of ``name = value``."""
        assign = self.get_metadata(ParentNodeProvider, value, None)
        if isinstance(assign, cst.Assign) and assign.value is value and len(assign.targets) == 1:
            target = assign.targets[0].target
            if isinstance(target, cst.Name):
                return target
        return None

    def _uses(self, name: cst.Name) -> list[cst.CSTNode] | None:
        """The names that read this assignment of ``name`` (None: cannot tell)."""
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return None
        for assignment in scope.assignments[name.value]:
            if getattr(assignment, "node", None) is name:
                return [access.node for access in assignment.references]
        return None

    def _rebuild(self, append: ZoneAppend, value: cst.BaseExpression) -> cst.CSTNode | None:
        """The append's owner writing the aware text ``value`` with the same zone text."""
        if append.suffix == "Z":
            quote = "'" if isinstance(append.owner, cst.FormattedString) and append.owner.end[0] == '"' else '"'
            if isinstance(append.owner, cst.BinaryOperation):
                quote = quote_of(append.owner.right)
            value = cst.Call(
                cst.Attribute(value, cst.Name("replace")),
                [
                    cst.Arg(
                        cst.SimpleString(f"{quote}+00:00{quote}"),
                        comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
                    ),
                    cst.Arg(cst.SimpleString(f"{quote}Z{quote}")),
                ],
            )
        if isinstance(append.owner, cst.BinaryOperation):
            right = append.owner.right
            assert isinstance(right, cst.SimpleString)
            rest = (string_value(right) or "")[len(append.suffix) :]
            left = append.head.with_changes(right=value) if append.head is not None else value
            if not rest:
                return left
            new_right = restring(right, rest)
            return None if new_right is None else append.owner.with_changes(left=left, right=new_right)
        assert isinstance(append.owner, cst.FormattedString) and append.part is not None and append.text is not None
        parts = []
        for part in append.owner.parts:
            if part is append.part:
                parts.append(part.with_changes(expression=value))
            elif part is append.text:
                rest = part.value[len(append.suffix) :]
                if rest:
                    parts.append(part.with_changes(value=rest))
            else:
                parts.append(part)
        return append.owner.with_changes(parts=parts)

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
