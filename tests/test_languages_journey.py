"""Every page in the person's own language, in real headless Chromium, on one server.

An Urdu reader on a 360 px phone chooses Urdu on the join page, takes part, proposes a
wording, votes, proposes how to say an agreed wording in Urdu (the glossary across
languages), asks for a pause, reloads, and leaves: every page is right to left, in
Urdu, passes axe-core and never scrolls sideways. A Polish reader on another phone sees
the group's rule with Polish plural forms as the facilitator changes it (1, 2, 5, 22).
"""

from __future__ import annotations

import pytest
from harness import chromium, running_servers
from test_access import PHONE, axe_problems, fit_to_content, phone_problems

from coproduction.activities.consensus import ConsensusRule
from coproduction.activities.shared_language import SharedLanguage
from coproduction.activities.timeline import add_event
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import create_session, open_round
from coproduction.privacy.consent import change_settings
from coproduction.store import Store

pytestmark = pytest.mark.browser
LONG = 60_000
WORDING = "استاد جو اضافی مدد دیتے ہیں"
IN_URDU = "مددگاروں کی میٹنگ"


def _look(page, where: str, shots, name: str) -> list[str]:
    """axe-core and the phone checks (no sideways scroll, nothing off either side, 44 px
    targets) on the page at 360 px; a screenshot to look at."""
    page.wait_for_timeout(400)
    fit_to_content(page, PHONE)
    found = axe_problems(page, where) + phone_problems(page, where)
    page.screenshot(path=str(shots / f"{name}.png"), full_page=True)
    return found


