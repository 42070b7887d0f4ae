from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, EditionStatus
from cases.services.submission import case_submit
from judging.models import Award, CitationStatus
from tests.factories import (
    make_attachment,
    make_case,
    make_category,
    make_complete_case,
    make_edition,
    make_judge,
    make_member,
    make_tier,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit():
    return make_unit(verified=True)


@pytest.fixture
def member(unit, client):
    user = make_member(unit=unit)
    client.force_login(user)
    return user


def awarded_case(unit, *, results_published_at, status=EditionStatus.PUBLISHED):
    edition = make_edition(status=status, results_published_at=results_published_at)
    case = make_case(
        edition=edition, owner_unit=unit, status=CaseStatus.AWARDED, title="乡贤咨询委员会"
    )
    Award.objects.create(
        edition=edition,
        case=case,
        tier=make_tier(edition=edition, name="优秀案例"),
        citation="以制度化形式规范乡贤参与乡村治理。",
        citation_status=CitationStatus.APPROVED,
        commentator=make_judge(name="陈天祥", title="中山大学政务学院教授"),
    )
    return case


def test_dashboard_shows_status_deadline_countdown_and_next_step(client, member, unit):
    edition = make_edition(closes_at=timezone.now() + timedelta(days=3, hours=2))
    make_case(edition=edition, owner_unit=unit, title="信用惠州")

    response = client.get(reverse("portal:case-list"))

    text = response.text
    assert "信用惠州" in text
    assert "草稿" in text
    assert "还剩 3" in text
    assert "完善内容并提交" in text
    assert reverse("portal:case-create", args=[edition.pk]) in text


def test_dashboard_shows_returned_reason(client, member, unit):
    edition = make_edition()
    make_case(
        edition=edition,
        owner_unit=unit,
        status=CaseStatus.RETURNED,
        status_reason="请补充申报书盖章页",
    )

    response = client.get(reverse("portal:case-list"))

    assert "请补充申报书盖章页" in response.text
    assert "按退回意见修改后重新提交" in response.text


def test_dashboard_shows_award_and_citation_once_results_are_out(client, member, unit):
    awarded_case(unit, results_published_at=timezone.now() - timedelta(days=1))

    response = client.get(reverse("portal:case-list"))

    assert "优秀案例" in response.text
    assert "以制度化形式规范乡贤参与乡村治理。" in response.text
    assert "陈天祥" in response.text


def test_dashboard_hides_award_during_embargo(client, member, unit):
    awarded_case(unit, results_published_at=timezone.now() + timedelta(days=1))

    response = client.get(reverse("portal:case-list"))

    assert "乡贤咨询委员会" in response.text
    assert "以制度化形式规范乡贤参与乡村治理。" not in response.text
    assert "等待结果发布" in response.text


def test_dashboard_hides_award_before_publication(client, member, unit):
    awarded_case(unit, results_published_at=None, status=EditionStatus.DECIDING)

    response = client.get(reverse("portal:case-list"))

    assert "以制度化形式规范乡贤参与乡村治理。" not in response.text


def test_dashboard_tells_unverified_unit(client):
    unit = make_unit(name="汕头市濠江区委", verified=False)
    client.force_login(make_member(unit=unit))

    response = client.get(reverse("portal:case-list"))

    assert "“汕头市濠江区委”尚未通过组织方核验" in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_dashboard_query_count_does_not_grow_with_cases(
    client, member, unit, django_assert_num_queries, rows
):
    for i in range(rows):
        edition = make_edition(programme=None)
        category = make_category(edition=edition)
        case = make_complete_case(
            edition=edition, owner_unit=unit, category=category, lead_units=[unit, make_unit()]
        )
        if i % 2:
            case_submit(case=case, by=member)
    awarded_case(unit, results_published_at=timezone.now() - timedelta(days=1))

    # session, user, cases (+ lead units), units, open editions (+ their categories)
    with django_assert_num_queries(7):
        response = client.get(reverse("portal:case-list"))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_form_page_query_count_does_not_grow_with_content(
    client, member, unit, django_assert_num_queries, rows
):
    edition = make_edition()
    for _ in range(rows):
        make_category(edition=edition)
    lead_units = [unit] + [make_unit() for _ in range(rows)]
    case = make_case(edition=edition, owner_unit=unit, lead_units=lead_units)
    for i in range(rows):
        make_attachment(case=case, kind="supporting", name=f"材料{i}.pdf")
        case.media_coverage.create(url=f"https://example.org/{i}", outlet="南方日报", order=i)

    # session, user, case, lead units, media, attachments, versions, membership check,
    # attachments (fresh, for the file table), categories, unit names (datalist)
    with django_assert_num_queries(11):
        response = client.get(reverse("portal:case-update", args=[case.pk]))

    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_detail_page_query_count_does_not_grow_with_content(
    client, member, unit, django_assert_num_queries, rows
):
    edition = make_edition()
    case = make_complete_case(
        edition=edition, owner_unit=unit, lead_units=[unit] + [make_unit() for _ in range(rows)]
    )
    for i in range(rows):
        make_attachment(case=case, kind="supporting", name=f"材料{i}.pdf")
        case_submit(case=case, by=member)

    with django_assert_num_queries(11):
        response = client.get(reverse("portal:case-detail", args=[case.pk]))

    assert response.status_code == 200
