"""A judging scenario shared by the workspace tests: one case in an open scoring round and
one person for each role of DESIGN.md §6. Built with the plain factories, nothing hidden."""

import hashlib
from dataclasses import dataclass

from django.core.files.base import ContentFile

from cases.models import (
    Attachment,
    AttachmentKind,
    CaseStatus,
    EditionStatus,
    MediaCoverage,
    Unit,
)
from judging.models import Conflict, ConflictSource, PanelRole, RoundStatus
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_round,
    make_unit,
    pdf_bytes,
    png_bytes,
)

PDF = pdf_bytes("核实佐证")
PNG = png_bytes()  # a real 1×1 PNG: the content check reads its IHDR chunk
CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]
LEAD_UNIT = "惠州市发展和改革局"
SUBMITTING_UNIT = "惠州市人民政府办公室"
FILE_NAMES = ["惠州市发展和改革局申报书.pdf", "惠州信用体系佐证一.pdf", "惠州信用体系现场照片.png"]


def make_attachment(*, case, kind, name, content, content_type, uploaded_by=None):
    return Attachment.objects.create(
        case=case,
        kind=kind,
        file=ContentFile(content, name=name),
        original_name=name,
        size=len(content),
        content_type=content_type,
        sha256=hashlib.sha256(content).hexdigest(),
        uploaded_by=uploaded_by,
    )


@dataclass
class Scenario:
    edition: object
    category: object
    round: object
    case: object
    attachments: list
    assignment: object
    judge: object  # assigned
    other_judge: object  # same round, another case
    conflicted_judge: object  # assigned, then recorded in conflict with the case
    chair: object  # chairs the panel of the category, not assigned
    member: object  # a user of the lead unit
    organiser: object  # staff, no Judge row

    @property
    def users(self):
        return {
            "judge": self.judge.user,
            "other_judge": self.other_judge.user,
            "conflicted_judge": self.conflicted_judge.user,
            "chair": self.chair.user,
            "member": self.member,
            "organiser": self.organiser,
        }


def build(*, blind=False, kind="scoring", status=RoundStatus.OPEN, **round_fields):
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition, name="政府治理创新", code="ZF")
    # Unit names are unique: a second scenario in the same test reuses the units.
    lead = Unit.objects.filter(name=LEAD_UNIT).first() or make_unit(name=LEAD_UNIT)
    submitting = Unit.objects.filter(name=SUBMITTING_UNIT).first() or make_unit(
        name=SUBMITTING_UNIT
    )
    round_ = make_round(
        edition=edition,
        kind=kind,
        status=status,
        blind=blind,
        criteria=CRITERIA if kind == "scoring" else None,
        **round_fields,
    )
    member = make_member(unit=lead, full_name="申报人甲")
    case = make_case(
        edition=edition,
        category=category,
        owner_unit=lead,
        submitting_unit=submitting,
        lead_units=[lead],
        status=CaseStatus.IN_REVIEW,
        reference="2026-ZF-0001",
        title="社会信用体系建设",
        summary="打破信息孤岛,对失信者亮红灯。",
        practice="建成公共信用信息管理系统。",
        outcomes="连续3年全省第一。",
    )
    MediaCoverage.objects.create(case=case, url="https://news.example.org/a", outlet="南方日报")
    attachments = [
        make_attachment(
            case=case,
            kind=AttachmentKind.APPLICATION_FORM,
            name=FILE_NAMES[0],
            content=PDF,
            content_type="application/pdf",
            uploaded_by=member,
        ),
        make_attachment(
            case=case,
            kind=AttachmentKind.SUPPORTING,
            name=FILE_NAMES[1],
            content=PDF,
            content_type="application/pdf",
            uploaded_by=member,
        ),
        make_attachment(
            case=case,
            kind=AttachmentKind.SUPPORTING,
            name=FILE_NAMES[2],
            content=PNG,
            content_type="image/png",
            uploaded_by=member,
        ),
    ]
    judge = make_judge(name="陈评审")
    other_judge = make_judge(name="李评审")
    conflicted = make_judge(name="王评审")
    chair = make_judge(name="张主任")
    make_panel(edition=edition, categories=[category], judges=[judge, other_judge, conflicted])
    make_panel(edition=edition, categories=[category], judges=[chair], role=PanelRole.CHAIR)
    assignment = make_assignment(round=round_, case=case, judge=judge)
    other_case = make_case(edition=edition, category=category, status=CaseStatus.IN_REVIEW)
    make_assignment(round=round_, case=other_case, judge=other_judge)
    make_assignment(round=round_, case=case, judge=conflicted)
    Conflict.objects.create(judge=conflicted, unit=lead, source=ConflictSource.DECLARED)
    return Scenario(
        edition=edition,
        category=category,
        round=round_,
        case=case,
        attachments=attachments,
        assignment=assignment,
        judge=judge,
        other_judge=other_judge,
        conflicted_judge=conflicted,
        chair=chair,
        member=member,
        organiser=make_organiser(),
    )
