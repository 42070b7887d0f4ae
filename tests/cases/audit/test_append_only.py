"""LOG-02: the audit table is append-only in the database, on SQLite and PostgreSQL."""

import pytest
from django.db import DatabaseError, connection, transaction

from cases.audit import triggers
from cases.models import AuditChainHead, AuditEntry
from cases.services import audit_log
from tests.factories import make_edition, make_user

pytestmark = pytest.mark.django_db


def refused(action):
    with pytest.raises(DatabaseError, match="append-only|chain head"), transaction.atomic():
        action()


@pytest.fixture
def entry():
    edition = make_edition()
    return audit_log(code="cases.edition.test", obj=edition, data={"k": 1})


def test_orm_queryset_update_is_refused(entry):
    refused(lambda: AuditEntry.objects.filter(pk=entry.pk).update(code="forged"))

    assert AuditEntry.objects.get(pk=entry.pk).code == "cases.edition.test"


def test_save_of_an_existing_row_is_refused(entry):
    entry.data = {"k": 2}

    refused(entry.save)

    assert AuditEntry.objects.get(pk=entry.pk).data == {"k": 1}


def test_delete_of_a_row_and_of_a_queryset_is_refused(entry):
    refused(entry.delete)
    refused(lambda: AuditEntry.objects.all().delete())

    assert AuditEntry.objects.count() == 1


def test_raw_sql_update_and_delete_are_refused(entry):
    def raw(sql):
        with connection.cursor() as cursor:
            cursor.execute(sql)

    refused(lambda: raw("UPDATE cases_auditentry SET code = 'forged'"))
    refused(lambda: raw("DELETE FROM cases_auditentry"))

    assert AuditEntry.objects.filter(code="cases.edition.test").count() == 1


@pytest.mark.skipif(connection.vendor != "postgresql", reason="TRUNCATE is PostgreSQL's")
def test_truncate_is_refused_on_postgresql(entry):
    def truncate():
        with connection.cursor() as cursor:
            cursor.execute("TRUNCATE cases_auditentry")

    refused(truncate)


def test_chain_head_moves_forward_only_and_is_never_deleted(entry):
    refused(lambda: AuditChainHead.objects.filter(pk=1).update(seq=0))
    refused(lambda: AuditChainHead.objects.filter(pk=1).delete())

    assert AuditChainHead.objects.get(pk=1).seq == entry.seq == 1


def test_triggers_are_installed():
    # A later migration that rebuilds the table on SQLite (AlterField) would silently drop
    # them: this test is what notices.
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cursor.execute("SELECT tgname FROM pg_trigger WHERE NOT tgisinternal")
        names = {row[0] for row in cursor.fetchall()}

    expected = {
        "sqlite": {
            "audit_no_update",
            "audit_no_delete",
            "audit_head_no_delete",
            "audit_head_forward_only",
        },
        "postgresql": {
            "audit_no_update_delete",
            "audit_no_truncate",
            "audit_head_no_delete",
            "audit_head_no_truncate",
            "audit_head_forward_only",
        },
    }[connection.vendor]
    assert expected <= names
    assert set(triggers.STATEMENTS) == {"sqlite", "postgresql"}


def test_deleting_a_user_leaves_their_audit_rows_untouched():
    user = make_user(email="leaver@example.org")
    edition = make_edition()
    entry = audit_log(code="cases.edition.test", obj=edition, by=user)
    user_id = user.pk

    user.delete()

    kept = AuditEntry.objects.get(pk=entry.pk)
    assert (kept.actor_id, kept.actor_label, kept.hash) == (
        user_id,
        "leaver@example.org",
        entry.hash,
    )


def test_deactivating_a_user_keeps_the_actor_on_its_rows():
    user = make_user(email="inactive@example.org")
    entry = audit_log(code="cases.edition.test", obj=make_edition(), by=user)

    user.is_active = False
    user.save()

    assert AuditEntry.objects.select_related("actor").get(pk=entry.pk).actor == user
