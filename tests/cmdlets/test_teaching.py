"""Get-AzAccessToken, Show-Token and Test-AzAccess; ARM's permissions and azshell's checkAccess on the wire."""

from __future__ import annotations

import base64
import json

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.conftest import ArmClient

RG = "myRG"
VM = "myVM"
RG_READ = "Microsoft.Resources/subscriptions/resourceGroups/read"


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null\n"
         f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned | Out-Null")
    return s


def _vm_oid(shell: Shell) -> str:
    return str(shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")[0])


# --------------------------------------------------------------------------------------------- ARM wire
def test_permissions_and_check_access_endpoints(arm: ArmClient, world: World) -> None:
    sub_scope = f"/subscriptions/{arm.sub}"
    r = arm.request("GET", f"{sub_scope}/providers/Microsoft.Authorization/permissions", api_version="2022-04-01")
    assert r.status_code == 200
    assert {"actions": ["*"], "notActions": [], "dataActions": [], "notDataActions": []} in r.json()["value"]
    body = {"subject": {"principalId": world.admin_user.object_id},
            "actions": [{"id": RG_READ, "isDataAction": False}]}
    r = arm.request("POST", f"{sub_scope}/providers/Microsoft.Authorization/checkAccess", api_version="2022-04-01",
                    json=body)
    assert r.status_code == 200
    [answer] = r.json()["value"]
    assert answer["accessDecision"] == "Allowed"
    assert answer["matchedAssignments"][0]["roleName"] == "Owner"
    bad = arm.request("POST", f"{sub_scope}/providers/Microsoft.Authorization/checkAccess",
                      api_version="2022-04-01", json={"subject": {}, "actions": []})
    assert bad.status_code == 400
    assert arm.request("GET", f"{sub_scope}/providers/Microsoft.Authorization/checkAccess",
                       api_version="2022-04-01").status_code == 405


def test_check_access_needs_role_assignment_read(arm: ArmClient, world: World) -> None:
    """Anyone may check their own access (as with permissions); another principal's needs roleAssignments/read."""
    arm.create_rg("rg")
    vm = arm.create_vm("rg", "vm", identity={"type": "SystemAssigned"}).json()
    oid = vm["identity"]["principalId"]
    token = arm.token_for(oid)
    path = f"{arm.rg_path('rg')}/providers/Microsoft.Authorization/checkAccess"
    body = {"subject": {"principalId": oid}, "actions": [{"id": RG_READ}]}
    r = arm.request("POST", path, api_version="2022-04-01", json=body, token=token)
    assert r.status_code == 200 and r.json()["value"][0]["accessDecision"] == "NotAllowed"
    assert r.json()["value"][0]["decision"]["fix"].startswith(f"New-AzRoleAssignment -ObjectId {oid}")
    other = {"subject": {"principalId": world.admin_user.object_id}, "actions": [{"id": RG_READ}]}
    r = arm.request("POST", path, api_version="2022-04-01", json=other, token=token)
    assert r.status_code == 403 and r.json()["error"]["code"] == "AuthorizationFailed"
    r = arm.request("GET", f"{arm.rg_path('rg')}/providers/Microsoft.Authorization/permissions",
                    api_version="2022-04-01", token=token)
    assert r.status_code == 200 and r.json() == {"value": []}


# ------------------------------------------------------------------------------------ Get-AzAccessToken
def test_get_az_access_token_is_secure_by_default(shell: Shell, world: World) -> None:
    [tok] = shell.ok("Get-AzAccessToken")
    assert tok.type_names[0] == "Microsoft.Azure.Commands.Profile.Models.PSSecureAccessToken"
    assert str(tok.get("Token")) == "System.Security.SecureString"
    assert tok.get("Type") == "Bearer" and tok.get("TenantId") == world.tenant_id
    assert tok.get("UserId") == world.admin_user.user_principal_name
    plain = shell.ok("(Get-AzAccessToken -ResourceTypeName MSGraph -AsSecureString).Token | "
                     "ConvertFrom-SecureString -AsPlainText")[0]
    claims = json.loads(base64.urlsafe_b64decode(plain.split(".")[1] + "=="))
    assert claims["aud"] == "https://graph.microsoft.com/"
    [kv] = shell.ok("Get-AzAccessToken -ResourceUrl https://vault.azure.net | Show-Token")
    assert kv.get("aud") == "https://vault.azure.net"
    assert "needs Connect-AzAccount -Tenant" in shell.error_text(
        "Get-AzAccessToken -TenantId 00000000-0000-0000-0000-000000000000")


def test_get_az_access_token_on_a_host_is_the_identity(shell: Shell) -> None:
    oid = _vm_oid(shell)
    shell.ok(f"New-AzRoleAssignment -ObjectId {oid} -RoleDefinitionName Reader -ResourceGroupName {RG} | Out-Null")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}\nConnect-AzAccount -Identity | Out-Null")
    [info] = shell.ok("Get-AzAccessToken | Show-Token")
    assert info.get("oid") == oid and info.get("appidacr") == "2"
    assert info.get("xms_mirid").endswith(f"/virtualMachines/{VM}")


