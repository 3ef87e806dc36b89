"""``Test-AzAccess -Uri`` on a blob URL: a dry run through the Blob service's own decision (RBAC data actions)."""

from __future__ import annotations

from azshell.world import World
from tests.cmdlets._shell import Shell

SETUP = r"""
New-AzResourceGroup -Name rg1 -Location westus | Out-Null
New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null
New-AzStorageAccount -ResourceGroupName rg1 -Name mystore -SkuName Standard_LRS -Location westus | Out-Null
$vm = Get-AzVM -ResourceGroupName rg1 -Name vm1
"""
URI = "https://mystore.blob.core.windows.net/data/a.txt"


def test_test_azaccess_explains_a_blob_read(world: World) -> None:
    sh = Shell(world)
    outs, errs = sh.run(SETUP + f"Test-AzAccess -ObjectId $vm.Identity.PrincipalId -Uri '{URI}'")
    assert errs == []
    d = outs[-1]
    assert d.get("Allowed") is False and d.get("Service") == "storage" and d.get("DataAction") is True
    assert d.get("Action") == "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/read"
    assert "'Storage Blob Data Reader'" in d.get("Fix")
    outs, errs = sh.run("New-AzRoleAssignment -ObjectId $vm.Identity.PrincipalId -RoleDefinitionName "
                        "'Storage Blob Data Reader' -ResourceGroupName rg1 | Out-Null\n"
                        f"Test-AzAccess -ObjectId $vm.Identity.PrincipalId -Uri '{URI}'")
    assert errs == [] and outs[-1].get("Allowed") is True
