"""The binding tracker (iacmod.iac.bindings): what an expression can hold, and whether it is a
resource for certain, not, or unknown. Each test asks about the argument of ``probe(...)``."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from iacmod.iac import catalog
from iacmod.iac.bindings import DEPENDENCIES, Answer, Bindings, bindings
from iacmod.iac.catalog import Platform
from iacmod.rule import Rule, RuleContext

LAMBDA = (catalog.LAMBDA_FUNCTION, catalog.LAMBDA_ALIAS, catalog.LAMBDA_VERSION)
CERTAIN, NOT, UNKNOWN = Answer.CERTAIN, Answer.NOT, Answer.UNKNOWN


class Probe(Rule):
    METADATA_DEPENDENCIES = DEPENDENCIES

    def __init__(self, context: RuleContext) -> None:
        super().__init__(context)
        self.asked: list[cst.BaseExpression] = []
        self.answers: list[tuple[Answer, list[str], list[str]]] = []
        self.tracker: Bindings | None = None

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Name) and node.func.value == "probe":
            self.asked.append(node.args[0].value)

    def leave_Module(self, original_node: cst.Module) -> None:
        tracker = self.tracker = bindings(self)
        assert bindings(self) is tracker  # one per module
        for expr in self.asked:
            values = tracker.values(expr)
            code = [
                ("type " if v.typed else "") + cst.Module([]).code_for_node(v.node).strip()
                if not isinstance(v.node, (cst.FunctionDef, cst.ClassDef))
                else f"def {v.node.name.value}"
                for v in values.known
            ]
            self.answers.append((tracker.is_a(expr, *LAMBDA), code, [u.why for u in values.unknown]))


def ask(code: str) -> list[tuple[Answer, list[str], list[str]]]:
    code = textwrap.dedent(code).lstrip("\n")
    wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
    rule = Probe(RuleContext(Path("x.py"), code, {}))
    with rule.resolve(wrapper):
        cst.visit_batched(wrapper.module, [rule])
    return rule.answers


def answer(code: str) -> Answer:
    [(result, _, _)] = ask(code)
    return result


HEAD = "from aws_cdk import aws_lambda as lambda_\nfrom aws_cdk import aws_sqs as sqs\n"


# -- names: every assignment in the scope -------------------------------------------------------


def test_a_name_assigned_a_function() -> None:
    assert ask(HEAD + "fn = lambda_.Function(self, 'F')\nprobe(fn)") == [(CERTAIN, ["lambda_.Function(self, 'F')"], [])]


def test_every_assignment_counts() -> None:
    [(result, values, unknown)] = ask(
        HEAD
        + """
fn = lambda_.Function(self, 'F')
if other:
    fn = sqs.Queue(self, 'Q')
probe(fn)
"""
    )
    assert (result, values, unknown) == (UNKNOWN, ["lambda_.Function(self, 'F')", "sqs.Queue(self, 'Q')"], [])


def test_another_resource_is_not() -> None:
    assert answer(HEAD + "q = sqs.Queue(self, 'Q')\nprobe(q)") is NOT


def test_literals_and_builtins_are_not() -> None:
    assert answer("x = 'name'\nprobe(x)") is NOT
    assert answer("x = None\nprobe(x)") is NOT
    assert answer("x = dict(a=1)\nprobe(x)") is NOT


def test_the_scope_decides_not_the_name() -> None:
    # `fn` in g is g's own parameter: the module-level function does not make it one
    [first, second] = ask(
        HEAD
        + """
fn = lambda_.Function(self, 'F')
def g(fn):
    probe(fn)
def h():
    probe(fn)
