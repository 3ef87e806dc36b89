"""``azshell serve``: the emulated Azure endpoints on one loopback port, for curl, the Azure SDKs and the az CLI.

One port is at once the token endpoints of the ``--vm``/``--app`` host (by path), an HTTP proxy for the plain
token endpoints (``http://169.254.169.254/...``) and a ``CONNECT`` proxy for the Azure HTTPS host names, whose
TLS it terminates with certificates from azshell's local CA::

    $ azshell serve --vm web01
    export HTTPS_PROXY=http://127.0.0.1:41235
    export NO_PROXY=127.0.0.1,localhost
    export AZURE_POD_IDENTITY_AUTHORITY_HOST=http://127.0.0.1:41235
    export REQUESTS_CA_BUNDLE=/home/me/.azshell/ca/ca.pem
    export NODE_EXTRA_CA_CERTS=/home/me/.azshell/ca/ca.pem
    export SSL_CERT_FILE=/home/me/.azshell/ca/ca.pem

Who reads what: Python's requests/azure-core ``REQUESTS_CA_BUNDLE``, OpenSSL-based clients (curl, httpx)
``SSL_CERT_FILE``, Node ``NODE_EXTRA_CA_CERTS`` (read once at start-up and added to its bundled roots; Node ignores
``SSL_CERT_FILE``). Python's Azure SDK and Node's (``@azure/core-rest-pipeline``) read ``HTTPS_PROXY``/``NO_PROXY``
themselves (plain ``node:https`` does not); their ``ManagedIdentityCredential`` sends its IMDS requests to
``AZURE_POD_IDENTITY_AUTHORITY_HOST``. ``SSL_CERT_FILE`` is always the last line.

Modules: ``app`` (the ASGI app over ``Planes.dispatch``), ``proxy`` (the listener protocol: CONNECT tunnels and
hand-over to uvicorn), ``ca`` (the local CA). This module wires them to uvicorn:

    with AzShellServer.start(dispatch, TokenEndpoints(host_id=vm_id), ca, tls_hosts=TlsHosts.of(world.registry)) as server:   # tests, benchmarks
        httpx.get(f"{server.url}/metadata/identity/oauth2/token?...", headers={"Metadata": "true"})

``serve(...)`` is what the CLI calls; it returns the exit code and never shows a traceback.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import shlex
import shutil
import socket
import ssl
import sys
import tempfile
import threading
import time
from collections.abc import Generator, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

import uvicorn

from azshell.errors import AzShellError
from azshell.hostnames import APP_SERVICE_HOST, APP_SERVICE_PORT
from azshell.server.app import APP_SERVICE_TOKEN_PATH, Dispatch, ServerApp, TokenEndpoints
from azshell.server.ca import CAError, LocalCA
from azshell.server.proxy import TlsHosts, TunnelPolicy, is_tls_host, protocol_class

if TYPE_CHECKING:
    from azshell.planes.router import Planes
    from azshell.portal import Portal
    from azshell.world import World

__all__ = [
    "AzShellServer",
    "HostChoice",
    "ServeError",
    "TokenEndpoints",
    "export_lines",
    "resolve_host",
    "serve",
]

log = logging.getLogger("azshell.server")

VM_TYPE = "Microsoft.Compute/virtualMachines"
WEB_SITE_TYPE = "Microsoft.Web/sites"
#: Seconds uvicorn waits for in-flight requests on shutdown before cancelling them.
GRACEFUL_SHUTDOWN_SECONDS = 5


class ServeError(AzShellError):
    """``azshell serve`` cannot start; the message is the one line the user sees."""


# --------------------------------------------------------------------------------------------------------------
# host resolution
# --------------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class HostChoice:
    """The host whose identities the token endpoints answer for.

    Arguments:
        resource_id: the VM's or app's ARM resource ID.
        kind: "vm" or "app".
        identity_header: the App Service ``X-IDENTITY-HEADER`` value (apps only; None until known).
    """

    resource_id: str
    kind: str
    identity_header: str | None = None


def resolve_host(world: World, *, vm: str | None = None, app: str | None = None) -> HostChoice | None:
    """Find the ``--vm``/``--app`` host in the state: by name, ``RG/NAME`` or full resource ID.

    Raises ``ServeError`` (one line, naming the resource groups) when nothing or more than one matches.
    """
    if vm is None and app is None:
        return None
    kind, name, rtype, noun = (
        ("vm", vm, VM_TYPE, "VM") if vm is not None else ("app", app, WEB_SITE_TYPE, "web or function app")
    )
    assert name is not None
    store = world.store
    wanted = name.strip().rstrip("/")
    if wanted.lower().startswith("/subscriptions/"):
        res = store.get_resource(wanted)
        matches = [res] if res is not None and res.type.lower() == rtype.lower() else []
    else:
        rg, _, short = wanted.rpartition("/")
        matches = [
            r for r in store.list_resources(type=rtype)
            if r.type.lower() == rtype.lower() and r.name.lower() == short.lower()
            and (not rg or r.resource_group.lower() == rg.lower())
        ]
    if not matches:
        raise ServeError(f"No {noun} named {name!r} in the state file {store.path}. Create it first "
                         f"(e.g. {'New-AzVM' if kind == 'vm' else 'New-AzWebApp'}) or check the name.")
    if len(matches) > 1:
        groups = ", ".join(sorted(f"{r.resource_group}/{r.name}" for r in matches))
        raise ServeError(f"{len(matches)} {noun}s are named {name!r} ({groups}); name one as "
                         f"RESOURCEGROUP/NAME or by its resource ID.")
    res = matches[0]
    header = _identity_header(world, res.id) if kind == "app" else None
    return HostChoice(resource_id=res.id, kind=kind, identity_header=header)


def _identity_header(world: World, resource_id: str) -> str | None:
    """The App Service ``IDENTITY_HEADER`` of an app (None when the app has no identity)."""
    from azshell.model.hosts import ensure_identity_header

    site = world.store.get_resource(resource_id)
    if site is None or site.identity is None or site.identity.type == "None":
        return None
    return ensure_identity_header(world.store, site.id, site.identity).header


def _app_service_endpoint() -> tuple[str, int]:
    """(host, port) the router serves the App Service identity endpoint under."""
    return APP_SERVICE_HOST, APP_SERVICE_PORT


# --------------------------------------------------------------------------------------------------------------
# the server
# --------------------------------------------------------------------------------------------------------------
class _UvicornServer(uvicorn.Server):
    """uvicorn's server, minus re-raising the captured signal after shutdown: SIGTERM/SIGINT end in exit 0."""

    @contextlib.contextmanager
    def capture_signals(self) -> Generator[None, None, None]:
        import signal

        if threading.current_thread() is not threading.main_thread():
            yield
            return
        signals = [signal.SIGINT, signal.SIGTERM]
        original = {sig: signal.signal(sig, self.handle_exit) for sig in signals}
        try:
            yield
        finally:
            for sig, handler in original.items():
                signal.signal(sig, handler)


