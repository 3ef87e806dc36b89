"""``azshell serve`` over loopback: token endpoint requests/s next to moto_server's STS, Key Vault GET and ARM
through the TLS proxy (keep-alive tunnels), and a 10,000-request fuzz run.

Both servers run as subprocesses (``python -m azshell serve``, ``moto_server``) and are driven by the same load
generators: ``CONNECTIONS`` threads, each with its own keep-alive connection, sharing ``REQUESTS`` requests, with
either a lean raw-socket client (``RawClient``: it costs far less than the servers, so it measures them) or
``httpx.Client`` (which costs about as much per request as azshell's server, so it mostly measures itself). The
two servers alternate for ``ROUNDS`` rounds and the medians are compared, which evens out other load on the
machine. Target (issue 4): the token endpoint at ≥ 5× moto_server's ``GetSessionToken``. moto is optional
(``pip install 'moto[server]'``, not a project dependency); without it that line says so.

Run: ``python -m benchmarks server`` (``AZSHELL_BENCH_FUZZ=N`` changes the fuzz size).

``fuzz(...)`` is also what ``tests/server/test_fuzz.py`` runs (1,000 requests there, 10,000 here): random direct,
proxied, tunnelled and raw-socket requests, asserting no 5xx and a server still answering afterwards.
"""

from __future__ import annotations

import json
import os
import random
import re
import shutil
import signal
import socket
import ssl
import statistics
import string
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
REQUESTS = 2_000
CONNECTIONS = 8
ROUNDS = 3
FUZZ_REQUESTS = int(os.environ.get("AZSHELL_BENCH_FUZZ", "10000"))
READER_ROLE_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
TOKEN_PATH = "/metadata/identity/oauth2/token"
TOKEN_PARAMS = {"api-version": "2018-02-01", "resource": "https://management.azure.com/"}
RG_API = "2021-04-01"


# ------------------------------------------------------------------------------------------------ load generator
@dataclass
class LoadResult:
    requests: int
    seconds: float
    statuses: Counter[int]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0


def run_load(make_client: Callable[[], httpx.Client], send: Callable[[httpx.Client], httpx.Response],
             requests: int = REQUESTS, connections: int = CONNECTIONS) -> LoadResult:
    """``requests`` calls of ``send`` spread over ``connections`` threads, each with one keep-alive client."""
    clients = [make_client() for _ in range(connections)]
    for c in clients:  # warm up: connect (and TLS) before the clock starts
        send(c)
    remaining = [requests]
    lock = threading.Lock()
    statuses: Counter[int] = Counter()

    def worker(client: httpx.Client) -> None:
        local: Counter[int] = Counter()
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            local[send(client).status_code] += 1
        with lock:
            statuses.update(local)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    for c in clients:
        c.close()
    return LoadResult(requests, elapsed, statuses)


