"""Feedback loops: the engine, anonymity in the data, and the pages driven headlessly.

A browser can set any synced trait and click any button, disabled or not, so
several tests do exactly that and check that nothing changes.
"""

from __future__ import annotations

import csv

import pytest
from databases import raw_tables
from test_widgets import all_labels
from traitlets import TraitError

from coproduction.activities import feedback as fb
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import close_round, create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.privacy.export import export_workshop
from coproduction.store.schema import TABLES
from widgets.console import FacilitatorConsole
from widgets.feedback import CareFrame, FeedbackBoard, FeedbackConsole
from widgets.join import ParticipantPage
from widgets.language import LanguageBoard


@pytest.fixture
def session_id(store):
    sid = create_session(store, "feedback", "How did today go?")
    open_round(store, sid)
    return sid


def person(store, name, **kw):
    return join_workshop(store, code="TEST42", pseudonym=name, **kw)[0]


def board_for(store, name):
    board = FeedbackBoard(store, person(store, name))
    board.refresh_if_changed()
    return board


def lines(box):
    return [child.value for child in box.children]


def console_for(store):
    console = FeedbackConsole(store)
    console.refresh_if_changed()
    return console


# -- check-ins -------------------------------------------------------------------
def test_check_ins_are_private_and_go_when_the_round_closes_unless_kept(store, session_id):
    session = fb.FeedbackSession(store, session_id)
    ana, bo, cy = (person(store, n) for n in ("Ana", "Bo", "Cy"))
    session.check_in(ana, "check_in", "low", follow_up=True)
    session.check_in(bo, "check_in", "good", keep=True)
    session.check_in(cy, "check_out", "not_said")
    assert TABLES["check_ins"].private and TABLES["follow_ups"].private
    console = console_for(store)
    console.round.close_button.click()
    assert "2 check-ins nobody asked to keep were deleted" in console.message.value
    left = store.select("check_ins")
    assert [(r["participant_id"], r["feeling"]) for r in left] == [(bo.participant_id, "good")]
    # the request to be checked on survives, so the facilitator can still act on it
    assert [r["participant_id"] for r in store.select("follow_ups")] == [ana.participant_id]
    assert fb.end_of_session_cleanup(store, session_id) == 0  # again: nothing more goes
    open_round(store, create_session(store, "feedback", "Next time"))
    console.refresh_if_changed()
    assert console.title.value == "Next time"
    assert "Ana (at the start)" in all_labels(console.follow_ups)  # still waiting


def test_the_console_shows_who_asked_for_a_follow_up_and_only_an_anonymous_picture(
        store, session_id):
    boards = [board_for(store, n) for n in ("Ana", "Bo")]
    boards[0].feeling.value = "hard"
    boards[0].follow_up.value = True
    boards[0].check_button.click()
    assert "Saved" in boards[0].message.value
    boards[1].feeling.value = "good"
    boards[1].check_button.click()
    console = console_for(store)
    texts = all_labels(console)
    assert "Ana (at the start)" in texts
    assert not any("Bo" in t for t in texts)
    # two answers: too few to show feelings without picking someone out
    assert "At the start: 2 answered; shown from 3." in texts
    assert not any("Having a hard time" in t for t in texts)
    third = board_for(store, "Cy")
    third.feeling.value = "okay"
    third.check_button.click()
    console.refresh_if_changed()
    # Three answers of one each beside the one named person would give away Ana's:
    # a count under 3 is never shown (it was "Good 1, Okay 1, Having a hard time 1").
    assert all_labels(console.picture) == [
        "At the start: 3 answered; no feeling was chosen by 3 or more, so none is shown."]
    for name in ("Dee", "Eve"):
        late = board_for(store, name)
        late.feeling.value = "good"
        late.check_button.click()
    console.refresh_if_changed()
    assert all_labels(console.picture) == [
        "At the start: Good 3, Okay fewer than 3, Having a hard time fewer than 3"]
    row = console.follow_ups.rows[next(iter(console.follow_ups.rows))]
    row.done.click()
    console.refresh_if_changed()
    assert "Ana (at the start): done" in all_labels(console.follow_ups)


