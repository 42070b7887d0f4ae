"""The organiser's ranking table: every entry of a round with its figures (`ranking_figures`),
kept with the round's data version and brought up to date after a score change by
recomputing only what the change can move (`ranking_figures.RoundScores`); rows are built
only for the page shown.

`tabulate_round` and `verify_results` do not use any of this: they recompute from scratch.
"""

import copy
import hashlib
import random
import threading
from collections import OrderedDict
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import NamedTuple

from django.core.cache import cache

from ..models import CriterionScore, ReviewStatus, RoundDataChange, RoundDataVersion, RoundEntry
from ..tabulation import RankingEntry, ReviewScoreCalculator
from .ranking import round_criteria, submitted_reviews
from .ranking_figures import RoundScores, ScoredReview, compute_figures, kept_score

# --- The ranking table ---------------------------------------------------------------------
# Every figure of the table depends on the whole round (ranks, zscore), so it is computed
# over all the round's reviews; that takes about a second for 40,000 reviews. What it is
# computed from is versioned by database triggers (`RoundDataVersion`, migration 0012), so a
# request reads one row to know whether the figures it keeps are still the round's: the
# page is then a slice of rows kept in display order. After a change, the reviews the
# triggers logged (`RoundDataChange`) are read again and only what they can move is
# recomputed. Never served stale: every write to what the table shows moves the version.
RANKING_CACHE_SECONDS = 60 * 60


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
    """`rows` is a sequence (`len`, slices, iteration); the counts were computed once for the
    round's data version (`RankingView`), not per request."""

    round: object
    rows: RankingRows
    stale: bool
    tabulated: bool
    disagreements: int


def _table_entries(round_):
    """Every entry of the round as ENTRY_VALUES tuples, in one query of plain values (no
    model instances: a round has thousands of entries)."""
    return list(RoundEntry.objects.filter(round=round_).order_by("pk").values_list(*ENTRY_VALUES))


def full_figures(round_, entries, criteria=None):
    """`{case_id: Figures}` of `entries` (`RankingEntry`s, every entry of the round) by the
    round's aggregation, with mean and zscore next to it, from scratch (one query, two
    without `criteria`). Ranks are always computed over the whole round."""
    reviews = submitted_reviews(round_, criteria=criteria)
    return compute_figures(round_.aggregation, reviews, entries)


def _identity(value):
    return hashlib.sha256(repr(value).encode()).hexdigest()


def _read_scores(round_, criteria, reviews=None, *, keep_values=False):
    """`{review: ((judge, version), case, S, values)}` of the round's submitted reviews (or
    of those in `reviews`), S from scratch from the criterion scores, with each review's
    version read in the same query (`values` as `ReviewScoreCalculator.scores`). One
    query."""
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
    return calculator.scores(
        (
            (review, (judge, version), case, criterion, value)
            for review, version, judge, case, criterion, value in rows
        ),
        keep_values=keep_values,
    )


def kept_scores(round_, criteria, reviews=None):
    """`{review: kept_score}` of the round's submitted reviews (or of those in `reviews`).
    One query."""
    return {
        review: kept_score(version, judge, case, score)
        for review, ((judge, version), case, score, _values) in _read_scores(
            round_, criteria, reviews
        ).items()
    }


def _is_stale(v, figures):
    found = figures[v[_CASE]]
    return v[_RANK] != found.rank or v[_SCORE] != _decimal(found.score)


def _segment(values, figures):
    """One category's entries in display order: by rank, the unranked last by reference."""

    def order(v):
        rank_ = figures[v[_CASE]].rank
        return (rank_ is None, rank_ or 0, v[_REFERENCE])

    return sorted(values, key=order)


class TableIndex:
    """The table's entries by category, each category's in display order with its stale and
    disagreeing cases: after a change, only the categories of the cases whose figures
    changed are sorted and checked again (`updated`)."""

    def __init__(self, values, figures):
        self.entries = {v[_CASE]: v for v in values}
        members = {}
        for v in values:
            members.setdefault(v[_CATEGORY], []).append(v)
        self.members = members
        self.categories = sorted(
            members,
            key=lambda c: (0, 0) if c is None else (members[c][0][_CATEGORY_ORDER], c),
        )
        self.tabulated = {c: any(v[_RANK] is not None for v in vs) for c, vs in members.items()}
        self.segments, self.stale, self.disagreeing = {}, {}, {}
        for category, vs in members.items():
            self._index(category, vs, figures)

    def _index(self, category, values, figures):
        self.segments[category] = _segment(values, figures)
        self.stale[category] = {v[_CASE] for v in values if _is_stale(v, figures)}
        self.disagreeing[category] = {v[_CASE] for v in values if figures[v[_CASE]].disagreement}

    def updated(self, figures, changed, reordered):
        """A new index for `figures`, where only the cases in `changed` have new figures,
        and only those in `reordered` a new rank (this one is left as it was: a table built
        from it may still be read)."""
        new = copy.copy(self)
        new.segments, new.stale, new.disagreeing = (
            dict(self.segments),
            dict(self.stale),
            dict(self.disagreeing),
        )
        by_category = {}
        for case in changed:
            v = self.entries.get(case)
            if v is not None:
                by_category.setdefault(v[_CATEGORY], []).append(v)
        for category in {self.entries[c][_CATEGORY] for c in reordered if c in self.entries}:
            new.segments[category] = _segment(self.members[category], figures)
        for category, values in by_category.items():
            stale, disagreeing = set(self.stale[category]), set(self.disagreeing[category])
            for v in values:
                (stale.add if _is_stale(v, figures) else stale.discard)(v[_CASE])
                found = figures[v[_CASE]].disagreement
                (disagreeing.add if found else disagreeing.discard)(v[_CASE])
            new.stale[category], new.disagreeing[category] = stale, disagreeing
        return new


