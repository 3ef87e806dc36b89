"""Microsoft Entra ID: the directory, sign-in (``login.microsoftonline.com``) and Microsoft Graph."""

from __future__ import annotations

from azshell.hostnames import GRAPH_HOST, LOGIN_HOST
from azshell.services.base import PlaneRoute, Service, host_is

SERVICE = Service(
    name="entra",
    planes=(
        PlaneRoute("login", host_is(LOGIN_HOST), "azshell.services.entra.plane:handle", tls_hosts=(LOGIN_HOST,)),
        PlaneRoute("graph", host_is(GRAPH_HOST), "azshell.services.entra.plane_graph:handle",
                   tls_hosts=(GRAPH_HOST,)),
    ),
    cmdlets=("azshell.services.entra.cmdlets_accounts", "azshell.services.entra.cmdlets",
             "azshell.services.entra.cmdlets_azuread"),
    az="azshell.services.entra.az",
    checks="azshell.services.entra.checks",
)
