"""Exports of a round's scores made by the task queue: requested from the back office, built
by the Huey task (inline in the embedded default, by a real worker process against Redis),
downloaded only by organisers with the permission, for every role of DESIGN.md §6."""

import csv
import io
import os
import subprocess
import sys
import time

import pytest
from django.contrib.auth.models import Permission
from django.core.files.storage import FileSystemStorage
from django.db import connection
from django.urls import reverse
from openpyxl import load_workbook

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.models import ExportStatus, RoundExport, RoundKind
from judging.services.exports import round_export_build, round_export_request
from tests.audit_helpers import audited
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_round,
    make_round_entry,
    make_scored_review,
    make_unit,
    make_user,
)
from tests.test_production_shape import REDIS_URL, ROOT, _redis_client

CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]


def build_round():
    """One case scored by two judges: (8, 6, 10) → 32 + 18 + 30 = 80 and (7, 7, 7) → 70."""
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition, name="政府治理创新")
    round_ = make_round(edition=edition, criteria=CRITERIA)
    owner = make_unit(name="惠州市发展和改革局")
    case = make_case(
        edition=edition,
        category=category,
        owner_unit=owner,
        status=CaseStatus.IN_REVIEW,
        reference="2026-ZF-0001",
        title="惠州市社会信用体系建设",
    )
    make_round_entry(round=round_, case=case)
    first, second = make_judge(name="沈国麟"), make_judge(name="陈天祥")
    make_panel(edition=edition, categories=[category], judges=[first, second])
    make_scored_review(round=round_, case=case, judge=first, values=[8, 6, 10])
    make_scored_review(round=round_, case=case, judge=second, values=[7, 7, 7])
    return {"round": round_, "owner": owner, "judges": (first, second), "category": category}


@pytest.fixture
def world(db):
    return build_round()


def exports_url(round_):
    return reverse("admin:judging_round_exports", args=[round_.pk])


def download_url(export):
    return reverse("admin:judging_round_export_download", args=[export.round_id, export.pk])


def request_export(client, round_, captured, **data):
    with captured(execute=True):
        return client.post(exports_url(round_), {"fmt": "xlsx", **data})


# --- requesting and building ------------------------------------------------------------------
def test_requested_export_is_built_by_the_task_and_downloaded(
    client, world, django_capture_on_commit_callbacks
):
    organiser = make_organiser()
    client.force_login(organiser)

    response = request_export(client, world["round"], django_capture_on_commit_callbacks)

    assert response.status_code == 302
    export = RoundExport.objects.get()
    assert (export.status, export.requested_by, export.error) == (ExportStatus.DONE, organiser, "")
    download = client.get(download_url(export))
    assert download.status_code == 200
    assert download["Content-Disposition"] == (
        f'attachment; filename="round-{world["round"].pk}-scores.xlsx"'
    )
    assert "private, no-store" in download["Cache-Control"]
    workbook = load_workbook(io.BytesIO(b"".join(download.streaming_content)))
    reviews = [list(row) for row in workbook["评分明细"].iter_rows(values_only=True)]
    assert [(row[3], row[7]) for row in reviews[1:]] == [("沈国麟", 80), ("陈天祥", 70)]
    audit = AuditEntry.objects.get(code="judging.round.export_requested")
    assert (audit.actor, audit.data["format"]) == (organiser, "xlsx")
    downloaded = audited("judging.round_export.downloaded", actor=organiser, obj=export)
    assert downloaded.data == {
        "filename": f"round-{world['round'].pk}-scores.xlsx",
        "round": world["round"].pk,
        "format": "xlsx",
        "anonymous": False,
    }


