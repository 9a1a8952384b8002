"""The store: schema, settings, revision counter, migrations and concurrent writers.

Every test that takes the ``store`` fixture runs on both backends: SQLite, and
PostgreSQL through COPRODUCTION_DATABASE_URL (see ``tests/conftest.py``).
"""

from __future__ import annotations

import multiprocessing
import sqlite3

import pytest
from databases import columns

from coproduction.store import Conflict, Store, StoreError, schema


def test_database_settings(store):
    if store.backend == "sqlite":
        conn = sqlite3.connect(store.path)
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        store_conn = store._conn
        assert store_conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert store_conn.execute("PRAGMA secure_delete").fetchone()[0] == 1
        assert store_conn.execute("PRAGMA busy_timeout").fetchone()[0] >= 5000
    else:
        conn = store._conn
        assert conn.autocommit, "polling the revision is one statement, no BEGIN/COMMIT"
        assert conn.execute("SHOW search_path").fetchone()[0] == f'"{store._db.schema}"'
        assert conn.execute("SHOW lock_timeout").fetchone()[0] == "15s"
        assert conn.execute("SHOW idle_in_transaction_session_timeout").fetchone()[0] == "1min"
    assert store.schema_version() == schema.SCHEMA_VERSION


def test_every_declared_table_exists_with_its_columns(store):
    for table in schema.TABLES.values():
        assert columns(store, table.name) == table.columns


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
    store._db.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="newer version"):
        Store.open(store.folder)


def test_migrations_run_forward(store, monkeypatch):
    """A workshop at version N is taken to the current version by MIGRATIONS[N]."""
    store._db.execute(f"UPDATE meta SET value = '{schema.SCHEMA_VERSION - 1}' "
                      "WHERE key = 'schema_version'")
    ran = []
    monkeypatch.setitem(schema.MIGRATIONS, schema.SCHEMA_VERSION - 1,
                        lambda conn: ran.append(conn.execute("SELECT 1").fetchone()))
    reopened = Store.open(store.folder)
    assert ran == [(1,)]
    assert reopened.schema_version() == schema.SCHEMA_VERSION


def test_opening_an_up_to_date_workshop_does_not_wait_for_writers(store, monkeypatch):
    """A whole room opens the store at once while others write: opening only reads."""
    from coproduction.store import errors as store_errors

    monkeypatch.setattr(store_errors, "BUSY_TIMEOUT_MS", 300)
    writer = Store.open(store.folder)
    with writer.transaction() as tx:  # another kernel is in the middle of a write
        tx.insert("sessions", {"activity": "language", "title": "x", "status": "planned"})
        reopened = Store.open(store.folder)
        assert reopened.schema_version() == schema.SCHEMA_VERSION
        reopened.close()
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
        store.folder.mkdir(parents=True, exist_ok=True)  # (PostgreSQL needs no folder)
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


def test_serve_says_when_the_account_cannot_watch_the_workshop_for_every_page(tmp_path):
    """Linux gives one account 128 watches by default: in a room of 150 the pages past it
    asked the store four times a second, and nothing said so to the facilitator."""
    from coproduction.store.changes import too_few_watches, watch_folder

    limit = tmp_path / "max_user_instances"
    limit.write_text("128\n")
    watch = watch_folder(tmp_path, {"workshop.sqlite"})
    if watch is None:
        pytest.skip("this system cannot watch files; pages poll instead")
    try:
        said = too_few_watches(150, limit)
        assert said.startswith("this computer lets one account watch files for changes 128 "
                               "times at once")
        assert "free now" in said and "the 150 pages" in said
        assert said.endswith("sudo sysctl fs.inotify.max_user_instances=1024")
        free = int(said.split("(")[1].split(" free")[0])
        assert free <= 127, "the watch this test holds is counted as in use"
        assert too_few_watches(min(free - 2, 40), limit) is None
        limit.write_text("not a number")
        assert too_few_watches(150, limit) is None
        assert too_few_watches(150, tmp_path / "no-such-file") is None
    finally:
        watch.close()


