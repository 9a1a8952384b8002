"""One trust boundary: every action a person asks for, in every activity and in their own
choices, is checked and counted in one place (participants.taking_part).

A page's allowance is one allowance, whichever activity or panel asks; a person who has
left is refused with the same plain sentence everywhere, and nothing changes.
"""

from __future__ import annotations

import datetime as dt

import pytest

from coproduction.activities import feedback, methods, shared_language, timeline
from coproduction.core.participants import join_workshop
from coproduction.core.sessions import create_session, open_round
from coproduction.core.validation import InvalidInput
from coproduction.privacy import consent


def every_action(store):
    """A person, and every action their page can ask for, one per activity's control."""
    person, _key = join_workshop(store, code="TEST42", pseudonym="Ana")
    sessions = {}
    for name in ("language", "methods", "timeline", "feedback"):
        sessions[name] = create_session(store, name, f"A {name} session")
        open_round(store, sessions[name])
    words = shared_language.SharedLanguage(store, sessions["language"])
    words.put_text("Invitation", "The SENCO will see you at the TAC.")
    term = words.flag_term(person, "see you")
    proposal = words.propose(person, term, "the meeting of everyone who helps")
    choosing = methods.MethodSelection(store, sessions["methods"])
    method = choosing.board(viewer=None).methods[0].method_id
    plans = timeline.TimelineSession(store, sessions["timeline"])
    mine = plans.add_life_event(person, year=2020, title="Moved house")
    fb = feedback.FeedbackSession(store, sessions["feedback"])
    answers = {q: next(iter(words_)) for q, (_, _, words_) in methods.CARD_QUESTIONS.items()}
    actions = {
        "flag": lambda: words.flag_term(person, "will see"),
        "propose": lambda: words.propose(person, term, "the help meeting"),
        "vote": lambda: words.vote(person, proposal, "agree"),
        "describe": lambda: words.describe_self(person, "Ana", "", False),
        "card": lambda: choosing.save_card(person, answers, "", False),
        "rate": lambda: choosing.rate(person, method, "keen"),
        "dot": lambda: choosing.place_dot(person, method),
        "undot": lambda: choosing.take_dot(person, method),
        "suggest": lambda: plans.suggest(person, kind="other", title="A day out",
                                         starts_on=str(dt.date.today() + dt.timedelta(90))),
        "life event": lambda: plans.add_life_event(person, year=2021, title="A new job"),
        "share": lambda: plans.set_shared(person, mine, True),
        "remove": lambda: plans.remove_life_event(person, mine),
        "check in": lambda: fb.check_in(person, "check_in", "good"),
        "feedback": lambda: fb.give_feedback(person, {"safety": 3}, ""),
        "ladder": lambda: fb.place_on_ladder(person, feedback.LADDER_RUNGS[0]),
        "choices": lambda: consent.change_choices(store, person, credit="pseudonym",
                                                  contact_ok=False),
        "credit change": lambda: consent.credit_one(store, person, "proposals", proposal,
                                                    "anonymous"),
    }
    return person, actions


def test_one_page_has_one_allowance_whatever_activity_or_choice_it_asks_for(store,
                                                                           on_a_page):
    """A page that spends its allowance in one activity has none left in any other, nor
    for changing its choices; the pause button keeps an allowance of its own."""
    from coproduction.core.validation import PAGE_ACTIONS

    person, actions = every_action(store)
    PAGE_ACTIONS._events.clear()
    names, refused = list(actions), []
    for i in range(PAGE_ACTIONS.limit + len(names)):  # some refuse before the boundary
        try:
            actions[names[i % len(names)]]()
        except InvalidInput as refusal:
            refused.append(str(refusal))
            if "a lot at once" in refused[-1]:
                break
    assert i >= PAGE_ACTIONS.limit and "a lot at once" in refused[-1], (i, refused)
    before = store.revision()
    for name, act in actions.items():
        with pytest.raises(InvalidInput, match="a lot at once"):
            act()
        assert store.revision() == before, f"{name} changed the store after its refusal"
    feedback.send_pause_signal(store, person, "break", anonymous=True)


def test_someone_who_has_left_is_refused_the_same_way_everywhere(store):
    person, actions = every_action(store)
    consent.withdraw_participant(store, person.participant_id, requested_by="participant")
    before = store.revision()
    actions["pause"] = lambda: feedback.send_pause_signal(store, person, "break",
                                                          anonymous=True)
    for name, act in actions.items():
        with pytest.raises(InvalidInput, match="^You are no longer taking part in this "
                                               "workshop.$"):
            act()
        assert store.revision() == before, f"{name} changed the store for someone who left"


def test_an_upsert_changes_the_one_row_or_adds_it_with_what_only_a_new_row_gets(store):
    with store.transaction() as tx:
        tx.upsert("pauses", {"ended_at": None}, {"message": "A short break"})
        tx.upsert("pauses", {"ended_at": None}, {"message": "Back at ten past"})
    assert [r["message"] for r in store.select("pauses")] == ["Back at ten past"]
    person, _key = join_workshop(store, code="TEST42", pseudonym="Bo")
    sid = create_session(store, "methods", "Methods")
    method = methods.MethodSelection(store, sid).board(viewer=None).methods[0].method_id
    where = {"session_id": sid, "method_id": method, "author_id": person.participant_id}
    with store.transaction() as tx:
        tx.upsert("method_ratings", where, {"rating": "keen"}, new={"credit": "anonymous"})
        tx.upsert("method_ratings", where, {"rating": "unsure"}, new={"credit": "named"})
    [row] = store.select("method_ratings")
    assert (row["rating"], row["credit"]) == ("unsure", "anonymous")
