"""The tenant's state in one SQLite file: typed CRUD over ``azshell.model.types`` records.

Design:

* **Several processes, one file.** WAL journal, ``busy_timeout``; every write is one ``BEGIN IMMEDIATE``
  transaction (``Store.transaction()`` groups several writes into one). Reads are never cached: each call
  queries the file, so what another process committed is visible on the next call.
* **``generation()``** reads a counter that every write transaction bumps, so callers can cache derived
  indexes (the RBAC index) and rebuild them only when any process has written.
* **Versioned schema.** ``meta.schema_version`` counts the core migrations applied (``MIGRATIONS``), and
  ``meta.schema_version.<service>`` each service's own (``Store.open(..., services=registry.migrations())``:
  a service's tables are its own). Opening an older file migrates it; a newer file is refused with
  ``StateFileError``. A file that is not SQLite (or is corrupt) gives ``StateFileError`` with a plain message,
  never a raw ``sqlite3`` exception.
* **Private.** The file (and its WAL/SHM) is created 0600 and an existing one is tightened to owner-only: it
  holds the tenant's signing keys and secrets.
* **Case.** IDs, names and scopes keep the case they were written with and are compared case-insensitively
  (``COLLATE NOCASE`` columns), as ARM does.

Errors (from ``azshell.model.errors``)::

    AzShellError
     +-- ModelError
          +-- StateFileError     bad/corrupt/newer state file, database locked too long
          +-- NotFoundError      (+ IdentityNotFoundError)
          +-- ConflictError      e.g. RoleAssignmentExists
          +-- ValidationError
          +-- PrincipalNotFoundError

Example::

    store = Store.open(":memory:")
    store.set_setting("theme", "dark")
    assert store.get_setting("theme") == "dark"
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, Generic, TypeVar

from azshell.clock import Clock, SystemClock
from azshell.ids import IdSource, normalize_scope, parse_resource_id, resource_group_id
from azshell.model.errors import (
    ConflictError,
    ModelError,
    NotFoundError,
    StateFileError,
    ValidationError,
)
from azshell.model.types import (
    DirectoryObject,
    Event,
    Identity,
    Permission,
    Resource,
    ResourceGroup,
    RoleAssignment,
    RoleDefinition,
    SigningKeyRecord,
    Subscription,
    Tenant,
)

__all__ = [
    "BUSY_TIMEOUT_MS",
    "EVENTS_KEEP",
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ConflictError",
    "ModelError",
    "NotFoundError",
    "StateFileError",
    "Store",
    "ValidationError",
]

#: how long a writer waits for another process's write lock before giving up (milliseconds)
BUSY_TIMEOUT_MS = 15_000
#: the events log keeps (about) this many newest entries
EVENTS_KEEP = 10_000
_EVENTS_TRIM_EVERY = 500

ROLE_ASSIGNMENT_EXISTS = "RoleAssignmentExists"
ROLE_ASSIGNMENT_UPDATE_NOT_PERMITTED = "RoleAssignmentUpdateNotPermitted"
RESOURCE_NOT_FOUND = "ResourceNotFound"
RESOURCE_GROUP_NOT_FOUND = "ResourceGroupNotFound"
SUBSCRIPTION_NOT_FOUND = "SubscriptionNotFound"
ROLE_DEFINITION_NOT_FOUND = "RoleDefinitionDoesNotExist"
ROLE_ASSIGNMENT_NOT_FOUND = "RoleAssignmentNotFound"


# --------------------------------------------------------------------------------------------------- migrations
def _run_script(db: sqlite3.Connection, script: str) -> None:
    """Run DDL statements one by one inside the caller's transaction (``executescript`` would commit)."""
    for statement in script.split(";"):
        if statement.strip():
            db.execute(statement)


def _migrate_1_core(db: sqlite3.Connection) -> None:
    """v1: tenant, directory, subscriptions, resource groups, resources, roles."""
    _run_script(
        db,
        """
        CREATE TABLE tenant (
            tenant_id TEXT PRIMARY KEY COLLATE NOCASE,
            display_name TEXT NOT NULL,
            default_domain TEXT NOT NULL
        );
        CREATE TABLE directory_objects (
            object_id TEXT PRIMARY KEY COLLATE NOCASE,
            tenant_id TEXT NOT NULL,
            object_type TEXT NOT NULL,
            display_name TEXT NOT NULL COLLATE NOCASE,
            app_id TEXT COLLATE NOCASE,
            user_principal_name TEXT COLLATE NOCASE,
            service_principal_type TEXT,
            alternative_names TEXT NOT NULL DEFAULT '[]',
            resource_id TEXT COLLATE NOCASE
        );
        CREATE INDEX ix_dir_app ON directory_objects(app_id);
        CREATE INDEX ix_dir_upn ON directory_objects(user_principal_name);
        CREATE INDEX ix_dir_res ON directory_objects(resource_id);
        CREATE INDEX ix_dir_name ON directory_objects(display_name);
        CREATE TABLE group_members (
            group_id TEXT NOT NULL COLLATE NOCASE,
            member_id TEXT NOT NULL COLLATE NOCASE,
            PRIMARY KEY (group_id, member_id)
        );
        CREATE INDEX ix_members_member ON group_members(member_id);
        CREATE TABLE subscriptions (
            subscription_id TEXT PRIMARY KEY COLLATE NOCASE,
            tenant_id TEXT NOT NULL,
            display_name TEXT NOT NULL,
            state TEXT NOT NULL
        );
        CREATE TABLE resource_groups (
            id TEXT PRIMARY KEY COLLATE NOCASE,
            subscription_id TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL COLLATE NOCASE,
            location TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '{}',
            provisioning_state TEXT NOT NULL,
            UNIQUE (subscription_id, name)
        );
        CREATE TABLE resources (
            id TEXT PRIMARY KEY COLLATE NOCASE,
            subscription_id TEXT NOT NULL COLLATE NOCASE,
            resource_group TEXT NOT NULL COLLATE NOCASE,
            type TEXT NOT NULL COLLATE NOCASE,
            name TEXT NOT NULL,
            location TEXT NOT NULL,
            tags TEXT NOT NULL DEFAULT '{}',
            properties TEXT NOT NULL DEFAULT '{}',
            identity TEXT,
            extra TEXT NOT NULL DEFAULT '{}',
            parent_id TEXT COLLATE NOCASE
        );
        CREATE INDEX ix_res_rg ON resources(subscription_id, resource_group);
        CREATE INDEX ix_res_type ON resources(type);
        CREATE INDEX ix_res_parent ON resources(parent_id);
        CREATE TABLE role_definitions (
            id TEXT PRIMARY KEY COLLATE NOCASE,
            role_name TEXT NOT NULL COLLATE NOCASE,
            description TEXT NOT NULL,
            role_type TEXT NOT NULL,
            permissions TEXT NOT NULL,
            assignable_scopes TEXT NOT NULL
        );
        CREATE INDEX ix_roledef_name ON role_definitions(role_name);
        CREATE TABLE role_assignments (
            name TEXT PRIMARY KEY COLLATE NOCASE,
            scope TEXT NOT NULL COLLATE NOCASE,
            role_definition_id TEXT NOT NULL COLLATE NOCASE,
            principal_id TEXT NOT NULL COLLATE NOCASE,
            principal_type TEXT NOT NULL,
            created_on REAL NOT NULL,
            created_by TEXT,
            description TEXT,
            condition TEXT
        );
        CREATE INDEX ix_ra_principal ON role_assignments(principal_id);
        CREATE INDEX ix_ra_scope ON role_assignments(scope);
        """,
    )


