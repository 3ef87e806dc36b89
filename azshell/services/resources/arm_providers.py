"""``/subscriptions/{s}/providers[/{namespace}[/register | /{action}]]``: the resource providers ARM knows.

Every namespace of the registry's catalogue is answered as ARM shows a registered provider: ``id``,
``namespace``, ``resourceTypes`` (each type with its regions by display name and its api-versions, newest first),
``registrationState: "Registered"`` and ``registrationPolicy``. ARM's own namespaces (Microsoft.Resources and
Microsoft.Authorization) are registration-free and list the types ARM serves itself. azshell's providers are all
registered from the start, so ``register`` answers the provider as it is (after the
``{Namespace}/register/action`` check); ``unregister`` is not modelled. Another ``POST .../providers/{ns}/{name}``
goes to the namespace's hooks (``provider_action``: Key Vault's ``checkNameAvailability``).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

from azshell.planes._shared import LOCATION_DISPLAY_NAMES, SUPPORTED_LOCATIONS
from azshell.planes.arm import _hooks
from azshell.planes.arm._context import ArmContext
from azshell.planes.arm._routes import AUTHORIZATION_NAMESPACE, invalid_resource_type
from azshell.planes.base import Response
from azshell.planes.catalog import ApiVersionSpec
from azshell.services.authorization.catalog import (
    PERMISSIONS_VERSIONS,
    ROLE_ASSIGNMENTS_VERSIONS,
    ROLE_DEFINITIONS_VERSIONS,
)
from azshell.services.resources.catalog import (
    OPERATION_RESULTS_VERSIONS,
    PROVIDERS_VERSIONS,
    READ_PROVIDERS,
    REGISTER_PROVIDER_TEMPLATE,
    RESOURCE_GROUPS_VERSIONS,
    RESOURCES_LIST_VERSIONS,
    RESOURCES_NAMESPACE,
    SUBSCRIPTIONS_VERSIONS,
)

__all__ = ["handle_provider", "handle_provider_action", "handle_providers", "provider_json"]

REGISTERED = "Registered"
REGISTRATION_REQUIRED = "RegistrationRequired"
REGISTRATION_FREE = "RegistrationFree"
REGISTER = "register"

#: The types ARM serves itself, with whether they live in regions (global ones list no locations).
_ARM_NATIVE_TYPES: Mapping[str, tuple[tuple[ApiVersionSpec, bool], ...]] = MappingProxyType({
    RESOURCES_NAMESPACE.lower(): (
        (SUBSCRIPTIONS_VERSIONS, False), (RESOURCE_GROUPS_VERSIONS, True), (RESOURCES_LIST_VERSIONS, False),
        (OPERATION_RESULTS_VERSIONS, False), (PROVIDERS_VERSIONS, False),
    ),
    AUTHORIZATION_NAMESPACE.lower(): (
        (ROLE_ASSIGNMENTS_VERSIONS, False), (ROLE_DEFINITIONS_VERSIONS, False), (PERMISSIONS_VERSIONS, False),
    ),
})
_REGIONS = tuple(LOCATION_DISPLAY_NAMES.get(loc, loc) for loc in SUPPORTED_LOCATIONS)


def _type_json(type_path: str, spec: ApiVersionSpec, *, regional: bool) -> dict[str, Any]:
    return {
        "resourceType": type_path,
        "locations": list(_REGIONS) if regional else [],
        "apiVersions": sorted(spec.versions, key=str.lower, reverse=True),
    }


def _namespaces(ctx: ArmContext) -> list[str]:
    """Every provider namespace of the registry (ARM's spelling), in registry order."""
    catalog = ctx.world.registry.catalog()
    out: dict[str, str] = {}
    for service in ctx.world.registry.services:
        for ns in service.namespaces:
            out.setdefault(ns.lower(), catalog.find_namespace(ns) or ns)
    for rtype in catalog.types:
        out.setdefault(rtype.namespace.lower(), rtype.namespace)
    return list(out.values())


def provider_json(ctx: ArmContext, sub: str, namespace: str) -> dict[str, Any]:
    """``GET /subscriptions/{s}/providers/{namespace}`` for a namespace of the catalogue."""
    native = _ARM_NATIVE_TYPES.get(namespace.lower(), ())
    types = [_type_json(spec.type_name, spec, regional=regional) for spec, regional in native]
    types += [_type_json(t.type_path, t.api, regional=True) for t in ctx.world.registry.catalog().types
              if t.namespace.lower() == namespace.lower()]
    return {
        "id": f"/subscriptions/{sub}/providers/{namespace}",
        "namespace": namespace,
        "resourceTypes": types,
        "registrationState": REGISTERED,
        "registrationPolicy": REGISTRATION_FREE if native else REGISTRATION_REQUIRED,
    }


def handle_providers(ctx: ArmContext) -> Response:
    """``GET /subscriptions/{s}/providers``: every provider, registered."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    sub = ctx.path.subscription
    assert sub is not None
    ctx.check_version(PROVIDERS_VERSIONS)
    ctx.require_within(READ_PROVIDERS, f"/subscriptions/{sub}", "a subscription's resource providers")
    return Response.json(200, {"value": [provider_json(ctx, sub, ns) for ns in _namespaces(ctx)]})


def handle_provider(ctx: ArmContext) -> Response:
    """``GET /subscriptions/{s}/providers/{namespace}``."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    sub, namespace = ctx.path.subscription, ctx.path.namespace
    assert sub is not None and namespace is not None
    ctx.check_version(PROVIDERS_VERSIONS)
    ctx.require_within(READ_PROVIDERS, f"/subscriptions/{sub}", "a subscription's resource providers")
    return Response.json(200, provider_json(ctx, sub, namespace))


def handle_provider_action(ctx: ArmContext) -> Response:
    """``POST /subscriptions/{s}/providers/{namespace}/{action}``: ``register``, or the namespace's own."""
    sub, namespace, action = ctx.path.subscription, ctx.path.namespace, ctx.path.item
    assert sub is not None and namespace is not None and action is not None
    if action.lower() == REGISTER:
        if ctx.method != "POST":
            raise ctx.method_not_allowed()
        ctx.check_version(PROVIDERS_VERSIONS)
        ctx.require(REGISTER_PROVIDER_TEMPLATE.format(namespace=namespace), f"/subscriptions/{sub}")
        return Response.json(200, provider_json(ctx, sub, namespace))
    answer = _hooks.provider_action(ctx, namespace, action)
    if answer is None:
        raise invalid_resource_type([action], namespace, ctx.api_version)
    return answer
