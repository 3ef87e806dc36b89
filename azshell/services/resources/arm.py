"""ARM's resource endpoints: subscriptions, resource groups, and provider resources (VMs and their extensions,
user-assigned identities, and every other registered type through a generic handler).

Order of checks on every request, as ARM applies them: api-version (400) → authorization (403, before any
existence check: a caller without access learns nothing) → resource group / resource existence (404) → body
validation (400) → the write.
"""

from __future__ import annotations

import base64
import json
import re
from typing import Any

from azshell.hostnames import ARM_ENDPOINT
from azshell.ids import parse_resource_id
from azshell.model.backend import KEEP, Keep, normalize_identity_type
from azshell.model.errors import ModelError, NotFoundError, ValidationError
from azshell.model.types import USER_ASSIGNED_IDENTITY_TYPE, VM_EXTENSION_TYPE, Resource, ResourceGroup
from azshell.planes._shared import (
    INVALID_REQUEST_CONTENT,
    INVALID_REQUEST_CONTENT_TEMPLATE,
    SUPPORTED_LOCATIONS,
    arm_error,
    normalize_location,
    require_linked,
)
from azshell.planes.arm import _hooks
from azshell.planes.arm._context import (
    ArmContext,
    model_error,
    resource_group_not_found,
    resource_not_found,
    value_list,
)
from azshell.planes.arm._routes import invalid_resource_type
from azshell.planes.arm._shapes import resource_group_json, resource_json, subscription_json
from azshell.planes.base import Headers, PlaneError, Response
from azshell.planes.catalog import ResourceType
from azshell.services.identity.catalog import ASSIGN_USER_ASSIGNED_IDENTITY
from azshell.services.resources.arm_filter import GROUP_PROPERTIES, Filter, page, parse_filter
from azshell.services.resources.catalog import (
    DELETE_RESOURCE_GROUP,
    READ_RESOURCE_GROUP,
    READ_RESOURCE_GROUP_RESOURCES,
    READ_SUBSCRIPTION,
    READ_SUBSCRIPTION_RESOURCES,
    RESOURCE_GROUPS_VERSIONS,
    RESOURCES_LIST_VERSIONS,
    SUBSCRIPTIONS_VERSIONS,
    WRITE_RESOURCE_GROUP,
)

__all__ = [
    "handle_extension_resource",
    "handle_group_resources",
    "handle_operation_result",
    "handle_resource",
    "handle_resource_action",
    "handle_resource_collection",
    "handle_resource_group",
    "handle_resource_groups",
    "handle_subscription",
    "handle_subscription_resources",
    "handle_subscriptions",
]

LOCATION_REQUIRED = "LocationRequired"
LOCATION_REQUIRED_MESSAGE = "The location property is required for this definition."
LOCATION_NOT_AVAILABLE_FOR_RG = "LocationNotAvailableForResourceGroup"
LOCATION_NOT_AVAILABLE_FOR_RG_TEMPLATE = (
    "The provided location '{location}' is not available for resource group. List of available regions is "
    "'{regions}'."
)
LOCATION_NOT_AVAILABLE_FOR_TYPE = "LocationNotAvailableForResourceType"
LOCATION_NOT_AVAILABLE_FOR_TYPE_TEMPLATE = (
    "The provided location '{location}' is not available for resource type '{type}'. List of available regions "
    "for the resource type is '{regions}'."
)
INVALID_RG_LOCATION = "InvalidResourceGroupLocation"
INVALID_RG_LOCATION_TEMPLATE = (
    "Invalid resource group location '{location}'. The Resource group already exists in location '{existing}'."
)
INVALID_RG_NAME = "InvalidResourceGroup"
#: SEEN (az CLI's rendering of ARM's answer, Azure/azure-cli#14481, 2022): the name and its refused characters.
INVALID_RG_CHARACTERS_TEMPLATE = (
    "The provided resource group name '{name}' has these invalid characters: '{chars}'. The name can only be a "
    "letter, digit, '-', '.', '(', ')' or '_'."
)
#: INFERRED wording for the other parts of the rule (too long, ends in a period): no capture found of ARM's answer
#: (the public reports show only the clients' own checks, e.g. Azure/azure-cli issue 15727).
INVALID_RG_NAME_TEMPLATE = (
    "The provided resource group name '{name}' is invalid. Resource group names can be up to 90 characters long, "
    "can only include letters, digits, '-', '.', '(', ')' and '_', and cannot end in a period."
)
INVALID_RESOURCE_NAME = "InvalidResourceName"
INVALID_RESOURCE_NAME_TEMPLATE = "Resource name {name} is invalid. The name can be up to 80 characters long."
INVALID_PARAMETER = "InvalidParameter"
#: SEEN (Compute's answer to the 2017-12-01 ``identityIds`` list, MicrosoftDocs/azure-docs#68377, 2021).
IDENTITY_IDS_DEPRECATED = ("ResourceIdentity property identityIds is deprecated. The userAssignedIdentities property "
                           "should be used instead.")
