"""Microsoft.Storage: storage accounts as ARM resources (function apps need one). The Blob data plane is a
later issue; ``New-AzStorageAccount`` lives with the web cmdlets until then."""

from __future__ import annotations

from azshell.services.base import Service

SERVICE = Service(
    name="storage",
    resource_types="azshell.services.storage.catalog:RESOURCE_TYPES",
)
