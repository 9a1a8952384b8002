"""The people who run the work, in real headless Chromium: the console's plan and ethics
questions, a staff member's own page on their phone, and a participant who reads what
the group agreed.

The facilitator writes the plan and agrees an ethics answer with the group; a staff
member joins by the staff link, reflects and names their supporter; a hard moment (the
room screen blanked) and the round's close ask them, live, for a debrief, which they
write; a participant reads the plan at the door and the agreed answer on their page,
and answers a question about who they are. What the staff member wrote is on no other
page, in no export and (once they erase it) nowhere in the workshop's files.
"""

from __future__ import annotations

import pytest
from harness import chromium, remember_typed, running_servers

from coproduction.core.sessions import create_session, open_round
from coproduction.privacy.export import export_workshop
from coproduction.running import diversity
from coproduction.store import Store

pytestmark = pytest.mark.browser
LONG = 60_000
REFLECTION = "carer, sister, manager, tenant 4Rq"
HEAVY = "the story of the letters took me back 8Vw"
SUPPORTER = "Sam, my supervisor, Thursdays 2Tz"
WHEN_FULL = "A place in the April round, or send your views on paper."
AGREED = "Anyone can stop at any time, and their words go."
HOME = "Polish and English"


def test_plan_ethics_staff_page_and_what_the_group_agreed(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    folder = tmp_path / "workshop"
    with Store.create(folder, title="Our project", code="RUN01") as store:
        open_round(store, create_session(store, "language", "Letters"))
    for text in (REFLECTION, HEAVY, SUPPORTER, WHEN_FULL, AGREED, HOME):
        remember_typed(text)  # none of it may reach a log
    with running_servers(folder, workshop_code="RUN01", log_dir=tmp_path / "logs") as servers, \
            sync_playwright() as p:
        browser = chromium(p)
        console = browser.new_context(viewport={"width": 1100, "height": 2000}).new_page()
        console.goto(servers.console_url)
        console.locator(".lm-TabBar-tab", has_text="Plan and ethics").click(timeout=LONG)
        tab = console.locator(".coproduction-planning-console")
        # The plan: what happens when the places run out, shown to everyone.
        tab.locator(".jupyter-widget-Collapse-header", has_text="Who, why and how").click()
        tab.locator(".coproduction-plan-when_full textarea").fill(WHEN_FULL)
        expect(tab.locator(".coproduction-plan-shared-when_full input")).to_be_checked()
        tab.locator(".coproduction-save-plan").click()
        expect(tab.locator(".coproduction-message")).to_contain_text("Saved", timeout=LONG)
        # An ethics answer agreed with the group: with whom shows only once it is.
        item = tab.locator(".coproduction-ethics-withdrawal")
        expect(item.locator(".coproduction-ethics-agreed")).to_be_hidden()
        item.locator(".coproduction-ethics-status select").select_option(
            label="agreed with the group")
        item.locator(".coproduction-ethics-answer textarea").fill(AGREED)
        item.locator(".coproduction-ethics-with input").fill("the whole group")
        item.locator(".coproduction-save-ethics").click()
        expect(tab.locator(".coproduction-ethics-counts")).to_contain_text(
            "1 of 17 questions agreed with the group", timeout=LONG)
        tab.locator(".jupyter-widget-Collapse-header", has_text="Who is in the group").click()
        tab.locator(".coproduction-new-group-question input").fill("What do you speak at home?")
        tab.locator(".coproduction-add-group-question").click()
        expect(tab.locator(".coproduction-group-question")).to_have_text(
            "What do you speak at home?", timeout=LONG)
        staff_link = tab.locator(".coproduction-staff-link").inner_text()
        assert staff_link.endswith("&as=staff") and "code=RUN01" in staff_link

        # A staff member joins by the staff link: it picks the role for them.
        mine = browser.new_context(viewport={"width": 360, "height": 2400}).new_page()
        mine.goto(staff_link)
        expect(mine.get_by_role("radio", name="As staff of a service or organisation")
               ).to_be_checked(timeout=LONG)
        mine.locator(".coproduction-join-name input").fill("Dev")
        mine.locator(".coproduction-join-button").click()
        pages = mine.locator(".coproduction-staff-pages")
        expect(pages).to_be_visible(timeout=LONG)
        pages.locator(".jupyter-widget-Collapse-header", has_text="Reflection and journal").click()
        pages.locator(".coproduction-reflection-text textarea").fill(REFLECTION)
        pages.locator(".coproduction-keep-reflection").click()
        expect(pages.locator(".coproduction-reflection-said")).to_contain_text(REFLECTION,
                                                                            timeout=LONG)
        pages.locator(".jupyter-widget-Collapse-header", has_text="Who supports me").click()
        pages.locator(".coproduction-supporter input").fill(SUPPORTER)
        pages.locator(".coproduction-keep-supporter").click()
        expect(pages.locator(".coproduction-message")).to_contain_text("Only you",
                                                                       timeout=LONG)

        # A hard moment, then the round closes: the staff page asks for a debrief, live.
        console.locator(".lm-TabBar-tab", has_text="Shared language").click()
        console.locator(".coproduction-screen-blank-button").click()
        console.locator(".coproduction-language-console .coproduction-close-round").click()
        due = mine.locator(".coproduction-debrief-due")  # at the top, under their name
        expect(due).to_contain_text("had a hard moment", timeout=LONG)
        assert due.bounding_box()["y"] < mine.locator(".coproduction-care").bounding_box()["y"]
        expect(due).to_contain_text(SUPPORTER)
        pages.locator(".jupyter-widget-Collapse-header", has_text="After a session").click()
        pages.locator(".coproduction-debrief-heavy textarea").fill(HEAVY)
        pages.locator(".coproduction-keep-debrief").click()
        expect(due).to_have_text("", timeout=LONG)

        # A participant reads the plan at the door and the agreed answer on their page.
        phone = browser.new_context(viewport={"width": 360, "height": 2400}).new_page()
        phone.goto(servers.join_url)
        expect(phone.get_by_role("main")).to_contain_text(
            f"If there are no places left: {WHEN_FULL}", timeout=LONG)
        phone.locator(".coproduction-join-name input").fill("Ana")
        phone.locator(".coproduction-join-button").click()
        expect(phone.locator(".coproduction-you-are")).to_be_visible(timeout=LONG)
        phone.locator(".jupyter-widget-Collapse-header",
                      has_text="What we agreed together").click()
        expect(phone.locator(".coproduction-agreed-answers")).to_contain_text(AGREED)
        phone.locator(".jupyter-widget-Collapse-header", has_text="About me, if I wish").click()
        phone.locator(".coproduction-about-me-answer input").fill(HOME)
        phone.locator(".coproduction-save-about-me").click()
        expect(phone.locator(".coproduction-my-choices .coproduction-message")).to_contain_text(
            "Saved", timeout=LONG)
        assert phone.locator(".coproduction-staff-pages").count() == 0

        wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        wall.goto(servers.screen_url)
        wall.locator(".coproduction-panel").first.wait_for(timeout=LONG)
        for page in (console, phone, wall):
            seen = page.locator("body").inner_text()
            assert not any(s in seen for s in (REFLECTION, HEAVY, SUPPORTER, HOME)), page.url
        with Store.open(folder) as store:
            export_workshop(store, tmp_path / "out", include_private=True)
            assert diversity.counts(store)[0].others == "fewer than 5"
        for path in (tmp_path / "out").rglob("*"):
            if path.is_file():
                data = path.read_bytes()
                assert not any(s.encode() in data for s in (REFLECTION, HEAVY, SUPPORTER,
                                                            HOME)), path

        # The writer erases it all: gone from the page and from the workshop's files.
        pages.locator(".jupyter-widget-Collapse-header", has_text="Reflection and journal").click()
        pages.locator(".coproduction-erase-staff-pages").click()
        pages.locator(".coproduction-erase-staff-confirm").click()
        expect(pages.locator(".coproduction-message")).to_contain_text("Erased", timeout=LONG)
        expect(pages.locator(".coproduction-reflection-said")).to_have_count(0)
        browser.close()
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s.encode() in data for s in (REFLECTION, HEAVY, SUPPORTER)), path
