"""Host-name routing: which plane answers a request, as Azure's DNS and network would decide.

The host table is built from the services in ``world.registry`` (each declares its planes and the hosts they
answer); a host no service answers fails like a name that does not resolve. ``Planes.register`` adds a plane
in front (tests).

``Planes.dispatch`` never lets an exception escape except ``HostUnreachableError`` (the caller's transport
turns it into a connection error): a ``PlaneError`` becomes its own response, anything else a logged 500
``InternalServerError``. The access decision the plane took (``request.decisions``, see
``azshell.auth.decision``) is put on the response it returns, whichever way it was made.

Before the plane, ``dispatch`` applies the faults stored in the state (``azshell.controls.faults``: an injected
429/5xx answer, or latency), so the REPL, the kernel and ``azshell serve`` all see them. After it, every answered
request that is not a dry run appends an ``http.request`` event to the events log (method, host, port, path,
query, status, the calling host's resource ID, for token requests the ``resource`` asked for, from the query or a
form body, the plane's access decision in brief, and the fault's id when a fault answered); the tutorial checks
and ``Get-AzShellEvent`` read it.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl

from azshell.hostnames import LOOPBACK_HOSTS
from azshell.planes._shared import arm_error
from azshell.planes.base import HostUnreachableError, PlaneError, Request, Response

if TYPE_CHECKING:
    from azshell.services.base import Registry
    from azshell.world import World

__all__ = ["EVENT_HTTP_REQUEST", "PlaneHandler", "PlaneRoute", "Planes", "no_such_host"]

EVENT_HTTP_REQUEST = "http.request"

log = logging.getLogger(__name__)

#: Windows PowerShell / .NET's text for a name that does not resolve: "No such host is known. (host:port)".
NO_SUCH_HOST_TEMPLATE = "No such host is known. ({host}:{port})"
#: .NET's text for a loopback port nobody listens on.
CONNECTION_REFUSED_TEMPLATE = (
    "No connection could be made because the target machine actively refused it. ({host}:{port})"
)
INTERNAL_SERVER_ERROR = "InternalServerError"
INTERNAL_SERVER_ERROR_MESSAGE = (
    "Encountered internal server error. The request could not be completed; the error has been logged."
)

PlaneHandler = Callable[[Request, "World"], Response]
HostPredicate = Callable[[str, int | None], bool]


@dataclass(frozen=True)
class PlaneRoute:
    """One entry of the host table: requests whose (host, port) satisfy ``matches`` go to ``handler``."""

    name: str
    matches: HostPredicate
    handler: PlaneHandler


def _lazy(ref: str) -> PlaneHandler:
    """The handler ``module:function`` names, imported on first use (planes a session never calls cost
    nothing at start-up)."""
    loaded: list[PlaneHandler] = []

    def handler(request: Request, world: World) -> Response:
        if not loaded:
            import importlib

            module, _, attr = ref.partition(":")
            loaded.append(getattr(importlib.import_module(module), attr or "handle"))
        return loaded[0](request, world)

    return handler


def routes_of(registry: Registry) -> list[PlaneRoute]:
    """The host table the registry's services declare, in registry order."""
    return [PlaneRoute(p.name, p.matches, _lazy(p.handler)) for p in registry.plane_routes()]


def _default_port(request: Request) -> int:
    if request.port is not None:
        return request.port
    return 443 if request.scheme == "https" else 80


def no_such_host(request: Request) -> HostUnreachableError:
    """The error a client sees for a host no plane answers (an unknown name, or a closed loopback port)."""
    port = _default_port(request)
    template = CONNECTION_REFUSED_TEMPLATE if request.host in LOOPBACK_HOSTS else NO_SUCH_HOST_TEMPLATE
    return HostUnreachableError(request.host, port, template.format(host=request.host, port=port))


class Planes:
    """Dispatches plane requests by host name over one ``World``.

    Arguments:
        world: the state every plane reads and writes; its registry's services give the host table.
        routes: a host table to use instead (tests); ``register`` adds more in front.
    """

    def __init__(self, world: World, routes: tuple[PlaneRoute, ...] | list[PlaneRoute] | None = None) -> None:
        self.world = world
        self.routes: list[PlaneRoute] = list(routes) if routes is not None else routes_of(world.registry)

    def register(self, name: str, matches: HostPredicate, handler: PlaneHandler) -> None:
        """Add a plane; it takes precedence over the routes already registered."""
        self.routes.insert(0, PlaneRoute(name, matches, handler))

    def route_for(self, request: Request) -> PlaneRoute | None:
        """The route that answers this request's host, or None."""
        for route in self.routes:
            if route.matches(request.host, request.port):
                return route
        return None

    def dispatch(self, request: Request) -> Response:
        """Answer ``request``; raises ``HostUnreachableError`` when no plane serves its host."""
        route = self.route_for(request)
        if route is None:
            raise no_such_host(request)
        with self.world.store.one_generation():  # one look at the file per request, not one per cache
            try:
                from azshell.controls.faults import inject

                faulted = inject(self.world, route.name, request)
            except Exception:  # noqa: BLE001 - a damaged fault list must not stop the planes
                log.exception("fault injection failed on %s %s", request.method, request.raw_path)
                faulted = None
            response = faulted if faulted is not None else self._answer(route, request)
            if not request.dry_run:
                _record(self.world, request, response, faulted=faulted is not None)
        return response

    def _answer(self, route: PlaneRoute, request: Request) -> Response:
        try:
            response = route.handler(request, self.world)
        except HostUnreachableError:
            raise
        except PlaneError as exc:
            response = exc.to_response()
        except Exception:  # noqa: BLE001 - the last line of defence: log and answer 500, never crash the caller
            log.exception("plane %s failed on %s %s://%s%s", route.name, request.method, request.scheme,
                          request.authority, request.raw_path)
            return arm_error(500, INTERNAL_SERVER_ERROR, INTERNAL_SERVER_ERROR_MESSAGE, gateway=False).to_response()
        if response.decision is None and request.decisions:
            from azshell.auth.decision import final_decision

            response.decision = final_decision(request.decisions)
        return response


def _record(world: World, request: Request, response: Response, *, faulted: bool) -> None:
    """Append the ``http.request`` event (never fails the request)."""
    try:
        resource = next((v for k, v in request.query if k.lower() == "resource"), "")
        if not resource and request.body and b"resource=" in request.body:
            form = parse_qsl(request.body.decode("latin-1", "replace"), keep_blank_values=True)
            resource = next((v for k, v in form if k.lower() == "resource"), "")
        query = "&".join(f"{k}={v}" for k, v in request.query)
        world.store.append_event(EVENT_HTTP_REQUEST, {
            "method": request.method, "host": request.host, "port": request.port, "path": request.path,
            "query": query[:2000], "status": response.status, "caller": request.caller.host_id,
            "resource": resource,
            **({"fault": True} if faulted else {}),
            **({"decision": response.decision.summary()} if response.decision is not None else {})})
    except Exception:  # noqa: BLE001 - the log is a convenience; the response matters
        pass
