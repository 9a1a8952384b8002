"""The two backends in tests: which PostgreSQL to use, and what is really stored.

- :func:`postgresql_url` - the test server's URL from ``COPRODUCTION_TEST_DATABASE_URL``;
  without one (or when it does not answer) PostgreSQL tests are skipped locally and
  fail in CI (``CI=true``), as :func:`harness.require_chromium` does for Chromium.
  Start a throw-away server with ``tests/postgresql.sh`` (``.ci/run`` does).
- :func:`stored_bytes` - every byte the workshop's tables occupy on disk: the SQLite
  file and its WAL, or the PostgreSQL files of the workshop's tables, indexes and
  TOAST, after a CHECKPOINT has written them out.
- :func:`raw_tables` - every table of the workshop as raw tuples, bookkeeping included.
- :class:`Snapshot` - another program holding a read snapshot of the workshop.
- :func:`workshop_schemas` / :func:`drop_schemas_except` - clean up after a test.

Tests never use ``COPRODUCTION_DATABASE_URL`` from the machine: conftest clears it, so
no test can reach a real workshop's database.
"""

from __future__ import annotations

import contextlib
import functools
import os
from pathlib import Path

import pytest

TEST_URL_ENV = "COPRODUCTION_TEST_DATABASE_URL"


def _in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@functools.lru_cache(maxsize=1)
def _reachable(url: str) -> str:
    """'' when the server answers, else why not (without the URL)."""
    try:
        import psycopg
    except ImportError:
        return "psycopg is not installed"
    try:
        with psycopg.connect(url, connect_timeout=5, autocommit=True) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as error:
        return f"the PostgreSQL server for the tests does not answer ({type(error).__name__})"
    return ""


def postgresql_url() -> str:
    """The test database's URL; skip without one locally, fail in CI."""
    url = os.environ.get(TEST_URL_ENV, "").strip()
    problem = "" if url else (f"{TEST_URL_ENV} is not set (start a server with "
                              "'env=$(sh tests/postgresql.sh start) && eval \"$env\"')")
    problem = problem or _reachable(url)
    if problem:
        if _in_ci():
            pytest.fail(problem)
        pytest.skip(problem)
    return url


def connect(url: str):
    import psycopg

    return psycopg.connect(url, autocommit=True, connect_timeout=10)


def workshop_schemas(url: str) -> set[str]:
    with connect(url) as conn:
        return {name for (name,) in conn.execute(
            "SELECT nspname FROM pg_namespace WHERE nspname LIKE 'workshop\\_%'")}


def drop_schemas_except(url: str, keep: set[str]) -> None:
    """Drop every workshop schema a test made (the test database is the tests' own)."""
    with connect(url) as conn:
        conn.execute("SET lock_timeout = '20s'")
        for name in sorted(workshop_schemas(url) - keep):
            conn.execute(f'DROP SCHEMA "{name}" CASCADE')


def _schema(store) -> str:
    return store._db.schema


class Snapshot:
    """Another program reading the workshop, with a read snapshot held open (an
    evaluator's notebook, a backup tool), on either backend; :meth:`let_go` ends it."""

    def __init__(self, store):
        if store.backend == "sqlite":
            import sqlite3

            self.conn = sqlite3.connect(store.path, isolation_level=None)
            self.conn.execute("BEGIN")
        else:
            self.conn = connect(store.database)
            self.conn.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
            self.conn.execute(f'SET search_path TO "{_schema(store)}"')
        self.conn.execute("SELECT count(*) FROM participants").fetchone()  # taken now
        self.backend = store.backend

    def let_go(self) -> None:
        self.conn.execute("COMMIT" if self.backend == "sqlite" else "ROLLBACK")
        self.conn.close()


def stored_bytes(store) -> bytes:
    """Every byte of the workshop as the disk holds it (see the module docstring)."""
    if store.backend == "sqlite":
        files = [store.path, *sorted(store.folder.glob("workshop.sqlite-*"))]
        return b"".join(f.read_bytes() for f in files if f.is_file())
    with connect(store.database) as conn:
        conn.execute("CHECKPOINT")  # what is only in shared memory is written to the files
        folder = Path(conn.execute("SHOW data_directory").fetchone()[0])
        relations = [row[0] for row in conn.execute(
            """
            WITH own AS (
                SELECT c.oid, c.reltoastrelid FROM pg_class c
                JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = %s
            )
            SELECT pg_relation_filepath(oid) FROM own
            UNION SELECT pg_relation_filepath(reltoastrelid) FROM own WHERE reltoastrelid <> 0
            UNION SELECT pg_relation_filepath(i.indexrelid) FROM pg_index i
                  JOIN own ON i.indrelid = own.reltoastrelid
            """, (_schema(store),)) if row[0]]
    data = b""
    for relation in relations:
        base = folder / relation
        try:
            segments = [base, *sorted(base.parent.glob(base.name + ".[0-9]*"))]
            data += b"".join(s.read_bytes() for s in segments if s.exists())
        except PermissionError:
            message = f"this user cannot read the PostgreSQL data folder {folder}"
            if _in_ci():
                pytest.fail(message)
            pytest.skip(message)
    assert relations and data, "found none of the workshop's files"
    return data


def raw_tables(store) -> dict[str, list[tuple]]:
    """Every table of the workshop's database with its rows, as stored."""
    if store.backend == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(store.path)) as raw:
            names = [n for (n,) in raw.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table'")]
            return {n: list(raw.execute(f"SELECT * FROM {n}")) for n in names}
    with connect(store.database) as conn:
        names = [n for (n,) in conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = %s", (_schema(store),))]
        return {n: list(conn.execute(f'SELECT * FROM "{_schema(store)}".{n}')) for n in names}


def columns(store, table: str) -> list[str]:
    """The columns of a stored table, in their order."""
    if store.backend == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(store.path)) as raw:
            return [r[1] for r in raw.execute(f"PRAGMA table_info({table})")]
    with connect(store.database) as conn:
        return [n for (n,) in conn.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = %s "
            "AND table_name = %s ORDER BY ordinal_position", (_schema(store), table))]


def sound(store) -> bool:
    """The database reports no damage (SQLite's integrity check; PostgreSQL's amcheck
    is an extension the kit does not ask for, so every table must simply be readable)."""
    if store.backend == "sqlite":
        import sqlite3

        with contextlib.closing(sqlite3.connect(store.path)) as raw:
            return raw.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    return all(isinstance(rows, list) for rows in raw_tables(store).values())

