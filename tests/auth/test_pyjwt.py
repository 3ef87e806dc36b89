"""The PyJWT path: our tokens interoperate with plain PyJWT, and every PyJWT failure lands on Azure's error leaf."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import threading
from collections.abc import Callable
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

import azshell.auth.errors as E
import azshell.auth.keys as keys_module
import azshell.auth.tokens as tokens_module
from azshell.auth.resources import ARM_AUDIENCES
from azshell.auth.tokens import TokenService
from azshell.clock import FixedClock, SystemClock
from azshell.model.store import Store
from azshell.model.types import DirectoryObject

ARM = "https://management.azure.com/"
OTHER_TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def b64json(obj: Any) -> str:
    return b64(json.dumps(obj, separators=(",", ":")).encode())


def unb64(segment: str) -> Any:
    return json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4)))


def rs256(key: rsa.RSAPrivateKey, header: dict[str, Any], claims: dict[str, Any],
          algorithm: hashes.HashAlgorithm | None = None) -> str:
    signing_input = f"{b64json(header)}.{b64json(claims)}"
    return f"{signing_input}.{b64(key.sign(signing_input.encode(), padding.PKCS1v15(), algorithm or hashes.SHA256()))}"


@pytest.fixture
def genuine(tokens: TokenService, mi: DirectoryObject) -> str:
    return tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token


# ------------------------------------------------------------------------------------------------- interop
def test_header_bytes_are_entras(tokens: TokenService, genuine: str) -> None:
    kid = tokens.key_ring().active.kid
    raw = base64.urlsafe_b64decode(genuine.split(".")[0] + "==")
    assert raw == f'{{"typ":"JWT","alg":"RS256","x5t":"{kid}","kid":"{kid}"}}'.encode()


@pytest.mark.parametrize("v2", [False, True])
def test_plain_pyjwt_decodes_our_token_with_the_discovery_jwks(store: Store, key_factory: Callable[[], rsa.RSAPrivateKey],
                                                               mi: DirectoryObject, v2: bool) -> None:
    """A relying party using only PyJWT and our discovery documents accepts the token (wall clock: PyJWT's)."""
    tokens = TokenService(store, SystemClock(), key_factory=key_factory)
    token = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token
    v1_doc = tokens.openid_configuration()
    doc = tokens.openid_configuration(v2=v2)
    jwks = jwt.PyJWKSet.from_dict(tokens.jwks(v2=v2))
    key = jwks[jwt.get_unverified_header(token)["kid"]]
    claims = jwt.decode(token, key, algorithms=doc["id_token_signing_alg_values_supported"], audience=ARM,
                        issuer=v1_doc["issuer"], leeway=300,
                        options={"require": ["exp", "iat", "nbf", "iss", "aud", "tid", "oid"], "strict_aud": True})
    assert claims["oid"] == mi.object_id and claims["tid"] == mi.tenant_id
    assert claims == tokens.verify(token, audiences=ARM_AUDIENCES, tenant_id=mi.tenant_id)


def test_pyjwk_of_the_jwks_is_the_ring_key(tokens: TokenService) -> None:
    for entry, loaded in zip(tokens.jwks()["keys"], tokens.key_ring().published(), strict=True):
        key = jwt.PyJWK(entry).key
        assert isinstance(key, rsa.RSAPublicKey)
        assert key.public_numbers() == loaded.public_key.public_numbers()


def test_token_from_plain_jwt_encode_verifies(tokens: TokenService, genuine: str) -> None:
    active = tokens.key_ring().active
    claims = unb64(genuine.split(".")[1])
    pem = active.private_key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption())
    other = jwt.encode({**claims, "uti": "other"}, pem, algorithm="RS256", headers={"kid": active.kid})
    assert tokens.verify(other, audiences=ARM_AUDIENCES)["uti"] == "other"


def test_time_checks_use_the_injected_clock(tokens: TokenService, genuine: str, clock: FixedClock) -> None:
    """PyJWT's own exp check reads the wall clock; verify() goes by the service's clock (FixedClock in tests)."""
    with pytest.raises(jwt.ExpiredSignatureError):
        jwt.decode(genuine, tokens.key_ring().active.public_key, algorithms=["RS256"], audience=ARM)
    assert tokens.verify(genuine, audiences=ARM_AUDIENCES)["aud"] == ARM
    clock.advance(86400 + 301)
    with pytest.raises(E.ExpiredTokenError):
        tokens.verify(genuine, audiences=ARM_AUDIENCES)


