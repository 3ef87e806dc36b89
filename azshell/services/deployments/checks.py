"""Template deployments' tutorial checks: ``deployment`` (the latest deployment of ``{rg}``, by ``name`` or any,
ended in ``state``, default Succeeded)."""

from __future__ import annotations

from typing import Any

from azshell.services.deployments.model import list_deployments
from azshell.tutorials.checks import Check, CheckContext, CheckResult

__all__ = ["CHECKS"]


def _latest(ctx: CheckContext, p: dict[str, Any]) -> tuple[str, Any]:
    rg = str(p.get("rg") or ctx.vars.get("rg", ""))
    found = list_deployments(ctx.world.store, ctx.sub, rg)
    name = p.get("name")
    if name:
        found = [d for d in found if d.name.lower() == str(name).lower()]
    return rg, (found[-1] if found else None)


def _deployment(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    rg, latest = _latest(ctx, p)
    want = str(p.get("state", "Succeeded"))
    if latest is None:
        return CheckResult(False, f"no template deployment in {rg} yet")
    state = str(latest.document.get("properties", {}).get("provisioningState", ""))
    if state.lower() != want.lower():
        return CheckResult(False, f"the deployment {latest.name} ended {state}, not {want}")
    return CheckResult(True, f"deployment {latest.name} in {rg}: {state}")


CHECKS: dict[str, Check] = {"deployment": _deployment}
