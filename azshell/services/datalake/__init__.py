"""Azure Data Lake Store Gen1: accounts (Microsoft.DataLakeStore) and the WebHDFS file system at
``{store}.azuredatalakestore.net`` with POSIX ACLs."""

from __future__ import annotations

from azshell.hostnames import DATA_LAKE_HOST_SUFFIX
from azshell.services.base import PlaneRoute, Service, host_suffix

SERVICE = Service(
    name="datalake",
    planes=(PlaneRoute("datalake", host_suffix(DATA_LAKE_HOST_SUFFIX), "azshell.services.datalake.plane:handle",
                       tls_suffixes=(DATA_LAKE_HOST_SUFFIX,)),),
    resource_types="azshell.services.datalake.catalog:RESOURCE_TYPES",
    migrations="azshell.services.datalake.model:MIGRATIONS",
    cmdlets=("azshell.services.datalake.cmdlets",),
    checks="azshell.services.datalake.checks",
    graph="azshell.services.datalake.graph:edges",
)
