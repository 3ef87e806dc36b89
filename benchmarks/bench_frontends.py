"""Front-end latency figures (issue 6): REPL start to prompt, kernel start to idle, cell round trip, completion.

    .venv/bin/python benchmarks/bench_frontends.py

Everything runs against a throwaway ``:memory:`` tenant with temporary ``AZSHELL_HOME`` and Jupyter
directories (nothing is written to the user's home). Targets: REPL prompt <= 300 ms, trivial cell round trip
<= 10 ms (median of 50), completion <= 30 ms.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def _hermetic_env(root: Path) -> dict[str, str]:
    env = {
        "JUPYTER_PATH": str(root / "data"),
        "JUPYTER_DATA_DIR": str(root / "userdata"),
        "JUPYTER_CONFIG_DIR": str(root / "config"),
        "JUPYTER_RUNTIME_DIR": str(root / "runtime"),
        "IPYTHONDIR": str(root / "ipython"),
        "JUPYTER_PLATFORM_DIRS": "1",
        "AZSHELL_HOME": str(root / "azshell-home"),
        "AZSHELL_STATE": ":memory:",
        "PYTHONPATH": os.pathsep.join([str(REPO), str(REPO / "kernel")]),
        # a normal install caches bytecode; some sandboxes set PYTHONDONTWRITEBYTECODE, which would make
        # every start recompile every module
        "PYTHONPYCACHEPREFIX": os.path.join(tempfile.gettempdir(), "azshell-bench-pycache"),
    }
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    spec_dir = root / "data" / "kernels" / "azshell"
    spec_dir.mkdir(parents=True, exist_ok=True)
    (spec_dir / "kernel.json").write_text(json.dumps({
        "argv": [sys.executable, "-m", "azshell_kernel", "-f", "{connection_file}"],
        "display_name": "azshell (bench)", "language": "powershell", "interrupt_mode": "signal",
    }))
    return env


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def bench_repl_start(env: dict[str, str], runs: int = 5) -> list[float]:
    """Spawn ``python -m azshell`` on a pty and time until the prompt text appears."""
    import pexpect

    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        child = pexpect.spawn(sys.executable, ["-m", "azshell"], env={**os.environ, **env, "TERM": "xterm", "PROMPT_TOOLKIT_NO_CPR": "1"},
                              dimensions=(30, 120), encoding="utf-8", timeout=30)
        child.expect("PS ")
        times.append(time.perf_counter() - t0)
        child.sendcontrol("d")
        child.expect(pexpect.EOF)
        child.close()
    return times


def bench_kernel(runs_cell: int = 50, runs_complete: int = 50) -> dict[str, Any]:
    from jupyter_client.manager import start_new_kernel

    out: dict[str, Any] = {}
    t0 = time.perf_counter()
    km, kc = start_new_kernel(kernel_name="azshell")
    out["start_to_idle"] = time.perf_counter() - t0
    try:
        def round_trip(code: str) -> float:
            t = time.perf_counter()
            msg_id = kc.execute(code)
            while True:
                m = kc.get_iopub_msg(timeout=10)
                if (m["parent_header"].get("msg_id") == msg_id and m["msg_type"] == "status"
                        and m["content"]["execution_state"] == "idle"):
                    break
            while kc.get_shell_msg(timeout=10)["parent_header"].get("msg_id") != msg_id:
                pass
            return time.perf_counter() - t

        round_trip("1")  # warm up
        out["cell"] = [round_trip("1") for _ in range(runs_cell)]
        out["cell_table"] = [round_trip("[pscustomobject]@{a=1;b='x'}") for _ in range(10)]

        def complete(text: str) -> float:
            t = time.perf_counter()
            msg_id = kc.complete(text)
            while kc.get_shell_msg(timeout=10)["parent_header"].get("msg_id") != msg_id:
                pass
            return time.perf_counter() - t

        complete("Get-Varia")
        out["complete"] = [complete("Get-Varia") for _ in range(runs_complete)]
        out["complete_param"] = [complete("Get-AzVM -Res") for _ in range(runs_complete)]
    finally:
        kc.stop_channels()
        km.shutdown_kernel(now=True)
    return out


def bench_in_process(runs: int = 50) -> dict[str, list[float]]:
    """The session calls the REPL makes on every keystroke (completion menu and highlighting)."""
    from prompt_toolkit.completion import CompleteEvent
    from prompt_toolkit.document import Document

    from azshell.repl.completer import SessionCompleter
    from azshell.repl.lexer import SessionLexer
    from azshell.session import Session

    session = Session(state=":memory:")

    def timed(fn: Callable[[], object]) -> list[float]:
        fn()
        res = []
        for _ in range(runs):
            t = time.perf_counter()
            fn()
            res.append(time.perf_counter() - t)
        return res

    completer = SessionCompleter(session)
    text = "Get-AzVM -ResourceGroupName rg -Na"
    doc = Document(text, len(text))
    lexer = SessionLexer(session)
    counter = iter(range(10**9))
    result = {
        "repl_complete": timed(lambda: list(completer.get_completions(doc, CompleteEvent(completion_requested=True)))),
        "repl_highlight": timed(lambda: lexer.lex_document(Document(f"{text} {next(counter)}"))(0)),
        "session_execute": timed(lambda: session.execute("1")),
    }
    session.close()
    return result


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="azshell-bench-") as td:
        env = _hermetic_env(Path(td))
        os.environ.update(env)
        rows: list[tuple[str, str, str]] = []

        file_env = {**env, "AZSHELL_STATE": str(Path(td) / "state.db")}
        bench_repl_start(file_env, runs=1)  # creates the state file (and warms the bytecode cache)
        repl = bench_repl_start(file_env)
        rows.append(("REPL start to prompt, state file (pty, median of 5)", _ms(statistics.median(repl)),
                     "<= 300 ms"))
        repl_mem = bench_repl_start(env)
        rows.append(("REPL start to prompt, :memory: (pty, median of 5)", _ms(statistics.median(repl_mem)), ""))
        k = bench_kernel()
        rows.append(("kernel start to idle (start_new_kernel)", _ms(k["start_to_idle"]), ""))
        rows.append(("trivial cell round trip `1` (median of 50)", _ms(statistics.median(k["cell"])), "<= 10 ms"))
        rows.append(("table cell round trip (median of 10)", _ms(statistics.median(k["cell_table"])), ""))
        rows.append(("kernel completion `Get-Varia` (median of 50)", _ms(statistics.median(k["complete"])),
                     "<= 30 ms"))
        rows.append(("kernel completion `Get-AzVM -Res` (median of 50)",
                     _ms(statistics.median(k["complete_param"])), "<= 30 ms"))
        ip = bench_in_process()
        rows.append(("REPL completer, in process (median of 50)", _ms(statistics.median(ip["repl_complete"])),
                     "<= 30 ms"))
        rows.append(("REPL highlighter, in process (median of 50)", _ms(statistics.median(ip["repl_highlight"])),
                     ""))
        rows.append(("Session.execute('1'), in process (median of 50)",
                     _ms(statistics.median(ip["session_execute"])), ""))
    width = max(len(r[0]) for r in rows)
    for name, value, target in rows:
        print(f"{name:<{width}}  {value:>10}  {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
