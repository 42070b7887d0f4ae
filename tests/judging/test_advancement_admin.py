from decimal import Decimal

import pytest
from django.urls import reverse

from cases.models import CaseStatus, EditionStatus
from judging.models import AdvancementRule, EntryResult, RoundEntry, RoundKind, RoundStatus
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
    make_vote,
)

pytestmark = pytest.mark.django_db

ONE_CRITERION = [("总分", 1, 100)]


@pytest.fixture
def setup():
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition, name="政府治理创新")
    round_ = make_round(
        edition=edition,
        criteria=ONE_CRITERION,
        status=RoundStatus.CLOSED,
        advancement_rule=AdvancementRule.TOP_N,
        advancement_value=Decimal("1"),
    )
    following = make_round(edition=edition, order=2, name="实地核实")
    cases = []
    for number, value in enumerate([90, 70], start=1):
        case = make_case(
            edition=edition,
            category=category,
            status=CaseStatus.IN_REVIEW,
            reference=f"2026-ZF-000{number}",
        )
        make_round_entry(round=round_, case=case)
        make_scored_review(round=round_, case=case, judge=make_judge(), values=[value])
        cases.append(case)
    return {
        "edition": edition,
        "category": category,
        "round": round_,
        "next": following,
        "cases": cases,
    }


def url(round_):
    return reverse("admin:judging_round_advancement", args=[round_.pk])


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def entry_url(round_, entry):
    return reverse("admin:judging_round_advancement_entry", args=[round_.pk, entry.pk])


def test_preview_shows_the_proposal(organiser_client, setup):
    response = organiser_client.get(url(setup["round"]))

    proposals = [(p.entry.case.reference, p.result) for p in response.context["page_obj"]]
    assert proposals == [
        ("2026-ZF-0001", EntryResult.ADVANCED),
        ("2026-ZF-0002", EntryResult.ELIMINATED),
    ]
    assert "第 1 名 / 每类前 1 名晋级" in response.text
    assert "确认后晋级案例进入“实地核实”" in response.text
    entry = RoundEntry.objects.get(round=setup["round"], case=setup["cases"][1])
    assert entry_url(setup["round"], entry) in response.text


def test_override_without_reason_is_shown_next_to_the_field_and_keeps_the_choice(
    organiser_client, setup
):
    entry = RoundEntry.objects.get(round=setup["round"], case=setup["cases"][1])

    response = organiser_client.post(
        entry_url(setup["round"], entry), {"result": "advanced", "reason": " "}
    )

    assert response.status_code == 200
    assert "调整必须填写理由。" in response.text
    assert 'aria-describedby="id_reason_error"' in response.text
    assert 'id="id_reason_error"' in response.text
    assert '<option value="advanced" selected>' in response.text
    entry.refresh_from_db()
    assert entry.override_reason == ""


def test_override_then_clear(organiser_client, setup):
    entry = RoundEntry.objects.get(round=setup["round"], case=setup["cases"][1])

    response = organiser_client.post(
        entry_url(setup["round"], entry),
        {"result": "advanced", "reason": "评审委员会全体会议决定增补"},
    )

    assert response.status_code == 302
    assert response.url == url(setup["round"])
    entry.refresh_from_db()
    assert (entry.result, entry.override_reason) == ("advanced", "评审委员会全体会议决定增补")
    page = organiser_client.get(url(setup["round"]))
    assert "人工调整:评审委员会全体会议决定增补" in page.text
    edit = organiser_client.get(entry_url(setup["round"], entry))
    assert "评审委员会全体会议决定增补</textarea>" in edit.text

    organiser_client.post(url(setup["round"]), {"action": "clear", "entry": entry.pk})

    entry.refresh_from_db()
    assert (entry.result, entry.override_reason) == ("pending", "")


def test_override_after_confirmation_is_refused_on_the_form(organiser_client, setup):
    entry = RoundEntry.objects.get(round=setup["round"], case=setup["cases"][1])
    organiser_client.post(url(setup["round"]), {"action": "confirm"})

    page = organiser_client.get(entry_url(setup["round"], entry))
    response = organiser_client.post(
        entry_url(setup["round"], entry), {"result": "advanced", "reason": "迟到的异议"}
    )

    assert "晋级结果已确认,不能再调整。" in page.text
    assert "该轮次的晋级结果已经确认,不能再调整。" in response.text
    entry.refresh_from_db()
    assert entry.override_reason == ""


def test_confirm_fills_the_next_round(organiser_client, setup):
    response = organiser_client.post(url(setup["round"]), {"action": "confirm"})

    assert response.status_code == 302
    assert list(
        RoundEntry.objects.filter(round=setup["next"]).values_list("case_id", flat=True)
    ) == [setup["cases"][0].pk]
    page = organiser_client.get(response.url)
    assert "晋级结果已确认:1 个晋级,1 个未晋级。" in page.text
    assert "调整 2026-ZF-0002" not in page.text


def test_confirm_of_an_open_round_shows_the_refusal(organiser_client, setup):
    setup["round"].status = RoundStatus.OPEN
    setup["round"].save()

    response = organiser_client.post(url(setup["round"]), {"action": "confirm"}, follow=True)

    assert "轮次结束后才能确认晋级结果。" in response.text
    assert not RoundEntry.objects.filter(round=setup["next"]).exists()


