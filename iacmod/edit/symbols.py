"""Referring to a symbol from fixed code: reuse the file's import, or import it (Ruff's
``get_or_import_symbol``).

``reference(rule, at, "aws_cdk.aws_sqs:QueueEncryption.SQS_MANAGED")`` answers the expression
text to write at ``at`` and the imports it needs:

- the file already binds the symbol or one of its modules at module level, and the name is not
  shadowed at ``at``: that name (``sqs.QueueEncryption.SQS_MANAGED`` after
  ``from aws_cdk import aws_sqs as sqs``; ``cdk.aws_sqs.…`` after ``import aws_cdk as cdk``);
- else ``from aws_cdk.aws_sqs import QueueEncryption`` is added and the text is
  ``QueueEncryption.SQS_MANAGED``, unless ``QueueEncryption`` already names something else in
  the file: then None (the caller reports without a fix rather than guess a spelling).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import ScopeProvider

from iacmod.iac.names import module_alias, name_bound
from iacmod.rule import ImportSpec

if TYPE_CHECKING:
    from iacmod.rule import Rule


def split_symbol(qualified: str) -> tuple[str, str]:
    """``"pkg.mod:Class.ATTR"`` → ``("pkg.mod", "Class.ATTR")``. Without a colon the module ends
    before the first capitalised name (``aws_cdk.aws_lambda.Tracing``); a symbol whose names are
    all lower case needs the colon (``datetime:timezone``)."""
    if ":" in qualified:
        module, member = qualified.split(":", 1)
        return module, member
    parts = qualified.split(".")
    for k, part in enumerate(parts):
        if part[:1].isupper():
            if k == 0:
                break
            return ".".join(parts[:k]), ".".join(parts[k:])
    raise ValueError(f"say where the module ends in {qualified!r} (module:member)")


def reference(rule: "Rule", at: cst.CSTNode, qualified: str) -> tuple[str, tuple[ImportSpec, ...]] | None:
    """Text naming ``qualified`` at ``at`` and the imports that text needs, or None when the name
    it would import is taken. ``rule`` must declare ScopeProvider."""
    module, member = split_symbol(qualified)
    scope = rule.get_metadata(ScopeProvider, at, None)
    if scope is None:
        return None
    full = f"{module}.{member}".split(".")
    for k in range(len(full), 0, -1):
        prefix = ".".join(full[:k])
        alias = module_alias(scope, prefix)
        if alias is not None:
            return ".".join([alias, *full[k:]]), ()
    first, _, rest = member.partition(".")
    if name_bound(scope, first):
        return None
    text = first + (f".{rest}" if rest else "")
    return text, (ImportSpec(module, first),)
