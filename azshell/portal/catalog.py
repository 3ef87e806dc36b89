"""What the portal knows about Azure's UI rather than its APIs: friendly type names, which blades a resource type
has, Key Vault's access-policy templates and permission names, the role groups of the Add role assignment page."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

__all__ = [
    "ACCESS_POLICY_TEMPLATES",
    "CERTIFICATE_PERMISSIONS",
    "CONFIGURATION_TYPES",
    "IDENTITY_TYPES",
    "KEY_PERMISSIONS",
    "MSI_EXTENSION_SAVE_NOTE",
    "PRIVILEGED_ROLES",
    "SECRET_PERMISSIONS",
    "USER_ASSIGNED_TYPES",
    "friendly_type",
]

VM = "microsoft.compute/virtualmachines"
VMSS = "microsoft.compute/virtualmachinescalesets"
SITE = "microsoft.web/sites"
SLOT = "microsoft.web/sites/slots"
VAULT = "microsoft.keyvault/vaults"
DATA_LAKE = "microsoft.datalakestore/accounts"
STORAGE = "microsoft.storage/storageaccounts"
UAI = "microsoft.managedidentity/userassignedidentities"

#: Resource types (lower-case) whose Identity blade the portal shows, and those that take user-assigned ones.
IDENTITY_TYPES = frozenset({VM, VMSS, SITE, SLOT})
USER_ASSIGNED_TYPES = frozenset({VM, VMSS, SITE, SLOT})
#: Resource types with the 2017 "Configuration" blade (its "Managed service identity" Yes/No) and "Extensions".
CONFIGURATION_TYPES = frozenset({VM})

#: The 2017 Configuration blade's note under Save (msi-qs-configure-portal-windows-vm.md, 09/19/2017).
MSI_EXTENSION_SAVE_NOTE = "This operation can take 60 seconds or more to complete."

_FRIENDLY: Mapping[str, str] = MappingProxyType({
    VM: "Virtual machine",
    VMSS: "Virtual machine scale set",
    SITE: "App Service",
    SLOT: "App Service (Slot)",
    VAULT: "Key vault",
    DATA_LAKE: "Data Lake Storage Gen1",
    STORAGE: "Storage account",
    UAI: "Managed Identity",
    "microsoft.web/serverfarms": "App Service plan",
    "microsoft.network/networkinterfaces": "Network interface",
    "microsoft.network/virtualnetworks": "Virtual network",
    "microsoft.network/publicipaddresses": "Public IP address",
    "microsoft.network/networksecuritygroups": "Network security group",
    "microsoft.compute/disks": "Disk",
    "microsoft.compute/virtualmachines/extensions": "Virtual machine extension",
})


def friendly_type(resource_type: str, kind: str = "") -> str:
    """The portal's name for a resource type ("Virtual machine", "Function App", ...)."""
    low = resource_type.lower()
    if low == SITE and "functionapp" in kind.lower():
        return "Function App"
    return _FRIENDLY.get(low, resource_type)


# ---------------------------------------------------------------------------------------------- Key Vault
#: The permission names ARM takes in ``accessPolicies[].permissions`` (as the portal's check boxes list them).
KEY_PERMISSIONS: tuple[str, ...] = (
    "get", "list", "update", "create", "import", "delete", "recover", "backup", "restore",
    "getrotationpolicy", "setrotationpolicy", "rotate", "decrypt", "encrypt", "unwrapKey", "wrapKey", "verify",
    "sign", "release", "purge",
)
SECRET_PERMISSIONS: tuple[str, ...] = ("get", "list", "set", "delete", "recover", "backup", "restore", "purge")
CERTIFICATE_PERMISSIONS: tuple[str, ...] = (
    "get", "list", "update", "create", "import", "delete", "recover", "backup", "restore", "managecontacts",
    "manageissuers", "getissuers", "listissuers", "setissuers", "deleteissuers", "purge",
)

# The management sets of the portal's templates, as terraform-provider-azurerm's
# ``azurerm_key_vault_access_policy`` data source copies them from the portal (keys: management + rotation
# policy; secrets: management; certificates: management without recover/backup/restore).
_KEY_MANAGEMENT = ("get", "list", "update", "create", "import", "delete", "recover", "backup", "restore",
                   "getrotationpolicy", "setrotationpolicy", "rotate")
_SECRET_MANAGEMENT = ("get", "list", "set", "delete", "recover", "backup", "restore")
_CERTIFICATE_MANAGEMENT = ("get", "list", "update", "create", "import", "delete", "managecontacts",
                           "manageissuers", "getissuers", "listissuers", "setissuers", "deleteissuers")
_WRAP = ("get", "list", "unwrapKey", "wrapKey")


def _template(keys: tuple[str, ...] = (), secrets: tuple[str, ...] = (),
              certificates: tuple[str, ...] = ()) -> Mapping[str, tuple[str, ...]]:
    return MappingProxyType({"keys": keys, "secrets": secrets, "certificates": certificates})


#: "Configure from a template" on the Add access policy page: name → permissions by kind.
ACCESS_POLICY_TEMPLATES: Mapping[str, Mapping[str, tuple[str, ...]]] = MappingProxyType({
    "Key, Secret, & Certificate Management": _template(_KEY_MANAGEMENT, _SECRET_MANAGEMENT, _CERTIFICATE_MANAGEMENT),
    "Key & Secret Management": _template(_KEY_MANAGEMENT, _SECRET_MANAGEMENT),
    "Secret & Certificate Management": _template(secrets=_SECRET_MANAGEMENT, certificates=_CERTIFICATE_MANAGEMENT),
    "Key & Certificate Management": _template(_KEY_MANAGEMENT, certificates=_CERTIFICATE_MANAGEMENT),
    "Key Management": _template(_KEY_MANAGEMENT),
    "Secret Management": _template(secrets=_SECRET_MANAGEMENT),
    "Certificate Management": _template(certificates=_CERTIFICATE_MANAGEMENT),
    # INFERRED: the wrap/unwrap templates' sets, from the services' documented key permissions.
    "SQL Server Connector": _template(_WRAP),
    "Azure Data Lake Storage or Azure Storage": _template(_WRAP),
    "Azure Backup": _template(("get", "list", "backup"), ("get", "list", "backup")),
    "Exchange Online Customer Key": _template(_WRAP),
    "SharePoint Online Customer Key": _template(_WRAP),
    "Azure Information BYOK": _template(("get", "decrypt", "sign")),
})

# ---------------------------------------------------------------------------------------------- roles
#: The "Privileged administrator roles" tab of Add role assignment; every other role is a job function role.
PRIVILEGED_ROLES: tuple[str, ...] = (
    "Owner", "Contributor", "User Access Administrator", "Role Based Access Control Administrator",
)
