"""AUTH-05, SESS-01, SESS-03: idle and absolute timeouts, new key at log-in, log-out deletes the
server session, disabling a user ends all its sessions (db and cached_db engines)."""

import datetime
from importlib import import_module

import pytest
import time_machine
from django.conf import settings as django_settings
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry, UserSession
from tests.factories import make_organiser, make_staff_without_permissions, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Zhaoqing-inkstone-2026"


@pytest.fixture(
    params=["django.contrib.sessions.backends.db", "django.contrib.sessions.backends.cached_db"]
)
def session_engine(request, settings):
    settings.SESSION_ENGINE = request.param
    return request.param


def log_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return response


def later(minutes):
    return time_machine.travel(timezone.now() + datetime.timedelta(minutes=minutes), tick=False)


def session_exists(key):
    return import_module(django_settings.SESSION_ENGINE).SessionStore().exists(key)


# --- Timeouts (AUTH-05) ---------------------------------------------------------------------------
def test_after_31_minutes_idle_the_next_request_goes_to_login(client, session_engine):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    key = client.session.session_key
    with later(29):
        assert client.get(reverse("portal:case-list")).status_code == 200
    with later(29 + 31):
        response = client.get(reverse("portal:case-list"))

    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Fportal%2F&expired=1"
    assert not session_exists(key)
    login_page = client.get(response["Location"])
    assert "登录已超时,请重新登录。" in login_page.text
    assert "data-session-expired" in login_page.text


