"""The Blob service at ``https://{account}.blob.core.windows.net``: ``handle(request, world) -> Response``.

Every request goes through the same steps::

    the account (a name no account has does not resolve, as in DNS)  →  network rules (403 AuthorizationFailure)
      →  the credential (plane_auth: Shared Key, SAS, OAuth; 400/401/403)  →  the operation (method + restype/comp)
      →  may this credential do it (SAS sp/sr/srt/ss/spr/sip; OAuth the Storage Blob Data roles' actions)
      →  the operation itself (404s, conditional headers 304/412, 409s)  →  Azure's headers on every answer

Operations: List Containers, Get Account Information, Get User Delegation Key (OAuth only); Create / Get Properties / Get and Set Metadata / Delete
Container, List Blobs (prefix, delimiter → ``BlobPrefix``, marker/``NextMarker``, maxresults, include=metadata);
Put Blob, Get Blob (``Range`` / ``x-ms-range`` → 206), Get Blob Properties (HEAD), Set Blob Properties and
Metadata, Delete Blob, Copy Blob within the account, Put Block, Put Block List, Get Block List. Block blobs only.

A user delegation SAS is checked twice: its ``sp`` and its signer's Storage Blob Data roles, as Azure does.
The decision taken (``AccessDecision``: ``key``, ``sas`` or ``rbac`` model) travels with every answer.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import ipaddress
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit
from xml.sax.saxutils import escape

from azshell.auth.decision import AccessDecision, rbac_access
from azshell.hostnames import STORAGE_BLOB_HOST_SUFFIX, STORAGE_RESOURCE
from azshell.model.types import Resource
from azshell.planes._shared import record, token_refused
from azshell.planes.base import Headers, Request, Response
from azshell.planes.router import no_such_host
from azshell.services.storage import model as st
from azshell.services.storage.arm import account_keys, find_account
from azshell.services.storage.catalog import BLOB_OPERATION_ACTIONS
from azshell.services.storage.plane_auth import (
    DEFAULT_VERSION,
    INVALID_AUTH_INFO_HEADER,
    NO_AUTH_INFO,
    PLANE,
    SERVICE,
    WWW_AUTHENTICATE_TEMPLATE,
    AccountView,
    Credential,
    authenticate,
    parse_sas_time,
    sas_time,
    user_delegation_key_value,
)
from azshell.services.storage.plane_xml import (
    SERVER,
    XML_CONTENT_TYPE,
    XML_DECLARATION,
    StorageError,
    block_list_xml,
    element,
    etag_for,
    http_date,
    metadata_xml,
    new_request_id,
    parse_block_list,
    parse_http_date,
    parse_key_info,
)

if TYPE_CHECKING:
    from azshell.world import World

__all__ = ["handle"]

# ------------------------------------------------------------------------------------------ Azure's strings
AUTHORIZATION_FAILURE = ("AuthorizationFailure", "This request is not authorized to perform this operation.")
PERMISSION_MISMATCH = ("AuthorizationPermissionMismatch",
                       "This request is not authorized to perform this operation using this permission.")
PROTOCOL_MISMATCH = ("AuthorizationProtocolMismatch",
                     "This request is not authorized to perform this operation using this protocol.")
RESOURCE_TYPE_MISMATCH = ("AuthorizationResourceTypeMismatch",
                          "This request is not authorized to perform this operation using this resource type.")
SERVICE_MISMATCH = ("AuthorizationServiceMismatch",
                    "This request is not authorized to perform this operation using this service.")
SOURCE_IP_MISMATCH_CODE = "AuthorizationSourceIPMismatch"
SOURCE_IP_MISMATCH_TEMPLATE = "This request is not authorized to perform this operation using this source IP {ip}."
CONTAINER_NOT_FOUND = ("ContainerNotFound", "The specified container does not exist.")
BLOB_NOT_FOUND = ("BlobNotFound", "The specified blob does not exist.")
RESOURCE_NOT_FOUND = ("ResourceNotFound", "The specified resource does not exist.")
CONTAINER_EXISTS = ("ContainerAlreadyExists", "The specified container already exists.")
BLOB_EXISTS = ("BlobAlreadyExists", "The specified blob already exists.")
CONDITION_NOT_MET = ("ConditionNotMet", "The condition specified using HTTP conditional header(s) is not met.")
INVALID_RANGE = ("InvalidRange", "The range specified is invalid for the current size of the resource.")
INVALID_BLOCK_LIST = ("InvalidBlockList", "The specified block list is invalid.")
INVALID_BLOB_OR_BLOCK = ("InvalidBlobOrBlock", "The specified blob or block content is invalid.")
INVALID_XML = ("InvalidXmlDocument", "XML specified is not syntactically valid.")
INVALID_XML_NODE = ("InvalidXmlNodeValue", "The value for one of the XML nodes is not in the correct format.")
MD5_MISMATCH = ("Md5Mismatch",
                "The MD5 value specified in the request did not match with the MD5 value calculated by the server.")
INVALID_RESOURCE_NAME = ("InvalidResourceName", "The specifed resource name contains invalid characters.")
OUT_OF_RANGE_INPUT = ("OutOfRangeInput", "The specified resource name length is not within the permissible limits.")
MISSING_HEADER = ("MissingRequiredHeader", "An HTTP header that's mandatory for this request is not specified.")
INVALID_HEADER = ("InvalidHeaderValue", "The value for one of the HTTP headers is not in the correct format.")
INVALID_QUERY = ("InvalidQueryParameterValue",
                 "Value for one of the query parameters specified in the request URI is invalid.")
OUT_OF_RANGE_QUERY = ("OutOfRangeQueryParameterValue",
                      "One of the query parameters specified in the request URI is outside the permissible range.")
UNSUPPORTED_VERB = ("UnsupportedHttpVerb", "The resource doesn't support specified Http Verb.")
INVALID_URI = ("InvalidUri", "The requested URI does not represent any resource on the server.")
#: Page and append blobs are not emulated (INFERRED code for the refusal).
FEATURE_NOT_SUPPORTED = ("FeatureNotSupported", "This feature is not supported by azshell's Blob service: only block "
                         "blobs are emulated.")
CANNOT_VERIFY_COPY_SOURCE = ("CannotVerifyCopySource", "The specified blob does not exist.")  # INFERRED message
CANNOT_VERIFY_COPY_SOURCE_DENIED = ("CannotVerifyCopySource",
                                    "This request is not authorized to perform this operation.")  # INFERRED
PUBLIC_ACCESS_NOT_PERMITTED = ("PublicAccessNotPermitted", "Public access is not permitted on this storage account.")

MAX_RESULTS = 5000
#: A user delegation key lives at most seven days.
MAX_DELEGATION_KEY_SECONDS = 7 * 24 * 3600
MAX_RANGE_MD5 = 4 * 1024 * 1024
BLOB_NAME_MAX = 1024
_CONTAINER_RE = re.compile(r"^[a-z0-9](?:[a-z0-9]|-(?=[a-z0-9]))*$")
_RANGE_RE = re.compile(r"^bytes=(\d+)-(\d*)$")
_META_PREFIX = "x-ms-meta-"
_BLOB_MARKER_RE = re.compile(r"^2!\d+!(.*)$")
_LIST_INCLUDES = frozenset({"metadata", "snapshots", "uncommittedblobs", "copy", "deleted", "tags", "versions",
                            "deletedwithversions", "immutabilitypolicy", "legalhold", "permissions", "system"})


def _err(pair: tuple[str, str], status: int) -> StorageError:
    return StorageError(status, pair[0], pair[1])


# ------------------------------------------------------------------------------------------------- context
@dataclass
class Ctx:
    request: Request
    world: World
    account: str
    resource: Resource
    container: str | None
    blob: str | None
    now: float
    cred: Credential | None = None
    out: Headers = field(default_factory=Headers)

    @property
    def container_scope(self) -> str:
        base = f"{self.resource.id}/blobServices/default"
        return f"{base}/containers/{self.container}" if self.container else base

    def q(self, name: str) -> str | None:
        return self.request.query_get(name)

    def header(self, name: str) -> str | None:
        return self.request.headers.get(name)

    def new_etag(self) -> str:
        return etag_for(self.now, self.world.ids.below(9_999_999))


def _account_of(request: Request, world: World) -> tuple[str, Resource]:
    name = request.host[: -len(STORAGE_BLOB_HOST_SUFFIX)]
    res = find_account(world, name) if name and "." not in name else None
    if res is None:
        raise no_such_host(request)
    return name.lower(), res


def _split_path(path: str) -> tuple[str | None, str | None]:
    trimmed = path[1:] if path.startswith("/") else path
    if not trimmed:
        return None, None
    container, _, blob = trimmed.partition("/")
    return container, (blob or None)


# --------------------------------------------------------------------------------------------------- rules
def _network_rules(ctx: Ctx) -> None:
    props = ctx.resource.properties or {}
    acls = props.get("networkAcls") if isinstance(props.get("networkAcls"), dict) else {}
    if str(props.get("publicNetworkAccess", "Enabled")).lower() == "disabled" \
            or str((acls or {}).get("defaultAction", "Allow")).lower() == "deny":
        raise _err(AUTHORIZATION_FAILURE, 403)


@dataclass(frozen=True)
class Need:
    """What an operation needs: its OAuth action key, the SAS permission letters (any of), the account SAS
    resource type, and whether a container-scoped service SAS may do it."""

    action: str
    sas: str
    level: str
    service_sas: bool = True


def _decide_key(ctx: Ctx, op: str) -> None:
    cred = ctx.cred
    assert cred is not None
    record(ctx.request, AccessDecision(
        plane=PLANE, model="key", allowed=True, principal=f"{ctx.account} ({cred.key_name})",
        reason=f"Allowed: the request is signed with the account key {cred.key_name} of '{ctx.account}' (Shared "
               "Key): a key may do anything in its account.", action=op, scope=ctx.container_scope))


def _sas_denied(ctx: Ctx, op: str, pair: tuple[str, str], reason: str, *, message: str | None = None) -> StorageError:
    record(ctx.request, AccessDecision(
        plane=PLANE, model="sas", allowed=False, principal=ctx.account, reason=f"Denied: {reason}", action=op,
        scope=ctx.container_scope, fix="Make a SAS that grants it (New-AzStorageContainerSASToken -Permission …)"))
    return StorageError(403, pair[0], message or pair[1])


def _check_sas(ctx: Ctx, op: str, need: Need) -> None:
    cred = ctx.cred
    assert cred is not None
    extra = cred.extra
    what = {"account_sas": "an account SAS", "delegation_sas": "a user delegation SAS"}.get(cred.kind, "a service SAS")
    if extra.get("spr") == "https" and ctx.request.scheme != "https":
        raise _sas_denied(ctx, op, PROTOCOL_MISMATCH, f"{what} with spr=https used over {ctx.request.scheme}.")
    sip = str(extra.get("sip") or "")
    remote = ctx.request.caller.remote_addr
    if sip and remote and not _ip_in(remote, sip):
        raise _sas_denied(ctx, op, (SOURCE_IP_MISMATCH_CODE, ""), f"the SAS allows IPs {sip}, not {remote}.",
                          message=SOURCE_IP_MISMATCH_TEMPLATE.format(ip=remote))
    if cred.kind == "account_sas":
        if "b" not in cred.services:
            raise _sas_denied(ctx, op, SERVICE_MISMATCH, f"the account SAS is for services '{cred.services}', not "
                              "the Blob service (b).")
        if need.level not in cred.resource:
            raise _sas_denied(ctx, op, RESOURCE_TYPE_MISMATCH, f"the account SAS is for resource types "
                              f"'{cred.resource}'; this operation needs '{need.level}'.")
    elif not need.service_sas or (cred.resource == "c" and need.level == "s"):
        raise _sas_denied(ctx, op, PERMISSION_MISMATCH, f"a service SAS (sr={cred.resource}) cannot do {op}.")
    if not any(p in cred.permissions for p in need.sas):
        raise _sas_denied(ctx, op, PERMISSION_MISMATCH, f"{what} with sp={cred.permissions} does not grant "
                          f"{op} (needs {' or '.join(need.sas)}).")
    record(ctx.request, AccessDecision(
        plane=PLANE, model="sas", allowed=True, principal=ctx.account,
        reason=f"Allowed: {what} signed with {cred.key_name or 'a user delegation key'} grants {op} "
               f"(sp={cred.permissions}).", action=op,
        scope=ctx.container_scope))


def _ip_in(remote: str, sip: str) -> bool:
    try:
        addr = ipaddress.ip_address(remote)
        low, _, high = sip.partition("-")
        if not high:
            return addr == ipaddress.ip_address(low)
        return ipaddress.ip_address(low) <= addr <= ipaddress.ip_address(high)  # type: ignore[operator]
    except ValueError:
        return False


def _check_oauth(ctx: Ctx, op: str, need: Need) -> None:
    cred = ctx.cred
    assert cred is not None and cred.caller is not None
    action, data = BLOB_OPERATION_ACTIONS[need.action]
    caller = cred.caller
    decision = record(ctx.request, rbac_access(
        ctx.world.rbac_index(), plane=PLANE, principal=caller.oid, principal_name=caller.client,
        group_ids=caller.group_ids, action=action, scope=ctx.container_scope, data_action=data,
        extra=(("account", ctx.account), ("operation", op))))
    if not decision.allowed:
        raise _err(PERMISSION_MISMATCH, 403)


def _authorize(ctx: Ctx, op: str, need: Need) -> None:
    cred = ctx.cred
    assert cred is not None
    if op == "GetUserDelegationKey" and cred.kind != "oauth":
        # only a Microsoft Entra principal gets a user delegation key (INFERRED code for a key or SAS asking)
        raise _err(PERMISSION_MISMATCH, 403)
    if cred.kind == "key":
        _decide_key(ctx, op)
    elif cred.kind in ("service_sas", "account_sas"):
        _check_sas(ctx, op, need)
    elif cred.kind == "delegation_sas":
        # a user delegation SAS grants what its sp says *and* what its signer's roles still allow
        _check_sas(ctx, op, need)
        _check_oauth(ctx, op, need)
    elif cred.kind == "oauth":
        _check_oauth(ctx, op, need)
    else:
        token_refused(ctx.request, ctx.world, plane=PLANE, expected=STORAGE_RESOURCE, service=SERVICE,
                      tenant=ctx.world.tenant_id)
        # INFERRED split: an anonymous account-level call gets 401 NoAuthenticationInformation with the bearer
        # challenge; an anonymous read in a private container 404 ResourceNotFound (public access is not emulated)
        if ctx.container is None:
            raise StorageError(401, NO_AUTH_INFO, INVALID_AUTH_INFO_HEADER, headers={
                "WWW-Authenticate": WWW_AUTHENTICATE_TEMPLATE.format(tenant=ctx.world.tenant_id)})
        raise _err(RESOURCE_NOT_FOUND, 404)


# ------------------------------------------------------------------------------------------------- helpers
def _metadata_in(request: Request) -> dict[str, str]:
    out: dict[str, str] = {}
    for k, v in request.headers.items():
        if k.lower().startswith(_META_PREFIX):
            out[k[len(_META_PREFIX):]] = v
    return out


def _put_metadata(h: Headers, metadata: Mapping[str, str]) -> None:
    for k, v in metadata.items():
        h.set(_META_PREFIX + k, v)


def _bare(etag: str) -> str:
    return etag.strip().strip('"')


def _conditions(ctx: Ctx, etag: str | None, last_modified: float | None, *, read: bool) -> None:
    """If-Match / If-None-Match / If-Modified-Since / If-Unmodified-Since against the current blob (None: none)."""
    h = ctx.request.headers
    exists = etag is not None
    if_match, if_none = h.get("If-Match"), h.get("If-None-Match")
    fail_412 = _err(CONDITION_NOT_MET, 412)
    if if_match is not None:
        tags = [_bare(t) for t in if_match.split(",")]
        if not exists or ("*" not in tags and _bare(etag or "") not in tags):
            raise fail_412
    if if_none is not None:
        tags = [_bare(t) for t in if_none.split(",")]
        if exists and ("*" in tags or _bare(etag or "") in tags):
            if read:
                raise StorageError(304, CONDITION_NOT_MET[0], CONDITION_NOT_MET[1])
            if "*" in tags:
                raise _err(BLOB_EXISTS, 409)
            raise fail_412
    since = h.get("If-Modified-Since")
    if since is not None and exists and last_modified is not None:
        when = parse_http_date(since)
        if when is not None and int(last_modified) <= int(when):
            if read:
                raise StorageError(304, CONDITION_NOT_MET[0], CONDITION_NOT_MET[1])
            raise fail_412
    until = h.get("If-Unmodified-Since")
    if until is not None and exists and last_modified is not None:
        when = parse_http_date(until)
        if when is not None and int(last_modified) > int(when):
            raise fail_412


def _check_container_name(name: str) -> None:
    if name == "$root":
        return
    if not 3 <= len(name) <= 63:
        raise _err(OUT_OF_RANGE_INPUT, 400)
    if not _CONTAINER_RE.match(name):
        raise _err(INVALID_RESOURCE_NAME, 400)


def _container(ctx: Ctx) -> st.Container:
    assert ctx.container is not None
    found = st.get_container(ctx.world.store, ctx.account, ctx.container)
    if found is None:
        raise _err(CONTAINER_NOT_FOUND, 404)
    return found


def _blob(ctx: Ctx, *, data: bool = False) -> st.Blob:
    _container(ctx)
    assert ctx.container is not None and ctx.blob is not None
    found = st.get_blob(ctx.world.store, ctx.account, ctx.container, ctx.blob, with_data=data)
    if found is None:
        raise _err(BLOB_NOT_FOUND, 404)
    return found


def _md5(data: bytes) -> str:
    return base64.b64encode(hashlib.md5(data, usedforsecurity=False).digest()).decode("ascii")


def _int_query(ctx: Ctx, name: str) -> int | None:
    raw = ctx.q(name)
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise StorageError(400, INVALID_QUERY[0], INVALID_QUERY[1], details=(
            ("QueryParameterName", name), ("QueryParameterValue", raw), ("Reason", ""))) from None
    if value < 1:
        raise StorageError(400, OUT_OF_RANGE_QUERY[0], OUT_OF_RANGE_QUERY[1], details=(
            ("QueryParameterName", name), ("QueryParameterValue", raw), ("MinimumAllowed", "1"),
            ("MaximumAllowed", str(MAX_RESULTS))))
    return min(value, MAX_RESULTS)


def _includes(ctx: Ctx) -> set[str]:
    raw = ctx.q("include") or ""
    out = {p.strip().lower() for p in raw.split(",") if p.strip()}
    bad = out - _LIST_INCLUDES
    if bad:
        raise StorageError(400, INVALID_QUERY[0], INVALID_QUERY[1], details=(
            ("QueryParameterName", "include"), ("QueryParameterValue", raw), ("Reason", "")))
    return out


def _xml(status: int, body: str, ctx: Ctx) -> Response:
    ctx.out.set("Content-Type", XML_CONTENT_TYPE)
    return Response(status, ctx.out, body.encode("utf-8"))


def _empty(status: int, ctx: Ctx) -> Response:
    return Response(status, ctx.out)


def _etag_headers(ctx: Ctx, etag: str, last_modified: float) -> None:
    ctx.out.set("ETag", etag)
    ctx.out.set("Last-Modified", http_date(last_modified))


# --------------------------------------------------------------------------------------------- containers
def _list_containers(ctx: Ctx) -> Response:
    prefix = ctx.q("prefix") or ""
    marker = ctx.q("marker") or ""
    after = marker[len(f"/{ctx.account}/"):] if marker.startswith(f"/{ctx.account}/") else marker
    limit = _int_query(ctx, "maxresults")
    include = _includes(ctx)
    items = st.list_containers(ctx.world.store, ctx.account, prefix=prefix, after=after,
                               limit=(limit or MAX_RESULTS) + 1)
    page, rest = items[: limit or MAX_RESULTS], items[limit or MAX_RESULTS:]
    endpoint = f"https://{ctx.account}{STORAGE_BLOB_HOST_SUFFIX}/"
    out = f'{XML_DECLARATION}<EnumerationResults ServiceEndpoint="{escape(endpoint)}">'
    if ctx.q("prefix") is not None:
        out += element("Prefix", prefix)
    if ctx.q("marker") is not None:
        out += element("Marker", marker)
    if limit is not None:
        out += element("MaxResults", limit)
    out += "<Containers>"
    for c in page:
        out += (f"<Container><Name>{escape(c.name)}</Name><Properties>"
                f"<Last-Modified>{http_date(c.last_modified)}</Last-Modified><Etag>{escape(c.etag)}</Etag>"
                "<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>"
                "<DefaultEncryptionScope>$account-encryption-key</DefaultEncryptionScope>"
                "<DenyEncryptionScopeOverride>false</DenyEncryptionScopeOverride>"
                "<HasImmutabilityPolicy>false</HasImmutabilityPolicy><HasLegalHold>false</HasLegalHold>"
                "<ImmutableStorageWithVersioningEnabled>false</ImmutableStorageWithVersioningEnabled>"
                "</Properties>")
        if "metadata" in include:
            out += metadata_xml(c.metadata)
        out += "</Container>"
    out += "</Containers>"
    out += element("NextMarker", f"/{ctx.account}/{rest[0].name}" if rest else None)
    out += "</EnumerationResults>"
    return _xml(200, out, ctx)


def _create_container(ctx: Ctx) -> Response:
    assert ctx.container is not None
    _check_container_name(ctx.container)
    if ctx.header("x-ms-blob-public-access") and not (ctx.resource.properties or {}).get("allowBlobPublicAccess"):
        raise _err(PUBLIC_ACCESS_NOT_PERMITTED, 409)
    made = st.create_container(ctx.world.store, ctx.account, ctx.container, now=ctx.now, etag=ctx.new_etag(),
                               metadata=_metadata_in(ctx.request))
    if made is None:
        raise _err(CONTAINER_EXISTS, 409)
    _etag_headers(ctx, made.etag, made.last_modified)
    return _empty(201, ctx)


def _container_properties(ctx: Ctx) -> Response:
    c = _container(ctx)
    _etag_headers(ctx, c.etag, c.last_modified)
    _put_metadata(ctx.out, c.metadata)
    if ctx.q("comp") is None:
        for k, v in (("x-ms-lease-status", "unlocked"), ("x-ms-lease-state", "available"),
                     ("x-ms-has-immutability-policy", "false"), ("x-ms-has-legal-hold", "false"),
                     ("x-ms-default-encryption-scope", "$account-encryption-key"),
                     ("x-ms-deny-encryption-scope-override", "false"),
                     ("x-ms-immutable-storage-with-versioning-enabled", "false")):
            ctx.out.set(k, v)
    return _empty(200, ctx)


def _set_container_metadata(ctx: Ctx) -> Response:
    c = _container(ctx)
    assert ctx.container is not None
    since = ctx.header("If-Modified-Since")
    if since is not None:
        when = parse_http_date(since)
        if when is not None and int(c.last_modified) <= int(when):
            raise _err(CONDITION_NOT_MET, 412)
    c2 = st.set_container_metadata(ctx.world.store, ctx.account, ctx.container, _metadata_in(ctx.request),
                                   now=ctx.now, etag=ctx.new_etag())
    assert c2 is not None
    _etag_headers(ctx, c2.etag, c2.last_modified)
    return _empty(200, ctx)


def _delete_container(ctx: Ctx) -> Response:
    c = _container(ctx)
    assert ctx.container is not None
    for name, newer in (("If-Modified-Since", True), ("If-Unmodified-Since", False)):
        raw = ctx.header(name)
        when = parse_http_date(raw) if raw else None
        if when is not None and ((int(c.last_modified) <= int(when)) if newer else (int(c.last_modified) > int(when))):
            raise _err(CONDITION_NOT_MET, 412)
    st.delete_container(ctx.world.store, ctx.account, ctx.container)
    return _empty(202, ctx)


def _blob_marker(name: str) -> str:
    encoded = base64.b64encode(name.encode("utf-8")).decode("ascii")
    return f"2!{len(encoded)}!{encoded}"


def _marker_name(marker: str) -> str:
    m = _BLOB_MARKER_RE.match(marker)
    if m is None:
        return marker
    try:
        return base64.b64decode(m.group(1), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return marker


def _blob_properties_xml(b: st.Blob) -> str:
    p = b.props
    return ("<Properties>"
            f"<Creation-Time>{http_date(b.created)}</Creation-Time>"
            f"<Last-Modified>{http_date(b.last_modified)}</Last-Modified>"
            f"<Etag>{escape(_bare(b.etag))}</Etag>"
            f"<Content-Length>{b.size}</Content-Length>"
            + element("Content-Type", p.content_type) + element("Content-Encoding", p.content_encoding)
            + element("Content-Language", p.content_language) + "<Content-CRC64 />"
            + element("Content-MD5", p.content_md5) + element("Cache-Control", p.cache_control)
            + element("Content-Disposition", p.content_disposition)
            + "<BlobType>BlockBlob</BlobType><AccessTier>Hot</AccessTier><AccessTierInferred>true</AccessTierInferred>"
              "<LeaseStatus>unlocked</LeaseStatus><LeaseState>available</LeaseState>"
              "<ServerEncrypted>true</ServerEncrypted></Properties>")


def _list_blobs(ctx: Ctx) -> Response:
    _container(ctx)
    assert ctx.container is not None
    prefix = ctx.q("prefix") or ""
    delimiter = ctx.q("delimiter") or ""
    marker = ctx.q("marker") or ""
    limit = _int_query(ctx, "maxresults")
    include = _includes(ctx)
    cap = limit or MAX_RESULTS
    blobs = st.list_blobs(ctx.world.store, ctx.account, ctx.container, prefix=prefix, after=_marker_name(marker))
    entries: list[tuple[str, st.Blob | None]] = []
    next_marker: str | None = None
    seen_prefixes: set[str] = set()
    for b in blobs:
        item_name: str = b.name
        item: st.Blob | None = b
        if delimiter:
            rest = b.name[len(prefix):]
            cut = rest.find(delimiter)
            if cut >= 0:
                item_name, item = prefix + rest[: cut + len(delimiter)], None
                if item_name in seen_prefixes:
                    continue
        if len(entries) >= cap:
            next_marker = _blob_marker(item_name)
            break
        if item is None:
            seen_prefixes.add(item_name)
        entries.append((item_name, item))
    endpoint = f"https://{ctx.account}{STORAGE_BLOB_HOST_SUFFIX}/"
    out = (f'{XML_DECLARATION}<EnumerationResults ServiceEndpoint="{escape(endpoint)}" '
           f'ContainerName="{escape(ctx.container)}">')
    if ctx.q("prefix") is not None:
        out += element("Prefix", prefix)
    if ctx.q("marker") is not None:
        out += element("Marker", marker)
    if limit is not None:
        out += element("MaxResults", limit)
    if delimiter:
        out += element("Delimiter", delimiter)
    out += "<Blobs>"
    for name, blob in entries:
        if blob is None:
            out += f"<BlobPrefix><Name>{escape(name)}</Name></BlobPrefix>"
            continue
        out += f"<Blob><Name>{escape(name)}</Name>{_blob_properties_xml(blob)}"
        if "metadata" in include:
            out += metadata_xml(blob.metadata)
        out += "<OrMetadata /></Blob>"
    out += "</Blobs>" + element("NextMarker", next_marker) + "</EnumerationResults>"
    return _xml(200, out, ctx)


# --------------------------------------------------------------------------------------------------- blobs
def _blob_headers(ctx: Ctx, b: st.Blob, *, head: bool) -> None:
    h = ctx.out
    _etag_headers(ctx, b.etag, b.last_modified)
    p = b.props
    h.set("Content-Type", p.content_type or "application/octet-stream")
    for name, value in (("Content-Encoding", p.content_encoding), ("Content-Language", p.content_language),
                        ("Content-Disposition", p.content_disposition), ("Cache-Control", p.cache_control)):
        if value:
            h.set(name, value)
    h.set("x-ms-creation-time", http_date(b.created))
    _put_metadata(h, b.metadata)
    h.set("x-ms-blob-type", "BlockBlob")
    if b.blocks is not None:
        h.set("x-ms-blob-committed-block-count", str(len(b.blocks)))
    h.set("x-ms-lease-status", "unlocked")
    h.set("x-ms-lease-state", "available")
    h.set("x-ms-server-encrypted", "true")
    h.set("Accept-Ranges", "bytes")
    if head:
        h.set("x-ms-access-tier", "Hot")
        h.set("x-ms-access-tier-inferred", "true")


def _range(ctx: Ctx, size: int) -> tuple[int, int] | None:
    raw = ctx.header("x-ms-range") or ctx.header("Range")
    if not raw:
        return None
    m = _RANGE_RE.match(raw.strip())
    if m is None:
        return None  # Azure ignores a Range it cannot read and returns the whole blob (INFERRED)
    start = int(m.group(1))
    end = int(m.group(2)) if m.group(2) else size - 1
    if start >= size or end < start:
        raise StorageError(416, INVALID_RANGE[0], INVALID_RANGE[1], headers={"Content-Range": f"bytes */{size}"})
    return start, min(end, size - 1)


def _get_blob(ctx: Ctx, *, head: bool) -> Response:
    b = _blob(ctx, data=not head)
    _etag_headers(ctx, b.etag, b.last_modified)
    _conditions(ctx, b.etag, b.last_modified, read=True)
    _blob_headers(ctx, b, head=head)
    if head:
        ctx.out.set("Content-Length", str(b.size))
        if b.props.content_md5:
            ctx.out.set("Content-MD5", b.props.content_md5)
        return _empty(200, ctx)
    span = _range(ctx, b.size)
    if span is None:
        if b.props.content_md5:
            ctx.out.set("Content-MD5", b.props.content_md5)
        return Response(200, ctx.out, b.data)
    start, end = span
    data = b.data[start:end + 1]
    ctx.out.set("Content-Range", f"bytes {start}-{end}/{b.size}")
    if b.props.content_md5:
        ctx.out.set("x-ms-blob-content-md5", b.props.content_md5)
    if (ctx.header("x-ms-range-get-content-md5") or "").lower() == "true":
        if len(data) > MAX_RANGE_MD5:
            raise _err(OUT_OF_RANGE_INPUT, 400)
        ctx.out.set("Content-MD5", _md5(data))
    return Response(206, ctx.out, data)


def _props_in(ctx: Ctx, *, put: bool) -> st.BlobProps:
    """A blob's HTTP properties from ``x-ms-blob-*`` (and, on Put Blob, the plain ``Content-*`` headers)."""
    h = ctx.request.headers

    def pick(ms: str, plain: str) -> str | None:
        value = h.get(ms)
        if value is None and put:
            value = h.get(plain)
        return value

    # Set Blob Properties replaces every property: a header left out clears it (Azure's rule)
    return st.BlobProps().with_changes(
        content_type=pick("x-ms-blob-content-type", "Content-Type") or "application/octet-stream",
        content_encoding=pick("x-ms-blob-content-encoding", "Content-Encoding"),
        content_language=pick("x-ms-blob-content-language", "Content-Language"),
        content_disposition=pick("x-ms-blob-content-disposition", "Content-Disposition"),
        cache_control=pick("x-ms-blob-cache-control", "Cache-Control"),
        content_md5=h.get("x-ms-blob-content-md5"),
    )


