"""The Azure cmdlets: Az names (and their AzureRM aliases) plus azshell's short verbs.

``register_all(registry)`` adds every cmdlet and registers the default views of their output types. The session
builds one :class:`~azshell.cmdlets.services.Services` per session and hands it to the engine (``ctx.services``).
"""

from __future__ import annotations

import importlib
from types import ModuleType

from azshell.cmdlets.access import (
    GetAzRoleAssignment,
    GetAzRoleDefinition,
    NewAzRoleAssignment,
    RemoveAzRoleAssignment,
)
from azshell.cmdlets.accounts import (
    ConnectAzAccount,
    DisconnectAzAccount,
    GetAzContext,
    GetAzSubscription,
    SetAzContext,
)
from azshell.cmdlets.compute import GetAzVM, NewAzVM, RemoveAzVM, UpdateAzVM
from azshell.cmdlets.hosts import EnterAzVM, ExitAzVM
from azshell.cmdlets.resources import GetAzResourceGroup, NewAzResourceGroup, RemoveAzResourceGroup
from azshell.cmdlets.short import (
    DisableMsi,
    EnableMsi,
    GetRoleAssignment,
    GetToken,
    NewRoleAssignment,
    RemoveRoleAssignment,
)
from azshell.cmdlets.views import register_views
from azshell.cmdlets.web import InvokeRestMethod, InvokeWebRequest
from azshell.lang.cmdlet import Cmdlet, CommandRegistry

__all__ = ["ALL_CMDLETS", "register_all"]

ALL_CMDLETS: tuple[type[Cmdlet], ...] = (
    ConnectAzAccount, DisconnectAzAccount, GetAzContext, SetAzContext, GetAzSubscription,
    NewAzResourceGroup, GetAzResourceGroup, RemoveAzResourceGroup,
    NewAzVM, GetAzVM, UpdateAzVM, RemoveAzVM,
    NewAzRoleAssignment, GetAzRoleAssignment, RemoveAzRoleAssignment, GetAzRoleDefinition,
    InvokeWebRequest, InvokeRestMethod,
    EnterAzVM, ExitAzVM,
    EnableMsi, DisableMsi, GetToken, NewRoleAssignment, GetRoleAssignment, RemoveRoleAssignment,
)


#: Service modules of ``azshell.cmdlets`` that add cmdlets: each has ``COMMANDS`` (a tuple of cmdlet classes)
#: and optionally ``register_views()`` and ``COMPLETERS`` (completer key -> ``(services) -> list[str]``).
SERVICE_MODULES: tuple[str, ...] = (
    "keyvault", "datalake", "appservice", "identities", "vmconfig", "network", "directory", "roles", "teaching",
    "linux", "tutorials",
)


def _service_modules() -> list[ModuleType]:
    mods = []
    for name in SERVICE_MODULES:
        try:
            mods.append(importlib.import_module(f"azshell.cmdlets.{name}"))
        except ModuleNotFoundError as e:
            if e.name != f"azshell.cmdlets.{name}":
                raise
    return mods


def register_all(registry: CommandRegistry) -> None:
    """Add every Azure cmdlet (with its aliases) to ``registry`` and register the default views."""
    from azshell.cmdlets.completers import COMPLETERS

    for cls in ALL_CMDLETS:
        registry.register(cls)
    register_views()
    for mod in _service_modules():
        for cls in getattr(mod, "COMMANDS", ()):
            registry.register(cls)
        views = getattr(mod, "register_views", None)
        if callable(views):
            views()
        COMPLETERS.update(getattr(mod, "COMPLETERS", {}))
