from decimal import Decimal

import pytest

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.models import Aggregation, RoundEntry, RoundKind
from judging.services.tabulation import tabulate_round
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_scored_review,
)

pytestmark = pytest.mark.django_db

THREE_CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]
ONE_CRITERION = [("总分", 1, 100)]  # S equals the value: keeps hand computations short


@pytest.fixture
def edition():
    return make_edition(status=EditionStatus.REVIEWING)


def cases_in(edition, category, count, prefix="A"):
    return [
        make_case(
            edition=edition,
            category=category,
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-{prefix}-{i:04d}",
        )
        for i in range(1, count + 1)
    ]


def entry(round_, case):
    return RoundEntry.objects.get(round=round_, case=case)


def test_tabulate_round_stores_mean_scores_and_ranks_per_category(edition):
    zf, yq = make_category(edition=edition), make_category(edition=edition)
    a1, a2 = cases_in(edition, zf, 2, "ZF")
    (b1,) = cases_in(edition, yq, 1, "YQ")
    round_ = make_round(edition=edition, criteria=THREE_CRITERIA)
    j1, j2 = make_judge(), make_judge()
    # a1: (8, 6, 10) → 100 × (0.32 + 0.18 + 0.30) = 80;  (7, 7, 7) → 70      → mean 75
    make_scored_review(round=round_, case=a1, judge=j1, values=[8, 6, 10])
    make_scored_review(round=round_, case=a1, judge=j2, values=[7, 7, 7])
    # a2: (9, 9, 9.5) → 100 × (0.36 + 0.27 + 0.285) = 91.5                  → mean 91.5
    make_scored_review(round=round_, case=a2, judge=j1, values=[9, 9, "9.5"])
    # b1: (5, 5, 5) → 50 and (6, 5, 4) → 100 × (0.24 + 0.15 + 0.12) = 51    → mean 50.5
    make_scored_review(round=round_, case=b1, judge=j1, values=[5, 5, 5])
    make_scored_review(round=round_, case=b1, judge=j2, values=[6, 5, 4])
    organiser = make_organiser()

    count, changed = tabulate_round(round=round_, by=organiser)

    assert (count, changed) == (3, 3)
    assert (entry(round_, a2).score, entry(round_, a2).rank) == (Decimal("91.5000"), 1)
    assert (entry(round_, a1).score, entry(round_, a1).rank) == (Decimal("75.0000"), 2)
    assert (entry(round_, b1).score, entry(round_, b1).rank) == (Decimal("50.5000"), 1)
    audit = AuditEntry.objects.get(code="judging.round.tabulated")
    assert audit.actor == organiser
    assert audit.data["reviews"] == 5
    assert audit.data["created"] == 3


def test_tabulate_round_recomputes_from_criterion_scores_not_stored_review_score(edition):
    category = make_category(edition=edition)
    (case,) = cases_in(edition, category, 1)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION)
    review = make_scored_review(round=round_, case=case, judge=make_judge(), values=[64])
    review.score = Decimal("99.0000")  # a stale or tampered stored score is not used
    review.save(update_fields=["score"])

    tabulate_round(round=round_, by=None)

    assert entry(round_, case).score == Decimal("64.0000")


def test_tabulate_round_rounds_half_up_to_four_places(edition):
    category = make_category(edition=edition)
    thirds, eighths = cases_in(edition, category, 2)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION)
    # (70 + 70 + 71) / 3 = 70.33333… → 70.3333
    for value in (70, 70, 71):
        make_scored_review(round=round_, case=thirds, judge=make_judge(), values=[value])
    # (7 × 70 + 70.01) / 8 = 70.00125 → half-up 70.0013 (half-even would give 70.0012)
    for value in [70] * 7 + ["70.01"]:
        make_scored_review(round=round_, case=eighths, judge=make_judge(), values=[value])

    tabulate_round(round=round_, by=None)

    assert entry(round_, thirds).score == Decimal("70.3333")
    assert entry(round_, eighths).score == Decimal("70.0013")


