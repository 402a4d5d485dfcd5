"""lambda-provisioned-concurrency-version: provisioned concurrency needs a published version,
never ``$LATEST``."""

from __future__ import annotations

from typing import Any

import libcst as cst

from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac import catalog
from iacmod.iac.bindings import DEPENDENCIES
from iacmod.iac.catalog import Platform
from iacmod.iac.properties import MISSING, UNKNOWN, Lit, Props
from iacmod.iac.refs import owner, the_resource
from iacmod.iac.resources import Resource
from iacmod.iac.rules import ResourceRule
from iacmod.rule import Example

# callers that invoke a function unqualified (its $LATEST), and what to use instead
CALLERS = {
    catalog.APIGATEWAY_INTEGRATION: ("uri", ("invoke_arn",), "qualified_invoke_arn"),
    catalog.LAMBDA_EVENT_SOURCE_MAPPING: ("function_name", ("arn", "name", "function_name"), "qualified_arn"),
    catalog.EVENT_TARGET: ("arn", ("arn",), "qualified_arn"),
}


class LambdaProvisionedConcurrencyVersion(ResourceRule):
    code = "IAC501"
    name = "lambda-provisioned-concurrency-version"
    summary = "Publish a version for provisioned concurrency instead of provisioning `$LATEST`"
    severity = Severity.ERROR
    resource_types = (
        catalog.LAMBDA_PROVISIONED_CONCURRENCY,
        catalog.LAMBDA_ALIAS,
        *CALLERS,
    )
    triggers = ("ProvisionedConcurrencyConfig", "provisioned_concurrent_executions")
    targets = frozenset({"pulumi", "cdk", "cdktf"})
    fix_availability = FixAvailability.SOMETIMES
    fix_applicability = RuleApplicability.DEPENDS
    METADATA_DEPENDENCIES = (*ResourceRule.METADATA_DEPENDENCIES, *DEPENDENCIES)
    rationale = """
Provisioned concurrency is allocated to a published version or an alias, never to the unpublished
`$LATEST`: `PutProvisionedConcurrencyConfig` answers `InvalidParameterValueException: Provisioned
Concurrency Configs cannot be applied to unpublished function versions.` (hashicorp/terraform-provider-aws#12120).

- **Pulumi and CDKTF**: `ProvisionedConcurrencyConfig(qualifier=fn.version)` (the pattern of the
  provider's own example) works only when the function publishes versions. Without
  `publish=True` (pulumi-aws: "Whether to publish creation/change as new Lambda Function Version.
  Defaults to `false`."), `version` is `$LATEST` and the configuration fails to create.
  pulumi-aws has no `lambda_.Version` resource: `publish` is how a Pulumi program gets a version.
- **CDK**: `lambda_.Alias(version=fn.latest_version, provisioned_concurrent_executions=n)`
  synthesizes an `AWS::Lambda::Alias` with `FunctionVersion: "$LATEST"` and a
  `ProvisionedConcurrencyConfig` without any error or warning (`latest_version` is "The `$LATEST`
  version of this function"; its docstring points to `currentVersion` for an explicit version);
  the stack then fails to deploy for the same reason.

Provisioned concurrency also serves only invocations of that version or alias. Callers that
invoke the function itself (an API Gateway integration `uri=fn.invoke_arn`, an event-source
mapping or an EventBridge target on `fn.arn`) run `$LATEST` on demand, so the warm instances that
are billed serve nothing: these are reported too (as warnings), with the qualified attribute to
use (`qualified_invoke_arn`, "to be used in `apigateway.Integration`'s `uri`", or `qualified_arn`).
"""
    fix_description = """
Pulumi and CDKTF: sets `publish=True` on the function when the module creates it. CDK: replaces
`fn.latest_version` with `fn.current_version` (a version CDK publishes whenever the function's
configuration changes) when `fn` is a function construct the module creates. A `qualifier` written
as `"$LATEST"`, or a function the module does not create, is reported without a fix; so are the
callers that invoke the function unqualified.
"""
    fix_safety_notes = """
The program cannot deploy as it is, so no working deployment changes: **safe** where `publish` is
not set. It is **unsafe** where the program writes `publish=False`, which someone chose. Either
way, know what the fix starts: every change to the function's code or configuration now publishes
a new version, and the provisioned concurrency is allocated again for it (`qualifier` changes, so
the configuration is replaced on each such deployment); published versions accumulate until they
are deleted. CDK's `current_version` does the same.
"""
    examples = (
        Example(
            title="pulumi function without publish",
            before="""
            import pulumi_aws as aws

            api = aws.lambda_.Function("api", handler="app.handler", code=code)
            aws.lambda_.ProvisionedConcurrencyConfig("api-warm", function_name=api.name, qualifier=api.version,
                                                     provisioned_concurrent_executions=2)
            """,
            after="""
            import pulumi_aws as aws

            api = aws.lambda_.Function("api", handler="app.handler", code=code, publish=True)
            aws.lambda_.ProvisionedConcurrencyConfig("api-warm", function_name=api.name, qualifier=api.version,
                                                     provisioned_concurrent_executions=2)
            """,
            message="`api.version` is `$LATEST`",
            line=4,
        ),
        Example(
            title="cdk alias on latest_version",
            before="""
            from aws_cdk import aws_lambda as lambda_

            fn = lambda_.Function(self, "Api", runtime=runtime, handler="app.handler", code=code)
            lambda_.Alias(self, "Live", alias_name="live", version=fn.latest_version,
                          provisioned_concurrent_executions=2)
            """,
            after="""
            from aws_cdk import aws_lambda as lambda_

            fn = lambda_.Function(self, "Api", runtime=runtime, handler="app.handler", code=code)
            lambda_.Alias(self, "Live", alias_name="live", version=fn.current_version,
                          provisioned_concurrent_executions=2)
            """,
        ),
        Example(
            title="cdktf publish set to false: unsafe",
            unsafe=True,
            before="""
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
            from cdktf_cdktf_provider_aws.lambda_provisioned_concurrency_config import LambdaProvisionedConcurrencyConfig

            fn = LambdaFunction(self, "api", function_name="api", role=role.arn, publish=False)
            LambdaProvisionedConcurrencyConfig(self, "warm", function_name=fn.function_name, qualifier=fn.version,
                                               provisioned_concurrent_executions=1)
            """,
            after="""
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction
            from cdktf_cdktf_provider_aws.lambda_provisioned_concurrency_config import LambdaProvisionedConcurrencyConfig

            fn = LambdaFunction(self, "api", function_name="api", role=role.arn, publish=True)
            LambdaProvisionedConcurrencyConfig(self, "warm", function_name=fn.function_name, qualifier=fn.version,
                                               provisioned_concurrent_executions=1)
            """,
        ),
        Example(
            title="a literal $LATEST qualifier is reported",
            before="""
            import pulumi_aws as aws

            aws.lambda_.ProvisionedConcurrencyConfig("warm", function_name="api", qualifier="$LATEST",
                                                     provisioned_concurrent_executions=1)
            """,
            findings=1,
            message="`$LATEST`",
            line=3,
        ),
        Example(
            title="callers of the unqualified function are reported",
            before="""
            import pulumi_aws as aws

            api = aws.lambda_.Function("api", publish=True)
            aws.lambda_.ProvisionedConcurrencyConfig("warm", function_name=api.name, qualifier=api.version,
                                                     provisioned_concurrent_executions=1)
            aws.apigateway.Integration("proxy", rest_api=rest.id, resource_id=rest.root_resource_id,
                                       http_method="ANY", type="AWS_PROXY", integration_http_method="POST",
                                       uri=api.invoke_arn)
            aws.apigateway.Integration("fine", rest_api=rest.id, resource_id=rest.root_resource_id,
                                       http_method="GET", type="AWS_PROXY", integration_http_method="POST",
                                       uri=api.qualified_invoke_arn)
            """,
            findings=1,
            message="use `api.qualified_invoke_arn`",
            line=8,
        ),
        Example(
            title="published versions, aliases and cdk current_version stay",
            before="""
            import pulumi_aws as aws
            from aws_cdk import aws_lambda as lambda_

            api = aws.lambda_.Function("api", publish=True)
            live = aws.lambda_.Alias("live", function_name=api.name, function_version=api.version)
            aws.lambda_.ProvisionedConcurrencyConfig("a", function_name=api.name, qualifier=api.version,
                                                     provisioned_concurrent_executions=1)
            aws.lambda_.ProvisionedConcurrencyConfig("b", function_name=api.name, qualifier=live.name,
                                                     provisioned_concurrent_executions=1)
            aws.lambda_.ProvisionedConcurrencyConfig("c", function_name=other.name, qualifier=other.version,
                                                     provisioned_concurrent_executions=1)
            fn = lambda_.Function(self, "Api", runtime=runtime, handler="app.handler", code=code)
            lambda_.Alias(self, "Live", alias_name="live", version=fn.current_version,
                          provisioned_concurrent_executions=2)
            lambda_.Alias(self, "Cold", alias_name="cold", version=fn.latest_version)
            """,
            findings=0,
        ),
    )

    def __init__(self, context: Any) -> None:
        super().__init__(context)
        self.provisioned: list[tuple[Resource, str]] = []  # (function, attribute provisioned)

    def check(self, resource: Resource, props: Props) -> None:
        if resource.type is catalog.LAMBDA_PROVISIONED_CONCURRENCY:
            self._config(resource, props)
        elif resource.type is catalog.LAMBDA_ALIAS and resource.platform is Platform.CDK:
            self._cdk_alias(props)

    def _config(self, resource: Resource, props: Props) -> None:
        qualifier = props.get("qualifier")
        if not isinstance(qualifier, cst.BaseExpression):
            return
        if props.literal("qualifier") == "$LATEST":
            self.report(
                qualifier,
                'provisioned concurrency on `$LATEST` fails to deploy ("Provisioned Concurrency '
                'Configs cannot be applied to unpublished function versions"): use a published version '
                "(the function's `version` with `publish=True`) or an alias",
            )
            return
        fn_expr = owner(qualifier, ("version",))
        if fn_expr is None:
            return
        fn = the_resource(self, fn_expr, catalog.LAMBDA_FUNCTION, platforms={Platform.PULUMI, Platform.CDKTF})
        if fn is None:
            return
        fn_props = Props(self, fn)
        publish = fn_props.literal("publish")
        if publish is True:
            self.provisioned.append((fn, "version"))
            return
        if publish is UNKNOWN or (publish is not MISSING and publish is not False):
            return
        self.provisioned.append((fn, "version"))
        name = self.module_code(fn_expr)
        message = (
            f"`{name}.version` is `$LATEST` unless the function publishes versions, and provisioned concurrency "
            f'on `$LATEST` fails to deploy ("Provisioned Concurrency Configs cannot be applied to unpublished '
            f'function versions"): set `publish=True` on the function'
        )
        edit = fn_props.set("publish", Lit(True))
        if edit is None:
            self.report(qualifier, message + " (not fixed: `publish` cannot be set where the function is created)")
            return
        safety = FixSafety.SAFE if publish is MISSING else FixSafety.UNSAFE
        self.report(qualifier, message, changes=edit.changes, safety=safety)

    def _cdk_alias(self, props: Props) -> None:
        executions = props.get("provisioned_concurrent_executions")
        if executions is MISSING or executions is UNKNOWN:
            return
        version = props.get("version")
        fn_expr = owner(version, ("latest_version",))
        if fn_expr is None or not isinstance(version, cst.Attribute):
            return
        message = (
            f"`{self.module_code(version)}` is `$LATEST`: CDK synthesizes the alias with `FunctionVersion: "
            f'"$LATEST"` and its provisioned concurrency fails to deploy; use a published version '
            f"(`current_version`)"
        )
        fn = the_resource(self, fn_expr, catalog.LAMBDA_FUNCTION, platforms={Platform.CDK})
        if fn is None:
            if self._is_function(fn_expr):
                self.report(
                    version,
                    message + " (not fixed: only a function construct the module creates has `current_version`)",
                )
            return
        self.report(
            version, message, replacement=version.with_changes(attr=cst.Name("current_version")), safety=FixSafety.SAFE
        )

    def _is_function(self, expr: cst.BaseExpression) -> bool:
        from iacmod.iac.bindings import Answer, bindings

        return bindings(self).is_a(expr, catalog.LAMBDA_FUNCTION) is Answer.CERTAIN

    def finish(self) -> None:
        if not self.provisioned:
            return
        provisioned = {id(fn.call): fn for fn, _ in self.provisioned}
        for caller in self.found:
            spec = CALLERS.get(caller.type)
            if spec is None or caller.platform not in (Platform.PULUMI, Platform.CDKTF):
                continue
            path, attrs, qualified = spec
            value = Props(self, caller).get(path)
            fn_expr = owner(value, attrs)
            if fn_expr is None or not isinstance(value, cst.BaseExpression):
                continue
            fn = the_resource(self, fn_expr, catalog.LAMBDA_FUNCTION)
            if fn is None or id(fn.call) not in provisioned:
                continue
            name = self.module_code(fn_expr)
            self.report(
                value,
                f"`{self.module_code(value)}` invokes `$LATEST`, which has no provisioned concurrency: the "
                f"provisioned instances of `{name}` serve only its published version; use `{name}.{qualified}` "
                f"(or an alias)",
                severity=Severity.WARNING,
            )

    def module_code(self, node: cst.CSTNode) -> str:
        return cst.Module(body=[]).code_for_node(node)
