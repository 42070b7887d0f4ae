"""The assignment plan against a straightforward reference, on random inputs (issue 12):
`plan_assignments` finds each case's least-loaded judges level by level and computes the
tie-break for many judges at once; the reference sorts every candidate by (load, tie-break)
one `_tiebreak` call at a time. Both must give the same plan and the same loads, exactly."""

import random
from collections import defaultdict

import pytest

from judging.services.assignment import (
    _rebalance,
    _tiebreak,
    _Tiebreaks,
    plan_assignments,
)


def reference_plan(*, cases, eligible, existing, loads, reviews_per_case, salt=0):
    on_case = {c: set(existing.get(c, ())) for c in cases}
    need = {c: max(0, reviews_per_case - len(on_case[c])) for c in cases}
    candidates = {c: [j for j in eligible.get(c, ()) if j not in on_case[c]] for c in cases}
    for judges in candidates.values():
        for j in judges:
            loads.setdefault(j, 0)
    new_by_judge = defaultdict(set)
    for c in sorted(cases, key=lambda c: (len(candidates[c]) - need[c], c)):
        ranked = sorted(candidates[c], key=lambda j, c=c: (loads[j], _tiebreak(salt, c, j)))
        for j in ranked[: need[c]]:
            on_case[c].add(j)
            new_by_judge[j].add(c)
            loads[j] += 1
    _rebalance(
        eligible=eligible, on_case=on_case, new_by_judge=new_by_judge, loads=loads, salt=salt
    )
    plan = defaultdict(list)
    for j, assigned in new_by_judge.items():
        for c in assigned:
            plan[c].append(j)
    return {c: sorted(js) for c, js in plan.items()}


def random_input(rng):
    judges = rng.sample(range(1, 10 ** rng.randint(2, 12)), rng.randint(1, 30))
    cases = rng.sample(range(1, 10 ** rng.randint(2, 12)), rng.randint(1, 80))
    # A few panels (shared eligible lists, as a category gives), thinned by random conflicts.
    panels = [sorted(rng.sample(judges, rng.randint(0, len(judges)))) for _ in range(3)]
    eligible = {}
    for c in cases:
        if rng.random() < 0.05:
            continue  # a case without a panel
        panel = rng.choice(panels)
        eligible[c] = [j for j in panel if rng.random() > 0.1] if rng.random() < 0.3 else panel
    existing = {
        c: set(rng.sample(judges, rng.randint(0, min(3, len(judges)))))
        for c in cases
        if rng.random() < 0.2
    }
    loads = defaultdict(int)
    for assigned in existing.values():
        for j in assigned:
            loads[j] += 1
    if rng.random() < 0.3:  # loads from elsewhere, uneven
        for j in judges:
            loads[j] += rng.randint(0, 6)
    return {
        "cases": cases,
        "eligible": eligible,
        "existing": existing,
        "loads": loads,
        "reviews_per_case": rng.randint(1, 6),
        "salt": rng.randint(0, 10**9),
    }


@pytest.mark.parametrize("seed", range(300))
def test_plan_equals_the_reference_on_random_inputs(seed):
    rng = random.Random(seed)
    given = random_input(rng)
    mine, theirs = dict(given["loads"]), dict(given["loads"])

    plan = plan_assignments(**{**given, "loads": mine})
    expected = reference_plan(**{**given, "loads": theirs})

    assert plan == expected
    assert mine == theirs


def test_plan_equals_the_reference_at_bench_scale():
    # One panel of 200 judges for 2,000 cases with a few conflicts: the bench's shape, where
    # most judges are tied at the cut-off load of every case.
    rng = random.Random(12)
    judges = list(range(40, 240))
    cases = list(range(1000, 3000))
    eligible = {c: [j for j in judges if rng.random() > 0.01] for c in cases}
    given = {"cases": cases, "eligible": eligible, "existing": {}, "reviews_per_case": 5}
    mine, theirs = {}, {}

    assert plan_assignments(**given, loads=mine, salt=3) == reference_plan(
        **given, loads=theirs, salt=3
    )
    assert mine == theirs


def test_tiebreaks_at_once_equal_one_by_one():
    rng = random.Random(5)
    for _ in range(200):
        salt, case_id = rng.randint(0, 2**40), rng.randint(0, 2**70)
        judges = list({rng.randrange(2**66) for _ in range(rng.randint(0, 50))})
        assert _Tiebreaks(salt).of(case_id, judges) == {
            j: _tiebreak(salt, case_id, j) for j in judges
        }
