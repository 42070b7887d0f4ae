"""Source IP, user agent and time of each audit row, and what never reaches a log
(SECURITY.md LOG-01, LOG-04)."""

import logging
import re
from datetime import UTC, datetime

import pytest
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse

from cases.admin.audit import AuditEntryAdmin
from cases.audit.context import client_ip, encode_controls
from cases.models import AuditEntry
from cases.services import audit_log
from tests.audit_helpers import audited
from tests.factories import make_edition, make_organiser, make_user

pytestmark = pytest.mark.django_db


CLIENT, PROXY = "198.51.100.7", "10.9.9.9"


def request_with(**meta):
    return RequestFactory().get("/", **meta)


@pytest.mark.parametrize(
    ("trusted", "meta", "expected"),
    [
        # no trusted proxy: the header is the client's word and ignored
        (0, {"REMOTE_ADDR": "203.0.113.5", "HTTP_X_FORWARDED_FOR": "1.2.3.4"}, "203.0.113.5"),
        # one proxy (nginx): the entry it appended, not the client-written ones before it
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": f"1.2.3.4, {CLIENT}"}, CLIENT),
        (2, {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"1.2.3.4, {CLIENT}, {PROXY}"}, CLIENT),
        # fewer entries than proxies, or garbage: REMOTE_ADDR
        (2, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "198.51.100.7"}, "10.0.0.2"),
        (1, {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "not-an-ip"}, "10.0.0.2"),
        (0, {"REMOTE_ADDR": "::ffff:192.0.2.1"}, "192.0.2.1"),
        (0, {"REMOTE_ADDR": "2001:0db8:0000::0001"}, "2001:db8::1"),
    ],
)  # fmt: skip
def test_client_ip(settings, trusted, meta, expected):
    settings.TRUSTED_PROXY_COUNT = trusted

    assert client_ip(request_with(**meta)) == expected


def test_audit_row_takes_ip_and_user_agent_from_the_request(settings):
    settings.TRUSTED_PROXY_COUNT = 1
    request = request_with(
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
        HTTP_USER_AGENT="Mozilla/5.0\r\nX-Injected: 1" + "x" * 400,
    )

    entry = audit_log(code="cases.edition.test", obj=make_edition(), request=request)

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert stored.ip == "198.51.100.7"
    assert stored.user_agent.startswith("Mozilla/5.0\\r\\nX-Injected: 1xxx")
    assert len(stored.user_agent) == 255
    assert "\n" not in stored.user_agent and "\r" not in stored.user_agent


