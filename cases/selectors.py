"""Reads of the cases app: querysets that carry their own prefetch bundle."""

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
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
                queryset=public_editions()
                .annotate(
                    results_visible=Exists(
                        results_visible_editions().filter(pk=OuterRef("pk")).values("pk")
                    )
                )
                .order_by("-year", "-number"),
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


def results_visible_edition_id(*, programme_slug, edition_slug, at=None):
    """The id of the edition at these slugs if `results_visible_editions()` has it, else None.

    The same rule in one hand-written statement: it runs before every request of the cached
    public results pages, where building the query with the ORM took twenty times as long
    as running it (press day: the page itself comes from the cache). Tested against
    `results_visible_editions()`.
    """
    from django.db import connection
    from django.utils import timezone

    quote = connection.ops.quote_name
    edition, programme = Edition._meta, Programme._meta
    visible = [EditionStatus.PUBLISHED.value, EditionStatus.ARCHIVED.value]
    # Only identifiers from the models' metadata are formatted into the SQL; values are
    # parameters.
    sql = (
        f"SELECT e.{quote(edition.pk.column)} FROM {quote(edition.db_table)} e "  # noqa: S608
        f"INNER JOIN {quote(programme.db_table)} p "
        f"ON p.{quote(programme.pk.column)} = e.{quote(edition.get_field('programme').column)} "
        f"WHERE p.{quote(programme.get_field('slug').column)} = %s "
        f"AND e.{quote(edition.get_field('slug').column)} = %s "
        f"AND e.{quote(edition.get_field('status').column)} IN (%s, %s) "
        f"AND e.{quote(edition.get_field('results_published_at').column)} <= %s"
    )
    at = at or timezone.now()
    published_at = edition.get_field("results_published_at").get_db_prep_value(
        at, connection, prepared=False
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [programme_slug, edition_slug, *visible, published_at])
        rows = cursor.fetchall()
    return rows[0][0] if len(rows) == 1 else None
