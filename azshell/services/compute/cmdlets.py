"""Az.Compute for this flow: New-AzVM (simple form), Get-AzVM, Update-AzVM, Remove-AzVM.

The VM's identity reads back with Az's enum names (``SystemAssignedUserAssigned``), while the ARM JSON the
plane stores says ``"SystemAssigned, UserAssigned"``; ``-IdentityType`` takes Az's names, case-insensitively.
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
    DEFAULT_VM_SIZE,
    PS_OPERATION_RESPONSE,
    PS_VIRTUAL_MACHINE,
    PS_VIRTUAL_MACHINE_INSTANCE_VIEW,
    PS_VIRTUAL_MACHINE_LIST,
    PS_VM_IDENTITY,
    PS_VM_UAI_VALUE,
    VM_IMAGE_ALIASES,
    VM_TYPE,
    arm_identity_type_to_az,
    az_identity_type_to_arm,
)
from azshell.cmdlets._base import AzCmdlet
from azshell.cmdlets._objects import braced, rg_of, tags_table, to_ps, uai_table
from azshell.cmdlets.completers import subscription_id
from azshell.cmdlets.views import ViewSpec, pairs, register_table
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.lang.values import PSCredential, PSHashtable, PSObject
from azshell.services.resources.cmdlets import normalize_location

if TYPE_CHECKING:
    from azshell.lang.formatting import ViewTable

__all__ = [
    "GetAzVM",
    "NewAzVM",
    "RemoveAzVM",
    "UpdateAzVM",
    "VM_TARGET_PARAMS",
    "VmCmdlet",
    "identity_object",
    "operation_response",
    "vm_object",
    "vm_path",
]


def vm_path(sub: str, rg: str, name: str) -> str:
    return f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{VM_TYPE}/{name}"


def identity_object(identity: Any) -> PSObject | None:
    """ARM ``identity`` → Az's VirtualMachineIdentity: PrincipalId, TenantId, Type (Az enum name),
    UserAssignedIdentities (hashtable: UAI ID → {PrincipalId, ClientId}) and IdentityIds."""
    if not isinstance(identity, dict):
        return None
    table = uai_table(identity, PS_VM_UAI_VALUE)
    obj = PSObject([
        ("PrincipalId", identity.get("principalId")),
        ("TenantId", identity.get("tenantId")),
        ("Type", arm_identity_type_to_az(identity.get("type"))),
        ("UserAssignedIdentities", table),
        ("IdentityIds", list(table.keys()) if table is not None else None),
    ], type_names=(PS_VM_IDENTITY, "System.Object"))
    return braced(obj)


def vm_object(data: dict[str, Any]) -> PSObject:
    """ARM VM JSON → ``PSVirtualMachine``."""
    props = data.get("properties") or {}
    rid = str(data.get("id", ""))
    extensions = [to_ps(e) for e in (data.get("resources") or []) if isinstance(e, dict)]
    obj = PSObject([
        ("ResourceGroupName", rg_of(rid)),
        ("Id", rid),
        ("VmId", props.get("vmId")),
        ("Name", data.get("name", "")),
        ("Type", data.get("type", VM_TYPE)),
        ("Location", data.get("location", "")),
        ("LicenseType", props.get("licenseType")),
        ("Tags", tags_table(data.get("tags")) or PSHashtable()),
        ("AvailabilitySetReference", to_ps(props.get("availabilitySet"))),
        ("DiagnosticsProfile", to_ps(props.get("diagnosticsProfile"))),
        ("Extensions", extensions),
        ("HardwareProfile", to_ps(props.get("hardwareProfile"))),
        ("InstanceView", to_ps(props.get("instanceView"))),
        ("NetworkProfile", to_ps(props.get("networkProfile"))),
        ("OSProfile", to_ps(props.get("osProfile"))),
        ("Plan", to_ps(data.get("plan"))),
        ("ProvisioningState", props.get("provisioningState", "Succeeded")),
        ("StorageProfile", to_ps(props.get("storageProfile"))),
        ("DisplayHint", "Compact"),
        ("Identity", identity_object(data.get("identity"))),
        ("Zones", data.get("zones") or []),
        ("FullyQualifiedDomainName", None),
        ("TimeCreated", props.get("timeCreated")),
        ("StatusCode", "OK"),
    ], type_names=(PS_VIRTUAL_MACHINE, "System.Object"))
    return obj


def _os_type(data: dict[str, Any]) -> str:
    props = data.get("properties") or {}
    os_disk = (props.get("storageProfile") or {}).get("osDisk") or {}
    if os_disk.get("osType"):
        return str(os_disk["osType"])
    os_profile = props.get("osProfile") or {}
    return "Linux" if "linuxConfiguration" in os_profile else "Windows"


def vm_list_object(data: dict[str, Any]) -> PSObject:
    """``PSVirtualMachineList`` (the table Get-AzVM prints when listing)."""
    obj = vm_object(data)
    props = data.get("properties") or {}
    nics = ((props.get("networkProfile") or {}).get("networkInterfaces") or [])
    obj.type_names = [PS_VIRTUAL_MACHINE_LIST, PS_VIRTUAL_MACHINE, "System.Object"]
    obj.set("VmSize", (props.get("hardwareProfile") or {}).get("vmSize"))
    obj.set("OsType", _os_type(data))
    obj.set("NIC", str(nics[0].get("id", "")).rsplit("/", 1)[-1] if nics and isinstance(nics[0], dict) else "")
    obj.set("Zone", ",".join(data.get("zones") or []))
    return obj


def operation_response(request_id: str) -> PSObject:
    """``PSAzureOperationResponse``, what Update-AzVM prints (``request_id``: ARM's ``x-ms-request-id``)."""
    return PSObject([
        ("RequestId", request_id),
        ("IsSuccessStatusCode", True),
        ("StatusCode", "OK"),
        ("ReasonPhrase", "OK"),
    ], type_names=(PS_OPERATION_RESPONSE, "System.Object"))


#: Which VM a cmdlet acts on: -ResourceGroupName/-Name, -ResourceId, or a VM object (bound or piped);
#: :meth:`VmCmdlet.bound_target` reads them.
VM_TARGET_PARAMS = (
    Param("ResourceGroupName", "string", position=0, completer="resource_group", parameter_sets=("ByName",),
          mandatory=True),
    Param("Name", "string", position=1, aliases=("VMName",), completer="vm", parameter_sets=("ByName",),
          mandatory=True),
    Param("ResourceId", "string", aliases=("Id",), parameter_sets=("ById",), mandatory=True),
    Param("VM", "object", value_from_pipeline=True, parameter_sets=("ByObject",), mandatory=True),
)


#: ``-Realistic`` on enabling an identity (Update-AzVM, Enable-Msi)
REALISTIC_PARAM = Param("Realistic", "switch",
                        help="Like a real VM right after its identity is turned on: IMDS answers 404 for it for "
                             "the first few seconds of tenant time (clients retry; Get-AzShellEvent shows them).")


class VmCmdlet(AzCmdlet):
    """Shared by the VM cmdlets: the VM's path and reading it through ARM."""

    def realistic_identity(self, vm: dict[str, Any], *, already_on: bool = False) -> None:
        """``-Realistic``: IMDS answers 404 for this VM for a few tenant-seconds (an azshell fault)."""
        from azshell.controls.faults import REALISTIC_IDENTITY_DELAY, realistic_identity_delay

        world = getattr(self.ctx.services, "world", None)
        if world is None or not vm.get("id"):
            return
        name = str(vm.get("name") or "the VM")
        if already_on:
            self.ctx.write_host(f"-Realistic: the system-assigned identity of {name} was already on; IMDS answers "
                                "at once.")
            return
        realistic_identity_delay(world, str(vm["id"]), name)
        self.ctx.write_host(f"-Realistic: IMDS on {name} answers 404 (identity not yet available) for the next "
                            f"{REALISTIC_IDENTITY_DELAY:g} seconds of tenant time.")

    def vm_path(self, rg: str, name: str) -> str:
        return vm_path(self.subscription_id, rg, name)

    def get_vm(self, rg: str, name: str) -> dict[str, Any]:
        data = self.arm_get(self.vm_path(rg, name), API_COMPUTE)
        return data if isinstance(data, dict) else {}

    def bound_target(self) -> tuple[str, str]:
        """(resource group, VM name) from the bound :data:`VM_TARGET_PARAMS` (or a piped VM object)."""
        vm = self.bound.get("VM")
        return self.target_from(vm if vm is not None else self.input, rg=self.bound.get("ResourceGroupName"),
                                name=self.bound.get("Name"), resource_id=self.bound.get("ResourceId"))

    def target_from(self, vm: Any = None, *, rg: str | None = None, name: str | None = None,
                    resource_id: str | None = None) -> tuple[str, str]:
        """(resource group, VM name) from -ResourceGroupName/-Name, -ResourceId or a VM object."""
        if resource_id:
            parts = str(resource_id).strip("/").split("/")
            if len(parts) < 8:
                self.fail(f"Invalid resource ID '{resource_id}'.", error_id="InvalidResourceId")
            return parts[3], parts[-1]
        if isinstance(vm, PSObject):
            rg = rg or vm.get("ResourceGroupName") or rg_of(str(vm.get("Id") or ""))
            name = name or vm.get("Name")
        if not rg or not name:
            self.fail("Specify -ResourceGroupName and -Name, -ResourceId, or pipe a VM object.",
                      error_id="MissingVmTarget")
        return str(rg), str(name)


def identity_body(az_type: str, ids: list[str] | None, existing: dict[str, Any] | None) -> dict[str, Any]:
    """The ARM ``identity`` block for ``-IdentityType`` [+ ``-IdentityId``], replacing the UAI list as Az does."""
    arm_type = az_identity_type_to_arm(az_type)
    body: dict[str, Any] = {"type": arm_type}
    if ids is not None and "userassigned" in arm_type.replace(" ", "").casefold():
        uais: dict[str, Any] = {i: {} for i in ids}
        old = (existing or {}).get("userAssignedIdentities") or {}
        wanted = {i.casefold() for i in ids}
        for old_id in old:
            if old_id.casefold() not in wanted:
                uais[old_id] = None
        body["userAssignedIdentities"] = uais
    return body


def _image_reference(image: str) -> tuple[dict[str, str], str]:
    alias = VM_IMAGE_ALIASES.get(image.replace(" ", "").casefold())
    if alias is not None:
        publisher, offer, sku, os_type = alias
        return {"publisher": publisher, "offer": offer, "sku": sku, "version": "latest"}, os_type
    parts = image.split(":")
    if len(parts) == 4:
        os_type = "Windows" if "windows" in image.casefold() else "Linux"
        return {"publisher": parts[0], "offer": parts[1], "sku": parts[2], "version": parts[3]}, os_type
    raise CmdletError(
        f"The image '{image}' is not a known image alias or URN (Publisher:Offer:Sku:Version). Known aliases: "
        + ", ".join(sorted(VM_IMAGE_ALIASES)) + ".", category="InvalidArgument", error_id="InvalidImage")


class NewAzVM(VmCmdlet):
    name = "New-AzVM"
    aliases = ("New-AzureRmVM",)
    synopsis = "Creates a virtual machine."
    description = (
        "The simple form (-Name, -ResourceGroupName, -Location, -Image, -Credential, -Size) creates the "
        "resource group when it is missing, as Az does, then the VM through ARM. -IdentityType "
        "SystemAssigned gives the VM a system-assigned managed identity (a service principal in the "
        "tenant); -IdentityType UserAssigned -IdentityId attaches user-assigned identities."
    )
    supports_should_process = True
    params = (
        Param("Name", "string", position=0, aliases=("VMName",), parameter_sets=("SimpleParameterSet",),
              mandatory=True, completer="vm"),
        Param("ResourceGroupName", "string", completer="resource_group"),
        Param("Location", "string", completer="location"),
        Param("Image", "string", aliases=("ImageName",), parameter_sets=("SimpleParameterSet",)),
        Param("Credential", "pscredential", parameter_sets=("SimpleParameterSet",)),
        Param("Size", "string", parameter_sets=("SimpleParameterSet",)),
        Param("IdentityType", "string", parameter_sets=("SimpleParameterSet",), validate_set=AZ_IDENTITY_TYPES),
        Param("IdentityId", "string[]", parameter_sets=("SimpleParameterSet",), aliases=("UserAssignedIdentity",),
              completer="identity"),
        Param("SystemAssignedIdentity", "switch", parameter_sets=("SimpleParameterSet",)),
        Param("VirtualNetworkName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("SubnetName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("PublicIpAddressName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("SecurityGroupName", "string", parameter_sets=("SimpleParameterSet",)),
        Param("OpenPorts", "int[]", parameter_sets=("SimpleParameterSet",)),
        Param("VM", "object", aliases=("VMProfile",), parameter_sets=("DefaultParameterSet",), mandatory=True,
              value_from_pipeline=True),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("AsJob", "switch"),
    )
    default_parameter_set = "SimpleParameterSet"
    outputs = (PS_VIRTUAL_MACHINE,)
    examples = (
        Example("New-AzVM -ResourceGroupName myRG -Name myVM -Location westus -IdentityType SystemAssigned",
                "Creates a Windows VM with a system-assigned managed identity (and myRG if it is missing)."),
        Example("New-AzVM -Name myVM -ResourceGroupName myRG -Location eastus -Image Ubuntu2204 "
                "-IdentityType UserAssigned -IdentityId $uai.Id",
                "Creates a Linux VM with a user-assigned identity."),
    )

    def process(self) -> None:
        p = self.bound
        cfg = p.get("VM")
        name = p.get("Name") or (cfg.get("Name") or cfg.get("VMName") if isinstance(cfg, PSObject) else None)
        if not name:
            self.fail("The VM name is required (-Name).", error_id="MissingName")
        rg = p.get("ResourceGroupName") or name
        location = p.get("Location")
        if not self.should_process(str(name), "New-AzVM"):
            return
        sub = self.subscription_id
        rg_path = f"/subscriptions/{sub}/resourcegroups/{rg}"
        group = self.arm_get(rg_path, API_RESOURCE_GROUPS, allow_404=True)
        if location:
            location = normalize_location(str(location))
        elif isinstance(group, dict) and group.get("location"):
            location = str(group["location"])
        else:
            location = "eastus"
        if group is None and not isinstance(cfg, PSObject):  # -VM $vmConfig: ARM's ResourceGroupNotFound
            self.arm_put(rg_path, API_RESOURCE_GROUPS, {"location": location})
        if isinstance(cfg, PSObject):  # the config parameter set (New-AzVMConfig | Set-AzVM... | ...)
            from azshell.services.compute._vmbody import config_body

            body = config_body(cfg, str(name), str(location), _image_reference(DEFAULT_VM_IMAGE)[0],
                               DEFAULT_ADMIN_USERNAME, p.get("Tag"))
        else:
            body = self._body(str(name), str(rg), str(location), cfg)
        self.arm_put(self.vm_path(str(rg), str(name)), API_COMPUTE, body)
        self.write(vm_object(self.get_vm(str(rg), str(name))))

    def _body(self, name: str, rg: str, location: str, cfg: Any) -> dict[str, Any]:
        p = self.bound
        image = str(p.get("Image") or DEFAULT_VM_IMAGE)
        image_ref, os_type = _image_reference(image)
        size = str(p.get("Size") or DEFAULT_VM_SIZE)
        cred = p.get("Credential")
        user = cred.user_name if isinstance(cred, PSCredential) else DEFAULT_ADMIN_USERNAME
        identity_type = p.get("IdentityType")
        ids = p.get("IdentityId")
        if isinstance(cfg, PSObject):
            hw = cfg.get("HardwareProfile")
            if isinstance(hw, PSObject) and hw.get("VmSize"):
                size = str(hw.get("VmSize"))
            ident = cfg.get("Identity")
            if isinstance(ident, PSObject) and ident.get("Type") and identity_type is None:
                identity_type = str(ident.get("Type"))
                uai = ident.get("UserAssignedIdentities")
                ids = list(uai.keys()) if isinstance(uai, PSHashtable) else ident.get("IdentityIds")
            osp = cfg.get("OSProfile")
            if isinstance(osp, PSObject) and osp.get("AdminUsername"):
                user = str(osp.get("AdminUsername"))
        if p.get("SystemAssignedIdentity") and identity_type is None:
            identity_type = "SystemAssigned"
        if ids and identity_type is None:
            identity_type = "UserAssigned"
        nic_id = (f"/subscriptions/{self.subscription_id}/resourceGroups/{rg}/providers/"
                  f"Microsoft.Network/networkInterfaces/{name}")
        os_config: tuple[str, dict[str, Any]] = (
            ("windowsConfiguration", {"provisionVMAgent": True, "enableAutomaticUpdates": True})
            if os_type == "Windows" else
            ("linuxConfiguration", {"disablePasswordAuthentication": False, "provisionVMAgent": True})
        )
        body: dict[str, Any] = {
            "location": location,
            "properties": {
                "hardwareProfile": {"vmSize": size},
                "storageProfile": {
                    "imageReference": image_ref,
                    # no disk name: ARM names it ``{vm}_OsDisk_1_{32 hex}`` (as Azure does)
                    "osDisk": {"osType": os_type, "createOption": "FromImage",
                               "caching": "ReadWrite", "managedDisk": {"storageAccountType": "Premium_LRS"}},
                    "dataDisks": [],
                },
                "osProfile": {"computerName": name[:15], "adminUsername": user, os_config[0]: os_config[1],
                              "secrets": [], "allowExtensionOperations": True},
                "networkProfile": {"networkInterfaces": [{"id": nic_id}]},
            },
        }
        tag = p.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        if identity_type is not None and str(identity_type).casefold() != "none":
            ids_list = [str(i) for i in ids] if ids else None
            body["identity"] = identity_body(str(identity_type), ids_list, None)
        return body


class GetAzVM(VmCmdlet):
    name = "Get-AzVM"
    aliases = ("Get-AzureRmVM",)
    synopsis = "Gets the properties of a virtual machine."
    description = ("Gets one VM (-ResourceGroupName -Name) or lists VMs of a group or the subscription. "
                   "$vm.Identity shows the VM's managed identities: PrincipalId, TenantId, Type and "
                   "UserAssignedIdentities (keyed by the identity's resource ID).")
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=1, aliases=("ResourceName", "VMName"), completer="vm",
              value_from_pipeline_by_property_name=True),
        Param("Status", "switch"),
        Param("Location", "string", completer="location"),
        Param("DisplayHint", "string", validate_set=("Compact", "Expand")),
    )
    outputs = (PS_VIRTUAL_MACHINE, PS_VIRTUAL_MACHINE_LIST)
    examples = (
        Example("Get-AzVM -ResourceGroupName myRG -Name myVM", "Gets one VM."),
        Example("(Get-AzVM -ResourceGroupName myRG -Name myVM).Identity.PrincipalId",
                "The object ID of the VM's system-assigned identity (use it with New-AzRoleAssignment -ObjectId)."),
        Example("Get-AzVM", "Lists the VMs of the subscription."),
    )

    def process(self) -> None:
        rg = self.bound.get("ResourceGroupName")
        name = self.bound.get("Name")
        status = bool(self.bound.get("Status"))
        if rg and name:
            data = self.get_vm(str(rg), str(name))
            self.write(self._instance_view(data) if status else vm_object(data))
            return
        sub = self.subscription_id
        path = (f"/subscriptions/{sub}/resourceGroups/{rg}/providers/{VM_TYPE}" if rg
                else f"/subscriptions/{sub}/providers/{VM_TYPE}")
        location = self.bound.get("Location")
        found = False
        for data in self.arm_list(path, API_COMPUTE):
            if name and str(data.get("name", "")).casefold() != str(name).casefold():
                continue
            if location and str(data.get("location", "")).casefold() != normalize_location(str(location)):
                continue
            found = True
            obj = vm_list_object(data)
            if status:
                obj.set("PowerState", "VM running")
            self.write(obj)
        if name and not found:
            raise CmdletError(
                f"The Resource '{VM_TYPE}/{name}' was not found in subscription '{sub}'.",
                category="ObjectNotFound", error_id="ResourceNotFound")

    def _instance_view(self, data: dict[str, Any]) -> PSObject:
        props = data.get("properties") or {}
        state = props.get("provisioningState", "Succeeded")
        statuses = [
            braced(PSObject([("Code", f"ProvisioningState/{str(state).lower()}"), ("Level", "Info"),
                             ("DisplayStatus", f"Provisioning {str(state).lower()}"), ("Message", None),
                             ("Time", None)])),
            braced(PSObject([("Code", "PowerState/running"), ("Level", "Info"), ("DisplayStatus", "VM running"),
                             ("Message", None), ("Time", None)])),
        ]
        extensions = [to_ps({"name": e.get("name"), "type": (e.get("properties") or {}).get("type"),
                             "typeHandlerVersion": (e.get("properties") or {}).get("typeHandlerVersion")})
                      for e in (data.get("resources") or []) if isinstance(e, dict)]
        return PSObject([
            ("ResourceGroupName", rg_of(str(data.get("id", "")))),
            ("Name", data.get("name")),
            ("ComputerName", (props.get("osProfile") or {}).get("computerName")),
            ("OsName", "Windows Server 2016 Datacenter" if _os_type(data) == "Windows" else "Linux"),
            ("OsVersion", None),
            ("HyperVGeneration", "V1"),
            ("Extensions", extensions),
            ("VMAgent", None),
            ("Statuses", statuses),
        ], type_names=(PS_VIRTUAL_MACHINE_INSTANCE_VIEW, "System.Object"))


def _assign_identity_type(value: Any) -> str | None:
    """``-AssignIdentity``: ``"SystemAssigned"`` (2018), ``$true`` → SystemAssigned, ``$false``/``$null`` → None."""
    if value is None or value is False:
        return None
    if value is True:
        return "SystemAssigned"
    text = str(value).strip()
    if not text or text.casefold() in ("false", "0"):
        return None
    for t in AZ_IDENTITY_TYPES:
        if t.casefold() == text.replace(" ", "").replace(",", "").casefold():
            return t
    if text.casefold() == "true":
        return "SystemAssigned"
    raise CmdletError(
        f"Cannot bind parameter 'AssignIdentity'. Cannot convert value \"{text}\" to type "
        "\"Microsoft.Azure.Management.Compute.Models.ResourceIdentityType\". Error: \"Unable to match the "
        "identifier name " + text + " to a valid enumerator name. Specify one of the following enumerator names "
        "and try again: " + ", ".join(AZ_IDENTITY_TYPES) + "\"",
        category="InvalidArgument", error_id="CannotConvertArgumentNoMessage")


class UpdateAzVM(VmCmdlet):
    name = "Update-AzVM"
    aliases = ("Update-AzureRmVM",)
    synopsis = "Updates the state of an Azure virtual machine."
    description = (
        "With -IdentityType SystemAssigned|UserAssigned|SystemAssignedUserAssigned|None (and -IdentityId for "
        "user-assigned identities) it changes the VM's managed identities through ARM. -IdentityId replaces "
        "the list of user-assigned identities, as Az does. -AssignIdentity is the 2018 form; note that the "
        "documented `-AssignIdentity:$SystemAssigned` passes an undefined variable ($null → $false) and so "
        "enables nothing."
    )
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, mandatory=True, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("VM", "object", position=1, aliases=("VirtualMachine",), value_from_pipeline=True),
        Param("Name", "string", aliases=("VMName",), completer="vm"),
        Param("IdentityType", "string", validate_set=AZ_IDENTITY_TYPES),
        Param("IdentityId", "string[]", aliases=("IdentityIds", "UserAssignedIdentity"), completer="identity"),
        Param("AssignIdentity", "object"),
        Param("Tag", "hashtable", aliases=("Tags",)),
        Param("AsJob", "switch"),
        Param("NoWait", "switch"),
        Param("OsDiskWriteAccelerator", "bool"),
        REALISTIC_PARAM,
    )
    outputs = (PS_OPERATION_RESPONSE,)
    examples = (
        Example("$vm = Get-AzVM -ResourceGroupName myRG -Name myVM\n"
                "Update-AzVM -ResourceGroupName myRG -VM $vm -IdentityType SystemAssigned",
                "Enables the VM's system-assigned managed identity."),
        Example("Update-AzVM -ResourceGroupName myRG -VM $vm -IdentityType UserAssigned -IdentityId $uai.Id",
                "Attaches a user-assigned identity (and removes the system-assigned one)."),
        Example("Update-AzVM -ResourceGroupName myRG -VM $vm -IdentityType None", "Removes every identity."),
    )

    def process(self) -> None:
        p = self.bound
        vm_in = p.get("VM") if p.get("VM") is not None else self.input
        rg, name = self.target_from(vm_in, rg=p.get("ResourceGroupName"), name=p.get("Name"))
        if isinstance(vm_in, PSObject) and vm_in.get("Name") and not p.get("Name"):
            name = str(vm_in.get("Name"))
            vm_rg = rg_of(str(vm_in.get("Id") or ""))
            if vm_rg and vm_rg.casefold() != rg.casefold():
                # tutorial-windows-vm-ua-arm gets the VM from one group and passes another to Update-AzVM
                self.write_warning(f"The VM object $vm is in resource group '{vm_rg}', not '{rg}'; updating it "
                                   f"in '{vm_rg}'.")
                rg = vm_rg
        if not self.should_process(name, "Update"):
            return
        identity_type: str | None = p.get("IdentityType")
        if identity_type is None and "AssignIdentity" in p:
            identity_type = _assign_identity_type(p.get("AssignIdentity"))
            if identity_type is None:  # -AssignIdentity:$SystemAssigned (undefined variable): name the typo
                from azshell.services.compute._vmbody import assign_identity_hint

                assign_identity_hint(self, p.get("AssignIdentity"))
        ids = p.get("IdentityId")
        ids_list = [str(i) for i in ids] if ids is not None else None
        current = self.get_vm(rg, name)
        body: dict[str, Any] = {}
        if identity_type is None and ids_list is not None:
            identity_type = "UserAssigned"
        if identity_type is None and isinstance(vm_in, PSObject):
            identity_type, ids_list = self._identity_from_object(vm_in, current)
        if identity_type is not None:
            body["identity"] = identity_body(identity_type, ids_list, current.get("identity"))
        tag = p.get("Tag")
        if tag is not None:
            body["tags"] = {str(k): str(v) for k, v in tag.items()}
        resp_id: str | None = None
        if body:
            resp = self.arm_request("PATCH", self.vm_path(rg, name), API_COMPUTE, body=body)
            if resp.status_code >= 400:
                self.raise_arm_error(resp)
            resp_id = resp.headers.get("x-ms-request-id")
            if p.get("Realistic") and identity_type is not None and "system" in identity_type.casefold():
                was_on = bool((current.get("identity") or {}).get("principalId"))
                self.realistic_identity(self.get_vm(rg, name), already_on=was_on)
        self.write(operation_response(resp_id or self.services.new_guid()))

    @staticmethod
    def _identity_from_object(vm: PSObject, current: dict[str, Any]) -> tuple[str | None, list[str] | None]:
        """A VM object whose ``.Identity`` was edited in place (2018: ``$vm.Identity.IdentityIds = ...``)."""
        ident = vm.get("Identity")
        if not isinstance(ident, PSObject):
            return None, None
        t = ident.get("Type")
        cur = current.get("identity") or {}
        cur_type = arm_identity_type_to_az(cur.get("type")) or "None"
        raw_ids = ident.get("IdentityIds")
        table = ident.get("UserAssignedIdentities")
        ids: list[str] | None = None
        if raw_ids is not None:
            ids = [str(x) for x in (raw_ids if isinstance(raw_ids, list) else [raw_ids])]
        elif isinstance(table, PSHashtable):
            ids = [str(k) for k in table.keys()]
        cur_ids = sorted(k.casefold() for k in (cur.get("userAssignedIdentities") or {}))
        changed_ids = ids is not None and sorted(i.casefold() for i in ids) != cur_ids
        if t is None or (str(t).casefold() == cur_type.casefold() and not changed_ids):
            return None, None
        return str(t), ids


