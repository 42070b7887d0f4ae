"""Signed commentary workflow: assignment (with e-mail), the expert's workspace, approval."""

import pytest
from django.core import mail
from django.urls import reverse

from cases.models import AuditEntry, CaseStatus, EditionStatus
from cases.services import DomainError
from judging.cache import results_version
from judging.models import (
    CitationStatus,
    Conflict,
    ConflictSource,
    EditionCommentary,
    PanelRole,
)
from judging.selectors.publicity import committee_commentary
from judging.services.commentary import (
    commentary_approve,
    commentary_assign,
    commentary_edit,
    commentary_save,
    edition_commentary_save,
)
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_tier,
    make_unit,
)

pytestmark = pytest.mark.django_db


def _award(status=EditionStatus.DECIDING, **case_fields):
    edition = make_edition(status=status)
    case_fields.setdefault("category", make_category(edition=edition, name="数字政府"))
    case = make_case(edition=edition, status=CaseStatus.IN_REVIEW, **case_fields)
    return make_award(case=case, tier=make_tier(edition=edition, name="最佳案例"))


def _assigned(judge=None, **kwargs):
    award = _award(**kwargs)
    judge = judge or make_judge(name="陈天祥", title="中山大学政务学院教授")
    commentary_assign(award=award, judge=judge, by=make_organiser())
    award.refresh_from_db()
    return award, judge


# --- services ------------------------------------------------------------------------------
def test_assign_sets_status_audits_and_emails_the_expert(django_capture_on_commit_callbacks):
    award = _award(title="人民党建云")
    judge = make_judge(name="陈天祥")
    organiser = make_organiser()

    with django_capture_on_commit_callbacks(execute=True):
        notified = commentary_assign(award=award, judge=judge, by=organiser)

    award.refresh_from_db()
    assert notified is True
    assert (award.citation_status, award.commentator) == (CitationStatus.ASSIGNED, judge)
    assert AuditEntry.objects.get(code="judging.award.commentator_assigned").actor == organiser
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == [judge.user.email]
    assert "人民党建云" in mail.outbox[0].subject
    assert reverse("judging:commentary-update", kwargs={"pk": award.pk}) in mail.outbox[0].body


def test_assign_judge_without_account_sends_no_mail(django_capture_on_commit_callbacks):
    award = _award()
    judge = make_judge(with_account=False)

    with django_capture_on_commit_callbacks(execute=True):
        notified = commentary_assign(award=award, judge=judge, by=make_organiser())

    assert notified is False
    assert mail.outbox == []


def test_assign_refuses_judge_in_conflict_with_a_lead_unit():
    unit = make_unit(name="汕头市政务服务数据管理局")
    award = _award(owner_unit=unit)
    judge = make_judge(name="李专家")
    Conflict.objects.create(judge=judge, unit=unit, source=ConflictSource.DECLARED)

    with pytest.raises(DomainError, match="回避"):
        commentary_assign(award=award, judge=judge, by=make_organiser())


def test_assign_refuses_judge_affiliated_above_the_lead_unit():
    city = make_unit(name="汕头市人民政府")
    bureau = make_unit(name="汕头市政务服务数据管理局", parent=city)
    award = _award(owner_unit=bureau)
    judge = make_judge(name="李专家", affiliation=city)

    with pytest.raises(DomainError, match="回避"):
        commentary_assign(award=award, judge=judge, by=make_organiser())

    award.refresh_from_db()
    assert award.commentator is None


def test_assign_refuses_non_public_judge_without_collective_signature():
    award = _award()
    judge = make_judge(public=False)

    with pytest.raises(DomainError, match="集体署名"):
        commentary_assign(award=award, judge=judge, by=make_organiser())

    commentary_assign(award=award, judge=judge, by=make_organiser(), signed_as="专家委员会")
    award.refresh_from_db()
    assert award.signed_as == "专家委员会"


def test_expert_saves_then_submits_draft():
    award, judge = _assigned()

    commentary_save(award=award, text="草稿一", by=judge.user)
    award.refresh_from_db()
    assert (award.citation, award.citation_status) == ("草稿一", CitationStatus.ASSIGNED)

    commentary_save(award=award, text="终稿", by=judge.user, submit=True)
    award.refresh_from_db()
    assert (award.citation, award.citation_status) == ("终稿", CitationStatus.DRAFTED)
    codes = AuditEntry.objects.filter(object_id=str(award.pk)).values_list("code", flat=True)
    assert sorted(codes) == [
        "judging.award.citation_saved",
        "judging.award.citation_submitted",
        "judging.award.commentator_assigned",
    ]


