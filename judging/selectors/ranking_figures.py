"""The ranking table's figures, computed from the round's review scores S, and brought up to
date after a score change by recomputing only what the change can move.

A review's S moves its own case's tallies (mean, trimmed, median, σ, count, disagreement); for
the zscore it also moves its judge's mean and σ, so the zscore of every case of that judge.
Ranks are per category, so only the categories of those cases are ranked again. The zscores
are 50-digit Decimals whose rounding depends on the one scale K (lcm of the denominators of
every S of the round, `tabulation.scale_scores`): the state keeps K, and when a change moves
it, everything is recomputed from the kept scores S (no query). `compute_figures` is the full
computation; `RoundScores.update` gives the same Figures, exactly (tested after random edits).

Pure functions over plain numbers: the queries are in `ranking.py`.
"""

import math
from collections import Counter
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from ..tabulation import (
    MEAN,
    TRIM_FROM,
    TRIMMED,
    ZSCORE,
    ZSCORE_COMPARE_PLACES,
    ZSCORE_CONTEXT,
    CaseTally,
    case_zscore,
    integer_tie_keys,
    rank,
    rank_by_keys,
    scale_scores,
    tally,
    to_decimal,
)


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


class ScoredReview(NamedTuple):
    """A submitted review with its score S recomputed from its criterion scores. Has the
    `judge`, `case`, `score` of `tabulation.ReviewScore`, so the pure functions take it."""

    judge: int
    case: int
    score: Fraction
    review: int
    values: list | None  # (criterion id, Decimal value) pairs, with `keep_values`


# A review's S as the cache keeps it: a plain tuple of integers (a NamedTuple or a Fraction
# unpickles several times slower), S = numerator / denominator in lowest terms, with the
# review's `version` when S was read: `(version, judge, case, numerator, denominator)`.
VERSION, JUDGE, CASE, NUMERATOR, DENOMINATOR = range(5)


def kept_score(version, judge, case, score):
    return (version, judge, case, score.numerator, score.denominator)


def aggregations(official):
    """The aggregations the table shows: mean and zscore side by side, and the official one."""
    return (MEAN, ZSCORE) if official in (MEAN, ZSCORE) else (MEAN, ZSCORE, official)


def case_figures(official, tallies, ranks, case):
    found = tallies[official].get(case)
    if found is None:
        return NO_FIGURES
    mean_tally, zscore_tally = tallies[MEAN][case], tallies[ZSCORE][case]
    return Figures(
        rank=ranks[official][case],
        score=str(to_decimal(found.score)),
        mean_score=str(to_decimal(mean_tally.score)),
        mean_rank=ranks[MEAN][case],
        zscore_score=str(to_decimal(zscore_tally.score)),
        zscore_rank=ranks[ZSCORE][case],
        median=str(to_decimal(found.median, 2)),
        sigma=str(to_decimal(found.sigma, 2)),
        count=found.count,
        disagreement=bool(found.disagreement),
    )


def compute_figures(official, reviews, entries):
    """`{case: Figures}` of every `RankingEntry` from scratch: `reviews` are every submitted
    review of the round (`ScoredReview`s in the order judge, case, review)."""
    tallies = {name: tally(reviews, name) for name in aggregations(official)}
    ranks = {name: rank(entries, by_case) for name, by_case in tallies.items()}
    return {e.case: case_figures(official, tallies, ranks, e.case) for e in entries}


def scored_reviews(kept):
    """`ScoredReview`s of `{review: kept score}`, in the order judge, case, review."""
    reviews = [
        ScoredReview(judge, case, Fraction(numerator, denominator), pk, None)
        for pk, (_version, judge, case, numerator, denominator) in kept.items()
    ]
    reviews.sort(key=lambda r: (r.judge, r.case, r.review))
    return reviews


COMPARE_STEP = Decimal(1).scaleb(-ZSCORE_COMPARE_PLACES)


