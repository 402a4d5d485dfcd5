"""What is a Pulumi ``Output``? A shared, semantic classification of expressions.

Rules that rewrite Pulumi programs (``pulumi-output-json``, ``pulumi-output-string``, and later
Step Functions definitions or alarm dimensions) need to know whether an expression evaluates to a
``pulumi.Output`` at run time. Names are never matched as text: calls are resolved to qualified
names (``pulumi_aws.s3.Bucket`` under any import style), local names to their bindings through
LibCST's scope analysis, and ``self.x`` to the assignments made in the class's methods.

:class:`OutputAnalysis` is built once per module (shared by every rule of one traversal) and
answers :meth:`OutputAnalysis.classify` with a :class:`Value`:

- ``OUTPUT``: certainly an ``Output`` (resource attributes, ``Output.all/concat/format/...``,
  ``.apply(...)``, secret config values, stack reference outputs, ``Output[...]`` parameters);
- ``RESOURCE`` / ``RESOURCES``: a Pulumi resource object / a container of them;
- ``INSTANCE``: an object of a class defined in the module (its ``self.x`` attributes are known);
- ``PLAIN``: certainly not an Output (literals, config ``get``/``require``, environment
  variables, invoke results, values inside an ``.apply`` callback);
- ``DEEP``: a plain list/dict that holds Outputs (``Output.all``/``json_dumps`` resolve them);
- ``UNKNOWN``: cannot be classified with confidence; rules report instead of rewriting.

:meth:`OutputAnalysis.doubt` tells, for an ``UNKNOWN`` value, whether it looks like an Output
(``role.arn`` of an unannotated parameter, a ``*_arn`` parameter a caller passes an Output to,
...) and why it cannot be classified; rules report those without a fix. It never changes what
:meth:`OutputAnalysis.classify` answers, so rewrites do not depend on it.
"""

from __future__ import annotations

import enum
import keyword
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, cast

import libcst as cst
from libcst.metadata import (
    Assignment,
    ImportAssignment,
    ParentNodeProvider,
    QualifiedNameProvider,
    Scope,
    ScopeProvider,
)

from iacmod.edit.literals import string_value
from iacmod.iac import catalog
from iacmod.iac.bindings import Bindings, bindings
from iacmod.iac.catalog import Platform, ResourceType
from iacmod.iac.resources import resource_at
from iacmod.rule import Rule

METADATA = (QualifiedNameProvider, ScopeProvider, ParentNodeProvider)


class Kind(enum.Enum):
    OUTPUT = "output"
    RESOURCE = "resource"
    RESOURCES = "resources"
    INSTANCE = "instance"
    CONFIG = "config"
    MODULE = "module"
    CALLABLE = "callable"
    PLAIN = "plain"
    DEEP = "deep"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Value:
    kind: Kind
    # the value is certainly a ``str`` (PLAIN) / the Output certainly resolves to a ``str``
    is_str: bool = False
    # RESOURCE: the qualified class name (canonical: ``catalog.canonical``); INSTANCE: unused
    qualname: str = ""
    cls: cst.ClassDef | None = None
    # RESOURCE of a type the catalog knows: that type
    type: ResourceType | None = None

    @property
    def is_output(self) -> bool:
        return self.kind is Kind.OUTPUT

    @property
    def is_plain(self) -> bool:
        return self.kind in (Kind.PLAIN, Kind.CALLABLE, Kind.MODULE, Kind.CONFIG)


UNKNOWN = Value(Kind.UNKNOWN)
PLAIN = Value(Kind.PLAIN)
PLAIN_STR = Value(Kind.PLAIN, is_str=True)
OUTPUT = Value(Kind.OUTPUT)
OUTPUT_STR = Value(Kind.OUTPUT, is_str=True)

# ``pulumi.Output`` static methods and what they return.
OUTPUT_FACTORIES = {
    "all": OUTPUT,
    "concat": OUTPUT_STR,
    "format": OUTPUT_STR,
    "json_dumps": OUTPUT_STR,
    "from_input": OUTPUT,
    "secret": OUTPUT,
    "unsecret": OUTPUT,
    "json_loads": OUTPUT,
}
CONFIG_SECRET_METHODS = {
    "require_secret",
    "get_secret",
    "require_secret_object",
    "get_secret_object",
    "require_secret_int",
    "get_secret_int",
    "require_secret_float",
    "get_secret_float",
    "require_secret_bool",
    "get_secret_bool",
}
CONFIG_PLAIN_METHODS = {
    "get",
    "require",
    "get_int",
    "require_int",
    "get_float",
    "require_float",
    "get_bool",
    "require_bool",
    "get_object",
    "require_object",
}
CONFIG_STR_METHODS = {"require"}
PULUMI_PLAIN_STR_FUNCTIONS = {"pulumi.get_stack", "pulumi.get_project", "pulumi.get_organization"}
PLAIN_BUILTINS = {
    "builtins.int",
    "builtins.float",
    "builtins.bool",
    "builtins.len",
    "builtins.range",
    "builtins.sorted",
    "builtins.list",
    "builtins.dict",
    "builtins.tuple",
    "builtins.set",
    "builtins.min",
    "builtins.max",
    "builtins.sum",
    "builtins.abs",
    "builtins.round",
    "builtins.enumerate",
    "builtins.zip",
    "builtins.open",
    "builtins.isinstance",
}
STR_BUILTINS = {"builtins.str", "builtins.repr", "builtins.format"}
# builtins whose result has one type whatever they are given (an Output argument raises or is
# answered about the Output object itself): never an Output
TYPED_BUILTINS = {
    "builtins.len",
    "builtins.isinstance",
    "builtins.issubclass",
    "builtins.hasattr",
    "builtins.callable",
    "builtins.id",
    "builtins.hash",
    "builtins.bool",
    "builtins.ord",
}
TYPED_STR_BUILTINS = {"builtins.chr", "builtins.hex", "builtins.oct", "builtins.bin"}
# attributes of every Pulumi resource that are plain values (pulumi.Resource declares them ``str``)
RESOURCE_PLAIN_STR_ATTRIBUTES = frozenset({"_name", "_type"})
# the Automation API drives stacks from outside a program: its objects hold plain values
AUTOMATION = "pulumi.automation."
# Attributes that are ``Output[str]`` (never Optional, never another type) on every
# pulumi_aws resource class; tests/pulumi/test_outputs.py checks this against pulumi-aws.
AWS_STR_ATTRIBUTES = frozenset(
    {
        "id",
        "urn",
        "arn",
        "execution_arn",
        "invoke_arn",
        "qualified_arn",
        "dns_name",
        "invoke_url",
        "zone_id",
        "repository_url",
        "stream_arn",
    }
)
# the catalog's types that have a Pulumi class
PULUMI_TYPES: tuple[ResourceType, ...] = tuple(t for t in catalog.ALL if t.pulumi)
PULUMI_RESOURCE_CLASSES = frozenset({"pulumi.StackReference", "pulumi.ComponentResource", "pulumi.CustomResource"})


def _is_provider_module(qualname: str) -> bool:
    return qualname.startswith("pulumi_") and "." in qualname


def _catalog_type(qualname: str) -> ResourceType | None:
    """The catalog type whose Pulumi class ``qualname`` (any spelling) is."""
    for resource_type in PULUMI_TYPES:
        if resource_type.platform_of(qualname) is Platform.PULUMI:
            return resource_type
    return None


