"""Articles drafted from the data: the figures of the lead paragraph against hand-counted
cases and awards, the winners with lead units and signed citations, a unit's 成绩单."""

import pytest

from cases.models import CaseStatus, EditionStatus
from judging.content.drafting import draft_results_article, draft_unit_report
from judging.content.models import ArticleStatus
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
from tests.judging.public_data import published_edition

from .helpers import editor

pytestmark = pytest.mark.django_db


def build():
    programme = make_programme(name="粤有数", short_name="粤有数", slug="yys")
    edition = published_edition(programme=programme, year=2021, title="2021年度", slug="y2021")
    best = make_tier(edition=edition, name="最佳案例", order=1)
    excellent = make_tier(edition=edition, name="优秀案例", order=2)
    shortlisted = make_tier(edition=edition, name="入围案例", order=3)
    category = make_category(edition=edition, name="数字政府")
    unit = make_unit(name="广东省政务服务数据管理局")
    judge = make_judge(name="王教授", title="中山大学教授", with_account=False)
    awarded = []
    for n, tier in enumerate([best, best, excellent, excellent, excellent, shortlisted]):
        case = make_case(
            edition=edition,
            category=category,
            lead_units=[unit],
            status=CaseStatus.AWARDED,
            title=f"获奖案例{n}",
            summary=f"简介{n}",
        )
        awarded.append(make_award(case=case, tier=tier, order=n))
    awarded[0].citation = "以数据驱动治理"
    awarded[0].citation_status = CitationStatus.APPROVED
    awarded[0].commentator = judge
    awarded[0].save()
    awarded[1].citation = "尚未审定的点评"
    awarded[1].citation_status = CitationStatus.DRAFTED
    awarded[1].save()
    for status in [CaseStatus.NOT_AWARDED] * 3 + [CaseStatus.ACCEPTED]:
        make_case(edition=edition, category=category, status=status)
    for status in [CaseStatus.DRAFT, CaseStatus.WITHDRAWN, CaseStatus.REJECTED]:
        make_case(edition=edition, category=category, status=status)
    return edition, unit


def test_results_article_figures_from_data():
    edition, _unit = build()
    article = draft_results_article(edition=edition, by=editor())
    # 6 awarded + 3 not awarded + 1 accepted = 10 candidates; draft/withdrawn/rejected are not.
    assert (
        article.summary
        == "粤有数2021年度从 10 个候选案例中评选出2 个最佳案例、3 个优秀案例、1 个入围案例。"
    )
    assert article.status == ArticleStatus.DRAFT
    assert article.cases.count() == 6
    body = article.body
    assert "<h3>数字政府 · 最佳案例</h3>" in body
    assert "<p>主创单位:广东省政务服务数据管理局</p>" in body
    assert "点评:以数据驱动治理</p><p>—— 王教授(中山大学教授)</p>" in body
    assert "尚未审定的点评" not in body
    assert body.index("获奖案例0") < body.index("获奖案例2") < body.index("获奖案例5")


def test_unit_report_counts_its_awards():
    edition, unit = build()
    article = draft_unit_report(unit=unit, by=editor())
    assert article.summary == (
        "广东省政务服务数据管理局在 1 届评选中共有 6 个案例获奖,"
        "其中最佳案例 2 项、优秀案例 3 项、入围案例 1 项。"
    )
    assert article.body.count("<tr><td>") == 6
    assert list(article.units.all()) == [unit]


def test_results_article_not_drafted_for_edition_still_reviewing():
    edition, _unit = build()
    edition.status = EditionStatus.REVIEWING
    edition.save()
    from judging.content.drafting import DraftError

    with pytest.raises(DraftError):
        draft_results_article(edition=edition, by=editor())
