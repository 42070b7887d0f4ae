"""The Round admin reaches the round's result and progress pages (and back), and edits the
vote thresholds of a plenary."""

import re
from html import unescape

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from cases.models import CaseStatus, EditionStatus
from judging.models import RoundKind, RoundStatus, VoteThreshold
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_organiser,
    make_round,
    make_round_entry,
    make_tier,
    make_user,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition, name="政府治理")
    scoring = make_round(
        edition=edition,
        order=1,
        name="专家评审",
        status=RoundStatus.CLOSED,
        criteria=[("创新性", 1, 10)],
    )
    plenary = make_round(
        edition=edition, order=2, name="全体会议", kind=RoundKind.VOTE, status=RoundStatus.OPEN
    )
    case = make_case(edition=edition, category=category, status=CaseStatus.IN_REVIEW)
    make_round_entry(round=scoring, case=case, rank=1, score=80)
    return {
        "edition": edition,
        "scoring": scoring,
        "plenary": plenary,
        "best": make_tier(edition=edition, name="最佳案例", order=1),
        "excellent": make_tier(edition=edition, name="优秀案例", order=2),
    }


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def links(html):
    """`{label: href}` of the page's links."""
    return {
        unescape(re.sub(r"<[^>]+>", "", label)).strip(): unescape(href)
        for href, label in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', html)
    }


def change_url(round_):
    return reverse("admin:judging_round_change", args=[round_.pk])


def test_scoring_round_page_links_to_its_result_and_progress_pages(organiser_client, world):
    round_ = world["scoring"]

    page = organiser_client.get(change_url(round_))

    found = links(page.text)
    expected = {
        "排名表": reverse("admin:judging_round_ranking", args=[round_.pk]),
        "专家评分校准": reverse("admin:judging_round_calibration", args=[round_.pk]),
        "晋级": reverse("admin:judging_round_advancement", args=[round_.pk]),
        "导出 Excel": reverse("admin:judging_round_export_xlsx", args=[round_.pk]),
        "导出 CSV": reverse("admin:judging_round_export_csv", args=[round_.pk]),
        "专家进度": reverse("admin:judging_round_progress_judges", args=[round_.pk]),
        "案例进度": reverse("admin:judging_round_progress_cases", args=[round_.pk]),
    }
    assert {label: found.get(label) for label in expected} == expected
    for url in expected.values():
        assert organiser_client.get(url).status_code == 200, url


def test_vote_round_page_links_to_its_count_and_has_thresholds_not_criteria(
    organiser_client, world
):
    round_ = world["plenary"]

    page = organiser_client.get(change_url(round_))

    found = links(page.text)
    advancement = reverse("admin:judging_round_advancement", args=[round_.pk])
    assert found["投票统计与晋级"] == advancement
    assert "排名表" not in found and "导出 Excel" not in found
    assert 'name="vote_thresholds-TOTAL_FORMS"' in page.text
    assert 'name="criteria-TOTAL_FORMS"' not in page.text
    assert organiser_client.get(advancement).status_code == 200


def test_scoring_round_page_has_criteria_and_no_thresholds(organiser_client, world):
    page = organiser_client.get(change_url(world["scoring"]))

    assert 'name="criteria-TOTAL_FORMS"' in page.text
    assert 'name="vote_thresholds-TOTAL_FORMS"' not in page.text


def round_form(round_, **inline):
    data = {
        "name": round_.name,
        "order": round_.order,
        "kind": round_.kind,
        "opens_at_0": "",
        "opens_at_1": "",
        "closes_at_0": "",
        "closes_at_1": "",
        "reviews_per_case": round_.reviews_per_case,
        "aggregation": round_.aggregation,
        "advancement_rule": round_.advancement_rule,
        "advancement_value": "",
        "vote_mode": round_.vote_mode,
        "vote_thresholds-INITIAL_FORMS": "0",
        "vote_thresholds-MIN_NUM_FORMS": "0",
        "vote_thresholds-MAX_NUM_FORMS": "1000",
    }
    rows = inline.get("rows", [])
    data["vote_thresholds-TOTAL_FORMS"] = str(len(rows))
    for index, row in enumerate(rows):
        for name, value in row.items():
            data[f"vote_thresholds-{index}-{name}"] = value
    return data


def test_thresholds_are_saved_from_the_round_page(organiser_client, world):
    round_ = world["plenary"]
    rows = [
        {"tier": world["best"].pk, "numerator": 2, "denominator": 3, "inclusive": "on"},
        {"tier": "", "numerator": 3, "denominator": 5},
    ]

    response = organiser_client.post(change_url(round_), round_form(round_, rows=rows))

    assert response.status_code == 302
    saved = {
        (t.tier_id, t.numerator, t.denominator, t.inclusive)
        for t in VoteThreshold.objects.filter(round=round_)
    }
    assert saved == {(world["best"].pk, 2, 3, True), (None, 3, 5, False)}


def test_threshold_for_a_tier_of_another_edition_is_refused_next_to_the_row(
    organiser_client, world
):
    round_ = world["plenary"]
    foreign = make_tier(edition=make_edition(), name="最佳案例")
    rows = [{"tier": foreign.pk, "numerator": 2, "denominator": 3, "inclusive": "on"}]

    response = organiser_client.post(change_url(round_), round_form(round_, rows=rows))

    assert response.status_code == 200
    assert '<ul class="errorlist" id="id_vote_thresholds-0-tier_error">' in response.text
    assert not VoteThreshold.objects.exists()
    # The tier list offers this edition's tiers only.
    select = response.text.split('name="vote_thresholds-0-tier"')[1].split("</select>")[0]
    offered = [int(value) for value in re.findall(r'<option value="(\d+)"', select)]
    assert offered == [world["best"].pk, world["excellent"].pk]


def test_changelist_links_each_round_to_its_pages(organiser_client, world):
    page = organiser_client.get(reverse("admin:judging_round_changelist"))

    scoring, plenary = world["scoring"].pk, world["plenary"].pk
    assert reverse("admin:judging_round_ranking", args=[scoring]) in page.text
    assert reverse("admin:judging_round_advancement", args=[scoring]) in page.text
    assert reverse("admin:judging_round_advancement", args=[plenary]) in page.text
    assert reverse("admin:judging_round_ranking", args=[plenary]) not in page.text
    assert reverse("admin:judging_round_progress_judges", args=[plenary]) in page.text


def test_progress_page_links_to_the_results_and_results_link_back(organiser_client, world):
    round_ = world["scoring"]

    progress = organiser_client.get(
        reverse("admin:judging_round_progress_judges", args=[round_.pk])
    )
    ranking = organiser_client.get(reverse("admin:judging_round_ranking", args=[round_.pk]))

    assert links(progress.text)["排名表"] == reverse(
        "admin:judging_round_ranking", args=[round_.pk]
    )
    back = links(ranking.text)
    assert back["轮次设置"] == change_url(round_)
    assert back["专家进度"] == reverse("admin:judging_round_progress_judges", args=[round_.pk])


def test_staff_who_may_not_read_results_gets_no_result_links(client, world):
    staff = make_user(is_staff=True, is_superuser=False)
    staff.user_permissions.add(Permission.objects.get(codename="view_round"))
    client.force_login(staff)

    page = client.get(change_url(world["scoring"]))

    assert page.status_code == 200
    assert reverse("admin:judging_round_ranking", args=[world["scoring"].pk]) not in page.text
