"""The real az CLI against ``azshell serve`` (issue 15): what the Linux tutorials type on a VM, unmodified.

A session fixture installs azure-cli from PyPI into a fresh venv in a temporary folder (``python -m venv``, then
``pip install azure-cli``: 1-1.5 minutes here, ~730 MB; nothing is cached between runs, the folder is removed at the
end) and reports how long that took. Under CI a failed install fails the test (``skip_or_fail``); elsewhere it skips.
``AZSHELL_AZCLI_VENV=/path`` reuses (or creates once) a venv there instead: ``make test-azcli`` does that.

Each test seeds a world (``tenant``: rg1, vm1 with a system-assigned identity that is Reader on rg1), serves it on
loopback as vm1 and runs ``az`` with exactly the variables ``azshell serve --vm vm1`` prints, on an environment
scrubbed of proxy/CA/identity and ``AZURE_*`` variables, with a fresh ``AZURE_CONFIG_DIR`` per signed-in identity.
Next to vm1 the world holds:

* ``ops``: a user-assigned identity on vm1 that is Owner on rg1 (the operator's identity: grants roles, changes
  VMs): ``az login --identity --client-id/--object-id/--resource-id``. (azure-cli 2.69+ refuses the older
  ``--username <client id>`` for managed identities; ``--client-id`` is what the tutorials now say.)
* ``nobody``: a user-assigned identity on vm1 with no role and no access policy (the expected failures).
* vm2 (no identity yet) and an access-policy vault where vm1's system identity may get/list/set secrets.

``az storage container|blob`` with ``--auth-mode login``, ``--account-key`` and ``--sas-token`` go through the
proxy to ``{account}.blob.core.windows.net``. ``az deployment group create|show`` deploys an ARM template through
ARM's deployments API (a user-assigned identity and a role assignment whose principalId comes from reference()).

Marked ``slow`` (CI runs it: ``make test``); needs PyPI the first time in a session.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from azshell.server import AzShellServer, export_lines, resolve_host
from azshell.server.ca import LocalCA
from tests.conftest import skip_or_fail

from .conftest import READER_ROLE_ID, RG, VM, Tenant, admin_arm, jwt_claims

# the install (a minute here, more on a slow link) happens inside the first test's set-up
pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

OWNER_ROLE_ID = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
KV_API = "2023-07-01"
MSI_API = "2023-01-31"
VAULT_RESOURCE = "https://vault.azure.net"
#: az asks ARM tokens for the classic resource of the AzureCloud profile.
AZ_ARM_AUDIENCE = "https://management.core.windows.net/"
INSTALL_TIMEOUT = 1500
AZ_TIMEOUT = 120
#: az's warnings when it had to work around an answer (a Graph lookup that failed, a retried call): where Azure
#: answers properly az prints none of them.
WORKED_AROUND = re.compile(r"Failed to query|by invoking Graph API|as an object ID|[Rr]etrying", re.IGNORECASE)
#: Variables a developer's shell may hold that would change where az connects or what it trusts.
SCRUBBED = {"HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "NO_PROXY", "IDENTITY_ENDPOINT", "IDENTITY_HEADER",
            "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT", "IDENTITY_SERVER_THUMBPRINT", "REQUESTS_CA_BUNDLE",
            "SSL_CERT_FILE", "SSL_CERT_DIR", "CURL_CA_BUNDLE", "NODE_EXTRA_CA_CERTS", "PYTHONPATH", "PYTHONHOME",
            "ARM_CLOUD_METADATA_URL"}


# ------------------------------------------------------------------------------------------ installing az
def _install(venv: Path) -> None:
    """``python -m venv`` + ``pip install azure-cli`` into ``venv``; skip (fail under CI) when that fails."""
    steps = [[sys.executable, "-m", "venv", str(venv)],
             [str(venv / "bin" / "python"), "-m", "pip", "install", "--disable-pip-version-check", "-q",
              "azure-cli"]]
    for cmd in steps:
        try:
            done = subprocess.run(cmd, capture_output=True, text=True, timeout=INSTALL_TIMEOUT)
        except subprocess.TimeoutExpired:
            skip_or_fail(f"could not install azure-cli into {venv}: {cmd[2]} took over {INSTALL_TIMEOUT}s",
                         "CI must reach PyPI to install azure-cli")
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).strip().splitlines()[-15:])
            skip_or_fail(f"could not install azure-cli into {venv} ({cmd[2]} exited {done.returncode}):\n{tail}",
                         "CI must reach PyPI to install azure-cli")


@pytest.fixture(scope="session")
def az_exe(request: pytest.FixtureRequest) -> Iterator[Path]:
    """The ``az`` of a venv installed once per session (or the one at ``$AZSHELL_AZCLI_VENV``, kept)."""
    keep = os.environ.get("AZSHELL_AZCLI_VENV", "").strip()
    temp = None if keep else Path(tempfile.mkdtemp(prefix="azshell-azcli-"))
    venv = temp / "venv" if temp is not None else Path(keep)
    az = venv / "bin" / "az"
    try:
        if not az.exists():
            started = time.monotonic()
            _install(venv)
            took = time.monotonic() - started
            version = subprocess.run([str(az), "version", "-o", "json"], capture_output=True, text=True,
                                     timeout=AZ_TIMEOUT, env=_scrubbed_env())
            number = json.loads(version.stdout).get("azure-cli", "?") if version.returncode == 0 else "?"
            _report(request.config, f"azure-cli {number} installed in {took:.0f}s into {venv}")
        yield az
    finally:
        if temp is not None:
            shutil.rmtree(temp, ignore_errors=True)


def _report(config: pytest.Config, line: str) -> None:
    """Show ``line`` in pytest's output as it happens (the install time matters for CI's budget)."""
    reporter = config.pluginmanager.get_plugin("terminalreporter")
    capture = config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        print(line)
        return
    with capture.global_and_fixture_disabled():
        reporter.write_line(f"\n{line}")


def _scrubbed_env() -> dict[str, str]:
    return {k: v for k, v in os.environ.items()
            if k.upper() not in SCRUBBED and not k.upper().startswith("AZURE_")}


# ---------------------------------------------------------------------------------------------- running az
@dataclass
class AzResult:
    args: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def json(self) -> Any:
        return json.loads(self.stdout) if self.stdout.strip() else None

    def __str__(self) -> str:
        return f"az {' '.join(self.args)} → exit {self.returncode}\n--- stdout\n{self.stdout}\n--- stderr\n{self.stderr}"


class Az:
    """``az`` with serve's variables and one ``AZURE_CONFIG_DIR`` (one signed-in identity)."""

    def __init__(self, exe: Path, env: dict[str, str], config_dir: Path) -> None:
        self.exe = exe
        self.env = {**env, "AZURE_CONFIG_DIR": str(config_dir)}

    def run(self, *args: str) -> AzResult:
        done = subprocess.run([str(self.exe), *args], env=self.env, capture_output=True, text=True,
                              timeout=AZ_TIMEOUT, stdin=subprocess.DEVNULL)
        return AzResult(args, done.returncode, done.stdout, done.stderr)

    def ok(self, *args: str) -> Any:
        """Run ``az ARGS -o json``; assert it succeeded with no error and no work-around warning; its JSON output.

        Other warnings pass: CI installs the newest azure-cli, whose deprecation notices are not ours to fail on.
        """
        result = self.run(*args, "-o", "json")
        assert result.returncode == 0, str(result)
        assert "ERROR" not in result.stderr and not WORKED_AROUND.search(result.stderr), str(result)
        return result.json()

    def fails(self, *args: str) -> AzResult:
        result = self.run(*args, "-o", "json")
        assert result.returncode != 0, str(result)
        return result


