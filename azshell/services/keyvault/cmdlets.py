"""Az.KeyVault: vaults through ARM, access policies, and secrets through the Key Vault data plane.

Every call carries the current account's token (ARM for vaults and policies, ``https://vault.azure.net`` for
secrets), so the planes decide, as Azure does: a VM identity without an access policy gets Key Vault's own 403.

=====================================  =====================================================================
``New-AzKeyVault``                     PUT vault; RBAC authorization by default (current Az), or
                                       ``-DisableRbacAuthorization`` with the creator's access policy
``Get-AzKeyVault`` / ``Remove-...``    GET / list / DELETE through ARM
``Set/Remove-AzKeyVaultAccessPolicy``  PUT ``.../accessPolicies/replace`` with the edited list
``Set/Get/Remove-AzKeyVaultSecret``    the data plane (``-AsPlainText``, ``-IncludeVersions``, ``-InRemovedState``)
``Undo-AzKeyVaultSecretRemoval``       POST ``/deletedsecrets/{name}/recover``
=====================================  =====================================================================
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx

from azshell.cmdlets._base import (
    AzCmdlet,
    AzureRestError,
    access_hints,
    category_for_status,
    encode_path,
    json_result,
    reason_phrase,
)
from azshell.cmdlets._objects import plain, tags_table
from azshell.cmdlets.context import decode_claims
from azshell.hostnames import KEY_VAULT_HOST_SUFFIX, KEY_VAULT_RESOURCE
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSHashtable, PSObject, SecureString

__all__ = ["COMMANDS", "COMPLETERS", "register_views"]

# ------------------------------------------------------------------------------------------- Azure strings
KEY_VAULT_TYPE = "Microsoft.KeyVault/vaults"
#: Az.KeyVault's management and data-plane api-versions.
API_KEY_VAULT = "2023-07-01"
API_KEY_VAULT_DATA = "7.4"

PS_KEY_VAULT = "Microsoft.Azure.Commands.KeyVault.Models.PSKeyVault"
PS_KEY_VAULT_IDENTITY_ITEM = "Microsoft.Azure.Commands.KeyVault.Models.PSKeyVaultIdentityItem"
PS_ACCESS_POLICY = "Microsoft.Azure.Commands.KeyVault.Models.PSKeyVaultAccessPolicy"
PS_SECRET = "Microsoft.Azure.Commands.KeyVault.Models.PSKeyVaultSecret"
PS_SECRET_IDENTITY_ITEM = "Microsoft.Azure.Commands.KeyVault.Models.PSKeyVaultSecretIdentityItem"
PS_DELETED_SECRET = "Microsoft.Azure.Commands.KeyVault.Models.PSDeletedKeyVaultSecret"
PS_DELETED_SECRET_IDENTITY_ITEM = "Microsoft.Azure.Commands.KeyVault.Models.PSDeletedKeyVaultSecretIdentityItem"
KEY_VAULT_EXCEPTION = "Azure.RequestFailedException"

#: Access-policy permission names as Az's ValidateSet lists them.
SECRET_PERMISSIONS = ("all", "get", "list", "set", "delete", "backup", "restore", "recover", "purge")
KEY_PERMISSIONS = ("all", "decrypt", "encrypt", "unwrapKey", "wrapKey", "verify", "sign", "get", "list", "update",
                   "create", "import", "delete", "backup", "restore", "recover", "purge", "release", "rotate",
                   "getrotationpolicy", "setrotationpolicy")
CERTIFICATE_PERMISSIONS = ("all", "get", "list", "delete", "create", "import", "update", "managecontacts",
                           "getissuers", "listissuers", "setissuers", "deleteissuers", "manageissuers", "recover",
                           "purge", "backup", "restore")
STORAGE_PERMISSIONS = ("all", "get", "list", "delete", "set", "update", "regeneratekey", "getsas", "listsas",
                       "deletesas", "setsas", "recover", "backup", "restore", "purge")
#: What New-AzKeyVault -DisableRbacAuthorization grants the creator.
CREATOR_PERMISSIONS: dict[str, list[str]] = {"keys": ["all"], "secrets": ["all"], "certificates": ["all"],
                                             "storage": ["all"]}

#: Az's messages. INFERRED: the subscription-wide one (no capture found).
VAULT_NOT_FOUND_TEMPLATE = "Cannot find vault '{name}' in the current subscription."
#: SEEN (Azure/ahds-reference-architecture issue 3: "Cannot find vault 'eslz-kv-…' in resource group ''.").
VAULT_NOT_FOUND_IN_RG_TEMPLATE = "Cannot find vault '{name}' in resource group '{rg}'."
#: Az's text when -UserPrincipalName / -ServicePrincipalName do not resolve (wording as Az prints it).
AD_OBJECT_NOT_FOUND_TEMPLATE = (
    "Cannot find the Active Directory object '{name}' in tenant '{tenant}'. Please make sure that the user or "
    "application service principal you are authorizing is registered in the current subscription's Azure Active "
    "directory. The TenantID of displayed subscription is '{tenant}'."
)
RBAC_VAULT_WARNING = (
    "Access policies are not used by vault '{name}': it uses the Azure role-based access control permission model "
    "(EnableRbacAuthorization). Grant a Key Vault role with New-AzRoleAssignment instead."
)
NO_PERMISSIONS_MESSAGE = "Specify at least one of -PermissionsToKeys, -PermissionsToSecrets, -PermissionsToCertificates."
NO_PRINCIPAL_MESSAGE = "Specify the principal with -ObjectId, -UserPrincipalName or -ServicePrincipalName."
REQUEST_FAILED_TEMPLATE = "{message}\nStatus: {status} ({reason})\nErrorCode: {code}"


# --------------------------------------------------------------------------------------------- objects
def _epoch_to_datetime(value: Any) -> datetime | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, tz=UTC)
    return None


def _datetime_to_epoch(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        dt = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
        return int(dt.timestamp())
    try:
        return int(datetime.fromisoformat(str(value)).replace(tzinfo=UTC).timestamp())
    except ValueError:
        return None


def _split_secret_id(ident: str) -> tuple[str, str, str | None]:
    """``https://v.vault.azure.net/secrets/name[/version]`` → (vault, name, version)."""
    rest = ident.split("://", 1)[-1]
    host, _, path = rest.partition("/")
    vault = host.split(".", 1)[0]
    parts = [p for p in path.split("/") if p]
    name = parts[1] if len(parts) > 1 else ""
    version = parts[2] if len(parts) > 2 else None
    return vault, name, version


