"""Read-only traversals: LibCST's visiting order and callbacks, without rebuilding the tree.

``CSTNode.visit`` rebuilds (and re-validates) every node it passes through
``_visit_and_replace_children`` even for a ``CSTVisitor``, whose result LibCST then throws
away. For a read-only visitor that work is pure overhead: about two thirds of a traversal's
cost. This module walks the same children, in the same order, with the same callbacks
(``on_visit``, ``on_visit_attribute``, ``on_leave_attribute``, ``on_leave``), and builds
nothing:

- :func:`child_fields` gives, per node class, the fields LibCST's own
  ``_visit_and_replace_children`` visits and their order (source order, which is not the
  dataclass field order: e.g. a function's decorators come before its name). It is read
  from LibCST itself, once per class, by recording the ``on_visit_attribute`` calls of one
  real ``_visit_and_replace_children``, so it follows the installed LibCST exactly.
- :class:`ReadOnlyVisits` is a mixin for a ``CSTVisitor`` class of one's own: ``node.visit(v)``
  then walks read-only (LibCST's ``CSTNode.visit`` calls ``v.on_visit``, which walks the
  children itself and returns False; LibCST then calls ``on_leave``). Nothing of LibCST is
  replaced. The scope analysis (``iacmod.cst.scope``) and the import codemods
  (``iacmod.cst.codemods``) use it.
- :func:`readonly_visits` is a context manager under which ``node.visit(visitor)`` takes that
  path for any ``CSTVisitor`` of the calling thread, for the visits rule code makes with
  visitors of its own. It swaps ``CSTNode.visit`` for the block and restores it in a
  ``finally`` (other threads keep LibCST's path meanwhile).
- :func:`walk_batched` runs many batchable visitors (the rules) in one walk, calling each
  one's ``visit_<Node>``/``leave_<Node>`` as ``libcst.visit_batched`` does, and skipping the
  subtrees that cannot contain a node any of them handles (whitespace, operators, ...), as
  the field types of the node classes tell.

Each of them takes LibCST's own path when ``iacmod.cst.version.fast_paths()`` says the installed
LibCST is not one they were verified on. ``tests/test_walk.py`` checks on every corpus module and
test file that the callbacks seen are identical, call for call, to LibCST's.
"""

from __future__ import annotations

import dataclasses
import inspect
import re
import threading
import types
import typing
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any, TypeVar, cast

import libcst as cst
from libcst import CSTNode, CSTTransformer, CSTVisitor

from iacmod.cst.version import fast_paths

_ORIGINAL_VISIT = CSTNode.visit
_BASE = CSTVisitor

_N = TypeVar("_N", bound=CSTNode)


# -- child order, read from LibCST ---------------------------------------------------------------


class _FieldRecorder(CSTTransformer):
    """Records the fields ``_visit_and_replace_children`` visits on one node. A transformer, so
    that LibCST's own ``CSTNode.visit`` takes it whatever ``readonly_visits`` does."""

    def __init__(self, parent: CSTNode) -> None:
        super().__init__()
        self.parent = parent
        self.fields: list[str] = []

    def on_visit(self, node: CSTNode) -> bool:
        return False  # record the parent's fields only

    def on_leave(self, original_node: _N, updated_node: _N) -> _N:
        return updated_node

    def on_visit_attribute(self, node: CSTNode, attribute: str) -> None:
        if node is self.parent:
            self.fields.append(attribute)

    def on_leave_attribute(self, original_node: CSTNode, attribute: str) -> None:
        pass


_FIELDS: dict[Any, tuple[str, ...]] = {}
_CONDITIONAL: dict[type, tuple[str, ...]] = {}
_IF_NOT_NONE = re.compile(r"\bif\s+(?:self\.)?(\w+)\s+is\s+not\s+None\b")


