"""Managed identities: the token endpoints (IMDS, the 2017 VM extension, App Service's), user-assigned
identities (Microsoft.ManagedIdentity) and azshell's short verbs (``Enable-Msi``, ``Get-Token``…)."""

from __future__ import annotations

from azshell.hostnames import APP_SERVICE_PORT, IMDS_HOST, LOOPBACK_HOSTS
from azshell.services.base import PlaneRoute, Service, host_is


def _is_msi_extension(host: str, port: int | None) -> bool:
    """A loopback port that the 2017 MSI extension may listen on: its settings choose the port (50342 by
    default), so every loopback port but the web ports and App Service's goes to the extension plane, which
    refuses the connection unless the VM in context has the extension on exactly that port."""
    return host in LOOPBACK_HOSTS and port not in (None, 80, 443, APP_SERVICE_PORT)


def _is_app_service_endpoint(host: str, port: int | None) -> bool:
    """App Service's identity endpoint (``localhost:4141``)."""
    return host in LOOPBACK_HOSTS and port == APP_SERVICE_PORT


SERVICE = Service(
    name="identity",
    planes=(
        PlaneRoute("imds", host_is(IMDS_HOST), "azshell.services.identity.plane:handle"),
        PlaneRoute("msi_extension", _is_msi_extension, "azshell.services.identity.plane_extension:handle"),
        PlaneRoute("appservice", _is_app_service_endpoint, "azshell.services.identity.plane_appservice:handle"),
    ),
    resource_types="azshell.services.identity.catalog:RESOURCE_TYPES",
    cmdlets=("azshell.services.identity.cmdlets", "azshell.services.identity.cmdlets_short"),
    az="azshell.services.identity.az",
    checks="azshell.services.identity.checks",
)
