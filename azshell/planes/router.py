"""Host-name routing: which plane answers a request, as Azure's DNS and network would decide.

``PLANE_ROUTES`` is the registry, as data: (name, host predicate, handler). A later plane adds itself with
``Planes.register`` or by appending to a copy of the list. Reserved for later issues (not routed yet, so they
fail like an unknown name): ``{vault}.vault.azure.net`` (Key Vault), ``{store}.azuredatalakestore.net``
(Data Lake Store Gen1) and the App Service identity endpoint.

``Planes.dispatch`` never lets an exception escape except ``HostUnreachableError`` (the caller's transport
turns it into a connection error): a ``PlaneError`` becomes its own response, anything else a logged 500
``InternalServerError``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from azshell.planes import arm, imds, login, msi_extension
from azshell.planes._shared import arm_error
from azshell.planes.base import HostUnreachableError, PlaneError, Request, Response

if TYPE_CHECKING:
    from azshell.world import World

__all__ = [
    "ARM_HOST",
    "IMDS_HOST",
    "LOGIN_HOST",
    "MSI_EXTENSION_PORT",
    "PLANE_ROUTES",
    "PlaneHandler",
    "PlaneRoute",
    "Planes",
    "no_such_host",
]

log = logging.getLogger(__name__)

ARM_HOST = "management.azure.com"
LOGIN_HOST = "login.microsoftonline.com"
GRAPH_HOST = "graph.microsoft.com"
IMDS_HOST = "169.254.169.254"
#: where App Service puts IDENTITY_ENDPOINT (``http://localhost:4141/MSI/token``; see planes/appservice.py)
APP_SERVICE_HOST = "localhost"
APP_SERVICE_PORT = 4141
KEY_VAULT_HOST_SUFFIX = ".vault.azure.net"
DATA_LAKE_HOST_SUFFIX = ".azuredatalakestore.net"
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
MSI_EXTENSION_PORT = 50342

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
    """One entry of the host registry: requests whose (host, port) satisfy ``matches`` go to ``handler``."""

    name: str
    matches: HostPredicate
    handler: PlaneHandler


def _is_host(name: str) -> HostPredicate:
    return lambda host, port: host == name


def _is_msi_extension(host: str, port: int | None) -> bool:
    """A loopback port that the 2017 MSI extension may listen on: its settings choose the port (50342 by
    default), so every loopback port but the web ports and App Service's goes to the extension plane, which
    refuses the connection unless the VM in context has the extension on exactly that port."""
    return host in LOOPBACK_HOSTS and port not in (None, 80, 443, APP_SERVICE_PORT)


def _host_suffix(suffix: str) -> HostPredicate:
    return lambda host, port: host.endswith(suffix) and len(host) > len(suffix)


def _lazy(module: str) -> PlaneHandler:
    """A handler imported on first use, so planes that a session never calls cost nothing at start-up."""

    def handler(request: Request, world: World) -> Response:
        import importlib

        try:
            mod = importlib.import_module(f"azshell.planes.{module}")
        except ModuleNotFoundError:  # a plane not built yet answers like a name that does not resolve
            raise no_such_host(request) from None
        result: Response = mod.handle(request, world)
        return result

    return handler


def _is_app_service_endpoint(host: str, port: int | None) -> bool:
    from azshell.planes.appservice import is_identity_endpoint

    return is_identity_endpoint(host, port)


PLANE_ROUTES: tuple[PlaneRoute, ...] = (
    PlaneRoute("arm", _is_host(ARM_HOST), arm.handle),
    PlaneRoute("login", _is_host(LOGIN_HOST), login.handle),
    PlaneRoute("imds", _is_host(IMDS_HOST), imds.handle),
    PlaneRoute("msi_extension", _is_msi_extension, msi_extension.handle),
    PlaneRoute("keyvault", _host_suffix(KEY_VAULT_HOST_SUFFIX), _lazy("keyvault")),
    PlaneRoute("datalake", _host_suffix(DATA_LAKE_HOST_SUFFIX), _lazy("datalake")),
    PlaneRoute("appservice", _is_app_service_endpoint, _lazy("appservice")),
    PlaneRoute("graph", _is_host(GRAPH_HOST), _lazy("graph")),
)


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
        world: the state every plane reads and writes.
        routes: the host registry (default ``PLANE_ROUTES``); ``register`` adds more in front.
    """

    def __init__(self, world: World, routes: tuple[PlaneRoute, ...] | list[PlaneRoute] = PLANE_ROUTES) -> None:
        self.world = world
        self.routes: list[PlaneRoute] = list(routes)

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
        try:
            return route.handler(request, self.world)
        except HostUnreachableError:
            raise
        except PlaneError as exc:
            return exc.to_response()
        except Exception:  # noqa: BLE001 - the last line of defence: log and answer 500, never crash the caller
            log.exception("plane %s failed on %s %s://%s%s", route.name, request.method, request.scheme,
                          request.authority, request.raw_path)
            return arm_error(500, INTERNAL_SERVER_ERROR, INTERNAL_SERVER_ERROR_MESSAGE, gateway=False).to_response()
