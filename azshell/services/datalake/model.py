"""Persistence for Data Lake Store Gen1: each store's file system (folders, files, owners, POSIX ACLs).

One row per path of one store, keyed by the store's ``accountId`` (so a store deleted and created again under
the same name starts empty, as in Azure). Paths are absolute and case-sensitive (``/``, ``/TestFolder``,
``/TestFolder/Test1.txt``), as HDFS paths are.

Files may carry an expiry time (``expiry_ms``, Unix ms, 0 = never; WebHDFS ``SETEXPIRY``): once it has passed the
file is gone (``purge_expired`` deletes it before a request is answered).

The access ACL is kept whole, base entries included (``user::``, ``group::``, ``other::`` and, when there are
named entries, ``mask::``): the permission string (``"770"``) is derived from it, as HDFS derives it. The
default ACL (folders only) is empty or complete (base entries included).

Example::

    create_root(store, store_id="4a3c...", owner=oid, group=oid, now_ms=1700000000000)
    put_entry(store, replace(get_entry(store, sid, "/"), mtime_ms=...))
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from azshell.model.store import Store

__all__ = [
    "AclEntry",
    "DIRECTORY",
    "EntryKind",
    "FILE",
    "PathEntry",
    "create_root",
    "delete_entries",
    "get_entry",
    "list_children",
    "list_subtree",
    "MIGRATIONS",
    "minimal_acl",
    "purge_expired",
    "put_entry",
    "rename_subtree",
]

EntryKind = Literal["FILE", "DIRECTORY"]
FILE: Literal["FILE"] = "FILE"
DIRECTORY: Literal["DIRECTORY"] = "DIRECTORY"
AclType = Literal["user", "group", "mask", "other"]


def _migrate_1(db: sqlite3.Connection) -> None:
    """Migration 1: this service's tables (never edit once released; append a new migration instead)."""
    db.execute(
        """
        CREATE TABLE datalake_paths (
            store_id TEXT NOT NULL COLLATE NOCASE,
            path TEXT NOT NULL,
            parent TEXT,
            kind TEXT NOT NULL,
            content BLOB NOT NULL DEFAULT x'',
            owner TEXT NOT NULL,
            grp TEXT NOT NULL,
            acl TEXT NOT NULL,
            default_acl TEXT NOT NULL DEFAULT '[]',
            mtime_ms INTEGER NOT NULL,
            atime_ms INTEGER NOT NULL,
            PRIMARY KEY (store_id, path)
        )
        """
    )
    db.execute("CREATE INDEX ix_datalake_parent ON datalake_paths(store_id, parent)")


def _migrate_2(db: sqlite3.Connection) -> None:
    """Migration 2: file expiry (``SETEXPIRY``), Unix milliseconds, 0 = never."""
    db.execute("ALTER TABLE datalake_paths ADD COLUMN expiry_ms INTEGER NOT NULL DEFAULT 0")


@dataclass(frozen=True)
class AclEntry:
    """One POSIX ACL entry: ``default:user:{oid}:r-x`` is ``AclEntry("user", oid, 5, default=True)``."""

    type: AclType
    name: str = ""
    perm: int = 0  # rwx bits: r=4, w=2, x=1
    default: bool = False

    @property
    def key(self) -> tuple[bool, str, str]:
        return (self.default, self.type, self.name.lower())

    @property
    def perm_text(self) -> str:
        return perm_text(self.perm)

    def spec(self) -> str:
        """The entry as WebHDFS writes it: ``user:{oid}:rwx`` / ``default:mask::r-x``."""
        prefix = "default:" if self.default else ""
        return f"{prefix}{self.type}:{self.name}:{self.perm_text}"

    def to_json(self) -> list[object]:
        return [self.type, self.name, self.perm, self.default]

    @classmethod
    def from_json(cls, raw: list[object]) -> AclEntry:
        t, name, perm, default = raw
        return cls(str(t), str(name), int(str(perm)), bool(default))  # type: ignore[arg-type]


def perm_text(bits: int) -> str:
    """``5`` → ``"r-x"``."""
    return ("r" if bits & 4 else "-") + ("w" if bits & 2 else "-") + ("x" if bits & 1 else "-")


def minimal_acl(mode: int, *, default: bool = False) -> tuple[AclEntry, ...]:
    """The base entries for an octal ``mode`` (``0o770`` → user::rwx, group::rwx, other::---)."""
    return (
        AclEntry("user", "", (mode >> 6) & 7, default),
        AclEntry("group", "", (mode >> 3) & 7, default),
        AclEntry("other", "", mode & 7, default),
    )


@dataclass(frozen=True)
class PathEntry:
    """A file or folder of one store."""

    store_id: str
    path: str
    kind: EntryKind
    owner: str
    group: str
    acl: tuple[AclEntry, ...]
    default_acl: tuple[AclEntry, ...] = ()
    content: bytes = field(default=b"", repr=False)
    mtime_ms: int = 0
    atime_ms: int = 0
    #: When the file expires (Unix ms; 0 = never). ``atime_ms`` doubles as the creation time (reads keep it).
    expiry_ms: int = 0

    @property
    def name(self) -> str:
        return "" if self.path == "/" else self.path.rsplit("/", 1)[-1]

    @property
    def parent(self) -> str | None:
        if self.path == "/":
            return None
        head = self.path.rsplit("/", 1)[0]
        return head or "/"

    @property
    def is_dir(self) -> bool:
        return self.kind == DIRECTORY

    def base(self, type_: AclType) -> int:
        for e in self.acl:
            if e.type == type_ and not e.name:
                return e.perm
        return 0

    @property
    def mask(self) -> int | None:
        for e in self.acl:
            if e.type == "mask":
                return e.perm
        return None

    @property
    def has_extended_acl(self) -> bool:
        return any(e.name or e.type == "mask" for e in self.acl) or bool(self.default_acl)

    @property
    def permission(self) -> str:
        """HDFS's octal permission string: owner, group class (the mask when there is one), other."""
        mask = self.mask
        group = mask if mask is not None else self.base("group")
        return f"{self.base('user')}{group}{self.base('other')}"


