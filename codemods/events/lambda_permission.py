"""eventbridge-lambda-permission: an EventBridge rule can invoke a Lambda target only when the
function's resource-based policy lets ``events.amazonaws.com`` invoke it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import libcst as cst
from libcst.metadata import ParentNodeProvider

from iacmod.edit import statements
from iacmod.edit.literals import literal_value
from iacmod.edit.symbols import reference
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac import catalog
from iacmod.iac.bindings import DEPENDENCIES, Answer, bindings
from iacmod.iac.catalog import Platform
from iacmod.iac.properties import MISSING, UNKNOWN, Props
from iacmod.iac.refs import owner, the_resource
from iacmod.iac.resources import Resource
from iacmod.iac.rules import ResourceRule
from iacmod.rule import Example

PRINCIPAL = "events.amazonaws.com"
# how a target names the function it invokes (its ARN)
ARN_ATTRS = ("arn", "function_arn", "attr_arn")
# how a permission names the function (name or ARN)
FN_ATTRS = ("arn", "name", "id", "function_name", "function_arn", "attr_arn", "ref")
# CDK methods that add a statement to a function's resource-based policy
GRANTS = {
    "add_permission": (1, "principal"),
    "grant_invoke": (0, "grantee"),
    "grant_invoke_composite_principal": (0, "composite_principal"),
}
YES, MAYBE, NO = "yes", "maybe", "no"


@dataclass
class Target:
    node: cst.CSTNode  # the target (EventTarget call, or the CfnRule target)
    resource: Resource  # EventTarget, or the CfnRule
    values: dict[str, Any]  # the target's properties: "arn", "role_arn" (expressions or MISSING/UNKNOWN)
    function: Resource


class EventbridgeLambdaPermission(ResourceRule):
    code = "IAC503"
    name = "eventbridge-lambda-permission"
    summary = (
        "Let EventBridge invoke the Lambda function a rule targets (a `lambda.Permission` for `events.amazonaws.com`)"
    )
    severity = Severity.ERROR
    resource_types = (catalog.EVENT_TARGET, catalog.EVENT_RULE, catalog.LAMBDA_PERMISSION)
    triggers = ("EventTarget", "CfnRule")
    targets = frozenset({"pulumi", "cdk", "cdktf"})
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.SAFE
    METADATA_DEPENDENCIES = (*ResourceRule.METADATA_DEPENDENCIES, *DEPENDENCIES)
    rationale = f"""