def test_middleware_gives_audit_log_the_current_request(client):
    organiser = make_organiser()
    client.force_login(organiser)
    group = Group.objects.create(name="评审秘书")
    user = make_user(email="new@example.org")

    response = client.post(
        reverse("admin:cases_user_change", args=[user.pk]),
        {**admin_user_form(user), "groups": [group.pk], "is_staff": "on"},
        HTTP_USER_AGENT="Chromium-test",
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    groups = audited("cases.user.groups_changed", actor=organiser, obj=user)
    assert (groups.user_agent, groups.data) == (
        "Chromium-test",
        {
            "relation": "groups",
            "action": "add",
            "added": ["评审秘书"],
            "removed": [],
            "before": [],
            "after": ["评审秘书"],
        },
    )
    flags = audited("cases.user.flags_changed", actor=organiser, obj=user)
    assert flags.data == {"before": {"is_staff": False}, "after": {"is_staff": True}}


def admin_user_form(user):
    return {
        "email": user.email,
        "full_name": user.full_name,
        "phone": "",
        "is_active": "on",
        "unit_memberships-TOTAL_FORMS": "0",
        "unit_memberships-INITIAL_FORMS": "0",
        "unit_memberships-MIN_NUM_FORMS": "0",
        "unit_memberships-MAX_NUM_FORMS": "1000",
    }


def test_group_permissions_and_members_are_audited_with_before_and_after():
    group = Group.objects.create(name="只读观察员")
    view_case = Permission.objects.get(codename="view_case")
    view_unit = Permission.objects.get(codename="view_unit")
    user = make_user(email="member@example.org")

    group.permissions.add(view_case)
    group.permissions.set([view_unit])
    group.user_set.add(user)
    user.user_permissions.add(view_case)
    user.groups.clear()

    rows = [
        (e.code, e.object_id, e.data["added"], e.data["removed"], e.data["after"])
        for e in AuditEntry.objects.filter(code__endswith="_changed").order_by("seq")
    ]
    g, u = str(group.pk), str(user.pk)
    assert rows == [
        ("auth.group.permissions_changed", g, ["cases.view_case"], [], ["cases.view_case"]),
        ("auth.group.permissions_changed", g, [], ["cases.view_case"], []),
        ("auth.group.permissions_changed", g, ["cases.view_unit"], [], ["cases.view_unit"]),
        ("auth.group.users_changed", g, ["member@example.org"], [], ["member@example.org"]),
        ("cases.user.user_permissions_changed", u, ["cases.view_case"], [], ["cases.view_case"]),
        ("cases.user.groups_changed", u, [], ["只读观察员"], []),
    ]
    # no request: no actor, no address
    assert set(AuditEntry.objects.values_list("actor_id", "ip")) == {(None, None)}


def test_superuser_and_active_flags_are_audited_but_a_login_time_is_not():
    user = make_user()
    user.is_superuser, user.is_active = True, False
    user.save()
    user.last_login = datetime(2026, 3, 1, tzinfo=UTC)
    user.save(update_fields=["last_login"])

    entry = AuditEntry.objects.get(code="cases.user.flags_changed")
    assert entry.data == {
        "before": {"is_active": True, "is_superuser": False},
        "after": {"is_active": False, "is_superuser": True},
    }


def test_admin_shows_time_in_beijing_with_its_offset():
    entry = audit_log(code="cases.edition.test", obj=make_edition())
    shown = AuditEntryAdmin.time_with_offset(None, entry)

    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+08:00", shown)
    assert entry.created_at.utcoffset().total_seconds() == 0


def test_control_characters_are_encoded():
    assert encode_controls("a\r\nb\tc\x1bd 汉字") == "a\\r\\nb\\tc\\x1bd 汉字"


def test_no_password_token_or_phone_number_in_the_logs_of_a_login_and_a_reset(
    client, caplog, settings
):
    settings.LOGGING_CONFIG = None
    password = "Very-Secret-Pass-2026"
    user = make_user(email="person@example.org", password=password, phone="13812345678")
    caplog.set_level(logging.DEBUG)

    client.post(reverse("login"), {"username": user.email, "password": password})
    client.post(reverse("login"), {"username": user.email, "password": password + "x\r\nFAKE"})
    client.post(reverse("password_reset"), {"email": "person@example.org"})

    text = "\n".join(f"{record.getMessage()} {record.__dict__}" for record in caplog.records)
    from django.core import mail

    token = re.search(r"/reset/[^/]+/([^/]+)/", mail.outbox[-1].body).group(1)
    assert password not in text
    assert token not in text
    assert not re.search(r"1[3-9]\d{9}", text)
    assert "\nFAKE" not in text


def test_text_and_json_log_lines_keep_a_crlf_payload_on_one_line():
    import json

    from config.logging import JsonFormatter, TextFormatter

    record = logging.makeLogRecord(
        {
            "msg": "login failed for %s",
            "args": ("eve\r\n2026-01-01 INFO forged",),
            "levelname": "INFO",
        }
    )

    text = TextFormatter("%(levelname)s %(message)s").format(record)
    line = JsonFormatter().format(record)

    assert text == "INFO login failed for eve\\r\\n2026-01-01 INFO forged"
    assert "\n" not in line
    assert json.loads(line)["message"] == "login failed for eve\r\n2026-01-01 INFO forged"
