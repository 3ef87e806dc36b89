"""azure-datalake-store (the Data Lake Store Gen1 SDK), unmodified, against ``azshell serve`` (issue 15).

``core.AzureDLFileSystem`` reaches the real host name ``{store}.azuredatalakestore.net`` through ``HTTPS_PROXY``
with the local CA (``REQUESTS_CA_BUNDLE``), authenticated by azure-identity's ``ManagedIdentityCredential`` on
the emulated IMDS (vm1's identity, and the user-assigned identity attached to it) or by the admin's token from
the emulated login. Every call below is the SDK's own wire traffic: mkdir (MKDIRS), write (CREATE with
``write=true``, APPENDs with ``offset``), open/read (OPEN ``offset``/``length``/``read=true``), ls with paging
(LISTSTATUS ``listSize``/``listAfter`` → ``continuationToken``), walk, du, df, GETCONTENTSUMMARY, get_acl_status
(MSGETACLSTATUS), modify/remove/set ACLs, CHECKACCESS, chmod, mv, concat (MSCONCAT), set_expiry (``/webhdfsext``),
rm, the multithreaded uploader/downloader, and ``PermissionError`` (403) for an identity without ACL permission.

Seeded by ``seed_services`` (test_real_clients): vm1 has ``rwx`` on ``/`` by a named ACL entry; the root is the
admin's (770), so the user-assigned identity can neither list nor traverse it. Marked ``slow``: runs in CI.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from azshell.server import AzShellServer
from azshell.server.ca import LocalCA
from tests.conftest import require_module, skip_or_fail

from .conftest import Tenant, use_serve_env
from .test_real_clients import DATA_LAKE, Services, seed_services

pytestmark = pytest.mark.slow


@pytest.fixture
def services(tenant: Tenant) -> Services:
    return seed_services(tenant)


@pytest.fixture
def sdk_env(monkeypatch: pytest.MonkeyPatch, server: AzShellServer, ca: LocalCA, tmp_path: Path) -> AzShellServer:
    """Exactly the variables ``azshell serve --vm vm1`` prints, on a scrubbed environment; the SDK's transfer
    state (``~/.config/azure-datalake-store``) goes to a temporary folder."""
    sdk = require_module("azure.datalake.store")
    if int(str(sdk.__version__).split(".")[0]) < 1:  # 0.0.x authenticates with ADAL (lib.auth), not a credential
        skip_or_fail(f"azure-datalake-store {sdk.__version__} predates the TokenCredential API",
                     "CI must install azure-datalake-store>=1.0 (pyproject.toml's test extras)")
    require_module("azure.identity")
    use_serve_env(monkeypatch, server, ca)
    import azure.datalake.store.multithread as multithread

    monkeypatch.setattr(multithread, "datadir", str(tmp_path / "adls-state"))
    return server


class StaticToken:
    """A ``TokenCredential`` handing out one token (the admin's, from the emulated login)."""

    def __init__(self, token: str) -> None:
        self.token = token

    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.core.credentials import AccessToken

        return AccessToken(self.token, int(time.time()) + 3600)


def filesystem(store: str, credential: Any) -> Any:
    from azure.datalake.store import core

    return core.AzureDLFileSystem(credential, store_name=store)


@pytest.fixture
def adl(sdk_env: AzShellServer, services: Services) -> Iterator[Any]:
    """The file system as vm1 (system-assigned identity: ``rwx`` on ``/``)."""
    from azure.identity import ManagedIdentityCredential

    yield filesystem(services.store, ManagedIdentityCredential())


def admin_filesystem(services: Services) -> Any:
    world = services.tenant.world
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=DATA_LAKE,
                                             kind="user").access_token
    return filesystem(services.store, StaticToken(token))


