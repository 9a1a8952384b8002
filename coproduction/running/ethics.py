"""The ethics questions as a living list.

Every question in the guidance's "Ethical considerations", and its wisdom-gathering
questions about leaving and anonymity, is an item with a status: not yet thought about,
thought about by staff, or agreed with the group, with the answer in plain words and when
and with whom it was agreed. A project can add its own questions. Participants see the
answers agreed with the group (:func:`agreed_with_group`); the evaluation counts how
many were agreed with the group rather than decided by staff alone.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ..core.languages import N_, _
from ..core.validation import InvalidInput, checked_date, choose, clean_text
from ..store import Store
from ..store.schema import ETHICS_STATUSES, TABLES

#: The kit's questions, in the guidance's order, in the kit's own words.
QUESTIONS = {
    "perspectives": N_("How will we make sure that many different views and experiences "
                       "are heard safely, and looked after?"),
    "wellbeing": N_("Does everyone know that talking about services can bring back hard "
                    "memories? How will each person be supported?"),
    "budget": N_("Is there money to pay everyone for their time and their costs? What else "
                 "do people gain, such as skills or belonging, and is it recognised?"),
    "funder": N_("Where might the group and the funder want different things?"),
    "strengths": N_("How will we draw on the different skills and strengths in the group?"),
    "staff_leave": N_("Paid staff can leave. What is the plan if they do, and who steps "
                      "in?"),
    "flexibility": N_("When life gets in the way of taking part, what other ways are there, "
                      "so nobody is left out?"),
    "feedback": N_("How will feedback from everyone, staff too, change how we work?"),
    "open_planning": N_("Is what we tell people about the plans clear, open and reliable?"),
    "online_safety": N_("If we meet online, how do we keep people safe? Do we record, and "
                        "how and when are recordings deleted for good?"),
    "shared_language": N_("How will we agree words we all understand, and when?"),
    "barriers": N_("People have had very different experiences of services. How will we "
                   "recognise that, and learn from it?"),
    "why_change": N_("How will we explain why change is needed?"),
    "difference": N_("How will people know that what they said made a difference?"),
    "time": N_("Trust takes time. Have we given this work the time it needs?"),
    "withdrawal": N_("How will people know they can stop, what happens to their words, and "
                     "by when?"),
    "anonymity": N_("How will people choose whether their words carry their name, a chosen "
                    "name, no name, or the group's?"),
}
STATUS_WORDS = {"not_yet": N_("not yet thought about"), "staff": N_("thought about by staff"),
                "group": N_("agreed with the group")}
#: How many questions of its own a project may add.
OWN_MOST = 50


@dataclass(frozen=True)
class EthicsItem:
    item: str
    question: str  # in the page's language for the kit's questions
    status: str
    answer: str
    agreed_with: str
    agreed_on: str | None


def ethics_list(store: Store) -> list[EthicsItem]:
    """Every question, the kit's first then the project's own, with where it stands."""
    rows = {row["item"]: row for row in store.select("ethics_answers")}
    items = []
    for item in [*QUESTIONS, *sorted((k for k in rows if k not in QUESTIONS),
                                     key=lambda k: int(k.split("-")[1]))]:
        row = rows.get(item, {})
        question = _(QUESTIONS[item]) if item in QUESTIONS else row.get("question") or ""
        items.append(EthicsItem(item, question, row.get("status", "not_yet"),
                                row.get("answer") or "", row.get("agreed_with") or "",
                                row.get("agreed_on")))
    return items


def add_question(store: Store, question: object) -> str:
    """Add one of the project's own questions; returns its item."""
    text = clean_text(question, what=N_("the question"),
                      max_length=TABLES["ethics_answers"].field("question").max_length)
    with store.transaction() as tx:
        own = [r["item"] for r in tx.select("ethics_answers") if r["item"] not in QUESTIONS]
        if len(own) >= OWN_MOST:
            raise InvalidInput(_("The list has as many questions of your own as it can hold."))
        item = f"own-{max((int(i.split('-')[1]) for i in own), default=0) + 1}"
        tx.insert("ethics_answers", {"item": item, "question": text, "status": "not_yet"})
    return item


def answer_item(store: Store, item: object, *, status: object, answer: object = "",
                agreed_with: object = "", agreed_on: object = None,
                today: dt.date | None = None) -> None:
    """Say where a question stands. Agreed with the group needs the answer and with whom
    (the day defaults to today); the answer is kept when it goes back to staff."""
    status = choose(status, ETHICS_STATUSES, what=N_("where the question stands"))
    fields = TABLES["ethics_answers"]
    text = clean_text(answer, what=N_("the answer"), required=status == "group",
                      multiline=True, max_length=fields.field("answer").max_length)
    who = clean_text(agreed_with, what=N_("who it was agreed with"), required=status == "group",
                     max_length=fields.field("agreed_with").max_length)
    on = checked_date(agreed_on, N_("the day it was agreed"), required=False, today=today)
    if on is not None and on > (today or dt.date.today()).isoformat():
        raise InvalidInput(_("The day it was agreed cannot be after today."))
    if status == "group" and on is None:
        on = (today or dt.date.today()).isoformat()
    with store.transaction() as tx:
        if not isinstance(item, str) or (item not in QUESTIONS and not tx.count(
                "ethics_answers", {"item": item})):
            raise InvalidInput(_("That question is not on the list."))
        tx.upsert("ethics_answers", {"item": item}, {
            "status": status, "answer": text or None,
            "agreed_with": who or None if status == "group" else None,
            "agreed_on": on if status == "group" else None, "updated_at": tx.now()})


def agreed_with_group(store: Store) -> list[EthicsItem]:
    """The answers agreed with the group: what every participant may read."""
    return [i for i in ethics_list(store) if i.status == "group"]


def status_counts(store: Store) -> dict[str, int]:
    counts = dict.fromkeys(ETHICS_STATUSES, 0)
    for i in ethics_list(store):
        counts[i.status] += 1
    return counts
