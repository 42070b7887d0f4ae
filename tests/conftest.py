import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="session", autouse=True)
def _flush_past_audit_triggers():
    """Transactional tests end with `flush`, which empties every table; the audit trail's
    triggers refuse that (as they should for anyone else), so the test harness lifts them
    for the flush alone and puts them back."""
    from django.core.management.commands import flush
    from django.db import connections

    from cases.audit import triggers

    original = flush.Command.handle

    def handle(self, **options):
        connection = connections[options["database"]]
        triggers.drop(connection)
        try:
            return original(self, **options)
        finally:
            triggers.install(connection)

    flush.Command.handle = handle
    yield
    flush.Command.handle = original


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
    # Uploads are scanned only in the tests that ask for the `clamd` fixture.
    settings.CLAMD_SOCKET = ""
    settings.CLAMD_HOST = ""
    # Local-memory caches keep their data across instances in a process: without this, the
    # rate-limit counters of one test (every client is 127.0.0.1) would carry into the next.
    from django.core.cache import cache

    cache.clear()


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


CLAMAV_SIGNATURES = Path(__file__).parent / "clamav"


def _clamd_binary():
    return shutil.which("clamd") or (
        "/usr/sbin/clamd" if os.path.exists("/usr/sbin/clamd") else None
    )


def _clamd_answers(path):
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as sock:
            sock.settimeout(2)
            sock.connect(path)
            sock.sendall(b"zPING\0")
            return sock.recv(16).startswith(b"PONG")
    except OSError:
        return False


@pytest.fixture(scope="session")
def clamd_socket(tmp_path_factory):
    """A real clamd (Debian's clamav-daemon) for the session, loaded only with the project's
    signatures (tests/clamav/project.ndb: the EICAR test string and a harmless marker); its
    socket path. Skipped without clamd, failed instead when REQUIRE_CLAMD=1 (CI)."""
    binary = _clamd_binary()
    if binary is None:
        reason = "clamd not found: `apt-get install clamav-daemon` (CI sets REQUIRE_CLAMD=1)."
        if os.environ.get("REQUIRE_CLAMD") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    directory = tmp_path_factory.mktemp("clamd")
    path = str(directory / "clamd.sock")
    config = directory / "clamd.conf"
    config.write_text(
        f"LocalSocket {path}\n"
        f"DatabaseDirectory {CLAMAV_SIGNATURES}\n"
        f"TemporaryDirectory {directory}\n"
        f"LogFile {directory / 'clamd.log'}\n"
        "Foreground yes\n"
        "StreamMaxLength 64M\n"
    )
    process = subprocess.Popen(
        [binary, f"--config-file={config}"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not _clamd_answers(path):
        if process.poll() is not None or time.monotonic() > deadline:
            process.kill()
            log = (
                (directory / "clamd.log").read_text() if (directory / "clamd.log").exists() else ""
            )
            pytest.fail(f"clamd did not start: {log[-2000:]}")
        time.sleep(0.2)
    yield path
    process.terminate()
    process.wait(timeout=20)


@pytest.fixture
def clamd(settings, clamd_socket):
    """Uploads in this test are scanned by the session's real clamd."""
    settings.CLAMD_SOCKET = clamd_socket
    settings.CLAMD_HOST = ""
    return clamd_socket
