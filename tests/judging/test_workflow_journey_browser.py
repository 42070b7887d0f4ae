"""An organiser runs a whole edition by following only its workflow page, in headless
Chromium (issue 13): from an edition whose call has closed with submitted cases, through
screening, a scoring round, its advancement, the plenary, an awards proposal where two cases
tie for the last seat of a quota (confirmed with a recorded reason), 公示 (ended early with a
reason) to published results. The judges' reviews and votes are written with the factories
(their own journeys are tests/judging/test_judge_journey_browser.py)."""

import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from cases.models import AuditEntry, CaseStatus, EditionStatus
from judging.models import (
    AdvancementRule,
    Assignment,
    Award,
    RoundKind,
    RoundStatus,
    VoteChoice,
    VoteMode,
)
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_panel,
    make_programme,
    make_review,
    make_round,
    make_tier,
    make_vote,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"

# Per judge and criterion: 甲 first; 乙 and 丙 exactly tied (score, median, reviews); 丁 last.
SCORES = {"甲": 90, "乙": 80, "丙": 80, "丁": 60}


def _arrange():
    programme = make_programme(name="粤治—治理现代化", slug="yuezhi")
    edition = make_edition(
        programme=programme,
        status=EditionStatus.SCREENING,
        title="第七届",
        slug="7",
        closes_at=timezone.now() - timedelta(days=1),
    )
    category = make_category(edition=edition, name="政府治理创新", order=1)
    make_tier(edition=edition, name="最佳案例", order=1, quota=1)
    make_tier(edition=edition, name="优秀案例", order=2, quota=1)
    judges = [make_judge(name="陈天祥"), make_judge(name="岳经纶")]
    make_panel(edition=edition, name="专家委员会", categories=[category], judges=judges)
    first = make_round(
        edition=edition,
        order=1,
        name="初审",
        criteria=[("创新性", 50, 100), ("实效性", 50, 100)],
        reviews_per_case=2,
        advancement_rule=AdvancementRule.TOP_N,
        advancement_value=3,
    )
    plenary = make_round(
        edition=edition,
        order=2,
        name="全体会议",
        kind=RoundKind.VOTE,
        vote_mode=VoteMode.IN_OUT,
        reviews_per_case=2,
    )
    cases = {
        title: make_case(
            edition=edition,
            category=category,
            status=CaseStatus.SUBMITTED,
            title=title,
            reference=f"YZ7-{n:03d}",
        )
        for n, title in enumerate(SCORES, start=1)
    }
    organiser = make_organiser(email="organiser@example.org", password=PASSWORD)
    return edition, first, plenary, cases, judges, organiser


def _step(page, title):
    """The list item of one step on the workflow page."""
    return page.get_by_role("listitem").filter(
        has=page.get_by_role("heading", name=re.compile(f"^{re.escape(title)}"))
    )


def _expect_state(page, title, state):
    expect(_step(page, title).get_by_role("heading")).to_contain_text(state)


