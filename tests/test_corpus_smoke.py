"""Smoke test over the real model-written code in ../shared/corpus (skipped when absent):
every rule, unsafe fixes included — no crash, nothing stops parsing, a second run changes nothing."""

from __future__ import annotations

import libcst as cst
import pytest
from corpus_blocks import CORPUS, extract

from iacmod import engine
from iacmod.engine import Settings
from iacmod.registry import all_rules, default_passes

pytestmark = pytest.mark.skipif(not CORPUS.is_dir(), reason="../shared/corpus is not here")


@pytest.fixture(scope="module")
def corpus_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    paths = extract(root)
    settings = Settings(all_rules(), unsafe_fixes=True, passes=default_passes())
    results = engine.run([(p, settings) for p in paths], jobs=None)
    return paths, results, settings


def test_no_rule_crashes_or_breaks_code(corpus_run):
    paths, results, _ = corpus_run
    assert len(paths) > 100
    rule_errors = [e for r in results for e in r.errors if e.rule]
    assert not rule_errors, rule_errors[:5]
    for result in results:
        if result.errors:
            assert not result.changed  # unparseable blocks are left alone
        if result.changed:
            cst.parse_module(result.new_source)
            compile(result.new_source, str(result.path), "exec")


def test_second_run_changes_nothing(corpus_run):
    _, results, settings = corpus_run
    changed = [r for r in results if r.changed]
    assert changed, "the corpus should exercise at least one fix"
    for result in changed:
        assert result.new_source is not None
        result.path.write_bytes(result.new_source)
    again = engine.run([(r.path, settings) for r in changed], jobs=None)
    still = [str(r.path.name) for r in again if r.changed]
    assert not still, still[:10]
