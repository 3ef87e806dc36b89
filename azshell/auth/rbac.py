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
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from azshell.model.types import RoleAssignment, RoleDefinition

__all__ = [
    "Decision",
    "RbacIndex",
    "action_matches",
    "decide",
    "is_data_action",
    "least_privileged_role",
    "scope_key",
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


def _granting_pattern(role: RoleDefinition, action: str, data_action: bool) -> str | None:
    """The first pattern of ``role`` that grants ``action`` (after exclusions), or None."""
    for perm in role.permissions:
        allow, deny = (perm.data_actions, perm.not_data_actions) if data_action else (perm.actions, perm.not_actions)
        hit = next((p for p in allow if action_matches(p, action)), None)
        if hit is not None and not any(action_matches(p, action) for p in deny):
            return hit
    return None


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


def _definition_key(role_definition_id: str) -> str:
    """Bare lower-case GUID from either a bare GUID or a full ARM role definition ID."""
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


class RbacIndex:
    """Assignments bucketed by principal plus role definitions by GUID; immutable once built.

    Build it once per store generation (``RbacIndex(store.list_role_assignments(), store.list_role_definitions())``)
    and share it: lookups never scan the full assignment list, and per-(role, action) grants are memoised.
    """

    _MEMO_LIMIT = 65536

    def __init__(self, assignments: Iterable[RoleAssignment], definitions: Iterable[RoleDefinition]) -> None:
        self.definitions: dict[str, RoleDefinition] = {_definition_key(d.id): d for d in definitions}
        self._by_principal: dict[str, list[tuple[RoleAssignment, str]]] = {}
        count = 0
        for a in assignments:
            self._by_principal.setdefault(a.principal_id.lower(), []).append((a, scope_key(a.scope)))
            count += 1
        self.assignment_count = count
        self._memo: dict[tuple[str, str, bool], str | None] = {}

    def assignments_for(self, principal_id: str) -> Sequence[tuple[RoleAssignment, str]]:
        """The principal's assignments with their normalised scopes."""
        return self._by_principal.get(principal_id.lower(), ())

    def definition(self, role_definition_id: str) -> RoleDefinition | None:
        return self.definitions.get(_definition_key(role_definition_id))

    def granting_pattern(self, role: RoleDefinition, action: str, data_action: bool) -> str | None:
        """Memoised ``_granting_pattern``; actions are few, so the memo stays small."""
        key = (role.id, action.lower(), data_action)
        try:
            return self._memo[key]
        except KeyError:
            if len(self._memo) >= self._MEMO_LIMIT:
                self._memo.clear()
            hit = self._memo[key] = _granting_pattern(role, action, data_action)
            return hit


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
    matched: list[tuple[RoleAssignment, RoleDefinition, str, str | None]] = []
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
            hit = index.granting_pattern(role, action, data_action)
            if hit is not None:
                matched.append((a, role, hit, group))
    note_text = "" if not notes else " " + " ".join(notes)
    if matched:
        a, role, hit, group = matched[0]
        who = "the principal" if group is None else f"group {group}"
        via = "" if hit.lower() == action.lower() else f" (via '{hit}')"
        reason = (f"Allowed: '{role.role_name}' assigned to {who} at scope {a.scope} grants "
                  f"'{action}'{via}.{note_text}")
        return Decision(True, reason, considered, [m[0] for m in matched], "", notes)
    if not considered:
        reason = f"Denied: the principal has no role assignments in scope.{note_text}"
    else:
        n = len(considered)
        listed = ", ".join(_describe(index, a) for a in considered)
        plural = "assignment" if n == 1 else "assignments"
        reason = (f"Denied: the principal has {n} role {plural} ({listed}) but none grants "
                  f"'{action}'" + ("" if not data_action else f" as a {kind}") + f".{note_text}")
    return Decision(False, reason, considered, [], action, notes)


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
                          data_action: bool) -> RoleDefinition | None:
    """The built-in role to suggest for ``action``: the first of ``WELL_KNOWN_ROLES`` that grants it (Reader for a
    read, Virtual Machine Contributor for a VM action, Contributor for a resource group write); else the built-in
    role with the smallest grant (``*`` 1000, ``Namespace/type/*`` 100, other wildcards 10, exact 1, summed; then
    fewer patterns, then the name). None when no built-in role grants it."""
    granting = [r for r in definitions
                if r.role_type == "BuiltInRole" and _granting_pattern(r, action, data_action) is not None]
    by_name = {r.role_name.casefold(): r for r in granting}
    for name in WELL_KNOWN_ROLES:
        if name.casefold() in by_name:
            return by_name[name.casefold()]
    best: tuple[int, int, str] | None = None
    found: RoleDefinition | None = None
    for role in granting:
        patterns = [p for perm in role.permissions for p in (perm.data_actions if data_action else perm.actions)]
        count = sum(len(perm.actions) + len(perm.data_actions) for perm in role.permissions)
        key = (sum(_breadth(p) for p in patterns), count, role.role_name)
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
