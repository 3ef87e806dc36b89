"""azure-storage-blob, unmodified, against ``azshell serve`` (issue 11).

``BlobServiceClient`` reaches the real host name ``{account}.blob.core.windows.net`` through ``HTTPS_PROXY`` with
the local CA, with every credential Azure Storage takes: azure-identity's ``ManagedIdentityCredential`` on the
emulated IMDS (vm1's identity; sync and async clients), a connection string with the account key (Shared Key),
and SAS tokens made by ``generate_blob_sas`` / ``generate_container_sas`` / ``generate_account_sas``. The SDK
sends its own newest ``x-ms-version``. Large uploads go in blocks (``max_single_put_size`` small: Put Block +
Put Block List), downloads in ranges, lists in pages (``results_per_page``: ``maxresults``/``marker``).
Refusals carry Azure's codes: a token without a data role (``AuthorizationPermissionMismatch``), a tampered or
expired SAS and a wrong key (``AuthenticationFailed``). Marked ``slow``: runs in CI.
"""

from __future__ import annotations

import asyncio
import os
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from tests.conftest import require_module

from .conftest import RG, Tenant, admin_arm, use_serve_env

pytestmark = pytest.mark.slow

ACCOUNT = "sdkstorage"
CONTAINER = "data"
BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
ACCOUNT_URL = f"https://{ACCOUNT}.blob.core.windows.net"


class Seeded:
    def __init__(self, tenant: Tenant, key: str, account_id: str) -> None:
        self.tenant = tenant
        self.key = key
        self.account_id = account_id

    @property
    def connection_string(self) -> str:
        return (f"DefaultEndpointsProtocol=https;AccountName={ACCOUNT};AccountKey={self.key};"
                "EndpointSuffix=core.windows.net")


@pytest.fixture
def seeded(tenant: Tenant) -> Seeded:
    """An account ``sdkstorage`` in rg1 (through ARM, as the admin); vm1's identity is a Storage Blob Data
    Contributor on it; its key1."""
    with admin_arm(tenant.world) as arm:
        path = f"{arm.rg_path(RG)}/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}"
        resp = arm.request("PUT", path, api_version="2023-01-01",
                           json={"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"}})
        assert resp.status_code == 200, resp.text
        keys = arm.request("POST", path + "/listKeys", api_version="2023-01-01").json()["keys"]
        assert arm.assign(path, tenant.principal_id, BLOB_DATA_CONTRIBUTOR).status_code == 201
        return Seeded(tenant, keys[0]["value"], resp.json()["id"])


@pytest.fixture
def sdk_env(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA) -> AzShellServer:
    require_module("azure.storage.blob")
    require_module("azure.identity")
    return use_serve_env(monkeypatch, server, ca)


def _service(credential: Any, **kw: Any) -> Any:
    from azure.storage.blob import BlobServiceClient

    return BlobServiceClient(ACCOUNT_URL, credential=credential, **kw)


def _payload(size: int) -> bytes:
    return os.urandom(size)


# ------------------------------------------------------------------------------------- managed identity (OAuth)
def test_managed_identity_blocks_ranges_and_paging(sdk_env: AzShellServer, seeded: Seeded) -> None:
    from azure.core.exceptions import ResourceExistsError, ResourceModifiedError
    from azure.identity import ManagedIdentityCredential
    from azure.storage.blob import BlobServiceClient

    svc = BlobServiceClient(ACCOUNT_URL, credential=ManagedIdentityCredential(), max_single_put_size=256 * 1024,
                            max_block_size=512 * 1024, max_single_get_size=1024 * 1024,
                            max_chunk_get_size=512 * 1024)
    container = svc.create_container(CONTAINER, metadata={"owner": "vm1"})
    with pytest.raises(ResourceExistsError) as exists:
        svc.create_container(CONTAINER)
    assert exists.value.error_code == "ContainerAlreadyExists"
    payload = _payload(3 * 1024 * 1024 + 12345)
    blob = container.get_blob_client("big/one.bin")
    result = blob.upload_blob(payload, metadata={"purpose": "test"})
    committed = blob.get_block_list("committed")[0]
    assert len(committed) == 7  # 3 MiB + a little in 512 KiB blocks
    props = blob.get_blob_properties()
    assert props.size == len(payload) and props.etag == result["etag"] and props.metadata == {"purpose": "test"}
    assert blob.download_blob().readall() == payload
    assert blob.download_blob(offset=1000, length=5000).readall() == payload[1000:6000]
    # conditional update: the old ETag wins once, then loses
    etag = props.etag
    blob.upload_blob(b"v2", overwrite=True, etag=etag, match_condition=_if_match())
    with pytest.raises(ResourceModifiedError) as stale:
        blob.upload_blob(b"v3", overwrite=True, etag=etag, match_condition=_if_match())
    assert stale.value.error_code == "ConditionNotMet"
    assert blob.download_blob().readall() == b"v2"
    # paging: 12 blobs, 5 a page
    for i in range(12):
        container.upload_blob(f"page/{i:02d}.txt", f"blob {i}".encode())
    pages = list(container.list_blobs(name_starts_with="page/", results_per_page=5).by_page())
    names = [[b.name for b in page] for page in pages]
    assert [len(p) for p in names] == [5, 5, 2]
    assert sum(names, []) == [f"page/{i:02d}.txt" for i in range(12)]
    walked = [b.name for b in container.walk_blobs(delimiter="/")]
    assert walked == ["big/", "page/"]
    assert [c.name for c in svc.list_containers(include_metadata=True)] == [CONTAINER]


