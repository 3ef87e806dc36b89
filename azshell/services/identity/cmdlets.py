"""Az.ManagedServiceIdentity: New-, Get- and Remove-AzUserAssignedIdentity (and their AzureRM names).

A user-assigned identity is an ARM resource (``Microsoft.ManagedIdentity/userAssignedIdentities``) with its own
service principal; attach it to VMs (``Update-AzVM -IdentityType UserAssigned -IdentityId $uai.Id``), web apps
and function apps (``New-AzFunctionApp -IdentityType UserAssigned -IdentityId $uai.Id``), then pick it on the
host's token endpoint by ``client_id``, ``object_id``/``principal_id`` or resource ID.
"""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import (
    API_MANAGED_IDENTITY,
    API_RESOURCE_GROUPS,
    AZ_IDENTITY_TYPES,
    PS_USER_ASSIGNED_IDENTITY,
    UAI_CLIENT_SECRET_URL_TEMPLATE,
    USER_ASSIGNED_IDENTITY_TYPE,
)
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import rg_of, tags_table
from azshell.cmdlets.completers import subscription_id
from azshell.hostnames import (
    ARM_CLASSIC_RESOURCE,
    ARM_RESOURCE,
    DATA_LAKE_RESOURCE,
    GRAPH_RESOURCE,
    KEY_VAULT_RESOURCE,
    STORAGE_RESOURCE,
)
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSHashtable, PSObject
from azshell.services.resources.cmdlets import normalize_location

__all__ = [
    "COMMANDS",
    "COMPLETERS",
    "GetAzUserAssignedIdentity",
    "NewAzUserAssignedIdentity",
    "RemoveAzUserAssignedIdentity",
    "register_views",
    "uai_object",
]

#: The default view: the fields the docs print for a new identity.
UAI_LIST_VIEW: tuple[str, ...] = (
    "Id", "ResourceGroupName", "Name", "Location", "TenantId", "PrincipalId", "ClientId", "ClientSecretUrl", "Type",
)


def uai_object(data: dict[str, Any]) -> PSObject:
    """ARM UAI JSON → the object Az prints (the docs' fields: Id ... ClientSecretUrl, Type)."""
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    location = str(data.get("location", ""))
    tid, oid, aid = props.get("tenantId"), props.get("principalId"), props.get("clientId")
    secret_url = UAI_CLIENT_SECRET_URL_TEMPLATE.format(location=location, id=rid, tid=tid, oid=oid, aid=aid)
    return PSObject([
        ("Id", rid),
        ("ResourceGroupName", rg_of(rid)),
        ("Name", data.get("name", "")),
        ("Location", location),
        ("TenantId", tid),
        ("PrincipalId", oid),
        ("ClientId", aid),
        ("ClientSecretUrl", secret_url),
        ("Type", data.get("type", USER_ASSIGNED_IDENTITY_TYPE)),
        ("Tags", tags_table(data.get("tags")) or PSHashtable()),
    ], type_names=(PS_USER_ASSIGNED_IDENTITY, "System.Object"))


class UaiCmdlet(AzCmdlet):
    def uai_path(self, rg: str, name: str | None = None) -> str:
        base = f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}/providers/{USER_ASSIGNED_IDENTITY_TYPE}"
        return f"{base}/{name}" if name else base


class NewAzUserAssignedIdentity(UaiCmdlet):
    name = "New-AzUserAssignedIdentity"
    aliases = ("New-AzureRmUserAssignedIdentity",)
    synopsis = "Creates or updates a user-assigned managed identity."
    description = (
        "Creates the identity through ARM (Microsoft.ManagedIdentity/userAssignedIdentities) with its service "
        "principal in the tenant. -Location defaults to the resource group's. The output shows the identity's "
        "PrincipalId (the object ID to grant roles to) and ClientId (the client_id to pick it on a token "
        "endpoint)."
    )
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, mandatory=True, completer="resource_group"),
        Param("Name", "string", position=1, mandatory=True, aliases=("ResourceName",)),
        Param("Location", "string", completer="location"),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("SubscriptionId", "string", completer="subscription"),
    )
    outputs = (PS_USER_ASSIGNED_IDENTITY,)
    examples = (
        Example("New-AzUserAssignedIdentity -ResourceGroupName myResourceGroupVM -Name ID1",
                "Creates ID1 in the group's region and prints its Id, PrincipalId and ClientId."),
        Example("$uai = New-AzUserAssignedIdentity -Name ID1 -ResourceGroupName myRG -Location westus\n"
                "Update-AzVM -ResourceGroupName myRG -VM $vm -IdentityType UserAssigned -IdentityId $uai.Id",
                "Creates an identity and attaches it to a VM."),
    )

    def process(self) -> None:
        rg = str(self.bound["ResourceGroupName"])
        name = str(self.bound["Name"])
        location = self.bound.get("Location")
        if not location:
            group = self.arm_get(f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}", API_RESOURCE_GROUPS)
            location = (group or {}).get("location") if isinstance(group, dict) else None
        if not self.should_process(name, "Create user-assigned identity"):
            return
        body: dict[str, Any] = {"location": normalize_location(str(location or "westus"))}
        tag = self.bound.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        data = self.arm_put(self.uai_path(rg, name), API_MANAGED_IDENTITY, body)
        self.write(uai_object(data if isinstance(data, dict) else {}))