# ----------------------------------------------------------------------------------- failure mode -> leaf
Forge = Callable[[dict[str, Any], dict[str, Any], str, rsa.RSAPrivateKey, rsa.RSAPrivateKey, int], str]


def _signed(**changes: Any) -> Forge:
    return lambda h, c, t, key, stranger, now: rs256(key, h, {**c, **changes})


def _without(*names: str, **changes: Any) -> Forge:
    return lambda h, c, t, key, stranger, now: rs256(key, h, {**{k: v for k, v in c.items() if k not in names},
                                                              **changes})


def _hs256(h: dict[str, Any], c: dict[str, Any], t: str, key: rsa.RSAPrivateKey, stranger: rsa.RSAPrivateKey,
           now: int) -> str:
    secret = key.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{b64json({**h, 'alg': 'HS256'})}.{b64json(c)}"
    return f"{signing_input}.{b64(hmac.new(secret, signing_input.encode(), hashlib.sha256).digest())}"


def _twin(last: str) -> str:
    """The base64url character that differs from ``last`` only in the bits a 2048-bit signature leaves unused."""
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return alphabet[alphabet.index(last) ^ 1]


CASES: list[tuple[str, Forge, type[E.TokenValidationError] | None]] = [
    # structure
    ("not a JWT", lambda h, c, t, k, s, n: "not-a-jwt", E.MalformedTokenError),
    ("two segments", lambda h, c, t, k, s, n: t.rsplit(".", 1)[0], E.MalformedTokenError),
    ("four segments", lambda h, c, t, k, s, n: t + ".x", E.MalformedTokenError),
    ("header is a JSON array", lambda h, c, t, k, s, n: f"{b64json([1])}.{b64json(c)}.x", E.MalformedTokenError),
    ("claims are not JSON", lambda h, c, t, k, s, n: f"{b64json(h)}.{b64(b'nope')}.x", E.MalformedTokenError),
    ("padded header", lambda h, c, t, k, s, n: f"{b64json(h)}=.{t.split('.', 1)[1]}", E.MalformedTokenError),
    # algorithm
    ("alg none", lambda h, c, t, k, s, n: f"{b64json({**h, 'alg': 'none'})}.{b64json(c)}.", E.UnsupportedAlgorithmError),
    ("HS256 keyed with the public key", _hs256, E.UnsupportedAlgorithmError),
    ("RS512 with our key", lambda h, c, t, k, s, n: rs256(k, {**h, "alg": "RS512"}, c, hashes.SHA512()),
     E.UnsupportedAlgorithmError),
    ("bad signature and alg none", lambda h, c, t, k, s, n: f"{b64json({**h, 'alg': 'none'})}.{b64json(c)}.AAAA",
     E.UnsupportedAlgorithmError),
    # key
    ("unknown kid", lambda h, c, t, k, s, n: rs256(k, {**h, "kid": "forged", "x5t": "forged"}, c), E.UnknownKeyError),
    ("no kid, no x5t", lambda h, c, t, k, s, n: rs256(k, {"typ": "JWT", "alg": "RS256"}, c), E.UnknownKeyError),
    ("kid not a string", lambda h, c, t, k, s, n: rs256(k, {**h, "kid": 7}, c), E.UnknownKeyError),
    ("x5t only", lambda h, c, t, k, s, n: rs256(k, {"typ": "JWT", "alg": "RS256", "x5t": h["x5t"]}, c), None),
    # signature (PyJWT)
    ("foreign key, our kid", lambda h, c, t, k, s, n: rs256(s, h, c), E.InvalidSignatureError),
    ("claims tampered", lambda h, c, t, k, s, n: ".".join([t.split(".")[0], b64json({**c, "oid": "x"}),
                                                          t.split(".")[2]]), E.InvalidSignatureError),
    ("truncated signature", lambda h, c, t, k, s, n: t[:-12], E.InvalidSignatureError),
    ("padded signature", lambda h, c, t, k, s, n: t + "==", E.InvalidSignatureError),
    ("signature removed", lambda h, c, t, k, s, n: t.rsplit(".", 1)[0] + ".", E.InvalidSignatureError),
    ("signature not base64url", lambda h, c, t, k, s, n: t.rsplit(".", 1)[0] + ".!!!!", E.InvalidSignatureError),
    ("signature not canonical base64url", lambda h, c, t, k, s, n: t[:-1] + _twin(t[-1]), E.InvalidSignatureError),
    ("unknown crit header, signed by us", lambda h, c, t, k, s, n: rs256(k, {**h, "crit": ["x"]}, c),
     E.InvalidSignatureError),
    ("foreign key and wrong audience", lambda h, c, t, k, s, n: rs256(s, h, {**c, "aud": "x"}), E.InvalidSignatureError),
    # issuer (PyJWT: issuer=, require iss/tid)
    ("wrong issuer", _signed(iss=f"https://sts.windows.net/{OTHER_TENANT}/"), E.InvalidIssuerError),
    ("v2 issuer", lambda h, c, t, k, s, n: rs256(k, h, {**c, "iss": f"https://login.microsoftonline.com/{c['tid']}/v2.0"}),
     E.InvalidIssuerError),
    ("no iss", _without("iss"), E.InvalidIssuerError),
    ("iss not a string", _signed(iss=5), E.InvalidIssuerError),
    ("no tid", _without("tid"), E.InvalidIssuerError),
    ("tid not a string", _signed(tid=5), E.InvalidIssuerError),
    ("wrong issuer and wrong audience", _signed(iss="https://sts.windows.net/x/", aud="x"), E.InvalidIssuerError),
    ("no aud and wrong issuer", _without("aud", iss="https://sts.windows.net/x/"), E.InvalidIssuerError),
    ("no exp and wrong issuer", _without("exp", iss="https://sts.windows.net/x/"), E.InvalidIssuerError),
    # audience (PyJWT: audience=, plus Azure's single-string rule)
    ("wrong audience", _signed(aud="https://vault.azure.net"), E.InvalidAudienceError),
    ("audience list", _signed(aud=[ARM]), E.InvalidAudienceError),
    ("no aud", _without("aud"), E.InvalidAudienceError),
    ("empty aud", _signed(aud=""), E.InvalidAudienceError),
    ("expired and wrong audience", lambda h, c, t, k, s, n: rs256(k, h, {**c, "exp": n - 3600, "aud": "x"}),
     E.InvalidAudienceError),
    # claim types (ours: PyJWT would coerce with int())
    ("exp as a string", lambda h, c, t, k, s, n: rs256(k, h, {**c, "exp": str(c["exp"])}), E.MalformedTokenError),
    ("exp as a float", lambda h, c, t, k, s, n: rs256(k, h, {**c, "exp": float(c["exp"])}), E.MalformedTokenError),
    ("exp as a boolean", _signed(exp=True), E.MalformedTokenError),
    ("no exp", _without("exp"), E.MalformedTokenError),
    ("no nbf, no iat", _without("nbf", "iat"), E.MalformedTokenError),
    # time (ours: the injected clock, five minutes of skew)
    ("expired", lambda h, c, t, k, s, n: rs256(k, h, {**c, "exp": n - 3600}), E.ExpiredTokenError),
    ("expired and not yet valid", lambda h, c, t, k, s, n: rs256(k, h, {**c, "exp": n - 3600, "nbf": n + 3600}),
     E.ExpiredTokenError),
    ("expired, other tenant", lambda h, c, t, k, s, n: rs256(k, h, {
        **c, "exp": n - 3600, "tid": OTHER_TENANT, "iss": f"https://sts.windows.net/{OTHER_TENANT}/"}),
     E.ExpiredTokenError),
    ("exp within skew", lambda h, c, t, k, s, n: rs256(k, h, {**c, "exp": n - 300}), None),
    ("not yet valid", lambda h, c, t, k, s, n: rs256(k, h, {**c, "nbf": n + 301}), E.NotYetValidError),
    ("nbf within skew", lambda h, c, t, k, s, n: rs256(k, h, {**c, "nbf": n + 300}), None),
    ("no nbf, iat in the future", lambda h, c, t, k, s, n: rs256(
        k, h, {**{x: v for x, v in c.items() if x != "nbf"}, "iat": n + 3600}), E.NotYetValidError),
    # tenant
    ("other tenant", _signed(tid=OTHER_TENANT, iss=f"https://sts.windows.net/{OTHER_TENANT}/"), E.WrongTenantError),
    # PyJWT would refuse these; Azure's validator does not check them, nor do we
    ("sub not a string", _signed(sub=5), None),
    ("jti not a string", _signed(jti=5), None),
    ("iat not an integer, nbf present", _signed(iat="soon"), None),
]


