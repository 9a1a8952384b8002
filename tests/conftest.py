"""Shared fixtures: workshops made in temporary folders, never real data."""

from __future__ import annotations

import itertools
import os
import secrets
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

# No test may reach a real workshop's database: the machine's setting is dropped, and
# the PostgreSQL tests use COPRODUCTION_TEST_DATABASE_URL (see tests/databases.py).
os.environ.pop("COPRODUCTION_DATABASE_URL", None)

BACKENDS = ("sqlite", "postgresql")


def ticking_clock(start: str = "2026-03-02T10:00:00"):
    """A clock that moves one second each call, so test data is the same every run."""
    import datetime as dt

    base = dt.datetime.fromisoformat(start)
    counter = itertools.count()
    return lambda: (base + dt.timedelta(seconds=next(counter))).isoformat(
        timespec="milliseconds") + "Z"


@pytest.fixture
def postgresql(monkeypatch):
    """The test PostgreSQL server's URL, set as COPRODUCTION_DATABASE_URL for this test;
    every workshop schema the test makes is dropped afterwards. Skipped without a
    server locally, a failure in CI (see tests/databases.py)."""
    from databases import drop_schemas_except, postgresql_url, workshop_schemas

    from coproduction.core.settings import DATABASE_URL_ENV

    url = postgresql_url()
    before = workshop_schemas(url)
    monkeypatch.setenv(DATABASE_URL_ENV, url)
    try:
        yield url
    finally:
        drop_schemas_except(url, before)


@pytest.fixture(params=BACKENDS)
def backend(request):
    """Each test using it runs twice: on SQLite, and on PostgreSQL through the one
    setting a facilitator uses (COPRODUCTION_DATABASE_URL), so every Store.open,
    command and kernel the test starts uses that backend too."""
    if request.param == "postgresql":
        request.getfixturevalue("postgresql")
    return request.param


@pytest.fixture
def store(tmp_path, backend):
    """A new workshop, on each backend in turn (see :func:`backend`)."""
    from coproduction.store import Store

    # In PostgreSQL the folder's last part names the workshop's schema: make it unique,
    # so a run that was killed before its clean-up cannot get in the way of the next.
    name = "workshop" if backend == "sqlite" else f"workshop-{secrets.token_hex(4)}"
    s = Store.create(tmp_path / name, title="Test workshop", code="TEST42",
                     clock=ticking_clock())
    yield s
    s.close()


@pytest.fixture
def pg_store(tmp_path, postgresql):
    """A new workshop in the test PostgreSQL database, for PostgreSQL's own tests."""
    from coproduction.store import Store

    s = Store.create(tmp_path / f"workshop-{secrets.token_hex(4)}", title="Test workshop",
                     code="TEST42", clock=ticking_clock())
    yield s
    s.close()


@pytest.fixture
def session_id(store):
    """An open shared-language session showing a short text with two hard words."""
    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.sessions import create_session, open_round

    sid = create_session(store, "language", "Our letters")
    open_round(store, sid)
    SharedLanguage(store, sid).put_text("Invitation", "The SENCO will see you at the TAC.")
    return sid


@pytest.fixture
def on_a_page(monkeypatch):
    """Run the test as a participant's own kernel does (COPRODUCTION_ROLE=participant),
    with the page's allowance of actions fresh (coproduction.core.validation.PAGE_ACTIONS)."""
    from coproduction.core.validation import PAGE_ACTIONS

    monkeypatch.setenv("COPRODUCTION_ROLE", "participant")
    monkeypatch.setattr(PAGE_ACTIONS, "_events", {})


@pytest.fixture(scope="session", autouse=True)
def no_typed_text_in_any_log(tmp_path_factory):
    """After the whole session: no name or text typed in any browser or protocol test
    appears in any log of any server those tests started (SECURITY.md, promise 15).
    The logs stay in the session's temporary folder (``server-logs``) for reading."""
    import re

    import harness

    harness.LOG_ROOT = tmp_path_factory.getbasetemp() / "server-logs"

    originals = {}
    try:
        from playwright.sync_api._generated import Locator
    except ImportError:
        Locator = None
    if Locator is not None:
        for method in ("fill", "type", "press_sequentially"):
            original = getattr(Locator, method)

            def typing(self, text, *args, _original=original, **kwargs):
                harness.remember_typed(text)
                return _original(self, text, *args, **kwargs)

            originals[method] = original
            setattr(Locator, method, typing)
    yield
    for method, original in originals.items():
        setattr(Locator, method, original)
    found = []
    files = [f for path in harness.LOGS
             for f in ([path] if path.is_file() else path.glob("*.log") if path.is_dir() else [])
             if f.is_file()]
    patterns = {text: re.compile(r"(?<![\w-])" + re.escape(text) + r"(?![\w-])")
                for text in harness.TYPED}
    for log in files:
        content = log.read_text(encoding="utf-8", errors="replace")
        found += [f"{text!r} in {log}" for text, pattern in patterns.items()
                  if pattern.search(content)]
    assert not found, "typed text reached a log: " + "; ".join(found[:10])
