"""The back-office result pages: ranking table, per-case detail, calibration, overview."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Permission
from django.core.cache import cache
from django.urls import reverse

from cases.models import AuditEntry, Case, CaseStatus, EditionStatus
from judging.models import (
    Aggregation,
    Assignment,
    PanelRole,
    Review,
    RoundEntry,
    RoundKind,
    RoundStatus,
)
from judging.services.reviews import review_save
from judging.services.tabulation import tabulate_round
from tests.factories import (
    make_case,
    make_category,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_panel,
    make_round,
    make_round_entry,
    make_scored_review,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

CRITERIA = [("创新性", "0.4", 10), ("实效性", "0.3", 10), ("可推广性", "0.3", 10)]


@pytest.fixture
def scored():
    """A scoring round (mean) with two cases in one category, reviewed by two judges."""
    edition = make_edition(status=EditionStatus.REVIEWING)
    category = make_category(edition=edition, name="政府治理创新")
    round_ = make_round(edition=edition, criteria=CRITERIA)
    owner = make_unit(name="惠州市发展和改革局")
    first = make_case(
        edition=edition,
        category=category,
        owner_unit=owner,
        status=CaseStatus.IN_REVIEW,
        reference="2026-ZF-0001",
        title="惠州市社会信用体系建设",
    )
    second = make_case(
        edition=edition,
        category=category,
        status=CaseStatus.IN_REVIEW,
        reference="2026-ZF-0002",
        title="潮州创建乡贤咨询委员会",
    )
    lenient, severe = make_judge(name="陈天祥"), make_judge(name="张志安")
    make_panel(edition=edition, categories=[category], judges=[lenient, severe])
    # first: lenient (10, 10, 10) → 100, severe (4, 5, 6) → 16 + 15 + 18 = 49 → mean 74.5,
    #        σ = 25.5 > 15: disagreement
    # second: lenient (9, 9, 9) → 90, severe (3, 3, 3) → 30 → mean 60
    make_scored_review(
        round=round_, case=first, judge=lenient, values=[10, 10, 10], comment="创新突出"
    )
    make_scored_review(
        round=round_, case=first, judge=severe, values=[4, 5, 6], comment="成效待观察"
    )
    make_scored_review(round=round_, case=second, judge=lenient, values=[9, 9, 9])
    make_scored_review(round=round_, case=second, judge=severe, values=[3, 3, 3])
    for case in (first, second):
        make_round_entry(round=round_, case=case)
    return {
        "round": round_,
        "first": first,
        "second": second,
        "judges": (lenient, severe),
        "owner": owner,
        "edition": edition,
        "category": category,
    }


def ranking_url(round_):
    return reverse("admin:judging_round_ranking", args=[round_.pk])


# --- permissions, for each role of DESIGN.md §6 -------------------------------------------
def role_user(role, scored):
    if role == "public":
        return None
    if role == "unit_member":
        return make_member(unit=scored["owner"])
    if role == "judge":
        return scored["judges"][0].user
    if role == "panel_chair":
        chair = make_judge()
        make_panel(
            edition=scored["edition"],
            categories=[scored["category"]],
            judges=[chair],
            role=PanelRole.CHAIR,
        )
        return chair.user
    if role == "staff_without_permission":
        return make_user(is_staff=True, is_superuser=False)
    return make_organiser()


RESULT_PAGES = [
    "admin:judging_round_ranking",
    "admin:judging_round_calibration",
    "admin:judging_round_export_xlsx",
    "admin:judging_round_export_csv",
    "admin:judging_round_advancement",
]


@pytest.mark.parametrize("page", RESULT_PAGES)
@pytest.mark.parametrize("role", ["public", "unit_member", "judge", "panel_chair"])
def test_result_pages_send_everyone_but_staff_to_the_admin_login(client, scored, page, role):
    user = role_user(role, scored)
    if user is not None:
        client.force_login(user)

    response = client.get(reverse(page, args=[scored["round"].pk]))

    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


@pytest.mark.parametrize("page", RESULT_PAGES)
def test_result_pages_are_404_for_staff_without_the_permission(client, scored, page):
    client.force_login(role_user("staff_without_permission", scored))

    response = client.get(reverse(page, args=[scored["round"].pk]))

    assert response.status_code == 404


@pytest.mark.parametrize("page", RESULT_PAGES)
def test_result_pages_open_for_the_organiser(client, scored, page):
    client.force_login(make_organiser())

    response = client.get(reverse(page, args=[scored["round"].pk]))

    assert response.status_code == 200


def test_staff_with_view_permission_reads_but_cannot_tabulate(client, scored):
    viewer = make_user(is_staff=True, is_superuser=False)
    viewer.user_permissions.add(Permission.objects.get(codename="view_roundentry"))
    client.force_login(viewer)

    assert client.get(ranking_url(scored["round"])).status_code == 200
    assert client.post(ranking_url(scored["round"])).status_code == 404
    assert not AuditEntry.objects.filter(code="judging.round.tabulated").exists()


def test_missing_round_is_404(client):
    client.force_login(make_organiser())

    assert client.get(reverse("admin:judging_round_ranking", args=[999999])).status_code == 404


def test_ranking_of_a_vote_round_is_404(client, scored):
    vote_round = make_round(edition=scored["edition"], order=2, kind=RoundKind.VOTE)
    client.force_login(make_organiser())

    assert client.get(ranking_url(vote_round)).status_code == 404


# --- content ---------------------------------------------------------------------------------
def test_ranking_shows_mean_and_zscore_side_by_side_with_disagreement(client, scored):
    client.force_login(make_organiser())

    response = client.get(ranking_url(scored["round"]))

    rows = {row.case.reference: row for row in response.context["table"].rows}
    first, second = rows["2026-ZF-0001"], rows["2026-ZF-0002"]
    assert (first.rank, first.score, first.mean_rank) == (1, Decimal("74.5000"), 1)
    assert (second.rank, second.score) == (2, Decimal("60.0000"))
    # zscore: each judge has two reviews and ranks first above second, so z = +1 / −1:
    # first = 50 + 10 × 1 = 60, second = 40
    assert (first.zscore_score, first.zscore_rank) == (Decimal("60.0000"), 1)
    assert (second.zscore_score, second.zscore_rank) == (Decimal("40.0000"), 2)
    # first: σ of 100 and 49 = 25.5 > 15; second: σ of 90 and 30 = 30
    assert first.disagreement is True
    assert first.sigma == Decimal("25.50")
    assert "惠州市社会信用体系建设" in response.text
    assert "尚未保存排名" in response.text


def test_ranking_post_tabulates_and_redirects(client, scored):
    organiser = make_organiser()
    client.force_login(organiser)

    response = client.post(ranking_url(scored["round"]))

    assert response.status_code == 302
    entry = RoundEntry.objects.get(round=scored["round"], case=scored["first"])
    assert (entry.score, entry.rank) == (Decimal("74.5000"), 1)
    assert AuditEntry.objects.get(code="judging.round.tabulated").actor == organiser
    page = client.get(response.url)
    assert "已计算 2 个案例的得分和名次,2 个有变化。" in page.text
    assert "尚未保存排名" not in page.text


def test_ranking_warns_when_the_stored_ranking_is_stale(client, scored):
    client.force_login(make_organiser())
    client.post(ranking_url(scored["round"]))
    RoundEntry.objects.filter(round=scored["round"], case=scored["second"]).update(rank=1)

    response = client.get(ranking_url(scored["round"]))

    assert "已保存的得分或名次与当前评分不一致" in response.text


def test_ranking_filters_by_category(client, scored):
    other = make_category(edition=scored["edition"], name="舆情引导")
    case = make_case(edition=scored["edition"], category=other, reference="2026-YQ-0001")
    make_round_entry(round=scored["round"], case=case)
    client.force_login(make_organiser())

    response = client.get(ranking_url(scored["round"]), {"category": other.pk})

    assert [row.case.reference for row in response.context["table"].rows] == ["2026-YQ-0001"]


def test_ranking_official_score_follows_the_round_aggregation(client, scored):
    scored["round"].aggregation = Aggregation.ZSCORE
    scored["round"].save()
    client.force_login(make_organiser())

    response = client.get(ranking_url(scored["round"]))

    first = response.context["table"].rows[0]
    assert (first.case.reference, first.score, first.mean_score) == (
        "2026-ZF-0001",
        Decimal("60.0000"),
        Decimal("74.5000"),
    )


# --- cached figures: recomputed whenever what they are computed from changed -----------------
def ranking_row(client, round_, reference):
    response = client.get(ranking_url(round_))
    return next(row for row in response.context["table"].rows if row.case.reference == reference)


def test_ranking_follows_a_score_saved_after_the_figures_were_cached(client, scored):
    round_ = scored["round"]
    round_.status = RoundStatus.OPEN
    round_.save()
    client.force_login(make_organiser())
    assert ranking_row(client, round_, "2026-ZF-0002").score == Decimal("60.0000")
    severe = scored["judges"][1]
    assignment = Assignment.objects.get(round=round_, case=scored["second"], judge=severe)

    # severe re-scores second (3, 3, 3) → (9, 9, 9): 90, so second = (90 + 90) / 2 = 90
    review_save(
        assignment=assignment,
        values={c.pk: "9" for c in round_.criteria.all()},
        comment="",
        submit=True,
        expected_version=assignment.review.version,
        by=severe.user,
    )
    second = ranking_row(client, round_, "2026-ZF-0002")

    assert (second.score, second.rank) == (Decimal("90.0000"), 1)


def test_ranking_follows_a_criterion_weight_changed_after_the_figures_were_cached(client, scored):
    client.force_login(make_organiser())
    assert ranking_row(client, scored["round"], "2026-ZF-0001").score == Decimal("74.5000")

    # weights 0.4/0.3/0.3 → 0.2/0.3/0.3 (Σw = 0.8): severe's (4, 5, 6) →
    # 100 × (0.2·0.4 + 0.3·0.5 + 0.3·0.6) / 0.8 = 100 × 0.41 / 0.8 = 51.25; lenient still 100;
    # first = (100 + 51.25) / 2 = 75.625
    scored["round"].criteria.filter(order=0).update(weight=Decimal("0.2"))
    first = ranking_row(client, scored["round"], "2026-ZF-0001")

    assert first.score == Decimal("75.6250")


def test_ranking_follows_a_case_moved_to_another_category_after_the_figures_were_cached(
    client, scored
):
    client.force_login(make_organiser())
    assert ranking_row(client, scored["round"], "2026-ZF-0002").rank == 2
    other = make_category(edition=scored["edition"], name="舆情引导")

    Case.objects.filter(pk=scored["second"].pk).update(category=other)
    second = ranking_row(client, scored["round"], "2026-ZF-0002")

    assert (second.rank, second.case.category.name) == (1, "舆情引导")


def test_ranking_shows_the_stored_ranking_written_after_the_figures_were_cached(client, scored):
    client.force_login(make_organiser())
    assert ranking_row(client, scored["round"], "2026-ZF-0001").stale is True

    tabulate_round(round=scored["round"], by=None)
    first = ranking_row(client, scored["round"], "2026-ZF-0001")

    assert (first.stale, first.entry.score, first.entry.rank) == (False, Decimal("74.5000"), 1)


def test_case_detail_shows_each_judge_scores_and_comment(client, scored):
    client.force_login(make_organiser())
    url = reverse("admin:judging_round_ranking_case", args=[scored["round"].pk, scored["first"].pk])

    response = client.get(url)

    assert response.status_code == 200
    details = {r.judge.name: r for r in response.context["reviews"]}
    assert details["陈天祥"].score_display == Decimal("100.0000")
    assert details["陈天祥"].z_display == Decimal("1.0000")
    assert details["张志安"].values == [Decimal("4"), Decimal("5"), Decimal("6")]
    assert "成效待观察" in response.text


def test_case_detail_of_a_case_outside_the_round_is_404(client, scored):
    outsider = make_case(edition=scored["edition"])
    client.force_login(make_organiser())

    response = client.get(
        reverse("admin:judging_round_ranking_case", args=[scored["round"].pk, outsider.pk])
    )

    assert response.status_code == 404


def test_calibration_page_warns_about_a_judge_with_one_review(client, scored):
    single = make_judge(name="单评专家")
    third = make_case(edition=scored["edition"], category=scored["category"])
    make_scored_review(round=scored["round"], case=third, judge=single, values=[5, 5, 5])
    client.force_login(make_organiser())

    response = client.get(reverse("admin:judging_round_calibration", args=[scored["round"].pk]))

    assert "单评专家" in response.text
    assert "评分少于 2 份,无法按该专家归一化" in response.text
    assert response.context["calibration"].warnings == 1


def test_results_overview_lists_rounds_with_links(client, scored):
    client.force_login(make_organiser())

    response = client.get(reverse("admin:judging_results"))

    assert response.status_code == 200
    assert ranking_url(scored["round"]) in response.text


def test_roundentry_changelist_links_to_the_results(client, scored):
    client.force_login(make_organiser())

    response = client.get(reverse("admin:judging_roundentry_changelist"))

    assert reverse("admin:judging_results") in response.text


# --- query counts ------------------------------------------------------------------------------
def add_cases(scored, rows):
    for n in range(rows):
        case = make_case(
            edition=scored["edition"], category=scored["category"], reference=f"2026-ZF-1{n:03d}"
        )
        make_round_entry(round=scored["round"], case=case)
        for judge in scored["judges"]:
            make_scored_review(round=scored["round"], case=case, judge=judge, values=[n % 10, 5, 5])


@pytest.mark.parametrize("rows", [1, 5])
def test_ranking_query_count_does_not_grow_with_cases(
    client, scored, django_assert_num_queries, rows
):
    add_cases(scored, rows)
    client.force_login(make_organiser())
    cache.clear()

    # session, user, round, categories, the round's data version, criteria, entries,
    # criterion scores (the figures are computed: nothing kept yet)
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(10):
        client.get(ranking_url(scored["round"]))


@pytest.mark.parametrize("rows", [1, 5])
def test_ranking_query_count_after_a_score_change_does_not_grow_with_cases(
    client, scored, django_assert_num_queries, rows
):
    add_cases(scored, rows)
    client.force_login(make_organiser())
    client.get(ranking_url(scored["round"]))
    review = Review.objects.filter(assignment__case=scored["first"]).first()
    review.version += 1
    review.save()

    # session, user, round, categories, the round's data version, the reviews it logged
    # since, criteria, their criterion scores (not the round's)
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(10):
        client.get(ranking_url(scored["round"]))


@pytest.mark.parametrize("rows", [1, 5])
def test_ranking_query_count_with_cached_figures_does_not_grow_with_cases(
    client, scored, django_assert_num_queries, rows
):
    add_cases(scored, rows)
    client.force_login(make_organiser())
    client.get(ranking_url(scored["round"]))

    # session, user, round, categories, the round's data version: neither the entries nor
    # the criterion scores are read again while the round's data is unchanged
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(7):
        client.get(ranking_url(scored["round"]))


@pytest.mark.parametrize("rows", [1, 5])
def test_calibration_query_count_does_not_grow_with_cases(
    client, scored, django_assert_num_queries, rows
):
    add_cases(scored, rows)
    client.force_login(make_organiser())

    # session, user, round, criteria, criterion scores, judges
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(8):
        client.get(reverse("admin:judging_round_calibration", args=[scored["round"].pk]))


@pytest.mark.parametrize("rows", [1, 5])
def test_overview_query_count_does_not_grow_with_rounds(
    client, scored, django_assert_num_queries, rows
):
    for n in range(rows):
        make_round(edition=scored["edition"], order=10 + n)
    client.force_login(make_organiser())

    # session, user, rounds with their entry counts
    # + the user's and the groups' permissions (organisers are no longer superusers)
    with django_assert_num_queries(5):
        client.get(reverse("admin:judging_results"))
