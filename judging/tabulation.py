"""Score maths of DESIGN.md §5, as pure functions over plain numbers.

Everything is computed with `Fraction` or, where a square root makes a value irrational (the
per-judge standard deviation of `zscore`), with `Decimal` in a fixed context of
`ZSCORE_PRECISION` significant digits and half-even rounding. Every operation of that context
is correctly rounded, so the result is the same on every machine and every run; the services
that store results round only when they write (`to_decimal`, half-up, 4 places).

A review is a `ReviewScore(judge, case, score)`: `judge` and `case` are any hashable ids,
`score` the review score S (0–100, exact, see `review_score`).
"""

import math
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Context, Decimal
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

MEAN = "mean"
TRIMMED = "trimmed"
ZSCORE = "zscore"
AGGREGATIONS = (MEAN, TRIMMED, ZSCORE)

# Significant digits of the Decimal context used for σ = √variance and the z values. 50 digits
# leave more than 40 correct decimals for scores of order 100, far beyond the 4 that are stored.
ZSCORE_PRECISION = 50
ZSCORE_CONTEXT = Context(prec=ZSCORE_PRECISION, rounding=ROUND_HALF_EVEN)
# zscore case scores are compared for ranking after rounding to this many decimals, so that two
# mathematically equal scores reached along different summation orders are not told apart by
# rounding noise in the 50th digit (they tie and go to the tie-breaks instead).
ZSCORE_COMPARE_PLACES = 20

# A case is flagged when the population standard deviation of its review scores exceeds this.
DISAGREEMENT_SIGMA = 15
# `trimmed` drops one highest and one lowest score from this many reviews on.
TRIM_FROM = 5


class ReviewScore(NamedTuple):
    judge: object
    case: object
    score: Fraction


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


class ReviewScoreCalculator:
    """`review_score` for many reviews of one round, in integer arithmetic.

    With r = w/max and a value x = h/100 (the schema stores two decimals), S = 100·Σ r·x / Σ w
    = Σ r·h / Σ w. Each r and w is brought once to a common denominator (R, W), so a review adds
    integers only and S is built as one Fraction: S = W·Σ(r·R)·h / (R·Σ(w·W)). The result is
    identical to `review_score` (tested).
    """

    def __init__(self, criteria):
        """`criteria`: `{criterion_id: (weight, max_points)}` (Decimals, ints or strings)."""
        ratios = {
            pk: Fraction(Decimal(weight)) / Fraction(Decimal(max_points))
            for pk, (weight, max_points) in criteria.items()
        }
        weights = {pk: Fraction(Decimal(weight)) for pk, (weight, _max) in criteria.items()}
        self.ratio_den = math.lcm(1, *(r.denominator for r in ratios.values()))
        self.weight_den = math.lcm(1, *(w.denominator for w in weights.values()))
        self.factor = {pk: int(r * self.ratio_den) for pk, r in ratios.items()}
        self.weight = {pk: int(w * self.weight_den) for pk, w in weights.items()}

    def score(self, values):
        """S of one review from `[(criterion_id, value), …]`."""
        ((_judge, _case, score, _values),) = self.scores(
            (None, None, None, criterion, value) for criterion, value in values
        ).values()
        return score

    def scores(self, rows, *, keep_values=False):
        """S of many reviews from `(review, judge, case, criterion, value)` rows in any order:
        `{review: (judge, case, S, values)}`, `values` the `(criterion, value)` pairs when
        `keep_values`, else None. One pass, integers only for values with two decimals."""
        factor, weight = self.factor, self.weight
        found = {}
        for review, judge, case, criterion, value in rows:
            if not isinstance(value, Decimal):
                value = Decimal(value)
            top, bottom = value.as_integer_ratio()
            hundredths, remainder = divmod(top * 100, bottom)
            if remainder:  # more than two decimals: stay exact
                term = Fraction(factor[criterion] * top * 100, bottom)
            else:
                term = factor[criterion] * hundredths
            item = found.get(review)
            if item is None:
                item = found[review] = [judge, case, 0, 0, [] if keep_values else None]
            item[2] += term
            item[3] += weight[criterion]
            if keep_values:
                item[4].append((criterion, value))
        return {
            review: (judge, case, Fraction(total * self.weight_den, self.ratio_den * w), values)
            for review, (judge, case, total, w, values) in found.items()
        }


