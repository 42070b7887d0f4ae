"""Reads of the cases app: querysets that carry their own prefetch bundle."""

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from .models import Edition, EditionStatus, Programme

PUBLIC_EDITION_STATES = [
    EditionStatus.OPEN,
    EditionStatus.SCREENING,
    EditionStatus.REVIEWING,
    EditionStatus.DECIDING,
    EditionStatus.PUBLICITY,
    EditionStatus.PUBLISHED,
    EditionStatus.ARCHIVED,
]


def public_editions():
    """Editions the public may see: everything but drafts."""
    return Edition.objects.filter(status__in=PUBLIC_EDITION_STATES).select_related("programme")


def programmes_with_editions():
    """Programmes for the home page, each with its public editions (newest first) and the
    count of open calls, in three queries whatever the number of programmes."""
    return (
        Programme.objects.annotate(
            open_calls=Count("editions", filter=Q(editions__status=EditionStatus.OPEN))
        )
        # an aggregate drops Meta.ordering, so the order is stated again
        .order_by("order", "name")
        .prefetch_related(
            Prefetch(
                "editions",
                queryset=public_editions().order_by("-year", "-number"),
                to_attr="public_editions",
            )
        )
    )


def open_editions():
    return (
        public_editions()
        .filter(status=EditionStatus.OPEN)
        .prefetch_related("categories")
        .order_by("closes_at")
    )


def results_visible_editions(at=None):
    """Editions whose results the public (and units) may read: published or archived, with the
    embargo time (`results_published_at`) reached. Organisers see everything in the admin."""
    from django.utils import timezone

    return public_editions().filter(
        status__in=[EditionStatus.PUBLISHED, EditionStatus.ARCHIVED],
        results_published_at__lte=at or timezone.now(),
    )


def publicity_open_editions(at=None):
    """Editions whose provisional award list (公示) is public now: in publicity and the
    window has started. The list itself is a judging page."""
    return public_editions().filter(
        status=EditionStatus.PUBLICITY, publicity_starts_at__lte=at or timezone.now()
    )


def is_publicity_open(edition, at=None):
    """The same rule as `publicity_open_editions`, for an edition already loaded (no query)."""
    return (
        edition.status == EditionStatus.PUBLICITY
        and edition.publicity_starts_at is not None
        and edition.publicity_starts_at <= (at or timezone.now())
    )
