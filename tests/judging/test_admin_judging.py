"""The organiser's judging back office: permissions, screening actions, round control,
assignments and conflicts through the admin."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from cases import privacy
from cases.models import AuditEntry, CaseStatus, Edition, EditionStatus
from judging.models import (
    Assignment,
    Conflict,
    ConflictSource,
    RoundEntry,
    RoundStatus,
)
from tests.factories import (
    make_assignment,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_round,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("创新性", 1, 10)]


@pytest.fixture
def scene():
    edition = make_edition()
    category = make_category(edition=edition, name="舆情引导", code="YQ")
    unit = make_unit(name="汕头市委宣传部")
    member = make_member(unit=unit, email="unit@example.org")
    judges = [make_judge(name=f"专家{i}") for i in range(3)]
    conflicted = make_judge(name="回避专家", affiliation=unit)
    make_panel(edition=edition, categories=[category], judges=[*judges, conflicted])
    round_ = make_round(edition=edition, name="初审", criteria=CRITERIA, reviews_per_case=3)
    case = make_case(
        edition=edition,
        category=category,
        owner_unit=unit,
        status=CaseStatus.SUBMITTED,
        reference="2026-YQ-0001",
        title="8·30抗涝救灾舆情引导",
    )
    return {
        "edition": edition,
        "category": category,
        "unit": unit,
        "member": member,
        "judges": judges,
        "conflicted": conflicted,
        "round": round_,
        "case": case,
    }


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def _pages(scene):
    """(method, url) of every admin page of this area."""
    r, c, j = scene["round"].pk, scene["case"].pk, scene["judges"][0].pk
    return [
        ("get", reverse("admin:judging_judge_changelist")),
        ("get", reverse("admin:judging_judge_change", args=[j])),
        ("get", reverse("admin:judging_judge_import")),
        ("get", reverse("admin:judging_panel_changelist")),
        ("get", reverse("admin:judging_round_changelist")),
        ("get", reverse("admin:judging_round_change", args=[r])),
        ("get", reverse("admin:judging_round_progress_judges", args=[r])),
        ("get", reverse("admin:judging_round_progress_cases", args=[r])),
        ("get", reverse("admin:judging_round_conflicts", args=[r])),
        ("get", reverse("admin:judging_round_reopen", args=[r])),
        ("post", reverse("admin:judging_round_open", args=[r])),
        ("post", reverse("admin:judging_round_close", args=[r])),
        ("post", reverse("admin:judging_round_assign", args=[r])),
        ("post", reverse("admin:judging_round_remind", args=[r])),
        ("get", reverse("admin:judging_screeningcase_changelist")),
        ("get", reverse("admin:judging_screeningcase_change", args=[c])),
        ("get", reverse("admin:judging_screeningcase_decide", args=[c])),
        ("get", reverse("admin:judging_assignment_changelist")),
        ("get", reverse("admin:judging_assignment_add")),
        ("get", reverse("admin:judging_conflict_changelist")),
        ("get", reverse("admin:judging_conflict_add")),
    ]


@pytest.mark.parametrize("who", ["anonymous", "unit member", "judge"])
def test_non_staff_cannot_reach_any_page(client, scene, who):
    if who == "unit member":
        client.force_login(scene["member"])
    elif who == "judge":
        client.force_login(scene["judges"][0].user)

    for method, url in _pages(scene):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    scene["round"].refresh_from_db()
    assert scene["round"].status == RoundStatus.DRAFT
    assert not Assignment.objects.exists()


def test_staff_without_permissions_is_refused(client, scene):
    client.force_login(make_user(is_staff=True, is_superuser=False))

    for method, url in _pages(scene):
        response = getattr(client, method)(url)
        assert response.status_code == 403, url
    assert not Assignment.objects.exists()


def test_organiser_reaches_every_page(organiser_client, scene):
    scene["round"].status = RoundStatus.CLOSED  # so that the reopen page shows its form
    scene["round"].save()
    for method, url in _pages(scene):
        if method == "get":
            response = organiser_client.get(url)
            assert response.status_code == 200, url


# --- screening -------------------------------------------------------------------------------
def _changelist_queries(client, django_assert_num_queries, expected):
    with django_assert_num_queries(expected):
        response = client.get(reverse("admin:judging_screeningcase_changelist"))
    assert response.status_code == 200
    return response


@pytest.mark.parametrize("rows", [1, 5])
def test_screening_changelist_query_count_is_constant(
    organiser_client, django_assert_num_queries, rows
):
    edition = make_edition()
    category = make_category(edition=edition)
    for i in range(rows):
        make_case(
            edition=edition,
            category=category,
            status=CaseStatus.SUBMITTED,
            reference=f"R-{i}",
            lead_units=[make_unit(), make_unit()],
        )
    make_case(edition=edition, status=CaseStatus.DRAFT, title="草稿不显示")

    # session, user, the user's and its groups' permissions, count, rows, lead units
    # prefetch, edition filter choices
    response = _changelist_queries(organiser_client, django_assert_num_queries, 8)

    assert response.content.decode().count('class="action-select"') == rows
    assert "草稿不显示" not in response.content.decode()


def test_bulk_reject_asks_for_a_reason_then_applies(
    organiser_client, scene, django_capture_on_commit_callbacks
):
    other = make_case(
        edition=scene["edition"], owner_unit=scene["unit"], status=CaseStatus.SUBMITTED
    )
    url = reverse("admin:judging_screeningcase_changelist")
    selected = [str(scene["case"].pk), str(other.pk)]

    page = organiser_client.post(url, {"action": "reject_selected", "_selected_action": selected})
    assert page.status_code == 200
    html = page.content.decode()
    assert "8·30抗涝救灾舆情引导" in html
    assert 'name="reason"' in html

    missing = organiser_client.post(
        url,
        {"action": "reject_selected", "_selected_action": selected, "apply": "1", "reason": " "},
    )
    assert missing.status_code == 200
    assert "不予通过或退回修改时必须填写理由。" in missing.content.decode()
    scene["case"].refresh_from_db()
    assert scene["case"].status == CaseStatus.SUBMITTED

    with django_capture_on_commit_callbacks(execute=True):
        done = organiser_client.post(
            url,
            {
                "action": "reject_selected",
                "_selected_action": selected,
                "apply": "1",
                "reason": "不符合申报条件",
            },
        )

    assert done.status_code == 302
    scene["case"].refresh_from_db()
    other.refresh_from_db()
    assert (scene["case"].status, other.status) == (CaseStatus.REJECTED, CaseStatus.REJECTED)
    assert scene["case"].status_reason == "不符合申报条件"
    assert len(mail.outbox) == 2  # one member, two cases
    assert AuditEntry.objects.filter(code="cases.case.rejected").count() == 2


def test_bulk_accept_puts_cases_into_the_first_round(organiser_client, scene):
    url = reverse("admin:judging_screeningcase_changelist")

    response = organiser_client.post(
        url,
        {"action": "accept_selected", "_selected_action": [scene["case"].pk], "apply": "1"},
    )

    assert response.status_code == 302
    assert RoundEntry.objects.get().round == scene["round"]


def test_decide_one_case_keeps_typed_text_on_error(organiser_client, scene):
    url = reverse("admin:judging_screeningcase_decide", args=[scene["case"].pk])

    response = organiser_client.post(url, {"decision": "return", "reason": ""})
    assert "不予通过或退回修改时必须填写理由。" in response.content.decode()

    response = organiser_client.post(url, {"decision": "return", "reason": "请补充材料"})
    assert response.status_code == 302
    scene["case"].refresh_from_db()
    assert scene["case"].status == CaseStatus.RETURNED


# --- rounds ------------------------------------------------------------------------------------
def test_round_open_close_reopen_through_the_admin(organiser_client, scene):
    round_ = scene["round"]
    open_url = reverse("admin:judging_round_open", args=[round_.pk])

    # Refused with the reasons while the edition is not under review and nobody is assigned.
    organiser_client.post(open_url)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT
    Edition.objects.filter(pk=scene["edition"].pk).update(status=EditionStatus.REVIEWING)
    scene["case"].status = CaseStatus.ACCEPTED
    scene["case"].save()
    organiser_client.post(reverse("admin:judging_round_assign", args=[round_.pk]))
    organiser_client.post(open_url)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    close_url = reverse("admin:judging_round_close", args=[round_.pk])
    organiser_client.post(close_url)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN  # the confirmation was not ticked
    organiser_client.post(close_url, {"confirm": "on"})
    round_.refresh_from_db()
    assert round_.status == RoundStatus.CLOSED

    reopen = reverse("admin:judging_round_reopen", args=[round_.pk])
    response = organiser_client.post(reopen, {"reason": ""})
    assert response.status_code == 200
    assert "这个字段是必填项" in response.content.decode()
    response = organiser_client.post(reopen, {"reason": "补录一位专家的评分"})
    assert response.status_code == 302
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
    assert AuditEntry.objects.get(code="judging.round.reopened").data["reason"] == (
        "补录一位专家的评分"
    )


def test_round_state_cannot_be_edited_in_the_form(organiser_client, scene):
    response = organiser_client.get(reverse("admin:judging_round_change", args=[scene["round"].pk]))

    assert 'name="status"' not in response.content.decode()


def test_auto_assign_from_the_admin_shows_the_report(organiser_client, scene):
    scene["case"].status = CaseStatus.ACCEPTED
    scene["case"].save()

    response = organiser_client.post(
        reverse("admin:judging_round_assign", args=[scene["round"].pk])
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "新分配 3 项" in html
    assert set(Assignment.objects.values_list("judge__name", flat=True)) == {
        "专家0",
        "专家1",
        "专家2",
    }


def test_auto_assign_report_lists_impossible_cases(organiser_client, scene):
    scene["case"].status = CaseStatus.ACCEPTED
    scene["case"].save()
    scene["round"].reviews_per_case = 4
    scene["round"].save()

    response = organiser_client.post(
        reverse("admin:judging_round_changelist"),
        {"action": "auto_assign_selected", "_selected_action": [scene["round"].pk]},
    )

    assert "负责“舆情引导”的评审组中只有 3 位无回避的专家,需要 4 位;1 位需回避。" in (
        response.content.decode()
    )


def test_remind_from_the_progress_page(organiser_client, scene, django_capture_on_commit_callbacks):
    round_ = scene["round"]
    round_.status = RoundStatus.OPEN
    round_.save()
    make_assignment(round=round_, case=scene["case"], judge=scene["judges"][0])

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(reverse("admin:judging_round_remind", args=[round_.pk]))

    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [[scene["judges"][0].user.email]]


# --- assignments and conflicts -----------------------------------------------------------------
def test_adding_a_conflicted_assignment_is_refused_with_a_message(organiser_client, scene):
    scene["case"].status = CaseStatus.ACCEPTED
    scene["case"].save()
    url = reverse("admin:judging_assignment_add")
    data = {"round": scene["round"].pk, "case": scene["case"].pk}

    refused = organiser_client.post(url, {**data, "judge": scene["conflicted"].pk})
    assert refused.status_code == 200
    assert "存在回避关系(系统识别),不能分配" in refused.content.decode()
    assert not Assignment.objects.exists()

    added = organiser_client.post(url, {**data, "judge": scene["judges"][0].pk})
    assert added.status_code == 302
    assignment = Assignment.objects.get()
    assert (assignment.judge, assignment.manual) == (scene["judges"][0], True)


def test_removing_an_assignment_in_the_admin_is_audited(organiser_client, scene):
    assignment = make_assignment(round=scene["round"], case=scene["case"], judge=scene["judges"][0])

    response = organiser_client.post(
        reverse("admin:judging_assignment_delete", args=[assignment.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Assignment.objects.exists()
    assert AuditEntry.objects.get(code="judging.assignment.removed").object_id == str(assignment.pk)


def test_declaring_a_conflict_in_the_admin_removes_the_assignment(organiser_client, scene):
    judge = scene["judges"][1]
    make_assignment(round=scene["round"], case=scene["case"], judge=judge)

    response = organiser_client.post(
        reverse("admin:judging_conflict_add"),
        {"judge": judge.pk, "unit": scene["unit"].pk, "case": "", "reason": "曾在该单位任职"},
    )

    assert response.status_code == 302
    conflict = Conflict.objects.get()
    assert (conflict.source, conflict.created_by.is_staff) == (ConflictSource.DECLARED, True)
    assert not Assignment.objects.exists()


def test_conflict_form_needs_exactly_one_target(organiser_client, scene):
    response = organiser_client.post(
        reverse("admin:judging_conflict_add"),
        {"judge": scene["judges"][0].pk, "unit": "", "case": "", "reason": ""},
    )

    assert "请填写回避单位或回避案例中的一项" in response.content.decode()
    assert not Conflict.objects.exists()


# --- judges: invitation ------------------------------------------------------------------------
def test_invitation_action_mails_a_link_that_sets_the_password(
    organiser_client, client, scene, django_capture_on_commit_callbacks
):
    judge = scene["judges"][0]
    judge.user.set_unusable_password()
    judge.user.save()

    with django_capture_on_commit_callbacks(execute=True):
        organiser_client.post(
            reverse("admin:judging_judge_changelist"),
            {"action": "send_invitations", "_selected_action": [judge.pk]},
        )

    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == [judge.user.email]
    assert "评审专家邀请" in message.subject
    link = re.search(r"http://\S+/judging/invitation/\S+/", message.body).group(0)
    path = link.split("8000", 1)[1]
    judge.refresh_from_db()
    assert judge.invited_at is not None

    client.logout()
    form_page = client.get(path, follow=True)
    assert "设置登录密码" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    passwords = {"new_password1": "Yue-zhi-2026!", "new_password2": "Yue-zhi-2026!"}
    refused = client.post(set_url, passwords)
    assert "请阅读并同意《个人信息处理规则》后再继续。" in refused.content.decode()
    done = client.post(set_url, {**passwords, "privacy_consent": "on"})
    assert done.status_code == 302
    done_page = client.get(done["Location"])
    assert f'href="{reverse("login")}"' in done_page.content.decode()
    judge.user.refresh_from_db()
    assert judge.user.check_password("Yue-zhi-2026!")
    assert judge.user.email_confirmed_at is not None
    assert judge.user.privacy_consent_at is not None  # DATA-03
    assert judge.user.privacy_notice_version == privacy.NOTICE_VERSION
    assert "邀请链接无效或已使用过" in client.get(path, follow=True).content.decode()


def test_invitation_refused_for_a_judge_without_account(organiser_client):
    judge = make_judge(name="无账号专家", with_account=False)

    response = organiser_client.post(
        reverse("admin:judging_judge_changelist"),
        {"action": "send_invitations", "_selected_action": [judge.pk]},
        follow=True,
    )

    assert "专家无账号专家还没有登录账号" in response.content.decode()
    assert mail.outbox == []


def test_judge_form_creates_the_login_account(organiser_client, scene):
    response = organiser_client.post(
        reverse("admin:judging_judge_add"),
        {
            "name": "陈天祥",
            "title": "中山大学政务学院教授",
            "affiliation": "",
            "region": "",
            "email": "Chen.TX@Example.org",
            "bio": "",
            "public": "on",
        },
    )

    assert response.status_code == 302
    from judging.models import Judge

    judge = Judge.objects.get(name="陈天祥")
    assert judge.user.email == "chen.tx@example.org"
    assert not judge.user.has_usable_password()
    assert not judge.user.is_staff


def test_changing_a_judges_affiliation_removes_conflicted_assignments(organiser_client, scene):
    judge = scene["judges"][0]
    make_assignment(round=scene["round"], case=scene["case"], judge=judge)

    response = organiser_client.post(
        reverse("admin:judging_judge_change", args=[judge.pk]),
        {
            "name": judge.name,
            "title": "",
            "affiliation": scene["unit"].pk,  # the case's unit
            "region": "",
            "email": judge.user.email,
            "bio": "",
            "public": "on",
        },
    )

    assert response.status_code == 302
    assert not Assignment.objects.exists()
    assert AuditEntry.objects.filter(code="judging.assignment.removed_conflict").count() == 1


def test_assignment_page_links_to_its_audit_history(organiser_client, scene):
    scene["case"].status = CaseStatus.ACCEPTED
    scene["case"].save()
    organiser_client.post(
        reverse("admin:judging_assignment_add"),
        {"round": scene["round"].pk, "case": scene["case"].pk, "judge": scene["judges"][0].pk},
    )
    assignment = Assignment.objects.get()

    page = organiser_client.get(reverse("admin:judging_assignment_change", args=[assignment.pk]))
    audit = organiser_client.get(
        reverse("admin:cases_auditentry_changelist"),
        {"object_type": "judging.assignment", "object_id": assignment.pk},
    )

    expected = (
        f"{reverse('admin:cases_auditentry_changelist')}"
        f"?object_type=judging.assignment&amp;object_id={assignment.pk}"
    )
    assert expected in page.content.decode()
    assert audit.status_code == 200
    assert "judging.assignment.created" in audit.content.decode()


def test_only_draft_rounds_can_be_deleted(organiser_client, scene):
    round_ = scene["round"]
    round_.status = RoundStatus.OPEN
    round_.save()

    refused = organiser_client.post(
        reverse("admin:judging_round_delete", args=[round_.pk]), {"post": "yes"}
    )

    assert refused.status_code == 403
    round_.refresh_from_db()


def _rows(n):
    """n judges, panels, rounds, assignments and conflicts, each in its own edition."""
    for _ in range(n):
        edition = make_edition()
        category = make_category(edition=edition)
        unit = make_unit()
        judge = make_judge(affiliation=make_unit())
        make_panel(edition=edition, categories=[category], judges=[judge])
        round_ = make_round(edition=edition, criteria=CRITERIA)
        case = make_case(edition=edition, category=category, owner_unit=unit)
        make_assignment(round=round_, case=case, judge=judge)
        Conflict.objects.create(judge=judge, unit=unit, source=ConflictSource.DECLARED)


# session, user, the user's and its groups' permissions, count, rows (+ prefetches), filter
# choices
CHANGELIST_QUERIES = {
    "admin:judging_judge_changelist": 7,
    "admin:judging_panel_changelist": 8,
    "admin:judging_round_changelist": 7,
    "admin:judging_assignment_changelist": 7,
    "admin:judging_conflict_changelist": 6,
}


@pytest.mark.parametrize("rows", [1, 5])
@pytest.mark.parametrize("url_name", sorted(CHANGELIST_QUERIES))
def test_changelist_query_counts_are_constant(
    organiser_client, django_assert_num_queries, url_name, rows
):
    _rows(rows)

    with django_assert_num_queries(CHANGELIST_QUERIES[url_name]):
        response = organiser_client.get(reverse(url_name))

    assert response.status_code == 200
    assert response.content.decode().count('class="action-select"') == rows
