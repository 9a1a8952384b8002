"""The whole room takes part: people on paper and by voice, counts taken in the room, the
room screen with its hold and blank, paper forms, faces.

Without a browser: the engine and the widgets driven as a page drives them. The journey in
Chromium is tests/test_whole_room_journey.py.
"""

from __future__ import annotations

import csv
import re

import pytest

from coproduction.activities.consensus import Tally
from coproduction.activities.methods import MethodSelection, ensure_catalogue
from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.participants import (
    THE_ROOM,
    confirm_read_back,
    join_on_paper,
    join_workshop,
    not_read_back,
    speaking_with,
)
from coproduction.core.promises import information_version
from coproduction.core.sessions import (
    create_session,
    held_count,
    hold_new,
    open_round,
    put_on_screen,
    release_held,
    screen_shows,
)
from coproduction.core.validation import InvalidInput
from coproduction.privacy.consent import withdraw_participant
from coproduction.privacy.export import export_workshop
from coproduction.store.schema import TABLES


def joined(store, name):
    person, _key = join_workshop(store, code="TEST42", pseudonym=name)
    return person


def on_paper(store, name="Val", **choices):
    return join_on_paper(store, pseudonym=name, taken_by="Jess",
                         info_version=information_version(store.workshop()), **choices)


def wordings(board):
    return {p.wording: p for t in board.terms for p in t.proposals}


def texts_of(widget) -> list[str]:
    """Every text a widget and its children would send to the browser."""
    found = []
    for name in ("value", "description", "placeholder", "tooltip"):
        value = getattr(widget, name, None)
        if isinstance(value, str) and value.strip("\u200b \n"):
            found.append(value)
    options = getattr(widget, "_options_labels", None) or ()
    found += [str(o) for o in options]
    for child in getattr(widget, "children", ()) or ():
        found += texts_of(child)
    return found


# -- how every contribution came -----------------------------------------------------
def test_what_a_person_types_on_their_device_says_so(store, session_id):
    ann = joined(store, "Ann")
    session = SharedLanguage(store, session_id)
    term = session.flag_term(ann, "care plan")
    session.vote(ann, session.propose(ann, term, "your plan"), "agree")
    for table in ("terms", "proposals", "votes"):
        rows = [r for r in store.select(table) if r["author_id"] == ann.participant_id]
        assert rows and all(r["source"] == "device" and r["entered_by"] is None
                            and r["read_back"] is None for r in rows), table


def test_what_is_typed_in_with_someone_says_how_who_and_waits_to_be_read_back(store,
                                                                               session_id):
    val = on_paper(store)
    session = SharedLanguage(store, session_id)
    spoken = speaking_with(store, val.participant_id, source="spoken", entered_by="Jess")
    term = session.flag_term(spoken, "care plan")
    wording = session.propose(spoken, term, "your plan")
    paper = speaking_with(store, val.participant_id, source="paper", entered_by="Sam",
                          sheet="L1")
    session.vote(paper, wording, "agree")
    proposal = store.select("proposals", {"proposal_id": wording})[0]
    vote = store.select("votes", {"proposal_id": wording})[0]
    assert (proposal["source"], proposal["entered_by"], proposal["read_back"]) == (
        "spoken", "Jess", False)
    assert (vote["source"], vote["entered_by"], vote["sheet"]) == ("paper", "Sam", "L1")
    assert not_read_back(store, val.participant_id) == 3
    # Read back by Jess: what Jess typed; Sam's vote waits for Sam.
    assert confirm_read_back(store, val.participant_id, "Jess") == 2
    assert not_read_back(store, val.participant_id) == 1
    # The person changes their vote later from a device: it says so now.
    session.vote(val, wording, "pass")
    vote = store.select("votes", {"proposal_id": wording})[0]
    assert (vote["source"], vote["entered_by"], vote["read_back"]) == ("device", None, None)


