"""The benchmarks still run (a tiny version; the real numbers are in benchmarks/RESULTS.md)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
pytestmark = pytest.mark.browser


def test_latency_benchmark_harness_works():
    from harness import require_chromium

    require_chromium()
    import latency

    result = latency.measure(tries=2)
    assert result["tries"] == 2 and result["kernels"] == 2
    assert 0 < result["median"] < 30 and result["kernel_rss"] > 10
    assert 0 < result["wall_median"] < 30
    assert "| the same, p95 |" in latency.table(result)
    assert "shown on the room screen" in latency.table(result)


def test_withdrawal_benchmark_harness_works(tmp_path):
    import withdrawal
    from evaluation import build

    result = withdrawal.measure(build(tmp_path / "w", 100))  # the smallest series
    assert result["took"] > 0 and result["saves"] > 0 and result["rows"] > 0
    assert result["slowest"] >= result["p95"] > 0


def test_early_room_benchmark_harness_works():
    import early_room

    result = early_room.measure(participants=2, spacing=0.05)
    assert result["participants"] == 2 and result["ready"] is not None
    assert 0 < result["p50"] <= result["p95"] <= result["slowest"] < 300
    assert result["out_of_order"] in (0, 1)
    assert "| people handed a page after someone who came later | " in early_room.table(result)


def test_widget_messages_benchmark_counts_a_join_and_arrivals():
    import widget_messages

    result = widget_messages.measure(proposals=2)
    join, arriving = result["join"], result["arriving"]
    assert join["opened"] > 50 and join["bytes"] > 10_000
    assert join["looks"] <= 8, "one layout and style per look, not one per widget"
    assert 0 < arriving["opened"] < join["opened"] and arriving["updates"] >= 2
    text = widget_messages.table(result)
    assert "| the person joins: their board drawn |" in text
    assert "| 2 proposals by someone else arrive, each redrawn |" in text
