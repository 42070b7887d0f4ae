from decimal import Decimal

import pytest

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.models import (
    AdvancementRule,
    EntryResult,
    RoundEntry,
    RoundKind,
    RoundStatus,
    VoteThreshold,
)
from judging.services.advancement import (
    advancement_confirm,
    advancement_override,
    advancement_override_clear,
    advancement_plan,
)
from judging.tabulation import percent_quota, top_cut
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_scored_review,
    make_tier,
    make_verification,
    make_vote,
)

pytestmark = pytest.mark.django_db

ONE_CRITERION = [("总分", 1, 100)]  # S equals the value


@pytest.fixture
def edition():
    return make_edition(status=EditionStatus.REVIEWING)


def scoring_round(edition, rule, value=None, **fields):
    fields.setdefault("status", RoundStatus.CLOSED)
    return make_round(
        edition=edition,
        order=fields.pop("order", 1),
        criteria=fields.pop("criteria", ONE_CRITERION),
        advancement_rule=rule,
        advancement_value=None if value is None else Decimal(str(value)),
        **fields,
    )


def scored_cases(round_, category, scores_per_case, prefix="A"):
    """One case per item; each item is the list of S values of its reviews."""
    cases = []
    for number, scores in enumerate(scores_per_case, start=1):
        case = make_case(
            edition=round_.edition,
            category=category,
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-{prefix}-{number:04d}",
        )
        make_round_entry(round=round_, case=case)
        for value in scores:
            make_scored_review(round=round_, case=case, judge=make_judge(), values=[value])
        cases.append(case)
    return cases


def proposed(plan):
    return {p.entry.case.reference: p.result for p in plan.proposals}


A, E = EntryResult.ADVANCED, EntryResult.ELIMINATED


# --- the cuts, pure --------------------------------------------------------------------------
def test_percent_quota_rounds_up():
    # 30% of 7 = 2.1 → 3; 50% of 4 = 2; 12.5% of 8 = 1; 10% of 1 = 0.1 → 1
    assert percent_quota(Decimal("30"), 7) == 3
    assert percent_quota(Decimal("50"), 4) == 2
    assert percent_quota(Decimal("12.5"), 8) == 1
    assert percent_quota(Decimal("10"), 1) == 1


def test_top_cut_takes_true_ties_at_the_boundary():
    assert top_cut([(9,), (8,), (8,), (7,)], 2) == 3
    assert top_cut([(9,), (8,), (7,), (7,)], 2) == 2
    assert top_cut([(9,)], 5) == 1
    assert top_cut([(9,), (8,)], 0) == 0


# --- scoring rules -------------------------------------------------------------------------
def test_top_n_per_category(edition):
    zf, yq = make_category(edition=edition), make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 2)
    scored_cases(round_, zf, [[70], [90], [80]], "ZF")
    scored_cases(round_, yq, [[60]], "YQ")

    plan = advancement_plan(round_)

    # ZF: 90 and 80 advance, 70 does not; YQ has a single case, fewer than N: it advances
    assert proposed(plan) == {
        "2026-ZF-0001": E,
        "2026-ZF-0002": A,
        "2026-ZF-0003": A,
        "2026-YQ-0001": A,
    }


def test_top_n_includes_a_true_tie_at_the_cut(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 2)
    # 0002 and 0003 both 80 from one review each: same score, median and count
    scored_cases(round_, category, [[90], [80], [80], [70]])

    plan = advancement_plan(round_)

    assert proposed(plan) == {
        "2026-A-0001": A,
        "2026-A-0002": A,
        "2026-A-0003": A,
        "2026-A-0004": E,
    }
    tied = [p.entry.case.reference for p in plan.proposals if p.tied]
    assert tied == ["2026-A-0003"]
    assert plan.advancing == 3


def test_top_n_tie_broken_by_median_is_not_a_tie(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 2)
    # 0002: 60, 90, 90 → mean 80, median 90; 0003: 80, 80, 80 → mean 80, median 80
    scored_cases(round_, category, [[95], [60, 90, 90], [80, 80, 80]])

    assert proposed(advancement_plan(round_)) == {
        "2026-A-0001": A,
        "2026-A-0002": A,
        "2026-A-0003": E,
    }


