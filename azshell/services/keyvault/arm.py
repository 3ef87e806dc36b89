"""ARM hooks for ``Microsoft.KeyVault/vaults`` and its ``accessPolicies/{add|replace|remove}`` sub-operation.

What ARM adds to a vault beyond "store the properties": the name rule and global uniqueness (409
``VaultAlreadyExists``), ``vaultUri``, defaults for ``tenantId``/``sku``/soft delete, and validated
``accessPolicies``. ``PUT .../vaults/{v}/accessPolicies/{operationKind}`` (what ``Set-AzKeyVaultAccessPolicy``
calls) edits the vault's list and is not kept as a resource of its own.

Soft-deleted *vaults* are not modelled: deleting a vault deletes it, and a new vault with the same name starts
with no secrets.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from azshell.hostnames import KEY_VAULT_URI_TEMPLATE
from azshell.ids import is_guid
from azshell.model.types import KEY_VAULT_TYPE, Resource
from azshell.planes._shared import INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE, arm_error
from azshell.planes.base import PlaneError, Response
from azshell.services.keyvault import model as kv_model

if TYPE_CHECKING:
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType

__all__ = [
    "ACCESS_POLICIES_TYPE",
    "ACCESS_POLICY_OPERATIONS",
    "KEY_PERMISSIONS",
    "SECRET_PERMISSIONS",
    "CERTIFICATE_PERMISSIONS",
    "after_write",
    "check_name_availability",
    "prepare",
    "provider_action",
    "render",
    "vault_defaults",
    "vault_uri",
]

ACCESS_POLICIES_TYPE = "Microsoft.KeyVault/vaults/accessPolicies"
ACCESS_POLICY_OPERATIONS = ("add", "replace", "remove")
DEFAULT_SKU: dict[str, str] = {"family": "A", "name": "standard"}
SOFT_DELETE_RETENTION_DAYS = 90

#: The permission names Key Vault's access policies accept (REST enums, lower-case as ARM returns them).
KEY_PERMISSIONS: tuple[str, ...] = (
    "all", "encrypt", "decrypt", "wrapKey", "unwrapKey", "sign", "verify", "get", "list", "create", "update",
    "import", "delete", "backup", "restore", "recover", "purge", "release", "rotate", "getrotationpolicy",
    "setrotationpolicy",
)
SECRET_PERMISSIONS: tuple[str, ...] = ("all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge")
CERTIFICATE_PERMISSIONS: tuple[str, ...] = (
    "all", "get", "list", "delete", "create", "import", "update", "managecontacts", "getissuers", "listissuers",
    "setissuers", "deleteissuers", "manageissuers", "recover", "purge", "backup", "restore",
)
STORAGE_PERMISSIONS: tuple[str, ...] = (
    "all", "get", "list", "delete", "set", "update", "regeneratekey", "recover", "purge", "backup", "restore",
    "setsas", "listsas", "getsas", "deletesas",
)
_PERMISSION_NAMES: dict[str, tuple[str, ...]] = {
    "keys": KEY_PERMISSIONS, "secrets": SECRET_PERMISSIONS, "certificates": CERTIFICATE_PERMISSIONS,
    "storage": STORAGE_PERMISSIONS,
}

# ------------------------------------------------------------------------------------------------ ARM errors
VAULT_NAME_NOT_VALID = "VaultNameNotValid"
#: SEEN (ARM deployment error details, public logs).
VAULT_NAME_NOT_VALID_TEMPLATE = (
    "The vault name '{name}' is invalid. A vault's name must be between 3-24 alphanumeric characters. The name must "
    "begin with a letter, end with a letter or digit, and not contain consecutive hyphens. Follow this link for more "
    "information: https://go.microsoft.com/fwlink/?linkid=2147742"
)
VAULT_ALREADY_EXISTS = "VaultAlreadyExists"
#: SEEN word for word, Azure's "globaly" typo included (public deployment logs); status 409.
VAULT_ALREADY_EXISTS_TEMPLATE = (
    "The vault name '{name}' is already in use. Vault names are globaly unique so it is possible that the name is "
    "already taken. If you are sure that the vault name was not taken then it is possible that a vault with the "
    "same name was recently deleted but not purged after being placed in a recoverable state. If the vault is in a "
    "recoverable state then the vault will need to be purged before reusing the name. For more information about "
    "VaultAlreadyExists, soft delete and purging a vault follow this link https://go.microsoft.com/fwlink/?linkid=2147740"
)
BAD_REQUEST = "BadRequest"
#: The Key Vault resource provider's body validation. SEEN: a bad ``objectId`` (alexander-kastil/az-204 issue 142:
#: "(BadRequest) Invalid value found at accessPolicies[1].ObjectId: e40a0daa-…"; ``TenantId`` is INFERRED alike) and
#: any other bad entry, such as a permission " list" (Azure/azure-libraries-for-net issue 361, Azure/azure-cli issues
#: 9763 and 17503: "An invalid value was provided for 'accessPolicies'.").
INVALID_ACCESS_POLICY_TEMPLATE = "Invalid value found at accessPolicies[{index}].{field}: {value}"
INVALID_ACCESS_POLICIES = "An invalid value was provided for 'accessPolicies'."
#: INFERRED wordings (no capture found).
INVALID_OPERATION_KIND_TEMPLATE = (
    "The value '{value}' is not valid for the access policy operation kind. Valid values are 'add', 'replace', "
    "'remove'."
)
INVALID_PROPERTY_TEMPLATE = "Invalid value for property '{name}': {detail}"
TOO_MANY_POLICIES = "The number of access policies exceeds the limit of 1024 per vault."
MAX_ACCESS_POLICIES = 1024

#: ``POST /subscriptions/{s}/providers/Microsoft.KeyVault/checkNameAvailability`` and its RBAC action.
CHECK_NAME_AVAILABILITY = "checkNameAvailability"
READ_CHECK_NAME_AVAILABILITY = "Microsoft.KeyVault/checkNameAvailability/read"
#: The ``reason`` values of ``CheckNameAvailabilityResult`` (REST enum).
REASON_INVALID = "AccountNameInvalid"
REASON_ALREADY_EXISTS = "AlreadyExists"
#: JSON.NET's message for a missing required property, as ARM wraps it (INFERRED: no capture found for
#: checkNameAvailability; the "Required property '…' not found in JSON. Path '…', line …, position …." form is
#: JSON.NET's, SEEN in Azure/azure-powershell issue 12582).
MISSING_NAME_DETAIL = "Required property 'name' not found in JSON. Path '', line 1, position 1."

_NAME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9-]{1,22}[A-Za-z0-9]$")
_BOOL_PROPS = ("enabledForDeployment", "enabledForTemplateDeployment", "enabledForDiskEncryption",
               "enableRbacAuthorization", "enableSoftDelete", "enablePurgeProtection")


def vault_uri(name: str) -> str:
    """``https://{name}.vault.azure.net/``, keeping the case the vault was created with (as Azure shows it)."""
    return KEY_VAULT_URI_TEMPLATE.format(name=name)


