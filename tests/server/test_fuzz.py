"""Bounded fuzzing of ``azshell serve`` (issue 4): 10,000 random requests, no 5xx, still serving (~20 s)."""

from __future__ import annotations

import httpx

from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from benchmarks.bench_server import fuzz

from .conftest import Tenant, token_query


def test_fuzz_10000_requests_no_5xx_and_still_serving(server: AzShellServer, tenant: Tenant, ca: LocalCA) -> None:
    token = httpx.get(f"{server.url}/metadata/identity/oauth2/token", params=token_query(),
                      headers={"Metadata": "true"}).json()["access_token"]
    report = fuzz(server.url, ca.cert_path, 10_000, seed=11, subscription=tenant.subscription_id,
                  tenant=tenant.world.tenant_id, valid_token=token)
    assert report.requests == 10_000
    assert report.server_errors == 0, report.failures[:10]
    assert not report.failures, report.failures[:10]
    assert len([s for s in report.statuses if 200 <= s < 300]) >= 1
    r = httpx.get(f"{server.url}/metadata/identity/oauth2/token", params=token_query(), headers={"Metadata": "true"})
    assert r.status_code == 200
