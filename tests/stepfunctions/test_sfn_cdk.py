"""sfn-lambda-invoke on a real AWS CDK app: the original and the rewritten stack are synthesized
with aws-cdk-lib (one app, one synth), the rewritten template passes cfn-lint, and the resolved
state machine definitions behave the same in the ASL simulator."""

from __future__ import annotations

import copy
import importlib.util
import json
import os
import sys

import pytest

from iacmod.codemods.stepfunctions.lambda_invoke import SfnLambdaInvoke
from iacmod.testing import FIXTURES, fix_text

from .asl_sim import INVOKE, Simulator

pytest.importorskip("aws_cdk")

BEFORE = FIXTURES / "sfn-lambda-invoke" / "cdk_stack.before.py"
ACCOUNT = "arn:aws:lambda:us-east-1:123456789012:function:"


def _load(name: str, source: str, tmp_path):
    path = tmp_path / f"{name}.py"
    path.write_text(source)
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def templates(tmp_path_factory):
    os.environ.setdefault("JSII_SILENCE_WARNING_DEPRECATED_NODE_VERSION", "1")
    import aws_cdk as cdk

    tmp = tmp_path_factory.mktemp("cdk")
    before = BEFORE.read_text()
    after, findings = fix_text(SfnLambdaInvoke, before)
    assert after != before and len(findings) == 4 and all(f.fixed for f in findings)
    old = _load("sfn_cdk_before", before, tmp)
    new = _load("sfn_cdk_after", after, tmp)
    app = cdk.App(outdir=str(tmp / "out"), analytics_reporting=False)
    env = cdk.Environment(account="123456789012", region="us-east-1")
    old.OrdersStack(app, "Before", env=env)
    new.OrdersStack(app, "After", env=env)
    assembly = app.synth()
    return {name: assembly.get_stack_by_name(name).template for name in ("Before", "After")}


def _resolve(value, template):
    """A definition from a synthesized template, with function ARNs filled in."""
    names = {
        logical: "validate" if "Validate" in logical else "charge"
        for logical, res in template["Resources"].items()
        if res["Type"] == "AWS::Lambda::Function"
    }

    def fill(node):
        if isinstance(node, dict):
            if set(node) == {"Fn::GetAtt"}:
                logical, attr = node["Fn::GetAtt"]
                assert attr == "Arn"
                return ACCOUNT + names[logical]
            if set(node) == {"Fn::Join"}:
                sep, parts = node["Fn::Join"]
                return sep.join(fill(p) for p in parts)
            return {k: fill(v) for k, v in node.items()}
        if isinstance(node, list):
            return [fill(v) for v in node]
        return node

    resolved = fill(value)
    return json.loads(resolved) if isinstance(resolved, str) else resolved


def _definitions(template):
    out = {}
    for logical, res in template["Resources"].items():
        if res["Type"] != "AWS::StepFunctions::StateMachine":
            continue
        props = res["Properties"]
        body = props.get("DefinitionString", props.get("Definition"))
        out[logical.rstrip("0123456789ABCDEF")] = _resolve(body, template)
    return out


FUNCTIONS = {
    "validate": lambda p: {"order": p.get("order", {}), "checked": True},
    "charge": lambda p: {"order": dict(p.get("order", {}), paid=True), "receipt": "r-1"},
}


def test_rewritten_template_passes_cfn_lint(templates):
    from cfnlint.api import lint

    matches = lint(json.dumps(templates["After"]), regions=["us-east-1"])
    errors = [m for m in matches if m.rule.id.startswith("E")]
    assert not errors, [str(m) for m in errors]


def test_rewritten_definitions_use_the_integration(templates):
    definitions = _definitions(templates["After"])
    assert len(definitions) == 3
    for definition in definitions.values():
        for state in definition["States"].values():
            if state["Type"] == "Task":
                assert state["Resource"] == INVOKE
                assert state["Parameters"]["FunctionName"].startswith(ACCOUNT)


def test_rewritten_definitions_behave_the_same(templates):
    before = _definitions(templates["Before"])
    after = _definitions(templates["After"])
    assert before.keys() == after.keys()
    order = {"order": {"id": "o-7", "total": 12}}
    for name in before:
        old = Simulator(FUNCTIONS).run(before[name], copy.deepcopy(order))
        new = Simulator(FUNCTIONS).run(after[name], copy.deepcopy(order))
        assert (new.calls, new.outputs) == (old.calls, old.outputs), name
        assert old.calls, name
