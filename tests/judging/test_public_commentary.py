"""The public results page prints the committee's approved commentary (评委会点评) with its
signature, after the embargo only, and a change to it reaches the cached page; the edition
page links to the 公示 list while the edition is in publicity."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry, EditionStatus
from judging.models import CitationStatus, EditionCommentary
from judging.services.commentary import edition_commentary_save
from tests.factories import (
    make_award,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_programme,
    make_tier,
    make_unit,
)
from tests.judging.public_data import awarded_case, build_world, published_edition, results_url

pytestmark = pytest.mark.django_db

TEXT = "本届案例聚焦数字政府建设,涌现出一批可复制、可推广的创新做法。"
SIGNATURE = "“粤治—治理现代化”评审委员会"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


@pytest.fixture
def world():
    return build_world()


def save_commentary(edition, *, approved, text=TEXT):
    return edition_commentary_save(
        edition=edition, text=text, signed_as=SIGNATURE, approved=approved, by=make_organiser()
    )


def test_results_page_prints_the_approved_commentary_with_its_signature(client, world):
    save_commentary(world.sixth, approved=True)

    response = client.get(results_url(world.sixth))

    assert response.status_code == 200
    assert '<h2 id="committee-commentary">评委会点评</h2>' in response.text
    assert TEXT in response.text
    assert f'<p class="commentator">{SIGNATURE}</p>' in response.text


def test_results_page_hides_a_commentary_not_yet_approved(client, world):
    save_commentary(world.sixth, approved=False)

    response = client.get(results_url(world.sixth))

    assert response.status_code == 200
    assert "评委会点评" not in response.text
    assert TEXT not in response.text


@pytest.mark.parametrize("who", ["public", "unit member", "judge", "organiser"])
def test_commentary_is_not_shown_anywhere_before_the_embargo(client, world, who):
    # 第七届 is published with its embargo tomorrow.
    save_commentary(world.seventh, approved=True)
    if who == "unit member":
        client.force_login(make_member(unit=make_unit()))
    elif who == "judge":
        client.force_login(make_judge().user)
    elif who == "organiser":
        client.force_login(make_organiser())

    results = client.get(results_url(world.seventh))
    edition_page = client.get(world.seventh.get_absolute_url())

    assert results.status_code == 404
    assert TEXT not in results.text
    assert TEXT not in edition_page.text


def test_approving_the_commentary_reaches_the_cached_page(
    client, world, django_capture_on_commit_callbacks
):
    save_commentary(world.sixth, approved=False)
    before = client.get(results_url(world.sixth))  # cached without the commentary

    with django_capture_on_commit_callbacks(execute=True):
        save_commentary(world.sixth, approved=True)
    after = client.get(results_url(world.sixth))

    assert TEXT not in before.text
    assert TEXT in after.text
    assert after["ETag"] != before["ETag"]


def test_changing_the_commentary_in_the_admin_reaches_the_cached_page(
    client, world, django_capture_on_commit_callbacks
):
    commentary = save_commentary(world.sixth, approved=True)
    assert TEXT in client.get(results_url(world.sixth)).text
    client.force_login(make_organiser())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:judging_editioncommentary_change", args=[commentary.pk]),
            {"text": "修订后的评委会点评。", "signed_as": SIGNATURE, "approved": "on"},
        )
    client.logout()
    page = client.get(results_url(world.sixth))

    assert response.status_code == 302
    assert "修订后的评委会点评。" in page.text
    assert TEXT not in page.text


def test_deleting_the_commentary_in_the_admin_is_audited_and_reaches_the_cached_page(
    client, world, django_capture_on_commit_callbacks
):
    commentary = save_commentary(world.sixth, approved=True)
    assert TEXT in client.get(results_url(world.sixth)).text
    client.force_login(make_organiser())

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:judging_editioncommentary_delete", args=[commentary.pk]),
            {"post": "yes"},
        )
    client.logout()
    page = client.get(results_url(world.sixth))

    assert response.status_code == 302
    assert not EditionCommentary.objects.exists()
    assert AuditEntry.objects.get(code="judging.edition_commentary.deleted").data["text"] == TEXT
    assert TEXT not in page.text


@pytest.mark.parametrize("rows", [1, 5])
def test_results_query_count_with_a_commentary_does_not_grow(
    client, django_assert_num_queries, rows
):
    edition = published_edition(programme=make_programme(), year=2022, title="第九届", slug="9")
    tier = make_tier(edition=edition, name="优秀案例")
    for n in range(rows):
        category = make_category(edition=edition, order=n)
        case = awarded_case(edition=edition, category=category, lead_units=[make_unit()])
        make_award(
            case=case,
            tier=tier,
            citation=f"点评{n}",
            citation_status=CitationStatus.APPROVED,
            commentator=make_judge(affiliation=make_unit()),
        )
    save_commentary(edition, approved=True)

    # The same four as without a commentary: embargo check; edition (commentary joined);
    # awards with tier, category, units and commentator joined; ordered lead units.
    with django_assert_num_queries(4):
        response = client.get(results_url(edition))
    # Served from the server cache, the embargo check's answer remembered: no query.
    with django_assert_num_queries(0):
        cached = client.get(results_url(edition))

    assert response.text.count('class="award"') == rows
    assert TEXT in response.text and TEXT in cached.text


# --- the edition page's link to the 公示 list ----------------------------------------------
def publicity_edition(*, starts_in_days=-1, status=EditionStatus.PUBLICITY, categories=1):
    now = timezone.now()
    edition = make_edition(
        status=status,
        title="第八届",
        publicity_starts_at=now + timedelta(days=starts_in_days),
        publicity_ends_at=now + timedelta(days=starts_in_days + 7),
    )
    for n in range(categories):
        make_category(edition=edition, order=n)
    return edition


def publicity_url(edition):
    return reverse(
        "judging:publicity-list",
        kwargs={"programme": edition.programme.slug, "edition": edition.slug},
    )


def test_edition_page_links_to_the_publicity_list_during_publicity(client):
    edition = publicity_edition()

    page = client.get(edition.get_absolute_url())
    listing = client.get(publicity_url(edition))

    assert f'href="{publicity_url(edition)}"' in page.text
    assert "查看获奖名单公示" in page.text
    assert listing.status_code == 200


@pytest.mark.parametrize(
    ("status", "starts_in_days"),
    [
        (EditionStatus.PUBLICITY, 1),  # the window has not started
        (EditionStatus.DECIDING, -1),
        (EditionStatus.PUBLISHED, -1),
    ],
)
def test_edition_page_has_no_publicity_link_outside_publicity(client, status, starts_in_days):
    edition = publicity_edition(status=status, starts_in_days=starts_in_days)

    page = client.get(edition.get_absolute_url())

    assert page.status_code == 200
    assert publicity_url(edition) not in page.text
    assert "查看获奖名单公示" not in page.text
    assert client.get(publicity_url(edition)).status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize("status", [EditionStatus.PUBLICITY, EditionStatus.PUBLISHED])
def test_edition_page_query_count_is_the_same_with_or_without_the_link(
    client, django_assert_num_queries, rows, status
):
    edition = publicity_edition(status=status, categories=rows)

    # programme, edition, categories, tiers, results visible? — the 公示 flag needs none
    with django_assert_num_queries(5):
        response = client.get(edition.get_absolute_url())

    assert ("查看获奖名单公示" in response.text) == (status == EditionStatus.PUBLICITY)
