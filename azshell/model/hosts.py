"""Persistence for the emulated hosts: App Service identity headers and host disks (migration v5).

Tables::

    host_identity_headers(host_id, header, identity_fp, created)
        The value App Service puts in ``IDENTITY_HEADER`` (and ``MSI_SECRET``) for a web or function app, and a
        fingerprint of the site's identity when that value was made.
    host_files(host_id, path, content, mtime)
        Files on an emulated host's own small disk (VMs and apps); used by the host file system.

Rotation rule (decided here, documented in DESIGN "Host contexts"): a site's header is made on first need and
replaced by a new random value whenever the site's identity changes (enabled, disabled, a user-assigned identity
attached or detached), as the platform restarts the app with a fresh environment then. It is *not* rotated on
``Enter-AzWebApp``, so a header printed by ``azshell serve --app`` stays valid while a REPL steps on and off the
same app. ``rotate_identity_header`` forces a new value (a restart).

The functions take the :class:`~azshell.model.store.Store` and run inside its transactions, so they see and
make committed state exactly as the rest of the store does.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from azshell.model.store import Store
    from azshell.model.types import Identity

__all__ = [
    "HostFile",
    "IdentityHeader",
    "delete_host_data",
    "delete_host_file",
    "ensure_identity_header",
    "get_identity_header",
    "identity_fingerprint",
    "list_host_files",
    "read_host_file",
    "rotate_identity_header",
    "write_host_file",
]


# ------------------------------------------------------------------------------------------ identity headers
@dataclass(frozen=True)
class IdentityHeader:
    """One site's ``IDENTITY_HEADER`` value and the identity fingerprint it was made for."""

    host_id: str
    header: str
    identity_fp: str
    created: float


def identity_fingerprint(identity: Identity | None) -> str:
    """A stable text naming the site's identities (type, system principal, attached UAIs); "" for none."""
    if identity is None or not (identity.has_system or identity.has_user):
        return ""
    uais = ",".join(sorted(k.casefold() for k in identity.user_assigned))
    return f"{identity.type.replace(' ', '').casefold()}|{(identity.principal_id or '').casefold()}|{uais}"


def _new_header(store: Store) -> str:
    """A fresh random value shaped like App Service's (a GUID, as in the docs' ``853b9a84-...``)."""
    return store.ids.guid()


def get_identity_header(store: Store, host_id: str) -> IdentityHeader | None:
    """The stored header of ``host_id``, or None."""
    row = store._one(  # noqa: SLF001 - the store's own query helper; this module is part of the store
        "SELECT host_id, header, identity_fp, created FROM host_identity_headers WHERE host_id = ?", (host_id,))
    if row is None:
        return None
    return IdentityHeader(str(row[0]), str(row[1]), str(row[2]), float(row[3]))


def _put_header(store: Store, host_id: str, fp: str) -> IdentityHeader:
    made = IdentityHeader(host_id, _new_header(store), fp, store._clock.now())  # noqa: SLF001
    store._exec(  # noqa: SLF001
        "INSERT INTO host_identity_headers(host_id, header, identity_fp, created) VALUES(?,?,?,?) "
        "ON CONFLICT(host_id) DO UPDATE SET header = excluded.header, identity_fp = excluded.identity_fp, "
        "created = excluded.created",
        (made.host_id, made.header, made.identity_fp, made.created))
    return made


def ensure_identity_header(store: Store, host_id: str, identity: Identity | None) -> IdentityHeader:
    """The header of ``host_id`` for its current ``identity``: kept while the identity is unchanged, a new
    random value when it changed (or none was stored)."""
    fp = identity_fingerprint(identity)
    with store.transaction(bump_generation=False):
        found = get_identity_header(store, host_id)
        if found is not None and found.identity_fp == fp:
            return found
        return _put_header(store, host_id, fp)


def rotate_identity_header(store: Store, host_id: str, identity: Identity | None) -> IdentityHeader:
    """Force a new header value (what an app restart does)."""
    with store.transaction(bump_generation=False):
        return _put_header(store, host_id, identity_fingerprint(identity))


# ------------------------------------------------------------------------------------------------ host disks
@dataclass(frozen=True)
class HostFile:
    host_id: str
    path: str
    content: bytes
    mtime: float


def write_host_file(store: Store, host_id: str, path: str, content: bytes, *, append: bool = False) -> HostFile:
    """Create or replace (or append to) a file on the host's disk."""
    with store.transaction(bump_generation=False):
        old = read_host_file(store, host_id, path) if append else None
        data = (old.content if old is not None else b"") + content
        now = store._clock.now()  # noqa: SLF001
        store._exec(  # noqa: SLF001
            "INSERT INTO host_files(host_id, path, content, mtime) VALUES(?,?,?,?) ON CONFLICT(host_id, path) "
            "DO UPDATE SET content = excluded.content, mtime = excluded.mtime",
            (host_id, path, sqlite3.Binary(data), now))
        return HostFile(host_id, path, data, now)


def read_host_file(store: Store, host_id: str, path: str) -> HostFile | None:
    row = store._one(  # noqa: SLF001
        "SELECT host_id, path, content, mtime FROM host_files WHERE host_id = ? AND path = ?", (host_id, path))
    if row is None:
        return None
    return HostFile(str(row[0]), str(row[1]), bytes(row[2]), float(row[3]))


def list_host_files(store: Store, host_id: str, prefix: str = "") -> list[HostFile]:
    """The host's files whose path starts with ``prefix`` (case-insensitive), by path."""
    rows = store._all(  # noqa: SLF001
        "SELECT host_id, path, content, mtime FROM host_files WHERE host_id = ? ORDER BY path", (host_id,))
    low = prefix.casefold()
    return [HostFile(str(r[0]), str(r[1]), bytes(r[2]), float(r[3])) for r in rows
            if str(r[1]).casefold().startswith(low)]


def delete_host_file(store: Store, host_id: str, path: str) -> bool:
    cur = store._exec("DELETE FROM host_files WHERE host_id = ? AND path = ?", (host_id, path))  # noqa: SLF001
    return cur.rowcount > 0


def delete_host_data(store: Store, host_id: str) -> None:
    """Forget a deleted host's header and disk, and those of the hosts under it (a scale set's instances)."""
    under = host_id.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "/%"
    with store.transaction(bump_generation=False):
        for table in ("host_identity_headers", "host_files"):
            store._exec(f"DELETE FROM {table} WHERE host_id = ? OR host_id LIKE ? ESCAPE '\\'",  # noqa: SLF001
                        (host_id, under))
