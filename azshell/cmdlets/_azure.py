"""Azure strings the cmdlets use, in their real form: endpoints, API versions, .NET type names, enum names.

Kept in one place so every cmdlet spells them the same way Az PowerShell and ARM do.
"""

from __future__ import annotations

# --------------------------------------------------------------------------------------------- endpoints
ARM_ENDPOINT = "https://management.azure.com"
ARM_RESOURCE = "https://management.azure.com/"
IMDS_HOST = "169.254.169.254"
IMDS_TOKEN_URL = "http://169.254.169.254/metadata/identity/oauth2/token"
IMDS_API_VERSION = "2018-02-01"
MSI_EXTENSION_PORT = 50342
MSI_EXTENSION_TOKEN_URL = "http://localhost:50342/oauth2/token"
AZURE_CLOUD = "AzureCloud"

# ------------------------------------------------------------------------------------------ API versions
API_SUBSCRIPTIONS = "2022-12-01"
API_RESOURCE_GROUPS = "2021-04-01"
API_COMPUTE = "2023-03-01"
API_AUTHORIZATION = "2022-04-01"
API_MANAGED_IDENTITY = "2023-01-31"

# ---------------------------------------------------------------------------------------- ARM resource types
VM_TYPE = "Microsoft.Compute/virtualMachines"
VM_EXTENSION_TYPE = "Microsoft.Compute/virtualMachines/extensions"
USER_ASSIGNED_IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
ROLE_ASSIGNMENTS_PATH = "providers/Microsoft.Authorization/roleAssignments"
ROLE_DEFINITIONS_PATH = "providers/Microsoft.Authorization/roleDefinitions"

# ------------------------------------------------------------------------------------ .NET output type names
PS_AZURE_PROFILE = "Microsoft.Azure.Commands.Profile.Models.Core.PSAzureProfile"
PS_AZURE_CONTEXT = "Microsoft.Azure.Commands.Profile.Models.Core.PSAzureContext"
PS_AZURE_SUBSCRIPTION = "Microsoft.Azure.Commands.Profile.Models.PSAzureSubscription"
PS_AZURE_RM_ACCOUNT = "Microsoft.Azure.Commands.Profile.Models.PSAzureRmAccount"
PS_RESOURCE_GROUP = "Microsoft.Azure.Commands.ResourceManager.Cmdlets.SdkModels.PSResourceGroup"
PS_VIRTUAL_MACHINE = "Microsoft.Azure.Commands.Compute.Models.PSVirtualMachine"
PS_VIRTUAL_MACHINE_LIST = "Microsoft.Azure.Commands.Compute.Models.PSVirtualMachineList"
PS_VIRTUAL_MACHINE_INSTANCE_VIEW = "Microsoft.Azure.Commands.Compute.Models.PSVirtualMachineInstanceView"
PS_VM_IDENTITY = "Microsoft.Azure.Management.Compute.Models.VirtualMachineIdentity"
PS_VM_UAI_VALUE = "Microsoft.Azure.Management.Compute.Models.UserAssignedIdentitiesValue"
PS_OPERATION_RESPONSE = "Microsoft.Azure.Commands.Compute.Models.PSAzureOperationResponse"
PS_ROLE_ASSIGNMENT = "Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleAssignment"
PS_ROLE_DEFINITION = "Microsoft.Azure.Commands.Resources.Models.Authorization.PSRoleDefinition"
PS_WEB_RESPONSE = "Microsoft.PowerShell.Commands.HtmlWebResponseObject"
PS_BASIC_WEB_RESPONSE = "Microsoft.PowerShell.Commands.BasicHtmlWebResponseObject"
AZSHELL_TOKEN = "AzShell.ManagedIdentityToken"
AZSHELL_MSI_STATUS = "AzShell.MsiStatus"
AZSHELL_HOST = "AzShell.HostContext"

# ------------------------------------------------------------------------------------ identity type names
#: Az PowerShell's enum names (what -IdentityType takes and what $vm.Identity.Type shows)
AZ_IDENTITY_TYPES = ("SystemAssigned", "UserAssigned", "SystemAssignedUserAssigned", "None")
ARM_IDENTITY_SYSTEM_USER = "SystemAssigned, UserAssigned"
_AZ_TO_ARM = {
    "systemassigned": "SystemAssigned",
    "userassigned": "UserAssigned",
    "systemassigneduserassigned": ARM_IDENTITY_SYSTEM_USER,
    "none": "None",
}


