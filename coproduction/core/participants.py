"""Joining a workshop under a chosen name, and coming back as the same person.

A person reads what taking part means (:mod:`coproduction.privacy.consent`), then
joins with the workshop code, a name to be known by (a pseudonym) and their
choices. They get a random id and a secret rejoin key; the page keeps the key
in its address, so a reload brings them back. The database keeps only a hash
of the key.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass, replace

from ..store import Store, Transaction, hash_key
from ..store.schema import CREDIT_MODES, ROLES, SETTLEMENTS, TABLES
from .languages import N_, SOURCE, _, ngettext, speaking
from .promises import information_version
from .validation import InvalidInput, choose, clean_text, count_action, refused

PSEUDONYM_MAX = 40
DISPLAY_NAME_MAX = 80
#: Who typed something in at the console, and the paper form's number: as long as these.
ENTERED_BY_MAX = 80
SHEET_MAX = 20


@dataclass(frozen=True)
class Entry:
    """Someone at the console typing in, with a person, what they said aloud (``spoken``)
    or wrote on paper (``paper``). Every row saved while it applies says so, and who typed
    it in, and waits to be read back to the person (:func:`confirm_read_back`)."""

    source: str
    entered_by: str
    sheet: str | None = None

    def columns(self) -> dict:
        return {"source": self.source, "entered_by": self.entered_by, "read_back": False,
                "sheet": self.sheet}


#: What a row typed on the person's own device says about how it came.
ON_A_DEVICE = {"source": "device", "entered_by": None, "read_back": None, "sheet": None}


@dataclass(frozen=True)
class Participant:
    participant_id: str
    pseudonym: str
    role: str
    credit: str
    status: str
    #: Set while someone at the console enters for this person (:func:`speaking_with`).
    entry: Entry | None = None
    #: The language the person chose for their pages (a code).
    language: str = "en"

    @classmethod
    def from_row(cls, row: dict) -> "Participant":
        return cls(row["participant_id"], row["pseudonym"], row["role"], row["credit"],
                   row["status"], language=row.get("language") or "en")


#: The room as a viewer (the room screen): sees what every participant sees, owns nothing.
THE_ROOM = Participant("", "the room", "not_said", "anonymous", "active")


def stand_in(tx: Transaction) -> str:
    """A new "someone who left": a person row with no link to anyone, to hold words the
    group keeps after their author withdrew. Returns its id."""
    return tx.insert("participants", {
        "participant_id": f"p-gone-{secrets.token_hex(5)}",
        "pseudonym": f"someone who left {secrets.token_hex(3)}", "role": "not_said",
        "credit": "anonymous", "display_name": None, "contact_ok": False,
        "status": "withdrawn", "key_hash": hash_key(secrets.token_urlsafe(24)),
        "joined_on": "device", "language": "en", "joined_at": "1970-01-01T00:00:00.000Z"})


def tell_group(tx: Transaction, message: str | tuple[str, str], count: int | None = None,
               **values: object) -> None:
    """Tell the whole group (every page shows it), once: the same words are not posted
    twice in one transaction. Never name anyone in the notice.

    ``message`` is one of the kit's texts (``N_``) with ``{places}`` for ``values``, or a
    text and its plural (``N_plural``) for a ``count``: the notice keeps them
    (``said``), so that every page
    shows it in its own language (:func:`notice_words`); its ``text`` is the English.
    A notice that would be longer than a notice may be is cut at a word, so that telling
    the group can never stop what it tells about (a withdrawal once failed on it).
    """
    singular, plural = (message, None) if isinstance(message, str) else message
    said = {"m": singular, "p": plural, "n": count, "v": values}
    with speaking(SOURCE):
        text = notice_words({"said": json.dumps(said)})
    most = TABLES["notices"].field("text").max_length
    if len(text) > most:
        text = text[:most - 1].rsplit(" ", 1)[0] + "…"
    if not getattr(tx, "told", None):
        tx.told = set()
    if text not in tx.told:
        tx.told.add(text)
        tx.insert("notices", {"text": text, "said": json.dumps(said, ensure_ascii=False)})


def notice_words(notice: dict) -> str:
    """A group notice in the page's language (an old notice, kept as text only, as it was
    written)."""
    try:
        said = json.loads(notice.get("said") or "null")
    except ValueError:
        said = None
    if not isinstance(said, dict) or not isinstance(said.get("m"), str):
        return notice.get("text") or ""
    words = (ngettext(said["m"], said["p"], said["n"]) if said.get("p") and
             isinstance(said.get("n"), int) else _(said["m"]))
    try:
        return words.format(**(said.get("v") or {}))
    except (KeyError, IndexError, ValueError):  # a translation that lost a place
        return notice.get("text") or said["m"]


def checked_choices(credit: object, contact_ok: object, display_name: object) -> dict:
    """A person's choices about credit and contact, checked; raises InvalidInput."""
    credit = choose(credit, CREDIT_MODES, what=N_("how you want to be credited"))
    if not isinstance(contact_ok, bool):
        raise InvalidInput(_("Please say whether we may contact you afterwards."))
    name = clean_text(display_name, what=N_("the name to show"), max_length=DISPLAY_NAME_MAX,
                      required=credit == "named")
    return {"credit": credit, "contact_ok": contact_ok, "display_name": name or None}


