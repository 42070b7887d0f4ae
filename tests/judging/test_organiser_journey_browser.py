"""The organiser's journey through the admin, in headless Chromium: log in, propose tiers
(with one committee override), assign commentary, the expert drafts it, approve, start 公示,
a member of the public objects, the objection is handled, publish at an embargo time."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import CaseStatus, EditionStatus
from cases.selectors import results_visible_editions
from judging.models import Award, CitationStatus, Objection, ObjectionStatus, RoundStatus
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_programme,
    make_round,
    make_round_entry,
    make_tier,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"


def _arrange():
    programme = make_programme(name="粤有数新技术治理案例", slug="yueyoushu")
    edition = make_edition(
        programme=programme, status=EditionStatus.DECIDING, title="2021年度", slug="2021"
    )
    party = make_category(edition=edition, name="党建引领与新技术新应用", order=1)
    digital = make_category(edition=edition, name="数字政府与治理现代化", order=2)
    make_tier(edition=edition, name="最佳案例", order=1, quota=1)
    make_tier(edition=edition, name="优秀案例", order=2, quota=2)
    final = make_round(edition=edition, order=1, name="终审", status=RoundStatus.CLOSED)
    for category, rank, score, title in [
        (party, 1, "92", "人民党建云"),
        (digital, 1, "90", "粤省事"),
        (digital, 2, "85", "穗好办"),
        (party, 2, "80", "智慧党建"),
    ]:
        case = make_case(
            edition=edition, category=category, status=CaseStatus.IN_REVIEW, title=title
        )
        make_round_entry(round=final, case=case, rank=rank, score=score)
    judge = make_judge(name="陈天祥", title="中山大学政务学院教授")
    organiser = make_organiser(email="organiser@example.org", password=PASSWORD)
    return edition, judge, organiser


def test_organiser_journey_from_ranking_to_published_awards(page, live_server, browser):
    edition, judge, organiser = _arrange()

    # Log in to the back office.
    page.goto("/admin/")
    page.get_by_label("电子邮箱").fill(organiser.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()

    # Propose tiers; the committee moves 智慧党建 into 优秀 with a reason.
    page.get_by_role("link", name="获奖", exact=True).first.click()
    page.get_by_role("link", name="评定与发布流程").click()
    page.get_by_role("link", name=f"提出奖项方案:{edition}").click()
    page.get_by_label("“智慧党建”调整为").select_option(label="优秀案例")
    page.get_by_label("“智慧党建”的调整理由").fill("实地核实成效突出,评委会表决")
    page.get_by_role("button", name="按调整重新预览").click()
    page.get_by_role("button", name="确认奖项方案").click()
    expect(page.get_by_text("获奖名单已确定,共3项")).to_be_visible()
    # 最佳 (1): 人民党建云 92. 优秀 (2): 智慧党建 pinned + 粤省事 90. 穗好办 left out.
    assert {a.case.title: a.tier.name for a in Award.objects.select_related("case", "tier")} == {
        "人民党建云": "最佳案例",
        "智慧党建": "优秀案例",
        "粤省事": "优秀案例",
    }

    # Assign the commentary of every winner to 陈天祥.
    page.get_by_label("选择此页面上的所有对象执行操作").check()
    page.get_by_label("动作").select_option(label="指定点评专家")
    page.get_by_role("button", name="执行").click()
    page.get_by_label("点评专家").select_option(label=str(judge))
    page.get_by_role("button", name="确认指定").click()
    expect(page.get_by_text("已为3个获奖案例指定点评专家")).to_be_visible()

    # The expert follows the e-mail's link, logs in, drafts and submits (another browser).
    expert = browser.new_context(base_url=live_server.url, locale="zh-CN")
    expert_page = expert.new_page()
    expert_page.goto(reverse("judging:commentary-list"))
    expert_page.get_by_label("电子邮箱").fill(judge.user.email)
    expert_page.get_by_label("密码").fill(PASSWORD)
    expert_page.get_by_role("button", name="登录").click()
    expect(expert_page.get_by_role("heading", name="我的点评任务")).to_be_visible()
    for title in ["人民党建云", "粤省事", "智慧党建"]:
        expert_page.get_by_role("link", name=title).click()
        expert_page.get_by_label("点评内容").fill(f"{title}锐意创新,成效显著。")
        expert_page.get_by_role("button", name="提交审定").click()
        expect(expert_page.get_by_text("点评已提交,等待组委会审定")).to_be_visible()
    expert.close()

    # The organiser edits one citation and approves them all.
    page.get_by_role("link", name="人民党建云").click()
    page.get_by_label("点评/推荐语").fill("“人民党建云”充分利用互联网和大数据技术推进智慧党建。")
    page.get_by_role("button", name="保存", exact=True).click()
    page.get_by_label("选择此页面上的所有对象执行操作").check()
    page.get_by_label("动作").select_option(label="审定点评")
    page.get_by_role("button", name="执行").click()
    expect(page.get_by_text("已审定3条点评")).to_be_visible()
    assert set(Award.objects.values_list("citation_status", flat=True)) == {CitationStatus.APPROVED}

    # Start 公示 for seven days.
    page.get_by_role("link", name="评定与发布流程").click()
    page.get_by_role("link", name=f"开始公示:{edition}").click()
    ends = timezone.localtime() + timedelta(days=7)
    page.get_by_label("公示结束时间").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="开始公示").click()
    expect(page.get_by_text("已开始公示")).to_be_visible()

    # A member of the public reads the provisional list and raises a signed objection.
    public = browser.new_context(base_url=live_server.url, locale="zh-CN")
    public_page = public.new_page()
    public_page.goto(
        reverse("judging:publicity-list", kwargs={"programme": "yueyoushu", "edition": "2021"})
    )
    expect(public_page.get_by_role("heading", name="优秀案例")).to_be_visible()
    public_page.get_by_role("link", name="对“粤省事”提出异议").click()
    expect(public_page.get_by_label("异议对象")).to_have_value(
        str(Award.objects.get(case__title="粤省事").pk)
    )
    public_page.get_by_label("真实姓名").fill("李四")
    public_page.get_by_label("工作单位").fill("某市数据局")
    public_page.get_by_label("联系电话").fill("020-12345678")
    public_page.get_by_label("异议理由").fill("申报的用户数与公开数据不一致。")
    public_page.get_by_role("button", name="提交异议").click()
    expect(public_page.get_by_role("heading", name="异议已收到")).to_be_visible()
    public.close()

    # Publishing is refused while the objection is open; the organiser handles it.
    page.goto(reverse("admin:judging_objection_changelist"))
    page.get_by_role("link", name="粤省事").click()
    page.get_by_label("处理结果").select_option(label="异议不成立")
    page.get_by_label("处理情况").fill("经向申报单位核实,用户数有统计报表为据。")
    page.get_by_role("button", name="保存", exact=True).click()
    assert Objection.objects.get().status == ObjectionStatus.DISMISSED

    # The 公示 window passes.
    edition.publicity_ends_at = timezone.now() - timedelta(minutes=1)
    edition.save(update_fields=["publicity_ends_at"])

    # Publish with an embargo one hour ahead.
    page.goto(reverse("admin:judging_award_workflow"))
    page.get_by_role("link", name=f"发布结果:{edition}").click()
    embargo = (timezone.localtime() + timedelta(hours=1)).replace(second=0, microsecond=0)
    page.get_by_label("结果发布时间").fill(embargo.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="发布结果").click()
    expect(page.get_by_text(re.compile("的结果已发布,将于.*对公众可见"))).to_be_visible()

    edition.refresh_from_db()
    assert (edition.status, edition.results_published_at) == (EditionStatus.PUBLISHED, embargo)
    assert list(results_visible_editions()) == []
    assert list(results_visible_editions(at=embargo)) == [edition]
    assert sorted(edition.cases.values_list("title", "status")) == sorted(
        [
            ("人民党建云", CaseStatus.AWARDED),
            ("粤省事", CaseStatus.AWARDED),
            ("智慧党建", CaseStatus.AWARDED),
            ("穗好办", CaseStatus.NOT_AWARDED),
        ]
    )
