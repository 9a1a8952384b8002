"""The whole room in real headless Chromium: the console, the room screen and two phones.

A wording from a phone is held, released and then on the wall; the facilitator blanks
the wall and brings it back; someone joins on paper with consent taken in the room,
their spoken wording and their vote are typed in and read back, and the board, the wall
and the export count them with their source; then they withdraw and vanish from the
wall, the board and the export. Where the room agrees is on the console, and on the wall
once the group agreed to it.
"""

from __future__ import annotations

import csv
import re

import pytest
from harness import chromium, coproduction, remember_typed, running_servers

from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import create_session, open_round
from coproduction.store import Store

pytestmark = pytest.mark.browser
LONG = 60_000
PHONE_WORDING = "the teacher for extra help"
SPOKEN_WORDING = "the school's helper for children who need more"


#: A phone with a voice of its own (nothing from the internet): what it is asked to say
#: is kept in window.spoken.
A_VOICE = """
window.spoken = [];
const voice = {name: "Local", lang: "en-GB", localService: true, default: true};
Object.defineProperty(window, "speechSynthesis", {value: {
  getVoices: () => [voice], cancel: () => {},
  speak: (said) => window.spoken.push(said.text)}});
window.SpeechSynthesisUtterance = function (text) { this.text = text; };
"""


