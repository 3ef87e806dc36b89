"""Wire tests of the 2017 MSI VM extension endpoint (localhost:50342/oauth2/token)."""

from __future__ import annotations

import jwt
import pytest

try:
    from ._token_world import TokenWorldImpl, make_world
except ImportError:  # rootdir-style imports (no __init__.py in tests/planes)
    from _token_world import TokenWorldImpl, make_world  # type: ignore[no-redef]

from azshell.planes.base import CallerContext, HostUnreachableError, Request, Response
from azshell.services.identity import plane_extension as msi_extension

ARM = "https://management.azure.com/"
URL = "http://localhost:50342/oauth2/token"
META = {"Metadata": "true"}


@pytest.fixture
def world() -> TokenWorldImpl:
    return make_world()


@pytest.fixture
def vm_id(world: TokenWorldImpl) -> str:
    vm = world.vm("vm1")
    world.msi_extension("vm1")
    return vm


def call(world: TokenWorldImpl, host_id: str | None, url: str = URL + "?resource=" + ARM, *,
         headers: dict[str, str] | None = None, method: str = "GET", body: bytes = b"") -> Response:
    req = Request.build(method, url, headers=META if headers is None else headers, body=body,
                        caller=CallerContext(host_id=host_id))
    return msi_extension.handle(req, world)


def test_get_success_body(world: TokenWorldImpl, vm_id: str) -> None:
    r = call(world, vm_id)
    assert r.status == 200
    body = r.json_body()
    assert list(body) == ["access_token", "refresh_token", "expires_in", "expires_on", "not_before", "resource",
                          "token_type"]
    assert body["refresh_token"] == "" and body["resource"] == ARM and body["token_type"] == "Bearer"
    assert all(isinstance(v, str) for v in body.values())
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["aud"] == ARM and claims["xms_mirid"].lower() == vm_id.lower()


def test_post_form_like_curl_data(world: TokenWorldImpl, vm_id: str) -> None:
    r = call(world, vm_id, URL, method="POST", body=b"resource=https%3A%2F%2Fdatalake.azure.net%2F",
             headers={"Metadata": "true", "Content-Type": "application/x-www-form-urlencoded"})
    assert r.status == 200 and r.json_body()["resource"] == "https://datalake.azure.net/"


def test_user_assigned_by_client_id(world: TokenWorldImpl) -> None:
    uai_id, principal_id, client_id = world.uai("uai1")
    vm_id = world.vm("vm1", "SystemAssigned, UserAssigned", [uai_id])
    world.msi_extension("vm1")
    body = call(world, vm_id, f"{URL}?resource={ARM}&client_id={client_id}").json_body()
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["oid"] == principal_id


def test_missing_metadata_header_is_bad_request_102(world: TokenWorldImpl, vm_id: str) -> None:
    for headers in ({}, {"Metadata": "True"}):
        r = call(world, vm_id, headers=headers)
        assert r.status == 400
        assert r.json_body() == {"error": "bad_request_102",
                                 "error_description": "Required metadata header not specified"}


def test_missing_resource_is_invalid_request(world: TokenWorldImpl, vm_id: str) -> None:
    r = call(world, vm_id, URL)
    assert r.status == 400 and r.json_body()["error"] == "invalid_request"


def test_wrong_path_is_unknown_source(world: TokenWorldImpl, vm_id: str) -> None:
    r = call(world, vm_id, "http://localhost:50342/oauth2/tokens?resource=" + ARM)
    assert r.status == 401
    assert r.json_body() == {"error": "unknown_source",
                             "error_description": "Unknown Source http://localhost:50342/oauth2/tokens"}


def test_unknown_client_id_is_unauthorized_client(world: TokenWorldImpl, vm_id: str) -> None:
    r = call(world, vm_id, f"{URL}?resource={ARM}&client_id=00000000-0000-0000-0000-000000000001")
    assert r.status == 400 and r.json_body()["error"] == "unauthorized_client"
    assert r.json_body()["error_description"] == (
        "The client is not authorized to request an access token using this method.")


def test_unknown_resource_windows_is_500_unknown(world: TokenWorldImpl, vm_id: str) -> None:
    r = call(world, vm_id, URL + "?resource=https://nope.example")
    assert r.status == 500 and r.json_body()["error"] == "unknown"
    assert r.json_body()["error_description"].startswith(
        "Failed to retrieve token from the Active directory. For details see logs in ")


def test_unknown_resource_linux_is_invalid_resource(world: TokenWorldImpl) -> None:
    vm_id = world.vm("lvm")
    world.msi_extension("lvm", linux=True)
    r = call(world, vm_id, URL + "?resource=https://nope.example")
    assert r.status == 400 and r.json_body()["error"] == "invalid_resource"
    assert r.json_body()["error_description"].startswith(
        "AADSTS50001: The application named https://nope.example was not found in the tenant named ")


def test_off_host_refused(world: TokenWorldImpl) -> None:
    with pytest.raises(HostUnreachableError) as info:
        call(world, None)
    assert "actively refused" in info.value.message and "Enter-AzVM" in (info.value.hint or "")


def test_vm_without_extension_refused(world: TokenWorldImpl) -> None:
    with pytest.raises(HostUnreachableError) as info:
        call(world, world.vm("plain"))
    assert "Enable-Msi" in (info.value.hint or "")


def test_other_port_refused_and_configured_port_served(world: TokenWorldImpl) -> None:
    vm_id = world.vm("vm1")
    world.msi_extension("vm1", port=50343)
    with pytest.raises(HostUnreachableError):
        call(world, vm_id)
    assert call(world, vm_id, "http://localhost:50343/oauth2/token?resource=" + ARM).status == 200


def test_doc_typo_localhost_slash_port_is_refused(world: TokenWorldImpl, vm_id: str) -> None:
    with pytest.raises(HostUnreachableError):
        call(world, vm_id, "http://localhost/50342/oauth2/token?resource=" + ARM)
