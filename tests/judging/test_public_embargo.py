"""Nothing of an edition's results is public before its embargo time, whoever asks
(DESIGN.md §6; organisers read unpublished results in the back office, not here)."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases.models import EditionStatus
from judging.models import PanelRole
from tests.factories import (
    make_award,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_unit,
)
from tests.judging.public_data import (
    awarded_case,
    build_world,
    case_url,
    region_history_url,
    results_url,
    statistics_url,
    unit_history_url,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "unit member", "other unit", "judge", "panel chair", "organiser"]


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    w = build_world()
    # A unit whose only award is still under embargo.
    w.embargoed_only_unit = make_unit(name="只有禁发期奖项的单位", region=w.haojiang)
    w.embargoed_only_case = awarded_case(
        edition=w.seventh,
        category=w.seventh_zf,
        lead_units=[w.embargoed_only_unit],
        title="禁发期里的第二个案例",
    )
    make_award(case=w.embargoed_only_case, tier=w.seventh_tier)
    return w


def log_in_as(client, role, world):
    if role == "unit member":
        client.force_login(make_member(unit=world.st_propaganda))
    elif role == "other unit":
        client.force_login(make_member(unit=world.yuexiu_bureau))
    elif role == "judge":  # the expert who wrote the embargoed citation
        client.force_login(world.embargoed_judge.user)
    elif role == "panel chair":
        chair = make_judge()
        make_panel(
            edition=world.seventh,
            categories=[world.seventh_zf],
            judges=[chair],
            role=PanelRole.CHAIR,
        )
        client.force_login(chair.user)
    elif role == "organiser":
        client.force_login(make_organiser())


EMBARGOED_TEXT = ["尚未发布的汕头案例", "禁发期内的简介", "禁发期内的点评", "禁发期专家", "第七届"]


@pytest.mark.parametrize("role", ROLES)
def test_edition_pages_are_404_before_embargo(client, world, role):
    log_in_as(client, role, world)

    for url in [
        results_url(world.seventh),
        case_url(world.embargoed),
        statistics_url(world.seventh),
        unit_history_url(world.embargoed_only_unit),
    ]:
        response = client.get(url)
        assert response.status_code == 404, url
        for text in EMBARGOED_TEXT:
            assert text not in response.text


@pytest.mark.parametrize("role", ROLES)
def test_cross_edition_pages_omit_embargoed_results(client, world, role):
    log_in_as(client, role, world)

    for url in [
        reverse("results:archive"),
        reverse("results:archive") + "?keywords=禁发期",
        unit_history_url(world.st_propaganda),
        region_history_url(world.shantou),
        region_history_url(world.guangdong),
    ]:
        response = client.get(url)
        assert response.status_code == 200, url
        for text in [*EMBARGOED_TEXT, "禁发期里的第二个案例", "只有禁发期奖项的单位"]:
            assert text not in response.text, (url, text)
        # The archive offers no choice that exists only in embargoed results.
        assert '<option value="2020">' not in response.text


@pytest.mark.parametrize("role", ROLES)
def test_everything_is_visible_once_embargo_passes(client, world, role):
    world.seventh.results_published_at = timezone.now() - timedelta(minutes=1)
    world.seventh.save()
    log_in_as(client, role, world)

    assert "尚未发布的汕头案例" in client.get(results_url(world.seventh)).text
    assert "禁发期内的点评" in client.get(case_url(world.embargoed)).text
    assert client.get(statistics_url(world.seventh)).status_code == 200
    assert "禁发期里的第二个案例" in client.get(unit_history_url(world.embargoed_only_unit)).text
    assert "尚未发布的汕头案例" in client.get(reverse("results:archive")).text
    assert "尚未发布的汕头案例" in client.get(unit_history_url(world.st_propaganda)).text
    assert "禁发期里的第二个案例" in client.get(region_history_url(world.shantou)).text


@pytest.mark.parametrize(
    "status",
    [
        EditionStatus.REVIEWING,
        EditionStatus.DECIDING,
        EditionStatus.PUBLICITY,  # the provisional 公示 list is not the published results
    ],
)
def test_unpublished_edition_is_hidden_even_with_a_past_publication_time(client, world, status):
    world.sixth.status = status
    world.sixth.save()

    assert client.get(results_url(world.sixth)).status_code == 404
    assert client.get(case_url(world.chuangwen)).status_code == 404
    assert client.get(statistics_url(world.sixth)).status_code == 404
    assert world.chuangwen.title not in client.get(reverse("results:archive")).text
    assert world.chuangwen.title not in client.get(region_history_url(world.shantou)).text


def test_published_edition_without_publication_time_is_hidden(client, world):
    world.sixth.results_published_at = None
    world.sixth.save()

    assert client.get(results_url(world.sixth)).status_code == 404
    assert world.chuangwen.title not in client.get(reverse("results:archive")).text


def test_archived_edition_stays_visible(client, world):
    world.sixth.status = EditionStatus.ARCHIVED
    world.sixth.save()

    assert world.chuangwen.title in client.get(results_url(world.sixth)).text
    assert world.chuangwen.title in client.get(reverse("results:archive")).text
