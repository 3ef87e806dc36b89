"""Az.Compute's VM configuration and extension cmdlets: the ``New-AzVM -VM $vmConfig`` form, and the VM extensions.

A VM configuration is a local ``PSVirtualMachine`` that nothing in Azure knows about yet::

    $vmConfig = New-AzVMConfig -VMName myVM -VMSize Standard_DS2 -IdentityType SystemAssigned |
        Set-AzVMOperatingSystem -Windows -ComputerName myVM -Credential $cred |
        Set-AzVMSourceImage -PublisherName MicrosoftWindowsServer -Offer WindowsServer -Skus 2016-Datacenter -Version latest |
        Add-AzVMNetworkInterface -Id $nic.Id
    New-AzVM -ResourceGroupName myRG -Location westus -VM $vmConfig

Each ``Set-``/``Add-`` cmdlet changes the object it is given and passes the same object on (as Az does: the
config is mutable). :func:`config_body` turns the finished config into the ARM ``PUT`` body New-AzVM sends.

The 2017 MSI VM extension (``ManagedIdentityExtensionForWindows``/``ForLinux``, publisher
``Microsoft.ManagedIdentity``, settings ``@{ "port" = 50342 }``) is an ordinary ARM child resource
``.../virtualMachines/{vm}/extensions/{name}``; the token endpoint on the VM listens where its ``port`` says.

Doc defect reproduced (§1.2 of the tutorial notes): ``-AssignIdentity:$SystemAssigned`` passes an undefined
variable, i.e. ``$null``, i.e. ``$false``: no identity is enabled. A warning names the typo.
"""

from __future__ import annotations

import json
from typing import Any

from azshell.cmdlets._azure import (
    API_COMPUTE,
    AZ_IDENTITY_TYPES,
    MSI_EXTENSION_LINUX,
    MSI_EXTENSION_PUBLISHER,
    MSI_EXTENSION_VERSION,
    MSI_EXTENSION_WINDOWS,
    PS_OPERATION_RESPONSE,
    PS_VIRTUAL_MACHINE,
    VM_EXTENSION_TYPE,
    az_identity_type_to_arm,
)
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import braced, plain, tags_table
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.formatting import ViewTable
from azshell.lang.values import PSCredential, PSObject
from azshell.services.compute._vmbody import (
    assign_identity_hint,
    config_body,
)
from azshell.services.compute.cmdlets import VmCmdlet, identity_object, operation_response, vm_object
from azshell.services.resources.cmdlets import normalize_location

__all__ = [
    "COMMANDS",
    "COMPLETERS",
    "AddAzVMNetworkInterface",
    "GetAzVMExtension",
    "NewAzVMConfig",
    "RemoveAzVMExtension",
    "SetAzVMExtension",
    "SetAzVMOperatingSystem",
    "SetAzVMSourceImage",
    "assign_identity_hint",
    "config_body",
    "extension_object",
    "register_views",
]

PS_VIRTUAL_MACHINE_EXTENSION = "Microsoft.Azure.Commands.Compute.Models.PSVirtualMachineExtension"
PS_VIRTUAL_MACHINE_EXTENSION_LIST = "Microsoft.Azure.Commands.Compute.Models.PSVirtualMachineExtensionList"
PS_WINDOWS_CONFIGURATION = "Microsoft.Azure.Management.Compute.Models.WindowsConfiguration"
PS_LINUX_CONFIGURATION = "Microsoft.Azure.Management.Compute.Models.LinuxConfiguration"
PS_OS_PROFILE = "Microsoft.Azure.Management.Compute.Models.OSProfile"
PS_STORAGE_PROFILE = "Microsoft.Azure.Management.Compute.Models.StorageProfile"
PS_IMAGE_REFERENCE = "Microsoft.Azure.Management.Compute.Models.ImageReference"
PS_NETWORK_PROFILE = "Microsoft.Azure.Management.Compute.Models.NetworkProfile"
PS_NIC_REFERENCE = "Microsoft.Azure.Management.Compute.Models.NetworkInterfaceReference"
PS_HARDWARE_PROFILE = "Microsoft.Azure.Management.Compute.Models.HardwareProfile"

