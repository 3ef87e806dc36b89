"""Sign-in with a managed identity: the 2017 and current sign-in how-tos as written (placeholders filled), their
error texts when the identity or the extension is off, ``-AccountId`` by resource ID, and ``-AccessToken``."""

from __future__ import annotations

from typing import Any

import pytest

from azshell.clock import FixedClock
from azshell.cmdlets.context import decode_claims
from azshell.world import World
from tests.cmdlets._shell import Shell as BaseShell

RG = "myRG"
VM = "myVM"

SIGNIN_2017_CLI = """az login --msi
$spID = az resource list -n myVM --query [*].identity.principalId --out tsv
echo The MSI service principal ID is $spID"""

SIGNIN_2017_PS = """# Get an access token for the MSI
$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token `
                              -Method GET -Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}
$content =$response.Content | ConvertFrom-Json
$access_token = $content.access_token
echo "The MSI access token is $access_token"

# Use the access token to sign in under the MSI service principal. -AccountID can be any string to identify the session.
Login-AzureRmAccount -AccessToken $access_token -AccountId "MSI@50342"

# Call Azure Resource Manager to get the service principal ID for the VM's MSI.
$vmInfoPs = Get-AzureRMVM -ResourceGroupName myRG -Name myVM
$spID = $vmInfoPs.Identity.PrincipalId
echo "The MSI service principal ID is $spID\""""

SIGNIN_CURRENT_CLI = """az login --identity

$spID = az resource list -n myVM --query [*].identity.principalId --out tsv
echo The managed identity for Azure resources service principal ID is $spID"""

SIGNIN_CURRENT_PS = """Add-AzAccount -identity

# Call Azure Resource Manager to get the service principal ID for the VM's managed identity for Azure resources.
$vmInfoPs = Get-AzVM -ResourceGroupName myRG -Name myVM
$spID = $vmInfoPs.Identity.PrincipalId
echo "The managed identity for Azure resources service principal ID is $spID\""""


class Shell(BaseShell):
    host_streams = ("host", "warning")

    def script(self, text: str) -> tuple[list[Any], list[str]]:
        outs, host = self.ok_host(text)
        return outs, host


def _vm(shell: Shell, *, extension: bool, reader: bool = True) -> str:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null; "
             f"New-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssigned | Out-Null")
    pid = str(shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")[0])
    if extension:
        shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM} | Out-Null")
    if reader:
        shell.ok(f"New-AzRoleAssignment -ObjectId {pid} -RoleDefinitionName Reader -Scope "
                 f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Id | Out-Null")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM} | Out-Null")
    return pid


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def test_2017_sign_in_cli_as_written(shell: Shell) -> None:
    pid = _vm(shell, extension=True)
    outs, _ = shell.script(SIGNIN_2017_CLI)
    # bash's echo prints one line; PowerShell's echo (Write-Output) writes each word as an object
    assert [str(o) for o in outs[-7:]] == ["The", "MSI", "service", "principal", "ID", "is", pid]
    assert shell.exit_code() == 0
    acct = shell.session.services.context.account
    assert acct is not None and acct.msi_port == 50342 and acct.object_id == pid


def test_2017_sign_in_powershell_as_written(shell: Shell) -> None:
    pid = _vm(shell, extension=True)
    outs, _ = shell.script(SIGNIN_2017_PS)
    assert str(outs[-1]) == f"The MSI service principal ID is {pid}"
    profile = next(o for o in outs if hasattr(o, "get") and o.get("Account") is not None)
    assert profile.get("Account").get("Id") == "MSI@50342"
    acct = shell.session.services.context.account
    assert acct is not None and acct.type == "AccessToken"


def test_current_sign_in_as_written(shell: Shell) -> None:
    pid = _vm(shell, extension=False)
    outs, _ = shell.script(SIGNIN_CURRENT_CLI)
    assert str(outs[-1]) == pid and str(outs[-2]) == "is"
    outs, _ = shell.script(SIGNIN_CURRENT_PS)
    assert str(outs[-1]) == f"The managed identity for Azure resources service principal ID is {pid}"


