"""The organiser's screening and assignment, driven in headless Chromium."""

import pytest
from playwright.sync_api import expect

from cases.models import CaseStatus
from judging.models import Assignment
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_panel,
    make_round,
    make_unit,
)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organiser_screens_in_bulk_and_assigns(page):
    make_organiser(email="org@example.org", password="pw-12345-abc")
    edition = make_edition(title="第六届")
    category = make_category(edition=edition, name="舆情引导", code="YQ")
    unit = make_unit(name="汕头市委宣传部")
    make_panel(
        edition=edition,
        categories=[category],
        judges=[make_judge(name=name) for name in ("陈天祥", "蓝云", "雷强")],
    )
    round_ = make_round(
        edition=edition, name="初审", criteria=[("创新性", 1, 10)], reviews_per_case=2
    )
    for i, title in enumerate(["抗涝救灾舆情引导", "以法治谣", "唱响新东莞"]):
        make_case(
            edition=edition,
            category=category,
            owner_unit=unit,
            status=CaseStatus.SUBMITTED,
            reference=f"2026-YQ-000{i + 1}",
            title=title,
        )

    page.goto("/admin/login/")
    page.get_by_label("电子邮箱").fill("org@example.org")
    page.get_by_label("密码").fill("pw-12345-abc")
    page.get_by_role("button", name="登录").click()

    # Return one case for revision: the reason is required and asked for on its own page.
    page.goto("/admin/judging/screeningcase/")
    page.get_by_role("row", name="以法治谣").get_by_role("checkbox").check()
    page.get_by_label("动作").select_option(label="退回修改(需填写理由)")
    page.get_by_role("button", name="执行").click()
    page.get_by_role("button", name="确认:退回修改").click()
    reason = page.get_by_label("理由")
    assert reason.get_attribute("aria-invalid") == "true"
    error_id = reason.get_attribute("aria-describedby").split()[0]
    expect(page.locator(f"#{error_id}")).to_have_text("不予通过或退回修改时必须填写理由。")
    reason.fill("请补充佐证材料")
    page.get_by_role("button", name="确认:退回修改").click()
    expect(page.get_by_text("已处理 1 个案例,并已通知申报单位。")).to_be_visible()

    # Accept the two others in bulk.
    page.get_by_role("row", name="抗涝救灾舆情引导").get_by_role("checkbox").check()
    page.get_by_role("row", name="唱响新东莞").get_by_role("checkbox").check()
    page.get_by_label("动作").select_option(label="审查通过")
    page.get_by_role("button", name="执行").click()
    page.get_by_role("button", name="确认:审查通过").click()
    expect(page.get_by_text("已处理 2 个案例,并已通知申报单位。")).to_be_visible()

    # Assign the first round: 2 cases × 2 judges over 3 judges.
    page.goto(f"/admin/judging/round/{round_.pk}/change/")
    page.get_by_role("button", name="自动分配专家").click()
    expect(page.get_by_text("新分配 4 项")).to_be_visible()
    expect(page.get_by_text("所有案例均已分配足够的专家。")).to_be_visible()
    assert Assignment.objects.count() == 4
