"""Template deployments (``Microsoft.Resources/deployments``): the ARM API, the template language and its engine,
``New-AzResourceGroupDeployment`` and friends, and ``az deployment group``.

The engine deploys each template resource by calling ARM again, over the in-process client with the caller's
own token, so every resource's plane authorizes and validates it as it would a direct call.
"""

from __future__ import annotations

from azshell.services.base import Service

_PKG = "azshell.services.deployments"

SERVICE = Service(
    name="deployments",
    resource_types=f"{_PKG}.catalog:RESOURCE_TYPES",
    migrations=f"{_PKG}.model:MIGRATIONS",
    cmdlets=(f"{_PKG}.cmdlets",),
    az=f"{_PKG}.az",
    checks=f"{_PKG}.checks",
)
