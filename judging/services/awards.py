"""From the final ranking to award rows: tier proposals against quotas, their confirmation by
the committee, and explicit amendments afterwards.

How a proposal is made (`awards_propose`):

* Candidates are the cases in review with a rank and a score in the edition's last scoring
  round, except those eliminated in any round (not advanced, failed verification).
* When the edition has a vote round, the plenary decides eligibility: `tally` maps a case to
  the highest tier whose vote threshold it passed (`selectors.vote_tally.plenary_tally`, the
  count confirmed on the vote round); such a case may take that tier or any lower one, and a
  case absent from the tally gets no tier. Without a vote round every candidate is eligible
  for every tier.
* Tiers are filled highest first (`AwardTier.order` ascending). A per-category quota is filled
  inside each category in rank order; an overall quota across categories in score order
  (within one category the tabulation's tie-breaks, i.e. the rank, decide).
* Committee overrides are pinned before the fill: a case overridden to a tier takes a seat of
  that tier (in its scope) whatever its rank, a case overridden to "no award" leaves every pool,
  and the remaining seats are filled in ranking order. So resolving a tie takes one override,
  not a cascade of them.
* Ties at a quota boundary are never broken silently. A tie is judged on the tie-break values
  of DESIGN.md §5 — score, median S and number of reviews, recomputed from the stored reviews
  of the final round — never on the rank that the reference number decided: when the last
  seat and the first case left out have equal values (inside a category for a per-category
  quota; across categories for an overall quota), every case with those values is placed in
  the tier and flagged `tied`. The tier then exceeds its quota, which `awards_confirm` refuses
  until the committee either removes one of them (an override with a reason, audited) or
  accepts the 并列 with a quota reason. Entries without stored reviews (imported archives)
  fall back to their stored score and rank.
* A tier without a quota takes every eligible case left when there is a tally; without a tally
  nothing is proposed for it (the committee places cases there by override).
"""

import hashlib
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases.models import AwardTier, Case, CaseStatus, Edition, EditionStatus, QuotaScope
from cases.services import DomainError, audit_log, case_transition

from ..cache import bump_results_version
from ..models import Award, EntryResult, Round, RoundEntry, RoundKind, RoundStatus
from ..selectors.ranking import submitted_reviews
from ..selectors.vote_tally import plenary_tally
from ..tabulation import tally as tally_reviews
from ..tabulation import tie_key


@dataclass(frozen=True)
class Override:
    """The committee's decision for one case: `tier` None means no award."""

    tier: AwardTier | None
    reason: str = ""


@dataclass
class Candidate:
    case: Case
    rank: int | None
    score: Decimal | None
    overridden: bool = False  # the committee decided "no award"
    # (score, median S, reviews) recomputed from the round's submitted reviews; None when the
    # entry has no stored review (then the stored score and rank stand in for it).
    tie_key: tuple | None = None

    @property
    def category_id(self):
        return self.case.category_id


@dataclass
class Placement:
    case: Case
    tier: AwardTier
    rank: int | None
    score: Decimal | None
    order: int = 0
    tied: bool = False
    override: Override | None = None
    tie_key: tuple | None = None

    @property
    def overridden(self):
        return self.override is not None


@dataclass
class QuotaGroup:
    """One quota to respect: a tier in one category (per-category scope) or overall."""

    tier: AwardTier
    category: object  # a Category, or None for an overall quota
    placements: list = field(default_factory=list)
    tied: bool = False

    @property
    def quota(self):
        return self.tier.quota

    @property
    def count(self):
        return len(self.placements)

    @property
    def exceeded(self):
        return self.quota is not None and self.count > self.quota

    @property
    def label(self):
        if self.category is None:
            return self.tier.name
        return f"{self.category.name} · {self.tier.name}"


