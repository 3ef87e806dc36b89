"""Microsoft Graph (``graph.microsoft.com``), the directory slice Az.Resources' AD cmdlets use.

Routes (``/v1.0``; ``/beta`` is answered the same way)::

    GET  /servicePrincipals[?$filter=...]            displayName eq / startswith(displayName,...) / appId eq
    GET  /servicePrincipals/{id}
    GET  /users[?$filter=...]                        displayName eq / startswith / userPrincipalName eq
    GET  /users/{id | userPrincipalName}
    GET  /me                                         the signed-in user
    GET  /groups[?$filter=...]                       displayName eq / startswith(displayName,...)
    POST /groups                                     {"displayName", "mailNickname", "securityEnabled", ...}
    GET  /groups/{id}
    GET  /groups/{id}/members
    POST /groups/{id}/members/$ref                   {"@odata.id": ".../directoryObjects/{id}"}
    DELETE /groups/{id}                              204
    GET  /directoryObjects/{id}
    POST /directoryObjects/getByIds                  {"ids": [...], "types": [...]} (a read)

Authentication: a bearer token for ``https://graph.microsoft.com/`` verified with ``world.tokens.verify``.
Authorization (azshell's simplification, documented): the tenant's users may read and write; service
principals (managed identities) may read only — a real managed identity needs Graph application permissions
(``Directory.Read.All``...) granted by an admin, which azshell does not model.

Errors are Graph's ``{"error":{"code","message","innerError":{"date","request-id","client-request-id"}}}``.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from azshell.auth.decision import AccessDecision, Evidence
from azshell.auth.errors import ExpiredTokenError, InvalidAudienceError, TokenValidationError
from azshell.hostnames import GRAPH_RESOURCE, GRAPH_V1_ENDPOINT, LOGIN_AUTHORITY
from azshell.ids import IdSource
from azshell.model.errors import ModelError
from azshell.model.types import DirectoryObject
from azshell.planes._shared import bearer_token, dry_run_claims, record, token_refused
from azshell.planes.base import PlaneError, Request, Response

if TYPE_CHECKING:
    from azshell.world import World

__all__ = ["GRAPH_AUDIENCES", "GraphError", "handle"]

PLANE = "graph"
SERVICE = "Microsoft Graph"
GRAPH_AUDIENCES: tuple[str, ...] = (GRAPH_RESOURCE, GRAPH_RESOURCE.rstrip("/"), "00000003-0000-0000-c000-000000000000")
METADATA = GRAPH_V1_ENDPOINT + "/$metadata#"
DIRECTORY_OBJECT_PREFIX = GRAPH_V1_ENDPOINT + "/directoryObjects/"

# ---------------------------------------------------------------------------------------------- Graph strings
INVALID_TOKEN = "InvalidAuthenticationToken"
#: Graph's answer without a bearer token (SEEN in Graph Explorer / SDK issues).
TOKEN_EMPTY = "Access token is empty."
#: Best guess: Graph's wording for a token that fails validation (seen as "Access token validation failure.").
TOKEN_INVALID = "Access token validation failure."
#: Best guess: Graph's wording for a token for another audience.
TOKEN_WRONG_AUDIENCE = "Access token validation failure. Invalid audience."
#: Best guess: Graph's wording for an expired token.
TOKEN_EXPIRED = "Lifetime validation failed, the token is expired."
NOT_FOUND = "Request_ResourceNotFound"
NOT_FOUND_TEMPLATE = (
    "Resource '{id}' does not exist or one of its queried reference-property objects are not present."
)
BAD_REQUEST = "BadRequest"
#: Graph's answer for an unknown path segment (SEEN in Graph's responses).
NO_SEGMENT_TEMPLATE = "Resource not found for the segment '{segment}'."
UNSUPPORTED_QUERY = "Request_UnsupportedQuery"
#: Best guess wording for a $filter azshell does not understand.
UNSUPPORTED_QUERY_MESSAGE = "Unsupported Query."
REQUEST_BAD = "Request_BadRequest"
MEMBER_EXISTS = (
    "One or more added object references already exist for the following modified properties: 'members'."
)
INVALID_VALUE_TEMPLATE = "Invalid value specified for property '{prop}' of resource '{resource}'."
INVALID_BODY = "Invalid request body: the body must be a JSON object."
AUTHORIZATION_DENIED = "Authorization_RequestDenied"
INSUFFICIENT_PRIVILEGES = "Insufficient privileges to complete the operation."
METHOD_NOT_ALLOWED = "Request_BadRequest"
#: Graph's 405 text (SEEN: issue 14's capture).
METHOD_NOT_ALLOWED_TEMPLATE = "Specified HTTP method is not allowed for the request target."
#: A bearer value with no dots at all (SEEN: a Graph answer pasted in a public repository, 2024-11; the same
#: IdentityModel text flutter_appauth issue 575 shows).
TOKEN_NOT_JWT = (
    "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact "
    "Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'. (JWE): "
    "'EncodedProtectedHeader.EncodedEncryptedKey.EncodedInitializationVector.EncodedCiphertext."
    "EncodedAuthenticationTag'."
)

SP_TYPE = "#microsoft.graph.servicePrincipal"
USER_TYPE = "#microsoft.graph.user"
GROUP_TYPE = "#microsoft.graph.group"
_ODATA_TYPES = {"ServicePrincipal": SP_TYPE, "User": USER_TYPE, "Group": GROUP_TYPE}
_COLLECTIONS = {"ServicePrincipal": "servicePrincipals", "User": "users", "Group": "groups"}

_EQ = re.compile(r"^\s*(\w+)\s+eq\s+'((?:[^']|'')*)'\s*$", re.IGNORECASE)
_STARTSWITH = re.compile(r"^\s*startswith\(\s*(\w+)\s*,\s*'((?:[^']|'')*)'\s*\)\s*$", re.IGNORECASE)
_SPN_ANY = re.compile(r"^\s*servicePrincipalNames/any\(\s*(\w+)\s*:\s*\1\s+eq\s+'((?:[^']|'')*)'\s*\)\s*$",
                      re.IGNORECASE)
_FILTER_FIELDS = {"displayname": "display_name", "appid": "app_id", "userprincipalname": "user_principal_name",
                  "id": "object_id", "mailnickname": "display_name"}


class GraphError(PlaneError):
    """A Graph error: ``{"error":{"code","message","innerError":{...}}}``."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(status, code, message)

    def graph_response(self, now: float, ids: IdSource) -> Response:
        """The error as Graph sends it; its request id comes from the world's ``ids`` (``--seed`` repeats it)."""
        rid = ids.guid()
        stamp = datetime.fromtimestamp(now, tz=UTC).strftime("%Y-%m-%dT%H:%M:%S")
        body = {"error": {"code": self.code, "message": self.message,
                          "innerError": {"date": stamp, "request-id": rid, "client-request-id": rid}}}
        headers = {"request-id": rid, "client-request-id": rid}
        if self.status == 401:
            headers["WWW-Authenticate"] = (
                f'Bearer realm="", authorization_uri="{LOGIN_AUTHORITY}/common/oauth2/authorize", '
                'client_id="00000003-0000-0000-c000-000000000000"')
        return Response.json(self.status, body, headers)


