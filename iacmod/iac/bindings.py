"""What an expression can hold: one binding tracker shared by every rule.

Rules ask, for an expression of the module, what values it can hold and whether it is a
resource of some catalog type (``is this receiver a Lambda function?``), and get one of three
answers: **certain** (every binding is one), **not** (every binding is something else) or
**unknown** (an unannotated parameter, an imported or unresolved name, a computed value: the
code does not say — never "probably").

API
---
``bindings(rule) -> Bindings``
    The module's tracker, built on the first call and then shared by every rule on the module
    (``LazyMetadata.shared``). ``rule`` declares :data:`DEPENDENCIES` (qualified names, scopes,
    parents). Nothing is recorded during the visit: a rule keeps its candidates and asks once the
    walk is done (or when it meets one), so files without a candidate never pay for the scope
    analysis, and the analysis is done once per module however many rules ask.

``Bindings.values(expr) -> Values``
    What ``expr`` can hold: ``Values.known``, a tuple of :class:`Value` (an expression that
    produces the value — a call, a literal, a container display —, a ``FunctionDef``/``ClassDef``
    for a name bound to one, or, with ``typed=True``, a type annotation the value is an
    instance of) and ``Values.unknown``, a tuple of :class:`Unknown` (a node and why it cannot
    be followed). ``Values.complete``: nothing unknown. Followed:

    - names, through LibCST's scope analysis: *every* assignment of the name in the scope it
      resolves to (``x = …``, ``x: T = …``, ``a, x = …``, ``for x in …``, comprehension
      targets, ``(x := …)``), parameters (their annotation; unannotated: unknown), ``def`` and
      ``class`` (the definition);
    - ``self.x`` (``cls.x``): every assignment to ``self.x`` in the methods of the class,
      and ``x`` assigned or annotated in the class body (``@property`` methods: their returns);
    - container elements: ``for f in fns``, ``fns[0]``, ``d["k"]``, ``d.values()``,
      ``d.items()``, ``enumerate(…)``, ``sorted(…)``/``list(…)``/…, over list, tuple, set and
      dict displays and comprehensions, and over annotations (``fns: list[lambda_.IFunction]``,
      ``dict[str, lambda_.IFunction]``); a container the module changes
      (``fns.append(…)``, ``fns[k] = …``) adds an unknown;
    - calls of the module's own functions and methods: the return annotation
      (``def make() -> lambda_.Function``), else the returned expressions;
    - ``a if c else b`` and ``a or b``: both sides.

``Bindings.is_a(expr, *types, platforms=None) -> Answer``
    ``Answer.CERTAIN`` when every value of ``expr`` is a resource of one of ``types`` (a catalog
    ``ResourceType``): a call that creates one (:func:`iacmod.iac.resources.resource_at`), a CDK
    ``Type.from_…(…)`` factory, an annotation naming one of its classes or interfaces
    (``ResourceType.is_value_type``), a local subclass of one; ``Answer.NOT`` when every value
    is known to be something else (literals, other AWS SDK classes, builtins); ``Answer.UNKNOWN``
    otherwise (some value unknown, or some are and some are not). ``platforms`` restricts the
    classes that count (``{Platform.CDK}``: only L2 constructs and their interfaces).

``Bindings.value_is(value, *types, platforms=None) -> Answer``
    The same for one :class:`Value`.

``Bindings.resources(expr, *types) -> tuple[Resource, ...]``
    The resource-creating calls among the values of ``expr`` (to read their properties).

The analysis is flow-insensitive, like the scope analysis it rests on: a name is what *any* of
its assignments gives it, wherever the expression is.
"""

from __future__ import annotations

import enum
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeGuard, cast

import libcst as cst
from libcst.metadata import ParentNodeProvider, QualifiedNameProvider, ScopeProvider
from libcst.metadata.scope_provider import Assignment, ClassScope, ImportAssignment, Scope

from iacmod.cst.scope import in_source_order
from iacmod.cst.walk import formatting_classes, node_fields, nodes_in
from iacmod.edit.literals import number_value, string_value
from iacmod.iac.catalog import Platform, ResourceType
from iacmod.iac.names import MetadataSource, qualified_names
from iacmod.iac.resources import Resource, resource_at

if TYPE_CHECKING:
    from iacmod.rule import Rule

# what a rule using the tracker declares in METADATA_DEPENDENCIES
DEPENDENCIES = (QualifiedNameProvider, ScopeProvider, ParentNodeProvider)

MAX_DEPTH = 16  # steps followed from the expression asked about