@dataclass
class Proposal:
    edition: Edition
    round: object
    tally: dict | None
    overrides: dict
    candidates: list
    groups: list
    placements: list
    not_awarded: list
    warnings: list
    input_fingerprint: str

    @property
    def exceeded_groups(self):
        return [group for group in self.groups if group.exceeded]

    @property
    def tied_groups(self):
        return [group for group in self.groups if group.tied]

    def placement_for(self, case_id):
        return next((p for p in self.placements if p.case.pk == case_id), None)

    def tier_by_case(self):
        return {p.case.pk: p.tier for p in self.placements}


def final_scoring_round(edition):
    return edition.rounds.filter(kind=RoundKind.SCORING).order_by("-order").first()


def _normalise_tally(edition, tally, tiers_by_id):
    if tally is None:
        return None
    normalised = {}
    for case, tier in tally.items():
        case_id = getattr(case, "pk", case)
        tier_id = getattr(tier, "pk", tier)
        if tier_id not in tiers_by_id:
            raise DomainError(_("投票结果中的奖项不属于本届。"))
        normalised[case_id] = tiers_by_id[tier_id]
    return normalised


def _normalise_overrides(overrides, tiers_by_id):
    normalised = {}
    for case, override in (overrides or {}).items():
        case_id = getattr(case, "pk", case)
        tier = override.tier
        if tier is not None:
            tier_id = getattr(tier, "pk", tier)
            if tier_id not in tiers_by_id:
                raise DomainError(_("调整后的奖项不属于本届。"))
            tier = tiers_by_id[tier_id]
        normalised[case_id] = Override(tier=tier, reason=(override.reason or "").strip())
    return normalised


def _fingerprint(round_, candidates, tally):
    digest = hashlib.sha256()
    digest.update(f"round:{round_.pk if round_ else ''};".encode())
    for candidate in sorted(candidates, key=lambda c: c.case.pk):
        digest.update(
            f"{candidate.case.pk}:{candidate.category_id}:{candidate.rank}:{candidate.score};".encode()
        )
    if tally is not None:
        digest.update(b"tally;")
        for case_id, tier in sorted(tally.items()):
            digest.update(f"{case_id}>{tier.pk};".encode())
    return digest.hexdigest()


def _rank_key(candidate):
    """Per-category order: rank ascending; unranked (overridden-in) cases last."""
    return (
        candidate.rank is None,
        candidate.rank or 0,
        candidate.case.reference,
        candidate.case.pk,
    )


def _score_key(candidate):
    """Overall order: the tie-break values descending (score, median S, reviews), then rank
    inside the category; unranked last."""
    key = candidate.tie_key
    return (
        candidate.score is None,
        -(key[0] if key else (candidate.score or 0)),
        -(key[1] if key else 0),
        -(key[2] if key else 0),
        candidate.rank or 0,
        candidate.case.reference,
        candidate.case.pk,
    )


def tied(a, b):
    """Whether two candidates are a real tie: equal score, median S and number of reviews.
    Without reviews to recompute from, equal stored score and — inside one category — equal
    stored rank."""
    if a.tie_key is not None and b.tie_key is not None:
        return a.tie_key == b.tie_key
    if a.score != b.score:
        return False
    return a.category_id != b.category_id or a.rank == b.rank


def _take(pool, seats):
    """Pick `seats` cases from `pool` (sorted best first): `(taken, tied_ids)`, every case tied
    with the last seat taken too and named in `tied_ids` when the tie crosses the cut."""
    if seats <= 0 or not pool:
        return [], set()
    if len(pool) <= seats:
        return list(pool), set()
    boundary = pool[seats - 1]
    if not tied(pool[seats], boundary):
        return pool[:seats], set()
    group = [c for c in pool if tied(c, boundary)]
    above = [c for c in pool[:seats] if not tied(c, boundary)]
    return above + group, {c.case.pk for c in group}


def _tie_keys(round_):
    """`{case_id: (score, median, reviews)}` recomputed from the round's submitted reviews."""
    reviews = submitted_reviews(round_)
    return {case: tie_key(t) for case, t in tally_reviews(reviews, round_.aggregation).items()}