# ------------------------------------------------------------------------------------------ files and folders
def test_mkdir_write_read_and_append(adl: Any) -> None:
    adl.mkdir("sdk/data")
    assert adl.exists("sdk/data") and adl.info("sdk/data")["type"] == "DIRECTORY"
    assert adl.ls("sdk/data") == []
    payload = b"".join(f"line {i:03d}\n".encode() for i in range(120))
    # blocksize 100: the SDK sends CREATE (write=true, empty) then many APPENDs, each at the offset it expects
    with adl.open("sdk/data/log.txt", "wb", blocksize=100) as f:
        assert f.write(payload) == len(payload)
    info = adl.info("sdk/data/log.txt")
    assert (info["type"], info["length"], info["msExpirationTime"]) == ("FILE", len(payload), 0)
    assert info["permission"] == "770" and info["blockSize"] == 268435456
    # reads in 64-byte OPENs (offset, length, read=true)
    with adl.open("sdk/data/log.txt", "rb", blocksize=64) as f:
        assert f.read() == payload
        f.seek(9)
        assert f.read(9) == b"line 001\n"
        f.seek(0)
        assert f.readline() == b"line 000\n"
    assert adl.cat("sdk/data/log.txt") == payload
    assert adl.head("sdk/data/log.txt", 9) == b"line 000\n" and adl.tail("sdk/data/log.txt", 9) == b"line 119\n"
    assert adl.read_block("sdk/data/log.txt", 18, 9) == b"line 002\n"
    with adl.open("sdk/data/log.txt", "ab") as f:  # APPEND at the current length
        f.write(b"the end\n")
    assert adl.cat("sdk/data/log.txt") == payload + b"the end\n"
    adl.touch("sdk/data/empty")
    assert adl.info("sdk/data/empty")["length"] == 0 and adl.cat("sdk/data/empty") == b""
    with pytest.raises(FileNotFoundError):
        adl.cat("sdk/data/missing")
    with pytest.raises(FileNotFoundError):
        adl.ls("sdk/nope")


def test_ls_pages_with_continuation_tokens(adl: Any) -> None:
    names = [f"d{i:02d}" for i in range(23)]
    for name in names:
        adl.mkdir(f"sdk/many/{name}")
    with adl.open("sdk/many/z.txt", "wb") as f:
        f.write(b"zz")
    everything = [f"sdk/many/{n}" for n in names] + ["sdk/many/z.txt"]
    assert adl.ls("sdk/many") == everything
    assert [f["name"] for f in adl._ls("sdk/many", batch_size=5)] == everything  # five LISTSTATUS pages
    first = adl.azure.call("LISTSTATUS", "sdk/many", listSize=5)
    assert list(first["FileStatuses"]) == ["continuationToken", "FileStatus"]  # the token first, as ADLS
    assert first["FileStatuses"]["continuationToken"] == "d04"
    assert [s["pathSuffix"] for s in first["FileStatuses"]["FileStatus"]] == names[:5]
    nxt = adl.azure.call("LISTSTATUS", "sdk/many", listSize=5, listAfter="d04")["FileStatuses"]
    assert [s["pathSuffix"] for s in nxt["FileStatus"]] == names[5:10]
    # a full last page still names its last entry; the next one is empty with ""
    full = adl.azure.call("LISTSTATUS", "sdk/many", listSize=4, listAfter="d19")["FileStatuses"]
    assert full["continuationToken"] == "z.txt"
    assert adl.azure.call("LISTSTATUS", "sdk/many", listSize=4, listAfter="z.txt")["FileStatuses"] == {
        "continuationToken": "", "FileStatus": []}
    detail = adl.ls("sdk/many", detail=True)
    assert detail[-1]["type"] == "FILE" and detail[-1]["length"] == 2
    assert "sdk" in adl.ls("/")  # the root, asked for as /webhdfs/v1/.


