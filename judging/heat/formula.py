"""The heat formula (DESIGN.md §5, seed 002), pure arithmetic on plain numbers.

Per list and period:

- raw 全网提及量 x = the sum of an item's mentions over the series' platforms (a platform
  without a count adds 0); raw 省级及央级媒体提及量 y = the number of its coverage records
  whose outlet is 央级 or 省级;
- optionally t(x) = ln(1 + x) (the series' transform), else t(x) = x;
- each is standardised inside the list by min–max to 0–100:
  `100·(t(x) − min)/(max − min)`; where max = min every item gets 100 — unless every item has 0
  mentions, then every item gets 0 (no heat is not top heat);
- 综合热度 = `(w₁·全网信息热度 + w₂·主流媒体报道热度) / (w₁ + w₂)`, over the indices that
  exist: in a period without mention counts (the source gave none) it is the 主流媒体报道热度;
- rank by 综合热度, highest first; equal figures share a rank (1, 1, 3).

Linear figures are exact `Fraction`s. ln(1+x) is irrational, so it is computed in a fixed
Decimal context (50 significant digits, half-even) and the min–max is then exact on those
decimals: the same on every machine, whatever the global decimal context. Stored and shown
figures are rounded half-up to 4 places (`judging.tabulation.to_decimal`); ranks come from the
unrounded figures.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction

from ..tabulation import to_decimal

LOG_CONTEXT = Context(prec=50, rounding=ROUND_HALF_EVEN)
LINEAR = "linear"
LOG1P = "log1p"


@dataclass(frozen=True)
class HeatInput:
    key: object
    online_mentions: int | None  # None: no mention counts in the period
    mainstream_mentions: int


@dataclass(frozen=True)
class HeatFigures:
    key: object
    online_mentions: int | None
    mainstream_mentions: int
    online_index: Fraction | None
    coverage_index: Fraction
    composite: Fraction
    rank: int

    def rounded(self):
        """The figures as stored: 4 decimal places, half-up."""
        return {
            "online_mentions": self.online_mentions,
            "mainstream_mentions": self.mainstream_mentions,
            "online_index": (
                None if self.online_index is None else to_decimal(self.online_index, 4)
            ),
            "coverage_index": to_decimal(self.coverage_index, 4),
            "composite": to_decimal(self.composite, 4),
            "rank": self.rank,
        }


def transformed(value, transform):
    if transform == LOG1P:
        return Fraction(LOG_CONTEXT.ln(Decimal(1 + value)))
    return Fraction(value)


def standardise(values, *, transform=LINEAR):
    """Min–max of `values` (non-negative integers) to 0–100, as exact Fractions."""
    if not values:
        return []
    if max(values) == 0:
        return [Fraction(0)] * len(values)
    points = [transformed(value, transform) for value in values]
    low, high = min(points), max(points)
    if high == low:
        return [Fraction(100)] * len(values)
    return [100 * (point - low) / (high - low) for point in points]


def shared_ranks(scores):
    """Competition ranks, highest first: [90, 90, 80] → [1, 1, 3]."""
    ordered = sorted(scores, reverse=True)
    first_position = {}
    for position, score in enumerate(ordered, start=1):
        first_position.setdefault(score, position)
    return [first_position[score] for score in scores]


def compute_list(rows, *, transform, online_weight, coverage_weight):
    """The figures of one list's items (`HeatInput`s), in the order given."""
    rows = list(rows)
    online_available = any(row.online_mentions is not None for row in rows)
    coverage = standardise([row.mainstream_mentions for row in rows], transform=transform)
    online = (
        standardise([row.online_mentions or 0 for row in rows], transform=transform)
        if online_available
        else [None] * len(rows)
    )
    w_online, w_coverage = Fraction(online_weight), Fraction(coverage_weight)
    composites = []
    for online_index, coverage_index in zip(online, coverage, strict=True):
        if online_index is None or w_online + w_coverage == 0:
            composites.append(coverage_index)
        else:
            composites.append(
                (w_online * online_index + w_coverage * coverage_index) / (w_online + w_coverage)
            )
    ranks = shared_ranks(composites)
    return [
        HeatFigures(
            key=row.key,
            online_mentions=row.online_mentions if online_available else None,
            mainstream_mentions=row.mainstream_mentions,
            online_index=online_index,
            coverage_index=coverage_index,
            composite=composite,
            rank=rank,
        )
        for row, online_index, coverage_index, composite, rank in zip(
            rows, online, coverage, composites, ranks, strict=True
        )
    ]