#: Az's prompt text for Remove-AzVMExtension without -Force (Properties.Resources.VirtualMachineExtensionRemoval*)
EXTENSION_REMOVAL_CAPTION = "Virtual machine extension removal operation"
EXTENSION_REMOVAL_MESSAGE = "This cmdlet will remove the specified virtual machine extension. Do you want to continue?"
#: Az's message when neither -Windows nor -Linux is given
OS_PARAMETER_SET_UNRESOLVED = "Parameter set cannot be resolved using the specified named parameters."
MSI_EXTENSION_TYPES = (MSI_EXTENSION_WINDOWS, MSI_EXTENSION_LINUX)
EXTENSION_VIEW = (
    "ResourceGroupName", "VMName", "Name", "Location", "Etag", "Publisher", "ExtensionType", "TypeHandlerVersion",
    "Id", "PublicSettings", "ProtectedSettings", "ProvisioningState", "Statuses", "SubStatuses",
    "AutoUpgradeMinorVersion", "ForceUpdateTag", "EnableAutomaticUpgrade",
)





def _assign_identity(cmdlet: AzCmdlet, value: Any) -> str | None:
    """``-AssignIdentity``: ``"SystemAssigned"`` (2018), ``$true`` → SystemAssigned, ``$false``/``$null`` → None."""
    from azshell.services.compute.cmdlets import _assign_identity_type

    result = _assign_identity_type(value)
    if result is None:
        assign_identity_hint(cmdlet, value)
    return result


# ------------------------------------------------------------------------------------------ config objects
def _obj(pairs: list[tuple[str, Any]], type_name: str) -> PSObject:
    return braced(PSObject(pairs, type_names=(type_name, "System.Object")))


def _config_identity(az_type: str | None, ids: list[str] | None) -> PSObject | None:
    if az_type is None:
        return None
    doc: dict[str, Any] = {"type": az_identity_type_to_arm(az_type)}
    if ids:
        doc["userAssignedIdentities"] = {i: {} for i in ids}
    return identity_object(doc)


def new_config(name: str, size: str | None, identity: PSObject | None, tags: Any = None) -> PSObject:
    """A local ``PSVirtualMachine`` (what New-AzVMConfig returns): no ID, no group, nothing in ARM yet."""
    obj = vm_object({"name": name, "properties": {}})
    for prop in ("ResourceGroupName", "Id", "Type", "Location", "ProvisioningState", "StatusCode", "DisplayHint"):
        obj.set(prop, None)
    obj.set("Tags", tags_table(plain(tags)) if tags else None)
    obj.set("HardwareProfile", _obj([("VmSize", size)], PS_HARDWARE_PROFILE)
            if size else None)
    obj.set("Identity", identity)
    obj.set("Extensions", None)
    obj.set("Zones", None)
    return obj


#: -VM of the cmdlets that edit a New-AzVMConfig object and pass it on.
_VM_CONFIG_PARAM = Param("VM", "object", position=0, mandatory=True, aliases=("VMProfile",), value_from_pipeline=True,
                         value_from_pipeline_by_property_name=True)


def _config_arg(cmdlet: AzCmdlet) -> PSObject:
    """The bound (or else piped) -VM, checked to be a VM configuration."""
    vm = cmdlet.bound.get("VM")
    return _require_config(cmdlet, vm if vm is not None else cmdlet.input)


def _require_config(cmdlet: AzCmdlet, vm: Any) -> PSObject:
    if not isinstance(vm, PSObject) or PS_VIRTUAL_MACHINE.casefold() not in (t.casefold() for t in vm.type_names):
        raise CmdletError(
            "Cannot bind parameter 'VM'. Cannot convert the value of type \"" + _type_of(vm) + "\" to type "
            f"\"{PS_VIRTUAL_MACHINE}\".", category="InvalidArgument", error_id="CannotConvertArgument")
    return vm


def _type_of(value: Any) -> str:
    if isinstance(value, PSObject):
        return value.type_name
    return {str: "System.String", int: "System.Int32", bool: "System.Boolean"}.get(type(value), "System.Object")








