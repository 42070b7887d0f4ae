"""Account security in headless Chromium: an organiser logs in with password + TOTP and is
asked to log in again after the idle timeout (with the warning and "继续保持登录" first); a
judge whose session expired while typing a score loses nothing; a judge locked out after five
failures is unlocked by an organiser in the back office."""

import re
import time
from importlib import import_module

import pytest
from django.conf import settings as django_settings
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.account_security.services import SESSION_SEEN_AT
from cases.models import AuditEntry
from judging.models import Review, ReviewStatus
from tests.factories import make_judge, make_organiser, make_user
from tests.judging import workspace_scenario

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Foshan-lion-dance-2026"
JUDGE_PASSWORD = "pass-1234-word"  # tests.factories.make_user's default


def code_for(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=6):06d}"


def fill_login(page, email, password):
    page.get_by_label("电子邮箱").fill(email)
    page.get_by_label("密码").fill(password)
    page.get_by_role("button", name="登录").click()


def session_of(page):
    cookie = next(
        c for c in page.context.cookies() if c["name"] == django_settings.SESSION_COOKIE_NAME
    )
    return import_module(django_settings.SESSION_ENGINE).SessionStore(session_key=cookie["value"])


def age_the_session(page, seconds):
    """Move the session's last-activity stamp back, as if the user had been away."""
    store = session_of(page)
    store[SESSION_SEEN_AT] = int(store[SESSION_SEEN_AT] - seconds)
    store.save()


def test_organiser_enrols_logs_in_with_totp_and_is_logged_out_when_idle(page, settings):
    settings.MFA_REQUIRED = True
    organiser = make_organiser(email="zuzhi@example.org", password=PASSWORD)

    # First log-in: password, then enrolment with the QR code and the key
    page.goto(f"{reverse('login')}?next=/admin/")
    fill_login(page, organiser.email, PASSWORD)
    page.get_by_role("heading", name="设置双因素认证").wait_for()
    qr = page.get_by_role("img", name="双因素认证二维码:用身份验证器应用扫描")
    assert qr.get_attribute("src").startswith("data:image/png;base64,")
    assert qr.evaluate("img => img.naturalWidth") > 100  # the browser decoded the PNG
    device = TOTPDevice.objects.get(user=organiser)
    page.get_by_label("验证器应用显示的 6 位数字").fill(code_for(device))
    page.get_by_role("button", name="完成设置").click()
    page.get_by_role("heading", name="双因素认证已设置").wait_for()
    assert page.locator(".backup-codes li").count() == 10
    page.get_by_role("link", name="我已保存备用码,继续").click()
    page.wait_for_url(re.compile(r"/admin/$"))

    # Log out, log in again: password, then the code (a new one: the last was used)
    page.goto(reverse("portal:case-list"))
    page.get_by_role("button", name="退出").click()
    page.goto(f"{reverse('login')}?next=/portal/")
    fill_login(page, organiser.email, PASSWORD)
    page.get_by_role("heading", name="双因素认证").wait_for()
    page.get_by_label("动态口令或备用码").fill(
        "000000" if code_for(device) != "000000" else "111111"
    )
    page.get_by_role("button", name="验证并登录").click()
    page.locator("#id_token_error").get_by_text("口令不正确、已使用过或已过期").wait_for()
    device.refresh_from_db()
    device.throttle_reset()
    if int(time.time()) // 30 <= device.last_t:  # the enrolment's code: wait for the next step
        time.sleep(30 - time.time() % 30 + 0.5)
    page.get_by_label("动态口令或备用码").fill(code_for(device))
    page.get_by_role("button", name="验证并登录").click()
    page.wait_for_url(re.compile(r"/portal/$"))

    # The warning appears before the idle timeout; "继续保持登录" keeps the session. Short
    # timeouts from here on, so that the test waits seconds rather than half an hour.
    settings.SESSION_IDLE_TIMEOUT = 8
    settings.SESSION_TIMEOUT_WARNING = 6
    age_the_session(page, session_of(page)[SESSION_SEEN_AT] - time.time())  # seen just now
    page.reload()
    warning = page.get_by_role("alert").filter(has_text="登录将在几分钟后超时")
    warning.wait_for(timeout=5_000)
    page.get_by_role("button", name="继续保持登录").click()
    warning.wait_for(state="hidden")
    time.sleep(3)
    page.reload()
    assert page.url.endswith("/portal/")

    # Idle past the timeout: asked to log in again
    expired = page.get_by_role("alert").filter(has_text="登录已超时")
    expired.wait_for(timeout=12_000)
    time.sleep(1.5)  # the server counts whole seconds
    page.reload()
    page.get_by_role("heading", name="登录").wait_for()
    assert page.get_by_text("登录已超时,请重新登录。").is_visible()
    assert "next=%2Fportal%2F" in page.url
    codes = list(
        AuditEntry.objects.filter(object_id=str(organiser.pk)).values_list("code", flat=True)
    )
    assert "accounts.mfa.enrolled" in codes
    assert "accounts.mfa.failed" in codes


