"""The Key Vault data plane at ``{vault}.vault.azure.net``: secrets, as the service and the SDKs see them.

Order of checks on every request, as Key Vault applies them: the vault exists (else the name does not resolve)
→ bearer token (401 with the ``WWW-Authenticate`` challenge the SDKs need) → api-version (400 ``BadParameter``)
→ route → authorization (access policies or RBAC data actions, by the vault's ``enableRbacAuthorization``;
403 ``Forbidden`` with ``innererror`` ``AccessDenied``/``ForbiddenByRbac``) → the operation (404
``SecretNotFound``, 409 for a deleted name, 400 for bad bodies).

Routes (``{v}`` a secret version, 32 hex digits)::

    GET    /secrets                      list (maxresults ≤ 25, nextLink with $skiptoken)
    PUT    /secrets/{name}               set (new version)
    GET    /secrets/{name}[/][/{v}]      get latest / by version
    PATCH  /secrets/{name}[/][/{v}]      update attributes
    DELETE /secrets/{name}               delete → DeletedSecretBundle
    GET    /secrets/{name}/versions      list versions
    GET    /deletedsecrets               list deleted
    GET    /deletedsecrets/{name}        get deleted
    DELETE /deletedsecrets/{name}        purge (204)
    POST   /deletedsecrets/{name}/recover

Azure's strings are the module constants below; those the reference marks INFERRED say so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azshell.auth.decision import AccessDecision, Evidence, rbac_access
from azshell.auth.errors import (
    ExpiredTokenError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    NotYetValidError,
    TokenValidationError,
    UnknownKeyError,
    WrongTenantError,
)
from azshell.auth.resources import KEY_VAULT_AUDIENCES
from azshell.hostnames import (
    KEY_VAULT_HOST_SUFFIX,
    KEY_VAULT_RESOURCE,
    LOGIN_WINDOWS_AUTHORITY,
    STS_ISSUER_TEMPLATE,
)
from azshell.model.types import KEY_VAULT_TYPE, Resource
from azshell.planes._shared import bearer_token, dry_run_claims, record, token_refused
from azshell.planes.base import Headers, PlaneError, Request, Response
from azshell.services.keyvault import model as kv
from azshell.services.keyvault.catalog import SECRET_DATA_ACTIONS

if TYPE_CHECKING:
    from azshell.world import World

__all__ = [
    "API_VERSIONS",
    "EVENT_SECRET_READ",
    "KeyVaultError",
    "SECRET_DATA_ACTIONS",
    "find_vault",
    "handle",
]

EVENT_SECRET_READ = "keyvault.secret.read"
PLANE = "keyvault"
SERVICE = "Key Vault"
#: The one command that adds an access-policy permission (azshell's teaching text, not Azure's).
ACCESS_POLICY_FIX_TEMPLATE = "Set-AzKeyVaultAccessPolicy -VaultName {vault} -ObjectId {oid} -PermissionsToSecrets {perm}"
ACCESS_POLICY_NOTE = "This vault uses access policies (enableRbacAuthorization is false), not RBAC data actions."

#: api-versions of the secrets API (2016-10-01 … the newest azure-keyvault-secrets 4.12 sends, 2026-04-01).
API_VERSIONS: tuple[str, ...] = (
    "2016-10-01", "7.0", "7.1", "7.2", "7.3-preview", "7.3", "7.4-preview.1", "7.4", "7.5-preview.1", "7.5",
    "7.6-preview.1", "7.6-preview.2", "7.6", "2025-06-01-preview", "2025-07-01", "2026-04-01",
)
LATEST_API_VERSION = "2026-04-01"
#: ``recoverableDays`` appeared in the secret attributes with 7.1.
_NO_RECOVERABLE_DAYS = frozenset({"2016-10-01", "7.0"})

# ------------------------------------------------------------------------------------------- Azure strings
#: Headers every Key Vault response carries (SEEN in the SDKs' recordings).
KV_HEADERS: dict[str, str] = {
    "Cache-Control": "no-cache", "Pragma": "no-cache", "Expires": "-1",
    "x-ms-keyvault-service-version": "1.9.2500.1",
    "X-Content-Type-Options": "nosniff", "Strict-Transport-Security": "max-age=31536000;includeSubDomains",
}
#: SEEN: the challenge on every Key Vault 401.
WWW_AUTHENTICATE_TEMPLATE = (f'Bearer authorization="{LOGIN_WINDOWS_AUTHORITY}/{{tenant}}", '
                             f'resource="{KEY_VAULT_RESOURCE}"')
UNAUTHORIZED = "Unauthorized"
MISSING_TOKEN_MESSAGE = "AKV10000: Request is missing a Bearer or PoP token."
INVALID_AUDIENCE_TEMPLATE = "AKV10022: Invalid audience. Expected " + KEY_VAULT_RESOURCE + ", found: {aud}."
INVALID_ISSUER_TEMPLATE = "AKV10032: Invalid issuer. Expected one of " + STS_ISSUER_TEMPLATE + ", found {iss}."
EXPIRED_TOKEN_MESSAGE = "[TokenExpired] Error validating token: 'S2S12086'."
UNKNOWN_KEY_TEMPLATE = "AKV10046: Unable to resolve the key used for signature validation. EncodedJwtHeader: '{header}'."
#: INFERRED: a token that is not a JWT, or lacks ``oid`` (no capture found: searched the SDK/terraform issues for
#: Key Vault 401s on malformed tokens; only AKV10000/10022/10032/10046 and S2S12086 texts are public).
MALFORMED_TOKEN_MESSAGE = "[BearerReadAccessTokenFailed] Error validating token: 'S2S12005'."
#: INFERRED (only "Token not yet valid (Activity ID: …)" is SEEN, on Managed HSM: Azure/azure-sdk-for-java issue
#: 26624; no capture found for a vault).
NOT_YET_VALID_MESSAGE = "[TokenNotYetValid] Error validating token: 'S2S12087'."

FORBIDDEN = "Forbidden"
ACCESS_DENIED = "AccessDenied"
FORBIDDEN_BY_RBAC = "ForbiddenByRbac"
#: SEEN for ``get`` and ``set`` (Azure/azure-sdk-for-java issue 12175, ansible-collections/azure issue 635, both with
#: ``"innererror":{"code":"AccessDenied"}``); the other permission words are INFERRED the same way.
ACCESS_DENIED_TEMPLATE = (
    "The user, group or application 'appid={appid};oid={oid};iss={iss}' does not have secrets {perm} permission on "
    "key vault '{vault};location={location}'. For help resolving this issue, please see "
    "https://go.microsoft.com/fwlink/?linkid=2125287"
)
#: SEEN (through SDK wrappers; the JSON nesting of ``innererror`` is INFERRED: no raw-JSON capture found, the access
#: policy 403 shows the same nesting raw).
FORBIDDEN_BY_RBAC_TEMPLATE = (
    "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role "
    "definitions were changed recently, please observe propagation time.\r\nCaller: appid={appid};oid={oid};"
    "iss={iss}\r\nAction: '{action}'\r\nResource: '{resource}'\r\nAssignment: (not found)\r\nDenyAssignmentId: "
    "null\r\nDecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: {vault};location={location}\r\n"
)
#: SEEN (azure-sdk-for-js#24756, azure-powershell#15378): GET of a disabled secret's value. An expired secret
#: (``exp`` in the past) or one not yet valid (``nbf``) is still returned: SEEN answering 200 (Azure/AzureKeyVault#19),
#: whatever the docs say.
SECRET_DISABLED = "SecretDisabled"
SECRET_DISABLED_MESSAGE = "Operation get is not allowed on a disabled secret."
SECRET_NOT_FOUND = "SecretNotFound"
SECRET_NOT_FOUND_TEMPLATE = (
    "A secret with (name/id) {name} was not found in this key vault. If you recently deleted this secret you may be "
    "able to recover it using the correct recovery command. For help resolving this issue, please see "
    "https://go.microsoft.com/fwlink/?linkid=2125182"
)
#: SEEN (Azure/azure-sdk-for-net issue 26027: 404 ``{"error":{"code":"SecretNotFound","message":"Deleted Secret not
#: found: MySecretName"}}``).
DELETED_SECRET_NOT_FOUND_TEMPLATE = "Deleted Secret not found: {name}"
CONFLICT = "Conflict"
#: The inner code clients branch on (SEEN: Azure SDK for .NET's Key Vault secrets sample on error responses).
OBJECT_IS_DELETED_BUT_RECOVERABLE = "ObjectIsDeletedButRecoverable"
#: The service's text for setting a secret whose name is soft-deleted (wording as commonly reported).
SECRET_DELETED_CONFLICT_TEMPLATE = (
    "Secret {name} is currently in a deleted but recoverable state, and its name cannot be reused; in this state, "
    "the secret can only be recovered or purged."
)
BAD_PARAMETER = "BadParameter"
#: SEEN (quoted by inspec-azure): an api-version the service does not know.
UNKNOWN_API_VERSION_TEMPLATE = (
    "The specified version ({version}) is not recognized. Consider using the latest supported version ({latest})."
)
#: INFERRED texts of the service's request validation (no capture found: searched Key Vault data-plane 400s for a
#: missing api-version, bad names, bodies, maxresults and skiptokens).
MISSING_API_VERSION_MESSAGE = "The api-version query parameter is required for all requests."
INVALID_NAME_TEMPLATE = "The request URI contains an invalid name: {name}"
INVALID_BODY_MESSAGE = "The request body is not a valid JSON object."
MISSING_VALUE_MESSAGE = "Property value is required and must be a string."
VALUE_TOO_LARGE_MESSAGE = "Secret value exceeds the maximum size of 25 KB."
INVALID_TAGS_MESSAGE = "Tags must be an object of string values, at most 15 tags."
INVALID_CONTENT_TYPE_MESSAGE = "Property contentType must be a string of at most 255 characters."
INVALID_ATTRIBUTES_MESSAGE = "Property attributes must be an object with enabled (boolean), nbf and exp (integers)."
INVALID_MAXRESULTS_MESSAGE = "Invalid value for maxresults: it must be an integer between 1 and 25."
INVALID_SKIPTOKEN_MESSAGE = "Invalid value for $skiptoken."
NOT_FOUND = "NotFound"
NO_ROUTE_TEMPLATE = "The requested URI '{path}' does not exist on this key vault."
METHOD_NOT_ALLOWED = "MethodNotAllowed"
METHOD_NOT_ALLOWED_TEMPLATE = "The requested resource does not support http method '{method}'."

RECOVERY_LEVEL_PURGEABLE = "Recoverable+Purgeable"
RECOVERY_LEVEL_PROTECTED = "Recoverable"
MAX_PAGE_SIZE = 25
MAX_VALUE_CHARS = 25 * 1024
MAX_TAGS = 15
_NAME_RE = re.compile(r"^[0-9A-Za-z-]{1,127}$")

# ------------------------------------------------------------------------------------------------ errors
class KeyVaultError(PlaneError):
    """A Key Vault error: ``{"error":{"code","message"[,"innererror":{"code"}]}}`` with the service's headers."""

    def __init__(self, status: int, code: str, message: str, *, inner: str | None = None,
                 headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status, code, message, headers={**KV_HEADERS, **(headers or {})})
        self.inner = inner

    def to_response(self) -> Response:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.inner:
            err["innererror"] = {"code": self.inner}
        return Response.json(self.status, {"error": err}, self.headers)


