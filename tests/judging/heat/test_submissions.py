"""Cases units submitted in the portal to a month's edition become items of its lists."""

import pytest
from django.urls import reverse

from cases.models import CaseStatus, EditionStatus, UnitLevel
from judging.heat.models import HeatItem
from judging.heat.submissions import items_from_submissions
from tests.factories import make_case, make_category, make_unit

from .data import heat_organiser, make_list, make_period

pytestmark = pytest.mark.django_db


@pytest.fixture
def month():
    period = make_period(status=EditionStatus.OPEN)
    make_list(period=period, level=UnitLevel.PROVINCIAL, kind="case")
    make_list(period=period, level=UnitLevel.COUNTY, kind="activity", order=1)
    cases = make_category(edition=period.edition, name="社会治理创新案例", code="CASE")
    activities = make_category(edition=period.edition, name="热点活动", code="ACTIVITY")
    return period, cases, activities


def test_submitted_cases_go_to_the_list_of_their_level_and_kind(month):
    period, cases, activities = month
    province = make_unit(name="湖北省人社厅", level=UnitLevel.PROVINCIAL)
    county = make_unit(name="武汉市青山区", level=UnitLevel.COUNTY)
    city = make_unit(name="黄石市财政局", level=UnitLevel.MUNICIPAL)
    first = make_case(
        edition=period.edition,
        category=cases,
        owner_unit=province,
        status=CaseStatus.SUBMITTED,
        title="23℃人社服务",
    )
    second = make_case(
        edition=period.edition,
        category=activities,
        owner_unit=county,
        status=CaseStatus.SUBMITTED,
        title="挂牌亮户",
    )
    make_case(edition=period.edition, category=cases, owner_unit=province, title="草稿")
    no_list = make_case(
        edition=period.edition,
        category=cases,
        owner_unit=city,
        status=CaseStatus.SUBMITTED,
        title="预算一体化",
    )

    report = items_from_submissions(period=period, by=None)

    assert sorted((i.list.level, i.list.kind, i.title, i.case_id) for i in report.created) == [
        ("county", "activity", "挂牌亮户", second.pk),
        ("provincial", "case", "23℃人社服务", first.pk),
    ]
    assert report.skipped == [(no_list, "本月没有“市州 · 社会治理创新案例”榜单。")]
    assert items_from_submissions(period=period, by=None).created == []  # not twice
    assert HeatItem.objects.count() == 2


def test_admin_action_needs_the_add_item_permission(client, month):
    period, cases, _ = month
    make_case(
        edition=period.edition,
        category=cases,
        status=CaseStatus.SUBMITTED,
        owner_unit=make_unit(level=UnitLevel.PROVINCIAL),
    )
    url = reverse("admin:judging_heatperiod_changelist")
    data = {"action": "add_items_from_submissions", "_selected_action": [period.pk]}
    client.force_login(heat_organiser("view_heatperiod"))
    client.post(url, data)
    assert HeatItem.objects.count() == 0
    client.force_login(heat_organiser("view_heatperiod", "add_heatitem"))
    response = client.post(url, data, follow=True)
    assert "新增 1 个上榜条目" in response.content.decode()
    assert HeatItem.objects.count() == 1
