"""Conflicts by region (issue 13): a round can require that no judge scores a case from the
judge's own region or a region below it; assignment, the workspace, the plenary and 回避情况
follow it."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus
from cases.services import DomainError
from judging import permissions
from judging.models import Assignment, ConflictSource, Judge
from judging.selectors.conflicts import conflict_map, region_prefixes
from judging.services.assignment import assignment_add, round_auto_assign
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_panel,
    make_region,
    make_round,
    make_round_entry,
    make_unit,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def scene():
    """广东省 › 汕头市 › 濠江区 and 广东省 › 广州市; judge 汕 lives in 汕头市, judge 广 in 广东省,
    judge 京 in 北京市, judge 无 has no region. Case h is from 濠江区 (its lead unit), case g
    from 广州市 (its submitting unit)."""
    guangdong = make_region(name="广东省")
    shantou = make_region(name="汕头市", parent=guangdong)
    haojiang = make_region(name="濠江区", parent=shantou)
    guangzhou = make_region(name="广州市", parent=guangdong)
    beijing = make_region(name="北京市")
    edition = make_edition()
    category = make_category(edition=edition)
    accepted = {"status": CaseStatus.ACCEPTED}
    h_unit = make_unit(name="濠江区人民政府", region=haojiang)
    g_unit = make_unit(name="广州市公安局", region=guangzhou)
    cases = {
        "h": make_case(
            edition=edition,
            category=category,
            lead_units=[h_unit],
            submitting_unit=make_unit(name="某协会"),
            **accepted,
        ),
        "g": make_case(edition=edition, category=category, owner_unit=g_unit, **accepted),
    }
    judges = {
        "汕": make_judge(name="汕", region=shantou),
        "广": make_judge(name="广", region=guangdong),
        "京": make_judge(name="京", region=beijing),
        "无": make_judge(name="无"),
    }
    make_panel(edition=edition, categories=[category], judges=list(judges.values()))
    return {"edition": edition, "category": category, "cases": cases, "judges": judges}


def pairs(found, scene):
    case_names = {case.pk: name for name, case in scene["cases"].items()}
    judge_names = {judge.pk: name for name, judge in scene["judges"].items()}
    return {
        (case_names[c], judge_names[j], found.source(case_id=c, judge_id=j))
        for c, j in found.pairs()
    }


def test_region_prefixes_walk_up_the_path():
    assert region_prefixes("广东省/汕头市/濠江区") == [
        "广东省",
        "广东省/汕头市",
        "广东省/汕头市/濠江区",
    ]
    assert region_prefixes("") == []


def test_regional_rule_finds_judges_of_the_cases_region_and_above(scene):
    cases = Case.objects.filter(pk__in=[c.pk for c in scene["cases"].values()])
    judges = Judge.objects.filter(pk__in=[j.pk for j in scene["judges"].values()])

    with_rule = conflict_map(cases=cases, judges=judges, regional=True)
    without = conflict_map(cases=cases, judges=judges)

    assert pairs(with_rule, scene) == {
        ("h", "汕", ConflictSource.REGION),  # 濠江区 lies in 汕头市
        ("h", "广", ConflictSource.REGION),
        ("g", "广", ConflictSource.REGION),
    }
    assert pairs(without, scene) == set()


def test_a_closer_conflict_wins_over_the_regional_one(scene):
    judge = scene["judges"]["汕"]
    judge.affiliation = scene["cases"]["h"].lead_unit_links.get().unit
    judge.save()
    cases = Case.objects.filter(pk=scene["cases"]["h"].pk)

    found = conflict_map(cases=cases, judges=Judge.objects.filter(pk=judge.pk), regional=True)

    assert found.source(case_id=scene["cases"]["h"].pk, judge_id=judge.pk) == "detected"


def test_auto_assignment_skips_regional_pairs_only_when_the_round_asks(scene):
    regional = make_round(edition=scene["edition"], order=1, reviews_per_case=2)
    regional.regional_recusal = True
    regional.save()

    round_auto_assign(round=regional, by=None)

    assigned = {
        (case.pk, judge.pk)
        for case in scene["cases"].values()
        for judge in scene["judges"].values()
        if Assignment.objects.filter(round=regional, case=case, judge=judge).exists()
    }
    forbidden = {
        (scene["cases"]["h"].pk, scene["judges"]["汕"].pk),
        (scene["cases"]["h"].pk, scene["judges"]["广"].pk),
        (scene["cases"]["g"].pk, scene["judges"]["广"].pk),
    }
    assert len(assigned) == 4
    assert assigned.isdisjoint(forbidden)


def test_manual_assignment_of_a_regional_pair_is_refused(scene):
    round_ = make_round(edition=scene["edition"], order=1)
    round_.regional_recusal = True
    round_.save()

    with pytest.raises(DomainError, match="地域回避"):
        assignment_add(round=round_, case=scene["cases"]["h"], judge=scene["judges"]["汕"], by=None)


def test_workspace_hides_a_case_of_the_judges_region_in_a_regional_round(scene):
    judge = scene["judges"]["汕"]
    plain = make_round(edition=scene["edition"], order=1, status="open")
    regional = make_round(edition=scene["edition"], order=2, status="open")
    regional.regional_recusal = True
    regional.save()
    case = scene["cases"]["h"]
    make_assignment(round=plain, case=case, judge=judge)
    make_assignment(round=regional, case=case, judge=judge)
    make_assignment(round=regional, case=scene["cases"]["g"], judge=judge)

    visible = set(permissions.assignments_visible_to(judge.user).values_list("round_id", "case_id"))

    assert visible == {(plain.pk, case.pk), (regional.pk, scene["cases"]["g"].pk)}
    assert not permissions.can_view_case_as_judge(judge.user, regional, case)


def test_conflicts_page_lists_regional_recusals(admin_client, scene):
    round_ = make_round(edition=scene["edition"], order=1)
    round_.regional_recusal = True
    round_.save()
    for case in scene["cases"].values():
        make_round_entry(round=round_, case=case)

    response = admin_client.get(reverse("admin:judging_round_conflicts", args=[round_.pk]))

    assert response.status_code == 200
    assert response.text.count("<td>地域回避</td>") == 3
