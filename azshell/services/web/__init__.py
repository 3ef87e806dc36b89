"""Microsoft.Web: App Service plans, web apps and function apps with their managed identities."""

from __future__ import annotations

from azshell.services.base import Service

SERVICE = Service(
    name="web",
    resource_types="azshell.services.web.catalog:RESOURCE_TYPES",
    cmdlets=("azshell.services.web.cmdlets",),
    az="azshell.services.web.az",
    checks="azshell.services.web.checks",
)
