"""A person's own personal data (PIPL 第44–47条, SECURITY.md DATA-03) and the retention
schedule of applicants' contact data (DATA-04).

- `consent_record`: the account agreed to the privacy notice of `cases.privacy.NOTICE_VERSION`.
- `personal_data_xlsx`: everything `cases.selectors.personal_data` shows, as a workbook.
- `profile_correct`: the person corrects their name, phone or e-mail address.
- `deletion_request` / `deletion_carry_out` / `deletion_refuse`: the person asks, an organiser
  decides in the back office. Carrying it out anonymises the account and removes its unit
  memberships and sessions; submitted cases, their versions and the audit trail are records
  the organiser keeps (they are what the awards were decided on), so they stay.
- `retention_anonymise`: contact person, phone and e-mail of cases that won no award, N months
  after their edition's results were published.

Every step writes an audit row; none of them touches an existing `AuditEntry`.
"""

import calendar
import datetime
import io

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook

from .. import privacy
from ..models import (
    Case,
    CaseStatus,
    CaseVersion,
    EditionStatus,
    PersonalDataRequest,
    PersonalDataRequestStatus,
    UnitMembership,
    User,
)
from ..spreadsheets import xlsx_value
from .lifecycle import DomainError, audit_log

BATCH = 500


# --- Consent -------------------------------------------------------------------------------
def consent_record(*, user, version=privacy.NOTICE_VERSION, at=None):
    """Record that `user` agreed to the privacy notice of `version` (at registration)."""
    user.privacy_consent_at = at or timezone.now()
    user.privacy_notice_version = version
    user.save(update_fields=["privacy_consent_at", "privacy_notice_version"])
    audit_log(code=privacy.CONSENTED, obj=user, by=user, data={"version": version})


# --- Export --------------------------------------------------------------------------------
def _cell(sheet, value):
    """The value itself, or a text cell when a spreadsheet would run it as a formula."""
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M:%S")
    if value is None:
        return ""
    return xlsx_value(sheet, value)


