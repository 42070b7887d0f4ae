"""Advancement: from a round's rule to who goes on to the next round.

The organiser previews the proposal (`advancement_plan`), overrides single cases with a
recorded reason (`advancement_override`, `advancement_override_clear`), and confirms
(`advancement_confirm`): every entry is marked advanced or eliminated and the next round of
the edition (the next `order`) gets an entry for each advanced case.

Rules, per category:
- `top_n` — the N best ranked cases; `top_percent` — the best ⌈p% × cases ranked⌉. A case
  tied with the last one taken on score, median S and number of reviews (the ranking's own
  tie-breaks, so only the reference number tells them apart) advances too.
- `threshold` — every case whose exact score (not the rounded one) is at least the line.
- `all_verified` (verification rounds) — every verification assigned for the case is submitted
  and says verified. One submitted 核实未通过 eliminates the case. A record still in draft (or
  an assignment without a record) blocks the automatic decision: the case is left undecided,
  and the organiser decides it by an override with a recorded reason (closing the round warns
  about the drafts first).
- vote rounds propose from the vote count, whatever the rule: a case advances when it
  reaches the threshold of a tier (or of 入选 in an in/out vote); the tier is recorded on the
  entry when the organiser confirms.
- `none` — nothing is proposed; every entry needs an override before confirming.
Cases without a submitted review in a scoring round are proposed as eliminated.
"""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cases.services import DomainError, audit_log

from ..models import (
    AdvancementRule,
    EntryResult,
    ReviewStatus,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
    Verification,
)
from ..selectors.ranking import (
    compute_ranking,
    entries_with_assigned,
    round_entries,
    submitted_reviews,
)
from ..selectors.vote_tally import vote_count
from ..tabulation import percent_quota, tie_keys, to_decimal, top_cut
from .tabulation import tabulate_round

DECIDED = {EntryResult.ADVANCED, EntryResult.ELIMINATED}
RESULT_LABELS = {
    EntryResult.ADVANCED: gettext_lazy("晋级"),
    EntryResult.ELIMINATED: gettext_lazy("未晋级"),
}


@dataclass
class Proposal:
    entry: RoundEntry
    result: str | None  # EntryResult.ADVANCED / ELIMINATED, or None when no rule decides
    note: str
    tied: bool = False
    tally: object = None
    rank: int | None = None
    vote: object = None
    verifications: tuple | None = None  # (verified, not verified, not submitted)

    @property
    def overridden(self):
        return bool(self.entry.override_reason)

    @property
    def decision(self):
        return self.entry.result if self.overridden else self.result

    @property
    def score(self):
        return to_decimal(self.tally.score) if self.tally else None

    @property
    def score_text(self):
        return "—" if self.tally is None else str(self.score)

    @property
    def result_label(self):
        return RESULT_LABELS.get(self.result, "—")

    @property
    def decision_label(self):
        return RESULT_LABELS.get(self.decision, _("待定"))


@dataclass
class AdvancementPlan:
    round: Round
    proposals: list
    next_round: Round | None
    votes: object = None  # the VoteCount of a vote round

    @property
    def confirmed(self):
        return any(p.entry.decided_at is not None for p in self.proposals)

    @property
    def undecided(self):
        return sum(1 for p in self.proposals if p.decision not in DECIDED)

    @property
    def advancing(self):
        return sum(1 for p in self.proposals if p.decision == EntryResult.ADVANCED)

    @property
    def eliminated(self):
        return sum(1 for p in self.proposals if p.decision == EntryResult.ELIMINATED)

    @property
    def overrides(self):
        return sum(1 for p in self.proposals if p.overridden)

    @property
    def unsaved(self):
        """Cases assigned in the round without an entry yet."""
        return sum(1 for p in self.proposals if p.entry.pk is None)


def next_round(round_):
    return (
        Round.objects.filter(edition_id=round_.edition_id, order__gt=round_.order)
        .order_by("order")
        .first()
    )


def _value(round_):
    if round_.advancement_value is None:
        raise DomainError(_("该晋级规则需要填写晋级参数(N、p 或分数线)。"))
    return Decimal(round_.advancement_value)


