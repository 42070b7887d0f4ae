"""An organiser imports a month's mention counts (an xlsx file made here) and publishes the
report; the public page shows the ranks. Headless Chromium."""

import io

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from cases.models import UnitLevel
from tests.factories import make_unit

from .data import add_coverage, heat_organiser, make_item, make_list, make_outlet, make_period

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "pass-1234-word"


def test_organiser_imports_counts_and_publishes_the_month(page, tmp_path):
    period = make_period()
    heat_list = make_list(period=period, level=UnitLevel.PROVINCIAL, kind="case")
    court = make_item(
        heat_list=heat_list, unit=make_unit(name="湖北省高级人民法院"), title="失信预警"
    )
    hr = make_item(heat_list=heat_list, unit=make_unit(name="湖北省人社厅"), title="23℃人社服务")
    add_coverage(hr, make_outlet("人民日报"), make_outlet("湖北日报", "provincial"))
    add_coverage(court, make_outlet("人民日报"))
    organiser = heat_organiser(
        "view_heatperiod", "change_mentioncount", "publish_heatperiod", password=PASSWORD
    )
    workbook = Workbook()
    for row in (
        ["单位", "名称", "微博", "微信"],
        ["湖北省高级人民法院", "失信预警", 30, 10],
        ["湖北省人社厅", "23℃人社服务", 20, 0],
    ):
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = tmp_path / "2023年3月提及量.xlsx"
    path.write_bytes(buffer.getvalue())

    page.goto("/admin/")
    page.get_by_label("电子邮箱").fill(organiser.email)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name="排行榜月份").first.click()
    page.get_by_role("link", name="导入提及量").first.click()
    page.get_by_label("提及量文件(xlsx 或 csv)").set_input_files(str(path))
    page.get_by_role("button", name="导入提及量").click()
    expect(page.get_by_text("已导入 2 个条目、4 个提及量(平台:微博、微信)。")).to_be_visible()
    page.get_by_role("button", name="计算并发布排行榜").click()
    expect(page.get_by_text("排行榜已计算并发布。")).to_be_visible()

    page.get_by_role("link", name="查看公开页面").click()
    table = page.get_by_role("table", name="省直系统社会治理创新案例排行榜 · 2023年3月")
    rows = table.get_by_role("row")
    # online 40 / 20 → 100, 0; coverage 1 / 2 → 0, 100; composite 50 and 50: rank 1 shared
    for number, (unit, online, coverage) in enumerate(
        [("湖北省人社厅", "0.00", "100.00"), ("湖北省高级人民法院", "100.00", "0.00")], start=1
    ):
        cells = rows.nth(number).get_by_role("cell")
        expect(cells.nth(0)).to_have_text("1")
        expect(cells.nth(1)).to_have_text(unit)
        expect(cells.nth(3)).to_contain_text(online)
        expect(cells.nth(4)).to_contain_text(coverage)
        expect(cells.nth(5)).to_have_text("50.00")
