"""``python -m azshell serve`` as a user runs it: export lines, signals, exit codes, the state file after."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from azshell.services.registry import open_world

from .conftest import seed_tenant, token_query

ROOT = Path(__file__).resolve().parents[2]
EXPORT = re.compile(r"^export ([A-Z_]+)=(.*)$")


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["PYTHONPATH"] = str(ROOT)
    return env


class Served:
    def __init__(self, proc: subprocess.Popen[str], exports: dict[str, str]) -> None:
        self.proc = proc
        self.exports = exports


def _start(*args: str) -> Served:
    proc = subprocess.Popen([sys.executable, "-m", "azshell", "serve", "--port", "0", *args], cwd=ROOT, env=_env(),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    exports: dict[str, str] = {}
    deadline = time.monotonic() + 30
    while "SSL_CERT_FILE" not in exports and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        m = EXPORT.match(line.rstrip("\n"))
        assert m, f"not an export line: {line!r}"
        exports[m.group(1)] = m.group(2)
    if "SSL_CERT_FILE" not in exports:
        proc.kill()
        _, err = proc.communicate(timeout=10)
        pytest.fail(f"server did not start: {err}")
    return Served(proc, exports)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[str]:
    path = str(tmp_path / "state.db")
    seed_tenant(path).world.close()
    yield path


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_serve_prints_exports_serves_and_stops_cleanly(state: str, sig: signal.Signals) -> None:
    served = _start("--state", state, "--vm", "vm1")
    proc = served.proc
    try:
        url = served.exports["HTTPS_PROXY"]
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+", url)
        assert served.exports["AZURE_POD_IDENTITY_AUTHORITY_HOST"] == url
        assert served.exports["NO_PROXY"] == "127.0.0.1,localhost"
        ca_path = os.path.join(os.path.dirname(state), "ca", "ca.pem")
        assert served.exports["REQUESTS_CA_BUNDLE"] == served.exports["SSL_CERT_FILE"] == ca_path
        assert served.exports["NODE_EXTRA_CA_CERTS"] == ca_path  # node ignores SSL_CERT_FILE
        assert list(served.exports) == ["HTTPS_PROXY", "NO_PROXY", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
                                        "REQUESTS_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "SSL_CERT_FILE"]
        assert os.path.exists(ca_path)
        r = httpx.get(f"{url}/metadata/identity/oauth2/token", params=token_query(), headers={"Metadata": "true"})
        assert r.status_code == 200
    finally:
        proc.send_signal(sig)
        out, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err
    assert "Traceback" not in err
    world = open_world(state)
    try:
        assert world.store.integrity_check() == "ok"
        assert [r.name for r in world.store.list_resources(type="Microsoft.Compute/virtualMachines")] == ["vm1"]
    finally:
        world.close()


def test_sigterm_under_load_leaves_the_state_intact(state: str) -> None:
    served = _start("--state", state, "--vm", "vm1")
    url = served.exports["HTTPS_PROXY"]
    stop = time.monotonic() + 1.0
    statuses: list[int] = []
    import threading

    def load() -> None:
        with httpx.Client() as client:
            while time.monotonic() < stop + 5:
                try:
                    statuses.append(client.get(f"{url}/metadata/identity/oauth2/token", params=token_query(),
                                               headers={"Metadata": "true"}).status_code)
                except httpx.HTTPError:
                    return

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    while time.monotonic() < stop:
        time.sleep(0.05)
    served.proc.send_signal(signal.SIGTERM)
    _, err = served.proc.communicate(timeout=30)
    for t in threads:
        t.join(timeout=30)
    assert served.proc.returncode == 0, err
    assert statuses and all(s == 200 for s in statuses)
    world = open_world(state)
    try:
        assert world.store.integrity_check() == "ok"
    finally:
        world.close()


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "azshell", "serve", *args], cwd=ROOT, env=_env(),
                          capture_output=True, text=True, timeout=60)


def test_unknown_vm_is_one_line_and_exit_1(state: str) -> None:
    done = _run("--port", "0", "--state", state, "--vm", "nope")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1 and "No VM named 'nope'" in done.stderr


def test_port_in_use_is_one_line_and_exit_1(state: str) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        done = _run("--port", str(port), "--state", state, "--vm", "vm1")
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith(f"azshell serve: cannot listen on 127.0.0.1:{port}")
    assert "Traceback" not in done.stderr


def test_memory_state_uses_a_temporary_ca_removed_at_exit() -> None:
    served = _start("--state", ":memory:")
    ca_path = served.exports["SSL_CERT_FILE"]
    try:
        assert os.path.exists(ca_path)
        r = httpx.get(f"{served.exports['HTTPS_PROXY']}/metadata/identity/oauth2/token", params=token_query(),
                      headers={"Metadata": "true"})
        assert r.status_code == 403 and "--vm" in r.text
    finally:
        served.proc.send_signal(signal.SIGTERM)
        served.proc.communicate(timeout=20)
    assert served.proc.returncode == 0
    assert not os.path.exists(ca_path)


def test_ca_is_created_once_and_reused(state: str) -> None:
    first = _start("--state", state)
    ca_path = first.exports["SSL_CERT_FILE"]
    first.proc.send_signal(signal.SIGTERM)
    first.proc.communicate(timeout=20)
    pem = Path(ca_path).read_bytes()
    second = _start("--state", state)
    second.proc.send_signal(signal.SIGTERM)
    second.proc.communicate(timeout=20)
    assert Path(ca_path).read_bytes() == pem
