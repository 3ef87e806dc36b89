"""Azure's hostnames, the endpoints and token audiences built from them, and well-known ports, in one place.

Every plane, cmdlet, the proxy and the server name hosts through these constants; a service declares which of
them its planes answer (``services/<name>/__init__.py``), and the registry builds the router and the proxy's
host list from those declarations. Strings are Azure's exact spelling: audiences differ by a trailing slash
(``ARM_RESOURCE`` ends in ``/``, ``KEY_VAULT_RESOURCE`` does not), and a token's ``aud`` is the string asked for.
``tests/test_hostnames.py`` fails on any other module that spells one of these hosts in code.
"""

from __future__ import annotations

__all__ = [
    "AAD_GRAPH_HOST",
    "AAD_GRAPH_RESOURCE",
    "APP_SERVICE_HOST",
    "APP_SERVICE_IDENTITY_ENDPOINT",
    "APP_SERVICE_PORT",
    "ARM_CLASSIC_RESOURCE",
    "ARM_CLASSIC_RESOURCE_NO_SLASH",
    "ARM_ENDPOINT",
    "ARM_HOST",
    "ARM_RESOURCE",
    "ARM_RESOURCE_NO_SLASH",
    "DATA_LAKE_HOST_SUFFIX",
    "DATA_LAKE_RESOURCE",
    "GRAPH_ENDPOINT",
    "GRAPH_HOST",
    "GRAPH_RESOURCE",
    "GRAPH_USERINFO_URL",
    "GRAPH_V1_ENDPOINT",
    "IMDS_HOST",
    "IMDS_TOKEN_URL",
    "KEY_VAULT_HOST_SUFFIX",
    "KEY_VAULT_RESOURCE",
    "KEY_VAULT_URI_TEMPLATE",
    "LOGIN_AUTHORITY",
    "LOGIN_HOST",
    "LOGIN_JWKS_URL_TEMPLATE",
    "LOGIN_V2_ISSUER_TEMPLATE",
    "LOGIN_WINDOWS_AUTHORITY",
    "LOOPBACK_HOSTS",
    "MSI_EXTENSION_PORT",
    "MSI_EXTENSION_TOKEN_URL",
    "SQL_RESOURCE",
    "STORAGE_BLOB_HOST_SUFFIX",
    "STORAGE_DFS_HOST_SUFFIX",
    "STORAGE_ENDPOINT_SUFFIX",
    "STORAGE_FILE_HOST_SUFFIX",
    "STORAGE_QUEUE_HOST_SUFFIX",
    "STORAGE_RESOURCE",
    "STORAGE_TABLE_HOST_SUFFIX",
    "STORAGE_WEB_HOST_SUFFIX",
    "STS_HOST",
    "STS_ISSUER_TEMPLATE",
]

# ------------------------------------------------------------------------------------------------- hosts
#: Azure Resource Manager.
ARM_HOST = "management.azure.com"
#: Microsoft Entra ID sign-in (token endpoint, OpenID discovery, JWKS).
LOGIN_HOST = "login.microsoftonline.com"
#: Entra ID's security token service: the v1 tokens' issuer (``STS_ISSUER_TEMPLATE``), never contacted.
STS_HOST = "sts.windows.net"
#: Microsoft Graph.
GRAPH_HOST = "graph.microsoft.com"
#: Azure AD Graph (retired; still named by discovery documents and ``az --resource-type aad-graph``).
AAD_GRAPH_HOST = "graph.windows.net"
#: The Instance Metadata Service, reachable only from inside a VM.
IMDS_HOST = "169.254.169.254"
#: ``{vault}.vault.azure.net``
KEY_VAULT_HOST_SUFFIX = ".vault.azure.net"
#: ``{store}.azuredatalakestore.net`` (Data Lake Store Gen1)
DATA_LAKE_HOST_SUFFIX = ".azuredatalakestore.net"
#: ``{account}.blob.core.windows.net`` and the other Storage services of an account (``primaryEndpoints``);
#: ``core.windows.net`` is the ``EndpointSuffix`` of a connection string. The static website host carries a zone
#: (``z22``) that Azure picks per account (SEEN: MicrosoftDocs/azure-docs issues 10959 and 22879, "no way to determine
#: the zone name ... based only on the account name"); azshell always names the same one (INFERRED: which zone).
STORAGE_ENDPOINT_SUFFIX = "core.windows.net"
STORAGE_BLOB_HOST_SUFFIX = ".blob.core.windows.net"
STORAGE_QUEUE_HOST_SUFFIX = ".queue.core.windows.net"
STORAGE_TABLE_HOST_SUFFIX = ".table.core.windows.net"
STORAGE_FILE_HOST_SUFFIX = ".file.core.windows.net"
STORAGE_DFS_HOST_SUFFIX = ".dfs.core.windows.net"
STORAGE_WEB_HOST_SUFFIX = ".z22.web.core.windows.net"
#: Where App Service puts ``IDENTITY_ENDPOINT`` (``http://localhost:4141/MSI/token``).
APP_SERVICE_HOST = "localhost"
APP_SERVICE_PORT = 4141
#: The 2017 MSI VM extension's default port (its settings may choose another).
MSI_EXTENSION_PORT = 50342
LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1", "[::1]"})

