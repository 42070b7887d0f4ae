"""AUTH-06/08, LOG-01: the TOTP second factor (django-otp) for organisers and judges."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from cases.models import AuditEntry, UserSession
from tests.factories import (
    make_judge,
    make_member,
    make_organiser,
    make_staff_without_permissions,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

PASSWORD = "Qingyuan-drift-2026"


@pytest.fixture(autouse=True)
def _mfa_on(settings):
    settings.MFA_REQUIRED = True


def code_for(device, offset=0):
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=6, drift=offset)
    return f"{code:06d}"


def log_in(client, user, password=PASSWORD, next_url=""):
    data = {"username": user.email, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("login"), data)


def verified_client(user):
    """A client logged in with password and TOTP code."""
    device, _codes = enrolled(user)
    client = Client()
    log_in(client, user)
    assert client.post(reverse("mfa-verify"), {"token": code_for(device)}).status_code == 302
    return client


def enrolled(user):
    """A confirmed TOTP device and backup codes, as the enrolment page leaves them."""
    from cases.account_security.services import backup_codes_issue

    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    codes = backup_codes_issue(user=user)
    return device, codes


# --- Enrolment ----------------------------------------------------------------------------------
def test_organiser_first_login_goes_to_enrolment_with_qr_and_key(client):
    organiser = make_organiser(password=PASSWORD)

    response = log_in(client, organiser, next_url=reverse("admin:index"))
    assert response.status_code == 302
    follow = client.get(response["Location"])
    assert follow.status_code == 302
    assert follow["Location"].startswith(reverse("mfa-enrol"))

    page = client.get(follow["Location"])
    device = TOTPDevice.objects.get(user=organiser, confirmed=False)
    assert re.search(r'<img src="data:image/png;base64,[A-Za-z0-9+/=]+"', page.text)
    secret = re.search(r'<code id="totp-secret">([A-Z2-7 ]+)</code>', page.text).group(1)
    from base64 import b32decode

    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert "<script>" not in page.text and "style=" not in page.text


def test_enrolment_with_the_right_code_shows_ten_backup_codes_once(
    client, django_capture_on_commit_callbacks
):
    organiser = make_organiser(password=PASSWORD)
    log_in(client, organiser)
    client.get(reverse("mfa-enrol"))
    device = TOTPDevice.objects.get(user=organiser)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("mfa-enrol"), {"token": code_for(device), "next": reverse("admin:index")}
        )

    assert response.status_code == 200
    shown = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.text)
    stored = sorted(
        StaticToken.objects.filter(device__user=organiser).values_list("token", flat=True)
    )
    assert len(shown) == 10
    assert sorted(shown) == stored
    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("mfa-enrol")).status_code == 302  # never shown again
    assert (
        AuditEntry.objects.filter(code="accounts.mfa.enrolled", object_id=str(organiser.pk)).count()
        == 1
    )
    assert [m.to for m in mail.outbox] == [[organiser.email]]
    assert "双因素认证" in mail.outbox[0].subject


def test_enrolment_with_a_wrong_code_is_refused_beside_the_field(client):
    organiser = make_organiser(password=PASSWORD)
    log_in(client, organiser)
    client.get(reverse("mfa-enrol"))
    device = TOTPDevice.objects.get(user=organiser)
    wrong = f"{(int(code_for(device)) + 1) % 1_000_000:06d}"

    response = client.post(reverse("mfa-enrol"), {"token": wrong})

    assert response.status_code == 200
    assert 'id="id_token_error"' in response.text
    device.refresh_from_db()
    assert not device.confirmed
    assert AuditEntry.objects.filter(code="accounts.mfa.failed").count() == 1


# --- Verification -------------------------------------------------------------------------------
def test_enrolled_organiser_needs_the_code_after_the_password(client):
    organiser = make_organiser(password=PASSWORD)
    device, _codes = enrolled(organiser)

    response = log_in(client, organiser, next_url=reverse("admin:index"))
    redirect = client.get(response["Location"])
    assert redirect["Location"] == f"{reverse('mfa-verify')}?next=%2Fadmin%2F"

    response = client.post(reverse("mfa-verify"), {"token": code_for(device), "next": "/admin/"})
    assert response.status_code == 302
    assert response["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert AuditEntry.objects.filter(code="accounts.mfa.verified").count() == 1


def test_a_code_cannot_be_used_twice(client):
    organiser = make_organiser(password=PASSWORD)
    device, _codes = enrolled(organiser)
    code = code_for(device)
    log_in(client, organiser)
    assert client.post(reverse("mfa-verify"), {"token": code}).status_code == 302

    other = Client()
    log_in(other, organiser)
    response = other.post(reverse("mfa-verify"), {"token": code})

    assert response.status_code == 200
    assert "口令不正确、已使用过或已过期" in response.text
    assert other.get(reverse("admin:index")).status_code == 302


def test_a_code_from_two_steps_ago_is_refused_and_one_step_is_accepted(client):
    organiser = make_organiser(password=PASSWORD)
    device, _codes = enrolled(organiser)
    assert device.step == 30
    log_in(client, organiser)

    assert client.post(reverse("mfa-verify"), {"token": code_for(device, -2)}).status_code == 200
    device.throttle_reset()
    assert client.post(reverse("mfa-verify"), {"token": code_for(device, -1)}).status_code == 302


def test_a_backup_code_works_once(client):
    organiser = make_organiser(password=PASSWORD)
    _device, codes = enrolled(organiser)
    log_in(client, organiser)
    assert client.post(reverse("mfa-verify"), {"token": codes[0].upper()}).status_code == 302
    assert StaticToken.objects.filter(device__user=organiser).count() == 9

    other = Client()
    log_in(other, organiser)
    assert other.post(reverse("mfa-verify"), {"token": codes[0]}).status_code == 200


def test_verification_gives_the_session_a_new_key(client):
    organiser = make_organiser(password=PASSWORD)
    device, _codes = enrolled(organiser)
    log_in(client, organiser)
    before = client.session.session_key

    client.post(reverse("mfa-verify"), {"token": code_for(device)})

    assert client.session.session_key != before
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


# --- Nothing but the second-factor pages before verification ------------------------------------
def judge_pages():
    return [
        reverse("judging:round-list"),
        reverse("portal:case-list"),
        reverse("admin:index"),
        reverse("admin:cases_case_changelist"),
        reverse("unit-members"),
        reverse("password_change"),
    ]


@pytest.mark.parametrize("kind", ["organiser", "judge"])
def test_before_verification_every_kind_of_page_refuses(client, kind):
    user = (
        make_organiser(password=PASSWORD)
        if kind == "organiser"
        else make_judge(user=make_user(password=PASSWORD)).user
    )
    enrolled(user)
    log_in(client, user)

    answers = {path: client.get(path) for path in judge_pages()}
    posted = client.post(reverse("admin:cases_user_changelist"), {"action": "delete_selected"})

    for path, response in answers.items():
        assert response.status_code == 302, path
        assert response["Location"].startswith(reverse("mfa-verify")), path
    assert posted.status_code == 302
    assert posted["Location"] == reverse("mfa-verify")
    assert client.get(reverse("mfa-verify")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_a_judge_without_a_device_is_sent_to_enrol(client):
    judge = make_judge(user=make_user(password=PASSWORD))
    log_in(client, judge.user)
    response = client.get(reverse("judging:round-list"))
    assert response["Location"].startswith(reverse("mfa-enrol"))


def test_unit_members_need_no_second_factor(client):
    member = make_member(unit=make_unit(), password=PASSWORD)
    log_in(client, member)
    assert client.get(reverse("portal:case-list")).status_code == 200


def test_off_when_mfa_required_is_off(client, settings):
    settings.MFA_REQUIRED = False
    organiser = make_organiser(password=PASSWORD)
    log_in(client, organiser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_mfa_required_defaults_to_not_debug():
    import subprocess
    import sys

    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django,os;os.environ['DJANGO_SETTINGS_MODULE']='config.settings';"
            "from django.conf import settings;print(settings.MFA_REQUIRED)",
        ],
        env={"DEBUG": "0", "SECRET_KEY": "x" * 50, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == "True"


def test_password_reset_does_not_bypass_the_second_factor(client):
    organiser = make_organiser(email="reset-mfa@example.org", password=PASSWORD)
    enrolled(organiser)
    client.post(reverse("password_reset"), {"email": organiser.email})
    link = re.search(r"https?://\S+", mail.outbox[-1].body).group(0)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "Chaoshan-tea-2026x", "new_password2": "Chaoshan-tea-2026x"}
    )

    assert not client.get(reverse("admin:index")).wsgi_request.user.is_authenticated
    log_in(client, organiser, password="Chaoshan-tea-2026x")
    response = client.get(reverse("admin:index"))
    assert response["Location"].startswith(reverse("mfa-verify"))


# --- Reset by an organiser ------------------------------------------------------------------
def test_organiser_with_permission_resets_a_judges_second_factor(
    client, django_capture_on_commit_callbacks
):
    judge = make_judge(user=make_user(password=PASSWORD)).user
    enrolled(judge)
    judge_client = Client()
    judge_client.force_login(judge)
    organiser = make_staff_without_permissions(password=PASSWORD)
    organiser.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "change_user", "reset_second_factor"])
    )
    admin_client = verified_client(organiser)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("admin:cases_user_changelist"),
            {"action": "reset_second_factor", "_selected_action": [judge.pk]},
        )

    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=judge).exists()
    assert not StaticToken.objects.filter(device__user=judge).exists()
    assert not judge_client.get(reverse("judging:round-list")).wsgi_request.user.is_authenticated
    entry = AuditEntry.objects.get(code="accounts.mfa.reset")
    assert (entry.actor, entry.object_id, entry.data) == (organiser, str(judge.pk), {"devices": 2})
    assert [m.to for m in mail.outbox] == [[judge.email]]
    # at the next log-in the judge enrols again
    fresh = Client()
    log_in(fresh, judge)
    assert fresh.get(reverse("judging:round-list"))["Location"].startswith(reverse("mfa-enrol"))


def test_reset_is_refused_without_the_permission(client):
    judge = make_judge(user=make_user(password=PASSWORD)).user
    enrolled(judge)
    organiser = make_staff_without_permissions()
    organiser.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "change_user"])
    )
    client.force_login(organiser)

    client.post(
        reverse("admin:cases_user_changelist"),
        {"action": "reset_second_factor", "_selected_action": [judge.pk]},
    )

    assert TOTPDevice.objects.filter(user=judge).count() == 1
    assert StaticToken.objects.filter(device__user=judge).count() == 10
    assert not AuditEntry.objects.filter(code="accounts.mfa.reset").exists()


def test_codes_are_six_digits_every_30_seconds():
    # RFC 6238 test vector: key "12345678901234567890", T = 59 s -> 287082 (6 digits).
    device = TOTPDevice(key="3132333435363738393031323334353637383930")
    assert (device.step, device.digits, device.tolerance) == (30, 6, 1)
    assert totp(device.bin_key, step=30, t0=0, digits=6, drift=0) >= 0
    from django_otp.oath import TOTP

    vector = TOTP(device.bin_key, step=30, t0=0, digits=8)
    vector.time = 59
    assert vector.token() == 94287082


def test_an_overlong_code_is_a_form_error_not_a_500(client):
    organiser = make_organiser(password=PASSWORD)
    enrolled(organiser)
    log_in(client, organiser)

    response = client.post(reverse("mfa-verify"), {"token": "9" * 100_000})

    assert response.status_code == 200
    assert 'id="id_token_error"' in response.text
    assert not AuditEntry.objects.filter(code="accounts.mfa.failed").exists()


def test_stale_session_rows_are_forgotten_at_the_next_login(client, settings):
    settings.MFA_REQUIRED = False
    user = make_user(password=PASSWORD)
    UserSession.objects.create(
        user=user, session_key="x" * 32, created_at=timezone.now() - timedelta(hours=13)
    )
    log_in(client, user)
    assert list(UserSession.objects.values_list("session_key", flat=True)) == [
        client.session.session_key
    ]


def test_no_back_office_page_shows_a_totp_key_or_backup_codes(client):
    from django.contrib import admin

    assert TOTPDevice not in admin.site._registry
    assert StaticToken not in admin.site._registry
    from django_otp.plugins.otp_static.models import StaticDevice

    assert StaticDevice not in admin.site._registry
