"""AC-06: every state-changing view refuses a POST without a CSRF token. A real POST with
`Client(enforce_csrf_checks=True)`, as the superuser (who may do everything, so only the
missing token can refuse it) and as anonymous, to every named URL of the site and to the back
office's add, change, delete, action, import and export pages: 403 with the CSRF page
(templates/403_csrf.html), nothing changed. The one exempt URL (documented in
tests/security/test_code_rules.py) answers without the token and changes only a cookie."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from cases.models import AuditEntry, Case, Unit
from tests.security.test_code_rules import CSRF_EXEMPT_ALLOWED
from tests.security.test_url_matrix import url_names
from tests.security.url_matrix_kwargs import url_kwargs
from tests.security.url_world import build_world

pytestmark = pytest.mark.django_db

EXEMPT = {"results:set-language"}  # the csrf_exempt of judging/urls_public.py
CSRF_HEADING = "<h1>页面已过期,提交未被处理</h1>"


def csrf_client(user=None):
    client = Client(enforce_csrf_checks=True, raise_request_exception=False)
    if user is not None:
        client.force_login(user)
    return client


def test_the_exempt_list_matches_the_documented_allow_list():
    assert len(EXEMPT) == len(CSRF_EXEMPT_ALLOWED)


def test_every_site_url_refuses_a_post_without_token():
    world = build_world()
    clients = {"superuser": csrf_client(world.users["superuser"]), "anonymous": csrf_client()}
    counts = (Case.objects.count(), Unit.objects.count(), AuditEntry.objects.count())
    findings, checked = [], 0
    for name in url_names():
        if name in EXEMPT:
            continue
        url = reverse(name, kwargs=url_kwargs(name, world))
        for role, client in clients.items():
            response = client.post(url, {"title": "伪造的提交", "status": "submitted"})
            checked += 1
            if response.status_code != 403 or CSRF_HEADING not in response.content.decode():
                findings.append(f"{name} as {role}: {response.status_code}")

    assert findings == []
    assert checked > 100
    assert (Case.objects.count(), Unit.objects.count(), AuditEntry.objects.count()) == counts


def test_back_office_writes_refuse_a_post_without_token():
    world = build_world()
    client = csrf_client(world.users["superuser"])
    case = world["case"]
    urls = [
        reverse("admin:login"),
        reverse("admin:logout"),
        reverse("admin:cases_case_add"),
        reverse("admin:cases_case_change", args=[case.pk]),
        reverse("admin:cases_case_delete", args=[case.pk]),
        reverse("admin:cases_case_changelist"),  # bulk actions
        reverse("admin:cases_case_import"),
        reverse("admin:cases_case_process_import"),
        reverse("admin:cases_case_export"),
        reverse("admin:cases_unit_import"),
        reverse("admin:cases_user_changelist"),
        reverse("admin:auth_group_add"),
    ]
    for model in admin.site._registry:
        opts = model._meta
        urls.append(reverse(f"admin:{opts.app_label}_{opts.model_name}_add"))
    title = case.title

    data = {"title": "伪造", "action": "delete_selected"}
    answers = {url: client.post(url, data) for url in urls}

    assert {url: r.status_code for url, r in answers.items() if r.status_code != 403} == {}
    assert all(CSRF_HEADING in r.content.decode() for r in answers.values())
    case.refresh_from_db()
    assert case.title == title


def test_the_exempt_language_switch_only_sets_the_language():
    client = csrf_client()

    response = client.post(reverse("results:set-language"), {"language": "en", "next": "/archive/"})

    assert response.status_code == 302
    assert response["Location"] == "/archive/"
    assert response.cookies["django_language"].value == "en"


def test_the_language_switch_of_other_pages_needs_the_token():
    response = csrf_client().post(reverse("set_language"), {"language": "en", "next": "/"})

    assert response.status_code == 403


def test_the_exempt_language_switch_never_redirects_off_site():
    response = csrf_client().post(
        reverse("results:set-language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response.status_code == 302
    assert response["Location"] == "/"