def _check_md5(ctx: Ctx, data: bytes) -> str:
    computed = _md5(data)
    sent = ctx.header("Content-MD5")
    if sent is not None and sent != computed:
        raise StorageError(400, MD5_MISMATCH[0], MD5_MISMATCH[1], details=(
            ("UserSpecifiedMd5", sent), ("ServerCalculatedMd5", computed)))
    return computed


def _current(ctx: Ctx) -> st.Blob | None:
    assert ctx.container is not None and ctx.blob is not None
    return st.get_blob(ctx.world.store, ctx.account, ctx.container, ctx.blob)


def _write_conditions(ctx: Ctx) -> st.Blob | None:
    current = _current(ctx)
    _conditions(ctx, current.etag if current else None, current.last_modified if current else None, read=False)
    return current


def _put_blob(ctx: Ctx) -> Response:
    _container(ctx)
    assert ctx.container is not None and ctx.blob is not None
    blob_type = ctx.header("x-ms-blob-type")
    if blob_type is None:
        raise StorageError(400, MISSING_HEADER[0], MISSING_HEADER[1], details=(("HeaderName", "x-ms-blob-type"),))
    if blob_type in ("PageBlob", "AppendBlob"):
        raise _err(FEATURE_NOT_SUPPORTED, 400)
    if blob_type != "BlockBlob":
        raise StorageError(400, INVALID_HEADER[0], INVALID_HEADER[1], details=(
            ("HeaderName", "x-ms-blob-type"), ("HeaderValue", blob_type)))
    _write_conditions(ctx)
    data = ctx.request.body
    computed = _check_md5(ctx, data)
    props = _props_in(ctx, put=True)
    if props.content_md5 is None:
        props = props.with_changes(content_md5=computed)
    saved = st.put_blob(ctx.world.store, ctx.account, ctx.container, ctx.blob, data, now=ctx.now,
                        etag=ctx.new_etag(), props=props, metadata=_metadata_in(ctx.request))
    _etag_headers(ctx, saved.etag, saved.last_modified)
    ctx.out.set("Content-MD5", computed)
    ctx.out.set("x-ms-request-server-encrypted", "true")
    return _empty(201, ctx)


