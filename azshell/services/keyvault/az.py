"""Key Vault's ``az`` commands: ``az keyvault create|show`` and ``az keyvault secret set|show`` (the data plane
at ``{vault}.vault.azure.net``, with the session account's token for ``https://vault.azure.net``)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

import httpx

from azshell.cmdlets._base import arm_error_parts
from azshell.cmdlets.context import hint_of
from azshell.cmdlets.linux.az import O_LOCATION, O_NAME, O_RG, Az, AzCommandTable, flatten
from azshell.cmdlets.linux.azcli import EXIT_NOT_FOUND, AzCliError, OptSpec, ParsedArgs
from azshell.hostnames import KEY_VAULT_HOST_SUFFIX, KEY_VAULT_RESOURCE
from azshell.services.keyvault.cmdlets import API_KEY_VAULT, API_KEY_VAULT_DATA
from azshell.services.resources.cmdlets import normalize_location

__all__ = ["AZ_COMMANDS"]


def _data_plane(az: Az, method: str, url: str, resource: str, body: Any = None) -> dict[str, Any]:
    """One Key Vault data-plane call with the session account's token; az's errors for a failure."""
    token = az.token(resource)
    headers = {"Authorization": f"Bearer {token}"}
    content = None
    if body is not None:
        content = json.dumps(body).encode("utf-8")
        headers["Content-Type"] = "application/json"
    try:
        resp = az.services.http.request(method, url, params={"api-version": API_KEY_VAULT_DATA},
                                        headers=headers, content=content)
    except httpx.HTTPError as e:
        hint = hint_of(e)
        host = httpx.URL(url).host
        raise AzCliError(f"Failed to resolve '{host}' ([Errno -2] Name or service not known)"
                         + (f"\nHint: {hint}" if hint else "")) from None
    if resp.status_code >= 400:
        code, msg = arm_error_parts(resp)
        raise AzCliError(f"({code}) {msg}\nCode: {code}\nMessage: {msg}",
                         EXIT_NOT_FOUND if resp.status_code == 404 else 1)
    data = resp.json() if resp.content else {}
    return data if isinstance(data, dict) else {}


def _epoch_iso(value: Any) -> Any:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return datetime.fromtimestamp(value, UTC).isoformat()
    return value


def cmd_keyvault_create(az: Az, a: ParsedArgs) -> Any:
    rg, name = str(a.get("rg")), str(a.get("name"))
    group = az.require_group(rg)
    ctx = az.services.context
    oid = ctx.account.object_id if ctx.account is not None else None
    tid = az.tenant_id
    rbac = str(a.get("enable_rbac_authorization") or "false").casefold() == "true"
    policies = [] if rbac or not oid else [{
        "tenantId": tid, "objectId": oid,
        "permissions": {
            "keys": ["all"], "secrets": ["all"], "certificates": ["all"], "storage": ["all"]}}]
    body = {"location": normalize_location(str(a.get("location") or group.get("location"))),
            "properties": {"tenantId": tid, "sku": {"family": "A", "name": "standard"},
                           "accessPolicies": policies, "enableRbacAuthorization": rbac}}
    return flatten(az.arm_put(f"{az.rg_path(rg)}/providers/Microsoft.KeyVault/vaults/{name}", API_KEY_VAULT, body))


def cmd_keyvault_show(az: Az, a: ParsedArgs) -> Any:
    name = str(a.get("name"))
    rg = a.get("rg")
    if rg:
        return flatten(az.arm_get(f"{az.rg_path(str(rg))}/providers/Microsoft.KeyVault/vaults/{name}",
                                  API_KEY_VAULT))
    for v in az.arm_list(f"/subscriptions/{az.sub}/providers/Microsoft.KeyVault/vaults", API_KEY_VAULT):
        if str(v.get("name", "")).casefold() == name.casefold():
            return flatten(v)
    raise AzCliError(f"The Vault '{name}' not found within subscription.", EXIT_NOT_FOUND)


def _secret(data: dict[str, Any]) -> dict[str, Any]:
    attrs = {k: _epoch_iso(v) for k, v in (data.get("attributes") or {}).items()}
    for k in ("enabled", "expires", "notBefore", "recoverableDays", "recoveryLevel", "created", "updated"):
        attrs.setdefault(k, None)
    sid = str(data.get("id", ""))
    return {"attributes": attrs, "contentType": data.get("contentType"), "id": sid, "kid": data.get("kid"),
            "managed": data.get("managed"), "name": sid.split("/secrets/", 1)[-1].split("/", 1)[0] or None,
            "tags": data.get("tags"), "value": data.get("value")}


def _secret_url(a: ParsedArgs, *segments: object) -> str:
    """``https://{vault}.vault.azure.net/secrets/{name}[/{version}]``, each segment encoded as az does."""
    path = "".join(f"/{quote(str(s), safe='')}" for s in ("secrets", *segments))
    return f"https://{a.get('vault_name')}{KEY_VAULT_HOST_SUFFIX}{path}"


def cmd_secret_set(az: Az, a: ParsedArgs) -> Any:
    url = _secret_url(a, a.get("name"))
    return _secret(_data_plane(az, "PUT", url, KEY_VAULT_RESOURCE, {"value": str(a.get("value") or "")}))


def cmd_secret_show(az: Az, a: ParsedArgs) -> Any:
    url = _secret_url(a, a.get("name"), *([a.get("version")] if a.get("version") else []))
    return _secret(_data_plane(az, "GET", url, KEY_VAULT_RESOURCE))


AZ_COMMANDS: AzCommandTable = {
    ("keyvault", "create"): ((O_NAME, O_RG, O_LOCATION,
                              OptSpec(("--enable-rbac-authorization",), "enable_rbac_authorization", "*")),
                             cmd_keyvault_create),
    ("keyvault", "show"): ((O_NAME, OptSpec(("--resource-group", "-g"), "rg")), cmd_keyvault_show),
    ("keyvault", "secret", "set"): ((OptSpec(("--vault-name",), "vault_name", required=True), O_NAME,
                                     OptSpec(("--value",), "value"),
                                     OptSpec(("--description",), "description")), cmd_secret_set),
    ("keyvault", "secret", "show"): ((OptSpec(("--vault-name",), "vault_name", required=True), O_NAME,
                                      OptSpec(("--version",), "version")), cmd_secret_show),
}
