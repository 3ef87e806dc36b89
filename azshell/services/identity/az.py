"""Managed identities' ``az`` commands: ``az identity create|show|list|delete`` (user-assigned identities)."""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import (
    API_MANAGED_IDENTITY,
    UAI_CLIENT_SECRET_URL_TEMPLATE,
    USER_ASSIGNED_IDENTITY_TYPE,
)
from azshell.cmdlets.linux.az import O_LOCATION, O_NAME, O_RG, O_TAGS, Az, AzCommandTable, flatten, parse_tags
from azshell.cmdlets.linux.azcli import OptSpec, ParsedArgs
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["AZ_COMMANDS"]


def _uai(data: Any) -> dict[str, Any]:
    out = flatten(data)
    out["tags"] = out.get("tags") or {}
    out.pop("provisioningState", None)
    out.setdefault("clientSecretUrl", UAI_CLIENT_SECRET_URL_TEMPLATE.format(
        location=out.get("location"), id=out.get("id"), tid=out.get("tenantId"), oid=out.get("principalId"),
        aid=out.get("clientId")))
    return out


def cmd_identity_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    group = az.require_group(rg)
    body = {"location": normalize_location(str(a.get("location") or group.get("location"))),
            "tags": parse_tags(a.get("tags")) or {}}
    return _uai(az.arm_put(az.uai_id(rg, name), API_MANAGED_IDENTITY, body))


def cmd_identity_show(az: Az, a: ParsedArgs) -> Any:
    return _uai(az.arm_get(az.uai_id(str(a.get("rg")), str(a.get("name"))), API_MANAGED_IDENTITY))


def cmd_identity_list(az: Az, a: ParsedArgs) -> Any:
    rg = a.get("rg")
    base = az.rg_path(str(rg)) if rg else f"/subscriptions/{az.sub}"
    return [_uai(d) for d in az.arm_list(f"{base}/providers/{USER_ASSIGNED_IDENTITY_TYPE}", API_MANAGED_IDENTITY)]


def cmd_identity_delete(az: Az, a: ParsedArgs) -> Any:
    az.arm_delete(az.uai_id(str(a.get("rg")), str(a.get("name"))), API_MANAGED_IDENTITY)
    return None


AZ_COMMANDS: AzCommandTable = {
    ("identity", "create"): ((O_RG, O_NAME, O_LOCATION, O_TAGS), cmd_identity_create),
    ("identity", "show"): ((O_RG, O_NAME), cmd_identity_show),
    ("identity", "list"): ((OptSpec(("--resource-group", "-g"), "rg"),), cmd_identity_list),
    ("identity", "delete"): ((O_RG, O_NAME), cmd_identity_delete),
}
