"""sfn-lambda-invoke on a real Pulumi program: the original and the rewritten program run under
Pulumi mocks (tests/pulumi_mocks.py: each in its own process, in parallel), their resolved state
machine definitions parse, and they behave the same in the ASL simulator."""

from __future__ import annotations

import copy
import json

import pytest
from pulumi_mocks import of_type, run_sources

from iacmod.codemods.stepfunctions.lambda_invoke import SfnLambdaInvoke
from iacmod.testing import FIXTURES, fix_text

from .asl_sim import INVOKE, Simulator

pytest.importorskip("pulumi_aws")

BEFORE = FIXTURES / "sfn-lambda-invoke" / "pulumi_program.before.py"

FUNCTIONS = {
    "worker": lambda p: {"done": p, "items": 3},
    "scorer": lambda p: {"work": p["work"], "score": p["weight"] * 10},
}


@pytest.fixture(scope="module")
def definitions(tmp_path_factory):
    before = BEFORE.read_text()
    after, findings = fix_text(SfnLambdaInvoke, before)
    assert after != before and len(findings) == 3 and all(f.fixed for f in findings)
    reports = run_sources({"before": before, "after": after}, tmp_path_factory.mktemp("sfn"))
    out = {}
    for name, report in reports.items():
        assert report["error"] is None, report["error"]
        machines = of_type(report, "aws:sfn/stateMachine:StateMachine")
        out[name] = [json.loads(machines[m]["definition"]) for m in ("pipeline", "fan-out")]
    return out


def test_rewritten_program_resolves_to_the_integration(definitions):
    pipeline, fan_out = definitions["after"]
    work = pipeline["States"]["Work"]
    assert work["Resource"] == INVOKE
    assert work["Parameters"] == {
        "FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:worker",
        "Payload.$": "$",
    }
    assert pipeline["States"]["Score"]["OutputPath"] == "$.Payload.work"
    nested = fan_out["States"]["Each"]["ItemProcessor"]["States"]["Work"]
    assert nested["Resource"] == INVOKE and nested["OutputPath"] == "$.Payload"


def test_rewritten_program_behaves_the_same(definitions):
    data = {"job": {"id": 1}, "jobs": [{"id": 1}, {"id": 2}]}
    for old, new in zip(definitions["before"], definitions["after"]):
        assert old != new
        old_run = Simulator(FUNCTIONS).run(old, copy.deepcopy(data))
        new_run = Simulator(FUNCTIONS).run(new, copy.deepcopy(data))
        assert old_run.calls
        assert (new_run.calls, new_run.outputs) == (old_run.calls, old_run.outputs)
