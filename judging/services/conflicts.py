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
    with transaction.atomic():
        removed, kept = _remove_conflicted(
            judge_id=conflict.judge_id,
            case_id=conflict.case_id,
            by=by,
            reason=_("回避:%(conflict)s") % {"conflict": conflict},
            extra={"conflict": conflict.pk},
        )
        if removed or kept:
            audit_log(
                code="judging.conflict.applied",
                obj=conflict,
                by=by,
                data={"removed": removed, "kept_in_closed_rounds": kept},
            )
    return removed


def judge_conflicts_recheck(*, judge, by):
    """After a judge's affiliation changed: remove the judge's assignments that are now in
    conflict (rounds not closed). Returns the number removed."""
    with transaction.atomic():
        removed, kept = _remove_conflicted(
            judge_id=judge.pk,
            case_id=None,
            by=by,
            reason=_("专家所在单位变更后存在回避关系"),
            extra={"affiliation": judge.affiliation_id},
        )
        if removed or kept:
            audit_log(
                code="judging.judge.conflicts_rechecked",
                obj=judge,
                by=by,
                data={
                    "affiliation": judge.affiliation_id,
                    "removed": removed,
                    "kept_in_closed_rounds": kept,
                },
            )
    return removed


def _remove_conflicted(*, judge_id, case_id, by, reason, extra):
    """Delete the judge's assignments whose case is in conflict with the judge (any reason),
    optionally only for one case, with the judge's votes on those cases in those rounds.
    Closed rounds are left alone. Returns `(removed_count, kept_assignment_ids)`."""
    assigned = Assignment.objects.filter(judge_id=judge_id)
    if case_id:
        assigned = assigned.filter(case_id=case_id)
    candidate_cases = Case.objects.filter(pk__in=assigned.values("case_id"))
    conflicted = conflict_map(cases=candidate_cases, judges=Judge.objects.filter(pk=judge_id))
    hit_ids = [c for c, judges in conflicted.by_case.items() if judge_id in judges]
    affected = (
        assigned.filter(case_id__in=hit_ids)
        .select_related("round", "case", "judge", "review", "verification")
        .order_by("round__order", "case_id")
    )
    removed, kept = 0, []
    for assignment in affected:
        if assignment.round.status == RoundStatus.CLOSED:
            kept.append(assignment.pk)
            continue
        votes = Vote.objects.filter(
            round_id=assignment.round_id, case_id=assignment.case_id, judge_id=judge_id
        )
        vote_data = [
            {"choice": choice, "tier": tier_id}
            for choice, tier_id in votes.values_list("choice", "tier_id")
        ]
        assignment_delete(
            assignment=assignment,
            by=by,
            reason=reason,
            code="judging.assignment.removed_conflict",
            extra={**extra, "votes": vote_data},
        )
        votes.delete()
        removed += 1
    return removed, kept


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
