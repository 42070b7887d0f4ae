"""One conflict rule (issue 4) for the workspace and for review set-up: a judge may not see a
case whose submitting unit or lead unit is the judge's affiliation or a declared unit, or lies
above or below one of them in the unit tree — even when an assignment row exists (made before
the affiliation was set, or before the conflict was declared)."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus, Unit
from cases.services import DomainError
from judging import permissions
from judging.models import (
    Conflict,
    ConflictSource,
    Judge,
    Review,
    RoundKind,
    RoundStatus,
    Vote,
    VoteChoice,
)
from judging.selectors.conflicts import conflict_map, judge_conflict_units
from judging.services.votes import vote_cast
from tests.factories import (
    make_assignment,
    make_case,
    make_edition,
    make_judge,
    make_round,
    make_tier,
    make_unit,
)
from tests.judging import workspace_scenario
from tests.judging.workspace_scenario import LEAD_UNIT, SUBMITTING_UNIT

pytestmark = pytest.mark.django_db


def place_units(s):
    """Put the scenario's units in a tree:
    惠州市人民政府 › 惠州市发展和改革局 (lead) › 惠州市价格监测中心
                 › 惠州市财政局 (a sibling of the lead unit)
    惠州市人民政府办公室 (submitting) › 惠州市人民政府办公室信息科"""
    city = make_unit(name="惠州市人民政府")
    lead = Unit.objects.get(name=LEAD_UNIT)
    lead.parent = city
    lead.save()
    submitting = Unit.objects.get(name=SUBMITTING_UNIT)
    return {
        "city": city,
        "lead": lead,
        "below_lead": make_unit(name="惠州市价格监测中心", parent=lead),
        "sibling": make_unit(name="惠州市财政局", parent=city),
        "submitting": submitting,
        "below_submitting": make_unit(name="惠州市人民政府办公室信息科", parent=submitting),
    }


def case_urls(s):
    return {
        "case-detail": reverse("judging:case-detail", args=[s.round.pk, s.case.pk]),
        "attachment-download": reverse(
            "judging:attachment-download", args=[s.round.pk, s.case.pk, s.attachments[0].pk]
        ),
        "recusal-create": reverse("judging:recusal-create", args=[s.round.pk, s.case.pk]),
    }


def set_affiliation(judge, unit):
    # Straight to the row, as an import or an edit before the recheck would leave it: the
    # assignment stays, only the read-time rule protects the case.
    Judge.objects.filter(pk=judge.pk).update(affiliation=unit)


def test_judge_affiliated_to_the_parent_of_a_lead_unit_gets_404_despite_the_assignment(client):
    s = workspace_scenario.build()
    units = place_units(s)
    set_affiliation(s.judge, units["city"])
    client.force_login(s.judge.user)
    criteria = list(s.round.criteria.all())
    score = {f"criterion_{c.pk}": "5" for c in criteria} | {"version": "0", "action": "draft"}

    pages = {name: client.get(url).status_code for name, url in case_urls(s).items()}
    posted = client.post(case_urls(s)["case-detail"], score)
    queue = client.get(reverse("judging:round-detail", args=[s.round.pk]))

    assert s.assignment.pk  # the row is still there
    assert pages == {"case-detail": 404, "attachment-download": 404, "recusal-create": 404}
    assert posted.status_code == 404
    assert not Review.objects.exists()
    assert queue.status_code == 404  # the judge has nothing else in the round
    judge_user = Judge.objects.get(pk=s.judge.pk).user
    assert not permissions.can_view_case_as_judge(judge_user, s.round, s.case)


@pytest.mark.parametrize("where", ["city", "lead", "below_lead", "submitting", "below_submitting"])
def test_judge_related_to_a_case_unit_in_the_tree_cannot_open_the_case(client, where):
    s = workspace_scenario.build()
    units = place_units(s)
    set_affiliation(s.judge, units[where])
    client.force_login(s.judge.user)

    assert client.get(case_urls(s)["case-detail"]).status_code == 404


def test_judge_affiliated_to_a_sibling_of_the_lead_unit_still_opens_the_case(client):
    s = workspace_scenario.build()
    units = place_units(s)
    set_affiliation(s.judge, units["sibling"])  # 惠州市财政局: same parent, not above or below
    client.force_login(s.judge.user)

    assert client.get(case_urls(s)["case-detail"]).status_code == 200


def test_declared_conflict_with_the_unit_above_the_lead_unit_hides_the_case(client):
    s = workspace_scenario.build()
    units = place_units(s)
    # Recorded straight away, without the service that would remove the assignment.
    Conflict.objects.create(judge=s.judge, unit=units["city"], source=ConflictSource.DECLARED)
    client.force_login(s.judge.user)

    assert client.get(case_urls(s)["case-detail"]).status_code == 404


def test_chair_affiliated_above_the_lead_unit_does_not_see_the_case(client):
    s = workspace_scenario.build()
    units = place_units(s)
    set_affiliation(s.chair, units["city"])
    client.force_login(s.chair.user)

    page = client.get(case_urls(s)["case-detail"])
    overview = client.get(reverse("judging:panel-overview", args=[s.round.pk]))

    assert page.status_code == 404
    assert s.case.pk not in [case.pk for case in overview.context["cases"]]
    assert len(overview.context["cases"]) == 1  # the scenario's other case


def test_member_affiliated_above_the_lead_unit_cannot_vote_on_the_case(client):
    s = workspace_scenario.build()
    units = place_units(s)
    plenary = make_round(edition=s.edition, order=2, kind=RoundKind.VOTE, status=RoundStatus.OPEN)
    tier = make_tier(edition=s.edition, name="优秀案例")
    member = make_judge(name="赵委员")
    assignment = make_assignment(round=plenary, case=s.case, judge=member)
    set_affiliation(member, units["city"])
    client.force_login(member.user)

    ballot = client.get(reverse("judging:vote-list", args=[plenary.pk]))
    with pytest.raises(DomainError):
        vote_cast(assignment=assignment, choice=VoteChoice.TIER, tier=tier, by=member.user)

    assert ballot.status_code == 404  # no case of the plenary is left to this member
    assert not Vote.objects.exists()


def test_judge_conflict_units_follow_the_tree_both_ways():
    city = make_unit(name="市政府")
    bureau = make_unit(name="市公安局", parent=city)
    branch = make_unit(name="区分局", parent=bureau)
    station = make_unit(name="派出所", parent=branch)
    make_unit(name="市财政局", parent=city)  # a sibling: not related
    declared = make_unit(name="某协会")
    judge = make_judge(affiliation=bureau)
    Conflict.objects.create(judge=judge, unit=declared, source=ConflictSource.DECLARED)

    # above the bureau: 市政府; the bureau; below it: 区分局, 派出所; and the declared unit
    assert judge_conflict_units(judge) == {city.pk, bureau.pk, branch.pk, station.pk, declared.pk}
    judge.affiliation = station  # the memo follows a changed affiliation
    assert judge_conflict_units(judge) == {city.pk, bureau.pk, branch.pk, station.pk, declared.pk}
    judge.affiliation = None
    assert judge_conflict_units(judge) == {declared.pk}


def test_workspace_rule_and_conflict_map_agree_on_every_pair():
    """Each judge is assigned every case of an open round; what the workspace shows must be
    exactly the cases the review set-up's conflict map allows, and the hand-worked result."""
    province = make_unit(name="省政府")
    city = make_unit(name="甲市政府", parent=province)
    bureau = make_unit(name="甲市公安局", parent=city)
    other_city = make_unit(name="乙市政府", parent=province)
    university = make_unit(name="某大学")
    edition = make_edition()
    round_ = make_round(edition=edition, status=RoundStatus.OPEN)
    cases = {
        "by_bureau": make_case(edition=edition, owner_unit=bureau, status=CaseStatus.IN_REVIEW),
        "by_city": make_case(edition=edition, owner_unit=city, status=CaseStatus.IN_REVIEW),
        "other_city_led": make_case(
            edition=edition,
            owner_unit=university,
            submitting_unit=university,
            lead_units=[other_city],
            status=CaseStatus.IN_REVIEW,
        ),
        "by_university": make_case(
            edition=edition, owner_unit=university, status=CaseStatus.IN_REVIEW
        ),
        # no submitting unit recorded (the column is NULL), led by an unrelated company
        "no_submitting": make_case(
            edition=edition,
            owner_unit=university,
            submitting_unit=None,
            lead_units=[make_unit(name="某科技公司")],
            status=CaseStatus.IN_REVIEW,
        ),
    }
    judges = {
        "at_province": make_judge(affiliation=province),
        "at_bureau": make_judge(affiliation=bureau),
        "at_other_city": make_judge(affiliation=other_city),
        "declared_city": make_judge(affiliation=make_unit(name="某研究院")),
        "recused": make_judge(),
    }
    Conflict.objects.create(
        judge=judges["declared_city"], unit=city, source=ConflictSource.DECLARED
    )
    Conflict.objects.create(
        judge=judges["recused"], case=cases["by_city"], source=ConflictSource.RECUSAL
    )
    for judge in judges.values():
        for case in cases.values():
            make_assignment(round=round_, case=case, judge=judge)
    names = {case.pk: name for name, case in cases.items()}

    found = conflict_map(
        cases=Case.objects.filter(pk__in=names),
        judges=Judge.objects.filter(pk__in=[j.pk for j in judges.values()]),
    )
    by_map = {
        name: {names[c] for c in names if not found.is_conflicted(case_id=c, judge_id=judge.pk)}
        for name, judge in judges.items()
    }
    by_workspace = {
        name: {
            names[c]
            for c in permissions.assignments_visible_to(judge.user).values_list(
                "case_id", flat=True
            )
        }
        for name, judge in judges.items()
    }

    expected = {
        # 省政府 is above every unit but 某大学 and 某科技公司
        "at_province": {"by_university", "no_submitting"},
        # 甲市公安局 is below 甲市政府 and is the bureau itself
        "at_bureau": {"other_city_led", "by_university", "no_submitting"},
        "at_other_city": {"by_bureau", "by_city", "by_university", "no_submitting"},
        # 甲市政府 (declared) is the city's unit and above the bureau's
        "declared_city": {"other_city_led", "by_university", "no_submitting"},
        "recused": {"by_bureau", "other_city_led", "by_university", "no_submitting"},
    }
    assert by_workspace == expected
    assert by_map == expected


@pytest.mark.parametrize("depth", [1, 6])
def test_case_page_query_count_does_not_grow_with_the_unit_tree(
    client, django_assert_num_queries, depth
):
    s = workspace_scenario.build()
    top = make_unit(name="顶层单位")
    parent = top
    for level in range(depth):
        parent = make_unit(name=f"第{level}层", parent=parent)
    set_affiliation(s.judge, parent)  # far below the top, unrelated to the case
    client.force_login(s.judge.user)

    # session, user with judge, unit tree, the assignment with round, case and review, its
    # lead units, media, attachments, criteria, chair? (9: the tree's depth adds nothing)
    with django_assert_num_queries(9):
        response = client.get(case_urls(s)["case-detail"])

    assert response.status_code == 200
