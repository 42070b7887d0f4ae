import pytest
from django.urls import reverse

from cases.models import EditionStatus
from tests.factories import make_category, make_edition, make_programme

pytestmark = pytest.mark.django_db


def test_home_lists_programmes_in_chinese(client):
    make_programme(name="粤治—治理现代化")

    response = client.get(reverse("cases:home"))

    assert response.status_code == 200
    assert "粤治—治理现代化" in response.text
    assert '<html lang="zh-hans">' in response.text


def test_home_hides_draft_editions(client):
    programme = make_programme()
    make_edition(programme=programme, status=EditionStatus.DRAFT, title="筹备中的一届")

    response = client.get(reverse("cases:home"))

    assert "筹备中的一届" not in response.text


@pytest.mark.parametrize("rows", [1, 5])
def test_home_query_count_does_not_grow_with_programmes(client, django_assert_num_queries, rows):
    for _ in range(rows):
        edition = make_edition(programme=make_programme())
        make_category(edition=edition)

    # programmes (3), open calls, open public votes (judging's template tag)
    with django_assert_num_queries(5):
        client.get(reverse("cases:home"))


def test_draft_edition_page_is_404(client):
    edition = make_edition(status=EditionStatus.DRAFT)

    response = client.get(edition.get_absolute_url())

    assert response.status_code == 404


def test_home_lists_programmes_in_their_order(client):
    make_programme(name="乙活动", order=2)
    make_programme(name="甲活动", order=1)

    response = client.get(reverse("cases:home"))

    assert response.text.index("甲活动") < response.text.index("乙活动")


def test_admin_login_without_next_redirects_to_a_real_page(client):
    from tests.factories import make_organiser

    make_organiser(email="org@example.org", password="pass-1234-word")

    response = client.post(
        reverse("admin:login"), {"username": "org@example.org", "password": "pass-1234-word"}
    )

    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
