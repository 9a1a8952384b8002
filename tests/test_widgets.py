"""Headless widget tests: drive the pages by setting values and clicking, as a browser would.

A browser can set any synced trait and click any button, disabled or not, so
several tests do exactly that and check that nothing changes.
"""

from __future__ import annotations

import ipywidgets as ipw
import pytest
from traitlets import TraitError

from coproduction.activities.shared_language import SharedLanguage
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import close_round, create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.privacy import consent
from widgets.base import marked_text
from widgets.console import FacilitatorConsole
from widgets.join import ParticipantPage
from widgets.language import LanguageBoard, LanguageConsole


def board_for(store, name):
    person, _ = join_workshop(store, code="TEST42", pseudonym=name)
    board = LanguageBoard(store, person)
    board.refresh_if_changed()
    return board


def card(board, term):
    return next(c for c in board.cards.values() if c.term.value == term)


def all_labels(widget):
    """Every Label text under ``widget`` (what a person reads)."""
    out = []
    stack = [widget]
    while stack:
        w = stack.pop()
        if isinstance(w, ipw.Label):
            out.append(w.value)
        stack.extend(getattr(w, "children", ()))
    return out


def test_joining_through_the_page_and_coming_back(store, session_id):
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
    page.gate.name.value = "Ana"
    page.gate.join.click()
    assert page.person.pseudonym == "Ana"
    key = page.rejoin_key.value
    assert len(key) >= 20 and "coproduction-rejoin-key" in page.rejoin_key._dom_classes
    again = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42", key=key)
    assert again.person == page.person
    assert isinstance(again.activity, LanguageBoard)
    page.activity.stop(), again.activity.stop()


def test_join_refusals_are_shown_not_raised(store, session_id):
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p))
    page.gate.code.value = "WRONG"
    page.gate.name.value = "Ana"
    page.gate.join.click()
    assert page.person is None
    assert "does not match" in page.gate.message.value
    page.gate.code.value = "TEST42"
    page.gate.name.value = ""
    page.gate.join.click()
    assert "Please type a name" in page.gate.message.value


def test_a_wrong_code_in_the_link_can_be_put_right_on_the_page(store, session_id):
    """The join link carried a code that is not the workshop's: the page said so, but
    kept the code box hidden (the link had filled it in), so nobody could put it right."""
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="DEM")
    assert page.gate.code.layout.display == "none"
    page.gate.name.value = "Ana"
    page.gate.join.click()
    assert page.person is None and "does not match" in page.gate.message.value
    assert page.gate.code.layout.display is None, "the code box is there to be corrected"
    page.gate.code.value = "TEST42"
    page.gate.join.click()
    assert page.person is not None and page.person.pseudonym == "Ana"
    page.activity.stop()


def test_a_proposal_on_one_page_appears_on_another(store, session_id):
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    senco = card(ana, "SENCO")
    senco.propose_box.value = "the teacher for extra help"
    senco.propose_button.click()
    assert senco.propose_box.value == ""
    assert "your wording is on the board" in ana.message.value
    assert bo.refresh_if_changed()
    row = next(iter(card(bo, "SENCO").rows.values()))
    assert row.wording.value == "the teacher for extra help"
    assert row.by.value == "Proposed by Ana"
    assert not bo.refresh_if_changed()  # nothing new: no redraw


def test_votes_change_the_board(store, session_id):
    pages = [board_for(store, n) for n in ("Ana", "Bo", "Cy")]
    senco = card(pages[0], "SENCO")
    senco.propose_box.value = "the teacher for extra help"
    senco.propose_button.click()
    for page in pages:
        page.refresh_if_changed()
        next(iter(card(page, "SENCO").rows.values())).vote.value = "agree"
    pages[0].refresh_if_changed()
    row = next(iter(card(pages[0], "SENCO").rows.values()))
    assert row.decision.value == "Agreed (3 agree, 0 not sure, 0 disagree, 0 strongly against)."
    assert card(pages[0], "SENCO").agreed.value == "Agreed so far: the teacher for extra help"


