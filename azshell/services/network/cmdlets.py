"""Az.Network, as much as the 2017 "configure VM MSI" quickstart needs: VNet, subnet, public IP, NSG, NIC.

They are plain ARM resources (``Microsoft.Network/*`` through ARM's generic resource handler) with Az's output
objects. ``New-AzVirtualNetworkSubnetConfig`` and ``New-AzNetworkSecurityRuleConfig`` build local config
objects (nothing in ARM) that ``New-AzVirtualNetwork``/``New-AzNetworkSecurityGroup`` send in their ``PUT``.
Az.Network prints nested models as indented JSON (its ``*Text`` properties); the default views do the same.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import plain, rg_of, tags_table
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSHashtable, PSObject
from azshell.services.resources.cmdlets import normalize_location

__all__ = [
    "COMMANDS",
    "COMPLETERS",
    "NewAzNetworkInterface",
    "NewAzNetworkSecurityGroup",
    "NewAzNetworkSecurityRuleConfig",
    "NewAzPublicIpAddress",
    "NewAzVirtualNetwork",
    "NewAzVirtualNetworkSubnetConfig",
    "register_views",
]

API_NETWORK = "2023-09-01"
NETWORK_NAMESPACE = "Microsoft.Network"
VIRTUAL_NETWORK_TYPE = "Microsoft.Network/virtualNetworks"
SUBNET_TYPE = "Microsoft.Network/virtualNetworks/subnets"
PUBLIC_IP_TYPE = "Microsoft.Network/publicIPAddresses"
NSG_TYPE = "Microsoft.Network/networkSecurityGroups"
SECURITY_RULE_TYPE = "Microsoft.Network/networkSecurityGroups/securityRules"
NIC_TYPE = "Microsoft.Network/networkInterfaces"

_MODELS = "Microsoft.Azure.Commands.Network.Models."
PS_VIRTUAL_NETWORK = _MODELS + "PSVirtualNetwork"
PS_SUBNET = _MODELS + "PSSubnet"
PS_PUBLIC_IP_ADDRESS = _MODELS + "PSPublicIpAddress"
PS_SECURITY_RULE = _MODELS + "PSSecurityRule"
PS_NETWORK_SECURITY_GROUP = _MODELS + "PSNetworkSecurityGroup"
PS_NETWORK_INTERFACE = _MODELS + "PSNetworkInterface"
PS_IP_CONFIGURATION = _MODELS + "PSNetworkInterfaceIPConfiguration"

SECURITY_RULE_PROTOCOLS = ("Tcp", "Udp", "Icmp", "Esp", "Ah", "*")
SECURITY_RULE_ACCESS = ("Allow", "Deny")
SECURITY_RULE_DIRECTIONS = ("Inbound", "Outbound")
ALLOCATION_METHODS = ("Static", "Dynamic")
PUBLIC_IP_SKUS = ("Basic", "Standard")
IP_VERSIONS = ("IPv4", "IPv6")
SUCCEEDED = "Succeeded"
DEFAULT_IP_CONFIGURATION = "ipconfig1"

#: The six rules Azure adds to every NSG (name, description, access, priority, direction, source, destination).
DEFAULT_SECURITY_RULES: tuple[tuple[str, str, str, int, str, str, str], ...] = (
    ("AllowVnetInBound", "Allow inbound traffic from all VMs in VNET", "Allow", 65000, "Inbound",
     "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", "Allow inbound traffic from azure load balancer", "Allow", 65001, "Inbound",
     "AzureLoadBalancer", "*"),
    ("DenyAllInBound", "Deny all inbound traffic", "Deny", 65500, "Inbound", "*", "*"),
    ("AllowVnetOutBound", "Allow outbound traffic from all VMs to all VMs in VNET", "Allow", 65000, "Outbound",
     "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", "Allow outbound traffic from all VMs to Internet", "Allow", 65001, "Outbound",
     "*", "Internet"),
    ("DenyAllOutBound", "Deny all outbound traffic", "Deny", 65500, "Outbound", "*", "*"),
)

VIRTUAL_NETWORK_VIEW = (
    "Name", "ResourceGroupName", "Location", "Id", "Etag", "ResourceGuid", "ProvisioningState", "Tags",
    "AddressSpace", "DhcpOptions", "FlowTimeoutInMinutes", "Subnets", "VirtualNetworkPeerings",
    "EnableDdosProtection", "DdosProtectionPlan", "ExtendedLocation",
)
SUBNET_VIEW = (
    "Name", "Id", "Etag", "ProvisioningState", "AddressPrefix", "IpConfigurations", "ServiceAssociationLinks",
    "ResourceNavigationLinks", "NetworkSecurityGroup", "RouteTable", "NatGateway", "ServiceEndpoints",
    "ServiceEndpointPolicies", "PrivateEndpoints", "PrivateEndpointNetworkPolicies",
    "PrivateLinkServiceNetworkPolicies",
)
PUBLIC_IP_VIEW = (
    "Name", "ResourceGroupName", "Location", "Id", "Etag", "ResourceGuid", "ProvisioningState", "Tags",
    "PublicIpAllocationMethod", "IpAddress", "PublicIpAddressVersion", "IdleTimeoutInMinutes", "IpConfiguration",
    "DnsSettings", "Zones", "Sku", "IpTags",
)
SECURITY_RULE_VIEW = (
    "Name", "Id", "Etag", "ProvisioningState", "Description", "Protocol", "SourcePortRange",
    "DestinationPortRange", "SourceAddressPrefix", "DestinationAddressPrefix", "SourceApplicationSecurityGroups",
    "DestinationApplicationSecurityGroups", "Access", "Priority", "Direction",
)
NSG_VIEW = (
    "Name", "ResourceGroupName", "Location", "Id", "Etag", "ResourceGuid", "ProvisioningState", "Tags",
    "FlushConnection", "SecurityRules", "DefaultSecurityRules", "NetworkInterfaces", "Subnets",
)
NIC_VIEW = (
    "Name", "ResourceGroupName", "Location", "Id", "Etag", "ResourceGuid", "ProvisioningState", "Tags",
    "VirtualMachine", "IpConfigurations", "DnsSettings", "EnableIPForwarding", "EnableAcceleratedNetworking",
    "DisableTcpStateTracking", "NetworkSecurityGroup", "TapConfigurations", "Primary", "MacAddress",
)
#: properties Az.Network prints as indented JSON (its ``...Text`` twins)
_JSON_PROPERTIES = frozenset({
    "AddressSpace", "DhcpOptions", "Subnets", "VirtualNetworkPeerings", "IpConfigurations", "IpConfiguration",
    "DnsSettings", "Sku", "IpTags", "SecurityRules", "DefaultSecurityRules", "NetworkInterfaces",
    "NetworkSecurityGroup", "VirtualMachine", "TapConfigurations", "ExtendedLocation", "DdosProtectionPlan",
    "Zones", "ServiceAssociationLinks", "ResourceNavigationLinks", "RouteTable", "NatGateway",
    "ServiceEndpoints", "ServiceEndpointPolicies", "PrivateEndpoints", "SourceApplicationSecurityGroups",
    "DestinationApplicationSecurityGroups",
})


# ----------------------------------------------------------------------------------------------------- helpers
def _etag(guid: Callable[[], str]) -> str:
    """``W/"{guid}"``; ``guid`` is the session's id source (``Services.new_guid``), which ``--seed`` repeats."""
    return f'W/"{guid()}"'


