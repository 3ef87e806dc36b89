"""The ARM routes a normal management script touches (issue 15) on the wire: providers and ``register``, a VM's
instance view, ``identities/default`` at a resource, Key Vault's ``checkNameAvailability``; the api-version rule
for versions newer than the catalogue; names URL-encoded by cmdlets and ``az``; the app a login token carries."""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx

from azshell.planes._shared import api_version_accepted
from azshell.planes.catalog import ApiVersionSpec
from azshell.session import Session
from azshell.world import World
from tests.conftest import ARM_RESOURCE, ArmClient

RES_API = "2025-04-01"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
AZURE_CLI = "04b07795-8ddb-461a-bbee-02f9e1bf7b46"
AZURE_POWERSHELL = "1950a258-227b-4e31-a9cf-717495945fc2"


def _claims(token: str) -> dict[str, Any]:
    payload = token.split(".")[1]
    claims: dict[str, Any] = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    return claims


# -------------------------------------------------------------------------------------------------- providers
def test_provider_get_is_arms_shape(arm: ArmClient) -> None:
    r = arm.request("GET", f"/subscriptions/{arm.sub}/providers/microsoft.keyvault", api_version=RES_API)
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["id", "namespace", "resourceTypes", "registrationState", "registrationPolicy"]
    assert body["id"] == f"/subscriptions/{arm.sub}/providers/Microsoft.KeyVault"
    assert body["namespace"] == "Microsoft.KeyVault"
    assert (body["registrationState"], body["registrationPolicy"]) == ("Registered", "RegistrationRequired")
    vaults = next(t for t in body["resourceTypes"] if t["resourceType"] == "vaults")
    assert vaults["apiVersions"][0] == "2026-05-15" and "2015-06-01" in vaults["apiVersions"]
    assert vaults["apiVersions"] == sorted(vaults["apiVersions"], reverse=True)
    assert vaults["locations"][:3] == ["East US", "East US 2", "West US"]
    assert {t["resourceType"] for t in body["resourceTypes"]} == {"vaults", "vaults/secrets", "vaults/accessPolicies"}


def test_provider_list_and_arm_native_namespaces(arm: ArmClient) -> None:
    r = arm.request("GET", f"/subscriptions/{arm.sub}/providers", api_version="2021-04-01")
    assert r.status_code == 200, r.text
    by_ns = {p["namespace"]: p for p in r.json()["value"]}
    assert {"Microsoft.Resources", "Microsoft.Authorization", "Microsoft.Compute", "Microsoft.KeyVault",
            "Microsoft.ManagedIdentity", "Microsoft.Network", "Microsoft.Storage", "Microsoft.Web",
            "Microsoft.DataLakeStore"} <= set(by_ns)
    assert by_ns["Microsoft.Resources"]["registrationPolicy"] == "RegistrationFree"
    auth_types = {t["resourceType"]: t for t in by_ns["Microsoft.Authorization"]["resourceTypes"]}
    assert "2022-04-01" in auth_types["roleAssignments"]["apiVersions"] and auth_types["roleAssignments"]["locations"] == []
    compute = {t["resourceType"]: t for t in by_ns["Microsoft.Compute"]["resourceTypes"]}
    assert compute["virtualMachines"]["apiVersions"][0] == "2026-04-01"
    assert compute["disks"]["apiVersions"][0] == "2026-03-02"
    assert "identities" in {t["resourceType"] for t in by_ns["Microsoft.ManagedIdentity"]["resourceTypes"]}


def test_provider_register_and_errors(arm: ArmClient, world: World) -> None:
    r = arm.request("POST", f"/subscriptions/{arm.sub}/providers/Microsoft.Compute/register", api_version=RES_API)
    assert r.status_code == 200 and r.json()["registrationState"] == "Registered"
    r = arm.request("POST", f"/subscriptions/{arm.sub}/providers/Microsoft.Authorization/register",
                    api_version=RES_API)
    assert r.status_code == 200 and r.json()["namespace"] == "Microsoft.Authorization"
    unknown = arm.request("GET", f"/subscriptions/{arm.sub}/providers/Microsoft.Nope", api_version=RES_API)
    assert unknown.status_code == 400
    assert unknown.json()["error"] == {"code": "InvalidResourceNamespace",
                                       "message": "The resource namespace 'Microsoft.Nope' is invalid."}
    old = arm.request("GET", f"/subscriptions/{arm.sub}/providers", api_version="2013-01-01")
    assert old.status_code == 400 and old.json()["error"]["code"] == "InvalidApiVersionParameter"
    # a principal with only a resource-group Reader role: may read providers (a role within), not register
    arm.create_rg("rg1")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    principal = vm["identity"]["principalId"]
    arm.assign(arm.rg_path("rg1"), principal, READER)
    token = arm.token_for(principal)
    assert arm.request("GET", f"/subscriptions/{arm.sub}/providers", api_version=RES_API, token=token).status_code \
        == 200
    denied = arm.request("POST", f"/subscriptions/{arm.sub}/providers/Microsoft.Compute/register",
                         api_version=RES_API, token=token)
    assert denied.status_code == 403
    assert "'Microsoft.Compute/register/action'" in denied.json()["error"]["message"]


