"""Assignment of judges to the cases of a round: automatic for a whole round, or one by one.

`round_auto_assign` gives each case of the round `round.reviews_per_case` judges taken from
the panels covering its category:
- never a conflicted judge (`judging.selectors.conflicts`);
- existing assignments are kept and count towards N and towards each judge's load;
- loads balanced: a greedy pass gives each case its least-loaded eligible judges, the most
  constrained cases first; then work is moved along chains of newly made assignments while a
  judge has at least 2 more than another judge reachable through such a chain. When no chain
  is left, max − min ≤ 1 among judges who could swap work; a larger spread means conflicts or
  panel boundaries forbid evening it out;
- deterministic: ties are broken by a fixed integer hash of (round, case, judge), never by
  chance, so the same input always gives the same assignment (and judge groups still mix);
- cases that cannot get N judges are listed in the report with the reason.
"""

import struct
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from cases.audit.chain import append_many as audit_append_many
from cases.audit.chain import entry_values_many as audit_entry_values_many
from cases.bulk import insert_rows
from cases.models import Category
from cases.services import DomainError, audit_log

from ..models import (
    Assignment,
    AssignmentStatus,
    ConflictSource,
    Judge,
    Panel,
    PanelMembership,
    Round,
    RoundEntry,
    RoundKind,
    RoundStatus,
)
from ..selectors.conflicts import case_conflict_source, conflict_map
from ..selectors.progress import first_round, round_cases
from .rounds import FIRST_ROUND_CASE_STATES, round_sync_first_entries

_MASK = (1 << 64) - 1
_A, _B, _C = 0x9E3779B97F4A7C15, 0xBF58476D1CE4E5B9, 0x94D049BB133111EB
_K1, _K2 = 0xBF58476D1CE4E5B9, 0x94D049BB133111EB


def _tiebreak(salt, case_id, judge_id):
    """A fixed 64-bit mix (splitmix64 finaliser) of the three ids."""
    x = salt * _A + case_id * _B + judge_id * _C
    x &= _MASK
    x ^= x >> 30
    x = (x * _K1) & _MASK
    x ^= x >> 27
    x = (x * _K2) & _MASK
    return x ^ (x >> 31)


def plan_assignments(*, cases, eligible, existing, loads, reviews_per_case, salt=0):
    """Choose new judges for each case; pure function over ids, returns `{case: [judges]}`.

    `cases` are case ids; `eligible[case]` the distinct non-conflicted judges who may take
    it; `existing[case]` the judges already assigned (kept); `loads[judge]` each judge's
    current number of assignments in the round (updated in place).
    """
    on_case = {c: set(existing.get(c, ())) for c in cases}
    need = {c: max(0, reviews_per_case - len(on_case[c])) for c in cases}
    candidates = {c: set(eligible.get(c, ())) - on_case[c] for c in cases}
    for j in set().union(*candidates.values()):
        loads.setdefault(j, 0)
    # The judges at each load: a case's least-loaded candidates are found level by level
    # with set intersections instead of sorting all its candidates by load.
    by_load = defaultdict(set)
    for j, load in loads.items():
        by_load[load].add(j)
    tiebreaks = _Tiebreaks(salt)

    new_by_judge = defaultdict(set)
    # Fewest spare candidates first, so that scarce judges go where they are needed.
    for c in sorted(cases, key=lambda c: (len(candidates[c]) - need[c], c)):
        if not need[c]:
            continue
        for j in _least_loaded(candidates[c], need[c], by_load, tiebreaks, c, eligible.get(c, ())):
            on_case[c].add(j)
            new_by_judge[j].add(c)
            level = by_load[loads[j]]
            level.discard(j)
            if not level:
                del by_load[loads[j]]
            loads[j] += 1
            by_load[loads[j]].add(j)

    _rebalance(
        eligible=eligible, on_case=on_case, new_by_judge=new_by_judge, loads=loads, salt=salt
    )
    plan = defaultdict(list)
    for j, assigned in new_by_judge.items():
        for c in assigned:
            plan[c].append(j)
    return {c: sorted(js) for c, js in plan.items()}


def _least_loaded(candidates, count, by_load, tiebreaks, case_id, eligible):
    """The first `count` of `candidates` by (load, tiebreak), as `sorted(…)[:count]` gives
    them (in no particular order); the tiebreak is computed only at the cut-off load."""
    chosen = []
    for load in sorted(by_load):
        level = by_load[load] & candidates
        wanted = count - len(chosen)
        if len(level) <= wanted:
            chosen.extend(level)
            if len(level) == wanted:
                break
        else:
            rank = tiebreaks.of(case_id, eligible)
            chosen.extend(sorted(level, key=rank.__getitem__)[:wanted])
            break
    return chosen


