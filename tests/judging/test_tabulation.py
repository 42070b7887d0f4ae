"""The pure tabulation functions of DESIGN.md §5, with hand-computed expected values."""

import decimal
import random
from decimal import Decimal
from fractions import Fraction

import pytest

from judging.tabulation import (
    MEAN,
    TRIMMED,
    ZSCORE,
    RankingEntry,
    ReviewScore,
    ReviewScoreCalculator,
    decimal_sqrt,
    is_disagreement,
    judge_stats,
    mean,
    median,
    population_sigma,
    population_variance,
    rank,
    review_score,
    review_zscores,
    tally,
    to_decimal,
    trimmed_mean,
)

# √(3/2) = √6/2, to 40 decimals (truncated), from √6 = 2.44948974278317809819728407470589139196594…
SQRT_1_5 = Decimal("1.2247448713915890490986420373529456959829")


def exact(expression):
    """Evaluate hand-written Decimal arithmetic without the global context's 28 digits."""
    with decimal.localcontext() as ctx:
        ctx.prec = 80
        return expression()


def reviews(*rows):
    return [ReviewScore(judge, case, Fraction(score)) for judge, case, score in rows]


# --- review score: the integer fast path equals the definition ------------------------------
def test_review_score_calculator_matches_review_score_on_the_benchmark_criteria():
    # 0.4·7/10 + 0.3·8.5/10 + 0.3·6.25/10 = 0.28 + 0.255 + 0.1875 = 0.7225 → S = 72.25
    calculator = ReviewScoreCalculator({1: ("0.4", "10"), 2: ("0.3", "10"), 3: ("0.3", "10")})

    assert calculator.score([(1, "7"), (2, "8.5"), (3, "6.25")]) == Fraction("72.25")


def test_review_score_calculator_equals_review_score_for_random_criteria():
    rng = random.Random(20261122)
    for _ in range(300):
        criteria = {
            pk: (Decimal(rng.randint(1, 999)) / 1000, Decimal(rng.randint(1, 10000)) / 100)
            for pk in range(rng.randint(1, 5))
        }
        values = [
            (pk, (max_points * Decimal(rng.randint(0, 100)) / 100).quantize(Decimal("0.01")))
            for pk, (_weight, max_points) in criteria.items()
        ]

        fast = ReviewScoreCalculator(criteria).score(values)

        assert fast == review_score((v, *criteria[pk]) for pk, v in values)


def test_review_score_calculator_handles_more_than_two_decimals_exactly():
    # 1/3 of 1 point with weight 1: S = 100 × 0.333/1 = 33.3
    calculator = ReviewScoreCalculator({1: ("1", "1")})

    assert calculator.score([(1, Decimal("0.333"))]) == Fraction(333, 10)


# --- rounding for storage ----------------------------------------------------------------
def test_to_decimal_rounds_half_up():
    # 0.00005 exactly at the 4-place boundary goes up; 1/8 = 0.125 at 2 places goes up too
    assert to_decimal(Fraction(1, 20000)) == Decimal("0.0001")
    assert to_decimal(Fraction(1, 8), 2) == Decimal("0.13")
    assert to_decimal(Fraction(200, 3)) == Decimal("66.6667")
    assert to_decimal(Fraction(-1, 8), 2) == Decimal("-0.13")


def test_to_decimal_ignores_the_global_decimal_context():
    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN

        assert to_decimal(Fraction(12345678, 100000)) == Decimal("123.4568")


# --- statistics ----------------------------------------------------------------------------
def test_mean_of_scores():
    # (80 + 70 + 90) / 3 = 80; (100/3 + 50) / 2 = 125/3
    assert mean([80, 70, 90]) == 80
    assert mean([Fraction(100, 3), 50]) == Fraction(125, 3)


def test_median_odd_and_even():
    assert median([80, 70, 90]) == 80
    # middle two of 60, 70, 80, 95 → (70 + 80) / 2 = 75
    assert median([95, 60, 80, 70]) == 75


def test_trimmed_mean_drops_one_highest_and_one_lowest_from_five_reviews():
    # drop 60 and 95 → (70 + 75 + 80) / 3 = 75 (the plain mean would be 380/5 = 76)
    assert trimmed_mean([80, 60, 95, 75, 70]) == 75


def test_trimmed_mean_drops_only_one_of_equal_extremes():
    # 60, 60, 70, 80, 80: drop one 60 and one 80 → (60 + 70 + 80) / 3 = 70
    assert trimmed_mean([60, 80, 70, 60, 80]) == 70


def test_trimmed_mean_below_five_reviews_is_the_plain_mean():
    # 60, 70, 80, 95 → 305/4 = 76.25
    assert trimmed_mean([60, 70, 80, 95]) == Fraction("76.25")


