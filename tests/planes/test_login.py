"""Wire tests of login.microsoftonline.com: discovery documents, JWKS, the password grant and AADSTS errors."""

from __future__ import annotations

import base64
import hashlib

import jwt
import pytest
from cryptography import x509

try:
    from ._token_world import TokenWorldImpl, make_world
except ImportError:  # rootdir-style imports (no __init__.py in tests/planes)
    from _token_world import TokenWorldImpl, make_world  # type: ignore[no-redef]

from azshell.auth.resources import ARM_AUDIENCES
from azshell.planes.base import Request, Response
from azshell.services.entra import plane as login

HOST = "https://login.microsoftonline.com"


@pytest.fixture
def world() -> TokenWorldImpl:
    return make_world()


def get(world: TokenWorldImpl, path: str) -> Response:
    return login.handle(Request.build("GET", HOST + path), world)


def post(world: TokenWorldImpl, path: str, form: str) -> Response:
    return login.handle(Request.build("POST", HOST + path, body=form.encode(),
                                      headers={"Content-Type": "application/x-www-form-urlencoded"}), world)


def tid(world: TokenWorldImpl) -> str:
    return world.store.get_tenant().tenant_id


def test_v1_openid_configuration(world: TokenWorldImpl) -> None:
    t = tid(world)
    r = get(world, f"/{t}/.well-known/openid-configuration")
    assert r.status == 200
    doc = r.json_body()
    assert doc["issuer"] == f"https://sts.windows.net/{t}/"
    assert doc["token_endpoint"] == f"{HOST}/{t}/oauth2/token"
    assert doc["jwks_uri"] == f"{HOST}/{t}/discovery/keys"
    assert doc["id_token_signing_alg_values_supported"] == ["RS256"]


def test_v2_openid_configuration_by_domain(world: TokenWorldImpl) -> None:
    t = tid(world)
    domain = world.store.get_tenant().default_domain
    doc = get(world, f"/{domain}/v2.0/.well-known/openid-configuration").json_body()
    assert doc["issuer"] == f"{HOST}/{t}/v2.0"
    assert doc["jwks_uri"] == f"{HOST}/{t}/discovery/v2.0/keys"
    assert doc["token_endpoint"] == f"{HOST}/{t}/oauth2/v2.0/token"


def test_common_openid_has_placeholder_issuer(world: TokenWorldImpl) -> None:
    doc = get(world, "/common/.well-known/openid-configuration").json_body()
    assert doc["issuer"] == "https://sts.windows.net/{tenantid}/"


@pytest.mark.parametrize("path", ["/common/discovery/keys", "/{t}/discovery/keys", "/{t}/discovery/v2.0/keys"])
def test_jwks_shape_and_x5t(world: TokenWorldImpl, path: str) -> None:
    r = get(world, path.format(t=tid(world)))
    assert r.status == 200
    keys = r.json_body()["keys"]
    assert len(keys) >= 2
    for k in keys:
        assert {"kty", "use", "kid", "x5t", "n", "e", "x5c"} <= set(k)
        assert k["kty"] == "RSA" and k["use"] == "sig" and k["e"] == "AQAB" and k["kid"] == k["x5t"]
        der = base64.b64decode(k["x5c"][0])
        thumb = base64.urlsafe_b64encode(hashlib.sha1(der).digest()).rstrip(b"=").decode()
        assert thumb == k["x5t"]
        cert = x509.load_der_x509_certificate(der)
        assert cert.public_key().public_numbers().e == 65537  # type: ignore[union-attr]
    if "v2.0" in path:
        assert all(k["issuer"] == f"{HOST}/{tid(world)}/v2.0" for k in keys)


def test_token_verifies_with_published_jwks(world: TokenWorldImpl) -> None:
    t = tid(world)
    r = post(world, f"/{t}/oauth2/token",
             "grant_type=password&username=admin@azshell.onmicrosoft.com&password=x"
             "&resource=https%3A%2F%2Fmanagement.azure.com%2F&client_id=1950a258-227b-4e31-a9cf-717495945fc2")
    assert r.status == 200
    body = r.json_body()
    assert isinstance(body["expires_in"], str) and body["resource"] == "https://management.azure.com/"
    token = body["access_token"]
    kid = jwt.get_unverified_header(token)["kid"]
    jwks = get(world, f"/{t}/discovery/keys").json_body()
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    claims = jwt.decode(token, jwt.PyJWK(jwk).key, algorithms=["RS256"], audience="https://management.azure.com/",
                        options={"verify_exp": False, "verify_iat": False, "verify_nbf": False})
    assert claims["upn"] == "admin@azshell.onmicrosoft.com" and claims["idtyp"] == "user"
    assert claims["appid"] == "1950a258-227b-4e31-a9cf-717495945fc2"
    assert world.tokens.verify(token, audiences=ARM_AUDIENCES)["oid"] == world.backend.admin_user().object_id


def test_v2_token_with_scope(world: TokenWorldImpl) -> None:
    r = post(world, f"/{tid(world)}/oauth2/v2.0/token",
             "grant_type=password&username=admin@azshell.onmicrosoft.com&password=x"
             "&scope=https%3A%2F%2Fmanagement.azure.com%2F.default%20offline_access")
    assert r.status == 200
    body = r.json_body()
    assert isinstance(body["expires_in"], int)
    assert jwt.decode(body["access_token"], options={"verify_signature": False})["aud"] == (
        "https://management.azure.com")


def test_unknown_tenant_is_aadsts90002(world: TokenWorldImpl) -> None:
    r = get(world, "/00000000-0000-0000-0000-000000000000/.well-known/openid-configuration")
    assert r.status == 400
    body = r.json_body()
    assert body["error"] == "invalid_tenant" and body["error_codes"] == [90002]
    assert body["error_description"].startswith(
        "AADSTS90002: Tenant '00000000-0000-0000-0000-000000000000' not found.")


@pytest.mark.parametrize("form, error, code", [
    ("username=a&password=b&resource=https://management.azure.com/", "invalid_request", 900144),
    ("grant_type=client_credentials&client_id=x&client_secret=y", "unsupported_grant_type", 70003),
    ("grant_type=password&username=nobody@x&password=b&resource=https://management.azure.com/",
     "invalid_grant", 50034),
    ("grant_type=password&username=admin@azshell.onmicrosoft.com&password=b&resource=https://nope",
     "invalid_resource", 500011),
    ("grant_type=password&username=admin@azshell.onmicrosoft.com&password=b", "invalid_request", 900144),
])
def test_token_errors(world: TokenWorldImpl, form: str, error: str, code: int) -> None:
    r = post(world, f"/{tid(world)}/oauth2/token", form)
    assert r.status == 400
    assert r.json_body()["error"] == error and r.json_body()["error_codes"] == [code]


def test_unknown_path_and_method(world: TokenWorldImpl) -> None:
    assert get(world, "/nothing").status == 404
    assert get(world, f"/{tid(world)}/oauth2/token").status == 405
