from collections import Counter

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.audit.chain import verify_chain
from cases.models import AuditEntry, CaseStatus
from cases.services import DomainError
from judging.models import Assignment, RoundEntry, RoundKind, RoundStatus
from judging.services.assignment import (
    _rebalance,
    assignment_add,
    assignment_delete,
    plan_assignments,
    round_auto_assign,
)
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_panel,
    make_round,
    make_unit,
)

pytestmark = pytest.mark.django_db


def _pairs(round_):
    return set(Assignment.objects.filter(round=round_).values_list("case_id", "judge_id"))


def _loads(round_):
    return Counter(Assignment.objects.filter(round=round_).values_list("judge_id", flat=True))


@pytest.fixture
def scene():
    """Hand-built edition:
    - panel 甲 covers 政府治理创新 with judges A B C D; A works at the lead unit of z1;
    - panel 乙 covers 舆情引导 with judges E F G; G works at the lead unit of y1;
    - nobody covers 大数据与公共服务;
    - round 1 wants 3 judges per case; cases z1–z4, y1–y2, b1 are accepted.
    """
    edition = make_edition()
    zf = make_category(edition=edition, name="政府治理创新", code="ZF", order=1)
    yq = make_category(edition=edition, name="舆情引导", code="YQ", order=2)
    bd = make_category(edition=edition, name="大数据与公共服务", code="BD", order=3)
    unit_a, unit_g = make_unit(name="甲单位"), make_unit(name="庚单位")
    judges = {
        "A": make_judge(name="A", affiliation=unit_a),
        "B": make_judge(name="B"),
        "C": make_judge(name="C"),
        "D": make_judge(name="D"),
        "E": make_judge(name="E"),
        "F": make_judge(name="F"),
        "G": make_judge(name="G", affiliation=unit_g),
    }
    make_panel(edition=edition, name="甲", categories=[zf], judges=[judges[k] for k in "ABCD"])
    make_panel(edition=edition, name="乙", categories=[yq], judges=[judges[k] for k in "EFG"])
    round_ = make_round(edition=edition, order=1, reviews_per_case=3)
    accepted = {"status": CaseStatus.ACCEPTED}
    cases = {
        "z1": make_case(edition=edition, category=zf, lead_units=[unit_a], **accepted),
        "z2": make_case(edition=edition, category=zf, **accepted),
        "z3": make_case(edition=edition, category=zf, **accepted),
        "z4": make_case(edition=edition, category=zf, **accepted),
        "y1": make_case(edition=edition, category=yq, lead_units=[unit_g], **accepted),
        "y2": make_case(edition=edition, category=yq, **accepted),
        "b1": make_case(edition=edition, category=bd, **accepted),
    }
    return {"edition": edition, "round": round_, "judges": judges, "cases": cases}


def _judges_of(round_, case, judges):
    names = {j.pk: name for name, j in judges.items()}
    return {
        names[j]
        for j in Assignment.objects.filter(round=round_, case=case).values_list(
            "judge_id", flat=True
        )
    }


def test_auto_assign_respects_conflicts_and_balances_hand_checked(scene):
    round_, judges, cases = scene["round"], scene["judges"], scene["cases"]

    report = round_auto_assign(round=round_, by=make_organiser())

    # z1 conflicts with A, so it gets exactly B C D.
    assert _judges_of(round_, cases["z1"], judges) == {"B", "C", "D"}
    # 政府治理创新: 4 cases × 3 = 12 reviews over 4 judges → 3 each; A can only take z2–z4.
    for name in ("z2", "z3", "z4"):
        assert "A" in _judges_of(round_, cases[name], judges)
    loads = _loads(round_)
    assert [loads[judges[k].pk] for k in "ABCD"] == [3, 3, 3, 3]
    # 舆情引导: y1 conflicts with G → only E F; y2 gets E F G.
    assert _judges_of(round_, cases["y1"], judges) == {"E", "F"}
    assert _judges_of(round_, cases["y2"], judges) == {"E", "F", "G"}
    # 大数据与公共服务 has no panel.
    assert Assignment.objects.filter(case=cases["b1"]).count() == 0
    assert report.cases == 7
    assert report.created == 12 + 5
    assert report.kept == 0
    assert [(s.case_id, s.assigned, s.needed, s.reason) for s in report.shortfalls] == [
        (
            cases["y1"].pk,
            2,
            3,
            "负责“舆情引导”的评审组中只有 2 位无回避的专家,需要 3 位;1 位需回避。",
        ),
        (cases["b1"].pk, 0, 3, "没有评审组负责类别“大数据与公共服务”。"),
    ]


def test_auto_assign_is_deterministic(scene):
    round_ = scene["round"]
    organiser = make_organiser()
    round_auto_assign(round=round_, by=organiser)
    first = _pairs(round_)
    Assignment.objects.all().delete()

    round_auto_assign(round=round_, by=organiser)

    assert _pairs(round_) == first


