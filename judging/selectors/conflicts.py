"""Conflicts of interest (回避): the one rule, for many judge × case pairs at once
(`conflict_map`) and for one judge's workspace (`judge_conflict_units`).

A judge is in conflict with a case when
- detected: the judge's affiliation is one of the case's units (lead units and the submitting
  unit) or an ancestor or descendant of one of them in the `Unit.parent` tree;
- declared: the judge declared a conflict with a unit (`Conflict.unit`); the same tree rule
  applies, as if the judge were affiliated there;
- recusal: the judge recused from the case (`Conflict.case`, usually source `recusal`).

So a unit the judge stands for (affiliation or declared) and a unit of the case are
*related* when one is the other or lies above it in the tree (`UnitTree.related`).

`conflict_map` loads everything in a fixed number of queries (the unit tree, the cases'
units, the judges, their declared conflicts and recusals) and matches in memory, never one
query per pair: a round of 2,000 cases × 50 judges costs the same five queries as one pair.
The workspace asks about one judge only: `judge_conflict_units` gives the units whose cases
the judge may not see, in one query, for the permission querysets to filter on.
"""

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Exists, OuterRef

from cases.models import Case, CaseLeadUnit, Unit

from ..models import Conflict, ConflictSource, Judge

# When several reasons apply to one pair, the most specific is reported.
_PRIORITY = {
    ConflictSource.RECUSAL: 3,
    ConflictSource.DECLARED: 2,
    ConflictSource.DETECTED: 1,
    ConflictSource.REGION: 0,
}


class UnitTree:
    """The `Unit.parent` forest, `{unit_id: parent_id}`. Cycles in bad data stop a walk
    instead of looping."""

    def __init__(self, parent):
        self.parent = parent
        self._children = None
        self._lineage = {}

    def lineage(self, unit_id):
        """`(unit_id, parent_id, grandparent_id, …)`."""
        found = self._lineage.get(unit_id)
        if found is None:
            chain, current = [], unit_id
            while current is not None and current not in chain:
                chain.append(current)
                current = self.parent.get(current)
            found = self._lineage[unit_id] = tuple(chain)
        return found

    def descendants(self, unit_id):
        if self._children is None:
            self._children = defaultdict(list)
            for child, parent in self.parent.items():
                if parent is not None:
                    self._children[parent].append(child)
        found, todo = set(), [unit_id]
        while todo:
            for child in self._children.get(todo.pop(), ()):
                if child not in found:
                    found.add(child)
                    todo.append(child)
        found.discard(unit_id)
        return found

    def related(self, unit_ids):
        """Every unit that is one of `unit_ids`, or an ancestor or a descendant of one."""
        found = set()
        for unit_id in unit_ids:
            found.update(self.lineage(unit_id))
            found.update(self.descendants(unit_id))
        return found


def unit_tree():
    """The whole unit tree, in one query."""
    return UnitTree(dict(Unit.objects.order_by().values_list("pk", "parent_id")))


def judge_conflict_units(judge):
    """Ids of the units whose cases `judge` may not see: the units related (same, above or
    below in the tree) to the judge's affiliation or to a unit the judge declared a conflict
    with. A case is out of bounds when its submitting unit or one of its lead units is in
    this set — the rule of `conflict_map`, for one judge; recusals (case-level conflicts) are
    filtered by the caller.

    One query: the unit tree with the judge's declared units marked. Memoised on the `judge`
    instance (one request), keyed by its affiliation; a unit conflict declared meanwhile
    through another instance is seen by the next request.
    """
    memo = judge.__dict__.get("_conflict_units")
    if memo is not None and memo[0] == judge.affiliation_id:
        return memo[1]
    parent, standing_for = {}, set()
    if judge.affiliation_id is not None:
        standing_for.add(judge.affiliation_id)
    declared = Exists(Conflict.objects.filter(judge=judge, unit=OuterRef("pk")))
    for unit_id, parent_id, is_declared in Unit.objects.order_by().values_list(
        "pk", "parent_id", declared
    ):
        parent[unit_id] = parent_id
        if is_declared:
            standing_for.add(unit_id)
    units = frozenset(UnitTree(parent).related(standing_for)) if standing_for else frozenset()
    judge.__dict__["_conflict_units"] = (judge.affiliation_id, units)
    return units


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


