"""Reads of the cases app: the hand-written visibility check of the cached public pages
gives what the ORM selector gives, for every state an edition can be in."""

from datetime import timedelta

import pytest
from django.utils import timezone

from cases.models import EditionStatus
from cases.selectors import results_visible_edition_id, results_visible_editions
from tests.factories import make_edition, make_programme

pytestmark = pytest.mark.django_db

PAST, FUTURE = timedelta(days=-1), timedelta(days=1)


@pytest.mark.parametrize("status", EditionStatus.values)
@pytest.mark.parametrize("published", [PAST, FUTURE, None], ids=["past", "future", "never"])
def test_visible_edition_id_agrees_with_the_selector(status, published):
    now = timezone.now()
    edition = make_edition(
        programme=make_programme(slug="yuezhi"),
        status=status,
        slug="6",
        results_published_at=None if published is None else now + published,
    )
    expected = results_visible_editions(at=now).filter(pk=edition.pk).exists()

    found = results_visible_edition_id(programme_slug="yuezhi", edition_slug="6", at=now)

    assert found == (edition.pk if expected else None)
    # published or archived with the time reached: the cases where the page is shown
    assert expected == (
        status in (EditionStatus.PUBLISHED, EditionStatus.ARCHIVED) and published == PAST
    )


def test_visible_edition_id_is_the_edition_of_that_programme():
    now = timezone.now()
    shown = {"status": EditionStatus.PUBLISHED, "results_published_at": now + PAST}
    first = make_edition(programme=make_programme(slug="yuezhi"), slug="6", **shown)
    second = make_edition(programme=make_programme(slug="yueyoushu"), slug="6", **shown)

    assert results_visible_edition_id(programme_slug="yuezhi", edition_slug="6") == first.pk
    assert results_visible_edition_id(programme_slug="yueyoushu", edition_slug="6") == second.pk
    assert results_visible_edition_id(programme_slug="yuezhi", edition_slug="7") is None
    assert results_visible_edition_id(programme_slug="other", edition_slug="6") is None


def test_visible_edition_id_at_the_exact_publication_time():
    at = timezone.now().replace(microsecond=0)
    edition = make_edition(
        programme=make_programme(slug="yuezhi"),
        status=EditionStatus.PUBLISHED,
        slug="6",
        results_published_at=at,
    )

    before = results_visible_edition_id(
        programme_slug="yuezhi", edition_slug="6", at=at - timedelta(microseconds=1)
    )
    on_time = results_visible_edition_id(programme_slug="yuezhi", edition_slug="6", at=at)

    assert (before, on_time) == (None, edition.pk)
