"""The consensus rule: agreed, waiting, tied, blocked and not agreed, in plain words."""

from __future__ import annotations

import pytest

from coproduction.activities.consensus import ConsensusRule, Tally, best_wording, decide
from coproduction.core.validation import InvalidInput

DEFAULT = ConsensusRule()  # 3 votes, two thirds, blocks stop agreement


def tally(agree=0, disagree=0, passed=0, block=0):
    return Tally(agree, disagree, passed, block)


@pytest.mark.parametrize("t, status", [
    (tally(agree=2), "waiting"),                        # too few votes
    (tally(agree=2, passed=1), "agreed"),               # passes count as taking part
    (tally(agree=2, disagree=1), "agreed"),             # exactly two thirds
    (tally(agree=3, disagree=2), "not_agreed"),         # 60% < two thirds
    (tally(agree=2, disagree=2), "tied"),
    (tally(agree=1, disagree=1, passed=1), "tied"),
    (tally(agree=9, block=1), "blocked"),               # one strong objection stops it
    (tally(passed=3), "not_agreed"),                    # nobody took a side
    (tally(block=1), "blocked"),                        # blocks show even before enough votes
])
def test_default_rule(t, status):
    assert decide(t, DEFAULT).status == status


def test_a_block_counts_against_when_blocks_do_not_veto():
    rule = ConsensusRule(3, round(2 / 3, 6), blocks_veto=False)
    assert decide(tally(agree=4, block=1), rule).status == "agreed"       # 4/5 >= 2/3
    assert decide(tally(agree=1, block=1, passed=1), rule).status == "tied"


def test_more_than_half_means_a_tie_is_not_enough():
    rule = ConsensusRule(2, 0.5, True)
    assert decide(tally(agree=2, disagree=1), rule).status == "agreed"
    assert decide(tally(agree=2, disagree=2), rule).status == "tied"


def test_everyone_rule():
    rule = ConsensusRule(3, 1.0, True)
    assert decide(tally(agree=3), rule).status == "agreed"
    assert decide(tally(agree=5, disagree=1), rule).status == "not_agreed"


def test_explanations_give_the_counts_and_what_is_missing():
    assert decide(tally(agree=1), DEFAULT).explanation == (
        "Needs 2 more votes (1 agree, 0 not sure, 0 disagree, 0 strongly against).")
    assert "1 person is strongly against" in decide(tally(agree=3, block=1), DEFAULT).explanation
    assert "at least two thirds" in decide(tally(agree=1, disagree=2), DEFAULT).explanation


def test_the_rule_is_described_in_plain_words():
    assert DEFAULT.describe() == (
        "A wording is agreed when at least 3 people have voted ('Not sure' counts as a vote). "
        "At least two thirds of those who took a side must say agree, and nobody is "
        "strongly against it.")
    assert ConsensusRule(1, 1.0, False).describe() == (
        "A wording is agreed when at least 1 person has voted ('Not sure' counts as a vote). "
        "Everyone who took a side must say agree.")


@pytest.mark.parametrize("args", [
    (0, 0.5, True), (3, 0.6, True), (3, "half", True), ("3", 0.5, True), (3, 0.5, "yes"),
    (True, 0.5, True), (2.5, 0.5, True), (10**9, 0.5, True),
])
def test_untrusted_rule_values_are_refused(args):
    with pytest.raises(InvalidInput):
        ConsensusRule.checked(*args)


def test_best_wording_prefers_share_then_agree_then_earliest_and_shows_ties():
    a = {"proposal_id": 1, "tally": tally(agree=3, disagree=1)}
    b = {"proposal_id": 2, "tally": tally(agree=4)}
    c = {"proposal_id": 3, "tally": tally(agree=4)}
    assert best_wording([a, b]) == (b, False)
    assert best_wording([c, b, a]) == (b, True)
    assert best_wording([]) == (None, False)