def _unauthorized(message: str, tenant: str) -> KeyVaultError:
    return KeyVaultError(401, UNAUTHORIZED, message,
                         headers={"WWW-Authenticate": WWW_AUTHENTICATE_TEMPLATE.format(tenant=tenant)})


def _bad(message: str) -> KeyVaultError:
    return KeyVaultError(400, BAD_PARAMETER, message)


def _not_found(ident: str) -> KeyVaultError:
    return KeyVaultError(404, SECRET_NOT_FOUND, SECRET_NOT_FOUND_TEMPLATE.format(name=ident))


# ------------------------------------------------------------------------------------------------ context
@dataclass(frozen=True)
class KvCaller:
    """The authenticated caller as Key Vault names it: ``appid``, ``oid``, ``iss``."""

    oid: str
    appid: str
    iss: str
    group_ids: tuple[str, ...]
    name: str = ""


@dataclass
class KvContext:
    request: Request
    world: World
    vault: Resource
    caller: KvCaller
    api_version: str

    @property
    def vault_name(self) -> str:
        return self.vault.name

    @property
    def base_url(self) -> str:
        """``https://{vault}.vault.azure.net`` as the client addressed it (ids are built from the Host)."""
        scheme = self.request.scheme or "https"
        return f"{scheme}://{self.request.authority}"

    @property
    def props(self) -> dict[str, Any]:
        return self.vault.properties or {}

    @property
    def now(self) -> int:
        return int(self.world.clock.now())


