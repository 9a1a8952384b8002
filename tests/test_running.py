"""The people who run the work: the plan the group can see, the ethics questions as a
living list, and each staff member's own pages, which nobody else ever sees."""

from __future__ import annotations

import csv
import datetime as dt
import json

import ipywidgets as ipw
import pytest

from coproduction.core.participants import speaking_with
from coproduction.core.sessions import close_round, create_session, open_round, put_on_screen
from coproduction.core.validation import InvalidInput
from coproduction.evaluation.metrics import Evaluation
from coproduction.privacy import consent
from coproduction.privacy.export import export_workshop
from coproduction.running import diversity, ethics, plan, staff
from widgets.base import Later
from widgets.console import FacilitatorConsole
from widgets.join import ParticipantPage
from widgets.language import LanguageBoard

SECRET = "my brother's illness 7Qz"  # what a staff member writes for themselves alone
JOURNAL = "I talked over Ana today 9Kx"
HEAVY = "the story about the letters k2W"


def texts(widget) -> list[str]:
    """Every text a person can read or has typed under ``widget``, folded parts read as
    if opened."""
    out, stack = [], [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, Later):
            w.build()
        for name in ("value", "description", "placeholder"):
            value = getattr(w, name, None)
            if isinstance(value, str):
                out.append(value)
        out += [str(t) for t in getattr(w, "titles", ()) or ()]
        out += [str(o) for o in getattr(w, "options", ()) or ()]
        stack.extend(getattr(w, "children", ()))
    return out


def page_for(store, name, role="lived_experience"):
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
    page.gate.name.value = name
    page.gate.role.value = role
    page.gate.join.click()
    assert page.person is not None, page.gate.message.value
    return page


@pytest.fixture
def planned(store):
    """A plan with shared and unshared answers, offers and a budget; ethics items agreed
    with the group and by staff."""
    plan.answer_question(store, "when_full", "A place in the April round.", shared=True)
    plan.answer_question(store, "diversity", "Staff only: who is missing.", shared=False)
    plan.offer_support(store, "device", "Spare tablets.")
    for line, amount in (("budget", 1000), ("sessions", 4), ("people", 5), ("hours", 2),
                         ("travel", 100)):
        plan.set_budget(store, line, amount)
    ethics.answer_item(store, "withdrawal", status="group", answer="Stop any time.",
                       agreed_with="the whole group", today=dt.date(2026, 3, 2))
    ethics.answer_item(store, "funder", status="staff", answer="Staff view: the council.")
    return store


# -- the plan --------------------------------------------------------------------------
def test_the_pay_forecast_is_the_planned_time_at_the_rate_against_the_budget(planned):
    found = plan.forecast(planned)
    rate = planned.workshop()["pay_rate"]
    assert found.pay == 4 * 5 * 2 * rate and found.costs == 100
    assert found.left == 1000 - found.total
    words = plan.forecast_words(planned)
    assert ("over the budget" in words) == (found.left < 0)
    plan.set_budget(planned, "budget", 100000)
    assert "within the budget" in plan.forecast_words(planned)


@pytest.mark.parametrize("line, amount", [("people", 2.5), ("budget", -1), ("hours", "two"),
                                          ("budget", float("nan")), ("nope", 3),
                                          ("sessions", True), ("budget", 1e12)])
def test_a_bad_budget_number_is_refused_plainly(store, line, amount):
    with pytest.raises(InvalidInput):
        plan.set_budget(store, line, amount)
    assert store.select("plan_budget") == []


def test_plan_answers_keep_markup_and_other_scripts_as_text_and_refuse_the_rest(store):
    plan.answer_question(store, "recordings", "<img src=x onerror=alert(1)> لا نسجّل 🎙",
                         shared=True)
    assert plan.answers(store)["recordings"]["answer"].startswith("<img")
    for bad in ({"question": "nope", "answer": "x"}, {"question": "recordings", "answer": 5},
                {"question": "recordings", "answer": "x" * 2001}):
        with pytest.raises(InvalidInput):
            plan.answer_question(store, bad["question"], bad["answer"], shared=True)
    with pytest.raises(InvalidInput):
        plan.answer_question(store, "recordings", "x", shared="yes")
    plan.answer_question(store, "recordings", "", shared=True)  # taken back
    assert "recordings" not in plan.answers(store)