class RawClient:
    """A lean keep-alive HTTP/1.1 client over one socket (optionally through a CONNECT tunnel with TLS).

    The load generator must cost far less than the servers it measures: httpx spends about as much CPU per
    request as the server does, so on a small machine it measures itself. This one sends pre-built request
    bytes and reads ``Content-Length`` bodies, reconnecting when the server closes (HTTP/1.0-style servers).
    """

    def __init__(self, port: int, request: bytes, *, tunnel: str | None = None,
                 trust: ssl.SSLContext | None = None) -> None:
        self.port = port
        self.request = request
        self.tunnel = tunnel
        self.trust = trust
        self.sock: socket.socket | None = None
        self.buffer = b""

    def _connect(self) -> socket.socket:
        sock = socket.create_connection(("127.0.0.1", self.port), timeout=30)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.buffer = b""
        if self.tunnel is not None:
            sock.sendall(f"CONNECT {self.tunnel}:443 HTTP/1.1\r\nHost: {self.tunnel}:443\r\n\r\n".encode())
            head = b""
            while b"\r\n\r\n" not in head:
                chunk = sock.recv(4096)
                if not chunk:
                    raise ConnectionError("CONNECT refused")
                head += chunk
            assert self.trust is not None
            sock = self.trust.wrap_socket(sock, server_hostname=self.tunnel)
        return sock

    def send(self) -> int:
        """One request/response; returns the status code."""
        if self.sock is None:
            self.sock = self._connect()
        self.sock.sendall(self.request)
        while b"\r\n\r\n" not in self.buffer:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise ConnectionError("closed mid-response")
            self.buffer += chunk
        head, _, rest = self.buffer.partition(b"\r\n\r\n")
        lines = head.split(b"\r\n")
        status = int(lines[0].split()[1])
        length = 0
        close = lines[0].startswith(b"HTTP/1.0")
        for line in lines[1:]:
            name, _, value = line.partition(b":")
            lname = name.strip().lower()
            if lname == b"content-length":
                length = int(value)
            elif lname == b"connection":
                close = value.strip().lower() == b"close"
        while len(rest) < length:
            chunk = self.sock.recv(65536)
            if not chunk:
                break
            rest += chunk
        self.buffer = rest[length:]
        if close:
            self.close()
        return status

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
            self.sock = None


def run_raw_load(make_client: Callable[[], RawClient], requests: int = REQUESTS,
                 connections: int = CONNECTIONS) -> LoadResult:
    """``run_load`` with ``RawClient``s: the same bounded schedule, a cheaper client."""
    clients = [make_client() for _ in range(connections)]
    for c in clients:
        c.send()
    remaining = [requests]
    lock = threading.Lock()
    statuses: Counter[int] = Counter()

    def worker(client: RawClient) -> None:
        local: Counter[int] = Counter()
        while True:
            with lock:
                if remaining[0] <= 0:
                    break
                remaining[0] -= 1
            local[client.send()] += 1
        with lock:
            statuses.update(local)

    threads = [threading.Thread(target=worker, args=(c,)) for c in clients]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    for c in clients:
        c.close()
    return LoadResult(requests, elapsed, statuses)


# ------------------------------------------------------------------------------------------------ servers
def _scrubbed_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["PYTHONPATH"] = str(ROOT)
    return env


KV_VAULT = "benchkv"
KV_RESOURCE = "https://vault.azure.net"
KV_PARAMS = {"api-version": "2018-02-01", "resource": KV_RESOURCE}


def seed_state(path: str) -> dict[str, str]:
    """A state file with rg1, vm1 (system-assigned) and vm1 → Reader on rg1, and the Key Vault ``benchkv``
    (access policy: vm1 may get) holding the secret ``s1``; returns the IDs."""
    from azshell.http import make_client
    from azshell.planes.base import CallerContext
    from azshell.services.registry import open_world

    world = open_world(path)
    try:
        sub = world.default_subscription_id
        rg = world.backend.create_or_update_resource_group(sub, "rg1", "westus")
        vm = world.backend.create_or_update_vm(sub, "rg1", "vm1", "westus", identity_type="SystemAssigned")
        assert vm.identity is not None and vm.identity.principal_id is not None
        world.backend.create_role_assignment(scope=rg.id, role_definition_id=READER_ROLE_ID,
                                             principal_id=vm.identity.principal_id)
        admin = world.admin_user

        def bearer(resource: str) -> dict[str, str]:
            issued = world.tokens.issue_for_principal(principal=admin, resource=resource, kind="user")
            return {"Authorization": f"Bearer {issued.access_token}"}

        policies = [{"tenantId": world.tenant_id, "objectId": admin.object_id, "permissions": {"secrets": ["all"]}},
                    {"tenantId": world.tenant_id, "objectId": vm.identity.principal_id,
                     "permissions": {"secrets": ["get", "list"]}}]
        with make_client(world, lambda: CallerContext()) as client:
            r = client.put(f"https://management.azure.com{rg.id}/providers/Microsoft.KeyVault/vaults/{KV_VAULT}",
                           params={"api-version": "2023-07-01"}, headers=bearer("https://management.azure.com/"),
                           json={"location": "westus", "properties": {
                               "tenantId": world.tenant_id, "sku": {"family": "A", "name": "standard"},
                               "enableRbacAuthorization": False, "accessPolicies": policies}})
            assert r.status_code in (200, 201), r.text
            r = client.put(f"https://{KV_VAULT}.vault.azure.net/secrets/s1", params={"api-version": "7.4"},
                           headers=bearer(KV_RESOURCE), json={"value": "benchmark"})
            assert r.status_code == 200, r.text
        return {"subscription": sub, "rg": rg.id, "vm": vm.id, "vault": KV_VAULT}
    finally:
        world.close()