def find_vault(world: World, name: str) -> Resource | None:
    """The vault with this name (case-insensitive) in any subscription, or None."""
    for res in world.store.list_resources(type=KEY_VAULT_TYPE):
        if res.name.lower() == name.lower():
            return res
    return None


def _vault_tenant(world: World, vault: Resource) -> str:
    tenant = (vault.properties or {}).get("tenantId")
    return str(tenant) if tenant else world.tenant_id


def _authenticate(request: Request, world: World, vault: Resource) -> KvCaller:
    tenant = _vault_tenant(world, vault)
    token = bearer_token(request)

    def refused(error: BaseException | None = None) -> None:
        token_refused(request, world, plane=PLANE, expected=KEY_VAULT_RESOURCE, service=SERVICE, error=error,
                      tenant=tenant)

    if not token:
        refused()
        raise _unauthorized(MISSING_TOKEN_MESSAGE, tenant)
    try:
        claims = world.tokens.verify(token, audiences=KEY_VAULT_AUDIENCES, tenant_id=tenant)
    except InvalidAudienceError as exc:
        refused(exc)
        raise _unauthorized(INVALID_AUDIENCE_TEMPLATE.format(aud=exc.audience), tenant) from None
    except ExpiredTokenError as exc:
        refused(exc)
        raise _unauthorized(EXPIRED_TOKEN_MESSAGE, tenant) from None
    except WrongTenantError as exc:
        refused(exc)
        raise _unauthorized(INVALID_ISSUER_TEMPLATE.format(tenant=tenant, iss=exc.token_issuer), tenant) from None
    except InvalidIssuerError as exc:
        refused(exc)
        raise _unauthorized(INVALID_ISSUER_TEMPLATE.format(tenant=tenant, iss=exc.issuer), tenant) from None
    except (UnknownKeyError, InvalidSignatureError) as exc:
        refused(exc)
        header = token.strip().split(".")[0]
        raise _unauthorized(UNKNOWN_KEY_TEMPLATE.format(header=header), tenant) from None
    except NotYetValidError as exc:
        refused(exc)
        raise _unauthorized(NOT_YET_VALID_MESSAGE, tenant) from None
    except TokenValidationError as exc:
        refused(exc)
        raise _unauthorized(MALFORMED_TOKEN_MESSAGE, tenant) from None
    oid = claims.get("oid")
    if not isinstance(oid, str) or not oid:
        refused()
        raise _unauthorized(MALFORMED_TOKEN_MESSAGE, tenant)
    claims = dry_run_claims(request, world, claims)
    oid = str(claims["oid"])
    name = str(claims.get("upn") or "")
    return KvCaller(oid=oid, appid=str(claims.get("appid") or claims.get("azp") or ""),
                    iss=str(claims.get("iss", "")), group_ids=tuple(world.store.group_ids_of(oid)), name=name)


