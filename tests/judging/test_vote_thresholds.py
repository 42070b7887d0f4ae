"""Plenary vote thresholds: who counts as present, conflicts, cumulative tiers (hand counts)."""

from fractions import Fraction

import pytest
from django.db import IntegrityError
from django.urls import reverse

from cases.models import CaseStatus, EditionStatus
from judging.models import RoundKind, RoundStatus, VoteMode, VoteThreshold
from judging.selectors.vote_tally import vote_count
from judging.tabulation_votes import MAJORITY, Threshold, tally_case_votes
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_conflict,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_tier,
    make_unit,
    make_vote,
)

TWO_THIRDS = Threshold(2, 3, inclusive=True)
TIERS = ["best", "excellent", "nomination"]


def count(eligible, votes, thresholds=None):
    return tally_case_votes(
        tiers=TIERS, eligible=set(eligible), votes=votes, thresholds=thresholds or {}
    )


# --- the pure count --------------------------------------------------------------------------
def test_two_thirds_is_reached_at_exactly_two_thirds():
    # 6 of 9 for 最佳: 6/9 = 2/3 ≥ 2/3
    votes = dict.fromkeys(range(6), "best") | {6: "excellent", 7: None, 8: None}

    result = count(range(9), votes, {"best": TWO_THIRDS})

    assert result.support["best"] == 6
    assert result.share("best") == Fraction(2, 3)
    assert result.decided == "best"


def test_below_two_thirds_falls_to_the_next_tier_with_cumulative_support():
    # 5 of 9 for 最佳 (5/9 < 2/3); 优秀 gets 5 + 2 = 7 of 9 > 1/2
    votes = dict.fromkeys(range(5), "best") | {5: "excellent", 6: "excellent", 7: None, 8: None}

    result = count(range(9), votes, {"best": TWO_THIRDS})

    assert result.support == {"best": 5, "excellent": 7, "nomination": 7}
    assert result.reached == ("excellent", "nomination")
    assert result.decided == "excellent"


def test_cumulative_support_can_lift_a_lower_tier_over_its_threshold():
    # 3 best, 3 excellent, 3 nomination of 9, all tiers at 2/3:
    # best 3/9 no; excellent 3 + 3 = 6/9 = 2/3 yes; nomination 9/9 yes
    votes = {0: "best", 1: "best", 2: "best", 3: "excellent", 4: "excellent", 5: "excellent"}
    votes |= {6: "nomination", 7: "nomination", 8: "nomination"}

    result = count(range(9), votes, dict.fromkeys(TIERS, TWO_THIRDS))

    assert result.decided == "excellent"


def test_majority_means_more_than_half():
    # default threshold: 4 of 8 is not more than half, 5 of 8 is
    four = dict.fromkeys(range(4), "nomination")
    five = dict.fromkeys(range(5), "nomination")

    assert count(range(8), four).decided is None
    assert count(range(8), five).decided == "nomination"
    assert MAJORITY.met(4, 8) is False
    assert Threshold(1, 2, inclusive=True).met(4, 8) is True


def test_present_member_without_a_vote_counts_as_abstention():
    # 4 votes for 最佳: of 6 present that is 2/3 (reached), of 7 present 4/7 < 2/3
    votes = dict.fromkeys(range(4), "best")

    assert count(range(6), votes, {"best": TWO_THIRDS}).decided == "best"
    assert count(range(7), votes, {"best": TWO_THIRDS}).decided == "excellent"


def test_votes_of_judges_not_eligible_are_ignored():
    # judges 7 and 8 are conflicted (not eligible): only 3 of the 5 eligible vote 最佳 → 3/5
    votes = {0: "best", 1: "best", 2: "best", 7: "best", 8: "best"}

    result = count(range(5), votes, {"best": TWO_THIRDS})

    assert result.ignored == 2
    assert result.present == 5
    assert result.support["best"] == 3
    assert result.decided == "excellent"  # 3/5 > 1/2


def test_nobody_present_reaches_nothing():
    result = count([], {1: "best"})

    assert (result.present, result.decided, result.ignored) == (0, None, 1)