# ----------------------------------------------------------------------------------------------- Show-Token
def test_show_token_on_imds_token(shell: Shell) -> None:
    oid = _vm_oid(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok("$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token"
             "?api-version=2018-02-01&resource=https://management.azure.com/' -Method GET "
             "-Headers @{Metadata=\"true\"}\n$content = $response.Content | ConvertFrom-Json")
    [info] = shell.ok("$content | Show-Token")
    assert info.get("SignatureValid") is True
    assert info.get("Signature").startswith("✓ valid")
    assert info.get("oid") == oid and info.get("Claims").get("aud") == "https://management.azure.com/"
    explained = info.get("Explanation")
    assert explained.get("aud").startswith("the service this token is for")
    assert "object id of the identity" in explained.get("oid")
    assert "the resource the managed identity belongs to" in explained.get("xms_mirid")
    assert "certificate (managed identities do)" in explained.get("appidacr")
    assert "expires in" in explained.get("exp") and "issued" in explained.get("iat")
    text = shell.ok("$content | Show-Token | Out-String")[0]
    assert "Header" in text and "xms_mirid" in text and "✓ valid" in text and "expires in" in text
    # the same token as a string, and as the Invoke-WebRequest response itself
    assert shell.ok("(Show-Token -Token $content.access_token).SignatureValid") == [True]
    assert shell.ok("($response | Show-Token).oid") == [oid]
    assert shell.ok("(Get-Token | Show-Token).oid") == [oid]


def test_show_token_tampered_and_garbage(shell: Shell, world: World) -> None:
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource="https://management.azure.com/",
                                             kind="user").access_token
    head, body, sig = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(body + "=="))
    claims["oid"] = "00000000-0000-0000-0000-000000000000"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).decode().rstrip("=")
    [info] = shell.ok(f"Show-Token -Token '{head}.{forged}.{sig}'")
    assert info.get("SignatureValid") is False
    assert info.get("Signature").startswith("✗ invalid") and "does not match" in info.get("Signature")
    assert "not a JWT" in shell.error_text("Show-Token -Token 'abc.def'")
    assert "Give the token" in shell.error_text("Show-Token")


def test_show_token_expired(shell: Shell, world: World) -> None:
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource="https://management.azure.com/",
                                             kind="user").access_token
    world.clock.advance(3 * 86400)  # type: ignore[attr-defined]
    [info] = shell.ok(f"Show-Token -Token '{token}'")
    assert "EXPIRED" in info.get("Signature") and "expired" in info.get("Explanation").get("exp")


# ---------------------------------------------------------------------------------------------- Test-AzAccess
def test_test_az_access_deny_fix_then_allow(shell: Shell) -> None:
    oid = _vm_oid(shell)
    scope = f"/subscriptions/{shell.sub}/resourceGroups/{RG}"
    [d] = shell.ok(f"Test-AzAccess -Assignee {VM} -Action {RG_READ} -Scope {scope}")
    assert d.get("Allowed") is False and d.get("Principal") == oid and d.get("Missing") == RG_READ
    assert d.get("Fix") == f"New-AzRoleAssignment -ObjectId {oid} -RoleDefinitionName 'Reader' -Scope '{scope}'"
    text = shell.ok(f"Test-AzAccess -ObjectId {oid} -Action {RG_READ} -Scope {scope} | Out-String")[0]
    assert "✗ DENIED" in text and "Fix       : New-AzRoleAssignment" in text
    shell.ok(str(d.get("Fix")) + " | Out-Null")
    [d2] = shell.ok(f"Test-AzAccess -Assignee {VM} -Action {RG_READ} -Scope {scope}")
    assert d2.get("Allowed") is True and d2.get("Fix") is None
    assert d2.get("Matched") == [f"Reader at {scope}"] and "Reader" in d2.get("Reason")


def test_test_az_access_from_the_403_pointer(shell: Shell) -> None:
    oid = _vm_oid(shell)
    shell.ok(f"New-AzRoleAssignment -ObjectId {oid} -RoleDefinitionName Reader -ResourceGroupName {RG} | Out-Null")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}\nConnect-AzAccount -Identity | Out-Null")
    text = shell.error_text(f"Remove-AzResourceGroup -Name {RG} -Force")
    pointer = next(line for line in text.splitlines() if line.startswith("To see why: "))
    shell.ok("Exit-AzVM")
    [d] = shell.ok(pointer[len("To see why: "):])
    assert d.get("Allowed") is False
    assert d.get("Action") == "Microsoft.Resources/subscriptions/resourceGroups/delete"
    assert d.get("Considered") == [f"Reader at /subscriptions/{shell.sub}/resourceGroups/{RG}"]
    assert "'Contributor'" in d.get("Fix") or "-RoleDefinitionName" in d.get("Fix")


