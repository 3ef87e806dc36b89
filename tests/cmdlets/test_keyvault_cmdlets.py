"""The Key Vault tutorials verbatim (placeholders filled) and the Az.KeyVault cmdlets, through the whole shell.

Sources: ``shared/reference/tutorials/current-windows-vm-access-nonaad-keyvault.ps1.txt`` and
``2017-windows-vm-access-nonaad-keyvault.ps1.txt``; the portal steps are done with cmdlets.
"""

from __future__ import annotations

import json
import re

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell as BaseShell

RG = "mi-test"
VM = "myVM"
VAULT = "mi-lab-vault"
SECRET = "mi-test"

CURRENT_LINES = "\n".join([
    "$Response = Invoke-RestMethod -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
    "&resource=https%3A%2F%2Fvault.azure.net' -Method GET -Headers @{Metadata=\"true\"}",
    "$KeyVaultToken = $Response.access_token",
])
CURRENT_SECRET_LINE = (f"Invoke-RestMethod -Uri https://{VAULT}.vault.azure.net/secrets/{SECRET}?api-version=2016-10-01 "
                       "-Method GET -Headers @{Authorization=\"Bearer $KeyVaultToken\"}")
LINES_2017 = [
    "$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET "
    "-Body @{resource=\"https://vault.azure.net\"} -Headers @{Metadata=\"true\"}",
    "$content = $response.Content | ConvertFrom-Json",
    "$KeyVaultToken = $content.access_token",
    "(Invoke-WebRequest -Uri https://mytestkeyvault.vault.azure.net/secrets/MyTestSecret?api-version=2016-10-01 "
    "-Method GET -Headers @{Authorization=\"Bearer $KeyVaultToken\"}).content",
]


class Shell(BaseShell):
    def printed(self, text: str) -> str:
        chunks: list[str] = []
        self.session.run(text, lambda stream, t: chunks.append(t))
        return "".join(chunks)


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def portal_steps(shell: Shell, *, vault: str = VAULT, secret: str = SECRET, value: str = "'My Secret'",
                 grant: str | None = "policy") -> str:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus -IdentityType SystemAssigned")
    sp = shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")[0]
    if grant == "rbac":
        shell.ok(f"New-AzKeyVault -Name {vault} -ResourceGroupName {RG} -Location westus")
        shell.ok(f"New-AzRoleAssignment -SignInName {shell.world.admin_user.user_principal_name} "
                 f"-RoleDefinitionName 'Key Vault Secrets Officer' -Scope (Get-AzKeyVault -VaultName {vault}).ResourceId")
        shell.ok(f"New-AzRoleAssignment -ObjectId {sp} -RoleDefinitionName 'Key Vault Secrets User' "
                 f"-Scope (Get-AzKeyVault -VaultName {vault}).ResourceId")
    else:
        shell.ok(f"New-AzKeyVault -Name {vault} -ResourceGroupName {RG} -Location westus -DisableRbacAuthorization")
        if grant == "policy":  # the portal's "Secret Management" template
            shell.ok(f"Set-AzKeyVaultAccessPolicy -VaultName {vault} -ObjectId {sp} "
                     "-PermissionsToSecrets get,list,set,delete,recover,backup,restore")
    shell.ok(f"$secret = ConvertTo-SecureString \"{value}\" -AsPlainText -Force\n"
             f"Set-AzKeyVaultSecret -VaultName {vault} -Name {secret} -SecretValue $secret")
    return str(sp)


def test_current_tutorial_verbatim(shell: Shell) -> None:
    portal_steps(shell)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok(CURRENT_LINES)
    outs = shell.ok(CURRENT_SECRET_LINE)
    assert len(outs) == 1
    obj = outs[0]
    assert obj.property_names() == ["value", "id", "attributes"]
    assert obj.get("value") == "'My Secret'"
    assert re.fullmatch(rf"https://{VAULT}\.vault\.azure\.net/secrets/{SECRET}/[0-9a-f]{{32}}", obj.get("id"))
    assert obj.get("attributes").get("enabled") is True
    table = shell.printed(CURRENT_SECRET_LINE)
    assert table.splitlines()[1].split() == ["value", "id", "attributes"]
    assert "'My Secret' https://mi-lab-vault.vault.azure.net/secrets/mi-t" in table
    assert "@{enabled=True; created=" in table
    events = shell.world.store.recent_events("keyvault.secret.read")
    assert events[-1].data["name"] == SECRET


def test_current_tutorial_with_rbac_vault(shell: Shell) -> None:
    portal_steps(shell, grant="rbac")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok(CURRENT_LINES)
    assert shell.ok(CURRENT_SECRET_LINE)[0].get("value") == "'My Secret'"


def test_current_tutorial_without_access_policy_is_403(shell: Shell) -> None:
    sp = portal_steps(shell, grant=None)
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok(CURRENT_LINES)
    text = shell.error_text(CURRENT_SECRET_LINE)
    tenant = shell.world.tenant_id
    assert re.search(
        rf"The user, group or application 'appid=[0-9a-f-]+;oid={sp};iss=https://sts.windows.net/{tenant}/' does "
        rf"not have secrets get permission on key vault '{VAULT};location=westus'\. For help resolving this issue, "
        r"please see https://go.microsoft.com/fwlink/\?linkid=2125287", text)
    assert '"innererror":{"code":"AccessDenied"}' in text
    assert "Response status code does not indicate success: 403 (Forbidden)." in text


