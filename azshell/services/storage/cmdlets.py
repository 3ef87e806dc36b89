"""Az.Storage (and the AzureRM-era Azure.Storage names): accounts and keys through ARM, storage contexts, and SAS
tokens computed on the client as Az computes them.

The blob and container cmdlets are in :mod:`azshell.services.storage.cmdlets_blob`; both, and ``az storage``,
reach ``https://{account}.blob.core.windows.net`` through :func:`blob_request`, which signs a request the way the
context says: **Shared Key** (``Authorization: SharedKey account:signature``, the HMAC-SHA256 of Azure's
canonicalized string-to-sign), a **SAS** appended to the query, or **OAuth** (a bearer token of the current account
for ``https://storage.azure.com/`` — on a VM after ``Connect-AzAccount -Identity`` the identity's token).

=======================================  =====================================================================
``Get-AzStorageAccount`` / ``Remove-``   GET / list / DELETE through ARM (``.Context`` lists keys on first use)
``Get-AzStorageAccountKey``              ``POST …/listKeys``
``New-AzStorageAccountKey``              ``POST …/regenerateKey`` ``{"keyName":"key1"}``
``New-AzStorageContext``                 ``-StorageAccountKey`` | ``-SasToken`` | ``-UseConnectedAccount`` |
                                         ``-ConnectionString`` | ``-Anonymous``
``New-AzStorage*SASToken``               service SAS (container, blob) and account SAS, signed with the key
=======================================  =====================================================================
"""

from __future__ import annotations

import base64
import hashlib
import hmac
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, quote, urlsplit
from xml.etree import ElementTree

import httpx

from azshell.cmdlets._azure import API_STORAGE, PS_STORAGE_ACCOUNT, STORAGE_ACCOUNT_TYPE
from azshell.cmdlets._base import (
    AzCmdlet,
    AzureRestError,
    access_hints,
    category_for_status,
    connection_error,
)
from azshell.cmdlets._objects import rg_of, tags_table, to_ps
from azshell.cmdlets.context import NotSignedInError, TokenAcquisitionError
from azshell.hostnames import STORAGE_BLOB_HOST_SUFFIX, STORAGE_ENDPOINT_SUFFIX, STORAGE_RESOURCE
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSObject

__all__ = [
    "COMMANDS",
    "COMPLETERS",
    "STORAGE_VERSION",
    "StorageAuth",
    "StorageContext",
    "StorageError",
    "account_sas",
    "blob_request",
    "register_views",
    "service_sas",
    "shared_key_signature",
    "storage_error_parts",
]

# ------------------------------------------------------------------------------------------- Azure strings
#: the x-ms-version the cmdlets send (Az.Storage 6's Azure.Storage.Blobs 12.x), and the sv of the SAS they make
STORAGE_VERSION = "2023-11-03"
SAS_VERSION = "2023-11-03"
PS_STORAGE_CONTEXT = "Microsoft.WindowsAzure.Commands.Storage.AzureStorageContext"
PS_STORAGE_KEY = "Microsoft.Azure.Management.Storage.Models.StorageAccountKey"
PS_LIST_KEYS_RESULT = "Microsoft.Azure.Management.Storage.Models.StorageAccountListKeysResult"
STORAGE_EXCEPTION = "Azure.RequestFailedException"
LEGACY_STORAGE_EXCEPTION = "Microsoft.WindowsAzure.Storage.StorageException"
#: Azure's canonical order of SAS permission letters (a SAS with them out of order is refused)
SAS_PERMISSION_ORDER = "racwdxyltmeopi"
ACCOUNT_SAS_PERMISSION_ORDER = "rwdxylacuptfi"
#: Az.Storage's message when a SAS is asked of a context without the account key. INFERRED wording.
SAS_NEEDS_KEY = ("Create SAS token with a storage context that has no account key is not supported: build the "
                 "context with -StorageAccountKey (or -ConnectionString with AccountKey=), or use "
                 "(Get-AzStorageAccount -ResourceGroupName <rg> -Name <account>).Context.")
#: Az.Storage's messages for New-AzStorageContext. INFERRED wording where no public capture exists.
CONTEXT_NEEDS_CREDENTIAL = ("Specify how to authenticate: -StorageAccountKey, -SasToken, -UseConnectedAccount, "
                            "-ConnectionString or -Anonymous.")
INVALID_CONNECTION_STRING = "Invalid connection string: {detail}"
INVALID_KEY = "The storage account key is not a valid Base-64 string."
ACCOUNT_NOT_FOUND = ("The Resource 'Microsoft.Storage/storageAccounts/{name}' under resource group '{rg}' was not "
                     "found. For more details please go to https://aka.ms/ARMResourceNotFoundFix")


# ------------------------------------------------------------------------------------------- credentials
@dataclass
class StorageAuth:
    """How a storage context signs: ``key`` (Shared Key), ``sas`` (a SAS query string without ``?``), ``oauth``
    (the current account's token), or ``arm_id`` (the account's ARM ID: the key is listed on first use, as
    ``(Get-AzStorageAccount).Context`` does); none of them: anonymous."""

    account: str
    blob_endpoint: str
    key: str | None = None
    sas: str | None = None
    oauth: bool = False
    arm_id: str | None = None
    _loaded: bool = field(default=False, repr=False)

    @property
    def kind(self) -> str:
        if self.key is not None or self.arm_id is not None:
            return "SharedKey"
        if self.sas is not None:
            return "SasToken"
        if self.oauth:
            return "OAuthToken"
        return "Anonymous"


