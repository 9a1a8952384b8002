"""Capacity on PostgreSQL: the capacity benchmark's PostgreSQL column, and two servers.

The kit's phases of ``benchmarks/capacity.py`` (a room joining at once, live updates,
memory, idle CPU, many writers, the page after the last, closed pages, a reload) run
twice in one run: with the workshop in SQLite, then in PostgreSQL through the one
setting a facilitator uses (``COPRODUCTION_DATABASE_URL``). Then the same number of
participants is split over two participant servers on two ports (standing in for two
machines) serving one workshop from the one database, and a proposal on a page of
one server is timed until it shows on every page of both.

    env=$(sh tests/postgresql.sh start) && eval "$env"
    python benchmarks/capacity_postgresql.py --participants 40 --record

The database is ``COPRODUCTION_BENCHMARK_DATABASE_URL``, else the tests' own
``COPRODUCTION_TEST_DATABASE_URL``: never a real workshop's database. The workshops it
makes there (``bench-...``) are removed afterwards.

A benchmark, not a test: the numbers depend on the machine and its load, and here the
PostgreSQL server shares the machine's two cores with everything else.
"""

from __future__ import annotations

import asyncio
import os
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

import capacity  # noqa: E402
from harness import kernel_pids, running_servers, token_of  # noqa: E402
from latency import memory_mb, percentile  # noqa: E402
from page_client import PageClient  # noqa: E402
from results import record  # noqa: E402

from coproduction.core.settings import DATABASE_URL_ENV  # noqa: E402
from coproduction.store import Store, remove_workshop, workshop_names  # noqa: E402

URL_ENVS = ("COPRODUCTION_BENCHMARK_DATABASE_URL", "COPRODUCTION_TEST_DATABASE_URL")


def benchmark_url() -> str:
    for name in URL_ENVS:
        if os.environ.get(name, "").strip():
            return os.environ[name].strip()
    raise SystemExit(f"Set {URL_ENVS[0]} (or start a test server: "
                     "env=$(sh tests/postgresql.sh start) && eval \"$env\").")


def postgresql_pids(url: str) -> list[int]:
    """The PostgreSQL server's processes on this machine: the postmaster and its children."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:  # its process ends with it
        backend = conn.info.backend_pid
        postmaster = int(Path(f"/proc/{backend}/stat").read_text().rsplit(")", 1)[1].split()[1])
    children = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(fields[1]) == postmaster and int(entry.name) != backend:
                children.append(int(entry.name))
    return [postmaster, *children]


def connections(workshop: Path, url: str) -> int:
    """Connections the workshop's pages and servers hold in the database."""
    with Store.open(workshop, database=url) as store:
        return store.others_connected()


# --- two servers, one database -------------------------------------------------------------


async def two_server_session(one, two, workshop: Path, url: str, participants: int,
                             tries: int, idle_seconds: float, pause: float) -> dict:
    import httpx

    servers = [one if i % 2 == 0 else two for i in range(participants)]
    clients = [httpx.AsyncClient() for _ in servers]
    pages = [PageClient(s.join_url, token_of(s.join_url)) for s in servers]
    out: dict = {}
    out["page_times"] = list(await asyncio.gather(*(p.fetch(c) for p, c in zip(pages, clients))))
    await asyncio.gather(*(p.connect() for p in pages))
    out["join_times"] = list(await asyncio.gather(
        *(p.join(f"Person {i + 1}") for i, p in enumerate(pages))))
    await asyncio.sleep(2 * pause)
    out["connections"] = connections(workshop, url)

    kernels = [*kernel_pids(one.participant_pid), *kernel_pids(two.participant_pid)]
    memory = [memory_mb(pid) for pid in kernels]
    out["kernel_rss"] = statistics.median(m[0] for m in memory)
    out["kernel_private"] = statistics.median(m[1] for m in memory)
    kit = [one.participant_pid, two.participant_pid, *kernels]
    database = postgresql_pids(url)
    out["settled_after"] = await capacity.settle(kit)  # as the one-server phases do
    kit_before, db_before = capacity.cpu_seconds(kit), capacity.cpu_seconds(database)
    started = time.perf_counter()
    await asyncio.sleep(idle_seconds)
    took = time.perf_counter() - started
    out["idle_cpu"] = 100 * (capacity.cpu_seconds(kit) - kit_before) / took
    out["idle_cpu_database"] = 100 * (capacity.cpu_seconds(database) - db_before) / took

    same, other = [], []
    for sender, page, delay in await capacity.proposals_everywhere(pages, tries, pause):
        (same if servers[pages.index(page)] is servers[pages.index(sender)] else
         other).append(delay)
    out["delays_same"], out["delays_other"] = same, other
    await asyncio.gather(*(p.close() for p in pages))
    for client in clients:
        await client.aclose()
    return out


