"""Joining a workshop under a chosen name, and coming back as the same person.

A person joins with the workshop code and a name to be known by (a
pseudonym). They get a random id and a secret rejoin key; the page keeps the
key in its address, so a reload brings them back. The database keeps only a
hash of the key.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from .schema import CREDIT_MODES, ROLES
from .store import Store, hash_key
from .validation import InvalidInput, choose, clean_text

PSEUDONYM_MAX = 40


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


def join_workshop(store: Store, *, code: object, pseudonym: object,
                  role: object = "not_said", credit: object = "pseudonym"
                  ) -> tuple[Participant, str]:
    """Add a person; return them and their rejoin key (shown once, never stored)."""
    typed_code = clean_text(code, what="the workshop code", max_length=40)
    name = clean_text(pseudonym, what="a name to be known by", max_length=PSEUDONYM_MAX)
    role = choose(role, ROLES, what="why you are taking part")
    credit = choose(credit, CREDIT_MODES, what="how you want to be credited")
    key = secrets.token_urlsafe(18)
    with store.transaction() as tx:
        workshop = tx.select("workshop")[0]
        if typed_code.replace(" ", "").upper() != workshop["code"].upper():
            raise InvalidInput("That workshop code does not match. Please check it with "
                               "the facilitator.")
        taken = {row["pseudonym"].casefold() for row in tx.select("participants")}
        if name.casefold() in taken:
            raise InvalidInput("Someone here already uses that name. Please pick another "
                               "one, or add a letter or number to it.")
        row = {"participant_id": store.new_id("p"), "pseudonym": name, "role": role,
               "credit": credit, "status": "active", "key_hash": hash_key(key)}
        tx.insert("participants", row)
    return Participant.from_row(row), key


def rejoin(store: Store, key: object) -> Participant | None:
    """The person whose rejoin key this is, if they are still taking part."""
    if not isinstance(key, str) or not 10 <= len(key) <= 64:
        return None
    rows = store.select("participants", {"key_hash": hash_key(key), "status": "active"})
    return Participant.from_row(rows[0]) if rows else None


def find_participant(store: Store, participant_id: str) -> Participant | None:
    rows = store.select("participants", {"participant_id": participant_id})
    return Participant.from_row(rows[0]) if rows else None


def credited_as(row: dict, *, pseudonym: str | None, group_name: str) -> str:
    """How a contribution is credited, honouring its credit mode ("" when anonymous)."""
    credit = row.get("credit")
    if credit in ("pseudonym", "named") and pseudonym:
        return pseudonym
    if credit == "collective":
        return group_name
    return ""