def test_population_variance_and_sigma():
    # 70, 80, 90: mean 80, squared deviations 100, 0, 100 → variance 200/3, σ = √66.67 = 8.1650
    assert population_variance([70, 80, 90]) == Fraction(200, 3)
    assert to_decimal(population_sigma([70, 80, 90])) == Decimal("8.1650")


def test_disagreement_flag_above_fifteen_points():
    # 50 and 90: mean 70, deviations ±20 → σ = 20 > 15
    assert is_disagreement([50, 90]) is True


def test_disagreement_flag_not_raised_at_exactly_fifteen():
    # 55 and 85: deviations ±15 → σ = 15, not above 15
    assert is_disagreement([55, 85]) is False
    # 55 and 85.02: deviations ±15.01 → σ = 15.01 > 15
    assert is_disagreement([55, Fraction("85.02")]) is True


def test_single_review_has_no_disagreement():
    assert is_disagreement([40]) is False


def test_decimal_sqrt_is_correctly_rounded_to_fifty_digits():
    # √2 = 1.4142135623730950488016887242096980785696718753769 (50 significant digits)
    assert decimal_sqrt(2) == Decimal("1.4142135623730950488016887242096980785696718753769")
    assert decimal_sqrt(Fraction(9, 4)) == Decimal("1.5")


# --- aggregations over a round -----------------------------------------------------------
# Judge A: case 1 → 80, case 2 → 60            μ = 70, σ = 10,        z = +1, −1
# Judge B: case 1 → 90, case 2 → 70, case 3 → 80 μ = 80, σ = √(200/3), z = +√1.5, −√1.5, 0
# Judge C: case 3 → 50 (one review)                                      z = 0
ROUND = reviews(
    ("A", 1, 80),
    ("A", 2, 60),
    ("B", 1, 90),
    ("B", 2, 70),
    ("B", 3, 80),
    ("C", 3, 50),
)


def test_mean_aggregation():
    # case 1: (80 + 90)/2 = 85; case 2: (60 + 70)/2 = 65; case 3: (80 + 50)/2 = 65
    result = tally(ROUND, MEAN)

    assert {case: t.score for case, t in result.items()} == {1: 85, 2: 65, 3: 65}
    assert result[1].count == 2
    assert result[3].median == 65


def test_trimmed_aggregation_with_five_reviews_and_with_two():
    round_ = reviews(*[(j, 1, s) for j, s in zip("ABCDE", [60, 95, 75, 80, 70], strict=True)])
    round_ += reviews(("A", 2, 60), ("B", 2, 90))

    result = tally(round_, TRIMMED)

    # case 1 trimmed: (70 + 75 + 80) / 3 = 75; case 2 has 2 reviews: (60 + 90) / 2 = 75
    assert result[1].score == 75
    assert result[2].score == 75


def test_zscore_per_judge():
    zs = review_zscores(ROUND)

    assert zs[0] == 1
    assert zs[1] == -1
    assert abs(zs[2] - SQRT_1_5) < Decimal("1e-39")
    assert abs(zs[3] + SQRT_1_5) < Decimal("1e-39")
    assert zs[4] == 0  # B's own mean
    assert zs[5] == 0  # C has a single review


def test_zscore_aggregation_hand_computed():
    result = tally(ROUND, ZSCORE)

    # case 1: 50 + 10 × (1 + √1.5)/2 = 55 + 5√1.5 = 61.12372435695794524549…
    assert exact(lambda: abs(result[1].score - (55 + 5 * SQRT_1_5))) < Decimal("1e-38")
    assert to_decimal(result[1].score) == Decimal("61.1237")
    # case 2: 50 − 10 × (1 + √1.5)/2 = 45 − 5√1.5 = 38.8762756…
    assert to_decimal(result[2].score) == Decimal("38.8763")
    # case 3: z = 0 (B's mean) and 0 (C's single review) → 50
    assert result[3].score == 50


def test_zscore_is_zero_for_a_judge_whose_scores_are_all_equal():
    # D gives 70 twice: σ = 0, so both z are 0 and case 2 gets 50 + 10 × (0 + (−1))/2 = 45
    round_ = reviews(("D", 1, 70), ("D", 2, 70), ("A", 1, 80), ("A", 2, 60))

    result = tally(round_, ZSCORE)

    assert review_zscores(round_)[:2] == [0, 0]
    assert result[1].score == 55  # 50 + 10 × (0 + 1)/2
    assert result[2].score == 45


def test_zscore_judge_with_one_review_counts_as_zero():
    # E's only review is 100 but counts z = 0: the case gets 50 + 10 × (0 + 1)/2 = 55
    round_ = reviews(("E", 1, 100), ("A", 1, 80), ("A", 2, 60))

    assert tally(round_, ZSCORE)[1].score == 55


def test_zscore_does_not_depend_on_the_global_decimal_context():
    expected = tally(ROUND, ZSCORE)[1].score

    with decimal.localcontext() as ctx:
        ctx.prec = 6
        ctx.rounding = decimal.ROUND_FLOOR

        assert tally(ROUND, ZSCORE)[1].score == expected


