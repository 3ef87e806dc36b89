"""Template deployments from the shell: New-/Get-/Test-/Remove-AzResourceGroupDeployment, the deployment
operations, dynamic template parameters, and ``az deployment group``; template files as ARM reads them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from azshell.lang.cmdlet import Cmdlet, CommandRegistry
from azshell.services.deployments.cmdlets import COMMANDS
from azshell.world import World
from tests.cmdlets._shell import Shell, assert_documented_and_aliased
from tests.services.deployments.conftest import READER, vm_identity_template

RG = "tplRG"

#: the 2017 quickstart's fragments in a whole template, as a learner types it: comments, trailing commas
QS_2017 = """{
  "$schema": "https://schema.management.azure.com/schemas/2015-01-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "vmName": { "type": "string", "defaultValue": "myVM" },
  },
  "variables": { "vmName": "[parameters('vmName')]" },
  "resources": [
    {
      /* the VM, with its identity */
      "type": "Microsoft.Compute/virtualMachines",
      "name": "[variables('vmName')]",
      "apiVersion": "2017-03-30",
      "location": "[resourceGroup().location]",
      "identity": {
          "type": "systemAssigned"
      },
    },
    {
       "type": "Microsoft.Compute/virtualMachines/extensions",
       "name": "[concat(variables('vmName'),'/ManagedIdentityExtensionForWindows')]",
       "apiVersion": "2016-03-30",
       "location": "[resourceGroup().location]",
       "dependsOn": [
           "[concat('Microsoft.Compute/virtualMachines/', variables('vmName'))]"
       ],
       "properties": {
           "publisher": "Microsoft.ManagedIdentity",
           "type": "ManagedIdentityExtensionForWindows",
           "typeHandlerVersion": "1.0",
           "autoUpgradeMinorVersion": true,
           "settings": {
               "port": 50342
           },
           "protectedSettings": {}
       }
    }
  ]
}
"""


@pytest.fixture
def shell(world: World) -> Shell:
    s = Shell(world)
    s.ok(f"New-AzResourceGroup -Name {RG} -Location westus")
    return s


@pytest.mark.parametrize("cls", COMMANDS, ids=lambda c: c.name)
def test_documented_and_aliased(cls: type[Cmdlet], registry: CommandRegistry) -> None:
    assert_documented_and_aliased(cls, registry)


def _file(tmp_path: Path, name: str, content: object) -> str:
    path = tmp_path / name
    path.write_text(content if isinstance(content, str) else json.dumps(content, indent=2), encoding="utf-8")
    return str(path)


def test_identity_template_through_new_azresourcegroupdeployment(shell: Shell, world: World, tmp_path: Path) -> None:
    path = _file(tmp_path, "vm.json", vm_identity_template())
    out = shell.ok(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path} -vmName myVM")
    d = out[0]
    assert d.get("DeploymentName") == "vm" and d.get("ProvisioningState") == "Succeeded"
    vm = world.store.get_resource(f"/subscriptions/{shell.sub}/resourceGroups/{RG}/providers/"
                                  "Microsoft.Compute/virtualMachines/myVM")
    assert vm is not None and vm.identity is not None and vm.identity.principal_id
    assert vm.identity.type == "SystemAssigned, UserAssigned"
    assigned = [a for a in world.store.list_role_assignments() if a.principal_id == vm.identity.principal_id]
    assert [a.role_definition_id.rsplit("/", 1)[-1] for a in assigned] == [READER]
    text = shell.text(f"Get-AzResourceGroupDeployment -ResourceGroupName {RG} -Name vm | Out-String")
    assert "DeploymentName          : vm" in text
    assert "ProvisioningState       : Succeeded" in text
    assert re.search(r"\n +vmName {13}String {21}\"myVM\"\n", text), text
    assert re.search(rf"\n +principalId {{6}}String {{21}}\"{vm.identity.principal_id}\"\n", text), text
    ops = shell.ok(f"Get-AzResourceGroupDeploymentOperation -ResourceGroupName {RG} -DeploymentName vm")
    assert [o.get("ProvisioningState") for o in ops] == ["Succeeded"] * 3
    assert shell.ok(f"Remove-AzResourceGroupDeployment -ResourceGroupName {RG} -Name vm") == [True]
    assert shell.ok(f"Get-AzResourceGroupDeployment -ResourceGroupName {RG}") == []


def test_identity_template_through_az(shell: Shell, world: World, tmp_path: Path) -> None:
    path = _file(tmp_path, "vm.json", vm_identity_template())
    params = _file(tmp_path, "vm.parameters.json", {"$schema": "x", "contentVersion": "1.0.0.0",
                                                    "parameters": {"vmName": {"value": "azvm"}}})
    out = shell.ok(f"az deployment group create -g {RG} -n d1 --template-file {path} --parameters @{params}")
    doc = json.loads("\n".join(out))
    assert doc["name"] == "d1" and doc["resourceGroup"] == RG
    assert doc["properties"]["provisioningState"] == "Succeeded"
    principal = doc["properties"]["outputs"]["principalId"]["value"]
    assert [a.role_definition_id.rsplit("/", 1)[-1] for a in world.store.list_role_assignments()
            if a.principal_id == principal] == [READER]
    assert shell.text(f"az deployment group show -g {RG} -n d1 --query properties.mode -o tsv") == "Incremental"
    assert shell.text(f"az deployment group list -g {RG} --query [].name -o tsv") == "d1"
    names = shell.text(f"az deployment operation group list -g {RG} -n d1 "
                       "--query [].properties.targetResource.resourceName -o tsv").split("\n")
    assert len(names) == 3 and {"azvm", "azvm-uai"} <= set(names)  # and the role assignment's GUID
    out = shell.ok(f"az deployment group validate -g {RG} -f {path} -p vmName=other --query "
                   "properties.provisioningState -o tsv")
    assert out == ["Succeeded"]


def test_the_2017_quickstart_with_comments_and_trailing_commas(shell: Shell, world: World, tmp_path: Path) -> None:
    path = _file(tmp_path, "azuredeploy.json", QS_2017)
    out = shell.ok(f"New-AzureRmResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path}")
    assert out[0].get("ProvisioningState") == "Succeeded"
    ext = world.store.get_resource(f"/subscriptions/{shell.sub}/resourceGroups/{RG}/providers/"
                                   "Microsoft.Compute/virtualMachines/myVM/extensions/ManagedIdentityExtensionForWindows")
    assert ext is not None and ext.properties["settings"] == {"port": 50342}


def test_unbalanced_fragment_is_invalid_template_with_line_and_position(shell: Shell, tmp_path: Path) -> None:
    fragment = QS_2017.rsplit("]", 1)[0]  # the closing "]" and "}" missing, as the VMSS doc prints its fragment
    path = _file(tmp_path, "broken.json", fragment)
    err = shell.error_text(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path}")
    assert "Error: Code=InvalidTemplate; Message=Deployment template parse failed: 'Unexpected end of content while " \
           "loading JArray. Path 'resources[1]', line 38, position 2.'." in err
    shell.host_streams = ("host", "warning")
    out, host = shell.ok_host(f"az deployment group create -g {RG} -f {path}")
    assert shell.exit_code() == 1
    assert "ERROR: {\"code\": \"InvalidTemplate\", \"message\": \"Deployment template parse failed: 'Unexpected end " \
           "of content while loading JArray. Path 'resources[1]', line 38, position 2.'.\"}" in "\n".join(host)
    stray = _file(tmp_path, "stray.json", '{"resources": [ }')
    err = shell.error_text(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {stray}")
    assert "Unexpected character encountered while parsing value: }. Path 'resources', line 1, position 17." in err


def test_validation_errors_and_dynamic_parameters(shell: Shell, tmp_path: Path) -> None:
    path = _file(tmp_path, "vm.json", vm_identity_template())
    err = shell.error_text(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path} "
                           "-vmName v -builtInRoleType Writer")
    assert "Error: Code=InvalidTemplate; Message=Deployment template validation failed: 'The provided value 'Writer' " \
           "for the template parameter 'builtInRoleType' at line '" in err
    assert "The deployment validation failed" in err
    err = shell.error_text(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path} -vmNam v")
    assert "A parameter cannot be found that matches parameter name 'vmNam'." in err
    err = shell.error_text(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path}")
    assert "missing mandatory parameters: vmName." in err
    # a declared parameter given as a hashtable, and Test-: the errors as objects, nothing for a good template
    out = shell.ok(f"Test-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path} "
                   "-TemplateParameterObject @{vmName='v'; builtInRoleType='Nope'}")
    assert out[0].get("Code") == "InvalidTemplate"
    assert shell.ok(f"Test-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path} -vmName v") == []
    err = shell.error_text(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {tmp_path}/no.json")
    assert "Cannot retrieve the dynamic parameters for the cmdlet. Cannot find path" in err


def test_failed_deployment_shows_azs_error_and_the_object(shell: Shell, tmp_path: Path) -> None:
    path = _file(tmp_path, "bad.json", {"resources": [{"type": "Microsoft.Compute/virtualMachines",
                                                        "apiVersion": "2018-06-01", "name": "vm2",
                                                        "location": "nowhere"}]})
    shell.ok("$t = @{resources = @(@{type='Microsoft.Compute/virtualMachines'; apiVersion='2018-06-01'; "
             "name='vm'; location='nowhere'})}")
    out, errs = shell.run(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -Name bad -TemplateObject $t")
    assert out[0].get("ProvisioningState") == "Failed"
    text = "\n".join(str(e) for e in errs)
    assert "The deployment 'bad' failed with error(s). Showing 1 out of 1 error(s)." in text
    assert "(Code:LocationNotAvailableForResourceType)" in text
    shell.host_streams = ("host", "warning")
    _, host = shell.ok_host(f"az deployment group create -g {RG} -n bad2 --template-file {path}")
    assert shell.exit_code() == 1
    line = "\n".join(host)
    assert line.startswith('ERROR: {"status":"Failed","error":{"code":"DeploymentFailed","target":"/subscriptions/')
    assert '"details":[{"code":"LocationNotAvailableForResourceType"' in line


def test_what_if_changes_nothing(shell: Shell, world: World, tmp_path: Path) -> None:
    path = _file(tmp_path, "vm.json", vm_identity_template())
    _, host = shell.ok_host(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path} "
                            "-vmName w -WhatIf")
    text = "\n".join(host)
    assert "  + Microsoft.Compute/virtualMachines/w [2018-06-01]" in text
    assert "Resource changes: 3 to create." in text
    assert world.store.list_resources(sub_id=shell.sub, resource_group=RG) == []


def test_what_if_shows_property_changes_of_an_existing_vm(shell: Shell, tmp_path: Path) -> None:
    shell.ok(f"New-AzVM -ResourceGroupName {RG} -Name myVM -Location westus")
    path = _file(tmp_path, "azuredeploy.json", QS_2017)
    _, host = shell.ok_host(f"New-AzResourceGroupDeployment -ResourceGroupName {RG} -TemplateFile {path} -WhatIf")
    text = "\n".join(host)
    assert "  ~ Microsoft.Compute/virtualMachines/myVM [2017-03-30]\n    + identity.type: \"systemAssigned\"" in text
    assert "  + Microsoft.Compute/virtualMachines/myVM/extensions/ManagedIdentityExtensionForWindows [2016-03-30]" \
        in text
    assert "Resource changes: 1 to create, 1 to modify." in text
