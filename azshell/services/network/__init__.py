"""Microsoft.Network: the virtual networks, NICs, public IPs and security groups the 2017 quickstarts build."""

from __future__ import annotations

from azshell.services.base import Service

SERVICE = Service(
    name="network",
    resource_types="azshell.services.network.catalog:RESOURCE_TYPES",
    cmdlets=("azshell.services.network.cmdlets",),
)