INVALID_IDENTITY_ID = "InvalidIdentityId"
#: SEEN (a template with the docs' "Micrososft" typo, MicrosoftDocs/azure-docs#48229, 2020); several ids joined by
#: "," is INFERRED.
INVALID_IDENTITY_ID_TEMPLATE = (
    "The identity ids '{ids}' are invalid. It must be of the following format: '/subscriptions/{{subscriptionId}}/"
    "resourceGroups/{{resourceGroupName}}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{{resourceName}}'."
)
USER_ASSIGNED_ID_RE = re.compile(r"^/subscriptions/[^/]+/resourceGroups/[^/]+/providers/"
                                 r"Microsoft\.ManagedIdentity/userAssignedIdentities/[^/]+$", re.IGNORECASE)
FAILED_IDENTITY_OPERATION = "FailedIdentityOperation"
#: The identity operation's failure carries the identity service's own JSON answer after ``Response: '`` (shape as
#: pasted in azure-cli issue 31837: ``Status: 'BadRequest'. Response: '{"error":{"code":"BadRequest",...}}'.'.``).
#: INFERRED: the inner code and message for a user-assigned identity that does not exist (no capture found: the
#: public FailedIdentityOperation reports, azure-cli 31837 and azure-libraries-for-net 690, are BadRequest ones).
FAILED_IDENTITY_OPERATION_TEMPLATE = (
    "Identity operation for resource '{resource}' failed with error 'Failed to perform resource identity "
    "operation. Status: 'NotFound'. Response: '{response}'.'."
)


def failed_identity_response(identity: str) -> str:
    """The identity service's JSON answer quoted inside ``FailedIdentityOperation`` for a missing identity."""
    return json.dumps({"error": {"code": "NotFound", "message": f"Resource '{identity}' does not exist or one of "
                                                                "its parent resources does not exist."}},
                      separators=(",", ":"))
#: ARM's ``Location`` for an accepted resource-group deletion (polled at .../operationresults/{token}).
RG_DELETION_JOB_PREFIX = "RESOURCEGROUPDELETIONJOB"

_RG_NAME_RE = re.compile(r"^[-\w._()]{1,90}$")
_RG_NAME_CHAR = re.compile(r"[-\w._()]")
_RESOURCE_NAME_MAX = 260
#: Top-level body keys that are not stored in ``Resource.extra``.
_RESERVED_KEYS = frozenset({"id", "name", "type", "location", "tags", "properties", "identity", "resources"})


# ----------------------------------------------------------------------------------------------------- helpers
def _sub_scope(sub: str) -> str:
    return f"/subscriptions/{sub}"


def _rg_scope(sub: str, rg: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}"


