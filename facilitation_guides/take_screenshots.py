"""Take the pictures the README and the guides show, from the demo workshop.

    python facilitation_guides/take_screenshots.py

Starts the kit's servers on 127.0.0.1 with a fresh copy of the demo workshop,
opens the console (a laptop-sized page) and a participant's pages (a 360 px
phone) in headless Chromium, walks through each session the way the guides
describe it, and writes one PNG per step to facilitation_guides/images/.
Everyone shown is made up. :data:`SHOTS` names every picture it takes; a test
checks that the guides show only these, and show each of them.
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]   # this copy of the kit, not an installed one

from harness import chromium, running_servers  # noqa: E402

from coproduction.demo import DEMO_CODE, make_demo  # noqa: E402

IMAGES = ROOT / "facilitation_guides" / "images"
PHONE = {"width": 360, "height": 1700}   # Voilà scrolls inside the page: a tall phone
LAPTOP = {"width": 1100, "height": 2200}

#: Every picture, and what it shows.
SHOTS = {
    "join": "the door: what taking part means, a name, how to be credited",
    "participant": "the shared-language page on a phone",
    "participant-methods": "the method-selection page on a phone",
    "participant-timeline": "the timeline page on a phone",
    "participant-feedback": "the feedback page on a phone",
    "console": "the console with the join link and its code",
    "view-switch": "a phone page with bigger text and stronger colours",
    "consent-promises": "the console's promises: contact, last day to withdraw, pay",
    "language-steps": "the console's shared-language steps: session, text, rule",
    "language-card": "a hard word with proposals and votes, on a phone",
    "language-private": "'Just for you': how a person wants to be described",
    "methods-steps": "the console's method-selection steps: session, dots, round",
    "methods-access-card": "the private access card, on a phone",
    "methods-card": "one method with its fit and dots, on a phone",
    "timeline-add-date": "adding a date on the console",
    "timeline-suggest": "suggesting a date, on a phone",
    "timeline-waiting": "suggestions waiting for an answer on the console",
    "timeline-life-gate": "the gentle warning before a person's own timeline",
    "pause-form": "'I need a pause' opened, on a phone",
    "feedback-check-in": "checking in, on a phone",
    "feedback-signals": "pause signals and the whole-workshop pause on the console",
    "pause-screen": "the calm screen every page shows while the workshop is paused",
    "feedback-actions": "'You said, we did' on the console",
    "room-screen": "the room screen on the wall: the shared-language board in large type",
    "screen-controls": "the console's room-screen choices: what is on it, blank, hold",
    "for-someone-join": "'Add for someone': joining someone on paper, consent taken in the room",
    "for-someone-page": "'Add for someone': typing in with a person on their own page",
    "room-count": "counting a show of hands on the console",
    "paper-form": "a printed paper form for the shared-language session",
    "plan-console": "the console's plan: who, why and how, shared with participants",
    "ethics-list": "the console's ethics questions, each with where it stands",
    "agreed-together": "'What we agreed together' on a participant's phone",
    "staff-page": "a staff member's own private page, on a phone",
}


def shoot(target, name: str, taken: list[str]) -> None:
    """Save a picture of ``target`` (a page or one part of it) as ``name``.png."""
    target.screenshot(path=IMAGES / f"{name}.png")
    taken.append(name)


def shoot_together(page, selectors: list[str], name: str, taken: list[str]) -> None:
    """One picture of the parts ``selectors`` find, from the top of the first to the end
    of the last."""
    page.locator(selectors[0]).first.scroll_into_view_if_needed()
    boxes = [page.locator(s).first.bounding_box() for s in selectors]
    top, bottom = min(b["y"] for b in boxes), max(b["y"] + b["height"] for b in boxes)
    page.screenshot(path=IMAGES / f"{name}.png",
                    clip={"x": 0, "y": top, "width": page.viewport_size["width"],
                          "height": bottom - top})
    taken.append(name)


def console_tab(console, title: str) -> None:
    console.locator(".lm-TabBar-tab", has_text=title).click()
    console.wait_for_timeout(600)


def the_whole_room(browser, servers, console, workshop: Path, taken: list[str]) -> None:
    """The wall, the console's screen choices, typing in with someone, a show of hands
    and a paper form (facilitation_guides/mixed-room.md)."""
    from coproduction.paper_forms import write_paper_forms
    from coproduction.store import Store

    seen = console.locator(".coproduction-alert-seen")
    if seen.is_visible():  # the pause signals sent above: they would cover the pictures
        seen.click()
        console.wait_for_timeout(800)
    wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
    wall.goto(servers.screen_url)
    wall.locator(".coproduction-language-screen").wait_for(timeout=60_000)
    wall.wait_for_timeout(1000)
    shoot(wall, "room-screen", taken)
    wall.close()
    console.locator(".lm-TabBar-tab", has_text="Shared language").click()
    console.wait_for_timeout(600)
    shoot(console.locator(".coproduction-screen-controls"), "screen-controls", taken)
    shoot(console.locator(".coproduction-language-console .coproduction-counted-in-room"),
          "room-count", taken)
    console_tab(console, "Add for someone")
    console.locator(".coproduction-entered-by input").fill("Jess")
    console.locator(".coproduction-paper-name input").fill("Pat")
    console.locator(".coproduction-paper-agreed input").check()
    shoot(console.locator(".coproduction-paper-join"), "for-someone-join", taken)
    console.locator(".coproduction-paper-join-button").click()
    console.locator(".coproduction-near", has_text="Pat is taking part on paper").wait_for(
        timeout=30_000)
    console.locator(".coproduction-entry-start").click()
    console.locator(".coproduction-entry-working .coproduction-language-board").wait_for(
        timeout=30_000)
    console.wait_for_timeout(800)
    shoot(console.locator(".coproduction-enter-with"), "for-someone-page", taken)
    with tempfile.TemporaryDirectory() as forms, Store.open(workshop) as store:
        written = write_paper_forms(store, Path(forms))
        page = browser.new_context(viewport={"width": 800, "height": 1130}).new_page()
        page.goto(next(p for p in written if p.name == "language-form.html").as_uri())
        page.emulate_media(media="print")
        shoot(page, "paper-form", taken)
        page.close()


def the_people_who_run_it(browser, servers, console, phone, taken: list[str]) -> None:
    """The plan and the ethics questions on the console, what a participant reads of
    them, and a staff member's own page (facilitation_guides/planning.md)."""
    from widgets.planning import staff_link

    console_tab(console, "Plan and ethics")
    tab = console.locator(".coproduction-planning-console")
    tab.locator(".jupyter-widget-Collapse-header", has_text="Who, why and how").click()
    console.wait_for_timeout(600)
    shoot_together(console, [".coproduction-planning-console .coproduction-staff-link-intro",
                             ".coproduction-planning-console .coproduction-plan-when_full"],
                   "plan-console", taken)
    shoot_together(console, [".coproduction-ethics-intro", ".coproduction-ethics-anonymity"],
                   "ethics-list", taken)
    for view in ("large", "contrast"):  # back to the usual look
        phone.locator(f"[data-coproduction-view={view}]").click()
    phone.locator(".jupyter-widget-Collapse-header", has_text="What we agreed together").click()
    phone.wait_for_timeout(600)
    shoot(phone.locator(".coproduction-my-choices-panels"), "agreed-together", taken)
    staff = browser.new_context(viewport=PHONE, device_scale_factor=1).new_page()
    staff.goto(staff_link(servers.join_url))
    staff.locator(".coproduction-join-name input").wait_for(timeout=60_000)
    staff.locator(".coproduction-join-name input").fill("Alex")
    staff.locator(".coproduction-join-button").click()
    pages = staff.locator(".coproduction-staff-pages")
    pages.wait_for(timeout=60_000)
    pages.locator(".jupyter-widget-Collapse-header", has_text="Reflection and journal").click()
    pages.locator(".coproduction-reflection-text textarea").fill(
        "sister, nurse, runner, tenant, the one who chairs the meeting")
    pages.locator(".coproduction-keep-reflection").click()
    pages.locator(".coproduction-reflection-said").first.wait_for(timeout=30_000)
    staff.wait_for_timeout(600)
    shoot(pages, "staff-page", taken)
    staff.close()