# calls whose result is known not to be any AWS resource
_KNOWN_ROOTS = (
    "pulumi_aws.",
    "pulumi.",
    "aws_cdk.",
    "constructs.",
    "cdktf.",
    "cdktf_cdktf_provider_aws.",
    "imports.aws.",
)
_BUILTIN_VALUES = frozenset(
    f"builtins.{n}"
    for n in (
        "str",
        "int",
        "float",
        "bool",
        "bytes",
        "dict",
        "list",
        "tuple",
        "set",
        "frozenset",
        "len",
        "repr",
        "format",
        "range",
        "enumerate",
        "zip",
        "map",
        "filter",
        "sorted",
        "reversed",
        "object",
        "type",
        "isinstance",
        "hasattr",
        "print",
        "abs",
        "round",
        "sum",
        "any",
        "all",
        "hash",
        "id",
        "ord",
        "chr",
        "hex",
        "open",
    )
)
# calls that iterate their first argument's elements as they are (``for f in sorted(fns)``)
_SAME_ELEMENTS = frozenset(f"builtins.{n}" for n in ("list", "tuple", "set", "frozenset", "sorted", "reversed", "iter"))
# generic annotations whose one argument is the element type (``list[lambda_.IFunction]``)
_SEQUENCES = frozenset(
    {f"builtins.{n}" for n in ("list", "set", "frozenset")}
    | {
        f"typing.{n}"
        for n in (
            "List",
            "Set",
            "FrozenSet",
            "Sequence",
            "MutableSequence",
            "Iterable",
            "Iterator",
            "Collection",
            "AbstractSet",
            "MutableSet",
        )
    }
    | {
        f"collections.abc.{n}"
        for n in ("Sequence", "MutableSequence", "Iterable", "Iterator", "Collection", "Set", "MutableSet")
    }
)
_MAPPINGS = frozenset(
    {"builtins.dict"}
    | {f"typing.{n}" for n in ("Dict", "Mapping", "MutableMapping")}
    | {f"collections.abc.{n}" for n in ("Mapping", "MutableMapping")}
)
# methods that change a list, set or dict in place
_MUTATORS = frozenset(
    {
        "append",
        "extend",
        "insert",
        "add",
        "update",
        "setdefault",
        "__setitem__",
        "remove",
        "pop",
        "clear",
        "discard",
        "popitem",
        "sort",
        "reverse",
    }
)
_KEEPS_RETURN = frozenset(
    {"staticmethod", "classmethod", "lru_cache", "cache", "functools.lru_cache", "functools.cache"}
)
_PROPERTY = frozenset({"property", "cached_property", "functools.cached_property"})
_LITERALS = (
    cst.SimpleString,
    cst.ConcatenatedString,
    cst.FormattedString,
    cst.Integer,
    cst.Float,
    cst.Imaginary,
    cst.List,
    cst.Tuple,
    cst.Set,
    cst.Dict,
    cst.ListComp,
    cst.SetComp,
    cst.DictComp,
    cst.GeneratorExp,
    cst.Lambda,
    cst.Comparison,
    cst.BinaryOperation,
    cst.UnaryOperation,
    cst.Ellipsis,
    cst.FunctionDef,
    cst.ClassDef,
)


class Answer(enum.Enum):
    CERTAIN = "certain"  # every binding is of the type
    NOT = "not"  # every binding is known to be something else
    UNKNOWN = "unknown"  # the code does not say (or some bindings are and some are not)


@dataclass(frozen=True)
class Value:
    """One thing an expression can hold: ``node`` produces it (a call, a literal, a container,
    a ``def``/``class``), or, ``typed``, ``node`` is an annotation the value is an instance of."""

    node: cst.CSTNode
    typed: bool = False


@dataclass(frozen=True)
class Unknown:
    """A binding the tracker cannot follow: ``node`` and why."""

    node: cst.CSTNode
    why: str