def test_top_percent_rounds_up_per_category(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_PERCENT, 30)
    # 7 cases, 30% → ⌈2.1⌉ = 3 advance
    scored_cases(round_, category, [[s] for s in (91, 92, 93, 94, 95, 96, 97)])

    plan = advancement_plan(round_)

    assert [p.entry.case.reference for p in plan.proposals if p.result == A] == [
        "2026-A-0007",
        "2026-A-0006",
        "2026-A-0005",
    ]
    assert "向上取整" in plan.proposals[0].note


def test_threshold_compares_the_exact_score(edition):
    category = make_category(edition=edition)
    criteria = [("主", "999.999", 100), ("次", "0.001", 100)]
    round_ = scoring_round(edition, AdvancementRule.THRESHOLD, 75, criteria=criteria)
    below, at = scored_cases(round_, category, [[], []])
    # below: 100 × (999.999 × 0.75 + 0.001 × 0.74) / 1000 = 74.999999, shown as 75.0000
    make_scored_review(round=round_, case=below, judge=make_judge(), values=[75, 74])
    # at: both criteria at 75 → exactly 75
    make_scored_review(round=round_, case=at, judge=make_judge(), values=[75, 75])

    plan = advancement_plan(round_)

    assert proposed(plan) == {"2026-A-0001": E, "2026-A-0002": A}
    assert [p.score for p in plan.proposals] == [Decimal("75.0000"), Decimal("75.0000")]


def test_case_without_reviews_is_proposed_eliminated(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 5)
    scored_cases(round_, category, [[80], []])

    plan = advancement_plan(round_)

    assert proposed(plan) == {"2026-A-0001": A, "2026-A-0002": E}
    assert plan.proposals[1].note == "无已提交评分"


@pytest.mark.parametrize(
    ("kind", "rule", "value"),
    [
        (RoundKind.SCORING, AdvancementRule.TOP_N, "2.5"),
        (RoundKind.SCORING, AdvancementRule.TOP_N, None),
        (RoundKind.SCORING, AdvancementRule.TOP_PERCENT, "0"),
        (RoundKind.SCORING, AdvancementRule.TOP_PERCENT, "100.5"),
        (RoundKind.SCORING, AdvancementRule.ALL_VERIFIED, None),
        (RoundKind.VERIFICATION, AdvancementRule.TOP_N, "3"),
        (RoundKind.METRIC, AdvancementRule.NONE, None),
    ],
)
def test_rule_that_does_not_fit_the_round_is_refused(edition, kind, rule, value):
    round_ = scoring_round(edition, rule, value, kind=kind)

    with pytest.raises(DomainError):
        advancement_plan(round_)


# --- overrides and confirmation --------------------------------------------------------------
def test_override_needs_a_reason_and_is_audited(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 1)
    _first, second = scored_cases(round_, category, [[90], [80]])
    entry = RoundEntry.objects.get(round=round_, case=second)
    organiser = make_organiser()

    with pytest.raises(DomainError):
        advancement_override(entry=entry, result=A, reason="  ", by=organiser)
    with pytest.raises(DomainError):
        advancement_override(entry=entry, result=EntryResult.PENDING, reason="x", by=organiser)
    advancement_override(entry=entry, result=A, reason="实地核实发现成效突出", by=organiser)

    plan = advancement_plan(round_)
    second_proposal = plan.proposals[1]
    assert (second_proposal.result, second_proposal.decision) == (E, A)
    assert second_proposal.overridden is True
    audit = AuditEntry.objects.get(code="judging.round_entry.overridden")
    assert audit.actor == organiser
    assert audit.data["to"] == {"result": "advanced", "reason": "实地核实发现成效突出"}


def test_clearing_an_override_restores_the_proposal(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 1)
    (case,) = scored_cases(round_, category, [[90]])
    entry = RoundEntry.objects.get(round=round_, case=case)
    advancement_override(entry=entry, result=E, reason="材料不实", by=None)

    advancement_override_clear(entry=entry, by=None)

    entry.refresh_from_db()
    assert (entry.result, entry.override_reason) == (EntryResult.PENDING, "")
    assert advancement_plan(round_).proposals[0].decision == A
    assert AuditEntry.objects.filter(code="judging.round_entry.override_cleared").count() == 1