def test_a_score_typed_when_the_session_expired_is_restored_after_logging_in(page):
    s = workspace_scenario.build()
    judge = s.judge.user
    case_path = reverse("judging:case-detail", args=[s.round.pk, s.case.pk])
    page.goto(f"{reverse('login')}?next={case_path}")
    fill_login(page, judge.email, JUDGE_PASSWORD)
    page.get_by_role("heading", name="社会信用体系建设", level=1).wait_for()

    page.get_by_label("创新性").fill("8")
    page.get_by_label("实效性").fill("6")
    page.get_by_label("可推广性").fill("10")
    page.get_by_label("评语").fill("做法扎实,成效明显。")
    age_the_session(page, 31 * 60)
    page.get_by_role("button", name="提交评分").click()

    page.get_by_role("heading", name="登录").wait_for()
    assert page.get_by_text("登录已超时,请重新登录。").is_visible()
    assert not Review.objects.exists()
    fill_login(page, judge.email, JUDGE_PASSWORD)
    page.get_by_role("heading", name="社会信用体系建设", level=1).wait_for()
    page.get_by_text("已填回您在登录超时前填写的内容,请检查后再次提交。").wait_for()
    assert page.get_by_label("创新性").input_value() == "8"
    assert page.get_by_label("评语").input_value() == "做法扎实,成效明显。"
    page.get_by_role("button", name="提交评分").click()
    page.get_by_text("已提交。截止前您仍可修改并再次提交。").wait_for()
    review = Review.objects.get()
    assert review.status == ReviewStatus.SUBMITTED
    assert review.comment == "做法扎实,成效明显。"
    page.reload()
    assert page.get_by_text("已填回您在登录超时前填写的内容").count() == 0


def test_locked_out_judge_is_unlocked_by_an_organiser(page, browser, live_server):
    judge = make_judge(
        name="李专家", user=make_user(email="li.judge@example.org", password=PASSWORD)
    )
    organiser = make_organiser(email="zuzhi2@example.org", password=PASSWORD)

    page.goto(reverse("login"))
    for _ in range(5):
        fill_login(page, judge.user.email, "Wrong-password-2026")
        page.get_by_role("alert").get_by_text("邮箱或密码不正确").wait_for()
    fill_login(page, judge.user.email, PASSWORD)
    page.get_by_role("alert").get_by_text("邮箱或密码不正确").wait_for()
    assert "/accounts/login/" in page.url

    back_office = browser.new_context(base_url=live_server.url, locale="zh-CN").new_page()
    back_office.goto(f"{reverse('login')}?next=/admin/cases/user/")
    fill_login(back_office, organiser.email, PASSWORD)
    back_office.get_by_role("searchbox").fill("li.judge")
    back_office.get_by_role("button", name="搜索").click()
    back_office.get_by_role("checkbox", name=re.compile("li.judge@example.org")).check()
    back_office.get_by_role("combobox", name="动作").select_option(label="解除所选用户的登录锁定")
    back_office.get_by_role("button", name="执行").click()
    back_office.get_by_text("已解除 1 个用户的登录锁定。").wait_for()
    back_office.context.close()

    page.goto(f"{reverse('login')}?next=/judging/")
    fill_login(page, judge.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/judging/$"))
    assert AuditEntry.objects.filter(code="accounts.user.unlocked", actor=organiser).count() == 1
