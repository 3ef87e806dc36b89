"""The listener side of ``azshell serve``: one port that is a plain HTTP server, an HTTP proxy and a CONNECT proxy.

uvicorn serves HTTP/1.1 but has no ``CONNECT``. ``ProxyProtocol`` is the protocol class uvicorn is told to use
(``uvicorn.Config(http=...)``); it looks at the first bytes of each connection and::

    CONNECT host:443     -> "HTTP/1.1 200 Connection established", TLS server handshake with a certificate for
                            that host from the local CA (chosen by SNI), then uvicorn's own H11Protocol serves the
                            requests inside the tunnel (keep-alive, chunked and Content-Length bodies)
    CONNECT host:80      -> for the plain-HTTP Azure hosts (169.254.169.254, localhost:50342): the same, no TLS
    CONNECT other        -> "HTTP/1.1 403 Forbidden" and close; nothing ever leaves the machine
    anything else        -> handed to uvicorn's H11Protocol unchanged (origin-form and absolute-URI requests)

This is the pattern uvicorn itself uses to hand a connection to its WebSocket protocol
(``connection_made`` + ``data_received`` + ``transport.set_protocol``). Requests from inside a tunnel reach the
ASGI app with ``scope["state"][TUNNEL_STATE_KEY]`` set to the tunnel's ``host:port``, so the app knows which
emulated host they were sent to.

Which host names are served is decided by the pure functions ``is_tls_host`` / ``is_plain_host``.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, ClassVar

from uvicorn.config import Config
from uvicorn.protocols.http.h11_impl import H11Protocol
from uvicorn.server import ServerState

from azshell.hostnames import IMDS_HOST, MSI_EXTENSION_PORT

if TYPE_CHECKING:
    from azshell.services.base import Registry

__all__ = [
    "TUNNEL_STATE_KEY",
    "TlsHosts",
    "ProxyProtocol",
    "TunnelPolicy",
    "is_plain_host",
    "is_tls_host",
    "parse_authority",
    "protocol_class",
]

log = logging.getLogger("azshell.server")

#: Key in the ASGI ``scope["state"]`` naming the ``host:port`` a tunnelled request was sent to.
TUNNEL_STATE_KEY = "azshell.tunnel"

_LOOPBACK_NAMES = frozenset({"localhost", "127.0.0.1"})
#: One DNS label: what a vault or store name may look like (Azure allows 3-24/3-63 chars of [a-z0-9-]).
_LABEL = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$")

#: Request head of a CONNECT larger than this is refused (it is one line plus a few headers).
MAX_CONNECT_HEAD = 16 * 1024
#: Seconds a client may take to send its first request line / finish the TLS handshake.
HEAD_TIMEOUT = 30.0
TLS_HANDSHAKE_TIMEOUT = 15.0
#: Seconds an idle TLS tunnel gets, on shutdown, to answer our close_notify before its socket is dropped.
TLS_CLOSE_GRACE = 0.5

_CONNECT = b"CONNECT "


@dataclass(frozen=True)
class TlsHosts:
    """The Azure host names served over TLS through ``CONNECT``: exact names (``management.azure.com``) and
    suffixes (``.vault.azure.net``); built from the services' declarations (``TlsHosts.of(registry)``)."""

    names: frozenset[str]
    suffixes: tuple[str, ...]

    @classmethod
    def of(cls, registry: Registry) -> TlsHosts:
        return cls(frozenset(h.lower() for h in registry.tls_hosts()), registry.tls_suffixes())


def is_tls_host(host: str, port: int, tls: TlsHosts) -> bool:
    """True when ``CONNECT host:port`` is an Azure HTTPS endpoint azshell emulates (port 443 only)."""
    if port != 443:
        return False
    name = host.lower().rstrip(".")
    if name in tls.names:
        return True
    for suffix in tls.suffixes:
        if name.endswith(suffix):
            label = name[: -len(suffix)]
            return bool(_LABEL.match(label))
    return False


def is_plain_host(host: str, port: int, *, extra: Callable[[str, int], bool] | None = None) -> bool:
    """True for the plain-HTTP token endpoints: ``169.254.169.254:80``, ``localhost:50342`` (and ``extra``)."""
    name = host.lower().rstrip(".")
    if name == IMDS_HOST and port == 80:
        return True
    if name in _LOOPBACK_NAMES and port == MSI_EXTENSION_PORT:
        return True
    return extra(name, port) if extra is not None else False


