"""sfn-lambda-invoke keeps the comment at the end of a line with the element it was on when new
elements are appended after it (LibCST keeps the last element's comment before the closing
bracket)."""

from __future__ import annotations

from iacmod.codemods.stepfunctions.lambda_invoke import SfnLambdaInvoke
from iacmod.testing import fix_text

ARN = "arn:aws:lambda:us-east-1:123456789012:function:f"


def test_comment_on_the_last_key_stays_on_its_line() -> None:
    code = f'''definition = {{
    "StartAt": "A",
    "States": {{
        "A": {{
            "Type": "Task",
            "End": True,
            "Resource": "{ARN}",  # the worker
        }},
    }},
}}
'''
    new, _ = fix_text(SfnLambdaInvoke, code, options={"add-retry": False})
    assert '"Resource": "arn:aws:states:::lambda:invoke",  # the worker\n' in new
    assert new.endswith('            "OutputPath": "$.Payload",\n        },\n    },\n}\n')


def test_comment_on_the_last_retrier_stays_on_its_line() -> None:
    code = f'''definition = {{"StartAt": "B", "States": {{"B": {{"Type": "Task", "Resource": "{ARN}", "End": True,
    "Retry": [
        {{"ErrorEquals": ["States.Timeout"]}},  # timeouts
    ]}}}}}}
'''
    new, _ = fix_text(SfnLambdaInvoke, code)
    assert '        {"ErrorEquals": ["States.Timeout"]},  # timeouts\n' in new
    assert "        },\n    ]}}}\n" in new
