"""The per-request context ARM handlers share, and the model-error → ARM-error mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azshell.auth.rbac import scope_key
from azshell.model.errors import (
    ConflictError,
    ModelError,
    NotFoundError,
    PrincipalNotFoundError,
    StateFileError,
    ValidationError,
)
from azshell.model.types import Resource, RoleAssignment
from azshell.planes._shared import (
    ApiVersionSpec,
    Caller,
    arm_error,
    check_api_version,
    is_allowed,
    parse_json_body,
    require,
)
from azshell.planes.arm._routes import ArmPath
from azshell.planes.base import PlaneError, Request, Response

if TYPE_CHECKING:
    from azshell.world import World

__all__ = ["ArmContext", "ArmHandler", "METHOD_NOT_ALLOWED", "model_error", "resource_group_not_found",
           "resource_not_found"]

METHOD_NOT_ALLOWED = "MethodNotAllowed"
#: ASP.NET Web API's text, which ARM front ends answer for a method a route does not support.
METHOD_NOT_ALLOWED_TEMPLATE = "The requested resource does not support http method '{method}'."
SERVICE_UNAVAILABLE = "ServiceUnavailable"
RESOURCE_GROUP_NOT_FOUND = "ResourceGroupNotFound"
RESOURCE_GROUP_NOT_FOUND_TEMPLATE = "Resource group '{rg}' could not be found."
RESOURCE_NOT_FOUND = "ResourceNotFound"
RESOURCE_NOT_FOUND_TEMPLATE = (
    "The Resource '{type_and_name}' under resource group '{rg}' was not found. For more details please go to "
    "https://aka.ms/ARMResourceNotFoundFix"
)


def resource_group_not_found(rg: str) -> PlaneError:
    return arm_error(404, RESOURCE_GROUP_NOT_FOUND, RESOURCE_GROUP_NOT_FOUND_TEMPLATE.format(rg=rg))


def resource_not_found(rid: str, rg: str) -> PlaneError:
    """ARM's 404 naming ``{Namespace}/{type}/{name}`` (everything after the first ``providers``) and the group."""
    parts = rid.strip("/").split("/")
    idx = next((i for i, p in enumerate(parts) if p.lower() == "providers"), len(parts))
    return arm_error(404, RESOURCE_NOT_FOUND, RESOURCE_NOT_FOUND_TEMPLATE.format(
        type_and_name="/".join(parts[idx + 1:]), rg=rg))


def model_error(exc: ModelError) -> PlaneError:
    """Map a model error to ARM's status: not found 404, conflict 409, bad input 400, busy state file 503."""
    if isinstance(exc, NotFoundError):
        return arm_error(404, exc.code, exc.message)
    if isinstance(exc, ConflictError):
        return arm_error(409, exc.code, exc.message)
    if isinstance(exc, (ValidationError, PrincipalNotFoundError)):
        return arm_error(400, exc.code, exc.message)
    if isinstance(exc, StateFileError):
        return arm_error(503, SERVICE_UNAVAILABLE, exc.message, gateway=False)
    return arm_error(400, exc.code, exc.message)


@dataclass
class ArmContext:
    """One ARM request: the parsed path, the authenticated caller and the world."""

    request: Request
    world: World
    caller: Caller
    path: ArmPath
    api_version: str

    @property
    def method(self) -> str:
        return self.request.method

    def check_version(self, spec: ApiVersionSpec, *, location: str = "westus") -> None:
        check_api_version(self.request, spec, location=location, now=self.world.clock.now())

    def require(self, action: str, scope: str) -> None:
        require(self.world, self.caller, action, scope)

    def allowed(self, action: str, scope: str) -> bool:
        """A filter (which items of a list the caller may read); not the request's decision."""
        return is_allowed(self.world, self.caller, action, scope)

    def open_to_all(self, action: str, scope: str, reason: str) -> None:
        """Record that this call needs no role: any signed-in caller may make it (``reason`` says why)."""
        from azshell.auth.decision import AccessDecision

        self.caller.log.append(AccessDecision(
            plane="arm", model="open", allowed=True, reason=f"Allowed: {reason}", principal=self.caller.oid,
            principal_name=self.caller.client, action=action, scope=scope))

    def require_within(self, action: str, scope: str, what: str) -> None:
        """ARM's rule for a subscription and its lists: visible to anyone with a role assignment at, above or below
        ``scope``; otherwise ``action`` is required there (403)."""
        from azshell.auth.decision import AccessDecision, Evidence

        hits = self.assignments_within(scope)
        if not hits:
            self.require(action, scope)
            return
        index = self.world.rbac_index()
        evidence = []
        for a in hits:
            role = index.definition(a.role_definition_id)
            evidence.append(Evidence("role_assignment", f"{role.role_name if role else a.role_definition_id} at "
                                     f"{a.scope}", True, True))
        self.caller.log.append(AccessDecision(
            plane="arm", model="rbac", allowed=True,
            reason=(f"Allowed: ARM shows {what} to any principal with a role assignment at, above or below it, "
                    f"whatever the role: {evidence[0].text}."),
            principal=self.caller.oid, principal_name=self.caller.client, action=action, scope=scope,
            considered=tuple(evidence)))

    def existing_resource(self, rid: str) -> Resource:
        """The resource at ``rid`` (a resource group path's group is checked first): ARM's 404
        ``ResourceGroupNotFound`` / ``ResourceNotFound`` otherwise. Call after the authorization check."""
        path = self.path
        rg = path.resource_group
        if path.subscription is not None and rg is not None \
                and self.world.store.get_resource_group(path.subscription, rg) is None:
            raise resource_group_not_found(rg)
        found = self.world.store.get_resource(rid)
        if found is None:
            raise resource_not_found(rid, rg or "")
        return found

    def body(self, *, required: bool = True) -> dict[str, Any]:
        return parse_json_body(self.request, required=required)

    def has_access_within(self, scope: str) -> bool:
        """Does the caller (or a group of it) hold any assignment at, above or below ``scope``?

        ARM shows a subscription to everyone with any role in it, and lists its resource groups filtered.
        """
        return bool(self.assignments_within(scope, first_only=True))

    def assignments_within(self, scope: str, *, first_only: bool = False) -> list[RoleAssignment]:
        """The caller's (and its groups') assignments at, above or below ``scope``."""
        target = scope_key(scope)
        index = self.world.rbac_index()
        out: list[RoleAssignment] = []
        for principal in (self.caller.oid, *self.caller.group_ids):
            for assignment, a_scope in index.assignments_for(principal):
                if a_scope == "" or target == "" or a_scope == target or a_scope.startswith(target + "/") \
                        or target.startswith(a_scope + "/"):
                    out.append(assignment)
                    if first_only:
                        return out
        return out

    def method_not_allowed(self) -> PlaneError:
        return arm_error(405, METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED_TEMPLATE.format(method=self.method))


ArmHandler = Callable[[ArmContext], Response]


def value_list(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """ARM's list envelope ``{"value": [...]}``."""
    return {"value": list(items)}
