"""Who is in the group, as people describe themselves, only ever as counts.

The project asks a few questions of its own (which languages people speak at home, say);
answering is optional and in each person's own words. Nobody sees anyone's answer but
its writer: the evaluation counts how many gave each answer (the console does not show
the counts live: one changing as someone taps "Save" would show their answer), only for
answers that 5 or more people gave (:data:`~coproduction.privacy.small_counts.MIN_FEW`);
every rarer answer is pooled, unnamed, and that pool too is a count only when it holds 5
or more. The total who answered a question is never shown, so the pool cannot be worked
out from it. The answers are never exported row by row (``Table.counts_only``).
"""

from __future__ import annotations

from dataclasses import dataclass

from ..core.languages import N_, _
from ..core.participants import Participant
from ..core.validation import InvalidInput, clean_text
from ..privacy.small_counts import MIN_FEW, shown
from ..store import Store
from ..store.schema import TABLES

#: The most questions a project may ask about who is in the group.
MOST_QUESTIONS = 5


@dataclass(frozen=True)
class Counted:
    """One question's counts: ``(answer, people)`` for each answer given by
    :data:`MIN_FEW` or more, most first, and how many gave rarer answers (0, 5 or more,
    or "fewer than 5")."""

    question_id: int
    question: str
    answers: list[tuple[str, int]]
    others: int | str


def questions(store: Store) -> list[dict]:
    return store.select("diversity_questions", order_by="question_id")


def add_question(store: Store, question: object) -> int:
    text = clean_text(question, what=N_("the question"),
                      max_length=TABLES["diversity_questions"].field("question").max_length)
    with store.transaction() as tx:
        if tx.count("diversity_questions") >= MOST_QUESTIONS:
            raise InvalidInput(_("There are as many questions about who is in the group as "
                                 "the list can hold."))
        return tx.insert("diversity_questions", {"question": text})


def _asked(tx, question_id: object) -> int:
    if (not isinstance(question_id, int) or isinstance(question_id, bool)
            or not tx.count("diversity_questions", {"question_id": question_id})):
        raise InvalidInput(_("That question is not on the list."))
    return question_id


def remove_question(store: Store, question_id: object) -> None:
    """Take a question away, with every answer to it."""
    with store.transaction() as tx:
        question_id = _asked(tx, question_id)
        tx.delete("diversity_answers", {"question_id": question_id})
        tx.delete("diversity_questions", {"question_id": question_id})


def answer(store: Store, person: Participant, question_id: object, text: object) -> None:
    """The person's own answer; an empty one takes their answer back."""
    said = clean_text(text, what=N_("your answer"), required=False,
                      max_length=TABLES["diversity_answers"].field("answer").max_length)
    with store.transaction() as tx:
        question_id = _asked(tx, question_id)
        mine = {"participant_id": person.participant_id, "question_id": question_id}
        if said:
            tx.upsert("diversity_answers", mine, {"answer": said, "updated_at": tx.now()})
        else:
            tx.delete("diversity_answers", mine)


def my_answers(store: Store, person: Participant) -> dict[int, str]:
    return {r["question_id"]: r["answer"] for r in
            store.select("diversity_answers", {"participant_id": person.participant_id})}


def _same(text: str) -> str:
    """Answers that differ only in case or spacing are the same answer."""
    return " ".join(text.casefold().split())


def counts(store: Store) -> list[Counted]:
    """Each question's answers as counts, with every answer fewer than :data:`MIN_FEW`
    people gave pooled unnamed (see the module's note)."""
    out = []
    for q in questions(store):
        groups: dict[str, list[str]] = {}
        for row in store.select("diversity_answers", {"question_id": q["question_id"]}):
            groups.setdefault(_same(row["answer"]), []).append(row["answer"])
        named = sorted(((max(set(said), key=lambda s: (said.count(s), s)), len(said))
                        for said in groups.values() if len(said) >= MIN_FEW),
                       key=lambda pair: (-pair[1], pair[0]))
        rare = sum(len(said) for said in groups.values() if len(said) < MIN_FEW)
        out.append(Counted(q["question_id"], q["question"], named, shown(rare, MIN_FEW)))
    return out
