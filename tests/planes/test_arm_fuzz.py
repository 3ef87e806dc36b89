"""Bounded random fuzz of the router and the ARM plane: no request may cause a 5xx, and a rejected request
(4xx) must not change a single row (the store generation stays put)."""

from __future__ import annotations

import json
import random

import httpx
import pytest

from azshell.http import PlaneConnectError, make_client
from azshell.ids import new_guid
from azshell.planes.base import CallerContext
from azshell.world import World
from tests.conftest import ArmClient

REQUESTS = 2000
SEED = 20240607


def _fragments(arm: ArmClient, vm_id: str, uai_id: str, ra_name: str) -> list[str]:
    sub = arm.sub
    rg = arm.rg_path("rg1")
    return [
        "", "/", "/subscriptions", f"/subscriptions/{sub}", f"/subscriptions/{sub.upper()}", "/subscriptions/x",
        f"/subscriptions/{new_guid()}/resourceGroups/rg1", f"/subscriptions/{sub}/resourcegroups",
        rg, rg.upper(), arm.rg_path("rg2"), arm.rg_path("bad.name."), arm.rg_path("a" * 120), arm.rg_path("rg1/"),
        f"{rg}/resources", f"/subscriptions/{sub}/resources", f"/subscriptions/{sub}/operationresults/abc",
        vm_id, vm_id + "/extensions", vm_id + "/extensions/ManagedIdentityExtensionForWindows",
        vm_id + "/extensions/x/y", arm.vm_path("rg1", "vm2"), arm.vm_path("nope", "vm"), uai_id,
        f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
        f"{rg}/providers/Microsoft.Compute/virtualMachines", f"/subscriptions/{sub}/providers/Microsoft.Compute/"
        "virtualMachines", f"{rg}/providers/Microsoft.Web/sites/app1", f"{rg}/providers/Microsoft.KeyVault/vaults/kv",
        f"{rg}/providers/Microsoft.Nope/x/y", f"{rg}/providers/Microsoft.Compute/gizmos/x", f"{rg}/providers",
        f"{rg}/providers/Microsoft.Compute", f"{rg}/providers/Microsoft.Authorization/roleAssignments",
        f"{rg}/providers/Microsoft.Authorization/roleAssignments/{ra_name}",
        f"{rg}/providers/Microsoft.Authorization/roleAssignments/{new_guid()}",
        f"{rg}/providers/Microsoft.Authorization/roleAssignments/not-a-guid",
        f"{rg}/providers/Microsoft.Authorization/roleDefinitions",
        "/providers/Microsoft.Authorization/roleDefinitions/acdd72a7-3385-48ef-bd42-f606fba81ae7",
        f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleDefinitions/{new_guid()}",
        f"/subscriptions/{sub}/providers/Microsoft.Authorization/roleAssignments",
        f"{vm_id}/providers/Microsoft.Authorization/roleAssignments/{new_guid()}",
        f"/subscriptions/{sub}/resourceGroups/providers/Microsoft.Authorization/roleAssignments/{new_guid()}",
        "/providers/Microsoft.Management/managementGroups/mg/providers/Microsoft.Authorization/roleAssignments",
        "/providers/Microsoft.Authorization/foo", "/subscriptions//resourceGroups", "/%00/..", "/\u00e9\u00e8",
    ]


def _queries(rng: random.Random) -> str:
    choices = ["", "api-version=2022-04-01", "api-version=2021-04-01", "api-version=2023-03-01",
               "api-version=2018-11-30", "api-version=2016-06-01", "api-version=", "api-version=bogus",
               "api-version=2022-04-01&$filter=atScope()", "api-version=2022-04-01&$filter=principalId eq 'x'",
               "api-version=2022-04-01&$filter=assignedTo('')", "api-version=2022-04-01&$filter=roleName eq 'Reader'",
               "api-version=2022-04-01&$filter=garbage(", "api-version=2017-03-30", "api-version=2022-03-01"]
    return rng.choice(choices)


