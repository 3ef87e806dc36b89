"""In-process HTTP: an httpx transport that hands requests to the planes, with no sockets.

Cmdlets call Azure the way Az PowerShell does, over HTTP with a bearer token; this module makes that HTTP stay
inside the process::

    client = make_client(world, lambda: CallerContext(host_id=session.current_host))
    r = client.get("https://management.azure.com/subscriptions?api-version=2022-12-01",
                   headers={"Authorization": f"Bearer {token}"})

``caller_provider`` is asked on every request who is calling (which emulated host the session stands on), so
the same client answers ``169.254.169.254`` for whichever VM the session entered last.

Errors::

    httpx.ConnectError
     +-- PlaneConnectError     no plane answers the host; carries ``host``, ``port``, ``hint``

Redirects are not followed (``follow_redirects=False``): callers decide, as Invoke-WebRequest does.

Every answered request appends (in ``Planes.dispatch``) an ``http.request`` event to the store's events log (method, host, port, path,
query, status, the calling host's resource ID, for token requests the ``resource`` asked for, from the query
or a form body, and the plane's access decision in brief); the tutorial checks read it ("a GET of the resource
group returned 200 on the VM").

The plane's access decision (``azshell.auth.decision.AccessDecision``) rides on the answer as
``response.extensions["azshell.decision"]``. A request whose ``extensions`` hold ``"azshell.dry_run":
{"subject": oid | None}`` is a dry run (``Test-AzAccess -Uri``): the plane answers it with the same code, inside a
store transaction that is always rolled back, so nothing it writes is kept and no event is logged; with a
``subject`` the plane decides for that principal instead of the token's (in-process only: the real server never
sets it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING
from urllib.parse import parse_qsl, unquote

import httpx

from azshell.auth.decision import DECISION_EXTENSION, DRY_RUN_EXTENSION
from azshell.planes.base import CallerContext, Headers, HostUnreachableError, Request, Response
from azshell.planes.router import EVENT_HTTP_REQUEST as ROUTER_EVENT_HTTP_REQUEST
from azshell.planes.router import Planes

if TYPE_CHECKING:
    from azshell.world import World

__all__ = ["PlaneConnectError", "PlanesTransport", "from_httpx_request", "make_client", "to_httpx_response"]

CallerProvider = Callable[[], CallerContext]


class PlaneConnectError(httpx.ConnectError):
    """The host did not answer (unknown name, closed port, off-host token endpoint).

    ``str(exc)`` is the .NET-style message ("No such host is known. (host:port)"); ``hint`` is azshell's
    teaching note (e.g. "You are not on a VM: use Enter-AzVM"), or None.
    """

    def __init__(self, message: str, *, request: httpx.Request, host: str, port: int | None,
                 hint: str | None) -> None:
        super().__init__(message, request=request)
        self.host = host
        self.port = port
        self.hint = hint


def from_httpx_request(request: httpx.Request, caller: CallerContext) -> Request:
    """Convert an httpx request (body already read) into a plane ``Request``."""
    url = request.url
    raw_path = url.raw_path.decode("ascii", "replace").split("?", 1)[0] or "/"
    query = url.query.decode("ascii", "replace")
    headers = Headers([(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw])
    return Request(
        method=request.method.upper(),
        scheme=url.scheme,
        host=(url.host or "").lower(),
        port=url.port,
        path=unquote(raw_path),
        raw_path=raw_path,
        query=parse_qsl(query, keep_blank_values=True),
        headers=headers,
        body=request.content,
        caller=caller,
    )


def to_httpx_response(response: Response, request: httpx.Request) -> httpx.Response:
    """Convert a plane ``Response`` into an httpx response bound to ``request`` (with its access decision in
    ``extensions["azshell.decision"]`` when the plane took one)."""
    extensions = {DECISION_EXTENSION: response.decision} if response.decision is not None else None
    return httpx.Response(
        status_code=response.status,
        headers=response.headers.items(),
        content=response.body,
        request=request,
        extensions=extensions,
    )


class PlanesTransport(httpx.BaseTransport):
    """An httpx transport that answers every request from the planes, in-process.

    Arguments:
        planes: the host router over one ``World``.
        caller_provider: called once per request for the ``CallerContext`` (which host the caller is on).
    """

    def __init__(self, planes: Planes, caller_provider: CallerProvider | None = None) -> None:
        self.planes = planes
        self.caller_provider: CallerProvider = caller_provider or CallerContext

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        request.read()
        plane_request = from_httpx_request(request, self.caller_provider())
        dry = request.extensions.get(DRY_RUN_EXTENSION)
        try:
            if isinstance(dry, dict):
                plane_request.dry_run = True
                subject = dry.get("subject")
                plane_request.dry_run_subject = str(subject) if subject else None
                # what a plane makes on first use must not be made inside the rolled-back transaction (it would
                # be forgotten while still held in memory): the tenant's signing keys
                self.planes.world.tokens.key_ring().refresh()
                with self.planes.world.store.rolled_back():
                    response = self.planes.dispatch(plane_request)
            else:
                response = self.planes.dispatch(plane_request)
        except HostUnreachableError as exc:
            raise PlaneConnectError(exc.message, request=request, host=exc.host, port=exc.port,
                                    hint=exc.hint) from exc
        return to_httpx_response(response, request)


#: re-exported: ``Planes.dispatch`` appends the event now, for in-process and served requests alike
EVENT_HTTP_REQUEST = ROUTER_EVENT_HTTP_REQUEST


def make_client(world: World, caller_provider: CallerProvider | None = None, *,
                planes: Planes | None = None) -> httpx.Client:
    """An ``httpx.Client`` whose requests are answered in-process by the planes over ``world``.

    Redirects are not followed and the environment (proxies, ``.netrc``) is ignored.
    """
    transport = PlanesTransport(planes or Planes(world), caller_provider)
    return httpx.Client(transport=transport, follow_redirects=False, trust_env=False)
