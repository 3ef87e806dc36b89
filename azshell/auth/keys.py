"""Per-tenant RSA-2048 signing keys, their self-signed certificates, and the JWKS that publishes them.

Entra ID signs v1 tokens with RSA keys whose JWKS entries carry ``kid``, ``x5t`` (base64url SHA-1 thumbprint of
the certificate DER, equal to ``kid``), ``n``, ``e`` and ``x5c``. azshell does the same: every key gets a real
self-signed X.509 certificate. The certificate is rebuilt deterministically from the key and its creation time
(fixed serial and validity, RSA PKCS#1 v1.5 signatures are deterministic), so only the PEM private key needs to
be stored and every process computes the same ``kid``.

Key states, derived from the stored records (``active`` flag and creation order)::

    previous  the newest inactive key created before the active one (still published: old tokens verify)
    active    signs new tokens
    next      the newest inactive key created after the active one (published ahead of the roll)

``KeyRing.roll()`` makes *next* active, the old active *previous*, and generates a new *next*. Keys older than
*previous* drop out of the JWKS, and tokens signed with them stop verifying (``UnknownKeyError``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Protocol

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from azshell.model.types import SigningKeyRecord

__all__ = [
    "CERT_SUBJECT_CN",
    "KeyFactory",
    "KeyRing",
    "KeyStore",
    "LoadedKey",
    "b64url",
    "generate_rsa_key",
    "load_pem_key",
]

#: Entra's signing certificates are issued to this subject.
CERT_SUBJECT_CN = "accounts.accesscontrol.windows.net"
CERT_VALIDITY_DAYS = 5 * 365
RSA_KEY_SIZE = 2048
RSA_PUBLIC_EXPONENT = 65537

KeyFactory = Callable[[], rsa.RSAPrivateKey]


class KeyStore(Protocol):
    """What the key ring needs from ``azshell.model.store.Store``."""

    def list_signing_keys(self, tenant_id: str) -> Sequence[SigningKeyRecord]: ...

    def put_signing_key(self, key: SigningKeyRecord) -> None: ...


def b64url(data: bytes) -> str:
    """Unpadded base64url, as JOSE uses it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _int_b64url(n: int) -> str:
    return b64url(n.to_bytes((n.bit_length() + 7) // 8, "big"))


def generate_rsa_key() -> rsa.RSAPrivateKey:
    """A fresh RSA-2048 key (slow: tens of milliseconds)."""
    return rsa.generate_private_key(public_exponent=RSA_PUBLIC_EXPONENT, key_size=RSA_KEY_SIZE)


def load_pem_key(pem: bytes) -> rsa.RSAPrivateKey:
    """Load an unencrypted PEM RSA private key (PKCS#1 or PKCS#8)."""
    key = serialization.load_pem_private_key(pem, password=None)
    if not isinstance(key, rsa.RSAPrivateKey):
        raise ValueError("signing keys must be RSA")
    return key


def _private_pem(key: rsa.RSAPrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _self_signed_cert(key: rsa.RSAPrivateKey, created: float) -> x509.Certificate:
    """A deterministic self-signed certificate for ``key`` (serial from the key, validity from ``created``)."""
    pub_der = key.public_key().public_bytes(serialization.Encoding.DER,
                                            serialization.PublicFormat.SubjectPublicKeyInfo)
    serial = int.from_bytes(hashlib.sha1(pub_der).digest()[:16], "big") >> 1 or 1
    start = dt.datetime.fromtimestamp(int(created), tz=dt.UTC)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, CERT_SUBJECT_CN)])
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(serial)
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=CERT_VALIDITY_DAYS))
        .sign(key, hashes.SHA256())
    )


@dataclass(frozen=True)
class LoadedKey:
    """A signing key ready to use: parsed key objects, certificate DER and JWK."""

    kid: str
    tenant_id: str
    created: float
    active: bool
    private_key: rsa.RSAPrivateKey
    public_key: rsa.RSAPublicKey
    cert_der: bytes

    @property
    def x5t(self) -> str:
        return self.kid

    def jwk(self, issuer: str | None = None) -> dict[str, Any]:
        """The JWKS entry, shaped like Entra's (``kty use kid x5t n e x5c`` [+ ``issuer`` on v2])."""
        nums = self.public_key.public_numbers()
        entry: dict[str, Any] = {
            "kty": "RSA",
            "use": "sig",
            "kid": self.kid,
            "x5t": self.kid,
            "n": _int_b64url(nums.n),
            "e": _int_b64url(nums.e),
            "x5c": [base64.b64encode(self.cert_der).decode("ascii")],
        }
        if issuer is not None:
            entry["issuer"] = issuer
        return entry

    @classmethod
    def build(cls, key: rsa.RSAPrivateKey, *, tenant_id: str, created: float, active: bool) -> LoadedKey:
        cert_der = _self_signed_cert(key, created).public_bytes(serialization.Encoding.DER)
        kid = b64url(hashlib.sha1(cert_der).digest())
        return cls(kid, tenant_id, created, active, key, key.public_key(), cert_der)


