"""Learners who make the usual mistakes get the matching hint, and can recover and finish."""

from __future__ import annotations

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
    assert "step 5/8" in (other.tutorial_status() or "")
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
