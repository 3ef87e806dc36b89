"""ARM hooks for ``Microsoft.Storage/storageAccounts``: the account, its keys, and its SAS-making POST actions.

What ARM adds to an account beyond "store the properties": the name rule (3-24 lower-case letters and digits,
400 ``AccountNameInvalid``) and global uniqueness (409 ``StorageAccountAlreadyTaken``), ``primaryEndpoints``
with the real host names, ``creationTime``, two access keys made at creation (kept in the service's own table,
never in the resource), and the defaults an account answers with. Resource actions, each checked against its
real RBAC action (so Reader cannot list keys, and the Key Operator role or Storage Account Contributor can)::

    POST …/listKeys            {"keys":[{"keyName":"key1","value":…,"permissions":"Full"|"FULL"},…]}
    POST …/regenerateKey       {"keyName":"key1"}  → the keys
    POST …/listServiceSas      ServiceSasParameters → {"serviceSasToken":"sv=2015-04-05&sr=c&…"}
    POST …/listAccountSas      AccountSasParameters → {"accountSasToken":"sv=2015-04-05&ss=b&…"}

The tutorials' ``listKeys/?api-version=…`` (slash before ``?``) reaches the same action, and the JSON body of
``listServiceSas`` is read whatever the Content-Type (PowerShell's ``-Body`` string goes as form-urlencoded).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from azshell.hostnames import (
    STORAGE_BLOB_HOST_SUFFIX,
    STORAGE_DFS_HOST_SUFFIX,
    STORAGE_FILE_HOST_SUFFIX,
    STORAGE_QUEUE_HOST_SUFFIX,
    STORAGE_TABLE_HOST_SUFFIX,
    STORAGE_WEB_HOST_SUFFIX,
)
from azshell.model.types import STORAGE_ACCOUNT_TYPE, Resource
from azshell.planes._shared import (
    INVALID_REQUEST_CONTENT,
    INVALID_REQUEST_CONTENT_TEMPLATE,
    arm_error,
    format_iso,
)
from azshell.planes.base import PlaneError, Response
from azshell.services.storage import model as st
from azshell.services.storage.catalog import (
    CHECK_NAME_AVAILABILITY_ACTION,
    LIST_ACCOUNT_SAS_ACTION,
    LIST_KEYS_ACTION,
    LIST_SERVICE_SAS_ACTION,
    REGENERATE_KEY_ACTION,
)
from azshell.services.storage.plane_auth import make_account_sas, make_service_sas, parse_sas_time, sas_time

if TYPE_CHECKING:
    from azshell.planes.arm._context import ArmContext
    from azshell.planes.catalog import ResourceType

__all__ = [
    "account_keys",
    "after_write",
    "endpoints_of",
    "find_account",
    "prepare",
    "provider_action",
    "render",
    "resource_action",
]

# ------------------------------------------------------------------------------------------------- strings
ACCOUNT_NAME_INVALID = "AccountNameInvalid"
#: SEEN (ARM deployment errors and ``az storage account create``).
ACCOUNT_NAME_INVALID_TEMPLATE = (
    "{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in "
    "length and use numbers and lower-case letters only."
)
ACCOUNT_ALREADY_TAKEN = "StorageAccountAlreadyTaken"
ACCOUNT_ALREADY_TAKEN_TEMPLATE = "The storage account named {name} is already taken."
ALREADY_EXISTS_REASON = "AlreadyExists"
INVALID_VALUES = "InvalidValuesForRequestParameters"
#: INFERRED wording of the Storage resource provider's parameter validation.
INVALID_VALUES_TEMPLATE = "Values for request parameters are invalid: {names}."
INVALID_KEY_NAME_TEMPLATE = "Invalid value for parameter 'keyName': '{value}'. Allowed values are key1, key2."  # INFERRED

#: The version of every SAS the resource provider signs (the 2017 tutorials print it; INFERRED unchanged since).
ARM_SAS_VERSION = "2015-04-05"
#: Key permissions were written ``Full`` before this version and ``FULL`` from it (INFERRED boundary), and keys
#: carry their ``creationTime`` from 2021-01-01 on (INFERRED boundary).
UPPER_PERMISSIONS_FROM = "2018-02-01"
KEY_CREATION_TIME_FROM = "2021-01-01"
#: The Storage resource provider answers a create that completes at once with 200 (its SDKs accept 200 or 202)
CREATED_STATUS = 200
DEFAULT_SKU = "Standard_LRS"
DEFAULT_KIND = "StorageV2"
CHECK_NAME_AVAILABILITY = "checkNameAvailability"

_NAME_RE = re.compile(r"^[a-z0-9]{3,24}$")
#: Properties the resource provider owns: a PUT body's values are ignored.
_SERVER_OWNED = ("creationTime", "primaryEndpoints", "primaryLocation", "statusOfPrimary", "provisioningState",
                 "keyCreationTime", "secondaryEndpoints", "secondaryLocation", "statusOfSecondary")


def endpoints_of(name: str) -> dict[str, str]:
    """``primaryEndpoints``, in the order Azure writes them."""
    return {
        "dfs": f"https://{name}{STORAGE_DFS_HOST_SUFFIX}/",
        "web": f"https://{name}{STORAGE_WEB_HOST_SUFFIX}/",
        "blob": f"https://{name}{STORAGE_BLOB_HOST_SUFFIX}/",
        "queue": f"https://{name}{STORAGE_QUEUE_HOST_SUFFIX}/",
        "table": f"https://{name}{STORAGE_TABLE_HOST_SUFFIX}/",
        "file": f"https://{name}{STORAGE_FILE_HOST_SUFFIX}/",
    }


def find_account(ctx_world: Any, name: str) -> Resource | None:
    """The account with this name (account names are global), or None."""
    for res in ctx_world.store.list_resources(type=STORAGE_ACCOUNT_TYPE):
        if res.name.lower() == name.lower():
            found: Resource = res
            return found
    return None


def account_keys(world: Any, name: str) -> st.AccountKeys:
    """The account's keys (made now for an account created before keys were kept)."""
    return st.get_keys(world.store, name.lower()) or st.create_keys(world.store, name.lower(),
                                                                     now=world.clock.now())


