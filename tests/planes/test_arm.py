"""ARM plane wire tests through the in-process httpx client: the tutorial flow, 401s, api-versions, 404s,
resource groups, VMs, extensions, user-assigned identities and generic resources."""

from __future__ import annotations

import base64
import json

import httpx
import pytest

from azshell.clock import FixedClock
from azshell.model.types import DirectoryObject
from azshell.planes._shared import dotnet_utc
from azshell.planes.base import CallerContext
from azshell.world import World
from tests.conftest import ARM_RESOURCE, ArmClient

READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
MANAGED_IDENTITY_OPERATOR = "f1a07417-d97a-45cb-824c-7a7467783830"
ALLOWED_AUDIENCES = ("'https://management.core.windows.net/','https://management.core.windows.net',"
                     "'https://management.azure.com/','https://management.azure.com'")


def _authorization_failed(client: str, oid: str, action: str, scope: str) -> dict[str, object]:
    return {"error": {"code": "AuthorizationFailed", "message": (
        f"The client '{client}' with object id '{oid}' does not have authorization to perform action '{action}' "
        f"over scope '{scope}' or the scope is invalid. If access was recently granted, please refresh your "
        "credentials.")}}


# --------------------------------------------------------------------------------------------- tutorial flow
def test_tutorial_flow_reader_on_resource_group(arm: ArmClient, client: httpx.Client, caller: list[CallerContext],
                                                world: World) -> None:
    assert arm.create_rg("DevTest").status_code == 201
    vm = arm.create_vm("DevTest", "myVM", identity={"type": "SystemAssigned"})
    assert vm.status_code == 201
    principal = vm.json()["identity"]["principalId"]
    assert vm.json()["identity"]["tenantId"] == world.tenant_id
    granted = arm.assign(arm.rg_path("DevTest"), principal, READER)
    assert granted.status_code == 201, granted.text
    assert granted.json()["properties"]["principalType"] == "ServicePrincipal"

    # On the VM: the token comes from IMDS, exactly as the current tutorial gets it.
    caller[0] = CallerContext(host_id=vm.json()["id"])
    token_response = client.get(
        "http://169.254.169.254/metadata/identity/oauth2/token?api-version=2018-02-01"
        "&resource=https://management.azure.com/", headers={"Metadata": "true"})
    assert token_response.status_code == 200, token_response.text
    arm_token = token_response.json()["access_token"]

    r = client.get(f"https://management.azure.com{arm.rg_path('DevTest')}?api-version=2016-06-01",
                   headers={"Authorization": f"Bearer {arm_token}", "Content-Type": "application/json"})
    assert r.status_code == 200
    assert r.text == json.dumps({"id": f"/subscriptions/{arm.sub}/resourceGroups/DevTest", "name": "DevTest",
                                 "location": "westus", "properties": {"provisioningState": "Succeeded"}},
                                separators=(",", ":"))

    denied = arm.request("PUT", arm.vm_path("DevTest", "myVM"), api_version="2017-12-01",
                         json={"location": "westus"}, token=arm_token)
    assert denied.status_code == 403
    assert denied.json() == _authorization_failed(principal, principal, "Microsoft.Compute/virtualMachines/write",
                                                  arm.vm_path("DevTest", "myVM"))


def test_tutorial_2017_extension_endpoint_and_2016_09_01(arm: ArmClient, client: httpx.Client,
                                                          caller: list[CallerContext]) -> None:
    arm.create_rg("DevTest")
    vm = arm.create_vm("DevTest", "myVM", identity={"type": "SystemAssigned"}).json()
    ext = arm.request("PUT", arm.vm_path("DevTest", "myVM") + "/extensions/ManagedIdentityExtensionForWindows",
                      api_version="2017-03-30", json={"location": "westus", "properties": {
                          "publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForWindows",
                          "typeHandlerVersion": "1.0", "settings": {"port": 50342}}})
    assert ext.status_code == 201, ext.text
    assert ext.json()["type"] == "Microsoft.Compute/virtualMachines/extensions"
    assert ext.json()["properties"]["settings"] == {"port": 50342}
    arm.assign(arm.rg_path("DevTest"), vm["identity"]["principalId"], READER)
    caller[0] = CallerContext(host_id=vm["id"])
    t = client.post("http://localhost:50342/oauth2/token", data={"resource": ARM_RESOURCE},
                    headers={"Metadata": "true"})
    assert t.status_code == 200, t.text
    r = client.get(f"https://management.azure.com{arm.rg_path('DevTest')}?api-version=2016-09-01",
                   headers={"Authorization": f"Bearer {t.json()['access_token']}"})
    assert r.status_code == 200
    assert "type" not in r.json()