def vault_defaults(name: str, tenant_id: str) -> dict[str, Any]:
    """The properties ARM fills in for a new vault when the body leaves them out."""
    return {
        "sku": dict(DEFAULT_SKU),
        "tenantId": tenant_id,
        "accessPolicies": [],
        "enabledForDeployment": False,
        "enabledForDiskEncryption": False,
        "enabledForTemplateDeployment": False,
        "enableSoftDelete": True,
        "softDeleteRetentionInDays": SOFT_DELETE_RETENTION_DAYS,
        "enableRbacAuthorization": False,
        "vaultUri": vault_uri(name),
        "publicNetworkAccess": "Enabled",
    }


def _bad(message: str) -> PlaneError:
    return arm_error(400, BAD_REQUEST, message)


def _name_is_valid(name: str) -> bool:
    return bool(_NAME_RE.match(name)) and "--" not in name


def _check_name(name: str) -> None:
    if not _name_is_valid(name):
        raise arm_error(400, VAULT_NAME_NOT_VALID, VAULT_NAME_NOT_VALID_TEMPLATE.format(name=name))


def _name_taken(ctx: ArmContext, name: str) -> bool:
    return any(v.name.lower() == name.lower() for v in ctx.world.store.list_resources(type=KEY_VAULT_TYPE))


def check_name_availability(ctx: ArmContext, name: str) -> dict[str, Any]:
    """``CheckNameAvailabilityResult``: vault names are global, so any vault anywhere takes the name. The
    messages are the ones ARM gives when the same name is refused on create (``VaultNameNotValid``,
    ``VaultAlreadyExists``; INFERRED that the availability check reuses them: no capture found of a ``message``
    from Microsoft.KeyVault/checkNameAvailability)."""
    if not _name_is_valid(name):
        return {"nameAvailable": False, "reason": REASON_INVALID,
                "message": VAULT_NAME_NOT_VALID_TEMPLATE.format(name=name)}
    if _name_taken(ctx, name):
        return {"nameAvailable": False, "reason": REASON_ALREADY_EXISTS,
                "message": VAULT_ALREADY_EXISTS_TEMPLATE.format(name=name)}
    return {"nameAvailable": True}


