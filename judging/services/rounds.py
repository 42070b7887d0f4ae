"""Round control: open, close, reopen (with a recorded reason), reminders, and the round's
cases (`RoundEntry`). Judges' saves are refused by the workspace services whenever
`round.status` is not open, so closing a round locks all its reviews."""

from django.db import transaction
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext as _

from cases.models import Case, CaseStatus, EditionStatus
from cases.services import DomainError, audit_log, case_transition

from ..models import (
    Assignment,
    AssignmentStatus,
    EntryResult,
    ReviewStatus,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
    Verification,
)
from ..selectors.progress import first_round, judges_behind
from .mailing import mail_after_commit, site_url

ROUND_TRANSITIONS = {
    RoundStatus.DRAFT: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.OPEN},  # reopening needs a reason
}

# Cases that passed screening and may take part in the first round.
FIRST_ROUND_CASE_STATES = [CaseStatus.ACCEPTED, CaseStatus.IN_REVIEW]


def _check_transition(round_, to):
    current = RoundStatus(round_.status)
    if to not in ROUND_TRANSITIONS[current]:
        raise DomainError(
            _("评审轮次“%(round)s”不能从“%(from)s”变更为“%(to)s”。")
            % {"round": round_.name, "from": current.label, "to": RoundStatus(to).label}
        )
    return current


def _lock(round_):
    """Re-read the round under a row lock so two organisers cannot race a state change."""
    return Round.objects.select_for_update().get(pk=round_.pk)


def round_sync_first_entries(*, round):
    """Put every accepted case of the edition that has no entry yet into its first round.

    Screening does this on acceptance; this catches cases accepted before the round existed.
    Returns the number of entries created. Does nothing for a round that is not the first.
    """
    first = first_round(round.edition)
    if first is None or first.pk != round.pk:
        return 0
    missing = Case.objects.filter(
        edition_id=round.edition_id, status__in=FIRST_ROUND_CASE_STATES
    ).exclude(round_entries__round=round)
    entries = [
        RoundEntry(round=round, case_id=case_id, result=EntryResult.PENDING)
        for case_id in missing.values_list("pk", flat=True)
    ]
    RoundEntry.objects.bulk_create(entries, ignore_conflicts=True)
    return len(entries)


SHORT_LIST_LIMIT = 20


def _refuse_public_vote(round_):
    # A public vote opens and closes through judging.voting.services, which check its
    # settings and tabulate the combined result on closing.
    if round_.kind == RoundKind.PUBLIC_VOTE:
        raise DomainError(_("网络投票轮次请在“网络投票设置”中开启和结束。"))


def previous_round(round_):
    return (
        Round.objects.filter(edition_id=round_.edition_id, order__lt=round_.order)
        .order_by("-order")
        .first()
    )


def advancement_confirmed(round_):
    """Whether the round's advancement was confirmed: it has entries, each one decided."""
    entries = RoundEntry.objects.filter(round=round_)
    return entries.exists() and not entries.filter(decided_at__isnull=True).exists()


def _references(references):
    references = sorted(references)
    shown = "、".join(references[:SHORT_LIST_LIMIT])
    if len(references) > SHORT_LIST_LIMIT:
        shown += _("等 %(count)s 件") % {"count": len(references)}
    return shown


def round_open_blockers(round_):
    """Why `round_` cannot be opened now, one message per cause (empty when it can): the
    edition is under review; the previous round is closed and its advancement confirmed; the
    round has cases; a scoring round has criteria; every case has as many
    judges assigned as the round asks for (the cases short are named)."""
    return [message for _cause, message in round_open_checks(round_)]


class OpenCause:
    """What a refusal of `round_open_checks` is about, so a page can offer the fix."""

    EDITION = "edition"
    PREVIOUS = "previous"
    CRITERIA = "criteria"
    NO_CASES = "no_cases"
    SHORT = "short"


