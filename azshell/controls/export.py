"""Export and import the whole tenant as versioned JSON (``Export-/Import-AzShellState``, ``azshell state``).

The format is documented in ``docs/state-format.md``. In short::

    {"format": "azshell-state", "formatVersion": 1, "warning": "...", "azshell": "0.1.0",
     "schema": {"core": 5, "keyvault": 1, ...},        # the store's migration versions
     "tables": {"<table>": {"columns": [...], "rows": [[...], ...]}, ...}}

Every data table is there (signing keys and Key Vault secrets included) except the events log, a diary of this
machine rather than part of the tenant. Rows are ordered by all their columns and the JSON is written with sorted
keys, so equal states export to byte-identical files. BLOB values are ``{"$base64": "..."}``.

Loading (:func:`load_snapshot`) accepts an export (or checkpoint) made by an older azshell: its tables are
rebuilt in a scratch in-memory database at the export's schema versions and brought to this azshell's with the
store's own migrations, then copied into the state in one transaction. A newer export, another format or a
service this azshell does not have is refused with a message saying exactly why.
"""

from __future__ import annotations

import base64
import json
import os
import sqlite3
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from azshell.errors import AzShellError
from azshell.model.store import MIGRATIONS, Store

if TYPE_CHECKING:
    from azshell.world import World

__all__ = [
    "EXCLUDED_TABLES",
    "FORMAT",
    "FORMAT_VERSION",
    "StateImportError",
    "StateSnapshot",
    "export_json",
    "load_snapshot",
    "parse_export",
    "read_snapshot",
    "write_export",
]

FORMAT = "azshell-state"
FORMAT_VERSION = 1
#: tables an export leaves out: the events log (this machine's diary, not the tenant)
EXCLUDED_TABLES = ("events",)
WARNING = ("This file is an azshell TEST tenant. It holds the tenant's private signing keys, Key Vault secrets "
           "and storage keys in clear text: anyone with it can mint tokens this tenant accepts. Keep it private "
           "and never use it for anything real.")

Tables = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


class StateImportError(AzShellError, ValueError):
    """An export that cannot be loaded (not an export, newer, unknown service, damaged)."""


@dataclass
class StateSnapshot:
    """A whole state: its schema versions and every table's columns and rows."""

    versions: dict[str, int]
    tables: Tables


def read_snapshot(store: Store, *, skip: Sequence[str] = EXCLUDED_TABLES) -> StateSnapshot:
    """The state of ``store`` (one consistent read)."""
    return StateSnapshot(store.versions(), store.read_tables(skip))


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return {"$base64": base64.b64encode(bytes(value)).decode("ascii")}
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        raw = value.get("$base64")
        if not isinstance(raw, str) or len(value) != 1:
            raise StateImportError("A value in the export is an object that is not {\"$base64\": ...}.")
        try:
            return base64.b64decode(raw, validate=True)
        except ValueError:
            raise StateImportError("A {\"$base64\": ...} value in the export is not base64.") from None
    if isinstance(value, (list, bool)):
        raise StateImportError("A value in the export is a list or a boolean; cells are text, numbers, null "
                               "or {\"$base64\": ...}.")
    return value


def export_json(snapshot: StateSnapshot) -> str:
    """The export document for ``snapshot`` (deterministic: equal states give equal text)."""
    from azshell import __version__

    doc = {
        "format": FORMAT,
        "formatVersion": FORMAT_VERSION,
        "warning": WARNING,
        "azshell": __version__,
        "schema": snapshot.versions,
        "tables": {name: {"columns": cols, "rows": [[_encode(v) for v in row] for row in rows]}
                   for name, (cols, rows) in sorted(snapshot.tables.items())},
    }
    return json.dumps(doc, indent=1, sort_keys=True, ensure_ascii=False) + "\n"


def write_export(world: World, path: str) -> StateSnapshot:
    """Write the tenant of ``world`` to ``path`` (created 0600, replaced atomically)."""
    snapshot = read_snapshot(world.store)
    text = export_json(snapshot)
    target = os.path.abspath(os.path.expanduser(path))
    tmp = f"{target}.{os.getpid()}.tmp"
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
    except OSError as exc:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise StateImportError(f"Cannot write {path}: {exc.strerror or exc}.") from None
    return snapshot


