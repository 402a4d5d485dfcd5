"""Architecture: iacmod's own import graph and package layout, read from the source with ``ast``.

- no import cycle among iacmod's modules;
- ``codemods/`` holds rules only: one concrete rule per module, no rule module imports another
  (nor does the framework: the registry finds them), and the packages' ``__init__.py`` hold
  nothing but a docstring;
- the bot (``iacmod/bot/``: git and the forge) is imported by ``cli/`` only, so the engine, the
  rules and the IaC model never load GitPython or PyGithub (``check`` and ``apply`` stay fast).

Which imports count: every ``import`` and ``from … import …`` statement of a module, at module
level or inside a function, except those under ``if TYPE_CHECKING:`` (they never run). A
function-level import runs too, at the first call instead of at start-up: a cycle through one
still ties the modules together (and only works because of the order things happen to load in),
so lazy imports are edges like any other. ``from package import name`` is an edge to the package
and, when ``name`` is a submodule, to it as well; ``lazy_import("x")`` (``iacmod.lazy``) counts
as ``import x``. The registry loads every module under ``codemods/`` through ``pkgutil``: those
edges are added by hand.
"""

from __future__ import annotations

import ast
import importlib
import inspect
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from iacmod.rule import Rule

ROOT = Path(__file__).resolve().parent.parent
CODEMODS = "iacmod.codemods"
BOT = "iacmod.bot"
CLI = "iacmod.cli"
REGISTRY = "iacmod.registry"
BOT_LIBRARIES = ("git", "github")  # GitPython, PyGithub


@dataclass(frozen=True)
class Edge:
    source: str
    target: str  # a module of iacmod, or a third-party top-level package
    line: int

    def __str__(self) -> str:
        return f"{self.source} -> {self.target} ({_files()[self.source].relative_to(ROOT)}:{self.line})"


