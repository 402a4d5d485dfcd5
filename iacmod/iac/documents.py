"""``sfn-lambda-invoke`` on ASL documents: ``*.asl.json``/``*.asl.yaml`` files, JSON/YAML files
whose top level is a state machine definition, and JSON text in Python string literals."""

from __future__ import annotations

import copy
import io
import json
import re
from collections.abc import Callable, Iterable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from iacmod.edit import jsonedit
from iacmod.findings import FixSafety
from iacmod.iac import asl
from iacmod.rule import DocumentFinding, DocumentResult


@dataclass(frozen=True)
class StateOutcome:
    name: str
    plan: asl.Plan
    safety: FixSafety
    fixed: bool


@dataclass(frozen=True)
class Resolution:
    """What a ``${Name}`` placeholder is filled with: ``kind`` is asl.LAMBDA (certainly a Lambda
    function's, alias's or version's ARN), asl.MAYBE_LAMBDA (a Lambda function named some other
    way, e.g. CloudFormation ``Ref`` gives its name: unsafe) or asl.OTHER; ``source`` says where."""

    kind: str
    source: str


# name -> resolution, for the placeholders a caller could resolve (others are unresolved)
Placeholders = Mapping[str, Resolution]
# the names wanted -> what they resolve to; called only when a Task resource is a placeholder
Resolver = Callable[[set[str]], Placeholders]
# a Resource string -> (kind, note); replaces asl.classify_resource_string (templates in Python)
Classifier = Callable[[str], "tuple[str, str]"]


def placeholder_names(definition: Any) -> set[str]:
    """The placeholders used as a Task ``Resource`` in a parsed definition."""
    names = set()
    for _states, _name, state, _ql in asl.iter_task_states(definition):
        resource = state.get("Resource")
        match = asl.PLACEHOLDER_RE.match(resource) if isinstance(resource, str) else None
        if match:
            names.add(match.group(1))
    return names


def classifier(placeholders: Placeholders | None) -> Classifier:
    """asl.classify_resource_string with ``${Name}`` placeholders resolved from ``placeholders``."""

    def classify(resource: str) -> tuple[str, str]:
        kind = asl.classify_resource_string(resource)
        if kind != asl.PLACEHOLDER:
            return kind, ""
        # kind PLACEHOLDER: PLACEHOLDER_RE matched the resource (match() is typed Optional)
        found = (placeholders or {}).get(asl.PLACEHOLDER_RE.match(resource).group(1))  # type: ignore[union-attr]
        if found is None:
            return asl.PLACEHOLDER, ""
        return found.kind, f"`{resource}` is {found.source}"

    return classify


def rewrite_definition(
    definition: Any,
    *,
    unsafe: bool,
    add_retry: bool,
    make_map: Callable[[], Any] = dict,
    classify: Classifier | None = None,
) -> list[StateOutcome]:
    """Plan (and, where the safety allows, apply) the switch for every Task state of a parsed
    definition, in place. Returns one outcome per state that has something to say. ``classify``
    says what a ``Resource`` string is (default: literals only; placeholders unresolved)."""
    classify = classify or classifier(None)
    outcomes: list[StateOutcome] = []
    for _states, name, state, ql in list(asl.iter_task_states(definition)):
        resource = state.get("Resource")
        if not isinstance(resource, str):
            continue
        kind, note = classify(resource)
        if kind == asl.PLACEHOLDER:
            # unresolved: never rewritten; reported only on positive evidence of a Lambda call
            if asl.lambda_evidence(state):
                plan = asl.Plan("report", asl.unresolved_message(resource), resource_kind=kind)
                outcomes.append(StateOutcome(str(name), plan, FixSafety.NONE, False))
            continue
        plan = asl.plan_state(state, kind, ql, add_retry)
        plan.note = note
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


def rewrite_json_text(
    text: str,
    *,
    unsafe: bool,
    add_retry: bool,
    classify: Classifier | None = None,
    resolve: Resolver | None = None,
) -> tuple[str | None, list[StateOutcome]]:
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
    if classify is None and resolve is not None:
        names = placeholder_names(data)
        classify = classifier(resolve(names) if names else None)
    new = copy.deepcopy(data)
    outcomes = rewrite_definition(new, unsafe=unsafe, add_retry=add_retry, classify=classify)
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


def process_json(text: str, *, unsafe: bool, add_retry: bool, resolve: Resolver | None = None) -> DocumentResult:
    new_text, outcomes = rewrite_json_text(text, unsafe=unsafe, add_retry=add_retry, resolve=resolve)
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