def test_forged_vote_after_the_round_closed_changes_nothing(store, session_id):
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    senco = card(ana, "SENCO")
    senco.propose_box.value = "extra help teacher"
    senco.propose_button.click()
    close_round(store, session_id)
    bo.refresh_if_changed()
    row = next(iter(card(bo, "SENCO").rows.values()))
    assert row.vote.disabled and card(bo, "SENCO").propose_button.disabled
    before = store.revision()
    row.vote.value = "agree"               # a browser can set a disabled widget's value
    card(bo, "SENCO").propose_box.value = "kept text"
    card(bo, "SENCO").propose_button.click()  # and click a disabled button
    assert store.revision() == before
    assert row.vote.value is None          # the box shows the vote that counts
    assert "closed" in bo.message.value
    assert card(bo, "SENCO").propose_box.value == "kept text"  # nothing typed is lost


def test_a_forged_vote_value_is_refused(store, session_id):
    ana = board_for(store, "Ana")
    senco = card(ana, "SENCO")
    senco.propose_box.value = "extra help teacher"
    senco.propose_button.click()
    row = next(iter(senco.rows.values()))
    before = store.revision()
    with pytest.raises(TraitError):
        row.vote.value = "strongly for"  # not an option: traitlets refuses it
    assert store.revision() == before


def test_markup_typed_in_a_proposal_is_shown_as_text(store, session_id):
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    senco = card(ana, "SENCO")
    senco.propose_box.value = "<img src=x onerror=alert(1)>"
    senco.propose_button.click()
    bo.refresh_if_changed()
    row = next(iter(card(bo, "SENCO").rows.values()))
    assert isinstance(row.wording, ipw.Label)
    assert row.wording.value == "<img src=x onerror=alert(1)>"


def test_the_facilitators_text_is_escaped_with_terms_marked():
    html = marked_text("Meet the <b>SENCO</b> & TAC\n<script>x</script>", ["SENCO", "TAC"])
    assert html == ("<p>Meet the &lt;b&gt;<mark class='coproduction-term'>SENCO</mark>"
                    "&lt;/b&gt; &amp; <mark class='coproduction-term'>TAC</mark></p>"
                    "<p>&lt;script&gt;x&lt;/script&gt;</p>")


def test_private_description_is_not_on_anyone_elses_page(store, session_id):
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    ana.private.unfold(0)                 # "Just for you", made when opened
    ana.describe_as.value = "as Ana, a parent"
    ana.avoid_words.value = "troubled family"
    ana.save_private.click()
    assert "Only you can see this" in ana.message.value
    bo.refresh_if_changed()
    assert not any("troubled" in text for text in all_labels(bo))
    console = LanguageConsole(store)
    console.refresh_if_changed()
    assert not any("troubled" in text for text in all_labels(console))
    ana.share.value = True
    ana.save_private.click()
    console.refresh_if_changed()
    assert any("troubled family" in text for text in all_labels(console))
    again = LanguageBoard(store, ana.person)   # her page drawn again: the fold shows it
    again.start(), again.stop()
    assert not again.private.made(0)
    again.private.unfold(0)
    assert (again.describe_as.value, again.avoid_words.value, again.share.value) == (
        "as Ana, a parent", "troubled family", True)


def test_console_runs_the_round(store, session_id):
    console = LanguageConsole(store)
    console.refresh_if_changed()
    assert console.round.open_button.disabled and not console.round.close_button.disabled
    console.round.close_button.click()
    assert "closed" in console.status.value
    console.round.open_button.click()
    console.min_votes.value = 1
    console.share.value = 1.0
    console.rule_button.click()
    ana = board_for(store, "Ana")
    assert ana.rule.value.startswith("The rule: A wording is agreed when at least 1 person")
    tac = card(ana, "TAC")
    tac.propose_box.value = "the team meeting"
    tac.propose_button.click()
    next(iter(tac.rows.values())).vote.value = "agree"
    console.refresh_if_changed()
    console.confirm.click()
    assert console.message.value == "Added 1 agreed wording to the glossary."
    ana.refresh_if_changed()
    assert "TAC: the team meeting" in all_labels(ana.glossary)


def test_console_hides_a_proposal_with_a_reason_everyone_sees(store, session_id):
    ana = board_for(store, "Ana")
    tac = card(ana, "TAC")
    tac.propose_box.value = "rude words"
    tac.propose_button.click()
    console = LanguageConsole(store)
    console.refresh_if_changed()
    row = next(iter(card(console, "TAC").rows.values()))
    row.hide.click()
    assert "reason" in console.message.value  # a reason is required
    row.reason.value = "It was unkind."
    row.hide.click()
    ana.refresh_if_changed()
    seen = next(iter(card(ana, "TAC").rows.values()))
    assert seen.wording.value == "A proposal was taken off the board."
    assert seen.decision.value == "Reason: It was unkind."
    assert seen.vote.layout.display == "none"


