"""A small published world for the public-page tests, modelled on seeds 001, 003 and 004:
粤治 第六届 (published), 粤治 第七届 (published, still under embargo) and 粤有数 2021
(published, 排名不分先后), with units in 汕头 and 广州."""

from datetime import timedelta
from html.parser import HTMLParser
from types import SimpleNamespace

from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, EditionStatus, UnitLevel, UnitType
from judging.models import CitationStatus
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_programme,
    make_region,
    make_tier,
    make_unit,
)

APPROVED = CitationStatus.APPROVED


def published_edition(*, programme, year, title, slug, embargo_days=-1, **fields):
    """An edition published with its embargo `embargo_days` from now (negative: past)."""
    return make_edition(
        programme=programme,
        status=EditionStatus.PUBLISHED,
        year=year,
        title=title,
        slug=slug,
        results_published_at=timezone.now() + timedelta(days=embargo_days),
        **fields,
    )


def awarded_case(*, edition, category, lead_units, submitting_unit=None, **fields):
    return make_case(
        edition=edition,
        category=category,
        owner_unit=lead_units[0],
        lead_units=lead_units,
        submitting_unit=submitting_unit or lead_units[0],
        status=CaseStatus.AWARDED,
        **fields,
    )


def build_world():
    w = SimpleNamespace()
    w.guangdong = make_region(name="广东省")
    w.shantou = make_region(name="汕头市", parent=w.guangdong)
    w.haojiang = make_region(name="濠江区", parent=w.shantou)
    w.guangzhou = make_region(name="广州市", parent=w.guangdong)
    w.yuexiu = make_region(name="越秀区", parent=w.guangzhou)

    w.st_propaganda = make_unit(name="汕头市委宣传部", level=UnitLevel.MUNICIPAL, region=w.shantou)
    w.haojiang_committee = make_unit(
        name="汕头市濠江区委", level=UnitLevel.COUNTY, region=w.haojiang
    )
    w.yuexiu_bureau = make_unit(
        name="广州市越秀区政务服务数据管理局", level=UnitLevel.COUNTY, region=w.yuexiu
    )
    w.unicom = make_unit(
        name="中国联通广州市分公司",
        type=UnitType.ENTERPRISE,
        level=UnitLevel.MUNICIPAL,
        region=w.guangzhou,
    )

    # 粤治 第六届: tiers × categories, ordered.
    w.yuezhi = make_programme(name="粤治—治理现代化", short_name="粤治", slug="yuezhi")
    w.sixth = published_edition(
        programme=w.yuezhi,
        year=2019,
        number=6,
        title="第六届",
        slug="6",
        period_label="2018—2019年度",
    )
    w.zf = make_category(edition=w.sixth, name="政府治理创新", code="ZF", order=1)
    w.dj = make_category(edition=w.sixth, name="党建引领社会治理创新", code="DJ", order=2)
    w.yq = make_category(edition=w.sixth, name="舆情引导", code="YQ", order=3)
    w.excellent = make_tier(edition=w.sixth, name="优秀案例", order=1)
    w.nominated = make_tier(edition=w.sixth, name="提名奖", order=2)

    w.chuangwen = awarded_case(
        edition=w.sixth,
        category=w.zf,
        lead_units=[w.st_propaganda],
        title="深化创文提质升级模式,引领城市治理新跨越",
        summary="汕头深化创文提质模式,持续实施“八大提质”计划。",
        background="正文背景(不公开)",
        contact_name="联系人甲",
        contact_phone="0754-88888888",
        contact_email="contact@example.org",
    )
    w.chuangwen_award = make_award(
        case=w.chuangwen,
        tier=w.excellent,
        citation="抓重点、攻难点,补短板、强弱项,树亮点、育品牌。",
        citation_status=APPROVED,
        signed_as="南方舆情数据研究院专家委员会",
    )
    w.sanhua = awarded_case(
        edition=w.sixth,
        category=w.dj,
        lead_units=[w.haojiang_committee],
        submitting_unit=w.st_propaganda,
        title="汕头市濠江区党建领航社会治理“三化”建设",
        summary="濠江区党建引领基层社会治理。",
    )
    w.sanhua_award = make_award(case=w.sanhua, tier=w.nominated)
    w.kanglao = awarded_case(
        edition=w.sixth,
        category=w.yq,
        lead_units=[w.st_propaganda],
        title="汕头市“8·30”抗涝救灾舆情管控引导战",
        summary="第一时间发声解惑,现场直击破除谣言。",
    )
    w.draft_judge = make_judge(name="草稿专家", title="某大学教授")
    w.kanglao_award = make_award(
        case=w.kanglao,
        tier=w.nominated,
        citation="未审定的点评草稿内容",
        citation_status=CitationStatus.DRAFTED,
        commentator=w.draft_judge,
    )
    w.not_awarded = make_case(
        edition=w.sixth,
        category=w.zf,
        owner_unit=w.yuexiu_bureau,
        status=CaseStatus.NOT_AWARDED,
        title="未获奖的参评案例",
        contact_phone="020-12345678",
    )
    w.withdrawn = make_case(
        edition=w.sixth,
        category=w.zf,
        owner_unit=w.yuexiu_bureau,
        status=CaseStatus.WITHDRAWN,
        title="撤回的案例",
    )

    # 粤治 第七届: published, but the embargo has not passed.
    w.seventh = published_edition(
        programme=w.yuezhi, year=2020, number=7, title="第七届", slug="7", embargo_days=1
    )
    w.seventh_zf = make_category(edition=w.seventh, name="政府治理创新", code="ZF", order=1)
    w.seventh_tier = make_tier(edition=w.seventh, name="优秀案例", order=1)
    w.embargoed = awarded_case(
        edition=w.seventh,
        category=w.seventh_zf,
        lead_units=[w.st_propaganda],
        title="尚未发布的汕头案例",
        summary="禁发期内的简介",
    )
    w.embargoed_judge = make_judge(name="禁发期专家", title="禁发期大学教授")
    w.embargoed_award = make_award(
        case=w.embargoed,
        tier=w.seventh_tier,
        citation="禁发期内的点评",
        citation_status=APPROVED,
        commentator=w.embargoed_judge,
    )

    # 粤有数 2021: one list per tier, 排名不分先后, commentators with title and affiliation.
    w.yueyoushu = make_programme(name="“粤有数”新技术治理案例", short_name="粤有数", slug="yys")
    w.y2021 = published_edition(
        programme=w.yueyoushu, year=2021, title="2021年度", slug="2021", results_unordered=True
    )
    w.y_party = make_category(edition=w.y2021, name="党建引领与新技术新应用", code="DJ", order=1)
    w.y_gov = make_category(edition=w.y2021, name="数字政府与治理现代化", code="SZ", order=2)
    w.best = make_tier(edition=w.y2021, name="最佳案例", order=1)
    w.y_excellent = make_tier(edition=w.y2021, name="优秀案例", order=2)
    w.party_school = make_unit(name="中共中央党校(国家行政学院)", type=UnitType.ACADEMIC)
    w.leiqiang = make_judge(
        name="雷强",
        title="中共中央党校(国家行政学院)党的建设教研部副教授",
        affiliation=w.party_school,
    )
    w.scnu = make_unit(name="华南师范大学", type=UnitType.ACADEMIC)
    w.huangyan = make_judge(name="黄岩", title="公共管理学院副院长、教授", affiliation=w.scnu)
    w.private_judge = make_judge(name="不公开署名专家", title="某研究院研究员", public=False)

    w.yueyoushu_case = awarded_case(
        edition=w.y2021,
        category=w.y_gov,
        lead_units=[w.yuexiu_bureau],
        title="“越有数”数字政府“一中心三板块”",
        summary="越秀区数据中心加强数据治理,推进数据共享。",
    )
    w.yueyoushu_award = make_award(
        case=w.yueyoushu_case,
        tier=w.best,
        citation="数据如水,善治之而利天下。",
        citation_status=APPROVED,
        commentator=w.leiqiang,
    )
    w.epidemic = awarded_case(
        edition=w.y2021,
        category=w.y_party,
        lead_units=[w.unicom, w.yuexiu_bureau],
        submitting_unit=w.unicom,
        title="大数据赋能疫情防控",
        summary="可视化的疫情防控登记和采集系统。",
    )
    w.epidemic_award = make_award(
        case=w.epidemic,
        tier=w.y_excellent,
        order=1,
        citation="如何把技术赋能迅速应用在疫情防控中是一个重要命题。",
        citation_status=APPROVED,
        commentator=w.huangyan,
    )
    w.anonymous_citation_case = awarded_case(
        edition=w.y2021,
        category=w.y_gov,
        lead_units=[w.yuexiu_bureau],
        title="不署名点评的案例",
    )
    w.anonymous_citation_award = make_award(
        case=w.anonymous_citation_case,
        tier=w.y_excellent,
        order=2,
        citation="这条点评的专家不公开署名。",
        citation_status=APPROVED,
        commentator=w.private_judge,
    )
    return w


