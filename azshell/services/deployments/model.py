"""Persistence for template deployments: one row per deployment of a resource group, holding the ARM document
ARM returns for it, its operations, and the template it ran (``exportTemplate``).

A deployment is not a resource of the group (``GET …/resources`` never lists it; Complete mode never deletes it),
so it lives in its own table, keyed by (subscription, resource group, name) case-insensitively.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.model.store import Store

__all__ = ["MIGRATIONS", "StoredDeployment", "delete_deployment", "get_deployment", "list_deployments",
           "save_deployment"]


def _migrate_1(db: sqlite3.Connection) -> None:
    """Migration 1: this service's table (never edit once released; append a new migration instead)."""
    db.execute(
        """
        CREATE TABLE deployments (
            subscription_id TEXT NOT NULL COLLATE NOCASE,
            resource_group TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL COLLATE NOCASE,
            document TEXT NOT NULL,
            operations TEXT NOT NULL,
            template TEXT NOT NULL,
            status_id TEXT NOT NULL,
            updated REAL NOT NULL,
            events_seq INTEGER NOT NULL,
            PRIMARY KEY (subscription_id, resource_group, name)
        )
        """
    )


MIGRATIONS = (_migrate_1,)


@dataclass(frozen=True)
class StoredDeployment:
    """A deployment as stored: ``document`` is ARM's JSON of it, ``operations`` its deployment operations."""

    subscription_id: str
    resource_group: str
    name: str
    document: dict[str, Any]
    operations: list[dict[str, Any]]
    template: dict[str, Any]
    status_id: str
    updated: float
    #: the events log's last sequence number when it was saved (a later deletion of its group ends it)
    events_seq: int = 0


_COLS = "subscription_id, resource_group, name, document, operations, template, status_id, updated, events_seq"


def _row(r: sqlite3.Row | tuple[Any, ...]) -> StoredDeployment:
    return StoredDeployment(subscription_id=r[0], resource_group=r[1], name=r[2], document=json.loads(r[3]),
                            operations=json.loads(r[4]), template=json.loads(r[5]), status_id=r[6],
                            updated=float(r[7]), events_seq=int(r[8]))


def save_deployment(store: Store, d: StoredDeployment) -> None:
    """Create or replace the deployment (a redeployment under the same name replaces the old one, as in ARM)."""
    with store.transaction(bump_generation=False):
        last = store.recent_events(None, 1)
        store._exec(f"INSERT OR REPLACE INTO deployments ({_COLS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", (
            d.subscription_id, d.resource_group, d.name, json.dumps(d.document), json.dumps(d.operations),
            json.dumps(d.template), d.status_id, d.updated, last[-1].seq if last else 0))


def _group_deleted_since(store: Store, sub: str, rg: str, seq: int) -> bool:
    """Was the group deleted after ``seq``? (ARM deletes a group's deployments with it.)"""
    rid = f"/subscriptions/{sub}/resourceGroups/{rg}".lower()
    rows = store._all("SELECT data FROM events WHERE kind = 'resource_group.deleted' AND seq > ?", (seq,))
    return any(str(json.loads(r[0]).get("id", "")).lower() == rid for r in rows)


def get_deployment(store: Store, sub: str, rg: str, name: str) -> StoredDeployment | None:
    r = store._one(f"SELECT {_COLS} FROM deployments WHERE subscription_id = ? AND resource_group = ? AND name = ?",
                   (sub, rg, name))
    found = _row(r) if r else None
    if found is not None and _group_deleted_since(store, sub, rg, found.events_seq):
        return None
    return found


def list_deployments(store: Store, sub: str, rg: str) -> list[StoredDeployment]:
    rows = store._all(f"SELECT {_COLS} FROM deployments WHERE subscription_id = ? AND resource_group = ? "
                      "ORDER BY updated", (sub, rg))
    return [d for d in (_row(r) for r in rows) if not _group_deleted_since(store, sub, rg, d.events_seq)]


def delete_deployment(store: Store, sub: str, rg: str, name: str) -> bool:
    with store.transaction(bump_generation=False):
        cur = store._exec("DELETE FROM deployments WHERE subscription_id = ? AND resource_group = ? AND name = ?",
                          (sub, rg, name))
        return cur.rowcount > 0