def main() -> int:
    from playwright.sync_api import sync_playwright

    IMAGES.mkdir(exist_ok=True)
    taken: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        workshop = Path(tmp) / "demo"
        make_demo(workshop).close()
        with running_servers(workshop, workshop_code=DEMO_CODE) as servers, \
                sync_playwright() as p:
            browser = chromium(p)
            phone = browser.new_context(viewport=PHONE, device_scale_factor=1).new_page()
            console = browser.new_context(viewport=LAPTOP).new_page()

            # The door, and joining.
            phone.goto(servers.join_url)
            phone.locator(".coproduction-join-name input").wait_for(timeout=60_000)
            phone.wait_for_timeout(500)
            shoot(phone, "join", taken)
            phone.locator(".coproduction-join-name input").fill("Rowan")
            phone.locator(".coproduction-join-button").click()
            phone.locator(".coproduction-language-board").wait_for(timeout=60_000)
            phone.wait_for_timeout(800)
            shoot(phone, "participant", taken)
            language_url = phone.url

            console.goto(servers.console_url)
            console.locator(".coproduction-language-console").wait_for(timeout=60_000)
            console.wait_for_timeout(800)
            shoot(console, "console", taken)

            # Shared language.
            shoot(console.locator(".coproduction-language-console "
                                  ".coproduction-console-controls"), "language-steps", taken)
            card = phone.locator("div.coproduction-term").first
            wording = card.locator(".coproduction-propose-input input")
            wording.fill("the person who keeps children safe")
            wording.press("Enter")
            card.locator(".coproduction-propose-button").click()
            card.locator(".coproduction-vote .widget-toggle-button").first.click()
            phone.wait_for_timeout(1000)
            shoot(card, "language-card", taken)
            phone.locator(".coproduction-private-panel .jupyter-widget-Collapse-header").click()
            phone.wait_for_timeout(500)
            shoot(phone.locator(".coproduction-private-panel"), "language-private", taken)

            # Method selection.
            phone.goto(language_url.replace("/workshop.ipynb", "/methods.ipynb"))
            phone.locator(".coproduction-methods-board").wait_for(timeout=60_000)
            phone.wait_for_timeout(800)
            shoot(phone, "participant-methods", taken)
            shoot(phone.locator(".coproduction-method").first, "methods-card", taken)
            phone.locator(".coproduction-private-panel .jupyter-widget-Collapse-header").click()
            phone.wait_for_timeout(500)
            shoot(phone.locator(".coproduction-private-panel"), "methods-access-card", taken)
            console_tab(console, "Choosing methods")
            shoot(console.locator(".coproduction-methods-console .coproduction-console-controls"),
                  "methods-steps", taken)

            # Timelines.
            phone.goto(language_url.replace("/workshop.ipynb", "/timeline.ipynb"))
            phone.locator(".coproduction-timeline-board").wait_for(timeout=60_000)
            phone.wait_for_timeout(800)
            shoot(phone, "participant-timeline", taken)
            shoot(phone.locator(".coproduction-suggest"), "timeline-suggest", taken)
            shoot(phone.locator(".coproduction-life"), "timeline-life-gate", taken)
            console_tab(console, "Timeline")
            shoot(console.locator(".coproduction-add-box"), "timeline-add-date", taken)
            shoot(console.locator(".coproduction-waiting-box"), "timeline-waiting", taken)

            # Feedback loops, pauses and "you said, we did".
            phone.goto(language_url.replace("/workshop.ipynb", "/feedback.ipynb"))
            phone.locator(".coproduction-feedback-board").wait_for(timeout=60_000)
            phone.wait_for_timeout(800)
            shoot(phone, "participant-feedback", taken)
            shoot(phone.locator(".coproduction-check-in"), "feedback-check-in", taken)
            phone.locator(".coproduction-pause-button").click()
            phone.wait_for_timeout(500)
            shoot_together(phone, [".coproduction-care-row", ".coproduction-pause-form"],
                           "pause-form", taken)
            phone.locator(".coproduction-pause-send").click()
            console_tab(console, "Feedback")
            console.locator(".coproduction-pause-message-input input").fill("back at 11:15")
            console.locator(".coproduction-pause-all").click()
            phone.locator(".coproduction-pause-screen").wait_for(timeout=30_000)
            phone.wait_for_timeout(500)
            shoot(phone.locator(".coproduction-pause-screen"), "pause-screen", taken)
            console.wait_for_timeout(500)
            shoot(console.locator(".coproduction-feedback-console > .coproduction-signals-box"),
                  "feedback-signals", taken)
            console.locator(".coproduction-resume-all").click()
            shoot(console.locator(".coproduction-actions-box"), "feedback-actions", taken)

            # Planning: the promises, and how each person can change the look.
            console_tab(console, "People, consent and pay")
            console.locator(".coproduction-consent-console .jupyter-widget-Collapse-header"
                            ).first.click()
            console.wait_for_timeout(500)
            shoot(console.locator(".coproduction-consent-console"), "consent-promises", taken)
            phone.locator("[data-coproduction-view=large]").click()
            phone.locator("[data-coproduction-view=contrast]").click()
            phone.wait_for_timeout(500)
            phone.screenshot(path=IMAGES / "view-switch.png",
                             clip={"x": 0, "y": 0, "width": 360, "height": 640})
            taken.append("view-switch")
            the_whole_room(browser, servers, console, workshop, taken)
            the_people_who_run_it(browser, servers, console, phone, taken)
            browser.close()
    assert sorted(taken) == sorted(SHOTS), "SHOTS and the pictures taken differ"
    for name in taken:
        print(IMAGES / f"{name}.png")
    return 0


if __name__ == "__main__":
    sys.exit(main())
