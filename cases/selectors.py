"""Reads of the cases app: querysets that carry their own prefetch bundle."""

from django.db.models import Count, Prefetch, Q

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
    return Programme.objects.annotate(
        open_calls=Count("editions", filter=Q(editions__status=EditionStatus.OPEN))
    ).prefetch_related(
        Prefetch(
            "editions",
            queryset=public_editions().order_by("-year", "-number"),
            to_attr="public_editions",
        )
    )


def open_editions():
    return (
        public_editions()
        .filter(status=EditionStatus.OPEN)
        .prefetch_related("categories")
        .order_by("closes_at")
    )