def test_tabulate_round_trimmed_drops_highest_and_lowest(edition):
    category = make_category(edition=edition)
    (case,) = cases_in(edition, category, 1)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION, aggregation=Aggregation.TRIMMED)
    for value in (60, 95, 75, 80, 70):
        make_scored_review(round=round_, case=case, judge=make_judge(), values=[value])

    tabulate_round(round=round_, by=None)

    # drop 60 and 95 → (75 + 80 + 70) / 3 = 75
    assert entry(round_, case).score == Decimal("75.0000")


def test_tabulate_round_zscore_hand_computed(edition):
    category = make_category(edition=edition)
    c1, c2, c3 = cases_in(edition, category, 3)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION, aggregation=Aggregation.ZSCORE)
    a, b, c = make_judge(), make_judge(), make_judge()
    # A: 80, 60 (z +1, −1); B: 90, 70, 80 (z +√1.5, −√1.5, 0); C: 50 alone (z 0)
    for judge, case, value in [
        (a, c1, 80),
        (a, c2, 60),
        (b, c1, 90),
        (b, c2, 70),
        (b, c3, 80),
        (c, c3, 50),
    ]:
        make_scored_review(round=round_, case=case, judge=judge, values=[value])

    tabulate_round(round=round_, by=None)

    # c1: 55 + 5√1.5 = 61.12372…; c3: 50; c2: 45 − 5√1.5 = 38.87627…
    assert (entry(round_, c1).score, entry(round_, c1).rank) == (Decimal("61.1237"), 1)
    assert (entry(round_, c3).score, entry(round_, c3).rank) == (Decimal("50.0000"), 2)
    assert (entry(round_, c2).score, entry(round_, c2).rank) == (Decimal("38.8763"), 3)


def test_tabulate_round_ignores_draft_reviews(edition):
    category = make_category(edition=edition)
    (case,) = cases_in(edition, category, 1)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION)
    make_scored_review(round=round_, case=case, judge=make_judge(), values=[40])
    make_scored_review(round=round_, case=case, judge=make_judge(), values=[90], submitted=False)

    tabulate_round(round=round_, by=None)

    assert entry(round_, case).score == Decimal("40.0000")


def test_tabulate_round_leaves_entries_without_reviews_unranked(edition):
    category = make_category(edition=edition)
    reviewed, unreviewed = cases_in(edition, category, 2)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION)
    make_round_entry(round=round_, case=unreviewed, score=Decimal("12"), rank=1)
    make_scored_review(round=round_, case=reviewed, judge=make_judge(), values=[40])

    tabulate_round(round=round_, by=None)

    assert (entry(round_, reviewed).score, entry(round_, reviewed).rank) == (Decimal("40"), 1)
    assert (entry(round_, unreviewed).score, entry(round_, unreviewed).rank) == (None, None)


def test_tabulate_round_twice_changes_nothing_the_second_time(edition):
    category = make_category(edition=edition)
    (case,) = cases_in(edition, category, 1)
    round_ = make_round(edition=edition, criteria=ONE_CRITERION)
    make_scored_review(round=round_, case=case, judge=make_judge(), values=[40])
    tabulate_round(round=round_, by=None)

    assert tabulate_round(round=round_, by=None) == (1, 0)


def test_tabulate_round_refuses_a_vote_round(edition):
    round_ = make_round(edition=edition, kind=RoundKind.VOTE)

    with pytest.raises(DomainError):
        tabulate_round(round=round_, by=None)

    assert not AuditEntry.objects.filter(code="judging.round.tabulated").exists()


@pytest.mark.parametrize("rows", [1, 5])
def test_tabulate_round_query_count_does_not_grow_with_cases(
    edition, django_assert_num_queries, rows
):
    category = make_category(edition=edition)
    round_ = make_round(edition=edition, criteria=THREE_CRITERIA)
    judges = [make_judge(), make_judge()]
    for case in cases_in(edition, category, rows):
        make_round_entry(round=round_, case=case)
        for judge in judges:
            make_scored_review(round=round_, case=case, judge=judge, values=[5, 6, 7])

    # savepoint, criteria, criterion scores, entries, one executemany, the audit row (chain
    # head locked, insert, head moved), release
    with django_assert_num_queries(9):
        tabulate_round(round=round_, by=None)
