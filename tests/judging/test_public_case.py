import pytest
from django.core.cache import cache

from cases.models import Attachment, AttachmentKind, CaseStatus, MediaCoverage
from judging.models import CitationStatus
from tests.factories import (
    make_award,
    make_case,
    make_judge,
    make_member,
    make_organiser,
    make_programme,
    make_tier,
    make_unit,
)
from tests.judging.public_data import awarded_case, build_world, case_url, published_edition

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    return build_world()


def test_public_case_shows_public_fields(client, world):
    response = client.get(case_url(world.chuangwen))

    assert response.status_code == 200
    text = response.text
    assert "<h1>深化创文提质升级模式,引领城市治理新跨越</h1>" in text
    assert "<dt>类别</dt><dd>政府治理创新</dd>" in text
    assert "<dt>奖项</dt><dd>优秀案例</dd>" in text
    assert ">汕头市委宣传部</a>" in text
    assert "<dt>报送单位</dt><dd>汕头市委宣传部</dd>" in text
    assert "汕头深化创文提质模式,持续实施“八大提质”计划。" in text
    assert "抓重点、攻难点,补短板、强弱项,树亮点、育品牌。" in text
    assert "(南方舆情数据研究院专家委员会)" in text


def test_public_case_never_shows_contact_body_media_or_attachments(client, world):
    MediaCoverage.objects.create(
        case=world.chuangwen, url="https://example.org/secret-report", outlet="内部简报"
    )
    Attachment.objects.create(
        case=world.chuangwen,
        kind=AttachmentKind.APPLICATION_FORM,
        file="private/attachments/aa/x.pdf",
        original_name="申报书原件.pdf",
        size=10,
        content_type="application/pdf",
        sha256="0" * 64,
    )

    response = client.get(case_url(world.chuangwen))

    for private in [
        "联系人甲",
        "0754-88888888",
        "contact@example.org",
        "正文背景(不公开)",
        "secret-report",
        "内部简报",
        "申报书原件.pdf",
        "private/attachments",
    ]:
        assert private not in response.text


def test_public_case_hides_draft_citation(client, world):
    response = client.get(case_url(world.kanglao))

    assert response.status_code == 200
    assert "未审定的点评草稿内容" not in response.text
    assert "草稿专家" not in response.text


@pytest.mark.parametrize(
    "status", [CaseStatus.NOT_AWARDED, CaseStatus.WITHDRAWN, CaseStatus.IN_REVIEW]
)
def test_case_without_award_is_404(client, world, status):
    case = make_case(edition=world.sixth, category=world.zf, status=status)

    response = client.get(case_url(case))

    assert response.status_code == 404
    assert case.title not in response.text


def test_case_marked_awarded_without_award_row_is_404(client, world):
    case = make_case(edition=world.sixth, category=world.zf, status=CaseStatus.AWARDED)

    response = client.get(case_url(case))

    assert response.status_code == 404


def test_awarded_case_under_another_editions_address_is_404(client, world):
    response = client.get(case_url(world.yueyoushu_case, edition=world.sixth))

    assert response.status_code == 404


def test_awarded_case_of_embargoed_edition_is_404(client, world):
    response = client.get(case_url(world.embargoed))

    assert response.status_code == 404
    assert "尚未发布的汕头案例" not in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_public_case_query_count_does_not_grow_with_lead_units(
    client, django_assert_num_queries, rows
):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    case = awarded_case(
        edition=edition, category=None, lead_units=[make_unit() for _ in range(rows)]
    )
    make_award(
        case=case,
        tier=make_tier(edition=edition),
        citation="点评",
        citation_status=CitationStatus.APPROVED,
    )

    # embargo check; award exists; edition; award with everything joined; ordered lead units
    with django_assert_num_queries(5):
        response = client.get(case_url(case))

    assert response.text.count("/history/") == rows


@pytest.mark.parametrize("role", ["anonymous", "own unit member", "judge", "organiser"])
def test_public_case_page_is_the_same_for_every_role(client, world, role):
    if role == "own unit member":
        client.force_login(make_member(unit=world.yuexiu_bureau))  # owns the not-awarded case
    elif role == "judge":
        client.force_login(make_judge().user)
    elif role == "organiser":
        client.force_login(make_organiser())

    awarded = client.get(case_url(world.chuangwen))
    not_awarded = client.get(case_url(world.not_awarded))

    assert awarded.status_code == 200
    assert "0754-88888888" not in awarded.text
    assert not_awarded.status_code == 404  # the unit reads its own case in its portal
    assert "020-12345678" not in not_awarded.text
