"""Wire tests of the App Service identity endpoint (localhost:4141/MSI/token), the Microsoft.Web ARM hooks, and
user-assigned identity selection on every token endpoint (IMDS, the 2017 extension, App Service)."""

from __future__ import annotations

import datetime
from typing import Any

import httpx
import jwt
import pytest

from azshell.model import hosts as host_store
from azshell.planes.base import CallerContext
from azshell.services.identity import plane_appservice as appservice
from azshell.world import World
from tests.conftest import ArmClient

API = "2022-09-01"
RG = "rg1"
VAULT = "https://vault.azure.net"
ENDPOINT = "http://localhost:4141/MSI/token"
IMDS = "http://169.254.169.254/metadata/identity/oauth2/token"


class App:
    """ARM set-up helpers plus calls to the token endpoint from a host."""

    def __init__(self, client: httpx.Client, world: World, token: str, caller: list[CallerContext]) -> None:
        self.arm = ArmClient(client, world, token)
        self.client = client
        self.world = world
        self.caller = caller
        assert self.arm.create_rg(RG).status_code in (200, 201)

    def path(self, rtype: str, name: str) -> str:
        return f"{self.arm.rg_path(RG)}/providers/{rtype}/{name}"

    def plan(self, name: str = "plan1") -> str:
        r = self.arm.request("PUT", self.path("Microsoft.Web/serverfarms", name), api_version=API,
                             json={"location": "westus", "sku": {"name": "F1", "tier": "Free"}})
        assert r.status_code in (200, 201), r.text
        return str(r.json()["id"])

    def uai(self, name: str) -> dict[str, Any]:
        r = self.arm.request("PUT", self.path("Microsoft.ManagedIdentity/userAssignedIdentities", name),
                             api_version="2023-01-31", json={"location": "westus"})
        assert r.status_code in (200, 201), r.text
        return dict(r.json())

    def site(self, name: str = "app1", identity: dict[str, Any] | None = None, kind: str = "app",
             method: str = "PUT") -> httpx.Response:
        body: dict[str, Any] = {"location": "westus", "kind": kind, "properties": {"serverFarmId": self.plan()}}
        if identity is not None:
            body["identity"] = identity
        if method == "PATCH":
            body = {"identity": identity}
        return self.arm.request(method, self.path("Microsoft.Web/sites", name), api_version=API, json=body)

    def env(self, site_id: str) -> dict[str, str]:
        return appservice.host_environment(self.world, site_id)

    def token(self, site_id: str | None, params: dict[str, str], headers: dict[str, str] | None = None,
              method: str = "GET", url: str = ENDPOINT) -> httpx.Response:
        self.caller[0] = CallerContext(host_id=site_id)
        try:
            return self.client.request(method, url, params=params, headers=headers or {})
        finally:
            self.caller[0] = CallerContext()

    def v2019(self, site_id: str, **selectors: str) -> httpx.Response:
        params = {"resource": VAULT, "api-version": "2019-08-01", **selectors}
        return self.token(site_id, params, {"X-IDENTITY-HEADER": self.env(site_id)["IDENTITY_HEADER"]})

    def v2017(self, site_id: str, **selectors: str) -> httpx.Response:
        params = {"resource": VAULT, "api-version": "2017-09-01", **selectors}
        return self.token(site_id, params, {"Secret": self.env(site_id)["MSI_SECRET"]})


@pytest.fixture
def app(client: httpx.Client, world: World, admin_token: str, caller: list[CallerContext]) -> App:
    return App(client, world, admin_token, caller)


def claims(resp: httpx.Response) -> dict[str, Any]:
    return dict(jwt.decode(resp.json()["access_token"], options={"verify_signature": False}))


def system_site(app: App, name: str = "app1") -> dict[str, Any]:
    r = app.site(name, {"type": "SystemAssigned"})
    assert r.status_code == 201, r.text
    return dict(r.json())


