"""Microsoft.KeyVault as ARM knows it: resource types, api-versions, and the data actions of secrets.

The versions are the Key Vault resource provider's published ones (its REST specs' stable and preview folders),
up to ``2026-05-15``, the default of ``azure-mgmt-keyvault`` 14.1. ``vaults.list()`` is the one call that goes
elsewhere: ``GET /subscriptions/{s}/resources?$filter=resourceType eq 'Microsoft.KeyVault/vaults'`` at
``2015-11-01`` (Microsoft.Resources).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from azshell.model.types import KEY_VAULT_TYPE
from azshell.planes.catalog import ResourceType, resource_type

_HOOKS = "azshell.services.keyvault.arm"

_KEY_VAULT_VERSIONS: tuple[str, ...] = (
    "2014-12-19-preview", "2015-06-01", "2016-10-01", "2018-02-14", "2018-02-14-preview", "2019-09-01",
    "2020-04-01-preview", "2021-04-01-preview", "2021-06-01-preview", "2021-10-01", "2021-11-01-preview",
    "2022-02-01-preview", "2022-07-01", "2022-11-01", "2023-02-01", "2023-07-01", "2024-04-01-preview",
    "2024-11-01", "2024-12-01-preview", "2025-05-01", "2026-02-01", "2026-03-01-preview", "2026-05-15",
)

#: permission name → RBAC data action, per operation (access policies use the first, RBAC the second).
SECRET_DATA_ACTIONS: Mapping[str, str] = MappingProxyType({
    "get": "Microsoft.KeyVault/vaults/secrets/getSecret/action",
    "list": "Microsoft.KeyVault/vaults/secrets/readMetadata/action",
    "set": "Microsoft.KeyVault/vaults/secrets/setSecret/action",
    "update": "Microsoft.KeyVault/vaults/secrets/update/action",
    "delete": "Microsoft.KeyVault/vaults/secrets/delete",
    "recover": "Microsoft.KeyVault/vaults/secrets/recover/action",
    "purge": "Microsoft.KeyVault/vaults/secrets/purge/action",
    "backup": "Microsoft.KeyVault/vaults/secrets/backup/action",
    "restore": "Microsoft.KeyVault/vaults/secrets/restore/action",
})

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(KEY_VAULT_TYPE, _KEY_VAULT_VERSIONS, hooks=_HOOKS),
    resource_type("Microsoft.KeyVault/vaults/secrets", _KEY_VAULT_VERSIONS),
    resource_type("Microsoft.KeyVault/vaults/accessPolicies", _KEY_VAULT_VERSIONS, hooks=_HOOKS),
)
