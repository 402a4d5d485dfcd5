"""The ASL side of ``sfn-lambda-invoke``: which Task states invoke a Lambda function by its raw
ARN, whether switching them to the optimized ``arn:aws:states:::lambda:invoke`` integration can
keep what the state outputs, and the switch itself over a plain JSON-like structure.

Shared by the three places definitions live: Python dict literals (the rule inspects a JSON-like
view of the literal with :class:`Opaque` leaves for expressions it cannot evaluate and applies the
:class:`Plan` to the CST itself), JSON text in Python strings, and ASL files (JSON or YAML),
which :func:`apply_plan` rewrites in place.

The semantics, for a JSONPath Task state whose ``Resource`` is a function ARN:

* the function receives ``Parameters`` (evaluated against the ``InputPath``-filtered input), or
  that filtered input itself when there are no ``Parameters``; with the integration the function
  receives ``Parameters.Payload``, so ``"Payload.$": "$"`` or ``"Payload": <old Parameters>``
  sends exactly the same payload;
* the state result is the function's return value; with the integration it is a wrapper
  ``{"ExecutedVersion", "Payload": <return value>, "StatusCode", "SdkHttpMetadata", ...}``.
  ``ResultSelector`` sees the result first, so re-rooting its paths under ``$.Payload`` keeps
  what it selects; without one, the default ``ResultPath`` (``$``) makes the result the state
  output, and ``OutputPath`` ``$.Payload<rest>`` selects what ``$<rest>`` selected before;
  ``"ResultPath": null`` discards the result either way. A ``ResultPath`` into the input would
  store the wrapper where the bare value was, and no JSONPath field can unwrap it there.
* errors are not wrapped (a function error keeps its ``errorType`` as the error name), so
  ``Retry``/``Catch`` keep working unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, MutableMapping, Sequence
from dataclasses import dataclass, field
from typing import Any

INVOKE = "arn:aws:states:::lambda:invoke"

# The retrier the Step Functions console (Workflow Studio) adds to every "Lambda Invoke" state,
# for transient Lambda service errors.
RECOMMENDED_ERRORS = (
    "Lambda.ServiceException",
    "Lambda.AWSLambdaException",
    "Lambda.SdkClientException",
    "Lambda.TooManyRequestsException",
)
RECOMMENDED_RETRIER_FIELDS = (
    ("IntervalSeconds", 1),
    ("MaxAttempts", 3),
    ("BackoffRate", 2),
    ("JitterStrategy", "FULL"),
)
# Error names that, in a retrier, match every error these are (States.TaskFailed matches any
# error but States.Timeout).
WILDCARDS = ("States.ALL", "States.TaskFailed")

LAMBDA_ARN = re.compile(r"^arn:aws[a-zA-Z-]*:lambda:[a-z0-9-]*:\d*:function:[^:]+(:[^:]+)?$")
# A CDKTF/Terraform reference to a function's ARN in a string: "${aws_lambda_function.x.arn}".
TF_LAMBDA_REF = re.compile(r"^\$\{aws_lambda_(function|alias)\.[A-Za-z0-9_-]+\.(arn|qualified_arn)\}$")


class Opaque:
    """A value that is not a JSON literal (a Python expression); ``node`` is what it came from."""

    __slots__ = ("node",)

    def __init__(self, node: Any) -> None:
        self.node = node

    def __repr__(self) -> str:
        return f"Opaque({self.node!r})"


# -- resources ------------------------------------------------------------------------------------

LAMBDA = "lambda"  # certainly a Lambda function ARN
MAYBE_LAMBDA = "maybe-lambda"  # an expression or placeholder that most likely holds one
OTHER = "other"  # a service integration, an activity, or anything else: never touched
# A ``${Name}`` placeholder (SAM/CloudFormation DefinitionSubstitutions, Fn::Sub, Terraform
# templatefile, string.Template): nothing until it is resolved from the definitions that fill it
# (:mod:`iacmod.iac.documents`); unresolved, it is never rewritten.
PLACEHOLDER = "placeholder"
PLACEHOLDER_RE = re.compile(r"^\$\{([A-Za-z0-9_.:-]+)\}$")


def classify_resource_string(value: str) -> str:
    """What a literal ``Resource`` string is."""
    parts = value.split(":")
    if len(parts) > 2 and parts[0] == "arn" and parts[2] == "states":
        return OTHER  # arn:aws:states:::service:api and activities
    if LAMBDA_ARN.match(value) or TF_LAMBDA_REF.match(value):
        return LAMBDA
    if PLACEHOLDER_RE.match(value):
        # a DefinitionSubstitutions / template placeholder: an activity, a queue, a table or an
        # integration ARN as often as a function ARN; only its resolution says
        return PLACEHOLDER
    return OTHER


def arn_shape(value: str) -> str:
    """What a string with placeholders in it is, by its ARN shape alone: LAMBDA for
    ``arn:<p>:lambda:<r>:<a>:function:<name>``, OTHER for ``arn:<p>:states:…`` and for text that is
    not a placeholder, else MAYBE_LAMBDA (``placeholders`` stand for unknown text)."""
    parts = value.split(":")
    if len(parts) > 2 and parts[0] == "arn" and parts[2] == "states":
        return OTHER
    if len(parts) in (7, 8) and parts[0] == "arn" and parts[2] == "lambda" and parts[5] == "function":
        return LAMBDA
    return MAYBE_LAMBDA


def lambda_evidence(state: Any) -> bool:
    """Whether a Task state with an unresolved ``Resource`` shows it calls Lambda: it passes a
    ``FunctionName``."""
    params = state.get("Parameters", ABSENT) if isinstance(state, (dict, MutableMapping)) else ABSENT
    return isinstance(params, (dict, MutableMapping)) and ("FunctionName" in params or "FunctionName.$" in params)


def unresolved_message(resource: str) -> str:
    return (
        f"`Resource` `{resource}` is a placeholder that could not be resolved from the definitions "
        "next to this one (SAM/CloudFormation `DefinitionSubstitutions`, Terraform `templatefile`, "
        "CDK `definition_substitutions`, `.format`/`string.Template`), and the state passes a "
        "`FunctionName`: if the placeholder is `arn:aws:states:::lambda:invoke` nothing is to be "
        f"done; if it is a function ARN, switch to `{INVOKE}` by hand (not rewritten: a placeholder "
        "may be an activity or another service's ARN)"
    )


# -- JSONPath -------------------------------------------------------------------------------------


class CannotReroot(ValueError):
    pass


def reroot_path(path: str) -> str:
    """``$<rest>`` (a path over the Lambda result) as a path over the integration's wrapper."""
    if path == "$":
        return "$.Payload"
    if path.startswith("$$"):
        return path  # the context object is the same
    if path.startswith("$.") or path.startswith("$["):
        return "$.Payload" + path[1:]
    raise CannotReroot(path)


