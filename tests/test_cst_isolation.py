"""iacmod leaves LibCST as it found it, and only ``iacmod/cst`` touches LibCST's internals.

- After a run of the CLI's ``apply`` over files that trigger every rule (fixes that add imports
  included) and a removal of imports, every module-level name and class attribute of LibCST is
  the object it was before (in a fresh interpreter, so that nothing ran before the snapshot):
  iacmod can run next to other LibCST tools in one process.
- No module outside ``iacmod/cst`` imports LibCST's private modules or names, or reads private
  attributes of LibCST's objects.
- On a LibCST outside ``iacmod.cst.version.VERIFIED`` (forced here), iacmod takes LibCST's own
  paths and gives the same output; the verified range is the one pyproject.toml pins.
"""

from __future__ import annotations

import ast
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# -- LibCST is unchanged after a run ---------------------------------------------------------------

SNAPSHOT = r'''
import importlib, inspect, json, sys
from pathlib import Path

# every LibCST module iacmod may load, imported before the snapshot (importing a submodule
# later would add it to its package's namespace)
for name in (
    "libcst", "libcst.codemod", "libcst.codemod.visitors", "libcst.matchers",
    "libcst.matchers._visitors", "libcst.metadata", "libcst.metadata.scope_provider",
    "libcst.helpers", "libcst.codemod.visitors._add_imports",
    "libcst.codemod.visitors._remove_imports", "libcst.codemod.visitors._gather_imports",
    "libcst.codemod.visitors._gather_unused_imports", "libcst._nodes.internal",
    "libcst._metadata_dependent", "libcst.metadata.expression_context_provider",
    "libcst.metadata.position_provider", "libcst.metadata.parent_node_provider",
    "libcst.metadata.name_provider",
):
    importlib.import_module(name)


def snapshot():
    """Every LibCST module's namespace, and every LibCST class's own attributes."""
    out = {}
    for name, module in list(sys.modules.items()):
        if module is None or not (name == "libcst" or name.startswith("libcst.")):
            continue
        out[name] = dict(vars(module))
        for value in list(vars(module).values()):
            if inspect.isclass(value) and value.__module__ == name:
                out[f"{name}:{value.__qualname__}"] = dict(vars(value))
    return out


# what LibCST itself caches on its classes on first use (MetadataDependent.get_inherited_dependencies)
LIBCST_OWN = {"_INHERITED_METADATA_DEPENDENCIES_CACHE"}


def compare(before, after):
    changes = []
    for where, names in before.items():
        now = after[where]
        for key, value in names.items():
            if key not in now:
                changes.append(f"{where}.{key}: deleted")
            elif now[key] is not value:
                changes.append(f"{where}.{key}: replaced by {now[key]!r}")
        for key in now.keys() - names.keys():
            # (a submodule imported since, LibCST's own cache, or the empty __annotations__
            # Python creates when a class without annotations is asked for them: not a change)
            if inspect.ismodule(now[key]) or key in LIBCST_OWN or (key == "__annotations__" and now[key] == {}):
                continue
            else:
                changes.append(f"{where}.{key}: added {now[key]!r}")
    return changes


before = snapshot()

tree = Path(sys.argv[1])
from iacmod.cli.app import app

codes = []
for args in (
    ["check", "--all", str(tree)],
    ["apply", "--all", "--unsafe-fixes", "--dry-run", str(tree)],
    ["apply", "--all", "--unsafe-fixes", str(tree)],  # (writes the copy)
):
    codes.append(app([*args, "--jobs", "1", "--format", "json"], standalone_mode=False))

import libcst as cst
from iacmod.edit.imports import add_imports, remove_unused_imports
from iacmod.rule import ImportSpec

module = cst.parse_module("import os\nimport json\n\nx = 1\n")
module = add_imports(module, [ImportSpec("boto3.dynamodb.conditions", "Key", None), ImportSpec("pulumi")])
module = remove_unused_imports(module, [ImportSpec("os"), ImportSpec("json")])
print(json.dumps({"codes": codes, "changes": compare(before, snapshot()), "code": module.code}))
'''


