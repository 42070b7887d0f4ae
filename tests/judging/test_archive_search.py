import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.http import urlencode

from cases.models import UnitLevel
from judging.models import CitationStatus
from tests.factories import make_award, make_programme, make_region, make_tier, make_unit
from tests.judging.public_data import awarded_case, build_world, published_edition, table_rows

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    return build_world()


def search(client, **params):
    response = client.get(f"{reverse('results:archive')}?{urlencode(params)}")
    assert response.status_code == 200
    return response


def found_titles(response):
    return [row[1] for row in table_rows(response.text, "archive-table")]


# Newest year first; inside an edition by tier, category and order (see ARCHIVE_ORDERING).
YYS_2021 = ["“越有数”数字政府“一中心三板块”", "大数据赋能疫情防控", "不署名点评的案例"]
YUEZHI_6 = [
    "深化创文提质升级模式,引领城市治理新跨越",
    "汕头市濠江区党建领航社会治理“三化”建设",
    "汕头市“8·30”抗涝救灾舆情管控引导战",
]


def test_archive_without_filters_lists_every_public_award(client, world):
    response = search(client)

    assert found_titles(response) == YYS_2021 + YUEZHI_6
    assert "找到 6 个获奖案例" in response.text


def test_archive_rows_show_edition_units_category_and_tier(client, world):
    rows = table_rows(search(client, programme="yys").text, "archive-table")

    assert rows[1] == [
        "粤有数 · 2021年度",
        "大数据赋能疫情防控",
        "中国联通广州市分公司、广州市越秀区政务服务数据管理局",
        "党建引领与新技术新应用",
        "优秀案例",
    ]


def test_archive_filters_by_programme(client, world):
    assert found_titles(search(client, programme="yuezhi")) == YUEZHI_6


def test_archive_filters_by_year(client, world):
    assert found_titles(search(client, year="2021")) == YYS_2021


def test_archive_filters_by_category_name(client, world):
    # 第七届 also has a 政府治理创新 category, but its results are under embargo.
    assert found_titles(search(client, category="政府治理创新")) == [YUEZHI_6[0]]


def test_archive_filters_by_tier_name_across_programmes(client, world):
    assert found_titles(search(client, tier="优秀案例")) == [
        "大数据赋能疫情防控",
        "不署名点评的案例",
        YUEZHI_6[0],
    ]


def test_archive_filters_by_region_including_subregions(client, world):
    assert found_titles(search(client, region=world.shantou.pk)) == YUEZHI_6
    assert found_titles(search(client, region=world.haojiang.pk)) == [YUEZHI_6[1]]
    assert found_titles(search(client, region=world.guangzhou.pk)) == YYS_2021
    assert found_titles(search(client, region=world.guangdong.pk)) == YYS_2021 + YUEZHI_6


def test_archive_region_filter_does_not_match_a_region_sharing_a_name_prefix(client, world):
    suburb = make_region(name="汕头市郊", parent=world.guangdong)  # path 广东省/汕头市郊
    case = awarded_case(
        edition=world.sixth,
        category=world.zf,
        lead_units=[make_unit(region=suburb)],
        title="市郊的案例",
    )
    make_award(case=case, tier=world.nominated)

    assert found_titles(search(client, region=world.shantou.pk)) == YUEZHI_6
    assert found_titles(search(client, region=suburb.pk)) == ["市郊的案例"]


def test_archive_filters_by_level_of_any_lead_unit(client, world):
    assert found_titles(search(client, level=UnitLevel.COUNTY)) == [
        *YYS_2021,  # 越秀 bureau is a co-lead of 大数据赋能疫情防控
        YUEZHI_6[1],
    ]
    assert found_titles(search(client, level=UnitLevel.MUNICIPAL)) == [
        "大数据赋能疫情防控",
        YUEZHI_6[0],
        YUEZHI_6[2],
    ]
    assert found_titles(search(client, level=UnitLevel.CENTRAL)) == []


def test_archive_filters_by_lead_or_submitting_unit_name(client, world):
    assert found_titles(search(client, unit="联通")) == ["大数据赋能疫情防控"]
    # 汕头市委宣传部 led two and submitted the third.
    assert found_titles(search(client, unit="宣传部")) == YUEZHI_6


def test_archive_keywords_search_title_summary_and_approved_citation(client, world):
    assert found_titles(search(client, keywords="创文")) == [YUEZHI_6[0]]
    assert found_titles(search(client, keywords="八大提质")) == [YUEZHI_6[0]]
    assert found_titles(search(client, keywords="善治之")) == [YYS_2021[0]]


def test_archive_keywords_must_all_match(client, world):
    assert found_titles(search(client, keywords="汕头 引导")) == [YUEZHI_6[2]]


def test_archive_keywords_never_match_an_unapproved_citation(client, world):
    assert found_titles(search(client, keywords="未审定的点评草稿")) == []

    world.kanglao_award.citation_status = CitationStatus.APPROVED
    world.kanglao_award.save()
    cache.clear()  # no bump in this test: the service that approves would bump the version

    assert found_titles(search(client, keywords="未审定的点评草稿")) == [YUEZHI_6[2]]


def test_archive_filters_combine(client, world):
    assert found_titles(search(client, programme="yys", tier="优秀案例")) == YYS_2021[1:]
    assert found_titles(search(client, programme="yuezhi", year="2021")) == []


def test_archive_refuses_unknown_choice_next_to_the_field(client, world):
    response = search(client, year="1999", keywords="创文")

    assert found_titles(response) == []
    assert 'id="id_year_error"' in response.text
    assert 'value="创文"' in response.text  # what was typed is kept


@pytest.mark.parametrize("rows", [1, 5])
def test_archive_query_count_does_not_grow_with_rows(client, django_assert_num_queries, rows):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    tier = make_tier(edition=edition)
    region = make_region()
    for _ in range(rows):
        case = awarded_case(
            edition=edition,
            category=None,
            lead_units=[make_unit(region=region), make_unit(region=region)],
        )
        make_award(case=case, tier=tier, citation="点评", citation_status=CitationStatus.APPROVED)

    # visible editions; choices: programmes, years, categories, tiers, regions; the chosen
    # region; count; awards; ordered lead units
    with django_assert_num_queries(10):
        response = search(client, region=region.pk, keywords="案例")

    assert len(found_titles(response)) == rows


def test_archive_paginates(client):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    tier = make_tier(edition=edition)
    for n in range(23):
        case = awarded_case(
            edition=edition, category=None, lead_units=[make_unit()], title=f"分页案例{n:02d}"
        )
        make_award(case=case, tier=tier, order=n)

    first = search(client, year="2022")
    second = search(client, year="2022", page=2)

    assert found_titles(first) == [f"分页案例{n:02d}" for n in range(20)]
    assert found_titles(second) == [f"分页案例{n:02d}" for n in range(20, 23)]
    assert 'href="?year=2022&amp;page=2"' in first.text
