"""Virtual machine scale sets with managed identities: the ARM type, the Az cmdlets, ``az vmss`` (2018 names too),
IMDS and the 2017 extension endpoint on an instance, and ``az resource list -n`` for a scale set's principal."""

from __future__ import annotations

import json
from typing import Any

import pytest

from azshell.world import World
from tests.cmdlets._shell import Shell as BaseShell
from tests.conftest import ArmClient

RG = "myResourceGroup"
API = "2023-03-01"
IMDS = "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01&resource=https://management.azure.com/"


class Shell(BaseShell):
    host_streams = ("host", "warning")

    def az(self, text: str, code: int = 0) -> Any:
        outs, host = self.ok_host(text)
        assert self.exit_code() == code, host
        out = "\n".join(str(o) for o in outs)
        return json.loads(out) if out.strip().startswith(("{", "[")) else out


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup -Name {RG} -Location westus | Out-Null")
    return s


def _arm(arm: ArmClient, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    resp = arm.request(method, path, api_version=API, json=body)
    return resp.status_code, (resp.json() if resp.content else None)


def _vmss_path(shell: Shell, name: str) -> str:
    return f"/subscriptions/{shell.sub}/resourceGroups/{RG}/providers/Microsoft.Compute/virtualMachineScaleSets/{name}"


def test_arm_put_template_form_with_identity_and_extension_profile(shell: Shell, world: World,
                                                                  arm: ArmClient) -> None:
    body = {"location": "westus", "sku": {"name": "Standard_D1_v2", "capacity": 3},
            "identity": {"type": "systemAssigned"},
            "properties": {"virtualMachineProfile": {"extensionProfile": {"extensions": [{
                "name": "MSIWindowsExtension",
                "properties": {"publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForWindows",
                               "typeHandlerVersion": "1.0", "autoUpgradeMinorVersion": True,
                               "settings": {"port": 50342}}}]}}}}
    status, doc = _arm(arm, "PUT", _vmss_path(shell, "ss"), body)
    assert status == 201, doc
    assert doc["identity"]["type"] == "SystemAssigned" and doc["identity"]["principalId"]
    assert doc["identity"]["tenantId"] == world.tenant_id
    assert doc["sku"] == {"name": "Standard_D1_v2", "capacity": 3}
    ext = doc["properties"]["virtualMachineProfile"]["extensionProfile"]["extensions"][0]
    assert ext["properties"]["settings"] == {"port": 50342}
    sp = world.store.get_directory_object(doc["identity"]["principalId"])
    assert sp is not None and sp.display_name == "ss" and sp.resource_id.endswith("/virtualMachineScaleSets/ss")
    status, listed = _arm(arm, "GET", _vmss_path(shell, "ss") + "/virtualMachines")
    assert status == 200
    assert [(v["instanceId"], v["name"]) for v in listed["value"]] == [("0", "ss_0"), ("1", "ss_1"), ("2", "ss_2")]
    status, one = _arm(arm, "GET", _vmss_path(shell, "ss") + "/virtualMachines/1")
    assert status == 200 and one["name"] == "ss_1" and one["properties"]["latestModelApplied"] is True
    # PATCH: scale in to 1, identity off
    status, doc = _arm(arm, "PATCH", _vmss_path(shell, "ss"), {"sku": {"name": "Standard_D1_v2", "capacity": 1},
                                                                  "identity": {"type": "None"}})
    assert status == 200 and "identity" not in doc
    assert world.store.get_directory_object(sp.object_id) is None
    status, listed = _arm(arm, "GET", _vmss_path(shell, "ss") + "/virtualMachines")
    assert [v["instanceId"] for v in listed["value"]] == ["0"]
    status, _ = _arm(arm, "GET", _vmss_path(shell, "ss") + "/virtualMachines/2")
    assert status == 404
    # a PUT cannot make an instance: Compute's NotFound (openshift/openshift-azure issue 1540)
    status, doc = _arm(arm, "PUT", _vmss_path(shell, "ss") + "/virtualMachines/7", {"location": "westus"})
    assert status == 404 and doc["error"] == {"code": "NotFound",
                                              "message": "The entity was not found in this Azure location."}, doc
    status, _ = _arm(arm, "DELETE", _vmss_path(shell, "ss"))
    assert status == 200
    status, _ = _arm(arm, "GET", _vmss_path(shell, "ss"))
    assert status == 404


def test_arm_rejects_bad_capacity_and_extension(shell: Shell, arm: ArmClient) -> None:
    status, doc = _arm(arm, "PUT", _vmss_path(shell, "bad"), {"location": "westus", "sku": {"capacity": -1}})
    assert status == 400 and doc["error"]["code"] == "InvalidParameter" and "sku.capacity" in doc["error"]["message"]
    status, doc = _arm(arm, "PUT", _vmss_path(shell, "bad"), {
        "location": "westus", "properties": {"virtualMachineProfile": {"extensionProfile": {"extensions": [{}]}}}})
    assert status == 400 and doc["error"]["code"] == "InvalidParameter"


def test_az_vmss_quickstart_2018(shell: Shell) -> None:
    out = shell.az(f"az vmss create --resource-group {RG} --name myVMSS --image win2016datacenter "
                   "--upgrade-policy-mode automatic --custom-data cloud-init.txt --admin-username azureuser "
                   "--admin-password myPassword12 --assign-identity --generate-ssh-keys")
    assert out["vmss"]["identity"]["type"] == "SystemAssigned"
    assert out["vmss"]["upgradePolicy"] == {"mode": "Automatic"}
    # the missing file is sent as the text itself, as azure-cli's read_content_if_is_file does
    custom = out["vmss"]["virtualMachineProfile"]["osProfile"]["customData"]
    assert custom == "Y2xvdWQtaW5pdC50eHQ="
    pid = out["vmss"]["identity"]["principalId"]
    assert shell.az(f"az vmss assign-identity -g {RG} -n myVMSS")["systemAssignedIdentity"] == pid
    shell.az(f"az identity create -g {RG} -n readerID")
    both = shell.az(f"az vmss identity assign -g {RG} -n myVMSS --identities readerID")
    assert both["systemAssignedIdentity"] == pid and len(both["userAssignedIdentities"]) == 1
    err = "\n".join(shell.ok_host(f"az vmss remove-identity -g {RG} -n myVMSS --identities readerID writerID")[1])
    assert "'writerID' is not associated with 'myVMSS'" in err and shell.exit_code() == 1
    left = shell.az(f"az vmss remove-identity -g {RG} -n myVMSS --identities readerID")
    assert left["type"] == "SystemAssigned"
    assert shell.az(f"az vmss identity show -g {RG} -n myVMSS --query principalId -o tsv") == pid
    assert shell.az("az resource list -n myVMSS --query [*].identity.principalId --out tsv") == pid
    assert shell.az(f"az vmss identity remove -g {RG} -n myVMSS") == ""
    assert shell.az(f"az vmss show -g {RG} -n myVMSS --query identity") == ""


def test_az_vmss_create_rejects_bad_upgrade_mode(shell: Shell) -> None:
    outs, host = shell.ok_host(f"az vmss create -g {RG} -n x --upgrade-policy-mode sometimes")
    assert shell.exit_code() == 2 and "invalid choice: 'sometimes'" in "\n".join(host)


def test_new_update_get_remove_azvmss(shell: Shell, world: World) -> None:
    vmss = shell.ok(f"New-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss -Location westus -InstanceCount 2 "
                    "-SystemAssignedIdentity")[0]
    assert vmss.get("Identity").get("Type") == "SystemAssigned" and vmss.get("Sku").get("Capacity") == 2
    shell.ok("$uai = New-AzUserAssignedIdentity -ResourceGroupName myResourceGroup -Name u1 -Location westus")
    both = shell.ok(f"Update-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss -IdentityType "
                    "SystemAssignedUserAssigned -IdentityId $uai.Id")[0]
    assert both.get("Identity").get("Type") == "SystemAssignedUserAssigned"
    assert list(both.get("Identity").get("UserAssignedIdentities").keys())[0].endswith("/u1")
    listed = shell.ok(f"Get-AzVmss -ResourceGroupName {RG}")
    assert [v.get("Name") for v in listed] == ["ss"]
    assert [v.get("InstanceId") for v in shell.ok(f"Get-AzVmssVM -ResourceGroupName {RG} -VMScaleSetName ss")] \
        == ["0", "1"]
    cfg = shell.ok("$c = New-AzVmssConfig -Location westus -SkuCapacity 1 -UpgradePolicyMode Automatic "
                   "-IdentityType UserAssigned -IdentityId $uai.Id; "
                   f"New-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss2 -VirtualMachineScaleSet $c")[0]
    assert cfg.get("Identity").get("Type") == "UserAssigned" and cfg.get("Sku").get("Capacity") == 1
    pid = both.get("Identity").get("PrincipalId")
    shell.ok(f"Remove-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss -Force | Out-Null")
    assert world.store.get_directory_object(pid) is None
    err = shell.error_text(f"Get-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss")
    assert "ResourceNotFound" in err or "was not found" in err


def test_imds_on_an_instance_answers_for_the_scale_set(shell: Shell) -> None:
    shell.ok(f"New-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss -InstanceCount 2 -SystemAssignedIdentity "
             "| Out-Null")
    pid = shell.ok(f"(Get-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss).Identity.PrincipalId")[0]
    shell.ok(f"New-AzRoleAssignment -ObjectId {pid} -RoleDefinitionName Reader -ResourceGroupName {RG} | Out-Null")
    _, host = shell.ok_host(f"Enter-AzVM -ResourceGroupName {RG} -VMScaleSetName ss -InstanceId 1")
    assert "Now on ss_1" in "\n".join(host)
    assert shell.session.services.prompt().startswith("[ss_1]: PS C:\\>")
    token = shell.ok(f"(Invoke-RestMethod -Uri '{IMDS}' -Headers @{{Metadata='true'}}).access_token")[0]
    from azshell.cmdlets.context import decode_claims

    assert decode_claims(str(token))["oid"] == pid
    meta = shell.ok("Invoke-RestMethod -Uri 'http://169.254.169.254/metadata/instance/compute?api-version=2021-02-01' "
                    "-Headers @{Metadata='true'}")[0]
    assert meta.get("name") == "ss_1" and meta.get("vmScaleSetName") == "ss"
    # the identity's RBAC: Reader on the group, nothing more
    shell.ok("Connect-AzAccount -Identity | Out-Null")
    assert [v.get("Name") for v in shell.ok(f"Get-AzVmss -ResourceGroupName {RG}")] == ["ss"]
    err = shell.error_text(f"New-AzVmss -ResourceGroupName {RG} -VMScaleSetName other -InstanceCount 1")
    assert "AuthorizationFailed" in err
    # no MSI extension in the scale set's profile: localhost:50342 refuses
    err = shell.error_text("Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method POST "
                           "-Body @{resource='https://management.azure.com/'} -Headers @{Metadata='true'}")
    assert err.startswith("Invoke-WebRequest : Unable to connect to the remote server")


def test_msi_extension_on_an_instance(shell: Shell, arm: ArmClient) -> None:
    body = {"location": "westus", "sku": {"capacity": 1}, "identity": {"type": "SystemAssigned"},
            "properties": {"virtualMachineProfile": {"extensionProfile": {"extensions": [{
                "name": "MSIWindowsExtension",
                "properties": {"publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForWindows",
                               "typeHandlerVersion": "1.0", "settings": {"port": 50342}}}]}}}}
    status, doc = _arm(arm, "PUT", _vmss_path(shell, "ext"), body)
    assert status == 201
    _, host = shell.ok_host(f"Enter-AzVM -ResourceGroupName {RG} -VMScaleSetName ext -InstanceId 0")
    assert "localhost:50342" in "\n".join(host)
    token = shell.ok("(Invoke-WebRequest -Uri http://localhost:50342/oauth2/token -Method GET "
                     "-Body @{resource='https://management.azure.com/'} -Headers @{Metadata='true'}).Content "
                     "| ConvertFrom-Json | Select-Object -ExpandProperty access_token")[0]
    from azshell.cmdlets.context import decode_claims

    assert decode_claims(str(token))["oid"] == doc["identity"]["principalId"]


def test_enter_unknown_instance_fails(shell: Shell) -> None:
    shell.ok(f"New-AzVmss -ResourceGroupName {RG} -VMScaleSetName ss -InstanceCount 1 | Out-Null")
    err = shell.error_text(f"Enter-AzVM -ResourceGroupName {RG} -VMScaleSetName ss -InstanceId 5")
    assert "NotFound" in err or "not found" in err
    assert shell.session.services.current_host is None