def _row(r: sqlite3.Row | tuple[object, ...]) -> PathEntry:
    acl = tuple(AclEntry.from_json(x) for x in json.loads(str(r[6])))
    dacl = tuple(AclEntry.from_json(x) for x in json.loads(str(r[7])))
    kind: EntryKind = DIRECTORY if r[2] == DIRECTORY else FILE
    content = r[3]
    return PathEntry(store_id=str(r[0]), path=str(r[1]), kind=kind,
                     content=bytes(content) if isinstance(content, (bytes, bytearray, memoryview)) else b"",
                     owner=str(r[4]), group=str(r[5]), acl=acl, default_acl=dacl,
                     mtime_ms=int(str(r[8])), atime_ms=int(str(r[9])), expiry_ms=int(str(r[10])))


_COLS = "store_id, path, kind, content, owner, grp, acl, default_acl, mtime_ms, atime_ms, expiry_ms"


def _acl_json(entries: Iterable[AclEntry]) -> str:
    return json.dumps([e.to_json() for e in entries], separators=(",", ":"))


def get_entry(store: Store, store_id: str, path: str) -> PathEntry | None:
    """The entry at ``path``, or None."""
    r = store._one(f"SELECT {_COLS} FROM datalake_paths WHERE store_id = ? AND path = ?", (store_id, path))
    return _row(r) if r is not None else None


def list_children(store: Store, store_id: str, path: str) -> list[PathEntry]:
    """The direct children of folder ``path``, by name."""
    rows = store._all(f"SELECT {_COLS} FROM datalake_paths WHERE store_id = ? AND parent = ? ORDER BY path",
                      (store_id, path))
    return [_row(r) for r in rows]


def _subtree_like(path: str) -> str:
    base = "" if path == "/" else path
    return base.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"


def list_subtree(store: Store, store_id: str, path: str) -> list[PathEntry]:
    """Every entry strictly below ``path``, parents before children."""
    rows = store._all(
        f"SELECT {_COLS} FROM datalake_paths WHERE store_id = ? AND path LIKE ? ESCAPE '\\' AND path != ? "
        "ORDER BY length(path), path",
        (store_id, _subtree_like(path), path))
    return [_row(r) for r in rows if r[1] != "/"]


def put_entry(store: Store, entry: PathEntry) -> None:
    """Insert or replace one entry."""
    with store.transaction(bump_generation=False):
        store._db.execute(
            "INSERT OR REPLACE INTO datalake_paths(store_id, path, parent, kind, content, owner, grp, acl, "
            "default_acl, mtime_ms, atime_ms, expiry_ms) VALUES(?,?,?,?,?,?,?,?,?,?,?,?)",
            (entry.store_id, entry.path, entry.parent, entry.kind, entry.content, entry.owner, entry.group,
             _acl_json(entry.acl), _acl_json(entry.default_acl), entry.mtime_ms, entry.atime_ms, entry.expiry_ms))


def purge_expired(store: Store, store_id: str, now_ms: int) -> int:
    """Delete the store's files whose expiry time has passed; returns how many went."""
    if store._one("SELECT 1 FROM datalake_paths WHERE store_id = ? AND expiry_ms > 0 AND expiry_ms <= ? LIMIT 1",
                  (store_id, now_ms)) is None:
        return 0
    with store.transaction(bump_generation=False):
        cur = store._db.execute("DELETE FROM datalake_paths WHERE store_id = ? AND expiry_ms > 0 AND expiry_ms <= ?",
                                (store_id, now_ms))
        return int(cur.rowcount)


def delete_entries(store: Store, store_id: str, path: str) -> int:
    """Delete ``path`` and everything below it; returns the number of rows removed."""
    with store.transaction(bump_generation=False):
        cur = store._db.execute(
            "DELETE FROM datalake_paths WHERE store_id = ? AND (path = ? OR path LIKE ? ESCAPE '\\')",
            (store_id, path, _subtree_like(path)))
        return int(cur.rowcount)


def rename_subtree(store: Store, store_id: str, source: str, destination: str, mtime_ms: int) -> None:
    """Move ``source`` (and its subtree) to ``destination``; the destination's parent must exist."""
    with store.transaction(bump_generation=False):
        moved = [get_entry(store, store_id, source), *list_subtree(store, store_id, source)]
        delete_entries(store, store_id, source)
        for e in moved:
            if e is None:
                continue
            new_path = destination + e.path[len(source):]
            put_entry(store, replace(e, path=new_path, mtime_ms=mtime_ms if e.path == source else e.mtime_ms))


def create_root(store: Store, *, store_id: str, owner: str, group: str, now_ms: int, mode: int = 0o770) -> bool:
    """Create the store's root folder ``/`` unless it exists; True when created."""
    with store.transaction(bump_generation=False):
        if get_entry(store, store_id, "/") is not None:
            return False
        put_entry(store, PathEntry(store_id=store_id, path="/", kind=DIRECTORY, owner=owner, group=group,
                                   acl=minimal_acl(mode), mtime_ms=now_ms, atime_ms=now_ms))
        return True


#: This service's ordered migrations (``Store.open(services=...)`` applies them).
MIGRATIONS = (_migrate_1, _migrate_2)