# ----------------------------------------------------------------------------------------------- ARM hooks
def test_site_json_has_app_service_properties(app: App) -> None:
    site = system_site(app)
    props = site["properties"]
    assert site["kind"] == "app"
    assert props["defaultHostName"] == "app1.azurewebsites.net"
    assert props["hostNames"] == ["app1.azurewebsites.net"]
    assert "app1.scm.azurewebsites.net" in props["enabledHostNames"]
    assert props["state"] == "Running" and props["serverFarmId"].endswith("/serverfarms/plan1")
    assert isinstance(props["siteConfig"], dict)
    assert site["identity"]["type"] == "SystemAssigned" and site["identity"]["principalId"]


def test_plan_json_counts_sites(app: App) -> None:
    system_site(app)
    r = app.arm.request("GET", app.path("Microsoft.Web/serverfarms", "plan1"), api_version=API)
    assert r.json()["sku"]["tier"] == "Free" and r.json()["properties"]["numberOfSites"] == 1


def test_site_names_are_global(app: App) -> None:
    system_site(app)
    app.arm.create_rg("rg2")
    path = f"{app.arm.rg_path('rg2')}/providers/Microsoft.Web/sites/APP1"
    r = app.arm.request("PUT", path, api_version=API, json={"location": "westus"})
    assert r.status_code == 409 and r.json()["error"]["message"] == "Website with given name APP1 already exists."


def test_unknown_plan_is_404(app: App) -> None:
    r = app.arm.request("PUT", app.path("Microsoft.Web/sites", "x1"), api_version=API, json={
        "location": "westus", "properties": {"serverFarmId": app.path("Microsoft.Web/serverfarms", "nope")}})
    assert r.status_code == 404 and r.json()["error"]["message"] == "Cannot find ServerFarm with name nope."


def test_patch_adds_and_removes_identities_on_sites(app: App) -> None:
    site = system_site(app)
    uai = app.uai("id1")
    r = app.site("app1", {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai["id"]: {}}},
                 method="PATCH")
    assert r.status_code == 200, r.text
    ident = r.json()["identity"]
    assert ident["principalId"] == site["identity"]["principalId"]
    assert ident["userAssignedIdentities"][uai["id"]]["clientId"] == uai["properties"]["clientId"]
    r = app.site("app1", {"type": "None"}, method="PATCH")
    assert "identity" not in r.json()


# ------------------------------------------------------------------------------------------- environment
def test_environment_of_an_app_with_identity(app: App) -> None:
    site = system_site(app)
    env = app.env(site["id"])
    assert env["IDENTITY_ENDPOINT"] == env["MSI_ENDPOINT"] == ENDPOINT
    assert env["IDENTITY_HEADER"] == env["MSI_SECRET"] and len(env["IDENTITY_HEADER"]) == 36
    assert env["WEBSITE_SITE_NAME"] == "app1" and env["WEBSITE_HOSTNAME"] == "app1.azurewebsites.net"


def test_no_identity_no_identity_variables(app: App) -> None:
    r = app.site("app1")
    env = app.env(r.json()["id"])
    assert "IDENTITY_ENDPOINT" not in env and "MSI_SECRET" not in env and env["WEBSITE_SITE_NAME"] == "app1"


def test_header_is_stable_until_the_identity_changes(app: App) -> None:
    site = system_site(app)
    first = app.env(site["id"])["IDENTITY_HEADER"]
    assert app.env(site["id"])["IDENTITY_HEADER"] == first
    uai = app.uai("id1")
    app.site("app1", {"type": "SystemAssigned, UserAssigned", "userAssignedIdentities": {uai["id"]: {}}},
             method="PATCH")
    second = app.env(site["id"])["IDENTITY_HEADER"]
    assert second != first
    stored = host_store.get_identity_header(app.world.store, site["id"])
    assert stored is not None and stored.header == second


def test_rotated_header_invalidates_the_old_one(app: App) -> None:
    site = system_site(app)
    old = app.env(site["id"])["IDENTITY_HEADER"]
    res = app.world.store.get_resource(site["id"])
    assert res is not None
    host_store.rotate_identity_header(app.world.store, site["id"], res.identity)
    r = app.token(site["id"], {"resource": VAULT, "api-version": "2019-08-01"}, {"X-IDENTITY-HEADER": old})
    assert r.status_code == 401