def test_unknown_provider_action_keeps_invalid_resource_type(arm: ArmClient) -> None:
    r = arm.request("POST", f"/subscriptions/{arm.sub}/providers/Microsoft.Compute/frobnicate", api_version=RES_API)
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "InvalidResourceType", "message": (
        "The resource type 'frobnicate' could not be found in the namespace 'Microsoft.Compute' for api version "
        "'2025-04-01'.")}


# ------------------------------------------------------------------------------------------- VM instance view
def test_vm_instance_view_and_expand(arm: ArmClient) -> None:
    arm.create_rg("rg1")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    arm.request("PUT", arm.vm_path("rg1", "vm1") + "/extensions/ManagedIdentityExtensionForWindows",
                api_version="2026-04-01", json={"location": "westus", "properties": {
                    "publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForWindows",
                    "typeHandlerVersion": "1.0"}})
    r = arm.request("GET", arm.vm_path("rg1", "vm1") + "/instanceView", api_version="2026-04-01")
    assert r.status_code == 200, r.text
    view = r.json()
    assert view["computerName"] == "vm1"
    assert [s["code"] for s in view["statuses"]] == ["ProvisioningState/succeeded", "PowerState/running"]
    assert view["statuses"][0]["time"] == vm["properties"]["timeCreated"]
    assert view["extensions"][0]["name"] == "ManagedIdentityExtensionForWindows"
    assert view["extensions"][0]["type"] == "Microsoft.ManagedIdentity.ManagedIdentityExtensionForWindows"
    plain = arm.request("GET", arm.vm_path("rg1", "vm1"), api_version="2026-04-01").json()
    assert "instanceView" not in plain["properties"]
    expanded = arm.request("GET", arm.vm_path("rg1", "vm1") + "?$expand=instanceView", api_version="2026-04-01")
    assert expanded.json()["properties"]["instanceView"] == view
    listed = arm.request("GET", arm.rg_path("rg1") + "/providers/Microsoft.Compute/virtualMachines?$expand="
                         "instanceView", api_version="2026-04-01").json()["value"]
    assert listed[0]["properties"]["instanceView"]["statuses"][1]["displayStatus"] == "VM running"


def test_vm_instance_view_errors(arm: ArmClient) -> None:
    arm.create_rg("rg1")
    missing = arm.request("GET", arm.vm_path("rg1", "nope") + "/instanceView", api_version="2026-04-01")
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ResourceNotFound"
    arm.create_vm("rg1", "vm1")
    post = arm.request("POST", arm.vm_path("rg1", "vm1") + "/instanceView", api_version="2026-04-01")
    assert post.status_code == 405
    other = arm.request("GET", arm.vm_path("rg1", "vm1") + "/bogus", api_version="2026-04-01")
    assert other.status_code == 400
    assert other.json()["error"] == {"code": "InvalidResourceType", "message": (
        "The resource type 'virtualMachines/bogus' could not be found in the namespace 'Microsoft.Compute' for api "
        "version '2026-04-01'.")}
    old = arm.request("GET", arm.vm_path("rg1", "vm1") + "/instanceView", api_version="2014-01-01")
    assert old.json()["error"]["code"] == "NoRegisteredProviderFound"


# ----------------------------------------------------------------------------------- identities/default (MSI)
def test_system_assigned_identity_by_scope(arm: ArmClient, world: World) -> None:
    arm.create_rg("rg1")
    vm = arm.create_vm("rg1", "vm1", identity={"type": "SystemAssigned"}).json()
    principal = vm["identity"]["principalId"]
    path = arm.vm_path("rg1", "vm1") + "/providers/Microsoft.ManagedIdentity/identities/default"
    r = arm.request("GET", path, api_version="2024-11-30")
    assert r.status_code == 200, r.text
    body = r.json()
    sp = world.store.get_directory_object(principal)
    assert sp is not None
    assert body["id"] == path and body["name"] == "default" and body["type"] == "Microsoft.ManagedIdentity/identities"
    assert body["location"] == "westus"
    assert {k: body["properties"][k] for k in ("tenantId", "principalId", "clientId")} == {
        "tenantId": world.tenant_id, "principalId": principal, "clientId": sp.app_id}
    # no system identity: 404; the identity's own reader may read it (Reader on the group)
    arm.create_vm("rg1", "bare")
    bare = arm.request("GET", arm.vm_path("rg1", "bare") + "/providers/Microsoft.ManagedIdentity/identities/default",
                       api_version="2024-11-30")
    assert bare.status_code == 404
    at_group = arm.request("GET", arm.rg_path("rg1") + "/providers/Microsoft.ManagedIdentity/identities/default",
                           api_version="2024-11-30")
    assert at_group.status_code == 404
    token = arm.token_for(principal)
    assert arm.request("GET", path, api_version="2024-11-30", token=token).status_code == 403
    arm.assign(arm.rg_path("rg1"), principal, READER)
    assert arm.request("GET", path, api_version="2024-11-30", token=token).status_code == 200
    assert arm.request("PUT", path, api_version="2024-11-30", json={}).status_code == 405


