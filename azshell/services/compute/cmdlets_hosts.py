"""Stepping onto an emulated host: Enter-AzVM and Exit-AzVM.

``Enter-AzVM`` reads the VM through ARM with the current account (so a user who may not read the VM cannot
enter it), then puts the session on it: the prompt becomes ``[myVM]: PS C:\\>``, requests to
``169.254.169.254`` (and ``localhost:50342`` when the 2017 MSI extension is installed) are answered for the
VM's identities, and the Az account is empty until ``Connect-AzAccount -Identity``. ``Exit-AzVM`` (or ``exit``)
leaves.
"""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import API_COMPUTE, MSI_EXTENSION_LINUX, MSI_EXTENSION_WINDOWS
from azshell.hostnames import IMDS_TOKEN_URL, MSI_EXTENSION_TOKEN_URL
from azshell.lang.cmdlet import CmdletError, Example, Param
from azshell.services.compute.arm_vmss import instance_name
from azshell.services.compute.cmdlets import VM_TARGET_PARAMS, VmCmdlet, _os_type
from azshell.services.compute.cmdlets_vmss import vmss_path

__all__ = ["EnterAzVM", "ExitAzVM", "has_msi_extension"]


def has_msi_extension(vm: dict[str, Any]) -> bool:
    """True when the VM JSON lists the 2017 MSI VM extension (a scale set's: in its extension profile)."""
    names = {MSI_EXTENSION_WINDOWS.casefold(), MSI_EXTENSION_LINUX.casefold()}
    profile = (vm.get("properties") or {}).get("virtualMachineProfile") if isinstance(vm.get("properties"), dict) \
        else None
    ext_profile = profile.get("extensionProfile") if isinstance(profile, dict) else None
    profile_exts = ext_profile.get("extensions") if isinstance(ext_profile, dict) else None
    for ext in [*(vm.get("resources") or []), *(profile_exts if isinstance(profile_exts, list) else [])]:
        if not isinstance(ext, dict):
            continue
        ext_type = str((ext.get("properties") or {}).get("type", "")).casefold()
        if ext_type in names or str(ext.get("name", "")).casefold() in names:
            return True
    return False


class EnterAzVM(VmCmdlet):
    name = "Enter-AzVM"
    aliases = ("Enter-AzureRmVM",)
    synopsis = "Puts the session on a virtual machine, as an RDP or SSH session would."
    description = (
        "Reads the VM through ARM with the current account, then puts the session on it: the prompt shows "
        "the VM, http://169.254.169.254/metadata/identity/oauth2/token answers for the VM's managed "
        "identities (and http://localhost:50342/oauth2/token when the 2017 MSI extension is installed), and "
        "the Az account is empty until Connect-AzAccount -Identity. Exit-AzVM or exit leaves."
    )
    params = (
        Param("ResourceGroupName", "string", position=0, completer="resource_group",
              parameter_sets=("ByName", "ByScaleSet"), mandatory=True),
        *VM_TARGET_PARAMS[1:],
        Param("VMScaleSetName", "string", completer="vmss", parameter_sets=("ByScaleSet",), mandatory=True,
              help="A scale set: step onto one of its instances (-InstanceId)."),
        Param("InstanceId", "string", parameter_sets=("ByScaleSet",), mandatory=True,
              help="The instance of -VMScaleSetName (0, 1, ...)."),
    )
    default_parameter_set = "ByName"
    outputs = ()
    examples = (
        Example("Enter-AzVM -ResourceGroupName myRG -Name myVM",
                "Step onto myVM; then call the IMDS token endpoint as code on the VM would."),
        Example("Get-AzVM -ResourceGroupName myRG -Name myVM | Enter-AzVM", "The same, from the pipeline."),
        Example("Enter-AzVM -ResourceGroupName myRG -VMScaleSetName myVMSS -InstanceId 0",
                "Step onto instance 0 of a scale set: its token endpoint answers for the scale set's identities."),
    )

    def process(self) -> None:
        current = self.services.current_host
        if current is not None:
            raise CmdletError(
                f"You are already on {current.name}. Use Exit-AzVM (or exit) first, then Enter-AzVM again.",
                category="InvalidOperation", error_id="AlreadyOnHost")
        if self.bound.get("VMScaleSetName"):
            self._enter_instance()
            return
        rg, name = self.bound_target()
        data = self.get_vm(rg, name)
        rid = str(data.get("id") or self.vm_path(rg, name))
        host = self.services.enter_host(rid, name=str(data.get("name") or name), resource_group=rg, kind="vm",
                                        os_type=_os_type(data))
        self._announce(host.name, has_msi_extension(data))

    def _enter_instance(self) -> None:
        """``-VMScaleSetName SS -InstanceId N``: read the scale set and the instance through ARM, then step on."""
        rg, ss = str(self.bound.get("ResourceGroupName")), str(self.bound.get("VMScaleSetName"))
        iid = str(self.bound.get("InstanceId"))
        path = vmss_path(self.subscription_id, rg, ss)
        scale_set = self.arm_get(path, API_COMPUTE)
        instance = self.arm_get(f"{path}/virtualMachines/{iid}", API_COMPUTE)
        scale_set = scale_set if isinstance(scale_set, dict) else {}
        instance = instance if isinstance(instance, dict) else {}
        profile = (scale_set.get("properties") or {}).get("virtualMachineProfile") or {}
        os_type = _os_type({"properties": profile}) if isinstance(profile, dict) else "Windows"
        rid = str(instance.get("id") or f"{path}/virtualMachines/{iid}")
        name = str(instance.get("name") or instance_name(str(scale_set.get("name") or ss), iid))
        host = self.services.enter_host(rid, name=name, resource_group=rg, kind="vmss_vm", os_type=os_type)
        self._announce(host.name, has_msi_extension(scale_set))

    def _announce(self, name: str, extension: bool) -> None:
        endpoints = [IMDS_TOKEN_URL]
        if extension:
            endpoints.append(MSI_EXTENSION_TOKEN_URL)
        host_name = name
        self.ctx.write_host(
            f"Now on {host_name}. Token endpoint(s): {', '.join(endpoints)}. The Az account is empty here until "
            "Connect-AzAccount -Identity. Exit-AzVM (or exit) leaves.")


class ExitAzVM(VmCmdlet):
    name = "Exit-AzVM"
    aliases = ("Exit-AzureRmVM",)
    synopsis = "Leaves the virtual machine the session is on."
    description = "Ends what Enter-AzVM started; the Az context off the VM is as you left it. `exit` does the same."
    params = ()
    outputs = ()
    examples = (Example("Exit-AzVM", "Back to Cloud Shell, signed in as before."),)

    def process(self) -> None:
        self.services.exit_host()

COMMANDS = (EnterAzVM, ExitAzVM)
