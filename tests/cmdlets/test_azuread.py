"""The AzureAD module over the Graph plane (2017 SQL tutorial): Connect-AzureAD first, New-AzureADGroup's table,
Add-/Get-AzureADGroupMember with a VM's identity, Get-AzureADServicePrincipal, and the SQL token on the VM."""

from __future__ import annotations

import pytest

from azshell.cmdlets.context import decode_claims
from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "DevTestGroup"
VM = "DevTestWinVM"


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null; "
         f"New-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssigned | Out-Null")
    return s


def test_needs_connect_azuread_first(shell: Shell) -> None:
    err = shell.error_text('New-AzureADGroup -DisplayName g -MailEnabled $false -SecurityEnabled $true '
                           '-MailNickName NotSet')
    assert "You must call the Connect-AzureAD cmdlet before calling any other cmdlets." in err
    assert "AadNeedAuthenticationException" in err


def test_sql_tutorial_group_steps(shell: Shell, world: World) -> None:
    ctx = shell.ok("Connect-AzureAD")[0]
    assert ctx.get("AccountType") == "User" and ctx.get("TenantId") == world.tenant_id
    shell.ok('$Group = New-AzureADGroup -DisplayName "VM MSI access to SQL" -MailEnabled $false '
             '-SecurityEnabled $true -MailNickName "NotSet"')
    table = shell.session.render_outputs(shell.ok("$Group"))
    assert "ObjectId" in table and "DisplayName" in table and "Description" in table
    assert "VM MSI access to SQL" in table
    shell.ok("$VM = Get-AzureRmVm -ResourceGroup DevTestGroup -Name DevTestWinVM")
    shell.ok("Set-AzureRMContext -subscription " + shell.sub + " | Out-Null")
    assert VM in [str(o.get("Name")) for o in shell.ok("Get-AzureRmResource")]
    shell.ok("Add-AzureAdGroupMember -ObjectId $Group.ObjectId -RefObjectId $VM.Identity.PrincipalId")
    members = shell.ok("Get-AzureAdGroupMember -ObjectId $Group.ObjectId")
    pid = str(shell.ok("$VM.Identity.PrincipalId")[0])
    assert [(m.get("ObjectId"), m.get("ObjectType"), m.get("DisplayName")) for m in members] == \
        [(pid, "ServicePrincipal", VM)]
    text = shell.session.render_outputs(members)
    assert "AppId" in text and str(members[0].get("AppId")) in text
    gid = str(shell.ok("$Group.ObjectId")[0])
    assert pid in world.store.list_group_members(gid)
    err = shell.error_text("Add-AzureAdGroupMember -ObjectId $Group.ObjectId -RefObjectId $VM.Identity.PrincipalId")
    assert "already exist" in err
    sp = shell.ok("Get-AzureADServicePrincipal -ObjectId $VM.Identity.PrincipalId")[0]
    assert sp.get("DisplayName") == VM and sp.get("ServicePrincipalType") == "ManagedIdentity"
    assert [g.get("ObjectId") for g in shell.ok('Get-AzureADGroup -SearchString "VM MSI"')] == [gid]


def test_mail_enabled_group_refused(shell: Shell) -> None:
    shell.ok("Connect-AzureAD | Out-Null")
    err = shell.error_text("New-AzureADGroup -DisplayName g -MailEnabled $true -SecurityEnabled $true "
                           "-MailNickName g")
    # AzureAD's text (MicrosoftDocs/azure-docs issue 85186)
    assert "Code: Request_BadRequest\nMessage: Cannot Create a mail-enabled security groups and or distribution " \
        "list." in err, err


def test_sql_token_from_the_extension(shell: Shell) -> None:
    shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM} | Out-Null; Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok('$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET '
             '-Body @{resource="https://database.windows.net/"} -Headers @{Metadata="true"}')
    token = str(shell.ok("($response.Content | ConvertFrom-Json).access_token")[0])
    assert decode_claims(token)["aud"] == "https://database.windows.net/"
    # on the VM the AzureAD module starts disconnected again
    err = shell.error_text("Get-AzureADGroup")
    assert "Connect-AzureAD" in err