def _ref(value: Any) -> PSObject | None:
    """``{"id": ...}`` → a PS object with ``Id``."""
    if isinstance(value, dict) and value.get("id"):
        return PSObject([("Id", value["id"])], type_names=("System.Object",))
    return None


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return [str(value)]


def _json_text(value: Any) -> str | None:
    """Az.Network's ``...Text``: indented JSON of the model, nulls left out."""
    if value is None:
        return None

    def strip(v: Any) -> Any:
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items() if x is not None}
        if isinstance(v, list):
            return [strip(x) for x in v]
        return v

    return json.dumps(strip(plain(value)), indent=2)


def _json_getter(name: str) -> Callable[[Any], Any]:
    def get(obj: Any) -> Any:
        value = obj.get(name) if hasattr(obj, "get") else None
        if isinstance(value, (PSObject, PSHashtable, list)):
            return _json_text(value)
        return value

    return get


def _fake_ip(seed: str) -> str:
    """A stable public address for a Static IP, in 20.0.0.0/8 as Azure's public addresses often are."""
    h = hashlib.sha256(seed.encode("utf-8")).digest()
    return f"20.{h[0] % 250 + 1}.{h[1]}.{h[2] % 250 + 1}"


def _subnet_object(data: dict[str, Any], vnet_id: str | None = None) -> PSObject:
    props = data.get("properties") or {}
    name = data.get("name")
    sid = data.get("id") or (f"{vnet_id}/subnets/{name}" if vnet_id else None)
    prefix = props.get("addressPrefix")
    prefixes = props.get("addressPrefixes") or ([prefix] if prefix else [])
    return PSObject([
        ("Name", name),
        ("Id", sid),
        ("Etag", data.get("etag")),
        ("ProvisioningState", props.get("provisioningState", SUCCEEDED if vnet_id else None)),
        ("AddressPrefix", list(prefixes)),
        ("IpConfigurations", [_ref(x) for x in props.get("ipConfigurations") or []]),
        ("ServiceAssociationLinks", []),
        ("ResourceNavigationLinks", []),
        ("NetworkSecurityGroup", _ref(props.get("networkSecurityGroup"))),
        ("RouteTable", _ref(props.get("routeTable"))),
        ("NatGateway", _ref(props.get("natGateway"))),
        ("ServiceEndpoints", []),
        ("ServiceEndpointPolicies", []),
        ("PrivateEndpoints", []),
        ("PrivateEndpointNetworkPolicies", props.get("privateEndpointNetworkPolicies", "Disabled")),
        ("PrivateLinkServiceNetworkPolicies", props.get("privateLinkServiceNetworkPolicies", "Enabled")),
    ], type_names=(PS_SUBNET, "System.Object"))