# ----------------------------------------------------------------------------------------------------- hooks
def prepare(ctx: ArmContext, rtype: ResourceType, body: dict[str, Any], existing: Resource | None,
            properties: dict[str, Any]) -> dict[str, Any]:
    """Validate and complete an account before ARM stores it."""
    name = ctx.path.names[-1]
    if existing is None:
        if not _NAME_RE.match(name):
            raise arm_error(400, ACCOUNT_NAME_INVALID, ACCOUNT_NAME_INVALID_TEMPLATE.format(name=name))
        if find_account(ctx.world, name) is not None:
            raise arm_error(409, ACCOUNT_ALREADY_TAKEN, ACCOUNT_ALREADY_TAKEN_TEMPLATE.format(name=name))
        st.reset_account(ctx.world.store, name.lower())
    allow = properties.get("allowSharedKeyAccess")
    if allow is not None and not isinstance(allow, bool):
        raise arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(
            detail="Error converting value to type 'Boolean'. Path 'properties.allowSharedKeyAccess'."))
    old = dict(existing.properties) if existing is not None else {}
    props = {k: v for k, v in properties.items() if k not in _SERVER_OWNED}
    merged = {**old, **props}
    now = ctx.world.clock.now()
    location = str(body.get("location") or (existing.location if existing is not None else ""))
    merged["creationTime"] = old.get("creationTime") or format_iso(now)
    merged["primaryEndpoints"] = endpoints_of(name.lower())
    merged["primaryLocation"] = location.replace(" ", "").lower()
    merged["statusOfPrimary"] = "available"
    return merged