def rows_of(path):
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_held_released_blanked_and_someone_on_paper_typed_in_counted_and_withdrawn(
        tmp_path):
    from playwright.sync_api import expect, sync_playwright

    folder = tmp_path / "workshop"
    with Store.create(folder, title="Our room", code="ROOM1") as store:
        sid = create_session(store, "language", "Our letters")
        open_round(store, sid)
        SharedLanguage(store, sid).put_text("Invitation", "The SENCO will see you.")
    with running_servers(folder, workshop_code="ROOM1", log_dir=tmp_path) as servers, \
            sync_playwright() as p:
        assert "/voila/render/room.ipynb?token=" in servers.screen_url
        assert servers.screen_url.startswith("http://127.0.0.1:")
        browser = chromium(p)
        console = browser.new_context(viewport={"width": 1100, "height": 1800}).new_page()
        console.goto(servers.console_url)
        expect(console.locator(".coproduction-screen-controls")).to_be_visible(timeout=LONG)
        wall = browser.new_context(viewport={"width": 1920, "height": 1080}).new_page()
        wall.goto(servers.screen_url)
        expect(wall.locator(".coproduction-language-screen")).to_contain_text(
            "SENCO", timeout=LONG)
        expect(wall).to_have_title("Shared language")   # the tab says what it shows, not a file

        phones = {}
        for name in ("Ana", "Bo"):
            phone = browser.new_context(viewport={"width": 390, "height": 2400}).new_page()
            if name == "Bo":  # Bo's phone has a voice of its own; Ana's has none
                phone.add_init_script(A_VOICE)
            phone.goto(servers.join_url)
            if name == "Bo":  # the information about taking part, read out
                door = phone.locator(".coproduction-information .coproduction-read-aloud")
                door.click()
                expect(door).to_have_text("Stop reading")
                said = phone.evaluate("window.spoken[0]")
                # each part a sentence: a heading does not run into its text
                assert said.startswith("What we collect. About everyone who joins:"), said
            phone.locator(".coproduction-join-name input").fill(name)
            phone.locator(".coproduction-join-button").click()
            expect(phone.locator(".coproduction-you-are")).to_have_text(
                f"You are taking part as {name}.", timeout=LONG)
            phones[name] = phone
        ana, bo = phones["Ana"], phones["Bo"]
        # "Read this to me" on every card: the device's own voice, or it says it has none.
        read = bo.locator("div.coproduction-term .coproduction-read-aloud").first
        read.click()
        said = bo.evaluate("window.spoken[window.spoken.length - 1]")
        assert said.startswith("SENCO. (short form).") and "Read this" not in said, said
        no_voice = ana.locator("div.coproduction-term .coproduction-read-aloud").first
        no_voice.click()
        expect(no_voice).to_have_text("This device has no voice to read aloud")

        # Hold new wordings: Ana's waits, marked as held on her page only.
        console.locator(".coproduction-screen-hold input").check()
        expect(console.locator(".coproduction-room .coproduction-message")).to_contain_text(
            "wait for you now", timeout=10_000)
        card = ana.locator("div.coproduction-term").first
        card.locator(".coproduction-propose-input input").fill(PHONE_WORDING)
        remember_typed(PHONE_WORDING)
        card.locator(".coproduction-propose-input input").press("Enter")
        card.locator(".coproduction-propose-button").click()
        expect(ana.locator(".coproduction-proposal.coproduction-held")).to_contain_text(
            "Held: the facilitator looks at it first", timeout=10_000)
        expect(console.locator(".coproduction-screen-held")).to_have_text(
            "1 held, waiting for you (see the Shared language tab).", timeout=10_000)
        bo.wait_for_timeout(1500)
        assert PHONE_WORDING not in bo.locator(".coproduction-language-board").inner_text()
        assert PHONE_WORDING not in wall.locator(".coproduction-room-screen").inner_text()
        console.locator(".coproduction-screen-release").click()
        expect(wall.locator(".coproduction-room-screen")).to_contain_text(
            PHONE_WORDING, timeout=10_000)
        expect(bo.locator(".coproduction-language-board")).to_contain_text(
            PHONE_WORDING, timeout=10_000)
        expect(ana.locator(".coproduction-proposal.coproduction-held")).to_have_count(0)
        console.locator(".coproduction-screen-hold input").uncheck()

        # A hard moment: the wall goes blank at once, then comes back.
        console.locator(".coproduction-screen-blank-button").click()
        expect(wall.locator(".coproduction-screen-blank")).to_be_visible(timeout=10_000)
        expect(wall.locator(".coproduction-language-screen")).to_be_hidden()
        console.locator(".coproduction-screen-blank-button").click()
        expect(wall.locator(".coproduction-language-screen")).to_be_visible(timeout=10_000)

        # Val joins on paper: the information read to them, consent taken in the room.
        console.locator(".lm-TabBar-tab", has_text="Add for someone").click()
        console.locator(".coproduction-entered-by input").fill("Jess")
        console.locator(".coproduction-paper-name input").fill("Val")
        remember_typed("Val")
        console.locator(".coproduction-paper-join-button").click()
        expect(console.locator(".coproduction-for-someone .coproduction-near")).to_contain_text(
            "tick the box", timeout=10_000)  # nothing is made before they chose
        console.locator(".coproduction-paper-agreed input").check()
        console.locator(".coproduction-paper-join-button").click()
        expect(console.locator(".coproduction-for-someone .coproduction-near")).to_contain_text(
            "Val is taking part on paper", timeout=10_000)
        expect(console.locator(".coproduction-someone-pick select")).to_contain_text(
            "Val (on paper)")
        console.locator(".coproduction-entry-start").click()
        theirs = console.locator(".coproduction-entry-working .coproduction-language-board")
        expect(theirs).to_be_visible(timeout=30_000)
        expect(theirs.locator(".coproduction-private-panel")).to_have_count(0)
        their_card = theirs.locator("div.coproduction-term").first
        their_card.locator(".coproduction-propose-input input").fill(SPOKEN_WORDING)
        remember_typed(SPOKEN_WORDING)
        their_card.locator(".coproduction-propose-input input").press("Enter")
        their_card.locator(".coproduction-propose-button").click()
        row = theirs.locator(".coproduction-proposal", has_text=SPOKEN_WORDING)
        expect(row).to_contain_text("Proposed by you", timeout=10_000)
        their_vote = theirs.locator(".coproduction-proposal", has_text=PHONE_WORDING)
        their_vote.locator(".widget-toggle-button[data-value=Agree]").click()
        expect(console.locator(".coproduction-entry-waiting")).to_have_text(
            "2 things typed in, not yet read back.", timeout=10_000)
        console.locator(".coproduction-entry-read-back").click()
        expect(console.locator(".coproduction-entry-waiting")).to_have_text(
            "Everything typed in is read back.", timeout=10_000)

        # A card to carry on from a phone prints alone, on one page.
        console.locator(".coproduction-make-card").click()
        link = console.locator(".coproduction-card-link")
        expect(link).to_contain_text("&me=", timeout=10_000)
        console.emulate_media(media="print")
        expect(link).to_be_visible()
        expect(console.locator(".coproduction-paper-join")).to_be_hidden()
        assert console.locator(".coproduction-rejoin-card").bounding_box()["y"] < 50
        pdf = console.pdf()
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
        console.emulate_media(media="screen")

        # The board and the wall count Val's wording and vote.
        on_wall = wall.locator(".coproduction-proposal", has_text=SPOKEN_WORDING)
        expect(on_wall).to_contain_text("Proposed by Val", timeout=10_000)
        expect(wall.locator(".coproduction-proposal", has_text=PHONE_WORDING)).to_contain_text(
            "1 agree", timeout=10_000)
        expect(bo.locator(".coproduction-proposal", has_text=SPOKEN_WORDING)).to_contain_text(
            "Proposed by Val", timeout=10_000)

        done = coproduction("export", "--workshop", folder, "--out", tmp_path / "out")
        assert done.returncode == 0, done.stderr
        by_wording = {r["wording"]: r for r in rows_of(tmp_path / "out" / "proposals.csv")}
        assert (by_wording[SPOKEN_WORDING]["source"], by_wording[SPOKEN_WORDING]["entered_by"],
                by_wording[SPOKEN_WORDING]["read_back"]) == ("spoken", "Jess", "true")
        assert by_wording[PHONE_WORDING]["source"] == "device"
        votes = rows_of(tmp_path / "out" / "votes.csv")
        assert [v["source"] for v in votes] == ["spoken"]

        # Val leaves: gone from the wall, the board and the export.
        with Store.open(folder) as store:
            val = store.select("participants", {"pseudonym": "Val"})[0]["participant_id"]
        left = coproduction("withdraw", "--workshop", folder, val)
        assert left.returncode == 0, left.stderr
        expect(wall.locator(".coproduction-room-screen")).not_to_contain_text(
            SPOKEN_WORDING, timeout=10_000)
        expect(wall.locator(".coproduction-proposal", has_text=PHONE_WORDING)).to_contain_text(
            "0 agree", timeout=10_000)
        expect(bo.locator(".coproduction-language-board")).not_to_contain_text(
            SPOKEN_WORDING, timeout=10_000)
        expect(console.locator(".coproduction-entry-working")).to_be_hidden(timeout=10_000)
        assert SPOKEN_WORDING not in (tmp_path / "out" / "proposals.csv").read_text()
        assert not rows_of(tmp_path / "out" / "votes.csv")

        # Six more people agree with Ana's wording: the console says where the room agrees
        # (worked out beside the page); the wall shows it only once the group agreed.
        with Store.open(folder) as store:
            session = SharedLanguage(store, sid)
            wording = store.select("proposals", {"wording": PHONE_WORDING})[0]["proposal_id"]
            for n in range(6):
                person, _key = join_workshop(store, code="ROOM1", pseudonym=f"Voter {n}")
                session.vote(person, wording, "agree")
        console.locator(".lm-TabBar-tab", has_text="Shared language").click()
        agreement = console.locator(".coproduction-language-console .coproduction-agreement")
        expect(agreement.locator(".coproduction-agreement-line")).to_have_text(
            f"SENCO: {PHONE_WORDING} (6 of 6 agreed)", timeout=30_000)
        expect(agreement.locator(".coproduction-agreement-groups")).to_contain_text(
            "to show groups of views (each group needs at least 5 people)")
        wall_agreement = wall.locator(".coproduction-agreement")
        expect(wall_agreement).to_be_hidden()
        agreement.locator(".coproduction-agreement-shared input").check()
        expect(wall_agreement).to_contain_text("Most of the room agrees on these:",
                                               timeout=30_000)
        expect(wall_agreement).to_contain_text(f"{PHONE_WORDING} (6 of 6 agreed)")
        assert "groups of views" not in wall_agreement.inner_text()  # nobody's group
        browser.close()
