"""Scale sets through ``azshell serve`` with the newest ``azure-mgmt-compute`` at its default api-version: create one
with a system-assigned identity and the MSI extension in its extension profile (the template form), read it and
its instances, switch its identity with ``begin_update``, delete it."""

from __future__ import annotations

import pytest

from tests.conftest import require_module

from .conftest import RG, Tenant, managed_identity_credential

pytestmark = pytest.mark.slow





def test_scale_set_with_identity_through_the_sdk(mgmt_env: Tenant) -> None:
    require_module("azure.mgmt.compute")
    from azure.mgmt.compute import ComputeManagementClient

    t = mgmt_env
    body = {
        "location": "westus",
        "sku": {"name": "Standard_DS1_v2", "tier": "Standard", "capacity": 2},
        "identity": {"type": "SystemAssigned"},
        "properties": {"upgradePolicy": {"mode": "Automatic"}, "virtualMachineProfile": {"extensionProfile": {
            "extensions": [{"name": "MSIWindowsExtension", "properties": {
                "publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForWindows",
                "typeHandlerVersion": "1.0", "autoUpgradeMinorVersion": True, "settings": {"port": 50342}}}]}}},
    }
    with ComputeManagementClient(managed_identity_credential(), t.subscription_id) as client:
        made = client.virtual_machine_scale_sets.begin_create_or_update(RG, "ss1", body).result()
        assert made.identity is not None and made.identity.type == "SystemAssigned"
        assert made.identity.principal_id and made.sku is not None and made.sku.capacity == 2
        ext = made.virtual_machine_profile.extension_profile.extensions[0]
        assert ext.properties.type == "ManagedIdentityExtensionForWindows" and ext.properties.settings == {"port": 50342}
        got = client.virtual_machine_scale_sets.get(RG, "ss1")
        assert got.identity.principal_id == made.identity.principal_id
        assert [s.name for s in client.virtual_machine_scale_sets.list(RG)] == ["ss1"]
        instances = list(client.virtual_machine_scale_set_vms.list(RG, "ss1"))
        assert sorted((i.instance_id, i.name) for i in instances) == [("0", "ss1_0"), ("1", "ss1_1")]
        one = client.virtual_machine_scale_set_vms.get(RG, "ss1", "1")
        assert one.latest_model_applied is True
        sp = t.world.store.get_directory_object(made.identity.principal_id)
        assert sp is not None and sp.display_name == "ss1"
        updated = client.virtual_machine_scale_sets.begin_update(RG, "ss1", {"identity": {"type": "None"}}).result()
        assert updated.identity is None
        assert t.world.store.get_directory_object(made.identity.principal_id) is None
        client.virtual_machine_scale_sets.begin_delete(RG, "ss1").result()
        assert list(client.virtual_machine_scale_sets.list(RG)) == []
