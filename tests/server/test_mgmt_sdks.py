"""The Azure management SDKs for Python, unmodified and with their DEFAULT api-versions, against ``azshell serve``
(issue 15, "Management SDKs with their default api-versions").

Each client runs through the HTTPS proxy exactly as ``azshell serve --vm vm1`` prints it (``HTTPS_PROXY``, the
local CA, IMDS for the token): ``ManagedIdentityCredential`` signs in as vm1, which holds Contributor on the
subscription here. No client is given an ``api_version``: whatever the installed SDK sends by default (CI installs
the newest releases from pyproject's ``test`` extras) must be accepted. A response hook records the api-version of
every call, and the test checks it is the SDK's own default (so nothing silently fell back to an older version).

* ``ResourceManagementClient``: resource groups create/get/list (with a tag filter), ``resources.list`` with
  ``$filter`` and ``$top``/``nextLink``, a bad filter's 400, providers get/list/register.
* ``ComputeManagementClient``: ``virtual_machines.get`` / ``list`` / ``list_all`` / ``instance_view`` / ``get``
  with ``expand="instanceView"``.
* ``KeyVaultManagementClient``: ``check_name_availability``, ``vaults.begin_create_or_update``, ``get``,
  ``list_by_resource_group``, ``vaults.list`` (``/resources`` filtered by type).
* ``ManagedServiceIdentityClient``: user-assigned identities create/get, ``system_assigned_identities.
  get_by_scope`` on vm1.
* ``AuthorizationManagementClient``: ``role_assignments.list_for_scope``, ``role_definitions.list``.

Marked ``slow`` like the other real-client tests; they run in CI.
"""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from tests.conftest import require_module

from .conftest import CONTRIBUTOR, RG, VM, Tenant, managed_identity_credential

pytestmark = pytest.mark.slow

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"




class _Versions:
    """The api-versions the SDK's requests carried (a response hook on every call)."""

    def __init__(self) -> None:
        self.seen: list[tuple[str, str]] = []

    def __call__(self, response: Any) -> None:
        request = response.http_request
        from urllib.parse import parse_qs, urlsplit

        query = parse_qs(urlsplit(request.url).query)
        for version in query.get("api-version", []):
            self.seen.append((urlsplit(request.url).path, version))

    def of(self, fragment: str) -> set[str]:
        return {v for p, v in self.seen if fragment.lower() in p.lower()}


def _builder_default(builder: Any, *args: str) -> str:
    """The api-version a generated request builder puts on its request when given none."""
    from urllib.parse import parse_qs, urlsplit

    return str(parse_qs(urlsplit(builder(*args).url).query)["api-version"][0])


