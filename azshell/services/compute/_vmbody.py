"""What ``New-AzVM -VM $config`` sends and warns about, shared by the VM cmdlets and the config cmdlets
(kept apart so neither cmdlet module imports the other)."""

from __future__ import annotations

import re
from typing import Any

from azshell.cmdlets._azure import (
    az_identity_type_to_arm,
)
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import plain
from azshell.lang.values import PSHashtable, PSObject

#: the doc-defect hints (§1.2: ``-AssignIdentity:$SystemAssigned`` with ``$SystemAssigned`` undefined)
ASSIGN_IDENTITY_HINT = ("${var} is not defined, so -AssignIdentity:${var} is $false; the identity was not enabled. "
                        "Did you mean -IdentityType SystemAssigned?")


ASSIGN_IDENTITY_FALSE_HINT = ("-AssignIdentity was {value}, so no identity was enabled. Use -IdentityType "
                              "SystemAssigned to enable the VM's system-assigned identity.")


_ASSIGN_RE = re.compile(r"-AssignIdentity:\s*\$(?P<var>[A-Za-z_][\w]*)", re.IGNORECASE)


# ----------------------------------------------------------------------------------------------- doc defect
def assign_identity_hint(cmdlet: AzCmdlet, value: Any) -> None:
    """Warn when ``-AssignIdentity`` bound ``$null``/``$false`` (the ``-AssignIdentity:$SystemAssigned`` typo)."""
    if value is not None and value is not False:
        return
    ctx: Any = cmdlet.ctx
    text = ""
    ev = getattr(ctx, "ev", None)
    span = getattr(ctx, "span", None)
    script = getattr(ev, "script_text", "") if ev is not None else ""
    if isinstance(script, str) and script:
        start = int(getattr(span, "offset", 0) or 0)
        text = script[start:]
        end = re.search(r"(?<!`)\n", text)
        text = text[:end.start()] if end else text
    m = _ASSIGN_RE.search(text)
    if m is not None:
        var = m["var"]
        defined = False
        has = getattr(ctx, "has_variable", None)
        if callable(has):
            try:
                defined = bool(has(var))
            except Exception:  # noqa: BLE001 - a hint must never fail the command
                defined = False
        if not defined:
            cmdlet.write_warning(ASSIGN_IDENTITY_HINT.replace("{var}", var))
            return
    cmdlet.write_warning(ASSIGN_IDENTITY_FALSE_HINT.format(value="$null" if value is None else "$false"))


def _camel(value: Any) -> Any:
    """PSObject/hashtable (PascalCase, Az model) → ARM JSON (camelCase), dropping nulls."""
    if isinstance(value, (PSObject, PSHashtable, dict)):
        items = value.properties() if isinstance(value, PSObject) else list(value.items())
        out: dict[str, Any] = {}
        for k, v in items:
            if v is None:
                continue
            key = str(k)
            out[key[:1].lower() + key[1:]] = _camel(v)
        return out
    if isinstance(value, (list, tuple)):
        return [_camel(v) for v in value]
    return value


def _os_of_config(cfg: PSObject) -> str:
    osp = cfg.get("OSProfile")
    if isinstance(osp, PSObject) and osp.get("LinuxConfiguration") is not None:
        return "Linux"
    storage = cfg.get("StorageProfile")
    ref = storage.get("ImageReference") if isinstance(storage, PSObject) else None
    if isinstance(ref, PSObject) and ref.get("Publisher") and "windows" not in str(ref.get("Publisher")).casefold() \
            and osp is None:
        return "Linux"
    return "Windows"


def config_body(cfg: PSObject, name: str, location: str, default_image: dict[str, str],
                default_user: str, tags: Any = None) -> dict[str, Any]:
    """The ARM ``PUT`` body for ``New-AzVM -VM $cfg``: size, OS profile, image, NICs and identity."""
    os_type = _os_of_config(cfg)
    hw = cfg.get("HardwareProfile")
    size = hw.get("VmSize") if isinstance(hw, PSObject) else None
    osp = cfg.get("OSProfile")
    os_profile: dict[str, Any]
    if isinstance(osp, PSObject):
        os_profile = _camel(osp)
        os_profile.pop("adminPassword", None)
    else:
        os_profile = {"computerName": name[:15], "adminUsername": default_user}
    os_profile.setdefault("computerName", name[:15])
    os_profile.setdefault("adminUsername", default_user)
    if os_type == "Windows":
        os_profile.setdefault("windowsConfiguration", {"provisionVMAgent": True, "enableAutomaticUpdates": True})
    else:
        os_profile.setdefault("linuxConfiguration", {"disablePasswordAuthentication": False,
                                                     "provisionVMAgent": True})
    os_profile.setdefault("secrets", [])
    os_profile.setdefault("allowExtensionOperations", True)
    storage = cfg.get("StorageProfile")
    storage_profile: dict[str, Any] = _camel(storage) if isinstance(storage, PSObject) else {}
    storage_profile.setdefault("imageReference", dict(default_image))
    # no disk name: ARM names the disk ``{vm}_OsDisk_1_{32 hex}`` from the world's ids (``--seed`` repeats it)
    storage_profile.setdefault("osDisk", {"osType": os_type,
                                          "createOption": "FromImage", "caching": "ReadWrite",
                                          "managedDisk": {"storageAccountType": "Premium_LRS"}})
    storage_profile.setdefault("dataDisks", [])
    net = cfg.get("NetworkProfile")
    network_profile: dict[str, Any] = _camel(net) if isinstance(net, PSObject) else {"networkInterfaces": []}
    body: dict[str, Any] = {
        "location": location,
        "properties": {
            "hardwareProfile": {"vmSize": str(size or "Standard_D2s_v3")},
            "storageProfile": storage_profile,
            "osProfile": os_profile,
            "networkProfile": network_profile,
        },
    }
    own_tags = cfg.get("Tags")
    merged = plain(tags) if tags is not None else (plain(own_tags) if own_tags else None)
    if merged:
        body["tags"] = {str(k): str(v) for k, v in merged.items()}
    ident = cfg.get("Identity")
    if isinstance(ident, PSObject) and ident.get("Type") and str(ident.get("Type")).casefold() != "none":
        body["identity"] = {"type": az_identity_type_to_arm(str(ident.get("Type")))}
        table = ident.get("UserAssignedIdentities")
        raw = ident.get("IdentityIds")
        ids = ([str(k) for k in table.keys()] if isinstance(table, PSHashtable)
               else [str(x) for x in (raw if isinstance(raw, list) else [raw])] if raw else [])
        if ids:
            body["identity"]["userAssignedIdentities"] = {i: {} for i in ids}
    return body


