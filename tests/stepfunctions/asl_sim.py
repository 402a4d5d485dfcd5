"""A small ASL (JSONPath) data-flow simulator for the equivalence tests of sfn-lambda-invoke.

It runs Task (raw Lambda ARN and ``arn:aws:states:::lambda:invoke``), Pass, Parallel, Map,
Succeed states with InputPath, Parameters (payload templates, ``$$`` context paths and a few
intrinsic functions), ResultSelector, ResultPath and OutputPath, calling fake Lambda functions,
and records which function received which payload and what each state output.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

INVOKE = "arn:aws:states:::lambda:invoke"
CONTEXT = {"Execution": {"Id": "exec-1", "Name": "run"}, "State": {"Name": "?", "RetryCount": 0}}


class PathError(Exception):
    pass


_TOKEN = re.compile(r"\.([A-Za-z_][A-Za-z0-9_-]*)|\['([^']*)'\]|\[(\d+)\]")


def _steps(path: str) -> list[Any]:
    if not path.startswith("$"):
        raise PathError(path)
    rest = path[1:]
    steps: list[Any] = []
    pos = 0
    while pos < len(rest):
        match = _TOKEN.match(rest, pos)
        if not match:
            raise PathError(path)
        name, quoted, index = match.groups()
        steps.append(int(index) if index is not None else (name if name is not None else quoted))
        pos = match.end()
    return steps


def get_path(data: Any, path: str) -> Any:
    for step in _steps(path):
        if isinstance(step, int):
            if not isinstance(data, list) or step >= len(data):
                raise PathError(path)
            data = data[step]
        else:
            if not isinstance(data, dict) or step not in data:
                raise PathError(path)
            data = data[step]
    return copy.deepcopy(data)


def set_path(data: Any, path: str, value: Any) -> Any:
    steps = _steps(path)
    if not steps:
        return value
    data = copy.deepcopy(data)
    if not isinstance(data, dict):
        raise PathError(path)
    target = data
    for step in steps[:-1]:
        if not isinstance(step, str):
            raise PathError(path)
        target = target.setdefault(step, {})
        if not isinstance(target, dict):
            raise PathError(path)
    target[steps[-1]] = value
    return data


def _split_args(text: str) -> list[str]:
    args, depth, quoted, start = [], 0, False, 0
    i = 0
    while i < len(text):
        ch = text[i]
        if quoted:
            if ch == "\\":
                i += 1
            elif ch == "'":
                quoted = False
        elif ch == "'":
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif ch == "," and depth == 0:
            args.append(text[start:i].strip())
            start = i + 1
        i += 1
    if text[start:].strip():
        args.append(text[start:].strip())
    return args


def evaluate(expr: str, data: Any, context: Any) -> Any:
    """A path (``$...`` / ``$$...``) or an intrinsic function call."""
    if expr.startswith("$$"):
        return get_path(context, expr[1:])
    if expr.startswith("$"):
        return get_path(data, expr)
    match = re.fullmatch(r"(States\.[A-Za-z]+)\((.*)\)", expr, re.S)
    if not match:
        raise PathError(expr)
    name, inner = match.groups()
    args = []
    for arg in _split_args(inner):
        if arg.startswith("'"):
            args.append(arg[1:-1].replace("\\'", "'"))
        elif arg.startswith("$") or arg.startswith("States."):
            args.append(evaluate(arg, data, context))
        else:
            args.append(json.loads(arg))
    if name == "States.Format":
        template, *values = args
        for value in values:
            template = template.replace("{}", value if isinstance(value, str) else json.dumps(value), 1)
        return template
    if name == "States.Array":
        return list(args)
    if name == "States.ArrayLength":
        return len(args[0])
    if name == "States.JsonToString":
        return json.dumps(args[0], separators=(",", ":"))
    raise PathError(name)


def template(value: Any, data: Any, context: Any) -> Any:
    """Evaluate a payload template (Parameters, ResultSelector, ItemSelector)."""
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key.endswith(".$"):
                out[key[:-2]] = evaluate(item, data, context)
            else:
                out[key] = template(item, data, context)
        return out
    if isinstance(value, list):
        return [template(v, data, context) for v in value]
    return copy.deepcopy(value)


@dataclass
class Run:
    calls: list[tuple[str, Any]] = field(default_factory=list)
    outputs: list[tuple[str, Any]] = field(default_factory=list)
    output: Any = None


def function_name(arn: str) -> str:
    parts = arn.split(":")
    return parts[6] if len(parts) > 6 and parts[5] == "function" else arn


class Simulator:
    def __init__(self, functions: dict[str, Callable[[Any], Any]]) -> None:
        self.functions = functions

    def run(self, definition: dict[str, Any], data: Any) -> Run:
        run = Run()
        run.output = self._machine(definition, data, run, "")
        return run

    def _invoke(self, arn: str, payload: Any, run: Run) -> Any:
        name = function_name(arn)
        run.calls.append((name, copy.deepcopy(payload)))
        return self.functions[name](copy.deepcopy(payload))

    def _machine(self, definition: dict[str, Any], data: Any, run: Run, prefix: str) -> Any:
        states = definition["States"]
        name = definition["StartAt"]
        while True:
            state = states[name]
            data = self._state(state, data, run, prefix + name)
            run.outputs.append((prefix + name, copy.deepcopy(data)))
            if state.get("End") or state["Type"] in ("Succeed", "Fail"):
                return data
            name = state["Next"]

    def _state(self, state: dict[str, Any], raw: Any, run: Run, name: str) -> Any:
        kind = state["Type"]
        if kind == "Succeed":
            return raw
        context = copy.deepcopy(CONTEXT)
        context["State"]["Name"] = name
        effective = self._input_path(state, raw)
        if kind == "Pass":
            if "Parameters" in state:
                effective = template(state["Parameters"], effective, context)
            result = copy.deepcopy(state["Result"]) if "Result" in state else effective
            return self._output(state, raw, result, context)
        if kind == "Task":
            if "Parameters" in state:
                effective = template(state["Parameters"], effective, context)
            resource = state["Resource"]
            if resource == INVOKE:
                payload = effective.get("Payload", {}) if isinstance(effective, dict) else {}
                returned = self._invoke(effective["FunctionName"], payload, run)
                result = {
                    "ExecutedVersion": "$LATEST",
                    "Payload": returned,
                    "SdkHttpMetadata": {"HttpStatusCode": 200},
                    "SdkResponseMetadata": {"RequestId": "r-1"},
                    "StatusCode": 200,
                }
            elif resource.startswith("arn:aws:lambda:"):
                result = self._invoke(resource, effective, run)
            else:
                raise AssertionError(f"unsupported resource {resource}")
            return self._output(state, raw, result, context)
        if kind == "Parallel":
            result = [
                self._machine(branch, effective, run, f"{name}/{i}/") for i, branch in enumerate(state["Branches"])
            ]
            return self._output(state, raw, result, context)
        if kind == "Map":
            items = get_path(effective, state.get("ItemsPath", "$"))
            processor = state.get("ItemProcessor") or state["Iterator"]
            result = []
            for index, item in enumerate(items):
                if "ItemSelector" in state or "Parameters" in state:
                    item_context = dict(context, Map={"Item": {"Index": index, "Value": item}})
                    item = template(state.get("ItemSelector", state.get("Parameters")), effective, item_context)
                result.append(self._machine(processor, item, run, f"{name}/{index}/"))
            return self._output(state, raw, result, context)
        raise AssertionError(f"unsupported state type {kind}")

    @staticmethod
    def _input_path(state: dict[str, Any], raw: Any) -> Any:
        if "InputPath" not in state:
            return copy.deepcopy(raw)
        if state["InputPath"] is None:
            return {}
        return get_path(raw, state["InputPath"])

    @staticmethod
    def _output(state: dict[str, Any], raw: Any, result: Any, context: Any) -> Any:
        if "ResultSelector" in state:
            result = template(state["ResultSelector"], result, context)
        if "ResultPath" not in state:
            combined = result
        elif state["ResultPath"] is None:
            combined = copy.deepcopy(raw)
        else:
            combined = set_path(raw, state["ResultPath"], result)
        if "OutputPath" not in state:
            return combined
        if state["OutputPath"] is None:
            return {}
        return get_path(combined, state["OutputPath"])
