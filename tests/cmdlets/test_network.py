"""The networking cmdlets of the 2017 quickstart: objects, ARM resources, errors, and the default views."""

from __future__ import annotations

import pytest

from azshell.lang.cmdlet import Cmdlet, CommandRegistry
from azshell.services.network.cmdlets import COMMANDS, VIRTUAL_NETWORK_VIEW
from azshell.world import World
from tests.cmdlets._shell import Shell, assert_documented_and_aliased

RG = "netRG"


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    return s


VNET = (f"$subnet = New-AzVirtualNetworkSubnetConfig -Name mySubnet -AddressPrefix 192.168.1.0/24\n"
        f"$vnet = New-AzVirtualNetwork -ResourceGroupName {RG} -Location WestUS -Name MYvNET "
        "-AddressPrefix 192.168.0.0/16 -Subnet $subnet")


@pytest.mark.parametrize("cls", COMMANDS, ids=lambda c: c.name)
def test_documented_and_aliased(cls: type[Cmdlet], registry: CommandRegistry) -> None:
    assert_documented_and_aliased(cls, registry)


def test_subnet_config_is_local(shell: Shell) -> None:
    s = shell.ok("New-AzVirtualNetworkSubnetConfig -Name mySubnet -AddressPrefix 192.168.1.0/24")[0]
    assert (s.get("Name"), s.get("AddressPrefix"), s.get("Id")) == ("mySubnet", ["192.168.1.0/24"], None)
    assert s.type_names[0] == "Microsoft.Azure.Commands.Network.Models.PSSubnet"


def test_virtual_network_through_arm(shell: Shell) -> None:
    shell.ok(VNET)
    vnet_id = (f"/subscriptions/{shell.sub}/resourceGroups/{RG}/providers/Microsoft.Network/virtualNetworks/MYvNET")
    assert shell.ok("$vnet.Id") == [vnet_id]
    assert shell.ok("$vnet.Subnets[0].Id") == [f"{vnet_id}/subnets/mySubnet"]
    assert shell.ok("$vnet.AddressSpace.AddressPrefixes") == ["192.168.0.0/16"]
    assert shell.ok("$vnet.Location") == ["westus"]
    res = shell.world.store.get_resource(vnet_id)
    assert res is not None and res.properties["subnets"][0]["properties"]["addressPrefix"] == "192.168.1.0/24"


def test_virtual_network_view_snapshot(shell: Shell) -> None:
    out = shell.ok(VNET + "\n$vnet")
    text = shell.session.render_outputs(out)
    labels = [line.split(":", 1)[0].strip() for line in text.splitlines()
              if line and not line.startswith(" ") and ":" in line]
    assert labels == list(VIRTUAL_NETWORK_VIEW)
    assert ('AddressSpace           : {\n                           "AddressPrefixes": [\n'
            '                             "192.168.0.0/16"\n                           ]\n                         }'
            ) in text
    assert 'Subnets                : [\n                           {\n                             "Name": "mySubnet"' in text


def test_public_ip(shell: Shell) -> None:
    pip = shell.ok(f'New-AzPublicIpAddress -ResourceGroupName {RG} -Location WestUS -AllocationMethod Static '
                   '-IdleTimeoutInMinutes 4 -Name "mypublicdns$(Get-Random)"')[0]
    assert pip.get("Id").rsplit("/", 1)[-1].startswith("mypublicdns")
    assert (pip.get("PublicIpAllocationMethod"), pip.get("IdleTimeoutInMinutes")) == ("Static", 4)
    assert pip.get("IpAddress").count(".") == 3
    dyn = shell.ok(f"New-AzPublicIpAddress -ResourceGroupName {RG} -Location westus -AllocationMethod Dynamic "
                   "-Name dyn")[0]
    assert dyn.get("IpAddress") == "Not Assigned"
    text = shell.error_text(f"New-AzPublicIpAddress -ResourceGroupName {RG} -Location westus "
                            "-AllocationMethod Sometimes -Name x")
    assert "AllocationMethod" in text and "Static" in text


