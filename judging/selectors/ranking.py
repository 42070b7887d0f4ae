"""Reads for tabulation: a round's submitted review scores, recomputed from the stored
criterion scores, and the ranking table built from them.

Median and trimmed mean have no portable SQL, and zscore needs every judge's whole series, so
the maths runs once in Python over the rows of a single query (STYLE.md §5): never one query
per case or per judge.
"""

import hashlib
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cached_property
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum

from cases.models import Case, EditionStatus

from ..models import (
    Assignment,
    Criterion,
    CriterionScore,
    Review,
    ReviewStatus,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
)
from ..tabulation import (
    MEAN,
    ZSCORE,
    RankingEntry,
    ReviewScoreCalculator,
    rank,
    review_zscores,
    tally,
    to_decimal,
)


class ScoredReview(NamedTuple):
    """A submitted review with its score S recomputed from its criterion scores. Has the
    `judge`, `case`, `score` of `tabulation.ReviewScore`, so the pure functions take it."""

    judge: int
    case: int
    score: Fraction
    review: int
    values: list | None  # (criterion id, Decimal value) pairs, with `keep_values`


def round_criteria(round_):
    return list(Criterion.objects.filter(round=round_).order_by("order", "pk"))


def submitted_reviews(round_, *, criteria=None, case=None, keep_values=False):
    """Every submitted review of `round_` (or of one `case`) as `ScoredReview`s, in a stable
    order (judge, case, review): S is computed from scratch from the CriterionScore rows, never
    read from the stored `Review.score`. One query over the criterion scores, plus one for the
    round's criteria unless given. `keep_values` keeps each review's criterion values."""
    if criteria is None:
        criteria = round_criteria(round_)
    calculator = ReviewScoreCalculator({c.pk: (c.weight, c.max_points) for c in criteria})
    rows = CriterionScore.objects.filter(
        review__assignment__round=round_, review__status=ReviewStatus.SUBMITTED
    )
    if case is not None:
        rows = rows.filter(review__assignment__case=case)
    rows = rows.values_list(
        "review_id",
        "review__assignment__judge_id",
        "review__assignment__case_id",
        "criterion_id",
        "value",
    ).order_by()
    reviews = [
        ScoredReview(judge, case_id, score, review, values)
        for review, (judge, case_id, score, values) in calculator.scores(
            rows, keep_values=keep_values
        ).items()
    ]
    reviews.sort(key=lambda r: (r.judge, r.case, r.review))
    return reviews


# Case fields the result pages read: the case texts, thousands of characters each, stay in
# the database.
CASE_FIELDS = [
    "reference",
    "title",
    "status",
    "edition_id",
    "category_id",
    "owner_unit_id",
    "submitting_unit_id",
    "category__name",
    "category__code",
    "category__order",
]
ENTRY_FIELDS = [
    *(f.name for f in RoundEntry._meta.concrete_fields),
    *(f"case__{name}" for name in CASE_FIELDS),
]


def round_entries(round_):
    """The round's entries with the case fields the result pages need (one query)."""
    return list(
        RoundEntry.objects.filter(round=round_)
        .select_related("case", "case__category")
        .only(*ENTRY_FIELDS)
        .order_by("case__category__order", "case__category_id", "rank", "case__reference", "pk")
    )


def entries_with_assigned(round_):
    """The round's entries, plus an unsaved entry for every case assigned in the round that
    has none yet (organisers often assign a verification or plenary round directly); sorted
    by category and reference. Two queries, three when entries are missing."""
    entries = round_entries(round_)
    entered = {e.case_id for e in entries}
    missing = (
        set(Assignment.objects.filter(round=round_).values_list("case_id", flat=True)) - entered
    )
    if missing:
        cases = Case.objects.filter(pk__in=missing).select_related("category")
        entries += [RoundEntry(round=round_, case=case) for case in cases.only(*CASE_FIELDS)]
    entries.sort(
        key=lambda e: (
            e.case.category.order if e.case.category_id else 0,
            e.case.category_id or 0,
            e.case.reference,
            e.case_id,
        )
    )
    return entries


def ranking_entries(entries):
    return [
        RankingEntry(case=e.case_id, category=e.case.category_id, reference=e.case.reference)
        for e in entries
    ]