class StorageContextRef(PSObject):
    """A context's ``Context`` property: in .NET the context itself; here a marker holding the same credential (a
    cycle would break printing and ConvertTo-Json), so ``$ctx.Context`` and piping ``.Context`` still work."""

    __slots__ = ("auth",)

    def __init__(self, auth: StorageAuth) -> None:
        super().__init__([("StorageAccountName", auth.account)], type_names=(PS_STORAGE_CONTEXT, "System.Object"))
        self.auth = auth
        self.methods["tostring"] = lambda: PS_STORAGE_CONTEXT

    def __repr__(self) -> str:
        return f"StorageContextRef({self.auth.account!r})"


class StorageContext(PSObject):
    """``AzureStorageContext``: what ``-Context`` takes. Its credential stays out of the printed properties."""

    __slots__ = ("auth",)

    def __init__(self, auth: StorageAuth) -> None:
        ep = auth.blob_endpoint
        account = auth.account
        base = f"{account}." if account else ""
        conn = _connection_string(auth)
        super().__init__([
            ("StorageAccountName", account or "[Anonymous]"),
            ("BlobEndPoint", ep),
            ("TableEndPoint", f"https://{base}table.{STORAGE_ENDPOINT_SUFFIX}/"),
            ("QueueEndPoint", f"https://{base}queue.{STORAGE_ENDPOINT_SUFFIX}/"),
            ("FileEndPoint", f"https://{base}file.{STORAGE_ENDPOINT_SUFFIX}/"),
            ("Context", None),
            ("Name", ""),
            ("StorageAccount", conn),
            ("EndPointSuffix", f"{STORAGE_ENDPOINT_SUFFIX}/"),
            ("ConnectionString", conn),
            ("ExtendedProperties", {}),
        ], type_names=(PS_STORAGE_CONTEXT, "System.Object"))
        self.auth = auth
        # .NET prints the context's own type for its Context property (it is itself); a marker, not a cycle
        self.set("Context", StorageContextRef(auth))
        self.methods["tostring"] = lambda: PS_STORAGE_CONTEXT

    def __repr__(self) -> str:
        return f"StorageContext({self.auth.account!r}, {self.auth.kind})"


def _connection_string(auth: StorageAuth) -> str:
    """The connection string Az shows for a context (the key is never printed)."""
    ep = auth.blob_endpoint.rstrip("/")
    if auth.kind == "SasToken":
        return f"BlobEndpoint={ep};SharedAccessSignature=[hidden]"
    if auth.kind == "SharedKey":
        return f"DefaultEndpointsProtocol=https;AccountName={auth.account};AccountKey=[key hidden];" \
               f"EndpointSuffix={STORAGE_ENDPOINT_SUFFIX}"
    return f"BlobEndpoint={ep};"


def blob_endpoint(account: str) -> str:
    return f"https://{account}{STORAGE_BLOB_HOST_SUFFIX}/"


def parse_connection_string(text: str) -> StorageAuth:
    """``DefaultEndpointsProtocol=https;AccountName=a;AccountKey=k;EndpointSuffix=…`` (or ``BlobEndpoint=…;
    SharedAccessSignature=…``) → a StorageAuth; ValueError with what is wrong."""
    parts: dict[str, str] = {}
    for piece in text.strip().strip(";").split(";"):
        if not piece.strip():
            continue
        k, eq, v = piece.partition("=")
        if not eq:
            raise ValueError(f"'{piece}' is not a key=value pair")
        parts[k.strip().casefold()] = v.strip()
    if parts.get("usedevelopmentstorage", "").casefold() == "true":
        raise ValueError("UseDevelopmentStorage=true names the local storage emulator, which azshell does not run")
    account = parts.get("accountname", "")
    endpoint = parts.get("blobendpoint", "")
    if not endpoint:
        if not account:
            raise ValueError("it names neither AccountName nor BlobEndpoint")
        suffix = parts.get("endpointsuffix", STORAGE_ENDPOINT_SUFFIX)
        endpoint = f"{parts.get('defaultendpointsprotocol', 'https')}://{account}.blob.{suffix}/"
    if not endpoint.endswith("/"):
        endpoint += "/"
    if not account:
        account = (urlsplit(endpoint).hostname or "").split(".", 1)[0]
    if "accountkey" in parts:
        _check_key(parts["accountkey"])
        return StorageAuth(account, endpoint, key=parts["accountkey"])
    if "sharedaccesssignature" in parts:
        return StorageAuth(account, endpoint, sas=parts["sharedaccesssignature"].lstrip("?"))
    return StorageAuth(account, endpoint)


def _check_key(key: str) -> None:
    try:
        base64.b64decode(key, validate=True)
    except (ValueError, TypeError):
        raise ValueError(INVALID_KEY) from None


# ------------------------------------------------------------------------------------------- signing
def _rfc1123(now: float) -> str:
    return formatdate(now, usegmt=True)


