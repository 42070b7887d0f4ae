"""States that refuse the wrong step, with the reason (issue 13): a round opens only when its
edition is under review, the previous round is closed and its advancement confirmed, it has
cases, valid criteria and enough judges for every case; closing asks for a confirmation that
shows what is still missing."""

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, EditionStatus
from cases.services import DomainError
from judging.models import AssignmentStatus, RoundKind, RoundStatus
from judging.services.rounds import round_open, round_open_blockers
from tests.factories import (
    make_assignment,
    make_case,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_verification,
)

pytestmark = pytest.mark.django_db
CRITERIA = [("创新性", 1, 10)]


def _round(status=EditionStatus.REVIEWING, **fields):
    edition = make_edition(status=status)
    fields.setdefault("criteria", CRITERIA)
    return make_round(edition=edition, reviews_per_case=2, **fields)


def _case(round_, reference, judges=2):
    case = make_case(edition=round_.edition, status=CaseStatus.ACCEPTED, reference=reference)
    for _ in range(judges):
        make_assignment(round=round_, case=case, judge=make_judge())
    return case


def test_round_in_an_edition_still_open_for_cases_is_refused_with_the_reason():
    round_ = _round(status=EditionStatus.OPEN)
    _case(round_, "2026-001")

    with pytest.raises(DomainError, match="本届处于“征集中”"):
        round_open(round=round_, by=make_organiser())
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT


def test_round_without_cases_is_refused():
    round_ = _round()
    assert round_open_blockers(round_) == ["本轮还没有案例。"]


def test_cases_short_of_judges_are_named_by_reference():
    round_ = _round()
    _case(round_, "2026-001")
    _case(round_, "2026-003", judges=1)
    _case(round_, "2026-002", judges=0)

    assert round_open_blockers(round_) == ["2 件案例分配的专家不足 2 人:2026-002、2026-003。"]


def test_scoring_round_without_criteria_is_refused():
    # Weights and maxima are positive by database constraint; a round needs at least one.
    round_ = _round(criteria=[])
    _case(round_, "2026-001")
    assert round_open_blockers(round_) == ["评分轮次“第1轮”还没有评分指标。"]


def test_next_round_waits_for_the_previous_one_closed_and_confirmed():
    edition = make_edition(status=EditionStatus.REVIEWING)
    first = make_round(edition=edition, order=1, criteria=CRITERIA, status=RoundStatus.OPEN)
    second = make_round(edition=edition, order=2, criteria=CRITERIA, reviews_per_case=1)
    case = make_case(edition=edition, status=CaseStatus.IN_REVIEW, reference="2026-009")
    entry = make_round_entry(round=first, case=case)
    make_round_entry(round=second, case=case)
    make_assignment(round=second, case=case, judge=make_judge())

    assert round_open_blockers(second) == ["上一轮“第1轮”尚未结束。"]
    first.status = RoundStatus.CLOSED
    first.save()
    assert round_open_blockers(second) == ["上一轮“第1轮”的晋级结果尚未确认。"]
    entry.decided_at = timezone.now()
    entry.result = "advanced"
    entry.save()
    assert round_open_blockers(second) == []


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def test_closing_shows_what_is_missing_and_needs_a_confirmation(organiser_client):
    edition = make_edition(status=EditionStatus.REVIEWING)
    round_ = make_round(
        edition=edition, kind=RoundKind.VERIFICATION, status=RoundStatus.OPEN, name="现场核实"
    )
    case = make_case(edition=edition, status=CaseStatus.IN_REVIEW)
    late = make_judge(name="陈天祥")
    make_verification(round=round_, case=case, judge=late, verified=True, submitted=False)
    done = make_judge(name="蓝云")
    make_assignment(round=round_, case=case, judge=done, status=AssignmentStatus.SUBMITTED)
    url = reverse("admin:judging_round_close", args=[round_.pk])

    page = organiser_client.get(url)
    assert page.status_code == 200
    assert "陈天祥" in page.text and "蓝云" not in page.text
    assert "1 份核实记录仍为草稿" in page.text

    refused = organiser_client.post(url, {})
    assert refused.status_code == 200
    assert "请勾选确认后再结束轮次" in refused.text
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN

    closed = organiser_client.post(url, {"confirm": "on"})
    assert closed.status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED


def test_open_refusal_in_the_admin_shows_the_reason(organiser_client):
    round_ = _round(status=EditionStatus.SCREENING)
    response = organiser_client.post(
        reverse("admin:judging_round_open", args=[round_.pk]), follow=True
    )
    text = " ".join(m.message for m in response.context["messages"])
    assert "本届处于“资格审查”" in text and "本轮还没有案例" in text
