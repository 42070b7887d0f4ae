"""A voter proves an e-mail address, votes, and is refused a vote beyond the limit, in
Chromium (the code is read from the test mail outbox, the CAPTCHA from its store)."""

import re

import pytest
from captcha.models import CaptchaStore
from django.core import mail

from .scenario import make_vote_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _solve_captcha(page):
    key = page.locator('input[name="captcha_0"]').get_attribute("value")
    page.get_by_label("验证码", exact=True).fill(CaptchaStore.objects.get(hashkey=key).response)


def test_voter_proves_email_votes_and_is_refused_beyond_the_limit(page):
    from playwright.sync_api import expect

    round_, cases, _ = make_vote_scenario(votes_per_case=1)
    title = cases[0].title

    page.goto("/")
    page.get_by_role("link", name="去投票").click()
    expect(page.get_by_role("heading", name=title)).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("验证码"))).to_have_count(0)

    page.get_by_role("link", name="验证电子邮箱或手机号码").click()
    page.get_by_label("电子邮箱", exact=True).check()
    page.get_by_label("电子邮箱或手机号码").fill("newcomer@example.org")
    captcha = page.get_by_role("img", name=re.compile("验证码图片"))
    expect(captcha).to_be_visible()
    assert captcha.evaluate("img => img.naturalWidth") > 0  # served by its own view
    _solve_captcha(page)
    page.get_by_role("button", name="发送验证码").click()

    expect(page.get_by_role("heading", name="输入验证码")).to_be_visible()
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.get_by_label("验证码", exact=True).fill(code)
    page.get_by_role("button", name="验证").click()
    expect(page.get_by_text("您已通过验证,今天还可以投 5 票。")).to_be_visible()

    page.get_by_role("link", name=f"为“{title}”投票").click()
    _solve_captcha(page)
    page.get_by_role("button", name=f"确认为“{title}”投票").click()
    expect(page.get_by_text(f"投票成功:您为“{title}”投了一票。")).to_be_visible()
    expect(page.get_by_role("article", name=title)).to_contain_text("1 票")

    page.get_by_role("link", name=f"为“{title}”投票").click()
    _solve_captcha(page)
    page.get_by_role("button", name=f"确认为“{title}”投票").click()
    expect(page.get_by_role("alert")).to_contain_text("每人每天每个案例最多 1 票")
    page.get_by_role("link", name=re.compile("网络投票")).first.click()
    expect(page.get_by_role("article", name=title)).to_contain_text("1 票")