def compute_ranking(round_, entries, reviews):
    """`(tallies, ranks)` of the entries by the round's aggregation."""
    tallies = tally(reviews, round_.aggregation)
    return tallies, rank(ranking_entries(entries), tallies)


# --- The ranking table ---------------------------------------------------------------------
# Every figure of the table depends on the whole round (ranks, zscore), so it is computed
# over all the round's reviews; that takes about half a second for 10,000 reviews. The result
# is kept in the cache under a fingerprint of everything it is computed from, read in three
# small queries per request: so the organiser's page is recomputed only when a judge saved a
# score, an entry or a case moved, or the criteria changed — never served stale, because
# any such change gives a new key (and the old entry is simply never read again).
RANKING_CACHE_SECONDS = 60 * 60
# Part of the key: a deploy that changes what is cached never reads an older layout.
FIGURES_FORMAT = 1


class RankedCategory(NamedTuple):
    pk: int
    name: str
    order: int


class RankedCase(NamedTuple):
    """The case fields the ranking table shows."""

    pk: int
    reference: str
    title: str
    category_id: int | None
    category: RankedCategory | None

    @property
    def id(self):
        return self.pk

    def __str__(self):
        return self.title


class StoredEntry(NamedTuple):
    """What `tabulate_round` stored on the RoundEntry."""

    pk: int
    case_id: int
    score: object  # Decimal or None
    rank: int | None


class Figures(NamedTuple):
    """One case's figures, computed from the round's reviews (what the cache keeps). The
    Decimals are kept as their text: a cached round unpickles ten times faster."""

    rank: int | None
    score: str | None
    mean_score: str | None
    mean_rank: int | None
    zscore_score: str | None
    zscore_rank: int | None
    median: str | None
    sigma: str | None
    count: int
    disagreement: bool


NO_FIGURES = Figures(None, None, None, None, None, None, None, None, 0, False)


def _text(value):
    return "—" if value is None else str(value)


def _decimal(text):
    return None if text is None else Decimal(text)


class RankingRow:
    """One entry of the ranking table: the computed figures next to what is stored on the
    entry, with their display text (plain strings keep a 2,000-row table cheap to render)."""

    def __init__(self, *, entry, case, figures):
        self.entry = entry
        self.case = case
        self.figures = figures
        self.rank = figures.rank
        self.score = _decimal(figures.score)
        self.count = figures.count
        self.disagreement = figures.disagreement
        # The stored score or rank differs from what the reviews give now.
        self.stale = entry.score != self.score or entry.rank != self.rank

    mean_rank = property(lambda self: self.figures.mean_rank)
    zscore_rank = property(lambda self: self.figures.zscore_rank)
    mean_score = property(lambda self: _decimal(self.figures.mean_score))
    zscore_score = property(lambda self: _decimal(self.figures.zscore_score))
    median = property(lambda self: _decimal(self.figures.median))
    sigma = property(lambda self: _decimal(self.figures.sigma))

    @cached_property
    def text(self):
        """Only the rows of the page shown are ever turned into text."""
        figures, entry = self.figures, self.entry
        return {
            "rank": _text(figures.rank),
            "score": _text(figures.score),
            "stored": f"{_text(entry.score)} / {_text(entry.rank)}",
            "mean_score": _text(figures.mean_score),
            "mean_rank": _text(figures.mean_rank),
            "zscore_score": _text(figures.zscore_score),
            "zscore_rank": _text(figures.zscore_rank),
            "median": _text(figures.median),
            "count": str(figures.count),
            "sigma": _text(figures.sigma),
        }


@dataclass
class RankingTable:
    round: object
    rows: list

    @cached_property
    def stale(self):
        return any(row.stale for row in self.rows)

    @cached_property
    def tabulated(self):
        return any(row.entry.rank is not None for row in self.rows)

    @cached_property
    def disagreements(self):
        return sum(1 for row in self.rows if row.disagreement)