def personal_data_xlsx(data, *, by):
    """Workbook bytes of `data` (from `cases.selectors.personal_data`), one sheet per part;
    the export is audited."""
    workbook = Workbook(write_only=True)
    for title, header, rows in data.tables():
        sheet = workbook.create_sheet(title=str(title))
        sheet.append([_cell(sheet, str(value)) for value in header])
        for row in rows:
            sheet.append([_cell(sheet, value) for value in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    audit_log(
        code=privacy.EXPORTED,
        obj=by,
        by=by,
        data={"cases": len(data.cases), "logins": len(data.logins)},
    )
    return buffer.getvalue()


# --- Correction ----------------------------------------------------------------------------
def profile_correct(*, user, full_name, phone, email):
    """Correct the person's own name, phone and e-mail address. A new address must be
    confirmed again (a confirmation mail goes to it). Returns the names of the changed fields."""
    from .accounts import email_confirmation_send

    email = User.objects.normalize_email(email).strip().lower()
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise DomainError(_("该邮箱已被其他账号使用。"))
    changed = [
        name
        for name, value in (("full_name", full_name), ("phone", phone), ("email", email))
        if getattr(user, name) != value
    ]
    if not changed:
        return []
    with transaction.atomic():
        before = {name: getattr(user, name) for name in changed}
        user.full_name, user.phone, user.email = full_name, phone, email
        fields = list(changed)
        if "email" in changed:
            user.email_confirmed_at = None
            fields.append("email_confirmed_at")
        user.save(update_fields=fields)
        audit_log(
            code=privacy.CORRECTED,
            obj=user,
            by=user,
            data={"fields": changed, "before": before},
        )
        if "email" in changed:
            email_confirmation_send(user=user)
    return changed


# --- Deletion ------------------------------------------------------------------------------
def deletion_pending(user):
    return PersonalDataRequest.objects.filter(
        user=user, status=PersonalDataRequestStatus.PENDING
    ).first()


def deletion_request(*, user, reason=""):
    """The person asks for their personal data to be deleted; one open request at a time."""
    with transaction.atomic():
        pending = deletion_pending(user)
        if pending is not None:
            raise DomainError(_("您已提交过删除申请,组织方正在处理。"))
        request = PersonalDataRequest.objects.create(
            user=user, user_label=user.email, reason=reason.strip()
        )
        audit_log(
            code=privacy.DELETION_REQUESTED,
            obj=user,
            by=user,
            data={"request": request.pk},
        )
    return request


def _open_request(request):
    request = PersonalDataRequest.objects.select_for_update().get(pk=request.pk)
    if request.status != PersonalDataRequestStatus.PENDING:
        raise DomainError(_("该申请已处理。"))
    return request


def _decided(request, status, *, response, by):
    request.status = status
    request.response = response
    request.handled_at = timezone.now()
    request.handled_by = by
    request.save(update_fields=["status", "response", "handled_at", "handled_by"])


def deletion_carry_out(*, request, by, response=""):
    """Anonymise the requesting account: name, phone and e-mail address replaced, password
    unusable, account disabled, unit memberships and sessions removed. Cases, versions and
    audit rows are kept (records the organiser must retain)."""
    from ..account_security.services import sessions_end_for_user

    with transaction.atomic():
        request = _open_request(request)
        user = request.user
        memberships = 0
        if user is not None:
            memberships, _detail = UnitMembership.objects.filter(user=user).delete()
            user.full_name = ""
            user.phone = ""
            user.email = f"deleted-{user.pk}@invalid.example"
            user.is_active = False
            user.set_unusable_password()
            user.save()
            sessions_end_for_user(user=user, by=by)
        _decided(request, PersonalDataRequestStatus.DONE, response=response, by=by)
        audit_log(
            code=privacy.DELETION_DONE,
            obj=request,
            by=by,
            data={"user": request.user_id, "memberships": memberships},
        )
    return request


def deletion_refuse(*, request, by, response):
    if not response.strip():
        raise DomainError(_("不予删除时请写明理由。"))
    with transaction.atomic():
        request = _open_request(request)
        _decided(request, PersonalDataRequestStatus.REFUSED, response=response, by=by)
        audit_log(code=privacy.DELETION_REFUSED, obj=request, by=by, data={"user": request.user_id})
    return request


# --- Retention (DATA-04) -------------------------------------------------------------------
def months_before(moment, months):
    """The same day and time `months` calendar months earlier (the month's last day when
    that month is shorter: 31 May − 3 months = 28/29 February)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def retention_cutoff(*, months=None, now=None):
    months = settings.PERSONAL_DATA_RETENTION_MONTHS if months is None else months
    return months_before(now or timezone.now(), months)


class _RetentionRun:
    """Audit object of a retention run (audit_log reads the shape of a model instance)."""

    pk = "retention"

    class _meta:
        label_lower = "cases.retention"

    def __str__(self):
        return str(_("个人信息保存期限到期匿名化"))


def retention_due(*, months=None, now=None):
    """Cases whose contact data is due for anonymisation: their edition is published or
    archived, its results were published (or, for an edition without that date, its call
    closed) before the cut-off, the case won no award, and it was not anonymised yet."""
    cutoff = retention_cutoff(months=months, now=now)
    return (
        Case.objects.filter(
            edition__status__in=[EditionStatus.PUBLISHED, EditionStatus.ARCHIVED],
            personal_data_anonymised_at__isnull=True,
        )
        .alias(ended_at=Coalesce("edition__results_published_at", "edition__closes_at"))
        .filter(ended_at__lt=cutoff)
        .exclude(status=CaseStatus.AWARDED)
        .exclude(Q(award__isnull=False))
    )


def retention_anonymise(*, months=None, now=None, dry_run=False):
    """Replace contact person, phone and e-mail of the due cases (and of their submitted
    versions) with anonymised values. Idempotent: an anonymised case is never due again.
    Returns `{"cases": n, "versions": m}`; with `dry_run` nothing is written or audited."""
    now = now or timezone.now()
    months = settings.PERSONAL_DATA_RETENTION_MONTHS if months is None else months
    with transaction.atomic():
        ids = list(retention_due(months=months, now=now).values_list("pk", flat=True))
        versions = CaseVersion.objects.filter(case_id__in=ids)
        counts = {"cases": len(ids), "versions": versions.count()}
        if dry_run or not ids:
            return counts
        name = str(privacy.ANONYMISED_NAME)
        # In slices, so that the versions' content is never all in memory at once.
        for start in range(0, len(ids), BATCH):
            changed = list(CaseVersion.objects.filter(case_id__in=ids[start : start + BATCH]))
            for version in changed:
                version.data = {
                    **version.data,
                    "contact_name": name,
                    "contact_phone": "",
                    "contact_email": "",
                }
            CaseVersion.objects.bulk_update(changed, ["data"], batch_size=BATCH)
        Case.objects.filter(pk__in=ids).update(
            contact_name=name, contact_phone="", contact_email="", personal_data_anonymised_at=now
        )
        audit_log(
            code=privacy.RETENTION_RUN,
            obj=_RetentionRun(),
            data={**counts, "months": months, "cutoff": retention_cutoff(months=months, now=now)},
        )
    return counts
