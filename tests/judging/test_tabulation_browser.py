"""The organiser's journey through the results back office, in headless Chromium."""

import os
from decimal import Decimal

import pytest

from cases.models import CaseStatus, EditionStatus
from judging.models import AdvancementRule, EntryResult, RoundEntry, RoundStatus
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_scored_review,
)

SCREENSHOTS = os.environ.get("SCREENSHOT_DIR")


def shot(page, name):
    if SCREENSHOTS:
        page.screenshot(path=os.path.join(SCREENSHOTS, f"{name}.png"), full_page=True)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_organiser_tabulates_overrides_and_confirms_advancement(page, live_server):
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition, name="政府治理创新")
    round_ = make_round(
        edition=edition,
        name="初审",
        criteria=[("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)],
        status=RoundStatus.CLOSED,
        advancement_rule=AdvancementRule.TOP_N,
        advancement_value=Decimal("1"),
    )
    make_round(edition=edition, order=2, name="实地核实")
    judges = [make_judge(name="陈天祥"), make_judge(name="张志安")]
    titles = ["惠州市社会信用体系建设", "潮州创建乡贤咨询委员会", "广东工会法律服务律师团"]
    scores = [([9, 9, 9], [8, 8, 8]), ([6, 6, 6], [10, 10, 2]), ([5, 5, 5], [4, 4, 4])]
    cases = []
    for number, (title, (first, second)) in enumerate(zip(titles, scores, strict=True), 1):
        case = make_case(
            edition=edition,
            category=category,
            title=title,
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-ZF-000{number}",
        )
        make_round_entry(round=round_, case=case)
        make_scored_review(round=round_, case=case, judge=judges[0], values=first)
        make_scored_review(round=round_, case=case, judge=judges[1], values=second)
        cases.append(case)
    make_organiser(email="organiser@example.org", password="pass-1234-word")

    page.goto("/admin/login/")
    page.get_by_label("电子邮箱").fill("organiser@example.org")
    page.get_by_label("密码").fill("pass-1234-word")
    page.get_by_role("button", name="登录").click()
    page.goto(f"/admin/judging/roundentry/round/{round_.pk}/ranking/")
    page.get_by_role("button", name="重新计算并保存排名").click()
    page.get_by_text("已计算 3 个案例的得分和名次,3 个有变化。").wait_for()
    shot(page, "ranking")

    page.get_by_role("link", name="查看评分 2026-ZF-0002").click()
    page.get_by_role("heading", name="2026-ZF-0002 潮州创建乡贤咨询委员会").wait_for()
    shot(page, "ranking_case")
    page.get_by_role("link", name="专家评分校准").click()
    page.get_by_role("heading", name="专家评分校准").wait_for()
    shot(page, "calibration")

    page.get_by_role("link", name="晋级", exact=True).click()
    page.get_by_role("link", name="调整 2026-ZF-0002").click()
    page.get_by_label("调整为").select_option("advanced")
    page.get_by_role("button", name="保存调整").click()
    page.get_by_text("调整必须填写理由。").wait_for()
    page.get_by_label("调整理由").fill("实地走访补充材料证实成效")
    page.get_by_role("button", name="保存调整").click()
    page.get_by_text("人工调整:实地走访补充材料证实成效").wait_for()
    shot(page, "advancement")
    page.get_by_role("button", name="确认晋级结果").click()
    page.get_by_text("晋级结果已确认:2 个晋级,1 个未晋级。").wait_for()

    results = dict(RoundEntry.objects.filter(round=round_).values_list("case_id", "result"))
    assert results == {
        cases[0].pk: EntryResult.ADVANCED,
        cases[1].pk: EntryResult.ADVANCED,
        cases[2].pk: EntryResult.ELIMINATED,
    }
    assert RoundEntry.objects.filter(round__order=2, round__edition=edition).count() == 2