def _is_resource_class(qualname: str) -> bool:
    """A Pulumi resource class: one of the catalog's, or by the generic rule (the catalog does not
    list every class) any class of a provider package (``pulumi_aws.s3.Bucket``, not
    ``...BucketArgs``, not a function ``get_bucket``) and Pulumi's own resource classes."""
    if qualname in PULUMI_RESOURCE_CLASSES or _catalog_type(qualname) is not None:
        return True
    if not _is_provider_module(qualname):
        return False
    parts = qualname.split(".")
    last = parts[-1]
    if not last[:1].isupper() or last.endswith(("Args", "ArgsDict", "Result", "Options")):
        return False
    # an enum member (pulumi_aws.lambda_.Runtime.PYTHON3D12) is not a class
    return not any(p[:1].isupper() for p in parts[1:-1])


def _resource(qualname: str, resource_type: ResourceType | None = None) -> Value:
    """A resource of the class ``qualname``, named canonically (re-exports folded)."""
    name = catalog.canonical(qualname)
    return Value(Kind.RESOURCE, qualname=name, type=resource_type or _catalog_type(name))


def _is_output_type(qualname: str) -> bool:
    return qualname == "pulumi.Output" or qualname == "pulumi.output.Output"


class OutputAnalysis:
    """Output classification for one module; get it with :meth:`of`."""

    _cache: list[tuple[cst.Module, OutputAnalysis]] = []

    @classmethod
    def of(cls, rule: Rule, module: cst.Module) -> OutputAnalysis:
        for mod, analysis in cls._cache:
            if mod is module:
                return analysis
        analysis = cls(rule.get_metadata, module, bindings(rule))
        cls._cache[:] = [(module, analysis)]
        return analysis

    def __init__(self, get_metadata: Callable[..., Any], module: cst.Module, tracker: Bindings | None = None) -> None:
        self._meta = get_metadata
        self.module = module
        # names, ``self.x`` and containers: the module's shared binding tracker (the rule's; for a
        # bare visitor, one of its own over the same metadata)
        self.tracker = tracker if tracker is not None else Bindings(self)
        self.bindings: dict[cst.CSTNode, list[tuple[str, cst.CSTNode | None]]] = {}
        self.class_attrs: dict[cst.ClassDef, dict[str, list[cst.BaseExpression]]] = {}
        self.class_elems: dict[tuple[cst.ClassDef, str], list[cst.BaseExpression]] = {}
        self.elements: dict[cst.CSTNode, list[cst.BaseExpression]] = {}
        self.method_self: dict[cst.Param, cst.ClassDef] = {}
        self.callback_params: dict[cst.Param, cst.BaseExpression] = {}
        self.functions_by_name: dict[cst.FunctionDef, cst.BaseExpression] = {}
        self.calls: list[cst.Call] = []
        self.class_fields: dict[tuple[cst.ClassDef, str], cst.BaseExpression] = {}
        self.class_values: dict[tuple[cst.ClassDef, str], cst.BaseExpression] = {}
        self._calls_by_name: dict[str, list[cst.Call]] | None = None
        self._doubts: dict[cst.CSTNode, Doubt | None] = {}
        self._stop: cst.CSTNode | None = None  # where the last _trace stopped
        self._method_set: set[cst.FunctionDef] | None = None
        self._memo: dict[cst.CSTNode, Value] = {}
        self._busy: set[cst.CSTNode] = set()
        self.imports_pulumi = False
        module.visit(_Collector(self))

    # -- metadata helpers ------------------------------------------------------------------------

    def get_metadata(self, key: Any, node: cst.CSTNode, default: Any = None) -> Any:
        """The rule's metadata (what :func:`iacmod.iac.resources.resource_at` asks for)."""
        return self._meta(key, node, default)

    def qualified_names(self, node: cst.CSTNode) -> set[str]:
        return {q.name for q in self._meta(QualifiedNameProvider, node, set())}

    def scope(self, node: cst.CSTNode) -> Scope | None:
        scope: Scope | None = self._meta(ScopeProvider, node, None)
        return scope

    def parent(self, node: cst.CSTNode) -> cst.CSTNode | None:
        parent: cst.CSTNode | None = self._meta(ParentNodeProvider, node, None)
        return parent

    # -- classification --------------------------------------------------------------------------

    def is_output(self, expr: cst.BaseExpression) -> bool:
        return self.classify(expr).is_output

    def classify(self, expr: cst.CSTNode) -> Value:
        if expr in self._memo:
            return self._memo[expr]
        if expr in self._busy:
            return UNKNOWN
        self._busy.add(expr)
        try:
            value = self._classify(expr)
        finally:
            self._busy.discard(expr)
        self._memo[expr] = value
        return value

    def _classify(self, expr: cst.CSTNode) -> Value:
        if isinstance(expr, (cst.SimpleString, cst.ConcatenatedString)):
            return PLAIN_STR
        if isinstance(expr, cst.FormattedString):
            return PLAIN_STR  # (an Output inside gives placeholder text: pulumi-output-string)
        if isinstance(expr, (cst.Integer, cst.Float, cst.Imaginary)):
            return PLAIN
        if isinstance(expr, cst.Name):
            return self._classify_name(expr)
        if isinstance(expr, cst.Attribute):
            return self._classify_attribute(expr)
        if isinstance(expr, cst.Subscript):
            base = self.classify(expr.value)
            if base.kind is Kind.RESOURCES:
                return Value(Kind.RESOURCE, qualname=base.qualname)
            if base.kind is Kind.OUTPUT:
                return OUTPUT  # Output.__getitem__ lifts
            if base.kind is Kind.PLAIN:
                return PLAIN
            return UNKNOWN
        if isinstance(expr, cst.Call):
            return self._classify_call(expr)
        if isinstance(expr, (cst.Dict, cst.List, cst.Tuple, cst.Set)):
            return self._classify_container(self._container_values(expr))
        if isinstance(expr, (cst.ListComp, cst.SetComp, cst.GeneratorExp)):
            elt = self.classify(expr.elt)
            if elt.kind is Kind.RESOURCE:
                return Value(Kind.RESOURCES, qualname=elt.qualname)
            if isinstance(expr, cst.ListComp) and elt.kind in (Kind.OUTPUT, Kind.DEEP):
                return Value(Kind.DEEP)  # a list of Outputs: Output.all/from_input resolve it
            return PLAIN if elt.is_plain else UNKNOWN
        if isinstance(expr, cst.DictComp):
            value = self.classify(expr.value)
            if value.kind is Kind.RESOURCE:
                return Value(Kind.RESOURCES, qualname=value.qualname)
            key_plain = self.classify(expr.key).is_plain
            if key_plain and value.kind in (Kind.OUTPUT, Kind.DEEP):
                return Value(Kind.DEEP)
            return PLAIN if value.is_plain and key_plain else UNKNOWN
        if isinstance(expr, (cst.BooleanOperation, cst.IfExp)):
            parts = [expr.left, expr.right] if isinstance(expr, cst.BooleanOperation) else [expr.body, expr.orelse]
            return self._join([self.classify(p) for p in parts])
        if isinstance(expr, cst.BinaryOperation):
            left, right = self.classify(expr.left), self.classify(expr.right)
            if left.is_plain and right.is_plain:
                both_str = left.is_str and right.is_str and isinstance(expr.operator, cst.Add)
                return PLAIN_STR if both_str else PLAIN
            return UNKNOWN
        if isinstance(expr, (cst.UnaryOperation, cst.Comparison)):
            return PLAIN if all(self.classify(c).is_plain for c in _children_exprs(expr)) else UNKNOWN
        if isinstance(expr, cst.Lambda):
            return Value(Kind.CALLABLE)
        return UNKNOWN

    @staticmethod
    def _container_values(expr: cst.CSTNode) -> list[cst.BaseExpression]:
        values: list[cst.BaseExpression] = []
        if isinstance(expr, cst.Dict):
            for el in expr.elements:
                if isinstance(el, cst.DictElement):
                    values.extend([el.key, el.value])
                else:
                    values.append(el.value)
        elif isinstance(expr, (cst.List, cst.Tuple, cst.Set)):
            values.extend(el.value for el in expr.elements)
        return values

    def _classify_container(self, values: Iterable[cst.BaseExpression], extra: Iterable[Value] = ()) -> Value:
        kinds = [self.classify(v) for v in values] + list(extra)
        if not kinds:
            return PLAIN
        if all(k.kind is Kind.RESOURCE for k in kinds):
            return Value(Kind.RESOURCES, qualname=kinds[0].qualname if len({k.qualname for k in kinds}) == 1 else "")
        if all(k.is_plain for k in kinds):
            return PLAIN
        if all(k.is_plain or k.kind in (Kind.OUTPUT, Kind.DEEP) for k in kinds):
            return Value(Kind.DEEP)
        return UNKNOWN

    @staticmethod
    def _join(values: list[Value]) -> Value:
        if not values:
            return UNKNOWN
        first = values[0]
        if all(v == first for v in values):
            return first
        if all(v.is_plain for v in values):
            return PLAIN_STR if all(v.is_str for v in values) else PLAIN
        if all(v.kind is Kind.OUTPUT for v in values):
            return OUTPUT_STR if all(v.is_str for v in values) else OUTPUT
        if all(v.kind is Kind.RESOURCE for v in values):
            return Value(Kind.RESOURCE)
        return UNKNOWN

    def _classify_name(self, node: cst.Name) -> Value:
        if node.value in ("True", "False", "None"):
            return PLAIN
        scope = self.scope(node)
        if scope is None:
            return UNKNOWN
        assignments = scope[node.value] if node.value in scope else set()
        if not assignments:
            if self.qualified_names(node) & {f"builtins.{node.value}"}:
                return Value(Kind.CALLABLE)
            return UNKNOWN
        values: list[Value] = []
        for assignment in assignments:
            if isinstance(assignment, ImportAssignment):
                values.append(Value(Kind.MODULE))
            elif isinstance(assignment, Assignment):
                values.append(self._classify_binding(assignment.node))
            else:
                values.append(UNKNOWN)
        return self._join(values)

    def _classify_binding(self, target: cst.CSTNode) -> Value:
        if isinstance(target, (cst.FunctionDef, cst.ClassDef)):
            return Value(Kind.CALLABLE)
        if isinstance(target, cst.Param):
            return self._classify_param(target)
        sources = self.bindings.get(target)
        if not sources:
            return UNKNOWN
        values: list[Value] = []
        for how, source in sources:
            if how == "value" and source is not None:
                value = self.classify(source)
                elems = self.elements.get(target)
                if elems and isinstance(source, (cst.Dict, cst.List)):
                    value = self._classify_container(self._container_values(source) + elems)
                values.append(value)
            elif how == "iter" and source is not None:
                base = self.classify(source)
                if base.kind is Kind.RESOURCES:
                    values.append(Value(Kind.RESOURCE, qualname=base.qualname))
                elif base.kind is Kind.PLAIN:
                    values.append(PLAIN)
                else:
                    values.append(UNKNOWN)
            elif how == "items-value" and source is not None:
                base = self.classify(source)
                values.append(
                    Value(Kind.RESOURCE, qualname=base.qualname)
                    if base.kind is Kind.RESOURCES
                    else (PLAIN if base.kind is Kind.PLAIN else UNKNOWN)
                )
            elif how == "plain":
                values.append(PLAIN)
            else:
                values.append(UNKNOWN)
        return self._join(values)

    def _classify_param(self, param: cst.Param) -> Value:
        if param in self.method_self:
            return Value(Kind.INSTANCE, cls=self.method_self[param])
        if param in self.callback_params:
            receiver = self.callback_params[param]
            return PLAIN if self.classify(receiver).kind is Kind.OUTPUT else UNKNOWN
        if param.annotation is not None:
            return self._classify_annotation(param.annotation.annotation)
        return UNKNOWN

    def _classify_annotation(self, ann: cst.BaseExpression) -> Value:
        if isinstance(ann, cst.Subscript):
            names = self.qualified_names(ann.value)
            if any(_is_output_type(n) for n in names):
                return OUTPUT
            return UNKNOWN  # Input[...], Optional[...], ...: could be either
        if isinstance(ann, (cst.Name, cst.Attribute)):
            names = self.qualified_names(ann)
            if names & {"builtins.str"}:
                return PLAIN_STR
            if names & {"builtins.int", "builtins.float", "builtins.bool", "builtins.dict", "builtins.list"}:
                return PLAIN
            if any(_is_output_type(n) for n in names):
                return OUTPUT
            if any(n.startswith(AUTOMATION) for n in names):
                return PLAIN
            for name in names:
                if _is_resource_class(name):
                    return _resource(name)
            if isinstance(ann, cst.Name):
                cls = self._local_class(ann)
                if cls is not None:
                    return Value(Kind.INSTANCE, cls=cls)
        return UNKNOWN

    def definition(self, name: cst.Name) -> cst.FunctionDef | cst.ClassDef | None:
        """The ``def`` or ``class`` of the module that ``name`` certainly holds (the shared binding
        tracker: every binding of the name leads to that one definition), else None."""
        found = self.tracker.values(name)
        if found.complete and len({v.node for v in found.known}) == 1:
            value = found.known[0]
            if not value.typed and isinstance(value.node, (cst.FunctionDef, cst.ClassDef)):
                return value.node
        return None

    def _local_class(self, name: cst.Name) -> cst.ClassDef | None:
        cls = self.definition(name)
        return cls if isinstance(cls, cst.ClassDef) else None

    def _classify_attribute(self, node: cst.Attribute) -> Value:
        base = self.classify(node.value)
        attr = node.attr.value
        if base.kind is Kind.RESOURCE:
            if attr in RESOURCE_PLAIN_STR_ATTRIBUTES:
                return PLAIN_STR
            is_str = attr in AWS_STR_ATTRIBUTES and (base.qualname.startswith("pulumi_aws.") or attr in ("id", "urn"))
            return OUTPUT_STR if is_str else OUTPUT
        if base.kind is Kind.OUTPUT:
            return OUTPUT  # Output.__getattr__ lifts the attribute
        if base.kind is Kind.INSTANCE and base.cls is not None:
            values = self.class_attrs.get(base.cls, {}).get(attr)
            if values:
                elems = self.class_elems.get((base.cls, attr), [])
                if elems:
                    return self._classify_container(
                        [],
                        [
                            self.classify(v)
                            for v in values
                            if not (isinstance(v, (cst.Dict, cst.List)) and not self._container_values(v))
                        ]
                        + [self.classify(e) for e in elems],
                    )
                return self._join([self.classify(v) for v in values])
            return UNKNOWN
        if base.kind is Kind.PLAIN:
            return PLAIN
        if base.kind is Kind.MODULE:
            names = self.qualified_names(node)
            if any(n == "os.environ" or n.startswith(("pulumi_aws.config.", AUTOMATION)) for n in names):
                return PLAIN
            return UNKNOWN
        return UNKNOWN

    def _classify_call(self, node: cst.Call) -> Value:
        func = node.func
        if isinstance(func, cst.Attribute):
            attr = func.attr.value
            if attr == "apply":
                receiver = self.classify(func.value)
                return OUTPUT if receiver.kind is Kind.OUTPUT else UNKNOWN
            if attr in OUTPUT_FACTORIES:
                if any(_is_output_type(n.rsplit(".", 1)[0]) for n in self.qualified_names(func)):
                    return OUTPUT_FACTORIES[attr]
        resource = resource_at(self, node, *PULUMI_TYPES)
        if resource is not None and resource.platform is Platform.PULUMI:
            return _resource(resource.qualified_name, resource.type)
        names = self.qualified_names(func)
        for name in names:
            if name == "pulumi.Config":
                return Value(Kind.CONFIG)
            if _is_resource_class(name):
                return _resource(name)
            if name in PULUMI_PLAIN_STR_FUNCTIONS or name in TYPED_STR_BUILTINS:
                return PLAIN_STR
            if name in TYPED_BUILTINS or name.startswith(AUTOMATION):
                return PLAIN
            if name in STR_BUILTINS:
                if node.args and self.classify(node.args[0].value).kind is Kind.OUTPUT:
                    return UNKNOWN  # str(Output): placeholder text (pulumi-output-string)
                return PLAIN_STR
            if name in PLAIN_BUILTINS or name in ("json.dumps", "json.loads", "os.getenv", "os.environ.get"):
                if all(self.classify(a.value).is_plain for a in node.args):
                    return PLAIN_STR if name == "json.dumps" else PLAIN
                return UNKNOWN
            if _is_provider_module(name):
                last = name.rsplit(".", 1)[-1]
                if last.startswith("get_") and last.endswith("_output"):
                    return OUTPUT
                if last.startswith("get_"):
                    return PLAIN  # an invoke: a plain result object
        if isinstance(func, cst.Attribute):
            receiver = self.classify(func.value)
            attr = func.attr.value
            if receiver.kind is Kind.CONFIG:
                if attr in CONFIG_SECRET_METHODS:
                    return OUTPUT
                if attr in CONFIG_PLAIN_METHODS:
                    return PLAIN_STR if attr in CONFIG_STR_METHODS else PLAIN
                return UNKNOWN
            if receiver.kind is Kind.RESOURCE and attr in ("get_output", "require_output"):
                return OUTPUT
            if receiver.kind is Kind.RESOURCES and attr == "values" and not node.args:
                return receiver
            if receiver.kind is Kind.PLAIN:
                if all(self.classify(a.value).is_plain for a in node.args):
                    return PLAIN
                return UNKNOWN
            return UNKNOWN
        if isinstance(func, cst.Name):
            cls = self._local_class(func)
            if cls is not None:
                return Value(Kind.INSTANCE, cls=cls)
        return UNKNOWN

    # -- values that cannot be classified -------------------------------------------------------

    def doubt(self, expr: cst.BaseExpression) -> Doubt | None:
        """For an expression the classifier calls ``UNKNOWN``: a :class:`Doubt` when it looks like
        a resource attribute or another Output-producing expression (a finding worth a person's
        look), None when it is certainly plain or does not look like an Output."""
        if expr in self._doubts:
            return self._doubts[expr]
        doubt: Doubt | None = None
        if self.classify(expr).kind is Kind.UNKNOWN:
            trace = self._trace(expr, 0)
            stop = self._stop
            looks = _looks_like_output(expr)
            if looks and trace.weak_root and _attribute_of(expr) is not None and _attribute_of(expr).value is stop:  # type: ignore[union-attr]
                # ``settings.name`` of a declared non-Pulumi type: only Output-only names count
                looks = _strong_output_name(_attribute_of(expr).attr.value)  # type: ignore[union-attr]
            if not trace.plain and (trace.output or trace.input or looks):
                doubt = Doubt(expr, trace.reason, trace.hint)
        self._doubts[expr] = doubt
        return doubt

    def _trace(self, expr: cst.BaseExpression, depth: int) -> _Trace:
        """Why ``expr`` (classified UNKNOWN) cannot be classified: the innermost cause."""
        if depth > 6:
            return _Trace(lambda: f"iacmod cannot tell what `{_short(expr)}` evaluates to")
        node = expr
        while True:
            if isinstance(node, cst.Attribute) and self.classify(node.value).kind is Kind.UNKNOWN:
                node = node.value
            elif isinstance(node, cst.Subscript) and self.classify(node.value).kind is Kind.UNKNOWN:
                node = node.value
            elif (
                isinstance(node, cst.Call)
                and isinstance(node.func, cst.Attribute)
                and self.classify(node.func.value).kind is Kind.UNKNOWN
            ):
                node = node.func.value
            else:
                break
        trace = self._trace_node(node, depth)
        self._stop = node  # (after the inner traces)
        return trace

    def _trace_node(self, expr: cst.BaseExpression, depth: int) -> _Trace:
        node = expr
        while True:
            if isinstance(node, cst.Attribute):
                base = self.classify(node.value)
                if base.kind is Kind.UNKNOWN:
                    node = node.value
                    continue
                return self._trace_attribute(node, base, depth)
            if isinstance(node, cst.Subscript):
                if self.classify(node.value).kind is Kind.UNKNOWN:
                    node = node.value
                    continue
                return _Trace(
                    lambda: f"`{_short(node)}` is an element of a container that holds both Outputs and other values"  # noqa: B023 (used within this iteration only)
                )
            if isinstance(node, cst.Call):
                func = node.func
                if isinstance(func, cst.Attribute) and self.classify(func.value).kind is Kind.UNKNOWN:
                    node = func.value
                    continue
                return self._trace_call(node, depth)
            if isinstance(node, cst.Name):
                return self._trace_name(node, depth)
            return _Trace(lambda: f"iacmod cannot tell what `{_short(node)}` evaluates to")  # noqa: B023 (used within this iteration only)

    def _trace_attribute(self, node: cst.Attribute, base: Value, depth: int = 0) -> _Trace:
        attr = node.attr.value
        if base.kind is Kind.INSTANCE and (base_cls := base.cls) is not None:
            assigned = self.class_attrs.get(base_cls, {}).get(attr)
            shown = _short(node)
            if assigned and len(assigned) == 1 and depth < 4 and self.parent(assigned[0]) is not None:
                inner = self._trace(assigned[0], depth + 1)
                if inner.plain:
                    return inner
                return _Trace(
                    lambda: f"`{shown}` is set to `{_short(assigned[0])}`: {inner.reason}",
                    output=inner.output,
                    input=inner.input,
                    hint=inner.hint,
                    weak_root=inner.weak_root,
                )
            constant = self.class_values.get((base_cls, attr))
            if not assigned and constant is not None:
                # a class-level constant (``ENV_CONFIGS = {...}`` in the class body): settings
                return _Trace(
                    lambda: f"`{base_cls.name.value}.{attr}` is a class-level constant iacmod does not follow",
                    weak_root=True,
                )
            if assigned:
                kinds = [self.classify(v) for v in assigned]
                if all(k.is_plain for k in kinds):
                    return _Trace("", plain=True)
                return _Trace(
                    lambda: (
                        f"`{base_cls.name.value}.{attr}` is set in several places (or by unpacking), not all "
                        "of them to the same kind of value"
                    )
                )
            ann = self.class_fields.get((base_cls, attr))
            if ann is not None:
                declared = self._classify_annotation(ann)
                if declared.is_plain:
                    return _Trace("", plain=True)
                if declared.kind in (Kind.OUTPUT, Kind.RESOURCE):
                    return _Trace(
                        lambda: (
                            f"`{base_cls.name.value}.{attr}` is declared `{_short(ann)}` but "
                            "never assigned in the class's methods"
                        ),
                        output=True,
                    )
                input_ann = _is_input_annotation(self, ann)
                return _Trace(
                    lambda: (
                        f"`{base_cls.name.value}.{attr}` is declared `{_short(ann)}`, which may hold "
                        "an Output or a plain value"
                    ),
                    input=input_ann,
                    weak_root=not input_ann,
                )
            return _Trace(
                lambda: f"`{base_cls.name.value}` objects get no `{attr}` attribute in the class's methods",
                hint=f"assign `self.{attr}` in `{base_cls.name.value}` or declare it with its type",
            )
        if base.kind is Kind.MODULE:
            names = sorted(self.qualified_names(node))
            where = names[0].rsplit(".", 1)[0] if names else _short(node.value)
            return _Trace(lambda: f"`{_short(node)}` comes from the module `{where}`, which iacmod does not analyse")
        if base.kind in (Kind.CONFIG, Kind.CALLABLE):
            return _Trace("", plain=True)
        return _Trace(lambda: f"iacmod cannot tell what `{_short(node)}` evaluates to")

    def _trace_call(self, node: cst.Call, depth: int) -> _Trace:
        func = node.func
        shown = f"{_short(func)}(...)"
        if isinstance(func, cst.Name):
            scope = self.scope(func)
            assignments = list(scope[func.value]) if scope is not None and func.value in scope else []
            fn = self.definition(func)
            if isinstance(fn, cst.FunctionDef):
                if (returns := fn.returns) is not None:
                    declared = self._classify_annotation(returns.annotation)
                    if declared.is_plain:
                        return _Trace("", plain=True)
                    if declared.kind in (Kind.OUTPUT, Kind.RESOURCE):
                        return _Trace(
                            lambda: f"`{shown}` is declared to return `{_short(returns.annotation)}`", output=True
                        )
                    return _Trace(
                        lambda: (
                            f"`{shown}` is declared to return `{_short(returns.annotation)}`, which may "
                            "be an Output or a plain value"
                        ),
                        input=_is_input_annotation(self, returns.annotation),
                    )
                return _Trace(
                    lambda: (
                        f"`{shown}` returns a value iacmod does not follow (`{func.value}` has no return annotation)"
                    ),
                    hint=f"annotate the return type of `{func.value}`",
                )
            if len(assignments) == 1 and isinstance(assignments[0], ImportAssignment):
                return _Trace(lambda: f"`{shown}` is imported from another module, which iacmod does not analyse")
        return _Trace(lambda: f"`{shown}` returns a value iacmod cannot classify")

    def _trace_name(self, node: cst.Name, depth: int) -> _Trace:
        scope = self.scope(node)
        assignments = list(scope[node.value]) if scope is not None and node.value in scope else []
        if not assignments:
            return _Trace(lambda: f"`{node.value}` is not defined in this file")
        if len(assignments) > 1:
            kinds = []
            for assignment in assignments:
                if isinstance(assignment, Assignment):
                    kinds.append(self._classify_binding(assignment.node))
            if kinds and all(k.is_plain for k in kinds):
                return _Trace("", plain=True)
            return _Trace(
                lambda: f"`{node.value}` is assigned in several places, not all of them to the same kind of value"
            )
        assignment = assignments[0]
        if isinstance(assignment, ImportAssignment):
            return _Trace(lambda: f"`{node.value}` is imported from another module, which iacmod does not analyse")
        if not isinstance(assignment, Assignment):
            return _Trace(lambda: f"iacmod cannot tell what `{node.value}` is")
        target = assignment.node
        if isinstance(target, cst.Param):
            return self._trace_param(target, assignment)
        sources = self.bindings.get(target, [])
        if len(sources) == 1 and depth < 4:
            how, source = sources[0]
            if how == "value" and isinstance(source, cst.BaseExpression):
                inner = self._trace(source, depth + 1)
                if inner.plain:
                    return inner
                return _Trace(
                    lambda: f"`{node.value}` = `{_short(source)}`: {inner.reason}",
                    output=inner.output,
                    input=inner.input,
                    hint=inner.hint,
                    weak_root=inner.weak_root,
                )
            if how in ("iter", "items-value") and isinstance(source, cst.BaseExpression):
                traced = self._trace(source, depth + 1) if self.classify(source).kind is Kind.UNKNOWN else None
                if traced is not None and traced.plain:
                    return traced
                return _Trace(
                    lambda: (
                        f"`{node.value}` is a loop variable over `{_short(source)}`"
                        + (f": {traced.reason}" if traced is not None else "")
                    ),
                    output=bool(traced and traced.output),
                    input=bool(traced and traced.input),
                    hint=traced.hint if traced else "",
                    weak_root=bool(traced and traced.weak_root),
                )
        unpacked = self._trace_unpacked(target)
        if unpacked is not None:
            return unpacked
        return _Trace(lambda: f"iacmod cannot tell what `{node.value}` is bound to")

    def _trace_unpacked(self, target: cst.CSTNode) -> _Trace | None:
        """``for name, fn in [("a", fn_a), ("b", fn_b)]`` / ``for key, res in {...}.items()``: the
        values at ``target``'s position in a literal list of tuples (or the keys of a dict)."""
        element = self.parent(target)
        pattern = self.parent(element) if isinstance(element, cst.Element) else None
        loop = self.parent(pattern) if pattern is not None else None
        if not (
            isinstance(pattern, (cst.Tuple, cst.List))
            and isinstance(loop, (cst.For, cst.CompFor))
            and loop.target is pattern
            and isinstance(target, cst.Name)
        ):
            return None
        index = [el.value for el in pattern.elements].index(target)
        iterable = loop.iter
        values: list[cst.BaseExpression] = []
        if isinstance(iterable, (cst.List, cst.Tuple)):
            for item in iterable.elements:
                if not (
                    isinstance(item.value, (cst.Tuple, cst.List)) and len(item.value.elements) == len(pattern.elements)
                ):
                    return None
                values.append(item.value.elements[index].value)
        elif (
            isinstance(iterable, cst.Call)
            and isinstance(iterable.func, cst.Attribute)
            and iterable.func.attr.value == "items"
            and not iterable.args
            and index == 0
        ):
            source = iterable.func.value
            if isinstance(source, cst.Name):
                found = self.bindings_of(source)
                source = found if found is not None else source
            if not isinstance(source, cst.Dict):
                return None
            values = [el.key for el in source.elements if isinstance(el, cst.DictElement)]
        else:
            return None
        kinds = [self.classify(v) for v in values]
        if kinds and all(k.is_plain for k in kinds):
            return _Trace("", plain=True)
        outputs = [v for v, k in zip(values, kinds) if k.kind in (Kind.OUTPUT, Kind.RESOURCE, Kind.RESOURCES)]
        if outputs:
            return _Trace(
                lambda: f"`{target.value}` is unpacked in a loop whose values include `{_short(outputs[0])}`",
                output=True,
            )
        return _Trace(lambda: f"`{target.value}` is unpacked in a loop over `{_short(iterable)}`")

    def elements_of(self, name: cst.Name) -> list[cst.BaseExpression]:
        """Values stored into the container ``name`` (``name[k] = v``, ``name.append(v)``)."""
        scope = self.scope(name)
        assignments = list(scope[name.value]) if scope is not None and name.value in scope else []
        if len(assignments) != 1 or not isinstance(assignments[0], Assignment):
            return []
        return self.elements.get(assignments[0].node, [])

    def bindings_of(self, name: cst.Name) -> cst.BaseExpression | None:
        """The one value ``name`` holds (the shared binding tracker, through aliases; a declared
        type beside it does not count), else None."""
        found = self.tracker.values(name)
        values = {v.node for v in found.known if not v.typed}
        if found.complete and len(values) == 1:
            value = next(iter(values))
            return value if isinstance(value, cst.BaseExpression) else None
        return None

    def _trace_param(self, param: cst.Param, assignment: Assignment) -> _Trace:
        name = param.name.value
        if param in self.callback_params:
            return _Trace("", plain=True)  # the resolved value inside an ``.apply`` callback
        fn = self.parent(self.parent(param) or param)
        cls = self.inside(fn, lambda n: isinstance(n, (cst.ClassDef, cst.FunctionDef))) if fn is not None else None
        if (
            isinstance(cls, cst.ClassDef)
            and isinstance(fn, cst.FunctionDef)
            and (
                any("pulumi.runtime.Mocks" in self.qualified_names(base.value) for base in cls.bases)
                or (fn.name.value in ("new_resource", "call") and self._sets_mocks())
            )
        ):
            return _Trace("", plain=True)  # MockResourceArgs / MockCallArgs: plain values
        if param.annotation is not None:
            ann = param.annotation.annotation
            if self._plain_annotation(ann):
                return _Trace("", plain=True)  # `str`, `List[str]`, `Optional[Dict[str, int]]`, ...
            names = self.qualified_names(ann) if isinstance(ann, (cst.Name, cst.Attribute)) else set()
            if any(n.startswith("pulumi.") and n not in ("pulumi.Input", "pulumi.input.Input") for n in names):
                return _Trace("", plain=True)  # a Pulumi type that is not an Output or a resource
            input_ann = _is_input_annotation(self, ann)
            loose = bool(names & {"typing.Any", "builtins.object"})
            return _Trace(
                lambda: f"`{name}` is annotated `{_short(ann)}`, which may hold an Output or a plain value",
                input=input_ann,
                weak_root=not input_ann and not loose,
                hint=f"param:{name}",
            )
        passed = self._arguments_for(param)
        if passed:
            kinds = [(arg, self.classify(arg)) for arg in passed]
            outputs = [arg for arg, v in kinds if v.kind in (Kind.OUTPUT, Kind.RESOURCE, Kind.RESOURCES, Kind.DEEP)]
            if outputs:
                return _Trace(
                    lambda: (
                        f"`{name}` is a parameter without a type annotation, and a caller passes `{_short(outputs[0])}`"
                    ),
                    output=True,
                    hint=f"param:{name}",
                )
            if all(v.is_plain for _, v in kinds):
                return _Trace("", plain=True)  # every caller in this file passes a plain value
        return _Trace(lambda: f"`{name}` is a parameter without a type annotation", hint=f"param:{name}")

    def _plain_annotation(self, ann: cst.BaseExpression) -> bool:
        """``str``, ``int``, ``List[str]``, ``Optional[Dict[str, str]]``: declared plain values."""
        if isinstance(ann, (cst.Name, cst.Attribute)):
            return bool(self.qualified_names(ann) & PLAIN_ANNOTATIONS)
        if isinstance(ann, cst.SimpleString):
            return False
        if isinstance(ann, cst.Subscript):
            if not (self.qualified_names(ann.value) & PLAIN_GENERICS):
                return False
            for element in ann.slice:
                index = element.slice
                if not isinstance(index, cst.Index):
                    return False
                inner = index.value
                parts = [el.value for el in inner.elements] if isinstance(inner, (cst.Tuple, cst.List)) else [inner]
                if not all(
                    self._plain_annotation(p)
                    or (isinstance(p, cst.Name) and p.value == "None")
                    or isinstance(p, cst.Ellipsis)
                    for p in parts
                ):
                    return False
            return True
        return False

    def _sets_mocks(self) -> bool:
        return any(
            isinstance(call.func, cst.Attribute)
            and call.func.attr.value == "set_mocks"
            and "pulumi.runtime.set_mocks" in self.qualified_names(call.func)
            for call in self.calls
        )

    def _arguments_for(self, param: cst.Param) -> list[cst.BaseExpression]:
        """The values the calls in this module pass for ``param`` (of a function defined here)."""
        params = self.parent(param)
        fn = self.parent(params) if params is not None else None
        if not isinstance(fn, cst.FunctionDef) or not isinstance(params, cst.Parameters):
            return []
        if param not in params.params:
            return []  # keyword-only, *args, **kwargs: not followed
        index = list(params.params).index(param)
        in_class = fn in {f for f in self._methods()}
        if in_class:
            index -= 1  # the bound method's self
        if self._calls_by_name is None:
            self._calls_by_name = {}
            for call in self.calls:
                func = call.func
                # cast: _Collector.visit_Call records only calls of a Name or an Attribute
                key = func.value if isinstance(func, cst.Name) else cast(cst.Attribute, func).attr.value
                self._calls_by_name.setdefault(key, []).append(call)
        values: list[cst.BaseExpression] = []
        cls = self.inside(fn, lambda n: isinstance(n, (cst.ClassDef, cst.FunctionDef)))
        constructor = in_class and fn.name.value == "__init__" and isinstance(cls, cst.ClassDef)
        name = cls.name.value if constructor else fn.name.value  # type: ignore[union-attr]
        for call in self._calls_by_name.get(name, []):
            if constructor:
                if not (isinstance(call.func, cst.Name) and self._local_class(call.func) is cls):
                    continue
            elif not self._calls_function(call, fn, in_class):
                continue
            if any(arg.star for arg in call.args):
                return []
            positional = [arg for arg in call.args if arg.keyword is None]
            keyword_arg = [
                arg for arg in call.args if arg.keyword is not None and arg.keyword.value == param.name.value
            ]
            if 0 <= index < len(positional):
                values.append(positional[index].value)
            elif keyword_arg:
                values.append(keyword_arg[0].value)
        return values

    def _methods(self) -> set[cst.FunctionDef]:
        methods = self._method_set
        if methods is None:
            methods = set()
            for param in self.method_self:
                fn = self.parent(self.parent(param) or param)
                if isinstance(fn, cst.FunctionDef):
                    methods.add(fn)
            self._method_set = methods
        return methods

    def _calls_function(self, call: cst.Call, fn: cst.FunctionDef, method: bool) -> bool:
        func = call.func
        if method:
            if not isinstance(func, cst.Attribute):
                return False
            receiver = self.classify(func.value)
            cls = self.inside(fn, lambda n: isinstance(n, cst.ClassDef))
            return receiver.kind is Kind.INSTANCE and receiver.cls is cls
        return isinstance(func, cst.Name) and any(v.node is fn for v in self.tracker.values(func).known)

    # -- context ---------------------------------------------------------------------------------

    def inside(self, node: cst.CSTNode, predicate: Callable[[cst.CSTNode], bool]) -> cst.CSTNode | None:
        """The nearest ancestor of ``node`` for which ``predicate`` holds."""
        current = self.parent(node)
        while current is not None:
            if predicate(current):
                return current
            current = self.parent(current)
        return None

    def apply_callback_of(self, node: cst.CSTNode) -> cst.Call | None:
        """The ``x.apply(...)`` call whose callback (a lambda or local def) contains ``node``."""
        current = self.parent(node)
        while current is not None:
            if isinstance(current, cst.Lambda):
                call = self.parent(self.parent(current) or current)
                if (
                    isinstance(call, cst.Call)
                    and isinstance(call.func, cst.Attribute)
                    and call.func.attr.value == "apply"
                    and call.args
                    and call.args[0].value is current
                ):
                    return call
            if isinstance(current, cst.FunctionDef) and current in self.functions_by_name:
                apply_call = self.parent(self.parent(self.functions_by_name[current]) or current)
                if isinstance(apply_call, cst.Call):
                    return apply_call
            current = self.parent(current)
        return None


