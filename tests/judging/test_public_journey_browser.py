"""A member of the public reads an edition's results and searches the archive, in Chromium."""

import re

import pytest
from django.core.cache import cache

from tests.judging.public_data import build_world

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def test_public_reads_results_and_searches_the_archive(page):
    from playwright.sync_api import expect

    build_world()

    # From the home page to the edition and its results.
    page.goto("/")
    page.get_by_role("link", name="第六届").click()
    page.get_by_role("link", name="查看评选结果").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("粤治—治理现代化 第六届 评选结果")
    expect(page.get_by_role("heading", name="政府治理创新 · 优秀案例")).to_be_visible()
    winner = page.get_by_role("article", name="深化创文提质升级模式,引领城市治理新跨越")
    expect(winner).to_contain_text("汕头市委宣传部")
    expect(winner).to_contain_text("(南方舆情数据研究院专家委员会)")
    expect(page.get_by_text("未审定的点评草稿内容")).to_have_count(0)

    # The statistics page draws its charts as images with their numbers.
    page.get_by_role("link", name="数据统计").click()
    expect(page.get_by_role("img", name="获奖案例(按奖项)")).to_be_visible()
    expect(page.get_by_role("row", name="提名奖 2")).to_be_visible()
    page.go_back()

    # A winner's public page, then the unit's history table.
    page.get_by_role("link", name="深化创文提质升级模式,引领城市治理新跨越").click()
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "深化创文提质升级模式,引领城市治理新跨越"
    )
    expect(page.get_by_text("0754-88888888")).to_have_count(0)
    page.get_by_role("link", name="汕头市委宣传部").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("汕头市委宣传部获奖记录")
    expect(page.get_by_role("row")).to_have_count(3)  # header + two awards it led

    # The archive: keyword and tier filters.
    page.get_by_role("link", name="获奖案例库").click()
    page.get_by_label("关键词").fill("汕头")
    page.get_by_label("奖项").select_option("提名奖")
    page.get_by_role("button", name="搜索").click()
    expect(page).to_have_url(re.compile(r"/archive/\?.*tier=%E6%8F%90%E5%90%8D%E5%A5%96"))
    expect(page.get_by_role("heading", name="找到 2 个获奖案例")).to_be_visible()
    expect(page.get_by_role("link", name="汕头市濠江区党建领航社会治理“三化”建设")).to_be_visible()
    expect(page.get_by_role("link", name="汕头市“8·30”抗涝救灾舆情管控引导战")).to_be_visible()
    expect(page.get_by_label("关键词")).to_have_value("汕头")

    # Region filter with sub-regions, then the region's own history table.
    page.get_by_role("link", name="清除条件").click()
    page.get_by_label("地区").select_option(label="广东省 › 汕头市 › 濠江区")
    page.get_by_role("button", name="搜索").click()
    expect(page.get_by_role("heading", name="找到 1 个获奖案例")).to_be_visible()

    # Switching the language works on the cached pages too (no CSRF token on them).
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换语言").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
