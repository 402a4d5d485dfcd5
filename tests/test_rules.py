"""Tests generated from every rule's embedded examples and from fixtures/<rule-name>/.

Adding a rule (or a fixture) adds its tests here with no new test code.
"""

from __future__ import annotations

import pytest

from iacmod.findings import FixSafety
from iacmod.registry import all_rules
from iacmod.rule import TARGETS
from iacmod.testing import example_cases, fix_text, fixture_cases

EXAMPLES = list(example_cases())
FIXTURES = list(fixture_cases())


@pytest.mark.parametrize(
    "rule, index, example",
    EXAMPLES,
    ids=[f"{r.name}-{i}" for r, i, _ in EXAMPLES],
)
def test_example(rule, index, example):
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


@pytest.mark.parametrize("rule", all_rules(), ids=[r.name for r in all_rules()])
def test_rule_declaration(rule):
    assert rule.summary and not rule.summary.endswith(".")
    assert rule.rationale.strip()
    assert rule.examples, "every rule ships examples"
    assert any(e.after is not None for e in rule.examples) or rule.fix_safety.value == "detect-only"
    assert any(e.after is None for e in rule.examples), "every rule shows code it must not change"
    assert rule.targets and rule.targets <= set(TARGETS), rule.targets
