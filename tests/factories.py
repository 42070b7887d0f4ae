"""Plain factory functions for test data: explicit arguments, no hidden side effects."""

import itertools
from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from cases.models import (
    AwardTier,
    Case,
    CaseLeadUnit,
    CaseStatus,
    Category,
    Edition,
    EditionStatus,
    MembershipRole,
    Programme,
    Region,
    Unit,
    UnitLevel,
    UnitMembership,
    UnitType,
    User,
)
from judging.models import (
    Assignment,
    Criterion,
    Judge,
    Panel,
    PanelMembership,
    PanelRole,
    Round,
    RoundKind,
)

_seq = itertools.count(1)


def next_id():
    return next(_seq)


def make_user(*, email=None, password="pass-1234-word", is_staff=False, **fields):
    email = email or f"user{next_id()}@example.org"
    if is_staff:
        fields.setdefault("is_superuser", True)
    return User.objects.create_user(email=email, password=password, is_staff=is_staff, **fields)


def make_organiser(**fields):
    """A staff account in the shipped group 组织方管理员 (cases.roles), not a superuser."""
    from django.contrib.auth.models import Group

    from cases.roles import ORGANISER_ADMIN

    fields.setdefault("is_superuser", False)
    user = make_user(is_staff=True, **fields)
    # Through the join table: test data, not an audited change of a person's groups.
    User.groups.through.objects.create(user=user, group=Group.objects.get(name=ORGANISER_ADMIN))
    return user


def make_staff_without_permissions(**fields):
    return make_user(is_staff=True, is_superuser=False, **fields)


def make_programme(*, name=None, slug=None, **fields):
    n = next_id()
    return Programme.objects.create(
        name=name or f"评选活动{n}", slug=slug or f"programme-{n}", **fields
    )


def make_edition(*, programme=None, status=EditionStatus.OPEN, year=2026, slug=None, **fields):
    programme = programme or make_programme()
    n = next_id()
    now = timezone.now()
    fields.setdefault("title", f"第{n}届")
    if status == EditionStatus.OPEN:
        fields.setdefault("opens_at", now - timedelta(days=10))
        fields.setdefault("closes_at", now + timedelta(days=10))
    return Edition.objects.create(
        programme=programme, status=status, year=year, slug=slug or f"edition-{n}", **fields
    )


def make_category(*, edition, name=None, code=None, order=0, **fields):
    n = next_id()
    return Category.objects.create(
        edition=edition, name=name or f"类别{n}", code=code or f"C{n}", order=order, **fields
    )


def make_tier(*, edition, name=None, order=0, quota=None, **fields):
    return AwardTier.objects.create(
        edition=edition, name=name or f"奖项{next_id()}", order=order, quota=quota, **fields
    )


def make_region(*, name=None, parent=None):
    return Region.objects.create(name=name or f"地区{next_id()}", parent=parent)


def make_unit(*, name=None, type=UnitType.PARTY_GOVERNMENT, level=UnitLevel.MUNICIPAL, **fields):
    return Unit.objects.create(name=name or f"单位{next_id()}", type=type, level=level, **fields)


def make_member(*, unit, role=MembershipRole.MEMBER, **user_fields):
    user = make_user(**user_fields)
    UnitMembership.objects.create(unit=unit, user=user, role=role)
    return user


def make_case(
    *,
    edition,
    category=None,
    owner_unit=None,
    lead_units=(),
    status=CaseStatus.DRAFT,
    reference="",
    **fields,
):
    n = next_id()
    owner_unit = owner_unit or make_unit()
    fields.setdefault("title", f"案例{n}")
    fields.setdefault("summary", "案例简介")
    case = Case.objects.create(
        edition=edition,
        category=category,
        owner_unit=owner_unit,
        submitting_unit=fields.pop("submitting_unit", owner_unit),
        status=status,
        reference=reference,
        **fields,
    )
    for order, unit in enumerate(lead_units or [owner_unit]):
        CaseLeadUnit.objects.create(case=case, unit=unit, order=order)
    return case


def make_judge(*, name=None, user=None, affiliation=None, with_account=True, **fields):
    if user is None and with_account:
        user = make_user()
    return Judge.objects.create(
        name=name or f"专家{next_id()}", user=user, affiliation=affiliation, **fields
    )


def make_panel(*, edition, name=None, categories=(), judges=(), role=PanelRole.MEMBER):
    panel = Panel.objects.create(edition=edition, name=name or f"评审组{next_id()}")
    panel.categories.set(categories)
    for judge in judges:
        PanelMembership.objects.create(panel=panel, judge=judge, role=role)
    return panel


def make_round(*, edition, order=1, kind=RoundKind.SCORING, criteria=None, **fields):
    fields.setdefault("name", f"第{order}轮")
    round_ = Round.objects.create(edition=edition, order=order, kind=kind, **fields)
    for position, (name, weight, max_points) in enumerate(criteria or []):
        Criterion.objects.create(
            round=round_,
            name=name,
            weight=Decimal(str(weight)),
            max_points=Decimal(str(max_points)),
            order=position,
        )
    return round_


def make_assignment(*, round, case, judge, **fields):
    return Assignment.objects.create(round=round, case=case, judge=judge, **fields)


