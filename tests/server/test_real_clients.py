"""Unmodified Microsoft clients against ``azshell serve`` over loopback (issue 4, "Tests and evidence").

* ``SecretClient`` (sync, and ``.aio`` over aiohttp) with the real host name ``https://{vault}.vault.azure.net``
  through ``HTTPS_PROXY``, default challenge verification, trust via the local CA: set, get, list with paging,
  and denied calls in both authorization models (access policies → ``AccessDenied``, RBAC → ``ForbiddenByRbac``).
* ``ManagedIdentityCredential`` on IMDS (``AZURE_POD_IDENTITY_AUTHORITY_HOST``) with every user-assigned
  selector, and on App Service (``IDENTITY_ENDPOINT`` + ``IDENTITY_HEADER``); ``msal.ManagedIdentityClient``.
* Data Lake Store WebHDFS through plain httpx and the CONNECT proxy.

The state is seeded through the ARM and data planes in-process (admin's token), as a user would with cmdlets.
Marked ``slow``: they still run in CI. Skipped cleanly when a client library is missing.
"""

from __future__ import annotations

import asyncio
import ssl
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from azshell.http import make_client
from azshell.planes.base import CallerContext
from azshell.planes.router import Planes
from azshell.server import AzShellServer, TokenEndpoints
from azshell.server.ca import LocalCA
from azshell.server.proxy import TlsHosts
from tests.conftest import ArmClient, require_module

from .conftest import ARM_RESOURCE, PROXY_VARS, RG, Tenant, jwt_claims, use_serve_env

pytestmark = pytest.mark.slow

KV_API = "2023-07-01"
ADLS_API = "2016-11-01"
KV_RESOURCE = "https://vault.azure.net"
DATA_LAKE = "https://datalake.azure.net/"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"


@dataclass
class Services:
    """What ``services`` seeded next to vm1 (the unique suffix keeps the SDK's process-wide challenge cache
    from mixing tests)."""

    tenant: Tenant
    policy_vault: str  # access policies: vm1 may get/list/set; the UAI has no policy
    rbac_vault: str  # RBAC: vm1 is "Key Vault Secrets User" (get, not set)
    store: str  # Data Lake store: vm1 has rwx on /, /private is the admin's alone
    uai_id: str
    uai_client_id: str
    uai_principal_id: str
    loose_client_id: str  # a user-assigned identity that is NOT attached to vm1

    @property
    def policy_vault_url(self) -> str:
        return f"https://{self.policy_vault}.vault.azure.net"

    @property
    def rbac_vault_url(self) -> str:
        return f"https://{self.rbac_vault}.vault.azure.net"


def _vault_body(tenant_id: str, *, rbac: bool, policies: list[dict[str, Any]]) -> dict[str, Any]:
    return {"location": "westus", "properties": {
        "tenantId": tenant_id, "sku": {"family": "A", "name": "standard"}, "enableRbacAuthorization": rbac,
        "accessPolicies": policies}}


def seed_services(t: Tenant) -> Services:
    """Vaults, a Data Lake store and user-assigned identities, created through the planes as the admin."""
    world = t.world
    suffix = uuid.uuid4().hex[:8]
    admin = world.admin_user
    token = world.tokens.issue_for_principal(principal=admin, resource=ARM_RESOURCE, kind="user").access_token
    with make_client(world, lambda: CallerContext()) as client:
        arm = ArmClient(client, world, token)
        rg = arm.rg_path(RG)
        # user-assigned identities: one attached to vm1, one loose
        uai = arm.request("PUT", f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/uai1",
                          api_version="2023-01-31", json={"location": "westus"})
        assert uai.status_code in (200, 201), uai.text
        loose = arm.request("PUT", f"{rg}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/loose",
                            api_version="2023-01-31", json={"location": "westus"})
        assert loose.status_code in (200, 201), loose.text
        world.backend.set_identity(t.vm_id, identity_type="SystemAssigned, UserAssigned",
                                   user_assigned_ids=[uai.json()["id"]])
        # Key Vault: access-policy vault and RBAC vault
        policy_vault, rbac_vault = f"kvp-{suffix}", f"kvr-{suffix}"
        policies = [
            {"tenantId": world.tenant_id, "objectId": admin.object_id, "permissions": {"secrets": ["all"]}},
            {"tenantId": world.tenant_id, "objectId": t.principal_id,
             "permissions": {"secrets": ["get", "list", "set"]}},
        ]
        for name, body in ((policy_vault, _vault_body(world.tenant_id, rbac=False, policies=policies)),
                           (rbac_vault, _vault_body(world.tenant_id, rbac=True, policies=[]))):
            r = arm.request("PUT", f"{rg}/providers/Microsoft.KeyVault/vaults/{name}", api_version=KV_API,
                            json=body)
            assert r.status_code in (200, 201), r.text
        rbac_vault_id = f"{rg}/providers/Microsoft.KeyVault/vaults/{rbac_vault}"
        assert arm.assign(rbac_vault_id, t.principal_id, SECRETS_USER).status_code == 201
        _seed_rbac_secret(world, rbac_vault_id, admin.object_id)
        # Data Lake store: vm1 gets rwx on / by ACL; /private stays the admin's (770)
        store = f"adls{suffix}"
        r = arm.request("PUT", f"{rg}/providers/Microsoft.DataLakeStore/accounts/{store}", api_version=ADLS_API,
                        json={"location": "eastus2"})
        assert r.status_code in (200, 201), r.text
        lake_token = world.tokens.issue_for_principal(principal=admin, resource=DATA_LAKE, kind="user").access_token
        base = f"https://{store}.azuredatalakestore.net/webhdfs/v1"
        auth = {"Authorization": f"Bearer {lake_token}"}
        r = client.put(f"{base}/?op=MODIFYACLENTRIES&aclspec=user:{t.principal_id}:rwx", headers=auth)
        assert r.status_code == 200, r.text
        r = client.put(f"{base}/private?op=MKDIRS&permission=770", headers=auth)
        assert r.status_code == 200, r.text
    return Services(t, policy_vault, rbac_vault, store, uai.json()["id"], uai.json()["properties"]["clientId"],
                    uai.json()["properties"]["principalId"], loose.json()["properties"]["clientId"])


