"""``Microsoft.Authorization`` at any scope: role assignments and role definitions.

List semantics (ARM's): at scope S, ``roleAssignments`` returns the assignments at, above and below S;
``$filter=atScope()`` keeps those at or above S; ``principalId eq '{id}'`` keeps the principal's;
``assignedTo('{id}')`` keeps the principal's and its groups'. Filters combine with ``and``.
"""

from __future__ import annotations

import re
from typing import Any

from azshell.auth.decision import rbac_access
from azshell.auth.rbac import decide, scope_covers
from azshell.ids import is_guid, parse_resource_id, scope_kind, strip_dashes
from azshell.model.builtin_roles import builtin_role_conditions
from azshell.model.errors import ModelError, NotFoundError
from azshell.model.types import PrincipalType, RoleAssignment, RoleDefinition
from azshell.planes._shared import (
    INVALID_REQUEST_CONTENT,
    INVALID_REQUEST_CONTENT_TEMPLATE,
    arm_error,
    format_iso,
)
from azshell.planes.arm._context import ArmContext, model_error, value_list
from azshell.planes.arm._shapes import role_assignment_json, role_definition_json
from azshell.planes.base import PlaneError, Response
from azshell.services.authorization.catalog import (
    CHECK_ACCESS_VERSIONS,
    DELETE_ROLE_ASSIGNMENT,
    DELETE_ROLE_DEFINITION,
    PERMISSIONS_VERSIONS,
    READ_PERMISSIONS,
    READ_ROLE_ASSIGNMENT,
    READ_ROLE_DEFINITION,
    ROLE_ASSIGNMENTS_VERSIONS,
    ROLE_DEFINITIONS_VERSIONS,
    WRITE_ROLE_ASSIGNMENT,
    WRITE_ROLE_DEFINITION,
)

__all__ = [
    "handle_check_access",
    "handle_permissions",
    "handle_role_assignment",
    "handle_role_assignments",
    "handle_role_definition",
    "handle_role_definitions",
]

INVALID_ROLE_ASSIGNMENT_ID = "InvalidRoleAssignmentId"
INVALID_ROLE_ASSIGNMENT_ID_TEMPLATE = (
    "The role assignment ID '{name}' is not valid. The role assignment ID must be a GUID."
)
INVALID_PRINCIPAL_ID = "InvalidPrincipalId"
INVALID_PRINCIPAL_ID_TEMPLATE = "The Principal ID '{principal}' is not valid. Principal ID must be a GUID."
ROLE_DEFINITION_DOES_NOT_EXIST = "RoleDefinitionDoesNotExist"
ROLE_DEFINITION_DOES_NOT_EXIST_TEMPLATE = "The specified role definition with ID '{id}' does not exist."
ROLE_ASSIGNMENT_NOT_FOUND = "RoleAssignmentNotFound"
ROLE_ASSIGNMENT_NOT_FOUND_TEMPLATE = "The role assignment '{name}' is not found."
INVALID_CREATE_REQUEST = "InvalidCreateRoleAssignmentRequest"
#: The code and its opening sentence are SEEN (MicrosoftDocs/azure-docs issue 62786: "The request to create role
#: assignment '{guid}' is not valid. Role assignment scope '…' must match the scope specified on the URI '…'."); the
#: ``{detail}`` sentences for a body lacking a field are INFERRED (no capture found for a missing principalId or
#: roleDefinitionId on public Azure; Azure Stack answers with JSON.NET's "Required property 'principalId' not found in
#: JSON.", Azure/azure-powershell issue 12582).
INVALID_CREATE_REQUEST_TEMPLATE = "The request to create role assignment '{name}' is not valid. {detail}"
INVALID_ROLE_ASSIGNMENT_SCOPE = "InvalidRoleAssignmentScope"
INVALID_SCOPE_TEMPLATE = "The scope '{scope}' is not valid."
UNSUPPORTED_FILTER = "UnsupportedQuery"
#: The text is SEEN word for word (Azure/azure-rest-api-specs issue 28255, also Azure/azure-xplat-cli issue 1692 in
#: its older form without assignedTo); the code is INFERRED (no capture of the code found).
UNSUPPORTED_FILTER_TEMPLATE = (
    "The filter '{filter}' is not supported. Supported filters are either 'atScope()' or "
    "'principalId eq '{{value}}' or assignedTo('{{value}}')'."
)
UNSUPPORTED_ROLE_FILTER_TEMPLATE = (
    "The filter '{filter}' is not supported. Supported filters are 'roleName eq '{{value}}'' and "
    "'type eq 'BuiltInRole|CustomRole''."
)
INVALID_ROLE_DEFINITION_ID = "InvalidRoleDefinitionId"
INVALID_ROLE_DEFINITION_ID_TEMPLATE = "The role definition ID '{id}' is not valid. It must be a GUID."
INVALID_ROLE_DEFINITION = "InvalidRoleDefinition"

