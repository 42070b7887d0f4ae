"""The site with its Redis unreachable (the production cache settings pointed at a port where
nothing listens) and with the real Redis: public pages, login, a judge's score, /healthz."""

import logging

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from judging.cache import bump_results_version, results_version, results_versions
from judging.models import Review, ReviewStatus
from tests.factories import make_user
from tests.judging import workspace_scenario
from tests.judging.public_data import build_world, results_url
from tests.judging.test_workspace_views import case_url, score_data
from tests.security.outage import dead_cache_settings

pytestmark = pytest.mark.django_db

PASSWORD = "Shantou-2026-chuangwen"


def signed_in_name(client):
    """The name in the header of the home page: who the session says is signed in."""
    page = client.get(reverse("cases:home")).text
    return page.split('<li class="nav-user">')[1].split("</li>")[0] if "nav-user" in page else None


# --- Redis unreachable --------------------------------------------------------------------


def test_public_pages_render_from_the_database_when_redis_is_unreachable(client, settings):
    dead_cache_settings(settings)
    world = build_world()

    home = client.get(reverse("cases:home"))
    archive = client.get(reverse("results:archive"))
    results = client.get(results_url(world.sixth))
    again = client.get(results_url(world.sixth))

    assert [home.status_code, archive.status_code, results.status_code] == [200, 200, 200]
    assert world.chuangwen.title in archive.text
    assert world.chuangwen.title in results.text
    assert again.status_code == 200  # nothing was cached, rendered afresh
    assert again.content == results.content


def test_each_cache_error_is_logged_as_one_line(client, settings, caplog):
    dead_cache_settings(settings)

    with caplog.at_level(logging.WARNING, logger="config.cache"):
        client.get(reverse("results:archive"))

    records = [record for record in caplog.records if record.name == "config.cache"]
    assert records != []
    assert all(record.exc_info is None for record in records)
    assert all(record.levelname == "WARNING" for record in records)
    assert (
        records[0]
        .getMessage()
        .startswith(
            "cache unreachable, treated as a miss: ConnectionInterrupted: Redis ConnectionError"
        )
    )


def test_results_version_and_its_bump_survive_the_outage(settings, caplog):
    dead_cache_settings(settings)

    first, second = results_version(7), results_version(7)
    with caplog.at_level(logging.WARNING, logger="judging.cache"):
        bumped = bump_results_version(7)

    assert second > first  # no cache: a fresh version each time, so no stale page is served
    assert bumped is None
    assert "not bumped" in caplog.text


def test_versions_of_several_editions_are_fresh_for_each_page_during_the_outage(settings):
    dead_cache_settings(settings)

    first = results_versions([1, 2])
    second = results_versions([3])

    assert sorted(first) == [1, 2]
    assert sorted(second) == [3]  # nothing of the first call carried over


def test_login_post_signs_in_when_redis_is_unreachable(client, settings):
    dead_cache_settings(settings)
    make_user(email="judge@example.org", password=PASSWORD, full_name="陈评审")

    response = client.post(
        reverse("login"), {"username": "judge@example.org", "password": PASSWORD}
    )

    assert response.status_code == 302
    assert Session.objects.count() == 1  # the session is in the database
    assert signed_in_name(client) == "陈评审"


def test_a_judge_scores_during_the_outage_and_stays_signed_in(client, settings):
    dead_cache_settings(settings)
    s = workspace_scenario.build()
    client.post(reverse("login"), {"username": s.judge.user.email, "password": "pass-1234-word"})

    saved = client.post(
        case_url(s), score_data(s, "8", "6", "10", comment="实效明显", action="submit")
    )

    assert saved.status_code == 302
    assert not saved["Location"].startswith(reverse("login"))
    review = Review.objects.get()
    assert (review.status, review.comment, str(review.score)) == (
        ReviewStatus.SUBMITTED,
        "实效明显",
        "80.0000",  # 100 × (0.4·8/10 + 0.3·6/10 + 0.3·10/10) / 1.0 = 32 + 18 + 30
    )
    assert client.get(case_url(s)).status_code == 200
    assert signed_in_name(client) == s.judge.user.get_short_name()


def test_health_is_200_and_degraded_when_the_cache_is_down(client, settings):
    dead_cache_settings(settings)

    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "cache": "down"},
    }
    assert "no-cache" in response["Cache-Control"]


def test_health_refuses_a_post(client):
    assert client.post("/healthz").status_code == 405


# --- The real Redis -----------------------------------------------------------------------


def test_health_is_ok_with_the_real_redis(client, real_redis):
    response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok", "checks": {"database": "ok", "cache": "ok"}}


def test_public_pages_are_cached_in_the_real_redis(client, real_redis):
    world = build_world()

    first = client.get(results_url(world.sixth))
    second = client.get(results_url(world.sixth))

    assert first.status_code == second.status_code == 200
    assert second.content == first.content
    assert real_redis.keys(f"{real_redis.prefix}:*public-page:*") != []


def test_sessions_are_written_to_the_database_and_cached_for_at_most_five_minutes(
    client, real_redis, settings
):
    make_user(email="judge@example.org", password=PASSWORD)

    client.post(reverse("login"), {"username": "judge@example.org", "password": PASSWORD})

    session_key = client.cookies["sessionid"].value
    assert Session.objects.filter(session_key=session_key).exists()
    [cached] = real_redis.keys(f"{real_redis.prefix}-sessions:*{session_key}")
    assert 0 < real_redis.ttl(cached) <= settings.SESSION_CACHE_SECONDS == 300


def test_signed_in_before_the_outage_a_judge_stays_signed_in_and_the_score_is_saved(
    client, real_redis, settings
):
    s = workspace_scenario.build()
    client.post(reverse("login"), {"username": s.judge.user.email, "password": "pass-1234-word"})
    assert signed_in_name(client) == s.judge.user.get_short_name()
    page = client.get(case_url(s))  # the judge opens the form while Redis is up
    assert page.status_code == 200

    dead_cache_settings(settings)  # Redis goes away while the judge types
    saved = client.post(case_url(s), score_data(s, "9", "6", "10", comment="保留这段评语"))

    assert saved.status_code == 302
    assert not saved["Location"].startswith(reverse("login"))
    assert Review.objects.get().comment == "保留这段评语"
    assert signed_in_name(client) == s.judge.user.get_short_name()


def test_rate_limits_are_counted_in_the_real_redis(real_redis, settings):
    settings.RATE_LIMITS = settings.RATE_LIMITS | {"login": ("2/h", "100/h")}
    data = {"username": "nobody@example.org", "password": "x"}
    client = Client()

    answers = [client.post(reverse("login"), data).status_code for _ in range(3)]

    assert answers == [200, 200, 429]
    assert real_redis.keys(f"{real_redis.prefix}:*rl:*") != []
