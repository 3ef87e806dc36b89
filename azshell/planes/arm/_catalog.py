"""What ARM knows: resource types, their canonical spelling, api-versions and action strings.

Data only. Each ``ResourceType`` says how ARM spells the type, which api-versions it accepts and which
handler serves it (``vm``, ``vm_extension``, ``user_assigned_identity`` or ``generic``). Action strings follow
ARM's rule ``{Namespace}/{type}[/{childType}]/read|write|delete``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from azshell.model.types import (
    APP_SERVICE_PLAN_TYPE,
    DATA_LAKE_STORE_TYPE,
    KEY_VAULT_TYPE,
    STORAGE_ACCOUNT_TYPE,
    USER_ASSIGNED_IDENTITY_TYPE,
    VM_EXTENSION_TYPE,
    VM_TYPE,
    WEB_SITE_TYPE,
)
from azshell.planes._shared import ApiVersionSpec

__all__ = [
    "AUTHORIZATION_NAMESPACE",
    "ROLE_ASSIGNMENTS_VERSIONS",
    "ROLE_DEFINITIONS_VERSIONS",
    "RESOURCE_GROUPS_VERSIONS",
    "ResourceType",
    "SUBSCRIPTIONS_VERSIONS",
    "find_namespace",
    "find_type",
]

# ---------------------------------------------------------------------------------------------------- actions
READ_SUBSCRIPTION = "Microsoft.Resources/subscriptions/read"
READ_RESOURCE_GROUP = "Microsoft.Resources/subscriptions/resourceGroups/read"
WRITE_RESOURCE_GROUP = "Microsoft.Resources/subscriptions/resourceGroups/write"
DELETE_RESOURCE_GROUP = "Microsoft.Resources/subscriptions/resourceGroups/delete"
READ_RESOURCE_GROUP_RESOURCES = "Microsoft.Resources/subscriptions/resourceGroups/resources/read"
READ_SUBSCRIPTION_RESOURCES = "Microsoft.Resources/subscriptions/resources/read"
READ_ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments/read"
WRITE_ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments/write"
DELETE_ROLE_ASSIGNMENT = "Microsoft.Authorization/roleAssignments/delete"
READ_ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions/read"
WRITE_ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions/write"
DELETE_ROLE_DEFINITION = "Microsoft.Authorization/roleDefinitions/delete"
ASSIGN_USER_ASSIGNED_IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"

AUTHORIZATION_NAMESPACE = "Microsoft.Authorization"
ROLE_ASSIGNMENTS = "roleAssignments"
ROLE_DEFINITIONS = "roleDefinitions"
PERMISSIONS = "permissions"
#: azshell's documented extension: ``POST {scope}/providers/Microsoft.Authorization/checkAccess``.
CHECK_ACCESS = "checkAccess"

# ----------------------------------------------------------------------------------------------- api-versions
_RESOURCES_VERSIONS: tuple[str, ...] = (
    "2013-03-01", "2014-01-01", "2014-02-26", "2014-04", "2014-04-01", "2014-04-01-preview", "2015-01-01",
    "2015-11-01", "2016-02-01", "2016-06-01", "2016-07-01", "2016-09-01", "2017-03-01", "2017-05-01",
    "2017-05-10", "2017-06-01", "2017-08-01", "2017-12-01", "2018-01-01", "2018-02-01", "2018-05-01",
    "2018-06-01", "2018-07-01", "2018-08-01", "2018-09-01", "2018-11-01", "2019-03-01", "2019-05-01",
    "2019-05-10", "2019-06-01", "2019-07-01", "2019-08-01", "2019-09-01", "2019-10-01", "2019-11-01",
    "2020-01-01", "2020-06-01", "2020-08-01", "2020-09-01", "2020-10-01", "2021-01-01", "2021-04-01",
    "2022-01-01", "2022-09-01", "2022-12-01", "2023-07-01", "2024-03-01", "2024-07-01", "2024-11-01",
    "2025-01-01", "2025-03-01", "2025-04-01",
)
RESOURCE_GROUPS_VERSIONS = ApiVersionSpec("resourceGroups", _RESOURCES_VERSIONS, arm_native=True)
SUBSCRIPTIONS_VERSIONS = ApiVersionSpec("subscriptions", _RESOURCES_VERSIONS, arm_native=True)
RESOURCES_LIST_VERSIONS = ApiVersionSpec("resources", _RESOURCES_VERSIONS, arm_native=True)
OPERATION_RESULTS_VERSIONS = ApiVersionSpec("operationresults", _RESOURCES_VERSIONS, arm_native=True)
#: Resource groups answered without ``"type"`` up to this version (the tutorials' documented output).
RESOURCE_GROUP_UNTYPED_UNTIL = "2016-09-01"

_COMPUTE_VERSIONS: tuple[str, ...] = (
    "2015-05-01-preview", "2015-06-15", "2016-03-30", "2016-04-30-preview", "2016-08-30", "2017-03-30",
    "2017-12-01", "2018-04-01", "2018-06-01", "2018-10-01", "2019-03-01", "2019-07-01", "2019-12-01",
    "2020-06-01", "2020-12-01", "2021-03-01", "2021-04-01", "2021-07-01", "2021-11-01", "2022-03-01",
    "2022-08-01", "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01",
    "2024-11-01", "2025-04-01",
)
_MANAGED_IDENTITY_VERSIONS: tuple[str, ...] = (
    "2015-08-31-PREVIEW", "2018-11-30", "2021-09-30-PREVIEW", "2022-01-31-PREVIEW", "2023-01-31",
    "2023-07-31-PREVIEW", "2024-11-30",
)
_ROLE_ASSIGNMENT_VERSIONS: tuple[str, ...] = (
    "2014-04-01-preview", "2014-07-01-preview", "2014-10-01-preview", "2015-05-01-preview", "2015-06-01",
    "2015-07-01", "2016-07-01", "2017-05-01", "2017-09-01", "2017-10-01-preview", "2018-01-01-preview",
    "2018-07-01", "2018-09-01-preview", "2018-12-01-preview", "2019-04-01-preview", "2020-03-01-preview",
    "2020-04-01-preview", "2020-08-01-preview", "2020-10-01-preview", "2021-04-01-preview", "2022-01-01-preview",
    "2022-04-01",
)
_ROLE_DEFINITION_VERSIONS: tuple[str, ...] = (
    "2014-04-01-preview", "2014-07-01-preview", "2014-10-01-preview", "2015-05-01-preview", "2015-06-01",
    "2015-07-01", "2016-07-01", "2017-05-01", "2017-09-01", "2018-01-01-preview", "2018-07-01",
    "2022-04-01", "2022-05-01-preview",
)
ROLE_ASSIGNMENTS_VERSIONS = ApiVersionSpec(ROLE_ASSIGNMENTS, _ROLE_ASSIGNMENT_VERSIONS)
ROLE_DEFINITIONS_VERSIONS = ApiVersionSpec(ROLE_DEFINITIONS, _ROLE_DEFINITION_VERSIONS)
_PERMISSIONS_VERSIONS: tuple[str, ...] = (
    "2015-06-01", "2015-07-01", "2017-05-01", "2018-01-01-preview", "2018-07-01", "2022-04-01",
    "2022-05-01-preview",
)
PERMISSIONS_VERSIONS = ApiVersionSpec(PERMISSIONS, _PERMISSIONS_VERSIONS)
CHECK_ACCESS_VERSIONS = ApiVersionSpec(CHECK_ACCESS, _PERMISSIONS_VERSIONS)

_WEB_VERSIONS: tuple[str, ...] = (
    "2014-04-01", "2014-06-01", "2014-11-01", "2015-02-01", "2015-04-01", "2015-05-01", "2015-06-01",
    "2015-08-01", "2015-11-01", "2016-03-01", "2016-08-01", "2016-09-01", "2018-02-01", "2018-11-01",
    "2019-08-01", "2020-06-01", "2020-09-01", "2020-10-01", "2020-12-01", "2021-01-01", "2021-01-15",
    "2021-02-01", "2021-03-01", "2022-03-01", "2022-09-01", "2023-01-01", "2023-12-01", "2024-04-01",
    "2024-11-01",
)
_KEY_VAULT_VERSIONS: tuple[str, ...] = (
    "2014-12-19-preview", "2015-06-01", "2016-10-01", "2018-02-14", "2018-02-14-preview", "2019-09-01",
    "2020-04-01-preview", "2021-04-01-preview", "2021-06-01-preview", "2021-10-01", "2021-11-01-preview",
    "2022-02-01-preview", "2022-07-01", "2022-11-01", "2023-02-01", "2023-07-01", "2024-11-01",
)
_DATA_LAKE_STORE_VERSIONS: tuple[str, ...] = ("2015-10-01-preview", "2016-11-01")
_STORAGE_VERSIONS: tuple[str, ...] = (
    "2015-05-01-preview", "2015-06-15", "2016-01-01", "2016-05-01", "2016-12-01", "2017-06-01", "2017-10-01",
    "2018-02-01", "2018-03-01-preview", "2018-07-01", "2018-11-01", "2019-04-01", "2019-06-01", "2020-08-01-preview",
    "2021-01-01", "2021-02-01", "2021-04-01", "2021-06-01", "2021-08-01", "2021-09-01", "2022-05-01",
    "2022-09-01", "2023-01-01", "2023-04-01", "2023-05-01", "2024-01-01", "2025-01-01",
)
_NETWORK_VERSIONS: tuple[str, ...] = (
    "2014-12-01-preview", "2015-05-01-preview", "2015-06-15", "2016-03-30", "2016-06-01", "2016-07-01",
    "2016-08-01", "2016-09-01", "2016-10-01", "2016-11-01", "2016-12-01", "2017-03-01", "2017-04-01",
    "2017-06-01", "2017-08-01", "2017-09-01", "2017-10-01", "2017-11-01", "2018-01-01", "2018-02-01",
    "2018-04-01", "2018-06-01", "2018-07-01", "2018-08-01", "2018-10-01", "2018-11-01", "2018-12-01",
    "2019-02-01", "2019-04-01", "2019-06-01", "2019-07-01", "2019-08-01", "2019-09-01", "2019-11-01",
    "2019-12-01", "2020-03-01", "2020-04-01", "2020-05-01", "2020-06-01", "2020-07-01", "2020-08-01",
    "2020-11-01", "2021-02-01", "2021-03-01", "2021-05-01", "2021-08-01", "2022-01-01", "2022-05-01",
    "2022-07-01", "2022-09-01", "2022-11-01", "2023-02-01", "2023-04-01", "2023-05-01", "2023-06-01",
    "2023-09-01", "2023-11-01", "2024-01-01", "2024-03-01", "2024-05-01",
)

Handler = Literal["vm", "vm_extension", "user_assigned_identity", "generic"]


@dataclass(frozen=True)
class ResourceType:
    """One ARM resource type as its provider registers it."""

    full_type: str  # "Microsoft.Compute/virtualMachines/extensions"
    api: ApiVersionSpec
    handler: Handler = "generic"
    has_identity: bool = False

    @property
    def namespace(self) -> str:
        return self.full_type.split("/", 1)[0]

    @property
    def type_path(self) -> str:
        """The type without its namespace (``virtualMachines/extensions``), as ARM's messages name it."""
        return self.full_type.split("/", 1)[1]

    @property
    def levels(self) -> int:
        return self.full_type.count("/")

    def action(self, verb: str) -> str:
        """``{full_type}/{verb}`` — ``read``, ``write``, ``delete``."""
        return f"{self.full_type}/{verb}"


