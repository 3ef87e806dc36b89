"""VM configuration cmdlets, New-AzVM -VM, the VM extension cmdlets, and their default views."""

from __future__ import annotations

from typing import Any

import pytest

from azshell.lang.cmdlet import Cmdlet, CommandRegistry
from azshell.services.compute.cmdlets_vmconfig import COMMANDS, EXTENSION_VIEW
from azshell.session import Session
from azshell.world import World
from tests.cmdlets._shell import Shell as BaseShell
from tests.cmdlets._shell import assert_documented_and_aliased

RG = "rg1"
EXT = "ManagedIdentityExtensionForWindows"
SET_EXT = (f"Set-AzVMExtension -ResourceGroupName {RG} -VMName vm1 -Name {EXT} -Type {EXT} "
           "-Publisher Microsoft.ManagedIdentity -TypeHandlerVersion '1.0' -Settings @{{ port = {port} }}")
TOKEN = ('Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET '
         '-Body @{resource="https://management.azure.com/"} -Headers @{Metadata="true"}')


class Shell(BaseShell):
    def labels(self, objects: list[Any]) -> list[str]:
        text = self.session.render_outputs(objects)
        return [line.split(":", 1)[0].strip() for line in text.splitlines()
                if " : " in line or line.rstrip().endswith(" :")]


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    return s


@pytest.fixture
def vm(shell: Shell) -> Shell:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name vm1 -Location westus -IdentityType SystemAssigned")
    return shell


# ------------------------------------------------------------------------------------------- registry, help
@pytest.mark.parametrize("cls", COMMANDS, ids=lambda c: c.name)
def test_documented_and_aliased(cls: type[Cmdlet], registry: CommandRegistry) -> None:
    assert_documented_and_aliased(cls, registry)


def test_extension_names_complete_from_live_state(vm: Shell) -> None:
    vm.ok(SET_EXT.format(port=50342))
    text = f"Get-AzVMExtension -ResourceGroupName {RG} -VMName vm1 -Name Man"
    items = [c.text for c in vm.session.complete(text, len(text)).items]
    assert EXT in items


# -------------------------------------------------------------------------------------------- config objects
def test_config_object_is_local_and_mutable(shell: Shell) -> None:
    cfg = shell.ok("New-AzVMConfig -VMName myVM -VMSize Standard_DS2 -IdentityType SystemAssigned")[0]
    assert cfg.type_names[0] == "Microsoft.Azure.Commands.Compute.Models.PSVirtualMachine"
    assert (cfg.get("Name"), cfg.get("Id"), cfg.get("ResourceGroupName")) == ("myVM", None, None)
    assert cfg.get("HardwareProfile").get("VmSize") == "Standard_DS2"
    assert cfg.get("Identity").get("Type") == "SystemAssigned" and cfg.get("Identity").get("PrincipalId") is None
    out = shell.ok("$c = New-AzVMConfig myVM Standard_B1s\n$c.HardwareProfile.VmSize = 'Standard_B2s'\n"
                   "$c.HardwareProfile.VmSize")
    assert out == ["Standard_B2s"]


def test_identity_type_validate_set(shell: Shell) -> None:
    text = shell.error_text("New-AzVMConfig -VMName myVM -IdentityType Sytem")
    assert "IdentityType" in text and "SystemAssigned" in text


def test_assign_identity_forms(shell: Shell) -> None:
    assert shell.ok('(New-AzVMConfig -VMName a -AssignIdentity "SystemAssigned").Identity.Type') == ["SystemAssigned"]
    assert shell.ok("(New-AzVMConfig -VMName a -AssignIdentity:$true).Identity.Type") == ["SystemAssigned"]
    outs, errs, warns = shell.run_all("$x = New-AzVMConfig -VMName a -AssignIdentity:$false")
    assert not errs and warns and "-IdentityType SystemAssigned" in warns[0]
    outs, errs, warns = shell.run_all("$x = New-AzVMConfig -VMName a -AssignIdentity:$SystemAssigned")
    assert any("$SystemAssigned is not defined" in w for w in warns)


def test_set_os_requires_windows_or_linux(shell: Shell) -> None:
    text = shell.error_text("$cred = Get-Credential\nNew-AzVMConfig -VMName a | Set-AzVMOperatingSystem "
                            "-ComputerName a -Credential $cred")
    assert "Parameter set cannot be resolved" in text


def test_config_cmdlets_reject_other_objects(shell: Shell) -> None:
    text = shell.error_text("'myVM' | Set-AzVMSourceImage -PublisherName Canonical -Offer UbuntuServer -Skus 16.04-LTS")
    assert "PSVirtualMachine" in text


def test_linux_config_creates_a_linux_vm(shell: Shell) -> None:
    shell.ok("$cred = Get-Credential\n"
             "$c = New-AzVMConfig -VMName lin -VMSize Standard_B1s | Set-AzVMOperatingSystem -Linux -ComputerName "
             "lin -Credential $cred | Set-AzVMSourceImage -PublisherName Canonical -Offer UbuntuServer -Skus 16.04-LTS "
             "-Version latest | Add-AzVMNetworkInterface -Id /subscriptions/x/resourceGroups/rg1/providers/"
             "Microsoft.Network/networkInterfaces/n1")
    vm = shell.ok(f"New-AzVM -ResourceGroupName {RG} -Location westus -VM $c")[0]
    assert vm.get("StorageProfile").get("OsDisk").get("OsType") == "Linux"
    assert vm.get("OSProfile").get("LinuxConfiguration") is not None
    assert vm.get("Identity") is None
    listed = shell.ok(f"Get-AzVM -ResourceGroupName {RG}")
    assert [(v.get("Name"), v.get("OsType"), v.get("VmSize"), v.get("NIC")) for v in listed] == [
        ("lin", "Linux", "Standard_B1s", "n1")]


