"""The organisation's own view of itself: the trauma-informed spectrum and the practice check.

The facilitator fills it in (``coproduction self-assess``), ideally with the
group, at the start and again later; each time is kept, so an evaluation shows
movement. The words come from the source guidance: the spectrum runs from
aware to informed, and the practice check sets what regards the principles
against what disregards them. Standard library only.
"""

from __future__ import annotations

from ..core.validation import InvalidInput, choose, clean_text
from ..store import Store
from ..store.schema import PRACTICE_ANSWERS, PRACTICE_AREAS, SPECTRUM_STAGES

EVIDENCE_MAX = 1000

# Each stage of the spectrum, in plain words.
STAGE_WORDS = {
    "aware": "Trauma aware: we know the signs of trauma and how it can affect people.",
    "sensitive": "Trauma sensitive: we have started to learn the principles and how to use "
                 "them.",
    "responsive": "Trauma responsive: we have started to change our policies, practice and "
                  "ways of working.",
    "informed": "Trauma informed: working this way is part of everything we do.",
}
# Each practice area: what regard for the principles looks like, what disregard
# looks like, and the principles it serves (the guidance's table, in our words).
PRACTICE_WORDS = {
    "doing_with": ("We do things with people.",
                   "We do things to people, for them, or not at all.",
                   "empowerment, voice and choice; safety; trust"),
    "environment": ("We think about the room and set it up together.",
                    "People sit in an open, crowded or exposed place that feels unsafe.",
                    "safety; peer support"),
    "transparency": ("We are open about what is happening.",
                     "We hold back information.",
                     "trust and openness; working together"),
    "compensation": ("We pay people for their time, or offer another fair exchange.",
                     "We expect people to give time that others are paid for.",
                     "trust and openness"),
    "cultural_humility": ("We keep learning about people's lives and question our beliefs.",
                          "We think we already know someone's life and what it means.",
                          "respect for culture, history and gender"),
}
ANSWER_WORDS = {"yes": "Yes", "partly": "Partly", "not_yet": "Not yet"}
assert tuple(STAGE_WORDS) == SPECTRUM_STAGES and tuple(PRACTICE_WORDS) == PRACTICE_AREAS
assert tuple(ANSWER_WORDS) == PRACTICE_ANSWERS


def record_self_assessment(store: Store, *, stage: object, evidence: object = "",
                           **practice: object) -> int:
    """Save one self-assessment: the stage and an answer for every practice area.

    ``practice`` holds one answer (yes, partly, not_yet) per area in
    :data:`PRACTICE_AREAS`; every area must be answered.
    """
    row = {"stage": choose(stage, SPECTRUM_STAGES, what="where the organisation is")}
    unknown = set(practice) - set(PRACTICE_AREAS)
    if unknown:
        raise InvalidInput("Please answer only the practice areas on the list.")
    for area in PRACTICE_AREAS:
        if practice.get(area) is None:
            raise InvalidInput(f"Please answer every practice area ({area} is missing).")
        row[area] = choose(practice[area], PRACTICE_ANSWERS, what=f"the answer for {area}")
    row["evidence"] = clean_text(evidence, what="what the answers rest on",
                                 max_length=EVIDENCE_MAX, required=False) or None
    return store.insert("self_assessments", row)
