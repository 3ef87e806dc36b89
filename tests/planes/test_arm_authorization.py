"""Role assignments and role definitions over the ARM wire: errors, list semantics and filters."""

from __future__ import annotations

import pytest

from azshell.world import World
from tests.conftest import ArmClient

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
RA = "/providers/Microsoft.Authorization/roleAssignments"
RD = "/providers/Microsoft.Authorization/roleDefinitions"
V = "2022-04-01"


@pytest.fixture
def setup(arm: ArmClient, world: World) -> dict[str, str]:
    """rg1 with vm1 (system identity), rg2, and a user."""
    arm.create_rg("rg1")
    arm.create_rg("rg2")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    user = world.backend.create_user("Dana", "dana@azshell.onmicrosoft.com")
    return {"vm_principal": vm["identity"]["principalId"], "user": user.object_id, "vm_id": vm["id"]}


def _list(arm: ArmClient, scope: str, flt: str | None = None) -> list[dict[str, object]]:
    path = scope + RA + (f"?$filter={flt}" if flt else "")
    r = arm.request("GET", path, api_version=V)
    assert r.status_code == 200, r.text
    value: list[dict[str, object]] = r.json()["value"]
    return value


def _scopes(items: list[dict[str, object]]) -> set[str]:
    return {str(i["properties"]["scope"]).lower() for i in items}  # type: ignore[index]


def test_assignment_shape_get_delete(arm: ArmClient, setup: dict[str, str], world: World) -> None:
    name = "4b0e7d8a-24c3-4f0a-9d45-1f3c1f5a2b77"
    r = arm.assign(arm.rg_path("rg1"), setup["vm_principal"], READER, name=name)
    assert r.status_code == 201
    body = r.json()
    assert body["id"] == f"{arm.rg_path('rg1')}{RA}/{name}"
    assert body["type"] == "Microsoft.Authorization/roleAssignments" and body["name"] == name
    props = body["properties"]
    assert props["roleDefinitionId"] == f"/subscriptions/{arm.sub}{RD}/{READER}"
    assert props["scope"] == arm.rg_path("rg1")
    assert props["createdBy"] == world.admin_user.object_id
    assert props["condition"] is None and props["conditionVersion"] is None and props["description"] is None
    assert set(props) >= {"createdOn", "updatedOn", "updatedBy", "principalId", "principalType"}
    got = arm.request("GET", f"{arm.rg_path('rg1')}{RA}/{name}", api_version=V)
    assert got.json() == body
    wrong_scope = arm.request("GET", f"{arm.rg_path('rg2')}{RA}/{name}", api_version=V)
    assert wrong_scope.status_code == 404
    assert wrong_scope.json()["error"]["code"] == "RoleAssignmentNotFound"
    deleted = arm.request("DELETE", f"{arm.rg_path('rg1')}{RA}/{name}", api_version=V)
    assert deleted.status_code == 200 and deleted.json()["name"] == name
    assert arm.request("DELETE", f"{arm.rg_path('rg1')}{RA}/{name}", api_version=V).status_code == 204


def test_invalid_role_assignment_id(arm: ArmClient, setup: dict[str, str], world: World) -> None:
    gen = world.store.generation()
    r = arm.assign(arm.rg_path("rg1"), setup["user"], READER, name="kv-role-assignement3")
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "InvalidRoleAssignmentId", "message": (
        "The role assignment ID 'kv-role-assignement3' is not valid. The role assignment ID must be a GUID.")}
    assert world.store.generation() == gen


def test_role_assignment_exists(arm: ArmClient, setup: dict[str, str]) -> None:
    first = arm.assign(arm.rg_path("rg1"), setup["user"], READER, name="0a2b7dc5-8eb4-4970-9418-694f83a6c164")
    assert first.status_code == 201
    dup = arm.assign(arm.rg_path("rg1"), setup["user"], READER)
    assert dup.status_code == 409
    assert dup.json()["error"] == {"code": "RoleAssignmentExists", "message": (
        "The role assignment already exists. The ID of the existing role assignment is "
        "0a2b7dc58eb449709418694f83a6c164.")}


def test_principal_not_found(arm: ArmClient, setup: dict[str, str], world: World) -> None:
    r = arm.assign(arm.rg_path("rg1"), "0f14a80d-42e5-4d57-afe0-46acf9dfae05", READER)
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "PrincipalNotFound", "message": (
        f"Principal 0f14a80d42e54d57afe046acf9dfae05 does not exist in the directory {world.tenant_id}. Check that "
        "you have the correct principal ID. If you are creating this principal and then immediately assigning a "
        "role, this error might be related to a replication delay. In this case, set the role assignment "
        "principalType property to a value, such as ServicePrincipal, User, or Group.  See "
        "https://aka.ms/docs-principaltype")}


