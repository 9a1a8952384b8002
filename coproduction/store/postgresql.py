"""The PostgreSQL backend: one schema per workshop in a shared database.

Used when the setting ``COPRODUCTION_DATABASE_URL`` holds a PostgreSQL URL, so several
Voilà servers on several machines can serve one workshop. The driver (psycopg) is
imported only here and only when a database URL is used, so participant kernels of a
SQLite workshop never load it. :class:`DatabaseNotices` wakes pages when another server
writes (LISTEN/NOTIFY).
"""

from __future__ import annotations

import contextlib
import logging
import os
import re
import threading
import time

from . import errors
from .errors import BUSY, NOT_SAVED, StoreError
from .location import SCHEMA_PREFIX, database_url, describe_database
from .schema import TABLES, Table

log = logging.getLogger("coproduction.store")


def plain_postgresql(error: Exception) -> str:
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


def connect(url: str, application: str):
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
        elif "certificate" in text or "ssl" in text:
            message = (f"{describe_database(url)} answered, but its TLS certificate could "
                       "not be checked (sslmode=verify-full): check that sslrootcert names "
                       "the authority that signed it and that the host is the one in the "
                       "certificate. Nothing was changed.")
        else:
            message = (f"{describe_database(url)} cannot be reached. Check the database URL "
                       "and that the server is running.")
        raise StoreError(message[0].upper() + message[1:]) from None


class PostgreSQLBackend:
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
        self.notices: list[DatabaseNotices] = []
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
        conn = connect(self.url, self.application)
        # Only the workshop's own schema is on the path: a table the kit forgot to make
        # is an error here, never a table of the same name somewhere else.
        conn.execute(f"SET search_path TO {self.ident}; "
                     f"SET lock_timeout = '{int(errors.BUSY_TIMEOUT_MS)}ms'; "
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
        return plain_postgresql(error)

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
                    time.sleep(errors.CLEAR_RETRY_SECONDS)
            return True
        finally:
            self.conn.remove_notice_handler(listen)
            if not self.conn.closed and not self.conn.broken:
                self.conn.execute(f"SET lock_timeout = '{int(errors.BUSY_TIMEOUT_MS)}ms'")

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


class DatabaseNotices:
    """Readable (:meth:`fileno`) when a commit to the workshop was announced in PostgreSQL.

    The page's own connection LISTENs on the workshop's channel, so a page holds one
    connection, not two. A notification arrives either while the connection is idle
    (its socket becomes readable) or in the middle of one of the page's own queries
    (psycopg hands it to :meth:`_heard`, which wakes a pipe). One epoll set watches
    both, so the event loop waits on a single descriptor, as with
    :class:`coproduction.store.changes.FolderWatch`. Linux only; elsewhere pages poll.
    """

    def __init__(self, db: PostgreSQLBackend, lock: threading.RLock):
        import select

        self._select = select
        self._db = db
        self._lock = lock
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
    def make(cls, db: PostgreSQLBackend, lock: threading.RLock) -> DatabaseNotices | None:
        """Notices on the store's connection ``db`` (``lock`` guards it), or None where
        they cannot be had."""
        try:
            with lock:
                return cls(db, lock)
        except (AttributeError, OSError, db.error) as error:  # pages poll instead
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


def workshop_names(database: str) -> list[str]:
    """The names of the workshops in a PostgreSQL database (a SQLite workshop is a folder)."""
    url = database_url(database)
    if url is None:
        raise StoreError("Only a database holds several workshops; give its URL.")
    import psycopg

    conn = connect(url, "coproduction")
    try:
        rows = conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE %s "
                            "ORDER BY nspname", (SCHEMA_PREFIX.replace("_", "\\_") + "%",)
                            ).fetchall()
    except psycopg.Error as error:
        raise StoreError(plain_postgresql(error)) from error
    finally:
        conn.close()
    return [name.removeprefix(SCHEMA_PREFIX) for (name,) in rows]