def parse_authority(authority: str, default_port: int) -> tuple[str, int] | None:
    """``"host:port"`` / ``"[v6]:port"`` / ``"host"`` → (lower-case host, port); None when malformed."""
    text = authority.strip()
    if not text:
        return None
    if text.startswith("["):
        end = text.find("]")
        if end < 0:
            return None
        host, rest = text[1:end], text[end + 1:]
        if rest and not rest.startswith(":"):
            return None
        port_text = rest[1:] if rest else ""
    else:
        host, sep, port_text = text.rpartition(":")
        if not sep:
            host, port_text = text, ""
        elif ":" in host:  # a bare IPv6 literal without brackets
            return None
    if not host:
        return None
    if port_text:
        if not port_text.isdigit() or len(port_text) > 5:
            return None
        port = int(port_text)
        if not 0 < port < 65536:
            return None
    else:
        port = default_port
    return host.lower(), port


@dataclass(frozen=True)
class TunnelPolicy:
    """What ``CONNECT`` may reach and how TLS is terminated.

    Arguments:
        tls_context: the server ``SSLContext`` for a TLS host name (issued by the local CA, cached).
        tls_hosts: the host names tunnels may reach over TLS.
        extra_plain: an extra predicate for plain-HTTP hosts (e.g. the App Service identity endpoint).
    """

    tls_context: Callable[[str], ssl.SSLContext]
    tls_hosts: TlsHosts
    extra_plain: Callable[[str, int], bool] | None = None


def protocol_class(policy: TunnelPolicy) -> type[ProxyProtocol]:
    """A ``ProxyProtocol`` subclass bound to ``policy``, to pass as ``uvicorn.Config(http=...)``."""
    return type("BoundProxyProtocol", (ProxyProtocol,), {"policy": policy})


class _Buffer(asyncio.Protocol):
    """Holds what the TLS layer delivers between the end of the handshake and the hand-over to H11Protocol."""

    def __init__(self) -> None:
        self.data: list[bytes] = []
        self.eof = False
        self.lost: tuple[Exception | None] | None = None

    def data_received(self, data: bytes) -> None:
        self.data.append(data)

    def eof_received(self) -> bool | None:
        self.eof = True
        return None

    def connection_lost(self, exc: Exception | None) -> None:
        self.lost = (exc,)

    def replay(self, target: asyncio.Protocol) -> None:
        for chunk in self.data:
            target.data_received(chunk)
        if self.eof:
            target.eof_received()
        if self.lost is not None:
            target.connection_lost(self.lost[0])


class _TlsH11Protocol(H11Protocol):
    """uvicorn's HTTP/1.1 protocol inside a TLS tunnel.

    On shutdown uvicorn closes idle connections and waits for them to go away. Closing a TLS transport sends
    close_notify and waits for the peer's; a client keeping the tunnel in its connection pool (requests,
    aiohttp, the az CLI) never answers, so shutdown stalled for the whole graceful timeout and logged an error.
    Here an idle tunnel that has not closed within ``TLS_CLOSE_GRACE`` seconds is aborted.
    """

    def shutdown(self) -> None:
        super().shutdown()
        if self.transport.is_closing():
            self.loop.call_later(TLS_CLOSE_GRACE, self._abort_if_open)

    def _abort_if_open(self) -> None:
        if self in self.server_state.connections:
            self.transport.abort()


def _attach(proto: H11Protocol, transport: asyncio.Transport) -> None:
    """Give ``transport`` to ``proto`` and route its events to it (uvicorn's own WebSocket hand-over)."""
    proto.connection_made(transport)
    transport.set_protocol(proto)


