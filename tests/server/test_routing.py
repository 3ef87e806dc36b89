"""Pure routing decisions: which hosts are served, how ASGI scopes become plane requests (no sockets)."""

from __future__ import annotations

from typing import Any

import pytest

from azshell.planes.base import HostUnreachableError, PlaneError, Request, Response
from azshell.server.app import ServerApp, TokenEndpoints, _Refusal
from azshell.server.proxy import TUNNEL_STATE_KEY, TlsHosts, is_plain_host, is_tls_host, parse_authority
from azshell.services.registry import default_registry

TLS = TlsHosts.of(default_registry())

VM_ID = "/subscriptions/s/resourceGroups/r/providers/Microsoft.Compute/virtualMachines/v"


@pytest.mark.parametrize("host, port, ok", [
    ("management.azure.com", 443, True),
    ("MANAGEMENT.AZURE.COM.", 443, True),
    ("login.microsoftonline.com", 443, True),
    ("myvault.vault.azure.net", 443, True),
    ("store1.azuredatalakestore.net", 443, True),
    ("management.azure.com", 80, False),
    ("vault.azure.net", 443, False),
    ("a.b.vault.azure.net", 443, False),
    ("-x.vault.azure.net", 443, False),
    ("example.com", 443, False),
    ("management.azure.com.evil.com", 443, False),
    ("169.254.169.254", 443, False),
])
def test_is_tls_host(host: str, port: int, ok: bool) -> None:
    assert is_tls_host(host, port, TLS) is ok


@pytest.mark.parametrize("host, port, ok", [
    ("169.254.169.254", 80, True),
    ("169.254.169.254", 8080, False),
    ("localhost", 50342, True),
    ("127.0.0.1", 50342, True),
    ("localhost", 80, False),
    ("example.com", 80, False),
])
def test_is_plain_host(host: str, port: int, ok: bool) -> None:
    assert is_plain_host(host, port) is ok


@pytest.mark.parametrize("text, expected", [
    ("management.azure.com:443", ("management.azure.com", 443)),
    ("Management.Azure.com", ("management.azure.com", 443)),
    ("[::1]:8080", ("::1", 8080)),
    ("[::1]", ("::1", 443)),
    ("::1", None),
    ("host:", ("host", 443)),
    ("host:0", None),
    ("host:99999", None),
    ("host:x", None),
    (":443", None),
    ("", None),
    ("[::1", None),
    ("[::1]x", None),
])
def test_parse_authority(text: str, expected: tuple[str, int] | None) -> None:
    assert parse_authority(text, 443) == expected


def _scope(target: str, *, query: str = "", method: str = "GET", headers: list[tuple[str, str]] | None = None,
           tunnel: str | None = None, scheme: str = "http") -> dict[str, Any]:
    raw, _, q = target.partition("?")
    state = {TUNNEL_STATE_KEY: tunnel} if tunnel else {}
    return {
        "type": "http", "method": method, "scheme": scheme, "path": raw, "raw_path": raw.encode(),
        "query_string": (q or query).encode(), "client": ("127.0.0.1", 5555), "state": state,
        "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or [])],
    }


def _app(host_id: str | None = VM_ID, app_service: tuple[str, int] | None = None) -> ServerApp:
    return ServerApp(lambda r: Response.text(200, "ok"), TokenEndpoints(host_id=host_id, app_service=app_service), tls_hosts=TLS,
                     self_authorities=["127.0.0.1:7000"])


@pytest.mark.parametrize("path, host, port", [
    ("/metadata/identity/oauth2/token", "169.254.169.254", None),
    ("/metadata/instance", "169.254.169.254", None),
    ("/oauth2/token", "localhost", 50342),
])
def test_direct_token_paths_are_rewritten(path: str, host: str, port: int | None) -> None:
    req = _app().to_request(_scope(path, query="resource=https%3A%2F%2Fvault.azure.net&api-version=2018-02-01",
                                   headers=[("Host", "127.0.0.1:7000"), ("Metadata", "true")]), b"")
    assert (req.scheme, req.host, req.port, req.path) == ("http", host, port, path)
    assert req.query_get("resource") == "https://vault.azure.net"
    assert req.headers.get("Host") == (host if port is None else f"{host}:{port}")
    assert req.headers.get("Metadata") == "true"
    assert req.caller.host_id == VM_ID and req.caller.remote_addr == "127.0.0.1"