def _put_block(ctx: Ctx) -> Response:
    _container(ctx)
    assert ctx.container is not None and ctx.blob is not None
    block_id = ctx.q("blockid") or ""
    try:
        raw_id = base64.b64decode(block_id, validate=True)
    except (binascii.Error, ValueError):
        raw_id = b""
    if not block_id or not raw_id or len(raw_id) > 64:
        raise StorageError(400, INVALID_QUERY[0], INVALID_QUERY[1], details=(
            ("QueryParameterName", "blockid"), ("QueryParameterValue", block_id), ("Reason", "Not a valid base64 "
                                                                                  "string.")))
    computed = _check_md5(ctx, ctx.request.body)
    st.put_block(ctx.world.store, ctx.account, ctx.container, ctx.blob, block_id, ctx.request.body)
    ctx.out.set("Content-MD5", computed)
    ctx.out.set("x-ms-request-server-encrypted", "true")
    return _empty(201, ctx)


def _put_block_list(ctx: Ctx) -> Response:
    _container(ctx)
    assert ctx.container is not None and ctx.blob is not None
    wanted = parse_block_list(ctx.request.body)
    if wanted is None:
        raise _err(INVALID_XML, 400)
    _write_conditions(ctx)
    props = _props_in(ctx, put=False)
    saved = st.commit_blocks(ctx.world.store, ctx.account, ctx.container, ctx.blob, wanted, now=ctx.now,
                             etag=ctx.new_etag(), props=props, metadata=_metadata_in(ctx.request))
    if saved is None:
        raise _err(INVALID_BLOCK_LIST, 400)
    _etag_headers(ctx, saved.etag, saved.last_modified)
    ctx.out.set("x-ms-request-server-encrypted", "true")
    return _empty(201, ctx)


