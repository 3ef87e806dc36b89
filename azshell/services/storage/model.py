"""Persistence for Azure Storage: each account's two access keys, and its Blob service (containers, blobs, the
uncommitted blocks of block blobs).

Everything belongs to an account by its *name* (account names are globally unique, as Azure's DNS names are);
the account itself is an ARM resource in ``resources``. A new account with the name of a deleted one starts
empty with fresh keys (``reset_account``). Containers and blob names are case-sensitive, as in Azure; account
names are lower-case.

Example::

    keys = create_keys(store, "mystorage", now=1700000000)
    c = create_container(store, "mystorage", "data", now=1700000000, etag='"0x1"', metadata={})
    put_blob(store, "mystorage", "data", "a.txt", b"hi", now=1700000000, etag='"0x2"', props=BlobProps())
"""

from __future__ import annotations

import base64
import json
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from azshell.model.store import Store

__all__ = [
    "AccountKeys",
    "Blob",
    "BlobProps",
    "Container",
    "MIGRATIONS",
    "commit_blocks",
    "create_container",
    "create_keys",
    "delete_blob",
    "delete_container",
    "get_blob",
    "get_container",
    "get_keys",
    "list_blobs",
    "list_containers",
    "list_uncommitted",
    "new_key",
    "put_blob",
    "put_block",
    "regenerate_key",
    "reset_account",
    "set_blob_props",
    "set_container_metadata",
]

KEY_BYTES = 64


def _migrate_1(db: sqlite3.Connection) -> None:
    """Migration 1: this service's tables (never edit once released; append a new migration instead)."""
    db.execute(
        """
        CREATE TABLE st_account_keys (
            account TEXT NOT NULL PRIMARY KEY COLLATE NOCASE,
            key1 TEXT NOT NULL,
            key2 TEXT NOT NULL,
            key1_created REAL NOT NULL,
            key2_created REAL NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE st_containers (
            account TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL,
            created REAL NOT NULL,
            last_modified REAL NOT NULL,
            etag TEXT NOT NULL,
            metadata TEXT NOT NULL,
            PRIMARY KEY (account, name)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE st_blobs (
            account TEXT NOT NULL COLLATE NOCASE,
            container TEXT NOT NULL,
            name TEXT NOT NULL,
            data BLOB NOT NULL,
            props TEXT NOT NULL,
            metadata TEXT NOT NULL,
            blocks TEXT,
            created REAL NOT NULL,
            last_modified REAL NOT NULL,
            etag TEXT NOT NULL,
            PRIMARY KEY (account, container, name)
        )
        """
    )
    db.execute(
        """
        CREATE TABLE st_blocks (
            account TEXT NOT NULL COLLATE NOCASE,
            container TEXT NOT NULL,
            blob TEXT NOT NULL,
            block_id TEXT NOT NULL,
            data BLOB NOT NULL,
            seq INTEGER NOT NULL,
            PRIMARY KEY (account, container, blob, block_id)
        )
        """
    )


MIGRATIONS = [_migrate_1]


# ------------------------------------------------------------------------------------------------------ keys
@dataclass(frozen=True)
class AccountKeys:
    account: str
    key1: str
    key2: str
    key1_created: float
    key2_created: float

    def values(self) -> tuple[str, str]:
        return (self.key1, self.key2)


def new_key(store: Store) -> str:
    """A storage account key: 64 random bytes, base64 (88 characters), as Azure makes them (from the store's id
    source, which ``--seed`` makes reproducible)."""
    return base64.b64encode(store.ids.bytes(KEY_BYTES)).decode("ascii")


def get_keys(store: Store, account: str) -> AccountKeys | None:
    r = store._one("SELECT account, key1, key2, key1_created, key2_created FROM st_account_keys WHERE account = ?",
                   (account,))
    return AccountKeys(r[0], r[1], r[2], float(r[3]), float(r[4])) if r else None


