"""LOG-03: audit rows are retained at least 180 days. Nothing ever deletes one (the database
refuses: tests/cases/audit/test_append_only.py); `archive_audit` copies the rows older than
N ≥ 180 days to a verifiable archive file and leaves every row online. Fixtures at 179 and
181 days: the 181-day row is archived, the 179-day row is not, both stay in the database, and
the live chain still verifies."""

import json
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, transaction
from django.utils import timezone

from cases.audit.chain import append, entry_values
from cases.models import AuditEntry

pytestmark = pytest.mark.django_db


def rows_aged(*days):
    """One row per age, appended in the order given (oldest first makes a normal chain)."""
    now = timezone.now()
    values = [
        entry_values(
            code=f"cases.test.aged_{age}",
            object_type="cases.test",
            object_id=str(age),
            object_repr=f"{age} 天前",
            created_at=now - timedelta(days=age),
            data={"age": age, "text": "中文 ü"},
            request=None,
        )
        for age in days
    ]
    return append(values)


def archive(tmp_path, *args, name="archive.jsonl"):
    path = tmp_path / name
    call_command("archive_audit", "--output", str(path), *args)
    return path


def archived_seqs(path):
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line)["seq"] for line in lines[1:]]


def test_181_days_is_archived_179_is_not_and_both_stay_online(tmp_path, capsys):
    old, young = rows_aged(181, 179)

    path = archive(tmp_path, "--older-than-days", "180")

    assert archived_seqs(path) == [old.seq]
    assert "nothing deleted" in capsys.readouterr().out
    assert list(AuditEntry.objects.order_by("seq").values_list("seq", flat=True)) == [
        old.seq,
        young.seq,
    ]
    call_command("verify_audit")  # the live chain is untouched
    assert "audit trail intact: 2 rows" in capsys.readouterr().out


def test_a_younger_row_is_never_archived_even_behind_an_older_one(tmp_path):
    # A row dated 181 days ago written after a 179-day row: the archive is a contiguous
    # stretch of the chain, so it stops before the first younger row.
    first, _young, late_old = rows_aged(200, 179, 181)

    path = archive(tmp_path)

    assert archived_seqs(path) == [first.seq]
    assert late_old.seq not in archived_seqs(path)


def test_less_than_180_days_is_refused(tmp_path):
    rows_aged(400)

    with pytest.raises(CommandError, match="at least 180"):
        archive(tmp_path, "--older-than-days", "179")

    assert not (tmp_path / "archive.jsonl").exists()


def test_nothing_old_enough_writes_no_file(tmp_path):
    rows_aged(179)

    with pytest.raises(CommandError, match="no audit row older than"):
        archive(tmp_path)

    assert not (tmp_path / "archive.jsonl").exists()


def test_an_archive_is_never_overwritten(tmp_path):
    rows_aged(181)
    path = tmp_path / "archive.jsonl"
    path.write_text("kept")

    with pytest.raises(CommandError, match="never overwritten"):
        archive(tmp_path)

    assert path.read_text() == "kept"


def test_incremental_archives_continue_the_chain(tmp_path, capsys):
    rows = rows_aged(300, 250, 190, 10)
    first = archive(tmp_path, "--older-than-days", "200", name="a1.jsonl")
    second = archive(tmp_path, "--after-seq", str(rows[1].seq), name="a2.jsonl")

    assert archived_seqs(first) == [rows[0].seq, rows[1].seq]
    assert archived_seqs(second) == [rows[2].seq]
    capsys.readouterr()
    for path in (first, second):
        call_command("verify_audit", "--archive", str(path))
        assert "audit archive intact" in capsys.readouterr().out
    assert AuditEntry.objects.count() == 4


def test_verify_archive_finds_an_edited_or_dropped_row(tmp_path):
    rows_aged(300, 250, 240)
    path = archive(tmp_path)
    lines = path.read_text(encoding="utf-8").splitlines()
    row = json.loads(lines[2])
    row["object_repr"] = "改过"
    edited = tmp_path / "edited.jsonl"
    edited.write_text("\n".join([lines[0], lines[1], json.dumps(row), lines[3]]) + "\n")
    dropped = tmp_path / "dropped.jsonl"
    dropped.write_text("\n".join([lines[0], lines[1], lines[3]]) + "\n")

    with pytest.raises(CommandError, match="content does not match its stored hash"):
        call_command("verify_audit", "--archive", str(edited))
    with pytest.raises(CommandError, match="the manifest says 3 rows, the file has 2"):
        call_command("verify_audit", "--archive", str(dropped))


def test_the_database_refuses_purging_old_rows():
    rows_aged(400)

    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(created_at__lt=timezone.now() - timedelta(days=180)).delete()

    assert AuditEntry.objects.count() == 1