def test_resource_management_client(mgmt_env: Tenant) -> None:
    require_module("azure.mgmt.resource")
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.mgmt.resource.resources import ResourceManagementClient

    t = mgmt_env
    versions = _Versions()
    with ResourceManagementClient(managed_identity_credential(), t.subscription_id, raw_response_hook=versions) as client:
        made = client.resource_groups.create_or_update("sdk-rg", {"location": "westus", "tags": {"env": "sdk"}})
        assert made.name == "sdk-rg" and made.location == "westus" and made.tags == {"env": "sdk"}
        props = client.resource_groups.get("sdk-rg").properties
        assert props is not None and props.provisioning_state == "Succeeded"
        assert {g.name for g in client.resource_groups.list()} == {RG, "sdk-rg"}
        tagged = [g.name for g in client.resource_groups.list(filter="tagName eq 'env' and tagValue eq 'sdk'")]
        assert tagged == ["sdk-rg"]
        with pytest.raises(ResourceNotFoundError):
            client.resource_groups.get("missing-rg")

        # $filter on /resources: by type, by name (substringof), by tag; a bad filter is ARM's 400
        vms = list(client.resources.list(filter="resourceType eq 'Microsoft.Compute/virtualMachines'"))
        assert [r.name for r in vms] == [VM] and vms[0].type == "Microsoft.Compute/virtualMachines"
        assert [r.name for r in client.resources.list(filter="substringof('vm', name)")] == [VM]
        assert list(client.resources.list(filter="resourceType eq 'Microsoft.KeyVault/vaults'")) == []
        in_group = list(client.resources.list_by_resource_group(RG, filter="name eq 'vm1'"))
        assert [r.id for r in in_group] == [t.vm_id]
        with pytest.raises(HttpResponseError) as info:
            list(client.resources.list(filter="gibberish"))
        assert info.value.status_code == 400
        assert info.value.error is not None and info.value.error.code == "InvalidFilterInQueryString"
        assert info.value.error.message == "Invalid $filter 'gibberish' specified in the query string."

        # $top pages through nextLink
        client.resource_groups.create_or_update("sdk-rg2", {"location": "eastus"})
        for uai in ("uai-sdk-a", "uai-sdk-b"):
            t.world.backend.create_or_update_user_assigned_identity(t.subscription_id, RG, uai, "westus")
        pages = [[str(g.name) for g in p] for p in client.resource_groups.list(top=1).by_page()]
        assert len(pages) == 3 and all(len(p) == 1 for p in pages)
        assert sorted(sum(pages, [])) == sorted([RG, "sdk-rg", "sdk-rg2"])
        by_two = [[str(r.name) for r in p] for p in client.resources.list(top=2).by_page()]
        assert [len(p) for p in by_two] == [2, 1] and sorted(sum(by_two, [])) == sorted([VM, "uai-sdk-a", "uai-sdk-b"])

        # providers: registration state, types with api-versions and locations; register
        kv = client.providers.get("Microsoft.KeyVault")
        assert kv.namespace == "Microsoft.KeyVault" and kv.registration_state == "Registered"
        vaults = next(rt for rt in kv.resource_types or [] if rt.resource_type == "vaults")
        assert "2026-05-15" in (vaults.api_versions or []) and "West US" in (vaults.locations or [])
        namespaces = {p.namespace for p in client.providers.list()}
        assert {"Microsoft.Compute", "Microsoft.KeyVault", "Microsoft.ManagedIdentity", "Microsoft.Resources",
                "Microsoft.Authorization"} <= namespaces
        assert client.providers.register("Microsoft.Compute").registration_state == "Registered"

        client.resource_groups.begin_delete("sdk-rg2").result()
        assert {g.name for g in client.resource_groups.list()} == {RG, "sdk-rg"}
        default = client._config.api_version
    assert default >= "2025-04-01"  # azure-mgmt-resource 26
    assert versions.of("/resourcegroups") == versions.of("/resources") == {default}, versions.seen


def test_compute_management_client(mgmt_env: Tenant) -> None:
    require_module("azure.mgmt.compute")
    from azure.mgmt.compute import ComputeManagementClient

    t = mgmt_env
    versions = _Versions()
    with ComputeManagementClient(managed_identity_credential(), t.subscription_id, raw_response_hook=versions) as client:
        vm = client.virtual_machines.get(RG, VM)
        assert vm.name == VM and vm.id == t.vm_id and vm.location == "westus"
        assert vm.identity is not None and vm.identity.principal_id == t.principal_id
        assert [v.name for v in client.virtual_machines.list(RG)] == [VM]
        assert [v.id for v in client.virtual_machines.list_all()] == [t.vm_id]
        view = client.virtual_machines.instance_view(RG, VM)
        assert [s.code for s in view.statuses or []] == ["ProvisioningState/succeeded", "PowerState/running"]
        expanded = client.virtual_machines.get(RG, VM, expand="instanceView")
        assert expanded.instance_view is not None
        assert expanded.instance_view.statuses[-1].display_status == "VM running"
        assert vm.instance_view is None  # only when asked
    from azure.mgmt.compute.operations import _operations as ops

    default = _builder_default(ops.build_virtual_machines_get_request, RG, VM, t.subscription_id)
    assert default >= "2026-04-01"  # azure-mgmt-compute 39
    assert versions.of("/virtualMachines") == {default}, versions.seen


