"""Compute's ``az vmss`` commands: ``create|show|list|delete``, ``identity assign|remove|show``, the 2018 names
``assign-identity``/``remove-identity`` (as ``2018-qs-configure-cli-windows-vmss.sh.txt`` types them) and
``list-instances``. They are merged into compute's ``AZ_COMMANDS`` (``az.py``)."""

from __future__ import annotations

import base64
from typing import Any

from azshell.cmdlets._azure import API_COMPUTE
from azshell.cmdlets.linux.az import (
    O_LOCATION,
    O_NAME,
    O_RG,
    O_TAGS,
    SYSTEM_IDENTITY,
    Az,
    AzCommandTable,
    flatten,
)
from azshell.cmdlets.linux.azcli import EXIT_USAGE, AzCliError, OptSpec, ParsedArgs
from azshell.lang.cmdlet import CmdletError
from azshell.model.types import VMSS_TYPE
from azshell.services.authorization.az import assign_role
from azshell.services.compute.az_identity import deprecated_identity_command, identity_summary
from azshell.services.compute.cmdlets import identity_body
from azshell.services.compute.cmdlets_vmss import (
    DEFAULT_INSTANCE_COUNT,
    DEFAULT_VMSS_SIZE,
    VmssCmdlet,
    vmss_body,
)
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["VMSS_AZ_COMMANDS"]

DEPRECATED_ASSIGN = deprecated_identity_command("vmss", "assign")
DEPRECATED_REMOVE = deprecated_identity_command("vmss", "remove")


class AzVmss(VmssCmdlet):
    """The scale-set cmdlets' path and read for ``az``'s handlers."""

    name = "az"


def _vmss(az: Az) -> AzVmss:
    return az.helper(AzVmss)


def _current(vmss: dict[str, Any]) -> tuple[bool, list[str]]:
    ident = vmss.get("identity") or {}
    t = str(ident.get("type") or "None").replace(" ", "").casefold()
    return "systemassigned" in t, list((ident.get("userAssignedIdentities") or {}).keys())


def _kind(system: bool, uais: list[str]) -> str:
    if system and uais:
        return "SystemAssignedUserAssigned"
    if system:
        return "SystemAssigned"
    return "UserAssigned" if uais else "None"


def _custom_data(az: Az, value: str) -> str:
    """``--custom-data``: a file's text when the file exists, else the value itself — azure-cli's
    ``read_content_if_is_file`` (so the tutorial's never-created ``cloud-init.txt`` is sent as the literal text)."""
    try:
        return az.ctx.fs.read_text(value)
    except (OSError, KeyError, UnicodeDecodeError, ValueError):
        return value


