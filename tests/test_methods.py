"""Method selection: the catalogue, fit with reasons, the privacy rule, dots and the shortlist.

Unit tests of the pure logic first, then the engine through the store, then
the pages driven headlessly (values set, buttons clicked, forged messages
included), as a browser would.
"""

from __future__ import annotations

import csv
import re

import pytest
from test_widgets import all_labels

from coproduction.activities import methods as mt
from coproduction.core.participants import join_workshop
from coproduction.core.plain_language import check_text
from coproduction.core.sessions import close_round, create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.privacy.export import export_workshop
from widgets.methods import MethodsBoardPage, MethodsConsole

SHIPPED = {"art-sessions", "poetry-sessions", "journal-writing", "interviews", "focus-groups",
           "photography", "timelines", "life-stories", "circle-time",
           "intergenerational-sharing", "podcasts", "video-making", "photo-diaries"}


def method(**changes) -> mt.Method:
    row = next(r for r in mt.catalogue_rows() if r["method_id"] == "photo-diaries")
    return mt.Method.from_row({**row, **changes})


def card(**answers) -> dict:
    return {q: answers.get(q, "not_said") for q in mt.CARD_QUESTIONS}


# -- the catalogue ------------------------------------------------------------------
def test_the_catalogue_covers_the_guidances_methods_with_every_attribute():
    rows = mt.catalogue_rows()
    assert {r["method_id"] for r in rows} == SHIPPED
    for row in rows:
        m = mt.Method.from_row(row)
        assert re.fullmatch(r"[a-z0-9-]+", m.method_id)
        assert m.name and m.summary and m.prepare and m.look_up and m.minutes > 0
        assert m.setting in mt.SETTING_WORDS and m.format in mt.FORMAT_WORDS
        # every adaptation named in the file is for a known need
        written = row["adaptations"] or ""
        assert len(m.adaptations) == len([p for p in written.split("|") if p.strip()]), m.name


def test_catalogue_texts_shown_to_participants_are_plain():
    for row in mt.catalogue_rows():
        report = check_text(f"{row['name']}. {row['summary']}")
        assert not report.flagged, (row["method_id"], [f.text for f in report.findings])


def test_the_catalogue_is_seeded_once_when_a_workshop_first_uses_the_activity(store):
    with store.read() as tx:
        assert tx.count("methods") == 0
    sid = create_session(store, "methods", "Choosing")
    mt.MethodSelection(store, sid)
    mt.MethodSelection(store, sid)
    assert {r["method_id"] for r in store.select("methods")} == SHIPPED


# -- fit -----------------------------------------------------------------------------
def test_a_method_that_excludes_one_person_offers_a_change_instead_of_dropping_them():
    cards = [card(device="camera"), card(device="camera"), card(device="no_camera"),
             card()]  # the last person said nothing: that never counts against a method
    fit = mt.fit_for(method(needs_internet=False), cards)
    assert (fit.counted, fit.fits) == (4, 3)
    assert fit.clashes == (("camera", 1, "lend one, or offer a paper diary with drawings"),)
    assert fit.summary() == ("It needs a change for fewer than 3 of the 4 people who "
                             "filled in a card.")
    assert fit.reasons() == ["Fewer than 3 people have no camera on their phone. To help: "
                             "lend one, or offer a paper diary with drawings."]


def test_each_need_is_checked_against_the_card():
    m = mt.Method.from_row({**mt.catalogue_rows()[0], "needs_internet": True,
                            "needs_camera": True, "reading_writing": "high",
                            "sensory_load": "high", "format": "group", "minutes": 45,
                            "can_be_anonymous": False, "adaptations": None})
    assert mt.clashes(m, card()) == []
    assert mt.clashes(m, card(internet="not_always", device="no", communication="drawing",
                              sensory="quiet_better", groups="one_to_one", time="half_hour",
                              anonymous="yes")) == [
        "internet", "device", "writing", "sensory", "group", "time", "anonymous"]
    assert mt.clashes(m, card(device="no_camera", time="hour", communication="writing")) == [
        "camera"]