def test_participants_see_the_shared_plan_before_joining_and_on_their_page(planned):
    page = ParticipantPage(planned, lambda s, p: LanguageBoard(s, p), code="TEST42")
    before = texts(page.gate)
    assert "If there are no places left" in " ".join(before)
    assert any("A place in the April round." in t for t in before)
    assert any("Spare tablets." in t for t in before)
    assert not any("Staff only" in t for t in before)
    page.gate.name.value = "Ana"
    page.gate.join.click()
    page.choices.refresh_if_changed()
    after = texts(page.choices)
    assert any("A place in the April round." in t for t in after)
    assert not any("Staff only" in t for t in after)


# -- the ethics questions --------------------------------------------------------------
def test_every_question_of_the_guidance_is_on_the_list_and_starts_open(store):
    items = ethics.ethics_list(store)
    assert [i.item for i in items] == list(ethics.QUESTIONS)
    assert {i.status for i in items} == {"not_yet"}
    assert {"withdrawal", "anonymity", "funder", "staff_leave", "online_safety"} <= {
        i.item for i in items}


def test_agreeing_with_the_group_needs_the_answer_and_who_and_keeps_the_day(store):
    with pytest.raises(InvalidInput, match="answer"):
        ethics.answer_item(store, "budget", status="group", agreed_with="everyone")
    with pytest.raises(InvalidInput, match="agreed with"):
        ethics.answer_item(store, "budget", status="group", answer="We pay on the day.")
    ethics.answer_item(store, "budget", status="group", answer="We pay on the day.",
                       agreed_with="everyone", today=dt.date(2026, 3, 2))
    found = ethics.agreed_with_group(store)[0]
    assert (found.item, found.agreed_on, found.agreed_with) == ("budget", "2026-03-02",
                                                                 "everyone")
    ethics.answer_item(store, "budget", status="staff", answer="We pay on the day.")
    assert ethics.agreed_with_group(store) == []  # back with staff: no longer shown


@pytest.mark.parametrize("item", ["nope", 3, None, "own-99", "'; DROP TABLE x"])
def test_a_forged_ethics_item_is_refused(store, item):
    with pytest.raises(InvalidInput, match="not on the list"):
        ethics.answer_item(store, item, status="staff", answer="x")
    assert store.select("ethics_answers") == []


def test_a_project_adds_its_own_questions(store):
    first = ethics.add_question(store, "How do we include parents who work evenings?")
    second = ethics.add_question(store, "ما هو السؤال؟")
    assert (first, second) == ("own-1", "own-2")
    ethics.answer_item(store, second, status="staff", answer="x")
    assert [i.item for i in ethics.ethics_list(store)][-2:] == ["own-1", "own-2"]
    with pytest.raises(InvalidInput):
        ethics.add_question(store, "   ")


def test_participants_see_only_the_answers_agreed_with_the_group(planned):
    page = page_for(planned, "Ana")
    page.choices.refresh_if_changed()
    seen = " ".join(texts(page.choices))
    assert "Stop any time." in seen and "the whole group" in seen
    assert "Staff view" not in seen