class ProxyProtocol(asyncio.Protocol):
    """uvicorn protocol class: sniff the first request line, then tunnel (CONNECT) or hand over to H11Protocol.

    Arguments (as uvicorn passes them to every ``http`` protocol class):
        config: the uvicorn ``Config``.
        server_state: uvicorn's shared connection/task registry (graceful shutdown walks it).
        app_state: the lifespan state copied into each request scope.
    """

    policy: ClassVar[TunnelPolicy]

    def __init__(
        self,
        config: Config,
        server_state: ServerState,
        app_state: dict[str, Any],
        _loop: asyncio.AbstractEventLoop | None = None,
    ) -> None:
        self.config = config
        self.server_state = server_state
        self.app_state = app_state
        self.loop = _loop or asyncio.get_event_loop()
        self.transport: asyncio.Transport | None = None
        self.buffer = b""
        self.done = False  # handed over, tunnelled or refused: ignore further bytes here
        self.timeout: asyncio.TimerHandle | None = None
        self.tls_task: asyncio.Task[None] | None = None

    # ------------------------------------------------------------------------------------------ protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        sock = transport.get_extra_info("socket")
        if sock is not None and sock.family in (socket.AF_INET, socket.AF_INET6):
            with contextlib.suppress(OSError):  # head and body are separate writes: never wait for Nagle
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.server_state.connections.add(self)  # type: ignore[arg-type]
        self.timeout = self.loop.call_later(HEAD_TIMEOUT, self._on_timeout)

    def connection_lost(self, exc: Exception | None) -> None:
        self._release()

    def data_received(self, data: bytes) -> None:
        if self.done:
            return
        self.buffer += data
        n = min(len(self.buffer), len(_CONNECT))
        if self.buffer[:n] != _CONNECT[:n]:
            self._hand_over()
            return
        if n < len(_CONNECT):
            return  # could still become "CONNECT "
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            if len(self.buffer) > MAX_CONNECT_HEAD:
                self._refuse(431, "Request Header Fields Too Large")
            return
        head_bytes, rest = self.buffer[:end], self.buffer[end + 4:]
        self.buffer = b""
        self._connect(head_bytes, rest)

    def eof_received(self) -> bool | None:
        return None

    def shutdown(self) -> None:
        """uvicorn's graceful shutdown: a connection still deciding what it is has nothing in flight."""
        if self.transport is not None and not self.transport.is_closing():
            self.transport.close()
        self._release()

    def pause_writing(self) -> None:
        pass

    def resume_writing(self) -> None:
        pass

    # ------------------------------------------------------------------------------------------ internals
    def _release(self) -> None:
        self.done = True
        if self.timeout is not None:
            self.timeout.cancel()
            self.timeout = None
        self.server_state.connections.discard(self)  # type: ignore[arg-type]

    def _on_timeout(self) -> None:
        self.timeout = None
        if not self.done and self.transport is not None:
            self.transport.close()
            self._release()

    def _new_h11(self, app_state: dict[str, Any], *, tls: bool = False) -> H11Protocol:
        cls = _TlsH11Protocol if tls else H11Protocol
        return cls(config=self.config, server_state=self.server_state, app_state=app_state, _loop=self.loop)

    def _hand_over(self) -> None:
        """Not a CONNECT: uvicorn's HTTP/1.1 protocol takes the connection, with the bytes read so far."""
        assert self.transport is not None
        data, self.buffer = self.buffer, b""
        self._release()
        proto = self._new_h11(self.app_state)
        _attach(proto, self.transport)
        proto.data_received(data)

    def _refuse(self, status: int, reason: str, message: str = "") -> None:
        assert self.transport is not None
        body = (message or reason).encode("utf-8") + b"\n"
        self.transport.write(
            f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/plain; charset=utf-8\r\n"
            f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode("ascii") + body
        )
        self.transport.close()
        self._release()

    def _connect(self, head: bytes, rest: bytes) -> None:
        assert self.transport is not None
        line = head.split(b"\r\n", 1)[0]
        parts = line.split(b" ")
        if len(parts) != 3 or not parts[2].startswith(b"HTTP/1."):
            self._refuse(400, "Bad Request", "Malformed CONNECT request line.")
            return
        target = parse_authority(parts[1].decode("latin-1"), 443)
        if target is None or rest:
            self._refuse(400, "Bad Request", "CONNECT needs host:port and nothing sent before the reply.")
            return
        host, port = target
        tls = is_tls_host(host, port, self.policy.tls_hosts)
        if not tls and not is_plain_host(host, port, extra=self.policy.extra_plain):
            log.info("CONNECT %s:%d refused (not an emulated Azure host)", host, port)
            self._refuse(403, "Forbidden", f"azshell serve: {host}:{port} is not an emulated Azure host; "
                         "nothing leaves this machine.")
            return
        self.done = True
        if self.timeout is not None:
            self.timeout.cancel()
            self.timeout = None
        if tls:
            # Nothing of the client's TLS handshake may be read here; start_tls resumes reading itself.
            self.transport.pause_reading()
        self.transport.write(b"HTTP/1.1 200 Connection established\r\n\r\n")
        app_state = dict(self.app_state)
        app_state[TUNNEL_STATE_KEY] = f"{host}:{port}"
        if not tls:
            self.server_state.connections.discard(self)  # type: ignore[arg-type]
            _attach(self._new_h11(app_state), self.transport)
            return
        self.tls_task = self.loop.create_task(self._start_tls(host, app_state))

    async def _start_tls(self, host: str, app_state: dict[str, Any]) -> None:
        transport = self.transport
        assert transport is not None
        try:
            ctx = self.policy.tls_context(host)
            shim = _Buffer()
            tls_transport = await self.loop.start_tls(
                transport, shim, ctx, server_side=True, ssl_handshake_timeout=TLS_HANDSHAKE_TIMEOUT
            )
        except (TimeoutError, OSError, ssl.SSLError, ConnectionError, RuntimeError) as exc:
            log.debug("TLS handshake for %s failed: %s", host, exc)
            transport.abort()
            self._release()
            return
        finally:
            self.tls_task = None
        if tls_transport is None:  # pragma: no cover - only when the transport closed mid-handshake
            transport.abort()
            self._release()
            return
        self._release()
        proto = self._new_h11(app_state, tls=True)
        _attach(proto, tls_transport)
        shim.replay(proto)
