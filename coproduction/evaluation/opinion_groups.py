"""Where the room agrees and where it splits: Polis's method, through red-dwarf.

red-dwarf (``pip install 'coproduction-kit[analysis]'``) is a maintained Python version of
Polis's method: each person's votes are placed on a map of views (PCA), people close on
it form groups (k-means, the number of groups chosen as Polis does), and each wording is
measured for how much every group agrees with it. It runs on exactly the votes of the
kit's Polis export (:mod:`coproduction.activities.polis`), so an evaluator who runs
red-dwarf on those files gets the same groups. It runs on the facilitator's side only
(the console, the room screen, the evaluation), never on a participant's page.

Safeguards for small rooms:

- no group is shown with fewer than :data:`MIN_IN_A_GROUP` people: then no group is
  shown at all, and only what the whole room agrees on is;
- which group a person is in is never shown, written or kept beyond the working out;
- reruns give the same groups (:data:`SEED`).
"""

from __future__ import annotations

import importlib.util
import logging
from dataclasses import dataclass, field

from ..activities.polis import Comment, PolisData, polis_times
from ..privacy.small_counts import MIN_FEW, MIN_GROUP

log = logging.getLogger("coproduction.evaluation.opinion_groups")

#: The seed of Polis's k-means, so that a rerun finds the same groups.
SEED = 42
#: The smallest group of views shown (fewer can point at someone).
MIN_IN_A_GROUP = MIN_FEW
#: How many wordings each list holds at most.
PICK = 5
#: A wording divides the room when the groups' shares of agree differ by this much.
DIVIDES = 0.3
#: Fewer votes than this on a wording never make "the room agrees" (one "agree" from one
#: person is not the room).
LEAST_VOTES = MIN_GROUP
INSTALL = "python3 -m pip install 'coproduction-kit[analysis]'"


def available() -> bool:
    """Whether red-dwarf is installed (the ``analysis`` extra)."""
    return importlib.util.find_spec("reddwarf") is not None


@dataclass(frozen=True)
class Agreement:
    """A wording most people agree with: in every group, or in the whole room."""

    comment: Comment
    agreed: int   # people who agreed
    voted: int    # people who voted on it


@dataclass(frozen=True)
class Split:
    """A wording the groups see differently: each group's share of agree."""

    comment: Comment
    shares: tuple[float, ...]  # in the order of :attr:`OpinionGroups.sizes`


@dataclass(frozen=True)
class OpinionGroups:
    """What Polis's method says about one set of votes, safe to show."""

    voters: int
    placed: int          # voted on enough wordings to be placed on the map of views
    threshold: int       # how many that is
    #: People in each group, largest first; empty when no group can be shown.
    sizes: tuple[int, ...]
    #: Why no group is shown: "few" (too few people placed), "small" (a group would have
    #: fewer than MIN_IN_A_GROUP), "failed" (the method could not place them); else None.
    #: Only for the kit's own checks: "few" and "small" are said the same way, so that
    #: nobody learns that a small minority votes apart.
    why_not: str | None
    #: Wordings most people in every group agree with (groups shown).
    across_groups: tuple[Agreement, ...]
    #: Wordings the groups see most differently (groups shown).
    splits: tuple[Split, ...]
    #: Wordings the whole room agrees on, groups or not (Polis's "consensus").
    room_agrees: tuple[Agreement, ...]
    #: Each group's members by their number in the Polis files: only to check the method
    #: against red-dwarf run on the files; never shown or written.
    members: tuple[frozenset[int], ...] = field(default=(), repr=False, compare=False)

    @property
    def shown(self) -> bool:
        return bool(self.sizes)

    @property
    def broad_agreement(self) -> tuple[Agreement, ...]:
        """What the room can see: wordings agreed across the groups, or, without groups,
        by the whole room."""
        return self.across_groups if self.shown else self.room_agrees


def _votes(data: PolisData) -> list[dict]:
    """The votes as red-dwarf reads them from Polis's ``votes.csv``."""
    return [{"participant_id": v.voter, "statement_id": v.comment_id, "vote": v.vote,
             "modified": polis_times(v.created)[0] * 1000} for v in data.votes]


