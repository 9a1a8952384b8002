"""What a person is told before they take part, in plain words, and its version.

The join page, the paper sheets and each recorded choice use it: :func:`information`
is what taking part means (what is collected, why, who sees it, how long it is kept,
stopping, pay, who to talk to), and :func:`information_version` the fingerprint kept
beside every choice. "What we collect" is made from the tables (:func:`collected`).
"""

from __future__ import annotations

import hashlib

from ..store.schema import TABLES
from .languages import N_, SOURCE, _, day, money, speaking

__all__ = ["money", "day_words", "ROLE_WORDS", "collected", "information",
           "information_version"]


def day_words(value: str | None) -> str:
    """An ISO date as people say it in the page's language ("31 January 2027"); "" for
    none."""
    return day(value) if value else ""


#: The optional question on joining, in the person's words (schema.ROLES, in order).
ROLE_WORDS = {"lived_experience": N_("With my own experience of services"),
              "staff": N_("As staff of a service or organisation"),
              "both": N_("Both"), "not_said": N_("I would rather not say")}


def collected() -> str:
    """Everything the workshop keeps about a person, in plain words, one thing a line,
    made from what each table says it keeps (``Table.collects``), so it cannot fall out
    of step with them."""
    always = [TABLES[name].collects for name in ("participants", "consents")]
    given = [t.collects for name, t in TABLES.items() if t.collects and name not in
             ("participants", "consents")]
    return "\n".join([_("About everyone who joins:"), *map(_line, always),
                      _("Then only what you choose to give:"), *map(_line, given),
                      _("Nothing else.")])


def _line(words: str) -> str:
    words = _(words)
    return f"- {words[0].upper()}{words[1:]}."


def information(workshop: dict) -> list[tuple[str, str]]:
    """What taking part means, in plain words: (heading, text) pairs for the join page."""
    cutoff = workshop.get("withdraw_by")
    keep = workshop.get("keep_until")
    anonymise = workshop.get("after_cutoff") == "anonymise"
    if not cutoff:
        stopping = _("Use 'Leave and delete my words' on your page, or ask the facilitator. "
                     "You do not have to say why. We delete everything you gave.")
    elif anonymise:
        stopping = _("Use 'Leave and delete my words' on your page, or ask the facilitator. "
                     "You do not have to say why. Until {day} we delete everything you gave. "
                     "After that, we keep what you gave, but take your name and id off "
                     "it.").format(day=day_words(cutoff))
    else:
        stopping = _("Use 'Leave and delete my words' on your page, or ask the facilitator. "
                     "You do not have to say why. Until {day} we delete everything you gave. "
                     "After that, we still delete it all.").format(day=day_words(cutoff))
    return [
        (_("What we collect"), collected()),
        (_("Why"), _("So the group can agree things together, and so we can show what "
                     "changed because of what people said.")),
        (_("Who sees it"), _("The group sees what you write under the name you choose, or "
                             "with no name if you want. Private things are seen only by "
                             "you, and by the facilitator if you say so.")),
        (_("How long we keep it"),
         _("Until {day}. Then it is deleted.").format(day=day_words(keep)) if keep else
         _("Until the project ends. Then it is deleted.")),
        (_("You can stop at any time"), stopping),
        (_("Being paid"), _("You are offered {rate} an hour for your time, and your costs. "
                            "You can say no, or give it to a charity. If you leave, the "
                            "finance team keeps its record of what was paid, but not your "
                            "words.").format(rate=money(workshop.get("pay_rate", 0),
                                                        workshop.get("currency", "GBP")))),
        (_("Who to talk to"), workshop.get("contact") or _("The facilitator running this "
                                                            "workshop.")),
    ]


def information_version(workshop: dict) -> str:
    """A short fingerprint of the information shown, recorded with each choice: of its
    English source, so that it is the same in every language it is read in."""
    with speaking(SOURCE):
        text = "\n".join(f"{h}\n{t}" for h, t in information(workshop))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
