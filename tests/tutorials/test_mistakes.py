"""Learners who make the usual mistakes get the matching hint, and can recover and finish."""

from __future__ import annotations

from typing import Any

import pytest

from tests.tutorials.conftest import Learner, has_linux_commands

CUR = "current-windows-vm-access-arm"
OLD = "2017-windows-vm-access-arm"
IMDS_ARM = ("$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version="
            "2018-02-01&resource=https://management.azure.com/' -Method GET -Headers @{Metadata=\"true\"}")


def test_off_the_vm_then_recover(learner: Learner) -> None:
    learner.start(CUR, "-SetupPrerequisites")
    assert learner.current() == "enter-vm"
    hints = learner.hints(IMDS_ARM)
    assert any("Enter-AzVM" in h for h in hints)
    learner.do_until(None)
    assert learner.status(CUR) == "Completed"


def test_missing_metadata_header(learner: Learner) -> None:
    learner.start(CUR, "-SetupPrerequisites")
    learner.do_step("enter-vm")
    hints = learner.hints(IMDS_ARM.replace(' -Headers @{Metadata="true"}', ""))
    assert any("Metadata" in h and "400" in h for h in hints)
    assert learner.current() == "get-token"
    learner.do_until(None)
    assert learner.status(CUR) == "Completed"


def test_wrong_audience_then_recover(learner: Learner) -> None:
    learner.start(CUR, "-SetupPrerequisites")
    learner.do_step("enter-vm")
    vault = IMDS_ARM.replace("https://management.azure.com/", "https://vault.azure.net")
    assert any("Key Vault" in h for h in learner.hints(vault))
    learner.ok("$ArmToken = ($response.Content | ConvertFrom-Json).access_token")
    hints = learner.hints(learner.commands("call-arm")[0]) if learner.current() == "call-arm" else []
    assert learner.current() == "get-token"
    # the learner forces ahead with the vault token: the ARM call names the audience problem
    learner.ok("Skip-TutorialStep")
    learner.ok("Skip-TutorialStep")
    hints = learner.hints(learner.commands("call-arm")[0])
    assert any("Wrong audience" in h for h in hints)
    learner.ok(IMDS_ARM)
    learner.ok("$ArmToken = ($response.Content | ConvertFrom-Json).access_token")
    learner.do_step("call-arm")
    assert learner.status(CUR) == "Completed"


def test_wrong_scope_then_recover(learner: Learner) -> None:
    learner.start(CUR)
    learner.do_until("grant-reader")
    vm_scope = f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM"
    hints = learner.hints(f"New-AzRoleAssignment -ObjectId (Get-AzVM -ResourceGroupName myResourceGroup -Name myVM)"
                          f".Identity.PrincipalId -RoleDefinitionName Reader -Scope {vm_scope}")
    assert any("wrong scope" in h for h in hints)
    learner.do_until(None)
    assert learner.status(CUR) == "Completed"


def test_no_role_403_then_grant(learner: Learner) -> None:
    learner.start(CUR)
    learner.do_until("grant-reader")
    learner.ok("Skip-TutorialStep")
    learner.do_until("call-arm")
    hints = learner.hints(learner.commands("call-arm")[0])
    assert any("no Reader role" in h for h in hints)
    learner.ok("exit")
    learner.ok("New-AzRoleAssignment -ObjectId (Get-AzVM -ResourceGroupName myResourceGroup -Name myVM).Identity"
               ".PrincipalId -RoleDefinitionName Reader -ResourceGroupName myResourceGroup")
    learner.ok("Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM")
    learner.do_step("call-arm")
    assert learner.status(CUR) == "Completed"


def test_cached_token_after_identity_recreated(learner: Learner) -> None:
    learner.start(CUR)
    learner.do_until("grant-reader")
    learner.ok("Skip-TutorialStep")
    learner.do_until("call-arm")  # token of the first principal, which has no role
    learner.ok("exit")
    learner.ok("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM; Update-AzVM -ResourceGroupName "
               "myResourceGroup -VM $vm -IdentityType None")
    learner.ok("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM; Update-AzVM -ResourceGroupName "
               "myResourceGroup -VM $vm -IdentityType SystemAssigned")
    learner.ok("New-AzRoleAssignment -ObjectId (Get-AzVM -ResourceGroupName myResourceGroup -Name myVM).Identity"
               ".PrincipalId -RoleDefinitionName Reader -ResourceGroupName myResourceGroup")
    learner.ok("Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM")
    hints = learner.hints(learner.commands("call-arm")[0])
    assert any("caches tokens" in h for h in hints)
    learner.ok(IMDS_ARM)
    learner.ok("$ArmToken = ($response.Content | ConvertFrom-Json).access_token")
    learner.do_step("call-arm")
    assert learner.status(CUR) == "Completed"


