"""Typed records of the tenant model. Persistence lives in ``store.py``, never here.

Wire shapes (``to_arm()``) are built by the ARM plane from these records; the records keep what ARM keeps.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, NamedTuple

PrincipalType = Literal["User", "ServicePrincipal", "Group", "Unknown"]

# ARM resource types (real strings)
VM_TYPE = "Microsoft.Compute/virtualMachines"
VM_EXTENSION_TYPE = "Microsoft.Compute/virtualMachines/extensions"
VMSS_TYPE = "Microsoft.Compute/virtualMachineScaleSets"
VMSS_VM_TYPE = "Microsoft.Compute/virtualMachineScaleSets/virtualMachines"
USER_ASSIGNED_IDENTITY_TYPE = "Microsoft.ManagedIdentity/userAssignedIdentities"
WEB_SITE_TYPE = "Microsoft.Web/sites"
APP_SERVICE_PLAN_TYPE = "Microsoft.Web/serverfarms"
KEY_VAULT_TYPE = "Microsoft.KeyVault/vaults"
DATA_LAKE_STORE_TYPE = "Microsoft.DataLakeStore/accounts"
STORAGE_ACCOUNT_TYPE = "Microsoft.Storage/storageAccounts"


@dataclass(frozen=True)
class Tenant:
    tenant_id: str
    display_name: str
    default_domain: str  # e.g. "contoso.onmicrosoft.com"


@dataclass(frozen=True)
class DirectoryObject:
    """A user, group or service principal in the tenant's directory.

    Managed identities are service principals with ``service_principal_type == "ManagedIdentity"`` and
    ``alternative_names == ["isExplicit=False|True", "<resource id>"]`` as Microsoft Graph shows them.
    """

    object_id: str
    tenant_id: str
    object_type: Literal["User", "ServicePrincipal", "Group"]
    display_name: str
    app_id: str | None = None  # service principals: the client id
    user_principal_name: str | None = None  # users
    service_principal_type: str | None = None  # "ManagedIdentity" | "Application"
    alternative_names: tuple[str, ...] = ()
    #: for managed identities: the resource ID the identity belongs to (VM, app, or the UAI itself)
    resource_id: str | None = None


@dataclass(frozen=True)
class Subscription:
    subscription_id: str
    tenant_id: str
    display_name: str
    state: str = "Enabled"


@dataclass(frozen=True)
class ResourceGroup:
    id: str  # /subscriptions/{sub}/resourceGroups/{name}
    subscription_id: str
    name: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)
    provisioning_state: str = "Succeeded"


@dataclass(frozen=True)
class Identity:
    """The ``identity`` block of an ARM resource, kept as ARM shows it.

    ``type`` is ARM's string: "SystemAssigned", "UserAssigned", "SystemAssigned, UserAssigned" or "None".
    ``user_assigned`` maps each attached user-assigned identity's resource ID to (principalId, clientId).
    """

    type: str = "None"
    principal_id: str | None = None
    tenant_id: str | None = None
    user_assigned: dict[str, tuple[str, str]] = field(default_factory=dict)

    @property
    def has_system(self) -> bool:
        return "systemassigned" in self.type.replace(" ", "").lower().split(",")

    @property
    def has_user(self) -> bool:
        return "userassigned" in self.type.replace(" ", "").lower().split(",")

    def to_arm(self) -> dict[str, Any]:
        """The ``identity`` object as ARM returns it (``principalId``/``tenantId`` only with SystemAssigned)."""
        out: dict[str, Any] = {"type": self.type}
        if self.has_system:
            out["principalId"] = self.principal_id
            out["tenantId"] = self.tenant_id
        if self.user_assigned:
            out["userAssignedIdentities"] = {
                rid: {"principalId": pid, "clientId": cid} for rid, (pid, cid) in self.user_assigned.items()
            }
        return out


@dataclass(frozen=True)
class Resource:
    """Any ARM resource: VM, user-assigned identity, web/function app, vault, Data Lake store, ...

    ``properties`` holds the ARM ``properties`` object as ARM returns it (JSON-able), ``extra`` holds
    top-level ARM fields other than the common ones (e.g. ``kind``, ``sku``), and ``identity`` the
    identity block (None when the type has no identity).
    """

    id: str
    subscription_id: str
    resource_group: str
    type: str
    name: str
    location: str
    tags: dict[str, str] = field(default_factory=dict)
    properties: dict[str, Any] = field(default_factory=dict)
    identity: Identity | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def to_arm(self) -> dict[str, Any]:
        """A plain ARM GET body: id, name, type, location, tags, ``extra`` fields, identity, properties."""
        out: dict[str, Any] = {"id": self.id, "name": self.name, "type": self.type, "location": self.location}
        if self.tags:
            out["tags"] = dict(self.tags)
        out.update(self.extra)
        if self.identity is not None:
            out["identity"] = self.identity.to_arm()
        out["properties"] = dict(self.properties)
        return out


@dataclass(frozen=True)
class Permission:
    actions: tuple[str, ...] = ()
    not_actions: tuple[str, ...] = ()
    data_actions: tuple[str, ...] = ()
    not_data_actions: tuple[str, ...] = ()


@dataclass(frozen=True)
class RoleDefinition:
    """``id`` is the bare GUID (``acdd72a7-...``); ARM IDs are built by the plane."""

    id: str
    role_name: str
    description: str
    role_type: Literal["BuiltInRole", "CustomRole"]
    permissions: tuple[Permission, ...]
    assignable_scopes: tuple[str, ...] = ("/",)


@dataclass(frozen=True)
class RoleAssignment:
    """``name`` is the assignment GUID; ``scope`` is stored as given (compare case-insensitively)."""

    name: str
    scope: str
    role_definition_id: str  # bare GUID
    principal_id: str
    principal_type: PrincipalType
    created_on: float = 0.0
    created_by: str | None = None
    description: str | None = None
    condition: str | None = None

    @property
    def id(self) -> str:
        base = "" if self.scope == "/" else self.scope.rstrip("/")
        return f"{base}/providers/Microsoft.Authorization/roleAssignments/{self.name}"


# ARM ``identity.type`` strings, as ARM writes them
IDENTITY_NONE = "None"
IDENTITY_SYSTEM = "SystemAssigned"
IDENTITY_USER = "UserAssigned"
IDENTITY_SYSTEM_USER = "SystemAssigned, UserAssigned"

# Directory strings (Microsoft Graph)
SERVICE_PRINCIPAL_TYPE_MANAGED_IDENTITY = "ManagedIdentity"
SERVICE_PRINCIPAL_TYPE_APPLICATION = "Application"
ROLE_TYPE_BUILTIN: Literal["BuiltInRole"] = "BuiltInRole"
ROLE_TYPE_CUSTOM: Literal["CustomRole"] = "CustomRole"


@dataclass(frozen=True)
class SigningKeyRecord:
    """One RSA signing key of the token service (PEM-encoded private key; ``active`` signs new tokens)."""

    kid: str
    tenant_id: str
    private_pem: bytes
    created: float
    active: bool = True


@dataclass(frozen=True)
class Event:
    """One entry of the append-only events log (``kind`` like ``"resource.put"``; ``data`` JSON-able)."""

    seq: int
    time: float
    kind: str
    data: dict[str, Any] = field(default_factory=dict)


class UserAssignedRef(NamedTuple):
    """A user-assigned identity attached to a host: the UAI's resource ID and its principal/client IDs.

    A named tuple, so ``for uai_id, principal_id, client_id in ids.user_assigned`` works.
    """

    resource_id: str
    principal_id: str
    client_id: str


@dataclass(frozen=True)
class HostIdentities:
    """The identities a host (VM, app) can get tokens for: its system principal and attached UAIs."""

    resource_id: str
    system: DirectoryObject | None = None
    user_assigned: tuple[UserAssignedRef, ...] = ()
