"""A writer killed with SIGKILL mid-command loses nothing it had committed; the file opens cleanly."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from azshell.model.store import Store

WRITER = r"""
import sys
from azshell.model.store import Store
s = Store.open(sys.argv[1])
i = 0
while True:
    with s.transaction():
        s.set_setting(f"k{i}", str(i))
        s.append_event("crash.test", {"i": i})
    print(i, flush=True)
    i += 1
"""


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")
def test_sigkill_loses_no_committed_write(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    Store.open(path).close()
    proc = subprocess.Popen(
        [sys.executable, "-c", WRITER, path],
        stdout=subprocess.PIPE,
        text=True,
        cwd=str(Path(__file__).resolve().parents[2]),
    )
    assert proc.stdout is not None
    last = -1
    deadline = time.monotonic() + 30
    while last < 200 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        last = int(line)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    # lines still in the pipe were committed too
    for line in proc.stdout.read().split():
        last = max(last, int(line))
    assert last >= 200, "the writer did not get going"
    with Store.open(path) as s:
        assert s.integrity_check() == "ok"
        for i in range(last + 1):
            assert s.get_setting(f"k{i}") == str(i)
        events = s.recent_events("crash.test", limit=100_000)
        assert [e.data["i"] for e in events][: last + 1] == list(range(last + 1))
        s.set_setting("after", "1")  # still writable
