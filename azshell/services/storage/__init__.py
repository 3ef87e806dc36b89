"""Azure Storage: accounts (Microsoft.Storage, with their keys and SAS-making actions) and the Blob service at
``{account}.blob.core.windows.net`` with Shared Key, SAS and OAuth. ``New-AzStorageAccount`` lives with the web
cmdlets (function apps need an account)."""

from __future__ import annotations

from azshell.hostnames import STORAGE_BLOB_HOST_SUFFIX
from azshell.services.base import PlaneRoute, Service, host_suffix

SERVICE = Service(
    name="storage",
    planes=(PlaneRoute("storage", host_suffix(STORAGE_BLOB_HOST_SUFFIX), "azshell.services.storage.plane:handle",
                       tls_suffixes=(STORAGE_BLOB_HOST_SUFFIX,)),),
    resource_types="azshell.services.storage.catalog:RESOURCE_TYPES",
    migrations="azshell.services.storage.model:MIGRATIONS",
    cmdlets=("azshell.services.storage.cmdlets", "azshell.services.storage.cmdlets_blob"),
    az="azshell.services.storage.az",
    checks="azshell.services.storage.checks",
    matchers="azshell.services.storage.checks",
)
