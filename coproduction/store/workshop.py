"""One workshop's store: opened on either backend, its transactions and migrations.

Rows go in and come out as plain dicts, checked against the contracts in
:mod:`coproduction.store.schema`, the same on both backends.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import logging
import os
import secrets
import threading
import time
from pathlib import Path
from typing import Callable, Iterator

from .encryption import WorkshopKey
from .errors import (
    BACKED_UP_BY_DATABASE,
    DAMAGED,
    DATABASE_NOT_A_WORKSHOP,
    IN_DATABASE,
    NEWER,
    NOT_A_WORKSHOP,
    Conflict,
    DamagedWorkshop,
    StoreError,
)
from .location import (
    DATABASE_NAME,
    KEPT_FILES,
    MARK_NAME,
    SQLITE,
    database_url,
    describe_database,
    workshop_folder,
    workshop_name,
)
from .on_disk import make_private, private_folder
from .postgresql import DatabaseNotices, PostgreSQLBackend
from .schema import MIGRATIONS, SCHEMA_VERSION, TABLES, SchemaError, Table
from .sqlite import SQLiteBackend

log = logging.getLogger("coproduction.store")

# A new workshop's settings until the facilitator changes them. The pay rate
# is in line with the hourly rate in NIHR's "Payment guidance for researchers
# and professionals" (version 1.6, August 2024); check the current guidance
# and set your own with `coproduction new --pay-rate`.
WORKSHOP_DEFAULTS = {"after_cutoff": "anonymise", "pay_rate": 25.0, "currency": "GBP",
                     "contact": None, "withdraw_by": None, "keep_until": None,
                     "languages": "en", "screen_language": "en", "forms_language": "en"}


def _unstorable(value: object) -> bool:
    """A text no row can hold (a NUL character: PostgreSQL refuses it, and every text the
    kit stores is cleaned of it), so a lookup by it, forged or not, matches nothing."""
    return isinstance(value, str) and "\x00" in value


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


def _backend(folder: Path, database: str | None, create: bool, key: WorkshopKey | None):
    url = database_url(database)
    if url is None:
        return SQLiteBackend(folder, create, key)
    if key is not None:
        raise StoreError(IN_DATABASE)
    return PostgreSQLBackend(url, workshop_name(folder), create)


class Transaction:
    """Reads and writes inside one database transaction (see :meth:`Store.transaction`)."""

    def __init__(self, db, clock: Callable[[], str], writable: bool):
        self._db = db
        self.now = clock
        self.writable = writable
        self.changed = False
        #: How what a person saves now came (set by core.participants.taking_part): on
        #: their device, or typed in for them; None when nobody is acting as a person.
        self.entry: dict | None = None
        #: True when new wordings and hard words wait for the facilitator (screen_hold).
        self.hold = False

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
        if "read_back" in t.columns:  # every contribution says how it came
            for column, value in (self.entry or {"source": "device"}).items():
                row.setdefault(column, value)
        if "held" in t.columns:
            row.setdefault("held", self.hold)
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
            if self.entry is not None and "read_back" in self._table(table).columns:
                changes = {**changes, **self.entry}  # given again: it came this way now
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
    key:
        For a new workshop: encrypt its file with this key (:mod:`.encryption`). An
        encrypted workshop opens with the key this process holds for it.
    """

    def __init__(self, path: Path, *, clock: Callable[[], str] = utc_now,
                 ids: Callable[[str], str] = new_id, database: str | None = None,
                 key: WorkshopKey | None = None, _create: bool = False):
        self.folder = Path(path)
        self.clock = clock
        self.new_id = ids
        self._lock = threading.RLock()
        self._db = _backend(self.folder, database, _create, key if _create else None)
        #: Whether the workshop's file is encrypted.
        self.encrypted = getattr(self._db, "encrypted", False)
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
        folder = Path(path).expanduser().resolve()
        made_folder = database_url(kw.get("database")) is None and not folder.exists()
        store = cls._empty(path, **kw)
        try:
            with store.transaction() as tx:
                tx.insert("workshop", {
                    "workshop_id": store.new_id("w"), "title": title,
                    "code": code or secrets.token_hex(3).upper(),
                    "group_name": group_name, "is_demo": is_demo, "extra_places": 0,
                    "screen": "follow", "screen_hold": False, "opinions_shared": False,
                    **WORKSHOP_DEFAULTS, **(settings or {}),
                })
        except BaseException:
            store.close()
            discard_new_workshop(folder, made_folder=made_folder, database=kw.get("database"))
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
                private_folder(folder)
                make_private(folder)  # it becomes a workshop: this account's alone
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

    def meta(self, key: str) -> str | None:
        """One of the workshop's own notes (kept beside its tables, never exported)."""
        with self._lock:
            row = self._db.execute(f"SELECT value FROM meta WHERE key = {self._db.mark}",
                                   (key,)).fetchone()
        return row[0] if row else None

    def set_meta(self, key: str, value: str) -> None:
        with self.transaction() as tx:
            self._db.set_meta(key, value)
            tx.changed = False

    def snapshot(self, path: Path) -> None:
        """A consistent copy of the whole SQLite file at ``path`` (SQLite's online backup,
        in one read snapshot: pages go on saving meanwhile), encrypted as the file is."""
        if self.backend != SQLITE:
            raise StoreError(BACKED_UP_BY_DATABASE)
        with self._lock:
            try:
                self._db.snapshot(path)
            except self._db.error as error:
                raise StoreError(self._db.plain(error)) from error

    @property
    def key(self) -> WorkshopKey | None:
        """The key of an encrypted workshop's file (None for a plain one)."""
        return getattr(self._db, "key", None)

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
            return DatabaseNotices.make(self._db, self._lock)
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
        for file in [folder / name for name in KEPT_FILES]:
            if file.is_file():
                overwrite_and_remove(file)
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