def _migrate_2_service_tables(db: sqlite3.Connection) -> None:
    """v2: token-service signing keys, the events log, settings."""
    _run_script(
        db,
        """
        CREATE TABLE signing_keys (
            kid TEXT PRIMARY KEY,
            tenant_id TEXT NOT NULL COLLATE NOCASE,
            private_pem BLOB NOT NULL,
            created REAL NOT NULL,
            active INTEGER NOT NULL
        );
        CREATE TABLE events (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            time REAL NOT NULL,
            kind TEXT NOT NULL,
            data TEXT NOT NULL
        );
        CREATE INDEX ix_events_kind ON events(kind, seq);
        CREATE TABLE settings (
            key TEXT PRIMARY KEY,
            value TEXT NOT NULL
        );
        """,
    )


def _migrate_5_hosts(db: sqlite3.Connection) -> None:
    """v5: emulated hosts' disks and App Service identity headers."""
    for statement in (
        """CREATE TABLE host_identity_headers (
            host_id TEXT PRIMARY KEY COLLATE NOCASE,
            header TEXT NOT NULL,
            identity_fp TEXT NOT NULL,
            created REAL NOT NULL
        )""",
        """CREATE TABLE host_files (
            host_id TEXT NOT NULL COLLATE NOCASE,
            path TEXT NOT NULL COLLATE NOCASE,
            content BLOB NOT NULL,
            mtime REAL NOT NULL,
            PRIMARY KEY (host_id, path)
        )""",
    ):
        db.execute(statement)


def _moved(db: sqlite3.Connection) -> None:
    """A version whose tables now belong to a service's own migrations (nothing to do here)."""


Migration = Callable[[sqlite3.Connection], None]

#: The core's ordered migrations; ``MIGRATIONS[i]`` takes a file from version ``i`` to ``i + 1``. Append, never
#: edit. Versions 3 and 4 created Key Vault's and Data Lake's tables before each service kept its own list.
MIGRATIONS: tuple[Migration, ...] = (
    _migrate_1_core,
    _migrate_2_service_tables,
    _moved,  # v3: Key Vault secrets -> the keyvault service's migration 1
    _moved,  # v4: Data Lake Store Gen1 -> the datalake service's migration 1
    _migrate_5_hosts,
)
SCHEMA_VERSION = len(MIGRATIONS)
#: Files written before services kept their own migrations: the core version that created a service's tables.
_LEGACY_SERVICE_VERSIONS = {"keyvault": 3, "datalake": 4}
#: ``meta`` key marking a file whose services record their own versions.
_LAYOUT_KEY = "layout"
#: decoded role definitions a store keeps (a few hundred built-ins plus custom roles)
_ROLE_MEMO_MAX = 4096
_LAYOUT_SERVICES = "services"


# ------------------------------------------------------------------------------------------------------ helpers
def _dumps(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True)


def _identity_to_json(identity: Identity | None) -> str | None:
    if identity is None:
        return None
    return _dumps(
        {
            "type": identity.type,
            "principalId": identity.principal_id,
            "tenantId": identity.tenant_id,
            "userAssignedIdentities": {k: list(v) for k, v in identity.user_assigned.items()},
        }
    )


def _identity_from_json(text: str | None) -> Identity | None:
    if text is None:
        return None
    d = json.loads(text)
    ua = {k: (str(v[0]), str(v[1])) for k, v in d.get("userAssignedIdentities", {}).items()}
    return Identity(
        type=d["type"], principal_id=d.get("principalId"), tenant_id=d.get("tenantId"), user_assigned=ua
    )


def _permissions_to_json(perms: Sequence[Permission]) -> str:
    return _dumps(
        [
            {
                "actions": list(p.actions),
                "notActions": list(p.not_actions),
                "dataActions": list(p.data_actions),
                "notDataActions": list(p.not_data_actions),
            }
            for p in perms
        ]
    )


def _permissions_from_json(text: str) -> tuple[Permission, ...]:
    return tuple(
        Permission(
            actions=tuple(p.get("actions", ())),
            not_actions=tuple(p.get("notActions", ())),
            data_actions=tuple(p.get("dataActions", ())),
            not_data_actions=tuple(p.get("notDataActions", ())),
        )
        for p in json.loads(text)
    )


_R = TypeVar("_R")


def _json_tuple(text: str) -> tuple[Any, ...]:
    return tuple(json.loads(text))


class _Table(Generic[_R]):
    """How one record type is stored: its table, its columns (named as the record's fields, in their order), and
    how a stored column value is decoded back into its field (columns not in ``decode`` are stored as they are)."""

    __slots__ = ("name", "cols", "_record", "_decode")

    def __init__(self, record: Callable[..., _R], name: str, cols: str,
                 decode: Mapping[str, Callable[[Any], Any]] | None = None) -> None:
        names = [c.strip() for c in cols.split(",")]
        if list(getattr(record, "__dataclass_fields__", ())) != names:
            raise TypeError(f"the columns of {name} are not the fields of its record, in order")
        decode = decode or {}
        self.name = name
        self.cols = cols
        self._record = record
        self._decode = tuple((i, decode[c]) for i, c in enumerate(names) if c in decode)

    def select(self, rest: str) -> str:
        """``SELECT <columns> FROM <table><rest>``."""
        return f"SELECT {self.cols} FROM {self.name}{rest}"

    def record(self, r: sqlite3.Row) -> _R:
        """The record a row of :meth:`select` holds."""
        values = list(r)
        for i, fn in self._decode:
            values[i] = fn(values[i])
        return self._record(*values)


