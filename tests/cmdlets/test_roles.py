"""Custom role definitions: New/Set/Remove-AzRoleDefinition as the Az docs use them, through ARM."""

from __future__ import annotations

import json

import pytest

from azshell.world import World
from tests.cmdlets.test_directory import Shell


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def test_new_from_modified_reader(shell: Shell) -> None:
    [role] = shell.ok(
        '$role = Get-AzRoleDefinition "Reader"\n$role.Id = $null\n$role.Name = "VM Operator"\n'
        '$role.Description = "Can start VMs"\n'
        '$role.Actions.Add("Microsoft.Compute/virtualMachines/start/action")\n'
        '$role.AssignableScopes.Clear()\n'
        f'$role.AssignableScopes.Add("/subscriptions/{shell.sub}")\n'
        "New-AzRoleDefinition -Role $role")
    assert role.get("Name") == "VM Operator" and role.get("IsCustom") is True
    assert role.get("Actions") == ["*/read", "Microsoft.Compute/virtualMachines/start/action"]
    assert role.get("AssignableScopes") == [f"/subscriptions/{shell.sub}"]
    assert role.get("Id") != "acdd72a7-3385-48ef-bd42-f606fba81ae7"
    assert shell.ok('(Get-AzRoleDefinition -Custom).Name') == ["VM Operator"]
    # the new role is usable in an assignment
    shell.ok('New-AzResourceGroup -Name rg -Location westus | Out-Null\n'
             '$g = New-AzADGroup -DisplayName ops -MailNickname ops\n'
             'New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName "VM Operator" -ResourceGroupName rg | Out-Null')


def test_new_from_input_file_set_and_remove(shell: Shell, tmp_path: object) -> None:
    from pathlib import Path

    path = Path(str(tmp_path)) / "role.json"
    path.write_text(json.dumps({
        "Name": "Secret Reader Lite", "IsCustom": True, "Description": "reads secrets",
        "Actions": [], "DataActions": ["Microsoft.KeyVault/vaults/secrets/getSecret/action"],
        "NotActions": [], "AssignableScopes": [f"/subscriptions/{shell.sub}"]}))
    [role] = shell.ok(f"New-AzRoleDefinition -InputFile '{path}'")
    assert role.get("DataActions") == ["Microsoft.KeyVault/vaults/secrets/getSecret/action"]
    [changed] = shell.ok('$r = Get-AzRoleDefinition "Secret Reader Lite"\n'
                         '$r.DataActions.Add("Microsoft.KeyVault/vaults/secrets/readMetadata/action")\n'
                         "Set-AzRoleDefinition -Role $r")
    assert len(changed.get("DataActions")) == 2 and changed.get("Id") == role.get("Id")
    assert shell.ok('Remove-AzRoleDefinition -Name "Secret Reader Lite" -WhatIf') == []
    assert shell.ok('(Get-AzRoleDefinition "Secret Reader Lite").Name') == ["Secret Reader Lite"]
    assert shell.ok(f'Remove-AzRoleDefinition -Id {role.get("Id")} -Force -PassThru') == [True]
    assert shell.ok('Get-AzRoleDefinition "Secret Reader Lite"') == []


def test_errors(shell: Shell) -> None:
    assert "built-in role" in shell.error_text("Remove-AzRoleDefinition -Name Reader -Force")
    assert "Parameter set cannot be resolved" in shell.error_text("New-AzRoleDefinition")
    assert "Cannot read the role definition" in shell.error_text("New-AzRoleDefinition -InputFile /no/such.json")
    text = shell.error_text('$r = Get-AzRoleDefinition Reader; $r.Id = $null; $r.Name = "X"\n'
                            '$r.AssignableScopes.Clear()\nNew-AzRoleDefinition -Role $r')
    assert "assignable scope" in text


def test_identity_cannot_create_roles(shell: Shell) -> None:
    scope = f"/subscriptions/{shell.sub}"
    shell.ok("New-AzResourceGroup -Name rg -Location westus | Out-Null\n"
             "$vm = New-AzVM -ResourceGroupName rg -Name vm1 -Location westus -IdentityType SystemAssigned\n"
             f"New-AzRoleAssignment -ObjectId $vm.Identity.PrincipalId -RoleDefinitionName Reader -Scope {scope}"
             " | Out-Null")
    shell.ok("Enter-AzVM -ResourceGroupName rg -Name vm1\nConnect-AzAccount -Identity | Out-Null")
    text = shell.error_text('$r = Get-AzRoleDefinition Reader; $r.Id = $null; $r.Name = "Mine"\n'
                            "New-AzRoleDefinition -Role $r")
    assert "AuthorizationFailed" in text and "roleDefinitions/write" in text
    assert "To see why: Test-AzAccess" in text