def _policy_object(p: dict[str, Any], services: Any) -> PSObject:
    perms = p.get("permissions") or {}
    obj_id = str(p.get("objectId", ""))
    found = services.directory_object(obj_id) if obj_id else None
    display = ""
    if found is not None:
        upn = getattr(found, "user_principal_name", None)
        display = f"{found.display_name} ({upn})" if upn else str(found.display_name)
    return PSObject([
        ("TenantId", p.get("tenantId")),
        ("TenantName", p.get("tenantId")),
        ("ObjectId", obj_id),
        ("ApplicationId", p.get("applicationId")),
        ("DisplayName", display),
        ("PermissionsToKeys", list(perms.get("keys") or [])),
        ("PermissionsToSecrets", list(perms.get("secrets") or [])),
        ("PermissionsToCertificates", list(perms.get("certificates") or [])),
        ("PermissionsToStorage", list(perms.get("storage") or [])),
    ], type_names=(PS_ACCESS_POLICY, "System.Object"))


def _policies_text(policies: list[PSObject]) -> str:
    if not policies:
        return ""
    blocks = []
    for p in policies:
        rows = [("Tenant ID", p.get("TenantId")), ("Object ID", p.get("ObjectId")),
                ("Application ID", p.get("ApplicationId") or ""), ("Display Name", p.get("DisplayName")),
                ("Permissions to Keys", ", ".join(p.get("PermissionsToKeys") or [])),
                ("Permissions to Secrets", ", ".join(p.get("PermissionsToSecrets") or [])),
                ("Permissions to Certificates", ", ".join(p.get("PermissionsToCertificates") or [])),
                ("Permissions to (Key Vault Managed) Storage", ", ".join(p.get("PermissionsToStorage") or []))]
        blocks.append("\n".join(f"{label:<43}: {value}" for label, value in rows))
    return "\n\n" + "\n\n".join(blocks) + "\n"


def _rg_of(resource_id: str) -> str:
    parts = resource_id.strip("/").split("/")
    for i, p in enumerate(parts):
        if p.lower() == "resourcegroups" and i + 1 < len(parts):
            return parts[i + 1]
    return ""


def vault_object(data: dict[str, Any], services: Any) -> PSObject:
    """ARM vault JSON → ``PSKeyVault``."""
    props = data.get("properties") or {}
    sku = props.get("sku") or {}
    policies = [_policy_object(p, services) for p in props.get("accessPolicies") or [] if isinstance(p, dict)]
    sku_name = str(sku.get("name", "standard"))
    obj = PSObject([
        ("VaultName", data.get("name", "")),
        ("ResourceGroupName", _rg_of(str(data.get("id", "")))),
        ("Location", data.get("location", "")),
        ("ResourceId", data.get("id", "")),
        ("VaultUri", props.get("vaultUri", "")),
        ("TenantId", props.get("tenantId", "")),
        ("TenantName", props.get("tenantId", "")),
        ("Sku", sku_name[:1].upper() + sku_name[1:]),
        ("EnabledForDeployment", bool(props.get("enabledForDeployment"))),
        ("EnabledForTemplateDeployment", bool(props.get("enabledForTemplateDeployment"))),
        ("EnabledForDiskEncryption", bool(props.get("enabledForDiskEncryption"))),
        ("EnableSoftDelete", props.get("enableSoftDelete")),
        ("SoftDeleteRetentionInDays", props.get("softDeleteRetentionInDays")),
        ("EnablePurgeProtection", props.get("enablePurgeProtection")),
        ("EnableRbacAuthorization", bool(props.get("enableRbacAuthorization"))),
        ("PublicNetworkAccess", props.get("publicNetworkAccess", "Enabled")),
        ("AccessPolicies", policies),
        ("AccessPoliciesText", _policies_text(policies)),
        ("NetworkAcls", props.get("networkAcls")),
        ("Tags", tags_table(data.get("tags"))),
        ("TagsTable", None),
    ], type_names=(PS_KEY_VAULT, "Microsoft.Azure.Commands.KeyVault.Models.PSKeyVaultIdentityItem",
                   "System.Object"))
    return obj


def vault_identity_item(data: dict[str, Any]) -> PSObject:
    """ARM vault JSON → ``PSKeyVaultIdentityItem`` (what listing vaults returns)."""
    return PSObject([
        ("VaultName", data.get("name", "")),
        ("ResourceGroupName", _rg_of(str(data.get("id", "")))),
        ("Location", data.get("location", "")),
        ("ResourceId", data.get("id", "")),
        ("Tags", tags_table(data.get("tags"))),
        ("TagsTable", None),
    ], type_names=(PS_KEY_VAULT_IDENTITY_ITEM, "System.Object"))