def test_2017_errors_when_the_extension_is_off(shell: Shell) -> None:
    _vm(shell, extension=False)
    _, host = shell.ok_host("az login --msi")
    text = "\n".join(host)
    assert text.startswith(
        "MSI: Failed to retrieve a token from 'http://localhost:50342/oauth2/token' with an error of "
        "'HTTPConnectionPool(host='localhost', port=50342): Max retries exceeded with url: /oauth2/token")
    assert "This could be caused by the MSI extension not yet fully provisioned." in text
    assert shell.exit_code() == 1 and shell.session.services.context.account is None
    err = shell.error_text(SIGNIN_2017_PS.split("\n$content")[0])
    assert err.startswith("Invoke-WebRequest : Unable to connect to the remote server")


def test_current_errors_when_the_identity_is_off(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null; "
             f"New-AzVM -ResourceGroupName {RG} -Name {VM} | Out-Null; Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    _, host = shell.ok_host("az login --identity")
    assert "Failed to connect to MSI. Please make sure MSI is configured correctly." in "\n".join(host)
    err = shell.error_text("Add-AzAccount -identity")
    assert "No identity has been assigned to this resource." in err


def test_identity_without_access_sees_no_subscription(shell: Shell) -> None:
    _vm(shell, extension=True, reader=False)
    _, host = shell.ok_host("az login --msi")
    assert "No access was configured for the VM" in "\n".join(host) and shell.exit_code() == 1


def test_connect_with_user_assigned_identity_by_resource_id(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null")
    uai = shell.ok(f"New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name u1 -Location westus")[0]
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType UserAssigned -IdentityId {uai.get('Id')} "
             f"| Out-Null; New-AzRoleAssignment -ObjectId {uai.get('PrincipalId')} -RoleDefinitionName Reader "
             f"-ResourceGroupName {RG} | Out-Null; Enter-AzVM -ResourceGroupName {RG} -Name {VM} | Out-Null")
    profile = shell.ok(f"Connect-AzAccount -Identity -AccountId {uai.get('Id')}")[0]
    assert profile.get("Account").get("Id") == uai.get("Id")
    acct = shell.session.services.context.account
    assert acct is not None and acct.client_id == uai.get("ClientId") and acct.object_id == uai.get("PrincipalId")
    assert shell.ok(f"(Get-AzResourceGroup -Name {RG}).ResourceGroupName") == [RG]
    subs = shell.ok("az login --identity --username " + str(uai.get("Id")) + " | ConvertFrom-Json")
    assert subs and subs[0].get("user").get("assignedIdentityInfo") == f"MSIClient-{uai.get('ClientId')}"


def test_access_token_account_until_expiry(shell: Shell, world: World, clock: FixedClock) -> None:
    pid = _vm(shell, extension=True)
    shell.ok("$t = (Invoke-RestMethod -Uri http://localhost:50342/oauth2/token -Method POST "
             "-Body @{resource='https://management.azure.com/'} -Headers @{Metadata='true'}).access_token")
    err = shell.error_text("Login-AzureRmAccount -AccessToken $t")
    assert "missing mandatory parameters: AccountId" in err
    shell.ok("Login-AzureRmAccount -AccessToken $t -AccountId 'MSI@50342' | Out-Null")
    assert shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId") == [pid]
    # only ARM: no token for other audiences
    err = shell.error_text("Get-AzADServicePrincipal -ObjectId " + pid)
    assert "-AccessToken has a token for Azure Resource Manager only" in err
    # the token is sent as given: once expired, ARM answers 401 and Az shows it
    exp = decode_claims(str(shell.var("t")))["exp"]
    clock.advance(float(exp) - clock.now() + 3600)
    err = shell.error_text(f"Get-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert "ExpiredAuthenticationToken" in err or "expired" in err.lower()


def test_az_login_msi_port_and_bad_port(shell: Shell) -> None:
    _vm(shell, extension=True)
    _, host = shell.ok_host("az login --msi --msi-port 50343")
    assert "port=50343" in "\n".join(host) and shell.exit_code() == 1
    _, host = shell.ok_host("az login --msi-port abc")
    assert "invalid int value: 'abc'" in "\n".join(host) and shell.exit_code() == 2
    shell.ok_host("az login --msi --msi-port 50342")
    assert shell.exit_code() == 0
    token = shell.ok("az account get-access-token --query accessToken -o tsv")[0]
    assert decode_claims(str(token))["oid"] == shell.session.services.context.account.object_id  # type: ignore[union-attr]
