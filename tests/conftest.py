import os
import shutil

import pytest

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # The local-memory cache outlives a test, and tests reuse ids: start each one empty.
    from django.core.cache import cache

    cache.clear()
    settings.LANGUAGE_CODE = "zh-hans"
    # The second factor is off unless a test turns it on (tests/cases/test_second_factor.py),
    # so that `client.force_login` reaches every page as before.
    settings.MFA_REQUIRED = False


def _browser_unavailable_reason():
    if shutil.which(CHROMIUM) is None and not os.path.exists(CHROMIUM):
        return (
            f"{CHROMIUM} not found: browser tests skipped. Enable them with "
            "`apt-get install chromium` (CI sets REQUIRE_BROWSER=1 and installs it)."
        )
    try:
        import playwright  # noqa: F401
    except ImportError:
        return "the playwright package is missing: `pip install -r requirements-dev.txt`."
    return None


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the session, driven by Playwright."""
    reason = _browser_unavailable_reason()
    if reason:
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    # Playwright's sync API runs an event loop in this thread; the ORM calls made by test
    # set-up in the same thread are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser, live_server):
    """A fresh browser context (no cookies) with a page whose base URL is the live server."""
    context = browser.new_context(base_url=live_server.url, locale="zh-CN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
