"""ARM's deployments API: ``{rg}/providers/Microsoft.Resources/deployments[/{name}[/operations[/{id}] | /validate |
/whatIf | /operationStatuses/{id} | /exportTemplate | /cancel]]``.

Served as an extension type (``extension`` hook) so the generic provider routes reach it; ``validate``, ``whatIf``,
``cancel`` and ``exportTemplate`` are resource actions. Order of checks, as ARM applies them: api-version →
``Microsoft.Resources/deployments/{write|read|delete}`` → resource group → body → template validation (400
``InvalidTemplate``) → preflight (each resource's type, api-version and write permission: 400
``InvalidTemplateDeployment`` / 403) → the deployment. A PUT answers 201 with ``Azure-AsyncOperation`` (the
operation has already finished: azshell runs the deployment before answering) so SDK pollers complete at once.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from azshell.hostnames import ARM_ENDPOINT
from azshell.model.types import Resource
from azshell.planes._shared import (
    INVALID_REQUEST_CONTENT,
    INVALID_REQUEST_CONTENT_TEMPLATE,
    NO_REGISTERED_PROVIDER,
    NO_REGISTERED_PROVIDER_TEMPLATE,
    SUPPORTED_LOCATIONS,
    api_version_accepted,
    arm_error,
    format_iso,
)
from azshell.planes.arm._context import ArmContext, resource_group_not_found
from azshell.planes.base import Headers, PlaneError, Response
from azshell.planes.catalog import ResourceType
from azshell.planes.jsonnet import JsonParseError, read_json
from azshell.services.deployments import model
from azshell.services.deployments.arm_engine import Engine, EngineResult, TemplateResource
from azshell.services.deployments.arm_expr import TemplateError
from azshell.services.deployments.catalog import (
    CANCEL_DEPLOYMENT,
    DELETE_DEPLOYMENT,
    DEPLOYMENTS_TYPE,
    EXPORT_DEPLOYMENT,
    OPERATIONS_TYPE,
    READ_DEPLOYMENT,
    READ_OPERATIONS,
    READ_STATUSES,
    STATUSES_TYPE,
    VALIDATE_DEPLOYMENT,
    WHATIF_DEPLOYMENT,
    WRITE_DEPLOYMENT,
)
from azshell.services.resources.arm import (
    INVALID_IDENTITY_ID,
    INVALID_IDENTITY_ID_TEMPLATE,
    USER_ASSIGNED_ID_RE,
)

__all__ = ["extension", "render", "resource_action"]

DEPLOYMENT_NOT_FOUND = "DeploymentNotFound"
DEPLOYMENT_NOT_FOUND_TEMPLATE = "Deployment '{name}' could not be found."
INVALID_TEMPLATE = "InvalidTemplate"
INVALID_TEMPLATE_DEPLOYMENT = "InvalidTemplateDeployment"
INVALID_TEMPLATE_DEPLOYMENT_TEMPLATE = (
    "The template deployment '{name}' is not valid according to the validation procedure. The tracking id is "
    "'{tracking}'. See inner errors for details."
)
INVALID_CONTENT_LINK = "InvalidContentLink"
#: INFERRED: ARM cannot download from a link azshell cannot reach (no network): its wording for a failed download.
INVALID_CONTENT_LINK_TEMPLATE = "Unable to download deployment content from '{uri}'."
INVALID_DEPLOYMENT_NAME = "InvalidDeploymentName"
#: INFERRED wording for a name ARM refuses (1-64 of letters, digits, '-', '.', '_', '(' and ')').
INVALID_DEPLOYMENT_NAME_TEMPLATE = (
    "The deployment name '{name}' is invalid. It can contain only alphanumeric characters, underscores, parentheses, "
    "hyphens and periods, and must be 1 to 64 characters long."
)
MODES = ("Incremental", "Complete")


class DeploymentError(PlaneError):
    """An ARM error with ``details`` (``InvalidTemplateDeployment``'s inner errors, ``DeploymentFailed``'s)."""

    def __init__(self, status: int, code: str, message: str, *, details: list[dict[str, Any]] | None = None,
                 additional_info: list[dict[str, Any]] | None = None) -> None:
        base = arm_error(status, code, message)
        super().__init__(status, code, message, headers=base.headers)
        self.details = details
        self.additional_info = additional_info

    def to_response(self) -> Response:
        err: dict[str, Any] = {"code": self.code, "message": self.message}
        if self.details is not None:
            err["details"] = self.details
        if self.additional_info is not None:
            err["additionalInfo"] = self.additional_info
        return Response.json(self.status, {"error": err}, self.headers)


# ----------------------------------------------------------------------------------------------------- helpers
def _ids(ctx: ArmContext) -> tuple[str, str]:
    sub, rg = ctx.path.subscription, ctx.path.resource_group
    assert sub is not None
    return sub, rg or ""


def _deployment_id(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{DEPLOYMENTS_TYPE}/{name}"


def _group(ctx: ArmContext, sub: str, rg: str) -> Any:
    group = ctx.world.store.get_resource_group(sub, rg)
    if group is None:
        raise resource_group_not_found(rg)
    return group


def _stored(ctx: ArmContext, sub: str, rg: str, name: str) -> model.StoredDeployment:
    found = model.get_deployment(ctx.world.store, sub, rg, name)
    if found is None:
        raise arm_error(404, DEPLOYMENT_NOT_FOUND, DEPLOYMENT_NOT_FOUND_TEMPLATE.format(name=name))
    return found


def _newest_version(ctx: ArmContext) -> Any:
    catalog = ctx.world.registry.catalog()

    def newest(full_type: str) -> str | None:
        rtype = catalog.find_type(full_type) if full_type else None
        return max(rtype.api.versions) if rtype is not None and rtype.api.versions else None

    return newest


def _template_hash(template: Any) -> str:
    """``templateHash``: a decimal 64-bit hash of the template (INFERRED algorithm; ARM's is not published)."""
    digest = hashlib.sha256(json.dumps(template, sort_keys=True).encode()).digest()
    return str(int.from_bytes(digest[:8], "big"))


def _status_url(ctx: ArmContext, did: str, status_id: str) -> str:
    return f"{ARM_ENDPOINT}{did}/operationStatuses/{status_id}?api-version={ctx.api_version}"


# ---------------------------------------------------------------------------------------------------- the body
def _read_body(ctx: ArmContext, name: str) -> tuple[Any, dict[str, Any], dict[str, Any], str]:
    """(the body as a positioned document, the template, the parameters, the mode)."""
    body = ctx.body()
    try:
        doc = read_json(ctx.request.body.decode("utf-8"))
    except (JsonParseError, UnicodeDecodeError):  # ctx.body() accepted it, so it is JSON; keep no positions
        from azshell.planes.jsonnet import JsonDocument

        doc = JsonDocument(body, {})
    props = body.get("properties")
    if not isinstance(props, dict):
        raise _content("Required property 'properties' not found in JSON. Path '', line 1, position 1.")
    mode = props.get("mode")
    if mode is None:
        raise _content("Required property 'mode' not found in JSON. Path 'properties'.")
    canonical = next((m for m in MODES if isinstance(mode, str) and m.lower() == mode.lower()), None)
    if canonical is None:
        raise _content(f"Error converting value \"{mode}\" to type "
                       "'Microsoft.WindowsAzure.ResourceStack.Frontdoor.Data.Definitions.DeploymentMode'. "
                       "Path 'properties.mode'.")
    template = props.get("template")
    link = props.get("templateLink")
    if template is None and isinstance(link, dict):
        raise arm_error(400, INVALID_CONTENT_LINK, INVALID_CONTENT_LINK_TEMPLATE.format(uri=link.get("uri", "")))
    if not isinstance(template, dict):
        raise arm_error(400, "InvalidDeployment", f"The deployment '{name}' must have either the TemplateLink or "
                        "Template property set. Please see https://aka.ms/arm-deploy for usage details.")
    params = props.get("parameters") or {}
    if isinstance(props.get("parametersLink"), dict):
        raise arm_error(400, INVALID_CONTENT_LINK, INVALID_CONTENT_LINK_TEMPLATE.format(
            uri=props["parametersLink"].get("uri", "")))
    if not isinstance(params, dict):
        raise _content("Error converting value to type 'JObject'. Path 'properties.parameters'.")
    return doc, template, params, canonical


def _content(detail: str) -> PlaneError:
    return arm_error(400, INVALID_REQUEST_CONTENT, INVALID_REQUEST_CONTENT_TEMPLATE.format(detail=detail))


def _engine(ctx: ArmContext, doc: Any, params: dict[str, Any], name: str, mode: str, *,
            live: bool) -> Engine:
    sub, rg_name = _ids(ctx)
    group = _group(ctx, sub, rg_name)
    world = ctx.world
    subscription = world.store.get_subscription(sub)
    sub_json = {"id": f"/subscriptions/{sub}", "subscriptionId": sub, "tenantId": world.tenant_id,
                "displayName": subscription.display_name if subscription is not None else ""}
    rg_json = {"id": group.id, "name": group.name, "type": "Microsoft.Resources/resourceGroups",
               "location": group.location, "tags": dict(group.tags),
               "properties": {"provisioningState": "Succeeded"}}
    http = None
    if live:
        from azshell.http import make_client

        caller = ctx.request.caller
        http = make_client(world, lambda: caller)
    return Engine(doc, "properties.template", params, subscription=sub_json, resource_group=rg_json,
                  deployment_name=name, mode=mode, http=http,
                  authorization=ctx.request.headers.get("Authorization"), api_versions=_newest_version(ctx),
                  now=world.clock.now, new_guid=world.ids.guid)


def _template_error(exc: TemplateError) -> PlaneError:
    if exc.status >= 400 and exc.code not in (INVALID_TEMPLATE, ""):
        return DeploymentError(exc.status, exc.code, exc.message, details=None)
    return DeploymentError(400, INVALID_TEMPLATE, exc.message,
                           additional_info=[{"type": "TemplateViolation",
                                             "info": {"lineNumber": 0, "linePosition": 0, "path": ""}}])


def _validated(ctx: ArmContext, engine: Engine, name: str) -> list[TemplateResource]:
    """Template validation, then ARM's preflight: each resource's type, api-version and the caller's permission."""
    try:
        order = engine.validate()
    except TemplateError as exc:
        raise _template_error(exc) from None
    catalog = ctx.world.registry.catalog()
    details: list[dict[str, Any]] = []
    for r in order:
        if not r.condition:
            continue
        namespace = r.full_type.split("/", 1)[0]
        found_ns = catalog.find_namespace(namespace)
        rtype = catalog.find_type(r.full_type)
        if found_ns is None:
            details.append({"code": "InvalidResourceNamespace",
                            "message": f"The resource namespace '{namespace}' is invalid."})
        elif rtype is None and any(t.namespace.lower() == namespace.lower() for t in catalog.types):
            details.append({"code": "InvalidResourceType", "message": (
                f"The resource type '{r.full_type.split('/', 1)[1]}' could not be found in the namespace "
                f"'{found_ns}' for api version '{r.api_version}'.")})
        elif rtype is not None and not api_version_accepted(rtype.api, r.api_version, now=ctx.world.clock.now()):
            details.append({"code": NO_REGISTERED_PROVIDER, "message": NO_REGISTERED_PROVIDER_TEMPLATE.format(
                location=engine.rg.get("location", "westus"), version=r.api_version, type=rtype.full_type,
                supported=", ".join(sorted(rtype.api.versions, reverse=True)),
                locations=", ".join(SUPPORTED_LOCATIONS))})
        identity = engine.identity_of(r)
        uais = identity.get("userAssignedIdentities") if isinstance(identity, dict) else None
        bad = [k for k in uais if not USER_ASSIGNED_ID_RE.match(k)] if isinstance(uais, dict) else []
        if bad:  # the resource provider's preflight answer (Compute's, for a VM)
            details.append({"code": INVALID_IDENTITY_ID,
                            "message": INVALID_IDENTITY_ID_TEMPLATE.format(ids=",".join(bad))})
    if details:
        raise DeploymentError(400, INVALID_TEMPLATE_DEPLOYMENT, INVALID_TEMPLATE_DEPLOYMENT_TEMPLATE.format(
            name=name, tracking=ctx.world.ids.guid()), details=details)
    for r in order:
        if r.condition:
            known = catalog.find_type(r.full_type)
            ctx.require(f"{known.full_type if known is not None else r.full_type}/write", r.id)
    return order


def _properties(engine: Engine, order: list[TemplateResource], template: dict[str, Any], *, state: str,
                started: float, ended: float, result: EngineResult | None) -> dict[str, Any]:
    providers: dict[str, dict[str, set[str]]] = {}
    for r in order:
        ns, _, rest = r.full_type.partition("/")
        providers.setdefault(ns, {}).setdefault(rest, set()).add(str(engine.rg.get("location", "")))
    props: dict[str, Any] = {
        "templateHash": _template_hash(template),
        "parameters": engine.parameters_json(),
        "mode": engine.mode,
        "provisioningState": state,
        "timestamp": format_iso(ended),
        "duration": f"PT{max(ended - started, 0):.7f}".rstrip("0").rstrip(".") + "S",
        "correlationId": engine.new_guid(),
        "providers": [{"namespace": ns, "resourceTypes": [{"resourceType": t, "locations": sorted(locs)}
                                                          for t, locs in types.items()]}
                      for ns, types in providers.items()],
        "dependencies": [{"dependsOn": [d.target() for d in r.after], **r.target()} for r in order if r.after],
    }
    if result is not None:
        props["outputs"] = result.outputs
        props["outputResources"] = [{"id": rid} for rid in result.output_resources]
        if result.error is not None:
            props["error"] = result.error
    return props


def _document(sub: str, rg: str, name: str, props: dict[str, Any]) -> dict[str, Any]:
    return {"id": _deployment_id(sub, rg, name), "name": name, "type": DEPLOYMENTS_TYPE, "properties": props}


# ---------------------------------------------------------------------------------------------------- handlers
def _put(ctx: ArmContext, sub: str, rg: str, name: str) -> Response:
    did = _deployment_id(sub, rg, name)
    ctx.require(WRITE_DEPLOYMENT, did)
    if not name or len(name) > 64 or any(not (c.isalnum() or c in "-._()") for c in name):
        raise arm_error(400, INVALID_DEPLOYMENT_NAME, INVALID_DEPLOYMENT_NAME_TEMPLATE.format(name=name))
    group = _group(ctx, sub, rg)
    doc, template, params, mode = _read_body(ctx, name)
    engine = _engine(ctx, doc, params, name, mode, live=True)
    order = _validated(ctx, engine, name)
    started = ctx.world.clock.now()
    try:
        result = engine.execute(order)
    finally:
        if engine.http is not None:
            engine.http.close()
    ended = ctx.world.clock.now()
    props = _properties(engine, order, template, state=result.state, started=started, ended=ended, result=result)
    document = _document(sub, group.name, name, props)
    status_id = ctx.world.ids.guid().replace("-", "")[:20].upper()
    operations = [op.to_json(did, format_iso, ctx.world.ids.guid) for op in result.operations]
    existing = model.get_deployment(ctx.world.store, sub, group.name, name)
    model.save_deployment(ctx.world.store, model.StoredDeployment(
        subscription_id=sub, resource_group=group.name, name=name, document=document, operations=operations,
        template=template, status_id=status_id, updated=ended))
    headers = Headers({"Azure-AsyncOperation": _status_url(ctx, did, status_id), "Retry-After": "0"})
    return Response.json(200 if existing is not None else 201, document, headers.items())


def _get(ctx: ArmContext, sub: str, rg: str, name: str) -> Response:
    ctx.require(READ_DEPLOYMENT, _deployment_id(sub, rg, name))
    group = _group(ctx, sub, rg)
    return Response.json(200, _stored(ctx, sub, group.name, name).document)


def _delete(ctx: ArmContext, sub: str, rg: str, name: str) -> Response:
    ctx.require(DELETE_DEPLOYMENT, _deployment_id(sub, rg, name))
    group = _group(ctx, sub, rg)
    if not model.delete_deployment(ctx.world.store, sub, group.name, name):
        return Response(204)
    return Response(200)


def _list(ctx: ArmContext, sub: str, rg: str) -> Response:
    if not rg:
        ctx.require_within(READ_DEPLOYMENT, f"/subscriptions/{sub}", "a subscription's deployments")
        return Response.json(200, {"value": []})
    ctx.require(READ_DEPLOYMENT, f"/subscriptions/{sub}/resourceGroups/{rg}")
    group = _group(ctx, sub, rg)
    return Response.json(200, {"value": [d.document for d in model.list_deployments(ctx.world.store, sub,
                                                                                    group.name)]})


def _operations(ctx: ArmContext, sub: str, rg: str, name: str, op_id: str | None) -> Response:
    did = _deployment_id(sub, rg, name)
    ctx.require(READ_OPERATIONS, did)
    group = _group(ctx, sub, rg)
    found = _stored(ctx, sub, group.name, name)
    if op_id is None:
        return Response.json(200, {"value": found.operations})
    for op in found.operations:
        if str(op.get("operationId", "")).lower() == op_id.lower():
            return Response.json(200, op)
    raise arm_error(404, "DeploymentOperationNotFound",
                    f"Deployment operation '{op_id}' for deployment '{name}' could not be found.")


def _status(ctx: ArmContext, sub: str, rg: str, name: str, status_id: str) -> Response:
    ctx.require(READ_STATUSES, _deployment_id(sub, rg, name))
    group = _group(ctx, sub, rg)
    found = _stored(ctx, sub, group.name, name)
    props = found.document.get("properties", {})
    body: dict[str, Any] = {"status": props.get("provisioningState", "Succeeded")}
    if props.get("error") is not None:
        body["error"] = props["error"]
    return Response.json(200, body)


def extension(ctx: ArmContext, rtype: ResourceType, scope: str) -> Response:
    """Every path of the deployments API under a resource group (and the subscription's empty list)."""
    ctx.check_version(rtype.api)
    sub, rg = _ids(ctx)
    names = ctx.path.names
    method = ctx.method
    kind = rtype.full_type
    if kind == DEPLOYMENTS_TYPE:
        if not names:
            if method != "GET":
                raise ctx.method_not_allowed()
            return _list(ctx, sub, rg)
        name = names[0]
        if method == "PUT":
            return _put(ctx, sub, rg, name)
        if method == "GET":
            return _get(ctx, sub, rg, name)
        if method == "HEAD":
            ctx.require(READ_DEPLOYMENT, _deployment_id(sub, rg, name))
            _group(ctx, sub, rg)
            return Response(204 if model.get_deployment(ctx.world.store, sub, rg, name) else 404)
        if method == "DELETE":
            return _delete(ctx, sub, rg, name)
        raise ctx.method_not_allowed()
    if method != "GET":
        raise ctx.method_not_allowed()
    if kind == OPERATIONS_TYPE:
        return _operations(ctx, sub, rg, names[0], names[1] if len(names) > 1 else None)
    if kind == STATUSES_TYPE and len(names) > 1:
        return _status(ctx, sub, rg, names[0], names[1])
    raise ctx.method_not_allowed()


def _validate(ctx: ArmContext, sub: str, rg: str, name: str) -> Response:
    ctx.require(VALIDATE_DEPLOYMENT, _deployment_id(sub, rg, name))
    group = _group(ctx, sub, rg)
    doc, template, params, mode = _read_body(ctx, name)
    engine = _engine(ctx, doc, params, name, mode, live=False)
    order = _validated(ctx, engine, name)
    now = ctx.world.clock.now()
    props = _properties(engine, order, template, state="Succeeded", started=now, ended=now, result=None)
    props["validatedResources"] = [{"id": r.id} for r in order if r.condition]
    return Response.json(200, _document(sub, group.name, name, props))


def _what_if(ctx: ArmContext, sub: str, rg: str, name: str) -> Response:
    """``whatIf``: each template resource as Create, Modify or NoChange against what exists (Complete mode: the
    others as Delete). Bodies that need ``reference()`` to a resource not yet deployed show ``after: null``."""
    ctx.require(WHATIF_DEPLOYMENT, _deployment_id(sub, rg, name))
    _group(ctx, sub, rg)
    doc, _template, params, mode = _read_body(ctx, name)
    engine = _engine(ctx, doc, params, name, mode, live=True)
    try:
        order = _validated(ctx, engine, name)
        changes = []
        catalog = ctx.world.registry.catalog()
        for r in order:
            if not r.condition:
                continue
            existing = ctx.world.store.get_resource(r.id)
            try:
                after: dict[str, Any] | None = {"id": r.id, "name": r.name.rsplit("/", 1)[-1], "type": r.full_type,
                                                "apiVersion": r.api_version, **engine.resource_body(r)}
            except TemplateError:
                after = None
            before = _resource_doc(ctx, existing) if existing is not None else None
            if before is None:
                change = "Create"
            elif after is not None and _subset(after, before):
                change = "NoChange"
            else:
                change = "Modify"
            entry: dict[str, Any] = {"resourceId": r.id, "changeType": change, "before": before, "after": after}
            if change == "Modify" and before is not None and after is not None:
                entry["delta"] = _delta(before, after)
            changes.append(entry)
        if mode == "Complete":
            keep = {r.id.lower() for r in order}
            for res in ctx.world.store.list_resources(sub_id=sub, resource_group=rg):
                if res.id.lower() not in keep and catalog.find_type(res.type) is not None \
                        and "/" not in res.id.split("/providers/", 1)[-1].split("/", 2)[-1]:
                    changes.append({"resourceId": res.id, "changeType": "Delete",
                                    "before": _resource_doc(ctx, res), "after": None})
    finally:
        if engine.http is not None:
            engine.http.close()
    return Response.json(200, {"status": "Succeeded", "properties": {"changes": changes}})


def _leaves(value: Any, prefix: str = "") -> dict[str, Any]:
    """``{"properties.hardwareProfile.vmSize": "Standard_DS1_v2", ...}``: the template's values by path."""
    if isinstance(value, dict) and value:
        out: dict[str, Any] = {}
        for k, v in value.items():
            out.update(_leaves(v, f"{prefix}.{k}" if prefix else k))
        return out
    return {prefix: value}


def _lookup(doc: Any, path: str) -> tuple[bool, Any]:
    for part in path.split("."):
        if not isinstance(doc, dict):
            return False, None
        key = next((k for k in doc if k.lower() == part.lower()), None)
        if key is None:
            return False, None
        doc = doc[key]
    return True, doc


def _delta(before: dict[str, Any], after: dict[str, Any]) -> list[dict[str, Any]]:
    """What-if's property changes: each value the template sets that the resource does not have yet (Create) or has
    otherwise (Modify); read-only and unset properties are not compared (as ARM's noise reduction does)."""
    out = []
    for path, value in _leaves({k: v for k, v in after.items() if k not in ("id", "name", "type", "apiVersion")})\
            .items():
        found, old = _lookup(before, path)
        if not found:
            out.append({"path": path, "propertyChangeType": "Create", "before": None, "after": value})
        elif not _subset(value, old):
            out.append({"path": path, "propertyChangeType": "Modify", "before": old, "after": value})
    return out


def _resource_doc(ctx: ArmContext, res: Resource) -> dict[str, Any]:
    from azshell.planes.arm._shapes import resource_json

    return resource_json(res)


def _subset(want: Any, have: Any) -> bool:
    if isinstance(want, dict) and isinstance(have, dict):
        low = {k.lower(): v for k, v in have.items()}
        return all(k.lower() in ("apiversion",) or (k.lower() in low and _subset(v, low[k.lower()]))
                   for k, v in want.items())
    if isinstance(want, str) and isinstance(have, str):
        return want.lower() == have.lower()
    return bool(want == have)


def resource_action(ctx: ArmContext, rtype: ResourceType, name: str) -> Response | None:
    """``POST …/deployments/{name}/validate | whatIf | cancel`` and ``…/exportTemplate``."""
    if rtype.full_type != DEPLOYMENTS_TYPE:
        return None
    ctx.check_version(rtype.api)
    sub, rg = _ids(ctx)
    deployment = ctx.path.names[0]
    action = name.lower()
    if action in ("validate", "whatif", "cancel", "exporttemplate") and ctx.method != "POST":
        raise ctx.method_not_allowed()
    if action == "validate":
        return _validate(ctx, sub, rg, deployment)
    if action == "whatif":
        return _what_if(ctx, sub, rg, deployment)
    if action == "cancel":
        ctx.require(CANCEL_DEPLOYMENT, _deployment_id(sub, rg, deployment))
        group = _group(ctx, sub, rg)
        _stored(ctx, sub, group.name, deployment)
        raise arm_error(409, "DeploymentCannotBeCancelled",
                        f"The deployment '{deployment}' cannot be cancelled: it is not running.")
    if action == "exporttemplate":
        ctx.require(EXPORT_DEPLOYMENT, _deployment_id(sub, rg, deployment))
        group = _group(ctx, sub, rg)
        return Response.json(200, {"template": _stored(ctx, sub, group.name, deployment).template})
    return None


def render(ctx: ArmContext, res: Resource, doc: dict[str, Any]) -> dict[str, Any]:
    return doc