def test_the_console_keeps_what_the_facilitator_is_typing_while_the_room_moves(store):
    console = FacilitatorConsole(store, "http://127.0.0.1:1/voila/render/w.ipynb?token=t")
    tab = console.planning
    tab.refresh_if_changed()
    assert "?token=t&as=staff" in " ".join(texts(tab))
    status, answer, who, _on = tab.items.rows["anonymity"].fields
    answer.value = "Half typed"
    tab.answers["who_and_why"].value = "Also half typed"
    ethics.answer_item(store, "funder", status="staff", answer="Elsewhere")  # the room moves
    tab.refresh_if_changed()
    assert answer.value == "Half typed" and tab.answers["who_and_why"].value == "Also half typed"
    status.value = "group"
    tab.items.rows["anonymity"].children[-1].click()
    assert "agreed with" in tab.message.value  # refused plainly, typing kept
    assert answer.value == "Half typed"
    who.value = "the group on 2 March"
    tab.items.rows["anonymity"].children[-1].click()
    assert ethics.agreed_with_group(store)[0].answer == "Half typed"
    tab.numbers["people"].value = 2.5
    tab.save_plan.click()
    assert "whole number" in tab.message.value
    tab.own.value = "Our own question?"
    tab.add.click()
    tab.refresh_if_changed()
    assert "own-1" in tab.items.rows


def test_the_plan_and_the_ethics_answers_are_exported_as_tidy_tables(planned, tmp_path):
    export_workshop(planned, tmp_path / "out")
    package = json.loads((tmp_path / "out" / "datapackage.json").read_text())
    schemas = {r["name"]: r["schema"] for r in package["resources"]}
    for name in ("plan_answers", "plan_supports", "plan_budget", "ethics_answers"):
        assert name in schemas
        rows = list(csv.DictReader((tmp_path / "out" / f"{name}.csv").open()))
        assert rows and list(rows[0]) == [f["name"] for f in schemas[name]["fields"]]
    agreed = list(csv.DictReader((tmp_path / "out" / "ethics_answers.csv").open()))
    assert {(r["item"], r["status"]) for r in agreed} == {("withdrawal", "group"),
                                                         ("funder", "staff")}


# -- who is in the group ---------------------------------------------------------------
RARE = "Romani and Deaf x7Q"  # an answer only one person gave: it must never show


@pytest.fixture
def described(store):
    """Six people answer a question about themselves: five say the same (in different
    cases and spacing), one says something nobody else does."""
    question = diversity.add_question(store, "Which languages do you speak at home?")
    pages = [page_for(store, name) for name in ("Ana", "Ben", "Cy", "Di", "Ed", "Flo")]
    for page, said in zip(pages, ["Urdu", "urdu ", "URDU", "Urdu", " Urdu", RARE]):
        diversity.answer(store, page.person, question, said)
    return store, question, pages


def every_number(text: str) -> set[int]:
    import re

    return {int(n) for n in re.findall(r"\d+", text)}


def test_the_group_is_only_ever_seen_as_counts_of_five_or_more(described, tmp_path):
    store, question, pages = described
    [counted] = diversity.counts(store)
    assert counted.answers == [("Urdu", 5)] and counted.others == "fewer than 5"
    console = FacilitatorConsole(store)
    console.planning.refresh_if_changed()
    seen = " ".join(texts(console.planning))
    assert RARE not in " ".join(texts(console))
    # The console names the question and no answer, nor any count: a count that moved as
    # someone tapped 'Save' would show what they said.
    assert "Which languages do you speak at home?" in seen
    assert "Urdu" not in seen and "5 people" not in seen and "fewer than 5 people" not in seen
    # Nobody else's page shows anyone's answer; the writer sees their own.
    other = page_for(store, "Gus")
    assert RARE not in " ".join(texts(other)) and "Urdu" not in " ".join(texts(other))
    pages[5].choices.refresh_if_changed()
    assert RARE in texts(pages[5].choices)
    # Never exported row by row, not even with the private tables.
    export_workshop(store, tmp_path / "out", include_private=True)
    for path in (tmp_path / "out").rglob("*"):
        if path.is_file():
            assert RARE.encode() not in path.read_bytes() and b"urdu " not in path.read_bytes()
    assert not (tmp_path / "out" / "diversity_answers.csv").exists()
    assert (tmp_path / "out" / "diversity_questions.csv").exists()
    # The evaluation names only the answer five gave, and says no number under five.
    section = Evaluation(store).section("running")
    table = section.tables["who_is_in_the_group"]
    assert RARE not in table.to_csv()
    numbers = [n for n in table["people"] if isinstance(n, int)]
    assert numbers == [5] and "fewer than 5" in list(table["people"])
    for path in Evaluation(store).write_tables(tmp_path / "evaluation"):
        text = path.read_text(encoding="utf-8")
        assert RARE not in text
        if "who_is_in_the_group" in path.name:
            assert not every_number(text) & {1, 2, 3, 4}, text


