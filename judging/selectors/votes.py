"""Reads of the plenary vote for its members: the ballot with the scores so far.

The plenary's cases and voters are the vote round's assignments (see
`judging.services.votes`). The count itself — who is present, who is conflicted, which tier
each case reached — is `selectors.vote_tally.vote_count`, the one official count that the
workspace's tally page and the admin's advancement page both show.
"""

from django.db.models import Avg, Count, Max, Min, Prefetch

from ..models import Review, ReviewStatus, Round, RoundEntry, RoundKind, Vote
from ..permissions import assignments_visible_to
from .workspace import LEAD_UNITS


def previous_scoring_round(round_):
    """The scoring round just before `round_` in its edition, or None."""
    return (
        Round.objects.filter(edition_id=round_.edition_id, kind=RoundKind.SCORING)
        .filter(order__lt=round_.order)
        .order_by("-order")
        .first()
    )


def score_summaries(round_, case_ids):
    """Per case of `round_`: submitted reviews count, mean, min and max review score, and
    the tabulated entry (score, rank) when there is one. Two aggregate queries."""
    if round_ is None:
        return {}
    summaries = {
        row["assignment__case"]: row
        for row in Review.objects.filter(
            assignment__round=round_,
            assignment__case__in=case_ids,
            status=ReviewStatus.SUBMITTED,
        )
        .values("assignment__case")
        .annotate(n=Count("pk"), mean=Avg("score"), low=Min("score"), high=Max("score"))
    }
    for entry in RoundEntry.objects.filter(round=round_, case__in=case_ids).values(
        "case", "score", "rank"
    ):
        summaries.setdefault(entry["case"], {}).update(
            entry_score=entry["score"], entry_rank=entry["rank"]
        )
    return summaries


def ballot(user, round_):
    """The member's assignments in a vote round with their vote (`my_vote`) and the
    previous scoring round's summary (`summary`) attached; four queries."""
    assignments = list(
        assignments_visible_to(user)
        .filter(round=round_)
        .select_related("case__category")
        .prefetch_related(Prefetch("case__lead_unit_links", queryset=LEAD_UNITS.queryset))
        .order_by("case__category__order", "case__reference", "case__pk")
    )
    case_ids = [a.case_id for a in assignments]
    votes = {
        v.case_id: v
        for v in Vote.objects.filter(
            round=round_, case__in=case_ids, judge__user=user
        ).select_related("tier")
    }
    summaries = score_summaries(previous_scoring_round(round_), case_ids)
    for assignment in assignments:
        assignment.my_vote = votes.get(assignment.case_id)
        assignment.summary = summaries.get(assignment.case_id, {})
    return assignments