def process_yaml(text: str, *, unsafe: bool, add_retry: bool, resolve: Resolver | None = None) -> DocumentResult:
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
        # `ResultPath: null` stays `null` (ruamel writes None as nothing)
        yaml.representer.add_representer(
            type(None), lambda rep, _data: rep.represent_scalar("tag:yaml.org,2002:null", "null")
        )
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
    names = placeholder_names(data)
    classify = classifier(resolve(names) if names and resolve is not None else None)
    outcomes = rewrite_definition(data, unsafe=unsafe, add_retry=add_retry, make_map=CommentedMap, classify=classify)
    findings = tuple(
        DocumentFinding(_message(o), lines.get(o.name, 1), safety=o.safety, fixed=o.fixed) for o in outcomes
    )
    if not any(o.fixed for o in outcomes):
        return DocumentResult(findings)
    out = io.StringIO()
    yaml.dump(data, out)
    return DocumentResult(findings, out.getvalue())


# -- resolving placeholders from the definitions next to an ASL file ------------------------------
#
# Read only when a definition has a ``${Name}`` Task resource. The files looked at are those in
# the ASL file's folder, its parent and grandparent (not above a ``.git`` folder, never the file
# system root or the home folder), and their direct subfolders, whose text names
# the ASL file (its file name): SAM/CloudFormation templates (YAML or JSON), Terraform ``.tf``
# files and Python programs (through ``python_resolver``, given by the rule: it needs the binding
# tracker). A name resolved differently by two sources is unresolved.

SKIP_DIRS = frozenset({"node_modules", "cdk.out", "__pycache__", "site-packages", "dist", "build"})
MAX_SIBLING_BYTES = 1_000_000
MAX_SUBFOLDERS = 200
MAX_FILES = 500
STATE_MACHINE_TYPES = frozenset({"AWS::Serverless::StateMachine", "AWS::StepFunctions::StateMachine"})
FUNCTION_TYPES = frozenset({"AWS::Serverless::Function", "AWS::Lambda::Function"})
# CloudFormation types whose Ref is a Lambda ARN (an alias's, a version's)
REF_ARN_LAMBDA_TYPES = frozenset({"AWS::Lambda::Alias", "AWS::Lambda::Version"})

PythonResolver = Callable[[Path, str, str], Placeholders]


def sibling_files(asl_path: Path) -> Iterable[tuple[Path, str]]:
    """(path, text) of the files near ``asl_path`` that name it (see above)."""
    name = asl_path.name
    folders: list[Path] = []
    folder = asl_path.resolve().parent
    for _ in range(3):
        if folder == Path(folder.anchor) or folder == Path.home():
            break  # never the file system's root or the home folder
        folders.append(folder)
        if (folder / ".git").exists():
            break  # not above the repository
        folder = folder.parent
    seen: set[Path] = set()
    for folder in folders:
        try:
            entries = sorted(folder.iterdir())
        except OSError:
            continue
        candidates = [e for e in entries if e.is_file()]
        for sub in entries[:MAX_SUBFOLDERS]:
            if sub.is_dir() and not sub.name.startswith(".") and sub.name not in SKIP_DIRS:
                try:
                    candidates += sorted(e for e in sub.iterdir() if e.is_file())[:MAX_FILES]
                except OSError:
                    continue
        for path in candidates:
            if path in seen or path.suffix not in (".yaml", ".yml", ".json", ".template", ".tf", ".py"):
                continue
            seen.add(path)
            if path.name == name:
                continue
            try:
                if path.stat().st_size > MAX_SIBLING_BYTES:
                    continue
                text = path.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
            if name in text:
                yield path, text


def sibling_resolver(asl_path: Path, python_resolver: PythonResolver | None = None) -> Resolver:
    """A :data:`Resolver` that reads the files next to ``asl_path`` on its first call."""

    def resolve(names: set[str]) -> Placeholders:
        found: dict[str, set[Resolution]] = {}
        for path, text in sibling_files(asl_path):
            if path.suffix == ".tf":
                part = terraform_substitutions(text, asl_path.name, path.name)
            elif path.suffix == ".py":
                part = dict(python_resolver(path, text, asl_path.name)) if python_resolver else {}
            else:
                part = cloudformation_substitutions(text, asl_path.name, path.name)
            for key, value in part.items():
                if key in names:
                    found.setdefault(key, set()).add(value)
        return {k: next(iter(v)) for k, v in found.items() if len({r.kind for r in v}) == 1}

    return resolve


# -- SAM / CloudFormation -------------------------------------------------------------------------


