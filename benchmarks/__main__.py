"""Run every benchmark: ``python -m benchmarks`` (or ``make bench``); ``python -m benchmarks parse auth`` for some.

The soak (a minute of a classroom's load) runs only when named: ``python -m benchmarks soak`` or ``make soak``.

Each ``benchmarks/bench_*.py`` module has a ``main()`` that prints its figures. Benchmarks never assert on
time; they report, and the figures go into the closing notes of the issues that touched them.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path

#: benchmarks that run only when named (long, or load the whole machine)
ON_REQUEST = ("bench_soak",)


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    wanted = [f"bench_{a.removeprefix('bench_')}" for a in argv]
    if not wanted:
        names = [n for n in names if n not in ON_REQUEST]
    unknown = [w for w in wanted if w not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; available: {', '.join(names)}", file=sys.stderr)
        return 2
    failed = 0
    for name in wanted or names:
        print(f"== {name} ==", flush=True)
        t0 = time.perf_counter()
        try:
            importlib.import_module(f"benchmarks.{name}").main()
        except Exception as e:  # one broken benchmark must not hide the others' figures
            failed += 1
            print(f"  FAILED: {type(e).__name__}: {e}")
        print(f"  ({time.perf_counter() - t0:.1f} s)\n", flush=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
