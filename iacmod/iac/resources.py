"""Which resource a call creates: ``resource_at(rule, call, catalog.SQS_QUEUE)``.

A cheap check of the called name's last part against the catalog's class names comes first
(most calls are not resources), qualified names (LibCST's scope analysis, computed lazily)
after: ``aws.sqs.Queue(...)``, ``sqs.Queue(...)``, ``Queue(...)`` after
``from pulumi_aws.sqs import Queue``, ``SqsQueue(...)`` from the CDKTF provider or a local
``imports.aws`` binding, all resolve; a local class that happens to be named ``Queue`` does not.
"""

from __future__ import annotations

from dataclasses import dataclass

import libcst as cst

from iacmod.iac.catalog import Platform, ResourceType
from iacmod.iac.names import MetadataSource, qualified_names


@dataclass(frozen=True)
class Resource:
    """A resource created by a call."""

    type: ResourceType
    platform: Platform
    call: cst.Call
    qualified_name: str  # as imported, e.g. "cdktf_cdktf_provider_aws.sqs_queue.SqsQueue"

    @property
    def class_name(self) -> str:
        return self.qualified_name.rpartition(".")[2]


def last_name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None


def resource_at(rule: MetadataSource, call: cst.Call, *types: ResourceType) -> Resource | None:
    """The resource ``call`` creates if it is one of ``types`` (``rule`` declares
    QualifiedNameProvider), else None."""
    name = last_name(call.func)
    if name is None or not any(name in t.class_names for t in types):
        return None
    for qualified in sorted(qualified_names(rule, call.func)):
        for resource_type in types:
            platform = resource_type.platform_of(qualified)
            if platform is not None:
                return Resource(resource_type, platform, call, qualified)
    return None