def listen(bind: str, port: int) -> socket.socket:
    """A listening TCP socket on ``bind:port`` (``port`` 0 picks a free one); ``ServeError`` when it fails."""
    host = "127.0.0.1" if bind == "localhost" else bind.strip("[]")
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    # proto=IPPROTO_TCP matters: asyncio sets TCP_NODELAY only on sockets whose proto says TCP, and without it
    # every response (head and body are two writes) waits ~40 ms for the client's delayed ACK.
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    try:
        if os.name == "posix":
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(2048)
    except OSError as exc:
        sock.close()
        raise ServeError(f"cannot listen on {bind}:{port}: {exc.strerror or exc}.") from None
    sock.setblocking(False)
    return sock


class AzShellServer:
    """uvicorn over ``ServerApp`` with the CONNECT-aware listener, on an already bound socket.

    Arguments:
        dispatch: the plane dispatcher (``Planes(world).dispatch``).
        endpoints: the host the direct token paths answer for.
        ca: the local CA that issues the tunnels' certificates.
        sock: the listening socket (see ``listen``).
        tls_hosts: the Azure host names reachable over HTTPS (``TlsHosts.of(world.registry)``).
    """

    def __init__(self, dispatch: Dispatch, endpoints: TokenEndpoints, ca: LocalCA, sock: socket.socket, *,
                 tls_hosts: TlsHosts, portal: Dispatch | None = None) -> None:
        self.sock = sock
        self.tls_hosts = tls_hosts
        self.ca = ca
        name = sock.getsockname()
        self.host: str = name[0]
        self.port: int = name[1]
        self.endpoints = endpoints
        advertised = self.client_host
        self.app = ServerApp(dispatch, endpoints,
                             self_authorities=[f"{advertised}:{self.port}", f"localhost:{self.port}",
                                               f"{self.host}:{self.port}"], tls_hosts=tls_hosts,
                             portal=portal)
        policy = TunnelPolicy(tls_context=self._tls_context, tls_hosts=self.tls_hosts, extra_plain=self._extra_plain)
        config = uvicorn.Config(
            self.app,
            http=protocol_class(policy),
            ws="none",
            lifespan="off",
            loop="asyncio",
            log_config=None,
            access_log=False,
            server_header=False,
            date_header=False,  # the app sends one Date (the plane's own, else now), never two
            proxy_headers=False,
            timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        )
        self._server = _UvicornServer(config)
        self._thread: threading.Thread | None = None

    # -- addresses -----------------------------------------------------------------------------------------
    @property
    def client_host(self) -> str:
        """The address clients use: the bound one, or 127.0.0.1 for a wildcard bind."""
        if self.host in ("0.0.0.0", ""):
            return "127.0.0.1"
        if self.host == "::":
            return "[::1]"
        return f"[{self.host}]" if ":" in self.host else self.host

    @property
    def url(self) -> str:
        """``http://127.0.0.1:PORT``: the proxy URL and the token endpoints' base."""
        return f"http://{self.client_host}:{self.port}"

    # -- TLS -----------------------------------------------------------------------------------------------
    def _tls_context(self, host: str) -> ssl.SSLContext:
        return self.ca.server_context(host, sni=self._sni)

    def _sni(self, name: str) -> ssl.SSLContext | None:
        return self.ca.server_context(name, sni=self._sni) if is_tls_host(name, 443, self.tls_hosts) else None

    def _extra_plain(self, host: str, port: int) -> bool:
        return self.endpoints.app_service is not None and (host, port) == self.endpoints.app_service

    # -- running -------------------------------------------------------------------------------------------
    def run(self) -> None:
        """Serve until SIGINT/SIGTERM (main thread) or ``stop()``; returns after a graceful shutdown."""
        try:
            asyncio.run(self._server.serve(sockets=[self.sock]))
        finally:
            self.app.close()

    def stop(self) -> None:
        """Ask the server to shut down (from any thread) and wait for a background thread to finish."""
        self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=GRACEFUL_SHUTDOWN_SECONDS + 5)
            self._thread = None

    @property
    def started(self) -> bool:
        return bool(self._server.started)

    @classmethod
    @contextlib.contextmanager
    def start(cls, dispatch: Dispatch, endpoints: TokenEndpoints, ca: LocalCA, *, tls_hosts: TlsHosts,
              bind: str = "127.0.0.1", port: int = 0, portal: Dispatch | None = None) -> Iterator[AzShellServer]:
        """Run a server in a background thread for the ``with`` block (tests and benchmarks)."""
        server = cls(dispatch, endpoints, ca, listen(bind, port), tls_hosts=tls_hosts, portal=portal)
        thread = threading.Thread(target=server.run, name=f"azshell-serve-{server.port}", daemon=True)
        server._thread = thread
        thread.start()
        deadline = time.monotonic() + 10
        while not server.started and thread.is_alive() and time.monotonic() < deadline:
            time.sleep(0.01)
        try:
            yield server
        finally:
            server.stop()
            server.sock.close()