def test_nothing_is_entered_for_someone_who_has_not_joined_or_has_left(store, session_id):
    with pytest.raises(InvalidInput, match="join first"):
        speaking_with(store, "p-nobody", source="spoken", entered_by="Jess")
    ann = joined(store, "Ann")
    for source in ("device", "", None, "email"):
        with pytest.raises(InvalidInput):
            speaking_with(store, ann.participant_id, source=source, entered_by="Jess")
    with pytest.raises(InvalidInput, match="who is typing"):
        speaking_with(store, ann.participant_id, source="spoken", entered_by="  ")
    as_spoken = speaking_with(store, ann.participant_id, source="spoken", entered_by="Jess")
    withdraw_participant(store, ann.participant_id)
    with pytest.raises(InvalidInput, match="no longer taking part"):
        SharedLanguage(store, session_id).flag_term(as_spoken, "care plan")


def test_joining_on_paper_keeps_the_consent_as_taken_in_the_room(store):
    val = on_paper(store, credit="named", display_name="Valerie Ward", settlement="voucher")
    row = store.select("participants", {"participant_id": val.participant_id})[0]
    consent = store.select("consents", {"participant_id": val.participant_id})[0]
    assert row["joined_on"] == "paper" and row["status"] == "active"
    assert (consent["taken_by"], consent["info_version"], consent["credit"],
            consent["settlement"], consent["take_part"]) == (
        "Jess", information_version(store.workshop()), "named", "voucher", True)
    ann = joined(store, "Ann")
    assert store.select("consents", {"participant_id": ann.participant_id})[0][
        "taken_by"] is None
    with pytest.raises(InvalidInput, match="already uses that name"):
        on_paper(store, "val")
    with pytest.raises(InvalidInput, match="read it to them again"):
        join_on_paper(store, pseudonym="Kim", taken_by="Jess", info_version="old")
    with pytest.raises(InvalidInput, match="who read them"):
        join_on_paper(store, pseudonym="Kim", taken_by="",
                      info_version=information_version(store.workshop()))


def test_withdrawing_someone_on_paper_erases_what_was_typed_in_for_them(store, session_id,
                                                                        tmp_path):
    val = on_paper(store)
    ann = joined(store, "Ann")
    session = SharedLanguage(store, session_id)
    spoken = speaking_with(store, val.participant_id, source="spoken", entered_by="Jess")
    term = session.flag_term(ann, "care plan")
    session.propose(spoken, term, "the plan Val said")
    export_workshop(store, tmp_path / "out")
    with (tmp_path / "out" / "proposals.csv").open(encoding="utf-8") as f:
        rows = list(csv.DictReader(f))
    assert rows[0]["source"] == "spoken" and rows[0]["entered_by"] == "Jess"
    withdraw_participant(store, val.participant_id)
    assert "the plan Val said" not in wordings(session.board(THE_ROOM))
    assert not store.select("proposals")
    text = (tmp_path / "out" / "proposals.csv").read_text(encoding="utf-8")
    assert "the plan Val said" not in text


# -- held until the facilitator releases it ------------------------------------------
def test_a_held_wording_reaches_nobody_but_its_author_and_the_console_until_released(
        store, session_id):
    ann, bo = joined(store, "Ann"), joined(store, "Bo")
    session = SharedLanguage(store, session_id)
    term = session.flag_term(ann, "care plan")
    hold_new(store, True)
    held = session.propose(bo, term, "the plan for your care")
    held_term = session.flag_term(bo, "review")
    assert held_count(store) == 2
    assert "the plan for your care" not in wordings(session.board(ann))
    assert "the plan for your care" not in wordings(session.board(THE_ROOM))
    assert "review" not in {t.term for t in session.board(THE_ROOM).terms}
    mine = wordings(session.board(bo))["the plan for your care"]
    assert mine.held and mine.mine
    assert {t.term: t.held for t in session.board(bo).terms}["review"]
    assert wordings(session.board(None))["the plan for your care"].held  # the console
    with pytest.raises(InvalidInput, match="waits for the facilitator"):
        session.vote(ann, held, "agree")  # a forged click on what the page does not show
    hold_new(store, False)
    assert held_count(store) == 2  # turning the hold off lets nothing through unseen
    assert release_held(store) == 2 and held_count(store) == 0
    assert not wordings(session.board(THE_ROOM))["the plan for your care"].held
    assert held_term in {t.term_id for t in session.board(ann).terms}
    session.vote(ann, held, "agree")
    with pytest.raises(InvalidInput):
        hold_new(store, "yes")


