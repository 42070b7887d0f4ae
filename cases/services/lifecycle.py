"""Writes and state changes of the cases app. Every edition or case state change goes
through `edition_transition` / `case_transition`; views, admin actions, imports and the demo
builder all call these."""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ..audit.chain import append, entry_values
from ..models import (
    CASE_TRANSITIONS,
    EDITION_TRANSITIONS,
    AuditResult,
    AwardTier,
    Case,
    CaseStatus,
    CaseVersion,
    Category,
    Edition,
    EditionStatus,
    ReferenceCounter,
)


class DomainError(Exception):
    """A refused operation; `str(error)` is a translated message fit for the user."""


class TransitionNotAllowed(DomainError):
    pass


def audit_log(*, code, obj, by=None, data=None, result=AuditResult.SUCCESS, request=None):
    """Append one row to the audit trail. `code` is dotted: `cases.case.submitted`.

    The source IP and user agent come from `request`, by default the request being served
    (`cases.audit.context`); rows written outside a request (commands, the task worker)
    have none. `result` is `success` unless the event is a failure or a refusal."""
    values = entry_values(code=code, obj=obj, by=by, data=data, result=result, request=request)
    return append([values])[0]


# --- Editions ------------------------------------------------------------------------------
# Preconditions of a step, by target state: functions `check(edition) -> [message, …]`. The
# cases app registers its own below; the judging app adds the ones about rounds (it may not be
# imported from here) with `register_edition_precondition` in its AppConfig.ready.
EDITION_PRECONDITIONS = {}


def register_edition_precondition(to, check):
    checks = EDITION_PRECONDITIONS.setdefault(EditionStatus(to), [])
    if check not in checks:
        checks.append(check)


def edition_transition_blockers(edition, to):
    """Why `edition` cannot move to `to` now, one message per cause; empty when it can."""
    to = EditionStatus(to)
    current = EditionStatus(edition.status)
    if to not in EDITION_TRANSITIONS[current]:
        return [
            _("“%(edition)s”不能从“%(from)s”变更为“%(to)s”。")
            % {"edition": edition, "from": current.label, "to": to.label}
        ]
    blockers = []
    for check in EDITION_PRECONDITIONS.get(to, []):
        blockers.extend(check(edition))
    return blockers


def _call_ready(edition):
    blockers = []
    if not edition.categories.exists():
        blockers.append(_("本届还没有设置类别。"))
    if edition.closes_at is None:
        blockers.append(_("本届还没有设置截止时间。"))
    return blockers


def _call_closed(edition):
    if edition.status != EditionStatus.OPEN:
        return []
    if edition.closes_at is not None and edition.closes_at > timezone.now():
        return [
            _("征集截止时间(%(at)s)未到,申报单位仍可提交,不能开始资格审查。")
            % {"at": timezone.localtime(edition.closes_at).strftime("%Y-%m-%d %H:%M")}
        ]
    return []


def _screening_done(edition):
    if edition.status != EditionStatus.SCREENING:
        return []  # back from 评定中 (an upheld objection): nothing to screen again
    blockers = []
    waiting = edition.cases.filter(status__in=[CaseStatus.SUBMITTED, CaseStatus.RETURNED]).count()
    if waiting:
        blockers.append(
            _("还有 %(count)s 件案例未完成资格审查(已提交或退回修改中)。") % {"count": waiting}
        )
    if not edition.cases.filter(status__in=[CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW]).exists():
        blockers.append(_("本届还没有通过资格审查的案例。"))
    return blockers


register_edition_precondition(EditionStatus.OPEN, _call_ready)
register_edition_precondition(EditionStatus.SCREENING, _call_closed)
register_edition_precondition(EditionStatus.REVIEWING, _screening_done)


def edition_transition(edition, to, *, by=None, reason="", enforce=True):
    """Move an edition to state `to` if DESIGN.md §3 allows it and the step's preconditions
    hold (`edition_transition_blockers`). `enforce=False` skips the preconditions, never the
    table: only for recording history that happened elsewhere (the archive of past editions);
    the reason is audited."""
    to = EditionStatus(to)
    current = EditionStatus(edition.status)
    if to not in EDITION_TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("“%(edition)s”不能从“%(from)s”变更为“%(to)s”。")
            % {"edition": edition, "from": current.label, "to": to.label}
        )
    if enforce:
        blockers = edition_transition_blockers(edition, to)
        if blockers:
            raise TransitionNotAllowed(
                _("“%(edition)s”不能变更为“%(to)s”:%(reasons)s")
                % {"edition": edition, "to": to.label, "reasons": " ".join(blockers)}
            )
    with transaction.atomic():
        edition.status = to
        fields = ["status", "updated_at"]
        if to == EditionStatus.PUBLISHED and edition.results_published_at is None:
            edition.results_published_at = timezone.now()
            fields.append("results_published_at")
        edition.save(update_fields=fields)
        audit_log(
            code=f"cases.edition.{to.value}",
            obj=edition,
            by=by,
            data={
                "from": current.value,
                "to": to.value,
                "reason": reason,
                **({} if enforce else {"preconditions": "not enforced"}),
            },
        )
    return edition