# --- the round count from the database ------------------------------------------------------
@pytest.fixture
def plenary(db):
    """Edition with tiers 最佳 > 优秀 > 提名 and a closed vote round of 7 members j[0]…j[6]
    (each case of the round is assigned to all of them); 最佳 needs at least 2/3 of the
    members present, other tiers more than half."""
    edition = make_edition(status=EditionStatus.DECIDING)
    zf = make_category(edition=edition, code="ZF")
    best = make_tier(edition=edition, name="最佳案例", order=1)
    excellent = make_tier(edition=edition, name="优秀案例", order=2)
    nomination = make_tier(edition=edition, name="提名奖", order=3)
    judges = [make_judge() for _ in range(7)]
    round_ = make_round(edition=edition, order=3, kind=RoundKind.VOTE, status=RoundStatus.CLOSED)
    VoteThreshold.objects.create(
        round=round_, tier=best, numerator=2, denominator=3, inclusive=True
    )
    return {
        "edition": edition,
        "zf": zf,
        "tiers": (best, excellent, nomination),
        "judges": judges,
        "round": round_,
    }


def entered_case(plenary, members=None, entry=True, **fields):
    case = make_case(
        edition=plenary["edition"],
        category=fields.pop("category", plenary["zf"]),
        status=CaseStatus.IN_REVIEW,
        **fields,
    )
    if entry:
        make_round_entry(round=plenary["round"], case=case)
    for judge in plenary["judges"] if members is None else members:
        make_assignment(round=plenary["round"], case=case, judge=judge)
    return case


def row_for(result, case):
    return next(r for r in result.rows if r.entry.case_id == case.pk)


@pytest.mark.django_db
def test_vote_count_top_tier_with_two_thirds_of_members_present(plenary):
    best, excellent, _nomination = plenary["tiers"]
    j = plenary["judges"]
    case = entered_case(plenary)
    # 5 最佳, 1 优秀, 1 不授奖 of 7 present: 最佳 5/7 ≥ 2/3
    for judge in j[:5]:
        make_vote(round=plenary["round"], case=case, judge=judge, tier=best)
    make_vote(round=plenary["round"], case=case, judge=j[5], tier=excellent)
    make_vote(round=plenary["round"], case=case, judge=j[6])

    row = row_for(vote_count(plenary["round"]), case)

    assert row.tally.present == 7
    assert row.tally.support[best.pk] == 5
    assert row.tally.support[excellent.pk] == 6
    assert row.decided_tier == best


@pytest.mark.django_db
def test_vote_count_excludes_conflicted_members_from_both_counts(plenary):
    best, excellent, _nomination = plenary["tiers"]
    j = plenary["judges"]
    city = make_unit(name="汕头市委")
    district = make_unit(name="濠江区委", parent=city)
    other = entered_case(plenary)
    case = entered_case(plenary, owner_unit=district)
    make_conflict(judge=j[0], unit=city)  # declared conflict with the unit above the owner
    make_conflict(judge=j[1], case=case)  # recusal from this case
    j[2].affiliation = district  # works for the owner unit
    j[2].save()
    # everyone attends (votes on the other case); on this case j0–j4 vote 最佳, j5 优秀,
    # j6 does not vote. Eligible: j3, j4, j5, j6 → 最佳 2/4 < 2/3; 优秀 3/4 > 1/2.
    for judge in j:
        make_vote(round=plenary["round"], case=other, judge=judge)
    for judge in j[:5]:
        make_vote(round=plenary["round"], case=case, judge=judge, tier=best)
    make_vote(round=plenary["round"], case=case, judge=j[5], tier=excellent)

    row = row_for(vote_count(plenary["round"]), case)

    assert row.conflicted == 3
    assert row.tally.present == 4
    assert row.tally.ignored == 3
    assert row.tally.support[best.pk] == 2
    assert row.decided_tier == excellent
    # the conflicts are about this case only: the other case still counts all 7
    assert row_for(vote_count(plenary["round"]), other).tally.present == 7


@pytest.mark.django_db
def test_vote_count_members_absent_from_the_meeting_do_not_count(plenary):
    best, _excellent, _nomination = plenary["tiers"]
    j = plenary["judges"]
    case = entered_case(plenary)
    # only j0–j2 attend (cast any vote in the round): 2 最佳 of 3 present = 2/3
    make_vote(round=plenary["round"], case=case, judge=j[0], tier=best)
    make_vote(round=plenary["round"], case=case, judge=j[1], tier=best)
    make_vote(round=plenary["round"], case=case, judge=j[2])

    row = row_for(vote_count(plenary["round"]), case)

    assert row.tally.present == 3
    assert row.decided_tier == best


