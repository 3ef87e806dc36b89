"""Custom role definitions: New/Set/Remove-AzRoleDefinition as the Az docs use them, through ARM."""

from __future__ import annotations

import json

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell


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


# ------------------------------------------------------------------------------- the whole built-in catalogue
def test_every_builtin_role_lists_fast(shell: Shell) -> None:
    import time

    from azshell.model.builtin_roles import builtin_roles

    shell.ok("Get-AzRoleDefinition Reader | Out-Null")  # warm: the Az module, the token
    t0 = time.perf_counter()
    names = shell.ok("(Get-AzRoleDefinition).Name")
    elapsed = time.perf_counter() - t0
    assert sorted(names) == sorted(r.role_name for r in builtin_roles())
    assert elapsed < 1.0, f"Get-AzRoleDefinition took {elapsed:.2f} s"  # about 25 ms here


@pytest.mark.parametrize("role", ["Monitoring Reader", "Azure Service Bus Data Sender", "AcrPull",
                                  "Reader and Data Access", "Key Vault Data Access Administrator"])
def test_assign_any_builtin_role(shell: Shell, role: str) -> None:
    shell.ok("New-AzResourceGroup -Name rg -Location westus | Out-Null\n"
             "$g = New-AzADGroup -DisplayName ops -MailNickname ops")
    [ra] = shell.ok(f"New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName '{role}' -ResourceGroupName rg")
    [rd] = shell.ok(f"Get-AzRoleDefinition -Name '{role}'")
    assert ra.get("RoleDefinitionName") == role and ra.get("RoleDefinitionId") == rd.get("Id")
    assert shell.ok(f"(Get-AzRoleAssignment -ResourceGroupName rg -RoleDefinitionName '{role}').RoleDefinitionName"
                    ) == [role]
    by_id = shell.ok(f"(New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionId {rd.get('Id')} -Scope "
                     f"/subscriptions/{shell.sub}).RoleDefinitionName")
    assert by_id == [role]


def test_builtin_role_with_a_condition(shell: Shell) -> None:
    [rd] = shell.ok("Get-AzRoleDefinition 'Key Vault Data Access Administrator'")
    assert rd.get("ConditionVersion") == "2.0"
    assert rd.get("Condition").startswith("((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'}))")
    [two] = shell.ok("Get-AzRoleDefinition 'Azure Migrate Owner'")
    assert two.get("Actions")[-2:] == ["Microsoft.Authorization/roleAssignments/write",
                                       "Microsoft.Authorization/roleAssignments/delete"]
    assert two.get("Condition") and shell.ok("$null -eq (Get-AzRoleDefinition Owner).Condition") == [True]


def test_a_role_azshell_has_no_definition_of(shell: Shell) -> None:
    shell.ok("New-AzResourceGroup -Name rg -Location westus | Out-Null\n"
             "$g = New-AzADGroup -DisplayName ops -MailNickname ops")
    for command in ("New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName 'Foundry User' -ResourceGroupName rg",
                    "New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionId 53ca6127-db72-4b80-b1b0-d745d6d5456d "
                    "-ResourceGroupName rg",
                    "Get-AzRoleDefinition 'Foundry User'",
                    "Get-AzRoleDefinition -Id 53ca6127-db72-4b80-b1b0-d745d6d5456d"):
        text = shell.error_text(command)
        assert "'Foundry User' (53ca6127-db72-4b80-b1b0-d745d6d5456d) is an Azure built-in role, but azshell has no " \
               "definition of it" in text, command
        assert "Cannot find role definition" not in text
    assert "Cannot find role definition with name 'No Such Role'" in shell.error_text(
        "New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName 'No Such Role' -ResourceGroupName rg")
    assert shell.ok("Get-AzRoleDefinition 'No Such Role'") == []


def test_a_newer_name_finds_the_role(shell: Shell) -> None:
    shell.ok("$g = New-AzADGroup -DisplayName ops -MailNickname ops")
    [ra] = shell.ok("New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName 'Defender Kubernetes API Access'")
    assert ra.get("RoleDefinitionName") == "Kubernetes Agentless Operator"
    assert ra.get("RoleDefinitionId") == "d5a2ae44-610b-4500-93be-660a0c5f5ca6"
    assert shell.ok("(Get-AzRoleDefinition 'Defender Kubernetes API Access').Id") == [ra.get("RoleDefinitionId")]


def test_completion_offers_every_role(shell: Shell) -> None:
    line = "New-AzRoleAssignment -RoleDefinitionName Monitoring"
    items = [c.text for c in shell.session.complete(line, len(line)).items]
    assert "'Monitoring Reader'" in items or "Monitoring Reader" in items, items[:10]


def test_test_azaccess_says_the_condition_was_not_evaluated(shell: Shell) -> None:
    scope = f"/subscriptions/{shell.sub}/resourceGroups/rg"
    shell.ok("New-AzResourceGroup -Name rg -Location westus | Out-Null\n"
             "$g = New-AzADGroup -DisplayName ops -MailNickname ops\n"
             "New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName 'Key Vault Data Access Administrator' "
             "-ResourceGroupName rg | Out-Null")
    [d] = shell.ok("Test-AzAccess -ObjectId $g.Id -Action Microsoft.Authorization/roleAssignments/write "
                   f"-Scope {scope}")
    assert d.get("Allowed") is True
    assert "not evaluated" in d.get("Reason")
    assert any(n.startswith("Condition not evaluated: 'Key Vault Data Access Administrator'") for n in d.get("Notes"))
    text = shell.ok("Test-AzAccess -ObjectId $g.Id -Action Microsoft.Authorization/roleAssignments/write "
                    f"-Scope {scope} | Out-String")[0]
    assert "Condition not evaluated" in text
    # an action outside the conditioned block: no condition to speak of
    [read] = shell.ok(f"Test-AzAccess -ObjectId $g.Id -Action Microsoft.Resources/subscriptions/resourceGroups/read "
                      f"-Scope {scope}")
    assert read.get("Allowed") is True and read.get("Notes") == []


def test_az_role_assignment_with_any_builtin_role(shell: Shell) -> None:
    shell.ok("New-AzResourceGroup -Name rg -Location westus | Out-Null\n"
             "$g = New-AzADGroup -DisplayName ops -MailNickname ops")
    oid = shell.ok("$g.Id")[0]
    out = shell.ok(f"az role assignment create --assignee-object-id {oid} --assignee-principal-type Group "
                   f"--role 'Monitoring Reader' --scope /subscriptions/{shell.sub}/resourceGroups/rg")
    assert "43d0d8ad-25c7-4714-9337-8ba259a9fe05" in "\n".join(str(o) for o in out)
    result = shell.session.execute(f"az role assignment create --assignee-object-id {oid} --assignee-principal-type "
                                   f"Group --role 'Foundry User' --scope /subscriptions/{shell.sub}/resourceGroups/rg")
    text = "\n".join(str(r.value) for r in result.records)
    assert text.startswith("ERROR: 'Foundry User' (53ca6127-db72-4b80-b1b0-d745d6d5456d) is an Azure built-in role, "
                           "but azshell has no definition of it"), text