def record_consent(tx: Transaction, participant_id: str, choices: dict, info_version: str,
                   take_part: bool = True, *, taken_by: str | None = None,
                   settlement: str | None = None) -> None:
    tx.insert("consents", {"participant_id": participant_id, "take_part": take_part,
                           "credit": choices["credit"], "contact_ok": choices["contact_ok"],
                           "info_version": info_version, "taken_by": taken_by,
                           "settlement": settlement})


def _name_free(tx: Transaction, name: str) -> None:
    taken = {row["pseudonym"].casefold() for row in tx.select("participants")}
    if name.casefold() in taken:
        raise InvalidInput(_("Someone here already uses that name. Please pick another "
                           "one, or add a letter or number to it."))


class WrongCode(InvalidInput):
    """The workshop code given is not this workshop's (the page then asks for it)."""


def join_workshop(store: Store, *, code: object, pseudonym: object,
                  role: object = "not_said", credit: object = "pseudonym",
                  contact_ok: object = False, display_name: object = None,
                  info_version: str | None = None,
                  language: object = None) -> tuple[Participant, str]:
    """Add a person who chose to take part; return them and their rejoin key.

    ``info_version`` is the version of the information the person was shown
    (:func:`coproduction.core.promises.information_version`); if the information
    changed since, they are asked to read it again. The key is shown once and
    never stored.
    """
    typed_code = clean_text(code, what=N_("the workshop code"), max_length=40)
    name = clean_text(pseudonym, what=N_("a name to be known by"), max_length=PSEUDONYM_MAX)
    role = choose(role, ROLES, what=N_("why you are taking part"))
    choices = checked_choices(credit, contact_ok, display_name)
    key = secrets.token_urlsafe(18)
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        language = _spoken_here(workshop, language)
        if typed_code.replace(" ", "").upper() != workshop["code"].upper():
            raise WrongCode(_("That workshop code does not match. Please check it with "
                            "the facilitator."))
        current = information_version(workshop)
        if info_version is not None and info_version != current:
            raise InvalidInput(_("The information about taking part has just changed. "
                               "Please read it again, then choose."))
        _name_free(tx, name)
        row = {"participant_id": store.new_id("p"), "pseudonym": name, "role": role,
               "status": "active", "key_hash": hash_key(key), "joined_on": "device",
               "language": language, **choices}
        tx.insert("participants", row)
        record_consent(tx, row["participant_id"], choices, current)
    return Participant.from_row(row), key


def workshop_languages(workshop: dict) -> list[str]:
    """The codes of the languages people can choose in this workshop, the default first."""
    return [code for code in (workshop.get("languages") or "en").split(",") if code]


