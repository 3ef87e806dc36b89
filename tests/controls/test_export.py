"""Export-/Import-AzShellState and ``azshell state export|import``: the whole tenant as versioned JSON."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from azshell.controls.export import (
    FORMAT_VERSION,
    StateImportError,
    export_json,
    load_snapshot,
    parse_export,
    read_snapshot,
)
from azshell.model.store import SCHEMA_VERSION
from azshell.services.registry import open_world
from azshell.world import World
from tests.cmdlets._shell import Shell
from tests.conftest import TEST_KEYS

ARM = "https://management.azure.com/"
SETUP = """
New-AzResourceGroup -Name rg1 -Location westus | Out-Null
New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus -IdentityType SystemAssigned | Out-Null
$p = (Get-AzVM -ResourceGroupName rg1 -Name vm1).Identity.PrincipalId
New-AzRoleAssignment -ObjectId $p -RoleDefinitionName Reader -ResourceGroupName rg1 | Out-Null
"""
VIEW = ("Get-AzRoleAssignment | Sort-Object RoleAssignmentId | ConvertTo-Json -Depth 4\n"
        "Get-AzVM | ConvertTo-Json -Depth 6")


def _export(world: World) -> str:
    return export_json(read_snapshot(world.store))


@pytest.fixture
def two_states(tmp_path: Path) -> tuple[World, World]:
    a = open_world(str(tmp_path / "a.db"), signing_key=TEST_KEYS)
    b = open_world(str(tmp_path / "b.db"), signing_key=TEST_KEYS)
    yield a, b
    a.close()
    b.close()


def test_export_then_import_into_a_fresh_state_gives_the_same_answers(tmp_path: Path,
                                                                     two_states: tuple[World, World]) -> None:
    a, b = two_states
    sa, sb = Shell(a), Shell(b)
    sa.ok(SETUP)
    token = a.tokens.issue_for_principal(principal=a.admin_user, resource=ARM, kind="user").access_token
    path = tmp_path / "tenant.json"
    _, warnings = sa.run_all(f"Export-AzShellState -Path '{path}'")[1:]
    assert any("private signing keys" in w for w in warnings)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    assert b.tenant_id != a.tenant_id
    _, notes = sb.ok_host(f"Import-AzShellState -Path '{path}'")
    assert notes and notes[0].startswith("Imported ")
    assert b.tenant_id == a.tenant_id
    assert sb.ok(VIEW) == sa.ok(VIEW)
    assert b.tokens.verify(token, audiences=[ARM]) == a.tokens.verify(token, audiences=[ARM])
    assert _export(b) == _export(a)
    # the importing session signed in again, as the imported tenant's admin
    assert sb.ok("(Get-AzContext).Tenant.Id") == [a.tenant_id]


def test_the_document_is_versioned_and_warns(tworld: World) -> None:
    tworld.tokens.key_ring().refresh()  # the signing keys are made on first use
    doc = json.loads(_export(tworld))
    assert doc["format"] == "azshell-state" and doc["formatVersion"] == FORMAT_VERSION
    assert "TEST tenant" in doc["warning"]
    assert doc["schema"]["core"] == SCHEMA_VERSION
    assert "events" not in doc["tables"]
    keys = doc["tables"]["signing_keys"]
    pem = keys["rows"][0][keys["columns"].index("private_pem")]
    assert set(pem) == {"$base64"}


def test_an_older_export_is_migrated_on_import(tworld: World, tmp_path: Path) -> None:
    doc = json.loads(_export(tworld))
    # an export from before core migration 5 (no host tables yet)
    doc["schema"]["core"] = 4
    for name in ("host_identity_headers", "host_files"):
        doc["tables"].pop(name)
    other = open_world(str(tmp_path / "fresh.db"), signing_key=TEST_KEYS)
    try:
        load_snapshot(other, parse_export(json.dumps(doc)))
        assert other.tenant_id == tworld.tenant_id
        assert _export(other) == _export(tworld)
    finally:
        other.close()


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d["schema"].update(core=99), "written by a newer azshell (core schema version 99; this azshell "
                                            f"knows up to {SCHEMA_VERSION}). Upgrade azshell to import it."),
    (lambda d: d["schema"].update(quantum=1), "has data of services this azshell does not have: quantum."),
    (lambda d: d.update(formatVersion=FORMAT_VERSION + 1), "uses export format version 2, written by a newer"),
    (lambda d: d.update(format="other"), "is not an azshell state export"),
    (lambda d: d["tables"]["tenant"]["rows"][0].pop(), "does not have"),
])
def test_what_cannot_be_imported_says_why(tworld: World, change: object, message: str) -> None:
    doc = json.loads(_export(tworld))
    change(doc)  # type: ignore[operator]
    before = _export(tworld)
    with pytest.raises(StateImportError, match=None) as err:
        load_snapshot(tworld, parse_export(json.dumps(doc), source="t.json"))
    assert message in str(err.value)
    assert _export(tworld) == before  # nothing changed


def test_import_errors_in_the_shell(tshell: Shell, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    assert "is not JSON" in tshell.error_text(f"Import-AzShellState -Path '{bad}'")
    assert "Cannot read" in tshell.error_text(f"Import-AzShellState -Path '{tmp_path / 'missing.json'}'")


def test_the_command_line(tmp_path: Path) -> None:
    src, dst, file = tmp_path / "src.db", tmp_path / "dst.db", tmp_path / "t.json"
    a = open_world(str(src), signing_key=TEST_KEYS)
    a.backend.create_or_update_resource_group(a.default_subscription_id, "rgcli", "westus")
    tenant = a.tenant_id
    a.close()
    env = {**os.environ, "AZSHELL_HOME": str(tmp_path)}
    run = [sys.executable, "-m", "azshell"]
    out = subprocess.run([*run, "--state", str(src), "state", "export", str(file)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    assert "keep it private" in out.stdout
    out = subprocess.run([*run, "state", "import", str(file), "--state", str(dst)], capture_output=True, text=True,
                         env=env, timeout=120)
    assert out.returncode == 0, out.stderr
    b = open_world(str(dst))
    try:
        assert b.tenant_id == tenant
        assert [g.name for g in b.store.list_resource_groups(b.default_subscription_id)] == ["rgcli"]
    finally:
        b.close()
    out = subprocess.run([*run, "state", "import", str(tmp_path / "nope.json"), "--state", str(dst)],
                         capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 1 and "azshell state import: Cannot read" in out.stderr
    out = subprocess.run([*run, "state", "frobnicate"], capture_output=True, text=True, env=env, timeout=120)
    assert out.returncode == 64 and "usage: azshell state export FILE" in out.stderr
