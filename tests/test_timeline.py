"""Timelines: the checks, the calendar file, suggestions, and private life stories.

The calendar is parsed with a real iCalendar library (``icalendar``). The
privacy rule for life-story timelines is tested through the widgets: what
one person keeps private is in no widget on anyone else's page, not on the
console, not in the calendar and not in a default export.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import icalendar
import ipywidgets as ipw
import pytest
from test_widgets import all_labels

from coproduction.activities import timeline as tl
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import close_round, create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.privacy.export import export_workshop
from widgets.console import FacilitatorConsole
from widgets.timeline import TimelineBoard, TimelineConsole, timeline_svg

TODAY = dt.date(2027, 1, 10)
LONDON = ZoneInfo("Europe/London")


def today():
    return TODAY


@pytest.fixture
def session_id(store):
    sid = create_session(store, "timeline", "Planning our time")
    open_round(store, sid)
    return sid


def person(store, name):
    return join_workshop(store, code="TEST42", pseudonym=name)[0]


def board_for(store, name):
    board = TimelineBoard(store, person(store, name), today=today)
    board.refresh_if_changed()
    return board


def console_for(store):
    console = TimelineConsole(store, today=today)
    console.refresh_if_changed()
    return console


def ev(kind, day, title="x", **kw):
    return tl.TimelineEvent(f"k{day}{kind}", 1, kind, title, dt.date.fromisoformat(day), **kw)


def every_text(widget) -> str:
    """Everything a browser could read from ``widget``: every string trait, all the way down."""
    out, stack, seen = [], [widget], set()
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        for value in w.get_state().values():
            if isinstance(value, str):
                out.append(value)
            elif isinstance(value, (list, tuple)):
                out += [str(v) for v in value]
        stack.extend(getattr(w, "children", ()))
        stack.extend(c for c in vars(w).values() if isinstance(c, ipw.Widget))
    return "\n".join(out)


# -- checks ------------------------------------------------------------------
def test_checks_warn_in_plain_words():
    events = [ev("session", "2027-02-01"), ev("session", "2027-02-03"),
              ev("session", "2027-02-05"), ev("payment", "2027-03-20"),
              ev("withdraw_by", "2027-01-20"), ev("keep_until", "2027-01-12")]
    found = {c.kind: c.text for c in tl.checks(events, TODAY)}
    assert found["withdraw_early"].startswith(
        "The last day to withdraw (Wed 20 January 2027) comes before the last session "
        "(Fri 5 February 2027).")
    assert found["payment_gap"] == ("People wait 47 days to be paid for the session on Mon 1 "
                                    "February 2027 (paid on Sat 20 March 2027). Can it be "
                                    "sooner?")
    assert found["cluster"].startswith("3 sessions fall within one week (Mon 1 February 2027 "
                                       "to Fri 5 February 2027).")
    assert found["near"] == ("The keep-until date is in 2 days (Tue 12 January 2027). "
                             "Remind everyone.")
    assert "after_keep_until" in found


def test_a_cutoff_before_anyone_saw_what_their_words_became_is_flagged():
    base = [ev("session", "2027-02-01"), ev("payment", "2027-02-08"),
            ev("withdraw_by", "2027-03-01")]
    assert [c.kind for c in tl.checks(base, TODAY)] == ["no_feedback"]
    assert tl.checks([*base, ev("feedback", "2027-02-20")], TODAY) == []
    assert [c.kind for c in tl.checks(base[:2], TODAY)] == ["no_withdraw_date"]
    assert [c.kind for c in tl.checks([*base, ev("feedback", "2027-02-20")],
                                      dt.date(2027, 3, 2))] == ["passed"]


def test_no_payment_after_a_session_and_two_sessions_on_one_day():
    events = [ev("session", "2027-02-01"), ev("session", "2027-02-01"),
              ev("feedback", "2027-02-02"), ev("withdraw_by", "2027-02-10")]
    kinds = [c.kind for c in tl.checks(events, TODAY)]
    assert kinds == ["no_payment", "same_day"]


# -- dates and bad input -------------------------------------------------------------
@pytest.mark.parametrize("fields, message", [
    ({"starts_on": "2027-02-30"}, "as a date like"),
    ({"starts_on": "2207-02-03"}, "more than ten years away"),
    ({"starts_on": "2027-02-03", "ends_on": "2027-02-01"}, "last day comes before"),
    ({"start_time": "12:00", "end_time": "10:00"}, "end time comes before"),
    ({"start_time": "25:00"}, "as a time like"),
    ({"end_time": "10:00"}, "start time too"),
    ({"kind": "party"}, "what kind of date"),
    ({"title": "x" * 5000}, "too long"),
    ({"title": ""}, "Please type what happens"),
    ({"starts_on": 20270203}, "as a date like"),
])
def test_impossible_dates_and_huge_text_are_refused_and_nothing_changes(store, fields,
                                                                        message):
    tl.add_event(store, kind="session", title="First", starts_on="2027-02-03")
    before = store.select("timeline_events")
    good = {"kind": "session", "title": "Second", "starts_on": "2027-02-10"}
    with pytest.raises(InvalidInput, match=message):
        tl.add_event(store, **{**good, **fields})
    with pytest.raises(InvalidInput, match=message):
        tl.update_event(store, before[0]["event_id"], **{**good, **fields})
    assert store.select("timeline_events") == before


def test_forged_event_and_suggestion_ids_are_refused(store, session_id):
    tl.add_event(store, kind="session", title="First", starts_on="2027-02-03")
    before = store.select("timeline_events")
    for forged in (999, "1", None, True, 1.0, [1]):
        with pytest.raises(InvalidInput, match="not on the timeline"):
            tl.remove_event(store, forged)
        with pytest.raises(InvalidInput, match="not waiting"):
            tl.accept_suggestion(store, forged)
        with pytest.raises(InvalidInput, match="not waiting"):
            tl.decline_suggestion(store, forged, "no")
    assert store.select("timeline_events") == before
    ana = person(store, "Ana")
    sid = tl.TimelineSession(store, session_id).suggest(ana, kind="other", title="Picnic",
                                                        starts_on="2027-06-01")
    tl.decline_suggestion(store, sid, "The park is shut.")
    with pytest.raises(InvalidInput, match="answered already"):
        tl.accept_suggestion(store, sid)   # once answered, it stays answered
    assert store.select("timeline_events") == before


def test_the_time_zone_must_be_a_real_one(store):
    with pytest.raises(InvalidInput, match="Europe/London"):
        tl.set_timezone(store, "Mars/Olympus")
    assert tl.timezone(store) == "Europe/London"
    tl.set_timezone(store, "America/New_York")
    assert tl.timezone(store) == "America/New_York"


# -- the calendar -------------------------------------------------------------------
def test_the_calendar_parses_with_the_right_dates_and_time_zones(store):
    tl.add_event(store, kind="session", title="Winter session; bring a coat, please",
                 starts_on="2027-01-20", start_time="10:00", end_time="12:30",
                 details="Room 2\nSecond floor")
    tl.add_event(store, kind="session", title="Summer session", starts_on="2027-07-14",
                 start_time="18:00", end_time="19:30")
    tl.add_event(store, kind="payment", title="Payment day", starts_on="2027-07-21")
    tl.add_event(store, kind="milestone", title="Residential", starts_on="2027-08-02",
                 ends_on="2027-08-04")
    store.update("workshop", {}, {"withdraw_by": "2027-09-30", "keep_until": "2028-03-31"})
    text = tl.calendar(store)
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    cal = icalendar.Calendar.from_ical(text)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Winter session; bring a coat, please", "Summer session",
                           "Payment day", "Residential", "Last day to take back what you gave",
                           "Your personal data is deleted after this day"}
    winter = events["Winter session; bring a coat, please"]
    assert winter.decoded("DTSTART") == dt.datetime(2027, 1, 20, 10, 0, tzinfo=LONDON)
    assert winter.decoded("DTSTART").utcoffset() == dt.timedelta(0)           # GMT
    assert winter.decoded("DTEND") == dt.datetime(2027, 1, 20, 12, 30, tzinfo=LONDON)
    assert str(winter["DESCRIPTION"]) == "Room 2\nSecond floor"
    summer = events["Summer session"].decoded("DTSTART")
    assert summer.astimezone(dt.timezone.utc) == dt.datetime(2027, 7, 14, 17, 0,
                                                             tzinfo=dt.timezone.utc)  # BST
    assert events["Payment day"].decoded("DTSTART") == dt.date(2027, 7, 21)
    assert events["Payment day"].decoded("DTEND") == dt.date(2027, 7, 22)
    assert events["Residential"].decoded("DTEND") == dt.date(2027, 8, 5)
    assert events["Last day to take back what you gave"].decoded("DTSTART") == dt.date(
        2027, 9, 30)
    # the VTIMEZONE written by the kit gives the same clock changes as zoneinfo
    zone = next(c for c in cal.walk("VTIMEZONE")).to_tz()
    for moment in (dt.datetime(2027, 1, 20, 10), dt.datetime(2027, 7, 14, 18),
                   dt.datetime(2027, 10, 31, 3)):
        assert zone.utcoffset(moment) == LONDON.utcoffset(moment), moment
    assert text == tl.calendar(store)    # the same data gives the same bytes


def test_another_time_zone_is_written_into_the_calendar(store):
    tl.set_timezone(store, "America/New_York")
    tl.add_event(store, kind="session", title="Call", starts_on="2027-03-15",
                 start_time="09:00", end_time="10:00")
    cal = icalendar.Calendar.from_ical(tl.calendar(store))
    start = next(iter(cal.walk("VEVENT"))).decoded("DTSTART")
    assert start.astimezone(dt.timezone.utc) == dt.datetime(2027, 3, 15, 13, 0,
                                                            tzinfo=dt.timezone.utc)


def test_export_writes_timeline_ics_beside_the_tables(store, tmp_path):
    tl.add_event(store, kind="session", title="First", starts_on="2027-02-03")
    paths = export_workshop(store, tmp_path / "out")
    ics = tmp_path / "out" / "timeline.ics"
    assert ics in paths and (tmp_path / "out" / "timeline_events.csv").exists()
    cal = icalendar.Calendar.from_ical(ics.read_bytes())
    assert [str(e["SUMMARY"]) for e in cal.walk("VEVENT")] == ["First"]


# -- commitments ----------------------------------------------------------------------
def test_commitments_count_hours_and_pay_from_the_rate(store):
    tl.add_event(store, kind="session", title="One", starts_on="2027-02-03",
                 start_time="10:00", end_time="12:30")
    tl.add_event(store, kind="session", title="Two", starts_on="2027-02-10",
                 start_time="10:00", end_time="11:00", ends_on="2027-02-11")
    tl.add_event(store, kind="session", title="Three", starts_on="2027-02-17")
    asks = tl.commitments(store)
    assert (asks.minutes, asks.unknown, asks.amount) == (270, 1, 112.5)
    assert asks.summary()[0] == "The project asks for about 4.5 hours of your time, in 3 sessions."
    assert "£25 an hour: about £112.50" in asks.summary()[2]
    store.update("workshop", {}, {"pay_rate": 0.0})
    assert "does not pay money" in tl.commitments(store).summary()[-1]


# -- suggestions through the widgets ---------------------------------------------------------
def test_a_suggestion_accepted_on_the_console_appears_on_the_chart_with_the_reason(
        store, session_id):
    ana = board_for(store, "Ana")
    ana.what.value = "Celebration <script>alert(1)</script>"
    ana.day.value = dt.date(2027, 6, 1)
    ana.suggest_button.click()
    assert "Thank you" in ana.message.value
    assert ana.mine.children[0].children[1].value == "Waiting for an answer."
    console = console_for(store)
    row = console.waiting.children[0]
    assert row.children[1].value == "Suggested by Ana"
    row.reason.value = "Lovely idea."
    row.accept.click()
    assert "on the timeline" in console.message.value
    ana.refresh_if_changed()
    assert "Celebration" in ana.chart.value and "&lt;script&gt;alert(1)" in ana.chart.value
    assert "<script>" not in ana.chart.value
    assert ana.mine.children[0].children[1].value == "Added to the timeline. Lovely idea."
    assert not console.waiting.children


def test_a_declined_suggestion_needs_a_reason_the_person_sees(store, session_id):
    ana = board_for(store, "Ana")
    ana.what.value, ana.day.value = "Day out", dt.date(2027, 4, 7)
    ana.suggest_button.click()
    console = console_for(store)
    row = console.waiting.children[0]
    row.decline.click()
    assert "Please say in plain words why" in console.message.value
    assert store.select("timeline_suggestions")[0]["status"] == "waiting"
    row.reason.value = "The centre is shut that week."
    row.decline.click()
    ana.refresh_if_changed()
    assert ana.mine.children[0].children[1].value == "Not added. The centre is shut that week."
    assert "Day out" not in ana.chart.value


def test_suggestions_only_while_the_round_is_open_even_from_a_forged_click(store, session_id):
    ana = board_for(store, "Ana")
    close_round(store, session_id)
    ana.refresh_if_changed()
    assert ana.suggest_button.disabled
    ana.what.value, ana.day.value = "Late idea", dt.date(2027, 4, 7)
    ana.suggest_button.click()           # a browser can click a disabled button
    assert "closed" in ana.message.value
    assert ana.what.value == "Late idea"  # what they typed stays
    assert store.select("timeline_suggestions") == []


def test_the_console_edits_and_removes_dates_and_every_page_follows(store, session_id):
    console = console_for(store)
    form = console.form
    form.title.value, form.starts_on.value = "Session one", dt.date(2027, 2, 3)
    form.start_time.value, form.end_time.value = "10:00", "9:00"
    console.add_button.click()
    assert "end time comes before" in console.message.value
    assert form.title.value == "Session one"   # nothing lost
    form.end_time.value = "12:00"
    console.add_button.click()
    ana = board_for(store, "Ana")
    assert "Session one" in ana.chart.value
    assert ana.session_lines.children[0].value.endswith("About 2 hours.")
    row = console.events.children[0]
    row.form.title.value = "Session one, moved"
    row.form.starts_on.value = dt.date(2027, 2, 4)
    row.save.click()
    ana.refresh_if_changed()
    assert "Session one, moved" in ana.chart.value and "Thu 4" in ana.chart.value
    row.remove.click()
    ana.refresh_if_changed()
    assert "Session one" not in ana.chart.value
    assert "'People, consent and pay'" in " ".join(all_labels(console))


def test_add_a_date_starts_empty_after_saving_and_offers_methods_added_since(store):
    """A payment day became "Payment day, Photo diaries" on everyone's chart: the form
    kept the last session's method; and a method added later was not offered."""
    from coproduction.activities.methods import MethodSelection

    methods = MethodSelection(store, create_session(store, "methods", "Choosing"))
    console = console_for(store)
    form = console.form
    first = form.method.options[1][1]
    form.title.value, form.starts_on.value = "Session one", dt.date(2027, 2, 3)
    form.method.value = first
    console.add_button.click()
    assert [form.title.value, form.method.value, form.kind.value] == ["", "", "session"]
    form.kind.value, form.title.value = "payment", "Payment day"
    form.starts_on.value = dt.date(2027, 2, 10)
    console.add_button.click()
    payment = [e for e in tl.project_timeline(store) if e.title == "Payment day"]
    assert payment and payment[0].method_id in (None, "")
    methods.add_method(
        name="Kitchen table talks", summary="Talking over tea.", setting="in_person",
        needs_device=False, needs_camera=False, needs_internet=False, format="group",
        can_be_anonymous=False, reading_writing="low", sensory_load="low", minutes=60,
        prepare="Tea.", look_up="Kitchen table conversations.")
    console.refresh_if_changed()
    assert "Kitchen table talks" in [words for words, _ in form.method.options]
    assert "Kitchen table talks" in [words for words, _ in
                                     console.events.children[0].form.method.options]


