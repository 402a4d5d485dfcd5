"""``sfn-lambda-invoke`` on ASL documents: ``*.asl.json``/``*.asl.yaml`` files, JSON/YAML files
whose top level is a state machine definition, and JSON text in Python string literals."""

from __future__ import annotations

import copy
import io
import json
import re
from dataclasses import dataclass
from typing import Any, Callable

from iacmod.findings import FixSafety
from iacmod.rule import DocumentFinding, DocumentResult

from iacmod.iac import asl
from iacmod.edit import jsonedit


@dataclass(frozen=True)
class StateOutcome:
    name: str
    plan: asl.Plan
    safety: FixSafety
    fixed: bool


def rewrite_definition(
    definition: Any, *, unsafe: bool, add_retry: bool, make_map: Callable[[], Any] = dict
) -> list[StateOutcome]:
    """Plan (and, where the safety allows, apply) the switch for every Task state of a parsed
    definition, in place. Returns one outcome per state that has something to say."""
    outcomes: list[StateOutcome] = []
    for _states, name, state, ql in list(asl.iter_task_states(definition)):
        resource = state.get("Resource")
        if not isinstance(resource, str):
            continue
        kind = asl.classify_resource_string(resource)
        plan = asl.plan_state(state, kind, ql, add_retry)
        if plan.action == "skip":
            continue
        if plan.action == "report":
            outcomes.append(StateOutcome(str(name), plan, FixSafety.NONE, False))
            continue
        safety = FixSafety.SAFE if kind == asl.LAMBDA else FixSafety.UNSAFE
        fixed = safety is FixSafety.SAFE or unsafe
        if fixed:
            asl.apply_plan(state, plan, make_map)
        outcomes.append(StateOutcome(str(name), plan, safety, fixed))
    return outcomes


def _message(outcome: StateOutcome) -> str:
    text = outcome.plan.message if outcome.plan.action == "report" else asl.describe(outcome.plan)
    return f"state {outcome.name!r}: {text}"


# -- JSON -----------------------------------------------------------------------------------------


class _Duplicate(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key in out:
            raise _Duplicate(key)
        out[key] = value
    return out


def looks_like_json_definition(text: str) -> bool:
    return '"StartAt"' in text and '"States"' in text


def rewrite_json_text(text: str, *, unsafe: bool, add_retry: bool) -> tuple[str | None, list[StateOutcome]]:
    """New JSON text (None: unchanged) and outcomes, for a JSON document that is a definition.
    The text is edited in place (:func:`jsonedit.splice`): what the rewrite did not change keeps
    its layout byte for byte."""
    if not looks_like_json_definition(text):
        return None, []
    try:
        data = json.loads(text, object_pairs_hook=_pairs)
    except (ValueError, RecursionError):
        return None, []
    if not asl.is_definition(data):
        return None, []
    new = copy.deepcopy(data)
    outcomes = rewrite_definition(new, unsafe=unsafe, add_retry=add_retry)
    if not any(o.fixed for o in outcomes):
        return None, outcomes
    # only what the rewrite changed is new text; the rest of the document stays byte-identical
    return jsonedit.splice(text, data, new), outcomes


def _json_line(text: str, name: str) -> int:
    start = text.find('"States"')
    match = re.compile(re.escape(json.dumps(name)) + r"\s*:").search(text, max(start, 0))
    if not match:
        return 1
    return text.count("\n", 0, match.start()) + 1


def process_json(text: str, *, unsafe: bool, add_retry: bool) -> DocumentResult:
    new_text, outcomes = rewrite_json_text(text, unsafe=unsafe, add_retry=add_retry)
    findings = tuple(
        DocumentFinding(_message(o), _json_line(text, o.name), safety=o.safety, fixed=o.fixed) for o in outcomes
    )
    return DocumentResult(findings, new_text)


# -- YAML -----------------------------------------------------------------------------------------


KEY_LINE = re.compile(r"^( *)[^\s#-][^#]*:\s*(#.*)?$")
ITEM_LINE = re.compile(r"^( *)- ")
CONTENT_LINE = re.compile(r"^( *)[^\s#]")


def yaml_style(text: str) -> tuple[int, int, int]:
    """(mapping indent, sequence indent, dash offset) of block YAML, for ruamel's ``indent``."""
    mapping = offset = None
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    for prev, line in zip(lines, lines[1:]):
        opener = KEY_LINE.match(prev)
        if not opener:
            continue
        base = len(opener.group(1))
        item = ITEM_LINE.match(line)
        if item:
            if offset is None:
                offset = len(item.group(1)) - base
            continue
        content = CONTENT_LINE.match(line)
        if content and mapping is None and len(content.group(1)) > base:
            mapping = len(content.group(1)) - base
    mapping = mapping or 2
    offset = mapping if offset is None else offset
    return mapping, offset + 2, offset


def process_yaml(text: str, *, unsafe: bool, add_retry: bool) -> DocumentResult:
    if "StartAt" not in text or "States" not in text:
        return DocumentResult()
    from ruamel.yaml import YAML
    from ruamel.yaml.comments import CommentedMap
    from ruamel.yaml.error import YAMLError

    try:
        mapping, sequence, offset = yaml_style(text)
        yaml = YAML(typ="rt")
        yaml.preserve_quotes = True
        yaml.width = 4096
        yaml.indent(mapping=mapping, sequence=sequence, offset=offset)
        data = yaml.load(text)
    except (YAMLError, ValueError, TypeError):
        return DocumentResult()
    if not asl.is_definition(data):
        return DocumentResult()
    lines: dict[str, int] = {}
    for states, name, _state, _ql in asl.iter_task_states(data):
        try:
            lines[str(name)] = states.lc.key(name)[0] + 1
        except (AttributeError, KeyError, TypeError):
            lines[str(name)] = 1
    outcomes = rewrite_definition(data, unsafe=unsafe, add_retry=add_retry, make_map=CommentedMap)
    findings = tuple(
        DocumentFinding(_message(o), lines.get(o.name, 1), safety=o.safety, fixed=o.fixed) for o in outcomes
    )
    if not any(o.fixed for o in outcomes):
        return DocumentResult(findings)
    out = io.StringIO()
    yaml.dump(data, out)
    return DocumentResult(findings, out.getvalue())
