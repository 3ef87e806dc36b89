"""Azure strings the cmdlets use, in their real form: API versions, .NET type names, enum names.

Kept in one place so every cmdlet spells them the same way Az PowerShell and ARM do. Hostnames, endpoints and
token audiences live in ``azshell.hostnames``.
"""

from __future__ import annotations

# ARM's endpoint and audience, re-exported for the cmdlet base class (import them from azshell.hostnames).
from azshell.hostnames import ARM_ENDPOINT as ARM_ENDPOINT
from azshell.hostnames import ARM_RESOURCE as ARM_RESOURCE

# --------------------------------------------------------------------------------------------- endpoints
IMDS_API_VERSION = "2018-02-01"
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

# ------------------------------------------------------------ App Service, storage, user-assigned identities
API_WEB = "2022-09-01"
API_STORAGE = "2023-01-01"
WEB_SITE_TYPE = "Microsoft.Web/sites"
APP_SERVICE_PLAN_TYPE = "Microsoft.Web/serverfarms"
STORAGE_ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"
PS_SITE = "Microsoft.Azure.Commands.WebApps.Models.PSSite"
PS_APP_SERVICE_PLAN = "Microsoft.Azure.Commands.WebApps.Models.WebApp.PSAppServicePlan"
PS_FUNCTION_APP = "Microsoft.Azure.PowerShell.Cmdlets.Functions.Models.Api20231201.Site"
PS_STORAGE_ACCOUNT = "Microsoft.Azure.Commands.Management.Storage.Models.PSStorageAccount"
PS_USER_ASSIGNED_IDENTITY = "Microsoft.Azure.PowerShell.Cmdlets.ManagedServiceIdentity.Models.Api20230131.Identity"
PS_MANAGED_SERVICE_IDENTITY = "Microsoft.Azure.Management.WebSites.Models.ManagedServiceIdentity"
#: ``ClientSecretUrl`` as the docs print it for a new user-assigned identity.
UAI_CLIENT_SECRET_URL_TEMPLATE = (
    "https://control-{location}.identity.azure.net{id}/credentials?tid={tid}&oid={oid}&aid={aid}"
)
#: New-AzAppServicePlan -Tier → (sku name, family) for one small worker.
APP_SERVICE_TIERS: dict[str, tuple[str, str]] = {
    "Free": ("F1", "F"), "Shared": ("D1", "D"), "Basic": ("B1", "B"), "Standard": ("S1", "S"),
    "Premium": ("P1", "P"), "PremiumV2": ("P1v2", "Pv2"), "PremiumV3": ("P1v3", "Pv3"),
    "PremiumContainer": ("PC2", "PC"), "Isolated": ("I1", "I"), "IsolatedV2": ("I1v2", "Iv2"),
}
FUNCTION_RUNTIMES = ("DotNet", "DotNet-Isolated", "Node", "Java", "PowerShell", "Python", "Custom")
STORAGE_SKUS = (
    "Standard_LRS", "Standard_ZRS", "Standard_GRS", "Standard_RAGRS", "Premium_LRS", "Premium_ZRS",
    "Standard_GZRS", "Standard_RAGZRS",
)
#: Az.Functions' error when -StorageAccountName names no storage account (HelperFunctions.ps1).
STORAGE_ACCOUNT_NOT_FOUND = "Storage account '{name}' does not exist."
#: ARM's ``AccountNameInvalid`` text (Microsoft.Storage).
STORAGE_ACCOUNT_NAME_INVALID = (
    "{name} is not a valid storage account name. Storage account name must be between 3 and 24 characters in "
    "length and use numbers and lower-case letters only."
)
STORAGE_ACCOUNT_TAKEN = "The storage account named {name} is already taken."
ENTER_APP_HINT = "use Enter-AzWebApp -ResourceGroupName RG -Name APP first"