def test_anonymous_csv_export_names_judges_j1_j2(client, world, django_capture_on_commit_callbacks):
    client.force_login(make_organiser())

    request_export(
        client,
        world["round"],
        django_capture_on_commit_callbacks,
        fmt="csv",
        anonymous="on",
    )

    export = RoundExport.objects.get()
    text = b"".join(client.get(download_url(export)).streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert [row[3] for row in rows[1:]] == ["J1", "J2"]
    assert "沈国麟" not in text


def test_exports_page_lists_the_round_exports_with_their_links(
    client, world, django_capture_on_commit_callbacks
):
    client.force_login(make_organiser())
    request_export(client, world["round"], django_capture_on_commit_callbacks)
    export = RoundExport.objects.get()

    page = client.get(exports_url(world["round"]))

    assert page.status_code == 200
    assert f'href="{download_url(export)}"' in page.text
    assert "已完成" in page.text
    assert (
        reverse("admin:judging_round_exports", args=[world["round"].pk])
        in client.get(reverse("admin:judging_round_ranking", args=[world["round"].pk])).text
    )


def test_export_request_with_an_unknown_format_is_refused_next_to_the_field(client, world):
    client.force_login(make_organiser())

    response = client.post(exports_url(world["round"]), {"fmt": "pdf"})

    assert response.status_code == 400
    assert response.context["form"].errors["fmt"]
    assert not RoundExport.objects.exists()


def test_export_is_built_once_when_the_task_runs_twice(world):
    export = RoundExport.objects.create(round=world["round"])

    first = round_export_build(export_id=export.pk)
    second = round_export_build(export_id=export.pk)

    export.refresh_from_db()
    assert first.status == ExportStatus.DONE
    assert second is None
    assert export.file.name == first.file.name


class BrokenStorage(FileSystemStorage):
    """Object storage that refuses writes (a full disk, an unreachable bucket)."""

    def _save(self, name, content):
        raise OSError("no space left on device")


def test_export_that_cannot_be_stored_is_marked_failed(world, settings):
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": f"{__name__}.BrokenStorage"}}
    export = RoundExport.objects.create(round=world["round"])

    round_export_build(export_id=export.pk)

    export.refresh_from_db()
    assert (export.status, export.error, export.file.name) == (ExportStatus.FAILED, "OSError", "")
    assert export.finished_at is not None


def test_export_of_a_vote_round_is_refused(world):
    vote_round = make_round(edition=world["round"].edition, order=2, kind=RoundKind.VOTE)

    with pytest.raises(DomainError, match="只有评分轮次可以导出评分"):
        round_export_request(round=vote_round, fmt="xlsx", anonymous=False, by=None)


# --- who may download --------------------------------------------------------------------------
def role_user(role, world):
    if role == "unit_member":
        return make_member(unit=world["owner"])
    if role == "judge":
        return world["judges"][0].user
    chair = make_judge()
    make_panel(
        edition=world["round"].edition, categories=[world["category"]], judges=[chair], role="chair"
    )
    return chair.user


@pytest.fixture
def built(world):
    export = RoundExport.objects.create(round=world["round"])
    return round_export_build(export_id=export.pk)


@pytest.mark.parametrize("role", ["public", "unit_member", "judge", "panel_chair"])
def test_export_download_sends_everyone_but_staff_to_the_admin_login(client, world, built, role):
    if role != "public":
        client.force_login(role_user(role, world))

    response = client.get(download_url(built))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_export_download_needs_the_results_permission(client, built):
    staff = make_user(is_staff=True, is_superuser=False)
    client.force_login(staff)
    assert client.get(download_url(built)).status_code == 404
    assert client.get(exports_url(built.round)).status_code == 404

    staff.user_permissions.add(Permission.objects.get(codename="view_roundentry"))

    assert client.get(download_url(built)).status_code == 200


def test_export_download_of_an_unfinished_or_other_round_export_is_404(client, world, built):
    client.force_login(make_organiser())
    pending = RoundExport.objects.create(round=world["round"])
    other_round = make_round(edition=world["round"].edition, order=2, criteria=CRITERIA)

    assert client.get(download_url(pending)).status_code == 404
    assert (
        client.get(
            reverse("admin:judging_round_export_download", args=[other_round.pk, built.pk])
        ).status_code
        == 404
    )


@pytest.mark.parametrize("rows", [1, 5])
def test_exports_page_query_count_does_not_grow(client, world, django_assert_num_queries, rows):
    organiser = make_organiser()
    for _ in range(rows):
        export = RoundExport.objects.create(round=world["round"], requested_by=organiser)
        round_export_build(export_id=export.pk)
    client.force_login(organiser)

    # session, user, round, exports with who asked
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(6):
        response = client.get(exports_url(world["round"]))

    assert len(response.context["exports"]) == rows


# --- a real worker ------------------------------------------------------------------------------
def database_url():
    """The test database, for a process started by the test."""
    config = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{config['NAME']}"
    password = f":{config['PASSWORD']}" if config.get("PASSWORD") else ""
    return (
        f"postgres://{config['USER']}{password}@{config['HOST'] or '127.0.0.1'}:"
        f"{config['PORT'] or 5432}/{config['NAME']}"
    )


@pytest.mark.django_db(transaction=True)
def test_queued_export_is_built_by_a_worker(tmp_path, settings):
    redis_db = _redis_client()
    prefix = f"test{os.urandom(6).hex()}"
    world = build_round()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "TASK_QUEUE_URL": REDIS_URL,
        "TASK_QUEUE_NAME": prefix,
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "DJANGO_SETTINGS_MODULE": "config.settings",
    }
    env.pop("TEST_DATABASE_NAME", None)
    ask = (
        "from judging.models import Round; from judging.services.exports import "
        "round_export_request; round_export_request(round=Round.objects.get(pk="
        f"{world['round'].pk}), fmt='xlsx', anonymous=True, by=None)"
    )
    try:
        subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", ask], cwd=ROOT, env=env, check=True
        )
        export = RoundExport.objects.get()
        assert export.status == ExportStatus.PENDING  # queued, not built in the request
        worker = subprocess.Popen(
            [sys.executable, "manage.py", "run_huey", "--workers", "1", "--no-periodic"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                export.refresh_from_db()
                if export.status in (ExportStatus.DONE, ExportStatus.FAILED):
                    break
                time.sleep(0.2)
        finally:
            worker.terminate()
            worker.wait(timeout=10)
    finally:
        for key in redis_db.scan_iter(f"*{prefix}*"):
            redis_db.delete(key)

    assert export.status == ExportStatus.DONE
    with export.file.open("rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    names = [row[3] for row in workbook["评分明细"].iter_rows(min_row=2, values_only=True)]
    assert names == ["J1", "J2"]
