"""AUTH-01/02/03/07/08: password rules, hashing, reset, rotation of staff passwords, default
accounts."""

import datetime
import re

import pytest
import time_machine
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry, User
from tests.factories import make_organiser, make_user

pytestmark = pytest.mark.django_db

GOOD = "Meizhou-hakka-2026"


def refusal_codes(password, user=None):
    with pytest.raises(ValidationError) as caught:
        validate_password(password, user)
    return [error.code for error in caught.value.error_list]


def test_xkcd_troubador_is_refused_as_too_short_and_common():
    assert refusal_codes("Tr0ub4dor&3") == ["password_too_short", "password_too_common"]


def test_correcthorse_is_refused_as_common():
    assert refusal_codes("correcthorse") == ["password_too_common"]


def test_200_letter_a_is_refused_as_too_long():
    assert refusal_codes("a" * 200) == ["password_too_long"]


def test_128_characters_are_allowed_and_129_refused():
    validate_password("Xq7-" * 32)
    assert refusal_codes("Xq7-" * 32 + "z") == ["password_too_long"]


def test_password_like_the_email_is_refused():
    user = User(email="zhangsan.guangzhou@example.org", full_name="张三")
    assert refusal_codes("zhangsan.guangzhou", user) == ["password_too_similar"]


def test_a_long_passphrase_without_symbols_is_accepted():
    # AUTH-03: no composition rules — length and the common list decide.
    validate_password("lychee season in maoming")


def test_registration_form_refuses_short_password_beside_the_field(client):
    response = client.post(
        reverse("register"),
        {"email": "a@example.org", "password1": "Tr0ub4dor&3", "password2": "Tr0ub4dor&3"},
    )
    assert response.status_code == 200
    assert "密码" in response.text
    assert not User.objects.filter(email="a@example.org").exists()


def test_default_hasher_is_pbkdf2_with_a_million_iterations(settings):
    settings.PASSWORD_HASHERS = [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    ]
    user = make_user(password=GOOD)
    user.refresh_from_db()
    assert user.password.startswith("pbkdf2_sha256$1000000$")
    assert GOOD not in user.password


def test_every_password_change_records_its_time():
    user = make_user(password=GOOD)
    first = user.password_changed_at
    with time_machine.travel(timezone.now() + datetime.timedelta(days=3), tick=False):
        user.set_password("Zhanjiang-harbour-2026")
        user.save()
    user.refresh_from_db()
    assert user.password_changed_at - first >= datetime.timedelta(days=3)


# --- Rotation of staff passwords (AUTH-03) ----------------------------------------------------
def test_staff_password_older_than_90_days_forces_a_change(client):
    organiser = make_organiser(password=GOOD)
    User.objects.filter(pk=organiser.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=91)
    )
    client.post(reverse("login"), {"username": organiser.email, "password": GOOD})

    response = client.get(reverse("admin:index"))

    assert response.status_code == 302
    assert response["Location"] == reverse("password_change")
    response = client.post(
        reverse("password_change"),
        {
            "old_password": GOOD,
            "new_password1": "Shaoguan-danxia-2026",
            "new_password2": "Shaoguan-danxia-2026",
        },
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_staff_password_of_89_days_is_not_forced(client):
    organiser = make_organiser(password=GOOD)
    User.objects.filter(pk=organiser.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=89)
    )
    client.force_login(organiser)
    assert client.get(reverse("admin:index")).status_code == 200


def test_unit_member_password_never_rotates(client):
    member = make_user(password=GOOD)
    User.objects.filter(pk=member.pk).update(
        password_changed_at=timezone.now() - datetime.timedelta(days=400)
    )
    client.force_login(member)
    assert client.get(reverse("portal:case-list")).status_code == 200