def test_user_denied_message_names_upn(arm: ArmClient, world: World) -> None:
    user = world.backend.create_user("Bob Smith", "bob@azshell.onmicrosoft.com")
    token = world.tokens.issue_for_principal(principal=user, resource=ARM_RESOURCE, kind="user").access_token
    arm.create_rg("rg1")
    r = arm.request("GET", arm.rg_path("rg1"), token=token)
    assert r.status_code == 403
    assert r.json() == _authorization_failed("bob@azshell.onmicrosoft.com", user.object_id,
                                             "Microsoft.Resources/subscriptions/resourceGroups/read", arm.rg_path("rg1"))


def test_group_membership_grants_access(arm: ArmClient, world: World) -> None:
    user = world.backend.create_user("Carol", "carol@azshell.onmicrosoft.com")
    group = world.backend.create_group("Readers")
    world.backend.add_group_member(group.object_id, user.object_id)
    arm.create_rg("rg1")
    assert arm.assign(arm.rg_path("rg1"), group.object_id, READER).status_code == 201
    token = world.tokens.issue_for_principal(principal=user, resource=ARM_RESOURCE, kind="user").access_token
    assert arm.request("GET", arm.rg_path("rg1"), token=token).status_code == 200


# ------------------------------------------------------------------------------------------------------- 401s
def _challenge(r: httpx.Response) -> str:
    return r.headers["WWW-Authenticate"]


def test_401_missing_header(arm: ArmClient, world: World) -> None:
    r = arm.request("GET", f"/subscriptions/{arm.sub}/resourceGroups", headers={})
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "AuthenticationFailed",
                                  "message": "Authentication failed. The 'Authorization' header is missing."}}
    assert _challenge(r) == (
        f'Bearer authorization_uri="https://login.windows.net/{world.tenant_id}", error="invalid_token", '
        "error_description=\"The authentication failed because of missing 'Authorization' header.\"")
    assert r.headers["x-ms-failure-cause"] == "gateway"


def test_401_missing_header_without_subscription_has_empty_tenant(arm: ArmClient) -> None:
    r = arm.request("GET", "/subscriptions", headers={})
    assert r.status_code == 401
    assert _challenge(r).startswith('Bearer authorization_uri="https://login.windows.net/", error="invalid_token"')


@pytest.mark.parametrize("value", ["Bearer not-a-jwt", "Bearer System.Security.SecureString", "Bearer a.b.c"])
def test_401_garbage_token(arm: ArmClient, value: str) -> None:
    r = arm.request("GET", "/subscriptions", headers={"Authorization": value})
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "InvalidAuthenticationToken", "message": "The access token is invalid."}}
    assert 'error="invalid_token"' in _challenge(r)


def test_401_forged_signature_and_alg_none(arm: ArmClient) -> None:
    header, claims, sig = arm.token.split(".")
    forged = f"{header}.{claims}.{sig[:-4]}AAAA"
    none_header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    for token in (forged, f"{none_header}.{claims}.", f"{header}.{claims}.{sig[::-1]}"):
        r = arm.request("GET", "/subscriptions", token=token)
        assert r.status_code == 401
        assert r.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_401_tampered_claims(arm: ArmClient, world: World) -> None:
    header, claims, sig = arm.token.split(".")
    data = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    data["oid"] = "00000000-0000-0000-0000-000000000000"
    tampered = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    r = arm.request("GET", "/subscriptions", token=f"{header}.{tampered}.{sig}")
    assert r.json()["error"]["code"] == "InvalidAuthenticationToken"