def _subnet_body(subnet: PSObject, vnet_id: str, guid: Callable[[], str]) -> dict[str, Any]:
    name = str(subnet.get("Name"))
    prefixes = _as_list(subnet.get("AddressPrefix"))
    props: dict[str, Any] = {}
    if len(prefixes) == 1:
        props["addressPrefix"] = prefixes[0]
    elif prefixes:
        props["addressPrefixes"] = prefixes
    nsg = subnet.get("NetworkSecurityGroup")
    if isinstance(nsg, PSObject) and nsg.get("Id"):
        props["networkSecurityGroup"] = {"id": nsg.get("Id")}
    props["privateEndpointNetworkPolicies"] = "Disabled"
    props["privateLinkServiceNetworkPolicies"] = "Enabled"
    props["provisioningState"] = SUCCEEDED
    return {"name": name, "id": f"{vnet_id}/subnets/{name}", "etag": _etag(guid), "properties": props,
            "type": SUBNET_TYPE}


def _top(data: dict[str, Any], type_name: str, extra: list[tuple[str, Any]]) -> PSObject:
    props = data.get("properties") or {}
    rid = str(data.get("id") or "")
    head: list[tuple[str, Any]] = [
        ("Name", data.get("name")),
        ("ResourceGroupName", rg_of(rid)),
        ("Location", data.get("location")),
        ("Id", rid),
        ("Etag", data.get("etag")),
        ("ResourceGuid", props.get("resourceGuid")),
        ("ProvisioningState", props.get("provisioningState", SUCCEEDED)),
        ("Tags", tags_table(data.get("tags"))),
    ]
    obj = PSObject(head + extra, type_names=(type_name, "System.Object"))
    obj.set("TagsTable", tags_table(data.get("tags")))
    return obj


def virtual_network_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}
    rid = str(data.get("id") or "")
    space = props.get("addressSpace") or {}
    dhcp = props.get("dhcpOptions") or {}
    return _top(data, PS_VIRTUAL_NETWORK, [
        ("AddressSpace", PSObject([("AddressPrefixes", list(space.get("addressPrefixes") or []))])),
        ("DhcpOptions", PSObject([("DnsServers", list(dhcp.get("dnsServers") or []))] if dhcp else [])),
        ("FlowTimeoutInMinutes", props.get("flowTimeoutInMinutes")),
        ("Subnets", [_subnet_object(s, rid) for s in props.get("subnets") or [] if isinstance(s, dict)]),
        ("VirtualNetworkPeerings", []),
        ("EnableDdosProtection", bool(props.get("enableDdosProtection", False))),
        ("DdosProtectionPlan", _ref(props.get("ddosProtectionPlan"))),
        ("ExtendedLocation", None),
    ])


def public_ip_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}
    sku = data.get("sku") or {"name": "Basic", "tier": "Regional"}
    dns = props.get("dnsSettings")
    return _top(data, PS_PUBLIC_IP_ADDRESS, [
        ("PublicIpAllocationMethod", props.get("publicIPAllocationMethod")),
        ("IpAddress", props.get("ipAddress", "Not Assigned")),
        ("PublicIpAddressVersion", props.get("publicIPAddressVersion", "IPv4")),
        ("IdleTimeoutInMinutes", props.get("idleTimeoutInMinutes")),
        ("IpConfiguration", _ref(props.get("ipConfiguration"))),
        ("DnsSettings", PSObject([("DomainNameLabel", dns.get("domainNameLabel")), ("Fqdn", dns.get("fqdn"))])
         if isinstance(dns, dict) else None),
        ("Zones", list(data.get("zones") or [])),
        ("Sku", PSObject([("Name", sku.get("name")), ("Tier", sku.get("tier"))])),
        ("IpTags", list(props.get("ipTags") or [])),
    ])