_DIR = _Table(
    DirectoryObject,
    "directory_objects",
    "object_id, tenant_id, object_type, display_name, app_id, user_principal_name, service_principal_type, "
    "alternative_names, resource_id",
    {"alternative_names": _json_tuple},
)
_RES = _Table(
    Resource,
    "resources",
    "id, subscription_id, resource_group, type, name, location, tags, properties, identity, extra",
    {"tags": json.loads, "properties": json.loads, "identity": _identity_from_json, "extra": json.loads},
)
_RG = _Table(
    ResourceGroup,
    "resource_groups",
    "id, subscription_id, name, location, tags, provisioning_state",
    {"tags": json.loads},
)
_RD = _Table(
    RoleDefinition,
    "role_definitions",
    "id, role_name, description, role_type, permissions, assignable_scopes",
    {"permissions": _permissions_from_json, "assignable_scopes": _json_tuple},
)
_SUB = _Table(Subscription, "subscriptions", "subscription_id, tenant_id, display_name, state")
_RA = _Table(
    RoleAssignment,
    "role_assignments",
    "name, scope, role_definition_id, principal_id, principal_type, created_on, created_by, description, condition",
)


# -------------------------------------------------------------------------------------------------------- Store
def _make_private(path: str) -> None:
    """Create the state file readable and writable by its owner only (0600: it holds the tenant's signing keys
    and Key Vault secrets), and take group/other access away from an existing one the user owns, with its
    ``-wal``/``-shm`` files (SQLite creates those with the database file's permissions)."""
    try:
        os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o600))
    except FileExistsError:
        pass
    getuid = getattr(os, "getuid", None)
    for name in (path, path + "-wal", path + "-shm"):
        try:
            st = os.stat(name)
        except FileNotFoundError:
            continue
        if st.st_mode & 0o077 and getuid is not None and st.st_uid == getuid() and os.path.isfile(name):
            os.chmod(name, st.st_mode & 0o700)


class _GenerationPin(threading.local):
    """One thread's pinned generation (see :meth:`Store.one_generation`)."""

    active: bool = False
    value: int | None = None


