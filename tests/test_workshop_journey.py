"""A whole workshop on one link, in real headless Chromium: the console and three phones.

The facilitator moves the room from the language round to methods, then the timeline,
then feedback; every phone follows live, as the same person, and what a person typed is
still there when they go back. A phone whose tab was closed opens the link again (no
key in the address: the device kept it) and is the same person.
"""

from __future__ import annotations

import pytest
from harness import chromium, not_private, remember_typed, running_servers

from coproduction.activities import timeline as tl
from coproduction.activities.methods import MethodSelection
from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.sessions import activity_now, create_session, open_round
from coproduction.store import Store

pytestmark = pytest.mark.browser
LONG = 60_000
TITLES = {"language": "Shared language", "methods": "Choosing methods",
          "timeline": "Timeline", "feedback": "Feedback"}


def a_workshop_with_a_session_of_each(folder):
    with Store.create(folder, title="Our project", code="ONE1") as store:
        language = create_session(store, "language", "Our letters")
        open_round(store, language)
        SharedLanguage(store, language).put_text("Invitation", "The SENCO will see you.")
        methods = create_session(store, "methods", "Choosing methods")
        MethodSelection(store, methods).set_rules(2, 3)
        open_round(store, methods)
        open_round(store, create_session(store, "timeline", "Planning our time"))
        tl.add_event(store, kind="session", title="First working session",
                     starts_on="2027-03-03", start_time="10:00", end_time="12:30")
        open_round(store, create_session(store, "feedback", "How it went"))


def move_everyone(console, activity):
    console.locator(".coproduction-activity-pick select").select_option(TITLES[activity])
    console.locator(".coproduction-show-activity").click()
    from playwright.sync_api import expect

    expect(console.locator(".coproduction-activity-now")).to_have_text(
        f"Participants see now: {TITLES[activity]}.", timeout=10_000)
    # its message sits under the button already: it is not said twice
    expect(console.locator(".coproduction-room .coproduction-message")).to_contain_text(
        "Every page now shows")
    expect(console.locator(".coproduction-room .coproduction-near")).to_be_hidden()


