"""IN-01: forms take only the fields they name. Extra fields posted to the unit's case form,
the judge's score form and the registration form (status, score, reference, owner unit,
is_staff, is_superuser, verified…) are ignored; over-length text is refused by the server
with a message beside the field. The static half (no `fields = "__all__"`, no exclude-only
form or resource) is in tests/security/test_code_rules.py; the 案例简介 字 limit on submit is
tests/cases/test_portal_form.py::test_summary_one_over_the_limit_in_mixed_text_is_refused."""

import pytest
from django.urls import reverse

from cases.models import Case, CaseStatus, MembershipRole, Unit, User
from judging.forms.workspace import JUDGE_TEXT_MAX_CHARS
from judging.models import Review, ReviewStatus
from tests.cases.test_accounts import registration_data
from tests.cases.test_portal_form import form_data
from tests.factories import make_case, make_category, make_edition, make_member, make_unit
from tests.judging import workspace_scenario
from tests.judging.test_workspace_views import case_url, score_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def unit_case(client):
    edition = make_edition()
    make_unit(name="惠州市信用办")  # the second lead unit of `form_data`
    unit = make_unit(name="惠州市发展和改革局", verified=True)
    member = make_member(unit=unit, role=MembershipRole.ADMIN, full_name="李明")
    client.force_login(member)
    case = make_case(edition=edition, owner_unit=unit, category=make_category(edition=edition))
    return case


def test_case_form_ignores_status_reference_owner_and_score(client, unit_case):
    case = unit_case
    other_unit = make_unit(name="别的单位")
    other_edition = make_edition()
    before = Case.objects.values().get(pk=case.pk)
    extra = {
        "status": CaseStatus.AWARDED,
        "reference": "2026-XX-9999",
        "owner_unit": other_unit.pk,
        "owner_unit_id": other_unit.pk,
        "edition": other_edition.pk,
        "submitted_at": "2026-01-01 00:00",
        "score": "100",
        "id": "424242",
    }

    response = client.post(
        reverse("portal:case-update", args=[case.pk]), form_data(case, save="1", **extra)
    )

    assert response.status_code == 302
    after = Case.objects.values().get(pk=case.pk)
    assert after["summary"] == "惠州率先建成公共信用信息管理系统。"  # the named fields were saved
    for name in ("status", "reference", "owner_unit_id", "edition_id", "submitted_at", "id"):
        assert after[name] == before[name], name
    assert not Case.objects.filter(pk=424242).exists()


def test_case_form_refuses_an_over_length_title_beside_the_field(client, unit_case):
    case = unit_case

    response = client.post(
        reverse("portal:case-update", args=[case.pk]), form_data(case, save="1", title="长" * 201)
    )

    assert response.status_code == 200
    assert 'id="id_title_error"' in response.text
    case.refresh_from_db()
    assert case.title != "长" * 201


def test_score_form_ignores_posted_score_status_and_assignment(client):
    s = workspace_scenario.build()
    client.force_login(s.judge.user)
    extra = {
        "score": "100",
        "status": ReviewStatus.SUBMITTED,
        "submitted_at": "2026-01-01 00:00",
        "assignment": "999999",
        "judge": str(s.other_judge.pk),
        "version": "0",
    }

    response = client.post(case_url(s), score_data(s, "8", "", "", comment="草稿") | extra)

    assert response.status_code == 302
    review = Review.objects.get()
    assert review.assignment_id == s.assignment.pk
    assert review.status == ReviewStatus.DRAFT
    assert review.submitted_at is None
    assert review.score is None or str(review.score) != "100.0000"
    assert s.other_judge.pk not in set(Review.objects.values_list("assignment__judge", flat=True))


def test_score_form_refuses_an_over_length_comment_and_keeps_the_scores(client):
    s = workspace_scenario.build()
    client.force_login(s.judge.user)
    comment = "评" * (JUDGE_TEXT_MAX_CHARS + 1)

    response = client.post(case_url(s), score_data(s, "8", "6", "10", comment=comment))

    assert response.status_code == 400
    assert 'id="id_comment-errors"' in response.text
    assert 'value="10"' in response.text  # the typed scores are kept
    assert not Review.objects.exists()


def test_registration_ignores_staff_superuser_and_verified(client):
    extra = {
        "is_staff": "on",
        "is_superuser": "on",
        "is_active": "on",
        "verified": "on",
        "unit_verified": "on",
        "groups": "1",
        "role": MembershipRole.ADMIN,
    }

    response = client.post(reverse("register"), registration_data() | extra)

    assert response.status_code == 302
    user = User.objects.get(email="liming@example.org")
    assert (user.is_staff, user.is_superuser) == (False, False)
    assert not user.groups.exists() and not user.user_permissions.exists()
    assert Unit.objects.get(name="惠州市发展和改革局").verified is False
