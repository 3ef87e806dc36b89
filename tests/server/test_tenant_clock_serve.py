"""``azshell serve`` reads the tenant clock from the state file: a move made by another process (the REPL, the
kernel) changes what the server's IMDS hands out and how its ARM judges old tokens, on the very next request."""

from __future__ import annotations

import ssl

import httpx

from azshell.controls import clock as ctl
from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from azshell.services.registry import open_world

from .conftest import ARM, RG, RG_API, SIGNING_KEYS, Tenant, token_query


def test_a_clock_moved_elsewhere_is_the_servers_clock(server: AzShellServer, tenant: Tenant, ca: LocalCA) -> None:
    imds = f"{server.url}/metadata/identity/oauth2/token"
    first = httpx.get(imds, params=token_query(), headers={"Metadata": "true"}).json()
    rg_url = f"{ARM}/subscriptions/{tenant.subscription_id}/resourceGroups/{RG}?api-version={RG_API}"
    trust = ssl.create_default_context(cafile=ca.cert_path)
    with httpx.Client(proxy=server.url, verify=trust, trust_env=False, timeout=10) as client:
        bearer = {"Authorization": f"Bearer {first['access_token']}"}
        assert client.get(rg_url, headers=bearer).status_code == 200

        repl = open_world(tenant.state_path, signing_key=SIGNING_KEYS)  # another process on the same file
        try:
            ctl.advance(repl, 90000)  # Set-AzShellClock -Advance 1.01:00
        finally:
            repl.close()

        r = client.get(rg_url, headers=bearer)
        assert r.status_code == 401 and r.json()["error"]["code"] == "ExpiredAuthenticationToken"
        fresh = httpx.get(imds, params=token_query(), headers={"Metadata": "true"}).json()
        assert fresh["access_token"] != first["access_token"]
        assert int(fresh["expires_on"]) - int(first["expires_on"]) >= 90000
        assert client.get(rg_url, headers={"Authorization": f"Bearer {fresh['access_token']}"}).status_code == 200
