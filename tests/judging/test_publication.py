"""Publication at an embargo time, and its guards."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.selectors import results_visible_editions
from cases.services import DomainError
from judging.cache import results_version
from judging.models import CitationStatus, ObjectionStatus
from judging.selectors.publicity import publicity_awards
from judging.services.publication import publication_blockers, publish_results
from judging.services.publicity import objection_handle, objection_submit, publicity_start
from tests.factories import (
    make_award,
    make_case,
    make_edition,
    make_organiser,
    make_tier,
)

pytestmark = pytest.mark.django_db


def _decided(citation_status=CitationStatus.APPROVED):
    edition = make_edition(status=EditionStatus.DECIDING)
    tier = make_tier(edition=edition, name="优秀案例")
    winner = make_case(edition=edition, status=CaseStatus.IN_REVIEW, title="获奖的")
    loser = make_case(edition=edition, status=CaseStatus.IN_REVIEW, title="未获奖的")
    rejected = make_case(edition=edition, status=CaseStatus.REJECTED, title="未通过审查的")
    citation = "点评" if citation_status == CitationStatus.APPROVED else ""
    award = make_award(
        case=winner, tier=tier, citation=citation, citation_status=citation_status, signed_as="x"
    )
    return edition, award, winner, loser, rejected


def _in_publicity(edition):
    now = timezone.now()
    publicity_start(
        edition=edition,
        starts_at=now - timedelta(days=7),
        ends_at=now + timedelta(days=1),
        by=make_organiser(),
    )
    edition.refresh_from_db()
    return edition


def _end_publicity(edition):
    # The 公示 window passes: its end is now in the past.
    edition.publicity_ends_at = timezone.now() - timedelta(minutes=1)
    edition.save(update_fields=["publicity_ends_at"])


def test_publish_sets_embargo_status_cases_audit_and_cache(django_capture_on_commit_callbacks):
    edition, award, winner, loser, rejected = _decided()
    organiser = make_organiser()
    at = timezone.now() + timedelta(hours=2)
    before = results_version(edition)

    with django_capture_on_commit_callbacks(execute=True):
        publish_results(edition=edition, at=at, by=organiser)

    edition.refresh_from_db()
    assert (edition.status, edition.results_published_at) == (EditionStatus.PUBLISHED, at)
    for case, status in [
        (winner, CaseStatus.AWARDED),
        (loser, CaseStatus.NOT_AWARDED),
        (rejected, CaseStatus.REJECTED),
    ]:
        case.refresh_from_db()
        assert case.status == status
    entry = AuditEntry.objects.get(code="judging.edition.published")
    assert entry.actor == organiser
    assert entry.data == {
        "from": "deciding",
        "results_published_at": at.isoformat(),
        "awards": 1,
        "awarded": 1,
        "not_awarded": 1,
        "uncited": 0,
        "snapshot": [
            {
                "award": award.pk,
                "case": winner.pk,
                "reference": "",
                "title": "获奖的",
                "tier": "优秀案例",
                "category": "",
                "order": 1,
                "citation": "点评",
                "commentator": "",
                "signed_as": "x",
            }
        ],
    }
    assert results_version(edition) == before + 1


def test_results_are_invisible_until_the_embargo_time():
    edition, *_ = _decided()
    at = timezone.now() + timedelta(hours=2)

    publish_results(edition=edition, at=at, by=make_organiser())

    assert list(results_visible_editions()) == []
    assert list(results_visible_editions(at=at - timedelta(seconds=1))) == []
    assert list(results_visible_editions(at=at)) == [edition]


def test_publish_with_past_time_is_visible_at_once():
    edition, *_ = _decided()

    publish_results(edition=edition, at=timezone.now() - timedelta(minutes=5), by=None)

    assert list(results_visible_editions()) == [edition]


@pytest.mark.parametrize("status", [CitationStatus.ASSIGNED, CitationStatus.DRAFTED])
def test_publish_refuses_citation_in_progress(status):
    edition, *_ = _decided(citation_status=status)

    with pytest.raises(DomainError, match="1条点评尚未审定"):
        publish_results(edition=edition, at=timezone.now(), by=make_organiser())

    edition.refresh_from_db()
    assert (edition.status, edition.results_published_at) == (EditionStatus.DECIDING, None)


def test_publish_without_citation_needs_explicit_confirmation():
    edition, *_ = _decided(citation_status=CitationStatus.NONE)

    with pytest.raises(DomainError, match="确认不设点评"):
        publish_results(edition=edition, at=timezone.now(), by=make_organiser())

    publish_results(edition=edition, at=timezone.now(), by=make_organiser(), allow_uncited=True)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    assert AuditEntry.objects.get(code="judging.edition.published").data["uncited"] == 1


def test_publish_refuses_open_objection_until_it_is_handled():
    edition, award, *_ = _decided()
    _in_publicity(edition)
    objection = objection_submit(
        award=award, name="张三", unit_name="某局", phone="13800000000", reason="理由"
    )
    _end_publicity(edition)

    with pytest.raises(DomainError, match="1件异议尚未处理完毕"):
        publish_results(edition=edition, at=timezone.now(), by=make_organiser())

    objection_handle(
        objection=objection, status=ObjectionStatus.DISMISSED, handling="经核实不成立", by=None
    )
    publish_results(edition=edition, at=timezone.now(), by=make_organiser())
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    assert list(publicity_awards(edition)) == []


def test_publish_refuses_while_publicity_window_is_open():
    edition, *_ = _decided()
    _in_publicity(edition)

    with pytest.raises(DomainError, match="公示期到.*才结束"):
        publish_results(edition=edition, at=timezone.now(), by=make_organiser())


@pytest.mark.parametrize(
    "status", [EditionStatus.REVIEWING, EditionStatus.PUBLISHED, EditionStatus.ARCHIVED]
)
def test_publish_refuses_edition_in_other_states(status):
    edition, *_ = _decided()
    edition.status = status
    edition.save()

    with pytest.raises(DomainError, match="评定中"):
        publish_results(edition=edition, at=timezone.now(), by=make_organiser())


def test_publish_refuses_edition_without_awards():
    edition = make_edition(status=EditionStatus.DECIDING)

    assert publication_blockers(edition) == ["本届还没有确定的获奖名单。"]
    with pytest.raises(DomainError, match="获奖名单"):
        publish_results(edition=edition, at=timezone.now(), by=make_organiser())


def test_publish_refuses_naive_time():
    edition, *_ = _decided()

    with pytest.raises(DomainError, match="时区"):
        publish_results(edition=edition, at=timezone.now().replace(tzinfo=None), by=None)


def test_publication_blockers_empty_when_ready():
    edition, *_ = _decided()

    assert publication_blockers(edition) == []