def test_confirm_marks_entries_and_fills_the_next_round(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 2)
    following = make_round(edition=edition, order=2, kind=RoundKind.VERIFICATION)
    later = make_round(edition=edition, order=5, kind=RoundKind.VOTE)
    first, second, third = scored_cases(round_, category, [[90], [80], [70]])
    advancement_override(
        entry=RoundEntry.objects.get(round=round_, case=second),
        result=E,
        reason="申报材料与实际不符",
        by=None,
    )
    organiser = make_organiser()

    plan = advancement_confirm(round=round_, by=organiser)

    results = dict(RoundEntry.objects.filter(round=round_).values_list("case_id", "result"))
    assert results == {first.pk: A, second.pk: E, third.pk: E}
    assert set(RoundEntry.objects.filter(round=following).values_list("case_id", flat=True)) == {
        first.pk
    }
    assert not RoundEntry.objects.filter(round=later).exists()
    stored = RoundEntry.objects.get(round=round_, case=first)
    assert stored.decided_by == organiser
    assert stored.decided_at is not None
    assert (stored.score, stored.rank) == (Decimal("90.0000"), 1)  # tabulated on confirm
    assert plan.next_round == following
    audit = AuditEntry.objects.get(code="judging.round.advancement_confirmed")
    assert audit.data["advanced"] == 1
    assert audit.data["eliminated"] == 2
    assert audit.data["overrides"] == 1
    assert audit.data["created"] == 1


def test_confirm_does_not_duplicate_entries_already_in_the_next_round(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 1)
    following = make_round(edition=edition, order=2)
    (case,) = scored_cases(round_, category, [[90]])
    make_round_entry(round=following, case=case)

    advancement_confirm(round=round_, by=None)

    assert RoundEntry.objects.filter(round=following).count() == 1


def test_confirm_of_the_last_round_fills_nothing(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 1)
    scored_cases(round_, category, [[90]])

    plan = advancement_confirm(round=round_, by=None)

    assert plan.next_round is None
    assert RoundEntry.objects.count() == 1


def test_confirm_needs_a_closed_round(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 1, status=RoundStatus.OPEN)
    scored_cases(round_, category, [[90]])

    with pytest.raises(DomainError):
        advancement_confirm(round=round_, by=None)

    assert not RoundEntry.objects.filter(decided_at__isnull=False).exists()


def test_confirm_twice_and_override_after_confirm_are_refused(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.TOP_N, 1)
    (case,) = scored_cases(round_, category, [[90]])
    advancement_confirm(round=round_, by=None)
    entry = RoundEntry.objects.get(round=round_, case=case)

    with pytest.raises(DomainError):
        advancement_confirm(round=round_, by=None)
    with pytest.raises(DomainError):
        advancement_override(entry=entry, result=E, reason="迟到的异议", by=None)


def test_round_without_rule_needs_an_override_for_every_case(edition):
    category = make_category(edition=edition)
    round_ = scoring_round(edition, AdvancementRule.NONE)
    first, second = scored_cases(round_, category, [[90], [80]])
    advancement_override(
        entry=RoundEntry.objects.get(round=round_, case=first),
        result=A,
        reason="评审会决定",
        by=None,
    )

    with pytest.raises(DomainError, match="1 个案例"):
        advancement_confirm(round=round_, by=None)

    advancement_override(
        entry=RoundEntry.objects.get(round=round_, case=second),
        result=E,
        reason="评审会决定",
        by=None,
    )
    plan = advancement_confirm(round=round_, by=None)
    assert (plan.advancing, plan.eliminated) == (1, 1)