# ------------------------------------------------------------------------------------------------- shapes
def _sp_json(o: DirectoryObject) -> dict[str, Any]:
    names = [o.app_id] if o.app_id else []
    if o.resource_id:
        names.append(f"https://identity.azure.net/{o.resource_id.rsplit('/', 1)[-1]}")
    return {
        "id": o.object_id, "deletedDateTime": None, "accountEnabled": True,
        "alternativeNames": list(o.alternative_names), "appDisplayName": None, "appDescription": None,
        "appId": o.app_id, "appOwnerOrganizationId": None, "appRoleAssignmentRequired": False,
        "description": None, "displayName": o.display_name, "homepage": None,
        "servicePrincipalNames": names, "servicePrincipalType": o.service_principal_type or "Application",
        "signInAudience": None, "tags": [], "appRoles": [], "oauth2PermissionScopes": [],
    }


def _user_json(o: DirectoryObject) -> dict[str, Any]:
    given, _, surname = o.display_name.partition(" ")
    return {
        "id": o.object_id, "businessPhones": [], "displayName": o.display_name, "givenName": given or None,
        "jobTitle": None, "mail": None, "mobilePhone": None, "officeLocation": None, "preferredLanguage": None,
        "surname": surname or None, "userPrincipalName": o.user_principal_name,
    }


