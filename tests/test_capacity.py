"""The capacity benchmark's harness works (a small room; real numbers in benchmarks/RESULTS.md).

Five simulated participants speak the widget protocol to the kit's server started with
``expect=5``: the warm pool serves them, page six is told plainly that the room is full,
joins and proposals reach the other pages, a reload with the rejoin key lands the same
person back on a warm kernel, closed pages leave no kernels, and writers at once lose
nothing. Plain Voilà is measured on the same notebook for the ratio.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))

from coproduction.servers.serve import ServerError, ServerSettings, start_servers  # noqa: E402


def test_capacity_benchmark_harness_works():
    import capacity

    result = capacity.measure(participants=5, tries=2, writes=5, browser=False, plain=True,
                              idle_seconds=1.0, pause=0.2)
    kit, plain = result["kit"], result["plain"]
    assert len(kit["page_times"]) == 5 and len(plain["page_times"]) == 5
    assert kit["full_status"] == 503 and kit["full_message"], "page 6 hears the room is full"
    assert kit["full_seconds"] < 5
    assert kit["names_shown"] == 5, "every page joined under its own name"
    assert len(kit["delays"]) == 2 * 4 and all(0 < d < 60 for d in kit["delays"])
    assert kit["rejoined"], "the rejoin key reached a preheated kernel"
    assert kit["left_after_close"] == 0, "closed pages released their kernels"
    assert result["writes_stored"] == result["writes_unique"] == 25
    assert 10 < kit["kernel_rss"] < 1000 and kit["idle_cpu"] >= 0
    text = capacity.table(result)
    assert "| 5 participants request the page at once" in text
    assert "| page number 6 | - | HTTP 503" in text


@pytest.mark.parametrize("expect", [-1, 10_000])
def test_expect_out_of_range_is_refused_plainly(tmp_path, expect):
    workshop = tmp_path / "workshop"
    workshop.mkdir()
    with pytest.raises(ServerError, match="whole number from 0"):
        start_servers(ServerSettings(workshop=workshop, expect=expect))


def test_only_this_machine_may_fetch_a_page_address_for_a_warm_kernel():
    """The address a warm kernel fetches holds the token and the rejoin key."""
    from coproduction.servers.app import is_this_machine
    from coproduction.servers.serve import room_address

    assert is_this_machine("127.0.0.1") and is_this_machine("::1")
    assert is_this_machine(room_address())
    assert not is_this_machine("192.0.2.7")  # TEST-NET-1: never this machine
    assert not is_this_machine("not an address")


def test_the_console_adds_places_to_a_full_room_without_a_restart(tmp_path):
    """The room-full page sent people to the facilitator, whose console could not add a
    place: now "Add places" lets more pages in within seconds, and the count says so."""
    import time

    import httpx
    from harness import running_servers, wait_for

    from coproduction.core.sessions import add_places
    from coproduction.servers.pages import all_ready
    from coproduction.store import Store
    from widgets.console import pages_open

    workshop = tmp_path / "workshop"
    Store.create(workshop, title="Small room", code="ROOM1").close()
    with running_servers(workshop, workshop_code="ROOM1", expect=1) as servers:
        assert wait_for(lambda: pages_open(servers.join_url) is not None, timeout=60)
        # The page is drawn and waits before anyone comes.
        assert wait_for(lambda: all_ready(pages_open(servers.join_url)), timeout=60)
        assert pages_open(servers.join_url) == {"pages": 0, "expect": 1, "ready": 1,
                                                "pool": 1, "taken": 0}
        with httpx.Client(timeout=60) as client:
            assert client.get(servers.join_url).status_code == 200
            full = client.get(servers.join_url)
            assert full.status_code == 503 and "full" in full.text
            assert pages_open(servers.join_url) == {"pages": 1, "expect": 1, "ready": 0,
                                                    "pool": 1, "taken": 1}
            with Store.open(workshop) as store:
                assert add_places(store, 1) == 1
            time.sleep(2.5)   # the server looks again every two seconds
            room = pages_open(servers.join_url)
            assert room == {"pages": 1, "expect": 2, "ready": 0, "pool": 1, "taken": 1}
            assert all_ready(room)  # an added place is drawn when someone comes
            assert client.get(servers.join_url).status_code == 200