def test_role_definition_does_not_exist(arm: ArmClient, setup: dict[str, str]) -> None:
    r = arm.assign(arm.rg_path("rg1"), setup["user"], "11111111-2222-3333-4444-555555555555")
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "RoleDefinitionDoesNotExist", "message": (
        "The specified role definition with ID '11111111222233334444555555555555' does not exist.")}


@pytest.mark.parametrize("props", [
    None, {}, {"roleDefinitionId": f"x{RD}/{READER}"}, {"principalId": "User", "roleDefinitionId": READER},
    {"principalId": "0f14a80d-42e5-4d57-afe0-46acf9dfae05", "roleDefinitionId": READER, "principalType": "Robot"},
    {"principalId": 5, "roleDefinitionId": READER},
])
def test_bad_assignment_bodies(arm: ArmClient, setup: dict[str, str], world: World,
                               props: dict[str, object] | None) -> None:
    gen = world.store.generation()
    body = {} if props is None else {"properties": props}
    r = arm.request("PUT", f"{arm.rg_path('rg1')}{RA}/4b0e7d8a-24c3-4f0a-9d45-1f3c1f5a2b77", api_version=V, json=body)
    assert r.status_code == 400, r.text
    assert world.store.generation() == gen


def test_invalid_principal_id_text(arm: ArmClient, setup: dict[str, str]) -> None:
    r = arm.request("PUT", f"{arm.rg_path('rg1')}{RA}/4b0e7d8a-24c3-4f0a-9d45-1f3c1f5a2b77", api_version=V,
                    json={"properties": {"principalId": "User", "roleDefinitionId": READER}})
    assert r.json()["error"] == {"code": "InvalidPrincipalId",
                                 "message": "The Principal ID 'User' is not valid. Principal ID must be a GUID."}


def test_assignment_scope_must_exist(arm: ArmClient, setup: dict[str, str]) -> None:
    assert arm.assign(arm.rg_path("ghost"), setup["user"], READER).json()["error"]["code"] == "ResourceGroupNotFound"
    r = arm.assign(arm.vm_path("rg1", "ghost"), setup["user"], READER)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ResourceNotFound"
    ok = arm.assign(setup["vm_id"], setup["user"], READER)
    assert ok.status_code == 201


def test_principal_type_given_skips_directory_check(arm: ArmClient, setup: dict[str, str]) -> None:
    path = f"{arm.rg_path('rg1')}{RA}/4b0e7d8a-24c3-4f0a-9d45-1f3c1f5a2b77"
    body = {"properties": {"roleDefinitionId": f"/subscriptions/{arm.sub}{RD}/{READER}",
                           "principalId": "0f14a80d-42e5-4d57-afe0-46acf9dfae05", "principalType": "ServicePrincipal"}}
    r = arm.request("PUT", path, api_version=V, json=body)
    assert r.status_code == 201
    assert r.json()["properties"]["principalType"] == "ServicePrincipal"


def test_list_semantics(arm: ArmClient, setup: dict[str, str], world: World) -> None:
    sub_scope = f"/subscriptions/{arm.sub}"
    arm.assign(arm.rg_path("rg1"), setup["vm_principal"], READER)
    arm.assign(setup["vm_id"], setup["user"], READER)
    arm.assign(arm.rg_path("rg2"), setup["user"], CONTRIBUTOR)
    rg1, vm = arm.rg_path("rg1").lower(), setup["vm_id"].lower()
    # At a resource group: assignments above (subscription Owner), at, and below (the VM) - not rg2's.
    assert _scopes(_list(arm, arm.rg_path("rg1"))) == {sub_scope.lower(), rg1, vm}
    assert _scopes(_list(arm, arm.rg_path("rg1"), "atScope()")) == {sub_scope.lower(), rg1}
    user_items = _list(arm, sub_scope, f"principalId eq '{setup['user']}'")
    assert {i["properties"]["principalId"] for i in user_items} == {setup["user"]}  # type: ignore[index]
    assert len(user_items) == 2
    assert len(_list(arm, sub_scope, f"atScope() and principalId eq '{setup['user']}'")) == 0
    assert len(_list(arm, sub_scope)) == 4