def _secret_props(data: dict[str, Any]) -> list[tuple[str, Any]]:
    ident = str(data.get("id", ""))
    vault, name, version = _split_secret_id(ident)
    attrs = data.get("attributes") or {}
    return [
        ("VaultName", vault),
        ("Name", name),
        ("Version", version),
        ("Id", ident),
        ("Enabled", bool(attrs.get("enabled", True))),
        ("Expires", _epoch_to_datetime(attrs.get("exp"))),
        ("NotBefore", _epoch_to_datetime(attrs.get("nbf"))),
        ("Created", _epoch_to_datetime(attrs.get("created"))),
        ("Updated", _epoch_to_datetime(attrs.get("updated"))),
        ("ContentType", data.get("contentType")),
        ("Tags", tags_table(data.get("tags"))),
        ("TagsTable", None),
        ("RecoveryLevel", attrs.get("recoveryLevel")),
    ]


def secret_object(data: dict[str, Any]) -> PSObject:
    """A secret bundle → ``PSKeyVaultSecret`` (``SecretValue`` a SecureString, as Az 5+ gives it)."""
    props = _secret_props(data)
    value = data.get("value")
    props.insert(0, ("SecretValue", SecureString(str(value)) if value is not None else None))
    props.insert(1, ("Attributes", PSObject([(k, v) for k, v in props[5:10]])))
    return PSObject(props, type_names=(PS_SECRET, PS_SECRET_IDENTITY_ITEM, "System.Object"))


def secret_identity_item(data: dict[str, Any]) -> PSObject:
    """A secret item of a list → ``PSKeyVaultSecretIdentityItem``."""
    return PSObject(_secret_props(data), type_names=(PS_SECRET_IDENTITY_ITEM, "System.Object"))


def deleted_secret_object(data: dict[str, Any], *, item: bool = False) -> PSObject:
    """A deleted secret (bundle or item) → ``PSDeletedKeyVaultSecret[IdentityItem]``."""
    props = _secret_props(data)
    props += [("DeletedDate", _epoch_to_datetime(data.get("deletedDate"))),
              ("ScheduledPurgeDate", _epoch_to_datetime(data.get("scheduledPurgeDate")))]
    type_name = PS_DELETED_SECRET_IDENTITY_ITEM if item else PS_DELETED_SECRET
    return PSObject(props, type_names=(type_name, "System.Object"))


