"""The "configure VM MSI using PowerShell" quickstarts (2017, 2018, current), verbatim with placeholders filled.

Sources: ``shared/reference/tutorials/2017-qs-configure-powershell-windows-vm.ps1.txt``,
``2018-qs-configure-powershell-windows-vm-azurerm.ps1.txt``, ``current-qs-configure-powershell-windows-vm.ps1.txt``.
Each doc fragment that ends in ``...`` is completed with the rest of the 2017 quickstart's VM configuration.
State is asserted after every step; the §1.2 doc defect (``-AssignIdentity:$SystemAssigned``) leaves the
identity off and names the typo. Negative twin: a Reader on the group gets ARM's 403 from New-AzVM.
"""

from __future__ import annotations

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell as BaseShell

RG = "myResourceGroup"
VM = "myVM"
EXT = "ManagedIdentityExtensionForWindows"

# ----------------------------------------------------------------------------------------- 2017, verbatim
QS_2017_CREATE = """\
Login-AzureRmAccount
New-AzureRmResourceGroup -Name myResourceGroup -Location WestUS
# Create a subnet configuration
$subnetConfig = New-AzureRmVirtualNetworkSubnetConfig -Name mySubnet -AddressPrefix 192.168.1.0/24
# Create a virtual network
$vnet = New-AzureRmVirtualNetwork -ResourceGroupName myResourceGroup -Location WestUS -Name MYvNET -AddressPrefix 192.168.0.0/16 -Subnet $subnetConfig
# Create a public IP address and specify a DNS name
$pip = New-AzureRmPublicIpAddress -ResourceGroupName myResourceGroup -Location WestUS -AllocationMethod Static -IdleTimeoutInMinutes 4 -Name "mypublicdns$(Get-Random)"
# Create an inbound network security group rule for port 3389
$nsgRuleRDP = New-AzureRmNetworkSecurityRuleConfig -Name myNetworkSecurityGroupRuleRDP  -Protocol Tcp -Direction Inbound -Priority 1000 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 3389 -Access Allow
# Create an inbound network security group rule for port 80
$nsgRuleWeb = New-AzureRmNetworkSecurityRuleConfig -Name myNetworkSecurityGroupRuleWWW  -Protocol Tcp -Direction Inbound -Priority 1001 -SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80 -Access Allow
# Create a network security group
$nsg = New-AzureRmNetworkSecurityGroup -ResourceGroupName myResourceGroup -Location WestUS -Name myNetworkSecurityGroup -SecurityRules $nsgRuleRDP,$nsgRuleWeb
# Create a virtual network card and associate with public IP address and NSG
$nic = New-AzureRmNetworkInterface -Name myNic -ResourceGroupName myResourceGroup -Location WestUS -SubnetId $vnet.Subnets[0].Id -PublicIpAddressId $pip.Id -NetworkSecurityGroupId $nsg.Id
# Define a credential object (prompts for user/password to be used for VM authentication)
$cred = Get-Credential
"""
QS_2017_CONFIG = (
    '$vmConfig = New-AzureRmVMConfig -VMName myVM -VMSize Standard_DS2 -IdentityType "SystemAssigned" | '
    "Set-AzureRmVMOperatingSystem -Windows -ComputerName myVM -Credential $cred | Set-AzureRmVMSourceImage "
    "-PublisherName MicrosoftWindowsServer -Offer WindowsServer -Skus 2016-Datacenter -Version latest | "
    "Add-AzureRmVMNetworkInterface -Id $nic.Id"
)
#: the rest of the 2017 configuration, which the later docs elide with "..."
REST_OF_CONFIG = (
    "-VMSize Standard_DS2 | Set-AzureRmVMOperatingSystem -Windows -ComputerName myVM -Credential $cred | "
    "Set-AzureRmVMSourceImage -PublisherName MicrosoftWindowsServer -Offer WindowsServer -Skus 2016-Datacenter "
    "-Version latest | Add-AzureRmVMNetworkInterface -Id $nic.Id"
)
QS_2017_NEW_VM = "New-AzureRmVM -ResourceGroupName myResourceGroup -Location WestUS -VM $vmConfig"
SETTINGS = '$settings = @{ "port" = 50342 }'
SET_EXTENSION = (
    "Set-AzureRmVMExtension -ResourceGroupName myResourceGroup -Location WestUS -VMName myVM "
    '-Name "ManagedIdentityExtensionForWindows" -Type "ManagedIdentityExtensionForWindows" '
    '-Publisher "Microsoft.ManagedIdentity" -TypeHandlerVersion "1.0" -Settings $settings'
)
REMOVE_EXTENSION = ('Remove-AzureRmVMExtension -ResourceGroupName myResourceGroup -Name '
                    '"ManagedIdentityExtensionForWindows" -VMName myVM')