@pytest.mark.django_db
def test_vote_count_ignores_judges_not_assigned_to_the_case(plenary):
    best, _excellent, _nomination = plenary["tiers"]
    j = plenary["judges"]
    case = entered_case(plenary, members=[j[0], j[1]])
    outsider = make_judge()
    # j0 votes 最佳, j1 votes nothing but attends (votes elsewhere), the outsider's vote on
    # this case does not count: 最佳 1 of 2 present = 1/2 < 2/3; 优秀 1/2 is not > 1/2
    elsewhere = entered_case(plenary)
    make_vote(round=plenary["round"], case=case, judge=j[0], tier=best)
    make_vote(round=plenary["round"], case=elsewhere, judge=j[1])
    make_vote(round=plenary["round"], case=case, judge=outsider, tier=best)

    row = row_for(vote_count(plenary["round"]), case)

    assert (row.tally.present, row.tally.ignored, row.decided_tier) == (2, 1, None)


@pytest.mark.django_db
def test_vote_count_in_out_mode_uses_the_default_threshold(plenary):
    round_ = plenary["round"]
    round_.vote_mode = VoteMode.IN_OUT
    round_.save()
    VoteThreshold.objects.create(round=round_, numerator=2, denominator=3, inclusive=True)
    j = plenary["judges"][:6]
    passed = entered_case(plenary, members=j)
    failed = entered_case(plenary, members=j)
    # passed: 4 in of 6 = 2/3; failed: 3 in of 6 = 1/2 < 2/3
    for index, judge in enumerate(j):
        make_vote(round=round_, case=passed, judge=judge, choice="in" if index < 4 else "out")
        make_vote(round=round_, case=failed, judge=judge, choice="in" if index < 3 else "out")

    result = vote_count(round_)

    assert row_for(result, passed).passed is True
    assert row_for(result, failed).passed is False
    assert row_for(result, failed).tally.support == {"in": 3}


@pytest.mark.django_db
def test_vote_threshold_must_be_a_proper_fraction(plenary):
    with pytest.raises(IntegrityError):
        VoteThreshold.objects.create(round=plenary["round"], numerator=3, denominator=2)


@pytest.mark.django_db
@pytest.mark.parametrize("rows", [1, 5])
def test_vote_count_query_count_does_not_grow_with_cases(plenary, django_assert_num_queries, rows):
    best = plenary["tiers"][0]
    unit = make_unit()
    for _ in range(rows):
        case = entered_case(plenary, owner_unit=unit)
        for judge in plenary["judges"]:
            make_vote(round=plenary["round"], case=case, judge=judge, tier=best)
    make_conflict(judge=plenary["judges"][0], unit=unit)

    # entries, assigned cases, tiers, thresholds, assignments, eligible assignments, votes,
    # lead units, units, conflicts, affiliations
    with django_assert_num_queries(11):
        vote_count(plenary["round"])


@pytest.mark.django_db
def test_threshold_admin_refuses_a_tier_of_another_edition(client, plenary):
    foreign = make_tier(edition=make_edition(), name="别届奖项")
    client.force_login(make_organiser())

    response = client.post(
        reverse("admin:judging_votethreshold_add"),
        {
            "round": plenary["round"].pk,
            "tier": foreign.pk,
            "numerator": 2,
            "denominator": 3,
            "inclusive": "on",
        },
    )

    assert response.status_code == 200
    assert "该奖项不属于这一轮次所在的届。" in response.text
    assert VoteThreshold.objects.filter(round=plenary["round"]).count() == 1


@pytest.mark.django_db
def test_threshold_admin_saves_two_thirds_for_a_tier(client, plenary):
    excellent = plenary["tiers"][1]
    client.force_login(make_organiser())

    response = client.post(
        reverse("admin:judging_votethreshold_add"),
        {
            "round": plenary["round"].pk,
            "tier": excellent.pk,
            "numerator": 2,
            "denominator": 3,
            "inclusive": "on",
        },
    )

    assert response.status_code == 302
    saved = VoteThreshold.objects.get(round=plenary["round"], tier=excellent)
    assert (saved.numerator, saved.denominator, saved.inclusive) == (2, 3, True)
    assert str(saved) == "优秀案例: ≥ 2/3"


@pytest.mark.django_db
def test_vote_count_includes_assigned_cases_without_an_entry(plenary):
    best = plenary["tiers"][0]
    j = plenary["judges"]
    case = entered_case(plenary, members=j[:3], entry=False)
    for judge in j[:3]:
        make_vote(round=plenary["round"], case=case, judge=judge, tier=best)

    row = row_for(vote_count(plenary["round"]), case)

    # 3 of 3 present ≥ 2/3; the entry is not saved yet (confirming the round adds it)
    assert (row.entry.pk, row.tally.present, row.decided_tier) == (None, 3, best)