def test_a_check_in_is_read_back_when_the_page_opens_again(store, session_id):
    board = board_for(store, "Ana")
    board.feeling.value = "mixed"
    board.keep.value = True
    board.check_button.click()
    again = FeedbackBoard(store, board.person)
    again.refresh_if_changed()
    assert again.feeling.value == "mixed" and again.keep.value
    again.moment.value = "check_out"   # nothing said at the end yet
    assert again.feeling.value is None


# -- "I need a pause" and the whole-workshop pause ---------------------------------
def test_a_pause_signal_reaches_the_console_and_the_sender_sees_it_was_seen(
        store, session_id):
    ana = person(store, "Ana")
    frame = CareFrame(store, ana, FeedbackBoard(store, ana))
    frame.refresh_if_changed()
    assert frame.pause_form.layout.display == "none"
    assert not frame.pause_form.made    # made on the first tap: every page carries it
    frame.pause_button.click()
    assert frame.pause_form.layout.display is None
    frame.kind.value = "step_out"
    frame.send.click()
    assert "The facilitator has been told" in frame.message.value
    console = FacilitatorConsole(store)
    console.language.stop(), console.feedback.stop()
    line = console.feedback.alert_lines.children[0].value
    assert line.endswith("Someone needs to step out for a while")
    assert console.feedback.alert.layout.display is None
    row = next(iter(console.feedback.signals.rows.values()))
    row.seen.click()
    assert console.feedback.alert.layout.display == "none"
    frame.refresh_if_changed()
    assert frame.message.value == "The facilitator has seen your message."


def test_the_whole_workshop_pause_covers_every_page_and_keeps_what_was_typed(
        store, session_id):
    create_session(store, "language", "Our letters")
    ana, bo = person(store, "Ana"), person(store, "Bo")
    pages = [CareFrame(store, ana, FeedbackBoard(store, ana)),
             CareFrame(store, bo, LanguageBoard(store, bo))]
    pages[0].activity.change.value = "half a thought"
    console = console_for(store)
    console.pause_text.value = "Back at 11:15"
    console.pause_all.click()
    for page in pages:
        page.refresh_if_changed()
        assert page.calm.layout.display is None and page.activity.layout.display == "none"
        assert page.pause_message.value == "Back at 11:15"
        assert page.pause_button.layout.display is None  # a pause can still be asked for
    console.resume_all.click()
    for page in pages:
        page.refresh_if_changed()
        assert page.calm.layout.display == "none" and page.activity.layout.display is None
    assert pages[0].activity.change.value == "half a thought"


def test_every_participant_page_carries_the_pause_control_and_support(store, session_id):
    console = console_for(store)
    console.support_text.value = "Talk to Jess.\nOr call 0800 000 0000."
    console.support_save.click()
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
    page.gate.name.value = "Ana"
    page.gate.join.click()
    assert isinstance(page.care, CareFrame) and page.care.activity is page.activity
    page.care.stop(), page.activity.stop()
    assert not page.care.support.made
    page.care.support_button.click()   # one tap away
    assert page.care.support.layout.display is None
    assert lines(page.care.support_lines) == ["Talk to Jess.", "Or call 0800 000 0000."]
    console.support_text.value = "Talk to Sam."   # changed while the page is open
    console.support_save.click()
    page.care.refresh_if_changed()
    assert lines(page.care.support_lines) == ["Talk to Sam."]
    page.care.support_button.click()   # folded away, and open again as it was
    page.care.support_button.click()
    assert page.care.support.layout.display is None


