"""Rule bases on the IaC model: declarative property rules, and resource rules with logic.

A :class:`PropertyRule` is data, in the spirit of Checkov's ``BaseResourceValueCheck``: the
resource type, and per platform a :class:`Check` — the property path, the values that are fine,
the value a fix sets, the properties whose presence makes the check moot. The base finds every
resource of the type on every platform (:func:`~iacmod.iac.resources.resource_at`), reads the
property (:class:`~iacmod.iac.properties.Props`) and reports:

- property MISSING: the ``missing`` message, with a fix setting ``Check.fix`` (safety
  ``missing_safety``) when one is declared and can be written exactly;
- property set to a value outside ``Check.good``: the ``bad`` message at the value, with a fix
  setting ``Check.bad_fix`` (safety ``bad_safety``) when declared, else detect-only;
- property UNKNOWN (``**kwargs``, an inputs variable), or set to something that is neither a
  literal nor a resolvable symbol: nothing — the code does not say, and iacmod never guesses.

A :class:`ResourceRule` gets each resource of its types with its properties and decides in
``check``. Both derive their prefilter triggers and targets from the catalog.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar

import libcst as cst
from libcst.metadata import PositionProvider, ProviderT, QualifiedNameProvider, ScopeProvider

from iacmod.findings import FixAvailability, FixSafety, RuleApplicability
from iacmod.iac import catalog
from iacmod.iac.catalog import Platform, ResourceType
from iacmod.iac.properties import MISSING, UNKNOWN, Absent, Props, Value
from iacmod.iac.resources import Resource, resource_at
from iacmod.rule import Rule

_TARGET_OF = {
    Platform.PULUMI: "pulumi",
    Platform.CDK: "cdk",
    Platform.CDK_L1: "cdk",
    Platform.CDKTF: "cdktf",
}


@dataclass(frozen=True)
class Check:
    """What a property rule checks on one platform."""

    path: str  # the property, e.g. "sqs_managed_sse_enabled" or "tracing_config.mode"
    fix: Value | None = None  # what the fix sets when the property is missing; None: finding only
    # values that are fine: literals, or qualified names of symbols (CDK enums); empty: any
    good: tuple[Any, ...] = ()
    bad_fix: Value | None = None  # what the fix sets when the value is not good; None: finding only
    # properties that make the check moot when set, or possibly set (a KMS key for encryption)
    unless: tuple[str, ...] = ()
    # class of a nested value where the platform's naming convention does not give it
    structs: Mapping[str, str] = field(default_factory=dict)


class ResourceRule(Rule):
    """A rule about resources of ``resource_types``: ``check`` is called for each as the walk
    meets it, and ``finish`` once at the end of the module with every resource found (in
    ``self.found``), for rules that relate resources to each other (a permission anywhere in
    the program, the queue a mapping reads)."""

    resource_types: ClassVar[tuple[ResourceType, ...]] = ()
    METADATA_DEPENDENCIES: ClassVar[tuple[ProviderT, ...]] = (QualifiedNameProvider, ScopeProvider, PositionProvider)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.resource_types and "triggers" not in cls.__dict__:
            cls.triggers = catalog.triggers(cls.resource_types)

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.found: list[Resource] = []

    def visit_Call(self, node: cst.Call) -> None:
        if not self.resource_types:
            return
        resource = resource_at(self, node, *self.resource_types)
        if resource is not None:
            self.found.append(resource)
            self.check(resource, self.props(resource))

    def leave_Module(self, original_node: cst.Module) -> None:
        self.finish()

    def props(self, resource: Resource) -> Props:
        return Props(self, resource)

    def check(self, resource: Resource, props: Props) -> None:
        """Called for each resource as the walk meets it (default: nothing)."""

    def finish(self) -> None:
        """Called once after the walk, with every resource in ``self.found`` (default: nothing)."""


class PropertyRule(ResourceRule):
    """A declarative property rule (see the module docstring)."""

    resource: ClassVar[ResourceType]
    checks: ClassVar[Mapping[Platform, Check]]
    # message templates; fields: {resource} (e.g. "an SQS queue"), {path}, {value} (bad only)
    missing: ClassVar[str]
    bad: ClassVar[str] = ""
    missing_safety: ClassVar[FixSafety] = FixSafety.SAFE
    bad_safety: ClassVar[FixSafety] = FixSafety.SAFE

    def __init_subclass__(cls, **kwargs: Any) -> None:
        if "resource" in cls.__dict__:
            cls.resource_types = (cls.resource,)
            if "targets" not in cls.__dict__:
                cls.targets = frozenset(_TARGET_OF[p] for p in cls.checks)
            # what the fixes are, from the declared checks
            fixes = [c.fix is not None for c in cls.checks.values()]
            fixes += [c.bad_fix is not None for c in cls.checks.values() if c.good and cls.bad]
            safeties = {cls.missing_safety} if any(c.fix for c in cls.checks.values()) else set()
            if any(c.bad_fix for c in cls.checks.values()):
                safeties.add(cls.bad_safety)
            if "fix_availability" not in cls.__dict__:
                cls.fix_availability = (
                    FixAvailability.ALWAYS
                    if all(fixes)
                    else FixAvailability.SOMETIMES
                    if any(fixes)
                    else FixAvailability.NONE
                )
            if "fix_applicability" not in cls.__dict__ and safeties:
                cls.fix_applicability = (
                    RuleApplicability.DEPENDS
                    if len(safeties) > 1
                    else RuleApplicability.SAFE
                    if FixSafety.SAFE in safeties
                    else RuleApplicability.UNSAFE
                )
        super().__init_subclass__(**kwargs)

    def props(self, resource: Resource) -> Props:
        check = self.checks.get(resource.platform)
        return Props(self, resource, dict(check.structs) if check else None)

    def check(self, resource: Resource, props: Props) -> None:
        check = self.checks.get(resource.platform)
        if check is None or any(props.is_set(p) is not False for p in check.unless):
            return
        node = props.get(check.path)
        if node is UNKNOWN:
            return
        words = {"resource": resource.type.doc or resource.type.key, "path": check.path}
        if node is MISSING:
            self._report(resource.call, self.missing.format(**words), props, check.path, check.fix, self.missing_safety)
            return
        assert not isinstance(node, Absent)
        if not check.good:
            return
        value: Any = props.literal(check.path)
        if value is UNKNOWN:
            value = props.symbol(check.path)
            if value is UNKNOWN:
                return
        if value in check.good:
            return
        text = self.module_code(node)
        self._report(node, self.bad.format(value=text, **words), props, check.path, check.bad_fix, self.bad_safety)

    def _report(
        self, node: cst.CSTNode, message: str, props: Props, path: str, value: Value | None, safety: FixSafety
    ) -> None:
        edit = props.set(path, value) if value is not None else None
        if value is not None and edit is None:
            message += f" (not fixed: `{path}` cannot be set here without guessing the file's names)"
        if edit is None:
            self.report(node, message)
        else:
            self.report(node, message, changes=edit.changes, add_imports=edit.imports, safety=safety)

    def module_code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)