def measure_two_servers(workshop: Path, url: str, participants: int, tries: int,
                        idle_seconds: float, pause: float) -> dict:
    first, second = (participants + 1) // 2, participants // 2
    with running_servers(workshop, workshop_code=capacity.CODE, expect=first,
                         database_url=url) as one, \
            running_servers(workshop, workshop_code=capacity.CODE, expect=second,
                            database_url=url) as two:
        capacity.wait_warm(one, first)
        capacity.wait_warm(two, second)
        return asyncio.run(two_server_session(one, two, workshop, url, participants, tries,
                                              idle_seconds, pause))


# --- the whole run ------------------------------------------------------------------------


def measure_backend(folder: Path, participants: int, tries: int, writes: int, browser: bool,
                    idle_seconds: float, pause: float) -> dict:
    """capacity.py's kit phases and writers, on the backend the environment names."""
    name = f"bench-{secrets.token_hex(3)}"
    result = {"kit": capacity.measure_kit(capacity.make_workshop(folder / f"{name}-kit"),
                                          participants, tries, browser, idle_seconds, pause)}
    result.update(capacity.measure_writes(capacity.make_workshop(folder / f"{name}-writes"),
                                          participants, writes))
    return result


def measure(participants: int = 40, tries: int = 20, writes: int = 50, browser: bool = False,
            idle_seconds: float = 10.0, pause: float = 1.0, sqlite: bool = True,
            url: str | None = None) -> dict:
    url = url or benchmark_url()
    result: dict = {"participants": participants, "tries": tries, "writes": writes,
                    "idle_seconds": idle_seconds}
    saved = os.environ.pop(DATABASE_URL_ENV, None)
    try:
        with tempfile.TemporaryDirectory() as tmp:
            folder = Path(tmp)
            if sqlite:
                result["sqlite"] = measure_backend(folder / "sqlite", participants, tries,
                                                   writes, browser, idle_seconds, pause)
            # The one setting: every Store.open, server, kernel and writer follows it.
            os.environ[DATABASE_URL_ENV] = url
            result["postgresql"] = measure_backend(folder, participants, tries, writes,
                                                   browser, idle_seconds, pause)
            shared = capacity.make_workshop(folder / f"bench-{secrets.token_hex(3)}-two")
            result["two_servers"] = measure_two_servers(shared, url, participants, tries,
                                                        idle_seconds, pause)
    finally:
        os.environ.pop(DATABASE_URL_ENV, None)
        if saved is not None:
            os.environ[DATABASE_URL_ENV] = saved
        drop_benchmark_workshops(url)
    return result


def drop_benchmark_workshops(url: str) -> None:
    """Remove every bench-... workshop this benchmark made in the database."""
    for name in workshop_names(url):
        if name.startswith("bench-"):
            remove_workshop(Path(name), database=url)


# --- the tables ---------------------------------------------------------------------------


def _s(value) -> str:
    return "-" if value is None else f"{value:.2f} s"


