"""apigw-lambda-integration-uri: a REST API Lambda integration must call the function's invoke ARN, with POST."""

from __future__ import annotations

import libcst as cst

from iacmod.edit.literals import string_value
from iacmod.edit.symbols import reference
from iacmod.findings import FixAvailability, RuleApplicability, Severity
from iacmod.iac import catalog
from iacmod.iac.bindings import DEPENDENCIES, Answer, bindings
from iacmod.iac.catalog import Platform
from iacmod.iac.properties import MISSING, Absent, Lit, Props
from iacmod.iac.resources import Resource
from iacmod.iac.rules import ResourceRule
from iacmod.rule import Example

INVOKABLE = (catalog.LAMBDA_FUNCTION, catalog.LAMBDA_ALIAS, catalog.LAMBDA_VERSION)
# the attribute holding the function's ARN → the one holding its API Gateway invoke ARN
INVOKE_ATTR = {"arn": "invoke_arn", "qualified_arn": "qualified_invoke_arn"}
CDK_ARN_ATTRS = ("function_arn", "attr_arn")
LAMBDA_TYPES = ("AWS", "AWS_PROXY")
INVOKE_PATH = ":lambda:path/2015-03-31/functions/"


def _text(node: cst.BaseExpression) -> str | None:
    """The literal text of a string or of an f-string's literal parts."""
    text = string_value(node)
    if text is not None:
        return text
    if isinstance(node, cst.FormattedString):
        return "".join(p.value for p in node.parts if isinstance(p, cst.FormattedStringText))
    return None