# -- anonymity ---------------------------------------------------------------------
def test_an_anonymous_pause_or_ladder_answer_cannot_be_traced_to_its_author(
        store, session_id, tmp_path):
    people = [person(store, n) for n in ("Ana", "Bo", "Cy", "Di", "Ed", "Flo")]
    session = fb.FeedbackSession(store, session_id)
    fb.send_pause_signal(store, people[0], "break", anonymous=True)
    fb.send_pause_signal(store, people[1], "break", anonymous=False)
    for who, rung in zip(people, ["told", "asked", "involved", "co_produced", "asked", "told"]):
        session.place_on_ladder(who, rung)
    ids = {p.participant_id for p in people}

    # the database: no id, no exact time, no order to match against
    signals = store.select("pause_signals")
    anonymous = [s for s in signals if s["credit"] == "anonymous"]
    assert len(anonymous) == 1 and anonymous[0]["author_id"] is None
    assert all(s["created_at"].endswith(":00.000Z") for s in signals)
    assert set(TABLES["ladder_answers"].columns) == {"answer_id", "session_id", "rung"}
    answers = store.select("ladder_answers")
    assert len(answers) == 6 and sorted(a["answer_id"] for a in answers) != list(range(1, 7))
    assert not {str(v) for row in answers for v in row.values()} & ids
    answered = store.select("ladder_answered")
    assert "rung" not in answered[0] and "created_at" not in answered[0]

    # the console
    console = console_for(store)
    texts = all_labels(console)
    assert any(t.endswith("Someone needs a short break") for t in texts)
    assert any(t.endswith("Bo needs a short break") for t in texts)
    assert not any("Ana" in t for t in texts)

    # the export, even with private tables
    out = tmp_path / "export"
    export_workshop(store, out, include_private=True)
    with (out / "pause_signals.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["author_id"], r["credited_as"]) for r in rows if r["credit"] == "anonymous"] == [
        ("", "")]
    with (out / "ladder_answers.csv").open(encoding="utf-8") as handle:
        assert set(next(csv.DictReader(handle))) == {"answer_id", "session_id", "rung"}
    assert not (tmp_path / "default").exists()
    export_workshop(store, tmp_path / "default")
    assert not (tmp_path / "default" / "pause_signals.csv").exists()
    assert not (tmp_path / "default" / "ladder_answered.csv").exists()

    # and no table anywhere links Ana to the anonymous signal
    for name, rows in raw_tables(store).items():
        for row in rows:
            if people[0].participant_id in row:
                assert name in ("participants", "ladder_answered", "consents",
                                "sqlite_sequence") or name not in TABLES, name


def test_the_ladder_is_once_per_session_and_everyone_sees_the_spread(store, session_id):
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    ana.rung.value = "asked"
    ana.ladder_button.click()
    ana.rung.value = "involved"       # while the page is open, the answer can move
    ana.ladder_button.click()
    bo.rung.value = "co_produced"
    bo.ladder_button.click()
    ana.refresh_if_changed()
    assert lines(ana.spread) == ["We help make some decisions: 1",
                                      "We make it together, as equals: 1"]
    reopened = FeedbackBoard(store, ana.person)   # a reload: the kernel forgot the answer
    reopened.refresh_if_changed()
    assert reopened.ladder_button.disabled
    before = store.revision()
    reopened.rung.value = "told"
    reopened.ladder_button.click()    # a forged click on the disabled button
    assert store.revision() == before
    assert "already placed" in reopened.message.value


# -- feedback by principle and "you said, we did" ----------------------------------
def test_feedback_by_principle_each_part_optional(store, session_id):
    staff = board_for(store, "Sam")
    staff.feedback_button.click()
    assert staff.message.value == "Please choose a rating or type what should change first."
    staff.ratings["safety"].value = 4
    staff.feedback_button.click()
    assert "saved" in staff.message.value
    staff.ratings["safety"].value = 2
    staff.change.value = "Shorter meetings"
    staff.leave_name_off.value = False
    staff.feedback_button.click()
    rows = store.select("principle_ratings")
    assert [(r["principle"], r["rating"]) for r in rows] == [("safety", 2)]
    assert store.select("suggestions")[0]["text"] == "Shorter meetings"
    console = console_for(store)
    assert "Safety: A little fewer than 3" in all_labels(console.rating_lines)  # one person
    assert "Shorter meetings (Sam)" in all_labels(console.suggestion_lines)


