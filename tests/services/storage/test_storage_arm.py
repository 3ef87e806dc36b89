"""Microsoft.Storage/storageAccounts through ARM (in-process): the account, its keys, its SAS-making actions,
each behind its real RBAC action."""

from __future__ import annotations

import base64
import json
import re
from urllib.parse import parse_qs

import httpx

from azshell.clock import FixedClock
from tests.conftest import ArmClient

from ._helpers import (
    ACCOUNT,
    ACCOUNT_CONTRIBUTOR,
    KEY_OPERATOR,
    READER,
    RG,
    Blob,
    account_path,
    create_account,
    error_code,
    list_keys,
)


def vm_principal(arm: ArmClient, vm: str = "vm1") -> str:
    arm.create_rg(RG)
    return str(arm.create_vm(RG, vm, identity={"type": "SystemAssigned"}).json()["identity"]["principalId"])


def test_create_returns_endpoints_and_defaults(arm: ArmClient) -> None:
    resp = create_account(arm)
    assert resp.status_code == 200, resp.text
    doc = resp.json()
    assert doc["type"] == "Microsoft.Storage/storageAccounts" and doc["kind"] == "StorageV2"
    assert doc["sku"] == {"name": "Standard_LRS", "tier": "Standard"}
    props = doc["properties"]
    assert props["primaryEndpoints"]["blob"] == "https://mystorage.blob.core.windows.net/"
    assert props["primaryEndpoints"]["dfs"] == "https://mystorage.dfs.core.windows.net/"
    assert set(props["primaryEndpoints"]) == {"dfs", "web", "blob", "queue", "table", "file"}
    assert props["provisioningState"] == "Succeeded" and props["statusOfPrimary"] == "available"
    assert props["primaryLocation"] == "westus"
    assert "key1" in props["keyCreationTime"]
    got = arm.request("GET", account_path(arm), api_version="2023-01-01").json()
    assert got["properties"]["primaryEndpoints"] == props["primaryEndpoints"]
    listed = arm.request("GET", f"{arm.rg_path(RG)}/providers/Microsoft.Storage/storageAccounts",
                         api_version="2023-01-01").json()["value"]
    assert [a["name"] for a in listed] == [ACCOUNT]


def test_name_rules(arm: ArmClient) -> None:
    bad = create_account(arm, "Bad_Name")
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "AccountNameInvalid"
    assert bad.json()["error"]["message"].startswith("Bad_Name is not a valid storage account name.")
    assert create_account(arm).status_code == 200
    arm.create_rg("other")
    taken = arm.request("PUT", f"{arm.rg_path('other')}/providers/Microsoft.Storage/storageAccounts/{ACCOUNT}",
                        api_version="2023-01-01", json={"location": "westus", "sku": {"name": "Standard_LRS"}})
    assert taken.status_code == 409
    assert taken.json()["error"] == {"code": "StorageAccountAlreadyTaken",
                                     "message": "The storage account named mystorage is already taken."}
    check = arm.request("POST", f"/subscriptions/{arm.sub}/providers/Microsoft.Storage/checkNameAvailability",
                        api_version="2023-01-01", json={"name": ACCOUNT, "type": "Microsoft.Storage/storageAccounts"})
    assert check.json()["nameAvailable"] is False and check.json()["reason"] == "AlreadyExists"


def test_list_keys_shapes_by_version_and_trailing_slash(arm: ArmClient) -> None:
    create_account(arm)
    old = arm.request("POST", account_path(arm) + "/listKeys/", api_version="2016-12-01", content=b"")
    assert old.status_code == 200, old.text
    keys = old.json()["keys"]
    assert [(k["keyName"], k["permissions"], sorted(k)) for k in keys] == [
        ("key1", "Full", ["keyName", "permissions", "value"]), ("key2", "Full", ["keyName", "permissions", "value"])]
    for k in keys:
        assert len(base64.b64decode(k["value"], validate=True)) == 64
    assert keys[0]["value"] != keys[1]["value"]
    new = arm.request("POST", account_path(arm) + "/listKeys", api_version="2023-01-01").json()["keys"]
    assert [k["value"] for k in new] == [k["value"] for k in keys]
    assert new[0]["permissions"] == "FULL" and re.match(r"^\d{4}-\d\d-\d\dT", new[0]["creationTime"])
    assert arm.request("GET", account_path(arm) + "/listKeys", api_version="2023-01-01").status_code == 405


def test_reader_cannot_list_keys_key_operator_can(arm: ArmClient) -> None:
    create_account(arm)
    oid = vm_principal(arm)
    token = arm.token_for(oid)
    scope = account_path(arm)
    assert arm.assign(scope, oid, READER).status_code == 201
    denied = arm.request("POST", scope + "/listKeys", api_version="2016-12-01", token=token)
    assert denied.status_code == 403
    err = denied.json()["error"]
    assert err["code"] == "AuthorizationFailed"
    assert "'Microsoft.Storage/storageAccounts/listkeys/action'" in err["message"]
    decision = denied.extensions["azshell.decision"]
    assert decision.allowed is False and decision.action == "Microsoft.Storage/storageAccounts/listkeys/action"
    assert arm.assign(scope, oid, KEY_OPERATOR).status_code == 201
    ok = arm.request("POST", scope + "/listKeys", api_version="2016-12-01", token=token)
    assert ok.status_code == 200 and len(ok.json()["keys"]) == 2
    # the key operator may not make SAS tokens
    sas = arm.request("POST", scope + "/listServiceSas", api_version="2017-06-01", token=token, json={})
    assert sas.status_code == 403 and "listServiceSas/action" in sas.json()["error"]["message"]