def parse_export(text: str, *, source: str = "the file") -> StateSnapshot:
    """Read an export document; raises :class:`StateImportError` with the reason when it is not one."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise StateImportError(f"{source} is not JSON ({exc}); it is not an azshell state export.") from None
    if not isinstance(doc, dict) or doc.get("format") != FORMAT:
        raise StateImportError(f"{source} is not an azshell state export (no \"format\": \"{FORMAT}\").")
    fv = doc.get("formatVersion")
    if not isinstance(fv, int) or fv < 1:
        raise StateImportError(f"{source} has no valid formatVersion.")
    if fv > FORMAT_VERSION:
        raise StateImportError(f"{source} uses export format version {fv}, written by a newer azshell "
                               f"({doc.get('azshell', 'unknown version')}); this azshell reads up to version "
                               f"{FORMAT_VERSION}. Upgrade azshell to import it.")
    schema, tables = doc.get("schema"), doc.get("tables")
    if not isinstance(schema, dict) or not all(isinstance(v, int) for v in schema.values()):
        raise StateImportError(f"{source} has no valid \"schema\" versions.")
    if not isinstance(tables, dict):
        raise StateImportError(f"{source} has no \"tables\".")
    out: Tables = {}
    for name, t in tables.items():
        if not isinstance(t, dict) or not isinstance(t.get("columns"), list) or not isinstance(t.get("rows"), list):
            raise StateImportError(f"Table {name} in {source} needs \"columns\" and \"rows\" lists.")
        cols = [str(c) for c in t["columns"]]
        rows: list[tuple[Any, ...]] = []
        for row in t["rows"]:
            if not isinstance(row, list) or len(row) != len(cols):
                raise StateImportError(f"A row of table {name} in {source} does not have {len(cols)} values.")
            rows.append(tuple(_decode(v) for v in row))
        out[str(name)] = (cols, rows)
    return StateSnapshot({str(k): int(v) for k, v in schema.items()}, out)


def _migrated(store: Store, snapshot: StateSnapshot, source: str) -> Tables:
    """``snapshot``'s tables at this azshell's schema versions (migrating an older snapshot in memory)."""
    services = store.service_migrations()
    mine = store.versions()
    theirs = dict(snapshot.versions)
    core = theirs.pop("core", 0)
    unknown = sorted(set(theirs) - set(services))
    if unknown:
        raise StateImportError(f"{source} has data of services this azshell does not have: {', '.join(unknown)}.")
    if core > len(MIGRATIONS):
        raise StateImportError(f"{source} was written by a newer azshell (core schema version {core}; this azshell "
                               f"knows up to {len(MIGRATIONS)}). Upgrade azshell to import it.")
    for name, v in theirs.items():
        if v > len(services[name]):
            raise StateImportError(f"{source} was written by a newer azshell (the {name} service's schema version "
                                   f"{v}; this azshell knows up to {len(services[name])}). Upgrade azshell to "
                                   "import it.")
    if core < 1:
        raise StateImportError(f"{source} has no core schema version; it is not a complete azshell state.")
    if {"core": core, **theirs} == mine:
        return snapshot.tables
    # Older: rebuild it at its own versions in a scratch database, then let the store migrate it.
    db = sqlite3.connect(":memory:", isolation_level=None, check_same_thread=False)
    try:
        db.execute("BEGIN")
        db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        for v in range(core):
            MIGRATIONS[v](db)
        db.execute("INSERT INTO meta VALUES('schema_version', ?)", (str(core),))
        db.execute("INSERT INTO meta VALUES('layout', 'services')")
        db.execute("INSERT INTO meta VALUES('generation', '0')")
        for name, v in theirs.items():
            for m in services[name][:v]:
                m(db)
            db.execute("INSERT INTO meta VALUES(?, ?)", (f"schema_version.{name}", str(v)))
        db.execute("COMMIT")
        scratch = Store(db, ":memory:", services=services)
        scratch.replace_tables(snapshot.tables)
        scratch._migrate()  # noqa: SLF001 - the store's own migration runner, on a scratch copy
        return scratch.read_tables(EXCLUDED_TABLES if "events" not in snapshot.tables else ())
    except StateImportError:
        raise
    except (AzShellError, sqlite3.Error) as exc:
        raise StateImportError(f"{source} could not be brought to this azshell's schema: {exc}") from None
    finally:
        db.close()


def load_snapshot(world: World, snapshot: StateSnapshot, *, source: str = "the export",
                  keep: Sequence[str] = EXCLUDED_TABLES) -> None:
    """Replace the whole state of ``world`` with ``snapshot`` (one transaction; see the module doc). Tables in
    ``keep`` (default: the events log) are left as they are when the snapshot does not have them."""
    tables = _migrated(world.store, snapshot, source)
    kept = [k for k in keep if k not in tables]
    try:
        world.store.replace_tables(tables, keep=kept)
    except AzShellError as exc:
        raise StateImportError(f"{source} could not be loaded: {exc}") from None
    world.forget_loaded_state()


def read_export_file(path: str) -> StateSnapshot:
    """Read and parse the export at ``path``."""
    try:
        with open(os.path.expanduser(path), encoding="utf-8") as f:
            text = f.read()
    except OSError as exc:
        raise StateImportError(f"Cannot read {path}: {exc.strerror or exc}.") from None
    except UnicodeDecodeError:
        raise StateImportError(f"{path} is not UTF-8 text; it is not an azshell state export.") from None
    return parse_export(text, source=path)


def tables_summary(tables: Mapping[str, tuple[list[str], list[tuple[Any, ...]]]]) -> dict[str, int]:
    """Row counts by table (for messages)."""
    return {name: len(rows) for name, (_c, rows) in tables.items()}