def _get_block_list(ctx: Ctx) -> Response:
    _container(ctx)
    assert ctx.container is not None and ctx.blob is not None
    kind = (ctx.q("blocklisttype") or "committed").lower()
    if kind not in ("committed", "uncommitted", "all"):
        raise StorageError(400, INVALID_QUERY[0], INVALID_QUERY[1], details=(
            ("QueryParameterName", "blocklisttype"), ("QueryParameterValue", kind), ("Reason", "")))
    current = _current(ctx)
    uncommitted = st.list_uncommitted(ctx.world.store, ctx.account, ctx.container, ctx.blob)
    if current is None and not uncommitted:
        raise _err(BLOB_NOT_FOUND, 404)
    committed = list(current.blocks or []) if current is not None else []
    if current is not None:
        _etag_headers(ctx, current.etag, current.last_modified)
        ctx.out.set("x-ms-blob-content-length", str(current.size))
    body = block_list_xml(committed if kind in ("committed", "all") else None,
                          uncommitted if kind in ("uncommitted", "all") else None)
    return _xml(200, body, ctx)


def _set_blob_properties(ctx: Ctx) -> Response:
    b = _blob(ctx)
    assert ctx.container is not None and ctx.blob is not None
    _conditions(ctx, b.etag, b.last_modified, read=False)
    props = _props_in(ctx, put=False)
    saved = st.set_blob_props(ctx.world.store, ctx.account, ctx.container, ctx.blob, now=ctx.now,
                              etag=ctx.new_etag(), props=props)
    assert saved is not None
    _etag_headers(ctx, saved.etag, saved.last_modified)
    return _empty(200, ctx)


