"""Which boto3 object an expression is, decided from how it was created.

Shared by the DynamoDB rules. A rule that mixes in :class:`Boto3Tracking` records, while the
engine walks the module, what every plain name, ``self.attribute`` and module-level function
returns is assigned from; once the walk is done (``leave_Module``) :meth:`Boto3Tracking.kind`
classifies an expression:

- ``TABLE``: a DynamoDB resource table, ``boto3.resource("dynamodb").Table(name)``;
- ``RESOURCE``: ``boto3.resource("dynamodb")`` (also from a ``boto3.Session``);
- ``CLIENT``: ``boto3.client("dynamodb")`` or ``<resource or table>.meta.client``;
- ``None``: anything else, including function parameters (unknown receivers are left alone).

A name counts only when *every* assignment it can refer to has the same kind.
"""

from __future__ import annotations

from typing import Iterable

import libcst as cst
from libcst.metadata import QualifiedNameProvider, ScopeProvider
from libcst.metadata.scope_provider import Assignment

from iacmod.edit.literals import string_value
from iacmod.iac.names import qualified_names
from iacmod.rule import Rule

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


def keyword(call: cst.Call, name: str) -> cst.Arg | None:
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


class Boto3Tracking(Rule):
    """Mixin base for rules that need to know what a boto3 receiver is."""

    METADATA_DEPENDENCIES = (QualifiedNameProvider, ScopeProvider)

    def __init__(self, context) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context)
        self._values: dict[cst.CSTNode, list[cst.BaseExpression]] = {}  # target Name -> values
        self._self_attrs: dict[tuple[cst.ClassDef, str], list[cst.BaseExpression]] = {}
        self._returns: dict[cst.FunctionDef, list[cst.BaseExpression | None]] = {}
        self._stack: list[cst.CSTNode] = []  # enclosing ClassDef / FunctionDef nodes
        self._functions: list[cst.FunctionDef] = []
        self._method_class: dict[cst.FunctionDef, cst.ClassDef] = {}
        self._kind_cache: dict[cst.CSTNode, str | None] = {}

    # -- recording ---------------------------------------------------------------------------

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self._stack.append(node)

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self._stack.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._stack and isinstance(self._stack[-1], cst.ClassDef):
            self._method_class[node] = self._stack[-1]  # a method directly in the class body
        self._stack.append(node)
        self._functions.append(node)
        self._returns.setdefault(node, [])

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self._stack.pop()
        self._functions.pop()

    def visit_Return(self, node: cst.Return) -> None:
        if self._functions:
            self._returns[self._functions[-1]].append(node.value)

    def _record(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._values.setdefault(target, []).append(value)
        elif (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and self._functions
        ):
            method = self._functions[-1]
            cls = self._method_class.get(method)
            if cls is not None and _first_param(method) == target.value.value:
                self._self_attrs.setdefault((cls, target.attr.value), []).append(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._record(target.target, node.value)

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._record(node.target, node.value)

    def enclosing_function(self) -> cst.FunctionDef | None:
        return self._functions[-1] if self._functions else None

    # -- classifying (after the walk) -----------------------------------------------------------

    def kind(self, expr: cst.BaseExpression) -> str | None:
        return self._kind(expr, 0, set())

    def _kind(self, expr: cst.BaseExpression, depth: int, seen: set[int]) -> str | None:
        if depth > MAX_DEPTH or id(expr) in seen:
            return None
        seen = seen | {id(expr)}
        if isinstance(expr, cst.Call):
            return self._call_kind(expr, depth, seen)
        if isinstance(expr, cst.Name):
            values = self._name_values(expr)
            return None if values is None else self._same(values, depth, seen)
        if isinstance(expr, cst.Attribute):
            if (
                expr.attr.value == "client"
                and isinstance(expr.value, cst.Attribute)
                and expr.value.attr.value == "meta"
                and self._kind(expr.value.value, depth + 1, seen) in (RESOURCE, TABLE)
            ):
                return CLIENT
            if isinstance(expr.value, cst.Name):
                values = self._self_attr_values(expr)
                if values is not None:
                    return self._same(values, depth, seen)
        return None

    def _same(self, values: Iterable[cst.BaseExpression | None], depth: int, seen: set[int]) -> str | None:
        kinds = {self._kind(v, depth + 1, seen) if v is not None else None for v in values}
        return kinds.pop() if len(kinds) == 1 else None

    def _call_kind(self, call: cst.Call, depth: int, seen: set[int]) -> str | None:
        func = call.func
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr == "Table" and len(call.args) >= 1:
                if self._kind(func.value, depth + 1, seen) == RESOURCE:
                    return TABLE
                return None
            if attr in ("resource", "client"):
                service = _service(call)
                if service is None:
                    return None
                if service != "dynamodb":
                    return None
                names = qualified_names(self, func)
                if f"boto3.{attr}" in names or self._kind(func.value, depth + 1, seen) == SESSION:
                    return RESOURCE if attr == "resource" else CLIENT
                return None
        names = qualified_names(self, func)
        if names & SESSION_NAMES:
            return SESSION
        if "boto3.resource" in names and _service(call) == "dynamodb":
            return RESOURCE
        if "boto3.client" in names and _service(call) == "dynamodb":
            return CLIENT
        if isinstance(func, cst.Name) and not call.args:
            # a module-level helper that returns the receiver: def get_table(): return ...
            defs = self._function_defs(func)
            if defs:
                values = [v for d in defs for v in self._returns.get(d, [None]) or [None]]
                return self._same(values, depth, seen)
        return None

    def _access_referents(self, name: cst.Name) -> set | None:
        scope = self.get_metadata(ScopeProvider, name, None)
        if scope is None:
            return None
        for access in scope.accesses[name.value]:
            if access.node is name:
                return set(access.referents)
        return None

    def _name_values(self, name: cst.Name) -> list[cst.BaseExpression] | None:
        referents = self._access_referents(name)
        if not referents:
            return None
        values: list[cst.BaseExpression] = []
        for ref in referents:
            if not isinstance(ref, Assignment) or ref.node not in self._values:
                return None
            values.extend(self._values[ref.node])
        return values

    def _function_defs(self, name: cst.Name) -> list[cst.FunctionDef] | None:
        referents = self._access_referents(name)
        if not referents:
            return None
        defs = []
        for ref in referents:
            if not isinstance(ref, Assignment) or not isinstance(ref.node, cst.FunctionDef):
                return None
            defs.append(ref.node)
        return defs

    def _self_attr_values(self, attr: cst.Attribute) -> list[cst.BaseExpression] | None:
        owner = attr.value
        assert isinstance(owner, cst.Name)
        # `self` must be the first parameter of the method this expression is in
        referents = self._access_referents(owner)
        if not referents or len(referents) != 1:
            return None
        ref = next(iter(referents))
        method = getattr(ref, "node", None)
        if not isinstance(ref, Assignment) or not isinstance(method, cst.Param):
            return None
        for func, cls in self._method_class.items():
            if _first_param(func) == owner.value and _has_param(func, method):
                return self._self_attrs.get((cls, attr.attr.value))
        return None

    # -- purity ---------------------------------------------------------------------------------

    def pure(self, expr: cst.BaseExpression) -> bool:
        """No side effect worth keeping in order (names, literals, subscripts, pure built-ins)."""
        if isinstance(expr, (cst.Name, cst.Integer, cst.Float, cst.Imaginary, cst.SimpleString, cst.Ellipsis)):
            return True
        if isinstance(expr, cst.ConcatenatedString):
            return self.pure(expr.left) and self.pure(expr.right)  # type: ignore[arg-type]
        if isinstance(expr, cst.FormattedString):
            return all(
                self.pure(p.expression) for p in expr.parts if isinstance(p, cst.FormattedStringExpression)
            )
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
                isinstance(e, cst.DictElement) and self.pure(e.key) and self.pure(e.value)
                for e in expr.elements
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


def _first_param(func: cst.FunctionDef | None) -> str | None:
    if func is None:
        return None
    params = list(func.params.posonly_params) + list(func.params.params)
    return params[0].name.value if params else None


def _has_param(func: cst.FunctionDef, param: cst.Param) -> bool:
    params = list(func.params.posonly_params) + list(func.params.params)
    return bool(params) and params[0] is param
