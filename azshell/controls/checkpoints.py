"""Checkpoints of the whole state: ``Checkpoint-/Restore-AzShellState``, ``Get-/Remove-AzShellCheckpoint``.

A checkpoint of a state file ``state.db`` is a SQLite copy ``state.db.checkpoints/<name>.db`` (folder 0700, file
0600: it holds the tenant's keys) made with SQLite's online backup, which copies one consistent snapshot even
while other processes write; it is written under a temporary name and renamed, so a checkpoint is whole or
absent. A ``:memory:`` state keeps its checkpoints in memory, for as long as the store is open.

Restoring copies every table of the checkpoint back in ONE write transaction (``Store.replace_tables``): another
process using the file sees the old state or the restored one, never a mix; the generation counter and the
state's epoch move, so every process drops its caches and its token service's key ring. A checkpoint made by an
older azshell (before a migration) is migrated in memory first, as an import is. Everything is restored,
the events log and the tenant clock's setting included: the state is as it was.

Example::

    create_checkpoint(world, "before-roles")
    ...                                           # change things
    restore_checkpoint(world, "before-roles")     # back, atomically
"""

from __future__ import annotations

import os
import re
import sqlite3
from dataclasses import dataclass
from typing import TYPE_CHECKING

from azshell.controls.export import StateImportError, StateSnapshot, load_snapshot
from azshell.errors import AzShellError

if TYPE_CHECKING:
    from azshell.world import World

__all__ = [
    "Checkpoint",
    "CheckpointError",
    "checkpoint_dir",
    "create_checkpoint",
    "list_checkpoints",
    "remove_checkpoint",
    "restore_checkpoint",
]

_NAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$")
#: the checkpoint's own ``meta`` row recording when (tenant time) it was made
_CREATED_KEY = "checkpoint.created"
_SUFFIX = ".db"


class CheckpointError(AzShellError, ValueError):
    """No such checkpoint, a bad name, or a checkpoint that cannot be written or read."""


@dataclass(frozen=True)
class Checkpoint:
    """One checkpoint: its name, when it was made (tenant time, epoch seconds), its size in bytes, where."""

    name: str
    created: float
    size: int
    path: str | None


def _check_name(name: str) -> str:
    if not _NAME_RE.match(name):
        raise CheckpointError(f"'{name}' is not a valid checkpoint name: use letters, digits, '.', '_' and '-' "
                              "(up to 100, starting with a letter or digit).")
    return name


def checkpoint_dir(world: World) -> str | None:
    """The folder of the state file's checkpoints (None for a ``:memory:`` state)."""
    path = world.store.path
    if path == ":memory:":
        return None
    return os.path.abspath(path) + ".checkpoints"


def _memory(world: World) -> dict[str, tuple[sqlite3.Connection, float, str]]:
    """The in-memory checkpoints of a ``:memory:`` state (kept on its store): connection, created, name."""
    held: dict[str, tuple[sqlite3.Connection, float, str]] = world.store.memory_checkpoints
    return held


def create_checkpoint(world: World, name: str) -> Checkpoint:
    """Checkpoint the whole state as ``name`` (replacing a checkpoint of that name)."""
    _check_name(name)
    now = world.clock.now()
    folder = checkpoint_dir(world)
    if folder is None:
        target = sqlite3.connect(":memory:", check_same_thread=False)
        world.store.backup_into(target)
        _stamp(target, now)
        old = _memory(world).pop(name.casefold(), None)
        if old is not None:
            old[0].close()
        _memory(world)[name.casefold()] = (target, now, name)
        size = int(target.execute("PRAGMA page_count").fetchone()[0]) * int(
            target.execute("PRAGMA page_size").fetchone()[0])
        return Checkpoint(name, now, size, None)
    try:
        os.makedirs(folder, mode=0o700, exist_ok=True)
    except OSError as exc:
        raise CheckpointError(f"Cannot create the checkpoint folder {folder}: {exc.strerror}.") from None
    final = os.path.join(folder, name + _SUFFIX)
    tmp = os.path.join(folder, f".{name}.{os.getpid()}.tmp")
    try:
        os.close(os.open(tmp, os.O_CREAT | os.O_TRUNC | os.O_WRONLY, 0o600))
        target = sqlite3.connect(tmp)
        try:
            world.store.backup_into(target)
            target.execute("PRAGMA journal_mode = DELETE")
            _stamp(target, now)
        finally:
            target.close()
        os.chmod(tmp, 0o600)
        os.replace(tmp, final)
    except (OSError, sqlite3.Error) as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise CheckpointError(f"Cannot write the checkpoint {name}: {exc}.") from None
    return Checkpoint(name, now, os.path.getsize(final), final)