class KeyRing:
    """The signing keys of one tenant, loaded from the store and generated lazily.

    Arguments:
        store: where key records persist (``list_signing_keys``/``put_signing_key``).
        tenant_id: the tenant whose keys these are.
        clock: ``now()`` for creation times.
        key_factory: makes new RSA keys; defaults to ``generate_rsa_key``. Tests pass one that returns
            pre-made keys from ``tests/keys/`` because RSA generation is slow.
    """

    def __init__(self, store: KeyStore, tenant_id: str, now: Callable[[], float],
                 key_factory: KeyFactory | None = None) -> None:
        self._store = store
        self.tenant_id = tenant_id
        self._now = now
        self._factory = key_factory or generate_rsa_key
        self._loaded: dict[str, LoadedKey] = {}  # every kid ever loaded, by kid
        self._records: tuple[SigningKeyRecord, ...] | None = None
        self._published: dict[str, LoadedKey] = {}
        self._active: LoadedKey | None = None

    # -- loading -------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the key records from the store (cheap: parses only keys not seen before)."""
        records = tuple(self._store.list_signing_keys(self.tenant_id))
        if records == self._records and self._active is not None:
            return
        if not any(r.active for r in records):
            self._create_initial(records)
            records = tuple(self._store.list_signing_keys(self.tenant_id))
        self._records = records
        self._select(records)

    def _load(self, rec: SigningKeyRecord) -> LoadedKey:
        hit = self._loaded.get(rec.kid)
        if hit is None or hit.active != rec.active:
            base = hit or LoadedKey.build(load_pem_key(rec.private_pem), tenant_id=rec.tenant_id,
                                          created=rec.created, active=rec.active)
            hit = replace(base, kid=rec.kid, active=rec.active)
            self._loaded[rec.kid] = hit
        return hit

    def _select(self, records: Sequence[SigningKeyRecord]) -> None:
        ordered = sorted(records, key=lambda r: (r.created, r.kid))
        actives = [r for r in ordered if r.active]
        active = actives[-1]
        prev = [r for r in ordered if not r.active and (r.created, r.kid) < (active.created, active.kid)]
        nxt = [r for r in ordered if not r.active and (r.created, r.kid) > (active.created, active.kid)]
        chosen = [active, *actives[:-1][-1:], *prev[-1:], *nxt[-1:]]
        self._active = self._load(active)
        self._published = {r.kid: self._load(r) for r in chosen}

    def _new_record(self, *, active: bool, after: float) -> SigningKeyRecord:
        created = max(float(int(self._now())), after + 1.0)
        loaded = LoadedKey.build(self._factory(), tenant_id=self.tenant_id, created=created, active=active)
        self._loaded[loaded.kid] = loaded
        return SigningKeyRecord(kid=loaded.kid, tenant_id=self.tenant_id,
                                private_pem=_private_pem(loaded.private_key), created=created, active=active)

    def _create_initial(self, records: Sequence[SigningKeyRecord]) -> None:
        """Store a first active/next pair, unless another process stored one meanwhile: several processes starting
        on one new state file must agree on one active key (else tokens signed with a key that drops out of the
        JWKS fail to verify elsewhere). The keys are generated first (slow); the check and the writes are one
        write transaction when the store has them (``Store.transaction``)."""
        latest = max((r.created for r in records), default=0.0)
        first = self._new_record(active=True, after=latest)
        second = self._new_record(active=False, after=first.created)
        transaction = getattr(self._store, "transaction", None)
        with transaction() if callable(transaction) else contextlib.nullcontext():
            if any(r.active for r in self._store.list_signing_keys(self.tenant_id)):
                return
            self._store.put_signing_key(first)
            self._store.put_signing_key(second)

    def install(self, key: rsa.RSAPrivateKey, *, active: bool) -> LoadedKey:
        """Store a pre-made key (tests, imports); an active install deactivates the current active key."""
        self.refresh()
        latest = max((r.created for r in self._records or ()), default=0.0)
        created = max(float(int(self._now())), latest + 1.0)
        loaded = LoadedKey.build(key, tenant_id=self.tenant_id, created=created, active=active)
        if active:
            for r in self._records or ():
                if r.active:
                    self._store.put_signing_key(replace(r, active=False))
        self._store.put_signing_key(SigningKeyRecord(kid=loaded.kid, tenant_id=self.tenant_id,
                                                     private_pem=_private_pem(key), created=created,
                                                     active=active))
        self.refresh()
        return self._published.get(loaded.kid, loaded)

    # -- use -----------------------------------------------------------------------------------------------
    @property
    def active(self) -> LoadedKey:
        """The key that signs new tokens (generating the first pair if the tenant has none)."""
        if self._active is None:
            self.refresh()
        assert self._active is not None
        return self._active

    def published(self) -> list[LoadedKey]:
        """The keys in the JWKS: active first, then next/previous."""
        if self._active is None:
            self.refresh()
        return list(self._published.values())

    def find(self, kid: str) -> LoadedKey | None:
        """The published key with this ``kid``; re-reads the store once on a miss (another process rolled)."""
        hit = self._published.get(kid)
        if hit is None:
            self.refresh()
            hit = self._published.get(kid)
        return hit

    def roll(self) -> LoadedKey:
        """Make *next* active, keep the old active published as *previous*, generate a new *next*."""
        self.refresh()
        records = sorted(self._records or (), key=lambda r: (r.created, r.kid))
        active = next(r for r in reversed(records) if r.active)
        nxt = [r for r in records if not r.active and (r.created, r.kid) > (active.created, active.kid)]
        latest = records[-1].created
        if nxt:
            promoted = nxt[-1]
        else:
            promoted = self._new_record(active=False, after=latest)
            latest = promoted.created
        for r in records:
            if r.active:
                self._store.put_signing_key(replace(r, active=False))
        # Promotion keeps the creation time, so a later 'next' must be newer than the promoted key.
        self._store.put_signing_key(replace(promoted, active=True))
        self._store.put_signing_key(self._new_record(active=False, after=latest))
        self.refresh()
        return self.active