# ---------------------------------------------------------------------------------------------- base
class _KvCmdlet(AzCmdlet):
    """Vault look-ups through ARM and data-plane calls with the account's Key Vault token."""

    def vaults_path(self, rg: str | None = None) -> str:
        base = f"/subscriptions/{self.subscription_id}"
        if rg:
            base += f"/resourceGroups/{rg}"
        return f"{base}/providers/{KEY_VAULT_TYPE}"

    def find_vault(self, name: str, rg: str | None = None, *, required: bool = True) -> dict[str, Any] | None:
        """The vault's ARM JSON (by name, in a group or anywhere in the subscription)."""
        if rg:
            data = self.arm_get(f"{self.vaults_path(rg)}/{name}", API_KEY_VAULT, allow_404=True)
            if data is None and required:
                self.fail(VAULT_NOT_FOUND_IN_RG_TEMPLATE.format(name=name, rg=rg), category="ObjectNotFound",
                          error_id="ResourceNotFound")
            return data if isinstance(data, dict) else None
        for item in self.arm_list(self.vaults_path(), API_KEY_VAULT):
            if isinstance(item, dict) and str(item.get("name", "")).lower() == name.lower():
                return item
        if required:
            self.fail(VAULT_NOT_FOUND_TEMPLATE.format(name=name), category="ObjectNotFound",
                      error_id="ResourceNotFound")
        return None

    def kv_request(self, method: str, vault: str, path: str, *, body: Any = None,
                   params: dict[str, str] | None = None) -> httpx.Response:
        url = path if path.startswith("https://") else f"https://{vault}{KEY_VAULT_HOST_SUFFIX}{encode_path(path)}"
        return self.bearer_request(method, url, KEY_VAULT_RESOURCE,
                                   params={"api-version": API_KEY_VAULT_DATA, **(params or {})}, body=body,
                                   content_type="application/json")

    def kv_error(self, resp: httpx.Response) -> CmdletError:
        code, message = "", ""
        try:
            data = resp.json()
            err = data.get("error", {}) if isinstance(data, dict) else {}
            code = str(err.get("code") or "")
            message = str(err.get("message") or "")
            inner = err.get("innererror")
            if isinstance(inner, dict) and inner.get("code"):
                code = f"{code} ({inner['code']})" if code else str(inner["code"])
        except ValueError:
            message = resp.text
        status = resp.status_code
        reason = reason_phrase(status)
        text = REQUEST_FAILED_TEMPLATE.format(message=message or reason, status=status, reason=reason,
                                              code=code or reason.replace(" ", ""))
        hints = access_hints(resp, ctx=self.ctx)
        if hints:
            text += "\n" + "\n".join(hints)
        exc = AzureRestError(message or reason, status=status, code=code, error_message=message, response=resp)
        exc.ps_type_name = KEY_VAULT_EXCEPTION
        return CmdletError(text, category=category_for_status(status), error_id=code or str(status), exception=exc)

    def kv(self, method: str, vault: str, path: str, *, body: Any = None, params: dict[str, str] | None = None,
           allow_404: bool = False) -> Any:
        resp = self.kv_request(method, vault, path, body=body, params=params)
        return json_result(resp, self.kv_error, allow_404=allow_404)

    def kv_list(self, vault: str, path: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        data = self.kv("GET", vault, path)
        pages = 0
        while isinstance(data, dict) and pages < 1000:
            out.extend(v for v in data.get("value") or [] if isinstance(v, dict))
            nxt = data.get("nextLink")
            if not nxt:
                break
            pages += 1
            data = self.kv("GET", vault, str(nxt).split("?", 1)[0], params=_query_of(str(nxt)))
        return out

    def caller_object_id(self) -> str:
        return str(decode_claims(self.token()).get("oid", ""))

    def resolve_principal(self) -> str:
        """The object ID named by -ObjectId / -UserPrincipalName / -ServicePrincipalName."""
        p = self.bound
        if p.get("ObjectId"):
            return str(p["ObjectId"])
        upn = p.get("UserPrincipalName")
        if upn:
            found = self.services.find_principals(user_principal_name=str(upn))
            if not found:
                self.fail(AD_OBJECT_NOT_FOUND_TEMPLATE.format(name=upn, tenant=self.tenant_id),
                          category="ObjectNotFound")
            return str(found[0].object_id)
        spn = p.get("ServicePrincipalName")
        if spn:
            found = (self.services.find_principals(app_id=str(spn))
                     or self.services.find_principals(display_name=str(spn)))
            if not found:
                self.fail(AD_OBJECT_NOT_FOUND_TEMPLATE.format(name=spn, tenant=self.tenant_id),
                          category="ObjectNotFound")
            return str(found[0].object_id)
        self.fail(NO_PRINCIPAL_MESSAGE)


def _query_of(url: str) -> dict[str, str]:
    from urllib.parse import parse_qsl

    query = dict(parse_qsl(url.split("?", 1)[1], keep_blank_values=True)) if "?" in url else {}
    query.pop("api-version", None)
    return query


_VAULT_NAME = Param("VaultName", "string", mandatory=True, position=0, aliases=("Name",), completer="vault",
                    value_from_pipeline_by_property_name=True, validate_not_null_or_empty=True)
#: the secret cmdlets' -VaultName (no ``Name`` alias there: -Name is the secret)
_SECRET_VAULT_NAME = Param("VaultName", "string", mandatory=True, position=0, completer="vault",
                           value_from_pipeline_by_property_name=True, validate_not_null_or_empty=True)


def _perm_param(name: str, allowed: tuple[str, ...], aliases: tuple[str, ...] = ()) -> Param:
    return Param(name, "string[]", validate_set=allowed, aliases=aliases)


# ---------------------------------------------------------------------------------------------- vaults
class NewAzKeyVault(_KvCmdlet):
    name = "New-AzKeyVault"
    aliases = ("New-AzureRmKeyVault",)
    synopsis = "Creates a key vault."
    description = (
        "Creates a key vault through ARM. As current Az does, the vault uses Azure role-based access control for "
        "its data plane (EnableRbacAuthorization); with -DisableRbacAuthorization it uses access policies, and "
        "the creator gets an access policy with every key, secret and certificate permission."
    )
    supports_should_process = True
    params = (
        Param("Name", "string", mandatory=True, position=0, aliases=("VaultName",), validate_not_null_or_empty=True),
        Param("ResourceGroupName", "string", mandatory=True, position=1, completer="resource_group"),
        Param("Location", "string", mandatory=True, position=2, completer="location"),
        Param("Sku", "string", validate_set=("Standard", "Premium")),
        Param("EnabledForDeployment", "switch"),
        Param("EnabledForTemplateDeployment", "switch"),
        Param("EnabledForDiskEncryption", "switch"),
        Param("DisableRbacAuthorization", "switch"),
        Param("EnablePurgeProtection", "switch"),
        Param("SoftDeleteRetentionInDays", "int", validate_range=(7, 90)),
        Param("PublicNetworkAccess", "string", validate_set=("Enabled", "Disabled")),
        Param("Tag", "hashtable", aliases=("Tags",)),
    )
    outputs = (PS_KEY_VAULT,)
    examples = (
        Example("New-AzKeyVault -Name contoso-kv -ResourceGroupName myResourceGroup -Location westus",
                "Creates a vault that authorizes data-plane calls with Azure RBAC (Key Vault roles)."),
        Example("New-AzKeyVault -Name mi-lab-vault -ResourceGroupName mi-test -Location westus "
                "-DisableRbacAuthorization",
                "Creates a vault that uses access policies; the creator gets all permissions."),
    )

    def process(self) -> None:
        name = str(self.bound["Name"])
        rg = str(self.bound["ResourceGroupName"])
        location = str(self.bound["Location"]).replace(" ", "").lower()
        if not self.should_process(name, "Create key vault"):
            return
        rbac = not self.bound.get("DisableRbacAuthorization")
        props: dict[str, Any] = {
            "tenantId": self.tenant_id,
            "sku": {"family": "A", "name": str(self.bound.get("Sku") or "Standard").lower()},
            "enabledForDeployment": bool(self.bound.get("EnabledForDeployment")),
            "enabledForTemplateDeployment": bool(self.bound.get("EnabledForTemplateDeployment")),
            "enabledForDiskEncryption": bool(self.bound.get("EnabledForDiskEncryption")),
            "enableRbacAuthorization": rbac,
            "enableSoftDelete": True,
            "softDeleteRetentionInDays": int(self.bound.get("SoftDeleteRetentionInDays") or 90),
            "accessPolicies": [] if rbac else [
                {"tenantId": self.tenant_id, "objectId": self.caller_object_id(),
                 "permissions": {k: list(v) for k, v in CREATOR_PERMISSIONS.items()}}],
        }
        if self.bound.get("EnablePurgeProtection"):
            props["enablePurgeProtection"] = True
        if self.bound.get("PublicNetworkAccess"):
            props["publicNetworkAccess"] = str(self.bound["PublicNetworkAccess"])
        body: dict[str, Any] = {"location": location, "properties": props}
        tag = self.bound.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): "" if v is None else str(v) for k, v in plain(tag).items()}
        data = self.arm_put(f"{self.vaults_path(rg)}/{name}", API_KEY_VAULT, body)
        self.write(vault_object(data or {}, self.services))