def _check_rule(round_):
    rule = round_.advancement_rule
    if round_.kind == RoundKind.METRIC:
        raise DomainError(_("数据指标轮次不设晋级。"))
    if round_.kind == RoundKind.PUBLIC_VOTE:
        raise DomainError(_("网络投票轮次的结果是专家与公众的综合得分,不设晋级。"))
    if round_.kind == RoundKind.VOTE or rule == AdvancementRule.NONE:
        return
    if round_.kind == RoundKind.VERIFICATION and rule != AdvancementRule.ALL_VERIFIED:
        raise DomainError(_("走访核实轮次只能使用“全部核实通过”规则。"))
    if round_.kind == RoundKind.SCORING and rule == AdvancementRule.ALL_VERIFIED:
        raise DomainError(_("“全部核实通过”规则只适用于走访核实轮次。"))
    if rule == AdvancementRule.TOP_N:
        value = _value(round_)
        if value < 1 or value != value.to_integral_value():
            raise DomainError(_("“每类前 N 名”的 N 必须是正整数。"))
    elif rule == AdvancementRule.TOP_PERCENT:
        value = _value(round_)
        if not 0 < value <= 100:
            raise DomainError(_("“每类前 p%”的 p 必须大于 0 且不超过 100。"))
    elif rule == AdvancementRule.THRESHOLD:
        _value(round_)


def advancement_plan(round_):
    """What the round's rule proposes for each entry, next to any override (a read)."""
    _check_rule(round_)
    votes = None
    if round_.kind == RoundKind.SCORING:
        proposals = _scoring_proposals(round_)
    elif round_.kind == RoundKind.VERIFICATION:
        proposals = _verification_proposals(round_)
    else:
        votes = vote_count(round_)
        proposals = _vote_proposals(votes)
    return AdvancementPlan(
        round=round_, proposals=proposals, next_round=next_round(round_), votes=votes
    )


def _scoring_proposals(round_):
    entries = round_entries(round_)
    tallies, ranks = compute_ranking(round_, entries, submitted_reviews(round_))
    keys = tie_keys(tallies)
    rule = round_.advancement_rule
    proposals = {}
    by_category = defaultdict(list)
    for entry in entries:
        found = tallies.get(entry.case_id)
        if found is None:
            proposals[entry.pk] = Proposal(
                entry=entry, result=EntryResult.ELIMINATED, note=_("无已提交评分")
            )
        else:
            by_category[entry.case.category_id].append(entry)
    for members in by_category.values():
        members.sort(key=lambda e: ranks[e.case_id])
        advancing = set()
        tied = set()
        if rule in (AdvancementRule.TOP_N, AdvancementRule.TOP_PERCENT):
            if rule == AdvancementRule.TOP_N:
                quota = int(_value(round_))
            else:
                quota = percent_quota(_value(round_), len(members))
            taken = top_cut([keys[e.case_id] for e in members], quota)
            advancing = {e.pk for e in members[:taken]}
            tied = {e.pk for e in members[quota:taken]}
        elif rule == AdvancementRule.THRESHOLD:
            line = Fraction(_value(round_))
            advancing = {e.pk for e in members if tallies[e.case_id].compare_score >= line}
        for entry in members:
            proposals[entry.pk] = Proposal(
                entry=entry,
                result=_scoring_result(rule, entry.pk in advancing),
                note=_scoring_note(round_, entry, tallies, ranks, tied, members),
                tied=entry.pk in tied,
                tally=tallies[entry.case_id],
                rank=ranks[entry.case_id],
            )
    return sorted(
        (proposals[e.pk] for e in entries),
        key=lambda p: (
            p.entry.case.category.order if p.entry.case.category_id else 0,
            p.entry.case.category_id or 0,
            p.rank is None,
            p.rank or 0,
            p.entry.case.reference,
        ),
    )


def _scoring_result(rule, advancing):
    if rule == AdvancementRule.NONE:
        return None
    return EntryResult.ADVANCED if advancing else EntryResult.ELIMINATED


