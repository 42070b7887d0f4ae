"""Tier proposals after a plenary vote: the confirmed vote count (`RoundEntry.voted_tier`)
decides which tier each case may take, whatever its rank in the last scoring round."""

import pytest
from django.urls import reverse

from cases.models import AuditEntry, CaseStatus, EditionStatus
from judging.models import (
    Award,
    EntryResult,
    RoundEntry,
    RoundKind,
    RoundStatus,
    VoteMode,
    VoteThreshold,
)
from judging.selectors.vote_tally import plenary_tally
from judging.services.advancement import advancement_confirm
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_organiser,
    make_round,
    make_round_entry,
    make_tier,
    make_vote,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser(client):
    user = make_organiser()
    client.force_login(user)
    return user


def plenary_edition(mode=VoteMode.TIER):
    """粤有数 style: one category, 最佳案例 (1 seat) > 优秀案例 (2 seats); a closed final scoring
    round ranks A 95 > B 90 > C 85 > D 80; a closed plenary of three members, each voting on
    every case; 最佳 needs at least 2/3 of the members present, other tiers more than half."""
    edition = make_edition(status=EditionStatus.DECIDING, title="2021年度")
    category = make_category(edition=edition, name="新技术治理")
    best = make_tier(edition=edition, name="最佳案例", order=1, quota=1)
    excellent = make_tier(edition=edition, name="优秀案例", order=2, quota=2)
    final = make_round(edition=edition, order=1, status=RoundStatus.CLOSED, name="专家评审")
    plenary = make_round(
        edition=edition,
        order=2,
        kind=RoundKind.VOTE,
        vote_mode=mode,
        status=RoundStatus.CLOSED,
        name="评审委员会全体会议",
    )
    VoteThreshold.objects.create(
        round=plenary, tier=best, numerator=2, denominator=3, inclusive=True
    )
    members = [make_judge(name=f"委员{i}") for i in range(3)]
    cases = {}
    for rank, (title, score) in enumerate([("A", 95), ("B", 90), ("C", 85), ("D", 80)], 1):
        case = make_case(
            edition=edition, category=category, status=CaseStatus.IN_REVIEW, title=title
        )
        make_round_entry(round=final, case=case, rank=rank, score=score)
        for member in members:
            make_assignment(round=plenary, case=case, judge=member)
        cases[title] = case
    return edition, plenary, (best, excellent), members, cases


def vote(plenary, case, members, choices):
    for member, choice in zip(members, choices, strict=True):
        if choice in ("in", "out", None):
            make_vote(round=plenary, case=case, judge=member, choice=choice or "out")
        else:
            make_vote(round=plenary, case=case, judge=member, tier=choice)


def tiers_awarded(edition):
    return {
        a.case.title: a.tier.name
        for a in Award.objects.filter(edition=edition).select_related("case", "tier")
    }


def test_plenary_vote_puts_a_case_above_its_score_rank(client, organiser):
    edition, plenary, (best, excellent), members, cases = plenary_edition()
    # 3 members present on every case.
    # A (rank 1): 最佳, 优秀, 优秀 → 最佳 1/3 < 2/3; 优秀 3/3 > 1/2 → 优秀
    # B (rank 2): 最佳 ×3 → 最佳 3/3 ≥ 2/3 → 最佳
    # C (rank 3): 优秀, 优秀, none → 优秀 2/3 > 1/2 → 优秀
    # D (rank 4): none ×3 → nothing
    vote(plenary, cases["A"], members, [best, excellent, excellent])
    vote(plenary, cases["B"], members, [best, best, best])
    vote(plenary, cases["C"], members, [excellent, excellent, None])
    vote(plenary, cases["D"], members, [None, None, None])
    advancement_confirm(round=plenary, by=organiser)
    url = reverse("admin:judging_award_propose", args=[edition.pk])

    page = client.get(url)

    # 最佳 (1 seat): only B passed 最佳, although A ranks first. 优秀 (2 seats): A and C, in
    # rank order. D passed nothing: eliminated in the plenary, so not a candidate at all.
    placed = {p.case.title: p.tier.name for p in page.context["proposal"].placements}
    assert placed == {"B": "最佳案例", "A": "优秀案例", "C": "优秀案例"}
    assert "评审委员会全体会议" in page.text

    confirmed = client.post(
        url,
        {"fingerprint": page.context["proposal"].input_fingerprint, "_confirm": "1"},
    )

    assert confirmed.status_code == 302
    assert tiers_awarded(edition) == {"B": "最佳案例", "A": "优秀案例", "C": "优秀案例"}
    assert AuditEntry.objects.filter(code="judging.award.confirmed").count() == 3


