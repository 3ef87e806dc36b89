"""Per-type hooks for the generic ARM resource handler.

A service whose ARM resources need more than "store the properties" (Key Vault's ``vaultUri`` and creator
access policy, Data Lake's endpoint, App Service's host names and identity header) names a module in its
``ResourceType.hooks`` (in the service's ``catalog.py``; it is the service's ``arm.py``) with any of::

    def prepare(ctx, rtype, body, existing, properties) -> dict   # properties to store, before the write
    def after_write(ctx, rtype, saved) -> None                    # side effects after a successful write
    def render(ctx, res, doc) -> dict                             # the JSON ARM returns for res
    def resource_action(ctx, rtype, name) -> Response | None      # {resource}/{name} (GET .../instanceView)
    def provider_action(ctx, name) -> Response | None             # /subscriptions/{s}/providers/{ns}/{name}
    CREATED_STATUS = 200                                           # what a create answers (default 201)
    def extension(ctx, rtype, scope) -> Response                  # the type is an extension resource: ARM
                                                                  # serves it at any scope ({scope}/providers/…)

``resource_action`` and ``provider_action`` answer None for a name they do not know (ARM then answers
``InvalidResourceType``); ``provider_action`` is looked up in the hooks of every type of the namespace. A type
without ``hooks`` is stored as given.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.model.types import Resource
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.base import Response
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


def created_status(rtype: ResourceType) -> int:
    """The status a create answers: 201, or the type's hooks' ``CREATED_STATUS`` (the Storage RP answers 200)."""
    return int(getattr(_module(rtype), "CREATED_STATUS", 201))


def resource_action(ctx: ArmContext, rtype: ResourceType, name: str) -> Response | None:
    fn = getattr(_module(rtype), "resource_action", None)
    if fn is None:
        return None
    result: Response | None = fn(ctx, rtype, name)
    return result


def provider_action(ctx: ArmContext, namespace: str, name: str) -> Response | None:
    seen: set[str] = set()
    for rtype in ctx.world.registry.catalog().types:
        if rtype.namespace.lower() != namespace.lower() or rtype.hooks is None or rtype.hooks in seen:
            continue
        seen.add(rtype.hooks)
        fn = getattr(_module(rtype), "provider_action", None)
        if fn is not None:
            result: Response | None = fn(ctx, name)
            if result is not None:
                return result
    return None


def extension(rtype: ResourceType | None) -> Callable[[ArmContext, ResourceType, str], Response] | None:
    """The handler of an extension type (served at any scope), or None for an ordinary type."""
    fn: Callable[[ArmContext, ResourceType, str], Response] | None = getattr(_module(rtype), "extension", None)
    return fn