def _scoring_note(round_, entry, tallies, ranks, tied, members):
    rule = round_.advancement_rule
    position = ranks[entry.case_id]
    if rule == AdvancementRule.TOP_N:
        if entry.pk in tied:
            return _("第 %(rank)s 名,与第 %(n)s 名并列(得分、中位数、评分份数均相同),一并晋级") % {
                "rank": position,
                "n": int(_value(round_)),
            }
        return _("第 %(rank)s 名 / 每类前 %(n)s 名晋级") % {
            "rank": position,
            "n": int(_value(round_)),
        }
    if rule == AdvancementRule.TOP_PERCENT:
        quota = percent_quota(_value(round_), len(members))
        if entry.pk in tied:
            return _("第 %(rank)s 名,与第 %(k)s 名并列(得分、中位数、评分份数均相同),一并晋级") % {
                "rank": position,
                "k": quota,
            }
        return _("第 %(rank)s 名 / 前 %(p)s%% 即 %(k)s 名(%(m)s × %(p)s%%,向上取整)") % {
            "rank": position,
            "p": format(_value(round_).normalize(), "f"),
            "k": quota,
            "m": len(members),
        }
    if rule == AdvancementRule.THRESHOLD:
        return _("得分 %(score)s / 分数线 %(line)s") % {
            "score": to_decimal(tallies[entry.case_id].score),
            "line": _value(round_),
        }
    return _("第 %(rank)s 名") % {"rank": position}


def _verification_proposals(round_):
    entries = entries_with_assigned(round_)
    counts = defaultdict(lambda: [0, 0, 0])
    rows = Verification.objects.filter(assignment__round=round_).values_list(
        "assignment__case_id", "status", "verified"
    )
    for case_id, status, verified in rows:
        if status != ReviewStatus.SUBMITTED:
            counts[case_id][2] += 1
        elif verified:
            counts[case_id][0] += 1
        else:
            counts[case_id][1] += 1
    open_assignments = round_.assignments.filter(verification__isnull=True).values_list(
        "case_id", flat=True
    )
    for case_id in open_assignments:
        counts[case_id][2] += 1
    proposals = []
    for entry in entries:
        yes, no, pending = counts[entry.case_id]
        if round_.advancement_rule == AdvancementRule.NONE:
            result = None
        elif no:
            result = EntryResult.ELIMINATED
        elif pending:
            result = None  # not every record is in: an organiser decides, with a reason
        elif yes:
            result = EntryResult.ADVANCED
        else:
            result = EntryResult.ELIMINATED
        proposals.append(
            Proposal(
                entry=entry,
                result=result,
                note=_("核实通过 %(yes)s 份、未通过 %(no)s 份、未提交 %(pending)s 份")
                % {"yes": yes, "no": no, "pending": pending},
                verifications=(yes, no, pending),
            )
        )
    return proposals


def _vote_proposals(votes):
    proposals = []
    for row in votes.rows:
        if row.passed:
            label = row.decided_tier.name if row.decided_tier else _("入选")
            note = _("达到“%(tier)s”的通过门槛") % {"tier": label}
        else:
            note = _("未达到通过门槛")
        proposals.append(
            Proposal(
                entry=row.entry,
                result=EntryResult.ADVANCED if row.passed else EntryResult.ELIMINATED,
                note=note,
                vote=row,
            )
        )
    return proposals


# --- Writes --------------------------------------------------------------------------------
def round_entries_add_assigned(*, round, by):
    """Give every case assigned in the round an entry (a round assigned directly, without
    a confirmed advancement into it). Returns how many were added."""
    with transaction.atomic():
        missing = [e for e in entries_with_assigned(round) if e.pk is None]
        RoundEntry.objects.bulk_create(missing)
        if missing:
            audit_log(
                code="judging.round.entries_added",
                obj=round,
                by=by,
                data={"cases": [e.case_id for e in missing]},
            )
    return len(missing)


def _refuse_if_confirmed(round_):
    if RoundEntry.objects.filter(round=round_, decided_at__isnull=False).exists():
        raise DomainError(_("该轮次的晋级结果已经确认,不能再调整。"))