class RemoveAzVM(VmCmdlet):
    name = "Remove-AzVM"
    aliases = ("Remove-AzureRmVM",)
    synopsis = "Removes a virtual machine from Azure."
    description = ("Deletes the VM through ARM. Its system-assigned identity is deleted with it; role "
                   "assignments of that identity stay behind, orphaned (ObjectType Unknown), as in Azure.")
    supports_should_process = True
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group",
              value_from_pipeline_by_property_name=True),
        Param("Name", "string", position=1, aliases=("ResourceName", "VMName"), completer="vm",
              value_from_pipeline_by_property_name=True),
        Param("Id", "string", aliases=("ResourceId",)),
        Param("Force", "switch"),
        Param("AsJob", "switch"),
        Param("NoWait", "switch"),
    )
    outputs = ("Microsoft.Azure.Commands.Compute.Models.PSComputeLongRunningOperation",)
    examples = (Example("Remove-AzVM -ResourceGroupName myRG -Name myVM -Force", "Deletes the VM."),)

    def process(self) -> None:
        rg, name = self.target_from(self.input, rg=self.bound.get("ResourceGroupName"),
                                    name=self.bound.get("Name"), resource_id=self.bound.get("Id"))
        if not self.should_process(name, "Remove"):
            return
        self.arm_delete(self.vm_path(rg, name), API_COMPUTE)
        now = self.services._now()
        from datetime import UTC, datetime

        stamp = datetime.fromtimestamp(now, UTC) if now else None
        self.write(PSObject([
            ("OperationId", self.services.new_guid()),
            ("Status", "Succeeded"),
            ("StartTime", stamp),
            ("EndTime", stamp),
            ("Error", None),
        ], type_names=("Microsoft.Azure.Commands.Compute.Models.PSComputeLongRunningOperation", "System.Object")))

