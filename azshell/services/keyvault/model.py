"""Persistence for Key Vault secrets: every version of every secret, and the soft-deleted secrets.

Secrets belong to a vault by its *name* (vault names are globally unique, as Azure's DNS names are); the vault
itself is an ARM resource in ``resources``. A secret is deleted by adding a row to ``kv_deleted_secrets``: its
versions stay until it is purged (or recovered, which just removes the row). Names are compared
case-insensitively and keep the case of the first version, as Key Vault does.

Example::

    v = set_secret(store, "myvault", "db-password", "p@ss", now=1700000000)
    assert get_secret(store, "myvault", "DB-PASSWORD").value == "p@ss"
"""

from __future__ import annotations

import json
import secrets as _random
import sqlite3
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.model.store import Store

__all__ = [
    "DeletedSecret",
    "SecretVersion",
    "delete_secret",
    "get_deleted_secret",
    "get_secret",
    "list_deleted_secrets",
    "list_secret_versions",
    "list_secrets",
    "MIGRATIONS",
    "new_version_id",
    "purge_deleted_secret",
    "purge_vault",
    "recover_deleted_secret",
    "set_secret",
    "update_secret",
]


def _migrate_1(db: sqlite3.Connection) -> None:
    """Migration 1: this service's tables (never edit once released; append a new migration instead)."""
    db.execute(
        """
        CREATE TABLE kv_secret_versions (
            vault TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL COLLATE NOCASE,
            version TEXT NOT NULL COLLATE NOCASE,
            value TEXT NOT NULL,
            content_type TEXT,
            tags TEXT,
            enabled INTEGER NOT NULL,
            not_before INTEGER,
            expires INTEGER,
            created INTEGER NOT NULL,
            updated INTEGER NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (vault, name, version)
        )
        """
    )
    db.execute("CREATE INDEX ix_kv_secret_latest ON kv_secret_versions(vault, name, seq)")
    db.execute(
        """
        CREATE TABLE kv_deleted_secrets (
            vault TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL COLLATE NOCASE,
            deleted_date INTEGER NOT NULL,
            scheduled_purge_date INTEGER NOT NULL,
            PRIMARY KEY (vault, name)
        )
        """
    )


@dataclass(frozen=True)
class SecretVersion:
    """One version of a secret (``SecretBundle`` without the vault URL)."""

    vault: str
    name: str
    version: str
    value: str
    content_type: str | None
    tags: dict[str, str] | None
    enabled: bool
    not_before: int | None
    expires: int | None
    created: int
    updated: int


@dataclass(frozen=True)
class DeletedSecret:
    """A soft-deleted secret: its latest version plus the deletion dates."""

    latest: SecretVersion
    deleted_date: int
    scheduled_purge_date: int


_COLS = "vault, name, version, value, content_type, tags, enabled, not_before, expires, created, updated"


def new_version_id(store: Store | None = None) -> str:
    """A secret version identifier: 32 lower-case hex digits, as Key Vault makes them (from the store's id
    source, which ``--seed`` makes reproducible)."""
    return store.ids.hex(16) if store is not None else _random.token_hex(16)


def _row(r: sqlite3.Row | tuple[Any, ...]) -> SecretVersion:
    tags = json.loads(r[5]) if r[5] is not None else None
    return SecretVersion(vault=r[0], name=r[1], version=r[2], value=r[3], content_type=r[4], tags=tags,
                         enabled=bool(r[6]), not_before=r[7], expires=r[8], created=r[9], updated=r[10])


def _is_deleted(store: Store, vault: str, name: str) -> bool:
    return store._one("SELECT 1 FROM kv_deleted_secrets WHERE vault = ? AND name = ?", (vault, name)) is not None


def _latest(store: Store, vault: str, name: str) -> SecretVersion | None:
    r = store._one(f"SELECT {_COLS} FROM kv_secret_versions WHERE vault = ? AND name = ? ORDER BY seq DESC LIMIT 1",
                   (vault, name))
    return _row(r) if r else None


def set_secret(store: Store, vault: str, name: str, value: str, *, now: int, content_type: str | None = None,
               tags: Mapping[str, str] | None = None, enabled: bool = True, not_before: int | None = None,
               expires: int | None = None) -> SecretVersion:
    """Add a new (latest) version of the secret; the caller has checked it is not in the deleted state."""
    version = new_version_id(store)
    with store.transaction(bump_generation=False):
        prev = _latest(store, vault, name)
        stored_name = prev.name if prev is not None else name
        row = store._one("SELECT COALESCE(MAX(seq), 0) FROM kv_secret_versions WHERE vault = ? AND name = ?",
                         (vault, name))
        seq = int(row[0]) + 1 if row else 1
        store._db.execute(
            f"INSERT INTO kv_secret_versions({_COLS}, seq) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
            (vault, stored_name, version, value, content_type, json.dumps(dict(tags)) if tags is not None else None,
             int(enabled), not_before, expires, now, now, seq),
        )
    found = get_secret(store, vault, stored_name, version)
    assert found is not None
    return found


def get_secret(store: Store, vault: str, name: str, version: str | None = None,
               *, include_deleted: bool = False) -> SecretVersion | None:
    """The latest (or the given) version of a live secret; None when missing or deleted."""
    if not include_deleted and _is_deleted(store, vault, name):
        return None
    if not version:
        return _latest(store, vault, name)
    r = store._one(f"SELECT {_COLS} FROM kv_secret_versions WHERE vault = ? AND name = ? AND version = ?",
                   (vault, name, version))
    return _row(r) if r else None


