"""Timelines in real headless Chromium: a suggestion accepted on the console reaches a phone.

Ana, on a phone-sized page, suggests a date; the facilitator accepts it on
the console with a reason; Ana's chart shows it without a reload, she sees
the reason, and the calendar file she downloads holds it. A screenshot of
the chart at phone size is written to the test's folder (``chart.png``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from harness import chromium, require_chromium, running_servers

from coproduction.activities import timeline as tl
from coproduction.core.sessions import create_session, open_activity, open_round
from coproduction.store import Store

pytestmark = pytest.mark.browser
LONG = 60_000


def test_a_suggestion_accepted_on_the_console_appears_on_a_phones_chart(tmp_path):
    import icalendar
    from playwright.sync_api import expect, sync_playwright

    require_chromium()
    workshop = tmp_path / "workshop"
    with Store.create(workshop, title="Journey", code="TL1",
                      settings={"withdraw_by": "2027-04-30", "keep_until": "2027-12-31"}) as s:
        open_round(s, create_session(s, "timeline", "Planning our time"))
        tl.add_event(s, kind="session", title="First working session",
                     starts_on="2027-03-03", start_time="10:00", end_time="12:30")
        tl.add_event(s, kind="payment", title="Payment day", starts_on="2027-03-10")
        open_activity(s, "timeline")
    with running_servers(workshop, workshop_code="TL1",
                         log_dir=tmp_path) as servers, sync_playwright() as p:
        browser = chromium(p)
        phone = browser.new_context(viewport={"width": 390, "height": 2400},
                                    accept_downloads=True).new_page()
        phone.goto(servers.join_url)
        phone.locator(".coproduction-join-name input").fill("Ana")
        phone.locator(".coproduction-join-button").click()
        chart = phone.locator(".coproduction-timeline-chart svg")
        expect(chart).to_contain_text("First working session", timeout=LONG)
        expect(phone.locator(".coproduction-commitment").first).to_have_text(
            "The project asks for about 2.5 hours of your time, in 1 session.")

        phone.locator(".coproduction-suggest-kind select").select_option(label="Milestone")
        phone.locator(".coproduction-suggest-title input").fill("Celebration picnic")
        phone.locator(".coproduction-suggest-day input").fill("2027-07-10")
        phone.locator(".coproduction-suggest-button").click()
        expect(phone.locator(".coproduction-my-suggestion-status")).to_have_text(
            "Waiting for an answer.", timeout=10_000)

        console = browser.new_context(viewport={"width": 1100, "height": 2400}).new_page()
        console.goto(servers.console_url)
        console.get_by_role("tab", name="Timeline").click(timeout=LONG)
        waiting = console.locator(".coproduction-waiting-suggestion")
        expect(waiting.locator(".coproduction-waiting-text")).to_have_text(
            "Milestone on Sat 10 July 2027: Celebration picnic", timeout=LONG)
        waiting.locator(".coproduction-answer-reason input").fill("A lovely idea.")
        waiting.locator(".coproduction-accept-suggestion").click()
        expect(console.locator(".coproduction-no-waiting")).to_be_visible(timeout=10_000)

        # the phone's chart updates by itself, and Ana sees the answer
        expect(chart).to_contain_text("Celebration picnic", timeout=10_000)
        expect(phone.locator(".coproduction-my-suggestion-status")).to_have_text(
            "Added to the timeline. A lovely idea.")
        box = chart.bounding_box()
        assert box["width"] <= 390 and box["x"] >= 0, box   # fits the phone, no sideways scroll
        chart.screenshot(path=tmp_path / "chart.png")

        with phone.expect_download(timeout=10_000) as download:
            phone.locator(".coproduction-ics-link").click()
        assert download.value.suggested_filename == "timeline.ics"
        cal = icalendar.Calendar.from_ical(Path(download.value.path()).read_bytes())
        assert sorted(str(e["SUMMARY"]) for e in cal.walk("VEVENT")) == [
            "Celebration picnic", "First working session", "Last day to take back what you gave",
            "Payment day", "Your personal data is deleted after this day"]
        browser.close()
    logs = "".join(f.read_text(errors="replace") for f in tmp_path.glob("*.log"))
    assert "Ana" not in logs and "picnic" not in logs
