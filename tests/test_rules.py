"""Tests generated from every rule's embedded examples and from fixtures/<rule-name>/.

Adding a rule (or a fixture) adds its tests here with no new test code. An example's test is
named after its title: ``test_example[datetime-utcnow[isoformat-gains-00-00-unsafe]]``.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from iacmod.findings import FixAvailability, FixSafety, RuleApplicability, Severity
from iacmod.registry import all_rules
from iacmod.rule import TARGETS, Rule
from iacmod.testing import example_cases, fix_text, fixture_cases, slugify

EXAMPLES = list(example_cases())
FIXTURES = list(fixture_cases())


@pytest.mark.parametrize("rule, example", [(r, e) for r, _, e in EXAMPLES], ids=[i for _, i, _ in EXAMPLES])
def test_example(rule, example):
    before = example.before_text
    expected = example.after_text
    safe_out, safe_findings = fix_text(rule, before, options=example.options, path=example.path)
    if expected is None:
        assert safe_out == before, "must-not-change example was changed"
        unsafe_out, _ = fix_text(rule, before, unsafe=True, options=example.options, path=example.path)
        assert unsafe_out == before, "must-not-change example was changed by an unsafe fix"
    elif example.unsafe:
        assert safe_out == before, "unsafe example changed without --unsafe-fixes"
        unsafe_out, _ = fix_text(rule, before, unsafe=True, options=example.options, path=example.path)
        assert unsafe_out == expected
        assert any(f.safety is FixSafety.UNSAFE for f in safe_findings)
    else:
        assert safe_out == expected
    if example.findings is not None:
        assert len(safe_findings) == example.findings, [f.message for f in safe_findings]
    if example.message is not None or example.line is not None:
        matching = [
            f
            for f in safe_findings
            if (example.message is None or example.message in f.message)
            and (example.line is None or f.line == example.line)
        ]
        assert matching, (
            f"no finding with message {example.message!r} at line {example.line}; found: "
            f"{[(f.line, f.message) for f in safe_findings]}"
        )
    assert all(isinstance(f.severity, Severity) for f in safe_findings)
    # a second run changes nothing
    final = expected if expected is not None else before
    again, _ = fix_text(rule, final, unsafe=example.unsafe, options=example.options, path=example.path)
    assert again == final, "second run changed the output"


@pytest.mark.parametrize("case", FIXTURES, ids=[c.name for c in FIXTURES])
def test_fixture(case):
    before = case.before.read_text()
    path = case.before.name.replace(".before", "")
    out, _ = fix_text(case.rule, before, unsafe=case.unsafe, path=path)
    if case.after is None:
        assert out == before
    else:
        assert out == case.after.read_text()
        if case.unsafe:
            safe_out, _ = fix_text(case.rule, before, path=path)
            assert safe_out == before
        again, _ = fix_text(case.rule, out, unsafe=case.unsafe, path=path)
        assert again == out


RULES = all_rules()


def _declares(rule: type[Rule], attribute: str) -> bool:
    """Whether the rule (or a base class of its own, not Rule) sets ``attribute``."""
    return any(attribute in vars(cls) for cls in rule.__mro__ if issubclass(cls, Rule) and cls is not Rule)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_declaration(rule):
    assert rule.summary and not rule.summary.endswith(".")
    assert rule.rationale.strip()
    assert rule.targets and rule.targets <= set(TARGETS), rule.targets
    for attribute in ("severity", "fix_availability", "fix_applicability"):
        assert _declares(rule, attribute), f"{rule.name} does not declare {attribute}"
    assert isinstance(rule.severity, Severity), rule.severity
    assert isinstance(rule.fix_availability, FixAvailability), rule.fix_availability
    if rule.fix_availability is FixAvailability.NONE:
        assert rule.fix_applicability is None, "a detect-only rule declares no applicability"
    else:
        assert isinstance(rule.fix_applicability, RuleApplicability), rule.fix_applicability


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_rule_examples(rule):
    assert rule.examples, "every rule ships examples"
    assert all(e.title.strip() for e in rule.examples), "every example has a title"
    slugs = Counter(slugify(e.title) for e in rule.examples)
    assert not [s for s, n in slugs.items() if n > 1], f"example titles must differ: {slugs.most_common(3)}"
    assert any(e.after is not None for e in rule.examples) or rule.fix_availability is FixAvailability.NONE
    assert any(e.after is None for e in rule.examples), "every rule shows code it must not change"
    assert any(e.message is not None and e.line is not None for e in rule.examples), (
        "at least one example states the expected message and line"
    )
    assert all(e.line is None or e.line >= 1 for e in rule.examples)


@cache
def _example_safeties(rule: type[Rule]) -> frozenset[FixSafety]:
    """The applicabilities of every finding the rule reports on its examples."""
    seen: set[FixSafety] = set()
    for e in rule.examples:
        for unsafe in (False, True):
            _, findings = fix_text(rule, e.before_text, unsafe=unsafe, options=e.options, path=e.path)
            seen.update(f.safety for f in findings)
    return frozenset(seen)


@pytest.mark.parametrize("rule", RULES, ids=[r.name for r in RULES])
def test_declared_fixes_match_the_examples(rule):
    """The declared fix availability and applicability do not contradict what the examples show."""
    seen = _example_safeties(rule)
    fixes = seen - {FixSafety.NONE}
    if rule.fix_availability is FixAvailability.ALWAYS:
        assert FixSafety.NONE not in seen, "declared `always`, but an example has a detect-only finding"
    if rule.fix_availability is FixAvailability.SOMETIMES:
        assert FixSafety.NONE in seen, "declared `sometimes`: show a detect-only finding in an example"
    if rule.fix_availability is FixAvailability.NONE:
        assert not fixes, "declared detect-only, but an example has a fix"
    else:
        assert fixes, "declared fixes, but no example has one"
    if rule.fix_applicability is RuleApplicability.SAFE:
        assert FixSafety.UNSAFE not in seen, "declared `safe`, but an example has an unsafe fix"
    if rule.fix_applicability is RuleApplicability.UNSAFE:
        assert FixSafety.SAFE not in seen, "declared `unsafe`, but an example has a safe fix"


def test_example_ids_are_unique_and_named_after_titles():
    ids = [i for _, i, _ in EXAMPLES]
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"{r.name}[") and i.endswith("]") and not i.endswith("[]") for r, i, _ in EXAMPLES)