def _conditional_fields(cls: type) -> tuple[str, ...]:
    """Fields that ``cls._visit_and_replace_children`` visits only when they are not None
    (e.g. a format spec in an f-string): LibCST skips their attribute callbacks then."""
    fields = _CONDITIONAL.get(cls)
    if fields is None:
        try:
            # cls is a CSTNode class: a private LibCST method, not on `type`
            source = inspect.getsource(cls._visit_and_replace_children)  # type: ignore[attr-defined]
            fields = tuple(sorted(set(_IF_NOT_NONE.findall(source))))
        except (OSError, TypeError):  # no source: assume any field may be conditional
            fields = tuple(f.name for f in dataclasses.fields(cls))
        _CONDITIONAL[cls] = fields
    return fields


def field_key(node: CSTNode) -> Any:
    """What the visited fields of ``node`` depend on: its class, and for the few classes with
    conditionally visited fields, which of those are None."""
    cls = node.__class__
    conditional = _CONDITIONAL.get(cls)
    if conditional is None:
        conditional = _conditional_fields(cls)
    if not conditional:
        return cls
    return (cls, tuple(getattr(node, f, None) is None for f in conditional))


def child_fields(node: CSTNode, key: Any = None) -> tuple[str, ...]:
    """The fields of ``node`` that LibCST visits, in LibCST's visiting order."""
    if key is None:
        key = field_key(node)
    fields = _FIELDS.get(key)
    if fields is None:
        recorder = _FieldRecorder(node)
        node._visit_and_replace_children(recorder)
        fields = _FIELDS[key] = tuple(recorder.fields)
    return fields


def children(node: CSTNode) -> Sequence[CSTNode]:
    """``node.children`` (its child nodes, in LibCST's visiting order) without LibCST's way of
    getting them, which rebuilds the node."""
    if not fast_paths():
        return node.children
    return nodes_in(node, child_fields(node))


def nodes_in(node: CSTNode, fields: Sequence[str], skip: frozenset[type] = frozenset()) -> list[CSTNode]:
    """The nodes that ``fields`` of ``node`` hold (alone or in a sequence), in field order,
    but those of the classes in ``skip``."""
    out: list[CSTNode] = []
    for attr in fields:
        value = getattr(node, attr)
        kind = _KIND.get(value.__class__)
        if kind is None:
            kind = _kind(value.__class__)
        if kind == 1:
            if value.__class__ not in skip:
                out.append(value)
        elif kind == 2:
            for item in value:
                if item.__class__ not in skip:
                    out.append(item)
    return out


_VISITED: dict[type, frozenset[str]] = {}


def visited_fields(node: CSTNode) -> frozenset[str]:
    """The fields of ``node``'s class that LibCST's ``_visit_and_replace_children`` visits at all
    (some only when not None): a walk over fields that means to meet the nodes LibCST's visitors
    meet must not read the others (e.g. before LibCST 1.5, a match case's whitespace)."""
    cls = node.__class__
    found = _VISITED.get(cls)
    if found is None:
        found = _VISITED[cls] = frozenset(child_fields(node)) | frozenset(_conditional_fields(cls))
    return found


_NODE_FIELDS: dict[tuple[type, frozenset[type]], tuple[str, ...]] = {}


def node_fields(cls: type, skip: frozenset[type] = frozenset()) -> tuple[str, ...]:
    """The fields of node class ``cls`` that can hold a node of a class not in ``skip`` (alone
    or in a sequence), by their type hints, in no particular order: for walks where the order
    does not matter (parents, expression contexts), cheaper than ``children``. A field whose
    hint cannot be read counts as able to hold anything."""
    key = (cls, skip)
    found = _NODE_FIELDS.get(key)
    if found is None:
        reach = _reach()
        try:
            hints = typing.get_type_hints(cls)
        except Exception:  # noqa: BLE001 - unknown: every field may hold a node
            hints = {}
        fields: list[str] = []
        for f in dataclasses.fields(cls):
            refs: set[type] = set()
            hint = hints.get(f.name)
            if hint is not None and _referenced(hint, refs):
                below: set[type] = set().union(*(reach._subclasses(r) for r in refs))
                if below <= skip:
                    continue  # no node, or only formatting, can be there
            fields.append(f.name)
        found = _NODE_FIELDS[key] = tuple(fields)
    return found


# -- which node classes can occur below which --------------------------------------------------


