"""Directory cmdlets through the whole shell (Session → engine → Graph plane), incl. the qs-configure steps."""

from __future__ import annotations

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "myResourceGroup"
VM = "myVM"


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null\n"
         f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus | Out-Null\n"
         f"$vm = Get-AzVM -ResourceGroupName {RG} -Name {VM}\n"
         f"Update-AzVM -ResourceGroupName {RG} -VM $vm -IdentityType SystemAssigned | Out-Null")
    return s


def test_get_service_principal_tutorial_line(shell: Shell) -> None:
    [sp] = shell.ok('Get-AzADServicePrincipal -displayname "myVM"')
    principal_id = shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")[0]
    assert sp.get("Id") == principal_id
    assert sp.get("DisplayName") == VM and sp.get("ServicePrincipalType") == "ManagedIdentity"
    assert sp.type_names[0].endswith("MicrosoftGraphServicePrincipal")
    assert sp.get("AlternativeName")[1].endswith(f"/virtualMachines/{VM}")
    text = shell.ok('Get-AzADServicePrincipal -DisplayName myvm | Out-String')[0]
    assert "DisplayName" in text and "AppId" in text and principal_id in text
    assert shell.ok(f"(Get-AzADServicePrincipal -ObjectId {principal_id}).DisplayName") == [VM]
    assert shell.ok(f"(Get-AzADServicePrincipal -ApplicationId {sp.get('AppId')}).Id") == [principal_id]
    assert shell.ok("(Get-AzADServicePrincipal -SearchString my).DisplayName") == [VM]
    assert shell.ok('Get-AzADServicePrincipal -DisplayName "nothere"') == []


def test_missing_object_is_graph_404(shell: Shell) -> None:
    text = shell.error_text("Get-AzADServicePrincipal -ObjectId 00000000-0000-0000-0000-000000000009")
    assert "does not exist or one of its queried reference-property objects are not present" in text
    assert "Request_ResourceNotFound" in text


def test_users(shell: Shell, world: World) -> None:
    upn = world.admin_user.user_principal_name
    [me] = shell.ok("Get-AzADUser -SignedIn")
    assert me.get("UserPrincipalName") == upn and me.get("Id") == world.admin_user.object_id
    assert shell.ok(f"(Get-AzADUser -UserPrincipalName {upn}).Id") == [world.admin_user.object_id]
    assert shell.ok(f"(Get-AzADUser -ObjectId {world.admin_user.object_id}).UserPrincipalName") == [upn]
    assert "does not exist" in shell.error_text("Get-AzADUser -UserPrincipalName nobody@x.onmicrosoft.com")


def test_tutorial_group_steps(shell: Shell, world: World) -> None:
    shell.ok('New-AzADGroup -DisplayName "myGroup" -MailNickname "myGroup" | Out-Null')
    [group] = shell.ok('Get-AzADGroup -searchstring "myGroup"')
    [sp] = shell.ok('Get-AzADServicePrincipal -displayname "myVM"')
    shell.ok(f'New-MgGroupMember -GroupId "{group.get("Id")}" -DirectoryObjectId "{sp.get("Id")}"')
    assert world.store.group_ids_of(str(sp.get("Id"))) == [group.get("Id")]
    members = shell.ok('Get-AzADGroupMember -GroupDisplayName "myGroup"')
    assert [m.get("Id") for m in members] == [sp.get("Id")]
    text = shell.error_text(f'Add-AzADGroupMember -TargetGroupObjectId {group.get("Id")} -MemberObjectId {sp.get("Id")}')
    assert "already exist" in text


def test_add_member_by_upn_and_display_name(shell: Shell, world: World) -> None:
    upn = world.admin_user.user_principal_name
    shell.ok('New-AzADGroup -DisplayName "ops" -MailNickname "ops" | Out-Null')
    shell.ok(f'Add-AzADGroupMember -TargetGroupDisplayName ops -MemberUserPrincipalName {upn}')
    assert shell.ok("(Get-AzADGroupMember -GroupDisplayName ops).UserPrincipalName") == [upn]
    assert "does not exist" in shell.error_text("Add-AzADGroupMember -TargetGroupDisplayName nope -MemberObjectId x")


def test_role_granted_to_group_reaches_vm_identity(shell: Shell) -> None:
    scope = f"/subscriptions/{shell.sub}/resourceGroups/{RG}"
    shell.ok('$g = New-AzADGroup -DisplayName "readers" -MailNickname "readers"\n'
             f'New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName Reader -Scope "{scope}" | Out-Null')
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}\nConnect-AzAccount -Identity | Out-Null")
    denied = shell.error_text(f"Get-AzResourceGroup -Name {RG}")
    assert "No subscription found" in denied  # no role anywhere: the identity sees no subscription
    shell.ok("Exit-AzVM")
    shell.ok('$sp = Get-AzADServicePrincipal -DisplayName myVM\n'
             'Add-AzADGroupMember -TargetGroupDisplayName readers -MemberObjectId $sp.Id')
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}\nConnect-AzAccount -Identity | Out-Null")
    [rg] = shell.ok(f"Get-AzResourceGroup -Name {RG}")
    assert rg.get("ResourceGroupName") == RG
    [decision] = shell.ok(f"Test-AzAccess -Action Microsoft.Resources/subscriptions/resourceGroups/read "
                          f"-Scope '{scope}'")
    assert decision.get("Allowed") is True


def test_identity_cannot_create_groups(shell: Shell) -> None:
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}\nConnect-AzAccount -Identity | Out-Null")
    assert shell.ok('(Get-AzADServicePrincipal -DisplayName myVM).DisplayName') == [VM]
    text = shell.error_text('New-AzADGroup -DisplayName g -MailNickname g')
    assert "Insufficient privileges to complete the operation." in text


def test_help_and_completion(shell: Shell) -> None:
    from azshell.services.entra.cmdlets import COMMANDS

    for cls in COMMANDS:
        assert cls.synopsis and cls.examples
    names = shell.session.services.complete_value("principal_name", "my")
    assert VM in names


def test_remove_group_through_graph(shell: Shell, world: World) -> None:
    shell.ok('New-AzADGroup -DisplayName "gone" -MailNickname "gone"')
    gid = shell.ok('(Get-AzADGroup -DisplayName "gone").Id')[0]
    assert shell.ok('Remove-AzADGroup -DisplayName "gone" -PassThru') == [True]
    assert world.store.get_directory_object(gid) is None
    assert "Group with display name 'gone' does not exist." in shell.error_text('Remove-AzADGroup -DisplayName "gone"')
    assert "Request_ResourceNotFound" in shell.error_text(f"Remove-AzADGroup -ObjectId {gid}")
    shell.ok('New-AzADGroup -DisplayName "piped" -MailNickname "piped" | Remove-AzADGroup')
    assert shell.ok('Get-AzADGroup -DisplayName "piped"') == []
    assert world.store.recent_events("group.deleted", 5)
