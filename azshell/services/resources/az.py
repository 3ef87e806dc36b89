"""Resource Manager's ``az`` commands: ``az group create|show|list|delete|exists`` and ``az resource list``."""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import API_RESOURCE_GROUPS
from azshell.cmdlets.linux.az import O_NAME, O_TAGS, Az, AzCommandTable, parse_tags
from azshell.cmdlets.linux.azcli import OptSpec, ParsedArgs
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["AZ_COMMANDS"]

#: the api-version az uses for the generic resources list
API_RESOURCES = "2022-09-01"


def _group(data: Any) -> dict[str, Any]:
    out = dict(data) if isinstance(data, dict) else {}
    out.setdefault("managedBy", None)
    out.setdefault("tags", None)
    out.setdefault("type", "Microsoft.Resources/resourceGroups")
    out.setdefault("properties", {"provisioningState": "Succeeded"})
    return out


def cmd_group_create(az: Az, a: ParsedArgs) -> Any:
    body: dict[str, Any] = {"location": normalize_location(str(a.get("location")))}
    tags = parse_tags(a.get("tags"))
    if tags is not None:
        body["tags"] = tags
    return _group(az.arm_put(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS, body))


def cmd_group_show(az: Az, a: ParsedArgs) -> Any:
    az.require_group(str(a.get("name")))
    return _group(az.arm_get(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS))


def cmd_group_list(az: Az, a: ParsedArgs) -> Any:
    return [_group(g) for g in az.arm_list(f"/subscriptions/{az.sub}/resourcegroups", API_RESOURCE_GROUPS)]


def cmd_group_delete(az: Az, a: ParsedArgs) -> Any:
    az.require_group(str(a.get("name")))
    az.arm_delete(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS)
    return None


def cmd_group_exists(az: Az, a: ParsedArgs) -> Any:
    return az.arm_get(az.rg_path(str(a.get("name"))), API_RESOURCE_GROUPS, allow_404=True) is not None


def cmd_resource_list(az: Az, a: ParsedArgs) -> Any:
    """``az resource list [-g RG] [-n NAME] [--resource-type T] [--location L] [--tag k=v]``: ARM's resources list
    with the ``$filter`` az builds (``name eq '...'``, ``resourceType eq '...'``...)."""
    filters: list[str] = []
    if a.get("name"):
        filters.append(f"name eq '{a.get('name')}'")
    if a.get("resource_type"):
        filters.append(f"resourceType eq '{a.get('resource_type')}'")
    if a.get("location"):
        filters.append(f"location eq '{normalize_location(str(a.get('location')))}'")
    if a.get("tag"):
        key, eq, value = str(a.get("tag")).partition("=")
        filters.append(f"tagName eq '{key}' and tagValue eq '{value}'" if eq else f"tagName eq '{key}'")
    rg = a.get("rg")
    path = f"{az.rg_path(str(rg))}/resources" if rg else f"/subscriptions/{az.sub}/resources"
    if rg:
        az.require_group(str(rg))
    params = {"$filter": " and ".join(filters)} if filters else None
    out = []
    for item in az.arm_list(path, API_RESOURCES, params=params):
        entry: dict[str, Any] = {"extendedLocation": None, "identity": None, "kind": None, "managedBy": None,
                                 "plan": None, "properties": None, "sku": None, "tags": None}
        entry.update(item)
        parts = str(item.get("id", "")).split("/")
        entry["resourceGroup"] = parts[4] if len(parts) > 4 else None
        out.append(entry)
    return out


AZ_COMMANDS: AzCommandTable = {
    ("resource", "list"): ((OptSpec(("--resource-group", "-g"), "rg"), OptSpec(("--name", "-n"), "name"),
                            OptSpec(("--resource-type",), "resource_type"), OptSpec(("--namespace",), "namespace"),
                            OptSpec(("--location", "-l"), "location"), OptSpec(("--tag",), "tag")),
                           cmd_resource_list),
    ("group", "create"): ((O_NAME, OptSpec(("--location", "-l"), "location", required=True), O_TAGS),
                          cmd_group_create),
    ("group", "show"): ((O_NAME,), cmd_group_show),
    ("group", "list"): ((OptSpec(("--tag",), "tag"),), cmd_group_list),
    ("group", "delete"): ((O_NAME, OptSpec(("--yes", "-y"), "yes", "0"), OptSpec(("--no-wait",), "no_wait", "0")),
                          cmd_group_delete),
    ("group", "exists"): ((O_NAME,), cmd_group_exists),
}