# --- the same behaviour on both backends ------------------------------------------------


def _session(store, title, closed_at=None):
    return store.insert("sessions", {"activity": "language", "title": title,
                                     "status": "planned", "closed_at": closed_at})


def test_ordering_is_the_same_on_both_backends(store):
    """Text sorts character by character and empty values come first, as in SQLite
    (PostgreSQL by itself sorts by the server's language and puts empty values last)."""
    titles = ["b", "B", "a", "\u00e9t\u00e9", "Z", "a b", "ab", "10", "9"]
    for i, title in enumerate(titles):
        _session(store, title, None if i % 3 else f"2026-03-0{i % 9 + 1}T10:00:00.000Z")
    assert [r["title"] for r in store.select("sessions", order_by="title")] == sorted(titles)
    closed = [r["closed_at"] for r in store.select("sessions", order_by="closed_at")]
    assert closed[:6] == [None] * 6 and closed[6:] == sorted(closed[6:])
    closed = [r["closed_at"] for r in store.select("sessions", order_by="closed_at DESC")]
    assert closed[3:] == [None] * 6
    assert store.select("sessions", {"session_id": []}) == []


def test_polling_the_revision_is_one_small_query(store, monkeypatch):
    sent = []
    execute = store._db.execute
    monkeypatch.setattr(store._db, "execute", lambda sql, params=(): (
        sent.append(sql), execute(sql, params))[1])
    store.revision()
    assert sent == ["SELECT value FROM revision WHERE id = 1"]


def test_writers_take_turns_and_readers_never_wait(store, monkeypatch):
    """A second writer waits for the first (and gives up plainly after the busy timeout);
    a reader meanwhile reads the last saved state."""
    from coproduction.store import errors as store_errors

    monkeypatch.setattr(store_errors, "BUSY_TIMEOUT_MS", 300)
    first, second = Store.open(store.folder), Store.open(store.folder)
    try:
        with first.transaction() as tx:
            tx.insert("sessions", {"activity": "language", "title": "first",
                                   "status": "planned"})
            with pytest.raises(StoreError, match="busy"):
                second.insert("sessions", {"activity": "language", "title": "second",
                                           "status": "planned"})
            assert second.select("sessions") == []
        second.insert("sessions", {"activity": "language", "title": "second",
                                   "status": "planned"})
        assert [r["title"] for r in store.select("sessions")] == ["first", "second"]
    finally:
        first.close()
        second.close()


def test_a_read_snapshot_keeps_its_view_while_others_write(store):
    other = Store.open(store.folder)
    try:
        with store.read() as tx:
            before = tx.count("sessions")
            _session(other, "written meanwhile")
            assert tx.count("sessions") == before
        assert store.select("sessions")[0]["title"] == "written meanwhile"
    finally:
        other.close()


def test_the_contract_refuses_what_one_backend_could_not_store(store):
    with pytest.raises(schema.SchemaError, match="NUL"):
        store.insert("sessions", {"activity": "language", "title": "a\x00b",
                                  "status": "planned"})
    assert store.select("sessions") == []


def test_a_copy_on_the_other_backend_and_back_loses_nothing(store, tmp_path):
    """The move command's core: same rows, same numbers, same revision and counters."""
    from databases import drop_schemas_except, postgresql_url, workshop_schemas

    from coproduction.demo import make_demo
    from coproduction.store import SQLITE, copy_workshop

    url = postgresql_url()
    schemas = workshop_schemas(url)
    original = make_demo(tmp_path / f"demo-{store.backend}")
    try:
        with original.transaction() as tx:  # the highest numbers are gone, not forgotten
            last = max(r["notice_id"] for r in tx.select("notices"))
            tx.delete("notices", {"notice_id": last})
        other = url if original.backend == SQLITE else SQLITE
        there = copy_workshop(original, tmp_path / f"there-{store.backend}", database=other)
        assert sum(there.values()) > 100 and there["participants"] > 0
        moved = Store.open(tmp_path / f"there-{store.backend}", database=other)
        assert moved.backend != original.backend
        back_to = original.database
        copy_workshop(moved, tmp_path / f"back-{store.backend}", database=back_to)
        back = Store.open(tmp_path / f"back-{store.backend}", database=back_to)
        with original.read() as a, moved.read() as b, back.read() as c:
            for name in schema.TABLES:
                assert a.select(name) == b.select(name) == c.select(name), name
        assert original.revision() == moved.revision() == back.revision()
        for copy in (moved, back):
            assert copy.insert("notices", {"text": "after the move"}) == last + 1
            copy.close()
    finally:
        original.close()
        drop_schemas_except(url, schemas)


