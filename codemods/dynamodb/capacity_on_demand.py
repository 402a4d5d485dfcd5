"""dynamodb-capacity-on-demand: no provisioned capacity on an on-demand table; provisioned tables without autoscaling."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst

from iacmod.edit import args as argedit
from iacmod.edit.literals import literal_value, quote_of, string_value
from iacmod.edit.symbols import reference
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac import catalog
from iacmod.iac.bindings import DEPENDENCIES, bindings
from iacmod.iac.catalog import Platform
from iacmod.iac.properties import MISSING, UNKNOWN, Props
from iacmod.iac.resources import Resource
from iacmod.iac.rules import ResourceRule
from iacmod.rule import Example, ImportSpec

PPR = "PAY_PER_REQUEST"
PROVISIONED = "PROVISIONED"
BILLING = "aws_cdk.aws_dynamodb.BillingMode."
# CDK calls that scale a table's (or its indexes') capacity
AUTO_SCALE = frozenset(
    {
        "auto_scale_read_capacity",
        "auto_scale_write_capacity",
        "auto_scale_global_secondary_index_read_capacity",
        "auto_scale_global_secondary_index_write_capacity",
    }
)
ADD_GSI = "add_global_secondary_index"
# the table classes with this shape (TableV2 and CfnGlobalTable declare capacity otherwise)
TABLE_CLASSES = frozenset({"Table", "CfnTable", "DynamodbTable"})


@dataclass(frozen=True)
class Shape:
    """Where one platform declares capacity."""

    capacities: tuple[str, ...]  # on the table
    gsis: str | None  # the list of global secondary indexes
    gsi_capacities: tuple[str, ...]  # on each index
    # whether capacities on the indexes of an on-demand table fail (Terraform drops them)
    gsi_fails: bool
    fails: str  # what happens with capacities on an on-demand table


RW = ("read_capacity", "write_capacity")
TF_FAILS = 'the plan fails: `read_capacity can not be set when billing_mode is "PAY_PER_REQUEST"`'
SHAPES = {
    Platform.PULUMI: Shape(RW, "global_secondary_indexes", RW, False, TF_FAILS),
    Platform.CDKTF: Shape(RW, "global_secondary_index", RW, False, TF_FAILS),
    Platform.CDK: Shape(
        RW,
        None,
        (),
        True,
        "`cdk synth` throws (`you cannot provision read and write capacity "
        "for a table with PAY_PER_REQUEST billing mode`)",
    ),
    Platform.CDK_L1: Shape(
        ("provisioned_throughput",),
        "global_secondary_indexes",
        ("provisioned_throughput",),
        True,
        "CloudFormation rejects the table (cfn-lint E3638)",
    ),
}
GSI_FAILS = (
    "DynamoDB's CreateTable rejects it (`ProvisionedThroughput should not be specified for index … when "
    "BillingMode is PAY_PER_REQUEST`)"
)


def _code(node: cst.CSTNode) -> str:
    return cst.Module(body=[]).code_for_node(node)


def _set_in(node: cst.BaseExpression, keys: tuple[str, ...]) -> list[str]:
    """The keys among ``keys`` that a struct call or a dict literal sets."""
    if isinstance(node, cst.Call):
        return [k for k in keys if k in argedit.keyword_args(node)]
    if isinstance(node, cst.Dict):
        return [k for k in keys if any(argedit.dict_key(e) == k for e in node.elements)]
    return []


def _multiline(ws: object) -> bool:
    return isinstance(ws, cst.ParenthesizedWhitespace)


def _remove_keyword(call: cst.Call, key: str) -> cst.Call:
    """``argedit.remove_keyword``, keeping the line structure around the argument removed: a
    line break after it stays (the previous argument takes it, without any comment), and a last
    argument hugging the closing parenthesis leaves the previous one hugging it."""
    args = list(call.args)
    for k, arg in enumerate(args):
        if arg.keyword is None or arg.keyword.value != key or k == 0:
            continue
        prev = args[k - 1]
        after = arg.comma.whitespace_after if isinstance(arg.comma, cst.Comma) else arg.whitespace_after_arg
        prev_after = prev.comma.whitespace_after if isinstance(prev.comma, cst.Comma) else None
        if prev_after is None:
            break
        if k < len(args) - 1 and _multiline(after) and not _multiline(prev_after):
            assert isinstance(after, cst.ParenthesizedWhitespace)
            clean = after.with_changes(first_line=cst.TrailingWhitespace(), empty_lines=[])
            assert isinstance(prev.comma, cst.Comma)
            args[k - 1] = prev.with_changes(comma=prev.comma.with_changes(whitespace_after=clean))
            return call.with_changes(args=args[:k] + args[k + 1 :])
        if k == len(args) - 1 and _multiline(prev_after) and not _multiline(after):
            args[k - 1] = prev.with_changes(comma=arg.comma, whitespace_after_arg=arg.whitespace_after_arg)
            return call.with_changes(args=args[:k])
        break
    return argedit.remove_keyword(call, key)


def _without(node: cst.BaseExpression, keys: list[str]) -> cst.BaseExpression:
    for key in keys:
        if isinstance(node, cst.Call):
            node = _remove_keyword(node, key)
        elif isinstance(node, cst.Dict):
            node = argedit.remove_entry(node, key)
    return node


def _declares(value: cst.BaseExpression, platform: Platform) -> bool:
    """Whether a capacity value declares capacity: not ``None``, nor ``0`` where the platform
    accepts it on an on-demand table (Terraform, CloudFormation; CDK's ``Table`` throws on any
    number), nor a CloudFormation throughput struct of zeros."""
    literal = literal_value(value, UNKNOWN)
    if literal is None or (literal == 0 and platform is not Platform.CDK):
        return False
    if isinstance(value, (cst.Call, cst.Dict)):
        units = ("read_capacity_units", "write_capacity_units")
        keys = _set_in(value, units)
        return not (
            keys and all(literal_value(_value_of(value, k), UNKNOWN) == 0 for k in keys) and len(keys) == len(units)
        )
    return True


def _value_of(node: cst.BaseExpression, key: str) -> cst.BaseExpression:
    if isinstance(node, cst.Call):
        return argedit.keyword_args(node)[key].value
    assert isinstance(node, cst.Dict)
    return next(e.value for e in node.elements if isinstance(e, cst.DictElement) and argedit.dict_key(e) == key)


class DynamodbCapacityOnDemand(ResourceRule):
    code = "IAC504"
    name = "dynamodb-capacity-on-demand"
    summary = "No read/write capacity on a PAY_PER_REQUEST table; provisioned tables without autoscaling"
    severity = Severity.ERROR
    resource_types = (catalog.DYNAMODB_TABLE, catalog.APPAUTOSCALING_TARGET)
    triggers = catalog.triggers((catalog.DYNAMODB_TABLE,))  # scaling targets matter only next to a table
    targets = frozenset({"pulumi", "cdk", "cdktf"})
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS
    METADATA_DEPENDENCIES = (*ResourceRule.METADATA_DEPENDENCIES, *DEPENDENCIES)
    rationale = """
