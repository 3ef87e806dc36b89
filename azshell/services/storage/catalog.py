"""Microsoft.Storage as ARM knows it: resource types, api-versions, and the RBAC action strings of the account's
POST actions and of the Blob service's data plane.

The versions are the Storage resource provider's published ones (its REST specs' stable folders, up to
``2025-08-01``, the az CLI's); a newer dated version (``2026-09-01``, azure-mgmt-storage 25.3's default) is accepted
by ARM's rule for unlisted versions (``_shared.api_version_accepted``). Never list a version whose predecessors are
not all listed: a gap is read as a version ARM never published.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from azshell.model.types import STORAGE_ACCOUNT_TYPE
from azshell.planes.catalog import ResourceType, resource_type

_HOOKS = "azshell.services.storage.arm"

_STORAGE_VERSIONS: tuple[str, ...] = (
    "2015-05-01-preview", "2015-06-15", "2016-01-01", "2016-05-01", "2016-12-01", "2017-06-01", "2017-10-01",
    "2018-02-01", "2018-03-01-preview", "2018-07-01", "2018-11-01", "2019-04-01", "2019-06-01", "2020-08-01-preview",
    "2021-01-01", "2021-02-01", "2021-04-01", "2021-06-01", "2021-08-01", "2021-09-01", "2022-05-01",
    "2022-09-01", "2023-01-01", "2023-04-01", "2023-05-01", "2024-01-01", "2025-01-01", "2025-06-01", "2025-08-01",
)

# --------------------------------------------------------------------------------- control-plane actions
#: Real action strings as the built-in roles spell them (``Storage Account Key Operator Service Role`` grants the
#: first two; ``Storage Account Contributor`` all, through ``Microsoft.Storage/storageAccounts/*``).
LIST_KEYS_ACTION = "Microsoft.Storage/storageAccounts/listkeys/action"
REGENERATE_KEY_ACTION = "Microsoft.Storage/storageAccounts/regeneratekey/action"
LIST_SERVICE_SAS_ACTION = "Microsoft.Storage/storageAccounts/listServiceSas/action"
LIST_ACCOUNT_SAS_ACTION = "Microsoft.Storage/storageAccounts/listAccountSas/action"
#: ``POST /subscriptions/{s}/providers/Microsoft.Storage/checkNameAvailability``
CHECK_NAME_AVAILABILITY_ACTION = "Microsoft.Storage/checknameavailability/read"

# ------------------------------------------------------------------------------------ data-plane actions
CONTAINERS = "Microsoft.Storage/storageAccounts/blobServices/containers"
BLOBS = "Microsoft.Storage/storageAccounts/blobServices/containers/blobs"

#: What each Blob operation needs under OAuth: ``(action, is_data_action)``. Container operations are checked
#: against the container *actions* the Storage Blob Data roles hold; blob operations against their data actions
#: (Azure's "Permissions for calling data operations" table).
BLOB_OPERATION_ACTIONS: Mapping[str, tuple[str, bool]] = MappingProxyType({
    "container_read": (f"{CONTAINERS}/read", False),
    "container_write": (f"{CONTAINERS}/write", False),
    "container_delete": (f"{CONTAINERS}/delete", False),
    "blob_read": (f"{BLOBS}/read", True),
    "blob_write": (f"{BLOBS}/write", True),
    "blob_add": (f"{BLOBS}/add/action", True),
    "blob_delete": (f"{BLOBS}/delete", True),
    "user_delegation_key": ("Microsoft.Storage/storageAccounts/blobServices/generateUserDelegationKey/action", False),
    # List Blobs reads the container's blobs: Azure checks the blob read data action for it.
    "blob_list": (f"{BLOBS}/read", True),
})

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(STORAGE_ACCOUNT_TYPE, _STORAGE_VERSIONS, identity=True, hooks=_HOOKS),
)
