"""Checkpoint-/Restore-AzShellState, Get-/Remove-AzShellCheckpoint: whole, atomic, cheap."""

from __future__ import annotations

import os
import sqlite3
import stat
import threading

import pytest

from azshell.controls.checkpoints import (
    CheckpointError,
    create_checkpoint,
    list_checkpoints,
    remove_checkpoint,
    restore_checkpoint,
)
from azshell.controls.export import export_json, read_snapshot
from azshell.services.registry import open_world
from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.conftest import TEST_KEYS


def _export(world: World) -> str:
    return export_json(read_snapshot(world.store))


def test_checkpoint_change_restore_gives_a_byte_identical_export(tshell: Shell) -> None:
    tshell.ok("New-AzResourceGroup -Name rg1 -Location westus | Out-Null")
    before = _export(tshell.world)
    tshell.ok("Checkpoint-AzShellState -Name c1 | Out-Null")
    tshell.ok("New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null\n"
              "$p = (Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.PrincipalId\n"
              "New-AzRoleAssignment -ObjectId $p -RoleDefinitionName Reader -ResourceGroupName rg1 | Out-Null\n"
              "Remove-AzResourceGroup -Name rg1 -Force | Out-Null\n"
              "Add-AzShellFault Imds 429 | Out-Null")
    assert _export(tshell.world) != before
    _, notes = tshell.ok_host("Restore-AzShellState -Name c1")
    assert notes == ["Restored checkpoint c1."]
    assert _export(tshell.world) == before
    assert tshell.ok("(Get-AzResourceGroup -Name rg1).ResourceGroupName") == ["rg1"]
    assert tshell.ok("Get-AzVM") == []


def test_file_checkpoints_are_private_files_beside_the_state(state_path: str) -> None:
    world = open_world(state_path, signing_key=TEST_KEYS)
    try:
        cp = create_checkpoint(world, "first")
        assert cp.path == state_path + ".checkpoints/first.db"
        assert stat.S_IMODE(os.stat(cp.path).st_mode) == 0o600
        assert stat.S_IMODE(os.stat(state_path + ".checkpoints").st_mode) == 0o700
        before = _export(world)
        world.backend.create_or_update_resource_group(world.default_subscription_id, "rgx", "westus")
        restore_checkpoint(world, "FIRST")  # names compare case-insensitively
        assert _export(world) == before
        assert [c.name for c in list_checkpoints(world)] == ["first"]
        remove_checkpoint(world, "first")
        assert list_checkpoints(world) == []
        assert not os.path.exists(cp.path)
    finally:
        world.close()


def test_another_process_sees_the_old_state_or_the_new_never_a_mix(state_path: str) -> None:
    """A reader on its own connection, polling while a restore runs, only ever sees the checkpoint's resource
    groups or the changed ones."""
    world = open_world(state_path, signing_key=TEST_KEYS)
    sub = world.default_subscription_id
    try:
        for i in range(20):
            world.backend.create_or_update_resource_group(sub, f"old{i}", "westus")
        create_checkpoint(world, "c")
        for i in range(20):
            world.backend.delete_resource_group(sub, f"old{i}")
            world.backend.create_or_update_resource_group(sub, f"new{i}", "westus")
        seen: set[tuple[int, int]] = set()
        stop = threading.Event()

        def reader() -> None:
            db = sqlite3.connect(state_path, timeout=15)
            try:
                while not stop.is_set():
                    names = [r[0] for r in db.execute("SELECT name FROM resource_groups")]
                    seen.add((sum(n.startswith("old") for n in names), sum(n.startswith("new") for n in names)))
            finally:
                db.close()

        t = threading.Thread(target=reader)
        t.start()
        for _ in range(3):
            restore_checkpoint(world, "c")
            for i in range(20):
                world.backend.delete_resource_group(sub, f"old{i}")
            create_checkpoint(world, "empty")
            restore_checkpoint(world, "c")
        stop.set()
        t.join()
        assert seen <= {(20, 0), (0, 20), (20, 0), (0, 0), *((20 - k, 0) for k in range(21))}
        assert (20, 20) not in seen and not any(old and new for old, new in seen)
    finally:
        world.close()


def test_restore_moves_generation_and_other_worlds_rebuild_their_token_service(state_path: str) -> None:
    a = open_world(state_path, signing_key=TEST_KEYS)
    b = open_world(state_path)
    try:
        create_checkpoint(a, "c")
        tokens_before = b.tokens
        gen = b.store.generation()
        restore_checkpoint(a, "c")
        assert b.store.generation() > gen
        assert b.tokens is not tokens_before
    finally:
        a.close()
        b.close()


def test_memory_states_keep_checkpoints_in_memory(tworld: World) -> None:
    cp = create_checkpoint(tworld, "m")
    assert cp.path is None and cp.size > 0
    assert [c.name for c in list_checkpoints(tworld)] == ["m"]


def test_errors_are_plain(tshell: Shell) -> None:
    text = tshell.error_text("Restore-AzShellState -Name nope")
    assert "There is no checkpoint named 'nope'. There are no checkpoints" in text
    assert "is not a valid checkpoint name" in tshell.error_text("Checkpoint-AzShellState -Name '../x'")
    with pytest.raises(CheckpointError):
        remove_checkpoint(tshell.world, "nope")
    tshell.ok("Checkpoint-AzShellState a | Out-Null; Checkpoint-AzShellState b | Out-Null")
    assert [c.get("Name") for c in tshell.ok("Get-AzShellCheckpoint")] == ["a", "b"]
    tshell.ok("Get-AzShellCheckpoint | Remove-AzShellCheckpoint")
    assert tshell.ok("Get-AzShellCheckpoint") == []


def test_undo_tutorial_step_and_reset_with_restore_state(world: World) -> None:
    from tests.tutorials.conftest import Learner

    cur = "current-windows-vm-access-arm"
    learner = Learner(world)
    before = _export(world)
    learner.start(cur)
    first = learner.current()
    learner.do_step(first)  # type: ignore[arg-type]
    second = learner.current()
    assert second != first
    names = [c.name for c in list_checkpoints(world)]
    assert f"tutorial-{cur}-step-0" in names and f"tutorial-{cur}-step-1" in names
    learner.ok("Undo-TutorialStep")
    assert learner.current() == first
    assert f"tutorial-{cur}-step-1" not in [c.name for c in list_checkpoints(world)]
    learner.do_until("enter-vm")  # the prerequisites: resource group, VM, identity, role
    assert world.store.list_resource_groups(world.default_subscription_id)
    learner.ok(f"Reset-Tutorial {cur} -RestoreState")
    assert learner.status(cur) == "NotStarted"
    assert not world.store.list_resource_groups(world.default_subscription_id)
    assert [c.name for c in list_checkpoints(world) if c.name.startswith("tutorial-")] == []
    # the tenant is as it was before the tutorial (the events log aside, which the export leaves out)
    assert _export(world).replace(cur, "") != "" and json_tables(_export(world)) == json_tables(before)


def json_tables(text: str) -> dict[str, object]:
    import json

    doc = json.loads(text)
    tables = dict(doc["tables"])
    tables.pop("settings", None)  # the tutorials' own progress row differs (it was reset)
    return tables
