"""Back-office pages of the public vote: Django permissions, never staff status."""

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.auth.models import Permission
from django.urls import reverse

from cases.models import AuditEntry
from judging.models import RoundStatus
from judging.voting import services
from judging.voting.models import PublicVote, PublicVoteSettings
from tests.factories import make_user

from .scenario import make_vote_scenario, make_voter

pytestmark = pytest.mark.django_db


def _staff(*codenames):
    user = make_user(is_staff=True, is_superuser=False)
    user.user_permissions.set(
        Permission.objects.filter(content_type__app_label="judging", codename__in=codenames)
    )
    return user


def _pages(round_):
    return [
        reverse("admin:judging_publicvote_report", args=[round_.pk]),
        reverse("admin:judging_publicvotesettings_result", args=[round_.pk]),
        reverse("admin:judging_publicvote_changelist"),
    ]


def test_back_office_pages_by_role(client):
    round_, cases, _ = make_vote_scenario()
    services.vote_cast(round=round_, case_id=cases[0].pk, voter=make_voter())
    for url in _pages(round_):
        assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(_staff())
    for url in _pages(round_):
        assert client.get(url).status_code == 403
    client.force_login(_staff("view_publicvote", "view_publicvotesettings"))
    for url in _pages(round_):
        assert client.get(url).status_code == 200


def test_report_page_shows_the_networks(client):
    round_, cases, _ = make_vote_scenario()
    services.vote_cast(round=round_, case_id=cases[0].pk, voter=make_voter(), network="10.9.9.0/24")
    client.force_login(_staff("view_publicvote"))
    html = client.get(_pages(round_)[0]).content.decode()
    assert "10.9.9.0/24" in html and "100%" in html


def _void_post(client, votes, reason):
    return client.post(
        reverse("admin:judging_publicvote_changelist"),
        {
            "action": "void_selected",
            ACTION_CHECKBOX_NAME: [v.pk for v in votes],
            "apply": "1",
            "reason": reason,
        },
    )


def test_void_needs_the_void_permission(client):
    round_, cases, _ = make_vote_scenario()
    services.vote_cast(round=round_, case_id=cases[0].pk, voter=make_voter())
    client.force_login(_staff("view_publicvote"))
    _void_post(client, PublicVote.objects.all(), "刷票")
    assert PublicVote.objects.filter(voided_at__isnull=True).count() == 1
    client.force_login(_staff("view_publicvote", "void_publicvote"))
    response = _void_post(client, PublicVote.objects.all(), "")
    assert "errorlist" in response.content.decode()  # the reason is required, shown by the field
    _void_post(client, PublicVote.objects.all(), "同一网段刷票")
    vote = PublicVote.objects.get()
    assert vote.void_reason == "同一网段刷票" and vote.voided_by is not None
    assert AuditEntry.objects.filter(code="judging.public_vote.voided").count() == 1


def test_opening_needs_the_open_permission(client):
    round_, _, _ = make_vote_scenario(open=False)
    rules = PublicVoteSettings.objects.get(round=round_)
    data = {"action": "open_votes", ACTION_CHECKBOX_NAME: [rules.pk]}
    url = reverse("admin:judging_publicvotesettings_changelist")
    client.force_login(_staff("view_publicvotesettings"))
    client.post(url, data)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.DRAFT
    client.force_login(_staff("view_publicvotesettings", "open_publicvote"))
    client.post(url, data)
    round_.refresh_from_db()
    assert round_.status == RoundStatus.OPEN