def _counts(matrix, comment_id: int) -> tuple[int, int]:
    column = matrix[comment_id]
    return int((column == 1).sum()), int(column.notna().sum())


def opinion_groups(data: PolisData) -> OpinionGroups:
    """Run Polis's method on ``data`` (the votes on the wordings on the board)."""
    import warnings

    with warnings.catch_warnings():  # pydantic speaks of red-dwarf's own models on import
        warnings.simplefilter("ignore")
        from reddwarf.implementations.polis import run_pipeline
        from reddwarf.utils.consensus import select_consensus_statements
        from reddwarf.utils.matrix import generate_raw_matrix

    left_out = [c.comment_id for c in data.comments if not c.active]
    votes = _votes(data)
    placed, threshold = data.placed(), data.threshold
    nothing = OpinionGroups(data.voters, placed, threshold, (), "few", (), (), ())
    if not votes or all(c.comment_id in left_out for c in data.comments):
        return nothing
    matrix = generate_raw_matrix(votes=votes)
    consensus = select_consensus_statements(vote_matrix=matrix, mod_out_statement_ids=left_out,
                                            pick_max=PICK)
    room = tuple(a for a in (Agreement(data.comment(int(s["tid"])),
                                       *_counts(matrix, int(s["tid"])))
                             for s in consensus["agree"]) if a.voted >= LEAST_VOTES)
    found = OpinionGroups(data.voters, placed, threshold, (), "few", (), (), room)
    if placed < 2 * MIN_IN_A_GROUP:
        return found
    try:
        with warnings.catch_warnings():  # k-means trying more groups than there are
            warnings.simplefilter("ignore")
            result = run_pipeline(votes=votes, mod_out_statement_ids=left_out,
                                  min_user_vote_threshold=threshold, random_state=SEED,
                                  pick_max=PICK)
    except (ValueError, IndexError) as error:  # degenerate votes: everyone the same
        log.warning("Polis's method could not place the votes: %s", type(error).__name__)
        return OpinionGroups(data.voters, placed, threshold, (), "failed", (), (), room)
    labels = result.participants_df["cluster_id"].dropna()
    by_label = {int(g): frozenset(int(p) for p in labels.index[labels == g])
                for g in labels.unique()}
    ranked = sorted(by_label, key=lambda g: (-len(by_label[g]), min(by_label[g])))
    groups = tuple(by_label[g] for g in ranked)
    if len(groups) < 2 or min(map(len, groups)) < MIN_IN_A_GROUP:
        return OpinionGroups(data.voters, placed, threshold, (), "small", (), (), room,
                             members=groups)
    stats = result.group_comment_stats
    active = [c.comment_id for c in data.comments if c.active]

    def agree_shares(comment_id: int) -> tuple[float, ...]:
        """Each group's share of agree (Polis's, with its +1/+2 for few votes)."""
        return tuple(float(stats.loc[(g, comment_id), "pa"]) for g in ranked)

    consensus_agree = result.statements_df["group-aware-consensus-agree"]
    across = [cid for cid in sorted(active, key=lambda c: (-float(consensus_agree[c]), c))
              if min(agree_shares(cid)) > 0.5][:PICK]
    spread = {cid: max(agree_shares(cid)) - min(agree_shares(cid)) for cid in active}
    splits = [cid for cid in sorted(active, key=lambda c: (-spread[c], c))
              if spread[cid] >= DIVIDES][:PICK]
    raw = result.raw_vote_matrix
    return OpinionGroups(
        data.voters, placed, threshold, tuple(map(len, groups)), None,
        tuple(Agreement(data.comment(c), *_counts(raw, c)) for c in across),
        tuple(Split(data.comment(c), agree_shares(c)) for c in splits),
        room, members=groups)


def group_letter(i: int) -> str:
    """Groups are A, B, C... by size: a letter for a group of views, never for a person."""
    return chr(ord("A") + i)