def test_counts_of_three_or_more_are_exact_and_general_changes_fill_gaps():
    cards = [card(internet="no")] * 3 + [card(internet="yes")] * 4
    fit = mt.fit_for(method(), cards)
    assert fit.summary() == "Fits 4 of the 7 people who filled in a card."
    assert fit.reasons() == ["3 people have no steady internet at home. To help: bring the "
                             "photos to the next meeting and we copy them here."]
    general = mt.fit_for(method(adaptations=None), cards)
    assert general.reasons()[0].endswith("take part here in the room, or by phone or on paper.")


def test_fit_is_not_shown_until_three_people_filled_in_a_card():
    fit = mt.fit_for(method(), [card(device="no"), card()])
    assert fit.fits == 1 and not fit.shown()
    assert fit.reasons() == []
    assert "at least 3 people" in fit.summary()


def test_group_counts_show_only_answers_shared_by_three_or_more():
    cards = [card(internet="no")] * 2 + [card(internet="yes", groups="fine")] * 3
    assert mt.group_counts(cards) == ["3 people said 'Yes' about internet at home.",
                                      "3 people said 'Happy in a group' about being in a group."]
    assert mt.people(2) == "fewer than 3 people" and mt.people(3) == "3 people"


def test_agreed_terms_are_marked_beside_the_text_never_written_into_it():
    """Rewriting made "with the the teacher who helps ..." and renamed a method."""
    from coproduction.core.plain_language import agreed_in, agreed_note, agreed_spans

    glossary = {"SENCO": "the teacher who helps children with extra needs",
                "TAC": "the team around the child"}
    text = "Walk with the SENCO instead of a TAC meeting in an office. TACs, a tac, tactics."
    assert [text[s:e] for s, e, _ in agreed_spans(text, glossary)] == [
        "SENCO", "TAC", "TACs", "tac"]          # articles, plurals and capitals; not "tactics"
    assert agreed_in([text], glossary) == [
        ("SENCO", glossary["SENCO"]), ("TAC", glossary["TAC"]), ("TACs", glossary["TAC"])]
    assert agreed_note(agreed_in(["the TAC meeting"], glossary)) == (
        'Words the group agreed: "TAC" means the team around the child.')
    assert agreed_note([]) == ""


# -- the engine ----------------------------------------------------------------------
@pytest.fixture
def session_id(store):
    sid = create_session(store, "methods", "Choosing how we gather wisdom")
    open_round(store, sid)
    mt.MethodSelection(store, sid).set_rules(2, 2)
    return sid


def join(store, name):
    return join_workshop(store, code="TEST42", pseudonym=name)[0]


def test_dots_beyond_the_allowance_a_closed_round_and_forged_ids_are_refused(store, session_id):
    s = mt.MethodSelection(store, session_id)
    ana = join(store, "Ana")
    s.place_dot(ana, "podcasts")
    s.place_dot(ana, "podcasts")
    before = store.revision()
    with pytest.raises(InvalidInput, match="placed all 2 of your dots"):
        s.place_dot(ana, "timelines")
    for forged in ("no-such-method", 7, ["podcasts"], None):
        with pytest.raises(InvalidInput, match="not on the list"):
            s.place_dot(ana, forged)
    with pytest.raises(InvalidInput, match="how you feel"):
        s.rate(ana, "podcasts", "love it")
    assert store.revision() == before
    close_round(store, session_id)
    before = store.revision()
    with pytest.raises(InvalidInput, match="round is closed"):
        s.take_dot(ana, "podcasts")
    with pytest.raises(InvalidInput, match="round is closed"):
        s.rate(ana, "podcasts", "keen")
    assert store.revision() == before
    assert [(r["method_id"], r["dots"]) for r in store.select("method_dots")] == [
        ("podcasts", 2)]


def test_a_card_refuses_answers_that_are_not_on_the_list(store, session_id):
    s = mt.MethodSelection(store, session_id)
    ana = join(store, "Ana")
    with pytest.raises(InvalidInput, match="internet at home"):
        s.save_card(ana, {"internet": "fibre"})
    with pytest.raises(InvalidInput):
        s.save_card(ana, {}, share_with_facilitator="yes")
    assert s.my_card(ana) is None
    s.save_card(ana, {"internet": "no"}, "  I need breaks  ")
    saved = s.my_card(ana)
    assert saved["internet"] == "no" and saved["device"] == "not_said"
    assert saved["other"] == "I need breaks"