def test_401_wrong_audience(arm: ArmClient, world: World) -> None:
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource="https://vault.azure.net",
                                             kind="user").access_token
    r = arm.request("GET", f"/subscriptions/{arm.sub}", token=token)
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "InvalidAuthenticationTokenAudience", "message": (
        "The access token has been obtained for wrong audience or resource 'https://vault.azure.net'. It should "
        f"exactly match with one of the allowed audiences {ALLOWED_AUDIENCES}.")}}
    assert "WWW-Authenticate" in r.headers


@pytest.mark.parametrize("resource", ["https://management.azure.com", "https://management.core.windows.net/"])
def test_all_arm_audiences_accepted(arm: ArmClient, world: World, resource: str) -> None:
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=resource, kind="user").access_token
    assert arm.request("GET", f"/subscriptions/{arm.sub}", token=token).status_code == 200


def test_401_expired(arm: ArmClient, world: World, clock: FixedClock) -> None:
    claims = json.loads(base64.urlsafe_b64decode(arm.token.split(".")[1] + "=="))
    clock.advance(6 * 3600)
    r = arm.request("GET", f"/subscriptions/{arm.sub}")
    assert r.status_code == 401
    assert r.json() == {"error": {"code": "ExpiredAuthenticationToken", "message": (
        f"The access token expiry UTC time '{dotnet_utc(claims['exp'])}' is earlier than current UTC time "
        f"'{dotnet_utc(clock.now())}'.")}}


def test_401_wrong_tenant(arm: ArmClient, world: World) -> None:
    other_tenant = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
    stranger = DirectoryObject(object_id="0f14a80d-42e5-4d57-afe0-46acf9dfae05", tenant_id=other_tenant,
                               object_type="User", display_name="Eve", user_principal_name="eve@contoso.com")
    token = world.tokens.issue_for_principal(principal=stranger, resource=ARM_RESOURCE, kind="user").access_token
    r = arm.request("GET", f"/subscriptions/{arm.sub}/resourcegroups", token=token)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "InvalidAuthenticationTokenTenant"
    assert r.json()["error"]["message"].startswith(
        f"The access token is from the wrong issuer 'https://sts.windows.net/{other_tenant}/'. It must match the "
        f"tenant 'https://sts.windows.net/{world.tenant_id}/' associated with this subscription.")


def test_401_other_scheme(arm: ArmClient) -> None:
    r = arm.request("GET", "/subscriptions", headers={"Authorization": "Basic dXNlcjpwYXNz"})
    assert r.status_code == 401
    # code and text as ARM answers them (Azure/azure-sdk-for-python issue 4124)
    assert r.json()["error"] == {"code": "AuthenticationFailedInvalidHeader", "message": (
        "Authentication failed. The 'Authorization' header is provided in an invalid format.")}


# ---------------------------------------------------------------------------------------------- api-versions
def test_missing_api_version(arm: ArmClient) -> None:
    r = arm.request("GET", arm.rg_path("rg1"), api_version=None)
    assert r.status_code == 400
    assert r.json() == {"error": {"code": "MissingApiVersionParameter", "message":
                                  "The api-version query parameter (?api-version=) is required for all requests."}}


def test_invalid_api_version_for_resource_groups(arm: ArmClient) -> None:
    r = arm.request("GET", arm.rg_path("rg1"), api_version="2018-12-01")
    assert r.status_code == 400
    body = r.json()["error"]
    assert body["code"] == "InvalidApiVersionParameter"
    assert body["message"].startswith("The api-version '2018-12-01' is invalid. The supported versions are '2025-04-01,")
    assert ",2016-06-01," in body["message"]


@pytest.mark.parametrize("version", ["2014-04-01", "2016-06-01", "2016-09-01", "2021-04-01", "2025-04-01"])
def test_resource_group_versions_accepted(arm: ArmClient, version: str) -> None:
    arm.create_rg("rg1")
    assert arm.request("GET", arm.rg_path("rg1"), api_version=version).status_code == 200