# --- Tabulation (reviews, verifications, votes, conflicts) ---------------------------------
def make_review(*, assignment, values, submitted=True, comment="", **fields):
    """A review with one CriterionScore per criterion of the assignment's round, `values` in
    criterion order; `score` is stored as the review service does (review_score, 4 places)."""
    from judging.models import AssignmentStatus, CriterionScore, Review, ReviewStatus
    from judging.tabulation import review_score, to_decimal

    criteria = list(assignment.round.criteria.order_by("order", "pk"))
    if len(criteria) != len(values):
        raise ValueError("one value per criterion of the round")
    values = [Decimal(str(value)) for value in values]
    score = review_score((v, c.weight, c.max_points) for v, c in zip(values, criteria, strict=True))
    review = Review.objects.create(
        assignment=assignment,
        comment=comment,
        status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.DRAFT,
        score=to_decimal(score),
        submitted_at=timezone.now() if submitted else None,
        **fields,
    )
    CriterionScore.objects.bulk_create(
        CriterionScore(review=review, criterion=c, value=v)
        for v, c in zip(values, criteria, strict=True)
    )
    assignment.status = AssignmentStatus.SUBMITTED if submitted else AssignmentStatus.DRAFT
    assignment.save(update_fields=["status"])
    return review


def make_scored_review(*, round, case, judge, values, submitted=True, comment=""):
    """Assignment and review in one call."""
    return make_review(
        assignment=make_assignment(round=round, case=case, judge=judge),
        values=values,
        submitted=submitted,
        comment=comment,
    )


def make_round_entry(*, round, case, **fields):
    from judging.models import RoundEntry

    return RoundEntry.objects.create(round=round, case=case, **fields)


def make_verification(*, round, case, judge, verified, submitted=True, notes=""):
    from judging.models import AssignmentStatus, ReviewStatus, Verification

    assignment = make_assignment(
        round=round,
        case=case,
        judge=judge,
        status=AssignmentStatus.SUBMITTED if submitted else AssignmentStatus.DRAFT,
    )
    return Verification.objects.create(
        assignment=assignment,
        verified=verified,
        notes=notes,
        status=ReviewStatus.SUBMITTED if submitted else ReviewStatus.DRAFT,
        submitted_at=timezone.now() if submitted else None,
    )


def make_vote(*, round, case, judge, tier=None, choice=None):
    """A plenary vote: for `tier`, or `choice` "in" / "out"."""
    from judging.models import Vote, VoteChoice

    if choice is None:
        choice = VoteChoice.TIER if tier is not None else VoteChoice.OUT
    return Vote.objects.create(round=round, case=case, judge=judge, choice=choice, tier=tier)


def make_conflict(*, judge, unit=None, case=None, source=None, reason=""):
    from judging.models import Conflict, ConflictSource

    if source is None:
        source = ConflictSource.RECUSAL if case is not None else ConflictSource.DECLARED
    return Conflict.objects.create(judge=judge, unit=unit, case=case, source=source, reason=reason)


# --- Unit portal: file contents and attachments ----------------------------------------
def pdf_bytes(text="申报书"):
    """A small, well-formed one-page PDF (catalog, pages, page, a cross-reference table) with
    `text` in a comment."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = b"%PDF-1.4\n% " + text.encode() + b"\n"
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += f"{number} 0 obj ".encode() + body + b" endobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    trailer = f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n"
    return out + trailer.encode()


def jpeg_bytes(size=(4, 3), color=(200, 30, 30)):
    """A small real JPEG (Pillow), which the upload check decodes and encodes again."""
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, "JPEG")
    return buffer.getvalue()


def docx_bytes():
    """A minimal Word document: a zip holding [Content_Types].xml and word/document.xml."""
    import io
    import zipfile

    # A fixed time in each entry, so that two calls give the same bytes (writestr with a name
    # stamps the current time, and a test comparing a stored file with a fresh copy failed
    # whenever the two calls fell on either side of a two-second tick).
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in (
            ("[Content_Types].xml", "<Types/>"),
            ("word/document.xml", "<w:document/>"),
        ):
            archive.writestr(zipfile.ZipInfo(name, date_time=(2026, 1, 1, 0, 0, 0)), text)
    return buffer.getvalue()


def png_bytes():
    """A 1×1 PNG."""
    import struct
    import zlib

    def chunk(kind, data):
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixels = zlib.compress(b"\x00\xff\x00\x00")
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def make_attachment(*, case, kind="application_form", data=None, name="申报书.pdf", **fields):
    import hashlib

    from django.core.files.base import ContentFile

    from cases.models import Attachment

    data = pdf_bytes() if data is None else data
    attachment = Attachment(
        case=case,
        kind=kind,
        original_name=name,
        size=len(data),
        content_type=fields.pop("content_type", "application/pdf"),
        sha256=hashlib.sha256(data).hexdigest(),
        **fields,
    )
    attachment.file.save("upload.pdf", ContentFile(data), save=False)
    attachment.save()
    return attachment


def make_complete_case(*, edition, owner_unit, category=None, **fields):
    """A draft with everything a submission needs: text, contact, 申报书, declaration."""
    category = category or make_category(edition=edition)
    for name, value in {
        "summary": "案例简介",
        "background": "背景",
        "practice": "做法",
        "outcomes": "成效",
        "promotion_value": "推广价值",
        "contact_name": "张三",
        "contact_phone": "020-12345678",
        "contact_email": "contact@example.org",
        "declaration_accepted": True,
    }.items():
        fields.setdefault(name, value)
    case = make_case(edition=edition, category=category, owner_unit=owner_unit, **fields)
    make_attachment(case=case)
    return case


def make_award(*, case, tier, category=None, order=1, **fields):
    from judging.models import Award

    return Award.objects.create(
        edition=case.edition,
        case=case,
        tier=tier,
        category=category or case.category,
        order=order,
        **fields,
    )
