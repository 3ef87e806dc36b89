"""A short soak (issue 14): ``azshell serve``, a shell script, the Jupyter kernel and httpx clients through the
proxy, all separate processes on one state file, for about 12 s (``make soak`` runs the same harness for 60 s
with more actors: ``benchmarks/bench_soak.py``).

Asserts the contract: no 5xx, no locked/busy database and no traceback in any process's output, no write
reported done that the next read does not see, no failed operation at all, ``PRAGMA integrity_check`` ok, and
the role assignments the shell and the kernel believe exist are exactly those in the store and those the server
lists; the secrets the clients wrote last are what the server serves.
"""

from __future__ import annotations

import threading
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from tests.conftest import require_module

require_module("jupyter_client")
require_module("ipykernel")

from azshell.auth.keys import KeyRing, load_pem_key  # noqa: E402
from azshell.model.store import Store  # noqa: E402
from benchmarks.bench_soak import Proc, SoakReport, parse_actor, print_report, run_soak, scan_output  # noqa: E402

KEYS = [load_pem_key(p.read_bytes()) for p in sorted((Path(__file__).parents[1] / "keys").glob("*.pem"))]


def test_processes_starting_together_on_a_new_file_agree_on_one_signing_key(tmp_path: Path) -> None:
    """A class starting at once on a fresh state file: each process (here: a store connection and a key ring
    each) finds no signing key and generates one. Only one pair may be stored, or tokens signed with a key that
    drops out of the JWKS (only the two newest active keys are published) fail to verify in the other processes.
    Found by the soak's fresh-file probe: 5 processes stored up to 5 active keys."""
    path = str(tmp_path / "state.db")
    stores = [Store.open(path) for _ in range(2)]
    both_generated = threading.Barrier(len(stores))
    made: list[int] = []

    def factory(i: int) -> Any:
        def make() -> Any:
            made.append(i)
            if made.count(i) == 1:  # everyone has seen "no key" and generated before anyone writes
                both_generated.wait(timeout=30)
            return KEYS[(2 * i + made.count(i) - 1) % len(KEYS)]
        return make

    rings = [KeyRing(s, "tenant-1", lambda: 1_700_000_000.0, factory(i)) for i, s in enumerate(stores)]
    threads = [threading.Thread(target=lambda r=r: r.active) for r in rings]  # type: ignore[misc]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    try:
        records = stores[0].list_signing_keys("tenant-1")
        assert sum(r.active for r in records) == 1 and len(records) == 2
        kids = {r.active.kid for r in rings}
        for ring in rings:
            ring.refresh()
        assert kids == {rings[0].active.kid}  # every process signs with the one stored key
    finally:
        for s in stores:
            s.close()


def _proc(tmp_path: Path, name: str, kind: str, out: str, err: str = "") -> Proc:
    (tmp_path / f"{name}.out").write_text(out)
    (tmp_path / f"{name}.err").write_text(err)
    popen: Any = SimpleNamespace(returncode=0)
    return Proc(name, kind, popen, tmp_path / f"{name}.out", tmp_path / f"{name}.err")


def test_the_checks_catch_what_the_contract_forbids(tmp_path: Path) -> None:
    """The harness can fail: a silent write, a reported failure, a locked database, a 5xx, a traceback."""
    report = SoakReport(1)
    shell = _proc(tmp_path, "shell1", "shell", "\n".join([
        "SOAK shell1 new ok 3.10 n1 Reader",
        "SOAK shell1 new invisible 2.00 n2 Contributor listed 0 time(s)",
        "SOAK shell1 remove fail 15001.00 The state file /s.db is busy: another azshell process held it ...",
        "SOAK shell1 held n1 Reader",
        "SOAK shell1 done 3 1.000",
    ]), err="boom\n")
    server = _proc(tmp_path, "server", "server", "", "azshell serve: GET https://x/ -> 500 (1.0 ms)\n"
                                                     "Traceback (most recent call last):\n")
    actor = parse_actor(shell, report)
    for p in (shell, server):
        scan_output(p, report)
    report.actors.append(actor)
    report.believed, report.in_store, report.listed_by_server = set(actor.held), {"n1", "n3"}, {"n1"}
    report.integrity, report.server_exit = "ok", 0
    assert actor.held == {"n1": "Reader"} and actor.done and actor.total == 3
    assert (report.writes_ok, report.writes_failed, report.silent) == (1, 1, 1)
    assert report.server_5xx == 1 and len(report.locked) == 1 and len(report.tracebacks) == 1
    problems = "\n".join(report.problems())
    for needle in ("5xx", "locked/busy", "traceback", "shell1 stderr: boom", "not seen on the next read",
                   "failed (reported", "in the store but not believed ['n3']"):
        assert needle in problems


@pytest.mark.slow
@pytest.mark.timeout(300)
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