def test_no_registered_provider_for_vm(arm: ArmClient) -> None:
    arm.create_rg("rg1")
    r = arm.request("GET", arm.vm_path("rg1", "vm1"), api_version="2030-01-01")
    assert r.status_code == 400
    msg = r.json()["error"]["message"]
    assert r.json()["error"]["code"] == "NoRegisteredProviderFound"
    assert msg.startswith("No registered resource provider found for location 'westus' and API version "
                          "'2030-01-01' for type 'virtualMachines'. The supported api-versions are '2015-05-01-preview, ")
    assert "The supported locations are 'eastus, eastus2, westus, " in msg


def test_no_registered_provider_names_child_type(arm: ArmClient) -> None:
    arm.create_rg("rg1")
    r = arm.request("GET", arm.vm_path("rg1", "vm1") + "/extensions/x", api_version="2018-06-30")
    assert "for type 'virtualMachines/extensions'" in r.json()["error"]["message"]


@pytest.mark.parametrize(("path", "good", "bad"), [
    ("/providers/Microsoft.Authorization/roleAssignments", "2015-07-01", "2013-01-01"),
    ("/providers/Microsoft.ManagedIdentity/userAssignedIdentities", "2018-11-30", "2017-01-01"),
    ("/providers/Microsoft.Compute/virtualMachines", "2017-03-30", "2016-01-01"),
])
def test_versions_per_type(arm: ArmClient, path: str, good: str, bad: str) -> None:
    arm.create_rg("rg1")
    scope = arm.rg_path("rg1")
    assert arm.request("GET", scope + path, api_version=good).status_code == 200
    assert arm.request("GET", scope + path, api_version=bad).json()["error"]["code"] == "NoRegisteredProviderFound"


# ---------------------------------------------------------------------------------------- routing and 404s
def test_resource_group_not_found(arm: ArmClient) -> None:
    r = arm.request("GET", arm.rg_path("nope"))
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "ResourceGroupNotFound", "message": "Resource group 'nope' could not be found."}}
    assert r.headers["x-ms-failure-cause"] == "gateway"


def test_resource_not_found(arm: ArmClient) -> None:
    arm.create_rg("rg")
    r = arm.request("GET", arm.vm_path("rg", "myVM"), api_version="2023-03-01")
    assert r.status_code == 404
    assert r.json() == {"error": {"code": "ResourceNotFound", "message": (
        "The Resource 'Microsoft.Compute/virtualMachines/myVM' under resource group 'rg' was not found. For more "
        "details please go to https://aka.ms/ARMResourceNotFoundFix")}}


def test_unrouted_path_quotes_the_request_uri(arm: ArmClient) -> None:
    # ARM's text for a URI nothing serves quotes the whole request URI (krnese/AzureDeploy issue 21)
    r = arm.request("GET", f"/subscriptions/{arm.sub}/nonsense/x", api_version="2021-04-01")
    assert r.status_code == 404
    assert r.json()["error"]["message"] == ("No HTTP resource was found that matches the request URI 'https://"
                                            f"management.azure.com/subscriptions/{arm.sub}/nonsense/x"
                                            "?api-version=2021-04-01'.")


def test_vm_in_missing_group_is_resource_group_not_found(arm: ArmClient) -> None:
    r = arm.request("GET", arm.vm_path("ghost", "vm"), api_version="2023-03-01")
    assert r.json()["error"]["code"] == "ResourceGroupNotFound"


def test_subscription_not_found_and_malformed(arm: ArmClient) -> None:
    r = arm.request("GET", "/subscriptions/00000000-0000-0000-0000-000000000001/resourcegroups")
    assert r.status_code == 404
    assert r.json()["error"] == {"code": "SubscriptionNotFound",
                                 "message": "The subscription '00000000-0000-0000-0000-000000000001' could not be found."}
    assert arm.request("GET", "/subscriptions/not-a-guid").status_code == 400