def shared_key_signature(key: str, string_to_sign: str) -> str:
    """base64(HMAC-SHA256(base64-decoded key, UTF-8 string-to-sign)), as Storage computes it."""
    digest = hmac.new(base64.b64decode(key), string_to_sign.encode("utf-8"), hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


_SIGNED_HEADERS = ("content-encoding", "content-language", "content-length", "content-md5", "content-type", "date",
                   "if-modified-since", "if-match", "if-none-match", "if-unmodified-since", "range")


def shared_key_string_to_sign(method: str, url: str, headers: dict[str, str], account: str) -> str:
    """Azure's Shared Key string-to-sign (service version 2015-02-21 and later: Content-Length empty for 0)."""
    low = {k.casefold(): v for k, v in headers.items()}
    lines = [method.upper()]
    for h in _SIGNED_HEADERS:
        value = low.get(h, "")
        if h == "content-length" and value == "0":
            value = ""
        lines.append(value)
    canon_headers = "".join(f"{k}:{low[k].strip()}\n" for k in sorted(k for k in low if k.startswith("x-ms-")))
    parts = urlsplit(url)
    resource = f"/{account}{parts.path or '/'}"
    grouped: dict[str, list[str]] = {}
    for k, v in parse_qsl(parts.query, keep_blank_values=True):
        grouped.setdefault(k.casefold(), []).append(v)
    for k in sorted(grouped):
        resource += f"\n{k}:{','.join(sorted(grouped[k]))}"
    return "\n".join(lines) + "\n" + canon_headers + resource


def _sas_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _ordered(perms: str, order: str) -> str:
    """The permission letters in Azure's canonical order; ValueError for a letter Azure does not know."""
    letters = perms.replace(",", "").replace(" ", "")
    bad = [c for c in letters if c not in order]
    if bad:
        raise ValueError(f"Invalid access permission '{bad[0]}'.")
    return "".join(c for c in order if c in letters)


def service_sas(account: str, key: str, *, container: str, blob: str | None, permission: str, expiry: datetime,
                start: datetime | None, protocol: str | None, ip: str | None = None,
                version: str = SAS_VERSION) -> str:
    """A blob service SAS (``sr=c`` or ``sr=b``) in the layout of versions 2020-12-06 and later: the string-to-sign
    is sp, st, se, canonicalized resource (``/blob/{account}/{container}[/{blob}]``), si, sip, spr, sv, sr,
    snapshot time, encryption scope, then the five response-header overrides, joined by newlines."""
    sp = _ordered(permission, SAS_PERMISSION_ORDER)
    st = _sas_time(start) if start is not None else ""
    se = _sas_time(expiry)
    sr = "b" if blob else "c"
    resource = f"/blob/{account}/{container}" + (f"/{blob}" if blob else "")
    to_sign = "\n".join([sp, st, se, resource, "", ip or "", protocol or "", version, sr, "", "", "", "", "", "",
                         ""])
    sig = shared_key_signature(key, to_sign)
    q = [("sv", version)]
    if st:
        q.append(("st", st))
    q += [("se", se), ("sr", sr), ("sp", sp)]
    if ip:
        q.append(("sip", ip))
    if protocol:
        q.append(("spr", protocol))
    q.append(("sig", sig))
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in q)


def account_sas(account: str, key: str, *, services: str, resource_types: str, permission: str, expiry: datetime,
                start: datetime | None, protocol: str | None, ip: str | None = None,
                version: str = SAS_VERSION) -> str:
    """An account SAS: the string-to-sign is account name, sp, ss, srt, st, se, sip, spr, sv and the encryption
    scope, each followed by a newline (versions 2020-12-06 and later)."""
    sp = _ordered(permission, ACCOUNT_SAS_PERMISSION_ORDER)
    st = _sas_time(start) if start is not None else ""
    se = _sas_time(expiry)
    to_sign = "\n".join([account, sp, services, resource_types, st, se, ip or "", protocol or "", version, ""]) + "\n"
    sig = shared_key_signature(key, to_sign)
    q = [("sv", version), ("ss", services), ("srt", resource_types), ("sp", sp), ("se", se)]
    if st:
        q.insert(4, ("st", st))
    if ip:
        q.append(("sip", ip))
    if protocol:
        q.append(("spr", protocol))
    q.append(("sig", sig))
    return "&".join(f"{k}={quote(v, safe='')}" for k, v in q)


# ------------------------------------------------------------------------------------------- requests
class StorageError(Exception):
    """A request that got no answer, or a credential that could not be had (never an HTTP error answer)."""

    def __init__(self, message: str, *, category: str = "ConnectionError") -> None:
        super().__init__(message)
        self.message = message
        self.category = category


def blob_path(container: str | None = None, blob: str | None = None) -> str:
    """``/{container}/{blob}``, each part percent-encoded as the SDKs encode it (``/`` kept inside blob names)."""
    path = "/"
    if container:
        path += quote(container, safe="")
        if blob:
            path += "/" + quote(blob, safe="/~")
    return path


def blob_request(services: Any, auth: StorageAuth, method: str, path: str, *,
                 params: dict[str, str] | None = None, headers: dict[str, str] | None = None,
                 content: bytes | None = None, version: str = STORAGE_VERSION) -> httpx.Response:
    """One call to the account's Blob endpoint, signed as ``auth`` says. ``path`` is already encoded
    (:func:`blob_path`). Raises :class:`StorageError` when no answer came or no credential could be had."""
    now = services._now()
    query = [(k, v) for k, v in (params or {}).items()]
    if auth.sas:
        query += parse_qsl(auth.sas.lstrip("?"), keep_blank_values=True)
    url = auth.blob_endpoint.rstrip("/") + path
    if query:
        url += "?" + "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
    h: dict[str, str] = {"x-ms-version": version, "x-ms-date": _rfc1123(now)}
    h.update(headers or {})
    if content is not None or method.upper() in ("PUT", "POST"):
        h["Content-Length"] = str(len(content or b""))
    if auth.arm_id is not None and auth.key is None:
        auth.key = _listed_key(services, auth)
    if auth.key is not None:
        to_sign = shared_key_string_to_sign(method, url, h, auth.account)
        h["Authorization"] = f"SharedKey {auth.account}:{shared_key_signature(auth.key, to_sign)}"
    elif auth.oauth:
        try:
            h["Authorization"] = f"Bearer {services.get_access_token(STORAGE_RESOURCE)}"
        except NotSignedInError as e:
            raise StorageError(e.message, category="CloseError") from None
        except TokenAcquisitionError as e:
            raise StorageError(e.message + (f"\nHint: {e.hint}" if e.hint else ""),
                               category="AuthenticationError") from None
    try:
        return services.http.request(method, httpx.URL(url), headers=h, content=content)  # type: ignore[no-any-return]
    except httpx.HTTPError as e:
        raise StorageError(connection_error(e).message) from None


