"""The result cache (iacmod.cache): hits for unchanged inputs, never a stale result."""

from __future__ import annotations

import os
import pickle
from pathlib import Path

import pytest

from iacmod import api
from iacmod.cache import Cache

SRC = "from datetime import datetime\n\nstamp = datetime.utcnow().strftime('%Y')\nlater = datetime.utcnow()\n"


@pytest.fixture
def tree(tmp_path, monkeypatch):
    monkeypatch.setenv("IACMOD_CACHE_DIR", str(tmp_path / "cache"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "a.py").write_text(SRC)
    (tmp_path / "src" / "b.py").write_text("x = 1\n")
    return tmp_path


def run(tree: Path, **kw):
    options = api.RunOptions(paths=(tree / "src",), cache=True, jobs=1, **{"select": ("IAC101",), **kw})
    return api.run(options)


def summary(result):
    return [(str(r.path), [(f.code, f.line, f.safety.value) for f in r.findings], r.new_source) for r in result.files]


def test_warm_run_hits_and_gives_the_same_result(tree, monkeypatch):
    cold = run(tree)
    from iacmod import engine

    calls = []
    monkeypatch.setattr(engine, "process_file", lambda *a: calls.append(a))
    warm = run(tree)
    assert calls == []
    assert summary(warm) == summary(cold)
    root = tree / "cache"
    assert (root / ".gitignore").read_text().splitlines()[-1] == "*"
    assert (root / "CACHEDIR.TAG").read_text().startswith("Signature: 8a477f597d28d172789f06886806bc55")


@pytest.mark.parametrize("change", ["byte", "option", "rule", "unsafe", "config"])
def test_never_stale(tree, change):
    before = summary(run(tree))
    kw = {}
    if change == "byte":
        (tree / "src" / "a.py").write_text(SRC.replace("%Y", "%y"))
    elif change == "option":
        (tree / "pyproject.toml").write_text("[tool.iacmod.rules.datetime-utcnow]\n")
        kw = {}
    elif change == "rule":
        kw = {"select": ("IAC104",)}
    elif change == "unsafe":
        kw = {"unsafe_fixes": True}
    elif change == "config":
        (tree / "pyproject.toml").write_text('[tool.iacmod.per-file-ignores]\n"a.py" = ["IAC101"]\n')
    after = summary(run(tree, **kw))
    fresh = summary(api.run(api.RunOptions(paths=(tree / "src",), jobs=1, **{"select": ("IAC101",), **kw})))
    assert after == fresh
    if change != "option":
        assert after != before


def test_rule_option_changes_the_key(tree):
    from iacmod.cache import settings_key
    from iacmod.registry import all_rules

    plan = api.plan(api.RunOptions(paths=(tree / "src",), select=("IAC101",)))
    settings = plan[0][1]
    import dataclasses

    other = dataclasses.replace(settings, options={"datetime-utcnow": {"x": 1}})
    assert settings_key(settings) != settings_key(other)
    assert settings_key(settings) != settings_key(dataclasses.replace(settings, unsafe_fixes=True))
    assert settings_key(settings) != settings_key(dataclasses.replace(settings, rules=tuple(all_rules())))


def test_corrupt_entries_are_ignored(tree):
    cold = summary(run(tree))
    for folder, _, files in os.walk(tree / "cache" / "v1"):
        for name in files:
            Path(folder, name).write_bytes(b"\x80garbage")
    assert summary(run(tree)) == cold
    # and an entry holding another key's result is not used either
    cache = Cache(tree / "cache")
    data = (tree / "src" / "a.py").read_bytes()
    settings = api.plan(api.RunOptions(paths=(tree / "src",), select=("IAC101",)))[0][1]
    key = cache.key(tree / "src" / "a.py", data, settings)
    entry = cache.dir / key[:2] / key
    entry.write_bytes(pickle.dumps(("0" * 64, ([], None, [], False))))
    assert cache.get(tree / "src" / "a.py", data, settings) is None


def test_no_cache_and_env_dir(tree, iacmod_cli, monkeypatch):
    monkeypatch.chdir(tree)
    code, out, err = iacmod_cli("check", "--select", "IAC101", "--no-cache", "src")
    assert code == 1 and not (tree / "cache").exists()
    code, out, err = iacmod_cli("check", "--select", "IAC101", "src")
    assert (tree / "cache" / "CACHEDIR.TAG").is_file()
    monkeypatch.delenv("IACMOD_CACHE_DIR")
    code, out2, err = iacmod_cli("check", "--select", "IAC101", "src")
    assert out2 == out and (tree / ".iacmod_cache" / ".gitignore").is_file()