# --- Password change and reset (AUTH-08) ------------------------------------------------------
def test_password_change_mails_the_user_and_is_audited(client, django_capture_on_commit_callbacks):
    user = make_user(password=GOOD)
    client.force_login(user)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("password_change"),
            {
                "old_password": GOOD,
                "new_password1": "Shanwei-seaside-2026",
                "new_password2": "Shanwei-seaside-2026",
            },
        )

    assert [m.to for m in mail.outbox] == [[user.email]]
    assert "登录密码" in mail.outbox[0].subject
    assert "Shanwei-seaside-2026" not in mail.outbox[0].body
    entry = AuditEntry.objects.get(code="accounts.password.changed")
    assert entry.data == {"how": "change"}
    assert "Shanwei" not in str(AuditEntry.objects.values_list("data", flat=True))


def reset_link(client, email):
    client.post(reverse("password_reset"), {"email": email})
    return re.search(r"https?://\S+", mail.outbox[-1].body).group(0)


def test_reset_link_works_once(client, django_capture_on_commit_callbacks):
    user = make_user(email="once@example.org", password=GOOD)
    link = reset_link(client, user.email)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new = {"new_password1": "Yangjiang-knife-2026", "new_password2": "Yangjiang-knife-2026"}
    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(form_url, new).status_code == 302

    again = client.get(link, follow=True)

    assert "重设链接无效,可能已经用过或已过期。" in again.text
    second = client.post(form_url, {**new, "new_password1": "Other-pass-2026-x"})
    assert second.status_code == 200
    user.refresh_from_db()
    assert user.check_password("Yangjiang-knife-2026")
    assert [m.to for m in mail.outbox][-1] == [user.email]
    assert "登录密码" in mail.outbox[-1].subject


def test_reset_ends_existing_sessions(client, django_capture_on_commit_callbacks):
    from django.test import Client

    user = make_user(email="sessions@example.org", password=GOOD)
    other = Client()
    other.post(reverse("login"), {"username": user.email, "password": GOOD})
    assert other.get(reverse("portal:case-list")).status_code == 200

    link = reset_link(client, user.email)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    client.post(
        form_url, {"new_password1": "Yunfu-stone-2026x", "new_password2": "Yunfu-stone-2026x"}
    )

    assert other.get(reverse("portal:case-list")).status_code == 302


# --- Default accounts (AUTH-01) ---------------------------------------------------------------
def test_check_accounts_fails_on_an_active_admin_account():
    make_user(email="admin@awards.example.org")
    make_user(email="li.ming@awards.example.org")

    with pytest.raises(CommandError, match="admin@awards.example.org"):
        call_command("check_accounts")


@pytest.mark.parametrize("local", ["root", "test", "Admin"])
def test_check_accounts_fails_on_each_default_name(local):
    make_user(email=f"{local}@example.org")
    with pytest.raises(CommandError):
        call_command("check_accounts")


def test_check_accounts_passes_when_the_default_account_is_disabled(capsys):
    make_user(email="root@example.org", is_active=False)
    make_user(email="administration-office@example.org")

    call_command("check_accounts")

    assert "No active default account." in capsys.readouterr().out


def test_duplicate_email_in_other_case_is_refused():
    make_user(email="wang@example.org")
    with pytest.raises(IntegrityError), transaction.atomic():
        make_user(email="Wang@example.org")


def test_password_set_by_an_organiser_is_audited_mailed_and_ends_sessions(
    client, django_capture_on_commit_callbacks
):
    from django.test import Client

    user = make_user(email="forgot@example.org", password=GOOD)
    theirs = Client()
    theirs.post(reverse("login"), {"username": user.email, "password": GOOD})
    organiser = make_organiser()
    client.force_login(organiser)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:auth_user_password_change", args=[user.pk]),
            {
                "password1": "Jiangmen-diaolou-2026",
                "password2": "Jiangmen-diaolou-2026",
                "usable_password": "true",
            },
        )

    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password("Jiangmen-diaolou-2026")
    entry = AuditEntry.objects.get(code="accounts.password.changed")
    assert (entry.actor, entry.data) == (organiser, {"how": "admin"})
    assert [m.to for m in mail.outbox] == [[user.email]]
    assert not theirs.get(reverse("portal:case-list")).wsgi_request.user.is_authenticated
