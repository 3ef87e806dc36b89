"""Signing keys: deterministic kid/x5t from the key, certificates in the JWKS, installing a pre-made key."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from cryptography import x509

from azshell.auth.keys import LoadedKey, b64url, load_pem_key
from azshell.auth.tokens import TokenService
from azshell.model.store import Store

TEST_KEYS = [load_pem_key(p.read_bytes())
             for p in sorted((Path(__file__).resolve().parent.parent / "keys").glob("signing_key_*.pem"))]


def test_kid_is_x5t_thumbprint_and_deterministic() -> None:
    a = LoadedKey.build(TEST_KEYS[0], tenant_id="t", created=1_700_000_000, active=True)
    b = LoadedKey.build(TEST_KEYS[0], tenant_id="t", created=1_700_000_000, active=True)
    assert a.kid == b.kid == b64url(hashlib.sha1(a.cert_der).digest())
    assert len(a.kid) == 27  # base64url of 20 bytes, like Entra's kids
    jwk = a.jwk()
    assert base64.b64decode(jwk["x5c"][0]) == a.cert_der
    cert = x509.load_der_x509_certificate(a.cert_der)
    assert cert.public_key().public_numbers() == TEST_KEYS[0].public_key().public_numbers()  # type: ignore[union-attr]
    assert cert.subject == cert.issuer


def test_install_premade_active_key(tokens: TokenService, store: Store) -> None:
    loaded = tokens.key_ring().install(TEST_KEYS[3], active=True)
    assert tokens.key_ring().active.kid == loaded.kid
    actives = [r for r in store.list_signing_keys(store.get_tenant().tenant_id) if r.active]
    assert [r.kid for r in actives] == [loaded.kid]
    assert loaded.kid in [k["kid"] for k in tokens.jwks()["keys"]]
