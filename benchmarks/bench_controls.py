"""Controls benchmark: checkpoint / restore / export / import of a tutorial-sized tenant, and what the fault check
costs every plane request (no faults set, and one fault on another endpoint).

Run: ``.venv/bin/python -m benchmarks controls`` (prints one figure per line).
"""

from __future__ import annotations

import os
import tempfile
import time
from pathlib import Path

from azshell.auth.keys import load_pem_key
from azshell.controls.checkpoints import create_checkpoint, restore_checkpoint
from azshell.controls.export import load_snapshot, parse_export, read_export_file, write_export
from azshell.controls.faults import add_fault, remove_faults
from azshell.http import make_client
from azshell.planes.base import CallerContext
from azshell.services.registry import open_world

KEYS = [load_pem_key(p.read_bytes())
        for p in sorted((Path(__file__).resolve().parent.parent / "tests" / "keys").glob("*.pem"))]
N = 20
N_REQ = 300


def _ms(seconds: float, n: int) -> str:
    return f"{seconds / n * 1000:,.1f} ms"


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        world = open_world(str(Path(tmp) / "state.db"), signing_key=KEYS)
        sub = world.default_subscription_id
        for i in range(5):
            world.backend.create_or_update_resource_group(sub, f"rg{i}", "westus")
            for j in range(4):
                vm = world.backend.create_or_update_vm(sub, f"rg{i}", f"vm{j}", "westus",
                                                       identity_type="SystemAssigned")
                assert vm.identity is not None and vm.identity.principal_id is not None
                world.backend.create_role_assignment(scope=f"/subscriptions/{sub}/resourceGroups/rg{i}",
                                                     role_definition_id="acdd72a7-3385-48ef-bd42-f606fba81ae7",
                                                     principal_id=vm.identity.principal_id)
        world.tokens.key_ring().refresh()
        size = sum(os.path.getsize(p) for p in (world.store.path, world.store.path + "-wal") if os.path.exists(p))
        print(f"  state file (+WAL): {size / 1024:,.0f} KB (20 VMs, 20 role assignments)")
        t0 = time.perf_counter()
        for _ in range(N):
            create_checkpoint(world, "bench")
        print(f"  Checkpoint-AzShellState: {_ms(time.perf_counter() - t0, N)}")
        t0 = time.perf_counter()
        for _ in range(N):
            restore_checkpoint(world, "bench")
        print(f"  Restore-AzShellState: {_ms(time.perf_counter() - t0, N)}")
        path = str(Path(tmp) / "t.json")
        t0 = time.perf_counter()
        for _ in range(N):
            write_export(world, path)
        print(f"  Export-AzShellState: {_ms(time.perf_counter() - t0, N)} ({os.path.getsize(path) / 1024:,.0f} KB)")
        snap = read_export_file(path)
        text = Path(path).read_text(encoding="utf-8")
        t0 = time.perf_counter()
        for _ in range(N):
            load_snapshot(world, parse_export(text))
        print(f"  Import-AzShellState: {_ms(time.perf_counter() - t0, N)} ({len(snap.tables)} tables)")

        token = world.tokens.issue_for_principal(principal=world.admin_user, resource="https://management.azure.com/",
                                                 kind="user").access_token
        url = f"https://management.azure.com/subscriptions/{sub}/resourceGroups/rg0?api-version=2021-04-01"
        with make_client(world, lambda: CallerContext()) as client:
            for label in ("no faults", "a fault on another endpoint"):
                if label != "no faults":
                    add_fault(world, endpoint="keyvault", status=429)
                client.get(url, headers={"Authorization": f"Bearer {token}"})
                t0 = time.perf_counter()
                for _ in range(N_REQ):
                    client.get(url, headers={"Authorization": f"Bearer {token}"})
                print(f"  ARM GET through the planes, {label}: {_ms(time.perf_counter() - t0, N_REQ)}")
            remove_faults(world.store)
        world.close()


if __name__ == "__main__":
    main()