# -- counted in the room --------------------------------------------------------------
def test_a_show_of_hands_counts_once_per_person_with_the_phone_votes(store, session_id):
    people = [joined(store, n) for n in ("Ann", "Bo", "Cy")]
    session = SharedLanguage(store, session_id)
    term = session.flag_term(people[0], "care plan")
    wording = session.propose(people[0], term, "your plan")
    session.vote(people[0], wording, "agree")
    session.vote(people[1], wording, "disagree")
    # Five hands in the room: 4 for, 1 against. Two of them had voted on a phone too.
    session.count_in_room(wording, {"agree": 4, "disagree": 1}, on_phone_too=2,
                          entered_by="Jess")
    tally = wordings(session.board(THE_ROOM))["your plan"].tally
    # 2 phone votes + the 3 people only counted in the room: 5 people, not 7.
    assert (tally.agree, tally.disagree, tally.total, tally.in_room) == (4, 1, 5, 3)
    assert "3 of them counted in the room" in wordings(
        session.board(THE_ROOM))["your plan"].decision.explanation
    # A new count replaces the last one, it does not add to it.
    session.count_in_room(wording, {"agree": 1}, on_phone_too=0, entered_by="Jess")
    assert wordings(session.board(THE_ROOM))["your plan"].tally.total == 3
    assert len(store.select("vote_tallies")) == 1
    with pytest.raises(InvalidInput, match="cannot have voted both ways"):
        session.count_in_room(wording, {"agree": 4}, on_phone_too=3, entered_by="Jess")
    for counts in ({}, {"agree": -1}, {"agree": "lots"}, {"agree": 1.5}, "4"):
        with pytest.raises(InvalidInput):
            session.count_in_room(wording, counts, on_phone_too=0, entered_by="Jess")


@pytest.mark.parametrize("room, on_phone, phone, expected", [
    ({"agree": 3, "pass": 0, "disagree": 0, "block": 0}, 2, ["agree", "agree"], (3, 0)),
    ({"agree": 0, "pass": 0, "disagree": 2, "block": 0}, 1, ["agree"], (1, 1)),
    ({"agree": 1, "pass": 1, "disagree": 1, "block": 1}, 0, [], (1, 1)),
])
def test_a_room_count_is_never_counted_twice(room, on_phone, phone, expected):
    tally = Tally.of(phone).with_room({**room, "on_phone_too": on_phone})
    people = len(phone) + sum(room.values()) - on_phone
    assert tally.total == people
    assert (tally.agree, tally.disagree) == expected


def test_dots_counted_on_a_flip_chart_join_the_phone_dots(store):
    ensure_catalogue(store)
    sid = create_session(store, "methods", "Choosing")
    open_round(store, sid)
    session = MethodSelection(store, sid)
    ann = joined(store, "Ann")
    method = session.board(None).methods[0].method_id
    session.place_dot(ann, method)
    on_paper_now = speaking_with(store, ann.participant_id, source="paper", entered_by="Jess")
    session.place_dot(on_paper_now, method)  # a second dot, from her paper form
    row = store.select("method_dots", {"method_id": method})[0]
    assert (row["dots"], row["source"], row["entered_by"]) == (2, "paper", "Jess")
    session.take_dot(ann, method)
    session.count_dots_in_room(method, 5, on_phone_too=1, entered_by="Jess")
    view = {v.method_id: v for v in session.board(THE_ROOM).methods}[method]
    assert (view.dots, view.room_dots) == (5, 4)
    with pytest.raises(InvalidInput):
        session.count_dots_in_room(method, 2, on_phone_too=3, entered_by="Jess")


