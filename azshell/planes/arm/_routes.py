"""ARM request paths → what they address. Pure parsing: no store, no auth.

ARM paths are case-insensitive in their keywords (``resourcegroups``, ``providers``) and keep the caller's case
in names. The shapes understood::

    /subscriptions                                                          subscriptions (list)
    /subscriptions/{s}                                                      subscription
    /subscriptions/{s}/resourcegroups                                       resource groups (list)
    /subscriptions/{s}/resourcegroups/{rg}                                  resource group
    /subscriptions/{s}/resourcegroups/{rg}/resources                        resources in a group (list)
    /subscriptions/{s}/resources                                            resources in a subscription (list)
    /subscriptions/{s}/operationresults/{id}                                async operation result
    /subscriptions/{s}/providers                                            resource providers (list)
    /subscriptions/{s}/providers/{ns}                                       resource provider
    /subscriptions/{s}/providers/{ns}/{action}                              provider action (register,
                                                                              checkNameAvailability…)
    /subscriptions/{s}/providers/{ns}/{type}                                resources of a type (list, subscription)
    /subscriptions/{s}/resourcegroups/{rg}/providers/{ns}/{type}            resources of a type (list, group)
    /subscriptions/{s}/resourcegroups/{rg}/providers/{ns}/{type}/{name}     resource
       .../{type}/{name}/{childType}[/{childName}]                          child resources (list) / child
       .../{type}/{name}/{view}                                             resource action or view (a last
                                                                              segment that is no child type:
                                                                              ``instanceView``)
       .../{type}/{name}/providers/{ns2}/{type2}/{name2}                    extension resource at that scope
                                                                              (``…/Microsoft.ManagedIdentity/
                                                                              identities/default``)
    {scope}/providers/Microsoft.Authorization/roleAssignments[/{guid}]      role assignments (scope: / sub rg res)
    {scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]      role definitions
    {scope}/providers/Microsoft.Authorization/permissions                   the caller's effective permissions
    {scope}/providers/Microsoft.Authorization/checkAccess                   (azshell extension) another principal's
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import quote

from azshell.hostnames import ARM_ENDPOINT
from azshell.planes._shared import arm_error
from azshell.planes.base import PlaneError, Request
from azshell.planes.catalog import Catalog, ResourceType

__all__ = ["NO_ROUTE", "ArmPath", "PathKind", "invalid_resource_type", "no_route", "parse_arm_path", "request_uri"]

#: The extension-resource paths ARM itself routes under any scope (``{scope}/providers/Microsoft.Authorization/…``).
AUTHORIZATION_NAMESPACE = "Microsoft.Authorization"
ROLE_ASSIGNMENTS = "roleAssignments"
ROLE_DEFINITIONS = "roleDefinitions"
PERMISSIONS = "permissions"
#: ``/subscriptions/{s}/resourcegroups/{rg}/deployments/{name}/operations``: ARM routes it as under ``providers``.
DEPLOYMENTS = "Microsoft.Resources/deployments"
#: azshell's documented extension: ``POST {scope}/providers/Microsoft.Authorization/checkAccess``.
CHECK_ACCESS = "checkAccess"

PathKind = Literal[
    "subscriptions", "subscription", "resource_groups", "resource_group", "group_resources",
    "subscription_resources", "operation_result", "resource_collection", "resource",
    "role_assignments", "role_assignment", "role_definitions", "role_definition", "permissions", "check_access",
    "providers", "provider", "provider_action", "resource_action", "extension_resource",
]
#: Provider actions ARM itself answers for every namespace (``POST /subscriptions/{s}/providers/{ns}/register``).
PROVIDER_REGISTRATION_ACTIONS = ("register", "unregister")

INVALID_RESOURCE_NAMESPACE = "InvalidResourceNamespace"
INVALID_RESOURCE_NAMESPACE_TEMPLATE = "The resource namespace '{namespace}' is invalid."
INVALID_RESOURCE_TYPE = "InvalidResourceType"
INVALID_RESOURCE_TYPE_TEMPLATE = (
    "The resource type '{type}' could not be found in the namespace '{namespace}' for api version '{version}'."
)
#: What ARM answers for a path it has no route for. The text is SEEN (krnese/AzureDeploy issue 21: "No HTTP resource
#: was found that matches the request URI 'https://management.azure.com/subscriptions/…/providers/Microsoft.Resources/
#: resourceGroups/azure-rg?api-version=2018-05-01'", the whole request URI quoted); the code is INFERRED (no capture
#: shows it).
NO_ROUTE = "InvalidRequestUri"
NO_ROUTE_TEMPLATE = "No HTTP resource was found that matches the request URI '{uri}'."
INVALID_SUBSCRIPTION_ID = "InvalidSubscriptionId"
INVALID_SUBSCRIPTION_ID_TEMPLATE = "The provided subscription identifier '{sub}' is malformed or invalid."


@dataclass(frozen=True)
class ArmPath:
    """A parsed ARM path.

    ``rtype``/``names`` describe provider resources (``names`` has one entry per type level that names an
    item; a collection has one fewer). ``scope`` is the scope of an authorization request (``/`` for the root)
    or the resource an extension resource or a resource action is on; ``item`` the last path name of items that
    have one (role assignment GUID, operation id, provider action, resource action); ``namespace`` the provider
    namespace of a ``provider``/``provider_action`` path, as ARM spells it.
    """

    kind: PathKind
    subscription: str | None = None
    resource_group: str | None = None
    rtype: ResourceType | None = None
    names: tuple[str, ...] = ()
    scope: str | None = None
    item: str | None = None
    namespace: str | None = None

    @property
    def resource_id(self) -> str:
        """The canonical ARM ID of a ``resource``/``resource_collection`` path's (parent) resource."""
        assert self.rtype is not None and self.subscription is not None
        base = f"/subscriptions/{self.subscription}"
        if self.resource_group is not None:
            base += f"/resourceGroups/{self.resource_group}"
        types = self.rtype.full_type.split("/")
        tail = "/".join(f"{t}/{n}" for t, n in zip(types[1:], self.names, strict=False))
        return f"{base}/providers/{types[0]}/{tail}"

    @property
    def collection_path(self) -> str:
        """The canonical path of a ``resource_collection`` (parent ID + last type)."""
        assert self.rtype is not None and self.subscription is not None
        last = self.rtype.full_type.split("/")[-1]
        if self.names:
            return f"{self.resource_id}/{last}"
        base = f"/subscriptions/{self.subscription}"
        if self.resource_group is not None:
            base += f"/resourceGroups/{self.resource_group}"
        return f"{base}/providers/{self.rtype.full_type}"


