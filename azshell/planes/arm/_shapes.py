"""Model records → ARM JSON, exactly as ARM shows them (field names, order, what is omitted)."""

from __future__ import annotations

import json
from typing import Any

from azshell.ids import subscription_id_of
from azshell.model.types import (
    VM_TYPE,
    Identity,
    Resource,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    Subscription,
)
from azshell.planes._shared import format_iso
from azshell.planes.catalog import RESOURCE_GROUP_UNTYPED_UNTIL

__all__ = [
    "RESOURCE_GROUP_TYPE",
    "ROLE_ASSIGNMENT_TYPE",
    "ROLE_DEFINITION_TYPE",
    "identity_json",
    "resource_group_json",
    "resource_json",
    "role_assignment_json",
    "role_definition_id",
    "role_definition_json",
    "subscription_json",
]

RESOURCE_GROUP_TYPE = "Microsoft.Resources/resourceGroups"
ROLE_ASSIGNMENT_TYPE = "Microsoft.Authorization/roleAssignments"
ROLE_DEFINITION_TYPE = "Microsoft.Authorization/roleDefinitions"
PROVISIONING_SUCCEEDED = "Succeeded"
#: ``subscriptionPolicies`` of a pay-as-you-go subscription, as ``GET /subscriptions`` shows them.
SUBSCRIPTION_POLICIES: dict[str, str] = {
    "locationPlacementId": "Public_2014-09-01",
    "quotaId": "PayAsYouGo_2014-09-01",
    "spendingLimit": "Off",
}
AUTHORIZATION_SOURCE = "RoleBased"


def _copy(value: Any) -> Any:
    """A deep copy of JSON-able data (records are frozen but their dicts are not)."""
    return json.loads(json.dumps(value))


def subscription_json(sub: Subscription) -> dict[str, Any]:
    """``GET /subscriptions/{id}``."""
    return {
        "id": f"/subscriptions/{sub.subscription_id}",
        "authorizationSource": AUTHORIZATION_SOURCE,
        "managedByTenants": [],
        "subscriptionId": sub.subscription_id,
        "tenantId": sub.tenant_id,
        "displayName": sub.display_name,
        "state": sub.state,
        "subscriptionPolicies": dict(SUBSCRIPTION_POLICIES),
    }


def resource_group_json(rg: ResourceGroup, api_version: str) -> dict[str, Any]:
    """``GET .../resourceGroups/{rg}``; versions up to 2016-09-01 omit ``type`` (the tutorials' output)."""
    out: dict[str, Any] = {"id": rg.id, "name": rg.name}
    if api_version.lower() > RESOURCE_GROUP_UNTYPED_UNTIL:
        out["type"] = RESOURCE_GROUP_TYPE
    out["location"] = rg.location
    if rg.tags:
        out["tags"] = dict(rg.tags)
    out["properties"] = {"provisioningState": rg.provisioning_state or PROVISIONING_SUCCEEDED}
    return out


def identity_json(identity: Identity | None) -> dict[str, Any] | None:
    """The ``identity`` block; None (omitted) when the resource has no identity."""
    if identity is None or identity.type.replace(" ", "").lower() in ("", "none"):
        return None
    return identity.to_arm()


#: The order ARM writes a VM's ``properties`` in; other keys follow in stored order.
VM_PROPERTY_ORDER: tuple[str, ...] = (
    "vmId", "hardwareProfile", "storageProfile", "osProfile", "networkProfile", "diagnosticsProfile",
    "provisioningState", "timeCreated",
)


def _ordered(props: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    out = {k: props[k] for k in order if k in props}
    out.update((k, v) for k, v in props.items() if k not in out)
    return out


def resource_json(res: Resource, *, children: list[Resource] | None = None) -> dict[str, Any]:
    """Any ARM resource: ``id, name, type, location, tags?, kind/sku..., identity?, properties, resources?``."""
    out: dict[str, Any] = {"id": res.id, "name": res.name, "type": res.type, "location": res.location}
    if res.tags:
        out["tags"] = dict(res.tags)
    for key, value in res.extra.items():
        if key not in out:
            out[key] = _copy(value)
    ident = identity_json(res.identity)
    if ident is not None:
        out["identity"] = ident
    props = _copy(res.properties)
    if isinstance(props, dict):
        props.setdefault("provisioningState", PROVISIONING_SUCCEEDED)
        if res.type.lower() == VM_TYPE.lower():
            props = _ordered(props, VM_PROPERTY_ORDER)
    out["properties"] = props
    if children:
        out["resources"] = [resource_json(c) for c in children]
    return out


def role_definition_id(guid: str, scope: str) -> str:
    """``/subscriptions/{s}/providers/Microsoft.Authorization/roleDefinitions/{guid}`` (root form off-subscription)."""
    sub = subscription_id_of(scope)
    base = f"/subscriptions/{sub}" if sub else ""
    return f"{base}/providers/{ROLE_DEFINITION_TYPE}/{guid}"


def role_assignment_json(ra: RoleAssignment) -> dict[str, Any]:
    """A role assignment as ``GET {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}`` shows it."""
    created = format_iso(ra.created_on)
    return {
        "properties": {
            "roleDefinitionId": role_definition_id(ra.role_definition_id, ra.scope),
            "principalId": ra.principal_id,
            "principalType": ra.principal_type,
            "scope": ra.scope,
            "condition": ra.condition,
            "conditionVersion": "2.0" if ra.condition else None,
            "createdOn": created,
            "updatedOn": created,
            "createdBy": ra.created_by,
            "updatedBy": ra.created_by,
            "delegatedManagedIdentityResourceId": None,
            "description": ra.description,
        },
        "id": ra.id,
        "type": ROLE_ASSIGNMENT_TYPE,
        "name": ra.name,
    }


#: Built-in roles carry these fixed timestamps in ARM (creation of the RBAC service).
BUILTIN_CREATED_ON = "2015-02-02T21:55:09.8806423Z"


def role_definition_json(rd: RoleDefinition, scope: str, *, created_on: str | None = None) -> dict[str, Any]:
    """A role definition as ``GET {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}`` shows it."""
    stamp = created_on or BUILTIN_CREATED_ON
    return {
        "properties": {
            "roleName": rd.role_name,
            "type": rd.role_type,
            "description": rd.description,
            "assignableScopes": list(rd.assignable_scopes),
            "permissions": [
                {
                    "actions": list(p.actions),
                    "notActions": list(p.not_actions),
                    "dataActions": list(p.data_actions),
                    "notDataActions": list(p.not_data_actions),
                }
                for p in rd.permissions
            ],
            "createdOn": stamp,
            "updatedOn": stamp,
            "createdBy": None,
            "updatedBy": None,
        },
        "id": role_definition_id(rd.id, scope),
        "type": ROLE_DEFINITION_TYPE,
        "name": rd.id,
    }