def _listed_key(services: Any, auth: StorageAuth) -> str:
    """key1 of the account, through ARM's listKeys with the current account's token (what Az's lazy context does)."""
    from azshell.cmdlets._azure import ARM_ENDPOINT, ARM_RESOURCE

    try:
        token = services.get_access_token(ARM_RESOURCE)
    except (NotSignedInError, TokenAcquisitionError) as e:
        raise StorageError(e.message, category="AuthenticationError") from None
    try:
        resp = services.http.request("POST", f"{ARM_ENDPOINT}{auth.arm_id}/listKeys",
                                     params={"api-version": API_STORAGE},
                                     headers={"Authorization": f"Bearer {token}"})
    except httpx.HTTPError as e:
        raise StorageError(connection_error(e).message) from None
    if resp.status_code >= 400:
        from azshell.cmdlets._base import arm_error_parts

        code, msg = arm_error_parts(resp)
        lines = [msg, f"ErrorCode: {code}", f"StatusCode: {resp.status_code}", *access_hints(resp)]
        raise StorageError("\n".join(lines), category=category_for_status(resp.status_code))
    keys = (resp.json() or {}).get("keys") or []
    if not keys:
        raise StorageError("The storage account has no keys.", category="InvalidOperation")
    return str(keys[0].get("value"))


def storage_error_parts(resp: httpx.Response) -> tuple[str, str, str]:
    """(code, message, AuthenticationErrorDetail) of a Storage error answer (XML ``<Error>``), from the header
    ``x-ms-error-code`` when the body has none (a HEAD)."""
    code = resp.headers.get("x-ms-error-code", "")
    message, detail = "", ""
    if resp.content:
        try:
            root = ElementTree.fromstring(resp.content)
            code = root.findtext("Code") or code
            message = root.findtext("Message") or ""
            detail = root.findtext("AuthenticationErrorDetail") or ""
        except ElementTree.ParseError:
            message = resp.text.strip()
    if not message:
        message = resp.reason_phrase or ""
    return code or str(resp.status_code), message, detail


def storage_cmdlet_error(resp: httpx.Response, *, ctx: Any = None, legacy: bool = False) -> CmdletError:
    """Az.Storage's error for a refused request: Azure.Core's RequestFailedException message (the service's
    message, ``Status: 403 (…)``, ``ErrorCode: …``, ``AuthenticationErrorDetail``), then the access hints.
    The AzureRM-era cmdlets print the 2017 library's ``The remote server returned an error: (403) Forbidden.``"""
    code, message, detail = storage_error_parts(resp)
    status = resp.status_code
    first = message.split("\n", 1)[0]
    if legacy:
        from azshell.cmdlets._base import reason_phrase

        lines = [f"The remote server returned an error: ({status}) {reason_phrase(status)}. HTTP Status Code: "
                 f"{status} - HTTP Error Message: {first}", f"ErrorCode: {code}"]
    else:
        lines = [message, f"Status: {status} ({first})", f"ErrorCode: {code}"]
    if detail:
        lines += ["", "Additional Information:", f"AuthenticationErrorDetail: {detail}"]
    lines += access_hints(resp, ctx=ctx)
    exc = AzureRestError(first, status=status, code=code, error_message=first, response=resp,
                         request_id=resp.headers.get("x-ms-request-id"))
    exc.ps_type_name = LEGACY_STORAGE_EXCEPTION if legacy else STORAGE_EXCEPTION
    return CmdletError("\n".join(lines), category=category_for_status(status), error_id=code, exception=exc)


# ------------------------------------------------------------------------------------------- objects
def account_object(data: dict[str, Any], services: Any) -> PSObject:
    """ARM storage account JSON → ``PSStorageAccount`` (its ``Context`` lists the key on first use)."""
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    sku = data.get("sku") or {}
    name = str(data.get("name", ""))
    endpoints = props.get("primaryEndpoints") or {}
    ep = str(endpoints.get("blob") or blob_endpoint(name))
    return PSObject([
        ("ResourceGroupName", rg_of(rid)),
        ("StorageAccountName", name),
        ("Id", rid),
        ("Location", data.get("location", "")),
        ("Sku", to_ps(sku)),
        ("SkuName", sku.get("name") if isinstance(sku, dict) else None),
        ("Kind", data.get("kind", "StorageV2")),
        ("Encryption", to_ps(props.get("encryption"))),
        ("AccessTier", props.get("accessTier")),
        ("CreationTime", props.get("creationTime")),
        ("PrimaryEndpoints", to_ps(endpoints)),
        ("PrimaryLocation", props.get("primaryLocation")),
        ("ProvisioningState", props.get("provisioningState", "Succeeded")),
        ("StatusOfPrimary", props.get("statusOfPrimary")),
        ("EnableHttpsTrafficOnly", props.get("supportsHttpsTrafficOnly", True)),
        ("AllowBlobPublicAccess", props.get("allowBlobPublicAccess")),
        ("AllowSharedKeyAccess", props.get("allowSharedKeyAccess")),
        ("MinimumTlsVersion", props.get("minimumTlsVersion")),
        ("Identity", to_ps(data.get("identity"))),
        ("Tags", tags_table(data.get("tags"))),
        ("Context", StorageContext(StorageAuth(name, ep, arm_id=rid))),
    ], type_names=(PS_STORAGE_ACCOUNT, "System.Object"))


