"""The plan made before the first session, which the group can see.

The guidance's wisdom-gathering questions (who is asked and why, what makes the service
hard to reach, what happens when more people want to come than there are places, how
the group's diversity is looked at, the recordings plan) are answered in plain words,
each marked to share with participants or not; what people may need to take part is
paired with what the project offers; and the pay forecast is worked out from the planned
sessions, people and hours at the workshop's rate, against the money there is.
Conflicts of interest and the named deputy for a paid role are the project's
declarations (:func:`coproduction.privacy.consent.declare`), shown beside the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from ..core.languages import N_, _, money
from ..core.validation import InvalidInput, choose, clean_text
from ..store import Store
from ..store.schema import BUDGET_LINES, NEEDS, PLAN_QUESTIONS, TABLES

#: Each planning question, as the console asks it (schema.PLAN_QUESTIONS, in order).
QUESTION_WORDS = {
    "who_and_why": N_("Who are we asking to work with us, and why them?"),
    "hard_to_reach": N_("What makes our service hard to reach or hard to use, and what will "
                        "make it easier?"),
    "when_full": N_("If more people want to take part than we have places, what do we offer "
                    "them (the next round, or another way to take part)?"),
    "diversity": N_("How will we look at who is in the group, and who is missing?"),
    "recordings": N_("Will anything be recorded? Where is it kept, and how and when is it "
                     "deleted?"),
}
#: How a shared answer is headed on a participant's page.
SHARED_HEADINGS = {
    "who_and_why": N_("Who we asked to take part, and why"),
    "hard_to_reach": N_("Making it easier to take part"),
    "when_full": N_("If there are no places left"),
    "diversity": N_("Who is in the group"),
    "recordings": N_("Recordings"),
}
#: What people may need to take part (schema.NEEDS, in order).
NEED_WORDS = {
    "device": N_("a phone, tablet or computer"),
    "data": N_("internet or mobile data"),
    "quiet_place": N_("a quiet place"),
    "reading_help": N_("help with reading"),
    "carer": N_("a carer or a companion"),
    "travel": N_("travel"),
    "language": N_("another language or an interpreter"),
}
#: The budget's numbers, as the console asks for them (schema.BUDGET_LINES, in order).
BUDGET_WORDS = {
    "budget": N_("Money there is for the project"),
    "sessions": N_("Sessions planned"),
    "people": N_("People taking part (places)"),
    "hours": N_("Hours each session"),
    "travel": N_("Travel costs"),
    "care": N_("Care costs (such as a carer or childcare)"),
    "other": N_("Other costs (such as rooms and food)"),
}
#: The budget numbers that are whole counts.
COUNTS = ("sessions", "people")


@dataclass(frozen=True)
class Forecast:
    """The pay forecast: pay for the planned time, costs beside it, and what is left
    (negative: over budget). ``budget`` is None until the money there is was given."""

    pay: float
    costs: float
    budget: float | None

    @property
    def total(self) -> float:
        return self.pay + self.costs

    @property
    def left(self) -> float | None:
        return None if self.budget is None else self.budget - self.total


def answer_question(store: Store, question: object, answer: object, *,
                    shared: object = False) -> None:
    """Answer a planning question (an empty answer takes it back)."""
    question = choose(question, PLAN_QUESTIONS, what=N_("a planning question"))
    text = clean_text(answer, what=N_("the answer"), required=False, multiline=True,
                      max_length=TABLES["plan_answers"].field("answer").max_length)
    if not isinstance(shared, bool):
        raise InvalidInput(_("Please say whether participants see this answer."))
    with store.transaction() as tx:
        if not text:
            tx.delete("plan_answers", {"question": question})
            return
        tx.upsert("plan_answers", {"question": question},
                  {"answer": text, "shared": shared, "updated_at": tx.now()})


def offer_support(store: Store, need: object, offered: object) -> None:
    """Say what the project offers people who need ``need`` (empty: nothing said yet)."""
    need = choose(need, NEEDS, what=N_("what people may need"))
    text = clean_text(offered, what=N_("what is offered"), required=False,
                      max_length=TABLES["plan_supports"].field("offered").max_length)
    with store.transaction() as tx:
        if not text:
            tx.delete("plan_supports", {"need": need})
            return
        tx.upsert("plan_supports", {"need": need}, {"offered": text, "updated_at": tx.now()})


def set_budget(store: Store, line: object, amount: object) -> None:
    """One of the budget's numbers (None or "" takes it back)."""
    line = choose(line, BUDGET_LINES, what=N_("a budget line"))
    with store.transaction() as tx:
        if amount in (None, ""):
            tx.delete("plan_budget", {"line": line})
            return
        most = TABLES["plan_budget"].field("amount").maximum
        if (isinstance(amount, bool) or not isinstance(amount, int | float)
                or not math.isfinite(amount) or not 0 <= amount <= most):
            raise InvalidInput(_("Please give {what} as a number from 0 up.").format(
                what=_(BUDGET_WORDS[line])))
        if line in COUNTS and not float(amount).is_integer():
            raise InvalidInput(_("Please give {what} as a whole number.").format(
                what=_(BUDGET_WORDS[line])))
        tx.upsert("plan_budget", {"line": line}, {"amount": float(amount),
                                                  "updated_at": tx.now()})


def answers(store: Store) -> dict[str, dict]:
    """The planning answers given, by question."""
    return {row["question"]: row for row in store.select("plan_answers")}


def supports(store: Store) -> dict[str, str]:
    """What is offered, by need, in the order of :data:`NEED_WORDS`."""
    given = {row["need"]: row["offered"] for row in store.select("plan_supports")}
    return {need: given[need] for need in NEEDS if need in given}


def budget(store: Store) -> dict[str, float]:
    return {row["line"]: row["amount"] for row in store.select("plan_budget")}


def forecast(store: Store) -> Forecast:
    """Pay for the planned sessions x people x hours at the workshop's rate, plus costs."""
    numbers = budget(store)
    rate = store.workshop().get("pay_rate") or 0
    pay = numbers.get("sessions", 0) * numbers.get("people", 0) * numbers.get("hours", 0) * rate
    costs = sum(numbers.get(line, 0) for line in ("travel", "care", "other"))
    return Forecast(pay, costs, numbers.get("budget"))


def forecast_words(store: Store) -> str:
    """The forecast in one plain sentence, in the page's language."""
    found = forecast(store)
    currency = store.workshop().get("currency") or "GBP"
    said = _("Pay for the planned time: {pay}. Other costs: {costs}. In all: {total}.").format(
        pay=money(found.pay, currency), costs=money(found.costs, currency),
        total=money(found.total, currency))
    if found.left is None:
        return said + " " + _("Say how much money there is to compare.")
    if found.left >= 0:
        return said + " " + _("That is within the budget, with {left} to spare.").format(
            left=money(found.left, currency))
    return said + " " + _("That is {over} over the budget: plan fewer sessions or find more "
                          "money before you promise pay.").format(
        over=money(-found.left, currency))


def told_to_participants(store: Store) -> list[tuple[str, str]]:
    """What participants are told of the plan, as (heading, text): the shared answers,
    then what is offered for each need."""
    given = answers(store)
    told = [(_(SHARED_HEADINGS[q]), given[q]["answer"]) for q in PLAN_QUESTIONS
            if q in given and given[q]["shared"]]
    return told + [(_("If you need {need}").format(need=_(NEED_WORDS[need])), text)
                   for need, text in supports(store).items()]
