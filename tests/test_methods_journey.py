"""Method selection in real headless Chromium, started as a user would.

`coproduction serve --activity methods` runs as a subprocess. Two
participants place dots and each sees the other's dot arrive; the console
closes the round and confirms the proposed shortlist; the export holds the
shortlist with its reasons, and the server's log holds no names.
"""

from __future__ import annotations

import csv

import pytest
from harness import chromium, coproduction, served_workshop

pytestmark = pytest.mark.browser
LONG = 60_000


def method_card(page, name):
    return page.locator(".coproduction-method").filter(has=page.locator(
        ".coproduction-method-name").get_by_text(name, exact=True))


def test_two_people_dot_the_console_shortlists_and_the_export_keeps_it(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    with served_workshop(tmp_path, "Journey", "--activity", "methods") as (server, workshop), \
            sync_playwright() as p:
        assert "/voila/render/workshop.ipynb?token=" in server.join
        browser = chromium(p)
        console = browser.new_context(viewport={"width": 1100, "height": 2400}).new_page()
        console.goto(server.console)
        console.get_by_role("tab", name="Choosing methods").click(timeout=LONG)
        panel = console.locator(".coproduction-methods-console")
        panel.locator(".coproduction-methods-new-title input").fill("Choosing methods")
        panel.locator(".coproduction-methods-new-session").click()
        expect(panel.locator(".coproduction-session-title")).to_have_text(
            "Choosing methods", timeout=LONG)
        panel.locator(".coproduction-dots-each input").fill("2")
        panel.locator(".coproduction-dots-each input").press("Enter")
        panel.locator(".coproduction-set-dots").click()
        panel.locator(".coproduction-methods-open-round").click()
        expect(panel.locator(".coproduction-round-status")).to_contain_text(
            "The round is open", timeout=10_000)

        pages = {}
        for name in ("Ana", "Bo"):
            page = browser.new_context(viewport={"width": 390, "height": 2400}).new_page()
            page.goto(server.join)
            page.locator(".coproduction-join-name input").fill(name)
            page.locator(".coproduction-join-button").click()
            expect(page.locator(".coproduction-dots-left")).to_contain_text(
                "You have 2 dots", timeout=LONG)
            pages[name] = page
        ana, bo = pages["Ana"], pages["Bo"]

        method_card(ana, "Podcasts").locator(".coproduction-add-dot").click()
        expect(method_card(bo, "Podcasts").locator(".coproduction-method-dots")
               ).to_have_text("Dots: 1", timeout=5_000)          # Bo's page updates live
        method_card(bo, "Podcasts").locator(".coproduction-add-dot").click()
        expect(method_card(ana, "Podcasts").locator(".coproduction-method-dots")
               ).to_have_text("Dots: 2 (yours: 1)", timeout=5_000)  # and Ana's
        method_card(bo, "Timelines").locator(".coproduction-add-dot").click()
        expect(bo.locator(".coproduction-dots-left")).to_contain_text(
            "placed them all", timeout=5_000)
        expect(method_card(bo, "Art sessions").locator(".coproduction-add-dot")
               ).to_be_disabled()

        panel.locator(".coproduction-methods-close-round").click()
        expect(panel.locator(".coproduction-shortlist-entry").first).to_have_text(
            "1. Podcasts: 2 dots. Fit shows once at least 3 people have filled in their "
            "access card.", timeout=10_000)
        panel.locator(".coproduction-confirm-shortlist").click()
        expect(console.locator(".coproduction-methods-console > .coproduction-message")
               ).to_contain_text("saved for the next sessions", timeout=10_000)
        expect(ana.locator(".coproduction-shortlist-title")).to_have_text(
            "The group's shortlist", timeout=5_000)
        expect(ana.locator(".coproduction-shortlist-entry")).to_have_count(2)
        browser.close()

    out = tmp_path / "export"
    assert coproduction("export", "--workshop", workshop, "--out", out).returncode == 0
    with (out / "method_shortlist.csv").open(encoding="utf-8") as handle:
        rows = [(r["rank"], r["method_id"], r["dots"], r["reasons"])
                for r in csv.DictReader(handle)]
    assert rows == [
        ("1", "podcasts", "2", "2 dots. Fit shows once at least 3 people have filled in "
                               "their access card."),
        ("2", "timelines", "1", "1 dot. Fit shows once at least 3 people have filled in "
                                "their access card.")]
    with (out / "method_dots.csv").open(encoding="utf-8") as handle:
        assert sorted((r["method_id"], r["credited_as"]) for r in csv.DictReader(handle)) == [
            ("podcasts", "Ana"), ("podcasts", "Bo"), ("timelines", "Bo")]
    assert not (out / "access_cards.csv").exists()
    log_text = (tmp_path / "serve.log").read_text()
    assert "Ana" not in log_text and "Bo" not in log_text