def discard_new_workshop(path: Path | str, *, made_folder: bool,
                         database: str | None = None) -> None:
    """Undo a workshop made a moment ago that could not be finished, so no half-made
    workshop is left to trip over: its database goes, and its folder too when the kit
    made it and nothing else is in it."""
    remove_workshop(path, database=database)
    if made_folder:
        with contextlib.suppress(OSError):
            Path(path).rmdir()


def copy_workshop(source: Store, target_path: Path | str, *, database: str | None = None,
                  key: WorkshopKey | None = None) -> dict[str, int]:
    """Copy every row of ``source`` into a new workshop, compare, return rows per table.

    The target (at ``target_path``, on the backend ``database`` names) gets the same
    rows with the same numbers, the same revision and the same id counters, so
    nothing a later session reads changes. The source is held with its write lock
    throughout, so no page can change it halfway. Then every table is read back
    from both and compared row by row; on any difference or failure the new copy is
    removed again and :class:`StoreError` says so. The source is never changed. With
    ``key``, the copy (a SQLite file) is encrypted with it.
    """
    target = Store._empty(target_path, clock=source.clock, ids=source.new_id,
                          database=database, key=key)
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


def change_encryption(path: Path | str, key: WorkshopKey | None) -> dict[str, int]:
    """Encrypt a SQLite workshop's file with ``key``, or with None decrypt it; return
    rows per table.

    Every row is copied into a new file beside the old one and read back and compared
    (:func:`copy_workshop`); only then does the new file take the old one's place, in
    one step, and the old one is overwritten with zeros before it goes. Refused while
    another program has the workshop open.
    """
    folder = workshop_folder(path)
    source = Store.open(folder, database=SQLITE)
    if source.encrypted == (key is not None):
        source.close()
        raise StoreError(f"The workshop at {folder} is already "
                         + ("encrypted." if key is not None else "not encrypted."))
    staging = folder / f".converting-{secrets.token_hex(4)}"
    try:
        with source:
            counts = copy_workshop(source, staging, database=SQLITE, key=key)
        if any((folder / name).exists() for name in KEPT_FILES[1:3]):
            raise StoreError(STILL_OPEN.format(folder=folder))
        old = folder / f"{DATABASE_NAME}.old"
        os.link(folder / DATABASE_NAME, old)  # to be zeroed once the new file is in place
        if key is not None:
            os.replace(staging / MARK_NAME, folder / MARK_NAME)
        os.replace(staging / DATABASE_NAME, folder / DATABASE_NAME)
        if key is None:
            (folder / MARK_NAME).unlink(missing_ok=True)
        overwrite_and_remove(old)
    finally:
        with contextlib.suppress(StoreError, OSError):
            remove_workshop(staging, database=SQLITE)
            staging.rmdir()
    return counts


STILL_OPEN = ("Another program still has the workshop at {folder} open (a running "
              "'coproduction serve', a notebook): stop it, then try again. Nothing was "
              "changed.")


def overwrite_and_remove(file: Path) -> None:
    """Overwrite a file with zeros, then remove it (see :func:`remove_workshop`)."""
    size = file.stat().st_size
    with file.open("r+b") as handle:
        handle.write(b"\0" * size)
        handle.flush()
        os.fsync(handle.fileno())
    file.unlink()
