"""Long commands report progress through the cmdlet base (``Cmdlet.progress``): Start-Tutorial
-SetupPrerequisites shows one activity that moves through the doc's portal steps and completes, and
Show-AzAccessGraph one while it reads the tenant."""

from __future__ import annotations

from pathlib import Path

from azshell.lang.progress import ProgressRecord
from azshell.world import World
from tests.cmdlets._shell import Shell


def test_setup_prerequisites_reports_its_steps(world: World) -> None:
    shell = Shell(world)
    shown: list[ProgressRecord] = []
    shell.session.set_progress(shown.append)
    shell.ok("Start-Tutorial -Name current-windows-vm-access-arm -SetupPrerequisites -Quiet")
    mine = [r for r in shown if r.source == "Start-Tutorial"]
    assert mine, "no progress from -SetupPrerequisites"
    assert {r.activity for r in mine} == {"Setting up current-windows-vm-access-arm"}
    assert mine[-1].completed
    steps = [r for r in mine if not r.completed]
    assert steps[0].percent_complete == 0 and steps[0].current_operation
    assert [r.percent_complete for r in steps] == sorted(r.percent_complete for r in steps)


def test_progress_is_silent_when_the_preference_says_so(world: World) -> None:
    shell = Shell(world)
    shown: list[ProgressRecord] = []
    shell.session.set_progress(shown.append)
    shell.ok("Show-AzAccessGraph | Out-Null")
    assert [r.completed for r in shown if r.source == "Show-AzAccessGraph"][-1] is True
    shown.clear()
    shell.ok("$ProgressPreference = 'SilentlyContinue'; Show-AzAccessGraph | Out-Null")
    assert shown == []


def test_a_template_deployment_reports_each_resource(world: World) -> None:
    shell = Shell(world)
    shown: list[ProgressRecord] = []
    shell.session.set_progress(shown.append)
    shell.ok("New-AzResourceGroup -Name rg1 -Location westus | Out-Null\n"
             "$tpl = @{ '$schema' = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'"
             "\n  contentVersion = '1.0.0.0'\n  resources = @("
             "@{ type = 'Microsoft.ManagedIdentity/userAssignedIdentities'; apiVersion = '2018-11-30'; name = 'uai1';"
             " location = 'westus' },"
             "@{ type = 'Microsoft.ManagedIdentity/userAssignedIdentities'; apiVersion = '2018-11-30'; name = 'uai2';"
             " location = 'westus' }) }\n"
             "New-AzResourceGroupDeployment -ResourceGroupName rg1 -Name dep1 -TemplateObject $tpl | Out-Null")
    mine = [r for r in shown if r.source == "New-AzResourceGroupDeployment"]
    assert {r.activity for r in mine} == {"Deploying 'dep1' to resource group rg1"}
    steps = [(r.percent_complete, r.status) for r in mine if not r.completed]
    assert steps[0] == (0, "Submitting the deployment")
    assert [p for p, _ in steps[1:]] == [50, 100]
    assert any("'uai2': succeeded" in s for _, s in steps)
    assert mine[-1].completed


def test_import_reports_its_two_phases(world: World, tmp_path: Path) -> None:
    shell = Shell(world)
    path = tmp_path / "tenant.json"
    shell.run_all(f"Export-AzShellState -Path '{path}'")
    shown: list[ProgressRecord] = []
    shell.session.set_progress(shown.append)
    shell.ok_host(f"Import-AzShellState -Path '{path}'")
    mine = [r for r in shown if r.source == "Import-AzShellState"]
    assert [(r.percent_complete, r.completed) for r in mine] == [(0, False), (50, False), (100, True)]
    assert mine[1].status.startswith("Loading ") and mine[1].status.endswith(" tables")
