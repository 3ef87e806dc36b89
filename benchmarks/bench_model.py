"""Model benchmark: resource put/get throughput on a file-backed store (WAL, synchronous=FULL).

Run: ``.venv/bin/python benchmarks/bench_model.py`` (prints one figure per line).
"""

from __future__ import annotations

import tempfile
import time
from pathlib import Path

from azshell.clock import SystemClock
from azshell.ids import resource_id
from azshell.model.backend import TenantBackend
from azshell.model.store import Store
from azshell.model.types import VM_TYPE, Resource

N_PUT = 500
N_GET = 5_000


def _rate(n: int, seconds: float) -> str:
    return f"{n / seconds:,.0f}/s ({seconds / n * 1e6:,.0f} us each)"


def main() -> None:
    """Print put/get resource rates for a file store and an in-memory store."""
    for label, factory in (("file", "file"), ("memory", ":memory:")):
        with tempfile.TemporaryDirectory() as tmp:
            path = str(Path(tmp) / "state.db") if factory == "file" else ":memory:"
            store = Store.open(path)
            backend = TenantBackend(store, SystemClock())
            backend.seed()
            sub = backend.default_subscription().subscription_id
            backend.create_or_update_resource_group(sub, "rg", "westus")
            ids = [resource_id(sub, "rg", VM_TYPE, f"vm{i}") for i in range(N_PUT)]
            t0 = time.perf_counter()
            for i, rid in enumerate(ids):
                store.put_resource(
                    Resource(
                        id=rid,
                        subscription_id=sub,
                        resource_group="rg",
                        type=VM_TYPE,
                        name=f"vm{i}",
                        location="westus",
                        properties={"vmId": str(i), "hardwareProfile": {"vmSize": "Standard_DS1_v2"}},
                    )
                )
            t_put = time.perf_counter() - t0
            t0 = time.perf_counter()
            for i in range(N_GET):
                store.get_resource(ids[i % N_PUT])
            t_get = time.perf_counter() - t0
            t0 = time.perf_counter()
            for i in range(100):
                backend.create_or_update_vm(sub, "rg", f"bvm{i}", "westus", identity_type="SystemAssigned")
            t_vm = time.perf_counter() - t0
            t0 = time.perf_counter()
            for _ in range(N_GET):
                store.generation()
            t_gen = time.perf_counter() - t0
            print(f"[{label}] store.put_resource: {_rate(N_PUT, t_put)}")
            print(f"[{label}] store.get_resource: {_rate(N_GET, t_get)}")
            print(f"[{label}] backend.create_or_update_vm (SystemAssigned): {_rate(100, t_vm)}")
            print(f"[{label}] store.generation: {_rate(N_GET, t_gen)}")
            store.close()


if __name__ == "__main__":
    main()
