"""http-204-no-body: Lambda proxy responses with status 204 must not carry a body."""

from __future__ import annotations

import libcst as cst
from libcst.metadata import ParentNodeProvider, QualifiedNameProvider

from iacmod.edit.elements import remove_elements
from iacmod.edit.literals import string_value
from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.iac.names import qualified_names
from iacmod.rule import Example, Rule

NO_CONTENT_NAMES = {"http.HTTPStatus.NO_CONTENT", "http.client.NO_CONTENT"}
SERIALIZERS = {"json.dumps", "builtins.str"}


class Http204NoBody(Rule):
    code = "IAC104"
    name = "http-204-no-body"
    summary = "Drop the `body` of Lambda proxy responses with status code 204"
    targets = frozenset({"python", "lambda"})
    # a literal 204 after the key's colon (not "204" alone, which every "2024" date contains)
    triggers = (": 204", ":204", "NO_CONTENT")
    severity = Severity.WARNING
    fix_availability = FixAvailability.ALWAYS
    fix_applicability = RuleApplicability.DEPENDS
    METADATA_DEPENDENCIES = (QualifiedNameProvider, ParentNodeProvider)

    rationale = """
HTTP 204 (No Content) must not have a body (RFC 9110, section 15.3.5). A Lambda proxy response
`{"statusCode": 204, "body": ...}` sends one anyway: CloudFront rejects such a Lambda@Edge
response outright ("Response Contains a Body and Specifies 204"), and frameworks and clients
that follow the standard fail on it (the Fetch `Response` constructor throws for a 204 with a
body), or misread the next response on a kept-alive connection. API Gateway and ALB do not need
a `body` key at all: without it the response is empty.
"""
    fix_description = """
In a dict literal whose `"statusCode"` is the literal `204` (or `HTTPStatus.NO_CONTENT`), the
`"body"` entry is removed; `headers` and the other keys stay.
"""
    fix_safety_notes = """
The fix is **safe** when the dict is returned at once (`return {...}`) and the body is a plain
value (a literal, a name, `json.dumps(...)` of plain values): the caller is the Lambda runtime,
which only serialises the response. When the dict is kept in a variable or passed on, other code
may still read `response["body"]`, and a body computed by a call may have side effects: there
the fix is **unsafe**.

Helper functions that build the response from a status parameter (`make_response(204, {})`)
are not rewritten: the dict literal there does not say 204.
"""

    examples = (
        Example(
            title="a returned 204 response",
            message="must not have a body",
            line=8,
            before="""
            import json

            def handler(event, context):
                delete(event["id"])
                return {
                    "statusCode": 204,
                    "headers": {"Access-Control-Allow-Origin": "*"},
                    "body": json.dumps({}),
                }
            """,
            after="""
            import json

            def handler(event, context):
                delete(event["id"])
                return {
                    "statusCode": 204,
                    "headers": {"Access-Control-Allow-Origin": "*"},
                }
            """,
            findings=1,
        ),
        Example(
            title="HTTPStatus and a body in the middle",
            before="""
            from http import HTTPStatus

            def handler(event, context):
                return {'statusCode': HTTPStatus.NO_CONTENT, 'body': '', 'headers': {}}
            """,
            after="""
            from http import HTTPStatus

            def handler(event, context):
                return {'statusCode': HTTPStatus.NO_CONTENT, 'headers': {}}
            """,
        ),
        Example(
            title="a response kept in a variable: unsafe",
            message='other code may still read `["body"]`',
            line=2,
            before="""
            def handler(event, context):
                response = {"statusCode": 204, "body": ""}
                log(response["body"])
                return response
            """,
            after="""
            def handler(event, context):
                response = {"statusCode": 204}
                log(response["body"])
                return response
            """,
            unsafe=True,
        ),
        Example(
            title="other status codes, and no body",
            before="""
            def handler(event, context):
                if event.get("dry"):
                    return {"statusCode": 204}
                return {"statusCode": 200, "body": "ok"}
            """,
            findings=0,
        ),
    )

    def visit_Dict(self, node: cst.Dict) -> None:
        status = body = None
        for el in node.elements:
            if not isinstance(el, cst.DictElement):
                continue
            key = string_value(el.key)
            if key == "statusCode":
                status = el
            elif key == "body":
                body = el
        if status is None or body is None or not self._is_204(status.value):
            return
        parent = self.get_metadata(ParentNodeProvider, node, None)
        returned = isinstance(parent, cst.Return)
        plain = self._plain(body.value)
        safe = returned and plain
        message = "a 204 (No Content) response must not have a body; remove `body`"
        if not safe:
            why = []
            if not returned:
                why.append('other code may still read `["body"]` of this dict')
            if not plain:
                why.append("the body is computed by a call that may have side effects")
            message += f" (unsafe fix: {'; '.join(why)}; check, then run with --unsafe-fixes)"
        new = node.with_changes(elements=remove_elements(node.elements, [body]))
        self.report(body, message, changes={node: new}, safety=FixSafety.SAFE if safe else FixSafety.UNSAFE)

    def _is_204(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, cst.Integer):
            return value.evaluated_value == 204
        if isinstance(value, (cst.Attribute, cst.Name)) and (
            (isinstance(value, cst.Attribute) and value.attr.value == "NO_CONTENT")
            or (isinstance(value, cst.Name) and value.value == "NO_CONTENT")
        ):
            return bool(qualified_names(self, value) & NO_CONTENT_NAMES)
        return False

    def _plain(self, value: cst.BaseExpression) -> bool:
        if isinstance(value, (cst.SimpleString, cst.ConcatenatedString, cst.Name, cst.Integer)):
            return True
        if isinstance(value, cst.Attribute):
            return self._plain(value.value)
        if isinstance(value, cst.Subscript):
            return self._plain(value.value)
        if isinstance(value, (cst.Dict, cst.List, cst.Tuple)):
            for el in value.elements:
                if isinstance(el, cst.DictElement):
                    if not (self._plain(el.key) and self._plain(el.value)):
                        return False
                elif isinstance(el, cst.Element):
                    if not self._plain(el.value):
                        return False
                else:
                    return False
            return True
        if isinstance(value, cst.Call) and qualified_names(self, value.func) & SERIALIZERS:
            return all(self._plain(a.value) for a in value.args)
        return False
