"""Known resources: the first-party service principals of every tenant and their identifier URIs.

A token request names its audience by identifier URI (``resource=https://vault.azure.net``) or, on the v2
endpoint, by scope (``https://vault.azure.net/.default``). Entra ID issues the token with ``aud`` exactly as the
resource was asked for, so ``resolve_resource`` only checks that the URI is known and strips scope syntax; it
never normalises slashes. An unknown URI fails with AADSTS500011, as Entra answers.
"""

from __future__ import annotations

from dataclasses import dataclass

from azshell.auth.errors import UnknownResourceError
from azshell.hostnames import (
    AAD_GRAPH_RESOURCE,
    ARM_CLASSIC_RESOURCE,
    ARM_CLASSIC_RESOURCE_NO_SLASH,
    ARM_RESOURCE,
    ARM_RESOURCE_NO_SLASH,
    DATA_LAKE_RESOURCE,
    GRAPH_RESOURCE,
    KEY_VAULT_RESOURCE,
    SQL_RESOURCE,
    STORAGE_RESOURCE,
)

#: The audiences ARM accepts, in the order ARM lists them in ``InvalidAuthenticationTokenAudience``.
ARM_AUDIENCES: tuple[str, ...] = (
    ARM_CLASSIC_RESOURCE,
    ARM_CLASSIC_RESOURCE_NO_SLASH,
    ARM_RESOURCE,
    ARM_RESOURCE_NO_SLASH,
)
KEY_VAULT_AUDIENCES: tuple[str, ...] = (KEY_VAULT_RESOURCE, KEY_VAULT_RESOURCE + "/")
DATA_LAKE_AUDIENCES: tuple[str, ...] = (DATA_LAKE_RESOURCE, DATA_LAKE_RESOURCE.rstrip("/"))

#: v2 scopes that name no resource (OpenID Connect and refresh), dropped before resolving.
OIDC_SCOPES = frozenset({"openid", "profile", "offline_access", "email"})
DEFAULT_SCOPE_SUFFIX = "/.default"


@dataclass(frozen=True)
class KnownResource:
    """A first-party resource application: its app ID, display name and accepted identifier URIs."""

    app_id: str
    display_name: str
    identifier_uris: tuple[str, ...]


KNOWN_RESOURCES: tuple[KnownResource, ...] = (
    KnownResource("797f4846-ba00-4fd7-ba43-dac1f8f63013", "Windows Azure Service Management API", ARM_AUDIENCES),
    KnownResource("cfa8b339-82a2-471a-a3c9-0fc0be7a4093", "Azure Key Vault", KEY_VAULT_AUDIENCES),
    KnownResource("e9f49c6b-5ce5-44c8-925d-015017e9f7ad", "Azure Data Lake", DATA_LAKE_AUDIENCES),
    KnownResource("e406a681-f3d4-42a8-90b6-c2b029497af1", "Azure Storage",
                  (STORAGE_RESOURCE, STORAGE_RESOURCE.rstrip("/"))),
    KnownResource("00000003-0000-0000-c000-000000000000", "Microsoft Graph",
                  (GRAPH_RESOURCE, GRAPH_RESOURCE.rstrip("/"))),
    KnownResource("00000002-0000-0000-c000-000000000000", "Windows Azure Active Directory",
                  (AAD_GRAPH_RESOURCE, AAD_GRAPH_RESOURCE.rstrip("/"))),
    KnownResource("022907d3-0f1b-48f7-badc-1ba6abab6d66", "Azure SQL Database",
                  (SQL_RESOURCE, SQL_RESOURCE.rstrip("/"))),
)

_BY_URI: dict[str, KnownResource] = {
    uri.lower(): r for r in KNOWN_RESOURCES for uri in (*r.identifier_uris, r.app_id)
}


def scope_to_resource(resource_or_scope: str) -> str:
    """Turn a v2 scope string into the v1 resource it names; a plain resource comes back unchanged.

    >>> scope_to_resource("https://management.azure.com/.default")
    'https://management.azure.com'
    >>> scope_to_resource("openid https://vault.azure.net/.default offline_access")
    'https://vault.azure.net'
    """
    parts = [p for p in resource_or_scope.split() if p.lower() not in OIDC_SCOPES]
    text = parts[0] if parts else resource_or_scope.strip()
    if text.lower().endswith(DEFAULT_SCOPE_SUFFIX):
        text = text[: -len(DEFAULT_SCOPE_SUFFIX)]
    return text


def find_known_resource(resource: str) -> KnownResource | None:
    """The known resource whose identifier URI (or app ID) is ``resource``, case-insensitively."""
    return _BY_URI.get(resource.lower())


def resolve_resource(resource: str, tenant: str) -> str:
    """The ``aud`` a token for ``resource`` carries; raises ``UnknownResourceError`` (AADSTS500011).

    ``tenant`` is the tenant name or ID that the error message quotes.
    """
    aud = scope_to_resource(resource)
    if not aud or find_known_resource(aud) is None:
        raise UnknownResourceError(aud or resource, tenant)
    return aud
