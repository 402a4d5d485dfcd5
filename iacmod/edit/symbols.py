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

Lower-case symbols say where the module ends with a colon (``"datetime:timezone.utc"``); other
spellings of the same value and whether a parent package's binding may be used are options.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst
from libcst.metadata import ScopeProvider

from iacmod.iac.names import module_alias, name_bound
from iacmod.rule import ImportSpec

if TYPE_CHECKING:
    from libcst.metadata.scope_provider import Scope

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


def reference(
    rule: Rule, at: cst.CSTNode, qualified: str, *also: str, parents: bool = True, import_module: bool = False
) -> tuple[str, tuple[ImportSpec, ...]] | None:
    """Text naming ``qualified`` at ``at`` and the imports that text needs, or None when the name
    it would import is taken. ``rule`` must declare ScopeProvider.

    ``also``: other spellings of the same value (``"datetime:UTC"`` for
    ``"datetime:timezone.utc"``), whose bindings are used if the file has them, after those of
    ``qualified``; the import is always ``qualified``'s. ``parents=False``: a binding of a package
    above the symbol's module is not used (``import boto3`` does not import
    ``boto3.dynamodb.conditions``; ``import aws_cdk`` does import ``aws_cdk.aws_sqs``).
    ``import_module=True``: when nothing is bound, import the module and name the symbol through
    it (``import pulumi`` and ``pulumi.Output``), unless the module's first name is taken."""
    module, member = split_symbol(qualified)
    scope = rule.get_metadata(ScopeProvider, at, None)
    if scope is None:
        return None
    for symbol in (qualified, *also):
        found = _bound(scope, *split_symbol(symbol), parents)
        if found is not None:
            return found, ()
    if import_module:
        if name_bound(scope, module.partition(".")[0]):
            return None
        return f"{module}.{member}", (ImportSpec(module),)
    first, _, rest = member.partition(".")
    if name_bound(scope, first):
        return None
    text = first + (f".{rest}" if rest else "")
    return text, (ImportSpec(module, first),)


def _bound(scope: Scope, module: str, member: str, parents: bool) -> str | None:
    """The text naming ``module.member`` through a module-level binding of it or of one of its
    prefixes (longest first; not above ``module`` unless ``parents``), or None."""
    full = f"{module}.{member}".split(".")
    lowest = 1 if parents else len(module.split("."))
    for k in range(len(full), lowest - 1, -1):
        alias = module_alias(scope, ".".join(full[:k]))
        if alias is not None:
            return ".".join([alias, *full[k:]])
    return None
