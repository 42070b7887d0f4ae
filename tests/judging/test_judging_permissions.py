"""Every workspace view and download, for each role of DESIGN.md §6. Missing permission and
missing object look the same: 404."""

import pytest
from django.urls import reverse

from judging import permissions
from judging.models import Review, ReviewStatus, RoundKind
from judging.services.reviews import review_save
from tests.factories import make_assignment, make_judge, make_round, make_tier
from tests.judging import workspace_scenario

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "judge", "other_judge", "conflicted_judge", "chair", "organiser"]


def urls(s):
    round_, case = s.round, s.case
    return {
        "round-list": reverse("judging:round-list"),
        "round-detail": reverse("judging:round-detail", args=[round_.pk]),
        "case-detail": reverse("judging:case-detail", args=[round_.pk, case.pk]),
        "attachment-download": reverse(
            "judging:attachment-download", args=[round_.pk, case.pk, s.attachments[0].pk]
        ),
        "recusal-create": reverse("judging:recusal-create", args=[round_.pk, case.pk]),
        "panel-overview": reverse("judging:panel-overview", args=[round_.pk]),
    }


EXPECTED = {
    # view:             member judge other conflicted chair organiser
    "round-list": (200, 200, 200, 200, 200, 200),
    "round-detail": (404, 200, 200, 404, 200, 404),
    "case-detail": (404, 200, 404, 404, 200, 404),
    "attachment-download": (404, 200, 404, 404, 200, 404),
    "recusal-create": (404, 200, 404, 404, 404, 404),
    "panel-overview": (404, 404, 404, 404, 200, 404),
}


def login(client, s, role, settings):
    if role == "anonymous":
        # The login page lives on the accounts branch; a path keeps this test independent.
        settings.LOGIN_URL = "/accounts/login/"
    else:
        client.force_login(s.users[role])