# --------------------------------------------------------------------------------------------------------------
# the command
# --------------------------------------------------------------------------------------------------------------
def export_lines(server: AzShellServer, ca_path: str, host: HostChoice | None) -> list[str]:
    """The ``export NAME=value`` lines a client shell needs, in a stable order (``SSL_CERT_FILE`` last: readers of
    the output may stop at it)."""
    base = server.url
    no_proxy = ["127.0.0.1", "localhost"]
    bare = server.client_host.strip("[]")
    if bare not in no_proxy:
        no_proxy.append(bare)
    pairs = [
        ("HTTPS_PROXY", base),
        ("NO_PROXY", ",".join(no_proxy)),
        ("AZURE_POD_IDENTITY_AUTHORITY_HOST", base),
    ]
    if host is not None and host.kind == "app":
        pairs.append(("IDENTITY_ENDPOINT", f"{base}{APP_SERVICE_TOKEN_PATH}"))
        if host.identity_header is not None:
            pairs.append(("IDENTITY_HEADER", host.identity_header))
    pairs += [("REQUESTS_CA_BUNDLE", ca_path), ("NODE_EXTRA_CA_CERTS", ca_path), ("SSL_CERT_FILE", ca_path)]
    return [f"export {name}={shlex.quote(value)}" for name, value in pairs]


def ca_folder_for(state_path: str) -> str | None:
    """``<folder of the state file>/ca``; None for ``:memory:`` (the caller uses a temporary folder)."""
    if state_path == ":memory:":
        return None
    return os.path.join(os.path.dirname(os.path.abspath(state_path)), "ca")


class _OneLineFormatter(logging.Formatter):
    """``azshell serve: <message>``, with an exception as ``(Type: text)``: never a traceback on the console."""

    def format(self, record: logging.LogRecord) -> str:
        text = record.getMessage()
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            text = f"{text} ({type(exc).__name__}: {exc})"
        return f"azshell serve: {text}"


