"""A whole shared-language session in real headless Chromium, started as a user would.

`coproduction serve` runs as a subprocess; the console and two participants
use real pages; the export is read at the end. Markup typed by a participant
must show as text and never raise a dialog.
"""

from __future__ import annotations

import csv
import re

import pytest
from harness import chromium, coproduction, served_workshop

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=alert(1)>"


@pytest.fixture
def served(tmp_path):
    with served_workshop(tmp_path) as server_and_workshop:
        yield server_and_workshop


def test_a_shared_language_session_from_end_to_end(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    server, workshop = served
    assert re.match(r"http://127\.0\.0\.1:\d+/voila/render/workshop\.ipynb\?token=", server.join)
    assert server.console.startswith("http://127.0.0.1:")
    dialogs = []
    with sync_playwright() as p:
        browser = chromium(p)
        console = browser.new_context(viewport={"width": 1100, "height": 2400}).new_page()
        console.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        console.goto(server.console)
        lang = console.locator(".coproduction-language-console")
        lang.locator(".coproduction-new-session-title input").fill("Our letters")
        lang.locator(".coproduction-new-session").click()
        expect(lang.locator(".coproduction-session-title")).to_have_text("Our letters",
                                                                           timeout=30_000)
        lang.locator(".coproduction-open-round").click()
        lang.locator(".coproduction-rule-min-votes input").fill("2")
        lang.locator(".coproduction-rule-min-votes input").press("Enter")
        lang.locator(".coproduction-set-rule").click()
        lang.locator(".coproduction-text-title-input input").fill("Invitation")
        lang.locator(".coproduction-text-input textarea").fill(
            "The SENCO will meet you at the TAC.")
        lang.locator(".coproduction-put-text").click()
        expect(lang.locator(".coproduction-term-name")).to_have_count(2, timeout=10_000)

        pages = {}
        for name in ("Ana", "Bo"):
            page = browser.new_context(viewport={"width": 390, "height": 2400}).new_page()
            page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
            page.goto(server.join)
            page.locator(".coproduction-join-name input").fill(name)
            page.locator(".coproduction-join-button").click()
            expect(page.locator(".coproduction-you-are")).to_have_text(
                f"You are taking part as {name}.", timeout=30_000)
            expect(page.locator(".coproduction-rule")).to_contain_text("at least 2 people")
            pages[name] = page
        ana, bo = pages["Ana"], pages["Bo"]
        assert "me=" in ana.url  # the page address now brings Ana back on reload

        senco = ana.locator(".coproduction-term", has_text="SENCO")
        senco.locator(".coproduction-propose-input input").fill("the teacher for extra help")
        senco.locator(".coproduction-propose-input input").press("Enter")
        senco.locator(".coproduction-propose-button").click()
        # Bo's board updates live, without reloading.
        bo_senco = bo.locator(".coproduction-term", has_text="SENCO")
        expect(bo_senco.locator(".coproduction-wording")).to_have_text(
            "the teacher for extra help", timeout=5_000)
        expect(bo_senco.locator(".coproduction-by")).to_have_text("Proposed by Ana")

        tac = bo.locator(".coproduction-term", has_text="TAC")
        tac.locator(".coproduction-propose-input input").fill(HOSTILE)
        tac.locator(".coproduction-propose-input input").press("Enter")
        tac.locator(".coproduction-propose-button").click()
        expect(ana.locator(".coproduction-term", has_text="TAC").locator(
            ".coproduction-wording")).to_have_text(HOSTILE, timeout=5_000)
        assert ana.locator("img[src='x']").count() == 0

        for page in (ana, bo):
            row = page.locator(".coproduction-term", has_text="SENCO").locator(
                ".coproduction-proposal")
            row.get_by_role("button", name="Agree", exact=True).click()
        expect(bo_senco.locator(".coproduction-decision")).to_have_text(
            "Agreed (2 agree, 0 not sure, 0 disagree, 0 strongly against).", timeout=5_000)

        lang.locator(".coproduction-close-round").click()
        expect(ana.locator(".coproduction-round-status")).to_contain_text(
            "The round is closed", timeout=5_000)
        expect(ana.locator(".coproduction-propose-button").first).to_be_disabled()
        lang.locator(".coproduction-confirm-glossary").click()
        expect(lang.locator(".coproduction-message")).to_contain_text(
            "Added 1 agreed wording", timeout=5_000)
        expect(bo.locator(".coproduction-glossary-entry")).to_have_text(
            "SENCO: the teacher for extra help", timeout=5_000)

        ana.reload()
        expect(ana.locator(".coproduction-you-are")).to_have_text(
            "You are taking part as Ana.", timeout=30_000)
        expect(ana.locator(".coproduction-join-name")).to_have_count(0)
        browser.close()

    assert dialogs == []
    out = tmp_path / "export"
    assert coproduction("export", "--workshop", workshop, "--out", out).returncode == 0
    with (out / "proposals.csv").open(encoding="utf-8") as handle:
        proposals = {row["wording"]: row for row in csv.DictReader(handle)}
    assert set(proposals) == {"the teacher for extra help", HOSTILE}
    assert proposals["the teacher for extra help"]["credited_as"] == "Ana"
    with (out / "votes.csv").open(encoding="utf-8") as handle:
        assert [row["choice"] for row in csv.DictReader(handle)] == ["agree", "agree"]
    with (out / "glossary.csv").open(encoding="utf-8") as handle:
        assert [(r["term"], r["wording"]) for r in csv.DictReader(handle)] == [
            ("SENCO", "the teacher for extra help")]
    log = (tmp_path / "serve.log").read_text()
    for secret in ("Ana", "extra help", "onerror"):
        assert secret not in log
