from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.models import AssignmentStatus, CriterionScore, Review, ReviewStatus, RoundStatus
from judging.services.reviews import InvalidInput, StaleReview, review_save
from tests.factories import (
    make_assignment,
    make_case,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]


def setup_assignment(**round_fields):
    edition = make_edition(status=EditionStatus.REVIEWING)
    round_fields.setdefault("status", RoundStatus.OPEN)
    round_ = make_round(edition=edition, criteria=CRITERIA, **round_fields)
    case = make_case(edition=edition, status=CaseStatus.IN_REVIEW)
    judge = make_judge()
    assignment = make_assignment(round=round_, case=case, judge=judge)
    criteria = list(round_.criteria.order_by("order"))
    return assignment, criteria


def values(criteria, *numbers):
    return {c.pk: n for c, n in zip(criteria, numbers, strict=True)}


def test_review_save_draft_keeps_partial_values_without_score():
    assignment, criteria = setup_assignment()

    review = review_save(
        assignment=assignment,
        values=values(criteria, "8", None, ""),
        comment="初稿",
        submit=False,
        expected_version=0,
        by=assignment.judge.user,
    )

    assert review.status == ReviewStatus.DRAFT
    assert review.version == 1
    assert review.score is None
    assert [(s.criterion.name, s.value) for s in review.scores.all()] == [
        ("创新性", Decimal("8.00"))
    ]
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.DRAFT


def test_review_submit_stores_weighted_score():
    assignment, criteria = setup_assignment()

    review = review_save(
        assignment=assignment,
        values=values(criteria, "8", "6", "10"),
        comment="",
        submit=True,
        expected_version=0,
        by=assignment.judge.user,
    )

    # 100 × (0.4·8/10 + 0.3·6/10 + 0.3·10/10) / 1.0 = 100 × 0.8 = 80
    assert review.score == Decimal("80.0000")
    assert review.status == ReviewStatus.SUBMITTED
    assert review.submitted_at is not None
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.SUBMITTED


def test_review_score_with_two_decimals_is_exact():
    assignment, criteria = setup_assignment()

    review = review_save(
        assignment=assignment,
        values=values(criteria, "7.25", "3.33", "0"),
        comment="",
        submit=True,
        expected_version=0,
        by=assignment.judge.user,
    )

    # 100 × (0.4·0.725 + 0.3·0.333 + 0) = 100 × (0.29 + 0.0999) = 38.99
    assert review.score == Decimal("38.9900")


def test_review_edit_after_submit_increments_version_and_audits_old_and_new():
    assignment, criteria = setup_assignment()
    user = assignment.judge.user
    review_save(
        assignment=assignment,
        values=values(criteria, "8", "6", "10"),
        comment="好",
        submit=True,
        expected_version=0,
        by=user,
    )

    review = review_save(
        assignment=assignment,
        values=values(criteria, "9", "6", "10"),
        comment="很好",
        submit=True,
        expected_version=1,
        by=user,
    )

    assert review.version == 2
    # 100 × (0.4·0.9 + 0.3·0.6 + 0.3·1.0) = 100 × 0.84 = 84
    assert review.score == Decimal("84.0000")
    entry = AuditEntry.objects.filter(code="judging.review.submitted").first()
    assert entry.actor == user
    assert entry.data["old"]["scores"] == {"创新性": "8.00", "实效性": "6.00", "可推广性": "10.00"}
    assert entry.data["old"]["comment"] == "好"
    assert entry.data["new"]["scores"]["创新性"] == "9.00"
    assert entry.data["new"]["comment"] == "很好"
    assert entry.data["new"]["score"] == "84.0000"
    assert AuditEntry.objects.filter(code__startswith="judging.review.").count() == 2


def test_review_draft_save_is_audited_as_saved():
    assignment, criteria = setup_assignment()

    review_save(
        assignment=assignment,
        values=values(criteria, "1", None, None),
        comment="",
        submit=False,
        expected_version=0,
        by=assignment.judge.user,
    )

    entry = AuditEntry.objects.get()
    assert entry.code == "judging.review.saved"
    assert entry.data["old"] is None
    assert entry.data["new"]["scores"] == {"创新性": "1.00"}


def test_review_stale_version_is_refused_with_current_values():
    assignment, criteria = setup_assignment()
    user = assignment.judge.user
    review_save(
        assignment=assignment,
        values=values(criteria, "5", "5", "5"),
        comment="第一个窗口",
        submit=False,
        expected_version=0,
        by=user,
    )

    with pytest.raises(StaleReview) as stale:
        review_save(
            assignment=assignment,
            values=values(criteria, "1", "1", "1"),
            comment="第二个窗口",
            submit=False,
            expected_version=0,
            by=user,
        )

    assert stale.value.current.comment == "第一个窗口"
    assert stale.value.current.version == 1
    review = Review.objects.get()
    assert review.comment == "第一个窗口"
    assert sorted(CriterionScore.objects.values_list("value", flat=True)) == [Decimal("5")] * 3