def region_prefixes(path):
    """`广东省/汕头市/濠江区` → the paths of the region and of every region above it."""
    parts = (path or "").split("/")
    return ["/".join(parts[:n]) for n in range(1, len(parts) + 1)] if path else []


def conflict_map(*, cases, judges, regional=False):
    """Conflicts between the `cases` and `judges` querysets (any filters; they are used as
    subqueries, so their size does not change the number of queries: five; seven with
    `regional`).

    `regional` (a round's `regional_recusal`): a judge is also in conflict with a case one of
    whose units (submitting or lead) lies in the judge's region or below it."""
    result = ConflictMap()
    tree = unit_tree()

    case_units = defaultdict(set)
    for case_id, unit_id in cases.order_by().values_list("pk", "submitting_unit_id"):
        units = case_units[case_id]  # every case has an entry, with or without units
        if unit_id is not None:
            units.add(unit_id)
    for case_id, unit_id in CaseLeadUnit.objects.filter(case__in=cases.values("pk")).values_list(
        "case_id", "unit_id"
    ):
        case_units[case_id].add(unit_id)

    # Units each judge stands for: the affiliation (detected) and declared units; and the
    # judges' recusals (case-level conflicts), read with the declared units in one query.
    judge_units = defaultdict(dict)  # judge_id -> {unit_id: source}
    for judge_id, unit_id in judges.filter(affiliation__isnull=False).values_list(
        "pk", "affiliation_id"
    ):
        judge_units[judge_id][unit_id] = ConflictSource.DETECTED
    recusals = []
    for judge_id, unit_id, case_id in Conflict.objects.filter(
        judge__in=judges.values("pk")
    ).values_list("judge_id", "unit_id", "case_id"):
        if unit_id is not None:
            judge_units[judge_id][unit_id] = ConflictSource.DECLARED
        if case_id is not None and case_id in case_units:
            recusals.append((case_id, judge_id))

    # Index: unit -> judges standing for it, and unit -> judges standing for a descendant
    # of it (the unit is in the lineage of one of the judge's units). Together they find
    # every pair whose units are related (`UnitTree.related`) without walking down the tree.
    at_unit = defaultdict(list)
    below_unit = defaultdict(list)
    for judge_id, units in judge_units.items():
        for unit_id, source in units.items():
            at_unit[unit_id].append((judge_id, source))
            for ancestor_id in tree.lineage(unit_id):
                below_unit[ancestor_id].append((judge_id, source))

    for case_id, units in case_units.items():
        for unit_id in units:
            # The judge's unit is this unit or one of its ancestors …
            for ancestor_id in tree.lineage(unit_id):
                for judge_id, source in at_unit.get(ancestor_id, ()):
                    result._add(case_id, judge_id, source)
            # … or one of its descendants.
            for judge_id, source in below_unit.get(unit_id, ()):
                result._add(case_id, judge_id, source)

    if regional:
        _add_regional(result, case_units, judges)

    for case_id, judge_id in recusals:
        # A case-level conflict counts as a recusal whatever its recorded source.
        result._add(case_id, judge_id, ConflictSource.RECUSAL)
    return result


def _add_regional(result, case_units, judges):
    judges_at = defaultdict(list)  # region path -> judges of that region
    for judge_id, path in judges.filter(region__isnull=False).values_list("pk", "region__path"):
        judges_at[path].append(judge_id)
    if not judges_at:
        return
    unit_ids = {unit_id for units in case_units.values() for unit_id in units}
    unit_path = dict(
        Unit.objects.filter(pk__in=unit_ids, region__isnull=False).values_list("pk", "region__path")
    )
    for case_id, units in case_units.items():
        for unit_id in units:
            for prefix in region_prefixes(unit_path.get(unit_id)):
                for judge_id in judges_at.get(prefix, ()):
                    result._add(case_id, judge_id, ConflictSource.REGION)


def case_conflict_source(*, judge, case, regional=False):
    """The `ConflictSource` value why `judge` may not review `case`, or None."""
    found = conflict_map(
        cases=Case.objects.filter(pk=case.pk),
        judges=Judge.objects.filter(pk=judge.pk),
        regional=regional,
    )
    return found.source(case_id=case.pk, judge_id=judge.pk)
