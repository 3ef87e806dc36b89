"""Authorization's tutorial checks and mistake matchers.

``role_assignment`` (check): the identity holds a role at a scope. ``wrong_scope`` (matcher): the identity holds
the role, but the access decision for the step's scope lists that assignment as not covering it.

``wrong_scope`` does not compare scopes itself: it asks for the RBAC decision ARM takes for the identity at the
step's scope (``azshell.auth.decision.rbac_access`` over the world's index: what ``checkAccess`` and
``Test-AzAccess -Action -Scope`` answer, and what the plane decides when the identity calls) and reads the
evidence the decision lists. The mistake is made by a role assignment, before the identity makes any request,
so there is no recorded answer yet to read it from.
"""

from __future__ import annotations

from typing import Any

from azshell.auth.decision import AccessDecision, rbac_access
from azshell.ids import InvalidResourceIdError, parse_resource_id, scope_kind
from azshell.tutorials.checks import Check, CheckContext, CheckResult, Matcher, covers, same_id

__all__ = ["CHECKS", "MATCHERS", "access_decision", "read_action"]

#: what the hint adds under its text: the assignment the decision says does not cover the scope, and the line
#: that shows the whole decision
WRONG_SCOPE_DETAIL = ("The access decision lists {assignment} — {why}. "
                      "To see it: Test-AzAccess -ObjectId {oid} -Action '{action}' -Scope '{scope}'")


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


# ------------------------------------------------------------------------------------------------ matchers
def read_action(scope: str) -> str:
    """The action that reads what ``scope`` names: the subscription, the resource group or the resource."""
    kind = scope_kind(scope)
    if kind == "subscription":
        return "Microsoft.Resources/subscriptions/read"
    if kind == "resourceGroup":
        return "Microsoft.Resources/subscriptions/resourceGroups/read"
    if kind == "resource":
        try:
            return f"{parse_resource_id(scope)['type']}/read"
        except InvalidResourceIdError:
            pass
    return "*/read"


def access_decision(ctx: CheckContext, principal: str, action: str, scope: str) -> AccessDecision:
    """The RBAC decision ARM takes for ``principal`` (and its groups) doing ``action`` at ``scope``, with every
    one of its assignments as evidence (the decision ``checkAccess`` returns)."""
    store = ctx.world.store
    obj = store.get_directory_object(principal)
    name = (obj.user_principal_name or obj.display_name or "") if obj is not None else ""
    return rbac_access(ctx.world.rbac_index(), plane="arm", principal=principal, principal_name=name,
                       group_ids=tuple(store.group_ids_of(principal)), action=action, scope=scope)


def _m_wrong_scope(ctx: CheckContext, p: dict[str, Any]) -> CheckResult:
    """The identity may not do what the step needs at ``scope`` (``action``, by default reading it), and the
    decision lists an assignment of ``role`` among those that do not cover the scope: it was granted elsewhere."""
    pid = ctx.principal(str(p.get("principal", "vm")))
    if pid is None:
        return CheckResult(False)
    role = str(p.get("role", "Reader"))
    scope = ctx.scope(str(p.get("scope", "resource_group")))
    action = str(p.get("action") or read_action(scope))
    d = access_decision(ctx, pid, action, scope)
    if d.allowed:
        return CheckResult(False)
    outside = [e for e in d.considered if e.kind == "role_assignment" and not e.applies
               and e.role.casefold() == role.casefold()]
    if not outside:
        return CheckResult(False)
    first = outside[0]
    return CheckResult(True, WRONG_SCOPE_DETAIL.format(action=action, scope=scope, assignment=first.text,
                                                       why=first.why, oid=pid))


MATCHERS: dict[str, Matcher] = {
    "wrong_scope": _m_wrong_scope,
}