def round_open_checks(round_):
    """`round_open_blockers` as `(cause, message)` pairs, `cause` an `OpenCause`."""
    blockers = []
    edition = round_.edition
    if edition.status != EditionStatus.REVIEWING:
        blockers.append(
            (
                OpenCause.EDITION,
                _("本届处于“%(status)s”,评审轮次只能在本届“评审中”时开启。")
                % {"status": EditionStatus(edition.status).label},
            )
        )
    previous = previous_round(round_)
    if previous is not None:
        if previous.status != RoundStatus.CLOSED:
            blockers.append(
                (OpenCause.PREVIOUS, _("上一轮“%(round)s”尚未结束。") % {"round": previous.name})
            )
        elif not advancement_confirmed(previous):
            blockers.append(
                (
                    OpenCause.PREVIOUS,
                    _("上一轮“%(round)s”的晋级结果尚未确认。") % {"round": previous.name},
                )
            )
    # Weights and maxima are positive by database constraint; a scoring round needs one.
    if round_.kind == RoundKind.SCORING and not round_.criteria.exists():
        blockers.append(
            (OpenCause.CRITERIA, _("评分轮次“%(round)s”还没有评分指标。") % {"round": round_.name})
        )
    references = dict(
        RoundEntry.objects.filter(round=round_).values_list("case_id", "case__reference")
    )
    first = first_round(edition)
    if first is not None and first.pk == round_.pk:
        references.update(
            Case.objects.filter(edition_id=edition.pk, status__in=FIRST_ROUND_CASE_STATES)
            .exclude(pk__in=references)
            .values_list("pk", "reference")
        )
    if not references:
        blockers.append((OpenCause.NO_CASES, _("本轮还没有案例。")))
    else:
        assigned = dict(
            Assignment.objects.filter(round=round_, case_id__in=references)
            .values("case_id")
            .annotate(n=Count("pk"))
            .values_list("case_id", "n")
        )
        short = [
            ref
            for case, ref in references.items()
            if assigned.get(case, 0) < round_.reviews_per_case
        ]
        if short:
            blockers.append(
                (
                    OpenCause.SHORT,
                    _("%(count)s 件案例分配的专家不足 %(need)s 人:%(cases)s。")
                    % {
                        "count": len(short),
                        "need": round_.reviews_per_case,
                        "cases": _references(short),
                    },
                )
            )
    return blockers


def deciding_blockers(edition):
    """评审中 → 评定中 only once the edition's last round is closed (and no round is open)."""
    if edition.status != EditionStatus.REVIEWING:
        return []
    rounds = list(Round.objects.filter(edition=edition).order_by("order"))
    if not rounds:
        return [_("本届还没有评审轮次。")]
    blockers = [
        _("轮次“%(round)s”尚未结束。") % {"round": r.name}
        for r in rounds
        if r.status != RoundStatus.CLOSED and r.kind != RoundKind.METRIC
    ]
    return blockers


def round_open(*, round, by):
    """Open a draft round to the judges, when `round_open_blockers` finds nothing.

    Cases of the round that are still only accepted move to 评审中 (their units see it),
    through `case_transition`.
    """
    with transaction.atomic():
        round_ = _lock(round)
        _refuse_public_vote(round_)
        current = _check_transition(round_, RoundStatus.OPEN)
        if current == RoundStatus.CLOSED:
            raise DomainError(_("已结束的轮次须填写理由后重新开启。"))
        blockers = round_open_blockers(round_)
        if blockers:
            raise DomainError(
                _("不能开启“%(round)s”:%(reasons)s")
                % {"round": round_.name, "reasons": " ".join(blockers)}
            )
        round_sync_first_entries(round=round_)
        round_.status = RoundStatus.OPEN
        round_.save(update_fields=["status"])
        moved = 0
        for case in Case.objects.filter(
            round_entries__round=round_, status=CaseStatus.ACCEPTED
        ).select_related("category", "edition"):
            case_transition(case, CaseStatus.IN_REVIEW, by=by)
            moved += 1
        audit_log(
            code="judging.round.opened",
            obj=round_,
            by=by,
            data={"from": current.value, "to": RoundStatus.OPEN.value, "cases_in_review": moved},
        )
    round.status = round_.status
    return round_