def test_four_who_say_the_same_are_not_named_or_counted(described):
    store, question, pages = described
    diversity.answer(store, pages[0].person, question, "")  # an empty answer takes it back
    [counted] = diversity.counts(store)
    assert counted.answers == [] and counted.others == 5  # four Urdu and the rare one
    diversity.answer(store, pages[1].person, question, "")
    [counted] = diversity.counts(store)
    assert counted.answers == [] and counted.others == "fewer than 5"
    section = Evaluation(store).section("running")
    assert "Urdu" not in section.tables["who_is_in_the_group"].to_csv()


def test_answering_from_my_choices_and_leaving_takes_the_answer(described):
    store, question, pages = described
    page = page_for(store, "Gus")
    choices = page.choices
    choices.panels.unfold(3)   # "About me, if I wish"
    row = choices.about_me.rows[question]
    assert row.question.value == "Which languages do you speak at home?"
    row.said.value = "Polish 🇵🇱 <b>and</b> اردو"
    row.children[-1].click()
    assert diversity.my_answers(store, page.person) == {question: row.said.value}
    assert choices.message.value.startswith("Saved")
    row.said.value = ""
    row.children[-1].click()
    assert choices.message.value == "Your answer is taken back."
    row.said.value = "Polish"
    row.children[-1].click()
    consent.withdraw_participant(store, page.person.participant_id)
    assert not store.select("diversity_answers", {"participant_id": page.person.participant_id})


@pytest.mark.parametrize("question_id", [99, "1", None, True, 1.0])
def test_a_forged_question_is_refused(described, question_id):
    store, _question, pages = described
    with pytest.raises(InvalidInput):
        diversity.answer(store, pages[0].person, question_id, "Urdu")


def test_the_list_of_questions_has_an_end_and_a_question_can_go(store):
    made = [diversity.add_question(store, f"Question {n}?") for n in range(5)]
    with pytest.raises(InvalidInput):
        diversity.add_question(store, "One more?")
    diversity.remove_question(store, made[0])
    assert [q["question_id"] for q in diversity.questions(store)] == made[1:]


# -- the staff's own pages -------------------------------------------------------------
@pytest.fixture
def written(store):
    """A staff member who wrote reflections, a debrief of a hard session and a supporter;
    a participant beside them."""
    sid = create_session(store, "language", "Letters")
    open_round(store, sid)
    page = page_for(store, "Dev", role="staff")
    dev = page.person
    staff.write_reflection(store, dev, "labels_me", SECRET)
    staff.write_reflection(store, dev, "journal", JOURNAL)
    staff.name_supporter(store, dev, "Sam, supervisor")
    put_on_screen(store, "blank")
    close_round(store, sid)
    staff.write_debrief(store, dev, sid, heavy=HEAVY, helped="the break", talk_to="Sam")
    return page, sid


def test_only_staff_have_the_staff_pages_and_only_on_their_own_device(store):
    ana = page_for(store, "Ana")
    assert ana.staff is None and not any("For staff" in t for t in texts(ana))
    with pytest.raises(InvalidInput, match="for staff"):
        staff.write_reflection(store, ana.person, "journal", "x")
    dev = page_for(store, "Dev", role="both")
    assert dev.staff is not None
    typed_in = speaking_with(store, dev.person.participant_id, source="spoken",
                             entered_by="Jess")
    with pytest.raises(InvalidInput, match="Only the staff member"):
        staff.write_reflection(store, typed_in, "journal", "x")