PRINCIPAL_TYPES: dict[str, PrincipalType] = {
    "user": "User", "group": "Group", "serviceprincipal": "ServicePrincipal",
}
ROLE_TYPES = {"builtinrole": "BuiltInRole", "customrole": "CustomRole"}

_ROLE_DEFINITION_ID_RE = re.compile(
    r"^(?:/subscriptions/[^/]+)?/providers/Microsoft\.Authorization/roleDefinitions/([^/]+)/?$", re.IGNORECASE)
_FILTER_ATSCOPE = re.compile(r"^atscope\(\)$", re.IGNORECASE)
_FILTER_PRINCIPAL = re.compile(r"^principalid\s+eq\s+'([^']*)'$", re.IGNORECASE)
_FILTER_ASSIGNED_TO = re.compile(r"^assignedto\('([^']*)'\)$", re.IGNORECASE)
_FILTER_ROLE_NAME = re.compile(r"^rolename\s+eq\s+'((?:[^']|'')*)'$", re.IGNORECASE)
_FILTER_ROLE_TYPE = re.compile(r"^type\s+eq\s+'([^']*)'$", re.IGNORECASE)
#: `` and `` between clauses, not inside a quoted value (``roleName eq 'Reader and Data Access'``)
_AND = re.compile(r"\s+and\s+(?=(?:[^']*'[^']*')*[^']*$)", re.IGNORECASE)


def _bad_content(detail: str) -> PlaneError:
    return arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(detail=detail))


def _scope(ctx: ArmContext) -> str:
    scope = ctx.path.scope
    assert scope is not None
    return scope


def _assignment_id(scope: str, name: str) -> str:
    base = "" if scope == "/" else scope
    return f"{base}/providers/Microsoft.Authorization/roleAssignments/{name}"


def _definition_path(scope: str, name: str) -> str:
    base = "" if scope == "/" else scope
    return f"{base}/providers/Microsoft.Authorization/roleDefinitions/{name}"


def check_scope_exists(ctx: ArmContext, scope: str) -> None:
    """400 for a malformed scope; 404 when the resource group or resource it names does not exist."""
    kind = scope_kind(scope)
    if kind in ("invalid", "managementGroup"):
        raise arm_error(400, INVALID_ROLE_ASSIGNMENT_SCOPE, INVALID_SCOPE_TEMPLATE.format(scope=scope))
    if kind in ("root", "subscription"):
        return
    path = ctx.path
    if path.subscription is None or path.resource_group is None:
        if kind == "resource":  # a subscription-level resource: not modelled, nothing to find
            raise arm_error(400, INVALID_ROLE_ASSIGNMENT_SCOPE, INVALID_SCOPE_TEMPLATE.format(scope=scope))
        return
    store = ctx.world.store
    if store.get_resource_group(path.subscription, path.resource_group) is None:
        raise arm_error(404, "ResourceGroupNotFound", f"Resource group '{path.resource_group}' could not be found.")
    if kind == "resource":
        try:
            parsed = parse_resource_id(scope)
        except ValueError:
            raise arm_error(400, INVALID_ROLE_ASSIGNMENT_SCOPE, INVALID_SCOPE_TEMPLATE.format(scope=scope)) from None
        top = (f"/subscriptions/{parsed['subscription']}/resourceGroups/{parsed['resource_group']}/providers/"
               f"{parsed['provider']}/{parsed['types'][0]}/{parsed['names'][0]}")
        if store.get_resource(top) is None:
            raise arm_error(404, "ResourceNotFound", (
                f"The Resource '{parsed['provider']}/{parsed['types'][0]}/{parsed['names'][0]}' under resource "
                f"group '{path.resource_group}' was not found. For more details please go to "
                "https://aka.ms/ARMResourceNotFoundFix"))


