"""Key Vault data plane and its ARM control plane, over the in-process client (no sockets).

Bodies are compared word for word with ``shared/reference/azure-error-messages.md`` §4.
"""

from __future__ import annotations

import base64
import json
from typing import Any

import httpx
import pytest

from azshell.clock import FixedClock
from azshell.http import PlaneConnectError
from azshell.world import World
from tests.conftest import ArmClient, require_module

VAULT = "myvault"
RG = "kvrg"
KV = f"https://{VAULT}.vault.azure.net"
KV_RESOURCE = "https://vault.azure.net"
SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
CHALLENGE = 'Bearer authorization="https://login.windows.net/{tenant}", resource="https://vault.azure.net"'


def vault_path(arm: ArmClient, name: str = VAULT, rg: str = RG) -> str:
    return f"{arm.rg_path(rg)}/providers/Microsoft.KeyVault/vaults/{name}"


def create_vault(arm: ArmClient, *, rbac: bool, policies: list[dict[str, Any]] | None = None,
                 name: str = VAULT) -> httpx.Response:
    arm.create_rg(RG)
    props: dict[str, Any] = {"tenantId": arm.world.tenant_id, "sku": {"family": "A", "name": "standard"},
                             "enableRbacAuthorization": rbac, "accessPolicies": policies or []}
    return arm.request("PUT", vault_path(arm, name), api_version="2023-07-01",
                       json={"location": "westus", "properties": props})


def policy(world: World, oid: str, secrets: list[str]) -> dict[str, Any]:
    return {"tenantId": world.tenant_id, "objectId": oid, "permissions": {"secrets": secrets}}


def kv_token(world: World, oid: str | None = None, resource: str = KV_RESOURCE) -> str:
    p = world.admin_user if oid is None else world.store.get_directory_object(oid)
    assert p is not None
    kind = "user" if oid is None else "managed_identity"
    return world.tokens.issue_for_principal(principal=p, resource=resource, kind=kind).access_token  # type: ignore[arg-type]


def vm_identity(arm: ArmClient, vm: str = "vm1") -> str:
    arm.create_rg(RG)
    resp = arm.create_vm(RG, vm, identity={"type": "SystemAssigned"})
    return str(resp.json()["identity"]["principalId"])


class Kv:
    def __init__(self, client: httpx.Client, token: str | None) -> None:
        self.client = client
        self.token = token

    def __call__(self, method: str, path: str, *, api: str | None = "7.4", json_body: Any = None,
                 token: str | None = None, params: dict[str, str] | None = None) -> httpx.Response:
        headers = {}
        tok = token if token is not None else self.token
        if tok:
            headers["Authorization"] = f"Bearer {tok}"
        query = dict(params or {})
        if api is not None:
            query["api-version"] = api
        return self.client.request(method, f"{KV}{path}", params=query, headers=headers, json=json_body)


@pytest.fixture
def admin_kv(client: httpx.Client, world: World, arm: ArmClient) -> Kv:
    assert create_vault(arm, rbac=False, policies=[policy(world, world.admin_user.object_id, ["all"])]).status_code \
        == 201
    return Kv(client, kv_token(world))


# ------------------------------------------------------------------------------------------- challenge
def test_challenge_without_token(admin_kv: Kv, world: World) -> None:
    resp = admin_kv("PUT", "/secrets/alpha", api="2026-04-01", token="")
    assert resp.status_code == 401
    assert resp.headers["WWW-Authenticate"] == CHALLENGE.format(tenant=world.tenant_id)
    assert resp.json() == {"error": {"code": "Unauthorized",
                                     "message": "AKV10000: Request is missing a Bearer or PoP token."}}


def test_empty_bearer_is_challenged(admin_kv: Kv, client: httpx.Client) -> None:
    resp = client.get(f"{KV}/secrets?api-version=7.4", headers={"Authorization": "Bearer "})
    assert resp.status_code == 401
    assert "AKV10000" in resp.text


