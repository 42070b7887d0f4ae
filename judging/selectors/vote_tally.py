"""Counting a plenary vote round (DESIGN.md §4, kind `vote`): the one official count, shown
to the organiser on the advancement page, to the chair on the workspace's tally page, and
recorded on the entries (`RoundEntry.voted_tier`) when the organiser confirms the round.

Who counts, for one case of the round:
- a *member* for the case is a judge assigned to it in the vote round — the plenary's cases
  and voters are the round's assignments, as in the judges' workspace (`services.votes`);
- a member is *present* when they cast at least one vote in the round (the meeting's
  attendance); a present member who casts no vote on this case counts as an abstention — in
  the denominator, not in the support;
- a *conflicted* member is left out of both numerator and denominator, by the one conflict
  rule of the review (`selectors.conflicts.conflict_map`: recusal; affiliation or declared
  unit related, in the unit tree, to the submitting unit or a lead unit);
- votes of judges who are not members, or are conflicted, are ignored (and counted).
A vote for a tier supports that tier and every lower one; a tier is reached when its support
meets the round's threshold for it (`VoteThreshold`), by default more than half.
"""

from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from cases.models import AwardTier, Case

from ..models import (
    Assignment,
    EntryResult,
    Judge,
    Round,
    RoundEntry,
    RoundKind,
    Vote,
    VoteChoice,
    VoteMode,
    VoteThreshold,
)
from ..tabulation_votes import MAJORITY, Threshold, tally_case_votes
from .conflicts import conflict_map
from .ranking import entries_with_assigned

IN = "in"


@dataclass
class VoteRow:
    entry: RoundEntry
    tally: object  # tabulation.VoteTally
    decided_tier: object  # AwardTier or None (tier mode)
    conflicted: int
    keys: list  # tier ids (or [IN]) from the highest
    labels: dict = field(default_factory=dict)  # key (None: no tier / out) → label

    @property
    def case(self):
        return self.entry.case

    @property
    def passed(self):
        return self.tally.decided is not None

    @property
    def official(self):
        """`(label, support, reached)` per tier from the highest: the votes for the tier or a
        higher one among the members present, and whether the tier's threshold is met."""
        return [(self.labels[k], self.tally.support[k], k in self.tally.reached) for k in self.keys]

    @property
    def raw(self):
        """`(label, votes)` per choice as cast by the members counted (not cumulative)."""
        return [(self.labels[k], self.tally.cast.get(k, 0)) for k in [*self.keys, None]]

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
    """The official count of every entry of a vote round (and of every case assigned in it
    without an entry yet), in a fixed number of queries: eleven, twelve when some assigned
    cases have no entry yet."""
    entries = entries_with_assigned(round_)
    tier_mode = round_.vote_mode == VoteMode.TIER
    tiers = list(AwardTier.objects.filter(edition_id=round_.edition_id)) if tier_mode else []
    thresholds = round_thresholds(round_, tiers)
    keys = [t.pk for t in tiers] if tier_mode else [IN]

    assigned = {}
    for case_id, judge_id in Assignment.objects.filter(round=round_).values_list(
        "case_id", "judge_id"
    ):
        assigned.setdefault(case_id, set()).add(judge_id)
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

    conflicted = set()
    if present and entries:
        conflicted = conflict_map(
            cases=Case.objects.filter(pk__in=[e.case_id for e in entries]),
            judges=Judge.objects.filter(pk__in=present),
            regional=round_.regional_recusal,
        ).pairs()
    tier_by_pk = {t.pk: t for t in tiers}
    if tier_mode:
        labels = {t.pk: t.name for t in tiers} | {None: _("不授奖")}
    else:
        labels = {IN: VoteChoice.IN.label, None: VoteChoice.OUT.label}
    rows = []
    for entry in entries:
        in_room = assigned.get(entry.case_id, set()) & present
        allowed = {j for j in in_room if (entry.case_id, j) not in conflicted}
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
                labels=labels,
            )
        )
    return VoteCount(round=round_, tiers=tiers, thresholds=thresholds, rows=rows)


def plenary_round(edition):
    """The edition's plenary: its last vote round, or None."""
    return Round.objects.filter(edition=edition, kind=RoundKind.VOTE).order_by("-order").first()


def plenary_tally(edition, *, plenary=None):
    """What the plenary decided, as the award proposal takes it (`awards_propose(tally=…)`):
    `{case_id: AwardTier}`, the highest tier each case may take. None when the edition has no
    vote round, or its count has not been confirmed yet (the organiser confirms it on the
    round's advancement page, which records `RoundEntry.voted_tier`).

    In a tier vote a case may take the tier the vote reached (`voted_tier`) or a lower one; in
    an in/out vote a case that went through (advanced) may take any tier. Cases absent from
    the mapping get no tier. `plenary` saves looking the round up again. Three queries at most.
    """
    round_ = plenary or plenary_round(edition)
    if round_ is None:
        return None
    entries = list(
        RoundEntry.objects.filter(round=round_).values_list(
            "case_id", "voted_tier_id", "result", "decided_at"
        )
    )
    if not any(decided_at is not None for *_rest, decided_at in entries):
        return None
    tiers = AwardTier.objects.filter(edition=edition).order_by("order", "pk")
    if round_.vote_mode == VoteMode.TIER:
        by_pk = {tier.pk: tier for tier in tiers}
        return {case: by_pk[tier] for case, tier, _result, _at in entries if tier is not None}
    top = tiers.first()
    if top is None:
        return {}
    return {case: top for case, _tier, result, _at in entries if result == EntryResult.ADVANCED}
