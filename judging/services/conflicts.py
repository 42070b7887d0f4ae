"""Declared conflicts (回避) and what they do to existing assignments.

Contract with the judge's workspace: a judge sees and scores a case only through an
`Assignment`, and a conflicted judge is never assigned. A conflict that appears after
assignment (a declared unit, a recusal, an organiser's entry) therefore removes the affected
assignments here, in `conflict_apply`:

- in rounds that are not closed, every affected assignment is removed, submitted ones
  included — a conflicted judge's score must not count — together with the judge's vote on
  the case in those rounds; each removal is an audit row keeping what was removed (status,
  score);
- in closed rounds nothing is touched (their results may already be tabulated or
  published); the conflict's audit row lists those assignments so the organiser can decide.

The workspace's recusal service creates its `Conflict(case=…, source=recusal)` through
`conflict_create`, or calls `conflict_apply` on the row it created.
"""

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from cases.models import Case
from cases.services import DomainError, audit_log

from ..models import Assignment, Conflict, ConflictSource, Judge, RoundStatus, Vote
from ..selectors.conflicts import conflict_map
from .assignment import assignment_delete


def conflict_create(*, judge, unit=None, case=None, source=ConflictSource.DECLARED, reason="", by):
    """Record that `judge` may not review `case`, or any case of `unit` (and its tree), and
    remove the assignments it invalidates. Returns `(conflict, removed_assignment_count)`."""
    if (unit is None) == (case is None):
        raise DomainError(_("回避须指定一个单位或一个案例。"))
    if source == ConflictSource.DETECTED:
        raise DomainError(_("系统识别的回避无需登记。"))
    try:
        with transaction.atomic():
            conflict = Conflict.objects.create(
                judge=judge,
                unit=unit,
                case=case,
                source=source,
                reason=reason.strip(),
                created_by=by if by is not None and by.is_authenticated else None,
            )
            audit_log(
                code="judging.conflict.created",
                obj=conflict,
                by=by,
                data={
                    "judge": judge.pk,
                    "unit": unit.pk if unit else None,
                    "case": case.pk if case else None,
                    "source": str(source),
                    "reason": conflict.reason,
                },
            )
            removed = conflict_apply(conflict=conflict, by=by)
    except IntegrityError:
        raise DomainError(
            _("已登记过%(judge)s对“%(target)s”的回避。")
            % {"judge": judge.name, "target": case or unit}
        ) from None
    return conflict, removed


def conflict_apply(*, conflict, by):
    """Remove the assignments (and votes) of `conflict.judge` that the conflict now forbids,
    in rounds that are not closed. Returns the number of assignments removed."""
    judge_qs = Judge.objects.filter(pk=conflict.judge_id)
    assigned = Assignment.objects.filter(judge_id=conflict.judge_id)
    if conflict.case_id:
        assigned = assigned.filter(case_id=conflict.case_id)
    candidate_cases = Case.objects.filter(pk__in=assigned.values("case_id"))
    conflicted = conflict_map(cases=candidate_cases, judges=judge_qs)
    hit_ids = [
        case_id
        for case_id in candidate_cases.values_list("pk", flat=True)
        if conflicted.is_conflicted(case_id=case_id, judge_id=conflict.judge_id)
    ]
    affected = (
        assigned.filter(case_id__in=hit_ids)
        .select_related("round", "case", "judge", "review")
        .order_by("round__order", "case_id")
    )
    removed, kept = 0, []
    with transaction.atomic():
        for assignment in affected:
            if assignment.round.status == RoundStatus.CLOSED:
                kept.append(assignment.pk)
                continue
            assignment_delete(
                assignment=assignment,
                by=by,
                reason=_("回避:%(conflict)s") % {"conflict": conflict},
                code="judging.assignment.removed_conflict",
                extra={"conflict": conflict.pk},
            )
            Vote.objects.filter(
                round_id=assignment.round_id,
                case_id=assignment.case_id,
                judge_id=assignment.judge_id,
            ).delete()
            removed += 1
        if removed or kept:
            audit_log(
                code="judging.conflict.applied",
                obj=conflict,
                by=by,
                data={"removed": removed, "kept_in_closed_rounds": kept},
            )
    return removed


def conflict_delete(*, conflict, by):
    """Withdraw a declared conflict or recusal. Removed assignments are not restored: the
    organiser assigns again if needed."""
    with transaction.atomic():
        audit_log(
            code="judging.conflict.deleted",
            obj=conflict,
            by=by,
            data={
                "judge": conflict.judge_id,
                "unit": conflict.unit_id,
                "case": conflict.case_id,
                "source": conflict.source,
                "reason": conflict.reason,
            },
        )
        conflict.delete()