def _concrete_node_classes() -> list[type]:
    seen: set[type] = set()
    out: list[type] = []
    stack = [CSTNode]
    while stack:
        cls = stack.pop()
        for sub in cls.__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
                if not getattr(sub, "__abstractmethods__", None) and sub.__module__.startswith("libcst."):
                    out.append(sub)
    return out


def _referenced(hint: Any, out: set[type]) -> bool:
    """Collect the CSTNode classes a field's type hint names; False when it cannot tell."""
    if hint is None or hint is type(None) or hint is Ellipsis:
        return True
    if isinstance(hint, type):
        if issubclass(hint, CSTNode):
            out.add(hint)
        return True
    origin = typing.get_origin(hint)
    if origin is None:
        return False  # Any, a TypeVar, a forward reference: cannot tell
    if origin is typing.Literal:
        return True
    ok = True
    for arg in typing.get_args(hint):
        ok = _referenced(arg, out) and ok
    return ok


class _Reach:
    """For each concrete node class, the node classes that can occur anywhere below it."""

    def __init__(self) -> None:
        self.concrete = _concrete_node_classes()
        self._by_base: dict[type, frozenset[type]] = {}
        direct: dict[type, set[type] | None] = {}
        for cls in self.concrete:
            try:
                hints = typing.get_type_hints(cls)
            except Exception:  # noqa: BLE001 - unknown: assume anything can occur below
                direct[cls] = None
                continue
            refs: set[type] = set()
            ok = True
            for name, hint in hints.items():
                if name.startswith("_") or typing.get_origin(hint) is typing.ClassVar:
                    continue
                ok = _referenced(hint, refs) and ok
            direct[cls] = set().union(*(self._subclasses(r) for r in refs)) if ok else None
        self.below: dict[type, frozenset[type] | None] = {}
        for cls in self.concrete:
            self.below[cls] = self._closure(cls, direct)

    def _subclasses(self, base: type) -> frozenset[type]:
        found = self._by_base.get(base)
        if found is None:
            # (the MRO, not issubclass: CSTNode is an ABC, and its subclass checks are slow)
            found = self._by_base[base] = frozenset(c for c in self.concrete if base in c.__mro__)
        return found

    def _closure(self, cls: type, direct: dict[type, set[type] | None]) -> frozenset[type] | None:
        seen: set[type] = set()
        stack = [cls]
        while stack:
            children = direct.get(stack.pop())
            if children is None:
                return None
            new = children - seen
            seen |= new
            stack.extend(new)
        return frozenset(seen)


_REACH: _Reach | None = None


def _reach() -> _Reach:
    global _REACH
    if _REACH is None:
        _REACH = _Reach()
    return _REACH


# -- read-only visits for any CSTVisitor ---------------------------------------------------------


_STUB_MODULES = ("libcst._typed_visitor", "libcst._typed_visitor_base")

# what the walks know about LibCST's own visitor classes (module-level classes, never freed);
# other visitor classes keep theirs on themselves (classes defined inside functions come and go,
# and the tables refer back to them)
_LIBCST_CLASSES: dict[tuple[type, str], Any] = {}


def _class_cache(vcls: type, key: str) -> Any:
    if vcls.__module__.startswith("libcst"):
        return _LIBCST_CLASSES.get((vcls, key))
    return vcls.__dict__.get(key)


def _set_class_cache(vcls: type, key: str, value: Any) -> None:
    if vcls.__module__.startswith("libcst"):
        _LIBCST_CLASSES[(vcls, key)] = value  # never an attribute on LibCST's classes
    else:
        type.__setattr__(vcls, key, value)


