"""Shared-language negotiation in the engine: rounds, proposals, votes, rule, glossary, privacy."""

from __future__ import annotations

import pytest
from databases import stored_bytes

from coproduction.activities.consensus import ConsensusRule
from coproduction.activities.shared_language import SharedLanguage, current_glossary
from coproduction.core.participants import join_workshop, rejoin
from coproduction.core.sessions import close_round, create_session, current_session, open_round
from coproduction.core.validation import InvalidInput

GUIDANCE_EXAMPLE = (
    "The LAC review/TAC took place at JKS with all members of the SLT and the CIN team where "
    "the SEND application was revisited. We hope to invite PWLE to the meeting.")


@pytest.fixture
def room(store):
    """An open language session with the guidance's jargon example and three people."""
    sid = create_session(store, "language", "Our letters")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("Meeting note", GUIDANCE_EXAMPLE)
    people = [join_workshop(store, code="TEST42", pseudonym=n)[0] for n in ("Ana", "Bo", "Cy")]
    return session, people


def term_id(session, term):
    return next(t.term_id for t in session.board(None).terms if t.term == term)


def test_the_checker_marks_every_acronym_of_the_text(room):
    session, _ = room
    terms = {t.term for t in session.board(None).terms}
    assert {"LAC", "TAC", "JKS", "SLT", "CIN", "SEND", "PWLE"} <= terms


def test_propose_vote_and_confirm_feeds_the_glossary(room, store):
    session, (ana, bo, cy) = room
    pid = session.propose(ana, term_id(session, "LAC"), "children in care")
    for person in (ana, bo, cy):
        session.vote(person, pid, "agree")
    view = next(t for t in session.board(ana).terms if t.term == "LAC")
    assert view.agreed.wording == "children in care"
    assert view.proposals[0].mine and view.proposals[0].my_vote == "agree"
    added = session.confirm_glossary()
    assert [(e["term"], e["wording"], e["agree"]) for e in added] == [("LAC", "children in care", 3)]
    assert session.confirm_glossary() == []  # confirming again adds nothing
    assert current_glossary(store) == {"LAC": "children in care"}


def test_a_later_text_does_not_mark_an_agreed_term(room, store):
    session, (ana, bo, cy) = room
    pid = session.propose(ana, term_id(session, "LAC"), "children in care")
    for person in (ana, bo, cy):
        session.vote(person, pid, "agree")
    session.confirm_glossary()
    later = create_session(store, "language", "Next time")
    open_round(store, later)
    second = SharedLanguage(store, later)
    second.put_text("Note", "The LAC review and the TAC are on Monday.")
    assert {t.term for t in second.board(None).terms} == {"TAC"}


def test_changing_a_vote_replaces_it(room):
    session, (ana, bo, cy) = room
    pid = session.propose(ana, term_id(session, "TAC"), "team around the child")
    session.vote(bo, pid, "agree")
    session.vote(bo, pid, "block")
    proposal = next(t for t in session.board(bo).terms if t.term == "TAC").proposals[0]
    assert (proposal.tally.agree, proposal.tally.block, proposal.my_vote) == (0, 1, "block")
    assert proposal.decision.status == "blocked"


def test_the_group_can_change_the_rule(room):
    session, (ana, bo, cy) = room
    pid = session.propose(ana, term_id(session, "SLT"), "the school's leaders")
    session.vote(ana, pid, "agree")
    view = next(t for t in session.board(None).terms if t.term == "SLT").proposals[0]
    assert view.decision.status == "waiting"
    session.set_rule(ConsensusRule(1, 1.0, True))
    board = session.board(None)
    assert board.rule == ConsensusRule(1, 1.0, True)
    assert next(t for t in board.terms if t.term == "SLT").proposals[0].decision.status == "agreed"


def test_nothing_is_added_after_the_round_closes(room, store):
    session, (ana, bo, _) = room
    pid = session.propose(ana, term_id(session, "CIN"), "children in need")
    close_round(store, session.session_id)
    before = store.revision()
    with pytest.raises(InvalidInput, match="closed"):
        session.vote(bo, pid, "agree")
    with pytest.raises(InvalidInput, match="closed"):
        session.propose(bo, term_id(session, "CIN"), "kids who need help")
    with pytest.raises(InvalidInput, match="closed"):
        session.flag_term(bo, "review")
    assert store.revision() == before


@pytest.mark.parametrize("bad", [None, "", "   ", 42, ["x"], "x" * 301])
def test_bad_wordings_are_refused_plainly(room, store, bad):
    session, (ana, _, _) = room
    before = store.revision()
    with pytest.raises(InvalidInput) as error:
        session.propose(ana, term_id(session, "SEND"), bad)
    assert "Traceback" not in str(error.value) and str(error.value).endswith(".")
    assert store.revision() == before


@pytest.mark.parametrize("forged", [
    ("vote", lambda s, p: s.vote(p, 10**9, "agree")),             # a proposal that never was
    ("vote", lambda s, p: s.vote(p, "1", "agree")),               # wrong type
    ("vote", lambda s, p: s.vote(p, True, "agree")),
    ("choice", lambda s, p: s.vote(p, 1, "maybe")),               # not an allowed value
    ("term", lambda s, p: s.propose(p, 10**9, "plain")),
    ("actor", lambda s, p: s.propose(None, 1, "plain")),          # nobody
])
def test_forged_messages_change_nothing(room, store, forged):
    session, (ana, _, _) = room
    session.propose(ana, term_id(session, "SEND"), "extra help at school")
    before = store.revision()
    with pytest.raises(InvalidInput):
        forged[1](session, ana)
    assert store.revision() == before