@dataclass(frozen=True)
class ProposalInputs:
    """What decides whether an edition's awards can be proposed: read in bulk for a list of
    editions by `proposal_inputs`."""

    has_tiers: bool
    final_round: object  # the last scoring Round, or None
    plenary: object  # the last vote Round, or None
    plenary_confirmed: bool  # its count was confirmed (an entry of it is decided)


def proposal_inputs(editions):
    """`{edition_id: ProposalInputs}` for `editions` in two queries, whatever their number."""
    ids = [getattr(edition, "pk", edition) for edition in editions]
    tiers = set(AwardTier.objects.filter(edition_id__in=ids).values_list("edition_id", flat=True))
    final, plenary = {}, {}
    rounds = (
        Round.objects.filter(edition_id__in=ids, kind__in=[RoundKind.SCORING, RoundKind.VOTE])
        .annotate(
            confirmed=Exists(
                RoundEntry.objects.filter(round=OuterRef("pk"), decided_at__isnull=False)
            )
        )
        .order_by("edition_id", "order")
    )
    for round_ in rounds:
        (final if round_.kind == RoundKind.SCORING else plenary)[round_.edition_id] = round_
    return {
        pk: ProposalInputs(
            has_tiers=pk in tiers,
            final_round=final.get(pk),
            plenary=plenary.get(pk),
            plenary_confirmed=bool(plenary.get(pk) and plenary[pk].confirmed),
        )
        for pk in ids
    }


def awards_proposal_blockers(edition, *, tally=None, inputs=None):
    """Why no awards proposal can be made for `edition` now, one message per cause (empty
    when it can): the edition has award tiers; its last scoring round exists and is closed;
    the count of its plenary (vote round), if it has one, was confirmed on the round's
    advancement page. `tally` is the plenary's count when the caller has read it already;
    `inputs` a `ProposalInputs` read in bulk for a list page."""
    inputs = inputs or proposal_inputs([edition])[edition.pk]
    blockers = []
    if not inputs.has_tiers:
        blockers.append(_("本届尚未设置奖项。"))
    round_ = inputs.final_round
    if round_ is None:
        blockers.append(_("本届没有评分轮次,无法按排名提出奖项方案。"))
    elif round_.status != RoundStatus.CLOSED:
        blockers.append(
            _("最后一轮评分“%(round)s”尚未结束,请结束后再提出奖项方案。") % {"round": round_.name}
        )
    if tally is None and inputs.plenary is not None and not inputs.plenary_confirmed:
        blockers.append(
            _(
                "全体会议投票轮次“%(round)s”的投票结果尚未确认:请在该轮次的“晋级”页面"
                "确认投票结果后,再提出奖项方案。"
            )
            % {"round": inputs.plenary.name}
        )
    return blockers