def _rebalance(*, eligible, on_case, new_by_judge, loads, salt):
    """Move newly made assignments along chains h₁ → h₂ → … → hₖ (h₁ gives a case to h₂,
    h₂ gives another to h₃, …) from a judge with load ≥ k + 2 to one with load ≤ k. Each move
    lowers Σ load², so this ends; it stops when no such chain exists."""
    pool = sorted(set().union(*eligible.values()))
    if not pool:
        return
    while True:
        low, high = min(loads[j] for j in pool), max(loads[j] for j in pool)
        if high - low <= 1:
            return
        for k in range(low, high - 1):
            path = _find_chain(
                sources=[j for j in pool if loads[j] >= k + 2],
                is_target=lambda j, k=k: loads[j] <= k,
                eligible=eligible,
                on_case=on_case,
                new_by_judge=new_by_judge,
                salt=salt,
            )
            if path:
                for giver, case_id, taker in path:
                    on_case[case_id].discard(giver)
                    on_case[case_id].add(taker)
                    new_by_judge[giver].discard(case_id)
                    new_by_judge[taker].add(case_id)
                loads[path[0][0]] -= 1
                loads[path[-1][2]] += 1
                break
        else:
            return


def _find_chain(*, sources, is_target, eligible, on_case, new_by_judge, salt):
    """Breadth-first search over judges; an edge h → l exists when h holds a new assignment
    of a case that l may take and does not have. Returns the edges of the shortest chain."""
    parent = dict.fromkeys(sources)
    frontier = list(sources)
    while frontier:
        next_frontier = []
        for h in frontier:
            for c in sorted(new_by_judge[h]):
                for taker in sorted(eligible.get(c, ()), key=lambda j, c=c: _tiebreak(salt, c, j)):
                    if taker in parent or taker in on_case[c]:
                        continue
                    parent[taker] = (h, c)
                    if is_target(taker):
                        path, node = [], taker
                        while parent[node] is not None:
                            giver, case_id = parent[node]
                            path.append((giver, case_id, node))
                            node = giver
                        return list(reversed(path))
                    next_frontier.append(taker)
        frontier = next_frontier
    return None


class _Tiebreaks:
    """`_tiebreak(salt, case, j)` for all of a case's judges at once: 64-bit lanes in 128-bit
    slots of one Python int, each step of the mix applied to every lane in one operation. A
    lane times a 64-bit constant fits its slot, and the mask after each step drops what a
    shift or a sum carried over from the next lane, so every lane is exactly `_tiebreak`."""

    def __init__(self, salt):
        self.salt = salt
        self.packed = {}  # judges tuple → (their terms of the sum, 1 in each lane, mask, layout)

    def of(self, case_id, judges):
        """`{judge: _tiebreak(salt, case_id, judge)}` for each of `judges`."""
        judges = tuple(judges)
        if judges not in self.packed:
            layout = struct.Struct(f"<{2 * len(judges)}Q")
            ones = _lanes(layout, [1] * len(judges))
            terms = _lanes(layout, [(j * _C) & _MASK for j in judges])
            self.packed[judges] = (terms, ones, ones * _MASK, layout)
        terms, ones, mask, layout = self.packed[judges]
        x = (((self.salt * _A + case_id * _B) & _MASK) * ones + terms) & mask
        x = (x ^ (x >> 30)) & mask
        x = (x * _K1) & mask
        x = (x ^ (x >> 27)) & mask
        x = (x * _K2) & mask
        x = (x ^ (x >> 31)) & mask
        return dict(zip(judges, layout.unpack(x.to_bytes(layout.size, "little"))[::2], strict=True))


def _lanes(layout, values):
    """One int holding each of `values` (< 2⁶⁴) in the low half of its own 128-bit slot."""
    return int.from_bytes(layout.pack(*(v for value in values for v in (value, 0))), "little")


@dataclass
class Shortfall:
    case_id: int
    case_label: str
    assigned: int
    needed: int
    reason: str


@dataclass
class AssignmentReport:
    round: Round
    cases: int = 0
    created: int = 0
    kept: int = 0
    shortfalls: list = field(default_factory=list)
    loads: dict = field(default_factory=dict)  # judge name → assignments in the round
    conflicted_existing: list = field(default_factory=list)  # labels of kept conflicted pairs

    @property
    def spread(self):
        return max(self.loads.values()) - min(self.loads.values()) if self.loads else 0