def list_secrets(store: Store, vault: str) -> list[SecretVersion]:
    """The latest version of every live secret of the vault, by name."""
    rows = store._all(
        f"SELECT {_COLS} FROM kv_secret_versions AS v WHERE vault = ? "
        "AND seq = (SELECT MAX(seq) FROM kv_secret_versions AS w WHERE w.vault = v.vault AND w.name = v.name) "
        "AND NOT EXISTS (SELECT 1 FROM kv_deleted_secrets AS d WHERE d.vault = v.vault AND d.name = v.name) "
        "ORDER BY name COLLATE NOCASE",
        (vault,),
    )
    return [_row(r) for r in rows]


def list_secret_versions(store: Store, vault: str, name: str) -> list[SecretVersion]:
    """Every version of a live secret, oldest first ([] when missing or deleted)."""
    if _is_deleted(store, vault, name):
        return []
    rows = store._all(f"SELECT {_COLS} FROM kv_secret_versions WHERE vault = ? AND name = ? ORDER BY seq",
                      (vault, name))
    return [_row(r) for r in rows]


def update_secret(store: Store, vault: str, name: str, version: str | None, *, now: int,
                  changes: Mapping[str, Any]) -> SecretVersion | None:
    """Change attributes of one version (``content_type``, ``tags``, ``enabled``, ``not_before``, ``expires``).

    ``version`` None/empty means the latest. Returns the updated version, or None when it does not exist.
    """
    with store.transaction(bump_generation=False):
        current = get_secret(store, vault, name, version)
        if current is None:
            return None
        sets: list[str] = []
        params: list[Any] = []
        for key, col in (("content_type", "content_type"), ("enabled", "enabled"), ("not_before", "not_before"),
                         ("expires", "expires")):
            if key in changes:
                sets.append(f"{col} = ?")
                val = changes[key]
                params.append(int(val) if key == "enabled" else val)
        if "tags" in changes:
            sets.append("tags = ?")
            tags = changes["tags"]
            params.append(json.dumps(dict(tags)) if tags is not None else None)
        sets.append("updated = ?")
        params.append(now)
        store._db.execute(
            f"UPDATE kv_secret_versions SET {', '.join(sets)} WHERE vault = ? AND name = ? AND version = ?",
            (*params, vault, current.name, current.version),
        )
    return get_secret(store, vault, current.name, current.version)


def delete_secret(store: Store, vault: str, name: str, *, now: int, retention_days: int) -> DeletedSecret | None:
    """Soft-delete a live secret (all its versions); None when there is no such live secret."""
    with store.transaction(bump_generation=False):
        latest = get_secret(store, vault, name)
        if latest is None:
            return None
        purge = now + retention_days * 86400
        store._db.execute(
            "INSERT INTO kv_deleted_secrets(vault, name, deleted_date, scheduled_purge_date) VALUES(?,?,?,?)",
            (vault, latest.name, now, purge),
        )
    return DeletedSecret(latest, now, purge)


def get_deleted_secret(store: Store, vault: str, name: str) -> DeletedSecret | None:
    """A soft-deleted secret, or None."""
    r = store._one("SELECT deleted_date, scheduled_purge_date FROM kv_deleted_secrets WHERE vault = ? AND name = ?",
                   (vault, name))
    if r is None:
        return None
    latest = _latest(store, vault, name)
    if latest is None:
        return None
    return DeletedSecret(latest, int(r[0]), int(r[1]))


def list_deleted_secrets(store: Store, vault: str) -> list[DeletedSecret]:
    """Every soft-deleted secret of the vault, by name."""
    rows = store._all("SELECT name FROM kv_deleted_secrets WHERE vault = ? ORDER BY name COLLATE NOCASE", (vault,))
    out: list[DeletedSecret] = []
    for r in rows:
        found = get_deleted_secret(store, vault, str(r[0]))
        if found is not None:
            out.append(found)
    return out


def recover_deleted_secret(store: Store, vault: str, name: str) -> SecretVersion | None:
    """Bring a soft-deleted secret back; returns its latest version, or None when it is not deleted."""
    with store.transaction(bump_generation=False):
        if get_deleted_secret(store, vault, name) is None:
            return None
        store._db.execute("DELETE FROM kv_deleted_secrets WHERE vault = ? AND name = ?", (vault, name))
    return get_secret(store, vault, name)


def purge_deleted_secret(store: Store, vault: str, name: str) -> bool:
    """Erase a soft-deleted secret for good. False when it is not in the deleted state."""
    with store.transaction(bump_generation=False):
        if get_deleted_secret(store, vault, name) is None:
            return False
        store._db.execute("DELETE FROM kv_deleted_secrets WHERE vault = ? AND name = ?", (vault, name))
        store._db.execute("DELETE FROM kv_secret_versions WHERE vault = ? AND name = ?", (vault, name))
    return True


def purge_vault(store: Store, vault: str) -> None:
    """Erase every secret (live or deleted) of a vault name: a new vault with that name starts empty."""
    with store.transaction(bump_generation=False):
        store._db.execute("DELETE FROM kv_deleted_secrets WHERE vault = ?", (vault,))
        store._db.execute("DELETE FROM kv_secret_versions WHERE vault = ?", (vault,))


#: This service's ordered migrations (``Store.open(services=...)`` applies them).
MIGRATIONS = (_migrate_1,)