def _intrinsic(value: Any) -> tuple[str, Any] | None:
    """(function, argument) of a CloudFormation intrinsic in short (tag) or long form."""
    tag = getattr(getattr(value, "tag", None), "value", None)
    if isinstance(tag, str) and tag.startswith("!"):
        inner = getattr(value, "value", value)
        return tag[1:], inner
    if isinstance(value, (dict, MutableMapping)) and len(value) == 1:
        key = next(iter(value))
        if key == "Ref":
            return "Ref", value[key]
        if isinstance(key, str) and key.startswith("Fn::"):
            return key[4:], value[key]
    return None


def _cfn_value(value: Any, resources: Mapping[str, Any], origin: str) -> Resolution | None:
    def type_of(logical: Any) -> str | None:
        res = resources.get(logical) if isinstance(logical, str) else None
        kind = res.get("Type") if isinstance(res, (dict, MutableMapping)) else None
        return kind if isinstance(kind, str) else None

    def get_att(logical: Any, attribute: Any, text: str) -> Resolution | None:
        kind = type_of(logical)
        if kind is None:
            return None
        if kind in FUNCTION_TYPES and attribute == "Arn":
            return Resolution(asl.LAMBDA, f"the ARN of the Lambda function `{logical}` ({origin}: `{text}`)")
        if kind in FUNCTION_TYPES or kind.startswith("AWS::Serverless::"):
            return None  # another attribute of a function: not worth guessing
        return Resolution(asl.OTHER, f"a `{kind}` attribute")

    def ref(logical: Any) -> Resolution | None:
        kind = type_of(logical)
        if kind is None:
            return None  # a parameter, a pseudo parameter
        if kind in REF_ARN_LAMBDA_TYPES:
            return Resolution(asl.LAMBDA, f"the ARN of `{logical}` ({origin}: `!Ref {logical}`)")
        if kind in FUNCTION_TYPES:
            return Resolution(
                asl.MAYBE_LAMBDA,
                f"the *name* of the Lambda function `{logical}` ({origin}: `!Ref {logical}`), which "
                "`FunctionName` accepts",
            )
        return Resolution(asl.OTHER, f"a `{kind}`")

    if isinstance(value, str) and getattr(value, "tag", None) is None:
        if "${" in value:
            return None
        kind = asl.classify_resource_string(value)
        return Resolution(kind, f"`{value}` ({origin})") if kind != asl.PLACEHOLDER else None
    intrinsic = _intrinsic(value)
    if intrinsic is None:
        return None
    function, argument = intrinsic
    if function == "GetAtt":
        if isinstance(argument, str) and "." in argument:
            logical, attribute = argument.split(".", 1)
        elif isinstance(argument, list) and len(argument) == 2:
            logical, attribute = argument
        else:
            return None
        return get_att(logical, attribute, f"!GetAtt {logical}.{attribute}")
    if function == "Ref":
        return ref(argument)
    if function == "Sub":
        template = argument[0] if isinstance(argument, list) and argument else argument
        if not isinstance(template, str):
            return None
        whole = re.fullmatch(r"\$\{([A-Za-z0-9]+)(?:\.([A-Za-z0-9.]+))?\}", template)
        if whole:
            if whole.group(2) is None:
                return ref(whole.group(1))
            return get_att(whole.group(1), whole.group(2), f"!Sub {template}")
        shape = asl.arn_shape(re.sub(r"\$\{[^}]*\}", "0", template))
        if shape == asl.LAMBDA:
            return Resolution(asl.LAMBDA, f"a Lambda function ARN ({origin}: `!Sub {template}`)")
        if shape == asl.OTHER and template.startswith("arn:"):
            return Resolution(asl.OTHER, "a Step Functions ARN")
    return None


def cloudformation_substitutions(text: str, asl_name: str, origin: str) -> dict[str, Resolution]:
    """The ``DefinitionSubstitutions`` of the state machines of a SAM/CloudFormation template
    whose ``DefinitionUri``/``DefinitionS3Location`` is the ASL file ``asl_name``."""
    if "DefinitionSubstitutions" not in text:
        return {}
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        data = YAML(typ="rt").load(text)  # short-form tags (!GetAtt, !Ref, !Sub) are kept as tagged nodes
    except (YAMLError, ValueError, TypeError):
        return {}
    resources = data.get("Resources") if isinstance(data, (dict, MutableMapping)) else None
    if not isinstance(resources, (dict, MutableMapping)):
        return {}
    out: dict[str, Resolution] = {}
    for resource in resources.values():
        if not isinstance(resource, (dict, MutableMapping)) or resource.get("Type") not in STATE_MACHINE_TYPES:
            continue
        props = resource.get("Properties")
        if not isinstance(props, (dict, MutableMapping)):
            continue
        location = props.get("DefinitionUri", props.get("DefinitionS3Location"))
        if isinstance(location, (dict, MutableMapping)):
            location = location.get("Key")
        if not isinstance(location, str) or Path(location).name != asl_name:
            continue
        subs = props.get("DefinitionSubstitutions")
        if not isinstance(subs, (dict, MutableMapping)):
            continue
        for key, value in subs.items():
            resolution = _cfn_value(value, resources, origin)
            if isinstance(key, str) and resolution is not None:
                out[key] = resolution
    return out


