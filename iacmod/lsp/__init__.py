"""``iacmod lsp``: a Language Server (pygls) that shows iacmod's findings in editors and offers
its fixes as code actions. See :mod:`iacmod.lsp.server` and docs/editors.md."""
