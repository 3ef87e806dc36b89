"""``azshell serve`` over real loopback sockets: token endpoints by path, plain proxy, CONNECT tunnels, refusals."""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
from collections.abc import Iterator

import httpx
import pytest

from azshell.planes.router import Planes
from azshell.server import AzShellServer, TokenEndpoints, export_lines, resolve_host
from azshell.server.ca import LocalCA
from azshell.server.proxy import TlsHosts
from tests.conftest import needs_tool

from .conftest import ARM, ARM_RESOURCE, RG_API, Tenant, jwt_claims, token_query

IMDS_URL = "http://169.254.169.254/metadata/identity/oauth2/token"


def _trust(ca: LocalCA) -> ssl.SSLContext:
    return ssl.create_default_context(cafile=ca.cert_path)


def _token(server: AzShellServer, resource: str = ARM_RESOURCE) -> str:
    r = httpx.get(f"{server.url}/metadata/identity/oauth2/token", params=token_query(resource),
                  headers={"Metadata": "true"})
    assert r.status_code == 200, r.text
    token: str = r.json()["access_token"]
    return token


def _raw(server: AzShellServer, data: bytes, *, read_all: bool = True) -> bytes:
    """Send raw bytes, return what the server answers (until it closes or 2 s of silence)."""
    with socket.create_connection(("127.0.0.1", server.port), timeout=2) as s:
        s.sendall(data)
        chunks = []
        try:
            while True:
                chunk = s.recv(65536)
                if not chunk:
                    break
                chunks.append(chunk)
                if not read_all:
                    break
        except TimeoutError:
            pass
        return b"".join(chunks)


