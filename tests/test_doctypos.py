"""The official tutorials' misprints fail as they would on Azure, with a hint that names the typo (issue 5)."""

from __future__ import annotations

from azshell.session import Session
from azshell.world import World

SETUP = """New-AzResourceGroup -Name DevTest -Location westus | Out-Null
New-AzVM -ResourceGroupName DevTest -Name myVM -Location westus | Out-Null
Enable-Msi -ResourceGroupName DevTest -Name myVM | Out-Null
New-RoleAssignment -Assignee myVM -Role Reader -ResourceGroupName DevTest | Out-Null
$sub = (Get-AzContext).Subscription.Id
Enter-AzVM -ResourceGroupName DevTest -Name myVM | Out-Null"""

# the 2017 Windows ARM tutorial, as printed (reference/tutorials/2017-windows-vm-access-arm.ps1.txt)
PRINTED_TOKEN = ('$response = Invoke-WebRequest -Uri http://localhost/50342/oauth2/token -Method GET '
                 '-Body @resource="https://management.azure.com/"} -Headers @{Metadata="true"}')
CORRECT_TOKEN = ('$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET '
                 '-Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}')
PRINTED_CONTENT = "$content = $repsonse.Content | ConvertFrom-Json"
ARM_CALL = ('(Invoke-WebRequest -Uri https://management.azure.com/subscriptions/$sub/resourceGroups/DevTest'
            '?api-version=2016-06-01 -Method GET -ContentType "application/json" '
            '-Headers @{ Authorization ="Bearer $ArmToken"}).content')


def _errors(s: Session, text: str) -> list[str]:
    return [s.render_text(r) for r in s.execute(text).records if r.stream == "error"]


def test_2017_printed_lines_fail_with_hints_naming_each_typo(world: World) -> None:
    s = Session(world=world)
    assert not _errors(s, SETUP)
    (brace,) = _errors(s, PRINTED_TOKEN)
    assert "Unexpected token '}'" in brace and "'{' missing" in brace
    assert not _errors(s, CORRECT_TOKEN)
    (null,) = _errors(s, PRINTED_CONTENT)
    assert "because it is null" in null and "misspelling of $response" in null
    assert not _errors(s, "$ArmToken = $content.access_token")
    (unauthorized,) = _errors(s, ARM_CALL)
    assert "AuthenticationFailed" in unauthorized and "misspelling of $response" in unauthorized
    # the fix: the right variable
    assert not _errors(s, "$content = $response.Content | ConvertFrom-Json; $ArmToken = $content.access_token")
    assert not _errors(s, ARM_CALL)


def test_port_50432_names_the_typo_for_invoke_webrequest(world: World) -> None:
    s = Session(world=world)
    assert not _errors(s, SETUP)
    (refused,) = _errors(s, "Invoke-WebRequest -Uri http://localhost:50432/oauth2/token -Headers @{Metadata='true'}")
    assert "refused" in refused and "50342" in refused
