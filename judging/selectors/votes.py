"""Reads of the plenary vote: the member's ballot with the scores so far, and the tally.

The plenary's cases and voters are the vote round's assignments (see
`judging.services.votes`); only votes of members who are still eligible (assigned, not in
conflict) count.
"""

from dataclasses import dataclass, field

from django.db.models import Avg, Count, Exists, Max, Min, OuterRef, Prefetch

from cases.models import Case

from ..models import Review, ReviewStatus, Round, RoundEntry, RoundKind, Vote, VoteChoice
from ..permissions import assignments_visible_to, eligible_assignments
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


@dataclass
class TallyRow:
    case: Case
    eligible: int = 0
    counts: dict = field(default_factory=dict)

    @property
    def cast(self):
        return sum(self.counts.values())

    def count(self, key):
        return self.counts.get(key, 0)


def vote_key(choice, tier_id=None):
    """The tally column of a vote: `tier:<pk>` in tier rounds, `in` / `out` otherwise."""
    return f"tier:{tier_id}" if choice == VoteChoice.TIER else str(choice)


def vote_tally(round_, *, cases=None):
    """Per case of the vote round: the number of eligible voters and the votes per choice,
    counted by SQL aggregates (three queries whatever the number of cases or voters).

    `cases` optionally narrows the rows (a chair sees the panel's categories)."""
    eligible = eligible_assignments().filter(round=round_)
    if cases is not None:
        eligible = eligible.filter(case__in=cases)
    eligible_counts = dict(eligible.values("case").annotate(n=Count("pk")).values_list("case", "n"))
    counted = (
        Vote.objects.filter(round=round_, case__in=list(eligible_counts))
        .filter(Exists(eligible.filter(case=OuterRef("case"), judge=OuterRef("judge"))))
        .values("case", "choice", "tier")
        .annotate(n=Count("pk"))
    )
    rows = {
        case.pk: TallyRow(case=case, eligible=eligible_counts[case.pk])
        for case in Case.objects.filter(pk__in=list(eligible_counts))
        .select_related("category")
        .prefetch_related(LEAD_UNITS)
        .order_by("category__order", "reference", "pk")
    }
    for item in counted:
        rows[item["case"]].counts[vote_key(item["choice"], item["tier"])] = item["n"]
    return list(rows.values())


def tally_columns(round_):
    """`(key, label)` of the tally's choice columns, in display order."""
    if round_.kind != RoundKind.VOTE:
        return []
    if round_.vote_mode == "tier":
        return [(vote_key(VoteChoice.TIER, t.pk), t.name) for t in round_.edition.tiers.all()]
    return [
        (VoteChoice.IN.value, VoteChoice.IN.label),
        (VoteChoice.OUT.value, VoteChoice.OUT.label),
    ]