def test_arm_token_is_wrong_audience(admin_kv: Kv, admin_token: str, world: World) -> None:
    resp = admin_kv("GET", "/secrets", token=admin_token)
    assert resp.status_code == 401
    assert resp.json()["error"]["message"] == \
        "AKV10022: Invalid audience. Expected https://vault.azure.net, found: https://management.azure.com/."
    assert resp.headers["WWW-Authenticate"] == CHALLENGE.format(tenant=world.tenant_id)


def test_expired_token(admin_kv: Kv, clock: FixedClock) -> None:
    clock.advance(10 * 3600)
    resp = admin_kv("GET", "/secrets")
    assert resp.status_code == 401
    assert resp.json()["error"]["message"] == "[TokenExpired] Error validating token: 'S2S12086'."


def test_forged_token(admin_kv: Kv) -> None:
    assert admin_kv.token is not None
    header, claims, sig = admin_kv.token.split(".")
    data = json.loads(base64.urlsafe_b64decode(claims + "=" * (-len(claims) % 4)))
    data["oid"] = "00000000-0000-0000-0000-000000000000"
    forged = base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()
    resp = admin_kv("GET", "/secrets", token=f"{header}.{forged}.{sig}")
    assert resp.status_code == 401
    assert resp.json()["error"]["message"].startswith("AKV10046: Unable to resolve the key used for signature")
    assert admin_kv("GET", "/secrets", token="not-a-jwt").status_code == 401


def test_unknown_vault_does_not_resolve(client: httpx.Client) -> None:
    with pytest.raises(PlaneConnectError, match=r"No such host is known. \(nope.vault.azure.net:443\)"):
        client.get("https://nope.vault.azure.net/secrets?api-version=7.4")


# ----------------------------------------------------------------------------------------- api-versions
@pytest.mark.parametrize("version", ["2016-10-01", "7.0", "7.1", "7.2", "7.3", "7.4", "7.5", "7.6", "2025-07-01",
                                     "2026-04-01"])
def test_supported_api_versions(admin_kv: Kv, version: str) -> None:
    assert admin_kv("PUT", "/secrets/a", api=version, json_body={"value": "x"}).status_code == 200
    attrs = admin_kv("GET", "/secrets/a", api=version).json()["attributes"]
    assert ("recoverableDays" in attrs) == (version not in ("2016-10-01", "7.0"))


def test_bad_api_versions(admin_kv: Kv) -> None:
    resp = admin_kv("GET", "/secrets", api="7.9")
    assert resp.status_code == 400
    assert resp.json() == {"error": {"code": "BadParameter", "message": (
        "The specified version (7.9) is not recognized. Consider using the latest supported version (2026-04-01).")}}
    missing = admin_kv("GET", "/secrets", api=None)
    assert missing.status_code == 400 and missing.json()["error"]["code"] == "BadParameter"