def test_key_vault_management_client(mgmt_env: Tenant) -> None:
    require_module("azure.mgmt.keyvault")
    from azure.mgmt.keyvault import KeyVaultManagementClient

    t = mgmt_env
    name = f"kv-sdk-{uuid.uuid4().hex[:8]}"
    versions = _Versions()
    with KeyVaultManagementClient(managed_identity_credential(), t.subscription_id, raw_response_hook=versions) as client:
        free = client.vaults.check_name_availability({"name": name, "type": "Microsoft.KeyVault/vaults"})
        assert free.name_available is True
        bad = client.vaults.check_name_availability({"name": "x", "type": "Microsoft.KeyVault/vaults"})
        assert bad.name_available is False and bad.reason == "AccountNameInvalid"
        made = client.vaults.begin_create_or_update(RG, name, {
            "location": "westus",
            "properties": {"tenantId": t.world.tenant_id, "sku": {"family": "A", "name": "standard"},
                           "accessPolicies": []},
        }).result()
        assert made.name == name and made.properties.vault_uri == f"https://{name}.vault.azure.net/"
        got = client.vaults.get(RG, name)
        assert got.id == made.id and got.properties.tenant_id == t.world.tenant_id
        assert [v.name for v in client.vaults.list_by_resource_group(RG, top=5)] == [name]
        listed = list(client.vaults.list())
        assert [v.name for v in listed] == [name] and listed[0].type == "Microsoft.KeyVault/vaults"
        taken = client.vaults.check_name_availability({"name": name.upper(), "type": "Microsoft.KeyVault/vaults"})
        assert taken.name_available is False and taken.reason == "AlreadyExists"
        default = client._config.api_version
    assert versions.of("/vaults") == versions.of("/checkNameAvailability") == {default}, versions.seen
    assert versions.of("/resources") == {"2015-11-01"}  # vaults.list() asks Microsoft.Resources


def test_managed_service_identity_client(mgmt_env: Tenant) -> None:
    require_module("azure.mgmt.msi")
    from azure.core.exceptions import HttpResponseError
    from azure.mgmt.msi import ManagedServiceIdentityClient

    t = mgmt_env
    versions = _Versions()
    with ManagedServiceIdentityClient(managed_identity_credential(), t.subscription_id, raw_response_hook=versions) as client:
        uai = client.user_assigned_identities.create_or_update(RG, "sdk-uai", {"location": "westus"})
        assert uai.name == "sdk-uai" and uai.client_id and uai.principal_id and uai.tenant_id == t.world.tenant_id
        assert client.user_assigned_identities.get(RG, "sdk-uai").client_id == uai.client_id
        system = client.system_assigned_identities.get_by_scope(t.vm_id)
        assert system.principal_id == t.principal_id and system.tenant_id == t.world.tenant_id
        sp = t.world.store.get_directory_object(t.principal_id)
        assert sp is not None and system.client_id == sp.app_id
        assert system.id == f"{t.vm_id}/providers/Microsoft.ManagedIdentity/identities/default"
        with pytest.raises(HttpResponseError) as info:
            client.system_assigned_identities.get_by_scope(uai.id)  # a UAI has no system identity
        assert info.value.status_code == 404
    default = ManagedServiceIdentityClient.DEFAULT_API_VERSION
    assert versions.of("/identities") == versions.of("/userAssignedIdentities") == {default}, versions.seen


def test_authorization_management_client(mgmt_env: Tenant) -> None:
    require_module("azure.mgmt.authorization")
    from azure.mgmt.authorization import AuthorizationManagementClient

    t = mgmt_env
    versions = _Versions()
    with AuthorizationManagementClient(managed_identity_credential(), t.subscription_id, raw_response_hook=versions) as client:
        at_rg = list(client.role_assignments.list_for_scope(t.rg_id))
        mine = [a for a in at_rg if a.principal_id == t.principal_id]
        assert any(a.role_definition_id.endswith(READER) for a in mine)
        roles = {d.role_name: d for d in client.role_definitions.list(f"/subscriptions/{t.subscription_id}")}
        assert roles["Reader"].name == READER and roles["Contributor"].name == CONTRIBUTOR
    default = AuthorizationManagementClient.DEFAULT_API_VERSION
    assert versions.of("/roleAssignments") == versions.of("/roleDefinitions") == {default}, versions.seen