class GetAzUserAssignedIdentity(UaiCmdlet):
    name = "Get-AzUserAssignedIdentity"
    aliases = ("Get-AzureRmUserAssignedIdentity",)
    synopsis = "Gets a user-assigned managed identity, or lists them."
    description = ("-ResourceGroupName -Name gets one identity; -ResourceGroupName alone lists the group's; no "
                   "parameter lists the subscription's. (Get-AzUserAssignedIdentity ...).PrincipalId is the object "
                   "ID to grant roles to.")
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=1, aliases=("ResourceName",), completer="user_assigned_identity",
              value_from_pipeline_by_property_name=True),
        Param("SubscriptionId", "string", completer="subscription"),
    )
    outputs = (PS_USER_ASSIGNED_IDENTITY,)
    examples = (
        Example("(Get-AzUserAssignedIdentity -ResourceGroupName myResourceGroupVM -Name ID1).principalid",
                "The identity's object ID, for New-AzRoleAssignment -ObjectId."),
        Example("Get-AzUserAssignedIdentity", "Lists the subscription's user-assigned identities."),
    )

    def process(self) -> None:
        rg = self.bound.get("ResourceGroupName")
        name = self.bound.get("Name")
        if rg and name:
            data = self.arm_get(self.uai_path(str(rg), str(name)), API_MANAGED_IDENTITY)
            self.write(uai_object(data if isinstance(data, dict) else {}))
            return
        path = (self.uai_path(str(rg)) if rg
                else f"/subscriptions/{self.subscription_id}/providers/{USER_ASSIGNED_IDENTITY_TYPE}")
        for data in self.arm_list(path, API_MANAGED_IDENTITY):
            if isinstance(data, dict):
                if name and str(data.get("name", "")).casefold() != str(name).casefold():
                    continue
                self.write(uai_object(data))


class RemoveAzUserAssignedIdentity(UaiCmdlet):
    name = "Remove-AzUserAssignedIdentity"
    aliases = ("Remove-AzureRmUserAssignedIdentity",)
    synopsis = "Deletes a user-assigned managed identity."
    description = ("Deletes the identity and its service principal. Hosts it was attached to keep the stale "
                   "reference in ARM, and their token endpoints answer that it is not found, as in Azure.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", parameter_sets=("Delete",),
              mandatory=True),
        Param("Name", "string", position=1, aliases=("ResourceName",), completer="user_assigned_identity",
              parameter_sets=("Delete",), mandatory=True),
        Param("InputObject", "object", value_from_pipeline=True, parameter_sets=("DeleteViaIdentity",),
              mandatory=True),
        Param("PassThru", "switch"),
        Param("SubscriptionId", "string", completer="subscription"),
    )
    default_parameter_set = "Delete"
    outputs = ("System.Boolean",)
    examples = (Example("Remove-AzUserAssignedIdentity -ResourceGroupName myRG -Name ID1", "Deletes ID1."),)

    def process(self) -> None:
        rg, name = self.bound.get("ResourceGroupName"), self.bound.get("Name")
        obj = self.bound.get("InputObject") if self.bound.get("InputObject") is not None else self.input
        if isinstance(obj, PSObject) and (not rg or not name):
            rid = str(obj.get("Id") or "")
            rg, name = rg_of(rid), obj.get("Name")
        if not rg or not name:
            raise CmdletError("Specify -ResourceGroupName and -Name, or pipe an identity.",
                              category="InvalidArgument", error_id="MissingIdentityTarget")
        if not self.should_process(str(name), "Remove user-assigned identity"):
            return
        self.arm_delete(self.uai_path(str(rg), str(name)), API_MANAGED_IDENTITY)
        if self.bound.get("PassThru"):
            self.write(True)


def _uai_names(services: Any) -> list[str]:
    return [r.name for r in services.store.list_resources(subscription_id(services), None,
                                                          USER_ASSIGNED_IDENTITY_TYPE)]


COMMANDS = (NewAzUserAssignedIdentity, GetAzUserAssignedIdentity, RemoveAzUserAssignedIdentity)

# ------------------------------------------------------------------------------------------- completion
TOKEN_RESOURCES = (
    ARM_RESOURCE, KEY_VAULT_RESOURCE, DATA_LAKE_RESOURCE, STORAGE_RESOURCE, GRAPH_RESOURCE, ARM_CLASSIC_RESOURCE,
)


def _uais(s: Any) -> list[str]:
    return [r.id for r in s.store.list_resources(subscription_id(s), None, USER_ASSIGNED_IDENTITY_TYPE)]


def _uai_client_ids(s: Any) -> list[str]:
    out: list[str] = []
    for r in s.store.list_resources(subscription_id(s), None, USER_ASSIGNED_IDENTITY_TYPE):
        cid = (r.properties or {}).get("clientId")
        if cid:
            out.append(str(cid))
    return out


COMPLETERS = {
    "identity": _uais,
    "identity_client_id": _uai_client_ids,
    "identity_type": lambda s: list(AZ_IDENTITY_TYPES),
    "token_resource": lambda s: list(TOKEN_RESOURCES),
    "user_assigned_identity": _uai_names,
}


def register_views(views: ViewTable) -> None:
    """The docs show the identity as a list of its nine fields."""
    views.register(PS_USER_ASSIGNED_IDENTITY, "list", list(UAI_LIST_VIEW))