def test_activity_every_25_minutes_keeps_the_session_until_12_hours(client):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    minute = 0
    while minute + 25 < 12 * 60:
        minute += 25
        with later(minute):
            assert client.get(reverse("portal:case-list")).status_code == 200, minute
    with later(12 * 60 + 1):
        response = client.get(reverse("portal:case-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_keep_alive_restarts_the_idle_clock(client):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    with later(26):
        ping = client.post(reverse("session-keepalive"))
    with later(26 + 29):
        page = client.get(reverse("portal:case-list"))

    assert ping.json() == {"status": "ok", "idle_timeout": 1800}
    assert page.status_code == 200


def test_keep_alive_after_expiry_answers_401_json(client):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    with later(31):
        response = client.post(reverse("session-keepalive"))
    assert (response.status_code, response.json()) == (401, {"status": "expired"})


def test_timeout_settings_are_read(client, settings):
    settings.SESSION_IDLE_TIMEOUT = 120
    user = make_user(password=PASSWORD)
    log_in(client, user)
    with later(3):
        assert client.get(reverse("portal:case-list")).status_code == 302


def test_a_post_after_expiry_goes_to_login_with_next_the_form_page(client):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    with later(40):
        response = client.post(reverse("unit-members"), {"email": "x@example.org"})
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('login')}?next=%2Faccounts%2Funit%2F&expired=1"


def test_pages_of_a_signed_in_user_carry_the_warning_and_its_script(client):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    page = client.get(reverse("portal:case-list"))
    assert 'id="session-timeout" class="session-timeout" role="alert" hidden' in page.text
    assert 'data-idle-timeout="1800" data-warning-before="300"' in page.text
    assert "继续保持登录" in page.text
    assert "/static/js/session-timeout.js" in page.text


def test_session_cookie_lives_no_longer_than_the_absolute_timeout():
    assert django_settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert django_settings.SESSION_IDLE_TIMEOUT == 30 * 60


# --- SESS-01 --------------------------------------------------------------------------------------
def test_login_gives_a_new_session_key_and_logout_deletes_the_server_session(
    client, session_engine
):
    user = make_user(password=PASSWORD)
    client.get(reverse("login"))
    session = client.session
    session["before"] = 1
    session.save()
    anonymous_key = session.session_key

    log_in(client, user)
    key = client.session.session_key
    client.post(reverse("logout"))

    assert key != anonymous_key
    assert not session_exists(key)
    assert not UserSession.objects.filter(session_key=key).exists()
    old_cookie = Client()
    old_cookie.cookies[django_settings.SESSION_COOKIE_NAME] = key
    response = old_cookie.get(reverse("portal:case-list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


# --- SESS-03 --------------------------------------------------------------------------------------
def test_admin_disabling_a_user_ends_all_its_sessions(client, session_engine):
    user = make_user(email="leaver@example.org", password=PASSWORD, full_name="离岗")
    phone, laptop = Client(), Client()
    log_in(phone, user)
    log_in(laptop, user)
    keys = [phone.session.session_key, laptop.session.session_key]
    assert sorted(UserSession.objects.values_list("session_key", flat=True)) == sorted(keys)
    organiser = make_organiser()
    client.force_login(organiser)
    change = client.get(reverse("admin:cases_user_change", args=[user.pk]))
    form = change.context["adminform"].form
    data = {
        name: value
        for name, value in form.initial.items()
        if name in form.fields
        and value is not None
        and name not in ("groups", "user_permissions", "is_active", "password")
    }
    data.update(
        {
            "email": user.email,
            "full_name": user.full_name,
            "unit_memberships-TOTAL_FORMS": "0",
            "unit_memberships-INITIAL_FORMS": "0",
            "unit_memberships-MIN_NUM_FORMS": "0",
            "unit_memberships-MAX_NUM_FORMS": "1000",
        }
    )

    response = client.post(reverse("admin:cases_user_change", args=[user.pk]), data)

    assert response.status_code == 302, (
        response.context and response.context["adminform"].form.errors
    )
    user.refresh_from_db()
    assert user.is_active is False
    assert not phone.get(reverse("portal:case-list")).wsgi_request.user.is_authenticated
    assert not laptop.get(reverse("portal:case-list")).wsgi_request.user.is_authenticated
    assert [session_exists(key) for key in keys] == [False, False]
    assert not UserSession.objects.filter(user=user).exists()
    entry = AuditEntry.objects.get(code="accounts.user.sessions_ended")
    assert (entry.actor, entry.data) == (organiser, {"sessions": 2})


def test_disable_action_ends_sessions_and_needs_change_permission(client):
    user = make_user(password=PASSWORD)
    other = Client()
    log_in(other, user)
    viewer = make_staff_without_permissions()
    viewer.user_permissions.set(Permission.objects.filter(codename="view_user"))
    client.force_login(viewer)
    client.post(
        reverse("admin:cases_user_changelist"),
        {"action": "disable_and_end_sessions", "_selected_action": [user.pk]},
    )
    user.refresh_from_db()
    assert user.is_active

    viewer.user_permissions.add(Permission.objects.get(codename="change_user"))
    client.post(
        reverse("admin:cases_user_changelist"),
        {"action": "disable_and_end_sessions", "_selected_action": [user.pk]},
    )
    user.refresh_from_db()
    assert not user.is_active
    assert not other.get(reverse("portal:case-list")).wsgi_request.user.is_authenticated


def test_a_user_disabled_by_any_path_is_anonymous_at_the_next_request(client):
    user = make_user(password=PASSWORD)
    log_in(client, user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)

    response = client.get(reverse("portal:case-list"))

    assert response.status_code == 302
    assert not response.wsgi_request.user.is_authenticated


# --- SESS-02 --------------------------------------------------------------------------------------
def production_setting(*names):
    import subprocess
    import sys

    code = (
        "import os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
        "from django.conf import settings;"
        f"print(*[repr(getattr(settings, n)) for n in {list(names)!r}])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={"DEBUG": "0", "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.split()


def test_production_cookies_are_secure_httponly_and_samesite():
    assert production_setting(
        "SESSION_COOKIE_SECURE",
        "CSRF_COOKIE_SECURE",
        "SESSION_COOKIE_HTTPONLY",
        "SESSION_COOKIE_SAMESITE",
        "MFA_REQUIRED",
    ) == ["True", "True", "True", "'Lax'", "True"]


def test_login_over_https_sets_a_secure_httponly_lax_session_cookie(client, settings):
    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    user = make_user(password=PASSWORD)

    client.get(reverse("login"), secure=True)
    response = client.post(
        reverse("login"), {"username": user.email, "password": PASSWORD}, secure=True
    )

    cookie = response.cookies[django_settings.SESSION_COOKIE_NAME]
    assert (cookie["secure"], cookie["httponly"], cookie["samesite"]) == (True, True, "Lax")
    assert client.cookies[django_settings.CSRF_COOKIE_NAME]["secure"] is True