def test_a_copy_onto_an_existing_workshop_is_refused_and_changes_nothing(store, tmp_path):
    from coproduction.store import copy_workshop

    _session(store, "kept")
    with pytest.raises(StoreError, match="already a workshop"):
        copy_workshop(store, store.folder, database=store.database)
    assert [r["title"] for r in store.select("sessions")] == ["kept"]


# --- PostgreSQL only -------------------------------------------------------------------------


def test_several_workshops_share_one_database_each_in_its_own_schema(pg_store, tmp_path):
    other = Store.create(tmp_path / "other-one", title="Other", code="OTHER1")
    try:
        _session(pg_store, "only in the first")
        assert other.select("sessions") == [] and other.revision() == 1
        assert other._db.schema == "workshop_other-one" != pg_store._db.schema
        from coproduction.store import workshop_names

        assert {"other-one", pg_store.folder.name} <= set(workshop_names(pg_store.database))
    finally:
        other.close()
    with pytest.raises(StoreError, match="no workshop named 'nowhere'"):
        Store.open(tmp_path / "nowhere")
    with pytest.raises(StoreError, match="cannot name a workshop"):
        Store.create(tmp_path / "bad name!", title="x")


def test_erasing_waits_for_an_older_snapshot_to_end(pg_store):
    """VACUUM FULL keeps rows an older snapshot might still see (any session on the
    database holds that back); compact() notices and tries again until it has ended."""
    import threading
    import time

    from databases import connect, stored_bytes

    secret = "erase-me-4471-quux"
    sid = _session(pg_store, secret)
    reader = connect(pg_store.database)
    reader.execute("BEGIN ISOLATION LEVEL REPEATABLE READ")
    reader.execute("SELECT 1").fetchone()  # the snapshot is taken: it still sees the row
    pg_store.update("sessions", {"session_id": sid}, {"title": "nothing to see"})
    threading.Timer(1.0, reader.execute, ("COMMIT",)).start()
    started = time.monotonic()
    pg_store.compact()
    assert time.monotonic() - started > 0.8, "compact did not wait for the snapshot"
    reader.close()
    assert secret.encode() not in stored_bytes(pg_store)


def test_a_page_whose_connection_dropped_connects_again(pg_store):
    from databases import connect

    with connect(pg_store.database) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", (pg_store._conn.info.backend_pid,))
    try:
        pg_store.revision()
    except StoreError as error:
        assert "cannot be reached" in str(error)
    assert pg_store.revision() == 1
    assert _session(pg_store, "after the restart") == 1


def test_the_password_is_never_shown_or_logged(pg_store, tmp_path, caplog):
    from coproduction.store import describe_database

    url = pg_store.database
    wrong = url.replace("://kit:", "://kit:wrong-password-") if "://kit:" in url else \
        url + ("&" if "?" in url else "?") + "password=wrong-password-1"
    with pytest.raises(StoreError) as refused:
        Store.open(pg_store.folder, database=wrong)
    assert "wrong-password" not in str(refused.value)
    assert "refused the kit's user name or password" in str(refused.value)
    assert "wrong-password" not in caplog.text
    assert "password" not in describe_database(url).replace("user name or password", "")
    assert "wrong-password" not in pg_store.describe()


