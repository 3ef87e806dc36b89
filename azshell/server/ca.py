"""azshell's own local certificate authority, for the TLS ends of ``CONNECT`` tunnels.

``azshell serve`` terminates ``CONNECT management.azure.com:443`` (and the other Azure hostnames) itself, so it
needs certificates those clients trust. It keeps one CA per state folder and issues a leaf certificate per host
name on demand::

    ca = LocalCA.load_or_create("/home/me/.azshell/ca")    # ca.pem (give this to clients) + ca-key.pem
    ctx = ca.server_context("myvault.vault.azure.net")     # ssl.SSLContext with a leaf for that name, cached

The CA is created once and then reused, so a client configured with ``REQUESTS_CA_BUNDLE=.../ca.pem`` keeps
working across restarts. Certificates follow the rules strict verifiers apply (Python 3.13's
``VERIFY_X509_STRICT``, OpenSSL 3): the CA has a critical ``basicConstraints``, a critical ``keyUsage`` and a
subject key identifier; leaves have a SAN, ``extendedKeyUsage=serverAuth`` and an authority key identifier.
Keys are EC P-256: generating one takes microseconds, so a leaf per host costs nothing noticeable.

Errors::

    CAError        the CA folder cannot be created or read, or its files are damaged or expired
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
import ssl
import tempfile
import threading
from collections.abc import Callable
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from azshell.errors import AzShellError

__all__ = ["CA_CERT_FILE", "CA_KEY_FILE", "CAError", "LocalCA"]

#: File names inside the CA folder.
CA_CERT_FILE = "ca.pem"
CA_KEY_FILE = "ca-key.pem"

CA_COMMON_NAME = "azshell local CA"
CA_ORGANIZATION = "azshell (offline Azure emulator; never trust outside this machine)"
CA_VALIDITY = dt.timedelta(days=3650)
#: 397 days: the longest leaf lifetime every mainstream verifier accepts.
LEAF_VALIDITY = dt.timedelta(days=397)
#: Back-date certificates a little so small clock differences never make them "not yet valid".
BACKDATE = dt.timedelta(hours=1)


class CAError(AzShellError):
    """The local CA cannot be created, read or used; the message says which file and what to do."""


@dataclass(frozen=True)
class _Leaf:
    cert_pem: bytes
    key_pem: bytes


class LocalCA:
    """A CA certificate and key, and a cache of per-host server ``SSLContext`` objects.

    Arguments:
        folder: where ``ca.pem`` and ``ca-key.pem`` live.
        cert: the CA certificate.
        key: the CA private key.
    """

    def __init__(self, folder: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        self.folder = folder
        self.cert = cert
        self.key = key
        self._contexts: dict[str, ssl.SSLContext] = {}
        self._lock = threading.Lock()

    # ------------------------------------------------------------------------------------------ files
    @property
    def cert_path(self) -> str:
        """The CA certificate (PEM): what clients put in ``REQUESTS_CA_BUNDLE``/``SSL_CERT_FILE``/``--cacert``."""
        return os.path.join(self.folder, CA_CERT_FILE)

    @property
    def key_path(self) -> str:
        return os.path.join(self.folder, CA_KEY_FILE)

    @classmethod
    def load_or_create(cls, folder: str, *, now: dt.datetime | None = None) -> LocalCA:
        """Load the CA kept in ``folder``, creating folder, key and certificate the first time.

        Raises ``CAError`` when the folder cannot be written, or when the files exist but are damaged, do not
        match, or have expired (the CA is never replaced silently: clients may already trust it).
        """
        moment = now or dt.datetime.now(dt.UTC)
        cert_path = os.path.join(folder, CA_CERT_FILE)
        key_path = os.path.join(folder, CA_KEY_FILE)
        try:
            os.makedirs(folder, mode=0o700, exist_ok=True)
        except OSError as exc:
            raise CAError(f"Cannot create the CA folder {folder}: {exc.strerror or exc}.") from None
        with _FolderLock(folder):
            have_cert, have_key = os.path.exists(cert_path), os.path.exists(key_path)
            if not have_cert and not have_key:
                key = ec.generate_private_key(ec.SECP256R1())
                cert = _make_ca_cert(key, moment)
                _write_atomic(key_path, key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                ), mode=0o600)
                _write_atomic(cert_path, cert.public_bytes(serialization.Encoding.PEM), mode=0o644)
                return cls(folder, cert, key)
        return cls._load(folder, cert_path, key_path, moment)

    @classmethod
    def _load(cls, folder: str, cert_path: str, key_path: str, moment: dt.datetime) -> LocalCA:
        hint = f"Delete the folder {folder} to create a new CA (clients must then trust the new ca.pem)."
        try:
            with open(cert_path, "rb") as f:
                cert = x509.load_pem_x509_certificate(f.read())
            with open(key_path, "rb") as f:
                loaded = serialization.load_pem_private_key(f.read(), password=None)
        except FileNotFoundError as exc:
            raise CAError(f"The local CA in {folder} is incomplete ({exc.filename} is missing). {hint}") from None
        except OSError as exc:
            raise CAError(f"Cannot read the local CA in {folder}: {exc.strerror or exc}.") from None
        except ValueError:
            raise CAError(f"The local CA files in {folder} are damaged. {hint}") from None
        if not isinstance(loaded, ec.EllipticCurvePrivateKey):
            raise CAError(f"The local CA key {key_path} is not an EC key. {hint}")
        cert_key = cert.public_key()
        if (not isinstance(cert_key, ec.EllipticCurvePublicKey)
                or cert_key.public_numbers() != loaded.public_key().public_numbers()):
            raise CAError(f"The local CA key {key_path} does not match {cert_path}. {hint}")
        if cert.not_valid_after_utc <= moment + dt.timedelta(days=1):
            raise CAError(f"The local CA {cert_path} has expired (or expires within a day). {hint}")
        return cls(folder, cert, loaded)

    # ------------------------------------------------------------------------------------------ leaves
    def issue(self, host: str, *, now: dt.datetime | None = None) -> tuple[bytes, bytes]:
        """A new leaf certificate and key (both PEM) for ``host`` (a DNS name or an IP address)."""
        leaf = self._issue(host, now or dt.datetime.now(dt.UTC))
        return leaf.cert_pem, leaf.key_pem

    def _issue(self, host: str, moment: dt.datetime) -> _Leaf:
        key = ec.generate_private_key(ec.SECP256R1())
        san: x509.GeneralName
        try:
            san = x509.IPAddress(ipaddress.ip_address(host))
        except ValueError:
            san = x509.DNSName(host)
        not_after = min(moment + LEAF_VALIDITY, self.cert.not_valid_after_utc)
        ca_ski = self.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
        cert = (
            x509.CertificateBuilder()
            .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, host[:64])]))
            .issuer_name(self.cert.subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(moment - BACKDATE)
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
                key_agreement=True, key_cert_sign=False, crl_sign=False, encipher_only=False, decipher_only=False,
            ), critical=True)
            .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
            .add_extension(x509.SubjectAlternativeName([san]), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ca_ski), critical=False)
            .sign(self.key, hashes.SHA256())
        )
        return _Leaf(
            cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            ),
        )

    def server_context(self, host: str, *, sni: Callable[[str], ssl.SSLContext | None] | None = None) -> ssl.SSLContext:
        """A server-side ``SSLContext`` presenting a leaf for ``host`` (issued on first use, then cached).

        Arguments:
            host: the name the certificate is for (lower-cased).
            sni: optional hook called with the client's SNI name when it differs from ``host``; it returns the
                context to switch to, or None to keep this one. ``serve`` passes a hook that only accepts
                Azure host names.
        """
        name = host.lower().rstrip(".")
        with self._lock:
            ctx = self._contexts.get(name)
            if ctx is not None:
                return ctx
        leaf = self._issue(name, dt.datetime.now(dt.UTC))
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.set_alpn_protocols(["http/1.1"])
        _load_chain(ctx, leaf)
        if sni is not None:
            ctx.sni_callback = _sni_switcher(name, sni)
        with self._lock:
            return self._contexts.setdefault(name, ctx)


def _sni_switcher(
    name: str, choose: Callable[[str], ssl.SSLContext | None]
) -> Callable[[ssl.SSLObject, str | None, ssl.SSLContext], None]:
    def callback(sslobj: ssl.SSLObject, server_name: str | None, _ctx: ssl.SSLContext) -> None:
        if server_name is None or server_name.lower().rstrip(".") == name:
            return None
        other = choose(server_name.lower().rstrip("."))
        if other is not None:
            sslobj.context = other
        return None

    return callback


def _load_chain(ctx: ssl.SSLContext, leaf: _Leaf) -> None:
    """``SSLContext.load_cert_chain`` reads files only: write the leaf to a private temp file and load it."""
    fd, path = tempfile.mkstemp(prefix="azshell-leaf-", suffix=".pem")
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(leaf.cert_pem + leaf.key_pem)
        ctx.load_cert_chain(path)
    finally:
        os.unlink(path)


def _make_ca_cert(key: ec.EllipticCurvePrivateKey, moment: dt.datetime) -> x509.Certificate:
    name = x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, CA_COMMON_NAME),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, CA_ORGANIZATION),
    ])
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(moment - BACKDATE)
        .not_valid_after(moment + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, content_commitment=False, key_encipherment=False, data_encipherment=False,
            key_agreement=False, key_cert_sign=True, crl_sign=True, encipher_only=False, decipher_only=False,
        ), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
        .sign(key, hashes.SHA256())
    )


def _write_atomic(path: str, data: bytes, *, mode: int) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise


class _FolderLock:
    """An advisory lock on ``<folder>/.lock`` so two servers starting at once create one CA, not two."""

    def __init__(self, folder: str) -> None:
        self._path = os.path.join(folder, ".lock")
        self._fd: int | None = None

    def __enter__(self) -> _FolderLock:
        try:
            self._fd = os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            raise CAError(f"Cannot write in the CA folder {os.path.dirname(self._path)}: "
                          f"{exc.strerror or exc}.") from None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: best effort without a lock
            return self
        fcntl.flock(self._fd, fcntl.LOCK_EX)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing releases the flock
            self._fd = None
