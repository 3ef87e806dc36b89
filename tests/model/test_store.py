"""Store: CRUD, case-insensitive lookups, migrations, state-file errors, generation, events."""

from __future__ import annotations

import os
import sqlite3
import stat
import sys
from pathlib import Path

import pytest

from azshell.model import store as store_mod
from azshell.model.errors import ConflictError, ModelError, NotFoundError, StateFileError
from azshell.model.store import EVENTS_KEEP, SCHEMA_VERSION, Store
from azshell.model.types import (
    DirectoryObject,
    Identity,
    Permission,
    Resource,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    SigningKeyRecord,
    Subscription,
    Tenant,
)

TID = "11111111-1111-1111-1111-111111111111"
SUB = "22222222-2222-2222-2222-222222222222"
VM_ID = f"/subscriptions/{SUB}/resourceGroups/RG1/providers/Microsoft.Compute/virtualMachines/vm1"


def _user(oid: str, name: str = "alice", upn: str | None = None) -> DirectoryObject:
    return DirectoryObject(
        object_id=oid, tenant_id=TID, object_type="User", display_name=name, user_principal_name=upn
    )


def _group(oid: str, name: str) -> DirectoryObject:
    return DirectoryObject(object_id=oid, tenant_id=TID, object_type="Group", display_name=name)


def _vm(rid: str = VM_ID, **kw: object) -> Resource:
    return Resource(
        id=rid,
        subscription_id=SUB,
        resource_group="RG1",
        type="Microsoft.Compute/virtualMachines",
        name=rid.rsplit("/", 1)[-1],
        location="westus",
        **kw,  # type: ignore[arg-type]
    )


def _ra(name: str, principal: str, scope: str = f"/subscriptions/{SUB}", role: str = "r1") -> RoleAssignment:
    return RoleAssignment(
        name=name, scope=scope, role_definition_id=role, principal_id=principal, principal_type="User"
    )


def test_open_memory_and_schema_version(store: Store) -> None:
    assert store.schema_version() == SCHEMA_VERSION
    assert store.integrity_check() == "ok"


