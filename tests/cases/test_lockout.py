"""AUTH-04 and LOG-01/04: lockout by django-axes, its generic message, audit rows, unlocking."""

import datetime

import pytest
import time_machine
from axes.models import AccessAttempt
from django.contrib.auth.models import Permission
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.account_security.forms import GENERIC_LOGIN_ERROR
from cases.models import AuditEntry
from tests.factories import make_organiser, make_staff_without_permissions, make_user

pytestmark = pytest.mark.django_db

PASSWORD = "Heyuan-wanlv-lake-2026"
WRONG = "Wrong-password-2026-x"


def attempt(client, email, password, ip="10.0.0.1"):
    return client.post(reverse("login"), {"username": email, "password": password}, REMOTE_ADDR=ip)


def logged_in(response):
    return response.status_code == 302 and response.wsgi_request.user.is_authenticated


def test_five_failures_lock_the_account_and_the_sixth_correct_login_is_refused(client):
    user = make_user(email="judge@example.org", password=PASSWORD)
    wrong = [attempt(client, user.email, WRONG) for _ in range(5)]

    sixth = attempt(client, user.email, PASSWORD)

    assert [r.status_code for r in wrong] == [200] * 5
    assert sixth.status_code == 200
    assert not sixth.wsgi_request.user.is_authenticated
    # the same generic message for a wrong password and for a lock
    assert str(GENERIC_LOGIN_ERROR) in wrong[0].text
    assert str(GENERIC_LOGIN_ERROR) in sixth.text
    assert "锁定" not in sixth.text


def test_lock_ends_after_15_minutes():
    user = make_user(email="wait@example.org", password=PASSWORD)
    client = Client()
    for _ in range(5):
        attempt(client, user.email, WRONG)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=14), tick=False):
        assert not logged_in(attempt(Client(), user.email, PASSWORD))
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16), tick=False):
        assert logged_in(attempt(Client(), user.email, PASSWORD))


def test_email_case_does_not_escape_the_count(client):
    user = make_user(email="case@example.org", password=PASSWORD)
    for email in [
        "case@example.org",
        "CASE@example.org",
        "Case@Example.org",
        " case@example.org",
        "cAse@example.org",
    ]:
        attempt(client, email, WRONG)
    assert not logged_in(attempt(client, user.email, PASSWORD))


def test_a_success_resets_the_count_so_only_consecutive_failures_lock(client):
    user = make_user(email="typo@example.org", password=PASSWORD)
    for _ in range(4):
        attempt(client, user.email, WRONG)
    assert logged_in(attempt(client, user.email, PASSWORD))
    client.post(reverse("logout"))
    for _ in range(4):
        attempt(client, user.email, WRONG)
    assert logged_in(attempt(client, user.email, PASSWORD))


def test_an_attacker_locking_the_account_from_their_address_does_not_lock_the_victim():
    user = make_user(email="victim@example.org", password=PASSWORD)
    attacker = Client()
    for _ in range(10):
        attempt(attacker, user.email, WRONG, ip="203.0.113.9")

    assert not logged_in(attempt(attacker, user.email, PASSWORD, ip="203.0.113.9"))
    assert logged_in(attempt(Client(), user.email, PASSWORD, ip="10.1.2.3"))


def test_one_address_trying_many_accounts_is_throttled_after_30_failures():
    user = make_user(email="real@example.org", password=PASSWORD)
    attacker = Client()
    for n in range(29):
        attempt(attacker, f"guess{n}@example.org", WRONG, ip="198.51.100.7")
    assert logged_in(attempt(Client(), user.email, PASSWORD, ip="198.51.100.7"))

    for n in range(30):
        attempt(attacker, f"more{n}@example.org", WRONG, ip="198.51.100.8")
    refused = attempt(Client(), user.email, PASSWORD, ip="198.51.100.8")
    assert not logged_in(refused)
    assert str(GENERIC_LOGIN_ERROR) in refused.text
    assert logged_in(attempt(Client(), user.email, PASSWORD, ip="198.51.100.9"))


def test_audit_rows_for_failure_lockout_success_and_logout(client):
    user = make_user(email="audit@example.org", password=PASSWORD)
    attempt(client, "nobody@example.org", WRONG)
    for _ in range(5):
        attempt(client, user.email, WRONG)
    attempt(client, user.email, PASSWORD)  # refused while locked
    AccessAttempt.objects.all().delete()
    attempt(client, user.email, PASSWORD)
    client.post(reverse("logout"))

    rows = list(AuditEntry.objects.order_by("pk").values_list("code", "object_type", "data"))
    assert [code for code, _t, _d in rows] == [
        "accounts.login.failed",
        *["accounts.login.failed"] * 4,
        "accounts.login.locked",
        "accounts.login.failed",
        "accounts.login.locked",
        "accounts.login.failed",
        "accounts.login.succeeded",
        "accounts.logout",
    ]
    assert rows[0] == (
        "accounts.login.failed",
        "accounts.login",
        {"username": "nobody@example.org", "locked": False},
    )
    assert rows[1][1] == "cases.user"
    assert rows[5][2] == {"username": "audit@example.org", "minutes": 15}
    everything = str(list(AuditEntry.objects.values_list("data", "object_repr")))
    everything += str(list(AccessAttempt.objects.values_list("post_data", "get_data")))
    assert WRONG not in everything
    assert PASSWORD not in everything