# -- the room screen --------------------------------------------------------------------
def test_the_room_screen_follows_the_console_and_blanks_at_once(store, session_id):
    from widgets.room_screen import BLANK_WORDS, RoomScreen

    screen = RoomScreen(store)
    screen.refresh_if_changed()
    assert screen.showing == "language" and screen_shows(store) == "language"
    put_on_screen(store, "timeline")
    screen.refresh_if_changed()
    assert screen.showing == "timeline"
    put_on_screen(store, "blank")
    screen.refresh_if_changed()
    assert texts_of(screen.stage) == [BLANK_WORDS] and not screen.title.value
    with pytest.raises(InvalidInput):
        put_on_screen(store, "console")


def test_the_room_screen_shows_nothing_private_and_honours_every_credit_choice(store,
                                                                              session_id):
    from coproduction.activities.feedback import FeedbackSession
    from coproduction.activities.timeline import TimelineSession
    from widgets.room_screen import RoomScreen

    ann = joined(store, "Ann")
    quiet, _ = join_workshop(store, code="TEST42", pseudonym="Quietname", credit="anonymous")
    session = SharedLanguage(store, session_id)
    term = session.flag_term(ann, "care plan")
    session.propose(quiet, term, "the plan for you")
    session.describe_self(ann, "PRIVATE-describe", "PRIVATE-avoid", True)
    ensure_catalogue(store)
    methods = create_session(store, "methods", "Choosing")
    open_round(store, methods)
    MethodSelection(store, methods).save_card(ann, {}, "PRIVATE-card", True)
    timeline = create_session(store, "timeline", "Dates")
    open_round(store, timeline)
    TimelineSession(store, timeline).add_life_event(ann, year=2015, title="PRIVATE-life",
                                                    shared=True)
    feedback = create_session(store, "feedback", "How it went")
    open_round(store, feedback)
    FeedbackSession(store, feedback).check_in(ann, "check_in", "low")
    screen = RoomScreen(store)
    for name in ("language", "methods", "timeline", "feedback"):
        put_on_screen(store, name)
        screen.refresh_if_changed()
        screen.boards[name].refresh_if_changed()
        shown = "\n".join(texts_of(screen))
        assert "PRIVATE" not in shown and "Quietname" not in shown, name
    put_on_screen(store, "language")
    screen.refresh_if_changed()
    assert "Proposed without a name" in texts_of(screen)


# -- the console: typing in with someone -------------------------------------------------
def test_typing_in_with_someone_uses_their_own_page_without_its_private_parts(store,
                                                                             session_id):
    from widgets.console import FacilitatorConsole

    ann = joined(store, "Ann")
    SharedLanguage(store, session_id).describe_self(ann, "PRIVATE-describe", "", False)
    console = FacilitatorConsole(store, "http://room:8866/voila/render/workshop.ipynb"
                                        "?token=t&code=TEST42")
    tab = console.for_someone
    tab.entered_by.value = "Jess"
    tab.paper_name.value = "Val"
    assert not tab.guard(tab._join_on_paper)  # the box is not ticked: nothing is made
    assert "tick the box" in tab.message.value
    tab.paper_agreed.value = True
    assert tab.guard(tab._join_on_paper)
    val = store.select("participants", {"pseudonym": "Val"})[0]["participant_id"]
    assert tab.people.value == val
    tab.people.value = ann.participant_id
    tab.how.value = "spoken"
    tab.start_button.click()
    assert "PRIVATE-describe" not in "\n".join(texts_of(console))
    board = tab.host.board
    card = next(iter(board.cards.values()))
    card.propose_box.value = "words Ann said"
    card.propose_button.click()
    row = store.select("proposals")[0]
    assert (row["author_id"], row["source"], row["entered_by"]) == (
        ann.participant_id, "spoken", "Jess")
    tab.refresh()
    assert tab.waiting.value.startswith("1 thing typed in")
    assert own_page_says(store, ann) == "Proposed by you (said aloud, typed in by Jess, not " \
                                        "read back yet)"
    tab.read_back.click()
    assert store.select("proposals")[0]["read_back"] is True
    assert own_page_says(store, ann) == "Proposed by you (said aloud, typed in by Jess)"
    assert own_page_says(store, joined(store, "Bo")) == "Proposed by Ann"  # theirs alone
    tab.card_button.click()
    link = tab.card.children[-1].value
    assert re.search(r"&me=[\w-]{20,}$", link) and "token=t" in link
    tab.people.value = val
    assert not tab.card.children  # a card is for one person only
    tab.people.value = ann.participant_id
    tab.card_button.click()
    withdraw_participant(store, ann.participant_id)
    tab.refresh()
    assert tab.host is None and ann.participant_id not in {v for _w, v in tab.people.options}
    assert not tab.card.children


