"""Hostile text in every field a participant can type into, without a browser.

Each string is either refused with a plain message (and stays in its box, so
nothing typed is lost), or stored and then shown on other people's pages and
the console as plain text: in ``ipw.Label`` values, or escaped inside
``ipw.HTML``. No HTML widget anywhere ever carries the raw markup.
"""

from __future__ import annotations

import datetime as dt

import ipywidgets as ipw
import pytest
from test_widgets import all_labels, board_for, card

from coproduction.activities.timeline import accept_suggestion
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import create_session, open_round
from coproduction.core.validation import RateLimit, clean_text
from widgets.consent import ConsentConsole, MyChoices
from widgets.feedback import FeedbackBoard, FeedbackConsole
from widgets.join import ParticipantPage
from widgets.language import LanguageBoard, LanguageConsole
from widgets.methods import MethodsBoardPage, MethodsConsole
from widgets.timeline import TimelineBoard, TimelineConsole

TODAY = dt.date(2026, 3, 2)
#: Strings that would run, load or mislead if they reached a page as markup.
MARKUP = ["<script>alert(1)</script>", "<img src=x onerror=alert(1)>",
          "<a href='javascript:alert(1)'>help</a>", "javascript:alert(1)"]
HOSTILE = [*MARKUP, "$$x$$ and $\\href{javascript:alert(1)}{y}$", "z" * 10_000,
           "tab\there\x00\x07\x1b[31m bell", "\u202eevil.exe\u202c", "hello 👩‍👩‍👧 🙂",
           "مرحبا بالجميع"]


@pytest.fixture(autouse=True)
def no_rate_limit(monkeypatch):
    """Ten tries in a row from one page are not what the rate limit is about."""
    monkeypatch.setattr(RateLimit, "check", lambda self, key: None)


def html_values(*roots) -> list[str]:
    """The value of every HTML widget under ``roots`` (children and attributes alike)."""
    out, stack, seen = [], list(roots), set()
    while stack:
        w = stack.pop()
        if id(w) in seen:
            continue
        seen.add(id(w))
        assert not isinstance(w, ipw.HTMLMath), "people's text is never typeset as math"
        if isinstance(w, ipw.HTML):
            out.append(w.value)
        stack.extend(getattr(w, "children", ()))
        stack.extend(c for c in vars(w).values() if isinstance(c, ipw.Widget))
    return out


def assert_inert(*roots) -> None:
    for value in html_values(*roots):
        for raw in MARKUP:
            if raw.startswith("<"):
                assert raw not in value, value[:200]
        assert "onerror=" not in value.replace("onerror=alert(1)&gt;", "")


def refresh(*panels) -> None:
    for panel in panels:
        panel.refresh_if_changed()


def try_each(store, box, submit, viewers, *, shown=True, max_length=10_000, message=None):
    """Type each hostile string into ``box`` and submit; check what every viewer gets."""
    for text in HOSTILE:
        before = store.revision()
        box.value = text
        submit()
        refresh(*viewers)
        if store.revision() == before:       # refused: a plain message, the text is kept
            assert box.value == text
            if message is not None:  # a plain refusal, not a fault
                assert message.value and not message.value.startswith("Sorry"), message.value
        else:
            stored = clean_text(text, what="x", max_length=max_length, multiline=True)
            if shown:
                labels = [t for v in viewers for t in all_labels(v)]
                assert any(stored in t for t in labels), (text[:40], labels[:20])
        assert_inert(*viewers)


def person(store, name):
    return join_workshop(store, code="TEST42", pseudonym=name)[0]


def opened(store, activity):
    sid = create_session(store, activity, "Hostile input")
    open_round(store, sid)
    return sid


# -- the language board ---------------------------------------------------------------
def test_flagged_words_and_proposals(store, session_id):
    ana, bo, console = board_for(store, "Ana"), board_for(store, "Bo"), LanguageConsole(store)
    try_each(store, ana.flag_box, ana.flag_button.click, [bo, console, ana],
             message=ana.message)
    senco = card(ana, "SENCO")
    try_each(store, senco.propose_box, senco.propose_button.click, [bo, console, ana],
             message=ana.message)


def test_private_descriptions_shared_with_the_facilitator(store, session_id):
    ana, bo, console = board_for(store, "Ana"), board_for(store, "Bo"), LanguageConsole(store)
    ana.private.unfold(0)
    ana.share.value = True
    for box in (ana.describe_as, ana.avoid_words):
        try_each(store, box, ana.save_private.click, [console], message=ana.message)
        assert_inert(bo)


