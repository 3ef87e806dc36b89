"""Value completion for ``Param.completer`` keys, from live state.

Completion only *reads* (the store directly, as a tab press must be instant and may not fail); nothing a cmdlet
does goes this way. Keys: ``resource_group``, ``vm``, ``location``, ``role``, ``identity`` (user-assigned identity
resource IDs), ``identity_client_id``, ``identity_type``, ``subscription``, ``principal``, ``user``, ``scope``,
``token_resource``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from types import MappingProxyType
from typing import Any

from azshell.cmdlets._azure import (
    ARM_RESOURCE,
    AZ_IDENTITY_TYPES,
    AZURE_LOCATIONS,
    USER_ASSIGNED_IDENTITY_TYPE,
    VM_TYPE,
)

#: The session's ``azshell.cmdlets.services.Services`` (completers read ``store``, ``context`` and ``world``; the
#: type is not imported because ``Services.complete_value`` is what calls in here).
Services = Any

__all__ = ["COMPLETERS", "complete_value"]

TOKEN_RESOURCES = (
    ARM_RESOURCE, "https://vault.azure.net", "https://datalake.azure.net/", "https://storage.azure.com/",
    "https://graph.microsoft.com/", "https://management.core.windows.net/",
)


def _filter(values: Iterable[str], prefix: str) -> list[str]:
    low = prefix.casefold().strip("'\"")
    seen: set[str] = set()
    out: list[str] = []
    for v in values:
        if v and v.casefold().startswith(low) and v.casefold() not in seen:
            seen.add(v.casefold())
            out.append(v)
    return out


def _subscription_id(s: Services) -> str | None:
    ctx = s.context
    if ctx.subscription_id:
        return str(ctx.subscription_id)
    subs = s.store.list_subscriptions()
    return subs[0].subscription_id if subs else None


def _resource_groups(s: Services) -> list[str]:
    sub = _subscription_id(s)
    return [rg.name for rg in s.store.list_resource_groups(sub)] if sub else []


def _vms(s: Services) -> list[str]:
    return [r.name for r in s.store.list_resources(_subscription_id(s), None, VM_TYPE)]


def _uais(s: Services) -> list[str]:
    return [r.id for r in s.store.list_resources(_subscription_id(s), None, USER_ASSIGNED_IDENTITY_TYPE)]


def _uai_client_ids(s: Services) -> list[str]:
    out: list[str] = []
    for r in s.store.list_resources(_subscription_id(s), None, USER_ASSIGNED_IDENTITY_TYPE):
        cid = (r.properties or {}).get("clientId")
        if cid:
            out.append(str(cid))
    return out


def _roles(s: Services) -> list[str]:
    return sorted(rd.role_name for rd in s.store.list_role_definitions())


def _subscriptions(s: Services) -> list[str]:
    subs = s.store.list_subscriptions()
    return [x.display_name for x in subs] + [x.subscription_id for x in subs]


def _principals(s: Services) -> list[str]:
    out: list[str] = []
    for o in s.store.list_directory_objects():
        out.append(o.user_principal_name or o.display_name)
    return out


def _users(s: Services) -> list[str]:
    return [o.user_principal_name for o in s.store.find_directory_objects(object_type="User")
            if o.user_principal_name]


def _scopes(s: Services) -> list[str]:
    sub = _subscription_id(s)
    if not sub:
        return []
    out = [f"/subscriptions/{sub}"]
    out += [rg.id for rg in s.store.list_resource_groups(sub)]
    out += [r.id for r in s.store.list_resources(sub)]
    return out


COMPLETERS: Mapping[str, Callable[[Any], list[str]]] = MappingProxyType({
    "resource_group": _resource_groups,
    "vm": _vms,
    "location": lambda s: list(AZURE_LOCATIONS),
    "role": _roles,
    "identity": _uais,
    "identity_client_id": _uai_client_ids,
    "identity_type": lambda s: list(AZ_IDENTITY_TYPES),
    "subscription": _subscriptions,
    "principal": _principals,
    "user": _users,
    "scope": _scopes,
    "token_resource": lambda s: list(TOKEN_RESOURCES),
})


def complete_value(services: Services, key: str, prefix: str) -> list[str]:
    """Values for ``key`` starting with ``prefix`` (case-insensitive); [] for an unknown key.

    The keys here are shared by several services; each service adds its own (``COMPLETERS`` in its cmdlet
    modules, joined by the registry), and the tutorial cmdlets theirs."""
    fn = COMPLETERS.get(key) or services.world.registry.completers().get(key)
    if fn is None and key == "tutorial":
        from azshell.cmdlets.tutorials import COMPLETERS as TUTORIAL_COMPLETERS

        fn = TUTORIAL_COMPLETERS.get(key)
    if fn is None:
        return []
    return _filter(fn(services), prefix)
