"""公示: the provisional list is public for a window during which anyone may raise a signed
objection (异议); the organiser records the handling and outcome of each one. Results become
final (see `publication.publish_results`) only when every objection has been handled."""

import re

from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from cases.models import Edition, EditionStatus
from cases.services import DomainError, audit_log, edition_transition

from ..cache import bump_results_version
from ..models import Award, Objection, ObjectionStatus

# Names that say who is objecting without saying it (award rules refuse anonymous objections).
ANONYMOUS_NAMES = {"匿名", "无名", "知情人", "群众", "网友", "某某", "anonymous", "anon", "n/a"}
PHONE_PATTERN = re.compile(r"^\+?[\d\s\-()]{7,20}$")


def local_time_label(value):
    return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT")


def publicity_start_blockers(edition, *, award_count=None):
    """Why the 公示 of `edition` cannot start now (empty when it can): the edition is being
    decided and its award list has been confirmed. `award_count` saves the count when the
    caller has it (a list page annotates it)."""
    blockers = []
    if edition.status != EditionStatus.DECIDING:
        blockers.append(_("只有处于“评定中”的届才能开始公示。"))
    if award_count is None:
        award_count = Award.objects.filter(edition=edition).count()
    if not award_count:
        blockers.append(_("本届还没有确定的获奖名单,不能公示。"))
    return blockers


def publicity_start(*, edition, ends_at, by, starts_at=None):
    """Open the 公示 of a decided edition: the provisional list is public from `starts_at`
    (default now) until `ends_at`, and objections are accepted in that window."""
    now = timezone.now()
    starts_at = starts_at or now
    if ends_at <= now:
        raise DomainError(_("公示结束时间必须在将来。"))
    if ends_at <= starts_at:
        raise DomainError(_("公示结束时间必须晚于开始时间。"))
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        blockers = publicity_start_blockers(edition)
        if blockers:
            raise DomainError(" ".join(blockers))
        edition.publicity_starts_at = starts_at
        edition.publicity_ends_at = ends_at
        edition.save(update_fields=["publicity_starts_at", "publicity_ends_at", "updated_at"])
        edition_transition(edition, EditionStatus.PUBLICITY, by=by)
        audit_log(
            code="judging.edition.publicity_started",
            obj=edition,
            by=by,
            data={"starts_at": starts_at.isoformat(), "ends_at": ends_at.isoformat()},
        )
        transaction.on_commit(lambda: bump_results_version(edition))
    return edition


def objection_window_error(edition, at=None):
    """Why an objection to `edition` cannot be received at `at`, or None when it can."""
    at = at or timezone.now()
    if edition.status != EditionStatus.PUBLICITY or edition.publicity_ends_at is None:
        return _("本届当前不在公示期,不受理异议。")
    if edition.publicity_starts_at and at < edition.publicity_starts_at:
        return _("公示尚未开始,暂不受理异议。")
    if at > edition.publicity_ends_at:
        return _("公示期已于%(end)s结束,逾期提出的异议不予受理。") % {
            "end": local_time_label(edition.publicity_ends_at)
        }
    return None


def objection_identity_errors(*, name, unit_name, phone):
    """Field → message for what makes an objection anonymous; empty when it is signed."""
    errors = {}
    if not name or name.strip().lower() in ANONYMOUS_NAMES or len(name.strip()) < 2:
        errors["name"] = _("请填写真实姓名;匿名异议不予受理。")
    if not unit_name or unit_name.strip().lower() in ANONYMOUS_NAMES:
        errors["unit_name"] = _("请填写工作单位;匿名异议不予受理。")
    if not phone or not PHONE_PATTERN.match(phone.strip()) or sum(c.isdigit() for c in phone) < 7:
        errors["phone"] = _("请填写有效的联系电话,以便核实身份。")
    return errors


