"""Microsoft.Compute as ARM knows it: resource types and api-versions.

The versions are the ones the Compute resource provider has published (``ComputeRP`` for virtual machines, their
extensions, availability sets and scale sets; ``DiskRP`` for managed disks), including the defaults of the newest
``azure-mgmt-compute`` (39: ``2026-04-01`` for VMs, ``2026-03-02`` for disks). Versions newer than the newest
listed are accepted by the rule in ``azshell.planes._shared.api_version_accepted``.
"""

from __future__ import annotations

from azshell.model.types import VM_EXTENSION_TYPE, VM_TYPE, VMSS_TYPE, VMSS_VM_TYPE
from azshell.planes.catalog import ResourceType, resource_type

_HOOKS = "azshell.services.compute.arm"
_VMSS_HOOKS = "azshell.services.compute.arm_vmss"

_COMPUTE_VERSIONS: tuple[str, ...] = (
    "2015-05-01-preview", "2015-06-15", "2016-03-30", "2016-04-30-preview", "2016-08-30", "2017-03-30",
    "2017-12-01", "2018-04-01", "2018-06-01", "2018-10-01", "2019-03-01", "2019-07-01", "2019-12-01",
    "2020-06-01", "2020-12-01", "2021-03-01", "2021-04-01", "2021-07-01", "2021-11-01", "2022-03-01",
    "2022-08-01", "2022-11-01", "2023-03-01", "2023-07-01", "2023-09-01", "2024-03-01", "2024-07-01",
    "2024-11-01", "2025-04-01", "2025-11-01", "2026-04-01",
)
#: Managed disks are served by DiskRP, whose versions end in ``-02`` since 2022.
_DISK_VERSIONS: tuple[str, ...] = (
    "2016-04-30-preview", "2017-03-30", "2018-04-01", "2018-06-01", "2018-09-30", "2019-03-01", "2019-07-01",
    "2019-11-01", "2020-05-01", "2020-06-30", "2020-09-30", "2020-12-01", "2021-04-01", "2021-08-01",
    "2021-12-01", "2022-03-02", "2022-07-02", "2023-01-02", "2023-04-02", "2023-10-02", "2024-03-02",
    "2025-01-02", "2026-03-02",
)

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    resource_type(VM_TYPE, _COMPUTE_VERSIONS, "vm", identity=True, hooks=_HOOKS),
    resource_type(VM_EXTENSION_TYPE, _COMPUTE_VERSIONS, "vm_extension"),
    resource_type("Microsoft.Compute/disks", _DISK_VERSIONS),
    resource_type("Microsoft.Compute/availabilitySets", _COMPUTE_VERSIONS),
    resource_type(VMSS_TYPE, _COMPUTE_VERSIONS, identity=True, hooks=_VMSS_HOOKS),
    resource_type(VMSS_VM_TYPE, _COMPUTE_VERSIONS, hooks=_VMSS_HOOKS),
)
