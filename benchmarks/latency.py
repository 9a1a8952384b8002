"""How fast a proposal on one page shows on another and on the room screen, and how big a
participant kernel is.

Starts the kit's servers on 127.0.0.1 with a fresh workshop, opens two
participant pages and the room screen in one headless Chromium, proposes a wording on
page A ``--tries`` times and times how long until page B and the room screen show it
(all times from the same browser clock). Then reads the memory of each participant kernel
from /proc. Prints a table and, with ``--record``, appends it to
``benchmarks/RESULTS.md`` with the command that produced it.

    python benchmarks/latency.py --tries 30 --record

A benchmark, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from harness import chromium, kernel_pids, running_servers  # noqa: E402
from results import record  # noqa: E402

from coproduction.activities.shared_language import SharedLanguage  # noqa: E402
from coproduction.core.sessions import create_session, open_round  # noqa: E402
from coproduction.store import Store  # noqa: E402

# Records, in page B, the browser time at which each wording first appears.
WATCH = """() => {
  window.__seen = {};
  const look = () => document.querySelectorAll('.coproduction-wording').forEach(el => {
    const t = el.textContent;
    if (t && !(t in window.__seen)) window.__seen[t] = Date.now();
  });
  new MutationObserver(look).observe(document.body, {subtree: true, childList: true,
                                                     characterData: true});
  look();
}"""


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(share * (len(ordered) - 1))))
    return ordered[index]


def memory_mb(pid: int) -> tuple[float, float]:
    """Resident and private (unshared) memory of a process, in MB."""
    status = Path(f"/proc/{pid}/status").read_text()
    rss = int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS")))
    rollup = Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()
    private = sum(int(line.split()[1]) for line in rollup
                  if line.startswith(("Private_Clean", "Private_Dirty")))
    return rss / 1024, private / 1024


def join(page, url: str, name: str) -> None:
    page.goto(url)
    page.locator(".coproduction-join-name input").fill(name)
    page.locator(".coproduction-join-button").click()
    page.locator(".coproduction-you-are").wait_for(timeout=60_000)


def measure(tries: int) -> dict:
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp:
        workshop = Path(tmp) / "workshop"
        with Store.create(workshop, title="Benchmark", code="BENCH") as store:
            sid = create_session(store, "language", "Benchmark")
            open_round(store, sid)
            SharedLanguage(store, sid).put_text("Text", "The SENCO will see you.")
        with running_servers(workshop, workshop_code="BENCH") as servers, \
                sync_playwright() as p:
            browser = chromium(p)
            a = browser.new_context().new_page()
            b = browser.new_context().new_page()
            started = time.monotonic()
            join(a, servers.join_url, "Page A")
            first_page = time.monotonic() - started
            join(b, servers.join_url, "Page B")
            b.evaluate(WATCH)
            wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
            wall.goto(servers.screen_url)
            wall.locator(".coproduction-language-screen").wait_for(timeout=60_000)
            wall.evaluate(WATCH)
            box = a.locator(".coproduction-propose-input input").first
            button = a.locator(".coproduction-propose-button").first
            latencies, on_wall = [], []
            for i in range(tries):
                wording = f"plain wording number {i}"
                box.fill(wording)
                box.press("Enter")
                sent = a.evaluate("Date.now()")
                button.click()
                b.wait_for_function(f"() => window.__seen['{wording}'] !== undefined",
                                    timeout=10_000)
                latencies.append((b.evaluate(f"window.__seen['{wording}']") - sent) / 1000)
                wall.wait_for_function(f"() => window.__seen['{wording}'] !== undefined",
                                       timeout=10_000)
                on_wall.append((wall.evaluate(f"window.__seen['{wording}']") - sent) / 1000)
                time.sleep(1.0)  # people talk between proposals; also under the rate limit
            kernels = [memory_mb(pid) for pid in kernel_pids(servers.participant_pid)]
            browser.close()
    return {"tries": tries, "median": statistics.median(latencies),
            "p95": percentile(latencies, 0.95), "max": max(latencies),
            "first_page": first_page, "wall_median": statistics.median(on_wall),
            "wall_p95": percentile(on_wall, 0.95),
            "kernel_rss": max(k[0] for k in kernels), "kernel_private": max(k[1] for k in kernels),
            "kernels": len(kernels)}


def table(r: dict) -> str:
    return "\n".join([
        "| what | measured | budget |",
        "|---|---|---|",
        f"| proposal on page A shown on page B, median ({r['tries']} tries) | "
        f"{r['median']:.3f} s | - |",
        f"| the same, p95 | {r['p95']:.3f} s | under 1 s |",
        f"| the same, slowest | {r['max']:.3f} s | - |",
        f"| proposal on page A shown on the room screen, median | {r['wall_median']:.3f} s "
        "| - |",
        f"| the same, p95 | {r['wall_p95']:.3f} s | under 1 s |",
        f"| participant kernel memory, resident (largest of {r['kernels']}) | "
        f"{r['kernel_rss']:.0f} MB | under 80 MB |",
        f"| participant kernel memory, private to it | {r['kernel_private']:.0f} MB | - |",
        f"| first page: open, join, board ready (cold kernel) | {r['first_page']:.2f} s | - |",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tries", type=int, default=30)
    parser.add_argument("--record", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    args = parser.parse_args()
    result = measure(args.tries)
    text = table(result)
    print(text)
    if args.record:
        record("Live update latency and kernel memory", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