def test_no_rejoin_card_opens_a_staff_member_s_page(written, store):
    """A card made at the console opened Dev's private page for whoever held it (and
    logged Dev's own phone out)."""
    from coproduction.core.participants import new_rejoin_key

    page, _sid = written
    before = store.select("participants", {"participant_id": page.person.participant_id})
    with pytest.raises(InvalidInput, match="no card"):
        new_rejoin_key(store, page.person.participant_id)
    after = store.select("participants", {"participant_id": page.person.participant_id})
    assert after[0]["key_hash"] == before[0]["key_hash"]  # their own phone stays in


def test_the_staff_link_picks_the_staff_role(store, monkeypatch):
    """The link is read from the page's real address, as Voilà gives it to the kernel."""
    monkeypatch.setenv("QUERY_STRING", "code=TEST42&as=staff&token=x")
    monkeypatch.delenv("VOILA_KERNEL_ID", raising=False)  # not a kernel started ahead
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p))
    page.arrive()
    assert page.gate.role.value == "staff"


def test_a_hard_session_prompts_a_debrief_with_the_support_contact(store):
    sid = create_session(store, "language", "Letters")
    open_round(store, sid)
    page = page_for(store, "Dev", role="staff")
    pages = page.staff
    staff.name_supporter(store, page.person, "Sam, supervisor")
    close_round(store, sid)
    pages.refresh_if_changed()
    assert pages.due.value == ""  # a calm session asks for nothing
    again = create_session(store, "language", "Hard one")
    open_round(store, again)
    put_on_screen(store, "blank")
    close_round(store, again)
    pages.refresh_if_changed()
    assert "Hard one" in pages.due.value and "Sam, supervisor" in pages.due.value
    pages.session.value = again
    pages.heavy.value = HEAVY
    pages.save_debrief.click()
    assert "Only you" in pages.message.value
    pages.refresh_if_changed()
    assert pages.due.value == ""
    # Someone who joins the staff later is not asked about a session before their time.
    later = page_for(store, "Lee", role="staff")
    later.staff.refresh_if_changed()
    assert staff.hard_sessions(store) and later.staff.due.value == ""


def test_an_agreed_day_after_today_is_refused(store):
    with pytest.raises(InvalidInput, match="after today"):
        ethics.answer_item(store, "withdrawal", status="group", answer="Stop any time.",
                           agreed_with="the group", agreed_on="2030-01-01",
                           today=dt.date(2026, 3, 2))


def test_a_debrief_needs_words_and_a_real_session(written, store):
    page, sid = written
    for session, words in ((sid, {}), (999, {"heavy": "x"}), ("1", {"heavy": "x"}),
                           (True, {"heavy": "x"})):
        with pytest.raises(InvalidInput):
            staff.write_debrief(store, page.person, session, **words)


def test_staff_words_are_nowhere_but_their_own_page(written, store, tmp_path, caplog):
    page, sid = written
    page.staff.refresh_if_changed()
    assert any(SECRET in t for t in texts(page.staff))
    ana = page_for(store, "Ana")
    console = FacilitatorConsole(store)
    for panel in [*console.tabs.children[:-1], console.planning]:
        panel.refresh_if_changed()
    from widgets.room_screen import RoomScreen

    screen = RoomScreen(store)
    screen.refresh_if_changed()
    for other in (ana, console, screen):
        seen = " ".join(texts(other))
        for secret in (SECRET, JOURNAL, HEAVY, "Sam, supervisor"):
            assert secret not in seen
    for private in (False, True):
        out = tmp_path / f"export-{private}"
        export_workshop(store, out, include_private=private)
        for path in out.iterdir():
            data = path.read_bytes()
            assert not any(s.encode() in data for s in (SECRET, JOURNAL, HEAVY))
        assert not any(p.name.startswith("staff_") for p in out.iterdir())
    ev = Evaluation(store)
    written_out = ev.write_tables(tmp_path / "evaluation")
    for path in written_out:
        assert not any(s.encode() in path.read_bytes() for s in (SECRET, JOURNAL, HEAVY))
    assert not any(s in caplog.text for s in (SECRET, JOURNAL, HEAVY))


