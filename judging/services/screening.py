"""Screening (资格审查 / 初步遴选): the organiser accepts, rejects or returns each submitted
case. The state change goes through `cases.services.case_transition`; the unit is told by
e-mail after commit; an accepted case enters the edition's first round."""

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.models import Case, CaseStatus, UnitMembership
from cases.services import DomainError, case_transition

from ..models import EntryResult, RoundEntry
from ..selectors.progress import first_round
from .mailing import mail_after_commit


class Decision:
    ACCEPT = "accept"
    REJECT = "reject"
    RETURN = "return"

    CHOICES = [
        (ACCEPT, gettext_lazy("审查通过")),
        (REJECT, gettext_lazy("不予通过")),
        (RETURN, gettext_lazy("退回修改")),
    ]
    TARGET = {
        ACCEPT: CaseStatus.ACCEPTED,
        REJECT: CaseStatus.REJECTED,
        RETURN: CaseStatus.RETURNED,
    }
    REASON_REQUIRED = {REJECT, RETURN}


def screening_recipients(case):
    """Addresses told about a screening decision: the active members of the unit that owns
    the case, and the case's contact e-mail."""
    addresses = list(
        UnitMembership.objects.filter(unit_id=case.owner_unit_id, user__is_active=True)
        .values_list("user__email", flat=True)
        .order_by("user__email")
    )
    if case.contact_email:
        addresses.append(case.contact_email)
    return addresses


def screening_decide(*, case, decision, reason="", by):
    """Record one screening decision on a submitted case; returns the case.

    Rejecting and returning need a reason, which the unit reads in the e-mail and its
    dashboard (`case.status_reason`). Accepting puts the case into the first round as a
    pending entry (when the edition has rounds; otherwise the first round picks it up when
    it is opened or assigned).
    """
    if case._meta.proxy:
        # Audit rows and mail name the case itself (`cases.case`), not the admin's proxy.
        case = Case.objects.select_related("edition__programme", "category").get(pk=case.pk)
    if decision not in Decision.TARGET:
        raise DomainError(_("未知的审查结论。"))
    reason = (reason or "").strip()
    if decision in Decision.REASON_REQUIRED and not reason:
        raise DomainError(_("不予通过或退回修改时必须填写理由。"))
    if case.status != CaseStatus.SUBMITTED:
        raise DomainError(
            _("案例“%(case)s”的状态是“%(status)s”,只有已提交的案例可以审查。")
            % {"case": case, "status": case.get_status_display()}
        )
    with transaction.atomic():
        case_transition(case, Decision.TARGET[decision], by=by, reason=reason)
        entry_round = None
        if decision == Decision.ACCEPT:
            entry_round = first_round(case.edition)
            if entry_round is not None:
                RoundEntry.objects.get_or_create(
                    round=entry_round, case=case, defaults={"result": EntryResult.PENDING}
                )
        mail_after_commit(
            template="judging/email/screening_decision",
            context={
                "case": case,
                "edition": case.edition,
                "decision": decision,
                "decision_label": CaseStatus(case.status).label,
                "reason": reason,
                "entry_round": entry_round,
            },
            to=screening_recipients(case),
        )
    return case


@dataclass
class BulkResult:
    done: list = field(default_factory=list)
    failed: list = field(default_factory=list)  # (case, message)


def screening_decide_many(*, cases, decision, reason="", by):
    """The same decision and reason for several cases. Each case is decided in its own
    transaction: one refused case (e.g. no longer submitted) does not block the others and
    is reported in `failed`."""
    result = BulkResult()
    for case in cases:
        try:
            screening_decide(case=case, decision=decision, reason=reason, by=by)
        except DomainError as error:
            result.failed.append((case, str(error)))
        else:
            result.done.append(case)
    return result