def _rule_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}

    def ranges(single: str, multi: str) -> list[str]:
        return _as_list(props.get(multi)) or _as_list(props.get(single))

    return PSObject([
        ("Name", data.get("name")),
        ("Id", data.get("id")),
        ("Etag", data.get("etag")),
        ("ProvisioningState", props.get("provisioningState")),
        ("Description", props.get("description")),
        ("Protocol", props.get("protocol")),
        ("SourcePortRange", ranges("sourcePortRange", "sourcePortRanges")),
        ("DestinationPortRange", ranges("destinationPortRange", "destinationPortRanges")),
        ("SourceAddressPrefix", ranges("sourceAddressPrefix", "sourceAddressPrefixes")),
        ("DestinationAddressPrefix", ranges("destinationAddressPrefix", "destinationAddressPrefixes")),
        ("SourceApplicationSecurityGroups", []),
        ("DestinationApplicationSecurityGroups", []),
        ("Access", props.get("access")),
        ("Priority", props.get("priority")),
        ("Direction", props.get("direction")),
    ], type_names=(PS_SECURITY_RULE, "System.Object"))


def nsg_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}
    return _top(data, PS_NETWORK_SECURITY_GROUP, [
        ("FlushConnection", bool(props.get("flushConnection", False))),
        ("SecurityRules", [_rule_object(r) for r in props.get("securityRules") or [] if isinstance(r, dict)]),
        ("DefaultSecurityRules", [_rule_object(r) for r in props.get("defaultSecurityRules") or []
                                  if isinstance(r, dict)]),
        ("NetworkInterfaces", [_ref(x) for x in props.get("networkInterfaces") or []]),
        ("Subnets", [_ref(x) for x in props.get("subnets") or []]),
    ])


def nic_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}
    configs = []
    for c in props.get("ipConfigurations") or []:
        if not isinstance(c, dict):
            continue
        cp = c.get("properties") or {}
        configs.append(PSObject([
            ("Name", c.get("name")),
            ("Id", c.get("id")),
            ("Etag", c.get("etag")),
            ("ProvisioningState", cp.get("provisioningState", SUCCEEDED)),
            ("PrivateIpAddress", cp.get("privateIPAddress")),
            ("PrivateIpAllocationMethod", cp.get("privateIPAllocationMethod")),
            ("Subnet", _ref(cp.get("subnet"))),
            ("PublicIpAddress", _ref(cp.get("publicIPAddress"))),
            ("PrivateIpAddressVersion", cp.get("privateIPAddressVersion", "IPv4")),
            ("Primary", cp.get("primary", True)),
        ], type_names=(PS_IP_CONFIGURATION, "System.Object")))
    return _top(data, PS_NETWORK_INTERFACE, [
        ("VirtualMachine", _ref(props.get("virtualMachine"))),
        ("IpConfigurations", configs),
        ("DnsSettings", PSObject([("DnsServers", []), ("AppliedDnsServers", [])])),
        ("EnableIPForwarding", bool(props.get("enableIPForwarding", False))),
        ("EnableAcceleratedNetworking", bool(props.get("enableAcceleratedNetworking", False))),
        ("DisableTcpStateTracking", False),
        ("NetworkSecurityGroup", _ref(props.get("networkSecurityGroup"))),
        ("TapConfigurations", []),
        ("Primary", props.get("primary")),
        ("MacAddress", props.get("macAddress", "")),
    ])


class NetworkCmdlet(AzCmdlet):
    """Shared: the resource path, the location default, and the PUT."""

    def network_path(self, rg: str, type_path: str, name: str) -> str:
        return f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}/providers/{NETWORK_NAMESPACE}/" \
               f"{type_path}/{name}"

    def location(self) -> str:
        loc = self.bound.get("Location")
        return normalize_location(str(loc)) if loc else ""

    def put(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        tag = self.bound.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in plain(tag).items()}
        data = self.arm_put(path, API_NETWORK, body)
        return data if isinstance(data, dict) else {}


_COMMON_TOP = (
    Param("Name", "string", mandatory=True, aliases=("ResourceName",)),
    Param("ResourceGroupName", "string", mandatory=True, completer="resource_group"),
    Param("Location", "string", mandatory=True, completer="location"),
    Param("Tag", "hashtable", aliases=("Tags",)),
    Param("Force", "switch"),
    Param("AsJob", "switch"),
)


# ----------------------------------------------------------------------------------------------------- cmdlets
class NewAzVirtualNetworkSubnetConfig(AzCmdlet):
    name = "New-AzVirtualNetworkSubnetConfig"
    aliases = ("New-AzureRmVirtualNetworkSubnetConfig",)
    synopsis = "Creates a virtual network subnet configuration."
    description = ("Returns a local PSSubnet (name and address prefix) for New-AzVirtualNetwork -Subnet; nothing "
                   "is created in Azure.")
    params = (
        Param("Name", "string", mandatory=True),
        Param("AddressPrefix", "string[]", mandatory=True),
        Param("NetworkSecurityGroup", "object", parameter_sets=("SetByResource",)),
        Param("NetworkSecurityGroupId", "string", parameter_sets=("SetByResourceId",), completer="nsg_id"),
        Param("ServiceEndpoint", "string[]"),
    )
    default_parameter_set = "SetByResource"
    outputs = (PS_SUBNET,)
    examples = (Example("$subnetConfig = New-AzVirtualNetworkSubnetConfig -Name mySubnet -AddressPrefix "
                        "192.168.1.0/24", "A subnet for New-AzVirtualNetwork."),)

    def process(self) -> None:
        p = self.bound
        nsg = p.get("NetworkSecurityGroup")
        nsg_id = nsg.get("Id") if isinstance(nsg, PSObject) else p.get("NetworkSecurityGroupId")
        obj = _subnet_object({"name": p.get("Name"), "properties": {
            "addressPrefixes": _as_list(p.get("AddressPrefix")),
            "networkSecurityGroup": {"id": nsg_id} if nsg_id else None}})
        obj.set("PrivateEndpointNetworkPolicies", "Disabled")
        self.write(obj)