def _set_blob_metadata(ctx: Ctx) -> Response:
    b = _blob(ctx)
    assert ctx.container is not None and ctx.blob is not None
    _conditions(ctx, b.etag, b.last_modified, read=False)
    saved = st.set_blob_props(ctx.world.store, ctx.account, ctx.container, ctx.blob, now=ctx.now,
                              etag=ctx.new_etag(), metadata=_metadata_in(ctx.request))
    assert saved is not None
    _etag_headers(ctx, saved.etag, saved.last_modified)
    ctx.out.set("x-ms-request-server-encrypted", "true")
    return _empty(200, ctx)


def _get_blob_metadata(ctx: Ctx) -> Response:
    b = _blob(ctx)
    _conditions(ctx, b.etag, b.last_modified, read=True)
    _etag_headers(ctx, b.etag, b.last_modified)
    _put_metadata(ctx.out, b.metadata)
    return _empty(200, ctx)


def _delete_blob(ctx: Ctx) -> Response:
    b = _blob(ctx)
    assert ctx.container is not None and ctx.blob is not None
    _conditions(ctx, b.etag, b.last_modified, read=False)
    st.delete_blob(ctx.world.store, ctx.account, ctx.container, ctx.blob)
    ctx.out.set("x-ms-delete-type-permanent", "true")
    return _empty(202, ctx)


