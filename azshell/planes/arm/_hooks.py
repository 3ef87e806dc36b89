"""Per-type hooks for the generic ARM resource handler.

A service whose ARM resources need more than "store the properties" (Key Vault's ``vaultUri`` and creator
access policy, Data Lake's endpoint, App Service's host names and identity header) names a module in its
``ResourceType.hooks`` (in the service's ``catalog.py``; it is the service's ``arm.py``) with any of::

    def prepare(ctx, rtype, body, existing, properties) -> dict   # properties to store, before the write
    def after_write(ctx, rtype, saved) -> None                    # side effects after a successful write
    def render(ctx, res, doc) -> dict                             # the JSON ARM returns for res

A type without ``hooks`` is stored as given.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.model.types import Resource
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType


def _module(rtype: ResourceType | None) -> ModuleType | None:
    if rtype is None or rtype.hooks is None:
        return None
    return importlib.import_module(rtype.hooks)


def prepare(ctx: ArmContext, rtype: ResourceType, body: dict[str, Any], existing: Resource | None,
            properties: dict[str, Any]) -> dict[str, Any]:
    fn = getattr(_module(rtype), "prepare", None)
    if fn is None:
        return properties
    result: dict[str, Any] = fn(ctx, rtype, body, existing, properties)
    return result


def after_write(ctx: ArmContext, rtype: ResourceType, saved: Resource) -> None:
    fn = getattr(_module(rtype), "after_write", None)
    if fn is not None:
        fn(ctx, rtype, saved)


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    fn = getattr(_module(ctx.world.registry.catalog().find_type(res.type)), "render", None)
    if fn is None:
        return doc
    result: dict[str, Any] = fn(ctx, res, doc)
    return result