def _check_rg_name(name: str) -> None:
    """ARM's rule for a new group's name: 400 ``InvalidResourceGroup``."""
    if _RG_NAME_RE.match(name) and not name.endswith("."):
        return
    bad = "".join(dict.fromkeys(c for c in name if not _RG_NAME_CHAR.match(c)))
    if bad:
        raise arm_error(400, INVALID_RG_NAME, INVALID_RG_CHARACTERS_TEMPLATE.format(name=name, chars=bad))
    raise arm_error(400, INVALID_RG_NAME, INVALID_RG_NAME_TEMPLATE.format(name=name))


def _json_response(status: int, obj: Any, headers: dict[str, str] | None = None) -> Response:
    return Response.json(status, obj, headers)


def _bad_content(detail: str) -> PlaneError:
    return arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(detail=detail))


def _tags(body: dict[str, Any]) -> dict[str, str] | None:
    """The body's ``tags`` (None when absent); 400 unless an object of strings."""
    if "tags" not in body or body["tags"] is None:
        return None
    tags = body["tags"]
    if not isinstance(tags, dict) or not all(isinstance(v, str) for v in tags.values()):
        raise _bad_content("Error converting value to type 'System.Collections.Generic.Dictionary`2"
                           "[System.String,System.String]'. Path 'tags'.")
    return {str(k): v for k, v in tags.items()}


def _properties(body: dict[str, Any]) -> dict[str, Any]:
    props = body.get("properties")
    if props is None:
        return {}
    if not isinstance(props, dict):
        raise _bad_content("Error converting value to type 'JObject'. Path 'properties'.")
    return props


def _location(body: dict[str, Any], *, rtype: ResourceType | None, default: str | None = None) -> str:
    """The body's location as ARM stores it (``westus``); 400 when missing or not a region."""
    loc = body.get("location", default)
    if loc is None or loc == "":
        if default is not None:
            return default
        raise arm_error(400, LOCATION_REQUIRED, LOCATION_REQUIRED_MESSAGE)
    if not isinstance(loc, str):
        raise _bad_content("Error converting value to type 'System.String'. Path 'location'.")
    norm = normalize_location(loc)
    if norm is None:
        regions = ",".join(SUPPORTED_LOCATIONS)
        if rtype is None:
            raise arm_error(400, LOCATION_NOT_AVAILABLE_FOR_RG,
                            LOCATION_NOT_AVAILABLE_FOR_RG_TEMPLATE.format(location=loc, regions=regions))
        raise arm_error(400, LOCATION_NOT_AVAILABLE_FOR_TYPE, LOCATION_NOT_AVAILABLE_FOR_TYPE_TEMPLATE.format(
            location=loc, type=rtype.full_type, regions=regions))
    return norm


def _get_rg(ctx: ArmContext, sub: str, rg: str) -> ResourceGroup:
    found = ctx.world.store.get_resource_group(sub, rg)
    if found is None:
        raise resource_group_not_found(rg)
    return found


def _rg_location(ctx: ArmContext, sub: str | None, rg: str | None) -> str:
    if sub is None or rg is None:
        return "westus"
    found = ctx.world.store.get_resource_group(sub, rg)
    return found.location if found is not None else "westus"


def _is_top_level(res: Resource) -> bool:
    try:
        return parse_resource_id(res.id)["parent"] is None
    except ValueError:
        return False


def _summary_json(res: Resource, *, tags: bool = True) -> dict[str, Any]:
    """A resource as ``GET .../resources`` lists it (no ``properties``; no ``tags`` when filtered by tag)."""
    full = resource_json(res)
    full.pop("properties", None)
    if not tags:
        full.pop("tags", None)
    return full


