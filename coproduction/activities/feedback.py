"""Feedback loops: check-ins, "I need a pause", feedback by principle, "you said, we did".

Two kinds of thing live here.

Workshop-wide, whatever activity a page shows:

- a person can tell the facilitator they need a pause (:func:`send_pause_signal`),
  anonymously if they prefer;
- the facilitator can pause the whole workshop (:func:`pause_workshop`), and
  sets the support information every page shows (:func:`set_support_info`).

Inside a feedback session (:class:`FeedbackSession`): check-in and check-out,
ratings against the six principles, what should change, the ladder of
involvement, and the actions the facilitator takes in answer.

Anonymity is kept in the data, not only on the screen. An anonymous pause
signal stores no id, and every signal's time is kept only to the minute, so
it cannot be matched with something else the person did at the same second.
A ladder answer stores no author and no time, and its number is random, so
the order of the rows says nothing; whether a person has answered is kept in
a separate private table that does not say where they placed it.

Check-ins are private and go when the session's round closes
(:func:`end_of_session_cleanup`), unless the person chose to keep them. A
request to be checked on afterwards is kept apart, so closing the round does
not lose it.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass

from ..core.activity import Activity
from ..core.languages import N_, _
from ..core.participants import Participant, credited_as, taking_part
from ..core.sessions import close_round, require_open, session_row
from ..core.validation import InvalidInput, choose, clean_text, refused, whole_number
from ..privacy.small_counts import MIN_GROUP, suppress_parts
from ..store import Store, Transaction
from ..store.schema import (
    ACTION_STATUSES,
    FEEDBACK_TABLES,
    FEELINGS,
    LADDER_RUNGS,
    MOMENTS,
    PAUSE_KINDS,
    PRINCIPLES,
)

SUPPORT_MAX = 1000
PAUSE_MESSAGE_MAX = 200
SUGGESTION_MAX = 500
ACTION_MAX = 300
REASON_MAX = 300
# Below this many answers the console does not show how people feel, so that
# nobody can be picked out of a small group.
PICTURE_MIN = MIN_GROUP

# What people see for each stored value: a picture and plain words.
# Pictures from the oldest emoji set, so that older phones show them too.
FEELING_WORDS = {"good": ("😄", N_("Good")), "okay": ("😊", N_("Okay")),
                 "mixed": ("😐", N_("Up and down")), "low": ("😔", N_("Low")),
                 "hard": ("😣", N_("Having a hard time")),
                 "not_said": ("😶", N_("Prefer not to say"))}
MOMENT_WORDS = {"check_in": N_("At the start"), "check_out": N_("At the end")}
PRINCIPLE_WORDS = {
    "safety": N_("Safety: I felt safe here"),
    "trust": N_("Trust and openness: we were told what is going on"),
    "peer_support": N_("Peer support: people helped each other"),
    "collaboration": N_("Working together: we did it together"),
    "empowerment": N_("Voice and choice: I could say things and choose"),
    "cultural_humility": N_("Respect for who we are: nobody assumed they knew my life"),
}
RATING_WORDS = {1: N_("Not yet"), 2: N_("A little"), 3: N_("Mostly"), 4: N_("Yes")}
#: The face beside each rating's words, on the page and on the paper form.
RATING_FACES = {1: "😟", 2: "😐", 3: "😊", 4: "😄"}
LADDER_WORDS = {"told": N_("We are told what will happen"),
                "asked": N_("We are asked what we think"),
                "involved": N_("We help make some decisions"),
                "co_produced": N_("We make it together, as equals")}
PAUSE_WORDS = {"break": N_("a short break"), "step_out": N_("to step out for a while")}
STATUS_WORDS = {"planned": N_("Planned"), "in_progress": N_("Being done"), "done": N_("Done"),
                "not_possible": N_("Not possible")}
assert set(FEELING_WORDS) == set(FEELINGS) and set(PRINCIPLE_WORDS) == set(PRINCIPLES)
assert set(LADDER_WORDS) == set(LADDER_RUNGS) and set(STATUS_WORDS) == set(ACTION_STATUSES)

DEFAULT_SUPPORT = (N_("You can take a break at any time. You can talk to the facilitator, "
                   "or to someone you trust."))




def _whole(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _to_the_minute(stamp: str) -> str:
    """``2026-03-02T10:04:37.123Z`` -> ``2026-03-02T10:04:00.000Z``."""
    return stamp[:16] + ":00.000Z"


def _random_number(store: Store) -> int:
    """A random row number (from the store's id source, so the demo stays the same)."""
    return int(hashlib.sha256(store.new_id("n").encode()).hexdigest()[:13], 16)


def _flag(value: object, what: str) -> bool:
    if not isinstance(value, bool):
        raise InvalidInput(_("Please say yes or no to {what}.").format(what=_(what)))
    return value


# -- "I need a pause", the whole-workshop pause, support information ---------
@dataclass(frozen=True)
class PauseSignal:
    signal_id: int
    who: str        # "Someone" when anonymous
    kind: str
    minute: str     # HH:MM (UTC)
    seen: bool


def send_pause_signal(store: Store, actor: Participant, kind: object, *,
                      anonymous: object = True) -> int:
    """Tell the facilitator the person needs a pause; return the signal's number.

    Works in any activity and whether or not a round is open. An anonymous
    signal stores no id at all.
    """
    kind = choose(kind, PAUSE_KINDS, what=N_("a short break or stepping out"))
    anonymous = _flag(anonymous, N_("leaving your name off"))
    with store.transaction() as tx:
        taking_part(tx, actor, "pause", allowance="pause")
        return tx.insert("pause_signals", {
            "author_id": None if anonymous else actor.participant_id,
            "credit": "anonymous" if anonymous else actor.credit,
            "kind": kind, "created_at": _to_the_minute(tx.now())})


def pause_signals(store: Store, *, unseen_only: bool = False) -> list[PauseSignal]:
    """Pause signals for the console, newest first; anonymous ones say "Someone"."""
    with store.read() as tx:
        names = {p["participant_id"]: p["pseudonym"] for p in tx.select("participants")}
        rows = tx.select("pause_signals", {"seen_at": None} if unseen_only else None,
                         order_by="signal_id DESC")
    return [PauseSignal(r["signal_id"],
                        names.get(r["author_id"], "Someone") if r["author_id"] else "Someone",
                        r["kind"], r["created_at"][11:16], r["seen_at"] is not None)
            for r in rows]


def mark_signal_seen(store: Store, signal_id: object) -> None:
    with store.transaction() as tx:
        if not _whole(signal_id) or not tx.select("pause_signals", {"signal_id": signal_id}):
            raise InvalidInput(_("That pause signal is no longer there."))
        tx.update("pause_signals", {"signal_id": signal_id, "seen_at": None},
                  {"seen_at": tx.now()})


def signal_seen(store: Store, signal_id: int) -> bool:
    """Whether the facilitator has marked the signal seen (the sender's page asks)."""
    rows = store.select("pause_signals", {"signal_id": signal_id})
    return bool(rows and rows[0]["seen_at"])


def pause_workshop(store: Store, message: object = "") -> None:
    """Pause the whole workshop: every page shows a calm pause screen."""
    message = clean_text(message, what=N_("the pause message"), max_length=PAUSE_MESSAGE_MAX,
                         required=False)
    with store.transaction() as tx:
        tx.upsert("pauses", {"ended_at": None}, {"message": message or None})


def resume_workshop(store: Store) -> None:
    with store.transaction() as tx:
        tx.update("pauses", {"ended_at": None}, {"ended_at": tx.now()})


def current_pause(tx_or_store: Store | Transaction) -> dict | None:
    """The pause going on now, if any."""
    rows = tx_or_store.select("pauses", {"ended_at": None})
    return rows[-1] if rows else None


def set_support_info(store: Store, text: object) -> None:
    text = clean_text(text, what=N_("the support information"), max_length=SUPPORT_MAX,
                      multiline=True)
    store.insert("support_info", {"text": text})


def support_info(tx_or_store: Store | Transaction) -> str:
    """The latest support information, or a kind default until the facilitator sets it."""
    rows = tx_or_store.select("support_info", order_by="support_id DESC")
    return rows[0]["text"] if rows else _(DEFAULT_SUPPORT)


@dataclass(frozen=True)
class CareState:
    """What every participant page needs, read in one snapshot."""

    paused: bool
    pause_message: str
    support: str


def care_state(store: Store) -> CareState:
    with store.read() as tx:
        pause = current_pause(tx)
        return CareState(pause is not None, (pause or {}).get("message") or "",
                         support_info(tx))


# -- the end of a session ----------------------------------------------------
def end_of_session_cleanup(store: Store, session_id: int) -> int:
    """Delete the session's check-ins nobody chose to keep; return how many went.

    Requests to be checked on afterwards are kept (they are a separate table).
    """
    with store.transaction() as tx:
        session_row(tx, session_id)
        return tx.delete("check_ins", {"session_id": session_id, "keep": False})


def close_feedback_round(store: Store, session_id: int) -> int:
    """Close a feedback session's round and delete its unkept check-ins."""
    close_round(store, session_id)
    return end_of_session_cleanup(store, session_id)


# -- one feedback session ---------------------------------------------------
@dataclass(frozen=True)
class ActionView:
    action_id: int
    session_id: int
    you_said: str          # the suggestion, or the principle it answers
    we_did: str
    status: str
    reason: str
    suggestion_id: int | None
    principle: str | None


@dataclass(frozen=True)
class Picture:
    """The facilitator's view of a feedback session; no feeling is tied to a name."""

    answers: dict[str, int]                   # moment -> how many checked in
    # moment -> feeling -> count, as small_counts says them ("fewer than 3"), so no count
    # beside a named follow-up gives away that person's answer; empty when too few
    feelings: dict[str, dict[str, int | str]]
    follow_ups: tuple[tuple[int, str, str, bool], ...]  # (id, pseudonym, moment, done)
    ratings: dict[str, dict[str, int | str]]  # principle -> rating -> count, said the same way
    suggestions: tuple[tuple[int, str, str], ...]  # (id, text, credited as)
    ladder: Counter
    actions: tuple[ActionView, ...]


#: What "You said" shows for an action whose suggestion was deleted with its author.
SAID_BY_SOMEONE_WHO_LEFT = (N_("what someone said who has since left the workshop (their "
                            "words were deleted with them)"))


def what_it_answers(action: dict, said: dict[int, str]) -> str:
    """The words an action answers: the suggestion's text, or its principle in words.

    Every action answers one of the two; with neither left, the suggestion's author has
    withdrawn and their words went with them: that is said, not shown as nothing.
    """
    if action["suggestion_id"] is not None and action["suggestion_id"] in said:
        return said[action["suggestion_id"]]
    if action["principle"] is not None:
        return _(PRINCIPLE_WORDS.get(action["principle"], action["principle"]))
    return _(SAID_BY_SOMEONE_WHO_LEFT)


def _action_views(tx: Transaction, where: dict) -> list[ActionView]:
    said = {s["suggestion_id"]: s["text"] for s in tx.select("suggestions")}
    out = []
    for a in tx.select("actions", where, order_by="action_id"):
        you_said = what_it_answers(a, said)
        out.append(ActionView(a["action_id"], a["session_id"], you_said, a["text"],
                              a["status"], a["reason"] or "", a["suggestion_id"],
                              a["principle"]))
    return out


def since_last_time(store: Store, session_id: int) -> list[ActionView]:
    """What was done with the feedback of earlier feedback sessions, as everyone sees it."""
    with store.read() as tx:
        earlier = [s["session_id"] for s in tx.select("sessions", {"activity": "feedback"})
                   if s["session_id"] < session_id]
        return _action_views(tx, {"session_id": earlier})


class FeedbackSession:
    """One feedback session, as seen from one kernel.

    A person's kernel remembers the number of the ladder answer it wrote, so
    the person can move it while the page is open; the database does not.
    """

    def __init__(self, store: Store, session_id: int):
        self.store = store
        self.session_id = session_id
        self._my_ladder: dict[str, int] = {}   # participant id -> answer number

    # -- participants --------------------------------------------------------
    def check_in(self, actor: Participant, moment: object, feeling: object, *,
                 follow_up: object = False, keep: object = False) -> None:
        """Say how one is at the start or the end; ask to be checked on afterwards."""
        moment = choose(moment, MOMENTS, what=N_("the start or the end"))
        feeling = choose(feeling, FEELINGS, what=N_("how you are (or 'prefer not to say')"))
        follow_up = _flag(follow_up, N_("someone checking on you"))
        keep = _flag(keep, N_("keeping your answer"))
        with self.store.transaction() as tx:
            require_open(tx, self.session_id)
            taking_part(tx, actor, "check in")
            where = {"session_id": self.session_id, "participant_id": actor.participant_id,
                     "moment": moment}
            row = {"feeling": feeling, "keep": keep, "created_at": tx.now()}
            tx.upsert("check_ins", where, row)
            asked = tx.select("follow_ups", where)
            if follow_up and not asked:
                tx.insert("follow_ups", where)
            elif follow_up and asked[0]["done_at"]:
                tx.update("follow_ups", where, {"done_at": None, "created_at": tx.now()})
            elif not follow_up and asked and not asked[0]["done_at"]:
                tx.delete("follow_ups", where)

    def my_check_ins(self, actor: Participant) -> dict[str, dict]:
        """The person's own check-ins in this session (moment -> row with follow_up)."""
        with self.store.read() as tx:
            where = {"session_id": self.session_id, "participant_id": actor.participant_id}
            asked = {r["moment"] for r in tx.select("follow_ups", where) if not r["done_at"]}
            return {r["moment"]: {**r, "follow_up": r["moment"] in asked}
                    for r in tx.select("check_ins", where)}

    def give_feedback(self, actor: Participant, ratings: object, change: object, *,
                      anonymous: object = True) -> int:
        """Rate the session by principle and say what should change; each part optional.

        ``ratings`` maps a principle to 1-4 or None (not rated). A rating given
        again replaces the earlier one. Returns how many things were saved.
        """
        if not isinstance(ratings, dict):
            raise InvalidInput(_("Please choose your ratings from the list."))
        checked = {}
        for principle, rating in ratings.items():
            principle = choose(principle, PRINCIPLES, what=N_("a principle"))
            if rating is not None:
                checked[principle] = whole_number(rating, what=N_("a rating"), low=1, high=4)
        change = clean_text(change, what=N_("what should change"), max_length=SUGGESTION_MAX,
                            required=False, multiline=True)
        anonymous = _flag(anonymous, N_("leaving your name off"))
        if not checked and not change:
            raise InvalidInput(_("Please choose a rating or type what should change first."))
        with self.store.transaction() as tx:
            require_open(tx, self.session_id)
            taking_part(tx, actor, "feedback")
            credit = "anonymous" if anonymous else actor.credit
            for principle, rating in checked.items():
                where = {"session_id": self.session_id, "author_id": actor.participant_id,
                         "principle": principle}
                tx.upsert("principle_ratings", where,
                          {"rating": rating, "credit": credit, "created_at": tx.now()})
            if change:
                tx.insert("suggestions", {"session_id": self.session_id, "text": change,
                                          "author_id": actor.participant_id,
                                          "credit": credit})
        return len(checked) + bool(change)

    def my_ratings(self, actor: Participant) -> dict[str, int]:
        rows = self.store.select("principle_ratings", {"session_id": self.session_id,
                                                       "author_id": actor.participant_id})
        return {r["principle"]: r["rating"] for r in rows}

    def place_on_ladder(self, actor: Participant, rung: object) -> None:
        """Place the project on the ladder, anonymously; once per session.

        While the page is open the person can move their answer; after that
        nobody, the database included, knows which answer was theirs.
        """
        rung = choose(rung, LADDER_RUNGS, what=N_("a step on the ladder"))
        with self.store.transaction() as tx:
            require_open(tx, self.session_id)
            taking_part(tx, actor, "ladder")
            mine = self._my_ladder.get(actor.participant_id)
            if mine is not None and tx.select("ladder_answers", {"answer_id": mine}):
                tx.update("ladder_answers", {"answer_id": mine}, {"rung": rung})
                return
            answered = {"session_id": self.session_id, "participant_id": actor.participant_id}
            if tx.select("ladder_answered", answered):
                raise InvalidInput(_("You have already placed the project in this session. "
                                   "Thank you."))
            tx.insert("ladder_answered", {**answered,
                                          "answered_id": _random_number(self.store)})
            number = _random_number(self.store)
            tx.insert("ladder_answers", {"answer_id": number, "session_id": self.session_id,
                                         "rung": rung})
        self._my_ladder[actor.participant_id] = number

    def has_placed(self, actor: Participant) -> bool:
        return bool(self.store.select("ladder_answered", {
            "session_id": self.session_id, "participant_id": actor.participant_id}))

    def may_place(self, actor: Participant) -> bool:
        """True until the person placed the project, and while this page may move it."""
        return actor.participant_id in self._my_ladder or not self.has_placed(actor)

    def ladder_spread(self) -> Counter:
        """How many placed the project on each step: the whole group sees this."""
        return Counter(r["rung"] for r in self.store.select(
            "ladder_answers", {"session_id": self.session_id}))

    # -- the facilitator -----------------------------------------------------
    def add_action(self, text: object, status: object = "planned", reason: object = "", *,
                   suggestion_id: object = None, principle: object = None) -> int:
        """Turn feedback into an action, linked to the suggestion or principle it answers."""
        text = clean_text(text, what=N_("what you will do"), max_length=ACTION_MAX)
        status, reason = self._checked_status(status, reason)
        if principle is not None:
            principle = choose(principle, PRINCIPLES, what=N_("a principle"))
        with self.store.transaction() as tx:
            session_row(tx, self.session_id)
            if suggestion_id is not None:
                if not _whole(suggestion_id) or not tx.select("suggestions", {
                        "suggestion_id": suggestion_id, "session_id": self.session_id}):
                    refused("action", "unknown suggestion")
                    raise InvalidInput(_("That suggestion is not part of this session."))
            elif principle is None:
                raise InvalidInput(_("Please link the action to a suggestion or a principle."))
            return tx.insert("actions", {"session_id": self.session_id,
                                         "suggestion_id": suggestion_id,
                                         "principle": principle, "text": text,
                                         "status": status, "reason": reason or None})

    def update_action(self, action_id: object, status: object, reason: object = "") -> None:
        """Move an action on: planned, being done, done, or not possible (with why)."""
        status, reason = self._checked_status(status, reason)
        with self.store.transaction() as tx:
            if not _whole(action_id) or not tx.select("actions", {
                    "action_id": action_id, "session_id": self.session_id}):
                raise InvalidInput(_("That action is not part of this session."))
            tx.update("actions", {"action_id": action_id},
                      {"status": status, "reason": reason or None, "updated_at": tx.now()})

    @staticmethod
    def _checked_status(status: object, reason: object) -> tuple[str, str]:
        status = choose(status, ACTION_STATUSES, what=N_("where the action is"))
        reason = clean_text(reason, what=N_("the reason"), max_length=REASON_MAX, required=False)
        if status == "not_possible" and not reason:
            raise InvalidInput(_("Please say in plain words why it is not possible. "
                               "Everyone will see the reason."))
        return status, reason

    def mark_follow_up_done(self, follow_up_id: object) -> None:
        """Say someone was checked on (requests from earlier sessions too)."""
        with self.store.transaction() as tx:
            if not _whole(follow_up_id) or not tx.select("follow_ups", {
                    "follow_up_id": follow_up_id}):
                raise InvalidInput(_("That request is no longer there."))
            tx.update("follow_ups", {"follow_up_id": follow_up_id}, {"done_at": tx.now()})

    def picture(self) -> Picture:
        """What the console shows: counts, follow-up names, suggestions and actions."""
        sid = {"session_id": self.session_id}
        with self.store.read() as tx:
            group = tx.select("workshop")[0]["group_name"]
            people = {p["participant_id"]: p for p in tx.select("participants")}
            names = {pid: p["pseudonym"] for pid, p in people.items()}
            feelings = {m: Counter() for m in MOMENTS}
            for r in tx.select("check_ins", sid):
                feelings[r["moment"]][r["feeling"]] += 1
            answers = {m: sum(c.values()) for m, c in feelings.items()}
            feelings = {m: suppress_parts(dict(c)) if answers[m] >= PICTURE_MIN else {}
                        for m, c in feelings.items()}
            # requests still waiting from any session, and this session's done ones
            follow_ups = tuple((r["follow_up_id"], names.get(r["participant_id"], "?"),
                                r["moment"], r["done_at"] is not None)
                               for r in tx.select("follow_ups")
                               if r["done_at"] is None or r["session_id"] == self.session_id)
            counted = {p: Counter() for p in PRINCIPLES}
            for r in tx.select("principle_ratings", sid):
                counted[r["principle"]][r["rating"]] += 1
            ratings = {p: suppress_parts(dict(c)) for p, c in counted.items()}
            suggestions = tuple(
                (r["suggestion_id"], r["text"],
                 credited_as(r, people.get(r["author_id"]), group_name=group))
                for r in tx.select("suggestions", sid))
            ladder = Counter(r["rung"] for r in tx.select("ladder_answers", sid))
            actions = tuple(_action_views(tx, sid))
        return Picture(answers, feelings, follow_ups, ratings, suggestions, ladder, actions)


def paper_form(store: Store):
    """The paper form: how you are, the session against the six principles, with
    faces, and what should change."""
    from ..core.sessions import current_session
    from ..paper_forms import Choose, PaperForm, Part, Say, Write

    row = current_session(store, "feedback")
    feelings = tuple((face, _(w)) for face, w in FEELING_WORDS.values())
    ratings = tuple((RATING_FACES[n], _(w)) for n, w in RATING_WORDS.items())
    return PaperForm(_("How are you, and how did it go?"), row["session_id"] if row else None, (
        Part(_("How are you?"), (
            Say(_("This is private. Only the number of people who feel each way is shown.")),
            Choose(_("When is this?"), tuple(("", _(w)) for w in MOMENT_WORDS.values())),
            Choose(_("How do you feel?"), feelings),
            Choose(_("Would you like someone to check on you afterwards?"),
                   (("", _("Yes, please")), ("", _("No, thank you")))))),
        Part(_("How did today go?"), (
            Say(_("Answer only what you want to.")),
            *(Choose(_(words), ratings) for words in PRINCIPLE_WORDS.values()))),
        Part(_("What should change?"), (Write(_("Tell us here:"), 3),)),
        Part(_("How much are we part of this project?"), (
            Say(_("Nobody sees your answer. Everyone sees how many chose each step.")),
            Choose(_("Which step are we on?"),
                   tuple(("", _(w)) for w in LADDER_WORDS.values()))))),
        row["title"] if row else "")


ACTIVITY = Activity(
    name="feedback", title=N_("Feedback"), tables=tuple(t.name for t in FEEDBACK_TABLES),
    page="widgets.feedback:FeedbackBoard", console="widgets.feedback:FeedbackConsole",
    screen="widgets.feedback:FeedbackScreen",
    demo="coproduction.demo:feedback_step",
    paper_form="coproduction.activities.feedback:paper_form",
    evaluated_in=("principles", "responsiveness", "care"))
