"""Stepping onto an emulated host: Enter-AzVM and Exit-AzVM.

``Enter-AzVM`` reads the VM through ARM with the current account (so a user who may not read the VM cannot
enter it), then puts the session on it: the prompt becomes ``[myVM]: PS C:\\>``, requests to
``169.254.169.254`` (and ``localhost:50342`` when the 2017 MSI extension is installed) are answered for the
VM's identities, and the Az account is empty until ``Connect-AzAccount -Identity``. ``Exit-AzVM`` (or ``exit``)
leaves.
"""

from __future__ import annotations

from typing import Any

from azshell.cmdlets._azure import MSI_EXTENSION_LINUX, MSI_EXTENSION_WINDOWS
from azshell.hostnames import IMDS_TOKEN_URL, MSI_EXTENSION_TOKEN_URL
from azshell.lang.cmdlet import CmdletError, Example
from azshell.services.compute.cmdlets import VM_TARGET_PARAMS, VmCmdlet, _os_type

__all__ = ["EnterAzVM", "ExitAzVM", "has_msi_extension"]


def has_msi_extension(vm: dict[str, Any]) -> bool:
    """True when the VM JSON lists the 2017 MSI VM extension."""
    names = {MSI_EXTENSION_WINDOWS.casefold(), MSI_EXTENSION_LINUX.casefold()}
    for ext in vm.get("resources") or []:
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
    params = VM_TARGET_PARAMS
    default_parameter_set = "ByName"
    outputs = ()
    examples = (
        Example("Enter-AzVM -ResourceGroupName myRG -Name myVM",
                "Step onto myVM; then call the IMDS token endpoint as code on the VM would."),
        Example("Get-AzVM -ResourceGroupName myRG -Name myVM | Enter-AzVM", "The same, from the pipeline."),
    )

    def process(self) -> None:
        current = self.services.current_host
        if current is not None:
            raise CmdletError(
                f"You are already on {current.name}. Use Exit-AzVM (or exit) first, then Enter-AzVM again.",
                category="InvalidOperation", error_id="AlreadyOnHost")
        rg, name = self.bound_target()
        data = self.get_vm(rg, name)
        rid = str(data.get("id") or self.vm_path(rg, name))
        host = self.services.enter_host(rid, name=str(data.get("name") or name), resource_group=rg, kind="vm",
                                        os_type=_os_type(data))
        endpoints = [IMDS_TOKEN_URL]
        if has_msi_extension(data):
            endpoints.append(MSI_EXTENSION_TOKEN_URL)
        self.ctx.write_host(
            f"Now on {host.name}. Token endpoint(s): {', '.join(endpoints)}. The Az account is empty here until "
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
