"""The local CA: created once, reused, strict-verifier-friendly certificates, clear errors on damage."""

from __future__ import annotations

import datetime as dt
import os
import ssl
import stat
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID

from azshell.server.ca import CA_CERT_FILE, CA_KEY_FILE, CAError, LocalCA


def test_created_once_then_loaded(tmp_path: Path) -> None:
    folder = str(tmp_path / "ca")
    first = LocalCA.load_or_create(folder)
    assert sorted(p for p in os.listdir(folder) if not p.startswith(".")) == sorted([CA_CERT_FILE, CA_KEY_FILE])
    assert stat.S_IMODE(os.stat(first.key_path).st_mode) == 0o600
    second = LocalCA.load_or_create(folder)
    assert second.cert == first.cert


def test_ca_certificate_extensions(tmp_path: Path) -> None:
    ca = LocalCA.load_or_create(str(tmp_path))
    bc = ca.cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert bc.critical and bc.value.ca
    ku = ca.cert.extensions.get_extension_for_class(x509.KeyUsage)
    assert ku.critical and ku.value.key_cert_sign
    ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier)


@pytest.mark.parametrize("host, san", [
    ("myvault.vault.azure.net", x509.DNSName("myvault.vault.azure.net")),
    ("127.0.0.1", x509.IPAddress(__import__("ipaddress").ip_address("127.0.0.1"))),
])
def test_leaf_certificate(tmp_path: Path, host: str, san: x509.GeneralName) -> None:
    ca = LocalCA.load_or_create(str(tmp_path))
    cert_pem, _ = ca.issue(host)
    leaf = x509.load_pem_x509_certificate(cert_pem)
    assert leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value == x509.SubjectAlternativeName([san])
    eku = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    assert ExtendedKeyUsageOID.SERVER_AUTH in eku
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    aki = leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value
    ski = ca.cert.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value
    assert aki.key_identifier == ski.digest
    leaf.verify_directly_issued_by(ca.cert)
    assert leaf.not_valid_after_utc - leaf.not_valid_before_utc <= dt.timedelta(days=398)


def test_leaf_verifies_with_strict_openssl_flags(tmp_path: Path) -> None:
    """A client context with VERIFY_X509_STRICT (Python 3.13's default) accepts the chain in a real handshake."""
    ca = LocalCA.load_or_create(str(tmp_path))
    server_ctx = ca.server_context("management.azure.com")
    client_ctx = ssl.create_default_context(cafile=ca.cert_path)
    client_ctx.verify_flags |= ssl.VERIFY_X509_STRICT
    c_in, c_out, s_in, s_out = ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO(), ssl.MemoryBIO()
    client = client_ctx.wrap_bio(c_in, c_out, server_hostname="management.azure.com")
    server = server_ctx.wrap_bio(s_in, s_out, server_side=True)
    done_c = done_s = False
    for _ in range(10):
        for obj, _inbox, outbox, peer_in in ((client, c_in, c_out, s_in), (server, s_in, s_out, c_in)):
            try:
                obj.do_handshake()
                if obj is client:
                    done_c = True
                else:
                    done_s = True
            except ssl.SSLWantReadError:
                pass
            peer_in.write(outbox.read())
        if done_c and done_s:
            break
    assert done_c and done_s


def test_contexts_are_cached_per_host(tmp_path: Path) -> None:
    ca = LocalCA.load_or_create(str(tmp_path))
    a = ca.server_context("management.azure.com")
    assert ca.server_context("MANAGEMENT.azure.com.") is a
    assert ca.server_context("login.microsoftonline.com") is not a


def test_damaged_files_are_an_error_not_a_new_ca(tmp_path: Path) -> None:
    folder = str(tmp_path)
    ca = LocalCA.load_or_create(folder)
    Path(ca.cert_path).write_text("not a certificate")
    with pytest.raises(CAError, match="damaged"):
        LocalCA.load_or_create(folder)
    assert Path(ca.cert_path).read_text() == "not a certificate"


def test_mismatched_key_is_an_error(tmp_path: Path) -> None:
    a = LocalCA.load_or_create(str(tmp_path / "a"))
    b = LocalCA.load_or_create(str(tmp_path / "b"))
    Path(a.key_path).write_bytes(Path(b.key_path).read_bytes())
    with pytest.raises(CAError, match="does not match"):
        LocalCA.load_or_create(str(tmp_path / "a"))


def test_missing_half_is_an_error(tmp_path: Path) -> None:
    ca = LocalCA.load_or_create(str(tmp_path))
    os.unlink(ca.key_path)
    with pytest.raises(CAError, match="incomplete"):
        LocalCA.load_or_create(str(tmp_path))


def test_expired_ca_is_an_error(tmp_path: Path) -> None:
    LocalCA.load_or_create(str(tmp_path), now=dt.datetime(2000, 1, 1, tzinfo=dt.UTC))
    with pytest.raises(CAError, match="expired"):
        LocalCA.load_or_create(str(tmp_path))


def test_unwritable_folder(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(CAError, match="Cannot create the CA folder"):
        LocalCA.load_or_create(str(blocker / "ca"))
