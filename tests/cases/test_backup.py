"""Backup and restore (SECURITY.md BAK-01): one archive with the database and the private
files, restored into an empty database and media folder, then verified — on both databases."""

import hashlib
import io
import json
import tarfile
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from cases.models import Attachment, CaseStatus, EditionStatus
from cases.services.backup import (
    BackupError,
    create_backup,
    read_manifest,
    restore_backup,
    table_row_counts,
)
from judging.models import CriterionScore, RoundEntry, RoundStatus
from judging.services.tabulation import tabulate_round
from tests.factories import (
    make_attachment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_round,
    make_scored_review,
    make_unit,
    png_bytes,
)

pytestmark = pytest.mark.django_db(transaction=True)

CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]


def build_world():
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition)
    unit = make_unit()
    round_ = make_round(edition=edition, criteria=CRITERIA, status=RoundStatus.CLOSED)
    cases = [
        make_case(
            edition=edition,
            category=category,
            owner_unit=unit,
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-A-000{i}",
        )
        for i in (1, 2)
    ]
    j1, j2 = make_judge(), make_judge()
    make_scored_review(round=round_, case=cases[0], judge=j1, values=[8, 8, 8])
    make_scored_review(round=round_, case=cases[0], judge=j2, values=[9, 7, 8])
    make_scored_review(round=round_, case=cases[1], judge=j1, values=[7, 7, 7])
    tabulate_round(round=round_, by=None)
    make_attachment(case=cases[0])
    make_attachment(case=cases[1], kind="image", data=png_bytes(), name="现场.png")
    return round_


def snapshot(media_root):
    files = {
        str(path.relative_to(media_root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in Path(media_root).rglob("*")
        if path.is_file()
    }
    return {
        "rows": table_row_counts(connection),
        "scores": sorted(
            CriterionScore.objects.values_list(
                "review__assignment__case__reference", "criterion__name", "value"
            )
        ),
        "ranking": sorted(
            RoundEntry.objects.values_list("case__reference", "score", "rank", "result")
        ),
        "files": files,
    }


def empty_the_database():
    """What a fresh server has: a database with no tables at all (not even migrations)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
        else:
            cursor.execute("PRAGMA foreign_keys = OFF")
            for _pass in range(3):  # triggers and views go with their tables
                for table in connection.introspection.table_names():
                    cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(table)}")
            cursor.execute("PRAGMA foreign_keys = ON")
    assert connection.introspection.table_names() == []


@pytest.fixture
def good_archive(settings, tmp_path):
    """A backup of the world; if a test leaves the database empty, it is restored from it so
    the next test finds its tables (a transactional test only flushes rows)."""
    build_world()
    archive = create_backup(directory=tmp_path / "good").path
    yield archive
    if connection.introspection.table_names() == []:
        empty_the_media(settings.MEDIA_ROOT)
        restore_backup(archive_path=archive)


def empty_the_media(media_root):
    for path in sorted(Path(media_root).rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()


def test_backup_then_restore_gives_back_rows_scores_rankings_and_files(settings, tmp_path):
    build_world()
    before = snapshot(settings.MEDIA_ROOT)
    assert len(before["files"]) == 2
    assert before["rows"]["judging_criterionscore"] == 9

    out = StringIO()
    call_command("backup", "--output-dir", str(tmp_path / "backups"), stdout=out)
    archive = next((tmp_path / "backups").glob("backup-*.tar.gz"))
    assert str(archive) in out.getvalue()

    empty_the_database()
    empty_the_media(settings.MEDIA_ROOT)

    out = StringIO()
    call_command("restore", str(archive), stdout=out)

    assert "row counts match the manifest" in out.getvalue()
    assert "0 difference(s)" in out.getvalue()  # verify_results ran on the restored data
    assert snapshot(settings.MEDIA_ROOT) == before
    assert Attachment.objects.count() == 2


def test_archive_carries_a_manifest_and_sha256sums_matching_every_member(settings, tmp_path):
    build_world()

    report = create_backup(directory=tmp_path)

    manifest = read_manifest(report.path)
    assert manifest["engine"] == connection.vendor
    assert manifest["row_counts"]["cases_attachment"] == 2
    with tarfile.open(report.path, "r:gz") as archive:
        names = set(archive.getnames())
        sums = archive.extractfile("SHA256SUMS").read().decode()
        for name, meta in manifest["files"].items():
            data = archive.extractfile(name).read()
            assert hashlib.sha256(data).hexdigest() == meta["sha256"]
            assert f"{meta['sha256']}  {name}\n" in sums
    assert names == {"manifest.json", "SHA256SUMS", *manifest["files"]}
    assert sum(name.startswith("media/") for name in names) == 2
    assert report.files == 2
    assert report.archive_bytes == report.path.stat().st_size


def test_restore_refuses_a_database_that_is_not_empty(good_archive):
    rows_before = table_row_counts(connection)

    with pytest.raises(BackupError, match="目标数据库不是空的"):
        restore_backup(archive_path=good_archive)

    assert table_row_counts(connection) == rows_before


def test_restore_refuses_a_media_folder_that_is_not_empty(good_archive):
    empty_the_database()

    with pytest.raises(BackupError, match="目标文件存储不是空的"):
        restore_backup(archive_path=good_archive)

    assert connection.introspection.table_names() == []


def test_restore_refuses_an_archive_whose_member_was_changed(settings, tmp_path, good_archive):
    tampered = tmp_path / "tampered.tar.gz"
    with tarfile.open(good_archive, "r:gz") as source, tarfile.open(tampered, "w:gz") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("media/") and member.name.endswith(".pdf"):
                data = data + b"%tampered"
                member.size = len(data)
            target.addfile(member, io.BytesIO(data))
    empty_the_database()
    empty_the_media(settings.MEDIA_ROOT)

    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(tampered), stdout=StringIO())

    assert connection.introspection.table_names() == []
    assert list(Path(settings.MEDIA_ROOT).rglob("*.*")) == []


def test_restore_refuses_a_member_outside_the_manifest(settings, tmp_path, good_archive):
    manifest = read_manifest(good_archive)
    smuggled = tmp_path / "smuggled.tar.gz"
    with tarfile.open(good_archive, "r:gz") as source, tarfile.open(smuggled, "w:gz") as target:
        for member in source.getmembers():
            target.addfile(member, source.extractfile(member))
        info = tarfile.TarInfo("../../etc/cron.d/evil")
        payload = b"* * * * * root true\n"
        info.size = len(payload)
        target.addfile(info, io.BytesIO(payload))
    empty_the_database()
    empty_the_media(settings.MEDIA_ROOT)

    with pytest.raises(BackupError, match="清单之外"):
        restore_backup(archive_path=smuggled)

    assert json.dumps(manifest)  # the original archive is untouched and still readable
    assert connection.introspection.table_names() == []