def reroot_intrinsic(text: str) -> str:
    """Re-root the ``$`` paths among the arguments of an intrinsic function call."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == "'":
            j = i + 1
            while j < n and text[j] != "'":
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                raise CannotReroot(text)
            out.append(text[i : j + 1])
            i = j + 1
            continue
        if ch == "$":
            j = i
            while j < n and text[j] not in ",) \t":
                j += 1
            token = text[i:j]
            if "(" in token or "@" in token:
                raise CannotReroot(text)  # a filter expression: not worth guessing
            out.append(reroot_path(token))
            i = j
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def reroot_path_value(value: str) -> str:
    """The value of a ``"key.$"`` field of a ResultSelector, re-rooted under ``$.Payload``."""
    if value.startswith("States."):
        return reroot_intrinsic(value)
    return reroot_path(value)


def reroot_selector(selector: Any) -> Any:
    """A copy of a ResultSelector template with every path re-rooted under ``$.Payload``.
    Raises :class:`CannotReroot` when a path cannot be re-rooted (or is not a literal)."""
    if isinstance(selector, dict) or isinstance(selector, MutableMapping):
        out = {}
        for key, value in selector.items():
            if isinstance(key, str) and key.endswith(".$"):
                if not isinstance(value, str):
                    raise CannotReroot(repr(value))
                out[key] = reroot_path_value(value)
            else:
                out[key] = reroot_selector(value)
        return out
    if isinstance(selector, list):
        return [reroot_selector(v) for v in selector]
    if isinstance(selector, Opaque):
        raise CannotReroot("expression")
    return selector


def selector_changes(selector: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], str, str]]:
    """(location, old, new) for each path of a ResultSelector that re-rooting changes; location
    is the tuple of keys/indexes from the selector. Raises :class:`CannotReroot`."""
    if isinstance(selector, MutableMapping) or isinstance(selector, dict):
        for key, value in selector.items():
            if isinstance(key, str) and key.endswith(".$"):
                if not isinstance(value, str):
                    raise CannotReroot(repr(value))
                new = reroot_path_value(value)
                if new != value:
                    yield prefix + (key,), value, new
            else:
                yield from selector_changes(value, prefix + (key,))
    elif isinstance(selector, list):
        for index, value in enumerate(selector):
            yield from selector_changes(value, prefix + (index,))
    elif isinstance(selector, Opaque):
        raise CannotReroot("expression")


# -- the plan for one state -----------------------------------------------------------------------

ABSENT = object()


@dataclass
class Plan:
    """What to do with one Task state.

    ``action``: "rewrite", "report" (detect-only, ``message`` says why) or "skip".
    For "rewrite": ``output_path`` is the new OutputPath (None: leave it), ``selector`` the
    re-rooted ResultSelector changes, ``retry_errors`` the errors of the retrier to add
    (empty: none), ``retry_note`` a remark when existing retriers could not be analysed.
    """

    action: str
    message: str = ""
    output_path: str | None = None
    selector: list[tuple[tuple[Any, ...], str, str]] = field(default_factory=list)
    retry_errors: tuple[str, ...] = ()
    retry_note: str = ""
    resource_kind: str = LAMBDA
    note: str = ""  # where the function ARN comes from, when it was resolved (placeholders)


def effective_query_language(state: Any, inherited: str) -> str:
    ql = state.get("QueryLanguage", ABSENT) if isinstance(state, (dict, MutableMapping)) else ABSENT
    return ql if isinstance(ql, str) else inherited


def covered_errors(retry: Any) -> tuple[set[str], bool]:
    """Error names the existing retriers match, and whether the list could be analysed."""
    covered: set[str] = set()
    if retry is ABSENT:
        return covered, True
    if not isinstance(retry, list):
        return covered, False
    for retrier in retry:
        if not isinstance(retrier, (dict, MutableMapping)):
            return covered, False
        errors = retrier.get("ErrorEquals", ABSENT)
        if not isinstance(errors, list) or not all(isinstance(e, str) for e in errors):
            return covered, False
        if any(e in WILDCARDS for e in errors):
            covered.update(RECOMMENDED_ERRORS)
        covered.update(errors)
    return covered, True


def plan_state(state: Any, resource_kind: str, query_language: str, add_retry: bool = True) -> Plan:
    """Decide what to do with one Task state whose ``Resource`` is of ``resource_kind``
    (LAMBDA / MAYBE_LAMBDA / OTHER). ``state`` maps keys to JSON-like values (with Opaque)."""
    if resource_kind in (OTHER, PLACEHOLDER):
        return Plan("skip")
    if query_language == "JSONata":
        return Plan(
            "report",
            "this JSONata Task state invokes a Lambda function by its ARN; AWS recommends the "
            f"optimized integration: set `Resource` to `{INVOKE}` with `Arguments` "
            '`{"FunctionName": <the ARN>, "Payload": "{% $states.input %}"}` (or your existing '
            "Arguments as Payload) and read the result from `$states.result.Payload` in `Output`/"
            "`Assign` (not rewritten automatically: JSONata expressions are not analysed)",
            resource_kind=resource_kind,
        )
    if query_language != "JSONPath":
        return Plan("report", "the state's QueryLanguage is not a literal; not rewritten", resource_kind=resource_kind)

    result_selector = state.get("ResultSelector", ABSENT)
    result_path = state.get("ResultPath", ABSENT)
    output_path = state.get("OutputPath", ABSENT)
    plan = Plan("rewrite", resource_kind=resource_kind)

    if isinstance(state.get("Parameters", ABSENT), str):
        return Plan("report", "`Parameters` is not an object; not rewritten", resource_kind=resource_kind)

    if result_selector is not ABSENT:
        # The selector sees the wrapper instead of the bare value: re-root its paths. It builds
        # the same object, so ResultPath and OutputPath need no change.
        try:
            plan.selector = list(selector_changes(result_selector))
        except CannotReroot as exc:
            return Plan(
                "report",
                "the optimized `lambda:invoke` integration wraps the function's result in "
                '`{"Payload": ...}`; this state\'s `ResultSelector` has a path that could not be '
                f"re-rooted under `$.Payload` ({exc}); switch by hand",
                resource_kind=resource_kind,
            )
        if not isinstance(result_selector, (dict, MutableMapping)):
            return Plan("report", "`ResultSelector` is not an object; not rewritten", resource_kind=resource_kind)
    elif result_path is None:
        pass  # the result is discarded: the wrapper never shows
    elif result_path is ABSENT or result_path == "$":
        # The result becomes the state's output (through OutputPath).
        if output_path is ABSENT:
            plan.output_path = "$.Payload"
        elif output_path is None:
            pass  # the output is {} either way
        elif isinstance(output_path, str):
            try:
                plan.output_path = reroot_path(output_path)
            except CannotReroot:
                return Plan(
                    "report",
                    f"`OutputPath` {output_path!r} is not a path this rule understands; not rewritten",
                    resource_kind=resource_kind,
                )
            if output_path.startswith("$$"):
                return Plan(
                    "report", "`OutputPath` reads the context object; not rewritten", resource_kind=resource_kind
                )
        else:
            return Plan("report", "`OutputPath` is not a literal; not rewritten", resource_kind=resource_kind)
    elif isinstance(result_path, str):
        return Plan(
            "report",
            f"this Task invokes a Lambda function by its ARN and stores the result at ResultPath "
            f"`{result_path}`; the optimized `{INVOKE}` integration would store the wrapper "
            '`{"ExecutedVersion", "Payload", "StatusCode", ...}` there instead, and JSONPath '
            "cannot unwrap it in place (a ResultSelector always builds an object). Switch by "
            f'hand: use `{INVOKE}` with `"Parameters": {{"FunctionName": ..., "Payload.$": "$"}}` '
            'and `"ResultSelector": {"Payload.$": "$.Payload"}`, then read '
            f"`{result_path}.Payload` where states read `{result_path}`",
            resource_kind=resource_kind,
        )
    else:
        return Plan("report", "`ResultPath` is not a literal; not rewritten", resource_kind=resource_kind)

    if add_retry:
        covered, known = covered_errors(state.get("Retry", ABSENT))
        if known:
            plan.retry_errors = tuple(e for e in RECOMMENDED_ERRORS if e not in covered)
        else:
            plan.retry_note = (
                "the existing Retry could not be analysed, so no retrier for transient Lambda errors was added"
            )
    return plan


def retrier(errors: Sequence[str]) -> dict[str, Any]:
    out: dict[str, Any] = {"ErrorEquals": list(errors)}
    out.update(RECOMMENDED_RETRIER_FIELDS)
    return out


def describe(plan: Plan) -> str:
    """The message of a rewrite finding."""
    parts = [
        "Task state invokes a Lambda function by its ARN; use the optimized "
        f"`{INVOKE}` integration (the payload is passed as `Parameters.Payload`"
    ]
    if plan.output_path:
        parts.append(f"; `OutputPath` `{plan.output_path}` keeps the output as it was")
    elif plan.selector:
        parts.append("; `ResultSelector` paths re-rooted under `$.Payload`")
    parts.append(")")
    if plan.retry_errors:
        parts.append("; adds the recommended retrier for transient Lambda errors")
    if plan.retry_note:
        parts.append(f"; {plan.retry_note}")
    if plan.note:
        parts.append(f" ({plan.note})")
    if plan.resource_kind == MAYBE_LAMBDA:
        parts.append(
            " (unsafe fix: the `Resource` is not a literal function ARN or a known Lambda "
            "function's ARN; check that it is one, then run with --unsafe-fixes)"
        )
    return "".join(parts)


# -- walking definitions -------------------------------------------------------------------------


def iter_task_states(definition: Any, inherited: str = "JSONPath") -> Iterator[tuple[Any, str, Any, str]]:
    """(states mapping, name, state, query language) for every Task state of a definition,
    nested ones (Parallel branches, Map processors) included. JSON-like input."""
    if not isinstance(definition, (dict, MutableMapping)):
        return
    ql = definition.get("QueryLanguage", inherited)
    if not isinstance(ql, str):
        ql = inherited
    states = definition.get("States")
    if not isinstance(states, (dict, MutableMapping)):
        return
    for name, state in states.items():
        if not isinstance(state, (dict, MutableMapping)):
            continue
        state_ql = effective_query_language(state, ql)
        kind = state.get("Type")
        if kind == "Task":
            yield states, name, state, state_ql
        elif kind == "Parallel":
            for branch in state.get("Branches") or []:
                yield from iter_task_states(branch, state_ql)
        elif kind == "Map":
            for key in ("ItemProcessor", "Iterator"):
                yield from iter_task_states(state.get(key), state_ql)


def is_definition(value: Any) -> bool:
    return (
        isinstance(value, (dict, MutableMapping))
        and "StartAt" in value
        and isinstance(value.get("States"), (dict, MutableMapping))
    )


# -- applying a plan to a plain (or ruamel) mapping ---------------------------------------------


def _insert(mapping: MutableMapping[str, Any], index: int, key: str, value: Any) -> None:
    insert = getattr(mapping, "insert", None)
    if insert is not None:
        insert(index, key, value)
        return
    items = list(mapping.items())
    items.insert(index, (key, value))
    mapping.clear()
    mapping.update(items)


def _index(mapping: MutableMapping[str, Any], key: str) -> int:
    return list(mapping).index(key)


def retry_insert_index(keys: Sequence[str]) -> int:
    """Where a new ``Retry`` goes: before ``Catch``, else before ``Next``/``End``, else last."""
    for anchor in ("Catch", "Next", "End"):
        if anchor in keys:
            return list(keys).index(anchor)
    return len(keys)


def apply_plan(state: MutableMapping[str, Any], plan: Plan, make_map: Any = dict) -> None:
    """Rewrite ``state`` (a plain dict or a ruamel CommentedMap) in place, keeping key order."""
    assert plan.action == "rewrite"
    function = state["Resource"]
    old_params = state.get("Parameters", ABSENT)
    params = make_map()
    params["FunctionName"] = function
    if old_params is ABSENT:
        params["Payload.$"] = "$"
    else:
        params["Payload"] = old_params
    state["Resource"] = INVOKE
    if old_params is ABSENT:
        _insert(state, _index(state, "Resource") + 1, "Parameters", params)
    else:
        state["Parameters"] = params
    for location, _old, new in plan.selector:
        target = state["ResultSelector"]
        for step in location[:-1]:
            target = target[step]
        target[location[-1]] = new
    if plan.output_path is not None:
        if "OutputPath" in state:
            state["OutputPath"] = plan.output_path
        else:
            _insert(state, _index(state, "Parameters") + 1, "OutputPath", plan.output_path)
    if plan.retry_errors:
        new = make_map()
        for key, value in retrier(plan.retry_errors).items():
            new[key] = value
        if "Retry" in state:
            state["Retry"].append(new)
        else:
            _insert(state, retry_insert_index(list(state)), "Retry", [new])