class NewAzVMConfig(AzCmdlet):
    name = "New-AzVMConfig"
    aliases = ("New-AzureRmVMConfig",)
    synopsis = "Creates a configurable virtual machine object."
    description = (
        "Returns a local PSVirtualMachine configuration (nothing is created in Azure) for New-AzVM -VM. "
        "-IdentityType SystemAssigned|UserAssigned|SystemAssignedUserAssigned|None with -IdentityId sets the "
        "managed identities the VM will have. -AssignIdentity is the 2018 AzureRM form (-AssignIdentity "
        "\"SystemAssigned\"); note that the azure-docs form -AssignIdentity:$SystemAssigned passes an undefined "
        "variable ($null, i.e. $false), so no identity is enabled."
    )
    params = (
        Param("VMName", "string", position=0, mandatory=True, aliases=("Name", "ResourceName"),
              validate_not_null_or_empty=True, completer="vm"),
        Param("VMSize", "string", position=1, aliases=("Size",), completer="vm_size"),
        Param("AvailabilitySetId", "string", position=2),
        Param("LicenseType", "string", position=3),
        Param("IdentityType", "string", validate_set=AZ_IDENTITY_TYPES, parameter_sets=("ExplicitIdentityParameterSet",)),
        Param("IdentityId", "string[]", aliases=("IdentityIds",), parameter_sets=("ExplicitIdentityParameterSet",),
              completer="identity"),
        Param("AssignIdentity", "object", parameter_sets=("AssignIdentityParameterSet",)),
        Param("Zone", "string[]"),
        Param("Tags", "hashtable", aliases=("Tag",)),
        Param("Priority", "string", validate_set=("Regular", "Low", "Spot")),
    )
    default_parameter_set = "ExplicitIdentityParameterSet"
    outputs = (PS_VIRTUAL_MACHINE,)
    examples = (
        Example("$vmConfig = New-AzVMConfig -VMName myVM -VMSize Standard_DS2 -IdentityType SystemAssigned",
                "A VM configuration whose VM will have a system-assigned managed identity."),
        Example("$vmConfig = New-AzVMConfig -VMName myVM -IdentityType UserAssigned -IdentityId $uai.Id",
                "A VM configuration with a user-assigned identity."),
        Example('$vmConfig = New-AzureRmVMConfig -VMName myVM -AssignIdentity "SystemAssigned"',
                "The 2018 AzureRM form."),
    )

    def process(self) -> None:
        p = self.bound
        identity_type: str | None = p.get("IdentityType")
        ids = p.get("IdentityId")
        ids_list = [str(i) for i in ids] if ids else None
        if identity_type is None and "AssignIdentity" in p:
            identity_type = _assign_identity(self, p.get("AssignIdentity"))
        if identity_type is None and ids_list:
            identity_type = "UserAssigned"
        for t in AZ_IDENTITY_TYPES:
            if identity_type is not None and t.casefold() == identity_type.casefold():
                identity_type = t
        cfg = new_config(str(p.get("VMName")), p.get("VMSize"), _config_identity(identity_type, ids_list),
                         p.get("Tags"))
        if p.get("LicenseType"):
            cfg.set("LicenseType", p.get("LicenseType"))
        if p.get("Zone"):
            cfg.set("Zones", [str(z) for z in p.get("Zone") or []])
        if p.get("AvailabilitySetId"):
            cfg.set("AvailabilitySetReference", _obj([("Id", p.get("AvailabilitySetId"))], "System.Object"))
        self.write(cfg)