def _group_json(o: DirectoryObject) -> dict[str, Any]:
    return {
        "id": o.object_id, "deletedDateTime": None, "description": None, "displayName": o.display_name,
        "groupTypes": [], "mail": None, "mailEnabled": False, "mailNickname": o.display_name.replace(" ", ""),
        "securityEnabled": True, "visibility": None,
    }


def object_json(o: DirectoryObject) -> dict[str, Any]:
    """A directory object in its Graph shape (with ``@odata.type``)."""
    shape = {"ServicePrincipal": _sp_json, "User": _user_json, "Group": _group_json}[o.object_type](o)
    return {"@odata.type": _ODATA_TYPES[o.object_type], **shape}


def _entity(collection: str, doc: dict[str, Any]) -> dict[str, Any]:
    return {"@odata.context": f"{METADATA}{collection}/$entity", **doc}


def _collection(collection: str, docs: list[dict[str, Any]]) -> dict[str, Any]:
    return {"@odata.context": f"{METADATA}{collection}", "value": docs}


# ------------------------------------------------------------------------------------------------- helpers
def _not_found(ident: str) -> GraphError:
    return GraphError(404, NOT_FOUND, NOT_FOUND_TEMPLATE.format(id=ident))


def _authenticate(request: Request, world: World) -> dict[str, Any]:
    token = bearer_token(request)

    def refused(error: BaseException | None = None) -> None:
        token_refused(request, world, plane=PLANE, expected=GRAPH_RESOURCE, service=SERVICE, error=error,
                      tenant=world.tenant_id)

    if not token:
        refused()
        raise GraphError(401, INVALID_TOKEN, TOKEN_EMPTY)
    if "." not in token:
        refused()
        raise GraphError(401, INVALID_TOKEN, TOKEN_NOT_JWT)
    try:
        claims = world.tokens.verify(token, audiences=GRAPH_AUDIENCES, tenant_id=world.tenant_id)
    except InvalidAudienceError as exc:
        refused(exc)
        raise GraphError(401, INVALID_TOKEN, TOKEN_WRONG_AUDIENCE) from None
    except ExpiredTokenError as exc:
        refused(exc)
        raise GraphError(401, INVALID_TOKEN, TOKEN_EXPIRED) from None
    except TokenValidationError as exc:
        refused(exc)
        raise GraphError(401, INVALID_TOKEN, TOKEN_INVALID) from None
    return dry_run_claims(request, world, claims)


def _directory_decision(request: Request, claims: dict[str, Any], *, write: bool) -> AccessDecision:
    """azshell's Graph rule as a decision: everyone signed in reads; only users write."""
    user = claims.get("idtyp") == "user"
    oid = str(claims.get("oid", ""))
    name = str(claims.get("upn") or "")
    rule = Evidence("rule", "users may read and write the directory; service principals (managed identities) "
                            "may only read", True, user or not write,
                    "" if user or not write else "the caller is a service principal (idtyp app), not a user")
    if not write:
        reason = "Allowed: any principal of the tenant may read the directory (azshell's simplification)."
    elif user:
        reason = "Allowed: users may change the directory (azshell's simplification of Graph's permissions)."
    else:
        reason = ("Denied: a service principal (a managed identity) may only read the directory; writing needs "
                  "Graph application permissions (Group.ReadWrite.All…) granted by an admin, which azshell does "
                  "not model: sign in as a user to do this.")
    return record(request, AccessDecision(
        plane=PLANE, model="directory", allowed=user or not write, reason=reason, principal=oid,
        principal_name=name, action=f"{request.method} {request.path}", scope="/", considered=(rule,)))


def _require_write(request: Request, claims: dict[str, Any]) -> None:
    """Users may write the directory; service principals (managed identities) may only read."""
    if not _directory_decision(request, claims, write=True).allowed:
        raise GraphError(403, AUTHORIZATION_DENIED, INSUFFICIENT_PRIVILEGES)