@contextmanager
def azshell_server(state: str, vm: str = "vm1") -> Iterator[dict[str, str]]:
    """``python -m azshell serve --port 0`` in a subprocess; yields its export variables."""
    proc = subprocess.Popen([sys.executable, "-m", "azshell", "serve", "--port", "0", "--state", state, "--vm", vm],
                            cwd=ROOT, env=_scrubbed_env(), stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True)
    assert proc.stdout is not None
    exports: dict[str, str] = {}
    try:
        while "SSL_CERT_FILE" not in exports:
            line = proc.stdout.readline()
            if not line:
                raise RuntimeError("azshell serve did not start")
            m = re.match(r"^export ([A-Z_]+)=(.*)$", line.strip())
            if m:
                exports[m.group(1)] = m.group(2)
        yield exports
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


@contextmanager
def moto_server() -> Iterator[str | None]:
    """moto_server on a free port, or None when moto is not installed."""
    exe = shutil.which("moto_server") or str(Path(sys.executable).parent / "moto_server")
    if not os.path.exists(exe):
        yield None
        return
    port = _free_port()
    proc = subprocess.Popen([exe, "-p", str(port)], env=_scrubbed_env(), stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{url}/moto-api/", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.1)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


STS_BODY = "Action=GetSessionToken&Version=2011-06-15"
STS_HEADERS = {
    "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
    "Authorization": "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20240101/us-east-1/sts/aws4_request, "
                     "SignedHeaders=content-type;host;x-amz-date, Signature=0",
    "X-Amz-Date": "20240101T000000Z",
}


# ------------------------------------------------------------------------------------------------ fuzzing
@dataclass
class FuzzReport:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)  # 5xx and unexpected client errors, with the request

    @property
    def server_errors(self) -> int:
        return sum(n for s, n in self.statuses.items() if s >= 500)


_GUID = "12345678-1234-1234-1234-123456789abc"
_FUZZ_PATHS = [
    "/", "/metadata/identity/oauth2/token", "/metadata/identity/oauth2/token/", "/metadata/instance",
    "/metadata/instance/compute", "/metadata/identity", "/metadata/", "/oauth2/token", "/MSI/token", "/msi/token",
    "/subscriptions", "/%2e%2e/etc/passwd", "/metadata/identity/oauth2/token%00", "/metadata//identity",
    "/" + "a" * 3000,
]
_ARM_PATHS = [
    "/subscriptions", "/subscriptions/{sub}", "/subscriptions/{sub}/resourcegroups", "/subscriptions/{sub}/resourceGroups/rg1",
    "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines/vm1",
    "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.Compute/virtualMachines",
    "/subscriptions/{sub}/resourceGroups/rg1/resources", "/subscriptions/{sub}/resources",
    "/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments",
    "/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions",
    f"/subscriptions/{{sub}}/providers/Microsoft.Authorization/roleAssignments/{_GUID}",
    "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.ManagedIdentity/userAssignedIdentities/u1",
    "/subscriptions/{sub}/resourceGroups/rg2", "/subscriptions/not-a-guid/resourceGroups/rg1", "/providers",
    "/subscriptions/{sub}/resourceGroups/rg1/providers/Microsoft.KeyVault/vaults/kv1", "/tenants", "/x/y/z",
]
_LOGIN_PATHS = ["/common/discovery/keys", "/{tenant}/v2.0/.well-known/openid-configuration",
                "/{tenant}/.well-known/openid-configuration", "/common/v2.0/.well-known/openid-configuration",
                "/{tenant}/discovery/v2.0/keys", "/{tenant}/oauth2/v2.0/token", "/nope"]