def test_entry_of_another_round_is_404(organiser_client, setup):
    other = make_round_entry(round=setup["next"], case=setup["cases"][0])

    page = organiser_client.get(entry_url(setup["round"], other))
    clear = organiser_client.post(url(setup["round"]), {"action": "clear", "entry": other.pk})
    junk = organiser_client.post(url(setup["round"]), {"action": "clear", "entry": "x"})

    assert (page.status_code, clear.status_code, junk.status_code) == (404, 404, 404)


def test_staff_with_view_permission_cannot_adjust(client, setup):
    from django.contrib.auth.models import Permission

    from tests.factories import make_user

    viewer = make_user(is_staff=True, is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_roundentry"))
    client.force_login(viewer)
    entry = RoundEntry.objects.get(round=setup["round"], case=setup["cases"][1])

    page = client.get(entry_url(setup["round"], entry))
    response = client.post(entry_url(setup["round"], entry), {"result": "advanced", "reason": "x"})
    confirm = client.post(url(setup["round"]), {"action": "confirm"})

    assert page.status_code == 200
    assert "保存调整" not in page.text
    assert (response.status_code, confirm.status_code) == (404, 404)
    assert not RoundEntry.objects.filter(decided_at__isnull=False).exists()


def test_rule_that_does_not_fit_is_explained(organiser_client, setup):
    setup["round"].advancement_rule = AdvancementRule.TOP_PERCENT
    setup["round"].advancement_value = None
    setup["round"].save()

    response = organiser_client.get(url(setup["round"]))

    assert "该晋级规则需要填写晋级参数" in response.text


def test_vote_round_page_shows_the_count(organiser_client, setup):
    best = make_tier(edition=setup["edition"], name="最佳案例", order=1)
    judges = [make_judge() for _ in range(2)]
    vote_round = make_round(
        edition=setup["edition"], order=3, kind=RoundKind.VOTE, status=RoundStatus.CLOSED
    )
    case = setup["cases"][0]
    make_round_entry(round=vote_round, case=case)
    for judge in judges:
        make_assignment(round=vote_round, case=case, judge=judge)
    make_vote(round=vote_round, case=case, judge=judges[0], tier=best)
    make_vote(round=vote_round, case=case, judge=judges[1], tier=best)

    response = organiser_client.get(url(vote_round))

    # 2 of 2 present > 1/2
    assert "最佳案例" in response.text
    assert "门槛 &gt; 1/2" in response.text
    assert "2(1.0000) ✓" in response.text
    assert "达到“最佳案例”的通过门槛" in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_advancement_page_query_count_does_not_grow_with_cases(
    organiser_client, setup, django_assert_num_queries, rows
):
    for number in range(rows):
        case = make_case(
            edition=setup["edition"], category=setup["category"], reference=f"2026-ZF-1{number:03d}"
        )
        make_round_entry(round=setup["round"], case=case)
        make_scored_review(round=setup["round"], case=case, judge=make_judge(), values=[50])

    # session, user, round, entries, criteria, scores, next round
    with django_assert_num_queries(9):
        organiser_client.get(url(setup["round"]))


@pytest.mark.parametrize("rows", [1, 5])
def test_vote_advancement_page_query_count_does_not_grow_with_cases(
    organiser_client, setup, django_assert_num_queries, rows
):
    best = make_tier(edition=setup["edition"], name="最佳案例", order=1)
    judges = [make_judge() for _ in range(3)]
    vote_round = make_round(
        edition=setup["edition"], order=3, kind=RoundKind.VOTE, status=RoundStatus.CLOSED
    )
    for number in range(rows):
        case = make_case(
            edition=setup["edition"], category=setup["category"], reference=f"2026-ZF-2{number:03d}"
        )
        make_round_entry(round=vote_round, case=case)
        for judge in judges:
            make_assignment(round=vote_round, case=case, judge=judge)
            make_vote(round=vote_round, case=case, judge=judge, tier=best)

    # session, user, round, vote count (11), next round
    with django_assert_num_queries(17):
        organiser_client.get(url(vote_round))


def test_assigned_cases_without_entry_can_be_added_from_the_page(organiser_client, setup):
    verification = make_round(
        edition=setup["edition"],
        order=4,
        kind=RoundKind.VERIFICATION,
        status=RoundStatus.CLOSED,
        advancement_rule=AdvancementRule.NONE,
    )
    case = setup["cases"][0]
    make_assignment(round=verification, case=case, judge=make_judge())

    page = organiser_client.get(url(verification))
    response = organiser_client.post(url(verification), {"action": "add_assigned"})

    assert "有 1 个案例已在本轮分配了专家,但还没有加入本轮" in page.text
    assert "调整 2026-ZF-0001" not in page.text
    assert response.status_code == 302
    entry = RoundEntry.objects.get(round=verification, case=case)
    assert "调整 2026-ZF-0001" in organiser_client.get(url(verification)).text
    assert entry.result == EntryResult.PENDING