def backend_table(r: dict) -> str:
    n = r["participants"]
    runs = [r[k] for k in ("sqlite", "postgresql") if k in r]
    heads = [h for h, k in (("the kit on SQLite (this run)", "sqlite"),
                            ("the kit on PostgreSQL (this run)", "postgresql")) if k in r]

    def row(what: str, cell, target: str) -> str:
        return f"| {what} | " + " | ".join(cell(x) for x in runs) + f" | {target} |"

    lines = ["| what | " + " | ".join(heads) + " | target |",
             "|---|" + "---|" * len(runs) + "---|",
             row(f"{n} participants request the page at once: whole HTML served, p95",
                 lambda x: _s(percentile(x["kit"]["page_times"], 0.95)), "under 1 s"),
             row("one real browser, cold: first widget can be used",
                 lambda x: _s(x["kit"].get("first_widget")), "under 1.2 s"),
             row("join (name typed, Join clicked) until the board is there, p95",
                 lambda x: _s(percentile(x["kit"]["join_times"], 0.95)), "-"),
             row(f"a proposal on one page shown on the {n - 1} others, p95 (median)",
                 lambda x: f"{percentile(x['kit']['delays'], 0.95):.3f} s "
                           f"({statistics.median(x['kit']['delays']):.3f} s)", "under 0.5 s"),
             row("memory of one participant kernel with its page live, resident (median; "
                 "private)", lambda x: f"{x['kit']['kernel_rss']:.0f} MB "
                                       f"({x['kit']['kernel_private']:.0f} MB)",
                 "under 60 MB"),
             row(f"CPU of the server and its kernels with {n} idle participants",
                 lambda x: f"{x['kit']['idle_cpu']:.1f}% of one core", "under 5%"),
             row(f"{n} participants each saving {r['writes']} proposals at once",
                 lambda x: f"{x['writes_stored']} of {x['writes_expected']} stored, "
                           f"{x['writes_unique']} different, {x['writes_refused']} refused, "
                           f"in {x['writes_seconds']:.1f} s", "all stored, none lost"),
             row(f"page number {n + 1}", lambda x: f"HTTP {x['kit']['full_status']} in "
                 f"{x['kit']['full_seconds'] * 1000:.0f} ms", "a clear message, not a wait"),
             row(f"kernels of the {n} closed pages still running",
                 lambda x: str(x["kit"]["left_after_close"]), "none"),
             row("reload with the rejoin key: back as the same person",
                 lambda x: "yes" if x["kit"]["rejoined"] else "NO", "yes"),
             row("warm kernel pool ready after the server started",
                 lambda x: f"{x['kit']['warm_up']:.1f} s", "-")]
    return "\n".join(lines)


def two_server_table(r: dict) -> str:
    n, t = r["participants"], r["two_servers"]
    same, other = t["delays_same"], t["delays_other"]
    return "\n".join([
        "| what | two participant servers, one PostgreSQL database | target |",
        "|---|---|---|",
        f"| {n} participants ({(n + 1) // 2} and {n // 2} on the two servers) request the "
        f"page at once: whole HTML served, p95 | {_s(percentile(t['page_times'], 0.95))} | "
        "under 1 s |",
        f"| join until the board is there, p95 | {_s(percentile(t['join_times'], 0.95))} | - |",
        f"| a proposal shown on pages of the same server, p95 ({len(same)} arrivals, median "
        f"{statistics.median(same):.3f} s) | {percentile(same, 0.95):.3f} s | under 0.5 s |",
        f"| a proposal shown on pages of the other server, p95 ({len(other)} arrivals, median "
        f"{statistics.median(other):.3f} s) | {percentile(other, 0.95):.3f} s | under 0.5 s, "
        "as on one server |",
        f"| memory of one participant kernel (with psycopg), resident (median; private) | "
        f"{t['kernel_rss']:.0f} MB ({t['kernel_private']:.0f} MB) | under 60 MB |",
        f"| CPU of both servers and their kernels with {n} idle participants (for "
        f"{r['idle_seconds']:.0f} s once the room settled, after {t['settled_after']:.0f} s) | "
        f"{t['idle_cpu']:.1f}% of one core | under 5% |",
        "| CPU of the PostgreSQL server meanwhile (pages hear of changes by NOTIFY and "
        f"look every 5 s) | {t['idle_cpu_database']:.1f}% of one core | - |",
        f"| database connections held with {n} pages open | {t['connections']} | one per "
        "page, plus the console |",
    ])


def main() -> int:
    parser = capacity.room_options(__doc__.splitlines()[0])
    parser.add_argument("--browser", action="store_true",
                        help="also time one real browser's first widget on each backend")
    parser.add_argument("--no-sqlite", action="store_true", help="skip the SQLite column")
    parser.add_argument("--record", action="store_true",
                        help="append the tables to benchmarks/RESULTS.md")
    args = parser.parse_args()
    result = measure(args.participants, args.tries, args.writes, args.browser,
                     args.idle_seconds, sqlite=not args.no_sqlite)
    text = backend_table(result) + "\n\n" + two_server_table(result)
    print(text)
    if args.record:
        record(f"Capacity on PostgreSQL: {args.participants} people join at once", text,
               note="The PostgreSQL server ran on the same machine (loopback), sharing its "
                    "two cores with the kit and with other engineers' test runs.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
