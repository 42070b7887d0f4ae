import pytest
from django.core.cache import cache

from cases.models import CaseLeadUnit, EditionStatus
from judging.models import CitationStatus
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_judge,
    make_programme,
    make_tier,
    make_unit,
)
from tests.judging.public_data import (
    awarded_case,
    build_world,
    published_edition,
    results_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    return build_world()


def test_results_lists_winners_by_tier_then_category(client, world):
    response = client.get(results_url(world.sixth))

    assert response.status_code == 200
    text = response.text
    headings = [
        f'<h2 id="tier-{world.excellent.pk}">优秀案例</h2>',
        "政府治理创新 · 优秀案例</h3>",
        f'<h2 id="tier-{world.nominated.pk}">提名奖</h2>',
        "党建引领社会治理创新 · 提名奖</h3>",
        "舆情引导 · 提名奖</h3>",
    ]
    positions = [text.index(heading) for heading in headings]
    assert positions == sorted(positions)
    assert text.index(world.chuangwen.title) < text.index(world.sanhua.title)
    assert text.index(world.sanhua.title) < text.index(world.kanglao.title)
    assert "排名不分先后" not in text


def test_results_show_lead_units_submitting_unit_and_summary(client, world):
    response = client.get(results_url(world.sixth))

    text = response.text
    assert "<dt>主创单位</dt><dd>汕头市濠江区委</dd>" in text
    assert "<dt>报送单位</dt><dd>汕头市委宣传部</dd>" in text
    assert "濠江区党建引领基层社会治理。" in text


def test_results_print_lead_units_in_their_order(client, world):
    CaseLeadUnit.objects.filter(case=world.epidemic, unit=world.unicom).update(order=5)

    response = client.get(results_url(world.y2021))

    assert "广州市越秀区政务服务数据管理局、中国联通广州市分公司" in response.text


def test_results_print_approved_citation_with_commentator_as_the_seeds_do(client, world):
    response = client.get(results_url(world.y2021))

    text = response.text
    assert "数据如水,善治之而利天下。" in text
    # The title already names the affiliation (seed 003), so it is not repeated.
    assert "(雷强 中共中央党校(国家行政学院)党的建设教研部副教授)" in text
    # A title without the affiliation gets it appended.
    assert "(黄岩 公共管理学院副院长、教授 华南师范大学)" in text


def test_results_print_committee_signature_instead_of_a_person(client, world):
    response = client.get(results_url(world.sixth))

    assert "抓重点、攻难点,补短板、强弱项,树亮点、育品牌。" in response.text
    assert "(南方舆情数据研究院专家委员会)" in response.text


def test_results_hide_draft_citation_and_its_commentator(client, world):
    response = client.get(results_url(world.sixth))

    assert world.kanglao.title in response.text
    assert "未审定的点评草稿内容" not in response.text
    assert "草稿专家" not in response.text


def test_results_hide_name_of_commentator_who_is_not_public(client, world):
    response = client.get(results_url(world.y2021))

    assert "这条点评的专家不公开署名。" in response.text
    assert "不公开署名专家" not in response.text
    assert "某研究院研究员" not in response.text


def test_results_never_list_cases_that_won_nothing(client, world):
    response = client.get(results_url(world.sixth))

    assert "未获奖的参评案例" not in response.text
    assert "撤回的案例" not in response.text


def test_unordered_results_are_one_list_per_tier_with_note(client, world):
    response = client.get(results_url(world.y2021))

    text = response.text
    assert "(排名不分先后)" in text
    assert '<ol class="award-list">' not in text
    assert text.count('<ul class="award-list">') == 2  # 最佳案例, 优秀案例
    assert "<dt>类别</dt><dd>党建引领与新技术新应用</dd>" in text
    assert text.index(world.epidemic.title) < text.index(world.anonymous_citation_case.title)


def test_edition_page_links_to_visible_results(client, world):
    response = client.get(world.sixth.get_absolute_url())

    assert "查看评选结果" in response.text
    assert results_url(world.sixth) in response.text


@pytest.mark.parametrize("status", [EditionStatus.DECIDING, EditionStatus.PUBLICITY])
def test_edition_page_has_no_results_link_before_publication(client, world, status):
    world.sixth.status = status
    world.sixth.save()

    response = client.get(world.sixth.get_absolute_url())

    assert "查看评选结果" not in response.text


def test_edition_page_has_no_results_link_under_embargo(client, world):
    response = client.get(world.seventh.get_absolute_url())

    assert response.status_code == 200
    assert "查看评选结果" not in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_results_query_count_does_not_grow_with_awards(client, django_assert_num_queries, rows):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    tier = make_tier(edition=edition, name="优秀案例")
    for n in range(rows):
        category = make_category(edition=edition, order=n)
        units = [make_unit(), make_unit()]
        case = awarded_case(edition=edition, category=category, lead_units=units)
        make_award(
            case=case,
            tier=tier,
            citation=f"点评{n}",
            citation_status=CitationStatus.APPROVED,
            commentator=make_judge(affiliation=make_unit()),
        )
    make_case(edition=edition)  # a draft: not shown, not queried
    url = results_url(edition)

    # embargo check; edition; awards with tier, category, units and commentator joined;
    # ordered lead units
    with django_assert_num_queries(4):
        response = client.get(url)

    assert response.text.count('class="award"') == rows
