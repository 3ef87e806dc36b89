"""Microsoft Graph wire tests: shapes, filters, group writes, Graph's errors and the read-only identity rule."""

from __future__ import annotations

import httpx
import pytest

from azshell.world import World

GRAPH = "https://graph.microsoft.com/v1.0"
GRAPH_RESOURCE = "https://graph.microsoft.com/"


@pytest.fixture
def admin_graph(world: World) -> dict[str, str]:
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=GRAPH_RESOURCE, kind="user")
    return {"Authorization": f"Bearer {token.access_token}"}


@pytest.fixture
def vm_sp(world: World) -> str:
    sub = world.default_subscription_id
    world.backend.create_or_update_resource_group(sub, "rg", "westus")
    world.backend.create_or_update_vm(sub, "rg", "myVM", "westus", identity_type="SystemAssigned")
    found = world.store.find_directory_objects(display_name="myVM", object_type="ServicePrincipal")
    return found[0].object_id


def test_service_principal_by_display_name(client: httpx.Client, admin_graph: dict[str, str], vm_sp: str) -> None:
    r = client.get(f"{GRAPH}/servicePrincipals", params={"$filter": "displayName eq 'MYVM'"}, headers=admin_graph)
    assert r.status_code == 200
    body = r.json()
    assert body["@odata.context"] == "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals"
    [sp] = body["value"]
    assert sp["id"] == vm_sp and sp["servicePrincipalType"] == "ManagedIdentity"
    assert sp["alternativeNames"][0] == "isExplicit=False"
    assert sp["alternativeNames"][1].endswith("/virtualMachines/myVM")
    one = client.get(f"{GRAPH}/servicePrincipals/{vm_sp}", headers=admin_graph).json()
    assert one["@odata.context"].endswith("#servicePrincipals/$entity") and one["displayName"] == "myVM"


def test_not_found_and_bad_segment(client: httpx.Client, admin_graph: dict[str, str]) -> None:
    missing = "00000000-0000-0000-0000-000000000001"
    r = client.get(f"{GRAPH}/servicePrincipals/{missing}", headers=admin_graph)
    assert r.status_code == 404
    err = r.json()["error"]
    assert err["code"] == "Request_ResourceNotFound"
    assert err["message"] == (f"Resource '{missing}' does not exist or one of its queried reference-property "
                              "objects are not present.")
    assert set(err["innerError"]) >= {"date", "request-id", "client-request-id"}
    r = client.get(f"{GRAPH}/widgets", headers=admin_graph)
    assert r.status_code == 400 and r.json()["error"]["message"] == "Resource not found for the segment 'widgets'."
    r = client.get(f"{GRAPH}/users", params={"$filter": "weird(x)"}, headers=admin_graph)
    assert r.status_code == 400 and r.json()["error"]["code"] == "Request_UnsupportedQuery"


def test_authentication_errors(client: httpx.Client, world: World) -> None:
    r = client.get(f"{GRAPH}/users")
    assert r.status_code == 401
    assert r.json()["error"] == {**r.json()["error"], "code": "InvalidAuthenticationToken",
                                 "message": "Access token is empty."}
    arm = world.tokens.issue_for_principal(principal=world.admin_user, resource="https://management.azure.com/",
                                           kind="user").access_token
    r = client.get(f"{GRAPH}/users", headers={"Authorization": f"Bearer {arm}"})
    assert r.status_code == 401 and "Invalid audience" in r.json()["error"]["message"]
    # a value with no dots is not a JWT: IdentityModel's IDX14100, as Graph answers it (issue 14)
    r = client.get(f"{GRAPH}/users", headers={"Authorization": "Bearer not-a-token"})
    assert r.status_code == 401 and r.json()["error"]["code"] == "InvalidAuthenticationToken"
    assert r.json()["error"]["message"].startswith(
        "IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact "
        "Serialization Format. (JWS): 'EncodedHeader.EncodedPayload.EncodedSignature'.")


def test_method_not_allowed(client: httpx.Client, admin_graph: dict[str, str]) -> None:
    r = client.request("PATCH", f"{GRAPH}/users", headers=admin_graph)
    assert r.status_code == 405
    assert r.json()["error"]["message"] == "Specified HTTP method is not allowed for the request target."


def test_users_and_me(client: httpx.Client, admin_graph: dict[str, str], world: World) -> None:
    upn = world.admin_user.user_principal_name
    me = client.get(f"{GRAPH}/me", headers=admin_graph).json()
    assert me["userPrincipalName"] == upn
    by_upn = client.get(f"{GRAPH}/users/{upn}", headers=admin_graph).json()
    assert by_upn["id"] == world.admin_user.object_id
    listed = client.get(f"{GRAPH}/users", params={"$filter": f"userPrincipalName eq '{upn}'"},
                        headers=admin_graph).json()["value"]
    assert [u["id"] for u in listed] == [world.admin_user.object_id]


def test_groups_create_add_member_list(client: httpx.Client, admin_graph: dict[str, str], vm_sp: str,
                                       world: World) -> None:
    r = client.post(f"{GRAPH}/groups", json={"displayName": "myGroup", "mailNickname": "myGroup",
                                             "securityEnabled": True, "mailEnabled": False}, headers=admin_graph)
    assert r.status_code == 201
    gid = r.json()["id"]
    assert r.json()["securityEnabled"] is True
    ref = {"@odata.id": f"https://graph.microsoft.com/v1.0/directoryObjects/{vm_sp}"}
    r = client.post(f"{GRAPH}/groups/{gid}/members/$ref", json=ref, headers=admin_graph)
    assert r.status_code == 204
    assert world.store.group_ids_of(vm_sp) == [gid]
    again = client.post(f"{GRAPH}/groups/{gid}/members/$ref", json=ref, headers=admin_graph)
    assert again.status_code == 400 and "already exist" in again.json()["error"]["message"]
    members = client.get(f"{GRAPH}/groups/{gid}/members", headers=admin_graph).json()["value"]
    assert [(m["@odata.type"], m["id"]) for m in members] == [("#microsoft.graph.servicePrincipal", vm_sp)]
    found = client.get(f"{GRAPH}/groups", params={"$filter": "startswith(displayName,'mygr')"},
                       headers=admin_graph).json()["value"]
    assert [g["id"] for g in found] == [gid]
    bad = client.post(f"{GRAPH}/groups", json={"displayName": "x"}, headers=admin_graph)
    assert bad.status_code == 400


def test_managed_identity_reads_but_cannot_write(client: httpx.Client, world: World, vm_sp: str) -> None:
    sp = world.store.get_directory_object(vm_sp)
    assert sp is not None
    token = world.tokens.issue_for_principal(principal=sp, resource=GRAPH_RESOURCE, kind="managed_identity")
    h = {"Authorization": f"Bearer {token.access_token}"}
    assert client.get(f"{GRAPH}/servicePrincipals/{vm_sp}", headers=h).status_code == 200
    r = client.post(f"{GRAPH}/groups", json={"displayName": "g", "mailNickname": "g"}, headers=h)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "Authorization_RequestDenied"
    me = client.get(f"{GRAPH}/me", headers=h)
    assert me.status_code == 400 and me.json()["error"]["code"] == "BadRequest"
    assert me.json()["error"]["message"] == "/me request is only valid with delegated authentication flow."
