"""What a person is told before they take part, in plain words, and its version.

The join page, the paper sheets and each recorded choice use it: :func:`information`
is what taking part means (what is collected, why, who sees it, how long it is kept,
stopping, pay, who to talk to), and :func:`information_version` the fingerprint kept
beside every choice. "What we collect" is made from the tables (:func:`collected`).
"""

from __future__ import annotations

import datetime as dt
import hashlib

from ..store.schema import TABLES

CURRENCY_SIGNS = {"GBP": "£", "EUR": "€", "USD": "$"}


def money(amount: float, currency: str, *, pence: bool = False) -> str:
    """An amount as people read it: ``£25``, ``£250.00``; without a known sign: ``25 SEK``."""
    number = f"{amount:.2f}" if pence else f"{amount:g}"
    sign = CURRENCY_SIGNS.get(currency.upper())
    return f"{sign}{number}" if sign else f"{number} {currency}"


def day_words(value: str | None) -> str:
    """An ISO date as people say it ("31 January 2027"); "" for none."""
    if not value:
        return ""
    return dt.date.fromisoformat(value).strftime("%-d %B %Y")


#: The optional question on joining, in the person's words (schema.ROLES, in order).
ROLE_WORDS = {"lived_experience": "With my own experience of services",
              "staff": "As staff of a service or organisation",
              "both": "Both", "not_said": "I would rather not say"}


def collected() -> str:
    """Everything the workshop keeps about a person, in plain words, one thing a line,
    made from what each table says it keeps (``Table.collects``), so it cannot fall out
    of step with them."""
    always = [TABLES[name].collects for name in ("participants", "consents")]
    given = [t.collects for name, t in TABLES.items() if t.collects and name not in
             ("participants", "consents")]
    return "\n".join(["About everyone who joins:", *map(_line, always),
                      "Then only what you choose to give:", *map(_line, given),
                      "Nothing else."])


def _line(words: str) -> str:
    return f"- {words[0].upper()}{words[1:]}."


def information(workshop: dict) -> list[tuple[str, str]]:
    """What taking part means, in plain words: (heading, text) pairs for the join page."""
    cutoff = workshop.get("withdraw_by")
    keep = workshop.get("keep_until")
    after = ("we keep what you gave, but take your name and id off it"
             if workshop.get("after_cutoff") == "anonymise" else "we still delete it all")
    return [
        ("What we collect", collected()),
        ("Why", "So the group can agree things together, and so we can show what "
         "changed because of what people said."),
        ("Who sees it", "The group sees what you write under the name you choose, or "
         "with no name if you want. Private things are seen only by you, and by the "
         "facilitator if you say so."),
        ("How long we keep it", f"Until {day_words(keep)}. Then it is deleted." if keep else
         "Until the project ends. Then it is deleted."),
        ("You can stop at any time", "Use 'Leave and delete my words' on your page, or ask "
         "the facilitator. You do not have to say why."
         + (f" Until {day_words(cutoff)} we delete everything you gave. After that, {after}."
            if cutoff else " We delete everything you gave.")),
        ("Being paid", f"You are offered "
         f"{money(workshop.get('pay_rate', 0), workshop.get('currency', 'GBP'))} an hour "
         "for your time, and your costs. You can "
         "say no, or give it to a charity. If you leave, the finance team keeps its record "
         "of what was paid, but not your words."),
        ("Who to talk to", workshop.get("contact") or "The facilitator running this "
         "workshop."),
    ]


def information_version(workshop: dict) -> str:
    """A short fingerprint of the information shown, recorded with each choice."""
    text = "\n".join(f"{h}\n{t}" for h, t in information(workshop))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