_METHODS = ["GET", "GET", "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"]
_API_VERSIONS = ["2018-02-01", "2019-08-01", "2021-04-01", "2022-12-01", "2017-09-01", "", "bogus", "2099-01-01",
                 "2015-07-01", "7.4"]
_RESOURCES = ["https://management.azure.com/", "https://management.azure.com", "https://vault.azure.net",
              "https://management.core.windows.net/", "", "x", "https://evil.example/", "https://storage.azure.com/"]


def _rand_text(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(string.ascii_letters + string.digits + "-._~%/:?=&+ ") for _ in range(n))


def _rand_query(rng: random.Random) -> dict[str, str]:
    q: dict[str, str] = {}
    if rng.random() < 0.9:
        q["api-version"] = rng.choice(_API_VERSIONS)
    if rng.random() < 0.6:
        q["resource"] = rng.choice(_RESOURCES)
    for name in ("client_id", "object_id", "msi_res_id", "mi_res_id", "principal_id", "$filter", "$top",
                 "$skiptoken", "bearer"):
        if rng.random() < 0.08:
            q[name] = rng.choice([_GUID, _rand_text(rng, rng.randint(0, 40)), "/subscriptions/x", "-1", "0"])
    return q


def _rand_body(rng: random.Random) -> bytes:
    roll = rng.random()
    if roll < 0.4:
        return b""
    if roll < 0.7:
        doc: dict[str, object] = {"location": rng.choice(["westus", "", 3, None]),
               "properties": rng.choice([{}, {"roleDefinitionId": _GUID, "principalId": _GUID}, [], "x", None]),
               "identity": rng.choice([{"type": "SystemAssigned"}, {"type": 7}, None, {"type": "UserAssigned",
                                       "userAssignedIdentities": {"/x": {}}}]),
               "tags": rng.choice([{"a": "b"}, {"a": 1}, "t", None])}
        return json.dumps({k: v for k, v in doc.items() if rng.random() < 0.7}).encode()
    if roll < 0.85:
        return _rand_text(rng, rng.randint(1, 200)).encode()
    return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 300)))


def _rand_headers(rng: random.Random, tokens: list[str]) -> dict[str, str]:
    h: dict[str, str] = {}
    if rng.random() < 0.7:
        h["Metadata"] = rng.choice(["true", "True", "false", "", "1"])
    if rng.random() < 0.6:
        h["Authorization"] = rng.choice([f"Bearer {t}" for t in tokens] + [
            "Bearer", "Bearer ", "Bearer x.y.z", "Basic YTpi", "bearer " + (tokens[0][:-5] + "AAAAA"),
            "Bearer " + ".".join(tokens[0].split(".")[:2]) + ".", _rand_text(rng, 30)])
    if rng.random() < 0.2:
        h["X-IDENTITY-HEADER"] = _rand_text(rng, 16)
    if rng.random() < 0.1:
        h["X-Forwarded-For"] = "10.0.0.1"
    if rng.random() < 0.2:
        h["Content-Type"] = rng.choice(["application/json", "application/x-www-form-urlencoded", "text/plain",
                                        "application/json; charset=utf-8"])
    return {k: v.strip() for k, v in h.items()}