# --------------------------------------------------------------------------------------------- endpoints
#: ARM's base URL; request paths (``/subscriptions/...``) are appended.
ARM_ENDPOINT = "https://management.azure.com"
#: Entra ID's authority; ``/{tenant}/oauth2/token``, ``/{tenant}/discovery/keys``, ... are appended.
LOGIN_AUTHORITY = "https://login.microsoftonline.com"
#: The older authority alias that ARM's and Key Vault's 401 challenges name (``/{tenant}`` appended).
LOGIN_WINDOWS_AUTHORITY = "https://login.windows.net"
#: A tenant's v1 JWKS (``.format(tenant=...)``).
LOGIN_JWKS_URL_TEMPLATE = "https://login.microsoftonline.com/{tenant}/discovery/keys"
#: ``iss`` of a v1 token (``.format(tenant=...)``); trailing slash included, as Entra ID writes it.
STS_ISSUER_TEMPLATE = "https://sts.windows.net/{tenant}/"
#: ``iss`` of a v2 token (``.format(tenant=...)``).
LOGIN_V2_ISSUER_TEMPLATE = "https://login.microsoftonline.com/{tenant}/v2.0"
#: Microsoft Graph's base URL, and its v1.0 API root.
GRAPH_ENDPOINT = "https://graph.microsoft.com"
GRAPH_V1_ENDPOINT = "https://graph.microsoft.com/v1.0"
#: The v2 discovery document's ``userinfo_endpoint``.
GRAPH_USERINFO_URL = "https://graph.microsoft.com/oidc/userinfo"
#: IMDS's managed-identity token endpoint (``?api-version=...&resource=...``).
IMDS_TOKEN_URL = "http://169.254.169.254/metadata/identity/oauth2/token"
#: The 2017 MSI VM extension's token endpoint on its default port.
MSI_EXTENSION_TOKEN_URL = "http://localhost:50342/oauth2/token"
#: ``IDENTITY_ENDPOINT`` (and ``MSI_ENDPOINT``) inside an App Service or Functions app.
APP_SERVICE_IDENTITY_ENDPOINT = "http://localhost:4141/MSI/token"
#: A vault's ``vaultUri`` (``.format(name=...)``), trailing slash included, as ARM returns it.
KEY_VAULT_URI_TEMPLATE = "https://{name}.vault.azure.net/"

# ------------------------------------------------------------------------- token resources (audiences)
#: ARM, as the tutorials and IMDS examples ask for it (with the slash) and without it.
ARM_RESOURCE = "https://management.azure.com/"
ARM_RESOURCE_NO_SLASH = "https://management.azure.com"
#: ARM under its classic identifier URI: Az PowerShell's and the az CLI's default resource.
ARM_CLASSIC_RESOURCE = "https://management.core.windows.net/"
ARM_CLASSIC_RESOURCE_NO_SLASH = "https://management.core.windows.net"
#: Key Vault: no trailing slash (Key Vault's own challenge names it so).
KEY_VAULT_RESOURCE = "https://vault.azure.net"
DATA_LAKE_RESOURCE = "https://datalake.azure.net/"
STORAGE_RESOURCE = "https://storage.azure.com/"
GRAPH_RESOURCE = "https://graph.microsoft.com/"
AAD_GRAPH_RESOURCE = "https://graph.windows.net/"
SQL_RESOURCE = "https://database.windows.net/"