@pytest.mark.parametrize("forge, leaf", [pytest.param(f, leaf, id=name) for name, f, leaf in CASES])
def test_failure_mode_maps_to_leaf(tokens: TokenService, genuine: str, mi: DirectoryObject, forge: Forge,
                                   leaf: type[E.TokenValidationError] | None) -> None:
    h64, c64, _ = genuine.split(".")
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048) if leaf is E.InvalidSignatureError else \
        tokens.key_ring().active.private_key
    token = forge(unb64(h64), unb64(c64), genuine, tokens.key_ring().active.private_key, stranger,
                  int(tokens.clock.now()))
    if leaf is None:
        assert tokens.verify(token, audiences=ARM_AUDIENCES, tenant_id=mi.tenant_id)["oid"] == mi.object_id
        return
    with pytest.raises(E.TokenValidationError) as info:
        tokens.verify(token, audiences=ARM_AUDIENCES, tenant_id=mi.tenant_id)
    assert type(info.value) is leaf, info.value


def test_leaves_keep_their_details(tokens: TokenService, genuine: str, mi: DirectoryObject) -> None:
    h64, c64, _ = genuine.split(".")
    header, claims = unb64(h64), unb64(c64)
    key = tokens.key_ring().active.private_key
    with pytest.raises(E.InvalidAudienceError) as aud:
        tokens.verify(genuine, audiences=("https://vault.azure.net",))
    assert aud.value.audience == ARM and aud.value.accepted == ("https://vault.azure.net",)
    assert isinstance(aud.value.__cause__, jwt.InvalidAudienceError)
    assert str(aud.value) == (f"The access token has been obtained for wrong audience or resource '{ARM}'. It should "
                              "exactly match with one of the allowed audiences 'https://vault.azure.net'.")
    with pytest.raises(E.InvalidIssuerError) as iss:
        tokens.verify(rs256(key, header, {**claims, "iss": "https://evil/"}), audiences=ARM_AUDIENCES)
    assert iss.value.issuer == "https://evil/" and isinstance(iss.value.__cause__, jwt.InvalidIssuerError)
    with pytest.raises(E.InvalidIssuerError) as missing:
        tokens.verify(rs256(key, header, {k: v for k, v in claims.items() if k != "tid"}), audiences=ARM_AUDIENCES)
    assert missing.value.issuer == claims["iss"] and isinstance(missing.value.__cause__, jwt.MissingRequiredClaimError)
    with pytest.raises(E.InvalidSignatureError) as sig:
        tokens.verify(genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB"), audiences=ARM_AUDIENCES)
    assert isinstance(sig.value.__cause__, jwt.InvalidSignatureError)
    with pytest.raises(E.WrongTenantError) as tenant:
        tokens.verify(genuine, audiences=ARM_AUDIENCES, tenant_id=OTHER_TENANT)
    assert (tenant.value.token_tenant, tenant.value.expected_tenant) == (mi.tenant_id, OTHER_TENANT)


# --------------------------------------------------------------------------------------------- key caching
def test_minting_parses_no_pem(tokens: TokenService, mi: DirectoryObject, monkeypatch: pytest.MonkeyPatch) -> None:
    tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity")  # loads the ring once

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("a PEM key was parsed while minting")

    monkeypatch.setattr(serialization, "load_pem_private_key", refuse)
    monkeypatch.setattr(jwt.algorithms, "load_pem_private_key", refuse)
    for _ in range(3):
        tokens.clear_cache()
        assert not tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").cached


def test_verification_keys_are_cached_per_service(tokens: TokenService, store: Store, clock: FixedClock,
                                                  mi: DirectoryObject, monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str | None] = []

    class CountingPyJWK(jwt.PyJWK):
        def __init__(self, jwk_data: dict[str, Any], algorithm: str | None = None) -> None:
            super().__init__(jwk_data, algorithm)
            built.append(self.key_id)

    monkeypatch.setattr(jwt, "PyJWK", CountingPyJWK)
    resources = ["https://management.azure.com/", "https://management.azure.com", "https://management.core.windows.net/"]
    minted = [tokens.issue_for_principal(principal=mi, resource=r, kind="managed_identity").access_token
              for r in resources]
    for token in minted:
        tokens.verify(token, audiences=ARM_AUDIENCES)
    assert len(built) == 1  # three tokens, one key: one PyJWK
    other = TokenService(store, clock)
    for token in minted:
        other.verify(token, audiences=ARM_AUDIENCES)
    assert len(built) == 2  # its own cache: nothing shared between services
    tokens.roll_keys()
    tokens.clear_cache()
    fresh = tokens.issue_for_principal(principal=mi, resource=ARM, kind="managed_identity").access_token
    tokens.verify(fresh, audiences=ARM_AUDIENCES)
    assert len(built) == 3 and built[-1] == jwt.get_unverified_header(fresh)["kid"]


def test_a_verified_token_is_decoded_once(tokens: TokenService, genuine: str, clock: FixedClock, mi: DirectoryObject,
                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """PyJWT verifies a token once per service; audience, time and tenant are still checked on every call."""
    decodes: list[str] = []
    real_decode = jwt.decode

    def counting_decode(token: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
        decodes.append(token)
        return real_decode(token, *args, **kwargs)

    monkeypatch.setattr(jwt, "decode", counting_decode)
    first = tokens.verify(genuine, audiences=ARM_AUDIENCES)
    first["oid"] = "mutated by the caller"
    assert tokens.verify(genuine, audiences=ARM_AUDIENCES)["oid"] == mi.object_id  # a copy each time
    assert tokens.verify(f" {genuine}\n", audiences=ARM_AUDIENCES, tenant_id=mi.tenant_id)
    assert len(decodes) == 1
    with pytest.raises(E.InvalidAudienceError):
        tokens.verify(genuine, audiences=("https://vault.azure.net",))
    with pytest.raises(E.WrongTenantError):
        tokens.verify(genuine, audiences=ARM_AUDIENCES, tenant_id=OTHER_TENANT)
    clock.advance(86400 + 301)
    with pytest.raises(E.ExpiredTokenError):
        tokens.verify(genuine, audiences=ARM_AUDIENCES)
    assert len(decodes) == 1
    tokens.roll_keys()
    tokens.roll_keys()  # the key that signed it is no longer published
    with pytest.raises(E.UnknownKeyError):
        tokens.verify(genuine, audiences=ARM_AUDIENCES)


def test_failed_tokens_are_not_remembered(tokens: TokenService, genuine: str, monkeypatch: pytest.MonkeyPatch) -> None:
    tampered = genuine[:-4] + ("AAAA" if not genuine.endswith("AAAA") else "BBBB")
    for _ in range(2):
        with pytest.raises(E.InvalidSignatureError):
            tokens.verify(tampered, audiences=ARM_AUDIENCES)
    with pytest.raises(E.InvalidAudienceError):  # PyJWT refused the audience: not remembered as verified
        tokens.verify(genuine, audiences=("https://vault.azure.net",))
    decodes: list[str] = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda t, *a, **k: decodes.append(t) or real_decode(t, *a, **k))
    tokens.verify(genuine, audiences=ARM_AUDIENCES)
    assert decodes == [genuine]


def test_verified_tokens_are_bounded_and_thread_safe(tokens: TokenService, mi: DirectoryObject,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(tokens_module, "VERIFIED_TOKEN_CACHE_SIZE", 2)
    resources = ["https://management.azure.com/", "https://management.azure.com", "https://management.core.windows.net/"]
    minted = [tokens.issue_for_principal(principal=mi, resource=r, kind="managed_identity").access_token
              for r in resources]
    decodes: list[str] = []
    real_decode = jwt.decode
    monkeypatch.setattr(jwt, "decode", lambda t, *a, **k: decodes.append(t) or real_decode(t, *a, **k))
    for token in [*minted, minted[0]]:
        tokens.verify(token, audiences=ARM_AUDIENCES)
    assert decodes == [*minted, minted[0]]  # the oldest was dropped to keep two
    failures: list[BaseException] = []

    def hammer(offset: int) -> None:
        try:
            for i in range(60):
                tokens.verify(minted[(i + offset) % 3], audiences=ARM_AUDIENCES)
                if i % 20 == offset:
                    tokens.clear_cache()
        except BaseException as exc:  # noqa: BLE001 - reported below
            failures.append(exc)

    threads = [threading.Thread(target=hammer, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not failures


@pytest.mark.parametrize("module", [tokens_module, keys_module, E])
def test_no_module_level_mutable_state(module: object) -> None:
    mutable = {name: type(value).__name__ for name, value in vars(module).items()
               if isinstance(value, dict | list | set | bytearray) and name not in ("__all__", "__builtins__")}
    assert not mutable