def test_unknown_namespace_and_type(arm: ArmClient) -> None:
    arm.create_rg("rg")
    r = arm.request("GET", arm.rg_path("rg") + "/providers/Microsoft.Nope/things/x")
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "InvalidResourceNamespace",
                                 "message": "The resource namespace 'Microsoft.Nope' is invalid."}
    r = arm.request("GET", arm.rg_path("rg") + "/providers/Microsoft.Compute/gizmos/x", api_version="2023-03-01")
    assert r.json()["error"] == {"code": "InvalidResourceType", "message": (
        "The resource type 'gizmos' could not be found in the namespace 'Microsoft.Compute' for api version "
        "'2023-03-01'.")}


def test_unroutable_paths_are_4xx(arm: ArmClient) -> None:
    for path in ("/", "/foo", "/subscriptions//x", f"/subscriptions/{arm.sub}/bogus/x"):
        assert 400 <= arm.request("GET", path).status_code < 500


def test_method_not_allowed(arm: ArmClient) -> None:
    r = arm.request("POST", "/subscriptions")
    assert r.status_code == 405
    assert r.json()["error"]["message"] == "The requested resource does not support http method 'POST'."


def test_authorization_before_existence(arm: ArmClient, world: World) -> None:
    user = world.backend.create_user("Nobody", "nobody@azshell.onmicrosoft.com")
    token = world.tokens.issue_for_principal(principal=user, resource=ARM_RESOURCE, kind="user").access_token
    r = arm.request("GET", arm.rg_path("does-not-exist"), token=token)
    assert r.status_code == 403


# ------------------------------------------------------------------------------------------- subscriptions
def test_subscriptions_list_hides_subscriptions_without_roles(arm: ArmClient, world: World) -> None:
    user = world.backend.create_user("Nobody", "nobody@azshell.onmicrosoft.com")
    token = world.tokens.issue_for_principal(principal=user, resource=ARM_RESOURCE, kind="user").access_token
    assert arm.request("GET", "/subscriptions", token=token).json() == {"value": []}
    listed = arm.request("GET", "/subscriptions").json()["value"]
    assert [s["subscriptionId"] for s in listed] == [arm.sub]
    assert listed[0]["tenantId"] == world.tenant_id
    denied = arm.request("GET", f"/subscriptions/{arm.sub}", token=token)
    assert denied.status_code == 403
    arm.create_rg("rg1")
    arm.assign(arm.rg_path("rg1"), user.object_id, READER)
    assert arm.request("GET", f"/subscriptions/{arm.sub}", token=token).status_code == 200
    groups = arm.request("GET", f"/subscriptions/{arm.sub}/resourcegroups", token=token).json()["value"]
    assert [g["name"] for g in groups] == ["rg1"]


# ------------------------------------------------------------------------------------------ resource groups
def test_resource_group_crud(arm: ArmClient, world: World) -> None:
    r = arm.request("PUT", arm.rg_path("rg1"), api_version="2021-04-01",
                    json={"location": "West US", "tags": {"env": "dev"}})
    assert r.status_code == 201
    assert r.json() == {"id": arm.rg_path("rg1"), "name": "rg1", "type": "Microsoft.Resources/resourceGroups",
                        "location": "westus", "tags": {"env": "dev"},
                        "properties": {"provisioningState": "Succeeded"}}
    again = arm.request("PUT", arm.rg_path("RG1"), api_version="2021-04-01", json={"location": "westus"})
    assert again.status_code == 200
    assert again.json()["name"] == "rg1" and "tags" not in again.json()
    moved = arm.request("PUT", arm.rg_path("rg1"), api_version="2021-04-01", json={"location": "eastus"})
    assert moved.status_code == 409
    assert moved.json()["error"]["message"] == (
        "Invalid resource group location 'eastus'. The Resource group already exists in location 'westus'.")
    patched = arm.request("PATCH", arm.rg_path("rg1"), api_version="2021-04-01", json={"tags": {"a": "b"}})
    assert patched.json()["tags"] == {"a": "b"}
    listed = arm.request("GET", f"/subscriptions/{arm.sub}/resourcegroups", api_version="2021-04-01")
    assert [g["name"] for g in listed.json()["value"]] == ["rg1"]
    assert arm.request("HEAD", arm.rg_path("rg1"), api_version="2021-04-01").status_code == 204
    deleted = arm.request("DELETE", arm.rg_path("rg1"), api_version="2021-04-01")
    assert deleted.status_code == 202
    location = deleted.headers["Location"]
    assert location.startswith(f"https://management.azure.com/subscriptions/{arm.sub}/operationresults/")
    assert arm.client.get(location, headers=arm.headers()).status_code == 200
    assert arm.request("GET", arm.rg_path("rg1")).status_code == 404
    assert arm.request("DELETE", arm.rg_path("rg1"), api_version="2021-04-01").status_code == 404