def provider_action(ctx: ArmContext, name: str) -> Response | None:
    """``POST /subscriptions/{s}/providers/Microsoft.KeyVault/checkNameAvailability``; None for other names."""
    if name.lower() != CHECK_NAME_AVAILABILITY.lower():
        return None
    if ctx.method != "POST":
        raise ctx.method_not_allowed()
    vaults = ctx.world.registry.catalog().find_type(KEY_VAULT_TYPE)
    assert vaults is not None
    ctx.check_version(vaults.api)
    sub = ctx.path.subscription
    ctx.require(READ_CHECK_NAME_AVAILABILITY, f"/subscriptions/{sub}")
    body = ctx.body()
    wanted = body.get("name")
    if not isinstance(wanted, str):
        raise arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(detail=MISSING_NAME_DETAIL))
    return Response.json(200, check_name_availability(ctx, wanted))


def normalize_policies(raw: Any) -> list[dict[str, Any]]:
    """Validate an ``accessPolicies`` array; permissions lower-cased except ARM's camelCase key names."""
    if not isinstance(raw, list):
        raise _bad(INVALID_ACCESS_POLICIES)
    if len(raw) > MAX_ACCESS_POLICIES:
        raise _bad(TOO_MANY_POLICIES)
    out: list[dict[str, Any]] = []
    for i, entry in enumerate(raw):
        if not isinstance(entry, dict):
            raise _bad(INVALID_ACCESS_POLICIES)
        policy: dict[str, Any] = {}
        for key in ("tenantId", "objectId"):
            value = entry.get(key)
            if not isinstance(value, str) or not is_guid(value):
                raise _bad(INVALID_ACCESS_POLICY_TEMPLATE.format(index=i, field=key[0].upper() + key[1:],
                                                                 value=value if isinstance(value, str) else ""))
            policy[key] = value
        app = entry.get("applicationId")
        if app is not None:
            policy["applicationId"] = str(app)
        perms = entry.get("permissions", {})
        if not isinstance(perms, dict):
            raise _bad(INVALID_ACCESS_POLICIES)
        clean: dict[str, list[str]] = {}
        for kind, names in perms.items():
            allowed = _PERMISSION_NAMES.get(str(kind))
            if allowed is None or not isinstance(names, list):
                raise _bad(INVALID_ACCESS_POLICIES)
            lowered = {a.lower(): a for a in allowed}
            picked: list[str] = []
            for name in names:
                if not isinstance(name, str) or name.lower() not in lowered:
                    raise _bad(INVALID_ACCESS_POLICIES)
                if name.lower() not in (p.lower() for p in picked):
                    picked.append(name.lower() if kind != "keys" else lowered[name.lower()])
            clean[str(kind)] = picked
        policy["permissions"] = clean
        out.append(policy)
    return out


