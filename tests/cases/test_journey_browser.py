"""The unit's whole journey in a real headless Chromium, found by label and role as a person
would: register → (organiser verifies) → draft → upload → submit → edit → re-submit →
withdraw."""

import re
from urllib.parse import urlsplit

import pytest
from django.core import mail

from cases.models import Case, CaseStatus, Unit, User
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_member,
    make_unit,
    pdf_bytes,
)

pytestmark = [pytest.mark.browser, pytest.mark.usefixtures("transactional_db")]

PASSWORD = "Huizhou-2026-xinyong"


def path_of_link(message):
    return urlsplit(re.search(r"https?://\S+", message.body).group(0)).path


def register(page):
    page.goto("/")
    page.get_by_role("link", name="注册").click()
    page.get_by_label("姓名", exact=True).fill("李明")
    page.get_by_label("电子邮箱", exact=True).fill("liming@example.org")
    page.get_by_label("手机号码").fill("13800000000")
    page.get_by_label("密码", exact=True).fill(PASSWORD)
    page.get_by_label("确认密码").fill(PASSWORD)
    page.get_by_label("单位名称").fill("惠州市发展和改革局")
    page.get_by_label("单位类型").select_option(label="党政机关")
    page.get_by_label("行政层级").select_option(label="市州")
    page.get_by_label("单位联系电话").fill("0752-1234567")
    page.get_by_label("我已阅读并同意《个人信息处理规则》").check()
    page.get_by_role("button", name="注册").click()