def edition_clone(*, source, year, title, slug, number=None, period_label="", by=None):
    """Copy an edition's structure (categories and award tiers) into a new draft edition.

    Returns `(edition, category_map, tier_map)` where the maps take a source object's pk to
    its copy, so that the judging app can copy rounds and panels onto the same categories.
    """
    with transaction.atomic():
        edition = Edition.objects.create(
            programme=source.programme,
            number=number if number is not None else (source.number + 1 if source.number else None),
            title=title,
            period_label=period_label,
            year=year,
            slug=slug,
            call_text=source.call_text,
            contact=source.contact,
            summary_char_limit=source.summary_char_limit,
            body_char_limit=source.body_char_limit,
            results_unordered=source.results_unordered,
            status=EditionStatus.DRAFT,
            cloned_from=source,
        )
        category_map = {}
        for category in source.categories.all():
            copy = Category.objects.create(
                edition=edition,
                name=category.name,
                code=category.code,
                description=category.description,
                order=category.order,
                partner_organiser=category.partner_organiser,
            )
            category_map[category.pk] = copy
        tier_map = {}
        for tier in source.tiers.all():
            tier_map[tier.pk] = AwardTier.objects.create(
                edition=edition,
                name=tier.name,
                order=tier.order,
                quota=tier.quota,
                quota_scope=tier.quota_scope,
            )
        audit_log(code="cases.edition.cloned", obj=edition, by=by, data={"source": source.pk})
    return edition, category_map, tier_map


# --- Cases ---------------------------------------------------------------------------------
def next_reference(*, edition, prefix):
    """Reserve the next reference number `<year>-<prefix>-<NNNN>` for an edition.

    The counter row is locked for the increment (SELECT … FOR UPDATE on PostgreSQL; SQLite
    serialises writers through its IMMEDIATE transactions), so concurrent submissions can
    never draw the same number.
    """
    with transaction.atomic():
        try:
            with transaction.atomic():
                ReferenceCounter.objects.get_or_create(edition=edition, prefix=prefix)
        except IntegrityError:
            pass  # another transaction created it first; the locked read below sees it
        counter = ReferenceCounter.objects.select_for_update().get(edition=edition, prefix=prefix)
        counter.last_value += 1
        counter.save(update_fields=["last_value"])
    return f"{edition.year}-{prefix}-{counter.last_value:04d}"


def case_snapshot(case):
    """The content of a case as plain data, as kept in each submitted version."""
    return {
        "title": case.title,
        "category": case.category.name if case.category_id else "",
        "submitting_unit": case.submitting_unit.name if case.submitting_unit_id else "",
        "lead_units": [link.unit.name for link in case.lead_unit_links.select_related("unit")],
        "summary": case.summary,
        **{name: getattr(case, name) for name in Case.BODY_FIELDS},
        "contact_name": case.contact_name,
        "contact_phone": case.contact_phone,
        "contact_email": case.contact_email,
        "media_coverage": [
            {
                "url": item.url,
                "outlet": item.outlet,
                "published_on": item.published_on.isoformat() if item.published_on else "",
            }
            for item in case.media_coverage.all()
        ],
        "attachments": [
            {"kind": a.kind, "name": a.original_name, "sha256": a.sha256, "size": a.size}
            for a in case.attachments.all()
        ],
    }


def case_transition(case, to, *, by=None, reason=""):
    """Move a case to state `to` if the transition table allows it; returns the case.

    Reaching SUBMITTED assigns the reference number (first time only), stamps the time and
    keeps a frozen version. Guards that depend on who acts and when (deadline, unit
    verification, completeness) are checked by the callers' own services before this.
    """
    to = CaseStatus(to)
    current = CaseStatus(case.status)
    if to not in CASE_TRANSITIONS[current]:
        raise TransitionNotAllowed(
            _("案例“%(case)s”不能从“%(from)s”变更为“%(to)s”。")
            % {"case": case, "from": current.label, "to": to.label}
        )
    with transaction.atomic():
        fields = ["status", "status_reason", "updated_at"]
        case.status = to
        case.status_reason = reason
        if to == CaseStatus.SUBMITTED:
            if not case.reference:
                prefix = case.category.code if case.category_id else "GEN"
                case.reference = next_reference(edition=case.edition, prefix=prefix)
                fields.append("reference")
            case.submitted_at = timezone.now()
            fields.append("submitted_at")
        case.save(update_fields=fields)
        if to == CaseStatus.SUBMITTED:
            number = case.versions.count() + 1
            CaseVersion.objects.create(
                case=case, number=number, data=case_snapshot(case), submitted_by=by
            )
        audit_log(
            code=f"cases.case.{to.value}",
            obj=case,
            by=by,
            data={"from": current.value, "to": to.value, "reason": reason},
        )
    return case
