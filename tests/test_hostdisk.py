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