class GetAzKeyVault(_KvCmdlet):
    name = "Get-AzKeyVault"
    aliases = ("Get-AzureRmKeyVault",)
    synopsis = "Gets key vaults."
    description = ("Gets one vault (PSKeyVault, with its access policies) by name, or lists the vaults of a "
                   "resource group or of the subscription (PSKeyVaultIdentityItem).")
    params = (
        Param("VaultName", "string", position=0, aliases=("Name",), completer="vault",
              value_from_pipeline_by_property_name=True),
        Param("ResourceGroupName", "string", position=1, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Tag", "hashtable"),
    )
    outputs = (PS_KEY_VAULT, PS_KEY_VAULT_IDENTITY_ITEM)
    examples = (
        Example("Get-AzKeyVault -VaultName contoso-kv", "Gets one vault with its access policies."),
        Example("Get-AzKeyVault -ResourceGroupName myResourceGroup", "Lists the vaults of a group."),
    )

    def process(self) -> None:
        name = self.bound.get("VaultName")
        rg = self.bound.get("ResourceGroupName")
        if name:
            found = self.find_vault(str(name), str(rg) if rg else None, required=False)
            if found is not None:
                if not rg:  # a list item may be abbreviated: read the vault itself
                    found = self.arm_get(str(found["id"]), API_KEY_VAULT) or found
                self.write(vault_object(found, self.services))
            return
        tag = self.bound.get("Tag")
        for item in self.arm_list(self.vaults_path(str(rg) if rg else None), API_KEY_VAULT):
            if isinstance(item, dict):
                if tag is not None:
                    want = {str(k).lower(): str(v) for k, v in plain(tag).items()}
                    have = {str(k).lower(): str(v) for k, v in (item.get("tags") or {}).items()}
                    if any(k not in have or (v and have[k] != v) for k, v in want.items()):
                        continue
                self.write(vault_identity_item(item))


class RemoveAzKeyVault(_KvCmdlet):
    name = "Remove-AzKeyVault"
    aliases = ("Remove-AzureRmKeyVault",)
    synopsis = "Deletes a key vault."
    description = "Deletes a vault through ARM, with its secrets. (azshell does not keep soft-deleted vaults.)"
    supports_should_process = True
    params = (
        _VAULT_NAME,
        Param("ResourceGroupName", "string", position=1, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Location", "string", completer="location"),
        Param("Force", "switch"),
        Param("PassThru", "switch"),
        Param("AsJob", "switch"),
    )
    outputs = ("System.Boolean",)
    examples = (Example("Remove-AzKeyVault -VaultName contoso-kv -Force", "Deletes the vault without asking."),)

    def process(self) -> None:
        name = str(self.bound["VaultName"])
        rg = self.bound.get("ResourceGroupName")
        found = self.find_vault(name, str(rg) if rg else None)
        assert found is not None
        if not self.should_process(name, "Remove vault"):
            return
        self.arm_delete(str(found["id"]), API_KEY_VAULT)
        if self.bound.get("PassThru"):
            self.write(True)


# ----------------------------------------------------------------------------------------- access policies
class _PolicyCmdlet(_KvCmdlet):
    def put_policies(self, vault: dict[str, Any], policies: list[dict[str, Any]]) -> dict[str, Any]:
        body = {"properties": {"accessPolicies": policies}}
        self.arm_put(f"{vault['id']}/accessPolicies/replace", API_KEY_VAULT, body)
        data = self.arm_get(str(vault["id"]), API_KEY_VAULT)
        return data if isinstance(data, dict) else vault

    def warn_if_rbac(self, vault: dict[str, Any]) -> None:
        if (vault.get("properties") or {}).get("enableRbacAuthorization"):
            self.write_warning(RBAC_VAULT_WARNING.format(name=vault.get("name", "")))


def _same(policy: dict[str, Any], oid: str, app: str | None) -> bool:
    return (str(policy.get("objectId", "")).lower() == oid.lower()
            and str(policy.get("applicationId") or "").lower() == str(app or "").lower())


_PRINCIPAL_PARAMS = (
    Param("ObjectId", "string", aliases=("PrincipalId",), parameter_sets=("ByObjectId",), mandatory=True,
          value_from_pipeline_by_property_name=True),
    Param("UserPrincipalName", "string", aliases=("UPN", "EmailAddress"), parameter_sets=("ByUserPrincipalName",),
          mandatory=True, completer="user"),
    Param("ServicePrincipalName", "string", aliases=("SPN",), parameter_sets=("ByServicePrincipalName",),
          mandatory=True),
    Param("ApplicationId", "string"),
)


class SetAzKeyVaultAccessPolicy(_PolicyCmdlet):
    name = "Set-AzKeyVaultAccessPolicy"
    aliases = ("Set-AzureRmKeyVaultAccessPolicy",)
    synopsis = "Grants or modifies existing permissions for a user, application, or security group to perform " \
               "operations with a key vault."
    description = (
        "Sets the principal's access policy on a vault that uses access policies: each -PermissionsTo* given "
        "replaces that category's permissions, the others are kept. Calls ARM's accessPolicies operation with "
        "the current account's token (you need write access to the vault)."
    )
    params = (
        _VAULT_NAME,
        Param("ResourceGroupName", "string", position=1, completer="resource_group"),
        *_PRINCIPAL_PARAMS,
        _perm_param("PermissionsToSecrets", SECRET_PERMISSIONS),
        _perm_param("PermissionsToKeys", KEY_PERMISSIONS),
        _perm_param("PermissionsToCertificates", CERTIFICATE_PERMISSIONS),
        _perm_param("PermissionsToStorage", STORAGE_PERMISSIONS),
        Param("BypassObjectIdValidation", "switch"),
        Param("PassThru", "switch"),
    )
    default_parameter_set = "ByObjectId"
    outputs = (PS_KEY_VAULT,)
    examples = (
        Example("Set-AzKeyVaultAccessPolicy -VaultName mi-lab-vault -ObjectId $spID -PermissionsToSecrets get,list",
                "Lets a VM's managed identity read secrets (the portal's 'Secret Management' template is "
                "get,list,set,delete,recover,backup,restore)."),
        Example("Set-AzKeyVaultAccessPolicy -VaultName contoso-kv -UserPrincipalName admin@contoso.com "
                "-PermissionsToSecrets all -PassThru", "Gives a user every secret permission."),
    )

    def process(self) -> None:
        name = str(self.bound["VaultName"])
        rg = self.bound.get("ResourceGroupName")
        vault = self.find_vault(name, str(rg) if rg else None)
        assert vault is not None
        oid = self.resolve_principal()
        app = self.bound.get("ApplicationId")
        given = {kind: self.bound.get(param) for kind, param in (
            ("keys", "PermissionsToKeys"), ("secrets", "PermissionsToSecrets"),
            ("certificates", "PermissionsToCertificates"), ("storage", "PermissionsToStorage"))}
        given = {k: [str(x) for x in v] for k, v in given.items() if v is not None}
        if not given:
            self.fail(NO_PERMISSIONS_MESSAGE)
        self.warn_if_rbac(vault)
        props = vault.get("properties") or {}
        policies = [dict(p) for p in props.get("accessPolicies") or [] if isinstance(p, dict)]
        entry = next((p for p in policies if _same(p, oid, str(app) if app else None)), None)
        if entry is None:
            entry = {"tenantId": props.get("tenantId") or self.tenant_id, "objectId": oid, "permissions": {}}
            if app:
                entry["applicationId"] = str(app)
            policies.append(entry)
        perms = dict(entry.get("permissions") or {})
        perms.update(given)
        entry["permissions"] = perms
        updated = self.put_policies(vault, policies)
        if self.bound.get("PassThru"):
            self.write(vault_object(updated, self.services))


class RemoveAzKeyVaultAccessPolicy(_PolicyCmdlet):
    name = "Remove-AzKeyVaultAccessPolicy"
    aliases = ("Remove-AzureRmKeyVaultAccessPolicy",)
    synopsis = "Removes all permissions for a user or application from a key vault."
    description = "Removes the principal's access policy from a vault (through ARM's accessPolicies operation)."
    supports_should_process = True
    params = (
        _VAULT_NAME,
        Param("ResourceGroupName", "string", position=1, completer="resource_group"),
        *_PRINCIPAL_PARAMS,
        Param("PassThru", "switch"),
    )
    default_parameter_set = "ByObjectId"
    outputs = (PS_KEY_VAULT,)
    examples = (Example("Remove-AzKeyVaultAccessPolicy -VaultName mi-lab-vault -ObjectId $spID",
                        "Takes away every permission the identity had on the vault."),)

    def process(self) -> None:
        name = str(self.bound["VaultName"])
        rg = self.bound.get("ResourceGroupName")
        vault = self.find_vault(name, str(rg) if rg else None)
        assert vault is not None
        oid = self.resolve_principal()
        app = self.bound.get("ApplicationId")
        if not self.should_process(name, f"Remove access policy of {oid}"):
            return
        policies = [p for p in (vault.get("properties") or {}).get("accessPolicies") or []
                    if isinstance(p, dict) and not _same(p, oid, str(app) if app else None)]
        updated = self.put_policies(vault, policies)
        if self.bound.get("PassThru"):
            self.write(vault_object(updated, self.services))


# ---------------------------------------------------------------------------------------------- secrets
class SetAzKeyVaultSecret(_KvCmdlet):
    name = "Set-AzKeyVaultSecret"
    aliases = ("Set-AzureKeyVaultSecret", "Set-AzureRmKeyVaultSecret")
    synopsis = "Creates or updates a secret in a key vault."
    description = ("Adds a new version of the secret (PUT /secrets/{name} on the vault's data plane, with the "
                   "current account's Key Vault token).")
    supports_should_process = True
    params = (
        _SECRET_VAULT_NAME,
        Param("Name", "string", mandatory=True, position=1, aliases=("SecretName",),
              validate_not_null_or_empty=True),
        Param("SecretValue", "securestring", mandatory=True, position=2),
        Param("ContentType", "string"),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("Disable", "switch"),
        Param("Expires", "datetime"),
        Param("NotBefore", "datetime"),
    )
    outputs = (PS_SECRET,)
    examples = (
        Example('$secret = ConvertTo-SecureString "p@ssw0rd!" -AsPlainText -Force\n'
                "Set-AzKeyVaultSecret -VaultName mi-lab-vault -Name mi-test -SecretValue $secret",
                "Stores a secret."),
        Example("Set-AzKeyVaultSecret -VaultName contoso-kv -Name db -SecretValue $secret -ContentType "
                "'text/plain' -Tag @{env='dev'}", "Stores a secret with a content type and tags."),
    )

    def process(self) -> None:
        vault = str(self.bound["VaultName"])
        name = str(self.bound["Name"])
        value = self.bound["SecretValue"]
        text = value.reveal() if isinstance(value, SecureString) else str(value)
        if not self.should_process(name, "Set secret"):
            return
        body: dict[str, Any] = {"value": text}
        if self.bound.get("ContentType") is not None:
            body["contentType"] = str(self.bound["ContentType"])
        tag = self.bound.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): "" if v is None else str(v) for k, v in plain(tag).items()}
        attrs: dict[str, Any] = {"enabled": not self.bound.get("Disable")}
        for param, key in (("Expires", "exp"), ("NotBefore", "nbf")):
            epoch = _datetime_to_epoch(self.bound.get(param))
            if epoch is not None:
                attrs[key] = epoch
        body["attributes"] = attrs
        data = self.kv("PUT", vault, f"/secrets/{name}", body=body)
        self.write(secret_object(data or {}))


