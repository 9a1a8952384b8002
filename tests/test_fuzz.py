"""Property tests (hypothesis) over every input path: validation, engine actions, the CLI.

Whatever arrives, a call either stores values that pass their table's contract, or is
refused with one plain sentence and leaves the store exactly as it was (its revision
unchanged). The command line never prints a traceback.
"""

from __future__ import annotations

import datetime as dt
import unicodedata

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coproduction.activities import feedback as fb
from coproduction.activities import methods as mt
from coproduction.activities import timeline as tl
from coproduction.activities.consensus import SHARES, ConsensusRule
from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import create_session, open_round
from coproduction.core.validation import InvalidInput, RateLimit, choose, clean_text, whole_number
from coproduction.privacy.consent import SETTING_FIELDS, change_settings, checked_date
from coproduction.store.schema import EVENT_KINDS, FEELINGS, MOMENTS, PRINCIPLES, RATINGS, TABLES

FUZZ = settings(max_examples=40, deadline=None,
                suppress_health_check=[HealthCheck.function_scoped_fixture,
                                       HealthCheck.too_slow])

HOSTILE = [
    "<script>alert(1)</script>", "<img src=x onerror=alert(1)>", "javascript:alert(1)",
    "$$x$$", "a\x00b\x07c\x1b[31m", "\u202eevil\u202c", "👩‍👩‍👧 🙂",
    "مرحبا بالجميع", "\r\n\t ", "", "   ",
]
#: Anything a browser or a script could send in place of a value.
JUNK = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True), st.text(max_size=80),
    st.sampled_from(HOSTILE), st.integers(200, 10_000).map(lambda n: "x" * n), st.lists(st.integers(), max_size=3), st.binary(max_size=8),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)
TEXT = st.one_of(st.text(max_size=400), st.sampled_from(HOSTILE), JUNK)


def assert_plain(message: str) -> None:
    """One sentence or two, for a person: one line, no traceback, ends like a sentence."""
    assert message and "\n" not in message and "Traceback" not in message, message
    assert message.rstrip()[-1] in ".?", message


def attempt(store, action) -> bool:
    """Run ``action``: True and every row valid, or False with a plain refusal and no change."""
    before = store.revision()
    try:
        action()
    except InvalidInput as error:
        assert_plain(str(error))
        assert store.revision() == before
        return False
    with store.read() as tx:
        for name, table in TABLES.items():
            for row in tx.select(name):
                table.check_row(row)
    return True


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch):
    """Fuzzing sends far more than a person could; the limit is tested elsewhere."""
    monkeypatch.setattr(RateLimit, "check", lambda self, key: None)


def person(store, name):
    return join_workshop(store, code="TEST42", pseudonym=name)[0]


def open_session(store, activity, title="Fuzzing"):
    sid = create_session(store, activity, title)
    open_round(store, sid)
    return sid


# -- validation ----------------------------------------------------------------------
@FUZZ
@given(value=TEXT, max_length=st.integers(1, 500), required=st.booleans(),
       multiline=st.booleans())
def test_clean_text_returns_tidy_text_or_a_plain_refusal(value, max_length, required, multiline):
    try:
        text = clean_text(value, what="your words", max_length=max_length, required=required,
                          multiline=multiline)
    except InvalidInput as error:
        assert_plain(str(error))
        return
    assert isinstance(text, str) and len(text) <= max_length and (text or not required)
    assert text == text.strip() and (multiline or "\n" not in text)
    assert not any(unicodedata.category(ch) in ("Cc", "Cs", "Co", "Cn") and ch != "\n"
                   for ch in text)
    assert "\u202e" not in text and "\u202d" not in text
    assert clean_text(text, what="your words", max_length=max_length, required=required,
                      multiline=multiline) == text  # tidying twice changes nothing


@FUZZ
@given(value=JUNK, allowed=st.lists(st.text(max_size=6), max_size=4))
def test_choose_accepts_only_what_is_on_the_list(value, allowed):
    try:
        assert choose(value, tuple(allowed), what="an answer") in allowed
    except InvalidInput as error:
        assert_plain(str(error))
        assert not (isinstance(value, str) and value in allowed)