def az_identity_type_to_arm(value: str) -> str:
    """``SystemAssignedUserAssigned`` → ARM's ``SystemAssigned, UserAssigned`` (case-insensitive input)."""
    key = value.replace(" ", "").replace(",", "").casefold()
    return _AZ_TO_ARM.get(key, value)


def arm_identity_type_to_az(value: str | None) -> str | None:
    """ARM's ``SystemAssigned, UserAssigned`` → Az's ``SystemAssignedUserAssigned``; None stays None."""
    if value is None:
        return None
    key = value.replace(" ", "").replace(",", "").casefold()
    for az in AZ_IDENTITY_TYPES:
        if az.casefold() == key:
            return az
    return value


# ------------------------------------------------------------------------------------------------ regions
#: Region names as ``Get-AzLocation`` lists them (Location column), public cloud.
AZURE_LOCATIONS = (
    "eastus", "eastus2", "southcentralus", "westus2", "westus3", "australiaeast", "southeastasia",
    "northeurope", "swedencentral", "uksouth", "westeurope", "centralus", "southafricanorth",
    "centralindia", "eastasia", "japaneast", "koreacentral", "canadacentral", "francecentral",
    "germanywestcentral", "italynorth", "norwayeast", "polandcentral", "switzerlandnorth", "uaenorth",
    "brazilsouth", "israelcentral", "qatarcentral", "northcentralus", "westus", "westcentralus",
    "japanwest", "koreasouth", "australiasoutheast", "australiacentral", "canadaeast", "ukwest",
    "southindia", "westindia", "francesouth", "germanynorth", "norwaywest", "switzerlandwest",
    "uaecentral", "brazilsoutheast", "southafricawest",
)

# ------------------------------------------------------------------------------------------- VM defaults
DEFAULT_VM_SIZE = "Standard_D2s_v3"
DEFAULT_VM_IMAGE = "Win2016Datacenter"
DEFAULT_ADMIN_USERNAME = "azureuser"
#: New-AzVM -Image aliases (the "simple" parameter set): alias → (publisher, offer, sku, osType)
VM_IMAGE_ALIASES: dict[str, tuple[str, str, str, str]] = {
    "win2016datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2016-Datacenter", "Windows"),
    "win2019datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2019-Datacenter", "Windows"),
    "win2022datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2022-datacenter-azure-edition", "Windows"),
    "win2012r2datacenter": ("MicrosoftWindowsServer", "WindowsServer", "2012-R2-Datacenter", "Windows"),
    "ubuntults": ("Canonical", "UbuntuServer", "16.04-LTS", "Linux"),
    "ubuntu2204": ("Canonical", "0001-com-ubuntu-server-jammy", "22_04-lts-gen2", "Linux"),
    "ubuntu2404": ("Canonical", "ubuntu-24_04-lts", "server", "Linux"),
    "debian11": ("Debian", "debian-11", "11-backports-gen2", "Linux"),
    "centos85gen2": ("OpenLogic", "CentOS", "8_5-gen2", "Linux"),
    "rhellatest": ("RedHat", "RHEL", "8-lvm-gen2", "Linux"),
}

# ------------------------------------------------------------------------------------ MSI VM extension (2017)
MSI_EXTENSION_PUBLISHER = "Microsoft.ManagedIdentity"
MSI_EXTENSION_WINDOWS = "ManagedIdentityExtensionForWindows"
MSI_EXTENSION_LINUX = "ManagedIdentityExtensionForLinux"
MSI_EXTENSION_VERSION = "1.0"

# ----------------------------------------------------------------------------------------- Az messages
NOT_LOGGED_IN = "Run Connect-AzAccount to login."
NO_SUBSCRIPTION = (
    "No subscription found in the context.  Please ensure that the credentials you provided are authorized "
    "to access an Azure subscription, then run Connect-AzAccount to login."
)
RG_NOT_FOUND = "Provided resource group does not exist."
ROLE_ASSIGNMENT_EXISTS = "The role assignment already exists."
ROLE_NOT_FOUND = "Cannot find role definition with name '{name}'."
ROLE_ASSIGNMENT_NOT_FOUND = "The provided information does not map to a role assignment."
MSI_NO_IDENTITY = "ManagedIdentityCredential authentication unavailable. No identity has been assigned to this resource."
MSI_UAI_NOT_ASSIGNED = (
    "ManagedIdentityCredential authentication unavailable. The requested identity has not been assigned to this "
    "resource."
)
MSI_NO_ENDPOINT = "ManagedIdentityCredential authentication unavailable, no response from the IMDS endpoint."
MSI_ACCOUNT_ID = "MSI@50342"
ENTER_VM_HINT = "use Enter-AzVM -ResourceGroupName RG -Name VM first"
