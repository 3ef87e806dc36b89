"""Cmdlets that belong to no one Azure service, and the loader that adds every service's cmdlets.

Each service's cmdlets live in its package (``azshell/services/<name>/cmdlets*.py``) and join through the
registry; here are only ``Invoke-WebRequest``/``Invoke-RestMethod``, the Linux ``curl``/``az`` commands and the
tutorial cmdlets. ``register_all(commands, services)`` adds all of them and registers their default views. The
session builds one :class:`~azshell.cmdlets.context.Services` per session and hands it to the engine
(``ctx.services``).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from azshell.lang.cmdlet import Cmdlet, CommandRegistry

if TYPE_CHECKING:
    from azshell.services.base import Registry

__all__ = ["CORE_MODULES", "all_cmdlets", "register_all"]

#: Modules of ``azshell.cmdlets`` with ``COMMANDS`` (and optionally ``register_views()`` and ``COMPLETERS``).
CORE_MODULES: tuple[str, ...] = ("azshell.cmdlets.web", "azshell.cmdlets.linux", "azshell.cmdlets.tutorials",
                                 "azshell.cmdlets.controls_time", "azshell.cmdlets.controls_faults",
                                 "azshell.cmdlets.controls_state", "azshell.cmdlets.controls_graph")


def all_cmdlets(services: Registry) -> list[type[Cmdlet]]:
    """The core cmdlet classes and every service's."""
    core = [cls for name in CORE_MODULES for cls in getattr(importlib.import_module(name), "COMMANDS", ())]
    return core + services.cmdlet_classes()


def register_all(commands: CommandRegistry, services: Registry) -> None:
    """Add the core cmdlets and every service's (with their aliases) to ``commands``; register their views in
    ``commands.views``."""
    for name in CORE_MODULES:
        mod = importlib.import_module(name)
        for cls in getattr(mod, "COMMANDS", ()):
            commands.register(cls)
        views = getattr(mod, "register_views", None)
        if callable(views):
            views(commands.views)
    services.register_cmdlets(commands)
