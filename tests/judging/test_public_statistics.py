from decimal import Decimal

import pytest
from django.core.cache import cache
from django.urls import reverse

from cases.models import CaseStatus, UnitLevel
from judging.charts import bar_chart
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_programme,
    make_region,
    make_tier,
    make_unit,
)
from tests.judging.public_data import (
    awarded_case,
    build_world,
    published_edition,
    statistics_url,
    table_rows,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    w = build_world()
    make_case(edition=w.sixth, category=w.zf, owner_unit=w.st_propaganda)  # a draft
    return w


def section(html, slug):
    start = html.index(f'<section class="stat" aria-labelledby="{slug}">')
    return html[start : html.index("</section>", start)]


# 粤治 第六届 entries, by hand: 创文 (ZF, 报送 汕头市委宣传部), 三化 (DJ, 报送 汕头市委宣传部),
# 抗涝 (YQ, 汕头市委宣传部), 未获奖 (ZF, 越秀区 bureau); the withdrawn case and the draft are no
# entries. 汕头市委宣传部 is 市州 in 广东省/汕头市, the 越秀 bureau 区县 in 广东省/广州市/越秀区.


def test_statistics_count_entries_by_category(client, world):
    html = client.get(statistics_url(world.sixth)).text

    assert "参评案例 4 件,获奖案例 3 件。" in html
    assert table_rows(section(html, "by-category"), "stat-table") == [
        ["政府治理创新", "2"],
        ["党建引领社会治理创新", "1"],
        ["舆情引导", "1"],
    ]


def test_statistics_count_entries_by_region_rolled_up_to_cities(client, world):
    html = client.get(statistics_url(world.sixth)).text

    assert table_rows(section(html, "by-region"), "stat-table") == [
        ["广东省 › 汕头市", "3"],
        ["广东省 › 广州市", "1"],
    ]


def test_statistics_count_entries_by_level(client, world):
    html = client.get(statistics_url(world.sixth)).text

    assert table_rows(section(html, "by-level"), "stat-table") == [["市州", "3"], ["区县", "1"]]


def test_statistics_count_awards_by_tier_and_category(client, world):
    html = client.get(statistics_url(world.sixth)).text

    assert table_rows(section(html, "by-tier"), "stat-table") == [
        ["优秀案例", "1"],
        ["提名奖", "2"],
    ]
    assert table_rows(section(html, "awards-by-category"), "stat-table") == [
        ["政府治理创新", "1"],
        ["党建引领社会治理创新", "1"],
        ["舆情引导", "1"],
    ]


def test_statistics_charts_state_the_same_numbers(client, world):
    html = client.get(statistics_url(world.sixth)).text

    chart = section(html, "by-category")
    assert '<svg class="chart" role="img"' in chart
    assert '<title id="chart-by-category-title">参评案例(按类别)</title>' in chart
    assert (
        '<desc id="chart-by-category-desc">'
        "政府治理创新:2件；党建引领社会治理创新:1件；舆情引导:1件</desc>"
    ) in chart
    # The longest bar spans the plot (640 − 210 − 56 = 374); a count of 1 is half of it.
    assert 'width="374.0"' in chart
    assert chart.count('width="187.0"') == 2
    assert '<desc id="chart-by-tier-desc">优秀案例:1件；提名奖:2件</desc>' in html


def test_statistics_count_units_without_region_or_level(client):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    category = make_category(edition=edition, name="唯一类别")
    unit = make_unit(level="", region=None)
    make_case(edition=edition, category=category, owner_unit=unit, status=CaseStatus.SUBMITTED)

    html = client.get(statistics_url(edition)).text

    assert table_rows(section(html, "by-region"), "stat-table") == [["未填写地区", "1"]]
    assert table_rows(section(html, "by-level"), "stat-table") == [["未填写层级", "1"]]
    assert table_rows(section(html, "by-tier"), "stat-table") == [["暂无数据"]]


def test_statistics_of_embargoed_edition_is_404(client, world):
    assert client.get(statistics_url(world.seventh)).status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
def test_statistics_query_count_does_not_grow(client, django_assert_num_queries, rows):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    province = make_region(name="某省")
    for n in range(rows):
        category = make_category(edition=edition, order=n)
        tier = make_tier(edition=edition, order=n)
        unit = make_unit(region=make_region(name=f"某市{n}", parent=province))
        case = awarded_case(edition=edition, category=category, lead_units=[unit])
        make_award(case=case, tier=tier)

    # embargo check; edition; categories with counts; regions; levels; tiers with counts
    with django_assert_num_queries(6):
        response = client.get(statistics_url(edition))

    # a bar per category, city, tier and awarded category, and one for the single level
    assert response.text.count('class="chart-bar"') == 4 * rows + 1


def test_bar_chart_geometry_is_proportional():
    chart = bar_chart(chart_id="c", title="标题", rows=[("甲", 3), ("乙", 1), ("丙", 0)])

    # plot span 374; 374 × 1/3 = 124.67 → 124.7
    assert [bar.width for bar in chart.bars] == [Decimal("374.0"), Decimal("124.7"), Decimal(0)]
    assert [bar.y for bar in chart.bars] == [8, 38, 68]
    assert chart.height == 3 * 30 + 2 * 8
    assert chart.description == "甲:3件；乙:1件；丙:0件"


def test_bar_chart_shortens_long_labels_but_keeps_them_in_the_title():
    label = "党建引领社会治理创新与数字政府建设"  # 17 characters
    chart = bar_chart(chart_id="c", title="标题", rows=[(label, 1)])

    assert chart.bars[0].short_label == "党建引领社会治理创新与数字…"  # 13 + …
    assert f"<title>{label}:1</title>" in chart.render()


def test_bar_chart_without_rows_says_so():
    chart = bar_chart(chart_id="c", title="标题", rows=[])

    assert chart.description == "暂无数据"
    assert chart.bars == []
    assert 'aria-labelledby="c-title c-desc"' in chart.render()


def test_levels_follow_administrative_order(client):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    category = make_category(edition=edition)
    for level in [UnitLevel.TOWNSHIP, UnitLevel.CENTRAL, UnitLevel.COUNTY, UnitLevel.TOWNSHIP]:
        make_case(
            edition=edition,
            category=category,
            owner_unit=make_unit(level=level),
            status=CaseStatus.ACCEPTED,
        )

    html = client.get(statistics_url(edition)).text

    assert table_rows(section(html, "by-level"), "stat-table") == [
        ["中央", "1"],
        ["区县", "1"],
        ["乡镇街道", "2"],
    ]


def archive_like_edition():
    """What the demo's archive holds: awarded cases with lead units but no submitting unit,
    some without a category (the source did not say)."""
    programme = make_programme(name="粤有数", slug="yys")
    edition = published_edition(programme=programme, year=2021, title="2021", slug="2021")
    province = make_region(name="广东省")
    guangzhou = make_region(name="广州市", parent=province)
    shantou = make_region(name="汕头市", parent=province)
    category = make_category(edition=edition, name="数字政府")
    tier = make_tier(edition=edition, name="优秀案例")
    gz_unit = make_unit(region=guangzhou, level=UnitLevel.MUNICIPAL)
    st_unit = make_unit(region=shantou, level=UnitLevel.COUNTY)
    placements = [(category, [gz_unit]), (None, [st_unit, gz_unit]), (None, [gz_unit])]
    for case_category, lead_units in placements:
        case = awarded_case(edition=edition, category=case_category, lead_units=lead_units)
        case.submitting_unit = None
        case.save(update_fields=["submitting_unit"])
        make_award(case=case, tier=tier)
    return programme, edition


def test_statistics_add_up_with_uncategorised_cases_and_lead_unit_fallback(client):
    _programme, edition = archive_like_edition()

    html = client.get(statistics_url(edition)).text

    assert "参评案例 3 件,获奖案例 3 件。" in html
    assert table_rows(section(html, "by-category"), "stat-table") == [
        ["数字政府", "1"],
        ["未分类", "2"],
    ]
    assert table_rows(section(html, "awards-by-category"), "stat-table") == [
        ["数字政府", "1"],
        ["未分类", "2"],
    ]
    # the second case's first lead unit is the Shantou county unit
    assert table_rows(section(html, "by-region"), "stat-table") == [
        ["广东省 › 广州市", "2"],
        ["广东省 › 汕头市", "1"],
    ]
    assert table_rows(section(html, "by-level"), "stat-table") == [["市州", "2"], ["区县", "1"]]


def test_submitting_unit_wins_over_lead_units_for_region_and_level(client):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    category = make_category(edition=edition)
    lead = make_unit(region=make_region(name="甲市"), level=UnitLevel.MUNICIPAL)
    submitter = make_unit(region=make_region(name="乙省"), level=UnitLevel.PROVINCIAL)
    awarded_case(edition=edition, category=category, lead_units=[lead], submitting_unit=submitter)

    html = client.get(statistics_url(edition)).text

    assert table_rows(section(html, "by-region"), "stat-table") == [["乙省", "1"]]
    assert table_rows(section(html, "by-level"), "stat-table") == [["省直", "1"]]


def programme_statistics_url(programme):
    return reverse("results:programme-statistics", kwargs={"programme_slug": programme.slug})


def test_programme_statistics_per_year_region_and_level_add_up(client):
    programme, _edition = archive_like_edition()
    later = published_edition(programme=programme, year=2022, title="2022", slug="2022")
    unit = make_unit(region=make_region(name="北京市"), level=UnitLevel.CENTRAL)
    category = make_category(edition=later)
    make_case(edition=later, category=category, owner_unit=unit, status=CaseStatus.NOT_AWARDED)
    make_case(edition=later, category=category, owner_unit=unit)  # a draft: no entry
    embargoed = published_edition(
        programme=programme, year=2023, title="2023", slug="2023", embargo_days=3
    )
    make_case(edition=embargoed, owner_unit=unit, status=CaseStatus.SUBMITTED)

    html = client.get(programme_statistics_url(programme)).text

    assert "已发布结果 2 届,参评案例 4 件,获奖案例 3 件。" in html
    assert table_rows(section(html, "by-year"), "stat-table") == [
        ["2021年", "3", "3"],
        ["2022年", "1", "0"],
    ]
    assert table_rows(section(html, "by-region"), "stat-table") == [
        ["广东省 › 广州市", "2", "2"],
        ["北京市", "1", "0"],
        ["广东省 › 汕头市", "1", "1"],
    ]
    assert table_rows(section(html, "by-level"), "stat-table") == [
        ["中央", "1", "0"],
        ["市州", "2", "2"],
        ["区县", "1", "1"],
    ]
    assert html.count('class="chart-bar"') == 2 * (2 + 3 + 3)


def test_programme_statistics_of_unknown_programme_is_404(client):
    response = client.get(reverse("results:programme-statistics", args=["nope"]))

    assert response.status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
def test_programme_statistics_query_count_does_not_grow(client, django_assert_num_queries, rows):
    programme = make_programme()
    province = make_region(name="某省")
    for n in range(rows):
        edition = published_edition(
            programme=programme, year=2010 + n, title=f"第{n}届", slug=f"e{n}"
        )
        category = make_category(edition=edition)
        tier = make_tier(edition=edition)
        unit = make_unit(region=make_region(name=f"某市{n}", parent=province))
        make_award(
            case=awarded_case(edition=edition, category=category, lead_units=[unit]), tier=tier
        )

    # programme; visible edition ids (resolve); edition years; entries and awards by year,
    # by region and by level
    with django_assert_num_queries(9):
        response = client.get(programme_statistics_url(programme))

    assert response.status_code == 200
    # a row per year and per city, one level, and the three totals
    assert response.text.count('<tr><th scope="row">') == 2 * rows + 1 + 3