def test_auto_assign_keeps_existing_assignments_and_counts_them(scene):
    round_, judges, cases = scene["round"], scene["judges"], scene["cases"]
    RoundEntry.objects.create(round=round_, case=cases["z2"])
    manual = make_assignment(round=round_, case=cases["z2"], judge=judges["B"], manual=True)

    report = round_auto_assign(round=round_, by=make_organiser())

    assert Assignment.objects.filter(pk=manual.pk).exists()
    assert report.kept == 1
    assert Assignment.objects.filter(round=round_, case=cases["z2"]).count() == 3
    loads = _loads(round_)
    assert [loads[judges[k].pk] for k in "ABCD"] == [3, 3, 3, 3]


def test_auto_assign_twice_adds_nothing(scene):
    round_ = scene["round"]
    organiser = make_organiser()
    round_auto_assign(round=round_, by=organiser)
    before = _pairs(round_)

    report = round_auto_assign(round=round_, by=organiser)

    assert report.created == 0
    assert _pairs(round_) == before


def test_auto_assign_skips_judges_without_an_active_account(scene):
    round_, judges, cases = scene["round"], scene["judges"], scene["cases"]
    judges["E"].user.is_active = False
    judges["E"].user.save()

    report = round_auto_assign(round=round_, by=make_organiser())

    assert "E" not in _judges_of(round_, cases["y2"], judges)
    y1 = next(s for s in report.shortfalls if s.case_id == cases["y1"].pk)
    assert y1.reason == (
        "负责“舆情引导”的评审组中只有 1 位无回避的专家,需要 3 位;"
        "1 位需回避;1 位尚无可用的登录账号。"
    )


def test_auto_assign_balances_one_panel_exactly():
    # 10 cases × 3 reviews = 30 over 6 judges: 5 each.
    edition = make_edition()
    category = make_category(edition=edition)
    judges = [make_judge() for _ in range(6)]
    make_panel(edition=edition, categories=[category], judges=judges)
    round_ = make_round(edition=edition, reviews_per_case=3)
    for _ in range(10):
        make_case(edition=edition, category=category, status=CaseStatus.ACCEPTED)

    report = round_auto_assign(round=round_, by=make_organiser())

    assert sorted(_loads(round_).values()) == [5] * 6
    assert report.spread == 0
    assert report.shortfalls == []


def test_auto_assign_balances_within_one_where_conflicts_allow():
    # 7 cases × 2 = 14 reviews over 4 judges; judge 0 conflicts with 3 cases.
    # 14 / 4 = 3.5, so every judge must end with 3 or 4.
    edition = make_edition()
    category = make_category(edition=edition)
    unit = make_unit()
    judges = [make_judge(affiliation=unit), make_judge(), make_judge(), make_judge()]
    make_panel(edition=edition, categories=[category], judges=judges)
    round_ = make_round(edition=edition, reviews_per_case=2)
    for i in range(7):
        make_case(
            edition=edition,
            category=category,
            status=CaseStatus.ACCEPTED,
            lead_units=[unit] if i < 3 else [],
        )

    round_auto_assign(round=round_, by=make_organiser())

    loads = _loads(round_)
    assert sorted(loads.values()) == [3, 3, 4, 4]
    assert sum(loads.values()) == 14


def test_rebalance_moves_work_along_a_chain():
    # Judges a=11, b=12, c=13. a holds cases 1 and 3, b holds 2, c nothing. c may take only
    # case 2 and a is the only one for case 3: balancing needs a → b (case 1), b → c (case 2).
    a, b, c = 11, 12, 13
    eligible = {1: [a, b], 2: [b, c], 3: [a]}
    on_case = {1: {a}, 2: {b}, 3: {a}}
    new_by_judge = {a: {1, 3}, b: {2}, c: set()}
    loads = {a: 2, b: 1, c: 0}

    _rebalance(eligible=eligible, on_case=on_case, new_by_judge=new_by_judge, loads=loads, salt=0)

    assert loads == {a: 1, b: 1, c: 1}
    assert on_case == {1: {b}, 2: {c}, 3: {a}}


def test_plan_is_deterministic_and_spreads_groups():
    cases = list(range(1, 41))
    eligible = {c: list(range(100, 110)) for c in cases}

    first = plan_assignments(
        cases=cases, eligible=eligible, existing={}, loads={}, reviews_per_case=3, salt=7
    )
    second = plan_assignments(
        cases=cases, eligible=eligible, existing={}, loads={}, reviews_per_case=3, salt=7
    )

    assert first == second
    assert Counter(j for js in first.values() for j in js) == dict.fromkeys(range(100, 110), 12)
    # Tie-breaking by hash, not by id, so the same trio does not judge every case together.
    assert len({tuple(js) for js in first.values()}) > 10


