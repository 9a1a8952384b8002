"""A whole shared-language session in real headless Chromium, started as a user would.

`coproduction serve` runs as a subprocess; the console and two participants
use real pages; the export is read at the end. Markup typed by a participant
must show as text and never raise a dialog.
"""

from __future__ import annotations

import csv
import os
import re
import signal
import subprocess
import sys
import time

import pytest

from harness import chromium, free_port, require_chromium

pytestmark = pytest.mark.browser
HOSTILE = "<img src=x onerror=alert(1)>"


def coproduction(*args, **kw):
    return subprocess.run([sys.executable, "-m", "coproduction.cli", *map(str, args)],
                          capture_output=True, text=True, timeout=120, **kw)


class Served:
    """`coproduction serve` in the background; stopped by its process id."""

    def __init__(self, workshop, log):
        self.log = log
        self.process = subprocess.Popen(
            [sys.executable, "-m", "coproduction.cli", "serve", "--workshop", str(workshop),
             "--host", "127.0.0.1", "--port", str(free_port()),
             "--console-port", str(free_port())],
            stdout=subprocess.PIPE, stderr=log, text=True)
        lines = {}
        deadline = time.monotonic() + 90
        while len(lines) < 2 and time.monotonic() < deadline:
            line = self.process.stdout.readline()
            if not line:
                break
            name, _, url = line.strip().partition(": ")
            if name in ("Join", "Console"):
                lines[name] = url
        assert len(lines) == 2, "serve did not print its two lines"
        self.join, self.console = lines["Join"], lines["Console"]

    def stop(self):
        os.kill(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(self.process.pid, signal.SIGKILL)
            self.process.wait(10)


@pytest.fixture
def served(tmp_path):
    require_chromium()
    workshop = tmp_path / "workshop"
    assert coproduction("new", "--workshop", workshop, "--title", "Journey").returncode == 0
    with (tmp_path / "serve.log").open("w") as log:
        server = Served(workshop, log)
        try:
            yield server, workshop
        finally:
            server.stop()


def text_of(page, selector):
    return page.locator(selector).all_inner_texts()


def test_a_shared_language_session_from_end_to_end(served, tmp_path):
    from playwright.sync_api import expect, sync_playwright

    server, workshop = served
    assert re.match(r"http://127\.0\.0\.1:\d+/voila/render/language\.ipynb\?token=", server.join)
    assert server.console.startswith("http://127.0.0.1:")
    dialogs = []
    with sync_playwright() as p:
        browser = chromium(p)
        console = browser.new_context(viewport={"width": 1100, "height": 2400}).new_page()
        console.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        console.goto(server.console)
        console.locator(".coproduction-new-session-title input").fill("Our letters")
        console.locator(".coproduction-new-session").click()
        expect(console.locator(".coproduction-session-title")).to_have_text("Our letters",
                                                                           timeout=30_000)
        console.locator(".coproduction-open-round").click()
        console.locator(".coproduction-rule-min-votes input").fill("2")
        console.locator(".coproduction-rule-min-votes input").press("Enter")
        console.locator(".coproduction-set-rule").click()
        console.locator(".coproduction-text-title-input input").fill("Invitation")
        console.locator(".coproduction-text-input textarea").fill(
            "The SENCO will meet you at the TAC.")
        console.locator(".coproduction-put-text").click()
        expect(console.locator(".coproduction-term-name")).to_have_count(2, timeout=10_000)

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
            "Agreed (2 agree, 0 disagree, 0 pass).", timeout=5_000)

        console.locator(".coproduction-close-round").click()
        expect(ana.locator(".coproduction-round-status")).to_contain_text(
            "The round is closed", timeout=5_000)
        expect(ana.locator(".coproduction-propose-button").first).to_be_disabled()
        console.locator(".coproduction-confirm-glossary").click()
        expect(console.locator(".coproduction-message")).to_contain_text(
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