def _filter_props(res: Resource) -> dict[str, str | None]:
    """What ``$filter`` compares on a resource (property names lower-case)."""
    plan = res.extra.get("plan")
    plan = plan if isinstance(plan, dict) else {}
    ident = res.identity

    def plan_value(key: str) -> str | None:
        value = plan.get(key)
        return str(value) if value is not None else None

    return {
        "resourcetype": res.type, "name": res.name, "location": res.location, "resourcegroup": res.resource_group,
        "identity": ident.type if ident is not None else None,
        "identity/principalid": ident.principal_id if ident is not None else None,
        # INFERRED: ``plan eq`` compares the plan's name, like ``plan/name`` (no capture found)
        "plan": plan_value("name"), "plan/publisher": plan_value("publisher"), "plan/product": plan_value("product"),
        "plan/name": plan_value("name"), "plan/version": plan_value("version"),
        "plan/promotioncode": plan_value("promotionCode"),
    }


def _filtered(items: list[Resource], flt: Filter | None) -> list[Resource]:
    if flt is None:
        return items
    return [r for r in items if flt.matches(_filter_props(r), r.tags)]


def _resource_list(ctx: ArmContext, items: list[Resource]) -> Response:
    """``{"value": [...], "nextLink"?}`` for a resources list, after ``$filter``/``$top``/``$skiptoken``."""
    flt = parse_filter(ctx.request.query_get("$filter"))
    chosen = page(ctx.request, _filtered(items, flt))
    show_tags = flt is None or not flt.by_tag
    return _json_response(200, chosen.body(lambda r: _summary_json(r, tags=show_tags)))


# ------------------------------------------------------------------------------------------------ subscriptions
def handle_subscriptions(ctx: ArmContext) -> Response:
    """``GET /subscriptions``: the subscriptions in which the caller holds any role."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    ctx.check_version(SUBSCRIPTIONS_VERSIONS)
    subs = [s for s in ctx.world.store.list_subscriptions()
            if ctx.has_access_within(_sub_scope(s.subscription_id))]
    ctx.open_to_all(READ_SUBSCRIPTION, "/", "anyone signed in may list subscriptions; ARM returns those in which the "
                    f"principal holds a role at, above or below the subscription ({len(subs)} here).")
    return _json_response(200, value_list(subscription_json(s) for s in subs))


def handle_subscription(ctx: ArmContext) -> Response:
    """``GET /subscriptions/{id}``."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    ctx.check_version(SUBSCRIPTIONS_VERSIONS)
    sub_id = ctx.path.subscription
    assert sub_id is not None
    scope = _sub_scope(sub_id)
    ctx.require_within(READ_SUBSCRIPTION, scope, "a subscription")
    sub = ctx.world.store.get_subscription(sub_id)
    assert sub is not None  # checked by the dispatcher
    return _json_response(200, subscription_json(sub))


def handle_operation_result(ctx: ArmContext) -> Response:
    """``GET /subscriptions/{s}/operationresults/{token}``: azshell's operations finish at once → 200."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    return Response(200)


# ---------------------------------------------------------------------------------------------- resource groups
def handle_resource_groups(ctx: ArmContext) -> Response:
    """``GET /subscriptions/{s}/resourcegroups``: the groups the caller may read."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    ctx.check_version(RESOURCE_GROUPS_VERSIONS)
    sub = ctx.path.subscription
    assert sub is not None
    flt = parse_filter(ctx.request.query_get("$filter"), GROUP_PROPERTIES)
    ctx.require_within(READ_RESOURCE_GROUP, _sub_scope(sub), "a subscription's resource groups (filtered)")
    groups = [g for g in ctx.world.store.list_resource_groups(sub) if ctx.allowed(READ_RESOURCE_GROUP, g.id)
              and (flt is None or flt.matches({}, dict(g.tags)))]
    return _json_response(200, page(ctx.request, groups).body(lambda g: resource_group_json(g, ctx.api_version)))