def _filter(world: World, object_type: str, text: str | None) -> list[DirectoryObject]:
    objs = world.store.find_directory_objects(object_type=object_type)
    if text is None or not text.strip():
        return objs
    m_eq, m_sw, m_spn = _EQ.match(text), _STARTSWITH.match(text), _SPN_ANY.match(text)
    if m_spn and object_type == "ServicePrincipal":
        want = m_spn.group(2).replace("''", "'").casefold()
        return [o for o in objs if want in {str(o.app_id or "").casefold(),
                                            *(n.casefold() for n in o.alternative_names)}]
    m = m_eq or m_sw
    if m is None or m.group(1).lower() not in _FILTER_FIELDS:
        raise GraphError(400, UNSUPPORTED_QUERY, UNSUPPORTED_QUERY_MESSAGE)
    attr = _FILTER_FIELDS[m.group(1).lower()]
    want = m.group(2).replace("''", "'").casefold()
    out = []
    for o in objs:
        value = str(getattr(o, attr) or "").casefold()
        if (m_eq and value == want) or (m_sw and value.startswith(want)):
            out.append(o)
    return out


def _get(world: World, object_type: str, ident: str) -> DirectoryObject:
    obj = world.store.get_directory_object(ident)
    if obj is None and object_type == "User":
        found = world.store.find_directory_objects(object_type="User", user_principal_name=ident)
        obj = found[0] if found else None
    if obj is None or obj.object_type != object_type:
        raise _not_found(ident)
    return obj


def _body(request: Request) -> dict[str, Any]:
    try:
        data = request.json()
    except (ValueError, UnicodeDecodeError, RecursionError):
        data = None
    if not isinstance(data, dict):
        raise GraphError(400, BAD_REQUEST, INVALID_BODY)
    return data


def _method(request: Request, *allowed: str) -> None:
    if request.method not in allowed:
        raise GraphError(405, METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED_TEMPLATE)


# ------------------------------------------------------------------------------------------------ handlers
def _collection_route(request: Request, world: World, claims: dict[str, Any], collection: str) -> Response:
    object_type = {v: k for k, v in _COLLECTIONS.items()}[collection]
    if collection == "groups" and request.method == "POST":
        return _create_group(request, world, claims)
    _method(request, "GET")
    objs = _filter(world, object_type, request.query_get("$filter"))
    return Response.json(200, _collection(collection, [object_json(o) for o in objs]))


def _create_group(request: Request, world: World, claims: dict[str, Any]) -> Response:
    _require_write(request, claims)
    body = _body(request)
    name = body.get("displayName")
    if not isinstance(name, str) or not name.strip():
        raise GraphError(400, REQUEST_BAD, INVALID_VALUE_TEMPLATE.format(prop="displayName", resource="Group"))
    nick = body.get("mailNickname")
    if not isinstance(nick, str) or not nick.strip():
        raise GraphError(400, REQUEST_BAD, INVALID_VALUE_TEMPLATE.format(prop="mailNickname", resource="Group"))
    group = world.backend.create_group(name)
    doc = _group_json(group)
    doc["mailNickname"] = nick
    if isinstance(body.get("description"), str):
        doc["description"] = body["description"]
    return Response.json(201, _entity("groups", doc))


def _members_route(request: Request, world: World, claims: dict[str, Any], group_id: str, ref: bool) -> Response:
    group = _get(world, "Group", group_id)
    if not ref:
        _method(request, "GET")
        members = [world.store.get_directory_object(m) for m in world.store.list_group_members(group.object_id)]
        docs = [object_json(m) for m in members if m is not None]
        return Response.json(200, _collection("directoryObjects", docs))
    _method(request, "POST")
    _require_write(request, claims)
    ref_url = _body(request).get("@odata.id")
    if not isinstance(ref_url, str) or not ref_url.strip():
        raise GraphError(400, BAD_REQUEST, INVALID_VALUE_TEMPLATE.format(prop="@odata.id", resource="members"))
    member_id = ref_url.rstrip("/").rsplit("/", 1)[-1]
    if world.store.get_directory_object(member_id) is None:
        raise _not_found(member_id)
    if member_id.casefold() in (m.casefold() for m in world.store.list_group_members(group.object_id)):
        raise GraphError(400, REQUEST_BAD, MEMBER_EXISTS)
    try:
        world.backend.add_group_member(group.object_id, member_id)
    except ModelError:
        raise _not_found(member_id) from None
    return Response(204)