def _t(full_type: str, versions: tuple[str, ...], handler: Handler = "generic", identity: bool = False) -> ResourceType:
    return ResourceType(full_type, ApiVersionSpec(full_type.split("/", 1)[1], versions), handler, identity)


_NETWORK_TYPES = (
    "virtualNetworks", "virtualNetworks/subnets", "networkInterfaces", "publicIPAddresses",
    "networkSecurityGroups", "networkSecurityGroups/securityRules", "loadBalancers", "routeTables",
    "privateEndpoints", "applicationGateways", "natGateways", "bastionHosts",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    _t(VM_TYPE, _COMPUTE_VERSIONS, "vm", identity=True),
    _t(VM_EXTENSION_TYPE, _COMPUTE_VERSIONS, "vm_extension"),
    _t("Microsoft.Compute/disks", _COMPUTE_VERSIONS),
    _t("Microsoft.Compute/availabilitySets", _COMPUTE_VERSIONS),
    _t("Microsoft.Compute/virtualMachineScaleSets", _COMPUTE_VERSIONS, identity=True),
    _t(USER_ASSIGNED_IDENTITY_TYPE, _MANAGED_IDENTITY_VERSIONS, "user_assigned_identity"),
    _t(WEB_SITE_TYPE, _WEB_VERSIONS, identity=True),
    _t("Microsoft.Web/sites/slots", _WEB_VERSIONS, identity=True),
    _t("Microsoft.Web/sites/config", _WEB_VERSIONS),
    _t(APP_SERVICE_PLAN_TYPE, _WEB_VERSIONS),
    _t(KEY_VAULT_TYPE, _KEY_VAULT_VERSIONS),
    _t("Microsoft.KeyVault/vaults/secrets", _KEY_VAULT_VERSIONS),
    _t("Microsoft.KeyVault/vaults/accessPolicies", _KEY_VAULT_VERSIONS),
    _t(DATA_LAKE_STORE_TYPE, _DATA_LAKE_STORE_VERSIONS, identity=True),
    _t(STORAGE_ACCOUNT_TYPE, _STORAGE_VERSIONS, identity=True),
    *(_t(f"Microsoft.Network/{t}", _NETWORK_VERSIONS) for t in _NETWORK_TYPES),
)

_BY_TYPE: dict[str, ResourceType] = {t.full_type.lower(): t for t in RESOURCE_TYPES}
_NAMESPACES: dict[str, str] = {t.namespace.lower(): t.namespace for t in RESOURCE_TYPES}
_NAMESPACES["microsoft.authorization"] = AUTHORIZATION_NAMESPACE
_NAMESPACES["microsoft.resources"] = "Microsoft.Resources"


def find_namespace(namespace: str) -> str | None:
    """ARM's spelling of a registered provider namespace (case-insensitive), or None."""
    return _NAMESPACES.get(namespace.lower())


def find_type(full_type: str) -> ResourceType | None:
    """The registered type ``Namespace/type[/child]`` (case-insensitive), or None."""
    return _BY_TYPE.get(full_type.lower())
