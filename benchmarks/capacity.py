"""Capacity: a whole room joins at once, against the kit's server and plain Voilà.

Participants are simulated at the protocol level, as DESIGN.md asks (browsers on
the same 2-core machine would measure themselves): each one fetches the page over
HTTP, opens the kernel's websocket and speaks the Jupyter and widget protocol as
the page's JavaScript would - it reads every widget's state, types a name into the
name box, clicks Join, proposes wording and watches for what other pages propose.
One real headless Chromium page measures the time until the first widget can be
used. Plain Voilà serves the same notebook in the same run, for the ratios.

    python benchmarks/capacity.py --participants 40 --record
    python benchmarks/capacity.py --encrypted --record   # a plain and an encrypted file

Phases, in order: plain Voilà (browser page, then the burst of page requests), then
the kit started as ``coproduction serve --expect N`` starts it (browser page, burst,
the page after the last, join, memory, idle CPU, live updates, pages closed), then
N writer processes each saving ``--writes`` proposals at once through the engine.

A benchmark, not a test: the numbers depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing
import os
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "benchmarks"))
sys.path.insert(0, str(ROOT))

from harness import (  # noqa: E402
    chromium,
    free_port,
    kernel_pids,
    running_servers,
    token_of,
    wait_for,
)

from coproduction.servers.pages import pages_open  # noqa: E402
from latency import memory_mb, percentile  # noqa: E402
from page_client import TIMEOUT, PageClient  # noqa: E402
from results import record  # noqa: E402

from coproduction.activities.shared_language import SharedLanguage  # noqa: E402
from coproduction.core.sessions import create_session, open_round  # noqa: E402
from coproduction.core.validation import RateLimit  # noqa: E402
from coproduction.store import Store  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "participant" / "workshop.ipynb"
CODE = "BENCH"
BROWSER_TRIES = 5  # cold browsers on the kit's page; the table gives the median
PHONE_SLOWDOWN = 4  # a cheap phone: the browser's CPU this many times slower
TEXT = "The SENCO will see you. Your EHCP and the CAMHS referral come next."


# --- helpers ---------------------------------------------------------------------------


def make_workshop(folder: Path, key=None) -> Path:
    with Store.create(folder, title="Capacity benchmark", code=CODE, key=key) as store:
        session_id = create_session(store, "language", "Capacity benchmark")
        open_round(store, session_id)
        SharedLanguage(store, session_id).put_text("Letter", TEXT)
    return folder


def cpu_seconds(pids: list[int]) -> float:
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / ticks


def first_widget_seconds(url: str, selector: str, slowdown: float = 1.0) -> float:
    """A cold headless Chromium: seconds from navigation until ``selector`` can be used;
    ``slowdown`` times slower CPU (4: what Chromium's tools take for a cheap phone)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = chromium(playwright)
        context = browser.new_context(viewport={"width": 390, "height": 900})
        context.new_page()  # another tab stays open, so closing the page sends its beacon
        page = context.new_page()
        if slowdown > 1:
            context.new_cdp_session(page).send("Emulation.setCPUThrottlingRate",
                                               {"rate": slowdown})
        started = time.perf_counter()
        page.goto(url, wait_until="commit", timeout=TIMEOUT * 1000)
        page.locator(selector).first.wait_for(state="visible", timeout=TIMEOUT * 1000)
        page.wait_for_function(f"!document.querySelector({selector!r}).disabled",
                               timeout=TIMEOUT * 1000)
        took = time.perf_counter() - started
        page.close(run_before_unload=True)
        time.sleep(0.5)
        browser.close()
    return took


async def settle(pids: list[int], quiet: float = 10.0, limit: float = 30.0) -> float:
    """Wait until the room is idle: one second in which ``pids`` used under ``quiet``% of
    a core (the last joins' redraws done). Seconds waited, at most ``limit``."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        before = cpu_seconds(pids)
        await asyncio.sleep(1.0)
        if 100 * (cpu_seconds(pids) - before) < quiet:
            break
    return time.perf_counter() - started


async def open_pages(urls: list[str], token: str) -> tuple[list[PageClient], list[float], list]:
    import httpx

    clients = [httpx.AsyncClient(follow_redirects=False) for _ in urls]
    pages = [PageClient(url, token) for url in urls]
    times = await asyncio.gather(*(p.fetch(c) for p, c in zip(pages, clients)))
    return pages, list(times), clients


# --- plain Voilà --------------------------------------------------------------------------


def measure_plain(workshop: Path, participants: int, browser: bool) -> dict:
    """Plain Voilà serving the same notebook: cold page, burst of page requests, memory."""
    port, home = free_port(), Path(tempfile.mkdtemp(prefix="plain-voila-"))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COPRODUCTION_WORKSHOP": str(workshop),
           "COPRODUCTION_ROLE": "participant", "JUPYTER_CONFIG_DIR": str(home / "config"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "JUPYTER_DATA_DIR": str(home / "data"),
           "IPYTHONDIR": str(home / "ipython"), "JUPYTER_NO_CONFIG": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "voila", str(NOTEBOOK), "--no-browser", f"--port={port}",
         "--Voila.ip=127.0.0.1", "--Voila.port_retries=0"],
        env=env, cwd=home, stdout=subprocess.DEVNULL,
        stderr=open(os.environ.get("PLAIN_LOG", os.devnull), "ab"))  # noqa: SIM115
    url = f"http://127.0.0.1:{port}/?code={CODE}"
    result: dict = {}
    try:
        wait_for(lambda: _answers(f"http://127.0.0.1:{port}/voila/static/voila.js"), 60, 0.3)

        async def burst() -> None:
            _, result["page_times"], clients = await open_pages([url] * participants, "")
            memory = [memory_mb(pid) for pid in kernel_pids(server.pid)]
            result["kernel_rss"] = statistics.median(m[0] for m in memory)
            for client in clients:
                await client.aclose()

        asyncio.run(burst())
        if browser:  # after the burst: plain Voilà keeps the burst's kernels, idle
            result["first_widget"] = first_widget_seconds(url, ".coproduction-join-name input")
    finally:
        leftovers = kernel_pids(server.pid)
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        for pid in leftovers:  # plain Voilà leaks kernels; stop ours by pid
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        shutil.rmtree(home, ignore_errors=True)
    return result


def _answers(url: str) -> bool:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


# --- the kit ---------------------------------------------------------------------------


def capacity(servers) -> dict:
    """The server's count (a generous timeout: it is asked while the server is busiest)."""
    found = pages_open(servers.join_url, timeout=30)
    if found is None:
        raise RuntimeError("the participants' server did not say how many pages it has")
    return found


def wait_warm(servers, expect: int) -> float:
    started = time.perf_counter()
    if not wait_for(lambda: capacity(servers)["ready"] >= expect, TIMEOUT, 0.5):
        raise RuntimeError(f"the pool did not warm up: {capacity(servers)}")
    return time.perf_counter() - started


async def kit_session(servers, participants: int, tries: int, idle_seconds: float,
                      pause: float) -> dict:
    import httpx

    token = token_of(servers.join_url)
    out: dict = {}
    pages, out["page_times"], clients = await open_pages([servers.join_url] * participants,
                                                         token)

    # The page after the last: a plain message at once, not a wait.
    async with httpx.AsyncClient() as extra:
        started = time.perf_counter()
        response = await extra.get(servers.join_url, timeout=TIMEOUT)
        out["full_seconds"] = time.perf_counter() - started
        out["full_status"] = response.status_code
        out["full_message"] = "This workshop is full just now" in response.text

    await asyncio.gather(*(p.connect() for p in pages))
    pids = kernel_pids(servers.participant_pid)
    server_cpu, kernels_cpu = cpu_seconds([servers.participant_pid]), cpu_seconds(pids)
    out["join_times"] = list(await asyncio.gather(
        *(p.join(f"Person {i + 1}") for i, p in enumerate(pages))))
    # What the burst cost: the server passes every widget on, each kernel builds its board.
    out["join_server_cpu"] = cpu_seconds([servers.participant_pid]) - server_cpu
    out["join_kernels_cpu"] = cpu_seconds(pids) - kernels_cpu
    out["names_shown"] = sum(p.text_of("you-are") == f"You are taking part as Person {i + 1}."
                             for i, p in enumerate(pages))
    # The room screen on the wall: one more page that shows every proposal.
    screen = PageClient(servers.screen_url, token_of(servers.screen_url))
    screen_client = httpx.AsyncClient()
    await screen.fetch(screen_client)
    await screen.connect(ready="screen-title")
    await asyncio.sleep(2 * pause)  # let the first redraws settle before measuring

    pids = kernel_pids(servers.participant_pid)
    memory = [memory_mb(pid) for pid in pids]
    out["kernel_rss"] = statistics.median(m[0] for m in memory)
    out["kernel_rss_max"] = max(m[0] for m in memory)
    out["kernel_private"] = statistics.median(m[1] for m in memory)

    watched = [servers.participant_pid, *pids]
    out["settled_after"] = await settle(watched)
    before, started = cpu_seconds(watched), time.perf_counter()
    await asyncio.sleep(idle_seconds)
    out["idle_cpu"] = 100 * (cpu_seconds(watched) - before) / (time.perf_counter() - started)

    server_cpu, kernels_cpu = cpu_seconds([servers.participant_pid]), cpu_seconds(pids)
    arrivals = await proposals_everywhere(pages, tries, pause, screen)
    out["delays"] = [delay for _, page, delay in arrivals if page is not screen]
    out["screen_delays"] = [delay for _, page, delay in arrivals if page is screen]
    # CPU each proposal cost while it reached every page (idle costs next to nothing).
    out["proposal_server_ms"] = 1000 * (cpu_seconds([servers.participant_pid]) - server_cpu) / tries
    out["proposal_kernels_ms"] = 1000 * (cpu_seconds(pids) - kernels_cpu) / tries

    # A reload with the rejoin key lands straight on the board as the same person.
    key_page = pages[0]
    key = key_page.text_of("rejoin-key")
    await key_page.close()
    await asyncio.sleep(0.5)
    again = PageClient(f"{servers.join_url}&me={urllib.parse.quote(key)}", token)
    again_client = httpx.AsyncClient()
    await again.fetch(again_client)
    await again.connect()
    await again.until(lambda: again.text_of("you-are"), 60)
    out["rejoined"] = again.text_of("you-are") == "You are taking part as Person 1."
    pages[0], clients = again, [*clients, again_client]

    kernels = [(p.kernel_id, p.ticket_header()) for p in pages]
    await asyncio.gather(*(p.close() for p in pages[1:]), again.close(), screen.close())
    for client in [*clients, screen_client]:
        await client.aclose()

    async def still_running() -> int:
        async with httpx.AsyncClient() as client:
            answers = await asyncio.gather(*(client.get(
                f"{pages[0].origin}/api/kernels/{k}", params={"token": token}, headers=ticket,
                timeout=30) for k, ticket in kernels))
        return sum(a.status_code == 200 for a in answers)

    deadline = time.perf_counter() + 30
    while (left := await still_running()) and time.perf_counter() < deadline:
        await asyncio.sleep(0.5)
    out["left_after_close"] = left
    return out


async def proposals_everywhere(pages: list[PageClient], tries: int, pause: float,
                               *watching: PageClient
                               ) -> list[tuple[PageClient, PageClient, float]]:
    """Each try one page proposes, in turn; how long until each other page (and each page
    ``watching``, such as the room screen) shows it: (sender, page, seconds). ``pause`` is
    the time between two proposals (people talk)."""
    arrivals = []
    for i in range(tries):
        sender = pages[i % len(pages)]
        wording = f"plain words {i} {secrets.token_hex(3)}"
        sent = await sender.propose(wording)
        others = [p for p in pages if p is not sender] + list(watching)
        await asyncio.gather(*(p.until(lambda p=p, w=wording: w in p.seen, 60) for p in others))
        arrivals += [(sender, p, p.seen[wording] - sent) for p in others]
        await asyncio.sleep(pause)
    return arrivals


def measure_floor(workshop: Path) -> float:
    """A cold browser's first usable widget on a page holding one text box, served by the
    kit's server from a warm kernel: what the page and its script cost, whatever is on it."""
    from harness import write_notebook

    with tempfile.TemporaryDirectory() as tmp:
        write_notebook(Path(tmp) / "workshop.ipynb",
                       "import ipywidgets as ipw\n"
                       "ipw.Text(_dom_classes=['coproduction-join-name'])",
                       "from widgets.base import query_parameters\nquery_parameters();")
        with running_servers(workshop, participant_notebooks=Path(tmp), workshop_code=CODE,
                             expect=1) as servers:
            wait_warm(servers, 1)
            return first_widget_seconds(servers.join_url, ".coproduction-join-name input")


def measure_kit(workshop: Path, participants: int, tries: int, browser: bool,
                idle_seconds: float, pause: float = 1.0) -> dict:
    result: dict = {}
    if browser:
        result["floor_widget"] = measure_floor(workshop)
    with running_servers(workshop, workshop_code=CODE, expect=participants) as servers:
        result["warm_up"] = wait_warm(servers, participants)
        if browser:  # a new cold browser each time; the room is whole again after each
            tries_seen = []
            for _ in range(BROWSER_TRIES):
                tries_seen.append(first_widget_seconds(
                    servers.join_url, ".coproduction-join-name input"))
                wait_for(lambda: capacity(servers)["pages"] == 0, 30)
                wait_warm(servers, participants)
            result["first_widget"] = statistics.median(tries_seen)
            result["first_widget_slowest"] = max(tries_seen)
            result["phone_widget"] = first_widget_seconds(
                servers.join_url, ".coproduction-join-name input", slowdown=PHONE_SLOWDOWN)
            wait_for(lambda: capacity(servers)["pages"] == 0, 30)
            wait_warm(servers, participants)
        result.update(asyncio.run(kit_session(servers, participants, tries, idle_seconds,
                                                 pause)))
    return result


# --- many writes at once ------------------------------------------------------------------


def _again(action, gave_up, tries: int = 20):
    """Do ``action`` as a person would: when the store is busy, press again (up to
    ``tries`` times; then say what was refused). Its result, or None."""
    for attempt in range(tries):
        try:
            return action()
        except Exception as error:  # the store was busy
            if attempt == tries - 1:
                gave_up.put(f"{type(error).__name__}: {error}")
            time.sleep(0.05)
    return None


def _writer(folder: str, number: int, writes: int, go, ready, gave_up) -> None:
    from coproduction.core.participants import join_workshop

    with Store.open(folder) as store:
        # Joining too, as a person would: a room of writers all starting at once on two
        # cores finds the store busy, and gives up on none of them.
        person, _ = _again(lambda: join_workshop(store, code=CODE,
                                                 pseudonym=f"Writer {number}"), gave_up)
        engine = SharedLanguage(store, 1)
        # The per-page rate limit is a page's own guard (bursts of 30); here we measure
        # the store under forty writers, so this writer's page allows all its writes.
        engine._limit = RateLimit(limit=writes, seconds=60)
        term_id = _again(lambda: engine.board(person), gave_up).terms[0].term_id
        ready.put(number)
        go.wait()
        for i in range(writes):
            _again(lambda i=i: engine.propose(person, term_id, f"writer {number} wording {i}"),
                   gave_up)


def measure_writes(workshop: Path, writers: int, writes: int) -> dict:
    context = multiprocessing.get_context("spawn")
    go, ready, gave_up = context.Event(), context.Queue(), context.Queue()
    processes = [context.Process(target=_writer,
                                 args=(str(workshop), n, writes, go, ready, gave_up))
                 for n in range(writers)]
    for process in processes:
        process.start()
    for _ in processes:
        ready.get(timeout=TIMEOUT)
    started = time.perf_counter()
    go.set()
    for process in processes:
        process.join(TIMEOUT)
    took = time.perf_counter() - started
    with Store.open(workshop) as store:
        rows = store.select("proposals")
    wordings = [r["wording"] for r in rows if r["wording"].startswith("writer ")]
    refusals = []
    while not gave_up.empty():
        refusals.append(gave_up.get())
    return {"writes_refused": len(refusals), "writes_refusals": sorted(set(refusals)),
            "writes_expected": writers * writes, "writes_stored": len(wordings),
            "writes_unique": len(set(wordings)), "writes_seconds": took}


# --- the whole run ------------------------------------------------------------------------


def measure(participants: int = 40, tries: int = 20, writes: int = 50, browser: bool = True,
            plain: bool = True, idle_seconds: float = 10.0, pause: float = 1.0) -> dict:
    """Every phase; ``pause`` is the time between two proposals (people talk)."""
    with tempfile.TemporaryDirectory() as tmp:
        result = {"participants": participants, "tries": tries, "writes": writes,
                  "idle_seconds": idle_seconds}
        if plain:
            result["plain"] = measure_plain(make_workshop(Path(tmp) / "plain"), participants,
                                            browser)
        kit_workshop = make_workshop(Path(tmp) / "kit")
        result["kit"] = measure_kit(kit_workshop, participants, tries, browser, idle_seconds,
                                    pause)
        result.update(measure_writes(make_workshop(Path(tmp) / "writes"), participants, writes))
    return result


def measure_encrypted(participants: int = 40, tries: int = 20, writes: int = 50,
                      idle_seconds: float = 10.0) -> dict:
    """The kit on a plain file and on an encrypted one, one after the other in one run
    (browsers left out: they measure the page, which encryption does not touch)."""
    from coproduction.store import encryption

    result = {"participants": participants, "writes": writes}
    with tempfile.TemporaryDirectory() as tmp:
        for name, key in (("plain", None), ("encrypted", encryption.make_key("a bench key"))):
            if key is not None:
                encryption.hand_on(key)  # the servers, kernels and writers are handed it
            result[name] = {
                "kit": measure_kit(make_workshop(Path(tmp) / name, key), participants, tries,
                                   False, idle_seconds),
                **measure_writes(make_workshop(Path(tmp) / f"{name}-writes", key),
                                 participants, writes)}
        encryption.forget_all()
    return result


def encrypted_table(r: dict) -> str:
    n = r["participants"]
    figures = [
        (f"{n} page requests at once, whole HTML served, p95 (s)",
         lambda m: percentile(m["kit"]["page_times"], 0.95)),
        ("join until the board is there, p95 (s)",
         lambda m: percentile(m["kit"]["join_times"], 0.95)),
        (f"a proposal shown on the {n - 1} other pages, p95 (s)",
         lambda m: percentile(m["kit"]["delays"], 0.95)),
        ("participant kernel, resident memory, median (MB)", lambda m: m["kit"]["kernel_rss"]),
        ("participant kernel, private memory, median (MB)",
         lambda m: m["kit"]["kernel_private"]),
        (f"whole server, {n} idle participants (% of one core)",
         lambda m: m["kit"]["idle_cpu"]),
        (f"{n} x {r['writes']} proposals at once, all stored (s)",
         lambda m: m["writes_seconds"]),
    ]
    rows = ["| what | plain file | encrypted file | encrypted / plain |", "|---|---|---|---|"]
    for what, figure in figures:
        plain, encrypted = figure(r["plain"]), figure(r["encrypted"])
        rows.append(f"| {what} | {plain:.3f} | {encrypted:.3f} | "
                    f"{encrypted / plain if plain else float('nan'):.2f} |")
    stored = {name: f"{r[name]['writes_stored']} of {r[name]['writes_expected']}"
              for name in ("plain", "encrypted")}
    rows.append(f"| proposals stored | {stored['plain']} | {stored['encrypted']} | - |")
    return "\n".join(rows)


def table(r: dict) -> str:
    kit, plain, n = r["kit"], r.get("plain", {}), r["participants"]
    p95 = percentile(kit["page_times"], 0.95)
    plain_p95 = percentile(plain["page_times"], 0.95) if plain else None
    delays = kit["delays"]

    def seconds(value):
        return "-" if value is None else f"{value:.2f} s"

    ratio = f"{plain_p95 / p95:.0f}x faster" if plain_p95 else "-"
    rows = [
        "| what | plain Voilà (this run) | the kit | target |",
        "|---|---|---|---|",
        f"| {n} participants request the page at once: whole HTML served, p95 | "
        f"{seconds(plain_p95)} | {seconds(p95)} ({ratio}) | under 1 s, 10x faster |",
        f"| the same, slowest | {seconds(max(plain['page_times']) if plain else None)} | "
        f"{seconds(max(kit['page_times']))} | - |",
        f"| one real browser, cold: first widget can be used (the kit: median of "
        f"{BROWSER_TRIES} browsers, slowest {seconds(kit.get('first_widget_slowest'))}) | "
        f"{seconds(plain.get('first_widget'))} | {seconds(kit.get('first_widget'))} | "
        "under 1.2 s |",
        f"| the same on a cold phone (the browser's CPU {PHONE_SLOWDOWN}x slower) | - | "
        f"{seconds(kit.get('phone_widget'))} | under 1.5 s |",
        f"| the same, for a page holding one text box (what any page costs) | - | "
        f"{seconds(kit.get('floor_widget'))} | - |",
        f"| join (name typed, Join clicked) until the board is there, p95 | - | "
        f"{seconds(percentile(kit['join_times'], 0.95))} | - |",
        f"| CPU the whole join cost: server, all kernels | - | "
        f"{kit['join_server_cpu']:.1f} s, {kit['join_kernels_cpu']:.1f} s | - |",
        f"| a proposal on one page shown on the {n - 1} others, p95 "
        f"({len(delays)} arrivals, median {statistics.median(delays):.3f} s) | - | "
        f"{percentile(delays, 0.95):.3f} s | under 0.5 s |",
        f"| the same proposal shown on the room screen, p95 ({len(kit['screen_delays'])} "
        f"arrivals) | - | {percentile(kit['screen_delays'], 0.95):.3f} s | under 1 s |",
        f"| CPU one proposal cost while it reached every page: server, all kernels | - | "
        f"{kit['proposal_server_ms']:.0f} ms, {kit['proposal_kernels_ms']:.0f} ms | - |",
        f"| memory of one participant kernel with its page live, resident (median) | "
        f"{plain['kernel_rss']:.0f} MB |" if plain else "| memory of one participant kernel "
        "with its page live, resident (median) | - |",
    ]
    rows[-1] += (f" {kit['kernel_rss']:.0f} MB (largest {kit['kernel_rss_max']:.0f}, "
                 f"private {kit['kernel_private']:.0f}) | under 60 MB |")
    rows += [
        f"| CPU of the whole server with {n} idle participants (measured for "
        f"{r.get('idle_seconds', 10):.0f} s once the room settled, after "
        f"{kit['settled_after']:.0f} s) | - | {kit['idle_cpu']:.1f}% of one core | under 5% |",
        f"| {n} participants each saving {r['writes']} proposals at once | - | "
        f"{r['writes_stored']} of {r['writes_expected']} stored, {r['writes_unique']} "
        f"different, {r['writes_refused']} refused after 20 tries, in "
        f"{r['writes_seconds']:.1f} s | all stored, none lost or doubled |",
        f"| page number {n + 1} | - | HTTP {kit['full_status']} with a plain message in "
        f"{kit['full_seconds'] * 1000:.0f} ms | a clear message, not a wait |",
        f"| kernels of the {n} closed pages still running | (leaks them) | "
        f"{kit['left_after_close']} | none |",
        f"| reload with the rejoin key: back as the same person | - | "
        f"{'yes' if kit['rejoined'] else 'NO'} | yes |",
        f"| warm kernel pool ready after the server started | - | {kit['warm_up']:.1f} s | - |",
    ]
    return "\n".join(rows)


def room_options(description: str) -> argparse.ArgumentParser:
    """The room every capacity benchmark simulates: its size and how busy it is."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--participants", type=int, default=40)
    parser.add_argument("--tries", type=int, default=20, help="proposals watched by all pages")
    parser.add_argument("--writes", type=int, default=50, help="proposals per writer")
    parser.add_argument("--idle-seconds", type=float, default=10.0)
    return parser


def main() -> int:
    parser = room_options(__doc__.splitlines()[0])
    parser.add_argument("--no-browser", action="store_true")
    parser.add_argument("--no-plain", action="store_true", help="skip plain Voilà")
    parser.add_argument("--record", action="store_true",
                        help="append the table to benchmarks/RESULTS.md")
    parser.add_argument("--encrypted", action="store_true",
                        help="compare the kit on a plain and on an encrypted workshop file")
    args = parser.parse_args()
    if args.encrypted:
        text = encrypted_table(measure_encrypted(args.participants, args.tries, args.writes,
                                                 args.idle_seconds))
        print(text)
        if args.record:
            record(f"Capacity: {args.participants} people, a plain and an encrypted file",
                   text)
        return 0
    result = measure(args.participants, args.tries, args.writes, not args.no_browser,
                     not args.no_plain, args.idle_seconds)
    text = table(result)
    print(text)
    if args.record:
        record(f"Capacity: {args.participants} people join at once", text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
