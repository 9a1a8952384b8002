"""Each staff member's own page: positionality, a journal, debriefs and who supports them.

Staff join like everyone else (the join page's staff link only picks the role for them),
check in and out of each session like everyone else, and then have, on their own page,
the guidance's reflection exercise (every label for yourself, then for someone you walk
alongside; was it easy, was it complex, what questions did it raise), a private journal,
a short debrief after each session, and the name of who supports them.

All of it is kept to its writer (``Table.kept_to_self``): only their own page shows it,
never the console, the room screen, a log, another page or any export. They can erase
any of it, or all of it, whenever they wish, and it goes with the rest of their data
when they leave; the workshop file is then cleared of it (``Store.compact``). The
evaluation only counts sessions that had a debrief, with small numbers hidden.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.languages import N_, _
from ..core.participants import STAFF_ROLES, Participant, taking_part
from ..core.validation import InvalidInput, choose, clean_text, refused
from ..store import Store, Transaction
from ..store.schema import REFLECTION_PROMPTS, TABLES

#: The reflection exercise, one prompt at a time, then the journal (schema order).
PROMPT_WORDS = {
    "labels_me": N_("Write every label you can think of for yourself, including "
                    "relationships: for example sister, support worker, home owner."),
    "labels_other": N_("Now do the same for someone you are walking alongside in your work "
                       "right now. Use no name."),
    "easy": N_("Was it easy?"),
    "complex": N_("Was it complex?"),
    "questions": N_("What questions did it raise for you?"),
    "journal": N_("Your journal: anything about power, your own experiences, or the work."),
}
#: Each part's short name, for the list of what was written.
PROMPT_NAMES = {"labels_me": N_("Labels for me"),
                "labels_other": N_("Labels for someone I walk alongside"),
                "easy": N_("Was it easy?"), "complex": N_("Was it complex?"),
                "questions": N_("Questions it raised"), "journal": N_("Journal")}
#: How long staff may write, each time.
WRITE_MOST = TABLES["staff_reflections"].field("text").max_length
#: How much of a hard session counts: a pause, a pause signal or a blanked room screen
#: between a session's opening and its close.
HARD_MOMENTS = (("pauses", "created_at"), ("pause_signals", "created_at"),
                ("screen_blanks", "created_at"))


def has_staff_pages(person: Participant | None) -> bool:
    return person is not None and person.role in STAFF_ROLES


def _staff(tx: Transaction, person: object, action: str) -> dict:
    """The trust boundary for the staff pages: the writer themselves, on their own device,
    still taking part, as staff."""
    row = taking_part(tx, person, action)
    if person.entry is not None:  # typed in at the console: this page is the writer's own
        refused(action, "staff page written for someone")
        raise InvalidInput(_("Only the staff member can write on their own page."))
    if row["role"] not in STAFF_ROLES:
        refused(action, "not staff")
        raise InvalidInput(_("These pages are for staff. You can change why you take part "
                             "when you join."))
    return row


def write_reflection(store: Store, person: Participant, prompt: object, text: object) -> int:
    """Keep one answer to the reflection exercise, or one journal entry."""
    prompt = choose(prompt, REFLECTION_PROMPTS, what=N_("which part of the reflection"))
    words = clean_text(text, what=N_("your reflection"), multiline=True, max_length=WRITE_MOST)
    with store.transaction() as tx:
        _staff(tx, person, "reflect")
        return tx.insert("staff_reflections", {"participant_id": person.participant_id,
                                               "prompt": prompt, "text": words,
                                               "written_at": tx.now()})


def reflections(store: Store, person: Participant) -> list[dict]:
    """What the person wrote, oldest first: only ever shown on their own page."""
    return store.select("staff_reflections", {"participant_id": person.participant_id},
                        order_by="reflection_id")


@dataclass(frozen=True)
class Erased:
    rows: int
    #: False while another program still holds the old file (cleared on the next try).
    cleared: bool


def erase_reflection(store: Store, person: Participant, reflection_id: object) -> Erased:
    """Erase one of the person's own reflections from the workshop and its file."""
    with store.transaction() as tx:
        _staff(tx, person, "erase reflection")
        gone = tx.delete("staff_reflections", {"participant_id": person.participant_id,
                                               "reflection_id": reflection_id}) if isinstance(
            reflection_id, int) and not isinstance(reflection_id, bool) else 0
    if not gone:
        raise InvalidInput(_("That is not one of yours, or it is already erased."))
    return Erased(gone, store.compact())