class SetAzVMOperatingSystem(AzCmdlet):
    name = "Set-AzVMOperatingSystem"
    aliases = ("Set-AzureRmVMOperatingSystem",)
    synopsis = "Sets operating system properties for a virtual machine."
    description = ("Sets the OS profile of a VM configuration (computer name, administrator credential, "
                   "Windows or Linux settings) and passes the same object on.")
    params = (
        _VM_CONFIG_PARAM,
        Param("Windows", "switch", parameter_sets=("WindowsParameterSet",)),
        Param("Linux", "switch", parameter_sets=("LinuxParameterSet",)),
        Param("ComputerName", "string", position=1, mandatory=True),
        Param("Credential", "pscredential", position=2, mandatory=True),
        Param("CustomData", "string"),
        Param("ProvisionVMAgent", "switch", parameter_sets=("WindowsParameterSet",)),
        Param("EnableAutoUpdate", "switch", parameter_sets=("WindowsParameterSet",)),
        Param("TimeZone", "string", parameter_sets=("WindowsParameterSet",)),
        Param("WinRMHttp", "switch", parameter_sets=("WindowsParameterSet",)),
        Param("DisablePasswordAuthentication", "switch", parameter_sets=("LinuxParameterSet",)),
        Param("PatchMode", "string"),
    )
    default_parameter_set = "WindowsParameterSet"
    outputs = (PS_VIRTUAL_MACHINE,)
    examples = (
        Example("$vmConfig = $vmConfig | Set-AzVMOperatingSystem -Windows -ComputerName myVM -Credential $cred",
                "Sets a Windows OS profile with the administrator from Get-Credential."),
    )

    def process(self) -> None:
        p = self.bound
        cfg = _config_arg(self)
        windows, linux = bool(p.get("Windows")), bool(p.get("Linux"))
        if windows == linux:
            raise CmdletError(OS_PARAMETER_SET_UNRESOLVED, category="InvalidArgument",
                              error_id="AmbiguousParameterSet")
        cred = p.get("Credential")
        user = cred.user_name if isinstance(cred, PSCredential) else None
        password = cred.password if isinstance(cred, PSCredential) else None
        win = _obj([("ProvisionVMAgent", True), ("EnableAutomaticUpdates", bool(p.get("EnableAutoUpdate")) or None),
                    ("TimeZone", p.get("TimeZone")), ("AdditionalUnattendContent", None),
                    ("WinRM", None)], PS_WINDOWS_CONFIGURATION) if windows else None
        lin = _obj([("DisablePasswordAuthentication", bool(p.get("DisablePasswordAuthentication"))),
                    ("Ssh", None), ("ProvisionVMAgent", True)], PS_LINUX_CONFIGURATION) if linux else None
        cfg.set("OSProfile", _obj([
            ("ComputerName", p.get("ComputerName")),
            ("AdminUsername", user),
            ("AdminPassword", password),
            ("CustomData", p.get("CustomData")),
            ("WindowsConfiguration", win),
            ("LinuxConfiguration", lin),
            ("Secrets", []),
            ("AllowExtensionOperations", None),
        ], PS_OS_PROFILE))
        self.write(cfg)


class SetAzVMSourceImage(AzCmdlet):
    name = "Set-AzVMSourceImage"
    aliases = ("Set-AzureRmVMSourceImage",)
    synopsis = "Specifies the image for a virtual machine."
    description = "Sets the marketplace image (publisher, offer, SKU, version) or image ID of a VM configuration."
    params = (
        _VM_CONFIG_PARAM,
        Param("PublisherName", "string", position=1, parameter_sets=("ImageReferenceSkuParameterSet",),
              completer=lambda w: ["MicrosoftWindowsServer", "Canonical", "Debian", "OpenLogic", "RedHat"]),
        Param("Offer", "string", position=2, parameter_sets=("ImageReferenceSkuParameterSet",)),
        Param("Skus", "string", position=3, parameter_sets=("ImageReferenceSkuParameterSet",)),
        Param("Version", "string", position=4, parameter_sets=("ImageReferenceSkuParameterSet",)),
        Param("Id", "string", position=1, parameter_sets=("ImageReferenceIdParameterSet",)),
    )
    default_parameter_set = "ImageReferenceSkuParameterSet"
    outputs = (PS_VIRTUAL_MACHINE,)
    examples = (
        Example("$vmConfig | Set-AzVMSourceImage -PublisherName MicrosoftWindowsServer -Offer WindowsServer "
                "-Skus 2016-Datacenter -Version latest", "Windows Server 2016 Datacenter, latest version."),
    )

    def process(self) -> None:
        p = self.bound
        cfg = _config_arg(self)
        if p.get("Id"):
            ref = _obj([("Id", p.get("Id"))], PS_IMAGE_REFERENCE)
        else:
            missing = [n for n in ("PublisherName", "Offer", "Skus") if not p.get(n)]
            if missing:
                raise CmdletError("Cannot process command because of one or more missing mandatory parameters: "
                                  + " ".join(missing) + ".", category="InvalidArgument",
                                  error_id="MissingMandatoryParameter")
            ref = _obj([("Publisher", p.get("PublisherName")), ("Offer", p.get("Offer")), ("Sku", p.get("Skus")),
                        ("Version", p.get("Version") or "latest")], PS_IMAGE_REFERENCE)
        storage = cfg.get("StorageProfile")
        if not isinstance(storage, PSObject):
            storage = _obj([("ImageReference", None), ("OsDisk", None), ("DataDisks", [])], PS_STORAGE_PROFILE)
            cfg.set("StorageProfile", storage)
        storage.set("ImageReference", ref)
        self.write(cfg)


