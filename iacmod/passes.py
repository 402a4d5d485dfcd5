"""Module passes: work that runs on a module next to the rules, on the rules' metadata.

A rule reports nodes one at a time; a module pass looks at the whole module and returns
replacement nodes, findings and errors at once (``iacmod.iac.embedded``, the inline-code pass,
fixes Python handler code held in string literals by running the engine on it). The engine is
*given* its passes (``Settings.passes``) and never imports one; the default set is composed in
``iacmod.registry.default_passes``.

A pass runs in the engine's first pass over a module, after the rules' walk and on the same
``MetadataWrapper`` (so scopes, parents and positions already resolved are shared), and again
in a later pass only if its replacements overlapped a rule's fix. Passes travel to worker
processes inside ``Settings``: they must pickle (a module-level instance of a module-level class).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import libcst as cst
from libcst.metadata import MetadataWrapper

from iacmod.findings import FileError, Finding

if TYPE_CHECKING:  # the engine imports this module
    from iacmod.engine import Settings


@dataclass(frozen=True)
class PassInput:
    """What a pass gets: the module, its source text, the path it is reported under, the run's
    settings, and the wrapper the rules used on this very module (its metadata is cached)."""

    module: cst.Module
    code: str
    path: str
    settings: Settings
    wrapper: MetadataWrapper


@dataclass
class PassResult:
    """What a pass returns. ``changes``: replacement nodes of the module, applied with the rules'
    fixes when they overlap none of them (all or nothing); ``findings``: located in the module's
    code, ``fixed`` when a replacement fixes them; ``errors``: reported as they are."""

    changes: dict[cst.CSTNode, cst.CSTNode] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    errors: list[FileError] = field(default_factory=list)


class ModulePass(Protocol):
    """A pass the engine runs on each module next to the rules."""

    # Names the pass where a rule would be named (an error blaming its replacements).
    name: str

    def run(self, given: PassInput) -> PassResult: ...