def erase_everything(store: Store, person: Participant) -> Erased:
    """Erase every reflection, debrief and the supporter the person wrote."""
    with store.transaction() as tx:
        _staff(tx, person, "erase staff pages")
        gone = sum(tx.delete(table, {"participant_id": person.participant_id})
                   for table in kept_to_self())
    return Erased(gone, store.compact() if gone else True)


def kept_to_self() -> list[str]:
    return [t.name for t in TABLES.values() if t.kept_to_self]


def name_supporter(store: Store, person: Participant, supporter: object) -> None:
    """Who supports the person (empty: nobody named)."""
    words = clean_text(supporter, what=N_("who supports you"), required=False,
                       max_length=TABLES["staff_supporters"].field("supporter").max_length)
    with store.transaction() as tx:
        _staff(tx, person, "name supporter")
        if not words:
            tx.delete("staff_supporters", {"participant_id": person.participant_id})
            return
        tx.upsert("staff_supporters", {"participant_id": person.participant_id},
                  {"supporter": words, "updated_at": tx.now()})


def supporter(store: Store, person: Participant) -> str:
    rows = store.select("staff_supporters", {"participant_id": person.participant_id})
    return rows[0]["supporter"] if rows else ""


def write_debrief(store: Store, person: Participant, session_id: object, *, heavy: object = "",
                  helped: object = "", talk_to: object = "") -> None:
    """The person's debrief of a session (written again: the new words replace it)."""
    fields = TABLES["staff_debriefs"]
    words = {name: clean_text(value, what=what, required=False, multiline=name != "talk_to",
                              max_length=fields.field(name).max_length)
             for name, value, what in (("heavy", heavy, N_("what was heavy")),
                                       ("helped", helped, N_("what helped")),
                                       ("talk_to", talk_to, N_("who you will talk to")))}
    if not any(words.values()):
        raise InvalidInput(_("Please write something first."))
    with store.transaction() as tx:
        _staff(tx, person, "debrief")
        if isinstance(session_id, bool) or not isinstance(session_id, int) or not tx.count(
                "sessions", {"session_id": session_id}):
            raise InvalidInput(_("Please choose a session from the list."))
        tx.upsert("staff_debriefs", {"participant_id": person.participant_id,
                                     "session_id": session_id},
                  {**{k: v or None for k, v in words.items()}, "written_at": tx.now()})


def debriefs(store: Store, person: Participant) -> dict[int, dict]:
    """The person's debriefs, by session."""
    return {row["session_id"]: row for row in store.select(
        "staff_debriefs", {"participant_id": person.participant_id})}


def hard_sessions(store: Store) -> list[dict]:
    """Closed sessions, newest first, during which the workshop paused, someone asked for
    a pause, or the room screen was blanked."""
    with store.read() as tx:
        moments = sorted(row[column] for table, column in HARD_MOMENTS
                         for row in tx.select(table))
        sessions = tx.select("sessions", {"status": "closed"}, order_by="session_id DESC")
    return [s for s in sessions if any(
        (s["opened_at"] or s["created_at"])[:16] <= m <= s["closed_at"] for m in moments)]


def debrief_due(store: Store, person: Participant) -> dict | None:
    """The latest hard session (:func:`hard_sessions`) the person was there for (it
    closed after they joined) and has not debriefed."""
    done = debriefs(store, person)
    rows = store.select("participants", {"participant_id": person.participant_id})
    joined = rows[0]["joined_at"] if rows else ""
    return next((s for s in hard_sessions(store)
                 if s["session_id"] not in done and s["closed_at"] > joined), None)