# ---------------------------------------------------------------------------------- Key Vault checkNameAvailability
def test_key_vault_check_name_availability(arm: ArmClient, world: World) -> None:
    path = f"/subscriptions/{arm.sub}/providers/Microsoft.KeyVault/checkNameAvailability"
    body = {"name": "kv-free-1", "type": "Microsoft.KeyVault/vaults"}
    assert arm.request("POST", path, api_version="2026-05-15", json=body).json() == {"nameAvailable": True}
    arm.create_rg("rg1")
    assert arm.request("PUT", arm.rg_path("rg1") + "/providers/Microsoft.KeyVault/vaults/kv-free-1",
                       api_version="2026-05-15", json={"location": "westus", "properties": {
                           "tenantId": world.tenant_id, "sku": {"family": "A", "name": "standard"}}}).status_code == 201
    taken = arm.request("POST", path, api_version="2026-05-15", json={"name": "KV-FREE-1"}).json()
    assert taken["nameAvailable"] is False and taken["reason"] == "AlreadyExists"
    assert taken["message"].startswith("The vault name 'KV-FREE-1' is already in use.")
    invalid = arm.request("POST", path, api_version="2026-05-15", json={"name": "1bad"}).json()
    assert invalid["nameAvailable"] is False and invalid["reason"] == "AccountNameInvalid"
    assert arm.request("POST", path, api_version="2026-05-15", json={}).status_code == 400
    assert arm.request("GET", path, api_version="2026-05-15").status_code == 405
    assert arm.request("POST", path, api_version="2014-01-01", json=body).json()["error"]["code"] == \
        "NoRegisteredProviderFound"


# ---------------------------------------------------------------------------------------------- api-versions
def test_sdk_default_versions_are_accepted(arm: ArmClient) -> None:
    arm.create_rg("rg1")
    assert arm.create_vm("rg1", "vm1").status_code == 201
    for path, version in ((arm.vm_path("rg1", "vm1"), "2026-04-01"),
                          (arm.rg_path("rg1") + "/providers/Microsoft.KeyVault/vaults", "2026-05-15"),
                          (arm.rg_path("rg1") + "/providers/Microsoft.Compute/disks", "2026-03-02"),
                          (arm.rg_path("rg1"), "2025-04-01"),
                          (arm.rg_path("rg1") + "/providers/Microsoft.Authorization/roleAssignments", "2022-04-01")):
        r = arm.request("GET", path, api_version=version)
        assert r.status_code == 200, (path, version, r.text)


def test_versions_newer_than_the_catalogue(arm: ArmClient, world: World) -> None:
    """A dated version newer than the newest listed is accepted (within a year of the world's today); a
    malformed one, or an unlisted older one, keeps ARM's exact error."""
    arm.create_rg("rg1")
    arm.create_vm("rg1", "vm1")
    spec = ApiVersionSpec("virtualMachines", ("2024-11-01", "2026-04-01"))
    now = world.clock.now()  # the fixed clock: 2023-11-14
    assert api_version_accepted(spec, "2026-04-01", now=None)
    assert api_version_accepted(spec, "2026-09-01", now=None)
    assert api_version_accepted(spec, "2026-09-01-preview", now=None)
    assert not api_version_accepted(spec, "2025-05-01", now=None)  # a gap: never published
    assert not api_version_accepted(spec, "2026-02-30", now=None)  # no such day
    assert not api_version_accepted(spec, "2026-9-1", now=None)
    assert not api_version_accepted(spec, "2026-09-01-beta", now=None)
    assert not api_version_accepted(spec, "2026-09-01", now=now)  # years past the world's today
    world.clock.set(1_800_000_000.0)  # type: ignore[attr-defined]  # 2027-01-15
    assert api_version_accepted(spec, "2027-06-01", now=world.clock.now())
    arm.token = world.tokens.issue_for_principal(principal=world.admin_user, resource=ARM_RESOURCE,
                                                 kind="user").access_token
    # on the wire, with the clock in 2027: next month's compute version works, a malformed one does not
    assert arm.request("GET", arm.vm_path("rg1", "vm1"), api_version="2027-02-01").status_code == 200
    bad = arm.request("GET", arm.vm_path("rg1", "vm1"), api_version="2027-02")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "NoRegisteredProviderFound"
    assert arm.request("GET", arm.rg_path("rg1"), api_version="2026-01-01").status_code == 200
    gap = arm.request("GET", arm.rg_path("rg1"), api_version="2024-02-01")
    assert gap.status_code == 400 and gap.json()["error"]["code"] == "InvalidApiVersionParameter"