def to_decimal(value, places=4):
    """Round an exact Fraction (or a Decimal, or an int) half-up to `places` decimals, for
    storage and display. Integer arithmetic only: no intermediate rounding, whatever the
    Decimal context."""
    if isinstance(value, Decimal):
        numerator, denominator = value.as_integer_ratio()
    else:
        numerator, denominator = value.numerator, value.denominator
    quotient, remainder = divmod(abs(numerator) * 10**places, denominator)
    if 2 * remainder >= denominator:
        quotient += 1
    sign = "-" if numerator < 0 and quotient else ""
    return Decimal(f"{sign}{quotient}e-{places}")  # built from a string: exact


# --- Statistics over one case's scores ---------------------------------------------------
def mean(values):
    values = [Fraction(v) for v in values]
    if not values:
        raise ValueError("mean of no values")
    return sum(values, Fraction(0)) / len(values)


def median(values):
    ordered = sorted(Fraction(v) for v in values)
    if not ordered:
        raise ValueError("median of no values")
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) / 2


def population_variance(values):
    values = [Fraction(v) for v in values]
    centre = mean(values)
    return sum(((v - centre) ** 2 for v in values), Fraction(0)) / len(values)


def trimmed_mean(values):
    """去掉一个最高分和一个最低分: from `TRIM_FROM` scores on, drop one highest and one lowest
    and average the rest; with fewer scores, the plain mean."""
    ordered = sorted(Fraction(v) for v in values)
    if len(ordered) >= TRIM_FROM:
        ordered = ordered[1:-1]
    return mean(ordered)


def decimal_sqrt(value):
    """√value of a non-negative Fraction, correctly rounded to `ZSCORE_PRECISION` digits."""
    value = Fraction(value)
    if value < 0:
        raise ValueError("square root of a negative number")
    ctx = ZSCORE_CONTEXT
    return ctx.sqrt(ctx.divide(Decimal(value.numerator), Decimal(value.denominator)))


def population_sigma(values):
    return decimal_sqrt(population_variance(values))


def is_disagreement(values):
    """Population σ of the scores above `DISAGREEMENT_SIGMA`, decided exactly as σ² > 15²."""
    return population_variance(values) > DISAGREEMENT_SIGMA**2