def awards_propose(*, edition, tally=None, overrides=None):
    """Propose tiers for an edition from its final ranking (see the module docstring).

    Pure read: returns a `Proposal` preview and writes nothing. `tally` maps case (or case id)
    → AwardTier for editions with a vote round; `overrides` maps case (or id) → `Override`.
    """
    inputs = proposal_inputs([edition])[edition.pk]
    if tally is None and inputs.plenary_confirmed:
        # The plenary's confirmed count decides eligibility, whoever calls.
        tally = plenary_tally(edition, plenary=inputs.plenary)
    blockers = awards_proposal_blockers(edition, tally=tally, inputs=inputs)
    if blockers:
        raise DomainError(" ".join(blockers))
    tiers = list(AwardTier.objects.filter(edition=edition).order_by("order", "pk"))
    tiers_by_id = {tier.pk: tier for tier in tiers}
    round_ = inputs.final_round
    tally = _normalise_tally(edition, tally, tiers_by_id)
    overrides = _normalise_overrides(overrides, tiers_by_id)

    warnings = []
    entries = (
        RoundEntry.objects.filter(round=round_)
        .select_related("case__category")
        .order_by("case__category__order", "rank", "case__reference", "case__pk")
    )
    eliminated = set(
        RoundEntry.objects.filter(
            round__edition=edition, result=EntryResult.ELIMINATED
        ).values_list("case_id", flat=True)
    )
    keys = _tie_keys(round_)
    candidates = []
    for entry in entries:
        if entry.case.status != CaseStatus.IN_REVIEW or entry.case_id in eliminated:
            continue
        if entry.rank is None or entry.score is None:
            warnings.append(
                _("“%(case)s”在最后一轮没有名次或得分,未列入方案。") % {"case": entry.case.title}
            )
            continue
        candidates.append(
            Candidate(
                case=entry.case,
                rank=entry.rank,
                score=entry.score,
                tie_key=keys.get(entry.case_id),
            )
        )
    if not candidates:
        warnings.append(_("最后一轮“%(round)s”没有可评定的排名结果。") % {"round": round_.name})
    fingerprint = _fingerprint(round_, candidates, tally)

    by_case = {c.case.pk: c for c in candidates}
    missing = [case_id for case_id in overrides if case_id not in by_case]
    if missing:
        extra = Case.objects.filter(
            edition=edition, pk__in=missing, status=CaseStatus.IN_REVIEW
        ).select_related("category")
        for case in extra:
            by_case[case.pk] = Candidate(case=case, rank=None, score=None)
        if len(by_case) - len(candidates) != len(missing):
            raise DomainError(_("只能调整本届评审中的案例。"))

    categories = list(edition.categories.order_by("order", "pk"))
    if any(c.category_id is None for c in by_case.values()):
        categories.append(None)

    def eligible(candidate, tier):
        if tally is None:
            return True
        passed = tally.get(candidate.case.pk)
        return passed is not None and (passed.order, passed.pk) <= (tier.order, tier.pk)

    placed = {}
    groups = []
    for tier in tiers:
        overall = tier.quota_scope == QuotaScope.OVERALL
        scopes = [None] if overall else categories
        if tier.quota is None and tally is None:
            warnings.append(
                _("“%(tier)s”未设名额,方案不自动分配,请由评委会逐一指定。") % {"tier": tier.name}
            )
        for category in scopes:
            category_id = getattr(category, "pk", None)
            in_scope = [c for c in by_case.values() if overall or c.category_id == category_id]
            group = QuotaGroup(tier=tier, category=category)
            pinned = [
                c for c in in_scope if c.case.pk in overrides and overrides[c.case.pk].tier == tier
            ]
            for candidate in pinned:
                placed[candidate.case.pk] = Placement(
                    case=candidate.case,
                    tier=tier,
                    rank=candidate.rank,
                    score=candidate.score,
                    override=overrides[candidate.case.pk],
                    tie_key=candidate.tie_key,
                )
            pool = sorted(
                (
                    c
                    for c in in_scope
                    if c.case.pk not in placed
                    and c.case.pk not in overrides
                    and c.rank is not None
                    and eligible(c, tier)
                ),
                key=_score_key if overall else _rank_key,
            )
            if tier.quota is None:
                taken, tied_ids = (pool if tally is not None else []), set()
            else:
                taken, tied_ids = _take(pool, tier.quota - len(pinned))
            for candidate in taken:
                placed[candidate.case.pk] = Placement(
                    case=candidate.case,
                    tier=tier,
                    rank=candidate.rank,
                    score=candidate.score,
                    tied=candidate.case.pk in tied_ids,
                    tie_key=candidate.tie_key,
                )
            group.tied = bool(tied_ids)
            members = [placed[c.case.pk] for c in pinned + list(taken)]
            members.sort(key=_score_key if overall else _rank_key)
            for position, placement in enumerate(members, start=1):
                placement.order = position
            group.placements = members
            groups.append(group)

    placements = [p for group in groups for p in group.placements]
    not_awarded = [c for c in sorted(by_case.values(), key=_rank_key) if c.case.pk not in placed]
    for candidate in not_awarded:
        candidate.overridden = candidate.case.pk in overrides
    return Proposal(
        edition=edition,
        round=round_,
        tally=tally,
        overrides=overrides,
        candidates=candidates,
        groups=groups,
        placements=placements,
        not_awarded=not_awarded,
        warnings=warnings,
        input_fingerprint=fingerprint,
    )