# ------------------------------------------------------------------------------------ URL-encoded path segments
def test_encoded_resource_group_name_reaches_arm_whole(arm: ArmClient) -> None:
    r = arm.request("PUT", f"/subscriptions/{arm.sub}/resourcegroups/bad%23name", api_version=RES_API,
                    json={"location": "westus"})
    assert r.status_code == 400
    assert r.json()["error"] == {"code": "InvalidResourceGroup", "message": (
        "The provided resource group name 'bad#name' has these invalid characters: '#'. The name can only be a "
        "letter, digit, '-', '.', '(', ')' or '_'.")}
    assert arm.request("GET", arm.rg_path("bad"), api_version=RES_API).status_code == 404
    ok = arm.request("PUT", f"/subscriptions/{arm.sub}/resourcegroups/r%28x%29.1", api_version=RES_API,
                     json={"location": "westus"})
    assert ok.status_code == 201 and ok.json()["name"] == "r(x).1"


def _errors(session: Session, script: str) -> list[str]:
    result = session.execute(script)
    return [r.value.render() for r in result.records if r.stream == "error"]


def _host(session: Session, script: str) -> str:
    result = session.execute(script)
    return "\n".join(str(r.value) for r in result.records if r.stream in ("host", "warning", "output"))


def test_cmdlets_and_az_encode_names(world: World) -> None:
    session = Session(world=world)
    errs = _errors(session, "New-AzResourceGroup -Name 'bad#name' -Location westus")
    assert len(errs) == 1 and "ErrorCode: InvalidResourceGroup" in errs[0]
    assert "'bad#name' has these invalid characters: '#'" in errs[0]
    assert world.store.get_resource_group(world.default_subscription_id, "bad") is None
    out = _host(session, "az group create -n 'a?b' -l westus")
    assert "(InvalidResourceGroup)" in out and "'a?b' has these invalid characters: '?'" in out
    assert _errors(session, "New-AzResourceGroup -Name 'ok(1)' -Location westus") == []
    assert world.store.get_resource_group(world.default_subscription_id, "ok(1)") is not None
    errs = _errors(session, "New-AzUserAssignedIdentity -ResourceGroupName 'ok(1)' -Name 'id#1' -Location westus")
    assert len(errs) == 1 and "InvalidResourceName" in errs[0]
    assert world.store.list_resources(sub_id=world.default_subscription_id, resource_group="ok(1)") == []


# --------------------------------------------------------------------------------- login: the app that asked
def test_login_token_carries_the_client_id(client: httpx.Client, world: World, arm: ArmClient) -> None:
    url = f"https://login.microsoftonline.com/{world.tenant_id}/oauth2/token"
    form = {"grant_type": "password", "username": "admin@azshell.onmicrosoft.com", "password": "x",
            "resource": ARM_RESOURCE}
    cli = client.post(url, data={**form, "client_id": AZURE_CLI})
    assert cli.status_code == 200, cli.text
    cli_claims = _claims(cli.json()["access_token"])
    assert cli_claims["appid"] == AZURE_CLI
    ps_claims = _claims(client.post(url, data={**form, "client_id": AZURE_POWERSHELL}).json()["access_token"])
    assert ps_claims["appid"] == AZURE_POWERSHELL and ps_claims["sub"] != cli_claims["sub"]
    assert _claims(client.post(url, data=form).json()["access_token"])["appid"] == AZURE_POWERSHELL
    v2 = client.post(f"https://login.microsoftonline.com/{world.tenant_id}/oauth2/v2.0/token",
                     data={**{k: v for k, v in form.items() if k != "resource"}, "client_id": AZURE_CLI,
                           "scope": "https://management.azure.com/.default"})
    assert _claims(v2.json()["access_token"])["appid"] == AZURE_CLI
    bad = client.post(url, data={**form, "client_id": "not-a-guid"})
    assert bad.status_code == 400 and bad.json()["error"] == "unauthorized_client"
    assert bad.json()["error_codes"] == [700016]
    # the CLI's token works on ARM like any other
    assert arm.request("GET", f"/subscriptions/{arm.sub}", api_version=RES_API,
                       token=cli.json()["access_token"]).status_code == 200
