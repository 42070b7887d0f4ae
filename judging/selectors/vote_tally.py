"""Counting a plenary vote round (DESIGN.md §4, kind `vote`).

Who counts, for one case of the round:
- a *member* for the case is a judge assigned to it in the vote round — the plenary's cases
  and voters are the round's assignments, as in the judges' workspace (`services.votes`);
- a member is *present* when they cast at least one vote in the round (the meeting's
  attendance); a present member who casts no vote on this case counts as an abstention — in
  the denominator, not in the support;
- a *conflicted* member is left out of both numerator and denominator: whatever the
  workspace's rule excludes (`permissions.eligible_assignments`: recusal, conflict with or
  affiliation to the submitting or a lead unit), and also a conflict with — or an affiliation
  to — a unit above one of the case's units (owner, submitting, lead) in the unit tree;
- votes of judges who are not members, or are conflicted, are ignored (and counted).
A vote for a tier supports that tier and every lower one; a tier is reached when its support
meets the round's threshold for it (`VoteThreshold`), by default more than half.
"""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from cases.models import AwardTier, CaseLeadUnit, Unit

from ..models import (
    Assignment,
    Conflict,
    Judge,
    RoundEntry,
    Vote,
    VoteChoice,
    VoteMode,
    VoteThreshold,
)
from ..permissions import eligible_assignments
from ..tabulation_votes import MAJORITY, Threshold, tally_case_votes
from .ranking import entries_with_assigned

IN = "in"


@dataclass
class VoteRow:
    entry: RoundEntry
    tally: object  # tabulation.VoteTally
    decided_tier: object  # AwardTier or None (tier mode)
    conflicted: int
    keys: list  # tier ids (or [IN]) from the highest

    @property
    def passed(self):
        return self.tally.decided is not None

    @property
    def columns(self):
        """`(support, share, reached)` per tier, from the highest."""
        return [
            (self.tally.support[k], self.tally.share(k), k in self.tally.reached) for k in self.keys
        ]


@dataclass
class VoteCount:
    round: object
    tiers: list  # AwardTier list in tier mode, [] in in/out mode
    thresholds: dict  # tier id (or IN) → Threshold
    rows: list

    @property
    def headers(self):
        """`(label, threshold)` per column."""
        if not self.tiers:
            return [(_("入选"), self.thresholds[IN])]
        return [(tier.name, self.thresholds[tier.pk]) for tier in self.tiers]


def _ancestors_or_self(unit_ids, parents):
    found = set()
    for unit in unit_ids:
        while unit is not None and unit not in found:
            found.add(unit)
            unit = parents.get(unit)
    return found


def round_thresholds(round_, tiers):
    rows = list(VoteThreshold.objects.filter(round=round_))
    default = next(
        (Threshold(r.numerator, r.denominator, r.inclusive) for r in rows if r.tier_id is None),
        MAJORITY,
    )
    own = {r.tier_id: Threshold(r.numerator, r.denominator, r.inclusive) for r in rows if r.tier_id}
    if not tiers:
        return {IN: default}
    return {tier.pk: own.get(tier.pk, default) for tier in tiers}


def vote_count(round_):
    """The tally of every entry of a vote round (and of every case assigned in it without an
    entry yet), in a fixed number of queries."""
    entries = entries_with_assigned(round_)
    tier_mode = round_.vote_mode == VoteMode.TIER
    tiers = list(AwardTier.objects.filter(edition_id=round_.edition_id)) if tier_mode else []
    thresholds = round_thresholds(round_, tiers)
    keys = [t.pk for t in tiers] if tier_mode else [IN]

    assigned, eligible = _members(round_)
    votes = {}
    present = set()
    for case_id, judge_id, choice, tier_id in Vote.objects.filter(round=round_).values_list(
        "case_id", "judge_id", "choice", "tier_id"
    ):
        present.add(judge_id)
        if tier_mode:
            value = tier_id if choice == VoteChoice.TIER else None
        else:
            value = IN if choice == VoteChoice.IN else None
        votes.setdefault(case_id, {})[judge_id] = value

    in_tree_conflict = _conflicted_pairs(entries, present)
    tier_by_pk = {t.pk: t for t in tiers}
    rows = []
    for entry in entries:
        members = assigned.get(entry.case_id, set())
        in_room = members & present
        allowed = {
            j
            for j in eligible.get(entry.case_id, set()) & in_room
            if (j, entry.case_id) not in in_tree_conflict
        }
        found = tally_case_votes(
            tiers=keys,
            eligible=allowed,
            votes=votes.get(entry.case_id, {}),
            thresholds=thresholds,
        )
        rows.append(
            VoteRow(
                entry=entry,
                tally=found,
                decided_tier=tier_by_pk.get(found.decided),
                conflicted=len(in_room - allowed),
                keys=keys,
            )
        )
    return VoteCount(round=round_, tiers=tiers, thresholds=thresholds, rows=rows)


def _members(round_):
    """`({case_id: assigned judges}, {case_id: assigned judges without conflict})`."""
    assigned, eligible = {}, {}
    for case_id, judge_id in Assignment.objects.filter(round=round_).values_list(
        "case_id", "judge_id"
    ):
        assigned.setdefault(case_id, set()).add(judge_id)
    for case_id, judge_id in (
        eligible_assignments().filter(round=round_).values_list("case_id", "judge_id")
    ):
        eligible.setdefault(case_id, set()).add(judge_id)
    return assigned, eligible


def _conflicted_pairs(entries, judges):
    """`{(judge_id, case_id)}` for the given judges and the entries' cases (four queries)."""
    if not judges or not entries:
        return set()
    case_ids = [e.case_id for e in entries]
    case_units = {
        e.case_id: {u for u in (e.case.owner_unit_id, e.case.submitting_unit_id) if u}
        for e in entries
    }
    for case_id, unit_id in CaseLeadUnit.objects.filter(case_id__in=case_ids).values_list(
        "case_id", "unit_id"
    ):
        case_units[case_id].add(unit_id)
    parents = dict(Unit.objects.values_list("pk", "parent_id"))
    covered = {case: _ancestors_or_self(units, parents) for case, units in case_units.items()}

    pairs = set()
    judge_units = {}
    for judge_id, unit_id, case_id in Conflict.objects.filter(judge_id__in=judges).values_list(
        "judge_id", "unit_id", "case_id"
    ):
        if case_id is not None:
            pairs.add((judge_id, case_id))
        if unit_id is not None:
            judge_units.setdefault(judge_id, set()).add(unit_id)
    for judge_id, affiliation_id in Judge.objects.filter(
        pk__in=judges, affiliation__isnull=False
    ).values_list("pk", "affiliation_id"):
        judge_units.setdefault(judge_id, set()).add(affiliation_id)
    for judge_id, units in judge_units.items():
        for case_id, above in covered.items():
            if units & above:
                pairs.add((judge_id, case_id))
    return pairs