def key_object(k: dict[str, Any]) -> PSObject:
    created = k.get("creationTime")
    return PSObject([
        ("KeyName", k.get("keyName")),
        ("Value", k.get("value")),
        ("Permissions", str(k.get("permissions", "Full")).capitalize()),
        ("CreationTime", _parse_time(created) if isinstance(created, str) else created),
    ], type_names=(PS_STORAGE_KEY, "System.Object"))


def _parse_time(text: str) -> datetime | str:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return text


# ------------------------------------------------------------------------------------------- base class
class StorageCmdlet(AzCmdlet):
    """ARM look-ups of accounts, and the data plane through a context."""

    #: the AzureRM-era cmdlets print the 2017 Azure.Storage shapes and errors
    legacy = False

    def accounts_path(self, rg: str | None = None) -> str:
        base = f"/subscriptions/{self.subscription_id}"
        if rg:
            base += f"/resourceGroups/{rg}"
        return f"{base}/providers/{STORAGE_ACCOUNT_TYPE}"

    def find_account(self, name: str, rg: str | None = None) -> dict[str, Any]:
        if rg:
            data = self.arm_get(f"{self.accounts_path(rg)}/{name}", API_STORAGE, allow_404=True)
            if not isinstance(data, dict):
                self.fail(ACCOUNT_NOT_FOUND.format(name=name, rg=rg), category="ObjectNotFound",
                          error_id="ResourceNotFound")
            return data
        for item in self.arm_list(self.accounts_path(), API_STORAGE):
            if isinstance(item, dict) and str(item.get("name", "")).casefold() == name.casefold():
                return item
        self.fail(f"Could not find the storage account '{name}' in the subscription.", category="ObjectNotFound",
                  error_id="ResourceNotFound")

    def context_auth(self) -> StorageAuth:
        """The ``-Context`` given, or Az's default: the current account's token (``-UseConnectedAccount``) for
        ``$env:AZURE_STORAGE_ACCOUNT``... azshell asks for a context instead of guessing."""
        ctx = self.bound.get("Context")
        if isinstance(ctx, (StorageContext, StorageContextRef)):
            return ctx.auth
        if ctx is None:
            self.fail("Could not get the storage context. Please pass in a storage context with \"-Context\" "
                      "parameter (e.g. New-AzStorageContext -StorageAccountName <name> -UseConnectedAccount).",
                      category="InvalidOperation", error_id="InvalidOperationException")
        self.fail(f"Cannot bind parameter 'Context'. Cannot convert the \"{ctx}\" value of type "
                  f"\"{type(ctx).__name__}\" to type \"{PS_STORAGE_CONTEXT}\".", error_id="CannotConvertArgument")

    def blob(self, method: str, path: str, *, params: dict[str, str] | None = None,
             headers: dict[str, str] | None = None, content: bytes | None = None,
             ok: tuple[int, ...] = (200, 201, 202, 206), allow_404: bool = False) -> httpx.Response | None:
        auth = self.context_auth()
        try:
            resp = blob_request(self.services, auth, method, path, params=params, headers=headers, content=content)
        except StorageError as e:
            raise CmdletError(e.message, category=e.category, error_id="StorageException") from None
        if resp.status_code == 404 and allow_404:
            return None
        if resp.status_code not in ok:
            raise storage_cmdlet_error(resp, ctx=self.ctx, legacy=self.legacy)
        return resp


_CONTEXT_PARAM = Param("Context", "object", value_from_pipeline_by_property_name=True,
                       help="The storage context (New-AzStorageContext, or (Get-AzStorageAccount ...).Context).")


# ------------------------------------------------------------------------------------------- accounts
class GetAzStorageAccount(StorageCmdlet):
    name = "Get-AzStorageAccount"
    aliases = ("Get-AzureRmStorageAccount",)
    synopsis = "Gets storage accounts."
    description = ("Lists the storage accounts of the subscription or of a resource group, or gets one. The "
                   "object's Context signs blob requests with the account key, which it lists through ARM on "
                   "first use (so it needs listKeys permission then).")
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=1, aliases=("StorageAccountName", "AccountName"),
              completer="storage_account"),
    )
    outputs = (PS_STORAGE_ACCOUNT,)
    examples = (
        Example("Get-AzStorageAccount -ResourceGroupName myResourceGroup", "The accounts of a group."),
        Example("$ctx = (Get-AzStorageAccount -ResourceGroupName myRG -Name mystorageacct).Context",
                "A context that signs with the account key."),
    )

    def process(self) -> None:
        rg = self.bound.get("ResourceGroupName")
        name = self.bound.get("Name")
        if name:
            if rg:
                self.write(account_object(self.find_account(str(name), str(rg)), self.services))
                return
            self.write(account_object(self.find_account(str(name)), self.services))
            return
        for item in self.arm_list(self.accounts_path(str(rg) if rg else None), API_STORAGE):
            if isinstance(item, dict):
                self.write(account_object(item, self.services))