def test_app_service_path_goes_to_the_routers_host_when_known() -> None:
    req = _app(app_service=("localhost", 4141)).to_request(_scope("/MSI/token", query="resource=x"), b"")
    assert (req.host, req.port, req.path) == ("localhost", 4141, "/MSI/token")
    with pytest.raises(_Refusal) as refused:
        _app().to_request(_scope("/MSI/token"), b"")
    assert refused.value.response.status == 404


def test_absolute_uri_is_proxied_and_hop_by_hop_headers_dropped() -> None:
    req = _app().to_request(_scope("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01",
                                   headers=[("Proxy-Connection", "keep-alive"), ("Host", "169.254.169.254"),
                                            ("Connection", "keep-alive"), ("Metadata", "true")]), b"")
    assert (req.host, req.port, req.query_get("api-version")) == ("169.254.169.254", None, "2018-02-01")
    assert "Proxy-Connection" not in req.headers and "Connection" not in req.headers


def test_absolute_uri_to_this_server_is_direct() -> None:
    req = _app().to_request(_scope("http://127.0.0.1:7000/metadata/identity/oauth2/token"), b"")
    assert req.host == "169.254.169.254"


@pytest.mark.parametrize("target", ["http://example.com/", "http://management.azure.com/", "https://example.com/",
                                    "http://[::1/", "http://:80/"])
def test_foreign_or_broken_absolute_uris_are_refused(target: str) -> None:
    with pytest.raises(_Refusal) as refused:
        _app().to_request(_scope(target), b"")
    assert refused.value.response.status in (400, 403)


def test_tunnelled_requests_keep_their_host() -> None:
    req = _app().to_request(_scope("/secrets/a/", query="api-version=7.4", scheme="https",
                                   tunnel="kv.vault.azure.net:443", headers=[("Host", "kv.vault.azure.net")]), b"x")
    assert (req.scheme, req.host, req.port, req.path, req.body) == ("https", "kv.vault.azure.net", None,
                                                                      "/secrets/a/", b"x")


def test_without_a_host_the_token_paths_refuse() -> None:
    with pytest.raises(_Refusal) as refused:
        _app(host_id=None).to_request(_scope("/metadata/identity/oauth2/token"), b"")
    assert refused.value.response.status == 403


def test_answer_maps_every_failure_to_a_response() -> None:
    def raising(exc: BaseException) -> ServerApp:
        def dispatch(request: Request) -> Response:
            raise exc
        return ServerApp(dispatch, TokenEndpoints(host_id=VM_ID), tls_hosts=TLS)

    req = Request.build("GET", "https://management.azure.com/x")
    assert raising(PlaneError(409, "Conflict", "no")).answer(req).status == 409
    unreachable = raising(HostUnreachableError("h", 443, "Unable to connect", "hint")).answer(req)
    assert unreachable.status == 403 and "unreachable" in unreachable.json_body()["error"]["message"]
    imds = Request.build("GET", "http://169.254.169.254/metadata/identity/oauth2/token")
    token_host = raising(HostUnreachableError("h", 80, "Unable to connect")).answer(imds)
    assert token_host.json_body()["error"] == "unreachable"
    assert raising(ValueError("boom")).answer(req).status == 500


def test_console_log_lines_never_carry_a_traceback() -> None:
    import logging
    import sys

    from azshell.server import _OneLineFormatter

    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.LogRecord("azshell.planes.router", logging.ERROR, __file__, 1, "plane %s failed", ("arm",),
                                   sys.exc_info())
    assert _OneLineFormatter().format(record) == "azshell serve: plane arm failed (ValueError: boom)"
