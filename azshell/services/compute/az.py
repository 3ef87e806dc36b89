"""Compute's ``az`` commands (and ``az vmss``, from ``az_vmss.py``): ``az vm create|show|list|delete|update``, ``az vm identity assign|remove|show``, the
2017 ``az vm assign-identity`` (system identity plus the MSI VM extension) and ``az vm extension delete|list``."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from azshell.cmdlets._azure import (
    API_COMPUTE,
    MSI_EXTENSION_LINUX,
    MSI_EXTENSION_PUBLISHER,
    MSI_EXTENSION_VERSION,
    MSI_EXTENSION_WINDOWS,
    arm_identity_type_to_az,
)
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
from azshell.hostnames import MSI_EXTENSION_PORT
from azshell.lang.cmdlet import CmdletError
from azshell.services.authorization.az import assign_role
from azshell.services.compute.az_identity import deprecated_identity_command, identity_summary
from azshell.services.compute.az_vmss import VMSS_AZ_COMMANDS
from azshell.services.compute.cmdlets import NewAzVM, VmCmdlet, _os_type, identity_body
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["AZ_COMMANDS", "identity_type"]

DEPRECATED_ASSIGN_IDENTITY = deprecated_identity_command("vm", "assign")


class AzVms(VmCmdlet):
    """The VM cmdlets' path and read for ``az``'s handlers."""

    name = "az"


def _vms(az: Az) -> AzVms:
    return az.helper(AzVms)


def identity_type(system: bool, uais: list[str]) -> str:
    """The Az identity type (``SystemAssignedUserAssigned``…) for a system identity and a list of UAIs."""
    if system and uais:
        return "SystemAssignedUserAssigned"
    if system:
        return "SystemAssigned"
    return "UserAssigned" if uais else "None"




def _get_identity_vm(az: Az, a: ParsedArgs) -> tuple[str, str, dict[str, Any]]:
    rg, name = str(a.get("rg")), str(a.get("name"))
    return rg, name, _vms(az).get_vm(rg, name)


def _patch_vm_identity(az: Az, rg: str, name: str, az_type: str, ids: list[str] | None,
                       current: dict[str, Any] | None) -> dict[str, Any]:
    body = {"identity": identity_body(az_type, ids, current)}
    az.arm_patch(_vms(az).vm_path(rg, name), API_COMPUTE, body)
    return _vms(az).get_vm(rg, name)


def _check_password(password: str) -> None:
    if not 12 <= len(password) <= 123:
        raise AzCliError("The password length must be between 12 and 123")
    classes = sum((any(c.islower() for c in password), any(c.isupper() for c in password),
                   any(c.isdigit() for c in password), any(not c.isalnum() for c in password)))
    if classes < 3:
        raise AzCliError("Password must have the 3 of the following: 1 lower case character, 1 upper case "
                         "character, 1 number and 1 special character")


def _fake_address(seed: str) -> tuple[str, str]:
    h = hashlib.sha256(seed.casefold().encode()).digest()
    mac = "00-0D-3A-" + "-".join(f"{b:02X}" for b in h[:3])
    return mac, f"20.{h[3] % 200 + 10}.{h[4]}.{h[5] % 254 + 1}"


def cmd_vm_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    if a.get("admin_password"):
        _check_password(str(a.get("admin_password")))
    identities = a.get("assign_identity")
    role, scope = a.get("role"), a.get("scope")
    want_system = False
    uai_ids: list[str] = []
    if identities is not None:
        values = [str(v) for v in identities] or [SYSTEM_IDENTITY]
        want_system = any(v.casefold() == SYSTEM_IDENTITY for v in values)
        uai_ids = [az.uai_id(rg, v) for v in values if v.casefold() != SYSTEM_IDENTITY]
    if (role or scope) and identities is None:
        raise AzCliError("usage error: --assign-identity [--scope SCOPE] [--role ROLE]", EXIT_USAGE)
    if (role or scope) and not want_system:
        raise AzCliError("usage error: '--scope'/'--role' is only applicable when assign system identity",
                         EXIT_USAGE)
    if bool(role) != bool(scope):
        raise AzCliError("usage error: please specify both --role and --scope when assigning a role to the "
                         "managed identity", EXIT_USAGE)
    group = az.require_group(rg)
    location = normalize_location(str(a.get("location") or group.get("location") or "eastus"))
    bound: dict[str, Any] = {"Image": a.get("image") or "Win2016Datacenter"}
    if a.get("size"):
        bound["Size"] = a.get("size")
    if want_system and uai_ids:
        bound["IdentityType"], bound["IdentityId"] = "SystemAssignedUserAssigned", uai_ids
    elif want_system:
        bound["IdentityType"] = "SystemAssigned"
    elif uai_ids:
        bound["IdentityType"], bound["IdentityId"] = "UserAssigned", uai_ids
    try:
        body = NewAzVM(az.ctx, bound)._body(name, rg, location, None)
    except CmdletError as e:
        if e.error_id == "InvalidImage":
            raise AzCliError(f"Invalid image \"{a.get('image')}\". Use a valid image URN, custom image name, "
                             "custom image id, VHD blob URI, or pick an image from ['CentOS85Gen2', 'Debian11', "
                             "'Ubuntu2204', 'Ubuntu2404', 'Win2022Datacenter', 'Win2019Datacenter', "
                             "'Win2016Datacenter', 'Win2012R2Datacenter'].") from None
        raise
    if a.get("admin_username"):
        body["properties"]["osProfile"]["adminUsername"] = str(a.get("admin_username"))
    az.arm_put(_vms(az).vm_path(rg, name), API_COMPUTE, body)
    vm = _vms(az).get_vm(rg, name)
    mac, public_ip = _fake_address(str(vm.get("id", "")))
    out: dict[str, Any] = {"fqdns": "", "id": vm.get("id"), "location": vm.get("location"), "macAddress": mac,
                           "powerState": "VM running", "privateIpAddress": "10.0.0.4",
                           "publicIpAddress": public_ip, "resourceGroup": rg, "zones": ""}
    if identities is not None:
        out["identity"] = identity_summary(vm.get("identity"))
        if role and scope:
            pid = str((vm.get("identity") or {}).get("principalId") or "")
            assign_role(az, pid, "ServicePrincipal", str(role), str(scope))
            out["identity"]["role"] = str(role)
            out["identity"]["scope"] = str(scope)
    return out


def cmd_vm_show(az: Az, a: ParsedArgs) -> Any:
    _, _, vm = _get_identity_vm(az, a)
    return flatten(vm)


def cmd_vm_list(az: Az, a: ParsedArgs) -> Any:
    rg = a.get("rg")
    base = az.rg_path(str(rg)) if rg else f"/subscriptions/{az.sub}"
    return [flatten(v) for v in az.arm_list(f"{base}/providers/Microsoft.Compute/virtualMachines", API_COMPUTE)]


def cmd_vm_delete(az: Az, a: ParsedArgs) -> Any:
    rg, name, _ = _get_identity_vm(az, a)
    az.arm_delete(_vms(az).vm_path(rg, name), API_COMPUTE)
    return None


def _current_identity(vm: dict[str, Any]) -> tuple[bool, list[str]]:
    ident = vm.get("identity") or {}
    t = str(ident.get("type") or "None").replace(" ", "").casefold()
    return "systemassigned" in t, list((ident.get("userAssignedIdentities") or {}).keys())


def cmd_vm_identity_assign(az: Az, a: ParsedArgs) -> Any:
    rg, name, vm = _get_identity_vm(az, a)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    system, uais = _current_identity(vm)
    system = system or any(v.casefold() == SYSTEM_IDENTITY for v in values)
    for v in values:
        if v.casefold() != SYSTEM_IDENTITY:
            uid = az.uai_id(rg, v)
            if uid.casefold() not in {u.casefold() for u in uais}:
                uais.append(uid)
    vm = _patch_vm_identity(az, rg, name, identity_type(system, uais), uais or None, vm.get("identity"))
    out = identity_summary(vm.get("identity"))
    if a.get("role") and a.get("scope") and out["systemAssignedIdentity"]:
        assign_role(az, str(out["systemAssignedIdentity"]), "ServicePrincipal", str(a.get("role")),
                    str(a.get("scope")))
    return out


def cmd_vm_identity_remove(az: Az, a: ParsedArgs) -> Any:
    rg, name, vm = _get_identity_vm(az, a)
    values = [str(v) for v in (a.get("identities") or [])] or [SYSTEM_IDENTITY]
    system, uais = _current_identity(vm)
    for v in values:
        if v.casefold() == SYSTEM_IDENTITY:
            system = False
            continue
        uid = az.uai_id(rg, v).casefold()
        if uid not in {u.casefold() for u in uais}:
            raise AzCliError(f"'{v}' is not associated with '{name}'")
        uais = [u for u in uais if u.casefold() != uid]
    vm = _patch_vm_identity(az, rg, name, identity_type(system, uais), uais, vm.get("identity"))
    ident = vm.get("identity")
    return ident if isinstance(ident, dict) and ident.get("type", "None") != "None" else None


def cmd_vm_identity_show(az: Az, a: ParsedArgs) -> Any:
    _, _, vm = _get_identity_vm(az, a)
    return vm.get("identity")


def cmd_vm_assign_identity(az: Az, a: ParsedArgs) -> Any:
    """The 2017 command: the system identity plus the MSI VM extension, as CLI 2.0.13 did."""
    az.write_warning(DEPRECATED_ASSIGN_IDENTITY)
    rg, name, vm = _get_identity_vm(az, a)
    system, uais = _current_identity(vm)
    if not system:
        vm = _patch_vm_identity(az, rg, name, identity_type(True, uais), uais or None, vm.get("identity"))
    ext = MSI_EXTENSION_WINDOWS if _os_type(vm) == "Windows" else MSI_EXTENSION_LINUX
    az.arm_put(f"{_vms(az).vm_path(rg, name)}/extensions/{ext}", API_COMPUTE, {
        "location": vm.get("location"),
        "properties": {"publisher": MSI_EXTENSION_PUBLISHER, "type": ext, "typeHandlerVersion": MSI_EXTENSION_VERSION,
                       "autoUpgradeMinorVersion": True, "settings": {"port": MSI_EXTENSION_PORT}},
    })
    out = identity_summary(vm.get("identity"))
    if a.get("role") and a.get("scope"):
        assign_role(az, str(out["systemAssignedIdentity"]), "ServicePrincipal", str(a.get("role")),
                    str(a.get("scope")))
    return out


def _set_path(doc: dict[str, Any], path: str, value: Any) -> None:
    keys = path.split(".")
    cur: Any = doc
    for k in keys[:-1]:
        nxt = cur.get(k) if isinstance(cur, dict) else None
        if not isinstance(nxt, dict):
            nxt = {}
            cur[k] = nxt
        cur = nxt
    cur[keys[-1]] = value


def _parse_set_value(text: str) -> Any:
    if text == "null":
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def cmd_vm_update(az: Az, a: ParsedArgs) -> Any:
    rg, name, vm = _get_identity_vm(az, a)
    patch: dict[str, Any] = {}
    top_level = {"identity", "tags", "location", "zones", "plan"}
    for expr in a.get("set") or []:
        path, eq, raw = str(expr).partition("=")
        if not eq:
            raise AzCliError(f"usage error: --set property=value (got '{expr}')", EXIT_USAGE)
        first = path.split(".", 1)[0]
        if first in top_level:
            if first not in patch:
                current = vm.get(first)
                patch[first] = json.loads(json.dumps(current)) if current is not None else {}
            _set_path(patch, path, _parse_set_value(raw))
        else:
            patch.setdefault("properties", {})
            _set_path(patch["properties"], path, _parse_set_value(raw))
    ident = patch.get("identity")
    if isinstance(ident, dict):
        t = str(ident.get("type") or "None")
        uais = ident.get("userAssignedIdentities")
        ids = list(uais.keys()) if isinstance(uais, dict) and "userassigned" in t.casefold() else None
        body = identity_body(arm_identity_type_to_az(t) or t, ids, vm.get("identity"))
        if uais is None and "userassigned" not in t.casefold():
            body.pop("userAssignedIdentities", None)
        patch["identity"] = body
    if patch:
        az.arm_patch(_vms(az).vm_path(rg, name), API_COMPUTE, patch)
    return flatten(_vms(az).get_vm(rg, name))


def cmd_vm_extension_delete(az: Az, a: ParsedArgs) -> Any:
    rg, vm_name, ext = str(a.get("rg")), str(a.get("vm_name")), str(a.get("name"))
    _vms(az).get_vm(rg, vm_name)
    az.arm_delete(f"{_vms(az).vm_path(rg, vm_name)}/extensions/{ext}", API_COMPUTE, allow_404=True)
    return None


def cmd_vm_extension_list(az: Az, a: ParsedArgs) -> Any:
    rg, vm_name = str(a.get("rg")), str(a.get("vm_name"))
    return [flatten(e) for e in az.arm_list(f"{_vms(az).vm_path(rg, vm_name)}/extensions", API_COMPUTE)]


_VM_TARGET = (O_RG, O_NAME)
_ASSIGN = (OptSpec(("--role",), "role"), OptSpec(("--scope",), "scope"))
AZ_COMMANDS: AzCommandTable = {
    ("vm", "create"): ((O_RG, O_NAME, OptSpec(("--image",), "image"), O_LOCATION, OptSpec(("--size",), "size"),
                        OptSpec(("--generate-ssh-keys",), "generate_ssh_keys", "0"),
                        OptSpec(("--assign-identity",), "assign_identity", "*"), *_ASSIGN,
                        OptSpec(("--admin-username",), "admin_username"),
                        OptSpec(("--admin-password",), "admin_password"),
                        OptSpec(("--authentication-type",), "authentication_type"),
                        OptSpec(("--public-ip-sku",), "public_ip_sku"), O_TAGS,
                        OptSpec(("--no-wait",), "no_wait", "0")), cmd_vm_create),
    ("vm", "show"): ((*_VM_TARGET, OptSpec(("--show-details", "-d"), "details", "0")), cmd_vm_show),
    ("vm", "list"): ((OptSpec(("--resource-group", "-g"), "rg"),), cmd_vm_list),
    ("vm", "delete"): ((*_VM_TARGET, OptSpec(("--yes", "-y"), "yes", "0")), cmd_vm_delete),
    ("vm", "update"): ((*_VM_TARGET, OptSpec(("--set",), "set", "+")), cmd_vm_update),
    ("vm", "assign-identity"): ((*_VM_TARGET, *_ASSIGN, OptSpec(("--port",), "port")), cmd_vm_assign_identity),
    ("vm", "identity", "assign"): ((*_VM_TARGET, OptSpec(("--identities",), "identities", "+"), *_ASSIGN),
                                   cmd_vm_identity_assign),
    ("vm", "identity", "remove"): ((*_VM_TARGET, OptSpec(("--identities",), "identities", "+")),
                                   cmd_vm_identity_remove),
    ("vm", "identity", "show"): (_VM_TARGET, cmd_vm_identity_show),
    ("vm", "extension", "delete"): ((O_RG, OptSpec(("--vm-name",), "vm_name", required=True), O_NAME),
                                    cmd_vm_extension_delete),
    ("vm", "extension", "list"): ((O_RG, OptSpec(("--vm-name",), "vm_name", required=True)), cmd_vm_extension_list),
    **VMSS_AZ_COMMANDS,
}
