"""Azure RBAC decisions as pure functions over role definitions and role assignments.

Rules (as Azure applies them):

* An action pattern matches case-insensitively; ``*`` matches any run of characters (``*``,
  ``Microsoft.Compute/*``, ``*/read``, ``Microsoft.KeyVault/vaults/secrets/*``).
* A role grants a control-plane action when some permission's ``Actions`` match it and none of that
  permission's ``NotActions`` do. Data actions are kept apart: only ``DataActions`` minus ``NotDataActions``
  grant a data action, and ``Actions: ["*"]`` (Owner) grants no data action at all.
* An assignment at scope S applies to S and everything below it: ``/`` → subscription → resource group →
  resource → child resource. Scopes compare case-insensitively, trailing slashes ignored, and a prefix must end
  at a segment boundary (``.../resourceGroups/rg`` does not cover ``.../resourceGroups/rg2``).
* Assignments whose role definition no longer exists (orphaned) grant nothing.
* ABAC conditions (on a role assignment, or on a permission block of a built-in role such as Key Vault Data Access
  Administrator) are not evaluated: a grant under one is taken as met, and the decision says so in its notes (a
  grant with no condition is preferred when there is one). A role's condition made only of
  ``(!(ActionMatches{'X'})) OR (…)`` clauses plainly holds for an action no X matches; that much is read.

``RbacIndex`` is built once per store generation and buckets assignments by principal, so ``decide`` costs
O(assignments of the principal and its groups), independent of the total number of assignments.

Example::

    index = RbacIndex(assignments, definitions)
    d = decide(principal_id=oid, group_ids=(), action="Microsoft.Resources/subscriptions/resourceGroups/read",
               scope="/subscriptions/s/resourceGroups/rg", index=index)
    d.allowed, d.reason
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING

from azshell.model.types import RoleAssignment, RoleDefinition

if TYPE_CHECKING:
    from azshell.model.builtin_roles import RoleCondition

#: a role definition's ABAC conditions by its GUID, one per constrained permission block (``builtin_role_conditions``)
ConditionLookup = Callable[[str], "tuple[RoleCondition, ...]"]

__all__ = [
    "ConditionLookup",
    "condition_concerns",
    "Decision",
    "Grant",
    "PendingAssignment",
    "RbacIndex",
    "action_matches",
    "decide",
    "is_data_action",
    "least_privileged_role",
    "scope_key",
    "role_grant",
    "role_permits",
    "scope_covers",
]


@lru_cache(maxsize=4096)
def _pattern_regex(pattern: str) -> re.Pattern[str]:
    # A whole ``/*/`` segment also matches no segment at all, as Azure evaluates it: Managed Identity
    # Operator's ``Microsoft.ManagedIdentity/userAssignedIdentities/*/assign/action`` grants
    # ``Microsoft.ManagedIdentity/userAssignedIdentities/assign/action``.
    segments = pattern.lower().split("/*/")
    joined = "(?:/.*)?/".join(".*".join(re.escape(p) for p in seg.split("*")) for seg in segments)
    return re.compile(joined + r"\Z", re.DOTALL)


def action_matches(pattern: str, action: str) -> bool:
    """Does the permission ``pattern`` (wildcards ``*``) match ``action``? Case-insensitive."""
    if pattern == "*":
        return True
    if "*" not in pattern:
        return pattern.lower() == action.lower()
    return _pattern_regex(pattern).match(action.lower()) is not None


@dataclass(frozen=True)
class Grant:
    """How a role grants an action: the ``pattern`` that matched, in permission block ``block``, and that block's
    ABAC ``condition`` (None when it has none; azshell does not evaluate conditions)."""

    pattern: str
    block: int
    condition: RoleCondition | None = None


def _block_grants(role: RoleDefinition, action: str, data_action: bool) -> list[tuple[int, str]]:
    """(block index, pattern) of every permission block of ``role`` that grants ``action`` (after exclusions)."""
    out: list[tuple[int, str]] = []
    for i, perm in enumerate(role.permissions):
        allow, deny = (perm.data_actions, perm.not_data_actions) if data_action else (perm.actions, perm.not_actions)
        hit = next((p for p in allow if action_matches(p, action)), None)
        if hit is not None and not any(action_matches(p, action) for p in deny):
            out.append((i, hit))
    return out


_GUARD = re.compile(r"^\(\(!\(ActionMatches\{'([^'{}]+)'\}\)\)\s+OR\s+", re.IGNORECASE)


def _top_level_and(condition: str) -> list[str] | None:
    """The clauses of ``condition`` joined by AND outside any parentheses; None when an OR joins clauses there
    too (then how they group is not plain from the text)."""
    parts: list[str] = []
    depth = start = 0
    text = " ".join(condition.split())
    i = 0
    while i < len(text):
        ch = text[i]
        if ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
        elif depth == 0 and text[i:i + 4].upper() == " OR ":
            return None
        elif depth == 0 and text[i:i + 5].upper() == " AND ":
            parts.append(text[start:i].strip())
            start = i = i + 5
            continue
        i += 1
    parts.append(text[start:].strip())
    return parts


def condition_concerns(condition: str, action: str) -> bool:
    """Could ``condition`` refuse ``action``? False only when every clause is ``(!(ActionMatches{'X'})) OR (…)``
    and no X matches the action (such a condition holds for every other action: the shape of the published
    built-in conditions, which constrain ``roleAssignments/write`` and ``delete`` only); True otherwise, as
    azshell does not evaluate conditions."""
    guarded: list[str] = []
    clauses = _top_level_and(condition)
    if clauses is None:
        return True
    for clause in clauses:
        m = _GUARD.match(clause)
        if m is None:
            return True
        guarded.append(m.group(1))
    return any(action_matches(pattern, action) for pattern in guarded)


def _builtin_conditions(role_id: str) -> tuple[RoleCondition, ...]:
    from azshell.model.builtin_roles import builtin_role_conditions  # reads a small data file on first use

    return builtin_role_conditions(role_id)


def role_grant(role: RoleDefinition, action: str, *, data_action: bool,
               conditions: ConditionLookup | None = None) -> Grant | None:
    """How ``role`` grants ``action``, or None. A block without an ABAC condition wins over one with a condition.

    ``conditions`` gives a built-in role's conditions by GUID (default: the published ones); the conditions of
    custom roles are not kept."""
    hits = _block_grants(role, action, data_action)
    if not hits:
        return None
    lookup = conditions or _builtin_conditions
    conds = {c.block: c for c in lookup(role.id) if condition_concerns(c.condition, action)} \
        if role.role_type == "BuiltInRole" else {}
    block, pattern = next(((i, p) for i, p in hits if i not in conds), hits[0])
    return Grant(pattern, block, conds.get(block))


def _granting_pattern(role: RoleDefinition, action: str, data_action: bool) -> str | None:
    """The first pattern of ``role`` that grants ``action`` (after exclusions), or None."""
    hits = _block_grants(role, action, data_action)
    return hits[0][1] if hits else None


def role_permits(role: RoleDefinition, action: str, *, data_action: bool) -> bool:
    """Does ``role`` grant ``action``? Actions minus NotActions, or DataActions minus NotDataActions."""
    return _granting_pattern(role, action, data_action) is not None


def scope_key(scope: str) -> str:
    """A scope's comparison key: lower-case, no trailing slash, root ``/`` as the empty string (so prefixes
    compose with ``/``). Not ``azshell.ids.normalize_scope``, which keeps the case and the root ``/`` for storage
    and display."""
    return scope.strip().rstrip("/").lower()


def _covers_normalized(a: str, r: str) -> bool:
    return a == "" or r == a or (r.startswith(a) and r[len(a)] == "/")


def scope_covers(assignment_scope: str, resource_scope: str) -> bool:
    """Does an assignment at ``assignment_scope`` apply at ``resource_scope`` (same scope or below it)?"""
    return _covers_normalized(scope_key(assignment_scope), scope_key(resource_scope))


@dataclass(frozen=True)
class Decision:
    """The outcome of one RBAC check, with the evidence for it.

    ``considered`` are the principal's (and its groups') assignments whose scope covers the checked scope;
    ``matched`` are those that grant the action; ``missing_action`` is the action when denied ("" if allowed).
    """

    allowed: bool
    reason: str
    considered: list[RoleAssignment] = field(default_factory=list)
    matched: list[RoleAssignment] = field(default_factory=list)
    missing_action: str = ""
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class PendingAssignment:
    """An assignment whose change has not propagated yet (``Set-AzShellOption -RoleAssignmentDelay``).

    ``change`` is ``"granted"`` (created, not in effect until ``effective_at``) or ``"removed"`` (deleted, still in
    effect until ``effective_at``); ``changed_at`` is when the change was made (tenant time)."""

    assignment: RoleAssignment
    change: str
    changed_at: float
    effective_at: float


def _definition_key(role_definition_id: str) -> str:
    """Bare lower-case GUID from either a bare GUID or a full ARM role definition ID."""
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


class RbacIndex:
    """Assignments bucketed by principal plus role definitions by GUID; immutable once built.

    Build it once per store generation (``RbacIndex(store.list_role_assignments(), store.list_role_definitions())``)
    and share it: lookups never scan the full assignment list, and per-(role, action) grants are memoised, as are
    the questions asked of every definition (is this a data action, which built-in role to suggest).
    ``conditions`` gives a built-in role's ABAC conditions by GUID (default: the published ones).
    """

    _MEMO_LIMIT = 65536

    def __init__(self, assignments: Iterable[RoleAssignment], definitions: Iterable[RoleDefinition], *,
                 conditions: ConditionLookup | None = None, pending: Iterable[PendingAssignment] = (),
                 now: Callable[[], float] | None = None) -> None:
        self.definitions: dict[str, RoleDefinition] = {_definition_key(d.id): d for d in definitions}
        #: changes not yet in effect (granted, not yet applying; removed, still applying), by principal; ``now``
        #: is the clock their relative times are told by
        self._pending: dict[str, list[PendingAssignment]] = {}
        for p in pending:
            self._pending.setdefault(p.assignment.principal_id.lower(), []).append(p)
        self.now = now
        self._by_principal: dict[str, list[tuple[RoleAssignment, str]]] = {}
        count = 0
        for a in assignments:
            self._by_principal.setdefault(a.principal_id.lower(), []).append((a, scope_key(a.scope)))
            count += 1
        self.assignment_count = count
        self._conditions = conditions
        self._memo: dict[tuple[str, str, bool], Grant | None] = {}
        self._data_memo: dict[str, bool] = {}
        self._fix_memo: dict[tuple[str, bool], RoleDefinition | None] = {}

    def assignments_for(self, principal_id: str) -> Sequence[tuple[RoleAssignment, str]]:
        """The principal's assignments with their normalised scopes."""
        return self._by_principal.get(principal_id.lower(), ())

    def definition(self, role_definition_id: str) -> RoleDefinition | None:
        return self.definitions.get(_definition_key(role_definition_id))

    def pending_for(self, principal_id: str) -> Sequence[PendingAssignment]:
        """The principal's assignment changes that have not propagated yet (none without a delay)."""
        return self._pending.get(principal_id.lower(), ())

    def grant(self, role: RoleDefinition, action: str, data_action: bool) -> Grant | None:
        """Memoised ``role_grant``; actions are few, so the memo stays small."""
        key = (role.id, action.lower(), data_action)
        try:
            return self._memo[key]
        except KeyError:
            if len(self._memo) >= self._MEMO_LIMIT:
                self._memo.clear()
            hit = self._memo[key] = role_grant(role, action, data_action=data_action, conditions=self._conditions)
            return hit

    def granting_pattern(self, role: RoleDefinition, action: str, data_action: bool) -> str | None:
        """The pattern of ``role`` that grants ``action`` (memoised), or None."""
        g = self.grant(role, action, data_action)
        return None if g is None else g.pattern

    def is_data_action(self, action: str) -> bool:
        """Memoised :func:`is_data_action` over this index's definitions."""
        key = action.lower()
        try:
            return self._data_memo[key]
        except KeyError:
            if len(self._data_memo) >= self._MEMO_LIMIT:
                self._data_memo.clear()
            found = self._data_memo[key] = is_data_action(self.definitions.values(), action)
            return found

    def least_privileged_role(self, action: str, *, data_action: bool) -> RoleDefinition | None:
        """Memoised :func:`least_privileged_role` over this index's definitions."""
        key = (action.lower(), data_action)
        try:
            return self._fix_memo[key]
        except KeyError:
            if len(self._fix_memo) >= self._MEMO_LIMIT:
                self._fix_memo.clear()
            found = self._fix_memo[key] = least_privileged_role(
                self.definitions.values(), action, data_action=data_action, conditions=self._conditions)
            return found