# --- verification and vote rounds ----------------------------------------------------------
def test_all_verified_needs_every_submitted_verification_to_say_yes(edition):
    category = make_category(edition=edition)
    round_ = make_round(
        edition=edition,
        order=2,
        kind=RoundKind.VERIFICATION,
        status=RoundStatus.CLOSED,
        advancement_rule=AdvancementRule.ALL_VERIFIED,
    )
    cases = {}
    for ref in ("0001", "0002", "0003", "0004"):
        cases[ref] = make_case(
            edition=edition, category=category, reference=f"2026-V-{ref}", status="in_review"
        )
        make_round_entry(round=round_, case=cases[ref])
    j1, j2 = make_judge(), make_judge()
    # 0001: yes, yes → advances; 0002: yes, no → eliminated
    make_verification(round=round_, case=cases["0001"], judge=j1, verified=True)
    make_verification(round=round_, case=cases["0001"], judge=j2, verified=True)
    make_verification(round=round_, case=cases["0002"], judge=j1, verified=True)
    make_verification(round=round_, case=cases["0002"], judge=j2, verified=False)
    # 0003: only a draft → undecided (a record not submitted blocks the automatic decision)
    make_verification(round=round_, case=cases["0003"], judge=j1, verified=True, submitted=False)
    # 0004: one yes submitted, one draft → undecided: the organiser decides with a reason
    make_verification(round=round_, case=cases["0004"], judge=j1, verified=True)
    make_verification(round=round_, case=cases["0004"], judge=j2, verified=False, submitted=False)

    plan = advancement_plan(round_)

    assert proposed(plan) == {
        "2026-V-0001": A,
        "2026-V-0002": E,
        "2026-V-0003": None,
        "2026-V-0004": None,
    }
    assert plan.proposals[3].verifications == (1, 0, 1)
    assert plan.proposals[3].note == "核实通过 1 份、未通过 0 份、未提交 1 份"


def test_vote_round_advances_by_the_count_and_records_the_tier(edition):
    category = make_category(edition=edition)
    best = make_tier(edition=edition, name="最佳案例", order=1)
    excellent = make_tier(edition=edition, name="优秀案例", order=2)
    judges = [make_judge() for _ in range(3)]
    round_ = make_round(edition=edition, order=3, kind=RoundKind.VOTE, status=RoundStatus.CLOSED)
    VoteThreshold.objects.create(
        round=round_, tier=best, numerator=2, denominator=3, inclusive=True
    )
    top, middle, out = (
        make_case(edition=edition, category=category, reference=f"2026-T-000{n}") for n in (1, 2, 3)
    )
    for case in (top, middle, out):
        make_round_entry(round=round_, case=case)
        for judge in judges:
            make_assignment(round=round_, case=case, judge=judge)
    # top: 2 最佳 + 1 优秀 of 3 → 最佳 2/3 ≥ 2/3
    # middle: 1 最佳 + 1 优秀 + 1 none → 最佳 1/3; 优秀 2/3 > 1/2
    # out: 1 优秀, 2 none → 优秀 1/3 ≤ 1/2 → no tier
    votes = {
        top: [best, best, excellent],
        middle: [best, excellent, None],
        out: [excellent, None, None],
    }
    for case, tiers in votes.items():
        for judge, tier in zip(judges, tiers, strict=True):
            make_vote(round=round_, case=case, judge=judge, tier=tier)

    advancement_confirm(round=round_, by=None)

    stored = {e.case_id: (e.result, e.voted_tier) for e in RoundEntry.objects.filter(round=round_)}
    assert stored == {top.pk: (A, best), middle.pk: (A, excellent), out.pk: (E, None)}


def test_confirm_adds_entries_for_cases_assigned_without_one(edition):
    category = make_category(edition=edition)
    round_ = make_round(
        edition=edition,
        order=2,
        kind=RoundKind.VERIFICATION,
        status=RoundStatus.CLOSED,
        advancement_rule=AdvancementRule.ALL_VERIFIED,
    )
    following = make_round(edition=edition, order=3, kind=RoundKind.VOTE)
    case = make_case(edition=edition, category=category, reference="2026-V-0009")
    make_verification(round=round_, case=case, judge=make_judge(), verified=True)

    plan = advancement_plan(round_)
    advancement_confirm(round=round_, by=None)

    assert [(p.entry.pk, p.result) for p in plan.proposals] == [(None, A)]
    assert RoundEntry.objects.get(round=round_, case=case).result == A
    assert RoundEntry.objects.filter(round=following, case=case).exists()
    audit = AuditEntry.objects.get(code="judging.round.advancement_confirmed")
    assert audit.data["entries_added"] == 1