def _check_api_version(request: Request) -> str:
    version = request.query_get("api-version")
    if not version:
        raise _bad(MISSING_API_VERSION_MESSAGE)
    for known in API_VERSIONS:
        if known.lower() == version.lower():
            return known
    raise _bad(UNKNOWN_API_VERSION_TEMPLATE.format(version=version, latest=LATEST_API_VERSION))


# ------------------------------------------------------------------------------------------ authorization
def _policy_decision(ctx: KvContext, perm: str) -> AccessDecision:
    """The access-policy decision: every policy of the vault as evidence (whom it names, what it grants)."""
    tenant = _vault_tenant(ctx.world, ctx.vault)
    caller = ctx.caller
    principals = {caller.oid.lower(): "the principal", **{g.lower(): f"group {g}" for g in caller.group_ids}}
    evidence: list[Evidence] = []
    allowed = False
    for policy in ctx.props.get("accessPolicies") or []:
        if not isinstance(policy, dict):
            continue
        obj = str(policy.get("objectId", ""))
        granted = [str(p).lower() for p in ((policy.get("permissions") or {}).get("secrets") or [])]
        text = f"access policy for {obj}: secrets {', '.join(granted) or '(none)'}"
        app = policy.get("applicationId")
        if obj.lower() not in principals:
            evidence.append(Evidence("access_policy", text, False, False, "it is for another principal"))
            continue
        if str(policy.get("tenantId", tenant)).lower() != tenant.lower():
            evidence.append(Evidence("access_policy", text, False, False,
                                     f"its tenantId {policy.get('tenantId')} is not the vault's tenant {tenant}"))
            continue
        if app and str(app).lower() != caller.appid.lower():
            evidence.append(Evidence("access_policy", text, False, False,
                                     f"it is a compound policy for application {app}, and the token's appid is "
                                     f"{caller.appid or '(none)'}"))
            continue
        grants = perm in granted or "all" in granted
        via = principals[obj.lower()]
        evidence.append(Evidence("access_policy", text + ("" if via == "the principal" else f" (via {via})"), True,
                                 grants, "" if grants else f"it does not include the secret permission '{perm}'"))
        allowed = allowed or grants
    who = caller.name or caller.oid
    if allowed:
        reason = f"Allowed: an access policy of vault '{ctx.vault_name}' gives {who} the secret permission '{perm}'."
    elif not any(e.applies for e in evidence):
        reason = (f"Denied: vault '{ctx.vault_name}' has no access policy for {who} (or its groups); it has "
                  f"{len(evidence)} for other principals.")
    else:
        reason = (f"Denied: no access policy of vault '{ctx.vault_name}' gives {who} the secret permission "
                  f"'{perm}'.")
    return AccessDecision(
        plane=PLANE, model="access_policy", allowed=allowed, reason=reason, principal=caller.oid,
        principal_name=caller.name, action=f"secrets/{perm}", data_action=True, scope=ctx.vault.id,
        considered=tuple(evidence), notes=(ACCESS_POLICY_NOTE,),
        fix="" if allowed else ACCESS_POLICY_FIX_TEMPLATE.format(vault=ctx.vault_name, oid=caller.oid, perm=perm),
        extra=(("vault", ctx.vault_name), ("permission", perm)))


