"""Who may open which portal page and file (DESIGN.md §6). Missing permission looks like a
missing object: 404. Anonymous visitors are sent to the login page."""

import pytest
from django.urls import reverse

from cases.models import CaseStatus
from cases.services.submission import case_submit
from tests.audit_helpers import audited
from tests.factories import (
    make_complete_case,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_unit,
    make_user,
)

pytestmark = pytest.mark.django_db

CASE_PAGES = [
    "portal:case-detail",
    "portal:case-update",
    "portal:case-withdraw",
    "portal:case-receipt",
    "portal:case-receipt-pdf",
    "portal:case-history",
]

# status code per role and page; the attachment download is checked separately.
EXPECTED = {
    "member": {
        "portal:case-detail": 200,
        "portal:case-update": 200,
        "portal:case-withdraw": 200,
        "portal:case-receipt": 200,
        "portal:case-receipt-pdf": 200,
        "portal:case-history": 404,
        "download": 200,
    },
    "other_unit": dict.fromkeys([*CASE_PAGES, "download"], 404),
    "judge": dict.fromkeys([*CASE_PAGES, "download"], 404),
    "no_unit": dict.fromkeys([*CASE_PAGES, "download"], 404),
    "organiser": {
        "portal:case-detail": 200,
        "portal:case-update": 404,
        "portal:case-withdraw": 404,
        "portal:case-receipt": 200,
        "portal:case-receipt-pdf": 200,
        "portal:case-history": 200,
        "download": 200,
    },
}


@pytest.fixture
def world():
    edition = make_edition()
    unit = make_unit(verified=True)
    member = make_member(unit=unit)
    case = case_submit(case=make_complete_case(edition=edition, owner_unit=unit), by=member)
    attachment = case.attachments.get()
    other_unit = make_unit(verified=True)
    return {
        "case": case,
        "attachment": attachment,
        "users": {
            "member": member,
            "other_unit": make_member(unit=other_unit),
            "judge": make_judge().user,
            "no_unit": make_user(),
            "organiser": make_organiser(),
        },
    }


def urls(world):
    case, attachment = world["case"], world["attachment"]
    pages = {name: reverse(name, args=[case.pk]) for name in CASE_PAGES}
    pages["download"] = reverse("portal:attachment-download", args=[attachment.pk])
    return pages


@pytest.mark.parametrize("role", list(EXPECTED))
def test_every_case_page_and_file_by_role(client, world, role):
    client.force_login(world["users"][role])

    got = {name: client.get(url).status_code for name, url in urls(world).items()}

    assert got == EXPECTED[role]


def test_anonymous_is_sent_to_login_for_every_page_and_file(client, world):
    for url in [*urls(world).values(), reverse("portal:case-list")]:
        response = client.get(url)

        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


@pytest.mark.parametrize("page", ["portal:case-update", "portal:case-withdraw"])
def test_other_unit_cannot_post_changes(client, world, page):
    client.force_login(world["users"]["other_unit"])
    case = world["case"]

    response = client.post(
        reverse(page, args=[case.pk]),
        {"media-TOTAL_FORMS": "0", "media-INITIAL_FORMS": "0", "title": "改掉", "submit": "1"},
    )

    assert response.status_code == 404
    case.refresh_from_db()
    assert case.title != "改掉"
    assert case.status == CaseStatus.SUBMITTED


def test_other_unit_cannot_remove_an_attachment_through_own_case(client, world):
    # The removal checkboxes are validated against the case's own files.
    other = world["users"]["other_unit"]
    own_case = make_complete_case(
        edition=world["case"].edition, owner_unit=other.unit_memberships.get().unit
    )
    client.force_login(other)

    client.post(
        reverse("portal:case-update", args=[own_case.pk]),
        {
            "media-TOTAL_FORMS": "0",
            "media-INITIAL_FORMS": "0",
            "title": "x",
            "save": "1",
            "remove_attachments": [world["attachment"].pk],
        },
    )

    assert world["case"].attachments.filter(pk=world["attachment"].pk).exists()


def test_other_unit_dashboard_does_not_list_the_case(client, world):
    client.force_login(world["users"]["other_unit"])

    response = client.get(reverse("portal:case-list"))

    assert world["case"].title not in response.text


def test_member_dashboard_lists_the_case(client, world):
    client.force_login(world["users"]["member"])

    response = client.get(reverse("portal:case-list"))

    assert world["case"].title in response.text


def test_colleague_in_same_unit_sees_and_edits(client, world):
    colleague = make_member(unit=world["case"].owner_unit)
    client.force_login(colleague)

    assert client.get(reverse("portal:case-update", args=[world["case"].pk])).status_code == 200


def test_download_returns_file_as_attachment_with_original_name(client, world):
    client.force_login(world["users"]["member"])
    attachment = world["attachment"]

    response = client.get(reverse("portal:attachment-download", args=[attachment.pk]))

    assert b"".join(response.streaming_content).startswith(b"%PDF-")
    assert response["Content-Type"] == "application/pdf"
    assert "attachment;" in response["Content-Disposition"]
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]
    entry = audited("cases.attachment.downloaded", actor=world["users"]["member"], obj=attachment)
    assert entry.data == {
        "filename": attachment.original_name,
        "case": attachment.case_id,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "via": "portal",
    }


def test_download_of_missing_attachment_is_404(client, world):
    client.force_login(world["users"]["member"])

    assert client.get(reverse("portal:attachment-download", args=[999999])).status_code == 404


def test_start_page_by_role(client, world):
    url = reverse("portal:case-create", args=[world["case"].edition_id])

    anonymous = client.get(url)
    client.force_login(world["users"]["no_unit"])
    no_unit = client.get(url)
    client.force_login(world["users"]["member"])
    member = client.get(url)

    assert anonymous["Location"].startswith(reverse("login"))
    assert no_unit["Location"] == reverse("unit-members")
    assert member.status_code == 200


def test_cannot_start_a_case_for_another_unit(client, world):
    edition = world["case"].edition
    foreign_unit = world["case"].owner_unit
    client.force_login(world["users"]["other_unit"])

    response = client.post(
        reverse("portal:case-create", args=[edition.pk]),
        {"owner_unit": foreign_unit.pk, "title": "冒名申报"},
    )

    assert response.status_code == 200
    assert not foreign_unit.owned_cases.filter(title="冒名申报").exists()