def test_repsonse_typo_then_401(learner: Learner) -> None:
    learner.start(CUR, "-SetupPrerequisites")
    learner.do_until("read-token")
    assert any("$repsonse" in h for h in learner.hints("$content = $repsonse.Content | ConvertFrom-Json"))
    learner.ok("$ArmToken = $content.access_token")
    learner.ok("Skip-TutorialStep")
    assert any("401" in h for h in learner.hints(learner.commands("call-arm")[0]))
    learner.ok("$content = $response.Content | ConvertFrom-Json; $ArmToken = $content.access_token")
    learner.do_step("call-arm")
    assert learner.status(CUR) == "Completed"


def test_2017_doc_typos(learner: Learner) -> None:
    learner.start(OLD, "-SetupPrerequisites")
    learner.do_step("enter-vm")
    printed = ("$response = Invoke-WebRequest -Uri http://localhost/50342/oauth2/token -Method GET -Body "
               "@resource=\"https://management.azure.com/\"} -Headers @{Metadata=\"true\"}")
    hints = learner.hints(printed)
    assert any("slash where the colon" in h for h in hints) and any("opening brace" in h for h in hints)
    learner.do_until(None)
    assert learner.status(OLD) == "Completed"


def test_2017_no_extension(learner: Learner) -> None:
    learner.start(OLD)
    learner.do_until("enable-msi")
    learner.ok("New-AzVM -ResourceGroupName myResourceGroup -Name myVM -Location westus -IdentityType SystemAssigned "
               "-ErrorAction SilentlyContinue")
    learner.ok("Skip-TutorialStep")
    learner.do_until("get-token")
    hints = learner.hints(learner.commands("get-token")[0])
    assert any("MSI extension is not installed" in h for h in hints)


def test_assign_identity_switch_doc_defect(learner: Learner) -> None:
    learner.start(CUR)
    learner.do_until("enable-identity")
    hints = learner.hints("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM\n"
                          "Update-AzVM -ResourceGroupName myResourceGroup -VM $vm -AssignIdentity:$SystemAssigned")
    assert any("undefined variable" in h for h in hints)
    learner.do_until(None)


def test_linux_quoting_and_audience(learner: Learner) -> None:
    name = "current-linux-vm-access-arm"
    learner.start(name, "-SetupPrerequisites")
    if not has_linux_commands(learner):
        return
    learner.do_step("enter-vm")
    hints = learner.hints("curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&"
                          "resource=https://management.azure.com/'")
    assert any("Metadata" in h for h in hints)
    learner.do_until(None)
    assert learner.status(name) == "Completed"


def test_keyvault_wrong_audience(learner: Learner) -> None:
    name = "current-windows-vm-access-nonaad-keyvault"
    learner.start(name, "-SetupPrerequisites")
    learner.do_step("enter-vm")
    learner.ok("$KeyVaultToken = (Invoke-RestMethod -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-"
               "version=2018-02-01&resource=https://management.azure.com/' -Headers @{Metadata=\"true\"}).access_token")
    learner.ok("Skip-TutorialStep")
    hints = learner.hints(learner.commands("read-secret")[0])
    assert any("Key Vault accepts only" in h for h in hints)


def test_progress_survives_restart_and_cmdlets(learner: Learner) -> None:
    from azshell.session import Session

    learner.start(CUR, "-SetupPrerequisites")
    other = Session(world=learner.world)  # e.g. the kernel on the same state
    outs = other.execute("Get-Tutorial current-windows-vm-access-arm").records
    obj = next(r.value for r in outs if r.stream == "output")
    assert obj.get("Status") == "InProgress" and obj.get("Progress") == "4/8"
    text = "".join(other.render_text(r) for r in other.execute("Get-TutorialStep").records)
    assert "Step 5/8: Step onto the VM" in text and "not passed yet" in text
    hint = "".join(str(r.value) for r in other.execute("Show-TutorialHint").records)
    assert "Usual mistakes" in hint
    assert other.tutorial_panel()[0].startswith("Tutorial current-windows-vm-access-arm · step 5/8")
    assert other.tutorial_status() is None  # a tutorial cmdlet said where the tutorial stands itself
    other.execute("$null = 1")
    assert (other.tutorial_status() or "").startswith("── step 5/8 (Step onto the VM) not passed yet")
    html = other.render_html([obj2 for obj2 in (r.value for r in other.execute("Get-TutorialStep").records)])
    assert html is not None and "<h4>Step 5/8" in html
    other.execute("Stop-Tutorial")
    assert learner.engine.active() is None
    other.execute(f"Start-Tutorial {CUR} -Resume")
    assert learner.current() == "enter-vm"
    other.execute(f"Reset-Tutorial {CUR}")
    assert learner.status(CUR) == "NotStarted"
    errs = [r for r in other.execute("Start-Tutorial nope").records if r.stream == "error"]
    assert errs and "no tutorial named" in other.render_text(errs[0])


# ------------------------------------------------------------------- hints driven by the access decision
def _principal(learner: Learner) -> str:
    outs = learner.type("(Get-AzVM -ResourceGroupName myResourceGroup -Name myVM).Identity.PrincipalId")[0]
    return str(outs[0])


