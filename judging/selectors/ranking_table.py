"""The organiser's ranking table: every entry of a round with its figures (`ranking_figures`),
kept in the cache and brought up to date after a score change by recomputing only what the
change can move (`ranking_figures.RoundScores`); rows are built only for the page shown.

`tabulate_round` and `verify_results` do not use any of this: they recompute from scratch.
"""

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.core.cache import cache
from django.db.models import Count, Max, Q, Sum

from ..models import CriterionScore, Review, ReviewStatus, RoundEntry
from ..tabulation import RankingEntry, ReviewScoreCalculator
from .ranking import round_criteria, submitted_reviews
from .ranking_figures import VERSION, RoundScores, compute_figures, kept_score

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


# One entry of the round as read for the table: plain values, no objects.
ENTRY_VALUES = (
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
(_PK, _CASE, _SCORE, _RANK, _REFERENCE, _TITLE, _CATEGORY, _CATEGORY_NAME, _CATEGORY_ORDER) = range(
    len(ENTRY_VALUES)
)


class RankingRows(Sequence):
    """The table's rows in display order, built as `RankingRow`s only when read: a page of
    200 rows builds 200 objects whatever the size of the round (the paginator slices)."""

    def __init__(self, values, figures):
        self.values = values  # ENTRY_VALUES tuples, sorted
        self.figures = figures
        self.categories = {}

    def __len__(self):
        return len(self.values)

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self._row(v) for v in self.values[index]]
        return self._row(self.values[index])

    def _row(self, v):
        category = None
        if v[_CATEGORY] is not None:
            category = self.categories.get(v[_CATEGORY])
            if category is None:
                category = RankedCategory(v[_CATEGORY], v[_CATEGORY_NAME], v[_CATEGORY_ORDER])
                self.categories[v[_CATEGORY]] = category
        return RankingRow(
            entry=StoredEntry(v[_PK], v[_CASE], v[_SCORE], v[_RANK]),
            case=RankedCase(v[_CASE], v[_REFERENCE], v[_TITLE], v[_CATEGORY], category),
            figures=self.figures[v[_CASE]],
        )


@dataclass
class RankingTable:
    """`rows` is a sequence (`len`, slices, iteration); the counts below read the plain values
    and the figures, without building a row object per entry."""

    round: object
    rows: RankingRows

    @cached_property
    def stale(self):
        figures = self.rows.figures
        return any(
            v[_RANK] != figures[v[_CASE]].rank or v[_SCORE] != _decimal(figures[v[_CASE]].score)
            for v in self.rows.values
        )

    @cached_property
    def tabulated(self):
        return any(v[_RANK] is not None for v in self.rows.values)

    @cached_property
    def disagreements(self):
        figures = self.rows.figures
        return sum(1 for v in self.rows.values if figures[v[_CASE]].disagreement)


def _table_entries(round_):
    """Every entry of the round as ENTRY_VALUES tuples, in one query of plain values (no
    model instances: a round has thousands of entries)."""
    return list(RoundEntry.objects.filter(round=round_).order_by("pk").values_list(*ENTRY_VALUES))


def _reviews_fingerprint(round_):
    """Changes whenever a review of the round is added, removed or saved (`review_save`
    increments `version` on every save: the sum moves even when two saves commit out of
    the order of their `updated_at`). With the count and version sum of the submitted
    reviews, which the kept scores check themselves against."""
    submitted = Q(status=ReviewStatus.SUBMITTED)
    return tuple(
        Review.objects.filter(assignment__round=round_)
        .aggregate(
            count=Count("pk"),
            versions=Sum("version"),
            last=Max("updated_at"),
            top=Max("pk"),
            submitted=Count("pk", filter=submitted),
            submitted_versions=Sum("version", filter=submitted),
        )
        .values()
    )