def test_the_writer_erases_one_or_all_and_the_file_is_cleared(written, store, backend):
    page, _sid = written
    pages = page.staff
    pages.refresh_if_changed()
    first = next(iter(pages.written.rows))
    pages.written.rows[first].children[1].click()
    assert [r["text"] for r in staff.reflections(store, page.person)] == [JOURNAL]
    other = page_for(store, "Ana")
    with pytest.raises(InvalidInput):  # nobody erases what is not theirs
        staff.erase_reflection(store, other.person, 2)
    pages.erase_all.click()
    pages.sure.click()
    assert "Erased" in pages.message.value
    for table in staff.kept_to_self():
        assert store.select(table, {"participant_id": page.person.participant_id}) == []
    if backend == "sqlite":
        folder = store.folder
        for path in folder.iterdir():
            if path.name.startswith("workshop.sqlite"):
                data = path.read_bytes()
                assert not any(s.encode() in data for s in (SECRET, JOURNAL, HEAVY)), path


def test_leaving_takes_the_staff_pages_with_the_rest(written, store):
    page, _sid = written
    receipt = consent.withdraw_participant(store, page.person.participant_id)
    assert receipt["cleared"]
    for table in staff.kept_to_self():
        assert store.select(table) == []


# -- the evaluation --------------------------------------------------------------------
def test_the_evaluation_counts_ethics_by_status_and_debriefs_without_small_numbers(
        planned, written):
    section = Evaluation(planned).section("running")
    assert section.has_data
    said = " ".join(section.findings)
    assert "1 were agreed with the group" in said and "1 were decided by staff alone" in said
    assert "are still open" in said
    counted = dict(section.tables["staff_debriefs_counted"].values.tolist())
    assert counted["sessions with a staff debrief"] == "fewer than 5"
    assert counted["hard sessions (a pause, or the room screen blanked)"] == 1
    table = section.tables["ethics_questions"]
    assert set(table.columns) == {"item", "question", "status", "answer", "agreed_with",
                                  "agreed_on"}
    assert HEAVY not in section.tables["staff_debriefs_counted"].to_csv()


def test_the_demo_shows_every_part(tmp_path):
    from coproduction.demo import make_demo

    store = make_demo(tmp_path / "demo")
    assert plan.answers(store) and plan.supports(store) and plan.budget(store)
    counts = ethics.status_counts(store)
    assert counts["group"] and counts["staff"] and counts["not_yet"]
    writers = {r["participant_id"] for r in store.select("staff_reflections")}
    assert len(writers) == 2 and len(store.select("staff_debriefs")) == 2
    assert Evaluation(store).section("running").has_data


def test_no_widget_here_runs_markup(planned):
    """Every text the new pages draw is a Label or a box people type in, never HTML."""
    page = page_for(planned, "Dev", role="staff")
    console = FacilitatorConsole(planned)
    for root in (page, console.planning):
        stack = [root]
        while stack:
            w = stack.pop()
            assert not isinstance(w, ipw.HTML | ipw.HTMLMath), type(w)
            stack.extend(getattr(w, "children", ()))


def test_the_plan_tab_is_drawn_when_first_opened(store):
    """The console a facilitator opens in the room is not held up by the plan: its tab
    is drawn the first time it is opened, and kept."""
    console = FacilitatorConsole(store)
    assert console._planning is None and console._planning_tab.children == ()
    console.tabs.selected_index = len(console.tabs.children) - 1
    drawn = console._planning_tab.children
    assert drawn and drawn[0] is console.planning
    console.tabs.selected_index = 0
    console.tabs.selected_index = len(console.tabs.children) - 1
    assert console._planning_tab.children == drawn
