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
    VoteThreshold,
)
from judging.services.reviews import review_save
from judging.services.votes import vote_cast
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_judge,
    make_round,
    make_tier,
)
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


def test_tally_page_shows_the_official_count_with_raw_votes_as_detail(client):
    s, vote_round, (best, excellent), assignments = plenary(members=4)
    VoteThreshold.objects.create(
        round=vote_round, tier=best, numerator=2, denominator=3, inclusive=True
    )
    second_case = make_case(edition=s.edition, category=s.category, status=CaseStatus.IN_REVIEW)
    for a in assignments[:2]:
        make_assignment(round=vote_round, case=second_case, judge=a.judge)
    for a, tier in zip(assignments[:3], [best, best, excellent], strict=True):
        vote_cast(assignment=a, choice=VoteChoice.TIER, tier=tier, by=a.judge.user)
    # A member who votes and then is found in conflict no longer counts.
    Conflict.objects.create(judge=assignments[2].judge, case=s.case, source=ConflictSource.DETECTED)
    client.force_login(s.organiser)

    response = client.get(reverse("judging:vote-tally", args=[vote_round.pk]))

    rows = {row.case.pk: row for row in response.context["rows"]}
    first, second = rows[s.case.pk], rows[second_case.pk]
    # Present: members who voted in the round, 委员0–2; 委员2 is conflicted on the first case,
    # 委员3 cast no vote at all. First case: 2 present, both 最佳 → 最佳 2/2 ≥ 2/3, 优秀 2/2.
    assert (first.tally.present, first.conflicted, first.tally.ignored) == (2, 1, 1)
    assert first.official == [("最佳案例", 2, True), ("优秀案例", 2, True)]
    assert first.decided_tier == best
    assert first.raw == [("最佳案例", 2), ("优秀案例", 0), ("不授奖", 0)]
    # Second case: 委员0 and 委员1 are present (they voted on the first case), neither voted
    # here: 0 of 2 for every tier, two abstentions.
    assert (second.tally.present, second.tally.abstained, second.decided_tier) == (2, 2, None)
    assert second.official == [("最佳案例", 0, False), ("优秀案例", 0, False)]
    text = response.text
    assert "门槛 ≥ 2/3" in text and "门槛 &gt; 1/2" in text
    assert "2 / 2 <strong>达到</strong>" in text
    assert "0 / 2 未达到" in text
    assert "最佳案例 2 · 优秀案例 0 · 不授奖 0" in text
    assert "回避 1" in text


def test_tally_page_and_advancement_page_show_the_same_count(client):
    s, vote_round, (best, excellent), assignments = plenary(members=3)
    for a, tier in zip(assignments, [best, excellent, excellent], strict=True):
        vote_cast(assignment=a, choice=VoteChoice.TIER, tier=tier, by=a.judge.user)
    client.force_login(s.organiser)

    tally = client.get(reverse("judging:vote-tally", args=[vote_round.pk]))
    advancement = client.get(reverse("admin:judging_round_advancement", args=[vote_round.pk]))

    # 3 present: 最佳 1/3 (not > 1/2), 优秀 3/3 → 优秀 on both pages
    row = tally.context["rows"][0]
    proposal = advancement.context["plan"].proposals[0]
    assert row.decided_tier == proposal.vote.decided_tier == excellent
    assert row.tally == proposal.vote.tally


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
    # only 委员0 has voted so far: 1 present, 1 for 最佳 → 最佳 1/1 > 1/2
    assert "1 / 1 <strong>达到</strong>" in chair_page.text
    assert LEAD_UNIT not in chair_page.text
    assert LEAD_UNIT in organiser_page.text
    assert member_page.status_code == 404


def test_tally_page_for_chair_lists_only_the_panels_cases(client):
    s, vote_round, (best, _), assignments = plenary()
    other_category = make_category(edition=s.edition, name="社会治理创新")
    elsewhere = make_case(edition=s.edition, category=other_category, status=CaseStatus.IN_REVIEW)
    make_assignment(round=vote_round, case=elsewhere, judge=assignments[0].judge)
    client.force_login(s.chair.user)

    response = client.get(reverse("judging:vote-tally", args=[vote_round.pk]))

    assert [row.case.pk for row in response.context["rows"]] == [s.case.pk]


@pytest.mark.parametrize("rows", [1, 5])
def test_ballot_query_count_does_not_grow(client, django_assert_num_queries, rows):
    s, vote_round, _, assignments = plenary(members=1)
    voter = assignments[0].judge
    for _ in range(rows - 1):
        case = make_case(edition=s.edition, category=s.category, status=CaseStatus.IN_REVIEW)
        make_assignment(round=vote_round, case=case, judge=voter)
    client.force_login(voter.user)

    # 14 before the conflict rule followed the unit tree; the tree is one more query; the
    # judge is read with the user (16)
    with django_assert_num_queries(16):
        response = client.get(reverse("judging:vote-list", args=[vote_round.pk]))

    assert len(response.context["rows"]) == rows


@pytest.mark.parametrize("rows", [1, 5])
def test_tally_page_query_count_does_not_grow(client, django_assert_num_queries, rows):
    s, vote_round, (best, _), assignments = plenary(members=rows)
    for assignment in assignments:
        vote_cast(assignment=assignment, choice="tier", tier=best, by=assignment.judge.user)
    for _ in range(rows - 1):
        case = make_case(edition=s.edition, category=s.category, status=CaseStatus.IN_REVIEW)
        make_assignment(round=vote_round, case=case, judge=assignments[0].judge)
    client.force_login(s.organiser)

    # session, user, round; the count (entries, assigned cases, those cases without an
    # entry, tiers, thresholds, assignments, votes, five for the conflict rule); lead units
    with django_assert_num_queries(18):
        response = client.get(reverse("judging:vote-tally", args=[vote_round.pk]))

    rows_by_case = {row.case.pk: row for row in response.context["rows"]}
    assert len(rows_by_case) == rows
    assert rows_by_case[s.case.pk].tally.support[best.pk] == rows
