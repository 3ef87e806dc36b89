"""Per-type hooks for the generic ARM resource handler.

A service whose ARM resources need more than "store the properties" (Key Vault's ``vaultUri`` and creator
access policy, Data Lake's endpoint, App Service's host names and identity header) provides a module
``azshell.planes.arm.<name>`` with any of::

    def prepare(ctx, rtype, body, existing, properties) -> dict   # properties to store, before the write
    def after_write(ctx, rtype, saved) -> None                    # side effects after a successful write
    def render(ctx, res, doc) -> dict                             # the JSON ARM returns for res

``HOOK_MODULES`` maps a lower-case full type to that module; a missing module means "no hooks".
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.model.types import Resource
    from azshell.planes.arm._catalog import ResourceType
    from azshell.planes.arm._context import ArmContext

HOOK_MODULES: dict[str, str] = {
    "microsoft.keyvault/vaults": "azshell.planes.arm.keyvault",
    "microsoft.keyvault/vaults/accesspolicies": "azshell.planes.arm.keyvault",
    "microsoft.datalakestore/accounts": "azshell.planes.arm.datalake",
    "microsoft.web/sites": "azshell.planes.arm.web",
    "microsoft.web/serverfarms": "azshell.planes.arm.web",
}


def _module(full_type: str) -> ModuleType | None:
    name = HOOK_MODULES.get(full_type.lower())
    if name is None:
        return None
    try:
        return importlib.import_module(name)
    except ModuleNotFoundError:
        return None


def prepare(ctx: ArmContext, rtype: ResourceType, body: dict[str, Any], existing: Resource | None,
            properties: dict[str, Any]) -> dict[str, Any]:
    mod = _module(rtype.full_type)
    fn = getattr(mod, "prepare", None)
    if fn is None:
        return properties
    result: dict[str, Any] = fn(ctx, rtype, body, existing, properties)
    return result


def after_write(ctx: ArmContext, rtype: ResourceType, saved: Resource) -> None:
    fn = getattr(_module(rtype.full_type), "after_write", None)
    if fn is not None:
        fn(ctx, rtype, saved)


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    fn = getattr(_module(res.type), "render", None)
    if fn is None:
        return doc
    result: dict[str, Any] = fn(ctx, res, doc)
    return result
