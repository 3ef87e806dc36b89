"""The in-process transport and the host router: conversion both ways, unreachable hosts, error containment."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

import httpx
import pytest

from azshell.http import PlaneConnectError, PlanesTransport, make_client
from azshell.planes.base import CallerContext, PlaneError, Request, Response
from azshell.planes.router import PlaneHandler, Planes, routes_of
from azshell.services.registry import default_registry
from azshell.world import World


def _echo(request: Request, world: World) -> Response:
    return Response.json(200, {
        "method": request.method, "scheme": request.scheme, "host": request.host, "port": request.port,
        "path": request.path, "raw_path": request.raw_path, "query": request.query,
        "headers": {k.lower(): v for k, v in request.headers.items()}, "body": request.body.decode(),
        "host_id": request.caller.host_id,
    }, headers={"X-Echo": "1"})


def _host_is(name: str) -> Callable[[str, int | None], bool]:
    return lambda host, port: host == name


def _client(world: World, *extra: tuple[str, PlaneHandler]) -> httpx.Client:
    planes = Planes(world)
    planes.register("echo", lambda host, port: host == "echo.test", _echo)
    for name, handler in extra:
        planes.register(name, _host_is(f"{name}.test"), handler)
    return make_client(world, lambda: CallerContext(host_id="/subscriptions/x/vm"), planes=planes)


def test_request_conversion(world: World) -> None:
    with _client(world) as c:
        r = c.post("https://echo.test:8443/a%20b/c?x=1&y=%2F&x=2&empty=", headers={"X-Thing": "v"}, content=b"hello")
    body = r.json()
    assert r.status_code == 200 and r.headers["X-Echo"] == "1"
    assert body["method"] == "POST" and body["scheme"] == "https" and body["port"] == 8443
    assert body["path"] == "/a b/c" and body["raw_path"] == "/a%20b/c"
    assert body["query"] == [["x", "1"], ["y", "/"], ["x", "2"], ["empty", ""]]
    assert body["headers"]["x-thing"] == "v" and body["body"] == "hello"
    assert body["host_id"] == "/subscriptions/x/vm"


def test_unknown_host_is_connect_error(world: World) -> None:
    with make_client(world) as c, pytest.raises(httpx.ConnectError) as info:
        c.get("https://example.com/")
    assert isinstance(info.value, PlaneConnectError)
    assert str(info.value) == "No such host is known. (example.com:443)"
    assert info.value.host == "example.com" and info.value.port == 443
    with make_client(world) as c, pytest.raises(PlaneConnectError) as info2:
        c.get("https://myvault.vault.azure.net/secrets/x")
    assert "No such host is known. (myvault.vault.azure.net:443)" == str(info2.value)


def test_closed_loopback_port_is_refused(world: World) -> None:
    with make_client(world) as c, pytest.raises(PlaneConnectError) as info:
        c.get("http://localhost:8080/")
    assert str(info.value) == (
        "No connection could be made because the target machine actively refused it. (localhost:8080)")


def test_imds_off_host_carries_hint(world: World) -> None:
    with make_client(world) as c, pytest.raises(PlaneConnectError) as info:
        c.get("http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=x",
              headers={"Metadata": "true"})
    assert info.value.hint  # A's plane explains how to step onto a VM


def test_plane_error_becomes_response_and_crash_becomes_logged_500(world: World,
                                                                   caplog: pytest.LogCaptureFixture) -> None:
    def refuse(request: Request, world: World) -> Response:
        raise PlaneError(418, "Teapot", "short and stout")

    def crash(request: Request, world: World) -> Response:
        raise RuntimeError("boom")

    with _client(world, ("refuse", refuse), ("crash", crash)) as c:
        r = c.get("https://refuse.test/")
        assert r.status_code == 418
        assert r.json() == {"error": {"code": "Teapot", "message": "short and stout"}}
        with caplog.at_level(logging.ERROR, logger="azshell.planes.router"):
            r = c.get("https://crash.test/x")
        assert r.status_code == 500
        assert r.json()["error"]["code"] == "InternalServerError"
        assert "boom" not in r.text
        assert any("crash" in rec.getMessage() for rec in caplog.records)


def test_redirects_are_not_followed(world: World) -> None:
    def redirect(request: Request, world: World) -> Response:
        resp = Response(307)
        resp.headers.set("Location", "https://echo.test/next")
        return resp

    with _client(world, ("redirect", redirect)) as c:
        r = c.get("https://redirect.test/")
    assert r.status_code == 307 and r.headers["Location"] == "https://echo.test/next"


def test_routes_come_from_the_service_registry() -> None:
    routes = routes_of(default_registry())
    names = [r.name for r in routes]
    assert names == ["arm", "login", "graph", "imds", "msi_extension", "appservice", "keyvault", "datalake", "storage"]
    msi = next(r for r in routes if r.name == "msi_extension")
    assert msi.matches("localhost", 50342) and msi.matches("127.0.0.1", 50342)
    # the extension's settings choose its port; web ports and App Service's endpoint are not it
    assert msi.matches("localhost", 50343)
    assert not msi.matches("localhost", 80) and not msi.matches("localhost", 4141)
    assert not msi.matches("example.com", 50342)


def test_dispatch_directly(world: World) -> None:
    planes = Planes(world)
    r = planes.dispatch(Request.build("GET", "https://management.azure.com/subscriptions?api-version=2020-01-01"))
    assert r.status == 401
    assert json.loads(r.body)["error"]["code"] == "AuthenticationFailed"


def test_login_plane_is_routed(world: World) -> None:
    with make_client(world) as c:
        r = c.get(f"https://login.microsoftonline.com/{world.tenant_id}/discovery/keys")
    assert r.status_code == 200 and r.json()["keys"]


def test_transport_default_caller(world: World) -> None:
    transport = PlanesTransport(Planes(world))
    with httpx.Client(transport=transport) as c:
        r = c.get("https://management.azure.com/subscriptions?api-version=2020-01-01")
    assert r.status_code == 401
