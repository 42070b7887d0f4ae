from decimal import Decimal
from fractions import Fraction

import pytest

from cases.models import EditionStatus
from judging.selectors.calibration import LENIENT, SEVERE, leaning, round_calibration
from judging.tabulation import to_decimal
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_round,
    make_scored_review,
)

pytestmark = pytest.mark.django_db

ONE_CRITERION = [("总分", 1, 100)]


def test_leaning_is_decided_at_half_the_panel_sigma():
    # panel σ² = 100 (σ = 10): a difference of exactly 5 is not enough, 5.01 is
    assert leaning(Fraction(5), Fraction(100)) == ""
    assert leaning(Fraction("5.01"), Fraction(100)) == LENIENT
    assert leaning(Fraction("-5.01"), Fraction(100)) == SEVERE


def test_round_calibration_hand_computed():
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION)
    c1, c2, c3 = (make_case(edition=edition, category=category) for _ in range(3))
    lenient, severe, single = make_judge(name="宽"), make_judge(name="严"), make_judge(name="单")
    # lenient: 90, 80 on c1, c2; severe: 60, 50 on c1, c2; single: 70 on c3
    for judge, case, value in [
        (lenient, c1, 90),
        (lenient, c2, 80),
        (severe, c1, 60),
        (severe, c2, 50),
        (single, c3, 70),
    ]:
        make_scored_review(round=round_, case=case, judge=judge, values=[value])

    result = round_calibration(round_)

    # panel: mean (90 + 80 + 60 + 50 + 70)/5 = 70; squared deviations 400, 100, 100, 400, 0
    # → σ² = 1000/5 = 200, σ = 14.1421; half σ = 7.07
    assert (result.count, result.mean, result.variance) == (5, 70, 200)
    assert to_decimal(result.sigma, 2) == Decimal("14.14")
    rows = {row.judge.name: row for row in result.judges}
    # lenient: mean 85, σ 5, +15 > 7.07; on the same cases the other judge gave 30 less
    assert (rows["宽"].mean, rows["宽"].sigma, rows["宽"].difference) == (85, 5, 15)
    assert rows["宽"].leaning == LENIENT
    assert rows["宽"].paired_difference == 30
    assert rows["严"].leaning == SEVERE
    assert rows["严"].paired_difference == -30
    # single: one review, 0 from the panel mean, nobody else on c3
    assert rows["单"].too_few is True
    assert rows["单"].normalisable is False
    assert (rows["单"].leaning, rows["单"].paired_difference) == ("", None)
    assert result.warnings == 1


def test_round_calibration_of_an_empty_round():
    round_ = make_round(edition=make_edition(), criteria=ONE_CRITERION)

    result = round_calibration(round_)

    assert (result.count, result.judges, result.sigma) == (0, [], None)