TOKEN_2017 = ('$response = Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET '
              '-Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}')


class Shell(BaseShell):
    # state, read from the model (assertions only; the cmdlets went through ARM)
    def vm_id(self, rg: str = RG, vm: str = VM) -> str:
        return f"/subscriptions/{self.sub}/resourceGroups/{rg}/providers/Microsoft.Compute/virtualMachines/{vm}"

    def identity(self, rg: str = RG, vm: str = VM) -> tuple[str, list[str]]:
        res = self.world.store.get_resource(self.vm_id(rg, vm))
        assert res is not None
        ident = res.identity
        if ident is None:
            return "None", []
        return ident.type, [u.lower() for u in ident.user_assigned]

    def extensions(self, rg: str = RG, vm: str = VM) -> list[str]:
        return [c.name.rsplit("/", 1)[-1] for c in self.world.store.list_child_resources(self.vm_id(rg, vm))]

    def uai_id(self, name: str, rg: str = RG) -> str:
        return (f"/subscriptions/{self.sub}/resourcegroups/{rg}/providers/Microsoft.ManagedIdentity/"
                f"userAssignedIdentities/{name}")


@pytest.fixture
def shell(world: World) -> Shell:
    return Shell(world)


def _network(shell: Shell) -> None:
    """The 2017 quickstart's network steps (used as "portal steps" by the later, elided docs)."""
    shell.ok(QS_2017_CREATE)


# ---------------------------------------------------------------------------------------------------- 2017
def test_2017_enable_msi_during_creation(shell: Shell) -> None:
    shell.ok(QS_2017_CREATE)
    outs = shell.ok("$vnet; $pip; $nsg; $nic")
    vnet, pip, nsg, nic = outs
    assert vnet.get("Subnets")[0].get("Id").endswith("/virtualNetworks/MYvNET/subnets/mySubnet")
    assert pip.get("Id").split("/")[-1].startswith("mypublicdns") and pip.get("IpAddress")
    assert [r.get("Name") for r in nsg.get("SecurityRules")] == ["myNetworkSecurityGroupRuleRDP",
                                                                 "myNetworkSecurityGroupRuleWWW"]
    assert nsg.get("SecurityRules")[0].get("SourceAddressPrefix") == ["*"]
    assert nic.get("IpConfigurations")[0].get("Subnet").get("Id") == vnet.get("Subnets")[0].get("Id")
    assert nic.get("IpConfigurations")[0].get("PrivateIpAddress") == "192.168.1.4"

    shell.ok(QS_2017_CONFIG)
    cfg = shell.ok("$vmConfig")[0]
    assert cfg.get("Identity").get("Type") == "SystemAssigned" and cfg.get("Id") is None
    assert shell.world.store.get_resource(shell.vm_id()) is None  # a config is not in ARM yet

    vm = shell.ok(QS_2017_NEW_VM)[0]
    assert vm.get("Identity").get("Type") == "SystemAssigned" and vm.get("Identity").get("PrincipalId")
    assert vm.get("HardwareProfile").get("VmSize") == "Standard_DS2"
    assert vm.get("StorageProfile").get("ImageReference").get("Sku") == "2016-Datacenter"
    assert vm.get("NetworkProfile").get("NetworkInterfaces")[0].get("Id") == nic.get("Id")
    assert vm.get("OSProfile").get("AdminUsername") == "azureuser"
    assert shell.identity() == ("SystemAssigned", [])

    resp = shell.ok(SETTINGS + "\n" + SET_EXTENSION)[0]
    assert [resp.get(k) for k in ("IsSuccessStatusCode", "StatusCode", "ReasonPhrase")] == [True, "OK", "OK"]
    assert shell.extensions() == [EXT]

    # on the VM, the extension endpoint answers on the port of its settings
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    shell.ok(TOKEN_2017)
    assert shell.ok("($response.Content | ConvertFrom-Json).token_type") == ["Bearer"]
    shell.ok("Exit-AzVM")


