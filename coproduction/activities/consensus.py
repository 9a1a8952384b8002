"""The rule that makes a proposal "agreed", said in plain words.

The group can change the rule; everyone sees it. Ties and blocks are results
in their own right, shown on the board, never folded into "not agreed".
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..core.validation import InvalidInput, whole_number

# The shares a group can choose, with how they are said.
SHARES = {
    0.5: "more than half",
    round(2 / 3, 6): "at least two thirds",
    0.75: "at least three quarters",
    1.0: "everyone",
}
STATUSES = {
    "waiting": "needs more votes",
    "agreed": "agreed",
    "not_agreed": "not agreed",
    "tied": "tied",
    "blocked": "blocked",
}


@dataclass(frozen=True)
class ConsensusRule:
    """When a proposal counts as agreed.

    ``min_votes`` counts everyone who voted, passes included (passing is
    taking part). ``min_agree_share`` is the share of agree among those who
    took a side (agree, disagree or strongly against). With ``blocks_veto``
    one "strongly against" stops agreement until it is talked through.
    """

    min_votes: int = 3
    min_agree_share: float = round(2 / 3, 6)
    blocks_veto: bool = True

    @classmethod
    def checked(cls, min_votes: object, min_agree_share: object,
                blocks_veto: object) -> "ConsensusRule":
        """Build a rule from untrusted values, or raise :class:`InvalidInput`."""
        votes = whole_number(min_votes, what="the number of votes needed", low=1, high=1000)
        if isinstance(min_agree_share, bool) or not isinstance(min_agree_share, int | float):
            raise InvalidInput("Please choose how many need to agree from the list.")
        share = round(float(min_agree_share), 6)
        if share not in SHARES:
            raise InvalidInput("Please choose how many need to agree from the list.")
        if not isinstance(blocks_veto, bool):
            raise InvalidInput("Please say whether one 'strongly against' stops agreement.")
        return cls(votes, share, blocks_veto)

    def describe(self) -> str:
        """The rule in plain words for the board (two short sentences)."""
        people = "person has" if self.min_votes == 1 else "people have"
        share = SHARES.get(round(self.min_agree_share, 6), f"{self.min_agree_share:.0%}")
        if share == "everyone":
            side = "Everyone who took a side must say agree"
        else:
            side = f"{share[0].upper()}{share[1:]} of those who took a side must say agree"
        text = (f"A wording is agreed when at least {self.min_votes} {people} voted "
                f"('Not sure' counts as a vote). {side}")
        if self.blocks_veto:
            text += ", and nobody is strongly against it"
        return text + "."


#: The most people (or dots) one count taken in the room can have.
MOST_IN_A_ROOM = 1000
#: The order in which a room count loses the people who also voted on a phone.
_CHOICES = ("agree", "pass", "disagree", "block")


@dataclass(frozen=True)
class Tally:
    agree: int = 0
    disagree: int = 0
    passed: int = 0
    block: int = 0
    #: How many of these votes were counted in the room (a show of hands), not on a phone.
    in_room: int = 0

    @classmethod
    def of(cls, choices: list[str]) -> "Tally":
        return cls(choices.count("agree"), choices.count("disagree"),
                   choices.count("pass"), choices.count("block"))

    def _counts(self) -> dict[str, int]:
        return {"agree": self.agree, "pass": self.passed, "disagree": self.disagree,
                "block": self.block}

    def with_room(self, room: dict | None) -> "Tally":
        """These phone votes and a count taken in the room (a ``vote_tallies`` row), each
        person once: the room count's ``on_phone_too`` people are counted by their phone
        vote. They are taken out of the room count where their phone votes are (a person
        votes the same way by hand as on their phone), then from the largest counts.
        """
        if room is None:
            return self
        phone, left = self._counts(), min(room["on_phone_too"], self.total)
        counted = {c: room[c] for c in _CHOICES}
        for choice in _CHOICES:
            out = min(counted[choice], phone[choice], left)
            counted[choice] -= out
            left -= out
        while left > 0 and any(counted.values()):
            largest = max(_CHOICES, key=lambda c: counted[c])
            counted[largest] -= 1
            left -= 1
        return Tally(self.agree + counted["agree"], self.disagree + counted["disagree"],
                     self.passed + counted["pass"], self.block + counted["block"],
                     self.in_room + sum(counted.values()))

    @property
    def total(self) -> int:
        return self.agree + self.disagree + self.passed + self.block

    @property
    def sided(self) -> int:
        return self.agree + self.disagree + self.block

    @property
    def share(self) -> Fraction:
        return Fraction(self.agree, self.sided) if self.sided else Fraction(0)

    def describe(self) -> str:
        """The counts in the words and the order of the vote buttons."""
        said = (f"{self.agree} agree, {self.passed} not sure, {self.disagree} disagree, "
                f"{self.block} strongly against")
        if self.in_room:
            said += f"; {self.in_room} of them counted in the room"
        return said


@dataclass(frozen=True)
class Decision:
    status: str          # one of STATUSES
    explanation: str     # plain words, shown on the board


def decide(tally: Tally, rule: ConsensusRule) -> Decision:
    """Apply ``rule`` to ``tally``: agreed, waiting, tied, blocked or not agreed."""
    counts = tally.describe()
    if rule.blocks_veto and tally.block:
        who = "1 person is" if tally.block == 1 else f"{tally.block} people are"
        return Decision("blocked", f"Blocked: {who} strongly against ({counts}). "
                                   "Talk it through before going on.")
    if tally.total < rule.min_votes:
        more = rule.min_votes - tally.total
        return Decision("waiting", f"Needs {more} more vote{'s' if more != 1 else ''} ({counts}).")
    against = tally.disagree + tally.block
    if tally.agree and tally.agree == against:
        return Decision("tied", f"Tied: as many for as against ({counts}).")
    needed = Fraction(rule.min_agree_share).limit_denominator(1000)
    meets = tally.share > needed if needed == Fraction(1, 2) else tally.share >= needed
    if tally.sided and meets:
        return Decision("agreed", f"Agreed ({counts}).")
    share = SHARES.get(round(rule.min_agree_share, 6), f"{rule.min_agree_share:.0%}")
    return Decision("not_agreed", f"Not agreed yet: needs {share} to agree ({counts}).")


def best_wording(candidates: list[dict]) -> tuple[dict | None, bool]:
    """Pick the glossary wording for one term among its agreed proposals.

    ``candidates`` are dicts with ``proposal_id`` and ``tally``. The highest
    share of agree wins, then the most agree votes, then the earliest. Returns
    the winner and whether it was a tie between wordings (shown, not hidden).
    """
    if not candidates:
        return None, False
    ranked = sorted(candidates, key=lambda c: (-c["tally"].share, -c["tally"].agree,
                                               c["proposal_id"]))
    top = ranked[0]
    tied = len(ranked) > 1 and (ranked[1]["tally"].share, ranked[1]["tally"].agree) == (
        top["tally"].share, top["tally"].agree)
    return top, tied
