"""A unit learns its result when the public does: publication settles 获奖 / 未获奖 at once,
but until the embargo time (`Edition.results_published_at`) every portal page shows such a
case as 评审中, with no tier, citation, commentator or certificate."""

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from cases.models import CaseStatus, Edition, EditionStatus
from cases.portal_selectors import APPROVED_CITATION
from cases.services import case_transition, edition_transition
from cases.services.submission import case_submit
from judging.models import CitationStatus
from judging.services.publication import publish_results
from tests.factories import (
    make_award,
    make_category,
    make_complete_case,
    make_edition,
    make_judge,
    make_member,
    make_organiser,
    make_tier,
    make_unit,
)

pytestmark = pytest.mark.django_db

TIER = "最佳案例"
CITATION = "以数据共享打通政务服务的最后一公里。"
COMMENTATOR = "陈天祥"
# Words that reveal a result. "获奖" alone is also the start of the site menu's "获奖案例库",
# so it is looked for in the page's <main> only.
RESULT_WORDS = ["获奖", "未获奖", TIER, CITATION, COMMENTATOR, "获奖证书"]


def main_text(response):
    return re.search(r"<main.*?</main>", response.text, re.S).group(0)


def revealed(response):
    text = main_text(response)
    return [word for word in RESULT_WORDS if word in text]


@pytest.fixture
def world(django_capture_on_commit_callbacks):
    """A unit with two cases in an edition published with an embargo one day ahead: the
    first won 最佳案例 with an approved citation, the second won nothing."""
    unit = make_unit(verified=True)
    member = make_member(unit=unit)
    organiser = make_organiser()
    edition = make_edition(title="第七届")
    category = make_category(edition=edition, name="政府治理创新")
    winner = make_complete_case(edition=edition, owner_unit=unit, category=category, title="越有数")
    loser = make_complete_case(
        edition=edition, owner_unit=unit, category=category, title="智慧晓屋"
    )
    for case in (winner, loser):
        case_submit(case=case, by=member)
    for state in (EditionStatus.SCREENING, EditionStatus.REVIEWING, EditionStatus.DECIDING):
        # Set-up of the embargo scenario, not a test of the steps' preconditions.
        edition_transition(edition, state, by=organiser, enforce=False)
    for case in (winner, loser):
        case.refresh_from_db()
        case_transition(case, CaseStatus.ACCEPTED, by=organiser)
        case_transition(case, CaseStatus.IN_REVIEW, by=organiser)
    award = make_award(
        case=winner,
        tier=make_tier(edition=edition, name=TIER),
        citation=CITATION,
        citation_status=CitationStatus.APPROVED,
        commentator=make_judge(name=COMMENTATOR, title="中山大学政务学院教授"),
    )
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        publish_results(
            edition=edition, at=timezone.now() + timedelta(days=1), by=organiser, allow_uncited=True
        )
    winner.refresh_from_db()
    loser.refresh_from_db()
    return {
        "unit": unit,
        "member": member,
        "organiser": organiser,
        "edition": edition,
        "winner": winner,
        "loser": loser,
        "award": award,
    }


def embargo_passes(edition):
    # The clock moves past the embargo time (as stored: the publication time is now past).
    Edition.objects.filter(pk=edition.pk).update(
        results_published_at=timezone.now() - timedelta(minutes=1)
    )


def unit_pages(world):
    """Every portal page a unit member can open for these cases (others are 404)."""
    pages = [reverse("portal:case-list")]
    for case in (world["winner"], world["loser"]):
        pages += [
            reverse("portal:case-detail", args=[case.pk]),
            reverse("portal:case-receipt", args=[case.pk]),
        ]
    return pages


def test_publication_settles_statuses_and_sends_units_no_mail(world):
    assert (world["winner"].status, world["loser"].status) == (
        CaseStatus.AWARDED,
        CaseStatus.NOT_AWARDED,
    )
    # Nothing is mailed at publication, so no e-mail can beat the embargo.
    assert mail.outbox == []


def test_unit_pages_reveal_no_result_before_embargo(client, world):
    client.force_login(world["member"])

    found = {}
    for url in unit_pages(world):
        response = client.get(url)
        assert response.status_code == 200, url
        found[url] = revealed(response)

    assert found == dict.fromkeys(unit_pages(world), [])


