"""Enter-AzVM/Exit-AzVM, Connect-AzAccount -Identity, and the short verbs (Enable-Msi, Get-Token, ...)."""

from __future__ import annotations

import pytest

from azshell.cmdlets.context import decode_claims
from azshell.cmdlets.web import InvokeWebRequest
from azshell.lang.cmdlet import CmdletError
from azshell.lang.values import PSHashtable
from azshell.services.authorization.cmdlets import GetAzRoleAssignment
from azshell.services.compute.cmdlets import GetAzVM, NewAzVM
from azshell.services.compute.cmdlets_hosts import EnterAzVM, ExitAzVM
from azshell.services.entra.cmdlets_accounts import ConnectAzAccount, DisconnectAzAccount, GetAzContext
from azshell.services.identity.cmdlets_short import (
    DisableMsi,
    EnableMsi,
    GetRoleAssignment,
    GetToken,
    NewRoleAssignment,
    RemoveRoleAssignment,
)
from azshell.services.resources.cmdlets import GetAzResourceGroup, NewAzResourceGroup
from azshell.world import World
from tests.cmdlets.conftest import Runner


@pytest.fixture
def plain_vm(run: Runner) -> None:
    run(NewAzResourceGroup, Name="myRG", Location="westus")
    run(NewAzVM, Name="myVM", ResourceGroupName="myRG")


def test_enable_msi_installs_identity_and_extension(run: Runner, plain_vm: None) -> None:
    status = run(EnableMsi, ResourceGroupName="myRG", Name="myVM")[0]
    assert status.get("IdentityType") == "SystemAssigned" and status.get("PrincipalId")
    assert status.get("Extension") == "ManagedIdentityExtensionForWindows"
    vm = run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0]
    assert vm.get("Identity").get("PrincipalId") == status.get("PrincipalId")
    run(EnterAzVM, ResourceGroupName="myRG", Name="myVM")
    assert "localhost:50342" in run.ctx.host[-1]
    r = run(InvokeWebRequest, Uri="http://localhost:50342/oauth2/token", Method="GET",
            Body=PSHashtable({"resource": "https://management.azure.com/"}), Headers=PSHashtable({"Metadata": "true"}))
    assert r[0].get("StatusCode") == 200
    run(ExitAzVM)
    off = run(DisableMsi, ResourceGroupName="myRG", Name="myVM")[0]
    assert off.get("IdentityType") == "None" and off.get("Extension") is None
    assert run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0].get("Identity") is None or \
        run(GetAzVM, ResourceGroupName="myRG", Name="myVM")[0].get("Identity").get("PrincipalId") is None


def test_enter_needs_read_access(run: Runner, plain_vm: None) -> None:
    run(DisconnectAzAccount)
    with pytest.raises(CmdletError, match="Run Connect-AzAccount to login."):
        run(EnterAzVM, ResourceGroupName="myRG", Name="myVM")
    assert run.services.current_host is None


def test_enter_twice_and_exit(run: Runner, plain_vm: None) -> None:
    run(EnterAzVM, ResourceGroupName="myRG", Name="myVM")
    assert run.services.prompt() == "[myVM]: PS C:\\> "
    with pytest.raises(CmdletError, match="already on myVM"):
        run(EnterAzVM, ResourceGroupName="myRG", Name="myVM")
    run(ExitAzVM)
    assert run.services.current_host is None
    run(ExitAzVM)  # harmless off-host


