"""Every cmdlet the official tutorials use (reference §2.1) and issue 5 lists exists, has help with an example,
and completes its parameter values from live state (issue 5, "Tests and evidence")."""

from __future__ import annotations

import pytest

from azshell.lang.help import render_help
from azshell.session import Session
from azshell.world import World

#: reference/msi-tutorials-and-token-endpoints.md §2.1, every name as printed (AzureRM names included)
TUTORIAL_COMMANDS = """
Add-AzureADGroupMember Add-AzureRmVMNetworkInterface Connect-AzAccount Connect-AzureRmAccount ConvertFrom-Json
Get-AzADGroup Get-AzADServicePrincipal Get-AzUserAssignedIdentity Get-AzVM Get-AzureRMVM Get-AzureRmVM Get-Credential
Get-Random Install-Module Invoke-RestMethod Invoke-WebRequest Login-AzAccount Login-AzureRmAccount
New-AzAppServicePlan New-AzFunctionApp New-AzResourceGroup New-AzRoleAssignment New-AzStorageAccount
New-AzUserAssignedIdentity New-AzVMConfig New-AzWebApp New-AzureRmAppServicePlan New-AzureRmNetworkInterface
New-AzureRmNetworkSecurityGroup New-AzureRmNetworkSecurityRuleConfig New-AzureRmPublicIpAddress
New-AzureRmResourceGroup New-AzureRmRoleAssignment New-AzureRmUserAssignedIdentity New-AzureRmVM New-AzureRmVMConfig
New-AzureRmVirtualNetwork New-AzureRmVirtualNetworkSubnetConfig New-AzureRmWebApp New-MgGroupMember
Remove-AzVMExtension Remove-AzureRmVMExtension Set-AzWebApp Set-AzureRmVMExtension Set-AzureRmVMOperatingSystem
Set-AzureRmVMSourceImage Set-AzureRmWebApp Update-AzFunctionApp Update-AzVM Update-AzVm Update-AzureRmVM
Update-AzureRmVm echo
""".split()

#: issue 5, item 1 (Az names), plus the serve issue's service cmdlets and the teaching verbs
ISSUE_COMMANDS = """
Connect-AzAccount Disconnect-AzAccount Get-AzContext Set-AzContext Get-AzSubscription
New-AzVM Get-AzVM Update-AzVM Remove-AzVM Set-AzVMExtension Get-AzVMExtension Remove-AzVMExtension
New-AzVMConfig Set-AzVMOperatingSystem Set-AzVMSourceImage Add-AzVMNetworkInterface
New-AzVirtualNetworkSubnetConfig New-AzVirtualNetwork New-AzPublicIpAddress New-AzNetworkSecurityRuleConfig
New-AzNetworkSecurityGroup New-AzNetworkInterface Get-Credential
Get-AzADServicePrincipal Get-AzADUser Get-AzADGroup New-AzADGroup Add-AzADGroupMember
New-AzRoleAssignment Get-AzRoleAssignment Remove-AzRoleAssignment
Get-AzRoleDefinition New-AzRoleDefinition Set-AzRoleDefinition Remove-AzRoleDefinition
New-AzKeyVault Get-AzKeyVault Remove-AzKeyVault Set-AzKeyVaultAccessPolicy Remove-AzKeyVaultAccessPolicy
Set-AzKeyVaultSecret Get-AzKeyVaultSecret Remove-AzKeyVaultSecret
New-AzDataLakeStoreAccount Get-AzDataLakeStoreAccount New-AzDataLakeStoreItem Get-AzDataLakeStoreChildItem
Get-AzDataLakeStoreItemAclEntry Set-AzDataLakeStoreItemAclEntry Remove-AzDataLakeStoreItemAclEntry
New-AzAppServicePlan New-AzWebApp Get-AzWebApp Set-AzWebApp New-AzFunctionApp Get-AzFunctionApp Update-AzFunctionApp
New-AzStorageAccount New-AzUserAssignedIdentity Get-AzUserAssignedIdentity Remove-AzUserAssignedIdentity
Enter-AzVM Exit-AzVM Enter-AzWebApp Enter-AzFunctionApp Get-AzAccessToken Install-Module Import-Module
Enable-Msi Disable-Msi Get-Token New-RoleAssignment Get-RoleAssignment Remove-RoleAssignment Show-Token Test-AzAccess
Invoke-WebRequest Invoke-RestMethod
""".split()

#: (command line typed so far, a value the completion must offer) once the state has rg1/vm1/id1
VALUE_COMPLETIONS = [
    ("Get-AzVM -ResourceGroupName ", "rg1"),
    ("Get-AzVM -ResourceGroupName rg1 -Name ", "vm1"),
    ("Update-AzVM -IdentityType ", "SystemAssigned"),
    ("New-AzResourceGroup -Name x -Location ", "westus"),
    ("New-AzRoleAssignment -RoleDefinitionName ", "Reader"),
    ("Get-AzUserAssignedIdentity -ResourceGroupName rg1 -Name ", "id1"),
    ("Enter-AzVM -ResourceGroupName rg1 -Name ", "vm1"),
    ("Enable-Msi -ResourceGroupName ", "rg1"),
    ("New-RoleAssignment -Role ", "Reader"),
    ("Get-AzKeyVault -VaultName ", "kv1"),
]


@pytest.fixture(scope="module")
def session() -> Session:
    from azshell.services.registry import open_world
    from tests.conftest import TEST_KEYS

    s = Session(world=open_world(":memory:", signing_key=TEST_KEYS))
    r = s.execute("New-AzResourceGroup rg1 westus | Out-Null\n"
                  "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null\n"
                  "New-AzUserAssignedIdentity -ResourceGroupName rg1 -Name id1 -Location westus | Out-Null\n"
                  "New-AzKeyVault -Name kv1 -ResourceGroupName rg1 -Location westus | Out-Null")
    assert not r.had_errors, [s.render_text(x) for x in r.records]
    return s


@pytest.mark.parametrize("name", sorted(set(TUTORIAL_COMMANDS + ISSUE_COMMANDS), key=str.casefold))
def test_command_exists_with_help_and_an_example(session: Session, name: str) -> None:
    cls = session.registry.resolve(name)
    assert cls is not None, f"{name} is not a command"
    assert cls.synopsis and cls.examples, f"{cls.name} needs a synopsis and an example"
    text = render_help(cls, examples=True)
    assert "EXAMPLE 1" in text and cls.examples[0].code.splitlines()[0] in text


@pytest.mark.parametrize(("line", "value"), VALUE_COMPLETIONS)
def test_parameter_values_complete_from_live_state(session: Session, line: str, value: str) -> None:
    result = session.complete(line, len(line))
    assert value in [c.text.strip("'\"") for c in result.items], (line, [c.text for c in result.items][:20])


def test_world_is_the_session_world(session: Session) -> None:
    assert isinstance(session.world, World)