def test_test_az_access_uri_and_self(shell: Shell, world: World) -> None:
    url = f"https://management.azure.com/subscriptions/{shell.sub}/resourceGroups/{RG}?api-version=2016-06-01"
    [d] = shell.ok(f"Test-AzAccess -Uri '{url}' -Method DELETE")
    assert d.get("Allowed") is True and d.get("Principal") == world.admin_user.object_id
    assert d.get("Action") == "Microsoft.Resources/subscriptions/resourceGroups/delete"
    vm_id = f"/subscriptions/{shell.sub}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachines/{VM}"
    # ARM serves no POST action on VMs: the dry run says the call fails before any access check ...
    [d] = shell.ok(f"Test-AzAccess -Assignee {VM} -Uri 'https://management.azure.com{vm_id}/start"
                   "?api-version=2023-03-01' -Method POST")
    assert d.get("Allowed") is None and d.get("StatusCode") == 400 and "before any access check" in d.get("Reason")
    # ... and -Action asks ARM's checkAccess for the action itself
    [d] = shell.ok(f"Test-AzAccess -Assignee {VM} -Action Microsoft.Compute/virtualMachines/start/action "
                   f"-Scope {vm_id}")
    assert d.get("Action") == "Microsoft.Compute/virtualMachines/start/action" and d.get("Allowed") is False
    assert d.get("Scope").endswith(f"/virtualMachines/{VM}") and "'Virtual Machine Contributor'" in d.get("Fix")
    assert "Cannot test access" in shell.error_text("Test-AzAccess -Uri https://example.com/x")
    assert "Cannot find a principal" in shell.error_text(f"Test-AzAccess -Assignee nobody -Action {RG_READ} -Scope /x")


def test_test_az_access_group_and_data_action(shell: Shell) -> None:
    oid = _vm_oid(shell)
    scope = f"/subscriptions/{shell.sub}/resourceGroups/{RG}"
    shell.ok('$g = New-AzADGroup -DisplayName readers -MailNickname readers\n'
             f'New-AzRoleAssignment -ObjectId $g.Id -RoleDefinitionName Reader -Scope {scope} | Out-Null\n'
             f'Add-AzADGroupMember -TargetGroupObjectId $g.Id -MemberObjectId {oid}')
    [d] = shell.ok(f"Test-AzAccess -ObjectId {oid} -Action {RG_READ} -Scope {scope}")
    assert d.get("Allowed") is True and d.get("Matched") == [f"Reader at {scope} (via a group)"]
    secret = "Microsoft.KeyVault/vaults/secrets/getSecret/action"
    [d] = shell.ok(f"Test-AzAccess -ObjectId {oid} -Action {secret} -Scope {scope}")
    assert d.get("DataAction") is True and d.get("Allowed") is False
    assert "'Key Vault Secrets User'" in d.get("Fix")


def test_key_vault_403_points_to_test_azaccess_and_the_pointer_runs(world) -> None:  # type: ignore[no-untyped-def]
    """Every 403 an Invoke-* shows ends with a runnable Test-AzAccess line — the data planes' too (issue 5)."""
    from azshell.session import Session

    s = Session(world=world)
    setup = s.execute(
        "New-AzResourceGroup rg1 westus | Out-Null\n"
        "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null\n"
        "New-AzKeyVault -Name kv1 -ResourceGroupName rg1 -Location westus | Out-Null\n"
        "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\n"
        '$t = (Invoke-RestMethod "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01'
        '&resource=https://vault.azure.net" -Headers @{Metadata="true"}).access_token')
    assert not setup.had_errors
    r = s.execute('Invoke-RestMethod "https://kv1.vault.azure.net/secrets/s1?api-version=7.4" '
                  '-Headers @{Authorization="Bearer $t"}')
    text = "\n".join(s.render_text(x) for x in r.records if x.stream == "error")
    pointer = next(line for line in text.splitlines() if line.startswith("To see why: "))
    s.execute("Exit-AzVM")
    r = s.execute(pointer.removeprefix("To see why: "))
    assert not r.had_errors, [s.render_text(x) for x in r.records]
    shown = "\n".join(s.render_text(x) for x in r.records)
    assert "DENIED" in shown and "Key Vault Secrets User" in shown
