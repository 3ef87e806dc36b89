"""Microsoft.ManagedIdentity as ARM knows it: resource types, api-versions, actions.

``identities`` is the extension type ARM serves at any scope: ``{scope}/providers/Microsoft.ManagedIdentity/
identities/default`` is the system-assigned identity of the resource at ``{scope}`` (``azure-mgmt-msi``'s
``system_assigned_identities.get_by_scope``); its hooks (``azshell.services.identity.arm``) answer it.
"""

from __future__ import annotations

from azshell.model.types import USER_ASSIGNED_IDENTITY_TYPE
from azshell.planes.catalog import ResourceType, resource_type

ASSIGN_USER_ASSIGNED_IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"
SYSTEM_IDENTITY_TYPE = "Microsoft.ManagedIdentity/identities"
READ_SYSTEM_IDENTITY = "Microsoft.ManagedIdentity/identities/read"

_HOOKS = "azshell.services.identity.arm"

#: Up to ``2024-11-30``, the default of ``azure-mgmt-msi`` 7.1.
_MANAGED_IDENTITY_VERSIONS: tuple[str, ...] = (
    "2015-08-31-PREVIEW", "2018-11-30", "2021-09-30-PREVIEW", "2022-01-31-PREVIEW", "2023-01-31",
    "2023-07-31-PREVIEW", "2024-11-30",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(USER_ASSIGNED_IDENTITY_TYPE, _MANAGED_IDENTITY_VERSIONS, "user_assigned_identity"),
    resource_type(SYSTEM_IDENTITY_TYPE, _MANAGED_IDENTITY_VERSIONS, hooks=_HOOKS),
)