def serve(*, port: int = 0, bind: str = "127.0.0.1", vm: str | None = None, app: str | None = None,
          state: str | None = None, out: TextIO | None = None, err: TextIO | None = None,
          portal_first: bool = False) -> int:
    """Run ``azshell serve`` until SIGINT/SIGTERM; returns the exit code (0 after a clean stop, 1 on error).

    Arguments:
        port: TCP port (0 picks a free one; the export lines show the real one).
        bind: address to listen on (the CLI warns about anything but loopback).
        vm / app: the host the token endpoints answer for (name, ``RG/NAME`` or resource ID).
        state: the state file (default ``azshell.session.default_state_path()``).
        out / err: where the export lines / diagnostics go (default stdout / stderr).
        portal_first: print the portal's URL as the first line of ``out`` (``azshell portal``).
    """
    out = out or sys.stdout
    err = err or sys.stderr
    handler = logging.StreamHandler(err)
    handler.setFormatter(_OneLineFormatter())
    loggers = [(logging.getLogger("azshell"), logging.INFO), (logging.getLogger("uvicorn"), logging.WARNING)]
    saved = [(lg, lg.level, lg.propagate) for lg, _ in loggers]
    for lg, level in loggers:
        lg.addHandler(handler)
        lg.setLevel(level)
        lg.propagate = False
    try:
        return _serve(port=port, bind=bind, vm=vm, app=app, state=state, out=out, err=err,
                      portal_first=portal_first)
    except ServeError as exc:
        print(f"azshell serve: {exc}", file=err)
        return 1
    except AzShellError as exc:
        print(f"azshell serve: {exc}", file=err)
        return 1
    finally:
        for lg, level, propagate in saved:
            lg.removeHandler(handler)
            lg.setLevel(level)
            lg.propagate = propagate


def _make_portal(planes: Planes) -> Portal | None:
    """The portal over ``planes``, or None when this build lacks Jinja2 (the ``server`` extra)."""
    try:
        from azshell.portal import Portal
    except ImportError:
        return None
    return Portal(planes)


def _serve(*, port: int, bind: str, vm: str | None, app: str | None, state: str | None, out: TextIO,
           err: TextIO, portal_first: bool = False) -> int:
    from azshell.planes.router import Planes
    from azshell.services.registry import open_world
    from azshell.session import default_state_path

    path = state or default_state_path()
    world = open_world(path)
    temp_ca: str | None = None
    sock: socket.socket | None = None
    try:
        host = resolve_host(world, vm=vm, app=app)
        folder = ca_folder_for(path)
        if folder is None:
            temp_ca = tempfile.mkdtemp(prefix="azshell-ca-")
            folder = temp_ca
        try:
            ca = LocalCA.load_or_create(folder)
        except CAError as exc:
            raise ServeError(str(exc)) from None
        sock = listen(bind, port)
        endpoints = TokenEndpoints(host_id=host.resource_id if host else None, app_service=_app_service_endpoint())
        planes = Planes(world)
        portal = _make_portal(planes)
        server = AzShellServer(planes.dispatch, endpoints, ca, sock, tls_hosts=TlsHosts.of(world.registry),
                               portal=portal)
        if portal_first and portal is not None:
            print(f"{server.url}/", file=out)
        for line in export_lines(server, ca.cert_path, host):
            print(line, file=out)
        out.flush()
        who = f"as {host.kind} {host.resource_id}" if host else "with no host (token endpoints answer 403)"
        if host is not None and host.kind == "app" and host.identity_header is None:
            print("azshell serve: note: the App Service identity endpoint is not emulated yet; IDENTITY_HEADER "
                  "is not set.", file=err)
        print(f"azshell serve: listening on {server.url} {who}; state {path}; Ctrl+C to stop", file=err)
        if portal is not None:
            print(f"azshell serve: the Azure portal is at {server.url}/ (signed in as the tenant's admin)",
                  file=err)
        elif portal_first:
            print("azshell serve: the portal is not available in this build (jinja2 missing?)", file=err)
        err.flush()
        from azshell.controls.served import forget_served_url, record_served_url

        if portal is not None:  # the walkthroughs in a REPL or kernel on this state show live portal links
            record_served_url(world.store, server.url)
        try:
            server.run()
        finally:
            forget_served_url(world.store, server.url)
        print("azshell serve: stopped", file=err)
        return 0
    finally:
        if sock is not None:
            sock.close()
        world.close()
        if temp_ca is not None:
            shutil.rmtree(temp_ca, ignore_errors=True)