# ---------------------------------------------------------------------------------------------- the world
@dataclass
class Identity:
    resource_id: str
    client_id: str
    principal_id: str


@dataclass
class AzWorld:
    tenant: Tenant
    server: AzShellServer
    exe: Path
    env: dict[str, str]  # the scrubbed environment plus serve's export lines
    home: Path
    ops: Identity  # Owner on rg1
    nobody: Identity  # no role, no access policy
    vault: str  # access policies: vm1's system identity may get/list/set

    def az(self, name: str) -> Az:
        """A new az session (its own, empty ``AZURE_CONFIG_DIR``)."""
        folder = self.home / f"{name}-{uuid.uuid4().hex[:6]}"
        folder.mkdir()
        return Az(self.exe, self.env, folder)

    @property
    def rg_id(self) -> str:
        return self.tenant.rg_id

    def vm_path(self, name: str) -> str:
        return f"{self.rg_id}/providers/Microsoft.Compute/virtualMachines/{name}"


def _seed(t: Tenant) -> tuple[Identity, Identity, str]:
    """ops (Owner on rg1) and nobody on vm1, vm2 without identity, and an access-policy vault (as the admin)."""
    world = t.world
    vault = f"kvaz-{uuid.uuid4().hex[:8]}"
    with admin_arm(world) as arm:
        rg = arm.rg_path(RG)
        made: dict[str, Identity] = {}
        for name in ("ops", "nobody"):
            r = arm.request("PUT", f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/{name}",
                            api_version=MSI_API, json={"location": "westus"})
            assert r.status_code in (200, 201), r.text
            props = r.json()["properties"]
            made[name] = Identity(r.json()["id"], props["clientId"], props["principalId"])
        world.backend.set_identity(t.vm_id, identity_type="SystemAssigned, UserAssigned",
                                   user_assigned_ids=[made["ops"].resource_id, made["nobody"].resource_id])
        r = arm.assign(t.rg_id, made["ops"].principal_id, OWNER_ROLE_ID)
        assert r.status_code == 201, r.text
        r = arm.create_vm(RG, "vm2")
        assert r.status_code in (200, 201), r.text
        body = {"location": "westus", "properties": {
            "tenantId": world.tenant_id, "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": False,
            "accessPolicies": [{"tenantId": world.tenant_id, "objectId": t.principal_id,
                                "permissions": {"secrets": ["get", "list", "set"]}}]}}
        r = arm.request("PUT", f"{rg}/providers/Microsoft.KeyVault/vaults/{vault}", api_version=KV_API, json=body)
        assert r.status_code in (200, 201), r.text
    return made["ops"], made["nobody"], vault


