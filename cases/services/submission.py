"""The entrant side of a case: start, save a draft, attach files, submit, withdraw.

The rules a unit meets live here, not in views:
- a draft (or a case returned for revision) can be saved at any time, whatever is missing;
- submitting needs a verified unit, an edition still accepting submissions (or a case the
  organiser returned), and a complete case (`submission_problems`), all checked at once;
- a submitted case changes only by being submitted again before the deadline, so what the
  organiser holds is always a submitted version;
- files are checked by content (`cases.uploads`) and kept whenever they pass, so an upload
  once accepted is never lost to an error elsewhere on the form.
"""

from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Sum
from django.template.defaultfilters import filesizeformat
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ..models import (
    Attachment,
    AttachmentKind,
    Case,
    CaseLeadUnit,
    CaseStatus,
    Category,
    EditionStatus,
    MediaCoverage,
    UnitMembership,
    UnitRegistryStatus,
)
from ..uploads import MAX_IMAGES, InspectedFile
from .accounts import normalise_unit_name, site_url, unit_find
from .lifecycle import DomainError, audit_log, case_transition

DRAFT_STATES = {CaseStatus.DRAFT, CaseStatus.RETURNED}
WITHDRAWABLE_STATES = {CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.RETURNED}


class SubmissionIncomplete(DomainError):
    """Submitting was refused; `problems` maps a field name (or `__all__`) to messages."""

    def __init__(self, problems):
        self.problems = problems
        count = sum(len(messages) for messages in problems.values())
        super().__init__(_("案例还有 %(count)d 个问题需要处理,暂未提交。") % {"count": count})


@dataclass
class MediaItem:
    url: str
    outlet: str = ""
    published_on: date | None = None


@dataclass
class CaseContent:
    """Everything a unit types into the case form, cleaned but not yet checked for
    completeness."""

    title: str = ""
    category: Category | None = None
    summary: str = ""
    background: str = ""
    practice: str = ""
    outcomes: str = ""
    promotion_value: str = ""
    contact_name: str = ""
    contact_phone: str = ""
    contact_email: str = ""
    declaration_accepted: bool = False
    lead_unit_names: list[str] = field(default_factory=list)
    submitting_unit_name: str = ""
    media: list[MediaItem] = field(default_factory=list)


TEXT_FIELDS = (
    "title",
    "summary",
    *Case.BODY_FIELDS,
    "contact_name",
    "contact_phone",
    "contact_email",
)


# --- When may what happen -----------------------------------------------------------------
def deadline_text(edition):
    if not edition.closes_at:
        return ""
    return date_format(timezone.localtime(edition.closes_at), "DATETIME_FORMAT")


def case_content_editable(case, *, at=None):
    """May the unit change the case's content (text or files) now? Drafts and returned
    cases always; a submitted case only while its edition accepts submissions."""
    if case.status in DRAFT_STATES:
        return True
    return case.status == CaseStatus.SUBMITTED and case.edition.is_accepting_submissions(at)


def case_submittable_now(case, *, at=None):
    """Is the deadline no obstacle? A returned case may be re-submitted after it."""
    if case.status == CaseStatus.RETURNED:
        return True
    return case.status in {
        CaseStatus.DRAFT,
        CaseStatus.SUBMITTED,
    } and case.edition.is_accepting_submissions(at)


def closed_message(case):
    if case.edition.closes_at and case.edition.status == EditionStatus.OPEN:
        return _("申报已于 %(deadline)s(北京时间)截止。") % {
            "deadline": deadline_text(case.edition)
        }
    return _("本届评选目前不接受案例提交。")


# --- Start and save -----------------------------------------------------------------------
def case_create(*, edition, unit, by, title, category=None, at=None):
    """Start a draft case owned by `unit`, with the unit as submitting and first lead unit
    and the person as contact (all editable)."""
    if not UnitMembership.objects.filter(unit=unit, user=by).exists():
        raise DomainError(_("只能以您所在单位的名义申报案例。"))
    if not edition.is_accepting_submissions(at):
        raise DomainError(_("本届评选目前不接受新的案例申报。"))
    if category is not None and category.edition_id != edition.pk:
        raise DomainError(_("所选类别不属于本届评选。"))
    with transaction.atomic():
        case = Case.objects.create(
            edition=edition,
            category=category,
            title=title,
            owner_unit=unit,
            submitting_unit=unit,
            contact_name=by.full_name,
            contact_phone=by.phone,
            contact_email=by.email,
            created_by=by,
        )
        CaseLeadUnit.objects.create(case=case, unit=unit, order=0)
        audit_log(code="cases.case.created", obj=case, by=by)
    return case


