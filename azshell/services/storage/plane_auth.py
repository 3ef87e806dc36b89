"""How a Blob request proves who it is: Shared Key, a SAS (service or account), or an OAuth bearer token.

Each is verified as Azure verifies it, over Azure's string-to-sign for the version in use, and each failure is
Azure's error (``AuthenticationFailed`` with its ``AuthenticationErrorDetail``, which for a bad MAC quotes the
string the server signed). The result is a :class:`Credential` the plane authorizes each operation against:
a key may do anything (unless the account has ``allowSharedKeyAccess: false``), a SAS what its ``sp``/``sr``/
``srt``/``ss``/``spr``/``sip`` allow, a token what its principal's Storage Blob Data roles allow.

The same signing code makes the SAS tokens ARM's ``listServiceSas`` / ``listAccountSas`` return. A user
delegation SAS (``skoid`` …) is signed with a user delegation key, which the plane hands to an OAuth caller and
can recompute from the SAS's key fields (``user_delegation_key_value``).

Service SAS string-to-sign, by signed version (fields joined by ``\\n``)::

    < 2015-04-05     sp st se canonicalizedResource si sv rscc rscd rsce rscl rsct
    2015-04-05 …     sp st se canonicalizedResource si sip spr sv rscc rscd rsce rscl rsct
    2018-11-09 …     sp st se canonicalizedResource si sip spr sv sr snapshot rscc rscd rsce rscl rsct
    2020-12-06 …     sp st se canonicalizedResource si sip spr sv sr snapshot ses rscc rscd rsce rscl rsct

``canonicalizedResource`` is ``/blob/{account}/{container}[/{blob}]`` from 2015-02-21 on, ``/{account}/…``
before. Account SAS: ``account sp ss srt st se sip spr sv`` and, from 2020-12-06, ``ses``, each followed by
``\\n``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

from azshell.auth.decision import TokenProblem, token_decision
from azshell.auth.errors import (
    ExpiredTokenError,
    InvalidAudienceError,
    TokenValidationError,
    WrongTenantError,
)
from azshell.hostnames import LOGIN_AUTHORITY, STORAGE_BLOB_HOST_SUFFIX, STORAGE_RESOURCE
from azshell.planes._shared import Caller, caller_from_claims, dry_run_claims, record, token_refused
from azshell.planes.base import Request
from azshell.services.storage.plane_xml import StorageError, http_date

if TYPE_CHECKING:
    from azshell.world import World

__all__ = [
    "Credential",
    "account_sas_string_to_sign",
    "authenticate",
    "make_account_sas",
    "make_service_sas",
    "service_sas_string_to_sign",
    "shared_key_string_to_sign",
    "sign",
]

PLANE = "storage"
SERVICE = "Azure Storage"

#: The service versions Azure Storage has published (the Blob SDKs' lists and the REST reference's older ones).
SERVICE_VERSIONS: tuple[str, ...] = (
    "2009-09-19", "2011-08-18", "2012-02-12", "2013-08-15", "2014-02-14", "2015-02-21", "2015-04-05",
    "2015-07-08", "2015-12-11", "2016-05-31", "2017-04-17", "2017-07-29", "2017-11-09", "2018-03-28",
    "2018-11-09", "2019-02-02", "2019-07-07", "2019-10-10", "2019-12-12", "2020-02-10", "2020-04-08", "2020-06-12",
    "2020-08-04", "2020-10-02", "2020-12-06", "2021-02-12", "2021-04-10", "2021-06-08", "2021-08-06", "2021-10-04",
    "2021-12-02", "2022-11-02", "2023-01-03", "2023-05-03", "2023-08-03", "2023-11-03", "2024-02-04",
    "2024-05-04", "2024-08-04", "2024-11-04", "2025-01-05", "2025-05-05", "2025-07-05", "2025-11-05",
    "2026-02-06", "2026-04-06", "2026-06-06", "2026-10-06",
)
#: The version Azure applies to a Shared Key request without ``x-ms-version``.
DEFAULT_VERSION = "2009-09-19"
#: OAuth needs this version or later.
BEARER_MIN_VERSION = "2017-11-09"
#: How far past the world's today an unpublished version's date may lie (as ARM's rule for api-versions).
UNLISTED_VERSION_GRACE_DAYS = 366

# ------------------------------------------------------------------------------------------ Azure's strings
AUTHENTICATION_FAILED = "AuthenticationFailed"
AUTHENTICATION_FAILED_MESSAGE = (
    "Server failed to authenticate the request. Make sure the value of Authorization header is formed correctly "
    "including the signature."
)
MAC_MISMATCH_TEMPLATE = (
    "The MAC signature found in the HTTP request '{sig}' is not the same as any computed signature. Server used "
    "following string to sign: '{sts}'."
)
SAS_MISMATCH_TEMPLATE = "Signature did not match. String to sign used was {sts}"
SAS_FIELDS_MISSING = "sp is mandatory. Cannot be empty"  # INFERRED detail for a SAS without sp
UD_KEY_EXPIRED_TEMPLATE = "The user delegation key has expired: Expiry [{ske}]"  # INFERRED
SAS_EXPIRY_MISSING = "se is mandatory. Cannot be empty"  # INFERRED
SAS_START_AFTER_EXPIRY_TEMPLATE = "Signed expiry time [{se}] must be after signed start time [{st}]"
SAS_TIME_FRAME_TEMPLATE = "Signature not valid in the specified time frame: Start [{st}] - Expiry [{se}] - Current [{now}]"
SAS_BAD_TIME_TEMPLATE = "{field} is not in the correct format"  # INFERRED
SAS_VERSION_TEMPLATE = "The value for one of the HTTP headers is not in the correct format."
BEARER_VERSION_DETAIL = "Authentication scheme Bearer is not supported in this version."
BEARER_VERSION_FIX = "Send the header x-ms-version: 2017-11-09 (or later) with the bearer token."
INVALID_AUTH_INFO = "InvalidAuthenticationInfo"
INVALID_AUTH_INFO_FORMAT = (
    "Authentication information is not given in the correct format. Check the value of Authorization header."
)
INVALID_AUTH_INFO_HEADER = (
    "Server failed to authenticate the request. Please refer to the information in the www-authenticate header."
)
#: INFERRED: the AuthenticationErrorDetail texts of a refused token, as commonly reported (no public source in the
#: reference folder or the issue search confirms them word for word).
AUDIENCE_DETAIL = "Audience validation failed. Audience did not match."
EXPIRED_DETAIL = "Lifetime validation failed. The token is expired."
ISSUER_DETAIL = "Issuer validation failed. Issuer did not match."
SIGNATURE_DETAIL = "Signature validation failed. Signature is invalid."  # INFERRED
NO_AUTH_INFO = "NoAuthenticationInformation"
KEY_AUTH_NOT_PERMITTED = "KeyBasedAuthenticationNotPermitted"
KEY_AUTH_NOT_PERMITTED_MESSAGE = "Key based authentication is not permitted on this storage account."
INVALID_HEADER_VALUE = "InvalidHeaderValue"
INVALID_HEADER_VALUE_MESSAGE = "The value for one of the HTTP headers is not in the correct format."
INVALID_QUERY_VALUE = "InvalidQueryParameterValue"
INVALID_QUERY_VALUE_MESSAGE = "Value for one of the query parameters specified in the request URI is invalid."
MISSING_DATE_DETAIL = "Request date header not specified"  # INFERRED wording
#: x-ms-date's freshness is not checked (Azure refuses a date more than 15 minutes off): the world's clock can be
#: moved for the tutorials while clients sign with the real time (INFERRED leniency, on purpose).
WWW_AUTHENTICATE_TEMPLATE = (
    "Bearer authorization_uri=" + LOGIN_AUTHORITY + "/{tenant}/oauth2/authorize resource_id=" +
    STORAGE_RESOURCE.rstrip("/")
)

_VERSION_RE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_SAS_TIME_FORMATS = ("%Y-%m-%dT%H:%M:%SZ", "%Y-%m-%dT%H:%MZ", "%Y-%m-%d", "%Y-%m-%dT%H:%M:%S.%fZ",
                     "%Y-%m-%dT%H:%M:%S.%f0Z")


def sign(key_b64: str, text: str) -> str:
    """HMAC-SHA256 of ``text`` (UTF-8) with the base64 key, base64: every Storage signature."""
    key = base64.b64decode(key_b64)
    return base64.b64encode(hmac.new(key, text.encode("utf-8"), hashlib.sha256).digest()).decode("ascii")


def _auth_failed(detail: str, *, status: int = 403, headers: dict[str, str] | None = None) -> StorageError:
    return StorageError(status, AUTHENTICATION_FAILED, AUTHENTICATION_FAILED_MESSAGE,
                        details=(("AuthenticationErrorDetail", detail),), headers=headers)


# ---------------------------------------------------------------------------------------------- versions
def version_accepted(version: str, now: float) -> bool:
    """A published service version, or a well-formed date after the newest one, up to a year past today."""
    if version in SERVICE_VERSIONS:
        return True
    m = _VERSION_RE.match(version)
    if m is None:
        return False
    try:
        wanted = datetime(int(m.group(1)), int(m.group(2)), int(m.group(3)), tzinfo=UTC)
    except ValueError:
        return False
    newest = datetime.strptime(SERVICE_VERSIONS[-1], "%Y-%m-%d").replace(tzinfo=UTC)
    today = datetime.fromtimestamp(now, tz=UTC)
    return newest < wanted and (wanted - today).days <= UNLISTED_VERSION_GRACE_DAYS


def invalid_version(version: str) -> StorageError:
    return StorageError(400, INVALID_HEADER_VALUE, INVALID_HEADER_VALUE_MESSAGE,
                        details=(("HeaderName", "x-ms-version"), ("HeaderValue", version)))


# ---------------------------------------------------------------------------------------------- Shared Key
def _service_header_key(name: str) -> tuple[str, str]:
    """Storage sorts canonicalized headers as .NET's culture-aware compare does: hyphens weigh nothing at the
    first level (``x-ms-blob-type`` sorts as ``xmsblobtype``)."""
    return (name.replace("-", ""), name)


def _canonical_headers(request: Request, *, culture_sort: bool) -> str:
    pairs: dict[str, str] = {}
    for name, value in request.headers.items():
        low = name.lower()
        if low.startswith("x-ms-"):
            pairs[low] = value.strip() if low not in pairs else pairs[low] + "," + value.strip()
    names = sorted(pairs, key=_service_header_key if culture_sort else None)
    return "".join(f"{n}:{pairs[n]}\n" for n in names)


def _canonical_resource(account: str, path: str, query: Sequence[tuple[str, str]]) -> str:
    out = f"/{account}{path}"
    params: dict[str, list[str]] = {}
    for k, v in query:
        params.setdefault(k.lower(), []).append(v)
    for k in sorted(params):
        out += f"\n{k}:{','.join(sorted(params[k]))}"
    return out


def shared_key_string_to_sign(request: Request, account: str, version: str, *, raw_path: bool = True,
                              culture_sort: bool = True) -> str:
    """Azure's Shared Key string-to-sign for the Blob service (versions 2009-09-19 and later).

    ``Content-Length`` is empty when it is zero from 2015-02-21 on (``"0"`` before). The resource path is the
    path as sent (percent-encoded) by default; ``raw_path=False`` gives the decoded one (clients differ).
    """
    h = request.headers

    def get(name: str) -> str:
        return h.get(name) or ""

    length = get("Content-Length")
    if length == "0" and version >= "2015-02-21":
        length = ""
    path = request.raw_path if raw_path else request.path
    return "\n".join([
        request.method.upper(), get("Content-Encoding"), get("Content-Language"), length, get("Content-MD5"),
        get("Content-Type"), get("Date"), get("If-Modified-Since"), get("If-Match"), get("If-None-Match"),
        get("If-Unmodified-Since"), get("Range"),
    ]) + "\n" + _canonical_headers(request, culture_sort=culture_sort) + \
        _canonical_resource(account, path, [(unquote(k), v) for k, v in request.query])


# --------------------------------------------------------------------------------------------------- SAS
def parse_sas_time(text: str) -> float | None:
    for fmt in _SAS_TIME_FORMATS:
        try:
            return datetime.strptime(text, fmt).replace(tzinfo=UTC).timestamp()
        except ValueError:
            continue
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).timestamp()
    except ValueError:
        return None


def sas_time(epoch: float) -> str:
    """``2017-09-22T02:00:00Z``: how ARM's SAS answers write times."""
    return datetime.fromtimestamp(epoch, tz=UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def service_sas_string_to_sign(q: dict[str, str], canonical: str) -> str:
    """The service SAS string-to-sign for ``q``'s signed version (see the module's table)."""
    sv = q.get("sv", "")
    fields = [q.get("sp", ""), q.get("st", ""), q.get("se", ""), canonical, q.get("si", "")]
    if sv >= "2015-04-05":
        fields += [q.get("sip", ""), q.get("spr", "")]
    fields.append(sv)
    if sv >= "2018-11-09":
        fields += [q.get("sr", ""), q.get("snapshot", "")]
    if sv >= "2020-12-06":
        fields.append(q.get("ses", ""))
    fields += [q.get("rscc", ""), q.get("rscd", ""), q.get("rsce", ""), q.get("rscl", ""), q.get("rsct", "")]
    return "\n".join(fields)


def user_delegation_sas_string_to_sign(q: dict[str, str], canonical: str) -> str:
    """A user delegation SAS's string-to-sign: the service layout with the key's fields after the resource.

    ``saoid suoid scid`` from 2020-02-10, ``skdutid sduoid`` from 2025-07-05, ``srh srq`` from 2026-04-06
    (INFERRED boundary; the layout of the Blob SDK's own version is checked against its ``sts_hook``).
    """
    sv = q.get("sv", "")
    fields = [q.get("sp", ""), q.get("st", ""), q.get("se", ""), canonical, q.get("skoid", ""), q.get("sktid", ""),
              q.get("skt", ""), q.get("ske", ""), q.get("sks", ""), q.get("skv", "")]
    if sv >= "2020-02-10":
        fields += [q.get("saoid", ""), q.get("suoid", ""), q.get("scid", "")]
    if sv >= "2025-07-05":
        fields += [q.get("skdutid", ""), q.get("sduoid", "")]
    fields += [q.get("sip", ""), q.get("spr", ""), sv, q.get("sr", ""), q.get("snapshot", "")]
    if sv >= "2020-12-06":
        fields.append(q.get("ses", ""))
    if sv >= "2026-04-06":
        fields += [q.get("srh", ""), q.get("srq", "")]
    fields += [q.get("rscc", ""), q.get("rscd", ""), q.get("rsce", ""), q.get("rscl", ""), q.get("rsct", "")]
    return "\n".join(fields)


def user_delegation_key_value(account_key: str, account: str, oid: str, tid: str, start: str, expiry: str,
                              version: str) -> str:
    """The ``Value`` of a user delegation key: derived from an account key and the key's signed fields, so the
    service can recompute it from a SAS's ``skoid sktid skt ske skv`` (how Azure derives it is not public)."""
    return sign(account_key, "\n".join(("userdelegationkey", account.lower(), oid.lower(), tid.lower(), start,
                                          expiry, version)))


def account_sas_string_to_sign(account: str, q: dict[str, str]) -> str:
    sv = q.get("sv", "")
    fields = [account, q.get("sp", ""), q.get("ss", ""), q.get("srt", ""), q.get("st", ""), q.get("se", ""),
              q.get("sip", ""), q.get("spr", ""), sv]
    if sv >= "2020-12-06":
        fields.append(q.get("ses", ""))
    return "".join(f"{f}\n" for f in fields)


def sas_canonical_resource(account: str, version: str, container: str | None, blob: str | None) -> str:
    path = "/".join(p for p in (container, blob) if p)
    base = f"/blob/{account}" if version >= "2015-02-21" else f"/{account}"
    return f"{base}/{path}" if path else base


def _encode(fields: Sequence[tuple[str, str]]) -> str:
    from urllib.parse import quote

    return "&".join(f"{k}={quote(v, safe='')}" for k, v in fields if v)


def make_service_sas(key: str, canonical: str, fields: dict[str, str]) -> str:
    """A service SAS token in the order ARM's ``listServiceSas`` writes it: ``sv sr spr st se sp … sig``."""
    sig = sign(key, service_sas_string_to_sign(fields, canonical))
    order = ("sv", "sr", "si", "sip", "spr", "st", "se", "sp", "rscc", "rscd", "rsce", "rscl", "rsct")
    return _encode([(k, fields.get(k, "")) for k in order] + [("sig", sig)])


def make_account_sas(key: str, account: str, fields: dict[str, str]) -> str:
    """An account SAS token (``sv ss srt sp st se sip spr sig``; INFERRED order of ARM's ``listAccountSas``)."""
    sig = sign(key, account_sas_string_to_sign(account, fields))
    order = ("sv", "ss", "srt", "sp", "st", "se", "sip", "spr")
    return _encode([(k, fields.get(k, "")) for k in order] + [("sig", sig)])


# ----------------------------------------------------------------------------------------------- results
@dataclass(frozen=True)
class Credential:
    """What the request proved. ``kind``: ``key`` | ``service_sas`` | ``account_sas`` | ``delegation_sas`` (a user
    delegation SAS: ``caller`` is the principal whose key signed it) | ``oauth`` | ``anonymous``."""

    kind: str
    version: str
    permissions: str = ""
    #: service SAS: ``sr`` (``c``/``b``); account SAS: ``srt`` (``s``/``c``/``o``) and ``ss``
    resource: str = ""
    services: str = ""
    #: the container / blob a service SAS was signed for
    sas_container: str = ""
    sas_blob: str = ""
    caller: Caller | None = None
    key_name: str = ""
    extra: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AccountView:
    """What authentication needs to know of the account."""

    name: str
    keys: tuple[str, str]
    allow_shared_key: bool
    tenant_id: str


def _sas_query(request: Request) -> dict[str, str] | None:
    q = {k: v for k, v in request.query}
    return q if "sig" in q else None


def authenticate(request: Request, world: World, account: AccountView, container: str | None,
                 blob: str | None) -> Credential:
    """Verify the request's credential; raise Azure's 4xx for a bad one. ``container``/``blob`` are the resource
    the URL names (a SAS's canonical resource is computed from them, as Azure does)."""
    now = world.clock.now()
    auth = request.headers.get("Authorization")
    version = request.headers.get("x-ms-version")
    if version is not None and not version_accepted(version, now):
        raise invalid_version(version)
    sas = _sas_query(request)
    if auth:
        scheme, _, rest = auth.strip().partition(" ")
        if scheme.lower() == "bearer":
            return _oauth(request, world, account, rest.strip(), version)
        if scheme in ("SharedKey", "SharedKeyLite"):
            return _shared_key(request, account, rest.strip(), version or DEFAULT_VERSION, lite=scheme != "SharedKey")
        raise StorageError(400, INVALID_AUTH_INFO, INVALID_AUTH_INFO_FORMAT)
    if sas is not None:
        return _sas(request, world, account, sas, container, blob, now, version)
    return Credential("anonymous", version or DEFAULT_VERSION)


def _key_auth_allowed(account: AccountView) -> None:
    if not account.allow_shared_key:
        raise StorageError(403, KEY_AUTH_NOT_PERMITTED, KEY_AUTH_NOT_PERMITTED_MESSAGE)


def _shared_key(request: Request, account: AccountView, rest: str, version: str, *, lite: bool) -> Credential:
    name, sep, sig = rest.partition(":")
    if not sep or not name or not sig:
        raise StorageError(400, INVALID_AUTH_INFO, INVALID_AUTH_INFO_FORMAT)
    if not request.headers.get("x-ms-date") and not request.headers.get("Date"):
        raise _auth_failed(MISSING_DATE_DETAIL)
    primary = _shared_key_lite_string(request, account.name) if lite \
        else shared_key_string_to_sign(request, account.name, version)

    def candidates() -> Iterator[str]:
        yield primary
        if not lite:  # clients differ in how they spell the path and sort the headers: try those too
            yield shared_key_string_to_sign(request, account.name, version, raw_path=False)
            yield shared_key_string_to_sign(request, account.name, version, culture_sort=False)

    if name.lower() == account.name.lower():
        for text in candidates():
            for i, key in enumerate(account.keys):
                try:
                    ok = hmac.compare_digest(sign(key, text), sig)
                except (binascii.Error, ValueError):
                    ok = False
                if ok:
                    _key_auth_allowed(account)
                    return Credential("key", version, key_name=f"key{i + 1}")
    raise _auth_failed(MAC_MISMATCH_TEMPLATE.format(sig=sig, sts=primary))


def _shared_key_lite_string(request: Request, account: str) -> str:
    h = request.headers
    head = "\n".join([request.method.upper(), h.get("Content-MD5") or "", h.get("Content-Type") or "",
                      h.get("Date") or ""]) + "\n"
    comp = request.query_get("comp")
    resource = f"/{account}{request.raw_path}" + (f"?comp={comp}" if comp is not None else "")
    return head + _canonical_headers(request, culture_sort=True) + resource


def _sas(request: Request, world: World, account: AccountView, q: dict[str, str], container: str | None,
         blob: str | None, now: float, header_version: str | None) -> Credential:
    sv = q.get("sv", "")
    if not sv or not version_accepted(sv, now):
        raise StorageError(400, INVALID_QUERY_VALUE, INVALID_QUERY_VALUE_MESSAGE,
                           details=(("QueryParameterName", "sv"), ("QueryParameterValue", sv),
                                    ("Reason", "")))
    is_account = "ss" in q or "srt" in q
    delegated = "skoid" in q and not is_account
    if is_account:
        sts = account_sas_string_to_sign(account.name, q)
    else:
        sr = q.get("sr", "")
        if sr == "c" or not blob:
            canonical = sas_canonical_resource(account.name, sv, container, None)
        else:
            canonical = sas_canonical_resource(account.name, sv, container, blob)
        sts = user_delegation_sas_string_to_sign(q, canonical) if delegated else service_sas_string_to_sign(q, canonical)
    sig = q.get("sig", "")
    matched = False
    key_name = ""
    signing_keys = [user_delegation_key_value(k, account.name, q.get("skoid", ""), q.get("sktid", ""),
                                              q.get("skt", ""), q.get("ske", ""), q.get("skv", ""))
                    for k in account.keys] if delegated else list(account.keys)
    for i, key in enumerate(signing_keys):
        try:
            if hmac.compare_digest(sign(key, sts), sig):
                matched, key_name = True, f"key{i + 1}"
                break
        except (binascii.Error, ValueError):
            continue
    if not matched:
        raise _auth_failed(SAS_MISMATCH_TEMPLATE.format(sts=sts))
    if delegated:
        key_expiry = parse_sas_time(q.get("ske", ""))
        if key_expiry is None or now > key_expiry:
            raise _auth_failed(UD_KEY_EXPIRED_TEMPLATE.format(ske=q.get("ske", "")))
    else:
        _key_auth_allowed(account)
    st_text, se_text = q.get("st", ""), q.get("se", "")
    if not q.get("sp"):
        raise _auth_failed(SAS_FIELDS_MISSING)
    if not se_text:
        raise _auth_failed(SAS_EXPIRY_MISSING)
    se = parse_sas_time(se_text)
    if se is None:
        raise _auth_failed(SAS_BAD_TIME_TEMPLATE.format(field="se"))
    st: float | None = None
    if st_text:
        st = parse_sas_time(st_text)
        if st is None:
            raise _auth_failed(SAS_BAD_TIME_TEMPLATE.format(field="st"))
        if se <= st:
            raise _auth_failed(SAS_START_AFTER_EXPIRY_TEMPLATE.format(se=http_date(se), st=http_date(st)))
    if now > se or (st is not None and now < st):
        raise _auth_failed(SAS_TIME_FRAME_TEMPLATE.format(st=http_date(st) if st is not None else "",
                                                          se=http_date(se), now=http_date(now)))
    version = header_version or sv
    if is_account:
        return Credential("account_sas", version, permissions=q.get("sp", ""), resource=q.get("srt", ""),
                          services=q.get("ss", ""), key_name=key_name,
                          extra={"spr": q.get("spr", ""), "sip": q.get("sip", ""), "sv": sv})
    if delegated:
        oid = q.get("skoid", "")
        caller = Caller(oid=oid, tenant_id=q.get("sktid", ""), client=oid, group_ids=tuple(world.store.group_ids_of(oid)),
                        log=request.decisions)
        return Credential("delegation_sas", version, permissions=q.get("sp", ""), resource=q.get("sr", ""),
                          sas_container=container or "", sas_blob=blob or "", caller=caller,
                          extra={"spr": q.get("spr", ""), "sip": q.get("sip", ""), "sv": sv})
    return Credential("service_sas", version, permissions=q.get("sp", ""), resource=q.get("sr", ""),
                      sas_container=container or "", sas_blob=blob or "", key_name=key_name,
                      extra={"spr": q.get("spr", ""), "sip": q.get("sip", ""), "sv": sv})


def _oauth(request: Request, world: World, account: AccountView, token: str, version: str | None) -> Credential:
    tenant = account.tenant_id
    challenge = {"WWW-Authenticate": WWW_AUTHENTICATE_TEMPLATE.format(tenant=tenant)}
    account_url = f"https://{account.name}{STORAGE_BLOB_HOST_SUFFIX}"
    audiences = (STORAGE_RESOURCE, STORAGE_RESOURCE.rstrip("/"), account_url, account_url + "/")

    def refused(error: BaseException | None = None) -> None:
        token_refused(request, world, plane=PLANE, expected=STORAGE_RESOURCE, service=SERVICE, error=error,
                      tenant=tenant)

    if version is None and request.dry_run:
        # Test-AzAccess -Uri replays the call without the client's headers: judge the token, not the header
        version = SERVICE_VERSIONS[-1]
    if version is None or version < BEARER_MIN_VERSION:
        problem = TokenProblem(
            code="storage_version", expected=STORAGE_RESOURCE, found=version or "",
            reason=(f"Azure Storage takes a bearer token only with the header x-ms-version: {BEARER_MIN_VERSION} or "
                    f"later; this request sent {f'x-ms-version: {version}' if version else 'no x-ms-version'}."))
        record(request, token_decision(PLANE, problem, fix=BEARER_VERSION_FIX))
        raise _auth_failed(BEARER_VERSION_DETAIL)
    if not token:
        refused()
        raise StorageError(401, INVALID_AUTH_INFO, INVALID_AUTH_INFO_HEADER, headers=challenge)
    try:
        claims = world.tokens.verify(token, audiences=audiences, tenant_id=tenant)
    except InvalidAudienceError as exc:
        refused(exc)
        raise StorageError(401, INVALID_AUTH_INFO, INVALID_AUTH_INFO_HEADER, headers=challenge,
                           details=(("AuthenticationErrorDetail", AUDIENCE_DETAIL),)) from None
    except ExpiredTokenError as exc:
        refused(exc)
        raise StorageError(401, INVALID_AUTH_INFO, INVALID_AUTH_INFO_HEADER, headers=challenge,
                           details=(("AuthenticationErrorDetail", EXPIRED_DETAIL),)) from None
    except WrongTenantError as exc:
        refused(exc)
        raise StorageError(401, INVALID_AUTH_INFO, INVALID_AUTH_INFO_HEADER, headers=challenge,
                           details=(("AuthenticationErrorDetail", ISSUER_DETAIL),)) from None
    except TokenValidationError as exc:
        refused(exc)
        raise StorageError(401, INVALID_AUTH_INFO, INVALID_AUTH_INFO_HEADER, headers=challenge,
                           details=(("AuthenticationErrorDetail", SIGNATURE_DETAIL),)) from None
    if not isinstance(claims.get("oid"), str) or not claims.get("oid"):
        refused()
        raise StorageError(401, INVALID_AUTH_INFO, INVALID_AUTH_INFO_HEADER, headers=challenge)
    claims = dry_run_claims(request, world, claims)
    caller = caller_from_claims(claims, world.store.group_ids_of(str(claims["oid"])), log=request.decisions)
    return Credential("oauth", version, caller=caller)
