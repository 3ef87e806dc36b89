"""Data Lake Store Gen1: the ARM account hooks and the WebHDFS plane, over the in-process client.

Covers every op, the CREATE/APPEND 307 → 201/200 dance with the tutorials' headers, POSIX ACL evaluation
(table-driven), default-ACL inheritance, super-users (Owner role), exact RemoteException bodies and bad tokens.
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
             **params: str) -> httpx.Response:
        params = {**(query or {}), **params}
        qs = "&".join([f"op={op}", *(f"{k}={v}" for k, v in params.items())])
        headers = {} if token == "" else {"Authorization": f"Bearer {token or self.token(who)}"}
        return self.client.request(method, f"{BASE}{path}?{qs}", headers=headers, content=body)

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
]


@pytest.mark.parametrize(("who", "method", "op", "path", "expected"), ACL_TABLE,
                         ids=[f"{w}-{o}-{p}" for w, _, o, p, _ in ACL_TABLE])
def test_acl_evaluation(acl_lake: tuple[Lake, dict[str, DirectoryObject]], who: str, method: str, op: str,
                        path: str, expected: int) -> None:
    lake, people = acl_lake
    params = {"aclspec": "other::r-x"} if op == "MODIFYACLENTRIES" else {}
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
    assert message.startswith("LISTSTATUS failed with error ")
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
           "SETOWNER", "NOPE", ""]
    values = ["", "true", "777", "9", "-1", "abc", "/a", "user::rwx", "default:user:x:r-x", "user:x", "a:b:c:d", "/"]
    names = ["write", "overwrite", "permission", "offset", "length", "destination", "aclspec", "recursive", "owner"]
    token = lake.token()
    for _ in range(400):
        path = "/" + "/".join(rng.choice(["a", "b", "%2E%2E", "x y"]) for _ in range(rng.randint(0, 3)))
        query = "&".join([f"op={rng.choice(ops)}",
                          *(f"{rng.choice(names)}={rng.choice(values)}" for _ in range(rng.randint(0, 3)))])
        method = rng.choice(["GET", "PUT", "POST", "DELETE", "HEAD", "PATCH"])
        resp = lake.client.request(method, f"{BASE}{path}?{query}", headers={"Authorization": f"Bearer {token}"},
                                   content=b"data")
        assert resp.status_code < 500, (method, path, query, resp.text)