@pytest.mark.parametrize("body", [{}, {"location": ""}, {"location": "atlantis"}, {"location": 5},
                                  {"location": "westus", "tags": {"a": 1}}, {"location": "westus", "tags": []}])
def test_resource_group_bad_bodies(arm: ArmClient, world: World, body: dict[str, object]) -> None:
    gen = world.store.generation()
    r = arm.request("PUT", arm.rg_path("rg1"), api_version="2021-04-01", json=body)
    assert r.status_code == 400
    assert world.store.generation() == gen


def test_resource_group_bad_name_and_json(arm: ArmClient, world: World) -> None:
    assert arm.request("PUT", arm.rg_path("bad.name."), json={"location": "westus"}).status_code == 400
    r = arm.request("PUT", arm.rg_path("rg1"), content=b"{not json")
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "InvalidRequestContent"


# ------------------------------------------------------------------------------------------------------ VMs
def test_vm_shape(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    assert list(vm)[:4] == ["id", "name", "type", "location"]
    assert vm["type"] == "Microsoft.Compute/virtualMachines"
    assert set(vm["identity"]) == {"type", "principalId", "tenantId"}
    assert list(vm["properties"])[:5] == ["vmId", "hardwareProfile", "storageProfile", "osProfile",
                                          "networkProfile"]
    assert vm["properties"]["provisioningState"] == "Succeeded"
    got = arm.request("GET", arm.vm_path("rg1", "vm1"), api_version="2017-12-01").json()
    assert got == vm
    sp = world.store.get_directory_object(vm["identity"]["principalId"])
    assert sp is not None and sp.service_principal_type == "ManagedIdentity"


def test_vm_patch_identity_only(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    created = arm.create_vm("rg1", "vm1").json()
    assert "identity" not in created
    patched = arm.request("PATCH", arm.vm_path("rg1", "vm1"), api_version="2023-03-01",
                          json={"identity": {"type": "SystemAssigned"}})
    assert patched.status_code == 200
    assert patched.json()["identity"]["type"] == "SystemAssigned"
    assert patched.json()["properties"]["vmId"] == created["properties"]["vmId"]
    off = arm.request("PATCH", arm.vm_path("rg1", "vm1"), api_version="2023-03-01", json={"identity": {"type": "None"}})
    assert "identity" not in off.json()
    missing = arm.request("PATCH", arm.vm_path("rg1", "nope"), api_version="2023-03-01", json={"tags": {}})
    assert missing.status_code == 404


def test_vm_user_assigned_identities(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    uai_path = arm.rg_path("rg1") + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1"
    uai = arm.request("PUT", uai_path, api_version="2018-11-30", json={"location": "westus"})
    assert uai.status_code == 201
    props = uai.json()["properties"]
    assert set(props) >= {"tenantId", "principalId", "clientId"}
    uai_id = uai.json()["id"]
    arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"})
    r = arm.request("PATCH", arm.vm_path("rg1", "vm1"), api_version="2023-03-01", json={
        "identity": {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai_id: {}}}})
    assert r.status_code == 200, r.text
    ident = r.json()["identity"]
    assert ident["type"] == "SystemAssigned, UserAssigned"
    assert ident["userAssignedIdentities"] == {uai_id: {"principalId": props["principalId"],
                                                        "clientId": props["clientId"]}}
    bogus = uai_id[:-3] + "XYZ"
    bad = arm.request("PATCH", arm.vm_path("rg1", "vm1"), api_version="2023-03-01", json={
        "identity": {"type": "UserAssigned", "userAssignedIdentities": {bogus: {}}}})
    assert bad.status_code == 400
    listed = arm.request("GET", arm.rg_path("rg1") + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities",
                         api_version="2023-01-31").json()["value"]
    assert [x["name"] for x in listed] == ["ID1"]


def test_assigning_user_assigned_identity_needs_assign_action(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    uai = arm.request("PUT", arm.rg_path("rg1") + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1",
                      api_version="2018-11-30", json={"location": "westus"}).json()
    arm.create_vm("rg1", "vm1")
    user = world.backend.create_user("Vic", "vic@azshell.onmicrosoft.com")
    arm.assign(arm.vm_path("rg1", "vm1"), user.object_id, "9980e02c-c2be-4d73-94e8-173b1dc7cf3c")
    token = world.tokens.issue_for_principal(principal=user, resource=ARM_RESOURCE, kind="user").access_token
    body = {"identity": {"type": "UserAssigned", "userAssignedIdentities": {uai["id"]: {}}}}
    r = arm.request("PATCH", arm.vm_path("rg1", "vm1"), api_version="2023-03-01", json=body, token=token)
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "LinkedAuthorizationFailed"
    assert "Microsoft.ManagedIdentity/userAssignedIdentities/assign/action" in r.json()["error"]["message"]
    arm.assign(uai["id"], user.object_id, "8e3af657-a8ff-443c-a75c-2fe8c4bcb635")  # Owner on the identity
    assert arm.request("PATCH", arm.vm_path("rg1", "vm1"), api_version="2023-03-01", json=body,
                       token=token).status_code == 200


def test_managed_identity_operator_may_assign(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    uai = arm.request("PUT", arm.rg_path("rg1") + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/ID1",
                      api_version="2018-11-30", json={"location": "westus"}).json()
    arm.create_vm("rg1", "vm1")
    user = world.backend.create_user("Vic", "vic@azshell.onmicrosoft.com")
    arm.assign(arm.vm_path("rg1", "vm1"), user.object_id, "9980e02c-c2be-4d73-94e8-173b1dc7cf3c")
    arm.assign(uai["id"], user.object_id, MANAGED_IDENTITY_OPERATOR)
    token = world.tokens.issue_for_principal(principal=user, resource=ARM_RESOURCE, kind="user").access_token
    body = {"identity": {"type": "UserAssigned", "userAssignedIdentities": {uai["id"]: {}}}}
    assert arm.request("PATCH", arm.vm_path("rg1", "vm1"), api_version="2023-03-01", json=body,
                       token=token).status_code == 200


def test_vm_list_delete_and_extensions(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    arm.create_vm("rg1", "vm2")
    in_rg = arm.request("GET", arm.rg_path("rg1") + "/providers/Microsoft.Compute/virtualMachines",
                        api_version="2023-03-01").json()["value"]
    assert [v["name"] for v in in_rg] == ["vm1", "vm2"]
    in_sub = arm.request("GET", f"/subscriptions/{arm.sub}/providers/Microsoft.Compute/virtualMachines",
                         api_version="2023-03-01").json()["value"]
    assert len(in_sub) == 2
    ext_path = arm.vm_path("rg1", "vm1") + "/extensions/ManagedIdentityExtensionForWindows"
    ext_body = {"properties": {"publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForWindows",
                               "typeHandlerVersion": "1.0", "autoUpgradeMinorVersion": True,
                               "settings": {"port": 50342}}}
    assert arm.request("PUT", ext_path, api_version="2017-03-30", json=ext_body).status_code == 201
    exts = arm.request("GET", arm.vm_path("rg1", "vm1") + "/extensions", api_version="2017-03-30").json()["value"]
    assert [e["name"] for e in exts] == ["ManagedIdentityExtensionForWindows"]
    assert exts[0]["location"] == "westus"
    got = arm.request("GET", arm.vm_path("rg1", "vm1"), api_version="2023-03-01").json()
    assert got["resources"][0]["id"].endswith("/extensions/ManagedIdentityExtensionForWindows")
    no_parent = arm.request("PUT", arm.vm_path("rg1", "ghost") + "/extensions/x", api_version="2017-03-30",
                            json=ext_body)
    assert no_parent.status_code == 404
    assert "'Microsoft.Compute/virtualMachines/ghost'" in no_parent.json()["error"]["message"]
    assert arm.request("DELETE", ext_path, api_version="2017-03-30").status_code == 200
    assert arm.request("DELETE", ext_path, api_version="2017-03-30").status_code == 204
    assert arm.request("DELETE", arm.vm_path("rg1", "vm1"), api_version="2023-03-01").status_code == 200
    assert world.store.get_directory_object(vm["identity"]["principalId"]) is None
    assert arm.request("DELETE", arm.vm_path("rg1", "vm1"), api_version="2023-03-01").status_code == 204


def test_group_resources_listing(arm: ArmClient) -> None:
    arm.create_rg("rg1")
    arm.create_vm("rg1", "vm1")
    items = arm.request("GET", arm.rg_path("rg1") + "/resources", api_version="2021-04-01").json()["value"]
    assert [i["name"] for i in items] == ["vm1"] and "properties" not in items[0]
    assert len(arm.request("GET", f"/subscriptions/{arm.sub}/resources", api_version="2021-04-01").json()["value"]) == 1


# ------------------------------------------------------------------------------------------ generic resources
@pytest.mark.parametrize(("type_path", "version"), [
    ("Microsoft.Web/sites/app1", "2022-03-01"),
    ("Microsoft.KeyVault/vaults/kv1", "2023-07-01"),
    ("Microsoft.DataLakeStore/accounts/adls1", "2016-11-01"),
    ("Microsoft.Storage/storageAccounts/st1", "2023-01-01"),
    ("Microsoft.Network/virtualNetworks/vnet1", "2023-05-01"),
])
def test_generic_resources(arm: ArmClient, type_path: str, version: str) -> None:
    arm.create_rg("rg1")
    path = arm.rg_path("rg1") + "/providers/" + type_path
    body = {"location": "westus", "kind": "app", "properties": {"foo": {"bar": 1}},
            "identity": {"type": "SystemAssigned"}}
    r = arm.request("PUT", path, api_version=version, json=body)
    # the Storage resource provider answers a create that completes at once with 200, the others 201
    assert r.status_code == (200 if type_path.startswith("Microsoft.Storage/") else 201), r.text
    got = arm.request("GET", path, api_version=version).json()
    assert got["properties"]["foo"] == {"bar": 1}
    assert got["kind"] == "app"
    assert got["identity"]["type"] == "SystemAssigned"
    assert got["type"] == type_path.rsplit("/", 1)[0]
    assert arm.request("DELETE", path, api_version=version).status_code == 200


def test_contributor_can_write_resources_but_not_role_assignments(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    principal = vm["identity"]["principalId"]
    arm.assign(arm.rg_path("rg1"), principal, CONTRIBUTOR)
    token = arm.token_for(principal)
    assert arm.create_vm("rg1", "vm2").status_code == 201
    assert arm.request("PUT", arm.vm_path("rg1", "vm3"), api_version="2023-03-01", json={"location": "westus"},
                       token=token).status_code == 201
    name = "63260411-e011-6d6a-5601-dbfc40476f52"
    r = arm.assign(arm.rg_path("rg1"), principal, READER, name=name, token=token)
    assert r.status_code == 403
    assert r.json() == _authorization_failed(
        principal, principal, "Microsoft.Authorization/roleAssignments/write",
        f"{arm.rg_path('rg1')}/providers/Microsoft.Authorization/roleAssignments/{name}")


def test_standard_headers(arm: ArmClient) -> None:
    r = arm.request("GET", "/subscriptions")
    assert r.headers["Cache-Control"] == "no-cache"
    assert r.headers["x-ms-request-id"] == r.headers["x-ms-correlation-request-id"]
    assert r.headers["x-ms-routing-request-id"].startswith("WESTUS:")
    assert r.headers["Content-Type"] == "application/json; charset=utf-8"
