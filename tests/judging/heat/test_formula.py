"""The heat formula on hand-computed values (judging/heat/formula.py)."""

from decimal import Decimal
from fractions import Fraction

from judging.heat.formula import HeatInput, compute_list, shared_ranks, standardise


def test_standardise_min_max_to_0_100():
    # min 0, max 20: 100·(10−0)/20 = 50
    assert standardise([10, 20, 20, 0]) == [50, 100, 100, 0]


def test_standardise_not_starting_at_zero():
    # min 4, max 10: 100·(7−4)/6 = 50, 100·(5−4)/6 = 50/3
    assert standardise([4, 7, 10, 5]) == [0, 50, 100, Fraction(50, 3)]


def test_standardise_all_equal_is_100_and_all_zero_is_0():
    assert standardise([3, 3, 3]) == [100, 100, 100]
    assert standardise([0, 0]) == [0, 0]


def test_standardise_empty_list():
    assert standardise([]) == []
    assert compute_list([], transform="linear", online_weight=1, coverage_weight=1) == []


def test_standardise_log1p():
    # ln(1)=0, ln(2), ln(4)=2·ln(2): 0, 50, 100 (to 4 places; ln is irrational)
    values = standardise([0, 1, 3], transform="log1p")
    assert [round(float(v), 4) for v in values] == [0.0, 50.0, 100.0]


def test_shared_ranks_ties_share_and_skip():
    assert shared_ranks([90, 90, 80]) == [1, 1, 3]
    assert shared_ranks([5, 7, 7, 1]) == [3, 1, 1, 4]


def test_compute_list_weighted_composite_and_ties():
    rows = [
        HeatInput("a", online_mentions=10, mainstream_mentions=1),
        HeatInput("b", online_mentions=10, mainstream_mentions=1),
        HeatInput("c", online_mentions=0, mainstream_mentions=0),  # zero mentions
        HeatInput("d", online_mentions=5, mainstream_mentions=0),
    ]
    figures = compute_list(rows, transform="linear", online_weight=2, coverage_weight=1)
    # online 100, 100, 0, 50; coverage 100, 100, 0, 0; composite (2·o + c)/3
    assert [f.online_index for f in figures] == [100, 100, 0, 50]
    assert [f.coverage_index for f in figures] == [100, 100, 0, 0]
    assert [f.composite for f in figures] == [100, 100, 0, Fraction(100, 3)]
    assert [f.rank for f in figures] == [1, 1, 4, 3]
    assert figures[3].rounded()["composite"] == Decimal("33.3333")


def test_compute_list_without_online_data_uses_coverage_only():
    rows = [
        HeatInput("a", online_mentions=None, mainstream_mentions=8),
        HeatInput("b", online_mentions=None, mainstream_mentions=2),
        HeatInput("c", online_mentions=None, mainstream_mentions=0),
    ]
    figures = compute_list(rows, transform="linear", online_weight=1, coverage_weight=1)
    assert [f.online_index for f in figures] == [None, None, None]
    assert [f.coverage_index for f in figures] == [100, 25, 0]
    assert [f.composite for f in figures] == [100, 25, 0]
    assert [f.rank for f in figures] == [1, 2, 3]
    assert figures[0].rounded()["online_index"] is None