@dataclass(frozen=True)
class Values:
    known: tuple[Value, ...] = ()
    unknown: tuple[Unknown, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.unknown

    def __add__(self, other: Values) -> Values:
        return Values(self.known + other.known, self.unknown + other.unknown)


_NONE = Values()


def _known(node: cst.CSTNode, typed: bool = False) -> Values:
    return Values((Value(node, typed),))


def _unknown(node: cst.CSTNode, why: str) -> Values:
    return Values((), (Unknown(node, why),))


def _sum(parts: Iterable[Values]) -> Values:
    out = _NONE
    for part in parts:
        out = out + part
    return out


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def bindings(rule: Rule) -> Bindings:
    """The module's binding tracker (see the module docstring), shared by every rule."""
    missing = [p.__name__ for p in DEPENDENCIES if p not in rule.get_inherited_dependencies()]
    if missing:
        raise TypeError(f"{type(rule).__name__} uses iacmod.iac.bindings: declare {', '.join(missing)}")
    tracker: Bindings = rule.shared(Bindings, lambda: Bindings(rule))
    return tracker


class Bindings:
    """The binding tracker of one module (get it with :func:`bindings`)."""

    def __init__(self, rule: MetadataSource) -> None:
        self.rule = rule  # asks for metadata (every rule on the module shares the same)
        self._values: dict[cst.CSTNode, Values] = {}
        self._class_attrs: dict[cst.ClassDef, dict[str, list[cst.Attribute]]] = {}

    # -- public API ------------------------------------------------------------------------------

    def values(self, expr: cst.BaseExpression) -> Values:
        """What ``expr`` can hold (see the module docstring)."""
        found = self._values.get(expr)
        if found is None:
            found = self._values[expr] = self._trace(expr, 0, frozenset())
        return found

    def is_a(
        self, expr: cst.BaseExpression, *types: ResourceType, platforms: Collection[Platform] | None = None
    ) -> Answer:
        """Whether ``expr`` is, for certain, a resource of one of ``types`` (see the docstring)."""
        found = self.values(expr)
        answers = {self.value_is(v, *types, platforms=platforms) for v in found.known}
        if found.unknown or not answers:
            answers.add(Answer.UNKNOWN)
        return answers.pop() if len(answers) == 1 else Answer.UNKNOWN

    def value_is(self, value: Value, *types: ResourceType, platforms: Collection[Platform] | None = None) -> Answer:
        if value.typed:
            return self._annotation_is(value.node, types, platforms, frozenset())
        node = value.node
        if isinstance(node, cst.Call):
            return self._call_is(node, types, platforms)
        if isinstance(node, _LITERALS):
            return Answer.NOT
        if isinstance(node, cst.Name) and node.value in ("None", "True", "False"):
            return Answer.NOT
        return Answer.UNKNOWN

    def resources(self, expr: cst.BaseExpression, *types: ResourceType) -> tuple[Resource, ...]:
        """The calls among the values of ``expr`` that create a resource of one of ``types``."""
        found = []
        for value in self.values(expr).known:
            if not value.typed and isinstance(value.node, cst.Call):
                resource = resource_at(self.rule, value.node, *types)
                if resource is not None:
                    found.append(resource)
        return tuple(found)

    # -- metadata ----------------------------------------------------------------------------------

    def _parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        parent: cst.CSTNode | None = self.rule.get_metadata(ParentNodeProvider, node, None)
        return parent

    def _scope(self, node: cst.CSTNode) -> Scope | None:
        scope: Scope | None = self.rule.get_metadata(ScopeProvider, node, None)
        return scope

    def _qualified(self, node: cst.CSTNode) -> set[str]:
        if isinstance(node, cst.SimpleString):  # a string annotation: "lambda_.IFunction"
            text = node.evaluated_value
            scope = self._scope(node)
            if not isinstance(text, str) or scope is None or not all(p.isidentifier() for p in text.split(".")):
                return set()
            return {q.name for q in scope.get_qualified_names_for(text)}
        return qualified_names(self.rule, node)

    # -- following bindings ------------------------------------------------------------------------

    def _trace(self, node: cst.BaseExpression, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        if depth > MAX_DEPTH:
            return _unknown(node, "too many steps to follow")
        if node in active:
            return _unknown(node, f"`{_code(node)}` is defined in terms of itself")
        active = active | {node}
        depth += 1
        if isinstance(node, cst.Name):
            if node.value in ("None", "True", "False"):
                return _known(node)
            return self._name(node, depth, active)
        if isinstance(node, cst.Attribute):
            return self._attribute(node, depth, active)
        if isinstance(node, cst.Subscript):
            return self._subscript(node, depth, active)
        if isinstance(node, cst.Call):
            return self._call(node, depth, active)
        if isinstance(node, cst.IfExp):
            return self._trace(node.body, depth, active) + self._trace(node.orelse, depth, active)
        if isinstance(node, cst.BooleanOperation):
            return self._trace(node.left, depth, active) + self._trace(node.right, depth, active)
        if isinstance(node, cst.NamedExpr):
            return self._trace(node.value, depth, active)
        if isinstance(node, cst.Await):
            return _unknown(node, "an awaited value")
        return _known(node)

    def _name(self, name: cst.Name, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        scope = self._scope(name)
        if scope is None:
            return _unknown(name, f"`{name.value}` is not in the scope analysis")
        assignments = _in_order(scope[name.value])
        if not assignments:
            return _unknown(name, f"`{name.value}` is not bound in this module")
        return _sum(self._assignment(a, name, depth, active) for a in assignments)

    def _assignment(self, assignment: object, at: cst.CSTNode, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        if isinstance(assignment, ImportAssignment):
            return _unknown(at, f"`{_code(at)}` is imported")
        if not isinstance(assignment, Assignment):
            return _unknown(at, f"`{_code(at)}` is a builtin")
        node = assignment.node
        if isinstance(node, cst.Param):
            if node.annotation is None:
                return _unknown(node, f"the parameter `{node.name.value}` has no annotation")
            return _known(node.annotation.annotation, typed=True)
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)):
            return _known(node)
        if isinstance(node, cst.Name):
            return self._bound(node, depth, active)
        return _unknown(node, f"`{_code(at)}` is bound by a {type(node).__name__}")

    def _bound(self, target: cst.BaseExpression, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        """The values a store target (a name or ``self.x``) is given where it is bound."""
        path: list[int] = []
        node: cst.CSTNode = target
        parent = self._parent(node)
        while isinstance(parent, (cst.Element, cst.StarredElement)):
            if isinstance(parent, cst.StarredElement):
                return _unknown(target, f"`{_code(target)}` is a starred target")
            container = self._parent(parent)
            if not isinstance(container, (cst.Tuple, cst.List)):
                break
            path.insert(0, list(container.elements).index(parent))
            node, parent = container, self._parent(container)
        if isinstance(parent, cst.AssignTarget):
            assign = self._parent(parent)
            if isinstance(assign, cst.Assign):
                return self._unpack(self._trace(assign.value, depth, active), path, depth, active)
        elif isinstance(parent, cst.AnnAssign) and parent.target is node:
            found = _known(parent.annotation.annotation, typed=True)
            if parent.value is not None:
                found = found + self._trace(parent.value, depth, active)
            return found
        elif isinstance(parent, (cst.For, cst.CompFor)) and parent.target is node:
            return self._elements(parent.iter, path, depth, active)
        elif isinstance(parent, cst.NamedExpr) and parent.target is node:
            return self._trace(parent.value, depth, active)
        elif isinstance(parent, cst.AugAssign):
            return _unknown(parent, f"`{_code(target)}` is changed by `{_code(parent.operator).strip()}`")
        what = type(parent).__name__ if parent is not None else "an unknown node"
        return _unknown(target, f"`{_code(target)}` is bound by a {what}")

    def _unpack(self, found: Values, path: list[int], depth: int, active: frozenset[cst.CSTNode]) -> Values:
        """The element at ``path`` of each of ``found`` (``a, b = x, y``)."""
        if not path:
            return found
        out = Values((), found.unknown)
        for value in found.known:
            node = value.node
            elements = list(node.elements) if isinstance(node, (cst.Tuple, cst.List)) and not value.typed else None
            if elements is None or any(isinstance(e, cst.StarredElement) for e in elements) or path[0] >= len(elements):
                out = out + _unknown(node, f"cannot tell which part of `{_code(node)}` is unpacked")
                continue
            out = out + self._unpack(self._trace(elements[path[0]].value, depth, active), path[1:], depth, active)
        return out

    def _elements(
        self, iterable: cst.BaseExpression, path: list[int], depth: int, active: frozenset[cst.CSTNode]
    ) -> Values:
        """The values iterating ``iterable`` gives, each unpacked by ``path``."""
        found = self._trace(iterable, depth, active) + self._changed(iterable)
        out = Values((), found.unknown)
        for value in found.known:
            node = value.node
            if value.typed:
                element_type = self._element_type(node, keys=True)
                out = out + (
                    self._unpack(_known(element_type, typed=True), path, depth, active)
                    if element_type is not None
                    else _unknown(node, f"the elements of a `{_code(node)}` are not known")
                )
            elif isinstance(node, (cst.List, cst.Tuple, cst.Set)):
                for element in node.elements:
                    if isinstance(element, cst.StarredElement):
                        out = out + self._elements(element.value, path, depth, active)
                    else:
                        out = out + self._unpack(self._trace(element.value, depth, active), path, depth, active)
            elif isinstance(node, cst.Dict):
                for entry in node.elements:
                    if isinstance(entry, cst.DictElement):
                        out = out + self._unpack(self._trace(entry.key, depth, active), path, depth, active)
                    else:
                        out = out + _unknown(entry, "a `**` entry")
            elif isinstance(node, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
                out = out + self._unpack(self._trace(node.elt, depth, active), path, depth, active)
            elif isinstance(node, cst.DictComp):
                out = out + self._unpack(self._trace(node.key, depth, active), path, depth, active)
            elif isinstance(node, cst.Call):
                out = out + self._call_elements(node, path, depth, active)
            else:
                out = out + _unknown(node, f"the elements of `{_code(node)}` are not known")
        return out

    def _call_elements(self, call: cst.Call, path: list[int], depth: int, active: frozenset[cst.CSTNode]) -> Values:
        """Iterating ``d.values()``, ``d.items()``, ``d.keys()``, ``enumerate(x)``, ``sorted(x)``…"""
        func = call.func
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        if isinstance(func, cst.Attribute) and func.attr.value in ("values", "items", "keys") and not call.args:
            keys, values = self._entries(func.value, depth, active)
            if func.attr.value == "keys":
                return self._unpack(keys, path, depth, active)
            if func.attr.value == "values":
                return self._unpack(values, path, depth, active)
            if path and path[0] in (0, 1):
                return self._unpack(keys if path[0] == 0 else values, path[1:], depth, active)
            return _unknown(call, f"the pairs of `{_code(call)}` are not unpacked")
        names = self._qualified(func)
        if len(positional) == len(call.args) and positional:
            if names & _SAME_ELEMENTS and len(positional) == 1:
                return self._elements(positional[0], path, depth, active)
            if "builtins.enumerate" in names and len(positional) == 1 and path and path[0] == 1:
                return self._elements(positional[0], path[1:], depth, active)
            if "builtins.zip" in names and path and path[0] < len(positional):
                return self._elements(positional[path[0]], path[1:], depth, active)
        return _unknown(call, f"the elements of `{_code(call)}` are not known")

    def _entries(
        self, mapping: cst.BaseExpression, depth: int, active: frozenset[cst.CSTNode]
    ) -> tuple[Values, Values]:
        """(keys, values) of a dict expression."""
        found = self._trace(mapping, depth, active) + self._changed(mapping)
        keys, values = Values((), found.unknown), Values((), found.unknown)
        for value in found.known:
            node = value.node
            if isinstance(node, cst.Dict) and not value.typed:
                for entry in node.elements:
                    if isinstance(entry, cst.DictElement):
                        keys = keys + self._trace(entry.key, depth, active)
                        values = values + self._trace(entry.value, depth, active)
                    else:
                        unknown = _unknown(entry, "a `**` entry")
                        keys, values = keys + unknown, values + unknown
            elif isinstance(node, cst.DictComp) and not value.typed:
                keys = keys + self._trace(node.key, depth, active)
                values = values + self._trace(node.value, depth, active)
            elif value.typed and self._generic(node, _MAPPINGS, 2):
                assert isinstance(node, cst.Subscript)
                # cast: _generic with an arity checked that every element's slice is an Index
                key_type, value_type = (cast(cst.Index, e.slice).value for e in node.slice)
                keys, values = keys + _known(key_type, typed=True), values + _known(value_type, typed=True)
            else:
                unknown = _unknown(node, f"the entries of `{_code(node)}` are not known")
                keys, values = keys + unknown, values + unknown
        return keys, values

    def _subscript(self, node: cst.Subscript, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        """``fns[0]``, ``by_name["api"]``: that element when the index is a literal, else any."""
        if len(node.slice) != 1 or not isinstance(node.slice[0].slice, cst.Index):
            return _unknown(node, f"`{_code(node)}` is a slice")
        index = node.slice[0].slice.value
        found = self._trace(node.value, depth, active) + self._changed(node.value)
        out = Values((), found.unknown)
        for value in found.known:
            container = value.node
            if value.typed:
                element = self._element_type(container, keys=False)
                out = out + (
                    _known(element, typed=True)
                    if element is not None
                    else _unknown(container, f"the elements of a `{_code(container)}` are not known")
                )
            elif isinstance(container, (cst.List, cst.Tuple)):
                elements = list(container.elements)
                position = _int(index)
                if position is not None and not any(isinstance(e, cst.StarredElement) for e in elements):
                    if -len(elements) <= position < len(elements):
                        out = out + self._trace(elements[position].value, depth, active)
                    else:
                        out = out + _unknown(node, f"`{_code(node)}` is out of range")
                else:
                    out = out + self._elements(container, [], depth, active)
            elif isinstance(container, cst.Dict):
                key = string_value(index)
                entries = [e for e in container.elements if isinstance(e, cst.DictElement)]
                literal_keys = [string_value(e.key) for e in entries]
                if key is not None and len(entries) == len(container.elements) and None not in literal_keys:
                    matches = [e.value for e, k in zip(entries, literal_keys) if k == key]
                    out = out + (
                        _sum(self._trace(m, depth, active) for m in matches)
                        if matches
                        else _unknown(node, f"`{_code(node)}` names no entry of the dict")
                    )
                else:
                    out = out + self._entries(container, depth, active)[1]
            else:
                out = out + _unknown(container, f"the elements of `{_code(container)}` are not known")
        return out

    def _call(self, call: cst.Call, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        """A call of one of the module's functions or methods gives what the function returns;
        any other call is a value of its own (classified by ``value_is``)."""
        if not isinstance(call.func, (cst.Name, cst.Attribute)):
            return _known(call)
        callee = self._trace(call.func, depth, active)
        if not callee.known or callee.unknown:
            return _known(call)
        if not all(isinstance(v.node, (cst.FunctionDef, cst.ClassDef)) and not v.typed for v in callee.known):
            return _known(call)
        out = _NONE
        for value in callee.known:
            if isinstance(value.node, cst.FunctionDef):
                out = out + self._returns(value.node, depth, active)
            else:
                out = out + _known(call)  # an instance of a class of the module
        return out

    def _returns(self, func: cst.FunctionDef, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        """What calling ``func`` gives: its return annotation, else the expressions it returns."""
        decorators = {_code(d.decorator) for d in func.decorators}
        if decorators - _KEEPS_RETURN - _PROPERTY:
            return _unknown(func, f"`{func.name.value}` is decorated")
        if func.asynchronous is not None:
            return _unknown(func, f"`{func.name.value}` is a coroutine function")
        if func.returns is not None:
            return _known(func.returns.annotation, typed=True)
        returns = list(_returns_in(func.body))
        if not returns:
            return _unknown(func, f"`{func.name.value}` returns no value the code shows")
        out = _NONE
        for ret in returns:
            if ret.value is None:
                out = out + _unknown(ret, f"`{func.name.value}` returns nothing here")
            else:
                out = out + self._trace(ret.value, depth, active)
        return out

    # -- self.x --------------------------------------------------------------------------------

    def _attribute(self, node: cst.Attribute, depth: int, active: frozenset[cst.CSTNode]) -> Values:
        cls = self._class_of_self(node.value) if isinstance(node.value, cst.Name) else None
        if cls is None:
            return _unknown(node, f"`{_code(node)}` is an attribute of another object")
        name = node.attr.value
        out = _NONE
        body_scope = self._scope(cls.body.body[0]) if cls.body.body else None
        if isinstance(body_scope, ClassScope):
            for assignment in _in_order(body_scope.assignments[name]):
                found = self._assignment(assignment, node, depth, active)
                if isinstance(assignment, Assignment) and isinstance(assignment.node, cst.FunctionDef):
                    decorators = {_code(d.decorator) for d in assignment.node.decorators}
                    if decorators & _PROPERTY:
                        found = self._returns(assignment.node, depth, active)
                out = out + found
        for attribute in self._attrs_of(cls).get(name, ()):
            if self._is_target(attribute):
                out = out + self._bound(attribute, depth, active)
        if not out.known and not out.unknown:
            return _unknown(node, f"`{_code(node)}` is not assigned in class `{cls.name.value}`")
        return out

    def _class_of_self(self, name: cst.Name) -> cst.ClassDef | None:
        """The class whose instance (or class, in a classmethod) ``name`` is: the first
        parameter of a method defined in the class body."""
        scope = self._scope(name)
        if scope is None:
            return None
        assignments = list(scope[name.value])
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return None
        param = assignments[0].node
        if not isinstance(param, cst.Param):
            return None
        func = self._parent(self._parent(param) or param)
        if not isinstance(func, cst.FunctionDef) or _first_param(func) is not param:
            return None
        if "staticmethod" in {_code(d.decorator) for d in func.decorators}:
            return None
        cls = self._parent(self._parent(func) or func)
        return cls if isinstance(cls, cst.ClassDef) else None

    def _attrs_of(self, cls: cst.ClassDef) -> dict[str, list[cst.Attribute]]:
        """Every ``self.x`` in the methods of ``cls`` (loads and stores), by attribute name, in
        source order: the attributes of the uses of each method's first parameter."""
        table = self._class_attrs.get(cls)
        if table is not None:
            return table
        table = self._class_attrs[cls] = {}
        for statement in cls.body.body:
            if not isinstance(statement, cst.FunctionDef):
                continue
            param = _first_param(statement)
            if param is None or "staticmethod" in {_code(d.decorator) for d in statement.decorators}:
                continue
            scope = self._scope(param)
            if scope is None:
                continue
            uses = {
                access.node
                for assignment in scope.assignments[param.name.value]
                if isinstance(assignment, Assignment) and assignment.node is param
                for access in assignment.references
            }
            for node in _walk(statement.body):
                if isinstance(node, cst.Attribute) and node.value in uses:
                    table.setdefault(node.attr.value, []).append(node)
        return table

    # -- containers the module changes ---------------------------------------------------------

    def _is_target(self, node: cst.CSTNode) -> bool:
        """Whether ``node`` is assigned to (an assignment, ``for`` or ``with`` target, maybe
        inside a tuple)."""
        parent = self._parent(node)
        while isinstance(parent, (cst.Element, cst.StarredElement, cst.Tuple, cst.List)):
            node, parent = parent, self._parent(parent)
        if isinstance(parent, (cst.AssignTarget, cst.AugAssign)):
            return True
        if isinstance(parent, (cst.AnnAssign, cst.For, cst.CompFor, cst.NamedExpr)):
            return parent.target is node
        if isinstance(parent, cst.AsName):
            return True
        return isinstance(parent, cst.Del)

    def _changed(self, container: cst.BaseExpression) -> Values:
        """An unknown when the module changes the container named by ``container`` in place
        (``fns.append(x)``, ``fns[k] = x``, ``del fns[k]``)."""
        uses: list[cst.CSTNode] = []
        if isinstance(container, cst.Name):
            scope = self._scope(container)
            if scope is None:
                return _NONE
            for assignment in scope[container.value]:
                if isinstance(assignment, Assignment):
                    uses.extend(access.node for access in assignment.references)
        elif isinstance(container, cst.Attribute) and isinstance(container.value, cst.Name):
            cls = self._class_of_self(container.value)
            if cls is None:
                return _NONE
            uses.extend(self._attrs_of(cls).get(container.attr.value, ()))
        changes = []
        for use in uses:
            parent = self._parent(use)
            if (
                isinstance(parent, cst.Attribute)
                and parent.value is use
                and parent.attr.value in _MUTATORS
                and isinstance(self._parent(parent), cst.Call)
            ):
                changes.append(_unknown(parent, f"`{_code(container)}` is changed by `.{parent.attr.value}(…)`"))
            if isinstance(parent, cst.Subscript) and parent.value is use and self._is_target(parent):
                changes.append(_unknown(parent, f"`{_code(container)}` is changed by `{_code(parent)} = …`"))
        # the same reason whatever the order the scope analysis lists the uses in
        return min(changes, key=lambda v: v.unknown[0].why) if changes else _NONE

    # -- classifying values --------------------------------------------------------------------

    def _call_is(
        self, call: cst.Call, types: tuple[ResourceType, ...], platforms: Collection[Platform] | None
    ) -> Answer:
        resource = resource_at(self.rule, call, *types)
        if resource is not None:
            return Answer.CERTAIN if platforms is None or resource.platform in platforms else Answer.NOT
        names = self._qualified(call.func)
        for name in names:
            owner, _, last = name.rpartition(".")
            if last.startswith("from_") and _class_answer(owner, types, platforms) is Answer.CERTAIN:
                return Answer.CERTAIN  # lambda_.Function.from_function_arn(...)
        if isinstance(call.func, (cst.Name, cst.Attribute)):
            classes = self.values(call.func)
            if classes.known and classes.complete and all(isinstance(v.node, cst.ClassDef) for v in classes.known):
                answers = {self._class_is(v.node, types, platforms, frozenset()) for v in classes.known}
                return answers.pop() if len(answers) == 1 else Answer.UNKNOWN
        if names and all(n.startswith(_KNOWN_ROOTS) or n in _BUILTIN_VALUES for n in names):
            return Answer.NOT
        return Answer.UNKNOWN

    def _annotation_is(
        self,
        node: cst.CSTNode,
        types: tuple[ResourceType, ...],
        platforms: Collection[Platform] | None,
        seen: frozenset[cst.CSTNode],
    ) -> Answer:
        if isinstance(node, cst.Subscript):
            return Answer.NOT if self._generic(node, _SEQUENCES | _MAPPINGS, None) else Answer.UNKNOWN
        if not isinstance(node, (cst.Name, cst.Attribute, cst.SimpleString)):
            return Answer.UNKNOWN
        if isinstance(node, cst.Name) and node.value == "None":
            return Answer.NOT
        names = self._qualified(node)
        answers = {_class_answer(n, types, platforms) for n in names}
        if Answer.CERTAIN in answers:
            return Answer.CERTAIN
        if names and answers == {Answer.NOT}:
            return Answer.NOT
        if isinstance(node, (cst.Name, cst.Attribute)):
            classes = self.values(node)
            if classes.known and classes.complete and all(isinstance(v.node, cst.ClassDef) for v in classes.known):
                found = {self._class_is(v.node, types, platforms, seen) for v in classes.known}
                return found.pop() if len(found) == 1 else Answer.UNKNOWN
        return Answer.UNKNOWN

    def _class_is(
        self,
        cls: cst.CSTNode,
        types: tuple[ResourceType, ...],
        platforms: Collection[Platform] | None,
        seen: frozenset[cst.CSTNode],
    ) -> Answer:
        """Whether instances of a class of the module are of ``types``: through its bases."""
        assert isinstance(cls, cst.ClassDef)
        if cls in seen:
            return Answer.UNKNOWN
        bases = [b.value for b in cls.bases if b.keyword is None and not b.star]
        if not bases:
            return Answer.NOT
        answers = {self._annotation_is(b, types, platforms, seen | {cls}) for b in bases}
        if Answer.CERTAIN in answers:
            return Answer.CERTAIN
        return Answer.NOT if answers == {Answer.NOT} else Answer.UNKNOWN

    def _generic(self, node: cst.CSTNode, names: frozenset[str], arity: int | None) -> TypeGuard[cst.Subscript]:
        """Whether ``node`` is ``Generic[...]`` for one of ``names`` (with ``arity`` arguments)."""
        if not isinstance(node, cst.Subscript):
            return False
        if arity is not None and (
            len(node.slice) != arity or not all(isinstance(e.slice, cst.Index) for e in node.slice)
        ):
            return False
        return bool(self._qualified(node.value) & names)

    def _element_type(self, node: cst.CSTNode, *, keys: bool) -> cst.BaseExpression | None:
        """The element annotation of ``list[T]``-like annotations (for a mapping: the key type
        when iterating, ``keys``, else the value type)."""
        # cast: _generic with an arity checked that every element's slice is an Index
        if self._generic(node, _SEQUENCES, 1):
            return cast(cst.Index, node.slice[0].slice).value
        if self._generic(node, _MAPPINGS, 2):
            return cast(cst.Index, node.slice[0 if keys else 1].slice).value
        if self._generic(node, frozenset({"builtins.tuple", "typing.Tuple"}), 2):
            first, second = node.slice
            if isinstance(cast(cst.Index, second.slice).value, cst.Ellipsis):
                return cast(cst.Index, first.slice).value
        return None


def _class_answer(qualified: str, types: tuple[ResourceType, ...], platforms: Collection[Platform] | None) -> Answer:
    """Whether a class named ``qualified`` is one of ``types`` (CERTAIN), known to be another
    (NOT) or may be (UNKNOWN: a CDK interface of another kind could be implemented by one)."""
    for resource_type in types:
        if resource_type.is_value_type(qualified):
            platform = resource_type.platform_of(qualified) or Platform.CDK  # interfaces are CDK's
            return Answer.CERTAIN if platforms is None or platform in platforms else Answer.NOT
    last = qualified.rpartition(".")[2]
    if qualified.startswith("aws_cdk.") and len(last) > 1 and last[0] == "I" and last[1].isupper():
        return Answer.UNKNOWN
    if qualified.startswith(_KNOWN_ROOTS) or qualified in _BUILTIN_VALUES:
        return Answer.NOT
    return Answer.UNKNOWN


def _in_order(assignments: Iterable[object]) -> list[object]:
    """Assignments in the order the scope analysis met them (source order)."""
    return in_source_order(assignments)


def _first_param(func: cst.FunctionDef) -> cst.Param | None:
    params = list(func.params.posonly_params) + list(func.params.params)
    return params[0] if params else None


def _walk(root: cst.CSTNode) -> Iterable[cst.CSTNode]:
    """``root`` and the nodes below it in source order, without formatting nodes."""
    skip = formatting_classes()
    stack = [root]
    while stack:
        node = stack.pop()
        yield node
        stack.extend(reversed(nodes_in(node, node_fields(node.__class__, skip), skip)))


def _returns_in(block: cst.BaseSuite) -> Iterable[cst.Return]:
    """The ``return`` statements of a function body, not those of nested functions or classes."""
    if isinstance(block, cst.SimpleStatementSuite):
        yield from (s for s in block.body if isinstance(s, cst.Return))
        return
    for statement in block.body:
        if isinstance(statement, cst.SimpleStatementLine):
            yield from (s for s in statement.body if isinstance(s, cst.Return))
        elif isinstance(statement, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            for child in _suites(statement):
                yield from _returns_in(child)


def _suites(statement: cst.CSTNode) -> Iterable[cst.BaseSuite]:
    """The blocks of a compound statement (if/elif/else, loops, with, try, match)."""
    for name in ("body", "orelse", "finalbody"):
        part = getattr(statement, name, None)
        if isinstance(part, cst.BaseSuite):
            yield part
        elif isinstance(part, (cst.If, cst.Else, cst.Finally)):
            yield from _suites(part) if isinstance(part, cst.If) else (part.body,)
    for handler in getattr(statement, "handlers", ()):
        yield handler.body
    for case in getattr(statement, "cases", ()):
        yield case.body


def _int(node: cst.BaseExpression) -> int | None:
    value = number_value(node)
    return value if isinstance(value, int) else None