def test_open_creates_parent_folders_and_uses_wal(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "state.db"
    with Store.open(str(path)) as s:
        assert s._one("PRAGMA journal_mode")[0] == "wal"  # type: ignore[index]
        assert s._one("PRAGMA busy_timeout")[0] > 0  # type: ignore[index]
    assert path.exists()


def test_error_hierarchy() -> None:
    from azshell.errors import AzShellError

    for cls in (NotFoundError, ConflictError, StateFileError):
        assert issubclass(cls, ModelError)
    assert issubclass(ModelError, AzShellError)


def test_tenant(store: Store) -> None:
    with pytest.raises(NotFoundError):
        store.get_tenant()
    store.put_tenant(Tenant(TID, "contoso", "contoso.onmicrosoft.com"))
    assert store.get_tenant().default_domain == "contoso.onmicrosoft.com"
    with pytest.raises(ConflictError):
        store.put_tenant(Tenant("99999999-1111-1111-1111-111111111111", "x", "x"))


def test_directory_objects_crud_and_find(store: Store) -> None:
    a = _user("aaaaaaaa-0000-0000-0000-000000000001", "Alice", "alice@contoso.com")
    sp = DirectoryObject(
        object_id="aaaaaaaa-0000-0000-0000-000000000002",
        tenant_id=TID,
        object_type="ServicePrincipal",
        display_name="vm1",
        app_id="bbbbbbbb-0000-0000-0000-000000000002",
        service_principal_type="ManagedIdentity",
        alternative_names=("isExplicit=False", VM_ID),
        resource_id=VM_ID,
    )
    store.put_directory_object(a)
    store.put_directory_object(sp)
    assert store.get_directory_object(a.object_id.upper()) == a
    assert store.get_directory_object(sp.object_id) == sp
    assert store.find_directory_objects(user_principal_name="ALICE@contoso.com") == [a]
    assert store.find_directory_objects(display_name="VM1") == [sp]
    assert store.find_directory_objects(app_id=sp.app_id.upper()) == [sp]  # type: ignore[union-attr]
    assert store.find_directory_objects(resource_id=VM_ID.lower()) == [sp]
    assert store.find_directory_objects(object_type="User") == [a]
    assert len(store.list_directory_objects()) == 2
    assert store.delete_directory_object(a.object_id)
    assert not store.delete_directory_object(a.object_id)
    assert store.get_directory_object(a.object_id) is None


def test_group_membership_transitive(store: Store) -> None:
    u = _user("aaaaaaaa-0000-0000-0000-000000000001")
    g1, g2, g3 = (_group(f"cccccccc-0000-0000-0000-00000000000{i}", f"g{i}") for i in (1, 2, 3))
    for o in (u, g1, g2, g3):
        store.put_directory_object(o)
    store.add_group_member(g1.object_id, u.object_id)
    store.add_group_member(g2.object_id, g1.object_id)
    store.add_group_member(g3.object_id, g2.object_id)
    store.add_group_member(g1.object_id, g3.object_id)  # a cycle must not loop forever
    assert set(store.group_ids_of(u.object_id)) == {g1.object_id, g2.object_id, g3.object_id}
    assert store.list_group_members(g1.object_id) == sorted([u.object_id, g3.object_id])
    assert store.remove_group_member(g2.object_id, g1.object_id)
    assert store.group_ids_of(u.object_id) == [g1.object_id]
    with pytest.raises(NotFoundError):
        store.add_group_member(u.object_id, g1.object_id)  # a user is not a group
    store.delete_directory_object(g1.object_id)
    assert store.group_ids_of(u.object_id) == []


def test_subscriptions(store: Store) -> None:
    s = Subscription(SUB, TID, "Azure subscription 1")
    store.put_subscription(s)
    assert store.list_subscriptions() == [s]
    assert store.get_subscription(SUB.upper()) == s
    assert store.get_subscription("nope") is None


def test_resource_groups_case_insensitive(store: Store) -> None:
    rg = store.put_resource_group(ResourceGroup(id="", subscription_id=SUB, name="MyRG", location="westus"))
    assert rg.id == f"/subscriptions/{SUB}/resourceGroups/MyRG"
    assert store.get_resource_group(SUB, "myrg") == rg
    again = store.put_resource_group(
        ResourceGroup(id="", subscription_id=SUB, name="MYRG", location="eastus", tags={"a": "b"})
    )
    assert again.name == "MyRG" and again.location == "eastus" and again.tags == {"a": "b"}
    assert [g.name for g in store.list_resource_groups(SUB)] == ["MyRG"]
    assert store.delete_resource_group(SUB, "myrg")
    assert store.get_resource_group(SUB, "MyRG") is None


def test_resources_crud(store: Store) -> None:
    vm = _vm(
        properties={"vmId": "x", "hardwareProfile": {"vmSize": "Standard_DS1_v2"}},
        tags={"env": "dev"},
        identity=Identity(
            type="SystemAssigned, UserAssigned",
            principal_id="p",
            tenant_id=TID,
            user_assigned={"/uai": ("pid", "cid")},
        ),
        extra={"zones": ["1"]},
    )
    stored = store.put_resource(vm)
    assert stored == vm
    assert store.get_resource(VM_ID.upper()) == vm
    assert store.get_resource(VM_ID + "/") == vm
    # an update with other case keeps the original ID
    store.put_resource(_vm(VM_ID.lower(), properties={"vmId": "y"}))
    got = store.get_resource(VM_ID)
    assert got is not None and got.id == VM_ID and got.properties == {"vmId": "y"} and got.identity is None


def test_list_resources_filters_and_children(store: Store) -> None:
    store.put_resource(_vm())
    vm2 = VM_ID[:-1] + "2"
    store.put_resource(_vm(vm2))
    ext = Resource(
        id=VM_ID + "/extensions/ext1",
        subscription_id=SUB,
        resource_group="RG1",
        type="Microsoft.Compute/virtualMachines/extensions",
        name="ext1",
        location="westus",
    )
    store.put_resource(ext)
    assert len(store.list_resources()) == 3
    assert len(store.list_resources(sub_id=SUB.upper(), resource_group="rg1")) == 3
    assert [r.id for r in store.list_resources(type="microsoft.compute/virtualmachines")] == [VM_ID, vm2]
    assert store.list_resources(resource_group="other") == []
    assert [r.id for r in store.list_child_resources(VM_ID.lower())] == [ext.id]
    assert store.delete_resource(VM_ID)
    assert store.get_resource(ext.id) is None  # children go with the parent
    assert not store.delete_resource(VM_ID)


def test_delete_resource_group_deletes_resources(store: Store) -> None:
    store.put_resource_group(ResourceGroup(id="", subscription_id=SUB, name="RG1", location="westus"))
    store.put_resource(_vm())
    store.delete_resource_group(SUB, "rg1")
    assert store.list_resources() == []


def test_put_resource_rejects_bad_id(store: Store) -> None:
    with pytest.raises(ModelError):
        store.put_resource(_vm("/not/an/id"))


def test_role_definitions(store: Store) -> None:
    rd = RoleDefinition(
        id="dddddddd-0000-0000-0000-000000000001",
        role_name="My Role",
        description="d",
        role_type="CustomRole",
        permissions=(
            Permission(actions=("*/read",), not_actions=("a",), data_actions=("b",), not_data_actions=("c",)),
        ),
        assignable_scopes=(f"/subscriptions/{SUB}",),
    )
    store.put_role_definition(rd)
    assert store.get_role_definition(rd.id.upper()) == rd
    assert store.find_role_definitions("my role") == [rd]
    assert store.list_role_definitions() == [rd]
    assert store.delete_role_definition(rd.id)
    assert store.get_role_definition(rd.id) is None


def test_role_assignments_and_conflict(store: Store) -> None:
    p1 = "aaaaaaaa-0000-0000-0000-000000000001"
    ra = store.put_role_assignment(_ra("eeeeeeee-0000-0000-0000-000000000001", p1))
    assert store.get_role_assignment(ra.name.upper()) == ra
    assert ra.id == f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/{ra.name}"
    # same name + same content: idempotent
    assert store.put_role_assignment(_ra(ra.name, p1)) == ra
    # same principal+role+scope under another name (scope in other case / trailing slash): RoleAssignmentExists
    with pytest.raises(ConflictError) as exc:
        store.put_role_assignment(
            _ra("eeeeeeee-0000-0000-0000-000000000002", p1.upper(), f"/SUBSCRIPTIONS/{SUB}/")
        )
    assert exc.value.code == "RoleAssignmentExists"
    assert exc.value.message.endswith(f"{ra.name.replace('-', '')}.")
    # same name, other content
    with pytest.raises(ConflictError) as exc2:
        store.put_role_assignment(_ra(ra.name, p1, role="r2"))
    assert exc2.value.code == "RoleAssignmentUpdateNotPermitted"
    ra2 = store.put_role_assignment(_ra("eeeeeeee-0000-0000-0000-000000000003", "other", role="r2"))
    assert len(store.list_role_assignments()) == 2
    assert store.list_role_assignments_for([p1.upper()]) == [ra]
    assert store.list_role_assignments_for([p1, "other", "none"]) == [ra, ra2]
    assert store.list_role_assignments_for([]) == []
    assert store.delete_role_assignment(ra.name)
    assert not store.delete_role_assignment(ra.name)


def test_role_assignment_trailing_slash_scope_normalized(store: Store) -> None:
    ra = store.put_role_assignment(
        _ra("eeeeeeee-0000-0000-0000-000000000001", "p", scope=f"/subscriptions/{SUB}/")
    )
    assert ra.scope == f"/subscriptions/{SUB}"


def test_signing_keys(store: Store) -> None:
    k1 = SigningKeyRecord(kid="k1", tenant_id=TID, private_pem=b"PEM1", created=1.0, active=False)
    k2 = SigningKeyRecord(kid="k2", tenant_id=TID, private_pem=b"PEM2", created=2.0, active=True)
    store.put_signing_key(k2)
    store.put_signing_key(k1)
    assert store.list_signing_keys(TID) == [k1, k2]
    assert store.list_signing_keys("other") == []
    assert store.delete_signing_key("k1")
    assert store.list_signing_keys(TID) == [k2]


def test_settings(store: Store) -> None:
    assert store.get_setting("x") is None
    store.set_setting("x", "1")
    store.set_setting("x", "2")
    assert store.get_setting("x") == "2"
    assert store.delete_setting("x")
    assert store.get_setting("x") is None


def test_events(store: Store, clock: object) -> None:
    s1 = store.append_event("resource.put", {"id": "a"})
    store.append_event("role_assignment.created", {"name": "n"})
    store.append_event("resource.put", {"id": "b"})
    events = store.recent_events()
    assert [e.kind for e in events] == ["resource.put", "role_assignment.created", "resource.put"]
    assert events[0].seq == s1 and events[0].data == {"id": "a"} and events[0].time == 1_700_000_000.0
    assert [e.data["id"] for e in store.recent_events("resource.put")] == ["a", "b"]
    assert [e.data["id"] for e in store.recent_events("resource.put", limit=1)] == ["b"]


def test_events_are_trimmed(store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(store_mod, "EVENTS_KEEP", 50)
    monkeypatch.setattr(store_mod, "_EVENTS_TRIM_EVERY", 10)
    with store.transaction():
        for i in range(200):
            store.append_event("k", {"i": i})
    events = store.recent_events(limit=1000)
    assert events[-1].data == {"i": 199}
    assert 50 <= len(events) <= 60
    assert EVENTS_KEEP == 10_000


def test_transaction_rolls_back_on_error(store: Store) -> None:
    gen = store.generation()
    with pytest.raises(RuntimeError), store.transaction():
        store.set_setting("a", "1")
        store.set_setting("b", "2")
        raise RuntimeError("boom")
    assert store.get_setting("a") is None and store.get_setting("b") is None
    assert store.generation() == gen


def test_generation_changes_across_two_stores(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    a = Store.open(path)
    b = Store.open(path)
    try:
        g0 = b.generation()
        a.set_setting("x", "1")
        g1 = b.generation()
        assert g1 != g0
        assert b.get_setting("x") == "1"  # reads are fresh
        with a.transaction():  # one transaction: one bump
            a.set_setting("y", "1")
            a.set_setting("z", "1")
        assert b.generation() == g1 + 1
        b.set_setting("w", "1")
        assert a.generation() == g1 + 2
        assert b.generation() == a.generation()
    finally:
        a.close()
        b.close()


def test_close_is_idempotent(tmp_path: Path) -> None:
    s = Store.open(str(tmp_path / "s.db"))
    s.close()
    s.close()


# ------------------------------------------------------------------------------------------- state-file errors
def test_corrupt_file_gives_state_file_error(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    path.write_bytes(b"this is not a sqlite database at all, just some text" * 100)
    with pytest.raises(StateFileError) as exc:
        Store.open(str(path))
    assert "not a usable azshell state file" in str(exc.value)
    assert not isinstance(exc.value, sqlite3.Error)


def test_foreign_sqlite_file_refused(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t(x)")
    conn.commit()
    conn.close()
    with pytest.raises(StateFileError, match="not an azshell state file"):
        Store.open(str(path))


def test_newer_schema_refused(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    Store.open(path).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'", (str(SCHEMA_VERSION + 1),))
    conn.commit()
    conn.close()
    with pytest.raises(StateFileError, match="newer azshell"):
        Store.open(path)


def test_older_schema_is_migrated(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    # a file as version 1 of azshell wrote it: only the first migration applied
    conn = sqlite3.connect(path, isolation_level=None)
    s = Store(conn, path)
    s._migrate(upto=1)
    assert s.schema_version() == 1
    conn.execute("BEGIN")
    conn.execute("INSERT INTO subscriptions VALUES(?,?,?,?)", (SUB, TID, "old", "Enabled"))
    conn.execute("COMMIT")
    assert "events" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    with Store.open(path) as upgraded:
        assert upgraded.schema_version() == SCHEMA_VERSION
        assert upgraded.get_subscription(SUB) is not None  # data kept
        upgraded.append_event("k", {})  # new tables usable
        assert len(upgraded.recent_events()) == 1


def test_migrations_list_is_ordered() -> None:
    assert SCHEMA_VERSION == len(store_mod.MIGRATIONS) >= 2


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_state_file_is_private(tmp_path: Path) -> None:
    """The state file holds signing keys and secrets: created 0600 with its WAL/SHM; a world-readable one is
    tightened on open (issue 14, "Secrets at rest")."""
    path = tmp_path / "state" / "state.db"
    s = Store.open(str(path))
    s.set_setting("k", "v")
    for name in (path, Path(f"{path}-wal"), Path(f"{path}-shm")):
        if name.exists():
            assert stat.S_IMODE(name.stat().st_mode) & 0o077 == 0, name
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    s.close()
    os.chmod(path, 0o644)
    Store.open(str(path)).close()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