def test_get_token_on_and_off_host(run: Runner, world: World, plain_vm: None) -> None:
    with pytest.raises(CmdletError) as ei:
        run(GetToken)
    assert "Enter-AzVM" in ei.value.message
    status = run(EnableMsi, ResourceGroupName="myRG", Name="myVM")[0]
    run(EnterAzVM, ResourceGroupName="myRG", Name="myVM")
    tok = run(GetToken)[0]
    assert tok.property_names()[:7] == ["access_token", "client_id", "expires_in", "expires_on", "not_before",
                                        "resource", "token_type"]
    assert tok.get("resource") == "https://management.azure.com/" and tok.get("token_type") == "Bearer"
    assert decode_claims(tok.get("access_token"))["oid"] == status.get("PrincipalId")
    ext = run(GetToken, Resource="https://vault.azure.net", Endpoint="Extension")[0]
    assert decode_claims(ext.get("access_token"))["aud"] == "https://vault.azure.net"
    with pytest.raises(CmdletError) as ei:
        run(GetToken, ClientId="00000000-0000-0000-0000-000000000000")
    assert "answered 400" in ei.value.message and ei.value.category == "InvalidArgument"


def test_identity_sign_in_follows_rbac(run: Runner, world: World, plain_vm: None) -> None:
    run(EnableMsi, ResourceGroupName="myRG", Name="myVM")
    run(EnterAzVM, ResourceGroupName="myRG", Name="myVM")
    with pytest.raises(CmdletError, match="Run Connect-AzAccount to login."):
        run(GetAzResourceGroup)
    profile = run(ConnectAzAccount, Identity=True)[0]
    assert profile.get("Account").get("Id") == "MSI@50342" and profile.get("SubscriptionName") == ""
    assert run.ctx.warnings and "Unable to find a subscription" in run.ctx.warnings[-1]
    run(ExitAzVM)
    run(NewRoleAssignment, Assignee="myVM", Role="Reader", ResourceGroupName="myRG")
    run(EnterAzVM, ResourceGroupName="myRG", Name="myVM")
    profile = run(ConnectAzAccount, Identity=True)[0]
    assert profile.get("SubscriptionName")
    assert run(GetAzContext)[0].get("Account").get("Type") == "ManagedService"
    assert [g.get("ResourceGroupName") for g in run(GetAzResourceGroup)] == ["myRG"]
    with pytest.raises(CmdletError) as ei:
        run(NewAzResourceGroup, Name="other", Location="westus")
    lines = ei.value.message.splitlines()
    assert "does not have authorization to perform action" in lines[0]
    assert "ErrorCode: AuthorizationFailed" in lines and "StatusCode: 403" in lines
    assert "ReasonPhrase: Forbidden" in lines and lines[-1].startswith("To see why: Test-AzAccess -ObjectId ")
    assert ei.value.category == "PermissionDenied"


def test_short_role_verbs(run: Runner, plain_vm: None, world: World) -> None:
    with pytest.raises(CmdletError, match="No principal named 'myVM'"):
        run(NewRoleAssignment, Assignee="myVM", Role="Reader", ResourceGroupName="myRG")
    run(EnableMsi, ResourceGroupName="myRG", Name="myVM")
    ra = run(NewRoleAssignment, Assignee="myVM", Role="Reader", ResourceGroupName="myRG")[0]
    assert ra.get("DisplayName") == "myVM" and ra.get("RoleDefinitionName") == "Reader"
    assert [a.get("ObjectId") for a in run(GetRoleAssignment, Assignee="myVM")] == [ra.get("ObjectId")]
    by_upn = run(GetRoleAssignment, Assignee=world.admin_user.user_principal_name)
    assert any(a.get("RoleDefinitionName") == "Owner" for a in by_upn)
    run(NewAzResourceGroup, Name="rg2", Location="westus")
    run(NewAzVM, Name="myVM", ResourceGroupName="rg2", IdentityType="SystemAssigned")
    with pytest.raises(CmdletError) as ei:
        run(NewRoleAssignment, Assignee="myVM", Role="Reader", ResourceGroupName="myRG")
    assert "names 2 principals" in ei.value.message and "rg2" in ei.value.message
    removed = run(RemoveRoleAssignment, Assignee=ra.get("ObjectId"), Role="Reader", ResourceGroupName="myRG")
    assert removed[0].get("RoleAssignmentId") == ra.get("RoleAssignmentId")
    assert run(GetAzRoleAssignment, ObjectId=ra.get("ObjectId")) == []
