"""Several processes on one state file: concurrent writers all commit; seeding races stay single."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from azshell.clock import SystemClock
from azshell.model.backend import TenantBackend
from azshell.model.store import Store

ROOT = Path(__file__).resolve().parents[2]

WRITER = r"""
import sys
from azshell.clock import SystemClock
from azshell.model.backend import TenantBackend
from azshell.model.store import Store
s = Store.open(sys.argv[1])
TenantBackend(s, SystemClock()).seed()
for i in range(int(sys.argv[3])):
    s.set_setting(f"{sys.argv[2]}-{i}", "x")
"""


def test_concurrent_writers_and_seed(tmp_path: Path) -> None:
    path = str(tmp_path / "state.db")
    n = 150
    procs = [
        subprocess.Popen([sys.executable, "-c", WRITER, path, f"w{k}", str(n)], cwd=str(ROOT))
        for k in range(3)
    ]
    for p in procs:
        assert p.wait(timeout=120) == 0
    with Store.open(path) as s:
        for k in range(3):
            for i in range(n):
                assert s.get_setting(f"w{k}-{i}") == "x"
        assert len(s.list_subscriptions()) == 1  # seeded exactly once
        assert TenantBackend(s, SystemClock()).is_seeded()
        assert s.integrity_check() == "ok"