def test_an_urdu_reader_takes_part_right_to_left_and_a_polish_reader_sees_plurals(tmp_path):
    from playwright.sync_api import expect, sync_playwright

    folder = tmp_path / "workshop"
    with Store.create(folder, title="Our words", code="LANG1") as store:
        change_settings(store, languages="en,ur,pl")
        sid = create_session(store, "language", "Our letters")
        open_round(store, sid)
        session = SharedLanguage(store, sid)
        session.put_text("Invitation", "The SENCO will see you at the TAC.")
        session.set_rule(ConsensusRule(1, 2 / 3, True))
        someone, _key = join_workshop(store, code="LANG1", pseudonym="Jo")
        tac = next(t.term_id for t in session.board(None).terms if t.term == "TAC")
        session.vote(someone, session.propose(someone, tac, "the meeting of helpers"), "agree")
        session.confirm_glossary()
        open_round(store, create_session(store, "timeline", "Our dates"))
        add_event(store, kind="session", title="A long working session about the letters",
                  starts_on="2027-02-01", details="Bring the letters you got for February.")
    shots = tmp_path / "screenshots"
    shots.mkdir()
    problems: list[str] = []
    with running_servers(folder, workshop_code="LANG1", log_dir=tmp_path) as servers, \
            sync_playwright() as p:
        browser = chromium(p)

        # -- an Urdu reader on a small phone ----------------------------------------
        ur = browser.new_context(viewport={"width": PHONE, "height": 1600}).new_page()
        ur.goto(servers.join_url)
        expect(ur.locator(".coproduction-language-choice")).to_be_visible(timeout=LONG)
        ur.locator(".coproduction-language-choice button", has_text="اردو").click()
        expect(ur.locator(".coproduction-join-button")).to_have_text("حصہ لیں", timeout=10_000)
        expect(ur.locator("html")).to_have_attribute("dir", "rtl")
        expect(ur.locator("html")).to_have_attribute("lang", "ur")
        expect(ur.locator("[data-coproduction-view=large]")).to_have_text("بڑا متن")
        expect(ur.locator(".coproduction-information")).to_contain_text("ہم کیا جمع کرتے ہیں")
        expect(ur.locator(".coproduction-stored-language")).to_be_hidden()
        problems += _look(ur, "Urdu join page", shots, "ur-join")
        ur.locator(".coproduction-join-name input").fill("ثنا")
        ur.locator(".coproduction-join-button").click()
        expect(ur.locator(".coproduction-you-are")).to_have_text(
            "آپ ثنا کے نام سے حصہ لے رہے ہیں۔", timeout=30_000)
        senco = ur.locator(".widget-box.coproduction-term", has_text="SENCO")
        expect(senco).to_be_visible(timeout=10_000)
        senco.locator(".coproduction-propose-input input").fill(WORDING)
        senco.locator(".coproduction-propose-input input").press("Enter")
        senco.locator(".coproduction-propose-button").click()
        said = ur.locator(".coproduction-language-board > .coproduction-message")
        expect(said).to_contain_text("شکریہ: آپ کے الفاظ بورڈ پر ہیں۔", timeout=10_000)
        expect(senco.locator(".coproduction-by")).to_have_text("آپ کی تجویز")
        senco.locator(".coproduction-vote button", has_text="متفق").first.click()
        expect(said).to_contain_text("آپ کا ووٹ گن لیا گیا", timeout=10_000)
        expect(senco.locator(".coproduction-decision")).to_contain_text("1 متفق")
        problems += _look(ur, "Urdu board", shots, "ur-board")
        # The agreed wording, and a box to say how it goes in Urdu: propose, vote, and once
        # the facilitator confirms it, it stands next to the term in Urdu.
        said_in = ur.locator(".coproduction-glossary-card", has_text="TAC").locator(
            ".coproduction-said-in")
        expect(said_in.locator(".coproduction-said-in-heading")).to_have_text(
            "اردو میں: ابھی طے نہیں ہوا")
        said_in.locator(".coproduction-translate-input input").fill(IN_URDU)
        said_in.locator(".coproduction-translate-button").click()
        expect(said_in.locator(".coproduction-wording")).to_have_text(IN_URDU, timeout=10_000)
        said_in.locator(".coproduction-vote button", has_text="متفق").first.click()
        expect(said_in.locator(".coproduction-decision")).to_contain_text("1 متفق",
                                                                          timeout=10_000)
        with Store.open(folder) as store:
            SharedLanguage(store, sid).confirm_glossary()
        expect(said_in.locator(".coproduction-said-in-heading")).to_have_text(
            f"اردو میں: {IN_URDU}", timeout=10_000)
        expect(ur.locator(".coproduction-agreed-wording").last).to_contain_text(IN_URDU)
        problems += _look(ur, "Urdu glossary", shots, "ur-glossary")
        # The timeline, drawn right to left: every word inside the chart, none cut off.
        ur.locator(".coproduction-activity-chooser button", has_text="ٹائم لائن").click()
        chart = ur.locator(".coproduction-timeline-chart svg")
        expect(chart).to_be_visible(timeout=10_000)
        expect(chart).to_have_attribute("direction", "rtl")
        outside = chart.evaluate("""svg => { const box = svg.getBoundingClientRect();
            return [...svg.querySelectorAll('text')].filter(t => {
              const r = t.getBoundingClientRect();
              return r.width && (r.left < box.left - 1 || r.right > box.right + 1); })
            .map(t => t.textContent); }""")
        assert outside == [], outside
        problems += _look(ur, "Urdu timeline", shots, "ur-timeline")
        ur.locator(".coproduction-activity-chooser button",
                   has_text="مشترکہ زبان").click()
        ur.locator(".coproduction-pause-button").click()
        ur.locator(".coproduction-pause-send").click()
        expect(ur.locator(".coproduction-care > .coproduction-message")).to_contain_text(
            "فیسلیٹیٹر کو بتا دیا گیا ہے", timeout=10_000)
        # A reload brings the same person back, in Urdu, right to left, at once.
        ur.reload()
        expect(ur.locator(".coproduction-you-are")).to_contain_text("ثنا", timeout=LONG)
        expect(ur.locator("html")).to_have_attribute("dir", "rtl")
        expect(ur.locator(".coproduction-pause-button")).to_contain_text("مجھے وقفہ چاہیے")

        # -- a Polish reader sees the rule in Polish plural forms --------------------
        pl = browser.new_context(viewport={"width": 390, "height": 1600}).new_page()
        pl.goto(servers.join_url)
        pl.locator(".coproduction-language-choice button", has_text="Polski").click()
        expect(pl.locator(".coproduction-join-button")).to_have_text("Biorę udział",
                                                                     timeout=10_000)
        pl.locator(".coproduction-join-name input").fill("Ola")
        pl.locator(".coproduction-join-button").click()
        expect(pl.locator(".coproduction-you-are")).to_have_text("Bierzesz udział jako Ola.",
                                                                 timeout=30_000)
        expect(pl.locator("html")).to_have_attribute("lang", "pl")
        with Store.open(folder) as store:
            for votes, people in ((1, "1 osoba"), (2, "2 osoby"), (5, "5 osób"),
                                  (22, "22 osoby")):
                SharedLanguage(store, sid).set_rule(ConsensusRule(votes, 2 / 3, True))
                expect(pl.locator(".coproduction-rule")).to_contain_text(
                    f"co najmniej {people}", timeout=10_000)
        problems += _look(pl, "Polish board", shots, "pl-board")
        # The Polish reader is asked how to say it in Polish and sees nothing of the Urdu.
        expect(pl.locator(".coproduction-glossary-card", has_text="TAC").locator(
            ".coproduction-said-in-heading")).to_have_text("Język polski: jeszcze nieuzgodnione")
        expect(pl.locator(".coproduction-language-board")).not_to_contain_text(IN_URDU)

        # -- the Urdu reader leaves --------------------------------------------------
        ur.get_by_text("میری پسند", exact=True).click()
        ur.locator(".coproduction-leave").click()
        expect(ur.locator(".coproduction-leave-plan")).to_contain_text("مٹا دیا جائے گا")
        ur.locator(".coproduction-leave-confirm").click()
        expect(ur.locator(".coproduction-goodbye")).to_contain_text("آپ نے ورکشاپ چھوڑ دی ہے",
                                                                    timeout=10_000)
        problems += _look(ur, "Urdu goodbye", shots, "ur-goodbye")
        # The phone forgot the person but kept the language: the link opened again is Urdu.
        ur.goto(servers.join_url)
        expect(ur.locator(".coproduction-join-button")).to_have_text("حصہ لیں", timeout=LONG)
        expect(ur.locator("html")).to_have_attribute("dir", "rtl")
        browser.close()
    assert problems == []