def _bodies(rng: random.Random, principal: str, uai_id: str) -> bytes | None:
    choices: list[object] = [
        None, {}, [], "x", 5, {"location": "westus"}, {"location": "nowhere"}, {"location": None},
        {"location": "westus", "tags": {"a": 1}}, {"location": "westus", "tags": "x"},
        {"location": "westus", "identity": {"type": "Bogus"}}, {"location": "westus", "identity": "x"},
        {"location": "westus", "identity": {"type": "UserAssigned", "userAssignedIdentities": {"/x": {}}}},
        {"location": "westus", "identity": {"type": "UserAssigned", "userAssignedIdentities": {uai_id: {}}}},
        {"location": "westus", "identity": {"type": "SystemAssigned", "userAssignedIdentities": {uai_id: {}}}},
        {"identity": {"type": "None"}}, {"identity": {"userAssignedIdentities": {uai_id: None}}},
        {"location": "westus", "properties": "nope"}, {"location": "westus", "properties": {"a": [1, {"b": None}]}},
        {"properties": {}}, {"properties": {"principalId": principal}},
        {"properties": {"principalId": principal, "roleDefinitionId": "acdd72a7-3385-48ef-bd42-f606fba81ae7"}},
        {"properties": {"principalId": "nope", "roleDefinitionId": "nope"}},
        {"properties": {"principalId": principal, "roleDefinitionId": new_guid()}},
        {"properties": {"principalId": principal, "roleDefinitionId": "acdd72a7-3385-48ef-bd42-f606fba81ae7",
                        "principalType": 7}},
        {"properties": {"roleName": "", "permissions": "x"}},
        {"properties": {"roleName": "R", "permissions": [{"actions": [1]}], "assignableScopes": ["bad"]}},
        {"properties": {"roleName": "R", "permissions": [{"actions": ["*/read"]}], "assignableScopes": "x"}},
    ]
    pick = rng.random()
    if pick < 0.1:
        return bytes(rng.getrandbits(8) for _ in range(rng.randint(1, 40)))
    if pick < 0.15:
        return b"[" * 5000
    body = rng.choice(choices)
    return None if body is None else json.dumps(body).encode()


@pytest.mark.timeout(600)
def test_fuzz_no_5xx_and_no_changed_row_on_rejection(arm: ArmClient, world: World) -> None:
    rng = random.Random(SEED)
    arm.create_rg("rg1")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    uai = arm.request("PUT", arm.rg_path("rg1") + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1",
                      api_version="2018-11-30", json={"location": "westus"}).json()
    principal = vm["identity"]["principalId"]
    ra_name = new_guid()
    arm.assign(arm.rg_path("rg1"), principal, "acdd72a7-3385-48ef-bd42-f606fba81ae7", name=ra_name)
    vm_token = arm.token_for(principal)
    header, claims, sig = arm.token.split(".")
    tokens = [arm.token] * 8 + [vm_token] * 3 + [None, "garbage", f"{header}.{claims}.{sig[:-2]}xx", "",
                                                 f"{header}.{claims}", "a.b.c.d"]
    fragments = _fragments(arm, vm["id"], uai["id"], ra_name)
    methods = ["GET", "GET", "PUT", "PUT", "PATCH", "DELETE", "POST", "HEAD", "OPTIONS"]
    hosts = ["https://management.azure.com"] * 8 + ["https://login.microsoftonline.com",
                                                    "http://169.254.169.254", "http://localhost:50342",
                                                    "https://nowhere.invalid"]
    host_ids = [None, vm["id"], "/subscriptions/x/resourceGroups/y/providers/Microsoft.Compute/virtualMachines/z"]
    current: list[CallerContext] = [CallerContext()]
    statuses: dict[int, int] = {}
    with make_client(world, lambda: current[0]) as client:
        for i in range(REQUESTS):
            current[0] = CallerContext(host_id=rng.choice(host_ids))
            base = rng.choice(hosts)
            path = rng.choice(fragments)
            if base != "https://management.azure.com" and rng.random() < 0.7:
                path = rng.choice(["/metadata/identity/oauth2/token", "/oauth2/token",
                                   f"/{world.tenant_id}/discovery/keys", "/common/.well-known/openid-configuration",
                                   "/metadata/instance"])
            url = f"{base}{path}?{_queries(rng)}&resource=https://management.azure.com/"
            token = rng.choice(tokens)
            headers = {} if token is None else {"Authorization": f"Bearer {token}"}
            if rng.random() < 0.5:
                headers["Metadata"] = rng.choice(["true", "True", "false"])
            method = rng.choice(methods)
            body = _bodies(rng, principal, uai["id"])
            before = world.store.generation()
            try:
                r = client.request(method, url, headers=headers, content=body)
            except PlaneConnectError:
                assert world.store.generation() == before
                continue
            except httpx.InvalidURL:
                continue
            statuses[r.status_code] = statuses.get(r.status_code, 0) + 1
            assert r.status_code < 500, f"request {i}: {method} {url} -> {r.status_code} {r.text[:300]}"
            if r.status_code >= 400:
                assert world.store.generation() == before, f"request {i}: {method} {url} changed state: {r.text}"
    assert sum(statuses.values()) > REQUESTS // 2
    assert any(s < 300 for s in statuses) and any(s >= 400 for s in statuses)