@pytest.fixture
def az_world(az_exe: Path, tenant: Tenant, server: AzShellServer, ca: LocalCA, tmp_path: Path) -> AzWorld:
    ops, nobody, vault = _seed(tenant)
    env = _scrubbed_env()
    env.update({"AZURE_CORE_COLLECT_TELEMETRY": "false", "AZURE_CORE_NO_COLOR": "true",
                "AZURE_CORE_SURVEY_MESSAGE": "false", "AZURE_EXTENSION_USE_DYNAMIC_INSTALL": "no"})
    for line in export_lines(server, ca.cert_path, resolve_host(tenant.world, vm=VM)):
        name, _, value = line.removeprefix("export ").partition("=")
        env[name] = value.strip("'")
    home = tmp_path / "az"
    home.mkdir()
    return AzWorld(tenant, server, az_exe, env, home, ops, nobody, vault)


def _only_subscription(accounts: Any, t: Tenant) -> dict[str, Any]:
    assert isinstance(accounts, list) and len(accounts) == 1, accounts
    [account] = accounts
    assert account["id"] == t.subscription_id and account["tenantId"] == t.world.tenant_id, account
    assert account["isDefault"] is True and account["state"] == "Enabled", account
    assert account["environmentName"] == "AzureCloud", account
    return dict(account)