# -------------------------------------------------------------------------------------------- role assignments
def _assignment_filter(ctx: ArmContext, text: str | None) -> tuple[bool, set[str] | None]:
    """(at_scope_only, principal set or None) from ``$filter``; 400 for anything else."""
    if text is None or not text.strip():
        return False, None
    at_scope = False
    principals: set[str] | None = None
    for clause in _AND.split(text.strip()):
        clause = clause.strip()
        m_principal = _FILTER_PRINCIPAL.match(clause)
        m_assigned = _FILTER_ASSIGNED_TO.match(clause)
        if _FILTER_ATSCOPE.match(clause):
            at_scope = True
        elif m_principal:
            principals = {m_principal.group(1).lower()}
        elif m_assigned:
            oid = m_assigned.group(1)
            principals = {oid.lower(), *(g.lower() for g in ctx.world.store.group_ids_of(oid))}
        else:
            raise arm_error(400, UNSUPPORTED_FILTER, UNSUPPORTED_FILTER_TEMPLATE.format(filter=text))
    return at_scope, principals


def handle_role_assignments(ctx: ArmContext) -> Response:
    """``GET {scope}/providers/Microsoft.Authorization/roleAssignments[?$filter=...]``."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    ctx.check_version(ROLE_ASSIGNMENTS_VERSIONS)
    scope = _scope(ctx)
    at_scope, principals = _assignment_filter(ctx, ctx.request.query_get("$filter"))
    ctx.require(READ_ROLE_ASSIGNMENT, scope)
    check_scope_exists(ctx, scope)
    out: list[RoleAssignment] = []
    for ra in ctx.world.store.list_role_assignments():
        above = scope_covers(ra.scope, scope)
        if not (above or (not at_scope and scope_covers(scope, ra.scope))):
            continue
        if principals is not None and ra.principal_id.lower() not in principals:
            continue
        out.append(ra)
    return Response.json(200, value_list(role_assignment_json(ra) for ra in out))


def _find_at_scope(ctx: ArmContext, scope: str, name: str) -> RoleAssignment | None:
    ra = ctx.world.store.get_role_assignment(name)
    if ra is None or ra.scope.rstrip("/").lower() != scope.rstrip("/").lower():
        return None
    return ra


def handle_role_assignment(ctx: ArmContext) -> Response:
    """``GET/PUT/DELETE {scope}/providers/Microsoft.Authorization/roleAssignments/{guid}``."""
    scope = _scope(ctx)
    name = ctx.path.item
    assert name is not None
    ctx.check_version(ROLE_ASSIGNMENTS_VERSIONS)
    rid = _assignment_id(scope, name)
    method = ctx.method
    if method == "GET":
        ctx.require(READ_ROLE_ASSIGNMENT, rid)
        check_scope_exists(ctx, scope)
        ra = _find_at_scope(ctx, scope, name) if is_guid(name) else None
        if ra is None:
            raise arm_error(404, ROLE_ASSIGNMENT_NOT_FOUND, ROLE_ASSIGNMENT_NOT_FOUND_TEMPLATE.format(name=name))
        return Response.json(200, role_assignment_json(ra))
    if method == "DELETE":
        ctx.require(DELETE_ROLE_ASSIGNMENT, rid)
        check_scope_exists(ctx, scope)
        ra = _find_at_scope(ctx, scope, name) if is_guid(name) else None
        if ra is None:
            return Response(204)
        try:
            deleted = ctx.world.backend.delete_role_assignment(ra.name)
        except NotFoundError:
            return Response(204)
        return Response.json(200, role_assignment_json(deleted))
    if method == "PUT":
        ctx.require(WRITE_ROLE_ASSIGNMENT, rid)
        if not is_guid(name):
            raise arm_error(400, INVALID_ROLE_ASSIGNMENT_ID, INVALID_ROLE_ASSIGNMENT_ID_TEMPLATE.format(name=name))
        check_scope_exists(ctx, scope)
        return _create_assignment(ctx, scope, name)
    raise ctx.method_not_allowed()


def _create_assignment(ctx: ArmContext, scope: str, name: str) -> Response:
    body = ctx.body()
    props = body.get("properties")
    if not isinstance(props, dict):
        raise arm_error(400, INVALID_CREATE_REQUEST, INVALID_CREATE_REQUEST_TEMPLATE.format(
            name=name, detail="The 'properties' object is required."))
    role_id = props.get("roleDefinitionId")
    principal_id = props.get("principalId")
    if not isinstance(role_id, str) or not role_id:
        raise arm_error(400, INVALID_CREATE_REQUEST, INVALID_CREATE_REQUEST_TEMPLATE.format(
            name=name, detail="The 'roleDefinitionId' property is required."))
    if not isinstance(principal_id, str) or not principal_id:
        raise arm_error(400, INVALID_CREATE_REQUEST, INVALID_CREATE_REQUEST_TEMPLATE.format(
            name=name, detail="The 'principalId' property is required."))
    if not is_guid(principal_id):
        raise arm_error(400, INVALID_PRINCIPAL_ID, INVALID_PRINCIPAL_ID_TEMPLATE.format(principal=principal_id))
    m = _ROLE_DEFINITION_ID_RE.match(role_id)
    guid = m.group(1) if m else role_id
    if not is_guid(guid):
        raise arm_error(400, ROLE_DEFINITION_DOES_NOT_EXIST,
                        ROLE_DEFINITION_DOES_NOT_EXIST_TEMPLATE.format(id=strip_dashes(guid)))
    raw_type = props.get("principalType")
    principal_type: PrincipalType | None = None
    if raw_type is not None:
        if not isinstance(raw_type, str) or raw_type.lower() not in PRINCIPAL_TYPES:
            raise _bad_content(f"Error converting value \"{raw_type}\" to type 'PrincipalType'. "
                               "Path 'properties.principalType'.")
        principal_type = PRINCIPAL_TYPES[raw_type.lower()]
    for key in ("description", "condition"):
        if props.get(key) is not None and not isinstance(props.get(key), str):
            raise _bad_content(f"Error converting value to type 'System.String'. Path 'properties.{key}'.")
    existed = ctx.world.store.get_role_assignment(name) is not None
    try:
        ra = ctx.world.backend.create_role_assignment(
            scope=scope, role_definition_id=guid, principal_id=principal_id, principal_type=principal_type,
            name=name, created_by=ctx.caller.oid, description=props.get("description"),
            condition=props.get("condition"))
    except NotFoundError as exc:
        if exc.code == ROLE_DEFINITION_DOES_NOT_EXIST:
            raise arm_error(400, exc.code, exc.message) from None
        raise model_error(exc) from None
    except ModelError as exc:
        raise model_error(exc) from None
    return Response.json(200 if existed else 201, role_assignment_json(ra))


# -------------------------------------------------------------------------------------------- role definitions
def _definition_filter(text: str | None) -> tuple[str | None, str | None]:
    """(roleName, type) from ``$filter``; 400 for anything else."""
    if text is None or not text.strip():
        return None, None
    role_name: str | None = None
    role_type: str | None = None
    for clause in _AND.split(text.strip()):
        clause = clause.strip()
        m_name = _FILTER_ROLE_NAME.match(clause)
        m_type = _FILTER_ROLE_TYPE.match(clause)
        if m_name:
            role_name = m_name.group(1).replace("''", "'")
        elif m_type and m_type.group(1).lower() in ROLE_TYPES:
            role_type = ROLE_TYPES[m_type.group(1).lower()]
        else:
            raise arm_error(400, UNSUPPORTED_FILTER, UNSUPPORTED_ROLE_FILTER_TEMPLATE.format(filter=text))
    return role_name, role_type


#: ``World.generation_cache`` name of the stored role definitions (some 450: read once per change of the state)
_DEFINITIONS_CACHE = "authorization.role_definitions"


def _stored_definitions(ctx: ArmContext) -> tuple[RoleDefinition, ...]:
    """Every stored role definition, by name (``store.list_role_definitions``), kept until the state changes."""
    cache = ctx.world.generation_cache(_DEFINITIONS_CACHE)
    defs: tuple[RoleDefinition, ...] | None = cache.get("all")
    if defs is None:
        defs = cache["all"] = tuple(ctx.world.store.list_role_definitions())
    return defs


def _permission_conditions(rd: RoleDefinition) -> dict[int, tuple[str, str]]:
    """A built-in role's ABAC conditions by permission block: (condition, conditionVersion)."""
    if rd.role_type != "BuiltInRole":
        return {}
    return {c.block: (c.condition, c.version) for c in builtin_role_conditions(rd.id)}


