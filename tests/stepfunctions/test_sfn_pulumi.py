"""sfn-lambda-invoke on a real Pulumi program: the original and the rewritten program run under
Pulumi mocks (each in its own process, in parallel), their resolved state machine definitions
parse, and they behave the same in the ASL simulator."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import textwrap

import pytest

from iacmod.codemods.stepfunctions.lambda_invoke import SfnLambdaInvoke
from iacmod.testing import FIXTURES, fix_text

from .asl_sim import INVOKE, Simulator

pytest.importorskip("pulumi_aws")

BEFORE = FIXTURES / "sfn-lambda-invoke" / "pulumi_program.before.py"

RUNNER = textwrap.dedent(
    """
    import json
    import sys

    import pulumi


    class Mocks(pulumi.runtime.Mocks):
        def new_resource(self, args):
            outputs = dict(args.inputs)
            if args.typ == "aws:lambda/function:Function":
                outputs["arn"] = f"arn:aws:lambda:us-east-1:123456789012:function:{args.name}"
            return [args.name + "-id", outputs]

        def call(self, args):
            return {}


    pulumi.runtime.set_mocks(Mocks(), project="sfn", stack="test", preview=False)
    sys.path.insert(0, sys.argv[1])
    import program


    @pulumi.runtime.test
    def collect():
        return pulumi.Output.all(program.pipeline.definition, program.fan_out.definition).apply(
            lambda values: print("DEFINITIONS " + json.dumps(values))
        )


    collect()
    """
)

FUNCTIONS = {
    "worker": lambda p: {"done": p, "items": 3},
    "scorer": lambda p: {"work": p["work"], "score": p["weight"] * 10},
}


@pytest.fixture(scope="module")
def definitions(tmp_path_factory):
    before = BEFORE.read_text()
    after, findings = fix_text(SfnLambdaInvoke, before)
    assert after != before and len(findings) == 3 and all(f.fixed for f in findings)
    procs = {}
    for name, source in (("before", before), ("after", after)):
        folder = tmp_path_factory.mktemp(name)
        (folder / "program.py").write_text(source)
        (folder / "runner.py").write_text(RUNNER)
        procs[name] = subprocess.Popen(
            [sys.executable, str(folder / "runner.py"), str(folder)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=folder,
        )
    out = {}
    for name, proc in procs.items():
        stdout, stderr = proc.communicate(timeout=120)
        assert proc.returncode == 0, stderr
        line = next(l for l in stdout.splitlines() if l.startswith("DEFINITIONS "))
        out[name] = [json.loads(d) for d in json.loads(line[len("DEFINITIONS ") :])]
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
