"""How long a withdrawal takes on a larger workshop, and how long the room's saves wait.

Builds the evaluation benchmark's synthetic series (N participants over 50 sessions,
seed 7) with an export and a report written, then withdraws one person while another
connection saves a small row every 50 ms, as a busy room does. Reported: the
withdrawal's own time, and how long each of the room's saves took while it ran (p95
and slowest), against the budget the issue "A lost laptop leaks nothing" sets (no save
held for more than a second).

    python benchmarks/withdrawal.py --people 1000 --record

A benchmark, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from evaluation import build  # noqa: E402
from latency import percentile  # noqa: E402
from results import record  # noqa: E402

from coproduction.evaluation.report import write_report  # noqa: E402
from coproduction.privacy.consent import withdraw_participant  # noqa: E402
from coproduction.privacy.export import export_workshop  # noqa: E402
from coproduction.store import Store  # noqa: E402

SAVE_EVERY = 0.05


def measure(workshop: Path) -> dict:
    """Withdraw one person while the room keeps saving. The workshop has an export and
    an evaluation report, as a facilitator's has by then: withdrawal writes both again."""
    waits: list[float] = []
    stop = threading.Event()

    def room() -> None:
        with Store.open(workshop) as other:
            while not stop.is_set():
                start = time.perf_counter()
                other.insert("sessions", {"activity": "language", "title": "busy room",
                                          "status": "planned"})
                waits.append(time.perf_counter() - start)
                time.sleep(SAVE_EVERY)

    with Store.open(workshop) as store:
        export_workshop(store, workshop / "export")
        write_report(store, workshop / "report")
        people = store.select("participants")
        person = people[len(people) // 2]["participant_id"]
        saver = threading.Thread(target=room)
        saver.start()
        time.sleep(1.0)  # the room is saving before the withdrawal starts
        before = len(waits)
        start = time.perf_counter()
        receipt = withdraw_participant(store, person, wait=True)
        took = time.perf_counter() - start
        during = waits[before:]
        stop.set()
        saver.join()
    return {"took": took, "saves": len(during), "p95": percentile(during, 0.95) if during else 0.0,
            "slowest": max(during, default=0.0), "rows": receipt["rows_erased"]
            + receipt["rows_anonymised"], "cleared": receipt["cleared"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--people", type=int, nargs="+", default=[1000])
    parser.add_argument("--record", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    lines = ["| people in the workshop | withdrawal took | rows it changed | room's saves "
             "during it | their p95 | the slowest | budget |", "|---|---|---|---|---|---|---|"]
    with tempfile.TemporaryDirectory() as folder:
        for people in args.people:
            workshop = build(Path(folder) / f"w{people}", people)
            m = measure(workshop)
            lines.append(f"| {people} | {m['took']:.2f} s | {m['rows']} | {m['saves']} | "
                         f"{m['p95']:.3f} s | {m['slowest']:.3f} s | no save over 1 s |")
    table = "\n".join(lines)
    print(table)
    if args.record:
        record("Withdrawal while the room saves", table,
               "The synthetic series of benchmarks/evaluation.py (seed 7); one save every "
               "50 ms from another connection.")


if __name__ == "__main__":
    main()
