"""A judge's journey in headless Chromium: login → my rounds → queue → case → save draft →
submit → edit → the round closes → read-only; and a recusal."""

import re
from decimal import Decimal

import pytest
from django.conf import settings
from django.test import Client
from django.urls import NoReverseMatch, reverse

from judging.models import AssignmentStatus, Conflict, Review, ReviewStatus, RoundStatus
from tests.judging import workspace_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"  # tests.factories.make_user's default


def log_in(page, live_server, user):
    """Through the login page when this branch has one; otherwise with a real session made
    by Django's test client (the login page is built on another branch)."""
    try:
        login_url = reverse("login")
    except NoReverseMatch:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": live_server.url}]
        )
        page.goto("/judging/")
        return
    page.goto(f"{login_url}?next=/judging/")
    page.get_by_label("电子邮箱").fill(user.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_url(re.compile(r"/judging/$"))


def test_judge_scores_a_case_until_the_round_closes(page, live_server):
    s = workspace_scenario.build()
    log_in(page, live_server, s.judge.user)

    # My rounds → queue → case
    page.get_by_role("heading", name="我的评审").wait_for()
    page.get_by_role("link", name=s.round.name).click()
    page.get_by_text("已完成 0 / 共 1").wait_for()
    page.get_by_role("link", name="社会信用体系建设").click()
    page.get_by_role("heading", name="社会信用体系建设", level=1).wait_for()
    assert page.get_by_text("建成公共信用信息管理系统").is_visible()

    # Save a draft with one value
    page.get_by_label("创新性").fill("8")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for()
    assert Review.objects.get().status == ReviewStatus.DRAFT

    # Submit with every value
    page.get_by_label("实效性").fill("6")
    page.get_by_label("可推广性").fill("10")
    page.get_by_label("评语").fill("做法扎实,成效明显。")
    page.get_by_role("button", name="提交评分").click()
    page.get_by_text("已提交。截止前您仍可修改并再次提交。").wait_for()
    review = Review.objects.get()
    # 100 × (0.4·8/10 + 0.3·6/10 + 0.3·10/10) = 80
    assert (review.status, review.score) == (ReviewStatus.SUBMITTED, Decimal("80.0000"))

    # Edit after submitting
    page.get_by_label("创新性").fill("9")
    page.get_by_role("button", name="保存修改并提交").click()
    page.get_by_text("已提交。截止前您仍可修改并再次提交。").wait_for()
    # 100 × (0.4·9/10 + 0.3·6/10 + 0.3·10/10) = 84
    assert Review.objects.get().score == Decimal("84.0000")
    assert Review.objects.get().version == 3

    # The round closes: read-only
    s.round.status = RoundStatus.CLOSED
    s.round.save(update_fields=["status"])
    page.reload()
    page.get_by_text("本轮评审已结束或尚未开始,评分为只读。").wait_for()
    assert page.get_by_label("创新性").is_disabled()
    assert page.get_by_label("创新性").input_value() == "9.00"
    assert page.get_by_role("button", name="保存修改并提交").count() == 0
    assert page.get_by_role("button", name="保存草稿").count() == 0


def test_judge_recuses_from_a_case(page, live_server):
    s = workspace_scenario.build()
    log_in(page, live_server, s.judge.user)
    case_path = reverse("judging:case-detail", args=[s.round.pk, s.case.pk])

    page.goto(case_path)
    page.get_by_role("link", name="申请回避").click()
    page.get_by_role("button", name="确认回避").click()
    page.get_by_text("这个字段是必填项。").wait_for()
    page.get_by_label("回避原因").fill("本人曾为该单位提供咨询服务。")
    page.get_by_role("button", name="确认回避").click()

    page.get_by_text("已登记回避,该案例已从您的评审任务中移除。").wait_for()
    assert Conflict.objects.filter(judge=s.judge, case=s.case, source="recusal").exists()
    assert not s.judge.assignments.filter(status=AssignmentStatus.ASSIGNED).exists()
    response = page.goto(case_path)
    assert response.status == 404
