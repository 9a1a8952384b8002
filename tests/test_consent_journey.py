"""Joining informed, staying anonymous, and leaving, in real headless Chromium."""

from __future__ import annotations

import pytest
from harness import chromium, served_workshop, wait_for

pytestmark = pytest.mark.browser


def places_taken(server) -> int:
    """How many places in the room pages hold, as the server counts them."""
    import httpx

    origin, query = server.join.split("/voila/")[0], server.join.split("?")[1]
    token = dict(part.split("=", 1) for part in query.split("&"))["token"]
    return httpx.get(f"{origin}/coproduction/capacity", params={"token": token}).json()["pages"]
NAME = "Annelise Quark"
WORDING = "the meeting about you, wording aq-2207"


def test_join_anonymously_contribute_then_leave_and_the_other_page_updates(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    from coproduction.activities.shared_language import SharedLanguage
    from coproduction.core.sessions import create_session, open_round
    from coproduction.store import Store

    with served_workshop(tmp_path, "Consent journey") as (server, workshop):
        with Store.open(workshop) as store:
            sid = create_session(store, "language", "Letters")
            open_round(store, sid)
            SharedLanguage(store, sid).put_text("Note", "See you at the TAC.")
        dialogs = []
        with sync_playwright() as p:
            browser = chromium(p)
            pages = []
            for _ in range(2):
                page = browser.new_context(viewport={"width": 390, "height": 2600}).new_page()
                page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
                page.goto(server.join)
                expect(page.locator(".coproduction-information")).to_contain_text(
                    "What we collect", timeout=30_000)
                pages.append(page)
            ana, bo = pages
            ana.locator(".coproduction-join-name input").fill(NAME)
            ana.get_by_text("Anonymous: no name at all").click()
            ana.locator(".coproduction-join-button").click()
            expect(ana.locator(".coproduction-you-are")).to_be_visible(timeout=30_000)
            bo.locator(".coproduction-join-name input").fill("Bo")
            bo.locator(".coproduction-join-button").click()
            expect(bo.locator(".coproduction-you-are")).to_be_visible(timeout=30_000)

            tac = ana.locator(".coproduction-term", has_text="TAC")
            tac.locator(".coproduction-propose-input input").fill(WORDING)
            tac.locator(".coproduction-propose-input input").press("Enter")
            tac.locator(".coproduction-propose-button").click()
            bo_tac = bo.locator(".coproduction-term", has_text="TAC")
            expect(bo_tac.locator(".coproduction-wording")).to_have_text(WORDING, timeout=5_000)
            expect(bo_tac.locator(".coproduction-by")).to_have_text("Proposed without a name")

            ana.get_by_text("My choices", exact=True).click()
            ana.locator(".coproduction-leave").click()
            expect(ana.locator(".coproduction-leave-plan")).to_contain_text("deleted")
            ana.locator(".coproduction-leave-confirm").click()
            expect(ana.locator(".coproduction-goodbye")).to_contain_text(
                "You have left the workshop. Everything you gave here has been deleted",
                timeout=10_000)
            expect(bo_tac.locator(".coproduction-wording")).to_have_count(0, timeout=5_000)
            # Her page ends its kernel to give the place back; it does not say it lost touch.
            assert wait_for(lambda: places_taken(server) == 1, 20), "Ana's place came back"
            expect(ana.locator(".coproduction-goodbye")).to_be_visible()
            expect(ana.locator("#coproduction-connection-lost")).to_have_count(0)
            browser.close()
        assert dialogs == []
        raw = b"".join(f.read_bytes() for f in workshop.glob("workshop.sqlite*"))
        assert NAME.encode() not in raw and WORDING.encode() not in raw
        log = (tmp_path / "serve.log").read_text()
        assert NAME not in log and WORDING not in log