def cmd_vmss_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    custom_data = _custom_data(az, str(a.get("custom_data"))) if a.get("custom_data") else None
    identities = a.get("assign_identity")
    role, scope = a.get("role"), a.get("scope")
    want_system, uai_ids = False, []
    if identities is not None:
        values = [str(v) for v in identities] or [SYSTEM_IDENTITY]
        want_system = any(v.casefold() == SYSTEM_IDENTITY for v in values)
        uai_ids = [az.uai_id(rg, v) for v in values if v.casefold() != SYSTEM_IDENTITY]
    if (role or scope) and not want_system:
        raise AzCliError("usage error: '--scope'/'--role' is only applicable when assign system identity",
                         EXIT_USAGE)
    group = az.require_group(rg)
    location = normalize_location(str(a.get("location") or group.get("location") or "eastus"))
    identity = identity_body(_kind(want_system, uai_ids), uai_ids or None, None) if identities is not None else None
    try:
        count = int(a.get("instance_count") or DEFAULT_INSTANCE_COUNT)
    except ValueError:
        raise AzCliError(f"argument --instance-count: invalid int value: '{a.get('instance_count')}'",
                         EXIT_USAGE) from None
    mode = str(a.get("upgrade_policy_mode") or "Manual")
    modes = {"automatic": "Automatic", "manual": "Manual", "rolling": "Rolling"}
    if mode.casefold() not in modes:
        raise AzCliError(f"argument --upgrade-policy-mode: invalid choice: '{mode}' (choose from 'Automatic', "
                         "'Manual', 'Rolling')", EXIT_USAGE)
    try:
        body = vmss_body(location=location, capacity=count, size=str(a.get("vm_sku") or DEFAULT_VMSS_SIZE),
                         image=str(a.get("image") or "Win2016Datacenter"),
                         admin=str(a.get("admin_username") or "azureuser"), upgrade_mode=modes[mode.casefold()],
                         identity=identity, prefix=name)
    except CmdletError:
        raise AzCliError(f"Invalid image \"{a.get('image')}\". Use a valid image URN, custom image name, custom "
                         "image id, VHD blob URI, or pick an image from ['CentOS85Gen2', 'Debian11', 'Ubuntu2204', "
                         "'Ubuntu2404', 'Win2022Datacenter', 'Win2019Datacenter', 'Win2016Datacenter', "
                         "'Win2012R2Datacenter'].") from None
    if custom_data is not None:
        body["properties"]["virtualMachineProfile"]["osProfile"]["customData"] = \
            base64.b64encode(custom_data.encode("utf-8")).decode("ascii")
    az.arm_put(_vmss(az).vmss_path(rg, name), API_COMPUTE, body)
    vmss = _vmss(az).get_vmss(rg, name)
    out: dict[str, Any] = {"vmss": {k: v for k, v in flatten(vmss).items() if k not in ("id", "resourceGroup")}}
    if identities is not None:
        summary = identity_summary(vmss.get("identity"))
        if role and scope and summary["systemAssignedIdentity"]:
            assign_role(az, str(summary["systemAssignedIdentity"]), "ServicePrincipal", str(role), str(scope))
            summary["role"], summary["scope"] = str(role), str(scope)
        out["vmss"]["identity"] = vmss.get("identity")
    return out


def cmd_vmss_show(az: Az, a: ParsedArgs) -> Any:
    return flatten(_vmss(az).get_vmss(str(a.get("rg")), str(a.get("name"))))


def cmd_vmss_list(az: Az, a: ParsedArgs) -> Any:
    rg = a.get("rg")
    base = az.rg_path(str(rg)) if rg else f"/subscriptions/{az.sub}"
    return [flatten(v) for v in az.arm_list(f"{base}/providers/{VMSS_TYPE}", API_COMPUTE)]


def cmd_vmss_list_instances(az: Az, a: ParsedArgs) -> Any:
    path = f"{_vmss(az).vmss_path(str(a.get('rg')), str(a.get('name')))}/virtualMachines"
    return [flatten(v) for v in az.arm_list(path, API_COMPUTE)]


