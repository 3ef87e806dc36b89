"""A short soak (issue 14): ``azshell serve``, a shell script, the Jupyter kernel and httpx clients through the
proxy, all separate processes on one state file, for about 12 s (``make soak`` runs the same harness for 60 s
with more actors: ``benchmarks/bench_soak.py``).

Asserts the contract: no 5xx, no locked/busy database and no traceback in any process's output, no write
reported done that the next read does not see, no failed operation at all, ``PRAGMA integrity_check`` ok, and
the role assignments the shell and the kernel believe exist are exactly those in the store and those the server
lists; the secrets the clients wrote last are what the server serves.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_module

require_module("jupyter_client")
require_module("ipykernel")

from benchmarks.bench_soak import print_report, run_soak  # noqa: E402

pytestmark = [pytest.mark.slow, pytest.mark.timeout(300)]


def test_short_soak_runs_clean(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    report = run_soak(str(tmp_path), seconds=12, shells=1, kernels=1, threads=2, max_steps=20_000)
    print_report(report)
    figures = capsys.readouterr().out
    assert report.client_5xx == 0 and report.server_5xx == 0, figures
    assert not report.locked, report.locked[:5]
    assert not report.tracebacks, report.tracebacks[:5]
    assert report.silent == 0, figures
    assert report.integrity == "ok"
    assert report.believed == report.in_store == report.listed_by_server, figures
    assert report.secrets_served == report.secrets_believed and report.secrets_believed, figures
    assert {a.kind for a in report.actors} == {"shell", "kernel", "http"}
    assert all(a.done and a.total > 0 for a in report.actors), figures
    assert report.writes_ok > 0
    assert report.problems() == [], figures
