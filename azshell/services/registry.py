"""The services of azshell's Azure, in one list: the only module that names particular services.

Adding a service means one new folder under ``azshell/services/``, one line here and its tests. Everything
that used to be a hand-written table (host router, proxy host list, ARM catalogue, cmdlets, completers,
migrations, tutorial checks) is built from this list by :class:`~azshell.services.base.Registry`.
"""

from __future__ import annotations

from typing import Any

from azshell.services import (
    authorization,
    compute,
    datalake,
    deployments,
    entra,
    identity,
    keyvault,
    network,
    resources,
    storage,
    web,
)
from azshell.services.base import Registry, Service
from azshell.world import World, build_world

__all__ = ["SERVICES", "default_registry", "open_world"]

SERVICES: tuple[Service, ...] = (
    resources.SERVICE,
    entra.SERVICE,
    identity.SERVICE,
    authorization.SERVICE,
    compute.SERVICE,
    web.SERVICE,
    keyvault.SERVICE,
    datalake.SERVICE,
    network.SERVICE,
    storage.SERVICE,
    deployments.SERVICE,
)


def default_registry() -> Registry:
    """A fresh registry of every service (each caller gets its own: nothing is shared between worlds)."""
    return Registry(SERVICES)


def open_world(path: str = ":memory:", *, registry: Registry | None = None, **kwargs: Any) -> World:
    """Open (and, if new, seed) the state at ``path`` with every service (see ``azshell.world.build_world``)."""
    return build_world(path, registry or default_registry(), **kwargs)
