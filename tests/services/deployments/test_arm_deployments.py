"""The deployments API on the ARM plane: PUT/GET/list/DELETE, validate, operations, status, errors."""

from __future__ import annotations

import json
from typing import Any

from azshell.world import World
from tests.conftest import ArmClient
from tests.services.deployments.conftest import READER, vm_identity_template

API = "2025-04-01"


def _path(arm: ArmClient, rg: str, name: str) -> str:
    return f"{arm.rg_path(rg)}/providers/Microsoft.Resources/deployments/{name}"


def _deploy(arm: ArmClient, rg: str, name: str, template: Any, parameters: dict[str, Any] | None = None,
            mode: str = "Incremental", token: str | None = None) -> Any:
    body = {"properties": {"mode": mode, "template": template,
                           "parameters": {k: {"value": v} for k, v in (parameters or {}).items()}}}
    return arm.request("PUT", _path(arm, rg, name), api_version=API, json=body, token=token)


def test_vm_with_identities_and_role_assignment_from_reference(arm: ArmClient, world: World) -> None:
    assert arm.create_rg("rg").status_code == 201
    r = _deploy(arm, "rg", "d1", vm_identity_template(), {"vmName": "vm1"})
    assert r.status_code == 201, r.text
    assert "operationStatuses" in r.headers["Azure-AsyncOperation"]
    doc = r.json()
    assert doc["properties"]["provisioningState"] == "Succeeded", doc
    vm = arm.request("GET", arm.vm_path("rg", "vm1"), api_version="2023-03-01").json()
    principal = vm["identity"]["principalId"]
    assert vm["identity"]["type"] == "SystemAssigned, UserAssigned"
    assert len(vm["identity"]["userAssignedIdentities"]) == 1
    assert doc["properties"]["outputs"]["principalId"] == {"type": "String", "value": principal}
    uai = arm.request("GET", f"{arm.rg_path('rg')}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/vm1-uai",
                      api_version="2023-01-31").json()
    assert doc["properties"]["outputs"]["uaiClientId"]["value"] == uai["properties"]["clientId"]
    assignments = [a for a in world.store.list_role_assignments() if a.principal_id == principal]
    assert [a.role_definition_id.rsplit("/", 1)[-1] for a in assignments] == [READER]
    assert assignments[0].scope.lower() == arm.rg_path("rg").lower()
    # the operations: one per resource, in dependsOn order
    ops = arm.request("GET", f"{_path(arm, 'rg', 'd1')}/operations", api_version=API).json()["value"]
    kinds = [o["properties"]["targetResource"]["resourceType"] for o in ops]
    assert kinds == ["Microsoft.ManagedIdentity/userAssignedIdentities", "Microsoft.Compute/virtualMachines",
                     "Microsoft.Authorization/roleAssignments"]
    assert all(o["properties"]["provisioningState"] == "Succeeded" for o in ops)
    # ARM's older path of the same list
    old = arm.request("GET", f"{arm.rg_path('rg')}/deployments/d1/operations", api_version=API)
    assert old.status_code == 200 and len(old.json()["value"]) == 3
    status = arm.client.get(r.headers["Azure-AsyncOperation"], headers=arm.headers()).json()
    assert status == {"status": "Succeeded"}
    listed = arm.request("GET", f"{arm.rg_path('rg')}/providers/Microsoft.Resources/deployments",
                         api_version=API).json()["value"]
    assert [d["name"] for d in listed] == ["d1"]
    # the deployment is no resource of the group
    resources = arm.request("GET", f"{arm.rg_path('rg')}/resources", api_version="2021-04-01").json()["value"]
    assert all("deployments" not in x["type"] for x in resources)


def test_template_json_with_comments_and_trailing_commas(arm: ArmClient) -> None:
    arm.create_rg("rg")
    # the body as a client would send it is strict JSON; comments are the file reader's business (see test_json)
    t = {"$schema": "x", "contentVersion": "1.0.0.0", "resources": [
        {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30", "name": "id1",
         "location": "westus"}]}
    assert _deploy(arm, "rg", "d", t).json()["properties"]["provisioningState"] == "Succeeded"