class AddAzVMNetworkInterface(AzCmdlet):
    name = "Add-AzVMNetworkInterface"
    aliases = ("Add-AzureRmVMNetworkInterface",)
    synopsis = "Adds a network interface to a virtual machine."
    description = "Adds a network interface (by resource ID) to the network profile of a VM configuration."
    params = (
        _VM_CONFIG_PARAM,
        Param("Id", "string", position=1, mandatory=True, aliases=("NicId", "NetworkInterfaceId"),
              completer="network_interface_id"),
        Param("Primary", "switch"),
        Param("DeleteOption", "string", validate_set=("Delete", "Detach")),
    )
    outputs = (PS_VIRTUAL_MACHINE,)
    examples = (Example("$vmConfig | Add-AzVMNetworkInterface -Id $nic.Id", "Attaches the NIC to the VM."),)

    def process(self) -> None:
        p = self.bound
        cfg = _config_arg(self)
        net = cfg.get("NetworkProfile")
        if not isinstance(net, PSObject):
            net = _obj([("NetworkInterfaces", [])], PS_NETWORK_PROFILE)
            cfg.set("NetworkProfile", net)
        nics = net.get("NetworkInterfaces")
        nics = list(nics) if isinstance(nics, list) else []
        nics.append(_obj([("Primary", True if p.get("Primary") else None), ("DeleteOption", p.get("DeleteOption")),
                          ("Id", p.get("Id"))], PS_NIC_REFERENCE))
        net.set("NetworkInterfaces", nics)
        self.write(cfg)


# ----------------------------------------------------------------------------------------------- extensions
def extension_object(data: dict[str, Any], rg: str, vm_name: str) -> PSObject:
    """ARM extension JSON → ``PSVirtualMachineExtension`` (PublicSettings as Az prints it: indented JSON)."""
    props = data.get("properties") or {}
    settings = props.get("settings")
    return PSObject([
        ("ResourceGroupName", rg),
        ("VMName", vm_name),
        ("Name", data.get("name")),
        ("Location", data.get("location")),
        ("Etag", data.get("etag")),
        ("Publisher", props.get("publisher")),
        ("ExtensionType", props.get("type")),
        ("TypeHandlerVersion", props.get("typeHandlerVersion")),
        ("Id", data.get("id")),
        ("PublicSettings", json.dumps(settings, indent=2) if settings is not None else None),
        ("ProtectedSettings", None),
        ("ProvisioningState", props.get("provisioningState", "Succeeded")),
        ("Statuses", None),
        ("SubStatuses", None),
        ("AutoUpgradeMinorVersion", props.get("autoUpgradeMinorVersion", True)),
        ("ForceUpdateTag", props.get("forceUpdateTag")),
        ("EnableAutomaticUpgrade", props.get("enableAutomaticUpgrade")),
    ], type_names=(PS_VIRTUAL_MACHINE_EXTENSION, "System.Object"))


def _extension_types(word: str) -> list[str]:
    return list(MSI_EXTENSION_TYPES)


def _extension_names(services: Any) -> list[str]:
    try:
        ctx = services.context
        sub = ctx.subscription_id
        return sorted({r.name.rsplit("/", 1)[-1] for r in services.store.list_resources(sub, None, VM_EXTENSION_TYPE)})
    except Exception:  # noqa: BLE001 - completion never fails
        return []