def test_security_rule_barewords_and_nsg(shell: Shell) -> None:
    rule = shell.ok("New-AzNetworkSecurityRuleConfig -Name rdp -Protocol Tcp -Direction Inbound -Priority 1000 "
                    "-SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 3389 "
                    "-Access Allow")[0]
    assert rule.get("SourceAddressPrefix") == ["*"] and rule.get("DestinationPortRange") == ["3389"]
    shell.ok("$r1 = New-AzNetworkSecurityRuleConfig -Name a -Protocol Tcp -Direction Inbound -Priority 1000 "
             "-SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 3389 "
             "-Access Allow\n"
             "$r2 = New-AzNetworkSecurityRuleConfig -Name b -Protocol Tcp -Direction Inbound -Priority 1001 "
             "-SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 80 "
             "-Access Allow")
    nsg = shell.ok(f"New-AzNetworkSecurityGroup -ResourceGroupName {RG} -Location WestUS -Name nsg1 "
                   "-SecurityRules $r1,$r2")[0]
    assert [r.get("Name") for r in nsg.get("SecurityRules")] == ["a", "b"]
    assert [r.get("Priority") for r in nsg.get("SecurityRules")] == [1000, 1001]
    assert len(nsg.get("DefaultSecurityRules")) == 6
    assert nsg.get("SecurityRules")[1].get("Id").endswith("/networkSecurityGroups/nsg1/securityRules/b")
    text = shell.error_text("New-AzNetworkSecurityRuleConfig -Name x -Protocol Tcp -Priority 5")
    assert "Priority" in text


def test_network_interface(shell: Shell) -> None:
    shell.ok(VNET)
    shell.ok(f"$pip = New-AzPublicIpAddress -ResourceGroupName {RG} -Location westus -AllocationMethod Static "
             f"-Name pip1\n$nsg = New-AzNetworkSecurityGroup -ResourceGroupName {RG} -Location westus -Name nsg1")
    nic = shell.ok(f"New-AzNetworkInterface -Name myNic -ResourceGroupName {RG} -Location WestUS "
                   "-SubnetId $vnet.Subnets[0].Id -PublicIpAddressId $pip.Id -NetworkSecurityGroupId $nsg.Id")[0]
    ipc = nic.get("IpConfigurations")[0]
    assert ipc.get("Name") == "ipconfig1" and ipc.get("PrivateIpAddress") == "192.168.1.4"
    assert ipc.get("PublicIpAddress").get("Id").endswith("/publicIPAddresses/pip1")
    assert nic.get("NetworkSecurityGroup").get("Id").endswith("/networkSecurityGroups/nsg1")
    # the 2017 quickstart with a VNet that failed: $vnet is $null, so -SubnetId is null
    text = shell.error_text(f"New-AzNetworkInterface -Name n2 -ResourceGroupName {RG} -Location westus "
                            "-SubnetId $nothing.Subnets")
    assert "SubnetId" in text


def test_missing_group_and_reader_are_arm_errors(shell: Shell) -> None:
    text = shell.error_text("New-AzPublicIpAddress -ResourceGroupName nope -Location westus -AllocationMethod Static "
                            "-Name p")
    assert "ResourceGroupNotFound" in text
    shell.ok("New-AzVM -ResourceGroupName jumpRG -Name jump -Location westus -IdentityType SystemAssigned")
    shell.ok("$id = (Get-AzVM -ResourceGroupName jumpRG -Name jump).Identity.PrincipalId\n"
             f"New-AzRoleAssignment -ObjectId $id -RoleDefinitionName Reader -ResourceGroupName {RG}")
    shell.ok("Enter-AzVM -ResourceGroupName jumpRG -Name jump\nConnect-AzAccount -Identity")
    text = shell.error_text(VNET)
    assert "AuthorizationFailed" in text and "Microsoft.Network/virtualNetworks/write" in text
