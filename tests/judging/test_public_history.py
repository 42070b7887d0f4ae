import pytest
from django.core.cache import cache

from cases.models import UnitLevel
from tests.factories import (
    make_award,
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
    region_history_url,
    table_rows,
    unit_history_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    """build_world() plus 粤治 第五届 (2017) with two 汕头 awards, as seed 004's table has."""
    w = build_world()
    w.chaoyang = make_region(name="潮阳区", parent=w.shantou)
    w.chaoyang_propaganda = make_unit(
        name="潮阳区委宣传部", level=UnitLevel.COUNTY, region=w.chaoyang
    )
    w.fifth = published_edition(
        programme=w.yuezhi, year=2017, number=5, title="第五届", slug="5", embargo_days=-400
    )
    zf = make_category(edition=w.fifth, name="政府治理创新", code="ZF", order=1)
    yq = make_category(edition=w.fifth, name="舆情引导", code="YQ", order=3)
    excellent = make_tier(edition=w.fifth, name="优秀案例", order=1)
    linbi = awarded_case(
        edition=w.fifth,
        category=yq,
        lead_units=[w.chaoyang_propaganda],
        title="汕头潮阳破局两大“邻避问题”",
    )
    make_award(case=linbi, tier=excellent)
    chengguan = awarded_case(
        edition=w.fifth,
        category=zf,
        lead_units=[w.st_propaganda],
        title="汕头强化城市管理 推进“创文”工作",
    )
    make_award(case=chengguan, tier=excellent)
    return w


FIFTH = "粤治 · 第五届"
SIXTH = "粤治 · 第六届(2018—2019年度)"


def test_region_history_lists_awards_of_the_region_and_its_subregions(client, world):
    response = client.get(region_history_url(world.shantou))

    assert response.status_code == 200
    assert table_rows(response.text, "history-table") == [
        [FIFTH, "汕头市委宣传部", "汕头强化城市管理 推进“创文”工作", "政府治理创新优秀案例"],
        [FIFTH, "潮阳区委宣传部", "汕头潮阳破局两大“邻避问题”", "舆情引导优秀案例"],
        [
            SIXTH,
            "汕头市委宣传部",
            "深化创文提质升级模式,引领城市治理新跨越",
            "政府治理创新优秀案例",
        ],
        [
            SIXTH,
            "汕头市濠江区委",
            "汕头市濠江区党建领航社会治理“三化”建设",
            "党建引领社会治理创新提名奖",
        ],
        [SIXTH, "汕头市委宣传部", "汕头市“8·30”抗涝救灾舆情管控引导战", "舆情引导提名奖"],
    ]
    assert "共 5 项" in response.text


def test_region_history_of_a_district_has_only_its_own_units(client, world):
    response = client.get(region_history_url(world.haojiang))

    assert [row[2] for row in table_rows(response.text, "history-table")] == [
        "汕头市濠江区党建领航社会治理“三化”建设"
    ]


def test_region_history_links_parent_and_subregions(client, world):
    response = client.get(region_history_url(world.shantou))

    assert f'<a href="{region_history_url(world.guangdong)}">广东省</a>' in response.text
    assert f'<a href="{region_history_url(world.haojiang)}">濠江区</a>' in response.text
    assert f'<a href="{region_history_url(world.chaoyang)}">潮阳区</a>' in response.text


def test_region_without_public_awards_shows_an_empty_table(client, world):
    region = make_region(name="梅州市", parent=world.guangdong)

    response = client.get(region_history_url(region))

    assert response.status_code == 200
    assert table_rows(response.text, "history-table") == [["暂无公开的获奖记录。"]]


def test_unit_history_lists_cases_the_unit_led_oldest_first(client, world):
    response = client.get(unit_history_url(world.st_propaganda))

    assert response.status_code == 200
    # 三化建设 was only submitted (报送) by the unit, not led: it is 濠江区委's award.
    assert table_rows(response.text, "history-table") == [
        [FIFTH, "汕头市委宣传部", "汕头强化城市管理 推进“创文”工作", "政府治理创新优秀案例"],
        [
            SIXTH,
            "汕头市委宣传部",
            "深化创文提质升级模式,引领城市治理新跨越",
            "政府治理创新优秀案例",
        ],
        [SIXTH, "汕头市委宣传部", "汕头市“8·30”抗涝救灾舆情管控引导战", "舆情引导提名奖"],
    ]


def test_unit_history_shows_co_led_cases_with_every_lead_unit(client, world):
    response = client.get(unit_history_url(world.yuexiu_bureau))

    assert [row[1] for row in table_rows(response.text, "history-table")] == [
        "广州市越秀区政务服务数据管理局",
        "中国联通广州市分公司、广州市越秀区政务服务数据管理局",
        "广州市越秀区政务服务数据管理局",
    ]


def test_unit_without_public_award_is_404(client, world):
    # Entered (the not-awarded case belongs to 越秀) or never entered: the name stays private.
    unit = make_unit(name="从未获奖的单位")

    response = client.get(unit_history_url(unit))

    assert response.status_code == 404
    assert "从未获奖的单位" not in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_unit_history_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    unit = make_unit()
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    tier = make_tier(edition=edition)
    for _ in range(rows):
        case = awarded_case(edition=edition, category=None, lead_units=[unit, make_unit()])
        make_award(case=case, tier=tier)

    # visible editions; unit; count; awards; ordered lead units
    with django_assert_num_queries(5):
        response = client.get(unit_history_url(unit))

    assert len(table_rows(response.text, "history-table")) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_region_history_query_count_does_not_grow_with_rows(
    client, django_assert_num_queries, rows
):
    city = make_region(name="某市", parent=make_region(name="某省"))
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    tier = make_tier(edition=edition)
    for n in range(rows):
        district = make_region(name=f"某区{n}", parent=city)
        case = awarded_case(
            edition=edition, category=None, lead_units=[make_unit(region=district), make_unit()]
        )
        make_award(case=case, tier=tier)

    # visible editions; region; count; awards; ordered lead units; region trail; subregions
    with django_assert_num_queries(7):
        response = client.get(region_history_url(city))

    assert len(table_rows(response.text, "history-table")) == rows