def test_missing_parameter_is_invalid_template_with_line_and_column(arm: ArmClient) -> None:
    arm.create_rg("rg")
    body = json.dumps({"properties": {"mode": "Incremental", "template": vm_identity_template()}}, indent=2)
    r = arm.request("PUT", _path(arm, "rg", "d"), api_version=API, content=body.encode(),
                    headers={**arm.headers(), "Content-Type": "application/json"})
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "InvalidTemplate"
    assert err["message"].startswith("Deployment template validation failed: 'The value for the template parameter "
                                     "'vmName' at line '8' and column '19' is not provided.")
    assert "is not provided" in err["message"]


def test_bad_parameter_values(arm: ArmClient) -> None:
    arm.create_rg("rg")
    r = _deploy(arm, "rg", "d", vm_identity_template(), {"vmName": "v", "builtInRoleType": "Writer"})
    assert r.status_code == 400
    assert "The parameter value is not part of the allowed value(s): 'Reader,Owner'" in r.json()["error"]["message"]
    r = _deploy(arm, "rg", "d", vm_identity_template(), {"vmName": 3})
    assert "Template parameter JToken type is not valid. Expected 'String, Uri'. Actual 'Integer'." in \
        r.json()["error"]["message"]
    r = _deploy(arm, "rg", "d", vm_identity_template(), {"vmName": "v", "nope": 1})
    assert "The template parameters 'nope' in the parameters file are not valid" in r.json()["error"]["message"]


def test_circular_dependency_and_undefined_dependency(arm: ArmClient) -> None:
    arm.create_rg("rg")
    uai = "Microsoft.ManagedIdentity/userAssignedIdentities"
    t = {"resources": [
        {"type": uai, "apiVersion": "2018-11-30", "name": "a", "location": "westus", "dependsOn": ["b"]},
        {"type": uai, "apiVersion": "2018-11-30", "name": "b", "location": "westus", "dependsOn": [f"{uai}/a"]}]}
    err = _deploy(arm, "rg", "d", t).json()["error"]
    assert err["code"] == "InvalidTemplate"
    assert "Circular dependency detected on resource: '/subscriptions/" in err["message"]
    t["resources"][1]["dependsOn"] = ["zzz"]
    t["resources"][0].pop("dependsOn")
    err = _deploy(arm, "rg", "d", t).json()["error"]
    assert "The resource 'zzz' is not defined in the template." in err["message"]