def test_auto_assign_query_count_does_not_grow_with_cases():
    organiser = make_organiser()

    def build(n):
        edition = make_edition()
        category = make_category(edition=edition)
        make_panel(edition=edition, categories=[category], judges=[make_judge() for _ in range(3)])
        round_ = make_round(edition=edition, reviews_per_case=2)
        for _ in range(n):
            make_case(edition=edition, category=category, status=CaseStatus.ACCEPTED)
        return round_

    one, five = build(1), build(5)
    with CaptureQueriesContext(connection) as small:
        round_auto_assign(round=one, by=organiser)
    with CaptureQueriesContext(connection) as large:
        round_auto_assign(round=five, by=organiser)

    assert (len(small.captured_queries), len(large.captured_queries)) == (26, 26)


def test_auto_assign_writes_one_audit_row_per_assignment(scene):
    organiser = make_organiser()

    round_auto_assign(round=scene["round"], by=organiser)

    created = AuditEntry.objects.filter(code="judging.assignment.created")
    assert created.count() == Assignment.objects.count() == 17
    assert set(created.values_list("object_id", flat=True)) == {
        str(pk) for pk in Assignment.objects.values_list("pk", flat=True)
    }
    assert set(created.values_list("actor", flat=True)) == {organiser.pk}
    first = created.order_by("seq").first()
    assignment = Assignment.objects.get(pk=first.object_id)
    assert first.data == {
        "round": scene["round"].pk,
        "case": assignment.case_id,
        "judge": assignment.judge_id,
        "auto": True,
    }
    assert first.object_repr.endswith(f" · {assignment.judge.name}")
    assert verify_chain() == (AuditEntry.objects.count(), [])
    summary = AuditEntry.objects.get(code="judging.round.auto_assigned")
    assert summary.data["created"] == 17
    assert summary.data["shortfall_cases"] == [scene["cases"]["y1"].pk, scene["cases"]["b1"].pk]


def test_auto_assign_refuses_closed_and_metric_rounds(scene):
    organiser = make_organiser()
    closed = make_round(edition=scene["edition"], order=2, status=RoundStatus.CLOSED)
    metric = make_round(edition=scene["edition"], order=3, kind=RoundKind.METRIC)

    with pytest.raises(DomainError):
        round_auto_assign(round=closed, by=organiser)
    with pytest.raises(DomainError):
        round_auto_assign(round=metric, by=organiser)


def test_later_round_assigns_only_its_entries(scene):
    edition, cases = scene["edition"], scene["cases"]
    second = make_round(edition=edition, order=2, reviews_per_case=2)
    RoundEntry.objects.create(round=second, case=cases["z2"])

    report = round_auto_assign(round=second, by=make_organiser())

    assert report.cases == 1
    assert set(Assignment.objects.filter(round=second).values_list("case_id", flat=True)) == {
        cases["z2"].pk
    }


# --- one by one ------------------------------------------------------------------------------
def test_assignment_add_refuses_a_conflicted_judge(scene):
    with pytest.raises(DomainError, match="回避"):
        assignment_add(
            round=scene["round"],
            case=scene["cases"]["z1"],
            judge=scene["judges"]["A"],
            by=make_organiser(),
        )
    assert not Assignment.objects.exists()


def test_assignment_add_creates_first_round_entry_and_audits(scene):
    organiser = make_organiser()
    judge_outside_panels = make_judge(name="H")

    assignment = assignment_add(
        round=scene["round"], case=scene["cases"]["b1"], judge=judge_outside_panels, by=organiser
    )

    assert assignment.manual is True
    assert RoundEntry.objects.filter(round=scene["round"], case=scene["cases"]["b1"]).exists()
    entry = AuditEntry.objects.get(code="judging.assignment.created")
    assert entry.object_id == str(assignment.pk)
    assert entry.data["auto"] is False


def test_assignment_add_refuses_duplicates_and_cases_outside_the_round(scene):
    organiser = make_organiser()
    round_, cases, judges = scene["round"], scene["cases"], scene["judges"]
    assignment_add(round=round_, case=cases["z2"], judge=judges["B"], by=organiser)
    second = make_round(edition=scene["edition"], order=2)

    with pytest.raises(DomainError, match="已分配"):
        assignment_add(round=round_, case=cases["z2"], judge=judges["B"], by=organiser)
    with pytest.raises(DomainError, match="不在轮次"):
        assignment_add(round=second, case=cases["z2"], judge=judges["B"], by=organiser)


def test_assignment_delete_is_audited_and_refused_in_closed_rounds(scene):
    organiser = make_organiser()
    round_, cases, judges = scene["round"], scene["cases"], scene["judges"]
    assignment = assignment_add(round=round_, case=cases["z2"], judge=judges["B"], by=organiser)

    assignment_delete(assignment=assignment, by=organiser, reason="调整")

    assert not Assignment.objects.exists()
    entry = AuditEntry.objects.get(code="judging.assignment.removed")
    assert entry.data["reason"] == "调整"
    closed = make_round(edition=scene["edition"], order=2, status=RoundStatus.CLOSED)
    kept = make_assignment(round=closed, case=cases["z2"], judge=judges["B"])
    with pytest.raises(DomainError):
        assignment_delete(assignment=kept, by=organiser)