def test_2017_tutorial_with_extension_endpoint(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok(f"Enable-Msi -ResourceGroupName {RG} -Name {VM}")
    sp = shell.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name {VM}).Identity.PrincipalId")[0]
    shell.ok(f"New-AzKeyVault -Name mytestkeyvault -ResourceGroupName {RG} -Location westus -DisableRbacAuthorization")
    shell.ok(f"Set-AzKeyVaultAccessPolicy -VaultName mytestkeyvault -ObjectId {sp} -PermissionsToSecrets get,list")
    shell.ok("Set-AzKeyVaultSecret -VaultName mytestkeyvault -Name MyTestSecret "
             "-SecretValue (ConvertTo-SecureString 'p@ssw0rd!' -AsPlainText -Force)")
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    outs = shell.ok("\n".join(LINES_2017))
    assert len(outs) == 1
    doc = json.loads(outs[0])
    assert list(doc) == ["value", "id", "attributes"]
    assert doc["value"] == "p@ssw0rd!"
    assert re.fullmatch(r"https://mytestkeyvault\.vault\.azure\.net/secrets/MyTestSecret/[0-9a-f]{32}", doc["id"])
    assert list(doc["attributes"]) == ["enabled", "created", "updated", "recoveryLevel"]


def test_secret_cmdlets_round_trip(shell: Shell) -> None:
    portal_steps(shell)
    assert shell.ok(f"Get-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET} -AsPlainText") == ["'My Secret'"]
    secret = shell.ok(f"Get-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET}")[0]
    assert secret.get("VaultName") == VAULT and secret.get("Name") == SECRET and len(secret.get("Version")) == 32
    assert str(secret.get("SecretValue")) == "System.Security.SecureString"
    shell.ok(f"Set-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET} "
             "-SecretValue (ConvertTo-SecureString 'two' -AsPlainText -Force) -ContentType text/plain -Tag @{a='b'}")
    assert len(shell.ok(f"Get-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET} -IncludeVersions")) == 2
    assert shell.ok(f"(Get-AzKeyVaultSecret -VaultName {VAULT}).Name") == [SECRET]
    shell.ok(f"Remove-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET} -Force")
    assert shell.ok(f"Get-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET}") == []
    assert shell.ok(f"(Get-AzKeyVaultSecret -VaultName {VAULT} -InRemovedState).Name") == [SECRET]
    shell.ok(f"Undo-AzKeyVaultSecretRemoval -VaultName {VAULT} -Name {SECRET}")
    assert shell.ok(f"Get-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET} -AsPlainText") == ["two"]
    shell.ok(f"Remove-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET} -Force")
    shell.ok(f"Remove-AzKeyVaultSecret -VaultName {VAULT} -Name {SECRET} -InRemovedState -Force")
    assert shell.ok(f"Get-AzKeyVaultSecret -VaultName {VAULT} -InRemovedState") == []


def test_vault_cmdlets_and_aliases(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    kv = shell.ok(f"New-AzureRmKeyVault -VaultName {VAULT} -ResourceGroupName {RG} -Location westus")[0]
    assert kv.get("EnableRbacAuthorization") is True and kv.get("AccessPolicies") == []
    assert kv.get("VaultUri") == f"https://{VAULT}.vault.azure.net/" and kv.get("Sku") == "Standard"
    other = shell.ok(f"New-AzKeyVault -Name other-vault -ResourceGroupName {RG} -Location westus "
                     "-DisableRbacAuthorization")[0]
    policies = other.get("AccessPolicies")
    assert len(policies) == 1 and policies[0].get("ObjectId") == shell.world.admin_user.object_id
    assert policies[0].get("PermissionsToSecrets") == ["all"]
    assert sorted(shell.ok("(Get-AzKeyVault).VaultName")) == ["mi-lab-vault", "other-vault"]
    assert shell.ok(f"(Get-AzKeyVault -ResourceGroupName {RG} -VaultName other-vault).EnableRbacAuthorization") \
        == [False]
    text = shell.error_text(f"New-AzKeyVault -Name {VAULT} -ResourceGroupName {RG}2 -Location westus")
    assert "ResourceGroupNotFound" in text or "VaultAlreadyExists" in text
    shell.ok("Remove-AzKeyVaultAccessPolicy -VaultName other-vault "
             f"-UserPrincipalName {shell.world.admin_user.user_principal_name}")
    assert shell.ok("(Get-AzKeyVault -VaultName other-vault).AccessPolicies") == []
    shell.ok("Remove-AzKeyVault -VaultName other-vault -WhatIf")
    assert len(shell.ok("Get-AzKeyVault")) == 2
    shell.ok("Remove-AzKeyVault -VaultName other-vault -Force")
    assert shell.ok("(Get-AzKeyVault).VaultName") == [VAULT]


def test_rbac_vault_denies_owner_set_secret(shell: Shell) -> None:
    shell.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    shell.ok(f"New-AzKeyVault -Name {VAULT} -ResourceGroupName {RG} -Location westus")
    text = shell.error_text(f"Set-AzKeyVaultSecret -VaultName {VAULT} -Name s "
                            "-SecretValue (ConvertTo-SecureString 'x' -AsPlainText -Force)")
    assert "Caller is not authorized to perform action on resource." in text
    assert "Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'" in text
    assert "ForbiddenByRbac" in text


def test_invalid_permission_is_a_binding_error(shell: Shell) -> None:
    portal_steps(shell)
    text = shell.error_text(f"Set-AzKeyVaultAccessPolicy -VaultName {VAULT} -ObjectId 00000000-0000-0000-0000-"
                            "000000000001 -PermissionsToSecrets read")
    assert "read" in text and ("ValidateSet" in text or "does not belong to the set" in text)


def test_help_examples_and_vault_completion(shell: Shell) -> None:
    from azshell.services.keyvault.cmdlets import COMMANDS

    for cls in COMMANDS:
        assert cls.synopsis and cls.examples, cls.name
    portal_steps(shell)
    assert shell.session.services.complete_value("vault", "mi-") == [VAULT]
