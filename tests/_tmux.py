"""A shell in a real terminal: azshell's REPL under tmux, typed into and read off the screen (the REPL
pty test and the tutorial step-panel test share it)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from pathlib import Path


class TmuxShell:
    """``python -m azshell`` in a detached tmux session of its own (socket under ``tmp_path``), read off the screen.

    Shared with ``tests/repl/test_repl_pty.py``.
    """

    def __init__(self, tmp_path: Path, env: dict[str, str], *, prefix: str, width: int, height: int,
                 wait_timeout: float) -> None:
        self.env = env
        self.name = f"{prefix}-{uuid.uuid4().hex[:8]}"
        self.tmux = ["tmux", "-S", str(tmp_path / "tmux.sock")]
        self.wait_timeout = wait_timeout
        subprocess.run([*self.tmux, "new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height),
                        f"{sys.executable} -m azshell"], env=env, check=True, cwd=str(tmp_path))

    def screen(self) -> str:
        return subprocess.run([*self.tmux, "capture-pane", "-p", "-t", self.name], env=self.env,
                              capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float | None = None) -> str:
        deadline = time.monotonic() + (self.wait_timeout if timeout is None else timeout)
        while time.monotonic() < deadline:
            shown = self.screen()
            if text in shown:
                return shown
            time.sleep(0.1)
        raise AssertionError(f"{text!r} not on screen:\n{self.screen()}")

    def send_text(self, text: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, "-l", text], env=self.env, check=True)

    def send_key(self, key: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, key], env=self.env, check=True)

    def type_line(self, text: str) -> None:
        self.send_text(text)
        self.send_key("Enter")

    def kill(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], env=self.env, capture_output=True)
