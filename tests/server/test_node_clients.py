"""Node's Azure SDK against ``azshell serve`` with exactly the variables serve prints (issue 15, "Clients in other
languages").

``tests/server/node/clients.mjs`` runs unmodified ``@azure/identity`` (``ManagedIdentityCredential`` on IMDS),
``@azure/keyvault-secrets`` (``SecretClient`` on the real vault host name, through the CONNECT tunnel) and
``@azure/arm-resources`` (``ResourceManagementClient``); the packages are pinned by ``tests/server/node``'s
lockfile and installed with ``npm ci`` once per lockfile into a cache folder (not into the checkout).

The environment Node gets is scrubbed of proxy/identity/CA variables, then holds only ``export_lines``' output:
``HTTPS_PROXY``/``NO_PROXY`` (read by ``@azure/core-rest-pipeline``), ``AZURE_POD_IDENTITY_AUTHORITY_HOST`` (read
by msal-node's IMDS source) and ``NODE_EXTRA_CA_CERTS`` (read by node at start-up; it ignores ``SSL_CERT_FILE``).

Marked ``slow`` (CI runs it); needs ``node`` and ``npm`` (skips without them, fails under CI) and the npm registry
the first time.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from azshell.server import AzShellServer, export_lines, resolve_host
from azshell.server.ca import LocalCA
from tests.conftest import needs_tool, require_tool

from .conftest import ARM_RESOURCE, RG, Tenant, admin_arm

pytestmark = [pytest.mark.slow, needs_tool("node"), needs_tool("npm")]

NODE_DIR = Path(__file__).resolve().parent / "node"
SCRIPT = NODE_DIR / "clients.mjs"
KV_API = "2023-07-01"
MSI_API = "2023-01-31"
#: Variables a developer's shell may hold that would change what Node does; none reach the script.
SCRUBBED = ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
            "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT", "AZURE_CLIENT_ID",
            "AZURE_TENANT_ID", "AZURE_CLIENT_SECRET", "AZURE_FEDERATED_TOKEN_FILE", "AZURE_AUTHORITY_HOST",
            "AZURE_POD_IDENTITY_AUTHORITY_HOST", "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "SSL_CERT_DIR",
            "NODE_EXTRA_CA_CERTS", "NODE_TLS_REJECT_UNAUTHORIZED", "NODE_OPTIONS", "NODE_PATH", "AZURE_LOG_LEVEL")


# ------------------------------------------------------------------------------------------- npm ci, cached
def _install_key() -> str:
    digest = hashlib.sha256()
    for name in ("package.json", "package-lock.json"):
        digest.update((NODE_DIR / name).read_bytes())
    return digest.hexdigest()[:16]


def _npm_ci(npm: str, target: Path) -> None:
    """``npm ci`` of ``tests/server/node``'s lockfile into ``target`` (installed beside, then renamed: atomic)."""
    staging = target.with_name(f"{target.name}.{uuid.uuid4().hex[:8]}.tmp")
    staging.mkdir(parents=True)
    try:
        for name in ("package.json", "package-lock.json"):
            shutil.copy2(NODE_DIR / name, staging / name)
        started = time.monotonic()
        done = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--ignore-scripts"], cwd=staging,
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm ci failed ({done.returncode}) in {staging}:\n{done.stdout[-3000:]}\n"
                        f"{done.stderr[-3000:]}", pytrace=False)
        print(f"npm ci: {time.monotonic() - started:.1f}s into {target}")
        try:
            staging.rename(target)
        except OSError:
            if not (target / "node_modules").is_dir():  # not a concurrent session's finished install
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


@pytest.fixture(scope="session")
def node_clients() -> Path:
    """``clients.mjs`` beside its installed ``node_modules``, in ``$TMPDIR/azshell-node/<lockfile hash>/``."""
    require_tool("node")
    npm = require_tool("npm")
    target = Path(tempfile.gettempdir()) / "azshell-node" / _install_key()
    if not (target / "node_modules").is_dir():
        _npm_ci(npm, target)
    # the script by content: sessions running different versions of it do not overwrite each other
    source = SCRIPT.read_bytes()
    script = target / f"clients-{hashlib.sha256(source).hexdigest()[:12]}.mjs"
    if not script.exists():
        temp = script.with_name(f"{script.name}.{uuid.uuid4().hex[:8]}")
        temp.write_bytes(source)
        os.replace(temp, script)
    return script


# ------------------------------------------------------------------------------------------------ the world
@dataclass
class NodeWorld:
    tenant: Tenant
    server: AzShellServer
    env: dict[str, str]  # the scrubbed environment plus serve's export lines
    vault_url: str
    uai_client_id: str  # attached to vm1, no access policy on the vault
    uai_principal_id: str