def _describe(index: RbacIndex, a: RoleAssignment) -> str:
    role = index.definition(a.role_definition_id)
    return f"{role.role_name if role else a.role_definition_id} at {a.scope}"


def decide(
    *,
    principal_id: str,
    group_ids: Iterable[str] = (),
    action: str,
    scope: str,
    data_action: bool = False,
    index: RbacIndex,
) -> Decision:
    """Is ``action`` (a data action if ``data_action``) allowed for the principal at ``scope``?

    Assignments of the principal and of each group in ``group_ids`` count. The returned ``Decision`` names
    every assignment considered and the one(s) that granted the action, with a plain-English reason.
    """
    target = scope_key(scope)
    kind = "data action" if data_action else "action"
    considered: list[RoleAssignment] = []
    matched: list[tuple[RoleAssignment, RoleDefinition, Grant, str | None]] = []
    notes: list[str] = []
    owners: list[tuple[str | None, Sequence[tuple[RoleAssignment, str]]]] = [
        (None, index.assignments_for(principal_id))
    ]
    owners.extend((g, index.assignments_for(g)) for g in group_ids)
    for group, bucket in owners:
        for a, a_scope in bucket:
            if not _covers_normalized(a_scope, target):
                continue
            role = index.definition(a.role_definition_id)
            if role is None:
                notes.append(
                    f"Skipped orphaned assignment {a.name}: role definition {a.role_definition_id} no longer exists."
                )
                continue
            considered.append(a)
            hit = index.grant(role, action, data_action)
            if hit is not None:
                matched.append((a, role, hit, group))
    note_text = "" if not notes else " " + " ".join(notes)
    if matched:
        # a grant under no condition decides; else the first, and the notes say what was not evaluated
        a, role, hit, group = next((m for m in matched if not _conditional(m[0], m[2])), matched[0])
        who = "the principal" if group is None else f"group {group}"
        via = "" if hit.pattern.lower() == action.lower() else f" (via '{hit.pattern}')"
        unevaluated = _condition_notes(a, role, hit, action)
        caveat = " under an ABAC condition that was not evaluated (taken as met)" if unevaluated else ""
        reason = (f"Allowed: '{role.role_name}' assigned to {who} at scope {a.scope} grants "
                  f"'{action}'{via}{caveat}.{note_text}")
        return Decision(True, reason, considered, [m[0] for m in matched], "", notes + unevaluated)
    if not considered:
        reason = f"Denied: the principal has no role assignments in scope.{note_text}"
    else:
        n = len(considered)
        listed = ", ".join(_describe(index, a) for a in considered)
        plural = "assignment" if n == 1 else "assignments"
        reason = (f"Denied: the principal has {n} role {plural} ({listed}) but none grants "
                  f"'{action}'" + ("" if not data_action else f" as a {kind}") + f".{note_text}")
    return Decision(False, reason, considered, [], action, notes)