def _stamp(db: sqlite3.Connection, now: float) -> None:
    with db:
        db.execute("INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = "
                   "excluded.value", (_CREATED_KEY, repr(now)))


def _created(db: sqlite3.Connection) -> float:
    row = db.execute("SELECT value FROM meta WHERE key = ?", (_CREATED_KEY,)).fetchone()
    try:
        return float(row[0]) if row else 0.0
    except ValueError:
        return 0.0


def _file_of(world: World, name: str) -> str | None:
    folder = checkpoint_dir(world)
    if folder is None or not os.path.isdir(folder):
        return None
    want = (name + _SUFFIX).casefold()
    for entry in os.listdir(folder):
        if entry.casefold() == want:
            return os.path.join(folder, entry)
    return None


def list_checkpoints(world: World) -> list[Checkpoint]:
    """Every checkpoint of this state, oldest first."""
    out: list[Checkpoint] = []
    folder = checkpoint_dir(world)
    if folder is None:
        for db, created, name in _memory(world).values():
            size = int(db.execute("PRAGMA page_count").fetchone()[0]) * int(db.execute("PRAGMA page_size").fetchone()[0])
            out.append(Checkpoint(name, created, size, None))
    elif os.path.isdir(folder):
        for entry in os.listdir(folder):
            if not entry.endswith(_SUFFIX) or entry.startswith("."):
                continue
            path = os.path.join(folder, entry)
            try:
                db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
                try:
                    created = _created(db)
                finally:
                    db.close()
            except sqlite3.Error:
                created = 0.0
            out.append(Checkpoint(entry[: -len(_SUFFIX)], created, os.path.getsize(path), path))
    return sorted(out, key=lambda c: (c.created, c.name))


def _snapshot_of(db: sqlite3.Connection) -> StateSnapshot:
    rows = db.execute("SELECT key, value FROM meta WHERE key = 'schema_version' OR key LIKE 'schema_version.%'")
    versions = {("core" if k == "schema_version" else k.split(".", 1)[1]): int(v) for k, v in rows}
    tables: dict[str, tuple[list[str], list[tuple[object, ...]]]] = {}
    names = [str(r[0]) for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' AND name NOT LIKE 'sqlite_%'")]
    for name in names:
        cols = [str(r[1]) for r in db.execute(f'PRAGMA table_info("{name}")')]
        tables[name] = (cols, [tuple(r) for r in db.execute(f'SELECT * FROM "{name}"')])
    return StateSnapshot(versions, tables)


def restore_checkpoint(world: World, name: str) -> Checkpoint:
    """Put the whole state back as checkpoint ``name`` was (one transaction)."""
    _check_name(name)
    folder = checkpoint_dir(world)
    try:
        if folder is None:
            held = _memory(world).get(name.casefold())
            if held is None:
                raise CheckpointError(_missing(world, name))
            db, created, real_name = held
            snapshot = _snapshot_of(db)
            found = Checkpoint(real_name, created, 0, None)
        else:
            path = _file_of(world, name)
            if path is None:
                raise CheckpointError(_missing(world, name))
            src = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
            try:
                snapshot = _snapshot_of(src)
                created = _created(src)
            finally:
                src.close()
            found = Checkpoint(os.path.basename(path)[: -len(_SUFFIX)], created, os.path.getsize(path), path)
    except sqlite3.Error as exc:
        raise CheckpointError(f"The checkpoint {name} cannot be read: {exc}.") from None
    try:
        load_snapshot(world, snapshot, source=f"The checkpoint {found.name}", keep=())
    except StateImportError as exc:
        raise CheckpointError(str(exc)) from None
    return found


def _missing(world: World, name: str) -> str:
    names = [c.name for c in list_checkpoints(world)]
    have = f" Checkpoints: {', '.join(names)}." if names else " There are no checkpoints (Checkpoint-AzShellState " \
                                                              "-Name <name> makes one)."
    return f"There is no checkpoint named '{name}'.{have}"


def remove_checkpoint(world: World, name: str) -> Checkpoint:
    """Delete checkpoint ``name``; returns it."""
    _check_name(name)
    if checkpoint_dir(world) is None:
        held = _memory(world).pop(name.casefold(), None)
        if held is None:
            raise CheckpointError(_missing(world, name))
        held[0].close()
        return Checkpoint(held[2], held[1], 0, None)
    path = _file_of(world, name)
    if path is None:
        raise CheckpointError(_missing(world, name))
    found = next((c for c in list_checkpoints(world) if c.path == path), None)
    try:
        os.unlink(path)
    except OSError as exc:
        raise CheckpointError(f"Cannot remove the checkpoint {name}: {exc.strerror}.") from None
    return found or Checkpoint(name, 0.0, 0, path)
