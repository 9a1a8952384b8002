"""The workshop store: the only code that touches the database.

By default a workshop is a folder holding one SQLite file (``workshop.sqlite``).
When the setting ``COPRODUCTION_DATABASE_URL`` holds a PostgreSQL URL, workshops
live in that database instead, one schema per workshop (``workshop_<name>``,
where the name is the last part of the workshop's path), so several Voilà
servers on several machines can serve one workshop.

Every Voilà kernel, the console and the command line open it through
:class:`Store`. Kernels share state only through it: each write bumps a revision
counter in the same transaction, so a live page learns that something changed
with one tiny query (:meth:`Store.revision`) and reads more only then. Pages are
woken to ask by :meth:`Store.change_notices`: a watch on the SQLite file, or in
PostgreSQL a LISTEN on the workshop's channel that every write NOTIFYs, from
whichever server it comes.

Rows go in and come out as plain dicts, checked against the contracts in
:mod:`coproduction.store.schema`, the same on both backends. Nothing here imports
pandas, and the PostgreSQL driver (psycopg) is imported only when a database
URL is used, so participant kernels of a SQLite workshop never load it.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import logging
import os
import re
import secrets
import sqlite3
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from ..core.resources import checkout, workshops_folder
from ..core.settings import DATABASE_URL_ENV, WORKSHOP_ENV
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
DEFAULT_WORKSHOP = workshops_folder() / "demo"
BUSY_TIMEOUT_MS = 15_000

#: Pass as ``database=`` to use the SQLite file whatever the environment says.
SQLITE = "sqlite"
#: Each workshop's tables live in the PostgreSQL schema ``workshop_<name>``.
SCHEMA_PREFIX = "workshop_"
_WORKSHOP_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,49}")


def _unstorable(value: object) -> bool:
    """A text no row can hold (a NUL character: PostgreSQL refuses it, and every text the
    kit stores is cleaned of it), so a lookup by it, forged or not, matches nothing."""
    return isinstance(value, str) and "\x00" in value


def workshop_folder(workshop: str | Path | None = None) -> Path:
    """The workshop to open: the one named, else the server's, else the demo.

    The answer is always a full path, so it still names the same folder from wherever
    it is used next (a report's notebooks run in a folder of their own). A relative
    name is taken from the current folder; where nothing is there, from the kit's own
    folder, as the guides write it (``data/workshops/NAME``) for a notebook that
    JupyterLab runs in ``notebooks/evaluation``.
    """
    if not workshop:
        workshop = os.environ.get(WORKSHOP_ENV) or DEFAULT_WORKSHOP
    folder = Path(workshop).expanduser()
    root = checkout()
    if not folder.is_absolute() and not folder.exists() and root and (root / folder).exists():
        folder = root / folder
    return folder.resolve()


def database_url(database: str | None = None) -> str | None:
    """The PostgreSQL URL to use, or None for SQLite.

    ``database`` is a URL, :data:`SQLITE`, or None for the setting in the
    environment variable :data:`DATABASE_URL_ENV`.
    """
    if database == SQLITE:
        return None
    if database:
        return database
    return os.environ.get(DATABASE_URL_ENV, "").strip() or None


def workshop_name(workshop: str | Path) -> str:
    """A workshop's name in a database: the last part of its path, e.g. ``leeds-2026``."""
    name = Path(workshop).name
    if not _WORKSHOP_NAME.fullmatch(name):
        raise StoreError(f"'{name}' cannot name a workshop in the database: use up to 50 "
                         "letters, digits, '-', '_' or '.', starting with a letter or digit.")
    return name


def describe_database(url: str) -> str:
    """Where a database URL points, for people to read: never the password."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        parts = conninfo_to_dict(url)
    except psycopg.Error:
        return "the PostgreSQL database (its URL could not be read)"
    host = parts.get("host") or "this computer"
    port = f":{parts['port']}" if parts.get("port") else ""
    name = parts.get("dbname") or parts.get("user") or "the default database"
    return f"the PostgreSQL database '{name}' on {host}{port}"


def has_password(url: str) -> bool:
    """Whether a database URL carries a password (it should not be on a command line)."""
    import psycopg
    from psycopg.conninfo import conninfo_to_dict

    try:
        return bool(conninfo_to_dict(url).get("password"))
    except psycopg.Error:
        return "@" in url and ":" in url.split("@", 1)[0].split("//", 1)[-1]


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


#: Between two tries at clearing deleted data from the file while something reads it.
CLEAR_RETRY_SECONDS = 0.2
BUSY = "The workshop is busy. Please try again in a moment."
NOT_SAVED = "The workshop could not be saved just now. Nothing was changed."


#: The way out of a damaged workshop, said with every kind of damage.
WAY_OUT = ("The kit has not changed it. If you have a copy of the workshop folder from "
           "before, put its workshop.sqlite back in place of this one; otherwise ask whoever "
           "looks after this computer.")
# Each takes {file}: " " and the file's path, or nothing where the path is not known.
EMPTY = "The workshop file{file} is empty (0 bytes): everything in it is gone. " + WAY_OUT
NOT_SQLITE = ("The file{file} is not a workshop file: it may have been overwritten or "
              "replaced by another file. " + WAY_OUT)
NOT_A_WORKSHOP = ("The file{file} is a database, but not a workshop the kit made. "
                  + WAY_OUT)
DAMAGED = "The workshop file{file} is damaged{where}, so nothing can be saved to it. " + WAY_OUT
DATABASE_NOT_A_WORKSHOP = ("The workshop '{name}' in the database is missing the kit's "
                           "tables, so the kit has not changed it. Ask whoever runs the "
                           "database to restore it from a backup.")
NEWER = ("This workshop was made by a newer version of the kit. Please update the kit to "
         "open it; this version has not changed it.")
_SQLITE_MAGIC = b"SQLite format 3\x00"


class DamagedWorkshop(StoreError):
    """The workshop's file is empty, damaged or not a workshop; it was not written to."""


def _check_header(path: Path) -> None:
    """The cheap checks, before SQLite opens the file: is it empty, is it SQLite at all."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise StoreError(f"The workshop file {path} could not be read.") from error
    if not header:
        raise DamagedWorkshop(EMPTY.format(file=f" {path}"))
    if not header.startswith(_SQLITE_MAGIC) or len(header) < 100:
        raise DamagedWorkshop(NOT_SQLITE.format(file=f" {path}"))


def _missing_pages(path: Path) -> int | None:
    """The first page missing from a file that was cut short, or None when it is whole.

    The header says how many pages the file has (when its "valid for" counter matches
    the change counter); a file shorter than that lost its end.
    """
    with path.open("rb") as handle:
        header = handle.read(100)
    page_size = int.from_bytes(header[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(header[28:32], "big")
    if not page_size or header[24:28] != header[92:96] or not pages:
        return None
    have = path.stat().st_size // page_size
    return have + 1 if have < pages else None


def _damaged(path: Path | None, findings: str = "") -> str:
    """The plain sentence for a damaged file, naming the first damaged page SQLite found."""
    page = re.search(r"page (\d+)", findings, re.IGNORECASE)
    where = f" (at page {page.group(1)} of the file)" if page else ""
    return DAMAGED.format(file=f" {path}" if path else "", where=where)


def _is_corrupt(error: sqlite3.Error) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith("SQLITE_CORRUPT") or "malformed" in str(error).lower()


def _plain(error: sqlite3.Error, path: Path | None = None) -> str:
    """What to tell a person when SQLite refused: by its error code where Python gives it."""
    name = getattr(error, "sqlite_errorname", "") or ""
    text = str(error).lower()
    if name.startswith("SQLITE_NOTADB") or "file is not a database" in text:
        return NOT_SQLITE.format(file=f" {path}" if path else "")
    if _is_corrupt(error):
        return _damaged(path, text)
    if name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text:
        return BUSY
    if name.startswith("SQLITE_READONLY") or "readonly" in text or "read-only" in text:
        return "The workshop folder cannot be written to. Ask the facilitator to check it."
    if name == "SQLITE_FULL" or ("disk" in text and "full" in text):
        return "The computer running the workshop is out of space. Nothing new was saved."
    if name.startswith("SQLITE_IOERR") or "disk i/o" in text:
        return ("The workshop file could not be written (the computer may be out of space). "
                "Nothing new was saved.")
    if name.startswith("SQLITE_CANTOPEN") or "unable to open" in text:
        return "The workshop file could not be opened."
    return NOT_SAVED


def _plain_postgresql(error: Exception) -> str:
    from psycopg import OperationalError, errors

    if isinstance(error, (errors.LockNotAvailable, errors.DeadlockDetected,
                          errors.SerializationFailure, errors.QueryCanceled,
                          errors.TooManyConnections)):
        return BUSY
    if isinstance(error, errors.DiskFull):
        return "The database server is out of space. Nothing new was saved."
    if isinstance(error, (errors.InsufficientPrivilege, errors.ReadOnlySqlTransaction)):
        return ("The workshop's database does not let the kit do that. Ask whoever runs the "
                "database to check the kit's permissions.")
    if isinstance(error, OperationalError):
        return "The workshop's database cannot be reached just now. Nothing was changed."
    return NOT_SAVED


# --- the two backends ----------------------------------------------------------------------
#
# Each backend owns one connection and speaks its own SQL for the few things that
# differ: placeholders, beginning a transaction, returning a new key, ordering of
# empty values, creating tables, counters and compacting. Everything else (checking
# rows, building queries, the revision counter) is shared.


class _SQLiteBackend:
    """One SQLite file in the workshop folder: WAL, a busy timeout, foreign keys,
    ``secure_delete``; writers queue on ``BEGIN IMMEDIATE``."""

    kind = SQLITE
    mark = "?"
    nothing = "0"  # a WHERE clause that matches no row
    integrity_error = sqlite3.IntegrityError
    error = sqlite3.Error

    def __init__(self, folder: Path, create: bool):
        self.path = folder / DATABASE_NAME
        if not create:
            if not self.path.is_file():
                raise StoreError(f"There is no workshop at {folder}.")
            _check_header(self.path)
        try:
            self.conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000,
                                        isolation_level=None, check_same_thread=False)
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            if not create:
                self._check_whole()  # before anything that could write to the file
            for pragma in ("journal_mode = WAL", "foreign_keys = ON", "secure_delete = ON",
                           "synchronous = NORMAL"):
                self.conn.execute(f"PRAGMA {pragma}")
        except sqlite3.DatabaseError as error:
            with contextlib.suppress(AttributeError, sqlite3.Error):
                self.conn.close()
            raise StoreError(_plain(error, self.path)) from error
        except StoreError:
            self.conn.close()
            raise

    def _check_whole(self) -> None:
        """Refuse a file that SQLite reads but that is damaged or is not a workshop.

        ``quick_check`` reads every page (well under a millisecond for a workshop of a
        few hundred kilobytes), so a damaged file is found before anything writes to it.
        """
        short = _missing_pages(self.path)
        if short is not None:
            raise DamagedWorkshop(_damaged(self.path, f"page {short}"))
        try:
            findings = [row[0] for row in self.conn.execute("PRAGMA quick_check(5)")]
        except sqlite3.DatabaseError as error:
            if not _is_corrupt(error):
                raise
            findings = [self._first_damaged_table()]
        if findings != ["ok"]:
            raise DamagedWorkshop(_damaged(self.path, " ".join(findings)))
        if not self.conn.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' "
                                 "AND name = 'meta'").fetchone():
            raise DamagedWorkshop(NOT_A_WORKSHOP.format(file=f" {self.path}"))

    def _first_damaged_table(self) -> str:
        """Where quick_check gave up: "page N" of the first table that cannot be read."""
        try:
            tables = self.conn.execute("SELECT name, rootpage FROM sqlite_master "
                                       "WHERE type = 'table' ORDER BY rootpage").fetchall()
        except sqlite3.DatabaseError:
            return "page 1"  # the list of tables itself starts on the first page
        for name, root in tables:
            try:
                for _row in self.conn.execute(f'SELECT * FROM "{name}"'):
                    pass  # every row read from the table itself, not from an index
            except sqlite3.DatabaseError:
                return f"page {root}"
        return ""

    def plain(self, error: Exception) -> str:
        return _plain(error, self.path)

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)

    def begin(self, write: bool) -> None:
        self.conn.execute("BEGIN IMMEDIATE" if write else "BEGIN")

    def begin_migration(self) -> None:
        self.conn.execute("BEGIN IMMEDIATE")

    @property
    def in_transaction(self) -> bool:
        return self.conn.in_transaction

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        self.conn.execute("ROLLBACK")

    def current_version(self) -> int | None:
        try:
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except sqlite3.OperationalError as error:
            if "no such table" not in str(error):
                raise
            return None
        return int(row[0]) if row else None

    def create_bookkeeping(self) -> None:
        self.conn.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT)")
        self.conn.execute("CREATE TABLE IF NOT EXISTS revision "
                          "(id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL)")
        self.conn.execute("INSERT OR IGNORE INTO revision (id, value) VALUES (1, 0)")

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def create_tables(self) -> None:
        for table in TABLES.values():
            for statement in table.create_sql("sqlite"):
                self.conn.execute(statement)

    def insert_sql(self, t: Table, columns: list[str]) -> str:
        return (f"INSERT INTO {t.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('?' for _ in columns)})")

    def new_key(self, t: Table, cur) -> int | str:
        return cur.lastrowid

    def adapt(self, t: Table, column: str, value):
        return value

    def order(self, t: Table, order_by: str) -> str:
        return order_by

    def counters(self) -> dict[str, int]:
        """The highest number each autoincrement table has handed out."""
        rows = self.conn.execute("SELECT name, seq FROM sqlite_sequence").fetchall()
        return {name: int(seq) for name, seq in rows if name in TABLES}

    def set_counter(self, table: str, value: int) -> None:
        if self.conn.execute("UPDATE sqlite_sequence SET seq = ? WHERE name = ?",
                             (value, table)).rowcount == 0:
            self.conn.execute("INSERT INTO sqlite_sequence (name, seq) VALUES (?, ?)",
                              (table, value))

    def bump(self) -> None:
        self.conn.execute("UPDATE revision SET value = value + 1 WHERE id = 1")

    def compact(self, deadline: float) -> bool:
        """``secure_delete`` already zeroes deleted content; VACUUM rebuilds the file and
        a TRUNCATE checkpoint empties the write-ahead log.

        A checkpoint that waits holds the workshop's write lock all the while, so a reader
        that holds an old snapshot would hold up every save in the room: each try here
        waits for nothing and gives the lock back at once. False when a reader still
        holds the old pages at ``deadline`` (time.monotonic()); try again later.
        """
        self.conn.execute("VACUUM")
        self.conn.execute("PRAGMA busy_timeout = 0")
        try:
            while True:
                try:
                    busy = self.conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()[0]
                except sqlite3.OperationalError as error:  # a writer had the lock just then
                    if _plain(error) != BUSY:
                        raise
                    busy = 1
                if not busy:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(CLEAR_RETRY_SECONDS)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")

    def close(self) -> None:
        self.conn.close()


def _connect_postgresql(url: str, application: str):
    """A psycopg connection in autocommit mode, or StoreError in plain words (no URL)."""
    import psycopg

    try:
        return psycopg.connect(url, autocommit=True, connect_timeout=10,
                               application_name=application)
    except psycopg.ProgrammingError:  # a URL psycopg cannot read: say so, never echo it
        log.warning("could not read the database URL")
        raise StoreError("The database URL could not be read. It should look like "
                         "postgresql://user@host/database.") from None
    except psycopg.Error as error:
        text = str(error).lower()
        log.warning("could not connect to the database: %s", type(error).__name__)
        if "password" in text or "authentication" in text:
            message = f"{describe_database(url)} refused the kit's user name or password."
        else:
            message = (f"{describe_database(url)} cannot be reached. Check the database URL "
                       "and that the server is running.")
        raise StoreError(message[0].upper() + message[1:]) from None


class _PostgreSQLBackend:
    """One workshop's schema in a PostgreSQL database.

    The connection runs in autocommit mode, so polling the revision is one
    statement and one round trip; transactions are begun explicitly. A writer
    first locks the single revision row (``SELECT ... FOR UPDATE``), so writers
    to one workshop queue one after another exactly as SQLite's ``BEGIN
    IMMEDIATE`` makes them, and every check an engine makes inside a write
    transaction sees all earlier writes. A read snapshot is ``REPEATABLE READ``.
    """

    kind = "postgresql"
    mark = "%s"
    nothing = "FALSE"

    def __init__(self, url: str, name: str, create: bool):
        import psycopg  # only here: a SQLite workshop never loads the driver

        self._psycopg = psycopg
        self.integrity_error = psycopg.IntegrityError
        self.error = psycopg.Error
        self.url = url
        self.name = name
        self.schema = SCHEMA_PREFIX + name
        self.ident = '"' + self.schema.replace('"', '""') + '"'
        self.path = None
        self.conn = None
        self.notices: list[_DatabaseNotices] = []
        # Names every connection to this workshop (shown in pg_stat_activity), so the
        # kit can tell whether pages still have it open.
        self.application = f"coproduction:{name}"[:63]
        self._connect()
        try:
            exists = self.conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s",
                                       (self.schema,)).fetchone()
            if create:
                if exists:
                    raise StoreError(f"There is already a workshop named '{name}' in "
                                     f"{describe_database(url)}.")
                self.conn.execute(f"CREATE SCHEMA {self.ident}")
            elif not exists:
                raise StoreError(f"There is no workshop named '{name}' in "
                                 f"{describe_database(url)}.")
        except psycopg.Error as error:
            self.conn.close()
            raise StoreError(self.plain(error)) from error
        except StoreError:
            self.conn.close()
            raise

    def _connect(self) -> None:
        conn = _connect_postgresql(self.url, self.application)
        # Only the workshop's own schema is on the path: a table the kit forgot to make
        # is an error here, never a table of the same name somewhere else.
        conn.execute(f"SET search_path TO {self.ident}; "
                     f"SET lock_timeout = '{int(BUSY_TIMEOUT_MS)}ms'; "
                     "SET idle_in_transaction_session_timeout = '60s'")
        self.conn = conn
        for notices in self.notices:  # a new connection listens again
            notices.watch()

    def _ensure_connected(self) -> None:
        """A page's connection may drop (the server restarted): connect again, once."""
        if self.conn.closed or self.conn.broken:
            log.info("reconnecting to the database")
            with contextlib.suppress(self.error):
                self.conn.close()
            self._connect()

    def plain(self, error: Exception) -> str:
        return _plain_postgresql(error)

    def execute(self, sql: str, params=()):
        return self.conn.execute(sql, params)

    def begin(self, write: bool) -> None:
        self._ensure_connected()
        if write:
            self.conn.execute("BEGIN")
            self.conn.execute("SELECT value FROM revision WHERE id = 1 FOR UPDATE")
        else:
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY")

    def begin_migration(self) -> None:
        self.conn.execute("BEGIN")
        # Two kernels creating or migrating the same workshop at once take turns.
        self.conn.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", (self.schema,))

    @property
    def in_transaction(self) -> bool:
        from psycopg.pq import TransactionStatus

        if self.conn.closed:
            return False
        return self.conn.info.transaction_status != TransactionStatus.IDLE

    def commit(self) -> None:
        self.conn.execute("COMMIT")

    def rollback(self) -> None:
        if not self.conn.closed and not self.conn.broken:
            self.conn.execute("ROLLBACK")

    def current_version(self) -> int | None:
        try:  # autocommit: a missing table spoils no transaction
            row = self.conn.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        except self._psycopg.errors.UndefinedTable:
            return None
        return int(row[0]) if row else None

    def create_bookkeeping(self) -> None:
        self.conn.execute('CREATE TABLE IF NOT EXISTS meta (key TEXT COLLATE "C" PRIMARY KEY, '
                          'value TEXT COLLATE "C")')
        self.conn.execute("CREATE TABLE IF NOT EXISTS revision "
                          "(id INTEGER PRIMARY KEY CHECK (id = 1), value BIGINT NOT NULL)")
        self.conn.execute("INSERT INTO revision (id, value) VALUES (1, 0) "
                          "ON CONFLICT (id) DO NOTHING")

    def set_meta(self, key: str, value: str) -> None:
        self.conn.execute("INSERT INTO meta (key, value) VALUES (%s, %s) "
                          "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, value))

    def create_tables(self) -> None:
        for table in TABLES.values():
            for statement in table.create_sql("postgresql"):
                self.conn.execute(statement)

    def insert_sql(self, t: Table, columns: list[str]) -> str:
        returning = f" RETURNING {t.primary_key}" if t.autoincrement else ""
        return (f"INSERT INTO {t.name} ({', '.join(columns)}) "
                f"VALUES ({', '.join('%s' for _ in columns)}){returning}")

    def new_key(self, t: Table, cur) -> int | str | None:
        return cur.fetchone()[0] if t.autoincrement else None

    def adapt(self, t: Table, column: str, value):
        """Booleans are BOOLEAN here (SQLite keeps 0 and 1)."""
        if value is not None and t.field(column).type == "boolean":
            return bool(value)
        return value

    def order(self, t: Table, order_by: str) -> str:
        """SQLite puts empty values first when ascending and last when descending."""
        parts = []
        for part in order_by.split(","):
            words = part.split()
            descending = len(words) > 1 and words[1].upper() == "DESC"
            parts.append(f"{' '.join(words)} NULLS {'LAST' if descending else 'FIRST'}")
        return ", ".join(parts)

    def _sequence(self, table: str) -> str:
        return f"pg_get_serial_sequence('{self.ident}.{table}', '{TABLES[table].primary_key}')"

    def counters(self) -> dict[str, int]:
        out = {}
        for name, table in TABLES.items():
            if table.autoincrement:
                row = self.conn.execute(
                    f"SELECT pg_sequence_last_value({self._sequence(name)})").fetchone()
                if row and row[0] is not None:
                    out[name] = int(row[0])
        return out

    def set_counter(self, table: str, value: int) -> None:
        if value > 0:
            self.conn.execute(f"SELECT setval({self._sequence(table)}, %s, true)", (value,))

    def compact(self, deadline: float) -> bool:
        """VACUUM FULL every table of the workshop: each is written anew and its old file
        and indexes are dropped, so deleted rows cannot be read back from the tables.

        VACUUM FULL keeps rows that an older snapshot (in any session on this database)
        might still see; it says so in its VERBOSE report, and then it is tried again
        until that snapshot has ended. While it waits for a table's lock every other
        query on that table queues behind it, so it waits a moment only, then lets the
        room through and tries again. False when not done by ``deadline``.
        """
        reports: list[str] = []

        def listen(diagnostic) -> None:
            reports.append(f"{diagnostic.message_primary or ''} {diagnostic.message_detail or ''}")

        self._ensure_connected()
        language = self.conn.execute("SHOW lc_messages").fetchone()[0].lower()
        if language and not language.startswith(("c", "posix", "en")):
            log.warning("the database's messages are not in English: erasure cannot read "
                        "whether an older snapshot kept deleted rows (see deploy/README.md)")
        self.conn.add_notice_handler(listen)
        self.conn.execute("SET lock_timeout = '200ms'")
        try:
            for name in ("meta", "revision", *TABLES):
                while True:
                    reports.clear()
                    try:
                        self.conn.execute(f"VACUUM (FULL, VERBOSE) {name}")
                    except self._psycopg.errors.LockNotAvailable:
                        kept = [1]
                    else:
                        kept = [int(n) for text in reports for n in re.findall(
                            r"(\d+) dead row versions cannot be removed yet", text)]
                    if not any(kept):
                        break
                    if time.monotonic() >= deadline:
                        return False
                    time.sleep(CLEAR_RETRY_SECONDS)
            return True
        finally:
            self.conn.remove_notice_handler(listen)
            if not self.conn.closed and not self.conn.broken:
                self.conn.execute(f"SET lock_timeout = '{int(BUSY_TIMEOUT_MS)}ms'")

    def bump(self) -> None:
        """Count a change and tell every page listening (delivered when it commits)."""
        self.conn.execute(f"UPDATE revision SET value = value + 1 WHERE id = 1; "
                          f"NOTIFY {self.ident}")

    def others_connected(self) -> int:
        return self.conn.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND pid <> pg_backend_pid()", (self.application,)).fetchone()[0]

    def drop(self) -> None:
        """Remove the workshop's schema and every table in it."""
        self.conn.execute(f"DROP SCHEMA {self.ident} CASCADE")

    def close(self) -> None:
        self.conn.close()


class _DatabaseNotices:
    """Readable (:meth:`fileno`) when a commit to the workshop was announced in PostgreSQL.

    The page's own connection LISTENs on the workshop's channel, so a page holds one
    connection, not two. A notification arrives either while the connection is idle
    (its socket becomes readable) or in the middle of one of the page's own queries
    (psycopg hands it to :meth:`_heard`, which wakes a pipe). One epoll set watches
    both, so the event loop waits on a single descriptor, as with
    :class:`coproduction.store.changes.FolderWatch`. Linux only; elsewhere pages poll.
    """

    def __init__(self, store: Store):
        import select

        self._select = select
        self._db = store._db
        self._lock = store._lock
        self._poll = select.epoll()
        self._wake_read, self._wake_write = os.pipe()
        os.set_blocking(self._wake_read, False)
        os.set_blocking(self._wake_write, False)
        self._poll.register(self._wake_read, select.EPOLLIN)
        self._socket: int | None = None
        self._conn = None
        self._pending = False
        try:
            self.watch()
        except BaseException:
            self._poll.close()
            os.close(self._wake_read)
            os.close(self._wake_write)
            raise
        self._db.notices.append(self)

    @classmethod
    def make(cls, store: Store) -> _DatabaseNotices | None:
        try:
            with store._lock:
                return cls(store)
        except (AttributeError, OSError, store._db.error) as error:  # pages poll instead
            log.info("no change notices here (%s): pages poll instead", type(error).__name__)
            return None

    def watch(self) -> None:
        """LISTEN on the current connection and watch its socket (again after a reconnect)."""
        conn = self._db.conn
        self._unwatch_socket()
        if self._conn is not None and self._conn is not conn:
            with contextlib.suppress(ValueError):
                self._conn.remove_notify_handler(self._heard)
        conn.add_notify_handler(self._heard)
        self._conn = conn
        conn.execute(f"LISTEN {self._db.ident}")
        self._socket = conn.fileno()
        self._poll.register(self._socket, self._select.EPOLLIN)

    def _unwatch_socket(self) -> None:
        if self._socket is not None:
            with contextlib.suppress(OSError, ValueError):
                self._poll.unregister(self._socket)
            self._socket = None

    def _heard(self, _notification) -> None:
        self._pending = True
        with contextlib.suppress(BlockingIOError, OSError):
            os.write(self._wake_write, b"!")

    def fileno(self) -> int:
        return self._poll.fileno()

    def drain(self) -> bool:
        """Read every pending notification; True if the workshop may have changed."""
        with self._lock:
            with contextlib.suppress(BlockingIOError, OSError):
                while os.read(self._wake_read, 4096):
                    pass
            heard, self._pending = self._pending, False
            conn = self._db.conn
            if conn.closed or conn.broken:
                self._unwatch_socket()  # stop waking; the page's next look reconnects
                return True
            try:
                # A server that ended the connection first sends its reason, then closes:
                # read while the socket stays readable, so the close is seen now.
                for _ in range(3):
                    conn.pgconn.consume_input()
                    while conn.pgconn.notifies() is not None:
                        heard = True
                    if not self._select.select([self._socket or conn.fileno()], [], [], 0)[0]:
                        break
            except (self._db.error, OSError, ValueError):  # the connection went: let the
                self._unwatch_socket()                      # page look (it reconnects)
                return True
            return heard

    def close(self) -> None:
        with self._lock:
            with contextlib.suppress(ValueError):
                self._db.notices.remove(self)
            conn = self._db.conn
            if self._conn is not None:
                with contextlib.suppress(ValueError):
                    self._conn.remove_notify_handler(self._heard)
            if not conn.closed and not conn.broken:
                with contextlib.suppress(self._db.error):
                    conn.execute(f"UNLISTEN {self._db.ident}")
            self._unwatch_socket()
            self._poll.close()
            for fd in (self._wake_read, self._wake_write):
                with contextlib.suppress(OSError):
                    os.close(fd)


def _backend(folder: Path, database: str | None, create: bool):
    url = database_url(database)
    if url is None:
        return _SQLiteBackend(folder, create)
    return _PostgreSQLBackend(url, workshop_name(folder), create)


class Transaction:
    """Reads and writes inside one database transaction (see :meth:`Store.transaction`)."""

    def __init__(self, db, clock: Callable[[], str], writable: bool):
        self._db = db
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
        values = [self._db.adapt(t, c, checked[c]) for c in cols]
        cur = self._execute(self._db.insert_sql(t, cols), values)
        key = self._db.new_key(t, cur)
        self.changed = True
        return checked.get(t.primary_key, key)

    def update(self, table: str, where: dict, changes: dict) -> int:
        """Change ``changes`` in the rows matching ``where``; return how many changed."""
        self._writing()
        t = self._table(table)
        checked = t.check_row(changes, partial=True)
        if not checked:
            return 0
        clause, params = self._where(t, where)
        mark = self._db.mark
        sets = ", ".join(f"{c} = {mark}" for c in checked)
        cur = self._execute(f"UPDATE {t.name} SET {sets}{clause}",
                            [*(self._db.adapt(t, c, v) for c, v in checked.items()), *params])
        if cur.rowcount:
            self.changed = True
        return cur.rowcount

    def upsert(self, table: str, where: dict, changes: dict, *,
               new: dict | None = None) -> None:
        """Change ``changes`` in the rows matching ``where``, or insert one row of
        ``where``, ``changes`` and ``new`` (what only a new row gets, such as its credit)
        when none matches. Inside the transaction, so two pages never both insert."""
        if self.count(table, where):
            self.update(table, where, changes)
        else:
            self.insert(table, {**where, **changes, **(new or {})})

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
                            f"ORDER BY {self._db.order(t, order)}", params)
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
        mark = self._db.mark
        for column, value in where.items():
            if column not in t.columns:
                raise SchemaError(f"{t.name} has no column {column}")
            if value is None:
                parts.append(f"{column} IS NULL")
            elif isinstance(value, list | tuple | set):
                values = [v for v in value if not _unstorable(v)]
                if not values:
                    parts.append(self._db.nothing)
                    continue
                parts.append(f"{column} IN ({', '.join(mark for _ in values)})")
                params.extend(self._db.adapt(t, column, v) for v in values)
            elif _unstorable(value):
                parts.append(self._db.nothing)
            else:
                parts.append(f"{column} = {mark}")
                params.append(self._db.adapt(t, column, value))
        return (" WHERE " + " AND ".join(parts)) if parts else "", params

    def _execute(self, sql: str, params: list):
        try:
            return self._db.execute(sql, params)
        except self._db.integrity_error as error:
            raise Conflict("That clashes with something already saved.") from error


class Store:
    """One workshop's database. Open with :meth:`open` or :meth:`create`.

    Parameters
    ----------
    path:
        The workshop folder (it holds ``workshop.sqlite``). With a database URL,
        its last part names the workshop in that database.
    clock:
        Returns the current time as ISO 8601 UTC; the demo passes a fixed
        clock so that reruns give the same data.
    ids:
        Makes a new id from a prefix; by default random (:func:`new_id`), the
        demo passes a seeded one.
    database:
        A PostgreSQL URL, :data:`SQLITE`, or None (the default) for the setting
        :data:`DATABASE_URL_ENV`, and SQLite when that is not set.
    """

    def __init__(self, path: Path, *, clock: Callable[[], str] = utc_now,
                 ids: Callable[[str], str] = new_id, database: str | None = None,
                 _create: bool = False):
        self.folder = Path(path)
        self.clock = clock
        self.new_id = ids
        self._lock = threading.RLock()
        self._db = _backend(self.folder, database, _create)
        self.backend = self._db.kind
        self.database = getattr(self._db, "url", SQLITE)
        #: The SQLite file, or None when the workshop is in PostgreSQL.
        self.path = self._db.path
        self._conn = self._db.conn
        try:
            self._migrate(_create)
        except self._db.error as error:
            self._db.close()
            raise StoreError(self._db.plain(error)) from error
        except BaseException:
            self._db.close()
            raise

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
        store = cls._empty(path, **kw)
        try:
            with store.transaction() as tx:
                tx.insert("workshop", {
                    "workshop_id": store.new_id("w"), "title": title,
                    "code": code or secrets.token_hex(3).upper(),
                    "group_name": group_name, "is_demo": is_demo, "extra_places": 0,
                    **WORKSHOP_DEFAULTS, **(settings or {}),
                })
        except BaseException:
            store.close()
            raise
        return store

    @classmethod
    def _empty(cls, path: Path | str, **kw) -> "Store":
        """A new workshop with its tables and no rows (see :meth:`create`)."""
        folder = Path(path).expanduser().resolve()
        if database_url(kw.get("database")) is None:
            if (folder / DATABASE_NAME).exists():
                raise StoreError(f"There is already a workshop at {folder}.")
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"The folder {folder} could not be made.") from error
        return cls(folder, _create=True, **kw)

    def describe(self) -> str:
        """Where the workshop is kept, for people to read (never a password)."""
        if self.backend == SQLITE:
            return f"the file {self.path}"
        return f"the workshop '{self._db.name}' in {describe_database(self.database)}"

    def _current_version(self) -> int | None:
        """The file's schema version, read without taking the write lock (None: new file)."""
        return self._db.current_version()

    def _migrate(self, create: bool) -> None:
        """Create or migrate the tables; an up-to-date file is only read.

        Every page opens the store when it starts, so a whole room opening it at
        once must not queue on the write lock just to learn nothing needs doing.
        A workshop from a newer kit, or one with no tables of the kit's at all, is
        refused before anything is written.
        """
        version = self._current_version()
        if version == SCHEMA_VERSION:
            return
        if version is not None and version > SCHEMA_VERSION:
            raise StoreError(NEWER)
        if version is None and not create:
            raise DamagedWorkshop(NOT_A_WORKSHOP.format(file=f" {self.path}") if self.path
                                  else DATABASE_NOT_A_WORKSHOP.format(name=self._db.name))
        db = self._db
        db.begin_migration()
        try:
            db.create_bookkeeping()
            row = db.execute("SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
            version = int(row[0]) if row else None
            if version is not None and version > SCHEMA_VERSION:
                raise StoreError(NEWER)
            if version is None:
                db.create_tables()
            else:
                while version < SCHEMA_VERSION:
                    log.info("migrating workshop schema from version %d", version)
                    MIGRATIONS[version](db.conn)
                    version += 1
            db.set_meta("schema_version", str(SCHEMA_VERSION))
            db.commit()
        except BaseException:
            db.rollback()
            raise

    # -- reading and writing ----------------------------------------------
    @contextlib.contextmanager
    def transaction(self, *, write: bool = True) -> Iterator[Transaction]:
        """One atomic unit of work; bumps the revision if anything changed.

        Writers queue on the workshop's write lock (SQLite's ``BEGIN IMMEDIATE``
        with a busy timeout; in PostgreSQL a lock on the revision row), so several
        kernels writing at once lose nothing. With ``write=False`` it is a read
        snapshot that never waits for writers.
        """
        db = self._db
        with self._lock:
            tx = Transaction(db, self.clock, writable=write)
            try:
                db.begin(write)
            except db.error as error:
                log.warning("could not start a write: %s", type(error).__name__)
                if db.in_transaction:
                    db.rollback()
                raise StoreError(db.plain(error)) from error
            try:
                yield tx
                if tx.changed:
                    db.bump()
                db.commit()
            except BaseException as error:
                with contextlib.suppress(db.error):
                    if db.in_transaction:
                        db.rollback()
                if isinstance(error, db.error) and not isinstance(error, db.integrity_error):
                    log.warning("write failed: %s", type(error).__name__)
                    raise StoreError(db.plain(error)) from error
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

    def compact(self, wait: float = 1.0) -> bool:
        """Rewrite the stored tables so deleted data cannot be read back from them.

        SQLite: ``secure_delete`` already zeroes deleted content; VACUUM rebuilds the
        file and a TRUNCATE checkpoint empties the write-ahead log. PostgreSQL:
        VACUUM FULL of every table of the workshop (see ``deploy/README.md`` for what
        that does not reach: the server's write-ahead log, its archive and backups).

        Another program reading an older snapshot keeps the old pages until it ends.
        It is waited for up to ``wait`` seconds without holding up anyone's saves; True
        when everything is cleared, False when that reader is still there (call again).
        """
        with self._lock:
            try:
                return self._db.compact(time.monotonic() + max(0.0, wait))
            except self._db.error as error:
                raise StoreError(self._db.plain(error)) from error

    def revision(self) -> int:
        """The change counter: one small query, cheap enough to poll several times a second."""
        with self._lock:
            try:
                if self.backend != SQLITE:
                    self._db._ensure_connected()
                return self._db.execute("SELECT value FROM revision WHERE id = 1").fetchone()[0]
            except self._db.error as error:
                raise StoreError(self._db.plain(error)) from error

    def change_notices(self):
        """Something an event loop can wait on that wakes when the workshop is written.

        A :class:`coproduction.store.changes.FolderWatch` on the database file and its
        write-ahead log; in PostgreSQL, a LISTEN on the workshop's channel, which every
        write transaction NOTIFYs as it commits, from any server. None where neither
        can be watched (then poll :meth:`revision`). A notice is a hint to read the
        revision, never a change itself.
        """
        if self.backend != SQLITE:
            return _DatabaseNotices.make(self)
        from .changes import watch_folder

        return watch_folder(self.folder, {DATABASE_NAME, f"{DATABASE_NAME}-wal"})

    def location(self) -> str:
        """Where this workshop's data lives: its database file, or its schema in a
        PostgreSQL database (no password). A copy of the folder is somewhere else."""
        if self.path is not None:
            return str(Path(self.path).resolve())
        return f"{describe_database(self._db.url)}, workshop {self._db.name}"

    def workshop(self) -> dict:
        rows = self.select("workshop")
        if not rows:  # its one row is gone: no command can go on with it
            if self.path is None:
                raise DamagedWorkshop(DATABASE_NOT_A_WORKSHOP.format(name=self._db.name))
            raise DamagedWorkshop(DAMAGED.format(file=f" {self.path}",
                                                 where=" (its workshop row is missing)"))
        return rows[0]

    def others_connected(self) -> int | None:
        """How many other connections have this workshop open right now (pages, the
        console, commands); None for SQLite, which cannot tell."""
        if self.backend == SQLITE:
            return None
        with self._lock:
            try:
                return self._db.others_connected()
            except self._db.error as error:
                raise StoreError(self._db.plain(error)) from error

    def schema_version(self) -> int:
        with self._lock:
            row = self._db.execute(
                "SELECT value FROM meta WHERE key = 'schema_version'").fetchone()
        return int(row[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


# --- whole workshops: is it there, remove it, copy it to the other backend ---------------


def workshop_exists(path: Path | str, *, database: str | None = None) -> bool:
    """Whether there is a workshop at ``path`` (in the database, when one is set)."""
    url = database_url(database)
    if url is None:
        return (Path(path) / DATABASE_NAME).is_file()
    try:
        Store.open(path, database=url).close()
    except StoreError as error:
        if str(error).startswith("There is no workshop"):
            return False
        raise
    return True


def workshop_names(database: str) -> list[str]:
    """The names of the workshops in a PostgreSQL database (a SQLite workshop is a folder)."""
    url = database_url(database)
    if url is None:
        raise StoreError("Only a database holds several workshops; give its URL.")
    import psycopg

    conn = _connect_postgresql(url, "coproduction")
    try:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s "
                            "ORDER BY nspname", (SCHEMA_PREFIX.replace("_", "\\_") + "%",)
                            ).fetchall()
    except psycopg.Error as error:
        raise StoreError(_plain_postgresql(error)) from error
    finally:
        conn.close()
    return [name.removeprefix(SCHEMA_PREFIX) for (name,) in rows]


def remove_workshop(path: Path | str, *, database: str | None = None) -> None:
    """Remove a workshop's database: its SQLite files, or its schema in PostgreSQL.

    The SQLite files are overwritten with zeros before they are deleted (on an SSD
    or a copy-on-write disk the old blocks may survive: use full-disk encryption). Any
    other file in the folder, and the folder itself, is left.
    """
    url = database_url(database)
    if url is None:
        folder = Path(path)
        # SQLite's own files only: a copy someone saved as workshop.sqlite-old stays.
        for file in [folder / (DATABASE_NAME + end) for end in ("", "-wal", "-shm", "-journal")]:
            if file.is_file():
                size = file.stat().st_size
                with file.open("r+b") as handle:
                    handle.write(b"\0" * size)
                    handle.flush()
                    os.fsync(handle.fileno())
                file.unlink()
        return
    store = Store.open(path, database=url)
    try:
        with store._lock:
            try:
                store._db.drop()
            except store._db.error as error:
                raise StoreError(store._db.plain(error)) from error
    finally:
        store.close()


def copy_workshop(source: Store, target_path: Path | str, *,
                  database: str | None = None) -> dict[str, int]:
    """Copy every row of ``source`` into a new workshop, compare, return rows per table.

    The target (at ``target_path``, on the backend ``database`` names) gets the same
    rows with the same numbers, the same revision and the same id counters, so
    nothing a later session reads changes. The source is held with its write lock
    throughout, so no page can change it halfway. Then every table is read back
    from both and compared row by row; on any difference or failure the new copy is
    removed again and :class:`StoreError` says so. The source is never changed.
    """
    target = Store._empty(target_path, clock=source.clock, ids=source.new_id,
                          database=database)
    try:
        counts: dict[str, int] = {}
        with source.transaction() as src:  # the write lock: nobody changes it meanwhile
            revision = source._db.execute(
                "SELECT value FROM revision WHERE id = 1").fetchone()[0]
            counters = source._db.counters()
            with target.transaction() as dst:
                for name in TABLES:
                    rows = src.select(name)
                    for row in rows:
                        dst.insert(name, row)
                    counts[name] = len(rows)
                for name, value in counters.items():
                    target._db.set_counter(name, value)
                dst.changed = False
                target._db.execute("UPDATE revision SET value = " + target._db.mark +
                                   " WHERE id = 1", (revision,))
            with target.read() as copied:
                for name in TABLES:
                    if src.select(name) != copied.select(name):
                        raise StoreError(f"The copy of the table {name} differs from the "
                                         "original, so nothing was moved.")
            if target.revision() != revision:
                raise StoreError("The copy's revision differs from the original, so nothing "
                                 "was moved.")
            copied_counters = target._db.counters()
            for name, value in counters.items():
                if copied_counters.get(name, 0) < value:
                    raise StoreError(f"The numbering of {name} did not carry over, so "
                                     "nothing was moved.")
    except BaseException:
        folder, url = target.folder, target.database
        target.close()
        with contextlib.suppress(StoreError):
            remove_workshop(folder, database=url)
        raise
    target.close()
    return counts
