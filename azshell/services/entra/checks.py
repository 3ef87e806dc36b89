"""Entra's tutorial checks: ``group_member`` (the identity is a member of the directory group ``{group}``)."""

from __future__ import annotations

from typing import Any

from azshell.tutorials.checks import Check, CheckContext, CheckResult

__all__ = ["CHECKS"]


def _group_member(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    pid = ctx.principal(str(p.get("principal", "vm")))
    group = str(p.get("group") or ctx.vars.get("group", ""))
    groups = [g for g in ctx.world.store.find_directory_objects(display_name=group)] if group else []
    if pid is None or not groups:
        return CheckResult(False, "the group or the identity does not exist")
    for g in groups:
        if pid in ctx.world.store.list_group_members(g.object_id):
            return CheckResult(True)
    return CheckResult(False, f"{pid} is not a member of {group}")


CHECKS: dict[str, Check] = {
    "group_member": _group_member,
}
