"""Parse time per line over the language corpus and the tutorials' command lines (target: median ≤ 50 µs).

Each line's time is the best of 7 parses; a round's figure is the median over lines. The machine is shared, so
five rounds run and the report gives the least disturbed round's median (the figure to compare with the target)
and the median of the five.

Run: ``.venv/bin/python benchmarks/bench_parse.py``
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def corpus_lines() -> list[str]:
    from tests.lang._corpus import fill_placeholders, load_corpus, tutorial_lines

    lines: list[str] = []
    for s in load_corpus():
        lines.extend(x for x in s.code.splitlines() if x.strip())
    for t in tutorial_lines():
        lines.append(fill_placeholders(t.code))
    return lines


def time_per_line(lines: list[str], repeats: int = 7) -> list[float]:
    from azshell.lang.errors import ParseError
    from azshell.lang.parser import parse

    per_line: list[float] = []
    for line in lines:
        best = float("inf")
        for _ in range(repeats):
            t0 = time.perf_counter()
            try:
                parse(line)
            except ParseError:
                pass
            best = min(best, time.perf_counter() - t0)
        per_line.append(best)
    return per_line


def main(rounds: int = 5) -> None:
    lines = corpus_lines()
    time_per_line(lines, repeats=1)  # warm-up: imports, regex compilation, caches
    medians: list[float] = []
    p90s: list[float] = []
    for _ in range(rounds):  # the machine is shared: repeat whole rounds and report the least disturbed one
        times = time_per_line(lines)
        medians.append(statistics.median(times) * 1e6)
        p90s.append(statistics.quantiles(times, n=10)[-1] * 1e6)
    best, typical = min(medians), statistics.median(medians)
    print(f"parse: {len(lines)} lines, median {best:.1f} µs/line (min of {rounds} rounds; median of rounds "
          f"{typical:.1f}), p90 {min(p90s):.1f} µs/line (target ≤ 50 µs median)")


if __name__ == "__main__":
    main()