def test_the_console_tab_is_on_the_facilitators_page(store):
    page = FacilitatorConsole(store)
    index = page.tabs.children.index(page.timeline)
    assert isinstance(page.timeline, TimelineConsole)
    assert page.tabs.get_title(index) == "Timeline"
    for panel in (page.language, page.methods, page.feedback, page.consent, page.timeline):
        panel.stop()


def test_the_chart_escapes_every_text_and_draws_no_external_resource():
    svg = timeline_svg([ev("other", "2027-02-01", "<img src=x onerror=y>&'")], TODAY)
    assert "<img" not in svg and "&lt;img src=x onerror=y&gt;&amp;&#x27;" in svg
    assert "http" not in svg.replace("http://www.w3.org/2000/svg", "")


# -- the life-story timeline: private by default -------------------------------------------
def test_the_life_story_starts_with_a_gentle_warning_and_can_be_skipped(store, session_id):
    ana = board_for(store, "Ana")
    assert ana.warning.layout.display is None and ana.life_form.layout.display == "none"
    assert any("can be painful" in t for t in all_labels(ana.warning))
    ana.skip_button.click()
    assert ana.life_form.layout.display == "none" and ana.skipped.layout.display is None
    ana.skipped.children[1].click()
    ana.try_button.click()
    assert ana.life_form.layout.display is None
    assert any("may bring back hard memories" in t for t in all_labels(ana.life_form))


