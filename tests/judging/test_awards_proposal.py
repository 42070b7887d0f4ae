"""Tier proposals against quotas (judging.services.awards.awards_propose), hand-computed."""

import pytest

from cases.models import CaseStatus, EditionStatus, QuotaScope
from cases.services import DomainError
from judging.models import EntryResult, RoundKind, RoundStatus
from judging.services.awards import Override, awards_propose
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_round,
    make_round_entry,
    make_tier,
)

pytestmark = pytest.mark.django_db


def _edition(**fields):
    return make_edition(status=EditionStatus.DECIDING, **fields)


def _final_round(edition, order=2):
    return make_round(edition=edition, order=order, status=RoundStatus.CLOSED)


def _ranked(edition, round_, category, rank, score, title):
    case = make_case(edition=edition, category=category, status=CaseStatus.IN_REVIEW, title=title)
    make_round_entry(round=round_, case=case, rank=rank, score=score)
    return case


def _result(proposal):
    """{tier name: [case titles in award order]} for the placements of a proposal."""
    result = {}
    for placement in sorted(proposal.placements, key=lambda p: (p.tier.order, p.order)):
        result.setdefault(placement.tier.name, []).append(placement.case.title)
    return result


def _per_category_result(proposal):
    return {group.label: [p.case.title for p in group.placements] for group in proposal.groups}


def test_propose_per_category_quotas_fill_each_category_in_rank_order():
    # 粤治 style: 优秀 2 per category, then 提名 1 per category.
    edition = _edition()
    a = make_category(edition=edition, name="政府治理", order=1)
    b = make_category(edition=edition, name="社会治理", order=2)
    make_tier(
        edition=edition, name="优秀案例", order=1, quota=2, quota_scope=QuotaScope.PER_CATEGORY
    )
    make_tier(edition=edition, name="提名奖", order=2, quota=1, quota_scope=QuotaScope.PER_CATEGORY)
    first = make_round(edition=edition, order=1, status=RoundStatus.CLOSED)
    final = _final_round(edition)
    a1 = _ranked(edition, final, a, 1, 90, "a1")
    _ranked(edition, final, a, 2, 85, "a2")
    _ranked(edition, final, a, 3, 80, "a3")
    a4 = _ranked(edition, final, a, 4, 70, "a4")
    _ranked(edition, final, b, 1, 88, "b1")
    _ranked(edition, final, b, 2, 60, "b2")
    # The first round ranked a4 above a1: only the last scoring round counts.
    make_round_entry(round=first, case=a4, rank=1, score=99)
    make_round_entry(round=first, case=a1, rank=4, score=10)

    proposal = awards_propose(edition=edition)

    # A: ranks 1,2 → 优秀, rank 3 → 提名, rank 4 left out. B: ranks 1,2 → 优秀, nobody left.
    assert _per_category_result(proposal) == {
        "政府治理 · 优秀案例": ["a1", "a2"],
        "社会治理 · 优秀案例": ["b1", "b2"],
        "政府治理 · 提名奖": ["a3"],
        "社会治理 · 提名奖": [],
    }
    assert [c.case.title for c in proposal.not_awarded] == ["a4"]
    assert proposal.exceeded_groups == []
    assert proposal.tied_groups == []


def test_propose_overall_quotas_fill_across_categories_by_score():
    # 粤有数 style (scaled down): 最佳 2 / 优秀 3 / 入围 1 across categories.
    edition = _edition()
    cats = [make_category(edition=edition, order=i) for i in range(3)]
    make_tier(edition=edition, name="最佳案例", order=1, quota=2)
    make_tier(edition=edition, name="优秀案例", order=2, quota=3)
    make_tier(edition=edition, name="入围案例", order=3, quota=1)
    final = _final_round(edition)
    for category, rank, score, title in [
        (cats[0], 1, "95", "X1"),
        (cats[1], 1, "93", "Y1"),
        (cats[2], 1, "91", "Z1"),
        (cats[0], 2, "90", "X2"),
        (cats[1], 2, "88", "Y2"),
        (cats[2], 2, "87", "Z2"),
        (cats[0], 3, "85", "X3"),
    ]:
        _ranked(edition, final, category, rank, score, title)

    proposal = awards_propose(edition=edition)

    # Scores desc: 95 X1, 93 Y1 | 91 Z1, 90 X2, 88 Y2 | 87 Z2 | 85 X3 (no seat left).
    assert _result(proposal) == {
        "最佳案例": ["X1", "Y1"],
        "优秀案例": ["Z1", "X2", "Y2"],
        "入围案例": ["Z2"],
    }
    assert [c.case.title for c in proposal.not_awarded] == ["X3"]


