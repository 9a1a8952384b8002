"""Beyond one machine: the command line on PostgreSQL, moving a workshop, two servers.

The store's own suite and every engine test that takes the ``store`` fixture already run
on both backends (``tests/conftest.py``). Here:

- every command gives the same answers and the same exports on PostgreSQL as on SQLite;
- ``coproduction move`` takes a workshop to PostgreSQL and back, losing nothing;
- two participant servers (standing in for two machines) serve one workshop from one
  PostgreSQL database: a contribution on one shows on the other live, and a withdrawal
  is erased from both servers' pages. Participants are simulated at the protocol level,
  with :class:`page_client.PageClient` (as the capacity benchmark does).
"""

from __future__ import annotations

import asyncio
import json
import os
import secrets
import subprocess
import sys
import time
import urllib.parse
from pathlib import Path

from databases import stored_bytes
from page_client import PageClient

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

URL_ENV = "COPRODUCTION_DATABASE_URL"


def run(*args, url: str | None, cwd=None):
    """`coproduction ...` with the database setting given (None: SQLite)."""
    env = {k: v for k, v in os.environ.items() if k != URL_ENV}
    if url:
        env[URL_ENV] = url
    return subprocess.run([sys.executable, "-m", "coproduction.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=300, env=env, cwd=cwd,
                          check=False)


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def without_times_of_today(data: dict[str, bytes]) -> dict[str, bytes]:
    """What the commands just did carries this moment's time: the rest must be equal."""
    import datetime as dt
    import re

    today = dt.datetime.now(dt.timezone.utc).date().isoformat().encode()
    stamp = re.compile(re.escape(today) + rb"T\d\d:\d\d:\d\d\.\d{3}Z")
    return {name: stamp.sub(b"<now>", value) for name, value in data.items()}


def test_every_command_works_the_same_on_postgresql(tmp_path, postgresql):
    """The same commands on the demo workshop give the same answers on both backends."""
    name = f"demo-{secrets.token_hex(3)}"
    answers = {}
    for backend, url in (("sqlite", None), ("postgresql", postgresql)):
        workshop = tmp_path / backend / name
        out: dict[str, object] = {}
        made = run("demo", "--workshop", workshop, url=url)
        assert made.returncode == 0, made.stderr
        if url:
            assert not workshop.exists(), "nothing is written beside the database"
            assert "PostgreSQL database" in made.stdout and "kit:" not in made.stdout
        people = run("participants", "--workshop", workshop, "--json", url=url)
        assert people.returncode == 0, people.stderr
        out["participants"] = json.loads(people.stdout)
        settings = run("settings", "--workshop", workshop, "--contact", "Jo on 0100",
                       "--pay-rate", "30", url=url)
        out["settings"] = (settings.returncode, settings.stdout)
        checked = run("check-language", "--workshop", workshop, "--json", "-", url=url)
        out["check"] = checked.returncode
        assessed = run("self-assess", "--workshop", workshop, "--stage", "responsive",
                       "--doing-with", "yes", "--environment", "partly", "--transparency",
                       "yes", "--compensation", "not_yet", "--cultural-humility", "partly",
                       url=url)
        out["self-assess"] = (assessed.returncode, assessed.stdout)
        leaving = out["participants"][0]["participant_id"]
        withdrawn = run("withdraw", "--workshop", workshop, leaving, url=url)
        out["withdraw"] = (withdrawn.returncode, withdrawn.stdout)
        exported = run("export", "--workshop", workshop, "--out", tmp_path / backend / "export",
                       url=url)
        assert exported.returncode == 0, exported.stderr
        out["export"] = without_times_of_today(files(tmp_path / backend / "export"))
        ledger = run("ledger", "--workshop", workshop, "--out", tmp_path / backend / "l.csv",
                     url=url)
        assert ledger.returncode == 0, ledger.stderr
        out["ledger"] = (tmp_path / backend / "l.csv").read_bytes()
        purged = run("purge", "--workshop", workshop, url=url)
        out["purge"] = (purged.returncode, purged.stdout)
        answers[backend] = out
    sqlite, postgresql_answers = answers["sqlite"], answers["postgresql"]
    assert sqlite["export"] and len(sqlite["export"]) > 10
    for what in sqlite:
        assert postgresql_answers[what] == sqlite[what], what
    assert "Jo on 0100" in sqlite["settings"][1]


def test_a_workshop_moves_to_postgresql_and_back_losing_nothing(tmp_path, postgresql):
    workshop = tmp_path / f"move-{secrets.token_hex(3)}"
    assert run("demo", "--workshop", workshop, url=None).returncode == 0
    before = run("export", "--workshop", workshop, "--out", tmp_path / "before", url=None)
    assert before.returncode == 0, before.stderr

    there = run("move", "--workshop", workshop, "--to", url=postgresql)
    assert there.returncode == 0, there.stderr
    assert "every row read back and compared: all the same" in there.stdout
    assert "The original was removed" in there.stdout
    assert not (workshop / "workshop.sqlite").exists()
    assert "kit:" not in there.stdout + there.stderr, "the password is never printed"
    # Served from PostgreSQL now; SQLite has no such workshop any more.
    assert run("participants", "--workshop", workshop, url=postgresql).returncode == 0
    assert "no workshop" in run("participants", "--workshop", workshop, url=None).stderr

    # Moving onto a workshop that is already there is refused, and nothing changes.
    assert run("demo", "--workshop", workshop, url=None).returncode == 0
    clash = run("move", "--workshop", workshop, "--to", url=postgresql)
    assert clash.returncode == 2 and "already a workshop" in clash.stderr
    (workshop / "workshop.sqlite").unlink()

    back = run("move", "--workshop", workshop, "--from", url=postgresql)
    assert back.returncode == 0, back.stderr
    assert "all the same" in back.stdout
    assert "no workshop" in run("participants", "--workshop", workshop,
                                url=postgresql).stderr
    after = run("export", "--workshop", workshop, "--out", tmp_path / "after", url=None)
    assert after.returncode == 0, after.stderr
    assert files(tmp_path / "after") == files(tmp_path / "before")


def test_moving_needs_a_database_and_refuses_while_pages_have_it_open(tmp_path, postgresql):
    from coproduction.store import Store

    workshop = tmp_path / f"open-{secrets.token_hex(3)}"
    nowhere = run("move", "--workshop", workshop, "--to", url=None)
    assert nowhere.returncode == 2 and "Say which PostgreSQL database" in nowhere.stderr
    assert run("new", "--workshop", workshop, "--title", "Open", url=postgresql).returncode == 0
    with Store.open(workshop):  # a page still has it open
        refused = run("move", "--workshop", workshop, "--from", url=postgresql)
    assert refused.returncode == 2 and "Stop 'coproduction serve'" in refused.stderr
    assert not (workshop / "workshop.sqlite").exists()
    noted = run("move", "--workshop", workshop, "--from", postgresql, "--keep-source", url=None)
    assert noted.returncode == 0, noted.stderr
    assert "password on the command line" in noted.stderr
    assert "still there" in noted.stdout
    assert run("participants", "--workshop", workshop, url=postgresql).returncode == 0


# --- two servers, one database -------------------------------------------------------------


CODE = "TWO"


def _shows(page, text: str) -> bool:
    """Whether the page shows ``text`` now: a widget holding it is in the participant
    page's widget tree (a row taken off the board may stay in the kernel, detached)."""
    children = {comm_id: [c.removeprefix("IPY_MODEL_") for c in m["state"].get("children", ())
                          if isinstance(c, str)]
                for comm_id, m in page.models.items()}

    def below(comm_id: str) -> set[str]:
        found, todo = set(), [comm_id]
        while todo:
            for child in children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        return found

    roots = [c for c, m in page.models.items()
             if "coproduction-participant-page" in m["state"].get("_dom_classes", ())]
    shown = {c for root in roots for c in below(root)}
    return any(page.models[c]["state"].get("value") == text for c in shown if c in page.models)


async def _until(condition, timeout: float) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        await asyncio.sleep(0.05)
    return True


def test_two_servers_share_one_workshop_live_and_a_withdrawal_leaves_both(tmp_path,
                                                                         postgresql):
    """Two participant servers on two ports (two machines) and one PostgreSQL database."""
    import capacity
    import httpx
    from harness import running_servers, token_of

    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.sessions import create_session, open_round
    from coproduction.privacy.consent import withdraw_participant
    from coproduction.store import Store

    workshop = tmp_path / f"shared-{secrets.token_hex(3)}"
    with Store.create(workshop, title="Two servers", code=CODE) as store:
        sid = create_session(store, "language", "Letters")
        open_round(store, sid)
        SharedLanguage(store, sid).put_text("Letter", capacity.TEXT)
    assert not workshop.exists(), "the servers need no folder: the workshop is in the database"

    ana_words, bo_words = f"ana says plainly {secrets.token_hex(3)}", \
        f"bo says plainly {secrets.token_hex(3)}"

    async def journey(first, second) -> dict:
        out = {}
        async with httpx.AsyncClient() as one, httpx.AsyncClient() as two:
            ana, bo = PageClient(first.join_url, token_of(first.join_url)), \
                PageClient(second.join_url, token_of(second.join_url))
            await asyncio.gather(ana.fetch(one), bo.fetch(two))
            await asyncio.gather(ana.connect(), bo.connect())
            await ana.join("Ana")
            await bo.join("Bo")
            sent = await ana.propose(ana_words)
            await bo.until(lambda: ana_words in bo.seen, 30)
            out["ana_to_bo"] = bo.seen[ana_words] - sent
            sent = await bo.propose(bo_words)
            await ana.until(lambda: bo_words in ana.seen, 30)
            out["bo_to_ana"] = ana.seen[bo_words] - sent
            # (a row's words can arrive a moment before the row is put on the board)
            assert await _until(lambda: _shows(bo, ana_words) and _shows(ana, bo_words), 10)

            # Ana leaves (the facilitator withdraws her from a third place).
            with Store.open(workshop) as store:
                person = store.select("participants", {"pseudonym": "Ana"})[0]
                receipt = withdraw_participant(store, person["participant_id"])
                out["receipt"] = receipt
                out["bytes"] = stored_bytes(store)
            out["gone_from_bo"] = await _until(lambda: not _shows(bo, ana_words), 30)
            out["ana_told"] = await _until(lambda: any(
                "no longer taking part" in str(m["state"].get("value", ""))
                for m in ana.models.values()), 30)
            out["bo_still_there"] = _shows(bo, bo_words)

            # A page opened afterwards on the first server shows no trace of her.
            async with httpx.AsyncClient() as three:
                cy = PageClient(first.join_url, token_of(first.join_url))
                await cy.fetch(three)
                await cy.connect()
                await cy.join("Cy")
                out["new_page_clean"] = await _until(lambda: _shows(cy, bo_words), 10) and \
                    not _shows(cy, ana_words)
                await cy.close()
            await ana.close()
            await bo.close()
        return out

    logs = tmp_path / "logs"
    with running_servers(workshop, workshop_code=CODE, database_url=postgresql,
                         log_dir=logs / "one") as first, \
            running_servers(workshop, workshop_code=CODE, database_url=postgresql,
                            log_dir=logs / "two") as second:
        assert urllib.parse.urlsplit(first.join_url).port != \
            urllib.parse.urlsplit(second.join_url).port
        out = asyncio.run(journey(first, second))

    assert out["ana_to_bo"] < 5 and out["bo_to_ana"] < 5, out  # the budget is in RESULTS.md
    assert out["receipt"]["policy"] == "erase" and out["receipt"]["rows_erased"] >= 2
    assert out["gone_from_bo"], "Ana's words stayed on the other server's page"
    assert out["ana_told"], "Ana's own page did not say she has left"
    assert out["bo_still_there"] and out["new_page_clean"]
    assert ana_words.encode() not in out["bytes"], "the erased words are still in the tables"
    assert bo_words.encode() in out["bytes"]
    text = "".join(p.read_text(errors="replace") for p in logs.rglob("*.log"))
    assert "kit:" not in text and "Ana" not in text and ana_words not in text


def test_the_capacity_benchmarks_postgresql_column_works(postgresql):
    """A small run of benchmarks/capacity_postgresql.py (real numbers: RESULTS.md)."""
    import capacity_postgresql

    result = capacity_postgresql.measure(participants=3, tries=2, writes=3, browser=False,
                                         idle_seconds=1.0, pause=0.2, sqlite=False,
                                         url=postgresql)
    kit, two = result["postgresql"]["kit"], result["two_servers"]
    assert kit["names_shown"] == 3 and kit["rejoined"] and kit["left_after_close"] == 0
    assert kit["full_status"] == 503 and len(kit["delays"]) == 2 * 2
    assert result["postgresql"]["writes_stored"] == result["postgresql"]["writes_unique"] == 9
    assert len(two["delays_same"]) + len(two["delays_other"]) == 2 * 2
    assert two["delays_other"], "some arrivals crossed from one server to the other"
    assert two["connections"] >= 3
    text = capacity_postgresql.backend_table(result)
    assert "| the kit on PostgreSQL (this run) |" in text
    two_servers = capacity_postgresql.two_server_table(result)
    assert "pages of the other server" in two_servers and "once the room settled" in two_servers
    from databases import workshop_schemas

    assert not [s for s in workshop_schemas(postgresql) if s.startswith("workshop_bench-")]


def test_serve_on_postgresql_behind_a_proxy_shares_the_token_and_keeps_it_off_ps(
        tmp_path, postgresql, monkeypatch):
    """`coproduction serve` as deploy/ runs it: a workshop named in the database, the
    shared token from COPRODUCTION_TOKEN, the join link at the proxy's address."""
    from harness import Served

    from coproduction.servers.serve import TOKENS_FILE

    name = f"served-{secrets.token_hex(3)}"
    monkeypatch.setenv("PYTHONPATH", str(ROOT))  # this checkout's kit, from any folder
    assert run("new", "--workshop", name, "--title", "Served", url=postgresql,
               cwd=tmp_path).returncode == 0
    token = secrets.token_urlsafe(24)
    monkeypatch.setenv("COPRODUCTION_TOKEN", token)
    monkeypatch.chdir(tmp_path)
    with (tmp_path / "serve.log").open("w") as log:
        served = Served(name, log, "--public-url", "https://workshops.example.org")
        try:
            assert served.join.startswith("https://workshops.example.org/voila/render/"
                                          f"workshop.ipynb?token={token}&code=")
            assert served.console.startswith("http://127.0.0.1:")
            command_lines = b"".join(
                Path(f"/proc/{pid}/cmdline").read_bytes() for pid in
                [served.process.pid, *(int(p.name) for p in Path("/proc").iterdir()
                                       if p.name.isdigit() and _child_of(p, served.process.pid))])
            assert token.encode() not in command_lines
            assert b"postgresql://" not in command_lines
        finally:
            served.stop()
    kept = tmp_path / name / TOKENS_FILE  # the console's link is kept on this machine
    assert kept.is_file() and kept.stat().st_mode & 0o077 == 0
    assert "kit:" not in (tmp_path / "serve.log").read_text()
    assert not (tmp_path / name / "workshop.sqlite").exists()


def _child_of(proc: Path, parent: int) -> bool:
    try:
        stat = (proc / "stat").read_text()
    except OSError:
        return False
    return int(stat[stat.rfind(")") + 2:].split()[1]) == parent