def _authorize(ctx: KvContext, perm: str, secret_name: str | None) -> None:
    """Raise 403 unless the caller may do ``perm`` (access-policy word) on the vault / secret."""
    location = ctx.vault.location
    if ctx.props.get("enableRbacAuthorization"):
        action = SECRET_DATA_ACTIONS[perm]
        scope = ctx.vault.id + (f"/secrets/{secret_name}" if secret_name else "")
        decision = record(ctx.request, rbac_access(
            ctx.world.rbac_index(), plane=PLANE, principal=ctx.caller.oid, principal_name=ctx.caller.name,
            group_ids=ctx.caller.group_ids, action=action, scope=scope, data_action=True,
            extra=(("vault", ctx.vault_name), ("permission", perm))))
        if decision.allowed:
            return
        raise KeyVaultError(403, FORBIDDEN, FORBIDDEN_BY_RBAC_TEMPLATE.format(
            appid=ctx.caller.appid, oid=ctx.caller.oid, iss=ctx.caller.iss, action=action,
            resource=scope.lower(), vault=ctx.vault_name, location=location), inner=FORBIDDEN_BY_RBAC)
    policy_perm = "set" if perm == "update" else perm
    if record(ctx.request, _policy_decision(ctx, policy_perm)).allowed:
        return
    raise KeyVaultError(403, FORBIDDEN, ACCESS_DENIED_TEMPLATE.format(
        appid=ctx.caller.appid, oid=ctx.caller.oid, iss=ctx.caller.iss, perm=policy_perm, vault=ctx.vault_name,
        location=location), inner=ACCESS_DENIED)


# ------------------------------------------------------------------------------------------------ shapes
def _recovery_level(ctx: KvContext) -> str:
    return RECOVERY_LEVEL_PROTECTED if ctx.props.get("enablePurgeProtection") else RECOVERY_LEVEL_PURGEABLE


def _attributes(ctx: KvContext, s: kv.SecretVersion) -> dict[str, Any]:
    attrs: dict[str, Any] = {"enabled": s.enabled}
    if s.not_before is not None:
        attrs["nbf"] = s.not_before
    if s.expires is not None:
        attrs["exp"] = s.expires
    attrs["created"] = s.created
    attrs["updated"] = s.updated
    attrs["recoveryLevel"] = _recovery_level(ctx)
    if ctx.api_version not in _NO_RECOVERABLE_DAYS:
        attrs["recoverableDays"] = int(ctx.props.get("softDeleteRetentionInDays") or 90)
    return attrs


