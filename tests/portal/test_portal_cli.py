"""``azshell portal``: the server of ``azshell serve`` with the portal's URL as the first line of output."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.server.conftest import seed_tenant

ROOT = Path(__file__).resolve().parents[2]


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if "PROXY" not in k.upper()}
    env["PYTHONPATH"] = str(ROOT)
    return env


def test_portal_prints_its_url_first_and_serves_pages_and_token_paths(tmp_path: Path) -> None:
    state = str(tmp_path / "state.db")
    seed_tenant(state).world.close()
    proc = subprocess.Popen([sys.executable, "-m", "azshell", "--state", state, "portal", "--port", "0"], cwd=ROOT,
                            env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        first = proc.stdout.readline().rstrip("\n")
        assert re.fullmatch(r"http://127\.0\.0\.1:\d+/", first), first
        rest = [proc.stdout.readline().rstrip("\n") for _ in range(6)]
        assert rest[0].startswith("export HTTPS_PROXY=") and rest[-1].startswith("export SSL_CERT_FILE=")
        deadline = time.monotonic() + 30
        while True:
            try:
                home = httpx.get(first, timeout=5, trust_env=False)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "the portal did not answer"
                time.sleep(0.2)
        assert home.status_code == 200 and home.headers["content-type"].startswith("text/html")
        assert "Azure subscription 1" in home.text and ">vm1</a>" in home.text
        css = httpx.get(f"{first}static/portal.css", timeout=5, trust_env=False)
        assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
        # the token paths are still the token endpoints (no --vm: they answer for no host)
        token = httpx.get(f"{first}metadata/identity/oauth2/token?api-version=2018-02-01&resource=x",
                          headers={"Metadata": "true"}, timeout=5, trust_env=False)
        assert token.status_code == 403 and token.json()["error"] == "unreachable"
        # a cross-site form post is refused
        refused = httpx.post(f"{first}subscriptions/x?blade=iam", data={"blade": "iam", "action": "remove"},
                             headers={"Origin": "http://evil.example"}, timeout=5, trust_env=False)
        assert refused.status_code == 403
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert "the Azure portal is at http://127.0.0.1:" in err and "Traceback" not in err