def _rg_deletion_location(sub: str, rg: ResourceGroup, api_version: str) -> str:
    job = {"jobId": f"{RG_DELETION_JOB_PREFIX}-{rg.name.upper()}-{rg.location.upper()}", "jobLocation": rg.location}
    token = base64.urlsafe_b64encode(json.dumps(job, separators=(",", ":")).encode()).rstrip(b"=").decode()
    return f"{ARM_ENDPOINT}/subscriptions/{sub}/operationresults/{token}?api-version={api_version}"


def handle_resource_group(ctx: ArmContext) -> Response:
    """``GET/HEAD/PUT/PATCH/DELETE /subscriptions/{s}/resourcegroups/{rg}``."""
    sub, name = ctx.path.subscription, ctx.path.resource_group
    assert sub is not None and name is not None
    ctx.check_version(RESOURCE_GROUPS_VERSIONS, location=_rg_location(ctx, sub, name))
    scope = _rg_scope(sub, name)
    store, backend = ctx.world.store, ctx.world.backend
    method = ctx.method
    if method in ("GET", "HEAD"):
        ctx.require(READ_RESOURCE_GROUP, scope)
        rg = store.get_resource_group(sub, name)
        if method == "HEAD":
            return Response(204 if rg is not None else 404)
        if rg is None:
            raise resource_group_not_found(name)
        return _json_response(200, resource_group_json(rg, ctx.api_version))
    if method == "PUT":
        ctx.require(WRITE_RESOURCE_GROUP, scope)
        _check_rg_name(name)
        body = ctx.body()
        location = _location(body, rtype=None)
        tags = _tags(body)
        existing = store.get_resource_group(sub, name)
        if existing is not None and existing.location.lower() != location:
            raise arm_error(409, INVALID_RG_LOCATION, INVALID_RG_LOCATION_TEMPLATE.format(
                location=body.get("location"), existing=existing.location))
        rg = backend.create_or_update_resource_group(sub, name, location, tags or {})
        return _json_response(200 if existing is not None else 201, resource_group_json(rg, ctx.api_version))
    if method == "PATCH":
        ctx.require(WRITE_RESOURCE_GROUP, scope)
        existing = _get_rg(ctx, sub, name)
        body = ctx.body()
        tags = _tags(body)
        rg = backend.create_or_update_resource_group(sub, existing.name, existing.location,
                                                     tags if tags is not None else existing.tags)
        return _json_response(200, resource_group_json(rg, ctx.api_version))
    if method == "DELETE":
        ctx.require(DELETE_RESOURCE_GROUP, scope)
        existing = _get_rg(ctx, sub, name)
        backend.delete_resource_group(sub, existing.name)
        # Retry-After 0: the deletion is already done, pollers need not wait ARM's usual 15 seconds.
        return Response(202, Headers({
            "Location": _rg_deletion_location(sub, existing, ctx.api_version), "Retry-After": "0"}))
    raise ctx.method_not_allowed()


def handle_group_resources(ctx: ArmContext) -> Response:
    """``GET /subscriptions/{s}/resourceGroups/{rg}/resources``: the group's top-level resources."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    sub, name = ctx.path.subscription, ctx.path.resource_group
    assert sub is not None and name is not None
    ctx.check_version(RESOURCES_LIST_VERSIONS)
    parse_filter(ctx.request.query_get("$filter"))  # a bad filter is a 400 before anything else
    ctx.require(READ_RESOURCE_GROUP_RESOURCES, _rg_scope(sub, name))
    rg = _get_rg(ctx, sub, name)
    items = [r for r in ctx.world.store.list_resources(sub_id=sub, resource_group=rg.name) if _is_top_level(r)]
    return _resource_list(ctx, items)


def handle_subscription_resources(ctx: ArmContext) -> Response:
    """``GET /subscriptions/{s}/resources``: the top-level resources the caller may read."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    sub = ctx.path.subscription
    assert sub is not None
    ctx.check_version(RESOURCES_LIST_VERSIONS)
    parse_filter(ctx.request.query_get("$filter"))  # a bad filter is a 400 before anything else
    ctx.require_within(READ_SUBSCRIPTION_RESOURCES, _sub_scope(sub), "a subscription's resources (filtered)")
    items = [r for r in ctx.world.store.list_resources(sub_id=sub)
             if _is_top_level(r) and ctx.allowed(f"{r.type}/read", r.id)]
    return _resource_list(ctx, items)