# -- methods ----------------------------------------------------------------------------
def test_the_access_card_note(store):
    opened(store, "methods")
    page = MethodsBoardPage(store, person(store, "Ana"))
    other, console = MethodsBoardPage(store, person(store, "Bo")), MethodsConsole(store)
    refresh(page, other, console)
    page.card_panel.unfold(0)
    page.share.value = True
    try_each(store, page.other, page.save_card.click, [console, other], shown=False,
             message=page.message)


# -- timeline ---------------------------------------------------------------------------
def test_date_suggestions_and_life_events(store):
    opened(store, "timeline")
    ana = TimelineBoard(store, person(store, "Ana"), today=lambda: TODAY)
    bo = TimelineBoard(store, person(store, "Bo"), today=lambda: TODAY)
    console = TimelineConsole(store, today=lambda: TODAY)
    refresh(ana, bo, console)

    def suggest(title="a day out"):
        ana.day.value = dt.date(2026, 4, 1)  # the form empties after each suggestion
        ana.what.value = ana.what.value or title
        ana.suggest_button.click()

    try_each(store, ana.what, suggest, [console, ana], message=ana.message)
    ana.what.value = ""
    try_each(store, ana.details, suggest, [console, ana], shown=False, message=ana.message)

    def add_life():
        ana.year.value, ana.share_new.value = "2015", True
        ana.happened.value = ana.happened.value or "we moved"
        ana.add_button.click()

    try_each(store, ana.happened, add_life, [bo, console, ana], message=ana.message)
    ana.happened.value = ""
    try_each(store, ana.when, add_life, [bo, console, ana], shown=False, message=ana.message)


# -- feedback ---------------------------------------------------------------------------
def test_what_should_change(store):
    opened(store, "feedback")
    ana = FeedbackBoard(store, person(store, "Ana"))
    bo, console = FeedbackBoard(store, person(store, "Bo")), FeedbackConsole(store)
    refresh(ana, bo, console)
    try_each(store, ana.change, ana.feedback_button.click, [console, bo], shown=False,
             message=ana.message)


# -- names --------------------------------------------------------------------------------
def test_the_name_typed_at_the_door(store, session_id):
    bo, console = board_for(store, "Bo"), ConsentConsole(store)
    for text in HOSTILE:
        page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
        page.gate.name.value = text
        page.gate.join.click()
        if page.person is None:
            assert page.gate.name.value == text and page.gate.message.value
            continue
        senco = card(page.activity, "SENCO")
        senco.propose_box.value = f"plain words {len(text)} {text[:3]!r}"
        senco.propose_button.click()
        refresh(bo, console)
        name = clean_text(text, what="x", max_length=10_000)
        assert any(name in t for t in all_labels(bo)), name
        assert_inert(bo, console, page)
        page.activity.stop()


def test_my_own_name_in_my_choices(store, session_id):
    ana = person(store, "Ana")
    choices = MyChoices(store, ana, on_gone=lambda: None)
    choices.panels.unfold(0)
    choices.form.credit.value = "named"
    bo, console = board_for(store, "Bo"), ConsentConsole(store)
    LanguageBoard(store, ana)  # Ana's words, so her name shows on Bo's board
    from coproduction.activities.shared_language import SharedLanguage

    SharedLanguage(store, session_id).propose(ana, card(bo, "SENCO").term_id, "extra help")
    try_each(store, choices.form.display_name, choices.save.click, [bo, console],
             message=choices.message)


def test_the_check_reads_html_that_carries_peoples_words(store):
    """The charts do hold people's words, escaped, so the checks above are not empty."""
    opened(store, "timeline")
    ana = TimelineBoard(store, person(store, "Ana"), today=lambda: TODAY)
    bo = TimelineBoard(store, person(store, "Bo"), today=lambda: TODAY)
    refresh(ana, bo)
    ana.day.value, ana.what.value = dt.date(2026, 4, 1), MARKUP[0]
    ana.suggest_button.click()
    accept_suggestion(store, store.select("timeline_suggestions")[0]["suggestion_id"], "yes")
    refresh(bo)
    assert any("&lt;script&gt;alert(1)&lt;/script&gt;" in v for v in html_values(bo))
    with pytest.raises(AssertionError):
        assert_inert(ipw.VBox([ipw.HTML(MARKUP[1])]))
