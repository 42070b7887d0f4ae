"""A judge's recusal (主动回避) from one assigned case."""

from django.db import transaction
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..models import Assignment, Conflict, ConflictSource, RoundStatus, Vote
from ..permissions import round_accepts_input
from .reviews import review_snapshot
from .votes import vote_snapshot


def recusal_create(*, assignment, reason, by):
    """Record that the assigned judge recuses from the case; returns the Conflict.

    The recusal is a case-level conflict, so it holds in every round: the judge's
    assignments on this case in rounds not yet closed are removed with their reviews,
    verifications and votes (their content is kept in the audit row). Closed rounds are
    history and are not rewritten; the conflict hides them from the judge all the same.
    """
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("请说明回避原因。"))
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("round", "judge", "case")
            .get(pk=assignment.pk)
        )
        judge, case, round_ = assignment.judge, assignment.case, assignment.round
        if by is None or judge.user_id != by.pk:
            raise DomainError(_("只有被分配的评审专家本人可以申请回避。"))
        if not round_accepts_input(round_):
            raise DomainError(_("本轮评审已结束或尚未开始,如需回避请联系组织方。"))
        conflict, _created = Conflict.objects.get_or_create(
            judge=judge,
            case=case,
            defaults={"source": ConflictSource.RECUSAL, "reason": reason, "created_by": by},
        )
        removed = []
        doomed = (
            Assignment.objects.filter(judge=judge, case=case)
            .exclude(round__status=RoundStatus.CLOSED)
            .select_related("round", "review", "verification")
            .prefetch_related("review__scores__criterion")
        )
        for item in doomed:
            review = getattr(item, "review", None)
            verification = getattr(item, "verification", None)
            removed.append(
                {
                    "assignment": item.pk,
                    "round": item.round.name,
                    "status": item.status,
                    "review": review_snapshot(review),
                    "verification": (
                        {"verified": verification.verified, "notes": verification.notes}
                        if verification
                        else None
                    ),
                }
            )
        votes = Vote.objects.select_related("tier").filter(
            judge=judge, case=case, round_id__in=[item.round_id for item in doomed]
        )
        removed_votes = [vote_snapshot(vote) | {"round": vote.round_id} for vote in votes]
        votes.delete()
        doomed.delete()
        audit_log(
            code="judging.recusal.created",
            obj=conflict,
            by=by,
            data={
                "round": round_.pk,
                "case": case.pk,
                "reason": reason,
                "removed": removed,
                "removed_votes": removed_votes,
            },
        )
    return conflict
