"""Access-graph benchmark: ``Show-AzAccessGraph`` on a classroom-sized subscription (5 resource groups, 20 VMs with
identities and Reader each, 5 vaults with access policies), split into reading the tenant through the planes, the
SVG layout and drawing (networkx), and the text tree.

Run: ``.venv/bin/python -m benchmarks graph`` (prints one figure per line).
"""

from __future__ import annotations

import time
from pathlib import Path

from azshell.auth.keys import load_pem_key
from azshell.controls.graph import HttpGraphSource, build_graph
from azshell.controls.graph_svg import render_svg
from azshell.controls.graph_text import render_text
from azshell.services.registry import open_world
from azshell.session import Session

KEYS = [load_pem_key(p.read_bytes())
        for p in sorted((Path(__file__).resolve().parent.parent / "tests" / "keys").glob("*.pem"))]
N = 5


def main() -> None:
    world = open_world(":memory:", signing_key=KEYS)
    session = Session(world=world)
    script = []
    for i in range(5):
        script.append(f"New-AzResourceGroup -Name rg{i} -Location westus | Out-Null")
        script.append(f"New-AzKeyVault -VaultName vault{i} -ResourceGroupName rg{i} -Location westus "
                      "-DisableRbacAuthorization | Out-Null")
        for j in range(4):
            script.append(f"$v = New-AzVM -ResourceGroupName rg{i} -Name vm{j} -Location westus "
                          f"-IdentityType SystemAssigned; $v = Get-AzVM -ResourceGroupName rg{i} -Name vm{j}")
            script.append(f"New-AzRoleAssignment -ObjectId $v.Identity.PrincipalId -RoleDefinitionName Reader "
                          f"-ResourceGroupName rg{i} | Out-Null")
            script.append(f"Set-AzKeyVaultAccessPolicy -VaultName vault{i} -ObjectId $v.Identity.PrincipalId "
                          "-PermissionsToSecrets get")
    result = session.execute("\n".join(script))
    errors = [r for r in result.records if r.stream == "error"]
    if errors:
        raise RuntimeError(str(errors[0].value)[:300])
    services = session.services
    source = HttpGraphSource(services.http, services.get_access_token, world.default_subscription_id)
    hooks = world.registry.graph_hooks()
    build_graph(source, hooks)  # warm: imports, token cache
    t0 = time.perf_counter()
    for _ in range(N):
        graph = build_graph(source, hooks)
    t1 = time.perf_counter()
    for _ in range(N):
        svg = render_svg(graph)
    t2 = time.perf_counter()
    for _ in range(N):
        render_text(graph)
    t3 = time.perf_counter()
    print(f"  graph: {len(graph.nodes)} nodes, {len(graph.edges)} edges; SVG {len(svg) / 1024:,.0f} KB")
    print(f"  read through the planes: {(t1 - t0) / N * 1000:,.0f} ms")
    print(f"  SVG (layout + drawing):  {(t2 - t1) / N * 1000:,.0f} ms")
    print(f"  text tree:               {(t3 - t2) / N * 1000:,.1f} ms")
    t0 = time.perf_counter()
    session.execute("$g = Show-AzAccessGraph")
    print(f"  Show-AzAccessGraph (whole cmdlet, text): {(time.perf_counter() - t0) * 1000:,.0f} ms")