def _handlers(vcls: type) -> dict[str, Callable[..., Any]]:
    """The ``visit_*``/``leave_*`` methods a visitor class defines (what ``getattr`` on an
    instance finds), as functions called (visitor, node); LibCST's typed no-op stubs left out."""
    table: dict[str, Callable[..., Any]] | None = _class_cache(vcls, "_iacmod_handlers")
    if table is None:
        raw: dict[str, Any] = {}
        for klass in reversed(vcls.__mro__):
            if klass.__module__ in _STUB_MODULES:
                continue
            for name, value in klass.__dict__.items():
                if name.startswith(("visit_", "leave_")):
                    raw[name] = value
        table = {}
        for name, value in raw.items():
            if getattr(value, "_is_no_op", False):
                continue
            if isinstance(value, types.FunctionType):
                table[name] = value
            else:  # staticmethod, property, ...: look it up exactly as LibCST does
                table[name] = lambda visitor, node, _name=name: getattr(visitor, _name)(node)
        _set_class_cache(vcls, "_iacmod_handlers", table)
    return table


def handler_names(vcls: type) -> frozenset[str]:
    """The ``visit_<Node>``/``leave_<Node>`` (and attribute hook) names visitor class ``vcls``
    defines itself or inherits from anything but LibCST's typed no-op stubs."""
    return frozenset(_handlers(vcls))


class _Plan:
    """How a visitor class handles one node class (cached per pair)."""

    __slots__ = ("visit", "leave", "fields")

    def __init__(
        self,
        handlers: dict[str, Callable[..., Any]],
        node: CSTNode,
        key: Any,
        attribute_hooks: bool,
        own_attr: bool = False,
        skip: frozenset[type] = frozenset(),
    ) -> None:
        name = type(node).__name__
        self.visit = handlers.get(f"visit_{name}")
        self.leave = handlers.get(f"leave_{name}")
        if attribute_hooks:
            self.fields = tuple(
                (attr, handlers.get(f"visit_{name}_{attr}"), handlers.get(f"leave_{name}_{attr}"))
                for attr in child_fields(node, key)
            )
        else:
            self.fields = tuple((attr, None, None) for attr in child_fields(node, key))
        if not own_attr and not any(on is not None or off is not None for _, on, off in self.fields):
            # no attribute callbacks for this node: only the fields that can hold a node the
            # walk enters need reading (by their type hints: whitespace and brackets cannot)
            useful = node_fields(type(node), skip)
            self.fields = tuple(field for field in self.fields if field[0] in useful)


_KIND: dict[type, int] = {}
_NODE, _SEQUENCE, _OTHER = 1, 2, 0


def _kind(cls: type) -> int:
    """1: a node, 2: a tuple or list of nodes, 0: anything else (None, str, a sentinel)."""
    kind = _KIND[cls] = _NODE if issubclass(cls, CSTNode) else _SEQUENCE if cls in (tuple, list) else _OTHER
    return kind


class _VisitorInfo:
    """What the walk needs to know about a visitor class, kept on the class itself (visitor
    classes defined inside functions come and go; a global cache would keep them alive)."""

    __slots__ = ("visit", "own_visit", "own_leave", "own_attr", "handlers", "attribute_hooks", "plans", "skip")

    def __init__(self, vcls: type) -> None:
        # the on_visit the walk calls: for a ReadOnlyVisits class, the one its mixin stands for
        self.visit: Callable[[Any, CSTNode], Any] = _base_on_visit(vcls)
        self.own_visit = self.visit is not _BASE.on_visit
        # (ignores: vcls is a visitor class, typed `type`)
        self.own_leave = vcls.on_leave is not _BASE.on_leave  # type: ignore[attr-defined]
        self.own_attr = (
            vcls.on_visit_attribute is not _BASE.on_visit_attribute  # type: ignore[attr-defined]
            or vcls.on_leave_attribute is not _BASE.on_leave_attribute  # type: ignore[attr-defined]
        )
        self.handlers = _handlers(vcls)
        # attribute hooks (visit_<Node>_<field>) are rare: only then are they looked up per field
        self.attribute_hooks = not self.own_attr and any("_" in n.partition("_")[2] for n in self.handlers)
        self.plans: dict[Any, _Plan] = {}
        # a visitor class may declare node classes whose subtrees it does not need visited
        self.skip: frozenset[type] = getattr(vcls, "iacmod_skip_classes", frozenset())
        if not (self.own_visit or self.own_leave or self.own_attr or self.attribute_hooks):
            # it sees nodes only through its visit_<Node>/leave_<Node>: subtrees that cannot
            # hold a node it handles need no visit (exactly what LibCST's walk would call)
            self.skip = self.skip | _unhandled(frozenset(n.partition("_")[2] for n in self.handlers))