def _table_entries(round_):
    """`(StoredEntry, RankedCase)` pairs of every entry of the round, in one query of plain
    values (no model instances: a round has thousands of entries)."""
    categories = {}
    pairs = []
    rows = (
        RoundEntry.objects.filter(round=round_)
        .order_by("pk")
        .values_list(
            "pk",
            "case_id",
            "score",
            "rank",
            "case__reference",
            "case__title",
            "case__category_id",
            "case__category__name",
            "case__category__order",
        )
    )
    for pk, case_id, score, rank_, reference, title, category_id, name, order in rows:
        category = None
        if category_id is not None:
            category = categories.get(category_id)
            if category is None:
                category = categories[category_id] = RankedCategory(category_id, name, order)
        pairs.append(
            (
                StoredEntry(pk, case_id, score, rank_),
                RankedCase(case_id, reference, title, category_id, category),
            )
        )
    return pairs


def _reviews_fingerprint(round_):
    """Changes whenever a review of the round is added, removed or saved (`review_save`
    increments `version` on every save: the sum moves even when two saves commit out of
    the order of their `updated_at`)."""
    return tuple(
        Review.objects.filter(assignment__round=round_)
        .aggregate(
            count=Count("pk"), versions=Sum("version"), last=Max("updated_at"), top=Max("pk")
        )
        .values()
    )