#: how much of a condition a note quotes
_CONDITION_SHOWN = 200


def _conditional(a: RoleAssignment, grant: Grant) -> bool:
    return bool(a.condition) or grant.condition is not None


def _quote(condition: str) -> str:
    text = " ".join(condition.split())
    return text if len(text) <= _CONDITION_SHOWN else text[:_CONDITION_SHOWN] + "…"


def _condition_notes(a: RoleAssignment, role: RoleDefinition, grant: Grant, action: str) -> list[str]:
    """What the decision took for granted: the ABAC conditions it did not evaluate."""
    notes: list[str] = []
    if grant.condition is not None:
        notes.append(
            f"Condition not evaluated: '{role.role_name}' grants '{action}' only where its ABAC condition (version "
            f"{grant.condition.version}) holds; azshell does not evaluate conditions, so it was taken as met: "
            f"{_quote(grant.condition.condition)} (the whole condition: Get-AzRoleDefinition '{role.role_name}')."
        )
    if a.condition:
        notes.append(
            f"Condition not evaluated: the assignment of '{role.role_name}' at {a.scope} has an ABAC condition; "
            f"azshell does not evaluate conditions, so it was taken as met: {_quote(a.condition)}"
        )
    return notes


def _breadth(pattern: str) -> int:
    """How much a permission pattern grants: ``*`` 1000, ``Namespace/type/*`` 100, other wildcards 10, exact 1."""
    if pattern == "*":
        return 1000
    if pattern.endswith("/*"):
        return 100
    return 10 if "*" in pattern else 1