_RAW_PROBES = [
    b"\r\n\r\n", b"GET\r\n\r\n", b"GET / HTTP/9.9\r\n\r\n", b"GET / HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nContent-Length: -1\r\n\r\n",
    b"POST / HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
    b"CONNECT\r\n\r\n", b"CONNECT :443 HTTP/1.1\r\n\r\n", b"CONNECT [::1 HTTP/1.1\r\n\r\n",
    b"CONNECT example.com:443 HTTP/1.1\r\n\r\n", b"CONNECT management.azure.com:443 HTTP/1.1\r\n\r\n\x16\x03",
    b"GET http://[bad/ HTTP/1.1\r\nHost: x\r\n\r\n", b"GET http://169.254.169.254:99999/ HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET * HTTP/1.1\r\nHost: x\r\n\r\n", b"OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
    b"GET /metadata/identity/oauth2/token?%zz=%ff HTTP/1.1\r\nHost: x\r\nMetadata: true\r\n\r\n",
]


def _raw_status(port: int, data: bytes) -> int | None:
    """Send raw bytes; the status code of the answer (None when the server just closes, as for garbage)."""
    with socket.create_connection(("127.0.0.1", port), timeout=5) as s:
        s.sendall(data)
        s.shutdown(socket.SHUT_WR)
        head = b""
        try:
            while b"\r\n" not in head:
                chunk = s.recv(4096)
                if not chunk:
                    break
                head += chunk
        except (TimeoutError, ConnectionResetError):
            return None
    m = re.match(rb"HTTP/1\.[01] (\d{3})", head)
    return int(m.group(1)) if m else None


def fuzz(url: str, ca_path: str, requests: int = FUZZ_REQUESTS, *, seed: int = 4, subscription: str = _GUID,
         tenant: str = _GUID, valid_token: str | None = None) -> FuzzReport:
    """Send ``requests`` random requests to ``azshell serve`` at ``url`` and count the statuses.

    A fixed ``seed`` makes a run repeatable. The mix: direct token-path requests, proxied absolute URIs (to
    emulated and foreign hosts), tunnelled HTTPS requests to ARM, login and Key Vault host names, and raw
    malformed bytes. Client-side failures the server causes on purpose (a refused CONNECT) are counted as 403.
    """
    rng = random.Random(seed)
    port = int(url.rsplit(":", 1)[1])
    report = FuzzReport()
    trust = ssl.create_default_context(cafile=ca_path)
    timeout = httpx.Timeout(10.0)
    direct = httpx.Client(timeout=timeout, trust_env=False)
    proxied = httpx.Client(proxy=url, timeout=timeout, trust_env=False)
    tunnelled = httpx.Client(proxy=url, verify=trust, timeout=timeout, trust_env=False)
    tokens = [valid_token] if valid_token else ["x.y.z"]
    hosts_tls = ["management.azure.com", "login.microsoftonline.com", "kv1.vault.azure.net",
                 "store1.azuredatalakestore.net"]
    try:
        for _i in range(requests):
            kind = rng.random()
            method = rng.choice(_METHODS)
            headers = _rand_headers(rng, tokens)
            body = _rand_body(rng) if method in ("POST", "PUT", "PATCH") or rng.random() < 0.05 else b""
            query = _rand_query(rng)
            label = ""
            try:
                if kind < 0.05:
                    probe = rng.choice(_RAW_PROBES)
                    label = f"raw {probe[:60]!r}"
                    status = _raw_status(port, probe)
                    if status is not None:
                        report.statuses[status] += 1
                    else:
                        report.statuses[0] += 1
                    report.requests += 1
                    continue
                if kind < 0.35:
                    path = rng.choice(_FUZZ_PATHS)
                    label = f"{method} {url}{path[:80]}"
                    r = direct.request(method, f"{url}{path}", params=query, headers=headers, content=body)
                elif kind < 0.5:
                    host = rng.choice(["169.254.169.254", "localhost:50342", "example.com", "management.azure.com",
                                       "127.0.0.1:50342", "169.254.169.254:81"])
                    path = rng.choice(_FUZZ_PATHS)
                    label = f"{method} http://{host}{path[:80]}"
                    r = proxied.request(method, f"http://{host}{path}", params=query, headers=headers, content=body)
                else:
                    host = rng.choice(hosts_tls if rng.random() < 0.97 else ["example.com", "evil.vault.azure.net.x"])
                    if host == "management.azure.com":
                        path = rng.choice(_ARM_PATHS).format(sub=subscription)
                    elif host == "login.microsoftonline.com":
                        path = rng.choice(_LOGIN_PATHS).format(tenant=tenant)
                    else:
                        path = rng.choice(["/secrets", "/secrets/s1", "/secrets/s1/", "/webhdfs/v1/",
                                           "/webhdfs/v1/a?op=LISTSTATUS", "/"])
                    label = f"{method} https://{host}{path}"
                    r = tunnelled.request(method, f"https://{host}{path}", params=query, headers=headers,
                                          content=body)
                report.statuses[r.status_code] += 1
                report.requests += 1
                if r.status_code >= 500:
                    report.failures.append(f"{r.status_code} {label}: {r.text[:200]}")
            except httpx.ProxyError as exc:  # CONNECT refused: the proxy's 403
                report.requests += 1
                code = 403 if "403" in str(exc) else 599
                report.statuses[code] += 1
                if code != 403:
                    report.failures.append(f"proxy error {label}: {exc}")
            except httpx.HTTPError as exc:
                report.requests += 1
                report.statuses[598] += 1
                report.failures.append(f"transport error {label}: {type(exc).__name__}: {exc}")
    finally:
        direct.close()
        proxied.close()
        tunnelled.close()
    return report