def objection_submit(*, award, name, unit_name, phone, reason, email="", at=None):
    """Record an objection from the public against a provisional award.

    Refused when anonymous (real name, unit and a contact phone are required), without a
    reason, or outside the 公示 window (late = after `publicity_ends_at`).
    """
    at = at or timezone.now()
    name, unit_name, phone = (name or "").strip(), (unit_name or "").strip(), (phone or "").strip()
    reason = (reason or "").strip()
    with transaction.atomic():
        award = Award.objects.select_related("edition", "case").get(pk=award.pk)
        window_error = objection_window_error(award.edition, at)
        if window_error:
            raise DomainError(window_error)
        identity = objection_identity_errors(name=name, unit_name=unit_name, phone=phone)
        if identity:
            raise DomainError(" ".join(identity.values()))
        if not reason:
            raise DomainError(_("请写明异议理由。"))
        objection = Objection.objects.create(
            award=award,
            name=name,
            unit_name=unit_name,
            phone=phone,
            email=(email or "").strip(),
            reason=reason,
        )
        audit_log(
            code="judging.objection.received",
            obj=objection,
            data={"award": award.pk, "edition": award.edition_id},
        )
    return objection


HANDLED_STATES = {ObjectionStatus.UPHELD, ObjectionStatus.DISMISSED}


def objection_handle(*, objection, status, handling, by):
    """The organiser records how an objection was handled and its outcome (成立 / 不成立)."""
    handling = (handling or "").strip()
    if status not in HANDLED_STATES:
        raise DomainError(_("请选择处理结果:异议成立或异议不成立。"))
    if not handling:
        raise DomainError(_("请填写处理情况。"))
    with transaction.atomic():
        objection = Objection.objects.select_for_update().get(pk=objection.pk)
        previous = objection.status
        objection.status = status
        objection.handling = handling
        objection.handled_by = by
        objection.handled_at = timezone.now()
        objection.save(update_fields=["status", "handling", "handled_by", "handled_at"])
        audit_log(
            code="judging.objection.handled",
            obj=objection,
            by=by,
            data={"from": previous, "to": status, "award": objection.award_id},
        )
    return objection


def open_objections(edition):
    return Objection.objects.filter(award__edition=edition, status=ObjectionStatus.RECEIVED)


PUBLICITY_REASON_MAX_CHARS = 500


def publicity_change_period(*, edition, by, reason, ends_at=None, starts_at=None, end_now=False):
    """Correct the 公示 period of an edition in 公示, or end it now (`end_now`), with a reason
    that is audited with the old and the new period. The start can only be corrected while the
    公示 has not started; the end may be moved earlier (down to now) or later."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("调整公示期须填写理由。"))
    if len(reason) > PUBLICITY_REASON_MAX_CHARS:
        raise DomainError(_("理由不能超过%(max)s字。") % {"max": PUBLICITY_REASON_MAX_CHARS})
    now = timezone.now()
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.status != EditionStatus.PUBLICITY:
            raise DomainError(_("只有处于“公示中”的届才能调整公示期。"))
        old_start, old_end = edition.publicity_starts_at, edition.publicity_ends_at
        new_start = starts_at or old_start
        if end_now:
            new_end = now
        elif ends_at is None:
            raise DomainError(_("请填写新的公示结束时间。"))
        else:
            new_end = ends_at
        if new_start != old_start and old_start is not None and old_start <= now:
            raise DomainError(_("公示已经开始,开始时间不能再修改。"))
        if new_start and new_end <= new_start:
            raise DomainError(_("公示结束时间必须晚于开始时间。"))
        if not end_now and new_end < now:
            raise DomainError(_("结束时间不能早于现在;如需立即结束,请选择“立即结束公示”。"))
        edition.publicity_starts_at, edition.publicity_ends_at = new_start, new_end
        edition.save(update_fields=["publicity_starts_at", "publicity_ends_at", "updated_at"])
        audit_log(
            code="judging.edition.publicity_ended"
            if end_now
            else "judging.edition.publicity_changed",
            obj=edition,
            by=by,
            data={
                "reason": reason,
                "from": [old_start and old_start.isoformat(), old_end and old_end.isoformat()],
                "to": [new_start and new_start.isoformat(), new_end.isoformat()],
            },
        )
        transaction.on_commit(lambda: bump_results_version(edition))
    return edition