_UNHANDLED: dict[frozenset[str], frozenset[type]] = {}


def _unhandled(names: frozenset[str]) -> frozenset[type]:
    """Node classes that neither are named in ``names`` nor can hold a node that is."""
    found = _UNHANDLED.get(names)
    if found is None:
        reach = _reach()
        handled = {c for c in reach.concrete if c.__name__ in names}
        found = _UNHANDLED[names] = frozenset(
            c
            for c in reach.concrete
            if c.__name__ not in names and (below := reach.below.get(c)) is not None and below.isdisjoint(handled)
        )
    return found


def _info(vcls: type) -> _VisitorInfo:
    info: _VisitorInfo | None = _class_cache(vcls, "_iacmod_walk_info")
    if info is None:
        info = _VisitorInfo(vcls)
        _set_class_cache(vcls, "_iacmod_walk_info", info)
    return info


def _base_on_visit(vcls: type) -> Callable[[Any, CSTNode], Any]:
    on_visit: Callable[[Any, CSTNode], Any] = vcls.on_visit  # type: ignore[attr-defined]  # vcls is a visitor class
    if on_visit is not ReadOnlyVisits.on_visit:
        return on_visit
    mro = vcls.__mro__
    for klass in mro[mro.index(ReadOnlyVisits) + 1 :]:
        if "on_visit" in klass.__dict__:
            return cast(Callable[[Any, CSTNode], Any], klass.__dict__["on_visit"])  # class __dict__ values are untyped
    return _BASE.on_visit


def _readonly_visit(root: CSTNode, visitor: CSTVisitor, leave: bool = True) -> None:
    """Visit ``root`` and its subtree with ``visitor``'s callbacks, as ``root.visit(visitor)``
    does, building nothing (``leave=False``: all but the root's own ``on_leave``)."""
    info = _info(type(visitor))
    on_visit = info.visit
    own_visit, own_leave, own_attr = info.own_visit, info.own_leave, info.own_attr
    handlers, attribute_hooks, plans, skip = info.handlers, info.attribute_hooks, info.plans, info.skip
    kinds = _KIND
    no_leave = None if leave else root

    def walk(node: CSTNode) -> None:
        key = node.__class__
        conditional = _CONDITIONAL.get(key)
        if conditional is None or conditional:
            key = field_key(node)
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = _Plan(handlers, node, key, attribute_hooks, own_attr, skip)
        if own_visit:
            go = on_visit(visitor, node)
        elif plan.visit is not None:
            go = plan.visit(visitor, node) is not False
        else:
            go = True
        if go:
            for attr, on_attr, off_attr in plan.fields:
                if own_attr:
                    visitor.on_visit_attribute(node, attr)
                elif on_attr is not None:
                    on_attr(visitor, node)
                value = getattr(node, attr)
                kind = kinds.get(value.__class__)
                if kind is None:
                    kind = _kind(value.__class__)
                if kind == 1:
                    if value.__class__ not in skip:
                        walk(value)  # noqa: F821 (recursive closure, deleted after the walk)
                elif kind == 2:
                    for item in value:
                        if item.__class__ not in skip:
                            walk(item)  # noqa: F821 (recursive closure, deleted after the walk)
                if own_attr:
                    visitor.on_leave_attribute(node, attr)
                elif off_attr is not None:
                    off_attr(visitor, node)
        if node is no_leave:
            return
        if own_leave:
            visitor.on_leave(node)
        elif plan.leave is not None:
            plan.leave(visitor, node)

    try:
        walk(root)
    finally:
        del walk  # (a self-referencing closure: see walk_batched)