def no_route(uri: str) -> PlaneError:
    """ARM's answer for a path no route serves (``uri``: the request URI, see ``request_uri``; the parser, which
    knows only the path, gives the path and the plane puts the whole URI in)."""
    return arm_error(404, NO_ROUTE, NO_ROUTE_TEMPLATE.format(uri=uri))


def request_uri(request: Request) -> str:
    """The request URI as ARM quotes it: ``https://management.azure.com{path}?{query}``."""
    query = "&".join(f"{quote(k, safe='$')}={quote(v, safe='/:')}" for k, v in request.query)
    return f"{ARM_ENDPOINT}{request.raw_path}" + (f"?{query}" if query else "")


def _eq(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def invalid_resource_type(types: list[str] | tuple[str, ...], namespace: str, version: str) -> PlaneError:
    """ARM's 400 for a type path the namespace does not register."""
    return arm_error(400, INVALID_RESOURCE_TYPE, INVALID_RESOURCE_TYPE_TEMPLATE.format(
        type="/".join(types), namespace=namespace, version=version))


def _namespace(catalog: Catalog, namespace: str) -> str:
    canonical_ns = catalog.find_namespace(namespace)
    if canonical_ns is None:
        raise arm_error(400, INVALID_RESOURCE_NAMESPACE, INVALID_RESOURCE_NAMESPACE_TEMPLATE.format(namespace=namespace))
    return canonical_ns


def _resource_type(catalog: Catalog, namespace: str, types: list[str], version: str) -> ResourceType:
    canonical_ns = _namespace(catalog, namespace)
    rtype = catalog.find_type(f"{namespace}/{'/'.join(types)}")
    if rtype is None:
        raise invalid_resource_type(types, canonical_ns, version)
    return rtype


def _resource_id(sub: str, rg: str | None, rtype: ResourceType, names: list[str]) -> str:
    return ArmPath("resource", subscription=sub, resource_group=rg, rtype=rtype, names=tuple(names)).resource_id


def _provider_tail(catalog: Catalog, segs: list[str], sub: str, rg: str | None, version: str, path: str) -> ArmPath:
    """``{ns}/{type}[/{name}[/{childType}[/{childName}]]]`` after ``providers``; a resource may be followed by
    ``/{view}`` (a resource action) or ``/providers/{ns2}/…`` (an extension resource at that resource)."""
    if len(segs) < 2:
        raise no_route(path)
    namespace, rest = segs[0], segs[1:]
    # an extension resource: the first ``providers`` where a type name would be, after a complete resource
    for k in range(2, len(rest), 2):
        if _eq(rest[k], "providers"):
            base_types, base_names = rest[:k][0::2], rest[:k][1::2]
            base = _resource_type(catalog, namespace, base_types, version)
            ext = _provider_tail(catalog, rest[k + 1:], sub, rg, version, path)
            if ext.kind not in ("resource", "resource_collection") or ext.rtype is None:
                raise no_route(path)
            return ArmPath("extension_resource", subscription=sub, resource_group=rg, rtype=ext.rtype,
                           names=ext.names, scope=_resource_id(sub, rg, base, base_names))
    types = rest[0::2]
    names = rest[1::2]
    if len(types) >= 2 and len(names) == len(types) - 1 and rg is not None \
            and catalog.find_type(f"{namespace}/{'/'.join(types)}") is None \
            and catalog.find_type(f"{namespace}/{'/'.join(types[:-1])}") is not None:
        # ``{resource}/{segment}`` where ``{type}/{segment}`` is no registered child type: a resource action or
        # view (``instanceView``); its handler answers InvalidResourceType when no hook knows it.
        rtype = _resource_type(catalog, namespace, types[:-1], version)
        return ArmPath("resource_action", subscription=sub, resource_group=rg, rtype=rtype, names=tuple(names),
                       item=types[-1], namespace=_namespace(catalog, namespace),
                       scope=_resource_id(sub, rg, rtype, names))
    rtype = _resource_type(catalog, namespace, types, version)
    kind: PathKind = "resource" if len(names) == len(types) else "resource_collection"
    if rg is None and (kind == "resource" or len(types) > 1):
        # Subscription-level resources of these types do not exist; only the list is routed.
        raise no_route(path)
    return ArmPath(kind, subscription=sub, resource_group=rg, rtype=rtype, names=tuple(names))


def _subscription_providers(catalog: Catalog, segs: list[str], sub: str, version: str, path: str) -> ArmPath:
    """``/subscriptions/{s}/providers[/{ns}[/{action} | /{type}…]]``."""
    if len(segs) == 3:
        return ArmPath("providers", subscription=sub)
    namespace = _namespace(catalog, segs[3])
    if len(segs) == 4:
        return ArmPath("provider", subscription=sub, namespace=namespace)
    if len(segs) == 5 and catalog.find_type(f"{namespace}/{segs[4]}") is None:
        return ArmPath("provider_action", subscription=sub, namespace=namespace, item=segs[4])
    return _provider_tail(catalog, segs[3:], sub, None, version, path)


def _authorization_path(segs: list[str], index: int, path: str, version: str) -> ArmPath:
    scope_segs = segs[:index]
    tail = segs[index + 2:]
    scope = "/" + "/".join(scope_segs) if scope_segs else "/"
    if not tail or len(tail) > 2:
        raise no_route(path)
    collection, item = tail[0], (tail[1] if len(tail) == 2 else None)
    sub = scope_segs[1] if len(scope_segs) >= 2 and _eq(scope_segs[0], "subscriptions") else None
    rg = scope_segs[3] if len(scope_segs) >= 4 and _eq(scope_segs[2], "resourceGroups") else None
    if _eq(collection, ROLE_ASSIGNMENTS):
        kind: PathKind = "role_assignment" if item is not None else "role_assignments"
    elif _eq(collection, ROLE_DEFINITIONS):
        kind = "role_definition" if item is not None else "role_definitions"
    elif _eq(collection, PERMISSIONS) and item is None:
        kind = "permissions"
    elif _eq(collection, CHECK_ACCESS) and item is None:
        kind = "check_access"
    else:
        raise arm_error(400, INVALID_RESOURCE_TYPE, INVALID_RESOURCE_TYPE_TEMPLATE.format(
            type=collection, namespace=AUTHORIZATION_NAMESPACE, version=version))
    return ArmPath(kind, subscription=sub, resource_group=rg, scope=scope, item=item)


def parse_arm_path(path: str, api_version: str, catalog: Catalog) -> ArmPath:
    """Parse an ARM request path; raises a 4xx ``PlaneError`` for paths ARM would not route.

    ``api_version`` is only quoted in ``InvalidResourceType`` messages.
    """
    trimmed = path.strip("/")
    segs = trimmed.split("/") if trimmed else []
    if any(s == "" for s in segs):
        raise no_route(path)
    # Extension resources of Microsoft.Authorization at any scope: use the last providers/Microsoft.Authorization
    # (not the provider itself: /subscriptions/{s}/providers/Microsoft.Authorization[/register]).
    for i in range(len(segs) - 2, -1, -1):
        if _eq(segs[i], "providers") and _eq(segs[i + 1], AUTHORIZATION_NAMESPACE):
            own = i == 2 and (len(segs) == 4 or (len(segs) == 5 and segs[4].lower() in PROVIDER_REGISTRATION_ACTIONS))
            if own and _eq(segs[0], "subscriptions"):
                break
            return _authorization_path(segs, i, path, api_version)
    if not segs or not _eq(segs[0], "subscriptions"):
        raise no_route(path)
    if len(segs) == 1:
        return ArmPath("subscriptions")
    sub = segs[1]
    if len(segs) == 2:
        return ArmPath("subscription", subscription=sub)
    third = segs[2]
    if _eq(third, "resourceGroups"):
        if len(segs) == 3:
            return ArmPath("resource_groups", subscription=sub)
        rg = segs[3]
        if len(segs) == 4:
            return ArmPath("resource_group", subscription=sub, resource_group=rg)
        if len(segs) == 5 and _eq(segs[4], "resources"):
            return ArmPath("group_resources", subscription=sub, resource_group=rg)
        if _eq(segs[4], "providers"):
            return _provider_tail(catalog, segs[5:], sub, rg, api_version, path)
        if _eq(segs[4], "deployments") and len(segs) >= 6 and catalog.find_type(DEPLOYMENTS) is not None:
            # ARM's older spelling of a group's deployments (the SDKs list operations at it)
            return _provider_tail(catalog, [DEPLOYMENTS.split("/")[0], *segs[4:]], sub, rg, api_version, path)
        raise no_route(path)
    if _eq(third, "resources") and len(segs) == 3:
        return ArmPath("subscription_resources", subscription=sub)
    if _eq(third, "operationresults") and len(segs) == 4:
        return ArmPath("operation_result", subscription=sub, item=segs[3])
    if _eq(third, "providers"):
        return _subscription_providers(catalog, segs, sub, api_version, path)
    raise no_route(path)
