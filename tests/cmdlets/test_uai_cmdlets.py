"""User-assigned identity cmdlets, and the current "user-assigned identity on a Windows VM → ARM" tutorial
(``shared/reference/tutorials/current-windows-vm-ua-arm.ps1.txt``) verbatim with placeholders filled, through the
whole shell (Session → engine → cmdlets → planes), with its negative twins."""

from __future__ import annotations

import json

import jwt
import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def portal_steps(shell: Shell) -> None:
    """What the tutorial's prerequisites do in the portal: the groups and the VM."""
    shell.ok("New-AzResourceGroup -Name myResourceGroup -Location westus")
    shell.ok("New-AzResourceGroup -Name myResourceGroupVM -Location eastus")
    shell.ok("New-AzVM -ResourceGroupName myResourceGroup -Name myVM -Location westus")


def tutorial_setup(sub: str, *, attach: bool = True, grant: bool = True) -> str:
    lines = [
        "Connect-AzAccount",
        "Install-Module -Name PowerShellGet -AllowPrerelease",
        "Install-Module -Name Az.ManagedServiceIdentity -AllowPrerelease",
        "New-AzUserAssignedIdentity -ResourceGroupName myResourceGroupVM -Name ID1",
        "$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM",
    ]
    if attach:
        lines.append(
            f'Update-AzVM -ResourceGroupName TestRG -VM $vm -IdentityType "UserAssigned" -IdentityID "/subscriptions/'
            f'{sub}/resourcegroups/myResourceGroupVM/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1"')
    lines.append("$spID = (Get-AzUserAssignedIdentity -ResourceGroupName myResourceGroupVM -Name ID1).principalid")
    if grant:
        lines.append(f'New-AzRoleAssignment -ObjectId $spID -RoleDefinitionName "Reader" -Scope "/subscriptions/'
                     f'{sub}/resourcegroups/myResourceGroupVM/"')
    return "\n".join(lines)


def on_vm_lines(sub: str, client_id: str) -> str:
    return "\n".join([
        "$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version="
        f"2018-02-01&client_id={client_id}&resource=https://management.azure.com/' -Method GET -Headers "
        '@{Metadata="true"}',
        "$content = $response.Content | ConvertFrom-Json",
        "$ArmToken = $content.access_token",
        f"(Invoke-WebRequest -Uri https://management.azure.com/subscriptions/{sub}/resourceGroups/myResourceGroupVM"
        '?api-version=2016-06-01 -Method GET -ContentType "application/json" -Headers @{Authorization ="Bearer '
        '$ArmToken"}).content',
    ])


def client_id_of(shell: Shell, name: str = "ID1") -> str:
    outs = shell.ok(f"(Get-AzUserAssignedIdentity -ResourceGroupName myResourceGroupVM -Name {name}).ClientId")
    return str(outs[0])


# ------------------------------------------------------------------------------------------------ tutorial
def test_current_vm_user_assigned_tutorial_verbatim(shell: Shell) -> None:
    portal_steps(shell)
    outs, errs, warns = shell.run_all(tutorial_setup(shell.sub))
    assert not errs, [e.render() for e in errs]
    uai = outs[1]  # after Connect-AzAccount's context
    assert [n for n, _ in uai.properties()][:9] == [
        "Id", "ResourceGroupName", "Name", "Location", "TenantId", "PrincipalId", "ClientId", "ClientSecretUrl",
        "Type"]
    assert uai.get("Name") == "ID1" and uai.get("Location") == "eastus"
    assert uai.get("Type") == "Microsoft.ManagedIdentity/userAssignedIdentities"
    assert str(uai.get("ClientSecretUrl")).startswith("https://control-eastus.identity.azure.net/subscriptions/")
    assert f"aid={uai.get('ClientId')}" in str(uai.get("ClientSecretUrl"))
    assignment = outs[-1]
    assert assignment.get("DisplayName") == "ID1" and assignment.get("ObjectType") == "ServicePrincipal"
    assert assignment.get("Scope") == f"/subscriptions/{shell.sub}/resourcegroups/myResourceGroupVM"
    assert any("TestRG" in str(w) for w in warns)  # the doc's RG mix-up is explained, not fatal
    vm = shell.ok("(Get-AzVM -ResourceGroupName myResourceGroup -Name myVM).Identity")[0]
    assert vm.get("Type") == "UserAssigned"
    assert list(vm.get("UserAssignedIdentities").keys())[0].endswith("/userAssignedIdentities/ID1")

    client_id = str(uai.get("ClientId"))
    shell.ok("Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM")
    outs = shell.ok(on_vm_lines(shell.sub, client_id))
    body = json.loads(outs[-1])
    assert body == {"id": f"/subscriptions/{shell.sub}/resourceGroups/myResourceGroupVM",
                    "name": "myResourceGroupVM", "location": "eastus",
                    "properties": {"provisioningState": "Succeeded"}}
    claims = jwt.decode(str(shell.var("ArmToken")), options={"verify_signature": False})
    assert claims["oid"] == str(shell.var("spID")) and claims["appid"] == client_id
    assert claims["xms_mirid"].lower().endswith("/userassignedidentities/id1")


