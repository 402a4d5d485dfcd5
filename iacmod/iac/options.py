"""Resource options: what happens to a resource when it leaves the program, on every platform.

- **Pulumi**: ``opts=pulumi.ResourceOptions(protect=True)`` refuses to delete;
  ``retain_on_delete=True`` deletes from the state but keeps the cloud resource.
- **CDK**: ``removal_policy=RemovalPolicy.RETAIN`` (also ``SNAPSHOT``,
  ``RETAIN_ON_UPDATE_OR_DELETE``) on L2 constructs, or ``x.apply_removal_policy(...)`` on the
  construct (L1 too). Without one, the L2 default depends on the construct (tables, buckets and
  log groups retain; queues are destroyed: ``ResourceType.cdk_retained_by_default``); L1
  ``Cfn…`` resources get CloudFormation's default, delete.
- **CDKTF**: ``lifecycle=TerraformResourceLifecycle(prevent_destroy=True)`` (or a dict).

:class:`Options` reads these (``retained()``: True / False / None when the code does not say)
and writes the retaining option in the file's style, merged into existing options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from iacmod.edit import args as argedit
from iacmod.edit.literals import literal_value
from iacmod.iac.catalog import Platform
from iacmod.iac.names import qualified_names
from iacmod.iac.properties import MISSING, UNKNOWN, Absent, Edit
from iacmod.iac.resources import last_name

if TYPE_CHECKING:
    from iacmod.iac.resources import Resource
    from iacmod.rule import Rule

RETAINING_POLICIES = frozenset({"RETAIN", "SNAPSHOT", "RETAIN_ON_UPDATE_OR_DELETE"})
REMOVAL_POLICY = "aws_cdk.RemovalPolicy"


class Options:
    """The resource options of one resource. ``policy_calls``: the
    ``x.apply_removal_policy(...)`` calls made on this resource (a rule finds them through the
    bindings, since they are separate statements)."""

    def __init__(self, rule: Rule, resource: Resource, policy_calls: tuple[cst.Call, ...] = ()) -> None:
        self.rule = rule
        self.resource = resource
        self.policy_calls = policy_calls

    def _keyword(self, name: str) -> cst.BaseExpression | Absent:
        call = self.resource.call
        for arg in call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg.value
        return UNKNOWN if argedit.has_star_args(call) else MISSING

    # -- Pulumi ----------------------------------------------------------------------------------

    def pulumi_options(self) -> cst.Call | Absent:
        """The ``ResourceOptions(...)`` call passed as ``opts``, MISSING, or UNKNOWN (a variable,
        ``ResourceOptions.merge(...)``)."""
        node = self._keyword("opts")
        if isinstance(node, Absent):
            return node
        if isinstance(node, cst.Name) and node.value == "None":
            return MISSING
        if isinstance(node, cst.Call) and "pulumi.ResourceOptions" in qualified_names(self.rule, node.func):
            return node
        return UNKNOWN

    # -- CDK -------------------------------------------------------------------------------------

    def removal_policy(self) -> str | Absent:
        """CDK: the removal policy's member name (``"RETAIN"``, ``"DESTROY"``…) set by
        ``removal_policy=`` or a later ``apply_removal_policy`` (the last one wins), MISSING, or
        UNKNOWN."""
        values: list[cst.BaseExpression | Absent] = [self._keyword("removal_policy")]
        for call in self.policy_calls:
            values.append(call.args[0].value if call.args and call.args[0].keyword is None else UNKNOWN)
        chosen: str | Absent = MISSING
        for value in values:
            if value is MISSING:
                continue
            if value is UNKNOWN or isinstance(value, Absent):
                chosen = UNKNOWN
                continue
            names = qualified_names(self.rule, value)
            members = {n.rpartition(".")[2] for n in names if n.rpartition(".")[0] == REMOVAL_POLICY}
            chosen = members.pop() if len(members) == 1 else UNKNOWN
        return chosen

    # -- all platforms ---------------------------------------------------------------------------

    def retained(self) -> bool | None:
        """Whether removing the resource from the program keeps the cloud resource: True, False,
        or None when the code does not say."""
        platform = self.resource.platform
        if platform is Platform.PULUMI:
            opts = self.pulumi_options()
            if opts is MISSING:
                return False
            if isinstance(opts, Absent):
                return None
            kwargs = argedit.keyword_args(opts)
            values = [literal_value(kwargs[k].value, UNKNOWN) for k in ("protect", "retain_on_delete") if k in kwargs]
            if any(v is True for v in values):
                return True
            if argedit.has_star_args(opts) or any(v is UNKNOWN for v in values):
                return None
            return False
        if platform in (Platform.CDK, Platform.CDK_L1):
            policy = self.removal_policy()
            if policy is UNKNOWN:
                return None
            if policy is MISSING:  # L2 defaults vary by construct (catalog); L1: CloudFormation deletes
                return platform is Platform.CDK and self.resource.type.cdk_retained_by_default
            return policy in RETAINING_POLICIES
        lifecycle = self._keyword("lifecycle")
        if lifecycle is MISSING:
            return False
        if isinstance(lifecycle, Absent):
            return None
        value: object = UNKNOWN
        if isinstance(lifecycle, cst.Call):
            kwargs = argedit.keyword_args(lifecycle)
            value = literal_value(kwargs["prevent_destroy"].value, UNKNOWN) if "prevent_destroy" in kwargs else False
        elif isinstance(lifecycle, cst.Dict):
            entries = {argedit.dict_key(e): e for e in lifecycle.elements}
            entry = entries.get("prevent_destroy")
            value = (
                literal_value(entry.value, UNKNOWN)
                if isinstance(entry, cst.DictElement)
                else (UNKNOWN if None in entries else False)
            )
        return None if value is UNKNOWN else value is True

    def retain(self, reference: Reference) -> Edit | None:
        """Write the retaining option, merged into existing options. ``reference`` resolves a
        symbol to text and imports (``iacmod.edit.symbols.reference`` bound to the rule and a
        node). None when the code does not show where it goes."""
        call = self.resource.call
        platform = self.resource.platform
        if platform is Platform.PULUMI:
            opts = self.pulumi_options()
            if opts is UNKNOWN:
                return None
            if isinstance(opts, cst.Call):
                kwargs = argedit.keyword_args(opts)
                if "retain_on_delete" in kwargs:
                    return Edit({kwargs["retain_on_delete"].value: cst.Name("True")})
                return Edit({opts: argedit.add_keyword(opts, "retain_on_delete", cst.Name("True"), before=())})
            ref = reference("pulumi:ResourceOptions")
            if ref is None:
                return None
            text, imports = ref
            new = cst.parse_expression(f"{text}(retain_on_delete=True)")
            return Edit({call: argedit.add_keyword(call, "opts", new, before=())}, imports)
        if platform in (Platform.CDK, Platform.CDK_L1):
            if self.policy_calls:
                return None  # the policy is applied elsewhere; changing it there is the caller's job
            ref = reference("aws_cdk:RemovalPolicy.RETAIN")
            if ref is None:
                return None
            text, imports = ref
            existing = self._keyword("removal_policy")
            if existing is UNKNOWN:
                return None
            if isinstance(existing, cst.BaseExpression):
                if self.removal_policy() is UNKNOWN:
                    return None  # a policy chosen elsewhere (a variable): not ours to override
                return Edit({existing: cst.parse_expression(text)}, imports)
            if platform is Platform.CDK_L1:
                return None  # L1 constructs take apply_removal_policy(), a statement of its own
            return Edit({call: argedit.add_keyword(call, "removal_policy", cst.parse_expression(text))}, imports)
        existing = self._keyword("lifecycle")
        if existing is UNKNOWN:
            return None
        if isinstance(existing, cst.Call):
            kwargs = argedit.keyword_args(existing)
            if "prevent_destroy" in kwargs:
                return Edit({kwargs["prevent_destroy"].value: cst.Name("True")})
            return Edit({existing: argedit.add_keyword(existing, "prevent_destroy", cst.Name("True"))})
        if isinstance(existing, cst.Dict):
            return Edit(
                {existing: argedit.add_entry(existing, cst.SimpleString('"prevent_destroy"'), cst.Name("True"))}
            )
        if isinstance(existing, cst.BaseExpression):
            return None
        ref = reference("cdktf:TerraformResourceLifecycle")
        if ref is None:
            return None
        text, imports = ref
        new = cst.parse_expression(f"{text}(prevent_destroy=True)")
        return Edit({call: argedit.add_keyword(call, "lifecycle", new)}, imports)


def policy_calls_of(rule: Rule, calls: list[cst.Call], receiver_is: ReceiverCheck) -> tuple[cst.Call, ...]:
    """The ``x.apply_removal_policy(...)`` calls among ``calls`` whose receiver ``receiver_is``
    accepts (the rule's bindings decide whether ``x`` is the resource)."""
    return tuple(
        c
        for c in calls
        if last_name(c.func) == "apply_removal_policy"
        and isinstance(c.func, cst.Attribute)
        and receiver_is(c.func.value)
    )


if TYPE_CHECKING:
    from collections.abc import Callable

    from iacmod.rule import ImportSpec

    Reference = Callable[[str], "tuple[str, tuple[ImportSpec, ...]] | None"]
    ReceiverCheck = Callable[[cst.BaseExpression], bool]