def _seed(t: Tenant) -> tuple[str, str, str]:
    """A user-assigned identity attached to vm1 and an access-policy vault where only vm1 (and admin) may act."""
    world = t.world
    vault = f"kvnode-{uuid.uuid4().hex[:8]}"
    with admin_arm(world) as arm:
        rg = arm.rg_path(RG)
        uai = arm.request("PUT", f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai-node",
                          api_version=MSI_API, json={"location": "westus"})
        assert uai.status_code in (200, 201), uai.text
        world.backend.set_identity(t.vm_id, identity_type="SystemAssigned, UserAssigned",
                                   user_assigned_ids=[uai.json()["id"]])
        policies = [
            {"tenantId": world.tenant_id, "objectId": world.admin_user.object_id, "permissions": {"secrets": ["all"]}},
            {"tenantId": world.tenant_id, "objectId": t.principal_id,
             "permissions": {"secrets": ["get", "list", "set"]}},
        ]
        body = {"location": "westus", "properties": {
            "tenantId": world.tenant_id, "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": False,
            "accessPolicies": policies}}
        r = arm.request("PUT", f"{rg}/providers/Microsoft.KeyVault/vaults/{vault}", api_version=KV_API, json=body)
        assert r.status_code in (200, 201), r.text
    props = uai.json()["properties"]
    return f"https://{vault}.vault.azure.net", props["clientId"], props["principalId"]


@pytest.fixture
def node_world(tenant: Tenant, server: AzShellServer, ca: LocalCA) -> NodeWorld:
    vault_url, uai_client_id, uai_principal_id = _seed(tenant)
    env = {k: v for k, v in os.environ.items() if k.upper() not in SCRUBBED}
    for line in export_lines(server, ca.cert_path, resolve_host(tenant.world, vm="vm1")):
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    return NodeWorld(tenant, server, env, vault_url, uai_client_id, uai_principal_id)


def run_node(script: Path, env: dict[str, str], config: dict[str, Any]) -> dict[str, Any]:
    done = subprocess.run([require_tool("node"), str(script), json.dumps(config)], cwd=script.parent, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"node exited {done.returncode}:\n{done.stdout}\n{done.stderr}"
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# ---------------------------------------------------------------------------------------------------- tests
def test_node_azure_sdk_through_serve(node_clients: Path, node_world: NodeWorld) -> None:
    t = node_world.tenant
    assert node_world.env["NODE_EXTRA_CA_CERTS"] == node_world.env["SSL_CERT_FILE"]
    result = run_node(node_clients, node_world.env, {
        "subscriptionId": t.subscription_id, "vaultUrl": node_world.vault_url, "secretName": "node-secret",
        "deniedClientId": node_world.uai_client_id})

    # ManagedIdentityCredential → IMDS at AZURE_POD_IDENTITY_AUTHORITY_HOST: vm1's system identity
    token = result["token"]
    assert "error" not in token, token
    assert token["oid"] == t.principal_id and token["aud"] == ARM_RESOURCE.rstrip("/")
    assert token["tid"] == t.world.tenant_id
    assert token["expiresOnTimestamp"] > time.time() * 1000

    # SecretClient: challenge auth, the real host name through HTTPS_PROXY, trust by NODE_EXTRA_CA_CERTS
    secrets = result["secrets"]
    assert "error" not in secrets, secrets
    assert secrets["latest"] == "from-node-2" and secrets["older"] == "from-node-1"
    assert secrets["contentType"] == "text/plain"
    first, second, latest = secrets["versions"]
    assert first != second == latest and len(first) == 32
    assert secrets["vaultUrl"] == node_world.vault_url
    assert secrets["names"] == ["node-secret"]

    # ResourceManagementClient: vm1 is Reader on rg1
    groups = result["groups"]
    assert not isinstance(groups, dict), groups
    assert [(g["name"], g["location"]) for g in groups] == [(RG, "westus")]
    assert groups[0]["id"] == t.rg_id

    # an identity without access (the attached UAI has no access policy): Key Vault's 403
    denied = result["denied"]
    assert denied["name"] == "RestError" and denied["statusCode"] == 403, denied
    assert denied["code"] == "Forbidden" and denied["innerCode"] == "AccessDenied", denied
    assert f"oid={node_world.uai_principal_id};" in denied["message"], denied  # the UAI's own token, refused

    # Reader may not write: ARM's 403
    arm_denied = result["armDenied"]
    assert arm_denied["statusCode"] == 403 and arm_denied["code"] == "AuthorizationFailed", arm_denied
    assert t.principal_id in arm_denied["message"], arm_denied


def test_node_without_node_extra_ca_certs_fails_closed(node_clients: Path, node_world: NodeWorld) -> None:
    """The variable is what makes Node trust the tunnels: without it, the first HTTPS call fails TLS."""
    env = dict(node_world.env)
    del env["NODE_EXTRA_CA_CERTS"]  # SSL_CERT_FILE and REQUESTS_CA_BUNDLE stay: node ignores them
    result = run_node(node_clients, env, {
        "subscriptionId": node_world.tenant.subscription_id, "vaultUrl": node_world.vault_url,
        "secretName": "node-secret", "deniedClientId": node_world.uai_client_id, "steps": ["token", "groups"]})
    assert "error" not in result["token"], result  # IMDS is plain HTTP on loopback: no TLS involved
    error = result["groups"]["error"]
    assert error["code"] in ("UNABLE_TO_VERIFY_LEAF_SIGNATURE", "UNABLE_TO_GET_ISSUER_CERT_LOCALLY",
                             "SELF_SIGNED_CERT_IN_CHAIN"), error