def _figures_key(round_, criteria, reviews_fingerprint, cases):
    identity = repr(
        (
            round_.aggregation,
            [(c.pk, str(c.weight), str(c.max_points)) for c in criteria],
            reviews_fingerprint,
            [(c.pk, c.category_id, c.reference) for c in cases],
        )
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f"ranking-figures:{FIGURES_FORMAT}:{round_.pk}:{digest}"


def _compute_figures(round_, criteria, cases):
    """`{case_id: Figures}` by the round's aggregation, with mean and zscore next to it.
    Ranks are always computed over the whole round."""
    reviews = submitted_reviews(round_, criteria=criteria)
    keys = [RankingEntry(c.pk, c.category_id, c.reference) for c in cases]
    tallies = {MEAN: tally(reviews, MEAN), ZSCORE: tally(reviews, ZSCORE)}
    if round_.aggregation not in tallies:
        tallies[round_.aggregation] = tally(reviews, round_.aggregation)
    ranks = {name: rank(keys, by_case) for name, by_case in tallies.items()}
    official = round_.aggregation
    figures = {}
    for case in cases:
        found = tallies[official].get(case.pk)
        if found is None:
            figures[case.pk] = NO_FIGURES
            continue
        mean_tally, zscore_tally = tallies[MEAN][case.pk], tallies[ZSCORE][case.pk]
        figures[case.pk] = Figures(
            rank=ranks[official][case.pk],
            score=str(to_decimal(found.score)),
            mean_score=str(to_decimal(mean_tally.score)),
            mean_rank=ranks[MEAN][case.pk],
            zscore_score=str(to_decimal(zscore_tally.score)),
            zscore_rank=ranks[ZSCORE][case.pk],
            median=str(to_decimal(found.median, 2)),
            sigma=str(to_decimal(found.sigma, 2)),
            count=found.count,
            disagreement=bool(found.disagreement),
        )
    return figures


def ranking_figures(round_, cases):
    """`{case_id: Figures}` for `cases` (every entry of the round), from the cache when the
    round's data did not change since they were computed. Two queries (criteria and the
    reviews' fingerprint), one more on a cache miss."""
    criteria = round_criteria(round_)
    key = _figures_key(round_, criteria, _reviews_fingerprint(round_), cases)
    figures = cache.get(key)
    if figures is None:
        figures = _compute_figures(round_, criteria, cases)
        cache.set(key, figures, RANKING_CACHE_SECONDS)
    return figures


def ranking_table(round_, *, category=None):
    """Every entry of the round (or of one category) with its score and rank by the round's
    aggregation, next to its mean and zscore score and rank, median, σ and disagreement
    flag, and what is stored on the entry. Three queries when the figures are cached (see
    `ranking_figures`), four when they are computed."""
    pairs = _table_entries(round_)
    figures = ranking_figures(round_, [case for _entry, case in pairs])
    rows = [
        RankingRow(entry=entry, case=case, figures=figures[case.pk])
        for entry, case in pairs
        if category is None or case.category_id == category.pk
    ]
    rows.sort(
        key=lambda r: (
            r.case.category.order if r.case.category_id else 0,
            r.case.category_id or 0,
            r.rank is None,
            r.rank or 0,
            r.case.reference,
        )
    )
    return RankingTable(round=round_, rows=rows)


# --- One case's reviews --------------------------------------------------------------------
class ReviewDetail(NamedTuple):
    judge: object
    review: object
    score: Fraction
    z: object
    values: list  # one Decimal (or None) per criterion, in criterion order

    @property
    def score_display(self):
        return to_decimal(self.score)

    @property
    def z_display(self):
        return to_decimal(self.z)


def case_review_details(round_, case):
    """Each submitted review of `case` in `round_` with the judge, every criterion score, the
    comment, S and the review's z value (which needs the judges' whole series: one query over
    the round's scores), in a bounded number of queries."""
    criteria = round_criteria(round_)
    reviews = submitted_reviews(round_, criteria=criteria, keep_values=True)
    zs = dict(zip((r.review for r in reviews), review_zscores(reviews), strict=True))
    mine = [r for r in reviews if r.case == case.pk]
    objects = Review.objects.select_related("assignment__judge").in_bulk([r.review for r in mine])
    return criteria, [
        ReviewDetail(
            judge=objects[r.review].assignment.judge,
            review=objects[r.review],
            score=r.score,
            z=zs[r.review],
            values=[dict(r.values).get(c.pk) for c in criteria],
        )
        for r in sorted(mine, key=lambda r: (r.judge, r.review))
    ]


# --- Verification of stored rankings ------------------------------------------------------
class Difference(NamedTuple):
    round: object
    reference: str
    what: str  # "score", "rank", "entry", "review score"
    stored: object
    recomputed: object


def verifiable_rounds(*, include_open=False):
    """Rounds whose stored ranking `verify_results` checks: scoring rounds with at least one
    tabulated entry (a score or a rank stored) that are closed or belong to an edition in
    公示, published or archived. A still-open round's ranking is an interim one (reviews may
    still arrive), so it is checked only with `include_open`."""
    tabulated = Q(entries__score__isnull=False) | Q(entries__rank__isnull=False)
    rounds = Round.objects.filter(tabulated, kind=RoundKind.SCORING)
    if not include_open:
        rounds = rounds.filter(
            Q(status=RoundStatus.CLOSED)
            | Q(
                edition__status__in=[
                    EditionStatus.PUBLICITY,
                    EditionStatus.PUBLISHED,
                    EditionStatus.ARCHIVED,
                ]
            )
        )
    return rounds.distinct().select_related("edition__programme").order_by("edition", "order")


def ranking_differences(round_):
    """Recompute the round's ranking from the stored criterion scores — S from scratch, never
    from `Review.score` — and list every difference from what is stored, each case named by
    its reference number and compared by case, the cause before its consequences:

    1. a reviewed case without an entry (one line; the ranks are then recomputed with that
       case included, as the tabulation would, so the other cases' ranks are not reported as
       shifted by it);
    2. an entry's score or rank;
    3. a review's stored score."""
    reviews = submitted_reviews(round_)
    entries = round_entries(round_)
    entered = {e.case_id for e in entries}
    missing_ids = sorted({r.case for r in reviews} - entered)
    missing = list(
        Case.objects.filter(pk__in=missing_ids).values_list("pk", "category_id", "reference")
    )
    references = {e.case_id: e.case.reference for e in entries}
    references.update({pk: reference for pk, _category, reference in missing})
    differences = [
        Difference(round_, references.get(case_id, f"#{case_id}"), "entry", None, "missing")
        for case_id in missing_ids
    ]
    tallies = tally(reviews, round_.aggregation)
    ranks = rank(
        ranking_entries(entries) + [RankingEntry(pk, cat, ref) for pk, cat, ref in missing],
        tallies,
    )
    for e in entries:
        found = tallies.get(e.case_id)
        score = to_decimal(found.score) if found else None
        if e.score != score:
            differences.append(Difference(round_, e.case.reference, "score", e.score, score))
        if e.rank != ranks[e.case_id]:
            differences.append(
                Difference(round_, e.case.reference, "rank", e.rank, ranks[e.case_id])
            )
    stored = dict(
        Review.objects.filter(assignment__round=round_, status=ReviewStatus.SUBMITTED).values_list(
            "pk", "score"
        )
    )
    for r in reviews:
        if stored.get(r.review) != to_decimal(r.score):
            differences.append(
                Difference(
                    round_,
                    references.get(r.case, f"#{r.case}"),
                    "review score",
                    stored.get(r.review),
                    to_decimal(r.score),
                )
            )
    return differences