def test_bad_input_is_refused_with_a_clear_message_and_nothing_is_lost(store, session_id):
    board = board_for(store, "Ana")
    before = store.revision()
    board.change.value = "x" * 600
    board.feedback_button.click()
    assert "too long for what should change" in board.message.value
    assert board.change.value == "x" * 600
    with pytest.raises(TraitError):
        board.ratings["safety"].value = 7      # not an option: traitlets refuses it
    session = fb.FeedbackSession(store, session_id)
    for call in (lambda: session.give_feedback(board.person, {"safety": 7}, ""),
                 lambda: session.give_feedback(board.person, {"hope": 3}, ""),
                 lambda: session.check_in(board.person, "check_in", "ecstatic"),
                 lambda: session.check_in(board.person, "check_in", "good", keep="yes"),
                 lambda: session.check_in("not a person", "check_in", "good"),
                 lambda: fb.send_pause_signal(store, board.person, "nap"),
                 lambda: session.add_action("x", "not_possible", ""),
                 lambda: session.add_action("x", "done", suggestion_id=99),
                 lambda: session.update_action(True, "done")):
        with pytest.raises(InvalidInput):
            call()
    assert store.revision() == before
    console = console_for(store)
    console.answers.value = "psafety"
    console.action_text.value = "A quiet room"
    console.action_status.value = "not_possible"
    console.action_button.click()
    assert "why it is not possible" in console.message.value
    assert console.action_text.value == "A quiet room"  # kept for the facilitator to finish


def test_nothing_is_saved_after_the_round_closed(store, session_id):
    board = board_for(store, "Ana")
    close_round(store, session_id)
    board.refresh_if_changed()
    assert board.check_button.disabled and board.feedback_button.disabled
    before = store.revision()
    board.feeling.value = "good"
    board.check_button.click()            # forged clicks on disabled buttons
    board.change.value = "kept text"
    board.feedback_button.click()
    assert store.revision() == before
    assert "closed" in board.message.value and board.change.value == "kept text"


def test_you_said_we_did_opens_the_next_session(store, session_id):
    board = board_for(store, "Ana")
    board.change.value = "More breaks"
    board.feedback_button.click()
    board.change.value = "Meet in a quiet room"
    board.feedback_button.click()
    console = console_for(store)
    said = {w: v for w, v in console.answers.options}
    console.answers.value = said["Suggestion: More breaks"]
    console.action_text.value = "We stop every hour"
    console.action_status.value = "done"
    console.action_button.click()
    console.answers.value = said["Suggestion: Meet in a quiet room"]
    console.action_text.value = "A quiet room"
    console.action_status.value = "planned"
    console.action_button.click()
    row = console.actions.rows[max(console.actions.rows)]
    row.status.value = "not_possible"
    row.save.click()
    assert "why it is not possible" in console.message.value
    row.reason.value = "No quiet room is free this month."
    row.save.click()
    board.refresh_if_changed()
    assert board.since.layout.display == "none"   # not shown in the same session
    console.round.close_button.click()
    console.round.new_title.value = "Second meeting"
    console.round.new_button.click()
    console.round.open_button.click()
    board.refresh_if_changed()
    assert board.title.value == "Second meeting"
    assert board.since.layout.display is None
    assert lines(board.done_lines) == ["You said: More breaks", "Done: We stop every hour"]
    assert lines(board.not_possible_lines) == [
        "You said: Meet in a quiet room", "We could not: A quiet room",
        "Why: No quiet room is free this month."]


def test_markup_in_feedback_is_shown_as_text(store, session_id):
    board = board_for(store, "Ana")
    board.change.value = "<img src=x onerror=alert(1)>"
    board.feedback_button.click()
    console = console_for(store)
    assert "<img src=x onerror=alert(1)>" in all_labels(console.suggestion_lines)


def test_the_feedback_page_reminds_of_cut_offs_coming_up(store):
    import datetime as dt

    from coproduction.activities import timeline as tl
    from coproduction.privacy import consent

    board = board_for(store, "Ana")
    assert board.coming.layout.display == "none"        # nothing near: no box
    soon = dt.date.today() + dt.timedelta(days=3)
    consent.change_settings(store, withdraw_by=soon.isoformat())
    tl.add_event(store, kind="payment", title="Payment for March",
                 starts_on=(dt.date.today() + dt.timedelta(days=1)).isoformat())
    board.refresh_if_changed()
    lines = [w.value for w in board.coming_lines.children]
    assert board.coming.layout.display != "none"
    assert lines[0].startswith("Tomorrow: Payment for March")
    assert any(line.startswith("In 3 days:") for line in lines)
