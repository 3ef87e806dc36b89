"""Cold start of ``azshell -c '$null'`` next to ``python -c pass`` from the same interpreter (median of runs).

Target (issue 2): azshell's cold start ≤ 150 ms median. The state is ``:memory:`` so the figure is the
interpreter + imports + a fresh tenant, not disk I/O.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import time

RUNS = 15


def _time(cmd: list[str], env: dict[str, str]) -> float:
    samples = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        subprocess.run(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1000


def bench_env() -> dict[str, str]:
    """The environment of a normal install: bytecode is cached (some sandboxes set PYTHONDONTWRITEBYTECODE,
    which makes every start recompile every module and measures the compiler, not azshell)."""
    env = dict(os.environ, AZSHELL_STATE=":memory:")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = os.path.join(tempfile.gettempdir(), "azshell-bench-pycache")
    return env


def main() -> None:
    env = bench_env()
    subprocess.run([sys.executable, "-m", "azshell", "-c", "$null"], env=env, check=False,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fill the bytecode cache
    base = _time([sys.executable, "-c", "pass"], env)
    shell = _time([sys.executable, "-m", "azshell", "-c", "$null"], env)
    print(f"  python -c pass            : {base:7.1f} ms median of {RUNS}")
    print(f"  azshell -c '$null'        : {shell:7.1f} ms median of {RUNS}  (target <= 150 ms)")
    print(f"  azshell overhead          : {shell - base:7.1f} ms")


if __name__ == "__main__":
    main()