def _if_match() -> Any:
    from azure.core import MatchConditions

    return MatchConditions.IfNotModified


def test_managed_identity_async(sdk_env: AzShellServer, seeded: Seeded, ca: LocalCA) -> None:
    require_module("aiohttp")

    async def run() -> tuple[bytes, list[str]]:
        from azure.identity.aio import ManagedIdentityCredential
        from azure.storage.blob.aio import BlobServiceClient

        async with ManagedIdentityCredential() as cred, \
                BlobServiceClient(ACCOUNT_URL, credential=cred, max_single_put_size=64 * 1024,
                                  max_block_size=64 * 1024, connection_verify=ca.cert_path) as svc:
            # the proxy comes from HTTPS_PROXY (azure-core's aiohttp transport uses trust_env); aiohttp ignores
            # SSL_CERT_FILE, so the CA is named as the other async tests name it
            container = await svc.create_container("asyncdata")
            payload = _payload(300 * 1024)
            await container.upload_blob("a.bin", payload)
            downloaded = await (await container.download_blob("a.bin")).readall()
            assert downloaded == payload
            names = [b.name async for b in container.list_blobs()]
            return downloaded, names

    downloaded, names = asyncio.run(run())
    assert len(downloaded) == 300 * 1024 and names == ["a.bin"]


