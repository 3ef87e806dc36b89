"""Plain request → response types shared by every plane, in-process and under a real server.

A plane is a callable ``(Request) -> Response``. Nothing here knows httpx or ASGI: ``azshell.http`` adapts
httpx requests to these, and the server adapts ASGI scopes to these, so both run exactly the same code.

Errors::

    PlaneError            an HTTP status + code + message; ``to_response()`` renders Azure's JSON
     (subclasses per plane render their own shapes: IMDS ``{"error","error_description"}``, Key Vault,
      WebHDFS ``RemoteException``)
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl

from azshell.errors import AzShellError

if TYPE_CHECKING:
    from azshell.auth.decision import AccessDecision


class Headers:
    """Case-insensitive, multi-valued HTTP headers that keep their original spelling and order."""

    __slots__ = ("_items",)

    def __init__(self, items: Iterable[tuple[str, str]] | Mapping[str, str] | None = None) -> None:
        self._items: list[tuple[str, str]] = []
        if items is not None:
            pairs = items.items() if isinstance(items, Mapping) else items
            self._items = [(str(k), str(v)) for k, v in pairs]

    def get(self, name: str, default: str | None = None) -> str | None:
        n = name.lower()
        for k, v in self._items:
            if k.lower() == n:
                return v
        return default

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.get(name) is not None

    def set(self, name: str, value: str) -> None:
        n = name.lower()
        self._items = [(k, v) for k, v in self._items if k.lower() != n]
        self._items.append((name, value))

    def add(self, name: str, value: str) -> None:
        self._items.append((name, value))

    def items(self) -> list[tuple[str, str]]:
        return list(self._items)

    def __repr__(self) -> str:
        return f"Headers({self._items!r})"


@dataclass(frozen=True)
class CallerContext:
    """Who is calling, as far as the emulated network can tell.

    ``host_id`` is the ARM resource ID of the emulated host (VM, web app, function app) the request is made
    from, or None off-host. It decides who answers 169.254.169.254, localhost:50342 and the App Service
    identity endpoint. ``remote_addr`` is the client address under the real server ("127.0.0.1"), None
    in-process.
    """

    host_id: str | None = None
    remote_addr: str | None = None


@dataclass
class Request:
    method: str
    scheme: str
    host: str  # lower-case host name without port
    port: int | None
    path: str  # percent-decoded path
    raw_path: str  # path as sent (still percent-encoded)
    query: list[tuple[str, str]]
    headers: Headers
    body: bytes = b""
    caller: CallerContext = field(default_factory=CallerContext)
    #: A dry run (``Test-AzAccess -Uri``, in-process only): the plane answers as usual but nothing it writes is
    #: kept; ``dry_run_subject`` (an object id) is the principal to decide for instead of the token's.
    dry_run: bool = False
    dry_run_subject: str | None = None
    #: The access decisions the plane took while answering (see ``azshell.auth.decision``); the router puts the
    #: final one on the response.
    decisions: list[AccessDecision] = field(default_factory=list, repr=False)

    @classmethod
    def build(cls, method: str, url: str, *, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None,
              body: bytes = b"", caller: CallerContext | None = None) -> Request:
        """Convenience constructor for tests: ``Request.build("GET", "https://management.azure.com/x?a=1")``."""
        from urllib.parse import unquote, urlsplit

        parts = urlsplit(url)
        return cls(
            method=method.upper(),
            scheme=parts.scheme or "http",
            host=(parts.hostname or "").lower(),
            port=parts.port,
            path=unquote(parts.path or "/"),
            raw_path=parts.path or "/",
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers=Headers(headers),
            body=body,
            caller=caller or CallerContext(),
        )

    @property
    def authority(self) -> str:
        default = 443 if self.scheme == "https" else 80
        return self.host if self.port in (None, default) else f"{self.host}:{self.port}"

    def query_get(self, name: str, *, case_insensitive: bool = False) -> str | None:
        for k, v in self.query:
            if k == name or (case_insensitive and k.lower() == name.lower()):
                return v
        return None

    def query_all(self, name: str) -> list[str]:
        return [v for k, v in self.query if k == name]

    def form(self) -> list[tuple[str, str]]:
        """The body parsed as ``application/x-www-form-urlencoded`` (empty if it is not)."""
        try:
            return parse_qsl(self.body.decode("utf-8"), keep_blank_values=True)
        except UnicodeDecodeError:
            return []

    def json(self) -> Any:
        """The body parsed as JSON; raises ValueError on malformed JSON."""
        return json.loads(self.body.decode("utf-8") or "null")


@dataclass
class Response:
    status: int
    headers: Headers = field(default_factory=Headers)
    body: bytes = b""
    #: The access decision behind this answer (None when the plane took none); never sent on the wire.
    decision: AccessDecision | None = field(default=None, repr=False)

    @classmethod
    def json(cls, status: int, obj: Any, headers: Mapping[str, str] | Iterable[tuple[str, str]] | None = None) -> Response:
        h = Headers(headers)
        if h.get("Content-Type") is None:
            h.set("Content-Type", "application/json; charset=utf-8")
        return cls(status, h, json.dumps(obj, separators=(",", ":")).encode("utf-8"))

    @classmethod
    def text(cls, status: int, text: str, content_type: str = "text/plain; charset=utf-8") -> Response:
        return cls(status, Headers({"Content-Type": content_type}), text.encode("utf-8"))

    def json_body(self) -> Any:
        return json.loads(self.body.decode("utf-8"))


class PlaneError(AzShellError):
    """An Azure error: HTTP status, error code and message. The default rendering is ARM's JSON."""

    def __init__(self, status: int, code: str, message: str, *, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message
        self.headers = dict(headers or {})

    def to_response(self) -> Response:
        return Response.json(self.status, {"error": {"code": self.code, "message": self.message}}, self.headers)


class HostUnreachableError(AzShellError):
    """No plane answers this host (or the host is not reachable from where the caller is).

    ``hint`` is a teaching note shown under the network error, e.g. "You are not on a VM: use Enter-AzVM".
    """

    def __init__(self, host: str, port: int | None, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.host = host
        self.port = port
        self.message = message
        self.hint = hint