def test_judge_stats_counts_and_means():
    stats = judge_stats(ROUND)

    assert stats["B"].count == 3
    assert stats["B"].mean == 80
    assert stats["B"].variance == Fraction(200, 3)
    assert stats["C"].normalisable is False


def test_unknown_aggregation_is_refused():
    with pytest.raises(ValueError):
        tally(ROUND, "median")


# --- ranking ---------------------------------------------------------------------------------
def test_rank_by_score_descending_inside_each_category():
    tallies = tally(reviews(("A", 1, 70), ("A", 2, 90), ("A", 3, 50), ("A", 4, 60)), MEAN)
    entries = [
        RankingEntry(1, "x", "R1"),
        RankingEntry(2, "x", "R2"),
        RankingEntry(3, "y", "R3"),
        RankingEntry(4, "y", "R4"),
    ]

    assert rank(entries, tallies) == {2: 1, 1: 2, 4: 1, 3: 2}


def test_rank_tie_broken_by_median():
    # case 1: 60, 90, 90 → mean 80, median 90; case 2: 80, 80, 80 → mean 80, median 80
    tallies = tally(
        reviews(("A", 1, 60), ("B", 1, 90), ("C", 1, 90), ("A", 2, 80), ("B", 2, 80), ("C", 2, 80)),
        MEAN,
    )

    result = rank([RankingEntry(2, "x", "R1"), RankingEntry(1, "x", "R2")], tallies)

    assert result == {1: 1, 2: 2}


def test_rank_tie_broken_by_number_of_reviews():
    # case 1: 80, 80 (two reviews); case 2: 80, 80, 80 (three): same mean and median
    tallies = tally(
        reviews(("A", 1, 80), ("B", 1, 80), ("A", 2, 80), ("B", 2, 80), ("C", 2, 80)), MEAN
    )

    result = rank([RankingEntry(1, "x", "R1"), RankingEntry(2, "x", "R2")], tallies)

    assert result == {2: 1, 1: 2}


def test_rank_tie_broken_by_reference_ascending():
    tallies = tally(reviews(("A", 1, 75), ("A", 2, 75)), MEAN)

    result = rank(
        [RankingEntry(1, "x", "2026-ZF-0010"), RankingEntry(2, "x", "2026-ZF-0002")], tallies
    )

    assert result == {2: 1, 1: 2}


def test_rank_compares_exact_scores_not_rounded_ones():
    # 200/3 = 66.66666… and 66.6667 round to the same 4 places but are not equal
    tallies = tally(reviews(("A", 1, Fraction(200, 3)), ("A", 2, Fraction("66.6667"))), MEAN)

    result = rank([RankingEntry(1, "x", "R1"), RankingEntry(2, "x", "R2")], tallies)

    assert result == {2: 1, 1: 2}


def test_rank_leaves_cases_without_reviews_unranked():
    tallies = tally(reviews(("A", 1, 75)), MEAN)

    result = rank([RankingEntry(1, "x", "R1"), RankingEntry(2, "x", "R0")], tallies)

    assert result == {1: 1, 2: None}


def test_mean_and_zscore_ranks_can_differ():
    # A is severe: case 1 → 70, case 3 → 50 (μ 60, σ 10: z = +1, −1).
    # B is lenient: case 2 → 90, case 4 → 100 (μ 95, σ 5: z = −1, +1).
    # mean:   case 4 = 100, case 2 = 90, case 1 = 70, case 3 = 50.
    # zscore: case 1 = case 4 = 60 (median 70 < 100 → case 4 first),
    #         case 2 = case 3 = 40 (median 90 > 50 → case 2 first).
    round_ = reviews(("A", 1, 70), ("A", 3, 50), ("B", 2, 90), ("B", 4, 100))
    entries = [RankingEntry(c, "x", f"R{c}") for c in (1, 2, 3, 4)]
    zscore_tallies = tally(round_, ZSCORE)

    mean_rank = rank(entries, tally(round_, MEAN))
    zscore_rank = rank(entries, zscore_tallies)

    assert mean_rank == {4: 1, 2: 2, 1: 3, 3: 4}
    assert {c: t.score for c, t in zscore_tallies.items()} == {1: 60, 2: 40, 3: 40, 4: 60}
    assert zscore_rank == {4: 1, 1: 2, 2: 3, 3: 4}


def test_case_tally_statistics_equal_the_fraction_definitions():
    round_ = reviews(
        ("A", 1, Fraction(200, 3)), ("B", 1, Fraction("72.25")), ("C", 1, 50), ("D", 1, 91)
    )

    found = tally(round_, MEAN)[1]

    values = [Fraction(200, 3), Fraction("72.25"), 50, 91]
    assert found.score == mean(values)
    assert found.median == median(values)
    assert found.variance == population_variance(values)
    assert found.disagreement == is_disagreement(values)
    assert found.scores == tuple(values)
