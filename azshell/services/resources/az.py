"""Resource Manager's ``az`` commands: ``az group create|show|list|delete|exists``."""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import API_RESOURCE_GROUPS
from azshell.cmdlets.linux.az import O_NAME, O_TAGS, Az, AzCommandTable, parse_tags
from azshell.cmdlets.linux.azcli import OptSpec, ParsedArgs
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["AZ_COMMANDS"]


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


AZ_COMMANDS: AzCommandTable = {
    ("group", "create"): ((O_NAME, OptSpec(("--location", "-l"), "location", required=True), O_TAGS),
                          cmd_group_create),
    ("group", "show"): ((O_NAME,), cmd_group_show),
    ("group", "list"): ((OptSpec(("--tag",), "tag"),), cmd_group_list),
    ("group", "delete"): ((O_NAME, OptSpec(("--yes", "-y"), "yes", "0"), OptSpec(("--no-wait",), "no_wait", "0")),
                          cmd_group_delete),
    ("group", "exists"): ((O_NAME,), cmd_group_exists),
}
