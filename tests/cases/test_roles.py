"""The shipped groups (cases.roles) and least privilege for staff without permissions."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from cases.roles import AUDITOR, ORGANISER_ADMIN, REFUSED_TO_EVERYONE, ROLES
from cases.services.roles import sync_roles
from tests.factories import make_staff_without_permissions

pytestmark = pytest.mark.django_db


def test_sync_roles_is_idempotent_and_knows_every_permission():
    Group.objects.filter(name=AUDITOR).delete()

    assert sync_roles() == [AUDITOR]
    assert sync_roles() == []


def test_groups_hold_exactly_the_table():
    sync_roles()
    for name, perms in ROLES.items():
        group = Group.objects.get(name=name)
        held = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
        assert held == set(perms), name


def test_auditor_reads_the_audit_trail_only_and_nobody_edits_it():
    assert ROLES[AUDITOR] == ["cases.view_auditentry"]
    for perms in ROLES.values():
        assert not set(perms) & set(REFUSED_TO_EVERYONE)


def test_organiser_admin_holds_every_cases_and_judging_permission_but_editing_audit():
    from django.contrib.auth.models import Permission

    every = {
        f"{app}.{code}"
        for app, code in Permission.objects.filter(
            content_type__app_label__in=["cases", "judging"]
        ).values_list("content_type__app_label", "codename")
    }
    assert every - set(ROLES[ORGANISER_ADMIN]) == set(REFUSED_TO_EVERYONE)


@pytest.mark.parametrize(
    "url",
    [
        "/admin/cases/case/export/",
        "/admin/cases/unit/export/",
        "/admin/cases/unit/import/",
        "/admin/cases/case/import/",
        "/admin/judging/judge/export/",
    ],
)
def test_staff_without_permissions_cannot_import_or_export(client, url):
    client.force_login(make_staff_without_permissions())

    assert client.get(url).status_code == 403


def test_csp_and_security_headers_on_home(client):
    response = client.get(reverse("cases:home"))

    csp = response["Content-Security-Policy"]
    for part in [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]:
        assert part in csp
    assert "unsafe-inline" not in csp
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