def _vm_sizes(services: Any) -> list[str]:
    return ["Standard_DS2", "Standard_DS1_v2", "Standard_D2s_v3", "Standard_B1s", "Standard_B2s", "Standard_A1"]


class SetAzVMExtension(VmCmdlet):
    name = "Set-AzVMExtension"
    aliases = ("Set-AzureRmVMExtension",)
    synopsis = "Adds an extension to a virtual machine."
    description = (
        "Creates or updates a VM extension (the ARM child resource .../virtualMachines/{vm}/extensions/{name}). "
        "The 2017 MSI extension is -Publisher Microsoft.ManagedIdentity -Type ManagedIdentityExtensionForWindows "
        "(or ForLinux) -TypeHandlerVersion 1.0 -Settings @{ \"port\" = 50342 }; on the VM its token endpoint "
        "listens on http://localhost:<port>/oauth2/token."
    )
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, mandatory=True, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("VMName", "string", position=1, mandatory=True, aliases=("ResourceName",), completer="vm",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=2, mandatory=True, aliases=("ExtensionName",), completer="vm_extension"),
        Param("Publisher", "string", position=3, mandatory=True,
              completer=lambda w: [MSI_EXTENSION_PUBLISHER, "Microsoft.Compute", "Microsoft.Azure.Extensions"]),
        Param("ExtensionType", "string", position=4, mandatory=True, aliases=("Type",), completer=_extension_types),
        Param("TypeHandlerVersion", "string", position=5, mandatory=True, aliases=("HandlerVersion", "Version"),
              completer=lambda w: [MSI_EXTENSION_VERSION]),
        Param("Settings", "hashtable", position=6),
        Param("ProtectedSettings", "hashtable", position=7),
        Param("Location", "string", position=8, completer="location"),
        Param("DisableAutoUpgradeMinorVersion", "switch"),
        Param("ForceRerun", "string"),
        Param("EnableAutomaticUpgrade", "bool"),
        Param("AsJob", "switch"),
        Param("NoWait", "switch"),
    )
    outputs = (PS_OPERATION_RESPONSE,)
    examples = (
        Example('$settings = @{ "port" = 50342 }\n'
                "Set-AzVMExtension -ResourceGroupName myRG -Location westus -VMName myVM "
                '-Name "ManagedIdentityExtensionForWindows" -Type "ManagedIdentityExtensionForWindows" '
                '-Publisher "Microsoft.ManagedIdentity" -TypeHandlerVersion "1.0" -Settings $settings',
                "Installs the 2017 MSI VM extension; on the VM, http://localhost:50342/oauth2/token answers."),
    )

    def process(self) -> None:
        p = self.bound
        rg, vm_name, ext = str(p.get("ResourceGroupName")), str(p.get("VMName")), str(p.get("Name"))
        if not self.should_process(ext, "Set virtual machine extension"):
            return
        location = p.get("Location")
        if location:
            location = normalize_location(str(location))
        else:
            location = self.get_vm(rg, vm_name).get("location")
        props: dict[str, Any] = {
            "publisher": p.get("Publisher"),
            "type": p.get("ExtensionType"),
            "typeHandlerVersion": p.get("TypeHandlerVersion"),
            "autoUpgradeMinorVersion": not p.get("DisableAutoUpgradeMinorVersion"),
        }
        if p.get("Settings") is not None:
            props["settings"] = plain(p.get("Settings"))
        if p.get("ProtectedSettings") is not None:
            props["protectedSettings"] = plain(p.get("ProtectedSettings"))
        if p.get("ForceRerun"):
            props["forceUpdateTag"] = p.get("ForceRerun")
        if "EnableAutomaticUpgrade" in p:
            props["enableAutomaticUpgrade"] = bool(p.get("EnableAutomaticUpgrade"))
        resp = self.arm_request("PUT", f"{self.vm_path(rg, vm_name)}/extensions/{ext}", API_COMPUTE,
                                body={"location": location, "properties": props})
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        self.write(operation_response(resp.headers.get("x-ms-request-id") or self.services.new_guid()))