# --- Scaled integers -------------------------------------------------------------------------
# Review scores are exact Fractions. For speed over a whole round they are brought once to a
# common denominator K (one lcm) and handled as integers x = S·K; every statistic below is then
# integer arithmetic and one Fraction at the end, identical to the Fraction definitions above.
def scale_scores(reviews):
    """`(K, [x_i])` with every review's S = x_i / K."""
    scores = [r.score if isinstance(r.score, Fraction) else Fraction(r.score) for r in reviews]
    scale = math.lcm(1, *{score.denominator for score in scores})
    return scale, [score.numerator * (scale // score.denominator) for score in scores]


# --- zscore --------------------------------------------------------------------------------
class JudgeStats(NamedTuple):
    """A judge's series in the round, as scaled integers: count m, Σx and Σx²."""

    count: int
    total: int
    squares: int
    scale: int

    @property
    def mean(self):
        return Fraction(self.total, self.count * self.scale)

    @property
    def spread(self):
        """m·Σx² − (Σx)², which is m²K² times the population variance."""
        return self.count * self.squares - self.total * self.total

    @property
    def variance(self):
        return Fraction(self.spread, (self.count * self.scale) ** 2)

    @property
    def normalisable(self):
        """z is 0 for every review of a judge with fewer than 2 reviews or σ = 0."""
        return self.count >= 2 and self.spread > 0

    @property
    def sigma(self):
        return decimal_sqrt(self.variance)


def _judge_stats(reviews, scale, scaled):
    sums = {}
    for review, x in zip(reviews, scaled, strict=True):
        count, total, squares = sums.get(review.judge, (0, 0, 0))
        sums[review.judge] = (count + 1, total + x, squares + x * x)
    return {judge: JudgeStats(*values, scale) for judge, values in sums.items()}


def judge_stats(reviews):
    """`{judge: JudgeStats}` over all of each judge's reviews (the whole round)."""
    reviews = list(reviews)
    scale, scaled = scale_scores(reviews)
    return _judge_stats(reviews, scale, scaled)


def _zscores(reviews, scale, scaled):
    # z = (S − μ)/σ = (m·x − Σx) / √(m·Σx² − (Σx)²): K and m cancel, so z is one correctly
    # rounded square root of an integer and one correctly rounded division.
    stats = _judge_stats(reviews, scale, scaled)
    ctx = ZSCORE_CONTEXT
    roots = {judge: ctx.sqrt(Decimal(s.spread)) for judge, s in stats.items() if s.normalisable}
    zero = Decimal(0)
    result = []
    for review, x in zip(reviews, scaled, strict=True):
        root = roots.get(review.judge)
        if root is None:
            result.append(zero)
            continue
        s = stats[review.judge]
        result.append(ctx.divide(Decimal(s.count * x - s.total), root))
    return result


def review_zscores(reviews):
    """z = (S − μ_j)/σ_j of each review, in input order, as Decimals of the fixed context."""
    reviews = list(reviews)
    scale, scaled = scale_scores(reviews)
    return _zscores(reviews, scale, scaled)


def _zscore_case_scores(reviews, scale, scaled):
    z_by_case = defaultdict(list)
    for review, z in zip(reviews, _zscores(reviews, scale, scaled), strict=True):
        z_by_case[review.case].append(z)
    ctx = ZSCORE_CONTEXT
    result = {}
    for case, zs in z_by_case.items():
        total = Decimal(0)
        for z in zs:
            total = ctx.add(total, z)
        mean_z = ctx.divide(total, Decimal(len(zs)))
        result[case] = ctx.add(Decimal(50), ctx.multiply(Decimal(10), mean_z))
    return result


def zscore_case_scores(reviews):
    """`{case: 50 + 10 × mean z}` over the round's reviews. The z of a case are summed in the
    order the reviews are given, so callers pass them in a stable order (judge, then case)."""
    reviews = list(reviews)
    scale, scaled = scale_scores(reviews)
    return _zscore_case_scores(reviews, scale, scaled)


def case_zscore(series, stats):
    """One case's zscore score from `series`, its reviews' `(judge, x)` in the order of
    `zscore_case_scores` (judge, then review), and `stats`, `{judge: (count, Σx, Σx²)}` over
    the whole round with the same scale K: the operations of `zscore_case_scores`, in the
    same order and context, so the result is identical to it (tested)."""
    ctx = ZSCORE_CONTEXT
    total = Decimal(0)
    for judge, x in series:
        count, judge_total, squares = stats[judge]
        spread = count * squares - judge_total * judge_total
        if count >= 2 and spread > 0:
            z = ctx.divide(Decimal(count * x - judge_total), ctx.sqrt(Decimal(spread)))
        else:
            z = Decimal(0)
        total = ctx.add(total, z)
    mean_z = ctx.divide(total, Decimal(len(series)))
    return ctx.add(Decimal(50), ctx.multiply(Decimal(10), mean_z))


# --- Case tallies and ranking --------------------------------------------------------------
@dataclass(frozen=True)
class CaseTally:
    """One case's review scores (as `scaled` integers over `scale`, in input order) and its
    case score by the round's aggregation, with the statistics derived from them."""

    case: object
    scaled: tuple
    scale: int
    score: object  # Fraction for mean/trimmed, Decimal for zscore

    @property
    def count(self):
        return len(self.scaled)

    @property
    def scores(self):
        return tuple(Fraction(x, self.scale) for x in self.scaled)

    @cached_property
    def median(self):
        ordered = sorted(self.scaled)
        middle = len(ordered) // 2
        if len(ordered) % 2:
            return Fraction(ordered[middle], self.scale)
        return Fraction(ordered[middle - 1] + ordered[middle], 2 * self.scale)

    @cached_property
    def _spread(self):
        total = sum(self.scaled)
        return self.count * sum(x * x for x in self.scaled) - total * total

    @property
    def variance(self):
        return Fraction(self._spread, (self.count * self.scale) ** 2)

    @property
    def sigma(self):
        return decimal_sqrt(self.variance)

    @property
    def disagreement(self):
        """σ > 15 decided exactly as n·Σx² − (Σx)² > 15²·n²·K²."""
        return self._spread > DISAGREEMENT_SIGMA**2 * (self.count * self.scale) ** 2

    @cached_property
    def compare_score(self):
        """The score as ranked: exact for mean/trimmed; zscore at `ZSCORE_COMPARE_PLACES`."""
        if isinstance(self.score, Decimal):
            return Fraction(
                self.score.quantize(
                    Decimal(1).scaleb(-ZSCORE_COMPARE_PLACES), context=ZSCORE_CONTEXT
                )
            )
        return self.score


def tally(reviews, aggregation, *, scaled=None):
    """`{case: CaseTally}` for every case with at least one review, by `aggregation`
    (`mean`, `trimmed` or `zscore`, DESIGN.md §5). `scaled`: `scale_scores(reviews)`, when
    the caller has it."""
    if aggregation not in AGGREGATIONS:
        raise ValueError(f"unknown aggregation {aggregation!r}")
    reviews = list(reviews)
    scale, scaled = scale_scores(reviews) if scaled is None else scaled
    by_case = defaultdict(list)
    for review, x in zip(reviews, scaled, strict=True):
        by_case[review.case].append(x)
    if aggregation == ZSCORE:
        scores = _zscore_case_scores(reviews, scale, scaled)
    else:
        scores = {}
        for case, values in by_case.items():
            if aggregation == TRIMMED and len(values) >= TRIM_FROM:
                values = sorted(values)[1:-1]
            scores[case] = Fraction(sum(values), len(values) * scale)
    return {
        case: CaseTally(case=case, scaled=tuple(values), scale=scale, score=scores[case])
        for case, values in by_case.items()
    }


class RankingEntry(NamedTuple):
    """A case to rank: its id, category (cases are ranked inside their category) and
    reference number (the last tie-break)."""

    case: object
    category: object
    reference: str


def tie_key(tally_):
    """What decides between two cases before the reference number: score, median S, number
    of reviews — all higher first. Equal keys are a real tie."""
    return (tally_.compare_score, tally_.median, tally_.count)


def tie_keys(tallies):
    """`{case: tie_key}` with the Fractions brought to common denominators, so that sorting
    compares integers (the order is the same as comparing the Fractions)."""
    return integer_tie_keys({case: tie_key_parts(t) for case, t in tallies.items()})


def tie_key_parts(tally_):
    """The tie key as plain integers `(score num, score den, median num, median den, count)`
    (what a cache keeps: Fractions unpickle slowly)."""
    score, middle, count = tie_key(tally_)
    return (score.numerator, score.denominator, middle.numerator, middle.denominator, count)


def integer_tie_keys(parts):
    """`{case: (score, median, count)}` as integers over common denominators, from
    `{case: tie_key_parts}`: sorting them orders the cases as their tie keys."""
    score_den = math.lcm(1, *{k[1] for k in parts.values()})
    median_den = math.lcm(1, *{k[3] for k in parts.values()})
    return {
        case: (s_num * (score_den // s_den), m_num * (median_den // m_den), count)
        for case, (s_num, s_den, m_num, m_den, count) in parts.items()
    }


def rank(entries, tallies):
    """`{case: rank}` inside each category: score desc, then median S desc, then more reviews,
    then reference number asc (DESIGN.md §5). Ranks run 1, 2, 3… without gaps; a case without
    a tally (no review) gets `None`."""
    return rank_by_keys(entries, tie_keys(tallies))


def rank_by_keys(entries, keys):
    """`rank` from `{case: integer tie key}` (`tie_keys`, `integer_tie_keys`); only the order
    of the keys inside a category matters."""
    by_category = defaultdict(list)
    result = {}
    for entry in entries:
        if entry.case in keys:
            by_category[entry.category].append(entry)
        else:
            result[entry.case] = None
    for members in by_category.values():
        # Two stable sorts: reference (then id) ascending, then the tie key descending.
        members.sort(key=lambda e: (e.reference or "", e.case))
        members.sort(key=lambda e: keys[e.case], reverse=True)
        for position, entry in enumerate(members, start=1):
            result[entry.case] = position
    return result


# --- Advancement cuts ----------------------------------------------------------------------
def percent_quota(percent, count):
    """How many of `count` cases make the top `percent`%: ⌈percent × count / 100⌉ (rounded up,
    so a category of 7 with 30% sends 3, not 2), computed exactly."""
    return math.ceil(Fraction(Decimal(percent)) * count / 100)


def top_cut(keys, quota):
    """How many cases advance when the top `quota` do, `keys` being the cases' tie keys in rank
    order: `quota`, plus every following case whose key equals the last one's. Such cases
    differ only by reference number, which is no merit, so a true tie at the boundary
    advances together (the category may then send more than `quota`)."""
    if quota <= 0:
        return 0
    if quota >= len(keys):
        return len(keys)
    boundary = keys[quota - 1]
    taken = quota
    while taken < len(keys) and keys[taken] == boundary:
        taken += 1
    return taken


def ties(entries, tallies):
    """The real ties of a ranking: inside each category, the groups of two or more cases whose
    tie keys (score, median S, number of reviews) are equal, so that only the reference number
    told them apart in `rank`. Returns `[[case, …], …]`, each group in rank order, groups in
    the order of the entries' categories as first seen and then best first. Checks that look
    at a boundary (a quota, an advancement cut) compare these keys, never the ranks."""
    keys = tie_keys(tallies)
    by_category = defaultdict(lambda: defaultdict(list))
    for entry in sorted(entries, key=lambda e: (e.reference or "", e.case)):
        if entry.case in keys:
            by_category[entry.category][keys[entry.case]].append(entry.case)
    groups = []
    for members in by_category.values():
        for key in sorted(members, reverse=True):
            if len(members[key]) > 1:
                groups.append(members[key])
    return groups
