"""azure-identity's ManagedIdentityCredential through ``azshell serve`` against injected IMDS faults: its retries
are real requests, each answered and logged (marked slow; needs azure-identity)."""

from __future__ import annotations

import json

import pytest

from azshell.controls.faults import add_fault, list_faults
from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from tests.conftest import require_module

from .conftest import Tenant, jwt_claims, use_serve_env

pytestmark = pytest.mark.slow

IMDS_TOKEN_PATH = "/metadata/identity/oauth2/token"


def _token_requests(tenant: Tenant) -> list[dict[str, object]]:
    events = tenant.world.store.recent_events(kind="http.request", limit=100)
    return [e.data for e in events if e.data.get("path") == IMDS_TOKEN_PATH]


def test_three_429s_then_a_token(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA,
                                 tenant: Tenant) -> None:
    identity = require_module("azure.identity")
    use_serve_env(monkeypatch, server, ca)
    # Retry-After 0 leaves the pause to the credential's own backoff (0.8 s factor by default: 0 + 1.6 + 3.2 s);
    # a small factor keeps the test quick without changing what is retried
    fault = add_fault(tenant.world, endpoint="Imds", status=429, count=3, retry_after=0)

    credential = identity.ManagedIdentityCredential(retry_backoff_factor=0.01)
    token = credential.get_token("https://management.azure.com/.default")

    assert jwt_claims(token.token)["oid"] == tenant.principal_id
    statuses = [r["status"] for r in _token_requests(tenant)]
    assert statuses == [429, 429, 429, 200]
    assert [r.get("fault", False) for r in _token_requests(tenant)] == [True, True, True, False]
    (used,) = [f for f in list_faults(tenant.world.store) if f.id == fault.id]
    assert (used.injected, used.remaining) == (3, 0)
    injected = tenant.world.store.recent_events(kind="fault.injected")
    assert [e.data["status"] for e in injected] == [429, 429, 429]


def test_the_429_body_and_retry_after_are_imds_shaped(server: AzShellServer, tenant: Tenant) -> None:
    import httpx

    add_fault(tenant.world, endpoint="imds", status=429, count=1, retry_after=2)
    url = f"{server.url}{IMDS_TOKEN_PATH}"
    with httpx.Client(trust_env=False) as client:
        first = client.get(url, params={"api-version": "2018-02-01", "resource": "https://management.azure.com/"},
                           headers={"Metadata": "true"})
        second = client.get(url, params={"api-version": "2018-02-01", "resource": "https://management.azure.com/"},
                            headers={"Metadata": "true"})
    assert first.status_code == 429
    assert first.headers["Retry-After"] == "2"
    assert first.headers["Server"].startswith("IMDS/")
    assert json.loads(first.text) == {"error": "too_many_requests", "error_description": "IMDS Throttle limit reached"}
    assert second.status_code == 200 and "access_token" in second.json()


def test_a_fault_for_another_vm_leaves_this_one_alone(server: AzShellServer, tenant: Tenant) -> None:
    import httpx

    add_fault(tenant.world, endpoint="imds", status=404, host_id=tenant.vm_id + "-other", duration=60)
    add_fault(tenant.world, endpoint="imds", status=500, match="/metadata/instance*")
    with httpx.Client(trust_env=False) as client:
        r = client.get(f"{server.url}{IMDS_TOKEN_PATH}", headers={"Metadata": "true"},
                       params={"api-version": "2018-02-01", "resource": "https://management.azure.com/"})
    assert r.status_code == 200