class ApigwLambdaIntegrationUri(ResourceRule):
    code = "IAC502"
    name = "apigw-lambda-integration-uri"
    summary = "A REST API Lambda integration must use the function's invoke ARN as `uri`, and POST"
    severity = Severity.ERROR
    resource_types = (catalog.APIGATEWAY_INTEGRATION,)
    targets = frozenset({"pulumi", "cdk", "cdktf"})
    fix_availability = FixAvailability.ALWAYS
    fix_applicability = RuleApplicability.SAFE
    METADATA_DEPENDENCIES = (*ResourceRule.METADATA_DEPENDENCIES, *DEPENDENCIES)
    rationale = """
A REST API (API Gateway v1) integration of type `AWS_PROXY` or `AWS` calls a Lambda function
through the Lambda service's `Invoke` action, and its `uri` must name that action:
`arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function ARN}/invocations`, which
Pulumi and CDKTF expose as the function's `invoke_arn`. The function's own ARN (`fn.arn`) is not
an API Gateway URI: `PutIntegration` rejects it and the deployment fails.

Lambda's `Invoke` action is a `POST`: for a Lambda integration `integration_http_method` must be
`POST` whatever the method's own HTTP verb (the pulumi-aws documentation of the argument says so).
A `GET` copied from the method is a classic mistake: every request then fails with a 500.

HTTP APIs (`apigatewayv2.Integration`, `integration_uri`) take the function's ARN and are not
concerned.
"""
    fix_description = """
Replaces `fn.arn` with `fn.invoke_arn` (`qualified_arn` with `qualified_invoke_arn`) in Pulumi
and CDKTF; in a CDK `CfnMethod` integration, replaces `fn.function_arn` with the invoke URI built
from it and `Aws.PARTITION`/`Aws.REGION`. Sets `integration_http_method` to `"POST"` (adds it
when it is missing: API Gateway requires it for `AWS` and `AWS_PROXY` integrations). Only when
the bindings prove the value is a Lambda function, alias or version (an unannotated parameter,
say, is left alone).
"""
    fix_safety_notes = """
**Safe**: the integration as written cannot work (the URI is rejected, or every call fails); the
fixed one invokes the same function.
"""
    examples = (
        Example(
            title="pulumi proxy integration with the function arn and GET",
            before="""
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="app.handler", role=role.arn)
            integration = aws.apigateway.Integration(
                "get-items",
                rest_api=api.id,
                resource_id=items.id,
                http_method="GET",
                type="AWS_PROXY",
                integration_http_method="GET",
                uri=fn.arn,
            )
            """,
            after="""
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="app.handler", role=role.arn)
            integration = aws.apigateway.Integration(
                "get-items",
                rest_api=api.id,
                resource_id=items.id,
                http_method="GET",
                type="AWS_PROXY",
                integration_http_method="POST",
                uri=fn.invoke_arn,
            )
            """,
            findings=2,
            message="`uri=fn.arn` is the function's ARN",
            line=10,
        ),
        Example(
            title="cdktf integration in a stack",
            before="""
            from cdktf_cdktf_provider_aws.api_gateway_integration import ApiGatewayIntegration
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction


            class Api(TerraformStack):
                def __init__(self, scope, ns):
                    super().__init__(scope, ns)
                    self.handler = LambdaFunction(self, "handler", function_name="h", role=role.arn)
                    ApiGatewayIntegration(self, "int", rest_api_id=api.id, resource_id=res.id, http_method="ANY",
                                          type="AWS_PROXY", integration_http_method="POST", uri=self.handler.arn)
            """,
            after="""
            from cdktf_cdktf_provider_aws.api_gateway_integration import ApiGatewayIntegration
            from cdktf_cdktf_provider_aws.lambda_function import LambdaFunction


            class Api(TerraformStack):
                def __init__(self, scope, ns):
                    super().__init__(scope, ns)
                    self.handler = LambdaFunction(self, "handler", function_name="h", role=role.arn)
                    ApiGatewayIntegration(self, "int", rest_api_id=api.id, resource_id=res.id, http_method="ANY",
                                          type="AWS_PROXY", integration_http_method="POST", uri=self.handler.invoke_arn)
            """,
        ),
        Example(
            title="cdk cfn method builds the invoke uri",
            before="""
            from aws_cdk import aws_apigateway as apigw
            from aws_cdk import aws_lambda as lambda_

            fn = lambda_.Function(self, "Fn", runtime=runtime, handler="app.handler", code=code)
            apigw.CfnMethod(self, "Get", rest_api_id=api.ref, resource_id=api.attr_root_resource_id,
                            http_method="GET", authorization_type="NONE",
                            integration=apigw.CfnMethod.IntegrationProperty(
                                type="AWS_PROXY", integration_http_method="POST", uri=fn.function_arn))
            """,
            after="""
            from aws_cdk import aws_apigateway as apigw, Aws
            from aws_cdk import aws_lambda as lambda_

            fn = lambda_.Function(self, "Fn", runtime=runtime, handler="app.handler", code=code)
            apigw.CfnMethod(self, "Get", rest_api_id=api.ref, resource_id=api.attr_root_resource_id,
                            http_method="GET", authorization_type="NONE",
                            integration=apigw.CfnMethod.IntegrationProperty(
                                type="AWS_PROXY", integration_http_method="POST", uri=f"arn:{Aws.PARTITION}:apigateway:{Aws.REGION}:lambda:path/2015-03-31/functions/{fn.function_arn}/invocations"))
            """,
        ),
        Example(
            title="invoke arn with GET gets POST",
            before="""
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="app.handler", role=role.arn)
            aws.apigateway.Integration("i", rest_api=api.id, resource_id=r.id, http_method="GET",
                                       type="AWS", integration_http_method='GET', uri=fn.invoke_arn)
            """,
            after="""
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="app.handler", role=role.arn)
            aws.apigateway.Integration("i", rest_api=api.id, resource_id=r.id, http_method="GET",
                                       type="AWS", integration_http_method='POST', uri=fn.invoke_arn)
            """,
        ),
        Example(
            title="missing integration method gets POST",
            before="""
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="app.handler", role=role.arn)
            aws.apigateway.Integration("i", rest_api=api.id, resource_id=r.id, http_method="ANY",
                                       type="AWS_PROXY", uri=fn.invoke_arn)
            """,
            after="""
            import pulumi_aws as aws
            fn = aws.lambda_.Function("fn", runtime="python3.12", handler="app.handler", role=role.arn)
            aws.apigateway.Integration("i", rest_api=api.id, resource_id=r.id, http_method="ANY",
                                       type="AWS_PROXY", uri=fn.invoke_arn, integration_http_method="POST")
            """,
        ),
        Example(
            title="http api and unproven functions stay",
            before="""
            import pulumi_aws as aws

            def integrate(api, fn, rest, res):
                aws.apigatewayv2.Integration("v2", api_id=api.id, integration_type="AWS_PROXY",
                                             integration_uri=fn.arn, payload_format_version="2.0")
                aws.apigateway.Integration("v1", rest_api=rest.id, resource_id=res.id, http_method="GET",
                                           type="AWS_PROXY", integration_http_method="POST", uri=fn.arn)
                aws.apigateway.Integration("http", rest_api=rest.id, resource_id=res.id, http_method="GET",
                                           type="HTTP_PROXY", integration_http_method="GET",
                                           uri="https://example.com/{proxy}")
            """,
            findings=0,
        ),
    )

    def check(self, resource: Resource, props: Props) -> None:
        prefix = "integration." if resource.platform is Platform.CDK_L1 else ""
        if props.literal(prefix + "type") not in LAMBDA_TYPES:
            return
        uri = props.get(prefix + "uri")
        if isinstance(uri, Absent):
            return
        if isinstance(uri, cst.Attribute) and self._function_arn(uri, resource):
            self._fix_uri(uri, resource)
        elif not self._invoke_uri(uri, resource):
            return
        path = prefix + "integration_http_method"
        method = props.get(path)
        if method is MISSING:
            edit = props.set(path, Lit("POST"))
            message = (
                "a Lambda integration without `integration_http_method`: API Gateway requires it for "
                "`AWS` and `AWS_PROXY` integrations, and Lambda's `Invoke` action is a POST"
            )
            if edit is None:
                self.report(resource.call, message)
            else:
                self.report(resource.call, message, changes=edit.changes, add_imports=edit.imports)
            return
        if isinstance(method, Absent):
            return
        value = string_value(method)
        if value is None or value == "POST":
            return
        quote = method.quote if isinstance(method, cst.SimpleString) else '"'
        self.report(
            method,
            f"`integration_http_method={cst.Module(body=[]).code_for_node(method)}` on a Lambda integration: API Gateway calls Lambda's "
            '`Invoke` action, which is a POST, whatever the method\'s own verb; use "POST"',
            replacement=cst.SimpleString(f"{quote}POST{quote}"),
        )

    # -- what the uri is -----------------------------------------------------------------------

    def _receiver_is_function(self, node: cst.BaseExpression, resource: Resource) -> bool:
        platforms = {Platform.CDK, Platform.CDK_L1} if resource.platform is Platform.CDK_L1 else {resource.platform}
        return bindings(self).is_a(node, *INVOKABLE, platforms=platforms) is Answer.CERTAIN

    def _function_arn(self, uri: cst.BaseExpression, resource: Resource) -> bool:
        """``fn.arn`` (``fn.function_arn`` in CDK) with ``fn`` certainly a function."""
        if not isinstance(uri, cst.Attribute):
            return False
        attrs = CDK_ARN_ATTRS if resource.platform is Platform.CDK_L1 else tuple(INVOKE_ATTR)
        return uri.attr.value in attrs and self._receiver_is_function(uri.value, resource)

    def _invoke_uri(self, uri: cst.BaseExpression, resource: Resource) -> bool:
        """``fn.invoke_arn`` or a string that names Lambda's invoke path."""
        if isinstance(uri, cst.Attribute) and uri.attr.value in INVOKE_ATTR.values():
            return self._receiver_is_function(uri.value, resource)
        text = _text(uri)
        return text is not None and INVOKE_PATH in text

    def _fix_uri(self, uri: cst.Attribute, resource: Resource) -> None:
        code = cst.Module(body=[]).code_for_node(uri)
        message = (
            f"`uri={code}` is the function's ARN, not an API Gateway URI: a REST API Lambda integration "
            "calls `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`"
        )
        if resource.platform is not Platform.CDK_L1:
            invoke = INVOKE_ATTR[uri.attr.value]
            self.report(uri, message + f" (`{invoke}`)", replacement=uri.with_changes(attr=cst.Name(invoke)))
            return
        found = reference(self, uri, "aws_cdk.Aws")
        if found is None:
            self.report(uri, message + " (not fixed: the name `Aws` is taken in this file)")
            return
        aws, imports = found
        quote = "'" if '"' in code else '"'
        text = f"f{quote}arn:{{{aws}.PARTITION}}:apigateway:{{{aws}.REGION}}{INVOKE_PATH}{{{code}}}/invocations{quote}"
        self.report(uri, message, replacement=cst.parse_expression(text), add_imports=imports)