# ---------------------------------------------------------------------------------------------------- tests
def test_az_login_with_the_vm_identity(az_world: AzWorld) -> None:
    """The tutorial's first steps on the VM: ``az login --identity``, tokens, the resource groups."""
    t = az_world.tenant
    az = az_world.az("system")
    account = _only_subscription(az.ok("login", "--identity"), t)
    assert account["user"] == {"name": "systemAssignedIdentity", "type": "servicePrincipal",
                               "assignedIdentityInfo": "MSI"}, account
    assert az.ok("account", "show")["id"] == t.subscription_id

    arm = az.ok("account", "get-access-token")
    claims = jwt_claims(arm["accessToken"])
    assert claims["oid"] == t.principal_id and claims["aud"] == AZ_ARM_AUDIENCE, claims
    assert claims["tid"] == t.world.tenant_id == arm["tenant"] and arm["subscription"] == t.subscription_id
    assert arm["tokenType"] == "Bearer" and arm["expires_on"] > time.time()
    vault = az.ok("account", "get-access-token", "--resource", VAULT_RESOURCE)
    claims = jwt_claims(vault["accessToken"])
    assert claims["oid"] == t.principal_id and claims["aud"] == VAULT_RESOURCE, claims

    groups = az.ok("group", "list")
    assert [(g["name"], g["location"], g["id"]) for g in groups] == [(RG, "westus", t.rg_id)], groups
    assert az.ok("group", "show", "-n", RG)["properties"] == {"provisioningState": "Succeeded"}


def test_az_login_with_a_user_assigned_identity(az_world: AzWorld) -> None:
    """Each selector of ``az login --identity``; an identity with no role has no subscription to sign in to."""
    t, ops = az_world.tenant, az_world.ops
    for flag, value, info in (("--client-id", ops.client_id, f"MSIClient-{ops.client_id}"),
                              ("--object-id", ops.principal_id, f"MSIObject-{ops.principal_id}"),
                              ("--resource-id", ops.resource_id, f"MSIResource-{ops.resource_id}")):
        az = az_world.az("ops")
        account = _only_subscription(az.ok("login", "--identity", flag, value), t)
        assert account["user"] == {"name": "userAssignedIdentity", "type": "servicePrincipal",
                                   "assignedIdentityInfo": info}, account
        token = az.ok("account", "get-access-token", "--resource", VAULT_RESOURCE)["accessToken"]
        assert jwt_claims(token)["oid"] == ops.principal_id, flag

    # no role anywhere: az finds no subscription and says so (az's text)
    denied = az_world.az("nobody").fails("login", "--identity", "--client-id", az_world.nobody.client_id)
    assert re.search(r"No access was configured for the .*hence no subscriptions were found", denied.stderr), denied
    # an identity that is not on vm1: IMDS's 400, which az reports as a failed login
    missing = az_world.az("missing").fails("login", "--identity", "--client-id", str(uuid.uuid4()))
    assert "Identity not found" in missing.stderr, missing


def test_az_keyvault_secret_set_and_show(az_world: AzWorld) -> None:
    """``az keyvault secret set/show/list --vault-name`` as vm1 (access policy); 403 for an identity without one."""
    az = az_world.az("system")
    az.ok("login", "--identity")
    vault = az_world.vault
    first = az.ok("keyvault", "secret", "set", "--vault-name", vault, "--name", "db-password", "--value", "one")
    assert first["value"] == "one" and first["name"] == "db-password", first
    assert first["id"].startswith(f"https://{vault}.vault.azure.net/secrets/db-password/"), first
    second = az.ok("keyvault", "secret", "set", "--vault-name", vault, "-n", "db-password", "--value", "two",
                   "--content-type", "text/plain")
    assert second["id"] != first["id"] and second["contentType"] == "text/plain"
    shown = az.ok("keyvault", "secret", "show", "--vault-name", vault, "--name", "db-password")
    assert shown["value"] == "two" and shown["id"] == second["id"] and shown["attributes"]["enabled"] is True
    older = az.ok("keyvault", "secret", "show", "--id", first["id"])
    assert older["value"] == "one"
    assert az.ok("keyvault", "secret", "show", "--vault-name", vault, "-n", "db-password",
                 "--query", "value") == "two"
    listed = az.ok("keyvault", "secret", "list", "--vault-name", vault)
    assert [s["name"] for s in listed] == ["db-password"], listed
    missing = az.fails("keyvault", "secret", "show", "--vault-name", vault, "--name", "nope")
    assert "(SecretNotFound) A secret with (name/id) nope was not found in this key vault." in missing.stderr, missing

    # an identity with neither a role nor an access policy (signed in at tenant level): Key Vault's 403
    nobody = az_world.az("nobody")
    nobody.ok("login", "--identity", "--client-id", az_world.nobody.client_id, "--allow-no-subscriptions")
    denied = nobody.fails("keyvault", "secret", "show", "--vault-name", vault, "--name", "db-password")
    who = f"appid={az_world.nobody.client_id};oid={az_world.nobody.principal_id};"
    assert f"(Forbidden) The user, group or application '{who}" in denied.stderr, denied
    assert f"does not have secrets get permission on key vault '{vault};location=westus'" in denied.stderr, denied
    assert '"code": "AccessDenied"' in denied.stderr, denied


