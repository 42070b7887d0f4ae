"""The ranking figures brought up to date after a change (`RoundScores.update`, and
`ranking_figures` reading only the changed reviews) equal a full tabulation, exactly: every
Figures field and every rank, for mean, trimmed and zscore, after seeded random edits that
include deleted and new reviews and changes of the scale K."""

import random
from fractions import Fraction

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import CaseStatus, Category, EditionStatus
from judging.models import Aggregation, Assignment, Review, RoundEntry, RoundStatus
from judging.selectors.ranking_figures import (
    RoundScores,
    compute_figures,
    kept_score,
    scored_reviews,
)
from judging.selectors.ranking_table import (
    RankingView,
    TableIndex,
    _table_entries,
    full_figures,
    ranking_figures,
    ranking_table,
)
from judging.services.reviews import review_save
from judging.services.tabulation import tabulate_round
from judging.tabulation import MEAN, TRIMMED, ZSCORE, RankingEntry
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_panel,
    make_round,
    make_round_entry,
    make_scored_review,
)

AGGREGATIONS = [MEAN, TRIMMED, ZSCORE]


# --- the pure state, many random steps --------------------------------------------------------
def random_score(rng, denominators):
    return Fraction(rng.randint(0, 100 * denominators[-1]), rng.choice(denominators))


@pytest.mark.parametrize("official", AGGREGATIONS)
def test_update_equals_the_full_computation_after_random_edits(official):
    rng = random.Random(20261202)
    entries = [RankingEntry(case, case % 3, f"2026-{case:04d}") for case in range(1, 41)]
    # case 41 is reviewed but has no entry: it still counts in its judges' zscore series
    kept, next_review = {}, 1
    for case in range(1, 42):
        for judge in rng.sample(range(1, 9), rng.randint(1, 6)):
            kept[next_review] = kept_score(1, judge, case, random_score(rng, [1, 2, 4]))
            next_review += 1
    state = RoundScores(official=official, kept=kept, entries=entries)
    incremental = 0
    for step in range(60):
        changed, removed = {}, set()
        for _ in range(rng.randint(1, 3)):
            what = rng.random()
            pk = rng.choice(list(state.kept))
            version, judge, case, _num, _den = state.kept[pk]
            # mostly denominators already in K; one step in ten brings a new one (K moves)
            denominators = [1, 2, 4, 3] if step % 10 == 9 else [1, 2, 4]
            if what < 0.6:
                score = random_score(rng, denominators)
                changed[pk] = kept_score(version + 1, judge, case, score)
            elif what < 0.8:
                removed.add(pk)
                changed.pop(pk, None)
            else:
                case = rng.randint(1, 41)
                changed[next_review] = kept_score(
                    1, rng.randint(1, 9), case, Fraction(rng.randint(0, 100))
                )
                next_review += 1
        before, figures_before = state, state.figures
        state = state.update(changed, removed, entries)
        incremental += state is before

        expected = compute_figures(official, scored_reviews(state.kept), entries)
        assert state.figures == expected, f"step {step}"
        if state is before:  # the table re-reads only what the update says it changed
            moved = {c for c in expected if expected[c] != figures_before[c]}
            reranked = {c for c in expected if expected[c].rank != figures_before[c].rank}
            assert moved <= state.changed and reranked <= state.reordered, f"step {step}"
    # both paths ran: the incremental one, and the full one when K moved
    assert 30 < incremental < 60


def test_update_with_the_same_scores_saved_again_moves_nothing():
    entries = [RankingEntry(1, 1, "A"), RankingEntry(2, 1, "B")]
    kept = {1: kept_score(1, 1, 1, Fraction(90)), 2: kept_score(1, 2, 2, Fraction(80))}
    state = RoundScores(official=ZSCORE, kept=kept, entries=entries)
    figures = state.figures

    after = state.update({1: kept_score(2, 1, 1, Fraction(90))}, set(), entries)

    assert after is state and after.figures is figures
    assert (after.changed, after.reordered) == (set(), set())
    assert after.kept[1] == kept_score(2, 1, 1, Fraction(90))


def test_update_of_a_case_losing_its_last_review_gives_no_figures_and_reranks():
    entries = [RankingEntry(1, 1, "A"), RankingEntry(2, 1, "B")]
    kept = {
        1: kept_score(1, 1, 1, Fraction(90)),
        2: kept_score(1, 2, 2, Fraction(80)),
    }
    state = RoundScores(official=MEAN, kept=kept, entries=entries)
    assert (state.figures[1].rank, state.figures[2].rank) == (1, 2)

    state = state.update({}, {1}, entries)

    assert state.figures[1].count == 0 and state.figures[1].rank is None
    assert (state.figures[2].rank, state.figures[2].score) == (1, "80.0000")


