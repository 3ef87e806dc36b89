"""The ARM tutorials, verbatim with placeholders filled, through the whole shell (Session → engine → planes).

Sources: ``shared/reference/tutorials/current-windows-vm-access-arm.ps1.txt`` and
``2017-windows-vm-access-arm.ps1.txt``; the portal steps are done with cmdlets.
"""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "myResourceGroup"
VM = "myVM"

CURRENT_TOKEN_LINE = (
    "$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
    "&resource=https://management.azure.com/' -Method GET -Headers @{Metadata=\"true\"}"
)
CORRECTED_2017_TOKEN_LINE = (
    "$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET "
    "-Body @{resource=\"https://management.azure.com/\"} -Headers @{Metadata=\"true\"}"
)
VERBATIM_2017_TOKEN_LINE = (
    "$response = Invoke-WebRequest -Uri http://localhost/50342/oauth2/token -Method GET "
    "-Body @resource=\"https://management.azure.com/\"} -Headers @{Metadata=\"true\"}"
)
CONTENT_LINE = "$content = $response.Content | ConvertFrom-Json"
TYPO_CONTENT_LINE = "$content = $repsonse.Content | ConvertFrom-Json"
TOKEN_LINE = "$ArmToken = $content.access_token"


def arm_line(sub: str) -> str:
    return (f"(Invoke-WebRequest -Uri https://management.azure.com/subscriptions/{sub}/resourceGroups/{RG}"
            "?api-version=2016-06-01 -Method GET -ContentType \"application/json\" "
            "-Headers @{ Authorization =\"Bearer $ArmToken\"}).content")


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def portal_steps_current(shell: Shell, *, grant: bool = True) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok(f"$vm = Get-AzVM -ResourceGroupName {RG} -Name {VM}\n"
             f"Update-AzVM -ResourceGroupName {RG} -VM $vm -IdentityType SystemAssigned")
    if grant:
        shell.ok(f"$spID = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).identity.principalid\n"
                 f"New-AzRoleAssignment -ObjectId $spID -RoleDefinitionName \"Reader\" "
                 f"-Scope \"/subscriptions/{shell.sub}/resourceGroups/{RG}\"")


def assert_rg_json(shell: Shell, text: Any) -> None:
    assert isinstance(text, str)
    assert json.loads(text) == {"id": f"/subscriptions/{shell.sub}/resourceGroups/{RG}", "name": RG,
                                "location": "westus", "properties": {"provisioningState": "Succeeded"}}
    assert text.startswith('{"id":"/subscriptions/')