def _unit_named(name):
    """The unit of the register with this name. Units are never created from a case: one that
    is not registered is requested first (`cases.services.register.unit_request`)."""
    unit = unit_find(name)
    if unit is None or unit.registry_status == UnitRegistryStatus.REJECTED:
        raise DomainError(
            _("“%(name)s”不在单位名录中,请从名录中选择,或先申请登记该单位。")
            % {"name": normalise_unit_name(name)}
        )
    return unit


def _apply_content(case, content):
    for name in TEXT_FIELDS:
        setattr(case, name, getattr(content, name))
    case.category = content.category
    case.declaration_accepted = content.declaration_accepted
    case.submitting_unit = (
        _unit_named(content.submitting_unit_name) if content.submitting_unit_name else None
    )
    case.save()

    units, seen = [], set()
    for name in content.lead_unit_names:
        unit = _unit_named(name)
        if unit.pk not in seen:
            seen.add(unit.pk)
            units.append(unit)
    case.lead_unit_links.all().delete()
    CaseLeadUnit.objects.bulk_create(
        CaseLeadUnit(case=case, unit=unit, order=order) for order, unit in enumerate(units)
    )
    case.media_coverage.all().delete()
    MediaCoverage.objects.bulk_create(
        MediaCoverage(
            case=case, url=item.url, outlet=item.outlet, published_on=item.published_on, order=i
        )
        for i, item in enumerate(content.media)
    )


def case_save_draft(*, case, content, by):
    """Save whatever the unit typed, complete or not, on a draft or returned case."""
    if case.status not in DRAFT_STATES:
        raise DomainError(_("已提交的案例不能保存为草稿;请修改后重新提交。"))
    with transaction.atomic():
        _apply_content(case, content)
    return case


# --- Files --------------------------------------------------------------------------------
def attachment_add(*, case, upload: InspectedFile, kind, by, caption="", at=None):
    """Attach a content-checked file. A new 申报书 replaces the previous one."""
    kind = AttachmentKind(kind)
    if not case_content_editable(case, at=at):
        raise DomainError(closed_message(case) + _("附件未保存。"))
    with transaction.atomic():
        # Lock the case row so that two uploads at once cannot both pass the quotas.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        replaced = []
        if kind == AttachmentKind.APPLICATION_FORM:
            replaced = list(case.attachments.filter(kind=kind))
        if (
            kind == AttachmentKind.IMAGE
            and case.attachments.filter(kind=kind).count() >= MAX_IMAGES
        ):
            raise DomainError(
                _("最多上传 %(count)d 张图片,请先删除不需要的图片。") % {"count": MAX_IMAGES}
            )
        used = (
            case.attachments.exclude(pk__in=[a.pk for a in replaced]).aggregate(total=Sum("size"))[
                "total"
            ]
            or 0
        )
        limit = settings.CASE_ATTACHMENTS_TOTAL_MAX_BYTES
        if used + upload.size > limit:
            raise DomainError(
                _("“%(name)s”加上已上传的附件共 %(total)s,超过每个案例 %(limit)s 的上限。")
                % {
                    "name": upload.original_name,
                    "total": filesizeformat(used + upload.size),
                    "limit": filesizeformat(limit),
                }
            )
        attachment = Attachment(
            case=case,
            kind=kind,
            original_name=upload.original_name,
            size=upload.size,
            content_type=upload.content_type,
            sha256=upload.sha256,
            caption=caption if kind == AttachmentKind.IMAGE else "",
            uploaded_by=by,
        )
        # The stored name is random and its suffix is the one the content showed.
        attachment.file.save(f"upload.{upload.extension}", upload.file, save=False)
        stored_name = attachment.file.name
        try:
            attachment.save()
        except Exception:
            attachment.file.storage.delete(stored_name)
            raise
        for old in replaced:
            _attachment_delete(old, by=by)
        audit_log(
            code="cases.attachment.added",
            obj=case,
            by=by,
            data={"kind": kind.value, "name": upload.original_name, "sha256": upload.sha256},
        )
    return attachment


def _attachment_delete(attachment, *, by):
    storage, name = attachment.file.storage, attachment.file.name
    audit_log(
        code="cases.attachment.removed",
        obj=attachment.case,
        by=by,
        data={"kind": attachment.kind, "name": attachment.original_name},
    )
    attachment.delete()
    transaction.on_commit(lambda: storage.delete(name))


def attachment_remove(*, attachment, by, at=None):
    if not case_content_editable(attachment.case, at=at):
        raise DomainError(closed_message(attachment.case) + _("附件未删除。"))
    with transaction.atomic():
        _attachment_delete(attachment, by=by)