def _definition_json(rd: RoleDefinition, scope: str, *, created_on: str | None = None) -> dict[str, Any]:
    """``role_definition_json`` with a built-in role's published ABAC condition on the permission block it
    constrains (``condition``, ``conditionVersion``), as ARM shows it."""
    out = role_definition_json(rd, scope, created_on=created_on)
    conditions = _permission_conditions(rd)
    if conditions:
        perms = out["properties"]["permissions"]
        for block, (condition, version) in conditions.items():
            if block < len(perms):
                perms[block]["condition"] = condition
                perms[block]["conditionVersion"] = version
    return out


def _assignable_at(rd: RoleDefinition, scope: str) -> bool:
    return any(scope_covers(s, scope) for s in rd.assignable_scopes)


def _require_definition_read(ctx: ArmContext, scope: str, target: str) -> None:
    """Role definitions at the root scope are readable by every signed-in caller; elsewhere RBAC decides."""
    if scope != "/":
        ctx.require(READ_ROLE_DEFINITION, target)


def handle_role_definitions(ctx: ArmContext) -> Response:
    """``GET {scope}/providers/Microsoft.Authorization/roleDefinitions[?$filter=...]``."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    ctx.check_version(ROLE_DEFINITIONS_VERSIONS)
    scope = _scope(ctx)
    role_name, role_type = _definition_filter(ctx.request.query_get("$filter"))
    _require_definition_read(ctx, scope, scope)
    check_scope_exists(ctx, scope)
    defs = ctx.world.store.find_role_definitions(role_name) if role_name is not None \
        else _stored_definitions(ctx)
    out = [rd for rd in defs if (role_type is None or rd.role_type == role_type) and _assignable_at(rd, scope)]
    return Response.json(200, value_list(_definition_json(rd, scope) for rd in out))


def handle_role_definition(ctx: ArmContext) -> Response:
    """``GET/PUT/DELETE {scope}/providers/Microsoft.Authorization/roleDefinitions/{guid}``."""
    scope = _scope(ctx)
    name = ctx.path.item
    assert name is not None
    ctx.check_version(ROLE_DEFINITIONS_VERSIONS)
    target = _definition_path(scope, name)
    method = ctx.method
    store, backend = ctx.world.store, ctx.world.backend
    not_found = arm_error(404, ROLE_DEFINITION_DOES_NOT_EXIST,
                          ROLE_DEFINITION_DOES_NOT_EXIST_TEMPLATE.format(id=strip_dashes(name)))
    if method == "GET":
        _require_definition_read(ctx, scope, target)
        check_scope_exists(ctx, scope)
        rd = store.get_role_definition(name) if is_guid(name) else None
        if rd is None:
            raise not_found
        return Response.json(200, _definition_json(rd, scope))
    if method == "DELETE":
        ctx.require(DELETE_ROLE_DEFINITION, target)
        check_scope_exists(ctx, scope)
        rd = store.get_role_definition(name) if is_guid(name) else None
        if rd is None:
            return Response(204)
        try:
            deleted = backend.delete_custom_role(rd.id)
        except ModelError as exc:
            raise model_error(exc) from None
        return Response.json(200, _definition_json(deleted, scope))
    if method == "PUT":
        ctx.require(WRITE_ROLE_DEFINITION, target)
        if not is_guid(name):
            raise arm_error(400, INVALID_ROLE_DEFINITION_ID, INVALID_ROLE_DEFINITION_ID_TEMPLATE.format(id=name))
        check_scope_exists(ctx, scope)
        return _put_definition(ctx, scope, name)
    raise ctx.method_not_allowed()


def _strings(value: Any, path: str) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _bad_content(f"Error converting value to type 'System.String[]'. Path '{path}'.")
    return list(value)


def _put_definition(ctx: ArmContext, scope: str, name: str) -> Response:
    body = ctx.body()
    props = body.get("properties")
    if not isinstance(props, dict):
        raise arm_error(400, INVALID_ROLE_DEFINITION, "The role definition request must have 'properties'.")
    role_name = props.get("roleName")
    if not isinstance(role_name, str) or not role_name.strip():
        raise arm_error(400, INVALID_ROLE_DEFINITION, "The role definition name must not be empty.")
    description = props.get("description") or ""
    if not isinstance(description, str):
        raise _bad_content("Error converting value to type 'System.String'. Path 'properties.description'.")
    perms = props.get("permissions") or []
    if not isinstance(perms, list) or not all(isinstance(p, dict) for p in perms):
        raise _bad_content("Error converting value to type 'Permission[]'. Path 'properties.permissions'.")
    actions: list[str] = []
    not_actions: list[str] = []
    data_actions: list[str] = []
    not_data_actions: list[str] = []
    for i, p in enumerate(perms):
        actions += _strings(p.get("actions"), f"properties.permissions[{i}].actions")
        not_actions += _strings(p.get("notActions"), f"properties.permissions[{i}].notActions")
        data_actions += _strings(p.get("dataActions"), f"properties.permissions[{i}].dataActions")
        not_data_actions += _strings(p.get("notDataActions"), f"properties.permissions[{i}].notDataActions")
    scopes = _strings(props.get("assignableScopes"), "properties.assignableScopes") or [scope]
    for s in scopes:
        if scope_kind(s) == "invalid":
            raise arm_error(400, "InvalidAssignableScopes", f"The assignable scope '{s}' is not valid.")
        ctx.require(WRITE_ROLE_DEFINITION, _definition_path(s.rstrip("/") or "/", name))
    existed = ctx.world.store.get_role_definition(name) is not None
    try:
        rd = ctx.world.backend.create_or_update_custom_role(
            role_name=role_name, assignable_scopes=scopes, description=description, actions=actions,
            not_actions=not_actions, data_actions=data_actions, not_data_actions=not_data_actions, id=name)
    except ModelError as exc:
        raise model_error(exc) from None
    stamp = format_iso(ctx.world.clock.now())
    return Response.json(200 if existed else 201, _definition_json(rd, scope, created_on=stamp))


# ------------------------------------------------------------------------------------- permissions / checkAccess
INVALID_CHECK_ACCESS_REQUEST = "InvalidCheckAccessRequest"
#: The action a caller exercises reading its own permissions (no role needed).
#: azshell's own wording (checkAccess is an azshell extension, not an ARM API).
INVALID_CHECK_ACCESS_TEMPLATE = "The checkAccess request is not valid. {detail}"


def handle_permissions(ctx: ArmContext) -> Response:
    """``GET {scope}/providers/Microsoft.Authorization/permissions``: the caller's own effective permissions.

    One entry per permission block of every role assigned to the caller (or its groups) at or above the scope,
    as ARM answers it; anyone may ask about themselves, so no RBAC check.
    """
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    ctx.check_version(PERMISSIONS_VERSIONS)
    scope = _scope(ctx)
    ctx.open_to_all(READ_PERMISSIONS, scope, "anyone may read their own effective permissions.")
    check_scope_exists(ctx, scope)
    index = ctx.world.rbac_index()
    out: list[dict[str, Any]] = []
    for principal in (ctx.caller.oid, *ctx.caller.group_ids):
        for ra, _ in index.assignments_for(principal):
            if not scope_covers(ra.scope, scope):
                continue
            rd = index.definition(ra.role_definition_id)
            if rd is None:
                continue
            conditions = _permission_conditions(rd)
            for i, p in enumerate(rd.permissions):
                entry: dict[str, Any] = {"actions": list(p.actions), "notActions": list(p.not_actions),
                                         "dataActions": list(p.data_actions),
                                         "notDataActions": list(p.not_data_actions)}
                if i in conditions:
                    entry["condition"], entry["conditionVersion"] = conditions[i]
                out.append(entry)
    return Response.json(200, value_list(out))


def _check_access_body(ctx: ArmContext) -> tuple[str, list[tuple[str, bool | None]]]:
    body = ctx.body()
    subject = body.get("subject")
    principal = subject.get("principalId") if isinstance(subject, dict) else None
    if not isinstance(principal, str) or not is_guid(principal):
        raise arm_error(400, INVALID_CHECK_ACCESS_REQUEST, INVALID_CHECK_ACCESS_TEMPLATE.format(
            detail="'subject.principalId' must be a GUID."))
    raw = body.get("actions")
    if not isinstance(raw, list) or not raw:
        raise arm_error(400, INVALID_CHECK_ACCESS_REQUEST, INVALID_CHECK_ACCESS_TEMPLATE.format(
            detail="'actions' must be a non-empty list of {\"id\", \"isDataAction\"}."))
    actions: list[tuple[str, bool | None]] = []
    for item in raw:
        aid = item.get("id") if isinstance(item, dict) else None
        if not isinstance(aid, str) or not aid:
            raise arm_error(400, INVALID_CHECK_ACCESS_REQUEST, INVALID_CHECK_ACCESS_TEMPLATE.format(
                detail="every action needs a string 'id'."))
        flag = item.get("isDataAction")
        actions.append((aid, None if flag is None else bool(flag)))
    return principal, actions


def handle_check_access(ctx: ArmContext) -> Response:
    """``POST {scope}/providers/Microsoft.Authorization/checkAccess`` — an azshell extension.

    Body ``{"subject":{"principalId"},"actions":[{"id","isDataAction"}]}``; answers, per action, the RBAC
    decision for that principal (and its groups) at the scope: ``accessDecision`` Allowed/NotAllowed, the
    ``reason``, the ``consideredAssignments`` (role, scope, principal), the ``matchedAssignments`` and the whole
    ``decision`` (``azshell.auth.decision.AccessDecision`` as JSON: every assignment of the principal with why it
    does or does not cover the scope, and the fix). ``isDataAction`` left out is inferred from the role
    definitions. Anyone may check their own access; checking another principal needs ``roleAssignments/read``
    at the scope (the caller could read the same assignments anyway).
    """
    if ctx.method != "POST":
        raise ctx.method_not_allowed()
    ctx.check_version(CHECK_ACCESS_VERSIONS)
    scope = _scope(ctx)
    principal, actions = _check_access_body(ctx)
    if principal.lower() == ctx.caller.oid.lower():
        ctx.open_to_all(READ_ROLE_ASSIGNMENT, scope, "anyone may check their own access.")
    else:
        ctx.require(READ_ROLE_ASSIGNMENT, scope)
    if scope_kind(scope) in ("invalid", "managementGroup"):  # a scope not yet created is fine: "may I create it?"
        raise arm_error(400, INVALID_ROLE_ASSIGNMENT_SCOPE, INVALID_SCOPE_TEMPLATE.format(scope=scope))
    index = ctx.world.rbac_index()
    groups = tuple(ctx.world.store.group_ids_of(principal))
    obj = ctx.world.store.get_directory_object(principal)
    name = (obj.user_principal_name or obj.display_name) if obj is not None else ""

    def describe(ra: RoleAssignment) -> dict[str, Any]:
        rd = index.definition(ra.role_definition_id)
        return {"id": ra.id, "name": ra.name, "scope": ra.scope, "roleDefinitionId": ra.role_definition_id,
                "roleName": rd.role_name if rd else None, "principalId": ra.principal_id,
                "principalType": ra.principal_type,
                "viaGroup": ra.principal_id.lower() != principal.lower()}

    out = []
    for action, flag in actions:
        is_data = index.is_data_action(action) if flag is None else flag
        d = decide(principal_id=principal, group_ids=groups, action=action, scope=scope, data_action=is_data,
                   index=index)
        full = rbac_access(index, plane="arm", principal=principal, principal_name=name, group_ids=groups,
                           action=action, scope=scope, data_action=is_data)
        out.append({"actionId": action, "isDataAction": is_data, "scope": scope, "principalId": principal,
                    "accessDecision": "Allowed" if d.allowed else "NotAllowed", "reason": full.reason,
                    "consideredAssignments": [describe(a) for a in d.considered],
                    "matchedAssignments": [describe(a) for a in d.matched], "notes": list(d.notes),
                    "decision": full.to_dict()})
    return Response.json(200, value_list(out))