"""
    )
    assert first == (UNKNOWN, [], ["the parameter `fn` has no annotation"])
    assert second[0] is CERTAIN


def test_unresolved_and_imported_names_are_unknown() -> None:
    assert ask("probe(fn)") == [(UNKNOWN, [], ["`fn` is not bound in this module"])]
    assert ask("from app.functions import handler\nprobe(handler)") == [(UNKNOWN, [], ["`handler` is imported"])]


def test_unpacking() -> None:
    [(result, values, _)] = ask(HEAD + "name, fn = 'a', lambda_.Function(self, 'F')\nprobe(fn)")
    assert (result, values) == (CERTAIN, ["lambda_.Function(self, 'F')"])
    assert answer(HEAD + "name, fn = make()\nprobe(fn)") is UNKNOWN


def test_walrus_and_conditional_expressions() -> None:
    assert answer(HEAD + "if (fn := lambda_.Function(self, 'F')):\n    probe(fn)") is CERTAIN
    assert answer(HEAD + "fn = lambda_.Function(self, 'A') if a else lambda_.Alias(self, 'B')\nprobe(fn)") is CERTAIN
    assert answer(HEAD + "fn = lambda_.Function(self, 'A') or other\nprobe(fn)") is UNKNOWN


def test_a_name_defined_in_terms_of_itself() -> None:
    assert ask("a = b\nb = a\nprobe(a)")[0][0] is UNKNOWN


def test_augmented_assignment_is_unknown() -> None:
    [(result, _, unknown)] = ask(HEAD + "fn = lambda_.Function(self, 'F')\nfn += 1\nprobe(fn)")
    assert result is UNKNOWN and unknown == ["`fn` is changed by `+=`"]


# -- annotations ----------------------------------------------------------------------------------


def test_annotated_parameters() -> None:
    code = (
        HEAD
        + """
def a(fn: lambda_.IFunction): probe(fn)
def b(fn: lambda_.Function): probe(fn)
def c(fn: "lambda_.IFunction"): probe(fn)
def d(fn: sqs.IQueue): probe(fn)
def e(fn: str): probe(fn)
def f(fn: Optional[lambda_.IFunction]): probe(fn)
def g(fn: lambda_.IAlias): probe(fn)
def h(fn: lambda_.IVersion = None): probe(fn)
def i(fn): probe(fn)
"""
    )
    assert [a for a, _, _ in ask(code)] == [CERTAIN, CERTAIN, CERTAIN, UNKNOWN, NOT, UNKNOWN, CERTAIN, CERTAIN, UNKNOWN]


def test_interfaces_of_other_kinds_are_unknown_and_classes_are_not() -> None:
    # an IQueue is never a function, but iacmod does not know every interface's family: unknown
    assert answer(HEAD + "def d(q: sqs.IQueue): probe(q)") is UNKNOWN
    assert answer(HEAD + "def d(q: sqs.Queue): probe(q)") is NOT


def test_annotated_assignment() -> None:
    assert ask(HEAD + "fn: lambda_.IFunction\nprobe(fn)") == [(CERTAIN, ["type lambda_.IFunction"], [])]
    assert (
        answer(HEAD + "fn: lambda_.IFunction = lambda_.Function.from_function_arn(self, 'F', arn)\nprobe(fn)")
        is CERTAIN
    )
    # the annotation and the value must both say so
    assert answer(HEAD + "fn: lambda_.IFunction = lookup()\nprobe(fn)") is UNKNOWN


def test_platforms() -> None:
    code = "import pulumi_aws as aws\nfn = aws.lambda_.Function('f')\nprobe(fn)"
    assert answer(code) is CERTAIN
    [(_, _, _)] = ask(code)
    wrapper_code = textwrap.dedent(code)
    wrapper = MetadataWrapper(cst.parse_module(wrapper_code), unsafe_skip_copy=True)
    rule = Probe(RuleContext(Path("x.py"), wrapper_code, {}))
    with rule.resolve(wrapper):
        cst.visit_batched(wrapper.module, [rule])
        tracker = bindings(rule)
        [expr] = rule.asked
        assert tracker.is_a(expr, *LAMBDA, platforms={Platform.CDK}) is NOT
        assert tracker.is_a(expr, *LAMBDA, platforms={Platform.PULUMI}) is CERTAIN
        [resource] = tracker.resources(expr, *LAMBDA)
        assert resource.qualified_name == "pulumi_aws.lambda_.Function"


def test_factories_and_cfn_classes() -> None:
    assert answer(HEAD + "fn = lambda_.Function.from_function_name(self, 'F', 'name')\nprobe(fn)") is CERTAIN
    assert answer(HEAD + "fn = lambda_.Code.from_asset('src')\nprobe(fn)") is NOT
    assert answer(HEAD + "fn = lambda_.CfnFunction(self, 'F')\nprobe(fn)") is CERTAIN


# -- functions' returns ------------------------------------------------------------------------


def test_return_annotation() -> None:
    assert ask(HEAD + "def make() -> lambda_.Function:\n    return build()\nx = make()\nprobe(x)") == [
        (CERTAIN, ["type lambda_.Function"], [])
    ]


def test_returned_values_without_annotation() -> None:
    code = (
        HEAD
        + """