# -------------------------------------------------------------------------------------------- provider resources
def _children(ctx: ArmContext, res: Resource) -> list[Resource]:
    return [c for c in ctx.world.store.list_child_resources(res.id) if c.type.lower() == VM_EXTENSION_TYPE.lower()]


def _render(ctx: ArmContext, res: Resource, rtype: ResourceType) -> dict[str, Any]:
    children = _children(ctx, res) if rtype.handler == "vm" else None
    doc = resource_json(res, children=children)
    return _hooks.render(ctx, res, doc) if rtype.hooks is not None else doc


def handle_resource_collection(ctx: ArmContext) -> Response:
    """``GET .../providers/{ns}/{type}`` (group or subscription) and ``.../{type}/{name}/{childType}``."""
    if ctx.method != "GET":
        raise ctx.method_not_allowed()
    path = ctx.path
    rtype, sub, rg = path.rtype, path.subscription, path.resource_group
    assert rtype is not None and sub is not None
    ctx.check_version(rtype.api, location=_rg_location(ctx, sub, rg))
    read = rtype.action("read")
    store = ctx.world.store
    extension = _hooks.extension(rtype)
    if extension is not None:
        return extension(ctx, rtype, _rg_scope(sub, rg) if rg is not None else _sub_scope(sub))
    if rg is None:
        ctx.require_within(read, _sub_scope(sub), "a subscription's resources of a type (filtered)")
        items = [r for r in store.list_resources(sub_id=sub, type=rtype.full_type) if ctx.allowed(read, r.id)]
    elif path.names:
        parent_id = path.resource_id
        ctx.require(read, parent_id)
        _get_rg(ctx, sub, rg)
        parent = store.get_resource(parent_id)
        if parent is None:
            raise resource_not_found(parent_id, rg)
        items = [c for c in store.list_child_resources(parent.id) if c.type.lower() == rtype.full_type.lower()]
    else:
        ctx.require(read, _rg_scope(sub, rg))
        group = _get_rg(ctx, sub, rg)
        items = store.list_resources(sub_id=sub, resource_group=group.name, type=rtype.full_type)
    # ``$top`` pages every provider list; ``$filter`` belongs to each provider and is not read here.
    return _json_response(200, page(ctx.request, items).body(lambda r: _render(ctx, r, rtype)))


def handle_resource(ctx: ArmContext) -> Response:
    """``GET/HEAD/PUT/PATCH/DELETE`` one provider resource."""
    path = ctx.path
    rtype, sub, rg = path.rtype, path.subscription, path.resource_group
    assert rtype is not None and sub is not None and rg is not None
    method = ctx.method
    rid = path.resource_id
    location_hint = _rg_location(ctx, sub, rg)
    if method in ("PUT", "PATCH"):
        try:  # only for the NoRegisteredProviderFound message; the body is validated after authorization
            loc = ctx.body().get("location")
        except PlaneError:
            loc = None
        if isinstance(loc, str) and loc:
            location_hint = loc
    extension = _hooks.extension(rtype)
    if extension is not None:
        return extension(ctx, rtype, _rg_scope(sub, rg))
    ctx.check_version(rtype.api, location=location_hint)
    store = ctx.world.store
    if method in ("GET", "HEAD"):
        ctx.require(rtype.action("read"), rid)
        _get_rg(ctx, sub, rg)
        res = store.get_resource(rid)
        if method == "HEAD":
            return Response(204 if res is not None else 404)
        if res is None:
            raise resource_not_found(rid, rg)
        return _json_response(200, _render(ctx, res, rtype))
    if method == "DELETE":
        ctx.require(rtype.action("delete"), rid)
        _get_rg(ctx, sub, rg)
        res = store.get_resource(rid)
        if res is None:
            return Response(204)
        ctx.world.backend.delete_resource(res.id)
        return Response(200)
    if method in ("PUT", "PATCH"):
        ctx.require(rtype.action("write"), rid)
        group = _get_rg(ctx, sub, rg)
        body = ctx.body()
        for n in path.names:
            if len(n) > _RESOURCE_NAME_MAX or any(c in n for c in '<>%&:\\?*#'):
                raise arm_error(400, INVALID_RESOURCE_NAME, INVALID_RESOURCE_NAME_TEMPLATE.format(name=n))
        existing = store.get_resource(rid)
        if method == "PATCH" and existing is None:
            raise resource_not_found(rid, rg)
        try:
            saved = _write(ctx, rtype, group, rid, body, existing, patch=(method == "PATCH"))
        except ValidationError as exc:
            raise model_error(exc) from None
        status = 200 if existing is not None else _hooks.created_status(rtype)
        return _json_response(status, _render(ctx, saved, rtype))
    raise ctx.method_not_allowed()