# ------------------------------------------------------------------------------------------------ main
def _line(label: str, result: LoadResult, note: str = "") -> None:
    print(f"  {label:<44}: {result.rate:8.0f} req/s  statuses {dict(result.statuses)}{note}")


def main() -> None:
    folder = tempfile.mkdtemp(prefix="azshell-bench-")
    try:
        state = os.path.join(folder, "state.db")
        ids = seed_state(state)
        print(f"  load: {REQUESTS} requests over {CONNECTIONS} keep-alive connections (threads) per round; raw = lean "
              f"socket client, httpx = httpx.Client; token endpoint and moto alternate for {ROUNDS} rounds, "
              "median shown")
        with azshell_server(state) as env, moto_server() as moto:
            url = env["HTTPS_PROXY"]
            port = int(url.rsplit(":", 1)[1])
            ca_path = env["SSL_CERT_FILE"]
            trust = ssl.create_default_context(cafile=ca_path)
            token_url = f"{url}{TOKEN_PATH}"
            token_req = (f"GET {TOKEN_PATH}?api-version=2018-02-01&resource=https://management.azure.com/ HTTP/1.1"
                         f"\r\nHost: 127.0.0.1:{port}\r\nMetadata: true\r\n\r\n").encode()
            sts_req = b""
            if moto is not None:
                moto_port = int(moto.rsplit(":", 1)[1])
                head = "".join(f"{k}: {v}\r\n" for k, v in STS_HEADERS.items())
                sts_req = (f"POST / HTTP/1.1\r\nHost: 127.0.0.1:{moto_port}\r\n{head}"
                           f"Content-Length: {len(STS_BODY)}\r\n\r\n{STS_BODY}").encode()
            ours: list[LoadResult] = []
            theirs: list[LoadResult] = []
            for _ in range(ROUNDS):
                ours.append(run_raw_load(lambda: RawClient(port, token_req)))
                if moto is not None:
                    theirs.append(run_raw_load(lambda: RawClient(moto_port, sts_req)))
            _rounds("azshell token endpoint (raw)", ours)
            ours_httpx = run_load(lambda: httpx.Client(trust_env=False),
                                  lambda c: c.get(token_url, params=TOKEN_PARAMS, headers={"Metadata": "true"}))
            _line("azshell token endpoint (httpx)", ours_httpx)
            if moto is not None:
                _rounds("moto_server STS GetSessionToken (raw)", theirs)
                theirs_httpx = run_load(lambda: httpx.Client(trust_env=False),
                                        lambda c: c.post(moto, content=STS_BODY, headers=STS_HEADERS))
                _line("moto_server STS GetSessionToken (httpx)", theirs_httpx)
                print(f"  azshell / moto: {_median(ours) / _median(theirs):.1f}x raw (medians), "
                      f"{ours_httpx.rate / theirs_httpx.rate:.1f}x httpx  (target >= 5x)")
            else:
                print("  moto_server STS: not installed (pip install 'moto[server]')")
            token = httpx.get(token_url, params=TOKEN_PARAMS, headers={"Metadata": "true"}).json()["access_token"]
            arm_req = (f"GET {ids['rg']}?api-version={RG_API} HTTP/1.1\r\nHost: management.azure.com\r\n"
                       f"Authorization: Bearer {token}\r\n\r\n").encode()
            arm = run_raw_load(lambda: RawClient(port, arm_req, tunnel="management.azure.com", trust=trust))
            _line("ARM GET rg via CONNECT+TLS proxy (raw)", arm)
            kv_token = httpx.get(token_url, params=KV_PARAMS, headers={"Metadata": "true"}).json()["access_token"]
            kv_host = f"{ids['vault']}.vault.azure.net"
            kv_req = (f"GET /secrets/s1/?api-version=7.4 HTTP/1.1\r\nHost: {kv_host}\r\n"
                      f"Authorization: Bearer {kv_token}\r\n\r\n").encode()
            kv = run_raw_load(lambda: RawClient(port, kv_req, tunnel=kv_host, trust=trust))
            _line("Key Vault GET secret via CONNECT+TLS (raw)", kv, " (keep-alive)")
            kv_url = f"https://{kv_host}/secrets/s1/"
            kv_httpx = run_load(lambda: httpx.Client(proxy=url, verify=trust, trust_env=False),
                                lambda c: c.get(kv_url, params={"api-version": "7.4"},
                                                headers={"Authorization": f"Bearer {kv_token}"}))
            _line("Key Vault GET secret via CONNECT+TLS (httpx)", kv_httpx, " (keep-alive)")
            arm_url = f"https://management.azure.com{ids['rg']}"
            arm_httpx = run_load(lambda: httpx.Client(proxy=url, verify=trust, trust_env=False),
                                 lambda c: c.get(arm_url, params={"api-version": RG_API},
                                                 headers={"Authorization": f"Bearer {token}"}))
            _line("ARM GET rg via CONNECT+TLS proxy (httpx)", arm_httpx)
            t0 = time.perf_counter()
            report = fuzz(url, ca_path, FUZZ_REQUESTS, subscription=ids["subscription"], valid_token=token)
            alive = httpx.get(token_url, params=TOKEN_PARAMS, headers={"Metadata": "true"}).status_code
            print(f"  fuzz: {report.requests} requests in {time.perf_counter() - t0:.1f} s, "
                  f"{report.server_errors} 5xx, still serving: {alive == 200}")
            print(f"        statuses {dict(sorted(report.statuses.items()))} (0 = closed without an answer)")
            for failure in report.failures[:10]:
                print(f"    ! {failure}")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _median(results: list[LoadResult]) -> float:
    return statistics.median(r.rate for r in results)


def _rounds(label: str, results: list[LoadResult]) -> None:
    rates = ", ".join(f"{r.rate:.0f}" for r in results)
    print(f"  {label:<44}: {_median(results):8.0f} req/s  (rounds: {rates})")


if __name__ == "__main__":
    main()
