"""Conflicts of interest (回避), computed for many judge × case pairs at once.

A judge is in conflict with a case when
- detected: the judge's affiliation is one of the case's units (lead units and the submitting
  unit) or an ancestor or descendant of one of them in the `Unit.parent` tree;
- declared: the judge declared a conflict with a unit (`Conflict.unit`); the same tree rule
  applies, as if the judge were affiliated there;
- recusal: the judge recused from the case (`Conflict.case`, usually source `recusal`).

Everything is loaded in a fixed number of queries (the unit tree, the cases' units, the
judges, their declared conflicts and recusals) and matched in memory, never one query per
pair: a round of 2,000 cases × 50 judges costs the same seven queries as one pair.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from cases.models import Case, CaseLeadUnit, Unit

from ..models import Conflict, ConflictSource, Judge

# When several reasons apply to one pair, the most specific is reported.
_PRIORITY = {ConflictSource.RECUSAL: 3, ConflictSource.DECLARED: 2, ConflictSource.DETECTED: 1}


@dataclass
class ConflictMap:
    """`by_case[case_id][judge_id]` is the `ConflictSource` value of a conflicted pair."""

    by_case: dict = field(default_factory=lambda: defaultdict(dict))

    def source(self, *, case_id, judge_id):
        return self.by_case.get(case_id, {}).get(judge_id)

    def is_conflicted(self, *, case_id, judge_id):
        return judge_id in self.by_case.get(case_id, {})

    def judges_for(self, case_id):
        return self.by_case.get(case_id, {})

    def pairs(self):
        return {(c, j) for c, judges in self.by_case.items() for j in judges}

    def _add(self, case_id, judge_id, source):
        current = self.by_case[case_id].get(judge_id)
        if current is None or _PRIORITY[source] > _PRIORITY[current]:
            self.by_case[case_id][judge_id] = source


def unit_lineage():
    """`{unit_id: (unit_id, parent_id, grandparent_id, …)}` for every unit, in one query.
    A cycle in bad data stops the walk instead of looping."""
    parent = dict(Unit.objects.order_by().values_list("pk", "parent_id"))
    lineage = {}
    for unit_id in parent:
        chain, current = [], unit_id
        while current is not None and current not in chain:
            chain.append(current)
            current = parent.get(current)
        lineage[unit_id] = tuple(chain)
    return lineage


def conflict_map(*, cases, judges):
    """Conflicts between the `cases` and `judges` querysets (any filters; they are used as
    subqueries, so their size does not change the number of queries)."""
    result = ConflictMap()
    lineage = unit_lineage()

    case_units = defaultdict(set)
    for case_id, unit_id in cases.filter(submitting_unit__isnull=False).values_list(
        "pk", "submitting_unit_id"
    ):
        case_units[case_id].add(unit_id)
    for case_id, unit_id in CaseLeadUnit.objects.filter(case__in=cases.values("pk")).values_list(
        "case_id", "unit_id"
    ):
        case_units[case_id].add(unit_id)

    # Units each judge stands for: the affiliation (detected) and declared units.
    judge_units = defaultdict(dict)  # judge_id -> {unit_id: source}
    for judge_id, unit_id in judges.filter(affiliation__isnull=False).values_list(
        "pk", "affiliation_id"
    ):
        judge_units[judge_id][unit_id] = ConflictSource.DETECTED
    declared = Conflict.objects.filter(judge__in=judges.values("pk"), unit__isnull=False)
    for judge_id, unit_id in declared.values_list("judge_id", "unit_id"):
        judge_units[judge_id][unit_id] = ConflictSource.DECLARED

    # Index: unit -> judges standing for it, and unit -> judges standing for a descendant
    # of it (the unit is in the lineage of one of the judge's units).
    at_unit = defaultdict(list)
    below_unit = defaultdict(list)
    for judge_id, units in judge_units.items():
        for unit_id, source in units.items():
            at_unit[unit_id].append((judge_id, source))
            for ancestor_id in lineage.get(unit_id, (unit_id,)):
                below_unit[ancestor_id].append((judge_id, source))

    for case_id, units in case_units.items():
        for unit_id in units:
            # The judge's unit is this unit or one of its ancestors …
            for ancestor_id in lineage.get(unit_id, (unit_id,)):
                for judge_id, source in at_unit.get(ancestor_id, ()):
                    result._add(case_id, judge_id, source)
            # … or one of its descendants.
            for judge_id, source in below_unit.get(unit_id, ()):
                result._add(case_id, judge_id, source)

    recusals = Conflict.objects.filter(
        judge__in=judges.values("pk"), case__in=cases.values("pk")
    ).values_list("case_id", "judge_id")
    for case_id, judge_id in recusals:
        # A case-level conflict counts as a recusal whatever its recorded source.
        result._add(case_id, judge_id, ConflictSource.RECUSAL)
    return result


def case_conflict_source(*, judge, case):
    """The `ConflictSource` value why `judge` may not review `case`, or None."""
    found = conflict_map(
        cases=Case.objects.filter(pk=case.pk), judges=Judge.objects.filter(pk=judge.pk)
    )
    return found.source(case_id=case.pk, judge_id=judge.pk)
