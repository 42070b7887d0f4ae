"""The inputs of the issue's fuzz run that ended in 500, now a 400 or a form error."""

import pytest
from django.urls import reverse

from cases.models import User
from config.bad_input import query_value_problem
from tests.factories import make_edition, make_user

pytestmark = pytest.mark.django_db

HUGE = "9" * 400


@pytest.fixture
def superuser_client(client):
    client.force_login(make_user(email="root@example.org", is_staff=True, is_superuser=True))
    client.raise_request_exception = False
    return client


@pytest.mark.parametrize(
    ("changelist", "parameter"),
    [
        ("admin:cases_case_changelist", "edition"),
        ("admin:cases_case_changelist", "category"),
        ("admin:judging_award_changelist", "edition"),
        ("admin:judging_award_changelist", "category"),
        ("admin:judging_award_changelist", "tier"),
        ("admin:judging_round_changelist", "edition"),
        ("admin:judging_roundentry_changelist", "round"),
        ("admin:cases_category_changelist", "edition__id__exact"),
    ],
)
def test_a_400_digit_id_on_a_changelist_is_a_400(superuser_client, changelist, parameter):
    make_edition()

    response = superuser_client.get(reverse(changelist), {parameter: HUGE})
    negative = superuser_client.get(reverse(changelist), {parameter: "-" + HUGE})

    assert response.status_code == 400
    assert negative.status_code == 400
    assert "请求有误" in response.text


def test_the_largest_64_bit_id_is_still_a_plain_filter(superuser_client):
    response = superuser_client.get(
        reverse("admin:cases_case_changelist"), {"edition": str(2**63 - 1)}
    )

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("url", "query"),
    [
        ("/admin/cases/case/", {"q": "a" * 100_000}),
        ("/admin/cases/case/", {"q": "政务\x00"}),
        ("/archive/", {"q": "x" * 60_000}),
        ("/archive/", {"year": HUGE}),
    ],
)
def test_nul_bytes_and_over_long_values_in_a_query_string_are_a_400(superuser_client, url, query):
    assert superuser_client.get(url, query).status_code == 400


def test_a_100000_character_username_is_a_form_error_not_a_500(client):
    client.raise_request_exception = False
    make_user(email="judge@example.org")

    response = client.post(
        reverse("login"), {"username": "a" * 100_000 + "@example.org", "password": "x"}
    )

    assert response.status_code == 200
    assert "254" in response.text  # the field's limit, next to it
    assert "_auth_user_id" not in client.session


def test_a_100000_character_password_is_refused_not_a_500(client):
    client.raise_request_exception = False
    make_user(email="judge@example.org")

    response = client.post(
        reverse("login"), {"username": "judge@example.org", "password": "p" * 100_000}
    )

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


@pytest.mark.parametrize(
    ("value", "problem"),
    [
        (str(2**63 - 1), None),
        (str(2**63), "integer out of range"),
        (str(-(2**63) - 1), "integer out of range"),
        ("0" * 30 + "12", None),  # leading zeros: still a small number
        ("+" + HUGE, "integer out of range"),
        ("2026年", None),
        ("a\x00b", "NUL byte"),
        ("x" * 2001, "too long"),
        ("x" * 2000, None),
    ],
)
def test_query_value_problems(value, problem):
    assert query_value_problem(value, 2000) == problem


FEB_31 = {"submitted_at__year": "2026", "submitted_at__month": "2", "submitted_at__day": "31"}


@pytest.mark.parametrize(
    ("query", "status"),
    [
        # Past 2³¹ Python's datetime overflows; the admin's date hierarchy caught only
        # ValueError (a 500).
        ({"submitted_at__year": "99999999999"}, 400),
        ({"submitted_at__year": "2026", "submitted_at__month": "-99999999999"}, 400),
        (FEB_31, 302),
        ({"submitted_at__year": "0002026"}, 200),  # leading zeros: year 2026
        ({"submitted_at__year": "9998"}, 200),
        ({"submitted_at__year": "9999"}, 400),  # Django builds the year after it: a 500
    ],
)
def test_a_date_part_no_date_has_is_a_400(superuser_client, query, status):
    make_edition()

    assert superuser_client.get(reverse("admin:cases_case_changelist"), query).status_code == status


def test_registration_with_huge_values_keeps_what_was_typed(client):
    from tests.cases.test_accounts import registration_data

    client.raise_request_exception = False
    response = client.post(
        reverse("register"),
        registration_data(full_name="李" * 100_000, unit_region=HUGE, phone="1" * 400),
    )

    assert response.status_code == 200
    assert not User.objects.exists()
    assert 'value="liming@example.org"' in response.text


@pytest.mark.parametrize("value", ["9999-99-99", "_", HUGE, "-1"])
def test_an_autocomplete_field_with_a_value_that_is_no_id_is_a_form_error(superuser_client, value):
    response = superuser_client.post(
        reverse("admin:cases_unitmembership_add"), {"user": value, "unit": value, "role": "x"}
    )

    assert response.status_code == 200
    assert "errornote" in response.text


@pytest.mark.parametrize(
    "url", ["admin:cases_case_export", "admin:cases_unit_export", "admin:judging_award_export"]
)
def test_an_export_page_with_a_parameter_that_is_no_filter_is_a_400(superuser_client, url):
    filtered = superuser_client.get(reverse(url), {"no_such_field": "1"})
    plain = superuser_client.get(reverse(url))

    assert filtered.status_code == 400
    assert plain.status_code == 200


def test_a_400_digit_id_in_a_multiple_choice_is_a_form_error(superuser_client):
    user = make_user(email="member@example.org")

    response = superuser_client.post(
        reverse("admin:cases_user_change", args=[user.pk]),
        {"email": "member@example.org", "groups": HUGE, "user_permissions": [HUGE, "1"]},
    )

    assert response.status_code == 200
    assert "errornote" in response.text


def test_in_lookups_ignore_ids_beyond_the_column():
    user = make_user(email="member@example.org")

    found = list(User.objects.filter(pk__in=[10**400, -(10**400), user.pk]))

    assert found == [user]
    assert list(User.objects.filter(pk__in=[10**400])) == []


@pytest.mark.parametrize("value", ["true", "-1", "9999-99-99"])
def test_the_panel_add_page_with_an_edition_that_is_no_id_shows_the_form(superuser_client, value):
    response = superuser_client.get(reverse("admin:judging_panel_add"), {"edition": value})

    assert response.status_code == 200


@pytest.mark.parametrize("value", ["1,2,3", "abc", "²"])
def test_the_assignment_round_filter_with_a_value_that_is_no_id_lists_nothing(
    superuser_client, value
):
    response = superuser_client.get(
        reverse("admin:judging_assignment_changelist"), {"round": value}
    )

    assert response.status_code == 200
