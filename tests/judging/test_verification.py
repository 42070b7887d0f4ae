"""Verification rounds (走访核实): outcome, notes, date, evidence checked by content."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry
from cases.services import DomainError
from judging.models import (
    AssignmentStatus,
    ReviewStatus,
    RoundKind,
    RoundStatus,
    Verification,
    VerificationEvidence,
)
from judging.services.reviews import InvalidInput
from judging.services.verification import (
    StaleVerification,
    evidence_delete,
    verification_save,
)
from tests.audit_helpers import audited
from tests.factories import jpeg_bytes, make_assignment
from tests.judging import workspace_scenario
from tests.judging.workspace_scenario import PDF, PNG

pytestmark = pytest.mark.django_db

JPEG = jpeg_bytes()


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


def save(s, *, submit=False, version=0, files=(), verified=True, visited_on=None, notes="已走访"):
    return verification_save(
        assignment=s.assignment,
        verified=verified,
        notes=notes,
        visited_on=visited_on or date(2026, 1, 5),
        evidence_files=list(files),
        submit=submit,
        expected_version=version,
        by=s.judge.user,
    )


def test_verification_submit_records_outcome_and_evidence():
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)

    verification = save(
        s, submit=True, files=[upload("现场.pdf", PDF), upload("a.jpg", JPEG), upload("b.png", PNG)]
    )

    assert verification.status == ReviewStatus.SUBMITTED
    assert verification.verified is True
    assert verification.version == 1
    assert sorted(e.content_type for e in verification.evidence.all()) == [
        "application/pdf",
        "image/jpeg",
        "image/png",
    ]
    s.assignment.refresh_from_db()
    assert s.assignment.status == AssignmentStatus.SUBMITTED
    entry = AuditEntry.objects.get(code="judging.verification.submitted")
    assert entry.data["old"] is None
    assert entry.data["new"]["verified"] is True
    assert sorted(entry.data["new"]["evidence"]) == ["a.jpg", "b.png", "现场.pdf"]


def test_verification_evidence_checked_by_content_not_name():
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)

    with pytest.raises(DomainError):
        save(s, files=[upload("伪装.pdf", b"MZ\x90\x00 not a pdf")])

    assert not Verification.objects.exists()
    assert not VerificationEvidence.objects.exists()


def test_verification_empty_evidence_refused():
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)

    with pytest.raises(DomainError, match="空文件"):
        save(s, files=[upload("现场.pdf", b"")])

    assert VerificationEvidence.objects.count() == 0


def test_verification_evidence_size_limit_from_settings(settings):
    settings.CASE_ATTACHMENT_MAX_BYTES = 100
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)

    with pytest.raises(DomainError):
        save(s, files=[upload("大.pdf", PDF + b"0" * 200)])

    assert not VerificationEvidence.objects.exists()


def test_verification_submit_needs_outcome_and_date():
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)

    with pytest.raises(InvalidInput) as error:
        verification_save(
            assignment=s.assignment,
            verified=None,
            notes="",
            visited_on=None,
            submit=True,
            expected_version=0,
            by=s.judge.user,
        )

    assert set(error.value.errors) == {"verified", "visited_on"}


def test_verification_future_date_refused():
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)

    with pytest.raises(InvalidInput):
        save(s, visited_on=timezone.localdate() + timedelta(days=1))


def test_verification_stale_version_refused_with_current():
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    save(s, notes="第一次")

    with pytest.raises(StaleVerification) as stale:
        save(s, notes="第二个窗口", version=0)

    assert stale.value.current.notes == "第一次"
    assert Verification.objects.get().notes == "第一次"


def test_verification_refused_in_closed_round():
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION, status=RoundStatus.CLOSED)

    with pytest.raises(DomainError):
        save(s)


def test_verification_service_refuses_a_scoring_round():
    s = workspace_scenario.build()

    with pytest.raises(DomainError):
        save(s)


def test_evidence_delete_removes_file_and_audits(django_capture_on_commit_callbacks):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    verification = save(s, files=[upload("现场.pdf", PDF)])
    evidence = verification.evidence.get()
    storage, stored = evidence.file.storage, evidence.file.name

    with django_capture_on_commit_callbacks(execute=True):
        evidence_delete(evidence=evidence, by=s.judge.user)

    assert not VerificationEvidence.objects.exists()
    assert not storage.exists(stored)
    assert Verification.objects.get().version == 2
    assert AuditEntry.objects.filter(code="judging.verification.evidence_deleted").exists()


def test_verification_form_upload_and_submit_through_the_page(client):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    client.force_login(s.judge.user)
    url = reverse("judging:case-detail", args=[s.round.pk, s.case.pk])

    page = client.get(url)
    response = client.post(
        url,
        {
            "verified": "no",
            "visited_on": "2026-01-05",
            "notes": "成效与材料不符",
            "version": "0",
            "action": "submit",
            "evidence": [upload("照片.png", PNG), upload("记录.pdf", PDF)],
        },
    )

    assert "核实结论" in page.text and "提交核实记录" in page.text
    assert response.status_code == 302
    verification = Verification.objects.get()
    assert verification.verified is False
    assert verification.evidence.count() == 2


def test_verification_form_bad_file_keeps_typed_notes(client):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    client.force_login(s.judge.user)
    url = reverse("judging:case-detail", args=[s.round.pk, s.case.pk])

    response = client.post(
        url,
        {
            "verified": "yes",
            "visited_on": "2026-01-05",
            "notes": "这段核实情况不能丢",
            "version": "0",
            "action": "draft",
            "evidence": [upload("x.pdf", b"GIF89a")],
        },
    )

    assert response.status_code == 400
    assert "这段核实情况不能丢" in response.text
    assert 'id="id_evidence-errors"' in response.text
    assert "不是 PDF / JPG / PNG 文件" in response.text
    assert not Verification.objects.exists()


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("judge", 200),
        ("chair", 200),
        ("other_judge", 404),
        ("conflicted_judge", 404),
        ("member", 404),
        ("organiser", 404),
    ],
)
def test_evidence_download_per_role(client, role, expected):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    evidence = save(s, files=[upload("惠州现场.pdf", PDF)]).evidence.get()
    client.force_login(s.users[role])

    response = client.get(reverse("judging:evidence-download", args=[evidence.pk]))

    assert response.status_code == expected
    downloads = AuditEntry.objects.filter(code="judging.evidence.downloaded")
    if expected == 200:
        entry = audited("judging.evidence.downloaded", actor=s.users[role], obj=evidence)
        assert (entry.data["round"], entry.data["sha256"]) == (s.round.pk, evidence.sha256)
    else:
        assert not downloads.exists()


def test_evidence_download_anonymous_redirects_to_login(client, settings):
    settings.LOGIN_URL = "/accounts/login/"
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    evidence = save(s, files=[upload("现场.pdf", PDF)]).evidence.get()

    response = client.get(reverse("judging:evidence-download", args=[evidence.pk]))

    assert response.status_code == 302


def test_evidence_for_chair_in_blind_round_has_neutral_name(client):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION, blind=True)
    evidence = save(s, files=[upload("惠州现场.pdf", PDF)]).evidence.get()
    client.force_login(s.chair.user)

    response = client.get(reverse("judging:evidence-download", args=[evidence.pk]))

    assert "惠州" not in response["Content-Disposition"]
    assert "%E6%83%A0%E5%B7%9E" not in response["Content-Disposition"]
    assert ".pdf" in response["Content-Disposition"]


@pytest.mark.parametrize("role", ["chair", "other_judge", "organiser"])
def test_evidence_delete_only_by_its_judge(client, role):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    evidence = save(s, files=[upload("现场.pdf", PDF)]).evidence.get()
    client.force_login(s.users[role])

    response = client.post(reverse("judging:evidence-delete", args=[evidence.pk]))

    assert response.status_code == 404
    assert VerificationEvidence.objects.count() == 1


def test_chair_reads_submitted_verifications_without_unit_file_names_in_blind_round(client):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION, blind=True)
    save(s, submit=True, notes="实地走访,成效属实", files=[upload("惠州现场.pdf", PDF)])
    client.force_login(s.chair.user)

    response = client.get(reverse("judging:case-detail", args=[s.round.pk, s.case.pk]))

    assert "实地走访,成效属实" in response.text
    assert "陈评审" in response.text
    assert "核实佐证 1" in response.text
    assert "惠州" not in response.text


def test_other_judge_never_reads_a_verification_record(client):
    s = workspace_scenario.build(kind=RoundKind.VERIFICATION)
    save(s, submit=True, notes="只给主任看")
    colleague = workspace_scenario.make_judge()
    make_assignment(round=s.round, case=s.case, judge=colleague)
    client.force_login(colleague.user)

    response = client.get(reverse("judging:case-detail", args=[s.round.pk, s.case.pk]))

    assert response.status_code == 200
    assert "只给主任看" not in response.text
