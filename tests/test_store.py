"""The store: schema, pragmas, revision counter, migrations and concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest

from coproduction import schema
from coproduction.store import Conflict, Store, StoreError


def test_database_settings(store):
    conn = sqlite3.connect(store.path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    store_conn = store._conn
    assert store_conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert store_conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert store_conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    assert store.schema_version() == schema.SCHEMA_VERSION


def test_every_declared_table_exists_with_its_columns(store):
    conn = sqlite3.connect(store.path)
    for table in schema.TABLES.values():
        cols = [r[1] for r in conn.execute(f"PRAGMA table_info({table.name})")]
        assert cols == table.columns


def test_revision_moves_only_when_something_changed(store):
    before = store.revision()
    sid = store.insert("sessions", {"activity": "language", "title": "One",
                                    "status": "planned"})
    assert store.revision() == before + 1
    store.update("sessions", {"session_id": sid + 100}, {"title": "nothing matches"})
    assert store.revision() == before + 1
    with store.read() as tx:
        tx.select("sessions")
    assert store.revision() == before + 1


def test_rows_are_checked_against_their_contract(store):
    with pytest.raises(schema.SchemaError):
        store.insert("sessions", {"activity": "dancing", "title": "x", "status": "planned"})
    with pytest.raises(schema.SchemaError):
        store.insert("sessions", {"activity": "language", "title": 5, "status": "planned"})
    with pytest.raises(schema.SchemaError):
        store.insert("sessions", {"activity": "language", "title": "x", "status": "open",
                                  "colour": "red"})
    assert store.select("sessions") == []


def test_a_failed_transaction_leaves_nothing_behind(store):
    before = store.revision()
    with pytest.raises(RuntimeError):
        with store.transaction() as tx:
            tx.insert("sessions", {"activity": "language", "title": "x", "status": "planned"})
            raise RuntimeError("boom")
    assert store.select("sessions") == []
    assert store.revision() == before


def test_foreign_keys_are_enforced(store):
    with pytest.raises(Conflict):
        store.insert("texts", {"session_id": 999, "title": "t", "body": "b"})


def test_booleans_round_trip(store):
    assert store.workshop()["is_demo"] is False


def test_opening_a_missing_workshop_is_a_plain_error(tmp_path):
    with pytest.raises(StoreError, match="no workshop"):
        Store.open(tmp_path / "nowhere")


def test_creating_over_an_existing_workshop_is_refused(store):
    with pytest.raises(StoreError, match="already a workshop"):
        Store.create(store.folder, title="again")


def test_a_newer_schema_is_refused(store):
    store._conn.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer version"):
        Store.open(store.folder)


def test_migrations_run_forward(store, monkeypatch):
    """A workshop at version N is taken to the current version by MIGRATIONS[N]."""
    store._conn.execute("UPDATE meta SET value = ? WHERE key = 'schema_version'",
                        (str(schema.SCHEMA_VERSION - 1),))
    ran = []
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1,
                        lambda conn: ran.append(conn.execute("SELECT 1").fetchone()))
    reopened = Store.open(store.folder)
    assert ran == [(1,)]
    assert reopened.schema_version() == schema.SCHEMA_VERSION


def test_opening_an_up_to_date_workshop_does_not_wait_for_writers(store, monkeypatch):
    """A whole room opens the store at once while others write: opening only reads."""
    import sqlite3

    from coproduction import store as store_module

    monkeypatch.setattr(store_module, "BUSY_TIMEOUT_MS", 300)
    writer = sqlite3.connect(store.path, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # another kernel is in the middle of a write
    try:
        reopened = Store.open(store.folder)
        assert reopened.schema_version() == schema.SCHEMA_VERSION
        reopened.close()
    finally:
        writer.execute("ROLLBACK")
        writer.close()


def _writer(folder, worker, count):
    from coproduction.store import Store

    s = Store.open(folder)
    for i in range(count):
        s.insert("sessions", {"activity": "language", "title": f"w{worker}-{i}",
                              "status": "planned"})
    s.close()


def test_concurrent_writers_in_several_processes_lose_nothing(store):
    workers, each = 4, 50
    ctx = multiprocessing.get_context("spawn")
    procs = [ctx.Process(target=_writer, args=(store.folder, w, each)) for w in range(workers)]
    for p in procs:
        p.start()
    for p in procs:
        p.join(120)
        assert p.exitcode == 0
    titles = [r["title"] for r in store.select("sessions")]
    assert len(titles) == workers * each
    assert len(set(titles)) == workers * each
    assert store.revision() == 1 + workers * each  # the workshop row, then one per write


def test_change_notices_wake_on_a_commit_elsewhere_and_ignore_other_files(store):
    import select

    notices = store.change_notices()
    if notices is None:
        pytest.skip("this system cannot watch files; pages poll instead")
    try:
        assert not notices.drain(), "nothing has happened yet"
        (store.folder / "notes.txt").write_text("not the workshop")
        assert not notices.drain()
        with Store.open(store.folder) as elsewhere:
            elsewhere.insert("sessions", {"activity": "language", "title": "t",
                                          "status": "planned"})
        assert select.select([notices], [], [], 2)[0], "a commit wakes the watcher"
        assert notices.drain()
        assert not notices.drain(), "one drain reads everything pending"
    finally:
        notices.close()
