"""App Service's ``az`` commands: ``az appservice plan create``, ``az webapp create|show`` and
``az webapp identity assign|show``."""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import API_WEB
from azshell.cmdlets.linux.az import O_LOCATION, O_NAME, O_RG, SYSTEM_IDENTITY, Az, AzCommandTable, flatten
from azshell.cmdlets.linux.azcli import EXIT_NOT_FOUND, AzCliError, OptSpec, ParsedArgs
from azshell.services.compute.az import identity_type
from azshell.services.compute.cmdlets import identity_body
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["AZ_COMMANDS"]


def _web_path(az: Az, rg: str, kind: str, name: str) -> str:
    return f"{az.rg_path(rg)}/providers/Microsoft.Web/{kind}/{name}"


_TIERS = {"F": "Free", "D": "Shared", "B": "Basic", "S": "Standard", "P": "PremiumV2", "I": "Isolated"}


def cmd_plan_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    group = az.require_group(rg)
    sku = str(a.get("sku") or "B1").upper()
    tier = "PremiumV3" if sku.endswith("V3") else _TIERS.get(sku[:1], "Standard")
    body = {"location": normalize_location(str(a.get("location") or group.get("location"))),
            "kind": "linux" if a.get("is_linux") else "app",
            "sku": {"name": sku, "tier": tier, "size": sku, "family": sku[:1], "capacity": 1},
            "properties": {"reserved": bool(a.get("is_linux"))}}
    return flatten(az.arm_put(_web_path(az, rg, "serverfarms", name), API_WEB, body))


def cmd_webapp_create(az: Az, a: ParsedArgs) -> Any:
    rg, name, plan = str(a.get("rg")), str(a.get("name")), str(a.get("plan"))
    plan_id = plan if plan.startswith("/") else _web_path(az, rg, "serverfarms", plan)
    plan_data = az.arm_get(plan_id, API_WEB, allow_404=True)
    if not isinstance(plan_data, dict):
        raise AzCliError(f"The plan '{plan}' doesn't exist in the resource group '{rg}'.", EXIT_NOT_FOUND)
    body = {"location": plan_data.get("location"), "kind": "app",
            "properties": {"serverFarmId": plan_data.get("id")}}
    return flatten(az.arm_put(_web_path(az, rg, "sites", name), API_WEB, body))


def _site_identity(data: Any) -> Any:
    ident = (data or {}).get("identity") if isinstance(data, dict) else None
    if not isinstance(ident, dict):
        return None
    out = dict(ident)
    out.setdefault("userAssignedIdentities", None)
    return out


def cmd_webapp_identity_assign(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    path = _web_path(az, rg, "sites", name)
    site = az.arm_get(path, API_WEB)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    ident = (site or {}).get("identity") or {}
    system = "systemassigned" in str(ident.get("type") or "").replace(" ", "").casefold()
    uais = list((ident.get("userAssignedIdentities") or {}).keys())
    system = system or any(v.casefold() == SYSTEM_IDENTITY for v in values)
    uais += [az.uai_id(rg, v) for v in values if v.casefold() != SYSTEM_IDENTITY and az.uai_id(rg, v) not in uais]
    body = {"identity": identity_body(identity_type(system, uais), uais or None, ident)}
    az.arm_patch(path, API_WEB, body)
    return _site_identity(az.arm_get(path, API_WEB))


def cmd_webapp_identity_show(az: Az, a: ParsedArgs) -> Any:
    return _site_identity(az.arm_get(_web_path(az, str(a.get("rg")), "sites", str(a.get("name"))), API_WEB))


def cmd_webapp_show(az: Az, a: ParsedArgs) -> Any:
    return flatten(az.arm_get(_web_path(az, str(a.get("rg")), "sites", str(a.get("name"))), API_WEB))


_ASSIGN = (OptSpec(("--role",), "role"), OptSpec(("--scope",), "scope"))
AZ_COMMANDS: AzCommandTable = {
    ("appservice", "plan", "create"): ((O_NAME, O_RG, OptSpec(("--sku",), "sku"), O_LOCATION,
                                        OptSpec(("--is-linux",), "is_linux", "0")), cmd_plan_create),
    ("webapp", "create"): ((O_NAME, O_RG, OptSpec(("--plan", "-p"), "plan", required=True),
                            OptSpec(("--runtime", "-r"), "runtime")), cmd_webapp_create),
    ("webapp", "show"): ((O_NAME, O_RG), cmd_webapp_show),
    ("webapp", "identity", "assign"): ((O_NAME, O_RG, OptSpec(("--identities",), "identities", "+"), *_ASSIGN),
                                       cmd_webapp_identity_assign),
    ("webapp", "identity", "show"): ((O_NAME, O_RG), cmd_webapp_identity_show),
}