class NewAzVirtualNetwork(NetworkCmdlet):
    name = "New-AzVirtualNetwork"
    aliases = ("New-AzureRmVirtualNetwork",)
    synopsis = "Creates a virtual network."
    description = ("Creates a VNet (Microsoft.Network/virtualNetworks) with its address space and subnets "
                   "through ARM. $vnet.Subnets[0].Id is the subnet's resource ID, for New-AzNetworkInterface.")
    params = (
        *_COMMON_TOP,
        Param("AddressPrefix", "string[]", mandatory=True),
        Param("DnsServer", "string[]"),
        Param("Subnet", "object[]"),
        Param("EnableDdosProtection", "switch"),
    )
    outputs = (PS_VIRTUAL_NETWORK,)
    examples = (
        Example("$vnet = New-AzVirtualNetwork -ResourceGroupName myRG -Location westus -Name myVNet "
                "-AddressPrefix 192.168.0.0/16 -Subnet $subnetConfig", "A VNet with one subnet."),
    )

    def process(self) -> None:
        p = self.bound
        name, rg = str(p.get("Name")), str(p.get("ResourceGroupName"))
        path = self.network_path(rg, "virtualNetworks", name)
        subnets = []
        for s in p.get("Subnet") or []:
            if not isinstance(s, PSObject) or not s.get("Name"):
                raise CmdletError(f"Cannot bind parameter 'Subnet'. Cannot convert the \"{s}\" value to type "
                                  f"\"{PS_SUBNET}\".", category="InvalidArgument",
                                  error_id="CannotConvertArgumentNoMessage")
            subnets.append(_subnet_body(s, path, self.services.new_guid))
        props: dict[str, Any] = {
            "addressSpace": {"addressPrefixes": _as_list(p.get("AddressPrefix"))},
            "subnets": subnets,
            "virtualNetworkPeerings": [],
            "enableDdosProtection": bool(p.get("EnableDdosProtection")),
            "resourceGuid": self.services.new_guid(),
        }
        if p.get("DnsServer"):
            props["dhcpOptions"] = {"dnsServers": _as_list(p.get("DnsServer"))}
        data = self.put(path, {"location": self.location(), "etag": _etag(self.services.new_guid),
                               "properties": props})
        self.write(virtual_network_object(data))


class NewAzPublicIpAddress(NetworkCmdlet):
    name = "New-AzPublicIpAddress"
    aliases = ("New-AzureRmPublicIpAddress",)
    synopsis = "Creates a public IP address."
    description = "Creates a public IP address resource (Static: an address is allocated at once)."
    params = (
        *_COMMON_TOP,
        Param("AllocationMethod", "string", mandatory=True, validate_set=ALLOCATION_METHODS),
        Param("IdleTimeoutInMinutes", "int"),
        Param("Sku", "string", validate_set=PUBLIC_IP_SKUS),
        Param("Tier", "string", validate_set=("Regional", "Global")),
        Param("IpAddressVersion", "string", validate_set=IP_VERSIONS),
        Param("DomainNameLabel", "string"),
        Param("Zone", "string[]"),
    )
    outputs = (PS_PUBLIC_IP_ADDRESS,)
    examples = (
        Example('$pip = New-AzPublicIpAddress -ResourceGroupName myRG -Location westus -AllocationMethod Static '
                '-IdleTimeoutInMinutes 4 -Name "mypublicdns$(Get-Random)"', "A static public IP address."),
    )

    def process(self) -> None:
        p = self.bound
        name, rg = str(p.get("Name")), str(p.get("ResourceGroupName"))
        path = self.network_path(rg, "publicIPAddresses", name)
        method = str(p.get("AllocationMethod"))
        location = self.location()
        props: dict[str, Any] = {
            "resourceGuid": self.services.new_guid(),
            "publicIPAddressVersion": p.get("IpAddressVersion") or "IPv4",
            "publicIPAllocationMethod": method,
            "idleTimeoutInMinutes": int(p.get("IdleTimeoutInMinutes") or 4),
            "ipTags": [],
        }
        if method.casefold() == "static":
            props["ipAddress"] = _fake_ip(path.casefold())
        if p.get("DomainNameLabel"):
            label = str(p.get("DomainNameLabel"))
            props["dnsSettings"] = {"domainNameLabel": label, "fqdn": f"{label}.{location}.cloudapp.azure.com"}
        sku = str(p.get("Sku") or "Basic")
        body: dict[str, Any] = {"location": location, "etag": _etag(self.services.new_guid), "properties": props,
                                "sku": {"name": sku, "tier": p.get("Tier") or "Regional"}}
        if p.get("Zone"):
            body["zones"] = _as_list(p.get("Zone"))
        self.write(public_ip_object(self.put(path, body)))


