"""Resource groups, VMs, role assignments and definitions: through ARM, with Az's objects and errors."""

from __future__ import annotations

import pytest

from azshell.lang.cmdlet import CmdletError
from azshell.lang.values import PSHashtable, PSObject
from azshell.services.authorization.cmdlets import (
    GetAzRoleAssignment,
    GetAzRoleDefinition,
    NewAzRoleAssignment,
    RemoveAzRoleAssignment,
)
from azshell.services.compute.cmdlets import GetAzVM, NewAzVM, RemoveAzVM, UpdateAzVM
from azshell.services.entra.cmdlets_accounts import (
    ConnectAzAccount,
    DisconnectAzAccount,
    GetAzContext,
    GetAzSubscription,
    SetAzContext,
)
from azshell.services.resources.cmdlets import GetAzResourceGroup, NewAzResourceGroup, RemoveAzResourceGroup
from azshell.world import World
from tests.cmdlets.conftest import Runner

READER_ID = "acdd72a7-3385-48ef-bd42-f606fba81ae7"


@pytest.fixture
def sub(world: World) -> str:
    return world.default_subscription_id


@pytest.fixture
def vm(run: Runner) -> PSObject:
    run(NewAzResourceGroup, Name="myRG", Location="West US")
    out = run(NewAzVM, Name="myVM", ResourceGroupName="myRG", Location="westus", IdentityType="SystemAssigned")
    return out[0]


# ------------------------------------------------------------------------------------------------ accounts
def test_context_and_subscription(run: Runner, world: World) -> None:
    ctx = run(GetAzContext)[0]
    assert ctx.type_names[0].endswith("PSAzureContext")
    assert str(ctx.get("Account").methods["tostring"]()) == world.admin_user.user_principal_name
    assert ctx.get("Environment").get("Name") == "AzureCloud"
    subs = run(GetAzSubscription)
    assert [s.get("Id") for s in subs] == [world.default_subscription_id]
    assert run(SetAzContext, Subscription=subs[0].get("Name"))[0].get("SubscriptionName") == subs[0].get("Name")
    with pytest.raises(CmdletError, match="was not found in tenant"):
        run(GetAzSubscription, SubscriptionId="00000000-0000-0000-0000-000000000000")


def test_disconnect_then_cmdlets_ask_for_login(run: Runner) -> None:
    acct = run(DisconnectAzAccount)[0]
    assert acct.get("Type") == "User"
    assert run(GetAzContext) == []
    with pytest.raises(CmdletError) as ei:
        run(GetAzResourceGroup)
    assert ei.value.message == "Run Connect-AzAccount to login."
    profile = run(ConnectAzAccount)[0]
    assert profile.get("Environment") == "AzureCloud" and profile.get("SubscriptionName")


# ---------------------------------------------------------------------------------------- resource groups
def test_resource_group_crud(run: Runner, sub: str) -> None:
    rg = run(NewAzResourceGroup, Name="myRG", Location="West US", Tag=PSHashtable({"Dept": "IT"}))[0]
    assert rg.type_names[0].endswith("PSResourceGroup")
    assert rg.get("Location") == "westus" and rg.get("ProvisioningState") == "Succeeded"
    assert rg.get("ResourceId") == f"/subscriptions/{sub}/resourceGroups/myRG"
    assert rg.get("Tags")["dept"] == "IT"
    assert [g.get("ResourceGroupName") for g in run(GetAzResourceGroup)] == ["myRG"]
    assert run(GetAzResourceGroup, Name="myRG")[0].get("ResourceGroupName") == "myRG"
    assert run(RemoveAzResourceGroup, Name="myRG", what_if=True) == []
    assert run.ctx.host[-1].startswith("What if:")
    assert run(RemoveAzResourceGroup, Name="myRG", Force=True) == [True]
    with pytest.raises(CmdletError) as ei:
        run(GetAzResourceGroup, Name="myRG")
    e = ei.value
    assert e.message.splitlines()[0] == "Provided resource group does not exist."
    assert "ErrorCode: ResourceGroupNotFound" in e.message and "StatusCode: 404" in e.message
    assert "ReasonPhrase: Not Found" in e.message
    assert e.category == "ObjectNotFound"


