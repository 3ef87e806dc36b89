"""Template deployments, in-process: how long ARM takes to validate and deploy a template, and how fast the
template language parses and evaluates.

* deploy: the identity template of the tests (a user-assigned identity, a VM with both identities, a role
  assignment whose principalId comes from ``reference(..., 'Full')``), PUT through the in-process client; median
  of ``DEPLOYS`` deployments (each its own VM), and the same with a ``copy`` loop of ``COPIES`` identities;
* expressions: ``EXPRESSIONS`` evaluations of a nested expression (parse cached after the first).

Run: ``python -m benchmarks deployments``. Not a test: it prints the figures.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

DEPLOYS = 20
COPIES = 50
EXPRESSIONS = 20_000


def _template() -> dict[str, Any]:
    from tests.services.deployments.conftest import vm_identity_template

    return vm_identity_template()


def main() -> None:
    from azshell.hostnames import ARM_RESOURCE
    from azshell.http import make_client
    from azshell.services.deployments.arm_expr import evaluate_value
    from azshell.services.registry import open_world

    world = open_world(":memory:")
    token = world.tokens.issue_for_principal(principal=world.admin_user, resource=ARM_RESOURCE,
                                             kind="user").access_token
    sub = world.default_subscription_id
    headers = {"Authorization": f"Bearer {token}"}
    base = f"https://management.azure.com/subscriptions/{sub}/resourceGroups/bench"
    with make_client(world) as client:
        client.put(f"{base}?api-version=2021-04-01", json={"location": "westus"}, headers=headers)
        times = []
        for i in range(DEPLOYS):
            body = {"properties": {"mode": "Incremental", "template": _template(),
                                   "parameters": {"vmName": {"value": f"vm{i}"}}}}
            t0 = time.perf_counter()
            r = client.put(f"{base}/providers/Microsoft.Resources/deployments/d{i}?api-version=2025-04-01",
                           json=body, headers=headers)
            times.append(time.perf_counter() - t0)
            assert r.json()["properties"]["provisioningState"] == "Succeeded", r.text
        print(f"  deploy (3 resources, reference()): median {statistics.median(times) * 1000:.1f} ms "
              f"over {DEPLOYS}")
        loop = {"resources": [{"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2018-11-30",
                               "name": "[concat('id', copyIndex())]", "location": "westus",
                               "copy": {"name": "ids", "count": COPIES}}]}
        t0 = time.perf_counter()
        r = client.put(f"{base}/providers/Microsoft.Resources/deployments/loop?api-version=2025-04-01",
                       json={"properties": {"mode": "Incremental", "template": loop}}, headers=headers)
        took = time.perf_counter() - t0
        assert r.json()["properties"]["provisioningState"] == "Succeeded", r.text
        print(f"  copy loop of {COPIES} identities: {took * 1000:.0f} ms ({took / COPIES * 1000:.1f} ms each)")
    world.close()

    class Scope:
        def parameter(self, name: str) -> Any:
            return "myVM"

        def variable(self, name: str) -> Any:
            return {"a": [1, 2, 3]}

        def resource_group(self) -> dict[str, Any]:
            return {"id": "/subscriptions/s/resourceGroups/rg", "location": "westus"}

        def subscription(self) -> dict[str, Any]:
            return {"subscriptionId": "s"}

    expr = ("[concat(resourceGroup().location, '-', toLower(parameters('vm')), '-', "
            "uniqueString(resourceGroup().id), string(length(variables('v').a)))]")
    scope: Any = Scope()
    t0 = time.perf_counter()
    for _ in range(EXPRESSIONS):
        evaluate_value(expr, scope)
    took = time.perf_counter() - t0
    print(f"  expression evaluations: {EXPRESSIONS / took:,.0f}/s ({took / EXPRESSIONS * 1e6:.1f} µs each)")


if __name__ == "__main__":
    main()