def test_assigned_to_includes_groups(arm: ArmClient, setup: dict[str, str], world: World) -> None:
    group = world.backend.create_group("Ops")
    world.backend.add_group_member(group.object_id, setup["user"])
    arm.assign(arm.rg_path("rg2"), group.object_id, READER)
    items = _list(arm, f"/subscriptions/{arm.sub}", f"assignedTo('{setup['user']}')")
    assert [i["properties"]["principalId"] for i in items] == [group.object_id]  # type: ignore[index]


def test_unsupported_filter(arm: ArmClient, setup: dict[str, str]) -> None:
    r = arm.request("GET", f"/subscriptions/{arm.sub}{RA}?$filter=roleName eq 'x'", api_version=V)
    assert r.status_code == 400


def test_reader_can_list_but_not_write(arm: ArmClient, setup: dict[str, str]) -> None:
    arm.assign(arm.rg_path("rg1"), setup["vm_principal"], READER)
    token = arm.token_for(setup["vm_principal"])
    assert arm.request("GET", arm.rg_path("rg1") + RA, api_version=V, token=token).status_code == 200
    denied = arm.request("GET", f"/subscriptions/{arm.sub}{RA}", api_version=V, token=token)
    assert denied.status_code == 403
    assert "'Microsoft.Authorization/roleAssignments/read'" in denied.json()["error"]["message"]
    r = arm.assign(arm.rg_path("rg1"), setup["user"], READER, token=token)
    assert r.status_code == 403


def test_role_definitions(arm: ArmClient, setup: dict[str, str]) -> None:
    sub_scope = f"/subscriptions/{arm.sub}"
    r = arm.request("GET", f"{sub_scope}{RD}?$filter=roleName eq 'Reader'", api_version=V)
    (reader,) = r.json()["value"]
    assert reader["name"] == READER
    assert reader["id"] == f"{sub_scope}{RD}/{READER}"
    assert reader["type"] == "Microsoft.Authorization/roleDefinitions"
    assert reader["properties"]["permissions"] == [{"actions": ["*/read"], "notActions": [], "dataActions": [],
                                                    "notDataActions": []}]
    assert reader["properties"]["assignableScopes"] == ["/"]
    assert set(reader["properties"]) >= {"roleName", "type", "description", "createdOn", "updatedOn",
                                         "createdBy", "updatedBy"}
    builtins = arm.request("GET", f"{sub_scope}{RD}?$filter=type eq 'BuiltInRole'", api_version=V).json()["value"]
    assert len(builtins) >= 17
    got = arm.request("GET", f"{arm.rg_path('rg1')}{RD}/{READER}", api_version=V).json()
    assert got["id"] == f"{sub_scope}{RD}/{READER}"
    root = arm.request("GET", f"{RD}/{READER}", api_version=V).json()
    assert root["id"] == f"{RD}/{READER}"
    missing = arm.request("GET", f"{sub_scope}{RD}/11111111-2222-3333-4444-555555555555", api_version=V)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "RoleDefinitionDoesNotExist"


def test_custom_role_definition_lifecycle(arm: ArmClient, setup: dict[str, str]) -> None:
    sub_scope = f"/subscriptions/{arm.sub}"
    guid = "9f1c1a9e-3b1d-4d0c-9b64-5d1b9f0d7a11"
    body = {"properties": {"roleName": "VM Restarter", "description": "Restarts VMs", "type": "CustomRole",
                           "permissions": [{"actions": ["Microsoft.Compute/virtualMachines/restart/action",
                                                        "Microsoft.Compute/virtualMachines/read"]}],
                           "assignableScopes": [sub_scope]}}
    created = arm.request("PUT", f"{sub_scope}{RD}/{guid}", api_version=V, json=body)
    assert created.status_code == 201, created.text
    assert created.json()["properties"]["type"] == "CustomRole"
    clash = arm.request("PUT", f"{sub_scope}{RD}/9f1c1a9e-3b1d-4d0c-9b64-5d1b9f0d7a12", api_version=V, json=body)
    assert clash.status_code == 409
    customs = arm.request("GET", f"{sub_scope}{RD}?$filter=type eq 'CustomRole'", api_version=V).json()["value"]
    assert [c["name"] for c in customs] == [guid]
    arm.assign(arm.rg_path("rg1"), setup["user"], guid)
    in_use = arm.request("DELETE", f"{sub_scope}{RD}/{guid}", api_version=V)
    assert in_use.status_code == 409
    builtin = arm.request("DELETE", f"{sub_scope}{RD}/{READER}", api_version=V)
    assert builtin.status_code == 409
    assert arm.request("PUT", f"{sub_scope}{RD}/not-a-guid", api_version=V, json=body).status_code == 400