def test_a_sqlite_workshop_never_loads_the_postgresql_driver(tmp_path):
    """Participant kernels stay small: psycopg is imported only for a database URL."""
    import subprocess
    import sys

    code = ("import sys; from coproduction.store import Store; "
            f"s = Store.create({str(tmp_path / 'w')!r}, title='t'); s.revision(); "
            "s.select('sessions'); print('psycopg' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], check=False, capture_output=True, text=True,
                         env={k: v for k, v in __import__("os").environ.items()
                              if k != "COPRODUCTION_DATABASE_URL"}, timeout=60)
    assert out.stdout.strip() == "False", out.stderr


def test_a_notice_that_arrives_during_the_pages_own_query_still_wakes_it(pg_store):
    """PostgreSQL hands a notification to whichever query is running on the connection:
    the page must still wake, not wait for its slow look."""
    import select

    notices = pg_store.change_notices()
    assert notices is not None
    try:
        assert not notices.drain()
        with Store.open(pg_store.folder) as elsewhere:
            _session(elsewhere, "written elsewhere")
        pg_store.select("sessions")  # the page's own query reads the notification first
        assert select.select([notices], [], [], 2)[0], "the page was not woken"
        assert notices.drain() and not notices.drain()
    finally:
        notices.close()


def test_notices_carry_on_after_the_connection_is_made_again(pg_store):
    import select

    from databases import connect

    notices = pg_store.change_notices()
    try:
        with connect(pg_store.database) as admin:
            admin.execute("SELECT pg_terminate_backend(%s)",
                          (pg_store._conn.info.backend_pid,))
        # The server says why, then closes: the page is woken, and looks once it is closed.
        import time

        deadline, looked, wakes = time.monotonic() + 5, False, 0
        while not looked and time.monotonic() < deadline:
            if select.select([notices], [], [], 1)[0]:
                wakes += 1
                looked = notices.drain()
        assert looked and wakes <= 3, "a dropped connection wakes the page, without spinning"
        assert not select.select([notices], [], [], 0.2)[0], "no more wake-ups until it looks"
        try:
            pg_store.revision()
        except StoreError:
            pass
        pg_store.revision()
        assert not notices.drain()
        with Store.open(pg_store.folder) as elsewhere:
            _session(elsewhere, "after the reconnect")
        assert select.select([notices], [], [], 2)[0], "the new connection listens again"
        assert notices.drain()
    finally:
        notices.close()


def test_a_relative_workshop_name_is_found_from_here_or_from_the_kit(tmp_path, monkeypatch):
    """`--workshop data/workshops/NAME` from the kit's folder, and the same words in an
    evaluation notebook that JupyterLab runs in notebooks/evaluation, open one workshop."""
    from coproduction.store import location as store_location

    Store.create(tmp_path / "data" / "workshops" / "ours", title="Ours", code="REL1").close()
    monkeypatch.setattr(store_location, "checkout", lambda: tmp_path)
    monkeypatch.chdir(tmp_path)
    with Store.open("data/workshops/ours") as here:
        assert here.folder == tmp_path / "data" / "workshops" / "ours"
    (tmp_path / "notebooks" / "evaluation").mkdir(parents=True)
    monkeypatch.chdir(tmp_path / "notebooks" / "evaluation")
    with Store.open("data/workshops/ours") as from_a_notebook:
        assert from_a_notebook.workshop()["code"] == "REL1"
        assert from_a_notebook.folder.is_absolute()
    with pytest.raises(StoreError, match="There is no workshop at"):
        Store.open("data/workshops/someone-else")


def test_a_lookup_by_text_no_row_can_hold_matches_nothing_on_every_backend(store):
    """A forged method id with a NUL in it made PostgreSQL refuse the query, and the page
    said 'could not be saved' instead of a plain refusal (found by tests/test_fuzz.py)."""
    forged = "a\x00b\x07c\x1b[31m"
    with store.read() as tx:
        assert tx.count("methods", {"method_id": forged}) == 0
        assert tx.select("methods", {"method_id": [forged]}) == []
