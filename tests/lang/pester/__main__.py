"""``python -m tests.lang.pester [-v] [FILE.Tests.ps1 ...]``: run PowerShell's language tests against azshell and
print the figures (``-v`` lists every failing and out-of-scope block with its reason)."""

from __future__ import annotations

import sys
import time

from tests.lang.pester.harness import CORPUS, report, run_corpus


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    names = [a for a in argv if not a.startswith("-")]
    started = time.perf_counter()
    results = run_corpus([CORPUS / n for n in names] if names else None)
    print(report(results, verbose=verbose))
    print(f"\n{len(results)} blocks in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
