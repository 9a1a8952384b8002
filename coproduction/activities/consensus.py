"""The rule that makes a proposal "agreed", said in plain words.

The group can change the rule; everyone sees it. Ties and blocks are results
in their own right, shown on the board, never folded into "not agreed".
"""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from ..core.languages import N_, _, ngettext, percent
from ..core.validation import InvalidInput, whole_number

# The shares a group can choose, with how they are said.
SHARES = {
    0.5: N_("more than half"),
    round(2 / 3, 6): N_("at least two thirds"),
    0.75: N_("at least three quarters"),
    1.0: N_("everyone"),
}
STATUSES = {
    "waiting": N_("needs more votes"),
    "agreed": N_("agreed"),
    "not_agreed": N_("not agreed"),
    "tied": N_("tied"),
    "blocked": N_("blocked"),
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
        votes = whole_number(min_votes, what=N_("the number of votes needed"), low=1, high=1000)
        if isinstance(min_agree_share, bool) or not isinstance(min_agree_share, int | float):
            raise InvalidInput(_("Please choose how many need to agree from the list."))
        share = round(float(min_agree_share), 6)
        if share not in SHARES:
            raise InvalidInput(_("Please choose how many need to agree from the list."))
        if not isinstance(blocks_veto, bool):
            raise InvalidInput(_("Please say whether one 'strongly against' stops agreement."))
        return cls(votes, share, blocks_veto)

    def describe(self) -> str:
        """The rule in plain words for the board (two short sentences)."""
        voted = ngettext("A wording is agreed when at least {n} person has voted ('Not sure' "
                         "counts as a vote).",
                         "A wording is agreed when at least {n} people have voted ('Not "
                         "sure' counts as a vote).", self.min_votes).format(n=self.min_votes)
        share = share_words(self.min_agree_share)
        if self.min_agree_share == 1.0:
            side = (_("Everyone who took a side must say agree, and nobody is strongly against "
                      "it.") if self.blocks_veto else
                    _("Everyone who took a side must say agree."))
        elif self.blocks_veto:
            side = _("{share} of those who took a side must say agree, and nobody is "
                     "strongly against it.").format(share=share)
        else:
            side = _("{share} of those who took a side must say agree.").format(share=share)
        return f"{voted} {side[0].upper()}{side[1:]}"


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
        said = _("{agree} agree, {unsure} not sure, {disagree} disagree, {against} strongly "
                 "against").format(agree=self.agree, unsure=self.passed,
                                   disagree=self.disagree, against=self.block)
        if self.in_room:
            said = ngettext("{votes}; {n} of them counted in the room",
                            "{votes}; {n} of them counted in the room",
                            self.in_room).format(votes=said, n=self.in_room)
        return said


@dataclass(frozen=True)
class Decision:
    status: str          # one of STATUSES
    explanation: str     # plain words, shown on the board


def decide(tally: Tally, rule: ConsensusRule) -> Decision:
    """Apply ``rule`` to ``tally``: agreed, waiting, tied, blocked or not agreed."""
    counts = tally.describe()
    if rule.blocks_veto and tally.block:
        return Decision("blocked", ngettext(
            "Blocked: {n} person is strongly against ({counts}). Talk it through before "
            "going on.", "Blocked: {n} people are strongly against ({counts}). Talk it "
            "through before going on.", tally.block).format(n=tally.block, counts=counts))
    if tally.total < rule.min_votes:
        more = rule.min_votes - tally.total
        return Decision("waiting", ngettext("Needs {n} more vote ({counts}).",
                                            "Needs {n} more votes ({counts}).", more).format(
                                                n=more, counts=counts))
    against = tally.disagree + tally.block
    if tally.agree and tally.agree == against:
        return Decision("tied", _("Tied: as many for as against ({counts}).").format(
            counts=counts))
    needed = Fraction(rule.min_agree_share).limit_denominator(1000)
    meets = tally.share > needed if needed == Fraction(1, 2) else tally.share >= needed
    if tally.sided and meets:
        return Decision("agreed", _("Agreed ({counts}).").format(counts=counts))
    return Decision("not_agreed", _("Not agreed yet: needs {share} to agree ({counts}).").format(
        share=share_words(rule.min_agree_share), counts=counts))


def share_words(share: float) -> str:
    """A rule's share in words ("at least two thirds"), in the page's language."""
    words = SHARES.get(round(share, 6))
    return _(words) if words else percent(share)


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