def handle_resource_action(ctx: ArmContext) -> Response:
    """``{resource}/{name}`` where ``name`` is no child type: what the type's hooks answer (a VM's
    ``instanceView``), else ARM's ``InvalidResourceType`` for the path's type."""
    path = ctx.path
    rtype, name = path.rtype, path.item
    assert rtype is not None and name is not None
    answer = _hooks.resource_action(ctx, rtype, name)
    if answer is None:
        raise invalid_resource_type((*rtype.type_path.split("/"), name), rtype.namespace, ctx.api_version)
    return answer


def handle_extension_resource(ctx: ArmContext) -> Response:
    """``{resource}/providers/{ns}/{type}/{name}``: an extension type's handler, at the resource's scope."""
    path = ctx.path
    rtype, scope = path.rtype, path.scope
    assert rtype is not None and scope is not None
    extension = _hooks.extension(rtype)
    if extension is None:
        raise invalid_resource_type(rtype.type_path.split("/"), rtype.namespace, ctx.api_version)
    return extension(ctx, rtype, scope)


# ------------------------------------------------------------------------------------------------------ writes
def _identity_change(ctx: ArmContext, rid: str, body: dict[str, Any], existing: Resource | None,
                     *, patch: bool, write_action: str) -> tuple[str | None | Keep, list[str] | None]:
    """(identity_type, user_assigned_ids) for the backend from a PUT/PATCH body's ``identity`` block.

    PATCH semantics for ``userAssignedIdentities``: listed IDs are added, IDs mapped to null removed, the
    others kept. Newly attached identities need ``.../userAssignedIdentities/assign/action`` on each.
    """
    if "identity" not in body or body["identity"] is None:
        return KEEP, None
    block = body["identity"]
    if not isinstance(block, dict):
        raise _bad_content("Error converting value to type 'Identity'. Path 'identity'.")
    raw_type = block.get("type")
    if raw_type is not None and not isinstance(raw_type, str):
        raise _bad_content("Error converting value to type 'ResourceIdentityType'. Path 'identity.type'.")
    if block.get("identityIds") is not None:  # api-version 2017-12-01's list, refused since 2021
        raise arm_error(400, INVALID_PARAMETER, IDENTITY_IDS_DEPRECATED)
    uais = block.get("userAssignedIdentities")
    if isinstance(uais, dict):
        bad = [k for k in uais if not USER_ASSIGNED_ID_RE.match(k)]
        if bad:
            raise arm_error(400, INVALID_IDENTITY_ID, INVALID_IDENTITY_ID_TEMPLATE.format(ids=",".join(bad)))
    if uais is not None and not isinstance(uais, dict):
        raise _bad_content("Error converting value to type 'Dictionary'. Path 'identity.userAssignedIdentities'.")
    old = existing.identity if existing is not None else None
    if raw_type is None:
        if uais is None:
            return KEEP, None
        raw_type = old.type if old is not None else "UserAssigned"
    try:
        arm_type = normalize_identity_type(raw_type)
    except ValidationError as exc:
        raise model_error(exc) from None
    old_ids = list(old.user_assigned) if old is not None else []
    ids: list[str] | None
    if uais is None:
        ids = None
    else:
        if patch:
            removed = {k.lower() for k, v in uais.items() if v is None}
            kept = [k for k in old_ids if k.lower() not in removed]
            ids = kept + [k for k, v in uais.items() if v is not None and k.lower() not in {x.lower() for x in kept}]
        else:
            ids = [k for k, v in uais.items() if v is not None]
        if not ids and "userassigned" not in arm_type.replace(" ", "").lower():
            ids = None
    if ids:
        old_lower = {k.lower() for k in old_ids}
        new_ids = [k for k in ids if k.lower() not in old_lower]
        if new_ids:
            require_linked(ctx.world, ctx.caller, action=write_action, scope=rid,
                           linked_action=ASSIGN_USER_ASSIGNED_IDENTITY, linked_scopes=new_ids)
        for uai_id in new_ids:
            found = ctx.world.store.get_resource(uai_id)
            if found is None or found.type.lower() != USER_ASSIGNED_IDENTITY_TYPE.lower():
                raise arm_error(400, FAILED_IDENTITY_OPERATION,
                                FAILED_IDENTITY_OPERATION_TEMPLATE.format(
                                    resource=rid, response=failed_identity_response(uai_id)))
    return arm_type, ids