def _seed_rbac_secret(world: Any, vault_id: str, admin_oid: str) -> None:
    """The admin writes ``seeded`` into the RBAC vault (granting itself Secrets Officer first, as a user would)."""
    officer = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
    world.backend.create_role_assignment(scope=vault_id, role_definition_id=officer, principal_id=admin_oid)
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=KV_RESOURCE,
                                             kind="user").access_token
    name = vault_id.rsplit("/", 1)[1]
    with make_client(world, lambda: CallerContext()) as client:
        r = client.put(f"https://{name}.vault.azure.net/secrets/seeded?api-version=7.4",
                       headers={"Authorization": f"Bearer {token}"}, json={"value": "from-admin"})
        assert r.status_code == 200, r.text


@pytest.fixture
def services(tenant: Tenant) -> Services:
    return seed_services(tenant)


@pytest.fixture
def client_env(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA) -> AzShellServer:
    """Exactly the variables ``azshell serve --vm vm1`` prints, on a scrubbed environment."""
    return use_serve_env(monkeypatch, server, ca)


# ---------------------------------------------------------------------------------------------- Key Vault (sync)
def test_secret_client_sync_through_the_proxy(client_env: AzShellServer, services: Services) -> None:
    require_module("azure.keyvault.secrets")
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.identity import ManagedIdentityCredential
    from azure.keyvault.secrets import SecretClient

    credential = ManagedIdentityCredential()
    # default verify_challenge_resource; TLS trust from REQUESTS_CA_BUNDLE; the proxy from HTTPS_PROXY
    client = SecretClient(services.policy_vault_url, credential)
    with client:
        made = client.set_secret("alpha", "value-1", tags={"env": "test"}, content_type="text/plain")
        assert made.value == "value-1" and made.properties.vault_url == services.policy_vault_url
        assert made.properties.version and len(made.properties.version) == 32
        client.set_secret("alpha", "value-2")
        got = client.get_secret("alpha")
        assert got.value == "value-2" and got.properties.version != made.properties.version
        assert client.get_secret("alpha", made.properties.version).value == "value-1"
        for i in range(7):
            client.set_secret(f"paged-{i}", str(i))
        pages = client.list_properties_of_secrets(max_page_size=3).by_page()
        page_sizes = [len(list(p)) for p in pages]
        assert page_sizes[:3] == [3, 3, 2] and sum(page_sizes) == 8  # alpha + 7, across pages via nextLink
        names = {p.name for p in client.list_properties_of_secrets()}
        assert names == {"alpha", *(f"paged-{i}" for i in range(7))}
        with pytest.raises(ResourceNotFoundError):
            client.get_secret("missing")

    # access-policy denial: the attached user-assigned identity has no policy on this vault
    uai_cred = ManagedIdentityCredential(client_id=services.uai_client_id)
    with SecretClient(services.policy_vault_url, uai_cred) as denied_client:
        with pytest.raises(HttpResponseError) as info:
            denied_client.get_secret("alpha")
    assert info.value.status_code == 403
    assert info.value.error is not None and info.value.error.code == "Forbidden"
    assert info.value.error.innererror == {"code": "AccessDenied"}

    # RBAC: Secrets User may read, not write
    with SecretClient(services.rbac_vault_url, credential) as rbac_client:
        assert rbac_client.get_secret("seeded").value == "from-admin"
        with pytest.raises(HttpResponseError) as info:
            rbac_client.set_secret("nope", "x")
    assert info.value.status_code == 403
    assert info.value.error is not None and info.value.error.innererror == {"code": "ForbiddenByRbac"}