class GetAzKeyVaultSecret(_KvCmdlet):
    name = "Get-AzKeyVaultSecret"
    aliases = ("Get-AzureKeyVaultSecret", "Get-AzureRmKeyVaultSecret")
    synopsis = "Gets the secrets in a key vault."
    description = (
        "Gets a secret (its latest or a given version), lists the vault's secrets or a secret's versions, or "
        "shows deleted secrets (-InRemovedState). -AsPlainText returns the value as a string."
    )
    params = (
        _SECRET_VAULT_NAME,
        Param("Name", "string", position=1, aliases=("SecretName",), value_from_pipeline_by_property_name=True),
        Param("Version", "string", position=2, aliases=("SecretVersion",)),
        Param("IncludeVersions", "switch"),
        Param("InRemovedState", "switch"),
        Param("AsPlainText", "switch"),
    )
    outputs = (PS_SECRET, PS_SECRET_IDENTITY_ITEM, PS_DELETED_SECRET, "System.String")
    examples = (
        Example("Get-AzKeyVaultSecret -VaultName mi-lab-vault -Name mi-test -AsPlainText",
                "Returns the secret's value as plain text."),
        Example("Get-AzKeyVaultSecret -VaultName mi-lab-vault", "Lists the secrets (no values)."),
        Example("Get-AzKeyVaultSecret -VaultName mi-lab-vault -Name mi-test -IncludeVersions",
                "Lists every version of a secret."),
    )

    def process(self) -> None:
        vault = str(self.bound["VaultName"])
        name = self.bound.get("Name")
        if self.bound.get("InRemovedState"):
            if name:
                data = self.kv("GET", vault, f"/deletedsecrets/{name}", allow_404=True)
                if data is not None:
                    self.write(deleted_secret_object(data))
            else:
                for item in self.kv_list(vault, "/deletedsecrets"):
                    self.write(deleted_secret_object(item, item=True))
            return
        if not name:
            for item in self.kv_list(vault, "/secrets"):
                self.write(secret_identity_item(item))
            return
        if self.bound.get("IncludeVersions"):
            for item in self.kv_list(vault, f"/secrets/{name}/versions"):
                self.write(secret_identity_item(item))
            return
        version = self.bound.get("Version")
        data = self.kv("GET", vault, f"/secrets/{name}/{version or ''}", allow_404=True)
        if data is None:
            return
        if self.bound.get("AsPlainText"):
            self.write(data.get("value"))
            return
        self.write(secret_object(data))