# -------------------------------------------------------------------------------------------------- VMs
def test_new_vm_creates_group_and_identity(run: Runner, sub: str) -> None:
    vm = run(NewAzVM, Name="vm1", ResourceGroupName="newRG", Location="eastus", IdentityType="SystemAssigned")[0]
    assert vm.type_names[0].endswith("PSVirtualMachine")
    assert vm.get("Id") == f"/subscriptions/{sub}/resourceGroups/newRG/providers/Microsoft.Compute/virtualMachines/vm1"
    assert vm.get("ResourceGroupName") == "newRG"
    ident = vm.get("Identity")
    assert ident.get("Type") == "SystemAssigned" and ident.get("PrincipalId")
    assert vm.get("HardwareProfile").get("VmSize") == "Standard_D2s_v3"
    assert run(GetAzResourceGroup, Name="newRG")[0].get("Location") == "eastus"


def test_get_vm_forms(run: Runner, vm: PSObject) -> None:
    one = run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0]
    assert one.get("Identity").get("PrincipalId") == vm.get("Identity").get("PrincipalId")
    listed = run(GetAzVM)
    assert [v.get("Name") for v in listed] == ["myVM"] and listed[0].type_names[0].endswith("PSVirtualMachineList")
    assert run(GetAzVM, ResourceGroupName="myRG")[0].get("OsType") == "Windows"
    status = run(GetAzVM, ResourceGroupName="myRG", Name="myVM", Status=True)[0]
    assert [s.get("Code") for s in status.get("Statuses")][-1] == "PowerState/running"
    with pytest.raises(CmdletError) as ei:
        run(GetAzVM, ResourceGroupName="myRG", Name="nope")
    assert "ErrorCode: ResourceNotFound" in ei.value.message and ei.value.category == "ObjectNotFound"


def test_update_vm_identity_types(run: Runner, vm: PSObject, world: World) -> None:
    sub = world.default_subscription_id
    uai_id = f"/subscriptions/{sub}/resourceGroups/myRG/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1"
    run.services.http.put(f"https://management.azure.com{uai_id}", params={"api-version": "2023-01-31"},
                          json={"location": "westus"},
                          headers={"Authorization": f"Bearer {run.services.get_access_token()}"})
    resp = run(UpdateAzVM, ResourceGroupName="myRG", VM=vm, IdentityType="systemassigneduserassigned",
               IdentityId=[uai_id])[0]
    assert resp.get("IsSuccessStatusCode") is True and resp.get("StatusCode") == "OK"
    ident = run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0].get("Identity")
    assert ident.get("Type") == "SystemAssignedUserAssigned"
    table = ident.get("UserAssignedIdentities")
    assert [k.casefold() for k in table.keys()] == [uai_id.casefold()]
    assert table[uai_id].get("ClientId") and table[uai_id].get("PrincipalId")
    run(UpdateAzVM, ResourceGroupName="myRG", VM=vm, IdentityType="UserAssigned")
    ident = run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0].get("Identity")
    assert ident.get("Type") == "UserAssigned" and ident.get("PrincipalId") is None
    run(UpdateAzVM, ResourceGroupName="myRG", VM=vm, IdentityType="None")
    assert run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0].get("Identity") in (None,) or \
        run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0].get("Identity").get("Type") == "None"


def test_assign_identity_undefined_variable_enables_nothing(run: Runner) -> None:
    run(NewAzResourceGroup, Name="rg", Location="westus")
    vm = run(NewAzVM, Name="v", ResourceGroupName="rg")[0]
    assert vm.get("Identity") is None
    run(UpdateAzVM, ResourceGroupName="rg", VM=vm, AssignIdentity=None)  # -AssignIdentity:$SystemAssigned
    assert run(GetAzVM, ResourceGroupName="rg", Name="v")[0].get("Identity") is None
    run(UpdateAzVM, ResourceGroupName="rg", VM=vm, AssignIdentity="SystemAssigned")  # 2018 form
    assert run(GetAzVM, ResourceGroupName="rg", Name="v")[0].get("Identity").get("Type") == "SystemAssigned"


def test_remove_vm_whatif_and_force(run: Runner, vm: PSObject) -> None:
    assert run(RemoveAzVM, ResourceGroupName="myRG", Name="myVM", what_if=True) == []
    assert len(run(GetAzVM)) == 1
    assert run(RemoveAzVM, ResourceGroupName="myRG", Name="myVM", Force=True)[0].get("Status") == "Succeeded"
    assert run(GetAzVM) == []