@lru_cache(maxsize=1)
def _files() -> dict[str, Path]:
    """Every module of iacmod and its file, the folders mapped as setup.py maps them (ROOTS)."""
    tree = ast.parse((ROOT / "setup.py").read_text())
    [roots] = [
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "ROOTS" for t in node.targets)
    ]
    files: dict[str, Path] = {}
    for package, folder in roots.items():
        for path in sorted((ROOT / folder).rglob("*.py")):
            parts = list(path.relative_to(ROOT / folder).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            files[".".join([package, *parts])] = path
    return files


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


class _Imports(ast.NodeVisitor):
    """The import edges of one module."""

    def __init__(self, module: str, is_package: bool) -> None:
        self.module = module
        self.package = module if is_package else module.rpartition(".")[0]
        self.edges: list[Edge] = []

    def visit_If(self, node: ast.If) -> None:
        if _is_type_checking(node.test):
            for stmt in node.orelse:  # typing-only imports never run; an else branch does
                self.visit(stmt)
            return
        self.generic_visit(node)

    def visit_Import(self, node: ast.Import) -> None:
        for alias in node.names:
            self._add(alias.name, node.lineno)

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        if node.level:
            base = self.package.split(".")
            base = base[: len(base) - (node.level - 1)]
            name = ".".join(base + ([node.module] if node.module else []))
        else:
            name = node.module or ""
        self._add(name, node.lineno)
        for alias in node.names:
            if f"{name}.{alias.name}" in _files():  # a submodule, not a name defined in the module
                self._add(f"{name}.{alias.name}", node.lineno)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        called = func.id if isinstance(func, ast.Name) else func.attr if isinstance(func, ast.Attribute) else ""
        if called == "lazy_import" and node.args and isinstance(node.args[0], ast.Constant):
            self._add(str(node.args[0].value), node.lineno)
        self.generic_visit(node)

    def _add(self, name: str, line: int) -> None:
        if name.split(".")[0] != "iacmod":
            self.edges.append(Edge(self.module, name.split(".")[0], line))  # third party
            return
        # the module itself, or the innermost module of iacmod that holds the imported name
        while name and name not in _files():
            name = name.rpartition(".")[0]
        if name and name != self.module:
            self.edges.append(Edge(self.module, name, line))


@lru_cache(maxsize=1)
def _edges() -> tuple[Edge, ...]:
    edges: list[Edge] = []
    files = _files()
    for module, path in files.items():
        visitor = _Imports(module, path.name == "__init__.py")
        visitor.visit(ast.parse(path.read_text(), str(path)))
        edges += visitor.edges
    # iacmod.registry.all_rules imports every module under codemods/ (pkgutil.walk_packages)
    line = next((e.line for e in edges if e.source == REGISTRY and e.target == CODEMODS), 1)
    edges += [Edge(REGISTRY, m, line) for m in files if m.startswith(CODEMODS + ".")]
    return tuple(edges)


def _internal(edge: Edge) -> bool:
    return edge.target in _files()


def _cycles(edges: list[Edge]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan)."""
    graph: dict[str, set[str]] = {m: set() for m in _files()}
    for edge in edges:
        graph[edge.source].add(edge.target)
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def connect(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in sorted(graph[node]):
            if succ not in index:
                connect(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            connect(node)
    return components


def _in(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


# -- the tests ------------------------------------------------------------------------------------


def test_the_graph_sees_the_known_imports():
    # guards the reader: a broken edge finder would make every test below pass
    edges = {(e.source, e.target) for e in _edges()}
    assert ("iacmod.engine", "iacmod.rule") in edges
    assert ("iacmod.rule", "iacmod.cst.metadata") in edges
    assert ("iacmod.registry", "iacmod.codemods.python.datetime_utcnow") in edges
    assert ("iacmod.passes", "iacmod.engine") not in edges  # under TYPE_CHECKING
    assert ("iacmod.bot.gitops", "git") in edges  # lazy_import("git")


def test_no_import_cycle():
    internal = [e for e in _edges() if _internal(e)]
    problems = []
    for component in _cycles(internal):
        members = set(component)
        inside = [str(e) for e in internal if e.source in members and e.target in members]
        problems.append("cycle among " + ", ".join(component) + ":\n    " + "\n    ".join(inside))
    assert not problems, "\n".join(problems)


def test_one_concrete_rule_per_codemods_module():
    # the classes are imported: whether a class subclasses Rule through a helper base (a
    # tracking or property rule of iacmod/) is decided on the real classes
    problems = []
    for module, path in _files().items():
        if not _in(module, CODEMODS) or path.name == "__init__.py":
            continue
        loaded = importlib.import_module(module)
        rules = [
            value.__name__
            for value in vars(loaded).values()
            if inspect.isclass(value)
            and issubclass(value, Rule)
            and value.__module__ == module
            and "code" in vars(value)
        ]
        if len(rules) != 1:
            problems.append(f"{path.relative_to(ROOT)}: {len(rules)} rule classes ({', '.join(rules) or 'none'})")
    assert not problems, "every module of codemods/ defines exactly one rule:\n" + "\n".join(problems)


def test_rule_modules_import_no_other_rule_module():
    bad = [
        str(e)
        for e in _edges()
        if _internal(e)
        and _in(e.target, CODEMODS)
        and e.target != CODEMODS
        and not (e.source == REGISTRY)  # the registry finds the rules
    ]
    assert not bad, "a rule module is imported (move the shared helper into iacmod/):\n" + "\n".join(bad)


def test_codemods_packages_hold_only_a_docstring():
    problems = []
    for module, path in _files().items():
        if _in(module, CODEMODS) and path.name == "__init__.py":
            body = ast.parse(path.read_text()).body
            if not (
                len(body) == 1
                and isinstance(body[0], ast.Expr)
                and isinstance(body[0].value, ast.Constant)
                and isinstance(body[0].value.value, str)
            ):
                problems.append(str(path.relative_to(ROOT)))
    assert not problems, "codemods/ packages must hold a docstring and nothing else:\n" + "\n".join(problems)


def test_only_the_cli_imports_the_bot():
    bad = [
        str(e)
        for e in _edges()
        if not _in(e.source, CLI)
        and not _in(e.source, BOT)
        and ((_internal(e) and (_in(e.target, BOT) or _in(e.target, CLI))) or e.target in BOT_LIBRARIES)
    ]
    assert not bad, (
        "only cli/ may import iacmod.bot (git and the forge), and only iacmod.bot GitPython and "
        "PyGithub, so that check and apply never load them:\n" + "\n".join(bad)
    )