An on-demand table (`billing_mode="PAY_PER_REQUEST"`, CDK `BillingMode.PAY_PER_REQUEST`) has no
provisioned capacity, and declaring some breaks the deployment:

- CDK: `Table(…, billing_mode=BillingMode.PAY_PER_REQUEST, read_capacity=…)` and
  `table.add_global_secondary_index(read_capacity=…)` on such a table throw at synth;
- CloudFormation: `CfnTable` with `ProvisionedThroughput` on a `PAY_PER_REQUEST` table fails
  (cfn-lint E3638), and so does `ProvisionedThroughput` on one of its global secondary indexes
  (DynamoDB's `CreateTable`: "ProvisionedThroughput should not be specified for index");
- Terraform (CDKTF, and Pulumi through the bridged provider): `read_capacity`/`write_capacity` on
  the table fail the plan ("can not be set when billing_mode is PAY_PER_REQUEST"). On global
  secondary indexes the provider drops them without a word, so they are not reported there.

Capacities of `0` pass Terraform and CloudFormation (not CDK's `Table`, which throws on any
number) and are not reported there; `None` means unset everywhere.

A separate finding (severity *warning*) concerns `PROVISIONED` tables — explicit, or by default:
Pulumi, Terraform and CloudFormation default to `PROVISIONED`, and CDK's `Table` to
`PROVISIONED` with 5 read and 5 write units — when nothing in the program scales them (CDK
`auto_scale_read_capacity`/`auto_scale_write_capacity`, an Application Auto Scaling target for
DynamoDB): fixed capacity throttles under any spike and bills when idle. Without capacities at
all, a `PROVISIONED` Terraform or CloudFormation table does not deploy (severity *error*).
"""
    fix_description = """
On an on-demand table: removes `read_capacity`/`write_capacity` (`provisioned_throughput` on
`CfnTable`), on the table and on the indexes where they fail. On a provisioned table without
autoscaling: sets `billing_mode` to `PAY_PER_REQUEST` and removes the capacities of the table and
of its indexes (CDK: of its `add_global_secondary_index` calls). Not offered when an index list or
an index call may belong to the table and cannot be read.
"""
    fix_safety_notes = """
Removing capacities from an on-demand table is **safe**: the program cannot deploy
as written, and on-demand tables ignore capacity. Switching a provisioned table to on-demand is
**unsafe**: the cost model changes (per request instead of per hour), and AWS allows switching an
existing table from provisioned to on-demand at most four times in a 24-hour rolling window.
"""
    examples = (
        Example(
            title="pulumi on-demand table with capacities",
            before="""
            import pulumi_aws as aws
            table = aws.dynamodb.Table(
                "orders",
                billing_mode="PAY_PER_REQUEST",
                hash_key="pk",
                attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
                read_capacity=5,
                write_capacity=5,
            )
            """,
            after="""
            import pulumi_aws as aws
            table = aws.dynamodb.Table(
                "orders",
                billing_mode="PAY_PER_REQUEST",
                hash_key="pk",
                attributes=[aws.dynamodb.TableAttributeArgs(name="pk", type="S")],
            )
            """,
            findings=1,
            message="the plan fails",
            line=7,
        ),
        Example(
            title="cdk on-demand table and its index",
            before="""
            from aws_cdk import aws_dynamodb as dynamodb
            table = dynamodb.Table(self, "Orders", partition_key=pk, billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                                   read_capacity=5, write_capacity=5)
            table.add_global_secondary_index(index_name="by-user", partition_key=user, read_capacity=5, write_capacity=5)
            """,
            after="""
            from aws_cdk import aws_dynamodb as dynamodb
            table = dynamodb.Table(self, "Orders", partition_key=pk, billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST)
            table.add_global_secondary_index(index_name="by-user", partition_key=user)
            """,
            findings=2,
        ),
        Example(
            title="cfn table and index throughput",
            before="""
            from aws_cdk import aws_dynamodb as dynamodb
            throughput = dynamodb.CfnTable.ProvisionedThroughputProperty(read_capacity_units=5, write_capacity_units=5)
            dynamodb.CfnTable(self, "Raw", billing_mode="PAY_PER_REQUEST", key_schema=keys,
                              provisioned_throughput=throughput,
                              global_secondary_indexes=[dynamodb.CfnTable.GlobalSecondaryIndexProperty(
                                  index_name="g", key_schema=gkeys, projection=proj, provisioned_throughput=throughput)])
            """,
            after="""
            from aws_cdk import aws_dynamodb as dynamodb
            throughput = dynamodb.CfnTable.ProvisionedThroughputProperty(read_capacity_units=5, write_capacity_units=5)
            dynamodb.CfnTable(self, "Raw", billing_mode="PAY_PER_REQUEST", key_schema=keys,
                              global_secondary_indexes=[dynamodb.CfnTable.GlobalSecondaryIndexProperty(
                                  index_name="g", key_schema=gkeys, projection=proj)])
            """,
            findings=2,
        ),
        Example(
            title="provisioned cdk table without autoscaling switches: unsafe",
            before="""
            from aws_cdk import aws_dynamodb as dynamodb
            table = dynamodb.Table(self, "Events", partition_key=pk, read_capacity=10, write_capacity=10)
            table.add_global_secondary_index(index_name="by-day", partition_key=day, read_capacity=5, write_capacity=5)
            """,
            after="""
            from aws_cdk import aws_dynamodb as dynamodb
            table = dynamodb.Table(self, "Events", partition_key=pk, billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST)
            table.add_global_secondary_index(index_name="by-day", partition_key=day)
            """,
            unsafe=True,
            findings=1,
            message="no autoscaling",
            line=2,
        ),
        Example(
            title="provisioned pulumi table switches with its indexes: unsafe",
            before="""
            import pulumi_aws as aws
            aws.dynamodb.Table("t", billing_mode="PROVISIONED", hash_key="pk", read_capacity=5, write_capacity=5,
                               global_secondary_indexes=[{"name": "g", "hash_key": "x", "projection_type": "ALL",
                                                          "read_capacity": 5, "write_capacity": 5}])
            """,
            after="""
            import pulumi_aws as aws
            aws.dynamodb.Table("t", billing_mode="PAY_PER_REQUEST", hash_key="pk",
                               global_secondary_indexes=[{"name": "g", "hash_key": "x", "projection_type": "ALL"}])
            """,
            unsafe=True,
        ),
        Example(
            title="pulumi table with neither billing mode nor capacities cannot deploy",
            before="""
            import pulumi_aws as aws
            aws.dynamodb.Table("sessions", hash_key="id", attributes=[{"name": "id", "type": "S"}])
            """,
            after="""
            import pulumi_aws as aws
            aws.dynamodb.Table(
                "sessions",
                hash_key="id",
                attributes=[{"name": "id", "type": "S"}],
                billing_mode="PAY_PER_REQUEST",
            )
            """,
            unsafe=True,
            message="as written it does not deploy",
            line=2,
        ),
        Example(
            title="index list that cannot be read is detect-only",
            before="""
            from cdktf_cdktf_provider_aws.dynamodb_table import DynamodbTable
            DynamodbTable(self, "t", name="t", hash_key="pk", read_capacity=5, write_capacity=5,
                          global_secondary_index=indexes)
            """,
            findings=1,
            message="not fixed",
        ),
        Example(
            title="autoscaled unknown and on-demand tables stay",
            before="""
            import pulumi_aws as aws
            from aws_cdk import aws_dynamodb as dynamodb
            a = aws.dynamodb.Table("a", billing_mode="PAY_PER_REQUEST", hash_key="pk",
                                   global_secondary_indexes=[{"name": "g", "hash_key": "x", "read_capacity": 1}])
            b = aws.dynamodb.Table("b", billing_mode=mode, hash_key="pk", read_capacity=5)
            c = dynamodb.Table(self, "C", partition_key=pk, read_capacity=5, write_capacity=5)
            c.auto_scale_read_capacity(min_capacity=5, max_capacity=50)
            d = dynamodb.Table(self, "D", partition_key=pk, replication_regions=["eu-west-1"])
            e = aws.dynamodb.Table("e", billing_mode="PAY_PER_REQUEST", hash_key="pk", read_capacity=0, write_capacity=0)
            f = dynamodb.Table(self, "F", partition_key=pk, billing_mode=dynamodb.BillingMode.PAY_PER_REQUEST,
                               read_capacity=None)
            """,
            findings=0,
        ),
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.gsi_calls: list[cst.Call] = []
        self.scale_calls: list[cst.Call] = []

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        if isinstance(node.func, cst.Attribute):
            if node.func.attr.value == ADD_GSI:
                self.gsi_calls.append(node)
            elif node.func.attr.value in AUTO_SCALE:
                self.scale_calls.append(node)

    # -- after the walk ---------------------------------------------------------------------------

    def finish(self) -> None:
        tables = [r for r in self.found if r.type is catalog.DYNAMODB_TABLE and r.class_name in TABLE_CLASSES]
        if not tables:
            return
        props = {t.call: Props(self, t) for t in tables}
        modes = {t.call: self._billing(t, props[t.call]) for t in tables}
        scaled_all, scaled = self._autoscaling()
        gsi_tables = {call: self._tables_of(call) for call in self.gsi_calls if _set_in(call, RW)}
        for table in tables:
            mode = modes[table.call]
            if mode == PPR:
                self._on_demand(table, props[table.call])
            elif mode == PROVISIONED and not scaled_all and table.call not in scaled:
                self._provisioned(table, props[table.call], gsi_tables)
        for call, owners in gsi_tables.items():
            if owners and all(modes.get(t.call) == PPR and t.platform is Platform.CDK for t in owners):
                keys = [k for k in _set_in(call, RW) if _declares(_value_of(call, k), Platform.CDK)]
                if not keys:
                    continue
                self.report(
                    _value_of(call, keys[0]),
                    f"`{'`/`'.join(keys)}` on an index of a PAY_PER_REQUEST table: {SHAPES[Platform.CDK].fails}",
                    changes={call: _without(call, keys)},
                )

    def _billing(self, table: Resource, props: Props) -> str | None:
        """PAY_PER_REQUEST, PROVISIONED (set, or by default) or None (the code does not say)."""
        if table.platform is Platform.CDK:
            symbol = props.symbol("billing_mode")
            if symbol is MISSING:
                return PROVISIONED if props.is_set("replication_regions") is False else None
            if isinstance(symbol, str) and symbol.startswith(BILLING):
                mode = symbol[len(BILLING) :]
                return mode if mode in (PPR, PROVISIONED) else None
            return None
        value = props.literal("billing_mode")
        if value is MISSING:
            return PROVISIONED
        return value if value in (PPR, PROVISIONED) else None

    def _autoscaling(self) -> tuple[bool, set[cst.Call]]:
        """Whether anything may scale every table (a scaling target for DynamoDB, or one whose
        namespace is not known; a CDK ``auto_scale_…`` call on an unknown table), and the tables
        a CDK ``auto_scale_…`` call certainly scales."""
        for target in self.found:
            if target.type is not catalog.APPAUTOSCALING_TARGET:
                continue
            props = Props(self, target)
            value = props.literal("service_namespace")
            if value is UNKNOWN:
                value = props.symbol("service_namespace")
            if not isinstance(value, str) or value == "dynamodb" or value.endswith(".DYNAMODB"):
                return True, set()
        scaled: set[cst.Call] = set()
        for call in self.scale_calls:
            owners = self._tables_of(call)
            if owners is None:
                return True, set()
            scaled.update(t.call for t in owners)
        return False, scaled

    def _tables_of(self, call: cst.Call) -> tuple[Resource, ...] | None:
        """The tables a method call's receiver can be, or None when it may be another one."""
        assert isinstance(call.func, cst.Attribute)
        found = bindings(self).values(call.func.value)
        tables = bindings(self).resources(call.func.value, catalog.DYNAMODB_TABLE)
        if not found.complete or len(tables) != len(found.known):
            return None
        return tables

    # -- findings -----------------------------------------------------------------------------------

    @staticmethod
    def _top(props: Props) -> cst.Call:
        return props.inputs if isinstance(props.inputs, cst.Call) else props.call

    def _on_demand(self, table: Resource, props: Props) -> None:
        shape = SHAPES[table.platform]
        container = self._top(props)
        present = [k for k in shape.capacities if props.is_set(k) and _declares(props.get(k), table.platform)]  # type: ignore[arg-type]
        if present:
            self.report(
                props.get(present[0]),  # type: ignore[arg-type]
                f"`{'`/`'.join(present)}` on a PAY_PER_REQUEST table: {shape.fails}; remove it",
                changes={container: _without(container, present)},
            )
        indexes = props.get(shape.gsis) if shape.gsis and shape.gsi_fails else None
        if isinstance(indexes, (cst.List, cst.Tuple)):
            for element in indexes.elements:
                keys = _set_in(element.value, shape.gsi_capacities)
                if keys:
                    self.report(
                        _value_of(element.value, keys[0]),
                        f"`{'`/`'.join(keys)}` on an index of a PAY_PER_REQUEST table: {GSI_FAILS}",
                        changes={element.value: _without(element.value, keys)},
                    )

    def _provisioned(
        self, table: Resource, props: Props, gsi_tables: dict[cst.Call, tuple[Resource, ...] | None]
    ) -> None:
        shape = SHAPES[table.platform]
        explicit = props.is_set("billing_mode")
        missing = [k for k in shape.capacities if props.is_set(k) is False]
        what = table.type.doc
        if table.platform is Platform.CDK and missing:
            detail = f"{what} PROVISIONED by default with 5 read and 5 write units"
        elif explicit:
            detail = f"{what} with `billing_mode` PROVISIONED"
        else:
            detail = f"{what} PROVISIONED by default (no `billing_mode`)"
        message = (
            f"{detail} and no autoscaling in this module: fixed capacity throttles under load and bills "
            "when idle; consider on-demand (PAY_PER_REQUEST)"
        )
        severity = Severity.WARNING
        if table.platform is not Platform.CDK and len(missing) == len(shape.capacities):
            message += "; as written it does not deploy: a PROVISIONED table needs its capacities"
            severity = Severity.ERROR
        changes = self._switch(table, props, gsi_tables)
        if changes is None:
            self.report(
                table.call,
                message + " (not fixed: an index may belong to this table and cannot be read)",
                severity=severity,
            )
            return
        edits, imports = changes
        self.report(table.call, message, changes=edits, add_imports=imports, safety=FixSafety.UNSAFE, severity=severity)

    def _switch(
        self, table: Resource, props: Props, gsi_tables: dict[cst.Call, tuple[Resource, ...] | None]
    ) -> tuple[dict[cst.CSTNode, cst.CSTNode], tuple[ImportSpec, ...]] | None:
        """The changes that make ``table`` on-demand: billing mode, capacities of the table and
        of its indexes."""
        shape = SHAPES[table.platform]
        container = self._top(props)
        changes: dict[cst.CSTNode, cst.CSTNode] = {}
        new = container
        if shape.gsis:
            indexes = props.get(shape.gsis)
            if indexes is UNKNOWN or (indexes is not MISSING and not isinstance(indexes, (cst.List, cst.Tuple))):
                return None
            if isinstance(indexes, (cst.List, cst.Tuple)):
                if any(
                    isinstance(e, cst.StarredElement) or not isinstance(e.value, (cst.Call, cst.Dict))
                    for e in indexes.elements
                ):
                    return None
                stripped = indexes.with_changes(
                    elements=[
                        e.with_changes(value=_without(e.value, _set_in(e.value, shape.gsi_capacities)))
                        for e in indexes.elements
                    ]
                )
                new = new.with_changes(
                    args=[
                        a.with_changes(value=stripped) if a.keyword is not None and a.keyword.value == shape.gsis else a
                        for a in new.args
                    ]
                )
        if table.platform is Platform.CDK:
            for call, owners in gsi_tables.items():
                if owners is None:
                    return None
                if any(t.call is table.call for t in owners):
                    changes[call] = _without(call, _set_in(call, RW))
        without = _without(new, [k for k in shape.capacities if props.is_set(k)])
        assert isinstance(without, cst.Call)
        new = without
        imports: tuple[ImportSpec, ...] = ()
        if table.platform is Platform.CDK:
            found = reference(self, container, BILLING + PPR)
            if found is None:
                return None
            text, imports = found
        else:
            current = props.get("billing_mode")
            text = quote_of(current if isinstance(current, cst.SimpleString) else self._any_string(container)) + PPR
            text += text[0]
        value = cst.parse_expression(text)
        if props.is_set("billing_mode"):
            new = new.with_changes(
                args=[
                    a.with_changes(value=value) if a.keyword is not None and a.keyword.value == "billing_mode" else a
                    for a in new.args
                ]
            )
        else:
            # laid out one argument per line when the call no longer fits, as Props.set does
            new = props.fit(container, argedit.add_keyword(new, "billing_mode", value))
        changes[container] = new
        return changes, imports

    @staticmethod
    def _any_string(call: cst.Call) -> cst.BaseExpression | None:
        for arg in call.args:
            if string_value(arg.value) is not None:
                return arg.value
        return None