def test_the_shortlist_comes_from_dots_then_fit_and_later_sessions_read_it(store, session_id):
    s = mt.MethodSelection(store, session_id)
    people = [join(store, n) for n in ("Ana", "Bo", "Cy", "Di")]
    for person in people:
        s.save_card(person, {"device": "no_camera"})
    for person in people[:2]:
        s.place_dot(person, "photo-diaries")
        s.place_dot(person, "journal-writing")
    s.place_dot(people[2], "podcasts")
    with pytest.raises(InvalidInput, match="Close the round first"):
        s.confirm_shortlist()
    assert mt.shortlist(store) == []
    close_round(store, session_id)
    entries = s.confirm_shortlist()
    # level on dots: journal writing fits everyone, photo diaries needs a camera
    assert [e.method_id for e in entries] == ["journal-writing", "photo-diaries"]
    chosen = mt.shortlist(store)
    assert [(r["rank"], r["method_id"], r["name"], r["minutes"]) for r in chosen] == [
        (1, "journal-writing", "Journal writing", 20), (2, "photo-diaries", "Photo diaries", 15)]
    assert chosen[1]["reasons"] == (
        "2 dots. As it is, it needs a change for everyone who filled in a card (4 people). "
        "4 people have no camera on their phone. To help: lend one, or offer a paper diary "
        "with drawings.")
    s.confirm_shortlist()  # confirming again replaces, never doubles
    assert len(store.select("method_shortlist")) == 2


def test_the_export_holds_the_shortlist_but_never_the_cards(store, session_id, tmp_path):
    s = mt.MethodSelection(store, session_id)
    ana = join(store, "Ana")
    s.save_card(ana, {"internet": "no"}, "my secret need")
    s.place_dot(ana, "podcasts")
    s.rate(ana, "podcasts", "keen")
    close_round(store, session_id)
    s.confirm_shortlist()
    paths = {p.name for p in export_workshop(store, tmp_path / "out")}
    assert {"methods.csv", "method_dots.csv", "method_ratings.csv",
            "method_shortlist.csv"} <= paths
    assert "access_cards.csv" not in paths
    assert not any("my secret need" in (tmp_path / "out" / p).read_text() for p in paths)
    with (tmp_path / "out" / "method_shortlist.csv").open() as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["method_id"], r["rank"]) for r in rows] == [("podcasts", "1")]
    assert rows[0]["reasons"].startswith("1 dot.")


def test_a_facilitator_can_add_a_method(store, session_id):
    s = mt.MethodSelection(store, session_id)
    fields = dict(name="Walking interviews", summary="Talk while walking together.",
                  setting="in_person", needs_device=False, needs_camera=False,
                  needs_internet=False, format="individual", can_be_anonymous=True,
                  reading_writing="low", sensory_load="low", minutes=40,
                  prepare="A safe route.", look_up="Walking interview projects.")
    assert s.add_method(**fields) == "walking-interviews"
    with pytest.raises(InvalidInput, match="already a method"):
        s.add_method(**fields)
    with pytest.raises(InvalidInput):
        s.add_method(**{**fields, "name": "Other", "minutes": "lots"})
    assert "Walking interviews" in [m.name for m in s.board(None).methods]


# -- the pages -------------------------------------------------------------------------
def page_for(store, name, session_id=None):
    person = join(store, name)
    page = MethodsBoardPage(store, person, session_id)
    page.refresh_if_changed()
    return page


def fill_card(page, **answers):
    page.card_panel.unfold(0)      # the private card, made when opened
    for name, value in answers.items():
        page.answers[name].value = value
    page.save_card.click()
    assert "Only you can see your card" in page.message.value, page.message.value