# ------------------------------------------------------------------------------------------ operations
def test_set_get_shapes(admin_kv: Kv) -> None:
    resp = admin_kv("PUT", "/secrets/alpha", json_body={"value": "v1", "tags": {"env": "test"},
                                                        "contentType": "text/plain"})
    assert resp.status_code == 200
    body = resp.json()
    version = body["id"].rsplit("/", 1)[1]
    assert body["id"] == f"{KV}/secrets/alpha/{version}" and len(version) == 32
    assert body == {"value": "v1", "id": body["id"], "attributes": {
        "enabled": True, "created": 1_700_000_000, "updated": 1_700_000_000,
        "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90},
        "tags": {"env": "test"}, "contentType": "text/plain"}
    for path in ("/secrets/alpha", "/secrets/alpha/", f"/secrets/alpha/{version}", "/secrets/ALPHA"):
        got = admin_kv("GET", path)
        assert got.status_code == 200 and got.json()["value"] == "v1", path


def test_versions_and_update(admin_kv: Kv, clock: FixedClock) -> None:
    v1 = admin_kv("PUT", "/secrets/s", json_body={"value": "one"}).json()["id"].rsplit("/", 1)[1]
    clock.advance(5)
    admin_kv("PUT", "/secrets/s", json_body={"value": "two"})
    assert admin_kv("GET", "/secrets/s").json()["value"] == "two"
    assert admin_kv("GET", f"/secrets/s/{v1}").json()["value"] == "one"
    versions = admin_kv("GET", "/secrets/s/versions").json()["value"]
    assert len(versions) == 2 and versions[0]["id"].endswith(v1)
    upd = admin_kv("PATCH", f"/secrets/s/{v1}", json_body={"attributes": {"enabled": False}, "tags": {"a": "b"}})
    assert upd.status_code == 200
    assert "value" not in upd.json() and upd.json()["attributes"]["enabled"] is False
    assert upd.json()["tags"] == {"a": "b"}
    missing = admin_kv("GET", f"/secrets/s/{'0' * 32}")
    assert missing.status_code == 404
    assert missing.json()["error"]["message"].startswith(f"A secret with (name/id) s/{'0' * 32} was not found")


def test_not_found_text(admin_kv: Kv) -> None:
    resp = admin_kv("GET", "/secrets/nope")
    assert resp.status_code == 404
    assert resp.json() == {"error": {"code": "SecretNotFound", "message": (
        "A secret with (name/id) nope was not found in this key vault. If you recently deleted this secret you may be "
        "able to recover it using the correct recovery command. For help resolving this issue, please see "
        "https://go.microsoft.com/fwlink/?linkid=2125182")}}


def test_paging(admin_kv: Kv, client: httpx.Client) -> None:
    for i in range(5):
        admin_kv("PUT", f"/secrets/s{i}", json_body={"value": str(i)})
    page = admin_kv("GET", "/secrets", params={"maxresults": "2"}).json()
    names = [v["id"].rsplit("/", 1)[1] for v in page["value"]]
    while page.get("nextLink"):
        assert page["nextLink"].startswith(f"{KV}/secrets?api-version=7.4&$skiptoken=")
        page = client.get(page["nextLink"], headers={"Authorization": f"Bearer {admin_kv.token}"}).json()
        names += [v["id"].rsplit("/", 1)[1] for v in page["value"]]
    assert names == ["s0", "s1", "s2", "s3", "s4"]
    assert admin_kv("GET", "/secrets", params={"maxresults": "26"}).status_code == 400


def test_delete_recover_purge(admin_kv: Kv) -> None:
    admin_kv("PUT", "/secrets/gone", json_body={"value": "x"})
    deleted = admin_kv("DELETE", "/secrets/gone").json()
    assert deleted["recoveryId"] == f"{KV}/deletedsecrets/gone"
    assert deleted["deletedDate"] == 1_700_000_000
    assert deleted["scheduledPurgeDate"] == 1_700_000_000 + 90 * 86400
    assert "value" not in deleted
    assert admin_kv("GET", "/secrets/gone").status_code == 404
    conflict = admin_kv("PUT", "/secrets/gone", json_body={"value": "y"})
    assert conflict.status_code == 409 and conflict.json()["error"]["code"] == "Conflict"
    # clients branch on the inner code (issue 14; Azure SDK for .NET's Key Vault error-response sample)
    assert conflict.json()["error"]["innererror"] == {"code": "ObjectIsDeletedButRecoverable"}
    assert [d["recoveryId"] for d in admin_kv("GET", "/deletedsecrets").json()["value"]] == \
        [f"{KV}/deletedsecrets/gone"]
    assert admin_kv("GET", "/deletedsecrets/gone").status_code == 200
    assert admin_kv("POST", "/deletedsecrets/gone/recover").status_code == 200
    assert admin_kv("GET", "/secrets/gone").json()["value"] == "x"
    admin_kv("DELETE", "/secrets/gone")
    assert admin_kv("DELETE", "/deletedsecrets/gone").status_code == 204
    assert admin_kv("GET", "/deletedsecrets/gone").status_code == 404
    assert admin_kv("PUT", "/secrets/gone", json_body={"value": "new"}).status_code == 200


@pytest.mark.parametrize("body", [b"{not json", b"[1]", b'{"value": 5}', b'{"value": "x", "tags": [1]}',
                                  b'{"value": "x", "attributes": {"enabled": "yes"}}'])
def test_malformed_bodies(admin_kv: Kv, client: httpx.Client, body: bytes) -> None:
    resp = client.put(f"{KV}/secrets/a?api-version=7.4", content=body,
                      headers={"Authorization": f"Bearer {admin_kv.token}", "Content-Type": "application/json"})
    assert resp.status_code == 400 and resp.json()["error"]["code"] == "BadParameter"


def test_bad_names_and_routes(admin_kv: Kv) -> None:
    assert admin_kv("PUT", "/secrets/bad_name", json_body={"value": "x"}).status_code == 400
    assert admin_kv("GET", "/nothing").status_code == 404
    assert admin_kv("POST", "/secrets").status_code == 405


def test_read_event(admin_kv: Kv, world: World) -> None:
    admin_kv("PUT", "/secrets/ev", json_body={"value": "x"})
    admin_kv("GET", "/secrets/ev")
    events = world.store.recent_events("keyvault.secret.read")
    assert events[-1].data["vault"] == VAULT and events[-1].data["name"] == "ev"
    assert events[-1].data["oid"] == world.admin_user.object_id


# -------------------------------------------------------------------------------------- access policies
def test_access_policy_denial_exact_text(admin_kv: Kv, arm: ArmClient, world: World, client: httpx.Client) -> None:
    oid = vm_identity(arm)
    admin_kv("PUT", "/secrets/s", json_body={"value": "x"})
    mi = Kv(client, kv_token(world, oid))
    resp = mi("GET", "/secrets/s")
    assert resp.status_code == 403
    claims = json.loads(base64.urlsafe_b64decode(mi.token.split(".")[1] + "==="))  # type: ignore[union-attr]
    assert resp.json() == {"error": {"code": "Forbidden", "message": (
        f"The user, group or application 'appid={claims['appid']};oid={oid};iss=https://sts.windows.net/"
        f"{world.tenant_id}/' does not have secrets get permission on key vault '{VAULT};location=westus'. For "
        "help resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125287"),
        "innererror": {"code": "AccessDenied"}}}


def test_access_policy_per_permission(admin_kv: Kv, arm: ArmClient, world: World, client: httpx.Client) -> None:
    oid = vm_identity(arm)
    admin_kv("PUT", "/secrets/s", json_body={"value": "x"})
    r = arm.request("PUT", vault_path(arm) + "/accessPolicies/add", api_version="2023-07-01",
                    json={"properties": {"accessPolicies": [policy(world, oid, ["get"])]}})
    assert r.status_code in (200, 201)
    mi = Kv(client, kv_token(world, oid))
    assert mi("GET", "/secrets/s").status_code == 200
    listed = mi("GET", "/secrets")
    assert listed.status_code == 403 and "does not have secrets list permission" in listed.text
    assert "does not have secrets set permission" in mi("PUT", "/secrets/t", json_body={"value": "y"}).text
    arm.request("PUT", vault_path(arm) + "/accessPolicies/remove", api_version="2023-07-01",
                json={"properties": {"accessPolicies": [policy(world, oid, ["get"])]}})
    assert mi("GET", "/secrets/s").status_code == 403


# ------------------------------------------------------------------------------------------------ RBAC
def test_rbac_allow_and_deny(arm: ArmClient, world: World, client: httpx.Client) -> None:
    assert create_vault(arm, rbac=True).status_code == 201
    oid = vm_identity(arm)
    mi = Kv(client, kv_token(world, oid))
    resp = mi("PUT", "/secrets/s", json_body={"value": "x"})
    assert resp.status_code == 403
    claims = json.loads(base64.urlsafe_b64decode(mi.token.split(".")[1] + "==="))  # type: ignore[union-attr]
    vid = vault_path(arm).lower()
    assert resp.json() == {"error": {"code": "Forbidden", "message": (
        "Caller is not authorized to perform action on resource.\r\nIf role assignments, deny assignments or role "
        "definitions were changed recently, please observe propagation time.\r\n"
        f"Caller: appid={claims['appid']};oid={oid};iss=https://sts.windows.net/{world.tenant_id}/\r\n"
        "Action: 'Microsoft.KeyVault/vaults/secrets/setSecret/action'\r\n"
        f"Resource: '{vid}/secrets/s'\r\nAssignment: (not found)\r\nDenyAssignmentId: null\r\n"
        f"DecisionReason: 'DeniedWithNoValidRBAC' \r\nVault: {VAULT};location=westus\r\n"),
        "innererror": {"code": "ForbiddenByRbac"}}}
    assert arm.assign(vault_path(arm), oid, SECRETS_USER).status_code == 201
    assert mi("PUT", "/secrets/s", json_body={"value": "x"}).status_code == 403
    assert arm.assign(vault_path(arm), oid, SECRETS_OFFICER).status_code == 201
    assert mi("PUT", "/secrets/s", json_body={"value": "x"}).status_code == 200
    assert mi("GET", "/secrets/s").json()["value"] == "x"


def test_rbac_owner_has_no_data_actions(arm: ArmClient, world: World, client: httpx.Client) -> None:
    create_vault(arm, rbac=True)
    resp = Kv(client, kv_token(world))("GET", "/secrets")
    assert resp.status_code == 403
    assert "Microsoft.KeyVault/vaults/secrets/readMetadata/action" in resp.json()["error"]["message"]
    assert resp.json()["error"]["innererror"] == {"code": "ForbiddenByRbac"}


# ------------------------------------------------------------------------------------------------- ARM
def test_arm_vault_shape(arm: ArmClient, world: World) -> None:
    resp = create_vault(arm, rbac=False)
    props = resp.json()["properties"]
    assert props["vaultUri"] == f"https://{VAULT}.vault.azure.net/"
    assert props["sku"] == {"family": "A", "name": "standard"}
    assert props["tenantId"] == world.tenant_id
    assert props["enableSoftDelete"] is True and props["softDeleteRetentionInDays"] == 90
    assert props["provisioningState"] == "Succeeded"


def test_arm_vault_name_rules(arm: ArmClient) -> None:
    arm.create_rg(RG)
    bad = arm.request("PUT", vault_path(arm, "a--b"), api_version="2023-07-01", json={"location": "westus"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "VaultNameNotValid"
    assert create_vault(arm, rbac=True).status_code == 201
    arm.create_rg("other")
    dup = arm.request("PUT", vault_path(arm, VAULT.upper(), "other"), api_version="2023-07-01",
                      json={"location": "westus"})
    assert dup.status_code == 409 and dup.json()["error"]["code"] == "VaultAlreadyExists"
    assert "Vault names are globaly unique" in dup.json()["error"]["message"]


def test_arm_access_policy_operations(arm: ArmClient, world: World) -> None:
    create_vault(arm, rbac=False)
    base = vault_path(arm) + "/accessPolicies/"
    oid = world.admin_user.object_id
    arm.request("PUT", base + "add", api_version="2023-07-01",
                json={"properties": {"accessPolicies": [policy(world, oid, ["get"])]}})
    arm.request("PUT", base + "add", api_version="2023-07-01",
                json={"properties": {"accessPolicies": [policy(world, oid, ["list", "GET"])]}})
    got = arm.request("GET", vault_path(arm), api_version="2023-07-01").json()["properties"]["accessPolicies"]
    assert got == [{"tenantId": world.tenant_id, "objectId": oid, "permissions": {"secrets": ["get", "list"]}}]
    bad = arm.request("PUT", base + "add", api_version="2023-07-01",
                      json={"properties": {"accessPolicies": [policy(world, oid, ["read"])]}})
    # the RP's texts (Azure/azure-libraries-for-net issue 361; alexander-kastil/az-204 issue 142)
    assert bad.status_code == 400 and bad.json()["error"] == {
        "code": "BadRequest", "message": "An invalid value was provided for 'accessPolicies'."}
    bad = arm.request("PUT", base + "add", api_version="2023-07-01",
                      json={"properties": {"accessPolicies": [policy(world, "not-a-guid", ["get"])]}})
    assert bad.json()["error"]["message"] == "Invalid value found at accessPolicies[0].ObjectId: not-a-guid"
    assert arm.request("PUT", base + "merge", api_version="2023-07-01",
                       json={"properties": {"accessPolicies": []}}).status_code == 400
    arm.request("PUT", base + "replace", api_version="2023-07-01", json={"properties": {"accessPolicies": []}})
    assert arm.request("GET", vault_path(arm), api_version="2023-07-01").json()["properties"]["accessPolicies"] == []


def test_recreated_vault_starts_empty(arm: ArmClient, world: World, client: httpx.Client) -> None:
    create_vault(arm, rbac=False, policies=[policy(world, world.admin_user.object_id, ["all"])])
    kv = Kv(client, kv_token(world))
    kv("PUT", "/secrets/s", json_body={"value": "x"})
    assert arm.request("DELETE", vault_path(arm), api_version="2023-07-01").status_code == 200
    with pytest.raises(PlaneConnectError):
        kv("GET", "/secrets/s")
    create_vault(arm, rbac=False, policies=[policy(world, world.admin_user.object_id, ["all"])])
    assert kv("GET", "/secrets/s").status_code == 404


# ------------------------------------------------------------------------------------------ real SDK
def test_secret_client_round_trip_in_process(admin_kv: Kv, world: World, client: httpx.Client) -> None:
    """``azure.keyvault.secrets.SecretClient`` over an azure-core transport that calls the in-process planes."""
    sdk = require_module("azure.keyvault.secrets")
    import io

    import requests
    import urllib3
    from azure.core.credentials import AccessToken
    from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
    from azure.core.pipeline.transport import RequestsTransport
    from requests.adapters import BaseAdapter

    seen: list[tuple[str, str]] = []

    class PlaneAdapter(BaseAdapter):  # type: ignore[misc]
        """A requests adapter that answers from the in-process planes."""

        def send(self, request: Any, **kwargs: Any) -> Any:
            seen.append((request.method, request.url))
            body = request.body or b""
            resp = client.request(request.method, request.url, headers=dict(request.headers),
                                  content=body.encode() if isinstance(body, str) else body)
            raw = requests.Response()
            raw.status_code = resp.status_code
            raw.headers.update(resp.headers)
            raw.raw = urllib3.HTTPResponse(body=io.BytesIO(resp.content), headers=dict(resp.headers),
                                           status=resp.status_code, preload_content=False)
            raw.reason = resp.reason_phrase
            raw.url = request.url
            raw.request = request
            return raw

        def close(self) -> None:
            pass

    class Cred:
        def __init__(self, token: str) -> None:
            self.token = token

        def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
            assert scopes == ("https://vault.azure.net/.default",)
            return AccessToken(self.token, 2_000_000_000)

    session = requests.Session()
    session.mount("https://", PlaneAdapter())
    transport = RequestsTransport(session=session, session_owner=False)
    sc = sdk.SecretClient(KV, Cred(kv_token(world)), transport=transport)
    assert sc.set_secret("alpha", "value-1", tags={"env": "test"}).value == "value-1"
    assert sc.get_secret("alpha").value == "value-1"
    assert [p.name for p in sc.list_properties_of_secrets()] == ["alpha"]
    with pytest.raises(ResourceNotFoundError):
        sc.get_secret("missing")
    assert seen[0][0] == "PUT" and seen[1][0] == "PUT"  # the bodiless challenge, then the real call
    with pytest.raises(HttpResponseError):
        sc.set_secret("bad_name", "x")