class RemoveAzStorageAccount(StorageCmdlet):
    name = "Remove-AzStorageAccount"
    aliases = ("Remove-AzureRmStorageAccount",)
    synopsis = "Deletes a storage account."
    description = "Deletes the storage account and every container and blob in it (asks first without -Force)."
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", mandatory=True, position=0, completer="resource_group"),
        Param("Name", "string", mandatory=True, position=1, aliases=("StorageAccountName", "AccountName"),
              completer="storage_account"),
        Param("Force", "switch"),
        Param("AsJob", "switch"),
    )
    examples = (Example("Remove-AzStorageAccount -ResourceGroupName myRG -Name mystorageacct -Force",
                        "Deletes the account."),)

    def process(self) -> None:
        rg, name = str(self.bound["ResourceGroupName"]), str(self.bound["Name"])
        if not self.should_process(name, "Remove Storage Account"):
            return
        self.arm_delete(f"{self.accounts_path(rg)}/{name}", API_STORAGE, allow_404=True)


class GetAzStorageAccountKey(StorageCmdlet):
    name = "Get-AzStorageAccountKey"
    aliases = ("Get-AzureRmStorageAccountKey",)
    synopsis = "Gets the access keys of a storage account."
    description = ("POST …/storageAccounts/{name}/listKeys through ARM: needs "
                   "Microsoft.Storage/storageAccounts/listkeys/action (Storage Account Key Operator Service Role, "
                   "Storage Account Contributor, Contributor, Owner) — Reader is not enough.")
    params = (
        Param("ResourceGroupName", "string", mandatory=True, position=0, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", mandatory=True, position=1, aliases=("StorageAccountName", "AccountName"),
              completer="storage_account", value_from_pipeline_by_property_name=True),
        Param("ListKerbKey", "switch"),
    )
    outputs = (PS_STORAGE_KEY,)
    examples = (
        Example("Get-AzStorageAccountKey -ResourceGroupName myRG -Name mystorageacct", "Both keys."),
        Example("$key = (Get-AzStorageAccountKey -ResourceGroupName myRG -Name mystorageacct)[0].Value",
                "key1's value."),
    )

    def process(self) -> None:
        rg, name = str(self.bound["ResourceGroupName"]), str(self.bound["Name"])
        params = {"$expand": "kerb"} if self.bound.get("ListKerbKey") else None
        data = self.arm("POST", f"{self.accounts_path(rg)}/{name}/listKeys", API_STORAGE, params=params)
        for k in (data or {}).get("keys") or []:
            if isinstance(k, dict):
                self.write(key_object(k))


class NewAzStorageAccountKey(StorageCmdlet):
    name = "New-AzStorageAccountKey"
    aliases = ("New-AzureRmStorageAccountKey",)
    synopsis = "Regenerates an access key of a storage account."
    description = ("POST …/regenerateKey {\"keyName\":\"key1\"}: the old value stops working at once (contexts and "
                   "connection strings made with it get 403 AuthenticationFailed). Needs "
                   "Microsoft.Storage/storageAccounts/regeneratekey/action.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", mandatory=True, position=0, completer="resource_group"),
        Param("Name", "string", mandatory=True, position=1, aliases=("StorageAccountName", "AccountName"),
              completer="storage_account"),
        Param("KeyName", "string", mandatory=True, position=2, validate_set=("key1", "key2", "kerb1", "kerb2")),
    )
    outputs = (PS_LIST_KEYS_RESULT,)
    examples = (Example("New-AzStorageAccountKey -ResourceGroupName myRG -Name mystorageacct -KeyName key1",
                        "Regenerates key1."),)

    def process(self) -> None:
        rg, name, key = str(self.bound["ResourceGroupName"]), str(self.bound["Name"]), str(self.bound["KeyName"])
        if not self.should_process(name, f"Regenerate Storage Account Key {key}"):
            return
        data = self.arm("POST", f"{self.accounts_path(rg)}/{name}/regenerateKey", API_STORAGE,
                        body={"keyName": key})
        keys = [key_object(k) for k in (data or {}).get("keys") or [] if isinstance(k, dict)]
        self.write(PSObject([("Keys", keys)], type_names=(PS_LIST_KEYS_RESULT, "System.Object")))