def after_write(ctx: ArmContext, rtype: ResourceType, saved: Resource) -> None:
    """Make the account's two keys (kept by the service, not in the resource)."""
    account_keys(ctx.world, saved.name)


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    """An account as the Storage resource provider returns it (defaults for what the PUT left out)."""
    raw_sku = doc.get("sku")
    sku: dict[str, Any] = raw_sku if isinstance(raw_sku, dict) else {}
    sku_name = str(sku.get("name") or DEFAULT_SKU)
    doc["sku"] = {"name": sku_name, "tier": "Premium" if sku_name.lower().startswith("premium") else "Standard"}
    doc["kind"] = doc.get("kind") or DEFAULT_KIND
    keys = st.get_keys(ctx.world.store, res.name.lower())
    props = dict(doc.get("properties") or {})
    out: dict[str, Any] = {}
    if keys is not None and ctx.api_version >= KEY_CREATION_TIME_FROM:
        out["keyCreationTime"] = {"key1": format_iso(keys.key1_created), "key2": format_iso(keys.key2_created)}
    out["privateEndpointConnections"] = []
    out["minimumTlsVersion"] = props.pop("minimumTlsVersion", "TLS1_0")
    out["allowBlobPublicAccess"] = props.pop("allowBlobPublicAccess", False)
    if "allowSharedKeyAccess" in props:
        out["allowSharedKeyAccess"] = props.pop("allowSharedKeyAccess")
    out["networkAcls"] = props.pop("networkAcls", {"bypass": "AzureServices", "virtualNetworkRules": [],
                                                   "ipRules": [], "defaultAction": "Allow"})
    out["supportsHttpsTrafficOnly"] = props.pop("supportsHttpsTrafficOnly", True)
    created = str(props.get("creationTime") or format_iso(ctx.world.clock.now()))
    enabled = {"keyType": "Account", "enabled": True, "lastEnabledTime": created}
    out["encryption"] = props.pop("encryption", {"services": {"file": dict(enabled), "blob": dict(enabled)},
                                                 "keySource": "Microsoft.Storage"})
    if doc["kind"] in ("StorageV2", "BlobStorage"):
        out["accessTier"] = props.pop("accessTier", "Hot")
    out["provisioningState"] = props.pop("provisioningState", "Succeeded")
    out["creationTime"] = props.pop("creationTime", created)
    out["primaryEndpoints"] = endpoints_of(res.name.lower())
    props.pop("primaryEndpoints", None)
    out["primaryLocation"] = props.pop("primaryLocation", res.location)
    out["statusOfPrimary"] = props.pop("statusOfPrimary", "available")
    out.update(props)
    doc["properties"] = out
    return doc


# ------------------------------------------------------------------------------------------ resource actions
def _keys_json(keys: st.AccountKeys, api_version: str) -> dict[str, Any]:
    upper = api_version >= UPPER_PERMISSIONS_FROM
    out = []
    for name, value, created in (("key1", keys.key1, keys.key1_created), ("key2", keys.key2, keys.key2_created)):
        entry: dict[str, Any] = {"keyName": name, "value": value, "permissions": "FULL" if upper else "Full"}
        if api_version >= KEY_CREATION_TIME_FROM:
            entry["creationTime"] = format_iso(created)
        out.append(entry)
    return {"keys": out}


def _bad_values(*names: str) -> PlaneError:
    return arm_error(400, INVALID_VALUES, INVALID_VALUES_TEMPLATE.format(names=", ".join(names)), gateway=False)


def _str(body: dict[str, Any], key: str) -> str:
    value = body.get(key)
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _bad_values(key)
    return str(value)


def _sas_times(body: dict[str, Any]) -> tuple[str, str]:
    """``signedStart`` / ``signedExpiry`` normalised to ``YYYY-MM-DDTHH:MM:SSZ``; 400 when unreadable."""
    out = []
    for key in ("signedStart", "signedExpiry"):
        raw = _str(body, key)
        if not raw:
            out.append("")
            continue
        when = parse_sas_time(raw)
        if when is None:
            raise _bad_values(key)
        out.append(sas_time(when))
    if not out[1]:
        raise _bad_values("signedExpiry")
    return out[0], out[1]


def _signing_key(keys: st.AccountKeys, body: dict[str, Any]) -> str:
    which = _str(body, "keyToSign").lower() or "key1"
    if which not in ("key1", "key2"):
        raise _bad_values("keyToSign")
    return keys.key1 if which == "key1" else keys.key2


def _service_sas(ctx: ArmContext, account: str, keys: st.AccountKeys) -> dict[str, Any]:
    body = ctx.body()
    canonical = _str(body, "canonicalizedResource")
    parts = canonical.split("/")
    # "/blob/{account}/{container}[/{blob}]" (also /file, /queue, /table; only the Blob service is emulated)
    if len(parts) < 4 or parts[0] != "" or parts[1] not in ("blob", "file", "queue", "table") \
            or parts[2].lower() != account.lower() or not parts[3]:
        raise _bad_values("canonicalizedResource")
    sr = _str(body, "signedResource")
    sp = _str(body, "signedPermission")
    if sr not in ("b", "c", "f", "s") or not sp:
        raise _bad_values(*(["signedResource"] if sr not in ("b", "c", "f", "s") else []),
                          *([] if sp else ["signedPermission"]))
    spr = _str(body, "signedProtocol")
    if spr not in ("", "https", "https,http"):
        raise _bad_values("signedProtocol")
    st_time, se_time = _sas_times(body)
    fields = {"sv": ARM_SAS_VERSION, "sr": sr, "sp": sp, "st": st_time, "se": se_time, "spr": spr,
              "sip": _str(body, "signedIp"), "si": _str(body, "signedIdentifier"),
              "rscc": _str(body, "rscc"), "rscd": _str(body, "rscd"), "rsce": _str(body, "rsce"),
              "rscl": _str(body, "rscl"), "rsct": _str(body, "rsct")}
    return {"serviceSasToken": make_service_sas(_signing_key(keys, body), canonical, fields)}


