"""The checks of `manage.py verify_results`: each stored result recomputed from what it was
computed from, and compared case by case (named by reference number).

A check is a function `check(*, rounds=None, include_open=False) -> [Report]`; `CHECKS` lists
them in the order they run. A new kind of stored result (heat lists, public votes) adds its
function and one line to `CHECKS`.
"""

from typing import NamedTuple

from django.db.models import Q

from cases.models import AuditEntry, EditionStatus

from ..models import Award, Round, RoundKind, RoundStatus
from .ranking import ranking_differences, verifiable_rounds


class Report(NamedTuple):
    kind: str  # "round", "votes", "awards"
    label: str  # what was checked, for the output line
    differences: list  # of strings, each naming a case by its reference number


def _selected(rounds, queryset):
    return queryset.filter(pk__in=rounds) if rounds else queryset


def check_rankings(*, rounds=None, include_open=False):
    """Scoring rounds: entry scores and ranks, and review scores (`ranking_differences`)."""
    if rounds:
        selected = Round.objects.filter(pk__in=rounds, kind=RoundKind.SCORING)
    else:
        selected = verifiable_rounds(include_open=include_open)
    reports = []
    for round_ in selected.select_related("edition__programme").order_by("edition", "order"):
        reports.append(
            Report(
                "round",
                f"round {round_.pk} {round_}",
                [
                    f"{d.reference} {d.what}: stored {d.stored}, recomputed {d.recomputed}"
                    for d in ranking_differences(round_)
                ],
            )
        )
    return reports


def check_votes(*, rounds=None, include_open=False):
    """Plenary rounds whose count was confirmed: each entry's stored outcome and voted tier
    against the count recomputed from the stored votes (an entry decided by an override with
    a reason keeps its outcome; its voted tier is still compared)."""
    from ..services.advancement import advancement_plan

    confirmed = Round.objects.filter(
        kind=RoundKind.VOTE, status=RoundStatus.CLOSED, entries__decided_at__isnull=False
    ).distinct()
    reports = []
    for round_ in _selected(rounds, confirmed).select_related("edition__programme"):
        differences = []
        for proposal in advancement_plan(round_).proposals:
            entry = proposal.entry
            if entry.pk is None:
                differences.append(f"{entry.case.reference} entry: stored None, recomputed missing")
                continue
            if not entry.override_reason and entry.result != proposal.result:
                differences.append(
                    f"{entry.case.reference} vote result: stored {entry.result}, "
                    f"recomputed {proposal.result}"
                )
            recomputed = proposal.vote.decided_tier if proposal.vote is not None else None
            if entry.voted_tier_id != getattr(recomputed, "pk", None):
                differences.append(
                    f"{entry.case.reference} voted tier: stored {entry.voted_tier}, "
                    f"recomputed {recomputed}"
                )
        reports.append(Report("votes", f"votes {round_.pk} {round_}", differences))
    return reports


DECIDED_STATES = [
    EditionStatus.DECIDING,
    EditionStatus.PUBLICITY,
    EditionStatus.PUBLISHED,
    EditionStatus.ARCHIVED,
]


def check_awards(*, rounds=None, include_open=False):
    """Confirmed awards against the tier proposal recomputed from the final ranking and the
    plenary count. An award with a recorded reason (an override, a quota exceeded, a later
    amendment) stands as decided; any other award must have the proposed tier, and a case
    proposed for a tier must have its award unless the committee's "no award" is audited.
    Editions without a final scoring round (imported archives) are not recomputable and
    are skipped."""
    from cases.services import DomainError

    from ..services.awards import awards_propose
    from .vote_tally import plenary_round, plenary_tally

    editions = (
        Award.objects.filter(edition__status__in=DECIDED_STATES)
        .values_list("edition", flat=True)
        .distinct()
    )
    if rounds:
        editions = editions.filter(edition__rounds__in=rounds)
    reports = []
    from cases.models import Edition

    for edition in Edition.objects.filter(pk__in=editions).order_by("pk"):
        tally = plenary_tally(edition)
        if tally is None and plenary_round(edition) is not None:
            reports.append(Report("awards", f"awards {edition.pk} {edition}", []))
            continue
        try:
            proposal = awards_propose(edition=edition, tally=tally)
        except DomainError:
            continue
        proposed = {p.case.pk: p for p in proposal.placements}
        awards = list(Award.objects.filter(edition=edition).select_related("case", "tier"))
        awarded = {a.case_id for a in awards}
        differences = []
        for award in awards:
            if award.decision_reason.strip():
                continue
            placement = proposed.get(award.case_id)
            tier = placement.tier if placement else None
            if tier is None or tier.pk != award.tier_id:
                differences.append(
                    f"{award.case.reference} award tier: stored {award.tier.name}, "
                    f"proposed {tier.name if tier else None}"
                )
        declined = set(
            AuditEntry.objects.filter(
                Q(code="judging.award.override_no_award") | Q(code="judging.award.revoked"),
                object_id__in=[str(pk) for pk in proposed],
            ).values_list("object_id", flat=True)
        )
        for case_id, placement in proposed.items():
            if case_id not in awarded and str(case_id) not in declined:
                differences.append(
                    f"{placement.case.reference} award tier: stored None, "
                    f"proposed {placement.tier.name}"
                )
        reports.append(Report("awards", f"awards {edition.pk} {edition}", differences))
    return reports


def check_heat(*, rounds=None, include_open=False):
    """Published monthly heat lists, recomputed from the stored counts (`judging.heat`);
    not part of a check restricted to some rounds."""
    from ..heat.models import HeatPeriod
    from ..heat.services import verify_heat

    if rounds or not HeatPeriod.objects.exists():
        return []
    lines = [
        f"{d.period} {d.item} {d.what}: stored {d.stored}, recomputed {d.recomputed}"
        for d in verify_heat()
    ]
    return [Report("heat", "heat lists", lines)]


def check_public_votes(*, rounds=None, include_open=False):
    """Public votes (网络投票): valid vote counts and the combined expert + public scores."""
    if rounds:
        return []
    from ..voting.verify import public_vote_differences, tabulated_rounds

    return [
        Report(
            "public vote",
            f"public vote {round_.pk} {round_}",
            [
                f"{d.case} {d.what}: stored {d.stored}, recomputed {d.recomputed}"
                for d in public_vote_differences(round_)
            ],
        )
        for round_ in tabulated_rounds()
    ]


CHECKS = [check_rankings, check_votes, check_awards, check_heat, check_public_votes]
