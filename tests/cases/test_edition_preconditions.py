"""Each edition step checks its preconditions in the service and refuses with the reasons
(issue 13, DESIGN.md §3)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import TransitionNotAllowed, edition_transition, edition_transition_blockers
from judging.models import RoundStatus
from tests.factories import make_case, make_category, make_edition, make_organiser, make_round

pytestmark = pytest.mark.django_db


def test_open_call_needs_categories_and_a_deadline():
    edition = make_edition(status=EditionStatus.DRAFT, closes_at=None)
    assert edition_transition_blockers(edition, EditionStatus.OPEN) == [
        "本届还没有设置类别。",
        "本届还没有设置截止时间。",
    ]
    make_category(edition=edition)
    edition.closes_at = timezone.now() + timedelta(days=30)
    edition.save()
    edition_transition(edition, EditionStatus.OPEN, by=make_organiser())
    assert edition.status == EditionStatus.OPEN


def test_screening_waits_for_the_deadline():
    edition = make_edition(status=EditionStatus.OPEN, closes_at=timezone.now() + timedelta(days=1))
    with pytest.raises(TransitionNotAllowed, match="征集截止时间"):
        edition_transition(edition, EditionStatus.SCREENING)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.OPEN
    edition.closes_at = timezone.now() - timedelta(minutes=1)
    edition.save()
    edition_transition(edition, EditionStatus.SCREENING)


def test_review_waits_for_screening_to_finish():
    edition = make_edition(status=EditionStatus.SCREENING)
    waiting = make_case(edition=edition, status=CaseStatus.SUBMITTED)
    assert edition_transition_blockers(edition, EditionStatus.REVIEWING) == [
        "还有 1 件案例未完成资格审查(已提交或退回修改中)。",
        "本届还没有通过资格审查的案例。",
    ]
    waiting.status = CaseStatus.ACCEPTED
    waiting.save()
    assert edition_transition_blockers(edition, EditionStatus.REVIEWING) == []


def test_deciding_waits_for_the_last_round_to_close():
    edition = make_edition(status=EditionStatus.REVIEWING)
    assert edition_transition_blockers(edition, EditionStatus.DECIDING) == ["本届还没有评审轮次。"]
    make_round(edition=edition, order=1, status=RoundStatus.CLOSED)
    final = make_round(edition=edition, order=2, name="终审", status=RoundStatus.OPEN)
    with pytest.raises(TransitionNotAllowed, match="轮次“终审”尚未结束"):
        edition_transition(edition, EditionStatus.DECIDING)
    final.status = RoundStatus.CLOSED
    final.save()
    edition_transition(edition, EditionStatus.DECIDING)
    assert edition.status == EditionStatus.DECIDING


def test_back_from_deciding_to_review_is_not_held_by_screening_checks():
    edition = make_edition(status=EditionStatus.DECIDING)
    assert edition_transition_blockers(edition, EditionStatus.REVIEWING) == []


def test_not_enforced_only_when_said_and_audited():
    edition = make_edition(status=EditionStatus.REVIEWING)
    edition_transition(edition, EditionStatus.DECIDING, reason="往届存档", enforce=False)
    entry = AuditEntry.objects.get(code="cases.edition.deciding")
    assert entry.data["preconditions"] == "not enforced"


def test_admin_action_shows_the_reason(client):
    from django.urls import reverse

    client.force_login(make_organiser())
    edition = make_edition(status=EditionStatus.REVIEWING, title="第九届")
    response = client.post(
        reverse("admin:cases_edition_changelist"),
        {"action": "transition_to_deciding", "_selected_action": [edition.pk]},
        follow=True,
    )
    text = " ".join(m.message for m in response.context["messages"])
    assert "本届还没有评审轮次" in text
    edition.refresh_from_db()
    assert edition.status == EditionStatus.REVIEWING
