"""Parse time per line over the language corpus and the tutorials' command lines (target: median ≤ 50 µs).

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


def main() -> None:
    lines = corpus_lines()
    times = time_per_line(lines)
    med = statistics.median(times) * 1e6
    p90 = statistics.quantiles(times, n=10)[-1] * 1e6
    print(f"parse: {len(lines)} lines, median {med:.1f} µs/line, p90 {p90:.1f} µs/line (target ≤ 50 µs median)")


if __name__ == "__main__":
    main()