#: Built-in roles people know, narrowest first: the fix names the first that grants the action (as a person who
#: knows Azure would), and only for an action none of them grants the narrowest other built-in role.
WELL_KNOWN_ROLES: tuple[str, ...] = (
    "Reader", "Key Vault Secrets User", "Key Vault Reader", "Key Vault Secrets Officer", "Storage Blob Data Reader",
    "Storage Blob Data Contributor", "Managed Identity Operator", "Managed Identity Contributor",
    "Virtual Machine Contributor", "Website Contributor", "Key Vault Contributor",
    "Role Based Access Control Administrator", "User Access Administrator", "Contributor", "Key Vault Administrator",
    "Owner",
)


def least_privileged_role(definitions: Iterable[RoleDefinition], action: str, *,
                          data_action: bool, conditions: ConditionLookup | None = None) -> RoleDefinition | None:
    """The built-in role to suggest for ``action``: the first of ``WELL_KNOWN_ROLES`` that grants it (Reader for a
    read, Virtual Machine Contributor for a VM action, Contributor for a resource group write); else the built-in
    role with the smallest grant (``*`` 1000, ``Namespace/type/*`` 100, other wildcards 10, exact 1, summed; then
    fewer patterns, then the name), a role that grants it only under an ABAC condition coming last. None when no
    built-in role grants it."""
    granting = [r for r in definitions
                if r.role_type == "BuiltInRole" and _granting_pattern(r, action, data_action) is not None]
    by_name = {r.role_name.casefold(): r for r in granting}
    for name in WELL_KNOWN_ROLES:
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    best: tuple[int, int, int, str] | None = None
    found: RoleDefinition | None = None
    for role in granting:
        patterns = [p for perm in role.permissions for p in (perm.data_actions if data_action else perm.actions)]
        count = sum(len(perm.actions) + len(perm.data_actions) for perm in role.permissions)
        grant = role_grant(role, action, data_action=data_action, conditions=conditions)
        conditional = 1 if grant is not None and grant.condition is not None else 0
        key = (conditional, sum(_breadth(p) for p in patterns), count, role.role_name)
        if best is None or key < best:
            best, found = key, role
    return found


def is_data_action(definitions: Iterable[RoleDefinition], action: str) -> bool:
    """Is ``action`` a data action? True when some role lists a (non-``*``) DataActions pattern matching it and
    no role lists a non-wildcard Actions pattern for it: the role definitions are the catalogue of both."""
    data = control = False
    for role in definitions:
        for perm in role.permissions:
            if not data and any(p != "*" and action_matches(p, action) for p in perm.data_actions):
                data = True
            if not control and any("*" not in p and action_matches(p, action) for p in perm.actions):
                control = True
    return data and not control
