"""Feedback loops in real headless Chromium: a pause signal, a whole-workshop pause, and
"you said, we did" across two sessions.

Ana is on the feedback page, Bo on the shared-language page: the pause
control and the pause screen are on every participant page, whatever the
activity.
"""

from __future__ import annotations

import time

import pytest
from harness import chromium, require_chromium, running_servers

from coproduction.core.sessions import create_session, open_activity, open_round
from coproduction.store import Store

pytestmark = pytest.mark.browser
LONG = 60_000


def join(browser, url, name):
    from playwright.sync_api import expect

    page = browser.new_context(viewport={"width": 390, "height": 2400}).new_page()
    page.goto(url)
    page.locator(".coproduction-join-name input").fill(name)
    page.locator(".coproduction-join-button").click()
    expect(page.locator(".coproduction-you-are")).to_have_text(
        f"You are taking part as {name}.", timeout=LONG)
    return page


def test_pause_signals_the_whole_pause_and_you_said_we_did(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    workshop = tmp_path / "workshop"
    with Store.create(workshop, title="Journey", code="FB1") as store:
        first = create_session(store, "feedback", "First meeting")
        open_round(store, first)
        open_round(store, create_session(store, "language", "Our letters"))
        open_activity(store, "feedback")
    with running_servers(workshop, workshop_code="FB1",
                         log_dir=tmp_path) as servers, sync_playwright() as p:
        browser = chromium(p)
        console = browser.new_context(viewport={"width": 1100, "height": 2400}).new_page()
        console.goto(servers.console_url)
        console.get_by_role("tab", name="Feedback").click(timeout=LONG)
        expect(console.locator(".coproduction-feedback-console .coproduction-session-title")
               ).to_have_text("First meeting", timeout=LONG)
        ana = join(browser, servers.join_url, "Ana")
        bo = join(browser, servers.join_url.replace("workshop.ipynb", "language.ipynb"), "Bo")

        # session 1: Ana says what should change
        ana.locator(".coproduction-change-input textarea").fill("More breaks, please")
        ana.locator(".coproduction-feedback-button").click()
        expect(ana.locator(".coproduction-feedback-board > .coproduction-message")
               ).to_contain_text("Your feedback is saved", timeout=10_000)

        # Bo needs a pause: the console shows it in under 2 seconds
        bo.locator(".coproduction-pause-button").click()
        bo.locator(".coproduction-pause-send").click()
        sent = time.monotonic()
        console.locator(".coproduction-pause-alert").get_by_text(
            "Someone needs a short break").wait_for(timeout=10_000)
        took = time.monotonic() - sent
        print(f"pause signal reached the console in {took:.2f} s")
        assert took < 2.0, f"the pause signal took {took:.2f} s to reach the console"
        expect(bo.locator(".coproduction-care > .coproduction-message")).to_contain_text(
            "The facilitator has been told")
        assert "Bo" not in console.locator(".coproduction-pause-alert").inner_text()
        console.locator(".coproduction-signal-seen").first.click()
        expect(bo.locator(".coproduction-care > .coproduction-message")).to_have_text(
            "The facilitator has seen your message.", timeout=10_000)

        # the whole workshop pauses: every open page shows the calm screen, input kept
        bo.locator(".coproduction-flag-input input").fill("half typed")
        console.locator(".coproduction-pause-message-input input").fill("Back at 11:15")
        console.locator(".coproduction-pause-all").click()
        for page in (ana, bo):
            expect(page.locator(".coproduction-pause-screen")).to_be_visible(timeout=10_000)
            expect(page.locator(".coproduction-pause-message")).to_have_text("Back at 11:15")
            expect(page.locator(".coproduction-pause-button")).to_be_visible()
        expect(bo.locator(".coproduction-flag-input")).to_be_hidden()
        console.locator(".coproduction-resume-all").click()
        for page in (ana, bo):
            expect(page.locator(".coproduction-pause-screen")).to_be_hidden(timeout=10_000)
        expect(bo.locator(".coproduction-flag-input input")).to_have_value("half typed")

        # the facilitator answers: one done, one not possible with the reason
        console.locator(".coproduction-action-answers select").select_option(
            label="Suggestion: More breaks, please")
        console.locator(".coproduction-action-text input").fill("We stop every hour")
        console.locator(".coproduction-action-status select").select_option(label="Done")
        console.locator(".coproduction-add-action").click()
        expect(console.locator(".coproduction-action")).to_have_count(1, timeout=10_000)
        console.locator(".coproduction-action-answers select").select_option(
            label="Principle: Safety")
        console.locator(".coproduction-action-text input").fill("A quiet room")
        console.locator(".coproduction-action-status select").select_option(
            label="Not possible")
        console.locator(".coproduction-action-reason input").fill(
            "No quiet room is free this month")
        console.locator(".coproduction-add-action").click()
        expect(console.locator(".coproduction-action")).to_have_count(2, timeout=10_000)
        console.locator(".coproduction-feedback-close-round").click()
        expect(console.locator(".coproduction-feedback-console > .coproduction-message")
               ).to_contain_text("The round is closed", timeout=10_000)

        # session 2 opens: Ana's page, without reloading, starts with what changed
        console.locator(".coproduction-feedback-new-title input").fill("Second meeting")
        console.locator(".coproduction-feedback-new-session").click()
        expect(console.locator(".coproduction-feedback-console .coproduction-session-title")
               ).to_have_text("Second meeting", timeout=10_000)
        console.locator(".coproduction-feedback-open-round").click()
        expect(ana.locator(".coproduction-session-title")).to_have_text(
            "Second meeting", timeout=10_000)
        expect(ana.locator(".coproduction-we-did-line")).to_have_text(
            ["You said: More breaks, please", "Done: We stop every hour"])
        expect(ana.locator(".coproduction-not-possible-line")).to_have_text(
            ["You said: Safety: I felt safe here", "We could not: A quiet room",
             "Why: No quiet room is free this month"])
        browser.close()
    logs = "".join(f.read_text(errors="replace") for f in tmp_path.glob("*.log"))
    for secret in ("Ana", "More breaks", "half typed"):
        assert secret not in logs