class RemoveAzKeyVaultSecret(_KvCmdlet):
    name = "Remove-AzKeyVaultSecret"
    aliases = ("Remove-AzureKeyVaultSecret", "Remove-AzureRmKeyVaultSecret")
    synopsis = "Deletes a secret in a key vault."
    description = ("Deletes a secret (it stays recoverable for the vault's retention period), or with "
                   "-InRemovedState purges a deleted secret for good.")
    supports_should_process = True
    params = (
        _SECRET_VAULT_NAME,
        Param("Name", "string", mandatory=True, position=1, aliases=("SecretName",),
              value_from_pipeline_by_property_name=True),
        Param("InRemovedState", "switch"),
        Param("Force", "switch"),
        Param("PassThru", "switch"),
    )
    outputs = (PS_DELETED_SECRET,)
    examples = (
        Example("Remove-AzKeyVaultSecret -VaultName mi-lab-vault -Name mi-test -Force", "Deletes the secret."),
        Example("Remove-AzKeyVaultSecret -VaultName mi-lab-vault -Name mi-test -InRemovedState -Force",
                "Purges the deleted secret."),
    )

    def process(self) -> None:
        vault = str(self.bound["VaultName"])
        name = str(self.bound["Name"])
        purge = bool(self.bound.get("InRemovedState"))
        if not self.should_process(name, "Permanently remove secret" if purge else "Remove secret"):
            return
        if purge:
            self.kv("DELETE", vault, f"/deletedsecrets/{name}")
            return
        data = self.kv("DELETE", vault, f"/secrets/{name}")
        if self.bound.get("PassThru") and isinstance(data, dict):
            self.write(deleted_secret_object(data))