def test_private_life_events_are_on_no_other_page_nor_in_the_calendar_or_export(
        store, session_id, tmp_path):
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    console = console_for(store)
    ana.try_button.click()
    for year, text, share in (("2009", "A secret only Ana knows", False),
                              ("2016", "Moved to my own flat", True)):
        ana.year.value, ana.happened.value, ana.share_new.value = year, text, share
        ana.add_button.click()
    assert [r.children[0].value for r in ana.life_rows.children] == [
        "2009: A secret only Ana knows", "2016: Moved to my own flat"]
    assert "A secret only Ana knows" in ana.life_chart.value   # Ana sees her own
    for page in (bo, console):
        page.refresh_if_changed()
        seen = every_text(page)
        assert "A secret only Ana knows" not in seen
        assert "Moved to my own flat (Ana)" in seen               # the shared one is there
    assert "secret" not in tl.calendar(store)
    export_workshop(store, tmp_path / "out")
    assert not (tmp_path / "out" / "life_events.csv").exists()
    assert "secret" not in "".join(p.read_text() for p in (tmp_path / "out").iterdir())

    # Ana makes the shared one private again: it leaves Bo's page
    ana.life_rows.children[1].share.value = False
    assert "Private again" in ana.message.value
    bo.refresh_if_changed()
    assert "Moved to my own flat" not in every_text(bo)