class ReadOnlyVisits:
    """Mix into a ``CSTVisitor`` class (first among its bases): ``node.visit(visitor)`` then makes
    the same calls, in the same order, without rebuilding any node. LibCST's ``CSTNode.visit``
    calls ``on_visit`` first: this one visits the node and its whole subtree read-only and
    returns False, so LibCST goes straight on to the node's ``on_leave``. Takes LibCST's own
    path when the fast paths are off. A class may also set ``iacmod_skip_classes`` to node
    classes whose subtrees it needs no visit of."""

    def on_visit(self, node: CSTNode) -> bool:
        if not fast_paths():
            # a mixin: its super() is the CSTVisitor after it in the MRO, unknown to mypy
            return super().on_visit(node)  # type: ignore[misc,no-any-return]
        _readonly_visit(node, self, leave=False)  # type: ignore[arg-type]
        return False


_swap = threading.Lock()
_owner: int | None = None  # the thread whose visits are read-only
_depth = 0
_saved: Callable[..., Any] = _ORIGINAL_VISIT  # CSTNode.visit before the swap


def _visit(self: CSTNode, visitor: Any) -> Any:
    if _owner == threading.get_ident() and isinstance(visitor, CSTVisitor):
        _readonly_visit(self, visitor)
        return self  # what LibCST returns for a CSTVisitor
    return _saved(self, visitor)


@contextmanager
def readonly_visits() -> Iterator[None]:
    """Within the block, ``node.visit(v)`` in the calling thread, for a ``CSTVisitor`` ``v``,
    walks without rebuilding nodes (same callbacks, same order): for the visits that code of
    others (the rules) makes with visitors of its own. Transformers, and other threads, keep
    LibCST's path. ``CSTNode.visit`` is swapped for the block and restored in a ``finally``
    when the outermost block ends. Re-entrant. Does nothing when the fast paths are off."""
    global _owner, _depth, _saved
    if not fast_paths():
        yield
        return
    me = threading.get_ident()
    with _swap:
        mine = _owner is None or _owner == me
        if _owner is None:
            _owner, _saved = me, CSTNode.visit
            CSTNode.visit = _visit  # type: ignore[method-assign]
        if mine:
            _depth += 1
    try:
        yield
    finally:
        if mine:
            with _swap:
                _depth -= 1
                if _depth == 0:
                    CSTNode.visit = _saved  # type: ignore[method-assign]
                    _owner, _saved = None, _ORIGINAL_VISIT


# -- batched walk for the rules ------------------------------------------------------------------