# ------------------------------------------------------------------------------------------- contexts
class NewAzStorageContext(StorageCmdlet):
    name = "New-AzStorageContext"
    aliases = ("New-AzureStorageContext",)
    default_parameter_set = "OAuthAccount"
    synopsis = "Creates an Azure Storage context."
    description = (
        "A context says which account the blob cmdlets talk to and how they sign: -StorageAccountKey (Shared Key), "
        "-SasToken (the SAS is appended to every request), -UseConnectedAccount (a bearer token of the current "
        "account for https://storage.azure.com/: on a VM after Connect-AzAccount -Identity, the VM identity's; it "
        "needs a Storage Blob Data role), -ConnectionString, or -Anonymous. Nothing is sent until a cmdlet uses it."
    )
    params = (
        Param("StorageAccountName", "string", position=0, aliases=("AccountName",), completer="storage_account",
              parameter_sets=("AccountNameAndKey", "SasToken", "OAuthAccount", "AnonymousAccount")),
        Param("StorageAccountKey", "string", position=1, parameter_sets=("AccountNameAndKey",)),
        Param("SasToken", "string", parameter_sets=("SasToken",)),
        Param("UseConnectedAccount", "switch", parameter_sets=("OAuthAccount",)),
        Param("Anonymous", "switch", parameter_sets=("AnonymousAccount",)),
        Param("ConnectionString", "string", parameter_sets=("ConnectionString",)),
        Param("Protocol", "string", validate_set=("Http", "Https")),
        Param("Endpoint", "string"),
        Param("Environment", "string"),
        Param("BlobEndpoint", "string"),
    )
    outputs = (PS_STORAGE_CONTEXT,)
    examples = (
        Example("$ctx = New-AzStorageContext -StorageAccountName mystorageacct -StorageAccountKey $key",
                "Signs with the account key (Shared Key)."),
        Example("$ctx = New-AzStorageContext -StorageAccountName mystorageacct -SasToken $sasCred",
                "Uses a SAS credential."),
        Example("$ctx = New-AzStorageContext -StorageAccountName mystorageacct -UseConnectedAccount",
                "Uses the signed-in account's (or VM identity's) Microsoft Entra token."),
    )

    def process(self) -> None:
        p = self.bound
        conn = p.get("ConnectionString")
        if conn:
            try:
                auth = parse_connection_string(str(conn))
            except ValueError as e:
                self.fail(INVALID_CONNECTION_STRING.format(detail=e), error_id="ArgumentException")
            self.write(StorageContext(auth))
            return
        account = str(p.get("StorageAccountName") or "")
        if not account:
            self.fail("Cannot process command because of one or more missing mandatory parameters: "
                      "StorageAccountName.", error_id="MissingMandatoryParameter")
        endpoint = str(p.get("BlobEndpoint") or "") or blob_endpoint(account)
        if not endpoint.endswith("/"):
            endpoint += "/"
        if p.get("StorageAccountKey") is not None:
            key = str(p["StorageAccountKey"])
            if not key:
                self.fail("Cannot validate argument on parameter 'StorageAccountKey'. The argument is null or "
                          "empty. Provide an argument that is not null or empty, and then try the command again.",
                          error_id="ParameterArgumentValidationError")
            try:
                _check_key(key)
            except ValueError as e:
                self.fail(str(e), error_id="FormatException")
            auth = StorageAuth(account, endpoint, key=key)
        elif p.get("SasToken") is not None:
            sas = str(p["SasToken"]).strip()
            if not sas:
                self.fail("Cannot validate argument on parameter 'SasToken'. The argument is null or empty. Provide "
                          "an argument that is not null or empty, and then try the command again.",
                          error_id="ParameterArgumentValidationError")
            auth = StorageAuth(account, endpoint, sas=sas.lstrip("?"))
        elif p.get("UseConnectedAccount"):
            auth = StorageAuth(account, endpoint, oauth=True)
        elif p.get("Anonymous"):
            auth = StorageAuth(account, endpoint)
        else:
            self.fail(CONTEXT_NEEDS_CREDENTIAL, error_id="AmbiguousParameterSet")
        self.write(StorageContext(auth))