def test_2017_enable_on_existing_vm_then_remove(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")  # portal step: a VM without MSI
    assert shell.identity() == ("None", [])
    shell.ok("Login-AzureRmAccount\n$vm = Get-AzureRmVM -ResourceGroupName myResourceGroup -Name myVM")
    out = shell.ok('Update-AzureRmVM -ResourceGroupName myResourceGroup -VM $vm -IdentityType "SystemAssigned"')
    assert out[0].get("StatusCode") == "OK"
    assert shell.identity() == ("SystemAssigned", [])
    shell.ok(SETTINGS + "\n" + SET_EXTENSION)
    assert shell.extensions() == [EXT]
    out = shell.ok(REMOVE_EXTENSION)
    assert out[0].get("IsSuccessStatusCode") is True
    assert shell.extensions() == []
    assert shell.identity() == ("SystemAssigned", [])  # removing the extension leaves the identity on
    # with the extension gone, nothing listens on localhost:50342 on the VM
    shell.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name {VM}")
    assert "50342" in shell.error_text(TOKEN_2017)


def test_2017_negative_twin_reader_cannot_create_vm(shell: Shell) -> None:
    """A principal with only Reader on the group (here a jump VM's identity, signed in with
    Connect-AzAccount -Identity) runs the quickstart's New-AzureRmVM: ARM's 403 AuthorizationFailed."""
    shell.ok(QS_2017_CREATE)
    shell.ok(QS_2017_CONFIG)
    shell.ok("New-AzVM -ResourceGroupName jumpRG -Name jumpVM -Location westus -IdentityType SystemAssigned")
    shell.ok("$jumpId = (Get-AzVM -ResourceGroupName jumpRG -Name jumpVM).Identity.PrincipalId\n"
             f"New-AzRoleAssignment -ObjectId $jumpId -RoleDefinitionName Reader -ResourceGroupName {RG}")
    shell.ok("Enter-AzVM -ResourceGroupName jumpRG -Name jumpVM\nConnect-AzAccount -Identity")
    assert shell.ok(f"(Get-AzResourceGroup -Name {RG}).ResourceGroupName") == [RG]  # Reader can read
    text = shell.error_text(QS_2017_NEW_VM)
    assert "AuthorizationFailed" in text and "Microsoft.Compute/virtualMachines/write" in text
    assert "StatusCode: 403" in text and "Test-AzAccess" in text
    assert shell.world.store.get_resource(shell.vm_id()) is None
    # and the extension step is refused the same way
    shell.ok("Exit-AzVM")
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Location westus -VM $vmConfig")
    shell.ok("Enter-AzVM -ResourceGroupName jumpRG -Name jumpVM\nConnect-AzAccount -Identity")
    text = shell.error_text(SETTINGS + "\n" + SET_EXTENSION)
    assert "AuthorizationFailed" in text and "Microsoft.Compute/virtualMachines/extensions/write" in text
    assert shell.extensions() == []


# ---------------------------------------------------------------------------------------------------- 2018
def test_2018_system_assigned_during_creation(shell: Shell) -> None:
    _network(shell)
    shell.ok('$vmConfig = New-AzureRmVMConfig -VMName myVM -AssignIdentity "SystemAssigned" ' + REST_OF_CONFIG)
    shell.ok(QS_2017_NEW_VM)
    assert shell.identity() == ("SystemAssigned", [])
    shell.ok(SETTINGS + "\n" + SET_EXTENSION)
    assert shell.extensions() == [EXT]


def test_2018_existing_vm_disable_system_keep_user(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok(f"New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name ID1")
    shell.ok("Login-AzureRmAccount\n$vm = Get-AzureRmVM -ResourceGroupName myResourceGroup -Name myVM")
    shell.ok('Update-AzureRmVM -ResourceGroupName myResourceGroup -VM $vm -AssignIdentity "SystemAssigned"')
    assert shell.identity() == ("SystemAssigned", [])
    shell.ok(SETTINGS + "\n" + SET_EXTENSION)
    assert shell.extensions() == [EXT]
    shell.ok(f"Update-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssignedUserAssigned "
             f"-IdentityId {shell.uai_id('ID1')}")  # portal step: a user-assigned identity too
    # Disable system assigned (keep user assigned)
    shell.ok('Login-AzureRmAccount\nUpdate-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm '
             '-IdentityType "UserAssigned"')
    assert shell.identity() == ("UserAssigned", [shell.uai_id("ID1").lower()])
    shell.ok(REMOVE_EXTENSION)
    assert shell.extensions() == []


def test_2018_user_assigned_during_creation(shell: Shell) -> None:
    _network(shell)
    shell.ok(f"New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name ID1")
    uid = (f"/subscriptions/{shell.sub}/resourcegroups/{RG}/providers/Microsoft.ManagedIdentity/"
           "userAssignedIdentities/ID1")
    shell.ok(f'$vmConfig = New-AzureRmVMConfig -VMName myVM -IdentityType UserAssigned -IdentityID "{uid}" '
             + REST_OF_CONFIG.removeprefix("-VMSize Standard_DS2 "))
    cfg = shell.ok("$vmConfig")[0]
    assert list(cfg.get("Identity").get("UserAssignedIdentities").keys()) == [uid]
    shell.ok(QS_2017_NEW_VM)
    assert shell.identity() == ("UserAssigned", [uid.lower()])


def test_2018_user_assigned_existing_vm_and_object_mutation(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    uid = shell.uai_id("ID1")
    shell.ok("Connect-AzureRmAccount\nNew-AzureRmUserAssignedIdentity -ResourceGroupName myResourceGroup -Name ID1")
    shell.ok("$vm = Get-AzureRmVM -ResourceGroupName myResourceGroup -Name myVM\n"
             f'Update-AzureRmVM -ResourceGroupName myResourceGroup -VM $vm -IdentityType UserAssigned -IdentityID "{uid}"')
    assert shell.identity() == ("UserAssigned", [uid.lower()])
    shell.ok(SETTINGS + "\n" + SET_EXTENSION)
    assert shell.extensions() == [EXT]
    # portal step: a second identity, so "keep one" has something to remove
    shell.ok(f"New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name ID2")
    uid2 = shell.uai_id("ID2")
    shell.ok(f"Update-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssignedUserAssigned "
             f"-IdentityId {uid},{uid2}")
    assert shell.identity() == ("SystemAssigned, UserAssigned", sorted([uid.lower(), uid2.lower()]))
    # Remove user assigned: keep one by editing the VM object
    shell.ok("$vm = Get-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm\n"
             f'$vm.Identity.IdentityIds = "{uid}"\n'
             "Update-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm -VirtualMachine $vm")
    assert shell.identity() == ("SystemAssigned, UserAssigned", [uid.lower()])
    shell.ok("$vm = Get-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm\n"
             "$vm.Identity.IdentityIds = $null\n"
             'Update-AzureRmVm -ResourceGroupName myResourceGroup -Name myVm -VirtualMachine $vm '
             '-IdentityType "SystemAssigned"')
    assert shell.identity() == ("SystemAssigned", [])


# ------------------------------------------------------------------------------------------------- current
def test_current_system_assigned_during_creation_entra(shell: Shell) -> None:
    _network(shell)
    shell.ok("Connect-AzAccount")
    shell.ok("$vmConfig = New-AzVMConfig -VMName myVM -IdentityType SystemAssigned " + REST_OF_CONFIG)
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Location westus -VM $vmConfig")
    assert shell.identity() == ("SystemAssigned", [])


def test_current_azure_docs_assign_identity_typo_leaves_identity_off(shell: Shell) -> None:
    _network(shell)
    outs, errs, warns = shell.run_all("$vmConfig = New-AzVMConfig -VMName myVM -AssignIdentity:$SystemAssigned "
                                      + REST_OF_CONFIG)
    assert not errs
    assert any("$SystemAssigned is not defined, so -AssignIdentity:$SystemAssigned is $false; the identity was "
               "not enabled. Did you mean -IdentityType SystemAssigned?" in w for w in warns)
    assert shell.ok("$null -eq $vmConfig.Identity") == [True]
    vm = shell.ok(f"New-AzVM -ResourceGroupName {RG} -Location westus -VM $vmConfig")[0]
    assert vm.get("Identity") is None
    assert shell.identity() == ("None", [])
    # the existing-VM variant has the same defect
    outs, errs, warns = shell.run_all("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM\n"
                                      "Update-AzVM -ResourceGroupName myResourceGroup -VM $vm -AssignIdentity:$SystemAssigned")
    assert not errs and any("Did you mean -IdentityType SystemAssigned?" in w for w in warns)
    assert shell.identity() == ("None", [])
    # the fixed (entra) form works
    shell.ok("Update-AzVM -ResourceGroupName myResourceGroup -VM $vm -IdentityType SystemAssigned")
    assert shell.identity() == ("SystemAssigned", [])


def test_current_existing_vm_flows(shell: Shell) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name {VM} -Location westus")
    shell.ok("Connect-AzAccount")
    shell.ok("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM\n"
             "Update-AzVM -ResourceGroupName myResourceGroup -VM $vm -IdentityType SystemAssigned")
    assert shell.identity() == ("SystemAssigned", [])
    # User-assigned on existing VM
    shell.ok(f"New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name ID1")
    uid = shell.uai_id("ID1")
    shell.ok("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM\n"
             "$identityIds = $vm.Identity.UserAssignedIdentities.Keys\n"
             f'$uid = "{uid}"\n'
             "$identityIds = $identityIds + $uid\n"
             "Update-AzVM -ResourceGroupName myResourceGroup -VM $vm -IdentityType UserAssigned -IdentityID $uid")
    assert shell.identity() == ("UserAssigned", [uid.lower()])
    keys = shell.ok("(Get-AzVM -ResourceGroupName myResourceGroup -Name myVM).Identity.UserAssignedIdentities.Keys")
    assert [str(k).lower() for k in keys] == [uid.lower()]
    # Disable system-assigned but keep user-assigned (after turning both on)
    shell.ok(f"Update-AzVM -ResourceGroupName {RG} -Name {VM} -IdentityType SystemAssignedUserAssigned "
             f"-IdentityId {uid}")
    shell.ok("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM\n"
             f'Update-AzVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType "UserAssigned" -IdentityID "{uid}"')
    assert shell.identity() == ("UserAssigned", [uid.lower()])
    # Remove user-assigned (keep last one), by name as the doc has it
    shell.ok("$vm = Get-AzVm -ResourceGroupName myResourceGroup -Name myVm\n"
             f"Update-AzVm -ResourceGroupName myResourceGroup -VirtualMachine $vm -IdentityType UserAssigned "
             f"-IdentityID {uid}")
    assert shell.identity() == ("UserAssigned", [uid.lower()])
    # Switch to system-assigned only
    shell.ok("$vm = Get-AzVm -ResourceGroupName myResourceGroup -Name myVm\n"
             'Update-AzVm -ResourceGroupName myResourceGroup -VirtualMachine $vm -IdentityType "SystemAssigned"')
    assert shell.identity() == ("SystemAssigned", [])
    # Disable, no user-assigned
    shell.ok("$vm = Get-AzVM -ResourceGroupName myResourceGroup -Name myVM\n"
             "Update-AzVm -ResourceGroupName myResourceGroup -VM $vm -IdentityType None")
    assert shell.identity() == ("None", [])


def test_current_user_assigned_during_creation(shell: Shell) -> None:
    _network(shell)
    shell.ok(f"New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name ID1")
    uid = shell.uai_id("ID1")
    shell.ok(f'$vmConfig = New-AzVMConfig -VMName myVM -IdentityType UserAssigned -IdentityID "{uid}" '
             + REST_OF_CONFIG.removeprefix("-VMSize Standard_DS2 "))
    vm = shell.ok(f"New-AzVM -ResourceGroupName {RG} -Location westus -VM $vmConfig")[0]
    assert [k.lower() for k in vm.get("Identity").get("UserAssignedIdentities").keys()] == [uid.lower()]
    assert shell.identity() == ("UserAssigned", [uid.lower()])


def test_config_form_does_not_create_the_resource_group(shell: Shell) -> None:
    shell.ok("$cred = Get-Credential\n$vmConfig = New-AzVMConfig -VMName myVM -IdentityType SystemAssigned | "
             "Set-AzVMOperatingSystem -Windows -ComputerName myVM -Credential $cred")
    text = shell.error_text("New-AzVM -ResourceGroupName noSuchRG -Location westus -VM $vmConfig")
    assert "ResourceGroupNotFound" in text and "Resource group 'noSuchRG' could not be found." in text
