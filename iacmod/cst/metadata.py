"""Metadata resolved lazily and cheaply, and the per-module data iacmod keeps with it.

On the fast paths (``iacmod.cst.version.fast_paths``) the providers' mappings are computed by
iacmod's cheaper equivalents and stored in ``MetadataWrapper._metadata``, LibCST's own cache
(where ``wrapper.resolve`` finds them too), next to iacmod's per-module data (the source, the
positions asked for, qualified names, shared objects) under keys of its own. That private
attribute is touched here and nowhere else. Otherwise everything goes through LibCST's public
``MetadataWrapper.resolve``, and iacmod's per-module data is kept in a small table of its own.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping
from contextlib import contextmanager
from typing import Any, cast

import libcst as cst
from libcst.metadata import (
    CodeRange,
    ExpressionContextProvider,
    MetadataWrapper,
    ParentNodeProvider,
    PositionProvider,
    QualifiedNameProvider,
    ScopeProvider,
)

try:  # what LibCST's get_metadata unwraps (some providers compute values on first use)
    from libcst._metadata_dependent import LazyValue
except ImportError:  # pragma: no cover - a LibCST without lazy values

    class LazyValue:  # type: ignore[no-redef]
        pass


from iacmod.cst.positions import SourceLines, expression_contexts, parents_of, positions_in_statements, positions_of
from iacmod.cst.scope import release as release_scopes
from iacmod.cst.scope import scopes
from iacmod.cst.version import fast_paths
from iacmod.cst.walk import formatting_classes

_TARGETED_POSITIONS = 4  # beyond this many nodes, positions of the whole module are computed
_POSITIONS_OF = object()  # key of the targeted positions cached in a wrapper's metadata
_PARTIAL_PARENTS = object()  # set while a wrapper's parent map leaves formatting nodes out
_QUALIFIED = object()  # key of the qualified names cached in a wrapper's metadata
_ASKED = object()  # key of how many targeted position passes a wrapper's module had
_SOURCE = object()  # key of the module's source text, when the engine knows it
_LINES = object()  # key of the index of the source's lines (iacmod.cst.positions.SourceLines)
_SHARED = object()  # key of the per-module objects visitors share (LazyMetadata.shared)
_MISSING = object()
_NO_DEFAULT = object()

# off the fast paths: iacmod's per-wrapper data, for the last few wrappers (MetadataWrapper has
# __slots__ and no weak references; a wrapper's data goes with release_metadata, or when newer
# wrappers push it out)
_PLAIN_DATA: OrderedDict[int, tuple[MetadataWrapper, dict[Any, Any]]] = OrderedDict()
_PLAIN_KEEP = 16


def _data(wrapper: MetadataWrapper) -> dict[Any, Any]:
    """Where iacmod keeps its per-module data for ``wrapper``."""
    if fast_paths():
        return wrapper._metadata  # type: ignore[return-value]
    entry = _PLAIN_DATA.get(id(wrapper))
    if entry is None or entry[0] is not wrapper:
        entry = _PLAIN_DATA[id(wrapper)] = (wrapper, {})
        while len(_PLAIN_DATA) > _PLAIN_KEEP:
            _PLAIN_DATA.popitem(last=False)
    else:
        _PLAIN_DATA.move_to_end(id(wrapper))
    return entry[1]


def with_source(wrapper: MetadataWrapper, source: str) -> MetadataWrapper:
    """Record that ``source`` is the code of ``wrapper.module`` (lets ``locate`` place nodes
    from the statements that hold them). Returns ``wrapper``."""
    if fast_paths():
        wrapper._metadata[_SOURCE] = source  # type: ignore[index, assignment]  # iacmod's own key in LibCST's cache
    return wrapper


def locate(wrapper: MetadataWrapper, nodes: Iterable[cst.CSTNode]) -> dict[cst.CSTNode, CodeRange]:
    """PositionProvider's ranges of ``nodes`` (those it has one for). When the module's source
    is known, each node is placed from the statement that holds it (found through the parent map:
    a fraction of the cost of generating the module's code up to the node); the rest, and
    everything when the source is not known, from the start of the module
    (iacmod.cst.positions). ``wrapper.resolve(PositionProvider)`` when the fast paths are off."""
    if not fast_paths():
        positions = wrapper.resolve(PositionProvider)
        return {node: positions[node] for node in nodes if node in positions}
    module = wrapper.module
    resolved: MutableMapping[Any, Any] = wrapper._metadata  # provider mappings and iacmod's own keys
    source = resolved.get(_SOURCE)
    if source is None:
        return positions_of(module, nodes)
    parents = resolve_metadata(wrapper, ParentNodeProvider)
    lines = resolved.get(_LINES)
    if lines is None:
        lines = resolved[_LINES] = SourceLines(source)
    positions, rest = positions_in_statements(module, nodes, parents, source, lines)
    if rest:
        positions.update(positions_of(module, rest))
    return positions


def known_positions(wrapper: MetadataWrapper, wanted: set[cst.CSTNode]) -> Mapping[cst.CSTNode, CodeRange] | None:
    """Positions of ``wanted`` that the rules already had computed in ``wrapper`` (the whole
    module's, or the targeted ones when they cover ``wanted``); None when they do not."""
    if not fast_paths():
        return None  # (locate then asks the wrapper, which has them if they were resolved)
    resolved: MutableMapping[Any, Any] = wrapper._metadata  # provider mappings and iacmod's own keys
    if PositionProvider in resolved:
        return cast("Mapping[cst.CSTNode, CodeRange]", resolved[PositionProvider])  # PositionProvider's mapping
    asked = resolved.get(_POSITIONS_OF)
    if asked and wanted <= asked.keys() and all(asked[n] is not None for n in wanted):
        return cast("Mapping[cst.CSTNode, CodeRange]", asked)  # every value checked not None
    return None


def release_metadata(wrapper: MetadataWrapper) -> None:
    """Free what ``wrapper`` resolved and iacmod kept with it, now, for a wrapper nobody will
    read again: the scope analysis is a web of reference cycles that would otherwise keep the
    module's tree alive until the cyclic GC runs (see iacmod.cst.scope.release)."""
    if not fast_paths():
        entry = _PLAIN_DATA.pop(id(wrapper), None)
        if entry is not None and entry[0] is not wrapper:
            _PLAIN_DATA[id(wrapper)] = entry  # another wrapper's (reused id)
        return
    resolved: MutableMapping[Any, Any] = wrapper._metadata  # provider mappings and iacmod's own keys
    mapping = resolved.get(ScopeProvider)
    if mapping is not None:
        release_scopes(mapping)
    resolved.clear()


class LazyMetadata:
    """Metadata resolved on first use instead of before the visit (mix into a LibCST visitor).

    LibCST resolves every declared provider before a visit. Scope and qualified-name analysis
    cost several parses' worth of time, and most files never need them (cheap shape checks in
    visit_* methods rule the nodes out first). So providers are still declared in
    METADATA_DEPENDENCIES, but each is resolved on the first get_metadata call, once per
    module, and shared by every visitor through the wrapper's cache. Qualified names are
    computed from the scope of the node asked about (what QualifiedNameProvider does per node),
    without QualifiedNameProvider's traversal of the whole module; parents come from a direct
    walk over the nodes' fields (the same mapping as ParentNodeProvider, without its visitor).
    """

    _wrapper: MetadataWrapper
    metadata: dict[Any, Any]

    @contextmanager
    def resolve(self, wrapper: MetadataWrapper) -> Iterator[None]:
        self._wrapper = wrapper
        self.metadata = {}
        try:
            yield
        finally:
            self.metadata = {}

    def get_metadata(self, key: Any, node: cst.CSTNode, default: Any = _NO_DEFAULT) -> Any:
        """The value of provider ``key`` for ``node`` (``default`` when it has none, if given),
        as LibCST's ``MetadataDependent.get_metadata``."""
        # the common case first (rules ask for parents and scopes hundreds of times per file):
        # a provider already resolved for this visitor, with a value for the node
        table = self.metadata.get(key)
        if table is not None:
            value = table.get(node, _MISSING)
            if value is not _MISSING and value.__class__ is not LazyValue:
                return value
        if key not in self.get_inherited_dependencies():  # type: ignore[attr-defined]
            raise KeyError(f"{key.__name__} is not declared in {type(self).__name__}.METADATA_DEPENDENCIES")
        if not fast_paths():
            if key not in self.metadata:
                self.metadata[key] = self._wrapper.resolve(key)
        elif key is QualifiedNameProvider:
            resolved: MutableMapping[Any, Any] = self._wrapper._metadata  # holds iacmod's own keys
            cache = resolved.setdefault(_QUALIFIED, {})  # shared by all rules
            names = cache.get(node)
            if names is None:
                scope = self._scope_map().get(node)
                names = cache[node] = scope.get_qualified_names_for(node) if scope is not None else False
            if names is False:
                return set() if default is _NO_DEFAULT else default
            return names
        elif key is PositionProvider and key not in self.metadata:
            return self._position(node, default)
        else:
            if key not in self.metadata:
                self.metadata[key] = self._resolve(key)
            if key is ParentNodeProvider and node not in self.metadata[key]:
                self._complete_parents(node)
        if default is not _NO_DEFAULT:
            value = self.metadata[key].get(node, default)
        else:
            value = self.metadata[key][node]
        if isinstance(value, LazyValue):
            value = value()
        return value

    def _resolve(self, key: Any) -> Mapping[cst.CSTNode, Any]:
        return resolve_metadata(self._wrapper, key)

    def _complete_parents(self, node: cst.CSTNode) -> None:
        resolved: MutableMapping[Any, Any] = self._wrapper._metadata  # holds iacmod's own keys
        if resolved.get(_PARTIAL_PARENTS) and type(node) in formatting_classes():
            resolved[ParentNodeProvider] = self.metadata[ParentNodeProvider] = parents_of(self._wrapper.module)
            resolved[_PARTIAL_PARENTS] = False

    def shared(self, key: Any, build: Callable[[], Any]) -> Any:
        """A per-module object every visitor of this module shares (e.g. the binding tracker of
        ``iacmod.iac.bindings``): ``build()`` on the first call with ``key``, then the same object,
        cached with the module's metadata (so it is freed with it)."""
        cache = _data(self._wrapper).setdefault(_SHARED, {})
        value = cache.get(key, _MISSING)
        if value is _MISSING:
            value = cache[key] = build()
        return value

    def prefetch_positions(self, nodes: Iterable[cst.CSTNode]) -> None:
        """Compute the positions of ``nodes`` in one pass, for a rule about to ask for several
        (``get_metadata(PositionProvider, node)`` then finds them)."""
        if PositionProvider in self.metadata or not fast_paths():
            return
        resolved: MutableMapping[Any, Any] = self._wrapper._metadata  # holds iacmod's own keys
        cache = resolved.setdefault(_POSITIONS_OF, {})
        wanted = [n for n in nodes if n not in cache]
        if wanted:
            cache.update(locate(self._wrapper, wanted))

    def _position(self, node: cst.CSTNode, default: Any) -> Any:
        """A node's position: rules ask for a few (to lay out a fix), so they are generated for
        the nodes asked about (iacmod.cst.positions.positions_of, same ranges as PositionProvider)
        rather than for every node of the module, unless many are asked for."""
        wrapper = self._wrapper
        resolved: MutableMapping[Any, Any] = wrapper._metadata  # holds iacmod's own keys
        cache = resolved.setdefault(_POSITIONS_OF, {})  # MetadataWrapper has __slots__
        if node not in cache:
            asked = resolved.get(_ASKED, 0) + 1
            resolved[_ASKED] = asked
            if asked > _TARGETED_POSITIONS:
                self.metadata[PositionProvider] = self._resolve(PositionProvider)
                return self.get_metadata(PositionProvider, node, default)
            cache.update(locate(wrapper, [node]))
            cache.setdefault(node, None)
        value = cache[node]
        if value is None:  # e.g. the Module node itself, or a node of another tree: ask LibCST
            self.metadata[PositionProvider] = self._resolve(PositionProvider)
            return self.get_metadata(PositionProvider, node, default)
        return value

    def _scope_map(self) -> Mapping[cst.CSTNode, Any]:
        scopes = self.metadata.get(ScopeProvider)
        if scopes is None:
            scopes = self.metadata[ScopeProvider] = self._resolve(ScopeProvider)
        return scopes


def resolve_metadata(wrapper: MetadataWrapper, key: Any) -> Mapping[cst.CSTNode, Any]:
    """``wrapper.resolve(key)``, cheaper, with the same result, cached in the wrapper.

    Parents and expression contexts come from direct walks (iacmod.cst.positions;
    tests/test_positions.py checks they are identical to LibCST's providers). Scope and
    positions are computed by their providers directly: ``MetadataWrapper.resolve`` would
    also run a batched traversal of the whole module with nothing to do (for ScopeProvider,
    a batchable provider that does all its work in ``visit_Module``, and after any
    non-batchable one), doubling the cost. The scope analysis's visits are read-only
    (``iacmod.cst.scope``). ``wrapper.resolve(key)`` when the fast paths are off.
    """
    if not fast_paths():
        return wrapper.resolve(key)
    resolved = getattr(wrapper, "_metadata", None)
    if not isinstance(resolved, dict):  # not the MetadataWrapper this was written against
        return wrapper.resolve(key)
    if key in resolved:
        return cast("Mapping[cst.CSTNode, Any]", resolved[key])  # a provider's mapping
    module = wrapper.module
    if key is ParentNodeProvider:
        # formatting nodes (whitespace, commas, ...) are left out: rules ask for the parents of
        # code; LazyMetadata completes the map the first time one asks for a formatting node
        resolved[key] = parents_of(module, skip=formatting_classes())
        resolved[_PARTIAL_PARENTS] = True
    elif key is ExpressionContextProvider:
        resolved[key] = expression_contexts(module)
    elif key is ScopeProvider:
        if ExpressionContextProvider not in resolved:
            resolved[ExpressionContextProvider] = expression_contexts(module)
        resolved[key] = scopes(wrapper, resolved.get(_SOURCE))
    elif key is PositionProvider:
        resolved[key] = PositionProvider()._gen(wrapper)
    else:
        return wrapper.resolve(key)
    return cast("Mapping[cst.CSTNode, Any]", resolved[key])  # a provider's mapping