def _check_round(round_):
    if round_.kind == RoundKind.METRIC:
        raise DomainError(_("数据指标轮次不分配专家。"))
    if round_.kind == RoundKind.PUBLIC_VOTE:
        raise DomainError(_("网络投票轮次不分配专家。"))
    if round_.status == RoundStatus.CLOSED:
        raise DomainError(_("轮次“%(round)s”已结束,不能再分配。") % {"round": round_.name})


def _case_label(reference, title):
    return f"{reference} {title}" if reference else title


def round_auto_assign(*, round, by):
    """Assign every case of `round` to `round.reviews_per_case` judges (see module doc).

    Returns an `AssignmentReport`. Runs in one transaction with a bounded number of queries
    whatever the number of cases and judges.
    """
    with transaction.atomic():
        round_ = Round.objects.select_for_update().get(pk=round.pk)
        _check_round(round_)
        edition_id = round_.edition_id
        n = round_.reviews_per_case
        round_sync_first_entries(round=round_)

        case_rows = list(
            round_cases(round_)
            .order_by("pk")
            .values_list("pk", "category_id", "reference", "title")
        )
        case_ids = [row[0] for row in case_rows]
        case_category = {row[0]: row[1] for row in case_rows}
        case_labels = {row[0]: _case_label(row[2], row[3]) for row in case_rows}
        category_names = dict(
            Category.objects.filter(edition_id=edition_id).values_list("pk", "name")
        )

        members = PanelMembership.objects.filter(panel__edition_id=edition_id).values_list(
            "panel_id", "judge_id", "judge__name", "judge__user_id", "judge__user__is_active"
        )
        panel_judges, judge_names, active = defaultdict(set), {}, set()
        for panel_id, judge_id, name, user_id, is_active in members:
            panel_judges[panel_id].add(judge_id)
            judge_names[judge_id] = name
            if user_id and is_active:
                active.add(judge_id)
        category_judges = defaultdict(set)
        for panel_id, category_id in Panel.categories.through.objects.filter(
            panel__edition_id=edition_id
        ).values_list("panel_id", "category_id"):
            category_judges[category_id] |= panel_judges[panel_id]

        conflicts = conflict_map(
            cases=round_cases(round_),
            judges=Judge.objects.filter(memberships__panel__edition_id=edition_id),
            regional=round_.regional_recusal,
        )
        existing, loads = defaultdict(set), defaultdict(int)
        for case_id, judge_id, judge_name in Assignment.objects.filter(round=round_).values_list(
            "case_id", "judge_id", "judge__name"
        ):
            existing[case_id].add(judge_id)
            loads[judge_id] += 1
            judge_names.setdefault(judge_id, judge_name)

        usable = {category: judges & active for category, judges in category_judges.items()}
        eligible = {
            c: sorted(usable.get(case_category[c], set()) - conflicts.judges_for(c).keys())
            for c in case_ids
        }
        plan = plan_assignments(
            cases=case_ids,
            eligible=eligible,
            existing=existing,
            loads=loads,
            reviews_per_case=n,
            salt=round_.pk,
        )

        new_pairs = [(c, j) for c in case_ids for j in plan.get(c, ())]
        now, round_id = timezone.now(), round_.pk
        insert_rows(
            Assignment,
            ["round", "case", "judge", "status", "manual", "created_at"],
            [(round_id, c, j, AssignmentStatus.ASSIGNED, False, now) for c, j in new_pairs],
        )
        ids = {
            (c, j): pk
            for pk, c, j in Assignment.objects.filter(round=round_).values_list(
                "pk", "case_id", "judge_id"
            )
        }
        audit_append_many(
            audit_entry_values_many(
                code="judging.assignment.created",
                by=by,
                object_type=Assignment._meta.label_lower,
                created_at=now,
                objects=(
                    (
                        ids[(c, j)],
                        f"{round_.name} · {case_labels[c]} · {judge_names[j]}",
                        {"round": round_id, "case": c, "judge": j, "auto": True},
                    )
                    for c, j in new_pairs
                ),
            )
        )

        report = AssignmentReport(
            round=round_,
            cases=len(case_ids),
            created=len(new_pairs),
            kept=sum(len(v) for v in existing.values()),
        )
        for c in case_ids:
            total = len(existing[c]) + len(plan.get(c, ()))
            if total < n:
                report.shortfalls.append(
                    Shortfall(
                        case_id=c,
                        case_label=case_labels[c],
                        assigned=total,
                        needed=n,
                        reason=_shortfall_reason(
                            category_id=case_category[c],
                            category_names=category_names,
                            members=category_judges.get(case_category[c], set()),
                            active=active,
                            conflicted=set(conflicts.judges_for(c)),
                            needed=n,
                        ),
                    )
                )
            for j in existing[c]:
                if conflicts.is_conflicted(case_id=c, judge_id=j):
                    report.conflicted_existing.append(f"{case_labels[c]} · {judge_names[j]}")
        pool = set().union(*eligible.values(), *existing.values())
        report.loads = {
            judge_names[j]: loads.get(j, 0) for j in sorted(pool, key=lambda j: (judge_names[j], j))
        }
        audit_log(
            code="judging.round.auto_assigned",
            obj=round_,
            by=by,
            data={
                "cases": report.cases,
                "created": report.created,
                "kept": report.kept,
                "shortfall_cases": [s.case_id for s in report.shortfalls],
                "spread": report.spread,
            },
        )
    return report


