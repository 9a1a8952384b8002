"""Sessions and their rounds: set up, opened and closed by the facilitator.

Every activity runs inside a session. Participants can add things only while
its round is open; the check happens inside the same transaction as the
write, so a click that arrives after closing changes nothing.
"""

from __future__ import annotations

from ..store import Store, Transaction
from ..store.schema import ACTIVITIES, SCREEN_CHOICES, TABLES
from .languages import N_, _
from .validation import InvalidInput, choose, clean_text, whole_number

#: A session's status as the console says it.
STATUS_WORDS = {"planned": N_("not opened yet"), "open": N_("open now"), "closed": N_("closed")}
ROUND_CLOSED = (N_("This round is closed, so nothing new can be added just now. "
                "What you typed is still in the box."))


def create_session(store: Store, activity: str, title: object) -> int:
    """Set up a session (not yet open) and return its number."""
    activity = choose(activity, ACTIVITIES, what=N_("an activity"))
    title = clean_text(title, what=N_("a name for the session"), max_length=200)
    with store.transaction() as tx:
        return tx.insert("sessions", {"activity": activity, "title": title,
                                      "status": "planned"})


def open_round(store: Store, session_id: int) -> None:
    with store.transaction() as tx:
        session_row(tx, session_id)
        tx.update("sessions", {"session_id": session_id},
                  {"status": "open", "opened_at": tx.now()})


def close_round(store: Store, session_id: int) -> None:
    with store.transaction() as tx:
        session_row(tx, session_id)
        tx.update("sessions", {"session_id": session_id},
                  {"status": "closed", "closed_at": tx.now()})


def session_row(tx: Transaction, session_id: object) -> dict:
    rows = tx.select("sessions", {"session_id": session_id}) if isinstance(
        session_id, int) and not isinstance(session_id, bool) else []
    if not rows:
        raise InvalidInput(_("That session does not exist."))
    return rows[0]


def require_open(tx: Transaction, session_id: int) -> dict:
    """The session, if its round is open; else a plain refusal."""
    row = session_row(tx, session_id)
    if row["status"] != "open":
        raise InvalidInput(ROUND_CLOSED)
    return row


def current_session(store: Store, activity: str) -> dict | None:
    """The session participants should see: the open one, else the one the facilitator
    touched last (set up, opened or closed): a round just closed stays in front of the
    room with its result, rather than an older session made after it."""
    rows = store.select("sessions", {"activity": activity}, order_by="session_id")
    open_rows = [r for r in rows if r["status"] == "open"]
    if open_rows or not rows:
        return (open_rows or [None])[-1]
    return max(rows, key=lambda r: (max(r["created_at"], r["opened_at"] or "",
                                        r["closed_at"] or ""), r["session_id"]))


def activity_now(store: Store) -> str:
    """The activity the facilitator has open: the one every participant's page shows."""
    return store.workshop().get("activity_now") or ACTIVITIES[0]


def open_activity(store: Store, activity: object) -> str:
    """Move the whole room to ``activity``: every page already joined follows it live."""
    activity = choose(activity, ACTIVITIES, what=N_("an activity"))
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        if workshop.get("activity_now") != activity:
            tx.update("workshop", {"workshop_id": workshop["workshop_id"]},
                      {"activity_now": activity})
    return activity


#: The most places the console adds at one time.
MOST_PLACES_AT_ONCE = 100


def add_places(store: Store, places: object) -> int:
    """Let ``places`` more people have a page open at once, without a restart; return
    how many the console has added in all (the participants' server reads it)."""
    places = whole_number(places, what=N_("the number of places to add"), low=1,
                          high=MOST_PLACES_AT_ONCE)
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        added = min(10000, (workshop.get("extra_places") or 0) + places)
        tx.update("workshop", {"workshop_id": workshop["workshop_id"]}, {"extra_places": added})
    return added


def open_activities(store: Store) -> set[str]:
    """The activities with a round open now (people can still add to them)."""
    return {row["activity"] for row in store.select("sessions", {"status": "open"})}


#: The room screen's choices as the console names them.
SCREEN_WORDS = {"follow": N_("What participants see now"), "blank": N_("Nothing (the screen is blank)")}


def screen_shows(store: Store) -> str:
    """What the room screen shows now: an activity's name, or "blank"."""
    choice = store.workshop().get("screen") or "follow"
    return activity_now(store) if choice == "follow" else choice


def put_on_screen(store: Store, choice: object) -> str:
    """Choose what the room screen shows: "follow" (the activity participants see), one
    activity, or "blank" (at once, for a pause or a hard moment)."""
    choice = choose(choice, SCREEN_CHOICES, what=N_("what the room screen shows"))
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        if workshop.get("screen") != choice:
            tx.update("workshop", {"workshop_id": workshop["workshop_id"]}, {"screen": choice})
            if choice == "blank":  # a hard moment: staff are asked for a debrief after
                tx.insert("screen_blanks", {})
    return choice


def hold_new(store: Store, hold: object) -> None:
    """While ``hold`` is true, new wordings and hard words wait for the facilitator
    (:func:`release_held`) before the board and the room screen show them."""
    if not isinstance(hold, bool):
        raise InvalidInput(_("Please say whether to hold new contributions."))
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        tx.update("workshop", {"workshop_id": workshop["workshop_id"]}, {"screen_hold": hold})


def _held_tables() -> list[str]:
    return [t.name for t in TABLES.values() if "held" in t.columns]


def held_count(store: Store) -> int:
    """How many contributions wait for the facilitator to release them."""
    with store.read() as tx:
        return sum(tx.count(name, {"held": True}) for name in _held_tables())


def release_held(store: Store) -> int:
    """Let every held contribution onto the board and the room screen; how many."""
    with store.transaction() as tx:
        return sum(tx.update(name, {"held": True}, {"held": False}) for name in _held_tables())
