"""Fixtures for ``azshell serve`` tests: a seeded state file, a local CA and servers on ephemeral loopback ports.

``tenant`` seeds (through ``world.backend`` directly, as fixtures may) a VM with a system-assigned identity and a
Reader role on its resource group. ``server`` runs the real planes; ``echo_server`` runs a stub dispatch that
reports what it received, to test the HTTP handling on its own.
"""

from __future__ import annotations

import contextlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from azshell.auth.keys import load_pem_key
from azshell.http import make_client
from azshell.planes.base import CallerContext, Request, Response
from azshell.planes.router import Planes
from azshell.server import AzShellServer, TokenEndpoints
from azshell.server.ca import LocalCA
from azshell.server.proxy import TlsHosts
from azshell.services.registry import default_registry, open_world
from azshell.world import World
from tests.conftest import ArmClient

KEYS_DIR = Path(__file__).resolve().parent.parent / "keys"
SIGNING_KEYS = [load_pem_key(p.read_bytes()) for p in sorted(KEYS_DIR.glob("signing_key_*.pem"))]
READER_ROLE_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
RG = "rg1"
VM = "vm1"
LOCATION = "westus"
ARM = "https://management.azure.com"
ARM_RESOURCE = "https://management.azure.com/"
RG_API = "2021-04-01"


@dataclass
class Tenant:
    """A seeded state file and the IDs the tests need."""

    world: World
    state_path: str
    subscription_id: str
    rg_id: str
    vm_id: str
    principal_id: str


def seed_tenant(state_path: str) -> Tenant:
    """Open (creating) ``state_path`` and add rg1, vm1 (system-assigned identity) and vm1 → Reader on rg1."""
    world = open_world(state_path, signing_key=SIGNING_KEYS)
    sub = world.default_subscription_id
    rg = world.backend.create_or_update_resource_group(sub, RG, LOCATION)
    vm = world.backend.create_or_update_vm(sub, RG, VM, LOCATION, identity_type="SystemAssigned")
    assert vm.identity is not None and vm.identity.principal_id is not None
    world.backend.create_role_assignment(scope=rg.id, role_definition_id=READER_ROLE_ID,
                                         principal_id=vm.identity.principal_id)
    return Tenant(world, state_path, sub, rg.id, vm.id, vm.identity.principal_id)


@pytest.fixture
def tenant(tmp_path: Path) -> Iterator[Tenant]:
    t = seed_tenant(str(tmp_path / "state.db"))
    yield t
    t.world.close()


@pytest.fixture
def ca(tmp_path: Path) -> LocalCA:
    return LocalCA.load_or_create(str(tmp_path / "ca"))


@pytest.fixture
def server(tenant: Tenant, ca: LocalCA) -> Iterator[AzShellServer]:
    """The real planes, answering the token endpoints as vm1."""
    with AzShellServer.start(Planes(tenant.world).dispatch, TokenEndpoints(host_id=tenant.vm_id), ca,
                             tls_hosts=TlsHosts.of(tenant.world.registry)) as s:
        yield s


def echo(request: Request) -> Response:
    """A stub plane: describes the request it got (body as length + text) in JSON."""
    return Response.json(200, {
        "method": request.method,
        "scheme": request.scheme,
        "host": request.host,
        "port": request.port,
        "path": request.path,
        "raw_path": request.raw_path,
        "query": [list(q) for q in request.query],
        "headers": {k.lower(): v for k, v in request.headers.items()},
        "body_length": len(request.body),
        "body": request.body.decode("utf-8", "replace"),
        "host_id": request.caller.host_id,
        "remote_addr": request.caller.remote_addr,
    })


@pytest.fixture
def echo_server(ca: LocalCA) -> Iterator[AzShellServer]:
    with AzShellServer.start(echo, TokenEndpoints(host_id="/subscriptions/s/resourceGroups/r/providers/"
                                                  "Microsoft.Compute/virtualMachines/v"), ca,
                             tls_hosts=TlsHosts.of(default_registry())) as s:
        yield s


#: Variables a real client reads that could point it elsewhere: scrubbed before a test sets serve's own.
PROXY_VARS = ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy", "NO_PROXY",
              "no_proxy", "IDENTITY_ENDPOINT", "IDENTITY_HEADER", "MSI_ENDPOINT", "MSI_SECRET", "IMDS_ENDPOINT",
              "IDENTITY_SERVER_THUMBPRINT", "AZURE_CLIENT_ID", "AZURE_POD_IDENTITY_AUTHORITY_HOST",
              "REQUESTS_CA_BUNDLE", "SSL_CERT_FILE", "CURL_CA_BUNDLE")


def use_serve_env(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA) -> AzShellServer:
    """Exactly the variables ``azshell serve --vm vm1`` prints for Python clients, on a scrubbed environment."""
    for name in PROXY_VARS:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTPS_PROXY", server.url)
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.setenv("AZURE_POD_IDENTITY_AUTHORITY_HOST", server.url)
    monkeypatch.setenv("REQUESTS_CA_BUNDLE", ca.cert_path)
    monkeypatch.setenv("SSL_CERT_FILE", ca.cert_path)
    return server


#: Contributor's role definition id (vm1 gets it on the subscription in ``mgmt_env``)
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"


@pytest.fixture
def mgmt_env(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA, tenant: Tenant) -> Tenant:
    """``azshell serve --vm vm1``'s variables on a scrubbed environment; vm1 is Contributor on the subscription."""
    use_serve_env(monkeypatch, server, ca)
    tenant.world.backend.create_role_assignment(scope=f"/subscriptions/{tenant.subscription_id}",
                                                role_definition_id=CONTRIBUTOR, principal_id=tenant.principal_id)
    return tenant


def managed_identity_credential() -> Any:
    """azure-identity's ManagedIdentityCredential (the test fails under CI when azure-identity is missing)."""
    from tests.conftest import require_module

    require_module("azure.identity")
    from azure.identity import ManagedIdentityCredential

    return ManagedIdentityCredential()


@contextlib.contextmanager
def admin_arm(world: World) -> Iterator[ArmClient]:
    """An ARM client acting as the tenant's admin over the in-process planes, for seeding what a test needs."""
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=ARM_RESOURCE,
                                             kind="user").access_token
    with make_client(world, lambda: CallerContext()) as client:
        yield ArmClient(client, world, token)


def token_query(resource: str = ARM_RESOURCE) -> dict[str, str]:
    return {"api-version": "2018-02-01", "resource": resource}


def jwt_claims(token: str) -> dict[str, object]:
    import base64

    payload = token.split(".")[1]
    payload += "=" * (-len(payload) % 4)
    claims: dict[str, object] = json.loads(base64.urlsafe_b64decode(payload))
    return claims
