from decimal import Decimal
from fractions import Fraction

import pytest

from judging.tabulation import review_score, to_decimal


def test_review_score_weighted_by_criteria():
    # Weights 0.4/0.3/0.3, all out of 10, values 8/6/10:
    # 100 × (0.4·0.8 + 0.3·0.6 + 0.3·1.0) / 1.0 = 100 × 0.8 = 80
    assert review_score([(8, "0.4", 10), (6, "0.3", 10), (10, "0.3", 10)]) == 80


def test_review_score_normalises_different_max_points():
    # 3/5 with weight 1 and 15/20 with weight 2: 100 × (0.6 + 1.5) / 3 = 70
    assert review_score([(3, 1, 5), (15, 2, 20)]) == 70


def test_review_score_is_exact_fraction():
    # 100 × (1/3) = 100/3, not a rounded float
    assert review_score([(1, 1, 3)]) == Fraction(100, 3)
    assert to_decimal(Fraction(100, 3)) == Decimal("33.3333")


def test_review_score_without_weight_is_refused():
    with pytest.raises(ValueError):
        review_score([])
