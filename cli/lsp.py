"""``iacmod lsp``: the Language Server over stdio (iacmod.lsp.server; editor setup in docs/editors.md)."""

from __future__ import annotations

from iacmod.cli.common import app


@app.command("lsp")
def lsp() -> None:
    """Run the Language Server over stdio: diagnostics and fixes (code actions) in editors."""
    from iacmod.lsp.server import main

    main()