def _with_meta(doc: dict[str, Any], s: kv.SecretVersion) -> dict[str, Any]:
    if s.tags is not None:
        doc["tags"] = dict(s.tags)
    if s.content_type is not None:
        doc["contentType"] = s.content_type
    return doc


def _bundle(ctx: KvContext, s: kv.SecretVersion, *, with_value: bool = True) -> dict[str, Any]:
    doc: dict[str, Any] = {}
    if with_value:
        doc["value"] = s.value
    doc["id"] = f"{ctx.base_url}/secrets/{s.name}/{s.version}"
    doc["attributes"] = _attributes(ctx, s)
    return _with_meta(doc, s)


def _item(ctx: KvContext, s: kv.SecretVersion, *, versioned: bool) -> dict[str, Any]:
    ident = f"{ctx.base_url}/secrets/{s.name}" + (f"/{s.version}" if versioned else "")
    return _with_meta({"id": ident, "attributes": _attributes(ctx, s)}, s)


def _deleted(ctx: KvContext, d: kv.DeletedSecret, *, item: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "recoveryId": f"{ctx.base_url}/deletedsecrets/{d.latest.name}",
        "deletedDate": d.deleted_date,
        "scheduledPurgeDate": d.scheduled_purge_date,
    }
    body = _item(ctx, d.latest, versioned=False) if item else _bundle(ctx, d.latest, with_value=False)
    doc.update(body)
    return doc


def _ok(status: int, obj: Any) -> Response:
    return Response.json(status, obj, _response_headers())


def _response_headers() -> dict[str, str]:
    return dict(KV_HEADERS)  # x-ms-request-id: ``handle`` sets it, from the world's ids


# ----------------------------------------------------------------------------------------------- paging
def _page(ctx: KvContext, items: list[dict[str, Any]], collection: str) -> Response:
    raw_max = ctx.request.query_get("maxresults")
    size = MAX_PAGE_SIZE
    if raw_max not in (None, ""):
        try:
            size = int(str(raw_max))
        except ValueError:
            raise _bad(INVALID_MAXRESULTS_MESSAGE) from None
        if not 1 <= size <= MAX_PAGE_SIZE:
            raise _bad(INVALID_MAXRESULTS_MESSAGE)
    raw_skip = ctx.request.query_get("$skiptoken")
    start = 0
    if raw_skip not in (None, ""):
        try:
            start = int(str(raw_skip))
        except ValueError:
            raise _bad(INVALID_SKIPTOKEN_MESSAGE) from None
        if start < 0:
            raise _bad(INVALID_SKIPTOKEN_MESSAGE)
    chunk = items[start:start + size]
    nxt = start + size
    next_link: str | None = None
    if nxt < len(items):
        next_link = (f"{ctx.base_url}/{collection}?api-version={ctx.api_version}&$skiptoken={nxt}"
                     f"&maxresults={size}")
    return _ok(200, {"value": chunk, "nextLink": next_link})


# ------------------------------------------------------------------------------------------------ bodies
def _body(ctx: KvContext) -> dict[str, Any]:
    try:
        obj = ctx.request.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        raise _bad(INVALID_BODY_MESSAGE) from None
    if not isinstance(obj, dict):
        raise _bad(INVALID_BODY_MESSAGE)
    return obj


def _int_or_none(value: Any) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise _bad(INVALID_ATTRIBUTES_MESSAGE)
    return int(value)


def _changes(body: dict[str, Any]) -> dict[str, Any]:
    """contentType / tags / attributes of a set or update body, validated (only keys that are present)."""
    out: dict[str, Any] = {}
    if "contentType" in body:
        ct = body["contentType"]
        if ct is not None and (not isinstance(ct, str) or len(ct) > 255):
            raise _bad(INVALID_CONTENT_TYPE_MESSAGE)
        out["content_type"] = ct
    if "tags" in body:
        tags = body["tags"]
        if tags is not None and (not isinstance(tags, dict) or len(tags) > MAX_TAGS
                                 or not all(isinstance(v, str) for v in tags.values())):
            raise _bad(INVALID_TAGS_MESSAGE)
        out["tags"] = {str(k): v for k, v in tags.items()} if isinstance(tags, dict) else None
    attrs = body.get("attributes")
    if attrs is not None:
        if not isinstance(attrs, dict):
            raise _bad(INVALID_ATTRIBUTES_MESSAGE)
        if "enabled" in attrs and attrs["enabled"] is not None:
            if not isinstance(attrs["enabled"], bool):
                raise _bad(INVALID_ATTRIBUTES_MESSAGE)
            out["enabled"] = attrs["enabled"]
        if "nbf" in attrs:
            out["not_before"] = _int_or_none(attrs["nbf"])
        if "exp" in attrs:
            out["expires"] = _int_or_none(attrs["exp"])
    return out