def create_keys(store: Store, account: str, *, now: float) -> AccountKeys:
    """The account's keys, made now when it has none."""
    with store.transaction(bump_generation=False):
        found = get_keys(store, account)
        if found is not None:
            return found
        store._db.execute("INSERT INTO st_account_keys(account, key1, key2, key1_created, key2_created) "
                          "VALUES(?,?,?,?,?)", (account.lower(), new_key(store), new_key(store), now, now))
    made = get_keys(store, account)
    assert made is not None
    return made


def regenerate_key(store: Store, account: str, key_name: str, *, now: float) -> AccountKeys:
    """A new value for ``key1`` or ``key2`` (the caller has validated the name)."""
    create_keys(store, account, now=now)
    col = "key1" if key_name.lower() == "key1" else "key2"
    with store.transaction(bump_generation=False):
        store._db.execute(f"UPDATE st_account_keys SET {col} = ?, {col}_created = ? WHERE account = ?",
                          (new_key(store), now, account))
    found = get_keys(store, account)
    assert found is not None
    return found


def reset_account(store: Store, account: str) -> None:
    """Forget everything of a (deleted) account of this name: a new account starts empty, with new keys."""
    with store.transaction(bump_generation=False):
        for table in ("st_account_keys", "st_containers", "st_blobs", "st_blocks"):
            store._db.execute(f"DELETE FROM {table} WHERE account = ?", (account,))


# ------------------------------------------------------------------------------------------------ containers
@dataclass(frozen=True)
class Container:
    account: str
    name: str
    created: float
    last_modified: float
    etag: str
    metadata: dict[str, str]


_CCOLS = "account, name, created, last_modified, etag, metadata"


def _container(r: Sequence[Any]) -> Container:
    return Container(r[0], r[1], float(r[2]), float(r[3]), r[4], json.loads(r[5]))


def get_container(store: Store, account: str, name: str) -> Container | None:
    r = store._one(f"SELECT {_CCOLS} FROM st_containers WHERE account = ? AND name = ?", (account, name))
    return _container(r) if r else None


def list_containers(store: Store, account: str, *, prefix: str = "", after: str = "",
                    limit: int | None = None) -> list[Container]:
    """Containers in name order, those whose name starts with ``prefix`` and sorts at or after ``after``."""
    sql = f"SELECT {_CCOLS} FROM st_containers WHERE account = ? AND name >= ? AND substr(name, 1, ?) = ? " \
          "ORDER BY name"
    params: list[Any] = [account, after, len(prefix), prefix]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_container(r) for r in store._all(sql, tuple(params))]


def create_container(store: Store, account: str, name: str, *, now: float, etag: str,
                     metadata: Mapping[str, str]) -> Container | None:
    """The new container, or None when one of that name exists."""
    with store.transaction(bump_generation=False):
        if get_container(store, account, name) is not None:
            return None
        store._db.execute(f"INSERT INTO st_containers({_CCOLS}) VALUES(?,?,?,?,?,?)",
                          (account, name, now, now, etag, json.dumps(dict(metadata))))
    return get_container(store, account, name)


def set_container_metadata(store: Store, account: str, name: str, metadata: Mapping[str, str], *, now: float,
                           etag: str) -> Container | None:
    with store.transaction(bump_generation=False):
        store._db.execute("UPDATE st_containers SET metadata = ?, last_modified = ?, etag = ? "
                          "WHERE account = ? AND name = ?", (json.dumps(dict(metadata)), now, etag, account, name))
    return get_container(store, account, name)


def delete_container(store: Store, account: str, name: str) -> bool:
    with store.transaction(bump_generation=False):
        cur = store._db.execute("DELETE FROM st_containers WHERE account = ? AND name = ?", (account, name))
        store._db.execute("DELETE FROM st_blobs WHERE account = ? AND container = ?", (account, name))
        store._db.execute("DELETE FROM st_blocks WHERE account = ? AND container = ?", (account, name))
    return bool(cur.rowcount)