def test_az_vm_identity_and_role_assignment(az_world: AzWorld) -> None:
    """The operator (Owner on rg1) gives vm2 an identity and makes it Reader on rg1, as the tutorial does."""
    t, ops = az_world.tenant, az_world.ops
    world = t.world
    az = az_world.az("ops")
    az.ok("login", "--identity", "--client-id", ops.client_id)

    assert az.ok("vm", "identity", "show", "-g", RG, "-n", "vm2") is None  # no identity yet: az prints nothing
    assigned = az.ok("vm", "identity", "assign", "-g", RG, "-n", "vm2")
    vm2 = world.store.get_resource(az_world.vm_path("vm2"))
    assert vm2 is not None and vm2.identity is not None and vm2.identity.principal_id
    principal = vm2.identity.principal_id
    assert assigned == {"systemAssignedIdentity": principal, "userAssignedIdentities": {}}, assigned
    shown = az.ok("vm", "identity", "show", "-g", RG, "-n", "vm2")
    assert shown["type"] == "SystemAssigned" and shown["principalId"] == principal, shown
    assert shown["tenantId"] == world.tenant_id

    # and the operator's own identity too (the tutorial's user-assigned variant)
    both = az.ok("vm", "identity", "assign", "-g", RG, "-n", "vm2", "--identities", ops.resource_id)
    assert both["systemAssignedIdentity"] == principal, both
    assert both["userAssignedIdentities"] == {
        ops.resource_id: {"clientId": ops.client_id, "principalId": ops.principal_id}}, both
    shown = az.ok("vm", "identity", "show", "-g", RG, "-n", "vm2")
    assert shown["type"] == "SystemAssigned, UserAssigned" and shown["principalId"] == principal, shown
    assert [k.lower() for k in shown["userAssignedIdentities"]] == [ops.resource_id.lower()], shown

    # az resolves the assignee through Graph (directoryObjects/getByIds), then PUTs the assignment
    made = az.ok("role", "assignment", "create", "--assignee", principal, "--role", "Reader", "--scope", t.rg_id)
    assert made["principalId"] == principal and made["scope"] == t.rg_id, made
    assert made["principalType"] == "ServicePrincipal", made
    assert made["roleDefinitionId"].endswith(f"/roleDefinitions/{READER_ROLE_ID}"), made
    assert made["createdBy"] == ops.principal_id, made
    stored = [a for a in world.store.list_role_assignments() if a.principal_id == principal]
    assert [(a.scope, a.role_definition_id.rsplit("/", 1)[-1]) for a in stored] == [(t.rg_id, READER_ROLE_ID)]

    listed = az.ok("role", "assignment", "list", "--scope", t.rg_id)
    rows = {(a["principalId"], a["roleDefinitionName"]) for a in listed}
    assert rows == {(t.principal_id, "Reader"), (ops.principal_id, "Owner"), (principal, "Reader")}, listed
    names = {a["principalId"]: a.get("principalName") for a in listed}
    sp = world.store.get_directory_object(principal)
    assert sp is not None and names[principal] == sp.app_id, listed  # az shows an SP's first servicePrincipalName
    mine = az.ok("role", "assignment", "list", "--assignee", principal, "--scope", t.rg_id)
    assert [(a["principalId"], a["roleDefinitionName"], a["scope"]) for a in mine] == [
        (principal, "Reader", t.rg_id)], mine
    # the same assignment again: az turns ARM's 409 RoleAssignmentExists into the existing assignment
    again = az.ok("role", "assignment", "create", "--assignee", principal, "--role", "Reader", "--scope", t.rg_id)
    assert again["id"] == made["id"] and again["principalName"] == sp.app_id, again
    assert len([a for a in world.store.list_role_assignments() if a.principal_id == principal]) == 1