def _figures_key(round_, criteria, reviews_fingerprint, entries):
    identity = repr(
        (
            round_.aggregation,
            [(c.pk, str(c.weight), str(c.max_points)) for c in criteria],
            reviews_fingerprint,
            [tuple(e) for e in entries],
        )
    )
    digest = hashlib.sha256(identity.encode()).hexdigest()
    return f"ranking-figures:{FIGURES_FORMAT}:{round_.pk}:{digest}"


def full_figures(round_, entries, criteria=None):
    """`{case_id: Figures}` of `entries` (`RankingEntry`s, every entry of the round) by the
    round's aggregation, with mean and zscore next to it, from scratch (one query, two
    without `criteria`). Ranks are always computed over the whole round."""
    reviews = submitted_reviews(round_, criteria=criteria)
    return compute_figures(round_.aggregation, reviews, entries)


# The review scores S of a round, kept to bring the figures up to date after a change (see
# `ranking_figures.RoundScores`); past this many changed reviews, they are read afresh.
SCORES_FORMAT = 1
INCREMENTAL_LIMIT = 500


def _scores_key(round_):
    return f"ranking-scores:{SCORES_FORMAT}:{round_.pk}"


def _identity(value):
    return hashlib.sha256(repr(value).encode()).hexdigest()


def kept_scores(round_, criteria, reviews=None):
    """`{review: kept_score}` of the round's submitted reviews (or of those in `reviews`),
    S from scratch from the criterion scores, with each review's version read in the same
    query. One query."""
    calculator = ReviewScoreCalculator({c.pk: (c.weight, c.max_points) for c in criteria})
    rows = CriterionScore.objects.filter(
        review__assignment__round=round_, review__status=ReviewStatus.SUBMITTED
    )
    if reviews is not None:
        rows = rows.filter(review_id__in=reviews)
    rows = rows.values_list(
        "review_id",
        "review__version",
        "review__assignment__judge_id",
        "review__assignment__case_id",
        "criterion_id",
        "value",
    ).order_by()
    scores = calculator.scores(
        (review, (judge, version), case, criterion, value)
        for review, version, judge, case, criterion, value in rows
    )
    return {
        review: kept_score(version, judge, case, score)
        for review, ((judge, version), case, score, _values) in scores.items()
    }


def _updated_figures(round_, criteria, entries, fingerprint):
    """`{case_id: Figures}`, brought up to date from the round's kept scores: the reviews
    saved since they were kept are read (one query, `_changed_reviews`) and only their
    criterion scores (one more); without kept scores, or after the criteria changed, all of
    them (one query)."""
    last_saved = fingerprint[2]
    criteria_key = _identity([(c.pk, str(c.weight), str(c.max_points)) for c in criteria])
    entries_key = _identity((round_.aggregation, [tuple(e) for e in entries]))
    state = cache.get(_scores_key(round_))
    if state is not None and state.criteria == criteria_key:
        kept = state.kept
        changed, removed = _changed_reviews(round_, state, fingerprint)
        if len(changed) + len(removed) > INCREMENTAL_LIMIT:
            state = None
        else:
            changed_scores = kept_scores(round_, criteria, changed) if changed else {}
            # A review that stopped being submitted between the two reads is gone.
            removed |= set(changed) - changed_scores.keys()
            if state.entries_key != entries_key or state.official != round_.aggregation:
                for pk in removed:
                    kept.pop(pk, None)
                kept.update(changed_scores)
                state = _new_scores(round_, criteria_key, entries_key, kept, entries, last_saved)
            elif changed_scores or removed:
                state = state.update(changed_scores, removed, entries)
                state.last_saved = last_saved
                cache.set(_scores_key(round_), state, RANKING_CACHE_SECONDS)
            return state.figures
    kept = kept_scores(round_, criteria)
    return _new_scores(round_, criteria_key, entries_key, kept, entries, last_saved).figures


