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

``KeyRing.roll(retire_after=s)`` (``Invoke-AzShellKeyRollover -GracePeriod``) instead keeps the old active key
published until ``s`` seconds of tenant time have passed, however many rolls follow, then drops it: the
retirement times are the settings row ``controls.key_retirement`` (``{kid: epoch seconds}``).
"""

from __future__ import annotations

import base64
import contextlib
import datetime as dt
import hashlib
import json
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
#: the settings row with the retirement time of each key rolled with a grace period
RETIREMENT_SETTING = "controls.key_retirement"
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
        self._retire: dict[str, float] = {}  # kid -> tenant time it leaves the JWKS (rolled with a grace period)
        self._gen: int | None = None  # the store generation last read (another process may roll)

    def _current(self) -> None:
        """Re-read the records when any process has written to the store since they were read."""
        generation = getattr(self._store, "generation", None)
        if self._active is None or (callable(generation) and generation() != self._gen):
            self.refresh()

    # -- loading -------------------------------------------------------------------------------------------
    def refresh(self) -> None:
        """Re-read the key records from the store (cheap: parses only keys not seen before)."""
        generation = getattr(self._store, "generation", None)
        if callable(generation):
            self._gen = generation()
        records = tuple(self._store.list_signing_keys(self.tenant_id))
        if records == self._records and self._active is not None:
            self._retire = self._read_retirement()
            return
        if not any(r.active for r in records):
            self._create_initial(records)
            records = tuple(self._store.list_signing_keys(self.tenant_id))
        self._records = records
        self._retire = self._read_retirement()
        self._select(records)

    def _read_retirement(self) -> dict[str, float]:
        getter = getattr(self._store, "get_setting", None)
        text = getter(RETIREMENT_SETTING) if callable(getter) else None
        try:
            data = json.loads(text) if text else {}
        except ValueError:
            return {}
        if not isinstance(data, dict):
            return {}
        return {str(k): float(v) for k, v in data.items() if isinstance(v, (int, float)) and not isinstance(v, bool)}

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
        # Keys rolled with a grace period stay until their retirement time (``published`` filters by time);
        # otherwise the newest previous key stays, until the next roll.
        graced = [r for r in prev if r.kid in self._retire]
        plain = [r for r in prev if r.kid not in self._retire][-1:]
        if plain and graced and (plain[0].created, plain[0].kid) < (graced[-1].created, graced[-1].kid):
            plain = []
        chosen = [active, *actives[:-1][-1:], *plain, *graced, *nxt[-1:]]
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
        self._current()
        assert self._active is not None
        return self._active

    def _retired(self, kid: str) -> bool:
        until = self._retire.get(kid)
        return until is not None and self._now() >= until

    def published(self) -> list[LoadedKey]:
        """The keys in the JWKS: active first, then next/previous (keys past their retirement time left out)."""
        self._current()
        return [k for k in self._published.values() if not self._retired(k.kid)]

    def find(self, kid: str) -> LoadedKey | None:
        """The published key with this ``kid``; re-reads the store once on a miss (another process rolled)."""
        self._current()
        hit = self._published.get(kid)
        if hit is None:
            self.refresh()
            hit = self._published.get(kid)
        return None if hit is None or self._retired(kid) else hit

    def retirement(self, kid: str) -> float | None:
        """When the key ``kid`` leaves the JWKS (tenant time), if it was rolled with a grace period."""
        if self._active is None:
            self.refresh()
        return self._retire.get(kid)

    def roll(self, *, retire_after: float | None = None) -> LoadedKey:
        """Make *next* active, keep the old active published as *previous*, generate a new *next*.

        With ``retire_after`` (seconds of tenant time), the old active key stays published that long — through
        later rolls too — and then leaves the JWKS; tokens it signed are refused from then on."""
        self.refresh()
        if retire_after is not None:
            getter, setter = getattr(self._store, "get_setting", None), getattr(self._store, "set_setting", None)
            if not callable(getter) or not callable(setter):
                raise TypeError("a grace period needs a store with settings")
            old = self.active.kid
            retire = self._read_retirement()  # retired keys stay listed: they never come back
            retire[old] = self._now() + max(0.0, retire_after)
            setter(RETIREMENT_SETTING, json.dumps(retire, sort_keys=True))
            self._retire = retire
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