def tally_key_parts(tally_):
    """`tabulation.tie_key_parts` without building Fractions: the median as
    `(sum of the middle one or two x, their count × K)`, not in lowest terms, which
    `integer_tie_keys` orders and ties exactly as the Fraction."""
    score = tally_.score
    if isinstance(score, Decimal):  # `CaseTally.compare_score`, without the Fraction
        score = score.quantize(COMPARE_STEP, context=ZSCORE_CONTEXT)
    numerator, denominator = score.as_integer_ratio()
    ordered = sorted(tally_.scaled)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        median = (ordered[middle], tally_.scale)
    else:
        median = (ordered[middle - 1] + ordered[middle], 2 * tally_.scale)
    return (numerator, denominator, *median, tally_.count)


class RoundScores:
    """What is kept of a round to bring its figures up to date: every submitted review's S
    (`kept_score`), the scale K, each judge's `(count, Σx, Σx²)` over x = S·K, the reviews of
    each case and of each judge, each case's tie-key parts by aggregation, and the figures
    themselves."""

    def __init__(self, *, official, kept, entries, reviews=None):
        """`reviews`: `scored_reviews(kept)`, when the caller has them."""
        self.official = official
        self.kept = kept
        if reviews is None:
            reviews = scored_reviews(kept)
        self.scale, scaled = scale_scores(reviews)
        judges = {}
        for review, x in zip(reviews, scaled, strict=True):
            count, total, squares = judges.get(review.judge, (0, 0, 0))
            judges[review.judge] = (count + 1, total + x, squares + x * x)
        self.judges = judges
        self.by_case, self.by_judge = {}, {}
        self.denominators = Counter(k[DENOMINATOR] for k in kept.values())
        for pk, k in kept.items():
            self.by_case.setdefault(k[CASE], set()).add(pk)
            self.by_judge.setdefault(k[JUDGE], set()).add(pk)
        self.category_of, self.by_category = {}, {}
        for e in entries:
            self.category_of[e.case] = e.category
            self.by_category.setdefault(e.category, []).append(e)
        tallies = {
            name: tally(reviews, name, scaled=(self.scale, scaled))
            for name in aggregations(official)
        }
        self.keys = {
            name: {case: tally_key_parts(t) for case, t in by_case.items()}
            for name, by_case in tallies.items()
        }
        # ranked by the kept keys, as `update` ranks: the order of `rank`, exactly
        ranks = {
            name: rank_by_keys(entries, integer_tie_keys(keys)) for name, keys in self.keys.items()
        }
        self.figures = {e.case: case_figures(official, tallies, ranks, e.case) for e in entries}

    def apply(self, changed, removed):
        """Apply `changed` (`{review: kept score}`, new or saved again) and `removed` (review
        ids no longer submitted) to the kept scores and their indexes; returns the kept
        scores they replace."""
        kept = self.kept
        before = [kept[pk] for pk in (changed.keys() | removed) if pk in kept]
        for pk in removed | changed.keys():
            k = kept.pop(pk, None)
            if k is not None:
                self.by_case[k[CASE]].discard(pk)
                self.by_judge[k[JUDGE]].discard(pk)
                self.denominators[k[DENOMINATOR]] -= 1
        for pk, k in changed.items():
            kept[pk] = k
            self.denominators[k[DENOMINATOR]] += 1
            self.by_case.setdefault(k[CASE], set()).add(pk)
            self.by_judge.setdefault(k[JUDGE], set()).add(pk)
        return before

    def update(self, changed, removed, entries):
        """Apply `changed` and `removed` (see `apply`) and bring the figures up to date;
        returns the state to keep (a new one, computed in full from the kept scores, when the
        scale K moved). `entries` are those the state was made with. A review moves the
        mean and trimmed figures of its case only, and the zscore of every case of its
        judge: each aggregation is tallied again for those cases and ranked again in their
        categories. The figures are a new dict: a table built from the old one stays as it
        was."""
        kept = self.kept
        # saved again with the same S (a comment edited, a draft saved): nothing moves
        unmoved = {pk for pk, k in changed.items() if pk in kept and kept[pk][1:] == k[1:]}
        if unmoved:
            kept.update((pk, changed[pk]) for pk in unmoved)
            changed = {pk: k for pk, k in changed.items() if pk not in unmoved}
        if not changed and not removed:
            self.changed, self.reordered = set(), set()
            return self
        before = self.apply(changed, removed)
        scale = math.lcm(1, *(d for d, count in self.denominators.items() if count))
        if scale != self.scale:
            return RoundScores(official=self.official, kept=kept, entries=entries)

        def scaled(k):
            return k[NUMERATOR] * (scale // k[DENOMINATOR])

        judges = self.judges
        for k, sign in [*((k, -1) for k in before), *((k, 1) for k in changed.values())]:
            x = scaled(k)
            judge = k[JUDGE]
            count, total, squares = judges.get(judge, (0, 0, 0))
            judges[judge] = (count + sign, total + sign * x, squares + sign * x * x)
            if judges[judge][0] == 0:
                del judges[judge]
        touched = [*before, *changed.values()]
        direct = {k[CASE] for k in touched}
        moved = set(direct)
        for judge in {k[JUDGE] for k in touched}:
            moved.update(kept[pk][CASE] for pk in self.by_judge.get(judge, ()))
        series = {
            case: sorted(
                (kept[pk][JUDGE], pk, scaled(kept[pk])) for pk in self.by_case.get(case, ())
            )
            for case in moved
        }
        recomputed = {name: moved if name == ZSCORE else direct for name in self.keys}
        tallies = {name: {} for name in self.keys}
        for name, cases in recomputed.items():
            keys = self.keys[name]
            for case in cases:
                keys.pop(case, None)
                if series[case]:
                    tallies[name][case] = t = self._tally(name, case, series[case], scale)
                    keys[case] = tally_key_parts(t)
        ranks = {}
        for name, cases in recomputed.items():
            keys = self.keys[name]
            members = [
                e
                for category in {self.category_of[c] for c in cases if c in self.category_of}
                for e in self.by_category[category]
            ]
            ranks[name] = rank_by_keys(
                members,
                integer_tie_keys({e.case: keys[e.case] for e in members if e.case in keys}),
            )
        official = self.official
        before_figures = self.figures
        figures = self.figures = dict(before_figures)
        self.changed = changed_cases = set()  # the cases whose figures were replaced
        for case in direct:
            if case in figures:
                figures[case] = case_figures(official, tallies, ranks, case)
                changed_cases.add(case)
        updates = {}
        for name, field in ((official, "rank"), (MEAN, "mean_rank"), (ZSCORE, "zscore_rank")):
            for case, rank_ in ranks[name].items():
                if case not in direct and getattr(figures[case], field) != rank_:
                    updates.setdefault(case, {})[field] = rank_
        for case, found in tallies[ZSCORE].items():
            if case in direct or case not in figures:
                continue
            text = str(to_decimal(found.score))
            if figures[case].zscore_score != text:
                fields = updates.setdefault(case, {})
                fields["zscore_score"] = text
                if official == ZSCORE:
                    fields["score"] = text
        for case, fields in updates.items():
            figures[case] = figures[case]._replace(**fields)
            changed_cases.add(case)
        # the cases whose official rank moved: the table's order changes in their categories
        self.reordered = {c for c in changed_cases if figures[c].rank != before_figures[c].rank}
        return self

    def _tally(self, name, case, found, scale):
        """The `CaseTally` of `tabulation.tally` for one case from its `(judge, review, x)`
        sorted by judge then review (the order of `tally`'s input)."""
        values = tuple(x for _judge, _review, x in found)
        if name == ZSCORE:
            score = case_zscore([(judge, x) for judge, _review, x in found], self.judges)
        else:
            chosen = values
            if name == TRIMMED and len(values) >= TRIM_FROM:
                chosen = sorted(values)[1:-1]
            score = Fraction(sum(chosen), len(chosen) * scale)
        return CaseTally(case=case, scaled=values, scale=scale, score=score)