def make(scope):
    if scope:
        return lambda_.Function(scope, 'A')
    fn = lambda_.DockerImageFunction(scope, 'B')
    return fn
probe(make(None))
"""
    )
    assert ask(code) == [(CERTAIN, ["lambda_.Function(scope, 'A')", "lambda_.DockerImageFunction(scope, 'B')"], [])]
    assert answer(HEAD + "def make():\n    pass\nprobe(make())") is UNKNOWN
    assert answer(HEAD + "async def make() -> lambda_.Function: ...\nprobe(make())") is UNKNOWN


def test_method_returns_through_self() -> None:
    code = (
        HEAD
        + """
class Stack:
    def __init__(self):
        self.fn = self._create()
        probe(self.fn)

    def _create(self) -> lambda_.Function:
        return lambda_.Function(self, 'F')
"""
    )
    assert answer(code) is CERTAIN


def test_local_classes() -> None:
    code = (
        HEAD
        + """
class Handler(lambda_.Function):
    pass
class Other(Construct):
    pass
class Plain:
    pass
probe(Handler(self, 'H'))
probe(Plain())
probe(Other(self, 'O'))
"""
    )
    assert [a for a, _, _ in ask(code)] == [CERTAIN, NOT, UNKNOWN]


# -- self.x -------------------------------------------------------------------------------------


def test_self_attributes_every_method() -> None:
    code = (
        HEAD
        + """
class Stack:
    def __init__(self):
        self.fn = lambda_.Function(self, 'F')

    def later(self):
        self.fn = lambda_.Alias(self, 'A')

    def alarms(self):
        probe(self.fn)
        probe(self.queue)
        probe(self.missing)

    def queue_setup(self):
        self.queue = sqs.Queue(self, 'Q')
"""
    )
    assert ask(code) == [
        (CERTAIN, ["lambda_.Function(self, 'F')", "lambda_.Alias(self, 'A')"], []),
        (NOT, ["sqs.Queue(self, 'Q')"], []),
        (UNKNOWN, [], ["`self.missing` is not assigned in class `Stack`"]),
    ]


def test_self_attribute_reassigned_elsewhere_is_not_certain() -> None:
    code = (
        HEAD
        + """
class Stack:
    def __init__(self, fn):
        self.fn = lambda_.Function(self, 'F')
        if fn:
            self.fn = fn
        probe(self.fn)
"""
    )
    assert answer(code) is UNKNOWN


def test_class_body_annotations_and_properties() -> None:
    code = (
        HEAD
        + """
class Stack:
    handler: lambda_.IFunction

    @property
    def worker(self) -> lambda_.Function:
        return self._worker

    def alarms(self):
        probe(self.handler)
        probe(self.worker)
"""
    )
    assert [a for a, _, _ in ask(code)] == [CERTAIN, CERTAIN]


def test_self_outside_a_method_and_other_objects() -> None:
    assert ask(HEAD + "def f(self):\n    probe(self.fn)")[0][0] is UNKNOWN
    [(result, _, why)] = ask(HEAD + "probe(stack.fn)")
    assert result is UNKNOWN and why == ["`stack.fn` is an attribute of another object"]


def test_self_in_a_closure() -> None:
    code = (
        HEAD
        + """
class Stack:
    def __init__(self):
        self.fn = lambda_.Function(self, 'F')
        def inner():
            probe(self.fn)
"""
    )
    assert answer(code) is CERTAIN


# -- containers -----------------------------------------------------------------------------------


def test_for_over_a_list() -> None:
    code = (
        HEAD
        + """
a = lambda_.Function(self, 'A')
b = lambda_.Function(self, 'B')
fns = [a, b]
for f in fns:
    probe(f)