def test_reader_role_is_refused_writes(sdk_env: AzShellServer, seeded: Seeded) -> None:
    from azure.core.exceptions import HttpResponseError
    from azure.identity import ManagedIdentityCredential

    world = seeded.tenant.world
    # a second identity, user-assigned on vm1, with only Storage Blob Data Reader
    with admin_arm(world) as arm:
        uai_path = f"{arm.rg_path(RG)}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/reader"
        uai = arm.request("PUT", uai_path, api_version="2023-01-31", json={"location": "westus"}).json()
        vm_path = arm.vm_path(RG, "vm1")
        arm.request("PATCH", vm_path, api_version="2023-03-01", json={"identity": {
            "type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai["id"]: {}}}})
        assert arm.assign(seeded.account_id, uai["properties"]["principalId"], BLOB_DATA_READER).status_code == 201
    owner = _service(ManagedIdentityCredential())
    owner.create_container(CONTAINER).upload_blob("r.txt", b"readable")
    reader = _service(ManagedIdentityCredential(client_id=uai["properties"]["clientId"]))
    assert reader.get_blob_client(CONTAINER, "r.txt").download_blob().readall() == b"readable"
    with pytest.raises(HttpResponseError) as denied:
        reader.get_blob_client(CONTAINER, "w.txt").upload_blob(b"nope")
    assert denied.value.status_code == 403 and denied.value.error_code == "AuthorizationPermissionMismatch"


# ---------------------------------------------------------------------------------------- keys and SAS
def test_connection_string_shared_key(sdk_env: AzShellServer, seeded: Seeded) -> None:
    from azure.core.exceptions import ClientAuthenticationError, ResourceNotFoundError
    from azure.storage.blob import BlobServiceClient

    svc = BlobServiceClient.from_connection_string(seeded.connection_string, max_single_put_size=128 * 1024,
                                                   max_block_size=128 * 1024)
    container = svc.create_container(CONTAINER)
    payload = _payload(2 * 1024 * 1024 + 1)
    container.upload_blob("k/blob with space.bin", payload)
    assert container.download_blob("k/blob with space.bin").readall() == payload
    container.get_blob_client("k/blob with space.bin").set_blob_metadata({"a": "1"})
    assert container.get_blob_client("k/blob with space.bin").get_blob_properties().metadata == {"a": "1"}
    copy = container.get_blob_client("copy.bin")
    copy.start_copy_from_url(f"{ACCOUNT_URL}/{CONTAINER}/k/blob%20with%20space.bin", requires_sync=False)
    assert copy.download_blob().readall() == payload
    container.delete_blob("copy.bin")
    with pytest.raises(ResourceNotFoundError) as gone:
        copy.get_blob_properties()
    assert gone.value.status_code == 404
    wrong = seeded.connection_string.replace(seeded.key, seeded.key[:-8] + "AAAAAAA=")
    with pytest.raises(ClientAuthenticationError) as refused:
        BlobServiceClient.from_connection_string(wrong).get_container_client(CONTAINER).get_container_properties()
    assert refused.value.error_code == "AuthenticationFailed"


def test_sas_tokens(sdk_env: AzShellServer, seeded: Seeded) -> None:
    from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
    from azure.storage.blob import (
        AccountSasPermissions,
        BlobClient,
        BlobSasPermissions,
        BlobServiceClient,
        ContainerClient,
        ContainerSasPermissions,
        ResourceTypes,
        generate_account_sas,
        generate_blob_sas,
        generate_container_sas,
    )

    BlobServiceClient.from_connection_string(seeded.connection_string).create_container(CONTAINER)
    now = datetime.now(UTC)
    expiry = now + timedelta(hours=1)
    # account SAS: create and list
    account_sas = generate_account_sas(ACCOUNT, seeded.key, ResourceTypes(service=True, container=True, object=True),
                                       AccountSasPermissions(read=True, write=True, list=True, create=True),
                                       expiry=expiry, start=now - timedelta(minutes=5))
    svc = BlobServiceClient(ACCOUNT_URL, credential=account_sas, max_single_put_size=64 * 1024,
                            max_block_size=64 * 1024)
    svc.get_blob_client(CONTAINER, "sas/a.bin").upload_blob(_payload(200 * 1024))
    assert [c.name for c in svc.list_containers()] == [CONTAINER]
    # container SAS: read + list, no write
    csas = generate_container_sas(ACCOUNT, CONTAINER, seeded.key,
                                  permission=ContainerSasPermissions(read=True, list=True), expiry=expiry)
    ro = ContainerClient(ACCOUNT_URL, CONTAINER, credential=csas)
    assert [b.name for b in ro.list_blobs()] == ["sas/a.bin"]
    with pytest.raises(HttpResponseError) as no_write:
        ro.upload_blob("sas/b.bin", b"x")
    assert no_write.value.status_code == 403 and no_write.value.error_code == "AuthorizationPermissionMismatch"
    # blob SAS
    bsas = generate_blob_sas(ACCOUNT, CONTAINER, "sas/a.bin", account_key=seeded.key,
                             permission=BlobSasPermissions(read=True), expiry=expiry)
    blob_url = f"{ACCOUNT_URL}/{CONTAINER}/sas/a.bin"
    assert len(BlobClient.from_blob_url(f"{blob_url}?{bsas}").download_blob().readall()) == 200 * 1024
    # tampered: sp widened after signing
    tampered = bsas.replace("sp=r", "sp=rw")
    with pytest.raises(ClientAuthenticationError) as bad:
        BlobClient.from_blob_url(f"{blob_url}?{tampered}").download_blob().readall()
    assert bad.value.error_code == "AuthenticationFailed"
    assert "Signature did not match" in str(bad.value)
    # expired
    old = generate_blob_sas(ACCOUNT, CONTAINER, "sas/a.bin", account_key=seeded.key,
                            permission=BlobSasPermissions(read=True), expiry=now - timedelta(minutes=1),
                            start=now - timedelta(hours=1))
    with pytest.raises(ClientAuthenticationError) as expired:
        BlobClient.from_blob_url(f"{blob_url}?{old}").download_blob().readall()
    assert expired.value.error_code == "AuthenticationFailed"
    assert "Signature not valid in the specified time frame" in str(expired.value)



# ------------------------------------------------------------------------------------ the management SDK
def _iso(when: datetime) -> str:
    return when.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_storage_management_client(sdk_env: AzShellServer, tenant: Tenant) -> None:
    """azure-mgmt-storage at its default api-version: the account, its keys, both SAS actions, and the key it
    lists working on the Blob service. vm1 is Storage Account Contributor on rg1 (and Reader on the subscription,
    for ``checkNameAvailability``)."""
    require_module("azure.mgmt.storage")
    from azure.identity import ManagedIdentityCredential
    from azure.mgmt.storage import StorageManagementClient
    from azure.storage.blob import BlobServiceClient, ContainerClient

    contributor = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
    tenant.world.backend.create_role_assignment(scope=tenant.rg_id, role_definition_id=contributor,
                                                principal_id=tenant.principal_id)
    tenant.world.backend.create_role_assignment(scope=f"/subscriptions/{tenant.subscription_id}",
                                                role_definition_id="acdd72a7-3385-48ef-bd42-f606fba81ae7",
                                                principal_id=tenant.principal_id)
    with StorageManagementClient(ManagedIdentityCredential(), tenant.subscription_id) as client:
        free = client.storage_accounts.check_name_availability({"name": ACCOUNT,
                                                               "type": "Microsoft.Storage/storageAccounts"})
        assert free.name_available is True
        made = client.storage_accounts.begin_create(RG, ACCOUNT, {
            "location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
            "properties": {"allowSharedKeyAccess": True}}).result()
        assert made.name == ACCOUNT and made.primary_endpoints.blob == f"{ACCOUNT_URL}/"
        assert made.allow_shared_key_access is True
        got = client.storage_accounts.get_properties(RG, ACCOUNT)
        assert got.provisioning_state == "Succeeded" and got.sku.name == "Standard_LRS"
        assert [a.name for a in client.storage_accounts.list_by_resource_group(RG)] == [ACCOUNT]
        # (the generated models are mappings too: ``.keys`` is the mapping's method, the list is ``["keys"]``)
        keys = client.storage_accounts.list_keys(RG, ACCOUNT)["keys"]
        assert [k["keyName"] for k in keys] == ["key1", "key2"] and keys[0]["permissions"] == "FULL"
        new = client.storage_accounts.regenerate_key(RG, ACCOUNT, {"keyName": "key2"})["keys"]
        assert new[0]["value"] == keys[0]["value"] and new[1]["value"] != keys[1]["value"]
        sas = client.storage_accounts.list_service_sas(RG, ACCOUNT, {
            "canonicalizedResource": f"/blob/{ACCOUNT}/{CONTAINER}", "signedResource": "c", "signedPermission": "rl",
            "signedExpiry": _iso(datetime.now(UTC) + timedelta(hours=1))}).service_sas_token
        account_sas = client.storage_accounts.list_account_sas(RG, ACCOUNT, {
            "signedServices": "b", "signedResourceTypes": "sco", "signedPermission": "rwlc",
            "signedExpiry": _iso(datetime.now(UTC) + timedelta(hours=1))}).account_sas_token
        taken = client.storage_accounts.check_name_availability({"name": ACCOUNT,
                                                                "type": "Microsoft.Storage/storageAccounts"})
        assert taken.name_available is False and taken.reason == "AlreadyExists"
    svc = BlobServiceClient(ACCOUNT_URL, credential={"account_name": ACCOUNT, "account_key": new[1]["value"]})
    svc.create_container(CONTAINER).upload_blob("m.txt", b"from the management SDK's key")
    with_sas = BlobServiceClient(ACCOUNT_URL, credential=account_sas)
    assert with_sas.get_blob_client(CONTAINER, "m.txt").download_blob().readall() == b"from the management SDK's key"
    assert [b.name for b in ContainerClient(ACCOUNT_URL, CONTAINER, credential=sas).list_blobs()] == ["m.txt"]


def test_user_delegation_sas_from_a_managed_identity(sdk_env: AzShellServer, seeded: Seeded) -> None:
    """The managed identity's token gets a user delegation key (``get_user_delegation_key``), and a blob SAS
    signed with it (``generate_blob_sas(user_delegation_key=…)``) reads the blob with no other credential."""
    from azure.core.exceptions import ClientAuthenticationError
    from azure.identity import ManagedIdentityCredential
    from azure.storage.blob import BlobClient, BlobSasPermissions, generate_blob_sas

    svc = _service(ManagedIdentityCredential())
    svc.create_container(CONTAINER).upload_blob("ud.txt", b"via a user delegation key")
    now = datetime.now(UTC)
    key = svc.get_user_delegation_key(now - timedelta(minutes=1), now + timedelta(hours=1))
    assert key.signed_oid == seeded.tenant.principal_id and key.signed_service == "b"
    sas = generate_blob_sas(ACCOUNT, CONTAINER, "ud.txt", user_delegation_key=key,
                            permission=BlobSasPermissions(read=True), expiry=now + timedelta(minutes=30))
    url = f"{ACCOUNT_URL}/{CONTAINER}/ud.txt"
    assert BlobClient.from_blob_url(f"{url}?{sas}").download_blob().readall() == b"via a user delegation key"
    forged = sas.replace("sp=r", "sp=rw")
    with pytest.raises(ClientAuthenticationError) as bad:
        BlobClient.from_blob_url(f"{url}?{forged}").download_blob().readall()
    assert bad.value.error_code == "AuthenticationFailed"