def test_negative_twin_no_role_is_403(shell: Shell) -> None:
    portal_steps(shell)
    shell.ok(tutorial_setup(shell.sub, grant=False))
    client_id = client_id_of(shell)
    shell.ok("Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM")
    text = shell.error_text(on_vm_lines(shell.sub, client_id))
    assert "403 (Forbidden)" in text and "AuthorizationFailed" in text
    assert "Microsoft.Resources/subscriptions/resourceGroups/read" in text


def test_negative_twin_not_attached_is_identity_not_found(shell: Shell) -> None:
    portal_steps(shell)
    shell.ok(tutorial_setup(shell.sub, attach=False))
    client_id = client_id_of(shell)
    shell.ok("Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM")
    text = shell.error_text(on_vm_lines(shell.sub, client_id).splitlines()[0])
    assert "400 (Bad Request)" in text and "Identity not found" in text


# --------------------------------------------------------------------------------------- several identities
def test_two_identities_on_a_vm_each_chosen_by_client_id_and_connect_identity(shell: Shell) -> None:
    portal_steps(shell)
    shell.ok("$a = New-AzUserAssignedIdentity -ResourceGroupName myResourceGroupVM -Name IDA\n"
             "$b = New-AzUserAssignedIdentity -ResourceGroupName myResourceGroupVM -Name IDB\n"
             "$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM\n"
             "Update-AzVM -ResourceGroupName myResourceGroup -VM $vm -IdentityType UserAssigned "
             "-IdentityId $a.Id, $b.Id")
    ids = {n: (str(shell.var(v).get("ClientId")), str(shell.var(v).get("PrincipalId")))
           for n, v in (("IDA", "a"), ("IDB", "b"))}
    shell.ok("New-AzRoleAssignment -ObjectId $b.PrincipalId -RoleDefinitionName Reader "
             "-ResourceGroupName myResourceGroupVM")
    shell.ok("Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM")
    for name, (cid, oid) in ids.items():
        outs = shell.ok("(Invoke-RestMethod -Headers @{Metadata='true'} -Uri 'http://169.254.169.254/metadata/"
                        f"identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net&client_id={cid}'"
                        ").access_token")
        assert jwt.decode(str(outs[0]), options={"verify_signature": False})["oid"] == oid, name
        outs = shell.ok("(Invoke-RestMethod -Headers @{Metadata='true'} -Uri 'http://169.254.169.254/metadata/"
                        f"identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net&object_id={oid}'"
                        ").client_id")
        assert outs == [cid]
    text = shell.error_text("Invoke-RestMethod -Headers @{Metadata='true'} -Uri 'http://169.254.169.254/metadata/"
                            "identity/oauth2/token?api-version=2018-02-01&resource=https://vault.azure.net'")
    assert "Multiple user assigned identities exist, please specify the clientId / resourceId" in text
    shell.ok(f"Connect-AzAccount -Identity -AccountId {ids['IDB'][0]}")
    groups = shell.ok("Get-AzResourceGroup -Name myResourceGroupVM")
    assert groups[0].get("ResourceGroupName") == "myResourceGroupVM"


# ------------------------------------------------------------------------------------------------ cmdlets
def test_get_list_and_remove(shell: Shell) -> None:
    shell.ok("New-AzResourceGroup -Name rg1 -Location westus")
    shell.ok("New-AzureRmUserAssignedIdentity -ResourceGroupName rg1 -Name one\n"
             "New-AzUserAssignedIdentity -ResourceGroupName rg1 -Name two -Location westeurope")
    names = [o.get("Name") for o in shell.ok("Get-AzUserAssignedIdentity -ResourceGroupName rg1")]
    assert names == ["one", "two"]
    assert len(shell.ok("Get-AzUserAssignedIdentity")) == 2
    assert shell.ok("Get-AzUserAssignedIdentity -ResourceGroupName rg1 -Name two")[0].get("Location") == "westeurope"
    assert shell.ok("Remove-AzUserAssignedIdentity -ResourceGroupName rg1 -Name one -PassThru") == [True]
    shell.ok("Get-AzUserAssignedIdentity -ResourceGroupName rg1 -Name two | Remove-AzUserAssignedIdentity")
    assert shell.ok("Get-AzUserAssignedIdentity -ResourceGroupName rg1") == []
    text = shell.error_text("Get-AzUserAssignedIdentity -ResourceGroupName rg1 -Name one")
    assert "ResourceNotFound" in text


def test_new_identity_in_missing_group_fails_like_arm(shell: Shell) -> None:
    text = shell.error_text("New-AzUserAssignedIdentity -ResourceGroupName nope -Name x -Location westus")
    assert "ResourceGroupNotFound" in text


def test_help_examples_and_completion(shell: Shell) -> None:
    from azshell.services.identity import cmdlets as identities

    for cls in identities.COMMANDS:
        assert cls.synopsis and cls.description and cls.examples, cls.name
        assert any(a.startswith(("New-AzureRm", "Get-AzureRm", "Remove-AzureRm")) for a in cls.aliases)
    shell.ok("New-AzResourceGroup -Name rg1 -Location westus\nNew-AzUserAssignedIdentity -ResourceGroupName rg1 "
             "-Name alpha")
    assert shell.session.services.complete_value("user_assigned_identity", "al") == ["alpha"]
    assert shell.session.services.complete_value("identity", "/sub")[0].endswith("/alpha")