class NewAzNetworkSecurityRuleConfig(AzCmdlet):
    name = "New-AzNetworkSecurityRuleConfig"
    aliases = ("New-AzureRmNetworkSecurityRuleConfig",)
    synopsis = "Creates a network security rule configuration."
    description = ("Returns a local PSSecurityRule for New-AzNetworkSecurityGroup -SecurityRules. Prefixes and "
                   "port ranges take '*' for any (a bare * on the command line is the string \"*\").")
    params = (
        Param("Name", "string", mandatory=True),
        Param("Description", "string"),
        Param("Protocol", "string", validate_set=SECURITY_RULE_PROTOCOLS),
        Param("SourcePortRange", "string[]"),
        Param("DestinationPortRange", "string[]"),
        Param("SourceAddressPrefix", "string[]"),
        Param("DestinationAddressPrefix", "string[]"),
        Param("Access", "string", validate_set=SECURITY_RULE_ACCESS),
        Param("Priority", "int", validate_range=(100, 4096)),
        Param("Direction", "string", validate_set=SECURITY_RULE_DIRECTIONS),
    )
    outputs = (PS_SECURITY_RULE,)
    examples = (
        Example("$rdp = New-AzNetworkSecurityRuleConfig -Name rdp -Protocol Tcp -Direction Inbound -Priority 1000 "
                "-SourceAddressPrefix * -SourcePortRange * -DestinationAddressPrefix * -DestinationPortRange 3389 "
                "-Access Allow", "Allows RDP from anywhere."),
    )

    def process(self) -> None:
        p = self.bound
        self.write(PSObject([
            ("Name", p.get("Name")),
            ("Id", None),
            ("Etag", None),
            ("ProvisioningState", None),
            ("Description", p.get("Description")),
            ("Protocol", p.get("Protocol")),
            ("SourcePortRange", _as_list(p.get("SourcePortRange"))),
            ("DestinationPortRange", _as_list(p.get("DestinationPortRange"))),
            ("SourceAddressPrefix", _as_list(p.get("SourceAddressPrefix"))),
            ("DestinationAddressPrefix", _as_list(p.get("DestinationAddressPrefix"))),
            ("SourceApplicationSecurityGroups", []),
            ("DestinationApplicationSecurityGroups", []),
            ("Access", p.get("Access")),
            ("Priority", p.get("Priority")),
            ("Direction", p.get("Direction")),
        ], type_names=(PS_SECURITY_RULE, "System.Object")))


def _rule_body(rule: PSObject, nsg_id: str, guid: Callable[[], str]) -> dict[str, Any]:
    name = str(rule.get("Name"))
    props: dict[str, Any] = {"provisioningState": SUCCEEDED}
    if rule.get("Description"):
        props["description"] = rule.get("Description")
    props["protocol"] = rule.get("Protocol")
    for single, multi, prop in (("sourcePortRange", "sourcePortRanges", "SourcePortRange"),
                                ("destinationPortRange", "destinationPortRanges", "DestinationPortRange"),
                                ("sourceAddressPrefix", "sourceAddressPrefixes", "SourceAddressPrefix"),
                                ("destinationAddressPrefix", "destinationAddressPrefixes",
                                 "DestinationAddressPrefix")):
        values = _as_list(rule.get(prop))
        if len(values) == 1:
            props[single] = values[0]
            props[multi] = []
        else:
            props[multi] = values
    props["access"] = rule.get("Access")
    props["priority"] = rule.get("Priority")
    props["direction"] = rule.get("Direction")
    return {"name": name, "id": f"{nsg_id}/securityRules/{name}", "etag": _etag(guid), "type": SECURITY_RULE_TYPE,
            "properties": props}


def _default_rules(nsg_id: str, guid: Callable[[], str]) -> list[dict[str, Any]]:
    out = []
    for name, desc, access, prio, direction, src, dst in DEFAULT_SECURITY_RULES:
        out.append({"name": name, "id": f"{nsg_id}/defaultSecurityRules/{name}", "etag": _etag(guid),
                    "type": f"{NSG_TYPE}/defaultSecurityRules",
                    "properties": {"provisioningState": SUCCEEDED, "description": desc, "protocol": "*",
                                   "sourcePortRange": "*", "destinationPortRange": "*",
                                   "sourceAddressPrefix": src, "destinationAddressPrefix": dst, "access": access,
                                   "priority": prio, "direction": direction}})
    return out


