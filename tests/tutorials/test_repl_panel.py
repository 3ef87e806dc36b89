"""The REPL's tutorial step panel (above the toolbar) advancing, on a real screen under tmux."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from tests._tmux import TmuxShell
from tests.conftest import needs_tool

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(90),
              pytest.mark.skipif(sys.platform == "win32", reason="tmux is POSIX-only"), needs_tool("tmux")]


def test_step_panel_advances_on_screen(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update({"AZSHELL_HOME": str(tmp_path / "home"), "AZSHELL_STATE": str(tmp_path / "state.db"),
                "TERM": "xterm-256color", "HOME": str(tmp_path),
                "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "kernel")])})
    tmux = TmuxShell(tmp_path, env, prefix="azshell-tut", width=160, height=40, wait_timeout=20)
    wait_for, type_line = tmux.wait_for, tmux.type_line

    try:
        wait_for("PS ")
        type_line("Start-Tutorial current-windows-vm-access-arm -SetupPrerequisites")
        shown = wait_for("step 5/8: Step onto the VM")
        assert "next: Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM" in shown
        assert "subscription:" in shown  # the toolbar is still below the panel
        type_line("Enter-AzVM -ResourceGroupName myResourceGroup -Name myVM")
        shown = wait_for("step 6/8: Ask IMDS for an access token")
        assert "Step 5 passed" in shown
        panel_row = next(i for i, ln in enumerate(shown.splitlines()) if "step 6/8" in ln)
        toolbar_row = next(i for i, ln in enumerate(shown.splitlines()) if "subscription:" in ln)
        assert panel_row < toolbar_row
    finally:
        tmux.kill()