# --- Submit -------------------------------------------------------------------------------
def submission_problems(case):
    """Everything that keeps a case from being submitted, by field, all at once."""
    problems = {}

    def add(key, message):
        problems.setdefault(key, []).append(message)

    edition = case.edition
    if case.owner_unit_id and not case.owner_unit.verified:
        add(
            "__all__",
            _("“%(unit)s”尚未通过组织方核验,暂时只能保存草稿,核验通过后才能提交。")
            % {"unit": case.owner_unit},
        )
    named_units = [
        ("lead_units", link.unit) for link in case.lead_unit_links.select_related("unit")
    ]
    if case.submitting_unit_id:
        named_units.append(("submitting_unit", case.submitting_unit))
    for field_name, unit in named_units:
        if unit.registry_status == UnitRegistryStatus.REQUESTED:
            add(
                field_name,
                _("“%(unit)s”的单位登记申请尚待组织方审核,审核通过后才能提交。") % {"unit": unit},
            )
        elif unit.registry_status == UnitRegistryStatus.REJECTED:
            add(
                field_name,
                _("“%(unit)s”的单位登记申请未通过,请改选名录中的单位。") % {"unit": unit},
            )
    if not case.category_id:
        add("category", _("请选择案例类别。"))
    if not case.title.strip():
        add("title", _("请填写案例名称。"))
    if not case.lead_unit_links.exists():
        add("lead_units", _("请至少填写一个主创单位。"))
    if not case.submitting_unit_id:
        add("submitting_unit", _("请填写报送单位。"))
    for name in ("contact_name", "contact_phone", "contact_email"):
        if not getattr(case, name).strip():
            add(name, _("请填写%(field)s。") % {"field": Case._meta.get_field(name).verbose_name})
    if not case.summary.strip():
        add("summary", _("请填写案例简介。"))
    elif len(case.summary) > edition.summary_char_limit:
        add(
            "summary",
            _("案例简介共 %(count)d 字,超过 %(limit)d 字的上限,请删减 %(over)d 字。")
            % {
                "count": len(case.summary),
                "limit": edition.summary_char_limit,
                "over": len(case.summary) - edition.summary_char_limit,
            },
        )
    for name in Case.BODY_FIELDS:
        if not getattr(case, name).strip():
            label = Case._meta.get_field(name).verbose_name
            add(name, _("请填写“%(field)s”部分。") % {"field": label})
    if case.body_length > edition.body_char_limit:
        add(
            "body",
            _("正文四个部分合计 %(count)d 字,超过 %(limit)d 字的上限,请删减 %(over)d 字。")
            % {
                "count": case.body_length,
                "limit": edition.body_char_limit,
                "over": case.body_length - edition.body_char_limit,
            },
        )
    if not case.attachments.filter(kind=AttachmentKind.APPLICATION_FORM).exists():
        add("application_form", _("请上传申报书(PDF 或 Word .docx)。"))
    if not case.declaration_accepted:
        add("declaration_accepted", _("提交前请勾选真实性承诺。"))
    return problems


def case_submit(*, case, by, content=None, at=None):
    """Submit the case (or submit it again). With `content`, the changes are applied in the
    same transaction, so a refused re-submission leaves the submitted case as it was."""
    if case.status not in {CaseStatus.DRAFT, CaseStatus.SUBMITTED, CaseStatus.RETURNED}:
        raise DomainError(
            _("案例当前状态为“%(status)s”,不能提交。") % {"status": case.get_status_display()}
        )
    if not case_submittable_now(case, at=at):
        raise DomainError(closed_message(case) + _("案例未能提交。"))
    resubmission = case.status == CaseStatus.SUBMITTED
    with transaction.atomic():
        case = (
            Case.objects.select_for_update(of=("self",))
            .select_related("edition", "owner_unit")
            .get(pk=case.pk)
        )
        if content is not None:
            _apply_content(case, content)
        problems = submission_problems(case)
        if problems:
            raise SubmissionIncomplete(problems)
        case_transition(case, CaseStatus.SUBMITTED, by=by)
        _mail_receipt(case, by=by, resubmission=resubmission)
    return case


def case_withdraw(*, case, by, reason=""):
    """Withdraw a case before review (from draft, submitted or returned)."""
    if case.status not in WITHDRAWABLE_STATES:
        raise DomainError(_("案例已进入审查或评审,不能撤回;如有需要请联系组织方。"))
    return case_transition(case, CaseStatus.WITHDRAWN, by=by, reason=reason)


def _mail_receipt(case, *, by, resubmission):
    version = case.versions.order_by("-number").first()
    context = {
        "case": case,
        "version": version,
        "resubmission": resubmission,
        "receipt_url": site_url(reverse("portal:case-receipt", kwargs={"pk": case.pk})),
        "submitted_at": date_format(timezone.localtime(case.submitted_at), "DATETIME_FORMAT"),
    }
    subject = _("【申报回执】%(reference)s %(title)s") % {
        "reference": case.reference,
        "title": case.title,
    }
    body = render_to_string("cases/email/case_submitted.txt", context)
    recipients = sorted({address.lower() for address in (by.email, case.contact_email) if address})
    transaction.on_commit(lambda: send_mail(subject, body, None, recipients))