def test_markup_and_other_scripts_are_kept_as_text(room):
    session, (ana, _, _) = room
    words = ["<img src=x onerror=alert(1)>", "أطفال في الرعاية", "🙂 kids in care", "a\u202eb"]
    for word in words:
        session.propose(ana, term_id(session, "PWLE"), word)
    wordings = [p.wording for p in next(
        t for t in session.board(ana).terms if t.term == "PWLE").proposals]
    assert wordings == words[:3] + ["ab"]  # direction overrides are removed, the rest kept


def test_a_duplicate_wording_or_term_is_pointed_out(room):
    session, (ana, bo, _) = room
    tid = term_id(session, "JKS")
    session.propose(ana, tid, "the school")
    with pytest.raises(InvalidInput, match="already proposed"):
        session.propose(bo, tid, "The School")
    with pytest.raises(InvalidInput, match="already on the board"):
        session.flag_term(bo, "jks")


def test_hidden_proposals_show_their_reason_not_their_words(room):
    session, (ana, bo, _) = room
    pid = session.propose(ana, term_id(session, "JKS"), "something unkind")
    session.hide_proposal(pid, "It named a person.")
    seen = next(t for t in session.board(bo).terms if t.term == "JKS").proposals[0]
    assert (seen.wording, seen.hidden_reason) == ("", "It named a person.")
    console = next(t for t in session.board(None).terms if t.term == "JKS").proposals[0]
    assert console.wording == "something unkind"
    with pytest.raises(InvalidInput):
        session.vote(bo, pid, "agree")
    with pytest.raises(InvalidInput):
        session.hide_proposal(pid, "")  # a reason is required
    session.restore_proposal(pid)
    session.vote(bo, pid, "agree")


def test_self_descriptions_are_private_unless_shared(room):
    session, (ana, bo, _) = room
    session.describe_self(ana, "by my first name", "victim", False)
    session.describe_self(bo, "as a dad", "", True)
    assert session.my_description(ana)["avoid_words"] == "victim"
    assert session.shared_descriptions() == [
        {"pseudonym": "Bo", "describe_as": "as a dad", "avoid_words": ""}]


def test_credit_modes_show_on_the_board(store):
    sid = create_session(store, "language", "s")
    open_round(store, sid)
    session = SharedLanguage(store, sid)
    session.put_text("t", "The SLT met.")
    people = [join_workshop(store, code="TEST42", pseudonym=n, credit=c)[0]
              for n, c in (("Ana", "pseudonym"), ("Bo", "anonymous"), ("Cy", "collective"))]
    tid = session.board(None).terms[0].term_id
    for i, person in enumerate(people):
        session.propose(person, tid, f"wording {i}")
    assert [p.by for p in session.board(None).terms[0].proposals] == [
        "Ana", "", "the group"]


def test_joining_and_rejoining(store):
    person, key = join_workshop(store, code="test42", pseudonym="  Ana  ")
    assert person.pseudonym == "Ana"
    assert rejoin(store, key) == person
    assert rejoin(store, "not-a-real-key-at-all") is None
    assert key not in stored_bytes(store).decode("latin-1")
    with pytest.raises(InvalidInput, match="already uses"):
        join_workshop(store, code="TEST42", pseudonym="ana")
    with pytest.raises(InvalidInput, match="code does not match"):
        join_workshop(store, code="NOPE", pseudonym="Bo")


def test_current_session_prefers_the_open_one(store):
    assert current_session(store, "language") is None
    first = create_session(store, "language", "one")
    open_round(store, first)
    create_session(store, "language", "two (planned)")
    assert current_session(store, "language")["session_id"] == first


def test_a_flood_from_one_page_is_slowed_down_and_loses_nothing(room, store, on_a_page):
    """One page has one allowance, whoever its actions claim to be from (SECURITY.md,
    promise 10): naming another person earns no fresh one, and the pause button keeps
    its own."""
    from coproduction.activities.feedback import send_pause_signal

    session, (ana, bo, _) = room
    tid = term_id(session, "SEND")
    for i in range(30):
        session.propose(ana, tid, f"wording {i}")
    with pytest.raises(InvalidInput, match="a lot at once"):
        session.propose(ana, tid, "one too many")
    with pytest.raises(InvalidInput, match="a lot at once"):
        session.propose(bo, tid, "Bo, sent from Ana's page")
    send_pause_signal(store, ana, "break")
    wordings = [p.wording for p in next(
        t for t in session.board(None).terms if t.term == "SEND").proposals]
    assert len(wordings) == 30 and "one too many" not in wordings


def test_the_console_and_the_commands_are_not_slowed(room, store, monkeypatch):
    """Only a participant's own kernel is limited: the facilitator's console and the
    commands (the demo among them) act for many people at once."""
    monkeypatch.delenv("COPRODUCTION_ROLE", raising=False)
    session, (ana, _, _) = room
    tid = term_id(session, "SEND")
    for i in range(40):
        session.propose(ana, tid, f"wording {i}")


def test_the_rate_limit_recovers_with_time():
    from coproduction.core.validation import RateLimit

    now = [0.0]
    limit = RateLimit(2, 10, clock=lambda: now[0])
    limit.check("a"), limit.check("a")
    with pytest.raises(InvalidInput):
        limit.check("a")
    now[0] = 10.5
    limit.check("a")