@pytest.mark.parametrize("view", list(EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_workspace_view_status_per_role(client, settings, view, role):
    s = workspace_scenario.build()
    login(client, s, role, settings)

    response = client.get(urls(s)[view])

    if role == "anonymous":
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/?next=")
    else:
        assert response.status_code == EXPECTED[view][ROLES.index(role) - 1]


@pytest.mark.parametrize("role", ROLES[1:])
def test_score_post_allowed_only_for_the_assigned_judge(client, role):
    s = workspace_scenario.build()
    client.force_login(s.users[role])
    criteria = list(s.round.criteria.all())
    data = {f"criterion_{c.pk}": "5" for c in criteria} | {"version": "0", "action": "draft"}

    response = client.post(urls(s)["case-detail"], data)

    if role == "judge":
        assert response.status_code == 302
        assert Review.objects.get().assignment == s.assignment
    else:
        assert response.status_code == 404
        assert not Review.objects.exists()


def test_organiser_without_judge_row_gets_404_on_score_form_even_as_superuser(client):
    s = workspace_scenario.build()
    s.organiser.is_superuser = True
    s.organiser.save(update_fields=["is_superuser"])
    client.force_login(s.organiser)

    assert client.get(urls(s)["case-detail"]).status_code == 404


def test_unknown_case_and_attachment_are_404(client):
    s = workspace_scenario.build()
    client.force_login(s.judge.user)

    missing_case = reverse("judging:case-detail", args=[s.round.pk, 999999])
    missing_file = reverse("judging:attachment-download", args=[s.round.pk, s.case.pk, 999999])

    assert client.get(missing_case).status_code == 404
    assert client.get(missing_file).status_code == 404


def test_attachment_of_another_case_through_assigned_case_url_is_404(client):
    s = workspace_scenario.build()
    other = workspace_scenario.build()
    client.force_login(s.judge.user)

    url = reverse(
        "judging:attachment-download", args=[s.round.pk, s.case.pk, other.attachments[0].pk]
    )

    assert client.get(url).status_code == 404


def test_case_of_a_draft_round_is_404_for_the_assigned_judge(client):
    s = workspace_scenario.build(status="draft")
    client.force_login(s.judge.user)

    assert client.get(urls(s)["case-detail"]).status_code == 404
    assert client.get(urls(s)["round-detail"]).status_code == 404


def test_assigned_case_url_in_another_round_is_404(client):
    s = workspace_scenario.build()
    later = make_round(edition=s.edition, order=2, status="open")
    client.force_login(s.judge.user)

    url = reverse("judging:case-detail", args=[later.pk, s.case.pk])

    assert client.get(url).status_code == 404


def test_judge_conflicted_through_affiliation_cannot_see_case(client):
    s = workspace_scenario.build()
    insider = make_judge(affiliation=s.case.submitting_unit)
    make_assignment(round=s.round, case=s.case, judge=insider)
    client.force_login(insider.user)

    assert client.get(urls(s)["case-detail"]).status_code == 404
    assert not permissions.can_view_case_as_judge(insider.user, s.round, s.case)


def test_chair_in_conflict_with_case_cannot_see_it(client):
    s = workspace_scenario.build()
    from judging.models import Conflict, ConflictSource

    Conflict.objects.create(
        judge=s.chair, case=s.case, source=ConflictSource.DECLARED, reason="曾任顾问"
    )
    client.force_login(s.chair.user)

    assert client.get(urls(s)["case-detail"]).status_code == 404
    assert client.get(urls(s)["attachment-download"]).status_code == 404


def submit_review(assignment, value="8"):
    criteria = list(assignment.round.criteria.all())
    return review_save(
        assignment=assignment,
        values={c.pk: value for c in criteria},
        comment=f"{assignment.judge.name}的评语",
        submit=True,
        expected_version=0,
        by=assignment.judge.user,
    )


def test_other_judges_scores_hidden_when_round_does_not_allow(client):
    s = workspace_scenario.build(judges_see_others=False)
    colleague = make_judge(name="周评审")
    colleague_review = submit_review(make_assignment(round=s.round, case=s.case, judge=colleague))
    submit_review(s.assignment)
    client.force_login(s.judge.user)

    response = client.get(urls(s)["case-detail"])

    assert "周评审的评语" not in response.text
    assert not permissions.can_see_review(s.judge.user, colleague_review)


def test_other_judges_scores_shown_only_after_own_submit_when_allowed(client):
    s = workspace_scenario.build(judges_see_others=True)
    colleague = make_judge(name="周评审")
    colleague_review = submit_review(make_assignment(round=s.round, case=s.case, judge=colleague))
    client.force_login(s.judge.user)

    before = client.get(urls(s)["case-detail"])
    can_before = permissions.can_see_review(s.judge.user, colleague_review)
    submit_review(s.assignment)
    after = client.get(urls(s)["case-detail"])

    assert "周评审的评语" not in before.text
    assert can_before is False
    assert "周评审的评语" in after.text
    assert permissions.can_see_review(s.judge.user, colleague_review)


def test_draft_review_of_another_judge_is_never_visible():
    s = workspace_scenario.build(judges_see_others=True)
    colleague_assignment = make_assignment(round=s.round, case=s.case, judge=make_judge())
    criteria = list(s.round.criteria.all())
    draft = review_save(
        assignment=colleague_assignment,
        values={criteria[0].pk: "3"},
        comment="",
        submit=False,
        expected_version=0,
        by=colleague_assignment.judge.user,
    )
    submit_review(s.assignment)

    assert draft.status == ReviewStatus.DRAFT
    assert not permissions.can_see_review(s.judge.user, draft)
    assert not permissions.can_see_review(s.chair.user, draft)


def test_chair_sees_panel_scores_and_judge_sees_own(client):
    s = workspace_scenario.build(judges_see_others=False)
    review = submit_review(s.assignment, value="7")
    client.force_login(s.chair.user)

    response = client.get(urls(s)["case-detail"])

    assert "陈评审的评语" in response.text
    assert permissions.can_see_review(s.chair.user, review)
    assert permissions.can_see_review(s.judge.user, review)
    assert not permissions.can_see_review(s.other_judge.user, review)
    assert not permissions.can_see_review(s.organiser, review)


def test_chair_of_another_category_panel_sees_nothing(client):
    from tests.factories import make_category, make_panel

    s = workspace_scenario.build()
    other_chair = make_judge()
    make_panel(
        edition=s.edition,
        categories=[make_category(edition=s.edition)],
        judges=[other_chair],
        role="chair",
    )
    client.force_login(other_chair.user)

    assert client.get(urls(s)["case-detail"]).status_code == 404
    assert client.get(urls(s)["panel-overview"]).status_code == 200
    assert "社会信用体系建设" not in client.get(urls(s)["panel-overview"]).text


def vote_scenario():
    s = workspace_scenario.build(kind=RoundKind.VOTE)
    make_tier(edition=s.edition, name="最佳案例", order=1)
    return s


VOTE_EXPECTED = {
    # view:        member judge other conflicted chair organiser
    "vote-list": (404, 200, 200, 404, 200, 404),
    "vote-tally": (404, 404, 404, 404, 200, 200),
}


@pytest.mark.parametrize("view", list(VOTE_EXPECTED))
@pytest.mark.parametrize("role", ROLES)
def test_vote_views_status_per_role(client, settings, view, role):
    s = vote_scenario()
    login(client, s, role, settings)

    response = client.get(reverse(f"judging:{view}", args=[s.round.pk]))

    if role == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == VOTE_EXPECTED[view][ROLES.index(role) - 1]


def test_tally_of_a_scoring_round_is_404_even_for_organiser(client):
    s = workspace_scenario.build()
    client.force_login(s.organiser)

    assert client.get(reverse("judging:vote-tally", args=[s.round.pk])).status_code == 404
