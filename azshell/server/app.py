"""The ASGI app of ``azshell serve``: real HTTP requests in, ``Planes.dispatch`` out.

Every request reaching the app is one of three kinds, told apart by the listener (``proxy.py``) and the target::

    tunnelled    scope["state"][TUNNEL_STATE_KEY] = "management.azure.com:443"  (from a CONNECT tunnel)
                 -> the emulated host the client tunnelled to, scheme https (or http for a plain tunnel)
    proxied      absolute URI "GET http://169.254.169.254/metadata/identity/oauth2/token?..." (curl -x)
                 -> that host, if it is an emulated plain-HTTP endpoint; otherwise 403
    direct       "GET /metadata/identity/oauth2/token?..." to 127.0.0.1:PORT
                 -> rewritten to the token endpoint it stands for:
                    /metadata/...   -> http://169.254.169.254/metadata/...   (AZURE_POD_IDENTITY_AUTHORITY_HOST)
                    /oauth2/token   -> http://localhost:50342/oauth2/token  (the 2017 MSI VM extension)
                    /MSI/token      -> the App Service identity endpoint    (IDENTITY_ENDPOINT)
                    anything else   -> the portal (``azshell.portal``), when the server has one; else 404

Each becomes an ``azshell.planes.base.Request`` with ``CallerContext(host_id=<--vm/--app resource ID>,
remote_addr=<client IP>)`` and is answered by the synchronous ``dispatch`` in a worker thread (a small
``ThreadPoolExecutor`` owned by the app), so a slow plane
never blocks the event loop. ``dispatch`` reads the state file afresh on every call, so a REPL or kernel sharing
the file sees the same tenant.

Each refused or failed request is logged (``azshell.server`` at INFO); every request at DEBUG.

Errors never escape as tracebacks: a ``PlaneError`` becomes its own response, ``HostUnreachableError`` a 403
that says the host is unreachable (azure-identity reads "unreachable" in a 403 as "no managed identity here",
without retries), anything else is logged in one line and answered with a 500 in Azure's error shape.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from concurrent.futures import Executor, ThreadPoolExecutor
from dataclasses import dataclass
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from azshell.errors import AzShellError
from azshell.hostnames import IMDS_HOST, MSI_EXTENSION_PORT
from azshell.planes.base import CallerContext, Headers, HostUnreachableError, PlaneError, Request, Response
from azshell.server.proxy import (
    TUNNEL_STATE_KEY,
    TlsHosts,
    is_plain_host,
    is_tls_host,
    parse_authority,
)

__all__ = [
    "APP_SERVICE_TOKEN_PATH",
    "IMDS_TOKEN_PATH",
    "MAX_BODY",
    "MSI_EXTENSION_TOKEN_PATH",
    "PORTAL_HOST",
    "Dispatch",
    "ServerApp",
    "TokenEndpoints",
]

log = logging.getLogger("azshell.server")

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
Dispatch = Callable[[Request], Response]

IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token"
MSI_EXTENSION_TOKEN_PATH = "/oauth2/token"
APP_SERVICE_TOKEN_PATH = "/MSI/token"
#: The host name a direct request for a portal page carries inside the server (never a real host).
PORTAL_HOST = "azshell.portal"

#: Worker threads running the (synchronous) planes. The state file is one SQLite connection behind a lock, so
#: more threads add no throughput; a few keep a slow request (a REPL holding a write lock) from stalling others.
DISPATCH_THREADS = 8

#: Request bodies larger than this are refused with 413 (the planes take JSON documents and small files).
MAX_BODY = 64 * 1024 * 1024

#: Request headers a proxy consumes and never forwards (RFC 9110 §7.6.1 plus the de-facto Proxy-Connection).
HOP_BY_HOP = frozenset({
    "connection", "keep-alive", "proxy-connection", "proxy-authorization", "proxy-authenticate", "te",
    "trailer", "transfer-encoding", "upgrade",
})
#: Response headers the server computes itself.
_RESPONSE_SKIP = HOP_BY_HOP | {"content-length"}

NO_HOST_MESSAGE = (
    "azshell serve was started without --vm or --app, so its token endpoints answer for no host. Restart it "
    "with --vm NAME (a VM) or --app NAME (a web or function app)."
)
APP_SERVICE_MISSING_MESSAGE = (
    "The App Service identity endpoint is not emulated by this build of azshell yet."
)


@dataclass(frozen=True)
class TokenEndpoints:
    """Where the direct token paths are sent, and as which host.

    Arguments:
        host_id: ARM resource ID of the ``--vm``/``--app`` host, or None when serve was started without one.
        app_service: (host, port) the router serves the App Service identity endpoint under, or None while
            that plane does not exist.
    """

    host_id: str | None = None
    app_service: tuple[str, int] | None = None


class _Refusal(Exception):
    """A request the server answers itself (not a plane): 403 for a foreign host, 404 for an unknown path."""

    def __init__(self, response: Response) -> None:
        super().__init__(response.status)
        self.response = response


def _error(status: int, code: str, message: str) -> Response:
    return Response.json(status, {"error": {"code": code, "message": message}})


def _token_error(status: int, error: str, description: str) -> Response:
    """The OAuth-style error shape the token endpoints use (what MSAL and azure-identity parse)."""
    return Response.json(status, {"error": error, "error_description": description})


class ServerApp:
    """ASGI 3 application answering every request through ``dispatch``.

    Arguments:
        dispatch: ``Planes(world).dispatch`` or any ``(Request) -> Response``; runs in a worker thread.
        endpoints: the host the direct token paths answer for.
        tls_hosts: the Azure host names reachable over HTTPS (``TlsHosts.of(world.registry)``).
        self_authorities: ``host:port`` strings that name this server itself (an absolute URI to one of them
            is served like a direct request).

    Usage::

        app = ServerApp(Planes(world).dispatch, TokenEndpoints(host_id=vm.id), tls_hosts=TlsHosts.of(world.registry))
        uvicorn.Config(app, http=protocol_class(policy), ...)
    """

    def __init__(self, dispatch: Dispatch, endpoints: TokenEndpoints,
                 self_authorities: Iterable[str] = (), executor: Executor | None = None, *,
                 tls_hosts: TlsHosts, portal: Dispatch | None = None) -> None:
        self.dispatch = dispatch
        #: the portal (``azshell.portal.Portal``): answers direct requests for every other path
        self.portal = portal
        self.tls_hosts = tls_hosts
        self.endpoints = endpoints
        self.self_authorities = {a.lower() for a in self_authorities}
        self.executor: Executor = executor or ThreadPoolExecutor(max_workers=DISPATCH_THREADS,
                                                                 thread_name_prefix="azshell-dispatch")

    def close(self) -> None:
        """Stop the dispatch threads (after the server has stopped accepting requests)."""
        self.executor.shutdown(wait=True)

    # ------------------------------------------------------------------------------------------ ASGI
    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":  # pragma: no cover - websockets are switched off in the uvicorn config
            return
        started = time.perf_counter()
        body, too_large = await self._read_body(receive)
        refused = True
        if too_large:
            response = _error(413, "RequestEntityTooLarge", f"The request body exceeds {MAX_BODY} bytes.")
            url = scope.get("path", "")
        else:
            try:
                request = self.to_request(scope, body)
            except _Refusal as refusal:
                response = refusal.response
                url = scope.get("path", "")
            else:
                url = f"{request.scheme}://{request.authority}{request.raw_path}"
                refused = False
                loop = asyncio.get_running_loop()
                response = await loop.run_in_executor(self.executor, self.answer, request)
        await self._send(send, response)
        # Refusals and failures are worth a console line; every request is too costly to log by default
        # (a third of the throughput): it is there at DEBUG.
        level = logging.INFO if refused or response.status >= 500 else logging.DEBUG
        if log.isEnabledFor(level):
            log.log(level, "%s %s -> %d (%.1f ms)", scope.get("method", "?"), url, response.status,
                    (time.perf_counter() - started) * 1000)

    async def _lifespan(self, receive: Receive, send: Send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                await send({"type": "lifespan.shutdown.complete"})
                return

    @staticmethod
    async def _read_body(receive: Receive) -> tuple[bytes, bool]:
        chunks: list[bytes] = []
        size = 0
        too_large = False
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                break
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > MAX_BODY:
                too_large = True
                chunks.clear()
            elif not too_large:
                chunks.append(chunk)
            if not message.get("more_body", False):
                break
        return b"".join(chunks), too_large

    @staticmethod
    async def _send(send: Send, response: Response) -> None:
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1", "replace"))
            for k, v in response.headers.items()
            if k.lower() not in _RESPONSE_SKIP
        ]
        if not any(name == b"date" for name, _ in headers):  # one Date: the plane's, else now (uvicorn adds none)
            headers.append((b"date", formatdate(usegmt=True).encode("ascii")))
        # a HEAD answer keeps the length of what GET would send (a blob's size), declared by the plane
        declared = response.headers.get("Content-Length") if not response.body else None
        headers.append((b"content-length", (declared or str(len(response.body))).encode("ascii")))
        await send({"type": "http.response.start", "status": response.status, "headers": headers})
        await send({"type": "http.response.body", "body": response.body})

    # ------------------------------------------------------------------------------------------ answering
    def answer(self, request: Request) -> Response:
        """Run the plane for ``request`` (synchronously), turning every failure into an HTTP response."""
        try:
            if request.host == PORTAL_HOST and self.portal is not None:
                return self.portal(request)
            return self.dispatch(request)
        except PlaneError as exc:
            return exc.to_response()
        except HostUnreachableError as exc:
            return self._unreachable(request, exc)
        except AzShellError as exc:  # e.g. the state file went away: the client gets a 503, the console a line
            log.error("%s %s://%s%s failed: %s", request.method, request.scheme, request.authority,
                      request.raw_path, exc)
            return _error(503, "ServiceUnavailable", f"azshell could not answer: {exc}")
        except Exception as exc:  # noqa: BLE001 - the server must keep serving whatever a plane does
            log.error("%s %s://%s%s failed: %s: %s", request.method, request.scheme, request.authority,
                      request.raw_path, type(exc).__name__, exc)
            log.debug("traceback", exc_info=True)
            return _error(500, "InternalServerError", "Encountered internal server error.")

    def _unreachable(self, request: Request, exc: HostUnreachableError) -> Response:
        text = f"{request.authority} is unreachable: {exc.message}"
        if exc.hint:
            text = f"{text}. {exc.hint}"
        if self._is_token_host(request):
            return _token_error(403, "unreachable", text)
        return _error(403, "HostUnreachable", text)

    def _is_token_host(self, request: Request) -> bool:
        port = request.port if request.port is not None else (443 if request.scheme == "https" else 80)
        return is_plain_host(request.host, port, extra=self._is_app_service)

    def _is_app_service(self, host: str, port: int) -> bool:
        return self.endpoints.app_service is not None and (host, port) == self.endpoints.app_service

    # ------------------------------------------------------------------------------------------ routing
    def to_request(self, scope: Scope, body: bytes) -> Request:
        """The emulated request for an ASGI ``scope``; raises ``_Refusal`` for what the server answers itself."""
        headers = [
            (k.decode("latin-1"), v.decode("latin-1"))
            for k, v in scope.get("headers", [])
            if k.decode("latin-1").lower() not in HOP_BY_HOP
        ]
        client = scope.get("client")
        caller = CallerContext(host_id=self.endpoints.host_id, remote_addr=client[0] if client else None)
        raw_target = bytes(scope.get("raw_path") or scope.get("path", "/").encode("utf-8")).decode("latin-1")
        query = bytes(scope.get("query_string", b"")).decode("latin-1")
        method = str(scope.get("method", "GET")).upper()
        state = scope.get("state") or {}
        tunnel = state.get(TUNNEL_STATE_KEY)
        if isinstance(tunnel, str):
            return self._tunnelled(tunnel, scope, method, raw_target, query, headers, body, caller)
        lowered = raw_target[:8].lower()
        if lowered.startswith("http://") or lowered.startswith("https://"):
            return self._proxied(method, raw_target, query, headers, body, caller)
        return self._direct(method, raw_target, query, headers, body, caller)

    def _tunnelled(self, tunnel: str, scope: Scope, method: str, raw_path: str, query: str,
                   headers: list[tuple[str, str]], body: bytes, caller: CallerContext) -> Request:
        scheme = str(scope.get("scheme", "https"))
        target = parse_authority(tunnel, 443)
        assert target is not None
        host, port = target
        host_header = Headers(headers).get("Host")
        if host_header is not None:
            named = parse_authority(host_header, port)
            if named is None or named[0].rstrip(".") != host.rstrip("."):
                raise _Refusal(_error(421, "MisdirectedRequest",
                                      f"This tunnel leads to {host}; the Host header names {host_header!r}."))
        if not raw_path.startswith("/"):
            raise _Refusal(_error(400, "BadRequest", "Requests inside a tunnel use origin-form targets."))
        return self._build(method, scheme, host, port, raw_path, query, headers, body, caller)

    def _proxied(self, method: str, url: str, query: str, headers: list[tuple[str, str]], body: bytes,
                 caller: CallerContext) -> Request:
        try:
            parts = urlsplit(url)
            scheme = parts.scheme.lower()
            default = 443 if scheme == "https" else 80
            target = parse_authority(parts.netloc.rpartition("@")[2], default)
        except ValueError:
            target = None
        if target is None:
            raise _Refusal(_error(400, "BadRequest", "The request URI has no usable host."))
        host, port = target
        raw_path = parts.path or "/"
        if f"{host}:{port}" in self.self_authorities:
            return self._direct(method, raw_path, query, headers, body, caller)
        allowed = (
            is_plain_host(host, port, extra=self._is_app_service)
            if scheme == "http"
            else is_tls_host(host, port, self.tls_hosts)
        )
        if not allowed:
            raise _Refusal(_error(403, "Forbidden",
                                  f"azshell serve: {host}:{port} is not an emulated Azure host reachable over "
                                  f"{scheme}; nothing leaves this machine."))
        return self._build(method, scheme, host, port, raw_path, query, headers, body, caller)

    def _direct(self, method: str, raw_path: str, query: str, headers: list[tuple[str, str]], body: bytes,
                caller: CallerContext) -> Request:
        path = unquote(raw_path)
        lowered = path.lower()
        target: tuple[str, int]
        if lowered.startswith("/metadata/"):
            target = (IMDS_HOST, 80)
        elif lowered.rstrip("/") == MSI_EXTENSION_TOKEN_PATH:
            target = ("localhost", MSI_EXTENSION_PORT)
        elif lowered.startswith("/msi/"):
            if self.endpoints.app_service is None:
                raise _Refusal(_token_error(404, "not_found", APP_SERVICE_MISSING_MESSAGE))
            target = self.endpoints.app_service
        elif self.portal is not None:  # every other direct path is a portal page (it checks the Host it was sent)
            sent_host = Headers(headers).get("Host") or ""
            request = self._build(method, "http", PORTAL_HOST, 80, raw_path, query, headers, body, caller)
            request.headers.set("Host", sent_host)
            return request
        else:
            raise _Refusal(_error(404, "NotFound",
                                  f"azshell serve answers {IMDS_TOKEN_PATH}, {MSI_EXTENSION_TOKEN_PATH} and "
                                  f"{APP_SERVICE_TOKEN_PATH} directly; for other Azure endpoints use it as a "
                                  "proxy (HTTPS_PROXY)."))
        if caller.host_id is None:
            raise _Refusal(_token_error(403, "unreachable", NO_HOST_MESSAGE))
        return self._build(method, "http", target[0], target[1], raw_path, query, headers, body, caller)

    @staticmethod
    def _build(method: str, scheme: str, host: str, port: int, raw_path: str, query: str,
               headers: list[tuple[str, str]], body: bytes, caller: CallerContext) -> Request:
        default = 443 if scheme == "https" else 80
        host = host.rstrip(".")
        out = Headers(headers)
        authority = host if port == default else f"{host}:{port}"
        out.set("Host", authority)
        return Request(
            method=method,
            scheme=scheme,
            host=host,
            port=None if port == default else port,
            path=unquote(raw_path),
            raw_path=raw_path,
            query=parse_qsl(query, keep_blank_values=True),
            headers=out,
            body=body,
            caller=caller,
        )
