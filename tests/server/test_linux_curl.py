"""curl running the Linux tutorials' commands (reference/tutorials/*linux*.sh.txt) through ``azshell serve``.

Each command is the tutorial's, with the placeholders filled in; curl reaches the real Azure host names either
with ``-x``/``--proxy --cacert`` on the command line or, for the verbatim commands, with the variables
``azshell serve`` prints (``HTTPS_PROXY``; curl reads its CA file from ``CURL_CA_BUNDLE``, and takes
``http_proxy`` only in lower case). Skipped when curl is not installed.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from azshell.http import make_client
from azshell.planes.base import CallerContext
from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from tests.conftest import needs_tool

from .conftest import ARM, Tenant
from .test_real_clients import KV_RESOURCE, Services, seed_services

CURL = shutil.which("curl")
pytestmark = [pytest.mark.slow, needs_tool("curl")]
IMDS = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource="


def curl(*args: str, env: dict[str, str] | None = None, cwd: Path | None = None) -> str:
    assert CURL is not None
    out = subprocess.run([CURL, "-sS", *args], capture_output=True, text=True, timeout=30, cwd=cwd,
                         env={"PATH": "/usr/bin:/bin", **(env or {})})
    assert out.returncode == 0, out.stderr
    return out.stdout


def access_token(stdout: str) -> str:
    """The tutorials' ``python -c 'import sys, json; print(json.load(sys.stdin)["access_token"])'``."""
    token: str = json.loads(stdout)["access_token"]
    return token


@pytest.fixture
def seeded(server: AzShellServer, tenant: Tenant) -> Services:
    svc = seed_services(tenant)
    world = tenant.world
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=KV_RESOURCE, kind="user")
    with make_client(world, lambda: CallerContext()) as client:
        r = client.put(f"{svc.policy_vault_url}/secrets/mysecret?api-version=7.4", json={"value": "s3cr3t"},
                       headers={"Authorization": f"Bearer {token.access_token}"})
        assert r.status_code == 200, r.text
    return svc


def proxy_env(server: AzShellServer, ca: LocalCA) -> dict[str, str]:
    return {"HTTPS_PROXY": server.url, "http_proxy": server.url, "CURL_CA_BUNDLE": ca.cert_path}


def test_curl_arm_tutorial(server: AzShellServer, tenant: Tenant, ca: LocalCA) -> None:
    """current-linux-vm-access-arm: IMDS token with -x, then ARM with --proxy --cacert."""
    token = access_token(curl(IMDS + "https://management.azure.com/", "-H", "Metadata:true", "-x", server.url))
    body = json.loads(curl("--proxy", server.url, "--cacert", ca.cert_path,
                           f"{ARM}/subscriptions/{tenant.subscription_id}/resourceGroups/rg1?api-version=2016-09-01",
                           "-H", f"Authorization: Bearer {token}"))
    assert body["name"] == "rg1" and body["properties"]["provisioningState"] == "Succeeded"
    # 2017 tutorial: the MSI VM extension, POST form body — unreachable until the VM has the extension
    old_cmd = ("http://localhost:50342/oauth2/token", "--data", "resource=https://management.azure.com/",
               "-H", "Metadata:true", "-x", server.url, "--noproxy", "")
    assert json.loads(curl(*old_cmd))["error"] == "unreachable"
    world = tenant.world
    arm_token = world.tokens.issue_for_principal(principal=world.admin_user, resource="https://management.azure.com/",
                                                 kind="user").access_token
    with make_client(world, lambda: CallerContext()) as client:
        r = client.put(f"{ARM}{tenant.vm_id}/extensions/ManagedIdentityExtensionForLinux?api-version=2023-03-01",
                       headers={"Authorization": f"Bearer {arm_token}"},
                       json={"location": "westus", "properties": {
                           "publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForLinux",
                           "typeHandlerVersion": "1.0", "settings": {"port": 50342}}})
        assert r.status_code in (200, 201), r.text
    old = access_token(curl("http://localhost:50342/oauth2/token", "--data", "resource=https://management.azure.com/",
                            "-H", "Metadata:true", "-x", server.url, "--noproxy", ""))
    assert old.count(".") == 2


def test_curl_key_vault_tutorial(server: AzShellServer, seeded: Services, ca: LocalCA) -> None:
    """current-linux-vm-access-nonaad-keyvault, verbatim, with serve's variables in the environment."""
    env = proxy_env(server, ca)
    token = access_token(curl(IMDS + "https%3A%2F%2Fvault.azure.net", "-H", "Metadata:true", env=env))
    secret = json.loads(curl(f"{seeded.policy_vault_url}/secrets/mysecret?api-version=2016-10-01",
                             "-H", f"Authorization: Bearer {token}", env=env))
    assert secret["value"] == "s3cr3t"
    assert secret["id"].startswith(f"{seeded.policy_vault_url}/secrets/mysecret/")
    # without a token: Key Vault's challenge
    head = curl("-i", f"{seeded.policy_vault_url}/secrets/mysecret?api-version=2016-10-01", env=env)
    assert "\nHTTP/1.1 401 Unauthorized" in head and "www-authenticate: bearer authorization=" in head.lower()


def test_curl_data_lake_tutorial(server: AzShellServer, seeded: Services, ca: LocalCA, tmp_path: Path) -> None:
    """current-linux-vm-access-datalake: LISTSTATUS, then ``curl -i -X PUT -L -T Test1.txt ...?op=CREATE``."""
    env = proxy_env(server, ca)
    token = access_token(curl(IMDS + "https%3A%2F%2Fdatalake.azure.net%2F", "-H", "Metadata:true", env=env))
    adls = f"https://{seeded.store}.azuredatalakestore.net/webhdfs/v1"
    auth = f"Authorization: Bearer {token}"
    listing = json.loads(curl(f"{adls}/?op=LISTSTATUS", "-H", auth, env=env))
    assert {s["pathSuffix"] for s in listing["FileStatuses"]["FileStatus"]} == {"private"}
    assert json.loads(curl("-X", "PUT", f"{adls}/TestFolder?op=MKDIRS", "-H", auth, env=env)) == {"boolean": True}
    (tmp_path / "Test1.txt").write_text("Test file.\n")
    out = curl("-i", "-X", "PUT", "-L", "-T", "Test1.txt", "-H", auth, f"{adls}/TestFolder/Test1.txt?op=CREATE",
               env=env, cwd=tmp_path)
    heads = [line for line in out.splitlines() if line.startswith("HTTP/1.1")
             and not line.startswith(("HTTP/1.1 100", "HTTP/1.1 200 Connection established"))]
    assert heads == ["HTTP/1.1 307 Temporary Redirect", "HTTP/1.1 201 Created"], out
    assert "op=CREATE&write=true" in out
    assert curl(f"{adls}/TestFolder/Test1.txt?op=OPEN&read=true", "-H", auth, env=env) == "Test file.\n"
    denied = curl("-i", f"{adls}/private?op=LISTSTATUS", "-H", auth, env=env)
    assert "\nHTTP/1.1 403 Forbidden" in denied and "AccessControlException" in denied


def test_curl_cannot_leave_the_machine(server: AzShellServer, ca: LocalCA) -> None:
    assert CURL is not None
    out = subprocess.run([CURL, "-sS", "https://example.com/"], capture_output=True, text=True, timeout=30,
                         env={"PATH": "/usr/bin:/bin", **proxy_env(server, ca)})
    assert out.returncode != 0 and "403" in out.stderr