def test_propose_overall_tie_across_categories_places_all_tied_and_flags_them():
    edition = _edition()
    c1, c2, c3 = (make_category(edition=edition, order=i) for i in range(3))
    make_tier(edition=edition, name="最佳案例", order=1, quota=2)
    make_tier(edition=edition, name="优秀案例", order=2, quota=2)
    final = _final_round(edition)
    _ranked(edition, final, c1, 1, "95", "A")
    _ranked(edition, final, c2, 1, "90", "B")
    _ranked(edition, final, c3, 1, "90", "C")
    _ranked(edition, final, c1, 2, "80", "D")
    _ranked(edition, final, c1, 3, "70", "E")
    _ranked(edition, final, c1, 4, "60", "F")

    proposal = awards_propose(edition=edition)

    # Seat 2 of 最佳 has B and C both at 90, in different categories: both placed, flagged.
    assert _result(proposal) == {"最佳案例": ["A", "B", "C"], "优秀案例": ["D", "E"]}
    best = proposal.groups[0]
    assert (best.count, best.quota, best.exceeded, best.tied) == (3, 2, True, True)
    assert sorted(p.case.title for p in best.placements if p.tied) == ["B", "C"]
    assert [g.label for g in proposal.exceeded_groups] == ["最佳案例"]


def test_propose_override_resolves_tie_with_one_pinned_case():
    edition = _edition()
    c1, c2, c3 = (make_category(edition=edition, order=i) for i in range(3))
    make_tier(edition=edition, name="最佳案例", order=1, quota=2)
    excellent = make_tier(edition=edition, name="优秀案例", order=2, quota=2)
    final = _final_round(edition)
    _ranked(edition, final, c1, 1, "95", "A")
    _ranked(edition, final, c2, 1, "90", "B")
    c = _ranked(edition, final, c3, 1, "90", "C")
    _ranked(edition, final, c1, 2, "80", "D")
    _ranked(edition, final, c1, 3, "70", "E")

    proposal = awards_propose(
        edition=edition, overrides={c: Override(tier=excellent, reason="评委会表决")}
    )

    # C pinned to 优秀 takes one of its 2 seats; 最佳 refills A, B; 优秀's other seat → D.
    assert _result(proposal) == {"最佳案例": ["A", "B"], "优秀案例": ["C", "D"]}
    assert proposal.exceeded_groups == []
    assert [c.case.title for c in proposal.not_awarded] == ["E"]


def test_propose_same_score_in_one_category_is_decided_by_rank_not_a_tie():
    edition = _edition()
    c1, c2 = make_category(edition=edition, order=1), make_category(edition=edition, order=2)
    make_tier(edition=edition, name="最佳案例", order=1, quota=2)
    final = _final_round(edition)
    _ranked(edition, final, c2, 1, "95", "A")
    _ranked(edition, final, c1, 1, "90", "X")
    _ranked(edition, final, c1, 2, "90", "Y")

    proposal = awards_propose(edition=edition)

    # X and Y share 90 but the category's tie-breaks ranked X first.
    assert _result(proposal) == {"最佳案例": ["A", "X"]}
    assert proposal.tied_groups == []


def test_propose_equal_rank_at_per_category_boundary_is_a_reported_tie():
    edition = _edition()
    category = make_category(edition=edition, name="政府治理")
    make_tier(
        edition=edition, name="优秀案例", order=1, quota=2, quota_scope=QuotaScope.PER_CATEGORY
    )
    final = _final_round(edition)
    _ranked(edition, final, category, 1, "90", "a1")
    _ranked(edition, final, category, 2, "85", "a2")
    _ranked(edition, final, category, 2, "85", "a3")
    _ranked(edition, final, category, 4, "80", "a4")

    proposal = awards_propose(edition=edition)

    assert _per_category_result(proposal) == {"政府治理 · 优秀案例": ["a1", "a2", "a3"]}
    assert [(g.count, g.quota, g.tied) for g in proposal.groups] == [(3, 2, True)]


