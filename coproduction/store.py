"""The workshop store: the only code that touches the database.

A workshop is a folder holding one SQLite file (``workshop.sqlite``). Every
Voilà kernel, the console and the command line open it through :class:`Store`.
Kernels share state only through it: each write bumps a revision counter in
the same transaction, so a live page learns that something changed with one
tiny query (:meth:`Store.revision`) and reads more only then.

Rows go in and come out as plain dicts, checked against the contracts in
:mod:`coproduction.schema`. Nothing here imports pandas.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import logging
import os
import secrets
import sqlite3
import threading
from pathlib import Path
from typing import Callable, Iterator

from .schema import MIGRATIONS, SCHEMA_VERSION, TABLES, SchemaError, Table

log = logging.getLogger("coproduction.store")

DATABASE_NAME = "workshop.sqlite"
# A new workshop's settings until the facilitator changes them. The pay rate
# is in line with the hourly rate in NIHR's "Payment guidance for researchers
# and professionals" (version 1.6, August 2024); check the current guidance
# and set your own with `coproduction new --pay-rate`.
WORKSHOP_DEFAULTS = {"after_cutoff": "anonymise", "pay_rate": 25.0, "currency": "GBP",
                     "contact": None, "withdraw_by": None, "keep_until": None}
# The demo workshop every command and page uses when none is named.
DEFAULT_WORKSHOP = Path(__file__).resolve().parents[1] / "data" / "workshops" / "demo"
BUSY_TIMEOUT_MS = 15_000


def workshop_folder(workshop: str | Path | None = None) -> Path:
    """The workshop to open: the one named, else the server's, else the demo."""
    if workshop:
        return Path(workshop)
    if os.environ.get("COPRODUCTION_WORKSHOP"):
        return Path(os.environ["COPRODUCTION_WORKSHOP"])
    return DEFAULT_WORKSHOP


class StoreError(Exception):
    """The store could not do what was asked; ``str(error)`` is a plain message."""


class Conflict(StoreError):
    """A write clashed with a row already there (for example a name in use)."""


def utc_now() -> str:
    """The current time as an ISO 8601 UTC string, to the millisecond."""
    return _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="milliseconds").replace(
        "+00:00", "Z")


def hash_key(key: str) -> str:
    """One-way hash of a rejoin key, so the database never holds the key itself."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def new_id(prefix: str) -> str:
    """A random, meaningless id such as ``p-3f9a1c2e`` (never derived from a name)."""
    return f"{prefix}-{secrets.token_hex(5)}"


def _plain(error: sqlite3.Error) -> str:
    """What to tell a person when SQLite refused: by its error code where Python gives it."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return "The workshop is busy. Please try again in a moment."
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "The workshop folder cannot be written to. Ask the facilitator to check it."
    if name == "SQLITE_FULL" or ("disk" in text and "full" in text):
        return "The computer running the workshop is out of space. Nothing new was saved."
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return ("The workshop file could not be written (the computer may be out of space). "
                "Nothing new was saved.")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "The workshop file could not be opened."
    return "The workshop could not be saved just now. Nothing was changed."