def test_secret_client_with_connection_verify(client_env: AzShellServer, services: Services, ca: LocalCA,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    """Trust by ``connection_verify`` alone (no CA variables), as contracts §2.4 proves."""
    require_module("azure.keyvault.secrets")
    from azure.identity import ManagedIdentityCredential
    from azure.keyvault.secrets import SecretClient

    monkeypatch.delenv("REQUESTS_CA_BUNDLE")
    monkeypatch.delenv("SSL_CERT_FILE")
    with SecretClient(services.policy_vault_url, ManagedIdentityCredential(), connection_verify=ca.cert_path) as c:
        assert c.set_secret("beta", "b").value == "b"
        assert c.get_secret("beta").value == "b"


def test_tls_without_trust_fails_closed(client_env: AzShellServer, services: Services,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    require_module("azure.keyvault.secrets")
    import certifi
    from azure.core.exceptions import ServiceRequestError
    from azure.identity import ManagedIdentityCredential
    from azure.keyvault.secrets import SecretClient

    monkeypatch.setenv("REQUESTS_CA_BUNDLE", certifi.where())
    with SecretClient(services.policy_vault_url, ManagedIdentityCredential(), retry_total=0) as c:
        with pytest.raises(ServiceRequestError, match="CERTIFICATE_VERIFY_FAILED"):
            c.get_secret("alpha")


# --------------------------------------------------------------------------------------------- Key Vault (async)
def test_secret_client_async_through_the_proxy(client_env: AzShellServer, services: Services, ca: LocalCA) -> None:
    require_module("aiohttp")
    require_module("azure.keyvault.secrets")
    from azure.core.exceptions import HttpResponseError
    from azure.identity.aio import ManagedIdentityCredential
    from azure.keyvault.secrets.aio import SecretClient

    async def scenario() -> None:
        # aiohttp builds its default SSL context at import time, so trust the CA explicitly (contracts §2.4);
        # the proxy comes from HTTPS_PROXY (azure-core's aiohttp transport uses trust_env).
        async with ManagedIdentityCredential() as credential:
            async with SecretClient(services.policy_vault_url, credential, connection_verify=ca.cert_path) as c:
                made = await c.set_secret("async-alpha", "a1")
                assert made.value == "a1"
                assert (await c.get_secret("async-alpha")).value == "a1"
                for i in range(4):
                    await c.set_secret(f"async-{i}", str(i))
                pages = c.list_properties_of_secrets(max_page_size=2).by_page()
                sizes = [len([p async for p in page]) async for page in pages]
                assert sizes[0] == 2 and len(sizes) >= 3 and sum(sizes) == 5
            async with SecretClient(services.rbac_vault_url, credential, connection_verify=ca.cert_path) as c:
                assert (await c.get_secret("seeded")).value == "from-admin"
                with pytest.raises(HttpResponseError) as info:
                    await c.set_secret("nope", "x")
                assert info.value.status_code == 403
        async with ManagedIdentityCredential(client_id=services.uai_client_id) as uai:
            async with SecretClient(services.policy_vault_url, uai, connection_verify=ca.cert_path) as c:
                with pytest.raises(HttpResponseError) as info:
                    await c.get_secret("async-alpha")
                assert info.value.status_code == 403
                assert info.value.error is not None and info.value.error.innererror == {"code": "AccessDenied"}

    asyncio.run(scenario())


# ------------------------------------------------------------------------------------- managed identity (IMDS)
def test_managed_identity_user_assigned_selectors(client_env: AzShellServer, services: Services) -> None:
    require_module("azure.identity")
    from azure.identity import CredentialUnavailableError, ManagedIdentityCredential

    scope = "https://vault.azure.net/.default"
    system = ManagedIdentityCredential().get_token(scope)
    assert jwt_claims(system.token)["oid"] == services.tenant.principal_id
    for cred in (ManagedIdentityCredential(client_id=services.uai_client_id),
                 ManagedIdentityCredential(identity_config={"client_id": services.uai_client_id}),
                 ManagedIdentityCredential(identity_config={"object_id": services.uai_principal_id}),
                 ManagedIdentityCredential(identity_config={"resource_id": services.uai_id})):
        claims = jwt_claims(cred.get_token(scope).token)
        assert claims["oid"] == services.uai_principal_id, cred
        assert claims["aud"] == KV_RESOURCE
    with pytest.raises(CredentialUnavailableError, match="Identity not found"):
        ManagedIdentityCredential(client_id=services.loose_client_id).get_token(scope)


def test_managed_identity_async_user_assigned_selectors(client_env: AzShellServer, services: Services) -> None:
    require_module("aiohttp")
    from azure.identity.aio import ManagedIdentityCredential

    async def scenario() -> list[str]:
        oids = []
        for kwargs in ({}, {"client_id": services.uai_client_id},
                       {"identity_config": {"object_id": services.uai_principal_id}},
                       {"identity_config": {"msi_res_id": services.uai_id}}):
            async with ManagedIdentityCredential(**kwargs) as cred:  # type: ignore[arg-type]
                oids.append(str(jwt_claims((await cred.get_token(ARM_RESOURCE + ".default")).token)["oid"]))
        return oids

    oids = asyncio.run(scenario())
    assert oids == [services.tenant.principal_id] + [services.uai_principal_id] * 3


def test_msal_user_assigned_by_client_id(client_env: AzShellServer, services: Services) -> None:
    msal = require_module("msal")
    import requests

    for identity in (msal.UserAssignedManagedIdentity(client_id=services.uai_client_id),
                     msal.UserAssignedManagedIdentity(object_id=services.uai_principal_id),
                     msal.UserAssignedManagedIdentity(resource_id=services.uai_id)):
        client = msal.ManagedIdentityClient(identity, http_client=requests.Session())
        result = client.acquire_token_for_client(resource=KV_RESOURCE)
        assert "access_token" in result, result
        assert jwt_claims(result["access_token"])["oid"] == services.uai_principal_id
        assert client.acquire_token_for_client(resource=KV_RESOURCE)["token_source"] == "cache"
    unknown = msal.ManagedIdentityClient(msal.UserAssignedManagedIdentity(client_id=services.loose_client_id),
                                         http_client=requests.Session())
    result = unknown.acquire_token_for_client(resource=KV_RESOURCE)
    assert result.get("error") == "invalid_request" and "Identity not found" in result["error_description"]


# ------------------------------------------------------------------------------------- App Service (serve --app)
@pytest.fixture
def app_server(tenant: Tenant, services: Services, ca: LocalCA,
               monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[AzShellServer, dict[str, str]]]:
    """``azshell serve --app app1``: a web app with system + the user-assigned identity; its export lines set."""
    from azshell.server import _app_service_endpoint, export_lines, resolve_host

    world = tenant.world
    sub = tenant.subscription_id
    plan = world.backend.create_or_update_resource(sub, RG, "Microsoft.Web/serverfarms", "plan1", "westus", {})
    world.backend.create_or_update_resource(sub, RG, "Microsoft.Web/sites", "app1", "westus",
                                            {"serverFarmId": plan.id}, identity_type="SystemAssigned, UserAssigned",
                                            user_assigned_ids=[services.uai_id], extra={"kind": "app"})
    host = resolve_host(world, app="app1")
    assert host is not None and host.identity_header
    endpoints = TokenEndpoints(host_id=host.resource_id, app_service=_app_service_endpoint())
    with AzShellServer.start(Planes(world).dispatch, endpoints, ca, tls_hosts=TlsHosts.of(world.registry)) as s:
        exports = dict(line[len("export "):].split("=", 1) for line in export_lines(s, ca.cert_path, host))
        for name in PROXY_VARS:
            monkeypatch.delenv(name, raising=False)
        for name, value in exports.items():
            monkeypatch.setenv(name, value.strip("'"))
        yield s, exports


def test_managed_identity_on_app_service(app_server: tuple[AzShellServer, dict[str, str]], tenant: Tenant,
                                         services: Services) -> None:
    require_module("azure.identity")
    from azure.identity import CredentialUnavailableError, ManagedIdentityCredential

    _, exports = app_server
    assert {"IDENTITY_ENDPOINT", "IDENTITY_HEADER"} <= set(exports)
    site = tenant.world.store.get_resource(resolve_site(tenant))
    assert site is not None and site.identity is not None
    system = ManagedIdentityCredential().get_token("https://management.azure.com/.default")
    assert jwt_claims(system.token)["oid"] == site.identity.principal_id
    assert system.expires_on > 0
    for cred in (ManagedIdentityCredential(client_id=services.uai_client_id),
                 ManagedIdentityCredential(identity_config={"object_id": services.uai_principal_id}),
                 ManagedIdentityCredential(identity_config={"resource_id": services.uai_id})):
        assert jwt_claims(cred.get_token(KV_RESOURCE + "/.default").token)["oid"] == services.uai_principal_id
    with pytest.raises(CredentialUnavailableError):
        ManagedIdentityCredential(client_id=services.loose_client_id).get_token(KV_RESOURCE + "/.default")


def test_msal_on_app_service(app_server: tuple[AzShellServer, dict[str, str]], services: Services) -> None:
    msal = require_module("msal")
    import requests

    client = msal.ManagedIdentityClient(msal.UserAssignedManagedIdentity(client_id=services.uai_client_id),
                                        http_client=requests.Session())
    result = client.acquire_token_for_client(resource=KV_RESOURCE)
    assert "access_token" in result, result
    assert jwt_claims(result["access_token"])["oid"] == services.uai_principal_id


def test_app_service_token_reaches_key_vault(app_server: tuple[AzShellServer, dict[str, str]], tenant: Tenant,
                                             services: Services, ca: LocalCA) -> None:
    """The app's system identity has no access policy: SecretClient through the same server → 403."""
    require_module("azure.keyvault.secrets")
    from azure.core.exceptions import HttpResponseError
    from azure.identity import ManagedIdentityCredential
    from azure.keyvault.secrets import SecretClient

    with SecretClient(services.policy_vault_url, ManagedIdentityCredential()) as c:
        with pytest.raises(HttpResponseError) as info:
            c.get_secret("alpha")
    assert info.value.status_code == 403


def resolve_site(tenant: Tenant) -> str:
    return (f"/subscriptions/{tenant.subscription_id}/resourceGroups/{RG}/providers/Microsoft.Web/sites/app1")


# ------------------------------------------------------------------------------------------ Data Lake (httpx)
def test_data_lake_webhdfs_through_httpx(server: AzShellServer, services: Services, ca: LocalCA) -> None:
    r = httpx.get(f"{server.url}/metadata/identity/oauth2/token", headers={"Metadata": "true"},
                  params={"api-version": "2018-02-01", "resource": DATA_LAKE}, trust_env=False)
    assert r.status_code == 200, r.text
    token = r.json()["access_token"]
    assert jwt_claims(token)["aud"] == DATA_LAKE
    base = f"https://{services.store}.azuredatalakestore.net/webhdfs/v1"
    auth = {"Authorization": f"Bearer {token}"}
    trust = ssl.create_default_context(cafile=ca.cert_path)
    with httpx.Client(proxy=server.url, verify=trust, trust_env=False, headers=auth) as c:
        made = c.put(f"{base}/TestFolder", params={"op": "MKDIRS"})
        assert made.status_code == 200 and made.json() == {"boolean": True}, made.text
        # CREATE: 307 to the write URL, then the same PUT with write=true → 201
        first = c.put(f"{base}/TestFolder/Test1.txt", params={"op": "CREATE"}, content=b"Test file.\n")
        assert first.status_code == 307 and first.content == b""
        location = first.headers["Location"]
        assert location.startswith(f"https://{services.store}.azuredatalakestore.net/") and "write=true" in location
        second = c.put(location, content=b"Test file.\n")
        assert second.status_code == 201, second.text
        # the same upload with the client following the redirect itself (307 keeps method and body)
        followed = c.put(f"{base}/TestFolder/Test2.txt", params={"op": "CREATE"}, content=b"two\n",
                         follow_redirects=True)
        assert followed.status_code == 201 and [h.status_code for h in followed.history] == [307]
        listing = c.get(f"{base}/TestFolder", params={"op": "LISTSTATUS"})
        assert listing.status_code == 200
        statuses = listing.json()["FileStatuses"]["FileStatus"]
        assert sorted((s["pathSuffix"], s["type"], s["length"]) for s in statuses) == [
            ("Test1.txt", "FILE", 11), ("Test2.txt", "FILE", 4)]
        opened = c.get(f"{base}/TestFolder/Test1.txt", params={"op": "OPEN", "read": "true"})
        assert opened.status_code == 200 and opened.content == b"Test file.\n"
        denied = c.get(f"{base}/private", params={"op": "LISTSTATUS"})
        assert denied.status_code == 403
        exc = denied.json()["RemoteException"]
        assert exc["exception"] == "AccessControlException"
        assert "ACL verification failed" in exc["message"]
        anonymous = c.get(f"{base}/TestFolder", params={"op": "LISTSTATUS"}, headers={"Authorization": ""})
        assert anonymous.status_code == 401