def round_close_outstanding(round_):
    """What is still missing before `round_` closes: `(judges, drafts)` — the judges with work
    not submitted (`assigned`, `done`, `remaining` annotated), and the number of verification
    records saved as draft (under 全部核实通过 a draft blocks the case's automatic decision)."""
    judges = list(judges_behind(round_))
    drafts = Verification.objects.filter(
        assignment__round=round_, status=ReviewStatus.DRAFT
    ).count()
    return judges, drafts


def round_close(*, round, by, confirmed=False):
    """Close an open round: from now on no review, verification or vote of it may change.
    With work still outstanding (`round_close_outstanding`) the organiser must have seen it
    and confirmed (`confirmed`)."""
    with transaction.atomic():
        round_ = _lock(round)
        _refuse_public_vote(round_)
        current = _check_transition(round_, RoundStatus.CLOSED)
        judges, drafts = round_close_outstanding(round_)
        if (judges or drafts) and not confirmed:
            raise DomainError(
                _(
                    "“%(round)s”还有 %(judges)s 位专家未提交全部评审、%(drafts)s 份核实记录仍为"
                    "草稿;请在结束轮次页面确认后再结束。"
                )
                % {"round": round_.name, "judges": len(judges), "drafts": drafts}
            )
        round_.status = RoundStatus.CLOSED
        round_.save(update_fields=["status"])
        counts = Assignment.objects.filter(round=round_).aggregate(
            total=Count("pk"), submitted=Count("pk", filter=Q(status=AssignmentStatus.SUBMITTED))
        )
        audit_log(
            code="judging.round.closed",
            obj=round_,
            by=by,
            data={
                "from": current.value,
                "to": RoundStatus.CLOSED.value,
                "assignments": counts["total"],
                "submitted": counts["submitted"],
            },
        )
    round.status = round_.status
    return round_


def round_reopen(*, round, reason, by):
    """Reopen a closed round so that judges may change their work again; the reason is
    required and kept in the audit history."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("重新开启轮次必须填写理由。"))
    with transaction.atomic():
        round_ = _lock(round)
        current = RoundStatus(round_.status)
        if current != RoundStatus.CLOSED:
            raise DomainError(_("只有已结束的轮次可以重新开启。"))
        round_.status = RoundStatus.OPEN
        round_.save(update_fields=["status"])
        audit_log(
            code="judging.round.reopened",
            obj=round_,
            by=by,
            data={"from": current.value, "to": RoundStatus.OPEN.value, "reason": reason},
        )
    round.status = round_.status
    return round_


def round_remind(*, round, by):
    """E-mail every judge of the round who has assignments not yet submitted.

    Returns the number of judges reminded (judges without a login e-mail are skipped).
    """
    if round.status != RoundStatus.OPEN:
        raise DomainError(_("只能在轮次进行中提醒专家。"))
    with transaction.atomic():
        reminded = []
        for judge in judges_behind(round).select_related("user"):
            if not (judge.user_id and judge.user.is_active and judge.user.email):
                continue
            mail_after_commit(
                template="judging/email/round_reminder",
                context={
                    "judge": judge,
                    "round": round,
                    "edition": round.edition,
                    "assigned": judge.assigned,
                    "done": judge.done,
                    "remaining": judge.assigned - judge.done,
                    "workspace_url": site_url(reverse("judging:round-list")),
                },
                to=[judge.user.email],
            )
            reminded.append(judge.pk)
        audit_log(code="judging.round.reminded", obj=round, by=by, data={"judges": reminded})
    return len(reminded)