def _shortfall_reason(*, category_id, category_names, members, active, conflicted, needed):
    if category_id is None:
        return _("案例未选择类别,无法确定评审组。")
    name = category_names.get(category_id, "")
    if not members:
        return _("没有评审组负责类别“%(category)s”。") % {"category": name}
    usable = members & active
    free = usable - conflicted
    parts = [
        _("负责“%(category)s”的评审组中只有 %(free)d 位无回避的专家,需要 %(needed)d 位")
        % {"category": name, "free": len(free), "needed": needed}
    ]
    if usable & conflicted:
        parts.append(_("%(count)d 位需回避") % {"count": len(usable & conflicted)})
    if members - active:
        parts.append(_("%(count)d 位尚无可用的登录账号") % {"count": len(members - active)})
    return pgettext("clause separator", ";").join(parts) + pgettext("full stop", "。")


# --- One by one ----------------------------------------------------------------------------
def assignment_check(*, round, case, judge):
    """Raise `DomainError` with the reason if `judge` may not be assigned `case` in `round`."""
    _check_round(round)
    if case.edition_id != round.edition_id:
        raise DomainError(_("案例不属于该轮次所在的届。"))
    in_round = RoundEntry.objects.filter(round=round, case=case).exists()
    if not in_round:
        first = first_round(round.edition)
        if not (first and first.pk == round.pk and case.status in FIRST_ROUND_CASE_STATES):
            raise DomainError(
                _("案例“%(case)s”不在轮次“%(round)s”中。") % {"case": case, "round": round.name}
            )
    if not (judge.user_id and judge.user.is_active):
        raise DomainError(_("专家%(judge)s没有可用的登录账号。") % {"judge": judge.name})
    source = case_conflict_source(judge=judge, case=case, regional=round.regional_recusal)
    if source is not None:
        raise DomainError(
            _("专家%(judge)s与案例“%(case)s”存在回避关系(%(source)s),不能分配。")
            % {"judge": judge.name, "case": case, "source": ConflictSource(source).label}
        )
    if Assignment.objects.filter(round=round, case=case, judge=judge).exists():
        raise DomainError(_("该专家已分配到此案例。"))


def assignment_add(*, round, case, judge, by):
    """Assign one judge to one case by hand (marked `manual`), after the same checks as the
    automatic assignment. Creates the case's entry in the first round when missing."""
    assignment_check(round=round, case=case, judge=judge)
    try:
        with transaction.atomic():
            RoundEntry.objects.get_or_create(round=round, case=case)
            assignment = Assignment.objects.create(round=round, case=case, judge=judge, manual=True)
            audit_log(
                code="judging.assignment.created",
                obj=assignment,
                by=by,
                data={"round": round.pk, "case": case.pk, "judge": judge.pk, "auto": False},
            )
    except IntegrityError:
        raise DomainError(_("该专家已分配到此案例。")) from None
    return assignment


def assignment_delete(*, assignment, by, reason="", code="judging.assignment.removed", extra=None):
    """Delete one assignment (and with it the judge's review or verification of it), keeping
    what it held in the audit row. Closed rounds are refused."""
    if assignment.round.status == RoundStatus.CLOSED:
        raise DomainError(
            _("轮次“%(round)s”已结束,不能移除其中的分配。") % {"round": assignment.round.name}
        )
    data = {
        "round": assignment.round_id,
        "case": assignment.case_id,
        "judge": assignment.judge_id,
        "status": assignment.status,
        "manual": assignment.manual,
        "reason": reason,
        **(extra or {}),
    }
    review = getattr(assignment, "review", None)
    if review is not None:
        data["review"] = {
            "status": review.status,
            "score": str(review.score) if review.score is not None else None,
            "comment": review.comment,
        }
    verification = getattr(assignment, "verification", None)
    if verification is not None:
        data["verification"] = {
            "status": verification.status,
            "verified": verification.verified,
            "notes": verification.notes,
        }
    with transaction.atomic():
        audit_log(code=code, obj=assignment, by=by, data=data)
        assignment.delete()