def test_dots_on_one_page_appear_on_another_and_the_allowance_holds(store, session_id):
    ana, bo = page_for(store, "Ana"), page_for(store, "Bo")
    podcasts = ana.cards["podcasts"]
    podcasts.add_dot.click()
    assert podcasts.dots.value == "Dots: 1 (yours: 1)"
    assert bo.refresh_if_changed()
    assert bo.cards["podcasts"].dots.value == "Dots: 1"
    podcasts.add_dot.click()
    assert podcasts.add_dot.disabled and "placed them all" in ana.dots_left.value
    before = store.revision()
    ana.cards["timelines"].add_dot.click()     # a browser can click a disabled button
    assert store.revision() == before
    assert "placed all 2 of your dots" in ana.message.value
    podcasts.take_dot.click()
    assert podcasts.dots.value == "Dots: 1 (yours: 1)" and "1 left" in ana.dots_left.value
    ana.cards["art-sessions"].rating.value = "keen"
    console = MethodsConsole(store)
    console.refresh_if_changed()
    assert console.cards["art-sessions"].ratings.value == (
        "Ratings: I'd like this 1, Not sure 0, Not for me 0")


def test_after_closing_forged_dots_and_ratings_change_nothing(store, session_id):
    ana = page_for(store, "Ana")
    ana.cards["podcasts"].rating.value = "keen"
    close_round(store, session_id)
    ana.refresh_if_changed()
    card_ = ana.cards["podcasts"]
    assert card_.add_dot.disabled and card_.rating.disabled
    before = store.revision()
    card_.add_dot.click()
    card_.rating.value = "not_for_me"
    assert store.revision() == before
    assert card_.rating.value == "keen"    # the buttons show what counts
    assert "closed" in ana.message.value


def test_no_page_shows_another_persons_card_or_a_count_under_three(store, session_id):
    pages = [page_for(store, n) for n in ("Ana", "Bo", "Cy", "Di", "Ed")]
    fill_card(pages[0], device="no", internet="no", groups="one_to_one")
    pages[0].other.value = "Ana's private note"
    pages[0].save_card.click()
    fill_card(pages[1], device="no_camera", internet="no")
    for page in pages[2:]:
        fill_card(page, device="camera", internet="yes")
    console = MethodsConsole(store)
    console.refresh_if_changed()
    small = re.compile(r"\b([12]|one|two) (people|person)\b|\bfits [12]\b|\b[12] of\b|"
                       r"\bof [12]\b", re.IGNORECASE)
    for view in [*pages[1:], console]:
        view.refresh_if_changed()
        texts = all_labels(view)
        assert not any("Ana's private note" in t for t in texts)
        summaries = {c.summary.value for c in view.cards.values()}  # "One person asks..."
        texts = [t for t in texts if t not in summaries]
        assert not [t for t in texts if small.search(t)], [t for t in texts if small.search(t)]
        # what is said instead of a small count
        photo = view.cards["photo-diaries"]
        assert photo.fit.value == ("It needs a change for fewer than 3 of the 5 people "
                                   "who filled in a card.")
        assert [r.value for r in photo.reasons.children] == [
            "Fewer than 3 people have no steady internet at home. To help: bring the photos "
            "to the next meeting and we copy them here.",
            "Fewer than 3 people have no phone, tablet or computer to use. To help: lend a "
            "camera phone, or offer a paper diary with drawings.",
            "Fewer than 3 people have no camera on their phone. To help: lend one, or offer "
            "a paper diary with drawings."]
        counts = [c.value for c in view.counts.children]
        assert counts == ["3 people said 'Yes' about internet at home.",
                          "3 people said 'Yes, with a camera' about a device to use."]
    # Bo's own card widgets show Bo's answers, not Ana's
    bo = MethodsBoardPage(store, pages[1].person)   # her page drawn again
    bo.refresh_if_changed()
    bo.card_panel.unfold(0)
    assert bo.answers["device"].value == "no_camera" and bo.other.value == ""
    # the facilitator sees a card only when its owner says so
    assert [c.value for c in console.shared.children] == ["None yet."]
    pages[0].share.value = True
    pages[0].save_card.click()
    console.refresh_if_changed()
    assert [c.value for c in console.shared.children] == [
        "Ana: internet at home: No; a device to use: No; being in a group: One to one is "
        "better for me; also: Ana's private note"]


