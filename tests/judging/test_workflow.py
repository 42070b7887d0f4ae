"""The edition's workflow page (issue 13): the steps of DESIGN.md §3 in order, each done /
current / blocked / to come, the services' reasons for a blocked step and the one action of
the current step; the transition service behind its buttons; who may see and use it; a
bounded number of queries; the pages it links to return to it through a same-site ?next=."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, EditionStatus
from cases.roles import OBSERVER, REVIEW_SECRETARY
from cases.services import DomainError
from judging.models import (
    AdvancementRule,
    EntryResult,
    Objection,
    RoundKind,
    RoundStatus,
)
from judging.selectors.workflow import BLOCKED, CURRENT, DONE, TODO, edition_workflow
from judging.services.workflow import workflow_transition
from tests.factories import (
    make_assignment,
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_round,
    make_round_entry,
    make_staff_without_permissions,
    make_tier,
    make_unit,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("创新性", 50, 100), ("实效性", 50, 100)]


def steps_of(edition):
    return {step.key: step for step in edition_workflow(edition)}


def states(edition):
    return [(step.key, step.state) for step in edition_workflow(edition)]


def in_group(name):
    user = make_staff_without_permissions()
    user.groups.add(Group.objects.get(name=name))
    return user


def reviewing_edition(*, cases=2, rounds=1, judges=2, assigned=True):
    """An edition under review with `rounds` scoring rounds (top 1 advances) and `cases`
    accepted cases in the first, each assigned to `judges` judges when `assigned`."""
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition)
    make_tier(edition=edition, name="最佳案例", order=1, quota=1)
    panel_judges = [make_judge() for _ in range(judges)]
    make_panel(edition=edition, categories=[category], judges=panel_judges)
    made = [
        make_round(
            edition=edition,
            order=order,
            name=f"第{order}轮",
            criteria=CRITERIA,
            reviews_per_case=judges,
            advancement_rule=AdvancementRule.TOP_N,
            advancement_value=1,
        )
        for order in range(1, rounds + 1)
    ]
    for _ in range(cases):
        case = make_case(edition=edition, category=category, status=CaseStatus.ACCEPTED)
        make_round_entry(round=made[0], case=case)
        if assigned:
            for judge in panel_judges:
                make_assignment(round=made[0], case=case, judge=judge)
    return edition, made


# --- the steps and their states ------------------------------------------------------------
def test_a_draft_edition_without_categories_is_blocked_at_its_first_step():
    edition = make_edition(status=EditionStatus.DRAFT)

    steps = steps_of(edition)

    setup = steps["setup"]
    assert setup.state == BLOCKED
    assert "本届还没有设置类别。" in setup.reasons
    assert "本届还没有设置截止时间。" in setup.reasons
    assert setup.action.url == reverse("admin:cases_edition_change", args=[edition.pk])
    # Every later step is still to come, none pretends to be current.
    assert {s.state for key, s in steps.items() if key != "setup"} == {TODO}


def test_a_ready_draft_offers_to_open_the_call():
    edition = make_edition(
        status=EditionStatus.DRAFT, closes_at=timezone.now() + timedelta(days=30)
    )
    make_category(edition=edition)

    setup = steps_of(edition)["setup"]

    assert (setup.state, setup.reasons) == (CURRENT, [])
    assert setup.action.post and setup.action.fields == {"to": "open"}
    assert setup.action.label == "开始征集"


def test_the_call_is_blocked_until_its_deadline():
    edition = make_edition(status=EditionStatus.OPEN)  # closes in ten days

    call = steps_of(edition)["call"]

    assert states(edition)[0] == ("setup", DONE)
    assert call.state == BLOCKED
    assert re.search("征集截止时间(.*)未到", call.reasons[0])


def test_screening_is_blocked_while_cases_wait_and_links_to_them():
    edition = make_edition(status=EditionStatus.SCREENING)
    make_case(edition=edition, status=CaseStatus.SUBMITTED)

    screening = steps_of(edition)["screening"]

    assert screening.state == BLOCKED
    assert "还有 1 件案例未完成资格审查(已提交或退回修改中)。" in screening.reasons
    assert screening.action.url.startswith(reverse("admin:judging_screeningcase_changelist"))
    assert f"edition__id__exact={edition.pk}" in screening.action.url


def test_a_round_short_of_judges_is_blocked_with_the_cases_named_and_offers_auto_assignment():
    edition, (first,) = reviewing_edition(assigned=False)

    step = steps_of(edition)[f"round-{first.pk}"]

    assert step.state == BLOCKED
    assert any("分配的专家不足 2 人" in reason for reason in step.reasons)
    assert step.action.post
    assert step.action.url == reverse("admin:judging_round_assign", args=[first.pk])
    assert step.action.fields["next"] == reverse("admin:cases_edition_workflow", args=[edition.pk])


def test_a_scoring_round_without_criteria_links_to_its_page():
    edition, (first,) = reviewing_edition()
    first.criteria.all().delete()

    step = steps_of(edition)[f"round-{first.pk}"]

    assert step.state == BLOCKED
    assert "评分轮次“第1轮”还没有评分指标。" in step.reasons
    assert step.action.url == reverse("admin:judging_round_change", args=[first.pk])


def test_a_ready_round_is_current_with_its_open_button_and_the_next_round_waits():
    edition, (first, second) = reviewing_edition(rounds=2)

    steps = steps_of(edition)

    assert steps[f"round-{first.pk}"].state == CURRENT
    assert steps[f"round-{first.pk}"].action.url == reverse(
        "admin:judging_round_open", args=[first.pk]
    )
    assert steps[f"round-{second.pk}"].state == TODO
    assert steps["deciding"].state == TODO


def test_an_open_round_links_to_its_close_confirmation_with_what_is_missing():
    edition, (first,) = reviewing_edition()
    first.status = RoundStatus.OPEN
    first.save()

    step = steps_of(edition)[f"round-{first.pk}"]

    assert step.state == CURRENT
    assert step.notes == ["2 位专家尚未提交全部评审。"]
    assert step.action.url.startswith(reverse("admin:judging_round_close", args=[first.pk]))
    assert "next=" in step.action.url


def test_a_closed_round_waits_for_its_advancement_then_is_done():
    edition, (first,) = reviewing_edition()
    first.status = RoundStatus.CLOSED
    first.save()

    step = steps_of(edition)[f"round-{first.pk}"]
    assert (step.state, step.action.label) == (CURRENT, "确认晋级结果:第1轮")
    assert step.action.url.startswith(reverse("admin:judging_round_advancement", args=[first.pk]))

    first.entries.update(result=EntryResult.ADVANCED, decided_at=timezone.now())
    steps = steps_of(edition)
    assert steps[f"round-{first.pk}"].state == DONE
    assert steps["deciding"].state == CURRENT
    assert steps["deciding"].action.fields == {"to": "deciding"}


def test_an_unconfirmed_plenary_is_the_current_step_of_a_deciding_edition():
    edition, (first,) = reviewing_edition()
    first.status = RoundStatus.CLOSED
    first.save()
    first.entries.update(result=EntryResult.ADVANCED, decided_at=timezone.now())
    plenary = make_round(
        edition=edition, order=2, kind=RoundKind.VOTE, name="全体会议", status=RoundStatus.CLOSED
    )
    make_round_entry(round=plenary, case=first.entries.first().case)
    edition.status = EditionStatus.DECIDING
    edition.save()

    steps = steps_of(edition)

    assert steps[f"round-{plenary.pk}"].state == CURRENT
    assert steps[f"round-{plenary.pk}"].action.label == "确认投票结果:全体会议"
    assert steps["awards"].state == TODO


def deciding_edition():
    edition, (first,) = reviewing_edition()
    first.status = RoundStatus.CLOSED
    first.save()
    first.entries.update(result=EntryResult.ADVANCED, decided_at=timezone.now())
    for entry in first.entries.all():
        entry.case.status = CaseStatus.IN_REVIEW
        entry.case.save()
    edition.status = EditionStatus.DECIDING
    edition.save()
    return edition


def test_a_deciding_edition_offers_the_proposal_and_then_the_publicity():
    edition = deciding_edition()

    awards = steps_of(edition)["awards"]
    assert (awards.state, awards.action.label) == (CURRENT, "提出奖项方案")
    assert awards.action.url.startswith(reverse("admin:judging_award_propose", args=[edition.pk]))

    make_award(case=edition.cases.first(), tier=edition.tiers.first())
    steps = steps_of(edition)
    assert steps["awards"].state == DONE
    assert (steps["publicity"].state, steps["publicity"].action.label) == (CURRENT, "开始公示")
    # 公示 is optional: the step offers the way round it too.
    assert steps["publicity"].alternative.label == "不公示,直接发布结果"
    assert steps["publicity"].alternative.url.startswith(
        reverse("admin:judging_award_publish", args=[edition.pk])
    )


def test_the_proposal_is_blocked_without_tiers():
    edition = deciding_edition()
    edition.tiers.all().delete()

    awards = steps_of(edition)["awards"]

    assert (awards.state, awards.reasons) == (BLOCKED, ["本届尚未设置奖项。"])
    assert awards.action.label == "设置奖项"


def publicity_edition(ends_in):
    edition = deciding_edition()
    award = make_award(case=edition.cases.first(), tier=edition.tiers.first())
    now = timezone.now()
    edition.status = EditionStatus.PUBLICITY
    edition.publicity_starts_at = now - timedelta(days=7)
    edition.publicity_ends_at = now + ends_in
    edition.save()
    return edition, award


def test_publication_is_blocked_during_the_publicity_period_and_with_open_objections():
    edition, award = publicity_edition(timedelta(days=1))

    publish = steps_of(edition)["publish"]
    assert publish.state == BLOCKED
    assert any(reason.startswith("公示期到") for reason in publish.reasons)
    assert publish.action.label == "调整或提前结束公示期"
    assert steps_of(edition)["publicity"].state == DONE

    Objection.objects.create(
        award=award, name="李四", unit_name="某局", phone="020-1234567", reason="不实"
    )
    publish = steps_of(edition)["publish"]
    assert "1件异议尚未处理完毕。" in publish.reasons
    assert publish.action.label == "处理异议"


def test_publication_is_current_once_the_period_is_over():
    edition, _award = publicity_edition(-timedelta(minutes=1))

    publish = steps_of(edition)["publish"]

    assert (publish.state, publish.reasons, publish.action.label) == (CURRENT, [], "发布结果")
    assert publish.notes == ["1 个获奖案例没有安排点评;发布时须确认不设点评。"]


def test_a_published_edition_offers_archiving_and_an_archived_one_is_done():
    edition, _award = publicity_edition(-timedelta(minutes=1))
    edition.status = EditionStatus.PUBLISHED
    edition.save()
    assert [key for key, state in states(edition) if state != DONE] == ["archive"]
    assert steps_of(edition)["archive"].state == CURRENT

    edition.status = EditionStatus.ARCHIVED
    edition.save()
    assert {state for _key, state in states(edition)} == {DONE}


# --- the transition service ------------------------------------------------------------------
def test_workflow_transition_moves_one_step_forward_only():
    edition = make_edition(
        status=EditionStatus.DRAFT, closes_at=timezone.now() + timedelta(days=30)
    )
    make_category(edition=edition)
    organiser = make_organiser()

    with pytest.raises(DomainError, match="流程页不能把它变更为“资格审查”"):
        workflow_transition(edition=edition, to=EditionStatus.SCREENING, by=organiser)
    with pytest.raises(DomainError, match="未知的届状态"):
        workflow_transition(edition=edition, to="nonsense", by=organiser)

    workflow_transition(edition=edition, to=EditionStatus.OPEN, by=organiser)
    edition.refresh_from_db()
    assert edition.status == EditionStatus.OPEN


def test_workflow_transition_refuses_with_the_preconditions_reasons():
    edition = make_edition(status=EditionStatus.SCREENING)
    make_case(edition=edition, status=CaseStatus.SUBMITTED)

    with pytest.raises(DomainError, match="还有 1 件案例未完成资格审查"):
        workflow_transition(edition=edition, to=EditionStatus.REVIEWING, by=make_organiser())
    edition.refresh_from_db()
    assert edition.status == EditionStatus.SCREENING


# --- the page: who may see it, what they can do -----------------------------------------------
def page_url(edition):
    return reverse("admin:cases_edition_workflow", args=[edition.pk])


def transition_url(edition):
    return reverse("admin:cases_edition_workflow_transition", args=[edition.pk])


def ready_draft():
    edition = make_edition(
        status=EditionStatus.DRAFT, closes_at=timezone.now() + timedelta(days=30)
    )
    make_category(edition=edition)
    return edition


def test_the_organiser_sees_the_steps_and_moves_the_edition_on(client):
    edition = ready_draft()
    client.force_login(make_organiser())

    response = client.get(page_url(edition))

    assert response.status_code == 200
    assert "下一步:筹备:类别、奖项、征集时间" in response.text
    assert '<button type="submit" class="button default">开始征集</button>' in response.text
    moved = client.post(transition_url(edition), {"to": "open"}, follow=True)
    assert moved.redirect_chain[-1][0] == page_url(edition)
    assert "已变更为“征集中”" in moved.text
    edition.refresh_from_db()
    assert edition.status == EditionStatus.OPEN


def test_a_refused_transition_shows_the_reason_and_changes_nothing(client):
    edition = make_edition(status=EditionStatus.DRAFT)
    client.force_login(make_organiser())

    response = client.post(transition_url(edition), {"to": "open"}, follow=True)

    assert "本届还没有设置类别。" in response.text
    edition.refresh_from_db()
    assert edition.status == EditionStatus.DRAFT


def test_the_transition_is_post_only(client):
    client.force_login(make_organiser())
    assert client.get(transition_url(ready_draft())).status_code == 405


def test_the_observer_reads_the_page_without_buttons_and_cannot_post(client):
    edition = ready_draft()
    client.force_login(in_group(OBSERVER))

    response = client.get(page_url(edition))

    assert response.status_code == 200
    assert "开始征集" not in response.text
    assert "你没有执行这一步的权限。" in response.text
    assert "<form" not in response.content.decode().split('id="content-main"')[1]
    assert client.post(transition_url(edition), {"to": "open"}).status_code == 403
    edition.refresh_from_db()
    assert edition.status == EditionStatus.DRAFT


def test_the_secretary_sees_round_buttons_but_not_edition_ones(client):
    edition, (first,) = reviewing_edition()
    client.force_login(in_group(REVIEW_SECRETARY))

    response = client.get(page_url(edition))

    assert response.status_code == 200
    assert "开启轮次:第1轮" in response.text
    assert client.post(transition_url(edition), {"to": "deciding"}).status_code == 403


@pytest.mark.parametrize("role", ["anonymous", "judge", "unit_member"])
def test_judges_units_and_anonymous_are_sent_to_the_login(client, role):
    edition = ready_draft()
    if role == "judge":
        client.force_login(make_judge().user)
    elif role == "unit_member":
        client.force_login(make_member(unit=make_unit()))

    for response in [client.get(page_url(edition)), client.post(transition_url(edition))]:
        assert response.status_code == 302
        assert response.url.startswith(reverse("admin:login"))
    edition.refresh_from_db()
    assert edition.status == EditionStatus.DRAFT


def test_staff_without_permissions_is_refused(client):
    edition = ready_draft()
    client.force_login(make_staff_without_permissions())

    assert client.get(page_url(edition)).status_code == 403
    assert client.post(transition_url(edition), {"to": "open"}).status_code == 403


def test_the_edition_pages_link_to_the_workflow(client):
    edition = ready_draft()
    client.force_login(make_organiser())

    change = client.get(reverse("admin:cases_edition_change", args=[edition.pk]))
    changelist = client.get(reverse("admin:cases_edition_changelist"))

    assert f'href="{page_url(edition)}"' in change.text
    assert f'href="{page_url(edition)}"' in changelist.text


def test_the_page_query_count_does_not_grow_with_rounds_and_cases(client):
    client.force_login(make_organiser())

    def count(edition):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(page_url(edition)).status_code == 200
        return len(queries)

    small, _rounds = reviewing_edition(cases=1, rounds=1)
    large, _rounds = reviewing_edition(cases=12, rounds=4, judges=3)

    assert count(small) == count(large)


def test_the_selector_query_count_does_not_grow_with_rounds_and_cases():
    def count(edition):
        with CaptureQueriesContext(connection) as queries:
            edition_workflow(edition)
        return len(queries)

    small = deciding_edition()
    large = deciding_edition()
    for order in range(2, 6):
        make_round(edition=large, order=order, status=RoundStatus.CLOSED, kind=RoundKind.METRIC)
    for _ in range(10):
        make_case(edition=large, status=CaseStatus.IN_REVIEW)

    assert count(small) == count(large)


# --- the pages it links to come back to it ----------------------------------------------------
def test_closing_a_round_from_the_workflow_returns_to_it(client):
    edition, (first,) = reviewing_edition()
    first.status = RoundStatus.OPEN
    first.save()
    client.force_login(make_organiser())
    close = steps_of(edition)[f"round-{first.pk}"].action.url

    response = client.post(close, {"confirm": "on"})

    assert response.status_code == 302
    assert response.url == page_url(edition)
    first.refresh_from_db()
    assert first.status == RoundStatus.CLOSED


def test_a_next_to_another_site_is_ignored(client):
    edition, (first,) = reviewing_edition()
    first.status = RoundStatus.OPEN
    first.save()
    client.force_login(make_organiser())
    url = reverse("admin:judging_round_close", args=[first.pk])

    response = client.post(f"{url}?next=https://evil.example/", {"confirm": "on"})

    assert response.url == reverse("admin:judging_round_change", args=[first.pk])


def test_opening_a_round_from_the_workflow_returns_to_it(client):
    edition, (first,) = reviewing_edition()
    client.force_login(make_organiser())
    action = steps_of(edition)[f"round-{first.pk}"].action

    response = client.post(action.url, action.fields)

    assert response.url == page_url(edition)
    first.refresh_from_db()
    assert first.status == RoundStatus.OPEN


def test_advancement_keeps_the_next_through_an_adjustment_and_confirms_back_to_it(client):
    edition, (first,) = reviewing_edition()
    first.status = RoundStatus.CLOSED
    first.save()
    client.force_login(make_organiser())
    advancement = steps_of(edition)[f"round-{first.pk}"].action.url
    entry = first.entries.order_by("pk").first()
    entry_url = reverse("admin:judging_round_advancement_entry", args=[first.pk, entry.pk])

    page = client.get(advancement)
    assert page.status_code == 200
    assert f'href="{entry_url}?next=' in page.text

    adjusted = client.post(
        f"{entry_url}?next={page_url(edition)}",
        {"result": EntryResult.ADVANCED, "reason": "评委会复议"},
    )
    assert adjusted.status_code == 302
    assert adjusted.url == advancement

    confirmed = client.post(advancement, {"action": "confirm"})
    assert confirmed.url == page_url(edition)
    assert steps_of(edition)[f"round-{first.pk}"].state == DONE


def test_an_open_heat_list_round_does_not_hold_up_the_decision():
    edition = deciding_edition()
    heat = make_round(edition=edition, order=5, kind=RoundKind.METRIC, status=RoundStatus.OPEN)

    steps = steps_of(edition)

    assert steps[f"round-{heat.pk}"].state == TODO
    assert steps["awards"].state == CURRENT


def test_an_edition_under_review_without_rounds_is_blocked_with_a_link_to_add_one():
    edition = make_edition(status=EditionStatus.REVIEWING)

    rounds = steps_of(edition)["rounds"]

    assert (rounds.state, rounds.reasons) == (BLOCKED, ["本届还没有评审轮次。"])
    assert rounds.action.url == f"{reverse('admin:judging_round_add')}?edition={edition.pk}"
    assert steps_of(edition)["deciding"].state == TODO
