"""Azure's hostnames and well-known ports, in one place.

Every plane, cmdlet, the proxy and the server name hosts through these constants; a service declares which of
them its planes answer (``services/<name>/__init__.py``), and the registry builds the router and the proxy's
host list from those declarations.
"""

from __future__ import annotations

__all__ = [
    "APP_SERVICE_HOST",
    "APP_SERVICE_PORT",
    "ARM_HOST",
    "DATA_LAKE_HOST_SUFFIX",
    "GRAPH_HOST",
    "IMDS_HOST",
    "KEY_VAULT_HOST_SUFFIX",
    "LOGIN_HOST",
    "LOOPBACK_HOSTS",
    "MSI_EXTENSION_PORT",
]

#: Azure Resource Manager.
ARM_HOST = "management.azure.com"
#: Microsoft Entra ID sign-in (token endpoint, OpenID discovery, JWKS).
LOGIN_HOST = "login.microsoftonline.com"
#: Microsoft Graph.
GRAPH_HOST = "graph.microsoft.com"
#: The Instance Metadata Service, reachable only from inside a VM.
IMDS_HOST = "169.254.169.254"
#: ``{vault}.vault.azure.net``
KEY_VAULT_HOST_SUFFIX = ".vault.azure.net"
#: ``{store}.azuredatalakestore.net`` (Data Lake Store Gen1)
DATA_LAKE_HOST_SUFFIX = ".azuredatalakestore.net"
#: Where App Service puts ``IDENTITY_ENDPOINT`` (``http://localhost:4141/MSI/token``).
APP_SERVICE_HOST = "localhost"
APP_SERVICE_PORT = 4141
#: The 2017 MSI VM extension's default port (its settings may choose another).
MSI_EXTENSION_PORT = 50342
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})
