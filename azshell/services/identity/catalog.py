"""Microsoft.ManagedIdentity as ARM knows it: resource types, api-versions, actions."""

from __future__ import annotations

from azshell.model.types import USER_ASSIGNED_IDENTITY_TYPE
from azshell.planes.catalog import ResourceType, resource_type

ASSIGN_USER_ASSIGNED_IDENTITY = "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action"

_MANAGED_IDENTITY_VERSIONS: tuple[str, ...] = (
    "2015-08-31-PREVIEW", "2018-11-30", "2021-09-30-PREVIEW", "2022-01-31-PREVIEW", "2023-01-31",
    "2023-07-31-PREVIEW", "2024-11-30",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(USER_ASSIGNED_IDENTITY_TYPE, _MANAGED_IDENTITY_VERSIONS, "user_assigned_identity"),
)
