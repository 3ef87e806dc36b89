"""Wire tests of 169.254.169.254: success bodies and every documented IMDS error, for the VM in context."""

from __future__ import annotations

import jwt
import pytest

try:
    from ._token_world import TokenWorldImpl, make_world
except ImportError:  # rootdir-style imports (no __init__.py in tests/planes)
    from _token_world import TokenWorldImpl, make_world  # type: ignore[no-redef]

from azshell.auth.resources import ARM_AUDIENCES
from azshell.planes.base import CallerContext, HostUnreachableError, Request, Response
from azshell.services.identity import plane as imds

ARM = "https://management.azure.com/"
TOKEN_URL = "http://169.254.169.254/metadata/identity/oauth2/token"
META = {"Metadata": "true"}


@pytest.fixture
def world() -> TokenWorldImpl:
    return make_world()


def call(world: TokenWorldImpl, host_id: str | None, query: str = "api-version=2018-02-01&resource=" + ARM,
         headers: dict[str, str] | None = None, method: str = "GET", path: str = TOKEN_URL) -> Response:
    req = Request.build(method, f"{path}?{query}" if query else path,
                        headers=META if headers is None else headers, caller=CallerContext(host_id=host_id))
    return imds.handle(req, world)


def test_system_assigned_token_success_body(world: TokenWorldImpl) -> None:
    vm_id = world.vm("vm1")
    r = call(world, vm_id)
    assert r.status == 200
    body = r.json_body()
    assert sorted(body) == ["access_token", "client_id", "expires_in", "expires_on", "ext_expires_in",
                            "not_before", "resource", "token_type"]
    assert all(isinstance(v, str) for v in body.values())
    assert body["resource"] == ARM and body["token_type"] == "Bearer"
    assert int(body["expires_on"]) - int(world.clock.now()) == int(body["expires_in"])
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    vm = world.store.get_resource(vm_id)
    assert vm is not None and vm.identity is not None
    assert claims["oid"] == vm.identity.principal_id and claims["appid"] == body["client_id"]
    assert claims["xms_mirid"].lower() == vm_id.lower() and "/resourcegroups/" in claims["xms_mirid"]
    assert world.tokens.verify(body["access_token"], audiences=ARM_AUDIENCES)["aud"] == ARM
    assert r.headers.get("Server", "").startswith("IMDS/")


def test_resource_is_echoed_exactly_and_url_decoded(world: TokenWorldImpl) -> None:
    vm_id = world.vm("vm1")
    body = call(world, vm_id, "api-version=2018-02-01&resource=https%3A%2F%2Fvault.azure.net").json_body()
    assert body["resource"] == "https://vault.azure.net"
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["aud"] == "https://vault.azure.net"


def test_same_token_returned_from_cache(world: TokenWorldImpl) -> None:
    vm_id = world.vm("vm1")
    first = call(world, vm_id).json_body()
    world.clock.advance(60)
    second = call(world, vm_id).json_body()
    assert first["access_token"] == second["access_token"]
    assert int(second["expires_in"]) == int(first["expires_in"]) - 60


@pytest.mark.parametrize("selector", ["client_id", "object_id", "msi_res_id"])
def test_user_assigned_by_each_selector(world: TokenWorldImpl, selector: str) -> None:
    uai_id, principal_id, client_id = world.uai("uai1")
    vm_id = world.vm("vm1", "SystemAssigned, UserAssigned", [uai_id])
    value = {"client_id": client_id, "object_id": principal_id, "msi_res_id": uai_id}[selector]
    body = call(world, vm_id, f"api-version=2018-02-01&resource={ARM}&{selector}={value}").json_body()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["oid"] == principal_id and body["client_id"] == client_id
    assert claims["xms_mirid"].lower() == uai_id.lower()


def test_off_host_is_unreachable_with_hint(world: TokenWorldImpl) -> None:
    with pytest.raises(HostUnreachableError) as info:
        call(world, None)
    assert info.value.message == "Unable to connect to the remote server"
    assert info.value.hint is not None and "Enter-AzVM" in info.value.hint


def test_missing_metadata_header(world: TokenWorldImpl) -> None:
    r = call(world, world.vm("vm1"), headers={})
    assert r.status == 400
    assert r.json_body() == {"error": "invalid_request", "error_description": "Required metadata header not specified"}


@pytest.mark.parametrize("value", ["True", "TRUE", "false", "1", ""])
def test_metadata_header_must_be_exactly_true(world: TokenWorldImpl, value: str) -> None:
    r = call(world, world.vm("vm1"), headers={"Metadata": value})
    assert r.status == 400
    assert r.json_body()["error_description"] == "Required metadata header not specified"


def test_metadata_header_name_is_case_insensitive(world: TokenWorldImpl) -> None:
    assert call(world, world.vm("vm1"), headers={"metadata": "true"}).status == 200


def test_x_forwarded_for_refused_with_xml(world: TokenWorldImpl) -> None:
    r = call(world, world.vm("vm1"), headers={"Metadata": "true", "X-Forwarded-For": "10.0.0.1"})
    assert r.status == 400
    assert (r.headers.get("Content-Type") or "").startswith("application/xml")
    text = r.body.decode()
    assert "<Code>InvalidHeaderValue</Code>" in text
    assert "<Details>Header contains 'X-Forwarded-For' are not supported.</Details>" in text


def test_missing_api_version(world: TokenWorldImpl) -> None:
    r = call(world, world.vm("vm1"), "resource=" + ARM)
    assert r.status == 400
    body = r.json_body()
    # the token endpoint answers in the IMDS spec's IdentityErrorResponse shape (issue 14)
    assert body["error"] == "bad_request"
    assert body["error_description"] == ("Bad request. api-version was not specified in the request. For more "
                                         "information refer to aka.ms/azureimds")
    assert len(body["newest-versions"]) == 3


