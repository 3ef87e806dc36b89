"""azure-mgmt-resource-deployments (the SDK's ``DeploymentsOperations``, split out of azure-mgmt-resource since its
v24), unmodified and with its default api-version, deploying a template through ``azshell serve``.

The template creates a user-assigned identity, a VM with both a system-assigned and that user-assigned identity,
and a Reader role assignment whose ``principalId`` is ``reference(vm, '2017-12-01', 'Full').identity.principalId``.
The caller is vm1's managed identity (Owner on the subscription here), signed in through the proxy's IMDS; ARM
deploys each resource with that identity's token. A template error comes back as ARM's ``InvalidTemplate``.
"""

from __future__ import annotations

from typing import Any

import pytest

from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from tests.conftest import require_module
from tests.services.deployments.conftest import READER, vm_identity_template

from .conftest import RG, Tenant, use_serve_env

pytestmark = pytest.mark.slow

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"


@pytest.fixture
def owner_env(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA, tenant: Tenant) -> Tenant:
    use_serve_env(monkeypatch, server, ca)
    tenant.world.backend.create_role_assignment(scope=f"/subscriptions/{tenant.subscription_id}",
                                                role_definition_id=OWNER, principal_id=tenant.principal_id)
    return tenant


def _client(t: Tenant, seen: list[str]) -> Any:
    require_module("azure.identity")
    require_module("azure.mgmt.resource.deployments")
    from azure.identity import ManagedIdentityCredential
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient

    def hook(response: Any) -> None:
        from urllib.parse import parse_qs, urlsplit

        seen.extend(parse_qs(urlsplit(response.http_request.url).query).get("api-version", []))

    return DeploymentsMgmtClient(ManagedIdentityCredential(), t.subscription_id, raw_response_hook=hook,
                                 polling_interval=0)


def test_template_deploys_vm_identities_and_role_assignment(owner_env: Tenant) -> None:
    t = owner_env
    seen: list[str] = []
    with _client(t, seen) as client:
        default = client._config.api_version
        body = {"properties": {"mode": "Incremental", "template": vm_identity_template(),
                               "parameters": {"vmName": {"value": "sdkvm"}}}}
        result = client.deployments.begin_create_or_update(RG, "sdk-deploy", body).result()
        assert result.properties.provisioning_state == "Succeeded"
        principal = result.properties.outputs["principalId"]["value"]
        got = client.deployments.get(RG, "sdk-deploy")
        assert got.name == "sdk-deploy" and got.properties.mode == "Incremental"
        assert [d.name for d in client.deployments.list_by_resource_group(RG)] == ["sdk-deploy"]
        ops = list(client.deployment_operations.list(RG, "sdk-deploy"))
        assert sorted(o.properties.target_resource.resource_type for o in ops) == [
            "Microsoft.Authorization/roleAssignments", "Microsoft.Compute/virtualMachines",
            "Microsoft.ManagedIdentity/userAssignedIdentities"]
        validated = client.deployments.begin_validate(RG, "sdk-check", body).result()
        assert validated.properties.provisioning_state == "Succeeded"
        assert set(seen) == {default}, seen
    vm = t.world.store.get_resource(f"{t.rg_id}/providers/Microsoft.Compute/virtualMachines/sdkvm")
    assert vm is not None and vm.identity is not None and vm.identity.principal_id == principal
    assert len(vm.identity.user_assigned) == 1
    assigned = [a for a in t.world.store.list_role_assignments() if a.principal_id == principal]
    assert [a.role_definition_id.rsplit("/", 1)[-1] for a in assigned] == [READER]


def test_template_error_is_invalid_template_with_line_and_column(owner_env: Tenant) -> None:
    from azure.core.exceptions import HttpResponseError

    seen: list[str] = []
    with _client(owner_env, seen) as client:
        body = {"properties": {"mode": "Incremental", "template": vm_identity_template()}}
        with pytest.raises(HttpResponseError) as info:
            client.deployments.begin_create_or_update(RG, "sdk-bad", body).result()
    err = info.value.error
    assert info.value.status_code == 400 and err is not None and err.code == "InvalidTemplate"
    assert "The value for the template parameter 'vmName' at line '1' and column '" in err.message
