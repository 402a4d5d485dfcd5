"""Modules loaded on first use.

``iacmod apply`` and ``check`` never touch git, yet the CLI registers the ``branch`` and ``pr``
commands, whose code imports GitPython (about 0.1 s, a tenth of the start-up of a run). The
module object is created at once and executed the first time one of its attributes is read
(the standard library's ``importlib.util.LazyLoader``).
"""

from __future__ import annotations

import importlib.util
import sys
from types import ModuleType


def lazy_import(name: str) -> ModuleType:
    """``import name``, executed on the first attribute access. The module is registered in
    ``sys.modules``, so every other ``import name`` gets the same object."""
    module = sys.modules.get(name)
    if module is not None:
        return module
    spec = importlib.util.find_spec(name)
    if spec is None or spec.loader is None:  # not installed: let the normal import say so
        return importlib.import_module(name)
    loader = importlib.util.LazyLoader(spec.loader)
    spec.loader = loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    loader.exec_module(module)
    return module