def test_dashboard_and_detail_show_in_review_before_embargo(client, world):
    client.force_login(world["member"])

    dashboard = main_text(client.get(reverse("portal:case-list")))
    detail = main_text(client.get(reverse("portal:case-detail", args=[world["winner"].pk])))

    assert dashboard.count('<span class="badge status-in_review">评审中</span>') == 2
    assert "等待结果发布" in dashboard
    assert '<span class="badge status-in_review">评审中</span>' in detail


def test_embargoed_status_note_is_hidden(client, world):
    # An award revoked after publication leaves its reason as the case's status note.
    loser = world["loser"]
    loser.status_reason = "经复核撤销获奖"
    loser.save(update_fields=["status_reason"])
    client.force_login(world["member"])

    before = main_text(client.get(reverse("portal:case-detail", args=[loser.pk])))
    embargo_passes(world["edition"])
    after = main_text(client.get(reverse("portal:case-detail", args=[loser.pk])))

    assert "经复核撤销获奖" not in before
    assert "经复核撤销获奖" in after


def test_form_and_withdraw_pages_are_404_for_settled_cases(client, world):
    client.force_login(world["member"])

    codes = {
        (name, case.title): client.get(reverse(f"portal:{name}", args=[case.pk])).status_code
        for name in ("case-update", "case-withdraw")
        for case in (world["winner"], world["loser"])
    }

    assert set(codes.values()) == {404}


def test_certificate_is_404_for_the_unit_before_embargo_and_a_pdf_after(client, world):
    client.force_login(world["member"])
    url = reverse("judging:certificate-download", args=[world["award"].pk])

    before = client.get(url)
    embargo_passes(world["edition"])
    after = client.get(url)

    assert before.status_code == 404
    assert after.status_code == 200
    assert after.content.startswith(b"%PDF-")


def test_unit_pages_show_the_result_after_embargo(client, world):
    embargo_passes(world["edition"])
    client.force_login(world["member"])

    dashboard = main_text(client.get(reverse("portal:case-list")))
    winner = main_text(client.get(reverse("portal:case-detail", args=[world["winner"].pk])))
    loser = main_text(client.get(reverse("portal:case-detail", args=[world["loser"].pk])))

    assert '<span class="badge status-awarded">获奖</span>' in dashboard
    assert '<span class="badge status-not_awarded">未获奖</span>' in dashboard
    assert TIER in dashboard
    assert CITATION in dashboard
    assert f"—— {COMMENTATOR}(中山大学政务学院教授)" in dashboard
    assert reverse("judging:certificate-download", args=[world["award"].pk]) in dashboard
    assert dashboard.count("查看评选结果") == 2
    assert '<span class="badge status-awarded">获奖</span>' in winner
    assert '<span class="badge status-not_awarded">未获奖</span>' in loser


def test_organiser_sees_the_real_status_in_the_portal_during_embargo(client, world):
    client.force_login(world["organiser"])

    detail = main_text(client.get(reverse("portal:case-detail", args=[world["winner"].pk])))

    assert '<span class="badge status-awarded">获奖</span>' in detail


def test_other_unit_gets_404_on_every_page_of_the_cases(client, world):
    client.force_login(make_member(unit=make_unit(verified=True)))
    embargo_passes(world["edition"])

    codes = {url: client.get(url).status_code for url in unit_pages(world)[1:]}
    certificate = client.get(reverse("judging:certificate-download", args=[world["award"].pk]))

    assert codes == dict.fromkeys(unit_pages(world)[1:], 404)
    assert certificate.status_code == 404


def test_dashboard_hides_a_citation_that_is_not_approved(client, world):
    award = world["award"]
    award.citation_status = CitationStatus.DRAFTED
    award.save(update_fields=["citation_status"])
    embargo_passes(world["edition"])
    client.force_login(world["member"])

    dashboard = main_text(client.get(reverse("portal:case-list")))

    assert TIER in dashboard
    assert CITATION not in dashboard
    assert COMMENTATOR not in dashboard


def test_approved_citation_constant_matches_judging():
    assert CitationStatus.APPROVED.value == APPROVED_CITATION
