"""``login.microsoftonline.com``: OpenID discovery, JWKS and a small token endpoint for the admin user.

Also home of the OAuth/AADSTS error shapes the token endpoints share (Entra's ``{"error", "error_description",
"error_codes", "timestamp", "trace_id", "correlation_id", "error_uri"}``), and of ``TokenWorld``, the slice of
``azshell.world.World`` the token-endpoint planes use.

Token grants: ``password`` (the tenant's users; the password is not checked, this is an offline emulator) on
``/{tenant}/oauth2/token`` (v1: ``resource``, string numbers) and ``/{tenant}/oauth2/v2.0/token`` (v2: ``scope``,
integer numbers). Every other grant is refused with ``unsupported_grant_type``. The token carries the app that
asked: its ``appid`` is the request's ``client_id`` (the Azure CLI's ``04b07795-…``, Azure PowerShell's
``1950a258-…``, or any other public client), Azure PowerShell's when the request names none; a ``client_id``
that is not a GUID is AADSTS700016.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from azshell.auth.errors import UnknownResourceError
from azshell.auth.resources import scope_to_resource
from azshell.auth.tokens import TokenService
from azshell.clock import Clock
from azshell.hostnames import LOGIN_AUTHORITY, LOGIN_V2_ISSUER_TEMPLATE, STS_ISSUER_TEMPLATE
from azshell.ids import IdSource, is_guid
from azshell.model.types import DirectoryObject, Resource, Tenant
from azshell.planes.base import PlaneError, Request, Response

__all__ = [
    "OAuthError",
    "ROUTES",
    "TokenWorld",
    "aadsts_error",
    "handle",
]

# ------------------------------------------------------------------------------------------- routes (as data)
#: (method set, path regex, handler name) — ``{tenant}`` is a GUID, a verified domain, ``common`` or
#: ``organizations``.
ROUTES: tuple[tuple[frozenset[str], str, str], ...] = (
    (frozenset({"GET"}), r"^/(?P<tenant>[^/]+)/\.well-known/openid-configuration/?$", "openid_v1"),
    (frozenset({"GET"}), r"^/(?P<tenant>[^/]+)/v2\.0/\.well-known/openid-configuration/?$", "openid_v2"),
    (frozenset({"GET"}), r"^/(?P<tenant>[^/]+)/discovery/keys/?$", "jwks_v1"),
    (frozenset({"GET"}), r"^/(?P<tenant>[^/]+)/discovery/v2\.0/keys/?$", "jwks_v2"),
    (frozenset({"POST"}), r"^/(?P<tenant>[^/]+)/oauth2/token/?$", "token_v1"),
    (frozenset({"POST"}), r"^/(?P<tenant>[^/]+)/oauth2/v2\.0/token/?$", "token_v2"),
)
_COMPILED = tuple((methods, re.compile(rx, re.IGNORECASE), name) for methods, rx, name in ROUTES)

# ------------------------------------------------------------------------------------------------ Azure strings
ERROR_URI_TEMPLATE = LOGIN_AUTHORITY + "/error?code={code}"
MULTI_TENANT_ALIASES = frozenset({"common", "organizations"})
TENANT_PLACEHOLDER = "{tenantid}"

INVALID_TENANT = "invalid_tenant"
#: AADSTS90002 (wording from Entra's answers for an unknown tenant; from memory, not in the reference files).
AADSTS90002_TEMPLATE = (
    "AADSTS90002: Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID and are signing "
    "into the correct cloud. Check with your subscription administrator, this may happen if there are no active "
    "subscriptions for the tenant."
)
INVALID_REQUEST = "invalid_request"
AADSTS900144_TEMPLATE = "AADSTS900144: The request body must contain the following parameter: '{name}'."
UNSUPPORTED_GRANT_TYPE = "unsupported_grant_type"
AADSTS70003_TEXT = "AADSTS70003: The app requested an unsupported grant type."
INVALID_GRANT = "invalid_grant"
AADSTS50034_TEMPLATE = (
    "AADSTS50034: The user account {{EUII Hidden}} does not exist in the {tenant} directory. To sign into this "
    "application, the account must be added to the directory."
)
INVALID_RESOURCE = "invalid_resource"
UNAUTHORIZED_CLIENT = "unauthorized_client"
#: AADSTS700016 (Entra's wording for an application id it does not know; from memory, not in the reference files).
AADSTS700016_TEMPLATE = (
    "AADSTS700016: Application with identifier '{client_id}' was not found in the directory '{tenant}'. This can "
    "happen if the application has not been installed by the administrator of the tenant or consented to by any "
    "user in the tenant. You may have sent your authentication request to the wrong tenant."
)
NOT_FOUND_BODY = "Not Found"
PASSWORD_GRANT = "password"


# ------------------------------------------------------------------------------------------------- world slice
class IdentityStore(Protocol):
    """What the token planes read from ``azshell.model.store.Store``."""

    def get_tenant(self) -> Tenant: ...

    def get_resource(self, resource_id: str) -> Resource | None: ...

    def list_child_resources(self, parent_id: str) -> list[Resource]: ...

    def get_directory_object(self, object_id: str) -> DirectoryObject | None: ...

    def find_directory_objects(self, *, user_principal_name: str | None = None) -> list[DirectoryObject]: ...


class IdentityBackend(Protocol):
    """What the token planes need from ``azshell.model.backend.TenantBackend``."""

    def find_identity_for_token(self, rid: str, *, client_id: str | None = None,
                                object_id: str | None = None, mi_res_id: str | None = None) -> DirectoryObject: ...


class TokenWorld(Protocol):
    """The part of ``azshell.world.World`` the token endpoints use."""

    @property
    def store(self) -> IdentityStore: ...

    @property
    def backend(self) -> IdentityBackend: ...

    @property
    def tokens(self) -> TokenService: ...

    @property
    def clock(self) -> Clock: ...

    @property
    def ids(self) -> IdSource: ...


# ------------------------------------------------------------------------------------------------------ errors
class OAuthError(PlaneError):
    """An OAuth-style error rendered as ``{"error": code, "error_description": message, ...extra}``."""

    def __init__(self, status: int, code: str, message: str, *, extra: dict[str, Any] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(status, code, message, headers=headers)
        self.extra = dict(extra or {})

    def to_response(self) -> Response:
        body: dict[str, Any] = {"error": self.code, "error_description": self.message}
        body.update(self.extra)
        return Response.json(self.status, body, self.headers)


def _aad_timestamp(now: float) -> str:
    return datetime.fromtimestamp(int(now), tz=UTC).strftime("%Y-%m-%d %H:%M:%SZ")


def aadsts_error(status: int, code: str, text: str, error_code: int, now: float, ids: IdSource, *,
                 headers: dict[str, str] | None = None) -> OAuthError:
    """An Entra ID error body: the AADSTS text plus trace/correlation IDs (from the world's ``ids``, which
    ``--seed`` repeats) and timestamp, as Entra sends it."""
    trace_id, correlation_id = ids.guid(), ids.guid()
    stamp = _aad_timestamp(now)
    description = f"{text}\r\nTrace ID: {trace_id}\r\nCorrelation ID: {correlation_id}\r\nTimestamp: {stamp}"
    return OAuthError(status, code, description, headers=headers, extra={
        "error_codes": [error_code], "timestamp": stamp, "trace_id": trace_id, "correlation_id": correlation_id,
        "error_uri": ERROR_URI_TEMPLATE.format(code=error_code),
    })


def unknown_resource_error(exc: UnknownResourceError, now: float, ids: IdSource) -> OAuthError:
    """AADSTS500011 as the token endpoints pass it through (400 ``invalid_resource``)."""
    return aadsts_error(400, INVALID_RESOURCE, str(exc), exc.error_code, now, ids)


# ----------------------------------------------------------------------------------------------------- handlers
def _resolve_tenant(world: TokenWorld, name: str, *, allow_common: bool) -> str | None:
    """The tenant ID for a path segment (GUID or verified domain), ``"common"`` for aliases; else AADSTS90002."""
    tenant = world.store.get_tenant()
    low = name.lower()
    if low in (tenant.tenant_id.lower(), tenant.default_domain.lower()):
        return tenant.tenant_id
    if allow_common and low in MULTI_TENANT_ALIASES:
        return None
    raise aadsts_error(400, INVALID_TENANT, AADSTS90002_TEMPLATE.format(tenant=name), 90002, world.clock.now(),
                       world.ids)


def _openid(world: TokenWorld, tenant: str, v2: bool) -> Response:
    tid = _resolve_tenant(world, tenant, allow_common=True)
    if tid is None:
        doc = world.tokens.openid_configuration(tenant.lower(), v2=v2)
        doc["issuer"] = (LOGIN_V2_ISSUER_TEMPLATE if v2 else STS_ISSUER_TEMPLATE).format(tenant=TENANT_PLACEHOLDER)
    else:
        doc = world.tokens.openid_configuration(tid, v2=v2)
    return Response.json(200, doc)


def _jwks(world: TokenWorld, tenant: str, v2: bool) -> Response:
    tid = _resolve_tenant(world, tenant, allow_common=True)
    return Response.json(200, world.tokens.jwks(tid, v2=v2))


def _form_value(form: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in form if k == name), None)


def _token(world: TokenWorld, request: Request, tenant: str, v2: bool) -> Response:
    now, ids = world.clock.now(), world.ids
    tid = _resolve_tenant(world, tenant, allow_common=True) or world.store.get_tenant().tenant_id
    form = request.form()
    grant = _form_value(form, "grant_type")
    if not grant:
        raise aadsts_error(400, INVALID_REQUEST, AADSTS900144_TEMPLATE.format(name="grant_type"), 900144, now, ids)
    if grant != PASSWORD_GRANT:
        raise aadsts_error(400, UNSUPPORTED_GRANT_TYPE, AADSTS70003_TEXT, 70003, now, ids)
    param = "scope" if v2 else "resource"
    for name in ("username", "password", param):
        if not _form_value(form, name):
            raise aadsts_error(400, INVALID_REQUEST, AADSTS900144_TEMPLATE.format(name=name), 900144, now, ids)
    client_id = _form_value(form, "client_id") or None
    if client_id is not None and not is_guid(client_id):
        raise aadsts_error(400, UNAUTHORIZED_CLIENT, AADSTS700016_TEMPLATE.format(client_id=client_id, tenant=tid),
                           700016, now, ids)
    username = _form_value(form, "username") or ""
    users = [u for u in world.store.find_directory_objects(user_principal_name=username) if u.object_type == "User"]
    if not users:
        raise aadsts_error(400, INVALID_GRANT, AADSTS50034_TEMPLATE.format(tenant=tid), 50034, now, ids)
    requested = _form_value(form, param) or ""
    resource = scope_to_resource(requested) if v2 else requested
    try:
        issued = world.tokens.issue_for_principal(principal=users[0], resource=resource, kind="user",
                                                  source="login", client_id=client_id)
    except UnknownResourceError as exc:
        raise unknown_resource_error(exc, now, ids) from None
    if v2:
        return Response.json(200, {
            "token_type": issued.token_type, "scope": f"{issued.resource.rstrip('/')}/user_impersonation",
            "expires_in": issued.expires_in, "ext_expires_in": issued.ext_expires_in,
            "access_token": issued.access_token,
        })
    return Response.json(200, {
        "token_type": issued.token_type, "scope": "user_impersonation", "expires_in": str(issued.expires_in),
        "ext_expires_in": str(issued.ext_expires_in), "expires_on": str(issued.expires_on),
        "not_before": str(issued.not_before), "resource": issued.resource, "access_token": issued.access_token,
    })


_HANDLERS: dict[str, Callable[[TokenWorld, Request, str], Response]] = {
    "openid_v1": lambda w, r, t: _openid(w, t, False),
    "openid_v2": lambda w, r, t: _openid(w, t, True),
    "jwks_v1": lambda w, r, t: _jwks(w, t, False),
    "jwks_v2": lambda w, r, t: _jwks(w, t, True),
    "token_v1": lambda w, r, t: _token(w, r, t, False),
    "token_v2": lambda w, r, t: _token(w, r, t, True),
}


def handle(request: Request, world: TokenWorld) -> Response:
    """Serve one request to ``login.microsoftonline.com``; errors come back as Entra's JSON bodies."""
    try:
        for methods, rx, name in _COMPILED:
            m = rx.match(request.path)
            if m is None:
                continue
            if request.method not in methods:
                return Response.json(405, {"error": INVALID_REQUEST,
                                           "error_description": f"The request method '{request.method}' is "
                                                                "not supported for this endpoint."})
            return _HANDLERS[name](world, request, m.group("tenant"))
        return Response.json(404, {"error": NOT_FOUND_BODY})
    except PlaneError as exc:
        return exc.to_response()
