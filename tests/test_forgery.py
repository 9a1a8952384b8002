"""Forged and replayed widget messages through a real kernel websocket change nothing.

A browser, or a script pretending to be one, can send any message its page's kernel
will take: set any synced value, click a disabled button, send a message again, aim
at a widget of someone else's page, flood. Each is tried here against the kit started
as a facilitator starts it, speaking the wire protocol (tests/page_client.py); the
store is the judge of what changed.
"""

from __future__ import annotations

import asyncio
import time

import pytest
from page_client import PageClient
from test_faults import joined, open_page, serving_a_round

from coproduction.core.sessions import close_round
from coproduction.store import Store

pytestmark = pytest.mark.skipif(not hasattr(asyncio, "timeout"), reason="needs Python 3.11")

AGREE, BLOCK = 0, 3  # positions in the vote buttons: Agree, Not sure, Disagree, Strongly against


def rows(workshop, table: str) -> list[dict]:
    with Store.open(workshop) as store:
        return store.select(table)


def revision(workshop) -> int:
    with Store.open(workshop) as store:
        return store.revision()


async def settle(page: PageClient, seconds: float = 1.0) -> None:
    """Give the kernel time to handle what was sent (it answers nothing to a refusal)."""
    await asyncio.sleep(seconds)


def said(page: PageClient, words: str) -> bool:
    return any(words in text for text in page.texts("message"))


def test_forged_replayed_and_misaimed_messages_change_nothing(tmp_path):
    import httpx

    async def journey(served, workshop):
        async with httpx.AsyncClient() as client:
            ana, bo = await joined(served, client, "Ana", "Bo")
            await bo.propose("the teacher for extra help")
            await ana.until(lambda: "the teacher for extra help" in ana.seen, 30)

            # A vote, then the very same frame again: still one vote.
            vote = (await ana.until(lambda: ana.find("ToggleButtonsModel", "vote"),
                                    30))[0]
            await ana.set_state(vote, index=AGREE)
            frame = ana.sent[-1]
            await ana.until(lambda: said(ana, "Your vote is counted"), 30)
            await ana.replay(frame)   # refused by the kernel: duplicate signature
            await ana.set_state(vote, index=AGREE)  # the same, as a new message
            await settle(ana)
            assert [(v["choice"]) for v in rows(workshop, "votes")] == ["agree"]

            # Nonsense values for a synced trait: refused, the kernel carries on.
            before = revision(workshop)
            await ana.set_state(vote, index=99)
            await ana.set_state(vote, index="block")
            await ana.set_state(vote, _options_labels=["Agree"] * 9)
            await settle(ana)
            assert revision(workshop) == before

            # Aimed at a widget of Bo's page: Ana's kernel has no such widget.
            bo_box = bo.find("TextModel", "propose-input")[0]
            bo_button = bo.find("ButtonModel", "propose-button")[0]
            await ana.set_value(bo_box, "forged for Bo")
            await ana.click(bo_button)
            await settle(ana)
            assert revision(workshop) == before

            # The facilitator closes the round; replays and disabled buttons fail.
            with Store.open(workshop) as store:
                close_round(store, 1)
            await ana.until(lambda: "closed" in " ".join(ana.texts("round-status")), 30)
            before = revision(workshop)
            await ana.replay(frame)
            await ana.set_state(vote, index=BLOCK)
            box = ana.find("TextModel", "propose-input")[0]
            button = ana.find("ButtonModel", "propose-button")[0]
            await ana.until(lambda: ana.models[button]["state"].get("disabled"), 30)
            await ana.set_state(box, value="after closing", disabled=False)
            await ana.set_state(button, disabled=False)
            await ana.click(button)
            await ana.until(lambda: said(ana, "This round is closed"), 30)
            await settle(ana)
            assert revision(workshop) == before
            assert [v["choice"] for v in rows(workshop, "votes")] == ["agree"]
            assert "after closing" not in {p["wording"] for p in rows(workshop,
                                                                      "proposals")}
            # Ana's kernel is still hers and still works: her own choices save.
            assert ana.text_of("you-are") == "You are taking part as Ana."

    with serving_a_round(tmp_path) as (served, workshop):
        asyncio.run(journey(served, workshop))
    log_text = (tmp_path / "serve.log").read_text()
    for typed in ("Ana", "the teacher for extra help", "forged for Bo", "after closing"):
        assert typed not in log_text, f"{typed!r} reached the log"