# --- through the database: the page's figures after real saves, deletions, new reviews -------
# weights 0.5/0.3/0.2, maxima 10/10/7: S = 5a + 3b + 20c/7, so K is 1 or 7 for whole points;
# a half point on the first criterion (2.5) brings the denominator 2 and moves K.
CRITERIA = [("创新性", "0.5", 10), ("实效性", "0.3", 10), ("可推广性", "0.2", 7)]


@pytest.fixture
def busy_round(db):
    rng = random.Random(7)
    edition = make_edition(status=EditionStatus.REVIEWING)
    categories = [make_category(edition=edition, order=n) for n in range(3)]
    round_ = make_round(edition=edition, criteria=CRITERIA, status=RoundStatus.OPEN)
    judges = [make_judge() for _ in range(6)]
    make_panel(edition=edition, categories=categories, judges=judges)
    cases = []
    for n in range(18):
        case = make_case(
            edition=edition,
            category=categories[n % 3],
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-RK-{n:04d}",
        )
        cases.append(case)
        make_round_entry(round=round_, case=case)
        for judge in rng.sample(judges, rng.randint(2, 5)):
            values = [rng.randint(0, 10), rng.randint(0, 10), rng.choice([0, 7, rng.randint(0, 7)])]
            make_scored_review(round=round_, case=case, judge=judge, values=values)
    return {"round": round_, "judges": judges, "cases": cases, "rng": rng}


def entries_of(round_):
    return [
        RankingEntry(e.case_id, e.case.category_id, e.case.reference)
        for e in RoundEntry.objects.filter(round=round_).select_related("case").order_by("pk")
    ]


def rescore(assignment, values):
    review = Review.objects.get(assignment=assignment)
    review_save(
        assignment=assignment,
        values={
            c.pk: str(v)
            for c, v in zip(assignment.round.criteria.order_by("order"), values, strict=True)
        },
        comment="",
        submit=True,
        expected_version=review.version,
        by=assignment.judge.user,
    )


def assert_table_as_computed_afresh(round_, entries):
    """The table kept up to date (rows in order, stale, tabulated, disagreements) is the one
    built from scratch, for the whole round and for each category."""
    view = RankingView(TableIndex(_table_entries(round_), full_figures(round_, entries)), {})
    for category in [None, *{e.category for e in entries}]:
        table = ranking_table(round_, category=None if category is None else Category(category))
        found = (list(table.rows.values), table.stale, table.tabulated, table.disagreements)
        assert found == view.of(category), category


@pytest.mark.django_db
@pytest.mark.parametrize("aggregation", [Aggregation.MEAN, Aggregation.TRIMMED, Aggregation.ZSCORE])
def test_ranking_figures_after_random_saves_equal_a_full_tabulation(busy_round, aggregation):
    cache.clear()
    round_, rng = busy_round["round"], busy_round["rng"]
    round_.aggregation = aggregation
    round_.save()
    entries = entries_of(round_)
    assert ranking_figures(round_) == full_figures(round_, entries)
    edits = ["rescore"] * 8 + ["delete", "new", "half point", "tabulate"]
    rng.shuffle(edits)
    for edit in edits:
        assignments = list(
            Assignment.objects.filter(round=round_, review__isnull=False).order_by("pk")
        )
        assignment = rng.choice(assignments)
        if edit == "rescore":
            rescore(assignment, [rng.randint(0, 10), rng.randint(0, 10), rng.randint(0, 7)])
        elif edit == "half point":
            rescore(assignment, ["2.5", 4, 7])
        elif edit == "delete":
            Review.objects.filter(assignment=assignment).delete()
        elif edit == "tabulate":
            tabulate_round(round=round_, by=None)
        else:
            reviewed = set(
                Assignment.objects.filter(round=round_).values_list("case_id", "judge_id")
            )
            case, judge = next(
                (c, j)
                for c in busy_round["cases"]
                for j in busy_round["judges"]
                if (c.pk, j.pk) not in reviewed
            )
            make_scored_review(round=round_, case=case, judge=judge, values=[9, 1, 3])

        with CaptureQueriesContext(connection) as queries:
            figures = ranking_figures(round_)

        assert figures == full_figures(round_, entries), edit
        if edit == "tabulate":  # the stored scores moved, no review: version, log, entries
            assert len(queries) == 3, edit
        else:
            # the data version, the reviews it logged since, the criteria, and only those
            # reviews' criterion scores, never the whole round's (a deletion too)
            assert len(queries) == 4, edit
        assert_table_as_computed_afresh(round_, entries)

    # and the official figures are what tabulate_round stores
    tabulate_round(round=round_, by=None)
    stored = {e.case_id: (e.score, e.rank) for e in RoundEntry.objects.filter(round=round_)}
    table = ranking_table(round_)
    assert not table.stale
    assert {row.entry.case_id: (row.score, row.rank) for row in table.rows} == stored