COMMANDS = (NewAzVM, GetAzVM, UpdateAzVM, RemoveAzVM)


#: The default views of this module's output types (Az PowerShell's format files).
VIEWS: tuple[ViewSpec, ...] = (
    ViewSpec(PS_VIRTUAL_MACHINE_LIST, "table",
             ("ResourceGroupName", "Name", "Location", "VmSize", "OsType", "NIC", "ProvisioningState", "Zone")),
    ViewSpec(PS_VIRTUAL_MACHINE, "list",
             ("ResourceGroupName", "Id", "VmId", "Name", "Type", "Location", "Tags", "Extensions",
              "HardwareProfile", "NetworkProfile", "OSProfile", "ProvisioningState", "StorageProfile",
              "Identity"),
             {"Tags": pairs("Tags")}),
    ViewSpec(PS_VIRTUAL_MACHINE_INSTANCE_VIEW, "list",
             ("ResourceGroupName", "Name", "ComputerName", "OsName", "HyperVGeneration", "Extensions",
              "Statuses")),
    ViewSpec(PS_OPERATION_RESPONSE, "table",
             ("RequestId", "IsSuccessStatusCode", "StatusCode", "ReasonPhrase")),
)


def register_views(views: ViewTable) -> None:
    register_table(views, VIEWS)


# ------------------------------------------------------------------------------------------- completion
def _vms(s: Any) -> list[str]:
    return [r.name for r in s.store.list_resources(subscription_id(s), None, VM_TYPE)]


COMPLETERS: dict[str, Callable[[Any], list[str]]] = {
    "vm": _vms,
}
