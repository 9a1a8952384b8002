"""The SQLite backend: one file in the workshop folder (the default).

A backend owns one connection and speaks its own SQL for the few things that differ
(placeholders, beginning a transaction, returning a new key, ordering of empty values,
creating tables, counters, compacting); :class:`coproduction.store.workshop.Store` does
the rest the same on both. This module also reads a damaged file's first bytes, so a
facilitator is told what happened in plain words before SQLite is asked anything.

An encrypted workshop (:mod:`.encryption`) is the same file opened through SQLCipher's
SQLite (``sqlcipher3``) with its key; a plain one through Python's own ``sqlite3``.
"""

from __future__ import annotations

import contextlib
import re
import sqlite3
import time
from pathlib import Path

from . import errors
from .encryption import (
    WRONG_PASSPHRASE,
    WorkshopKey,
    cipher_driver,
    is_encrypted,
    key_fits,
    known_key,
    mark_encrypted,
    needs_passphrase,
)
from .errors import (
    BUSY,
    DAMAGED,
    EMPTY,
    NOT_A_WORKSHOP,
    NOT_SAVED,
    NOT_SQLITE,
    DamagedWorkshop,
    StoreError,
)
from .location import DATABASE_NAME, KEPT_FILES, SQLITE
from .on_disk import open_private, refuse_if_open_to_others
from .schema import TABLES, Table

_SQLITE_MAGIC = b"SQLite format 3\x00"


class NeedsPassphrase(StoreError):
    """The workshop is encrypted and this process holds no key for it."""


class WrongPassphrase(StoreError):
    """The key this process was given does not open the workshop's file."""


def _check_header(path: Path, encrypted: bool = False) -> None:
    """The cheap checks, before SQLite opens the file: is it empty, is it SQLite at all
    (an encrypted file's first bytes are its salt, not SQLite's header)."""
    try:
        with path.open("rb") as handle:
            header = handle.read(100)
    except OSError as error:
        raise StoreError(f"The workshop file {path} could not be read.") from error
    if not header:
        raise DamagedWorkshop(EMPTY.format(file=f" {path}"))
    if encrypted:
        return
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


def _is_corrupt(error: Exception) -> bool:
    name = getattr(error, "sqlite_errorname", "") or ""
    return name.startswith("SQLITE_CORRUPT") or "malformed" in str(error).lower()


def plain_sqlite(error: Exception, path: Path | None = None) -> str:
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


class SQLiteBackend:
    """One SQLite file in the workshop folder: WAL, a busy timeout, foreign keys,
    ``secure_delete``; writers queue on ``BEGIN IMMEDIATE``."""

    kind = SQLITE
    mark = "?"
    nothing = "0"  # a WHERE clause that matches no row

    def __init__(self, folder: Path, create: bool, key: WorkshopKey | None = None):
        self.path = folder / DATABASE_NAME
        if create:  # SQLite gives the files it keeps beside it the same permissions
            open_private(self.path, "ab").close()
            if key is not None:
                mark_encrypted(folder, key)
        else:
            if not self.path.is_file():
                raise StoreError(f"There is no workshop at {folder}.")
            refuse_if_open_to_others(folder, KEPT_FILES)
            _check_header(self.path, is_encrypted(folder))
            if is_encrypted(folder):
                key = known_key(folder)
                if key is None:
                    raise NeedsPassphrase(needs_passphrase(folder))
        #: An encrypted file is opened with SQLCipher's SQLite; its errors are its own.
        self.encrypted, self.key = key is not None, key
        self._driver = driver = cipher_driver() if self.encrypted else sqlite3
        self.error, self.integrity_error = driver.Error, driver.IntegrityError
        self._operational = driver.OperationalError
        try:
            self.conn = driver.connect(self.path, timeout=errors.BUSY_TIMEOUT_MS / 1000,
                                       isolation_level=None, check_same_thread=False)
            if self.encrypted:
                self._unlock(key, folder)
            self.conn.execute(f"PRAGMA busy_timeout = {errors.BUSY_TIMEOUT_MS}")
            if not create:
                self._check_whole()  # before anything that could write to the file
            for pragma in ("journal_mode = WAL", "foreign_keys = ON", "secure_delete = ON",
                           "synchronous = NORMAL"):
                self.conn.execute(f"PRAGMA {pragma}")
        except driver.DatabaseError as error:
            with contextlib.suppress(AttributeError, driver.Error):
                self.conn.close()
            raise StoreError(plain_sqlite(error, self.path)) from error
        except StoreError:
            self.conn.close()
            raise

    @staticmethod
    def _give_key(conn, key: WorkshopKey) -> None:
        conn.execute("PRAGMA cipher_log_level = NONE")  # else it writes its own lines
        conn.execute(f"PRAGMA key = {key.pragma}")

    def _unlock(self, key: WorkshopKey, folder: Path) -> None:
        """Give SQLCipher the key. A key that does not open the file fails on the first
        page; the note's check says whether that is the key's fault or the file's."""
        fits = key_fits(folder, key)
        if fits is False:
            raise WrongPassphrase(WRONG_PASSPHRASE.format(folder=folder))
        self._give_key(self.conn, key)
        try:
            self.conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
        except self.error as error:
            if plain_sqlite(error) != NOT_SQLITE.format(file=""):
                raise
            if fits:
                raise DamagedWorkshop(_damaged(self.path, "page 1")) from error
            raise WrongPassphrase(WRONG_PASSPHRASE.format(folder=folder)) from error

    def _check_whole(self) -> None:
        """Refuse a file that SQLite reads but that is damaged or is not a workshop.

        ``quick_check`` reads every page (well under a millisecond for a workshop of a
        few hundred kilobytes), so a damaged file is found before anything writes to it.
        """
        short = None if self.encrypted else _missing_pages(self.path)
        if short is not None:
            raise DamagedWorkshop(_damaged(self.path, f"page {short}"))
        try:
            findings = [row[0] for row in self.conn.execute("PRAGMA quick_check(5)")]
        except self.error as error:
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
        except self.error:
            return "page 1"  # the list of tables itself starts on the first page
        for name, root in tables:
            try:
                for _row in self.conn.execute(f'SELECT * FROM "{name}"'):
                    pass  # every row read from the table itself, not from an index
            except self.error:
                return f"page {root}"
        return ""

    def plain(self, error: Exception) -> str:
        return plain_sqlite(error, self.path)

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
        except self._operational as error:
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
                except self._operational as error:  # a writer had the lock just then
                    if plain_sqlite(error) != BUSY:
                        raise
                    busy = 1
                if not busy:
                    return True
                if time.monotonic() >= deadline:
                    return False
                time.sleep(errors.CLEAR_RETRY_SECONDS)
        finally:
            self.conn.execute(f"PRAGMA busy_timeout = {errors.BUSY_TIMEOUT_MS}")

    def snapshot(self, path: Path) -> None:
        """The whole file copied to ``path`` in one read snapshot, with the same key."""
        open_private(path, "wb").close()
        target = self._driver.connect(path)
        try:
            if self.key is not None:
                self._give_key(target, self.key)
            self.conn.backup(target)
        finally:
            target.close()

    def close(self) -> None:
        self.conn.close()
