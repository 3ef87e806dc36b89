"""Benchmark: the in-process ARM GET of a resource group through the httpx client, with a valid token.

Run ``python benchmarks/bench_arm.py``; prints the median latency of ``GET /subscriptions/{s}/resourceGroups/{rg}``
(authentication, RBAC over the cached index, store read, JSON) and, for comparison, the token verification alone.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable
from pathlib import Path

from azshell.auth.keys import load_pem_key
from azshell.auth.resources import ARM_AUDIENCES
from azshell.http import make_client
from azshell.services.registry import open_world

KEYS_DIR = Path(__file__).resolve().parent.parent / "tests" / "keys"
ARM_RESOURCE = "https://management.azure.com/"
WARMUP = 50
ROUNDS = 2000


def _median_us(fn: Callable[[], object], rounds: int) -> float:
    samples = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - t0)
    return statistics.median(samples) * 1e6


def main() -> None:
    keys = [load_pem_key(p.read_bytes()) for p in sorted(KEYS_DIR.glob("*.pem"))] or None
    world = open_world(":memory:", signing_key=keys)
    sub = world.default_subscription_id
    world.backend.create_or_update_resource_group(sub, "DevTest", "westus")
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=ARM_RESOURCE,
                                             kind="user").access_token
    url = f"https://management.azure.com/subscriptions/{sub}/resourceGroups/DevTest?api-version=2016-06-01"
    headers = {"Authorization": f"Bearer {token}"}
    with make_client(world) as client:
        def get() -> None:
            r = client.get(url, headers=headers)
            assert r.status_code == 200

        for _ in range(WARMUP):
            get()
        arm_us = _median_us(get, ROUNDS)
    verify_us = _median_us(lambda: world.tokens.verify(token, audiences=ARM_AUDIENCES), ROUNDS)
    print(f"in-process ARM GET resource group (httpx client, valid token): median {arm_us:.0f} us "
          f"over {ROUNDS} requests")
    print(f"  of which token verification alone: median {verify_us:.0f} us")
    world.close()


if __name__ == "__main__":
    main()