@dataclass(frozen=True)
class Doubt:
    """A value that may be an Output, and why iacmod cannot decide."""

    node: cst.BaseExpression
    reason: str
    # what would let iacmod classify it ("annotate `role` with ..."), or "" when nothing would
    hint: str = ""

    @property
    def text(self) -> str:
        code = _short(self.node)
        if self.reason.startswith(f"`{code}` "):
            return self.reason
        return f"`{code}`: {self.reason}"


@dataclass(frozen=True)
class _Trace:
    # why the value cannot be classified: text, or a function making it (most traces are
    # dropped unread, and the text quotes code, which costs a code generation to make)
    why: str | Callable[[], str]
    hint: str = ""
    # the root is declared with a type that is not a Pulumi one (``args: AppConfig``): its plain
    # attributes (``args.name``) are taken for settings, only Output-only names count
    weak_root: bool = False
    plain: bool = False  # certainly not an Output after all
    output: bool = False  # evidence that it is an Output (a caller passes one, a declared type)
    input: bool = False  # declared as ``Input[...]`` or ``Optional[Resource]``: may be an Output

    @property
    def reason(self) -> str:
        why = self.why
        if callable(why):
            why = why()
            object.__setattr__(self, "why", why)
        return why


# Attribute names of Pulumi resources that are Outputs and commonly end up in strings and policy
# documents (besides every ``*_arn``, ``*_id``, ``*_url``, ``*_endpoint`` attribute).
OUTPUT_LIKE_ATTRIBUTES = frozenset(
    {
        "id",
        "urn",
        "arn",
        "name",
        "url",
        "endpoint",
        "address",
        "bucket",
        "execution_arn",
        "invoke_arn",
        "qualified_arn",
        "dns_name",
        "zone_id",
        "repository_url",
        "stream_arn",
        "bucket_domain_name",
        "bucket_regional_domain_name",
        "domain_name",
        "website_endpoint",
        "reader_endpoint",
        "port",
        "public_ip",
        "private_ip",
        "hostname",
        "fqdn",
        "key_id",
        "function_name",
        "role",
        "cluster_name",
    }
)
OUTPUT_LIKE_SUFFIXES = ("_arn", "_id", "_url", "_endpoint", "_arns", "_ids")


