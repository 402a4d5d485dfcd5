"""The rules, one module each, grouped by target (found by ``iacmod.registry``)."""
