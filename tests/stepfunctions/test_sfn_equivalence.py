"""sfn-lambda-invoke keeps what state machines do: original and rewritten definitions, run
through a small ASL data-flow simulator with fake Lambda functions, give the same functions the
same payloads and produce the same state outputs -- on every path a definition can take (Python
dict literal, JSON in a Python string, ASL JSON file, ASL YAML file)."""

from __future__ import annotations

import copy
import io
import json

import pytest
from ruamel.yaml import YAML

from iacmod.codemods.stepfunctions.lambda_invoke import SfnLambdaInvoke
from iacmod.findings import FixSafety
from iacmod.iac import asl, documents
from iacmod.testing import fix_text

from .asl_sim import INVOKE, PathError, Simulator

ACCOUNT = "arn:aws:lambda:us-east-1:123456789012:function:"

FUNCTIONS = {
    "enrich": lambda p: {"got": p, "score": 7, "items": [1, 2, 3], "nested": {"k": "v"}},
    "count": lambda p: 42,
    "listify": lambda p: [p, "x"],
    "echo": lambda p: p,
}

INPUT = {"order": {"id": "o-1", "qty": 2}, "id": "top", "items": [{"id": "a"}, {"id": "b"}]}


def task(fn: str, qualifier: str = "", **fields):
    state = {"Type": "Task", "Resource": ACCOUNT + fn + qualifier}
    state.update(fields)
    return state


def machine(*states, **extra):
    names = [f"S{i}" for i in range(len(states))]
    out = {"StartAt": names[0], "States": {}}
    out.update(extra)
    for i, (name, state) in enumerate(zip(names, states)):
        state = dict(state)
        if i + 1 < len(states):
            state["Next"] = names[i + 1]
        else:
            state["End"] = True
        out["States"][name] = state
    return out


