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


VISIBLE_STATES = (EditionStatus.PUBLISHED.value, EditionStatus.ARCHIVED.value)
_visible_edition_sql = {}  # per database vendor


def results_visible_edition_id(*, programme_slug, edition_slug, at=None):
    """The id of the edition at these slugs if `results_visible_editions()` has it, else None.

    The same rule in one hand-written statement: it runs before every request of the cached
    public results pages, where building the query with the ORM took twenty times as long
    as running it (press day: the page itself comes from the cache). Tested against
    `results_visible_editions()`. The statement is also the request's database health check
    (`fetch_checking_health`): a cached page asks the database one statement, not two.
    """
    from django.db import connection

    sql = _visible_edition_sql.get(connection.vendor)
    if sql is None:
        quote = connection.ops.quote_name
        edition, programme = Edition._meta, Programme._meta
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
        _visible_edition_sql[connection.vendor] = sql
    params = [
        programme_slug,
        edition_slug,
        *VISIBLE_STATES,
        connection.ops.adapt_datetimefield_value(at or timezone.now()),
    ]
    rows = fetch_checking_health(lambda cursor: cursor.execute(sql, params))
    return rows[0][0] if len(rows) == 1 else None


def fetch_checking_health(execute):
    """The rows of the statement `execute(cursor)` runs, with that statement standing in for
    Django's health check (CONN_HEALTH_CHECKS), which would send a `SELECT 1` first.

    When the check is due — a persistent connection's first statement in this request — the
    statement runs without it; if it fails because the connection is gone (the server
    restarted, a proxy dropped it), the connection is closed and the statement runs once more
    on a fresh one, as after a failed health check. Inside a transaction a broken connection
    cannot be replaced, so there the error is raised, as it would be without the shortcut.
    For reads only: the statement may run twice.
    """
    from django.db import InterfaceError, OperationalError, connection

    check_due = (
        connection.connection is not None
        and connection.health_check_enabled
        and not connection.health_check_done
        and not connection.in_atomic_block
    )
    if check_due:
        connection.health_check_done = True
    try:
        with connection.cursor() as cursor:
            execute(cursor)
            return cursor.fetchall()
    except (InterfaceError, OperationalError):
        if not check_due or connection.is_usable():
            raise
    connection.close()
    with connection.cursor() as cursor:
        execute(cursor)
        return cursor.fetchall()