def _short(node: cst.CSTNode, limit: int = 60) -> str:
    text = " ".join(cst.Module([]).code_for_node(node).split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


PLAIN_ANNOTATIONS = frozenset(
    {
        "builtins.str",
        "builtins.int",
        "builtins.float",
        "builtins.bool",
        "builtins.bytes",
        "builtins.dict",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "typing.Dict",
        "typing.List",
        "typing.Tuple",
        "typing.Set",
        "typing.Sequence",
        "typing.Mapping",
    }
)
PLAIN_GENERICS = frozenset(
    {
        "builtins.dict",
        "builtins.list",
        "builtins.tuple",
        "builtins.set",
        "typing.Dict",
        "typing.List",
        "typing.Tuple",
        "typing.Set",
        "typing.Sequence",
        "typing.Mapping",
        "typing.Optional",
        "typing.Union",
        "typing.Iterable",
        "collections.abc.Sequence",
        "collections.abc.Mapping",
        "collections.abc.Iterable",
    }
)
STRONG_OUTPUT_ATTRIBUTES = frozenset({"id", "urn", "arn", "url", "execution_arn", "invoke_arn", "qualified_arn"})
STRONG_OUTPUT_SUFFIXES = ("_arn", "_arns", "_url")


def _attribute_of(expr: cst.BaseExpression) -> cst.Attribute | None:
    node = expr
    while isinstance(node, cst.Subscript):
        node = node.value
    return node if isinstance(node, cst.Attribute) else None


def _strong_output_name(name: str) -> bool:
    return name in STRONG_OUTPUT_ATTRIBUTES or name.endswith(STRONG_OUTPUT_SUFFIXES)


def _looks_like_output(expr: cst.BaseExpression) -> bool:
    """``x.arn``, ``self.bucket.id``, ``buckets[k].name``, ``fn().url``: an attribute named like
    the Output attributes of Pulumi resources; a name like ``bucket_arn``."""
    if isinstance(expr, cst.Name):
        return expr.value == "arn" or expr.value.endswith(("_arn", "_arns"))
    node = _attribute_of(expr)
    if node is None:
        return False
    attr = node.attr.value
    return attr in OUTPUT_LIKE_ATTRIBUTES or attr.endswith(OUTPUT_LIKE_SUFFIXES)


def _is_input_annotation(analysis: OutputAnalysis, ann: cst.BaseExpression) -> bool:
    """``pulumi.Input[str]``, ``Optional[aws.s3.Bucket]``, ``Union[str, Output[str]]``: an
    annotation under which an Output is expected."""
    found = False

    class V(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            nonlocal found
            for name in analysis.qualified_names(node):
                if name in ("pulumi.Input", "pulumi.input.Input") or _is_output_type(name) or _is_resource_class(name):
                    found = True

        def visit_Attribute(self, node: cst.Attribute) -> bool:
            nonlocal found
            for name in analysis.qualified_names(node):
                if name in ("pulumi.Input", "pulumi.input.Input") or _is_output_type(name) or _is_resource_class(name):
                    found = True
            return True

    ann.visit(V())
    return found


def _children_exprs(node: cst.CSTNode) -> list[cst.BaseExpression]:
    if isinstance(node, cst.UnaryOperation):
        return [node.expression]
    if isinstance(node, cst.Comparison):
        return [node.left] + [c.comparator for c in node.comparisons]
    return []


class _Collector(cst.CSTVisitor):
    """One walk that records bindings, ``self.x`` attributes, container elements and callbacks."""

    def __init__(self, analysis: OutputAnalysis) -> None:
        super().__init__()
        self.a = analysis
        self.classes: list[cst.ClassDef] = []
        self.functions: list[tuple[cst.FunctionDef, cst.ClassDef | None, str | None]] = []

    # imports
    def visit_Import(self, node: cst.Import) -> None:
        for alias in node.names:
            name = alias.evaluated_name
            if name == "pulumi" or name.startswith(("pulumi.", "pulumi_")):
                self.a.imports_pulumi = True

    def visit_ImportFrom(self, node: cst.ImportFrom) -> None:
        if node.module is not None and not node.relative:
            name = cst.helpers.get_full_name_for_node(node.module) or ""
            if name == "pulumi" or name.startswith(("pulumi.", "pulumi_")):
                self.a.imports_pulumi = True

    # scopes
    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.classes.append(node)
        self.a.class_attrs.setdefault(node, {})

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.classes.pop()

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        cls = None
        self_name = None
        parent = self.a.parent(node)
        grand = self.a.parent(parent) if parent is not None else None
        is_static = any(
            isinstance(d.decorator, cst.Name) and d.decorator.value in ("staticmethod", "classmethod")
            for d in node.decorators
        )
        if isinstance(grand, cst.ClassDef) and not is_static and node.params.params:
            cls = grand
            first = node.params.params[0]
            self_name = first.name.value
            self.a.method_self[first] = cls
        self.functions.append((node, cls, self_name))

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.functions.pop()

    def _self_attr(self, target: cst.BaseExpression) -> tuple[cst.ClassDef, str] | None:
        if (
            isinstance(target, cst.Attribute)
            and isinstance(target.value, cst.Name)
            and self.functions
            and self.functions[-1][1] is not None
            and target.value.value == self.functions[-1][2]
        ):
            cls = self.functions[-1][1]
            assert cls is not None
            return cls, target.attr.value
        return None

    def _bind(self, target: cst.BaseExpression, how: str, source: cst.CSTNode | None) -> None:
        if isinstance(target, cst.Name):
            self.a.bindings.setdefault(target, []).append((how, source))
            return
        owner = self._self_attr(target)
        if owner is not None:
            if how == "value" and source is not None:
                assert isinstance(source, cst.BaseExpression)
                self.a.class_attrs[owner[0]].setdefault(owner[1], []).append(source)
            else:
                self.a.class_attrs[owner[0]].setdefault(owner[1], []).append(cst.Name("__unknown__"))
            return
        if isinstance(target, cst.Subscript) and how == "value" and isinstance(source, cst.BaseExpression):
            self._element(target.value, source)
            return
        if isinstance(target, (cst.Tuple, cst.List)):
            for el in target.elements:
                if isinstance(el.value, (cst.Name, cst.Attribute)):
                    self._bind(el.value, "unknown", None)

    def _element(self, container: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``container[k] = value`` / ``container.append(value)``."""
        owner = self._self_attr(container)
        if owner is not None:
            self.a.class_elems.setdefault(owner, []).append(value)
        elif isinstance(container, cst.Name):
            scope = self.a.scope(container)
            if scope is not None and container.value in scope:
                for assignment in scope[container.value]:
                    if isinstance(assignment, Assignment) and isinstance(assignment.node, cst.Name):
                        self.a.elements.setdefault(assignment.node, []).append(value)

    def visit_Assign(self, node: cst.Assign) -> None:
        for target in node.targets:
            self._bind(target.target, "value", node.value)
        block = self.a.parent(self.a.parent(node) or node)
        cls = self.a.parent(block) if block is not None else None
        if isinstance(cls, cst.ClassDef) and len(node.targets) == 1 and isinstance(node.targets[0].target, cst.Name):
            self.a.class_values[(cls, node.targets[0].target.value)] = node.value

    def visit_AnnAssign(self, node: cst.AnnAssign) -> None:
        if node.value is not None:
            self._bind(node.target, "value", node.value)
        # a class-level field declaration (dataclasses, NamedTuple, plain classes)
        block = self.a.parent(self.a.parent(node) or node)
        cls = self.a.parent(block) if block is not None else None
        if isinstance(cls, cst.ClassDef) and isinstance(node.target, cst.Name):
            self.a.class_fields[(cls, node.target.value)] = node.annotation.annotation

    def visit_AugAssign(self, node: cst.AugAssign) -> None:
        self._bind(node.target, "unknown", None)

    def visit_NamedExpr(self, node: cst.NamedExpr) -> None:
        self._bind(node.target, "value", node.value)

    def visit_For(self, node: cst.For) -> None:
        self._bind_iter(node.target, node.iter)

    def visit_CompFor(self, node: cst.CompFor) -> None:
        self._bind_iter(node.target, node.iter)

    def _bind_iter(self, target: cst.BaseExpression, iterable: cst.BaseExpression) -> None:
        if isinstance(target, cst.Name):
            self._bind(target, "iter", iterable)
            return
        # for key, res in resources.items()  /  for i, res in enumerate(resources)
        if (
            isinstance(target, (cst.Tuple, cst.List))
            and len(target.elements) == 2
            and isinstance(iterable, cst.Call)
            and all(isinstance(el.value, cst.Name) for el in target.elements)
        ):
            first, second = (el.value for el in target.elements)
            func = iterable.func
            if isinstance(func, cst.Attribute) and func.attr.value == "items" and not iterable.args:
                self._bind(first, "unknown", None)
                self._bind(second, "items-value", func.value)
                return
            if isinstance(func, cst.Name) and func.value == "enumerate" and len(iterable.args) == 1:
                self._bind(first, "plain", None)
                self._bind(second, "iter", iterable.args[0].value)
                return
        self._bind(target, "unknown", None)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if node.asname is not None:
            self._bind(node.asname.name, "unknown", None)

    def visit_ExceptHandler(self, node: cst.ExceptHandler) -> None:
        if node.name is not None and isinstance(node.name.name, cst.Name):
            self._bind(node.name.name, "plain", None)

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if isinstance(func, (cst.Name, cst.Attribute)):
            self.a.calls.append(node)
        if not isinstance(func, cst.Attribute):
            return
        if func.attr.value == "append" and len(node.args) == 1:
            self._element(func.value, node.args[0].value)
        elif func.attr.value == "apply" and node.args:
            callback = node.args[0].value
            if isinstance(callback, cst.Lambda):
                for param in callback.params.params:
                    self.a.callback_params[param] = func.value
            elif isinstance(callback, cst.Name):
                fn = self.a.definition(callback)
                if isinstance(fn, cst.FunctionDef):
                    for param in fn.params.params:
                        self.a.callback_params[param] = func.value
                    self.a.functions_by_name[fn] = callback


def safe_identifier(text: str) -> str:
    text = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", text)  # camelCase -> camel_Case
    ident = re.sub(r"\W+", "_", text).strip("_").lower()
    ident = re.sub(r"_+", "_", ident)
    if not ident or ident[0].isdigit():
        ident = f"value_{ident}" if ident else "value"
    if keyword.iskeyword(ident):
        ident += "_"
    return ident


def expression_key(expr: cst.BaseExpression) -> str:
    """A readable keyword name for an expression: ``table.arn`` -> ``table_arn``,
    ``self.bucket.arn`` -> ``bucket_arn``, ``self.buckets["logs"].arn`` -> ``buckets_logs_arn``,
    ``config.require_secret("db-password")`` -> ``db_password``."""
    parts: list[str] = []
    node: cst.BaseExpression | None = expr
    while node is not None:
        if isinstance(node, cst.Attribute):
            parts.append(node.attr.value)
            node = node.value
        elif isinstance(node, cst.Subscript):
            index = node.slice[0].slice if len(node.slice) == 1 else None
            if isinstance(index, cst.Index) and string_value(index.value) is not None:
                parts.append(string_value(index.value))  # type: ignore[arg-type]
            elif isinstance(index, cst.Index) and isinstance(index.value, cst.Integer):
                parts.append(index.value.value)
            node = node.value
        elif isinstance(node, cst.Call):
            func = node.func
            if isinstance(func, cst.Attribute) and func.attr.value in OUTPUT_FACTORIES and not parts:
                # Output.concat(bucket.arn, "/*") -> bucket_arn_concat
                inner = [a.value for a in node.args if not isinstance(a.value, (cst.SimpleString, cst.FormattedString))]
                if inner:
                    return safe_identifier(f"{expression_key(inner[0])}_{func.attr.value}")
            if node.args and isinstance(node.args[0].value, cst.SimpleString) and not parts:
                parts.append(string_value(node.args[0].value) or "")
                break
            node = node.func
        elif isinstance(node, (cst.ListComp, cst.DictComp)) and not parts:
            element = node.elt if isinstance(node, cst.ListComp) else node.value
            return safe_identifier(expression_key(element) + "s")
        elif isinstance(node, cst.Name):
            if node.value not in ("self", "cls"):
                parts.append(node.value)
            node = None
        else:
            node = None
    parts = [p for p in parts if p not in ("apply", "get_output", "require_output")]
    if not parts:
        return "value"
    parts.reverse()
    # "bucket" + "bucket_arn" -> "bucket_arn"; keep at most the last three parts
    if len(parts) >= 2 and parts[-1].startswith(parts[-2] + "_"):
        parts = parts[:-2] + [parts[-1]]
    return safe_identifier("_".join(parts[-3:]))