def test_propose_with_tally_restricts_tiers_to_what_the_vote_passed():
    edition = _edition()
    category = make_category(edition=edition)
    best = make_tier(edition=edition, name="最佳案例", order=1, quota=1)
    excellent = make_tier(edition=edition, name="优秀案例", order=2, quota=2)
    final = _final_round(edition)
    make_round(edition=edition, order=3, kind=RoundKind.VOTE, status=RoundStatus.CLOSED)
    b = _ranked(edition, final, category, 1, "95", "B")
    a = _ranked(edition, final, category, 2, "90", "A")
    c = _ranked(edition, final, category, 3, "85", "C")
    _ranked(edition, final, category, 4, "80", "D")

    proposal = awards_propose(edition=edition, tally={a: best, b: excellent, c: best})

    # 最佳 (1 seat): eligible A, C (passed 最佳) → A (90). 优秀 (2 seats): B (passed 优秀) and
    # C (passed 最佳, so 优秀 too) → B 95, C 85. D was voted nothing: no award.
    assert _result(proposal) == {"最佳案例": ["A"], "优秀案例": ["B", "C"]}
    assert [c.case.title for c in proposal.not_awarded] == ["D"]


def test_propose_refuses_edition_with_vote_round_but_no_tally():
    edition = _edition()
    make_tier(edition=edition, quota=1)
    _final_round(edition)
    make_round(edition=edition, order=3, kind=RoundKind.VOTE, status=RoundStatus.CLOSED)

    with pytest.raises(DomainError, match="投票"):
        awards_propose(edition=edition)


def test_propose_refuses_while_final_scoring_round_is_open():
    edition = _edition()
    make_tier(edition=edition, quota=1)
    make_round(edition=edition, order=1, status=RoundStatus.OPEN, name="终审")

    with pytest.raises(DomainError, match="终审"):
        awards_propose(edition=edition)


def test_propose_tier_without_quota_and_without_tally_proposes_nobody():
    edition = _edition()
    category = make_category(edition=edition)
    make_tier(edition=edition, name="优秀案例", order=1, quota=1)
    make_tier(edition=edition, name="提名奖", order=2, quota=None)
    final = _final_round(edition)
    _ranked(edition, final, category, 1, "90", "a1")
    _ranked(edition, final, category, 2, "80", "a2")

    proposal = awards_propose(edition=edition)

    assert _result(proposal) == {"优秀案例": ["a1"]}
    assert any("提名奖" in warning for warning in proposal.warnings)


def test_propose_override_to_no_award_frees_the_seat_for_the_next_case():
    edition = _edition()
    category = make_category(edition=edition)
    make_tier(edition=edition, name="十大", order=1, quota=2)
    final = _final_round(edition)
    a = _ranked(edition, final, category, 1, "90", "a1")
    _ranked(edition, final, category, 2, "80", "a2")
    _ranked(edition, final, category, 3, "70", "a3")

    proposal = awards_propose(
        edition=edition, overrides={a.pk: Override(tier=None, reason="核实发现数据不实")}
    )

    assert _result(proposal) == {"十大": ["a2", "a3"]}


def test_propose_skips_cases_no_longer_in_review():
    edition = _edition()
    category = make_category(edition=edition)
    make_tier(edition=edition, name="十大", order=1, quota=1)
    final = _final_round(edition)
    withdrawn = _ranked(edition, final, category, 1, "90", "撤回的")
    withdrawn.status = CaseStatus.WITHDRAWN
    withdrawn.save()
    _ranked(edition, final, category, 2, "80", "a2")

    proposal = awards_propose(edition=edition)

    assert _result(proposal) == {"十大": ["a2"]}


def test_propose_skips_cases_eliminated_in_a_later_verification_round():
    edition = _edition()
    category = make_category(edition=edition)
    make_tier(edition=edition, name="十大", order=1, quota=1)
    final = _final_round(edition)
    verification = make_round(
        edition=edition, order=3, kind=RoundKind.VERIFICATION, status=RoundStatus.CLOSED
    )
    failed = _ranked(edition, final, category, 1, "90", "核实未通过")
    make_round_entry(round=verification, case=failed, result=EntryResult.ELIMINATED)
    _ranked(edition, final, category, 2, "80", "a2")

    proposal = awards_propose(edition=edition)

    assert _result(proposal) == {"十大": ["a2"]}
