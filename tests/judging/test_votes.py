"""The plenary vote: ballots, conflicts, the tally and who sees it."""

from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import AuditEntry, CaseStatus
from cases.services import DomainError
from judging.models import (
    AssignmentStatus,
    Conflict,
    ConflictSource,
    RoundKind,
    RoundStatus,
    Vote,
    VoteChoice,
    VoteMode,
)
from judging.selectors.votes import vote_tally
from judging.services.reviews import review_save
from judging.services.votes import vote_cast
from tests.factories import make_assignment, make_case, make_judge, make_round, make_tier
from tests.judging import workspace_scenario
from tests.judging.workspace_scenario import LEAD_UNIT

pytestmark = pytest.mark.django_db


def plenary(*, mode=VoteMode.TIER, members=3, blind=False):
    """A scoring round (order 1) and a plenary vote round (order 2) on the scenario's case,
    with `members` committee members assigned to vote on it."""
    s = workspace_scenario.build()
    vote_round = make_round(
        edition=s.edition,
        order=2,
        kind=RoundKind.VOTE,
        status=RoundStatus.OPEN,
        vote_mode=mode,
        blind=blind,
        name="评审委员会全体会议",
    )
    best = make_tier(edition=s.edition, name="最佳案例", order=1)
    excellent = make_tier(edition=s.edition, name="优秀案例", order=2)
    voters = [make_judge(name=f"委员{i}") for i in range(members)]
    assignments = [make_assignment(round=vote_round, case=s.case, judge=j) for j in voters]
    return s, vote_round, (best, excellent), assignments


def test_vote_cast_records_tier_and_audits_change():
    s, vote_round, (best, excellent), assignments = plenary()
    voter = assignments[0]

    vote_cast(assignment=voter, choice=VoteChoice.TIER, tier=best, by=voter.judge.user)
    vote = vote_cast(assignment=voter, choice=VoteChoice.TIER, tier=excellent, by=voter.judge.user)

    assert Vote.objects.get() == vote
    assert vote.tier == excellent
    voter.refresh_from_db()
    assert voter.status == AssignmentStatus.SUBMITTED
    first, second = AuditEntry.objects.filter(code="judging.vote.cast").order_by("pk")
    assert first.data["old"] is None
    assert first.data["new"] == {"choice": "tier", "tier": "最佳案例"}
    assert second.data["old"] == {"choice": "tier", "tier": "最佳案例"}
    assert second.data["new"] == {"choice": "tier", "tier": "优秀案例"}


def test_vote_in_out_mode_refuses_a_tier():
    s, vote_round, (best, _), assignments = plenary(mode=VoteMode.IN_OUT)
    voter = assignments[0]

    with pytest.raises(DomainError):
        vote_cast(assignment=voter, choice=VoteChoice.TIER, tier=best, by=voter.judge.user)

    vote = vote_cast(assignment=voter, choice=VoteChoice.IN, by=voter.judge.user)
    assert vote.choice == VoteChoice.IN and vote.tier is None


def test_vote_tier_of_another_edition_is_refused():
    s, vote_round, _, assignments = plenary()
    other = workspace_scenario.build()
    foreign = make_tier(edition=other.edition, name="外届奖项")

    with pytest.raises(DomainError):
        vote_cast(
            assignment=assignments[0],
            choice=VoteChoice.TIER,
            tier=foreign,
            by=assignments[0].judge.user,
        )


def test_conflicted_member_cannot_vote():
    s, vote_round, (best, _), assignments = plenary()
    voter = assignments[0]
    Conflict.objects.create(judge=voter.judge, case=s.case, source=ConflictSource.DECLARED)

    with pytest.raises(DomainError):
        vote_cast(assignment=voter, choice=VoteChoice.TIER, tier=best, by=voter.judge.user)

    assert not Vote.objects.exists()


def test_vote_refused_when_round_closed():
    s, vote_round, (best, _), assignments = plenary()
    vote_round.status = RoundStatus.CLOSED
    vote_round.save()

    with pytest.raises(DomainError):
        vote_cast(
            assignment=assignments[0],
            choice=VoteChoice.TIER,
            tier=best,
            by=assignments[0].judge.user,
        )


