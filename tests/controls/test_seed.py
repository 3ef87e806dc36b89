"""``--seed N`` / ``AZSHELL_SEED``: the same commands give the same GUIDs, keys and token ids."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from azshell.controls.seed import deterministic_rsa_key, is_probable_prime
from azshell.ids import IdSource, is_guid
from azshell.services.registry import open_world

#: ids and times: the tenant clock is frozen first (a signing key's kid is its certificate's thumbprint, and the
#: certificate carries its creation time), so the whole output repeats
SCRIPT = r"""
Set-AzShellClock -At '2030-01-01T00:00:00Z' -Freeze | Out-Null
New-AzResourceGroup -Name rg1 -Location westus | Out-Null
New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null
$vm = Get-AzVM -ResourceGroupName rg1 -Name vm1
"vm: $($vm.Id) $($vm.VmId) $($vm.Identity.PrincipalId)"
"ra: $((New-AzRoleAssignment -ObjectId $vm.Identity.PrincipalId -RoleDefinitionName Reader -ResourceGroupName rg1).RoleAssignmentId)"
"tenant: $((Get-AzContext).Tenant.Id) $((Get-AzContext).Subscription.Id)"
Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null
$r = Invoke-RestMethod -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/' -Headers @{Metadata='true'}
function Part($t, $i) { $s = $t.Split('.')[$i].Replace('-', '+').Replace('_', '/'); while ($s.Length % 4) { $s += '=' }; [Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($s)) | ConvertFrom-Json }
"kid: $((Part $r.access_token 0).kid)"
$c = Part $r.access_token 1
"token: $($c.uti) $($c.aio) $($c.oid) $($c.iat) $($c.exp)"
$resp = Invoke-WebRequest -Uri "https://management.azure.com$($vm.Id.Substring(0, $vm.Id.IndexOf('/providers')))?api-version=2021-04-01" -Headers @{Authorization="Bearer $($r.access_token)"}
"request: $($resp.Headers['x-ms-request-id'])"
"""


#: every id a service or the language makes on the way: storage keys, blob ETags and request ids, the VM's OS disk
#: name and operation ids, network GUIDs and ETags, a deployment's correlation and operation ids, Key Vault's and
#: Graph's request ids, Entra's trace and correlation ids, New-Guid / [guid]::NewGuid() / Get-Random
SERVICES_SCRIPT = r"""
Set-AzShellClock -At '2030-01-01T00:00:00Z' -Freeze | Out-Null
New-AzResourceGroup -Name rg1 -Location westus | Out-Null
$sa = New-AzStorageAccount -ResourceGroupName rg1 -Name seedstore1 -Location westus -SkuName Standard_LRS
$keys = Get-AzStorageAccountKey -ResourceGroupName rg1 -Name seedstore1
"keys: $($keys[0].Value) $($keys[1].Value)"
$keys = New-AzStorageAccountKey -ResourceGroupName rg1 -Name seedstore1 -KeyName key2
"key2: $(($keys.Keys | Where-Object KeyName -eq key2).Value)"
$ctx = New-AzStorageContext -StorageAccountName seedstore1 -StorageAccountKey $keys.Keys[0].Value
New-AzStorageContainer -Name data -Context $ctx | Out-Null
Set-Content -Path ./x.txt -Value 'hello'
"etag: $((Set-AzStorageBlobContent -File ./x.txt -Container data -Blob x.txt -Context $ctx).BlobProperties.ETag)"
try { Get-AzStorageBlobContent -Container data -Blob nope.txt -Context $ctx -Destination ./y.txt -ErrorAction Stop }
catch { "blob error: $(($_ | Out-String) -split "`n" | Select-String 'RequestId')" }
New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null
"disk: $((Get-AzVM -ResourceGroupName rg1 -Name vm1).StorageProfile.OsDisk.Name)"
"update: $((Update-AzVM -ResourceGroupName rg1 -VM (Get-AzVM -ResourceGroupName rg1 -Name vm1)).RequestId)"
$vnet = New-AzVirtualNetwork -ResourceGroupName rg1 -Name vnet1 -Location westus -AddressPrefix 10.0.0.0/16
"vnet: $($vnet.ResourceGuid) $($vnet.Etag)"
"pip: $((New-AzPublicIpAddress -ResourceGroupName rg1 -Name pip1 -Location westus -AllocationMethod Static).ResourceGuid)"
"nsg: $((New-AzNetworkSecurityGroup -ResourceGroupName rg1 -Name nsg1 -Location westus).ResourceGuid)"
$tpl = @{ '$schema' = 'https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#'
          contentVersion = '1.0.0.0'
          resources = @(@{ type = 'Microsoft.ManagedIdentity/userAssignedIdentities'; apiVersion = '2018-11-30'
                           name = 'uai1'; location = 'westus' }) }
$d = New-AzResourceGroupDeployment -ResourceGroupName rg1 -Name dep1 -TemplateObject $tpl
"deployment: $($d.CorrelationId) $($d.ProvisioningState)"
"operations: $((Get-AzResourceGroupDeploymentOperation -ResourceGroupName rg1 -DeploymentName dep1).OperationId)"
$kv = New-AzKeyVault -ResourceGroupName rg1 -Name seedvault1 -Location westus
New-AzRoleAssignment -SignInName (Get-AzContext).Account.Id -RoleDefinitionName 'Key Vault Secrets Officer' -Scope $kv.ResourceId | Out-Null
Set-AzKeyVaultSecret -VaultName seedvault1 -Name s1 -SecretValue (ConvertTo-SecureString 'v' -AsPlainText -Force) | Out-Null
$t = (Get-AzAccessToken -ResourceUrl https://vault.azure.net).Token | ConvertFrom-SecureString -AsPlainText
$r = Invoke-WebRequest -Uri 'https://seedvault1.vault.azure.net/secrets/s1?api-version=7.4' -Headers @{Authorization="Bearer $t"}
"vault: $($r.Headers['x-ms-request-id'])"
$t = (Get-AzAccessToken -ResourceUrl https://graph.microsoft.com/).Token | ConvertFrom-SecureString -AsPlainText
try { Invoke-RestMethod -Uri 'https://graph.microsoft.com/v1.0/users/00000000-0000-0000-0000-000000000001' -Headers @{Authorization="Bearer $t"} }
catch { "graph: $($_.ErrorDetails.Message)" }
try { Invoke-RestMethod -Method Post -Uri "https://login.microsoftonline.com/$((Get-AzContext).Tenant.Id)/oauth2/token" -Body @{client_id='x'} }
catch { "login: $($_.ErrorDetails.Message)" }
"remove: $((Remove-AzVM -ResourceGroupName rg1 -Name vm1 -Force).OperationId)"
New-AzAppServicePlan -ResourceGroupName rg1 -Name plan1 -Location westus -Tier Free | Out-Null
New-AzWebApp -ResourceGroupName rg1 -Name seedapp1 -Location westus -AppServicePlan plan1 | Out-Null
Set-AzWebApp -ResourceGroupName rg1 -Name seedapp1 -AssignIdentity $true | Out-Null
Enter-AzWebApp -ResourceGroupName rg1 -Name seedapp1 | Out-Null
$r = Invoke-WebRequest "$env:IDENTITY_ENDPOINT?resource=https://vault.azure.net&api-version=2019-08-01" -Headers @{"X-IDENTITY-HEADER" = $env:IDENTITY_HEADER}
"app service: $($r.Headers['X-CORRELATION-ID'])"
try { Invoke-RestMethod "$env:IDENTITY_ENDPOINT?resource=https://vault.azure.net&api-version=2019-08-01" -Headers @{"X-IDENTITY-HEADER" = "wrong"} }
catch { "app service error: $($_.ErrorDetails.Message)" }
Exit-AzWebApp | Out-Null
"language: $(New-Guid) $([guid]::NewGuid()) $(Get-Random) $([IO.Path]::GetRandomFileName())"
"""


def _run(tmp_path: Path, *args: str, env_seed: str | None = None, text: str = SCRIPT) -> str:
    script = tmp_path / "ids.ps1"
    script.write_text(text, encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k != "AZSHELL_SEED"}
    env["AZSHELL_HOME"] = str(tmp_path)
    if env_seed is not None:
        env["AZSHELL_SEED"] = env_seed
    out = subprocess.run([sys.executable, "-m", "azshell", "--state", ":memory:", *args, str(script)],
                         capture_output=True, text=True, env=env, timeout=300, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert not out.stderr, out.stderr
    return out.stdout


@pytest.mark.slow
def test_seed_7_twice_gives_identical_output(tmp_path: Path) -> None:
    first = _run(tmp_path, "--seed", "7")
    second = _run(tmp_path, "--seed", "7")
    assert first == second
    assert "vm: /subscriptions/" in first and "kid: " in first and "request: " in first
    assert _run(tmp_path, env_seed="7") == first  # AZSHELL_SEED is the same thing
    assert _run(tmp_path, "--seed", "8") != first
    assert _run(tmp_path) != _run(tmp_path)  # unseeded: random


@pytest.mark.slow
def test_every_service_and_the_language_repeat_their_ids_under_a_seed(tmp_path: Path) -> None:
    first = _run(tmp_path, "--seed", "7", text=SERVICES_SCRIPT)
    lines = dict(line.split(": ", 1) for line in first.splitlines() if ": " in line)
    wanted = ("keys", "key2", "etag", "blob error", "disk", "update", "vnet", "pip", "nsg", "deployment",
              "operations", "vault", "graph", "login", "remove", "app service", "app service error", "language")
    assert all(lines.get(k, "").strip() for k in wanted), first
    assert lines["disk"].startswith("vm1_OsDisk_1_") and len(lines["disk"]) == len("vm1_OsDisk_1_") + 32
    assert "RequestId:" in lines["blob error"] and "request-id" in lines["graph"] and "Trace ID" in lines["login"]
    assert "correlationId" in lines["app service error"]
    assert lines["deployment"].endswith("Succeeded")
    assert _run(tmp_path, "--seed", "7", text=SERVICES_SCRIPT) == first
    other = dict(line.split(": ", 1) for line in _run(tmp_path, "--seed", "8", text=SERVICES_SCRIPT).splitlines()
                 if ": " in line)
    assert [k for k in wanted if other.get(k) == lines[k]] == []  # each line's ids come from the seed


def test_the_language_draws_from_the_engine_random_source() -> None:
    """New-Guid, [guid]::NewGuid(), Get-Random, [IO.Path]::GetRandomFileName() and RandomNumberGenerator read
    ``Engine(random_bytes=...)`` (the session passes its world's ids); without one, the operating system's."""
    from tests.lang.conftest_lang import make_engine, run_text

    code = ("(New-Guid).Guid; [guid]::NewGuid().ToString(); Get-Random; [IO.Path]::GetRandomFileName(); "
            "[Security.Cryptography.RandomNumberGenerator]::GetBytes(4) -join ','; Get-Random -SetSeed 3")

    def run(**kw: object) -> list[str]:
        out, err, _ = run_text(make_engine(**kw), code)
        assert not err, err
        return [str(v) for v in out]

    first = run(random_bytes=IdSource(7).bytes)
    assert len(first) == 6 and is_guid(first[0]) and is_guid(first[1]) and first[0] != first[1]
    assert run(random_bytes=IdSource(7).bytes) == first
    second = run(random_bytes=IdSource(8).bytes)
    assert all(a != b for a, b in zip(first[:5], second[:5], strict=True)) and first[5] == second[5]
    assert run()[:5] != run()[:5]


def test_the_id_source() -> None:
    a, b = IdSource(7), IdSource(7)
    assert [a.guid() for _ in range(5)] == [b.guid() for _ in range(5)]
    assert is_guid(IdSource(7).guid()) and IdSource(7).guid()[14] == "4"
    assert IdSource(7).guid() != IdSource(8).guid()
    assert IdSource(7, salt="3").guid() != IdSource(7).guid()
    assert not IdSource().seeded and IdSource().guid() != IdSource().guid()
    assert 0 <= IdSource(1).random() < 1 and len(IdSource(1).hex(16)) == 32


def test_deterministic_rsa_keys_are_real_rsa() -> None:
    k1 = deterministic_rsa_key(IdSource(7).child("rsa"))
    k2 = deterministic_rsa_key(IdSource(7).child("rsa"))
    n1 = k1.private_numbers()
    assert n1 == k2.private_numbers()
    assert k1.key_size == 2048 and n1.public_numbers.e == 65537
    import random

    assert is_probable_prime(n1.p, random.Random(0)) and is_probable_prime(n1.q, random.Random(0))
    assert not is_probable_prime(n1.p * n1.q, random.Random(0))
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    sig = k1.sign(b"data", padding.PKCS1v15(), hashes.SHA256())
    k1.public_key().verify(sig, b"data", padding.PKCS1v15(), hashes.SHA256())
    assert deterministic_rsa_key(IdSource(8).child("rsa")).private_numbers() != n1


def test_a_seeded_world_is_reproducible_and_a_moved_state_gets_new_ids(tmp_path: Path) -> None:
    w1 = open_world(str(tmp_path / "a.db"), seed=7)
    w2 = open_world(str(tmp_path / "b.db"), seed=7)
    try:
        assert w1.tenant_id == w2.tenant_id and w1.admin_user.object_id == w2.admin_user.object_id
        assert w1.ids.guid() == w2.ids.guid()
    finally:
        w1.close()
        w2.close()
    again = open_world(str(tmp_path / "a.db"), seed=7)  # the same file, moved on: a new stream
    try:
        fresh = open_world(":memory:", seed=7)
        assert again.ids.guid() != fresh.ids.guid()
        fresh.close()
    finally:
        again.close()
