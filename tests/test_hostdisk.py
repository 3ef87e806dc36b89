"""Each emulated host has its own disk in the state (issue 5, item 2)."""

from __future__ import annotations

from pathlib import Path

import pytest

from azshell.services.registry import open_world
from azshell.session import Session
from tests.conftest import TEST_KEYS


def _outputs(s: Session, text: str) -> list[object]:
    r = s.execute(text)
    errors = [s.render_text(x) for x in r.records if x.stream == "error"]
    assert not errors, errors
    return [x.value for x in r.records if x.stream == "output"]


def test_files_written_on_a_vm_stay_on_that_vm(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    state = str(tmp_path / "state.db")
    world = open_world(state, signing_key=TEST_KEYS)
    s = Session(world=world)
    _outputs(s, "New-AzResourceGroup rg1 westus | Out-Null\n"
                "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null\n"
                "New-AzVM -ResourceGroupName rg1 -Name vm2 -Location westus | Out-Null\n"
                "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null\n"
                'echo "Test file." > Test1.txt')
    assert _outputs(s, "Get-Content Test1.txt; (Get-Location).Path") == ["Test file.", "C:\\"]
    assert not (tmp_path / "Test1.txt").exists()
    assert _outputs(s, "Exit-AzVM; Test-Path Test1.txt") == [False]
    assert _outputs(s, "Enter-AzVM -ResourceGroupName rg1 -Name vm2 | Out-Null; Test-Path Test1.txt") == [False]
    world.close()

    # another session over the same state file (a later REPL, or the kernel) sees vm1's file
    s2 = Session(state=state)
    assert _outputs(s2, "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null; Get-Content C:\\Test1.txt") == [
        "Test file."]
    _outputs(s2, "Remove-Item Test1.txt")
    s2.close()
    s3 = Session(state=state)
    assert _outputs(s3, "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null; Test-Path Test1.txt") == [False]
    s3.close()


def test_a_deleted_vm_takes_its_disk_with_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A VM deleted and created again under the same name starts with an empty disk, as a new VM on Azure does;
    deleting the resource group does the same for every VM in it."""
    monkeypatch.chdir(tmp_path)
    world = open_world(str(tmp_path / "state.db"), signing_key=TEST_KEYS)
    s = Session(world=world)
    write = 'Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null; "kept?" > C:\\note.txt; Exit-AzVM'
    probe = "Enter-AzVM -ResourceGroupName rg1 -Name vm1 | Out-Null; Test-Path C:\\note.txt; Exit-AzVM"
    _outputs(s, "New-AzResourceGroup rg1 westus | Out-Null\n"
                "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null\n"
                "New-AzVM -ResourceGroupName rg1 -Name vm10 -Location westus | Out-Null")
    _outputs(s, write)
    _outputs(s, 'Enter-AzVM -ResourceGroupName rg1 -Name vm10 | Out-Null; "mine" > C:\\note.txt; Exit-AzVM')
    assert _outputs(s, probe) == [True]
    _outputs(s, "Remove-AzVM -ResourceGroupName rg1 -Name vm1 -Force | Out-Null\n"
                "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null")
    assert _outputs(s, probe) == [False]
    assert _outputs(s, "Enter-AzVM -ResourceGroupName rg1 -Name vm10 | Out-Null; Get-Content C:\\note.txt; "
                       "Exit-AzVM") == ["mine"]  # a VM whose name starts the same keeps its disk
    _outputs(s, write)
    _outputs(s, "Remove-AzResourceGroup -Name rg1 -Force | Out-Null\n"
                "New-AzResourceGroup rg1 westus | Out-Null\n"
                "New-AzVM -ResourceGroupName rg1 -Name vm1 -Location westus | Out-Null")
    assert _outputs(s, probe) == [False]
    world.close()