@dataclass
class RankingView:
    """The table of one data version (`TableIndex`), shared by every request of that
    version. Never changed once built: a newer version builds another."""

    index: TableIndex
    figures: dict
    tables: dict = field(default_factory=dict)

    def of(self, category):
        """`(rows, stale, tabulated, disagreements)` of one category, or of all (None)."""
        found = self.tables.get(category)
        if found is None:
            index = self.index
            categories = index.categories if category is None else [category]
            categories = [c for c in categories if c in index.members]
            values = [v for c in categories for v in index.segments[c]]
            found = self.tables[category] = (
                values,
                any(index.stale[c] for c in categories),
                any(index.tabulated[c] for c in categories),
                sum(len(index.disagreeing[c]) for c in categories),
            )
        return found


@dataclass
class KeptRanking:
    """What this process keeps of a round: its scores (`RoundScores`) and entries at one data
    version, and the table built from them."""

    token: int
    version: int
    entries_version: int
    aggregation: str
    criteria: str
    scores: RoundScores
    values: list  # ENTRY_VALUES tuples of every entry, by pk
    index: TableIndex | None = None
    view: RankingView | None = None

    @cached_property
    def ranking_entries(self):
        return [RankingEntry(v[_CASE], v[_CATEGORY], v[_REFERENCE]) for v in self.values]

    def __getstate__(self):
        return {**self.__dict__, "index": None, "view": None}


# Rounds whose ranking this process keeps (most recently used last): a round of 8,000 cases
# and 40,000 reviews keeps about 28 MB (tracemalloc). The shared cache keeps the scores of
# the last full computation, for a process that has none yet (pickled: reading them back
# costs much less than computing them), brought up to date from the logged changes.
KEPT_ROUNDS = 2
_kept = OrderedDict()
_kept_lock = threading.Lock()
# Past this many versions or changed reviews since the kept scores, they are read afresh.
INCREMENTAL_VERSIONS = 2000
INCREMENTAL_LIMIT = 500
# The triggers' log of changed reviews is pruned past this many versions, down to half.
CHANGES_KEPT = 20000
SCORES_FORMAT = 2


def _scores_key(round_):
    return f"ranking-scores:{SCORES_FORMAT}:{round_.pk}"


def _data_version(round_):
    """`(version, entries, token, pruned)` of the round's `RoundDataVersion` (one query; the
    row is made by a trigger with the round, or here for a round older than the triggers)."""
    found = RoundDataVersion.objects.filter(round_id=round_.pk).values_list(
        "version", "entries", "token", "pruned"
    )
    for row in found:
        return row
    RoundDataVersion.objects.get_or_create(
        round_id=round_.pk,
        defaults={"token": random.randrange(1, 2**62)},  # noqa: S311
    )
    return RoundDataVersion.objects.filter(round_id=round_.pk).values_list(
        "version", "entries", "token", "pruned"
    )[0]


@dataclass
class ReviewsRead:
    """The round's submitted reviews as read by a ranking computed from scratch, for a
    caller that also lists every review (the export): with `reviews` None, the ranking was
    kept or brought up to date and read no review."""

    criteria: list | None = None
    reviews: list | None = None  # ScoredReview with values


