"""A room that opens the link before its pages are drawn: how long each person waits,
and whether they are served in the order they came.

Starts the kit as ``coproduction serve --expect N`` does and, as soon as the server
answers, sends N page requests one after another (``--spacing`` apart, so each has a
place in the line), before the warm pool has drawn its pages. Each follows the "getting
your page ready" screen to its page, as a browser does. For each request: when it was
sent, when its page's first bytes came (the server handed it a page) and when its page
had come whole. Reported: when the server said every page was ready (``Ready: N pages``),
the wait for the whole page p50, p95 and slowest, and how many people were handed a page
after someone who came later (out of order).

    python benchmarks/early_room.py --participants 150 --record

A benchmark, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from harness import running_servers, wait_for  # noqa: E402
from latency import percentile  # noqa: E402
from page_client import in_line_address  # noqa: E402
from results import record  # noqa: E402

from coproduction.servers.pages import all_ready, pages_open  # noqa: E402
from coproduction.store import Store  # noqa: E402

CODE = "EARLY1"


async def _requests(url: str, participants: int,
                    spacing: float) -> list[tuple[float, float, float]]:
    """Each request's (sent, first bytes, whole page): the first bytes come when the
    server hands the request a drawn page's kernel, the rest when the page is finished
    for that person."""
    import httpx

    origin = "{0.scheme}://{0.netloc}".format(urllib.parse.urlsplit(url))
    async with httpx.AsyncClient(timeout=600, limits=httpx.Limits(
            max_connections=participants + 5)) as client:
        async def one(n: int) -> tuple[float, float, float]:
            await asyncio.sleep(n * spacing)
            sent = time.perf_counter()
            address = url
            while address:  # as a browser follows the "getting your page ready" screen
                async with client.stream("GET", address) as answer:
                    answer.raise_for_status()
                    first, body = None, b""
                    async for chunk in answer.aiter_bytes():
                        first = first or time.perf_counter()
                        body += chunk
                then = in_line_address(body.decode(errors="replace"))
                address = then and origin + then
            return sent, first or time.perf_counter(), time.perf_counter()
        return await asyncio.gather(*(one(n) for n in range(participants)))


def measure(participants: int = 150, spacing: float = 0.02) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        workshop = Path(tmp) / "workshop"
        Store.create(workshop, title="Early room", code=CODE).close()
        started = time.perf_counter()
        with running_servers(workshop, workshop_code=CODE, expect=participants) as servers:
            answered = time.perf_counter() - started
            ready_at: list[float] = []

            def watch() -> None:  # as serve does: ask the server until every page is ready
                if wait_for(lambda: all_ready(pages_open(servers.join_url, timeout=30)),
                            600, 0.5):
                    ready_at.append(time.perf_counter() - started)

            async def room() -> list[tuple[float, float, float]]:
                watching = asyncio.get_running_loop().run_in_executor(None, watch)
                served = await _requests(servers.join_url, participants, spacing)
                await watching
                return served

            served = asyncio.run(room())
    waits = [done - sent for sent, _first, done in served]
    handed = [first for _sent, first, _done in served]
    # People handed a page after someone who came later (the line's order, not how long
    # each page then took to finish for its person).
    out_of_order = sum(1 for i in range(participants) if any(
        handed[j] < handed[i] for j in range(i + 1, participants)))
    # How much later than the first of those later comers each such person was handed one.
    behind = max((handed[i] - min(handed[i + 1:]) for i in range(participants - 1)),
                 default=0.0)
    return {"participants": participants, "answered": answered, "behind": max(0.0, behind),
            "ready": ready_at[0] if ready_at else None,
            "p50": percentile(waits, 0.5), "p95": percentile(waits, 0.95),
            "slowest": max(waits), "out_of_order": out_of_order,
            "last_served": max(done for *_, done in served) - started}


def table(r: dict) -> str:
    ready = f"{r['ready']:.1f} s" if r["ready"] is not None else "never"
    return "\n".join([
        "| what | measured |", "|---|---|",
        f"| the server answers (`Join:` printed) | {r['answered']:.1f} s after start |",
        f"| every page drawn (`Ready: {r['participants']} pages`) | {ready} after start |",
        f"| {r['participants']} people who opened the link at once: wait p50 | "
        f"{r['p50']:.1f} s |",
        f"| the same, p95 | {r['p95']:.1f} s |",
        f"| the same, slowest | {r['slowest']:.1f} s |",
        f"| the last one served | {r['last_served']:.1f} s after start |",
        f"| people handed a page after someone who came later | {r['out_of_order']} of "
        f"{r['participants']} |",
        f"| the most one of them was handed it after that later comer | "
        f"{r['behind']:.2f} s |"])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--participants", type=int, default=150)
    parser.add_argument("--spacing", type=float, default=0.02,
                        help="seconds between one person's request and the next")
    parser.add_argument("--record", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    result = measure(args.participants, args.spacing)
    print(table(result))
    if args.record:
        record("A room that opens the link before its pages are drawn", table(result),
               f"{args.participants} page requests, {args.spacing} s apart, sent as soon "
               "as the server answers; SQLite.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
