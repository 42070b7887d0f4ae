"""Site / online verification (实地走访 / 线上线下核实): verified yes or no, notes, the date,
and evidence files, with the same draft / submit / version rules as scores."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cases import uploads
from cases.services import DomainError, audit_log

from ..models import (
    Assignment,
    AssignmentStatus,
    ReviewStatus,
    RoundKind,
    Verification,
    VerificationEvidence,
)
from .reviews import InvalidInput, StaleVersion, check_can_record

# Accepted evidence, recognised by the content of the file, never by its name.
EVIDENCE_TYPES = (uploads.PDF, uploads.JPEG, uploads.PNG)


class StaleVerification(StaleVersion):
    pass


def inspect_evidence(upload):
    """The checked upload (`cases.uploads.InspectedFile`: type, size, sha256); raises
    DomainError for an empty file, anything but PDF, JPEG or PNG, or past the size limit."""
    try:
        return uploads.inspect_file(upload, allowed=EVIDENCE_TYPES)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages)) from None


def verification_snapshot(verification):
    if verification is None:
        return None
    return {
        "status": verification.status,
        "verified": verification.verified,
        "notes": verification.notes,
        "visited_on": verification.visited_on.isoformat() if verification.visited_on else None,
        "evidence": [e.original_name for e in verification.evidence.all()],
    }


def verification_save(
    *,
    assignment,
    verified,
    notes,
    visited_on,
    evidence_files=(),
    submit,
    expected_version,
    by,
):
    """Save a draft of, or submit, the verification record of `assignment`.

    Submitting needs the outcome (verified yes / no) and the date, and notes when the round
    requires a comment. Evidence files are checked by content and size before anything is
    written; they are added to those already kept.
    """
    checked = [inspect_evidence(upload) for upload in evidence_files]
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("round", "judge", "case")
            .get(pk=assignment.pk)
        )
        check_can_record(assignment=assignment, by=by, kind=RoundKind.VERIFICATION)
        verification = (
            Verification.objects.select_for_update(of=("self",))
            .prefetch_related("evidence")
            .filter(assignment=assignment)
            .first()
        )
        current_version = verification.version if verification else 0
        if int(expected_version) != current_version:
            raise StaleVerification(
                _(
                    "这份核实记录已在其他页面或窗口中修改过(当前为第 %(version)s 版),"
                    "您的修改没有保存。下面显示的是最新内容,请核对后重新填写。"
                )
                % {"version": current_version},
                current=verification,
            )
        if verification and verification.status == ReviewStatus.SUBMITTED and not submit:
            raise DomainError(_("核实记录已提交,修改后请再次提交,不能改回草稿。"))
        notes = (notes or "").strip()
        errors = {}
        if submit:
            if verified is None:
                errors["verified"] = _("提交前请选择核实结论。")
            if visited_on is None:
                errors["visited_on"] = _("提交前请填写核实日期。")
            if assignment.round.comment_required and not notes:
                errors["notes"] = _("本轮要求填写核实情况。")
        if visited_on is not None and visited_on > timezone.localdate():
            errors["visited_on"] = _("核实日期不能晚于今天。")
        if errors:
            raise InvalidInput(_("请修改标出的内容后再保存。"), errors=errors)

        old = verification_snapshot(verification)
        if verification is None:
            verification = Verification(assignment=assignment, version=1)
        else:
            verification.version += 1
        verification.verified = verified
        verification.notes = notes
        verification.visited_on = visited_on
        verification.status = ReviewStatus.SUBMITTED if submit else ReviewStatus.DRAFT
        if submit:
            verification.submitted_at = timezone.now()
        verification.save()
        for inspected in checked:
            VerificationEvidence.objects.create(
                verification=verification,
                file=inspected.file,
                original_name=inspected.original_name,
                size=inspected.size,
                content_type=inspected.content_type,
                sha256=inspected.sha256,
            )
        assignment.status = AssignmentStatus.SUBMITTED if submit else AssignmentStatus.DRAFT
        assignment.save(update_fields=["status"])

        verification = Verification.objects.prefetch_related("evidence").get(pk=verification.pk)
        audit_log(
            code=("judging.verification.submitted" if submit else "judging.verification.saved"),
            obj=verification,
            by=by,
            data={
                "assignment": assignment.pk,
                "version": verification.version,
                "old": old,
                "new": verification_snapshot(verification),
            },
        )
    return verification


def evidence_delete(*, evidence, by):
    """Remove one evidence file while the round is open; the file leaves storage after the
    transaction commits, and the record keeps its name in the audit history."""
    with transaction.atomic():
        verification = (
            Verification.objects.select_for_update(of=("self",))
            .select_related("assignment__round", "assignment__judge")
            .get(pk=evidence.verification_id)
        )
        check_can_record(assignment=verification.assignment, by=by, kind=RoundKind.VERIFICATION)
        name, sha256, stored = evidence.original_name, evidence.sha256, evidence.file.name
        storage = evidence.file.storage
        evidence.delete()
        verification.version += 1
        verification.save(update_fields=["version", "updated_at"])
        audit_log(
            code="judging.verification.evidence_deleted",
            obj=verification,
            by=by,
            data={"name": name, "sha256": sha256, "version": verification.version},
        )
        transaction.on_commit(lambda: storage.delete(stored))
    return verification