def test_unit_journey_from_registration_to_withdrawal(page):
    edition = make_edition(title="第六届", summary_char_limit=30, body_char_limit=200)
    make_category(edition=edition, name="政府治理创新")

    # Register: the unit is created unverified and the person is told what that means.
    register(page)
    page.get_by_role("heading", name="我的案例").wait_for()
    assert "尚未通过组织方核验" in page.content()
    page.goto(path_of_link(mail.outbox[-1]))  # the confirmation link from the e-mail
    page.get_by_text("邮箱已确认").wait_for()
    assert User.objects.get(email="liming@example.org").email_confirmed_at is not None

    # Start a case in the open edition (drafting is allowed before verification).
    page.get_by_role("link", name="申报案例:第六届").click()
    page.get_by_label("案例类别").select_option(label="政府治理创新")
    page.get_by_label("案例名称").fill("惠州市社会信用体系建设")
    page.get_by_role("button", name="创建案例草稿").click()
    page.get_by_role("heading", name="填写案例").wait_for()

    # Draft: type some of it, watch the live counter, save whatever is missing.
    summary = page.get_by_label("案例简介")
    summary.fill("惠州率先在全省建成公共信用信息管理系统。")  # 20 字
    assert "已输入 20 字,上限 30 字" in page.locator("[data-counter-for=id_summary]").inner_text()
    page.get_by_label("背景", exact=True).fill("诚信是市场经济的基石。")

    # Media coverage: two empty rows on the page; the button adds a third.
    assert page.get_by_label("报道 3 链接").count() == 0
    page.get_by_role("button", name="再添加一篇报道").click()
    assert page.get_by_label("报道 3 链接").evaluate("e => e === document.activeElement")
    page.get_by_label("报道 3 链接").fill("https://www.example.org/huizhou-credit")
    page.get_by_label("报道 3 媒体名称").fill("南方日报")
    page.get_by_label("报道 3 报道日期").fill("2026-03-01")
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for()
    coverage = Case.objects.get().media_coverage.get()
    assert (coverage.url, coverage.outlet, str(coverage.published_on)) == (
        "https://www.example.org/huizhou-credit",
        "南方日报",
        "2026-03-01",
    )
    # Saved, the report is the first row, followed by two empty ones.
    assert page.get_by_label("报道 1 链接").input_value() == coverage.url
    assert page.get_by_label("报道 3 链接").input_value() == ""

    # An unverified unit cannot submit, and is told so; the draft stays.
    page.get_by_role("button", name="提交案例").click()
    page.get_by_role("alert").wait_for()
    assert "尚未通过组织方核验,暂时只能保存草稿" in page.get_by_role("alert").inner_text()
    assert "请填写“主要做法(创新点)”部分" in page.get_by_role("alert").inner_text()

    # The organiser verifies the unit (in the admin; here as the admin would store it).
    Unit.objects.filter(name="惠州市发展和改革局").update(verified=True)

    # Complete the case, upload the 申报书, declare, submit.
    page.get_by_label("主要做法(创新点)").fill("打破信息孤岛,对失信者亮红灯。")
    page.get_by_label("取得成效").fill("信用体系建设连续3年全省第一。")
    page.get_by_label("推广价值").fill("可在全省推广。")
    page.get_by_label("申报书").set_input_files(
        {"name": "申报书.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
    )
    page.get_by_label("本单位承诺").check()
    page.get_by_role("button", name="提交案例").click()
    page.get_by_role("heading", name="案例申报回执").wait_for()
    case = Case.objects.get()
    assert case.status == CaseStatus.SUBMITTED
    assert case.reference in page.content()
    assert "申报书.pdf" in page.content()
    assert any(case.reference in message.subject for message in mail.outbox)

    # Edit and re-submit before the deadline; both versions are kept.
    page.get_by_role("link", name="返回案例").click()
    page.get_by_role("link", name="修改案例").click()
    page.get_by_label("案例名称").fill("惠州市社会信用体系建设(修订)")
    page.get_by_role("button", name="重新提交").click()
    page.get_by_role("heading", name="案例申报回执").wait_for()
    assert "第 2 次提交" in page.content()
    assert case.versions.count() == 2

    # Withdraw.
    page.get_by_role("link", name="返回案例").click()
    page.get_by_role("link", name="撤回案例").click()
    page.get_by_label("撤回原因(选填)").fill("改报下一届")
    page.get_by_role("button", name="确认撤回").click()
    page.get_by_text("案例已撤回。").wait_for()
    case.refresh_from_db()
    assert case.status == CaseStatus.WITHDRAWN


def test_bad_upload_is_refused_in_the_browser_and_text_kept(page):
    edition = make_edition(title="第七届")
    make_category(edition=edition, name="社会治理创新")
    register(page)
    page.get_by_role("link", name="申报案例:第七届").click()
    page.get_by_label("案例名称").fill("濠江区党建领航")
    page.get_by_role("button", name="创建案例草稿").click()

    page.get_by_label("案例简介").fill("党建引领社会治理。")
    page.get_by_label("图片 1", exact=True).set_input_files(
        {"name": "现场.png", "mimeType": "image/png", "buffer": b"<html><body>x</body></html>"}
    )
    page.get_by_role("button", name="保存草稿").click()

    image = page.get_by_label("图片 1", exact=True)
    image.wait_for()
    assert image.get_attribute("aria-invalid") == "true"
    error_id = image.get_attribute("aria-describedby")
    assert "的内容不是 JPG / PNG 文件" in page.locator(f"#{error_id}").inner_text()
    assert "的内容不是 JPG / PNG 文件" in page.get_by_role("alert").inner_text()
    assert page.get_by_label("案例简介").input_value() == "党建引领社会治理。"


# U+FEFF at the start is kept and U+0085 at the end stripped by Python's str.strip() (the
# server); JavaScript's trim() does the opposite, so these ends prove the counter trims like
# the server. Inside: 字, Latin, a simple emoji (1), a toned emoji (2), a family emoji (5).
MIXED = "\ufeff\u3000\u3000数字政府Gov😀👍🏽👨‍👩‍👧\r\n一二三\x85"


def test_live_counter_counts_exactly_as_the_server(page):
    edition = make_edition(title="第八届", summary_char_limit=300)
    unit = make_unit(name="广州市越秀区政务服务数据管理局", verified=True)
    user = make_member(unit=unit, email="yuexiu@example.org", password=PASSWORD)
    case = make_case(edition=edition, owner_unit=unit, title="越有数")
    page.goto("/accounts/login/")
    page.get_by_label("电子邮箱").fill(user.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.goto(f"/portal/cases/{case.pk}/edit/")

    page.get_by_label("案例简介").fill(MIXED)
    shown = page.locator("[data-counter-for=id_summary]").inner_text()
    page.get_by_role("button", name="保存草稿").click()
    page.get_by_text("草稿已保存").wait_for()

    case.refresh_from_db()
    # 1 (U+FEFF) + 2 (U+3000 ×2) + 4 + 3 + 1 + 2 + 5 + 1 (line break) + 3 = 22
    assert len(case.summary) == 22
    assert shown.startswith("已输入 22 字,上限 300 字")


def test_without_javascript_the_two_empty_rows_stay_and_no_dead_button(browser, live_server):
    edition = make_edition(title="第九届")
    unit = make_unit(verified=True)
    user = make_member(unit=unit, email="nojs@example.org", password=PASSWORD)
    case = make_case(edition=edition, owner_unit=unit, title="无脚本")
    context = browser.new_context(
        base_url=live_server.url, locale="zh-CN", java_script_enabled=False
    )
    page = context.new_page()
    try:
        page.goto("/accounts/login/")
        page.get_by_label("电子邮箱").fill(user.email)
        page.get_by_label("密码").fill(PASSWORD)
        page.get_by_role("button", name="登录").click()
        page.goto(f"/portal/cases/{case.pk}/edit/")

        page.get_by_label("报道 2 链接").fill("https://www.example.org/second")
        add_button = page.locator("[data-formset-add]")
        visible = add_button.is_visible()
        page.get_by_role("button", name="保存草稿").click()
        page.get_by_text("草稿已保存").wait_for()
    finally:
        context.close()

    assert visible is False
    assert list(case.media_coverage.values_list("url", flat=True)) == [
        "https://www.example.org/second"
    ]