CASES = {
    "default": machine(task("enrich")),
    "qualified-arn": machine(task("enrich", ":live")),
    "parameters-and-input-path": machine(
        task(
            "echo",
            InputPath="$.order",
            Parameters={
                "id.$": "$.id",
                "const": 1,
                "ctx.$": "$$.Execution.Id",
                "fmt.$": "States.Format('order {}', $.id)",
                "nested": {"qty.$": "$.qty", "list": [1, {"a.$": "$.id"}]},
            },
        )
    ),
    "output-path": machine(task("enrich", OutputPath="$.score")),
    "output-path-root": machine(task("enrich", OutputPath="$")),
    "output-path-brackets": machine(task("enrich", OutputPath="$['nested']['k']")),
    "output-path-null": machine(task("enrich", OutputPath=None)),
    "explicit-result-path-root": machine(task("enrich", ResultPath="$", OutputPath="$.items[1]")),
    "result-selector": machine(
        task(
            "enrich",
            ResultSelector={
                "s.$": "$.score",
                "all.$": "$",
                "n.$": "States.ArrayLength($.items)",
                "label.$": "States.Format('{} of {}', $.score, $.nested.k)",
                "deep": {"k.$": "$.nested.k", "const": "c"},
                "ctx.$": "$$.State.Name",
            },
            ResultPath="$.r",
        )
    ),
    "result-selector-and-output-path": machine(task("enrich", ResultSelector={"s.$": "$.score"}, OutputPath="$.s")),
    "result-path-null": machine(task("enrich", ResultPath=None, OutputPath="$.order")),
    "non-object-result": machine(task("count")),
    "list-result": machine(task("listify", OutputPath="$[1]")),
    "chain": machine(
        task("enrich", OutputPath="$.got"),
        task("echo", Parameters={"again.$": "$.order"}),
        task("count", ResultPath=None),
    ),
    "parallel-and-map": machine(
        {
            "Type": "Parallel",
            "Branches": [
                machine(task("enrich", OutputPath="$.score")),
                machine(task("echo", InputPath="$.order")),
            ],
        },
        {
            "Type": "Map",
            "InputPath": "$[1]",
            "ItemsPath": "$",
            "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, **machine(task("listify"))},
        },
        {
            "Type": "Map",
            "Iterator": machine(task("echo", ResultSelector={"v.$": "$"})),
            "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value"},
        },
    ),
    "retry-and-catch-kept": machine(
        task(
            "enrich",
            Retry=[{"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 2}],
            Catch=[{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "S1"}],
        ),
        {"Type": "Pass"},
    ),
}


def simulate(definition, data=INPUT):
    run = Simulator(FUNCTIONS).run(definition, copy.deepcopy(data))
    return run.calls, run.outputs, run.output


def raw_lambda_tasks(definition):
    return [s for _, _, s, _ in asl.iter_task_states(definition) if s["Resource"].startswith("arn:aws:lambda:")]


def rewrite(definition):
    new = copy.deepcopy(definition)
    outcomes = documents.rewrite_definition(new, unsafe=False, add_retry=True)
    return new, outcomes


@pytest.mark.parametrize("name", sorted(CASES))
def test_rewrite_keeps_data_flow(name):
    definition = CASES[name]
    new, outcomes = rewrite(definition)
    assert outcomes and all(o.fixed and o.safety is FixSafety.SAFE for o in outcomes)
    assert not raw_lambda_tasks(new), "every raw Lambda ARN is rewritten"
    assert all(s["Resource"] == INVOKE for _, _, s, _ in asl.iter_task_states(new))
    assert simulate(new) == simulate(definition)
    # the definition really changed shape: the simulator sees the wrapper
    again, outcomes = rewrite(new)
    assert again == new and not outcomes


def test_retry_and_catch_are_kept():
    new, _ = rewrite(CASES["retry-and-catch-kept"])
    state = new["States"]["S0"]
    assert state["Catch"] == CASES["retry-and-catch-kept"]["States"]["S0"]["Catch"]
    assert state["Retry"][0] == {"ErrorEquals": ["Lambda.ServiceException"], "MaxAttempts": 2}
    assert state["Retry"][1]["ErrorEquals"] == [
        "Lambda.AWSLambdaException",
        "Lambda.SdkClientException",
        "Lambda.TooManyRequestsException",
    ]
    assert list(state) == ["Type", "Resource", "Parameters", "OutputPath", "Retry", "Catch", "Next"]


def test_wildcard_retriers_cover_the_lambda_errors():
    for wildcard in ("States.ALL", "States.TaskFailed"):
        new, _ = rewrite(machine(task("enrich", Retry=[{"ErrorEquals": [wildcard]}])))
        assert new["States"]["S0"]["Retry"] == [{"ErrorEquals": [wildcard]}]


def test_result_path_into_input_is_reported_not_rewritten():
    definition = machine(task("enrich", ResultPath="$.result"))
    new, outcomes = rewrite(definition)
    assert new == definition
    [outcome] = outcomes
    assert outcome.plan.action == "report" and not outcome.fixed and outcome.safety is FixSafety.NONE
    assert "cannot unwrap" in outcome.plan.message
    # why: the plain switch would store the wrapper at $.result and change the output
    naive = copy.deepcopy(definition)
    asl.apply_plan(naive["States"]["S0"], asl.Plan("rewrite"))
    assert simulate(naive) != simulate(definition)


def test_simulator_sees_the_wrapper():
    """The simulator must be able to fail: the switch without OutputPath changes the output."""
    definition = CASES["default"]
    naive = copy.deepcopy(definition)
    asl.apply_plan(naive["States"]["S0"], asl.Plan("rewrite"))
    assert simulate(naive) != simulate(definition)
    selector = CASES["result-selector"]
    naive = copy.deepcopy(selector)
    asl.apply_plan(naive["States"]["S0"], asl.Plan("rewrite"))
    with pytest.raises(PathError):
        simulate(naive)  # $.score is not in the wrapper


# -- the same definitions through every place a definition can live ------------------------------


def python_literal(value, indent=0):
    pad = "    " * indent
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{pad}    {json.dumps(k)}: {python_literal(v, indent + 1)},\n" for k, v in value.items()]
        return "{\n" + "".join(items) + pad + "}"
    if isinstance(value, list):
        return "[" + ", ".join(python_literal(v, indent) for v in value) + "]"
    if value is None or isinstance(value, bool):
        return repr(value)
    return json.dumps(value)


@pytest.mark.parametrize("name", sorted(CASES))
def test_python_dict_path_matches(name):
    definition = CASES[name]
    expected, _ = rewrite(definition)
    source = "import json\n\ndefinition = " + python_literal(definition) + "\nbody = json.dumps(definition)\n"
    out, findings = fix_text(SfnLambdaInvoke, source)
    assert out != source
    namespace: dict = {}
    exec(compile(out, "rewritten.py", "exec"), namespace)
    assert namespace["definition"] == expected
    assert simulate(namespace["definition"]) == simulate(definition)
    assert fix_text(SfnLambdaInvoke, out)[0] == out


@pytest.mark.parametrize("name", sorted(CASES))
def test_json_string_path_matches(name):
    definition = CASES[name]
    expected, _ = rewrite(definition)
    source = 'DEFINITION = """' + json.dumps(definition, indent=2) + '"""\n'
    out, _ = fix_text(SfnLambdaInvoke, source)
    namespace: dict = {}
    exec(out, namespace)
    assert json.loads(namespace["DEFINITION"]) == expected
    assert fix_text(SfnLambdaInvoke, out)[0] == out


@pytest.mark.parametrize("name", sorted(CASES))
def test_asl_file_paths_match(name):
    definition = CASES[name]
    expected, _ = rewrite(definition)
    text = json.dumps(definition, indent=4) + "\n"
    out, findings = fix_text(SfnLambdaInvoke, text, path="machine.asl.json")
    assert json.loads(out) == expected
    assert out == json.dumps(expected, indent=4) + "\n"
    assert all(f.fixed for f in findings)

    yaml = YAML()
    buffer = io.StringIO()
    yaml.dump(definition, buffer)
    out, _ = fix_text(SfnLambdaInvoke, buffer.getvalue(), path="machine.asl.yaml")
    loaded = YAML(typ="safe").load(out)
    assert loaded == expected
    assert simulate(loaded) == simulate(definition)
    assert fix_text(SfnLambdaInvoke, out, path="machine.asl.yaml")[0] == out