def test_copy_loop_condition_and_nested_child(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg")
    t = {"resources": [
        {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30",
         "name": "[concat('id', copyIndex(1))]", "location": "westus", "copy": {"name": "ids", "count": 3}},
        {"condition": "[equals(1, 2)]", "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
         "apiVersion": "2018-11-30", "name": "never", "location": "westus"},
        {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2018-06-01", "name": "vm",
         "location": "westus", "dependsOn": ["ids"], "identity": {"type": "systemAssigned"},
         "resources": [{"type": "extensions", "apiVersion": "2016-03-30", "name": "ManagedIdentityExtensionForWindows",
                        "location": "[resourceGroup().location]",
                        "properties": {"publisher": "Microsoft.ManagedIdentity",
                                       "type": "ManagedIdentityExtensionForWindows", "typeHandlerVersion": "1.0",
                                       "settings": {"port": 50342}}}]}]}
    r = _deploy(arm, "rg", "d", t)
    assert r.json()["properties"]["provisioningState"] == "Succeeded", r.text
    names = sorted(x.name for x in world.store.list_resources(sub_id=arm.sub, resource_group="rg"))
    assert names == ["ManagedIdentityExtensionForWindows", "id1", "id2", "id3", "vm"]


def test_failed_resource_is_deployment_failed_with_details(arm: ArmClient) -> None:
    arm.create_rg("rg")
    t = {"resources": [{"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2018-06-01", "name": "vm",
                        "location": "nowhere"}]}
    r = _deploy(arm, "rg", "d", t)
    assert r.status_code == 201
    props = r.json()["properties"]
    assert props["provisioningState"] == "Failed"
    assert props["error"]["code"] == "DeploymentFailed"
    assert props["error"]["details"][0]["code"] == "LocationNotAvailableForResourceType"
    status = arm.client.get(r.headers["Azure-AsyncOperation"], headers=arm.headers()).json()
    assert status["status"] == "Failed" and status["error"]["code"] == "DeploymentFailed"


def test_unknown_namespace_is_invalid_template_deployment(arm: ArmClient) -> None:
    arm.create_rg("rg")
    t = {"resources": [{"type": "Micrososft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30",
                        "name": "x", "location": "westus"}]}
    err = _deploy(arm, "rg", "d", t).json()["error"]
    assert err["code"] == "InvalidTemplateDeployment"
    assert err["details"] == [{"code": "InvalidResourceNamespace",
                               "message": "The resource namespace 'Micrososft.ManagedIdentity' is invalid."}]


def test_complete_mode_deletes_what_the_template_does_not_name(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg")
    uai = "Microsoft.ManagedIdentity/userAssignedIdentities"
    one = {"resources": [{"type": uai, "apiVersion": "2018-11-30", "name": n, "location": "westus"}
                         for n in ("keep", "drop")]}
    assert _deploy(arm, "rg", "d1", one).json()["properties"]["provisioningState"] == "Succeeded"
    two = {"resources": one["resources"][:1]}
    r = _deploy(arm, "rg", "d2", two, mode="Complete")
    assert r.json()["properties"]["provisioningState"] == "Succeeded", r.text
    names = sorted(x.name for x in world.store.list_resources(sub_id=arm.sub, resource_group="rg"))
    assert names == ["keep"]


def test_rbac_deployments_write_then_each_resource(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg")
    vm = arm.create_vm("rg", "caller", identity={"type": "SystemAssigned"}).json()
    token = arm.token_for(vm["identity"]["principalId"])
    t = {"resources": [{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30",
                        "name": "x", "location": "westus"}]}
    r = _deploy(arm, "rg", "d", t, token=token)
    assert r.status_code == 403
    assert "Microsoft.Resources/deployments/write" in r.json()["error"]["message"]
    # Virtual Machine Contributor: deployments yes, user-assigned identities no
    arm.assign(arm.rg_path("rg"), vm["identity"]["principalId"], "9980e02c-c2be-4d73-94e8-173b1dc7cf3c")
    r = _deploy(arm, "rg", "d", t, token=token)
    assert r.status_code == 403
    assert "Microsoft.ManagedIdentity/userAssignedIdentities/write" in r.json()["error"]["message"]


def test_validate_and_missing_group(arm: ArmClient) -> None:
    arm.create_rg("rg")
    body = {"properties": {"mode": "Incremental", "template": vm_identity_template(),
                           "parameters": {"vmName": {"value": "v"}}}}
    r = arm.request("POST", f"{_path(arm, 'rg', 'd')}/validate", api_version=API, json=body)
    assert r.status_code == 200, r.text
    assert len(r.json()["properties"]["validatedResources"]) == 3
    r = arm.request("PUT", _path(arm, "nope", "d"), api_version=API, json=body)
    assert r.status_code == 404 and r.json()["error"]["code"] == "ResourceGroupNotFound"
    r = arm.request("GET", _path(arm, "rg", "d"), api_version=API)
    assert r.status_code == 404 and r.json()["error"]["code"] == "DeploymentNotFound"


def test_deleting_the_group_deletes_its_deployments(arm: ArmClient) -> None:
    arm.create_rg("rg")
    t = {"resources": []}
    assert _deploy(arm, "rg", "d", t).status_code == 201
    assert arm.request("DELETE", arm.rg_path("rg"), api_version="2021-04-01").status_code == 202
    arm.create_rg("rg")
    listed = arm.request("GET", f"{arm.rg_path('rg')}/providers/Microsoft.Resources/deployments", api_version=API)
    assert listed.json()["value"] == []
    assert arm.request("GET", _path(arm, "rg", "d"), api_version=API).status_code == 404
    assert _deploy(arm, "rg", "d", t).status_code == 201  # a new one, not a redeployment


def test_expression_errors_are_found_before_anything_is_deployed(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg")
    uai = "Microsoft.ManagedIdentity/userAssignedIdentities"
    t = {"resources": [
        {"type": uai, "apiVersion": "2018-11-30", "name": "first", "location": "westus"},
        {"type": uai, "apiVersion": "2018-11-30", "name": "second", "location": "westus",
         "tags": {"x": "[concatt('a')]"}}]}
    body = json.dumps({"properties": {"mode": "Incremental", "template": t}}, indent=2)
    r = arm.request("PUT", _path(arm, "rg", "d"), api_version=API, content=body.encode(),
                    headers={**arm.headers(), "Content-Type": "application/json"})
    assert r.status_code == 400
    assert r.json()["error"]["message"] == (
        "Deployment template validation failed: 'The template resource 'second' at line '12' and column '9' is not "
        "valid: The template function 'concatt' is not valid. Please see https://aka.ms/arm-template-expressions for "
        "usage details.. Please see https://aka.ms/arm-template-expressions for usage details.'.")
    assert world.store.list_resources(sub_id=arm.sub, resource_group="rg") == []
    t = {"resources": [], "outputs": {"o": {"type": "string", "value": "[concat('a'"}}}
    r = _deploy(arm, "rg", "d", t)
    assert r.status_code == 201  # "[concat('a'" has no closing bracket: a plain string, as in ARM
    t["outputs"]["o"]["value"] = "[concat('a']"
    err = _deploy(arm, "rg", "d", t).json()["error"]["message"]
    assert "The template output 'o' at line '1' and column '" in err
    assert "Unable to parse language expression 'concat('a'': expected token 'RightParenthesis'" in err


def test_nested_deployment_in_another_group(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg")
    arm.create_rg("other")
    uai = "Microsoft.ManagedIdentity/userAssignedIdentities"
    t = {"parameters": {"prefix": {"type": "string", "defaultValue": "outer"}}, "resources": [
        {"type": "Microsoft.Resources/deployments", "apiVersion": "2021-04-01", "name": "nested",
         "resourceGroup": "other",
         "properties": {"mode": "Incremental", "expressionEvaluationOptions": {"scope": "inner"},
                        "parameters": {"name": {"value": "[concat(parameters('prefix'), '-id')]"}},
                        "template": {"parameters": {"name": {"type": "string"}},
                                     "resources": [{"type": uai, "apiVersion": "2018-11-30",
                                                    "name": "[parameters('name')]",
                                                    "location": "[resourceGroup().location]"}],
                                     "outputs": {"rg": {"type": "string", "value": "[resourceGroup().name]"}}}}}],
         "outputs": {"inner": {"type": "string", "value": "[reference('nested').outputs.rg.value]"}}}
    r = _deploy(arm, "rg", "outer", t)
    assert r.json()["properties"]["provisioningState"] == "Succeeded", r.text
    assert [x.name for x in world.store.list_resources(sub_id=arm.sub, resource_group="other")] == ["outer-id"]
    assert r.json()["properties"]["outputs"]["inner"]["value"] == "other"
    nested = arm.request("GET", _path(arm, "other", "nested"), api_version=API)
    assert nested.json()["properties"]["provisioningState"] == "Succeeded"


def test_identity_ids_as_compute_checks_them(arm: ArmClient) -> None:
    arm.create_rg("rg")
    typo = ("[resourceID('Micrososft.ManagedIdentity/userAssignedIdentities/', 'x')]")
    vm = {"type": "Microsoft.Compute/virtualMachines", "apiVersion": "2018-06-01", "name": "vm", "location": "westus",
          "identity": {"type": "userAssigned", "userAssignedIdentities": {typo: {}}}}
    err = _deploy(arm, "rg", "d", {"resources": [vm]}).json()["error"]
    assert err["code"] == "InvalidTemplateDeployment"
    assert err["details"] == [{"code": "InvalidIdentityId", "message": (
        f"The identity ids '/subscriptions/{arm.sub}/resourceGroups/rg/providers/Micrososft.ManagedIdentity/"
        "userAssignedIdentities/x' are invalid. It must be of the following format: '/subscriptions/{subscriptionId}"
        "/resourceGroups/{resourceGroupName}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
        "{resourceName}'.")}]
    vm["apiVersion"] = "2017-12-01"
    vm["identity"] = {"type": "userAssigned", "identityIds": [typo]}
    props = _deploy(arm, "rg", "d", {"resources": [vm]}).json()["properties"]
    assert props["provisioningState"] == "Failed"
    assert props["error"]["details"] == [{"code": "InvalidParameter", "message": (
        "ResourceIdentity property identityIds is deprecated. The userAssignedIdentities property should be used "
        "instead.")}]
