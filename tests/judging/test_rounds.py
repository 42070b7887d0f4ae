import pytest
from django.core import mail

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.models import AssignmentStatus, RoundEntry, RoundKind, RoundStatus
from judging.services.rounds import round_close, round_open, round_remind, round_reopen
from tests.factories import (
    make_assignment,
    make_case,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("创新性", 1, 10), ("实效性", 1, 10)]


def _codes():
    return list(
        AuditEntry.objects.filter(code__startswith="judging.round.")
        .order_by("pk")
        .values_list("code", flat=True)
    )


def _reviewing():
    return make_edition(status=EditionStatus.REVIEWING)


def _ready(round_, *, cases=1):
    """Give a draft round accepted cases, each with one judge (reviews_per_case=1)."""
    round_.reviews_per_case = 1
    round_.save(update_fields=["reviews_per_case"])
    made = []
    for _ in range(cases):
        case = make_case(edition=round_.edition, status=CaseStatus.ACCEPTED)
        make_assignment(round=round_, case=case, judge=make_judge())
        made.append(case)
    return made


def test_open_close_reopen_are_audited():
    organiser = make_organiser()
    round_ = make_round(edition=_reviewing(), criteria=CRITERIA)
    _ready(round_)

    round_open(round=round_, by=organiser)
    assert round_.status == RoundStatus.OPEN
    round_close(round=round_, by=organiser, confirmed=True)
    assert round_.status == RoundStatus.CLOSED
    round_reopen(round=round_, reason="一位专家的评分录入有误", by=organiser)

    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    assert _codes() == ["judging.round.opened", "judging.round.closed", "judging.round.reopened"]
    reopened = AuditEntry.objects.get(code="judging.round.reopened")
    assert reopened.actor == organiser
    assert reopened.data == {"from": "closed", "to": "open", "reason": "一位专家的评分录入有误"}


def test_reopen_needs_a_reason_and_a_closed_round():
    organiser = make_organiser()
    round_ = make_round(edition=make_edition(), criteria=CRITERIA, status=RoundStatus.CLOSED)

    with pytest.raises(DomainError, match="理由"):
        round_reopen(round=round_, reason=" ", by=organiser)
    open_round = make_round(edition=round_.edition, order=2, status=RoundStatus.OPEN)
    with pytest.raises(DomainError):
        round_reopen(round=open_round, reason="x", by=organiser)

    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED
    assert _codes() == []


def test_transitions_outside_the_table_are_refused():
    organiser = make_organiser()
    draft = make_round(edition=make_edition(), criteria=CRITERIA)
    closed = make_round(edition=draft.edition, order=2, criteria=CRITERIA, status="closed")

    with pytest.raises(DomainError):
        round_close(round=draft, by=organiser)
    with pytest.raises(DomainError, match="重新开启"):
        round_open(round=closed, by=organiser)


def test_scoring_round_needs_criteria_to_open():
    round_ = make_round(edition=_reviewing())
    _ready(round_)

    with pytest.raises(DomainError, match="评分指标"):
        round_open(round=round_, by=make_organiser())

    verification = make_round(edition=_reviewing(), kind=RoundKind.VERIFICATION)
    _ready(verification)
    round_open(round=verification, by=make_organiser())
    assert verification.status == RoundStatus.OPEN


def test_opening_the_first_round_puts_accepted_cases_in_review():
    organiser = make_organiser()
    edition = _reviewing()
    first = make_round(edition=edition, criteria=CRITERIA)
    (accepted,) = _ready(first)
    submitted = make_case(edition=edition, status=CaseStatus.SUBMITTED)

    round_open(round=first, by=organiser)

    accepted.refresh_from_db()
    submitted.refresh_from_db()
    assert accepted.status == CaseStatus.IN_REVIEW
    assert submitted.status == CaseStatus.SUBMITTED
    assert list(RoundEntry.objects.values_list("case_id", flat=True)) == [accepted.pk]
    assert AuditEntry.objects.get(code="judging.round.opened").data["cases_in_review"] == 1


def test_close_records_how_many_were_submitted():
    organiser = make_organiser()
    edition = make_edition()
    round_ = make_round(edition=edition, criteria=CRITERIA, status=RoundStatus.OPEN)
    case = make_case(edition=edition)
    make_assignment(round=round_, case=case, judge=make_judge(), status=AssignmentStatus.SUBMITTED)
    make_assignment(round=round_, case=case, judge=make_judge())

    with pytest.raises(DomainError, match="1 位专家未提交"):
        round_close(round=round_, by=organiser)
    round_close(round=round_, by=organiser, confirmed=True)

    data = AuditEntry.objects.get(code="judging.round.closed").data
    assert (data["assignments"], data["submitted"]) == (2, 1)


def test_remind_mails_only_judges_who_are_behind(django_capture_on_commit_callbacks):
    organiser = make_organiser()
    edition = make_edition()
    round_ = make_round(edition=edition, name="初审", criteria=CRITERIA, status=RoundStatus.OPEN)
    cases = [make_case(edition=edition) for _ in range(3)]
    behind = make_judge(name="陈天祥")
    behind.user.email = "chen@example.org"
    behind.user.save()
    done = make_judge(name="蓝云")
    for case in cases:
        make_assignment(round=round_, case=case, judge=done, status=AssignmentStatus.SUBMITTED)
    make_assignment(round=round_, case=cases[0], judge=behind, status=AssignmentStatus.SUBMITTED)
    make_assignment(round=round_, case=cases[1], judge=behind, status=AssignmentStatus.DRAFT)
    make_assignment(round=round_, case=cases[2], judge=behind)

    with django_capture_on_commit_callbacks(execute=True):
        count = round_remind(round=round_, by=organiser)

    assert count == 1
    assert [m.to for m in mail.outbox] == [["chen@example.org"]]
    assert "还有 2 个案例待完成" in mail.outbox[0].subject
    assert "共分配 3 个案例,已提交 1 个" in mail.outbox[0].body
    assert AuditEntry.objects.get(code="judging.round.reminded").data == {"judges": [behind.pk]}


def test_remind_refused_when_round_is_not_open():
    round_ = make_round(edition=make_edition(), status=RoundStatus.CLOSED)

    with pytest.raises(DomainError):
        round_remind(round=round_, by=make_organiser())
