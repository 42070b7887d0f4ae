"""CFG-03: generic error pages. 400, 403, CSRF failure, 404, 429 and 500 each answer their
status with a page in Simplified Chinese (English through the locale files), built on
`templates/<status>.html`, with no traceback, no exception text and no inline script or style
(CSP: script-src/style-src 'self').

Each test pins DEBUG off, as production runs (`override_settings(DEBUG=False)`); the CSRF page
is also checked with DEBUG on, since `CSRF_FAILURE_VIEW` replaces Django's page in both.
"""

import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.exceptions import PermissionDenied
from django.test import Client, override_settings
from django.urls import path, reverse

from config import urls as project_urls
from tests.factories import make_staff_without_permissions, make_user

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

SECRET = "secret-detail-of-the-exception"


def boom(request):
    raise RuntimeError(SECRET)


def forbidden(request):
    raise PermissionDenied(SECRET)


urlpatterns = [
    path("test-only/boom/", boom),
    path("test-only/forbidden/", forbidden),
    *project_urls.urlpatterns,
]

TEMPLATES_DIR = Path(django_settings.BASE_DIR) / "templates"
ERROR_TEMPLATES = ["400.html", "403.html", "403_csrf.html", "404.html", "429.html", "500.html"]
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<style\b|\sstyle\s*=|\son[a-z]+\s*=", re.IGNORECASE)
TRACEBACK_MARKERS = ["Traceback", 'File "', "RuntimeError", SECRET, "Exception Value", "Django"]


def assert_generic(response, status, heading):
    assert response.status_code == status
    text = response.content.decode()
    assert f"<h1>{heading}</h1>" in text
    assert '<html lang="zh-hans">' in text
    for marker in TRACEBACK_MARKERS:
        assert marker not in text, marker
    assert not INLINE_SCRIPT.search(text)
    assert not INLINE_STYLE.search(text)
    assert "Content-Security-Policy" in response.headers


@pytest.mark.parametrize("name", ERROR_TEMPLATES)
def test_error_templates_exist_without_inline_script_or_style(name):
    source = (TEMPLATES_DIR / name).read_text(encoding="utf-8")

    assert not INLINE_SCRIPT.search(source)
    assert not INLINE_STYLE.search(source)
    assert "{{ exception" not in source and "{{ reason" not in source


@override_settings(DEBUG=False)
def test_400_page_for_a_query_value_out_of_range():
    client = Client(raise_request_exception=False)

    response = client.get(reverse("results:archive"), {"edition": "9" * 400})

    assert_generic(response, 400, "请求有误")


@override_settings(DEBUG=False)
def test_403_page_for_permission_denied_hides_the_reason():
    client = Client(raise_request_exception=False)

    response = client.get("/test-only/forbidden/")

    assert_generic(response, 403, "无权访问")
    assert "请联系本单位的账号管理员或评选组织方" in response.content.decode()


@override_settings(DEBUG=False)
def test_403_page_for_staff_without_permissions_in_the_back_office():
    client = Client(raise_request_exception=False)
    client.force_login(make_staff_without_permissions())

    response = client.get(reverse("admin:cases_case_changelist"))

    assert response.status_code == 403
    assert "<h1>无权访问</h1>" in response.content.decode()


@override_settings(DEBUG=False)
def test_403_csrf_page_for_a_real_post_without_token():
    make_user(email="someone@example.org", password="right-password-2026")
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = client.post(
        reverse("login"), {"username": "someone@example.org", "password": "right-password-2026"}
    )

    assert_generic(response, 403, "页面已过期,提交未被处理")
    text = response.content.decode()
    assert "刷新后再提交一次" in text
    assert "CSRF" not in text and "Referer" not in text  # Django's reason is not shown
    assert response["Cache-Control"] == "no-store"
    assert "_auth_user_id" not in client.session  # and the login did not happen


@override_settings(DEBUG=True)
def test_403_csrf_page_replaces_djangos_even_with_debug_on():
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)

    response = client.post(reverse("login"), {"username": "x", "password": "y"})

    assert response.status_code == 403
    text = response.content.decode()
    assert "<h1>页面已过期,提交未被处理</h1>" in text
    assert "CSRF verification failed" not in text


@override_settings(DEBUG=False)
def test_404_page():
    client = Client(raise_request_exception=False)

    response = client.get("/no-such-page/at-all/")

    assert_generic(response, 404, "页面不存在")


@override_settings(DEBUG=False)
def test_429_page_is_what_the_rate_limit_renders(settings):
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "login": ("1/h", "100/h")}
    client = Client(raise_request_exception=False)
    data = {"username": "nobody@example.org", "password": "wrong"}

    first = client.post(reverse("login"), data)
    second = client.post(reverse("login"), data)

    assert first.status_code == 200
    assert_generic(second, 429, "请求过于频繁,请稍后再试")
    assert "Retry-After" in second.headers


@override_settings(DEBUG=False)
def test_500_page_shows_no_traceback():
    client = Client(raise_request_exception=False)

    response = client.get("/test-only/boom/")

    assert_generic(response, 500, "服务器暂时出错")
    assert "错误已记录" in response.content.decode()


@override_settings(DEBUG=False)
def test_500_is_logged_with_its_traceback_for_alerting(caplog):
    # The traceback goes to the log (JSON on stdout in production), never to the visitor.
    client = Client(raise_request_exception=False)

    with caplog.at_level("ERROR", logger="django.request"):
        client.get("/test-only/boom/")

    records = [r for r in caplog.records if r.name == "django.request"]
    assert records and records[0].levelname == "ERROR"
    assert records[0].exc_info[0] is RuntimeError
