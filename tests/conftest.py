"""Shared fixtures: workshops made in temporary folders, never real data."""

from __future__ import annotations

import itertools
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def ticking_clock(start: str = "2026-03-02T10:00:00"):
    """A clock that moves one second each call, so test data is the same every run."""
    import datetime as dt

    base = dt.datetime.fromisoformat(start)
    counter = itertools.count()
    return lambda: (base + dt.timedelta(seconds=next(counter))).isoformat(
        timespec="milliseconds") + "Z"


@pytest.fixture
def store(tmp_path):
    from coproduction.store import Store

    s = Store.create(tmp_path / "workshop", title="Test workshop", code="TEST42",
                     clock=ticking_clock())
    yield s
    s.close()


@pytest.fixture
def session_id(store):
    """An open shared-language session showing a short text with two hard words."""
    from coproduction.sessions import create_session, open_round
    from coproduction.shared_language import SharedLanguage

    sid = create_session(store, "language", "Our letters")
    open_round(store, sid)
    SharedLanguage(store, sid).put_text("Invitation", "The SENCO will see you at the TAC.")
    return sid
