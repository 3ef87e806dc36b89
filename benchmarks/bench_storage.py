"""The Blob service: small Shared-Key GETs per second and a 5 MB upload, through ``azshell serve`` and straight to
Azurite (the storage emulator users already run), side by side in one run.

Both servers are subprocesses: ``python -m azshell serve`` (reached as the real host name
``{account}.blob.core.windows.net`` through its CONNECT proxy, with TLS from the local CA — what an SDK pointed at
Azure does) and ``azurite-blob`` (plain HTTP on loopback, path-style URLs, its well-known ``devstoreaccount1``
key — what a developer pointed at Azurite does). Azurite comes from npm (``npm install azurite`` into a folder
under the temp dir, reused between runs; ``AZSHELL_AZURITE_DIR`` names another). Shared Key on both sides.

* small GETs: a 1 KiB blob, ``REQUESTS`` requests over ``CONNECTIONS`` keep-alive connections with the lean
  raw-socket client of ``bench_server`` (pre-signed request bytes), ``ROUNDS`` alternating rounds, medians;
* 5 MB upload: ``azure-storage-blob``'s ``upload_blob`` (one Put Blob), ``UPLOADS`` times each, median.

Run: ``python -m benchmarks storage``. Not a test: it prints the figures and the ratios.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import shutil
import signal
import socket
import ssl
import statistics
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from email.utils import formatdate
from pathlib import Path

from benchmarks.bench_server import RawClient, _free_port, _scrubbed_env, azshell_server, run_raw_load

REQUESTS = 2_000
CONNECTIONS = 8
ROUNDS = 3
UPLOADS = 5
UPLOAD_SIZE = 5 * 1024 * 1024
ACCOUNT = "benchstore"
CONTAINER = "bench"
SMALL = "small.txt"
VERSION = "2021-08-06"
AZURITE_ACCOUNT = "devstoreaccount1"
#: Azurite's published development key (the same in every install).
AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
AZURITE_DIR = Path(os.environ.get("AZSHELL_AZURITE_DIR", Path(tempfile.gettempdir()) / "azshell-bench-azurite"))


def _sign(method: str, account: str, resource_path: str, key: str, headers: dict[str, str]) -> str:
    """Shared Key over the REST reference's string-to-sign (no body, no query)."""
    xms = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()) if k.startswith("x-ms-"))
    sts = method + "\n" * 12 + xms + f"/{account}{resource_path}"
    return base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()


