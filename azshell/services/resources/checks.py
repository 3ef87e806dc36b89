"""Resource Manager's tutorial checks: ``resource_group`` (``{rg}``, or ``rg``, exists)."""

from __future__ import annotations

from typing import Any

from azshell.tutorials.checks import Check, CheckContext, CheckResult

__all__ = ["CHECKS"]


def _rg(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    rg = p.get("rg") or ctx.vars.get("rg", "")
    if ctx.world.store.get_resource_group(ctx.sub, rg) is None:
        return CheckResult(False, f"resource group {rg} does not exist yet")
    return CheckResult(True, f"resource group {rg} exists")


CHECKS: dict[str, Check] = {
    "resource_group": _rg,
}