def own_page_says(store, person) -> str:
    """What the first wording's "by" line says on ``person``'s own page."""
    from widgets.language import LanguageBoard

    page = LanguageBoard(store, person)
    page.refresh()
    row = next(iter(next(iter(page.cards.values())).rows.values()))
    return row.by.value


def test_a_participants_page_cannot_claim_to_be_typed_in_at_the_console(store, session_id,
                                                                        on_a_page):
    """How a row came is the kernel's to say: a page's actor is the person themselves."""
    from widgets.language import LanguageBoard

    ann = joined(store, "Ann")
    page = LanguageBoard(store, ann)
    page.start()
    page.flag_box.value = "care plan"
    page.flag_button.click()
    assert store.select("terms", {"term": "care plan"})[0]["source"] == "device"
    page.stop()


# -- paper forms and faces --------------------------------------------------------------
def test_paper_forms_write_a_form_per_activity_in_plain_words(tmp_path):
    from harness import coproduction

    from coproduction.core.plain_language import check_text
    from coproduction.demo import make_demo
    from coproduction.paper_forms import kit_words, paper_forms

    make_demo(tmp_path / "demo").close()
    done = coproduction("paper-forms", "--workshop", tmp_path / "demo", "--out",
                        tmp_path / "forms")
    assert done.returncode == 0, done.stderr
    names = sorted(p.name for p in (tmp_path / "forms").iterdir())
    assert names == ["feedback-form.html", "language-form.html", "methods-form.html",
                     "timeline-form.html"]
    from coproduction.store import Store

    with Store.open(tmp_path / "demo") as store:
        forms = paper_forms(store)
        flagged = store.select("terms", {"marked_by": "participant"})
    for name, (file, form) in forms.items():
        text = (tmp_path / "forms" / file).read_text(encoding="utf-8")
        assert re.search(r'class="sheet">Sheet [LMTF]\d+<', text), name
        assert "<script" not in text and "http" not in text, name
        report = check_text("\n".join(kit_words(form)))
        assert not report.flagged, (name, [f.text for f in report.findings if f.flag])
        for term in flagged:  # people's words are not printed on the group's forms
            assert term["term"] not in text, name
    assert "DSL</mark>" in (tmp_path / "forms" / "language-form.html").read_text()


def test_every_rating_scale_shows_faces_beside_its_words(store):
    from widgets.feedback import FeedbackBoard
    from widgets.methods import MethodsBoardPage

    ann = joined(store, "Ann")
    ensure_catalogue(store)
    open_round(store, create_session(store, "methods", "Choosing"))
    open_round(store, create_session(store, "feedback", "How it went"))
    methods, feedback = MethodsBoardPage(store, ann), FeedbackBoard(store, ann)
    methods.refresh()
    feedback.refresh()
    scales = [card.rating for card in methods.cards.values()] + list(
        feedback.ratings.values()) + [feedback.feeling]
    face = re.compile(r"^[\U0001F600-\U0001F64F] \w")
    for scale in scales:
        assert all(face.match(label) for label in scale._options_labels), \
            scale._options_labels


