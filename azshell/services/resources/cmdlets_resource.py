"""Az.Resources' generic resource cmdlet: Get-AzResource (the 2017 tutorials' Get-AzureRmResource).

It lists ``GET /subscriptions/{s}/resources`` (or a group's), with ARM's ``$filter`` for ``-Name`` and
``-ResourceType``, through the current account's token: an identity sees only what its roles let it read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import rg_of, tags_table, to_ps
from azshell.lang.cmdlet import Example, Param
from azshell.lang.values import PSObject

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = ["COMMANDS", "GetAzResource", "register_views"]

PS_RESOURCE = "Microsoft.Azure.Commands.ResourceManager.Cmdlets.SdkModels.PSResource"
API_RESOURCES = "2021-04-01"


def resource_object(d: dict[str, Any]) -> PSObject:
    """A resources-list entry → ``PSResource``."""
    rid = str(d.get("id", ""))
    return PSObject([
        ("Name", d.get("name")),
        ("ResourceGroupName", rg_of(rid)),
        ("ResourceType", d.get("type")),
        ("Location", d.get("location")),
        ("ResourceId", rid),
        ("Tags", tags_table(d.get("tags"))),
        ("Identity", to_ps(d.get("identity"))),
        ("Sku", to_ps(d.get("sku"))),
        ("Kind", d.get("kind")),
        ("Id", rid),
    ], type_names=(PS_RESOURCE, "System.Object"))


class GetAzResource(AzCmdlet):
    name = "Get-AzResource"
    aliases = ("Get-AzureRmResource", "Find-AzureRmResource")
    synopsis = "Gets resources."
    description = ("Lists the resources of the subscription (or -ResourceGroupName), filtered by -Name and "
                   "-ResourceType, as the current account may read them.")
    params = (
        Param("Name", "string", position=0, aliases=("ResourceName",)),
        Param("ResourceGroupName", "string", completer="resource_group"),
        Param("ResourceType", "string"),
        Param("ResourceId", "string", aliases=("Id",)),
    )
    outputs = (PS_RESOURCE,)
    examples = (Example("Get-AzResource -ResourceGroupName myRG", "The resources of a group."),)

    def process(self) -> None:
        p = self.bound
        if p.get("ResourceId"):
            rid = str(p["ResourceId"])
            for d in self.arm_list(f"/subscriptions/{self.subscription_id}/resources", API_RESOURCES):
                if str(d.get("id", "")).casefold() == rid.casefold():
                    self.write(resource_object(d))
            return
        filters = []
        if p.get("Name"):
            filters.append(f"name eq '{p['Name']}'")
        if p.get("ResourceType"):
            filters.append(f"resourceType eq '{p['ResourceType']}'")
        rg = p.get("ResourceGroupName")
        path = (f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}/resources" if rg
                else f"/subscriptions/{self.subscription_id}/resources")
        params = {"$filter": " and ".join(filters)} if filters else None
        for d in self.arm_list(path, API_RESOURCES, params=params):
            self.write(resource_object(d))


COMMANDS = (GetAzResource,)


def register_views(views: ViewTable) -> None:
    views.register(PS_RESOURCE, "list", ["Name", "ResourceGroupName", "ResourceType", "Location", "ResourceId",
                                         "Tags"])