def _check_name(name: str) -> None:
    if not _NAME_RE.match(name):
        raise _bad(INVALID_NAME_TEMPLATE.format(name=name))


# -------------------------------------------------------------------------------------------- operations
def _read_event(ctx: KvContext, s: kv.SecretVersion) -> None:
    ctx.world.store.append_event(EVENT_SECRET_READ, {
        "vault": ctx.vault_name, "name": s.name, "version": s.version, "oid": ctx.caller.oid,
        "vault_id": ctx.vault.id})


def _list_secrets(ctx: KvContext) -> Response:
    _authorize(ctx, "list", None)
    items = [_item(ctx, s, versioned=False) for s in kv.list_secrets(ctx.world.store, ctx.vault_name)]
    return _page(ctx, items, "secrets")


def _set_secret(ctx: KvContext, name: str) -> Response:
    _check_name(name)
    _authorize(ctx, "set", name)
    body = _body(ctx)
    value = body.get("value")
    if not isinstance(value, str):
        raise _bad(MISSING_VALUE_MESSAGE)
    if len(value) > MAX_VALUE_CHARS:
        raise _bad(VALUE_TOO_LARGE_MESSAGE)
    changes = _changes(body)
    store = ctx.world.store
    deleted = kv.get_deleted_secret(store, ctx.vault_name, name)
    if deleted is not None:
        raise KeyVaultError(409, CONFLICT, SECRET_DELETED_CONFLICT_TEMPLATE.format(name=deleted.latest.name),
                            inner=OBJECT_IS_DELETED_BUT_RECOVERABLE)
    saved = kv.set_secret(store, ctx.vault_name, name, value, now=ctx.now,
                          content_type=changes.get("content_type"), tags=changes.get("tags"),
                          enabled=bool(changes.get("enabled", True)), not_before=changes.get("not_before"),
                          expires=changes.get("expires"))
    return _ok(200, _bundle(ctx, saved))


def _get_secret(ctx: KvContext, name: str, version: str | None) -> Response:
    _check_name(name)
    _authorize(ctx, "get", name)
    found = kv.get_secret(ctx.world.store, ctx.vault_name, name, version)
    if found is None:
        raise _not_found(f"{name}/{version}" if version else name)
    if not found.enabled:
        raise KeyVaultError(403, FORBIDDEN, SECRET_DISABLED_MESSAGE, inner=SECRET_DISABLED)
    _read_event(ctx, found)
    return _ok(200, _bundle(ctx, found))


def _update_secret(ctx: KvContext, name: str, version: str | None) -> Response:
    _check_name(name)
    _authorize(ctx, "update", name)
    changes = _changes(_body(ctx))
    updated = kv.update_secret(ctx.world.store, ctx.vault_name, name, version, now=ctx.now, changes=changes)
    if updated is None:
        raise _not_found(f"{name}/{version}" if version else name)
    return _ok(200, _bundle(ctx, updated, with_value=False))


def _delete_secret(ctx: KvContext, name: str) -> Response:
    _check_name(name)
    _authorize(ctx, "delete", name)
    days = int(ctx.props.get("softDeleteRetentionInDays") or 90)
    deleted = kv.delete_secret(ctx.world.store, ctx.vault_name, name, now=ctx.now, retention_days=days)
    if deleted is None:
        raise _not_found(name)
    return _ok(200, _deleted(ctx, deleted, item=False))


def _list_versions(ctx: KvContext, name: str) -> Response:
    _check_name(name)
    _authorize(ctx, "list", name)
    versions = kv.list_secret_versions(ctx.world.store, ctx.vault_name, name)
    return _page(ctx, [_item(ctx, s, versioned=True) for s in versions], f"secrets/{name}/versions")