class Transaction:
    """Reads and writes inside one database transaction (see :meth:`Store.transaction`)."""

    def __init__(self, conn: sqlite3.Connection, clock: Callable[[], str], writable: bool):
        self._conn = conn
        self.now = clock
        self.writable = writable
        self.changed = False

    def _writing(self) -> None:
        if not self.writable:
            raise SchemaError("a read snapshot cannot write")

    def _table(self, name: str) -> Table:
        try:
            return TABLES[name]
        except KeyError:
            raise SchemaError(f"no table {name}") from None

    def insert(self, table: str, row: dict) -> int | str:
        """Insert ``row``; return its primary key."""
        self._writing()
        t = self._table(table)
        row = dict(row)
        for stamp in ("created_at", "joined_at", "updated_at", "confirmed_at"):
            if stamp in t.columns and stamp not in row:
                row[stamp] = self.now()
        checked = t.check_row(row)
        cols = list(checked)
        sql = (f"INSERT INTO {t.name} ({', '.join(cols)}) "
               f"VALUES ({', '.join('?' for _ in cols)})")
        cur = self._execute(sql, [checked[c] for c in cols])
        self.changed = True
        return checked.get(t.primary_key, cur.lastrowid)

    def update(self, table: str, where: dict, changes: dict) -> int:
        """Change ``changes`` in the rows matching ``where``; return how many changed."""
        self._writing()
        t = self._table(table)
        checked = t.check_row(changes, partial=True)
        if not checked:
            return 0
        clause, params = self._where(t, where)
        sets = ", ".join(f"{c} = ?" for c in checked)
        cur = self._execute(f"UPDATE {t.name} SET {sets}{clause}",
                            [*checked.values(), *params])
        if cur.rowcount:
            self.changed = True
        return cur.rowcount

    def delete(self, table: str, where: dict) -> int:
        """Delete the rows matching ``where``; return how many went."""
        self._writing()
        t = self._table(table)
        clause, params = self._where(t, where)
        cur = self._execute(f"DELETE FROM {t.name}{clause}", params)
        if cur.rowcount:
            self.changed = True
        return cur.rowcount

    def select(self, table: str, where: dict | None = None, *,
               order_by: str | None = None) -> list[dict]:
        """Rows of ``table`` matching ``where`` (equality; a list means "one of")."""
        t = self._table(table)
        clause, params = self._where(t, where or {})
        order = order_by or t.primary_key
        for part in order.split(","):
            if part.strip().split(" ")[0] not in t.columns:
                raise SchemaError(f"{table} has no column to order by: {part}")
        cur = self._execute(f"SELECT {', '.join(t.columns)} FROM {t.name}{clause} "
                            f"ORDER BY {order}", params)
        booleans = [f.name for f in t.fields if f.type == "boolean"]
        rows = []
        for values in cur.fetchall():
            row = dict(zip(t.columns, values))
            for name in booleans:
                if row[name] is not None:
                    row[name] = bool(row[name])
            rows.append(row)
        return rows

    def count(self, table: str, where: dict | None = None) -> int:
        t = self._table(table)
        clause, params = self._where(t, where or {})
        return self._execute(f"SELECT COUNT(*) FROM {t.name}{clause}", params).fetchone()[0]

    def _where(self, t: Table, where: dict) -> tuple[str, list]:
        parts, params = [], []
        for column, value in where.items():
            if column not in t.columns:
                raise SchemaError(f"{t.name} has no column {column}")
            if value is None:
                parts.append(f"{column} IS NULL")
            elif isinstance(value, list | tuple | set):
                values = list(value)
                if not values:
                    parts.append("0")
                    continue
                parts.append(f"{column} IN ({', '.join('?' for _ in values)})")
                params.extend(values)
            else:
                parts.append(f"{column} = ?")
                params.append(value)
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    def _execute(self, sql: str, params: list) -> sqlite3.Cursor:
        try:
            return self._conn.execute(sql, params)
        except sqlite3.IntegrityError as error:
            raise Conflict("That clashes with something already saved.") from error