def test_walk_du_df_and_content_summary(adl: Any) -> None:
    for path, size in (("sdk/tree/a.txt", 3), ("sdk/tree/sub/b.txt", 5), ("sdk/tree/sub/deeper/c.txt", 7)):
        with adl.open(path, "wb") as f:
            f.write(b"x" * size)
    adl.mkdir("sdk/tree/empty")
    assert sorted(adl.walk("sdk/tree")) == ["sdk/tree/a.txt", "sdk/tree/sub/b.txt", "sdk/tree/sub/deeper/c.txt"]
    assert adl.glob("sdk/tree/sub/*.txt") == ["sdk/tree/sub/b.txt"]
    assert adl.du("sdk/tree") == {"sdk/tree/a.txt": 3, "sdk/tree/empty": 0, "sdk/tree/sub": 0}
    assert adl.du("sdk/tree", total=True, deep=True) == 15
    summary = {"directoryCount": 4, "fileCount": 3, "length": 15, "quota": -1, "spaceConsumed": 15,
               "spaceQuota": -1}
    assert adl.df("sdk/tree") == summary
    assert adl.azure.call("GETCONTENTSUMMARY", "sdk/tree") == {"ContentSummary": summary}
    assert adl.azure.call("GETCONTENTSUMMARY", "sdk/tree/a.txt")["ContentSummary"]["fileCount"] == 1


def test_rename_concat_chmod_expiry_and_remove(adl: Any) -> None:
    from azure.datalake.store.exceptions import DatalakeRESTException

    for name, data in (("p1", b"hello "), ("p2", b"world")):
        with adl.open(f"sdk/parts/{name}", "wb") as f:
            f.write(data)
    adl.concat("sdk/joined.txt", ["sdk/parts/p1", "sdk/parts/p2"])  # MSCONCAT with a JSON body
    assert adl.cat("sdk/joined.txt") == b"hello world"
    assert adl.ls("sdk/parts") == []
    adl.mv("sdk/joined.txt", "sdk/moved.txt")
    assert not adl.exists("sdk/joined.txt") and adl.cat("sdk/moved.txt") == b"hello world"
    with pytest.raises(DatalakeRESTException):  # {"boolean": false}
        adl.mv("sdk/nothing-here", "sdk/elsewhere")
    adl.chmod("sdk/moved.txt", "0750")
    assert adl.info("sdk/moved.txt")["permission"] == "750"
    far = 4_102_444_800_000  # 2100-01-01
    adl.set_expiry("sdk/moved.txt", "Absolute", far)  # PUT /webhdfsext/...?op=SETEXPIRY
    assert adl.info("sdk/moved.txt")["msExpirationTime"] == far
    adl.set_expiry("sdk/moved.txt", "NeverExpire")
    assert adl.info("sdk/moved.txt")["msExpirationTime"] == 0
    adl.set_expiry("sdk/moved.txt", "RelativeToNow", 50)
    time.sleep(0.2)
    assert not adl.exists("sdk/moved.txt")  # expired files are gone
    adl.mkdir("sdk/gone/deep")
    with pytest.raises(PermissionError):  # not empty, not recursive: 403 PathIsNotEmptyDirectoryException
        adl.rm("sdk/gone")
    adl.rm("sdk/gone", recursive=True)
    assert not adl.exists("sdk/gone")


def test_upload_and_download_with_threads(adl: Any, tmp_path: Path) -> None:
    from azure.datalake.store.multithread import ADLDownloader, ADLUploader

    src = tmp_path / "up"
    (src / "nested").mkdir(parents=True)
    (src / "one.bin").write_bytes(bytes(range(256)) * 40)
    (src / "nested" / "two.txt").write_text("two\n")
    (src / "blank").mkdir()
    up = ADLUploader(adl, "sdk/uploaded", str(src), nthreads=2, overwrite=True)
    assert up.successful()
    assert sorted(adl.walk("sdk/uploaded")) == ["sdk/uploaded/nested/two.txt", "sdk/uploaded/one.bin"]
    assert adl.info("sdk/uploaded/blank")["type"] == "DIRECTORY"
    dst = tmp_path / "down"
    down = ADLDownloader(adl, "sdk/uploaded", str(dst), nthreads=2, overwrite=True)
    assert down.successful()
    assert (dst / "one.bin").read_bytes() == (src / "one.bin").read_bytes()
    assert (dst / "nested" / "two.txt").read_text() == "two\n"