def test_plenary_tally_is_the_confirmed_voted_tier_of_each_entry():
    edition, plenary, (best, excellent), members, cases = plenary_edition()
    vote(plenary, cases["A"], members, [best, best, excellent])  # 最佳 2/3 ≥ 2/3
    vote(plenary, cases["B"], members, [excellent, None, None])  # 优秀 1/3, not > 1/2
    vote(plenary, cases["C"], members, [excellent, excellent, None])  # 优秀 2/3 > 1/2
    vote(plenary, cases["D"], members, [None, None, None])

    before = plenary_tally(edition)
    advancement_confirm(round=plenary, by=make_organiser())

    assert before is None  # not counted yet
    assert plenary_tally(edition) == {cases["A"].pk: best, cases["C"].pk: excellent}
    assert RoundEntry.objects.get(round=plenary, case=cases["A"]).voted_tier == best


def test_propose_page_refuses_until_the_vote_is_confirmed(client, organiser):
    edition, plenary, (best, _excellent), members, cases = plenary_edition()
    vote(plenary, cases["A"], members, [best, best, best])

    response = client.get(reverse("admin:judging_award_propose", args=[edition.pk]), follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:judging_award_workflow")
    assert "全体会议投票轮次“评审委员会全体会议”的投票结果尚未确认" in response.text
    assert not Award.objects.exists()


def test_in_out_plenary_lets_the_cases_that_went_through_take_any_tier(client, organiser):
    edition, plenary, _tiers, members, cases = plenary_edition(mode=VoteMode.IN_OUT)
    # More than half of the 3 present must vote in (no own threshold for in/out):
    # A in 1/3 → out; B in 3/3, C in 2/3, D in 2/3 → through.
    vote(plenary, cases["A"], members, ["in", "out", "out"])
    vote(plenary, cases["B"], members, ["in", "in", "in"])
    vote(plenary, cases["C"], members, ["in", "in", "out"])
    vote(plenary, cases["D"], members, ["out", "in", "in"])
    advancement_confirm(round=plenary, by=organiser)

    page = client.get(reverse("admin:judging_award_propose", args=[edition.pk]))

    # By rank among B, C, D: 最佳 (1) → B; 优秀 (2) → C, D. A ranks first but was voted out.
    placed = {p.case.title: p.tier.name for p in page.context["proposal"].placements}
    assert placed == {"B": "最佳案例", "C": "优秀案例", "D": "优秀案例"}
    assert RoundEntry.objects.get(round=plenary, case=cases["A"]).result == (EntryResult.ELIMINATED)


def test_decision_page_offers_no_proposal_while_the_plenary_count_is_unconfirmed(client, organiser):
    edition, plenary, (best, _excellent), members, cases = plenary_edition()
    vote(plenary, cases["A"], members, [best, best, best])
    propose = reverse("admin:judging_award_propose", args=[edition.pk])

    before = client.get(reverse("admin:judging_award_workflow"))
    advancement_confirm(round=plenary, by=organiser)
    after = client.get(reverse("admin:judging_award_workflow"))

    assert f'href="{propose}"' not in before.text
    assert f"暂不能提出奖项方案:{edition}" in before.text
    assert "全体会议投票轮次“评审委员会全体会议”的投票结果尚未确认" in before.text
    assert f'href="{propose}"' in after.text
    assert "暂不能提出奖项方案" not in after.text
