"""Score maths of DESIGN.md §5, as pure functions over plain numbers.

Everything is computed with `Decimal` or `Fraction` so results are exact and reproducible; the
services that store results round only when they write.
"""

from decimal import Decimal
from fractions import Fraction


def review_score(values_by_criterion):
    """Weighted review score S = 100 × Σ w·(x / max) / Σ w, on 0–100, as an exact Fraction.

    `values_by_criterion` is an iterable of `(value, weight, max_points)` triples, one per
    criterion of the round.
    """
    total_weight = Fraction(0)
    weighted = Fraction(0)
    for value, weight, max_points in values_by_criterion:
        weight = Fraction(Decimal(weight))
        total_weight += weight
        weighted += weight * Fraction(Decimal(value)) / Fraction(Decimal(max_points))
    if total_weight == 0:
        raise ValueError("A round needs at least one criterion with a positive weight.")
    return 100 * weighted / total_weight


def to_decimal(fraction, places=4):
    """Round a Fraction half-up to a Decimal with `places` decimals, for storage and display."""
    quantum = Decimal(1).scaleb(-places)
    return (Decimal(fraction.numerator) / Decimal(fraction.denominator)).quantize(quantum)
