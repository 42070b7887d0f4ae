"""公示 in the decision phase (issue 13): the start message states the stored period, the period
can be corrected or ended early with an audited reason, and the publish page lists each
blocker once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.services.publicity import publicity_change_period, publicity_start
from tests.factories import make_award, make_case, make_edition, make_organiser, make_tier

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser_client(client):
    organiser = make_organiser()
    client.force_login(organiser)
    return client


def _decided():
    edition = make_edition(status=EditionStatus.DECIDING)
    tier = make_tier(edition=edition, name="优秀案例")
    make_award(case=make_case(edition=edition, status=CaseStatus.IN_REVIEW), tier=tier)
    return edition


def _in_publicity():
    edition = _decided()
    now = timezone.now()
    publicity_start(
        edition=edition,
        starts_at=now - timedelta(days=1),
        ends_at=now + timedelta(days=6),
        by=make_organiser(),
    )
    edition.refresh_from_db()
    return edition


def test_starting_publicity_states_the_period_as_stored(organiser_client):
    edition = _decided()

    response = organiser_client.post(
        reverse("admin:judging_award_publicity", args=[edition.pk]),
        {"starts_at": "2030-12-03T09:00", "ends_at": "2030-12-10T17:30"},
        follow=True,
    )

    # 09:00 and 17:30 Asia/Shanghai, both stated (not the start as the end).
    message = next(iter(response.context["messages"])).message
    assert "2030年12月3日 09:00" in message and "2030年12月10日 17:30" in message
    assert message.index("12月3日") < message.index("12月10日")
    edition.refresh_from_db()
    assert edition.publicity_ends_at.isoformat() == "2030-12-10T09:30:00+00:00"


def test_ending_publicity_early_needs_a_reason_and_is_audited():
    edition = _in_publicity()
    organiser = make_organiser()
    with pytest.raises(DomainError, match="须填写理由"):
        publicity_change_period(edition=edition, end_now=True, reason=" ", by=organiser)

    before = timezone.now()
    publicity_change_period(
        edition=edition, end_now=True, reason="主办方决定提前结束", by=organiser
    )

    edition.refresh_from_db()
    assert before <= edition.publicity_ends_at <= timezone.now()
    entry = AuditEntry.objects.get(code="judging.edition.publicity_ended")
    assert entry.data["reason"] == "主办方决定提前结束"
    assert entry.actor == organiser


def test_correcting_the_end_keeps_the_start_and_refuses_the_past():
    edition = _in_publicity()
    start = edition.publicity_starts_at
    later = timezone.now() + timedelta(days=10)
    organiser = make_organiser()

    with pytest.raises(DomainError, match="不能早于现在"):
        publicity_change_period(
            edition=edition,
            ends_at=timezone.now() - timedelta(hours=1),
            reason="更正",
            by=organiser,
        )
    publicity_change_period(edition=edition, ends_at=later, reason="更正公示期", by=organiser)

    edition.refresh_from_db()
    assert (edition.publicity_starts_at, edition.publicity_ends_at) == (start, later)
    entry = AuditEntry.objects.get(code="judging.edition.publicity_changed")
    assert entry.data["to"][1] == later.isoformat()


def test_period_change_is_refused_outside_publicity():
    with pytest.raises(DomainError, match="公示中"):
        publicity_change_period(edition=_decided(), end_now=True, reason="x", by=make_organiser())


def test_period_change_page_re_displays_errors_and_saves(organiser_client):
    edition = _in_publicity()
    url = reverse("admin:judging_award_publicity_change", args=[edition.pk])

    page = organiser_client.get(url)
    assert page.status_code == 200
    assert 'for="id_reason"' in page.text and 'for="id_end_now"' in page.text

    refused = organiser_client.post(url, {"ends_at": "", "reason": "x" * 600})
    assert refused.status_code == 200
    assert 'id="id_ends_at_error"' in refused.text
    assert 'id="id_reason_error"' in refused.text

    done = organiser_client.post(url, {"end_now": "on", "reason": "提前结束"})
    assert done.status_code == 302
    assert AuditEntry.objects.filter(code="judging.edition.publicity_ended").count() == 1


def test_period_change_page_needs_the_change_permission(client):
    from django.contrib.auth.models import Permission

    from tests.factories import make_user

    edition = _in_publicity()
    # Staff status alone is no permission; view-only (只读观察员) may not change the period.
    user = make_user(is_staff=True, is_superuser=False)
    user.user_permissions.add(Permission.objects.get(codename="view_award"))
    client.force_login(user)
    url = reverse("admin:judging_award_publicity_change", args=[edition.pk])
    assert client.get(url).status_code == 403
    assert client.post(url, {"end_now": "on", "reason": "x"}).status_code == 403
    user.user_permissions.add(Permission.objects.get(codename="change_award"))
    client.force_login(user)
    assert client.get(url).status_code == 200


def test_publish_page_lists_each_blocker_once(organiser_client):
    edition = _in_publicity()

    response = organiser_client.post(
        reverse("admin:judging_award_publish", args=[edition.pk]),
        {"at": "2030-01-05T10:00"},
    )

    assert response.status_code == 200
    assert response.text.count("公示期到") == 1
    assert response.text.count("没有安排点评;") == 1


def test_decision_page_offers_publication_only_once_the_publicity_period_is_over(client):
    edition = make_edition(status=EditionStatus.PUBLICITY)
    make_award(
        case=make_case(edition=edition, status=CaseStatus.IN_REVIEW),
        tier=make_tier(edition=edition),
    )
    edition.publicity_starts_at = timezone.now() - timedelta(days=7)
    edition.publicity_ends_at = timezone.now() + timedelta(days=1)
    edition.save()
    client.force_login(make_organiser())
    publish = reverse("admin:judging_award_publish", args=[edition.pk])

    during = client.get(reverse("admin:judging_award_workflow"))
    edition.publicity_ends_at = timezone.now() - timedelta(minutes=1)
    edition.save()
    after = client.get(reverse("admin:judging_award_workflow"))

    assert f'href="{publish}"' not in during.text
    assert f"暂不能发布结果:{edition}" in during.text
    assert "公示期到" in during.text
    assert f'href="{publish}"' in after.text