def test_the_fit_explanation_is_on_every_page(store, session_id):
    ana, console = page_for(store, "Ana"), MethodsConsole(store)
    console.refresh_if_changed()
    for view in (ana, console):
        texts = [line.value for line in view.explanation.children]
        assert texts[0] == "How we work out if a method fits:"
        assert view.explanation in view.children
        assert any("'Prefer not to say' never counts against" in t for t in texts)


def test_the_console_runs_the_round_and_confirms_the_shortlist(store):
    console = MethodsConsole(store)
    console.refresh_if_changed()
    assert console.title.value == "No method-selection session yet"
    console.round.new_title.value = "Choosing methods"
    console.round.new_button.click()
    console.dots_each.value = 1
    console.size.value = 1
    console.rules_button.click()
    console.round.open_button.click()
    ana = page_for(store, "Ana")
    assert ana.dots_left.value.startswith("You have 1 dots") or "1 left" in ana.dots_left.value
    ana.cards["poetry-sessions"].add_dot.click()
    console.refresh_if_changed()
    assert console.confirm.disabled
    console.round.close_button.click()
    assert console.shortlist_title.value.startswith("Proposed shortlist")
    assert [e.value for e in console.shortlist_entries.children] == [
        "1. Poetry sessions: 1 dot. Fit shows once at least 3 people have filled in their "
        "access card."]
    console.confirm.click()
    assert "saved for the next sessions" in console.message.value
    ana.refresh_if_changed()
    assert ana.shortlist_title.value == "The group's shortlist"
    assert mt.shortlist(store)[0]["method_id"] == "poetry-sessions"


def test_the_console_adds_a_method_and_keeps_what_was_typed_when_refused(store, session_id):
    console = MethodsConsole(store)
    console.refresh_if_changed()
    console.add["name"].value = "Story walks"
    console.add_button.click()
    assert "what people do" in console.message.value
    assert console.add["name"].value == "Story walks"
    console.add["summary"].value = "Walk and tell stories."
    console.add["prepare"].value = "A route."
    console.add["look_up"].value = "Story walk projects."
    console.add["needs_camera"].value = True
    console.add["minutes"].value = 90
    console.add_button.click()
    assert console.message.value == "Added. Everyone now sees it."
    # The next method starts from nothing, not from the last one's answers.
    assert [console.add[k].value for k in ("name", "needs_camera", "minutes")] == ["", False, 30]
    ana = page_for(store, "Ana")
    assert ana.cards["story-walks"].name.value == "Story walks"


def test_method_texts_on_the_page_show_the_agreed_glossary_beside_them(store, session_id):
    store.insert("glossary", {"session_id": session_id, "term": "Focus groups",
                              "wording": "Small talking groups", "agree": 3, "disagree": 0,
                              "pass": 0, "block": 0})
    ana = page_for(store, "Ana")
    card = ana.cards["focus-groups"]
    assert card.name.value == "Focus groups"       # the name stays, and keeps its place
    assert card.agreed.value == 'Words the group agreed: "Focus groups" means Small talking groups.'
    assert ana.cards["podcasts"].agreed.layout.display == "none"


def test_redrawing_reuses_widgets(store, session_id):
    from ipywidgets.widgets.widget import _instances

    ana, bo = page_for(store, "Ana"), page_for(store, "Bo")
    console = MethodsConsole(store)
    console.refresh_if_changed()
    before = len(_instances)
    for _ in range(2):
        ana.cards["podcasts"].add_dot.click()
        assert bo.refresh_if_changed() and console.refresh_if_changed()
        ana.cards["podcasts"].take_dot.click()
    assert len(_instances) == before


def test_the_access_card_opens_before_the_session_and_saves_once_there_is_one(store):
    """The card is made when its fold is opened, and then follows the room: it cannot be
    saved before the facilitator sets up a methods session, and can straight after."""
    page = page_for(store, "Ana")
    assert not page.card_panel.made(0)
    page.card_panel.unfold(0)
    assert page.save_card.disabled
    create_session(store, "methods", "Ways to meet")
    page.refresh_if_changed()
    assert not page.save_card.disabled
    fill_card(page, device="no")
