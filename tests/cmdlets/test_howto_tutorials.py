"""The how-to tutorials' PowerShell, verbatim with placeholders filled, and their negative twins (issue 5).

reference/tutorials/2017-how-to-use-vm-msi-token.txt, current-how-to-use-vm-token.txt,
current-howto-assign-access-powershell.ps1.txt.
"""

from __future__ import annotations

import json

from azshell.session import Session
from azshell.world import World

PORTAL = """New-AzResourceGroup -Name myRG -Location westus | Out-Null
New-AzVM -ResourceGroupName myRG -Name myVM -Location westus -IdentityType SystemAssigned | Out-Null
$sub = (Get-AzContext).Subscription.Id"""

HOWTO_2017 = """$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token `
                              -Method GET -Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}
$content =$response.Content | ConvertFrom-Json
$access_token = $content.access_token
echo "The MSI access token is $access_token"

# Use the access token to get resource information for the VM
$vmInfoRest = (Invoke-WebRequest -Uri https://management.azure.com/subscriptions/SUB/resourceGroups/myRG/providers/Microsoft.Compute/virtualMachines/myVM?api-version=2017-12-01 -Method GET -ContentType "application/json" -Headers @{ Authorization ="Bearer $access_token"}).content
echo "JSON returned from call to get VM info:"
echo $vmInfoRest"""

HOWTO_CURRENT = """Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F' -Headers @{Metadata="true"}
# Get an access token for managed identities for Azure resources
$response = Invoke-WebRequest -Uri 'http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https%3A%2F%2Fmanagement.azure.com%2F' `
                              -Headers @{Metadata="true"}
$content =$response.Content | ConvertFrom-Json
$access_token = $content.access_token
echo "The managed identities for Azure resources access token is $access_token"

# Use the access token to get resource information for the VM
$vmInfoRest = (Invoke-WebRequest -Uri 'https://management.azure.com/subscriptions/SUB/resourceGroups/myRG/providers/Microsoft.Compute/virtualMachines/myVM?api-version=2017-12-01' -Method GET -ContentType "application/json" -Headers @{ Authorization ="Bearer $access_token"}).content
echo "JSON returned from call to get VM info:"
echo $vmInfoRest"""

ASSIGN_ACCESS = """Connect-AzAccount
$spID = (Get-AzVM -ResourceGroupName myRG -Name myVM).identity.principalid
New-AzRoleAssignment -ObjectId $spID -RoleDefinitionName "Reader" -Scope "/subscriptions/SUB/resourceGroups/myRG/providers/Microsoft.Storage/storageAccounts/mystorageacct\""""


def _run(s: Session, text: str) -> tuple[list[object], list[str]]:
    r = s.execute(text)
    return ([x.value for x in r.records if x.stream == "output"],
            [s.render_text(x) for x in r.records if x.stream == "error"])


def _prepare(world: World, *, extension: bool, reader: bool) -> tuple[Session, str]:
    s = Session(world=world)
    outs, errs = _run(s, PORTAL + ("\nEnable-Msi -ResourceGroupName myRG -Name myVM | Out-Null" if extension else "")
                      + ("\nNew-RoleAssignment -Assignee myVM -Role Reader -ResourceGroupName myRG | Out-Null"
                         if reader else "") + "\nEnter-AzVM -ResourceGroupName myRG -Name myVM | Out-Null")
    assert not errs, errs
    return s, world.default_subscription_id


def _assert_vm_json(outs: list[object]) -> None:
    assert outs[-2] == "JSON returned from call to get VM info:"
    vm = json.loads(str(outs[-1]))
    assert vm["name"] == "myVM" and vm["identity"]["type"] == "SystemAssigned"
    assert str(outs[-3]).startswith(("The MSI access token is ey", "The managed identities for Azure resources "
                                     "access token is ey"))


def test_2017_how_to_use_vm_msi_token(world: World) -> None:
    s, sub = _prepare(world, extension=True, reader=True)
    outs, errs = _run(s, HOWTO_2017.replace("SUB", sub))
    assert not errs, errs
    _assert_vm_json(outs)


def test_current_how_to_use_vm_token(world: World) -> None:
    s, sub = _prepare(world, extension=False, reader=True)
    outs, errs = _run(s, HOWTO_CURRENT.replace("SUB", sub))
    assert not errs, errs
    assert outs[0].get("StatusCode") == 200  # the bare Invoke-WebRequest prints the response object
    _assert_vm_json(outs)


def test_how_to_use_without_a_role_is_403(world: World) -> None:
    s, sub = _prepare(world, extension=False, reader=False)
    outs, errs = _run(s, HOWTO_CURRENT.replace("SUB", sub))
    assert len(errs) == 1 and "AuthorizationFailed" in errs[0]
    assert "Microsoft.Compute/virtualMachines/read" in errs[0]


def test_howto_assign_access_powershell(world: World) -> None:
    s = Session(world=world)
    sub = world.default_subscription_id
    outs, errs = _run(s, PORTAL + "\nNew-AzStorageAccount -Name mystorageacct -ResourceGroupName myRG "
                      "-SkuName Standard_LRS -Location westus | Out-Null")
    assert not errs, errs
    outs, errs = _run(s, ASSIGN_ACCESS.replace("SUB", sub))
    assert not errs, errs
    ra = outs[-1]
    assert ra.get("RoleDefinitionName") == "Reader"
    assert ra.get("Scope").endswith("/providers/Microsoft.Storage/storageAccounts/mystorageacct")


def test_howto_assign_access_as_the_vm_identity_is_403(world: World) -> None:
    """Negative twin: signed in as a principal that may only read, the assignment is refused as ARM does."""
    s, sub = _prepare(world, extension=False, reader=True)
    outs, errs = _run(s, "Connect-AzAccount -Identity | Out-Null\n"
                      f'New-AzRoleAssignment -ObjectId (New-Guid).Guid -RoleDefinitionName "Reader" '
                      f'-Scope "/subscriptions/{sub}/resourceGroups/myRG"')
    assert errs and "AuthorizationFailed" in errs[-1]
    assert "Microsoft.Authorization/roleAssignments/write" in errs[-1]
