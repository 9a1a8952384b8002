"""Faults: a crash of the whole kit, a killed kernel. Nothing acknowledged is lost.

People are simulated at the protocol level (tests/page_client.py), as the capacity
benchmark does: each joins, then proposes wordings one after another, counting one as
acknowledged only once its own page shows it on the board, as a person would.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sqlite3
import sys
import time
import urllib.parse
from pathlib import Path

import pytest
from databases import sound
from harness import (
    Served,
    coproduction,
    kernel_of_process,
    kernel_pids,
    served_workshop,
    token_of,
    wait_for,
)
from page_client import PageClient, in_line_address, kernel_id_of

from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.sessions import create_session, open_round
from coproduction.servers.serve import TOKENS_FILE, _descendants, workshop_tokens
from coproduction.store import DATABASE_NAME, Store

TEXT = "The SENCO will see you at the TAC."


def language_round(workshop: Path) -> None:
    with Store.open(workshop) as store:
        session_id = create_session(store, "language", "Our letters")
        open_round(store, session_id)
        SharedLanguage(store, session_id).put_text("Invitation", TEXT)


def new_workshop(tmp_path: Path) -> Path:
    workshop = tmp_path / "workshop"
    made = coproduction("new", "--workshop", workshop, "--title", "Faults", "--no-encryption")
    assert made.returncode == 0, made.stderr
    language_round(workshop)
    return workshop


@contextlib.contextmanager
def serving_a_round(tmp_path: Path, expect: int = 3):
    """`coproduction serve --expect N` on a new workshop with a shared-language round open."""
    with served_workshop(tmp_path, "Faults", "--expect", str(expect)) as (served, workshop):
        language_round(workshop)
        yield served, workshop


async def joined(served: Served, client, *names: str) -> list[PageClient]:
    """A page for each name, joined under it."""
    pages = []
    for name in names:
        page = await open_page(served.join, client)
        await page.join(name)
        pages.append(page)
    return pages


def kill_everything(pid: int) -> None:
    """SIGKILL a process and every process below it at once, as a power cut would."""
    below = _descendants(pid)
    for target in [pid, *(child for child, _ in below)]:
        try:
            os.kill(target, signal.SIGKILL)
        except ProcessLookupError:
            pass
    for child, _ in below:
        wait_for(lambda child=child: not Path(f"/proc/{child}").exists()
                 or "Z" in Path(f"/proc/{child}/stat").read_text().split(")")[-1][:3], 10)


async def open_page(url: str, client) -> PageClient:
    page = PageClient(url, token_of(url))
    await page.fetch(client)
    await page.connect()
    return page


async def propose_until_stopped(page: PageClient, prefix: str, acknowledged: list[str],
                                limit: int = 25) -> None:
    """Propose one wording after another; each counts once the page shows it."""
    for number in range(limit):
        wording = f"{prefix} {number}"
        try:
            await page.until(lambda: page.find("TextModel", "propose-input"), 30)
            await page.propose(wording)
            await page.until(lambda w=wording: w in page.seen, 30)
        except (ConnectionError, OSError, asyncio.TimeoutError, Exception):
            return  # the connection went: this wording was not acknowledged
        acknowledged.append(wording)


def stored_wordings(workshop: Path) -> set[str]:
    with Store.open(workshop) as store:
        return {row["wording"] for row in store.select("proposals")}


def integrity(workshop: Path) -> str:
    with sqlite3.connect(workshop / DATABASE_NAME) as raw:
        return raw.execute("PRAGMA integrity_check").fetchone()[0]


def test_the_links_are_kept_between_runs_and_can_be_renewed(tmp_path):
    first = workshop_tokens(tmp_path)
    assert workshop_tokens(tmp_path) == first and first[0] != first[1]
    assert (tmp_path / TOKENS_FILE).stat().st_mode & 0o777 == 0o600
    renewed = workshop_tokens(tmp_path, renew=True)
    assert renewed != first and workshop_tokens(tmp_path) == renewed
    (tmp_path / TOKENS_FILE).write_text("{damaged")
    assert workshop_tokens(tmp_path) not in (first, renewed)


def test_a_crash_of_everything_loses_nothing_acknowledged_and_the_round_goes_on(tmp_path):
    import httpx

    workshop = new_workshop(tmp_path)
    log = (tmp_path / "serve.log").open("w")
    served = Served(workshop, log, "--expect", "3")
    names = ["Ana", "Bo"]

    async def before_the_crash():
        client = httpx.AsyncClient()
        pages = await joined(served, client, *names)
        keys = [page.text_of("rejoin-key") for page in pages]
        acknowledged: list[str] = []
        writers = [asyncio.create_task(propose_until_stopped(page, f"{name} words",
                                                             acknowledged))
                   for page, name in zip(pages, names)]
        await asyncio.sleep(0)
        deadline = time.monotonic() + 60
        while len(acknowledged) < 6 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        kill_everything(served.process.pid)  # mid-round, with both writers still going
        await asyncio.wait(writers, timeout=60)
        await client.aclose()
        return keys, acknowledged

    try:
        keys, acknowledged = asyncio.run(before_the_crash())
    finally:
        kill_everything(served.process.pid)
    assert len(acknowledged) >= 6
    assert set(acknowledged) <= stored_wordings(workshop), "an acknowledged wording was lost"
    assert integrity(workshop) == "ok"

    for port in (served.port, served.console_port):  # the killed servers' ports are free
        assert wait_for(lambda port=port: _free(port), 30)
    again = Served(workshop, log, "--expect", "3", port=served.port,
                   console_port=served.console_port)  # the same command
    try:
        assert again.join == served.join, "the same link works after a restart"

        async def after_the_restart():
            async with httpx.AsyncClient() as client:
                for key, name in zip(keys, names):
                    page = await open_page(f"{again.join}&me={urllib.parse.quote(key)}",
                                           client)
                    await page.until(lambda p=page: p.text_of("you-are"), 60)
                    assert page.text_of("you-are") == f"You are taking part as {name}."
                    wording = f"{name} after the restart"
                    await page.until(lambda p=page: p.find("TextModel", "propose-input"), 30)
                    await page.propose(wording)
                    await page.until(lambda p=page, w=wording: w in p.seen, 30)

        asyncio.run(after_the_restart())
    finally:
        again.stop()
        log.close()
    stored = stored_wordings(workshop)
    assert {"Ana after the restart", "Bo after the restart"} <= stored
    assert set(acknowledged) <= stored
    assert integrity(workshop) == "ok"


def test_a_killed_kernel_loses_nothing_and_its_person_comes_back(tmp_path):
    import httpx

    async def journey(served):
        async with httpx.AsyncClient() as client:
            ana, bo = await joined(served, client, "Ana", "Bo")
            key = ana.text_of("rejoin-key")
            acknowledged: list[str] = []
            await propose_until_stopped(ana, "Ana words", acknowledged, limit=3)
            before = set(kernel_pids(_participant_server(served)))
            os.kill(_kernel_of(served, ana), signal.SIGKILL)
            # Bo's page goes on as if nothing happened.
            await propose_until_stopped(bo, "Bo words", acknowledged, limit=2)
            # Ana's page comes back as Ana, on another kernel, with her words.
            back = await open_page(f"{served.join}&me={urllib.parse.quote(key)}", client)
            await back.until(lambda: back.text_of("you-are"), 60)
            assert back.text_of("you-are") == "You are taking part as Ana."
            assert {"Ana words 0", "Ana words 1", "Ana words 2"} <= set(back.seen)
            # The dead kernel is not restarted blank behind the old page: the server
            # forgets it, so its place in the room is free again.
            gone = f"{ana.origin}/api/kernels/{ana.kernel_id}?token={ana.token}"
            assert wait_for(lambda: httpx.get(gone, headers=ana.ticket_header()).status_code
                            == 404, 20)
            assert wait_for(lambda: len(set(kernel_pids(_participant_server(served)))
                                        - before) <= 1, 20)
            return acknowledged

    with serving_a_round(tmp_path) as (served, workshop):
        # The link is given out once every page the room expects is drawn, and serve says so.
        assert served.printed("Ready: ")[-1] == "Ready: 3 pages"
        acknowledged = asyncio.run(journey(served))
    assert len(acknowledged) == 5 and set(acknowledged) <= stored_wordings(workshop)
    assert integrity(workshop) == "ok"


def _free(port: int) -> bool:
    import socket

    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def _participant_server(served: Served) -> int:
    """The participant Voilà server started by `coproduction serve`."""
    for pid, _ in _descendants(served.process.pid):
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
        if b"coproduction.servers.app" in cmdline and b"participant" in cmdline:
            return pid
    raise AssertionError("no participant server")


def _is_kernel(pid: int, kernel_id: str) -> bool:
    """Whether process ``pid`` is the kernel ``kernel_id``, as only this account can tell
    (no command line names a kernel's id)."""
    return kernel_of_process(pid) == kernel_id


def _kernel_of(served: Served, page: PageClient) -> int:
    """The process of the kernel behind ``page``."""
    for pid in kernel_pids(_participant_server(served)):
        if _is_kernel(pid, page.kernel_id):
            return pid
    raise AssertionError("the page's kernel is not running")


if sys.platform != "linux":  # /proc and SIGKILL of a process tree
    pytestmark = pytest.mark.skip("needs Linux")


@pytest.mark.browser
def test_a_page_whose_kernel_died_says_so_and_keeps_what_was_typed(tmp_path):
    """The page tells the person at once, keeps their typing, and brings them back."""
    import json

    from harness import chromium
    from playwright.sync_api import expect, sync_playwright

    draft = "the meeting about you, not sent yet"
    with serving_a_round(tmp_path) as (server, workshop):
        with sync_playwright() as p:
            browser = chromium(p)
            page = browser.new_context(viewport={"width": 390, "height": 2600}).new_page()
            page.goto(server.join)
            page.locator(".coproduction-join-name input").fill("Ana")
            page.locator(".coproduction-join-button").click()
            expect(page.locator(".coproduction-you-are")).to_be_visible(timeout=30_000)
            box = page.locator(".coproduction-term", has_text="TAC").locator(
                ".coproduction-propose-input input")
            box.fill(draft)
            kernel_id = json.loads(page.locator("#jupyter-config-data").text_content())[
                "kernelId"]
            for pid in _all_kernels(server):
                if _is_kernel(pid, kernel_id):
                    os.kill(pid, signal.SIGKILL)
            lost = page.locator("#coproduction-connection-lost")
            expect(lost).to_be_visible(timeout=20_000)
            expect(lost).to_have_attribute("role", "alert")
            expect(lost).to_contain_text("not saved")
            expect(box).to_have_value(draft)           # still on the screen

            lost.get_by_role("button", name="Connect again").click()
            expect(page.locator(".coproduction-you-are")).to_have_text(
                "You are taking part as Ana.", timeout=30_000)
            box = page.locator(".coproduction-term", has_text="TAC").locator(
                ".coproduction-propose-input input")
            expect(box).to_have_value(draft, timeout=10_000)   # put back in the same box
            expect(page.locator("#coproduction-drafts-back")).to_contain_text("put back")
            box.press("Enter")
            page.locator(".coproduction-term", has_text="TAC").locator(
                ".coproduction-propose-button").click()
            expect(page.locator(".coproduction-term", has_text="TAC").locator(
                ".coproduction-wording")).to_have_text(draft, timeout=10_000)
            browser.close()
    assert draft in stored_wordings(workshop)


@pytest.mark.browser
def test_a_page_whose_kernel_went_before_it_connected_says_so_at_once(tmp_path):
    """The page arrives, but its kernel is shut down before the page reaches it: the
    page says so within seconds instead of retrying for a minute in silence."""
    import re
    import urllib.request

    from harness import chromium
    from playwright.sync_api import expect, sync_playwright

    with serving_a_round(tmp_path, expect=1) as (server, _):
        origin = server.join.split("/voila/")[0]

        def shut_down_its_kernel_first(route):
            served = route.fetch()
            if in_line_address(served.text()):  # the page is still being drawn: wait for it
                route.fulfill(response=served)
                return
            kernel_id = kernel_id_of(served.text())
            ticket = [h["value"].split(";")[0] for h in served.headers_array
                      if h["name"].lower() == "set-cookie" and "page-close=" in h["value"]]
            urllib.request.urlopen(urllib.request.Request(
                f"{origin}/voila/api/shutdown/{kernel_id}?token={token_of(server.join)}",
                method="POST", data=b"", headers={"Cookie": ticket[0]}), timeout=30)
            route.fulfill(response=served)

        with sync_playwright() as p:
            browser = chromium(p)
            page = browser.new_page()
            page.route(re.compile(r".*/voila/render/workshop\.ipynb.*"), shut_down_its_kernel_first)
            page.goto(server.join)
            lost = page.locator("#coproduction-connection-lost")
            expect(lost).to_be_visible(timeout=10_000)
            expect(lost).to_contain_text("lost touch")
            expect(lost.get_by_role("button", name="Connect again")).to_be_visible()
            browser.close()


def _all_kernels(server: Served) -> list[int]:
    return kernel_pids(_participant_server(server))


# --- the store refuses: locked, full, read-only ----------------------------------------


def in_child(work) -> dict:
    """Run ``work()`` in a forked child (for limits and namespaces); return its JSON dict."""
    import json

    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never return into pytest
        os.close(read)
        try:
            result = work()
        except BaseException as error:  # report it to the parent, which fails the test
            result = {"fault": f"{type(error).__name__}: {error}"}
        os.write(write, json.dumps(result).encode())
        os._exit(0)
    os.close(write)
    chunks = []
    while chunk := os.read(read, 65536):
        chunks.append(chunk)
    os.close(read)
    os.waitpid(pid, 0)
    return json.loads(b"".join(chunks) or b'{"fault": "no answer"}')


def test_a_workshop_locked_by_another_program_says_so_and_keeps_the_words(store, session_id):
    """Another program holds the write lock: a plain message, the words stay, then it works."""
    from widgets.language import LanguageBoard

    board = _board(store, LanguageBoard, "Ana")
    if store.backend == "sqlite":
        store._conn.execute("PRAGMA busy_timeout = 200")  # a person should not wait 15 s here
        other = sqlite3.connect(store.path, isolation_level=None)
        other.execute("BEGIN EXCLUSIVE")  # e.g. a database browser left open mid-change
    else:  # PostgreSQL: another session holds the workshop's write lock (its revision row)
        from databases import connect

        store._conn.execute("SET lock_timeout = '200ms'")
        other = connect(store.database)
        other.execute("BEGIN")
        other.execute(f'SELECT value FROM "{store._db.schema}".revision FOR UPDATE')
    try:
        before = store.revision()
        senco = next(c for c in board.cards.values() if c.term.value == "SENCO")
        senco.propose_box.value = "the teacher for extra help"
        senco.propose_button.click()
        assert board.message.value == "The workshop is busy. Please try again in a moment."
        assert senco.propose_box.value == "the teacher for extra help"
        assert store.revision() == before
    finally:
        other.execute("ROLLBACK")
        other.close()
    senco.propose_button.click()  # the lock is gone: the same click now works
    assert senco.propose_box.value == "" and "on the board" in board.message.value
    assert sound(store)


def test_a_full_disk_refuses_plainly_and_leaves_the_file_whole(tmp_path):
    """The file may not grow (RLIMIT_FSIZE, as a full disk): every write after that is
    refused with a sentence, and what was saved before is whole."""
    import resource

    folder = tmp_path / "workshop"
    Store.create(folder, title="Full", code="FULL").close()
    room = (folder / DATABASE_NAME).stat().st_size + 64 * 1024

    def fill_up():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a failed write, not a dead process
        store = Store.open(folder)
        resource.setrlimit(resource.RLIMIT_FSIZE, (room, room))
        saved = 0
        try:
            for number in range(10_000):
                store.insert("sessions", {"activity": "language", "status": "planned",
                                          "title": f"{number:05d} " + "words " * 30})
                saved += 1
        except Exception as error:
            return {"saved": saved, "refusal": str(error), "kind": type(error).__name__}
        return {"saved": saved, "refusal": None}

    result = in_child(fill_up)
    assert result.get("kind") == "StoreError", result
    assert "Nothing new was saved" in result["refusal"] and "space" in result["refusal"]
    assert integrity(folder) == "ok"
    with Store.open(folder) as store:
        titles = [row["title"] for row in store.select("sessions")]
    assert len(titles) == result["saved"] > 0, "every acknowledged write is there, no more"
    assert titles == sorted(titles)


def test_a_read_only_workshop_folder_is_said_plainly_everywhere(tmp_path):
    """Pages, the console and serve say the folder cannot be written to; nothing breaks."""
    import ctypes

    folder = tmp_path / "workshop"
    Store.create(folder, title="Read only", code="READ").close()
    from widgets.console import console_page
    from widgets.workshop import participant_page

    def as_someone_else():
        # A user namespace: this process loses root's power over the host's files, as
        # when the folder belongs to someone else or sits on a read-only disk.
        if ctypes.CDLL(None, use_errno=True).unshare(0x10000000) != 0:  # CLONE_NEWUSER
            return {"skip": "user namespaces are not allowed here"}
        answers = {}
        try:
            Store.open(folder)
        except Exception as error:
            answers["store"] = str(error)
        for name, page in (("page", participant_page(workshop=folder)),
                           ("console", console_page(workshop=folder))):
            answers[name] = [child.value for child in page.children]
        try:
            workshop_tokens(folder)
        except Exception as error:
            answers["serve"] = str(error)
        return answers

    os.chmod(folder / DATABASE_NAME, 0o400)  # read-only, and still nobody else's
    os.chmod(folder, 0o500)
    try:
        answers = in_child(as_someone_else)
    finally:
        os.chmod(folder, 0o755)
        os.chmod(folder / DATABASE_NAME, 0o644)
    if "skip" in answers:
        pytest.skip(answers["skip"])
    cannot = "The workshop folder cannot be written to. Ask the facilitator to check it."
    assert answers["store"] == cannot, answers
    assert answers["page"] == answers["console"] == [cannot, "Please tell the facilitator."]
    assert "cannot be written to" in answers["serve"]
    assert integrity(folder) == "ok"


def test_when_saving_fails_the_page_and_the_console_say_so_and_keep_the_text(
        store, session_id, monkeypatch):
    from coproduction.store import Transaction
    from widgets.console import FacilitatorConsole
    from widgets.language import LanguageBoard

    board = _board(store, LanguageBoard, "Ana")
    console = FacilitatorConsole(store)
    real = Transaction._execute
    if store.backend == "sqlite":
        full = sqlite3.OperationalError("database or disk is full")
        out_of_space = "The computer running the workshop is out of space. Nothing new was saved."
    else:
        import psycopg

        full = psycopg.errors.DiskFull("could not extend file: No space left on device")
        out_of_space = "The database server is out of space. Nothing new was saved."

    def disk_full(self, sql, params):
        if sql.startswith(("INSERT", "UPDATE", "DELETE")):
            raise full
        return real(self, sql, params)

    monkeypatch.setattr(Transaction, "_execute", disk_full)
    before = store.revision()
    board.flag_box.value = "care package"
    board.flag_button.click()
    assert board.message.value == out_of_space and board.flag_box.value == "care package"
    console.language.round.new_title.value = "Second letters"
    console.language.round.new_button.click()
    assert console.language.message.value == out_of_space
    assert console.language.round.new_title.value == "Second letters"
    assert store.revision() == before
    for panel in (console.language, console.methods, console.timeline, console.feedback,
                  console.consent, board):
        panel.stop()


def _board(store, kind, name):
    from coproduction.core.participants import join_workshop

    person, _ = join_workshop(store, code="TEST42", pseudonym=name)
    board = kind(store, person)
    board.refresh_if_changed()
    return board


def test_a_warm_kernel_that_dies_is_replaced_before_anyone_gets_it(tmp_path):
    """A kernel waiting in the pool is killed (say, by the system running out of memory):
    it is dropped and replaced, and every person still gets a working page."""
    import httpx

    async def two_people(served):
        async with httpx.AsyncClient() as client:
            return [p.text_of("you-are") for p in await joined(served, client, "Ana", "Bo")]

    with serving_a_round(tmp_path, expect=2) as (served, workshop):
        server = _participant_server(served)
        token = token_of(served.join)
        status = f"http://127.0.0.1:{served.port}/coproduction/capacity?token={token}"
        assert wait_for(lambda: httpx.get(status).json()["warm"] == 2, 120)
        victim = kernel_pids(server)[0]
        os.kill(victim, signal.SIGKILL)
        assert wait_for(lambda: victim not in kernel_pids(server)
                        and httpx.get(status).json()["warm"] == 2, 60), \
            "the pool filled its place again"
        assert asyncio.run(two_people(served)) == ["You are taking part as Ana.",
                                                   "You are taking part as Bo."]


def _damage(folder: Path, kind: str) -> None:
    """Damage a workshop's file as a failing disk, a bad copy or another program would."""
    path = folder / DATABASE_NAME
    data = bytearray(path.read_bytes())
    if kind == "empty":
        data = bytearray()
    elif kind == "not SQLite":
        data[:100] = b"\x89PNG" + bytes(96)
    elif kind == "cut short":
        data = data[:len(data) // 2]
    elif kind == "a damaged page":
        with contextlib.closing(sqlite3.connect(path)) as raw:
            root = raw.execute("SELECT rootpage FROM sqlite_master "
                               "WHERE name = 'participants'").fetchone()[0]
        page = 4096 * (root - 1)
        data[page:page + 8] = b"\xff" * 8  # the page's header: no longer a b-tree page
    elif kind == "not a workshop":
        path.unlink()
        with contextlib.closing(sqlite3.connect(path)) as raw:
            raw.execute("CREATE TABLE budget (line TEXT, amount REAL)")
            raw.commit()
        os.chmod(path, 0o600)  # someone else's database, but private: the damage is named
        data = bytearray(path.read_bytes())
    elif kind == "from a newer kit":
        with contextlib.closing(sqlite3.connect(path)) as raw:
            raw.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
            raw.commit()
        data = bytearray(path.read_bytes())
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("kind, sentence", [
    ("empty", "is empty (0 bytes)"),
    ("not SQLite", "is not a workshop file"),
    ("cut short", "is damaged (at page "),
    ("a damaged page", "is damaged (at page "),
    ("not a workshop", "is a database, but not a workshop the kit made"),
    ("from a newer kit", "made by a newer version of the kit"),
])
def test_a_damaged_workshop_is_never_written_to_and_each_damage_is_named(tmp_path, kind,
                                                                        sentence):
    """Every command refuses in one sentence that names the damage and the way out, and
    leaves every byte of the file as it found it (SECURITY.md, promise 25)."""
    folder = tmp_path / "workshop"
    made = coproduction("new", "--workshop", folder, "--title", "Damaged", "--no-encryption")
    assert made.returncode == 0, made.stderr
    with Store.open(folder) as store:
        for number in range(40):
            store.insert("sessions", {"activity": "language", "status": "planned",
                                      "title": f"session {number} " + "words " * 20})
    _damage(folder, kind)
    before = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}
    for command in (["participants"], ["export", "--out", tmp_path / "out"],
                    ["withdraw", "p-0000000000"], ["serve", "--port", "0"]):
        result = coproduction(*command, "--workshop", folder)
        assert result.returncode == 2, (command, result.stdout, result.stderr)
        said = result.stderr.strip()
        assert said.count("\n") == 0 and sentence in said, (command, said)
        assert "Traceback" not in said and "went wrong" not in said
        assert ("put its workshop.sqlite back" in said or "update the kit" in said), said
    after = {f.name: f.read_bytes() for f in folder.iterdir() if f.is_file()}
    assert after == before, "the damaged file was changed"
    assert not (tmp_path / "out").exists()
