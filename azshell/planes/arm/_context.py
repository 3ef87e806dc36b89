"""The per-request context ARM handlers share, and the model-error → ARM-error mapping."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azshell.auth.rbac import normalize_scope as rbac_scope
from azshell.model.errors import (
    ConflictError,
    ModelError,
    NotFoundError,
    PrincipalNotFoundError,
    StateFileError,
    ValidationError,
)
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

__all__ = ["ArmContext", "ArmHandler", "METHOD_NOT_ALLOWED", "model_error"]

METHOD_NOT_ALLOWED = "MethodNotAllowed"
#: ASP.NET Web API's text, which ARM front ends answer for a method a route does not support.
METHOD_NOT_ALLOWED_TEMPLATE = "The requested resource does not support http method '{method}'."
SERVICE_UNAVAILABLE = "ServiceUnavailable"


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
        check_api_version(self.request, spec, location=location)

    def require(self, action: str, scope: str) -> None:
        require(self.world, self.caller, action, scope)

    def allowed(self, action: str, scope: str) -> bool:
        return is_allowed(self.world, self.caller, action, scope)

    def body(self, *, required: bool = True) -> dict[str, Any]:
        return parse_json_body(self.request, required=required)

    def has_access_within(self, scope: str) -> bool:
        """Does the caller (or a group of it) hold any assignment at, above or below ``scope``?

        ARM shows a subscription to everyone with any role in it, and lists its resource groups filtered.
        """
        target = rbac_scope(scope)
        index = self.world.rbac_index()
        for principal in (self.caller.oid, *self.caller.group_ids):
            for _assignment, a_scope in index.assignments_for(principal):
                if a_scope == "" or target == "" or a_scope == target or a_scope.startswith(target + "/") \
                        or target.startswith(a_scope + "/"):
                    return True
        return False

    def method_not_allowed(self) -> PlaneError:
        return arm_error(405, METHOD_NOT_ALLOWED, METHOD_NOT_ALLOWED_TEMPLATE.format(method=self.method))


ArmHandler = Callable[[ArmContext], Response]


def value_list(items: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """ARM's list envelope ``{"value": [...]}``."""
    return {"value": list(items)}