class Store:
    """Typed CRUD over one SQLite state file. Thread-safe (one connection guarded by a lock).

    Arguments:
        conn: an open ``sqlite3.Connection`` in autocommit mode (use ``Store.open``).
        clock: the time source for event timestamps.
    """

    def __init__(self, conn: sqlite3.Connection, path: str, clock: Clock | None = None,
                 services: Mapping[str, Sequence[Migration]] | None = None) -> None:
        self._db = conn
        self._services: dict[str, tuple[Migration, ...]] = {k: tuple(v) for k, v in (services or {}).items()}
        self._role_memo: dict[tuple[Any, ...], RoleDefinition] = {}
        self.path = path
        self._clock: Clock = clock or SystemClock()
        self._lock = threading.RLock()
        self._depth = 0
        #: (data_version, generation) read outside any transaction (see generation())
        self._generation_memo: tuple[int, int] | None = None
        #: per thread: inside one_generation() (``active``), the generation read first (``value``)
        self._pin = _GenerationPin()
        self._events_since_trim = 0
        self._closed = False
        #: where ids, secrets and keys made for this state come from (``build_world`` seeds it for ``--seed``)
        self.ids = IdSource()
        #: a ``:memory:`` state's checkpoints (``azshell.controls.checkpoints``), by folded name
        self.memory_checkpoints: dict[str, Any] = {}

    # ---------------------------------------------------------------------------------------------- lifecycle
    @classmethod
    def open(cls, path: str, *, clock: Clock | None = None,
             services: Mapping[str, Sequence[Migration]] | None = None) -> Store:
        """Open (creating or migrating) the state file at ``path``; ``":memory:"`` gives a throwaway store.

        ``services`` maps a service name to its ordered migrations (``Registry.migrations()``)."""
        if path != ":memory:":
            parent = os.path.dirname(os.path.abspath(path))
            try:
                os.makedirs(parent, mode=0o700, exist_ok=True)
                _make_private(path)
            except OSError as exc:
                raise StateFileError(
                    f"Cannot create the state file {path}: {exc.strerror}."
                ) from None
        try:
            conn = sqlite3.connect(
                path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
            )
        except sqlite3.Error as exc:
            raise StateFileError(f"Cannot open the state file {path}: {exc}.") from None
        store = cls(conn, path, clock, services)
        try:
            store._setup()
        except StateFileError:
            conn.close()
            raise
        except sqlite3.DatabaseError as exc:
            conn.close()
            raise StateFileError(
                f"The state file {path} is not a usable azshell state file (it is not a SQLite database or it is "
                f"damaged: {exc}). Move it aside or choose another file with --state."
            ) from None
        return store

    def _setup(self) -> None:
        db = self._db
        db.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        db.execute("PRAGMA foreign_keys = OFF")
        # Reading the header first makes a non-SQLite file fail here, with a clear message.
        db.execute("SELECT count(*) FROM sqlite_master").fetchone()
        if self.path != ":memory:":
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StateFileError(
                    f"The state file {self.path} cannot use write-ahead logging (mode {mode})."
                )
        db.execute("PRAGMA synchronous = FULL")
        self._migrate()

    def _migrate(self, upto: int | None = None) -> None:
        target = SCHEMA_VERSION if upto is None else upto
        db = self._db
        db.execute("BEGIN IMMEDIATE")
        try:
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else 0
            if (
                version == 0
                and db.execute(
                    "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name != 'meta'"
                ).fetchone()[0]
            ):
                raise StateFileError(
                    f"The file {self.path} is a SQLite database but not an azshell state file."
                )
            if version > SCHEMA_VERSION:
                raise StateFileError(
                    f"The state file {self.path} was written by a newer azshell (schema version {version}; this "
                    f"azshell knows up to {SCHEMA_VERSION}). Upgrade azshell or use another --state file."
                )
            legacy = version > 0 and self._meta(_LAYOUT_KEY) is None
            for v in range(version, target):
                MIGRATIONS[v](db)
            if target > version:
                self._set_meta("schema_version", str(target))
            for name, migrations in self._services.items():
                self._migrate_service(name, migrations, legacy_core_version=version if legacy else None)
            if upto is None:
                self._set_meta(_LAYOUT_KEY, _LAYOUT_SERVICES)
            db.execute("INSERT OR IGNORE INTO meta(key, value) VALUES('generation', '0')")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _meta(self, key: str) -> str | None:
        row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return None if row is None else str(row[0])

    def _set_meta(self, key: str, value: str) -> None:
        self._db.execute(
            "INSERT INTO meta(key, value) VALUES(?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

    def _migrate_service(self, name: str, migrations: Sequence[Migration], *,
                         legacy_core_version: int | None) -> None:
        """Bring one service's tables to its newest version (inside ``_migrate``'s transaction)."""
        key = f"schema_version.{name}"
        stored = self._meta(key)
        if stored is None and legacy_core_version is not None:
            created_at = _LEGACY_SERVICE_VERSIONS.get(name)
            stored = "1" if created_at is not None and legacy_core_version >= created_at else None
        version = int(stored) if stored else 0
        if version > len(migrations):
            raise StateFileError(
                f"The state file {self.path} was written by a newer azshell (the {name} service's schema version "
                f"{version}; this azshell knows up to {len(migrations)}). Upgrade azshell or use another --state file."
            )
        for v in range(version, len(migrations)):
            migrations[v](self._db)
        if stored is None or version < len(migrations):
            self._set_meta(key, str(len(migrations)))

    def service_migrations(self) -> dict[str, tuple[Migration, ...]]:
        """The services' migrations this store was opened with, by service name."""
        return dict(self._services)

    def service_schema_version(self, name: str) -> int:
        """The version of one service's own tables in this file (0: none)."""
        value = self._meta(f"schema_version.{name}")
        return int(value) if value else 0

    def close(self) -> None:
        """Close the connection (idempotent)."""
        with self._lock:
            if not self._closed:
                self._closed = True
                self._db.close()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def schema_version(self) -> int:
        """The schema version recorded in the file."""
        row = self._one("SELECT value FROM meta WHERE key = 'schema_version'")
        return int(row[0]) if row else 0

    def generation(self) -> int:
        """A counter that changes whenever any process commits a write to this file.

        Read on nearly every request (the tenant clock, the RBAC index and other caches key on it), so outside a
        transaction it is remembered with SQLite's ``PRAGMA data_version``, which moves whenever another
        connection commits; this connection's own bumping commits forget it."""
        pin = self._pin
        if pin.active and pin.value is not None and self._depth == 0:
            return int(pin.value)
        with self._lock:
            try:
                if self._depth == 0 and self._generation_memo is not None:
                    version = self._db.execute("PRAGMA data_version").fetchone()[0]
                    if version == self._generation_memo[0]:
                        if pin.active:
                            pin.value = self._generation_memo[1]
                        return self._generation_memo[1]
                row = self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
                gen = int(row[0]) if row else 0
                if self._depth == 0:
                    self._generation_memo = (self._db.execute("PRAGMA data_version").fetchone()[0], gen)
                    if pin.active:
                        pin.value = gen
                return gen
            except sqlite3.Error as exc:
                raise self._state_error(exc) from None

    @contextlib.contextmanager
    def one_generation(self) -> Iterator[None]:
        """Within the block, this thread reads ``generation()`` once and then reuses it until it writes itself: the
        planes answer each request inside one, so the half-dozen caches a request consults (tenant clock, key ring,
        look-ups, fault list) check the file once, not each on its own. Writes by other processes during the block
        are seen by the next request."""
        pin = self._pin
        outer = pin.active
        pin.active = True
        try:
            yield
        finally:
            if not outer:
                pin.active = False
                pin.value = None

    def integrity_check(self) -> str:
        """``PRAGMA integrity_check``'s answer (``"ok"`` when healthy)."""
        row = self._one("PRAGMA integrity_check")
        return str(row[0]) if row else "unknown"

    # ------------------------------------------------------------------------------------------- transactions
    @contextlib.contextmanager
    def transaction(self, *, bump_generation: bool = True) -> Iterator[None]:
        """One write transaction (``BEGIN IMMEDIATE``); nested uses join the outer one.

        Bumps the generation counter (unless ``bump_generation`` is False: appending to the events log changes
        nothing that derived caches such as the RBAC index depend on), commits on success and rolls back on
        any exception.
        """
        with self._lock:
            if self._depth:
                self._depth += 1
                try:
                    yield
                finally:
                    self._depth -= 1
                return
            try:
                self._db.execute("BEGIN IMMEDIATE")
            except sqlite3.Error as exc:
                raise self._state_error(exc) from None
            self._depth = 1
            try:
                yield
                if bump_generation:
                    self._generation_memo = None
                    self._pin.value = None
                    self._db.execute(
                        "UPDATE meta SET value = CAST(value AS INTEGER) + 1 WHERE key = 'generation'"
                    )
                self._db.execute("COMMIT")
            except BaseException as exc:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.Error):
                    raise self._state_error(exc) from None
                raise
            finally:
                self._depth = 0

    @contextlib.contextmanager
    def rolled_back(self) -> Iterator[None]:
        """Run the body as a dry run: every write it makes (joined transactions included) is undone at the end.

        Outside a transaction this is a ``BEGIN IMMEDIATE`` … ``ROLLBACK``; inside one, a savepoint rolled back to.
        Meanwhile ``generation()`` reads a negative number no committed state ever has, so caches derived from
        the uncommitted writes (the RBAC index, look-ups) are never reused once the dry run is over. What code
        makes on first use and then keeps in memory (signing keys) must be made before, not inside, a dry run.
        """
        with self._lock:
            outer = self._depth == 0
            try:
                self._db.execute("BEGIN IMMEDIATE" if outer else "SAVEPOINT azshell_dry_run")
            except sqlite3.Error as exc:
                raise self._state_error(exc) from None
            self._depth += 1
            self._generation_memo = None
            self._pin.value = None
            try:
                self._db.execute("UPDATE meta SET value = ? WHERE key = 'generation'",
                                 (str(-secrets.randbelow(1 << 62) - 1),))
                yield
            finally:
                with contextlib.suppress(sqlite3.Error):
                    if outer:
                        self._db.execute("ROLLBACK")
                    else:
                        self._db.execute("ROLLBACK TO azshell_dry_run")
                        self._db.execute("RELEASE azshell_dry_run")
                self._depth -= 1

    def _state_error(self, exc: sqlite3.Error) -> StateFileError:
        text = str(exc)
        if "locked" in text or "busy" in text:
            return StateFileError(
                f"The state file {self.path} is busy: another azshell process held it for more than "
                f"{BUSY_TIMEOUT_MS // 1000} seconds. Try again."
            )
        return StateFileError(f"The state file {self.path} could not be used: {text}.")

    def _exec(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Cursor:
        """Run one write statement inside the current transaction (or its own)."""
        with self.transaction():
            return self._db.execute(sql, params)

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[sqlite3.Row]:
        with self._lock:
            try:
                return self._db.execute(sql, params).fetchall()
            except sqlite3.Error as exc:
                raise self._state_error(exc) from None

    def _one(self, sql: str, params: Sequence[Any] = ()) -> sqlite3.Row | None:
        with self._lock:
            try:
                row: sqlite3.Row | None = self._db.execute(sql, params).fetchone()
                return row
            except sqlite3.Error as exc:
                raise self._state_error(exc) from None

    def _get(self, table: _Table[_R], where: str, params: Sequence[Any]) -> _R | None:
        """The one record of ``table`` that ``where`` selects, or None."""
        r = self._one(table.select(f" WHERE {where}"), params)
        return table.record(r) if r else None

    def _list(self, table: _Table[_R], rest: str, params: Sequence[Any] = ()) -> list[_R]:
        """The records of ``table`` that ``rest`` (``WHERE``/``ORDER BY`` text) selects."""
        return [table.record(r) for r in self._all(table.select(rest), params)]

    # ------------------------------------------------------------------------------- whole-state snapshots
    def versions(self) -> dict[str, int]:
        """The schema versions of this file: ``{"core": n, "<service>": m, ...}``."""
        rows = self._all("SELECT key, value FROM meta WHERE key = 'schema_version' OR key LIKE 'schema_version.%'")
        out = {("core" if k == "schema_version" else k.split(".", 1)[1]): int(v) for k, v in rows}
        out.setdefault("core", 0)
        return dict(sorted(out.items(), key=lambda kv: (kv[0] != "core", kv[0])))

    def epoch(self) -> int:
        """A counter that moves when the whole state is replaced (a restored checkpoint, an import): in-memory
        services of other processes (the token service's key ring) start over when it moves."""
        row = self._one("SELECT value FROM meta WHERE key = 'epoch'")
        return int(row[0]) if row else 0

    def table_names(self) -> list[str]:
        """The data tables of this file (not ``meta`` nor SQLite's own), by name."""
        return [str(r[0]) for r in self._all(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name != 'meta' AND name NOT LIKE 'sqlite_%' "
            "ORDER BY name")]

    def read_tables(self, skip: Iterable[str] = ()) -> dict[str, tuple[list[str], list[tuple[Any, ...]]]]:
        """Every data table's columns and rows, read in one read transaction (a consistent snapshot even while
        other processes write), rows ordered by all their columns."""
        skipped = set(skip)
        with self._lock:
            try:
                self._db.execute("BEGIN")
                try:
                    out: dict[str, tuple[list[str], list[tuple[Any, ...]]]] = {}
                    for name in self.table_names():
                        if name in skipped:
                            continue
                        cols = [str(r[1]) for r in self._db.execute(f'PRAGMA table_info("{name}")')]
                        order = ", ".join(str(i + 1) for i in range(len(cols)))
                        rows = [tuple(r) for r in self._db.execute(f'SELECT * FROM "{name}" ORDER BY {order}')]
                        out[name] = (cols, rows)
                    return out
                finally:
                    self._db.execute("COMMIT")
            except sqlite3.Error as exc:
                raise self._state_error(exc) from None

    def replace_tables(self, tables: Mapping[str, tuple[Sequence[str], Sequence[Sequence[Any]]]],
                       keep: Iterable[str] = ()) -> None:
        """Replace the contents of every data table (except ``keep``) with ``tables``, in ONE write transaction:
        another process sees the old state or the new, never a mix. Tables missing from ``tables`` end empty;
        a table or column this file does not have raises ``StateFileError``. Moves ``generation()`` and
        ``epoch()``."""
        kept = set(keep)
        mine = {n: [str(r[1]) for r in self._all(f'PRAGMA table_info("{n}")')] for n in self.table_names()}
        unknown = sorted(set(tables) - set(mine))
        if unknown:
            raise StateFileError(f"The state to load has tables this azshell does not know: {', '.join(unknown)}.")
        for name, (cols, _rows) in tables.items():
            extra = sorted(set(cols) - set(mine[name]))
            if extra:
                raise StateFileError(f"The state to load has columns this azshell does not know in table {name}: "
                                     f"{', '.join(extra)}.")
        with self.transaction():
            for name in mine:
                if name in kept:
                    continue
                self._db.execute(f'DELETE FROM "{name}"')
                got = tables.get(name)
                if got is None or not got[1]:
                    continue
                cols, rows = got
                names = ", ".join(f'"{c}"' for c in cols)
                marks = ", ".join("?" for _ in cols)
                self._db.executemany(f'INSERT INTO "{name}" ({names}) VALUES ({marks})', [tuple(r) for r in rows])
            self._db.execute("INSERT INTO meta(key, value) VALUES('epoch', '1') ON CONFLICT(key) DO UPDATE SET "
                             "value = CAST(value AS INTEGER) + 1")
        self._role_memo.clear()

    def backup_into(self, target: sqlite3.Connection) -> None:
        """Copy the whole database into ``target`` with SQLite's online backup (one consistent snapshot)."""
        with self._lock:
            try:
                self._db.backup(target)
            except sqlite3.Error as exc:
                raise self._state_error(exc) from None

    # ------------------------------------------------------------------------------------------------- tenant
    def get_tenant(self) -> Tenant:
        """The tenant of this state file; NotFoundError before seeding."""
        row = self._one("SELECT tenant_id, display_name, default_domain FROM tenant LIMIT 1")
        if row is None:
            raise NotFoundError(
                "The state file has no tenant yet (it has not been seeded).", code="TenantNotFound"
            )
        return Tenant(tenant_id=row[0], display_name=row[1], default_domain=row[2])

    def put_tenant(self, tenant: Tenant) -> None:
        """Create or replace the tenant (one per file)."""
        with self.transaction():
            existing = self._one("SELECT tenant_id FROM tenant")
            if existing is not None and existing[0].lower() != tenant.tenant_id.lower():
                raise ConflictError("This state file already holds another tenant.", existing_id=existing[0])
            self._db.execute(
                "INSERT INTO tenant(tenant_id, display_name, default_domain) VALUES(?,?,?) ON CONFLICT(tenant_id) "
                "DO UPDATE SET display_name = excluded.display_name, default_domain = excluded.default_domain",
                (tenant.tenant_id, tenant.display_name, tenant.default_domain),
            )

    # -------------------------------------------------------------------------------------- directory objects
    def get_directory_object(self, object_id: str) -> DirectoryObject | None:
        """The user, group or service principal with this object ID, or None."""
        return self._get(_DIR, "object_id = ?", (object_id,))

    def find_directory_objects(
        self,
        *,
        display_name: str | None = None,
        object_type: str | None = None,
        app_id: str | None = None,
        user_principal_name: str | None = None,
        resource_id: str | None = None,
    ) -> list[DirectoryObject]:
        """Directory objects matching every given filter (case-insensitive equality), by display name."""
        where: list[str] = []
        params: list[Any] = []
        for col, val in (
            ("display_name", display_name),
            ("object_type", object_type),
            ("app_id", app_id),
            ("user_principal_name", user_principal_name),
            ("resource_id", resource_id),
        ):
            if val is not None:
                where.append(f"{col} = ? COLLATE NOCASE")
                params.append(val)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return self._list(_DIR, f"{clause} ORDER BY display_name, object_id", params)

    def list_directory_objects(self) -> list[DirectoryObject]:
        """Every directory object."""
        return self.find_directory_objects()

    def put_directory_object(self, obj: DirectoryObject) -> None:
        """Create or replace a directory object (keyed by object ID)."""
        self._exec(
            f"INSERT OR REPLACE INTO directory_objects({_DIR.cols}) VALUES(?,?,?,?,?,?,?,?,?)",
            (
                obj.object_id,
                obj.tenant_id,
                obj.object_type,
                obj.display_name,
                obj.app_id,
                obj.user_principal_name,
                obj.service_principal_type,
                _dumps(list(obj.alternative_names)),
                obj.resource_id,
            ),
        )

    def delete_directory_object(self, object_id: str) -> bool:
        """Delete the object and its group memberships; role assignments stay (orphaned). True if it existed."""
        with self.transaction():
            cur = self._db.execute("DELETE FROM directory_objects WHERE object_id = ?", (object_id,))
            self._db.execute(
                "DELETE FROM group_members WHERE member_id = ? OR group_id = ?", (object_id, object_id)
            )
            return cur.rowcount > 0

    # ------------------------------------------------------------------------------------------------- groups
    def add_group_member(self, group_id: str, member_id: str) -> None:
        """Add ``member_id`` (user, SP or group) to group ``group_id`` (idempotent)."""
        with self.transaction():
            group = self.get_directory_object(group_id)
            if group is None or group.object_type != "Group":
                raise NotFoundError(
                    f"Group '{group_id}' does not exist in the directory.", code="GroupNotFound"
                )
            if self.get_directory_object(member_id) is None:
                raise NotFoundError(
                    f"Directory object '{member_id}' does not exist.", code="PrincipalNotFound"
                )
            self._db.execute(
                "INSERT OR IGNORE INTO group_members(group_id, member_id) VALUES(?,?)", (group_id, member_id)
            )

    def remove_group_member(self, group_id: str, member_id: str) -> bool:
        """Remove a direct membership. True if it existed."""
        cur = self._exec(
            "DELETE FROM group_members WHERE group_id = ? AND member_id = ?", (group_id, member_id)
        )
        return cur.rowcount > 0

    def list_group_members(self, group_id: str) -> list[str]:
        """Direct members' object IDs."""
        rows = self._all(
            "SELECT member_id FROM group_members WHERE group_id = ? ORDER BY member_id", (group_id,)
        )
        return [r[0] for r in rows]

    def group_ids_of(self, principal_id: str) -> list[str]:
        """Every group the principal belongs to, directly or through nested groups."""
        rows = self._all(
            """
            WITH RECURSIVE g(id) AS (
                SELECT group_id FROM group_members WHERE member_id = ?
                UNION
                SELECT gm.group_id FROM group_members gm JOIN g ON gm.member_id = g.id
            )
            SELECT id FROM g ORDER BY id
            """,
            (principal_id,),
        )
        return [r[0] for r in rows]

    # ------------------------------------------------------------------------------------------ subscriptions
    def list_subscriptions(self) -> list[Subscription]:
        """Every subscription, by display name."""
        return self._list(_SUB, " ORDER BY display_name")

    def get_subscription(self, subscription_id: str) -> Subscription | None:
        """The subscription, or None."""
        return self._get(_SUB, "subscription_id = ?", (subscription_id,))

    def put_subscription(self, sub: Subscription) -> None:
        """Create or replace a subscription."""
        self._exec(
            "INSERT OR REPLACE INTO subscriptions(subscription_id, tenant_id, display_name, state) VALUES(?,?,?,?)",
            (sub.subscription_id, sub.tenant_id, sub.display_name, sub.state),
        )

    # ---------------------------------------------------------------------------------------- resource groups
    def get_resource_group(self, subscription_id: str, name: str) -> ResourceGroup | None:
        """The resource group (name compared case-insensitively), or None."""
        return self._get(_RG, "subscription_id = ? AND name = ?", (subscription_id, name))

    def list_resource_groups(self, subscription_id: str) -> list[ResourceGroup]:
        """The subscription's resource groups, by name."""
        return self._list(_RG, " WHERE subscription_id = ? ORDER BY name", (subscription_id,))

    def put_resource_group(self, rg: ResourceGroup) -> ResourceGroup:
        """Create or update; an existing group keeps its original name case and ID. Returns the stored group."""
        with self.transaction():
            existing = self.get_resource_group(rg.subscription_id, rg.name)
            rid = existing.id if existing else resource_group_id(rg.subscription_id, rg.name)
            name = existing.name if existing else rg.name
            self._db.execute(
                "INSERT OR REPLACE INTO resource_groups(id, subscription_id, name, location, tags, provisioning_state) "
                "VALUES(?,?,?,?,?,?)",
                (rid, rg.subscription_id, name, rg.location, _dumps(rg.tags), rg.provisioning_state),
            )
            stored = self.get_resource_group(rg.subscription_id, rg.name)
            assert stored is not None
            return stored

    def delete_resource_group(self, subscription_id: str, name: str) -> bool:
        """Delete the group and every resource in it (as ARM does). True if the group existed."""
        with self.transaction():
            cur = self._db.execute(
                "DELETE FROM resource_groups WHERE subscription_id = ? AND name = ?", (subscription_id, name)
            )
            self._db.execute(
                "DELETE FROM resources WHERE subscription_id = ? AND resource_group = ?",
                (subscription_id, name),
            )
            return cur.rowcount > 0

    # ---------------------------------------------------------------------------------------------- resources
    def get_resource(self, resource_id: str) -> Resource | None:
        """The resource with this ID (case-insensitive; trailing slash ignored), or None."""
        return self._get(_RES, "id = ?", (normalize_scope(resource_id),))

    def list_resources(
        self, sub_id: str | None = None, resource_group: str | None = None, type: str | None = None
    ) -> list[Resource]:
        """Resources filtered by subscription, resource group and type (all case-insensitive), by ID."""
        where: list[str] = []
        params: list[Any] = []
        for col, val in (("subscription_id", sub_id), ("resource_group", resource_group), ("type", type)):
            if val is not None:
                where.append(f"{col} = ?")
                params.append(val)
        clause = f" WHERE {' AND '.join(where)}" if where else ""
        return self._list(_RES, f"{clause} ORDER BY id", params)

    def list_child_resources(self, parent_id: str) -> list[Resource]:
        """Direct child resources (e.g. a VM's extensions)."""
        return self._list(_RES, " WHERE parent_id = ? ORDER BY id", (normalize_scope(parent_id),))

    def put_resource(self, res: Resource) -> Resource:
        """Create or replace a resource. An existing resource keeps the ID case it was created with."""
        rid = normalize_scope(res.id)
        try:
            parsed = parse_resource_id(rid)
        except ValueError as exc:
            raise ValidationError(str(exc), code="InvalidResourceId") from None
        with self.transaction():
            self._db.execute(
                f"INSERT INTO resources({_RES.cols}, parent_id) VALUES(?,?,?,?,?,?,?,?,?,?,?) "
                "ON CONFLICT(id) DO UPDATE SET subscription_id = excluded.subscription_id, "
                "resource_group = excluded.resource_group, type = excluded.type, name = excluded.name, "
                "location = excluded.location, tags = excluded.tags, properties = excluded.properties, "
                "identity = excluded.identity, extra = excluded.extra, parent_id = excluded.parent_id",
                (
                    rid,
                    res.subscription_id,
                    res.resource_group,
                    res.type,
                    res.name,
                    res.location,
                    _dumps(res.tags),
                    _dumps(res.properties),
                    _identity_to_json(res.identity),
                    _dumps(res.extra),
                    parsed["parent"],
                ),
            )
            stored = self.get_resource(rid)
            assert stored is not None
            return stored

    def delete_resource(self, resource_id: str) -> bool:
        """Delete a resource and its child resources (recursively). True if it existed."""
        rid = normalize_scope(resource_id)
        with self.transaction():
            for child in self.list_child_resources(rid):
                self.delete_resource(child.id)
            cur = self._db.execute("DELETE FROM resources WHERE id = ?", (rid,))
            return cur.rowcount > 0

    # ------------------------------------------------------------------------------------------- role defs
    def get_role_definition(self, guid: str) -> RoleDefinition | None:
        """The role definition with this bare GUID, or None."""
        return self._get(_RD, "id = ?", (guid,))

    def find_role_definitions(self, role_name: str) -> list[RoleDefinition]:
        """Role definitions with this name (case-insensitive)."""
        return self._list(_RD, " WHERE role_name = ? ORDER BY id", (role_name,))

    def list_role_definitions(self) -> list[RoleDefinition]:
        """Every role definition, by name. Rows whose stored text is unchanged since this store last decoded them
        come back as the same (immutable) records: the RBAC index is rebuilt after every write, and decoding ~450
        definitions' JSON each time would be most of its cost."""
        memo = self._role_memo
        out: list[RoleDefinition] = []
        for r in self._all(_RD.select(" ORDER BY role_name, id")):
            key = tuple(r)
            rd = memo.get(key)
            if rd is None:
                rd = _RD.record(r)
                if len(memo) >= _ROLE_MEMO_MAX:
                    memo.clear()
                memo[key] = rd
            out.append(rd)
        return out

    def put_role_definition(self, rd: RoleDefinition) -> None:
        """Create or replace a role definition."""
        self._exec(
            "INSERT OR REPLACE INTO role_definitions(id, role_name, description, role_type, permissions, "
            "assignable_scopes) VALUES(?,?,?,?,?,?)",
            (
                rd.id,
                rd.role_name,
                rd.description,
                rd.role_type,
                _permissions_to_json(rd.permissions),
                _dumps(list(rd.assignable_scopes)),
            ),
        )

    def put_role_definitions(self, defs: Iterable[RoleDefinition]) -> None:
        """Several role definitions in one transaction."""
        with self.transaction():
            for rd in defs:
                self.put_role_definition(rd)

    def delete_role_definition(self, guid: str) -> bool:
        """Delete a role definition. True if it existed."""
        return self._exec("DELETE FROM role_definitions WHERE id = ?", (guid,)).rowcount > 0

    # ------------------------------------------------------------------------------------ role assignments
    def get_role_assignment(self, name: str) -> RoleAssignment | None:
        """The role assignment with this GUID name, or None."""
        return self._get(_RA, "name = ?", (name,))

    def list_role_assignments(self) -> list[RoleAssignment]:
        """Every role assignment, oldest first."""
        return self._list(_RA, " ORDER BY created_on, name")

    def list_role_assignments_for(self, principal_ids: Iterable[str]) -> list[RoleAssignment]:
        """Assignments whose principal is one of ``principal_ids`` (e.g. a principal and its groups)."""
        ids = list(dict.fromkeys(principal_ids))
        if not ids:
            return []
        out: list[RoleAssignment] = []
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            out.extend(self._list(_RA, f" WHERE principal_id IN ({marks}) ORDER BY created_on, name", chunk))
        return out

    def find_role_assignment(
        self, *, principal_id: str, role_definition_id: str, scope: str
    ) -> RoleAssignment | None:
        """The assignment of this principal+role at exactly this scope (case-insensitive), or None."""
        return self._get(
            _RA,
            "principal_id = ? AND role_definition_id = ? AND scope = ?",
            (principal_id, role_definition_id, normalize_scope(scope)),
        )

    def put_role_assignment(self, ra: RoleAssignment) -> RoleAssignment:
        """Create a role assignment.

        Raises ConflictError ``RoleAssignmentExists`` when the same principal+role+scope already exists under
        another name, and ``RoleAssignmentUpdateNotPermitted`` when the name exists with other content. Putting
        an identical assignment again returns the stored one.
        """
        scope = normalize_scope(ra.scope)
        with self.transaction():
            same = self.find_role_assignment(
                principal_id=ra.principal_id, role_definition_id=ra.role_definition_id, scope=scope
            )
            if same is not None:
                if same.name.lower() == ra.name.lower():
                    return same
                raise ConflictError(
                    "The role assignment already exists. The ID of the existing role assignment is "
                    f"{same.name.replace('-', '')}.",
                    code=ROLE_ASSIGNMENT_EXISTS,
                    existing_id=same.id,
                )
            if self.get_role_assignment(ra.name) is not None:
                raise ConflictError(
                    "Tenant ID, application ID, principal ID, and scope are not allowed to be updated.",
                    code=ROLE_ASSIGNMENT_UPDATE_NOT_PERMITTED,
                )
            self._db.execute(
                f"INSERT INTO role_assignments({_RA.cols}) VALUES(?,?,?,?,?,?,?,?,?)",
                (
                    ra.name,
                    scope,
                    ra.role_definition_id,
                    ra.principal_id,
                    ra.principal_type,
                    ra.created_on,
                    ra.created_by,
                    ra.description,
                    ra.condition,
                ),
            )
            stored = self.get_role_assignment(ra.name)
            assert stored is not None
            return stored

    def delete_role_assignment(self, name: str) -> bool:
        """Delete a role assignment. True if it existed."""
        return self._exec("DELETE FROM role_assignments WHERE name = ?", (name,)).rowcount > 0

    # ------------------------------------------------------------------------------------------ signing keys
    def list_signing_keys(self, tenant_id: str) -> list[SigningKeyRecord]:
        """The tenant's signing keys, oldest first."""
        rows = self._all(
            "SELECT kid, tenant_id, private_pem, created, active FROM signing_keys WHERE tenant_id = ? "
            "ORDER BY created, kid",
            (tenant_id,),
        )
        return [
            SigningKeyRecord(
                kid=r[0], tenant_id=r[1], private_pem=bytes(r[2]), created=r[3], active=bool(r[4])
            )
            for r in rows
        ]

    def put_signing_key(self, key: SigningKeyRecord) -> None:
        """Create or replace a signing key (by ``kid``)."""
        self._exec(
            "INSERT OR REPLACE INTO signing_keys(kid, tenant_id, private_pem, created, active) VALUES(?,?,?,?,?)",
            (key.kid, key.tenant_id, key.private_pem, key.created, int(key.active)),
        )

    def delete_signing_key(self, kid: str) -> bool:
        """Delete a signing key. True if it existed."""
        return self._exec("DELETE FROM signing_keys WHERE kid = ?", (kid,)).rowcount > 0

    # ------------------------------------------------------------------------------------------------ events
    def append_event(self, kind: str, data: dict[str, Any]) -> int:
        """Append to the events log (trimmed to about the newest ``EVENTS_KEEP``). Returns the new ``seq``.

        An event appended on its own (not inside another write) commits without waiting for the disk
        (``synchronous = NORMAL`` for that one transaction): it is visible to every process at once and survives
        a crash of azshell, and the next ordinary write makes it durable; only a power cut can lose the newest
        events. Every request the planes answer appends one, so this keeps an fsync off each request."""
        with self._lock:
            return self._write_event(kind, data)

    def _write_event(self, kind: str, data: dict[str, Any]) -> int:
        relaxed = self._depth == 0 and self.path != ":memory:"
        if relaxed:
            self._db.execute("PRAGMA synchronous = NORMAL")
        try:
            with self.transaction(bump_generation=False):
                cur = self._db.execute("INSERT INTO events(time, kind, data) VALUES(?,?,?)",
                                       (self._clock.now(), kind, _dumps(data)))
                seq = int(cur.lastrowid or 0)
                self._events_since_trim += 1
                if self._events_since_trim >= _EVENTS_TRIM_EVERY:
                    self._events_since_trim = 0
                    self._db.execute("DELETE FROM events WHERE seq <= ?", (seq - EVENTS_KEEP,))
            return seq
        finally:
            if relaxed:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("PRAGMA synchronous = FULL")

    def recent_events(self, kind: str | None = None, limit: int = 100) -> list[Event]:
        """The newest events (optionally of one kind), oldest first."""
        if kind is None:
            rows = self._all("SELECT seq, time, kind, data FROM events ORDER BY seq DESC LIMIT ?", (limit,))
        else:
            rows = self._all(
                "SELECT seq, time, kind, data FROM events WHERE kind = ? ORDER BY seq DESC LIMIT ?",
                (kind, limit),
            )
        return [Event(seq=r[0], time=r[1], kind=r[2], data=json.loads(r[3])) for r in reversed(rows)]

    # ---------------------------------------------------------------------------------------------- settings
    def get_setting(self, key: str) -> str | None:
        """A stored setting, or None."""
        r = self._one("SELECT value FROM settings WHERE key = ?", (key,))
        return str(r[0]) if r else None

    def set_setting(self, key: str, value: str) -> None:
        """Store a setting."""
        self._exec("INSERT OR REPLACE INTO settings(key, value) VALUES(?,?)", (key, value))

    def delete_setting(self, key: str) -> bool:
        """Remove a setting. True if it existed."""
        return self._exec("DELETE FROM settings WHERE key = ?", (key,)).rowcount > 0