def walk_batched(root: CSTNode, visitors: Sequence[cst.BatchableCSTVisitor]) -> None:
    """Run ``visitors`` over ``root`` as ``libcst.visit_batched`` does (every visitor's
    ``visit_<Node>`` in visitor order before the node's children, whose return value is
    ignored; ``leave_<Node>`` after), without rebuilding nodes, and without descending into
    subtrees that cannot hold a node class any visitor handles. (LibCST's ``visit_batched``
    when the fast paths are off.)"""
    if not fast_paths():
        cst.visit_batched(root, visitors)
        return
    handlers: dict[str, tuple[list[Callable[..., Any]], list[Callable[..., Any]]]] = {}
    attribute_hooks = False
    for v in visitors:
        for name, method in v.get_visitors().items():
            prefix, _, rest = name.partition("_")
            if "_" in rest:
                attribute_hooks = True
                continue
            entry = handlers.setdefault(rest, ([], []))
            entry[0 if prefix == "visit" else 1].append(method)
    if attribute_hooks:  # not used by any rule: take LibCST's own path rather than guess
        cst.visit_batched(root, visitors)
        return
    reach = _reach()
    # dispatch is by class name, as in LibCST's batched visitor
    handled = frozenset(c for c in reach.concrete if c.__name__ in handlers)
    # per node class: (visits, leaves, fields worth descending into)
    plans: dict[
        type, tuple[tuple[Callable[..., Any], ...], tuple[Callable[..., Any], ...], tuple[str, ...] | None]
    ] = {}
    interesting: dict[type, bool] = {}

    def worth(cls: type) -> bool:
        value = interesting.get(cls)
        if value is None:
            below = reach.below.get(cls)
            value = interesting[cls] = cls.__name__ in handlers or below is None or not below.isdisjoint(handled)
        return value

    kinds = _KIND
    # node classes the walk never enters: not handled, and cannot hold a handled one
    dull = frozenset(c for c in reach.concrete if not worth(c))

    def walk(node: CSTNode) -> None:
        visits: Sequence[Callable[..., Any]]  # (declarations only: a list, then a tuple)
        leaves: Sequence[Callable[..., Any]]
        cls = node.__class__
        plan = plans.get(cls)
        if plan is None:
            visits, leaves = handlers.get(cls.__name__, ((), ()))
            below = reach.below.get(cls)
            fields: tuple[str, ...] | None = ()
            if below is None or not below.isdisjoint(handled):
                # None: the visited fields depend on the node (see field_key); otherwise only
                # the fields that can hold a class the walk enters (by their type hints)
                useful = node_fields(cls, dull)
                fields = tuple(f for f in child_fields(node) if f in useful) if not _conditional_fields(cls) else None
            plan = plans[cls] = (tuple(visits), tuple(leaves), fields)
        visits, leaves, fields = plan
        for fn in visits:
            fn(node)
        for attr in fields if fields is not None else child_fields(node):
            value = getattr(node, attr)
            cls = value.__class__
            kind = kinds.get(cls)
            if kind is None:
                kind = _kind(cls)
            if kind == 1:
                if interesting.get(cls) or interesting.get(cls) is None and worth(cls):  # noqa: F821 (recursive closure, deleted after the walk)
                    walk(value)  # noqa: F821 (recursive closure, deleted after the walk)
            elif kind == 2:
                for item in value:
                    cls = item.__class__
                    if interesting.get(cls) or interesting.get(cls) is None and worth(cls):  # noqa: F821 (recursive closure, deleted after the walk)
                        walk(item)  # noqa: F821 (recursive closure, deleted after the walk)
        for fn in leaves:
            fn(node)

    try:
        walk(root)
    finally:
        # the nested function refers to itself through its closure: a reference cycle that
        # would keep everything it captured (and so the tree) alive until the cyclic GC runs
        del walk, worth


# -- formatting nodes ----------------------------------------------------------------------------

_BRACKETS = ("LeftParen", "RightParen", "LeftSquareBracket", "RightSquareBracket", "LeftCurlyBrace", "RightCurlyBrace")
_FORMATTING: frozenset[type] | None = None


def formatting_classes() -> frozenset[type]:
    """Node classes that only carry formatting (whitespace, comments, newlines, commas, dots,
    operators, brackets) and can hold nothing else below them: LibCST documents its scope
    metadata as not available for these."""
    global _FORMATTING
    if _FORMATTING is None:
        reach = _reach()
        candidates = {
            c
            for c in reach.concrete
            if c.__module__ in ("libcst._nodes.whitespace", "libcst._nodes.op") or c.__name__ in _BRACKETS
        }
        _FORMATTING = frozenset(
            c for c in candidates if (below := reach.below.get(c)) is not None and below <= candidates
        )
    return _FORMATTING


# -- the visit_/leave_ methods of a batchable visitor ---------------------------------------------


def batched_visitor_methods(visitor: cst.BatchableCSTVisitor) -> Mapping[str, Callable[..., Any]]:
    """What LibCST's ``BatchableCSTVisitor.get_visitors()`` returns for ``visitor`` (its bound
    ``visit_*``/``leave_*`` methods but LibCST's typed no-op stubs), with the names found once per
    class: LibCST runs ``inspect.getmembers`` on every instance, which costs more than parsing a
    small file. LibCST's own when the fast paths are off."""
    if not fast_paths():
        return cst.BatchableCSTVisitor.get_visitors(visitor)
    cls = type(visitor)
    names = _class_cache(cls, "_iacmod_visitor_names")
    if names is None:
        # as LibCST's get_visitors: the methods named visit_*/leave_* but the typed no-op stubs
        names = tuple(
            n
            for n in dir(cls)
            if n.startswith(("visit_", "leave_")) and not getattr(getattr(cls, n), "_is_no_op", False)
        )
        _set_class_cache(cls, "_iacmod_visitor_names", names)
    return {name: getattr(visitor, name) for name in names}