def test_az_authorization_failed_for_a_reader(az_world: AzWorld) -> None:
    """vm1's identity is only Reader on rg1: ARM's 403 AuthorizationFailed, word for word, and nothing changes."""
    t = az_world.tenant
    oid = t.principal_id
    az = az_world.az("system")
    az.ok("login", "--identity")

    def authorization_failed(action: str, scope: str) -> str:
        return (f"(AuthorizationFailed) The client '{oid}' with object id '{oid}' does not have authorization to "
                f"perform action '{action}' over scope '{scope}' or the scope is invalid. If access was recently "
                "granted, please refresh your credentials.")

    denied = az.fails("role", "assignment", "create", "--assignee", az_world.nobody.principal_id, "--role",
                      "Reader", "--scope", t.rg_id)
    m = re.search(r"over scope '([^']+)'", denied.stderr)
    assert m and m.group(1).startswith(f"{t.rg_id}/providers/Microsoft.Authorization/roleAssignments/"), denied
    assert authorization_failed("Microsoft.Authorization/roleAssignments/write", m.group(1)) in denied.stderr, denied
    assert "Code: AuthorizationFailed" in denied.stderr, denied

    denied = az.fails("vm", "identity", "assign", "-g", RG, "-n", "vm2")
    assert authorization_failed("Microsoft.Compute/virtualMachines/write", az_world.vm_path("vm2")) in denied.stderr, \
        denied

    vm2 = t.world.store.get_resource(az_world.vm_path("vm2"))
    assert vm2 is not None and (vm2.identity is None or vm2.identity.type == "None")
    assert not [a for a in t.world.store.list_role_assignments() if a.principal_id == az_world.nobody.principal_id]


def test_az_storage_blob_with_login_key_and_sas(az_world: AzWorld, tmp_path: Path) -> None:
    """The Storage tutorials' ``az storage`` on a VM, through serve's proxy to ``{account}.blob.core.windows.net``:
    ``--auth-mode login`` with the VM identity's token (Storage Blob Data Contributor on rg1), ``--account-key``
    from ``az storage account keys list`` (as ops, Owner), ``--sas-token``; and the refusal without a data role."""
    t = az_world.tenant
    account = f"azcli{uuid.uuid4().hex[:8]}"
    with admin_arm(t.world) as arm:
        r = arm.request("PUT", f"{arm.rg_path(RG)}/providers/Microsoft.Storage/storageAccounts/{account}",
                        api_version="2023-01-01", json={"location": "westus", "kind": "StorageV2",
                                                        "sku": {"name": "Standard_LRS"}})
        assert r.status_code in (200, 201, 202), r.text
        r = arm.assign(t.rg_id, t.principal_id, "ba92f5b4-2d11-453d-a403-e96b0029c9fe")  # Storage Blob Data Contrib.
        assert r.status_code == 201, r.text
    src = tmp_path / "test.txt"
    src.write_text("This is a test file.\n", encoding="utf-8")
    login = ("--account-name", account, "--auth-mode", "login")

    az = az_world.az("system")
    az.ok("login", "--identity")
    assert az.ok("storage", "container", "create", "-n", "mycontainer", *login) == {"created": True}
    uploaded = az.ok("storage", "blob", "upload", "-c", "mycontainer", "-n", "test.txt", "-f", str(src), *login)
    assert uploaded["etag"] and uploaded["lastModified"], uploaded
    listed = az.ok("storage", "blob", "list", "-c", "mycontainer", *login)
    assert [b["name"] for b in listed] == ["test.txt"] and listed[0]["properties"]["contentLength"] == 21, listed
    dest = tmp_path / "test-download.txt"
    az.ok("storage", "blob", "download", "-c", "mycontainer", "-n", "test.txt", "-f", str(dest), *login)
    assert dest.read_text(encoding="utf-8") == "This is a test file.\n"

    ops = az_world.az("ops")
    ops.ok("login", "--identity", "--client-id", az_world.ops.client_id)
    keys = ops.ok("storage", "account", "keys", "list", "-g", RG, "-n", account)
    assert [k["keyName"] for k in keys] == ["key1", "key2"], keys
    shown = ops.ok("storage", "blob", "show", "-c", "mycontainer", "-n", "test.txt", "--account-name", account,
                   "--account-key", keys[0]["value"])
    assert shown["properties"]["contentLength"] == 21, shown
    sas = ops.run("storage", "container", "generate-sas", "-n", "mycontainer", "--permissions", "rl", "--expiry",
                  "2099-01-01T00:00:00Z", "--account-name", account, "--account-key", keys[0]["value"], "-o", "tsv")
    assert sas.returncode == 0, str(sas)
    listed = ops.ok("storage", "blob", "list", "-c", "mycontainer", "--account-name", account, "--sas-token",
                    sas.stdout.strip())
    assert [b["name"] for b in listed] == ["test.txt"], listed

    nobody = az_world.az("nobody")
    nobody.ok("login", "--identity", "--client-id", az_world.nobody.client_id, "--allow-no-subscriptions")
    denied = nobody.fails("storage", "blob", "list", "-c", "mycontainer", *login)
    assert "You do not have the required permissions needed to perform this operation." in denied.stderr, denied


TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "parameters": {"identityName": {"type": "string"}},
    "variables": {"readerId": "[subscriptionResourceId('Microsoft.Authorization/roleDefinitions', "
                              "'acdd72a7-3385-48ef-bd42-f606fba81ae7')]"},
    "resources": [
        {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30",
         "name": "[parameters('identityName')]", "location": "[resourceGroup().location]"},
        {"type": "Microsoft.Authorization/roleAssignments", "apiVersion": "2022-04-01",
         "name": "[guid(resourceGroup().id, parameters('identityName'), 'reader')]",
         "dependsOn": ["[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName'))]"],
         "properties": {"roleDefinitionId": "[variables('readerId')]", "principalType": "ServicePrincipal",
                        "principalId": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', "
                                       "parameters('identityName')), '2018-11-30').principalId]"}},
    ],
    "outputs": {"principalId": {"type": "string", "value": "[reference(resourceId("
                                "'Microsoft.ManagedIdentity/userAssignedIdentities', parameters('identityName')), "
                                "'2018-11-30').principalId]"}},
}


def test_az_deployment_group_create_and_show(az_world: AzWorld, tmp_path: Path) -> None:
    """``az deployment group create --template-file --parameters`` as ops (Owner on rg1) through serve: ARM deploys
    a user-assigned identity and a Reader assignment for it; ``show`` reads the outputs; a Reader is refused."""
    t = az_world.tenant
    template = tmp_path / "azuredeploy.json"
    template.write_text("// comments are allowed in templates\n" + json.dumps(TEMPLATE, indent=2), encoding="utf-8")

    ops = az_world.az("ops")
    ops.ok("login", "--identity", "--client-id", az_world.ops.client_id)
    created = ops.ok("deployment", "group", "create", "-g", RG, "-n", "uai-deploy", "--template-file", str(template),
                     "--parameters", "identityName=deployed-uai")
    assert created["properties"]["provisioningState"] == "Succeeded", created
    principal = created["properties"]["outputs"]["principalId"]["value"]
    assert any(a.principal_id == principal for a in t.world.store.list_role_assignments()), principal
    shown = ops.ok("deployment", "group", "show", "-g", RG, "-n", "uai-deploy")
    assert shown["properties"]["outputs"]["principalId"]["value"] == principal

    reader = az_world.az("system")
    reader.ok("login", "--identity")
    denied = reader.fails("deployment", "group", "create", "-g", RG, "-n", "nope", "--template-file", str(template),
                          "--parameters", "identityName=other-uai")
    assert "AuthorizationFailed" in denied.stderr, denied
