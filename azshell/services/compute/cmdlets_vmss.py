"""Az.Compute for scale sets: New-AzVmssConfig, New-AzVmss, Get-AzVmss, Update-AzVmss, Remove-AzVmss, Get-AzVmssVM.

Everything goes through ARM (``Microsoft.Compute/virtualMachineScaleSets``) with the current account, so RBAC
decides as it does for VMs. A scale set's identity reads back with Az's enum names (``SystemAssignedUserAssigned``);
``-IdentityType`` takes them. Its instances (``…/virtualMachines/0..capacity-1``) have the scale set's identities:
``Enter-AzVM -ResourceGroupName RG -VMScaleSetName SS -InstanceId 0`` steps onto one.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from azshell.cmdlets._azure import (
    API_COMPUTE,
    API_RESOURCE_GROUPS,
    AZ_IDENTITY_TYPES,
    DEFAULT_ADMIN_USERNAME,
    DEFAULT_VM_IMAGE,
    PS_VM_UAI_VALUE,
    arm_identity_type_to_az,
)
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import braced, rg_of, tags_table, to_ps, uai_table
from azshell.cmdlets.completers import subscription_id
from azshell.cmdlets.views import ViewSpec, register_table
from azshell.lang.cmdlet import Example, Param
from azshell.lang.values import PSCredential, PSHashtable, PSObject
from azshell.model.types import VMSS_TYPE
from azshell.services.compute.cmdlets import _image_reference, identity_body
from azshell.services.resources.cmdlets import normalize_location

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = [
    "GetAzVmss",
    "GetAzVmssVM",
    "NewAzVmss",
    "NewAzVmssConfig",
    "RemoveAzVmss",
    "UpdateAzVmss",
    "VmssCmdlet",
    "vmss_body",
    "vmss_object",
    "vmss_path",
]

PS_VMSS = "Microsoft.Azure.Commands.Compute.Automation.Models.PSVirtualMachineScaleSet"
PS_VMSS_LIST = "Microsoft.Azure.Commands.Compute.Automation.Models.PSVirtualMachineScaleSetList"
PS_VMSS_VM = "Microsoft.Azure.Commands.Compute.Automation.Models.PSVirtualMachineScaleSetVM"
PS_VMSS_IDENTITY = "Microsoft.Azure.Management.Compute.Models.VirtualMachineScaleSetIdentity"
PS_VMSS_SKU = "Microsoft.Azure.Management.Compute.Models.Sku"
PS_LRO = "Microsoft.Azure.Commands.Compute.Models.PSComputeLongRunningOperation"
DEFAULT_VMSS_SIZE = "Standard_DS1_v2"
DEFAULT_INSTANCE_COUNT = 2
UPGRADE_MODES = ("Automatic", "Manual", "Rolling")


def vmss_path(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{VMSS_TYPE}/{name}"


def _identity_object(identity: Any) -> PSObject | None:
    if not isinstance(identity, dict):
        return None
    table = uai_table(identity, PS_VM_UAI_VALUE)
    return braced(PSObject([
        ("PrincipalId", identity.get("principalId")),
        ("TenantId", identity.get("tenantId")),
        ("Type", arm_identity_type_to_az(identity.get("type"))),
        ("UserAssignedIdentities", table),
    ], type_names=(PS_VMSS_IDENTITY, "System.Object")))


def vmss_object(data: dict[str, Any]) -> PSObject:
    """ARM scale set JSON → ``PSVirtualMachineScaleSet``."""
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    raw_sku = data.get("sku")
    sku: dict[str, Any] = raw_sku if isinstance(raw_sku, dict) else {}
    sku_obj = braced(PSObject([("Name", sku.get("name")), ("Tier", sku.get("tier")), ("Capacity", sku.get("capacity"))],
                              type_names=(PS_VMSS_SKU, "System.Object")))
    return PSObject([
        ("ResourceGroupName", rg_of(rid)),
        ("Sku", sku_obj),
        ("UpgradePolicy", to_ps(props.get("upgradePolicy"))),
        ("VirtualMachineProfile", to_ps(props.get("virtualMachineProfile"))),
        ("ProvisioningState", props.get("provisioningState", "Succeeded")),
        ("Overprovision", props.get("overprovision")),
        ("UniqueId", props.get("uniqueId")),
        ("SinglePlacementGroup", props.get("singlePlacementGroup")),
        ("TimeCreated", props.get("timeCreated")),
        ("Identity", _identity_object(data.get("identity"))),
        ("Zones", data.get("zones") or []),
        ("Id", rid),
        ("Name", data.get("name", "")),
        ("Type", data.get("type", VMSS_TYPE)),
        ("Location", data.get("location", "")),
        ("Tags", tags_table(data.get("tags")) or PSHashtable()),
    ], type_names=(PS_VMSS, "System.Object"))


def _vmss_list_object(data: dict[str, Any]) -> PSObject:
    obj = vmss_object(data)
    obj.type_names = [PS_VMSS_LIST, PS_VMSS, "System.Object"]
    raw_sku = data.get("sku")
    sku: dict[str, Any] = raw_sku if isinstance(raw_sku, dict) else {}
    obj.set("SkuName", sku.get("name"))
    obj.set("Capacity", sku.get("capacity"))
    return obj


def _instance_object(data: dict[str, Any]) -> PSObject:
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    return PSObject([
        ("ResourceGroupName", rg_of(rid)),
        ("InstanceId", data.get("instanceId")),
        ("Sku", to_ps(data.get("sku"))),
        ("LatestModelApplied", props.get("latestModelApplied")),
        ("VmId", props.get("vmId")),
        ("OsProfile", to_ps(props.get("osProfile"))),
        ("StorageProfile", to_ps(props.get("storageProfile"))),
        ("ProvisioningState", props.get("provisioningState", "Succeeded")),
        ("Id", rid),
        ("Name", data.get("name")),
        ("Type", data.get("type")),
        ("Location", data.get("location")),
    ], type_names=(PS_VMSS_VM, "System.Object"))


def vmss_body(*, location: str, capacity: int, size: str, image: str, admin: str, upgrade_mode: str,
              identity: dict[str, Any] | None, prefix: str) -> dict[str, Any]:
    """The ARM ``PUT`` body of a scale set as New-AzVmss / az vmss create send it."""
    image_ref, os_type = _image_reference(image)
    os_config: tuple[str, dict[str, Any]] = (
        ("windowsConfiguration", {"provisionVMAgent": True, "enableAutomaticUpdates": True})
        if os_type == "Windows" else ("linuxConfiguration", {"disablePasswordAuthentication": False,
                                                             "provisionVMAgent": True}))
    body: dict[str, Any] = {
        "location": location,
        "sku": {"name": size, "tier": "Standard", "capacity": capacity},
        "properties": {
            "upgradePolicy": {"mode": upgrade_mode},
            "overprovision": True,
            "singlePlacementGroup": True,
            "virtualMachineProfile": {
                "osProfile": {"computerNamePrefix": prefix[:9], "adminUsername": admin, os_config[0]: os_config[1],
                              "secrets": [], "allowExtensionOperations": True},
                "storageProfile": {"imageReference": image_ref,
                                   "osDisk": {"osType": os_type, "createOption": "FromImage", "caching": "ReadWrite",
                                              "managedDisk": {"storageAccountType": "Premium_LRS"}}},
                "networkProfile": {"networkInterfaceConfigurations": [{
                    "name": f"{prefix[:9]}Nic", "properties": {"primary": True, "ipConfigurations": [
                        {"name": f"{prefix[:9]}IPConfig", "properties": {}}]}}]},
            },
        },
    }
    if identity is not None:
        body["identity"] = identity
    return body


class VmssCmdlet(AzCmdlet):
    """Shared by the scale-set cmdlets: the path and reading it through ARM."""

    def vmss_path(self, rg: str, name: str) -> str:
        return vmss_path(self.subscription_id, rg, name)

    def get_vmss(self, rg: str, name: str) -> dict[str, Any]:
        data = self.arm_get(self.vmss_path(rg, name), API_COMPUTE)
        return data if isinstance(data, dict) else {}

    def target(self) -> tuple[str, str]:
        p = self.bound
        vmss = p.get("VirtualMachineScaleSet")
        rg, name = p.get("ResourceGroupName"), p.get("VMScaleSetName")
        if isinstance(vmss, PSObject):
            rg = rg or vmss.get("ResourceGroupName") or rg_of(str(vmss.get("Id") or ""))
            name = name or vmss.get("Name")
        if not rg or not name:
            self.fail("Specify -ResourceGroupName and -VMScaleSetName.", error_id="MissingVmssTarget")
        return str(rg), str(name)


def _identity_from(kind: Any, ids: Any, current: dict[str, Any] | None) -> dict[str, Any] | None:
    if kind is None:
        return None
    id_list = [str(i) for i in ids] if isinstance(ids, list) else ([str(ids)] if ids else None)
    return identity_body(str(kind), id_list, current)


class NewAzVmssConfig(AzCmdlet):
    name = "New-AzVmssConfig"
    aliases = ("New-AzureRmVmssConfig",)
    synopsis = "Creates a VMSS configuration object."
    description = ("A local scale-set configuration (nothing is sent to Azure) for New-AzVmss "
                   "-VirtualMachineScaleSet: location, SKU, capacity, upgrade policy and managed identity "
                   "(-IdentityType, -IdentityId).")
    params = (
        Param("Location", "string", position=0, completer="location"),
        Param("SkuName", "string", aliases=("AccountType",)),
        Param("SkuTier", "string"),
        Param("SkuCapacity", "int"),
        Param("UpgradePolicyMode", "string", validate_set=UPGRADE_MODES),
        Param("IdentityType", "string", validate_set=AZ_IDENTITY_TYPES),
        Param("IdentityId", "string[]", completer="identity"),
        Param("Tag", "hashtable", aliases=("Tags",)),
    )
    outputs = (PS_VMSS,)
    examples = (Example("$cfg = New-AzVmssConfig -Location westus -SkuCapacity 2 -SkuName Standard_DS1_v2 "
                        "-UpgradePolicyMode Automatic -IdentityType SystemAssigned",
                        "A configuration with a system-assigned identity, for New-AzVmss -VirtualMachineScaleSet."),)

    def process(self) -> None:
        p = self.bound
        identity = _identity_from(p.get("IdentityType"), p.get("IdentityId"), None)
        data: dict[str, Any] = {
            "location": normalize_location(str(p.get("Location"))) if p.get("Location") else "",
            "sku": {"name": p.get("SkuName") or DEFAULT_VMSS_SIZE, "tier": p.get("SkuTier") or "Standard",
                    "capacity": p.get("SkuCapacity") if p.get("SkuCapacity") is not None else DEFAULT_INSTANCE_COUNT},
            "properties": {"upgradePolicy": {"mode": p.get("UpgradePolicyMode") or "Manual"}},
        }
        if identity is not None:
            data["identity"] = identity
        if p.get("Tag") is not None:
            data["tags"] = {str(k): str(v) for k, v in p["Tag"].items()}
        obj = vmss_object(data)
        obj.set("ProvisioningState", None)
        self.write(obj)


class NewAzVmss(VmssCmdlet):
    name = "New-AzVmss"
    aliases = ("New-AzureRmVmss",)
    synopsis = "Creates a virtual machine scale set."
    description = (
        "The simple form (-ResourceGroupName -VMScaleSetName -Location -InstanceCount -VmSize -ImageName "
        "-Credential) creates the resource group when it is missing, then the scale set through ARM; "
        "-SystemAssignedIdentity and -UserAssignedIdentity give it managed identities. With "
        "-VirtualMachineScaleSet $cfg (New-AzVmssConfig) the configuration's SKU and -IdentityType are used."
    )
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", mandatory=True),
        Param("VMScaleSetName", "string", position=1, aliases=("Name",), mandatory=True, completer="vmss"),
        Param("VirtualMachineScaleSet", "object", position=2, value_from_pipeline=True,
              parameter_sets=("DefaultParameter",), mandatory=True),
        Param("Location", "string", completer="location", parameter_sets=("SimpleParameterSet",)),
        Param("InstanceCount", "int", parameter_sets=("SimpleParameterSet",)),
        Param("VmSize", "string", parameter_sets=("SimpleParameterSet",)),
        Param("ImageName", "string", aliases=("Image",), parameter_sets=("SimpleParameterSet",)),
        Param("Credential", "pscredential", parameter_sets=("SimpleParameterSet",)),
        Param("UpgradePolicyMode", "string", validate_set=UPGRADE_MODES, parameter_sets=("SimpleParameterSet",)),
        Param("SystemAssignedIdentity", "switch", parameter_sets=("SimpleParameterSet",)),
        Param("UserAssignedIdentity", "string", parameter_sets=("SimpleParameterSet",), completer="identity"),
        Param("VirtualNetworkName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("SubnetName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("PublicIpAddressName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("LoadBalancerName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("AsJob", "switch"),
    )
    default_parameter_set = "SimpleParameterSet"
    outputs = (PS_VMSS,)
    examples = (
        Example("New-AzVmss -ResourceGroupName myRG -VMScaleSetName myVMSS -Location westus -InstanceCount 2 "
                "-SystemAssignedIdentity", "A scale set of two instances with a system-assigned identity."),
        Example("$cfg = New-AzVmssConfig -Location westus -SkuCapacity 2 -IdentityType SystemAssigned\n"
                "New-AzVmss -ResourceGroupName myRG -VMScaleSetName myVMSS -VirtualMachineScaleSet $cfg",
                "The same from a configuration object."),
    )

    def process(self) -> None:
        p = self.bound
        rg, name = str(p.get("ResourceGroupName")), str(p.get("VMScaleSetName"))
        if not self.should_process(name, "New-AzVmss"):
            return
        cfg = p.get("VirtualMachineScaleSet")
        rg_path = f"/subscriptions/{self.subscription_id}/resourcegroups/{rg}"
        group = self.arm_get(rg_path, API_RESOURCE_GROUPS, allow_404=True)
        cred = p.get("Credential")
        admin = cred.user_name if isinstance(cred, PSCredential) else DEFAULT_ADMIN_USERNAME
        if isinstance(cfg, PSObject):
            location = str(cfg.get("Location") or "") or (str(group.get("location")) if isinstance(group, dict)
                                                          else "eastus")
            sku = cfg.get("Sku")
            capacity = sku.get("Capacity") if isinstance(sku, PSObject) else None
            size = sku.get("Name") if isinstance(sku, PSObject) else None
            ident = cfg.get("Identity")
            identity = None
            if isinstance(ident, PSObject) and ident.get("Type") and str(ident.get("Type")).casefold() != "none":
                uais = ident.get("UserAssignedIdentities")
                ids = list(uais.keys()) if isinstance(uais, PSHashtable) else None
                identity = _identity_from(ident.get("Type"), ids, None)
            policy = cfg.get("UpgradePolicy")
            mode = policy.get("Mode") if isinstance(policy, PSObject) else None
            image = DEFAULT_VM_IMAGE
        else:
            location = (normalize_location(str(p.get("Location"))) if p.get("Location")
                        else str(group.get("location")) if isinstance(group, dict) else "eastus")
            capacity = p.get("InstanceCount")
            size = p.get("VmSize")
            system, uai = bool(p.get("SystemAssignedIdentity")), p.get("UserAssignedIdentity")
            kind = ("SystemAssignedUserAssigned" if system and uai else "SystemAssigned" if system
                    else "UserAssigned" if uai else None)
            identity = _identity_from(kind, [uai] if uai else None, None)
            mode = p.get("UpgradePolicyMode")
            image = str(p.get("ImageName") or DEFAULT_VM_IMAGE)
            if group is None:
                self.arm_put(rg_path, API_RESOURCE_GROUPS, {"location": location})
        body = vmss_body(location=location, capacity=int(capacity if capacity is not None else DEFAULT_INSTANCE_COUNT),
                         size=str(size or DEFAULT_VMSS_SIZE), image=image, admin=admin,
                         upgrade_mode=str(mode or "Manual"), identity=identity, prefix=name)
        self.arm_put(self.vmss_path(rg, name), API_COMPUTE, body)
        self.write(vmss_object(self.get_vmss(rg, name)))


class GetAzVmss(VmssCmdlet):
    name = "Get-AzVmss"
    aliases = ("Get-AzureRmVmss",)
    synopsis = "Gets the properties of a VMSS."
    description = ("Gets one scale set (-ResourceGroupName -VMScaleSetName) or lists those of a group or the "
                   "subscription. $vmss.Identity shows its managed identities (PrincipalId, TenantId, Type, "
                   "UserAssignedIdentities).")
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group"),
        Param("VMScaleSetName", "string", position=1, aliases=("Name",), completer="vmss"),
    )
    outputs = (PS_VMSS, PS_VMSS_LIST)
    examples = (Example("(Get-AzVmss -ResourceGroupName myRG -VMScaleSetName myVMSS).Identity.PrincipalId",
                        "The object ID of the scale set's system-assigned identity."),)

    def process(self) -> None:
        rg, name = self.bound.get("ResourceGroupName"), self.bound.get("VMScaleSetName")
        if rg and name:
            self.write(vmss_object(self.get_vmss(str(rg), str(name))))
            return
        if name and not rg:
            self.fail("-VMScaleSetName needs -ResourceGroupName.", error_id="MissingResourceGroupName")
        sub = self.subscription_id
        path = (f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{VMSS_TYPE}" if rg
                else f"/subscriptions/{sub}/providers/{VMSS_TYPE}")
        for data in self.arm_list(path, API_COMPUTE):
            self.write(_vmss_list_object(data))


class GetAzVmssVM(VmssCmdlet):
    name = "Get-AzVmssVM"
    aliases = ("Get-AzureRmVmssVM",)
    synopsis = "Gets the properties of a VMSS virtual machine."
    description = "Lists a scale set's instances, or one with -InstanceId."
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", mandatory=True),
        Param("VMScaleSetName", "string", position=1, aliases=("Name",), mandatory=True, completer="vmss"),
        Param("InstanceId", "string", position=2),
    )
    outputs = (PS_VMSS_VM,)
    examples = (Example("Get-AzVmssVM -ResourceGroupName myRG -VMScaleSetName myVMSS", "The instances."),)

    def process(self) -> None:
        rg, name = self.target()
        iid = self.bound.get("InstanceId")
        base = f"{self.vmss_path(rg, name)}/virtualMachines"
        if iid is not None:
            data = self.arm_get(f"{base}/{iid}", API_COMPUTE)
            self.write(_instance_object(data if isinstance(data, dict) else {}))
            return
        for data in self.arm_list(base, API_COMPUTE):
            self.write(_instance_object(data))


class UpdateAzVmss(VmssCmdlet):
    name = "Update-AzVmss"
    aliases = ("Update-AzureRmVmss",)
    synopsis = "Updates the state of a VMSS."
    description = ("Changes a scale set through ARM (PATCH): -IdentityType [-IdentityId] sets its managed "
                   "identities (None removes them), -SkuCapacity its instance count.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", mandatory=True),
        Param("VMScaleSetName", "string", position=1, aliases=("Name",), mandatory=True, completer="vmss"),
        Param("VirtualMachineScaleSet", "object", position=2, value_from_pipeline=True),
        Param("IdentityType", "string", validate_set=AZ_IDENTITY_TYPES),
        Param("IdentityId", "string[]", completer="identity"),
        Param("SkuCapacity", "int"),
        Param("SkuName", "string"),
        Param("UpgradePolicyMode", "string", validate_set=UPGRADE_MODES),
        Param("AsJob", "switch"),
    )
    outputs = (PS_VMSS,)
    examples = (
        Example("Update-AzVmss -ResourceGroupName myRG -VMScaleSetName myVMSS -IdentityType SystemAssigned",
                "Turns on the scale set's system-assigned identity."),
        Example("Update-AzVmss -ResourceGroupName myRG -VMScaleSetName myVMSS -IdentityType UserAssigned "
                "-IdentityId $uai.Id", "Attaches a user-assigned identity (only)."),
    )

    def process(self) -> None:
        rg, name = self.target()
        p = self.bound
        if not self.should_process(name, "Update-AzVmss"):
            return
        current = self.get_vmss(rg, name)
        patch: dict[str, Any] = {}
        kind = p.get("IdentityType")
        if kind is None and p.get("IdentityId"):
            kind = "UserAssigned"
        if kind is not None:
            patch["identity"] = _identity_from(kind, p.get("IdentityId"), current.get("identity"))
        if p.get("SkuCapacity") is not None or p.get("SkuName"):
            sku = dict(current.get("sku") or {})
            if p.get("SkuCapacity") is not None:
                sku["capacity"] = int(p["SkuCapacity"])
            if p.get("SkuName"):
                sku["name"] = str(p["SkuName"])
            patch["sku"] = sku
        if p.get("UpgradePolicyMode"):
            patch["properties"] = {"upgradePolicy": {"mode": str(p["UpgradePolicyMode"])}}
        if patch:
            self.arm_patch(self.vmss_path(rg, name), API_COMPUTE, patch)
        self.write(vmss_object(self.get_vmss(rg, name)))


class RemoveAzVmss(VmssCmdlet):
    name = "Remove-AzVmss"
    aliases = ("Remove-AzureRmVmss",)
    synopsis = "Removes a VMSS or a virtual machine that is within the VMSS."
    description = "Deletes the scale set (its system-assigned identity's service principal goes with it)."
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group", mandatory=True),
        Param("VMScaleSetName", "string", position=1, aliases=("Name",), mandatory=True, completer="vmss"),
        Param("Force", "switch"),
        Param("AsJob", "switch"),
    )
    outputs = (PS_LRO,)
    examples = (Example("Remove-AzVmss -ResourceGroupName myRG -VMScaleSetName myVMSS -Force", "Deletes it."),)

    def process(self) -> None:
        rg, name = self.target()
        if not self.should_process(name, "Remove"):
            return
        self.get_vmss(rg, name)
        self.arm_delete(self.vmss_path(rg, name), API_COMPUTE)
        self.write(PSObject([("OperationId", self.services.new_guid()), ("Status", "Succeeded"), ("StartTime", None),
                             ("EndTime", None), ("Error", None)], type_names=(PS_LRO, "System.Object")))


COMMANDS = (NewAzVmssConfig, NewAzVmss, GetAzVmss, GetAzVmssVM, UpdateAzVmss, RemoveAzVmss)

#: The default views of this module's output types (Az PowerShell's format files).
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(PS_VMSS_LIST, "table", ("ResourceGroupName", "Name", "Location", "SkuName", "Capacity",
                                     "ProvisioningState")),
    ViewSpec(PS_VMSS, "list", ("ResourceGroupName", "Sku", "UpgradePolicy", "ProvisioningState", "Overprovision",
                               "UniqueId", "SinglePlacementGroup", "Identity", "Id", "Name", "Type", "Location",
                               "Tags")),
    ViewSpec(PS_VMSS_VM, "table", ("ResourceGroupName", "Name", "Location", "InstanceId", "ProvisioningState")),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)


def _scale_sets(s: Any) -> list[str]:
    return [r.name for r in s.store.list_resources(subscription_id(s), None, VMSS_TYPE)]


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {"vmss": _scale_sets}