# ------------------------------------------------------------------------------------- role assignments
def test_role_assignment_lifecycle(run: Runner, vm: PSObject, sub: str) -> None:
    pid = vm.get("Identity").get("PrincipalId")
    scope = f"/subscriptions/{sub}/resourcegroups/myRG/"
    ra = run(NewAzRoleAssignment, ObjectId=pid, RoleDefinitionName="Reader", Scope=scope)[0]
    assert ra.type_names[0].endswith("PSRoleAssignment")
    assert ra.get("Scope").casefold() == scope.rstrip("/").casefold()
    assert (ra.get("DisplayName"), ra.get("ObjectType"), ra.get("RoleDefinitionName")) == \
        ("myVM", "ServicePrincipal", "Reader")
    assert ra.get("RoleDefinitionId") == READER_ID and ra.get("CanDelegate") is False
    with pytest.raises(CmdletError) as ei:
        run(NewAzRoleAssignment, ObjectId=pid, RoleDefinitionName="Reader", Scope=scope)
    assert ei.value.message.splitlines()[0] == "The role assignment already exists."
    assert "ReasonPhrase: Conflict" in ei.value.message and ei.value.error_id == "Conflict"
    found = run(GetAzRoleAssignment, ObjectId=pid)
    assert [a.get("RoleAssignmentId") for a in found] == [ra.get("RoleAssignmentId")]
    assert run(GetAzRoleAssignment, ResourceGroupName="myRG", RoleDefinitionName="Reader")
    removed = run(RemoveAzRoleAssignment, ObjectId=pid, RoleDefinitionName="Reader", ResourceGroupName="myRG")
    assert removed[0].get("RoleAssignmentId") == ra.get("RoleAssignmentId")
    assert run(GetAzRoleAssignment, ObjectId=pid) == []
    with pytest.raises(CmdletError, match="does not map to a role assignment"):
        run(RemoveAzRoleAssignment, ObjectId=pid, RoleDefinitionName="Reader", ResourceGroupName="myRG")


def test_role_assignment_by_sign_in_name_and_unknown_role(run: Runner, world: World) -> None:
    upn = world.admin_user.user_principal_name
    run(NewAzResourceGroup, Name="rg", Location="westus")
    ra = run(NewAzRoleAssignment, SignInName=upn, RoleDefinitionName="Reader", ResourceGroupName="rg")[0]
    assert ra.get("SignInName") == upn and ra.get("ObjectType") == "User"
    with pytest.raises(CmdletError) as ei:
        run(NewAzRoleAssignment, SignInName=upn, RoleDefinitionName="Foo")
    assert ei.value.message == "Cannot find role definition with name 'Foo'."
    with pytest.raises(CmdletError, match="Cannot find principal"):
        run(NewAzRoleAssignment, SignInName="nobody@nowhere", RoleDefinitionName="Reader")


def test_orphaned_assignment_shows_unknown(run: Runner, vm: PSObject) -> None:
    pid = vm.get("Identity").get("PrincipalId")
    run(NewAzRoleAssignment, ObjectId=pid, RoleDefinitionName="Reader", ResourceGroupName="myRG")
    run(UpdateAzVM, ResourceGroupName="myRG", VM=vm, IdentityType="None")
    orphan = run(GetAzRoleAssignment, ObjectId=pid)[0]
    assert orphan.get("DisplayName") == "" and orphan.get("ObjectType") == "Unknown"


def test_role_definitions(run: Runner) -> None:
    reader = run(GetAzRoleDefinition, Name="reader")[0]
    assert reader.get("Id") == READER_ID and reader.get("Actions") == ["*/read"]
    assert reader.get("IsCustom") is False and reader.get("AssignableScopes") == ["/"]
    names = {d.get("Name") for d in run(GetAzRoleDefinition)}
    assert {"Owner", "Contributor", "Reader", "User Access Administrator"} <= names
    assert run(GetAzRoleDefinition, Id=READER_ID)[0].get("Name") == "Reader"
    assert run(GetAzRoleDefinition, Custom=True) == []