def _copy_blob(ctx: Ctx, source_url: str) -> Response:
    _container(ctx)
    assert ctx.container is not None and ctx.blob is not None
    parts = urlsplit(source_url)
    host = (parts.hostname or "").lower()
    if host != f"{ctx.account}{STORAGE_BLOB_HOST_SUFFIX}":
        raise _err(CANNOT_VERIFY_COPY_SOURCE, 403)
    src_container, src_blob = _split_path(unquote(parts.path))
    if not src_container or not src_blob:
        raise StorageError(400, INVALID_HEADER[0], INVALID_HEADER[1], details=(
            ("HeaderName", "x-ms-copy-source"), ("HeaderValue", source_url)))
    cred = ctx.cred
    if cred is not None and cred.kind == "oauth" and cred.caller is not None:
        # the caller must be able to read the source too (Azure checks the source blob's read data action)
        action, data = BLOB_OPERATION_ACTIONS["blob_read"]
        caller = cred.caller
        scope = f"{ctx.resource.id}/blobServices/default/containers/{src_container}"
        read = record(ctx.request, rbac_access(
            ctx.world.rbac_index(), plane=PLANE, principal=caller.oid, principal_name=caller.client,
            group_ids=caller.group_ids, action=action, scope=scope, data_action=data,
            extra=(("account", ctx.account), ("operation", "CopyBlob (source)"))))
        if not read.allowed:
            raise _err(CANNOT_VERIFY_COPY_SOURCE_DENIED, 403)
    source = st.get_blob(ctx.world.store, ctx.account, src_container, src_blob, with_data=True)
    if source is None:
        raise _err(CANNOT_VERIFY_COPY_SOURCE, 404)
    _write_conditions(ctx)
    metadata = _metadata_in(ctx.request) or dict(source.metadata)
    saved = st.put_blob(ctx.world.store, ctx.account, ctx.container, ctx.blob, source.data, now=ctx.now,
                        etag=ctx.new_etag(), props=source.props, metadata=metadata, blocks=source.blocks)
    _etag_headers(ctx, saved.etag, saved.last_modified)
    ctx.out.set("x-ms-copy-id", ctx.world.ids.guid())
    ctx.out.set("x-ms-copy-status", "success")
    return _empty(202, ctx)


