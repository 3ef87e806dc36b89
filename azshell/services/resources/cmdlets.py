"""Az.Resources resource groups: New-AzResourceGroup, Get-AzResourceGroup, Remove-AzResourceGroup."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azshell.cmdlets._azure import API_RESOURCE_GROUPS, AZURE_LOCATIONS, PS_RESOURCE_GROUP, RG_NOT_FOUND
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import plain, tags_table
from azshell.cmdlets.completers import subscription_id
from azshell.cmdlets.views import ViewSpec, pairs, register_table
from azshell.lang.cmdlet import Example, Param
from azshell.lang.values import PSObject

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = ["GetAzResourceGroup", "NewAzResourceGroup", "RemoveAzResourceGroup", "normalize_location",
           "resource_group_object"]


def normalize_location(location: str) -> str:
    """``West US`` / ``WestUS`` → ``westus``, as ARM stores and returns it."""
    return location.replace(" ", "").casefold()


def resource_group_object(data: dict[str, Any]) -> PSObject:
    """ARM resource group JSON → ``PSResourceGroup``."""
    props = data.get("properties") or {}
    tags = tags_table(data.get("tags"))
    return PSObject([
        ("ResourceGroupName", data.get("name", "")),
        ("Location", data.get("location", "")),
        ("ProvisioningState", props.get("provisioningState", "Succeeded")),
        ("Tags", tags),
        ("TagsTable", None),
        ("ResourceId", data.get("id", "")),
        ("ManagedBy", data.get("managedBy")),
    ], type_names=(PS_RESOURCE_GROUP, "System.Object"))


class _RgCmdlet(AzCmdlet):
    def rg_path(self, name: str) -> str:
        return f"/subscriptions/{self.subscription_id}/resourcegroups/{name}"


class NewAzResourceGroup(_RgCmdlet):
    name = "New-AzResourceGroup"
    aliases = ("New-AzureRmResourceGroup",)
    synopsis = "Creates an Azure resource group."
    description = "Creates (or, when it exists, updates) a resource group through ARM with the current account."
    supports_should_process = True
    params = (
        Param("Name", "string", mandatory=True, position=0, aliases=("ResourceGroupName", "ResourceGroup"),
              completer="resource_group", validate_not_null_or_empty=True),
        Param("Location", "string", mandatory=True, position=1, completer="location",
              validate_not_null_or_empty=True),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("Force", "switch"),
        Param("ApiVersion", "string"),
        Param("Pre", "switch"),
    )
    outputs = (PS_RESOURCE_GROUP,)
    examples = (
        Example("New-AzResourceGroup -Name myResourceGroup -Location westus", "Creates a resource group."),
        Example("New-AzResourceGroup -Name RG01 -Location 'South Central US' -Tag @{Department='IT'}",
                "Creates a resource group with a tag."),
    )

    def process(self) -> None:
        name = str(self.bound["Name"])
        location = normalize_location(str(self.bound["Location"]))
        if not self.should_process(name, "Create resource group"):
            return
        body: dict[str, Any] = {"location": location}
        tag = self.bound.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): "" if v is None else str(v) for k, v in plain(tag).items()}
        api = self.bound.get("ApiVersion") or API_RESOURCE_GROUPS
        data = self.arm_put(self.rg_path(name), api, body)
        self.write(resource_group_object(data or {"name": name, "location": location}))


class GetAzResourceGroup(_RgCmdlet):
    name = "Get-AzResourceGroup"
    aliases = ("Get-AzureRmResourceGroup",)
    synopsis = "Gets resource groups."
    description = ("Gets one resource group by name, or every resource group of the subscription that the "
                   "current account may read.")
    params = (
        Param("Name", "string", position=0, aliases=("ResourceGroupName",), parameter_sets=("GetByName",),
              completer="resource_group", value_from_pipeline_by_property_name=True),
        Param("Location", "string", completer="location", parameter_sets=("GetByName",)),
        Param("Id", "string", aliases=("ResourceGroupId", "ResourceId"), parameter_sets=("GetById",),
              mandatory=True, value_from_pipeline_by_property_name=True),
        Param("Tag", "hashtable"),
        Param("ApiVersion", "string"),
        Param("Pre", "switch"),
    )
    default_parameter_set = "GetByName"
    outputs = (PS_RESOURCE_GROUP,)
    examples = (
        Example("Get-AzResourceGroup -Name myResourceGroup", "Gets one resource group."),
        Example("Get-AzResourceGroup | Format-Table ResourceGroupName, Location", "Lists resource groups."),
    )

    def process(self) -> None:
        api = self.bound.get("ApiVersion") or API_RESOURCE_GROUPS
        name = self.bound.get("Name")
        rid = self.bound.get("Id")
        if rid:
            parts = [p for p in str(rid).strip("/").split("/")]
            name = parts[3] if len(parts) >= 4 else str(rid)
        if name:
            resp = self.arm_request("GET", self.rg_path(str(name)), api)
            if resp.status_code == 404:
                self.raise_arm_error(resp, message=RG_NOT_FOUND)
            if resp.status_code >= 400:
                self.raise_arm_error(resp)
            self.write(resource_group_object(resp.json()))
            return
        location = self.bound.get("Location")
        tag = self.bound.get("Tag")
        for data in self.arm_list(f"/subscriptions/{self.subscription_id}/resourcegroups", api):
            if location and normalize_location(str(location)) != str(data.get("location", "")).casefold():
                continue
            if tag is not None and not _tags_match(data.get("tags") or {}, plain(tag)):
                continue
            self.write(resource_group_object(data))


def _tags_match(have: dict[str, Any], want: dict[str, Any]) -> bool:
    low = {str(k).casefold(): str(v) for k, v in have.items()}
    for k, v in want.items():
        if str(k).casefold() not in low:
            return False
        if v not in (None, "") and low[str(k).casefold()] != str(v):
            return False
    return True


class RemoveAzResourceGroup(_RgCmdlet):
    name = "Remove-AzResourceGroup"
    aliases = ("Remove-AzureRmResourceGroup",)
    synopsis = "Removes a resource group."
    description = "Deletes a resource group and every resource in it (their identities go with them)."
    supports_should_process = True
    params = (
        Param("Name", "string", position=0, aliases=("ResourceGroupName",), parameter_sets=("ByName",),
              mandatory=True, completer="resource_group", value_from_pipeline_by_property_name=True),
        Param("Id", "string", aliases=("ResourceGroupId", "ResourceId"), parameter_sets=("ById",),
              mandatory=True, value_from_pipeline_by_property_name=True),
        Param("Force", "switch"),
        Param("AsJob", "switch"),
        Param("ApiVersion", "string"),
        Param("Pre", "switch"),
    )
    default_parameter_set = "ByName"
    outputs = ("System.Boolean",)
    examples = (Example("Remove-AzResourceGroup -Name myResourceGroup -Force",
                        "Deletes the group and everything in it without asking."),)

    def process(self) -> None:
        api = self.bound.get("ApiVersion") or API_RESOURCE_GROUPS
        name = self.bound.get("Name")
        if not name:
            parts = [p for p in str(self.bound.get("Id", "")).strip("/").split("/")]
            name = parts[3] if len(parts) >= 4 else ""
        if not self.should_process(str(name), "Removing resource group"):
            return
        resp = self.arm_request("DELETE", self.rg_path(str(name)), api)
        if resp.status_code == 404:
            self.raise_arm_error(resp, message=RG_NOT_FOUND)
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        self.write(True)

COMMANDS = (NewAzResourceGroup, GetAzResourceGroup, RemoveAzResourceGroup)


#: The default views of this module's output types (Az PowerShell's format files).
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(PS_RESOURCE_GROUP, "list",
             ("ResourceGroupName", "Location", "ProvisioningState", "Tags", "ResourceId"),
             {"Tags": pairs("Tags")}),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)


# ------------------------------------------------------------------------------------------- completion
def _resource_groups(s: Any) -> list[str]:
    sub = subscription_id(s)
    return [rg.name for rg in s.store.list_resource_groups(sub)] if sub else []


def _subscriptions(s: Any) -> list[str]:
    subs = s.store.list_subscriptions()
    return [x.display_name for x in subs] + [x.subscription_id for x in subs]


def _scopes(s: Any) -> list[str]:
    sub = subscription_id(s)
    if not sub:
        return []
    out = [f"/subscriptions/{sub}"]
    out += [rg.id for rg in s.store.list_resource_groups(sub)]
    out += [r.id for r in s.store.list_resources(sub)]
    return out


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {
    "resource_group": _resource_groups,
    "location": lambda s: list(AZURE_LOCATIONS),
    "subscription": _subscriptions,
    "scope": _scopes,
}
