"""Issue 13 item 9: inline handler code written as a ``.format``/``%`` template or returned by a
helper method is analysed (and fixed when the edit maps exactly into the template); what cannot be
analysed gets one ``inline-code`` finding (severity info) that says why."""

from __future__ import annotations

import textwrap

from iacmod.findings import Severity
from iacmod.registry import all_rules
from iacmod.testing import fix_text

UTCNOW = next(r for r in all_rules() if r.name == "datetime-utcnow")

HEAD = """\
import textwrap
import pulumi
import pulumi_aws as aws


def function(name, code):
    return aws.lambda_.Function(name, runtime="python3.12", handler="index.handler", role=role.arn,
                                code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(code)}))

"""


def _run(body: str, unsafe: bool = True):
    src = HEAD + textwrap.dedent(body)
    out, findings = fix_text(UTCNOW, src, unsafe=unsafe)
    return src, out, findings


def test_format_template_through_a_variable_is_fixed_in_the_template():
    src, out, findings = _run('''
        HANDLER = textwrap.dedent("""
            from datetime import datetime
            TABLE = "{table}"

            def handler(event, context):
                return {{"at": datetime.utcnow().strftime("%H:%M"), "table": TABLE}}
        """)
        aws.lambda_.Function("fn", runtime="python3.12", handler="index.handler", role=role.arn,
                             code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(HANDLER.format(table="t"))}))
    ''')
    assert "    from datetime import datetime, timezone\n" in out
    assert 'return {{"at": datetime.now(timezone.utc).strftime("%H:%M"), "table": TABLE}}' in out
    [finding] = findings
    line = src.splitlines()[finding.span.start.line - 1]
    assert line[finding.span.start.column - 1 :].startswith("datetime.utcnow()")
    assert fix_text(UTCNOW, out, unsafe=True)[0] == out


def test_percent_template_is_fixed_and_keeps_its_escapes():
    _src, out, findings = _run('''
        CODE = """
        from datetime import datetime
        def handler(event, context):
            return {"at": datetime.utcnow().strftime("%%H:%%M"), "name": "%s"}
        """
        fn = pulumi.StringAsset(CODE % "orders")
    ''')
    assert 'return {"at": datetime.now(timezone.utc).strftime("%%H:%%M"), "name": "%s"}' in out
    assert len(findings) == 1 and findings[0].fixed


def test_code_returned_by_a_helper_method_is_fixed():
    _src, out, findings = _run('''
        class Stack:
            def build(self):
                aws.lambda_.Function("fn", runtime="python3.12", handler="index.handler", role=role.arn,
                                     code=pulumi.AssetArchive({"index.py": pulumi.StringAsset(self._get_lambda_code())}))

            def _get_lambda_code(self) -> str:
                """Defined after its use."""
                return """
        from datetime import datetime
        def handler(event, context):
            return {"at": datetime.utcnow().isoformat()}
        """
    ''')
    assert "datetime.now(timezone.utc).isoformat()" in out
    assert len(findings) == 1


def _unanalysed(findings):
    found = [f for f in findings if f.rule == "inline-code"]
    assert all(f.severity is Severity.INFO and not f.fixable for f in found)
    return [f.message for f in found]


def test_what_cannot_be_analysed_gets_one_info_finding_that_says_why():
    _src, out, findings = _run('''
        NOT_PYTHON = """
        from datetime import datetime
        stamp = {0!r}
        def handler(event, context):
            return datetime.utcnow().isoformat()
        """
        NESTED = """
        from datetime import datetime
        def handler(event, context):
            return "{0[{1}]}" + datetime.utcnow().isoformat()
        """

        class Stack:
            def _code(self):
                if self.fast:
                    return "from datetime import datetime\\nx = datetime.utcnow()\\n"
                return "x = 1\\n"

            def build(self):
                pulumi.StringAsset(NOT_PYTHON.format(1))
                pulumi.StringAsset(NESTED.format(1, 2))
                pulumi.StringAsset(self._code())
                pulumi.StringAsset(f"from datetime import datetime\\nx = datetime.utcnow()  # {self.n}\\n")
    ''')
    assert _unanalysed(findings) == [
        "inline handler code could not be analysed: its `.format` template is not Python once its escapes "
        "are undone (invalid syntax, line 3); ship the handler as a file, or build it from one plain string "
        "literal, to have it checked",
        "inline handler code could not be analysed: its `.format` template cannot be read back as code; ship "
        "the handler as a file, or build it from one plain string literal, to have it checked",
        "inline handler code could not be analysed: it is returned by `self._code()`, which has more than one "
        "`return`; ship the handler as a file, or build it from one plain string literal, to have it checked",
        "inline handler code could not be analysed: it is built by an f-string (not checked by "
        "datetime-utcnow); ship the handler as a file, or build it from one plain string literal, to have it "
        "checked",
    ]
    assert out == _src
