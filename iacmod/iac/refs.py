"""References between resources, and durations, as the code writes them.

- ``owner(expr, attrs)``: the object whose attribute ``expr`` reads when the attribute is one of
  ``attrs`` (``fn`` for ``fn.arn`` with ``attrs=("arn", "name")``), else None;
- ``the_resource(rule, expr, *types)``: the one resource-creating call ``expr`` holds, when it
  certainly is one of ``types`` and the module creates it (None otherwise: a parameter, an
  import, a value that may be one of several);
- ``seconds(rule, expr)``: the number of seconds ``expr`` writes — an int literal, or CDK's
  ``Duration.seconds(n)``/``minutes``/``hours``/``days`` (also through ``cdk.Duration`` or a
  ``from aws_cdk import Duration``) with an int literal — or None; ``seconds_through(rule,
  expr)`` also follows a name bound once to such a value (a module constant), answering the
  value and whether it is written in ``expr`` itself (only then can a fix change it there).

``rule`` declares :data:`iacmod.iac.bindings.DEPENDENCIES`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from iacmod.iac.bindings import Answer, bindings
from iacmod.iac.catalog import Platform, ResourceType
from iacmod.iac.names import qualified_names
from iacmod.iac.resources import Resource

if TYPE_CHECKING:
    from collections.abc import Collection

    from iacmod.rule import Rule

DURATION = "aws_cdk.Duration"
UNITS = {"seconds": 1, "minutes": 60, "hours": 3600, "days": 86400}


def owner(expr: object, attrs: tuple[str, ...]) -> cst.BaseExpression | None:
    if isinstance(expr, cst.Attribute) and expr.attr.value in attrs:
        return expr.value
    return None


def the_resource(
    rule: Rule, expr: cst.BaseExpression, *types: ResourceType, platforms: Collection[Platform] | None = None
) -> Resource | None:
    tracker = bindings(rule)
    if tracker.is_a(expr, *types, platforms=platforms) is not Answer.CERTAIN:
        return None
    found = tracker.resources(expr, *types)
    calls = {id(r.call) for r in found}
    return found[0] if len(calls) == 1 else None


def duration_unit(rule: Rule, expr: object) -> tuple[str, int] | None:
    """(unit, count) of ``Duration.<unit>(<int>)``, else None."""
    if not (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute)):
        return None
    unit = expr.func.attr.value
    if unit not in UNITS or len(expr.args) != 1 or expr.args[0].keyword is not None or expr.args[0].star:
        return None
    value = expr.args[0].value
    if not isinstance(value, cst.Integer):
        return None
    if f"{DURATION}.{unit}" not in qualified_names(rule, expr.func):
        return None
    return unit, int(value.evaluated_value)


def seconds(rule: Rule, expr: object) -> int | None:
    if isinstance(expr, cst.Integer):
        return int(expr.evaluated_value)
    found = duration_unit(rule, expr)
    return None if found is None else UNITS[found[0]] * found[1]


def seconds_through(rule: Rule, expr: cst.BaseExpression) -> tuple[int, bool] | None:
    """(seconds, written in ``expr`` itself) or None (see the module docstring)."""
    value = seconds(rule, expr)
    if value is not None:
        return value, True
    if isinstance(expr, cst.Name):
        found = bindings(rule).values(expr)
        if found.complete and len(found.known) == 1 and not found.known[0].typed:
            value = seconds(rule, found.known[0].node)
            if value is not None:
                return value, False
    return None
