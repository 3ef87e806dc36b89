"""Role-assignment propagation delay (Set-AzShellOption -RoleAssignmentDelay): the done-when script and its edges."""

from __future__ import annotations

import json
from datetime import timedelta

from azshell.controls.propagation import DELAY_SETTING, assignment_delay
from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "propRG"
VM = "propVM"
REFRESH = "If access was recently granted, please refresh your credentials."


def _vm(shell: Shell) -> str:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    shell.ok(f"$sp = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")
    return str(shell.var("sp"))


def _uri(shell: Shell) -> str:
    return f"https://management.azure.com/subscriptions/{shell.sub}/resourceGroups/{RG}?api-version=2021-04-01"


def _call(shell: Shell) -> tuple[int, str]:
    out = shell.ok(f"Invoke-WebRequest -Uri '{_uri(shell)}' -Headers @{{Authorization=\"Bearer $token\"}} "
                   "-SkipHttpErrorCheck")
    return int(out[0].get("StatusCode")), str(out[0].get("Content"))


def _explain(shell: Shell) -> str:
    return "\n".join(str(o) for o in shell.ok(f"Test-AzAccess -ObjectId $sp -Uri '{_uri(shell)}'"))


def test_option_round_trip(tshell: Shell, tworld: World) -> None:
    assert tshell.ok("Get-AzShellOption")[0].get("RoleAssignmentDelay") == timedelta(0)
    out = tshell.ok("Set-AzShellOption -RoleAssignmentDelay 00:05:00")[0]
    assert out.get("RoleAssignmentDelay") == timedelta(minutes=5)
    assert assignment_delay(tworld.store) == 300
    assert json.loads(tworld.store.get_setting(DELAY_SETTING) or "{}")["seconds"] == 300
    assert "between 00:00:00 and 1.00:00:00" in tshell.error_text("Set-AzShellOption -RoleAssignmentDelay 2.00:00")
    tshell.ok("Set-AzShellOption -RoleAssignmentDelay 0:0")
    assert tworld.store.get_setting(DELAY_SETTING) is None and assignment_delay(tworld.store) == 0


def test_a_grant_takes_effect_after_the_delay(tshell: Shell) -> None:
    _vm(tshell)
    tshell.ok("Set-AzShellOption -RoleAssignmentDelay 00:05:00")
    tshell.ok("Set-AzShellClock -Advance 00:00:01")  # what was made before (or as) the delay was set is not held
    tshell.ok(f"New-AzRoleAssignment -ObjectId $sp -RoleDefinitionName Reader -ResourceGroupName {RG}")
    # ARM lists it at once, as Azure does
    listed = tshell.ok(f"Get-AzRoleAssignment -ObjectId $sp -ResourceGroupName {RG}")
    assert [a.get("RoleDefinitionName") for a in listed] == ["Reader"]
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    tshell.ok("$token = (Get-Token).access_token")

    status, body = _call(tshell)
    assert status == 403
    err = json.loads(body)["error"]
    assert err["code"] == "AuthorizationFailed" and err["message"].endswith(REFRESH)
    # the shell's error ends with the hint the decision gives
    text = tshell.error_text(f"Invoke-WebRequest -Uri '{_uri(tshell)}' -Headers @{{Authorization=\"Bearer $token\"}}")
    assert REFRESH in text
    assert f"Hint: Reader at /subscriptions/{tshell.sub}/resourceGroups/{RG} was granted 0 s ago and takes effect " \
           "in 5 min" in text
    assert "To fix: Set-AzShellClock -Advance 00:05:01" in text
    tshell.ok("Exit-AzVM")
    explained = _explain(tshell)
    assert "DENIED" in explained.upper()
    assert "was granted 0 s ago and takes effect in 5 min" in explained

    tshell.ok("Set-AzShellClock -Advance 00:02:00")
    explained = _explain(tshell)
    assert f"Reader at /subscriptions/{tshell.sub}/resourceGroups/{RG} was granted 2 min ago and takes effect in " \
           "3 min" in explained
    d = tshell.ok(f"Test-AzAccess -ObjectId $sp -Uri '{_uri(tshell)}'")[0]
    assert d.get("Allowed") is False and d.get("Fix") == "Set-AzShellClock -Advance 00:03:01"

    tshell.ok("Set-AzShellClock -Advance 00:03:01")
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    status, _ = _call(tshell)  # the same token, the same call
    assert status == 200
    tshell.ok("Exit-AzVM")
    d = tshell.ok(f"Test-AzAccess -ObjectId $sp -Uri '{_uri(tshell)}'")[0]
    assert d.get("Allowed") is True and "Reader" in d.get("Reason")


def test_a_removed_assignment_keeps_granting_until_it_propagates(tshell: Shell) -> None:
    _vm(tshell)
    tshell.ok(f"New-AzRoleAssignment -ObjectId $sp -RoleDefinitionName Reader -ResourceGroupName {RG}")
    tshell.ok("Set-AzShellOption -RoleAssignmentDelay 00:05:00")  # after the grant: the grant is not held back
    tshell.ok("Set-AzShellClock -Advance 00:00:01")
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    tshell.ok("$token = (Get-Token).access_token")
    assert _call(tshell)[0] == 200
    tshell.ok("Exit-AzVM")
    tshell.ok(f"Remove-AzRoleAssignment -ObjectId $sp -RoleDefinitionName Reader -ResourceGroupName {RG}")
    assert tshell.ok(f"Get-AzRoleAssignment -ObjectId $sp -ResourceGroupName {RG}") == []  # gone from ARM at once
    tshell.ok("Set-AzShellClock -Advance 00:01:00")
    d = tshell.ok(f"Test-AzAccess -ObjectId $sp -Uri '{_uri(tshell)}'")[0]
    assert d.get("Allowed") is True
    assert any("was removed 60 s ago and still grants it for 4 min more" in n for n in d.get("Notes"))
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert _call(tshell)[0] == 200
    tshell.ok("Set-AzShellClock -Advance 00:04:00")
    assert _call(tshell)[0] == 403


def test_without_a_delay_grants_apply_at_once(tshell: Shell) -> None:
    _vm(tshell)
    tshell.ok(f"New-AzRoleAssignment -ObjectId $sp -RoleDefinitionName Reader -ResourceGroupName {RG}")
    tshell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    tshell.ok("$token = (Get-Token).access_token")
    assert _call(tshell)[0] == 200


def test_turning_the_delay_on_holds_back_nothing_made_before(tshell: Shell) -> None:
    # the admin's Owner assignment was made when the tenant was seeded, a moment ago
    tshell.ok("Set-AzShellOption -RoleAssignmentDelay 00:10:00")
    tshell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
