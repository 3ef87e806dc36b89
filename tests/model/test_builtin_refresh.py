"""A state file seeded by an older azshell (17 built-in roles) gets the whole catalogue on open, idempotently, and
nothing else changes: custom roles and role assignments stay as they are."""

from __future__ import annotations

from pathlib import Path

from azshell.clock import FixedClock
from azshell.model.backend import (
    EVENT_BUILTIN_ROLES_REFRESHED,
    SETTING_BUILTIN_ROLES_VERSION,
    TenantBackend,
)
from azshell.model.builtin_roles import BUILTIN_ROLE_IDS, BUILTIN_ROLES_VERSION, builtin_role, builtin_roles
from azshell.model.store import Store
from azshell.model.types import Permission, RoleDefinition
from azshell.services.registry import open_world

MONITORING_READER = "43d0d8ad-25c7-4714-9337-8ba259a9fe05"


def _old_state(path: Path) -> dict[str, str]:
    """A file as an azshell with 17 built-in roles left it: no catalogue version, the 17 roles (one of them
    stale), a custom role and assignments of a built-in and of the custom role."""
    clock = FixedClock()
    store = Store.open(str(path), clock=clock)
    backend = TenantBackend(store, clock)
    backend.seed()
    keep = {guid.lower() for guid in BUILTIN_ROLE_IDS.values()}
    with store.transaction():
        for rd in store.list_role_definitions():
            if rd.id.lower() not in keep:
                store.delete_role_definition(rd.id)
        store.delete_setting(SETTING_BUILTIN_ROLES_VERSION)
        reader = builtin_role("Reader")
        store.put_role_definition(RoleDefinition(reader.id, reader.role_name, "old text", reader.role_type,
                                                 (Permission(actions=("*/read",)),)))
    sub = backend.default_subscription().subscription_id
    custom = backend.create_or_update_custom_role(role_name="VM Starter", assignable_scopes=[f"/subscriptions/{sub}"],
                                                  actions=["Microsoft.Compute/virtualMachines/start/action"])
    user = backend.create_user("bob", "bob@azshell.onmicrosoft.com")
    backend.create_role_assignment(scope=f"/subscriptions/{sub}", role_definition_id=custom.id,
                                   principal_id=user.object_id)
    backend.create_role_assignment(scope=f"/subscriptions/{sub}", role_definition_id=BUILTIN_ROLE_IDS["Reader"],
                                   principal_id=user.object_id)
    assert len(store.list_role_definitions()) == 18 and not backend.is_seeded()
    store.close()
    return {"custom": custom.id, "sub": sub}


def test_fresh_seed_records_the_catalogue(tmp_path: Path) -> None:
    world = open_world(str(tmp_path / "state.db"))
    try:
        assert world.store.get_setting(SETTING_BUILTIN_ROLES_VERSION) == BUILTIN_ROLES_VERSION
        assert world.backend.is_seeded() and world.backend.builtin_roles_current()
        assert len(world.store.list_role_definitions()) == len(builtin_roles())
        assert [e.kind for e in world.store.recent_events()] == ["tenant.seeded"]
        assert world.backend.refresh_builtin_roles() == 0
    finally:
        world.close()


def test_old_state_gets_every_role_on_open(tmp_path: Path) -> None:
    path = tmp_path / "state.db"
    old = _old_state(path)
    before = Store.open(str(path))
    assignments = before.list_role_assignments()
    custom = before.get_role_definition(old["custom"])
    before.close()

    world = open_world(str(path))
    try:
        store = world.store
        defs = store.list_role_definitions()
        assert len(defs) == len(builtin_roles()) + 1
        assert store.get_role_definition(MONITORING_READER) == builtin_role("Monitoring Reader")
        assert store.get_role_definition(BUILTIN_ROLE_IDS["Reader"]) == builtin_role("Reader")  # stale one rewritten
        assert store.get_role_definition(old["custom"]) == custom
        assert store.list_role_assignments() == assignments
        assert store.get_setting(SETTING_BUILTIN_ROLES_VERSION) == BUILTIN_ROLES_VERSION
        [event] = [e for e in store.recent_events() if e.kind == EVENT_BUILTIN_ROLES_REFRESHED]
        assert event.data["added"] == len(builtin_roles()) - 17 and event.data["updated"] == 1
        assert event.data["previousVersion"] is None
        gen = store.generation()
    finally:
        world.close()

    again = open_world(str(path))  # idempotent: nothing to do, nothing written
    try:
        assert again.store.generation() == gen
        assert len([e for e in again.store.recent_events() if e.kind == EVENT_BUILTIN_ROLES_REFRESHED]) == 1
    finally:
        again.close()


def test_refresh_never_overwrites_a_custom_role(tmp_path: Path) -> None:
    clock = FixedClock()
    store = Store.open(":memory:", clock=clock)
    backend = TenantBackend(store, clock)
    backend.seed()
    impostor = RoleDefinition(MONITORING_READER, "My Monitoring Reader", "", "CustomRole",
                              (Permission(actions=("*/read",)),), ("/",))
    with store.transaction():
        store.put_role_definition(impostor)
        store.set_setting(SETTING_BUILTIN_ROLES_VERSION, "older")
    assert backend.refresh_builtin_roles() == 0
    assert store.get_role_definition(MONITORING_READER) == impostor
    assert backend.builtin_roles_current()
    store.close()