def test_a_flood_from_one_page_is_slowed_and_loses_nothing(tmp_path):
    """A page that has joined cannot join again: its hidden, disabled join button clicked
    with a new name a hundred times makes nobody new (SECURITY.md, promise 8). Then sixty
    proposals sent as fast as a script can: thirty pass, the rest are refused with a
    sentence; every one the page showed is stored, none twice (promise 10)."""
    import httpx

    async def flood(served):
        async with httpx.AsyncClient() as client:
            ana, = await joined(served, client, "Ana")
            name = ana.find("TextModel", "join-name")[0]
            join = ana.find("ButtonModel", "join-button")[0]
            for number in range(100):
                await ana.set_state(join, disabled=False)
                await ana.set_value(name, f"Someone new {number}")
                await ana.click(join)
            await settle(ana, 2.0)
            assert ana.text_of("you-are") == "You are taking part as Ana."
            box = ana.find("TextModel", "propose-input")[0]
            button = ana.find("ButtonModel", "propose-button")[0]
            started = time.monotonic()
            for number in range(60):
                await ana.set_value(box, f"flood {number}")
                await ana.click(button)
            await ana.until(lambda: said(ana, "That was a lot at once"), 60)
            await settle(ana, 2.0)
            seconds = time.monotonic() - started
            shown = {w for w in ana.seen if w.startswith("flood ")}
            # The page is still Ana's and still answers (the limit recovers with
            # time: tests/test_shared_language.py::test_the_rate_limit_recovers_with_time).
            assert ana.text_of("you-are") == "You are taking part as Ana."
            return shown, seconds

    with serving_a_round(tmp_path) as (served, workshop):
        shown, seconds = asyncio.run(flood(served))
    assert [p["pseudonym"] for p in rows(workshop, "participants")] == ["Ana"]
    stored = [p["wording"] for p in rows(workshop, "proposals")]
    flooded = [w for w in stored if w.startswith("flood ")]
    assert len(flooded) == len(set(flooded)), "nothing stored twice"
    assert 30 <= len(flooded) <= 30 + int(seconds) + 3, (len(flooded), seconds)
    assert shown == set(flooded), "what the page showed is exactly what was stored"


def test_names_and_paths_from_the_address_or_command_line_stay_inside(tmp_path):
    """Nothing in a page's address chooses another workshop, session or notebook, and a
    notebook name given to serve cannot climb out of the notebooks folder."""
    import httpx
    from harness import coproduction

    from coproduction.servers.serve import ServerError, ServerSettings, start_servers

    other = tmp_path / "other"
    assert coproduction("new", "--workshop", other, "--title", "Someone else's",
                        "--no-encryption").returncode == 0

    async def visit(served):
        async with httpx.AsyncClient() as client:
            sneaky = (f"{served.join}&workshop={other}&session=99"
                      "&activity=../facilitator/console")
            page = await open_page(sneaky, client)
            return page.text_of("workshop-title")

    with serving_a_round(tmp_path, expect=2) as (served, workshop):
        assert asyncio.run(visit(served)) == "Faults"
    for activity in ("../facilitator/console", "/etc/passwd", "language.ipynb/../x"):
        refused = coproduction("serve", "--workshop", workshop, "--activity", activity)
        assert refused.returncode == 2 and "invalid choice" in refused.stderr
        assert "Traceback" not in refused.stderr
        with pytest.raises(ServerError, match="notebook name"):
            start_servers(ServerSettings(workshop=workshop, landing=activity))