def _user_delegation_key(ctx: Ctx) -> Response:
    """``POST /?restype=service&comp=userdelegationkey`` with ``<KeyInfo><Start/><Expiry/></KeyInfo>``."""
    cred = ctx.cred
    assert cred is not None and cred.caller is not None
    info = parse_key_info(ctx.request.body)
    if info is None:
        raise _err(INVALID_XML, 400)
    start_text, expiry_text = info
    start = parse_sas_time(start_text) if start_text else ctx.now
    expiry = parse_sas_time(expiry_text)
    if start is None or expiry is None or expiry <= start or expiry - ctx.now > MAX_DELEGATION_KEY_SECONDS:
        raise StorageError(400, INVALID_XML_NODE[0], INVALID_XML_NODE[1], details=(
            ("XmlNodeName", "Expiry" if start is not None else "Start"),
            ("XmlNodeValue", expiry_text if start is not None else start_text)))
    skt, ske = sas_time(start), sas_time(expiry)
    keys = account_keys(ctx.world, ctx.account)
    version = cred.version
    value = user_delegation_key_value(keys.key1, ctx.account, cred.caller.oid, cred.caller.tenant_id, skt, ske,
                                      version)
    body = (f"{XML_DECLARATION}<UserDelegationKey><SignedOid>{escape(cred.caller.oid)}</SignedOid>"
            f"<SignedTid>{escape(cred.caller.tenant_id)}</SignedTid><SignedStart>{skt}</SignedStart>"
            f"<SignedExpiry>{ske}</SignedExpiry><SignedService>b</SignedService>"
            f"<SignedVersion>{escape(version)}</SignedVersion><Value>{value}</Value></UserDelegationKey>")
    return _xml(200, body, ctx)


def _account_information(ctx: Ctx) -> Response:
    sku = ctx.resource.extra.get("sku") if isinstance(ctx.resource.extra.get("sku"), dict) else {}
    ctx.out.set("x-ms-sku-name", str((sku or {}).get("name") or "Standard_LRS"))
    ctx.out.set("x-ms-account-kind", str(ctx.resource.extra.get("kind") or "StorageV2"))
    ctx.out.set("x-ms-is-hns-enabled", "false")
    return _empty(200, ctx)


# ------------------------------------------------------------------------------------------------ dispatch
_NEEDS: Mapping[str, Need] = MappingProxyType({
    "ListContainers": Need("container_read", "l", "s", service_sas=False),
    "GetAccountInformation": Need("container_read", "rwdlacup", "s"),
    "GetUserDelegationKey": Need("user_delegation_key", "", "s", service_sas=False),
    "CreateContainer": Need("container_write", "cw", "c", service_sas=False),
    "GetContainerProperties": Need("container_read", "r", "c"),
    "SetContainerMetadata": Need("container_write", "w", "c", service_sas=False),
    "DeleteContainer": Need("container_delete", "d", "c", service_sas=False),
    "ListBlobs": Need("blob_list", "l", "c"),
    "PutBlob": Need("blob_write", "w", "o"),
    "PutBlock": Need("blob_write", "w", "o"),
    "PutBlockList": Need("blob_write", "w", "o"),
    "CopyBlob": Need("blob_write", "w", "o"),
    "GetBlockList": Need("blob_read", "r", "o"),
    "GetBlob": Need("blob_read", "r", "o"),
    "GetBlobProperties": Need("blob_read", "r", "o"),
    "GetBlobMetadata": Need("blob_read", "r", "o"),
    "SetBlobProperties": Need("blob_write", "w", "o"),
    "SetBlobMetadata": Need("blob_write", "w", "o"),
    "DeleteBlob": Need("blob_delete", "d", "o"),
})
#: Writes that create a new blob may also be done with ``c`` (create) permission.
_CREATES = frozenset({"PutBlob", "PutBlockList", "CopyBlob", "PutBlock"})