# --- URLs and page reading ---------------------------------------------------------------
def results_url(edition):
    return reverse(
        "results:edition-results",
        kwargs={"programme_slug": edition.programme.slug, "edition_slug": edition.slug},
    )


def statistics_url(edition):
    return reverse(
        "results:edition-statistics",
        kwargs={"programme_slug": edition.programme.slug, "edition_slug": edition.slug},
    )


def case_url(case, edition=None):
    edition = edition or case.edition
    return reverse(
        "results:case-detail",
        kwargs={
            "programme_slug": edition.programme.slug,
            "edition_slug": edition.slug,
            "pk": case.pk,
        },
    )


def unit_history_url(unit):
    return reverse("results:unit-history", kwargs={"pk": unit.pk})


def region_history_url(region):
    return reverse("results:region-history", kwargs={"pk": region.pk})


class _TableReader(HTMLParser):
    def __init__(self, table_class):
        super().__init__()
        self.table_class = table_class
        self.depth = 0  # > 0 inside the wanted table
        self.in_body = False
        self.rows = []
        self.cell = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "table" and self.table_class in (attrs.get("class") or "").split():
            self.depth = 1
        elif self.depth and tag == "tbody":
            self.in_body = True
        elif self.depth and self.in_body and tag == "tr":
            self.rows.append([])
        elif self.depth and self.in_body and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append("".join(self.cell).strip())
            self.cell = None
        elif self.depth and tag == "tbody":
            self.in_body = False
        elif self.depth and tag == "table":
            self.depth = 0

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def table_rows(html, table_class):
    """The text of each body cell of the first `<table class="table_class">`, row by row."""
    reader = _TableReader(table_class)
    reader.feed(html)
    return reader.rows
