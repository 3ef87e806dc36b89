"""Azure Key Vault: vaults (Microsoft.KeyVault) and secrets at ``{vault}.vault.azure.net``, with access
policies or Azure RBAC."""

from __future__ import annotations

from azshell.hostnames import KEY_VAULT_HOST_SUFFIX
from azshell.services.base import PlaneRoute, Service, host_suffix

SERVICE = Service(
    name="keyvault",
    planes=(PlaneRoute("keyvault", host_suffix(KEY_VAULT_HOST_SUFFIX), "azshell.services.keyvault.plane:handle",
                       tls_suffixes=(KEY_VAULT_HOST_SUFFIX,)),),
    resource_types="azshell.services.keyvault.catalog:RESOURCE_TYPES",
    migrations="azshell.services.keyvault.model:MIGRATIONS",
    cmdlets=("azshell.services.keyvault.cmdlets",),
    az="azshell.services.keyvault.az",
    checks="azshell.services.keyvault.checks",
    graph="azshell.services.keyvault.graph:edges",
)
