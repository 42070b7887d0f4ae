"""Rate limits of the public POSTs (config/ratelimit.py): 429 with a Chinese page past the
limit, per address and per /24, nothing created, and every anonymous POST covered."""

import logging

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from cases.models import Unit, User
from tests.cases.test_accounts import registration_data
from tests.factories import make_user
from tests.security.outage import DEAD_REDIS, dead_cache_settings

pytestmark = pytest.mark.django_db

HOURLY = {
    "login": ("3/h", "100/h"),
    "register": ("10/h", "50/h"),
    "password-reset": ("100/h", "100/h"),
    "password-reset-confirm": ("20/h", "60/h"),
    "invitation": ("20/h", "60/h"),
    "objection": ("100/h", "3/h"),
    "language": ("60/h", "600/h"),
}


def register(n, **client_kwargs):
    client = Client(**client_kwargs)
    return client.post(
        reverse("register"),
        registration_data(email=f"user{n}@example.org", unit_name=f"测试单位{n}"),
    )


def test_the_registration_past_the_limit_is_429_and_creates_nothing(settings):
    limit = int(settings.RATE_LIMITS["register"][0].split("/")[0])
    assert limit == 10  # the shipped default: 10 registrations per address per hour

    answers = [register(n).status_code for n in range(limit)]
    refused = register(limit)

    assert answers == [302] * 10
    assert refused.status_code == 429
    assert "请求过于频繁,请稍后再试" in refused.text
    assert 0 < int(refused["Retry-After"]) <= 3600
    assert refused["Cache-Control"] == "no-store"
    assert User.objects.count() == 10
    assert not User.objects.filter(email="user10@example.org").exists()
    assert not Unit.objects.filter(name="测试单位10").exists()


def test_another_address_is_not_limited_by_the_first(settings):
    settings.RATE_LIMITS = HOURLY | {"register": ("2/h", "50/h")}

    answers = [register(n, REMOTE_ADDR="198.51.100.7").status_code for n in range(3)]
    other = register(3, REMOTE_ADDR="203.0.113.9")

    assert answers == [302, 302, 429]
    assert other.status_code == 302


def test_login_posts_are_limited_but_pages_are_not(client, settings):
    settings.RATE_LIMITS = HOURLY
    make_user(email="judge@example.org", password="right-password-2026")

    pages = [client.get(reverse("login")).status_code for _ in range(10)]
    posts = [
        client.post(reverse("login"), {"username": "judge@example.org", "password": "wrong"})
        for _ in range(4)
    ]

    assert pages == [200] * 10
    assert [post.status_code for post in posts] == [200, 200, 200, 429]
    assert "请求过于频繁" in posts[-1].text


def test_the_network_limit_counts_a_whole_slash_24(client, settings):
    settings.RATE_LIMITS = HOURLY | {"login": ("100/h", "3/h")}
    data = {"username": "nobody@example.org", "password": "x"}

    same_network = [
        client.post(reverse("login"), data, REMOTE_ADDR=f"192.0.2.{host}").status_code
        for host in (1, 2, 3, 4)
    ]
    next_network = client.post(reverse("login"), data, REMOTE_ADDR="192.0.3.1")

    assert same_network == [200, 200, 200, 429]
    assert next_network.status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_counts_not_what_the_client_wrote(
    client, settings
):
    settings.RATE_LIMITS = HOURLY | {"login": ("2/h", "100/h")}
    settings.TRUSTED_PROXY_COUNT = 1
    data = {"username": "nobody@example.org", "password": "x"}

    def post(forged):
        # The proxy appends the address it saw; whatever the client put before it is forged.
        return client.post(
            reverse("login"),
            data,
            REMOTE_ADDR="127.0.0.1",
            HTTP_X_FORWARDED_FOR=f"{forged}, 198.51.100.20",
        ).status_code

    assert [post("10.0.0.1"), post("10.0.0.2"), post("10.0.0.3")] == [200, 200, 429]


def test_password_reset_is_limited_per_address_typed(client, settings):
    settings.RATE_LIMITS = HOURLY
    settings.PASSWORD_RESET_EMAIL_RATE = "2/h"
    make_user(email="target@example.org")

    answers = [
        client.post(
            reverse("password_reset"),
            {"email": "Target@example.org"},
            REMOTE_ADDR=f"203.0.{n}.1",
        ).status_code
        for n in range(3)
    ]

    assert answers == [302, 302, 429]


def test_objection_form_post_is_limited(client, settings):
    from tests.judging.test_objections import COMPLETE, _edition, _url

    settings.RATE_LIMITS = HOURLY | {"objection": ("2/h", "100/h")}
    edition = _edition()
    award = edition.awards.get()
    data = COMPLETE | {"award": award.pk}

    answers = [client.post(_url(edition), data).status_code for _ in range(3)]

    assert answers == [302, 302, 429]
    assert award.objections.count() == 2


def test_rate_limits_fail_open_and_log_when_the_cache_is_unreachable(settings, caplog):
    dead_cache_settings(settings)
    settings.RATE_LIMITS = HOURLY | {"register": ("2/h", "2/h")}

    with caplog.at_level(logging.WARNING, logger="config.ratelimit"):
        answers = [register(n).status_code for n in range(4)]

    assert answers == [302, 302, 302, 302]
    assert User.objects.count() == 4
    assert "the cache is unreachable" in caplog.text
    assert DEAD_REDIS in str(settings.CACHES["default"]["LOCATION"])


# --- Every anonymous POST is rate limited -------------------------------------------------

# Views an anonymous visitor can POST to without a rate limit, and why.
UNLIMITED = {
    "logout": "signs out the sender; nothing to gain by repeating it",
    "django.contrib.sitemaps.views.sitemap": "answers the same XML to any method, writes nothing",
}
DUMMY = {"int": "1", "slug": "x", "str": "x", "path": "x"}


def walk(resolver, prefix=""):
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            if str(pattern.pattern).startswith("admin/"):
                continue  # the back office: staff only, but for its login page (limited)
            yield from walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def concrete(route):
    import re

    return "/" + re.sub(
        r"<(?:(\w+):)?(\w+)>", lambda m: DUMMY.get(m.group(1) or "str", "1"), route
    ).lstrip("^").rstrip("$")


def test_every_anonymous_post_is_rate_limited_or_harmless(client):
    unlimited = []
    for route, pattern in walk(get_resolver()):
        view_class = getattr(pattern.callback, "view_class", None)
        if getattr(pattern.callback, "rate_limit_group", None) or getattr(
            view_class, "rate_limit_group", None
        ):
            continue
        if pattern.name in UNLIMITED:
            continue
        response = client.post(concrete(route), {})
        login_redirect = response.status_code == 302 and response["Location"].startswith(
            reverse("login")
        )
        if not (login_redirect or response.status_code in (401, 403, 404, 405)):
            unlimited.append((route, pattern.name, response.status_code))
        client.logout()

    assert unlimited == []


def test_the_limited_views_are_the_public_posts():
    groups = {
        pattern.name: pattern.callback.rate_limit_group
        for _, pattern in walk(get_resolver())
        if getattr(pattern.callback, "rate_limit_group", None)
    }

    assert groups == {
        "register": "register",
        "login": "login",
        "invitation-accept": "invitation",  # the unit invitation and the judge invitation
        "password_reset": "password-reset",
        "password_reset_confirm": "password-reset-confirm",
        "objection-create": "objection",
        "set-language": "language",
        "set_language": "language",
        None: "login",  # admin/login/, in front of the admin's own pattern
    }