def test_regenerate_key(arm: ArmClient, client: httpx.Client) -> None:
    create_account(arm)
    before = list_keys(arm)
    blob = Blob(client, before[0])
    assert blob("PUT", "/cont1?restype=container").status_code == 201
    resp = arm.request("POST", account_path(arm) + "/regenerateKey", api_version="2023-01-01",
                       json={"keyName": "key1"})
    assert resp.status_code == 200
    after = [k["value"] for k in resp.json()["keys"]]
    assert after[0] != before[0] and after[1] == before[1]
    refused = blob("GET", "/cont1?restype=container")
    assert refused.status_code == 403 and error_code(refused) == "AuthenticationFailed"
    assert Blob(client, after[0])("GET", "/cont1?restype=container").status_code == 200
    bad = arm.request("POST", account_path(arm) + "/regenerateKey", api_version="2023-01-01",
                      json={"keyName": "key3"})
    assert bad.status_code == 400


def test_list_service_sas_as_the_tutorial_sends_it(arm: ArmClient, client: httpx.Client, clock: FixedClock) -> None:
    """The 2017 SAS tutorial: ConvertTo-Json body, sent by Invoke-WebRequest as form-urlencoded, with the slash."""
    create_account(arm)
    oid = vm_principal(arm)
    assert arm.assign(f"{arm.rg_path(RG)}", oid, ACCOUNT_CONTRIBUTOR).status_code == 201
    token = arm.token_for(oid)
    keys = list_keys(arm)
    assert Blob(client, keys[0])("PUT", "/mycontainer?restype=container").status_code == 201
    body = json.dumps({"canonicalizedResource": f"/blob/{ACCOUNT}/mycontainer", "signedResource": "c",
                       "signedPermission": "rcw", "signedProtocol": "https", "signedExpiry": "2023-11-15T00:00:00Z"},
                      indent=4)
    resp = arm.request("POST", account_path(arm) + "/listServiceSas/", api_version="2017-06-01", token=token,
                       content=body.encode(), headers={"Authorization": f"Bearer {token}",
                                                       "Content-Type": "application/x-www-form-urlencoded"})
    assert resp.status_code == 200, resp.text
    sas = resp.json()["serviceSasToken"]
    assert re.match(r"^sv=2015-04-05&sr=c&spr=https&se=2023-11-15T00%3A00%3A00Z&sp=rcw&sig=[A-Za-z0-9%]+$", sas), sas
    url = f"https://{ACCOUNT}.blob.core.windows.net/mycontainer/testblob?{sas}"
    put = client.put(url, headers={"x-ms-blob-type": "BlockBlob"}, content=b"This is a test text file.")
    assert put.status_code == 201, put.text
    assert client.get(url).content == b"This is a test text file."
    listing = client.get(f"https://{ACCOUNT}.blob.core.windows.net/mycontainer?restype=container&comp=list&{sas}")
    assert listing.status_code == 403 and error_code(listing) == "AuthorizationPermissionMismatch"
    clock.advance(86400)
    expired = client.get(url)
    assert expired.status_code == 403 and error_code(expired) == "AuthenticationFailed"
    assert "Signature not valid in the specified time frame: Start [] - Expiry [Wed, 15 Nov 2023 00:00:00 GMT]" \
        in expired.text
    # a canonicalized resource of another account is refused
    other = arm.request("POST", account_path(arm) + "/listServiceSas", api_version="2017-06-01", token=token,
                        json={"canonicalizedResource": "/blob/someoneelse/c", "signedResource": "c",
                              "signedPermission": "r", "signedExpiry": "2030-01-01T00:00:00Z"})
    assert other.status_code == 400


def test_list_account_sas(arm: ArmClient, client: httpx.Client) -> None:
    create_account(arm)
    resp = arm.request("POST", account_path(arm) + "/listAccountSas", api_version="2023-01-01",
                       json={"signedServices": "b", "signedResourceTypes": "sco", "signedPermission": "rwlc",
                             "signedExpiry": "2030-01-01T00:00:00Z", "signedProtocol": "https"})
    assert resp.status_code == 200, resp.text
    sas = resp.json()["accountSasToken"]
    q = parse_qs(sas)
    assert q["ss"] == ["b"] and q["srt"] == ["sco"] and q["sv"] == ["2015-04-05"]
    made = client.put(f"https://{ACCOUNT}.blob.core.windows.net/viasas?restype=container&{sas}")
    assert made.status_code == 201, made.text
    listing = client.get(f"https://{ACCOUNT}.blob.core.windows.net/?comp=list&{sas}")
    assert listing.status_code == 200 and "<Name>viasas</Name>" in listing.text
    bad = arm.request("POST", account_path(arm) + "/listAccountSas", api_version="2023-01-01",
                      json={"signedServices": "z", "signedResourceTypes": "sco", "signedPermission": "r",
                            "signedExpiry": "2030-01-01T00:00:00Z"})
    assert bad.status_code == 400 and "signedServices" in bad.json()["error"]["message"]


def test_deleted_account_name_starts_over(arm: ArmClient, client: httpx.Client) -> None:
    create_account(arm)
    old = list_keys(arm)
    Blob(client, old[0])("PUT", "/keep?restype=container")
    assert arm.request("DELETE", account_path(arm), api_version="2023-01-01").status_code == 200
    assert create_account(arm).status_code == 200
    new = list_keys(arm)
    assert set(new).isdisjoint(old)
    assert Blob(client, new[0])("GET", "/keep?restype=container").status_code == 404