def test_console_sets_up_a_session_and_puts_a_text(store):
    console = LanguageConsole(store)
    console.refresh_if_changed()
    assert console.title.value == "No shared-language session yet"
    console.round.new_title.value = "Leaflet"
    console.round.new_button.click()
    console.round.open_button.click()
    console.text_title.value = "Leaflet"
    console.text_body.value = "Please attend the MASH meeting."
    console.text_button.click()
    assert "MASH" in [c.term.value for c in console.cards.values()]


def test_an_unexpected_fault_shows_a_calm_message(store, session_id, caplog):
    ana = board_for(store, "Ana")

    def broken():
        raise RuntimeError("secret details of Ana")
    assert not ana.guard(broken)
    assert ana.message.value.startswith("Sorry, something went wrong")
    assert "secret details" not in caplog.text and "Ana" not in caplog.text


def test_console_shows_the_join_link_as_a_qr_code(store, session_id):
    console = FacilitatorConsole(store, "http://192.0.2.1:8866/voila/render/language.ipynb?x=1")
    console.language.stop()
    header = console.children[0]
    images = [w for box in header.children for w in (box, *getattr(box, "children", ()))
              if isinstance(w, ipw.Image)]
    assert images and images[0].value[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_missing_workshop_gives_a_sentence_not_a_traceback(tmp_path):
    from widgets.console import console_page
    from widgets.workshop import participant_page

    for page in (participant_page(workshop=tmp_path / "gone"),
                 console_page(workshop=tmp_path / "gone")):
        assert "coproduction-problem" in page._dom_classes
        assert any("There is no workshop" in text for text in all_labels(page))


def test_redrawing_reuses_widgets_instead_of_opening_new_ones(store, session_id):
    from ipywidgets.widgets.widget import _instances

    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    senco = card(ana, "SENCO")
    senco.propose_box.value = "the teacher for extra help"
    senco.propose_button.click()
    SharedLanguage(store, session_id).confirm_glossary()
    console = LanguageConsole(store)
    next(iter(card(ana, "SENCO").rows.values())).vote.value = "agree"  # the first vote adds
    console.refresh_if_changed()                  # a line to where the room agrees
    bo.refresh_if_changed()
    before = len(_instances)
    for choice in ("disagree", "agree", "pass", "agree"):
        next(iter(card(ana, "SENCO").rows.values())).vote.value = choice
        assert bo.refresh_if_changed() and console.refresh_if_changed()
    assert len(_instances) == before


def test_joining_opens_one_layout_and_style_per_look_not_one_per_widget(store, session_id):
    """Each widget is a message to the page when a person joins: ipywidgets gave every
    widget a layout of its own and every button and box a style too, 160 of the 291 a
    board opened. Now a page shares one per look."""
    from ipywidgets.widgets.widget import _instances

    SharedLanguage(store, session_id).put_text("Letter", "The SENCO and the CAMHS team.")
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
    before = set(_instances)
    page.gate.name.value = "Ana"
    page.gate.join.click()
    opened = [_instances[i] for i in set(_instances) - before]
    looks = [w for w in opened if type(w).__name__.endswith(("Layout", "Style"))]
    assert page.activity.cards and len(opened) > 50
    assert len(looks) <= 8, sorted(type(w).__name__ for w in looks)
    page.activity.stop()


def test_folded_parts_of_a_page_are_made_when_first_opened_not_with_the_page(
        store, session_id):
    """A join made every fold of 'My choices' (the form, leaving, the project's plan, the
    about-me questions), a quarter of the widgets a page sent while nobody had opened
    one. Now a fold is made when its title is tapped, and what it says is there."""
    from ipywidgets.widgets.widget import _instances

    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
    before = set(_instances)
    page.gate.name.value = "Ana"
    page.gate.join.click()
    opened = [type(_instances[i]).__name__ for i in set(_instances) - before]
    panels = page.choices.panels
    assert "ChoicesForm" not in opened and not any(panels.made(i) for i in range(4))
    with pytest.raises(TraitError):
        panels.set_state({"selected_index": 9})   # a forged message from the page
    assert not any(panels.made(i) for i in range(4))
    panels.unfold(1)
    assert panels.made(1) and not panels.made(0)
    assert [w.value for w in page.choices.declarations.children] == ["Nothing declared yet."]
    consent.change_choices(store, page.person, credit="named", contact_ok=True,
                           display_name="Ana Lima")   # changed on another of her pages
    panels.unfold(0)
    assert page.choices.form.values() == {"credit": "named", "contact_ok": True,
                                          "display_name": "Ana Lima"}
    page.activity.stop()


def test_a_shared_look_is_never_changed_in_place():
    """Hiding one widget hides only it; changing a shared layout by hand is refused with
    a sentence saying what to do, and a browser's message to change one is ignored."""
    from widgets.base import SharedLook, relook, shown

    a, b = ipw.Label("a"), ipw.Label("b")
    assert a.layout is b.layout and isinstance(a.layout, SharedLook)
    shown(a, False)
    assert a.layout.display == "none" and b.layout.display is None
    relook(a, width="12em")
    assert (a.layout.display, a.layout.width) == ("none", "12em")
    shown(a, True)
    assert a.layout.display is None and a.layout.width == "12em"
    with pytest.raises(TypeError, match="relook"):
        b.layout.display = "none"
    b.layout.set_state({"display": "none"})   # a forged message
    assert b.layout.display is None
    own = ipw.Label("c", layout=ipw.Layout())
    shown(own, False)
    assert own.layout.display == "none" and b.layout.display is None


def test_a_click_before_any_session_exists_gets_a_sentence_not_a_fault(store):
    person, _ = join_workshop(store, code="TEST42", pseudonym="Ana")
    board = LanguageBoard(store, person)
    board.refresh_if_changed()
    assert board.flag_button.disabled
    board.flag_box.value = "forged"
    board.flag_button.click()               # a browser can click a disabled button
    assert board.message.value.startswith("There is no session yet")
    console = LanguageConsole(store)
    console.refresh_if_changed()
    console.round.open_button.click()
    # The facilitator is told what to do, not to wait for a facilitator.
    assert console.message.value == ("There is no session yet. Type a name under 'New "
                                     "session' and press 'Set up session' first.")


def test_a_page_is_drawn_before_its_address_arrives_then_lets_the_person_in(
        store, session_id, monkeypatch):
    """A warm kernel builds the whole page ahead; only ``arrive()`` waits for the request."""
    import widgets.base
    from widgets.workshop import participant_page

    waited = []
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.setattr(widgets.base, "wait_for_request", lambda: waited.append(True))
    monkeypatch.setenv("QUERY_STRING", "token=x&code=TEST42")
    page = participant_page(workshop=store.folder)
    assert waited == [] and page.gate.code.layout.display is None  # drawn, not yet asked
    page.arrive()
    assert waited == [True]
    assert page.gate.code.value == "TEST42" and page.gate.code.layout.display == "none"
    page.gate.name.value = "Ana"
    page.gate.join.click()
    key = page.rejoin_key.value
    page.activity.stop(), page.care.stop(), page.choices.stop()

    monkeypatch.setenv("QUERY_STRING", f"code=TEST42&me={key}")  # a reload
    again = participant_page(workshop=store.folder)
    assert again.person is None
    again.arrive()
    assert again.person == page.person and isinstance(again.activity.board, LanguageBoard)
    again.activity.stop(), again.care.stop(), again.choices.stop()


def test_a_page_polls_once_for_all_its_panels(store, session_id):
    """One revision query per tick redraws every panel; the poll ends with the last panel."""
    import asyncio

    from widgets.base import RevisionWatch

    async def scenario():
        page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
        page.gate.name.value = "Ana"
        page.gate.join.click()
        watch = RevisionWatch.of(store)
        panels = [page.activity, page.care, page.choices]
        polls = [t for t in asyncio.all_tasks() if t.get_name() == "coproduction-live-updates"]
        assert watch.panels == panels and len(polls) == 1

        queries = []
        real = store.revision
        store.revision = lambda: queries.append(1) or real()
        join_workshop(store, code="TEST42", pseudonym="Bo")  # the store moves on
        watch.tick()
        assert len(queries) == 1
        assert all(panel._seen == real() for panel in panels)
        watch.tick()  # nothing new: one query, no redraw
        assert len(queries) == 2

        for panel in panels:
            panel.stop()
        await asyncio.sleep(0)
        assert watch.task is None and polls[0].cancelled()

    asyncio.run(scenario())


def test_a_write_elsewhere_nudges_the_page_and_a_quiet_room_asks_nothing(
        store, session_id, monkeypatch):
    """With change notices a page redraws as soon as another process saves, not on a tick."""
    import asyncio
    import time

    import widgets.base
    from coproduction.store import Store
    from widgets.base import RevisionWatch

    if store.change_notices() is None:
        pytest.skip("this system cannot watch files; pages poll instead")
    monkeypatch.setattr(widgets.base, "CHECK_SECONDS", 60.0)  # only a nudge can redraw

    async def scenario():
        board = board_for(store, "Ana")
        board.start()
        watch = RevisionWatch.of(store)
        assert watch.notices is not None
        await asyncio.sleep(0.1)  # the one look as listening starts
        queries = []
        real = store.revision
        store.revision = lambda: queries.append(1) or real()
        await asyncio.sleep(1.0)
        assert queries == [], "a quiet room does not ask the store anything"

        with Store.open(store.folder) as elsewhere:  # another kernel, another connection
            person, _ = join_workshop(elsewhere, code="TEST42", pseudonym="Bo")
            SharedLanguage(elsewhere, session_id).propose(
                person, SharedLanguage(elsewhere, session_id).board(person).terms[0].term_id,
                "the teacher for extra help")
        sent = time.monotonic()
        while "the teacher for extra help" not in all_labels(board):
            assert time.monotonic() - sent < 2, "the page was not nudged"
            await asyncio.sleep(0.01)
        board.stop()
        assert watch.notices is None and watch.task is None

    asyncio.run(scenario())


def test_a_save_just_before_a_page_starts_listening_is_shown_at_once(
        store, session_id, monkeypatch):
    """A page draws, then starts listening: a save in between would have waited for the
    next look (5 s; seen when two people joined one after the other on two servers)."""
    import asyncio
    import time

    import widgets.base
    from coproduction.store import Store
    from widgets.base import RevisionWatch

    if store.change_notices() is None:
        pytest.skip("this system cannot watch files; pages poll instead")
    monkeypatch.setattr(widgets.base, "CHECK_SECONDS", 60.0)  # only a nudge or a look now
    listen = RevisionWatch._listen

    def saved_elsewhere_first(watch, loop):
        with Store.open(store.folder) as elsewhere:
            person, _ = join_workshop(elsewhere, code="TEST42", pseudonym="Bo")
            language = SharedLanguage(elsewhere, session_id)
            language.propose(person, language.board(person).terms[0].term_id,
                             "the teacher for extra help")
        return listen(watch, loop)

    monkeypatch.setattr(RevisionWatch, "_listen", saved_elsewhere_first)

    async def scenario():
        board = board_for(store, "Ana")
        board.start()
        assert "the teacher for extra help" not in all_labels(board)  # drawn before the save
        started = time.monotonic()
        while "the teacher for extra help" not in all_labels(board):
            assert time.monotonic() - started < 2, "the save waited for the next look"
            await asyncio.sleep(0.01)
        board.stop()

    asyncio.run(scenario())


def test_a_new_proposal_reaches_another_page_in_few_widget_messages(store, session_id,
                                                                    monkeypatch):
    """Every message goes to every page in the room; a new row must stay small.

    A row used to open 17 widgets (each label with its own layout and style) and then
    send its texts separately: 23 messages to each of forty pages.
    """
    import comm

    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    sent = []
    monkeypatch.setattr(comm.DummyComm, "publish_msg",
                        lambda self, msg_type, data=None, **kw: sent.append(msg_type))
    senco = card(ana, "SENCO")
    senco.propose_box.value = "the teacher for extra help"
    senco.propose_button.click()
    sent.clear()
    assert bo.refresh_if_changed()
    row = next(iter(card(bo, "SENCO").rows.values()))
    assert row.wording.value == "the teacher for extra help" and row.credit is None
    assert sent.count("comm_open") <= 7 and len(sent) <= 8, sent


def test_the_join_page_is_light_to_send(store):
    """Every model on the door is state a joining phone must fetch and build first.

    The door's fixed texts share one layout and style (it was 93 models, then under 60;
    the optional question "I take part ..." costs five).
    """
    from ipywidgets.widgets.widget import _instances

    before = set(_instances)
    page = ParticipantPage(store, lambda s, p: LanguageBoard(s, p), code="TEST42")
    made = [w for key, w in _instances.items() if key not in before]
    assert page in made and len(made) <= 65, len(made)


def test_a_broken_change_watch_falls_back_to_looking_on_a_timer(store, session_id):
    import asyncio

    from widgets.base import RevisionWatch

    async def scenario():
        board = board_for(store, "Ana")
        board.start()
        watch = RevisionWatch.of(store)
        if watch.notices is None:
            pytest.skip("this system cannot watch files; pages poll anyway")

        class Broken:
            def __init__(self, real):
                self.real = real

            def fileno(self):
                return self.real.fileno()

            def drain(self):
                raise OSError("the watch went away")

            def close(self):
                self.real.close()

        watch.notices = Broken(watch.notices)
        watch._nudged()
        assert watch.notices is None and watch._pending is not None  # one look, then polls
        board.stop()

    asyncio.run(scenario())


def test_a_warm_kernel_keeps_knocking_until_its_page_address_arrives(monkeypatch):
    """Forty kernels starting at once: the server may not answer one at first."""
    import json

    import websockets.sync.client

    import widgets.base

    tries = []

    class Answer:
        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def recv(self):
            return json.dumps({"QUERY_STRING": "code=TEST42&me=k3y-that-is-long-enough"})

    def connect(url, open_timeout, additional_headers):
        assert set(additional_headers) == {"X-Coproduction-Kernel-Proof"}
        tries.append(url)
        if len(tries) < 3:
            raise TimeoutError("the server is busy")
        return Answer()

    monkeypatch.setattr(websockets.sync.client, "connect", connect)
    monkeypatch.setattr(widgets.base.time, "sleep", lambda seconds: None)
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc")
    monkeypatch.setenv("VOILA_PREHEAT", "True")
    monkeypatch.delenv("QUERY_STRING", raising=False)
    assert widgets.base.query_parameters() == {"code": "TEST42", "me": "k3y-that-is-long-enough"}
    assert len(tries) == 3 and tries[0].endswith("/voila/query/abc")


def test_a_later_text_marks_agreed_words_with_their_wording_and_keeps_the_text(store):
    """The board stopped marking an agreed term silently, check-language printed a note
    and the console rewrote: now all three say the same, and nothing is rewritten."""
    from coproduction.activities.shared_language import current_glossary
    from coproduction.core.plain_language import check_text, format_report

    first = create_session(store, "language", "First letter")
    store.insert("glossary", {"session_id": first, "term": "TAC",
                              "wording": "the team around the child", "agree": 3,
                              "disagree": 0, "pass": 0, "block": 0})
    later = create_session(store, "language", "Second letter")
    open_round(store, later)
    body = "Come to a TAC meeting. The SENCO and the TACs <b>will</b> be there."
    SharedLanguage(store, later).put_text("Invitation", body)
    board = board_for(store, "Ana")
    html_body = board.texts.children[1].value
    assert html_body.count("coproduction-agreed-term") == 2     # "TAC" and "TACs"
    assert "TAC</mark> <span class='coproduction-agreed-wording'>(agreed: the team around " \
           "the child)</span> meeting" in html_body
    assert "<mark class='coproduction-term'>SENCO</mark>" in html_body   # still to agree
    assert "&lt;b&gt;will&lt;/b&gt;" in html_body and "<b>" not in html_body
    assert [c.term.value for c in board.cards.values()] == ["SENCO"]  # agreed: not re-asked
    said = "\n".join(format_report(check_text(body, current_glossary(store))))
    assert 'agreed what "TAC" means here: the team around the child' in said
    assert "Try: the team around the child" not in said


def test_the_console_shows_who_joined_and_the_places_left(store, monkeypatch):
    import widgets.console as console_module

    join_workshop(store, code="TEST42", pseudonym="Ana")
    monkeypatch.setattr(console_module, "pages_open", lambda url: {"pages": 39, "expect": 40})
    room = console_module.RoomPanel(store, "http://127.0.0.1:1/voila/render/workshop.ipynb")
    room.refresh_if_changed()
    assert room.count.value == "1 person has joined. 39 pages are open; 1 of 40 places is left."
    assert room.more.layout.display is None
    room.more.click()
    assert store.workshop()["extra_places"] == 5 and "5 more places" in room.message.value
    from coproduction.core.sessions import add_places

    for bad in (0, -3, "lots", 2.5, None, 10_000):
        with pytest.raises(InvalidInput):
            add_places(store, bad)
    assert store.workshop()["extra_places"] == 5
    monkeypatch.setattr(console_module, "pages_open", lambda url: None)  # server not asked
    room.look.click()
    assert room.count.value == "1 person has joined." and room.more.layout.display == "none"
    assert console_module.pages_open("") is None
    # While the room's pages are still drawn, the count says how many are ready.
    monkeypatch.setattr(console_module, "pages_open",
                        lambda url: {"pages": 2, "expect": 40, "ready": 10, "pool": 40})
    room.look.click()
    assert room.count.value == ("1 person has joined. 2 pages are open; 38 of 40 places are "
                                "left. Pages ready for the room: 12 of 40.")
    monkeypatch.setattr(console_module, "pages_open",
                        lambda url: {"pages": 2, "expect": 40, "ready": 38, "pool": 40})
    room.look.click()
    assert "Pages ready" not in room.count.value


def test_serve_says_how_far_the_rooms_pages_are_then_ready_once():
    from coproduction.servers.pages import PROGRESS_EVERY, PagesReady, all_ready

    now = [0.0]
    answers = iter([None, {"pages": 0, "expect": 150, "ready": 40, "pool": 150},
                    {"pages": 3, "expect": 150, "ready": 100, "pool": 150},
                    {"pages": 10, "expect": 150, "ready": 140, "pool": 150}])
    # 150 people who came early are not 150 pages ready: only pages handed out count.
    assert not all_ready({"pages": 150, "taken": 20, "expect": 150, "ready": 10,
                          "pool": 150})
    ready = PagesReady("http://127.0.0.1:1/", 150, ask=lambda url: next(answers),
                       clock=lambda: now[0])
    now[0] += PROGRESS_EVERY
    assert ready.look().startswith("Getting the room's 150 pages ready.")  # no answer yet
    now[0] += PROGRESS_EVERY
    assert ready.look().startswith("Getting the room's pages ready: 40 of 150.")
    now[0] += 1
    assert ready.look() is None                       # not again so soon
    assert ready.look() == "Ready: 150 pages"
    assert ready.look() is None and ready.done        # said once
    assert PagesReady("http://127.0.0.1:1/", 0).look() is None  # no --expect: nothing


def test_the_console_changes_or_takes_out_an_agreed_wording_and_the_group_is_told(store):
    """The console could not edit or undo a glossary entry."""
    sid = create_session(store, "language", "First letter")
    for term, wording in (("TAC", "the team meeting"), ("SENCO", "the extra help teacher")):
        store.insert("glossary", {"session_id": sid, "term": term, "wording": wording,
                                  "agree": 3, "disagree": 0, "pass": 0, "block": 0})
    console = LanguageConsole(store)
    console.refresh_if_changed()
    rows = list(console.glossary_edit.children)
    assert [r.children[0].value for r in rows] == ["TAC: the team meeting",
                                                    "SENCO: the extra help teacher"]
    rows[0].wording.value = "the team around the child"
    rows[0].change.click()
    assert "reason" in console.message.value             # no reason: nothing changes
    assert rows[0].wording.value == "the team around the child"
    rows[0].reason.value = "We checked with the school: this is what it means."
    rows[0].change.click()
    rows[1].reason.value = "Nobody here uses it."
    rows[1].remove.click()
    from coproduction.activities.shared_language import current_glossary

    assert current_glossary(store) == {"TAC": "the team around the child"}
    told = [n["text"] for n in store.select("notices")]
    assert told == [
        "The facilitator changed the agreed wording for 'TAC' to 'the team around the "
        "child': We checked with the school: this is what it means.",
        "The facilitator took 'SENCO' out of the glossary: Nobody here uses it."]
    assert [r.children[0].value for r in console.glossary_edit.children] == [
        "TAC: the team around the child"]


def test_every_console_tab_can_look_back_at_an_earlier_session(store):
    """The console showed only the open or latest session of each activity."""
    from widgets.feedback import FeedbackConsole
    from widgets.methods import MethodsConsole
    from widgets.timeline import TimelineConsole

    for activity, tab in (("language", LanguageConsole), ("methods", MethodsConsole),
                          ("timeline", TimelineConsole), ("feedback", FeedbackConsole)):
        first = create_session(store, activity, f"First {activity}")
        close_round(store, first)
        latest = create_session(store, activity, f"Latest {activity}")
        console = tab(store)
        console.refresh_if_changed()
        pick = console.round.pick
        assert [words for words, _ in pick.options] == [
            f"Latest {activity} (not opened yet)", f"First {activity} (closed)"]
        assert pick.value == latest
        pick.value = first
        assert console.session.session_id == first, activity
        assert console.title.value == f"First {activity}", activity


def test_one_tap_backs_the_checkers_suggestion_and_a_forged_tap_adds_nothing(store, session_id):
    """The checker's suggestion could not be backed without retyping it on a phone."""
    ana = board_for(store, "Ana")
    senco = card(ana, "SENCO")
    suggested = senco.suggested
    assert suggested and senco.use_suggestion.layout.display is None
    senco.use_suggestion.click()
    assert ana.message.value == "Thank you: the checker's words are on the board for a vote."
    ana.refresh_if_changed()
    [row] = card(ana, "SENCO").rows.values()
    assert row.wording.value == suggested
    assert card(ana, "SENCO").use_suggestion.layout.display == "none"  # proposed now
    before = store.revision()
    card(ana, "SENCO").use_suggestion.click()       # a forged click on the hidden button
    assert store.revision() == before and "no suggestion" in ana.message.value


def test_a_card_folds_once_every_wording_has_the_persons_vote(store, session_id):
    """A phone board with 14 cards was 6,940 px long: cards already dealt with fold."""
    ana, bo = board_for(store, "Ana"), board_for(store, "Bo")
    senco = card(bo, "SENCO")
    senco.propose_box.value = "the teacher for extra help"
    senco.propose_button.click()
    ana.refresh_if_changed()
    theirs = card(ana, "SENCO")
    assert theirs.proposals.layout.display is None and theirs.fold.layout.display == "none"
    next(iter(theirs.rows.values())).vote.value = "agree"
    assert theirs.proposals.layout.display == "none"
    assert theirs.fold.description == "You voted on it: show the wordings"
    theirs.fold.click()
    assert theirs.proposals.layout.display is None
    assert theirs.fold.description == "Fold the wordings away"
    senco.propose_box.value = "the SEN teacher"          # a new wording needs Ana again
    senco.propose_button.click()
    theirs.opened = False
    ana.refresh_if_changed()
    assert theirs.proposals.layout.display is None and theirs.fold.layout.display == "none"


def test_every_change_one_withdrawal_made_is_shown_and_older_news_is_folded(store):
    """Only the newest three notices were shown: a withdrawal that changed five results
    hid two of them, and older news was gone."""
    from widgets.consent import MyChoices

    person, _key = join_workshop(store, code="TEST42", pseudonym="Ana")
    store.insert("notices", {"text": "Earlier: the room changed.",
                             "created_at": "2026-03-02T11:00:00.000Z"})
    for i in range(5):
        store.insert("notices", {"text": f"Result {i} was counted again.",
                                 "created_at": f"2026-03-02T15:00:0{i}.000Z"})
    page = MyChoices(store, person, on_gone=lambda: None)
    page.refresh_if_changed()
    assert [c.value for c in page.recent_news.children] == [
        f"Result {i} was counted again." for i in (4, 3, 2, 1, 0)]
    assert [c.value for c in page.earlier_news.children] == ["Earlier: the room changed."]
    assert page.earlier.titles == ("Earlier news (1)",)
    assert page.earlier.layout.display is None


def test_the_console_counts_pages_again_by_itself_and_shows_the_groups_news(store,
                                                                            monkeypatch):
    """The page count changed only when someone saved or the facilitator pressed
    'Count again'; pages come and go without saving anything."""
    import asyncio

    import widgets.console as console

    counts = iter([{"pages": 0, "expect": 3}, {"pages": 2, "expect": 3}] + [
        {"pages": 2, "expect": 3}] * 50)
    monkeypatch.setattr(console, "pages_open", lambda url: next(counts))
    monkeypatch.setattr(console, "ASK_EVERY", 0.05)
    store.insert("notices", {"text": "The votes were counted again."})
    room = console.RoomPanel(store, "http://127.0.0.1:1/")

    async def watch():
        room.start()
        assert "0 pages are open" in room.count.value
        await asyncio.sleep(0.5)
        room.stop()

    asyncio.run(watch())
    assert "2 pages are open; 1 of 3 places is left." in room.count.value
    assert [c.value for c in room.news.children] == ["The votes were counted again."]
