"""The ARM plane (``management.azure.com``): ``handle(request, world) -> Response``.

Every request goes through the same steps::

    authenticate (401, WWW-Authenticate)  →  api-version present (400)  →  route the path (400/404)
      →  subscription well-formed and known (400/404)  →  the handler: api-version valid for the type (400),
         RBAC on the real ARM action (403 AuthorizationFailed), existence (404), body (400), write

Modules: ``_routes`` (path parsing), ``azshell.planes.catalog`` (the catalogue's structure; the registry fills it from the
services' ``catalog.py``), ``_auth`` (401s), ``_shapes`` (JSON), ``_hooks`` (per-type hooks). The handlers of
each path kind belong to the services (``resources``: subscriptions, groups, provider resources, resource
providers and register, resource actions such as a VM's ``instanceView``, extension resources such as
``identities/default``, ``$filter``/``$top`` on ARM's lists; ``authorization``: role assignments and definitions)
and are found through ``world.registry``; what a type needs beyond storage lives in its service's hooks.

Api-versions: each type accepts the versions its provider has published (the services' ``catalog.py``), and a
well-formed dated version newer than the newest listed (``_shared.api_version_accepted``): the catalogue cannot
know next month's versions, and SDKs start sending them as soon as they are published.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from azshell.ids import is_guid
from azshell.model.errors import ModelError
from azshell.planes._shared import (
    ARM_NO_CACHE_HEADERS,
    INVALID_REQUEST_CONTENT,
    MISSING_API_VERSION,
    MISSING_API_VERSION_MESSAGE,
    arm_error,
)
from azshell.planes.arm._auth import authenticate
from azshell.planes.arm._context import ArmContext, model_error
from azshell.planes.arm._routes import (
    INVALID_SUBSCRIPTION_ID,
    INVALID_SUBSCRIPTION_ID_TEMPLATE,
    NO_ROUTE,
    no_route,
    parse_arm_path,
    request_uri,
)
from azshell.planes.base import PlaneError, Request, Response
from azshell.planes.jsonnet import with_position

if TYPE_CHECKING:
    from azshell.world import World

__all__ = ["handle"]

SUBSCRIPTION_NOT_FOUND = "SubscriptionNotFound"
SUBSCRIPTION_NOT_FOUND_TEMPLATE = "The subscription '{sub}' could not be found."
ROUTING_REGION = "WESTUS"
RATE_LIMIT_READS_HEADER = "x-ms-ratelimit-remaining-subscription-reads"
RATE_LIMIT_WRITES_HEADER = "x-ms-ratelimit-remaining-subscription-writes"

_SUBSCRIPTION_IN_PATH = re.compile(r"^/subscriptions/([^/]+)", re.IGNORECASE)


def _subscription_in(path: str) -> str | None:
    m = _SUBSCRIPTION_IN_PATH.match(path)
    return m.group(1) if m else None


def _check_subscription(world: World, sub: str) -> None:
    if not is_guid(sub):
        raise arm_error(400, INVALID_SUBSCRIPTION_ID, INVALID_SUBSCRIPTION_ID_TEMPLATE.format(sub=sub))
    if world.store.get_subscription(sub) is None:
        raise arm_error(404, SUBSCRIPTION_NOT_FOUND, SUBSCRIPTION_NOT_FOUND_TEMPLATE.format(sub=sub))


def _add_standard_headers(response: Response, method: str, now: float, rid: str) -> Response:
    stamp = datetime.fromtimestamp(now, tz=UTC).strftime("%Y%m%dT%H%M%SZ")
    for name, value in ARM_NO_CACHE_HEADERS.items():
        if response.headers.get(name) is None:
            response.headers.set(name, value)
    response.headers.set("x-ms-request-id", rid)
    response.headers.set("x-ms-correlation-request-id", rid)
    response.headers.set("x-ms-routing-request-id", f"{ROUTING_REGION}:{stamp}:{rid}")
    if method in ("GET", "HEAD"):
        response.headers.set(RATE_LIMIT_READS_HEADER, "11999")
    else:
        response.headers.set(RATE_LIMIT_WRITES_HEADER, "1199")
    return response


def _answer(request: Request, world: World) -> Response:
    sub = _subscription_in(request.path)
    caller = authenticate(request, world, sub if sub and is_guid(sub) else None)
    version = request.query_get("api-version")
    if not version:
        raise arm_error(400, MISSING_API_VERSION, MISSING_API_VERSION_MESSAGE)
    try:
        path = parse_arm_path(request.path, version, world.registry.catalog())
    except PlaneError as exc:
        if exc.code == NO_ROUTE:  # ARM quotes the whole request URI
            raise no_route(request_uri(request)) from None
        raise
    if path.subscription is not None:
        _check_subscription(world, path.subscription)
    ctx = ArmContext(request=request, world=world, caller=caller, path=path, api_version=version)
    try:
        handler = world.registry.arm_handler(path.kind)
        if handler is None:
            raise no_route(request_uri(request))
        response: Response = handler(ctx)
        return response
    except ModelError as exc:
        raise model_error(exc) from None


def handle(request: Request, world: World) -> Response:
    """Answer one ARM request; every failure is ARM's JSON error with its status and headers."""
    try:
        response = _answer(request, world)
    except PlaneError as exc:
        if exc.code == INVALID_REQUEST_CONTENT and request.body:
            exc.message = with_position(request.body, exc.message)
        response = exc.to_response()
    if request.method == "HEAD":
        response.body = b""
    return _add_standard_headers(response, request.method, world.clock.now(), world.ids.guid())