class GetAzVMExtension(VmCmdlet):
    name = "Get-AzVMExtension"
    aliases = ("Get-AzureRmVMExtension",)
    synopsis = "Gets properties of virtual machine extensions installed on a virtual machine."
    description = "Gets one extension (-Name) or every extension of the VM, through ARM."
    params = (
        Param("ResourceGroupName", "string", position=0, mandatory=True, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("VMName", "string", position=1, mandatory=True, aliases=("ResourceName",), completer="vm",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=2, aliases=("ExtensionName",), completer="vm_extension",
              value_from_pipeline_by_property_name=True),
        Param("Status", "switch"),
    )
    outputs = (PS_VIRTUAL_MACHINE_EXTENSION,)
    examples = (
        Example("Get-AzVMExtension -ResourceGroupName myRG -VMName myVM -Name ManagedIdentityExtensionForWindows",
                "Shows the MSI VM extension and its port setting."),
        Example("Get-AzVMExtension -ResourceGroupName myRG -VMName myVM", "Lists the VM's extensions."),
    )

    def process(self) -> None:
        p = self.bound
        rg, vm_name = str(p.get("ResourceGroupName")), str(p.get("VMName"))
        base = f"{self.vm_path(rg, vm_name)}/extensions"
        if p.get("Name"):
            data = self.arm_get(f"{base}/{p.get('Name')}", API_COMPUTE)
            self.write(extension_object(data if isinstance(data, dict) else {}, rg, vm_name))
            return
        for data in self.arm_list(base, API_COMPUTE):
            if isinstance(data, dict):
                self.write(extension_object(data, rg, vm_name))


class RemoveAzVMExtension(VmCmdlet):
    name = "Remove-AzVMExtension"
    aliases = ("Remove-AzureRmVMExtension",)
    synopsis = "Removes an extension from a virtual machine."
    description = ("Deletes the extension resource through ARM. Removing the 2017 MSI extension stops the "
                   "localhost:50342 endpoint; the VM's identity itself stays (use Update-AzVM -IdentityType None).")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, mandatory=True, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("VMName", "string", position=1, mandatory=True, aliases=("ResourceName",), completer="vm",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=2, mandatory=True, aliases=("ExtensionName",), completer="vm_extension",
              value_from_pipeline_by_property_name=True),
        Param("Force", "switch"),
        Param("AsJob", "switch"),
        Param("NoWait", "switch"),
    )
    outputs = (PS_OPERATION_RESPONSE,)
    examples = (
        Example('Remove-AzVMExtension -ResourceGroupName myRG -Name "ManagedIdentityExtensionForWindows" '
                "-VMName myVM -Force", "Removes the 2017 MSI VM extension without asking."),
    )

    def process(self) -> None:
        p = self.bound
        rg, vm_name, ext = str(p.get("ResourceGroupName")), str(p.get("VMName")), str(p.get("Name"))
        if not self.should_process(ext, EXTENSION_REMOVAL_CAPTION):
            return
        if not p.get("Force"):
            # Scripts cannot answer Az's prompt; say what it would have asked, then go on as "Yes".
            self.write_verbose(f"{EXTENSION_REMOVAL_CAPTION}: {EXTENSION_REMOVAL_MESSAGE} (no prompt in scripts: yes)")
        resp = self.arm_request("DELETE", f"{self.vm_path(rg, vm_name)}/extensions/{ext}", API_COMPUTE)
        if resp.status_code >= 400:
            self.raise_arm_error(resp)
        out = operation_response(resp.headers.get("x-ms-request-id") or self.services.new_guid())
        if resp.status_code == 204:
            out.set("StatusCode", "NoContent")
            out.set("ReasonPhrase", "No Content")
        self.write(out)


COMMANDS = (
    NewAzVMConfig, SetAzVMOperatingSystem, SetAzVMSourceImage, AddAzVMNetworkInterface,
    SetAzVMExtension, GetAzVMExtension, RemoveAzVMExtension,
)

COMPLETERS = {
    "vm_extension": _extension_names,
    "vm_size": _vm_sizes,
}


def register_views(views: ViewTable) -> None:
    views.register(PS_VIRTUAL_MACHINE_EXTENSION, "list", EXTENSION_VIEW)