def _same_principal(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return (str(a.get("tenantId", "")).lower() == str(b.get("tenantId", "")).lower()
            and str(a.get("objectId", "")).lower() == str(b.get("objectId", "")).lower()
            and str(a.get("applicationId") or "").lower() == str(b.get("applicationId") or "").lower())


def apply_policy_operation(current: list[dict[str, Any]], change: list[dict[str, Any]], op: str) -> list[dict[str, Any]]:
    """The vault's new list after ``add`` (union of permissions), ``remove`` (difference) or ``replace``."""
    if op == "replace":
        return [dict(p) for p in change]
    result = [{**p, "permissions": {k: list(v) for k, v in (p.get("permissions") or {}).items()}} for p in current]
    for entry in change:
        target = next((p for p in result if _same_principal(p, entry)), None)
        if op == "add":
            if target is None:
                result.append({**entry, "permissions": {k: list(v) for k, v in entry["permissions"].items()}})
                continue
            for kind, names in entry["permissions"].items():
                have = target["permissions"].setdefault(kind, [])
                have.extend(n for n in names if n.lower() not in {h.lower() for h in have})
        elif target is not None:  # remove
            for kind, names in entry["permissions"].items():
                drop = {n.lower() for n in names}
                target["permissions"][kind] = [n for n in target["permissions"].get(kind, [])
                                               if n.lower() not in drop]
            if not any(target["permissions"].values()):
                result.remove(target)
    return result


def _vault_prepare(ctx: ArmContext, body: dict[str, Any], existing: Resource | None,
                   properties: dict[str, Any]) -> dict[str, Any]:
    name = ctx.path.names[0]
    _check_name(name)
    store = ctx.world.store
    if existing is None:
        if _name_taken(ctx, name):
            raise arm_error(409, VAULT_ALREADY_EXISTS, VAULT_ALREADY_EXISTS_TEMPLATE.format(name=name))
        kv_model.purge_vault(store, name)
    base = vault_defaults(existing.name if existing is not None else name, ctx.world.tenant_id)
    if existing is not None:
        base.update(existing.properties)
    props = dict(properties)
    for key in _BOOL_PROPS:
        if key in props and props[key] is not None and not isinstance(props[key], bool):
            raise _bad(INVALID_PROPERTY_TEMPLATE.format(name=key, detail="expected a boolean."))
    if "accessPolicies" in props:
        props["accessPolicies"] = normalize_policies(props["accessPolicies"] or [])
    sku = props.get("sku")
    if sku is not None and (not isinstance(sku, dict) or str(sku.get("name", "standard")).lower()
                            not in ("standard", "premium")):
        raise _bad(INVALID_PROPERTY_TEMPLATE.format(name="sku", detail="expected {family: A, name: standard|premium}."))
    days = props.get("softDeleteRetentionInDays")
    if days is not None and (not isinstance(days, int) or isinstance(days, bool) or not 7 <= days <= 90):
        raise _bad(INVALID_PROPERTY_TEMPLATE.format(name="softDeleteRetentionInDays",
                                                    detail="must be an integer between 7 and 90."))
    if props.get("tenantId") in (None, ""):
        props.pop("tenantId", None)
    base.update({k: v for k, v in props.items() if v is not None or k not in base})
    base["vaultUri"] = vault_uri(existing.name if existing is not None else name)
    if base.get("enableSoftDelete") is None:
        base["enableSoftDelete"] = True
    return base


def _policies_prepare(ctx: ArmContext, body: dict[str, Any], properties: dict[str, Any]) -> dict[str, Any]:
    vault_name, op = ctx.path.names[0], ctx.path.names[1]
    if op.lower() not in ACCESS_POLICY_OPERATIONS:
        raise _bad(INVALID_OPERATION_KIND_TEMPLATE.format(value=op))
    change = normalize_policies(properties.get("accessPolicies") or [])
    sub, rg = ctx.path.subscription, ctx.path.resource_group
    assert sub is not None and rg is not None
    vault = ctx.world.store.get_resource(ctx.path.resource_id.rsplit("/", 2)[0])
    if vault is None:  # checked by the generic handler already; kept for safety
        raise arm_error(404, "ResourceNotFound", f"The Resource '{KEY_VAULT_TYPE}/{vault_name}' under resource "
                        f"group '{rg}' was not found. For more details please go to "
                        "https://aka.ms/ARMResourceNotFoundFix")
    current = list(vault.properties.get("accessPolicies") or [])
    updated = apply_policy_operation(current, change, op.lower())
    ctx.world.backend.create_or_update_resource(sub, vault.resource_group, KEY_VAULT_TYPE, vault.name,
                                                vault.location, {"accessPolicies": updated})
    return {"accessPolicies": change}


def prepare(ctx: ArmContext, rtype: ResourceType, body: dict[str, Any], existing: Resource | None,
            properties: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete a vault (or apply an access-policy operation) before ARM stores it."""
    if rtype.full_type.lower() == ACCESS_POLICIES_TYPE.lower():
        return _policies_prepare(ctx, body, properties)
    return _vault_prepare(ctx, body, existing, properties)


def after_write(ctx: ArmContext, rtype: ResourceType, saved: Resource) -> None:
    """An access-policy operation is not a resource: forget the record the generic handler wrote."""
    if rtype.full_type.lower() == ACCESS_POLICIES_TYPE.lower():
        ctx.world.store.delete_resource(saved.id)


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    """A vault as ARM returns it (defaults filled for records written before they existed)."""
    if res.type.lower() != KEY_VAULT_TYPE.lower():
        doc.pop("location", None)
        return doc
    props = vault_defaults(res.name, ctx.world.tenant_id)
    props.update(doc.get("properties") or {})
    props["vaultUri"] = vault_uri(res.name)
    props.setdefault("provisioningState", "Succeeded")
    doc["properties"] = props
    doc.setdefault("tags", {})
    return doc
