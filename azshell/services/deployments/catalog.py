"""Microsoft.Resources/deployments as ARM knows it: its types, api-versions and action strings.

Deployments share Microsoft.Resources' api-versions (``azure-mgmt-resource-deployments`` 2 sends ``2026-06-01``,
accepted by the newer-than-listed rule of ``azshell.planes._shared.api_version_accepted``).
"""

from __future__ import annotations

from azshell.planes.catalog import ApiVersionSpec, ResourceType
from azshell.services.resources.catalog import RESOURCE_GROUPS_VERSIONS

__all__ = ["DEPLOYMENTS_TYPE", "RESOURCE_TYPES"]

DEPLOYMENTS_TYPE = "Microsoft.Resources/deployments"
OPERATIONS_TYPE = "Microsoft.Resources/deployments/operations"
STATUSES_TYPE = "Microsoft.Resources/deployments/operationStatuses"

READ_DEPLOYMENT = "Microsoft.Resources/deployments/read"
WRITE_DEPLOYMENT = "Microsoft.Resources/deployments/write"
DELETE_DEPLOYMENT = "Microsoft.Resources/deployments/delete"
VALIDATE_DEPLOYMENT = "Microsoft.Resources/deployments/validate/action"
WHATIF_DEPLOYMENT = "Microsoft.Resources/deployments/whatIf/action"
CANCEL_DEPLOYMENT = "Microsoft.Resources/deployments/cancel/action"
EXPORT_DEPLOYMENT = "Microsoft.Resources/deployments/exportTemplate/action"
READ_OPERATIONS = "Microsoft.Resources/deployments/operations/read"
READ_STATUSES = "Microsoft.Resources/deployments/operationstatuses/read"

_HOOKS = "azshell.services.deployments.arm"
_VERSIONS = RESOURCE_GROUPS_VERSIONS.versions

RESOURCE_TYPES: tuple[ResourceType, ...] = (
    ResourceType(DEPLOYMENTS_TYPE, ApiVersionSpec("deployments", _VERSIONS, arm_native=True), hooks=_HOOKS),
    ResourceType(OPERATIONS_TYPE, ApiVersionSpec("deployments/operations", _VERSIONS, arm_native=True),
                 hooks=_HOOKS),
    ResourceType(STATUSES_TYPE, ApiVersionSpec("deployments/operationStatuses", _VERSIONS, arm_native=True),
                 hooks=_HOOKS),
)