class NewAzNetworkSecurityGroup(NetworkCmdlet):
    name = "New-AzNetworkSecurityGroup"
    aliases = ("New-AzureRmNetworkSecurityGroup",)
    synopsis = "Creates a network security group."
    description = "Creates an NSG with the given rules (plus Azure's six default rules) through ARM."
    params = (*_COMMON_TOP, Param("SecurityRules", "object[]"))
    outputs = (PS_NETWORK_SECURITY_GROUP,)
    examples = (
        Example("$nsg = New-AzNetworkSecurityGroup -ResourceGroupName myRG -Location westus -Name myNsg "
                "-SecurityRules $nsgRuleRDP,$nsgRuleWeb", "An NSG with two inbound rules."),
    )

    def process(self) -> None:
        p = self.bound
        name, rg = str(p.get("Name")), str(p.get("ResourceGroupName"))
        path = self.network_path(rg, "networkSecurityGroups", name)
        rules = []
        for r in p.get("SecurityRules") or []:
            if not isinstance(r, PSObject) or not r.get("Name"):
                raise CmdletError(f"Cannot bind parameter 'SecurityRules'. Cannot convert the \"{r}\" value to "
                                  f"type \"{PS_SECURITY_RULE}\".", category="InvalidArgument",
                                  error_id="CannotConvertArgumentNoMessage")
            rules.append(_rule_body(r, path, self.services.new_guid))
        guid = self.services.new_guid
        props = {"resourceGuid": guid(), "securityRules": rules, "defaultSecurityRules": _default_rules(path, guid)}
        self.write(nsg_object(self.put(path, {"location": self.location(), "etag": _etag(guid), "properties": props})))


class NewAzNetworkInterface(NetworkCmdlet):
    name = "New-AzNetworkInterface"
    aliases = ("New-AzureRmNetworkInterface",)
    synopsis = "Creates a network interface."
    description = ("Creates a NIC in a subnet (by -SubnetId or -Subnet), optionally with a public IP address and "
                   "an NSG, through ARM. Add-AzVMNetworkInterface -Id $nic.Id attaches it to a VM config.")
    params = (
        *_COMMON_TOP,
        Param("SubnetId", "string", mandatory=True, parameter_sets=("SetByResourceId",), completer="subnet_id"),
        Param("PublicIpAddressId", "string", parameter_sets=("SetByResourceId",), completer="public_ip_id"),
        Param("NetworkSecurityGroupId", "string", parameter_sets=("SetByResourceId",), completer="nsg_id"),
        Param("Subnet", "object", mandatory=True, parameter_sets=("SetByResource",)),
        Param("PublicIpAddress", "object", parameter_sets=("SetByResource",)),
        Param("NetworkSecurityGroup", "object", parameter_sets=("SetByResource",)),
        Param("PrivateIpAddress", "string"),
        Param("IpConfigurationName", "string"),
        Param("EnableAcceleratedNetworking", "switch"),
        Param("EnableIPForwarding", "switch"),
    )
    default_parameter_set = "SetByResourceId"
    outputs = (PS_NETWORK_INTERFACE,)
    examples = (
        Example("$nic = New-AzNetworkInterface -Name myNic -ResourceGroupName myRG -Location westus "
                "-SubnetId $vnet.Subnets[0].Id -PublicIpAddressId $pip.Id -NetworkSecurityGroupId $nsg.Id",
                "A NIC with a public IP and an NSG."),
    )

    @staticmethod
    def _id_of(value: Any) -> str | None:
        if isinstance(value, PSObject):
            v = value.get("Id")
            return str(v) if v else None
        return str(value) if value else None

    def _private_ip(self, subnet_id: str) -> str:
        """The subnet's first free address, read from its VNet through ARM (10.0.0.4 when unknown)."""
        vnet_id, _, subnet = subnet_id.rpartition("/subnets/")
        if vnet_id.startswith("/subscriptions/"):
            resp = self.arm_request("GET", vnet_id, API_NETWORK)
            data = resp.json() if resp.status_code == 200 and resp.content else None
            for s in ((data or {}).get("properties") or {}).get("subnets") or []:
                if isinstance(s, dict) and str(s.get("name", "")).casefold() == subnet.casefold():
                    sp = s.get("properties") or {}
                    prefixes = sp.get("addressPrefixes") or [sp.get("addressPrefix")]
                    found = _fourth_address(str(prefixes[0])) if prefixes and prefixes[0] else None
                    if found:
                        return found
        return "10.0.0.4"

    def process(self) -> None:
        p = self.bound
        name, rg = str(p.get("Name")), str(p.get("ResourceGroupName"))
        path = self.network_path(rg, "networkInterfaces", name)
        subnet_id = p.get("SubnetId") or self._id_of(p.get("Subnet"))
        if not subnet_id:
            raise CmdletError("Cannot bind argument to parameter 'SubnetId' because it is null.",
                              category="InvalidData", error_id="ParameterArgumentValidationErrorNullNotAllowed")
        pip_id = p.get("PublicIpAddressId") or self._id_of(p.get("PublicIpAddress"))
        nsg_id = p.get("NetworkSecurityGroupId") or self._id_of(p.get("NetworkSecurityGroup"))
        ip_name = str(p.get("IpConfigurationName") or DEFAULT_IP_CONFIGURATION)
        ip_props: dict[str, Any] = {
            "provisioningState": SUCCEEDED,
            "privateIPAddress": p.get("PrivateIpAddress") or self._private_ip(str(subnet_id)),
            "privateIPAllocationMethod": "Static" if p.get("PrivateIpAddress") else "Dynamic",
            "subnet": {"id": str(subnet_id)},
            "primary": True,
            "privateIPAddressVersion": "IPv4",
        }
        if pip_id:
            ip_props["publicIPAddress"] = {"id": str(pip_id)}
        props: dict[str, Any] = {
            "resourceGuid": self.services.new_guid(),
            "ipConfigurations": [{"name": ip_name, "id": f"{path}/ipConfigurations/{ip_name}",
                                  "etag": _etag(self.services.new_guid),
                                  "type": f"{NIC_TYPE}/ipConfigurations", "properties": ip_props}],
            "enableAcceleratedNetworking": bool(p.get("EnableAcceleratedNetworking")),
            "enableIPForwarding": bool(p.get("EnableIPForwarding")),
        }
        if nsg_id:
            props["networkSecurityGroup"] = {"id": str(nsg_id)}
        self.write(nic_object(self.put(path, {"location": self.location(), "etag": _etag(self.services.new_guid),
                                              "properties": props})))