def _get_by_ids(request: Request, world: World) -> Response:
    """``POST /directoryObjects/getByIds``: the objects of ``ids`` (unknown IDs left out) whose type is one of
    ``types`` (case-insensitive; none or ``directoryObject`` means any), in the order asked."""
    body = _body(request)
    ids = body.get("ids")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        # best guess at Graph's wording for a missing or malformed ids collection
        raise GraphError(400, REQUEST_BAD, INVALID_VALUE_TEMPLATE.format(prop="ids", resource="getByIds"))
    types = body.get("types")
    wanted = {t.lower() for t in types if isinstance(t, str)} if isinstance(types, list) and types else None
    if wanted is not None and "directoryobject" in wanted:
        wanted = None
    found = []
    for ident in ids:
        obj = world.store.get_directory_object(ident) or world.store.get_directory_object(ident.lower())
        if obj is not None and (wanted is None or obj.object_type.lower() in wanted):
            found.append(object_json(obj))
    return Response.json(200, _collection("directoryObjects", found))


def _answer(request: Request, world: World) -> Response:
    segs = [s for s in request.path.split("/") if s]
    if not segs or segs[0].lower() not in ("v1.0", "beta"):
        raise GraphError(400, BAD_REQUEST, NO_SEGMENT_TEMPLATE.format(segment=segs[0] if segs else ""))
    claims = _authenticate(request, world)
    if request.method in ("GET", "HEAD"):
        _directory_decision(request, claims, write=False)
    rest = segs[1:]
    if not rest:
        raise GraphError(400, BAD_REQUEST, NO_SEGMENT_TEMPLATE.format(segment=segs[0]))
    head = rest[0]
    low = head.lower()
    if low == "me" and len(rest) == 1:
        _method(request, "GET")
        oid = str(claims.get("oid", ""))
        if claims.get("idtyp") != "user":
            # SEEN: Graph answers an app-only token on /me with code BadRequest (issue 14)
            raise GraphError(400, BAD_REQUEST, "/me request is only valid with delegated authentication flow.")
        return Response.json(200, _entity("users", _user_json(_get(world, "User", oid))))
    if low == "directoryobjects" and len(rest) == 2 and rest[1].lower() == "getbyids":
        _method(request, "POST")
        _directory_decision(request, claims, write=False)
        return _get_by_ids(request, world)
    if low == "directoryobjects" and len(rest) == 2:
        _method(request, "GET")
        obj = world.store.get_directory_object(rest[1])
        if obj is None:
            raise _not_found(rest[1])
        return Response.json(200, _entity("directoryObjects", object_json(obj)))
    collection = next((c for c in _COLLECTIONS.values() if c.lower() == low), None)
    if collection is None:
        raise GraphError(400, BAD_REQUEST, NO_SEGMENT_TEMPLATE.format(segment=head))
    if len(rest) == 1:
        return _collection_route(request, world, claims, collection)
    object_type = {v: k for k, v in _COLLECTIONS.items()}[collection]
    if len(rest) == 2 and collection == "groups" and request.method == "DELETE":
        _require_write(request, claims)
        _get(world, object_type, rest[1])  # 404 Request_ResourceNotFound for a group that is not there
        world.backend.delete_group(rest[1])
        return Response(204)
    if len(rest) == 2:
        _method(request, "GET")
        obj = _get(world, object_type, rest[1])
        return Response.json(200, _entity(collection, _sp_json(obj) if object_type == "ServicePrincipal"
                                          else _user_json(obj) if object_type == "User" else _group_json(obj)))
    if collection == "groups" and rest[2].lower() == "members" and len(rest) in (3, 4):
        ref = len(rest) == 4
        if ref and rest[3].lower() != "$ref":
            raise GraphError(400, BAD_REQUEST, NO_SEGMENT_TEMPLATE.format(segment=rest[3]))
        return _members_route(request, world, claims, rest[1], ref)
    raise GraphError(400, BAD_REQUEST, NO_SEGMENT_TEMPLATE.format(segment=rest[2]))


def handle(request: Request, world: World) -> Response:
    """Answer one Microsoft Graph request; every failure is Graph's JSON error."""
    try:
        return _answer(request, world)
    except GraphError as exc:
        return exc.graph_response(world.clock.now(), world.ids)
    except ModelError as exc:
        return GraphError(400, REQUEST_BAD, exc.message).graph_response(world.clock.now(), world.ids)
