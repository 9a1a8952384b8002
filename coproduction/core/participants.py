"""Joining a workshop under a chosen name, and coming back as the same person.

A person reads what taking part means (:mod:`coproduction.privacy.consent`), then
joins with the workshop code, a name to be known by (a pseudonym) and their
choices. They get a random id and a secret rejoin key; the page keeps the key
in its address, so a reload brings them back. The database keeps only a hash
of the key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from ..store import Store, Transaction, hash_key
from ..store.schema import CREDIT_MODES, ROLES, TABLES
from .promises import information_version
from .validation import InvalidInput, choose, clean_text, count_action, refused

PSEUDONYM_MAX = 40
DISPLAY_NAME_MAX = 80


@dataclass(frozen=True)
class Participant:
    participant_id: str
    pseudonym: str
    role: str
    credit: str
    status: str

    @classmethod
    def from_row(cls, row: dict) -> "Participant":
        return cls(row["participant_id"], row["pseudonym"], row["role"], row["credit"],
                   row["status"])


def stand_in(tx: Transaction) -> str:
    """A new "someone who left": a person row with no link to anyone, to hold words the
    group keeps after their author withdrew. Returns its id."""
    return tx.insert("participants", {
        "participant_id": f"p-gone-{secrets.token_hex(5)}",
        "pseudonym": f"someone who left {secrets.token_hex(3)}", "role": "not_said",
        "credit": "anonymous", "display_name": None, "contact_ok": False,
        "status": "withdrawn", "key_hash": hash_key(secrets.token_urlsafe(24)),
        "joined_at": "1970-01-01T00:00:00.000Z"})


def tell_group(tx: Transaction, text: str) -> None:
    """Tell the whole group (every page shows it), once: the same words are not posted
    twice in one transaction. Never name anyone in ``text``.

    A notice that would be longer than a notice may be is cut at a word, so that telling
    the group can never stop what it tells about (a withdrawal once failed on it).
    """
    most = TABLES["notices"].field("text").max_length
    if len(text) > most:
        text = text[:most - 1].rsplit(" ", 1)[0] + "…"
    if not getattr(tx, "told", None):
        tx.told = set()
    if text not in tx.told:
        tx.told.add(text)
        tx.insert("notices", {"text": text})


def checked_choices(credit: object, contact_ok: object, display_name: object) -> dict:
    """A person's choices about credit and contact, checked; raises InvalidInput."""
    credit = choose(credit, CREDIT_MODES, what="how you want to be credited")
    if not isinstance(contact_ok, bool):
        raise InvalidInput("Please say whether we may contact you afterwards.")
    name = clean_text(display_name, what="the name to show", max_length=DISPLAY_NAME_MAX,
                      required=credit == "named")
    return {"credit": credit, "contact_ok": contact_ok, "display_name": name or None}


def record_consent(tx: Transaction, participant_id: str, choices: dict, info_version: str,
                   take_part: bool = True) -> None:
    tx.insert("consents", {"participant_id": participant_id, "take_part": take_part,
                           "credit": choices["credit"], "contact_ok": choices["contact_ok"],
                           "info_version": info_version})


def join_workshop(store: Store, *, code: object, pseudonym: object,
                  role: object = "not_said", credit: object = "pseudonym",
                  contact_ok: object = False, display_name: object = None,
                  info_version: str | None = None) -> tuple[Participant, str]:
    """Add a person who chose to take part; return them and their rejoin key.

    ``info_version`` is the version of the information the person was shown
    (:func:`coproduction.core.promises.information_version`); if the information
    changed since, they are asked to read it again. The key is shown once and
    never stored.
    """
    typed_code = clean_text(code, what="the workshop code", max_length=40)
    name = clean_text(pseudonym, what="a name to be known by", max_length=PSEUDONYM_MAX)
    role = choose(role, ROLES, what="why you are taking part")
    choices = checked_choices(credit, contact_ok, display_name)
    key = secrets.token_urlsafe(18)
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        if typed_code.replace(" ", "").upper() != workshop["code"].upper():
            raise InvalidInput("That workshop code does not match. Please check it with "
                               "the facilitator.")
        current = information_version(workshop)
        if info_version is not None and info_version != current:
            raise InvalidInput("The information about taking part has just changed. "
                               "Please read it again, then choose.")
        taken = {row["pseudonym"].casefold() for row in tx.select("participants")}
        if name.casefold() in taken:
            raise InvalidInput("Someone here already uses that name. Please pick another "
                               "one, or add a letter or number to it.")
        row = {"participant_id": store.new_id("p"), "pseudonym": name, "role": role,
               "status": "active", "key_hash": hash_key(key), **choices}
        tx.insert("participants", row)
        record_consent(tx, row["participant_id"], choices, current)
    return Participant.from_row(row), key


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
        raise InvalidInput("Please join the workshop first.")
    count_action(allowance)
    row = active_row(tx, actor.participant_id)
    if row is None:
        refused(action, "not an active participant")
        raise InvalidInput("You are no longer taking part in this workshop.")
    return row


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