def test_current_tutorial_verbatim(shell: Shell) -> None:
    portal_steps_current(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert shell.session.prompt() == f"[{VM}]: PS C:\\> "
    outs = shell.ok("\n".join([CURRENT_TOKEN_LINE, CONTENT_LINE, TOKEN_LINE, arm_line(shell.sub)]))
    assert len(outs) == 1
    assert_rg_json(shell, outs[0])
    shell.ok("exit")
    assert shell.session.services.current_host is None


def test_current_tutorial_with_new_azvm_identity_type(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    shell.ok(f"New-RoleAssignment -Assignee {VM} -Role Reader -ResourceGroupName {RG}")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    outs = shell.ok("\n".join([CURRENT_TOKEN_LINE, CONTENT_LINE, TOKEN_LINE, arm_line(shell.sub)]))
    assert_rg_json(shell, outs[0])


def test_2017_tutorial_corrected(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    shell.ok(f"New-RoleAssignment -Assignee {VM} -Role Reader -ResourceGroupName {RG}")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    outs = shell.ok("\n".join([CORRECTED_2017_TOKEN_LINE, CONTENT_LINE, TOKEN_LINE, arm_line(shell.sub)]))
    assert_rg_json(shell, outs[0])


def test_no_role_gives_403_authorization_failed(shell: Shell) -> None:
    portal_steps_current(shell, grant=False)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok("\n".join([CURRENT_TOKEN_LINE, CONTENT_LINE, TOKEN_LINE]))
    text = shell.error_text(arm_line(shell.sub))
    assert "AuthorizationFailed" in text
    assert "Microsoft.Resources/subscriptions/resourceGroups/read" in text
    assert "Response status code does not indicate success: 403 (Forbidden)." in text
    assert "Test-AzAccess" in text


def test_off_the_vm_imds_is_unreachable(shell: Shell) -> None:
    portal_steps_current(shell)
    text = shell.error_text(CURRENT_TOKEN_LINE)
    assert "Enter-AzVM" in text
    assert "WebCmdletWebResponseException" in text


def test_missing_metadata_header_is_400(shell: Shell) -> None:
    portal_steps_current(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    text = shell.error_text(
        "Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        "&resource=https://management.azure.com/' -Method GET")
    assert "Required metadata header not specified" in text
    assert "400 (Bad Request)" in text


def test_2017_verbatim_first_line_is_a_parse_error(shell: Shell) -> None:
    text = shell.error_text(VERBATIM_2017_TOKEN_LINE)
    assert "ParserError" in text or "Unexpected token" in text or "Unrecognized token" in text


def test_2017_port_typo_is_refused_with_hint(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    text = shell.error_text(
        "$response = Invoke-WebRequest -Uri http://localhost/50342/oauth2/token -Method GET "
        "-Body @{resource=\"https://management.azure.com/\"} -Headers @{Metadata=\"true\"}")
    assert "localhost:80" in text
    assert "did you mean http://localhost:50342/oauth2/token?" in text


def test_2017_repsonse_typo_ends_in_401(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    shell.ok(f"New-RoleAssignment -Assignee {VM} -Role Reader -ResourceGroupName {RG}")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok(CORRECTED_2017_TOKEN_LINE)
    shell.run(TYPO_CONTENT_LINE)
    shell.ok(TOKEN_LINE)
    text = shell.error_text(arm_line(shell.sub))
    assert "401 (Unauthorized)" in text
    assert "Authentication" in text


def test_assign_identity_undefined_variable_doc_defect(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok(f"$vm = Get-AzVM -ResourceGroupName {RG} -Name {VM}\n"
             f"Update-AzVM -ResourceGroupName {RG} -VM $vm -AssignIdentity:$SystemAssigned")
    outs = shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity")
    assert outs in ([], [None])


def test_identity_reads_back_with_az_enum_names(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    outs = shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.Type")
    assert outs == ["SystemAssigned"]


def test_connect_identity_on_vm(shell: Shell) -> None:
    portal_steps_current(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert "Run Connect-AzAccount to login." in shell.error_text("Get-AzResourceGroup")
    shell.ok("Connect-AzAccount -Identity")
    outs = shell.ok("(Get-AzResourceGroup).ResourceGroupName")
    assert outs == [RG]
    text = shell.error_text("New-AzResourceGroup -Name other -Location westus")
    assert "AuthorizationFailed" in text and "Microsoft.Resources/subscriptions/resourcegroups/write".casefold() \
        in text.casefold()


def test_parameterless_forms_bind(shell: Shell) -> None:
    assert shell.ok("(Get-AzSubscription).Name") == ["Azure subscription 1"]
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    assert shell.ok(f"(Get-AzRoleAssignment -ResourceGroupName {RG} -RoleDefinitionName Owner).RoleDefinitionName") \
        == ["Owner"]
    assert "Reader" in shell.ok("(Get-AzRoleDefinition).Name")
    assert shell.ok("Get-AzRoleDefinition Reader | ForEach-Object { $_.Id }") == ["acdd72a7-3385-48ef-bd42-f606fba81ae7"]
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    shell.ok(f"Get-AzVM -ResourceGroupName {RG} -Name {VM} | Enter-AzVM")
    assert shell.ok("(Get-Token).token_type") == ["Bearer"]
    shell.ok("Exit-AzVM")
    assert shell.session.prompt().startswith("PS ")


def test_web_response_default_view(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    chunks: list[str] = []
    shell.session.run(CURRENT_TOKEN_LINE.replace("$response = ", ""), lambda stream, text: chunks.append(text))
    text = "".join(chunks)
    labels = [m[1] for m in re.finditer(r"^(\w+) +:", text, re.MULTILINE)]
    assert labels == ["StatusCode", "StatusDescription", "Content", "RawContent", "Forms", "Headers", "Images",
                      "InputFields", "Links", "ParsedHtml", "RawContentLength"]
    assert "StatusCode        : 200" in text and "RawContent        : HTTP/1.1 200 OK" in text
    assert "Headers           : {[" in text


def test_catch_keeps_the_response(shell: Shell) -> None:
    outs = shell.ok("try { Invoke-WebRequest https://management.azure.com/subscriptions } catch { "
                    "$_.Exception.Response.StatusCode; $_.Exception.GetType().FullName }")
    assert outs == [401, "Microsoft.PowerShell.Commands.HttpResponseException"]