@pytest.mark.parametrize("bad", ["10.01", "-1", "abc", "1.234", "NaN"])
def test_review_value_out_of_range_or_malformed_is_refused(bad):
    assignment, criteria = setup_assignment()

    with pytest.raises(InvalidInput) as error:
        review_save(
            assignment=assignment,
            values=values(criteria, bad, "5", "5"),
            comment="",
            submit=False,
            expected_version=0,
            by=assignment.judge.user,
        )

    assert criteria[0].pk in error.value.errors
    assert not Review.objects.exists()


def test_review_max_points_is_accepted():
    assignment, criteria = setup_assignment()

    review = review_save(
        assignment=assignment,
        values=values(criteria, "10", "10", "10.00"),
        comment="",
        submit=True,
        expected_version=0,
        by=assignment.judge.user,
    )

    assert review.score == Decimal("100.0000")


def test_review_submit_needs_every_criterion():
    assignment, criteria = setup_assignment()

    with pytest.raises(InvalidInput) as error:
        review_save(
            assignment=assignment,
            values=values(criteria, "8", None, "7"),
            comment="",
            submit=True,
            expected_version=0,
            by=assignment.judge.user,
        )

    assert list(error.value.errors) == [criteria[1].pk]


def test_review_comment_required_on_submit_only():
    assignment, criteria = setup_assignment(comment_required=True)
    user = assignment.judge.user
    review_save(
        assignment=assignment,
        values=values(criteria, "8", "8", "8"),
        comment="",
        submit=False,
        expected_version=0,
        by=user,
    )

    with pytest.raises(InvalidInput) as error:
        review_save(
            assignment=assignment,
            values=values(criteria, "8", "8", "8"),
            comment="   ",
            submit=True,
            expected_version=1,
            by=user,
        )

    assert list(error.value.errors) == ["comment"]
    assert Review.objects.get().status == ReviewStatus.DRAFT


@pytest.mark.parametrize("status", [RoundStatus.DRAFT, RoundStatus.CLOSED])
def test_review_refused_unless_round_open(status):
    assignment, criteria = setup_assignment(status=status)

    with pytest.raises(DomainError):
        review_save(
            assignment=assignment,
            values=values(criteria, "8", "8", "8"),
            comment="",
            submit=False,
            expected_version=0,
            by=assignment.judge.user,
        )

    assert not Review.objects.exists()


def test_review_refused_after_closing_time_even_if_round_still_open():
    assignment, criteria = setup_assignment(closes_at=timezone.now() - timedelta(minutes=1))

    with pytest.raises(DomainError):
        review_save(
            assignment=assignment,
            values=values(criteria, "8", "8", "8"),
            comment="",
            submit=True,
            expected_version=0,
            by=assignment.judge.user,
        )


def test_review_by_someone_else_is_refused_even_staff():
    assignment, criteria = setup_assignment()

    with pytest.raises(DomainError):
        review_save(
            assignment=assignment,
            values=values(criteria, "8", "8", "8"),
            comment="",
            submit=True,
            expected_version=0,
            by=make_organiser(),
        )


def test_review_submitted_cannot_go_back_to_draft():
    assignment, criteria = setup_assignment()
    user = assignment.judge.user
    review_save(
        assignment=assignment,
        values=values(criteria, "8", "8", "8"),
        comment="",
        submit=True,
        expected_version=0,
        by=user,
    )

    with pytest.raises(DomainError):
        review_save(
            assignment=assignment,
            values=values(criteria, "8", "8", "8"),
            comment="",
            submit=False,
            expected_version=1,
            by=user,
        )

    assert Review.objects.get().status == ReviewStatus.SUBMITTED


def test_review_clearing_a_value_in_draft_removes_its_score():
    assignment, criteria = setup_assignment()
    user = assignment.judge.user
    review_save(
        assignment=assignment,
        values=values(criteria, "8", "8", "8"),
        comment="",
        submit=False,
        expected_version=0,
        by=user,
    )

    review = review_save(
        assignment=assignment,
        values=values(criteria, "8", None, "8"),
        comment="",
        submit=False,
        expected_version=1,
        by=user,
    )

    assert review.score is None
    assert sorted(s.criterion.name for s in review.scores.all()) == ["创新性", "可推广性"]