def test_the_username_typed_is_truncated_and_a_huge_one_is_a_form_error(client):
    response = attempt(client, "x" * 100_000, WRONG)
    assert response.status_code == 200
    assert "254" in response.text  # the field's error
    assert not AccessAttempt.objects.exists()
    long_typed = "y" * 240 + "@example.org"
    attempt(client, long_typed, WRONG)
    entry = AuditEntry.objects.get(code="accounts.login.failed")
    assert entry.data["username"] == long_typed[:100]


def test_password_is_not_in_the_logs(client, caplog):
    user = make_user(email="logs@example.org", password=PASSWORD)
    with caplog.at_level("DEBUG"):
        for _ in range(6):
            attempt(client, user.email, WRONG + "\r\nInjected: yes")
        attempt(client, user.email, PASSWORD)
    assert WRONG not in caplog.text
    assert PASSWORD not in caplog.text
    assert "\nInjected" not in caplog.text


# --- Unlocking by an organiser ----------------------------------------------------------------
def lock(email):
    for _ in range(5):
        attempt(Client(), email, WRONG)


def organiser_with(*codenames):
    organiser = make_staff_without_permissions()
    organiser.user_permissions.set(
        Permission.objects.filter(codename__in=["view_user", "change_user", *codenames])
    )
    return organiser


def test_organiser_with_permission_unlocks_from_the_user_list(client):
    judge = make_user(email="locked@example.org", password=PASSWORD)
    lock(judge.email)
    organiser = organiser_with("unlock_user")
    client.force_login(organiser)

    response = client.post(
        reverse("admin:cases_user_changelist"),
        {"action": "unlock_logins", "_selected_action": [judge.pk]},
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 0
    entry = AuditEntry.objects.get(code="accounts.user.unlocked")
    assert (entry.actor, entry.object_id, entry.data) == (organiser, str(judge.pk), {"attempts": 1})
    assert logged_in(attempt(Client(), judge.email, PASSWORD))


def test_unlock_action_is_not_offered_without_the_permission(client):
    judge = make_user(email="stays@example.org", password=PASSWORD)
    lock(judge.email)
    client.force_login(organiser_with())

    page = client.get(reverse("admin:cases_user_changelist"))
    response = client.post(
        reverse("admin:cases_user_changelist"),
        {"action": "unlock_logins", "_selected_action": [judge.pk]},
    )

    assert "unlock_logins" not in page.text
    assert response.status_code == 302  # back to the list: "no action selected"
    assert AccessAttempt.objects.count() == 1
    assert not AuditEntry.objects.filter(code="accounts.user.unlocked").exists()


def test_deleting_the_axes_record_unlocks_and_is_audited(client):
    judge = make_user(email="axes@example.org", password=PASSWORD)
    lock(judge.email)
    organiser = make_staff_without_permissions()
    organiser.user_permissions.set(
        Permission.objects.filter(codename__in=["view_accessattempt", "delete_accessattempt"])
    )
    client.force_login(organiser)
    record = AccessAttempt.objects.get()

    response = client.post(
        reverse("admin:axes_accessattempt_changelist"),
        {"action": "unlock_attempts", "_selected_action": [record.pk]},
    )

    assert response.status_code == 302
    assert AccessAttempt.objects.count() == 0
    entry = AuditEntry.objects.get(code="accounts.user.unlocked")
    assert (entry.actor, entry.object_id) == (organiser, str(judge.pk))
    assert entry.data == {"username": "axes@example.org", "ip": "10.0.0.1"}


def test_axes_records_are_hidden_from_staff_without_permission(client):
    client.force_login(make_staff_without_permissions())
    assert client.get(reverse("admin:axes_accessattempt_changelist")).status_code == 403


def test_the_admin_login_counts_failures_and_answers_generically(client):
    organiser = make_organiser(email="boss@example.org", password=PASSWORD)
    for _ in range(5):
        wrong = client.post(
            reverse("admin:login"), {"username": organiser.email, "password": WRONG}
        )
    refused = client.post(
        reverse("admin:login"), {"username": organiser.email, "password": PASSWORD}
    )

    assert str(GENERIC_LOGIN_ERROR) in wrong.text
    assert str(GENERIC_LOGIN_ERROR) in refused.text
    assert not refused.wsgi_request.user.is_authenticated
    assert AuditEntry.objects.filter(code="accounts.login.locked").count() == 2