def advancement_override(*, entry, result, reason, by):
    """Decide one entry by hand, against or without the rule, with the reason kept on it."""
    reason = (reason or "").strip()
    if result not in DECIDED:
        raise DomainError(_("请选择“晋级”或“未晋级”。"))
    if not reason:
        raise DomainError(_("调整必须填写理由。"))
    with transaction.atomic():
        entry = RoundEntry.objects.select_for_update().get(pk=entry.pk)
        _refuse_if_confirmed(entry.round)
        previous = {"result": entry.result, "reason": entry.override_reason}
        entry.result, entry.override_reason = result, reason
        entry.save(update_fields=["result", "override_reason"])
        audit_log(
            code="judging.round_entry.overridden",
            obj=entry,
            by=by,
            data={"from": previous, "to": {"result": result, "reason": reason}},
        )
    return entry


def advancement_override_clear(*, entry, by):
    """Withdraw an override: the rule's proposal applies again."""
    with transaction.atomic():
        entry = RoundEntry.objects.select_for_update().get(pk=entry.pk)
        _refuse_if_confirmed(entry.round)
        if not entry.override_reason:
            return entry
        previous = {"result": entry.result, "reason": entry.override_reason}
        entry.result, entry.override_reason = EntryResult.PENDING, ""
        entry.save(update_fields=["result", "override_reason"])
        audit_log(
            code="judging.round_entry.override_cleared", obj=entry, by=by, data={"from": previous}
        )
    return entry


def advancement_confirm(*, round, by):
    """Confirm the advancement of a closed round: store each entry's decision (the override
    where there is one, otherwise the rule's proposal), and give every advanced case an entry
    in the next round. A scoring round is tabulated again first, so the stored ranking is the
    one the decision was taken on. Returns the plan as confirmed."""
    if round.status != RoundStatus.CLOSED:
        raise DomainError(_("轮次结束后才能确认晋级结果。"))
    with transaction.atomic():
        Round.objects.select_for_update().get(pk=round.pk)
        _refuse_if_confirmed(round)
        if round.kind == RoundKind.SCORING:
            tabulate_round(round=round, by=by)
        added = round_entries_add_assigned(round=round, by=by)
        plan = advancement_plan(round)
        if not plan.proposals:
            raise DomainError(_("该轮次没有案例。"))
        if plan.undecided:
            raise DomainError(
                _("还有 %(count)s 个案例没有晋级结论:该轮次未设晋级规则的,请逐个调整。")
                % {"count": plan.undecided}
            )
        now = timezone.now()
        decided = []
        for proposal in plan.proposals:
            entry = proposal.entry
            entry.result = proposal.decision
            entry.decided_by = by if by is not None and by.is_authenticated else None
            entry.decided_at = now
            if proposal.vote is not None:
                entry.voted_tier = proposal.vote.decided_tier
            decided.append(entry)
        RoundEntry.objects.bulk_update(
            decided, ["result", "decided_by", "decided_at", "voted_tier"], batch_size=500
        )
        created = 0
        if plan.next_round is not None:
            advanced = [e.case_id for e in decided if e.result == EntryResult.ADVANCED]
            existing = set(
                RoundEntry.objects.filter(round=plan.next_round, case_id__in=advanced).values_list(
                    "case_id", flat=True
                )
            )
            new = [
                RoundEntry(round=plan.next_round, case_id=case_id)
                for case_id in advanced
                if case_id not in existing
            ]
            RoundEntry.objects.bulk_create(new)
            created = len(new)
        audit_log(
            code="judging.round.advancement_confirmed",
            obj=round,
            by=by,
            data={
                "rule": round.advancement_rule,
                "value": str(round.advancement_value) if round.advancement_value else None,
                "advanced": plan.advancing,
                "eliminated": plan.eliminated,
                "overrides": plan.overrides,
                "next_round": plan.next_round.pk if plan.next_round else None,
                "created": created,
                "entries_added": added,
            },
        )
    return plan
