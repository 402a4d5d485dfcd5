"""Which boto3 object an expression is, decided from how it was created.

Shared by the DynamoDB rules. Once the walk is done (``leave_Module``), a rule that mixes in
:class:`Boto3Tracking` asks :meth:`Boto3Tracking.kind` what an expression is, following the
assignments each use of a name sees (LibCST's referents: in its own scope, those before it), and
``self.attribute``, containers and the module's helper functions through the binding tracker
(:mod:`iacmod.iac.bindings`):

- ``TABLE``: a DynamoDB resource table, ``boto3.resource("dynamodb").Table(name)``;
- ``RESOURCE``: ``boto3.resource("dynamodb")`` (also from a ``boto3.Session``);
- ``CLIENT``: ``boto3.client("dynamodb")`` or ``<resource or table>.meta.client``;
- ``None``: anything else, including function parameters (unknown receivers are left alone).

A name counts only when *every* binding it can refer to has the same kind.
"""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ParentNodeProvider, ScopeProvider

from iacmod.edit.literals import string_value
from iacmod.iac.bindings import DEPENDENCIES, bindings
from iacmod.iac.names import qualified_names
from iacmod.rule import Rule, RuleContext

TABLE = "table"
RESOURCE = "resource"
CLIENT = "client"
SESSION = "session"

SESSION_NAMES = {"boto3.Session", "boto3.session.Session"}
MAX_DEPTH = 12

# Pure built-ins: calling them with pure arguments has no side effect worth keeping in order.
PURE_CALLS = {
    "builtins.str",
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.len",
    "decimal.Decimal",
    "builtins.tuple",
    "builtins.list",
}


class Boto3Tracking(Rule):
    """Mixin base for rules that need to know what a boto3 receiver is."""

    METADATA_DEPENDENCIES = DEPENDENCIES

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self._functions: list[cst.FunctionDef] = []  # the functions the walk is in

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self._functions.append(node)

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._functions.pop()

    def enclosing_function(self) -> cst.FunctionDef | None:
        return self._functions[-1] if self._functions else None

    # -- classifying (after the walk) -----------------------------------------------------------

    def kind(self, expr: cst.BaseExpression) -> str | None:
        return self._kind(expr, 0)

    def _kind(self, expr: cst.CSTNode, depth: int) -> str | None:
        if depth > MAX_DEPTH:
            return None
        if isinstance(expr, cst.Call):
            return self._call_kind(expr, depth)
        if (
            isinstance(expr, cst.Attribute)
            and expr.attr.value == "client"
            and isinstance(expr.value, cst.Attribute)
            and expr.value.attr.value == "meta"
        ):
            return CLIENT if self._kind(expr.value.value, depth + 1) in (RESOURCE, TABLE) else None
        if isinstance(expr, cst.Name):
            values = self.assigned_values(expr)
            if not values:
                return None
            kinds = {self._kind(value, depth + 1) for value in values}
            return kinds.pop() if len(kinds) == 1 else None
        if not isinstance(expr, (cst.Attribute, cst.Subscript)):
            return None
        # every binding of self.x (the tracker follows self.x in every method and containers;
        # `x.meta.client`, which it leaves unknown, is classified here)
        found = bindings(self).values(expr)
        nodes = [v.node for v in found.known if not v.typed]
        nodes += [u.node for u in found.unknown if isinstance(u.node, cst.Attribute) and u.node is not expr]
        if not nodes or len(nodes) != len(found.known) + len(found.unknown):
            return None
        kinds = {self._kind(node, depth + 1) for node in nodes}
        return kinds.pop() if len(kinds) == 1 else None

    def assigned_values(self, name: cst.Name) -> list[cst.BaseExpression] | None:
        """The values this use of ``name`` can see assigned (``x = …``, ``x: T = …``): the
        assignments LibCST's scope analysis says it refers to (in its own scope, those before it);
        None when one of them is another kind of binding (a parameter, an import, a loop, …)."""
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return None
        referents = next((set(a.referents) for a in scope.accesses[name.value] if a.node is name), None)
        if not referents:
            return None
        values: list[cst.BaseExpression] = []
        for ref in referents:
            node = getattr(ref, "node", None)
            parent = self.get_metadata(ParentNodeProvider, node, None) if isinstance(node, cst.Name) else None
            if isinstance(parent, cst.AssignTarget) and parent.target is node:
                assign = self.get_metadata(ParentNodeProvider, parent, None)
                if not isinstance(assign, cst.Assign):
                    return None
                values.append(assign.value)
            elif isinstance(parent, cst.AnnAssign) and parent.target is node and parent.value is not None:
                values.append(parent.value)
            else:
                return None
        return values

    def _call_kind(self, call: cst.Call, depth: int) -> str | None:
        func = call.func
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr == "Table" and len(call.args) >= 1:
                return TABLE if self._kind(func.value, depth + 1) == RESOURCE else None
            if attr in ("resource", "client"):
                if _service(call) != "dynamodb":
                    return None
                names = qualified_names(self, func)
                if f"boto3.{attr}" in names or self._kind(func.value, depth + 1) == SESSION:
                    return RESOURCE if attr == "resource" else CLIENT
                return None
        names = qualified_names(self, func)
        if names & SESSION_NAMES:
            return SESSION
        if "boto3.resource" in names and _service(call) == "dynamodb":
            return RESOURCE
        if "boto3.client" in names and _service(call) == "dynamodb":
            return CLIENT
        if isinstance(func, cst.Name):
            # a helper of the module that returns the receiver: def get_table(): return ...
            found = bindings(self).values(call)
            if found.unknown or [v for v in found.known if v.node is call]:
                return None
            kinds = {None if v.typed else self._kind(v.node, depth + 1) for v in found.known}
            return kinds.pop() if len(kinds) == 1 else None
        return None

    # -- purity ---------------------------------------------------------------------------------

    def pure(self, expr: cst.BaseExpression) -> bool:
        """No side effect worth keeping in order (names, literals, subscripts, pure built-ins)."""
        if isinstance(expr, (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis)):
            return True
        if isinstance(expr, cst.ConcatenatedString):
            return self.pure(expr.left) and self.pure(expr.right)
        if isinstance(expr, cst.FormattedString):
            return all(self.pure(p.expression) for p in expr.parts if isinstance(p, cst.FormattedStringExpression))
        if isinstance(expr, cst.Attribute):
            return self.pure(expr.value)
        if isinstance(expr, cst.Subscript):
            return self.pure(expr.value) and all(
                isinstance(e.slice, cst.Index) and self.pure(e.slice.value) for e in expr.slice
            )
        if isinstance(expr, cst.UnaryOperation):
            return self.pure(expr.expression)
        if isinstance(expr, (cst.BinaryOperation, cst.BooleanOperation)):
            return self.pure(expr.left) and self.pure(expr.right)
        if isinstance(expr, (cst.Tuple, cst.List, cst.Set)):
            return all(self.pure(e.value) for e in expr.elements)
        if isinstance(expr, cst.Dict):
            return all(
                isinstance(e, cst.DictElement) and self.pure(e.key) and self.pure(e.value) for e in expr.elements
            )
        if isinstance(expr, cst.Call):
            if not qualified_names(self, expr.func) & PURE_CALLS:
                return False
            return all(self.pure(a.value) for a in expr.args)
        return False


def _service(call: cst.Call) -> str | None:
    for arg in call.args:
        if arg.keyword is None and not arg.star:
            return string_value(arg.value)
        if arg.keyword is not None and arg.keyword.value == "service_name":
            return string_value(arg.value)
    return None