# ---------------------------------------------------------------------------------------- 2019-08-01
def test_2019_system_assigned_success_body(app: App) -> None:
    site = system_site(app)
    r = app.v2019(site["id"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["access_token", "expires_on", "resource", "token_type", "client_id", "not_before"]
    assert body["resource"] == VAULT and body["token_type"] == "Bearer"
    assert isinstance(body["expires_on"], str) and body["expires_on"].isdigit()
    c = claims(r)
    assert c["oid"] == site["identity"]["principalId"] and c["appid"] == body["client_id"]
    assert c["aud"] == VAULT and c["xms_mirid"].lower() == site["id"].lower()
    assert int(body["expires_on"]) == c["exp"]


def test_2019_header_name_is_case_insensitive_and_metadata_is_ignored(app: App) -> None:
    site = system_site(app)
    header = app.env(site["id"])["IDENTITY_HEADER"]
    r = app.token(site["id"], {"resource": VAULT, "api-version": "2019-08-01"},
                  {"x-identity-header": header, "Metadata": "true"})
    assert r.status_code == 200


@pytest.fixture
def uai_site(app: App) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    id1, id2 = app.uai("id1"), app.uai("id2")
    r = app.site("app1", {"type": "SystemAssigned, UserAssigned",
                          "userAssignedIdentities": {id1["id"]: {}, id2["id"]: {}}})
    assert r.status_code == 201, r.text
    return dict(r.json()), id1, id2


@pytest.mark.parametrize("selector", ["client_id", "principal_id", "object_id", "mi_res_id"])
def test_2019_each_selector_picks_the_user_assigned_identity(
        app: App, uai_site: tuple[dict[str, Any], dict[str, Any], dict[str, Any]], selector: str) -> None:
    site, _id1, id2 = uai_site
    value = {"client_id": id2["properties"]["clientId"], "principal_id": id2["properties"]["principalId"],
             "object_id": id2["properties"]["principalId"], "mi_res_id": id2["id"]}[selector]
    r = app.v2019(site["id"], **{selector: value})
    assert r.status_code == 200, r.text
    assert claims(r)["oid"] == id2["properties"]["principalId"]
    assert r.json()["client_id"] == id2["properties"]["clientId"]
    assert claims(r)["xms_mirid"].lower() == id2["id"].lower()


def test_2019_no_selector_is_the_system_identity(
        app: App, uai_site: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    site, _, _ = uai_site
    assert claims(app.v2019(site["id"]))["oid"] == site["identity"]["principalId"]


def test_2019_selectors_are_mutually_exclusive(
        app: App, uai_site: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    site, id1, _ = uai_site
    r = app.v2019(site["id"], client_id=id1["properties"]["clientId"], mi_res_id=id1["id"])
    assert r.status_code == 400
    assert r.json()["message"] == appservice.SELECTORS_CONFLICT and r.json()["statusCode"] == 400


def test_2019_identity_not_attached(app: App,
                                    uai_site: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    site, _, _ = uai_site
    other = app.uai("other")
    r = app.v2019(site["id"], client_id=other["properties"]["clientId"])
    assert r.status_code == 400
    body = r.json()
    assert body["message"] == "No MSI found for specified ClientId/ResourceId."
    assert set(body) == {"statusCode", "message", "correlationId"}


def test_2019_only_user_assigned_and_no_selector(app: App) -> None:
    uai = app.uai("id1")
    r = app.site("app1", {"type": "UserAssigned", "userAssignedIdentities": {uai["id"]: {}}})
    resp = app.v2019(r.json()["id"])
    assert resp.status_code == 400 and resp.json()["message"] == "Unable to load the proper Managed Identity."


def test_2019_missing_and_wrong_header(app: App) -> None:
    site = system_site(app)
    params = {"resource": VAULT, "api-version": "2019-08-01"}
    r = app.token(site["id"], params)
    assert r.status_code == 400 and r.json()["message"] == "The request is missing the 'X-IDENTITY-HEADER' header."
    r = app.token(site["id"], params, {"X-IDENTITY-HEADER": "nope"})
    assert r.status_code == 401 and "X-IDENTITY-HEADER" in r.json()["message"]
    # the 2017 header does not count for 2019-08-01
    r = app.token(site["id"], params, {"Secret": app.env(site["id"])["MSI_SECRET"]})
    assert r.status_code == 400


def test_api_version_missing_and_unsupported(app: App) -> None:
    site = system_site(app)
    header = {"X-IDENTITY-HEADER": app.env(site["id"])["IDENTITY_HEADER"]}
    r = app.token(site["id"], {"resource": VAULT}, header)
    # ASP.NET API Versioning's shape (App Service's UnsupportedApiVersion is SEEN: MicrosoftDocs/azure-docs #53726)
    assert r.status_code == 400 and r.json() == {"error": {"code": "ApiVersionUnspecified", "message": (
        "An API version is required, but was not specified."), "innerError": None}}
    r = app.token(site["id"], {"resource": VAULT, "api-version": "2018-02-01"}, header)
    err = r.json()["error"]
    assert r.status_code == 400 and err["code"] == "UnsupportedApiVersion" and err["innerError"] is None
    assert err["message"].startswith("The HTTP resource that matches the request URI 'http://")
    assert err["message"].endswith("api-version=2018-02-01' does not support the API version '2018-02-01'.")
    assert "/msi/token?resource=" + VAULT in err["message"].lower()


def test_resource_missing_and_unknown(app: App) -> None:
    site = system_site(app)
    header = {"X-IDENTITY-HEADER": app.env(site["id"])["IDENTITY_HEADER"]}
    r = app.token(site["id"], {"api-version": "2019-08-01"}, header)
    assert r.status_code == 400 and r.json()["message"] == appservice.RESOURCE_MISSING
    r = app.token(site["id"], {"api-version": "2019-08-01", "resource": "https://nope.example.com"}, header)
    # App Service's own answer (issue 14's capture, "occured" sic); the AADSTS detail rides on the decision
    assert r.status_code == 500
    body = r.json()
    assert list(body) == ["statusCode", "message", "correlationId"]
    assert body["statusCode"] == 500 and body["message"] == "An unexpected error occured while fetching the AAD Token."
    assert r.headers["Server"] == "Kestrel" and r.headers["X-CORRELATION-ID"] == body["correlationId"]
    decision = r.extensions["azshell.decision"]
    assert decision.token is not None and decision.token.reason.startswith("AADSTS500011")


def test_method_and_path(app: App) -> None:
    site = system_site(app)
    header = {"X-IDENTITY-HEADER": app.env(site["id"])["IDENTITY_HEADER"]}
    params = {"resource": VAULT, "api-version": "2019-08-01"}
    assert app.token(site["id"], params, header, method="POST").status_code == 405
    assert app.token(site["id"], params, header, url="http://localhost:4141/other").status_code == 404
    # the Node/C# samples call "$MSI_ENDPOINT/?resource=..." (trailing slash)
    assert app.token(site["id"], params, header, url=ENDPOINT + "/").status_code == 200
    assert app.token(site["id"], params, header, url="http://127.0.0.1:4141/MSI/token").status_code == 200


# ---------------------------------------------------------------------------------------- 2017-09-01
def test_2017_success_body_with_date_string(app: App) -> None:
    site = system_site(app)
    r = app.v2017(site["id"])
    assert r.status_code == 200, r.text
    body = r.json()
    assert list(body) == ["access_token", "expires_on", "resource", "token_type"]
    exp = claims(r)["exp"]
    expected = datetime.datetime.fromtimestamp(exp, tz=datetime.UTC)
    parsed = datetime.datetime.strptime(body["expires_on"].replace(" +00:00", ""), "%m/%d/%Y %I:%M:%S %p")
    assert parsed.replace(tzinfo=datetime.UTC) == expected
    assert body["expires_on"].endswith((" AM +00:00", " PM +00:00"))
    # .NET's "M/d/yyyy h:mm:ss tt": no zero padding (issue 14: "1/16/2020 5:24:12 AM +00:00")
    month, day, rest = body["expires_on"].split("/", 2)
    assert month == str(expected.month) and day == str(expected.day)
    assert rest.split(" ")[1].split(":")[0] == str(expected.hour % 12 or 12)
    assert r.headers["Server"] == "Kestrel" and r.headers["X-CORRELATION-ID"]


def test_2017_expires_on_is_not_zero_padded() -> None:
    import calendar

    epoch = calendar.timegm((2020, 1, 16, 5, 24, 12))
    assert appservice._expires_on_text(epoch, linux=False) == "1/16/2020 5:24:12 AM +00:00"
    assert appservice._expires_on_text(epoch + 12 * 3600, linux=False) == "1/16/2020 5:24:12 PM +00:00"
    assert appservice._expires_on_text(calendar.timegm((2020, 1, 16, 0, 5, 0)), linux=False) == \
        "1/16/2020 12:05:00 AM +00:00"


def test_2017_linux_app_has_no_am_pm(app: App) -> None:
    r = app.site("app1", {"type": "SystemAssigned"}, kind="app,linux")
    body = app.v2017(r.json()["id"]).json()
    datetime.datetime.strptime(body["expires_on"].replace(" +00:00", ""), "%m/%d/%Y %H:%M:%S")


def test_2017_clientid_without_underscore(app: App,
                                          uai_site: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    site, id1, _ = uai_site
    r = app.v2017(site["id"], clientid=id1["properties"]["clientId"])
    assert r.status_code == 200 and claims(r)["oid"] == id1["properties"]["principalId"]
    # 2017-09-01 "only accepted the clientid property": client_id is ignored → the system identity
    r = app.v2017(site["id"], client_id=id1["properties"]["clientId"])
    assert claims(r)["oid"] == site["identity"]["principalId"]


def test_2017_errors_are_pascal_case(app: App,
                                     uai_site: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    site, _, _ = uai_site
    r = app.v2017(site["id"], clientid="00000000-0000-0000-0000-000000000000")
    assert r.status_code == 400
    assert set(r.json()) == {"StatusCode", "Message", "CorrelationId"}
    assert r.json()["Message"] == "No MSI found for specified ClientId/ResourceId."
    r = app.token(site["id"], {"resource": VAULT, "api-version": "2017-09-01"})
    assert r.status_code == 400 and r.json()["Message"] == "The request is missing the 'secret' header."
    r = app.token(site["id"], {"resource": VAULT, "api-version": "2017-09-01"}, {"secret": "bad"})
    assert r.status_code == 401


# ---------------------------------------------------------------------------------------- unreachable
def test_off_host_is_connection_refused_with_hint(app: App) -> None:
    with pytest.raises(httpx.ConnectError) as info:
        app.token(None, {"resource": VAULT, "api-version": "2019-08-01"})
    assert "actively refused" in str(info.value)
    from azshell.cmdlets.context import hint_of

    assert "Enter-AzWebApp" in (hint_of(info.value) or "")


def test_on_a_vm_the_app_endpoint_is_refused(app: App) -> None:
    vm = app.arm.create_vm(RG, "vm1", {"type": "SystemAssigned"}).json()
    with pytest.raises(httpx.ConnectError):
        app.token(vm["id"], {"resource": VAULT, "api-version": "2019-08-01"})


def test_app_without_identity_is_refused(app: App) -> None:
    r = app.site("app1")
    with pytest.raises(httpx.ConnectError) as info:
        app.token(r.json()["id"], {"resource": VAULT, "api-version": "2019-08-01"})
    from azshell.cmdlets.context import hint_of

    assert "AssignIdentity" in (hint_of(info.value) or "")


def test_imds_is_not_on_an_app(app: App) -> None:
    site = system_site(app)
    with pytest.raises(httpx.ConnectError):
        app.token(site["id"], {"resource": VAULT, "api-version": "2018-02-01"}, {"Metadata": "true"}, url=IMDS)


# ------------------------------------------------------------------ user-assigned identities on VM endpoints
@pytest.fixture
def uai_vm(app: App) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    id1, id2 = app.uai("id1"), app.uai("id2")
    r = app.arm.create_vm(RG, "vm1", {"type": "UserAssigned",
                                      "userAssignedIdentities": {id1["id"]: {}, id2["id"]: {}}})
    assert r.status_code == 201, r.text
    return dict(r.json()), id1, id2


@pytest.mark.parametrize("selector", ["client_id", "object_id", "msi_res_id"])
def test_imds_each_selector(app: App, uai_vm: tuple[dict[str, Any], dict[str, Any], dict[str, Any]],
                            selector: str) -> None:
    vm, _, id2 = uai_vm
    value = {"client_id": id2["properties"]["clientId"], "object_id": id2["properties"]["principalId"],
             "msi_res_id": id2["id"]}[selector]
    r = app.token(vm["id"], {"resource": VAULT, "api-version": "2018-02-01", selector: value},
                  {"Metadata": "true"}, url=IMDS)
    assert r.status_code == 200, r.text
    assert claims(r)["oid"] == id2["properties"]["principalId"]


def test_imds_two_uais_need_a_selector_and_unknown_is_identity_not_found(
        app: App, uai_vm: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    vm, _, _ = uai_vm
    r = app.token(vm["id"], {"resource": VAULT, "api-version": "2018-02-01"}, {"Metadata": "true"}, url=IMDS)
    # issue 14's capture: IMDS names the missing selector when several user-assigned identities exist
    assert r.status_code == 400 and r.json() == {
        "error": "invalid_request",
        "error_description": "Multiple user assigned identities exist, please specify the clientId / resourceId of "
                             "the identity in the token request"}
    other = app.uai("other")
    r = app.token(vm["id"], {"resource": VAULT, "api-version": "2018-02-01",
                             "client_id": other["properties"]["clientId"]}, {"Metadata": "true"}, url=IMDS)
    assert r.status_code == 400 and r.json() == {"error": "invalid_request", "error_description": "Identity not found"}


def test_msi_extension_client_id_selector(app: App,
                                          uai_vm: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    vm, id1, _ = uai_vm
    ext = app.arm.request("PUT", f"{app.arm.vm_path(RG, 'vm1')}/extensions/ManagedIdentityExtensionForWindows",
                          api_version="2023-03-01", json={"location": "westus", "properties": {
                              "publisher": "Microsoft.ManagedIdentity", "type": "ManagedIdentityExtensionForWindows",
                              "typeHandlerVersion": "1.0", "settings": {"port": 50342}}})
    assert ext.status_code in (200, 201), ext.text
    url = "http://localhost:50342/oauth2/token"
    r = app.token(vm["id"], {"resource": VAULT, "client_id": id1["properties"]["clientId"]},
                  {"Metadata": "true"}, url=url)
    assert r.status_code == 200 and claims(r)["oid"] == id1["properties"]["principalId"]
    r = app.token(vm["id"], {"resource": VAULT, "client_id": "00000000-0000-0000-0000-000000000000"},
                  {"Metadata": "true"}, url=url)
    assert r.status_code == 400


def test_removed_uai_is_not_found_on_the_app(app: App,
                                             uai_site: tuple[dict[str, Any], dict[str, Any], dict[str, Any]]) -> None:
    site, id1, _ = uai_site
    header = app.env(site["id"])["IDENTITY_HEADER"]
    r = app.arm.request("DELETE", app.path("Microsoft.ManagedIdentity/userAssignedIdentities", "id1"),
                        api_version="2023-01-31")
    assert r.status_code == 200
    r = app.token(site["id"], {"resource": VAULT, "api-version": "2019-08-01",
                               "client_id": id1["properties"]["clientId"]}, {"X-IDENTITY-HEADER": header})
    assert r.status_code == 400
