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

from coproduction.server import ServerError, ServerSettings, start_servers  # noqa: E402


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
    from coproduction.server import _is_this_machine, room_address

    assert _is_this_machine("127.0.0.1") and _is_this_machine("::1")
    assert _is_this_machine(room_address())
    assert not _is_this_machine("192.0.2.7")  # TEST-NET-1: never this machine
    assert not _is_this_machine("not an address")