# --------------------------------------------------------------------------------------------- ACLs and 403
def test_acls_check_access_and_permission_error(adl: Any, services: Services) -> None:
    from azure.datalake.store.exceptions import PermissionError as AdlPermissionError
    from azure.identity import ManagedIdentityCredential

    assert AdlPermissionError is PermissionError  # the SDK raises the builtin on 403
    me, uai = services.tenant.principal_id, services.uai_principal_id
    with adl.open("sdk/shared/report.txt", "wb") as f:
        f.write(b"quarterly numbers\n")
    status = adl.get_acl_status("sdk/shared")  # MSGETACLSTATUS
    assert status == {"entries": ["user::rwx", "group::rwx", "other::---"], "owner": me,
                      "group": status["group"], "permission": "770", "stickyBit": False}
    assert adl.azure.call("CHECKACCESS", "sdk/shared", fsaction="rwx").status_code == 200
    other = filesystem(services.store, ManagedIdentityCredential(client_id=services.uai_client_id))
    for attempt in (lambda: other.ls("sdk/shared"), lambda: other.cat("sdk/shared/report.txt"),
                    lambda: other.azure.call("CHECKACCESS", "sdk/shared", fsaction="r-x"),
                    lambda: other.access("sdk/shared")):
        with pytest.raises(PermissionError):
            attempt()

    adl.modify_acl_entries("sdk/shared", f"user:{uai}:r-x,default:user:{uai}:r--")
    adl.modify_acl_entries("sdk", f"user:{uai}:--x")
    adl.modify_acl_entries("sdk/shared/report.txt", f"user:{uai}:r--")
    entries = adl.get_acl_status("sdk/shared")["entries"]
    assert f"user:{uai}:r-x" in entries and "mask::rwx" in entries and f"default:user:{uai}:r--" in entries
    assert adl.info("sdk/shared")["aclBit"] is True
    with pytest.raises(PermissionError):  # still no x on / (the admin's, other::---): traversal fails first
        other.ls("sdk/shared")
    with pytest.raises(PermissionError):  # only the root's owner may change its ACL
        adl.modify_acl_entries("/", f"user:{uai}:--x")
    admin_filesystem(services).modify_acl_entries("/", f"user:{uai}:--x")

    assert other.ls("sdk/shared") == ["sdk/shared/report.txt"]
    assert other.cat("sdk/shared/report.txt") == b"quarterly numbers\n"
    assert other.access("sdk/shared") is True
    assert other.azure.call("CHECKACCESS", "sdk/shared", fsaction="r-x").status_code == 200
    with pytest.raises(PermissionError):
        other.azure.call("CHECKACCESS", "sdk/shared", fsaction="rwx")
    with pytest.raises(PermissionError):  # MKDIRS needs -wx on sdk/shared
        other.mkdir("sdk/shared/mine")
    with pytest.raises(PermissionError):  # CREATE too
        other.open("sdk/shared/new.txt", "wb")
    with pytest.raises(PermissionError):  # APPEND needs -w- on the file
        with other.open("sdk/shared/report.txt", "ab") as f:
            f.write(b"x")
    with pytest.raises(PermissionError):  # only the owner changes ACLs
        other.modify_acl_entries("sdk/shared", f"user:{uai}:rwx")
    with pytest.raises(PermissionError):  # GETCONTENTSUMMARY needs r-x on every folder below
        other.azure.call("GETCONTENTSUMMARY", "sdk")

    adl.remove_acl_entries("sdk/shared", f"user:{uai}")
    with pytest.raises(PermissionError):
        other.ls("sdk/shared")
    adl.set_acl("sdk/shared", f"user::rwx,group::r-x,other::---,user:{uai}:r-x")
    assert other.ls("sdk/shared") == ["sdk/shared/report.txt"]
    adl.remove_default_acl("sdk/shared")
    adl.remove_acl("sdk/shared")
    assert adl.get_acl_status("sdk/shared")["entries"] == ["user::rwx", "group::r-x", "other::---"]
    with pytest.raises(PermissionError):
        other.ls("sdk/shared")