@FUZZ
@given(value=JUNK, low=st.integers(-50, 50), span=st.integers(0, 100))
def test_whole_number_is_a_whole_number_in_range_or_refused(value, low, span):
    try:
        number = whole_number(value, what="a number", low=low, high=low + span)
    except InvalidInput as error:
        assert_plain(str(error))
        return
    assert type(number) is int and low <= number <= low + span and number == value


@FUZZ
@given(votes=JUNK, share=st.one_of(JUNK, st.sampled_from(sorted(SHARES))), veto=JUNK)
def test_consensus_rule_is_checked(votes, share, veto):
    try:
        rule = ConsensusRule.checked(votes, share, veto)
    except InvalidInput as error:
        assert_plain(str(error))
        return
    assert 1 <= rule.min_votes <= 1000 and rule.min_agree_share in SHARES
    assert isinstance(rule.blocks_veto, bool)


@FUZZ
@given(value=st.one_of(JUNK, st.dates().map(str), st.dates()), required=st.booleans())
def test_checked_date_is_a_date_within_ten_years_or_refused(value, required):
    today = dt.date(2026, 3, 2)
    try:
        day = checked_date(value, "the day", required=required, today=today)
    except InvalidInput as error:
        assert_plain(str(error))
        return
    if day is None:
        assert not required
    else:
        assert abs((dt.date.fromisoformat(day) - today).days) <= 3650


@FUZZ
@given(changes=st.dictionaries(st.sampled_from([*SETTING_FIELDS, "owner"]),
                               st.one_of(JUNK, st.sampled_from(["GBP", "erase", "2027-01-01"])),
                               max_size=4))
def test_settings_change_only_when_every_value_is_good(store, changes):
    attempt(store, lambda: change_settings(store, **changes))


# -- the engines of each activity ----------------------------------------------------
def someone(store, name="Ana"):
    """The same person on every example (joined once, as on a real page)."""
    from coproduction.core.participants import Participant

    rows = store.select("participants", {"pseudonym": name})
    return Participant.from_row(rows[0]) if rows else person(store, name)


def one_of_ids(store, table, column, pick, forged):
    """A real id from ``table`` chosen by ``pick``, or the forged value."""
    ids = [row[column] for row in store.select(table)]
    return ids[pick % len(ids)] if ids and pick < 4 else forged


@FUZZ
@given(term=TEXT, wording=TEXT, choice=st.one_of(JUNK, st.sampled_from(
    ["agree", "disagree", "pass", "strong_disagree"])), pick=st.integers(0, 5), forged=JUNK)
def test_shared_language_actions(store, session_id, term, wording, choice, pick, forged):
    session, ana = SharedLanguage(store, session_id), someone(store)
    attempt(store, lambda: session.flag_term(ana, term))
    term_id = one_of_ids(store, "terms", "term_id", pick, forged)
    attempt(store, lambda: session.propose(ana, term_id, wording))
    proposal_id = one_of_ids(store, "proposals", "proposal_id", pick, forged)
    attempt(store, lambda: session.vote(ana, proposal_id, choice))
    attempt(store, lambda: session.describe_self(ana, wording, term, forged))


@FUZZ
@given(answers=st.dictionaries(st.sampled_from([*mt.CARD_QUESTIONS, "junk"]),
                               st.one_of(JUNK, st.sampled_from(["yes", "no", "fine", "hour"])),
                               max_size=4),
       other=TEXT, share=JUNK, rating=st.one_of(JUNK, st.sampled_from(RATINGS)),
       pick=st.integers(0, 5), forged=JUNK)
def test_methods_actions(store, answers, other, share, rating, pick, forged):
    session, ana = mt.MethodSelection(store, session_of(store, "methods")), someone(store)
    attempt(store, lambda: session.save_card(ana, answers, other, share))
    method_id = one_of_ids(store, "methods", "method_id", pick, forged)
    attempt(store, lambda: session.rate(ana, method_id, rating))
    attempt(store, lambda: session.place_dot(ana, method_id))
    attempt(store, lambda: session.take_dot(ana, method_id))


