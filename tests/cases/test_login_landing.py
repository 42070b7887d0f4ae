"""After login without `next`: an organiser lands in the back office, a judge in the
workspace, a unit in the portal (issue 13); a `next` still wins."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from tests.factories import make_judge, make_member, make_organiser, make_unit, make_user

pytestmark = pytest.mark.django_db
PASSWORD = "pass-1234-word"


def _login(client, user, **extra):
    return client.post(
        reverse("login") + extra.get("query", ""),
        {"username": user.email, "password": PASSWORD},
    )


def test_organiser_lands_in_the_back_office(client):
    response = _login(client, make_organiser())
    assert response.status_code == 302
    assert response.url == reverse("admin:index")


def test_staff_without_any_permission_is_not_sent_to_the_back_office(client):
    user = make_user(is_staff=True, is_superuser=False)
    assert _login(client, user).url == reverse("portal:case-list")
    user.user_permissions.add(Permission.objects.get(codename="view_award"))
    client.logout()
    assert _login(client, user).url == reverse("admin:index")


def test_judge_lands_in_the_workspace(client):
    judge = make_judge()
    assert _login(client, judge.user).url == reverse("judging:round-list")


def test_unit_member_lands_in_the_portal(client):
    member = make_member(unit=make_unit())
    assert _login(client, member).url == reverse("portal:case-list")


def test_next_still_wins(client):
    judge = make_judge()
    response = _login(client, judge.user, query="?next=/portal/")
    assert response.url == "/portal/"