def test_every_contribution_table_says_how_each_row_came():
    tables = [t for t in TABLES.values() if t.contribution and "session_id" in t.columns]
    assert tables
    for table in [*tables, TABLES["check_ins"]]:
        assert {"source", "entered_by", "read_back", "sheet"} <= set(table.columns), table.name


def test_the_report_shows_how_much_came_by_voice_and_on_paper(store, session_id):
    from coproduction.evaluation.metrics import Evaluation

    ann, val = joined(store, "Ann"), on_paper(store)
    session = SharedLanguage(store, session_id)
    term = session.flag_term(ann, "care plan")
    spoken = speaking_with(store, val.participant_id, source="spoken", entered_by="Jess")
    wording = session.propose(spoken, term, "your plan")
    confirm_read_back(store, val.participant_id, "Jess")
    session.count_in_room(wording, {"agree": 3}, on_phone_too=0, entered_by="Jess")
    section = Evaluation(store).section("participation")
    assert section.findings[0].startswith(
        "1 of 2 contributions (50%) came by voice or on paper and were typed in with the "
        "person. In the room, 3 votes were counted by a show of hands")
    table = section.tables["how_input_came"].set_index("source")
    assert table.loc["spoken", "contributions"] == 1 and table.loc["spoken", "read_back"] == 1
    assert table.loc["device", "share"] == 0.5 and table.loc["room_count", "contributions"] == 3


def test_joining_on_paper_reads_the_promises_as_they_are_now(store):
    """The facilitator changed a promise while the console was open: the console shows
    the new information to read out, and a join with the old one is refused."""
    from coproduction.privacy.consent import change_settings
    from widgets.for_someone import ForSomeoneConsole

    tab = ForSomeoneConsole(store)
    tab.refresh()
    before = tab.info.version
    change_settings(store, contact="Sam, on 0123 456 789")
    tab.entered_by.value, tab.paper_name.value, tab.paper_agreed.value = "Jess", "Kim", True
    assert not tab.guard(tab._join_on_paper)
    assert "read it to them again" in tab.message.value
    tab.refresh()
    assert tab.info.version != before and tab.info in tab.paper_join.children
    assert any("Sam, on 0123 456 789" in t for t in texts_of(tab.info))
    assert tab.guard(tab._join_on_paper)


def test_a_round_just_closed_stays_in_front_of_the_room(store):
    """Found trying it: closing the demo's open round moved every page and the wall to an
    older session made after it, and the room lost the result it had just voted on."""
    from coproduction.core.sessions import close_round, current_session

    first = create_session(store, "language", "Checking the letter")
    open_round(store, first)
    later = create_session(store, "language", "Made later, run earlier")
    open_round(store, later)
    close_round(store, later)
    assert current_session(store, "language")["session_id"] == first
    close_round(store, first)
    assert current_session(store, "language")["session_id"] == first
    planned = create_session(store, "language", "Next week")
    assert current_session(store, "language")["session_id"] == planned


def test_a_person_whose_wording_is_held_is_told_so_not_that_it_is_on_the_board(store,
                                                                            session_id):
    from widgets.language import HELD_THANKS, LanguageBoard

    ann = joined(store, "Ann")
    page = LanguageBoard(store, ann)
    page.refresh()
    card = next(iter(page.cards.values()))
    card.propose_box.value = "plain words"
    card.propose_button.click()
    assert page.message.value == "Thank you: your wording is on the board."
    hold_new(store, True)
    card.propose_box.value = "other plain words"
    card.propose_button.click()
    assert page.message.value == HELD_THANKS
    page.flag_box.value = "hard word"
    page.flag_button.click()
    assert page.message.value == HELD_THANKS
