"""The Linux tutorials' command lines, as written (placeholders filled), through the whole shell.

Sources: ``shared/reference/tutorials/*.sh.txt``. Portal steps are done with cmdlets; bash's
``response=$(curl ...)`` becomes ``$response = curl ...`` and the ``python -c`` JSON extraction becomes
``ConvertFrom-Json`` (issue 7).
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell

RG = "myResourceGroup"
VM = "myVM"
DOCUMENTED_RG_KEYS = {"id", "name", "location", "properties"}


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def linux_vm(shell: Shell, *, msi_2017: bool) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -Image UbuntuLTS")
    if msi_2017:  # portal: VM > Configuration > MSI Yes (identity + ManagedIdentityExtensionForLinux)
        shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    else:
        shell.ok(f"Update-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssigned")


def grant_reader(shell: Shell) -> None:
    shell.ok(f"$spID = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId\n"
             f"New-AzRoleAssignment -ObjectId $spID -RoleDefinitionName Reader "
             f"-Scope /subscriptions/{shell.sub}/resourceGroups/{RG}")


def check_rg_json(shell: Shell, text: str) -> None:
    body = json.loads(text)
    assert set(body) >= DOCUMENTED_RG_KEYS
    assert body["id"] == f"/subscriptions/{shell.sub}/resourceGroups/{RG}"
    assert body["name"] == RG and body["location"] == "westus"
    assert body["properties"] == {"provisioningState": "Succeeded"}


def test_2017_linux_vm_access_arm(shell: Shell) -> None:
    linux_vm(shell, msi_2017=True)
    grant_reader(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    token_json = shell.text('curl http://localhost:50342/oauth2/token --data "resource=https://management.azure.com/"'
                            " -H Metadata:true")
    token = json.loads(token_json)
    assert set(token) >= {"access_token", "refresh_token", "expires_in", "expires_on", "not_before", "resource",
                          "token_type"}
    shell.ok(f"$ACCESS_TOKEN = '{token['access_token']}'")
    check_rg_json(shell, shell.text(f"curl https://management.azure.com/subscriptions/{shell.sub}/resourceGroups/{RG}"
                                    "?api-version=2016-09-01 -H \"Authorization: Bearer $ACCESS_TOKEN\""))


def test_2017_how_to_use_vm_msi_token_bash(shell: Shell) -> None:
    linux_vm(shell, msi_2017=True)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok('$response = curl http://localhost:50342/oauth2/token --data "resource=https://management.azure.com/" '
             "-H Metadata:true -s")
    shell.ok("$access_token = ($response | ConvertFrom-Json).access_token")
    words = shell.ok("echo The MSI access token is $access_token")  # echo writes each argument
    assert " ".join(words).startswith("The MSI access token is eyJ")


def test_2017_linux_keyvault_port_typo(shell: Shell) -> None:
    linux_vm(shell, msi_2017=True)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert shell.ok('curl http://localhost:50432/oauth2/token --data "resource=https://vault.azure.net" '
                    "-H Metadata:true") == []
    assert shell.exit_code() == 7


def test_current_linux_vm_access_arm(shell: Shell) -> None:
    linux_vm(shell, msi_2017=False)
    grant_reader(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    token = json.loads(shell.text(
        "curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        "&resource=https://management.azure.com/' -H Metadata:true"))
    assert token["token_type"] == "Bearer"
    shell.ok(f"$ACCESS_TOKEN = '{token['access_token']}'")
    check_rg_json(shell, shell.text(f"curl https://management.azure.com/subscriptions/{shell.sub}/resourceGroups/{RG}"
                                    "?api-version=2016-09-01 -H \"Authorization: Bearer $ACCESS_TOKEN\""))


def test_current_how_to_use_vm_token_curl(shell: Shell) -> None:
    linux_vm(shell, msi_2017=False)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok("$response = curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
             "&resource=https%3A%2F%2Fmanagement.azure.com%2F' -H Metadata:true -s")
    shell.ok("$access_token = ($response | ConvertFrom-Json).access_token")
    assert shell.text("echo $access_token").startswith("eyJ")


def test_current_linux_vm_access_keyvault(shell: Shell) -> None:
    linux_vm(shell, msi_2017=False)
    # portal: create the vault and the secret, give the VM an access policy (Secret Management)
    shell.ok(f"New-AzKeyVault -VaultName mytestkeyvault -ResourceGroupName {RG} -Location westus "
             "-DisableRbacAuthorization")
    shell.ok("Set-AzKeyVaultSecret -VaultName mytestkeyvault -Name MyTestSecret "
             "-SecretValue (ConvertTo-SecureString 'p@ssw0rd!' -AsPlainText -Force)")
    shell.ok(f"$spID = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId\n"
             "Set-AzKeyVaultAccessPolicy -VaultName mytestkeyvault -ObjectId $spID -PermissionsToSecrets get,list")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    token = json.loads(shell.text(
        "curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        "&resource=https%3A%2F%2Fvault.azure.net' -H Metadata:true"))
    assert token["resource"].startswith("https://vault.azure.net")
    shell.ok(f"$ACCESS_TOKEN = '{token['access_token']}'")
    secret = json.loads(shell.text("curl 'https://mytestkeyvault.vault.azure.net/secrets/MyTestSecret?"
                                   "api-version=2016-10-01' -H \"Authorization: Bearer $ACCESS_TOKEN\""))
    assert secret["value"] == "p@ssw0rd!"
    assert secret["id"].startswith("https://mytestkeyvault.vault.azure.net/secrets/MyTestSecret/")
    assert secret["attributes"]["enabled"] is True


def test_current_linux_vm_access_datalake(shell: Shell, tmp_path: Any) -> None:
    linux_vm(shell, msi_2017=False)
    shell.ok(f"New-AzDataLakeStoreAccount -ResourceGroupName {RG} -Name mytestadls -Location eastus2")
    shell.ok("New-AzDataLakeStoreItem -Account mytestadls -Path /TestFolder -Folder")
    shell.ok(f"$spID = (Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId\n"
             "Set-AzDataLakeStoreItemAclEntry -Account mytestadls -Path / -AceType User -Id $spID "
             "-Permissions ReadExecute\n"
             "Set-AzDataLakeStoreItemAclEntry -Account mytestadls -Path /TestFolder -AceType User -Id $spID "
             "-Permissions All\n"
             "Set-AzDataLakeStoreItemAclEntry -Account mytestadls -Path /TestFolder -AceType User -Id $spID "
             "-Permissions All -Default")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    token = json.loads(shell.text(
        "curl 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        "&resource=https%3A%2F%2Fdatalake.azure.net%2F' -H Metadata:true"))
    shell.ok(f"$ACCESS_TOKEN = '{token['access_token']}'")
    listing = json.loads(shell.text("curl https://mytestadls.azuredatalakestore.net/webhdfs/v1/?op=LISTSTATUS "
                                    "-H \"Authorization: Bearer $ACCESS_TOKEN\""))
    names = [f["pathSuffix"] for f in listing["FileStatuses"]["FileStatus"]]
    assert "TestFolder" in names
    shell.ok('echo "Test file." > Test1.txt')
    out = shell.ok("curl -i -X PUT -L -T Test1.txt -H \"Authorization: Bearer $ACCESS_TOKEN\" "
                   "'https://mytestadls.azuredatalakestore.net/webhdfs/v1/TestFolder/Test1.txt?op=CREATE'")
    statuses = [line for line in out if str(line).startswith("HTTP/1.1")]
    assert statuses[0] == "HTTP/1.1 100 Continue"
    assert "HTTP/1.1 201 Created" in statuses
    if "HTTP/1.1 307 Temporary Redirect" in statuses:
        assert any(str(line).startswith("Location:") and "write=true" in str(line) for line in out)


def test_current_cli_quickstart(shell: Shell) -> None:
    group = json.loads(shell.text(f"az group create --name {RG} --location westus"))
    assert group["name"] == RG
    vm = json.loads(shell.text(
        f"az vm create --resource-group {RG} --name {VM} --image win2016datacenter --generate-ssh-keys "
        f"--assign-identity --role contributor --scope /Subscriptions/{shell.sub}/resourceGroups/{RG} "
        "--admin-username azureuser --admin-password myPassword12"))
    assert vm["identity"]["systemAssignedIdentity"]
    shell.ok("az login")
    shell.ok(f"az vm identity assign -g {RG} -n myVm")
    shell.ok(f"az vm update -n {VM} -g {RG} --set identity.type='UserAssigned'")
    shell.ok(f'az vm update -n {VM} -g {RG} --set identity.type="none"')
    assert shell.text(f"az vm identity show -g {RG} -n {VM}") == ""
    uai = json.loads(shell.text(f"az identity create -g {RG} -n myUserAssignedIdentity"))
    assert uai["name"] == "myUserAssignedIdentity"
    assigned = json.loads(shell.text(f"az vm identity assign -g {RG} -n {VM} --identities myUserAssignedIdentity"))
    assert [k.casefold() for k in assigned["userAssignedIdentities"]] == [uai["id"].casefold()]
    shell.ok(f"az vm identity remove -g {RG} -n {VM} --identities myUserAssignedIdentity")
    assert shell.exit_code() == 0
    shell.ok(f"az vm update -n {VM} -g {RG} --set identity.type='SystemAssigned' identity.userAssignedIdentities=null")
    assert shell.text(f"az vm identity show -g {RG} -n {VM} --query type -o tsv") == "SystemAssigned"


def test_2017_cli_quickstart(shell: Shell) -> None:
    shell.ok("az login")
    shell.ok(f"az group create --name {RG} --location westus")
    shell.ok(f"az vm create --resource-group {RG} --name {VM} --image win2016datacenter --generate-ssh-keys "
             "--assign-identity --admin-username azureuser --admin-password myPassword12")
    assert shell.exit_code() == 0
    shell.ok(f"az vm assign-identity -g {RG} -n myVm")
    assert shell.exit_code() == 0
    shell.ok(f"az vm extension delete --resource-group {RG} --vm-name myVm -n ManagedIdentityExtensionForWindows")
    assert shell.exit_code() == 0


def test_app_service_cli(shell: Shell) -> None:
    shell.ok("az login")
    shell.ok(f"az group create --name {RG} --location westus")
    shell.ok(f"az appservice plan create --name myPlan --resource-group {RG} --sku S1")
    shell.ok(f"az webapp create --name myApp --resource-group {RG} --plan myPlan")
    ident = json.loads(shell.text(f"az webapp identity assign --name myApp --resource-group {RG}"))
    assert ident["type"] == "SystemAssigned" and ident["principalId"]