EventBridge invokes a Lambda target through the function's resource-based policy: the function
must allow `lambda:InvokeFunction` to the principal `{PRINCIPAL}` ("For Lambda, Amazon SNS, Amazon
SQS, and Amazon CloudWatch Logs resources, EventBridge uses resource-based policies",
EventBridge user guide, "Using resource-based policies for Amazon EventBridge"). Creating the
target does not add that permission: `PutTargets` (behind Pulumi's `aws.cloudwatch.EventTarget`
and CDKTF's `CloudwatchEventTarget`) and CloudFormation's `AWS::Events::Rule` targets leave the
function's policy alone. Everything deploys, the rule matches, and the function never runs: the
first entry of the EventBridge troubleshooting guide ("My rule ran but my Lambda function wasn't
invoked") and AWS's knowledge center ("use the `AWS::Lambda::Permission` resource in the
CloudFormation stack to add the `lambda:InvokeFunction` permission") describe exactly this.

CDK's L2 target `targets.LambdaFunction(fn)` adds the permission itself, so only the L1
`events.CfnRule(targets=[CfnRule.TargetProperty(arn=fn.function_arn, ...)])` is checked.
A permission counts when it is a `lambda.Permission` (Pulumi `aws.lambda_.Permission`, CDKTF
`LambdaPermission`, CDK `CfnPermission`) or a CDK `fn.add_permission`/`fn.grant_invoke` for
`{PRINCIPAL}` on that function anywhere in the module.

Targets that pass `role_arn` are left alone. The guide has said both that a role must not be
given for Lambda targets ("do not specify a RoleArn") and, in later versions, that EventBridge
can use either an IAM execution role with `lambda:InvokeFunction` or a resource-based policy: a
role is not the documented way in the first reading, and may work in the second, so the code does
not say which holds.
"""
    fix_description = f"""
Adds the permission right after the statement that creates the target, in the file's style (its
import of the module, or a new one; its quotes), scoped to the rule with `source_arn`:

```python
aws.lambda_.Permission("<target>-permission", action="lambda:InvokeFunction", function=fn.arn,
                       principal="{PRINCIPAL}", source_arn=rule.arn)
```

(CDKTF `LambdaPermission(self, "<id>Permission", ..., function_name=fn.arn, ...)`, CDK
`lambda_.CfnPermission(self, "<RuleId>Permission", ..., function_name=fn.function_arn,
source_arn=rule.attr_arn)`). The name is derived from the target's (an f-string stays one:
`f"{{env}}-nightly"` gives `f"{{env}}-nightly-permission"`) and is unique in the file. The permission
is created where the target is: the same CDKTF `provider=`, and for Pulumi the target's `opts`
reduced to `parent`, `provider` and `providers` (the function's region and account). There is no
fix, only the finding, when a permission in the module might already grant it (its function or
principal is not a value the code shows), when the rule's ARN cannot be told from the target
(`rule="name"` as a string, a `CfnRule` not assigned to a name), when the target is created in a
loop under a fixed name, or when its `opts` say more than parent and provider.
"""
    fix_safety_notes = """
**Safe**: the fix only adds a grant, scoped to the one function, the one principal and the one
rule (`source_arn`), and it is skipped when a permission for that function and principal exists
or might exist, so no existing grant is replaced or duplicated. It does what the target already
declares: once deployed, the rule's events reach the function. Review what the function does if
it has been silently not running for a while (a scheduled job will now run).
"""
    examples = (
        Example(
            title="pulumi schedule target",
            before="""
            import pulumi_aws as aws

            nightly = aws.cloudwatch.EventRule("nightly", schedule_expression="cron(0 3 * * ? *)")
            job = aws.lambda_.Function("job", handler="app.handler", runtime="python3.12", role=role.arn, code=code)

            aws.cloudwatch.EventTarget("nightly-job", rule=nightly.name, arn=job.arn)
            pulumi.export("rule", nightly.arn)
            """,
            after="""
            import pulumi_aws as aws

            nightly = aws.cloudwatch.EventRule("nightly", schedule_expression="cron(0 3 * * ? *)")
            job = aws.lambda_.Function("job", handler="app.handler", runtime="python3.12", role=role.arn, code=code)

            aws.cloudwatch.EventTarget("nightly-job", rule=nightly.name, arn=job.arn)

            aws.lambda_.Permission(
                "nightly-job-permission",
                action="lambda:InvokeFunction",
                function=job.arn,
                principal="events.amazonaws.com",
                source_arn=nightly.arn,
            )
            pulumi.export("rule", nightly.arn)
            """,
            message="no permission lets `events.amazonaws.com` invoke `job`",
            line=6,
        ),
        Example(
            title="cdk cfn rule in a stack",
            before="""
            from aws_cdk import Stack, aws_events as events, aws_lambda as lambda_


            class Jobs(Stack):
                def __init__(self, scope, construct_id):
                    super().__init__(scope, construct_id)
                    fn = lambda_.Function(self, "Job", runtime=runtime, handler="app.handler", code=code)
                    rule = events.CfnRule(self, "Nightly", schedule_expression="rate(1 day)",
                                          targets=[events.CfnRule.TargetProperty(arn=fn.function_arn, id="job")])
                    self.rule = rule
            """,
            after="""
            from aws_cdk import Stack, aws_events as events, aws_lambda as lambda_


            class Jobs(Stack):
                def __init__(self, scope, construct_id):
                    super().__init__(scope, construct_id)
                    fn = lambda_.Function(self, "Job", runtime=runtime, handler="app.handler", code=code)
                    rule = events.CfnRule(self, "Nightly", schedule_expression="rate(1 day)",
                                          targets=[events.CfnRule.TargetProperty(arn=fn.function_arn, id="job")])
                    lambda_.CfnPermission(
                        self,
                        "NightlyPermission",
                        action="lambda:InvokeFunction",
                        function_name=fn.function_arn,
                        principal="events.amazonaws.com",
                        source_arn=rule.attr_arn,
                    )
                    self.rule = rule
            """,
        ),
        Example(
            title="cdktf imports the permission class",
            before="""
            from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
            from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction

            rule = CloudwatchEventRule(self, "hourly", schedule_expression="rate(1 hour)")
            fn = LambdaFunction(self, "job", function_name="job", role=role.arn)
            CloudwatchEventTarget(self, "hourly_job", rule=rule.name, arn=fn.arn)
            """,
            after="""
            from cdktf_cdktf_provider_aws.cloudwatch_event_rule import CloudwatchEventRule
            from cdktf_cdktf_provider_aws.cloudwatch_event_target import CloudwatchEventTarget
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
            from cdktf_cdktf_provider_aws.lambda_permission import LambdaPermission

            rule = CloudwatchEventRule(self, "hourly", schedule_expression="rate(1 hour)")
            fn = LambdaFunction(self, "job", function_name="job", role=role.arn)
            CloudwatchEventTarget(self, "hourly_job", rule=rule.name, arn=fn.arn)
            LambdaPermission(
                self,
                "hourly_job_permission",
                action="lambda:InvokeFunction",
                function_name=fn.arn,
                principal="events.amazonaws.com",
                source_arn=rule.arn,
            )
            """,
        ),
        Example(
            title="a permission that may be it is not guessed",
            before="""
            import pulumi_aws as aws

            rule = aws.cloudwatch.EventRule("r", schedule_expression="rate(1 day)")
            job = aws.lambda_.Function("job", code=code)
            aws.cloudwatch.EventTarget("t", rule=rule.name, arn=job.arn)
            aws.lambda_.Permission("p", function=job.name, **permission_args)
            """,
            findings=1,
            message="may already grant it",
            line=5,
        ),
        Example(
            title="granted, l2 targets and role targets stay",
            before="""
            import pulumi_aws as aws
            from aws_cdk import aws_events as events, aws_events_targets as targets, aws_lambda as lambda_
            from aws_cdk import aws_iam as iam

            rule = aws.cloudwatch.EventRule("r", schedule_expression="rate(1 day)")
            job = aws.lambda_.Function("job", code=code)
            aws.cloudwatch.EventTarget("t", rule=rule.name, arn=job.arn)
            aws.lambda_.Permission("p", action="lambda:InvokeFunction", function=job.name,
                                   principal="events.amazonaws.com", source_arn=rule.arn)
            other = aws.lambda_.Function("other", code=code)
            aws.cloudwatch.EventTarget("o", rule=rule.name, arn=other.arn, role_arn=events_role.arn)
            queue_target = aws.cloudwatch.EventTarget("q", rule=rule.name, arn=queue.arn)

            fn = lambda_.Function(self, "Fn", runtime=runtime, handler="app.handler", code=code)
            events.Rule(self, "Daily", schedule=schedule, targets=[targets.LambdaFunction(fn)])
            cfn = events.CfnRule(self, "Raw", targets=[events.CfnRule.TargetProperty(arn=fn.function_arn, id="fn")])
            fn.add_permission("Events", principal=iam.ServicePrincipal("events.amazonaws.com"), source_arn=cfn.attr_arn)
            """,
            findings=0,
        ),
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.candidates: list[Target] = []
        self.grants: list[cst.Call] = []  # CDK fn.add_permission(...) / fn.grant_invoke(...)

    def visit_Call(self, node: cst.Call) -> None:
        super().visit_Call(node)
        if isinstance(node.func, cst.Attribute) and node.func.attr.value in GRANTS:
            self.grants.append(node)

    # -- targets -----------------------------------------------------------------------------------

    def check(self, resource: Resource, props: Props) -> None:
        if resource.type is catalog.EVENT_TARGET:
            self._target(resource.call, resource, {"arn": props.get("arn"), "role_arn": props.get("role_arn")})
        elif resource.type is catalog.EVENT_RULE and resource.platform is Platform.CDK_L1:
            targets = props.get("targets")
            if isinstance(targets, (cst.List, cst.Tuple)):
                for element in targets.elements:
                    value = element.value
                    if isinstance(value, cst.Call):
                        found = {a.keyword.value: a.value for a in value.args if a.keyword is not None}
                        unknown = any(a.star or a.keyword is None for a in value.args)
                    elif isinstance(value, cst.Dict):
                        found = {
                            literal_value(e.key, None): e.value
                            for e in value.elements
                            if isinstance(e, cst.DictElement)
                        }
                        unknown = len(found) != len(value.elements)
                    else:
                        continue
                    values = {k: found.get(k, UNKNOWN if unknown else MISSING) for k in ("arn", "role_arn")}
                    self._target(value, resource, values)

    def _target(self, node: cst.CSTNode, resource: Resource, values: dict[str, Any]) -> None:
        fn_expr = owner(values["arn"], ARN_ATTRS)
        if fn_expr is None or values["role_arn"] is not MISSING:
            return
        fn = the_resource(self, fn_expr, catalog.LAMBDA_FUNCTION)
        if fn is not None:
            self.candidates.append(Target(node, resource, values, fn))

    # -- permissions -----------------------------------------------------------------------------

    def _same_function(self, expr: Any, fn: Resource) -> str:
        if expr is UNKNOWN:
            return MAYBE
        if not isinstance(expr, cst.BaseExpression):
            return NO
        tracker = bindings(self)
        answer = tracker.is_a(expr, catalog.LAMBDA_FUNCTION)
        if answer is Answer.NOT:
            return NO
        if any(r.call is fn.call for r in tracker.resources(expr, catalog.LAMBDA_FUNCTION)):
            return YES
        if (
            answer is Answer.CERTAIN
            and tracker.values(expr).complete
            and all(not v.typed for v in tracker.values(expr).known)
        ):
            return NO  # other functions of the module
        return MAYBE

    def _permission(self, permission: Resource, fn: Resource) -> tuple[str, cst.CSTNode]:
        props = Props(self, permission)
        expr = props.get("function_name")
        if permission.platform is Platform.PULUMI and expr is MISSING:
            # pulumi-aws names it `function` (`function_name` is a TypeError, another defect: the
            # author meant this permission all the same)
            expr = props.get("function")
        if expr is MISSING:
            return NO, permission.call
        fn_owner = owner(expr, FN_ATTRS)
        # a name or ARN the code does not relate to a resource (a string, a variable) may be this one's
        same = MAYBE if fn_owner is None else self._same_function(fn_owner, fn)
        principal = props.literal("principal")
        by = MAYBE if principal is UNKNOWN else (YES if principal == PRINCIPAL else NO)
        return _both(same, by), permission.call

    def _grant(self, call: cst.Call, fn: Resource) -> str:
        assert isinstance(call.func, cst.Attribute)
        same = self._same_function(call.func.value, fn)
        position, keyword = GRANTS[call.func.attr.value]
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        named = {a.keyword.value: a.value for a in call.args if a.keyword is not None}
        principal = named.get(keyword, positional[position] if len(positional) > position else None)
        if principal is None:
            return _both(same, MAYBE)
        if isinstance(principal, cst.Call) and isinstance(principal.func, (cst.Name, cst.Attribute)):
            last = principal.func.attr.value if isinstance(principal.func, cst.Attribute) else principal.func.value
            if last == "ServicePrincipal" and principal.args:
                service = literal_value(principal.args[0].value, None)
                if isinstance(service, str):
                    return _both(same, YES if service == PRINCIPAL else NO)
        return _both(same, MAYBE)

    # -- findings --------------------------------------------------------------------------------

    def finish(self) -> None:
        permissions = [r for r in self.found if r.type is catalog.LAMBDA_PERMISSION]
        for target in self.candidates:
            fn = target.function
            status, maybe_node = NO, None
            for permission in permissions:
                found, node = self._permission(permission, fn)
                if found == YES:
                    status = YES
                    break
                if found == MAYBE:
                    status, maybe_node = MAYBE, node
            if status != YES:
                for grant in self.grants:
                    found = self._grant(grant, fn)
                    if found == YES:
                        status = YES
                        break
                    if found == MAYBE and status == NO:
                        status, maybe_node = MAYBE, grant
            if status == YES:
                continue
            name = self._label(fn)
            message = (
                f"this EventBridge target invokes the Lambda function `{name}`, but no permission lets "
                f"`{PRINCIPAL}` invoke `{name}`: the rule fires and the function never runs (EventBridge invokes "
                f"Lambda targets through the function's resource-based policy); add a `lambda.Permission` for "
                f"principal `{PRINCIPAL}` scoped to the rule (`source_arn`)"
            )
            if status == MAYBE:
                assert maybe_node is not None
                code = self.module_code(maybe_node)
                code = code if len(code) <= 60 else code[:57] + "..."
                self.report(
                    target.node,
                    message + f" (not fixed: `{code}` may already grant it: its function "
                    f"or principal is not a value the code shows)",
                )
                continue
            fix, why = self._fix(target)
            if fix is None:
                self.report(target.node, message + f" (not fixed: {why})")
            else:
                changes, imports = fix
                self.report(target.node, message, changes=changes, add_imports=imports, safety=FixSafety.SAFE)

    def _label(self, fn: Resource) -> str:
        for arg in fn.call.args:
            if arg.keyword is None and isinstance(arg.value, cst.SimpleString):
                return str(arg.value.evaluated_value)
        return fn.class_name

    def _fix(self, target: Target) -> tuple[Any, str]:
        resource = target.resource
        call = resource.call
        statement = statements.statement_of(self, call)
        if statement is None:
            return None, "the target is created in a one-line block"
        positional = [a.value for a in call.args if a.keyword is None and not a.star]
        platform = resource.platform
        named = positional[0] if platform is Platform.PULUMI else (positional[1] if len(positional) > 1 else None)
        if isinstance(named, cst.SimpleString) and isinstance(named.evaluated_value, str):
            if statements.in_loop(self, call):
                return None, "the target is created in a loop under one name, which the permission's would repeat"
            quote = named.quote if named.quote in ("'", '"') else '"'
            name = f"{quote}{self._unique(named.evaluated_value, quote)}{quote}"
        elif isinstance(named, cst.FormattedString) and named.end in ("'", '"') and named.start in ("f'", 'f"'):
            # f"{env}-nightly" → f"{env}-nightly-permission": unique where the target's name is
            quote = named.end
            static = "".join(p.value for p in named.parts if isinstance(p, cst.FormattedStringText))
            code = self.module_code(named)
            name = code[: -len(quote)] + self._suffix(static) + quote
            if name[len(named.start) : -len(quote)] in self.context.source:
                return None, "the name the permission would get is taken"
        else:
            return None, "the target's name is not a string to derive the permission's from"
        # the rule's ARN
        if platform is Platform.CDK_L1:
            assign = self.get_metadata(ParentNodeProvider, call, None)
            if not (
                isinstance(assign, cst.Assign)
                and len(assign.targets) == 1
                and isinstance(assign.targets[0].target, (cst.Name, cst.Attribute))
            ):
                return None, "the `CfnRule` is not assigned to a name whose `attr_arn` would scope the permission"
            rule_arn = self.module_code(assign.targets[0].target) + ".attr_arn"
        else:
            rule_expr = Props(self, resource).get("rule")
            rule_owner = owner(rule_expr, ("name", "id"))
            if rule_owner is None or bindings(self).is_a(rule_owner, catalog.EVENT_RULE) is not Answer.CERTAIN:
                return None, "the rule's ARN cannot be told from the target's `rule`"
            rule_arn = self.module_code(rule_owner) + ".arn"
        # the permission class
        if platform is Platform.PULUMI:
            symbol = "pulumi_aws.lambda_:Permission"
        elif platform is Platform.CDK_L1:
            symbol = "aws_cdk.aws_lambda:CfnPermission"
        else:
            module = resource.qualified_name.rpartition(".")[0]
            if not module.endswith(".cloudwatch_event_target"):
                return None, "the provider's module for `LambdaPermission` is not known"
            symbol = module.rpartition(".")[0] + ".lambda_permission:LambdaPermission"
        ref = reference(self, call, symbol)
        if ref is None:
            return None, f"`{symbol.rpartition(':')[2]}` names something else in this file"
        func, imports = ref
        function_key = "function" if platform is Platform.PULUMI else "function_name"
        args = [
            name,
            f"action={quote}lambda:InvokeFunction{quote}",
            f"{function_key}={self.module_code(target.values['arn'])}",
            f"principal={quote}{PRINCIPAL}{quote}",
            f"source_arn={rule_arn}",
        ]
        if platform is not Platform.PULUMI:
            args.insert(0, self.module_code(positional[0]))
        placement = self._placement(resource)
        if placement is None:
            return None, "the target's `opts` say more than where it is created (parent, provider)"
        args += placement
        lines = self.context.source.splitlines()
        limit = max(88, max((len(line) for line in lines), default=0))
        text = statements.call_text(func, args, statements.indent_of(self, statement), limit)
        return ({statement: statements.insert_after(statement, text)}, imports), ""

    def _placement(self, resource: Resource) -> list[str] | None:
        """Where the target is created, for the permission: the same account and region (CDKTF's
        ``provider=``), and, for Pulumi, the same parent and provider (``opts`` reduced to
        ``parent``/``provider``/``providers``, or copied when it is a name). None when ``opts``
        is something else."""
        named = {a.keyword.value: a.value for a in resource.call.args if a.keyword is not None}
        if resource.platform is Platform.CDKTF:
            return [f"provider={self.module_code(named['provider'])}"] if "provider" in named else []
        opts = named.get("opts")
        if resource.platform is not Platform.PULUMI or opts is None:
            return []
        if isinstance(opts, (cst.Name, cst.Attribute)):
            return [f"opts={self.module_code(opts)}"]
        if not isinstance(opts, cst.Call) or any(a.keyword is None or a.star for a in opts.args):
            return None
        kept = [
            a for a in opts.args if a.keyword is not None and a.keyword.value in ("parent", "provider", "providers")
        ]
        if not kept:
            return []
        inner = ", ".join(f"{a.keyword.value}={self.module_code(a.value)}" for a in kept if a.keyword is not None)
        return [f"opts={self.module_code(opts.func)}({inner})"]

    @staticmethod
    def _suffix(base: str) -> str:
        """The permission's name after the target's, in its style (kebab, snake or Camel case)."""
        if "-" in base or (base.islower() and "_" not in base) or not base:
            return "-permission"
        if "_" in base:
            return "_permission"
        return "Permission"

    def _unique(self, base: str, quote: str) -> str:
        stem = base + self._suffix(base)
        source = self.context.source
        name, k = stem, 2
        while f"{quote}{name}{quote}" in source or f"'{name}'" in source or f'"{name}"' in source:
            name, k = f"{stem}{k}", k + 1
        return name

    def module_code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)


def _both(same: str, principal: str) -> str:
    if NO in (same, principal):
        return NO
    if same == YES and principal == YES:
        return YES
    return MAYBE
