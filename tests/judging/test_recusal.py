"""Recusal (主动回避) from an assigned case."""

import pytest
from django.urls import reverse

from cases.models import AuditEntry
from cases.services import DomainError
from judging.models import (
    Assignment,
    Conflict,
    ConflictSource,
    Review,
    RoundKind,
    RoundStatus,
    Vote,
)
from judging.services.recusal import recusal_create
from judging.services.reviews import review_save
from judging.services.votes import vote_cast
from tests.factories import make_assignment, make_round, make_tier
from tests.judging import workspace_scenario

pytestmark = pytest.mark.django_db


def draft(s):
    criteria = list(s.round.criteria.all())
    return review_save(
        assignment=s.assignment,
        values={criteria[0].pk: "7"},
        comment="草稿评语",
        submit=False,
        expected_version=0,
        by=s.judge.user,
    )


def test_recusal_removes_assignment_and_draft_and_records_conflict():
    s = workspace_scenario.build()
    draft(s)

    conflict = recusal_create(assignment=s.assignment, reason="曾参与该项目评估", by=s.judge.user)

    assert conflict.source == ConflictSource.RECUSAL
    assert conflict.case == s.case
    assert conflict.judge == s.judge
    assert conflict.reason == "曾参与该项目评估"
    assert conflict.created_by == s.judge.user
    assert not Assignment.objects.filter(pk=s.assignment.pk).exists()
    assert not Review.objects.exists()
    entry = AuditEntry.objects.get(code="judging.recusal.created")
    assert entry.actor == s.judge.user
    assert entry.data["reason"] == "曾参与该项目评估"
    assert entry.data["removed"][0]["review"]["comment"] == "草稿评语"
    assert entry.data["removed"][0]["review"]["scores"] == {"创新性": "7.00"}


def test_recusal_needs_a_reason():
    s = workspace_scenario.build()

    with pytest.raises(DomainError):
        recusal_create(assignment=s.assignment, reason="  ", by=s.judge.user)

    assert Assignment.objects.filter(pk=s.assignment.pk).exists()
    assert not Conflict.objects.filter(source=ConflictSource.RECUSAL).exists()


def test_recusal_only_by_the_assigned_judge():
    s = workspace_scenario.build()

    with pytest.raises(DomainError):
        recusal_create(assignment=s.assignment, reason="代为回避", by=s.organiser)


def test_recusal_refused_in_closed_round():
    s = workspace_scenario.build(status=RoundStatus.CLOSED)

    with pytest.raises(DomainError):
        recusal_create(assignment=s.assignment, reason="理由", by=s.judge.user)

    assert Assignment.objects.filter(pk=s.assignment.pk).exists()


def test_recusal_also_removes_later_open_rounds_and_votes_but_keeps_closed_history():
    s = workspace_scenario.build()
    closed = make_round(edition=s.edition, order=0, status=RoundStatus.CLOSED, name="初审")
    kept = make_assignment(round=closed, case=s.case, judge=s.judge)
    plenary = make_round(edition=s.edition, order=3, kind=RoundKind.VOTE, status=RoundStatus.OPEN)
    ballot = make_assignment(round=plenary, case=s.case, judge=s.judge)
    vote_cast(assignment=ballot, choice="tier", tier=make_tier(edition=s.edition), by=s.judge.user)

    recusal_create(assignment=s.assignment, reason="利益相关", by=s.judge.user)

    assert list(Assignment.objects.filter(judge=s.judge, case=s.case)) == [kept]
    assert not Vote.objects.exists()
    assert AuditEntry.objects.get(code="judging.recusal.created").data["removed_votes"]


def test_recusal_returns_to_the_queue_when_other_cases_remain(client):
    s = workspace_scenario.build()
    other = workspace_scenario.make_case(edition=s.edition, category=s.category)
    make_assignment(round=s.round, case=other, judge=s.judge)
    client.force_login(s.judge.user)

    done = client.post(
        reverse("judging:recusal-create", args=[s.round.pk, s.case.pk]), {"reason": "亲属任职"}
    )

    assert done["Location"] == reverse("judging:round-detail", args=[s.round.pk])


def test_recusal_through_the_pages(client):
    s = workspace_scenario.build()
    client.force_login(s.judge.user)
    url = reverse("judging:recusal-create", args=[s.round.pk, s.case.pk])

    form = client.get(url)
    empty = client.post(url, {"reason": ""})
    done = client.post(url, {"reason": "本人曾任该单位顾问"})

    assert form.status_code == 200 and "回避原因" in form.text
    assert empty.status_code == 400 and 'id="id_reason-errors"' in empty.text
    assert done.status_code == 302
    # It was the judge's only case in the round: back to "my rounds", with the message.
    assert done["Location"] == reverse("judging:round-list")
    assert "已登记回避" in client.get(done["Location"]).text
    case_url = reverse("judging:case-detail", args=[s.round.pk, s.case.pk])
    assert client.get(case_url).status_code == 404
    assert client.get(url).status_code == 404