# -- Terraform ------------------------------------------------------------------------------------
#
# A careful scan rather than an HCL parser (python-hcl2 would add a parser dependency for one
# call shape): ``templatefile("<path ending in the ASL file name>", { Name = <expr>, ... })`` with
# the map read entry by entry (brackets and strings balanced). Only references to resources are
# resolved: ``aws_lambda_function.<n>.arn``/``qualified_arn``, ``aws_lambda_alias.<n>.arn`` (and
# their ``data.`` sources) are Lambda ARNs; other ``aws_*`` references (``invoke_arn`` included)
# are not; variables, locals, modules and expressions stay unresolved.

TEMPLATEFILE = re.compile(r"\btemplatefile\s*\(\s*")
TF_REFERENCE = re.compile(r"^(data\.)?(aws_[a-z0-9_]+)\.[A-Za-z0-9_-]+(\[[^\]]*\])?\.([a-z_]+)$")


def _hcl_close(text: str, start: int) -> int | None:
    """The index just past the bracket that closes the one at ``start`` (strings skipped)."""
    depth = 0
    i = start
    while i < len(text):
        ch = text[i]
        if ch == '"':
            i += 1
            while i < len(text) and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
            if depth == 0:
                return i + 1
        i += 1
    return None


def _hcl_entries(body: str) -> Iterable[tuple[str, str]]:
    """``key = value`` (or ``key: value``) entries of an HCL object body, split at top-level
    commas and newlines."""
    parts, depth, current, i = [], 0, [], 0
    while i < len(body):
        ch = body[i]
        if ch == '"':
            j = i + 1
            while j < len(body) and body[j] != '"':
                j += 2 if body[j] == "\\" else 1
            current.append(body[i : j + 1])
            i = j + 1
            continue
        if ch in "{[(":
            depth += 1
        elif ch in "}])":
            depth -= 1
        if depth == 0 and ch in ",\n":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    for part in parts:
        match = re.fullmatch(r'\s*"?([A-Za-z_][A-Za-z0-9_-]*)"?\s*[=:]\s*(.*?)\s*', part, re.S)
        if match:
            yield match.group(1), match.group(2)


def _tf_value(expr: str, origin: str) -> Resolution | None:
    literal = re.fullmatch(r'"([^"\\$]*)"', expr)
    if literal:
        kind = asl.classify_resource_string(literal.group(1))
        return Resolution(kind, f"`{literal.group(1)}` ({origin})")
    match = TF_REFERENCE.match(expr)
    if not match:
        return None
    kind, attribute = match.group(2), match.group(4)
    if kind in ("aws_lambda_function", "aws_lambda_alias") and attribute in ("arn", "qualified_arn"):
        return Resolution(asl.LAMBDA, f"the ARN of `{expr.rsplit('.', 1)[0]}` ({origin})")
    if kind == "aws_lambda_function" and attribute == "function_name":
        return Resolution(
            asl.MAYBE_LAMBDA, f"the *name* of `{expr.rsplit('.', 1)[0]}` ({origin}), which `FunctionName` accepts"
        )
    if kind.startswith("aws_lambda"):
        return None if attribute != "invoke_arn" else Resolution(asl.OTHER, "an invoke ARN")
    return Resolution(asl.OTHER, f"an attribute of `{kind}`")


def terraform_substitutions(text: str, asl_name: str, origin: str) -> dict[str, Resolution]:
    """The variables ``templatefile(...)`` calls of a ``.tf`` file give the ASL file ``asl_name``."""
    out: dict[str, Resolution] = {}
    for call in TEMPLATEFILE.finditer(text):
        start = call.end()
        path = re.match(r'"((?:[^"\\]|\\.)*)"\s*,\s*', text[start:])
        if not path or not path.group(1).endswith(asl_name):
            continue
        brace = start + path.end()
        if brace >= len(text) or text[brace] != "{":
            continue
        end = _hcl_close(text, brace)
        if end is None:
            continue
        for key, expr in _hcl_entries(text[brace + 1 : end - 1]):
            resolution = _tf_value(expr, origin)
            if resolution is not None:
                out[key] = resolution
    return out