def test_vm_view_snapshot(vm: Shell) -> None:
    out = vm.ok(f"Get-AzVM -ResourceGroupName {RG} -Name vm1")
    assert vm.labels(out) == [
        "ResourceGroupName", "Id", "VmId", "Name", "Type", "Location", "Tags", "Extensions", "HardwareProfile",
        "NetworkProfile", "OSProfile", "ProvisioningState", "StorageProfile", "Identity"]
    text = vm.session.render_outputs(out)
    assert "Identity          : {PrincipalId, TenantId, Type, UserAssignedIdentities, IdentityIds}" in text


# ----------------------------------------------------------------------------------------------- extensions
def test_extension_lifecycle_and_view(vm: Shell) -> None:
    resp = vm.ok(SET_EXT.format(port=50342))[0]
    assert resp.type_names[0] == "Microsoft.Azure.Commands.Compute.Models.PSAzureOperationResponse"
    ext = vm.ok(f"Get-AzVMExtension -ResourceGroupName {RG} -VMName vm1 -Name {EXT}")
    assert vm.labels(ext) == list(EXTENSION_VIEW)
    e = ext[0]
    assert (e.get("Publisher"), e.get("ExtensionType"), e.get("TypeHandlerVersion"), e.get("Location")) == (
        "Microsoft.ManagedIdentity", EXT, "1.0", "westus")
    text = vm.session.render_outputs(ext)
    assert 'PublicSettings          : {\n                            "port": 50342\n                          }' in text
    assert [x.get("Name") for x in vm.ok(f"Get-AzVMExtension {RG} vm1")] == [EXT]
    # the VM shows it too
    assert vm.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name vm1).Extensions.Count") == [1]
    out = vm.ok(f"Remove-AzVMExtension -ResourceGroupName {RG} -VMName vm1 -Name {EXT} -Force")
    assert out[0].get("IsSuccessStatusCode") is True
    assert vm.ok(f"Get-AzVMExtension -ResourceGroupName {RG} -VMName vm1") == []
    text = vm.error_text(f"Get-AzVMExtension -ResourceGroupName {RG} -VMName vm1 -Name {EXT}")
    assert "ResourceNotFound" in text and "StatusCode: 404" in text


def test_extension_port_decides_the_listener(vm: Shell) -> None:
    vm.ok(SET_EXT.format(port=50342))
    vm.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name vm1")
    assert vm.ok(f"({TOKEN}).StatusCode") == [200]
    vm.ok("Exit-AzVM")
    vm.ok(SET_EXT.format(port=50343))  # moved: nothing listens on 50342 any more
    assert vm.ok(f"(Get-AzVMExtension {RG} vm1 {EXT}).PublicSettings | ConvertFrom-Json | "
                 "ForEach-Object { $_.port }") == [50343]
    vm.ok(f"Enter-AzVM -ResourceGroupName {RG} -Name vm1")
    assert "localhost:50342" in vm.error_text(TOKEN)


def test_extension_on_missing_vm_is_arms_404(shell: Shell) -> None:
    text = shell.error_text(SET_EXT.format(port=50342).replace("-VMName vm1", "-VMName nope") + " -Location westus")
    assert "ResourceNotFound" in text or "ParentResourceNotFound" in text


def test_update_vm_object_mutation_removes_user_assigned(vm: Shell) -> None:
    vm.ok(f"$a = New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name A\n"
          f"$b = New-AzUserAssignedIdentity -ResourceGroupName {RG} -Name B\n"
          f"Update-AzVM -ResourceGroupName {RG} -Name vm1 -IdentityType SystemAssignedUserAssigned "
          "-IdentityId $a.Id,$b.Id")
    vm.ok(f"$vm = Get-AzVM -ResourceGroupName {RG} -Name vm1\n$vm.Identity.IdentityIds = $b.Id\n"
          f"Update-AzVM -ResourceGroupName {RG} -Name vm1 -VirtualMachine $vm")
    keys = vm.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name vm1).Identity.UserAssignedIdentities.Keys")
    assert [str(k).rsplit("/", 1)[-1] for k in keys] == ["B"]
    assert vm.ok(f"(Get-AzVM -ResourceGroupName {RG} -Name vm1).Identity.Type") == ["SystemAssignedUserAssigned"]


def test_extension_listens_on_the_port_its_settings_name(world) -> None:  # type: ignore[no-untyped-def]
    """Set-AzVMExtension -Settings @{port=50343}: the token endpoint answers on 50343, not on 50342."""

    s = Session(world=world)
    r = s.execute(
        "New-AzResourceGroup -Name rg1 -Location westus | Out-Null\n"
        "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null\n"
        'Set-AzVMExtension -ResourceGroupName rg1 -Location westus -VMName vm1 -Name ManagedIdentityExtensionForWindows '
        '-Type ManagedIdentityExtensionForWindows -Publisher Microsoft.ManagedIdentity -TypeHandlerVersion "1.0" '
        '-Settings @{ "port" = 50343 } | Out-Null\n'
        "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\n"
        '(Invoke-RestMethod -Uri "http://localhost:50343/oauth2/token?resource=https://management.azure.com/" '
        '-Headers @{Metadata="true"}).token_type\n'
        'try { Invoke-RestMethod -Uri "http://localhost:50342/oauth2/token?resource=https://management.azure.com/" '
        '-Headers @{Metadata="true"} } catch { "refused" }'
    )
    outs = [rec.value for rec in r.records if rec.stream == "output"]
    assert outs[-2:] == ["Bearer", "refused"], [s.render_text(x) for x in r.records]
