"""Microsoft.Compute: virtual machines, their extensions (the 2017 MSI extension), scale sets; stepping onto a
VM (``Enter-AzVM``)."""

from __future__ import annotations

from azshell.services.base import Service

SERVICE = Service(
    name="compute",
    resource_types="azshell.services.compute.catalog:RESOURCE_TYPES",
    cmdlets=(
        "azshell.services.compute.cmdlets",
        "azshell.services.compute.cmdlets_vmconfig",
        "azshell.services.compute.cmdlets_hosts",
        "azshell.services.compute.cmdlets_vmss",
    ),
    az="azshell.services.compute.az",
    checks="azshell.services.compute.checks",
)
