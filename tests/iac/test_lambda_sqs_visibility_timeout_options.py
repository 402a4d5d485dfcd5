"""lambda-sqs-visibility-timeout's `factor` option: validated (a number, at least 1) and used."""

from __future__ import annotations

import pytest

from iacmod.codemods.lambda_.sqs_visibility_timeout import LambdaSqsVisibilityTimeout
from iacmod.testing import fix_text

PROGRAM = """
import pulumi_aws as aws
q = aws.sqs.Queue("q")
f = aws.lambda_.Function("f", timeout=100)
aws.lambda_.EventSourceMapping("m", event_source_arn=q.arn, function_name=f.name)
"""


@pytest.mark.parametrize("value", [0, -2, "6"])
def test_factor_is_a_number_of_at_least_one(value) -> None:
    with pytest.raises(ValueError, match="factor"):
        LambdaSqsVisibilityTimeout.validate_options({"factor": value})


@pytest.mark.parametrize(("factor", "seconds"), [(1, 100), (6, 600), (1000, 43200)])
def test_factor_sets_the_visibility_timeout_within_the_sqs_maximum(factor: int, seconds: int) -> None:
    assert LambdaSqsVisibilityTimeout.validate_options({"factor": factor}) == {"factor": factor}
    fixed, _ = fix_text(LambdaSqsVisibilityTimeout, PROGRAM, options={"factor": factor})
    assert f'aws.sqs.Queue("q", visibility_timeout_seconds={seconds})' in fixed