def _tunnel(server: AzShellServer, ca: LocalCA, target: str, sni: str | None) -> ssl.SSLSocket:
    """Open a CONNECT tunnel to ``target`` and wrap it in TLS verified against the local CA."""
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    raw.sendall(f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    reply = b""
    while b"\r\n\r\n" not in reply:
        reply += raw.recv(1024)
    assert reply.startswith(b"HTTP/1.1 200"), reply
    ctx = ssl.create_default_context(cafile=ca.cert_path)
    if sni is None:
        ctx.check_hostname = False
    return ctx.wrap_socket(raw, server_hostname=sni)


# ---------------------------------------------------------------------------------------------- token endpoints
def test_imds_token_direct(server: AzShellServer, tenant: Tenant) -> None:
    r = httpx.get(f"{server.url}/metadata/identity/oauth2/token", params=token_query(),
                  headers={"Metadata": "true"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["resource"] == ARM_RESOURCE and body["token_type"] == "Bearer"
    assert int(body["expires_in"]) > 300
    claims = jwt_claims(body["access_token"])
    assert claims["aud"] == ARM_RESOURCE
    assert claims["oid"] == tenant.principal_id
    assert claims["tid"] == tenant.world.tenant_id


def test_imds_without_metadata_header_is_the_planes_400(server: AzShellServer) -> None:
    r = httpx.get(f"{server.url}/metadata/identity/oauth2/token", params=token_query())
    assert r.status_code == 400
    assert "metadata header" in r.text


def test_imds_token_through_the_proxy(server: AzShellServer, tenant: Tenant) -> None:
    with httpx.Client(proxy=server.url) as client:
        r = client.get(IMDS_URL, params=token_query(), headers={"Metadata": "true"})
    assert r.status_code == 200, r.text
    assert jwt_claims(r.json()["access_token"])["oid"] == tenant.principal_id


def test_unknown_direct_path_is_404_not_a_crash(server: AzShellServer) -> None:
    r = httpx.get(f"{server.url}/subscriptions")
    assert r.status_code == 404
    assert "HTTPS_PROXY" in r.json()["error"]["message"]


def test_msi_extension_path_reaches_the_extension_plane(server: AzShellServer) -> None:
    r = httpx.post(f"{server.url}/oauth2/token", data={"resource": ARM_RESOURCE}, headers={"Metadata": "true"})
    assert r.status_code < 500
    assert r.status_code != 404 or "error" in r.json()


def test_app_service_path_answers_as_the_app(tenant: Tenant, ca: LocalCA) -> None:
    """`azshell serve --app`: IDENTITY_ENDPOINT + IDENTITY_HEADER work for a web app with an identity."""
    from azshell.server import _app_service_endpoint
    from azshell.services.identity.plane_appservice import identity_header

    world = tenant.world
    sub = tenant.subscription_id
    plan = world.backend.create_or_update_resource(sub, "rg1", "Microsoft.Web/serverfarms", "plan1", "westus", {})
    site = world.backend.create_or_update_resource(sub, "rg1", "Microsoft.Web/sites", "app1", "westus",
                                                   {"serverFarmId": plan.id}, identity_type="SystemAssigned",
                                                   extra={"kind": "app"})
    header = identity_header(world, site)
    endpoints = TokenEndpoints(host_id=site.id, app_service=_app_service_endpoint())
    with AzShellServer.start(Planes(world).dispatch, endpoints, ca, tls_hosts=TlsHosts.of(world.registry)) as s:
        ok = httpx.get(f"{s.url}/MSI/token", params={"api-version": "2019-08-01", "resource": ARM_RESOURCE},
                       headers={"X-IDENTITY-HEADER": header})
        bad = httpx.get(f"{s.url}/MSI/token", params={"api-version": "2019-08-01", "resource": ARM_RESOURCE},
                        headers={"X-IDENTITY-HEADER": "wrong"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["token_type"] == "Bearer" and ok.json()["resource"] == ARM_RESOURCE
    assert 400 <= bad.status_code < 500


def test_token_paths_without_a_host_say_how_to_choose_one(tenant: Tenant, ca: LocalCA) -> None:
    with AzShellServer.start(Planes(tenant.world).dispatch, TokenEndpoints(host_id=None), ca,
                             tls_hosts=TlsHosts.of(tenant.world.registry)) as s:
        r = httpx.get(f"{s.url}/metadata/identity/oauth2/token", params=token_query(), headers={"Metadata": "true"})
    assert r.status_code == 403
    assert r.json()["error"] == "unreachable"
    assert "--vm" in r.json()["error_description"]


# ---------------------------------------------------------------------------------------------- CONNECT + TLS
def test_arm_through_the_connect_proxy_with_tls_verification(server: AzShellServer, tenant: Tenant,
                                                             ca: LocalCA) -> None:
    token = _token(server)
    with httpx.Client(proxy=server.url, verify=_trust(ca)) as client:
        r = client.get(f"{ARM}{tenant.rg_id}", params={"api-version": RG_API},
                       headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 200, r.text
        assert r.json()["id"].lower() == tenant.rg_id.lower()
        # keep-alive: the same tunnel answers again; Reader on the group does not reach the subscription
        denied = client.get(f"{ARM}/subscriptions/{tenant.subscription_id}/resourceGroups/rg2",
                            params={"api-version": RG_API}, headers={"Authorization": f"Bearer {token}"})
        assert denied.status_code == 403
        assert denied.json()["error"]["code"] == "AuthorizationFailed"
        anonymous = client.get(f"{ARM}{tenant.rg_id}", params={"api-version": RG_API})
        assert anonymous.status_code == 401


def test_tls_is_refused_without_the_ca(server: AzShellServer, tenant: Tenant) -> None:
    with httpx.Client(proxy=server.url, verify=ssl.create_default_context()) as client:
        with pytest.raises(httpx.ConnectError):
            client.get(f"{ARM}{tenant.rg_id}", params={"api-version": RG_API})


def test_sni_picks_the_certificate_per_host(echo_server: AzShellServer, ca: LocalCA) -> None:
    with _tunnel(echo_server, ca, "myvault.vault.azure.net:443", "myvault.vault.azure.net") as tls:
        cert = tls.getpeercert()
        assert cert is not None
        assert ("DNS", "myvault.vault.azure.net") in cert["subjectAltName"]
        tls.sendall(b"GET /secrets?api-version=7.4 HTTP/1.1\r\nHost: myvault.vault.azure.net\r\n\r\n")
        head = tls.recv(65536)
        assert head.startswith(b"HTTP/1.1 200")


def test_tls_without_sni_gets_the_connect_hosts_certificate(echo_server: AzShellServer, ca: LocalCA) -> None:
    with _tunnel(echo_server, ca, "management.azure.com:443", None) as tls:
        cert = tls.getpeercert()
        assert cert is not None and ("DNS", "management.azure.com") in cert["subjectAltName"]


def test_sni_for_a_foreign_host_keeps_the_tunnels_certificate(echo_server: AzShellServer, ca: LocalCA) -> None:
    raw = socket.create_connection(("127.0.0.1", echo_server.port), timeout=5)
    raw.sendall(b"CONNECT management.azure.com:443 HTTP/1.1\r\n\r\n")
    assert raw.recv(1024).startswith(b"HTTP/1.1 200")
    ctx = ssl.create_default_context(cafile=ca.cert_path)
    with pytest.raises(ssl.SSLCertVerificationError):
        ctx.wrap_socket(raw, server_hostname="example.com")
    raw.close()


def test_host_header_must_match_the_tunnel(echo_server: AzShellServer, ca: LocalCA) -> None:
    with _tunnel(echo_server, ca, "management.azure.com:443", "management.azure.com") as tls:
        tls.sendall(b"GET / HTTP/1.1\r\nHost: login.microsoftonline.com\r\n\r\n")
        assert tls.recv(65536).startswith(b"HTTP/1.1 421")


def test_tunnelled_request_carries_host_scheme_and_caller(echo_server: AzShellServer, ca: LocalCA) -> None:
    with httpx.Client(proxy=echo_server.url, verify=_trust(ca)) as client:
        r = client.get("https://kv1.vault.azure.net/secrets/s1/?api-version=7.4&x=a%20b")
    seen = r.json()
    assert seen["scheme"] == "https" and seen["host"] == "kv1.vault.azure.net" and seen["port"] is None
    assert seen["path"] == "/secrets/s1/" and ["x", "a b"] in seen["query"]
    assert seen["headers"]["host"] == "kv1.vault.azure.net"
    assert seen["remote_addr"] == "127.0.0.1"
    assert seen["host_id"].endswith("/virtualMachines/v")


def test_bodies_content_length_and_chunked_inside_the_tunnel(echo_server: AzShellServer, ca: LocalCA) -> None:
    payload = json.dumps({"value": "x" * 100_000}).encode()

    def chunks() -> Iterator[bytes]:
        for i in range(0, len(payload), 7_000):
            yield payload[i:i + 7_000]

    with httpx.Client(proxy=echo_server.url, verify=_trust(ca)) as client:
        fixed = client.put("https://kv1.vault.azure.net/secrets/a?api-version=7.4", content=payload)
        chunked = client.put("https://kv1.vault.azure.net/secrets/a?api-version=7.4", content=chunks())
        for _ in range(20):  # keep-alive across many requests on one tunnel
            assert client.get("https://kv1.vault.azure.net/secrets?api-version=7.4").status_code == 200
    assert fixed.json()["body_length"] == len(payload)
    assert chunked.json()["body_length"] == len(payload)
    assert chunked.json()["body"] == payload.decode()


def test_plain_tunnel_to_imds(server: AzShellServer) -> None:
    raw = socket.create_connection(("127.0.0.1", server.port), timeout=5)
    raw.sendall(b"CONNECT 169.254.169.254:80 HTTP/1.1\r\n\r\n")
    assert raw.recv(1024).startswith(b"HTTP/1.1 200")
    raw.sendall(b"GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"
                b" HTTP/1.1\r\nHost: 169.254.169.254\r\nMetadata: true\r\n\r\n")
    data = b""
    while b"access_token" not in data:
        chunk = raw.recv(65536)
        assert chunk
        data += chunk
    assert data.startswith(b"HTTP/1.1 200")
    raw.close()


# ---------------------------------------------------------------------------------------------- refusals
@pytest.mark.parametrize("target", ["example.com:443", "management.azure.com:8443", "evil.com.vault.azure.net.x:443",
                                    "a..vault.azure.net:443", "127.0.0.1:22", "169.254.169.254:443"])
def test_connect_to_other_hosts_is_forbidden(echo_server: AzShellServer, target: str) -> None:
    reply = _raw(echo_server, f"CONNECT {target} HTTP/1.1\r\nHost: {target}\r\n\r\n".encode())
    assert reply.startswith(b"HTTP/1.1 403 Forbidden"), reply


def test_plain_proxy_to_other_hosts_is_forbidden(echo_server: AzShellServer) -> None:
    with httpx.Client(proxy=echo_server.url) as client:
        assert client.get("http://example.com/").status_code == 403
        assert client.get("http://management.azure.com/subscriptions").status_code == 403
        assert client.get("http://169.254.169.254:8080/metadata/instance").status_code == 403
    with httpx.Client(proxy=echo_server.url) as client, pytest.raises(httpx.ProxyError):
        client.get("https://pypi.org/simple/")


def test_malformed_connects(echo_server: AzShellServer) -> None:
    assert _raw(echo_server, b"CONNECT\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert _raw(echo_server, b"CONNECT management.azure.com:443 HTTP/1.1\r\n\r\nearly").startswith(b"HTTP/1.1 400")
    assert _raw(echo_server, b"CONNECT x:notaport HTTP/1.1\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert _raw(echo_server, b"CONNECT " + b"a" * 20_000).startswith(b"HTTP/1.1 431")


def test_connect_split_across_packets(echo_server: AzShellServer, ca: LocalCA) -> None:
    raw = socket.create_connection(("127.0.0.1", echo_server.port), timeout=5)
    for b in b"CONNECT management.azure.com:443 HTTP/1.1\r\n\r\n":
        raw.sendall(bytes([b]))
    assert raw.recv(1024).startswith(b"HTTP/1.1 200")
    raw.close()


def test_garbage_is_a_400(echo_server: AzShellServer) -> None:
    assert _raw(echo_server, b"\x16\x03\x01\x00\xff garbage\r\n\r\n").startswith(b"HTTP/1.1 400")
    assert _raw(echo_server, b"GET / HTTP/1.1\r\nHost: a\r\nBad Header\r\n\r\n").startswith(b"HTTP/1.1 400")


def test_head_request(echo_server: AzShellServer) -> None:
    r = httpx.head(f"{echo_server.url}/metadata/identity/oauth2/token")
    assert r.status_code == 200 and r.content == b""


# ---------------------------------------------------------------------------------------------- exports, host
def test_export_lines(server: AzShellServer, ca: LocalCA, tenant: Tenant) -> None:
    host = resolve_host(tenant.world, vm="vm1")
    lines = export_lines(server, ca.cert_path, host)
    url = f"http://127.0.0.1:{server.port}"
    assert lines == [
        f"export HTTPS_PROXY={url}",
        "export NO_PROXY=127.0.0.1,localhost",
        f"export AZURE_POD_IDENTITY_AUTHORITY_HOST={url}",
        f"export REQUESTS_CA_BUNDLE={ca.cert_path}",
        f"export NODE_EXTRA_CA_CERTS={ca.cert_path}",
        f"export SSL_CERT_FILE={ca.cert_path}",
    ]


def test_resolve_host(tenant: Tenant) -> None:
    from azshell.server import ServeError

    assert resolve_host(tenant.world) is None
    assert resolve_host(tenant.world, vm="VM1") is not None
    assert resolve_host(tenant.world, vm="rg1/vm1") is not None
    choice = resolve_host(tenant.world, vm=tenant.vm_id)
    assert choice is not None and choice.resource_id == tenant.vm_id and choice.kind == "vm"
    with pytest.raises(ServeError, match="No VM named 'nope'"):
        resolve_host(tenant.world, vm="nope")
    with pytest.raises(ServeError, match="web or function app"):
        resolve_host(tenant.world, app="vm1")
    w = tenant.world
    w.backend.create_or_update_resource_group(tenant.subscription_id, "rg2", "westus")
    w.backend.create_or_update_vm(tenant.subscription_id, "rg2", "vm1", "westus", identity_type=None)
    with pytest.raises(ServeError, match=r"2 VMs are named 'vm1' \(rg1/vm1, rg2/vm1\)"):
        resolve_host(tenant.world, vm="vm1")


# ---------------------------------------------------------------------------------------------- curl
CURL = shutil.which("curl")


@needs_tool("curl")
def test_curl_runs_the_linux_tutorials_token_command_and_calls_arm(server: AzShellServer, tenant: Tenant,
                                                                   ca: LocalCA) -> None:
    assert CURL is not None
    env = {"PATH": "/usr/bin:/bin"}
    out = subprocess.run(
        [CURL, "-sS", "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource="
         "https://management.azure.com/", "-H", "Metadata:true", "-x", server.url],
        capture_output=True, text=True, timeout=30, env=env, check=True)
    token = json.loads(out.stdout)["access_token"]
    out = subprocess.run(
        [CURL, "-sS", "--proxy", server.url, "--cacert", ca.cert_path, "-H", f"Authorization: Bearer {token}",
         f"{ARM}{tenant.rg_id}?api-version={RG_API}"],
        capture_output=True, text=True, timeout=30, env=env, check=True)
    assert json.loads(out.stdout)["name"] == "rg1"
    out = subprocess.run([CURL, "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--proxy", server.url,
                          "https://example.com/"], capture_output=True, text=True, timeout=30, env=env)
    assert out.returncode != 0  # CONNECT refused: curl reports the proxy's 403


def test_every_answer_carries_exactly_one_date_header(server: AzShellServer, tenant: Tenant) -> None:
    """uvicorn's own Date is off: a plane that dates its answer (Data Lake) is not dated twice, the others once."""
    raw = _raw(server, b"GET /metadata/identity/oauth2/token?api-version=2018-02-01&resource=x HTTP/1.1\r\n"
                       b"Host: 127.0.0.1\r\nConnection: close\r\n\r\n")
    head = raw.split(b"\r\n\r\n", 1)[0].lower()
    assert head.count(b"\r\ndate: ") == 1, head

def test_a_tunnelled_data_lake_answer_is_dated_once(server: AzShellServer, ca: LocalCA) -> None:
    """The Data Lake plane dates its own answers; through a CONNECT tunnel they still carry one Date."""
    host = "anystore.azuredatalakestore.net"
    with _tunnel(server, ca, f"{host}:443", host) as tls:
        tls.sendall(f"GET /webhdfs/v1/?op=LISTSTATUS HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"
                    .encode())
        answer = b""
        while chunk := tls.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].lower()
    assert head.startswith(b"http/1.1 ") and head.count(b"\r\ndate: ") == 1, head
