"""Ties at a quota cut (issue 13): judged on the tie-break values — score, median S, number of
reviews — recomputed from the reviews, never on the rank the reference number decided.
Every score below is hand-computed: one criterion weighted 1 out of 100, so S = the value."""

import pytest

from cases.models import CaseStatus, EditionStatus, QuotaScope
from cases.services import DomainError
from judging.models import Award, RoundStatus
from judging.services.awards import Override, awards_confirm, awards_propose
from judging.services.tabulation import tabulate_round
from judging.tabulation import RankingEntry, ReviewScore, rank, tally, ties
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_scored_review,
    make_tier,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def judges():
    return [make_judge() for _ in range(3)]


def _setup():
    edition = make_edition(status=EditionStatus.DECIDING)
    final = make_round(
        edition=edition, order=1, status=RoundStatus.CLOSED, criteria=[("总体", 1, 100)]
    )
    return edition, final


def _case(edition, final, category, reference, scores, judges):
    case = make_case(
        edition=edition,
        category=category,
        status=CaseStatus.IN_REVIEW,
        title=reference,
        reference=reference,
    )
    for judge, value in zip(judges, scores, strict=False):
        make_scored_review(round=final, case=case, judge=judge, values=[value])
    return case


def _groups(proposal):
    return {
        g.label: (
            [p.case.reference for p in g.placements],
            g.count,
            g.quota,
            g.exceeded,
            sorted(p.case.reference for p in g.placements if p.tied),
        )
        for g in proposal.groups
    }


def test_tabulation_exposes_ties_on_equal_tie_break_values():
    reviews = [
        ReviewScore("j1", "A", 72),
        ReviewScore("j2", "A", 70),
        ReviewScore("j3", "A", 74),
        ReviewScore("j1", "B", 72),
        ReviewScore("j2", "B", 74),
        ReviewScore("j3", "B", 70),
        # C: mean 72 too, but median 71 — the median decides, not a tie.
        ReviewScore("j1", "C", 71),
        ReviewScore("j2", "C", 71),
        ReviewScore("j3", "C", 74),
    ]
    tallies = tally(reviews, "mean")
    entries = [RankingEntry("A", 1, "2026-002"), RankingEntry("B", 1, "2026-001")]
    entries.append(RankingEntry("C", 1, "2026-000"))
    # Ranks 1, 2, 3 (B before A by reference), but A and B are one tie group.
    assert rank(entries, tallies) == {"B": 1, "A": 2, "C": 3}
    assert ties(entries, tallies) == [["B", "A"]]


def test_per_category_tie_for_the_last_seat_places_both_and_flags_the_group(judges):
    # A per-category quota of 3: 90, 80, then two cases at score 72 / median 72 / 3 reviews.
    edition, final = _setup()
    category = make_category(edition=edition, name="政府治理")
    other = make_category(edition=edition, name="社会治理", order=2)
    make_tier(edition=edition, name="优秀案例", quota=3, quota_scope=QuotaScope.PER_CATEGORY)
    _case(edition, final, category, "G-1", [90, 90, 90], judges)
    _case(edition, final, category, "G-2", [80, 80, 80], judges)
    _case(edition, final, category, "G-3", [70, 72, 74], judges)
    _case(edition, final, category, "G-4", [74, 72, 70], judges)
    # Same mean 72 but only 2 reviews: the review count breaks the tie against it.
    _case(edition, final, category, "G-5", [72, 72], judges)
    _case(edition, final, other, "S-1", [60, 60, 60], judges)
    tabulate_round(round=final, by=None)

    proposal = awards_propose(edition=edition)

    assert _groups(proposal) == {
        "政府治理 · 优秀案例": (["G-1", "G-2", "G-3", "G-4"], 4, 3, True, ["G-3", "G-4"]),
        "社会治理 · 优秀案例": (["S-1"], 1, 3, False, []),
    }
    assert [c.case.reference for c in proposal.not_awarded] == ["G-5"]

    # Confirming needs a recorded reason; with it, both tied cases get the award.
    organiser = make_organiser()
    with pytest.raises(DomainError, match="政府治理 · 优秀案例.4/3"):
        awards_confirm(edition=edition, proposal=proposal, by=organiser)
    awards_confirm(edition=edition, proposal=proposal, by=organiser, quota_reason="评委会决定并列")
    reasons = dict(Award.objects.values_list("case__reference", "decision_reason"))
    assert reasons["G-3"] == reasons["G-4"] == "超出名额:评委会决定并列"
    assert reasons["G-1"] == ""


def test_per_category_tie_resolved_by_removing_one_with_a_reason(judges):
    edition, final = _setup()
    category = make_category(edition=edition)
    make_tier(edition=edition, name="优秀案例", quota=3, quota_scope=QuotaScope.PER_CATEGORY)
    for reference, scores in [
        ("G-1", [90] * 3),
        ("G-2", [80] * 3),
        ("G-3", [70, 72, 74]),
        ("G-4", [74, 72, 70]),
    ]:
        _case(edition, final, category, reference, scores, judges)
    tabulate_round(round=final, by=None)
    g4 = edition.cases.get(reference="G-4")
    overrides = {g4.pk: Override(tier=None, reason="现场核实材料不足")}

    proposal = awards_propose(edition=edition, overrides=overrides)
    awards_confirm(edition=edition, proposal=proposal, overrides=overrides, by=make_organiser())

    assert sorted(Award.objects.values_list("case__reference", flat=True)) == [
        "G-1",
        "G-2",
        "G-3",
    ]


def test_overall_tie_across_categories_at_73_for_the_last_of_two_places(judges):
    edition, final = _setup()
    c1 = make_category(edition=edition, name="甲", order=1)
    c2 = make_category(edition=edition, name="乙", order=2)
    make_tier(edition=edition, name="最佳案例", quota=2, quota_scope=QuotaScope.OVERALL)
    _case(edition, final, c1, "A-1", [80, 80, 80], judges)
    _case(edition, final, c1, "A-2", [73, 73, 73], judges)
    _case(edition, final, c2, "B-1", [73, 73, 73], judges)
    # 73 on average but median 72: below the tied pair.
    _case(edition, final, c2, "B-2", [72, 72, 75], judges)
    tabulate_round(round=final, by=None)

    proposal = awards_propose(edition=edition)

    # Both at 73 / 73 / 3 are placed (B-1, first of its category, is listed before A-2).
    assert _groups(proposal) == {
        "最佳案例": (["A-1", "B-1", "A-2"], 3, 2, True, ["A-2", "B-1"]),
    }


def test_overall_tie_inside_one_category_is_a_tie_too(judges):
    # The category's rank put A-2 before A-3 by reference number only: still a tie.
    edition, final = _setup()
    c1 = make_category(edition=edition, name="甲", order=1)
    make_tier(edition=edition, name="最佳案例", quota=2, quota_scope=QuotaScope.OVERALL)
    _case(edition, final, c1, "A-1", [80, 80, 80], judges)
    _case(edition, final, c1, "A-2", [73, 73, 73], judges)
    _case(edition, final, c1, "A-3", [72, 73, 74], judges)
    tabulate_round(round=final, by=None)

    proposal = awards_propose(edition=edition)

    assert _groups(proposal) == {
        "最佳案例": (["A-1", "A-2", "A-3"], 3, 2, True, ["A-2", "A-3"]),
    }