def test_other_judge_cannot_save_the_draft():
    award, _ = _assigned()

    with pytest.raises(DomainError, match="受邀"):
        commentary_save(award=award, text="冒名", by=make_judge().user)


def test_expert_cannot_change_an_approved_citation():
    award, judge = _assigned()
    commentary_save(award=award, text="终稿", by=judge.user, submit=True)
    commentary_approve(award=award, by=make_organiser())

    with pytest.raises(DomainError, match="已审定"):
        commentary_save(award=award, text="改一改", by=judge.user)


def test_citation_longer_than_limit_is_refused_counting_characters():
    award, judge = _assigned()

    with pytest.raises(DomainError, match="2000字"):
        commentary_save(award=award, text="字" * 2001, by=judge.user)

    commentary_save(award=award, text="字" * 2000, by=judge.user)


def test_organiser_edits_and_approves_with_audit():
    award, judge = _assigned()
    commentary_save(award=award, text="专家初稿", by=judge.user, submit=True)
    organiser = make_organiser()

    commentary_edit(award=award, text="组委会润色后的点评", by=organiser)
    commentary_approve(award=award, by=organiser)

    award.refresh_from_db()
    assert (award.citation, award.citation_status) == ("组委会润色后的点评", "approved")
    approved = AuditEntry.objects.get(code="judging.award.citation_approved")
    assert (approved.actor, approved.data["from"]) == (organiser, "drafted")
    assert AuditEntry.objects.filter(code="judging.award.citation_edited").count() == 1


def test_approve_refuses_empty_citation():
    award, _ = _assigned()

    with pytest.raises(DomainError, match="还没有点评内容"):
        commentary_approve(award=award, by=make_organiser())


def test_approving_a_published_citation_bumps_results_cache(django_capture_on_commit_callbacks):
    award, judge = _assigned(status=EditionStatus.PUBLISHED)
    commentary_save(award=award, text="点评", by=judge.user, submit=True)
    before = results_version(award.edition)

    with django_capture_on_commit_callbacks(execute=True):
        commentary_approve(award=award, by=make_organiser())

    assert results_version(award.edition) == before + 1


def test_edition_commentary_is_public_only_once_approved():
    edition = make_edition(status=EditionStatus.DECIDING)
    organiser = make_organiser()

    edition_commentary_save(
        edition=edition, text="总体评价", signed_as="评审委员会", approved=False, by=organiser
    )
    assert committee_commentary(edition) is None

    edition_commentary_save(
        edition=edition, text="总体评价(定稿)", signed_as="评审委员会", approved=True, by=organiser
    )
    commentary = committee_commentary(edition)
    assert (commentary.text, commentary.approved_by) == ("总体评价(定稿)", organiser)
    assert EditionCommentary.objects.count() == 1
    assert list(
        AuditEntry.objects.filter(code__startswith="judging.edition_commentary")
        .order_by("pk")
        .values_list("code", flat=True)
    ) == ["judging.edition_commentary.saved", "judging.edition_commentary.approved"]


# --- workspace views -----------------------------------------------------------------------
def test_commentary_list_shows_my_assigned_awards(client):
    award, judge = _assigned()
    client.force_login(judge.user)

    response = client.get(reverse("judging:commentary-list"))

    assert response.status_code == 200
    assert award.case.title in response.text
    assert "待撰写" in response.text


def test_commentary_list_is_404_for_non_judges(client):
    _assigned()
    client.force_login(make_member(unit=make_unit()))

    assert client.get(reverse("judging:commentary-list")).status_code == 404


def test_commentary_list_of_other_judge_does_not_show_my_awards(client):
    award, _ = _assigned()
    other = make_judge()
    client.force_login(other.user)

    response = client.get(reverse("judging:commentary-list"))

    assert response.status_code == 200
    assert award.case.title not in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_commentary_list_query_count_is_bounded(client, django_assert_num_queries, rows):
    judge = make_judge()
    for _ in range(rows):
        _assigned(judge=judge)
    client.force_login(judge.user)

    # session, user, judge exists, awards (+ edition, tier, …), lead units prefetch
    with django_assert_num_queries(5):
        response = client.get(reverse("judging:commentary-list"))
    assert response.status_code == 200


