"""Role-assignment propagation delay (opt-in): a new or removed assignment takes effect only after a while.

On Azure a role assignment can take minutes to apply ("If access was recently granted, please refresh your
credentials."). ``Set-AzShellOption -RoleAssignmentDelay 00:05:00`` stores the delay in the state file (settings
row ``controls.role_assignment_delay``, seconds); from then on:

* ARM lists and returns the assignment at once, as Azure does (nothing here touches the store's rows);
* the access decisions use :func:`delayed_index`: only assignments created at least ``delay`` ago (tenant clock)
  count, and an assignment deleted less than ``delay`` ago still counts (from the ``role_assignment.deleted``
  events); each held-back change is in the index as a ``PendingAssignment``, so the decision's evidence says
  "Reader at … was granted 2 min ago and takes effect in 3 min".

Example::

    set_assignment_delay(store, 300)
    assignment_delay(store)            # 300.0
    world.rbac_index()                 # the index in effect now (World.rbac_index calls delayed_index)
"""

from __future__ import annotations

import json
from collections.abc import Callable, MutableMapping, Sequence
from typing import Any, Protocol

from azshell.auth.rbac import PendingAssignment, RbacIndex
from azshell.clock import Clock
from azshell.model.types import Event, RoleAssignment, RoleDefinition

__all__ = [
    "DELAY_SETTING",
    "EVENT_RA_DELETED",
    "MAX_DELAY_SECONDS",
    "assignment_delay",
    "delay_setting",
    "delayed_index",
    "set_assignment_delay",
]

DELAY_SETTING = "controls.role_assignment_delay"
#: the event ``TenantBackend.delete_role_assignment`` appends (azshell.model.backend.EVENT_RA_DELETED)
EVENT_RA_DELETED = "role_assignment.deleted"
#: longest delay accepted (Azure documents "up to 10 minutes", rarely 30; a day is plenty for teaching)
MAX_DELAY_SECONDS = 86400.0
#: how many deletion events are read back to find removals still propagating
_DELETED_LOOKBACK = 1000


class DelayStore(Protocol):
    """What the delay needs from ``azshell.model.store.Store``."""

    def get_setting(self, key: str) -> str | None: ...

    def set_setting(self, key: str, value: str) -> None: ...

    def delete_setting(self, key: str) -> bool: ...

    def list_role_assignments(self) -> list[RoleAssignment]: ...

    def list_role_definitions(self) -> list[RoleDefinition]: ...

    def recent_events(self, kind: str | None = None, limit: int = 100) -> list[Event]: ...


def delay_setting(store: Any) -> tuple[float, float]:
    """(the propagation delay in seconds, the tenant time it was set); (0, 0) when not set.

    Changes made before the delay was set are not held back: turning it on never takes away access at once."""
    text = store.get_setting(DELAY_SETTING)
    try:
        data = json.loads(text) if text else {}
        value, since = float(data.get("seconds", 0)), float(data.get("since", 0))
    except (ValueError, TypeError, AttributeError):
        return 0.0, 0.0
    return (value, since) if 0.0 < value <= MAX_DELAY_SECONDS else (0.0, 0.0)


def assignment_delay(store: Any) -> float:
    """The propagation delay in seconds (0 when not set)."""
    return delay_setting(store)[0]


def set_assignment_delay(store: DelayStore, seconds: float, *, now: float) -> None:
    """Store the delay (0 turns it off), set at tenant time ``now``. Raises ValueError outside 0 …
    ``MAX_DELAY_SECONDS``."""
    if not 0.0 <= seconds <= MAX_DELAY_SECONDS:
        raise ValueError(f"The role assignment delay must be between 00:00:00 and 1.00:00:00 (got {seconds:g} s).")
    if seconds == 0:
        store.delete_setting(DELAY_SETTING)
    else:
        store.set_setting(DELAY_SETTING, json.dumps({"seconds": float(seconds), "since": now}))


def _removed(events: Sequence[Event], current: set[str]) -> list[tuple[RoleAssignment, float]]:
    """The assignments the deletion events describe (newest deletion per name), with when they were deleted."""
    out: dict[str, tuple[RoleAssignment, float]] = {}
    for e in events:
        d = e.data
        name = str(d.get("name") or "")
        if not name or name.lower() in current:
            continue
        principal = str(d.get("principalId") or "")
        ra = RoleAssignment(name=name, scope=str(d.get("scope") or "/"),
                            role_definition_id=str(d.get("roleDefinitionId") or ""), principal_id=principal,
                            principal_type="Unknown")
        out[name.lower()] = (ra, e.time)
    return list(out.values())


def delayed_index(store: Any, clock: Clock, cache: MutableMapping[Any, Any], delay: float) -> RbacIndex:
    """The RBAC index of what is in effect at ``clock.now()`` with ``delay`` seconds of propagation.

    ``cache`` is the world's generation cache for the RBAC index: the rows are read once per store generation,
    and one index is kept per set of assignments in effect (it changes only when a change finishes propagating).
    """
    rows = cache.get("delayed_rows")
    if rows is None:
        current = store.list_role_assignments()
        names = {a.name.lower() for a in current}
        removed = _removed(store.recent_events(EVENT_RA_DELETED, _DELETED_LOOKBACK), names)
        rows = cache["delayed_rows"] = (current, removed, store.list_role_definitions(), delay_setting(store)[1])
    current, removed, definitions, since = rows
    now = clock.now()
    effective: list[RoleAssignment] = []
    pending: list[PendingAssignment] = []
    for a in current:
        if a.created_on <= since or a.created_on + delay <= now:
            effective.append(a)
        else:
            pending.append(PendingAssignment(a, "granted", a.created_on, a.created_on + delay))
    for a, removed_at in removed:
        if since <= removed_at <= now < removed_at + delay:
            effective.append(a)
            pending.append(PendingAssignment(a, "removed", removed_at, removed_at + delay))
    key = ("delayed_index", frozenset(a.name.lower() for a in effective),
           frozenset((p.assignment.name.lower(), p.change) for p in pending))
    index: RbacIndex | None = cache.get(key)
    if index is None:
        now_fn: Callable[[], float] = clock.now
        index = cache[key] = RbacIndex(effective, definitions, pending=pending, now=now_fn)
    return index
