"""Data Lake Store Gen1: the ARM account hooks and the WebHDFS plane, over the in-process client.

Covers every op, the CREATE/APPEND 307 → 201/200 dance with the tutorials' headers, POSIX ACL evaluation
(table-driven), default-ACL inheritance, super-users (Owner role), exact RemoteException bodies and bad tokens;
and what azure-datalake-store sends (issue 15): LISTSTATUS paging with ``continuationToken``, MSGETACLSTATUS,
CHECKACCESS, GETCONTENTSUMMARY, APPEND offsets (BadOffsetException), MSCONCAT/CONCAT, and ``/WebHdfsExt``'s
SETEXPIRY and CONCURRENTAPPEND. Expected shapes come from the SDK's recorded sessions against the real service
(azure-data-lake-store-python tests/recordings).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from azshell.clock import FixedClock
from azshell.http import PlaneConnectError
from azshell.model.builtin_roles import CONTRIBUTOR, OWNER
from azshell.model.types import DirectoryObject
from azshell.world import World
from tests.conftest import ArmClient

DATA_LAKE = "https://datalake.azure.net/"
STORE = "mytestadls"
BASE = f"https://{STORE}.azuredatalakestore.net/webhdfs/v1"
EXT = f"https://{STORE}.azuredatalakestore.net/WebHdfsExt"
SDK_API = "2018-09-01"  # what azure-datalake-store 1.0.1 sends
TIME = "2023-11-14T22:13:20.0000000+00:00"  # the fixed clock's 1_700_000_000 as ADLS prints it
DENIED = ("{op} failed with error 0x83090aa2 (Forbidden. ACL verification failed. Either the resource does not "
          "exist or the user is not authorized to perform the requested operation.). [{rid}][{time}]")
TUTORIAL_HEADERS = ("Pragma", "x-ms-request-id", "x-ms-webhdfs-version", "Status", "X-Content-Type-Options",
                    "Strict-Transport-Security")


class Lake:
    """The store ``mytestadls`` created by the admin, and WebHDFS calls as any principal."""

    def __init__(self, client: httpx.Client, world: World, arm: ArmClient) -> None:
        self.client = client
        self.world = world
        self.arm = arm
        self.admin = world.admin_user
        self.rg_path = arm.rg_path("rg")
        assert arm.create_rg("rg").status_code == 201
        self.account_path = f"{self.rg_path}/providers/Microsoft.DataLakeStore/accounts/{STORE}"
        resp = arm.request("PUT", self.account_path, api_version="2016-11-01", json={"location": "eastus2"})
        assert resp.status_code == 201, resp.text
        self.account = resp.json()

    def token(self, who: DirectoryObject | None = None, resource: str = DATA_LAKE) -> str:
        principal = who or self.admin
        kind = "user" if principal.object_type == "User" else "managed_identity"
        return self.world.tokens.issue_for_principal(principal=principal, resource=resource,
                                                     kind=kind).access_token  # type: ignore[arg-type]

    def call(self, method: str, path: str, op: str, who: DirectoryObject | None = None, *,
             body: bytes | None = None, token: str | None = None, query: dict[str, str] | None = None,
             base: str = BASE, **params: str) -> httpx.Response:
        params = {**(query or {}), **params}
        qs = "&".join([f"op={op}", *(f"{k}={v}" for k, v in params.items())])
        headers = {} if token == "" else {"Authorization": f"Bearer {token or self.token(who)}"}
        return self.client.request(method, f"{base}{path}?{qs}", headers=headers, content=body)

    def create(self, path: str, data: bytes, who: DirectoryObject | None = None, **params: str) -> httpx.Response:
        first = self.call("PUT", path, "CREATE", who, body=data, query=params)
        assert first.status_code == 307, first.text
        return self.client.put(first.headers["Location"], headers={"Authorization": f"Bearer {self.token(who)}"},
                               content=data)

    def ok(self, method: str, path: str, op: str, who: DirectoryObject | None = None, **params: str) -> Any:
        resp = self.call(method, path, op, who, query=params)
        assert resp.status_code == 200, resp.text
        return resp.json() if resp.content else None

    def acl(self, path: str) -> list[str]:
        return list(self.ok("GET", path, "GETACLSTATUS")["AclStatus"]["entries"])

    def user(self, name: str) -> DirectoryObject:
        return self.world.backend.create_user(name, f"{name}@contoso.onmicrosoft.com")


@pytest.fixture
def lake(client: httpx.Client, world: World, arm: ArmClient) -> Lake:
    return Lake(client, world, arm)


def remote(resp: httpx.Response) -> dict[str, str]:
    body = resp.json()
    assert list(body) == ["RemoteException"]
    return dict(body["RemoteException"])


# --------------------------------------------------------------------------------------------------- ARM
def test_account_properties_and_root_folder(lake: Lake) -> None:
    props = lake.account["properties"]
    assert props["endpoint"] == f"{STORE}.azuredatalakestore.net"
    assert props["provisioningState"] == "Succeeded" and props["state"] == "Active"
    assert props["encryptionState"] == "Enabled" and props["firewallState"] == "Disabled"
    assert len(props["accountId"]) == 36
    got = lake.arm.request("GET", lake.account_path, api_version="2016-11-01").json()
    assert got["properties"]["accountId"] == props["accountId"]
    root = lake.ok("GET", "/", "GETFILESTATUS")["FileStatus"]
    oid = lake.admin.object_id
    assert (root["type"], root["permission"], root["owner"], root["group"]) == ("DIRECTORY", "770", oid, oid)
    assert lake.ok("GET", "/", "LISTSTATUS") == {"FileStatuses": {"FileStatus": []}}


def test_account_name_rules(lake: Lake) -> None:
    bad = lake.arm.request("PUT", f"{lake.rg_path}/providers/Microsoft.DataLakeStore/accounts/Bad_Name",
                           api_version="2016-11-01", json={"location": "eastus2"})
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "InvalidAccountName"
    lake.arm.create_rg("rg2")
    dup = lake.arm.request("PUT", f"{lake.arm.rg_path('rg2')}/providers/Microsoft.DataLakeStore/accounts/{STORE}",
                           api_version="2016-11-01", json={"location": "eastus2"})
    assert dup.status_code == 409


def test_unknown_store_does_not_resolve(lake: Lake) -> None:
    with pytest.raises(PlaneConnectError, match="No such host is known"):
        lake.client.get("https://nosuchstore.azuredatalakestore.net/webhdfs/v1/?op=LISTSTATUS")


def test_deleted_and_recreated_store_starts_empty(lake: Lake) -> None:
    lake.ok("PUT", "/TestFolder", "MKDIRS")
    assert lake.arm.request("DELETE", lake.account_path, api_version="2016-11-01").status_code == 200
    lake.arm.request("PUT", lake.account_path, api_version="2016-11-01", json={"location": "eastus2"})
    assert lake.ok("GET", "/", "LISTSTATUS") == {"FileStatuses": {"FileStatus": []}}


# ------------------------------------------------------------------------------------------ CREATE dance
def test_create_redirects_then_creates(lake: Lake) -> None:
    lake.ok("PUT", "/TestFolder", "MKDIRS")
    first = lake.call("PUT", "/TestFolder/Test1.txt", "CREATE", body=b"Test file.\n")
    assert first.status_code == 307
    assert first.content == b""
    location = "https://mytestadls.azuredatalakestore.net/webhdfs/v1/TestFolder/Test1.txt?op=CREATE&write=true"
    assert first.headers["Location"] == location
    assert first.headers["ContentLength"] == "0" and first.headers["Content-Length"] == "0"
    assert first.headers["Cache-Control"] == "no-cache, no-cache, no-store, max-age=0"
    for name in TUTORIAL_HEADERS:
        assert name in first.headers
    assert first.headers["x-ms-webhdfs-version"] == "17.04.22.00" and first.headers["Status"] == "0x0"
    assert first.headers["Strict-Transport-Security"] == "max-age=15724800; includeSubDomains"
    assert [k for k, _ in first.headers.raw][:4] == [b"Pragma", b"x-ms-request-id", b"ContentLength",
                                                     b"x-ms-webhdfs-version"]
    assert lake.call("GET", "/TestFolder/Test1.txt", "GETFILESTATUS").status_code == 404  # nothing written yet
    second = lake.client.put(location, headers={"Authorization": f"Bearer {lake.token()}"}, content=b"Test file.\n")
    assert second.status_code == 201 and second.content == b""
    assert second.headers["Location"] == location
    assert "Content-Type" not in second.headers
    status = lake.ok("GET", "/TestFolder/Test1.txt", "GETFILESTATUS")["FileStatus"]
    assert status["length"] == 11 and status["type"] == "FILE" and status["permission"] == "770"


def test_create_keeps_original_params_and_respects_overwrite(lake: Lake) -> None:
    first = lake.call("PUT", "/a.txt", "CREATE", body=b"1", overwrite="true", permission="750")
    assert first.headers["Location"].endswith("/a.txt?op=CREATE&overwrite=true&permission=750&write=true")
    assert lake.create("/a.txt", b"one").status_code == 201
    again = lake.create("/a.txt", b"two")
    assert again.status_code == 403 and remote(again)["exception"] == "FileAlreadyExistsException"
    assert lake.create("/a.txt", b"two", overwrite="true").status_code == 201
    assert lake.call("GET", "/a.txt", "OPEN").content == b"two"


def test_create_makes_missing_parents(lake: Lake) -> None:
    assert lake.create("/x/y/z.txt", b"data").status_code == 201
    assert lake.ok("GET", "/x/y", "GETFILESTATUS")["FileStatus"]["type"] == "DIRECTORY"


def test_append_redirects_then_appends(lake: Lake) -> None:
    lake.create("/log.txt", b"one,")
    first = lake.call("POST", "/log.txt", "APPEND", body=b"two")
    assert first.status_code == 307 and first.headers["Location"].endswith("?op=APPEND&write=true")
    second = lake.client.post(first.headers["Location"], headers={"Authorization": f"Bearer {lake.token()}"},
                              content=b"two")
    assert second.status_code == 200
    assert lake.call("GET", "/log.txt", "OPEN").content == b"one,two"


# ------------------------------------------------------------------------------------------------ the ops
def test_liststatus_shape(lake: Lake) -> None:
    lake.ok("PUT", "/TestFolder", "MKDIRS")
    lake.create("/f.txt", b"abc")
    resp = lake.call("GET", "/", "LISTSTATUS")
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    for name in TUTORIAL_HEADERS:
        assert name in resp.headers
    statuses = resp.json()["FileStatuses"]["FileStatus"]
    oid = lake.admin.object_id
    assert statuses[0] == {"length": 0, "pathSuffix": "TestFolder", "type": "DIRECTORY", "blockSize": 0,
                           "accessTime": 1_700_000_000_000, "modificationTime": 1_700_000_000_000,
                           "replication": 0, "permission": "770", "owner": oid, "group": oid, "aclBit": False}
    assert statuses[1]["pathSuffix"] == "f.txt" and statuses[1]["length"] == 3
    assert statuses[1]["blockSize"] == 268435456 and statuses[1]["replication"] == 1
    single = lake.ok("GET", "/f.txt", "LISTSTATUS")["FileStatuses"]["FileStatus"]
    assert len(single) == 1 and single[0]["pathSuffix"] == ""


def test_op_is_case_insensitive(lake: Lake) -> None:
    resp = lake.client.get(f"{BASE}/?OP=liststatus", headers={"Authorization": f"Bearer {lake.token()}"})
    assert resp.status_code == 200


def test_mkdirs(lake: Lake) -> None:
    assert lake.ok("PUT", "/a/b/c", "MKDIRS") == {"boolean": True}
    assert lake.ok("PUT", "/a/b/c", "MKDIRS") == {"boolean": True}
    assert lake.ok("GET", "/a/b", "LISTSTATUS")["FileStatuses"]["FileStatus"][0]["pathSuffix"] == "c"
    lake.create("/a/file", b"")
    clash = lake.call("PUT", "/a/file", "MKDIRS")
    assert clash.status_code == 403 and remote(clash)["exception"] == "FileAlreadyExistsException"


def test_open_offset_and_length(lake: Lake) -> None:
    lake.create("/f", b"0123456789")
    assert lake.call("GET", "/f", "OPEN", offset="2", length="3").content == b"234"
    assert lake.call("GET", "/f", "OPEN", offset="7").content == b"789"
    assert lake.call("GET", "/f", "OPEN", offset="x").status_code == 400
    missing = lake.call("GET", "/nope", "OPEN")
    assert missing.status_code == 404 and remote(missing)["message"].startswith("File does not exist: /nope [")


def test_delete(lake: Lake) -> None:
    lake.create("/d/e/f", b"x")
    not_empty = lake.call("DELETE", "/d", "DELETE")
    assert not_empty.status_code == 403 and remote(not_empty)["exception"] == "PathIsNotEmptyDirectoryException"
    assert lake.ok("DELETE", "/d", "DELETE", recursive="true") == {"boolean": True}
    assert lake.call("GET", "/d/e/f", "GETFILESTATUS").status_code == 404
    assert lake.ok("DELETE", "/d", "DELETE") == {"boolean": False}


def test_rename(lake: Lake) -> None:
    lake.create("/src/a.txt", b"x")
    lake.ok("PUT", "/dst", "MKDIRS")
    assert lake.ok("PUT", "/src", "RENAME", destination="/moved") == {"boolean": True}
    assert lake.call("GET", "/moved/a.txt", "OPEN").content == b"x"
    assert lake.ok("PUT", "/moved/a.txt", "RENAME", destination="/dst") == {"boolean": True}  # into a folder
    assert lake.call("GET", "/dst/a.txt", "OPEN").content == b"x"
    assert lake.ok("PUT", "/missing", "RENAME", destination="/x") == {"boolean": False}
    assert lake.call("PUT", "/dst", "RENAME").status_code == 400


def test_acl_ops(lake: Lake) -> None:
    bob = lake.user("bob").object_id
    lake.ok("PUT", "/d", "MKDIRS")
    assert lake.acl("/d") == ["user::rwx", "group::rwx", "other::---"]
    lake.ok("PUT", "/d", "MODIFYACLENTRIES", aclspec=f"user:{bob}:r-x")
    assert lake.acl("/d") == ["user::rwx", f"user:{bob}:r-x", "group::rwx", "mask::rwx", "other::---"]
    status = lake.ok("GET", "/d", "GETACLSTATUS")["AclStatus"]
    assert set(status) == {"entries", "group", "owner", "permission", "stickyBit"}
    assert status["permission"] == "770" and status["stickyBit"] is False
    lake.ok("PUT", "/d", "MODIFYACLENTRIES", aclspec=f"default:user:{bob}:rwx")
    assert lake.acl("/d")[5:] == ["default:user::rwx", f"default:user:{bob}:rwx", "default:group::rwx",
                                  "default:mask::rwx", "default:other::---"]
    lake.ok("PUT", "/d", "REMOVEACLENTRIES", aclspec=f"user:{bob},default:user:{bob}")
    assert lake.acl("/d") == ["user::rwx", "group::rwx", "other::---", "default:user::rwx", "default:group::rwx",
                              "default:other::---"]
    lake.ok("PUT", "/d", "SETACL", aclspec=f"user::rwx,user:{bob}:rwx,group::r-x,mask::r--,other::--x")
    assert lake.acl("/d")[:5] == ["user::rwx", f"user:{bob}:rwx", "group::r-x", "mask::r--", "other::--x"]
    assert lake.ok("GET", "/d", "GETFILESTATUS")["FileStatus"]["permission"] == "741"
    assert lake.ok("GET", "/d", "GETFILESTATUS")["FileStatus"]["aclBit"] is True
    lake.ok("PUT", "/d", "SETPERMISSION", permission="750")
    assert lake.ok("GET", "/d", "GETFILESTATUS")["FileStatus"]["permission"] == "750"
    lake.ok("PUT", "/d", "REMOVEDEFAULTACL")
    lake.ok("PUT", "/d", "REMOVEACL")
    assert lake.acl("/d") == ["user::rwx", "group::r-x", "other::---"]
    bad = lake.call("PUT", "/d", "SETACL", aclspec="user::rwz")
    assert bad.status_code == 400 and remote(bad) == {
        "exception": "IllegalArgumentException", "message": "Invalid <aclSpec> : user::rwz",
        "javaClassName": "java.lang.IllegalArgumentException"}
    # a well-formed entry ADLS refuses: a user named by something other than an object ID (issue 14's capture)
    invalid = lake.call("PUT", "/d", "MODIFYACLENTRIES", aclspec="user:bob@contoso.com:r-x")
    assert invalid.status_code == 403 and invalid.headers["Status"] == "0x83090C53"
    assert remote(invalid)["exception"] == "AccessControlException"
    assert remote(invalid)["message"].startswith(
        "MODIFYACLENTRIES failed with error 0x83090c53 (Forbidden. ACL entry is invalid.). [")


def test_setowner(lake: Lake) -> None:
    bob = lake.user("bob")
    lake.ok("PUT", "/d", "MKDIRS")
    lake.ok("PUT", "/d", "SETOWNER", owner=bob.object_id, group=bob.object_id)
    status = lake.ok("GET", "/d", "GETFILESTATUS")["FileStatus"]
    assert status["owner"] == status["group"] == bob.object_id
    lake.ok("PUT", "/", "SETPERMISSION", permission="771")
    denied = lake.call("PUT", "/d", "SETOWNER", bob, owner=lake.admin.object_id)
    assert denied.status_code == 403


def test_default_acl_is_inherited(lake: Lake) -> None:
    bob = lake.user("bob")
    lake.ok("PUT", "/", "SETPERMISSION", permission="771")
    lake.ok("PUT", "/d", "MKDIRS")
    lake.ok("PUT", "/d", "MODIFYACLENTRIES", aclspec=f"user:{bob.object_id}:r-x,default:user:{bob.object_id}:rwx")
    lake.ok("PUT", "/d/child", "MKDIRS")
    child = lake.acl("/d/child")
    assert f"user:{bob.object_id}:rwx" in child and f"default:user:{bob.object_id}:rwx" in child
    lake.create("/d/child/f.txt", b"secret")
    file_acl = lake.acl("/d/child/f.txt")
    assert f"user:{bob.object_id}:rwx" in file_acl and not any(e.startswith("default:") for e in file_acl)
    assert lake.call("GET", "/d/child/f.txt", "OPEN", bob).content == b"secret"
    assert lake.create("/d/child/bob.txt", b"mine", bob).status_code == 201
    created = lake.ok("GET", "/d/child/bob.txt", "GETFILESTATUS")["FileStatus"]
    assert created["owner"] == bob.object_id and created["group"] == lake.admin.object_id


def test_no_default_acl_applies_umask(lake: Lake) -> None:
    lake.create("/f", b"", permission="777")
    assert lake.ok("GET", "/f", "GETFILESTATUS")["FileStatus"]["permission"] == "770"


# ---------------------------------------------------------------------------------- ACL evaluation table
@pytest.fixture
def acl_lake(lake: Lake) -> tuple[Lake, dict[str, DirectoryObject]]:
    """``/d`` owned by alice, owning group g1: user::rwx, user:bob:rwx, group::r-x, group:g2:rwx, mask::r-x,
    other::--x; ``/d/private`` other::--- (alice's); ``/d/private/f`` other::rwx. Root gives everyone x."""
    w = lake.world
    people = {n: lake.user(n) for n in ("alice", "bob", "carol", "dave", "erin")}
    g1 = w.backend.create_group("g1")
    g2 = w.backend.create_group("g2")
    w.backend.add_group_member(g1.object_id, people["carol"].object_id)
    w.backend.add_group_member(g2.object_id, people["erin"].object_id)
    people["g1"], people["g2"] = g1, g2
    lake.ok("PUT", "/", "SETPERMISSION", permission="771")
    lake.ok("PUT", "/d/private", "MKDIRS")
    lake.create("/d/private/f", b"x")
    lake.ok("PUT", "/d/private/f", "SETPERMISSION", permission="777")
    lake.ok("PUT", "/d/private", "SETPERMISSION", permission="770")
    lake.create("/d/note", b"note")
    lake.ok("PUT", "/d/note", "SETPERMISSION", permission="604")
    alice = people["alice"].object_id
    for p in ("/d", "/d/private"):
        lake.ok("PUT", p, "SETOWNER", owner=alice, group=g1.object_id)
    lake.ok("PUT", "/d", "SETACL", aclspec=f"user::rwx,user:{people['bob'].object_id}:rwx,group::r-x,"
                                           f"group:{g2.object_id}:rwx,mask::r-x,other::--x")
    return lake, people


ACL_TABLE = [
    # who, method, op, path, expected status
    ("alice", "GET", "LISTSTATUS", "/d", 200),        # owner: user::rwx
    ("alice", "PUT", "MKDIRS", "/d/new", 200),
    ("bob", "GET", "LISTSTATUS", "/d", 200),          # named user rwx & mask r-x
    ("bob", "PUT", "MKDIRS", "/d/new", 403),          # ... the mask removes w
    ("carol", "GET", "LISTSTATUS", "/d", 200),        # owning group r-x
    ("carol", "PUT", "MKDIRS", "/d/new", 403),
    ("erin", "GET", "LISTSTATUS", "/d", 200),         # named group rwx & mask r-x
    ("erin", "PUT", "MKDIRS", "/d/new", 403),
    ("dave", "GET", "LISTSTATUS", "/d", 403),         # other --x: no read
    ("dave", "GET", "GETFILESTATUS", "/d", 200),      # only execute on ancestors needed
    ("dave", "GET", "OPEN", "/d/note", 200),          # other r-- on the file, x on /d
    ("dave", "GET", "OPEN", "/d/private/f", 403),     # the file allows rwx but /d/private gives no x
    ("carol", "GET", "OPEN", "/d/private/f", 200),    # group rwx on /d/private
    ("bob", "GET", "GETACLSTATUS", "/d/private", 200),  # x on /d via the named entry
    ("dave", "PUT", "MODIFYACLENTRIES", "/d", 403),   # only the owner (or a super-user) changes ACLs
    ("alice", "PUT", "MODIFYACLENTRIES", "/d", 200),
    ("carol", "GET", "CHECKACCESS", "/d", 200),       # fsaction=r-x: owning group r-x
    ("dave", "GET", "CHECKACCESS", "/d", 403),        # other --x
    ("dave", "GET", "CHECKACCESS", "/d/private/f", 403),  # no x on /d/private
    ("carol", "GET", "GETCONTENTSUMMARY", "/d", 200),  # r-x on /d and on /d/private (group rwx)
    ("bob", "GET", "GETCONTENTSUMMARY", "/d", 403),   # r-x on /d, but other --- on /d/private
    ("dave", "GET", "MSGETACLSTATUS", "/d/note", 200),  # only x on the ancestors
]


@pytest.mark.parametrize(("who", "method", "op", "path", "expected"), ACL_TABLE,
                         ids=[f"{w}-{o}-{p}" for w, _, o, p, _ in ACL_TABLE])
def test_acl_evaluation(acl_lake: tuple[Lake, dict[str, DirectoryObject]], who: str, method: str, op: str,
                        path: str, expected: int) -> None:
    lake, people = acl_lake
    params = {"MODIFYACLENTRIES": {"aclspec": "other::r-x"}, "CHECKACCESS": {"fsaction": "r-x"}}.get(op, {})
    resp = lake.call(method, path, op, people[who], query=params)
    assert resp.status_code == expected, resp.text
    if expected == 403:
        rid = resp.headers["x-ms-request-id"]
        assert resp.json() == {"RemoteException": {
            "exception": "AccessControlException", "message": DENIED.format(op=op, rid=rid, time=TIME),
            "javaClassName": "org.apache.hadoop.security.AccessControlException"}}
        assert resp.headers["Status"] == "0x83090AA2"


def test_owner_uses_owner_bits_only(acl_lake: tuple[Lake, dict[str, DirectoryObject]]) -> None:
    lake, people = acl_lake
    lake.ok("PUT", "/d", "SETPERMISSION", permission="075")
    assert lake.call("GET", "/d", "LISTSTATUS", people["alice"]).status_code == 403


def test_named_user_entry_wins_over_group(acl_lake: tuple[Lake, dict[str, DirectoryObject]]) -> None:
    lake, people = acl_lake
    lake.ok("PUT", "/d", "MODIFYACLENTRIES", aclspec=f"user:{people['carol'].object_id}:---")
    assert lake.call("GET", "/d", "LISTSTATUS", people["carol"]).status_code == 403


def test_widening_the_mask_grants_write(acl_lake: tuple[Lake, dict[str, DirectoryObject]]) -> None:
    lake, people = acl_lake
    lake.ok("PUT", "/d", "MODIFYACLENTRIES", aclspec="mask::rwx")
    assert lake.call("PUT", "/d/new", "MKDIRS", people["bob"]).status_code == 200
    assert lake.call("PUT", "/d/new2", "MKDIRS", people["erin"]).status_code == 200
    assert lake.call("PUT", "/d/new3", "MKDIRS", people["carol"]).status_code == 403  # group:: is r-x


def test_owner_role_makes_a_super_user(lake: Lake) -> None:
    boss, helper = lake.user("boss"), lake.user("helper")
    assert lake.call("GET", "/", "LISTSTATUS", boss).status_code == 403
    lake.arm.assign(lake.rg_path, boss.object_id, OWNER)
    lake.arm.assign(lake.rg_path, helper.object_id, CONTRIBUTOR)
    assert lake.call("GET", "/", "LISTSTATUS", boss).status_code == 200
    assert lake.call("PUT", "/", "SETACL", boss, aclspec="user::rwx,group::rwx,other::r-x").status_code == 200
    assert lake.call("PUT", "/x", "MKDIRS", helper).status_code == 403


# ------------------------------------------------------------------------------------- errors and tokens
def test_not_found_body_exact(lake: Lake) -> None:
    resp = lake.call("GET", "/azure_test_dir/shfoshf", "LISTSTATUS")
    assert resp.status_code == 404
    rid = resp.headers["x-ms-request-id"]
    assert resp.json() == {"RemoteException": {
        "exception": "FileNotFoundException",
        "message": f"Folder does not exist: /azure_test_dir/shfoshf [{rid}][{TIME}]",
        "javaClassName": "java.io.FileNotFoundException"}}
    assert resp.headers["Status"] == "0x8309000A" and resp.headers["Cache-Control"] == "no-cache"
    assert resp.headers["Content-Type"] == "application/json; charset=utf-8"
    missing = lake.call("GET", "/nope", "GETFILESTATUS")
    assert remote(missing)["message"].startswith("File/Folder does not exist: /nope [")


@pytest.mark.parametrize(("method", "op", "kind"), [("GET", "FOO", "Get"), ("GET", "MKDIRS", "Get"),
                                                    ("PUT", "LISTSTATUS", "Put"), ("POST", "CREATE", "Post")])
def test_unknown_or_misplaced_op_is_400(lake: Lake, method: str, op: str, kind: str) -> None:
    resp = lake.call(method, "/", op)
    assert resp.status_code == 400
    assert remote(resp) == {
        "exception": "IllegalArgumentException",
        "message": f'Invalid value for webhdfs parameter "op": No enum constant '
                   f"org.apache.hadoop.hdfs.web.resources.{kind}OpParam.Op.{op}",
        "javaClassName": "java.lang.IllegalArgumentException"}


def test_missing_op_and_bad_path(lake: Lake) -> None:
    resp = lake.client.get(f"{BASE}/", headers={"Authorization": f"Bearer {lake.token()}"})
    assert resp.status_code == 400
    assert lake.call("GET", "/a/%2E%2E/b", "LISTSTATUS").status_code == 400


def _security(resp: httpx.Response) -> str:
    assert resp.status_code == 401
    body = remote(resp)
    assert body["exception"] == "SecurityException" and body["javaClassName"] == "java.lang.SecurityException"
    return body["message"]


def test_bad_tokens(lake: Lake, clock: FixedClock) -> None:
    assert "bearer token is missing" in _security(lake.call("GET", "/", "LISTSTATUS", token=""))
    assert "The access token is invalid" in _security(lake.call("GET", "/", "LISTSTATUS", token="garbage"))
    arm_token = lake.token(resource="https://management.azure.com/")
    message = _security(lake.call("GET", "/", "LISTSTATUS", token=arm_token))
    assert "'https://management.azure.com/'" in message
    assert message.startswith("LISTSTATUS failed: Unauthorized.")
    # no ADLS status code on a 401: 0x83090a16 means "Internal server error" (issue 14)
    assert "0x83090a16" not in message.lower()
    good = lake.token()
    head, payload, sig = good.split(".")
    forged = f"{head}.{payload}.{sig[:-4]}AAAA"
    assert "invalid" in _security(lake.call("GET", "/", "LISTSTATUS", token=forged))
    clock.advance(2 * 86400)
    assert "expired" in _security(lake.call("GET", "/", "LISTSTATUS", token=good))


def test_no_slash_audience_is_accepted(lake: Lake) -> None:
    token = lake.token(resource="https://datalake.azure.net")
    assert lake.call("GET", "/", "LISTSTATUS", token=token).status_code == 200


def test_events(lake: Lake) -> None:
    lake.ok("PUT", "/TestFolder", "MKDIRS")
    lake.call("GET", "/nope", "LISTSTATUS")
    events = lake.world.store.recent_events("datalake.op")
    assert [e.data for e in events] == [{"store": STORE, "path": "/TestFolder", "op": "MKDIRS",
                                         "caller": lake.admin.object_id}]


def test_random_requests_never_5xx(lake: Lake) -> None:
    import random

    rng = random.Random(4)
    ops = ["LISTSTATUS", "GETFILESTATUS", "MKDIRS", "CREATE", "APPEND", "OPEN", "DELETE", "RENAME", "GETACLSTATUS",
           "SETACL", "MODIFYACLENTRIES", "REMOVEACLENTRIES", "REMOVEDEFAULTACL", "REMOVEACL", "SETPERMISSION",
           "SETOWNER", "MSGETACLSTATUS", "CHECKACCESS", "GETCONTENTSUMMARY", "MSCONCAT", "CONCAT", "SETEXPIRY",
           "CONCURRENTAPPEND", "NOPE", ""]
    values = ["", "true", "777", "9", "-1", "0", "abc", "/a", "user::rwx", "default:user:x:r-x", "user:x", "a:b:c:d",
              "/", "r-x", "Absolute", "RelativeToNow", "autocreate", "CLOSE", "2018-09-01", "/a,/b", "a,a"]
    names = ["write", "overwrite", "permission", "offset", "length", "destination", "aclspec", "recursive", "owner",
             "append", "listSize", "listAfter", "fsaction", "expiryOption", "expireTime", "appendMode", "sources",
             "syncFlag", "api-version", "deleteSourceDirectory"]
    token = lake.token()
    for _ in range(400):
        path = "/" + "/".join(rng.choice(["a", "b", "%2E%2E", "x y"]) for _ in range(rng.randint(0, 3)))
        query = "&".join([f"op={rng.choice(ops)}",
                          *(f"{rng.choice(names)}={rng.choice(values)}" for _ in range(rng.randint(0, 3)))])
        method = rng.choice(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"])
        body = rng.choice([b"data", b'{"sources":["/a","/b"]}', b"sources=a,b", b""])
        resp = lake.client.request(method, f"{rng.choice([BASE, EXT])}{path}?{query}",
                                   headers={"Authorization": f"Bearer {token}"}, content=body)
        assert resp.status_code < 500, (method, path, query, resp.text)


# ------------------------------------------------------------------------- what azure-datalake-store sends
def _names(resp: httpx.Response) -> list[str]:
    assert resp.status_code == 200, resp.text
    return [s["pathSuffix"] for s in resp.json()["FileStatuses"]["FileStatus"]]


def test_liststatus_paging_and_continuation_token(lake: Lake) -> None:
    for name in ("a", "b", "c", "d", "e"):
        lake.ok("PUT", f"/p/{name}", "MKDIRS")
    sdk = {"api-version": SDK_API}
    page = lake.ok("GET", "/p", "LISTSTATUS", listSize="2", **sdk)["FileStatuses"]
    assert list(page) == ["continuationToken", "FileStatus"] and page["continuationToken"] == "b"
    assert _names(lake.call("GET", "/p", "LISTSTATUS", listSize="2", listAfter="b", query=sdk)) == ["c", "d"]
    last = lake.ok("GET", "/p", "LISTSTATUS", listSize="2", listAfter="d", **sdk)["FileStatuses"]
    assert last["continuationToken"] == "" and [s["pathSuffix"] for s in last["FileStatus"]] == ["e"]
    # a full page names its last entry even when nothing follows (SEEN); the next page is empty
    assert lake.ok("GET", "/p", "LISTSTATUS", listSize="5", **sdk)["FileStatuses"]["continuationToken"] == "e"
    assert lake.ok("GET", "/p", "LISTSTATUS", listSize="5", listAfter="e", **sdk) == {
        "FileStatuses": {"continuationToken": "", "FileStatus": []}}
    # listAfter/listBefore need not name an entry
    assert _names(lake.call("GET", "/p", "LISTSTATUS", listAfter="bb", listBefore="e")) == ["c", "d"]
    # before 2018-09-01 (and without api-version) there is no token (SEEN: 2018-05-01)
    assert list(lake.ok("GET", "/p", "LISTSTATUS", listSize="2", **{"api-version": "2018-05-01"})[
        "FileStatuses"]) == ["FileStatus"]
    assert list(lake.ok("GET", "/p", "LISTSTATUS")["FileStatuses"]) == ["FileStatus"]
    lake.create("/p/f.txt", b"x")
    single = lake.ok("GET", "/p/f.txt", "LISTSTATUS", listSize="4000", **sdk)["FileStatuses"]
    assert single["continuationToken"] == "" and single["FileStatus"][0]["pathSuffix"] == ""
    bad = lake.call("GET", "/p", "LISTSTATUS", listSize="0")
    assert bad.status_code == 400 and remote(bad)["message"] == 'Invalid value for webhdfs parameter "listSize": 0'


def test_dot_is_the_root(lake: Lake) -> None:
    """The SDK asks for the root as ``/webhdfs/v1/.``."""
    lake.ok("PUT", "/top", "MKDIRS")
    assert lake.ok("GET", "/.", "GETFILESTATUS")["FileStatus"]["type"] == "DIRECTORY"
    assert _names(lake.call("GET", "/.", "LISTSTATUS")) == ["top"]
    assert lake.ok("GET", "/top/./", "GETFILESTATUS")["FileStatus"]["type"] == "DIRECTORY"


def test_file_status_carries_expiration_time(lake: Lake) -> None:
    lake.create("/f", b"abc")
    status = lake.ok("GET", "/f", "GETFILESTATUS")["FileStatus"]
    assert list(status)[-2:] == ["msExpirationTime", "aclBit"] and status["msExpirationTime"] == 0
    assert "msExpirationTime" not in lake.ok("GET", "/", "GETFILESTATUS")["FileStatus"]


def test_msgetaclstatus(lake: Lake) -> None:
    bob = lake.user("bob").object_id
    lake.ok("PUT", "/d", "MKDIRS")
    lake.ok("PUT", "/d", "MODIFYACLENTRIES", aclSpec=f"user:{bob}:---")
    status = lake.ok("GET", "/d", "MSGETACLSTATUS", **{"api-version": SDK_API})
    oid = lake.admin.object_id
    assert status == {"AclStatus": {"entries": ["user::rwx", f"user:{bob}:---", "group::rwx", "mask::rwx",
                                                "other::---"],
                                    "owner": oid, "group": oid, "permission": "770", "stickyBit": False}}
    assert list(status["AclStatus"]) == ["entries", "owner", "group", "permission", "stickyBit"]  # SEEN order
    assert status == lake.ok("GET", "/d", "GETACLSTATUS")


def test_checkaccess(lake: Lake) -> None:
    bob = lake.user("bob")
    lake.ok("PUT", "/", "SETPERMISSION", permission="771")
    lake.ok("PUT", "/d", "MKDIRS")
    lake.ok("PUT", "/d", "MODIFYACLENTRIES", aclspec=f"user:{bob.object_id}:r-x")
    ok = lake.call("GET", "/d", "CHECKACCESS", bob, fsaction="r-x")
    assert ok.status_code == 200 and ok.content == b""
    assert ok.extensions["azshell.decision"].allowed is True
    denied = lake.call("GET", "/d", "CHECKACCESS", bob, fsaction="rwx")
    assert denied.status_code == 403
    assert remote(denied)["message"] == DENIED.format(op="CHECKACCESS", rid=denied.headers["x-ms-request-id"],
                                                      time=TIME)
    decision = denied.extensions["azshell.decision"]
    assert decision.allowed is False and decision.action == "WebHDFS CHECKACCESS"
    assert "Set-AzDataLakeStoreItemAclEntry" in decision.fix and "-Permissions All" in decision.fix
    assert lake.call("GET", "/d", "CHECKACCESS", bob, fsaction="---").status_code == 200
    missing = lake.call("GET", "/nope", "CHECKACCESS", fsaction="r--")
    assert missing.status_code == 404 and remote(missing)["exception"] == "FileNotFoundException"
    for bad in ("rwz", "rw", ""):
        resp = lake.call("GET", "/d", "CHECKACCESS", fsaction=bad)
        assert resp.status_code == 400 and remote(resp)["exception"] == "IllegalArgumentException"


def test_getcontentsummary(lake: Lake) -> None:
    lake.create("/t/a", b"1234567890")
    lake.create("/t/sub/b", b"1234567890")
    lake.ok("PUT", "/t/empty", "MKDIRS")
    assert lake.ok("GET", "/t", "GETCONTENTSUMMARY") == {"ContentSummary": {
        "directoryCount": 3, "fileCount": 2, "length": 20, "quota": -1, "spaceConsumed": 20, "spaceQuota": -1}}
    assert lake.ok("GET", "/t/a", "GETCONTENTSUMMARY")["ContentSummary"] == {
        "directoryCount": 0, "fileCount": 1, "length": 10, "quota": -1, "spaceConsumed": 10, "spaceQuota": -1}
    assert lake.call("GET", "/nope", "GETCONTENTSUMMARY").status_code == 404


def test_append_offsets_and_no_redirect_with_append_true(lake: Lake) -> None:
    lake.create("/log", b"12345")
    ok = lake.call("POST", "/log", "APPEND", body=b"678", append="true", offset="5", syncFlag="DATA")
    assert ok.status_code == 200 and ok.content == b"" and "ContentLength" not in ok.headers  # SEEN
    bad = lake.call("POST", "/log", "APPEND", body=b"x", append="true", offset="5", syncFlag="CLOSE")
    rid = bad.headers["x-ms-request-id"]
    assert bad.status_code == 400 and bad.headers["Status"] == "0x83090015"
    assert bad.json() == {"RemoteException": {
        "exception": "BadOffsetException",
        "message": f"APPEND failed with error 0x83090015 (Bad request. Invalid offset.). [{rid}][{TIME}]",
        "javaClassName": "org.apache.hadoop.fs.adl.BadOffsetException"}}
    assert lake.call("POST", "/log", "APPEND", body=b"", append="true", offset="8").status_code == 200
    assert lake.call("POST", "/log", "APPEND", body=b"9", append="true").status_code == 200  # no offset: the end
    assert lake.call("GET", "/log", "OPEN", read="true").content == b"123456789"
    assert lake.call("POST", "/log", "APPEND", body=b"", append="true", syncFlag="SOON").status_code == 400
    past = lake.call("GET", "/log", "OPEN", read="true", offset="10")
    assert past.status_code == 400 and remote(past)["exception"] == "BadOffsetException"
    assert lake.call("GET", "/log", "OPEN", read="true", offset="9").content == b""


def test_sdk_create_headers(lake: Lake) -> None:
    resp = lake.call("PUT", "/sdk.txt", "CREATE", body=b"", overwrite="true", write="true", syncFlag="DATA",
                     leaseid="l1", filesessionid="l1", **{"api-version": SDK_API})
    assert resp.status_code == 201 and resp.headers["ContentLength"] == "0"
    assert resp.headers["Location"].endswith("/sdk.txt?op=CREATE&overwrite=true&write=true&syncFlag=DATA&leaseid=l1"
                                             "&filesessionid=l1&api-version=2018-09-01")
    acl = lake.call("PUT", "/sdk.txt", "MODIFYACLENTRIES", aclSpec="other::r--")
    assert acl.headers["ContentLength"] == "0"  # SEEN on the ACL changes
    assert "ContentLength" not in lake.call("PUT", "/sdk.txt", "SETPERMISSION", permission="750").headers


def test_msconcat(lake: Lake) -> None:
    lake.create("/parts/a", b"hello ")
    lake.create("/parts/b", b"world")
    body = b'{"sources":["parts/a","/parts/b"]}'
    resp = lake.call("POST", "/joined", "MSCONCAT", body=body, deleteSourceDirectory="false")
    assert resp.status_code == 200 and resp.content == b""
    assert lake.call("GET", "/joined", "OPEN").content == b"hello world"
    assert _names(lake.call("GET", "/parts", "LISTSTATUS")) == []
    # the older form body; an existing target gets the sources appended; deleteSourceDirectory drops the folder
    lake.create("/parts/c", b"!")
    assert lake.call("POST", "/joined", "MSCONCAT", body=b"sources=/parts/c",
                     deleteSourceDirectory="true").status_code == 200
    assert lake.call("GET", "/joined", "OPEN").content == b"hello world!"
    assert lake.call("GET", "/parts", "GETFILESTATUS").status_code == 404
    lake.create("/x", b"x")
    for bad_body in (b"", b'{"sources":[]}', b'{"sources":["/x","/x"]}', b'{"sources":["/joined"]}',
                     b'{"sources":["/"]}'):
        resp = lake.call("POST", "/joined", "MSCONCAT", body=bad_body)
        assert resp.status_code == 400 and remote(resp)["exception"] == "IllegalArgumentException", bad_body
    missing = lake.call("POST", "/joined", "MSCONCAT", body=b'{"sources":["/nope"]}')
    assert missing.status_code == 404 and remote(missing)["message"].startswith("File does not exist: /nope [")
    assert lake.call("POST", "/joined", "MSCONCAT", body=b'{"sources":["/"]}').status_code == 400
    assert lake.call("GET", "/x", "OPEN").content == b"x"  # nothing was deleted by the failures


def test_concat_needs_read_on_sources_and_write_on_their_folder(lake: Lake) -> None:
    bob = lake.user("bob").object_id
    lake.ok("PUT", "/", "MODIFYACLENTRIES", aclspec=f"user:{bob}:rwx")
    lake.create("/theirs/s", b"secret")
    lake.create("/mine", b"")
    lake.ok("PUT", "/mine", "SETOWNER", owner=bob)
    who = lake.world.store.get_directory_object(bob)
    resp = lake.call("POST", "/mine", "CONCAT", who, sources="/theirs/s")
    assert resp.status_code == 403
    assert "--x on /theirs" in resp.extensions["azshell.decision"].reason
    lake.ok("PUT", "/theirs", "MODIFYACLENTRIES", aclspec=f"user:{bob}:--x")
    resp = lake.call("POST", "/mine", "CONCAT", who, sources="/theirs/s")
    assert resp.status_code == 403 and "r-- on /theirs/s" in resp.extensions["azshell.decision"].reason
    lake.ok("PUT", "/theirs/s", "MODIFYACLENTRIES", aclspec=f"user:{bob}:r--")
    resp = lake.call("POST", "/mine", "CONCAT", who, sources="/theirs/s")
    assert resp.status_code == 403 and "-wx on /theirs" in resp.extensions["azshell.decision"].reason
    lake.ok("PUT", "/theirs", "MODIFYACLENTRIES", aclspec=f"user:{bob}:-wx")
    assert lake.call("POST", "/mine", "CONCAT", who, sources="/theirs/s").status_code == 200
    assert lake.call("GET", "/mine", "OPEN").content == b"secret"
    assert lake.call("POST", "/absent", "CONCAT", sources="/mine").status_code == 404  # CONCAT's target must exist
    assert lake.call("POST", "/mine", "CONCAT").status_code == 400


def test_concurrentappend_on_webhdfsext(lake: Lake) -> None:
    first = lake.call("POST", "/ca/log", "CONCURRENTAPPEND", body=b"one,", base=EXT, appendMode="autocreate")
    assert first.status_code == 200 and "x-ms-webhdfs-version" not in first.headers
    assert lake.call("POST", "/ca/log", "CONCURRENTAPPEND", body=b"two", base=EXT).status_code == 200
    assert lake.call("GET", "/ca/log", "OPEN").content == b"one,two"
    assert lake.call("POST", "/ca/none", "CONCURRENTAPPEND", body=b"x", base=EXT).status_code == 404
    wrong = lake.call("POST", "/ca/log", "CONCURRENTAPPEND", body=b"x")  # only under /WebHdfsExt
    assert wrong.status_code == 400 and remote(wrong)["message"].endswith("PostOpParam.Op.CONCURRENTAPPEND")
    assert lake.call("GET", "/ca/log", "LISTSTATUS", base=EXT).status_code == 400
    lower = f"https://{STORE}.azuredatalakestore.net/webhdfsext"  # the Python SDK's spelling
    assert lake.call("POST", "/ca/log", "CONCURRENTAPPEND", body=b"!", base=lower).status_code == 200


def test_setexpiry(lake: Lake, clock: FixedClock) -> None:
    lake.create("/tmp.txt", b"short-lived")
    now_ms = 1_700_000_000_000

    def expiry() -> int:
        return int(lake.ok("GET", "/tmp.txt", "GETFILESTATUS")["FileStatus"]["msExpirationTime"])

    resp = lake.call("PUT", "/tmp.txt", "SETEXPIRY", base=EXT, expiryOption="Absolute", expireTime="1896091200000")
    assert resp.status_code == 200 and resp.content == b"" and "x-ms-webhdfs-version" not in resp.headers
    assert expiry() == 1896091200000
    lake.call("PUT", "/tmp.txt", "SETEXPIRY", base=EXT, expiryOption="NeverExpire")
    assert expiry() == 0
    lake.call("PUT", "/tmp.txt", "SETEXPIRY", base=EXT, expiryOption="RelativeToCreationDate", expireTime="5000")
    assert expiry() == now_ms + 5000
    lake.call("PUT", "/tmp.txt", "SETEXPIRY", base=EXT, expiryOption="RelativeToNow", expireTime="60000")
    assert expiry() == now_ms + 60000
    clock.advance(59)
    assert lake.call("GET", "/tmp.txt", "OPEN").content == b"short-lived"
    clock.advance(1)
    assert lake.call("GET", "/tmp.txt", "GETFILESTATUS").status_code == 404  # expired: gone
    lake.ok("PUT", "/dir", "MKDIRS")
    for path, params, status in (("/dir", {"expiryOption": "NeverExpire"}, 400),
                                 ("/nope", {"expiryOption": "NeverExpire"}, 404),
                                 ("/dir", {}, 400), ("/dir", {"expiryOption": "Tomorrow"}, 400),
                                 ("/dir", {"expiryOption": "Absolute"}, 400)):
        assert lake.call("PUT", path, "SETEXPIRY", base=EXT, query=params).status_code == status, (path, params)
    assert lake.call("PUT", "/dir", "SETEXPIRY", expiryOption="NeverExpire").status_code == 400  # not webhdfs/v1


def test_rename_of_a_missing_path_and_setowner_denial_text(lake: Lake) -> None:
    missing = lake.call("PUT", "/nope", "RENAME", destination="/x")
    assert missing.status_code == 200 and missing.json() == {"boolean": False}
    assert missing.headers["Status"] == "0x8309000A"  # SEEN
    bob = lake.user("bob")
    lake.ok("PUT", "/", "SETPERMISSION", permission="771")
    lake.ok("PUT", "/d", "MKDIRS")
    denied = lake.call("PUT", "/d", "SETOWNER", bob, owner=bob.object_id)
    assert remote(denied)["message"].startswith(
        "Set Owner failed with  failed with error 0x83090aa2 (Forbidden. ACL verification failed.")  # SEEN