def _role_client(client, role, award, judge):
    if role == "expert":
        client.force_login(judge.user)
    elif role == "other_judge":
        client.force_login(make_judge().user)
    elif role == "owner_unit":
        client.force_login(make_member(unit=award.case.owner_unit))
    elif role == "other_unit":
        client.force_login(make_member(unit=make_unit()))
    elif role == "panel_chair":
        chair = make_judge()
        make_panel(
            edition=award.edition,
            categories=[award.case.category],
            judges=[chair],
            role=PanelRole.CHAIR,
        )
        client.force_login(chair.user)
    elif role == "organiser":
        client.force_login(make_organiser())
    return client


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("expert", 200),
        ("other_judge", 404),
        ("panel_chair", 404),
        ("owner_unit", 404),
        ("other_unit", 404),
        # Organisers edit citations in the admin; the workspace is the expert's own.
        ("organiser", 404),
    ],
)
def test_commentary_form_permissions(client, role, status):
    award, judge = _assigned()
    client = _role_client(client, role, award, judge)

    response = client.get(reverse("judging:commentary-update", kwargs={"pk": award.pk}))

    assert response.status_code == status


@pytest.mark.parametrize("name", ["judging:commentary-list", "judging:commentary-update"])
def test_commentary_pages_send_anonymous_visitors_to_log_in(client, name):
    award, _ = _assigned()
    url = reverse(name, kwargs={"pk": award.pk} if name.endswith("update") else {})

    response = client.get(url)

    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={url}"


@pytest.mark.parametrize(
    "role", ["other_judge", "panel_chair", "owner_unit", "other_unit", "organiser", "anonymous"]
)
def test_commentary_post_by_others_is_refused_and_changes_nothing(client, role):
    award, judge = _assigned()
    client = _role_client(client, role, award, judge)

    response = client.post(
        reverse("judging:commentary-update", kwargs={"pk": award.pk}),
        {"citation": "冒名点评", "action": "submit"},
    )

    assert response.status_code == (302 if role == "anonymous" else 404)
    award.refresh_from_db()
    assert (award.citation, award.citation_status) == ("", CitationStatus.ASSIGNED)


def test_expert_submits_draft_through_the_form(client):
    award, judge = _assigned()
    client.force_login(judge.user)
    url = reverse("judging:commentary-update", kwargs={"pk": award.pk})

    response = client.post(url, {"citation": "锐意创新,成效显著。", "action": "submit"})

    assert response.status_code == 302
    assert response.url == reverse("judging:commentary-list")
    award.refresh_from_db()
    assert (award.citation, award.citation_status) == ("锐意创新,成效显著。", "drafted")


def test_expert_submit_of_empty_text_shows_error_next_to_field(client):
    award, judge = _assigned()
    client.force_login(judge.user)

    response = client.post(
        reverse("judging:commentary-update", kwargs={"pk": award.pk}),
        {"citation": "", "action": "submit"},
    )

    assert response.status_code == 200
    assert 'id="id_citation_error"' in response.text
    assert "请先填写点评内容再提交" in response.text
    assert 'aria-describedby="id_citation_helptext id_citation_error"' in response.text


def test_too_long_draft_is_redisplayed_with_what_was_typed(client):
    award, judge = _assigned()
    client.force_login(judge.user)
    typed = "长" * 2001

    response = client.post(
        reverse("judging:commentary-update", kwargs={"pk": award.pk}),
        {"citation": typed, "action": "save"},
    )

    assert response.status_code == 200
    assert typed in response.text
    assert "现有2001字" in response.text


def test_approved_citation_is_shown_read_only_to_the_expert(client):
    award, judge = _assigned()
    commentary_save(award=award, text="定稿内容", by=judge.user, submit=True)
    commentary_approve(award=award, by=make_organiser())
    client.force_login(judge.user)

    response = client.get(reverse("judging:commentary-update", kwargs={"pk": award.pk}))

    assert "定稿内容" in response.text
    assert "<textarea" not in response.text


@pytest.mark.parametrize("units", [1, 5])
def test_commentary_form_query_count_does_not_grow_with_lead_units(
    client, django_assert_num_queries, units
):
    award, judge = _assigned(lead_units=[make_unit() for _ in range(units)])
    client.force_login(judge.user)
    url = reverse("judging:commentary-update", kwargs={"pk": award.pk})

    # session, user, award (+ case, units, tier, …), lead units
    with django_assert_num_queries(4):
        response = client.get(url)
    assert response.status_code == 200