def _kept_ranking(round_, read=None):
    """The round's `KeptRanking` at its current data version: the one this process keeps,
    or the shared cache's, brought up to date from the changes logged since; else computed
    from scratch (and, with `read`, a `ReviewsRead`, the reviews it read kept there). One
    query when nothing changed (the data version)."""
    version, entries_version, token, pruned = _data_version(round_)
    with _kept_lock:
        kept = _kept.get(round_.pk)
        if kept is None or kept.token != token or kept.version > version:
            kept = cache.get(_scores_key(round_))
        if kept is not None and (
            kept.token != token
            or kept.version > version
            or kept.version < pruned
            or version - kept.version > INCREMENTAL_VERSIONS
        ):
            kept = None
        try:
            if kept is None:
                kept = _computed(round_, version, entries_version, token, read)
            elif kept.version != version or kept.aggregation != round_.aggregation:
                kept = _brought_up_to_date(round_, kept, version, entries_version, read)
        except BaseException:
            _kept.pop(round_.pk, None)  # it may be half brought up to date
            raise
        if kept.index is None:
            kept.index = TableIndex(kept.values, kept.scores.figures)
        if kept.view is None:
            kept.view = RankingView(kept.index, kept.scores.figures)
        _kept[round_.pk] = kept
        _kept.move_to_end(round_.pk)
        while len(_kept) > KEPT_ROUNDS:
            _kept.popitem(last=False)
    if version - pruned > CHANGES_KEPT:
        _prune_changes(round_, version - CHANGES_KEPT // 2)
    return kept


def _computed(round_, version, entries_version, token, read=None):
    criteria = round_criteria(round_)
    values = _table_entries(round_)
    kept = KeptRanking(
        token=token,
        version=version,
        entries_version=entries_version,
        aggregation=round_.aggregation,
        criteria=_criteria_key(criteria),
        scores=None,
        values=values,
    )
    scores, reviews = {}, []
    # The loop's names are a review's own: `version` and `values` above are the round's.
    for pk, ((judge, review_version), case, score, criterion_values) in _read_scores(
        round_, criteria, keep_values=read is not None
    ).items():
        scores[pk] = kept_score(review_version, judge, case, score)
        reviews.append(ScoredReview(judge, case, score, pk, criterion_values))
    reviews.sort(key=lambda r: (r.judge, r.case, r.review))
    if read is not None:
        read.criteria, read.reviews = criteria, reviews
    kept.scores = RoundScores(
        official=round_.aggregation,
        kept=scores,
        entries=kept.ranking_entries,
        reviews=reviews,
    )
    cache.set(_scores_key(round_), kept, RANKING_CACHE_SECONDS)
    return kept


def _criteria_key(criteria):
    return _identity([(c.pk, str(c.weight), str(c.max_points)) for c in criteria])


def _brought_up_to_date(round_, kept, version, entries_version, read=None):
    """`kept` with the reviews logged since its version read again (two queries: the log and
    their criterion scores, plus the criteria) and the entries when they changed (one
    more). A change of the criteria or of an assignment reads the whole round again."""
    changes = set(
        RoundDataChange.objects.filter(round_id=round_.pk, seq__gt=kept.version)
        .values_list("review_id", flat=True)
        .order_by()
    )
    if None in changes or len(changes) > INCREMENTAL_LIMIT:
        return _computed(round_, version, entries_version, kept.token, read)
    criteria = round_criteria(round_) if changes else None
    if criteria is not None and _criteria_key(criteria) != kept.criteria:
        return _computed(round_, version, entries_version, kept.token, read)
    changed = kept_scores(round_, criteria, changes) if changes else {}
    removed = changes - changed.keys()
    scores = kept.scores
    if kept.entries_version != entries_version:
        values = _table_entries(round_)
        entries = [RankingEntry(v[_CASE], v[_CATEGORY], v[_REFERENCE]) for v in values]
        ranked_alike = entries == kept.ranking_entries  # only what is stored or shown moved
        kept = KeptRanking(
            token=kept.token,
            version=kept.version,
            entries_version=entries_version,
            aggregation=kept.aggregation,
            criteria=kept.criteria,
            scores=scores,
            values=values,
        )
        if not ranked_alike:
            scores.apply(changed, removed)
            changed, removed = {}, set()
            kept.scores = RoundScores(
                official=round_.aggregation, kept=scores.kept, entries=entries
            )
            kept.aggregation = round_.aggregation
    if kept.aggregation != round_.aggregation:
        scores = kept.scores
        scores.apply(changed, removed)
        changed, removed = {}, set()
        kept.scores = RoundScores(
            official=round_.aggregation, kept=scores.kept, entries=kept.ranking_entries
        )
        kept.aggregation = round_.aggregation
        kept.index = None
    if changed or removed:
        scores = kept.scores
        kept.scores = scores.update(changed, removed, kept.ranking_entries)
        if kept.scores is scores and kept.index is not None:
            kept.index = kept.index.updated(scores.figures, scores.changed, scores.reordered)
        else:
            kept.index = None
    kept.version = version
    kept.view = None
    return kept


def _prune_changes(round_, upto):
    """Forget the logged changes up to version `upto`: a kept ranking older than that is
    computed again."""
    if RoundDataVersion.objects.filter(round_id=round_.pk, pruned__lt=upto).update(pruned=upto):
        RoundDataChange.objects.filter(round_id=round_.pk, seq__lte=upto).delete()


def ranking_figures(round_):
    """`{case_id: Figures}` of every entry of the round, up to date with its data (see
    `_kept_ranking`)."""
    return _kept_ranking(round_).scores.figures


def ranking_table(round_, *, category=None, read=None):
    """Every entry of the round (or of one category) with its score and rank by the round's
    aggregation, next to its mean and zscore score and rank, median, σ and disagreement
    flag, and what is stored on the entry. One query while the round's data is unchanged
    (see `_kept_ranking`). The rows are built only when read (`RankingRows`). With `read`
    (a `ReviewsRead`), the reviews read for figures computed from scratch are kept there."""
    view = _kept_ranking(round_, read).view
    values, stale, tabulated, disagreements = view.of(None if category is None else category.pk)
    return RankingTable(
        round=round_,
        rows=RankingRows(values, view.figures),
        stale=stale,
        tabulated=tabulated,
        disagreements=disagreements,
    )
