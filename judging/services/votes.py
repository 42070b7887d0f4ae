"""The plenary vote (评审委员会全体会议): each member votes a tier, or in / out, per case.

Who votes on what is the round's assignments, as in every other round: the organiser
assigns the plenary's cases to the committee members (conflicted members are never
assigned, and a recusal removes the assignment), so "eligible voters of a case" is the
number of its assignments and the one permission rule of the workspace holds for votes too.
"""

from django.db import transaction
from django.utils.translation import gettext as _

from cases.services import DomainError, audit_log

from ..models import Assignment, AssignmentStatus, RoundKind, Vote, VoteChoice, VoteMode
from ..permissions import eligible_assignments
from .reviews import check_can_record


def vote_snapshot(vote):
    if vote is None:
        return None
    return {"choice": vote.choice, "tier": vote.tier.name if vote.tier_id else None}


def vote_cast(*, assignment, choice, tier=None, by):
    """Record (or change) the member's vote on the assignment's case; returns the vote.

    In a `tier` round the choice is an award tier of the edition; in an `in_out` round it
    is in or out. A member in conflict with the case has no vote on it.
    """
    with transaction.atomic():
        assignment = (
            Assignment.objects.select_for_update(of=("self",))
            .select_related("round__edition", "judge", "case")
            .get(pk=assignment.pk)
        )
        check_can_record(assignment=assignment, by=by, kind=RoundKind.VOTE)
        if not eligible_assignments(assignment.judge).filter(pk=assignment.pk).exists():
            raise DomainError(_("您与该案例存在回避关系,不能投票。"))
        round_ = assignment.round
        if round_.vote_mode == VoteMode.TIER:
            if choice != VoteChoice.TIER or tier is None:
                raise DomainError(_("请选择一个奖项等级。"))
            if tier.edition_id != round_.edition_id:
                raise DomainError(_("该奖项不属于本届评选。"))
        else:
            if choice not in (VoteChoice.IN, VoteChoice.OUT):
                raise DomainError(_("请选择“入选”或“不入选”。"))
            tier = None

        vote = (
            Vote.objects.select_for_update(of=("self",))
            .select_related("tier")
            .filter(round=round_, case=assignment.case, judge=assignment.judge)
            .first()
        )
        old = vote_snapshot(vote)
        if vote is None:
            vote = Vote(round=round_, case=assignment.case, judge=assignment.judge)
        vote.choice = choice
        vote.tier = tier
        vote.save()
        if assignment.status != AssignmentStatus.SUBMITTED:
            assignment.status = AssignmentStatus.SUBMITTED
            assignment.save(update_fields=["status"])
        audit_log(
            code="judging.vote.cast",
            obj=vote,
            by=by,
            data={"assignment": assignment.pk, "old": old, "new": vote_snapshot(vote)},
        )
    return vote