def _spoken_here(workshop: dict, language: object) -> str:
    """``language`` if the workshop offers it; None or "" means the workshop's first."""
    offered = workshop_languages(workshop)
    if language in (None, ""):
        return offered[0]
    return choose(language, tuple(offered), what=N_("a language"))


def choose_language(store: Store, person: Participant, language: object) -> Participant:
    """The person's pages speak ``language`` from now on (one of the workshop's)."""
    with store.transaction() as tx:
        me = taking_part(tx, person, "language")
        code = _spoken_here(tx.select("workshop")[0], language)
        tx.update("participants", {"participant_id": me["participant_id"]}, {"language": code})
    return replace(person, language=code)


def rejoin(store: Store, key: object) -> Participant | None:
    """The person whose rejoin key this is, if they are still taking part."""
    if not isinstance(key, str) or not 10 <= len(key) <= 64:
        return None
    rows = store.select("participants", {"key_hash": hash_key(key), "status": "active"})
    return Participant.from_row(rows[0]) if rows else None


def find_participant(store: Store, participant_id: str) -> Participant | None:
    with store.read() as tx:
        row = active_row(tx, participant_id)
    return Participant.from_row(row) if row else None


def active_row(tx: Transaction, participant_id: object) -> dict | None:
    """The person row of ``participant_id`` if they are still taking part, else None."""
    rows = tx.select("participants", {"participant_id": participant_id,
                                      "status": "active"}) if isinstance(
        participant_id, str) else []
    return rows[0] if rows else None


def taking_part(tx: Transaction, actor: object, action: str, *, allowance: str = "act"
                ) -> dict:
    """The trust boundary: every action a person asks for passes here, in its transaction.

    ``actor`` must be a joined :class:`Participant` who is still taking part; the action
    is counted against the page's ``allowance`` (:func:`validation.count_action`), so a
    flood from one page is refused whoever it claims to come from. Returns the person's
    row; a plain :class:`InvalidInput` otherwise, logged without naming anyone.
    """
    if not isinstance(actor, Participant):
        refused(action, "no participant")
        raise InvalidInput(_("Please join the workshop first."))
    count_action(allowance)
    row = active_row(tx, actor.participant_id)
    if row is None:
        refused(action, "not an active participant")
        raise InvalidInput(_("You are no longer taking part in this workshop."))
    # What this action saves says how it came (see Transaction.insert), and waits for
    # the facilitator when the room screen holds new contributions.
    tx.entry = actor.entry.columns() if actor.entry else ON_A_DEVICE
    tx.hold = bool(tx.select("workshop")[0]["screen_hold"])
    return row


def speaking_with(store: Store, participant_id: object, *, source: object,
                  entered_by: object, sheet: object = None) -> Participant:
    """The person ``participant_id`` as someone at the console enters for them what they
    said aloud or wrote on paper: every engine action then takes this as its actor.

    Only for someone who joined (on a device or on paper) and is still taking part:
    entering for a person is speaking with them, never for someone who has not agreed.
    """
    source = choose(source, {"spoken": "", "paper": ""}, what=N_("said aloud or on paper"))
    by = clean_text(entered_by, what=N_("who is typing this in"), max_length=ENTERED_BY_MAX)
    sheet = clean_text(sheet, what=N_("the sheet number"), max_length=SHEET_MAX, required=False)
    person = find_participant(store, participant_id)
    if person is None:
        raise InvalidInput(_("That person is not taking part (or no longer is): they join "
                           "first, on a device or on paper, and agree to take part."))
    return replace(person, entry=Entry(source, by, sheet or None))