def _exceeded_message(groups):
    return _("以下奖项超出名额,请调整或填写超出名额的理由:%(groups)s") % {
        "groups": pgettext("list separator", "、").join(
            f"{g.label}({g.count}/{g.quota})" for g in groups
        )
    }


def awards_confirm(*, edition, proposal, overrides=None, by, quota_reason=""):
    """Write the edition's Award rows from `proposal` with the committee's `overrides`.

    The proposal is recomputed with the overrides pinned; if the ranking or the tally changed
    since the preview (`input_fingerprint`), nothing is written. Every override needs a reason,
    kept on the award (`decision_reason`); a result that exceeds a quota needs `quota_reason`.
    Awards of cases no longer placed are removed. Only while the edition is being decided.
    """
    overrides = overrides or {}
    for case, override in overrides.items():
        if not (override.reason or "").strip():
            title = getattr(case, "title", None) or Case.objects.get(pk=case).title
            raise DomainError(_("调整“%(case)s”的奖项须填写理由。") % {"case": title})
    quota_reason = (quota_reason or "").strip()
    with transaction.atomic():
        edition = Edition.objects.select_for_update().get(pk=edition.pk)
        if edition.status != EditionStatus.DECIDING:
            raise DomainError(_("只有处于“评定中”的届才能确定奖项。"))
        fresh = awards_propose(edition=edition, tally=proposal.tally, overrides=overrides)
        if fresh.input_fingerprint != proposal.input_fingerprint:
            raise DomainError(_("预览之后排名或投票结果已发生变化,请重新预览后再确认。"))
        exceeded = fresh.exceeded_groups
        if exceeded and not quota_reason:
            raise DomainError(_exceeded_message(exceeded))
        exceeded_ids = {p.case.pk for g in exceeded for p in g.placements if p.tied or p.overridden}

        proposed_tiers = proposal.tier_by_case()
        existing = {
            award.case_id: award
            for award in Award.objects.filter(edition=edition).select_related("tier")
        }
        kept = set()
        for placement in fresh.placements:
            reasons = []
            if placement.overridden:
                reasons.append(placement.override.reason)
            if placement.case.pk in exceeded_ids:
                reasons.append(_("超出名额:%(reason)s") % {"reason": quota_reason})
            award = existing.get(placement.case.pk)
            created = award is None
            if created:
                award = Award(edition=edition, case=placement.case)
            previous_tier = None if created else award.tier.name
            award.tier = placement.tier
            award.category = placement.case.category
            award.order = placement.order
            award.decision_reason = "\n".join(reasons)
            award.save()
            kept.add(award.pk)
            proposed = proposed_tiers.get(placement.case.pk)
            audit_log(
                code="judging.award.confirmed",
                obj=award,
                by=by,
                data={
                    "tier": placement.tier.name,
                    "previous_tier": previous_tier,
                    "rank": placement.rank,
                    "score": str(placement.score) if placement.score is not None else None,
                    "tied": placement.tied,
                },
            )
            if placement.overridden:
                audit_log(
                    code="judging.award.overridden",
                    obj=award,
                    by=by,
                    data={
                        "proposed_tier": proposed.name if proposed else None,
                        "tier": placement.tier.name,
                        "reason": placement.override.reason,
                    },
                )
        for case_id, override in fresh.overrides.items():
            if override.tier is None:
                audit_log(
                    code="judging.award.override_no_award",
                    obj=Case.objects.get(pk=case_id),
                    by=by,
                    data={
                        "proposed_tier": (
                            proposed_tiers[case_id].name if case_id in proposed_tiers else None
                        ),
                        "reason": override.reason,
                    },
                )
        for award in existing.values():
            if award.pk not in kept:
                audit_log(
                    code="judging.award.removed",
                    obj=award,
                    by=by,
                    data={**award_snapshot(award), "reason": "not in the confirmed proposal"},
                )
                award.delete()
        audit_log(
            code="judging.edition.awards_confirmed",
            obj=edition,
            by=by,
            data={
                "awards": len(fresh.placements),
                "overrides": len(fresh.overrides),
                "quota_reason": quota_reason,
                "exceeded": [g.label for g in exceeded],
            },
        )
        transaction.on_commit(lambda: bump_results_version(edition))
    return fresh