def _wrong_scope_assignment(learner: Learner) -> tuple[str, str, list[str]]:
    """At grant-reader, Reader on the VM instead of its resource group: (VM scope, principal, hint lines)."""
    learner.start(CUR)
    learner.do_until("grant-reader")
    vm_scope = f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup/providers/Microsoft.Compute/virtualMachines/myVM"
    pid = _principal(learner)
    hints = learner.hints(f"New-AzRoleAssignment -ObjectId {pid} -RoleDefinitionName Reader -Scope {vm_scope}")
    return vm_scope, pid, hints


def test_wrong_scope_hint_names_the_assignment_the_decision_lists(learner: Learner) -> None:
    vm_scope, pid, hints = _wrong_scope_assignment(learner)
    hint = next(h for h in hints if "wrong scope" in h)
    detail = hint.splitlines()[-1].strip()
    rg = f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup"
    assert detail.startswith(f"The access decision lists Reader at {vm_scope} — a child of this scope: it does not "
                             "cover the resource group")
    # the line it ends with runs, and Test-AzAccess shows the same decision: that assignment, not in scope
    pointer = detail.split("To see it: ", 1)[1]
    assert pointer == (f"Test-AzAccess -ObjectId {pid} -Action 'Microsoft.Resources/subscriptions/resourceGroups/"
                       f"read' -Scope '{rg}'")
    decision = learner.type(pointer)[0][0]
    assert decision.get("Allowed") is False
    text, _, why = detail.removeprefix("The access decision lists ").partition(" — ")
    assert [f"{text}: {why.split('. To see it:')[0]}"] == list(decision.get("NotInScope"))


def test_wrong_scope_hint_follows_the_decision_not_the_scopes(learner: Learner,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import azshell.services.authorization.checks as authz_checks
    from azshell.auth.decision import AccessDecision, Evidence

    seen: list[tuple[str, str]] = []

    def decided(*args: Any, action: str, scope: str, **kwargs: Any) -> AccessDecision:
        seen.append((action, scope))
        return verdict

    monkeypatch.setattr(authz_checks, "rbac_access", decided)
    # the decision allows the read (whatever the assignments' scopes): no wrong-scope hint
    verdict = AccessDecision(plane="arm", model="rbac", allowed=True, reason="Allowed: test.")
    _vm_scope, _pid, hints = _wrong_scope_assignment(learner)
    assert not any("wrong scope" in h for h in hints)
    assert seen and seen[-1] == ("Microsoft.Resources/subscriptions/resourceGroups/read",
                                 f"/subscriptions/{learner.sub}/resourceGroups/myResourceGroup")
    # a denial that lists a Reader assignment elsewhere: the hint names the one the decision listed
    verdict = AccessDecision(plane="arm", model="rbac", allowed=False, reason="Denied: test.", considered=(
        Evidence("role_assignment", "Reader at /subscriptions/elsewhere", False, False, "another subscription",
                 "Reader", "/subscriptions/elsewhere"),))
    hints = learner.hints("Get-AzRoleAssignment -ObjectId 00000000-0000-0000-0000-000000000000")
    assert any("wrong scope" in h and "The access decision lists Reader at /subscriptions/elsewhere — another "
               "subscription." in h for h in hints), hints


def _stale_token_on_the_vm(learner: Learner) -> str:
    """The identity re-created and granted Reader after its token was taken: (the old principal)."""
    learner.start(CUR)
    learner.do_until("grant-reader")
    learner.ok("Skip-TutorialStep")
    learner.do_until("call-arm")  # the token of the first principal, which has no role
    learner.ok("exit")
    old_pid = _principal(learner)
    for line in ("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM; Update-AzVM -ResourceGroupName "
                 "myResourceGroup -VM $vm -IdentityType None",
                 "$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM; Update-AzVM -ResourceGroupName "
                 "myResourceGroup -VM $vm -IdentityType SystemAssigned",
                 "New-AzRoleAssignment -ObjectId (Get-AzVM -ResourceGroupName myResourceGroup -Name myVM).Identity"
                 ".PrincipalId -RoleDefinitionName Reader -ResourceGroupName myResourceGroup",
                 "Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM"):
        learner.ok(line)
    return old_pid


def test_stale_token_hint_reads_the_refused_requests_decision(learner: Learner) -> None:
    old_pid = _stale_token_on_the_vm(learner)
    hints = learner.hints(learner.commands("call-arm")[0])
    hint = next(h for h in hints if "caches tokens" in h)
    learner.ok("exit")
    new_pid = _principal(learner)
    assert new_pid != old_pid
    assert hint.splitlines()[-1].strip() == (f"The refused request was decided for principal {old_pid}; the identity "
                                             f"is {new_pid} now: the token was issued to the identity before it was "
                                             "re-created.")
    # the next command makes no request: the refusal was the last command's, so no hint repeats
    assert not any("caches tokens" in h for h in learner.hints("$x = 1"))
    # an error that only says 403 is no refused request: the text is not read
    assert not any("caches tokens" in h for h in learner.hints("Write-Error '403 AuthorizationFailed \"Forbidden\"'"))
