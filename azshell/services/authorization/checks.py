"""Authorization's tutorial checks: ``role_assignment`` (the identity holds a role at a scope)."""

from __future__ import annotations

from typing import Any

from azshell.tutorials.checks import Check, CheckContext, CheckResult, covers, same_id

__all__ = ["CHECKS"]


def _role_guid(ctx: CheckContext, role: str) -> str | None:
    defs = ctx.world.store.find_role_definitions(role)
    return defs[0].id if defs else None


def _role_assignment(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """``principal`` has ``role`` at ``scope`` (``match = "covers"`` also accepts a broader scope)."""
    pid = ctx.principal(str(p.get("principal", "vm")))
    role = str(p.get("role", "Reader"))
    if pid is None:
        return CheckResult(False, "the identity does not exist yet")
    guid = _role_guid(ctx, role)
    scope = ctx.scope(str(p.get("scope", "resource_group")))
    match_covers = p.get("match") == "covers"
    for ra in ctx.world.store.list_role_assignments_for([pid]):
        if guid is not None and ra.role_definition_id.casefold() != guid.casefold():
            continue
        if same_id(ra.scope, scope) or (match_covers and covers(ra.scope, scope)):
            return CheckResult(True)
    return CheckResult(False, f"no {role} assignment for {pid} at {scope}")


CHECKS: dict[str, Check] = {
    "role_assignment": _role_assignment,
}