@pytest.mark.parametrize("version", ["2017-12-01", "2099-01-01", "banana"])
def test_unsupported_api_version(world: TokenWorldImpl, version: str) -> None:
    r = call(world, world.vm("vm1"), f"api-version={version}&resource={ARM}")
    assert r.status == 400
    assert r.json_body()["error"] == "bad_request"
    assert r.json_body()["error_description"] == \
        "Bad request. api-version is invalid or was not specified in the request."


def test_missing_resource(world: TokenWorldImpl) -> None:
    r = call(world, world.vm("vm1"), "api-version=2018-02-01")
    assert r.status == 400
    assert r.json_body() == {"error": "invalid_request",
                             "error_description": "Required query variable 'resource' is missing"}


def test_two_selectors_refused(world: TokenWorldImpl) -> None:
    uai_id, principal_id, client_id = world.uai("uai1")
    vm_id = world.vm("vm1", "UserAssigned", [uai_id])
    r = call(world, vm_id, f"api-version=2018-02-01&resource={ARM}&client_id={client_id}&object_id={principal_id}")
    assert r.status == 400
    assert r.json_body()["error"] == "invalid_request"
    assert r.json_body()["error_description"].startswith("The request is missing a required parameter")


def test_vm_without_identity(world: TokenWorldImpl) -> None:
    r = call(world, world.vm("vm1", None))
    assert r.status == 400
    assert r.json_body() == {"error": "invalid_request", "error_description": "Identity not found"}


def test_identity_not_attached(world: TokenWorldImpl) -> None:
    _, _, client_id = world.uai("uai-elsewhere")
    r = call(world, world.vm("vm1"), f"api-version=2018-02-01&resource={ARM}&client_id={client_id}")
    assert r.status == 400
    assert r.json_body() == {"error": "invalid_request", "error_description": "Identity not found"}


def test_only_user_assigned_quirk_serves_it_without_selector(world: TokenWorldImpl) -> None:
    uai_id, principal_id, _ = world.uai("uai1")
    body = call(world, world.vm("vm1", "UserAssigned", [uai_id])).json_body()
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["oid"] == principal_id


def test_unknown_resource_is_aadsts500011(world: TokenWorldImpl) -> None:
    r = call(world, world.vm("vm1"), "api-version=2018-02-01&resource=https://managements.azure.com")
    assert r.status == 400
    body = r.json_body()
    assert body["error"] == "invalid_resource"
    tid = world.store.get_tenant().tenant_id
    assert body["error_description"].startswith(
        f"AADSTS500011: The resource principal named https://managements.azure.com was not found in the tenant "
        f"named {tid}. This can happen if the application has not been installed by the administrator of the "
        "tenant or consented to by any user in the tenant. You might have sent your authentication request to the "
        "wrong tenant.\r\nTrace ID: ")
    assert body["error_codes"] == [500011]
    assert body["error_uri"] == "https://login.microsoftonline.com/error?code=500011"


def test_post_not_allowed(world: TokenWorldImpl) -> None:
    r = call(world, world.vm("vm1"), method="POST")
    assert r.status == 405 and r.json_body()["error"] == "method_not_allowed"


def test_app_service_host_has_no_imds(world: TokenWorldImpl) -> None:
    world.backend.create_or_update_resource_group(world.sub, "rg1", "westus")
    app = world.backend.create_or_update_resource(world.sub, "rg1", "Microsoft.Web/sites", "app1", "westus",
                                                  identity_type="SystemAssigned")
    with pytest.raises(HostUnreachableError):
        call(world, app.id)


def test_token_issued_event(world: TokenWorldImpl) -> None:
    call(world, world.vm("vm1"))
    ev = world.store.recent_events("token.issued")[-1]
    assert ev.data["source"] == "imds" and ev.data["aud"] == ARM


def test_instance_metadata_compute(world: TokenWorldImpl) -> None:
    vm_id = world.vm("vm1")
    r = call(world, vm_id, "api-version=2021-02-01", path="http://169.254.169.254/metadata/instance")
    assert r.status == 200
    compute = r.json_body()["compute"]
    vm = world.store.get_resource(vm_id)
    assert vm is not None
    assert compute["name"] == "vm1" and compute["resourceGroupName"] == "rg1"
    assert compute["subscriptionId"] == world.sub and compute["resourceId"] == vm_id
    assert compute["vmId"] == vm.properties["vmId"] and compute["location"] == "westus"
    leaf = call(world, vm_id, "api-version=2021-02-01&format=text",
                path="http://169.254.169.254/metadata/instance/compute/name")
    assert leaf.status == 200 and leaf.body == b"vm1"


def test_instance_metadata_errors(world: TokenWorldImpl) -> None:
    vm_id = world.vm("vm1")
    url = "http://169.254.169.254/metadata/instance"
    r = call(world, vm_id, "", path=url)
    assert r.status == 400 and "newest-versions" in r.json_body()
    r = call(world, vm_id, "api-version=2021-02-01", headers={}, path=url)
    assert r.status == 400 and r.json_body() == {"error": "Bad request. Required metadata header not specified"}
    r = call(world, vm_id, "api-version=2021-02-01", path=url + "/compute/nothing")
    assert r.status == 404 and r.json_body() == {"error": "Not found"}
    r = call(world, vm_id, "api-version=2021-02-01", path="http://169.254.169.254/metadata/identity")
    assert r.status == 404 and r.json_body() == {"error": "Not Found"}
