"""公示: starting the window, the provisional list selector, and handling objections."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.models import Objection, ObjectionStatus
from judging.selectors.publicity import publicity_awards, publicity_editions
from judging.services.publicity import objection_handle, objection_submit, publicity_start
from tests.factories import (
    make_award,
    make_case,
    make_edition,
    make_organiser,
    make_tier,
)

pytestmark = pytest.mark.django_db


def _decided_edition(awards=1):
    edition = make_edition(status=EditionStatus.DECIDING)
    tier = make_tier(edition=edition, name="优秀案例")
    for _ in range(awards):
        make_award(case=make_case(edition=edition, status=CaseStatus.IN_REVIEW), tier=tier)
    return edition


def _in_publicity(**window):
    edition = _decided_edition()
    now = timezone.now()
    publicity_start(
        edition=edition,
        starts_at=window.get("starts_at", now - timedelta(days=1)),
        ends_at=window.get("ends_at", now + timedelta(days=6)),
        by=make_organiser(),
    )
    edition.refresh_from_db()
    return edition


def _objection(award, **fields):
    data = {
        "name": "张三",
        "unit_name": "某市某局",
        "phone": "020-61787344",
        "reason": "该案例成效数据与公开报道不符。",
    }
    data.update(fields)
    return objection_submit(award=award, **data)


def test_publicity_start_moves_edition_and_sets_window():
    edition = _decided_edition()
    organiser = make_organiser()
    ends = timezone.now() + timedelta(days=7)

    publicity_start(edition=edition, ends_at=ends, by=organiser)

    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLICITY
    assert edition.publicity_ends_at == ends
    assert edition.publicity_starts_at <= timezone.now()
    started = AuditEntry.objects.get(code="judging.edition.publicity_started")
    assert (started.actor, started.data["ends_at"]) == (organiser, ends.isoformat())
    assert AuditEntry.objects.filter(code="cases.edition.publicity").count() == 1


def test_publicity_start_refuses_without_awards():
    edition = _decided_edition(awards=0)

    with pytest.raises(DomainError, match="获奖名单"):
        publicity_start(
            edition=edition, ends_at=timezone.now() + timedelta(days=7), by=make_organiser()
        )


def test_publicity_start_refuses_end_in_the_past():
    edition = _decided_edition()

    with pytest.raises(DomainError, match="将来"):
        publicity_start(
            edition=edition, ends_at=timezone.now() - timedelta(minutes=1), by=make_organiser()
        )


def test_publicity_start_refuses_edition_not_deciding():
    edition = _decided_edition()
    edition.status = EditionStatus.REVIEWING
    edition.save()

    with pytest.raises(DomainError, match="评定中"):
        publicity_start(
            edition=edition, ends_at=timezone.now() + timedelta(days=7), by=make_organiser()
        )


def test_publicity_awards_empty_outside_the_window():
    decided = _decided_edition()
    future = _in_publicity(starts_at=timezone.now() + timedelta(days=1))

    assert list(publicity_awards(decided)) == []
    assert list(publicity_awards(future)) == []
    assert list(publicity_editions()) == []


def test_publicity_awards_lists_the_provisional_list_during_the_window():
    edition = _in_publicity()

    assert list(publicity_awards(edition)) == list(edition.awards.all())
    assert list(publicity_editions()) == [edition]


def test_objection_signed_and_in_time_is_received_and_audited():
    edition = _in_publicity()
    award = edition.awards.get()

    objection = _objection(award, email="zhang@example.org")

    assert (objection.status, objection.name, objection.award) == (
        ObjectionStatus.RECEIVED,
        "张三",
        award,
    )
    entry = AuditEntry.objects.get(code="judging.objection.received")
    assert (entry.actor, entry.data["award"]) == (None, award.pk)


@pytest.mark.parametrize(
    ("field", "value"),
    [("name", ""), ("name", "匿名"), ("unit_name", " "), ("phone", ""), ("phone", "12345")],
)
def test_objection_anonymous_is_refused(field, value):
    award = _in_publicity().awards.get()

    with pytest.raises(DomainError, match="匿名|联系电话"):
        _objection(award, **{field: value})

    assert Objection.objects.count() == 0


def test_objection_without_reason_is_refused():
    award = _in_publicity().awards.get()

    with pytest.raises(DomainError, match="异议理由"):
        _objection(award, reason="  ")


def test_objection_after_window_end_is_refused_with_the_end_time_in_shanghai():
    # 2026-03-10 10:00 UTC is 18:00 in Asia/Shanghai.
    end = datetime(2026, 3, 10, 10, 0, tzinfo=UTC)
    edition = _in_publicity(starts_at=end - timedelta(days=7), ends_at=end + timedelta(days=300))
    edition.publicity_ends_at = end
    edition.save()
    award = edition.awards.get()

    with pytest.raises(DomainError, match="2026年3月10日 18:00结束,逾期"):
        objection_submit(
            award=award,
            name="张三",
            unit_name="某局",
            phone="13800000000",
            reason="理由",
            at=end + timedelta(seconds=1),
        )

    objection_submit(
        award=award, name="张三", unit_name="某局", phone="13800000000", reason="理由", at=end
    )
    assert Objection.objects.count() == 1


def test_objection_outside_publicity_is_refused():
    award = _decided_edition().awards.get()

    with pytest.raises(DomainError, match="不在公示期"):
        _objection(award)


def test_objection_handling_records_outcome_and_audits():
    award = _in_publicity().awards.get()
    objection = _objection(award)
    organiser = make_organiser()

    objection_handle(
        objection=objection,
        status=ObjectionStatus.DISMISSED,
        handling="经核实,成效数据有据可查。",
        by=organiser,
    )

    objection.refresh_from_db()
    assert (objection.status, objection.handled_by) == (ObjectionStatus.DISMISSED, organiser)
    assert objection.handled_at is not None
    entry = AuditEntry.objects.get(code="judging.objection.handled")
    assert entry.data == {"from": "received", "to": "dismissed", "award": award.pk}


@pytest.mark.parametrize(
    ("status", "handling", "message"),
    [
        (ObjectionStatus.RECEIVED, "处理情况", "处理结果"),
        (ObjectionStatus.UPHELD, " ", "处理情况"),
    ],
)
def test_objection_handling_needs_outcome_and_text(status, handling, message):
    objection = _objection(_in_publicity().awards.get())

    with pytest.raises(DomainError, match=message):
        objection_handle(objection=objection, status=status, handling=handling, by=None)
