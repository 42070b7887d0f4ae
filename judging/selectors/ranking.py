"""Reads for tabulation: a round's submitted review scores, recomputed from the stored
criterion scores, and the ranking table built from them.

Median and trimmed mean have no portable SQL, and zscore needs every judge's whole series, so
the maths runs once in Python over the rows of a single query (STYLE.md §5): never one query
per case or per judge.
"""

from fractions import Fraction
from typing import NamedTuple

from django.db.models import Q

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
    RankingEntry,
    ReviewScoreCalculator,
    rank,
    review_zscores,
    tally,
    to_decimal,
)
from .ranking_figures import (
    ScoredReview,
)


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
