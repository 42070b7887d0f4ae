"""Public pages of the heat rankings: the monthly report, a unit's positions, the embargo,
query counts, and the demo's 2023年3月 report from seed 002."""

import datetime
import re
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases.models import UnitLevel
from judging.demo import build_demo
from judging.heat.services import heat_period_publish
from tests.factories import make_organiser, make_unit

from .data import add_coverage, make_item, make_list, make_outlet, make_period, make_series

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_page_cache():
    cache.clear()


def report_url(period):
    return reverse(
        "results:edition-results",
        kwargs={
            "programme_slug": period.edition.programme.slug,
            "edition_slug": period.edition.slug,
        },
    )


def text_of(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


def published_month(*, items=2, at=None, month=datetime.date(2023, 3, 1), series=None):
    period = make_period(month=month, series=series)
    lists = {
        (level, kind): make_list(period=period, level=level, kind=kind, order=order)
        for order, (level, kind) in enumerate(
            (level, kind)
            for level in (UnitLevel.PROVINCIAL, UnitLevel.MUNICIPAL, UnitLevel.COUNTY)
            for kind in ("case", "activity")
        )
    }
    outlet = make_outlet("人民日报")
    heat_list = lists[(UnitLevel.PROVINCIAL, "case")]
    made = []
    for n in range(items):
        item = make_item(heat_list=heat_list, title=f"案例{n}")
        add_coverage(item, *([outlet] * n))
        made.append(item)
    heat_period_publish(period=period, by=None, at=at)
    return period, made


def test_report_shows_lists_ranks_indices_and_rules(client):
    period, items = published_month(items=3)
    response = client.get(report_url(period))
    assert response.status_code == 200
    text = text_of(response)
    for title in (
        "省直系统社会治理创新案例排行榜",
        "市州系统社会治理创新活动排行榜",
        "区县系统社会治理创新案例排行榜",
    ):
        assert title in text
    # coverage 2, 1, 0 → 100, 50, 0
    assert f"1 {items[2].unit.name} 案例2 — 100.00 (省级及央级 2 篇) 100.00" in text
    assert f"2 {items[1].unit.name} 案例1 — 50.00 (省级及央级 1 篇) 50.00" in text
    assert f"3 {items[0].unit.name} 案例0 — 0.00 (省级及央级 0 篇) 0.00" in text
    assert "本期没有各平台提及量数据" in text
    assert "指数 = 100 ×(x − 最小值)÷(最大值 − 最小值)" in text
    assert "本届尚无获奖案例" not in text


def test_report_links_previous_and_next_month(client):
    series = make_series()
    march, _ = published_month(series=series)
    april, _ = published_month(series=series, month=datetime.date(2023, 4, 1))
    may, _ = published_month(
        series=series, month=datetime.date(2023, 5, 1), at=timezone.now() + timedelta(days=1)
    )
    text = text_of(client.get(report_url(april)))
    assert "‹ 上一期 2023年3月" in text
    assert "没有更新的一期" in text  # May is embargoed
    assert "下一期 2023年4月 ›" in text_of(client.get(report_url(march)))


@pytest.mark.parametrize("role", ["anonymous", "organiser"])
def test_nothing_shows_before_the_embargo_for_any_role(client, role):
    period, items = published_month(at=timezone.now() + timedelta(hours=2))
    if role == "organiser":
        client.force_login(make_organiser())
    response = client.get(report_url(period))
    assert response.status_code == 404
    assert response["Cache-Control"].startswith("max-age=0")
    unit_page = client.get(reverse("results:unit-heat", kwargs={"pk": items[1].unit_id}))
    assert unit_page.status_code == 404


def test_report_shows_once_the_embargo_passed(client):
    period, _ = published_month(at=timezone.now() - timedelta(seconds=1))
    assert client.get(report_url(period)).status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_report_query_count_does_not_grow_with_items(client, django_assert_num_queries, rows):
    period, _ = published_month(items=rows)
    # embargo check; edition with series; previous/next months; lists; ranked items
    with django_assert_num_queries(5):
        response = client.get(report_url(period))
    assert text_of(response).count("省级及央级") == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_unit_page_query_count_does_not_grow_with_months(client, django_assert_num_queries, rows):
    series = make_series()
    unit = make_unit(level=UnitLevel.PROVINCIAL)
    for n in range(rows):
        period, _ = published_month(items=0, series=series, month=datetime.date(2023, n + 1, 1))
        heat_list = period.lists.get(level=UnitLevel.PROVINCIAL, kind="case")
        make_item(heat_list=heat_list, unit=unit, title="23℃人社服务")
        make_item(heat_list=heat_list, title="其他")
        heat_period_publish(period=period, by=None)
    url = reverse("results:unit-heat", kwargs={"pk": unit.pk})
    # visible editions; unit has a position; unit; positions with list, period, edition
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("<circle") == rows
    assert 'style="' not in response.content.decode()


def test_unit_without_position_is_404(client):
    published_month()
    assert (
        client.get(reverse("results:unit-heat", kwargs={"pk": make_unit().pk})).status_code == 404
    )


def test_demo_report_of_march_2023_from_seed_002(client):
    build_demo()
    response = client.get("/results/jingchu-shehui-zhili/2023-03/")
    assert response.status_code == 200
    text = text_of(response)
    assert "发布时间:2023年4月(报道未载明发布日期;所据转载页面日期为2023年4月29日)" in text
    assert "全网信息热度不在来源中" in text
    # 湖北人社: 8 outlets named, all 央级 or 省级
    assert (
        "1 湖北省人力资源和社会保障厅 “23℃人社服务”品牌:人社基本公共服务标准化试点 — "
        "100.00 (省级及央级 8 篇) 100.00" in text
    )
    # 沙洋县: 7 outlets, 东方资讯 is not 央级/省级
    assert "(省级及央级 6 篇)" in text
    assert "本届尚无获奖案例" not in text
    assert "共 0 个获奖案例" not in text
    home = client.get("/")
    assert 'href="/results/jingchu-shehui-zhili/2023-03/"' in home.content.decode()
    # a second run changes nothing
    assert sum(build_demo().created.values()) == 0


def test_republishing_renders_the_cached_report_afresh(client, django_capture_on_commit_callbacks):
    period, items = published_month(items=2)
    assert "(省级及央级 1 篇)" in text_of(client.get(report_url(period)))
    add_coverage(items[0], make_outlet("湖北日报", "provincial"))
    assert "(省级及央级 1 篇) 100.00" in text_of(client.get(report_url(period)))  # frozen
    with django_capture_on_commit_callbacks(execute=True):
        heat_period_publish(period=period, by=None)
    text = text_of(client.get(report_url(period)))
    assert "1 " + items[0].unit.name in text and "1 " + items[1].unit.name in text  # tie
