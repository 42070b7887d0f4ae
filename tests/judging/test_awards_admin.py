"""The awards back office: workflow pages, proposal preview and confirmation, actions."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import AuditEntry, CaseStatus, EditionStatus, QuotaScope
from judging.models import Award, CitationStatus, EditionCommentary, RoundStatus
from judging.services.awards import awards_propose
from tests.factories import (
    make_award,
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_round,
    make_round_entry,
    make_tier,
    make_unit,
)

pytestmark = pytest.mark.django_db

PER = QuotaScope.PER_CATEGORY


def _ranked_edition():
    """One category, 优秀 quota 1 and 提名 quota 1, three ranked cases a1 > a2 > a3."""
    edition = make_edition(status=EditionStatus.DECIDING, title="第六届")
    category = make_category(edition=edition, name="政府治理")
    excellent = make_tier(edition=edition, name="优秀案例", order=1, quota=1, quota_scope=PER)
    nominated = make_tier(edition=edition, name="提名奖", order=2, quota=1, quota_scope=PER)
    final = make_round(edition=edition, order=1, status=RoundStatus.CLOSED)
    cases = []
    for rank, score in [(1, 90), (2, 80), (3, 70)]:
        case = make_case(
            edition=edition, category=category, status=CaseStatus.IN_REVIEW, title=f"a{rank}"
        )
        make_round_entry(round=final, case=case, rank=rank, score=score)
        cases.append(case)
    return edition, excellent, nominated, final, cases


@pytest.fixture
def organiser_client(client):
    client.force_login(make_organiser())
    return client


def _propose_url(edition):
    return reverse("admin:judging_award_propose", args=[edition.pk])


def _tiers(edition):
    return {
        a.case.title: a.tier.name
        for a in Award.objects.filter(edition=edition).select_related("case", "tier")
    }


# --- access --------------------------------------------------------------------------------
@pytest.mark.parametrize("role", ["unit_member", "judge", "anonymous"])
@pytest.mark.parametrize(
    "name", ["judging_award_workflow", "judging_award_changelist", "judging_objection_changelist"]
)
def test_awards_admin_is_for_organisers_only(client, role, name):
    if role == "unit_member":
        client.force_login(make_member(unit=make_unit()))
    elif role == "judge":
        client.force_login(make_judge().user)

    response = client.get(reverse(f"admin:{name}"))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("rows", [1, 5])
def test_workflow_page_query_count_is_bounded(organiser_client, django_assert_num_queries, rows):
    for _ in range(rows):
        edition = make_edition(status=EditionStatus.DECIDING)
        case = make_case(edition=edition, status=CaseStatus.IN_REVIEW)
        make_award(case=case, tier=make_tier(edition=edition))

    # session, user, editions with counts (+ programme); for every step's blockers at once:
    # tiers, last scoring and vote rounds, publication counts
    with django_assert_num_queries(8):
        response = organiser_client.get(reverse("admin:judging_award_workflow"))
    assert response.status_code == 200


@pytest.mark.parametrize("rows", [1, 5])
def test_award_changelist_query_count_is_bounded(organiser_client, django_assert_num_queries, rows):
    edition = make_edition(status=EditionStatus.DECIDING)
    tier = make_tier(edition=edition)
    for _ in range(rows):
        make_award(case=make_case(edition=edition), tier=tier, commentator=make_judge())

    # session, user, edition / tier / category filters, count, count, awards (+ case, tier, …)
    with django_assert_num_queries(10):
        response = organiser_client.get(reverse("admin:judging_award_changelist"))
    assert response.status_code == 200


# --- proposal ------------------------------------------------------------------------------
def test_propose_page_previews_the_proposal(organiser_client):
    edition, *_ = _ranked_edition()

    response = organiser_client.get(_propose_url(edition))

    assert response.status_code == 200
    assert "政府治理 · 优秀案例" in response.text
    assert "未列入获奖名单" in response.text
    assert Award.objects.count() == 0


def test_propose_page_confirms_the_proposal(organiser_client):
    edition, *_ = _ranked_edition()
    fingerprint = awards_propose(edition=edition).input_fingerprint

    response = organiser_client.post(
        _propose_url(edition), {"fingerprint": fingerprint, "_confirm": "1"}
    )

    assert response.status_code == 302
    assert _tiers(edition) == {"a1": "优秀案例", "a2": "提名奖"}


def test_propose_page_override_needs_a_reason_next_to_the_row(organiser_client):
    edition, excellent, _, _, cases = _ranked_edition()
    fingerprint = awards_propose(edition=edition).input_fingerprint

    response = organiser_client.post(
        _propose_url(edition),
        {"fingerprint": fingerprint, f"tier_{cases[2].pk}": str(excellent.pk), "_confirm": "1"},
    )

    assert response.status_code == 200
    assert f'id="id_reason_{cases[2].pk}_error"' in response.text
    assert Award.objects.count() == 0


def test_propose_page_confirms_override_with_reason(organiser_client):
    edition, excellent, _, _, cases = _ranked_edition()
    fingerprint = awards_propose(edition=edition).input_fingerprint

    response = organiser_client.post(
        _propose_url(edition),
        {
            "fingerprint": fingerprint,
            f"tier_{cases[2].pk}": str(excellent.pk),
            f"reason_{cases[2].pk}": "实地核实成效突出",
            "_confirm": "1",
        },
    )

    # a3 pinned to 优秀 takes its only seat; a1 falls to 提名 (1 seat); a2 gets nothing.
    assert response.status_code == 302
    assert _tiers(edition) == {"a3": "优秀案例", "a1": "提名奖"}
    assert Award.objects.get(case=cases[2]).decision_reason == "实地核实成效突出"


def test_propose_page_preview_with_override_writes_nothing(organiser_client):
    edition, excellent, _, _, cases = _ranked_edition()
    fingerprint = awards_propose(edition=edition).input_fingerprint

    response = organiser_client.post(
        _propose_url(edition),
        {
            "fingerprint": fingerprint,
            f"tier_{cases[2].pk}": "none",
            f"reason_{cases[2].pk}": "撤回",
            "_preview": "1",
        },
    )

    assert response.status_code == 200
    assert "已调整" in response.text
    assert Award.objects.count() == 0


def test_propose_page_refuses_stale_fingerprint(organiser_client):
    edition, *_ = _ranked_edition()

    response = organiser_client.post(
        _propose_url(edition), {"fingerprint": "stale", "_confirm": "1"}
    )

    assert response.status_code == 200
    assert "排名或投票结果已发生变化" in response.text
    assert Award.objects.count() == 0


def test_propose_page_for_edition_without_closed_round_redirects_with_message(
    organiser_client,
):
    edition = make_edition(status=EditionStatus.DECIDING)
    make_tier(edition=edition, quota=1)
    make_round(edition=edition, status=RoundStatus.OPEN, name="终审")

    response = organiser_client.get(_propose_url(edition), follow=True)

    assert "最后一轮评分“终审”尚未结束" in response.text


def test_propose_page_is_404_for_edition_not_deciding(organiser_client):
    edition = make_edition(status=EditionStatus.REVIEWING)

    assert organiser_client.get(_propose_url(edition)).status_code == 404


# --- commentary actions --------------------------------------------------------------------
def _confirmed():
    edition = make_edition(status=EditionStatus.DECIDING)
    tier = make_tier(edition=edition, name="最佳案例")
    return make_award(
        case=make_case(edition=edition, status=CaseStatus.IN_REVIEW, title="智慧党建"), tier=tier
    )


def test_assign_commentator_action_shows_intermediate_page(organiser_client):
    award = _confirmed()

    response = organiser_client.post(
        reverse("admin:judging_award_changelist"),
        {"action": "assign_commentator_action", "_selected_action": [award.pk]},
    )

    assert response.status_code == 200
    assert "点评专家" in response.text
    assert "智慧党建" in response.text


def test_assign_commentator_action_assigns_and_mails(
    organiser_client, django_capture_on_commit_callbacks
):
    award = _confirmed()
    judge = make_judge(name="张志安")

    with django_capture_on_commit_callbacks(execute=True):
        response = organiser_client.post(
            reverse("admin:judging_award_changelist"),
            {
                "action": "assign_commentator_action",
                "_selected_action": [award.pk],
                "judge": judge.pk,
                "signed_as": "",
                "apply": "1",
            },
        )

    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.commentator, award.citation_status) == (judge, CitationStatus.ASSIGNED)
    assert [m.to for m in mail.outbox] == [[judge.user.email]]


def test_citation_edit_in_change_form_goes_through_the_service(organiser_client):
    award = _confirmed()

    response = organiser_client.post(
        reverse("admin:judging_award_change", args=[award.pk]),
        {"citation": "组委会撰写的点评", "signed_as": "评审委员会"},
    )

    assert response.status_code == 302
    award.refresh_from_db()
    assert (award.citation, award.signed_as) == ("组委会撰写的点评", "评审委员会")
    assert AuditEntry.objects.filter(code="judging.award.citation_edited").count() == 1


def test_approve_action_approves_citations_with_text(organiser_client):
    award = _confirmed()
    award.citation, award.signed_as = "点评", "评审委员会"
    award.citation_status = CitationStatus.DRAFTED
    award.save()
    empty = _confirmed()

    organiser_client.post(
        reverse("admin:judging_award_changelist"),
        {"action": "approve_citations_action", "_selected_action": [award.pk, empty.pk]},
    )

    award.refresh_from_db()
    empty.refresh_from_db()
    assert award.citation_status == CitationStatus.APPROVED
    assert empty.citation_status == CitationStatus.NONE


def test_award_cannot_be_added_or_deleted_in_the_admin(organiser_client):
    award = _confirmed()

    assert organiser_client.get(reverse("admin:judging_award_add")).status_code == 403
    assert (
        organiser_client.get(reverse("admin:judging_award_delete", args=[award.pk])).status_code
        == 403
    )


# --- amend, 公示, publish -------------------------------------------------------------------
def test_amend_view_changes_tier_with_reason(organiser_client):
    award = _confirmed()
    other = make_tier(edition=award.edition, name="优秀案例", order=2)

    response = organiser_client.post(
        reverse("admin:judging_award_amend", args=[award.pk]),
        {"tier": other.pk, "reason": "评委会复议"},
    )

    assert response.status_code == 302
    award.refresh_from_db()
    assert award.tier == other
    assert "评委会复议" in award.decision_reason


def test_amend_view_without_reason_keeps_award(organiser_client):
    award = _confirmed()
    other = make_tier(edition=award.edition, order=2)

    response = organiser_client.post(
        reverse("admin:judging_award_amend", args=[award.pk]), {"tier": other.pk, "reason": ""}
    )

    assert response.status_code == 200
    assert 'id="id_reason_error"' in response.text
    award.refresh_from_db()
    assert award.tier != other


def test_publicity_view_starts_publicity(organiser_client):
    award = _confirmed()
    ends = timezone.localtime() + timedelta(days=7)

    response = organiser_client.post(
        reverse("admin:judging_award_publicity", args=[award.edition.pk]),
        {"starts_at": "", "ends_at": ends.strftime("%Y-%m-%dT%H:%M")},
    )

    assert response.status_code == 302
    award.edition.refresh_from_db()
    assert award.edition.status == EditionStatus.PUBLICITY
    assert timezone.localtime(award.edition.publicity_ends_at).strftime(
        "%Y-%m-%d %H:%M"
    ) == ends.strftime("%Y-%m-%d %H:%M")


def test_publish_view_lists_blockers(organiser_client):
    award = _confirmed()

    response = organiser_client.get(reverse("admin:judging_award_publish", args=[award.edition.pk]))

    assert response.status_code == 200
    assert "未安排点评的获奖案例" in response.text
    assert "智慧党建" in response.text


def test_publish_view_publishes_with_embargo_time_in_shanghai(organiser_client):
    award = _confirmed()

    response = organiser_client.post(
        reverse("admin:judging_award_publish", args=[award.edition.pk]),
        {"at": "2030-01-05T10:00", "allow_uncited": "on"},
    )

    assert response.status_code == 302
    edition = award.edition
    edition.refresh_from_db()
    assert edition.status == EditionStatus.PUBLISHED
    # 10:00 in Asia/Shanghai is 02:00 UTC.
    assert edition.results_published_at.isoformat() == "2030-01-05T02:00:00+00:00"


def test_publish_view_refusal_is_shown_and_nothing_changes(organiser_client):
    award = _confirmed()

    response = organiser_client.post(
        reverse("admin:judging_award_publish", args=[award.edition.pk]),
        {"at": "2030-01-05T10:00"},
    )

    assert response.status_code == 200
    assert "确认不设点评" in response.text
    award.edition.refresh_from_db()
    assert award.edition.status == EditionStatus.DECIDING


# --- committee commentary ------------------------------------------------------------------
def test_edition_commentary_admin_saves_through_the_service(organiser_client):
    edition = make_edition(status=EditionStatus.DECIDING)

    response = organiser_client.post(
        reverse("admin:judging_editioncommentary_add"),
        {
            "edition": edition.pk,
            "text": "本届案例覆盖面广。",
            "signed_as": "评审委员会",
            "approved": "on",
        },
    )

    assert response.status_code == 302
    commentary = EditionCommentary.objects.get()
    assert (commentary.edition, commentary.approved) == (edition, True)
    assert AuditEntry.objects.filter(code="judging.edition_commentary.approved").count() == 1


@pytest.mark.parametrize("rows", [1, 5])
def test_edition_commentary_changelist_query_count_is_bounded(
    organiser_client, django_assert_num_queries, rows
):
    for _ in range(rows):
        EditionCommentary.objects.create(
            edition=make_edition(status=EditionStatus.DECIDING), text="点评", signed_as="委员会"
        )

    with django_assert_num_queries(7):
        response = organiser_client.get(reverse("admin:judging_editioncommentary_changelist"))
    assert response.status_code == 200


def test_assign_commentator_offers_this_editions_panel_members_first(organiser_client):
    from tests.factories import make_judge, make_panel

    award = _confirmed()
    outsider = make_judge(name="甲外部专家")
    member = make_judge(name="乙评审组成员")
    other_edition = make_edition(status=EditionStatus.DECIDING)
    make_panel(edition=award.edition, judges=[member])
    make_panel(edition=other_edition, judges=[outsider])

    response = organiser_client.post(
        reverse("admin:judging_award_changelist"),
        {"action": "assign_commentator_action", "_selected_action": [award.pk]},
    )

    html = response.text
    assert '<optgroup label="本届评审组成员">' in html
    assert html.index("乙评审组成员") < html.index('<optgroup label="其他专家">')
    assert html.index('<optgroup label="其他专家">') < html.index("甲外部专家")