# Reviews whose `updated_at` is this close before the kept scores' watermark are read again
# too: a save whose transaction committed a little after a later one is found without the
# full comparison below.
COMMIT_SLACK = datetime.timedelta(minutes=1)


def _changed_reviews(round_, state, fingerprint):
    """`(changed, removed)`: ids of the submitted reviews to read again and of the kept ones
    no longer submitted. Reads the reviews saved since the kept scores' watermark (a few
    rows); any review saved since counts as changed whatever its version (after a database
    restore, or in tests that reuse ids, the same id and version can stand for other
    scores). When the kept count and version sum then differ from the fingerprint's (a
    deletion, a commit long out of order), every submitted review's version is compared."""
    kept = state.kept
    recent = Review.objects.filter(assignment__round=round_)
    if state.last_saved is not None:
        recent = recent.filter(updated_at__gt=state.last_saved - COMMIT_SLACK)
    changed, removed = [], set()
    versions = {pk: version for pk, (version, *_rest) in kept.items()}
    for pk, version, status in recent.values_list("pk", "version", "status").order_by():
        if status == ReviewStatus.SUBMITTED:
            changed.append(pk)
            versions[pk] = version
        elif pk in kept:
            removed.add(pk)
            del versions[pk]
    count, total = fingerprint[4], fingerprint[5] or 0
    if len(versions) == count and sum(versions.values()) == total:
        return changed, removed
    submitted = dict(
        Review.objects.filter(assignment__round=round_, status=ReviewStatus.SUBMITTED)
        .values_list("pk", "version")
        .order_by()
    )
    changed = [
        pk
        for pk, version in submitted.items()
        if pk in changed or pk not in kept or kept[pk][VERSION] != version
    ]
    return changed, kept.keys() - submitted.keys()


def _new_scores(round_, criteria_key, entries_key, kept, entries, last_saved):
    state = RoundScores(
        criteria=criteria_key,
        entries_key=entries_key,
        official=round_.aggregation,
        kept=kept,
        entries=entries,
    )
    # The latest `updated_at` of the round's reviews read before the scores (any review
    # saved later has a later one, or a version the kept scores do not have).
    state.last_saved = last_saved
    cache.set(_scores_key(round_), state, RANKING_CACHE_SECONDS)
    return state


def ranking_figures(round_, entries):
    """`{case_id: Figures}` for `entries` (`RankingEntry`s of every entry of the round),
    from the cache when the round's data did not change since they were computed. Two
    queries (criteria and the reviews' fingerprint); on a cache miss one more without kept
    scores, two with them (see `_updated_figures`)."""
    criteria = round_criteria(round_)
    fingerprint = _reviews_fingerprint(round_)
    key = _figures_key(round_, criteria, fingerprint, entries)
    figures = cache.get(key)
    if figures is None:
        figures = _updated_figures(round_, criteria, entries, fingerprint)
        cache.set(key, figures, RANKING_CACHE_SECONDS)
    return figures


def ranking_table(round_, *, category=None):
    """Every entry of the round (or of one category) with its score and rank by the round's
    aggregation, next to its mean and zscore score and rank, median, σ and disagreement
    flag, and what is stored on the entry. Three queries when the figures are cached (see
    `ranking_figures`), four or five when they are computed. The rows are built only when
    read (`RankingRows`)."""
    values = _table_entries(round_)
    figures = ranking_figures(
        round_, [RankingEntry(v[_CASE], v[_CATEGORY], v[_REFERENCE]) for v in values]
    )
    if category is not None:
        values = [v for v in values if v[_CATEGORY] == category.pk]

    def order(v):
        rank_ = figures[v[_CASE]].rank
        return (
            v[_CATEGORY_ORDER] if v[_CATEGORY] is not None else 0,
            v[_CATEGORY] or 0,
            rank_ is None,
            rank_ or 0,
            v[_REFERENCE],
        )

    values.sort(key=order)
    return RankingTable(round=round_, rows=RankingRows(values, figures))