probe(fns[0])
probe(fns[-1])
"""
    )
    assert ask(code) == [
        (CERTAIN, ["lambda_.Function(self, 'A')", "lambda_.Function(self, 'B')"], []),
        (CERTAIN, ["lambda_.Function(self, 'A')"], []),
        (CERTAIN, ["lambda_.Function(self, 'B')"], []),
    ]


def test_for_over_pairs_and_dicts() -> None:
    # (each loop binds its own name: every binding of a name in its scope counts)
    code = (
        HEAD
        + """
def alarms(get_fn: lambda_.Function, post_fn: lambda_.IFunction, other):
    for name, f1 in [("get", get_fn), ("post", post_fn)]:
        probe(f1)
    by_name = {"get": get_fn, "other": other}
    for key, f2 in by_name.items():
        probe(f2)
    for f3 in by_name.values():
        probe(f3)
    probe(by_name["get"])
    probe(by_name[key])
    for i, f4 in enumerate([get_fn]):
        probe(f4)
    for f5 in sorted([get_fn, post_fn]):
        probe(f5)
    for f6 in (x for x in [get_fn]):
        probe(f6)
    for f7 in [*[get_fn], post_fn]:
        probe(f7)
    for f8 in by_name:
        probe(f8)
"""
    )
    assert [a for a, _, _ in ask(code)] == [
        CERTAIN,
        UNKNOWN,
        UNKNOWN,
        CERTAIN,
        UNKNOWN,
        CERTAIN,
        CERTAIN,
        CERTAIN,
        CERTAIN,
        NOT,
    ]


def test_the_same_loop_name_twice() -> None:
    code = (
        HEAD
        + """
def alarms(fn_a: lambda_.Function, q: sqs.Queue):
    for fn in [fn_a]:
        probe(fn)
    for fn in [q]:
        pass
"""
    )
    assert ask(code) == [(UNKNOWN, ["type lambda_.Function", "type sqs.Queue"], [])]


def test_a_container_the_module_changes_is_unknown() -> None:
    code = (
        HEAD
        + """
fns = [lambda_.Function(self, 'A')]
fns.append(other)
for f in fns:
    probe(f)
"""
    )
    [(result, values, why)] = ask(code)
    assert (result, values, why) == (UNKNOWN, ["lambda_.Function(self, 'A')"], ["`fns` is changed by `.append(…)`"])
    code = (
        HEAD
        + """
class S:
    def __init__(self):
        self.fns = {"a": lambda_.Function(self, 'A')}
        self.fns["b"] = other
        for f in self.fns.values():
            probe(f)
"""
    )
    assert ask(code)[0][2] == ['`self.fns` is changed by `self.fns["b"] = …`']


def test_annotated_containers() -> None:
    code = (
        HEAD
        + """
def a(fns: list[lambda_.IFunction], by_name: dict[str, lambda_.IFunction], plain: list, tup: tuple[lambda_.IFunction, ...]):
    for f1 in fns:
        probe(f1)
    for name, f2 in by_name.items():
        probe(f2)
    probe(by_name["x"])
    for f3 in plain:
        probe(f3)
    probe(tup[0])
"""
    )
    assert [a for a, _, _ in ask(code)] == [CERTAIN, CERTAIN, CERTAIN, UNKNOWN, CERTAIN]


def test_comprehension_targets() -> None:
    code = HEAD + "fns = [lambda_.Function(self, n) for n in names]\nalarms = [probe(f) for f in fns]"
    assert answer(code) is CERTAIN


def test_the_dependencies_are_checked() -> None:
    class Bare(Rule):
        METADATA_DEPENDENCIES = ()

    wrapper = MetadataWrapper(cst.parse_module("x = 1\n"), unsafe_skip_copy=True)
    rule = Bare(RuleContext(Path("x.py"), "x = 1\n", {}))
    with rule.resolve(wrapper), pytest.raises(TypeError, match="declare"):
        bindings(rule)


def test_no_scope_analysis_until_asked() -> None:
    # building the tracker computes nothing: the scope analysis runs on the first question
    from libcst.metadata import ScopeProvider

    code = HEAD + "fn = lambda_.Function(self, 'F')\n"
    wrapper = MetadataWrapper(cst.parse_module(code), unsafe_skip_copy=True)
    rule = Probe(RuleContext(Path("x.py"), code, {}))
    with rule.resolve(wrapper):
        cst.visit_batched(wrapper.module, [rule])
        assert ScopeProvider not in rule.metadata