class UndoAzKeyVaultSecretRemoval(_KvCmdlet):
    name = "Undo-AzKeyVaultSecretRemoval"
    aliases = ("Undo-AzureKeyVaultSecretRemoval", "Undo-AzureRmKeyVaultSecretRemoval")
    synopsis = "Recovers a deleted secret in a key vault into an active state."
    description = "Recovers a soft-deleted secret (POST /deletedsecrets/{name}/recover)."
    params = (
        _SECRET_VAULT_NAME,
        Param("Name", "string", mandatory=True, position=1, aliases=("SecretName",),
              value_from_pipeline_by_property_name=True),
    )
    outputs = (PS_SECRET,)
    examples = (Example("Undo-AzKeyVaultSecretRemoval -VaultName mi-lab-vault -Name mi-test",
                        "Brings the deleted secret back."),)

    def process(self) -> None:
        vault = str(self.bound["VaultName"])
        name = str(self.bound["Name"])
        data = self.kv("POST", vault, f"/deletedsecrets/{name}/recover")
        self.write(secret_object(data or {}))


COMMANDS: tuple[type[AzCmdlet], ...] = (
    NewAzKeyVault, GetAzKeyVault, RemoveAzKeyVault, SetAzKeyVaultAccessPolicy, RemoveAzKeyVaultAccessPolicy,
    SetAzKeyVaultSecret, GetAzKeyVaultSecret, RemoveAzKeyVaultSecret, UndoAzKeyVaultSecretRemoval,
)


# ---------------------------------------------------------------------------------------- completion/views
def _vault_names(services: Any) -> list[str]:
    ctx = services.context
    sub = ctx.subscription_id
    if not sub:
        subs = services.store.list_subscriptions()
        sub = subs[0].subscription_id if subs else None
    return [r.name for r in services.store.list_resources(sub, None, KEY_VAULT_TYPE)] if sub else []


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {"vault": _vault_names}

_VAULT_VIEW: tuple[tuple[str, str], ...] = (
    ("VaultName", "Vault Name"), ("ResourceGroupName", "Resource Group Name"), ("Location", "Location"),
    ("ResourceId", "Resource ID"), ("VaultUri", "Vault URI"), ("TenantId", "Tenant ID"), ("Sku", "SKU"),
    ("EnabledForDeployment", "Enabled For Deployment?"),
    ("EnabledForTemplateDeployment", "Enabled For Template Deployment?"),
    ("EnabledForDiskEncryption", "Enabled For Disk Encryption?"),
    ("EnableRbacAuthorization", "Enabled For RBAC Authorization?"),
    ("EnableSoftDelete", "Soft Delete Enabled?"),
    ("SoftDeleteRetentionInDays", "Soft Delete Retention Period (days)"),
    ("EnablePurgeProtection", "Purge Protection Enabled?"), ("PublicNetworkAccess", "Public Network Access"),
    ("AccessPoliciesText", "Access Policies"), ("Tags", "Tags"),
)
_SECRET_VIEW: tuple[tuple[str, str], ...] = (
    ("VaultName", "Vault Name"), ("Name", "Name"), ("Version", "Version"), ("Id", "Id"), ("Enabled", "Enabled"),
    ("Expires", "Expires"), ("NotBefore", "Not Before"), ("Created", "Created"), ("Updated", "Updated"),
    ("ContentType", "Content Type"), ("Tags", "Tags"),
)
_DELETED_VIEW = _SECRET_VIEW + (("DeletedDate", "Deleted Date"), ("ScheduledPurgeDate", "Scheduled Purge Date"))
_IDENTITY_VIEW: tuple[tuple[str, str], ...] = (
    ("VaultName", "Vault Name"), ("ResourceGroupName", "Resource Group Name"), ("Location", "Location"),
    ("ResourceId", "Resource ID"), ("Tags", "Tags"),
)
_POLICY_VIEW: tuple[tuple[str, str], ...] = (
    ("TenantId", "Tenant ID"), ("ObjectId", "Object ID"), ("ApplicationId", "Application ID"),
    ("DisplayName", "Display Name"), ("PermissionsToKeys", "Permissions to Keys"),
    ("PermissionsToSecrets", "Permissions to Secrets"), ("PermissionsToCertificates", "Permissions to Certificates"),
    ("PermissionsToStorage", "Permissions to (Key Vault Managed) Storage"),
)


def _tags_cell(obj: Any) -> Any:
    value = obj.get("Tags") if hasattr(obj, "get") else None
    if isinstance(value, PSHashtable) and len(value):
        width = max(len(str(k)) for k in value.keys())
        rows = [f"{'Name':<{width}}  Value", f"{'=' * 4:<{width}}  =====",
                *(f"{str(k):<{width}}  {v}" for k, v in value.items())]
        return "\n" + "\n".join(rows)
    return value


def register_views(views: ViewTable) -> None:
    """Az.KeyVault's default list views (labels as its format file spells them)."""
    for type_name, view in ((PS_KEY_VAULT, _VAULT_VIEW), (PS_SECRET, _SECRET_VIEW),
                            (PS_SECRET_IDENTITY_ITEM, _SECRET_VIEW), (PS_DELETED_SECRET, _DELETED_VIEW),
                            (PS_DELETED_SECRET_IDENTITY_ITEM, _DELETED_VIEW),
                            (PS_KEY_VAULT_IDENTITY_ITEM, _IDENTITY_VIEW), (PS_ACCESS_POLICY, _POLICY_VIEW)):
        props: list[Any] = []
        for prop, label in view:
            if prop == "Tags":
                props.append((label, _tags_cell))
            else:
                props.append(prop)
        views.register(type_name, "list", props, labels=dict(view))