# ------------------------------------------------------------------------------------------- SAS tokens
def _as_datetime(value: Any, *, default: datetime | None) -> datetime | None:
    if value is None or value == "":
        return default
    if isinstance(value, datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    text = str(value).strip()
    try:
        d = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        try:
            d = datetime.strptime(text, "%m/%d/%Y %H:%M:%S")
        except ValueError:
            raise CmdletError(f"Cannot convert value \"{text}\" to type \"System.DateTime\". Error: \"String "
                              f"'{text}' was not recognized as a valid DateTime.\"", category="InvalidArgument",
                              error_id="CannotConvertArgumentNoMessage") from None
    return d if d.tzinfo is not None else d.replace(tzinfo=UTC)


_PROTOCOLS = {"httpsonly": "https", "httpsorhttp": "https,http"}


class _SasCmdlet(StorageCmdlet):
    def sas_parts(self) -> tuple[StorageAuth, str, datetime, datetime | None, str | None]:
        auth = self.context_auth()
        if auth.arm_id is not None and auth.key is None:
            try:
                auth.key = _listed_key(self.services, auth)
            except StorageError as e:
                raise CmdletError(e.message, category=e.category, error_id="StorageException") from None
        if auth.key is None:
            self.fail(SAS_NEEDS_KEY, category="InvalidOperation", error_id="InvalidOperationException")
        now = datetime.fromtimestamp(self.services._now(), UTC)
        start = _as_datetime(self.bound.get("StartTime"), default=None)
        expiry = _as_datetime(self.bound.get("ExpiryTime"), default=(start or now) + timedelta(hours=1))
        assert expiry is not None
        protocol = self.bound.get("Protocol")
        spr = _PROTOCOLS.get(str(protocol).casefold()) if protocol else None
        return auth, str(self.bound.get("Permission") or "r"), expiry, start, spr

    def emit(self, auth: StorageAuth, sas: str, resource: str) -> None:
        if self.bound.get("FullUri"):
            self.write(f"{auth.blob_endpoint.rstrip('/')}{resource}?{sas}")
        else:
            self.write(sas)


_SAS_COMMON = (
    Param("Permission", "string", help="Letters of racwdxltmeop (read, add, create, write, delete, list, ...)."),
    Param("StartTime", "object"),
    Param("ExpiryTime", "object"),
    Param("Protocol", "string", validate_set=("HttpsOnly", "HttpsOrHttp")),
    Param("IPAddressOrRange", "string"),
    Param("FullUri", "switch"),
    _CONTEXT_PARAM,
)


class NewAzStorageContainerSASToken(_SasCmdlet):
    name = "New-AzStorageContainerSASToken"
    aliases = ("New-AzureStorageContainerSASToken",)
    synopsis = "Generates a SAS token for a container."
    description = ("A service SAS (sr=c) signed here with the context's account key, as Az signs it: nothing is "
                   "sent to Azure. Blob requests that carry it may do what -Permission allows until -ExpiryTime "
                   "(default: one hour).")
    params = (Param("Name", "string", mandatory=True, position=0, aliases=("Container",),
                    completer="storage_container"), *_SAS_COMMON)
    outputs = ("System.String",)
    examples = (Example("New-AzStorageContainerSASToken -Name mycontainer -Permission rcw -Context $ctx",
                        "Read, create and write in mycontainer for one hour."),)

    def process(self) -> None:
        auth, perm, expiry, start, spr = self.sas_parts()
        container = str(self.bound["Name"])
        try:
            sas = service_sas(auth.account, str(auth.key), container=container, blob=None, permission=perm,
                              expiry=expiry, start=start, protocol=spr, ip=self.bound.get("IPAddressOrRange"))
        except ValueError as e:
            self.fail(str(e), error_id="ArgumentException")
        self.emit(auth, sas, blob_path(container))


class NewAzStorageBlobSASToken(_SasCmdlet):
    name = "New-AzStorageBlobSASToken"
    aliases = ("New-AzureStorageBlobSASToken",)
    synopsis = "Generates a SAS token for a blob."
    description = "A service SAS (sr=b) for one blob, signed with the context's account key."
    params = (Param("Container", "string", mandatory=True, position=0, completer="storage_container"),
              Param("Blob", "string", mandatory=True, position=1, completer="storage_blob"), *_SAS_COMMON)
    outputs = ("System.String",)
    examples = (Example("New-AzStorageBlobSASToken -Container mycontainer -Blob test.txt -Permission r "
                        "-Context $ctx -FullUri", "A read-only URL for one blob."),)

    def process(self) -> None:
        auth, perm, expiry, start, spr = self.sas_parts()
        container, blob = str(self.bound["Container"]), str(self.bound["Blob"])
        try:
            sas = service_sas(auth.account, str(auth.key), container=container, blob=blob, permission=perm,
                              expiry=expiry, start=start, protocol=spr, ip=self.bound.get("IPAddressOrRange"))
        except ValueError as e:
            self.fail(str(e), error_id="ArgumentException")
        self.emit(auth, sas, blob_path(container, blob))


_SERVICE_LETTERS = {"blob": "b", "file": "f", "queue": "q", "table": "t"}
_RESOURCE_TYPE_LETTERS = {"service": "s", "container": "c", "object": "o"}


def _letters(values: Any, table: dict[str, str], what: str) -> str:
    items = values if isinstance(values, (list, tuple)) else str(values).split(",")
    out = ""
    for v in items:
        key = str(v).strip().casefold()
        if key not in table:
            raise ValueError(f"Cannot convert value \"{v}\" to type \"{what}\". Specify one of: "
                             + ", ".join(k.capitalize() for k in table) + ".")
        out += table[key]
    return "".join(c for c in "".join(table.values()) if c in out)


class NewAzStorageAccountSASToken(_SasCmdlet):
    name = "New-AzStorageAccountSASToken"
    aliases = ("New-AzureStorageAccountSASToken",)
    synopsis = "Creates an account-level SAS token."
    description = "An account SAS (ss, srt, sp) for the services and resource types named, signed with the key."
    params = (Param("Service", "string[]", mandatory=True, help="Blob, File, Queue, Table."),
              Param("ResourceType", "string[]", mandatory=True, help="Service, Container, Object."),
              *_SAS_COMMON)
    outputs = ("System.String",)
    examples = (Example("New-AzStorageAccountSASToken -Service Blob -ResourceType Container,Object -Permission rl "
                        "-Context $ctx", "Read and list blobs and containers."),)

    def process(self) -> None:
        auth, perm, expiry, start, spr = self.sas_parts()
        try:
            ss = _letters(self.bound["Service"], _SERVICE_LETTERS, "Microsoft.Azure.Storage.SharedAccessAccountServices")
            srt = _letters(self.bound["ResourceType"], _RESOURCE_TYPE_LETTERS,
                           "Microsoft.Azure.Storage.SharedAccessAccountResourceTypes")
            sas = account_sas(auth.account, str(auth.key), services=ss, resource_types=srt, permission=perm,
                              expiry=expiry, start=start, protocol=spr, ip=self.bound.get("IPAddressOrRange"))
        except ValueError as e:
            self.fail(str(e), error_id="ArgumentException")
        self.emit(auth, sas, "/")


COMMANDS: tuple[type[AzCmdlet], ...] = (
    GetAzStorageAccount, RemoveAzStorageAccount, GetAzStorageAccountKey, NewAzStorageAccountKey,
    NewAzStorageContext, NewAzStorageContainerSASToken, NewAzStorageBlobSASToken, NewAzStorageAccountSASToken,
)

#: completion of container and blob names lives with the blob cmdlets; account names come from the web package's
#: "storage_account" completer (New-AzStorageAccount lives there)
COMPLETERS: dict[str, Callable[[Any], list[str]]] = {}


def register_views(views: ViewTable) -> None:
    """Az.Storage's default views: keys as a table; a context as a list."""
    views.register(PS_STORAGE_KEY, "table", ["KeyName", "Value", "Permissions", "CreationTime"])
    views.register(PS_STORAGE_CONTEXT, "list",
                   ["StorageAccountName", "BlobEndPoint", "TableEndPoint", "QueueEndPoint", "FileEndPoint",
                    "Context", "Name", "StorageAccount", "EndPointSuffix", "ConnectionString",
                    "ExtendedProperties"])
    views.register(PS_LIST_KEYS_RESULT, "list", ["Keys"])

