"""The REPL's tutorial step panel (above the toolbar) advancing, on a real screen under tmux."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.conftest import needs_tool

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(90),
              pytest.mark.skipif(sys.platform == "win32", reason="tmux is POSIX-only"), needs_tool("tmux")]


def test_step_panel_advances_on_screen(tmp_path: Path) -> None:
    env = dict(os.environ)
    env.update({"AZSHELL_HOME": str(tmp_path / "home"), "AZSHELL_STATE": str(tmp_path / "state.db"),
                "TERM": "xterm-256color", "HOME": str(tmp_path),
                "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "kernel")])})
    name = f"azshell-tut-{uuid.uuid4().hex[:8]}"
    tmux = ["tmux", "-S", str(tmp_path / "tmux.sock")]
    subprocess.run([*tmux, "new-session", "-d", "-s", name, "-x", "160", "-y", "40", f"{sys.executable} -m azshell"],
                   env=env, check=True, cwd=str(tmp_path))

    def screen() -> str:
        return subprocess.run([*tmux, "capture-pane", "-p", "-t", name], env=env, capture_output=True,
                              text=True).stdout

    def wait_for(text: str, timeout: float = 20) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            shown = screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen:\n{screen()}")

    def type_line(text: str) -> None:
        subprocess.run([*tmux, "send-keys", "-t", name, "-l", text], env=env, check=True)
        subprocess.run([*tmux, "send-keys", "-t", name, "Enter"], env=env, check=True)

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
        subprocess.run([*tmux, "kill-server"], env=env, capture_output=True)