def _extra(body: dict[str, Any], existing: Resource | None) -> dict[str, Any] | None:
    extra = {k: v for k, v in body.items() if k not in _RESERVED_KEYS}
    if not extra:
        return None
    base = dict(existing.extra) if existing is not None else {}
    base.update(extra)
    return base


def _write(ctx: ArmContext, rtype: ResourceType, group: ResourceGroup, rid: str, body: dict[str, Any],
           existing: Resource | None, *, patch: bool) -> Resource:
    backend = ctx.world.backend
    sub = group.subscription_id
    names = ctx.path.names
    tags = _tags(body)
    props = {k: v for k, v in _properties(body).items() if k not in ("provisioningState", "vmId")}
    if existing is not None:
        location = _location(body, rtype=rtype, default=existing.location) if "location" in body \
            else existing.location
    elif rtype.levels > 1:
        parent_id = rid.rsplit("/", 2)[0]
        parent = ctx.world.store.get_resource(parent_id)
        if parent is None:
            raise resource_not_found(parent_id, group.name)
        location = _location(body, rtype=rtype, default=parent.location)
    else:
        location = _location(body, rtype=rtype)
    if not patch and tags is None:
        tags = {}
    write_action = rtype.action("write")
    try:
        if rtype.handler == "user_assigned_identity":
            return backend.create_or_update_user_assigned_identity(sub, group.name, names[0], location, tags)
        identity_type, uai_ids = _identity_change(ctx, rid, body, existing, patch=patch, write_action=write_action)
        if rtype.handler == "vm":
            return backend.create_or_update_vm(sub, group.name, names[0], location, identity_type=identity_type,
                                               user_assigned_ids=uai_ids, properties=props, tags=tags)
        props = _hooks.prepare(ctx, rtype, body, existing, props)
        saved = backend.create_or_update_resource(
            sub, group.name, rtype.full_type, "/".join(names), location, props, identity_type=identity_type,
            user_assigned_ids=uai_ids, tags=tags, extra=_extra(body, existing))
        _hooks.after_write(ctx, rtype, saved)
        return saved
    except NotFoundError as exc:
        raise model_error(exc) from None
    except ModelError as exc:
        raise model_error(exc) from None