def test_one_link_the_room_moves_together_and_a_reopened_tab_is_the_same_person(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    folder = tmp_path / "workshop"
    a_workshop_with_a_session_of_each(folder)
    with running_servers(folder, workshop_code="ONE1", log_dir=tmp_path) as servers, \
            sync_playwright() as p:
        assert "/voila/render/workshop.ipynb?token=" in servers.join_url
        browser = chromium(p)
        console = browser.new_context(viewport={"width": 1100, "height": 900}).new_page()
        console.goto(servers.console_url)
        expect(console.locator(".coproduction-activity-now")).to_have_text(
            "Participants see now: Shared language.", timeout=LONG)

        phones, devices = {}, {}
        for name in ("Ana", "Bo", "Cy"):
            devices[name] = browser.new_context(viewport={"width": 390, "height": 2400})
            phone = devices[name].new_page()
            phone.goto(servers.join_url)
            phone.locator(".coproduction-join-name input").fill(name)
            phone.locator(".coproduction-join-button").click()
            expect(phone.locator(".coproduction-you-are")).to_have_text(
                f"You are taking part as {name}.", timeout=LONG)
            expect(phone.locator(".coproduction-activity-title")).to_have_text(
                "Shared language")
            phones[name] = phone
        ana = phones["Ana"]
        assert ana.title() == "Our project"   # the tab names the workshop, not a file
        # The room at a glance: who joined, and the pages open (this server was started
        # without --expect, so no count of places).
        console.locator(".coproduction-room-look").click()
        expect(console.locator(".coproduction-room-count")).to_have_text(
            "3 people have joined. 3 pages are open.", timeout=10_000)

        # A message shows beside the button pressed, not a screen away, and is announced.
        cy = phones["Cy"]
        button = cy.locator(".coproduction-flag-button")
        button.scroll_into_view_if_needed()
        button.click()
        near = cy.locator(".coproduction-near[role=status]")
        expect(near).to_contain_text("Please", timeout=10_000)
        gap = near.bounding_box()["y"] - button.bounding_box()["y"]
        assert 0 < gap < 150, gap
        assert near.is_visible()
        said = cy.locator(".coproduction-message:visible, .coproduction-near:visible",
                          has_text="Please type")
        expect(said).to_have_count(1)   # said once, beside the button, not twice

        # A word in the text is flagged with a tap, not typed.
        point = cy.evaluate("""() => {
            const body = document.querySelector('.coproduction-text-body p');
            const node = [...body.childNodes].find(
                n => n.nodeType === 3 && n.textContent.includes('will'));
            const range = document.createRange();
            const at = node.textContent.indexOf('will');
            range.setStart(node, at + 1); range.setEnd(node, at + 2);
            const box = range.getBoundingClientRect();
            return [box.left + box.width / 2, box.top + box.height / 2];
        }""")
        cy.mouse.click(*point)
        expect(cy.locator(".coproduction-flag-input input")).to_have_value("will")
        cy.locator(".coproduction-flag-button").click()  # the tapped word, as it is
        expect(cy.locator(".coproduction-language-board")).to_contain_text("Added to the board")
        with Store.open(folder) as store:
            assert any(t["term"] == "will" for t in store.select("terms"))

        # A pause asked for on a phone stays in sight at the top of the console, and in
        # its tab's title, however far down the facilitator is, until marked seen.
        cy.locator(".coproduction-pause-button").click()
        cy.locator(".coproduction-pause-send").click()
        alert = console.locator(".coproduction-pause-alert")
        expect(alert).to_be_visible(timeout=10_000)
        console.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        console.wait_for_timeout(300)
        assert console.evaluate("window.scrollY") > 1000
        assert abs(alert.bounding_box()["y"]) < 5      # stuck to the top of the window
        console.evaluate("window.scrollTo(0, 0)")       # and nothing hides under it
        heading = console.locator(".coproduction-workshop-title").bounding_box()
        assert heading["y"] >= alert.bounding_box()["height"] - 1
        console.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        assert console.title().startswith("Someone needs a pause")
        alert.locator(".coproduction-alert-seen").click()
        expect(alert).to_be_hidden(timeout=10_000)
        assert not console.title().startswith("Someone needs a pause")
        console.evaluate("window.scrollTo(0, 0)")

        # The console's open tab comes back after a reload ("Connect again" reloads).
        console.get_by_role("tab", name="Timeline").click()
        console.reload()
        expect(console.get_by_role("tab", name="Timeline")).to_have_attribute(
            "aria-selected", "true", timeout=LONG)
        expect(console.locator(".coproduction-timeline-console")).to_be_visible()

        remember_typed("half a thought about a word")
        ana.locator(".coproduction-flag-input input").fill("half a thought about a word")

        move_everyone(console, "methods")
        for phone in phones.values():  # live, without a reload
            expect(phone.locator(".coproduction-activity-title")).to_have_text(
                "Choosing methods", timeout=10_000)
            expect(phone.locator(".coproduction-dots-left")).to_contain_text("You have 2 dots")
        ana.locator(".coproduction-method").first.locator(".coproduction-add-dot").click()
        expect(ana.locator(".coproduction-dots-left")).to_contain_text("1 left to place",
                                                                       timeout=10_000)

        move_everyone(console, "timeline")
        for phone in phones.values():
            expect(phone.locator(".coproduction-timeline-chart svg")).to_contain_text(
                "First working session", timeout=10_000)

        move_everyone(console, "feedback")
        for phone in phones.values():
            expect(phone.locator(".coproduction-check-in-button")).to_be_visible(
                timeout=10_000)

        # Every round is still open: Ana goes back to the language board herself, and
        # what she had typed there is still in its box; the others stay where they are.
        ana.locator(".coproduction-activity-chooser").get_by_role(
            "button", name="Shared language").click()
        expect(ana.locator(".coproduction-flag-input input")).to_have_value(
            "half a thought about a word", timeout=10_000)
        expect(phones["Bo"].locator(".coproduction-activity-title")).to_have_text("Feedback")

        # Bo closes his tab, then opens the join link again on the same phone.
        phones["Bo"].close()
        again = devices["Bo"].new_page()
        again.goto(servers.join_url)
        expect(again.locator(".coproduction-you-are")).to_have_text(
            "You are taking part as Bo.", timeout=LONG)
        expect(again.locator(".coproduction-activity-title")).to_have_text("Feedback")
        assert again.locator(".coproduction-join-name input").count() == 0
        assert "me=" in again.url  # and a reload keeps him too

        # A borrowed phone: the next person opens the link and finds Bo. One tap, and the
        # phone forgets him; the link then opens the door, and Bo is still taking part.
        again.close()
        borrowed = devices["Bo"].new_page()
        borrowed.goto(servers.join_url)
        borrowed.locator(".coproduction-not-me").click(timeout=LONG)
        expect(borrowed.locator(".coproduction-not-me-said")).to_contain_text(
            "This phone has forgotten who was using it")
        assert "me=" not in borrowed.url
        borrowed.close()
        fresh = devices["Bo"].new_page()
        fresh.goto(servers.join_url)
        expect(fresh.locator(".coproduction-join-name input")).to_be_visible(timeout=LONG)
        browser.close()

    with Store.open(folder) as store:
        people = store.select("participants")
        assert sorted(p["pseudonym"] for p in people) == ["Ana", "Bo", "Cy"]
        assert {p["status"] for p in people} == {"active"}   # "not me" changed nobody
        assert activity_now(store) == "feedback"
    # Nothing the room wrote can be opened by another account on this computer: the
    # workshop (database, the files SQLite keeps beside it, tokens) and the servers' logs.
    assert not not_private(folder, *tmp_path.glob("*.log"))
    assert list(tmp_path.glob("*.log"))