def test_vote_tally_counts_per_choice_and_eligible_voters(django_assert_num_queries):
    s, vote_round, (best, excellent), assignments = plenary(members=4)
    second_case = make_case(edition=s.edition, category=s.category, status=CaseStatus.IN_REVIEW)
    for a in assignments[:2]:
        make_assignment(round=vote_round, case=second_case, judge=a.judge)
    for a, tier in zip(assignments[:3], [best, best, excellent], strict=True):
        vote_cast(assignment=a, choice=VoteChoice.TIER, tier=tier, by=a.judge.user)
    # A member who votes and then is found in conflict no longer counts.
    Conflict.objects.create(judge=assignments[2].judge, case=s.case, source=ConflictSource.DETECTED)

    with django_assert_num_queries(4):
        rows = {row.case.pk: row for row in vote_tally(vote_round)}

    first = rows[s.case.pk]
    assert first.eligible == 3  # 4 assigned, 1 in conflict
    assert first.count(f"tier:{best.pk}") == 2
    assert first.count(f"tier:{excellent.pk}") == 0
    assert first.cast == 2
    assert rows[second_case.pk].eligible == 2
    assert rows[second_case.pk].cast == 0


def test_ballot_shows_previous_round_scores(client):
    s, vote_round, _, assignments = plenary()
    criteria = list(s.round.criteria.all())
    # Two reviews in round 1: all 8s → 80, all 9s → 90; mean 85.
    review_save(
        assignment=s.assignment,
        values={c.pk: "8" for c in criteria},
        comment="",
        submit=True,
        expected_version=0,
        by=s.judge.user,
    )
    colleague = make_assignment(round=s.round, case=s.case, judge=make_judge())
    review_save(
        assignment=colleague,
        values={c.pk: "9" for c in criteria},
        comment="",
        submit=True,
        expected_version=0,
        by=colleague.judge.user,
    )
    client.force_login(assignments[0].judge.user)

    response = client.get(reverse("judging:vote-list", args=[vote_round.pk]))

    row = response.context["rows"][0]
    assert row.summary["n"] == 2
    assert Decimal(row.summary["mean"]).quantize(Decimal("0.01")) == Decimal("85.00")
    assert "平均 85.00(2 份评分,80.00–90.00)" in response.text


def test_ballot_vote_through_the_page(client):
    s, vote_round, (best, _), assignments = plenary()
    client.force_login(assignments[0].judge.user)
    url = reverse("judging:vote-list", args=[vote_round.pk])

    response = client.post(url, {"case": s.case.pk, "choice": f"tier:{best.pk}"})
    empty = client.post(url, {"case": s.case.pk, "choice": ""})

    assert response.status_code == 302
    assert Vote.objects.get().tier == best
    assert empty.status_code == 400
    assert Vote.objects.get().tier == best


def test_ballot_post_for_a_case_not_assigned_is_404(client):
    s, vote_round, (best, _), assignments = plenary()
    other = make_case(edition=s.edition, category=s.category, status=CaseStatus.IN_REVIEW)
    client.force_login(assignments[0].judge.user)

    response = client.post(
        reverse("judging:vote-list", args=[vote_round.pk]),
        {"case": other.pk, "choice": f"tier:{best.pk}"},
    )

    assert response.status_code == 404
    assert not Vote.objects.exists()


def test_tally_page_for_chair_hides_units_in_blind_round_organiser_sees_them(client):
    s, vote_round, (best, _), assignments = plenary(blind=True)
    vote_cast(assignment=assignments[0], choice="tier", tier=best, by=assignments[0].judge.user)
    url = reverse("judging:vote-tally", args=[vote_round.pk])

    client.force_login(s.chair.user)
    chair_page = client.get(url)
    client.force_login(s.organiser)
    organiser_page = client.get(url)
    client.force_login(assignments[1].judge.user)
    member_page = client.get(url)

    assert chair_page.status_code == 200
    assert "1 / 3" in chair_page.text
    assert LEAD_UNIT not in chair_page.text
    assert LEAD_UNIT in organiser_page.text
    assert member_page.status_code == 404


@pytest.mark.parametrize("rows", [1, 5])
def test_ballot_query_count_does_not_grow(client, django_assert_num_queries, rows):
    s, vote_round, _, assignments = plenary(members=1)
    voter = assignments[0].judge
    for _ in range(rows - 1):
        case = make_case(edition=s.edition, category=s.category, status=CaseStatus.IN_REVIEW)
        make_assignment(round=vote_round, case=case, judge=voter)
    client.force_login(voter.user)

    with django_assert_num_queries(14):
        response = client.get(reverse("judging:vote-list", args=[vote_round.pk]))

    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_tally_page_query_count_does_not_grow(client, django_assert_num_queries, rows):
    s, vote_round, _, assignments = plenary(members=rows)
    client.force_login(s.organiser)

    with django_assert_num_queries(8):
        response = client.get(reverse("judging:vote-tally", args=[vote_round.pk]))

    assert response.context["rows"][0].eligible == rows
