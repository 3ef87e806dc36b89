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
    /subscriptions/{s}/providers/{ns}/{type}                                resources of a type (list, subscription)
    /subscriptions/{s}/resourcegroups/{rg}/providers/{ns}/{type}            resources of a type (list, group)
    /subscriptions/{s}/resourcegroups/{rg}/providers/{ns}/{type}/{name}     resource
       .../{type}/{name}/{childType}[/{childName}]                          child resources (list) / child
    {scope}/providers/Microsoft.Authorization/roleAssignments[/{guid}]      role assignments (scope: / sub rg res)
    {scope}/providers/Microsoft.Authorization/roleDefinitions[/{guid}]      role definitions
    {scope}/providers/Microsoft.Authorization/permissions                   the caller's effective permissions
    {scope}/providers/Microsoft.Authorization/checkAccess                   (azshell extension) another principal's
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from azshell.planes._shared import arm_error
from azshell.planes.base import PlaneError
from azshell.planes.catalog import Catalog, ResourceType

__all__ = ["ArmPath", "PathKind", "no_route", "parse_arm_path"]

#: The extension-resource paths ARM itself routes under any scope (``{scope}/providers/Microsoft.Authorization/…``).
AUTHORIZATION_NAMESPACE = "Microsoft.Authorization"
ROLE_ASSIGNMENTS = "roleAssignments"
ROLE_DEFINITIONS = "roleDefinitions"
PERMISSIONS = "permissions"
#: azshell's documented extension: ``POST {scope}/providers/Microsoft.Authorization/checkAccess``.
CHECK_ACCESS = "checkAccess"

PathKind = Literal[
    "subscriptions", "subscription", "resource_groups", "resource_group", "group_resources",
    "subscription_resources", "operation_result", "resource_collection", "resource",
    "role_assignments", "role_assignment", "role_definitions", "role_definition", "permissions", "check_access",
]

INVALID_RESOURCE_NAMESPACE = "InvalidResourceNamespace"
INVALID_RESOURCE_NAMESPACE_TEMPLATE = "The resource namespace '{namespace}' is invalid."
INVALID_RESOURCE_TYPE = "InvalidResourceType"
INVALID_RESOURCE_TYPE_TEMPLATE = (
    "The resource type '{type}' could not be found in the namespace '{namespace}' for api version '{version}'."
)
#: What ARM answers for a path it has no route for (INFERRED wording).
NO_ROUTE = "InvalidRequestUri"
NO_ROUTE_TEMPLATE = "The request URI '{path}' is not valid."
INVALID_SUBSCRIPTION_ID = "InvalidSubscriptionId"
INVALID_SUBSCRIPTION_ID_TEMPLATE = "The provided subscription identifier '{sub}' is malformed or invalid."


@dataclass(frozen=True)
class ArmPath:
    """A parsed ARM path.

    ``rtype``/``names`` describe provider resources (``names`` has one entry per type level that names an
    item; a collection has one fewer). ``scope`` is the scope of an authorization request (``/`` for the root),
    ``item`` the last path name of items that have one (role assignment GUID, operation id).
    """

    kind: PathKind
    subscription: str | None = None
    resource_group: str | None = None
    rtype: ResourceType | None = None
    names: tuple[str, ...] = ()
    scope: str | None = None
    item: str | None = None

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


def no_route(path: str) -> PlaneError:
    """ARM's answer for a path no route serves."""
    return arm_error(404, NO_ROUTE, NO_ROUTE_TEMPLATE.format(path=path))


def _eq(a: str, b: str) -> bool:
    return a.lower() == b.lower()


def _resource_type(catalog: Catalog, namespace: str, types: list[str], version: str) -> ResourceType:
    canonical_ns = catalog.find_namespace(namespace)
    if canonical_ns is None:
        raise arm_error(400, INVALID_RESOURCE_NAMESPACE, INVALID_RESOURCE_NAMESPACE_TEMPLATE.format(namespace=namespace))
    rtype = catalog.find_type(f"{namespace}/{'/'.join(types)}")
    if rtype is None:
        raise arm_error(400, INVALID_RESOURCE_TYPE, INVALID_RESOURCE_TYPE_TEMPLATE.format(
            type="/".join(types), namespace=canonical_ns, version=version))
    return rtype


def _provider_tail(catalog: Catalog, segs: list[str], sub: str, rg: str | None, version: str, path: str) -> ArmPath:
    """``{ns}/{type}[/{name}[/{childType}[/{childName}]]]`` after ``providers``."""
    if len(segs) < 2:
        raise no_route(path)
    namespace, rest = segs[0], segs[1:]
    types = rest[0::2]
    names = rest[1::2]
    rtype = _resource_type(catalog, namespace, types, version)
    kind: PathKind = "resource" if len(names) == len(types) else "resource_collection"
    if rg is None and (kind == "resource" or len(types) > 1):
        # Subscription-level resources of these types do not exist; only the list is routed.
        raise no_route(path)
    return ArmPath(kind, subscription=sub, resource_group=rg, rtype=rtype, names=tuple(names))


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
    # Extension resources of Microsoft.Authorization at any scope: use the last providers/Microsoft.Authorization.
    for i in range(len(segs) - 2, -1, -1):
        if _eq(segs[i], "providers") and _eq(segs[i + 1], AUTHORIZATION_NAMESPACE):
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
        raise no_route(path)
    if _eq(third, "resources") and len(segs) == 3:
        return ArmPath("subscription_resources", subscription=sub)
    if _eq(third, "operationresults") and len(segs) == 4:
        return ArmPath("operation_result", subscription=sub, item=segs[3])
    if _eq(third, "providers") and len(segs) >= 5:
        return _provider_tail(catalog, segs[3:], sub, None, api_version, path)
    raise no_route(path)