def _list_deleted(ctx: KvContext) -> Response:
    _authorize(ctx, "list", None)
    items = [_deleted(ctx, d, item=True) for d in kv.list_deleted_secrets(ctx.world.store, ctx.vault_name)]
    return _page(ctx, items, "deletedsecrets")


def _deleted_not_found(name: str) -> KeyVaultError:
    return KeyVaultError(404, SECRET_NOT_FOUND, DELETED_SECRET_NOT_FOUND_TEMPLATE.format(name=name))


def _get_deleted(ctx: KvContext, name: str) -> Response:
    _check_name(name)
    _authorize(ctx, "get", name)
    found = kv.get_deleted_secret(ctx.world.store, ctx.vault_name, name)
    if found is None:
        raise _deleted_not_found(name)
    return _ok(200, _deleted(ctx, found, item=False))


def _purge(ctx: KvContext, name: str) -> Response:
    _check_name(name)
    _authorize(ctx, "purge", name)
    if not kv.purge_deleted_secret(ctx.world.store, ctx.vault_name, name):
        raise _deleted_not_found(name)
    return Response(204, _headers_obj())


def _headers_obj() -> Headers:
    return Headers(_response_headers())


def _recover(ctx: KvContext, name: str) -> Response:
    _check_name(name)
    _authorize(ctx, "recover", name)
    recovered = kv.recover_deleted_secret(ctx.world.store, ctx.vault_name, name)
    if recovered is None:
        raise _deleted_not_found(name)
    return _ok(200, _bundle(ctx, recovered, with_value=False))


def _method_not_allowed(method: str) -> KeyVaultError:
    return KeyVaultError(405, METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED_TEMPLATE.format(method=method))


def _route(ctx: KvContext) -> Response:
    request = ctx.request
    method = request.method
    path = request.path
    trimmed = path.strip("/")
    segs = trimmed.split("/") if trimmed else []
    if not segs:
        raise KeyVaultError(404, NOT_FOUND, NO_ROUTE_TEMPLATE.format(path=path))
    head = segs[0].lower()
    rest = segs[1:]
    if head == "secrets":
        if not rest:
            if method == "GET":
                return _list_secrets(ctx)
            raise _method_not_allowed(method)
        name = rest[0]
        if len(rest) == 1:
            if method == "PUT":
                return _set_secret(ctx, name)
            if method == "GET":
                return _get_secret(ctx, name, None)
            if method == "PATCH":
                return _update_secret(ctx, name, None)
            if method == "DELETE":
                return _delete_secret(ctx, name)
            raise _method_not_allowed(method)
        if len(rest) == 2:
            second = rest[1]
            if second.lower() == "versions" and method == "GET":
                return _list_versions(ctx, name)
            if method == "GET":
                return _get_secret(ctx, name, second or None)
            if method == "PATCH":
                return _update_secret(ctx, name, second or None)
            raise _method_not_allowed(method)
    elif head == "deletedsecrets":
        if not rest:
            if method == "GET":
                return _list_deleted(ctx)
            raise _method_not_allowed(method)
        name = rest[0]
        if len(rest) == 1:
            if method == "GET":
                return _get_deleted(ctx, name)
            if method == "DELETE":
                return _purge(ctx, name)
            raise _method_not_allowed(method)
        if len(rest) == 2 and rest[1].lower() == "recover":
            if method == "POST":
                return _recover(ctx, name)
            raise _method_not_allowed(method)
    raise KeyVaultError(404, NOT_FOUND, NO_ROUTE_TEMPLATE.format(path=path))


def handle(request: Request, world: World) -> Response:
    """Answer one request to ``{vault}.vault.azure.net``; an unknown vault name does not resolve."""
    from azshell.planes.router import no_such_host

    host = request.host
    name = host[: -len(KEY_VAULT_HOST_SUFFIX)] if host.endswith(KEY_VAULT_HOST_SUFFIX) else ""
    vault = find_vault(world, name) if name and "." not in name else None
    if vault is None:
        raise no_such_host(request)
    caller = _authenticate(request, world, vault)
    version = _check_api_version(request)
    ctx = KvContext(request=request, world=world, vault=vault, caller=caller, api_version=version)
    response = _route(ctx)
    response.headers.set("x-ms-request-id", world.ids.guid())
    return response