def session_of(store, activity):
    rows = store.select("sessions", {"activity": activity})
    return rows[0]["session_id"] if rows else open_session(store, activity)


@FUZZ
@given(moment=st.one_of(JUNK, st.sampled_from(MOMENTS)),
       feeling=st.one_of(JUNK, st.sampled_from(FEELINGS)),
       ratings=st.one_of(JUNK, st.dictionaries(st.one_of(st.sampled_from(PRINCIPLES),
                                                              st.text(max_size=8), st.integers()),
                                               st.one_of(JUNK, st.integers(0, 5)), max_size=3)),
       change=TEXT, flag=JUNK, rung=JUNK)
def test_feedback_actions(store, moment, feeling, ratings, change, flag, rung):
    session, ana = fb.FeedbackSession(store, session_of(store, "feedback")), someone(store)
    attempt(store, lambda: session.check_in(ana, moment, feeling, follow_up=flag, keep=flag))
    attempt(store, lambda: session.give_feedback(ana, ratings, change, anonymous=flag))
    attempt(store, lambda: session.place_on_ladder(ana, rung))
    attempt(store, lambda: fb.send_pause_signal(store, ana, rung))


@FUZZ
@given(kind=st.one_of(JUNK, st.sampled_from(EVENT_KINDS)), title=TEXT,
       day=st.one_of(JUNK, st.dates(dt.date(2020, 1, 1), dt.date(2032, 1, 1)).map(str)),
       details=TEXT, year=st.one_of(JUNK, st.integers(1890, 2030).map(str)), shared=JUNK,
       pick=st.integers(0, 5), forged=JUNK)
def test_timeline_actions(store, kind, title, day, details, year, shared, pick, forged):
    session, ana = tl.TimelineSession(store, session_of(store, "timeline")), someone(store)
    attempt(store, lambda: session.suggest(ana, kind=kind, title=title, starts_on=day,
                                           details=details, today=dt.date(2026, 3, 2)))
    attempt(store, lambda: session.add_life_event(ana, year=year, title=title,
                                                  when_text=details, shared=shared))
    event_id = one_of_ids(store, "life_events", "life_event_id", pick, forged)
    attempt(store, lambda: session.set_shared(ana, event_id, shared))


# -- the command line ----------------------------------------------------------------
WORDS = ["new", "settings", "participants", "withdraw", "purge", "ledger", "demo",
         "check-language", "export", "self-assess", "--workshop", "WS", "OTHER", "--title",
         "--json", "--out", "--contact", "--withdraw-by", "--keep-until", "--after-cutoff",
         "erase", "2026-13-40", "2026-05-31", "--pay-rate", "-5", "nan", "1e309",
         "--currency", "GBP", "--replace", "--help", "--stage", "--evidence", "p-0000000000",
         "../../etc/passwd", "text.txt", "--"]


@FUZZ
@given(argv=st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12).filter(
    lambda word: word not in ("serve", "evaluate"))), max_size=7))
def test_the_command_line_never_shows_a_traceback(tmp_path_factory, monkeypatch, capsys, argv):
    from coproduction import cli
    from coproduction.store import location as store_location

    home = tmp_path_factory.mktemp("cli")
    (home / "text.txt").write_text("The SENCO will see you at the TAC.")
    monkeypatch.chdir(home)  # any file a junk argument names lands here
    for module in (cli, store_location):  # the real demo workshop is never touched
        monkeypatch.setattr(module, "DEFAULT_WORKSHOP", home / "default", raising=False)
    monkeypatch.setattr(cli, "REPO", home, raising=False)
    monkeypatch.delenv("COPRODUCTION_WORKSHOP", raising=False)
    monkeypatch.setattr("sys.stdin", __import__("io").StringIO(""))
    argv = [str(home / "ws") if a == "WS" else str(home / "other") if a == "OTHER" else a
            for a in argv]
    try:
        code = cli.main(argv)
    except SystemExit as stop:  # argparse's own --help and usage errors
        code = stop.code
    captured = capsys.readouterr()
    assert code in (0, 1, 2), (argv, code)
    assert "Traceback" not in captured.err and "Traceback" not in captured.out, argv