def _operation(ctx: Ctx) -> str:
    """The operation the method, ``restype`` and ``comp`` name; 4xx for what no operation is."""
    method = ctx.request.method
    restype, comp = ctx.q("restype"), ctx.q("comp")
    if ctx.container is None:
        if method == "GET" and comp == "list":
            return "ListContainers"
        if method in ("GET", "HEAD") and restype == "account" and comp == "properties":
            return "GetAccountInformation"
        if method == "POST" and restype == "service" and comp == "userdelegationkey":
            return "GetUserDelegationKey"
        raise _err(INVALID_URI, 400) if method in ("GET", "HEAD", "PUT") else _err(UNSUPPORTED_VERB, 405)
    if ctx.blob is None and restype == "container":
        table = {("PUT", None): "CreateContainer", ("GET", None): "GetContainerProperties",
                 ("HEAD", None): "GetContainerProperties", ("GET", "metadata"): "GetContainerProperties",
                 ("HEAD", "metadata"): "GetContainerProperties", ("PUT", "metadata"): "SetContainerMetadata",
                 ("DELETE", None): "DeleteContainer", ("GET", "list"): "ListBlobs"}
        op = table.get((method, comp))
        if op is None:
            raise _err(UNSUPPORTED_VERB, 405) if (method, None) not in table else _err(INVALID_QUERY, 400)
        return op
    if ctx.blob is None:
        # ``/{name}`` without restype is a blob in the root container ($root), as Azure reads it
        ctx.blob, ctx.container = ctx.container, "$root"
    if method == "PUT":
        if comp is None:
            return "CopyBlob" if ctx.header("x-ms-copy-source") else "PutBlob"
        op = {"block": "PutBlock", "blocklist": "PutBlockList", "properties": "SetBlobProperties",
              "metadata": "SetBlobMetadata"}.get(comp)
    elif method == "GET":
        op = {None: "GetBlob", "blocklist": "GetBlockList", "metadata": "GetBlobMetadata"}.get(comp)
    elif method == "HEAD":
        op = {None: "GetBlobProperties", "metadata": "GetBlobMetadata"}.get(comp)
    elif method == "DELETE":
        op = "DeleteBlob" if comp is None else None
    else:
        raise _err(UNSUPPORTED_VERB, 405)
    if op is None:
        raise StorageError(400, INVALID_QUERY[0], INVALID_QUERY[1], details=(
            ("QueryParameterName", "comp"), ("QueryParameterValue", comp or ""), ("Reason", "")))
    if len(ctx.blob) > BLOB_NAME_MAX:
        raise _err(OUT_OF_RANGE_INPUT, 400)
    return op


def _run(ctx: Ctx, op: str) -> Response:
    if op == "ListContainers":
        return _list_containers(ctx)
    if op == "GetAccountInformation":
        return _account_information(ctx)
    if op == "GetUserDelegationKey":
        return _user_delegation_key(ctx)
    if op == "CreateContainer":
        return _create_container(ctx)
    if op == "GetContainerProperties":
        return _container_properties(ctx)
    if op == "SetContainerMetadata":
        return _set_container_metadata(ctx)
    if op == "DeleteContainer":
        return _delete_container(ctx)
    if op == "ListBlobs":
        return _list_blobs(ctx)
    if op == "PutBlob":
        return _put_blob(ctx)
    if op == "CopyBlob":
        return _copy_blob(ctx, ctx.header("x-ms-copy-source") or "")
    if op == "PutBlock":
        return _put_block(ctx)
    if op == "PutBlockList":
        return _put_block_list(ctx)
    if op == "GetBlockList":
        return _get_block_list(ctx)
    if op in ("GetBlob", "GetBlobProperties"):
        return _get_blob(ctx, head=op == "GetBlobProperties")
    if op == "GetBlobMetadata":
        return _get_blob_metadata(ctx)
    if op == "SetBlobProperties":
        return _set_blob_properties(ctx)
    if op == "SetBlobMetadata":
        return _set_blob_metadata(ctx)
    return _delete_blob(ctx)


def _need_for(ctx: Ctx, op: str) -> Need:
    need = _NEEDS[op]
    if op in _CREATES and ctx.container and ctx.blob:
        exists = st.get_blob(ctx.world.store, ctx.account, ctx.container, ctx.blob) is not None
        if not exists:
            return Need("blob_add" if op != "PutBlock" else "blob_write", need.sas + "c", need.level)
    return need


def _answer(request: Request, world: World, out: Headers) -> Response:
    account, resource = _account_of(request, world)
    container, blob = _split_path(request.path)
    ctx = Ctx(request=request, world=world, account=account, resource=resource, container=container, blob=blob,
              now=world.clock.now(), out=out)
    _network_rules(ctx)
    keys = account_keys(world, account)
    props = resource.properties or {}
    view = AccountView(account, keys.values(), props.get("allowSharedKeyAccess") is not False, world.tenant_id)
    op = _operation(ctx)
    ctx.cred = authenticate(request, world, view, ctx.container, ctx.blob)
    out.set("x-ms-version", ctx.cred.version)
    _authorize(ctx, op, _need_for(ctx, op))
    return _run(ctx, op)


def handle(request: Request, world: World) -> Response:
    """Answer one Blob service request; every failure is Azure's XML error with its status and headers."""
    request_id = new_request_id(world.ids)
    out = Headers()
    try:
        response = _answer(request, world, out)
    except StorageError as exc:
        if exc.status == 304:
            response = Response(304, out)
            response.headers.set("x-ms-error-code", exc.code)
        else:
            response = exc.render(world.clock.now(), request_id)
            for k, v in out.items():
                if response.headers.get(k) is None and k.lower() in ("x-ms-version",):
                    response.headers.set(k, v)
    h = response.headers
    h.set("Server", SERVER)
    h.set("x-ms-request-id", request_id)
    if h.get("x-ms-version") is None:
        h.set("x-ms-version", request.headers.get("x-ms-version") or DEFAULT_VERSION)
    client_id = request.headers.get("x-ms-client-request-id")
    if client_id is not None:
        h.set("x-ms-client-request-id", client_id)
    h.set("Date", http_date(world.clock.now()))
    if request.method == "HEAD":
        response.body = b""
    return response

