"""How many widget messages a participant's page sends: its join, and proposals arriving.

Every widget a page's kernel opens is one message through the participant server to the
browser, and every change to one is another; in a room they are multiplied by the pages.
This counts them in one kernel-less process, exactly, so two versions of the page can be
compared without the machine's noise: the join page drawn and the person let in (the
capacity benchmark's workshop: one text, four hard words), then ``--proposals`` wordings
proposed by someone else and redrawn.

    python benchmarks/widget_messages.py --record

A benchmark, not a test: what it counts is what the page does today, not a limit.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import ipywidgets as ipw  # noqa: E402
from capacity import CODE, make_workshop  # noqa: E402
from results import record  # noqa: E402

from coproduction.activities.shared_language import SharedLanguage  # noqa: E402
from coproduction.core.participants import join_workshop  # noqa: E402
from coproduction.store import Store  # noqa: E402


class Counter:
    """Counts the widgets opened (by kind) and the updates sent, with their JSON bytes."""

    def __init__(self):
        self.opened: collections.Counter = collections.Counter()
        self.updates = self.bytes = 0
        self._open, self._send = ipw.Widget.open, ipw.Widget._send

    def __enter__(self):
        counter = self

        def open_(widget):
            counter._open(widget)
            counter.opened[type(widget).__name__] += 1
            counter.bytes += len(json.dumps(widget.get_state(), default=str))

        def send(widget, msg, buffers=None):
            counter.updates += 1
            counter.bytes += len(json.dumps(msg, default=str))
            return counter._send(widget, msg, buffers)

        ipw.Widget.open, ipw.Widget._send = open_, send
        return self

    def __exit__(self, *exc_info):
        ipw.Widget.open, ipw.Widget._send = self._open, self._send

    def result(self) -> dict:
        looks = sum(n for kind, n in self.opened.items() if kind.endswith(("Layout", "Style")))
        return {"opened": sum(self.opened.values()), "looks": looks,
                "updates": self.updates, "bytes": self.bytes}


def measure(proposals: int = 5) -> dict:
    from widgets.base import RevisionWatch
    from widgets.workshop import participant_page

    out: dict = {"proposals": proposals}
    with tempfile.TemporaryDirectory() as tmp:
        folder = make_workshop(Path(tmp) / "w")
        os.environ["QUERY_STRING"] = f"code={CODE}"
        page = participant_page(workshop=folder)
        page.arrive()
        page.gate.name.value = "Person 1"
        with Counter() as join:
            page.gate.join.click()
        out["join"] = join.result()
        watch = RevisionWatch.of(page.activity.store)  # what the page's live poll runs
        live = list(watch.panels)
        with Store.open(folder) as store:
            other, _ = join_workshop(store, code=CODE, pseudonym="Person 2")
            session = SharedLanguage(store, page.activity.board.session.session_id)
            watch.tick()
            terms = [t.term_id for t in session.board(other).terms]
            with Counter() as arriving:
                for n in range(proposals):
                    session.propose(other, terms[n % len(terms)], f"plain words {n}")
                    watch.tick()
            out["arriving"] = arriving.result()
        for panel in live:
            panel.stop()
    return out


def table(r: dict) -> str:
    join, arriving, n = r["join"], r["arriving"], r["proposals"]
    return "\n".join([
        "| what one page sends | widgets opened (of them layouts and styles) | updates | "
        "JSON bytes |",
        "|---|---|---|---|",
        f"| the person joins: their board drawn | {join['opened']} ({join['looks']}) | "
        f"{join['updates']} | {join['bytes']:,} |",
        f"| {n} proposals by someone else arrive, each redrawn | {arriving['opened']} "
        f"({arriving['looks']}) | {arriving['updates']} | {arriving['bytes']:,} |",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--proposals", type=int, default=5)
    parser.add_argument("--record", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    text = table(measure(args.proposals))
    print(text)
    if args.record:
        record("Widget messages of one participant's page", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
