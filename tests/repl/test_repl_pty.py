"""The real thing: ``python -m azshell`` on a pseudo-terminal, typing a partial cmdlet and pressing Tab."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from tests._tmux import TmuxShell
from tests.conftest import needs_tool, require_module

pexpect = require_module("pexpect")

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.timeout(90), pytest.mark.skipif(sys.platform == "win32", reason="pty")]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "AZSHELL_HOME": str(tmp_path / "home"),
        "AZSHELL_STATE": ":memory:",
        "TERM": "xterm-256color",
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "kernel")]),
        "HOME": str(tmp_path),
    })
    env.pop("NO_COLOR", None)
    return env


def test_tab_completes_under_a_pty(tmp_path: Path) -> None:
    (tmp_path / "marker.txt").write_text("x")
    # pexpect is not a terminal that answers cursor-position requests; without PROMPT_TOOLKIT_NO_CPR
    # prompt_toolkit waits up to 1 s for the answer after each input (a real terminal or tmux answers at once)
    env = {**_env(tmp_path), "PROMPT_TOOLKIT_NO_CPR": "1"}
    child = pexpect.spawn(sys.executable, ["-m", "azshell"], env=env, cwd=str(tmp_path),
                          dimensions=(30, 120), encoding="utf-8", timeout=20)
    try:
        child.expect("PS ")
        child.send("Get-Ch")
        time.sleep(0.3)
        child.send("\t")
        child.expect("ildItem")  # the renderer redraws only what changed after "Get-Ch"
        child.send("\r")  # the sole match was inserted: Enter runs Get-ChildItem
        child.expect("LastWriteTime")
        child.expect("marker.txt")
        child.expect("PS ")
        child.send("Write-Out\x03")  # Ctrl+C: cancel the line
        child.expect("PS ")
        child.send('Write-Output "pty-ok"\r')
        child.expect("pty-ok\r\n")
        child.expect("PS ")
        child.send("Start-Sleep 30\r")
        child.expect_exact("\x1b[?2004l")  # the prompt application has finished: the command runs
        time.sleep(0.5)
        t0 = time.monotonic()
        child.send("\x03")  # Ctrl+C while a command runs: Session.interrupt()
        child.expect("The pipeline has been stopped.", timeout=5)
        assert time.monotonic() - t0 < 5
        child.expect("PS ")
        child.send('Write-Output "still-here"\r')
        child.expect("still-here\r\n")
        child.send("\x04")  # Ctrl+D: exit
        child.expect(pexpect.EOF)
    finally:
        child.close(force=True)
    assert child.exitstatus == 0


@needs_tool("tmux")
def test_tab_completion_on_the_screen_with_tmux(tmp_path: Path) -> None:
    tmux = TmuxShell(tmp_path, _env(tmp_path), prefix="azshell-test", width=120, height=30, wait_timeout=15)
    screen, wait_for = tmux.screen, tmux.wait_for

    try:
        wait_for("PS ")
        tmux.send_text("Get-Ch")
        time.sleep(0.3)
        tmux.send_key("Tab")
        deadline = time.monotonic() + 15
        prompt_line = ""
        while time.monotonic() < deadline and not prompt_line.endswith("Get-ChildItem"):
            time.sleep(0.1)
            prompt_line = next((line.rstrip() for line in screen().splitlines() if "PS " in line), "")
        assert prompt_line.endswith("> Get-ChildItem"), screen()
        toolbar = wait_for("subscription:")
        assert "account:" in toolbar and "host:" in toolbar
    finally:
        tmux.kill()