def test_nobody_can_change_or_remove_someone_elses_life_event(store, session_id):
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    session = tl.TimelineSession(store, session_id)
    mine = session.add_life_event(ana.person, year=2009, title="Private thing")
    before = store.select("life_events")
    with pytest.raises(InvalidInput, match="your own timeline"):
        session.set_shared(bo.person, mine, True)
    with pytest.raises(InvalidInput, match="your own timeline"):
        session.remove_life_event(bo.person, mine)
    for forged in ("1", None, 99, True):
        with pytest.raises(InvalidInput):
            session.set_shared(ana.person, forged, True)
    with pytest.raises(InvalidInput, match="year"):
        session.add_life_event(ana.person, year=3020, title="x")
    with pytest.raises(InvalidInput, match="too long"):
        session.add_life_event(ana.person, year=2000, title="x" * 10_000)
    assert store.select("life_events") == before
    assert bo.session.my_life_events(bo.person) == []


def test_a_withdrawn_persons_life_story_goes_with_them(store, session_id):
    from coproduction.privacy.consent import withdraw_participant

    ana = board_for(store, "Ana")
    ana.session.add_life_event(ana.person, year=2009, title="Mine", shared=True)
    withdraw_participant(store, ana.person.participant_id, today=TODAY)
    assert store.select("life_events") == []
    assert tl.shared_life_events(store) == []


