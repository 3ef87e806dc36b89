"""Token service: claims shape, caching, key roll, and one test per way a token can be bad."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding

from azshell.auth.errors import (
    ExpiredTokenError,
    InvalidAudienceError,
    InvalidIssuerError,
    InvalidSignatureError,
    MalformedTokenError,
    NotYetValidError,
    TokenValidationError,
    UnknownKeyError,
    UnknownResourceError,
    UnsupportedAlgorithmError,
    WrongTenantError,
)
from azshell.auth.resources import ARM_AUDIENCES, KEY_VAULT_AUDIENCES, resolve_resource
from azshell.auth.tokens import AZURE_POWERSHELL_APP_ID, TokenService
from azshell.clock import FixedClock
from azshell.model.backend import TenantBackend
from azshell.model.store import Store
from azshell.model.types import DirectoryObject

ARM = "https://management.azure.com/"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def forge(header: dict[str, Any], claims: dict[str, Any], sign: Any = None) -> str:
    signing_input = f"{b64(json.dumps(header).encode())}.{b64(json.dumps(claims).encode())}"
    sig = sign(signing_input.encode()) if sign else b""
    return f"{signing_input}.{b64(sig)}"


def parts(token: str) -> tuple[dict[str, Any], dict[str, Any]]:
    return jwt.get_unverified_header(token), jwt.decode(token, options={"verify_signature": False})


def resign(tokens: TokenService, header: dict[str, Any], claims: dict[str, Any]) -> str:
    key = tokens.key_ring().active.private_key
    return forge(header, claims, lambda m: key.sign(m, padding.PKCS1v15(), hashes.SHA256()))


# ----------------------------------------------------------------------------------------------- claims shape
def test_mi_token_header_and_claims(tokens: TokenService, mi: DirectoryObject, clock: FixedClock) -> None:
    t = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity")
    header, claims = parts(t.access_token)
    assert header == {"typ": "JWT", "alg": "RS256", "x5t": header["kid"], "kid": header["kid"]}
    tid = mi.tenant_id
    assert set(claims) == {"aud", "iss", "iat", "nbf", "exp", "aio", "appid", "appidacr", "idp", "idtyp", "oid",
                           "rh", "sub", "tid", "uti", "ver", "xms_mirid"}
    assert claims["aud"] == ARM and claims["iss"] == f"https://sts.windows.net/{tid}/" == claims["idp"]
    assert claims["appid"] == mi.app_id and claims["appidacr"] == "2" and claims["ver"] == "1.0"
    assert claims["oid"] == claims["sub"] == mi.object_id and claims["tid"] == tid
    assert claims["xms_mirid"] == mi.resource_id.replace("resourceGroups", "resourcegroups")  # type: ignore[union-attr]
    now = int(clock.now())
    assert claims["iat"] == claims["nbf"] == now - 300 and claims["exp"] == now + 86400
    assert t.expires_on == claims["exp"] and t.not_before == claims["nbf"] and t.expires_in == 86400
    assert t.client_id == mi.app_id and t.token_type == "Bearer" and t.resource == ARM and not t.cached
    assert len(claims["uti"]) == 22


def test_user_token_claims(tokens: TokenService, store: Store, clock: FixedClock) -> None:
    admin = TenantBackend(store, clock).admin_user()
    t = tokens.issue_for_principal(principal=admin, resource=ARM, kind="user")
    claims = parts(t.access_token)[1]
    assert claims["upn"] == claims["unique_name"] == admin.user_principal_name
    assert claims["appid"] == AZURE_POWERSHELL_APP_ID and claims["idtyp"] == "user" and claims["acr"] == "1"
    assert claims["oid"] == admin.object_id and claims["sub"] != admin.object_id and "amr" in claims
    assert "xms_mirid" not in claims


@pytest.mark.parametrize("resource, aud", [
    ("https://management.azure.com/", "https://management.azure.com/"),
    ("https://management.azure.com", "https://management.azure.com"),
    ("https://management.core.windows.net/", "https://management.core.windows.net/"),
    ("https://vault.azure.net", "https://vault.azure.net"),
    ("https://vault.azure.net/", "https://vault.azure.net/"),
    ("https://datalake.azure.net/", "https://datalake.azure.net/"),
    ("https://storage.azure.com/", "https://storage.azure.com/"),
    ("https://graph.microsoft.com/", "https://graph.microsoft.com/"),
    ("https://graph.windows.net/", "https://graph.windows.net/"),
    ("https://management.azure.com/.default", "https://management.azure.com"),
    ("https://vault.azure.net/.default", "https://vault.azure.net"),
])
def test_aud_is_resource_as_requested(tokens: TokenService, mi: DirectoryObject, resource: str, aud: str) -> None:
    assert resolve_resource(resource, "t") == aud
    t = tokens.issue_for_principal(principal=mi, resource=resource, kind="managed_identity")
    assert parts(t.access_token)[1]["aud"] == aud and t.resource == resource


@pytest.mark.parametrize("resource", ["https://managements.azure.com", "api://AzureADTokenExchange/.default",
                                      "https://example.com/", ""])
def test_unknown_resource(tokens: TokenService, mi: DirectoryObject, resource: str) -> None:
    with pytest.raises(UnknownResourceError) as info:
        tokens.issue_for_principal(principal=mi, resource=resource, kind="managed_identity")
    assert str(info.value).startswith("AADSTS500011: The resource principal named ")
    assert f"was not found in the tenant named {mi.tenant_id}." in str(info.value)


# ------------------------------------------------------------------------------------------------------ cache
def test_cache_returns_same_token_until_five_minutes_before_expiry(
        tokens: TokenService, mi: DirectoryObject, clock: FixedClock, store: Store) -> None:
    first = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity")
    clock.advance(3600)
    second = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity")
    assert second.cached and second.access_token == first.access_token and second.expires_in == 86400 - 3600
    other = tokens.issue_for_principal(principal=mi, resource="https://vault.azure.net", kind="managed_identity")
    assert not other.cached
    clock.advance(86400 - 3600 - 299)
    assert tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").cached is False
    assert len(store.recent_events("token.issued")) == 3  # cache hits are not issues


def test_cache_is_per_identity(tokens: TokenService, mi: DirectoryObject) -> None:
    other = DirectoryObject("22222222-0000-0000-0000-000000000000", mi.tenant_id, "ServicePrincipal", "uai",
                            app_id="33333333-0000-0000-0000-000000000000")
    a = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity")
    b = tokens.issue_for_principal(principal=other, resource=ARM, kind="managed_identity")
    assert a.access_token != b.access_token and not b.cached


def test_issue_appends_event(tokens: TokenService, mi: DirectoryObject, store: Store) -> None:
    tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity", source="imds")
    ev = store.recent_events("token.issued")[-1]
    assert ev.data["principal"] == mi.object_id and ev.data["aud"] == ARM and ev.data["source"] == "imds"


# ------------------------------------------------------------------------------------------------------- keys
def test_jwks_has_active_and_next_key(tokens: TokenService) -> None:
    keys = tokens.jwks()["keys"]
    assert len(keys) == 2 and keys[0]["kid"] == tokens.key_ring().active.kid


def test_key_roll_old_tokens_verify_while_published(tokens: TokenService, mi: DirectoryObject) -> None:
    old = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token
    old_kid = jwt.get_unverified_header(old)["kid"]
    published_next = tokens.jwks()["keys"][1]["kid"]
    new_active = tokens.roll_keys()
    assert new_active.kid == published_next  # "next" was published ahead of the roll
    kids = [k["kid"] for k in tokens.jwks()["keys"]]
    assert old_kid in kids and len(kids) == 3
    assert tokens.verify(old, audiences=ARM_AUDIENCES)["oid"] == mi.object_id
    tokens.clear_cache()
    fresh = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token
    assert jwt.get_unverified_header(fresh)["kid"] == new_active.kid
    tokens.roll_keys()
    assert old_kid not in [k["kid"] for k in tokens.jwks()["keys"]]
    with pytest.raises(UnknownKeyError):
        tokens.verify(old, audiences=ARM_AUDIENCES)
    assert tokens.verify(fresh, audiences=ARM_AUDIENCES)


def test_keys_persist_across_services(tokens: TokenService, store: Store, clock: FixedClock,
                                      mi: DirectoryObject) -> None:
    token = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token
    other_process = TokenService(store, clock, key_factory=lambda: pytest.fail("must not generate"))
    assert other_process.verify(token, audiences=ARM_AUDIENCES)["oid"] == mi.object_id
    assert other_process.jwks() == tokens.jwks()


def test_roll_seen_by_another_service(tokens: TokenService, store: Store, clock: FixedClock,
                                      mi: DirectoryObject) -> None:
    other = TokenService(store, clock)
    other.jwks()
    tokens.roll_keys()
    tokens.clear_cache()
    token = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token
    assert other.verify(token, audiences=ARM_AUDIENCES)


# ------------------------------------------------------------------------------------ one test per bad token
@pytest.fixture
def good(tokens: TokenService, mi: DirectoryObject) -> str:
    return tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token


def test_good_token_verifies(tokens: TokenService, good: str) -> None:
    assert tokens.verify(good, audiences=ARM_AUDIENCES)["aud"] == ARM


def test_expired(tokens: TokenService, good: str, clock: FixedClock) -> None:
    exp = parts(good)[1]["exp"]
    clock.set(exp + 300)  # within skew: still fine
    tokens.verify(good, audiences=ARM_AUDIENCES)
    clock.set(exp + 301)
    with pytest.raises(ExpiredTokenError) as info:
        tokens.verify(good, audiences=ARM_AUDIENCES)
    assert info.value.expires_on == exp


def test_not_yet_valid(tokens: TokenService, good: str) -> None:
    header, claims = parts(good)
    claims["nbf"] = claims["iat"] = int(tokens.clock.now()) + 301
    with pytest.raises(NotYetValidError):
        tokens.verify(resign(tokens, header, claims), audiences=ARM_AUDIENCES)
    claims["nbf"] = int(tokens.clock.now()) + 299
    tokens.verify(resign(tokens, header, claims), audiences=ARM_AUDIENCES)


def test_wrong_audience(tokens: TokenService, good: str) -> None:
    with pytest.raises(InvalidAudienceError) as info:
        tokens.verify(good, audiences=KEY_VAULT_AUDIENCES)
    assert info.value.audience == ARM


def test_audience_is_exact_string_match(tokens: TokenService, mi: DirectoryObject) -> None:
    t = tokens.issue_for_principal(principal=mi, resource="https://vault.azure.net", kind="managed_identity")
    with pytest.raises(InvalidAudienceError):
        tokens.verify(t.access_token, audiences=("https://vault.azure.net/",))


def test_wrong_issuer(tokens: TokenService, good: str) -> None:
    header, claims = parts(good)
    claims["iss"] = "https://sts.windows.net/evil/"
    with pytest.raises(InvalidIssuerError):
        tokens.verify(resign(tokens, header, claims), audiences=ARM_AUDIENCES)


def test_bad_signature(tokens: TokenService, good: str) -> None:
    header, claims = parts(good)
    claims["oid"] = "00000000-0000-0000-0000-000000000000"  # tampered claims, original signature
    h, p, s = good.split(".")
    tampered = f"{h}.{b64(json.dumps(claims).encode())}.{s}"
    with pytest.raises(InvalidSignatureError):
        tokens.verify(tampered, audiences=ARM_AUDIENCES)


def test_signed_by_foreign_key_with_known_kid(tokens: TokenService, good: str) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa
    foreign = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    header, claims = parts(good)
    forged = forge(header, claims, lambda m: foreign.sign(m, padding.PKCS1v15(), hashes.SHA256()))
    with pytest.raises(InvalidSignatureError):
        tokens.verify(forged, audiences=ARM_AUDIENCES)


def test_unknown_kid(tokens: TokenService, good: str) -> None:
    header, claims = parts(good)
    header["kid"] = header["x5t"] = "nHyeXKhjCXoURbu1sl5Ri6EjrD0"
    with pytest.raises(UnknownKeyError):
        tokens.verify(resign(tokens, header, claims), audiences=ARM_AUDIENCES)


def test_alg_none(tokens: TokenService, good: str) -> None:
    header, claims = parts(good)
    header["alg"] = "none"
    with pytest.raises(UnsupportedAlgorithmError):
        tokens.verify(forge(header, claims), audiences=ARM_AUDIENCES)


def test_hs256_with_public_key_as_secret(tokens: TokenService, good: str) -> None:
    header, claims = parts(good)
    header["alg"] = "HS256"
    secret = tokens.key_ring().active.public_key.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = forge(header, claims, lambda m: hmac.new(secret, m, hashlib.sha256).digest())
    with pytest.raises(UnsupportedAlgorithmError):
        tokens.verify(forged, audiences=ARM_AUDIENCES)


@pytest.mark.parametrize("token", ["", "garbage", "a.b", "a.b.c.d", "Bearer x.y.z", "eyJ.eyJ.sig",
                                   "e30.e30.",  # {} . {} but no alg
                                   "W10.e30.x",  # header is a JSON array
                                   ])
def test_malformed(tokens: TokenService, token: str) -> None:
    with pytest.raises(TokenValidationError):
        tokens.verify(token, audiences=ARM_AUDIENCES)


def test_malformed_specific_leaf(tokens: TokenService) -> None:
    with pytest.raises(MalformedTokenError):
        tokens.verify("not-a-jwt", audiences=ARM_AUDIENCES)
    with pytest.raises(MalformedTokenError):
        tokens.verify("W10.e30.x", audiences=ARM_AUDIENCES)


def test_missing_exp_is_malformed(tokens: TokenService, good: str) -> None:
    header, claims = parts(good)
    del claims["exp"]
    with pytest.raises(MalformedTokenError):
        tokens.verify(resign(tokens, header, claims), audiences=ARM_AUDIENCES)


def test_wrong_tenant(tokens: TokenService, good: str, mi: DirectoryObject) -> None:
    tokens.verify(good, audiences=ARM_AUDIENCES, tenant_id=mi.tenant_id.upper())
    with pytest.raises(WrongTenantError) as info:
        tokens.verify(good, audiences=ARM_AUDIENCES, tenant_id="a602cbf4-21c3-4761-b54e-acf397842b82")
    assert info.value.token_issuer == f"https://sts.windows.net/{mi.tenant_id}/"