# ----------------------------------------------------------------------------------------------------- blobs
@dataclass(frozen=True)
class BlobProps:
    """The HTTP properties a blob keeps (``x-ms-blob-content-*`` on write, ``Content-*`` on read)."""

    content_type: str = "application/octet-stream"
    content_encoding: str | None = None
    content_language: str | None = None
    content_disposition: str | None = None
    cache_control: str | None = None
    content_md5: str | None = None

    def to_json(self) -> str:
        return json.dumps({k: v for k, v in self.__dict__.items() if v is not None})

    @classmethod
    def from_json(cls, text: str) -> BlobProps:
        raw = json.loads(text)
        return cls(**{k: raw.get(k) for k in ("content_type", "content_encoding", "content_language",
                                               "content_disposition", "cache_control", "content_md5")})

    def with_changes(self, **changes: Any) -> BlobProps:
        return replace(self, **changes)


@dataclass(frozen=True)
class Blob:
    account: str
    container: str
    name: str
    size: int
    props: BlobProps
    metadata: dict[str, str]
    #: committed blocks ``[(block_id, size), ...]``; None for a blob written whole by Put Blob
    blocks: list[tuple[str, int]] | None
    created: float
    last_modified: float
    etag: str
    data: bytes = field(default=b"", repr=False)


_BCOLS = "account, container, name, length(data), props, metadata, blocks, created, last_modified, etag"


def _blob(r: Sequence[Any], data: bytes = b"") -> Blob:
    blocks = [(str(b[0]), int(b[1])) for b in json.loads(r[6])] if r[6] else None
    return Blob(r[0], r[1], r[2], int(r[3]), BlobProps.from_json(r[4]), json.loads(r[5]), blocks, float(r[7]),
                float(r[8]), r[9], data)


def get_blob(store: Store, account: str, container: str, name: str, *, with_data: bool = False) -> Blob | None:
    cols = _BCOLS + (", data" if with_data else "")
    r = store._one(f"SELECT {cols} FROM st_blobs WHERE account = ? AND container = ? AND name = ?",
                   (account, container, name))
    if not r:
        return None
    return _blob(r, bytes(r[10]) if with_data else b"")


def list_blobs(store: Store, account: str, container: str, *, prefix: str = "", after: str = "",
               limit: int | None = None) -> list[Blob]:
    sql = f"SELECT {_BCOLS} FROM st_blobs WHERE account = ? AND container = ? AND name >= ? " \
          "AND substr(name, 1, ?) = ? ORDER BY name"
    params: list[Any] = [account, container, after, len(prefix), prefix]
    if limit is not None:
        sql += " LIMIT ?"
        params.append(limit)
    return [_blob(r) for r in store._all(sql, tuple(params))]


def put_blob(store: Store, account: str, container: str, name: str, data: bytes, *, now: float, etag: str,
             props: BlobProps, metadata: Mapping[str, str] | None = None,
             blocks: list[tuple[str, int]] | None = None) -> Blob:
    """Write the whole blob (a new one, or replacing the old one and its uncommitted blocks)."""
    with store.transaction(bump_generation=False):
        old = store._one("SELECT created FROM st_blobs WHERE account = ? AND container = ? AND name = ?",
                         (account, container, name))
        created = float(old[0]) if old else now
        store._db.execute(
            "INSERT OR REPLACE INTO st_blobs(account, container, name, data, props, metadata, blocks, created, "
            "last_modified, etag) VALUES(?,?,?,?,?,?,?,?,?,?)",
            (account, container, name, sqlite3.Binary(data), props.to_json(), json.dumps(dict(metadata or {})),
             json.dumps(blocks) if blocks is not None else None, created, now, etag))
        store._db.execute("DELETE FROM st_blocks WHERE account = ? AND container = ? AND blob = ?",
                          (account, container, name))
    found = get_blob(store, account, container, name)
    assert found is not None
    return found


