"""Reading and writing a resource's properties, the same way on every platform.

A property is named by a dotted path in the platform's Python spelling (``tracing_config.mode``,
``point_in_time_recovery_specification.point_in_time_recovery_enabled``). Where it lives:

- keyword arguments of the resource call (all platforms);
- Pulumi's inputs object, ``aws.lambda_.Function("fn", aws.lambda_.FunctionArgs(...))`` or
  ``args=FunctionArgs(...)``;
- nested values: an inputs class call (Pulumi ``FunctionTracingConfigArgs(...)``, CDKTF structs
  ``LambdaFunctionTracingConfig(...)``, CDK L1 ``CfnFunction.TracingConfigProperty(...)``) or a
  dict literal with string keys (Pulumi's dict style).

Reading answers the value, :data:`MISSING` (the code shows it is not set) or :data:`UNKNOWN`
(``**kwargs``, a variable holding the inputs, a non-literal container: the code does not say).
Writing answers an :class:`Edit` (the node changes and the imports they need) or None when no
edit can be made exactly; it edits existing structures in place (:mod:`iacmod.edit.args` keeps
the layout and comments) and builds new ones in the file's style: Pulumi ``…Args`` classes, or
dicts where the file writes Pulumi inputs as dicts and no ``…Args`` class.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import libcst as cst
from libcst.metadata import PositionProvider

from iacmod.edit import args as argedit
from iacmod.edit.literals import literal_value, python_literal
from iacmod.edit.symbols import reference
from iacmod.iac.catalog import Platform
from iacmod.iac.names import qualified_names
from iacmod.rule import ImportSpec

if TYPE_CHECKING:
    from iacmod.iac.resources import Resource
    from iacmod.rule import Rule


class Absent(enum.Enum):
    MISSING = "missing"  # the code shows the property is not set
    UNKNOWN = "unknown"  # the code does not say (``**kwargs``, a variable, a computed container)

    def __bool__(self) -> bool:
        return False


MISSING = Absent.MISSING
UNKNOWN = Absent.UNKNOWN


@dataclass(frozen=True)
class Lit:
    """A Python literal to write (``True``, ``"Active"``, ``365``)."""

    value: Any


@dataclass(frozen=True)
class Sym:
    """A symbol to write, imported if need be: ``"aws_cdk.aws_sqs:QueueEncryption.SQS_MANAGED"``."""

    qualified: str


@dataclass(frozen=True)
class Code:
    """Python expression text to write as it is, with the imports it needs."""

    text: str
    imports: tuple[ImportSpec, ...] = ()


Value = Lit | Sym | Code


@dataclass
class Edit:
    """Node changes (original node → new node) and the imports they need."""

    changes: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    imports: tuple[ImportSpec, ...] = ()


def camel(segment: str) -> str:
    """``tracing_config`` → ``TracingConfig`` (struct and inputs class names)."""
    return "".join(part[:1].upper() + part[1:] for part in segment.split("_"))


_ARGS_CALL = re.compile(r"\w+Args\(")


class Props:
    """The properties of one resource (see the module docstring).

    ``structs`` names the class of a nested value where the platform's convention does not
    derive it: a path prefix → a qualified name (``module:Class`` allowed).
    """

    def __init__(self, rule: Rule, resource: Resource, structs: dict[str, str] | None = None) -> None:
        self.rule = rule
        self.resource = resource
        self.structs = structs or {}
        self.call = resource.call
        self.inputs: cst.Call | Absent | None = self._inputs()

    # -- where the top-level properties are ---------------------------------------------------

    def _inputs(self) -> cst.Call | Absent | None:
        """Pulumi's inputs object (a call), UNKNOWN when it is not a literal call, None when the
        resource passes its properties as keywords."""
        if self.resource.platform is not Platform.PULUMI:
            return None
        node: cst.BaseExpression | None = None
        positional = [a for a in self.call.args if a.keyword is None and not a.star]
        if len(positional) >= 2:
            node = positional[1].value
        else:
            node = argedit.keyword_args(self.call).get("args", cst.Arg(cst.Name("None"))).value
            if isinstance(node, cst.Name) and node.value == "None":
                return None
        if isinstance(node, cst.Call) and any(q.endswith("Args") for q in qualified_names(self.rule, node.func)):
            return node
        return UNKNOWN

    def _top(self) -> cst.Call | Absent:
        if isinstance(self.inputs, (cst.Call, Absent)):
            return self.inputs
        return self.call

    def _lookup(self, container: cst.BaseExpression, segment: str, top: bool) -> cst.BaseExpression | Absent:
        if isinstance(container, cst.Call):
            for arg in container.args:
                if arg.keyword is not None and arg.keyword.value == segment:
                    return arg.value
            extra = [a for a in container.args if a.star or (a.keyword is None and not top)]
            if top:
                positional = [a for a in container.args if a.keyword is None and not a.star]
                # scope and id (CDK, CDKTF), name and inputs (Pulumi): anything beyond is unknown
                limit = 0 if container is self.inputs else 2
                extra = [a for a in container.args if a.star] + positional[limit:]
            return UNKNOWN if extra else MISSING
        if isinstance(container, cst.Dict):
            unknown = False
            for element in container.elements:
                key = argedit.dict_key(element)
                if key == segment and isinstance(element, cst.DictElement):
                    return element.value
                if key is None:
                    unknown = True
            return UNKNOWN if unknown else MISSING
        return UNKNOWN

    def get(self, path: str) -> cst.BaseExpression | Absent:
        """The expression set at ``path``, MISSING or UNKNOWN."""
        node: cst.BaseExpression | Absent = self._top()
        for k, segment in enumerate(path.split(".")):
            if isinstance(node, Absent):
                return node
            node = self._lookup(node, segment, top=k == 0)
        return node

    def literal(self, path: str) -> Any:
        """The literal value at ``path`` (str, int, float, bool, None), MISSING, or UNKNOWN when
        it is set to anything but a literal."""
        node = self.get(path)
        if isinstance(node, Absent):
            return node
        return literal_value(node, UNKNOWN)

    def symbol(self, path: str) -> str | Absent:
        """The qualified name of the value at ``path`` when it is a name or attribute that
        resolves to exactly one (``aws_cdk.aws_sqs.QueueEncryption.UNENCRYPTED``)."""
        node = self.get(path)
        if isinstance(node, Absent):
            return node
        if isinstance(node, (cst.Name, cst.Attribute)):
            names = qualified_names(self.rule, node)
            if len(names) == 1:
                return next(iter(names))
        return UNKNOWN

    def is_set(self, path: str) -> bool | None:
        """True when the code sets ``path``, False when it does not, None when unknown."""
        node = self.get(path)
        if node is UNKNOWN:
            return None
        return node is not MISSING

    # -- writing ------------------------------------------------------------------------------

    def render(self, value: Value, at: cst.CSTNode) -> tuple[str, tuple[ImportSpec, ...]] | None:
        if isinstance(value, Lit):
            return python_literal(value.value, self._quote()), ()
        if isinstance(value, Sym):
            return reference(self.rule, at, value.qualified)
        return value.text, value.imports

    def set(self, path: str, value: Value) -> Edit | None:
        """Set ``path`` to ``value``: replace the value where it is set, else add it in the
        innermost structure that exists. None when the code does not show where it goes."""
        segments = path.split(".")
        node: cst.BaseExpression | Absent = self._top()
        for k, segment in enumerate(segments):
            if isinstance(node, Absent):
                return None
            found = self._lookup(node, segment, top=k == 0)
            if found is UNKNOWN:
                return None
            if found is MISSING:
                return self._add(node, segments[:k], segments[k:], value)
            node = found
        assert not isinstance(node, Absent)
        rendered = self.render(value, node)
        if rendered is None:
            return None
        text, imports = rendered
        return Edit({node: cst.parse_expression(text)}, imports)

    def remove(self, path: str) -> Edit | None:
        """Remove ``path`` where it is set (None when it is not, or the code does not say)."""
        *parents, last = path.split(".")
        container: cst.BaseExpression | Absent = self._top() if not parents else self.get(".".join(parents))
        if isinstance(container, Absent) or isinstance(self._lookup(container, last, not parents), Absent):
            return None
        if isinstance(container, cst.Call):
            return Edit({container: argedit.remove_keyword(container, last)})
        if isinstance(container, cst.Dict):
            return Edit({container: argedit.remove_entry(container, last)})
        return None

    def _add(self, container: cst.BaseExpression, done: list[str], rest: list[str], value: Value) -> Edit | None:
        """Add ``rest`` (a path, nested structures built for all but its last name) with
        ``value`` to ``container``, the existing structure at ``done``."""
        rendered = self.render(value, container)
        if rendered is None:
            return None
        text, imports = rendered
        for k in range(len(rest) - 1, 0, -1):
            struct = self._struct(done + rest[:k], container)
            if struct is None:
                return None
            opening, struct_imports = struct
            imports += struct_imports
            if opening == "{":
                text = "{" + python_literal(rest[k], self._quote()) + ": " + text + "}"
            else:
                text = f"{opening}({rest[k]}={text})"
        new_value = cst.parse_expression(text)
        if isinstance(container, cst.Call):
            call = argedit.add_keyword(container, rest[0], new_value)
            return Edit({container: self.fit(container, call)}, imports)
        if isinstance(container, cst.Dict):
            key = cst.parse_expression(python_literal(rest[0], self._quote()))
            return Edit({container: argedit.add_entry(container, key, new_value)}, imports)
        return None

    def _struct(self, path: list[str], at: cst.CSTNode) -> tuple[str, tuple[ImportSpec, ...]] | None:
        """How a nested value at ``path`` opens: ``"{"`` (Pulumi dict style) or the text naming
        its class, with the imports that text needs."""
        key = ".".join(path)
        res = self.resource
        cls = res.qualified_name.rpartition(".")
        module, name = cls[0], cls[2]
        if key in self.structs:
            qualified = self.structs[key]
        elif res.platform is Platform.PULUMI:
            if self._pulumi_dict_style():
                return "{", ()
            qualified = f"{module}:{name}{''.join(camel(p) for p in path)}Args"
        elif res.platform is Platform.CDKTF:
            qualified = f"{module}:{name}{''.join(camel(p) for p in path)}"
        elif res.platform is Platform.CDK_L1 and len(path) == 1:
            qualified = f"{module}:{name}.{camel(path[0])}Property"
        else:
            return None
        return reference(self.rule, at, qualified)

    def fit(self, original: cst.Call, call: cst.Call) -> cst.Call:
        """``call`` laid out one argument per line when, written on one line as ``original``
        was, it would be longer than the file's longest line (at least 88 columns, Black's
        default)."""
        if not argedit.is_single_line(original):
            return call
        position = self.rule.get_metadata(PositionProvider, original, None)
        if position is None:
            return call
        lines = self.rule.context.source.splitlines()
        limit = max(88, max((len(line) for line in lines), default=0))
        start, end = position.start, position.end
        if start.line != end.line or start.line > len(lines):
            return call
        text = lines[start.line - 1]
        new_width = len(text) - (end.column - start.column) + len(cst.Module(body=[]).code_for_node(call))
        if new_width <= limit:
            return call
        indent = len(text) - len(text.lstrip(" "))
        return argedit.one_per_line(call, indent)

    def _pulumi_dict_style(self) -> bool:
        """Pulumi inputs written as dicts: the file calls no ``…Args`` class."""
        return _ARGS_CALL.search(self.rule.context.source) is None

    def _quote(self) -> str:
        for arg in self.call.args:
            if isinstance(arg.value, cst.SimpleString) and arg.value.quote in ("'", '"'):
                return arg.value.quote
        return '"'
