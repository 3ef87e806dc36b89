"""ARM's own lists on the wire: ``$filter`` (the subset Microsoft.Resources documents), ``$top`` pages with a
``nextLink``/``$skiptoken``, and ARM's 400 for a filter it does not support (issue 15)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import httpx
import pytest

from azshell.world import World
from tests.conftest import ArmClient

RES_API = "2025-04-01"
BAD_FILTER = "InvalidFilterInQueryString"


@pytest.fixture
def seeded(arm: ArmClient, world: World) -> ArmClient:
    """rg-a (tag env=prod): vm-one (SystemAssigned), kv-demo-a (vault, tag team=blue), uai-a; rg-b: vm-two."""
    assert arm.request("PUT", arm.rg_path("rg-a"), api_version=RES_API,
                       json={"location": "westus", "tags": {"env": "prod"}}).status_code == 201
    assert arm.request("PUT", arm.rg_path("rg-b"), api_version=RES_API, json={"location": "eastus"}).status_code == 201
    assert arm.create_vm("rg-a", "vm-one", identity={"type": "SystemAssigned"}).status_code == 201
    assert arm.request("PUT", arm.vm_path("rg-b", "vm-two"), api_version="2026-04-01",
                       json={"location": "eastus"}).status_code == 201
    vault = {"location": "westus", "tags": {"team": "blue"},
             "properties": {"tenantId": world.tenant_id, "sku": {"family": "A", "name": "standard"}}}
    assert arm.request("PUT", arm.rg_path("rg-a") + "/providers/Microsoft.KeyVault/vaults/kv-demo-a",
                       api_version="2026-05-15", json=vault).status_code == 201
    assert arm.request("PUT", arm.rg_path("rg-a") + "/providers/Microsoft.ManagedIdentity/userAssignedIdentities/"
                       "uai-a", api_version="2024-11-30", json={"location": "westus"}).status_code == 201
    return arm


def _list(arm: ArmClient, path: str, **query: str) -> httpx.Response:
    return arm.client.get(f"https://management.azure.com{path}", headers=arm.headers(),
                          params={"api-version": RES_API, **query})


def _names(r: httpx.Response) -> list[str]:
    assert r.status_code == 200, r.text
    return sorted(str(v["name"]) for v in r.json()["value"])


def _sub_resources(arm: ArmClient) -> str:
    return f"/subscriptions/{arm.sub}/resources"


# ---------------------------------------------------------------------------------------------------- $filter
@pytest.mark.parametrize(("flt", "names"), [
    ("resourceType eq 'Microsoft.KeyVault/vaults'", ["kv-demo-a"]),
    ("resourcetype EQ 'microsoft.compute/VIRTUALMACHINES'", ["vm-one", "vm-two"]),
    ("resourceType ne 'Microsoft.Compute/virtualMachines'", ["kv-demo-a", "uai-a"]),
    ("name eq 'VM-ONE'", ["vm-one"]),
    ("substringof('demo', name)", ["kv-demo-a"]),
    ("substringof('vm', name) and resourceGroup eq 'rg-b'", ["vm-two"]),
    ("substringof('-a', name) or substringof('two', name)", ["kv-demo-a", "uai-a", "vm-two"]),
    ("substringof('rg-b', resourceGroup)", ["vm-two"]),
    ("location eq 'eastus'", ["vm-two"]),
    ("location eq 'West US' and (resourceType eq 'Microsoft.KeyVault/vaults' or name eq 'uai-a')",
     ["kv-demo-a", "uai-a"]),
    ("tagName eq 'team'", ["kv-demo-a"]),
    ("tagName eq 'team' and tagValue eq 'blue'", ["kv-demo-a"]),
    ("tagName eq 'team' and tagValue eq 'Blue'", []),  # tag values are case-sensitive
    ("startswith(tagName, 'te')", ["kv-demo-a"]),
    ("resourceType eq 'Microsoft.Web/sites'", []),
])
def test_filter_on_subscription_resources(seeded: ArmClient, flt: str, names: list[str]) -> None:
    assert _names(_list(seeded, _sub_resources(seeded), **{"$filter": flt})) == names


def test_filter_on_group_resources_and_identity(seeded: ArmClient, world: World) -> None:
    path = seeded.rg_path("rg-a") + "/resources"
    assert _names(_list(seeded, path, **{"$filter": "resourceType eq 'Microsoft.Compute/virtualMachines'"})) == [
        "vm-one"]
    vm = world.store.get_resource(seeded.vm_path("rg-a", "vm-one"))
    assert vm is not None and vm.identity is not None
    flt = f"identity/principalId eq '{vm.identity.principal_id}'"
    assert _names(_list(seeded, path, **{"$filter": flt})) == ["vm-one"]


def test_tag_filter_leaves_tags_out(seeded: ArmClient) -> None:
    everything = _list(seeded, _sub_resources(seeded)).json()["value"]
    assert next(v for v in everything if v["name"] == "kv-demo-a")["tags"] == {"team": "blue"}
    by_tag = _list(seeded, _sub_resources(seeded), **{"$filter": "tagName eq 'team'"}).json()["value"]
    assert by_tag and all("tags" not in v for v in by_tag)


def test_keyvault_sdk_vaults_list_request(seeded: ArmClient) -> None:
    """What ``KeyVaultManagementClient.vaults.list()`` sends: /resources at 2015-11-01 filtered by type, $top."""
    r = seeded.client.get(f"https://management.azure.com{_sub_resources(seeded)}", headers=seeded.headers(),
                          params={"$filter": "resourceType eq 'Microsoft.KeyVault/vaults'", "$top": "25",
                                  "api-version": "2015-11-01"})
    assert r.status_code == 200
    assert r.json() == {"value": [{
        "id": seeded.rg_path("rg-a") + "/providers/Microsoft.KeyVault/vaults/kv-demo-a", "name": "kv-demo-a",
        "type": "Microsoft.KeyVault/vaults", "location": "westus", "tags": {"team": "blue"}}]}


@pytest.mark.parametrize("flt", [
    "gibberish",
    "name eq",
    "name eq 'x' and",
    "size eq '3'",
    "name gt 'a'",
    "substringof('a', location)",
    "startswith(name, 'a')",
    "tagValue eq 'blue'",
    "tagName ne 'x'",
    "(name eq 'a'",
    "name eq 'unterminated",
    "$filter=resourceType eq 'Microsoft.Compute/virtualMachines'",
])
def test_bad_filter_is_arms_400(seeded: ArmClient, flt: str) -> None:
    for path in (_sub_resources(seeded), seeded.rg_path("rg-a") + "/resources"):
        r = _list(seeded, path, **{"$filter": flt})
        assert r.status_code == 400, (flt, r.text)
        assert r.json() == {"error": {"code": BAD_FILTER,
                                      "message": f"Invalid $filter '{flt}' specified in the query string."}}


def test_resource_groups_filter_by_tag_only(seeded: ArmClient) -> None:
    path = f"/subscriptions/{seeded.sub}/resourcegroups"
    assert _names(_list(seeded, path, **{"$filter": "tagName eq 'env' and tagValue eq 'prod'"})) == ["rg-a"]
    assert _names(_list(seeded, path, **{"$filter": "tagname eq 'ENV'"})) == ["rg-a"]
    assert _names(_list(seeded, path, **{"$filter": "tagName eq 'env' and tagValue eq 'dev'"})) == []
    r = _list(seeded, path, **{"$filter": "name eq 'rg-a'"})  # SEEN refused (Azure/azure-sdk-for-go#2480)
    assert r.status_code == 400 and r.json()["error"] == {
        "code": BAD_FILTER, "message": "Invalid $filter 'name eq 'rg-a'' specified in the query string."}


# ---------------------------------------------------------------------------------------------- $top, nextLink
def _follow(arm: ArmClient, first: httpx.Response) -> list[list[str]]:
    pages = []
    r = first
    for _ in range(10):
        assert r.status_code == 200, r.text
        pages.append([str(v["name"]) for v in r.json()["value"]])
        link = r.json().get("nextLink")
        if not link:
            return pages
        assert link.startswith("https://management.azure.com/")
        r = arm.client.get(link, headers=arm.headers())
    raise AssertionError("too many pages")


def test_top_pages_with_next_link(seeded: ArmClient) -> None:
    first = _list(seeded, _sub_resources(seeded), **{"$top": "2"})
    link = first.json()["nextLink"]
    query = parse_qs(urlsplit(link).query)
    assert query["$top"] == ["2"] and query["api-version"] == [RES_API] and query["$skiptoken"]
    pages = _follow(seeded, first)
    assert [len(p) for p in pages] == [2, 2]
    assert sorted(sum(pages, [])) == ["kv-demo-a", "uai-a", "vm-one", "vm-two"]


def test_top_keeps_the_filter_in_the_next_link(seeded: ArmClient) -> None:
    first = _list(seeded, _sub_resources(seeded),
                  **{"$filter": "resourceType eq 'Microsoft.Compute/virtualMachines'", "$top": "1"})
    pages = _follow(seeded, first)
    assert len(pages) == 2 and sorted(sum(pages, [])) == ["vm-one", "vm-two"]


def test_top_on_resource_groups_and_provider_lists(seeded: ArmClient) -> None:
    groups = _follow(seeded, _list(seeded, f"/subscriptions/{seeded.sub}/resourcegroups", **{"$top": "1"}))
    assert [len(p) for p in groups] == [1, 1] and sorted(sum(groups, [])) == ["rg-a", "rg-b"]
    vms = seeded.client.get(f"https://management.azure.com/subscriptions/{seeded.sub}/providers/"
                            "Microsoft.Compute/virtualMachines", headers=seeded.headers(),
                            params={"api-version": "2026-04-01", "$top": "1"})
    assert [len(p) for p in _follow(seeded, vms)] == [1, 1]


def test_top_larger_than_the_list_has_no_next_link(seeded: ArmClient) -> None:
    r = _list(seeded, _sub_resources(seeded), **{"$top": "100"})
    assert len(r.json()["value"]) == 4 and "nextLink" not in r.json()


@pytest.mark.parametrize("top", ["0", "-1", "abc", "1.5", "1001"])
def test_bad_top(seeded: ArmClient, top: str) -> None:
    r = _list(seeded, _sub_resources(seeded), **{"$top": top})
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "InvalidTopInQueryString"


def test_forged_skip_token(seeded: ArmClient) -> None:
    r = _list(seeded, _sub_resources(seeded), **{"$top": "1", "$skiptoken": "not-a-token"})
    assert r.status_code == 400 and r.json()["error"]["code"] == "InvalidSkipToken"