def _fourth_address(prefix: str) -> str | None:
    """``192.168.1.0/24`` → ``192.168.1.4``: Azure reserves .0-.3, so the first NIC gets .4."""
    import ipaddress

    try:
        net = ipaddress.ip_network(prefix, strict=False)
    except ValueError:
        return None
    return str(net.network_address + 4) if net.num_addresses > 4 else None


# ------------------------------------------------------------------------------------------------- completion
def _ids_of(type_name: str) -> Callable[[Any], list[str]]:
    def ids(services: Any) -> list[str]:
        try:
            sub = services.context.subscription_id
            return [r.id for r in services.store.list_resources(sub, None, type_name)]
        except Exception:  # noqa: BLE001 - completion never fails
            return []

    return ids


def _subnet_ids(services: Any) -> list[str]:
    out: list[str] = []
    try:
        sub = services.context.subscription_id
        for r in services.store.list_resources(sub, None, VIRTUAL_NETWORK_TYPE):
            for s in (r.properties or {}).get("subnets") or []:
                if isinstance(s, dict) and s.get("name"):
                    out.append(f"{r.id}/subnets/{s['name']}")
    except Exception:  # noqa: BLE001 - completion never fails
        return []
    return out


COMMANDS = (
    NewAzVirtualNetworkSubnetConfig, NewAzVirtualNetwork, NewAzPublicIpAddress, NewAzNetworkSecurityRuleConfig,
    NewAzNetworkSecurityGroup, NewAzNetworkInterface,
)

COMPLETERS: dict[str, Callable[[Any], list[str]]] = {
    "subnet_id": _subnet_ids,
    "public_ip_id": _ids_of(PUBLIC_IP_TYPE),
    "nsg_id": _ids_of(NSG_TYPE),
    "network_interface_id": _ids_of(NIC_TYPE),
    "virtual_network": lambda s: [x.rsplit("/", 1)[-1] for x in _ids_of(VIRTUAL_NETWORK_TYPE)(s)],
}

VIEWS: tuple[tuple[str, tuple[str, ...]], ...] = (
    (PS_VIRTUAL_NETWORK, VIRTUAL_NETWORK_VIEW),
    (PS_SUBNET, SUBNET_VIEW),
    (PS_PUBLIC_IP_ADDRESS, PUBLIC_IP_VIEW),
    (PS_SECURITY_RULE, SECURITY_RULE_VIEW),
    (PS_NETWORK_SECURITY_GROUP, NSG_VIEW),
    (PS_NETWORK_INTERFACE, NIC_VIEW),
)


def register_views(views: ViewTable) -> None:
    for type_name, props in VIEWS:
        views.register(type_name, "list", [(p, _json_getter(p)) if p in _JSON_PROPERTIES else p for p in props])