def _account_sas(ctx: ArmContext, account: str, keys: st.AccountKeys) -> dict[str, Any]:
    body = ctx.body()
    ss, srt, sp = _str(body, "signedServices"), _str(body, "signedResourceTypes"), _str(body, "signedPermission")
    values = {"signedServices": (ss, "bqtf"), "signedResourceTypes": (srt, "sco"),
              "signedPermission": (sp, "rwdlacupxtfi")}
    missing = [k for k, (v, allowed) in values.items() if not v or any(c not in allowed for c in v)]
    if missing:
        raise _bad_values(*missing)
    spr = _str(body, "signedProtocol")
    if spr not in ("", "https", "https,http"):
        raise _bad_values("signedProtocol")
    st_time, se_time = _sas_times(body)
    fields = {"sv": ARM_SAS_VERSION, "ss": ss, "srt": srt, "sp": sp, "st": st_time, "se": se_time,
              "spr": spr, "sip": _str(body, "signedIp")}
    return {"accountSasToken": make_account_sas(_signing_key(keys, body), account.lower(), fields)}


_ACTIONS: Mapping[str, str] = MappingProxyType({
    "listkeys": LIST_KEYS_ACTION,
    "regeneratekey": REGENERATE_KEY_ACTION,
    "listservicesas": LIST_SERVICE_SAS_ACTION,
    "listaccountsas": LIST_ACCOUNT_SAS_ACTION,
})


def resource_action(ctx: ArmContext, rtype: ResourceType, name: str) -> Response | None:
    """``POST …/storageAccounts/{a}/listKeys|regenerateKey|listServiceSas|listAccountSas``; None for others."""
    action = _ACTIONS.get(name.lower())
    if action is None or rtype.full_type.lower() != STORAGE_ACCOUNT_TYPE.lower():
        return None
    if ctx.method != "POST":
        raise ctx.method_not_allowed()
    ctx.check_version(rtype.api)
    rid = ctx.path.resource_id
    ctx.require(action, rid)
    res = ctx.existing_resource(rid)
    keys = account_keys(ctx.world, res.name)
    kind = name.lower()
    if kind == "listkeys":
        return Response.json(200, _keys_json(keys, ctx.api_version))
    if kind == "regeneratekey":
        key_name = ctx.body().get("keyName")
        if not isinstance(key_name, str) or key_name.lower() not in ("key1", "key2"):
            raise arm_error(400, INVALID_VALUES, INVALID_KEY_NAME_TEMPLATE.format(value=key_name), gateway=False)
        keys = st.regenerate_key(ctx.world.store, res.name.lower(), key_name, now=ctx.world.clock.now())
        return Response.json(200, _keys_json(keys, ctx.api_version))
    if kind == "listservicesas":
        return Response.json(200, _service_sas(ctx, res.name, keys))
    return Response.json(200, _account_sas(ctx, res.name, keys))


# ------------------------------------------------------------------------------------------ provider actions
def provider_action(ctx: ArmContext, name: str) -> Response | None:
    """``POST /subscriptions/{s}/providers/Microsoft.Storage/checkNameAvailability``; None for other names."""
    if name.lower() != CHECK_NAME_AVAILABILITY.lower():
        return None
    if ctx.method != "POST":
        raise ctx.method_not_allowed()
    accounts = ctx.world.registry.catalog().find_type(STORAGE_ACCOUNT_TYPE)
    assert accounts is not None
    ctx.check_version(accounts.api)
    ctx.require(CHECK_NAME_AVAILABILITY_ACTION, f"/subscriptions/{ctx.path.subscription}")
    wanted = ctx.body().get("name")
    if not isinstance(wanted, str):
        raise _bad_values("name")
    if not _NAME_RE.match(wanted):
        return Response.json(200, {"nameAvailable": False, "reason": ACCOUNT_NAME_INVALID,
                                   "message": ACCOUNT_NAME_INVALID_TEMPLATE.format(name=wanted)})
    if find_account(ctx.world, wanted) is not None:
        return Response.json(200, {"nameAvailable": False, "reason": ALREADY_EXISTS_REASON,
                                   "message": ACCOUNT_ALREADY_TAKEN_TEMPLATE.format(name=wanted)})
    return Response.json(200, {"nameAvailable": True})