class Store:
    """One workshop's database. Open with :meth:`open` or :meth:`create`.

    Parameters
    ----------
    path:
        The workshop folder (it holds ``workshop.sqlite``).
    clock:
        Returns the current time as ISO 8601 UTC; the demo passes a fixed
        clock so that reruns give the same data.
    ids:
        Makes a new id from a prefix; by default random (:func:`new_id`), the
        demo passes a seeded one.
    """

    def __init__(self, path: Path, *, clock: Callable[[], str] = utc_now,
                 ids: Callable[[str], str] = new_id, _create: bool = False):
        self.folder = Path(path)
        self.path = self.folder / DATABASE_NAME
        self.clock = clock
        self.new_id = ids
        self._lock = threading.RLock()
        if not _create and not self.path.is_file():
            raise StoreError(f"There is no workshop at {self.folder}.")
        try:
            self._conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                         isolation_level=None, check_same_thread=False)
            for pragma in ("journal_mode = WAL", f"busy_timeout = {BUSY_TIMEOUT_MS}",
                           "foreign_keys = ON", "secure_delete = ON", "synchronous = NORMAL"):
                self._conn.execute(f"PRAGMA {pragma}")
            self._migrate()
        except sqlite3.DatabaseError as error:
            raise StoreError(_plain(error)) from error

    # -- opening -----------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str | None = None, **kw) -> "Store":
        """Open an existing workshop folder (None: see :func:`workshop_folder`)."""
        return cls(workshop_folder(path), **kw)

    @classmethod
    def create(cls, path: Path | str, *, title: str, code: str | None = None,
               group_name: str = "the group", is_demo: bool = False,
               settings: dict | None = None, **kw) -> "Store":
        """Make a new workshop folder with an empty database and its workshop row.

        ``settings`` overrides :data:`WORKSHOP_DEFAULTS` (contact, withdraw_by,
        after_cutoff, keep_until, pay_rate, currency).
        """
        folder = Path(path)
        if (folder / DATABASE_NAME).exists():
            raise StoreError(f"There is already a workshop at {folder}.")
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise StoreError(f"The folder {folder} could not be made.") from error
        store = cls(folder, _create=True, **kw)
        with store.transaction() as tx:
            tx.insert("workshop", {
                "workshop_id": store.new_id("w"), "title": title,
                "code": code or secrets.token_hex(3).upper(),
                "group_name": group_name, "is_demo": is_demo,
                **WORKSHOP_DEFAULTS, **(settings or {}),
            })
        return store

    def _current_version(self) -> int | None:
        """The file's schema version, read without taking the write lock (None: new file)."""
        try:
            row = self._conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error):
                raise
            return None
        return int(row[0]) if row else None

    def _migrate(self) -> None:
        """Create or migrate the tables; an up-to-date file is only read.

        Every page opens the store when it starts, so a whole room opening it at
        once must not queue on the write lock just to learn nothing needs doing.
        """
        if self._current_version() == SCHEMA_VERSION:
            return
        conn = self._conn
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
            conn.execute("CREATE TABLE IF NOT EXISTS revision "
                         "(id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)")
            conn.execute("INSERT OR IGNORE INTO revision (id, value) VALUES (1, 0)")
            row = conn.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else None
            if version is not None and version > SCHEMA_VERSION:
                raise StoreError("This workshop was made by a newer version of the kit. "
                                 "Please update the kit to open it.")
            if version is None:
                for table in TABLES.values():
                    for statement in table.create_sql():
                        conn.execute(statement)
            else:
                while version < SCHEMA_VERSION:
                    log.info("migrating workshop schema from version %d", version)
                    MIGRATIONS[version](conn)
                    version += 1
            conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES ('schema_version', ?)",
                         (str(SCHEMA_VERSION),))
            conn.execute("COMMIT")
        except BaseException:
            conn.execute("ROLLBACK")
            raise

    # -- reading and writing ----------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Transaction]:
        """One atomic unit of work; bumps the revision if anything changed.

        Writers queue on SQLite's lock (``BEGIN IMMEDIATE`` with a busy
        timeout), so several kernels writing at once lose nothing. With
        ``write=False`` it is a read snapshot that never waits for writers.
        """
        with self._lock:
            tx = Transaction(self._conn, self.clock, writable=write)
            try:
                self._conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")
            except sqlite3.OperationalError as error:
                log.warning("could not start a write: %s", type(error).__name__)
                raise StoreError(_plain(error)) from error
            try:
                yield tx
                if tx.changed:
                    self._conn.execute("UPDATE revision SET value = value + 1 WHERE id = 1")
                self._conn.execute("COMMIT")
            except BaseException as error:
                if self._conn.in_transaction:
                    self._conn.execute("ROLLBACK")
                if isinstance(error, sqlite3.Error) and not isinstance(error, sqlite3.IntegrityError):
                    log.warning("write failed: %s", type(error).__name__)
                    raise StoreError(_plain(error)) from error
                raise

    def read(self) -> contextlib.AbstractContextManager[Transaction]:
        """A consistent snapshot for several reads (same as a transaction, no writes)."""
        return self.transaction(write=False)

    def select(self, table: str, where: dict | None = None, *, order_by: str | None = None):
        with self.read() as tx:
            return tx.select(table, where, order_by=order_by)

    def insert(self, table: str, row: dict):
        with self.transaction() as tx:
            return tx.insert(table, row)

    def update(self, table: str, where: dict, changes: dict) -> int:
        with self.transaction() as tx:
            return tx.update(table, where, changes)

    def compact(self, attempts: int = 50) -> None:
        """Rewrite the file so deleted data cannot be read back from it or its WAL.

        ``secure_delete`` already zeroes deleted content; VACUUM rebuilds the
        file and a TRUNCATE checkpoint empties the write-ahead log. Other
        kernels reading at that moment are waited for.
        """
        import time

        with self._lock:
            try:
                self._conn.execute("VACUUM")
                for _ in range(attempts):
                    busy = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                    if not busy:
                        return
                    time.sleep(0.1)
            except sqlite3.Error as error:
                raise StoreError(_plain(error)) from error
        raise StoreError("The workshop is busy, so the deleted data could not be cleared "
                         "from the file yet. Please try again in a moment.")

    def revision(self) -> int:
        """The change counter: one small query, cheap enough to poll several times a second."""
        with self._lock:
            try:
                return self._conn.execute("SELECT value FROM revision WHERE id = 1").fetchone()[0]
            except sqlite3.Error as error:
                raise StoreError(_plain(error)) from error

    def change_notices(self):
        """Something an event loop can wait on that wakes when the workshop is written.

        A :class:`coproduction.changes.FolderWatch` on the database file and its
        write-ahead log, or None where the system cannot watch files (then poll
        :meth:`revision`). A notice is a hint to read the revision, never a change itself.
        """
        from .changes import watch_folder

        return watch_folder(self.folder, {DATABASE_NAME, f"{DATABASE_NAME}-wal"})

    def workshop(self) -> dict:
        return self.select("workshop")[0]

    def schema_version(self) -> int:
        with self._lock:
            row = self._conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()