@pytest.mark.parametrize("year, kept", [("²", None), ("2015", 2015), ("٢٠١٥", 2015),
                                        ("1899", None), (2015.5, None)])
def test_a_life_event_year_is_a_year_or_a_plain_refusal(store, session_id, year, kept):
    """A year typed as "²" raised a ValueError instead of a plain refusal (found by
    tests/test_fuzz.py); digits of another script are a year as well."""
    board = board_for(store, "Ana")
    session = tl.TimelineSession(store, session_id)
    if kept is None:
        with pytest.raises(InvalidInput, match="year as four numbers"):
            session.add_life_event(board.person, year=year, title="Moved house")
    else:
        session.add_life_event(board.person, year=year, title="Moved house")
        assert [e["year"] for e in store.select("life_events")] == [kept]


def test_dates_with_agreed_words_show_what_the_group_agreed_they_mean(store):
    """A date called 'TAC meeting about the project' showed no agreed wording on the
    timeline, while the same word on a method's card had one."""
    sid = create_session(store, "language", "Words")
    store.insert("glossary", {"session_id": sid, "term": "TAC",
                              "wording": "the meeting of everyone who helps", "agree": 3,
                              "disagree": 0, "pass": 0, "block": 0})
    tl.add_event(store, kind="milestone", title="TAC meeting about the project",
                 starts_on=str(dt.date.today() + dt.timedelta(days=30)))
    person, _key = join_workshop(store, code="TEST42", pseudonym="Ana")
    for page in (TimelineBoard(store, person), TimelineConsole(store)):
        page.refresh_if_changed()
        assert page.agreed.value == ('Words the group agreed: "TAC" means the meeting of '
                                     "everyone who helps.")
        assert page.agreed.layout.display is None
