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


@pytest.fixture
def persistent_connection(settings):
    """The default connection as production keeps it: persistent, with health checks."""
    from django.db import connection

    connection.close()
    saved = {key: connection.settings_dict[key] for key in ("CONN_MAX_AGE", "CONN_HEALTH_CHECKS")}
    connection.settings_dict.update(CONN_MAX_AGE=None, CONN_HEALTH_CHECKS=True)
    connection.ensure_connection()
    yield connection
    connection.close()
    connection.settings_dict.update(saved)


class _RecordingCursor:
    def __init__(self, cursor, sent):
        self._cursor, self._sent = cursor, sent

    def __getattr__(self, name):
        return getattr(self._cursor, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        return self._cursor.__exit__(*exc_info)

    def __iter__(self):
        return iter(self._cursor)

    def execute(self, query, *args, **kwargs):
        self._sent.append(str(query))
        return self._cursor.execute(query, *args, **kwargs)


def _statements(connection, send):
    """The statements the server receives, Django's own health check included (a
    `SELECT 1` on a psycopg cursor of its own; SQLite's check sends nothing)."""
    sent = []
    raw = connection.connection
    if connection.vendor != "postgresql":
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            result = send()
        return result, [query["sql"] for query in captured.captured_queries]
    cursor = raw.cursor
    raw.cursor = lambda *args, **kwargs: _RecordingCursor(cursor(*args, **kwargs), sent)
    try:
        result = send()
    finally:
        del raw.cursor
    return result, sent


@pytest.mark.django_db(transaction=True)
def test_visible_edition_id_is_the_requests_only_statement(persistent_connection):
    from django.db import close_old_connections

    edition = make_edition(
        programme=make_programme(slug="yuezhi"),
        status=EditionStatus.PUBLISHED,
        slug="6",
        results_published_at=timezone.now() + PAST,
    )
    close_old_connections()  # a new request: the health check is due

    found, statements = _statements(
        persistent_connection,
        lambda: results_visible_edition_id(programme_slug="yuezhi", edition_slug="6"),
    )

    assert found == edition.pk
    assert len(statements) == 1  # no SELECT 1 before it


@pytest.mark.django_db(transaction=True)
def test_visible_edition_id_reconnects_when_the_server_dropped_the_connection(
    persistent_connection,
):
    from django.db import close_old_connections

    if persistent_connection.vendor != "postgresql":
        pytest.skip("a server that drops connections: PostgreSQL")
    import psycopg

    edition = make_edition(
        programme=make_programme(slug="yuezhi"),
        status=EditionStatus.PUBLISHED,
        slug="6",
        results_published_at=timezone.now() + PAST,
    )
    pid = persistent_connection.connection.info.backend_pid
    params = persistent_connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params, autocommit=True) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    close_old_connections()  # between requests: the connection looks fine until used

    found = results_visible_edition_id(programme_slug="yuezhi", edition_slug="6")

    assert found == edition.pk
    assert persistent_connection.connection.info.backend_pid != pid