def _tree(target: Path) -> Path:
    """Files that trigger every rule: the fixtures, the examples, and every rule's examples."""
    from iacmod.testing import example_cases

    shutil.copytree(ROOT / "fixtures", target / "fixtures")
    shutil.copytree(ROOT / "examples", target / "examples")
    folder = target / "rule-examples"
    folder.mkdir()
    for i, (rule, _, example) in enumerate(example_cases()):
        name = Path(example.path)
        (folder / f"{i}-{rule.name}-{name.stem}{name.suffix}").write_text(example.before_text, encoding="utf-8")
    return target


def test_a_run_leaves_libcst_as_it_was(tmp_path: Path) -> None:
    tree = _tree(tmp_path / "tree")
    script = tmp_path / "snapshot.py"
    script.write_text(SNAPSHOT)
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    env.pop("IACMOD_LIBCST_FAST_PATHS", None)
    proc = subprocess.run(
        [sys.executable, str(script), str(tree)], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=600
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    result = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "\n".join(result["changes"]) == ""
    assert set(result["codes"]) <= {0, 1}  # findings and fixes, no errors
    assert result["code"] == "import boto3\nimport pulumi\nfrom boto3.dynamodb.conditions import Key\n\nx = 1\n" or (
        "from boto3.dynamodb.conditions import Key" in result["code"] and "import os" not in result["code"]
    )


def test_visit_is_restored_when_a_rule_raises() -> None:
    import libcst as cst

    from iacmod.cst.walk import readonly_visits

    original = cst.CSTNode.visit

    class Boom(cst.CSTVisitor):
        def visit_Name(self, node: cst.Name) -> None:
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        with readonly_visits():
            cst.parse_module("x = 1\n").visit(Boom())
    assert cst.CSTNode.visit is original


def test_readonly_visits_are_for_the_calling_thread_only() -> None:
    import threading

    import libcst as cst

    from iacmod.cst.walk import readonly_visits

    class Path(cst.CSTVisitor):
        """Notes whether LibCST's rebuilding path called it for a Name."""

        def __init__(self) -> None:
            super().__init__()
            self.rebuilding: bool | None = None

        def visit_Name(self, node: cst.Name) -> None:
            frames = [f.f_code.co_name for f in _frames()]
            self.rebuilding = "_visit_and_replace_children" in frames

    def _frames():  # type: ignore[no-untyped-def]
        frame = sys._getframe(1)
        while frame is not None:
            yield frame
            frame = frame.f_back

    module = cst.parse_module("x = f(1, 2)\n")
    mine, theirs = Path(), Path()
    with readonly_visits():
        module.visit(mine)
        thread = threading.Thread(target=lambda: module.visit(theirs))
        thread.start()
        thread.join()
    assert mine.rebuilding is False and theirs.rebuilding is True


# -- only iacmod/cst touches LibCST's internals ----------------------------------------------------

# private attributes of LibCST's objects iacmod used (or might) reach for, on any object
PRIVATE_ATTRIBUTES = {
    "_metadata",
    "_cache",
    "_computed",
    "_gen",
    "_codegen",
    "_codegen_impl",
    "_visit_and_replace_children",
    "_is_no_op",
    "_matchers",
    "_extra_visit_funcs",
    "_extra_leave_funcs",
    "_assignments",
    "_accesses_by_name",
    "_accesses_by_node",
    "_assignment_count",
    "_name_prefix",
    "_index",
    "_gather_matchers",
    "_gather_constructed_visit_funcs",
    "_gather_constructed_leave_funcs",
    "_handlers",
    "_reach",
    "_wrapper",
    "_cache_matcher_gathering",
}
ALLOWED_OWN = {"_cache"}  # attributes of iacmod's own classes that share a LibCST name, on cls/self


def _sources() -> list[Path]:
    out = []
    for folder in ("iacmod", "cli", "codemods"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path.relative_to(ROOT).parts[:2] != ("iacmod", "cst"):
                out.append(path)
    return out


def _libcst_private_names() -> set[str]:
    """The private names LibCST's own classes define or set on their instances."""
    import libcst

    names: set[str] = set()
    for path in Path(libcst.__file__).parent.rglob("*.py"):
        if "tests" in path.parts:
            continue
        source = path.read_text(encoding="utf-8")
        names.update(re.findall(r"self\.(_[A-Za-z]\w*)", source))
        for node in ast.walk(ast.parse(source)):
            if isinstance(node, ast.ClassDef):
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name.startswith("_"):
                        names.add(item.name)
    return {n for n in names if not n.startswith("__")}


def test_only_iacmod_cst_imports_libcst_internals() -> None:
    problems = []
    for path in _sources():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        where = path.relative_to(ROOT)
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("libcst") and any(p.startswith("_") for p in alias.name.split(".")):
                        problems.append(f"{where}:{node.lineno}: import {alias.name}")
            elif isinstance(node, ast.ImportFrom) and node.module:
                parts = node.module.split(".")
                if parts[0] == "libcst" and (
                    any(p.startswith("_") for p in parts) or any(a.name.startswith("_") for a in node.names)
                ):
                    problems.append(f"{where}:{node.lineno}: from {node.module} import ...")
                if node.module.startswith("iacmod.cst") and any(a.name.startswith("_") for a in node.names):
                    problems.append(f"{where}:{node.lineno}: private name from {node.module}")
    assert problems == []


def test_only_iacmod_cst_reads_libcst_private_attributes() -> None:
    libcst_names = _libcst_private_names()
    problems = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        where = path.relative_to(ROOT)
        for node in ast.walk(ast.parse(source)):
            name = None
            if isinstance(node, ast.Attribute) and node.attr.startswith("_") and not node.attr.startswith("__"):
                base = ast.unparse(node.value)
                own = base in ("self", "cls")
                if node.attr in PRIVATE_ATTRIBUTES and not (own and node.attr in ALLOWED_OWN):
                    name = node.attr
                elif node.attr in libcst_names and not own:
                    name = node.attr  # a LibCST private name on some other object
                elif node.attr.startswith("_ScopeVisitor__") or node.attr.startswith("_MatcherDecoratable"):
                    name = node.attr
            elif (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in ("getattr", "setattr", "hasattr", "delattr")
                and len(node.args) > 1
                and isinstance(node.args[1], ast.Constant)
                and str(node.args[1].value) in PRIVATE_ATTRIBUTES
            ):
                name = str(node.args[1].value)
            if name is not None:
                problems.append(f"{where}:{node.lineno}: {ast.unparse(node)[:80]}")
        if re.search(r"type\.__setattr__\(|CSTNode\.visit\s*=", source):
            problems.append(f"{where}: sets attributes of classes (of LibCST?)")
    assert problems == []


# -- versions: LibCST's own paths off the verified range --------------------------------------------


def test_verified_range_is_the_pinned_range() -> None:
    from iacmod.cst.version import VERIFIED

    (low_major, low_minor), (high_major, high_minor) = VERIFIED
    text = (ROOT / "pyproject.toml").read_text()
    pin = re.search(r'"libcst([^"]*)"', text)
    assert pin is not None
    assert pin.group(1).replace(" ", "") == f">={low_major}.{low_minor},<{high_major}.{high_minor}"


def test_version_check() -> None:
    from iacmod.cst.version import VERIFIED, libcst_version, verified

    low, high = VERIFIED
    assert verified((*low, 0)) and verified((high[0], high[1] - 1, 9))
    assert not verified(high + (0,)) and not verified((low[0], low[1] - 1, 0)) and not verified(None)
    assert libcst_version() is not None


def _cases(tmp_path: Path) -> list[Path]:
    """Files that trigger every rule (see _tree), and a sample of the corpus."""
    sys.path.insert(0, str(ROOT / "tests"))
    from corpus_blocks import blocks

    tree = _tree(tmp_path / "tree")
    corpus = tree / "corpus"
    corpus.mkdir()
    for i, (_, code) in enumerate(blocks()):
        if i % 25 == 0:
            (corpus / f"{i}.py").write_text(code, encoding="utf-8")
    return sorted(p for p in tree.rglob("*") if p.is_file())


def _outcome(result) -> tuple:  # type: ignore[no-untyped-def]
    return (
        result.new_source,
        [(f.code, f.message, f.span, f.fixed, f.safety) for f in result.findings],
        [(e.line, e.message) for e in result.errors],
    )


def test_libcst_own_paths_give_the_same_output(tmp_path: Path) -> None:
    from iacmod import api, engine
    from iacmod.cst.version import fast_paths, plain_libcst

    _cases(tmp_path)
    planned = api.plan(api.RunOptions(paths=[tmp_path / "tree"], all_rules=True, unsafe_fixes=True, jobs=1))
    assert len(planned) > 100
    with plain_libcst(False):  # the fast paths (whatever the version: this test verifies them)
        assert fast_paths()
        fast = [_outcome(engine.process_file(path, settings)) for path, settings in planned]
    with plain_libcst():
        assert not fast_paths()
        plain = [_outcome(engine.process_file(path, settings)) for path, settings in planned]
    assert sum(1 for f in fast if f[0] is not None) > 50  # fixes were made
    for (path, _), a, b in zip(planned, fast, plain):
        assert a == b, path


def test_plain_paths_touch_no_libcst_internals() -> None:
    """Off the fast paths, iacmod.cst keeps nothing in MetadataWrapper's private cache but what
    LibCST's own resolve puts there, and sets no attribute on LibCST's classes."""
    import libcst as cst
    from libcst.metadata import MetadataWrapper, PositionProvider

    from iacmod.cst.metadata import locate, release_metadata, with_source
    from iacmod.cst.version import plain_libcst

    with plain_libcst():
        module = cst.parse_module("x = f(1)\n")
        wrapper = with_source(MetadataWrapper(module, unsafe_skip_copy=True), module.code)
        assert wrapper._metadata == {}
        statement = module.body[0]
        assert locate(wrapper, [statement])[statement] == wrapper.resolve(PositionProvider)[statement]
        assert set(wrapper._metadata) == {PositionProvider}
        release_metadata(wrapper)


def test_scaling_benchmark_generators_parse() -> None:
    """benchmarks/scaling.py's files are valid Python with the findings they are made for
    (the benchmark itself is not a test: timing never is)."""
    sys.path.insert(0, str(ROOT / "benchmarks"))
    import libcst as cst
    import scaling

    from iacmod.engine import Settings, fix_module_source
    from iacmod.registry import rule_by_name

    for case, (rule_name, make, unsafe) in scaling.GENERATORS.items():
        source = make(5)
        cst.parse_module(source)
        rule = rule_by_name(rule_name)
        result = fix_module_source(source, Settings(rules=(rule,), unsafe_fixes=unsafe), f"{case}.py")
        assert sum(1 for f in result.findings if f.fixed and f.rule == rule_name) >= 5, case
        assert result.new_code is not None, case


@pytest.mark.parametrize(
    "source",
    [
        "x = 1\n",
        '"""doc"""\nfrom a import b\nimport os\nfrom c import (d,\n  e)\n\ndef f():\n    from a import z\n',
        "from __future__ import annotations\nfrom a import b\nimport os\nx = 1\nfrom a import q\n",
        "from a import *\nimport os as o\n\nprint(o)\n",
    ],
)
def test_import_codemods_match_libcst(source: str) -> None:
    import libcst as cst

    from iacmod.cst.codemods import add_imports_visitor, remove_imports_visitor
    from iacmod.cst.version import plain_libcst

    module = cst.parse_module(source)
    additions = [("a", "c", None), ("a", "d", "e"), ("json", None, None), ("os", None, "o"), ("x.y", "z", None)]
    removals = [("os", None, None), ("os", None, "o"), ("a", "b", None)]
    with plain_libcst(False):
        fast = (add_imports_visitor(module, additions).code, remove_imports_visitor(module, removals).code)
    with plain_libcst():
        plain = (add_imports_visitor(module, additions).code, remove_imports_visitor(module, removals).code)
    assert fast == plain