def test_organiser_follows_the_workflow_page_from_screening_to_published_results(page):
    edition, first, plenary, cases, judges, organiser = _arrange()
    workflow = reverse("admin:cases_edition_workflow", args=[edition.pk])

    # Log in; the edition list links to the edition's workflow page.
    page.goto("/admin/")
    page.get_by_label("电子邮箱").fill(organiser.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(reverse("admin:cases_edition_changelist"))
    page.get_by_role("link", name="本届流程:第七届").click()
    expect(page.get_by_role("heading", name=f"本届流程:{edition}")).to_be_visible()
    _expect_state(page, "筹备", "已完成")
    _expect_state(page, "征集案例", "已完成")

    # Screening is blocked while cases wait; the step's link lists them.
    _expect_state(page, "资格审查", "受阻")
    expect(_step(page, "资格审查")).to_contain_text("还有 4 件案例未完成资格审查")
    page.get_by_role("link", name="审查已提交的案例").click()
    page.get_by_label("选择此页面上的所有对象执行操作").check()
    page.get_by_label("动作").select_option(label="审查通过")
    page.get_by_role("button", name="执行").click()
    page.get_by_role("button", name="确认:审查通过").click()
    expect(page.get_by_text("已处理 4 个案例,并已通知申报单位")).to_be_visible()
    assert set(edition.cases.values_list("status", flat=True)) == {CaseStatus.ACCEPTED}

    page.goto(workflow)
    _expect_state(page, "资格审查", "当前步骤")
    page.get_by_role("button", name="开始评审").click()
    expect(page.get_by_text("已变更为“评审中”")).to_be_visible()

    # The first round is short of judges: the step names the cases and assigns them.
    _expect_state(page, "初审", "受阻")
    expect(_step(page, "初审")).to_contain_text("4 件案例分配的专家不足 2 人")
    page.get_by_role("button", name="自动分配专家:初审").click()
    expect(page.get_by_text("所有案例均已分配足够的专家。")).to_be_visible()
    page.get_by_role("link", name="返回本届流程").click()
    page.get_by_role("button", name="开启轮次:初审").click()
    expect(page.get_by_text("轮次“初审”已开启")).to_be_visible()
    assert Assignment.objects.filter(round=first).count() == 8

    # The judges score (their own journey is elsewhere); the organiser closes the round.
    for assignment in Assignment.objects.filter(round=first).select_related("case"):
        value = SCORES[assignment.case.title]
        make_review(assignment=assignment, values=[value, value])
    page.reload()
    page.get_by_role("link", name="结束轮次:初审").click()
    expect(page.get_by_text("所有专家均已提交本轮的全部评审。")).to_be_visible()
    page.get_by_label("我已了解上列未完成的评审,结束轮次并锁定所有评分").check()
    page.get_by_role("button", name="结束轮次并锁定评分").click()
    expect(page.get_by_text("轮次“初审”已结束,所有评分已锁定")).to_be_visible()
    assert page.url.endswith(workflow)

    # Advancement: the best three go on to the plenary.
    page.get_by_role("link", name="确认晋级结果:初审").click()
    page.get_by_role("button", name="确认晋级结果").click()
    expect(page.get_by_text("晋级结果已确认:3 个晋级,1 个未晋级")).to_be_visible()
    _expect_state(page, "初审", "已完成")

    # The plenary: its members are assigned, it opens, they vote, it closes, its count is
    # confirmed.
    page.get_by_role("button", name="自动分配专家:全体会议").click()
    page.get_by_role("link", name="返回本届流程").click()
    page.get_by_role("button", name="开启轮次:全体会议").click()
    expect(page.get_by_text("轮次“全体会议”已开启")).to_be_visible()
    for title in ["甲", "乙", "丙"]:
        for judge in judges:
            make_vote(round=plenary, case=cases[title], judge=judge, choice=VoteChoice.IN)
    page.reload()
    page.get_by_role("link", name="结束轮次:全体会议").click()
    page.get_by_label("我已了解上列未完成的评审,结束轮次并锁定所有评分").check()
    page.get_by_role("button", name="结束轮次并锁定评分").click()
    _expect_state(page, "全体会议", "当前步骤")
    page.get_by_role("link", name="确认投票结果:全体会议").click()
    page.get_by_role("button", name="确认晋级结果").click()
    expect(page.get_by_text("晋级结果已确认:3 个晋级,0 个未晋级")).to_be_visible()

    # 进入评定.
    page.get_by_role("button", name="进入评定").click()
    expect(page.get_by_text("已变更为“评定中”")).to_be_visible()

    # The proposal: 乙 and 丙 tie for the one seat of 优秀案例; both are proposed and the
    # committee confirms the 并列 with a recorded reason.
    _expect_state(page, "提出并确认奖项方案", "当前步骤")
    page.get_by_role("link", name="提出奖项方案").click()
    expect(page.get_by_text("名额边界并列")).to_be_visible()
    page.get_by_role("button", name="确认奖项方案").click()
    expect(page.get_by_text("以下奖项超出名额")).to_be_visible()
    assert not Award.objects.exists()
    page.get_by_label("超出名额的理由").fill("乙、丙得分与中位数完全相同,评委会决定并列")
    page.get_by_role("button", name="确认奖项方案").click()
    expect(page.get_by_text("获奖名单已确定,共3项")).to_be_visible()
    assert page.url.endswith(workflow)
    assert {a.case.title: a.tier.name for a in Award.objects.select_related("case", "tier")} == {
        "甲": "最佳案例",
        "乙": "优秀案例",
        "丙": "优秀案例",
    }
    assert "评委会决定并列" in Award.objects.get(case=cases["丙"]).decision_reason

    # 公示 for a week, then ended early with a reason.
    _expect_state(page, "公示", "当前步骤")
    page.get_by_role("link", name="开始公示").click()
    ends = timezone.localtime() + timedelta(days=7)
    page.get_by_label("公示结束时间").fill(ends.strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="开始公示").click()
    expect(page.get_by_text("已开始公示")).to_be_visible()
    assert page.url.endswith(workflow)
    _expect_state(page, "发布结果", "受阻")
    expect(_step(page, "发布结果")).to_contain_text("公示期到")
    page.get_by_role("link", name="调整或提前结束公示期").click()
    page.get_by_label("立即结束公示").check()
    page.get_by_label("调整理由").fill("评委会决定公示期缩短,无异议")
    page.get_by_role("button", name="保存公示期").click()
    expect(page.get_by_text("的公示期已调整为")).to_be_visible()

    # Publish now, without commentary.
    _expect_state(page, "发布结果", "当前步骤")
    page.get_by_role("link", name="发布结果").click()
    page.get_by_label("确认不设点评").check()
    page.get_by_role("button", name="发布结果").click()
    expect(page.get_by_text(re.compile("的结果已发布"))).to_be_visible()
    assert page.url.endswith(workflow)
    _expect_state(page, "发布结果", "已完成")
    _expect_state(page, "归档", "当前步骤")

    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    first.refresh_from_db()
    plenary.refresh_from_db()
    assert (first.status, plenary.status) == (RoundStatus.CLOSED, RoundStatus.CLOSED)
    assert dict(edition.cases.values_list("title", "status")) == {
        "甲": CaseStatus.AWARDED,
        "乙": CaseStatus.AWARDED,
        "丙": CaseStatus.AWARDED,
        "丁": CaseStatus.NOT_AWARDED,
    }
    assert AuditEntry.objects.filter(code="judging.edition.publicity_ended").exists()