def cmd_vmss_delete(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    _vmss(az).get_vmss(rg, name)
    az.arm_delete(_vmss(az).vmss_path(rg, name), API_COMPUTE)
    return None


def _patch(az: Az, rg: str, name: str, system: bool, uais: list[str], current: Any) -> dict[str, Any]:
    body = {"identity": identity_body(_kind(system, uais), uais, current if isinstance(current, dict) else None)}
    if not uais:
        body["identity"].pop("userAssignedIdentities", None)
    az.arm_patch(_vmss(az).vmss_path(rg, name), API_COMPUTE, body)
    return _vmss(az).get_vmss(rg, name)


def cmd_vmss_identity_assign(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    vmss = _vmss(az).get_vmss(rg, name)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    system, uais = _current(vmss)
    system = system or any(v.casefold() == SYSTEM_IDENTITY for v in values)
    for v in values:
        if v.casefold() != SYSTEM_IDENTITY:
            uid = az.uai_id(rg, v)
            if uid.casefold() not in {u.casefold() for u in uais}:
                uais.append(uid)
    vmss = _patch(az, rg, name, system, uais, vmss.get("identity"))
    out = identity_summary(vmss.get("identity"))
    if a.get("role") and a.get("scope") and out["systemAssignedIdentity"]:
        assign_role(az, str(out["systemAssignedIdentity"]), "ServicePrincipal", str(a.get("role")),
                    str(a.get("scope")))
    return out


def cmd_vmss_identity_remove(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    vmss = _vmss(az).get_vmss(rg, name)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    system, uais = _current(vmss)
    for v in values:
        if v.casefold() == SYSTEM_IDENTITY:
            system = False
            continue
        uid = az.uai_id(rg, v).casefold()
        if uid not in {u.casefold() for u in uais}:
            raise AzCliError(f"'{v}' is not associated with '{name}'")
        uais = [u for u in uais if u.casefold() != uid]
    vmss = _patch(az, rg, name, system, uais, vmss.get("identity"))
    ident = vmss.get("identity")
    return ident if isinstance(ident, dict) and ident.get("type", "None") != "None" else None


def cmd_vmss_identity_show(az: Az, a: ParsedArgs) -> Any:
    return _vmss(az).get_vmss(str(a.get("rg")), str(a.get("name"))).get("identity")


def cmd_vmss_assign_identity(az: Az, a: ParsedArgs) -> Any:
    az.write_warning(DEPRECATED_ASSIGN)
    return cmd_vmss_identity_assign(az, a)


def cmd_vmss_remove_identity(az: Az, a: ParsedArgs) -> Any:
    az.write_warning(DEPRECATED_REMOVE)
    return cmd_vmss_identity_remove(az, a)


_TARGET = (O_RG, O_NAME)
_ASSIGN = (OptSpec(("--role",), "role"), OptSpec(("--scope",), "scope"))
_IDENTITIES = OptSpec(("--identities",), "identities", "+")
VMSS_AZ_COMMANDS: AzCommandTable = {
    ("vmss", "create"): ((*_TARGET, OptSpec(("--image",), "image"), O_LOCATION,
                          OptSpec(("--vm-sku",), "vm_sku"), OptSpec(("--instance-count",), "instance_count"),
                          OptSpec(("--upgrade-policy-mode",), "upgrade_policy_mode"),
                          OptSpec(("--custom-data",), "custom_data"),
                          OptSpec(("--admin-username",), "admin_username"),
                          OptSpec(("--admin-password",), "admin_password"),
                          OptSpec(("--authentication-type",), "authentication_type"),
                          OptSpec(("--generate-ssh-keys",), "generate_ssh_keys", "0"),
                          OptSpec(("--assign-identity",), "assign_identity", "*"), *_ASSIGN,
                          OptSpec(("--orchestration-mode",), "orchestration_mode"),
                          OptSpec(("--lb-sku",), "lb_sku"), O_TAGS,
                          OptSpec(("--no-wait",), "no_wait", "0")), cmd_vmss_create),
    ("vmss", "show"): (_TARGET, cmd_vmss_show),
    ("vmss", "list"): ((OptSpec(("--resource-group", "-g"), "rg"),), cmd_vmss_list),
    ("vmss", "list-instances"): (_TARGET, cmd_vmss_list_instances),
    ("vmss", "delete"): ((*_TARGET, OptSpec(("--no-wait",), "no_wait", "0")), cmd_vmss_delete),
    ("vmss", "identity", "assign"): ((*_TARGET, _IDENTITIES, *_ASSIGN), cmd_vmss_identity_assign),
    ("vmss", "identity", "remove"): ((*_TARGET, _IDENTITIES), cmd_vmss_identity_remove),
    ("vmss", "identity", "show"): (_TARGET, cmd_vmss_identity_show),
    ("vmss", "assign-identity"): ((*_TARGET, _IDENTITIES, *_ASSIGN, OptSpec(("--port",), "port")),
                                  cmd_vmss_assign_identity),
    ("vmss", "remove-identity"): ((*_TARGET, _IDENTITIES), cmd_vmss_remove_identity),
}