def _get_request(host: str, path: str, account: str, signed_path: str, key: str) -> bytes:
    headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": VERSION}
    sig = _sign("GET", account, signed_path, key, headers)
    lines = [f"GET {path} HTTP/1.1", f"Host: {host}", *(f"{k}: {v}" for k, v in headers.items()),
             f"Authorization: SharedKey {account}:{sig}"]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def seed(path: str) -> str:
    """A state file with rg1, vm1 and the account ``benchstore`` (container ``bench``, a 1 KiB blob); its key."""
    from azshell.http import make_client
    from azshell.planes.base import CallerContext
    from azshell.services.registry import open_world
    from benchmarks.bench_server import seed_state

    ids = seed_state(path)
    world = open_world(path)
    try:
        token = world.tokens.issue_for_principal(principal=world.admin_user, resource="https://management.azure.com/",
                                                 kind="user").access_token
        arm = {"Authorization": f"Bearer {token}"}
        with make_client(world, lambda: CallerContext()) as client:
            url = f"https://management.azure.com{ids['rg']}/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}"
            r = client.put(url, params={"api-version": "2023-01-01"}, headers=arm,
                           json={"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}})
            assert r.status_code in (200, 201), r.text
            key = str(client.post(url + "/listKeys", params={"api-version": "2023-01-01"},
                                  headers=arm).json()["keys"][0]["value"])
        _prepare(f"https://{ACCOUNT}.blob.core.windows.net", ACCOUNT, key, make_client(world))
        return key
    finally:
        world.close()


def _prepare(base: str, account: str, key: str, client: object, *, path_prefix: str = "") -> None:
    """Create the container and the 1 KiB blob (Shared Key, through ``client``)."""
    import httpx

    assert isinstance(client, httpx.Client)
    for method, path, extra, body in (
            ("PUT", f"/{CONTAINER}?restype=container", {}, b""),
            ("PUT", f"/{CONTAINER}/{SMALL}", {"x-ms-blob-type": "BlockBlob"}, b"x" * 1024)):
        headers = {"x-ms-date": formatdate(usegmt=True), "x-ms-version": VERSION, **extra}
        resource, _, query = path.partition("?")
        xms = "".join(f"{k}:{v}\n" for k, v in sorted(headers.items()) if k.startswith("x-ms-"))
        canon = f"/{account}{path_prefix}{resource}" + "".join(
            f"\n{k}:{v}" for k, v in sorted(p.split("=", 1) for p in query.split("&") if p))
        length = str(len(body)) if body else ""
        sts = "\n".join([method, "", "", length, "", "", "", "", "", "", "", ""]) + "\n" + xms + canon
        sig = base64.b64encode(hmac.new(base64.b64decode(key), sts.encode(), hashlib.sha256).digest()).decode()
        headers["Authorization"] = f"SharedKey {account}:{sig}"
        r = client.request(method, f"{base}{path_prefix}{path}", headers=headers, content=body)
        assert r.status_code in (201, 409), r.text


@contextmanager
def azurite() -> Iterator[int | None]:
    """``azurite-blob`` on a free port (installed with npm on first use), or None when npm is not there."""
    exe = AZURITE_DIR / "node_modules" / ".bin" / "azurite-blob"
    if not exe.exists():
        npm = shutil.which("npm")
        if npm is None:
            yield None
            return
        AZURITE_DIR.mkdir(parents=True, exist_ok=True)
        subprocess.run([npm, "install", "--no-audit", "--no-fund", "--silent", "azurite@3"], cwd=AZURITE_DIR,
                       check=False, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
        if not exe.exists():
            yield None
            return
    port = _free_port()
    data = tempfile.mkdtemp(prefix="azurite-")
    proc = subprocess.Popen([str(exe), "--blobHost", "127.0.0.1", "--blobPort", str(port), "--location", data,
                             "--silent", "--skipApiVersionCheck", "--loose"], env=_scrubbed_env(),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 30
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.2)
        yield port
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
        shutil.rmtree(data, ignore_errors=True)


def _upload_seconds(client: object) -> float:
    payload = os.urandom(UPLOAD_SIZE)
    times = []
    for i in range(UPLOADS):
        blob = client.get_blob_client(CONTAINER, f"upload-{i}.bin")  # type: ignore[attr-defined]
        t0 = time.perf_counter()
        blob.upload_blob(payload, overwrite=True)
        times.append(time.perf_counter() - t0)
        assert blob.get_blob_properties().size == UPLOAD_SIZE
    return statistics.median(times)


def main() -> None:
    import httpx

    try:
        from azure.storage.blob import BlobServiceClient
    except ImportError:
        print("  azure-storage-blob is not installed (pip install -e '.[test]'): no figures")
        return
    with tempfile.TemporaryDirectory() as tmp:
        state = str(Path(tmp) / "state.db")
        key = seed(state)
        with azshell_server(state) as env, azurite() as az_port:
            url = env["HTTPS_PROXY"]
            port = int(url.rsplit(":", 1)[1])
            ca_path = env["SSL_CERT_FILE"]
            trust = ssl.create_default_context(cafile=ca_path)
            host = f"{ACCOUNT}.blob.core.windows.net"
            ours_req = _get_request(host, f"/{CONTAINER}/{SMALL}", ACCOUNT, f"/{CONTAINER}/{SMALL}", key)
            theirs_req = b""
            if az_port is not None:
                with httpx.Client(trust_env=False) as c:
                    _prepare(f"http://127.0.0.1:{az_port}", AZURITE_ACCOUNT, AZURITE_KEY, c,
                             path_prefix=f"/{AZURITE_ACCOUNT}")
                theirs_req = _get_request(f"127.0.0.1:{az_port}", f"/{AZURITE_ACCOUNT}/{CONTAINER}/{SMALL}",
                                          AZURITE_ACCOUNT, f"/{AZURITE_ACCOUNT}/{CONTAINER}/{SMALL}", AZURITE_KEY)
            ours, theirs = [], []
            for _ in range(ROUNDS):
                r = run_raw_load(lambda: RawClient(port, ours_req, tunnel=host, trust=trust), REQUESTS, CONNECTIONS)
                assert set(r.statuses) == {200}, r.statuses
                ours.append(r.rate)
                if az_port is not None:
                    t = run_raw_load(lambda: RawClient(az_port, theirs_req), REQUESTS, CONNECTIONS)
                    assert set(t.statuses) == {200}, t.statuses
                    theirs.append(t.rate)
            ours_rate = statistics.median(ours)
            print(f"  small blob GET (1 KiB, Shared Key), azshell serve (TLS tunnel): {ours_rate:8.0f} req/s")
            svc = BlobServiceClient(f"https://{host}", credential={"account_name": ACCOUNT, "account_key": key},
                                    proxies={"https": url}, connection_verify=ca_path)
            ours_up = _upload_seconds(svc)
            if az_port is None:
                print("  Azurite: npm is not available here; no side-by-side figures")
                print(f"  5 MB upload (upload_blob), azshell serve: {ours_up * 1000:7.0f} ms")
                return
            theirs_rate = statistics.median(theirs)
            print(f"  small blob GET (1 KiB, Shared Key), Azurite (plain HTTP):      {theirs_rate:8.0f} req/s")
            print(f"    ratio azshell/Azurite: {ours_rate / theirs_rate:.2f}")
            conn = (f"DefaultEndpointsProtocol=http;AccountName={AZURITE_ACCOUNT};AccountKey={AZURITE_KEY};"
                    f"BlobEndpoint=http://127.0.0.1:{az_port}/{AZURITE_ACCOUNT};")
            theirs_up = _upload_seconds(BlobServiceClient.from_connection_string(conn))
            print(f"  5 MB upload (upload_blob, one Put Blob), azshell serve: {ours_up * 1000:7.0f} ms")
            print(f"  5 MB upload (upload_blob, one Put Blob), Azurite:       {theirs_up * 1000:7.0f} ms")
            print(f"    ratio azshell/Azurite (time): {ours_up / theirs_up:.2f}")


if __name__ == "__main__":
    main()
