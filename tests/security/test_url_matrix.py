"""The URL × role matrix (SECURITY.md AC-01/AC-02, issue 9): every named URL outside the back
office, requested by each role of DESIGN.md §6 and of the shipped groups, answers exactly what
`url_rules.RULES` says; every page of every model in the back office answers by the Django
permission of its model, never by staff status. Each 200 HTML answer carries the headers of
SECURITY.md CFG-02. A URL added without a rule fails here."""

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.security.url_matrix_kwargs import url_kwargs
from tests.security.url_rules import RULES
from tests.security.url_world import build_world

pytestmark = pytest.mark.django_db

CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "frame-ancestors": "'none'",
}
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def _walk(resolver, namespace=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue
            inner = namespace + (f"{pattern.namespace}:" if pattern.namespace else "")
            yield from _walk(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            yield namespace + pattern.name


def url_names():
    """Every named URL of the site outside the back office."""
    return sorted(set(_walk(get_resolver())))


def clients(world):
    found = {}
    for role, user in world.users.items():
        client = Client()
        if user is not None:
            client.force_login(user)
        found[role] = client
    return found


def header_problems(response):
    if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
        return []
    directives = {}
    for part in response.get("Content-Security-Policy", "").split(";"):
        name, _, value = part.strip().partition(" ")
        directives[name] = value.strip()
    problems = [
        f"CSP {name} is {directives.get(name)!r}, not {value!r}"
        for name, value in CSP.items()
        if directives.get(name) != value
    ]
    for header, expected in HEADERS.items():
        if expected not in response.get(header, ""):
            problems.append(f"{header}: {response.get(header)!r}")
    return problems


def test_every_url_has_a_rule():
    assert sorted(set(url_names()) - set(RULES)) == []
    assert sorted(set(RULES) - set(url_names())) == []


def test_every_url_answers_each_role_as_its_rule_says():
    world = build_world()
    by_role = clients(world)
    findings, requests = [], 0
    for name in url_names():
        url = reverse(name, kwargs=url_kwargs(name, world))
        rule = RULES[name]
        for role, client in by_role.items():
            response = client.get(url)
            requests += 1
            expected = rule.get(role, rule["*"])
            if response.status_code != expected:
                findings.append(f"{name} as {role}: {response.status_code}, expected {expected}")
            findings += [f"{name} as {role}: {p}" for p in header_problems(response)]

    assert findings == []
    assert requests == len(url_names()) * len(world.users)


BACK_OFFICE_ROLES = ("staff_no_perms", "secretary", "observer", "auditor", "organiser")


def test_every_back_office_model_page_answers_by_the_model_permission():
    """Changelist and change page of each registered model: 200 with the model's view or
    change permission, 403 without (also for staff), 302 to the login page for anonymous."""
    world = build_world()
    by_role = clients(world)
    findings = []
    for model, model_admin in admin.site._registry.items():
        opts = model._meta
        # The first row the admin itself lists (a proxy admin filters its model's rows).
        first = model_admin.get_queryset(_request(world.users["superuser"])).order_by("pk").first()
        urls = [reverse(f"admin:{opts.app_label}_{opts.model_name}_changelist")]
        if first is not None:
            urls.append(
                reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[first.pk])
            )
        for url in urls:
            anonymous = by_role["anonymous"].get(url)
            if anonymous.status_code != 302:
                findings.append(f"{url} as anonymous: {anonymous.status_code}")
            for role in BACK_OFFICE_ROLES:
                user = world.users[role]
                allowed = model_admin.has_view_or_change_permission(_request(user))
                response = by_role[role].get(url)
                expected = 200 if allowed else 403
                if response.status_code != expected:
                    findings.append(f"{url} as {role}: {response.status_code}, expected {expected}")
                if (
                    allowed
                    and not user.has_perm(f"{opts.app_label}.view_{opts.model_name}")
                    and not user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
                ):
                    findings.append(f"{url} as {role}: open without the model's permission")
                findings += [f"{url} as {role}: {p}" for p in header_problems(response)]

    assert findings == []


def _request(user):
    from django.test import RequestFactory

    request = RequestFactory().get("/admin/")
    request.user = user
    return request