def award_snapshot(award):
    """What is lost when an award row is deleted, kept in the audit row: its citation and the
    objections raised against it (they are deleted with the award)."""
    return {
        "case": award.case_id,
        "tier": award.tier.name,
        "citation": award.citation,
        "citation_status": award.citation_status,
        "commentator": award.commentator_id,
        "decision_reason": award.decision_reason,
        "objections": [
            {
                "name": objection.name,
                "unit_name": objection.unit_name,
                "phone": objection.phone,
                "reason": objection.reason,
                "status": objection.status,
                "handling": objection.handling,
                "created_at": objection.created_at.isoformat(),
            }
            for objection in award.objections.all()
        ],
    }


AMENDABLE_STATES = {
    EditionStatus.DECIDING,
    EditionStatus.PUBLICITY,
    EditionStatus.PUBLISHED,
    EditionStatus.ARCHIVED,
}
PUBLISHED_STATES = {EditionStatus.PUBLISHED, EditionStatus.ARCHIVED}


def award_amend(*, award, by, reason, tier=None, revoke=False):
    """Change one confirmed award's tier, or revoke it, with a reason that is kept on the award
    and audited. After publication a revoked case becomes 未获奖; the results cache is bumped.
    Returns the award (unsaved and deleted when revoked)."""
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_("调整奖项须填写理由。"))
    if (tier is None) == (not revoke):
        raise DomainError(_("请选择新的奖项,或选择撤销该奖项。"))
    with transaction.atomic():
        award = (
            Award.objects.select_for_update()
            .select_related("edition", "tier", "case")
            .get(pk=award.pk)
        )
        edition = award.edition
        if edition.status not in AMENDABLE_STATES:
            raise DomainError(_("本届当前状态下不能调整奖项。"))
        stamp = timezone.localtime().strftime("%Y-%m-%d")
        if revoke:
            audit_log(
                code="judging.award.revoked",
                obj=award,
                by=by,
                data={**award_snapshot(award), "reason": reason},
            )
            if edition.status in PUBLISHED_STATES and award.case.status == CaseStatus.AWARDED:
                case_transition(award.case, CaseStatus.NOT_AWARDED, by=by, reason=reason)
            award.delete()
        else:
            if tier.edition_id != edition.pk:
                raise DomainError(_("调整后的奖项不属于本届。"))
            if tier.pk == award.tier_id:
                raise DomainError(_("新的奖项与原奖项相同。"))
            previous = award.tier
            award.tier = tier
            note = _("%(date)s 由“%(from)s”调整为“%(to)s”:%(reason)s") % {
                "date": stamp,
                "from": previous.name,
                "to": tier.name,
                "reason": reason,
            }
            award.decision_reason = "\n".join(filter(None, [award.decision_reason, note]))
            award.save(update_fields=["tier", "decision_reason", "updated_at"])
            audit_log(
                code="judging.award.amended",
                obj=award,
                by=by,
                data={"from": previous.name, "to": tier.name, "reason": reason},
            )
        transaction.on_commit(lambda: bump_results_version(edition))
    return award
