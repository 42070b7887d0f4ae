"""HTTP and server-side caching of the public results pages."""

from datetime import timedelta

import pytest
import time_machine
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from cases.models import AwardTier, Edition, EditionStatus
from judging.cache import bump_results_version, results_version, results_versions
from tests.factories import make_member, make_organiser
from tests.judging.public_data import (
    build_world,
    case_url,
    region_history_url,
    results_url,
    statistics_url,
    unit_history_url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    return build_world()


def public_urls(world):
    return [
        results_url(world.sixth),
        case_url(world.chuangwen),
        statistics_url(world.sixth),
        reverse("results:archive") + "?tier=提名奖",
        unit_history_url(world.st_propaganda),
        region_history_url(world.shantou),
    ]


def test_public_pages_are_publicly_cacheable_with_an_etag(client, world):
    for url in public_urls(world):
        response = client.get(url)

        assert response.status_code == 200, url
        assert response["Cache-Control"] == "public, max-age=300"
        assert response["ETag"].startswith('"') and response["ETag"].endswith('"')
        assert set(response["Vary"].split(", ")) >= {"Accept-Language", "Cookie"}
        assert not response.cookies  # nothing set per visitor


def test_matching_if_none_match_gets_304_from_cache(client, world, django_assert_num_queries):
    url = results_url(world.sixth)
    etag = client.get(url)["ETag"]

    with django_assert_num_queries(0):  # the embargo check's answer is remembered
        response = client.get(url, HTTP_IF_NONE_MATCH=etag)

    assert response.status_code == 304
    assert response.content == b""
    assert response["ETag"] == etag
    assert response["Cache-Control"] == "public, max-age=300"


def test_other_etag_gets_the_full_page(client, world):
    url = results_url(world.sixth)
    client.get(url)

    response = client.get(url, HTTP_IF_NONE_MATCH='"something-else"')

    assert response.status_code == 200
    assert world.chuangwen.title in response.text


def test_second_request_is_served_from_the_server_cache(client, world, django_assert_num_queries):
    url = results_url(world.sixth)
    first = client.get(url)

    with django_assert_num_queries(0):  # the embargo check's answer is remembered
        second = client.get(url)

    assert second.content == first.content
    assert second["ETag"] == first["ETag"]


def test_changed_results_are_served_only_after_a_version_bump(client, world):
    url = results_url(world.sixth)
    before = client.get(url)
    AwardTier.objects.filter(pk=world.excellent.pk).update(name="优秀案例(更正)")

    stale = client.get(url)
    bump_results_version(world.sixth)
    fresh = client.get(url, HTTP_IF_NONE_MATCH=before["ETag"])

    assert "优秀案例(更正)" not in stale.text  # cached until the version changes
    assert fresh.status_code == 200
    assert "优秀案例(更正)" in fresh.text
    assert fresh["ETag"] != before["ETag"]


def test_bump_invalidates_every_page_that_shows_the_edition(client, world):
    etags = {url: client.get(url)["ETag"] for url in public_urls(world)}

    bump_results_version(world.sixth)

    for url, etag in etags.items():
        assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 200, url


def test_bump_of_another_edition_keeps_an_editions_own_pages(client, world):
    url = results_url(world.sixth)
    etag = client.get(url)["ETag"]

    bump_results_version(world.y2021)

    assert client.get(url, HTTP_IF_NONE_MATCH=etag).status_code == 304


def test_archive_shows_an_edition_as_soon_as_its_embargo_passes_without_a_bump(client, world):
    url = reverse("results:archive")
    assert "尚未发布的汕头案例" not in client.get(url).text

    world.seventh.results_published_at = timezone.now() - timedelta(seconds=1)
    world.seventh.save()

    assert "尚未发布的汕头案例" in client.get(url).text


def test_cached_page_disappears_when_edition_is_withdrawn_from_view(client, world):
    url = results_url(world.sixth)
    assert client.get(url).status_code == 200

    world.sixth.results_published_at = timezone.now() + timedelta(days=1)
    world.sixth.save()

    assert client.get(url).status_code == 404


@pytest.mark.parametrize("status", [EditionStatus.REVIEWING, EditionStatus.PUBLICITY])
def test_cached_page_disappears_when_edition_leaves_published(client, world, status):
    url = results_url(world.sixth)
    assert client.get(url).status_code == 200

    world.sixth.status = status
    world.sixth.save()

    assert client.get(url).status_code == 404


def test_cached_page_disappears_from_the_old_address_when_a_slug_changes(client, world):
    old = results_url(world.sixth)
    assert client.get(old).status_code == 200

    world.sixth.programme.slug = "renamed"
    world.sixth.programme.save()

    assert client.get(old).status_code == 404
    assert client.get(results_url(world.sixth)).status_code == 200


def test_change_made_around_save_is_seen_once_the_remembered_answer_expires(client, world):
    url = results_url(world.sixth)
    assert client.get(url).status_code == 200

    Edition.objects.filter(pk=world.sixth.pk).update(status=EditionStatus.REVIEWING)

    with time_machine.travel(timezone.now() + timedelta(seconds=31), tick=False):
        assert client.get(url).status_code == 404


def test_not_found_is_never_cached(client, world):
    response = client.get(results_url(world.seventh))

    assert response.status_code == 404
    assert "no-store" in response["Cache-Control"]
    assert "public" not in response["Cache-Control"]


@pytest.mark.parametrize("who", ["member", "organiser"])
def test_logged_in_visitor_gets_the_shared_page_without_personal_content(client, world, who):
    user = (
        make_member(unit=world.st_propaganda, full_name="单位成员张三")
        if who == "member"
        else make_organiser(full_name="组织方李四")
    )
    client.force_login(user)
    anonymous = Client()

    for url in public_urls(world):
        cache.clear()
        personal = client.get(url)  # renders and fills the shared cache
        shared = anonymous.get(url)

        for response in (personal, shared):
            assert user.full_name not in response.text, url
            assert user.email not in response.text, url
            assert "csrfmiddlewaretoken" not in response.text, url
            assert "后台管理" not in response.text, url
            assert not response.cookies, url
        assert shared.content == personal.content
        assert shared["ETag"] == personal["ETag"]


def test_language_is_part_of_the_cache_key(client, world):
    url = results_url(world.sixth)
    chinese = client.get(url)

    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")

    assert english["Content-Language"] == "en"
    assert '<html lang="en">' in english.text
    assert english["ETag"] != chinese["ETag"]
    assert client.get(url)["ETag"] == chinese["ETag"]


def test_unknown_query_parameters_do_not_reach_the_cached_page(client, world):
    url = results_url(world.sixth)

    response = client.get(url + "?next=%2Fevil&x=%3Cscript%3E")

    assert "evil" not in response.text
    assert "&lt;script" not in response.text
    assert f'<input name="next" type="hidden" value="{url}">' in response.text
    assert client.get(url)["ETag"] == response["ETag"]


def test_language_switch_of_public_pages_works_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)

    response = client.post(
        reverse("results:set-language"), {"language": "en", "next": results_url(world.sixth)}
    )

    assert response.status_code == 302
    assert response["Location"] == results_url(world.sixth)
    assert response.cookies["django_language"].value == "en"
    assert '<html lang="en">' in client.get(results_url(world.sixth)).text


def test_language_switch_refuses_an_outside_next_address(world):
    response = Client().post(
        reverse("results:set-language"), {"language": "en", "next": "https://evil.example/"}
    )

    assert response["Location"] == "/"


def test_results_version_is_stable_until_bumped(world):
    first = results_version(world.sixth)

    assert results_version(world.sixth) == first
    assert bump_results_version(world.sixth) == first + 1
    assert results_versions([world.sixth.pk, world.y2021.pk])[world.sixth.pk] == first + 1


def test_bump_without_a_counter_starts_a_fresh_version(world):
    bumped = bump_results_version(world.sixth)

    assert results_version(world.sixth) == bumped


def test_public_header_offers_the_same_account_link_to_everybody(client, world):
    anonymous = Client().get(results_url(world.sixth))
    client.force_login(make_organiser(full_name="组织方李四"))
    signed_in = client.get(results_url(world.sixth))

    for response in (anonymous, signed_in):
        assert f'<a href="{reverse("login")}">登录 / 我的账户</a>' in response.text
        assert "退出" not in response.text