def join_on_paper(store: Store, *, pseudonym: object, taken_by: object,
                  info_version: object, role: object = "not_said",
                  credit: object = "pseudonym", contact_ok: object = False,
                  display_name: object = None, settlement: object = None,
                  language: object = None) -> Participant:
    """Add a person taking part on paper: the facilitator read them the information
    (``info_version`` is the version read) and took their decision in the room.

    The consent row keeps who took it, the version read, the person's credit choice and
    how they want to be paid. They get a rejoin key too, so a card
    (:func:`new_rejoin_key`) can take them to a device later.
    """
    name = clean_text(pseudonym, what=N_("a name to be known by"), max_length=PSEUDONYM_MAX)
    by = clean_text(taken_by, what=N_("who read them the information"), max_length=ENTERED_BY_MAX)
    role = choose(role, ROLES, what=N_("why they are taking part"))
    choices = checked_choices(credit, contact_ok, display_name)
    if settlement not in (None, ""):
        settlement = choose(settlement, SETTLEMENTS, what=N_("how they want to be paid"))
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        language = _spoken_here(workshop, language)
        if info_version != information_version(workshop):
            raise InvalidInput(_("The information about taking part has just changed. Please "
                               "read it to them again, then take their choice."))
        _name_free(tx, name)
        row = {"participant_id": store.new_id("p"), "pseudonym": name, "role": role,
               "status": "active", "key_hash": hash_key(secrets.token_urlsafe(18)),
               "joined_on": "paper", "language": language, **choices}
        tx.insert("participants", row)
        record_consent(tx, row["participant_id"], choices, info_version, taken_by=by,
                       settlement=settlement or None)
    return Participant.from_row(row)


#: The roles whose pages include a staff member's own private pages (coproduction.running).
STAFF_ROLES = ("staff", "both")


def new_rejoin_key(store: Store, participant_id: object) -> str:
    """A new rejoin key for a person (an old card or link stops working), to print on a
    card so that someone taking part on paper can carry on from a device.

    Never for staff: the card is made at the console, and their page holds what only
    they may read (their reflections and debriefs)."""
    key = secrets.token_urlsafe(18)
    with store.transaction() as tx:
        row = active_row(tx, participant_id)
        if row is None:
            raise InvalidInput(_("That person is no longer taking part."))
        if row["role"] in STAFF_ROLES:
            raise InvalidInput(_("Staff keep their own page on their own device: it holds "
                                 "what only they may read, so there is no card for it."))
        tx.update("participants", {"participant_id": participant_id},
                  {"key_hash": hash_key(key)})
    return key


def _author_column(table) -> str:
    """The column that names the person a row is of, as the schema says it."""
    return next(f.name for f in table.fields if f.references == "participants.participant_id")


def confirm_read_back(store: Store, participant_id: object, entered_by: object) -> int:
    """Everything ``entered_by`` typed in for the person and has not yet read back is now
    read back and agreed by them; returns how many rows."""
    by = clean_text(entered_by, what=N_("who is typing this in"), max_length=ENTERED_BY_MAX)
    changed = 0
    with store.transaction() as tx:
        if active_row(tx, participant_id) is None:
            raise InvalidInput(_("That person is no longer taking part."))
        for table in TABLES.values():
            if "read_back" in table.columns:
                changed += tx.update(table.name, {_author_column(table): participant_id,
                                                  "entered_by": by, "read_back": False},
                                     {"read_back": True})
    return changed


def not_read_back(store: Store, participant_id: object) -> int:
    """How many rows typed in for the person still wait to be read back to them."""
    with store.read() as tx:
        return sum(tx.count(table.name, {_author_column(table): participant_id,
                                         "read_back": False})
                   for table in TABLES.values() if "read_back" in table.columns)


def credited_as(row: dict, author: dict | None, *, group_name: str) -> str:
    """How a contribution is credited, honouring its credit mode ("" when anonymous).

    ``author`` is the author's participants row (None when unknown).
    """
    credit = row.get("credit")
    if credit == "collective":
        return group_name
    if author is None or author.get("status") != "active":
        return ""
    if credit == "named":
        return author.get("display_name") or author["pseudonym"]
    if credit == "pseudonym":
        return author["pseudonym"]
    return ""
