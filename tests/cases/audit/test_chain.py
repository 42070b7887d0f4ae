"""LOG-02: each row is chained to the one before; `verify_audit` finds a changed, deleted
or moved row; concurrent appends keep the chain whole."""

import threading

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, connections

from cases.audit import triggers
from cases.audit.chain import GENESIS, canonical, row_hash, verify_chain
from cases.models import AuditEntry
from cases.services import audit_log
from tests.factories import make_edition, make_user


def write_rows(count):
    edition = make_edition()
    return [audit_log(code=f"cases.test.e{i}", obj=edition, data={"i": i}) for i in range(count)]


def run_verify():
    with pytest.raises(CommandError) as error:
        call_command("verify_audit")
    return str(error.value)


def sql(statement, params=()):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


@pytest.mark.django_db
def test_rows_are_chained_from_the_genesis_hash():
    first, second = write_rows(2)

    assert (first.seq, first.prev_hash, second.seq, second.prev_hash) == (
        1,
        GENESIS,
        2,
        first.hash,
    )
    stored = AuditEntry.objects.values(
        "code", "actor_id", "actor_label", "created_at", "object_type", "object_id"
    ).get(pk=second.pk)
    assert stored["code"] == "cases.test.e1"
    assert second.hash == row_hash(
        {
            **stored,
            "object_repr": second.object_repr,
            "result": "success",
            "data": {"i": 1},
            "ip": None,
            "user_agent": "",
        },
        first.hash,
    )


@pytest.mark.django_db
def test_canonical_form_is_sorted_compact_json_in_utc():
    entry = write_rows(1)[0]
    text = canonical(
        {f: getattr(entry, f) for f in ("code", "actor_id", "actor_label", "created_at")}
        | {
            "object_type": "cases.edition",
            "object_id": "7",
            "object_repr": "届",
            "result": "success",
            "data": {"b": 1, "a": [1, 2]},
            "ip": "10.0.0.1",
            "user_agent": "UA",
        },
        GENESIS,
    ).decode()

    assert text.startswith(
        '{"actor_id":null,"actor_label":"","code":"cases.test.e0","created_at":"'
    )
    assert '"data":{"a":[1,2],"b":1}' in text
    assert text.endswith(f'"prev_hash":"{GENESIS}","result":"success","user_agent":"UA"}}')
    assert entry.created_at.strftime("%Y-%m-%dT%H:%M:%S.%fZ") in text


@pytest.mark.django_db
def test_verify_audit_passes_an_intact_trail(capsys):
    write_rows(3)

    call_command("verify_audit")

    assert capsys.readouterr().out == "audit trail intact: 3 rows, chain verified\n"


@pytest.mark.django_db
def test_verify_audit_names_a_changed_row():
    rows = write_rows(4)
    triggers.drop(connection)  # what an attacker with DDL rights would do; rolled back
    sql("UPDATE cases_auditentry SET data = %s WHERE id = %s", ['{"i": 99}', rows[1].pk])

    message = run_verify()

    assert f"first: changed: seq 2 (id {rows[1].pk}): content does not match" in message


@pytest.mark.django_db
def test_verify_audit_names_a_deleted_row():
    rows = write_rows(4)
    triggers.drop(connection)
    sql("DELETE FROM cases_auditentry WHERE id = %s", [rows[2].pk])

    message = run_verify()

    assert (
        f"first: deleted: seq 3: rows 3–3 are missing (next present: seq 4, id {rows[3].pk})"
        in (message)
    )


@pytest.mark.django_db
def test_verify_audit_names_the_last_rows_deleted():
    write_rows(4)
    triggers.drop(connection)
    sql("DELETE FROM cases_auditentry WHERE seq >= 3")

    message = run_verify()

    assert "first: deleted: seq 3: the chain ends at seq 2 but 4 rows were written" in message


@pytest.mark.django_db
def test_verify_audit_names_two_swapped_rows():
    rows = write_rows(4)
    triggers.drop(connection)
    sql("UPDATE cases_auditentry SET seq = 1000 WHERE id = %s", [rows[1].pk])
    sql("UPDATE cases_auditentry SET seq = 2 WHERE id = %s", [rows[2].pk])
    sql("UPDATE cases_auditentry SET seq = 3 WHERE id = %s", [rows[1].pk])

    checked, problems = verify_chain()

    assert checked == 4
    assert [str(p) for p in problems] == [
        f"reordered: seq 2 (id {rows[2].pk}): does not follow the row before it",
        f"reordered: seq 3 (id {rows[1].pk}): does not follow the row before it",
        f"reordered: seq 4 (id {rows[3].pk}): does not follow the row before it",
    ]
    assert f"first: reordered: seq 2 (id {rows[2].pk})" in run_verify()


@pytest.mark.django_db(transaction=True)
def test_concurrent_appends_keep_one_unbroken_chain():
    edition = make_edition()
    user = make_user()
    threads_count, per_thread = 4, 15
    errors = []
    start = threading.Barrier(threads_count)

    def worker(number):
        try:
            start.wait()
            for i in range(per_thread):
                audit_log(
                    code="cases.test.thread", obj=edition, by=user, data={"t": number, "i": i}
                )
        except Exception as error:  # reported below; a thread must not die silently
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(threads_count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    checked, problems = verify_chain()
    assert (checked, problems) == (60, [])
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == list(
        range(1, 61)
    )