def set_blob_props(store: Store, account: str, container: str, name: str, *, now: float, etag: str,
                   props: BlobProps | None = None, metadata: Mapping[str, str] | None = None) -> Blob | None:
    with store.transaction(bump_generation=False):
        if props is not None:
            store._db.execute("UPDATE st_blobs SET props = ? WHERE account = ? AND container = ? AND name = ?",
                              (props.to_json(), account, container, name))
        if metadata is not None:
            store._db.execute("UPDATE st_blobs SET metadata = ? WHERE account = ? AND container = ? AND name = ?",
                              (json.dumps(dict(metadata)), account, container, name))
        store._db.execute("UPDATE st_blobs SET last_modified = ?, etag = ? WHERE account = ? AND container = ? "
                          "AND name = ?", (now, etag, account, container, name))
    return get_blob(store, account, container, name)


def delete_blob(store: Store, account: str, container: str, name: str) -> bool:
    with store.transaction(bump_generation=False):
        cur = store._db.execute("DELETE FROM st_blobs WHERE account = ? AND container = ? AND name = ?",
                                (account, container, name))
        store._db.execute("DELETE FROM st_blocks WHERE account = ? AND container = ? AND blob = ?",
                          (account, container, name))
    return bool(cur.rowcount)


# ---------------------------------------------------------------------------------------------------- blocks
def put_block(store: Store, account: str, container: str, blob: str, block_id: str, data: bytes) -> None:
    """Stage an uncommitted block (a block with the same ID replaces the earlier one)."""
    with store.transaction(bump_generation=False):
        row = store._one("SELECT COALESCE(MAX(seq), 0) FROM st_blocks WHERE account = ? AND container = ? "
                         "AND blob = ?", (account, container, blob))
        seq = int(row[0]) + 1 if row else 1
        store._db.execute("INSERT OR REPLACE INTO st_blocks(account, container, blob, block_id, data, seq) "
                          "VALUES(?,?,?,?,?,?)", (account, container, blob, block_id, sqlite3.Binary(data), seq))


def list_uncommitted(store: Store, account: str, container: str, blob: str) -> list[tuple[str, int]]:
    """``[(block_id, size), ...]`` in staging order."""
    rows = store._all("SELECT block_id, length(data) FROM st_blocks WHERE account = ? AND container = ? "
                      "AND blob = ? ORDER BY seq", (account, container, blob))
    return [(str(r[0]), int(r[1])) for r in rows]


def _uncommitted_data(store: Store, account: str, container: str, blob: str) -> dict[str, bytes]:
    rows = store._all("SELECT block_id, data FROM st_blocks WHERE account = ? AND container = ? AND blob = ?",
                      (account, container, blob))
    return {str(r[0]): bytes(r[1]) for r in rows}


def commit_blocks(store: Store, account: str, container: str, blob: str,
                  wanted: Sequence[tuple[str, str]], *, now: float, etag: str, props: BlobProps,
                  metadata: Mapping[str, str]) -> Blob | None:
    """Put Block List: ``wanted`` is ``[(list, block_id)]`` with list ``Committed``/``Uncommitted``/``Latest``.

    Returns None (and changes nothing) when a block is not where the list says it is (``InvalidBlockList``).
    """
    with store.transaction(bump_generation=False):
        staged = _uncommitted_data(store, account, container, blob)
        current = get_blob(store, account, container, blob, with_data=True)
        committed: dict[str, bytes] = {}
        if current is not None and current.blocks:
            offset = 0
            for block_id, size in current.blocks:
                committed.setdefault(block_id, current.data[offset:offset + size])
                offset += size
        parts: list[bytes] = []
        blocks: list[tuple[str, int]] = []
        for where, block_id in wanted:
            kind = where.lower()
            data: bytes | None
            if kind == "uncommitted":
                data = staged.get(block_id)
            elif kind == "committed":
                data = committed.get(block_id)
            else:
                data = staged.get(block_id, committed.get(block_id))
            if data is None:
                return None
            parts.append(data)
            blocks.append((block_id, len(data)))
        return put_blob(store, account, container, blob, b"".join(parts), now=now, etag=etag, props=props,
                        metadata=metadata, blocks=blocks)
