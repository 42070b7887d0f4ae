"""The combined score on hand-computed values (judging/voting/scoring.py)."""

from fractions import Fraction

import pytest

from judging.tabulation import ReviewScore, tally
from judging.voting.scoring import Candidate, combine, public_scores


def _tallies(scores):
    """One review per case with the given S."""
    reviews = [ReviewScore(judge="j", case=case, score=Fraction(s)) for case, s in scores.items()]
    return tally(reviews, "mean")


def _rows(expert, votes, *, weights=(70, 30), category="A"):
    tallies = _tallies(expert)
    candidates = [
        Candidate(
            case=case,
            category=category,
            reference=case,
            votes=votes[case],
            expert=tallies.get(case),
        )
        for case in votes
    ]
    rows = combine(candidates, expert_weight=weights[0], public_weight=weights[1])
    return {row.case: row for row in rows}


def test_public_score_is_share_of_category_maximum():
    assert public_scores([10, 20, 5]) == [50, 100, 25]


def test_public_score_all_zero_without_votes():
    assert public_scores([0, 0]) == [0, 0]


def test_combined_score_by_hand():
    # E = 80, 60, 90; v = 10, 20, 5 → P = 50, 100, 25
    # C = 0.7·80 + 0.3·50 = 71; 0.7·60 + 0.3·100 = 72; 0.7·90 + 0.3·25 = 70.5
    rows = _rows({"a": 80, "b": 60, "c": 90}, {"a": 10, "b": 20, "c": 5})
    assert [rows[c].combined for c in "abc"] == [71, 72, Fraction(141, 2)]
    assert [rows[c].rank for c in "abc"] == [2, 1, 3]
    assert not any(r.tied for r in rows.values())


def test_combined_score_is_exact_with_thirds():
    # v = 1 of max 3 → P = 100/3; C = 0.7·50 + 0.3·100/3 = 35 + 10 = 45 exactly
    rows = _rows({"a": 50, "b": 50}, {"a": 1, "b": 3})
    assert rows["a"].public == Fraction(100, 3)
    assert rows["a"].combined == 45


def test_equal_combined_score_is_decided_by_expert_score_and_says_so():
    # a: E 80, v 10 → P 50 → C 71; d: E 65, v 17 → P 85 → C 45.5 + 25.5 = 71
    rows = _rows({"a": 80, "b": 60, "d": 65}, {"a": 10, "b": 20, "d": 17})
    assert rows["a"].combined == rows["d"].combined == 71
    assert (rows["a"].rank, rows["d"].rank) == (2, 3)
    assert rows["a"].decided_by == rows["d"].decided_by == "expert"
    assert not rows["a"].tied


def test_full_tie_shares_the_rank_and_is_flagged():
    rows = _rows({"a": 70, "b": 70, "c": 90}, {"a": 4, "b": 4, "c": 4})
    assert (rows["c"].rank, rows["a"].rank, rows["b"].rank) == (1, 2, 2)
    assert rows["a"].tied and rows["b"].tied and not rows["c"].tied


def test_case_without_expert_score_counts_zero():
    rows = _rows({"a": 80}, {"a": 0, "b": 2})
    assert rows["b"].has_expert_score is False
    assert rows["b"].combined == 30  # 0.7·0 + 0.3·100


def test_categories_are_scaled_separately():
    tallies = _tallies({"a": 50, "b": 50})
    rows = combine(
        [
            Candidate(case="a", category=1, reference="a", votes=2, expert=tallies["a"]),
            Candidate(case="b", category=2, reference="b", votes=200, expert=tallies["b"]),
        ],
        expert_weight=70,
        public_weight=30,
    )
    assert [(r.case, r.public, r.rank) for r in rows] == [("a", 100, 1), ("b", 100, 1)]


def test_weights_must_add_up_to_100():
    with pytest.raises(ValueError):
        combine([], expert_weight=70, public_weight=20)
